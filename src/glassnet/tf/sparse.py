"""``tf.sparse``: a ``SparseTensor`` (the nonzero entries of a tensor: their positions and
values) and ``to_dense``, as TensorFlow's text-generation tutorial builds its mask of ids
never to predict::

    sparse_mask = tf.sparse.SparseTensor(values=[-float('inf')] * len(skip_ids),
                                         indices=skip_ids, dense_shape=[vocab_size])
    prediction_mask = tf.sparse.to_dense(sparse_mask)

``indices`` ``(n, rank)`` int64, one row per entry; ``values`` ``(n,)``; ``dense_shape``
``(rank,)``. ``to_dense`` writes each value at its position over ``default_value`` (0); with
``validate_indices`` (TensorFlow's default) positions out of range, repeated, or out of
row-major order are refused, naming the entry.

>>> import glassnet as tf
>>> s = tf.sparse.SparseTensor(indices=[[0, 1], [1, 0]], values=[5.0, 7.0], dense_shape=[2, 3])
>>> tf.sparse.to_dense(s).numpy().tolist()
[[0.0, 5.0, 0.0], [7.0, 0.0, 0.0]]
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor, TensorShape, wrap

__all__ = ["SparseTensor", "from_dense", "to_dense"]


class SparseTensor:
    """``SparseTensor(indices, values, dense_shape)``: ``indices`` ``(n, rank)``, ``values``
    ``(n,)``, ``dense_shape`` ``(rank,)``; the three kept as Tensors (int64, values' own dtype,
    int64). Invalid shapes are refused here; positions are checked by :func:`to_dense`."""

    def __init__(self, indices, values, dense_shape):
        from .tensor import convert_to_tensor  # noqa: PLC0415
        idx = np.asarray(indices)
        vals = np.asarray(convert_to_tensor(values)).view(np.ndarray)    # Python floats: float32, ints: int32
        shape = np.asarray(dense_shape)
        if shape.ndim != 1 or (shape.size and shape.dtype.kind not in "iu") or (shape < 0).any():
            raise ValueError(f"SparseTensor: dense_shape must be a list of sizes >= 0, got {dense_shape!r}")
        if idx.size == 0:
            idx = idx.reshape(0, shape.size).astype(np.int64)
        if idx.ndim != 2 or idx.dtype.kind not in "iu":
            raise ValueError(f"SparseTensor: indices must be integers of shape (entries, rank), got shape "
                             f"{idx.shape}, dtype {idx.dtype}")
        if idx.shape[1] != shape.size:
            raise ValueError(f"SparseTensor: indices have {idx.shape[1]} coordinate(s) per entry but dense_shape "
                             f"{shape.tolist()} has rank {shape.size}")
        if vals.ndim != 1 or vals.shape[0] != idx.shape[0]:
            raise ValueError(f"SparseTensor: values must be 1-D with one value per index row ({idx.shape[0]}), "
                             f"got shape {vals.shape}")
        self.indices, self.values = wrap(idx.astype(np.int64)), wrap(vals)
        self.dense_shape = wrap(shape.astype(np.int64))

    @property
    def shape(self) -> TensorShape:
        return TensorShape(int(d) for d in np.asarray(self.dense_shape))

    @property
    def dtype(self):
        return self.values.dtype

    def __repr__(self):                   # as TensorFlow's: its three tensors, printed
        return f"SparseTensor(indices={self.indices!s}, values={self.values!s}, dense_shape={self.dense_shape!s})"


def to_dense(sp_input, default_value=None, validate_indices=True, name=None) -> Tensor:
    """The dense tensor: ``default_value`` (0) everywhere, each entry's value at its index."""
    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"sparse.to_dense: sp_input must be a tf.sparse.SparseTensor, got {type(sp_input).__name__}")
    idx, vals, shape = np.asarray(sp_input.indices), np.asarray(sp_input.values), sp_input.shape
    fill = 0 if default_value is None else default_value
    out = np.full(shape, fill, dtype=vals.dtype)
    if validate_indices:
        for k, row in enumerate(idx):
            if any(not 0 <= c < s for c, s in zip(row, shape)):
                raise ValueError(f"sparse.to_dense: indices[{k}] = {row.tolist()} is out of bounds for dense_shape "
                                 f"{list(shape)}")
            if k and tuple(row) <= tuple(idx[k - 1]):
                what = "repeated" if tuple(row) == tuple(idx[k - 1]) else "out of order"
                raise ValueError(f"sparse.to_dense: indices[{k}] = {row.tolist()} is {what} (indices must be "
                                 "unique and in row-major order; tf.sparse.reorder sorts them)")
    if len(idx):
        out[tuple(idx.T)] = vals
    return wrap(out)


def from_dense(tensor, name=None) -> SparseTensor:
    """The nonzero entries of ``tensor`` as a SparseTensor (row-major order)."""
    arr = np.asarray(tensor)
    idx = np.argwhere(arr != 0)
    return SparseTensor(idx, arr[tuple(idx.T)] if arr.ndim else arr[arr != 0], arr.shape)
