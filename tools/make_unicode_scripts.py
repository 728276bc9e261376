"""Write src/glassnet/tf/unicode_scripts.py: the ICU script code TensorFlow 2.21's
tf.strings.unicode_script gives each code point, as runs (where a run starts, its code).

Run with the peers' Python: /work/peers/bin/python tools/make_unicode_scripts.py
"""
from __future__ import annotations

import pathlib

import numpy as np
import tensorflow as tf

points = np.arange(0x110000, dtype=np.int32)
codes = tf.strings.unicode_script(points).numpy()
starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
runs = list(zip(starts.tolist(), codes[starts].tolist()))

lines = ['"""The ICU script code (UScriptCode) of every code point, as TensorFlow 2.21\'s',
         "tf.strings.unicode_script gives it: ``RUNS`` holds where each run of one code starts and the",
         "code, in order. Written by tools/make_unicode_scripts.py (from TensorFlow's ICU data); do not",
         'edit by hand."""', "",
         f"# {len(runs)} runs over U+0000..U+10FFFF", "RUNS = ("]
row = []
for start, code in runs:
    row.append(f"({start}, {code}),")
    if len(" ".join(row)) > 100:
        lines.append("    " + " ".join(row))
        row = []
if row:
    lines.append("    " + " ".join(row))
lines.append(")")
target = pathlib.Path(__file__).resolve().parents[1] / "src/glassnet/tf/unicode_scripts.py"
target.write_text("\n".join(lines) + "\n")
print(f"{len(runs)} runs written to {target}")
for p in (65, 48, 32, 0x0300, 1041, 33464, 0xD800, 0x10FFFF):
    print(p, int(codes[p]))
