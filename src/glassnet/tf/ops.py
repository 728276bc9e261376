"""TensorFlow's array functions that beginner programs call (``tf.linspace``, ``tf.reshape``,
``tf.expand_dims``, ...): NumPy's, under TensorFlow's names and defaults, each returning a
:class:`glassnet.tensor.Tensor`. Python floats become float32 and ints int32, as in TensorFlow.

>>> import glassnet as tf
>>> tf.linspace(0.0, 250, 6).numpy()
array([  0.,  50., 100., 150., 200., 250.], dtype=float32)
>>> tf.expand_dims(tf.constant([1.0, 2.0]), 0).shape
(1, 2)
"""
from __future__ import annotations


import numpy as np

from .tensor import Tensor, _as_dtype, convert_to_tensor, wrap

__all__ = ["linspace", "range", "zeros", "ones", "zeros_like", "ones_like", "reshape", "expand_dims",
           "squeeze", "concat", "stack", "transpose", "matmul", "one_hot", "where", "clip_by_value", "shape",
           "size", "fill"]


def _array(x) -> np.ndarray:
    return np.asarray(x) if isinstance(x, np.ndarray) else convert_to_tensor(x).view(np.ndarray)


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop``, both included (float32 for Python numbers)."""
    floats = [a.dtype for a in (_array(start), _array(stop)) if a.dtype.kind == "f"]
    dtype = floats[0] if floats else np.dtype(np.float32)        # the first float's type, as TensorFlow
    return wrap(np.linspace(start, stop, int(num), axis=axis).astype(dtype))


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001 (TensorFlow's name)
    """``start, start + delta, ...`` below ``limit`` (``range(5)`` is 0..4, int32 for Python ints)."""
    if limit is None:
        start, limit = 0, start
    kinds = [_array(v).dtype for v in (start, limit, delta)]
    floats = [k for k in kinds if k.kind == "f"]
    default = floats[0] if floats else kinds[0]
    return wrap(np.arange(start, limit, delta).astype(_as_dtype(dtype) or default))


def zeros(shape, dtype=np.float32, name=None) -> Tensor:
    return wrap(np.zeros(shape, dtype=_as_dtype(dtype)))


def ones(shape, dtype=np.float32, name=None) -> Tensor:
    return wrap(np.ones(shape, dtype=_as_dtype(dtype)))


def zeros_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002
    return wrap(np.zeros_like(_array(input), dtype=_as_dtype(dtype)))


def ones_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002
    return wrap(np.ones_like(_array(input), dtype=_as_dtype(dtype)))


def reshape(tensor, shape, name=None) -> Tensor:
    return wrap(_array(tensor).reshape(tuple(shape)).copy())


def expand_dims(input, axis, name=None) -> Tensor:  # noqa: A002
    return wrap(np.expand_dims(_array(input), axis).copy())


def squeeze(input, axis=None, name=None) -> Tensor:  # noqa: A002
    return wrap(np.squeeze(_array(input), axis=tuple(axis) if isinstance(axis, list) else axis).copy())


def concat(values, axis, name="concat") -> Tensor:
    return wrap(np.concatenate([_array(v) for v in values], axis=axis))


def stack(values, axis=0, name="stack") -> Tensor:
    return wrap(np.stack([_array(v) for v in values], axis=axis))


def transpose(a, perm=None, name="transpose") -> Tensor:
    return wrap(np.transpose(_array(a), perm).copy())


def matmul(a, b, transpose_a=False, transpose_b=False, name=None) -> Tensor:
    a, b = _array(a), _array(b)
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return wrap(a @ b)


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
        return wrap(np.argwhere(condition).astype(np.int64))
    if x is None or y is None:
        raise ValueError("where: give both x and y, or neither")
    return wrap(np.where(condition, _array(x), _array(y)))


def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    return wrap(np.clip(_array(t), clip_value_min, clip_value_max))


def shape(input, out_type=np.int32, name=None) -> Tensor:  # noqa: A002
    """The dimensions, as an int32 Tensor."""
    return wrap(np.asarray(np.shape(input), dtype=out_type))


def size(input, out_type=np.int32, name=None) -> Tensor:  # noqa: A002
    return wrap(np.asarray(np.size(input), dtype=out_type))


def fill(dims, value, name=None) -> Tensor:
    return wrap(np.full(tuple(np.asarray(dims).tolist()), _array(value)))
