"""How long seeded models take to build: VGG19(weights=None) (143M weights drawn by TensorFlow's
Philox, glassnet/tf/philox.py) and the seed program's 25-15-1 network, each in a fresh process,
alternating with a baseline tree when one is given (round-robin, same thread count).

    python bench/seeded_build.py --rounds 3
    git archive b7a729d src | tar -x -C /tmp/old && python bench/seeded_build.py --baseline /tmp/old/src

Prints each run's wall and CPU seconds, the load average, and per contestant the median.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, os, time
import glassnet as tf
tf.keras.utils.set_random_seed(1)
w0, c0 = time.perf_counter(), time.process_time()
tf.keras.applications.VGG19(weights=None)
w1, c1 = time.perf_counter(), time.process_time()
for _ in range(200):
    tf.keras.Sequential([tf.keras.Input((25,)), tf.keras.layers.Dense(15, activation="relu"),
                         tf.keras.layers.Dense(1, activation="sigmoid")])
w2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"vgg_wall": w1 - w0, "vgg_cpu": c1 - c0, "small_ms_wall": (w2 - w1) * 5, "small_ms_cpu": (c2 - c1) * 5,
                  "load": os.getloadavg()[0]}))
"""


def run(src: str, threads: int) -> dict:
    env = {**os.environ, "PYTHONPATH": src, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads)}
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--baseline", help="a src/ folder of another glassnet to alternate with")
    args = ap.parse_args()
    here = str(Path(__file__).resolve().parents[1] / "src")
    contestants = [("current", here)] + ([("baseline", args.baseline)] if args.baseline else [])
    results = {name: [] for name, _ in contestants}
    for r in range(args.rounds):
        for name, src in contestants if r % 2 == 0 else contestants[::-1]:
            got = run(src, args.threads)
            results[name].append(got)
            print(f"round {r} {name:8s} VGG19 {got['vgg_wall']:6.2f} s wall {got['vgg_cpu']:6.2f} s CPU; "
                  f"25-15-1 {got['small_ms_wall']:.3f} ms wall {got['small_ms_cpu']:.3f} ms CPU; load {got['load']:.1f}")
    for name, runs in results.items():
        med = {k: statistics.median(x[k] for x in runs) for k in runs[0]}
        print(f"median {name:8s} VGG19 {med['vgg_cpu']:.2f} s CPU ({med['vgg_wall']:.2f} wall); "
              f"25-15-1 {med['small_ms_cpu']:.3f} ms CPU")


if __name__ == "__main__":
    main()
