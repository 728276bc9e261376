"""A sweep of 64 variants of the seed network (issue 27): 4 lambdas x 4 learning rates x 4
seeds, 100 epochs each, on the 0-vs-1 digits, timed in one run four ways:

- glassnet, a loop of ``fit`` calls (the plain loop: seed, build, fit), one after another;
- ``glassnet.sweep`` (the 64 variants stacked: one batched product per layer for all);
- JAX: one jitted epoch (``lax.scan`` over the batches) ``vmap``-ed over the 64 variants,
  compilation timed apart (under an interpreter with jax: ``--jax-python``);
- ``glassnet.sweep(backend="ray")`` on a local Ray instance started here (its start-up
  timed apart), when ray is installed.

    python bench/sweep.py                                      # glassnet loop, sweep, Ray
    python bench/sweep.py --jax-python /work/peers/bin/python  # and JAX
    python bench/sweep.py --epochs 10 --quick                  # a smoke run

The contestants take turns over ``--rounds`` (loop, sweep, sweep on ``--threads``, a JAX
round), each on one thread (``--blas-threads 1``, XLA's one-thread flags), and each keeps its
fastest round; each round's ratios and the CPU seconds (``time.process_time``, which a busy
machine's descheduling does not inflate) are printed too. The process's first sweep loads
numba and its cached loops (glassnet.sweeps._numba_stacked): its round is printed apart.

The seed network: Dense(25, sigmoid), Dense(15, sigmoid), Dense(1, sigmoid), binary
cross-entropy, RMSprop (Keras's defaults but the learning rate), batch 32, L2(lambda) on
the kernels. Targets: the sweep >= 10x faster than the loop, and at or below JAX's time.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def _blas_threads(argv):
    """``--blas-threads N`` (default 1) must reach OpenBLAS before NumPy loads it."""
    n = "1"
    for k, arg in enumerate(argv):
        if arg == "--blas-threads" and k + 1 < len(argv):
            n = argv[k + 1]
        elif arg.startswith("--blas-threads="):
            n = arg.split("=", 1)[1]
    if n != "all":
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "GLASSNET_NUM_THREADS"):
            os.environ[name] = n


if __name__ == "__main__":
    _blas_threads(sys.argv[1:])

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

LAMBDAS = (0.0, 0.001, 0.01, 0.1)
RATES = (0.0003, 0.001, 0.003, 0.01)
SEEDS = (0, 1, 2, 3)
JAX_ENV = "GLASSNET_BENCH_JAX_PYTHON"
CPU = {"loop": []}          # each contestant's CPU seconds per round (time.process_time: all its threads)
# JAX on one thread, as the other contestants here (XLA's CPU client otherwise takes every core)
JAX_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def grid():
    return {"lam": list(LAMBDAS), "learning_rate": list(RATES), "seed": list(SEEDS)}


def build(lam, learning_rate):
    """The seed network with an L2 penalty on its kernels (top-level: picklable for workers)."""
    import glassnet  # noqa: PLC0415
    from glassnet import layers  # noqa: PLC0415
    reg = (lambda: glassnet.regularizers.L2(lam)) if lam else (lambda: None)
    model = glassnet.Sequential([glassnet.Input(shape=(64,)),
                                 layers.Dense(25, "sigmoid", kernel_regularizer=reg()),
                                 layers.Dense(15, "sigmoid", kernel_regularizer=reg()),
                                 layers.Dense(1, "sigmoid", kernel_regularizer=reg())])
    model.compile(optimizer=glassnet.optimizers.RMSprop(learning_rate), loss=glassnet.losses.BinaryCrossentropy())
    return model


def digits01():
    import workloads as W  # noqa: PLC0415
    path = os.path.join(tempfile.mkdtemp(), "digits.npz")
    W.prepare_digits(path)
    with np.load(path) as f:
        return f["x01"], f["y01"]


# ---------------------------------------------------------------------------------------
def glassnet_loop(x, y, epochs, limit=None):
    import glassnet  # noqa: PLC0415
    import itertools  # noqa: PLC0415
    combos = list(itertools.product(LAMBDAS, RATES, SEEDS))[:limit]
    losses = []
    start, cpu = time.perf_counter(), time.process_time()
    for lam, lr, seed in combos:
        glassnet.utils.set_random_seed(seed)
        model = build(lam, lr)
        h = model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
        losses.append(h.history["loss"][-1])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    CPU["loop"].append(cpu * (64 / len(combos)))
    return seconds * (64 / len(combos)), len(combos), losses


def load_compiled_epoch(x, y):
    """Run the untimed fit that makes this process load ``glassnet.fast.epoch``'s compiled
    epoch (10,800 steps: past its break-even, numba imported or not); True if it is loaded.
    From then on every seed fit here takes it, as in any process that has loaded it."""
    import glassnet  # noqa: PLC0415
    from glassnet.fast import epoch  # noqa: PLC0415
    glassnet.utils.set_random_seed(0)
    build(0.01, 0.001).fit(x, y, epochs=900, batch_size=32, verbose=0)
    return bool(getattr(epoch, "_loaded", None))


def glassnet_sweep(x, y, epochs, backend="auto", workers=None):
    import glassnet  # noqa: PLC0415
    start, cpu = time.perf_counter(), time.process_time()
    table = glassnet.sweep(build, grid(), x, y, epochs=epochs, batch_size=32, verbose=0, backend=backend,
                           table="records", workers=workers)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    CPU.setdefault(f"sweep {workers}", []).append(cpu)
    return seconds, table


def ray_sweep(x, y, epochs, cpus):
    try:
        import ray  # noqa: PLC0415
    except ImportError:
        return None
    start = time.perf_counter()
    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)
    started = time.perf_counter() - start
    try:
        seconds, table = glassnet_sweep(x, y, epochs, backend="ray")
    finally:
        ray.shutdown()
    return started, seconds, table


# ---------------------------------------------------------------------------------------
# JAX: run under its own interpreter (--child-jax); JAX is never glassnet's dependency
# ---------------------------------------------------------------------------------------
def jax_sweep(x, y, epochs):
    import jax  # noqa: PLC0415
    import jax.numpy as jnp  # noqa: PLC0415
    from jax import lax  # noqa: PLC0415

    widths = [64, 25, 15, 1]
    rho, eps, batch = 0.9, 1e-7, 32
    n = len(x)
    full, rest = divmod(n, batch)
    variants = [(lam, lr, seed) for lam in LAMBDAS for lr in RATES for seed in SEEDS]

    def init(seed):                      # glorot-uniform kernels, zero biases
        rng = np.random.default_rng(seed)
        out = []
        for a, b in zip(widths[:-1], widths[1:]):
            limit = np.sqrt(6.0 / (a + b))
            out += [rng.uniform(-limit, limit, (a, b)).astype(np.float32), np.zeros(b, np.float32)]
        return out

    params = [jnp.asarray(np.stack(p)) for p in zip(*(init(s) for _, _, s in variants))]
    lams = jnp.asarray([v[0] for v in variants], jnp.float32)
    lrs = jnp.asarray([v[1] for v in variants], jnp.float32)
    keys = jnp.stack([jax.random.PRNGKey(s) for _, _, s in variants])

    def loss(p, lam, xb, yb):
        a = xb
        for i in range(0, 6, 2):
            z = a @ p[i] + p[i + 1]
            a = jax.nn.sigmoid(z) if i < 4 else z
        bce = jnp.mean(jnp.maximum(z, 0) - z * yb + jnp.log1p(jnp.exp(-jnp.abs(z))))
        return bce + lam * sum(jnp.sum(p[i] ** 2) for i in (0, 2, 4))

    def step(carry, xy, lam, lr):
        p, v = carry
        value, g = jax.value_and_grad(loss)(p, lam, *xy)
        v = [rho * vi + (1 - rho) * gi * gi for vi, gi in zip(v, g)]
        p = [pi - lr * gi / jnp.sqrt(vi + eps) for pi, gi, vi in zip(p, g, v)]
        return (p, v), value

    def epoch(p, v, lam, lr, key, xd, yd):
        order = jax.random.permutation(key, n)
        xs, ys = xd[order], yd[order]
        body = lambda c, xy: step(c, xy, lam, lr)  # noqa: E731
        (p, v), values = lax.scan(body, (p, v), (xs[:full * batch].reshape(full, batch, -1),
                                                  ys[:full * batch].reshape(full, batch, -1)))
        if rest:
            (p, v), last = step((p, v), (xs[full * batch:], ys[full * batch:]), lam, lr)
            values = jnp.concatenate([values, last[None]])
        return p, v, values.mean()

    batched = jax.jit(jax.vmap(epoch, in_axes=(0, 0, 0, 0, 0, None, None)))
    xd, yd = jnp.asarray(x), jnp.asarray(y)
    v0 = [jnp.zeros_like(p) for p in params]
    t0 = time.perf_counter()
    compiled = batched.lower(params, v0, lams, lrs, keys, xd, yd).compile()
    compile_s = time.perf_counter() - t0

    def one_round():
        t0, c0 = time.perf_counter(), time.process_time()
        p, v, k = params, v0, keys
        for _ in range(epochs):
            k, sub = jax.vmap(jax.random.split, out_axes=1)(k)
            p, v, values = compiled(p, v, lams, lrs, sub, xd, yd)
        values.block_until_ready()
        return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                "final_loss_median": float(np.median(np.asarray(values)))}
    return {"compile_s": compile_s, "jax": jax.__version__, "xla_flags": os.environ.get("XLA_FLAGS", "")}, one_round


class JaxChild:
    """JAX in its own interpreter, compiled once, then one timed round each time it is asked
    (so that it takes its turn among the contestants)."""

    def __init__(self, python, x, y, epochs, one_thread=True):
        path = os.path.join(tempfile.mkdtemp(), "xy.npz")
        np.savez(path, x=x, y=y)
        env = dict(os.environ)
        if one_thread:
            env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + JAX_ONE_THREAD).strip()
        self.p = subprocess.Popen([python, os.path.abspath(__file__), "--child-jax", path, "--epochs", str(epochs)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env)
        self.info = self._read()

    def _read(self):
        while True:
            line = self.p.stdout.readline()
            if not line:
                return {"error": self.p.stderr.read()[-400:]}
            if line.startswith("{"):
                return json.loads(line)

    def round(self):
        self.p.stdin.write("round\n")
        self.p.stdin.flush()
        return self._read()

    def close(self):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
        except OSError:
            pass
        self.p.wait(timeout=60)


def child_jax(path, epochs):
    with np.load(path) as f:
        info, one_round = jax_sweep(f["x"], f["y"], epochs)
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        if line.strip() != "round":
            break
        print(json.dumps(one_round()), flush=True)


def _list(values):
    return ", ".join(f"{v:.2f}" for v in values)


# ---------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--jax-python", default=os.environ.get(JAX_ENV))
    ap.add_argument("--jax-all-threads", action="store_true", help="let XLA use every core (default: one thread)")
    ap.add_argument("--ray-cpus", type=int, default=2)
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--no-compiled-loop", action="store_true",
                    help="skip the loop of fits with glassnet.fast.epoch's compiled epoch loaded")
    ap.add_argument("--quick", action="store_true", help="time 8 of the loop's 64 fits and scale up")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of loop, sweeps and JAX, in turn")
    ap.add_argument("--threads", type=int, default=2, help="threads of the second sweep (default 2; 1: none)")
    ap.add_argument("--blas-threads", default="1", help="OpenBLAS's threads in this process (default 1; 'all')")
    ap.add_argument("--child-jax")
    a = ap.parse_args(argv)
    if a.child_jax:
        child_jax(a.child_jax, a.epochs)
        return 0
    sys.path.insert(0, os.path.join(ROOT, "src"))
    x, y = digits01()
    print(f"64 variants of the seed network (4 lambda x 4 learning rates x 4 seeds), {a.epochs} epochs, "
          f"{len(x)} rows of 0-vs-1 digits, batch 32; BLAS threads {a.blas_threads}; "
          f"load average {'/'.join(f'{v:.1f}' for v in os.getloadavg())}")
    jax = None
    if a.jax_python:
        jax = JaxChild(a.jax_python, x, y, a.epochs, one_thread=not a.jax_all_threads)
        if "error" in jax.info:
            print(f"JAX: failed: {jax.info['error']}")
            jax = None
    # the contestants take turns, round after round, each its fastest round kept (this shared
    # machine's speed changes from one second to the next); the ratios of each round printed too
    loop_runs, one_runs, many_runs, jax_runs = [], [], [], []
    for _ in range(a.rounds):
        loop_s, timed, loop_losses = glassnet_loop(x, y, a.epochs, 8 if a.quick else None)
        loop_runs.append(loop_s)
        seconds, table = glassnet_sweep(x, y, a.epochs, workers=1)
        one_runs.append(seconds)
        if a.threads > 1:
            seconds, table_many = glassnet_sweep(x, y, a.epochs, workers=a.threads)
            many_runs.append(seconds)
        if jax is not None:
            jax_runs.append(jax.round())
    if jax is not None:
        jax.close()
    loop_s, one_s = min(loop_runs), min(one_runs)
    loop_cpu, one_cpu = min(CPU["loop"]), min(CPU["sweep 1"])
    print(f"glassnet, a loop of fit calls:      {loop_s:6.2f} s (CPU {loop_cpu:.2f} s)"
          + ("  (8 fits timed, x8)" if timed < 64 else "") + f"   rounds: {_list(loop_runs)}")
    print(f"glassnet.sweep, stacked, 1 thread:  {one_s:6.2f} s (CPU {one_cpu:.2f} s)   {loop_s / one_s:5.1f}x faster "
          f"than the loop   rounds: {_list(one_runs)} (the first loads numba, when it runs)   [{table[0]['how']}]")
    print(f"  each round's loop / sweep: {_list([p / q for p, q in zip(loop_runs, one_runs)])}; "
          f"CPU seconds: {_list([p / q for p, q in zip(CPU['loop'], CPU['sweep 1'])])}")
    if many_runs:
        many_s = min(many_runs)
        print(f"glassnet.sweep, stacked, {a.threads} threads: {many_s:6.2f} s   {loop_s / many_s:5.1f}x faster than "
              f"the loop   rounds: {_list(many_runs)}")
    print(f"  target: the sweep (1 thread) >= 10x faster than the loop: {'PASS' if loop_s / one_s >= 10 else 'FAIL'} "
          f"({loop_s / one_s:.1f}x; CPU {loop_cpu / one_cpu:.1f}x)")
    same = all(abs(r["final_loss"] - l) <= 1e-6 * abs(l) for r, l in zip(table, loop_losses))
    print(f"  the sweep's final losses equal the loop's (1e-6): {same}")
    if jax_runs and all("error" not in r for r in jax_runs):
        j_s, j_cpu = min(r["seconds"] for r in jax_runs), min(r["cpu"] for r in jax_runs)
        print(f"JAX {jax.info['jax']}, vmap of a jitted epoch scan ({'all cores' if a.jax_all_threads else '1 thread'}): "
              f"{j_s:6.2f} s (CPU {j_cpu:.2f} s; + {jax.info['compile_s']:.2f} s compiling)   rounds: "
              f"{_list([r['seconds'] for r in jax_runs])}")
        print(f"  each round's sweep / JAX: {_list([p / r['seconds'] for p, r in zip(one_runs, jax_runs)])}; "
              f"CPU seconds: {_list([p / r['cpu'] for p, r in zip(CPU['sweep 1'], jax_runs)])}")
        print(f"  target: glassnet.sweep / JAX <= 1: {'PASS' if one_s <= j_s else 'FAIL'} ({one_s / j_s:.2f}; "
              f"CPU {one_cpu / j_cpu:.2f})")
    elif jax_runs:
        print(f"JAX: failed: {jax_runs[-1].get('error')}")
    elif not a.jax_python:
        print(f"JAX: skipped (give --jax-python PATH or {JAX_ENV})")
    if not a.no_compiled_loop:
        # glassnet.fast.epoch (a whole epoch in one compiled call) is not worth loading for one
        # 1,200-step fit, so the loop above ran fit step by step, as a fresh program does; a
        # process that has loaded it (a longer fit before) runs every seed fit through it
        if load_compiled_epoch(x, y):
            CPU["loop"], compiled_runs, sweep_runs = [], [], []
            for _ in range(a.rounds):
                seconds, _, compiled_losses = glassnet_loop(x, y, a.epochs, 8 if a.quick else None)
                compiled_runs.append(seconds)
                seconds, table = glassnet_sweep(x, y, a.epochs, workers=1)
                sweep_runs.append(seconds)
            c_s, c_cpu, s_s = min(compiled_runs), min(CPU["loop"]), min(sweep_runs)
            s_cpu = min(CPU["sweep 1"][-a.rounds:])
            print(f"glassnet, a loop of fit calls, the compiled epoch loaded: {c_s:6.2f} s (CPU {c_cpu:.2f} s)   "
                  f"rounds: {_list(compiled_runs)}; the sweep meanwhile: {s_s:.2f} s (CPU {s_cpu:.2f} s): "
                  f"{c_s / s_s:.1f}x (CPU {c_cpu / s_cpu:.1f}x; each round {_list([p / q for p, q in zip(compiled_runs, sweep_runs)])})")
            same = all(abs(p - q) <= 1e-6 * abs(q) for p, q in zip(compiled_losses, loop_losses))
            print(f"  its final losses equal the step-by-step loop's (1e-6): {same}")
        else:
            print("glassnet, a loop of fit calls, the compiled epoch loaded: skipped (it did not load: numba missing?)")
    if not a.no_ray:
        try:
            r = ray_sweep(x, y, a.epochs, a.ray_cpus)
        except Exception as e:  # noqa: BLE001 - say so, keep the other results
            r = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
        if isinstance(r, str):
            print(f"Ray: failed: {r}")
        elif r is None:
            print("Ray: skipped (pip install ray)")
        else:
            started, seconds, rtable = r
            same = all(abs(p["final_loss"] - q["final_loss"]) <= 1e-6 * abs(q["final_loss"])
                       for p, q in zip(rtable, table))
            print(f"glassnet.sweep on Ray ({a.ray_cpus} CPUs, local): {seconds:8.2f} s (+ {started:.2f} s "
                  f"starting Ray); overhead over the local sweep {seconds - one_s:+.2f} s; results equal: {same}")
    print(f"load average at the end: {'/'.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
