"""The sweep's table: one row per variant, its values, then the final and best value of each
metric (training and validation), the epochs run, how it ended; the trained model and its
history in the last two columns. A pandas DataFrame when pandas is installed, else a list
of dicts with the same keys.

"Best" is the lowest loss (or error), the highest of anything else (accuracy, AUC ...), as
``EarlyStopping``'s ``mode="auto"`` reads a metric's name.
"""
from __future__ import annotations

import math
import sys

_LOWER = ("loss", "error", "crossentropy", "mse", "mae", "hinge", "divergence")


def lower_is_better(name: str) -> bool:
    """Is a smaller value of metric ``name`` better? (loss, errors: yes; accuracy: no)"""
    name = name[4:] if name.startswith("val_") else name
    return any(word in name for word in _LOWER) or name in ("mean_squared_error", "mean_absolute_error")


def rows(results, keys) -> list[dict]:
    """One dict per result: the values under ``keys`` (the grid's names), metrics, status."""
    names = []
    for r in results:
        h = _history(r)
        for k in h:
            if k not in names:
                names.append(k)
    names.sort(key=lambda k: (k.startswith("val_"), k != "loss" and k != "val_loss", k))
    out = []
    for r in results:
        h = _history(r)
        row = {k: r["values"].get(k) for k in keys}
        for name in names:
            series = [v for v in h.get(name, []) if v is not None]
            row["final_" + name] = series[-1] if series else math.nan
            finite = [v for v in series if math.isfinite(v)]
            pick = min if lower_is_better(name) else max
            row["best_" + name] = pick(finite) if finite else math.nan
        row["train_error"] = r.get("train_error", math.nan)
        row["val_error"] = r.get("val_error", math.nan)
        row["epochs_run"] = len(h.get("loss", []))
        row["status"] = r["status"]
        row["message"] = r["message"]
        row["how"] = r["how"]
        row["seconds"] = round(float(r["seconds"]), 4)
        row["model"] = r["model"]
        row["history"] = r["history"]
        out.append(row)
    return out


def _history(result):
    h = result.get("history")
    return getattr(h, "history", h) or {}


def make(results, keys, want="auto"):
    """A DataFrame (pandas there, ``want`` "auto" or "pandas") or the list of dicts."""
    table = rows(results, keys)
    if want == "records":
        return table
    if want == "auto" and "pandas" not in sys.modules:
        try:
            import pandas  # noqa: F401, PLC0415
        except ImportError:
            return table
    import pandas as pd  # noqa: PLC0415
    frame = pd.DataFrame(table)
    return frame


def records(table) -> list[dict]:
    """The rows of a table made here, as dicts, whatever form it took."""
    if isinstance(table, list):
        return table
    return table.to_dict("records")
