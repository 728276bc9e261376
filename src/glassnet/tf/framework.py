"""TensorFlow's plumbing functions, as they behave when eager: ``tf.is_tensor``,
``get_static_value``, ``identity_n``, ``shape_n``, ``ensure_shape``, ``name_scope``,
``no_op``, ``group``, ``control_dependencies``, ``tuple``, ``py_function``,
``numpy_function``, ``broadcast_static_shape``/``broadcast_dynamic_shape``, ``timestamp``.
Everything already runs in order, so the graph-building ones are harmless stand-ins.

>>> import glassnet as tf
>>> with tf.name_scope("encoder") as scope:
...     print(scope)
encoder/
>>> tf.py_function(lambda a: a * 2, [tf.constant(3.0)], Tout=tf.float32).numpy()
np.float32(6.0)
"""
from __future__ import annotations

import builtins
import contextvars
import threading
import time

import numpy as np

from . import data_sized, vjps
from .errors import InvalidArgumentError
from .tensor import Tensor, TensorShape, _as_dtype, convert_to_tensor, wrap
from .variable import Variable

__all__ = ["is_tensor", "get_static_value", "identity_n", "shape_n", "ensure_shape", "name_scope", "no_op", "group",
           "control_dependencies", "tuple", "py_function", "numpy_function", "broadcast_static_shape",
           "broadcast_dynamic_shape", "timestamp"]


def is_tensor(x) -> bool:
    """Whether ``x`` is a Tensor or a Variable (not a NumPy array or a number)."""
    return isinstance(x, (Tensor, Variable))


def get_static_value(tensor, partial=False):
    """A Tensor's numbers as a NumPy array; ``None`` for a Variable (it may change), as TensorFlow's."""
    if isinstance(tensor, Variable):
        return None
    if isinstance(tensor, Tensor):
        return tensor.view(np.ndarray).copy()
    return tensor


def identity_n(input, name=None) -> list:  # noqa: A002
    """Each tensor of the list, unchanged (a recorded copy)."""
    return [vjps.identity(t if isinstance(t, (Tensor, Variable)) else convert_to_tensor(t)) for t in input]


def shape_n(input, out_type=np.int32, name=None) -> list:  # noqa: A002
    """The shape of each tensor of the list, as int32 Tensors."""
    return [wrap(np.asarray(np.shape(t), dtype=_as_dtype(out_type))) for t in input]


def ensure_shape(x, shape, name=None):
    """``x`` itself, or ``InvalidArgumentError`` when its shape does not fit ``shape`` (None: any size)."""
    got = tuple(np.shape(x))
    want = None if shape is None else [None if d is None or d == -1 else int(d) for d in shape]
    if want is not None and (len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got))):
        raise InvalidArgumentError(None, None, f"Shape of tensor input {list(got)} is not compatible with expected "
                                   f"shape {[('?' if w is None else w) for w in want]}.")
    return data_sized.ensured(x, want) if want is not None and data_sized.marks(x) else x   # (a map's spec)


class _Scopes(threading.local):
    def __init__(self):
        self.names: list = []


_SCOPES = _Scopes()


class name_scope:  # noqa: N801 (TensorFlow's name)
    """``with tf.name_scope("block") as scope:`` gives ``"block/"`` (``"outer/block/"`` when
    nested); glassnet's names do not depend on it."""

    def __init__(self, name):
        if not isinstance(name, str):
            raise ValueError(f"name_scope: name must be a string, got {name!r}")
        self.name = name

    def __enter__(self) -> str:
        _SCOPES.names.append(self.name)
        return "".join(f"{n}/" for n in _SCOPES.names if n)

    def __exit__(self, *exc):
        _SCOPES.names.pop()
        return False


def no_op(name=None) -> None:
    """Nothing (in graph mode, an operation that does nothing)."""


def group(*inputs, **kwargs) -> None:
    """Nothing: every operation has already run (eager)."""


class control_dependencies:  # noqa: N801
    """``with tf.control_dependencies([...]):`` runs its body; order is Python's already."""

    def __init__(self, control_inputs):
        self.control_inputs = control_inputs

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def tuple(tensors, control_inputs=None, name=None) -> list:  # noqa: A001
    """The tensors, as a list."""
    return list(tensors)


def _as_tout(value, dtype):
    if dtype is None:
        return value
    dtype = _as_dtype(dtype)
    if isinstance(value, (Tensor, Variable)):
        return value if np.dtype(value.dtype) == dtype else vjps.cast(value, dtype)
    if np.dtype(dtype) == object:                       # tf.string: str becomes UTF-8 bytes, as TensorFlow's
        from .tensor import bytes_array  # noqa: PLC0415
        return wrap(bytes_array(value, "the function's result"))
    return wrap(np.asarray(value, dtype=dtype))


def py_function(func, inp, Tout, name=None):  # noqa: N803 (TensorFlow's name)
    """``func(*inp)``, its answer made a Tensor of ``Tout`` (a list of them for a list of
    types). ``func`` gets the Tensors themselves, so a tape records what it does."""
    out = func(*inp)
    if isinstance(Tout, (list, builtins.tuple)) and not Tout and out is None:
        return []                       # Tout=(): run for its side effect (time.sleep in the data guide)
    if isinstance(Tout, (list, builtins.tuple)):
        outs = list(out) if isinstance(out, (list, builtins.tuple)) else [out]
        if len(outs) != len(Tout):
            raise ValueError(f"py_function: func returned {len(outs)} values, Tout names {len(Tout)}")
        return [data_sized.unknown_shape(_as_tout(o, t), inp) for o, t in zip(outs, Tout)]
    return data_sized.unknown_shape(_as_tout(out, Tout), inp)   # a map's spec: shape <unknown>, as TF's


# Set while a tf.data function (map, filter, ...) runs: TensorFlow traces those into a graph, and
# there numpy_function hands a 0-d value over as a NumPy scalar (bytes for a string), not an array.
TRACED = contextvars.ContextVar("glassnet_traced", default=False)


def numpy_function(func, inp, Tout, stateful=True, name=None):
    """``func`` on NumPy arrays (no gradient flows through it), its answer made a Tensor of
    ``Tout``. Inside a ``Dataset.map`` function a 0-d input comes as a NumPy scalar (a string
    as ``bytes``), as TensorFlow's traced functions give it."""
    plain = [np.asarray(a.value if isinstance(a, Variable) else a) for a in inp]
    if TRACED.get():
        plain = [a[()] if a.ndim == 0 else a for a in plain]
    out = func(*plain)
    if isinstance(Tout, (list, builtins.tuple)) and not Tout and out is None:
        return None                     # TensorFlow's answer for Tout=[] (py_function's is [])
    if isinstance(Tout, (list, builtins.tuple)):
        return [data_sized.unknown_shape(_as_tout(o, t), inp) for o, t in zip(out, Tout)]
    return data_sized.unknown_shape(_as_tout(out, Tout), inp)




def broadcast_static_shape(shape_x, shape_y) -> TensorShape:
    """The shape both broadcast to (``ValueError`` when they cannot)."""
    try:
        return TensorShape(np.broadcast_shapes(builtins.tuple(shape_x), builtins.tuple(shape_y)))
    except ValueError as e:
        raise ValueError(f"Incompatible shapes for broadcasting: {shape_x} and {shape_y}") from e


def broadcast_dynamic_shape(shape_x, shape_y) -> Tensor:
    """As :func:`broadcast_static_shape`, as an int32 Tensor."""
    x = builtins.tuple(int(d) for d in np.asarray(shape_x).reshape(-1))
    y = builtins.tuple(int(d) for d in np.asarray(shape_y).reshape(-1))
    try:
        return wrap(np.asarray(np.broadcast_shapes(x, y), dtype=np.int32))
    except ValueError as e:
        raise InvalidArgumentError(None, None, f"Incompatible shapes: {list(x)} vs. {list(y)}") from e


def timestamp(name=None) -> Tensor:
    """Seconds since the epoch, float64."""
    return wrap(np.asarray(time.time(), dtype=np.float64))
