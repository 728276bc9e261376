"""``tf.histogram_fixed_width`` and ``tf.histogram_fixed_width_bins``: ``nbins`` equal bins over
``value_range = [lo, hi]``; values below ``lo`` fall in the first bin, values at or above ``hi``
in the last, as TensorFlow counts them.

    bin(v) = clip(floor((v - lo) / (hi - lo) * nbins), 0, nbins - 1)

>>> import glassnet as tf
>>> tf.histogram_fixed_width(tf.constant([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0]), [0.0, 5.0], nbins=5).numpy()
array([2, 1, 1, 0, 2], dtype=int32)
"""
from __future__ import annotations

import numpy as np

from .tensor import wrap

__all__ = ["histogram_fixed_width", "histogram_fixed_width_bins"]


def _bins(values, value_range, nbins, what):
    v = np.asarray(getattr(values, "value", values))
    if v.dtype.kind not in "iuf":
        raise TypeError(f"{what}: values must be numbers, got dtype {v.dtype}")
    lo_hi = np.asarray(getattr(value_range, "value", value_range), dtype=np.float64)
    if lo_hi.shape != (2,):
        raise ValueError(f"{what}: value_range must be [lo, hi], got shape {lo_hi.shape}")
    lo, hi = lo_hi
    if not hi > lo:
        raise ValueError(f"{what}: value_range must have lo < hi, got [{lo}, {hi}]")
    nbins = int(np.asarray(nbins))
    if nbins < 1:
        raise ValueError(f"{what}: nbins must be > 0, got {nbins}")
    kind = v.dtype if v.dtype.kind == "f" else np.dtype(np.float64)
    scaled = (v.astype(kind) - kind.type(lo)) / (kind.type(hi) - kind.type(lo))
    return np.clip(np.floor(scaled * nbins), 0, nbins - 1).astype(np.int64), nbins


def histogram_fixed_width(values, value_range, nbins=100, dtype="int32", name=None):
    """The count of ``values`` in each of ``nbins`` equal bins over ``value_range`` (``dtype`` int32)."""
    bins, nbins = _bins(values, value_range, nbins, "histogram_fixed_width")
    return wrap(np.bincount(bins.ravel(), minlength=nbins).astype(np.dtype(getattr(dtype, "name", dtype))))


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype="int32", name=None):
    """The bin of each of ``values`` (same shape, ``dtype`` int32)."""
    bins, _ = _bins(values, value_range, nbins, "histogram_fixed_width_bins")
    return wrap(bins.astype(np.dtype(getattr(dtype, "name", dtype))))
