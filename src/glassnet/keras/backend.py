"""``keras.backend`` (``K``): the functions Keras programs call on it.

``clear_session``, ``floatx``/``set_floatx``, ``epsilon``/``set_epsilon`` and
``image_data_format`` are Keras 3's too. The rest are Keras 2's backend (TensorFlow 2's
``tf.keras.backend``), which Keras 3 dropped for ``keras.ops``: ``K.sum``, ``K.mean``,
``K.square``, ``K.clip``, ``K.dot``, ``K.int_shape``, ``K.get_value``, ``K.set_value``, ...
Each runs on NumPy, returns a :class:`~glassnet.tf.tensor.Tensor` (``.numpy()``), and notes
once which Keras 3 / TensorFlow spelling to write instead (``glassnet.keras.legacy``).
Keras 2's meanings are kept: ``K.sqrt`` takes negative inputs as 0, ``K.clip`` with
``max_value < min_value`` clips to ``min_value``, ``K.mean`` of booleans is a float mean.

>>> import warnings, glassnet as tf
>>> from glassnet.keras import backend as K
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     K.sum([[1.0, 2.0], [3.0, 4.0]], axis=1).numpy()
array([3., 7.], dtype=float32)
"""
from __future__ import annotations

import functools

import numpy as np

from ..config import epsilon, floatx, set_epsilon, set_floatx
from ..tf.tensor import Tensor, convert_to_tensor, float_array, wrap
from ..utils import clear_session
from .legacy import note

__all__ = ["abs", "argmax", "argmin", "cast", "clear_session", "clip", "concatenate", "constant", "dot",
           "epsilon", "eval", "exp", "expand_dims", "floatx", "get_value", "image_data_format", "int_shape",
           "log", "max", "maximum", "mean", "min", "minimum", "ones", "pow", "relu", "reshape",
           "set_epsilon", "set_floatx", "set_value", "shape", "sigmoid", "softmax", "sqrt", "square",
           "std", "sum", "tanh", "transpose", "var", "zeros"]


def image_data_format() -> str:
    """``"channels_last"``: the only layout glassnet's layers use."""
    return "channels_last"


def _keras2(replacement):
    """Mark a function as Keras 2's backend: its first use notes ``replacement``."""
    def decorate(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            note(f"keras.backend.{fn.__name__}", f"keras.backend.{fn.__name__} is Keras 2's backend; "
                 f"Keras 3 writes {replacement}")
            return fn(*args, **kwargs)
        return run
    return decorate


def _t(x):
    """``x`` as a Tensor (a Tensor, or a Variable's own array, passes as it is: a tape sees it)."""
    return x if isinstance(x, np.ndarray) else convert_to_tensor(x)


def _f(x):
    """``x`` as a float Tensor (integers and Python numbers become ``floatx``)."""
    return x if isinstance(x, np.ndarray) and x.dtype.kind == "f" else wrap(float_array(_t(x)))


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


# -- reductions --------------------------------------------------------------------------
@_keras2("keras.ops.sum(x, axis, keepdims) (tf.reduce_sum)")
def sum(x, axis=None, keepdims=False):  # noqa: A001  (Keras 2's name)
    return wrap(np.sum(_t(x), axis=_axis(axis), keepdims=keepdims))


@_keras2("keras.ops.mean(x, axis, keepdims) (tf.reduce_mean)")
def mean(x, axis=None, keepdims=False):
    x = _t(x)
    if x.dtype == bool:                     # Keras 2 casts booleans to floatx first
        x = wrap(x.astype(floatx()))
    return wrap(np.mean(_f(x), axis=_axis(axis), keepdims=keepdims))


@_keras2("keras.ops.max(x, axis, keepdims) (tf.reduce_max)")
def max(x, axis=None, keepdims=False):  # noqa: A001
    return wrap(np.max(_t(x), axis=_axis(axis), keepdims=keepdims))


@_keras2("keras.ops.min(x, axis, keepdims) (tf.reduce_min)")
def min(x, axis=None, keepdims=False):  # noqa: A001
    return wrap(np.min(_t(x), axis=_axis(axis), keepdims=keepdims))


@_keras2("keras.ops.std(x, axis, keepdims) (tf.math.reduce_std)")
def std(x, axis=None, keepdims=False):
    return wrap(np.std(_f(x), axis=_axis(axis), keepdims=keepdims))


@_keras2("keras.ops.var(x, axis, keepdims) (tf.math.reduce_variance)")
def var(x, axis=None, keepdims=False):
    return wrap(np.var(_f(x), axis=_axis(axis), keepdims=keepdims))


@_keras2("keras.ops.argmax(x, axis) (tf.argmax)")
def argmax(x, axis=-1):
    return wrap(np.argmax(_t(x), axis=axis))


@_keras2("keras.ops.argmin(x, axis) (tf.argmin)")
def argmin(x, axis=-1):
    return wrap(np.argmin(_t(x), axis=axis))


# -- elementwise -------------------------------------------------------------------------
@_keras2("keras.ops.square(x) (tf.square)")
def square(x):
    return wrap(np.square(_t(x)))


@_keras2("keras.ops.absolute(x) (tf.abs)")
def abs(x):  # noqa: A001
    return wrap(np.abs(_t(x)))


@_keras2("keras.ops.sqrt(x) (tf.sqrt); Keras 2's K.sqrt took negative inputs as 0")
def sqrt(x):
    x = _f(x)
    return wrap(np.sqrt(np.maximum(x, x.dtype.type(0))))


@_keras2("keras.ops.exp(x) (tf.exp)")
def exp(x):
    return wrap(np.exp(_f(x)))


@_keras2("keras.ops.log(x) (tf.math.log)")
def log(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.log(_f(x)))


@_keras2("keras.ops.power(x, a) (tf.pow)")
def pow(x, a):  # noqa: A001
    return wrap(np.power(_t(x), a))


@_keras2("keras.ops.clip(x, min_value, max_value) (tf.clip_by_value)")
def clip(x, min_value, max_value):
    """Keras 2: ``max_value`` None means no upper bound; below ``min_value`` it becomes ``min_value``."""
    if max_value is not None and max_value < min_value:
        max_value = min_value
    if max_value is None:
        max_value = np.inf
    return wrap(np.clip(_t(x), min_value, max_value))


@_keras2("keras.ops.maximum(x, y) (tf.maximum)")
def maximum(x, y):
    return wrap(np.maximum(_t(x), _t(y)))


@_keras2("keras.ops.minimum(x, y) (tf.minimum)")
def minimum(x, y):
    return wrap(np.minimum(_t(x), _t(y)))


@_keras2("keras.activations.sigmoid(x) (tf.sigmoid)")
def sigmoid(x):
    from .. import activations
    return wrap(activations.sigmoid(_f(x)))


@_keras2("keras.activations.tanh(x) (tf.tanh)")
def tanh(x):
    return wrap(np.tanh(_f(x)))


@_keras2("keras.activations.relu(x) (tf.nn.relu)")
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    from .. import activations
    return wrap(activations.relu(_f(x), negative_slope=alpha, max_value=max_value, threshold=threshold))


@_keras2("keras.activations.softmax(x, axis) (tf.nn.softmax)")
def softmax(x, axis=-1):
    from .. import activations
    return wrap(activations.softmax(_f(x), axis=axis))


# -- products and shapes -----------------------------------------------------------------
@_keras2("keras.ops.dot(x, y) or keras.ops.matmul(x, y) (tf.matmul)")
def dot(x, y):
    """Keras 2's ``K.dot``: the last axis of ``x`` against the second-to-last of ``y``
    (NumPy's ``dot``): ``(2, 3, 4) . (4, 5) -> (2, 3, 5)``."""
    return wrap(np.dot(_t(x), _t(y)))


@_keras2("keras.ops.transpose(x) (tf.transpose)")
def transpose(x):
    return wrap(np.transpose(_t(x)))


@_keras2("keras.ops.reshape(x, shape) (tf.reshape)")
def reshape(x, shape):
    return wrap(np.reshape(_t(x), tuple(shape)))


@_keras2("keras.ops.expand_dims(x, axis) (tf.expand_dims)")
def expand_dims(x, axis=-1):
    return wrap(np.expand_dims(_t(x), axis))


@_keras2("keras.ops.concatenate(tensors, axis) (tf.concat)")
def concatenate(tensors, axis=-1):
    return wrap(np.concatenate([_t(t) for t in tensors], axis=axis))


@_keras2("keras.ops.shape(x) (tf.shape)")
def shape(x):
    return wrap(np.array(np.shape(_t(x)), dtype=np.int32))


@_keras2("x.shape (a tuple, None for an unknown size)")
def int_shape(x):
    """The shape as a tuple of ints (``None`` where a symbolic input's size is unknown)."""
    s = getattr(x, "shape", None)
    if s is None:
        s = np.shape(x)
    return tuple(None if d is None else int(d) for d in s)


@_keras2("keras.ops.cast(x, dtype) (tf.cast)")
def cast(x, dtype):
    return wrap(np.asarray(_t(x)).astype(np.dtype(getattr(dtype, "as_numpy_dtype", dtype))))


@_keras2("keras.ops.convert_to_tensor(value, dtype) (tf.constant)")
def constant(value, dtype=None, shape=None, name=None):
    from ..tf.tensor import constant as _constant
    return _constant(value, dtype=dtype or floatx(), shape=shape)


@_keras2("keras.ops.zeros(shape, dtype) (tf.zeros)")
def zeros(shape, dtype=None, name=None):
    return wrap(np.zeros(shape, dtype=dtype or floatx()))


@_keras2("keras.ops.ones(shape, dtype) (tf.ones)")
def ones(shape, dtype=None, name=None):
    return wrap(np.ones(shape, dtype=dtype or floatx()))


# -- values ------------------------------------------------------------------------------
@_keras2("x.numpy() (keras.ops.convert_to_numpy(x))")
def get_value(x):
    """The value of a tensor, a variable or ``optimizer.learning_rate``, as NumPy."""
    if hasattr(x, "numpy"):
        return x.numpy()
    return np.asarray(x)


@_keras2("x.numpy() (keras.ops.convert_to_numpy(x))")
def eval(x):  # noqa: A001  (Keras 2's name)
    return get_value(x)


@_keras2("x.assign(value) (variable.assign)")
def set_value(x, value):
    """Set a variable (``optimizer.learning_rate``, a ``tf.Variable``, a weight) to ``value``."""
    if hasattr(x, "assign"):
        x.assign(value)
        return
    if isinstance(x, np.ndarray) and not isinstance(x, Tensor):
        value = np.asarray(value)
        if value.shape != x.shape:
            raise ValueError(f"set_value: value has shape {value.shape}, the variable {x.shape}")
        x[...] = value
        return
    raise TypeError(f"set_value: x must be a variable (something with .assign), such as "
                    f"optimizer.learning_rate or a tf.Variable; got {type(x).__name__}")
