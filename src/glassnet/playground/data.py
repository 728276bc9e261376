"""The playground's data: TensorFlow Playground's four 2-D problems (and its two regression
surfaces), the input features computed from ``(x1, x2)``, the shipped 8x8 digits, and a CSV
of your own (read from the uploaded bytes, checked cell by cell).

Every generator takes ``(n, noise, rng)`` and returns ``x`` of shape ``(n, 2)`` in
``[-6, 6]`` and ``y`` of shape ``(n,)``: the "show the code" panel prints their source,
so the program it shows makes exactly these points.

>>> import numpy as np
>>> x, y = circle(200, 0.0, np.random.default_rng(0))
>>> x.shape, sorted(set(y.tolist()))
((200, 2), [0.0, 1.0])
>>> features(np.array([[1.0, 2.0]]), ["x1", "x1*x2", "x2^2"]).tolist()
[[1.0, 2.0, 4.0]]
"""
from __future__ import annotations

import csv
import io
import math

import numpy as np

__all__ = ["GENERATORS", "FEATURES", "features", "circle", "xor", "gauss", "spiral", "plane",
           "multi_gauss", "parse_csv", "TableData"]


def circle(n, noise, rng):
    """Label 1 inside a disc of radius 2.5, 0 on the ring from 3.5 to 5."""
    r = np.concatenate([rng.uniform(0, 2.5, n // 2), rng.uniform(3.5, 5, n - n // 2)])
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    y = (r < 3).astype(np.float32)
    x = x + rng.uniform(-5, 5, x.shape) * noise
    return x.astype(np.float32), y


def xor(n, noise, rng):
    """Label 1 where x1 and x2 have the same sign (the corners of a chessboard of four)."""
    x = rng.uniform(-5, 5, (n, 2))
    x = x + np.where(x > 0, 0.3, -0.3)           # a small gap around the axes
    y = (x[:, 0] * x[:, 1] >= 0).astype(np.float32)
    x = x + rng.uniform(-5, 5, x.shape) * noise
    return x.astype(np.float32), y


def gauss(n, noise, rng):
    """Two Gaussian clouds around (2, 2) (label 1) and (-2, -2) (label 0)."""
    spread = 0.5 + 7 * noise                      # TensorFlow Playground's variance range
    y = (np.arange(n) < n // 2).astype(np.float32)
    centre = np.where(y[:, None] == 1, 2.0, -2.0)
    x = centre + rng.normal(0, math.sqrt(spread), (n, 2))
    return np.clip(x, -6, 6).astype(np.float32), y


def spiral(n, noise, rng):
    """Two interleaved spirals, label 1 and 0."""
    half = n // 2
    parts = []
    for delta, label, count in ((0.0, 1.0, half), (np.pi, 0.0, n - half)):
        t = np.arange(count) / count
        r = 5 * t
        angle = 1.75 * t * 2 * np.pi + delta
        pts = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
        pts = pts + rng.uniform(-1, 1, pts.shape) * noise * 5
        parts.append((pts, np.full(count, label)))
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    return x.astype(np.float32), y.astype(np.float32)


def plane(n, noise, rng):
    """Regression: y = (x1 + x2) / 10, a tilted plane from -1 to 1."""
    x = rng.uniform(-6, 6, (n, 2))
    y = (x[:, 0] + x[:, 1]) / 12 + rng.uniform(-1, 1, n) * noise
    return x.astype(np.float32), y.astype(np.float32)


def multi_gauss(n, noise, rng):
    """Regression: a sum of six Gaussian bumps, some up and some down."""
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    x = rng.uniform(-6, 6, (n, 2))
    y = np.zeros(n)
    for cx, cy, sign in bumps:
        y += sign * np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / 2)
    y = y + rng.uniform(-1, 1, n) * noise
    return x.astype(np.float32), y.astype(np.float32)


# name -> (generator, problem)
GENERATORS = {"circle": (circle, "classification"), "xor": (xor, "classification"),
              "gauss": (gauss, "classification"), "spiral": (spiral, "classification"),
              "plane": (plane, "regression"), "multi_gauss": (multi_gauss, "regression")}

FEATURES = {
    "x1": lambda x: x[:, 0], "x2": lambda x: x[:, 1],
    "x1^2": lambda x: x[:, 0] ** 2, "x2^2": lambda x: x[:, 1] ** 2,
    "x1*x2": lambda x: x[:, 0] * x[:, 1],
    "sin(x1)": lambda x: np.sin(x[:, 0]), "sin(x2)": lambda x: np.sin(x[:, 1]),
}
# the same, as numpy code for the "show the code" panel
FEATURE_CODE = {"x1": "x[:, 0]", "x2": "x[:, 1]", "x1^2": "x[:, 0] ** 2", "x2^2": "x[:, 1] ** 2",
                "x1*x2": "x[:, 0] * x[:, 1]", "sin(x1)": "np.sin(x[:, 0])", "sin(x2)": "np.sin(x[:, 1])"}


def features(x, names) -> np.ndarray:
    """The chosen input features of 2-D points ``x`` (n, 2), as columns in ``names``' order."""
    return np.stack([FEATURES[name](x) for name in names], axis=1).astype(np.float32)


class TableData:
    """A numeric table: ``x`` (n, k) float32, ``y`` (n,), column names, and the target's
    name. ``task`` is "binary", "multiclass" or "regression" from the target's values."""

    def __init__(self, x, y, names, target, source, task=None):
        self.x, self.y, self.names, self.target, self.source = x, y, names, target, source
        values = np.unique(y)
        if task == "regression":
            self.classes = []
            self.task = "regression"
        elif np.array_equal(values, [0, 1]) or (len(values) == 2 and np.all(values == np.round(values))):
            self.classes = [float(v) for v in values]
            self.task = "binary"
        elif len(values) <= 10 and np.all(values == np.round(values)) and len(values) * 2 <= len(y):
            self.classes = [float(v) for v in values]
            self.task = "multiclass"
        else:
            self.classes = []
            self.task = "regression"
        if self.task != "regression":     # labels 0..k-1, in the order of the values
            self.y = np.searchsorted(np.asarray(self.classes), y).astype(np.float32)


MAX_CLASSES = 10


def parse_csv(raw: bytes, target: str | None = None, source: str = "upload", task: str | None = None) -> TableData:
    """Read a CSV (a header row, then numbers) from bytes. ``target``: the column to predict
    (default: the last). ``task="regression"`` predicts the target as a number even when it
    holds a few whole numbers; by default the values decide. Raises ValueError naming the line and column of a bad cell."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"{source}: not UTF-8 text (byte {e.start}): save the table as CSV UTF-8") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = [(i, r) for i, r in enumerate(csv.reader(io.StringIO(text, newline=None), delimiter=delimiter), start=1)  # \r, \r\n, \n
            if any(cell.strip() for cell in r)]
    if not rows:
        raise ValueError(f"{source}: the file is empty")
    header = [c.strip() for c in rows[0][1]]
    if len(rows) < 5:
        raise ValueError(f"{source}: {len(rows) - 1} data rows; give at least 4 rows after the header")
    if len(header) < 2:
        raise ValueError(f"{source}: one column only ({header[0]!r}); need at least one feature and a target "
                         "(is the separator a comma, a semicolon or a tab?)")
    if len(set(header)) != len(header):
        raise ValueError(f"{source}: repeated column names in the header: {header}")
    if target is None or target == "":
        target = header[-1]
    if target not in header:
        raise ValueError(f"{source}: no column {target!r}; the columns are {', '.join(header)}")
    values = np.empty((len(rows) - 1, len(header)), dtype=np.float64)
    for r, (line, row) in enumerate(rows[1:]):
        if len(row) != len(header):
            raise ValueError(f"{source}: line {line} has {len(row)} cells, the header has {len(header)}")
        for c, cell in enumerate(row):
            try:
                v = float(cell)
            except ValueError:
                raise ValueError(f"{source}: line {line}, column {header[c]!r}: {cell.strip()!r} is not a number "
                                 "(the playground takes numeric columns only)") from None
            if not math.isfinite(v) or abs(v) > 1e30:
                raise ValueError(f"{source}: line {line}, column {header[c]!r}: {cell.strip()!r} is not a finite "
                                 "number of a usable size")
            values[r, c] = v
    t = header.index(target)
    y = values[:, t]
    names = [h for i, h in enumerate(header) if i != t]
    x = np.delete(values, t, axis=1)
    data = TableData(x.astype(np.float32), y.astype(np.float32), names, target, source, task)
    n_values = len(np.unique(y))
    if task != "regression" and data.task == "regression" and np.all(y == np.round(y)) and MAX_CLASSES < n_values <= 50:
        raise ValueError(f"{source}: the target {target!r} holds {n_values} different whole numbers: too many "
                         f"classes (the playground draws at most {MAX_CLASSES}); to predict it as a number, "
                         "choose the problem type 'regression' and load the file again, or choose another target")
    return data
