"""An LSTM text classifier's training epoch: glassnet's ``fit`` beside PyTorch's ``nn.LSTM``
loop and Keras 3's ``fit`` (issue 25, item 2: within 1.5x of PyTorch's time on CPU).

The model, as TensorFlow's text tutorials write it: ids of ``steps`` tokens from a
vocabulary of 5000, ``Embedding(5000, 32)``, ``LSTM(64)``, ``Dense(1)`` (logits), binary
cross-entropy, Adam, batches of 64, 2048 sequences. Each contestant runs in a fresh process
the way its own documentation trains: ``model.fit(x, y, epochs=1, batch_size=64)`` for
glassnet and Keras (Keras compiles its step, as ``fit`` does by default); for PyTorch the
loop ``loss = loss_fn(model(x), y); optimizer.zero_grad(); loss.backward(); optimizer.step()``
over ``nn.Embedding``, ``nn.LSTM(batch_first=True)`` and ``nn.Linear``. Timed: the best of 3
epochs after one untimed epoch, in wall time and in the process's CPU time (all its threads;
descheduling on a shared machine does not inflate it, so on one thread each it is the steadier
measure of the work).

glassnet runs three times: as installed (``glassnet``: its LSTM's recurrence on two threads, one
half of the batch each, when a second core is free and the numbers stay the same; the products
after the backward loop shared by the two threads too), and with the recurrence forced onto one
thread (``glassnet-1t``) and onto two (``glassnet-2t``, ``glassnet.fast.recurrent.split_batch``):
on a shared machine the ratio of those two, measured minutes apart in the same run, says what
the second thread gives better than either's time does.

    python bench/lstm.py --peers-python /work/peers/bin/python [--steps 100] [--rounds 3]
                         [--torch-threads 1] [--glassnet-threads 1]
                         [--only glassnet,glassnet-1t,glassnet-2t,torch]
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
    """The best of 3 epochs after an untimed one: ``(wall seconds, CPU seconds)``, each its own best."""
    epoch()                                     # untimed: first calls, compilation
    wall = cpu = float("inf")
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        epoch()
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    return wall, cpu


SPLIT = {"glassnet": None, "glassnet-1t": False, "glassnet-2t": True, "before": False}


def child(who, steps):
    if who in SPLIT:
        import glassnet as tf
        from glassnet.fast import recurrent
        recurrent.split_batch(SPLIT[who])
        print(f"glassnet from {os.path.dirname(tf.__file__)}", file=sys.stderr)
        seconds = run_keras_like(tf, steps)
    elif who == "keras":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        seconds = run_keras_like(tf, steps)
    else:
        seconds = run_torch(steps)
    print(json.dumps({"who": who, "seconds_per_epoch": seconds[0], "cpu_seconds_per_epoch": seconds[1]}))


def _round(args):
    """One run of each contestant, each in a fresh process: ``{who: (wall, cpu)}`` seconds per epoch."""
    results = {}
    for who, python in (("glassnet", sys.executable), ("glassnet-1t", sys.executable), ("glassnet-2t", sys.executable),
                        ("before", sys.executable if args.before_src else None),
                        ("torch", args.peers_python), ("keras", args.peers_python)):
        if python is None or who not in args.only.split(",") + (["before"] if args.before_src else []):
            continue
        src = args.before_src if who == "before" else SRC
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
        if args.glassnet_threads:
            env["GLASSNET_NUM_THREADS"] = str(args.glassnet_threads)
        done = subprocess.run([python, __file__, "--child", who, str(args.steps)], capture_output=True, text=True,
                              env=env if who in SPLIT else os.environ, timeout=1800)
        line = [s for s in done.stdout.splitlines() if s.startswith("{")]
        if done.returncode or not line:
            print(f"  {who:11} skipped: {done.stderr.strip().splitlines()[-1:]}")
            continue
        found = json.loads(line[-1])
        results[who] = (found["seconds_per_epoch"], found["cpu_seconds_per_epoch"])
        print(f"  {who:11} {results[who][0]:7.3f} s/epoch, CPU {results[who][1]:7.3f} s "
              f"({SAMPLES} sequences of {args.steps} steps; load average {os.getloadavg()[0]:.2f} after)")
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
    ap.add_argument("--glassnet-threads", type=int, default=None,
                    help="glassnet's threads (GLASSNET_NUM_THREADS; default: auto), BLAS's included")
    ap.add_argument("--before-src", default=None,
                    help="also run glassnet-1t from this source folder (another version's src/, for a "
                         "before/after in the same rounds), as the contestant 'before'")
    ap.add_argument("--only", default="glassnet,glassnet-1t,glassnet-2t,torch,keras",
                    help="contestants, comma-separated")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_threads:
        os.environ["GLASSNET_BENCH_TORCH_THREADS"] = str(args.torch_threads)
    if args.child:
        return child(args.child[0], int(args.child[1]))
    ratios = {}                  # name -> each round's ratio, (wall, cpu)
    for r in range(args.rounds):
        if args.rounds > 1:
            print(f"round {r + 1} of {args.rounds} (load average {os.getloadavg()[0]:.2f})")
        results = _round(args)
        print()
        print("| target | ratio, wall | ratio, CPU | goal | |")
        print("|---|---|---|---|---|")
        for mine in ("glassnet", "glassnet-1t", "glassnet-2t", "before"):
            for peer in ("torch", "keras"):
                g, p = results.get(mine), results.get(peer)
                if not (g and p):
                    continue
                wall, cpu = g[0] / p[0], g[1] / p[1]
                ratios.setdefault(f"{mine} / {peer}", []).append((wall, cpu))
                goal = "<= 1.5x" if peer == "torch" else "(for reference)"
                verdict = ("PASS" if wall <= 1.5 else "FAIL") if peer == "torch" else ""
                print(f"| LSTM epoch: {mine} time / {peer}'s | {wall:.2f}x | {cpu:.2f}x | {goal} | {verdict} |")
        one, two = results.get("glassnet-1t"), results.get("glassnet-2t")
        if one and two:
            ratios.setdefault("glassnet 2 threads / 1", []).append((two[0] / one[0], two[1] / one[1]))
            print(f"| glassnet, recurrence on two threads / on one | {two[0] / one[0]:.2f}x | {two[1] / one[1]:.2f}x "
                  f"| (for reference) | |")
        before, after = results.get("before"), results.get("glassnet-1t")
        if before and after:
            ratios.setdefault("glassnet-1t / before", []).append((after[0] / before[0], after[1] / before[1]))
            print(f"| glassnet-1t / before | {after[0] / before[0]:.2f}x | {after[1] / before[1]:.2f}x "
                  f"| (for reference) | |")
        print()
    if args.rounds > 1:
        for name, found in ratios.items():
            for i, kind in enumerate(("wall", "CPU")):
                xs = sorted(f[i] for f in found)
                print(f"{name}, {kind}: {', '.join(f'{f[i]:.2f}x' for f in found)} "
                      f"(median {xs[len(xs) // 2]:.2f}x, from {xs[0]:.2f}x to {xs[-1]:.2f}x)")

if __name__ == "__main__":
    main()
