"""``glassnet.learning_curve``: the course's learning curve, training and cross-validation
error against the number of training examples.

For each size ``m`` the model is built afresh (the same seed) and trained on the first ``m``
training rows; its training error is measured on those ``m`` rows and its cross-validation
error on the whole validation set, both as the course defines them: the loss without the
regularization term (``J_train``, ``J_cv``), or with ``error="misclassified"`` the fraction
of examples classified wrongly. High bias: both errors high and flat, close together, far
above the baseline. High variance: a large gap that closes as ``m`` grows.

>>> import numpy as np, glassnet
>>> x = np.random.default_rng(0).random((80, 2)).astype("float32"); y = x @ np.float32([[1.0], [2.0]])
>>> def build():
...     model = glassnet.Sequential([glassnet.Input(shape=(2,)), glassnet.layers.Dense(1)])
...     model.compile(optimizer=glassnet.optimizers.SGD(0.1), loss="mse")
...     return model
>>> curve = learning_curve(build, x, y, sizes=[10, 40], validation_split=0.25, epochs=2, table="records")
>>> [row["size"] for row in curve]
[10, 40]
"""
from __future__ import annotations

import math

import numpy as np

from .. import utils

ERRORS = ("loss", "misclassified")


def error(model, x, y, kind="loss") -> float:
    """The course's error of ``model`` on ``x, y``: the compiled loss without the penalty
    terms, or the fraction misclassified (one sigmoid output: > 0.5; several: the argmax)."""
    p = model.predict(x, verbose=0)
    if kind == "misclassified":
        y = np.asarray(y)
        if p.shape[-1] == 1:
            guess = (p.reshape(len(p)) > 0.5).astype(np.int64)
            truth = y.reshape(len(y)).astype(np.int64)
        else:
            guess = p.argmax(-1)
            truth = y.argmax(-1) if y.ndim == p.ndim else y.reshape(len(y)).astype(np.int64)
        return float(np.mean(guess != truth)) if len(y) else math.nan
    y = model.loss.check_labels(y, "y", (None,) + tuple(p.shape[1:]))
    return float(np.mean(model.loss.call(y, p)))


def learning_curve(build, x, y, *, sizes=None, validation_data=None, validation_split=0.2, epochs=10,
                   batch_size=32, seed=0, error_kind="loss", verbose=0, table="auto"):
    """Train ``build()`` (a function of no arguments returning a compiled model) on growing
    parts of ``x, y``; return a table (DataFrame or list of dicts) with ``size``,
    ``train_error``, ``cv_error`` and the trained ``model`` per size. ``sizes``: the numbers of
    training examples (default: 8 sizes from 10% to all). The validation set is
    ``validation_data``, else the last ``validation_split`` of ``x, y`` (as fit takes it)."""
    if error_kind not in ERRORS:
        raise ValueError(f"learning_curve: error_kind must be one of {ERRORS}, got {error_kind!r}")
    if not callable(build):
        raise ValueError(f"learning_curve: build must be a function returning a compiled model, got {build!r}")
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"learning_curve: x has {len(x)} rows but y has {len(y)}")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("learning_curve: validation_data must be a tuple (x_val, y_val)")
        xv, yv = (np.asarray(a) for a in validation_data)
        xt, yt = x, y
    else:
        if not (isinstance(validation_split, (int, float)) and 0 < validation_split < 1):
            raise ValueError(f"learning_curve: validation_split must be in (0, 1) without validation_data, "
                             f"got {validation_split!r}")
        split = int(math.floor(len(x) * (1 - validation_split)))
        xt, yt, xv, yv = x[:split], y[:split], x[split:], y[split:]
    if len(xt) == 0 or len(xv) == 0:
        raise ValueError(f"learning_curve: {len(xt)} training and {len(xv)} validation rows: need both")
    if sizes is None:
        sizes = sorted({max(1, round(len(xt) * f)) for f in np.linspace(0.1, 1.0, 8)})
    sizes = list(sizes)
    if not sizes:
        raise ValueError("learning_curve: sizes is empty: give at least one number of training examples")
    for i, m in enumerate(sizes):
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or not 1 <= m <= len(xt):
            raise ValueError(f"learning_curve: sizes[{i}] = {m!r} must be a whole number from 1 to {len(xt)} "
                             "(the training rows)")
    rows = []
    for m in sizes:
        utils.set_random_seed(seed)
        model = build()
        history = model.fit(xt[:m], yt[:m], epochs=epochs, batch_size=batch_size, verbose=0)
        rows.append({"size": int(m), "train_error": error(model, xt[:m], yt[:m], error_kind),
                     "cv_error": error(model, xv, yv, error_kind), "model": model, "history": history})
        if verbose:
            print(f"learning_curve: m = {m}: train {rows[-1]['train_error']:.4g}, cv {rows[-1]['cv_error']:.4g}")
    if table == "records":
        return rows
    try:
        import pandas as pd  # noqa: PLC0415
    except ImportError:
        if table == "pandas":
            raise
        return rows
    return pd.DataFrame(rows)
