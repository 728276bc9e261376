"""``tf.dtypes``: TensorFlow's dtypes. Each is a :class:`DType` that prints as TensorFlow's
(``<dtype: 'float32'>``) and stands for a NumPy dtype: ``tf.float32 == np.float32`` holds, and
NumPy takes it wherever it takes a dtype (``np.zeros(2, tf.float32)``). A Tensor's ``.dtype`` is one.

A string tensor in glassnet is a :class:`~glassnet.Tensor` of NumPy ``object`` dtype holding
Python ``bytes`` (UTF-8), as TensorFlow's ``.numpy()`` hands them out; ``tf.string`` compares
equal to that dtype, so TensorFlow's checks read the same:

>>> import numpy as np, glassnet as tf
>>> t = tf.constant(["a b", "c"])
>>> t.dtype == tf.string, t.numpy()
(True, array([b'a b', b'c'], dtype=object))
>>> tf.string, tf.string.name, tf.dtypes.as_dtype("string") is tf.string
(tf.string, 'string', True)
>>> print(tf.constant([1.5]).dtype)
<dtype: 'float32'>
>>> tf.float32 == np.float32, np.dtype(tf.float32)
(True, dtype('float32'))
"""
from __future__ import annotations

import numpy as np

__all__ = ["DType", "as_dtype", "cast", "saturate_cast", "bool", "complex64", "complex128", "double", "float16", "float32",
           "float64", "half", "int8", "int16", "int32", "int64", "string", "uint8", "uint16", "uint32", "uint64"]


class DType:
    """A TensorFlow dtype (``tf.float32``, ``t.dtype``): prints ``<dtype: 'float32'>``, repr
    ``tf.float32``; equal to NumPy's dtype and type of that name and to the name itself
    (``t.dtype == np.float32 == "float32"``); NumPy reads it as its dtype (``np.dtype(tf.float32)``,
    ``np.zeros(2, tf.float32)``), and NumPy's dtype attributes (``kind``, ``itemsize``...) read through.
    ``tf.string`` stands for NumPy's ``object`` dtype, what glassnet's string tensors are."""

    _is_numeric = True                             # NumPy's testing asks type(x.dtype)._is_numeric

    def __init__(self, name: str, numpy_type):
        self.name = name
        self.as_numpy_dtype = numpy_type
        self.dtype = np.dtype(numpy_type)          # NumPy's door: np.dtype(tf.float32) is float32
        self.kind, self.itemsize, self.type = self.dtype.kind, self.dtype.itemsize, self.dtype.type
        self.is_floating = name in ("float16", "float32", "float64", "bfloat16")
        self.is_integer = self.kind in "iu"
        self.is_unsigned = self.kind == "u"
        self.is_complex = self.kind == "c"
        self.is_bool = self.kind == "b"
        self.is_numpy_compatible = True

    def __getattr__(self, attr):                   # the rest of NumPy's dtype: char, str, byteorder...
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self.__dict__["dtype"], attr)

    base_dtype = property(lambda self: self)
    size = property(lambda self: self.itemsize)

    @property
    def real_dtype(self) -> DType:
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    @property
    def min(self):
        if self.is_floating:
            return float(np.finfo(self.dtype).min)
        if self.is_integer or self.is_bool:
            return False if self.is_bool else int(np.iinfo(self.dtype).min)
        raise TypeError(f"Cannot find minimum value of {self!r}.")

    @property
    def max(self):
        if self.is_floating:
            return float(np.finfo(self.dtype).max)
        if self.is_integer or self.is_bool:
            return True if self.is_bool else int(np.iinfo(self.dtype).max)
        raise TypeError(f"Cannot find maximum value of {self!r}.")

    def is_compatible_with(self, other) -> bool:
        return self == as_dtype(other)

    def __eq__(self, other):
        if other is self:
            return True
        if isinstance(other, DType):
            return other.name == self.name
        if isinstance(other, str):
            return other == self.name or (self.name != "string" and _np_equal(other, self.dtype))
        if isinstance(other, (np.dtype, type)):
            return _np_equal(other, self.dtype)
        return False

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self.dtype)                    # as NumPy's dtype hashes, so both find one dict entry

    def __reduce__(self):
        return as_dtype, (self.name,)

    def __repr__(self):
        return f"tf.{self.name}"

    def __str__(self):
        return f"<dtype: '{self.name}'>"


def _np_equal(other, dtype) -> bool:
    try:
        return np.dtype(other) == dtype
    except TypeError:
        return False


_NAMES = ("bool", "complex64", "complex128", "float16", "float32", "float64", "int8", "int16", "int32", "int64",
          "uint8", "uint16", "uint32", "uint64")
_BY_NUMPY = {}
for _name in _NAMES:
    _BY_NUMPY[np.dtype(_name)] = globals()[_name] = DType(_name, np.dtype(_name).type)
class _StringDType(DType):
    _is_numeric = False


string = _StringDType("string", object)
_BY_NUMPY[np.dtype(object)] = string
half, double = float16, float64       # TensorFlow's other names for them


class KerasDType(DType):
    """Keras 3's dtype of a layer's weight (``layer.kernel.dtype``) or of a symbolic tensor
    (``keras.Input(...).dtype``): Keras hands out the name, a ``str``, so it prints as one
    (``float32``; in a list ``['float32']``; text ``string``), while ``tf.Variable(...).dtype`` and a
    tensor's stay ``tf.float32``. It compares as TensorFlow compares that string: equal to
    ``"float32"``, ``tf.float32`` and NumPy's float32; NumPy reads it as its dtype, and ``.name``,
    ``.as_numpy_dtype``, ``.kind`` work as on :class:`DType`. A symbolic text tensor's stands for
    NumPy's ``str_`` (what glassnet's text inputs hold), a string tensor's ``tf.string`` for ``object``.

    >>> keras_dtype("float32"), str(keras_dtype(np.float32)), keras_dtype("float32") == float32
    ('float32', 'float32', True)
    >>> keras_dtype(np.str_), keras_dtype(np.str_) == string, keras_dtype(np.str_).kind
    ('string', True, 'U')
    """

    def __repr__(self):
        return repr(self.name)

    def __str__(self):
        return self.name

    def __format__(self, spec):
        return format(self.name, spec)

    def __hash__(self):
        return hash(self.name)                     # a dict keyed by "float32" finds it, as Keras's str

    def __reduce__(self):
        return keras_dtype, (self.dtype,)

    # the str it stands for: "float" in w.dtype, w.dtype.startswith("float"), "dtype: " + w.dtype
    def __contains__(self, part):
        return part in self.name

    def __add__(self, other):
        return self.name + other

    def __radd__(self, other):
        return other + self.name

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        try:
            return getattr(self.__dict__["dtype"], attr)
        except AttributeError:
            return getattr(self.__dict__["name"], attr)


_KERAS: dict = {}


def keras_dtype(dtype) -> KerasDType:
    """The :class:`KerasDType` of ``dtype`` (a name, a NumPy dtype or type, a DType): one per dtype."""
    if isinstance(dtype, KerasDType):
        return dtype
    numpy_dtype = np.dtype(str) if isinstance(dtype, str) and dtype == "string" else \
        np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    if numpy_dtype.kind in "US":
        numpy_dtype = np.dtype(np.str_)              # a symbolic text tensor: glassnet's text inputs are str_
    found = _KERAS.get(numpy_dtype)
    if found is None:
        name = "string" if numpy_dtype.kind in "OU" else numpy_dtype.name
        found = _KERAS[numpy_dtype] = KerasDType(name, numpy_dtype.type)
    return found


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


def as_dtype(type_value) -> DType:
    """``tf.dtypes.as_dtype``: the :class:`DType` of a name (``"float32"``, ``"string"``), a NumPy
    dtype or type, ``str``/``bytes`` (string), or a DType itself."""
    if isinstance(type_value, KerasDType):              # Keras's name of it: TensorFlow's own DType
        return string if type_value.name == "string" else _BY_NUMPY[type_value.dtype]
    if isinstance(type_value, DType):
        return type_value
    found = _BY_NUMPY.get(type_value) if isinstance(type_value, np.dtype) else None
    if found is not None:
        return found
    if (isinstance(type_value, str) and type_value == "string") or type_value in (str, bytes):
        return string
    try:
        dtype = np.dtype(getattr(type_value, "as_numpy_dtype", type_value))
    except TypeError:
        raise TypeError(f"Cannot convert {type_value!r} to a dtype.") from None
    if dtype.kind in "OSU":
        return string
    if dtype not in _BY_NUMPY:
        raise TypeError(f"Cannot convert {type_value!r} to a dtype: {dtype} has no TensorFlow dtype")
    return _BY_NUMPY[dtype]
