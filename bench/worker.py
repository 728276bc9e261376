"""One contestant on one workload, in a fresh process: ``run.py`` starts this file.

    python bench/worker.py WORKLOAD CONTESTANT --repeats N [--digits FILE] [--quick]

The last line of stdout is ``BENCH_RESULT {json}``: the timings and what the process
knows about itself (library versions, thread counts). Frameworks are imported here
only, so TensorFlow or PyTorch never share a process with another contestant.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import workloads as W  # noqa: E402

CONTESTANTS = ("glassnet", "floor", "torch", "keras")
# run.py --threads N: the BLAS/OpenMP variables are already set; torch and TF need a call
THREADS = int(os.environ.get("GLASSNET_BENCH_THREADS", "0") or 0)


# ---------------------------------------------------------------- the contestants
class Contestant:
    """Uniform face over the four: build a model, fit it, predict with it."""

    def __init__(self, name: str):
        self.name = name
        self.info: dict = {}
        if name == "glassnet":
            import glassnet  # noqa: PLC0415
            from glassnet import keras  # noqa: PLC0415

            self.keras = keras
            self.info["glassnet"] = getattr(glassnet, "__version__", "?")
        elif name == "keras":
            W.quiet_tensorflow()
            import tensorflow as tf  # noqa: PLC0415
            from tensorflow import keras  # noqa: PLC0415

            if THREADS:
                tf.config.threading.set_intra_op_parallelism_threads(THREADS)
                tf.config.threading.set_inter_op_parallelism_threads(THREADS)
            self.keras = keras
            self.info.update(tensorflow=tf.__version__, keras=keras.__version__,
                             tf_intra_threads=tf.config.threading.get_intra_op_parallelism_threads(),
                             tf_inter_threads=tf.config.threading.get_inter_op_parallelism_threads())
        elif name == "torch":
            import peer_torch  # noqa: PLC0415
            import torch  # noqa: PLC0415

            if THREADS:
                torch.set_num_threads(THREADS)

            self.torch = peer_torch
            self.info.update(peer_torch.info())
        elif name == "floor":
            import floor  # noqa: PLC0415

            self.floor = floor
        else:
            raise SystemExit(f"unknown contestant {name!r}")
        self.info["blas_threads"] = blas_threads()

    def seed(self, seed: int = 0) -> None:
        if self.name in ("glassnet", "keras"):
            self.keras.utils.set_random_seed(seed)

    def build(self, spec, n_features):
        self.seed()
        if self.name in ("glassnet", "keras"):
            return build_keras(self.keras, spec, n_features)
        if self.name == "torch":
            return self.torch.build(spec, n_features)
        return self.floor.FloorMLP(n_features, spec)

    def fit(self, model, spec, x, y, epochs):
        """Fit; return the last epoch's loss (a sanity check that all learn alike)."""
        if self.name in ("glassnet", "keras"):
            hist = model.fit(x, y, batch_size=spec.batch_size, epochs=epochs,
                             verbose=0, shuffle=True)
            return float(hist.history["loss"][-1])
        if self.name == "torch":
            return self.torch.fit(*model, x, y, spec.batch_size, epochs)
        return model.fit(x, y, spec.batch_size, epochs)

    def predict(self, model, x, batch_size):
        if self.name in ("glassnet", "keras"):
            return model.predict(x, batch_size=batch_size, verbose=0)
        if self.name == "torch":
            return self.torch.predict(model[0], x, batch_size)
        return model.predict(x, batch_size)


def build_keras(keras, spec, n_features):
    return W.build_keras_model(keras, spec, n_features)


def blas_threads():
    try:
        from threadpoolctl import threadpool_info  # noqa: PLC0415
    except ImportError:
        return None
    return {f"{d.get('internal_api')}": d.get("num_threads") for d in threadpool_info()}


# ---------------------------------------------------------------- the workloads
def run_train(c: Contestant, spec, args):
    x, y = W.load_train_data(spec.data, args.digits)
    # Warm-up, not timed: the same fit on a separate model. It pays the one-time costs
    # (lazy imports, BLAS thread start, first allocations, and kernels that glassnet chooses
    # by the work ahead: numba's, loaded once per process, for the MNIST-shaped fit).
    warm = c.build(spec, x.shape[1])
    c.fit(warm, spec, x, y, spec.epochs)
    times, cpu, losses = [], [], []
    for _ in range(args.repeats):
        model = c.build(spec, x.shape[1])  # building is not timed: `fit` only
        t0, c0 = time.perf_counter(), time.process_time()
        loss = c.fit(model, spec, x, y, spec.epochs)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)   # CPU time / wall time: the cores it really used
        losses.append(loss)
    if c.name == "glassnet":
        import glassnet  # noqa: PLC0415
        c.info["glassnet_threads"] = glassnet.config.get_num_threads()
    return {"times": times, "cpu": cpu, "loss": losses[-1], "rows": int(x.shape[0]),
            "epochs": spec.epochs, "flops_per_sample": spec.flops_per_sample(x.shape[1])}


def run_predict(c: Contestant, args):
    x, _ = W.synthetic_mnist(W.PREDICT_ROWS)
    model = c.build(W.MNIST, x.shape[1])  # untrained: the arithmetic is the same
    out = {}
    for b in W.PREDICT_BATCHES:
        c.predict(model, x[:2 * b], b)  # warm-up
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            p = c.predict(model, x, b)
            times.append(time.perf_counter() - t0)
        assert p.shape == (x.shape[0], 10), p.shape
        out[str(b)] = times
    return {"times_by_batch": out, "rows": int(x.shape[0])}


def run_memory(c: Contestant, args):
    """Peak memory of one epoch of MNIST-shaped fit, beyond the data already in memory."""
    import tracemalloc  # noqa: PLC0415

    spec = W.MNIST
    x, y = W.synthetic_mnist(W.MNIST_ROWS)
    model = c.build(spec, x.shape[1])
    c.fit(c.build(spec, x.shape[1]), spec, x, y, 1)  # warm-up: imports, BLAS buffers, kernels
    rss_before = rss_now()
    exact = reset_peak_rss()
    # NumPy reports its array buffers to tracemalloc; PyTorch and TensorFlow do not, so
    # for them only the resident-set figure means anything.
    traced = c.name in ("glassnet", "floor")
    if traced:
        tracemalloc.start()
    c.fit(model, spec, x, y, 1)
    peak_traced = tracemalloc.get_traced_memory()[1] if traced else None
    if traced:
        tracemalloc.stop()
    return {"data_bytes": int(x.nbytes + y.nbytes), "x_bytes": int(x.nbytes),
            "y_bytes": int(y.nbytes), "traced_peak": peak_traced,
            "rss_before": rss_before, "rss_peak_growth": peak_rss() - rss_before,
            "rss_peak_exact": exact}


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(field)


def rss_now() -> int:
    """Resident set size now, in bytes."""
    return _status_kb("VmRSS")


def reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process's resident set (Linux >= 4.0),
    so the peak measured afterwards is the fit's, not the data generation's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss() -> int:
    """Peak resident set size since the last reset, in bytes."""
    return _status_kb("VmHWM")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("workload")
    ap.add_argument("contestant", choices=CONTESTANTS)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--digits", default=None)
    args = ap.parse_args(argv)
    c = Contestant(args.contestant)
    if args.workload in W.TRAIN_SPECS:
        res = run_train(c, W.TRAIN_SPECS[args.workload], args)
    elif args.workload == "predict":
        res = run_predict(c, args)
    elif args.workload == "memory":
        res = run_memory(c, args)
    else:
        raise SystemExit(f"unknown workload {args.workload!r}")
    res["info"] = c.info
    res["info"]["numpy"] = np.__version__
    print("BENCH_RESULT " + json.dumps(res))


if __name__ == "__main__":
    main()
