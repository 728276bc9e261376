"""A custom training loop with GradientTape: glassnet beside TensorFlow's eager tape and
PyTorch's autograd, on the seed network and the MNIST-shaped one (issue 24, item 5).

Each contestant runs in a fresh process, the same loop its own documentation writes::

    with tf.GradientTape() as tape:                      # glassnet (as installed) and TensorFlow,
        loss = loss_fn(y, model(x, training=True))       # the same program, eager as TF's guide
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))

    loss = loss_fn(model(x), y); optimizer.zero_grad(); loss.backward(); optimizer.step()   # PyTorch

Timed: the best of 3 runs of ``steps`` steps each, after 10 untimed ones. Targets: glassnet
at least 5x TensorFlow eager's steps per second on the seed network, and within 1.5x of
PyTorch's time on both.

    python bench/tape_loop.py --peers-python /work/peers/bin/python
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
SHAPES = {"seed": (64, ((25, "sigmoid"), (15, "sigmoid"), (1, "sigmoid")), 32, 300),
          "mnist": (784, ((256, "relu"), (128, "relu"), (10, None)), 128, 40)}


def _data(n_features, batch, width):
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.random((batch * 8, n_features)).astype(np.float32)
    y = (rng.random((batch * 8, 1)) > 0.5).astype(np.float32) if width == 1 else \
        rng.integers(0, width, batch * 8).astype(np.int64)
    return [(x[i:i + batch], y[i:i + batch]) for i in range(0, len(x), batch)]


def run_keras_like(tf, shape_name):
    """glassnet or TensorFlow: the guide's custom loop (eager)."""
    n, layers, batch, steps = SHAPES[shape_name]
    keras = tf.keras
    model = keras.Sequential([keras.Input(shape=(n,))] + [keras.layers.Dense(u, activation=a) for u, a in layers])
    if layers[-1][0] == 1:
        loss_fn, optimizer = keras.losses.BinaryCrossentropy(), keras.optimizers.RMSprop()
    else:
        loss_fn, optimizer = keras.losses.SparseCategoricalCrossentropy(from_logits=True), keras.optimizers.Adam()
    batches = _data(n, batch, layers[-1][0])

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss
    return _time(step, batches, steps)


def run_torch(shape_name):
    import torch
    n, layers, batch, steps = SHAPES[shape_name]
    mods, width = [], n
    for units, act in layers:
        mods.append(torch.nn.Linear(width, units))
        if act == "sigmoid":
            mods.append(torch.nn.Sigmoid())
        elif act == "relu":
            mods.append(torch.nn.ReLU())
        width = units
    model = torch.nn.Sequential(*mods)
    if layers[-1][0] == 1:
        loss_fn, optimizer = torch.nn.BCELoss(), torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    else:
        loss_fn, optimizer = torch.nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    batches = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in _data(n, batch, layers[-1][0])]

    def step(x, y):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return _time(step, batches, steps)


def _time(step, batches, steps):
    for i in range(10):
        step(*batches[i % len(batches)])
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for i in range(steps):
            step(*batches[i % len(batches)])
        best = min(best, time.perf_counter() - start)
    return best / steps


def child(who, shape_name):
    if who == "glassnet":
        import glassnet as tf
        seconds = run_keras_like(tf, shape_name)
    elif who == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        seconds = run_keras_like(tf, shape_name)
    else:
        seconds = run_torch(shape_name)
    print(json.dumps({"who": who, "shape": shape_name, "seconds_per_step": seconds}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peers-python", default=os.environ.get("GLASSNET_BENCH_PEERS_PYTHON"),
                    help="a Python with tensorflow and torch (each peer is skipped when missing)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    results = {}
    for shape_name in SHAPES:
        for who, python in (("glassnet", sys.executable), ("tensorflow", args.peers_python),
                            ("torch", args.peers_python)):
            if python is None:
                continue
            env = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]))
            done = subprocess.run([python, __file__, "--child", who, shape_name], capture_output=True, text=True,
                                  env=env if who == "glassnet" else os.environ, timeout=1200)
            line = [s for s in done.stdout.splitlines() if s.startswith("{")]
            if done.returncode or not line:
                print(f"  {shape_name:6} {who:10} skipped: {done.stderr.strip().splitlines()[-1:]}")
                continue
            results[(shape_name, who)] = json.loads(line[-1])["seconds_per_step"]
            print(f"  {shape_name:6} {who:10} {results[(shape_name, who)] * 1e6:9.1f} us/step")
    print()
    print("| target | ratio | goal | |")
    print("|---|---|---|---|")
    g, t = results.get(("seed", "glassnet")), results.get(("seed", "tensorflow"))
    if g and t:
        print(f"| seed: glassnet / TF eager steps per second | {t / g:.2f}x | >= 5x | {'PASS' if t / g >= 5 else 'FAIL'} |")
    for shape_name in SHAPES:
        g, p = results.get((shape_name, "glassnet")), results.get((shape_name, "torch"))
        if g and p:
            print(f"| {shape_name}: glassnet time / PyTorch autograd's | {g / p:.2f}x | <= 1.5x | "
                  f"{'PASS' if g / p <= 1.5 else 'FAIL'} |")


if __name__ == "__main__":
    main()
