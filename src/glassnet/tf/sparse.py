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

__all__ = ["SparseTensor", "concat", "from_dense", "to_dense"]


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
    fill = (b"" if vals.dtype.kind == "O" else 0) if default_value is None else default_value
    fill = fill.encode("utf-8") if isinstance(fill, str) else fill            # string tensors hold bytes
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


def concat(axis, sp_inputs, expand_nonconcat_dims=False, name=None, concat_dim=None) -> SparseTensor:
    """The SparseTensors side by side along ``axis``: each one's entries moved along that axis
    by the sizes before it, in row-major order (the other sizes must agree, or with
    ``expand_nonconcat_dims`` the largest is taken)."""
    axis = concat_dim if concat_dim is not None else axis
    parts = list(sp_inputs)
    if not parts or not all(isinstance(p, SparseTensor) for p in parts):
        raise TypeError("sparse.concat: sp_inputs must be a non-empty list of tf.sparse.SparseTensor")
    shapes = [np.asarray(p.dense_shape) for p in parts]
    if len({len(sh) for sh in shapes}) != 1:
        raise ValueError(f"sparse.concat: the inputs have different ranks {[len(sh) for sh in shapes]}")
    axis = int(axis) % len(shapes[0])
    others = np.delete(np.array(shapes), axis, axis=1)
    if not expand_nonconcat_dims and (others != others[0]).any():
        raise ValueError(f"sparse.concat: the inputs' sizes off axis {axis} differ: {[sh.tolist() for sh in shapes]}")
    offsets = np.concatenate([[0], np.cumsum([sh[axis] for sh in shapes])[:-1]])
    indices = []
    for p, off in zip(parts, offsets):
        idx = np.asarray(p.indices).copy()
        idx[:, axis] += off
        indices.append(idx)
    idx = np.concatenate(indices)
    values = np.concatenate([np.asarray(p.values) for p in parts])
    order = np.lexsort(idx.T[::-1]) if len(idx) else np.zeros(0, np.int64)
    shape = np.max(np.array(shapes), axis=0)
    shape[axis] = sum(sh[axis] for sh in shapes)
    return SparseTensor(idx[order], values[order].view(Tensor), shape)


def from_dense(tensor, name=None) -> SparseTensor:
    """The nonzero entries of ``tensor`` as a SparseTensor (row-major order)."""
    arr = np.asarray(tensor)
    idx = np.argwhere(arr != 0)
    return SparseTensor(idx, arr[tuple(idx.T)] if arr.ndim else arr[arr != 0], arr.shape)
