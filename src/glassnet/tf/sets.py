"""``tf.sets``: set operations along the last axis of dense tensors (or SparseTensors), each
result a SparseTensor whose rows hold the sorted members, as TensorFlow gives it.

For inputs of shape ``(..., n)`` each row ``a[i, j, :]`` is a set (repeats count once); the
result has ``dense_shape`` ``(..., m)`` with ``m`` the largest result set, row ``r``'s members
at ``indices [*r, 0], [*r, 1], ...`` in ascending order. Integers and strings only, as in TF.

>>> import glassnet as tf
>>> s = tf.sets.intersection(tf.constant([[1, 2, 3]]), tf.constant([[3, 1, 9]]))
>>> s.values.numpy().tolist(), s.dense_shape.numpy().tolist()
([1, 3], [1, 2])
"""
from __future__ import annotations

import numpy as np

from .sparse import SparseTensor
from .tensor import wrap

__all__ = ["difference", "intersection", "size", "union"]


def _members(a, what, op):
    """``(lead shape, list of the rows' member sets, dtype)`` of a dense tensor or SparseTensor."""
    if isinstance(a, SparseTensor):
        shape = [int(n) for n in np.asarray(a.dense_shape)]
        values = np.asarray(a.values)
        indices = np.asarray(a.indices)
        lead = tuple(shape[:-1])
        rows = [set() for _ in range(int(np.prod(lead, dtype=np.int64)))]
        for index, value in zip(indices, values):
            rows[int(np.ravel_multi_index(tuple(index[:-1]), lead)) if lead else 0].add(value)
        dtype = values.dtype
    else:
        arr = np.asarray(getattr(a, "value", a))
        if arr.ndim < 2:
            raise ValueError(f"sets.{op}: {what} has shape {list(arr.shape)}, of rank {arr.ndim} < 2; the sets are "
                             "the rows along the last axis of a tensor of rank >= 2")
        lead = arr.shape[:-1]
        rows = [set(row.tolist()) for row in arr.reshape(-1, arr.shape[-1])]
        dtype = arr.dtype
    if dtype.kind not in "iuOSU":
        raise TypeError(f"sets.{op}: {what} has dtype {dtype}; TensorFlow's set operations take integers or strings")
    return lead, rows, dtype


def _operate(a, b, op, combine):
    lead_a, rows_a, dtype_a = _members(a, "a", op)
    lead_b, rows_b, dtype_b = _members(b, "b", op)
    if (dtype_a.kind in "iu") != (dtype_b.kind in "iu"):
        raise TypeError(f"sets.{op}: a ({dtype_a}) and b ({dtype_b}) must have the same dtype")
    if tuple(lead_a) != tuple(lead_b):
        raise ValueError(f"sets.{op}: a's rows {list(lead_a)} and b's rows {list(lead_b)} must match "
                         "(every axis but the last)")
    results = [sorted(_bytes(m) for m in combine(x, y)) for x, y in zip(rows_a, rows_b)]
    width = max((len(r) for r in results), default=0)
    indices = [list(np.unravel_index(i, lead_a)) + [j] if lead_a else [j]
               for i, r in enumerate(results) for j in range(len(r))]
    flat = [v for r in results for v in r]
    values = np.array(flat, dtype=dtype_a) if dtype_a.kind in "iu" else _objects(flat)
    return SparseTensor(np.array(indices, np.int64).reshape(len(flat), len(lead_a) + 1), values,
                        list(lead_a) + [width])


def _bytes(v):
    return v.encode("utf-8") if isinstance(v, str) else v


def _objects(values):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def intersection(a, b, validate_indices=True):
    """The members in both ``a`` and ``b``, row by row."""
    return _operate(a, b, "intersection", lambda x, y: x & y)


def union(a, b, validate_indices=True):
    """The members in ``a`` or ``b``, row by row."""
    return _operate(a, b, "union", lambda x, y: x | y)


def difference(a, b, aminusb=True, validate_indices=True):
    """The members of ``a`` not in ``b`` (``aminusb=False``: of ``b`` not in ``a``), row by row."""
    return _operate(a, b, "difference", (lambda x, y: x - y) if aminusb else (lambda x, y: y - x))


def size(a, validate_indices=True):
    """The number of distinct members in each row of the SparseTensor ``a`` (int32, shape ``a``'s
    dense shape without its last axis)."""
    if not isinstance(a, SparseTensor):
        raise TypeError(f"Expected `SparseTensor`, got {a}.")
    lead, rows, _ = _members(a, "a", "size")
    return wrap(np.array([len(r) for r in rows], np.int32).reshape(lead))
