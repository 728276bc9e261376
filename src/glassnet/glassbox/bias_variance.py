"""The course's bias/variance figures, from a sweep's table or a learning curve's.

- :func:`bias_variance`: training and cross-validation error against one of the swept values
  (the polynomial degree, the regularization parameter lambda, the units), with the best
  value marked and an optional baseline (human-level performance, a competing algorithm).
  Left of the best, both errors high: high bias (underfitting); right of it (degree, units)
  or left of it (lambda), training error low and cross-validation error high: high variance.
- :func:`learning_curve`: the errors against the training-set size (``glassnet.learning_curve``).

Variants that differ in other values (seeds) are averaged at each x. matplotlib is imported
only here, when a figure is drawn; each function returns a ``Figure``.

>>> rows = [{"lambda": l, "train_error": t, "val_error": v} for l, t, v in
...         [(0.0, 0.01, 0.30), (0.01, 0.05, 0.12), (1.0, 0.40, 0.42)]]
>>> fig = bias_variance(rows, x="lambda", baseline=0.1)
>>> fig.axes[0].get_xlabel()
'lambda'
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["bias_variance", "learning_curve", "curve_points"]

_TRAIN = ("train_error", "final_loss")
_CV = ("val_error", "final_val_loss")


def _records(table) -> list[dict]:
    if hasattr(table, "to_dict"):
        return table.to_dict("records")
    if isinstance(table, (list, tuple)) and all(isinstance(r, dict) for r in table):
        return list(table)
    raise ValueError("bias_variance: table must be what glassnet.sweep returns (a DataFrame or a list of dicts)")


def _column(rows, choices, what):
    for name in choices:
        if any(name in r and _finite(r[name]) for r in rows):
            return name
    raise ValueError(f"bias_variance: the table has no {what} column ({' or '.join(choices)})")


def _finite(v):
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def curve_points(table, x, train=None, cv=None):
    """``(xs, train errors, cv errors, labels)``: the mean of each error over the rows at
    each value of ``x`` (rows without finite errors left out), in the order of x."""
    rows = _records(table)
    if not rows:
        raise ValueError("bias_variance: the table is empty")
    if not any(x in r for r in rows):
        raise ValueError(f"bias_variance: x={x!r} is not a column of the table (its columns: {', '.join(rows[0])})")
    train = train or _column(rows, _TRAIN, "training error")
    cv = cv or _column(rows, _CV, "cross-validation error")
    groups: dict = {}
    for r in rows:
        if _finite(r.get(train)) and _finite(r.get(cv)):
            key = r[x]
            key = tuple(key) if isinstance(key, list) else key
            groups.setdefault(key, []).append((float(r[train]), float(r[cv])))
    if not groups:
        raise ValueError("bias_variance: no row has finite training and cross-validation errors")
    try:
        keys = sorted(groups)
    except TypeError:
        keys = list(groups)
    numeric = all(isinstance(k, (int, float, np.integer, np.floating)) and not isinstance(k, bool) for k in keys)
    xs = [float(k) for k in keys] if numeric else list(range(len(keys)))
    tr = [float(np.mean([a for a, _ in groups[k]])) for k in keys]
    va = [float(np.mean([b for _, b in groups[k]])) for k in keys]
    return xs, tr, va, [str(k) for k in keys]


def bias_variance(table, x="lambda", *, train=None, cv=None, baseline=None, log_x=None, title=None, ax=None):
    """Training and cross-validation error against the swept value ``x`` (a column of the
    table), as the course draws them; the lowest cross-validation error is marked. ``log_x``:
    a log axis (default: when x spans two decades of positive values or more; a lambda of 0
    is drawn at the left edge)."""
    from .plot import _figure  # noqa: PLC0415 - matplotlib only now
    xs, tr, va, labels = curve_points(table, x, train, cv)
    positive = [v for v in xs if v > 0]
    if log_x is None:
        log_x = len(positive) >= 2 and max(positive) / min(positive) >= 100
    shown = list(xs)
    if log_x:
        floor = min(positive) / 10 if positive else 1e-3
        shown = [v if v > 0 else floor for v in xs]
    if ax is None:
        fig = _figure((5.6, 3.8))
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    ax.plot(shown, tr, "o-", label="training error (J_train)")
    ax.plot(shown, va, "s--", label="cross-validation error (J_cv)")
    best = int(np.argmin(va))
    ax.axvline(shown[best], color="gray", lw=0.8, ls=":")
    ax.annotate(f"best {x} = {labels[best]}", (shown[best], va[best]), textcoords="offset points",
                xytext=(6, 8), fontsize=8)
    if baseline is not None:
        ax.axhline(float(baseline), color="green", lw=1, ls="-.", label="baseline")
    if log_x:
        ax.set_xscale("log")
    if not all(isinstance(v, float) for v in xs) or xs == list(range(len(xs))):
        ax.set_xticks(shown)
        ax.set_xticklabels(labels)
    ax.set_xlabel(x)
    ax.set_ylabel("error")
    ax.set_title(title or f"bias and variance against {x}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def learning_curve(table, *, baseline=None, title=None, ax=None):
    """The learning curve (``glassnet.learning_curve``'s table): training and cross-validation
    error against the training-set size ``m``. (``glassnet.plot.learning_curves``, plural,
    draws a History's loss against epochs.)"""
    from .plot import _figure  # noqa: PLC0415
    rows = _records(table)
    for need in ("size", "train_error", "cv_error"):
        if not rows or need not in rows[0]:
            raise ValueError(f"learning_curve: the table has no {need!r} column: give what "
                             "glassnet.learning_curve returns")
    rows = sorted(rows, key=lambda r: r["size"])
    if ax is None:
        fig = _figure((5.6, 3.8))
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    m = [r["size"] for r in rows]
    ax.plot(m, [r["train_error"] for r in rows], "o-", label="training error (J_train)")
    ax.plot(m, [r["cv_error"] for r in rows], "s--", label="cross-validation error (J_cv)")
    if baseline is not None:
        ax.axhline(float(baseline), color="green", lw=1, ls="-.", label="baseline")
    ax.set_xlabel("m (training set size)")
    ax.set_ylabel("error")
    ax.set_title(title or "learning curve")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
