"""Operations that only move numbers (tile, pad, roll, repeat, sort, boolean_mask, top_k,
scatter_nd, segment_sum, linalg.diag ...), written as one pair of recorded primitives.

Each such operation is an *index map*: an integer array ``index`` of the output's shape whose
entry is the flat position of the input number it reads (``-1``: a constant, the padding).
``np.tile(np.arange(3), 2)`` is the index map of ``tf.tile(x, [2])``; the forward is then

    take(x, index)[i] = x.flat[index[i]]      (fill where index[i] == -1)

and its vector-Jacobian product adds each output's gradient back to the position it came
from (positions read twice get both):

    put(g, index, shape)[j] = sum of g[i] over the i with index[i] == j

``put`` is itself recorded, its rule being ``take`` again, so second derivatives come free.
``put`` is also the forward of the scatters (``scatter_nd``, ``unsorted_segment_sum``), whose
rule is ``take``.

>>> import numpy as np, glassnet as tf
>>> x = tf.constant([1.0, 2.0, 3.0])
>>> with tf.GradientTape() as tape:
...     tape.watch(x)
...     y = tf.reduce_sum(tf.tile(x, [2]) * tf.constant([1.0, 1, 1, 10, 10, 10]))
>>> tape.gradient(y, x).numpy()
array([11., 11., 11.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from . import vjps


def positions(shape) -> np.ndarray:
    """The identity index map of an array of ``shape``: ``arange(size).reshape(shape)``."""
    shape = tuple(int(n) for n in shape)
    return np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)


def take(x, index, fill=0):
    """``x.flat[index]`` (``fill`` where ``index`` is -1), recorded;  dJ/dx = put(g, index)."""
    return vjps.apply(_take, x, index=np.asarray(index, dtype=np.int64), fill=fill)


def put(values, index, shape):
    """An array of ``shape``, zeros plus each ``values[i]`` added at flat position ``index[i]``
    (``index`` -1: dropped), recorded;  dJ/dvalues = take(g, index). ``values`` and ``index``
    have one shape (one position for each value)."""
    index = np.asarray(index, dtype=np.int64)
    if tuple(np.shape(values)) != index.shape:
        raise ValueError(f"put: values of shape {tuple(np.shape(values))} need an index of that shape, got {index.shape}")
    return vjps.apply(_put, values, index=index, shape=tuple(shape))


def _take(x, index, fill=0):
    flat = np.asarray(x).reshape(-1)
    inside = index >= 0
    out = flat[np.where(inside, index, 0)] if flat.size else np.zeros(index.shape, np.asarray(x).dtype)
    if not inside.all():
        out = np.where(inside, out, np.asarray(fill, dtype=out.dtype))
    return out


def _put(values, index, shape):
    values = np.asarray(values)
    out = np.zeros(int(np.prod(shape, dtype=np.int64)), dtype=values.dtype)
    inside = index >= 0
    np.add.at(out, index[inside], values[inside])
    return out.reshape(shape)


vjps.defvjp(_take, lambda ans, x, index, fill=0: lambda g: put(g, index, vjps._shape(x)))
vjps.defvjp(_put, lambda ans, values, index, shape: lambda g: take(g, index))
