"""TensorFlow's array functions that beginner programs call (``tf.linspace``, ``tf.reshape``,
``tf.expand_dims``, ...): NumPy's, under TensorFlow's names and defaults, each returning a
:class:`glassnet.tensor.Tensor`. Python floats become float32 and ints int32, as in TensorFlow.

>>> import glassnet as tf
>>> tf.linspace(0.0, 250, 6).numpy()
array([  0.,  50., 100., 150., 200., 250.], dtype=float32)
>>> tf.expand_dims(tf.constant([1.0, 2.0]), 0).shape
TensorShape([1, 2])
"""
from __future__ import annotations


import numpy as np

from . import vjps
from . import errors
from . import data_sized
from .errors import InvalidArgumentError
from .index_map import positions, take
from .tensor import Tensor, _as_dtype, cast, convert_to_tensor, sized_by_data, wrap, accept_symbolic
from .variable import Variable

__all__ = ["linspace", "range", "zeros", "ones", "zeros_like", "ones_like", "reshape", "expand_dims",
           "squeeze", "concat", "stack", "transpose", "matmul", "one_hot", "where", "clip_by_value", "shape",
           "size", "fill", "gather", "gather_nd", "identity", "broadcast_to", "tile", "split", "unstack",
           "reverse", "einsum", "cast", "clip_by_norm", "clip_by_global_norm"]       # (cast is tensor.py's, here taking symbolic tensors too)


def _array(x) -> np.ndarray:
    """A plain array (for what is never differentiated: shapes, indices, conditions)."""
    if isinstance(x, Variable):
        return x.value
    return np.asarray(x) if isinstance(x, np.ndarray) else convert_to_tensor(x).view(np.ndarray)


def _values(x):
    """A Tensor or Variable as it is (a tape follows it), anything else as a Tensor with
    TensorFlow's types for Python numbers."""
    if isinstance(x, (Tensor, Variable)):
        return x
    return np.asarray(x).view(Tensor) if isinstance(x, np.ndarray) else convert_to_tensor(x)


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop``, both included: the first float's
    type (float32 for Python floats), float64 when both are integers, as TensorFlow's."""
    floats = [a.dtype for a in (_array(start), _array(stop)) if a.dtype.kind == "f"]
    dtype = floats[0] if floats else np.dtype(np.float64)        # tf.linspace(-2, 2, 5) is float64
    return wrap(np.linspace(start, stop, int(num), axis=axis).astype(dtype))


builtins_range = range


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001 (TensorFlow's name)
    """``start, start + delta, ...`` below ``limit`` (``range(5)`` is 0..4, int32 for Python ints)."""
    if limit is None:
        start, limit = 0, start
    kinds = [_array(v).dtype for v in (start, limit, delta)]   # (Python ints: int32, floats: float32)
    default = max(kinds, key=lambda k: _RANGE_TYPES.index(k) if k in _RANGE_TYPES else -1)
    out = wrap(np.arange(_array(start), _array(limit), _array(delta)).astype(_as_dtype(dtype) or default))
    return data_sized.sized_by_values(out, start, limit, delta)         # a tensor's n: None in a map's spec


# TensorFlow's order for range's type when none is given: the widest of its arguments'.
_RANGE_TYPES = [np.dtype(t) for t in ("int32", "int64", "float16", "float32", "float64")]


def zeros(shape, dtype=np.float32, name=None) -> Tensor:
    return data_sized.filled(wrap(np.zeros(shape, dtype=_as_dtype(dtype))), shape)     # (tensor sizes: None)


def ones(shape, dtype=np.float32, name=None) -> Tensor:
    return data_sized.filled(wrap(np.ones(shape, dtype=_as_dtype(dtype))), shape)


def zeros_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002
    return wrap(np.zeros_like(_array(input), dtype=_as_dtype(dtype)))


def ones_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002
    return wrap(np.ones_like(_array(input), dtype=_as_dtype(dtype)))


def reshape(tensor, shape, name=None) -> Tensor:
    x, shape = _values(tensor), tuple(np.asarray(_array(shape)).reshape(-1).tolist())
    size = int(np.size(x)) if isinstance(x, (np.ndarray, Variable)) else None       # None: a symbolic tensor
    known = int(np.prod([d for d in shape if d != -1]))
    if size is not None and ((-1 in shape and (known == 0 or size % known)) or (-1 not in shape and known != size)):
        need = f"requires a multiple of {known}" if -1 in shape else f"has {known}"
        raise errors.eager_op_error(errors.InvalidArgumentError, "Reshape", f"Input to reshape is a tensor with "
                                    f"{size} values, but the requested shape {need}")
    return vjps.reshape(x, shape=shape)


def expand_dims(input, axis, name=None) -> Tensor:  # noqa: A002
    return vjps.expand_dims(_values(input), axis=axis)


def squeeze(input, axis=None, name=None) -> Tensor:  # noqa: A002
    return vjps.squeeze(_values(input), axis=tuple(axis) if isinstance(axis, list) else axis)


def concat(values, axis, name="concat") -> Tensor:
    return data_sized.concatenated(vjps.concatenate(*[_values(v) for v in values], axis=axis), values, int(axis))


def stack(values, axis=0, name="stack") -> Tensor:
    return data_sized.stacked(vjps.stack(*[_values(v) for v in values], axis=axis), values, int(axis))


def unstack(value, num=None, axis=0, name="unstack") -> list:
    """The slices along ``axis``, as a list."""
    value = _values(value)
    n = value.shape[axis]
    return [vjps.getitem(value, (slice(None),) * (axis % value.ndim) + (i,)) for i in builtins_range(n)]


def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """``value`` cut along ``axis`` into equal parts (a number) or parts of the given sizes (a list)."""
    value = _values(value)
    n = value.shape[axis]
    if isinstance(num_or_size_splits, (int, np.integer)):
        if n % int(num_or_size_splits):
            raise ValueError(f"split: dimension {axis} of size {n} cannot be split into {num_or_size_splits} "
                             "equal parts")
        sizes = [n // int(num_or_size_splits)] * int(num_or_size_splits)
    else:
        sizes = [int(s) for s in np.asarray(_array(num_or_size_splits)).tolist()]
        if sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} add up to {sum(sizes)}, not {n}")
    out, start = [], 0
    for size_ in sizes:
        out.append(vjps.getitem(value, (slice(None),) * (axis % value.ndim) + (slice(start, start + size_),)))
        start += size_
    return out


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None) -> Tensor:
    """``params`` picked at ``indices`` along ``axis`` (0 by default): ``out[..., i, ...] =
    params[..., indices[i], ...]``;  dJ/dparams adds each picked row's gradient back."""
    if batch_dims:
        raise ValueError("gather: batch_dims other than 0 is not supported")
    params = _values(params)
    idx = _array(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather: indices must be integers, got {idx.dtype}")
    axis = 0 if axis is None else int(axis) % params.ndim
    if idx.size and (idx.min() < 0 or idx.max() >= params.shape[axis]):
        bad = int(np.flatnonzero((idx.reshape(-1) < 0) | (idx.reshape(-1) >= params.shape[axis]))[0])
        where = ",".join(str(int(i)) for i in np.unravel_index(bad, idx.shape))
        raise errors.eager_op_error(InvalidArgumentError, "GatherV2", f"indices[{where}] = "
                                    f"{int(idx.reshape(-1)[bad])} is not in [0, {params.shape[axis]})")
    return vjps.getitem(params, (slice(None),) * axis + (idx,))


def gather_nd(params, indices, batch_dims=0, name=None) -> Tensor:
    """``out[i...] = params[indices[i..., 0], indices[i..., 1], ...]`` (the last axis of
    ``indices`` indexes ``params``' first axes);  dJ/dparams adds each gradient back."""
    if batch_dims:
        raise ValueError("gather_nd: batch_dims other than 0 is not supported")
    params = _values(params)
    idx = _array(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather_nd: indices must be integers, got {idx.dtype}")
    if idx.ndim == 0 or idx.shape[-1] > params.ndim:
        raise ValueError(f"gather_nd: indices of shape {idx.shape} cannot index params of shape {params.shape}")
    outside = np.zeros(idx.shape[:-1], bool)
    for k in builtins_range(idx.shape[-1]):
        outside |= (idx[..., k] < 0) | (idx[..., k] >= params.shape[k])
    if outside.any():
        where = tuple(int(i) for i in np.argwhere(outside)[0])
        raise errors.eager_op_error(InvalidArgumentError, "GatherNd", f"indices[{','.join(map(str, where))}] = "
                                    f"{idx[where].tolist()} does not index into param shape "
                                    f"[{','.join(map(str, params.shape))}], node name: GatherNd")
    return vjps.getitem(params, tuple(idx[..., k] for k in builtins_range(idx.shape[-1])))


def einsum(equation, *inputs, **kwargs) -> Tensor:
    """``tf.einsum``: sums of products named by letters (``"ij,jk->ik"`` is a matmul);
    dJ/dx_k = einsum(the others and g -> x_k's letters)."""
    values = [_values(x) for x in inputs]
    out = vjps.einsum(equation, *values) if "." not in equation else NotImplemented
    return wrap(np.einsum(equation, *values)) if out is NotImplemented else out


def identity(input, name=None) -> Tensor:  # noqa: A002
    """The same numbers (a new Tensor);  dJ/dx = g."""
    return vjps.identity(_values(input))


def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002
    return vjps.broadcast_to(_values(input), tuple(np.asarray(_array(shape)).tolist()))


def tile(input, multiples, name=None) -> Tensor:  # noqa: A002
    """``input`` repeated ``multiples[i]`` times along axis ``i``;  dJ/dx adds up the copies
    (an index map: ``glassnet/tf/index_map.py``)."""
    x = _values(input)
    reps = np.asarray(_array(multiples)).reshape(-1)
    if reps.dtype.kind not in "iu" and reps.size:
        raise TypeError(f"tile: multiples must be integers, got {reps.dtype}")
    if reps.size != x.ndim:
        raise InvalidArgumentError(None, None, f"tile: multiples has {reps.size} entries, input has rank {x.ndim}")
    if (reps < 0).any():
        raise ValueError(f"tile: multiples must be >= 0, got {reps.tolist()}")
    return take(x, np.tile(positions(x.shape), tuple(int(r) for r in reps)))


def reverse(tensor, axis, name=None) -> Tensor:
    """The order of ``axis`` (a list of axes) reversed;  dJ/dx = g reversed back."""
    tensor = _values(tensor)
    key = [slice(None)] * tensor.ndim
    for a in (axis if isinstance(axis, (list, tuple)) else [axis]):
        key[int(a) % tensor.ndim] = slice(None, None, -1)
    return vjps.getitem(tensor, tuple(key))


def transpose(a, perm=None, name="transpose", conjugate=False) -> Tensor:
    """Axes permuted by ``perm`` (reversed by default)."""
    return vjps.transpose(_values(a), axes=None if perm is None else tuple(np.asarray(_array(perm)).tolist()))


def matmul(a, b, transpose_a=False, transpose_b=False, name=None) -> Tensor:
    """``a @ b`` (each transposed first if asked);  dJ/da = g b^T, dJ/db = a^T g."""
    a, b = _values(a), _values(b)
    if transpose_a:
        a = vjps.swapaxes(a, axis1=-1, axis2=-2)
    if transpose_b:
        b = vjps.swapaxes(b, axis1=-1, axis2=-2)
    return wrap(np.matmul(a, b))


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None) -> Tensor:
    """``depth`` columns, ``on_value`` (1) at each index and ``off_value`` (0) elsewhere,
    float32 unless told; an index outside [0, depth) gives a row of ``off_value``."""
    indices = np.asarray(indices)
    dtype = np.dtype(dtype) if dtype is not None else np.float32
    on = 1 if on_value is None else on_value
    off = 0 if off_value is None else off_value
    out = np.where(indices[..., None] == np.arange(int(depth)), on, off).astype(dtype)
    return wrap(out if axis in (None, -1) else np.moveaxis(out, -1, axis))


def where(condition, x=None, y=None, name=None) -> Tensor:
    """``x`` where ``condition`` holds, else ``y``; with the condition alone, the coordinates
    of its true entries (int64, one row each), as TensorFlow's."""
    condition = np.asarray(condition, dtype=bool)
    if x is None and y is None:
        return sized_by_data(wrap(np.argwhere(condition).astype(np.int64)))
    if x is None or y is None:
        raise ValueError("where: give both x and y, or neither")
    return vjps.where(condition, _values(x), _values(y))


def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """``t`` limited to ``[min, max]``;  dJ/dt = g inside the closed interval, 0 outside. The
    bounds take ``t``'s type, as TensorFlow's (``clip_by_value(float32 image, 0, 1)`` stays float32)."""
    t = _values(t)
    dtype = np.dtype(t.dtype)
    return vjps.clip(t, _array(clip_value_min).astype(dtype), _array(clip_value_max).astype(dtype))


def clip_by_norm(t, clip_norm, axes=None, name=None) -> Tensor:
    """``t * clip_norm / max(||t||, clip_norm)``: ``t`` scaled down so that its L2 norm (over
    ``axes``, all by default) is at most ``clip_norm``;  recorded, so dJ/dt goes through the scaling."""
    t = _values(t)
    if t.dtype.kind not in "fc":
        raise TypeError(f"clip_by_norm: t must be a float tensor, got {t.dtype}")
    axes = tuple(np.asarray(_array(axes)).reshape(-1).tolist()) if axes is not None else None
    norm = np.sqrt(vjps.sum(t * t, axis=axes, keepdims=True))
    limit = np.asarray(_array(clip_norm)).astype(t.dtype)
    return t * limit / np.maximum(norm, limit)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """``(clipped, global_norm)``: every tensor scaled by ``clip_norm / max(global_norm,
    clip_norm)``, ``global_norm = sqrt(sum of all squares)`` (None entries stay None), as a
    custom training loop clips gradients."""
    if isinstance(t_list, (Tensor, Variable, np.ndarray)) or not isinstance(t_list, (list, tuple)):
        raise TypeError("clip_by_global_norm: t_list must be a list or tuple of tensors")
    values = [None if t is None else _values(t) for t in t_list]
    present = [v for v in values if v is not None]
    if use_norm is not None:
        total = _values(use_norm)
    elif present:
        total = np.sqrt(sum(vjps.sum(v * v) for v in present))
    else:
        total = wrap(np.asarray(0.0, np.float32))
    limit = np.asarray(_array(clip_norm)).astype(np.dtype(total.dtype))
    scale = limit / np.maximum(total, limit)
    return [None if v is None else v * vjps.cast(scale, v.dtype) for v in values], total


def shape(input, out_type=np.int32, name=None) -> Tensor:  # noqa: A002
    """The dimensions, as an int32 Tensor."""
    return wrap(np.asarray(np.shape(input), dtype=out_type))


def size(input, out_type=np.int32, name=None) -> Tensor:  # noqa: A002
    return wrap(np.asarray(np.size(input), dtype=out_type))


def fill(dims, value, name=None) -> Tensor:
    """``dims`` filled with ``value`` (a scalar ``dims`` is one axis, as TF takes it)."""
    out = wrap(np.full(tuple(np.atleast_1d(np.asarray(dims)).tolist()), _array(value)))
    return data_sized.filled(out, dims)                 # sizes given as tensors: None in a map's spec


accept_symbolic(globals(), __all__)      # tf functions on a functional model's tensors make Lambda nodes
cast.__module__ = __name__               # tf.cast, the one that takes symbolic tensors too, lives here now
