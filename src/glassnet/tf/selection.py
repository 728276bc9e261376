"""``tf.math``'s reductions over truth values and counts, and the functions that pick or
group: ``reduce_any``/``reduce_all``, ``count_nonzero``, ``reduce_euclidean_norm``,
``top_k``/``in_top_k``, ``bincount``, ``segment_sum``/``unsorted_segment_sum``.

``top_k``'s values and the segment sums move floats, so they are index maps
(``glassnet/tf/index_map.py``) and a tape differentiates them.

>>> import glassnet as tf
>>> tf.math.top_k([1.0, 5.0, 3.0], k=2).indices.numpy()
array([1, 2], dtype=int32)
>>> tf.math.segment_sum([1.0, 2.0, 3.0], [0, 0, 1]).numpy()
array([3., 3.], dtype=float32)
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from . import vjps
from .errors import InvalidArgumentError
from .index_map import positions, put, take
from .ops import _array, _values
from .tensor import Tensor, _as_dtype, accept_symbolic, wrap

__all__ = ["reduce_any", "reduce_all", "count_nonzero", "reduce_euclidean_norm", "top_k", "in_top_k", "bincount",
           "segment_sum", "unsorted_segment_sum", "segment_mean", "unsorted_segment_mean", "segment_max", "segment_min",
           "segment_prod", "unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_prod",
           "unsorted_segment_sqrt_n"]

TopKV2 = namedtuple("TopKV2", ["values", "indices"])


def _axis(axis):
    if axis is None:
        return None
    axis = np.asarray(_array(axis)).tolist()
    return tuple(axis) if isinstance(axis, list) else int(axis)


def _bools(x, who):
    arr = np.asarray(_array(x))
    if arr.dtype != np.bool_:
        raise InvalidArgumentError(None, None, f"{who}: input_tensor must be boolean (tf.bool), got {arr.dtype}")
    return arr


def reduce_any(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Whether any entry is true, over ``axis`` (all axes by default)."""
    return wrap(np.any(_bools(input_tensor, "reduce_any"), axis=_axis(axis), keepdims=bool(keepdims)))


def reduce_all(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Whether every entry is true, over ``axis`` (all axes by default)."""
    return wrap(np.all(_bools(input_tensor, "reduce_all"), axis=_axis(axis), keepdims=bool(keepdims)))


def count_nonzero(input, axis=None, keepdims=None, dtype=np.int64, name=None) -> Tensor:  # noqa: A002
    """How many entries are not zero (not empty, for strings), over ``axis``; int64 by default."""
    arr = np.asarray(_array(input))
    nonzero = arr != (b"" if arr.dtype.kind == "O" else 0)
    return wrap(np.sum(nonzero, axis=_axis(axis), keepdims=bool(keepdims)).astype(_as_dtype(dtype)))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """``sqrt(sum x^2)`` over ``axis``;  dJ/dx = g x / norm. Integers give integers (the root
    truncated), as TensorFlow's."""
    x = _values(input_tensor)
    if x.dtype.kind in "iu":
        total = np.sum(np.asarray(_array(x)).astype(np.float64) ** 2, axis=_axis(axis), keepdims=bool(keepdims))
        return wrap(np.sqrt(total).astype(x.dtype))
    return wrap(np.sqrt(vjps.sum(x * x, axis=_axis(axis), keepdims=bool(keepdims))))


def _top_order(arr, k, who):
    if arr.ndim == 0:
        raise ValueError(f"{who}: input must have rank >= 1, got a scalar")
    if not 0 <= k <= arr.shape[-1]:
        raise InvalidArgumentError(None, None, f"{who}: k={k} must be in [0, {arr.shape[-1]}] (the size of the last axis)")
    key = -arr.astype(np.float64) if arr.dtype.kind in "iub" else -arr
    return np.argsort(key, axis=-1, kind="stable")[..., :k]        # ties: the lower index first


def top_k(input, k=1, sorted=True, index_type=np.int32, name=None):  # noqa: A002
    """``(values, indices)``: the ``k`` largest entries along the last axis, largest first
    (ties: the lower index first), and where they were;  dJ/dx = g at those positions."""
    x = _values(input)
    order = _top_order(np.asarray(_array(x)), int(_array(k)), "top_k")
    values = take(x, np.take_along_axis(positions(x.shape), order, axis=-1))
    return TopKV2(values, wrap(order.astype(_as_dtype(index_type))))


def in_top_k(targets, predictions, k, name=None) -> Tensor:
    """For each row of ``predictions`` (batch, classes): is the class ``targets[i]`` among the
    ``k`` highest? Ties at the boundary count as in, as TensorFlow's; a non-finite score never is."""
    p = np.asarray(_array(predictions))
    t = np.asarray(_array(targets))
    if p.ndim != 2 or t.shape != (p.shape[0],):
        raise ValueError(f"in_top_k: predictions must be (batch, classes) and targets (batch,), got "
                         f"{p.shape} and {t.shape}")
    if t.dtype.kind not in "iu":
        raise TypeError(f"in_top_k: targets must be integers, got {t.dtype}")
    rows = np.arange(p.shape[0])
    valid = (t >= 0) & (t < p.shape[1])
    score = p[rows, np.where(valid, t, 0)]
    above = np.sum(p > score[:, None], axis=1)
    return wrap(valid & np.isfinite(score) & np.isfinite(p).all(axis=1) & (above < int(k)))


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=np.int32, name=None, axis=None,
             binary_output=False) -> Tensor:
    """How often each value 0, 1, ... appears in ``arr`` (int32), or the sum of ``weights`` at
    each (their type); ``minlength``/``maxlength`` bound the length (values above ``maxlength``
    are dropped); ``binary_output``: 1 where a value appears."""
    a = np.asarray(_array(arr))
    if a.dtype.kind not in "iu":
        raise TypeError(f"bincount: arr must be integers, got {a.dtype}")
    if a.size and a.min() < 0:
        raise ValueError(f"bincount: arr must be >= 0, got {int(a.min())}")
    if axis not in (None, 0, -1):
        raise ValueError(f"bincount: axis must be None, 0 or -1, got {axis}")
    rows = a.reshape(-1, a.shape[-1]) if axis == -1 and a.ndim > 1 else a.reshape(1, -1)
    length = int(a.max()) + 1 if a.size else 0
    if minlength is not None:
        length = max(length, int(minlength))
    if maxlength is not None:
        length = min(length, int(maxlength))
    w = None if weights is None else np.asarray(_array(weights)).reshape(rows.shape)
    out_type = _as_dtype(dtype) if w is None or binary_output else w.dtype
    out = np.zeros((rows.shape[0], length), dtype=out_type)
    for r, row in enumerate(rows):
        keep = row < length
        np.add.at(out[r], row[keep], 1 if w is None else w[r][keep])
    if binary_output:
        out = (out != 0).astype(out_type)
    return wrap(out if axis == -1 and a.ndim > 1 else out[0])


def _segments(data, segment_ids, num_segments, who, sorted_ids):
    x = _values(data)
    ids = np.asarray(_array(segment_ids))
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{who}: segment_ids must be integers, got {ids.dtype}")
    if x.shape[:ids.ndim] != ids.shape:
        raise ValueError(f"{who}: segment_ids of shape {ids.shape} must match the first axes of data "
                         f"{x.shape}")
    if sorted_ids:
        flat = ids.reshape(-1)
        if (flat < 0).any():
            raise InvalidArgumentError(None, None, f"{who}: segment_ids must be >= 0")
        if (np.diff(flat) < 0).any():
            raise InvalidArgumentError(None, None, f"{who}: segment_ids must be sorted (non-decreasing)")
        num_segments = int(flat.max()) + 1 if flat.size else 0
    else:
        num_segments = int(_array(num_segments))
        if ids.size and ids.max() >= num_segments:
            raise InvalidArgumentError(None, None, f"{who}: segment_ids must be < num_segments={num_segments}, got {int(ids.max())}")
    inner = x.shape[ids.ndim:]
    size = int(np.prod(inner, dtype=np.int64))
    row = ids.reshape(ids.shape + (1,) * len(inner)).astype(np.int64)
    index = np.where(row >= 0, row * size + positions(inner), -1)    # negative ids: dropped, as TensorFlow's
    return x, np.broadcast_to(index, x.shape), (num_segments,) + inner, ids


def segment_sum(data, segment_ids, name=None) -> Tensor:
    """``out[s] = sum of data[i] with segment_ids[i] == s`` (ids sorted, from 0);
    dJ/ddata[i] = g[segment_ids[i]]."""
    x, index, shape, _ = _segments(data, segment_ids, None, "segment_sum", True)
    return put(x, index, shape)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """As :func:`segment_sum`, ids in any order, ``num_segments`` rows (negative ids dropped)."""
    x, index, shape, _ = _segments(data, segment_ids, num_segments, "unsorted_segment_sum", False)
    return put(x, index, shape)


def _mean(x, index, shape, ids):
    counts = np.bincount(ids[ids >= 0].reshape(-1), minlength=shape[0]).astype(x.dtype)
    counts = counts.reshape((-1,) + (1,) * (len(shape) - 1))
    return put(x, index, shape) / np.maximum(counts, 1)


def segment_mean(data, segment_ids, name=None) -> Tensor:
    """The mean of each segment (0 for an empty one)."""
    return _mean(*_segments(data, segment_ids, None, "segment_mean", True))


def unsorted_segment_mean(data, segment_ids, num_segments, name=None) -> Tensor:
    return _mean(*_segments(data, segment_ids, num_segments, "unsorted_segment_mean", False))


def _segment_reduce(x, index, shape, how, empty):
    """Each segment's max / min / product (``how``: a ufunc), ``empty`` where a segment got nothing."""
    x = np.asarray(x)
    inside = index >= 0
    start = {np.maximum: -np.inf, np.minimum: np.inf, np.multiply: 1}[how]
    out = np.full(int(np.prod(shape)), start, dtype=np.float64 if x.dtype.kind == "f" else object)
    how.at(out, index[inside], x[inside])
    hit = np.zeros(out.shape, bool)
    hit[index[inside]] = True
    return np.where(hit, out, empty).astype(x.dtype).reshape(shape)


def _extreme_rule(ans, x, index, shape, how, empty):
    """max / min: g shared equally among the entries that reach their segment's extreme (as TF)."""
    def vjp(g):
        reached = (np.asarray(vjps._plain(x)) == np.asarray(take(vjps._plain(ans), index))) & (index >= 0)
        counts = np.bincount(index[reached], minlength=int(np.prod(shape)))
        share = np.where(reached, 1.0 / np.maximum(counts[np.maximum(index, 0)], 1), 0.0)
        return take(g, index) * share.astype(np.asarray(vjps._plain(x)).dtype)
    return vjp


def _product_rule(ans, x, index, shape, how, empty):
    """prod: dJ/dx_i = g * (the product of the others in x_i's segment), zeros handled exactly."""
    def vjp(g):
        plain = np.asarray(vjps._plain(x))
        others = np.zeros(plain.shape, plain.dtype)
        for seg in np.unique(index[index >= 0]):
            where = np.flatnonzero(index.reshape(-1) == seg)
            values = plain.reshape(-1)[where]
            for k, i in enumerate(where):
                others.reshape(-1)[i] = np.prod(np.delete(values, k))
        return take(g, index) * others
    return vjp


def _segment_vjp(ans, x, index, shape, how, empty):
    return (_product_rule if how is np.multiply else _extreme_rule)(ans, x, index, shape, how, empty)


vjps.defvjp(_segment_reduce, _segment_vjp)


def _lowest(dtype, how):
    dtype = np.dtype(dtype)
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    return {np.maximum: info.min, np.minimum: info.max, np.multiply: 1}[how]


def _reduced(data, segment_ids, num_segments, how, who, sorted_ids):
    x, index, shape, _ = _segments(data, segment_ids, num_segments, who, sorted_ids)
    empty = 0 if sorted_ids and how is not np.multiply else _lowest(x.dtype, how)
    return vjps.apply(_segment_reduce, x, index=np.ascontiguousarray(index), shape=shape, how=how, empty=empty)


def segment_max(data, segment_ids, name=None) -> Tensor:
    """The largest entry of each segment (0 for an empty one);  dJ/dx: g shared among the ties."""
    return _reduced(data, segment_ids, None, np.maximum, "segment_max", True)


def segment_min(data, segment_ids, name=None) -> Tensor:
    """The smallest entry of each segment (0 for an empty one)."""
    return _reduced(data, segment_ids, None, np.minimum, "segment_min", True)


def segment_prod(data, segment_ids, name=None) -> Tensor:
    """The product of each segment (1 for an empty one);  dJ/dx_i = g * the product of the others."""
    return _reduced(data, segment_ids, None, np.multiply, "segment_prod", True)


def unsorted_segment_max(data, segment_ids, num_segments, name=None) -> Tensor:
    """As :func:`segment_max`, ids in any order; an empty segment gives the type's lowest value."""
    return _reduced(data, segment_ids, num_segments, np.maximum, "unsorted_segment_max", False)


def unsorted_segment_min(data, segment_ids, num_segments, name=None) -> Tensor:
    """As :func:`segment_min`, ids in any order; an empty segment gives the type's highest value."""
    return _reduced(data, segment_ids, num_segments, np.minimum, "unsorted_segment_min", False)


def unsorted_segment_prod(data, segment_ids, num_segments, name=None) -> Tensor:
    return _reduced(data, segment_ids, num_segments, np.multiply, "unsorted_segment_prod", False)


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None) -> Tensor:
    """Each segment's sum divided by the square root of its size (0 for an empty one)."""
    x, index, shape, ids = _segments(data, segment_ids, num_segments, "unsorted_segment_sqrt_n", False)
    counts = np.bincount(ids[ids >= 0].reshape(-1), minlength=shape[0]).astype(x.dtype)
    counts = counts.reshape((-1,) + (1,) * (len(shape) - 1))
    return put(x, index, shape) / np.sqrt(np.maximum(counts, 1))


accept_symbolic(globals(), __all__)      # tf functions on a functional model's tensors make Lambda nodes
