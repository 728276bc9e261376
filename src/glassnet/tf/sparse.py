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

__all__ = ["SparseTensor", "add", "concat", "from_dense", "map_values", "reduce_max", "reduce_sum", "reorder", "reshape",
           "retain", "slice", "sparse_dense_matmul", "to_dense", "transpose"]


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
    from .tensor import convert_to_tensor  # noqa: PLC0415
    arr = np.asarray(convert_to_tensor(tensor))         # Python ints: int32, as TensorFlow's
    idx = np.argwhere(arr != 0)
    return SparseTensor(idx, arr[tuple(idx.T)] if arr.ndim else arr[arr != 0], arr.shape)


# -- operations on SparseTensors, as tf.sparse has them (sparse_tensor.ipynb) -----------------------
def _parts(sp, who):
    if not isinstance(sp, SparseTensor):
        raise TypeError(f"sparse.{who}: expected a tf.sparse.SparseTensor, got {type(sp).__name__}")
    return np.asarray(sp.indices), np.asarray(sp.values), np.asarray(sp.dense_shape)


def _sorted(idx, vals, shape) -> SparseTensor:
    order = np.lexsort(idx.T[::-1]) if len(idx) else np.zeros(0, np.int64)
    return SparseTensor(idx[order].reshape(-1, len(shape)), vals[order].view(Tensor), shape)


def reorder(sp_input, name=None) -> SparseTensor:
    """The same entries, their indices in row-major order."""
    return _sorted(*_parts(sp_input, "reorder"))


def add(a, b, threshold=0, name=None):
    """``a + b``: two SparseTensors give a SparseTensor (values at the same index summed, entries
    whose sum's size is under ``threshold`` dropped); a SparseTensor and a dense tensor give a dense one."""
    if not isinstance(a, SparseTensor) or not isinstance(b, SparseTensor):
        sp, dense = (a, b) if isinstance(a, SparseTensor) else (b, a)
        return wrap(np.asarray(to_dense(sp)) + np.asarray(dense))
    (ia, va, sa), (ib, vb, sb) = _parts(a, "add"), _parts(b, "add")
    if not np.array_equal(sa, sb):
        raise ValueError(f"sparse.add: the dense shapes differ: {sa.tolist()} and {sb.tolist()}")
    idx = np.concatenate([ia, ib]).reshape(-1, len(sa))
    vals = np.concatenate([va, vb.astype(va.dtype)])
    keys, where = np.unique(idx, axis=0, return_inverse=True)
    sums = np.zeros(len(keys), va.dtype)
    np.add.at(sums, where.reshape(-1), vals)
    keep = np.abs(sums) >= threshold if threshold else np.ones(len(keys), bool)
    return _sorted(keys[keep], sums[keep], sa)


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None) -> Tensor:
    """``sp_a @ b`` (2-D), ``adjoint_*`` transposing (and conjugating) first."""
    dense = np.asarray(to_dense(sp_a))
    dense = dense.conj().T if adjoint_a else dense
    other = np.asarray(b)
    other = other.conj().T if adjoint_b else other
    return wrap(np.matmul(dense, other.astype(dense.dtype, copy=False)))


def slice(sp_input, start, size, name=None) -> SparseTensor:  # noqa: A001 (TensorFlow's name)
    """The entries in the box ``[start, start + size)``, their indices made relative to ``start``;
    the box is cut to the dense shape (TensorFlow's: ``min(size, shape - start)``, at least 0)."""
    idx, vals, shape = _parts(sp_input, "slice")
    start, size = np.asarray(start, np.int64).reshape(-1), np.asarray(size, np.int64).reshape(-1)
    if len(start) != len(shape) or len(size) != len(shape):
        raise ValueError(f"sparse.slice: start and size must have {len(shape)} entries (the rank), got "
                         f"{len(start)} and {len(size)}")
    out_shape = np.maximum(np.minimum(size, shape - start), 0)
    inside = np.all((idx >= start) & (idx < start + out_shape), axis=1) if len(idx) else np.zeros(0, bool)
    return SparseTensor((idx[inside] - start).reshape(-1, len(shape)), vals[inside].view(Tensor), out_shape)


def map_values(op, *args, **kwargs) -> SparseTensor:
    """``op`` on the values of the SparseTensors among ``args`` (all of the same indices), the
    indices kept: ``tf.sparse.map_values(tf.add, st, 5)`` adds 5 to the stored values only."""
    sparse = [a for a in list(args) + list(kwargs.values()) if isinstance(a, SparseTensor)]
    if not sparse:
        raise ValueError("sparse.map_values: no SparseTensor among the arguments")
    first = np.asarray(sparse[0].indices)
    if any(not np.array_equal(np.asarray(s.indices), first) for s in sparse[1:]):
        raise ValueError("sparse.map_values: the SparseTensors' indices differ; they must be the same")
    swap = (lambda a: a.values if isinstance(a, SparseTensor) else a)
    values = op(*[swap(a) for a in args], **{k: swap(v) for k, v in kwargs.items()})
    return SparseTensor(first, values, np.asarray(sparse[0].dense_shape))


def transpose(sp_input, perm=None, name=None) -> SparseTensor:
    """The axes permuted (reversed by default), entries in row-major order again."""
    idx, vals, shape = _parts(sp_input, "transpose")
    perm = list(range(len(shape)))[::-1] if perm is None else [int(p) for p in np.asarray(perm).reshape(-1)]
    return _sorted(idx[:, perm], vals, shape[perm])


def retain(sp_input, to_retain) -> SparseTensor:
    """The entries where ``to_retain`` (one bool per entry) is True."""
    idx, vals, shape = _parts(sp_input, "retain")
    keep = np.asarray(to_retain, dtype=bool).reshape(-1)
    if len(keep) != len(vals):
        raise ValueError(f"sparse.retain: to_retain has {len(keep)} entries, the SparseTensor {len(vals)}")
    return SparseTensor(idx[keep].reshape(-1, len(shape)), vals[keep].view(Tensor), shape)


def reshape(sp_input, shape, name=None) -> SparseTensor:
    """The same entries in a dense shape of as many elements (one ``-1`` inferred)."""
    idx, vals, old = _parts(sp_input, "reshape")
    new = np.asarray(shape, np.int64).reshape(-1).copy()
    total = int(np.prod(old))
    if (new == -1).sum() == 1:
        new[new == -1] = total // max(int(np.prod(new[new != -1])), 1)
    if int(np.prod(new)) != total:
        raise ValueError(f"sparse.reshape: cannot reshape a SparseTensor of shape {old.tolist()} ({total} "
                         f"elements) into {np.asarray(shape).tolist()}")
    flat = np.ravel_multi_index(tuple(idx.T), tuple(old)) if len(idx) else np.zeros(0, np.int64)
    new_idx = np.stack(np.unravel_index(flat, tuple(new)), axis=1) if len(idx) else np.zeros((0, len(new)), np.int64)
    return SparseTensor(new_idx, vals.view(Tensor), new)


def reduce_sum(sp_input, axis=None, keepdims=False, output_is_sparse=False, name=None) -> Tensor:
    """The sum of the entries (over ``axis``), a dense tensor."""
    _parts(sp_input, "reduce_sum")
    dense = np.asarray(to_dense(sp_input))
    return wrap(np.sum(dense, axis=None if axis is None else tuple(np.atleast_1d(axis)), keepdims=keepdims,
                       dtype=dense.dtype))


def reduce_max(sp_input, axis=None, keepdims=False, output_is_sparse=False, name=None) -> Tensor:
    """The largest stored value (missing entries are not zeros here, as TensorFlow says); with
    ``axis``, the largest stored value of each slice (a slice with none: the dtype's lowest)."""
    idx, vals, shape = _parts(sp_input, "reduce_max")
    if axis is None:
        if not len(vals):
            raise ValueError("sparse.reduce_max: the SparseTensor has no entries")
        out = vals.max()
        return wrap(np.asarray(out).reshape((1,) * len(shape) if keepdims else ()))
    axes = sorted(int(a) % len(shape) for a in np.atleast_1d(axis))
    low = np.iinfo(vals.dtype).min if vals.dtype.kind in "iu" else -np.inf
    out = np.full(tuple(1 if d in axes else n for d, n in enumerate(shape)), low, dtype=vals.dtype)
    at = tuple(np.zeros(len(idx), np.int64) if d in axes else idx[:, d] for d in range(len(shape)))
    np.maximum.at(out, at, vals)
    return wrap(out if keepdims else out.squeeze(axis=tuple(axes)))
