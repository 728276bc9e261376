"""How ``glassnet.datasets.load_csv`` compares with ``pandas.read_csv`` on a 50 MB table.

    python bench/csv_load.py                 # 50 MB, 3 epochs, 3 repeats
    python bench/csv_load.py --mb 10 --repeats 1

Issue 13's targets: reading a 50 MB CSV and training on it takes under 2x the time of
``pandas.read_csv`` plus the same ``fit``, and the reading's peak memory stays under 3x
the file's size. Each measurement runs in a fresh subprocess (so one reader's freed memory
or warm caches never help the other): it imports everything, notes its peak resident
memory, reads the file (timed), notes the peak again, then fits (timed). Printed: the
medians, and the ratios against the targets. Not a unit test: run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")

WORKER = r"""
import json, resource, sys, time
import numpy as np
import pandas as pd
import glassnet
from glassnet.layers import Dense

which, path, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def peak():
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss      # KiB on Linux
    return kib * 1024 if sys.platform != "darwin" else kib

before = peak()
t0 = time.perf_counter()
if which == "pandas":
    df = pd.read_csv(path)
    y = df.pop("y").to_numpy(dtype="float32")
    x = df.to_numpy(dtype="float32")
    del df
else:
    x, y, _ = glassnet.datasets.load_csv(path, target="y")
read = time.perf_counter() - t0
grown = peak() - before

glassnet.utils.set_random_seed(0)
model = glassnet.Sequential([glassnet.Input(shape=(x.shape[1],)), Dense(16, activation="relu"),
                             Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
t0 = time.perf_counter()
model.fit(x, y, epochs=epochs, batch_size=256, verbose=0)
fit = time.perf_counter() - t0
print(json.dumps({"read": read, "fit": fit, "memory": grown, "rows": len(x)}))
"""


def make_csv(path: str, megabytes: float, columns: int = 20, seed: int = 0) -> int:
    """A table of ``columns`` random features and a 0/1 target ``y``, about ``megabytes`` MB."""
    rng = np.random.default_rng(seed)
    header = ",".join([f"f{i}" for i in range(columns)] + ["y"]) + "\n"
    with open(path, "w") as fh:
        fh.write(header)
        written = len(header)
        while written < megabytes * 1e6:
            block = rng.normal(size=(5000, columns))
            target = (block[:, 0] + block[:, 1] > 0).astype(int)
            lines = "\n".join(",".join(f"{v:.6f}" for v in row) + f",{t}" for row, t in zip(block, target)) + "\n"
            fh.write(lines)
            written += len(lines)
    return os.path.getsize(path)


def measure(which: str, path: str, epochs: int) -> dict:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", WORKER, which, path, str(epochs)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mb", type=float, default=50.0, help="size of the generated CSV (default 50)")
    p.add_argument("--epochs", type=int, default=3, help="epochs of the fit after reading (default 3)")
    p.add_argument("--repeats", type=int, default=3, help="fresh processes per reader (default 3)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "table.csv")
        size = make_csv(path, args.mb)
        print(f"{path}: {size / 1e6:.1f} MB")
        runs = {"pandas": [], "glassnet": []}
        for _ in range(args.repeats):                 # take turns: a machine's drift falls on both
            for which in runs:
                runs[which].append(measure(which, path, args.epochs))
    med = {w: {k: statistics.median(r[k] for r in rs) for k in ("read", "fit", "memory")}
           for w, rs in runs.items()}
    for w, m in med.items():
        print(f"{w:9s} read {m['read']:.2f} s   fit {m['fit']:.2f} s   read's peak memory "
              f"{m['memory'] / 1e6:.0f} MB ({m['memory'] / size:.2f}x the file)")
    total = (med["glassnet"]["read"] + med["glassnet"]["fit"]) / (med["pandas"]["read"] + med["pandas"]["fit"])
    memory = med["glassnet"]["memory"] / size
    print(f"time  (load_csv + fit) / (pandas.read_csv + fit): {total:.2f}x  (target < 2): "
          f"{'PASS' if total < 2 else 'FAIL'}")
    print(f"read only: {med['glassnet']['read'] / med['pandas']['read']:.2f}x pandas")
    print(f"memory load_csv peak / file size: {memory:.2f}x  (target < 3): {'PASS' if memory < 3 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
