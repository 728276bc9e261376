"""An independent check of ``bench/run.py``'s speed pass (issue 28, item 2).

    python bench/crosscheck.py --jax-python /work/jaxvenv/bin/python
    python bench/crosscheck.py --jax-python ... --threads 1 --rounds 5 --only mnist,w1024
    python bench/crosscheck.py --jax-python ... --no-runpy      # the plain harness alone
    python bench/crosscheck.py --jax-python ... --json /tmp/cc.json --out /tmp/cc.md

Each contestant is written here the way its own documentation recommends, in a plain
loop, one process per contestant and round:

- ``glassnet``: the Keras program (``Sequential``, ``compile``, ``fit(verbose=0)``), built
  before the clock starts, one untimed warm-up fit of the same shape first; the clock
  runs around ``fit`` only.
- ``glassnet-nonumba``: the same with ``numba`` and ``threadpoolctl`` hidden from the
  process (an install made before they became dependencies).
- ``jax-step``: ``jax.jit`` of one training step (``jax.value_and_grad``, Keras's
  optimizer formula through ``jax.tree_util``), called from a Python loop over the
  batches of a NumPy permutation, as JAX's own MNIST example does; compiled by a warm-up
  call before timing; ``jax.block_until_ready`` on the parameters stops the clock.
- ``jax-scan``: the epoch as one jitted function (permutation, ``lax.scan`` over the
  full batches, then the last smaller one); the data put on the device once, before
  timing (``jax.device_put``, timed apart); ``block_until_ready`` stops the clock.

Each process times ``--repeats`` fits; every time is kept (no best-of), and the report
gives the median and the spread (min-max). Within the JAX process the code path of
``bench/peer_jax.py`` (what ``run.py`` times) is timed too, alternating with the plain
one, and so are its extra pieces apart: the copy of the data onto the device
(``jnp.asarray`` inside its ``fit``) and the parameters' initialisation. Unless
``--no-runpy``, each round also runs ``run.py``'s own child processes (``speed.py
--child``: the fastest of up to 3 fits per process) for the same workload, so the two
harnesses' numbers come from the same minutes. Each process records the load average
before and after, its CPU time over wall time during the timed fits (the cores it really
used) and the thread count its library reported.

``--threads N`` (N >= 1) gives every contestant N threads: BLAS and OpenMP variables,
``GLASSNET_NUM_THREADS``, and, since XLA sizes its CPU thread pool by the process's CPU
affinity (``XLA_FLAGS`` thread options do not bind the CPU client), every process of
either harness is pinned to the same N CPUs (``os.sched_setaffinity``).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

WORKLOADS = ("seed", "mnist", "w256", "w1024")
CONTESTANTS = ("glassnet", "glassnet-nonumba", "jax-step", "jax-scan")
JAX_ENV = "GLASSNET_BENCH_JAX_PYTHON"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "GLASSNET_NUM_THREADS")


# ---------------------------------------------------------------- data (the same as speed.py's)
def load(workload: str, digits: str):
    import speed  # noqa: PLC0415 - only its data and shapes: the timing below is this file's
    return speed.load_data(workload, digits, 60_000)


class Clock:
    """Wall and CPU time of one timed region."""

    def __enter__(self):
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.w0
        self.cpu = time.process_time() - self.c0


def record(out: dict, name: str, clock: Clock) -> None:
    out.setdefault(name, {"times": [], "cpu": []})
    out[name]["times"].append(clock.wall)
    out[name]["cpu"].append(clock.cpu)


# ---------------------------------------------------------------- glassnet, as its README says
def hide(*modules: str) -> None:
    """Make ``numba`` (etc.) unfindable in this process, as if it were not installed:
    ``importlib.util.find_spec`` gives None and ``import`` fails."""
    class Hiding:
        def __init__(self, inner):
            self.inner = inner

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in modules:
                return None
            return self.inner.find_spec(name, path, target)

        def __getattr__(self, attr):
            return getattr(self.inner, attr)
    sys.meta_path[:] = [Hiding(f) if hasattr(f, "find_spec") else f for f in sys.meta_path]


def glassnet_child(workload: str, digits: str, repeats: int, no_numba: bool) -> dict:
    if no_numba:
        hide("numba", "threadpoolctl")
    spec, x, y = load(workload, digits)
    import glassnet  # noqa: PLC0415
    from glassnet import keras  # noqa: PLC0415

    def build():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape=(x.shape[1],))]
                                 + [keras.layers.Dense(u, activation=a) for u, a in spec.layers])
        loss = (keras.losses.BinaryCrossentropy() if spec.loss == "bce"
                else keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.compile(optimizer=spec.optimizer, loss=loss)
        return model

    build().fit(x, y, batch_size=spec.batch_size, epochs=spec.epochs, verbose=0)   # warm-up
    out: dict = {"timed": {}}
    for _ in range(repeats):
        model = build()
        with Clock() as c:
            hist = model.fit(x, y, batch_size=spec.batch_size, epochs=spec.epochs, verbose=0)
        record(out["timed"], "glassnet-nonumba" if no_numba else "glassnet", c)
    out["loss"] = float(hist.history["loss"][-1])
    out["threads"] = f"glassnet {glassnet.config.get_num_threads()}"
    out["kernel"] = getattr(getattr(model.optimizer, "fast_state", None), "kernel", None) or "readable path"
    out["numba_loaded"] = "numba" in sys.modules
    return out


# ---------------------------------------------------------------- JAX, as its documentation says
def jax_child(how: str, workload: str, digits: str, repeats: int, with_peer: bool) -> dict:
    spec, x, y = load(workload, digits)
    import jax  # noqa: PLC0415
    import jax.numpy as jnp  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415
    from jax import lax  # noqa: PLC0415

    y = y.astype(np.int32) if y.dtype.kind == "i" else y
    acts = {"relu": jax.nn.relu, "sigmoid": jax.nn.sigmoid, None: lambda z: z}
    batch = spec.batch_size
    full, rest = divmod(len(x), batch)

    def init(seed=0):                                   # glorot-uniform kernels, zero biases
        key = jax.random.PRNGKey(seed)
        widths = [x.shape[1]] + [u for u, _ in spec.layers]
        params = []
        for fi, fo in zip(widths[:-1], widths[1:]):
            key, sub = jax.random.split(key)
            lim = (6.0 / (fi + fo)) ** 0.5
            params.append((jax.random.uniform(sub, (fi, fo), jnp.float32, -lim, lim),
                           jnp.zeros((fo,), jnp.float32)))
        zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
        return params, (jnp.int32(0), zeros, zeros)

    def loss_fn(params, xb, yb):
        h = xb
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = acts[spec.layers[i][1]](h)
        if spec.loss == "bce":
            return jnp.mean(jnp.maximum(h, 0) - h * yb + jnp.log1p(jnp.exp(-jnp.abs(h))))
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(h), yb[:, None], axis=1))

    def step(params, opt, xb, yb):                      # Keras's Adam / RMSprop formulas
        value, g = jax.value_and_grad(loss_fn)(params, xb, yb)
        t, m, v = opt
        t = t + 1
        if spec.optimizer == "adam":
            tf_ = t.astype(jnp.float32)
            alpha = 1e-3 * jnp.sqrt(1 - 0.999 ** tf_) / (1 - 0.9 ** tf_)
            m = jax.tree_util.tree_map(lambda m_, g_: m_ + (g_ - m_) * 0.1, m, g)
            v = jax.tree_util.tree_map(lambda v_, g_: v_ + (g_ * g_ - v_) * 0.001, v, g)
            params = jax.tree_util.tree_map(lambda p, m_, v_: p - m_ * alpha / (jnp.sqrt(v_) + 1e-7),
                                            params, m, v)
        else:
            v = jax.tree_util.tree_map(lambda v_, g_: 0.9 * v_ + 0.1 * g_ * g_, v, g)
            params = jax.tree_util.tree_map(lambda p, g_, v_: p - 1e-3 * g_ / jnp.sqrt(v_ + 1e-7),
                                            params, g, v)
        return params, (t, m, v), value

    step_j = jax.jit(step)

    @jax.jit
    def epoch(params, opt, xd, yd, key):
        order = jax.random.permutation(key, xd.shape[0])
        xs, ys = xd[order], yd[order]
        n = full * batch

        def body(carry, xy):
            p, o, value = step(*carry, *xy)
            return (p, o), value
        (params, opt), values = lax.scan(body, (params, opt), (xs[:n].reshape(full, batch, -1),
                                                             ys[:n].reshape((full, batch) + ys.shape[1:])))
        if rest:
            params, opt, last = step(params, opt, xs[n:], ys[n:])
            values = jnp.concatenate([values, last[None]])
        return params, opt, values

    out: dict = {"timed": {}}
    with Clock() as c:
        xd, yd = jax.device_put(x), jax.device_put(y)
        jax.block_until_ready((xd, yd))
    out["device_put_s"] = c.wall

    def fit_plain(seed=0):
        params, opt = init(seed)
        if how == "scan":
            key = jax.random.PRNGKey(seed)
            for _ in range(spec.epochs):
                key, sub = jax.random.split(key)
                params, opt, values = epoch(params, opt, xd, yd, sub)
        else:
            rng = np.random.default_rng(seed)
            for _ in range(spec.epochs):
                order = rng.permutation(len(x))
                xs, ys = x[order], y[order]
                values = []
                for s in range(0, len(x), batch):
                    params, opt, value = step_j(params, opt, xs[s:s + batch], ys[s:s + batch])
                    values.append(value)
        jax.block_until_ready(params)
        return values

    with Clock() as c:
        fit_plain()                          # compiles every shape the timed fits meet
    out["compile_s"] = c.wall
    peer = None
    if with_peer:                            # run.py's code path, in this same process
        import peer_jax  # noqa: PLC0415
        peer = peer_jax.Trainer(spec, x.shape[1], len(x))
        peer.compile(x, y, how)
        peer.fit(x, y, 1, how)

    name = f"jax-{how}"
    for _ in range(repeats):
        with Clock() as c:
            values = fit_plain()
        record(out["timed"], name, c)
        if peer is None:
            continue
        with Clock() as c:
            peer.fit(x, y, spec.epochs, how)
        record(out["timed"], f"{name} (peer_jax.fit)", c)
        with Clock() as c:                   # peer_jax.fit's parameter set-up, inside its clock
            params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in peer_jax.init_params(spec, x.shape[1])]
            jax.block_until_ready(peer.zeros_state(params))
        record(out["timed"], f"{name}: peer_jax's init alone", c)
        if how == "scan":                    # peer_jax.fit's copy of the data, inside its clock
            with Clock() as c:
                jax.block_until_ready((jnp.asarray(x), jnp.asarray(y)))
            record(out["timed"], f"{name}: jnp.asarray(x, y) alone", c)
    out["loss"] = float(jnp.mean(jnp.asarray(values)))
    pool = 0
    for t in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{t}/comm") as f:
            pool += f.read().startswith("tf_XLAEigen")
    out["threads"] = f"XLA {pool} (of {len(os.sched_getaffinity(0))} CPUs)"
    return out


def child_main(contestant: str, workload: str, digits: str, repeats: int, with_peer: bool) -> dict:
    load0 = os.getloadavg()
    if contestant.startswith("jax"):
        out = jax_child(contestant.split("-")[1], workload, digits, repeats, with_peer)
    else:
        out = glassnet_child(workload, digits, repeats, contestant.endswith("nonumba"))
    out["load"] = [load0[0], os.getloadavg()[0]]
    out["os_threads"] = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None
    return out


# ---------------------------------------------------------------- the parent
def pin(cpus):
    return (lambda: os.sched_setaffinity(0, cpus)) if cpus else None


def spawn(cmd, env, cpus, timeout):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT,
                           timeout=timeout, preexec_fn=pin(cpus))
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout} s"}
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("CROSSCHECK_RESULT "):
            return json.loads(line[len("CROSSCHECK_RESULT "):])
    tail = (p.stderr or p.stdout).strip().splitlines()
    return {"error": tail[-1][-300:] if tail else f"exit {p.returncode}"}


def env_for(threads: int) -> dict:
    """glassnet as this interpreter has it installed (src/ on PYTHONPATH only when it has
    none), and --threads N's variables."""
    import importlib.util  # noqa: PLC0415
    env = dict(os.environ)
    if importlib.util.find_spec("glassnet") is None:
        env["PYTHONPATH"] = os.path.join(ROOT, "src") + os.pathsep + env.get("PYTHONPATH", "")
    if threads:
        for var in THREAD_VARS:
            env[var] = str(threads)
    return env


def run_speed_child(jax_python, c, w, digits, threads, cpus, timeout, runpy_dir=HERE):
    """What run.py's speed pass does for one (contestant, workload) repeat: its own child
    (``speed.py --child``), from ``runpy_dir`` (another copy of bench/, e.g. an older one)."""
    python = jax_python if c.startswith("jax") else sys.executable
    cmd = [python, os.path.join(runpy_dir, "speed.py"), "--child", c, w, "--repeats", "1",
           "--digits", digits, "--mnist-rows", "60000"]
    if threads:
        cmd += ["--threads", str(threads)]
    load0 = os.getloadavg()[0]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env_for(threads), cwd=ROOT,
                           timeout=timeout, preexec_fn=pin(cpus))
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout} s"}
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("SPEED_RESULT "):
            r = json.loads(line[len("SPEED_RESULT "):])
            r["load"] = [load0, os.getloadavg()[0]]
            return r
    tail = (p.stderr or p.stdout).strip().splitlines()
    return {"error": tail[-1][-300:] if tail else f"exit {p.returncode}"}


def steps_of(workload: str) -> int:
    import speed  # noqa: PLC0415
    import workloads as W  # noqa: PLC0415
    if workload == "seed":
        return W.SEED.epochs * -(-360 // 32)
    if workload == "mnist":
        return W.MNIST.epochs * -(-60_000 // W.MNIST.batch_size)
    spec = speed.width_spec(int(workload[1:]))
    return spec.epochs * speed.WIDTH_STEPS


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child", nargs=2, metavar=("CONTESTANT", "WORKLOAD"), help=argparse.SUPPRESS)
    ap.add_argument("--digits", default="", help=argparse.SUPPRESS)
    ap.add_argument("--with-peer", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--jax-python", default=os.environ.get(JAX_ENV, ""),
                    help=f"an interpreter with jax (default ${JAX_ENV}); JAX is skipped without one")
    ap.add_argument("--only", default="mnist,w1024", help=f"workloads, from {','.join(WORKLOADS)}")
    ap.add_argument("--contestants", default=",".join(CONTESTANTS))
    ap.add_argument("--rounds", type=int, default=3, help="rounds, the processes taking turns")
    ap.add_argument("--repeats", type=int, default=3, help="timed fits per process")
    ap.add_argument("--threads", type=int, default=0,
                    help="N >= 1: every contestant on N threads and the same N CPUs; 0: each library's default")
    ap.add_argument("--no-runpy", action="store_true", help="do not run run.py's children beside")
    ap.add_argument("--runpy-dir", default=HERE,
                    help="the bench/ folder whose speed.py children stand for run.py (default: this one)")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--out", default="", help="also write the markdown report here")
    ap.add_argument("--json", default="", help="also write every raw time here")
    a = ap.parse_args(argv)
    if a.child:
        res = child_main(a.child[0], a.child[1], a.digits, a.repeats, a.with_peer)
        print("CROSSCHECK_RESULT " + json.dumps(res))
        return 0
    only = [w for w in a.only.split(",") if w]
    wanted = [c for c in a.contestants.split(",") if c]
    for w in only:
        if w not in WORKLOADS:
            ap.error(f"--only: unknown workload {w!r}; choose from {', '.join(WORKLOADS)}")
    for c in wanted:
        if c not in CONTESTANTS:
            ap.error(f"--contestants: unknown contestant {c!r}; choose from {', '.join(CONTESTANTS)}")
    if not os.path.isfile(os.path.join(a.runpy_dir, "speed.py")):
        ap.error(f"--runpy-dir: no speed.py in {a.runpy_dir}")
    if a.rounds < 1 or a.repeats < 1 or a.threads < 0:
        ap.error("--rounds and --repeats must be >= 1, --threads >= 0")
    usable = sorted(os.sched_getaffinity(0))
    if a.threads > len(usable):
        ap.error(f"--threads {a.threads}: only {len(usable)} usable CPU(s)")
    if not a.jax_python:
        wanted = [c for c in wanted if not c.startswith("jax")]
        print(f"note: JAX skipped (no --jax-python or ${JAX_ENV})")
    cpus = set(usable[-a.threads:]) if a.threads else None
    import workloads as W  # noqa: PLC0415
    tmp = tempfile.mkdtemp(prefix="glassnet-crosscheck-")
    digits = os.path.join(tmp, "digits.npz")
    W.prepare_digits(digits)
    runpy = [] if a.no_runpy else [c for c in ("glassnet", "jax-step", "jax-scan") if c in wanted]
    results: dict = {}
    meta = {"threads": a.threads, "cpus": sorted(cpus) if cpus else "all", "runpy_dir": a.runpy_dir,
            "load_start": os.getloadavg(), "jax_python": a.jax_python}
    try:
        run_rounds(a, only, wanted, runpy, digits, cpus, results)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    meta["load_end"] = os.getloadavg()
    text = report(results, only, meta)
    print("\n" + text)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"meta": meta, "results": {" / ".join(k): v for k, v in results.items()}}, f, indent=1)
    return 0


def run_rounds(a, only, wanted, runpy, digits, cpus, results) -> None:
    """Every workload, round by round, the contestants (and run.py's children) taking turns."""
    for w in only:
        for r in range(a.rounds):
            for c in wanted:
                python = a.jax_python if c.startswith("jax") else sys.executable
                cmd = [python, os.path.abspath(__file__), "--child", c, w, "--digits", digits,
                       "--repeats", str(a.repeats)] + (["--with-peer"] if c.startswith("jax") else [])
                res = spawn(cmd, env_for(a.threads), cpus, a.timeout)
                results.setdefault((w, c, "crosscheck"), []).append(res)
                print(f"[{w} round {r + 1}] crosscheck {c}: " + (res.get("error") or ", ".join(
                    f"{k} {statistics.median(v['times']):.3f} s" for k, v in res["timed"].items())), flush=True)
                if c in runpy:
                    res = run_speed_child(a.jax_python, c, w, digits, a.threads, cpus, a.timeout, a.runpy_dir)
                    results.setdefault((w, c, "run.py"), []).append(res)
                    print(f"[{w} round {r + 1}] run.py     {c}: " + (res.get("error") or
                          f"best of {len(res['tries'][0])}: {res['times'][0]:.3f} s; all {res['tries'][0]}"),
                          flush=True)


def spread(xs, steps=0):
    """'median (min-max) s' of a fit's times, or per step in ms when ``steps`` is given."""
    if not xs:
        return "—"
    k, unit = (1e3 / steps, "ms") if steps else (1.0, "s")
    if not steps and statistics.median(xs) < 0.1:
        k, unit = 1e3, "ms"
    return f"{statistics.median(xs) * k:.3f} ({min(xs) * k:.3f}-{max(xs) * k:.3f}) {unit}"


def report(results, only, meta) -> str:
    lines = ["# crosscheck: run.py's speed pass against a plain harness", "",
             f"Threads: {'each library default' if not meta['threads'] else meta['threads']}; "
             f"CPUs: {meta['cpus']}; load average (1 min) at the start "
             f"{meta['load_start'][0]:.2f}, at the end {meta['load_end'][0]:.2f}.", "",
             f"run.py's children: {meta['runpy_dir']}/speed.py. CPU s: the process's CPU time "
             "over the fit (median), which a descheduled process does not accrue.", "",
             "| workload | harness | what is timed | n | median (min-max) per fit | per step | "
             "CPU s | CPU/wall | load (1 min) | threads |", "|---|---|---|---|---|---|---|---|---|---|"]
    meds: dict = {}
    for w in only:
        steps = steps_of(w)
        for (w2, c, harness), runs in results.items():
            if w2 != w:
                continue
            ok = [r for r in runs if "error" not in r]
            errs = [r["error"] for r in runs if "error" in r]
            if errs:
                lines.append(f"| {w} | {harness} | {c} | error | {errs[0]} | | | | | |")
            if not ok:
                continue
            loads = [x for r in ok for x in r.get("load", [])]
            load = f"{min(loads):.1f}-{max(loads):.1f}" if loads else "—"
            if harness == "run.py":
                times = [t for r in ok for t in r["times"]]
                tries = [t for r in ok for tr in r["tries"] for t in tr]
                meds[(w, c, "run.py")] = statistics.median(times)
                cpw = [r["cpu_per_wall"] for r in ok if "cpu_per_wall" in r]
                cpw = f"{statistics.median(cpw):.2f}" if cpw else "—"
                lines.append(f"| {w} | run.py | {c}: best of each process's fits | {len(times)} | "
                             f"{spread(times)} | {spread(times, steps)} | — | {cpw} | {load} | "
                             f"{ok[-1].get('threads')} |")
                lines.append(f"| {w} | run.py | {c}: every fit | {len(tries)} | {spread(tries)} | "
                             f"{spread(tries, steps)} | — | | {load} | |")
                continue
            names = {k for r in ok for k in r["timed"]}
            for name in sorted(names):
                times = [t for r in ok for t in r["timed"].get(name, {}).get("times", [])]
                cpu = [t for r in ok for t in r["timed"].get(name, {}).get("cpu", [])]
                ratio = sum(cpu) / sum(times) if times else float("nan")
                meds[(w, name, "crosscheck")] = statistics.median(times)
                per = "" if "alone" in name else spread(times, steps)
                meds[(w, name, "cpu")] = statistics.median(cpu)
                lines.append(f"| {w} | crosscheck | {name} | {len(times)} | {spread(times)} | {per} | "
                             f"{statistics.median(cpu):.3f} | {ratio:.2f} | {load} | {ok[-1].get('threads')} |")
            extra = [f"{k} {statistics.median([r[k] for r in ok]):.3f} s" for k in ("device_put_s", "compile_s")
                     if k in ok[0]]
            if extra:
                lines.append(f"| {w} | crosscheck | {c}: once per process | | {'; '.join(extra)} | | | | | |")
    lines += ["", "Ratios of medians (glassnet's time over JAX's; below 1: glassnet faster):", ""]
    for w in only:
        for jx in ("jax-step", "jax-scan"):
            bits = []
            for harness in ("crosscheck", "run.py"):
                g, j = meds.get((w, "glassnet", harness)), meds.get((w, jx, harness))
                if g and j:
                    bits.append(f"{harness} {g / j:.2f}x")
            g, j = meds.get((w, "glassnet", "crosscheck")), meds.get((w, f"{jx} (peer_jax.fit)", "crosscheck"))
            if g and j:
                bits.append(f"crosscheck's glassnet / peer_jax's code in the crosscheck process {g / j:.2f}x")
            g, j = meds.get((w, "glassnet", "cpu")), meds.get((w, jx, "cpu"))
            if g and j:
                bits.append(f"CPU time, crosscheck {g / j:.2f}x")
            if bits:
                lines.append(f"- {w}, glassnet / {jx}: " + "; ".join(bits))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
