"""``tf.dtypes``: TensorFlow's dtype names. The numeric ones are NumPy's types (``tf.float32`` is
``numpy.float32``, so ``t.dtype == tf.float32`` holds for a float32 array); ``tf.string`` is a
small object that stands for TensorFlow's string type, because NumPy has none that fits.

A string tensor in glassnet is a :class:`~glassnet.Tensor` of NumPy ``object`` dtype holding
Python ``bytes`` (UTF-8), as TensorFlow's ``.numpy()`` hands them out; ``tf.string`` compares
equal to that dtype, so TensorFlow's checks read the same:

>>> import glassnet as tf
>>> t = tf.constant(["a b", "c"])
>>> t.dtype == tf.string, t.numpy()
(True, array([b'a b', b'c'], dtype=object))
>>> tf.string, tf.string.name, tf.dtypes.as_dtype("string") is tf.string
(tf.string, 'string', True)
"""
from __future__ import annotations

import numpy as np
from numpy import (bool_, complex64, complex128, float16, float32, float64, int8, int16, int32, int64, uint8,  # noqa: F401
                   uint16, uint32, uint64)

__all__ = ["DType", "as_dtype", "cast", "saturate_cast", "bool", "complex64", "complex128", "double", "float16", "float32", "float64", "half",
           "int8", "int16", "int32", "int64", "string", "uint8", "uint16", "uint32", "uint64"]

half, double = float16, float64       # TensorFlow's other names for them

bool = bool_  # noqa: A001 - TensorFlow's name (tf.bool)


class DType:
    """TensorFlow's string dtype (``tf.string``): equal to itself, to ``"string"`` and to NumPy's
    ``object`` dtype (what glassnet's string tensors are); ``as_numpy_dtype`` is ``object``, as
    TensorFlow's, and NumPy reads it as ``object`` (``np.dtype(tf.string)``)."""

    def __init__(self, name: str, numpy_type):
        self.name = name
        self.as_numpy_dtype = numpy_type
        self.dtype = np.dtype(numpy_type)          # NumPy's door: np.dtype(tf.string) is object

    is_floating = is_integer = is_complex = is_bool = False

    def __eq__(self, other):
        if other is self or (isinstance(other, str) and other == self.name):
            return True
        if isinstance(other, (np.dtype, type)):
            try:
                return np.dtype(other) == self.dtype
            except TypeError:
                return False
        return False

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"tf.{self.name}"

    def __str__(self):
        return f"<dtype: '{self.name}'>"


string = DType("string", object)


def cast(x, dtype, name=None):
    """``tf.dtypes.cast``: ``glassnet.cast`` (floats to integers round toward zero)."""
    from .tensor import cast as _cast
    return _cast(x, dtype)


def saturate_cast(value, dtype, name=None):
    """``value`` clipped to ``dtype``'s range first, then cast (300.0 -> uint8 gives 255)."""
    from .tensor import cast as _cast, convert_to_tensor
    target = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    x = value if hasattr(value, "dtype") else convert_to_tensor(value)
    if target.kind in "iu" and np.dtype(x.dtype).kind in "fiu":
        info = np.iinfo(target)
        return _cast(np.clip(np.asarray(x, dtype=np.float64), float(info.min), float(info.max)), target)
    return _cast(x, target)


def as_dtype(type_value):
    """``tf.dtypes.as_dtype``: ``"string"``, ``str``, ``bytes`` or an object dtype give
    :data:`string`; anything else NumPy's type of that name (``"float32"`` -> ``numpy.float32``)."""
    if isinstance(type_value, DType) or (isinstance(type_value, str) and type_value == "string") \
            or type_value in (str, bytes):
        return string
    dtype = np.dtype(getattr(type_value, "as_numpy_dtype", type_value))
    return string if dtype.kind in "OSU" else dtype.type
