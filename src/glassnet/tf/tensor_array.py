"""``tf.TensorArray``: a list of same-typed, same-shaped tensors that a loop fills one index at
a time, then ``stack``s into one tensor. Eager, as TensorFlow's in eager mode: ``write``
stores the tensor itself, so an open ``GradientTape`` follows it into ``stack`` (a recorded
``stack``), ``read``, ``gather`` and ``concat``, and ``unstack`` records its slicing.

TensorFlow's rules are kept: the size is fixed unless ``dynamic_size=True`` (writing past it
raises ``OutOfRangeError``); the first write fixes the element shape; an index is cleared when
read (``clear_after_read``, True by default); an index never written reads as zeros.

>>> import glassnet as tf
>>> ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
>>> for i in range(3):
...     ta = ta.write(i, tf.constant([1.0, 2.0]) * i)
>>> ta.stack().numpy().tolist(), int(ta.size())
([[0.0, 0.0], [1.0, 2.0], [2.0, 4.0]], 3)
"""
from __future__ import annotations

import numpy as np

from . import vjps
from .errors import InvalidArgumentError, OutOfRangeError
from .tensor import Tensor, TensorShape, _as_dtype, convert_to_tensor, wrap
from .variable import Variable

__all__ = ["TensorArray"]


class TensorArray:
    """``TensorArray(dtype, size=None, dynamic_size=None, clear_after_read=None,
    element_shape=None, ...)`` (``size`` is required, as in eager TensorFlow)."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None, colocate_with_first_write_call=True,
                 name=None):
        if size is None:
            raise ValueError("Size must be declared for TensorArrays when eager execution is enabled.")
        size = int(np.asarray(size.value if isinstance(size, Variable) else size))
        if size < 0:
            raise ValueError(f"TensorArray: size must be >= 0, got {size}")
        self._dtype = np.dtype(_as_dtype(dtype))
        self._items: list = [None] * size
        self._dynamic = bool(dynamic_size)
        self._clear = True if clear_after_read is None else bool(clear_after_read)
        self._infer = bool(infer_shape)
        self._shape = None if element_shape is None else tuple(int(n) for n in element_shape)
        self._read: set = set()

    # -- what it is ---------------------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype.type

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic

    @property
    def element_shape(self):
        return TensorShape(self._shape) if self._shape is not None else None      # unknown: None

    def size(self, name=None) -> Tensor:
        """How many entries it has (written or not), as a 0-d int32 Tensor."""
        return wrap(np.asarray(len(self._items), np.int32))

    def __repr__(self):
        return f"<glassnet TensorArray dtype={self._dtype.name} size={len(self._items)}>"

    # -- writing ------------------------------------------------------------------------------
    def _value(self, value):
        if isinstance(value, (Tensor, Variable)):
            if np.dtype(value.dtype) != self._dtype:
                raise InvalidArgumentError(None, None, f"TensorArray dtype is {self._dtype.name} but Op is trying "
                                           f"to write dtype {np.dtype(value.dtype).name}")
            return value
        arr = np.asarray(value) if isinstance(value, np.ndarray) else np.asarray(convert_to_tensor(value))
        if arr.dtype.kind == "f" and self._dtype.kind in "iub" or (arr.dtype.kind == "O") != (self._dtype.kind == "O"):
            raise InvalidArgumentError(None, None, f"TensorArray dtype is {self._dtype.name} but Op is trying to "
                                       f"write dtype {arr.dtype.name}")
        return wrap(arr.astype(self._dtype))

    def _check_shape(self, value):
        shape = tuple(np.shape(value))
        if self._shape is None:
            if self._infer:
                self._shape = shape
        elif shape != self._shape:
            raise ValueError(f"Incompatible shape for value ({shape}), expected ({self._shape})")

    def write(self, index, value, name=None) -> "TensorArray":
        """Store ``value`` at ``index``; returns the array (``ta = ta.write(i, v)``)."""
        i = int(np.asarray(index.value if isinstance(index, Variable) else index))
        if i < 0:
            raise OutOfRangeError(None, None, f"Writing to negative indices (index {i}) is not allowed.")
        if i >= len(self._items):
            if not self._dynamic:
                raise OutOfRangeError(None, None, f"Tried to write to index {i} but array is not resizeable and "
                                      f"size is: {len(self._items)}")
            self._items.extend([None] * (i + 1 - len(self._items)))
        value = self._value(value)
        self._check_shape(value)
        self._items[i] = value
        self._read.discard(i)
        return self

    def unstack(self, value, name=None) -> "TensorArray":
        """The entries become ``value[0], value[1], ...`` (as many as ``value`` has, as in eager
        TensorFlow, which replaces the list)."""
        value = self._value(value)
        if np.ndim(value) == 0:
            raise ValueError("TensorArray.unstack: value must have rank >= 1")
        n = int(np.shape(value)[0])
        if n > len(self._items) and not self._dynamic:
            raise ValueError(f"Cannot unstack {n} tensors into a TensorArray of static size {len(self._items)}")
        self._check_shape(np.empty(np.shape(value)[1:]))
        self._items, self._read = [value[i] for i in range(n)], set()
        return self

    def scatter(self, indices, value, name=None) -> "TensorArray":
        """Write ``value[k]`` at index ``indices[k]``."""
        value = self._value(value)
        for k, i in enumerate(np.asarray(indices).reshape(-1).tolist()):
            self.write(i, value[k])
        return self

    # -- reading ------------------------------------------------------------------------------
    def _zeros(self, i):
        if self._shape is None:
            raise ValueError(f"TensorArray: index {i} was never written and the element shape is not known yet "
                             "(give element_shape=, or write it first)")
        return wrap(np.zeros(self._shape, self._dtype))

    def read(self, index, name=None):
        """The tensor at ``index`` (zeros if never written); cleared after, unless
        ``clear_after_read=False``."""
        i = int(np.asarray(index.value if isinstance(index, Variable) else index))
        if not 0 <= i < len(self._items):
            raise OutOfRangeError(None, None, f"Tried to read from index {i} but array size is: {len(self._items)}")
        if i in self._read:
            raise InvalidArgumentError(None, None, f"Could not read index {i} twice because it was cleared after a "
                                       "previous read (perhaps try setting clear_after_read = false?)")
        item = self._items[i]
        if self._clear:
            self._read.add(i)
        return self._zeros(i) if item is None else item

    def _all(self, indices):
        return [self._items[i] if self._items[i] is not None else self._zeros(i) for i in indices]

    def stack(self, name=None) -> Tensor:
        """All the entries stacked along a new first axis (unwritten ones as zeros)."""
        if not self._items:
            return wrap(np.zeros((0,) + (self._shape or ()), self._dtype))
        return vjps.stack(*self._all(range(len(self._items))), axis=0)

    def gather(self, indices, name=None) -> Tensor:
        """The entries at ``indices``, stacked."""
        picked = np.asarray(indices).reshape(-1).tolist()
        for i in picked:
            if not 0 <= i < len(self._items):
                raise OutOfRangeError(None, None, f"Tried to read from index {i} but array size is: "
                                      f"{len(self._items)}")
        if not picked:
            return wrap(np.zeros((0,) + (self._shape or ()), self._dtype))
        return vjps.stack(*self._all(picked), axis=0)

    def concat(self, name=None) -> Tensor:
        """The entries joined along their first axis."""
        if not self._items:
            return wrap(np.zeros((0,) + (self._shape or ())[1:], self._dtype))
        return vjps.concatenate(*self._all(range(len(self._items))), axis=0)

    def identity(self) -> "TensorArray":
        return self

    def close(self, name=None) -> None:
        self._items, self._read = [], set()

    def mark_used(self) -> None:
        """Accepted (TensorFlow's graph-mode bookkeeping)."""
