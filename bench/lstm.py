"""An LSTM text classifier's training epoch: glassnet's ``fit`` beside PyTorch's ``nn.LSTM``
loop and Keras 3's ``fit`` (issue 25, item 2: within 1.5x of PyTorch's time on CPU).

The model, as TensorFlow's text tutorials write it: ids of ``steps`` tokens from a
vocabulary of 5000, ``Embedding(5000, 32)``, ``LSTM(64)``, ``Dense(1)`` (logits), binary
cross-entropy, Adam, batches of 64, 2048 sequences. Each contestant runs in a fresh process
the way its own documentation trains: ``model.fit(x, y, epochs=1, batch_size=64)`` for
glassnet and Keras (Keras compiles its step, as ``fit`` does by default); for PyTorch the
loop ``loss = loss_fn(model(x), y); optimizer.zero_grad(); loss.backward(); optimizer.step()``
over ``nn.Embedding``, ``nn.LSTM(batch_first=True)`` and ``nn.Linear``. Timed: the best of 3
epochs after one untimed epoch.

glassnet runs three times: as installed (``glassnet``: its LSTM's recurrence on two threads, one
half of the batch each, when a second core is free), and with the recurrence forced onto one
thread (``glassnet-1t``) and onto two (``glassnet-2t``, ``glassnet.fast.recurrent.split_batch``):
on a shared machine the ratio of those two, measured minutes apart in the same run, says what
the second thread gives better than either's time does.

    python bench/lstm.py --peers-python /work/peers/bin/python [--steps 100] [--rounds 3]
                         [--torch-threads 1] [--only glassnet,glassnet-1t,glassnet-2t,torch]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")
VOCAB, EMBED, UNITS, BATCH, SAMPLES = 5000, 32, 64, 64, 2048


def _data(steps):
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB, size=(SAMPLES, steps)).astype(np.int64)
    y = (rng.random((SAMPLES, 1)) > 0.5).astype(np.float32)
    return x, y


def run_keras_like(tf, steps):
    """glassnet or Keras 3: Sequential, compile, fit."""
    keras = tf.keras
    model = keras.Sequential([keras.Input((steps,)), keras.layers.Embedding(VOCAB, EMBED),
                              keras.layers.LSTM(UNITS), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(), keras.losses.BinaryCrossentropy(from_logits=True))
    x, y = _data(steps)
    return _best(lambda: model.fit(x, y, epochs=1, batch_size=BATCH, verbose=0))


def run_torch(steps):
    import torch
    if os.environ.get("GLASSNET_BENCH_TORCH_THREADS"):           # --torch-threads
        torch.set_num_threads(int(os.environ["GLASSNET_BENCH_TORCH_THREADS"]))

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(VOCAB, EMBED)
            self.lstm = torch.nn.LSTM(EMBED, UNITS, batch_first=True)
            self.out = torch.nn.Linear(UNITS, 1)

        def forward(self, x):
            _, (h, _) = self.lstm(self.embed(x))
            return self.out(h[-1])
    model = Net()
    loss_fn, optimizer = torch.nn.BCEWithLogitsLoss(), torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    x, y = _data(steps)
    batches = [(torch.from_numpy(x[i:i + BATCH]), torch.from_numpy(y[i:i + BATCH])) for i in range(0, SAMPLES, BATCH)]

    def epoch():
        for xb, yb in batches:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return _best(epoch)


def _best(epoch):
    epoch()                                     # untimed: first calls, compilation
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        epoch()
        best = min(best, time.perf_counter() - start)
    return best


SPLIT = {"glassnet": None, "glassnet-1t": False, "glassnet-2t": True}


def child(who, steps):
    if who in SPLIT:
        import glassnet as tf
        from glassnet.fast import recurrent
        recurrent.split_batch(SPLIT[who])
        seconds = run_keras_like(tf, steps)
    elif who == "keras":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        seconds = run_keras_like(tf, steps)
    else:
        seconds = run_torch(steps)
    print(json.dumps({"who": who, "seconds_per_epoch": seconds}))


def _round(args):
    """One run of each contestant, each in a fresh process; their seconds per epoch."""
    results = {}
    for who, python in (("glassnet", sys.executable), ("glassnet-1t", sys.executable), ("glassnet-2t", sys.executable),
                        ("torch", args.peers_python), ("keras", args.peers_python)):
        if python is None or who not in args.only.split(","):
            continue
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]))
        done = subprocess.run([python, __file__, "--child", who, str(args.steps)], capture_output=True, text=True,
                              env=env if who in SPLIT else os.environ, timeout=1800)
        line = [s for s in done.stdout.splitlines() if s.startswith("{")]
        if done.returncode or not line:
            print(f"  {who:11} skipped: {done.stderr.strip().splitlines()[-1:]}")
            continue
        results[who] = json.loads(line[-1])["seconds_per_epoch"]
        print(f"  {who:11} {results[who]:7.3f} s/epoch  ({SAMPLES} sequences of {args.steps} steps)")
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peers-python", default=os.environ.get("GLASSNET_BENCH_PEERS_PYTHON"),
                    help="a Python with tensorflow and torch (each peer is skipped when missing)")
    ap.add_argument("--steps", type=int, default=100, help="tokens per sequence (default 100)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run the three contestants this many times, one after another (on a shared machine: "
                         "each round's ratio, then their spread)")
    ap.add_argument("--torch-threads", type=int, default=None,
                    help="PyTorch's intra-op threads (default: its own choice, all cores); on a busy machine "
                         "its two OpenMP threads wait on each other, and 1 is a steadier reference")
    ap.add_argument("--only", default="glassnet,glassnet-1t,glassnet-2t,torch,keras",
                    help="contestants, comma-separated")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_threads:
        os.environ["GLASSNET_BENCH_TORCH_THREADS"] = str(args.torch_threads)
    if args.child:
        return child(args.child[0], int(args.child[1]))
    ratios = {"torch": [], "keras": [], "two threads": []}
    for r in range(args.rounds):
        if args.rounds > 1:
            print(f"round {r + 1} of {args.rounds} (load average {os.getloadavg()[0]:.2f})")
        results = _round(args)
        print()
        print("| target | ratio | goal | |")
        print("|---|---|---|---|")
        g = results.get("glassnet")
        for peer in ("torch", "keras"):
            p = results.get(peer)
            if g and p:
                ratios[peer].append(g / p)
                goal = "<= 1.5x" if peer == "torch" else "(for reference)"
                verdict = ("PASS" if g / p <= 1.5 else "FAIL") if peer == "torch" else ""
                print(f"| LSTM epoch: glassnet time / {peer}'s | {g / p:.2f}x | {goal} | {verdict} |")
        one, two = results.get("glassnet-1t"), results.get("glassnet-2t")
        if one and two:
            ratios["two threads"].append(two / one)
            print(f"| glassnet, recurrence on two threads / on one | {two / one:.2f}x | (for reference) | |")
        print()
    if args.rounds > 1:
        for peer, found in ratios.items():
            if found:
                name = "glassnet 2 threads / 1" if peer == "two threads" else f"glassnet / {peer}"
                print(f"{name}: {', '.join(f'{x:.2f}x' for x in found)} "
                      f"(median {sorted(found)[len(found) // 2]:.2f}x, from {min(found):.2f}x to {max(found):.2f}x)")


if __name__ == "__main__":
    main()
