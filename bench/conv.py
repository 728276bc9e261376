"""One epoch of Keras's "simple MNIST convnet", glassnet beside PyTorch and Keras.

    python bench/conv.py                                   # 60,000 random 28x28x1 images, batch 128
    python bench/conv.py --samples 6000 --epochs 2         # a shorter run
    python bench/conv.py --keras-python /path/to/tf/bin/python --torch-python /path/to/torch/bin/python
    python bench/conv.py --only glassnet --kernels numpy   # glassnet's readable path only (no numba)
    python bench/conv.py --threads 1                       # every contestant on one thread (a loaded machine)
    python bench/conv.py --rounds 3                        # the contestants in turn, 3 times: a ratio per round
    python bench/conv.py --only glassnet,glassnet-whole    # with and without the passes in parts on free cores
    python bench/conv.py --only glassnet,glassnet-unpooled # with and without the conv backward from its pooling

The model: Conv2D 32 3x3 relu, MaxPooling2D 2, Conv2D 64 3x3 relu, MaxPooling2D 2, Flatten,
Dropout 0.5, Dense 10 softmax; Adam, categorical cross-entropy (PyTorch: the same layers in
NCHW, ``CrossEntropyLoss`` on the logits). The data are random MNIST-shaped images (the
cost does not depend on the pixels). Each contestant runs in a fresh subprocess with its
library's default thread settings, pays an untimed warm-up epoch on 1,024 images, then
``--epochs`` timed epochs; the median epoch is reported, with its CPU time (all the process's
threads: descheduling on a busy machine does not inflate it), GFLOP/s (forward and
backward counted as 3 forward passes of multiply-adds x 2) and glassnet's ratio to each
peer, per round and their median, in wall-clock and in CPU time. ``peak MB`` is the process's peak resident memory, beside its peak once the data are made
(before the library is imported) and the size of the training data: glassnet's im2col is
per batch, never of the whole data set.

PyTorch runs when ``torch`` imports in this interpreter; Keras when ``tensorflow`` imports
in this interpreter or in ``--keras-python``.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")


def flops_per_sample() -> float:
    """Multiply-adds x 2 of one forward pass, times 3 for forward + backward."""
    conv1 = 26 * 26 * 32 * (3 * 3 * 1) * 2
    conv2 = 11 * 11 * 64 * (3 * 3 * 32) * 2
    dense = 1600 * 10 * 2
    return 3.0 * (conv1 + conv2 + dense)


def data(n, seed=0):
    """Mostly blank images in [0, 1], made in chunks (the peak before fit stays near the data's size)."""
    rng = np.random.default_rng(seed)
    x = np.empty((n, 28, 28, 1), np.float32)
    for i in range(0, n, 4096):
        shape = (min(4096, n - i), 28, 28, 1)
        x[i:i + 4096] = rng.random(shape, dtype=np.float32) * (rng.random(shape, dtype=np.float32) < 0.2)
    labels = rng.integers(0, 10, n)
    return x, labels


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ------------------------------------------------------------------------------------------
# The contestants, each run in its own process
# ------------------------------------------------------------------------------------------
def run_glassnet(x, labels, batch, epochs):
    sys.path.insert(0, SRC)
    import glassnet
    from glassnet.keras import layers
    glassnet.config.set_kernels(KERNELS)          # "auto": numba's compiled passes when installed

    def model():
        glassnet.utils.set_random_seed(0)
        m = glassnet.Sequential([
            glassnet.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
        m.compile(loss="categorical_crossentropy", optimizer="adam")
        return m

    y = glassnet.utils.to_categorical(labels, 10)
    model().fit(x[:1024], y[:1024], batch_size=batch, epochs=1, verbose=0)        # warm-up
    m = model()
    times, losses = [], []
    for _ in range(epochs):
        start, cpu = time.perf_counter(), time.process_time()
        h = m.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        times.append(time.perf_counter() - start)
        CPU.append(time.process_time() - cpu)
        losses.append(h.history["loss"][-1])
    import importlib.util
    numba = KERNELS != "numpy" and importlib.util.find_spec("numba") is not None
    from glassnet.fast import conv as fast_conv
    THREADS.append(f"{glassnet.config.get_num_threads()} (parts on {fast_conv.last_threads})")
    return times, losses, glassnet.__version__ + (" numba" if numba else " numpy")


def run_torch(x, labels, batch, epochs):
    import torch
    from torch import nn

    def model():
        torch.manual_seed(0)
        m = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
        return m, torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7)

    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    yt = torch.from_numpy(labels.astype(np.int64))
    loss_fn = nn.CrossEntropyLoss()

    def epoch(m, opt, n):
        m.train()
        order = torch.randperm(n)
        xs, ys = xt[:n][order], yt[:n][order]
        total = 0.0
        for i in range(0, n, batch):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(m(xs[i:i + batch]), ys[i:i + batch])
            loss.backward()
            opt.step()
            total += loss.item() * len(ys[i:i + batch])
        return total / n

    epoch(*model(), 1024)
    m, opt = model()
    times, losses = [], []
    for _ in range(epochs):
        start, cpu = time.perf_counter(), time.process_time()
        losses.append(epoch(m, opt, len(xt)))
        times.append(time.perf_counter() - start)
        CPU.append(time.process_time() - cpu)
    THREADS.append(str(torch.get_num_threads()))
    return times, losses, torch.__version__


def run_keras(x, labels, batch, epochs):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    from keras import layers

    def model():
        keras.utils.set_random_seed(0)
        m = keras.Sequential([
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
        m.compile(loss="categorical_crossentropy", optimizer="adam")
        return m

    y = keras.utils.to_categorical(labels, 10)
    model().fit(x[:1024], y[:1024], batch_size=batch, epochs=1, verbose=0)
    m = model()
    times, losses = [], []
    for _ in range(epochs):
        start, cpu = time.perf_counter(), time.process_time()
        h = m.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        times.append(time.perf_counter() - start)
        CPU.append(time.process_time() - cpu)
        losses.append(h.history["loss"][-1])
    return times, losses, keras.__version__


KERNELS = "auto"
CPU = []                # each timed epoch's CPU seconds (time.process_time: all the process's threads)
THREADS = []            # the threads a contestant ended its timed epochs on (glassnet: BLAS, and its split passes)
_THREAD_VARS = ("GLASSNET_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
                "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def _one_thread_libraries(n):
    """``--threads n`` inside a worker: the libraries that read no environment variable."""
    try:
        import torch
        torch.set_num_threads(n)
        torch.set_num_interop_threads(n)
    except Exception:  # noqa: BLE001 - torch absent (glassnet's or Keras's worker)
        pass
def run_glassnet_whole(x, labels, batch, epochs):
    """glassnet with each pass over the whole batch on the calling thread (no parts on the free
    cores: the passes as before the fourth session of 2026-12-06), BLAS on glassnet's threads."""
    sys.path.insert(0, SRC)
    from glassnet.fast import conv as fast_conv
    fast_conv._MAX_PARTS = 1
    return run_glassnet(x, labels, batch, epochs)


def run_glassnet_unpooled(x, labels, batch, epochs):
    """glassnet with each relu Conv2D's backward from its pooling's dX and Z, as before the fifth
    session of 2026-12-06 (no dZ from the pooled arrays, the first pooling's dX written)."""
    sys.path.insert(0, SRC)
    from glassnet.fast import conv as fast_conv
    fast_conv._FUSE_POOLING = False
    return run_glassnet(x, labels, batch, epochs)


RUNNERS = {"glassnet": run_glassnet, "glassnet-whole": run_glassnet_whole, "glassnet-unpooled": run_glassnet_unpooled,
           "pytorch": run_torch, "keras": run_keras}


def worker(name, samples, batch, epochs):
    x, labels = data(samples)
    before = peak_mb()
    times, losses, version = RUNNERS[name](x, labels, batch, epochs)
    print(json.dumps({"name": name, "version": version, "times": times, "cpu": CPU, "losses": losses,
                      "threads": THREADS[-1] if THREADS else "?",
                      "peak_mb": peak_mb(), "peak_before_mb": before, "data_mb": x.nbytes / 2**20}))


# ------------------------------------------------------------------------------------------
def _has(python, module) -> bool:
    done = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
    return done.returncode == 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=60000)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--epochs", type=int, default=1, help="timed epochs per contestant (median reported)")
    p.add_argument("--keras-python", default=sys.executable, help="a Python with tensorflow, for Keras")
    p.add_argument("--torch-python", default=sys.executable, help="a Python with torch, for PyTorch")
    p.add_argument("--only", default="glassnet,pytorch,keras")
    p.add_argument("--kernels", default="auto", choices=("auto", "numpy", "numba"),
                   help="glassnet.config.set_kernels for glassnet (numpy: the readable path only)")
    p.add_argument("--threads", type=int, default=0,
                   help="threads for every contestant (BLAS, OpenMP, torch, TF); 0: each library's default")
    p.add_argument("--rounds", type=int, default=1,
                   help="run the contestants in turn this many times (a ratio per round, and their median)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    global KERNELS
    KERNELS = args.kernels
    if args.worker:
        if args.threads:
            _one_thread_libraries(args.threads)
        worker(args.worker, args.samples, args.batch_size, args.epochs)
        return 0
    pythons = {"glassnet": sys.executable, "glassnet-whole": sys.executable, "glassnet-unpooled": sys.executable,
               "pytorch": args.torch_python, "keras": args.keras_python}
    needs = {"glassnet": "numpy", "glassnet-whole": "numpy", "glassnet-unpooled": "numpy", "pytorch": "torch",
             "keras": "tensorflow"}
    flops = flops_per_sample() * args.samples
    print(f"threads: {args.threads or 'each library its default'}")
    print(f"simple MNIST convnet, {args.samples:,} random 28x28x1 images, batch {args.batch_size}, "
          f"{flops / 1e9:.0f} GFLOP per epoch (forward + backward)")
    names = []
    for name in args.only.split(","):
        if not _has(pythons[name], needs[name]):
            print(f"{name:9s} skipped: {needs[name]} does not import in {pythons[name]}")
        else:
            names.append(name)
    rounds = {name: [] for name in names}
    for r in range(args.rounds):                # the contestants in turn, each round: the same machine for each
        for name in names:
            cmd = [pythons[name], os.path.abspath(__file__), "--worker", name, "--samples", str(args.samples),
                   "--batch-size", str(args.batch_size), "--epochs", str(args.epochs), "--kernels", args.kernels,
                   "--threads", str(args.threads)]
            env = dict(os.environ)
            if args.threads:        # set before the library loads its thread pools
                for var in _THREAD_VARS:
                    env[var] = str(args.threads)
            load = os.getloadavg()[0]
            done = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if done.returncode != 0:
                print(f"{name:9s} FAILED:\n{done.stderr[-2000:]}")
                continue
            res = json.loads(done.stdout.strip().splitlines()[-1])
            res["median"] = statistics.median(res["times"])
            res["cpu_median"] = statistics.median(res["cpu"])
            rounds[name].append(res)
            print(f"{'round %d ' % (r + 1) if args.rounds > 1 else ''}{name:14s} {res['version']:>16s}  "
                  f"{res['median']:8.2f} s/epoch (CPU {res['cpu_median']:.2f} s)  "
                  f"{flops / res['median'] / 1e9:6.1f} GFLOP/s  loss {res['losses'][-1]:.4f}  "
                  f"peak {res['peak_mb']:.0f} MB (with the data made {res['peak_before_mb']:.0f} MB, "
                  f"data {res['data_mb']:.0f} MB)  threads {res.get('threads', '?')}  load {load:.1f}", flush=True)
    for mine in ("glassnet", "glassnet-whole", "glassnet-unpooled"):
        g = rounds.get(mine, [])
        for peer in ("glassnet-whole", "glassnet-unpooled", "pytorch", "keras"):
            p = rounds.get(peer, [])
            pairs = list(zip(g, p))
            if not pairs or peer == mine:
                continue
            wall = [a["median"] / b["median"] for a, b in pairs]
            cpu = [a["cpu_median"] / b["cpu_median"] for a, b in pairs]
            print(f"{mine} / {peer}: {statistics.median(wall):.2f}x the time per epoch (rounds: "
                  f"{' '.join(f'{x:.2f}' for x in wall)}), CPU time {statistics.median(cpu):.2f}x "
                  f"({' '.join(f'{x:.2f}' for x in cpu)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
