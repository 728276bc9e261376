"""``Variable`` (TensorFlow's ``tf.Variable``): a named array that can change, with its gradient.

A layer's weights are Variables (``layer.kernel``), and so are the ones a program makes
itself, TensorFlow's way::

    w = tf.Variable(tf.random.normal((3, 2)), name="w")
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(x @ w)           # reading w inside the tape records the read
    dw = tape.gradient(loss, w)
    w.assign_sub(0.1 * dw)                     # changes w's own numbers, in place

Two arrays live in a Variable, always of the same shape: ``value`` (its numbers) and ``grad``
(where a layer's ``backward`` writes ``dJ/dw``). Setting ``v.value = a`` or ``v.grad = a``
writes into the variable's own storage, so an optimizer holding it sees the new numbers, and
``glassnet.fast`` can lay many variables side by side in one buffer (:meth:`store_in`).

A Variable takes part in arithmetic and NumPy calls as a Tensor holding its value does (``w *
2``, ``np.exp(w)``, ``w[0]``, ``x @ w``): each read is recorded by the open tapes
(``glassnet.tf.tape``). ``v == x`` is elementwise, as TensorFlow 2's; between two Variables its
truth value is identity, so ``v in list_of_variables`` and dict keys work (TensorFlow refuses them).

>>> import numpy as np, glassnet as tf
>>> v = tf.Variable([1.0, 2.0], name="v")
>>> v.assign_add([1.0, 1.0]).numpy()
array([2., 3.], dtype=float32)
>>> (v * 2).numpy(), v.shape, v.dtype, v.trainable
(array([4., 6.], dtype=float32), TensorShape([2]), tf.float32, True)
"""
from __future__ import annotations

import re
import sys

import numpy as np

from .tensor import Tensor, TensorShape, convert_to_tensor

__all__ = ["Variable"]

def _tf_name(name) -> str:
    """TensorFlow's name of a variable: ``"w"`` -> ``"w:0"`` (its first output), ``"Variable:0"`` unnamed."""
    name = name or "Variable"
    return name if re.search(r":\d+$", name) else f"{name}:0"


class _Equality(Tensor):
    """``v == w`` of a Variable: the elementwise bool tensor; between two Variables its ``bool()``
    is ``v is w``, else the values' (``if step == 0``)."""

    @classmethod
    def of(cls, op, v, other):
        same = other is v if op is np.equal else other is not v
        try:
            values = op(v._value, other._value if isinstance(other, Variable) else np.asarray(other))
        except (ValueError, TypeError):             # shapes that do not broadcast: the identity only
            return same
        out = np.asarray(values).view(cls)
        out._same = same if isinstance(other, Variable) else None       # v == 0: the values' truth
        return out

    def __bool__(self):
        same = getattr(self, "_same", None)
        return np.ndarray.__bool__(self) if same is None else same


CREATED = [0]                           # Variables made so far (tf.function's retrace rule reads it)

# Keras 3's name scopes: the layers and models whose build or call is running, outermost first. A
# weight made meanwhile lives under their names: a Sequential's sequential/dense/kernel, a subclassed
# model's my_model/inner_block/dense/kernel; a layer built on its own (or in a functional graph's
# call on an Input), dense/kernel. The path is fixed when the weight is made, as Keras's.
_SCOPES: list = []


class weight_scope:
    """``with weight_scope(layer):`` around a layer's (or model's) build or call: weights made
    inside live under its name. The same layer entering again adds nothing (Keras's dedup)."""

    __slots__ = ("owner", "pushed")

    def __init__(self, owner):
        self.owner = owner

    def __enter__(self):
        self.pushed = not _SCOPES or _SCOPES[-1] is not self.owner
        if self.pushed:
            _SCOPES.append(self.owner)

    def __exit__(self, *exc):
        if self.pushed:
            _SCOPES.pop()


def weight_path(owner, name: str) -> str:
    """The path of ``owner``'s weight ``name``: the open scopes' names, the owner's, the name."""
    names = [o.name for o in _SCOPES]
    if not _SCOPES or _SCOPES[-1] is not owner:
        names.append(owner.name)
    return "/".join([n for n in names if n] + [name])      # (a model named "": no level, as Keras's)


class Variable:
    """TensorFlow's ``tf.Variable(initial_value, trainable=True, name=None, dtype=None,
    shape=None)``; glassnet adds ``regularizer`` (a layer's weight penalty) and ``path``
    (``"dense/kernel"``, where the weight lives; the name by default).

    ``initial_value`` is copied (a Python float gives float32, as TensorFlow); it may be a
    function of no arguments that returns the value. ``name`` reads as TensorFlow's
    (``"w:0"``; ``"Variable:0"`` when not given); a layer's weights keep Keras's (``"kernel"``). For programs written before the class
    followed TensorFlow, ``Variable(array, "name")`` (a string second) still names it."""

    __slots__ = ("_value", "_grad", "name", "path", "trainable", "regularizer", "constraint", "_keras_weight",
                 "__weakref__")

    def __init__(self, initial_value=None, trainable=True, name=None, dtype=None, shape=None,
                 regularizer=None, path=None, **kwargs):
        unknown = set(kwargs) - {"validate_shape", "caching_device", "constraint", "synchronization",
                                 "aggregation", "import_scope", "variable_def", "experimental_enable_variable_lifting"}
        if unknown:
            raise TypeError(f"Variable: unexpected argument(s) {', '.join(sorted(unknown))}")
        if isinstance(trainable, str):                 # the old positional Variable(value, name)
            name, trainable = trainable, True
        if initial_value is None:
            raise ValueError("Variable: initial_value must be given (an array, a number or a function returning one)")
        if callable(initial_value) and not isinstance(initial_value, (np.ndarray, Variable)):
            initial_value = initial_value()
        if isinstance(initial_value, Variable):
            initial_value = initial_value.value
        value = np.array(convert_to_tensor(initial_value, dtype=dtype), copy=True, order="C")
        if shape is not None and tuple(shape) != value.shape and None not in tuple(shape):
            raise ValueError(f"Variable: initial_value has shape {value.shape}, but shape={tuple(shape)} was given")
        if type(trainable).__name__ == "DType":        # Variable(10, tf.int32): TF takes the dtype for trainable,
            trainable = True                           # a true value (the guides write it so)
        if not isinstance(trainable, (bool, np.bool_)) and trainable is not None:
            raise TypeError(f"Variable: trainable must be True or False, got {trainable!r}")
        name = _tf_name(name)
        self._setup(value, name, True if trainable is None else bool(trainable), regularizer,
                    path or name.rsplit(":", 1)[0])
        self.constraint = kwargs.get("constraint")    # applied after each optimizer step, as TF

    @classmethod
    def holding(cls, value: np.ndarray, name: str, trainable=True, regularizer=None, path=None) -> "Variable":
        """A Variable that keeps ``value`` itself as its numbers (no copy): how layers make
        their weights (``Layer.add_weight``)."""
        v = cls.__new__(cls)
        v._setup(value, name, trainable, regularizer, path)
        v._keras_weight = True                      # printed as Keras 3 prints a layer's weight
        return v

    def _setup(self, value, name, trainable, regularizer, path):
        CREATED[0] += 1                 # tf.function asks: a first call that makes variables traces twice in TF
        self._keras_weight = False
        self._value = value
        # np.zeros takes pages lazily (zeros_like writes them: seconds for a VGG's 100M weights at build)
        self._grad = np.zeros(value.shape, value.dtype) if type(value) is np.ndarray and value.flags.c_contiguous \
            else np.zeros_like(value)
        self.name = name
        self.path = path or name
        self.trainable = trainable
        self.regularizer = regularizer
        self.constraint = None          # w <- constraint(w) after each optimizer step (keras.constraints)

    # -- the two arrays ----------------------------------------------------------------
    @property
    def value(self) -> np.ndarray:
        """The numbers, a plain ``ndarray`` (the variable's own storage, not a copy)."""
        return self._value

    @value.setter
    def value(self, new) -> None:
        self._value[...] = self._checked(new, "value")

    @property
    def grad(self) -> np.ndarray:
        """``dJ/d(this variable)`` as the last ``backward`` left it (same shape as ``value``)."""
        return self._grad

    @grad.setter
    def grad(self, new) -> None:
        self._grad[...] = self._checked(new, "grad")

    def _checked(self, new, what):
        new = np.asarray(new.value if isinstance(new, Variable) else new)
        if new.shape != self._value.shape:
            raise ValueError(f"Variable {self.path!r}: cannot set {what} of shape {new.shape} "
                             f"on a variable of shape {self._value.shape}")
        return new

    def store_in(self, value: np.ndarray, grad: np.ndarray) -> None:
        """Keep this variable in the given arrays from now on (its numbers are copied into
        ``value``). ``glassnet.fast`` uses it to lay a network's weights side by side."""
        value[...] = self._value
        grad[...] = self._grad
        self._value, self._grad = value, grad

    # -- TensorFlow's surface ------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True) -> "Variable":
        """``v <- value`` (in place; the shape must match, else TensorFlow's ValueError). Returns the variable."""
        new = np.asarray(value.value if isinstance(value, Variable) else value)
        if new.shape != self._value.shape:
            raise ValueError(f"Cannot assign value to variable ' {_tf_name(self.path)}': Shape mismatch.The variable "
                             f"shape {self._value.shape}, and the assigned value shape {new.shape} are incompatible.")
        self.value = new
        return self

    def assign_add(self, delta, use_locking=False, name=None, read_value=True) -> "Variable":
        """``v <- v + delta`` (in place). Returns the variable."""
        self._value += self._update(delta, "AssignAddVariableOp")
        return self

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True) -> "Variable":
        """``v <- v - delta`` (in place). Returns the variable."""
        self._value -= self._update(delta, "AssignSubVariableOp")
        return self

    def _update(self, delta, op) -> np.ndarray:
        new = np.asarray(delta.value if isinstance(delta, Variable) else delta)
        if new.shape != self._value.shape:
            from . import errors  # noqa: PLC0415
            raise errors.eager_op_error(errors.InvalidArgumentError, op, f"Cannot update variable with shape "
                                        f"{list(self._value.shape)} using a Tensor with shape {list(new.shape)}, "
                                        "shapes must be equal.", name_suffix=True)
        return new.astype(self._value.dtype, copy=False)

    # TensorFlow 2 compares variables elementwise (v == w is a bool tensor); glassnet's answer is
    # that tensor, but between two Variables its truth value is identity, so `v in list_of_variables`
    # and dict keys keep working (TensorFlow refuses both); comparing reads no variable on a tape.
    def __eq__(self, other):
        return _Equality.of(np.equal, self, other)

    def __ne__(self, other):
        return _Equality.of(np.not_equal, self, other)

    __hash__ = object.__hash__

    def numpy(self) -> np.ndarray:
        """A copy of the numbers (a NumPy scalar for a 0-d variable, as TensorFlow)."""
        return self._value[()] if self._value.ndim == 0 else self._value.copy()

    @property
    def device(self) -> str:
        """Where the variable lives, as TensorFlow names it: glassnet's one device, the CPU."""
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    def read_value(self) -> Tensor:
        """The value as a Tensor (recorded as a read by the open tapes)."""
        return self._read()

    def value_tensor(self) -> Tensor:
        return self._read()

    def _read(self) -> Tensor:
        from . import tape                    # noqa: PLC0415 - the tape builds on this module
        return tape.read(self)

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    @property
    def dtype(self):
        """TensorFlow's :class:`~glassnet.tf.dtypes.DType` (``tf.float32``); a layer's weight gives
        Keras 3's, the name (``'float32'``, which equals ``tf.float32`` and ``"float32"``, as in TF)."""
        from .dtypes import as_dtype, keras_dtype  # noqa: PLC0415
        return keras_dtype(self._value.dtype) if self._keras_weight else as_dtype(self._value.dtype)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def size(self) -> int:
        return self._value.size

    def get_shape(self) -> TensorShape:
        return self.shape

    def __array__(self, dtype=None, copy=None):
        return self._value.astype(dtype) if dtype is not None else self._value.copy()

    # NumPy calls on a variable go as on a Tensor holding its value: glassnet's own modules
    # (and a function glassnet runs as a layer) read it, recorded, and get a Tensor; a
    # program's np.mean(v), np.exp(v), np.concatenate([v, w]) get NumPy's answer, unrecorded,
    # as TensorFlow's variables give; an operator with an array or a NumPy scalar on its left
    # (ndarray * v, np.float32(2) + v) stays a Tensor, as TensorFlow's (its __array_priority__).
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from . import dispatch, tensor        # noqa: PLC0415
        if tensor._from_program(sys._getframe(1)) and not (
                method == "__call__" and not kwargs and len(inputs) == 2 and ufunc in tensor._OPERATOR_UFUNCS):
            return tensor._numpy_answer(getattr(ufunc, method), inputs, kwargs)
        return dispatch.ufunc_call(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from . import dispatch, tensor        # noqa: PLC0415
        if tensor._from_program(sys._getframe(1)):
            if func is np.shape:
                return TensorShape(np.shape(self._value))
            return tensor._numpy_answer(func, args, kwargs)
        return dispatch.function_call(func, args, kwargs)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __bool__(self):
        return bool(self._value)

    def __index__(self):
        return int(self._value)

    def __len__(self):
        return len(self._value)

    def __iter__(self):
        t = self._read()
        return (t[i] for i in range(len(t)))

    def __getitem__(self, key):
        return self._read()[key]

    def __format__(self, spec):
        return format(self._value[()] if self._value.ndim == 0 else self._value, spec)

    def __repr__(self):
        """As TensorFlow prints it: a ``tf.Variable`` <tf.Variable 'w:0' shape=(2,) dtype=float32,
        numpy=array([1., 2.], dtype=float32)> (a 0-d one: numpy=3.0; a body over several lines on
        its own line); a layer's weight as Keras 3's <Variable path=dense/kernel, shape=(3, 2),
        dtype=float32, value=[[...]]> (NumPy's str of the numbers)."""
        plain, shape = self._value, tuple(self.shape)
        if self._keras_weight:
            return f"<Variable path={self.path}, shape={shape}, dtype={self.dtype.name}, value={plain}>"
        body = repr(plain.item()) if plain.ndim == 0 else repr(np.asarray(plain))
        sep = "\n" if "\n" in body else ""
        return f"<tf.Variable '{_tf_name(self.path)}' shape={shape} dtype={self.dtype.name}, numpy={sep}{body}>"

    def _in_place(self, *_):
        raise RuntimeError("`variable += value` with `tf.Variable`s is not supported. Use "
                           "`variable.assign_add(value)` to modify the variable, or `out = variable + value` if "
                           "you need to get a new output Tensor.")

    __iadd__ = __isub__ = __imul__ = __itruediv__ = __ipow__ = _in_place       # TensorFlow refuses them so

    # arithmetic: on the value, read as a Tensor (so a tape records it)
    def __neg__(self): return -self._read()
    def __pos__(self): return +self._read()
    def __abs__(self): return abs(self._read())
    def __add__(self, o): return self._read() + o
    def __radd__(self, o): return o + self._read()
    def __sub__(self, o): return self._read() - o
    def __rsub__(self, o): return o - self._read()
    def __mul__(self, o): return self._read() * o
    def __rmul__(self, o): return o * self._read()
    def __truediv__(self, o): return self._read() / o
    def __rtruediv__(self, o): return o / self._read()
    def __floordiv__(self, o): return self._read() // o
    def __rfloordiv__(self, o): return o // self._read()
    def __mod__(self, o): return self._read() % o
    def __pow__(self, o): return self._read() ** o
    def __rpow__(self, o): return o ** self._read()
    def __matmul__(self, o): return self._read() @ o
    def __rmatmul__(self, o): return o @ self._read()
    def __lt__(self, o): return self._read() < o
    def __le__(self, o): return self._read() <= o
    def __gt__(self, o): return self._read() > o
    def __ge__(self, o): return self._read() >= o

    @property
    def T(self) -> Tensor:                    # noqa: N802 (NumPy's name)
        return self._read().T

    def reshape(self, *shape) -> Tensor:
        return self._read().reshape(*shape)
