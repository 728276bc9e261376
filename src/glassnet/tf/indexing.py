"""More of TensorFlow's array functions that pick, split or find positions: ``tf.slice``,
``sequence_mask``, ``searchsorted``, ``unique_with_counts``, ``dynamic_partition``,
``unravel_index``, ``reverse_sequence``, ``tensor_scatter_nd_sub``/``max``/``min``. Those
that move floats are index maps or recorded slices, so a tape differentiates them.

>>> import glassnet as tf
>>> tf.sequence_mask([1, 3], 4).numpy().tolist()
[[True, False, False, False], [True, True, True, False]]
>>> [p.numpy().tolist() for p in tf.dynamic_partition([10, 20, 30], [1, 0, 1], 2)]
[[20], [10, 30]]
"""
from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from . import errors, vjps
from .array_ops import _scatter_index, tensor_scatter_nd_add, tensor_scatter_nd_update, unique
from .errors import InvalidArgumentError
from .index_map import positions, take
from .ops import _array, _values
from .tensor import Tensor, _as_dtype, accept_symbolic, wrap

__all__ = ["slice", "strided_slice", "sequence_mask", "searchsorted", "unique_with_counts", "dynamic_partition", "unravel_index",
           "reverse_sequence", "tensor_scatter_nd_sub", "tensor_scatter_nd_max", "tensor_scatter_nd_min"]


def _ints(value, what, who):
    arr = np.asarray(_array(value))
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{who}: {what} must be integers, got {arr.dtype}")
    return arr.astype(np.int64)


def slice(input_, begin, size, name=None) -> Tensor:  # noqa: A001 (TensorFlow's name)
    """``input_[begin[i] : begin[i] + size[i]]`` along each axis (``size`` -1: to the end);
    dJ/dx = g put back in its place."""
    x = _values(input_)
    begin, size = _ints(begin, "begin", "slice").reshape(-1), _ints(size, "size", "slice").reshape(-1)
    if begin.size != x.ndim or size.size != x.ndim:
        raise InvalidArgumentError(None, None, f"slice: begin and size must have {x.ndim} entries (the rank of "
                                   f"input_), got {begin.size} and {size.size}")
    key = []
    for axis, (b, s, n) in enumerate(zip(begin.tolist(), size.tolist(), x.shape)):
        end = n if s == -1 else b + s
        if not 0 <= b <= n:
            raise errors.eager_op_error(InvalidArgumentError, "Slice", f"Expected begin[{axis}] in [0, {n}], "
                                        f"but got {b}")
        if s < -1 or end > n:
            raise errors.eager_op_error(InvalidArgumentError, "Slice", f"Expected size[{axis}] in [0, {n - b}], "
                                        f"but got {s}")
        key.append(builtins.slice(b, end))
    return vjps.getitem(x, tuple(key))


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                  shrink_axis_mask=0, var=None, name=None) -> Tensor:
    """``input_[begin[0]:end[0]:strides[0], ...]``: Python's slicing written as TensorFlow's op. Bit
    ``i`` of ``begin_mask``/``end_mask`` leaves entry ``i``'s start/stop open, of ``ellipsis_mask``
    makes it ``...``, of ``new_axis_mask`` a new axis, of ``shrink_axis_mask`` the single index
    ``begin[i]`` (the axis dropped);  dJ/dx = g put back in its place."""
    x = _values(input_)
    begin = _ints(begin, "begin", "strided_slice").reshape(-1).tolist()
    end = _ints(end, "end", "strided_slice").reshape(-1).tolist()
    strides = [1] * len(begin) if strides is None else _ints(strides, "strides", "strided_slice").reshape(-1).tolist()
    if not len(begin) == len(end) == len(strides):
        raise ValueError(f"strided_slice: begin, end and strides must have the same length, got {len(begin)}, "
                         f"{len(end)} and {len(strides)}")
    if 0 in strides:
        raise errors.eager_op_error(InvalidArgumentError, "StridedSlice", "strides[{}] must be non-zero"
                                    .format(strides.index(0)))
    key = []
    for i, (b, e, st) in enumerate(zip(begin, end, strides)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            key.append(b)
        else:
            key.append(builtins.slice(None if begin_mask & bit else b, None if end_mask & bit else e, st))
    return vjps.getitem(x, tuple(key))


def sequence_mask(lengths, maxlen=None, dtype=np.bool_, name=None) -> Tensor:
    """``mask[..., j] = j < lengths[...]``, ``maxlen`` columns (the longest length by default)."""
    n = _ints(lengths, "lengths", "sequence_mask")
    width = int(n.max()) if maxlen is None and n.size else int(_array(maxlen)) if maxlen is not None else 0
    return wrap((np.arange(width) < n[..., None]).astype(_as_dtype(dtype)))


def searchsorted(sorted_sequence, values, side="left", out_type=np.int32, name=None) -> Tensor:
    """For each value, where it would go in ``sorted_sequence`` (its last axis; leading axes
    are rows searched one by one) to keep it sorted; ``side="right"``: after equal entries."""
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    seq, vals = np.asarray(_array(sorted_sequence)), np.asarray(_array(values))
    if seq.ndim == 0 or seq.shape[:-1] != vals.shape[:-1]:
        raise InvalidArgumentError(None, None, f"searchsorted: sorted_sequence {seq.shape} and values {vals.shape} "
                                   "must agree on all axes but the last")
    rows_s, rows_v = seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1] if vals.ndim else 1)
    out = np.stack([np.searchsorted(s, v, side=side) for s, v in zip(rows_s, rows_v)]) if len(rows_s) else \
        np.zeros(rows_v.shape, np.int64)
    return wrap(out.reshape(vals.shape).astype(_as_dtype(out_type)))


UniqueWithCounts = namedtuple("UniqueWithCounts", ["y", "idx", "count"])


def unique_with_counts(x, out_idx=np.int32, name=None):
    """``(y, idx, count)``: :func:`unique`'s answer and how often each value appears."""
    y, idx = unique(x, out_idx)
    count = np.bincount(np.asarray(idx), minlength=len(np.asarray(y))).astype(_as_dtype(out_idx))
    return UniqueWithCounts(y, idx, wrap(count))


def dynamic_partition(data, partitions, num_partitions, name=None) -> list:
    """``num_partitions`` tensors: the ``i``-th holds the slices of ``data`` whose partition is
    ``i``, in order;  each slice's gradient goes back to it."""
    x = _values(data)
    p = _ints(partitions, "partitions", "dynamic_partition")
    n = int(num_partitions)
    if x.shape[:p.ndim] != p.shape:
        raise InvalidArgumentError(None, None, f"dynamic_partition: partitions {p.shape} must be a prefix of "
                                   f"data's shape {x.shape}")
    if p.size and (p.min() < 0 or p.max() >= n):
        raise InvalidArgumentError(None, None, f"dynamic_partition: partitions must be in [0, {n}), got values "
                                   f"{int(p.min())}..{int(p.max())}")
    index = positions(x.shape)
    return [take(x, index[p == i]) for i in range(n)]


def unravel_index(indices, dims, name=None) -> Tensor:
    """The coordinates of flat ``indices`` in an array of shape ``dims`` (one row per axis)."""
    idx = _ints(indices, "indices", "unravel_index")
    shape = tuple(_ints(dims, "dims", "unravel_index").reshape(-1).tolist())
    if idx.size and (idx.min() < 0 or idx.max() >= int(np.prod(shape))):
        raise InvalidArgumentError(None, None, f"unravel_index: indices must be in [0, {int(np.prod(shape))})")
    dtype = np.asarray(_array(indices)).dtype
    return wrap(np.stack(np.unravel_index(idx, shape)).astype(dtype))


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=0, name=None) -> Tensor:  # noqa: A002
    """For each ``b`` along ``batch_axis``, the first ``seq_lengths[b]`` entries along
    ``seq_axis`` reversed, the rest left in place."""
    x = _values(input)
    if seq_axis is None:
        raise ValueError("reverse_sequence: seq_axis is required")
    lengths = _ints(seq_lengths, "seq_lengths", "reverse_sequence").reshape(-1)
    seq_axis, batch_axis = int(seq_axis) % x.ndim, int(batch_axis) % x.ndim
    if lengths.size != x.shape[batch_axis] or (lengths > x.shape[seq_axis]).any() or (lengths < 0).any():
        raise InvalidArgumentError(None, None, f"reverse_sequence: seq_lengths must have {x.shape[batch_axis]} "
                                   f"entries in [0, {x.shape[seq_axis]}], got {lengths.tolist()}")
    index = np.moveaxis(positions(x.shape), (batch_axis, seq_axis), (0, 1)).copy()
    for b, n in enumerate(lengths.tolist()):
        index[b, :n] = index[b, :n][::-1].copy()
    return take(x, np.moveaxis(index, (0, 1), (batch_axis, seq_axis)))


def tensor_scatter_nd_sub(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` minus ``updates`` at ``indices`` (repeated indices add up)."""
    return tensor_scatter_nd_add(tensor, indices, -_values(updates))


def _extreme(tensor, indices, updates, pick, who):
    x, u = _values(tensor), _values(updates)
    index, _ = _scatter_index(indices, x.shape, u.shape, who)
    flat = index.reshape(-1)
    if len(np.unique(flat)) != flat.size:
        raise InvalidArgumentError(None, None, f"{who}: repeated indices are not supported here")
    current = take(x, index)
    return tensor_scatter_nd_update(x, indices, pick(current, u))


def tensor_scatter_nd_max(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` with the entries at ``indices`` raised to ``updates`` where those are larger."""
    return _extreme(tensor, indices, updates, np.maximum, "tensor_scatter_nd_max")


def tensor_scatter_nd_min(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` with the entries at ``indices`` lowered to ``updates`` where those are smaller."""
    return _extreme(tensor, indices, updates, np.minimum, "tensor_scatter_nd_min")


accept_symbolic(globals(), __all__)      # tf functions on a functional model's tensors make Lambda nodes
