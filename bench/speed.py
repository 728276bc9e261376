"""Speed, round two (issue 17): glassnet against PyTorch on the seed workload, the
MNIST-shaped epoch and a width scan of per-step times, quiet and under background load.

    python bench/speed.py                        # quiet, then with 1 busy background core
    python bench/speed.py --load 0               # quiet only
    python bench/speed.py --load 2 --repeats 5   # two busy background processes
    python bench/speed.py --only seed,w1024 --contestants glassnet
    python bench/speed.py --threads 1            # every contestant on one thread
    python bench/speed.py --out bench/speed_results.md

Each (contestant, workload, condition) runs in a fresh process (this file with
``--child``) after an untimed warm-up, with each library's default thread settings
(glassnet's default: its auto thread count, ``glassnet.threads``). "Loaded" starts
``--load`` processes that spin on the CPU for the whole pass and stops them afterwards.
Reported: the median of the repeats, and ratios: PyTorch's time over glassnet's (above 1:
glassnet is faster), and each contestant's loaded time over its quiet time (its slowdown).
PyTorch is skipped with a note when it is not installed. JAX is not a contestant yet.
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

import workloads as W  # noqa: E402

WIDTHS = (16, 64, 256, 1024)
WIDTH_STEPS = 200
WORKLOADS = ("seed", "mnist") + tuple(f"w{w}" for w in WIDTHS)


def width_spec(width: int):
    """Two hidden relu layers of ``width`` on 64 features, 10 logits, Adam, batch 32."""
    return W.Spec(f"w{width}", ((width, "relu"), (width, "relu"), (10, None)),
                  "scce_logits", "adam", 32, 1, "synthetic64")


def load_data(workload: str, digits_path: str, mnist_rows: int):
    import numpy as np  # noqa: PLC0415
    if workload == "seed":
        return W.SEED, *W.load_train_data("digits01", digits_path)
    if workload == "mnist":
        return W.MNIST, *W.synthetic_mnist(mnist_rows)
    rng = np.random.default_rng(5)
    rows = 32 * WIDTH_STEPS
    return (width_spec(int(workload[1:])), rng.standard_normal((rows, 64)).astype(np.float32),
            rng.integers(0, 10, rows).astype(np.int64))


# ---------------------------------------------------------------- one child process
def child(contestant: str, workload: str, repeats: int, digits_path: str, mnist_rows: int) -> dict:
    spec, x, y = load_data(workload, digits_path, mnist_rows)
    if contestant == "glassnet":
        import glassnet  # noqa: PLC0415
        from glassnet import keras  # noqa: PLC0415

        def build():
            keras.utils.set_random_seed(0)
            return W.build_keras_model(keras, spec, x.shape[1])

        def fit(model, xs, ys, epochs):
            h = model.fit(xs, ys, batch_size=spec.batch_size, epochs=epochs, verbose=0, shuffle=True)
            return h.history["loss"][-1]
    else:
        import peer_torch  # noqa: PLC0415
        import torch  # noqa: PLC0415
        if os.environ.get("GLASSNET_NUM_THREADS"):               # --threads N
            torch.set_num_threads(int(os.environ["GLASSNET_NUM_THREADS"]))

        def build():
            return peer_torch.build(spec, x.shape[1])

        def fit(model, xs, ys, epochs):
            return peer_torch.fit(*model, xs, ys, spec.batch_size, epochs)
    fit(build(), x[:4096], y[:4096], 1)                       # warm-up: imports, threads, caches
    times, loss = [], None
    for _ in range(repeats):
        model = build()
        t0 = time.perf_counter()
        loss = fit(model, x, y, spec.epochs)
        times.append(time.perf_counter() - t0)
    steps = spec.epochs * -(-len(x) // spec.batch_size)
    out = {"times": times, "steps": steps, "loss": float(loss)}
    if contestant == "glassnet":
        import glassnet  # noqa: PLC0415
        out["threads"] = glassnet.config.get_num_threads()
        out["kernel"] = getattr(model.optimizer.fast_state, "kernel", None) or "readable path"
    else:
        import torch  # noqa: PLC0415
        out["threads"] = torch.get_num_threads()
    return out


def run_child(args, contestant, workload, digits_path) -> dict | None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ROOT, "src") + os.pathsep + env.get("PYTHONPATH", "")
    if args.threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "GLASSNET_NUM_THREADS"):
            env[var] = str(args.threads)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", contestant, workload,
           "--repeats", str(args.repeats), "--digits", digits_path, "--mnist-rows", str(args.mnist_rows)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=args.timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"over {args.timeout} s"}
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("SPEED_RESULT "):
            return json.loads(line[len("SPEED_RESULT "):])
    tail = (p.stderr or p.stdout).strip().splitlines()
    return {"error": tail[-1][-200:] if tail else f"exit {p.returncode}"}


# ---------------------------------------------------------------- the parent
def spinners(n: int):
    code = "while True: pass"
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(n)]


def fmt(seconds: float | None, workload: str, steps: int = 1) -> str:
    if seconds is None:
        return "—"
    if workload.startswith("w"):
        return f"{seconds / steps * 1e3:.2f} ms/step"
    return f"{seconds:.3f} s"


def median(r):
    return statistics.median(r["times"]) if r and "times" in r else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", nargs=2, metavar=("CONTESTANT", "WORKLOAD"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--digits", default="")
    ap.add_argument("--mnist-rows", type=int, default=W.MNIST_ROWS)
    ap.add_argument("--only", default=",".join(WORKLOADS))
    ap.add_argument("--contestants", default="glassnet,torch")
    ap.add_argument("--load", type=int, default=1, help="busy background processes for the loaded pass (0: none)")
    ap.add_argument("--threads", type=int, default=0,
                    help="every contestant on N threads (BLAS, OpenMP, torch.set_num_threads, glassnet)")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)
    if args.child:
        result = child(*args.child, args.repeats, args.digits, args.mnist_rows)
        print("SPEED_RESULT " + json.dumps(result))
        return 0

    import importlib.util  # noqa: PLC0415
    notes = []
    contestants = [c for c in args.contestants.split(",") if c]
    if "torch" in contestants and importlib.util.find_spec("torch") is None:
        contestants.remove("torch")
        notes.append("PyTorch is not installed: skipped (pip install torch).")
    workloads = [w for w in args.only.split(",") if w]
    tmp = tempfile.mkdtemp(prefix="glassnet-speed-")
    digits_path = os.path.join(tmp, "digits.npz")
    notes.append("Digits: " + W.prepare_digits(digits_path))
    if args.threads:
        notes.append(f"--threads {args.threads}: every contestant on {args.threads} thread(s).")
    else:
        notes.append("Each library's default threads (glassnet: auto, the cores others leave free).")
    conditions = ["quiet"] + ([f"loaded ({args.load} busy)"] if args.load else [])
    results = {}
    for cond in conditions:
        procs = spinners(args.load) if cond != "quiet" else []
        try:
            time.sleep(0.5 if procs else 0)
            for w in workloads:
                for c in contestants:
                    r = run_child(args, c, w, digits_path)
                    results[cond, w, c] = r
                    print(f"[{cond}] {w:6s} {c:9s} "
                          + (r.get("error") or f"{fmt(median(r), w, r['steps'])} (threads {r.get('threads')}"
                             + (f", {r['kernel']} update)" if "kernel" in r else ")")),
                          flush=True)
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait()

    lines = ["# Speed, round two: glassnet against PyTorch, quiet and loaded", "",
             f"Machine: {os.cpu_count()} logical cores; load average at the end "
             f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}. Medians of {args.repeats} "
             f"repeats, each in a fresh process after a warm-up; MNIST-shaped: {args.mnist_rows:,} rows.", ""]
    lines += [f"- {n}" for n in notes] + [""]
    head = "| workload | condition | " + " | ".join(contestants) + (
        " | PyTorch time / glassnet's |" if "torch" in contestants and "glassnet" in contestants else " |")
    lines += [head, "|" + "---|" * (head.count("|") - 1)]
    for w in workloads:
        for cond in conditions:
            rs = {c: results.get((cond, w, c)) for c in contestants}
            cells = [fmt(median(rs[c]), w, (rs[c] or {}).get("steps", 1)) for c in contestants]
            row = f"| {w} | {cond} | " + " | ".join(cells) + " |"
            if "torch" in contestants and "glassnet" in contestants:
                g, t = median(rs["glassnet"]), median(rs["torch"])
                row += f" {t / g:.2f}x |" if g and t else " — |"
            lines.append(row)
    if len(conditions) > 1:
        lines += ["", "Slowdown under load (loaded time / quiet time; target for glassnet: <= 2x):", "",
                  "| workload | " + " | ".join(contestants) + " |", "|---|" + "---|" * len(contestants)]
        for w in workloads:
            cells = []
            for c in contestants:
                q, l = median(results.get(("quiet", w, c))), median(results.get((conditions[1], w, c)))
                cells.append(f"{l / q:.2f}x" if q and l else "—")
            lines.append(f"| {w} | " + " | ".join(cells) + " |")
    threads = {c: sorted({str((results.get((cond, w, c)) or {}).get("threads")) for cond in conditions
                          for w in workloads}) for c in contestants}
    lines += ["", "Threads at the end of each run: " + "; ".join(f"{c}: {', '.join(t)}" for c, t in threads.items())]
    report = "\n".join(lines) + "\n"
    print("\n" + report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
