"""TensorFlow's "TensorFlow 2 quickstart for experts", the same program in glassnet and in
TensorFlow (issue 28, item 6): a subclassed convnet, ``GradientTape`` + ``apply_gradients`` in
a ``@tf.function`` step, ``Mean`` and ``SparseCategoricalAccuracy`` metrics, 5 epochs::

    class MyModel(Model): Conv2D(32, 3, relu) -> Flatten -> Dense(128, relu) -> Dense(10)
    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            loss = loss_object(labels, predictions)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        train_loss(loss); train_accuracy(labels, predictions)

The data are MNIST-shaped (60,000 + 10,000 images of 28 x 28 bytes, divided by 255 as the
tutorial does; random pixels inside a zero border of 4, where MNIST's pixels are almost all 0),
``from_tensor_slices(...).shuffle(10000).batch(32)``. Each contestant runs in a fresh process;
the rounds alternate (glassnet, TensorFlow, glassnet, ...) so both see the same machine, and
each round prints its seconds per epoch. The first epoch carries the one-time costs
(TensorFlow's tracing of the step, numba's load); the table gives both the whole run and the
best later epoch.

    python bench/custom_loop.py --peers-python /work/peers/bin/python [--images 6000] [--epochs 5] [--rounds 2]
                                [--readable]      # glassnet's readable path too (GLASSNET_FAST_PATH=0)
                                [--threads 1]     # both on one thread: steadier on a shared machine
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")


def _data(np, n_train, n_test):
    rng = np.random.default_rng(0)

    def images(n):
        x = np.zeros((n, 28, 28), np.uint8)
        x[:, 4:24, 4:24] = rng.integers(0, 256, (n, 20, 20), dtype=np.uint8)
        return x
    return (images(n_train), rng.integers(0, 10, n_train).astype(np.uint8),
            images(n_test), rng.integers(0, 10, n_test).astype(np.uint8))


def quickstart(tf, n_train, epochs):
    """The tutorial's program, line for line; returns the seconds of each epoch and the CPU
    seconds of each (``time.process_time``: every thread of the process, not inflated by waiting
    for a core on a busy machine)."""
    import numpy as np
    Model = tf.keras.Model
    Conv2D, Dense, Flatten = tf.keras.layers.Conv2D, tf.keras.layers.Dense, tf.keras.layers.Flatten
    x_train, y_train, x_test, y_test = _data(np, n_train, max(n_train // 6, 32))
    x_train, x_test = x_train / 255.0, x_test / 255.0
    x_train = x_train[..., tf.newaxis].astype("float32")
    x_test = x_test[..., tf.newaxis].astype("float32")
    train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(10000).batch(32)
    test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(32)

    class MyModel(Model):
        def __init__(self):
            super().__init__()
            self.conv1 = Conv2D(32, 3, activation='relu')
            self.flatten = Flatten()
            self.d1 = Dense(128, activation='relu')
            self.d2 = Dense(10)

        def call(self, x):
            x = self.conv1(x)
            x = self.flatten(x)
            x = self.d1(x)
            return self.d2(x)

    model = MyModel()
    loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = tf.keras.optimizers.Adam()
    train_loss = tf.keras.metrics.Mean(name='train_loss')
    train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name='train_accuracy')
    test_loss = tf.keras.metrics.Mean(name='test_loss')
    test_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name='test_accuracy')

    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            loss = loss_object(labels, predictions)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        train_loss(loss)
        train_accuracy(labels, predictions)

    @tf.function
    def test_step(images, labels):
        predictions = model(images, training=False)
        t_loss = loss_object(labels, predictions)
        test_loss(t_loss)
        test_accuracy(labels, predictions)

    seconds, cpu = [], []
    for epoch in range(epochs):
        start, cpu_start = time.perf_counter(), time.process_time()
        train_loss.reset_state()
        train_accuracy.reset_state()
        test_loss.reset_state()
        test_accuracy.reset_state()
        for images, labels in train_ds:
            train_step(images, labels)
        for test_images, test_labels in test_ds:
            test_step(test_images, test_labels)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
        print(f'Epoch {epoch + 1}, Loss: {float(train_loss.result()):.4f}, '
              f'Accuracy: {float(train_accuracy.result()) * 100:.2f}, '
              f'Test Loss: {float(test_loss.result()):.4f}, '
              f'Test Accuracy: {float(test_accuracy.result()) * 100:.2f}', file=sys.stderr, flush=True)
    return seconds, cpu


def child(who, n_train, epochs):
    if who == "glassnet":
        import glassnet as tf
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        threads = int(os.environ.get("GLASSNET_BENCH_THREADS", "0"))
        if threads:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
    seconds, cpu = quickstart(tf, n_train, epochs)
    print(json.dumps({"who": who, "seconds": seconds, "cpu": cpu}))


def _run(who, python, n_train, epochs, threads=None):
    env = dict(os.environ)
    if threads:                                 # every contestant on this many threads
        env.update(GLASSNET_NUM_THREADS=str(threads), GLASSNET_BENCH_THREADS=str(threads),
                   OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    if who.startswith("glassnet"):
        env["PYTHONPATH"] = os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])
    if who == "glassnet-readable":              # what the loop ran before fit's fast path reached it
        env["GLASSNET_FAST_PATH"] = "0"
    done = subprocess.run([python, __file__, "--child", who.split("-")[0], str(n_train), str(epochs)],
                          capture_output=True, text=True, env=env, timeout=3600)
    line = [s for s in done.stdout.splitlines() if s.startswith("{")]
    if done.returncode or not line:
        print(f"  {who}: failed: {done.stderr.strip().splitlines()[-3:]}")
        return None
    found = json.loads(line[-1])
    return found["seconds"], found["cpu"]


def _load() -> str:
    try:
        return "load %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "load ?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peers-python", default=os.environ.get("GLASSNET_BENCH_PEERS_PYTHON"),
                    help="a Python with tensorflow (skipped when missing)")
    ap.add_argument("--images", type=int, default=6000, help="training images (60000: the whole of MNIST)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2, help="glassnet and TensorFlow in turn, this many times")
    ap.add_argument("--threads", type=int, default=None,
                    help="give every contestant this many threads (BLAS, TensorFlow's pools): steadier on a busy machine")
    ap.add_argument("--readable", action="store_true",
                    help="also glassnet's readable path (GLASSNET_FAST_PATH=0: no thread discipline, no packed update)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child[0], int(args.child[1]), int(args.child[2]))
    contestants = [("glassnet", sys.executable)] + ([("tensorflow", args.peers_python)] if args.peers_python else []) \
        + ([("glassnet-readable", sys.executable)] if args.readable else [])
    runs = {who: [] for who, _ in contestants}
    cpus = {who: [] for who, _ in contestants}
    print(f"quickstart for experts: {args.images} images, {args.epochs} epochs, {args.rounds} rounds, "
          f"threads: {args.threads or 'each library its own'}")
    for r in range(args.rounds):
        for who, python in contestants:
            before = _load()
            got = _run(who, python, args.images, args.epochs, args.threads)
            if got is None:
                continue
            seconds, cpu = got
            runs[who].append(seconds)
            cpus[who].append(cpu)
            print(f"  round {r + 1} {who:17} total {sum(seconds):7.2f} s   epochs "
                  f"{' '.join(f'{s:.2f}' for s in seconds)}   CPU {sum(cpu):.2f} s "
                  f"(epochs {' '.join(f'{s:.2f}' for s in cpu)})   ({before})", flush=True)
    print()
    print("| | glassnet | TensorFlow | ratio (glassnet / TF) |")
    print("|---|---|---|---|")
    g, t = runs.get("glassnet"), runs.get("tensorflow")
    rows = [("whole run, best round (s)", lambda s: sum(s)),
            ("best later epoch (s)", lambda s: min(s[1:]) if len(s) > 1 else s[0]),
            ("median later epoch (s)", lambda s: statistics.median(s[1:]) if len(s) > 1 else s[0])]
    for name, f in rows:
        gv = min(f(s) for s in g) if g else None
        tv = min(f(s) for s in t) if t else None
        ratio = f"{gv / tv:.2f}" if gv and tv else "-"
        print(f"| {name} | {gv if gv is None else f'{gv:.2f}'} | {tv if tv is None else f'{tv:.2f}'} | {ratio} |")
    if runs.get("glassnet-readable"):
        best = min(sum(s) for s in runs["glassnet-readable"])
        print(f"| whole run, glassnet's readable path (s) | {best:.2f} | | |")
    if g and t and len(g) == len(t):
        ratios = [sum(a) / sum(b) for a, b in zip(g, t)]
        print(f"\nper-round ratio of whole runs: {' '.join(f'{x:.2f}' for x in ratios)} "
              f"(spread {min(ratios):.2f}-{max(ratios):.2f}, median {statistics.median(ratios):.2f})")
        gc, tc = cpus["glassnet"], cpus["tensorflow"]
        ratios = [sum(a) / sum(b) for a, b in zip(gc, tc)]
        later = [sum(a[1:]) / sum(b[1:]) for a, b in zip(gc, tc) if len(a) > 1]
        print(f"per-round ratio of CPU time, whole runs: {' '.join(f'{x:.2f}' for x in ratios)} "
              f"(median {statistics.median(ratios):.2f})"
              + (f"; later epochs: {' '.join(f'{x:.2f}' for x in later)} (median {statistics.median(later):.2f})"
                 if later else ""))


if __name__ == "__main__":
    main()
