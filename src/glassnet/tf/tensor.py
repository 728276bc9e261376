"""``Tensor``: what TensorFlow hands back as a tensor, here a NumPy array with ``.numpy()``.

Only what a program receives is a ``Tensor``: the result of calling a model or a layer
directly (``model(x)``, ``layer(x)``), of ``glassnet.nn``, ``glassnet.math`` and
``glassnet.keras.activations``, of a loss called on data, of :func:`constant` and
:func:`convert_to_tensor`. Inside the engine every array stays a plain ``ndarray``
(``model.predict`` returns one, as Keras does).

A ``Tensor`` *is* an ``ndarray``: ``t + 1``, ``t >= 0.5`` and ``np.ones(2) + t`` stay ``Tensor``
(0-d results included, a NumPy operand taken in the tensor's dtype), and a program's NumPy
function gives NumPy's answer, as TensorFlow's tensors do (``np.mean(t)`` a NumPy float32, which
prints as a number; ``np.exp(t)`` an ndarray; a ``GradientTape`` records neither). So both
NumPy-style and TensorFlow-style code run:

>>> import numpy as np, glassnet as tf
>>> t = tf.constant([[1.0, -2.0]])
>>> t.numpy()
array([[ 1., -2.]], dtype=float32)
>>> (t >= 0).numpy()
array([[ True, False]])
>>> t.shape.as_list()
[1, 2]
>>> float(tf.math.reduce_sum(t).numpy())
-1.0
>>> np.mean(t), np.ones(2) + t
(np.float32(-0.5), <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[ 2., -1.]], dtype=float32)>)

It prints as TensorFlow's tensors print (``model.predict`` gives a plain array, printed as NumPy's):

>>> t
<tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[ 1., -2.]], dtype=float32)>
>>> print(tf.math.reduce_sum(t))
tf.Tensor(-1.0, shape=(), dtype=float32)

A string tensor (``tf.string``) is a ``Tensor`` of NumPy ``object`` dtype holding Python ``bytes``
(UTF-8), so ``.numpy()`` gives what TensorFlow's gives, and it prints as TensorFlow's does:

>>> s = tf.constant(["a b", "é"])
>>> s.numpy(), s.dtype == tf.string
(array([b'a b', b'\\xc3\\xa9'], dtype=object), True)
>>> print(s[0])
tf.Tensor(b'a b', shape=(), dtype=string)
>>> s[0].numpy().decode("utf-8"), (s == "a b").numpy()
('a b', array([ True, False]))
"""
from __future__ import annotations

import sys as _sys
import threading

import numpy as np

from .dtypes import as_dtype, keras_dtype, string
from .promotion import MODE as _PROMOTION_MODE

__all__ = ["Dimension", "KerasTensor", "SymbolicShape", "Tensor", "TensorFunction", "TensorShape", "bytes_array",
           "cast", "constant", "convert_to_tensor", "float_array", "numpy_recorded", "plain_function", "wrap"]


class Dimension:
    """One entry of :attr:`TensorShape.dims` (TensorFlow's ``Dimension(3)``; ``value`` None when unknown)."""

    def __init__(self, value):
        self.value = None if value is None else int(getattr(value, "value", value))

    def __repr__(self):
        return f"Dimension({self.value})"

    def __str__(self):
        return "?" if self.value is None else str(self.value)

    def __int__(self):
        if self.value is None:
            raise TypeError("Cannot convert an unknown Dimension to an int")
        return self.value

    __index__ = __int__

    def __eq__(self, other):
        other = getattr(other, "value", other)
        return None if self.value is None or other is None else self.value == other

    def __hash__(self):
        return hash(self.value)


class TensorShape(tuple):
    """TensorFlow's ``tf.TensorShape``: a tuple of sizes (``None`` where unknown), so ``shape[0]``,
    ``len``, unpacking and ``== (None, 400)`` / ``== [None, 400]`` work, with TensorFlow's
    ``as_list()``, ``rank``/``ndims``, ``dims``, ``is_fully_defined()``, ``num_elements()``,
    ``is_compatible_with``, ``merge_with``, ``concatenate``; ``TensorShape(None)`` has unknown rank.
    It prints as TensorFlow's: ``str`` ``(2, 3)``, ``repr`` ``TensorShape([2, 3])`` (in a list, a
    tuple, ``{t.shape!r}``); a slice is a TensorShape. A symbolic tensor's shape (``keras.Input``,
    a functional model's outputs) is a :class:`SymbolicShape`, whose repr is the tuple's, as Keras 3's.

    >>> TensorShape((None, 400)).as_list(), TensorShape([2, 3])[1:].rank, str(TensorShape(None))
    ([None, 400], 1, '<unknown>')
    >>> print(TensorShape([2, 3]), [TensorShape([2, 3]), TensorShape([]), TensorShape(None)])
    (2, 3) [TensorShape([2, 3]), TensorShape([]), TensorShape(None)]
    """

    def __new__(cls, dims=()):
        if dims is None:
            out = super().__new__(cls, ())
            out._unknown = True
            return out
        if isinstance(dims, TensorShape) and type(dims) is cls:
            return dims
        if isinstance(dims, (int, np.integer, Dimension)):
            dims = (dims,)
        out = super().__new__(cls, (None if d is None or getattr(d, "value", 0) is None else
                                    int(getattr(d, "value", d)) for d in dims))
        out._unknown = False
        return out

    def __reduce__(self):
        return TensorShape, (None if self._unknown else tuple(self),)

    @property
    def rank(self):
        return None if self._unknown else tuple.__len__(self)

    ndims = rank

    @property
    def dims(self):
        return None if self._unknown else [Dimension(d) for d in self]

    def __len__(self):
        if self._unknown:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return tuple.__len__(self)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return type(self)(None) if self._unknown else type(self)(tuple.__getitem__(self, key))
        if self._unknown:
            return None
        return tuple.__getitem__(self, key)

    def as_list(self) -> list:
        if self._unknown:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self)

    def is_fully_defined(self) -> bool:
        return not self._unknown and all(d is not None for d in self)

    def num_elements(self):
        return int(np.prod(self, dtype=np.int64)) if self.is_fully_defined() else None

    def is_compatible_with(self, other) -> bool:
        other = TensorShape(other)
        if self._unknown or other._unknown:
            return True
        return tuple.__len__(self) == tuple.__len__(other) and \
            all(a is None or b is None or a == b for a, b in zip(self, other))

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {TensorShape(other)} are incompatible")

    def merge_with(self, other):
        other = TensorShape(other)
        self.assert_is_compatible_with(other)
        if self._unknown:
            return other
        if other._unknown:
            return self
        return TensorShape([a if a is not None else b for a, b in zip(self, other)])

    def concatenate(self, other):
        other = TensorShape(other)
        return TensorShape(None) if self._unknown or other._unknown else TensorShape(tuple(self) + tuple(other))

    def __add__(self, other):
        return self.concatenate(other)

    def __radd__(self, other):
        return TensorShape(other).concatenate(self)

    def __eq__(self, other):
        if isinstance(other, (tuple, list)):
            other = TensorShape(other)
            return self._unknown == other._unknown and tuple(self) == tuple(other)
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = tuple.__hash__

    def __repr__(self):
        return "TensorShape(None)" if self._unknown else f"TensorShape({list(self)!r})"

    def __str__(self):
        if self._unknown:
            return "<unknown>"
        return tuple.__repr__(tuple(self))


class SymbolicShape(TensorShape):
    """A symbolic tensor's shape (``keras.Input(shape=(4,)).shape``): a :class:`TensorShape`
    (``as_list()`` works, as Keras 2's) whose repr is the tuple's ``(None, 4)``, as Keras 3's
    KerasTensor shapes, which are tuples.

    >>> SymbolicShape((None, 4)), SymbolicShape((None, 4))[1:]
    ((None, 4), (4,))
    """

    def __repr__(self):
        return "None" if self._unknown else tuple.__repr__(tuple(self))


class Tensor(np.ndarray):
    """A NumPy array with TensorFlow's ``numpy()`` (a plain ``ndarray``, or a NumPy scalar
    for a 0-d tensor, as TensorFlow returns) and ``shape.as_list()``."""

    def numpy(self):
        plain = self.view(np.ndarray)
        return plain[()] if plain.ndim == 0 else plain.copy()

    @property
    def device(self) -> str:
        """Where the tensor lives, as TensorFlow names it: glassnet's one device, the CPU."""
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    @property
    def data(self):
        """TF NumPy's ``ndarray.data``: the tensor itself (TF's ND array wraps a tf.Tensor; here it is one).
        NumPy's buffer stays at ``memoryview(t)``."""
        return self

    # Results of arithmetic, comparisons and reductions stay Tensors, 0-d ones too
    # (NumPy would turn a 0-d result into a scalar, which has no .numpy()).
    def __array_wrap__(self, arr, context=None, return_scalar=False):
        return super().__array_wrap__(arr, context, False)

    def __getitem__(self, key):
        # inside a GradientTape: recorded (glassnet.tf.vjps), except strings, which have no gradient
        if _active_tapes() and self.dtype.kind != "O":
            from . import vjps  # noqa: PLC0415 - vjps builds on this module
            return vjps.getitem(self, key)
        out = super().__getitem__(key)
        if type(out) is Tensor:
            if SLICES_FOLLOWED[0] and getattr(self, "_sized_by_data", ()):    # a map's trace: unknown sizes
                from .data_sized import sliced  # noqa: PLC0415 - data_sized builds on this module
                return sliced(out, self, key)
            return out
        if isinstance(out, np.generic):            # t[0] of a vector: a 0-d Tensor, as in TF
            return np.asarray(out).view(Tensor)
        return out if isinstance(out, np.ndarray) else _object_scalar(out)   # a string tensor's element: 0-d

    def __setitem__(self, key, value):
        if _active_tapes():
            from . import dispatch  # noqa: PLC0415
            dispatch.check_write(self)
        super().__setitem__(key, value)

    # Python's operators (t * 2, np.ones(3) + t, t > 0) and the ndarray methods (t.sum()) give
    # Tensors, recorded by an open GradientTape (glassnet.tf.vjps has their rules), and so do the
    # NumPy calls of glassnet's own modules, which compute on Tensors. A program's NumPy call
    # (np.mean(t), np.exp(t), np.concatenate([t, t])) gets NumPy's answer, an ndarray or a NumPy
    # scalar, and no tape records it: TensorFlow's tensors give NumPy exactly that.
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if self.dtype.kind == "O" and ufunc in _TEXT_UFUNCS:         # t == "a", t + "!": str taken as bytes
            inputs = tuple(_bytes_operand(a) for a in inputs)
        if _from_program(_sys._getframe(1)) and not (kwargs.get("out") is not None and _active_tapes()):
            if not _scalar_operator(ufunc, method, inputs, kwargs):     # (a write into a followed Tensor: refused)
                return _numpy_answer(getattr(ufunc, method), inputs, kwargs)
            if _PROMOTION_MODE[0] in ("all", "safe") and ufunc not in _COMPARISONS:    # (tf/promotion.py)
                from . import promotion  # noqa: PLC0415
                inputs = promotion.operands(inputs[0], self)
            else:
                inputs = (_as_operand(inputs[0], np.ndarray.dtype.__get__(self)), self)     # np.float64(2) * t
        from . import dispatch  # noqa: PLC0415
        return dispatch.ufunc_call(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if _from_program(_sys._getframe(1)) and not (self.dtype.kind == "O" and _is_char(func)) \
                and not (kwargs.get("out") is not None and _active_tapes()):
            if func is np.shape:                       # TensorFlow's np.shape(t) is the tensor's TensorShape
                return TensorShape(func(*_plain_all(args), **_plain_all(kwargs)))
            return _numpy_answer(func, args, kwargs)
        if not _active_tapes():
            try:
                return super().__array_function__(func, types, args, kwargs)
            except TypeError:           # np.char.lower(t) of a string tensor: NumPy wants 'S', given here
                if self.dtype.kind == "O" and _is_char(func):
                    return _char_call(func, args, kwargs)
                raise
        from . import dispatch  # noqa: PLC0415
        return dispatch.function_call(func, args, kwargs)

    # The ndarray methods that do not go through a ufunc: recorded as their functions are
    # while a tape is open, NumPy's own otherwise.
    @property
    def T(self):  # noqa: N802 (NumPy's name)
        return self.transpose()

    def transpose(self, *axes):
        if not _active_tapes():
            return np.ndarray.transpose(self, *axes)
        axes = axes[0] if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))) else axes
        from . import vjps  # noqa: PLC0415
        return vjps.transpose(self, axes=tuple(axes) if axes else None)

    def reshape(self, *shape, order="C"):
        if not _active_tapes():
            return np.ndarray.reshape(self, *shape, order=order)
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        from . import vjps  # noqa: PLC0415
        return vjps.reshape(self, shape=tuple(shape) if not isinstance(shape, int) else (shape,))

    def ravel(self, order="C"):
        return self.reshape(-1) if _active_tapes() else np.ndarray.ravel(self, order)

    def flatten(self, order="C"):
        return self.reshape(-1) if _active_tapes() else np.ndarray.flatten(self, order)

    def squeeze(self, axis=None):
        if not _active_tapes():
            return np.ndarray.squeeze(self, axis)
        from . import vjps  # noqa: PLC0415
        return vjps.squeeze(self, axis=axis)

    def swapaxes(self, axis1, axis2):
        if not _active_tapes():
            return np.ndarray.swapaxes(self, axis1, axis2)
        from . import vjps  # noqa: PLC0415
        return vjps.swapaxes(self, axis1=axis1, axis2=axis2)

    def dot(self, b, out=None):
        if not _active_tapes():
            return np.ndarray.dot(self, b, out)
        from . import dispatch  # noqa: PLC0415
        return dispatch.function_call(np.dot, (self, b), {} if out is None else {"out": out})

    # TensorFlow's tensors are immutable: ``loss += extra`` makes a new tensor (recorded by an open
    # tape) instead of writing into this one, so code written for TensorFlow differentiates here too
    def __iadd__(self, other):
        return self + other

    def __isub__(self, other):
        return self - other

    def __imul__(self, other):
        return self * other

    def __itruediv__(self, other):
        return self / other

    def __ipow__(self, other):
        return self ** other

    def __imatmul__(self, other):
        return self @ other

    def __iter__(self):
        if self.ndim and (_active_tapes() or (self.ndim == 1 and self.dtype.kind == "O")):
            return (self[i] for i in range(len(self)))     # each row recorded as t[i]; strings: 0-d tensors
        return np.ndarray.__iter__(self)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        if not _active_tapes():
            return np.ndarray.mean(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kwargs)
        return np.mean(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kwargs)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
        if not _active_tapes():
            return np.ndarray.var(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kwargs)
        return np.var(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kwargs)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
        if not _active_tapes():
            return np.ndarray.std(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kwargs)
        return np.std(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kwargs)

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        if _active_tapes():
            from . import vjps  # noqa: PLC0415
            return vjps.cast(self, dtype)
        return np.ndarray.astype(self, dtype, order=order, casting=casting, subok=subok, copy=copy)

    @property
    def dtype(self):
        """TensorFlow's :class:`~glassnet.tf.dtypes.DType` (prints ``<dtype: 'float32'>``; equal to
        NumPy's dtype, which NumPy itself goes on using underneath)."""
        return as_dtype(np.ndarray.dtype.__get__(self))

    @dtype.setter
    def dtype(self, value) -> None:
        np.ndarray.dtype.__set__(self, np.dtype(value))

    @property
    def shape(self) -> TensorShape:
        return TensorShape(np.ndarray.shape.__get__(self))

    @shape.setter
    def shape(self, value) -> None:
        np.ndarray.shape.__set__(self, value)

    def get_shape(self) -> TensorShape:
        return self.shape

    def set_shape(self, shape) -> None:
        """TensorFlow's ``set_shape``: a tensor here always has its full shape, so this only
        checks that ``shape`` (``None`` entries, or ``None`` for any rank) agrees with it,
        raising TensorFlow's ValueError otherwise; the tensor is unchanged."""
        if shape is None or getattr(shape, "rank", 0) is None:          # unknown rank: anything fits
            return
        wanted = tuple(None if d is None else int(d) for d in shape)
        have = tuple(np.ndarray.shape.__get__(self))
        if len(wanted) != len(have) or any(w is not None and w != h for w, h in zip(wanted, have)):
            raise ValueError(f"Tensor's shape {have} is not compatible with supplied shape {wanted}.")
        if getattr(self, "_sized_by_data", ()):         # in a map: the sizes given become known to its spec
            from .data_sized import refined  # noqa: PLC0415 - data_sized builds on this module
            refined(self, wanted)

    def __hash__(self):
        # A 0-d tensor (np.argmax's result, say) can be a dict key, like the NumPy scalar it
        # stands for; larger ones are unhashable, as arrays and TensorFlow's tensors are.
        if self.ndim == 0:
            return hash(self.view(np.ndarray)[()])
        raise TypeError("unhashable type: 'Tensor' (only 0-d tensors can be dict keys)")

    # Printed as TensorFlow prints its tensors (NumPy's text of the numbers inside, so NumPy's
    # print options apply): repr <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.],
    # dtype=float32)>, str tf.Tensor([1. 2.], shape=(2,), dtype=float32); f"{t:.2f}" formats
    # the numbers alone, as TensorFlow's do.
    def __repr__(self):
        return _tensor_text(self, True)

    def __str__(self):
        return _tensor_text(self, False)

    def __format__(self, spec):
        plain = self.view(np.ndarray)
        return format(plain[()] if plain.ndim == 0 else plain, spec)


# A program that prints a tensor's type sees TensorFlow's class name, EagerTensor (type(t).__name__,
# "'EagerTensor' object has no attribute ..."); Tensor stays the name glassnet and programs use
# (tf.Tensor, isinstance(t, tf.Tensor), type(t) is tf.Tensor), the same class. A pickle finds it by
# either name.
Tensor.__name__ = Tensor.__qualname__ = "EagerTensor"
EagerTensor = Tensor


# Python's operators on a Tensor go straight to glassnet.tf.dispatch (recorded by an open tape),
# not through NumPy's ufunc call, which would take them for a program's NumPy call. A NumPy operand
# (array, NumPy scalar, list) is first converted to the tensor's dtype, as TensorFlow converts it:
# float32 tensor + float64 array is float32, int32 tensor + int64 array int32. Any other operand
# (a Variable, a RaggedTensor, None) and string tensors take ndarray's own operator, whose ufunc
# reaches __array_ufunc__ from this module.
_PLAIN_OPERANDS = (int, float, complex, np.ndarray, np.generic, list)


def _operator(name, ufunc, reflected=False):
    numpy_operator = getattr(np.ndarray, name)

    def operator(self, *other):
        dtype = np.ndarray.dtype.__get__(self)
        if not other:                                               # -t, abs(t), ~t
            return numpy_operator(self) if dtype.kind == "O" else _dispatch().ufunc_call(ufunc, "__call__", (self,), {})
        o = other[0]
        if _PROMOTION_MODE[0] in ("all", "safe") and ufunc not in _COMPARISONS and dtype.kind != "O" \
                and (isinstance(o, _PLAIN_OPERANDS) or hasattr(o, "store_in")):     # TF's lattice (tf/promotion.py)
            from . import promotion  # noqa: PLC0415
            return _dispatch().ufunc_call(ufunc, "__call__", promotion.operands(*((o, self) if reflected else (self, o))), {})
        if dtype.kind == "O" or not isinstance(o, _PLAIN_OPERANDS):
            return numpy_operator(self, o)
        if not isinstance(o, Tensor) and type(o) not in (int, float, complex, bool):     # (np.float64 is a float)
            o = _as_operand(o, dtype)
        return _dispatch().ufunc_call(ufunc, "__call__", (o, self) if reflected else (self, o), {})
    operator.__name__ = operator.__qualname__ = name
    return operator


_COMPARISONS = frozenset((np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal))


def _dispatch():
    """glassnet.tf.dispatch, imported on first use (it builds on this module)."""
    if not _DISPATCH:
        from . import dispatch  # noqa: PLC0415
        _DISPATCH.append(dispatch)
    return _DISPATCH[0]


_DISPATCH: list = []

for _ufunc, _names in ((np.add, "add"), (np.subtract, "sub"), (np.multiply, "mul"), (np.true_divide, "truediv"),
                       (np.floor_divide, "floordiv"), (np.remainder, "mod"), (np.divmod, "divmod"),
                       (np.power, "pow"), (np.matmul, "matmul"), (np.bitwise_and, "and"), (np.bitwise_or, "or"),
                       (np.bitwise_xor, "xor"), (np.left_shift, "lshift"), (np.right_shift, "rshift")):
    setattr(Tensor, f"__{_names}__", _operator(f"__{_names}__", _ufunc))
    setattr(Tensor, f"__r{_names}__", _operator(f"__r{_names}__", _ufunc, reflected=True))
for _ufunc, _names in ((np.negative, "neg"), (np.positive, "pos"), (np.absolute, "abs"), (np.invert, "invert"),
                       (np.less, "lt"), (np.less_equal, "le"), (np.greater, "gt"), (np.greater_equal, "ge"),
                       (np.equal, "eq"), (np.not_equal, "ne")):
    setattr(Tensor, f"__{_names}__", _operator(f"__{_names}__", _ufunc))
del _ufunc, _names


def _as_operand(value, dtype):
    """A NumPy operand of a number tensor's operator in the tensor's dtype (TensorFlow's conversion)."""
    if dtype.kind not in "iufc":
        return value
    arr = np.asarray(value)
    if arr.dtype == dtype or arr.dtype.kind not in "biufc":
        return value
    with np.errstate(all="ignore"):
        return arr.astype(dtype)


# -- who called NumPy: a program, or glassnet itself ----------------------------------------
def _from_program(frame) -> bool:
    """True when ``frame``, the code that called a NumPy function or ufunc on a Tensor, is a
    program's: neither glassnet's own modules nor NumPy's (an ndarray method such as ``t.sum()``
    reaches ``np.add.reduce`` through NumPy's Python) nor einops' (its NumPy backend computes
    on the Tensors as its TensorFlow backend does on TensorFlow's: ``einops.repeat`` gives a
    Tensor). A doctest is a program, in any module."""
    if _OPEN.numpy_recorded:                      # a function of one's own that glassnet runs as a layer
        return False
    name = frame.f_globals.get("__name__") or ""
    if name.startswith(("glassnet.", "numpy.", "einops.")) or name in ("glassnet", "numpy"):
        return frame.f_code.co_filename.startswith("<doctest")
    return True


# ufuncs that Python's operators call: np.float32(2) * t reaches np.multiply from the NumPy
# scalar's operator (which runs before the Tensor's), and TensorFlow's answer is a tensor
_OPERATOR_UFUNCS = frozenset((np.add, np.subtract, np.multiply, np.true_divide, np.floor_divide, np.remainder,
                              np.power, np.matmul, np.equal, np.not_equal, np.less, np.less_equal, np.greater,
                              np.greater_equal, np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.divmod))


def _scalar_operator(ufunc, method, inputs, kwargs) -> bool:
    """A NumPy scalar's operator on a Tensor (``np.float32(2) * t``), told apart from the rare
    ``np.multiply(np.float32(2), t)`` by its shape only: a scalar first, no keyword."""
    return (method == "__call__" and not kwargs and len(inputs) == 2 and isinstance(inputs[0], np.generic)
            and ufunc in _OPERATOR_UFUNCS)


def _is_char(func) -> bool:
    return getattr(func, "__module__", None) in ("numpy.char", "numpy.strings")


def _plain_all(a):
    """``a`` with every Tensor a plain ndarray and every Variable its value, inside lists,
    tuples and dicts too."""
    if isinstance(a, Tensor):
        return a.view(np.ndarray)
    if isinstance(a, (list, tuple)):
        return type(a)(_plain_all(x) for x in a)
    if isinstance(a, dict):
        return {k: _plain_all(v) for k, v in a.items()}
    if hasattr(type(a), "store_in"):                   # a glassnet Variable
        return a.value
    return a


def _numpy_answer(fn, args, kwargs):
    """``fn`` run on plain arrays, as NumPy answers for ndarrays; an ``out=`` given is what comes back."""
    out = kwargs.get("out")
    answer = fn(*_plain_all(args), **_plain_all(kwargs))
    if out is None:
        return answer
    return out[0] if isinstance(out, tuple) and len(out) == 1 else out


def _tensor_text(t, as_repr: bool) -> str:
    """TensorFlow's text of a tensor: ``repr`` <tf.Tensor: shape=(2,), dtype=string,
    numpy=array([...], dtype=object)>, ``str`` tf.Tensor([b'a' b'b'], shape=(2,), dtype=string).
    A 0-d tensor's ``numpy=`` is the Python number's repr (0.3333333432674408 for float32 1/3),
    its ``str`` NumPy's (0.33333334); a body over several lines starts on its own line."""
    plain = t.view(np.ndarray)
    shape = tuple(plain.shape)
    if plain.ndim == 0:
        body = repr(plain.item()) if as_repr or plain.dtype.kind == "O" else str(plain)
    else:
        body = repr(plain) if as_repr else str(plain)
    dtype = "string" if plain.dtype.kind == "O" else plain.dtype.name
    sep = "\n" if "\n" in body else ""
    weak = ", weak=True" if getattr(t, "_weak", False) else ""       # (tf/promotion.py's weak tensors)
    if as_repr:
        return f"<tf.Tensor: shape={shape}, dtype={dtype}, numpy={sep}{body}{weak}>"
    return f"tf.Tensor({sep}{body}, shape={shape}, dtype={dtype}{weak})"


def _object_scalar(value) -> Tensor:
    out = np.empty((), dtype=object)
    out[()] = value
    return out.view(Tensor)


_TEXT_UFUNCS = frozenset((np.equal, np.not_equal, np.add))


def _bytes_operand(a):
    """A ``str`` (or an array of them) beside a string tensor, as the UTF-8 bytes it holds."""
    if isinstance(a, str):
        return a.encode("utf-8")
    if isinstance(a, np.ndarray) and a.dtype.kind == "U":
        return bytes_array(a)
    return a


def _char_call(func, args, kwargs):
    """``np.char.*`` / ``np.strings.*`` on a string tensor: NumPy's text functions want 'S' arrays,
    so the bytes go in as one and what comes out as text is a string tensor again."""
    def as_s(a):
        if isinstance(a, np.ndarray) and a.dtype.kind == "O":
            return a.view(np.ndarray).astype("S") if a.size else np.zeros(a.shape, "S1")
        return a.encode("utf-8") if isinstance(a, str) else a
    out = func(*[as_s(a) for a in args], **{k: as_s(v) for k, v in kwargs.items()})
    if isinstance(out, np.ndarray) and out.dtype.kind in "SU":
        return bytes_array(out).view(Tensor)
    return wrap(out) if isinstance(out, (np.ndarray, np.generic)) else out


def _active_tapes() -> bool:
    """True while a GradientTape records (``glassnet.tf.tape`` keeps the list; read here
    without importing it, so that this module stays the first of the package)."""
    return bool(_OPEN.tapes)


class _OpenTapes(threading.local):
    """The tapes open now in this thread, innermost last (glassnet.tf.tape fills the list): a
    tape records what its own thread computes, as TensorFlow's do."""

    def __init__(self):
        self.tapes: list = []
        self.numpy_recorded = 0     # > 0 inside numpy_recorded()


_OPEN = _OpenTapes()


class numpy_recorded:  # noqa: N801 - used as a function: with numpy_recorded(): ...
    """Inside, NumPy calls on Tensors are glassnet's (recorded by an open tape), not a program's:
    glassnet runs a function of one's own this way when it is a layer whose gradient the tape finds
    (a ``Lambda``'s function, a model's or layer's ``call`` in ``fit``), where TensorFlow would refuse
    NumPy on its symbolic tensors; the gradient then goes through ``np.exp(x)`` rather than taking it
    for a constant. A program's own ``GradientTape`` records no NumPy call, as TensorFlow's."""

    def __enter__(self):
        _OPEN.numpy_recorded += 1
        return self

    def __exit__(self, *exc):
        _OPEN.numpy_recorded -= 1
        return False


class KerasTensor:
    """A symbolic tensor: the shape (batch first, ``None`` for any size) and the dtype of
    what flows into or out of a built layer or model, with no numbers (``model.input``).

    >>> t = KerasTensor((None, 400), "float32")
    >>> t.shape.as_list(), t.dtype, t.dtype.name
    ([None, 400], 'float32', 'float32')
    """

    sparse = ragged = False                  # glassnet's symbolic tensors are dense

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = SymbolicShape(shape)
        self.dtype = keras_dtype(dtype)      # Keras 3's: the name, 'float32' ('string' for text)
        if name is None:                     # Keras 3: keras_tensor, keras_tensor_1, ... (clear_session restarts)
            from ..utils import unique_name  # noqa: PLC0415 - utils imports the tf package
            name = unique_name("keras_tensor")
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self):
        return keras_tensor_text(self)


def keras_tensor_text(t) -> str:
    """Keras 3's repr (and str) of a symbolic tensor: ``<KerasTensor shape=(None, 3), dtype=float32,
    sparse=False, ragged=False, name=keras_tensor>``; text is ``dtype=string``."""
    dtype = np.dtype(t.dtype)
    dtype = "string" if dtype.kind in "OUS" else dtype.name
    return (f"<KerasTensor shape={tuple(t.shape)}, dtype={dtype}, sparse={t.sparse}, ragged={t.ragged}, "
            f"name={t.keras_tensor_name if hasattr(t, 'keras_tensor_name') else t.name}>")


def float_array(x) -> np.ndarray:
    """``x`` as a plain float array, the way TensorFlow converts what an activation gets:
    arrays (and NumPy scalars) of a float type keep it, float64 stays float64; Python
    numbers, lists, integer and boolean arrays become ``floatx`` (float32)."""
    if type(x) is np.ndarray and x.dtype.kind == "f":
        return x
    from ..config import floatx
    arr = np.asarray(x)
    if arr.dtype.kind != "f" or not isinstance(x, (np.ndarray, np.generic)):
        arr = arr.astype(floatx())
    return arr


SLICES_FOLLOWED = [0]       # Dataset.map traces under way (tf/data_sized.py): t[...] keeps t's unknown sizes


def sized_by_data(t, axes=(0,)):
    """``t`` marked with the ``axes`` whose length its data decided (``tf.strings.split``'s pieces,
    ``tf.boolean_mask``'s kept rows): where TensorFlow traces a ``Dataset.map`` function it knows
    them as ``None``, and so does the map's ``element_spec`` here. The mark stays on ``t`` alone
    (what is computed from it is unmarked)."""
    try:
        t._sized_by_data = tuple(axes)
    except AttributeError:              # (a plain array or a symbolic tensor: nothing to mark)
        pass
    return t


def wrap(value):
    """``value`` (an array or a NumPy scalar) as a :class:`Tensor` that shares its numbers."""
    if isinstance(value, Tensor):
        return value
    return np.asarray(value).view(Tensor)


_PY_DEFAULTS = {bool: np.bool_, int: np.int32, float: np.float32}


def _as_dtype(dtype):
    if dtype is None:
        return None
    if dtype is string or (isinstance(dtype, str) and dtype == "string"):
        return np.dtype(object)                     # tf.string: object arrays of bytes
    return np.dtype(getattr(dtype, "as_numpy_dtype", dtype))


def _where(shape, flat_index: int) -> str:
    return "" if not shape else "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat_index, shape)) + "]"


def bytes_array(value, who: str = "value") -> np.ndarray:
    """``value`` (``str``, ``bytes``, a list of them, an array of kind 'U', 'S' or object) as a
    plain NumPy ``object`` array of UTF-8 ``bytes``, what a string tensor holds; anything that
    is not a string (a number in a list of words, say) is a TypeError naming its position."""
    if isinstance(value, bytes):
        return _object_scalar(bytes(value)).view(np.ndarray)
    if isinstance(value, str):
        return _object_scalar(value.encode("utf-8", "surrogateescape")).view(np.ndarray)
    if isinstance(value, np.ndarray):
        arr = value.view(np.ndarray)
    else:
        try:                      # object: each item keeps its type, so ["a", 1] is caught below
            arr = np.array(value, dtype=object)
        except ValueError as e:
            raise ValueError(f"{who}: {e}") from None
    items = arr.reshape(-1).tolist()
    if arr.dtype.kind == "U":
        flat = [s.encode("utf-8", "surrogateescape") for s in items]
    elif arr.dtype.kind == "S":
        flat = items
    else:
        flat = []
        for i, v in enumerate(items):
            if isinstance(v, np.ndarray) and v.ndim == 0:          # [t[0], t[1]]: 0-d string tensors
                v = v.item()
            if isinstance(v, bytes):
                flat.append(bytes(v))
            elif isinstance(v, str):
                flat.append(v.encode("utf-8", "surrogateescape"))
            else:
                raise TypeError(f"{who}{_where(arr.shape, i)} is {v!r} ({type(v).__name__}), not a string: a "
                                "string tensor holds str or bytes only (TensorFlow: mixed types cannot be a "
                                "tensor)")
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(arr.shape)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """``value`` as a :class:`Tensor`, with TensorFlow's default types: Python floats give
    float32, Python ints int32, NumPy arrays keep their type (float64 stays float64).

    >>> convert_to_tensor([1.5, 2.0]).dtype
    tf.float32
    >>> convert_to_tensor(np.array([1.5])).dtype
    tf.float64
    """
    dtype = _as_dtype(dtype)
    if isinstance(value, (str, bytes)) or (dtype is not None and dtype.kind == "O"):
        return _string_tensor(value, dtype, "convert_to_tensor")
    if _active_tapes() and (isinstance(value, Tensor) or hasattr(value, "store_in")):
        from . import vjps  # noqa: PLC0415 - a Variable read, a cast: recorded by the tape
        value = value._read() if hasattr(value, "store_in") else value
        return value if dtype is None or value.dtype == dtype else vjps.cast(value, dtype)
    if isinstance(value, Tensor) and (dtype is None or value.dtype == dtype):
        return value
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()                       # a glassnet Variable
    try:
        arr = np.array(value, copy=True)            # a tensor never aliases the caller's array
    except ValueError as e:
        if "inhomogeneous" in str(e):
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor.") from None
        raise
    if arr.dtype.kind in "OSU":
        return _string_tensor(value, dtype, "convert_to_tensor")
    if dtype is None and not isinstance(value, (np.ndarray, np.generic)) and arr.dtype != object:
        if arr.dtype.kind == "f":
            arr = arr.astype(_as_dtype(dtype_hint) or np.float32)
        elif arr.dtype.kind in "iu" and arr.size and (arr.min() >= -2**31 and arr.max() < 2**31):
            arr = arr.astype(np.int32)
        elif arr.dtype.kind in "iu" and not arr.size:
            arr = arr.astype(np.float32)
    if dtype is not None:
        arr = arr.astype(dtype)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"convert_to_tensor: value of type {type(value).__name__} cannot be a tensor "
                        f"(dtype {arr.dtype})")
    return arr.view(Tensor)


def _string_tensor(value, dtype, who) -> Tensor:
    """Text as a string tensor (object array of UTF-8 bytes); refused for a number dtype."""
    if dtype is not None and dtype.kind != "O":
        raise TypeError(f"{who}: cannot convert strings to a tensor of dtype {dtype.name} (TensorFlow neither); "
                        "parse them with tf.strings.to_number(x, out_type=...)")
    if isinstance(value, Tensor) and value.dtype.kind == "O":
        return value
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    return bytes_array(value, "value").view(Tensor)


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """TensorFlow's ``tf.constant``: a :class:`Tensor` holding ``value`` (a copy), with
    ``dtype`` if given and broadcast or reshaped to ``shape`` if given.

    >>> constant(0.0, shape=(2,)).numpy()
    array([0., 0.], dtype=float32)
    """
    t = convert_to_tensor(value, dtype=dtype)
    if shape is not None:
        shape = tuple(shape)
        if t.size == int(np.prod(shape)):
            t = t.view(np.ndarray).reshape(shape).view(Tensor)
        elif t.size == 1:
            t = np.broadcast_to(t.view(np.ndarray), shape).copy().view(Tensor)
        else:
            raise ValueError(f"constant: value has {t.size} elements, which cannot fill shape {shape}")
    if dtype is None and _PROMOTION_MODE[0] in ("all", "safe") and t is not value:
        from . import promotion  # noqa: PLC0415 - a Python value with no dtype: weak (tf/promotion.py)
        promotion.mark(t, promotion.is_weak(value))
    return t


def cast(x, dtype) -> Tensor:
    """``x`` converted to ``dtype`` (``tf.cast``); recorded by an open tape (dJ/dx = g cast back).
    Strings do not cast to numbers nor numbers to strings, as in TensorFlow: ``tf.strings.to_number``
    and ``tf.strings.as_string`` do that."""
    target = _as_dtype(dtype)
    source = getattr(x, "dtype", None)
    source = np.asarray(x).dtype if not isinstance(source, np.dtype) else source
    if source.kind in "OSU" or target.kind == "O":
        if source.kind in "OSU" and target.kind == "O":
            return _string_tensor(x, None, "cast")
        if source.kind in "OSU":
            raise TypeError(f"cast: a string tensor cannot be cast to {target.name} (TensorFlow neither); "
                            f"parse the text with tf.strings.to_number(x, out_type=tf.{target.name})")
        raise TypeError(f"cast: a {source.name} tensor cannot be cast to string (TensorFlow neither); "
                        "format the numbers with tf.strings.as_string(x)")
    if _active_tapes():
        from . import vjps  # noqa: PLC0415
        return vjps.cast(x if isinstance(x, Tensor) or hasattr(x, "store_in") else convert_to_tensor(x), dtype)
    out = wrap(np.asarray(x).astype(target))
    return sized_by_data(out, x._sized_by_data) if getattr(x, "_sized_by_data", ()) else out   # (in a map)


class TensorFunction:
    """A glassnet function as TensorFlow exposes it: the same numbers, returned as a
    :class:`Tensor`. It compares equal to the plain function it wraps, so a course test's
    ``layer.activation == tf.keras.activations.relu`` holds, and ``Dense(activation=...)``
    accepts it (the layer keeps the plain function: the engine never makes Tensors)."""

    def __init__(self, plain, name=None, doc=None):
        self.plain = self._glassnet_plain = plain
        self.__name__ = name or plain.__name__
        self.__qualname__ = self.__name__
        self.__doc__ = doc or plain.__doc__
        self.__module__ = getattr(plain, "__module__", __name__)

    def __call__(self, x, *args, **kwargs):
        if isinstance(x, KerasTensor) or _symbolic(x):   # keras.activations.sigmoid(logits) in a functional model (keras.io's
            from ..keras import ops  # noqa: PLC0415 - memory-efficient embeddings): Keras's op layer
            op = getattr(ops, self.__name__, None)
            if op is None:
                raise TypeError(f"{self.__name__}: not available on a symbolic tensor; wrap it in a layer")
            return op(x, *args, **kwargs)
        if _active_tapes() and (not args or hasattr(self.plain, "__code__")):
            from . import vjps  # noqa: PLC0415 - recorded: tf.keras.activations.relu(x) inside a tape
            return vjps.activation_by(self.plain, x if hasattr(x, "dtype") and x.dtype.kind == "f"
                                      else float_array(x), **self._by_name(args, kwargs))
        x = float_array(x.value if hasattr(x, "store_in") else x)     # a Variable: its numbers, its type
        out = self.plain(x, *args, **kwargs)
        if out is x:                                    # linear(x) = x: hand back a copy
            out = out.copy()
        return wrap(out)

    def _by_name(self, args, kwargs) -> dict:
        """The options given by position (``elu(x, 2.0)``, ``threshold(x, 0.5, -1.0)``) as keywords
        of the plain function, so that a GradientTape records the call as it does the keyword form."""
        if not args:
            return kwargs
        code = self.plain.__code__
        names = code.co_varnames[1:code.co_argcount]
        if len(args) > len(names):
            raise TypeError(f"{self.__name__}() takes at most {len(names) + 1} positional arguments")
        both = set(names[:len(args)]) & set(kwargs)
        if both:
            raise TypeError(f"{self.__name__}() got multiple values for argument {sorted(both)[0]!r}")
        return {**dict(zip(names, args)), **kwargs}

    def __eq__(self, other):
        if isinstance(other, TensorFunction):
            return other.plain is self.plain
        return other is self.plain

    def __hash__(self):
        return hash(self.plain)

    def __repr__(self):
        return f"<function {self.__name__}>"


def plain_function(fn):
    """The plain function behind a :class:`TensorFunction` or a ``glassnet.nn`` /
    ``glassnet.math`` function (they name it in ``_glassnet_plain``); ``fn`` itself otherwise.
    So ``Dense(4, activation=tf.nn.relu)`` keeps ``glassnet.activations.relu``."""
    return getattr(fn, "_glassnet_plain", fn) if callable(fn) else fn


def _symbolic(value) -> bool:
    """A functional model's symbolic tensor (an Input, a layer's output), at the top or in a list."""
    if isinstance(value, (list, tuple)):
        return any(getattr(v, "_glassnet_symbolic", False) for v in value)
    return getattr(value, "_glassnet_symbolic", False)


def _dispatcher(args, kwargs):
    """The ``__glassnet_dispatch__`` of the first argument (or item of a list argument) whose
    type has one: another kind of tensor (tf.RaggedTensor) that runs TensorFlow's functions itself."""
    for a in (*args, *kwargs.values()):
        for item in (a if isinstance(a, (list, tuple)) else (a,)):
            hook = getattr(type(item), "__glassnet_dispatch__", None)
            if hook is not None:
                return hook
    return None


# Keras 3's words when a TensorFlow function is given a symbolic tensor (its KerasTensor refuses to
# become a tf.Tensor): the same for every function (recorded from Keras 3.15, tests/fixtures/tf_ops_on_keras_tensors.json)
KERAS_TENSOR_IN_TF_FUNCTION = (
    "A KerasTensor cannot be used as input to a TensorFlow function. A KerasTensor is a symbolic placeholder "
    "for a shape and dtype, used when constructing Keras Functional models or Keras Functions. You can only "
    "use it as input to a Keras layer or a Keras operation (from the namespaces `keras.layers` and "
    "`keras.ops`). You are likely doing something like:\n\n```\nx = Input(...)\n...\ntf_fn(x)  # Invalid.\n"
    "```\n\nWhat you should do instead is wrap `tf_fn` in a layer:\n\n```\nclass MyLayer(Layer):\n"
    "    def call(self, x):\n        return tf_fn(x)\n\nx = MyLayer()(x)\n```\n")


def accept_symbolic(namespace: dict, names) -> None:
    """Each TensorFlow function ``names`` of a module, as Keras 3 has them meet a functional
    model's symbolic tensors: refused with Keras's ValueError (:data:`KERAS_TENSOR_IN_TF_FUNCTION`:
    write ``keras.ops``, a layer or a ``Lambda``, which get data); another kind of tensor among the
    arguments (a RaggedTensor) runs the function itself. Marked ``_tf_function``."""
    import functools

    def accepting(fn):
        @functools.wraps(fn)
        def call(*args, **kwargs):
            dispatch = _dispatcher(args, kwargs)
            if dispatch is not None:                    # a RaggedTensor (tf/ragged.py) among the arguments
                return dispatch(fn, args, kwargs)
            if any(_symbolic(a) or isinstance(a, KerasTensor) for a in (*args, *kwargs.values())):
                raise ValueError(KERAS_TENSOR_IN_TF_FUNCTION)       # (model.input, layer.output too)
            return fn(*args, **kwargs)
        call._tf_function = True
        return call
    wrapped = {}
    for name in names:
        fn = namespace.get(name)
        if callable(fn) and not isinstance(fn, type) and getattr(fn, "__module__", "").startswith("glassnet"):
            wrapped[id(fn)] = accepting(fn)
    for name, value in list(namespace.items()):        # aliases too (swish = silu): one function each
        if id(value) in wrapped and not name.startswith("__"):
            namespace[name] = wrapped[id(value)]
