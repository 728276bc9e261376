"""glassnet's benchmark suite: one command, every contestant side by side.

    python bench/run.py                      # everything, medians of several repeats
    python bench/run.py --quick              # smoke run: 1 repeat each
    python bench/run.py --only seed,mnist    # some workloads
    python bench/run.py --repeats 7 --out bench/results.md
    python bench/run.py --threads 1          # every contestant on 1 thread (noisy machines)
    python bench/run.py --readme README.md   # also paste the report between its markers
    python bench/run.py --jax-python /work/jaxvenv/bin/python   # JAX joins the speed pass
    python bench/run.py --peers-python /work/peers/bin/python  # PyTorch and Keras from their own
                                                               # environment (or set
                                                               # GLASSNET_BENCH_PEERS_PYTHON)

Workloads (see bench/README.md): seed, digits10, mnist, predict, import, memory,
speed (bench/speed.py's pass for issue 17: seed, MNIST-shaped, a width scan and a fresh
process, quiet and under one busy background core, against JAX's jitted step and jitted
epoch scan), convnet (bench/conv.py's workers: Keras's simple MNIST convnet, one epoch,
against PyTorch and Keras) and custom (bench/custom_loop.py's children: TensorFlow's
quickstart for experts, a GradientTape loop in a tf.function, against TensorFlow). Contestants: glassnet (through glassnet.keras), floor (hand-written NumPy),
torch, keras (tensorflow) and jax (speed pass only; it runs under the interpreter given
by --jax-python or $GLASSNET_BENCH_JAX_PYTHON: JAX is never glassnet's dependency); the
peers are skipped with a note when not installed. Each contestant runs each workload in
a fresh subprocess (bench/worker.py, bench/speed.py) after an untimed warm-up. No thread
count is set by this suite unless --threads N is given (then every contestant gets N, and
in the speed pass every process is pinned to the same N CPUs, the only way to give XLA N
threads); each process's threads are printed. The report also gives the packages (and the
JAX interpreter's), how glassnet is installed and whether numba is there, the load average
before and after each workload, and the spread (min-max) beside each median.
bench/crosscheck.py checks the speed pass against a plain harness.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import importlib.metadata as _md
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import speed  # noqa: E402
import workloads as W  # noqa: E402

ALL_WORKLOADS = ("import", "seed", "digits10", "mnist", "predict", "memory", "speed", "convnet", "custom")
REPORT_ORDER = ("seed", "digits10", "mnist", "predict", "import", "memory", "speed", "convnet", "custom")  # (a)..(i)
ALL_CONTESTANTS = ("glassnet", "floor", "torch", "keras", "jax")
PEERS = {"torch": "torch", "keras": "tensorflow"}
CHILD_TIMEOUT_S = 1800


# ---------------------------------------------------------------- child processes
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
               "GLASSNET_NUM_THREADS")


def child_env(extra_path: str | None, threads: int = 0) -> dict:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if threads:  # the same for every contestant; worker.py tells torch and TF too
        for var in THREAD_VARS:
            env[var] = str(threads)
        env["GLASSNET_BENCH_THREADS"] = str(threads)
    if extra_path:
        env["PYTHONPATH"] = extra_path + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_child(argv: list[str], env: dict, python: str | None = None,
              marker: str = "BENCH_RESULT ") -> tuple[dict | None, str]:
    """Run a child python (this interpreter, or ``python``); return (the JSON of its last
    line starting with ``marker`` (with ``""``: the last line that is a JSON object), or
    None, and an error tail)."""
    try:
        p = subprocess.run([python or sys.executable, *argv], capture_output=True, text=True,
                           env=env, timeout=CHILD_TIMEOUT_S, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {CHILD_TIMEOUT_S} s"
    for line in reversed(p.stdout.splitlines()):
        if line.startswith(marker) and (marker or line.startswith("{")):
            return json.loads(line[len(marker):]), ""
    lines = [ln for ln in (p.stderr or p.stdout).splitlines() if ln.strip()]
    return None, (lines[-1].strip()[-300:] if lines else f"exit code {p.returncode}")


def peer_python(module: str, peers_python: str | None) -> str | None:
    """The interpreter a peer runs under: this one when ``module`` imports here, else
    ``peers_python`` when it imports there, else None (skipped)."""
    if importlib.util.find_spec(module) is not None:
        return sys.executable
    if peers_python:
        done = subprocess.run([peers_python, "-c", f"import {module}"], capture_output=True,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        if done.returncode == 0:
            return peers_python
    return None


IMPORT_SNIPPET = """
import json, os, sys, time
import numpy
t0 = time.perf_counter()
{stmt}
dt = time.perf_counter() - t0
heavy = [m for m in ("matplotlib", "scipy", "h5py", "pandas", "safetensors", "sklearn",
                     "torch", "tensorflow", "PIL") if m in sys.modules]
print("BENCH_RESULT " + json.dumps({{"seconds": dt, "heavy": heavy}}))
"""

PEAK_SNIPPET = """
import json, time
import numpy as np
n = {n}
rng = np.random.default_rng(0)
a = rng.random((n, n), dtype=np.float32)
b = rng.random((n, n), dtype=np.float32)
c = np.empty((n, n), np.float32)
np.matmul(a, b, out=c)
best = float("inf")
for _ in range({tries}):
    t0 = time.perf_counter()
    np.matmul(a, b, out=c)
    best = min(best, time.perf_counter() - t0)
# The matmuls of one MNIST-shaped training step alone (forward 3, dW 3, dX 2), batch m:
# what BLAS can do at these shapes, the ceiling for any NumPy or PyTorch loop.
m, widths = {batch}, {widths}
xs = [rng.random((m, w), dtype=np.float32) for w in widths]
ws = [rng.random((widths[i], widths[i + 1]), dtype=np.float32) for i in range(len(widths) - 1)]
def step():
    for i, w in enumerate(ws):
        xs[i] @ w                      # forward
        xs[i].T @ xs[i + 1]            # dW
        if i:
            xs[i + 1] @ w.T            # dX
flops = sum(2 * m * w.shape[0] * w.shape[1] * (3 if i else 2) for i, w in enumerate(ws))
step()
shape_best = float("inf")
for _ in range({tries}):
    t0 = time.perf_counter()
    for _ in range(20):
        step()
    shape_best = min(shape_best, (time.perf_counter() - t0) / 20)
print("BENCH_RESULT " + json.dumps({{"n": n, "seconds": best, "gflops": 2 * n**3 / best / 1e9,
                                    "step_gflops": flops / shape_best / 1e9}}))
"""


# ---------------------------------------------------------------- machine
def machine_info() -> dict:
    import numpy as np  # noqa: PLC0415

    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        cpu = platform.processor() or "?"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    info = {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": usable,
            "python": platform.python_version(), "numpy": np.__version__,
            "blas": blas_name(np), "date": _dt.datetime.now(_dt.timezone.utc)
            .strftime("%Y-%m-%d %H:%M UTC"), "platform": platform.platform(terse=True)}
    try:
        from threadpoolctl import threadpool_info  # noqa: PLC0415

        info["threadpools"] = ", ".join(
            f"{d.get('internal_api')} {d.get('version')} ({d.get('threading_layer', '?')}, "
            f"{d.get('num_threads')} threads)" for d in threadpool_info())
    except ImportError:
        info["threadpools"] = "threadpoolctl not installed"
    for dist in ("glassnet", "numba", "threadpoolctl", "torch", "tensorflow-cpu", "tensorflow", "keras"):
        try:
            info[dist] = _md.version(dist)
        except _md.PackageNotFoundError:
            pass
    info["install"] = glassnet_install()
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        info["commit"] = rev + ("+dirty src" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def glassnet_install() -> str:
    """How glassnet is installed in this interpreter: editable or not, where from, which
    of its optional extras (pyproject.toml) have all their packages, and whether its
    runtime dependencies are there (numba and threadpoolctl make the fast path)."""
    import re  # noqa: PLC0415
    try:
        dist = _md.distribution("glassnet")
    except _md.PackageNotFoundError:
        return "not installed: src/ through PYTHONPATH"
    try:
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
    except ValueError:
        direct = {}
    how = ("editable" if direct.get("dir_info", {}).get("editable") else "regular") + (
        f" from {direct['url']}" if direct.get("url") else "")

    def have(req: str) -> bool:
        name = re.match(r"[A-Za-z0-9_.\-]+", req).group(0)
        try:
            _md.version(name)
            return True
        except _md.PackageNotFoundError:
            return False
    reqs = dist.requires or []
    core = [r.split(";")[0].strip() for r in reqs if "extra ==" not in r]
    missing = [r for r in core if not have(r)]
    extras = []
    for extra in dist.metadata.get_all("Provides-Extra") or []:
        mine = [r.split(";")[0].strip() for r in reqs if re.search(r"extra\s*==\s*['\"]%s['\"]" % re.escape(extra), r)]
        if mine and all(have(r) for r in mine):
            extras.append(extra)
    return (f"{how}; dependencies {'all present' if not missing else 'MISSING ' + ', '.join(missing)}"
            f"; extras whose packages are all present: {', '.join(extras) or 'none'}")


def peer_versions(python: str, modules) -> str:
    """'module version, ...' as seen by another interpreter (e.g. --jax-python)."""
    code = ("import importlib, json\nout = {}\nfor m in %r:\n    try:\n"
            "        out[m] = importlib.import_module(m).__version__\n    except Exception:\n"
            "        pass\nprint(json.dumps(out))" % (list(modules),))
    try:
        p = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
        return ", ".join(f"{k} {v}" for k, v in json.loads(p.stdout.strip().splitlines()[-1]).items())
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return "?"


def blas_name(np) -> str:
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - older NumPy: no dict mode
        return "?"


def glassnet_status(env: dict) -> tuple[str, str]:
    """('' when glassnet's Keras API imports in a child, else why not; what the child
    imported: glassnet's folder and whether numba and threadpoolctl are there)."""
    probe = ("import glassnet, json, importlib.util as u, os; from glassnet import keras; "
             "keras.Sequential; print('BENCH_RESULT ' + json.dumps({'where': "
             "os.path.dirname(glassnet.__file__), 'numba': bool(u.find_spec('numba')), "
             "'threadpoolctl': bool(u.find_spec('threadpoolctl'))}))")
    res, err = run_child(["-c", probe], env)
    if res is None:
        return (err or "import failed"), ""
    fast = [m for m in ("numba", "threadpoolctl") if res[m]]
    lacks = [m for m in ("numba", "threadpoolctl") if not res[m]]
    return "", (f"{os.path.relpath(res['where'], ROOT) if res['where'].startswith(ROOT) else res['where']}"
                f"; {' and '.join(fast) or 'neither numba nor threadpoolctl'} importable"
                + (f" (without {' and '.join(lacks)}: no fast path there)" if lacks else ""))


# ---------------------------------------------------------------- helpers
def med(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt_s(x):
    if x is None or x != x:
        return "—"
    return f"{x:.3f}" if x >= 0.1 else f"{x * 1e3:.1f} ms"


def fmt_n(x, digits=0):
    if x is None or x != x:
        return "—"
    return f"{x:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or not b or a != a or b != b:
        return None
    return a / b


def fmt_r(r):
    return "—" if r is None else f"{r:.2f}x"


def mb(x):
    return "—" if x is None else f"{x / 2**20:,.1f} MB"


def verdict(ok):
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


# ---------------------------------------------------------------- the suite
class Suite:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.workloads = [w for w in ALL_WORKLOADS if w in args.only]
        self.notes: list[str] = []
        self.results: dict = {}
        self.glassnet_child = ""
        self.loads: dict = {}   # workload -> [1-minute load average before, after]
        self.tmp = tempfile.mkdtemp(prefix="glassnet-bench-")
        self.digits = os.path.join(self.tmp, "digits.npz")

        extra = None
        if importlib.util.find_spec("glassnet") is None:
            extra = os.path.join(ROOT, "src")
            self.notes.append("glassnet is not installed in this interpreter: using "
                              "src/ through PYTHONPATH.")
        self.env = child_env(extra, args.threads)
        if args.threads:
            self.notes.append(f"--threads {args.threads}: every contestant limited to "
                              f"{args.threads} thread(s) ({', '.join(THREAD_VARS[:3])}, "
                              "torch.set_num_threads, TF intra/inter-op); in the speed pass every "
                              f"process is also pinned to the same {args.threads} CPU(s), which "
                              "gives XLA's pool as many threads.")
        else:
            preset = {v: os.environ[v] for v in THREAD_VARS if v in os.environ}
            if preset:
                self.notes.append(f"thread variables inherited from the environment: {preset}.")
        self.contestants = []
        self.pythons: dict = {}     # peer -> the interpreter it runs under
        for c in args.contestants:
            if c == "jax":          # the speed pass only, under its own interpreter
                continue
            if c in PEERS:
                python = peer_python(PEERS[c], args.peers_python)
                if python is None:
                    self.notes.append(f"{c} skipped: `{PEERS[c]}` is not installed in {sys.executable}"
                                      + (f" nor in {args.peers_python}" if args.peers_python else "") + ".")
                    continue
                self.pythons[c] = python
                if python != sys.executable:
                    self.notes.append(f"{c} runs under {python} (--peers-python), where `{PEERS[c]}` is installed.")
            if c == "glassnet":
                why, self.glassnet_child = glassnet_status(self.env)
                if why:
                    self.notes.append(f"glassnet skipped: its Keras API does not import ({why}).")
                    continue
            self.contestants.append(c)
        if extra:  # prepare_digits prefers glassnet's own copy of the digits
            sys.path.insert(0, extra)
        self.data_note = W.prepare_digits(self.digits)

    def repeats(self, workload: str, contestant: str) -> int:
        if self.args.repeats:
            return self.args.repeats
        if self.quick:
            return 1
        slow_peer = contestant == "keras"
        return {"seed": 3 if slow_peer else 5, "digits10": 3 if slow_peer else 5,
                "mnist": 1 if slow_peer else 3, "predict": 3 if slow_peer else 5}.get(workload, 1)

    def say(self, msg: str) -> None:
        print(msg, flush=True)

    def run(self) -> None:
        self.say(f"glassnet bench: workloads {', '.join(self.workloads)}; contestants "
                 f"{', '.join(self.contestants)}{' (quick)' if self.quick else ''}")
        for n in self.notes:
            self.say("  note: " + n)
        self.say(f"  digits data: {self.data_note}")
        for w in self.workloads:
            before = os.getloadavg()[0]
            {"import": self.run_import, "speed": self.run_speed, "convnet": self.run_convnet,
             "custom": self.run_custom}.get(w, self.run_worker)(w)
            self.loads[w] = [before, os.getloadavg()[0]]
            self.say(f"  {w:9s} load average (1 min): {before:.2f} before, {self.loads[w][1]:.2f} after")

    def run_speed(self, w: str) -> None:
        """bench/speed.py's pass: glassnet against JAX (and PyTorch), quiet and loaded."""
        a = self.args
        wanted = [c for c in ("glassnet", "glassnet-jit", "jax-step", "jax-scan", "torch")
                  if c.split("-")[0] in a.contestants and (c.startswith("jax") or c.split("-")[0] in self.contestants)]
        a.repeats_speed = a.repeats or (1 if self.quick else 5)
        opts = argparse.Namespace(repeats=a.repeats_speed, threads=a.threads, jax_python=a.jax_python,
                                  load=a.load, mnist_rows=a.mnist_rows, timeout=a.timeout)
        contestants, notes = speed.contestants_available(wanted, a.jax_python)
        if any(c.startswith("jax") for c in contestants):
            self.jax_versions = peer_versions(a.jax_python, ("jax", "jaxlib", "numpy"))
        self.speed_setup = (opts, contestants, notes)
        self.say(f"  speed     {', '.join(contestants)}; {opts.repeats} repeat(s); load {opts.load}")
        self.results["speed"] = speed.measure(opts, list(speed.WORKLOADS), contestants, say=self.say)

    # one (workload, contestant, round) per process
    def run_worker(self, w: str) -> None:
        """Contestants take turns, one timed repeat each per round (round-robin): on a
        machine whose speed drifts (a shared host), the drift then falls on every
        contestant alike instead of on whoever happened to run during a slow minute."""
        if w == "mnist":
            self.run_peak("before")
        reps = {c: 1 if w == "memory" else self.repeats(w, c) for c in self.contestants}
        for round_ in range(max(reps.values(), default=0)):
            for c in self.contestants:
                if round_ >= reps[c] or "error" in self.results.get(w, {}).get(c, {}):
                    continue
                argv = [os.path.join(HERE, "worker.py"), w, c, "--repeats", "1",
                        "--digits", self.digits]
                res, err = run_child(argv, self.env, self.pythons.get(c))
                done = self.results.setdefault(w, {})
                done[c] = merge_repeats(done.get(c), res) if res is not None else {"error": err}
        for c in self.contestants:
            res = self.results[w][c]
            self.say(f"  {w:9s} {c:9s} " + ("ERROR " + res["error"] if "error" in res else summary(w, res)))
        if w == "mnist":
            self.run_peak("after")

    def run_peak(self, when: str) -> None:
        """The float32 matmul peak, measured before and after the MNIST workload: a busy
        neighbour can spoil one measurement, and the best of the two is reported."""
        tries = 5 if self.quick else 10
        widths = [W.MNIST_FEATURES] + [u for u, _ in W.MNIST.layers]
        res, err = run_child(["-c", PEAK_SNIPPET.format(n=2048, tries=tries, batch=W.MNIST.batch_size,
                                                        widths=widths)], self.env)
        self.say(f"  peak      np.matmul 2048² float32, {when}: " +
                 (f"{res['gflops']:.1f} GFLOP/s; the MNIST step's matmuls alone: "
                  f"{res['step_gflops']:.1f} GFLOP/s" if res else "ERROR " + err))
        if res is None:
            self.results.setdefault("peak", {"error": err})
            return
        old = self.results.get("peak", {})
        self.results["peak"] = {
            "gflops": max(res["gflops"], old.get("gflops", 0.0)),
            "step_gflops": max(res["step_gflops"], old.get("step_gflops", 0.0)),
            "all": old.get("all", []) + [res["gflops"]]}

    def run_import(self, w: str) -> None:
        stmts = {"glassnet": ["import glassnet", "from glassnet import keras"],
                 "torch": ["import torch"], "keras": ["from tensorflow import keras"]}
        out = {}
        # Imports as an installed package runs them: from compiled bytecode. An environment that
        # sets PYTHONDONTWRITEBYTECODE (this project's sandbox does) would otherwise compile every
        # module on every import (0.24 s here against 0.05 s); the bytecode goes to a folder of
        # its own, written by one untimed import first.
        env = {k: v for k, v in self.env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "glassnet-bench-pyc")
        for c in self.contestants:
            for stmt in stmts.get(c, []):
                reps = self.args.repeats or ((3 if self.quick else 7) if c == "glassnet"
                                             else (1 if self.quick else 3))
                secs, heavy, err = [], [], ""
                python = self.pythons.get(c)
                run_child(["-c", IMPORT_SNIPPET.format(stmt=stmt)], env, python)  # untimed: writes the bytecode
                for _ in range(reps):
                    res, err = run_child(["-c", IMPORT_SNIPPET.format(stmt=stmt)], env, python)
                    if res is None:
                        break
                    secs.append(res["seconds"])
                    heavy = res["heavy"]
                out[stmt] = {"times": secs, "heavy": heavy, "error": err if not secs else ""}
                self.say(f"  import    {stmt:27s} " + (f"median {fmt_s(med(secs))} of {len(secs)}"
                                                        if secs else "ERROR " + err))
        self.results["import"] = out

    # ------------------------------------------------------------ convnet and custom loop
    def run_rounds(self, w: str, who: dict, command, rounds: int) -> None:
        """Contestants in turn, ``rounds`` times (a ratio per round: the same minute of the
        machine for each); ``who``: contestant -> (interpreter, its name in the script);
        ``command(name)``: the script's arguments for one child."""
        done = self.results.setdefault(w, {})
        for _ in range(rounds):
            for c, (python, name) in who.items():
                if "error" in done.get(c, {}):
                    continue
                load = os.getloadavg()[0]
                res, err = run_child(command(name), self.env, python, marker="")
                if res is None:
                    done[c] = {"error": err}
                    continue
                r = done.setdefault(c, {"rounds": [], "cpu_rounds": [], "loads": []})
                r["rounds"].append(res["times"] if "times" in res else res["seconds"])
                r["cpu_rounds"].append(res["cpu"])
                r["loads"].append(load)
                for key in ("version", "losses", "peak_mb", "data_mb"):
                    if key in res:
                        r[key] = res[key]
        for c, r in done.items():
            self.say(f"  {w:9s} {c:9s} " + ("ERROR " + r["error"] if "error" in r else
                                            "rounds " + ", ".join(f"{sum(t):.2f} s" for t in r["rounds"])))

    def peers_for(self, script_names: dict) -> dict:
        """contestant -> (interpreter, the script's name for it), for the contestants here."""
        return {c: (sys.executable if c == "glassnet" else self.pythons[c], name)
                for c, name in script_names.items() if c in self.contestants}

    def run_convnet(self, w: str) -> None:
        """bench/conv.py's workers: one timed epoch of Keras's simple MNIST convnet (random
        28x28x1 images, batch 128), after each library's warm-up on 1,024 images."""
        a = self.args
        self.convnet_samples = 6000 if self.quick else a.convnet_samples
        rounds = 1 if self.quick else (a.repeats or 3)
        who = self.peers_for({"glassnet": "glassnet", "torch": "pytorch", "keras": "keras"})
        self.say(f"  convnet   {', '.join(who)}; {self.convnet_samples:,} images; {rounds} round(s)")
        self.run_rounds(w, who, lambda name: [
            os.path.join(HERE, "conv.py"), "--worker", name, "--samples", str(self.convnet_samples),
            "--batch-size", "128", "--epochs", "1", "--threads", str(a.threads)], rounds)

    def run_custom(self, w: str) -> None:
        """bench/custom_loop.py's children: TensorFlow's quickstart for experts, the same
        program in glassnet and TensorFlow (a GradientTape step in a tf.function)."""
        a = self.args
        self.custom_setup = (6000 if self.quick else a.custom_images, 2 if self.quick else a.custom_epochs)
        rounds = 1 if self.quick else (a.repeats or 2)
        who = self.peers_for({"glassnet": "glassnet", "keras": "tensorflow"})
        self.say(f"  custom    {', '.join(who)}; {self.custom_setup[0]:,} images x "
                 f"{self.custom_setup[1]} epochs; {rounds} round(s)")
        self.run_rounds(w, who, lambda name: [
            os.path.join(HERE, "custom_loop.py"), "--child", name, *map(str, self.custom_setup)], rounds)

    def round_ratios(self, w: str, peer: str, total) -> list:
        """glassnet's time over ``peer``'s, round by round (``total`` of each round's list)."""
        g, p = self.results.get(w, {}).get("glassnet", {}), self.results.get(w, {}).get(peer, {})
        if "rounds" not in g or "rounds" not in p:
            return []
        return [total(a) / total(b) for a, b in zip(g["rounds"], p["rounds"]) if total(b)]

    # ------------------------------------------------------------ report
    def t(self, w, c):
        r = self.results.get(w, {}).get(c)
        return med(r["times"]) if r and "times" in r else None

    def report(self, machine: dict) -> str:
        L = []
        a = L.append
        a("# glassnet benchmark results\n")
        a(f"Run {machine['date']}{' — QUICK smoke run (1 repeat: noisy)' if self.quick else ''}; "
          "times are medians of the repeats, with their spread (min-max); each repeat runs in "
          "a fresh process after an untimed warm-up, the contestants taking turns (round-robin) "
          "so that a drift in the machine's speed falls on all of them.\n")
        a("| machine | |\n|---|---|")
        a(f"| CPU | {machine['cpu']} ({machine['cores']} logical cores, "
          f"{machine['usable_cores']} usable) |")
        a(f"| OS / Python | {machine['platform']} / Python {machine['python']} |")
        a(f"| NumPy / BLAS | {machine['numpy']} / {machine['blas']} |")
        a(f"| thread pools (parent) | {machine['threadpools']} |")
        for k in ("glassnet", "numba", "threadpoolctl", "torch", "tensorflow-cpu", "tensorflow", "keras"):
            if k in machine:
                a(f"| {k} | {machine[k]}{' (' + machine['commit'] + ')' if k == 'glassnet' and 'commit' in machine else ''} |")
            elif k in ("numba", "threadpoolctl"):
                a(f"| {k} | not installed |")
        if "glassnet" not in machine and "commit" in machine:
            a(f"| glassnet | from source ({machine['commit']}) |")
        a(f"| glassnet install | {machine['install']} |")
        if self.glassnet_child:
            a(f"| glassnet in the contestants' processes | {self.glassnet_child} |")
        if getattr(self, "jax_versions", ""):
            a(f"| JAX interpreter | {self.args.jax_python}: {self.jax_versions} |")
        if self.loads:
            a("| load average (1 min) before → after each workload | " + "; ".join(
                f"{w} {b:.2f} → {e:.2f}" for w, (b, e) in self.loads.items()) + " |")
        a("")
        notes = list(self.notes) + [f"Digits data: {self.data_note}."]
        notes += self.thread_notes()
        for n in notes:
            a(f"- {n}")
        a("")
        a(self.targets_table())
        for w in REPORT_ORDER:
            fn = getattr(self, "table_" + w, None)
            if fn and w in self.results:
                a(fn())
        return "\n".join(L) + "\n"

    def thread_notes(self):
        seen = {}
        for w in ("seed", "mnist", "digits10", "predict"):
            for c, r in self.results.get(w, {}).items():
                if "info" in r and c not in seen:
                    i = r["info"]
                    bits = [f"BLAS {i.get('blas_threads')}"]
                    if "glassnet_threads" in i:
                        bits.append(f"glassnet {i['glassnet_threads']} (after the last fit)")
                    cpu = [x for rr in (self.results.get(w2, {}).get(c, {}) for w2 in ("seed", "mnist"))
                           for x in rr.get("cpu", [])]
                    wall = [x for rr in (self.results.get(w2, {}).get(c, {}) for w2 in ("seed", "mnist"))
                            for x in (rr.get("times", []) if rr.get("cpu") else [])]
                    if cpu and sum(wall):
                        bits.append(f"CPU time / wall time over its seed and MNIST fits {sum(cpu) / sum(wall):.2f}")
                    if "torch_threads" in i:
                        bits.append(f"torch intra-op {i['torch_threads']}")
                    if "tf_intra_threads" in i:
                        bits.append(f"TF intra/inter {i['tf_intra_threads']}/"
                                    f"{i['tf_inter_threads']} (0 = TF's default: all cores)")
                    seen[c] = ", ".join(bits)
        if not seen:
            return []
        how = (f"as set by --threads {self.args.threads}" if self.args.threads
               else "each library's default; the suite sets none")
        return [f"Threads in each contestant's process ({how}): " +
                "; ".join(f"{c}: {s}" for c, s in seen.items()) + "."]

    def targets_table(self) -> str:
        rows = []
        g, f = self.t("seed", "glassnet"), self.t("seed", "floor")
        to, k = self.t("seed", "torch"), self.t("seed", "keras")
        if "seed" in self.results:
            r = ratio(g, f)
            rows.append(("seed fit vs NumPy floor", fmt_r(r), "<= 1.3x",
                         verdict(None if r is None else r <= 1.3)))
            r = ratio(to, g)
            rows.append(("seed fit: PyTorch time / glassnet time", fmt_r(r), ">= 5x",
                         verdict(None if r is None else r >= 5)))
            r = ratio(k, g)
            rows.append(("seed fit: Keras time / glassnet time", fmt_r(r), ">= 50x",
                         verdict(None if r is None else r >= 50)))
        if "mnist" in self.results:
            r = ratio(self.t("mnist", "torch"), self.t("mnist", "glassnet"))
            rows.append(("MNIST-shaped: glassnet / PyTorch throughput", fmt_r(r), ">= 1.0x",
                         verdict(None if r is None else r >= 1.0)))
            frac = self.peak_fraction("glassnet")
            rows.append(("MNIST-shaped: glassnet share of matmul peak",
                         "—" if frac is None else f"{frac:.0%}", ">= 50% (aim)",
                         verdict(None if frac is None else frac >= 0.5)))
        if "import" in self.results:
            s = self.results["import"].get("import glassnet", {}).get("times")
            m = med(s) if s else None
            rows.append(("`import glassnet` beyond `import numpy`", fmt_s(m), "<= 0.15 s",
                         verdict(None if m is None else m <= 0.15)))
        if "memory" in self.results:
            ok, shown = self.memory_verdict("glassnet")
            rows.append(("peak memory of MNIST-shaped fit, beyond the data", shown,
                         "<= data + O(batch x width)", verdict(ok)))
        if "speed" in self.results:
            m = self.results["speed"]
            rows += [(f"(g) {a}", b, c, verdict(d))
                     for a, b, c, d in speed.targets(m["results"], list(speed.WORKLOADS), m["conditions"])]
        if "convnet" in self.results:
            for peer, label in (("torch", "PyTorch"), ("keras", "Keras")):
                r = self.round_ratios("convnet", peer, sum)
                rows.append((f"(h) convnet epoch: glassnet time / {label}'s", fmt_r(med(r) if r else None),
                             "<= 1x", verdict(med(r) <= 1 if r else None)))
        if "custom" in self.results:
            r = self.round_ratios("custom", "keras", sum)
            rows.append(("(i) custom-loop convnet, whole run: glassnet time / TensorFlow's",
                         fmt_r(med(r) if r else None), "<= 1x", verdict(med(r) <= 1 if r else None)))
        if not rows:
            return ""
        out = ["## Targets\n", "| target | measured | goal | result |", "|---|---|---|---|"]
        out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
        return "\n".join(out) + "\n"

    def train_table(self, w: str, title: str, extra: str) -> str:
        spec = W.TRAIN_SPECS[w]
        res = self.results[w]
        g = self.t(w, "glassnet")
        out = [f"## {title}\n", extra, "",
               "| contestant | fit median | min-max | repeats | µs / step | last-epoch loss "
               "| time / glassnet's |", "|---|---|---|---|---|---|---|"]
        for c in self.contestants:
            r = res.get(c)
            if r is None:
                continue
            if "error" in r:
                out.append(f"| {c} | error: {r['error']} | | | | | |")
                continue
            tm = med(r["times"])
            steps = -(-r["rows"] // spec.batch_size) * r["epochs"]
            out.append(f"| {c} | {fmt_s(tm)} | {fmt_s(min(r['times']))}-{fmt_s(max(r['times']))} | {len(r['times'])} | "
                       f"{tm / steps * 1e6:,.0f} | {r['loss']:.4g} | {fmt_r(ratio(tm, g))} |")
        return "\n".join(out) + "\n"

    def table_seed(self):
        s = W.SEED
        return self.train_table("seed", "(a) The seed program: 0/1 digits",
                                f"360 x 64, Dense 25 sigmoid → 15 sigmoid → 1 sigmoid, "
                                f"BinaryCrossentropy, RMSprop(), batch {s.batch_size}, "
                                f"{s.epochs} epochs, shuffle=True; `fit` timed. PyTorch: "
                                "BCEWithLogitsLoss, RMSprop(alpha=0.9, eps=1e-7), eps outside "
                                "the sqrt (Keras: inside).")

    def table_digits10(self):
        s = W.DIGITS10
        return self.train_table("digits10", "(b) The ten-digit network",
                                f"1,797 x 64, Dense 25 relu → 15 relu → 10, "
                                f"SparseCategoricalCrossentropy(from_logits=True), Adam(), "
                                f"batch {s.batch_size}, {s.epochs} epochs; `fit` timed.")

    def peak_fraction(self, c):
        peak = self.results.get("peak", {}).get("gflops")
        r = self.results.get("mnist", {}).get(c)
        if not peak or not r or "times" not in r:
            return None
        return r["flops_per_sample"] * r["rows"] * r["epochs"] / med(r["times"]) / 1e9 / peak

    def table_mnist(self):
        s = W.MNIST
        res = self.results["mnist"]
        peak = self.results.get("peak", {}).get("gflops")
        g = self.t("mnist", "glassnet")
        fps = s.flops_per_sample(W.MNIST_FEATURES)
        out = ["## (c) MNIST-shaped network\n",
               f"{W.MNIST_ROWS:,} x {W.MNIST_FEATURES} synthetic float32, Dense 256 relu → "
               f"128 relu → 10, softmax cross-entropy from logits, Adam(), batch "
               f"{s.batch_size}, {s.epochs} epoch per timed fit. FLOPs counted as 2·m·n·k "
               f"per matmul (forward 1 per layer, backward dW and dX, no dX for the first "
               f"layer): {fps / 1e6:.3f} MFLOP per sample. Measured float32 matmul peak "
               f"(np.matmul 2048², best of several, before and after the contestants: "
               f"{', '.join(f'{g:.1f}' for g in self.results.get('peak', {}).get('all', []))}): "
               f"{'—' if not peak else f'{peak:.1f} GFLOP/s'}; the matmuls of one training "
               f"step alone, at these shapes: "
               f"{self.results.get('peak', {}).get('step_gflops', float('nan')):.1f} GFLOP/s "
               f"(the ceiling for any loop at batch {s.batch_size}).", "",
               "| contestant | epoch median | min-max | repeats | samples/s | GFLOP/s | % of peak | "
               "time / glassnet's |", "|---|---|---|---|---|---|---|---|"]
        for c in self.contestants:
            r = res.get(c)
            if r is None:
                continue
            if "error" in r:
                out.append(f"| {c} | error: {r['error']} | | | | | | |")
                continue
            tm = med(r["times"])
            sps = r["rows"] * r["epochs"] / tm
            gf = sps * r["flops_per_sample"] / 1e9
            pct = f"{gf / peak:.0%}" if peak else "—"
            out.append(f"| {c} | {fmt_s(tm)} | {fmt_s(min(r['times']))}-{fmt_s(max(r['times']))} | "
                       f"{len(r['times'])} | {fmt_n(sps)} | {gf:.1f} | "
                       f"{pct} | {fmt_r(ratio(tm, g))} |")
        return "\n".join(out) + "\n"

    def table_speed(self):
        opts, contestants, notes = self.speed_setup
        text = speed.report(self.results["speed"], list(speed.WORKLOADS), contestants, opts, notes,
                            level="##", with_targets=False)
        return text.replace("## Speed, round two", "## (g) Speed, round two", 1)

    def table_convnet(self):
        out = ["## (h) Keras's simple MNIST convnet, one epoch\n",
               f"bench/conv.py's workers: Conv2D(32, 3, relu) → MaxPool → Conv2D(64, 3, relu) → MaxPool → "
               f"Flatten → Dropout(0.5) → Dense(10, softmax), categorical cross-entropy, Adam, batch 128, "
               f"{self.convnet_samples:,} random 28x28x1 images; each round one fresh process per contestant "
               "(after its warm-up on 1,024 images), the contestants in turn. Threads: "
               f"{'--threads %d for all' % self.args.threads if self.args.threads else 'each library its default'}.", "",
               "| contestant | version | epoch median | min-max | rounds | CPU s (median) | load | glassnet's time / its (per round) |",
               "|---|---|---|---|---|---|---|---|"]
        out += self.round_rows("convnet", {"torch": "PyTorch", "keras": "Keras"})
        return "\n".join(out) + "\n"

    def table_custom(self):
        images, epochs = self.custom_setup
        out = ["## (i) TensorFlow's quickstart for experts: a custom training loop\n",
               f"bench/custom_loop.py's children: a subclassed convnet, GradientTape + apply_gradients in a "
               f"@tf.function step, Mean and SparseCategoricalAccuracy metrics; {images:,} MNIST-shaped "
               f"images, {epochs} epochs, the whole run timed (TensorFlow's tracing and glassnet's kernel "
               "loads included); each round one fresh process per contestant, in turn.", "",
               "| contestant | version | whole run median | min-max | rounds | CPU s (median) | load | glassnet's time / its (per round) |",
               "|---|---|---|---|---|---|---|---|"]
        out += self.round_rows("custom", {"keras": "TensorFlow"})
        return "\n".join(out) + "\n"

    def round_rows(self, w: str, peers: dict) -> list:
        rows = []
        for c, r in self.results[w].items():
            if "error" in r:
                rows.append(f"| {c} | error: {r['error']} | | | | | | |")
                continue
            totals = [sum(t) for t in r["rounds"]]
            ratios = self.round_ratios(w, c, sum) if c in peers else []
            rows.append(f"| {peers.get(c, c)} | {r.get('version', '')} | {fmt_s(med(totals))} | "
                        f"{fmt_s(min(totals))}-{fmt_s(max(totals))} | {len(totals)} | "
                        f"{med([sum(x) for x in r['cpu_rounds']]):.2f} | "
                        f"{min(r['loads']):.2f}-{max(r['loads']):.2f} | "
                        f"{' '.join(f'{x:.2f}' for x in ratios) if ratios else '—'} |")
        return rows

    def table_predict(self):
        res = self.results["predict"]
        bs = [str(b) for b in W.PREDICT_BATCHES]
        out = ["## (d) Predict throughput\n",
               f"MNIST-shaped network (untrained), {W.PREDICT_ROWS:,} rows, "
               f"`predict(x, batch_size=b)`; samples per second (median).", "",
               "| contestant | " + " | ".join(f"batch {b}" for b in bs) + " |",
               "|---|" + "---|" * len(bs)]
        for c in self.contestants:
            r = res.get(c)
            if r is None:
                continue
            if "error" in r:
                out.append(f"| {c} | error: {r['error']} |" + " |" * (len(bs) - 1))
                continue
            cells = [fmt_n(r["rows"] / med(r["times_by_batch"][b])) for b in bs]
            out.append(f"| {c} | " + " | ".join(cells) + " |")
        return "\n".join(out) + "\n"

    def table_import(self):
        res = self.results["import"]
        out = ["## (e) Import time\n",
               "Seconds beyond `import numpy`, each in a fresh process (median).", "",
               "| statement | median | min-max | runs | heavy modules loaded |",
               "|---|---|---|---|---|"]
        for stmt, r in res.items():
            if not r["times"]:
                out.append(f"| `{stmt}` | error: {r['error']} | | | |")
                continue
            out.append(f"| `{stmt}` | {fmt_s(med(r['times']))} | {fmt_s(min(r['times']))}-{fmt_s(max(r['times']))} | "
                       f"{len(r['times'])} | {', '.join(r['heavy']) or 'none'} |")
        return "\n".join(out) + "\n"

    def allowance(self) -> int:
        """O(batch x width) working memory, generously: 16 float32 buffers of
        batch x (sum of widths), plus 8 copies of the parameters (weights, gradients,
        optimizer slots, temporaries)."""
        s = W.MNIST
        widths = [W.MNIST_FEATURES] + [u for u, _ in s.layers]
        params = sum(widths[i] * widths[i + 1] + widths[i + 1] for i in range(len(widths) - 1))
        return 16 * s.batch_size * sum(widths) * 4 + 8 * params * 4

    def memory_verdict(self, c):
        r = self.results.get("memory", {}).get(c)
        if not r or "data_bytes" not in r:
            return None, "—"
        peak = r["traced_peak"] if r["traced_peak"] is not None else r["rss_peak_growth"]
        ok = peak <= r["data_bytes"] + self.allowance()
        return ok, f"{mb(peak)} = {peak / r['data_bytes']:.2f}x data"

    def table_memory(self):
        res = self.results["memory"]
        out = ["## (f) Peak memory of fit\n",
               f"One epoch of the MNIST-shaped fit, measured after the data exist and after "
               f"a warm-up. `traced` = peak of NumPy allocations during fit (tracemalloc; "
               f"NumPy reports to it, PyTorch and TensorFlow do not); `RSS growth` = the "
               f"process's peak resident set during fit minus its resident set before. "
               f"Allowed beyond the data: one copy of it plus {mb(self.allowance())} "
               f"(O(batch x width): 16 buffers of batch x Σwidths, 8 copies of the "
               f"parameters).", "",
               "| contestant | data (x + y) | traced peak | RSS growth | peak / data | "
               "within data + O(batch x width) |", "|---|---|---|---|---|---|"]
        for c in self.contestants:
            r = res.get(c)
            if r is None:
                continue
            if "error" in r:
                out.append(f"| {c} | error: {r['error']} | | | | |")
                continue
            ok, shown = self.memory_verdict(c)
            out.append(f"| {c} | {mb(r['data_bytes'])} | {mb(r['traced_peak'])} | "
                       f"{mb(r['rss_peak_growth'])} | {shown.split('= ')[-1]} | {verdict(ok)} |")
        return "\n".join(out) + "\n"


def merge_repeats(earlier: dict | None, new: dict) -> dict:
    """One result from the repeats of several rounds: the times are pooled."""
    if earlier is None:
        return new
    merged = dict(new)
    for key in ("times", "cpu"):
        if key in new:
            merged[key] = earlier.get(key, []) + new[key]
    if "times_by_batch" in new:
        merged["times_by_batch"] = {b: earlier["times_by_batch"][b] + t
                                    for b, t in new["times_by_batch"].items()}
    return merged


def summary(w: str, r: dict) -> str:
    if w == "memory":
        return (f"traced peak {mb(r['traced_peak'])}, RSS growth {mb(r['rss_peak_growth'])}, "
                f"data {mb(r['data_bytes'])}")
    if w == "predict":
        return ", ".join(f"batch {b}: {r['rows'] / med(t):,.0f} samples/s"
                         for b, t in r["times_by_batch"].items())
    return (f"median {fmt_s(med(r['times']))} of {len(r['times'])} "
            f"(min {fmt_s(min(r['times']))}), loss {r['loss']:.4g}")


START, END = "<!-- bench-results:start -->", "<!-- bench-results:end -->"


def paste_into(path: str, report: str) -> None:
    """Replace what lies between the START and END marker lines of ``path`` by the report,
    its headings one level deeper so that it sits inside the file's own structure."""
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    if START not in doc or END not in doc:
        print(f"--readme: {path} has no {START} / {END} lines; left unchanged")
        return
    body = "\n".join("#" + ln if ln.startswith("#") else ln for ln in report.splitlines())
    head, rest = doc.split(START, 1)
    tail = rest.split(END, 1)[1]
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{head}{START}\n{body}\n{END}{tail}")
    print(f"pasted the report into {path}")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smoke run: 1 repeat each")
    ap.add_argument("--only", default=",".join(ALL_WORKLOADS),
                    help=f"comma-separated workloads from {','.join(ALL_WORKLOADS)}")
    ap.add_argument("--contestants", default=",".join(ALL_CONTESTANTS),
                    help=f"comma-separated, from {','.join(ALL_CONTESTANTS)}")
    ap.add_argument("--repeats", type=int, default=0,
                    help="timed repeats for every contestant (default: 5 for small "
                         "workloads, 3 for MNIST; Keras 3 and 1)")
    ap.add_argument("--threads", type=int, default=0,
                    help="limit every contestant to N threads (BLAS, OpenMP, torch, TF); "
                         "default: each library's own default")
    ap.add_argument("--out", default=os.path.join(HERE, "results.md"),
                    help="markdown file to write (default bench/results.md)")
    ap.add_argument("--readme", default=None,
                    help="also paste the report between the lines <!-- bench-results:start --> "
                         "and <!-- bench-results:end --> of this markdown file")
    ap.add_argument("--json", default=None, help="also write the raw results as JSON")
    ap.add_argument("--peers-python", default=os.environ.get("GLASSNET_BENCH_PEERS_PYTHON"),
                    help="an interpreter with torch and/or tensorflow, for a peer missing from this one")
    ap.add_argument("--convnet-samples", type=int, default=60000,
                    help="images in the convnet's timed epoch (default the whole of MNIST; --quick: 6,000)")
    ap.add_argument("--custom-images", type=int, default=6000,
                    help="training images of the custom loop (default 6,000)")
    ap.add_argument("--custom-epochs", type=int, default=5, help="epochs of the custom loop (default 5)")
    speed.add_options(ap, prefix="speed-")
    args = ap.parse_args(argv)
    args.only = [x.strip() for x in args.only.split(",") if x.strip()]
    args.contestants = [x.strip() for x in args.contestants.split(",") if x.strip()]
    for x in args.only:
        if x not in ALL_WORKLOADS:
            ap.error(f"unknown workload {x!r}; choose from {', '.join(ALL_WORKLOADS)}")
    for x in args.contestants:
        if x not in ALL_CONTESTANTS:
            ap.error(f"unknown contestant {x!r}; choose from {', '.join(ALL_CONTESTANTS)}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    suite = Suite(args)
    machine = machine_info()
    try:
        suite.run()
    finally:
        shutil.rmtree(suite.tmp, ignore_errors=True)
    text = suite.report(machine)
    print()
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(args.out)}")
    if args.readme:
        paste_into(args.readme, text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            results = dict(suite.results)
            if "speed" in results:        # its keys are tuples: (condition, workload, contestant)
                results["speed"] = {" / ".join(k): v for k, v in results["speed"]["results"].items()}
            json.dump({"machine": machine, "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
