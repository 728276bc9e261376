"""Where glassnet's seed fit spends its time, beside the NumPy floor's, per training step.

    python bench/profile_seed.py                 # wall time per step, then cProfile of both
    python bench/profile_seed.py --top 30 --workload digits10
    python bench/profile_seed.py --workload mnist --rows 15000 --repeats 3

First the plain wall time of ``fit`` (median of a few, no profiler), then a cProfile of
one fit of each, its functions' own time (``tottime``) and cumulative time in
microseconds per training step. cProfile adds a roughly constant cost to every Python
call, so the profiled numbers are larger than the wall times and inflate call-heavy code:
read them for where the time goes, and the wall times for how much.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.join(os.path.dirname(HERE), "src"))

import worker  # noqa: E402
import workloads as W  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", default="seed", choices=("seed", "digits10", "mnist"))
    ap.add_argument("--rows", type=int, default=0, help="mnist: rows of synthetic data")
    ap.add_argument("--top", type=int, default=22)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    spec = W.TRAIN_SPECS[args.workload]
    digits = os.path.join("/tmp", f"glassnet-profile-digits-{os.getpid()}.npz")
    W.prepare_digits(digits)
    x, y = W.load_train_data(spec.data, digits, args.rows or None)
    os.remove(digits)
    steps = -(-x.shape[0] // spec.batch_size) * spec.epochs

    contestants = {name: worker.Contestant(name) for name in ("glassnet", "floor")}
    print(f"{args.workload}: {x.shape[0]} x {x.shape[1]}, {steps} steps\n")
    print("wall time of fit, no profiler (median of %d):" % args.repeats)
    wall = {}
    for name, c in contestants.items():
        c.fit(c.build(spec, x.shape[1]), spec, x, y, 1)  # warm-up
        times = []
        for _ in range(args.repeats):
            model = c.build(spec, x.shape[1])
            t0 = time.perf_counter()
            c.fit(model, spec, x, y, spec.epochs)
            times.append(time.perf_counter() - t0)
        wall[name] = statistics.median(times)
        print(f"  {name:9s} {wall[name]:.4f} s = {wall[name] / steps * 1e6:6.1f} µs/step")
    print(f"  glassnet / floor = {wall['glassnet'] / wall['floor']:.2f}x; "
          f"glassnet - floor = {(wall['glassnet'] - wall['floor']) / steps * 1e6:.1f} µs/step\n")

    for name, c in contestants.items():
        model = c.build(spec, x.shape[1])
        prof = cProfile.Profile()
        prof.enable()
        c.fit(model, spec, x, y, spec.epochs)
        prof.disable()
        st = pstats.Stats(prof)
        total = st.total_tt
        print(f"--- cProfile, {name}: {total / steps * 1e6:.1f} µs/step profiled "
              f"(top {args.top} by own time; µs per step)")
        print(f"  {'own':>7s} {'cum':>7s} {'calls/step':>10s}  function")
        rows = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:args.top]
        for (fn, line, func), (cc, nc, tt, ct, _) in rows:
            where = f"{os.path.basename(fn)}:{line}" if fn != "~" else "builtin"
            print(f"  {tt / steps * 1e6:7.2f} {ct / steps * 1e6:7.2f} {nc / steps:10.2f}  "
                  f"{func} ({where})")
        print()


if __name__ == "__main__":
    main()
