"""The compiled epoch (issue 28, item 3): glassnet's fit with it, without it, and JAX's
epoch as one jitted ``lax.scan``, on the seed workload and the width-16/64 per-step ones;
and the time from a fresh process to a trained seed model.

    python bench/epoch.py                                   # JAX from $GLASSNET_BENCH_JAX_PYTHON
    python bench/epoch.py --jax-python /work/jaxvenv/bin/python --rounds 7 --threads 1
    python bench/epoch.py --only seed --fresh 0

How it runs. glassnet's two contestants share this process: "compiled" (``fit`` with
``glassnet.fast.epoch``, numba and the epoch's loop already loaded by an untimed warm-up
fit) and "step-by-step" (``glassnet.config.set_compiled_epoch(False)``: the fused NumPy step
of ``glassnet.fast.dense``, as before). JAX runs in a worker process of its own interpreter
(``bench/peer_jax.py``'s trainer, the "scan" form: permutation and epoch in one compiled
function, compiled and warmed up before any clock), which waits for this process's turn
signal, so the three take turns fit by fit, round after round (each round starting with
another contestant): a change in the machine's speed touches all three alike. Each fit
builds a fresh model outside the clock. Reported per workload: the median over rounds of
wall time per step (and its spread, min-max), CPU time per step (``time.process_time``,
which descheduling on this shared machine does not inflate), and the ratios of medians.
The load average is recorded before and after. ``--threads N`` gives every contestant N
threads (BLAS, glassnet's own; with 1, XLA's Eigen pool off).

Fresh process: ``python -c`` that imports the library, loads the digits, builds the seed
model and fits it (100 epochs), timed from outside, glassnet and JAX alternating. The
glassnet child also reports whether numba was imported (it must not be: a lone small fit
does not repay numba's load).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)


def _thread_env(threads):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ROOT, "src") + os.pathsep + env.get("PYTHONPATH", "")
    if threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "GLASSNET_NUM_THREADS"):
            env[var] = str(threads)
        if threads == 1:            # XLA's CPU backend: its Eigen pool off (one thread for the ops)
            env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false").strip()
    return env


# ------------------------------------------------------------------ the workloads
def specs(W):
    """name -> (Spec, rows): the seed (digits 0/1, 360 rows), bench/speed.py's MNIST-shaped
    epoch (``mnist``: 784-256-128-10, Adam, batch 128, 469 steps), and two hidden relu layers of
    16 or 64 on 64 features, 10 logits, Adam, batch 32 (bench/speed.py's width workloads;
    128-512 to find where the compiled epoch stops paying: ``--only w256``)."""
    out = {"seed": (W.SEED, None), "mnist": (W.MNIST, W.MNIST_ROWS)}   # mnist: 784-256-128-10, batch 128
    for width in (16, 64, 128, 256, 512):
        out[f"w{width}"] = (W.Spec(f"w{width}", ((width, "relu"), (width, "relu"), (10, None)), "scce_logits",
                                   "adam", 32, 10, "synthetic64"), 32 * 200)
    return out


def data(W, name, rows, digits):
    import numpy as np  # noqa: PLC0415
    if name == "seed":
        return W.load_train_data("digits01", digits)
    if name == "mnist":             # bench/speed.py's MNIST-shaped data (60,000 x 784 float32)
        return W.synthetic_mnist(rows)
    rng = np.random.default_rng(5)
    return rng.standard_normal((rows, 64)).astype(np.float32), rng.integers(0, 10, rows).astype(np.int64)


# ------------------------------------------------------------------ JAX's worker
JAX_WORKER = r"""
import json, os, sys, time
sys.path.insert(0, %(here)r)
import numpy as np
import workloads as W
import epoch as E
import peer_jax
names = %(names)r
trainers, arrays = {}, {}
for name in names:
    spec, rows = E.specs(W)[name]
    x, y = E.data(W, name, rows, %(digits)r)
    if y.dtype.kind == "i":
        y = y.astype("int32")                      # JAX's default integer width
    t = peer_jax.Trainer(spec, x.shape[1], len(x))
    t.compile(x, y, "scan")
    t.fit(x, y, 1, "scan")                         # warm-up: the compiled epoch has run once
    trainers[name], arrays[name] = t, (x, y)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    name = line.strip()
    if not name:
        break
    spec = E.specs(W)[name][0]
    x, y = arrays[name]
    t0, c0 = time.perf_counter(), time.process_time()
    loss = trainers[name].fit(x, y, spec.epochs, "scan")
    print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "loss": loss}), flush=True)
"""


class JaxWorker:
    def __init__(self, python, names, digits, env):
        code = JAX_WORKER % {"here": HERE, "names": names, "digits": digits}
        self.p = subprocess.Popen([python, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, env=env, cwd=ROOT)
        ready = self.p.stdout.readline()
        if not ready:
            raise RuntimeError("the JAX worker did not start (is JAX installed in that interpreter?)")

    def fit(self, name):
        self.p.stdin.write(name + "\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())

    def close(self):
        try:
            self.p.stdin.write("\n")
            self.p.stdin.flush()
        finally:
            self.p.wait(timeout=60)


# ------------------------------------------------------------------ glassnet, in this process
class Glassnet:
    def __init__(self, W, names, digits, force=False):
        import numpy as np  # noqa: PLC0415
        import numba  # noqa: PLC0415, F401 - "numba already loaded": the case the compiled epoch is for
        import glassnet  # noqa: PLC0415
        from glassnet import keras  # noqa: PLC0415
        from glassnet.fast import epoch as fast_epoch  # noqa: PLC0415
        self.glassnet, self.keras, self.W, self.fast_epoch = glassnet, keras, W, fast_epoch
        self.force = force
        if force:                   # past the size rule too: to measure where it stops paying
            fast_epoch._MAX_WEIGHTS = 1 << 30
        self.arrays = {name: data(W, name, specs(W)[name][1], digits) for name in names}
        # the loops compiled into numba's cache first (a no-op when they are there: `glassnet compile`),
        # then a warm-up fit long enough (7,200 steps) that the rule loads the epoch's loop
        fast_epoch.compile_now()
        x, y = self.arrays.get("seed") or data(W, "seed", None, digits)
        self._fit(W.SEED, x, y, 600, compiled=True)
        if np.dtype(np.float32) not in fast_epoch._loaded:
            raise RuntimeError("the warm-up fit did not load the compiled epoch")
        for name in names:
            spec = specs(W)[name][0]
            for compiled in (True, False):
                self._fit(spec, *self.arrays[name], 1, compiled)

    def _fit(self, spec, x, y, epochs, compiled):
        self.glassnet.config.set_compiled_epoch(compiled)
        self.keras.utils.set_random_seed(0)
        model = self.W.build_keras_model(self.keras, spec, x.shape[1])
        used = []
        run = self.fast_epoch.Epochs.run

        def counted(epochs, data, dry=False):       # the epochs it ran compiled (not plan's dry call)
            if not dry:
                used.append(1)
            return run(epochs, data, dry)
        self.fast_epoch.Epochs.run = counted
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            h = model.fit(x, y, batch_size=spec.batch_size, epochs=epochs, verbose=0)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        finally:
            self.fast_epoch.Epochs.run = run
        if used and not compiled:
            raise RuntimeError(f"{spec.name}: the compiled epoch ran though switched off")
        return {"wall": wall, "cpu": cpu, "loss": h.history["loss"][-1], "used": bool(used)}

    def fit(self, name, compiled):
        spec = specs(self.W)[name][0]
        return self._fit(spec, *self.arrays[name], spec.epochs, compiled)


# ------------------------------------------------------------------ fresh processes
FRESH_GLASSNET = """
import sys
from glassnet import keras
x, y = W.load_train_data("digits01", DIGITS)
model = W.build_keras_model(keras, W.SEED, x.shape[1])
loss = model.fit(x, y, batch_size=32, epochs=W.SEED.epochs, verbose=0).history["loss"][-1]
print("numba", "numba" in sys.modules)
"""
FRESH_JAX = """
import peer_jax
x, y = W.load_train_data("digits01", DIGITS)
trainer = peer_jax.Trainer(W.SEED, x.shape[1], len(x))
trainer.compile(x, y, "scan")
loss = trainer.fit(x, y, W.SEED.epochs, "scan")
"""


def fresh(python, body, digits, env):
    code = (f"import sys; sys.path.insert(0, {HERE!r})\nimport workloads as W\nDIGITS = {digits!r}\n" + body
            + "print('loss', float(loss))\n")
    t0 = time.perf_counter()
    p = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    took = time.perf_counter() - t0
    if p.returncode:
        raise RuntimeError((p.stderr or p.stdout).strip().splitlines()[-1])
    return took, p.stdout


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jax-python", default=os.environ.get("GLASSNET_BENCH_JAX_PYTHON", "/work/jaxvenv/bin/python"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="threads for every contestant (0: each library's default)")
    ap.add_argument("--only", default="seed,w16,w64")
    ap.add_argument("--fresh", type=int, default=3, help="fresh-process repeats each (0: skip)")
    ap.add_argument("--out", help="write the raw numbers here (JSON)")
    ap.add_argument("--force", action="store_true", help="the compiled epoch past its size rule (wide networks)")
    a = ap.parse_args()
    env = _thread_env(a.threads)
    if a.threads:                   # this process too: before NumPy loads BLAS
        os.environ.update({k: env[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                               "GLASSNET_NUM_THREADS")})
    import workloads as W  # noqa: PLC0415
    names = a.only.split(",")
    digits = os.path.join(tempfile.mkdtemp(prefix="glassnet-epoch-"), "digits.npz")
    note = W.prepare_digits(digits)
    load = [os.getloadavg()]
    jax = JaxWorker(a.jax_python, names, digits, env) if os.path.exists(a.jax_python) else None
    gn = Glassnet(W, names, digits, a.force)
    contestants = ["compiled", "step-by-step"] + (["jax-scan"] if jax else [])
    results = {(n, c): [] for n in names for c in contestants}
    for r in range(a.rounds):
        for name in names:
            turn = contestants[r % len(contestants):] + contestants[:r % len(contestants)]
            for c in turn:
                if c == "jax-scan":
                    results[name, c].append(jax.fit(name))
                else:
                    results[name, c].append(gn.fit(name, c == "compiled"))
        load.append(os.getloadavg())
    if jax:
        jax.close()
    fresh_times = {"glassnet": [], "jax-scan": []}
    numba_loaded = []
    for _ in range(a.fresh):
        took, out = fresh(sys.executable, FRESH_GLASSNET, digits, env)
        fresh_times["glassnet"].append(took)
        numba_loaded.append("numba True" in out)
        if jax:
            fresh_times["jax-scan"].append(fresh(a.jax_python, FRESH_JAX, digits, env)[0])
    load.append(os.getloadavg())
    report(a, names, contestants, results, fresh_times, numba_loaded, load, note)
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"results": {f"{n}/{c}": v for (n, c), v in results.items()}, "fresh": fresh_times,
                       "load": load, "threads": a.threads}, f, indent=1)


def report(a, names, contestants, results, fresh_times, numba_loaded, load, note):
    import workloads as W  # noqa: PLC0415
    print(f"# The compiled epoch: {a.rounds} rounds, threads {a.threads or 'default'}, digits: {note}")
    print(f"load average (1, 5, 15 min) before {load[0]}, after {load[-1]}\n")
    print("| workload | contestant | µs/step (median) | spread | CPU µs/step | last loss |")
    print("|---|---|---|---|---|---|")
    medians = {}
    for name in names:
        spec, rows = specs(W)[name]
        n = 360 if name == "seed" else rows
        steps = spec.epochs * -(-n // spec.batch_size)
        for c in contestants:
            runs = results[name, c]
            per = [r["wall"] / steps * 1e6 for r in runs]
            cpu = [r["cpu"] / steps * 1e6 for r in runs]
            medians[name, c] = statistics.median(per)
            label = c if c != "compiled" or all(r["used"] for r in runs) else "compiled (rule said no: step by step)"
            print(f"| {name} ({steps} steps) | {label} | {medians[name, c]:.1f} | {min(per):.1f}-{max(per):.1f} | "
                  f"{statistics.median(cpu):.1f} | {runs[-1]['loss']:.4f} |")
    print("\n| workload | step-by-step / compiled | compiled / jax-scan |")
    print("|---|---|---|")
    for name in names:
        jax = medians.get((name, "jax-scan"))
        print(f"| {name} | {medians[name, 'step-by-step'] / medians[name, 'compiled']:.2f}x | "
              + (f"{medians[name, 'compiled'] / jax:.2f}x |" if jax else "- |"))
    if fresh_times["glassnet"]:
        g = statistics.median(fresh_times["glassnet"])
        line = f"\nfresh process to a trained seed model: glassnet {g:.2f} s (runs {[round(t, 2) for t in fresh_times['glassnet']]}"
        line += f"; numba imported: {any(numba_loaded)})"
        if fresh_times["jax-scan"]:
            j = statistics.median(fresh_times["jax-scan"])
            line += f", JAX scan {j:.2f} s (runs {[round(t, 2) for t in fresh_times['jax-scan']]}): JAX / glassnet = {j / g:.1f}x"
        print(line)


if __name__ == "__main__":
    main()
