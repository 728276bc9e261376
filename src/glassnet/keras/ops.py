"""``keras.ops``: Keras 3's backend-neutral operations, on glassnet's Tensors.

Each is the TensorFlow-style function glassnet already has (``glassnet.math``, ``glassnet.nn``,
``glassnet.linalg``...), under Keras 3's name and arguments (``ops.sum(x, axis, keepdims)``,
``ops.concatenate(xs, axis=0)``, ``ops.clip(x, x_min, x_max)``): the same numbers, recorded on
a ``GradientTape`` like any operation, and on a functional model's symbolic tensors each call
is a node of the graph (a ``Lambda``), as Keras 3's ops are.

>>> import numpy as np, glassnet
>>> from glassnet.keras import ops
>>> ops.sum(ops.square(np.array([1.0, 2.0])))
<tf.Tensor: shape=(), dtype=float64, numpy=5.0>
>>> inputs = glassnet.keras.Input(shape=(3,))
>>> model = glassnet.keras.Model(inputs, ops.sum(inputs * 2.0, axis=1, keepdims=True))
>>> model.predict(np.ones((2, 3)), verbose=0).ravel().tolist()
[6.0, 6.0]
"""
from __future__ import annotations

import builtins
import functools

import numpy as np

from ..tf import linalg as _linalg
from ..tf import math as _math
from ..tf import nn as _nn
from ..tf import ops as _ops
from ..tf.tensor import _symbolic, cast as _cast, convert_to_tensor, wrap

__all__ = ["abs", "absolute", "add", "all", "any", "arange", "argmax", "argmin", "cast", "clip", "concatenate",
           "convert_to_numpy", "convert_to_tensor", "cos", "cumsum", "divide", "dot", "einsum", "elu", "equal",
           "exp", "expand_dims", "floor", "gelu", "greater", "leaky_relu", "less", "log", "log1p", "log_softmax",
           "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "multiply", "ndim", "negative",
           "norm", "not_equal", "one_hot", "ones", "ones_like", "power", "prod", "relu", "reshape", "round",
           "shape", "sigmoid", "sign", "silu", "sin", "softmax", "softplus", "split", "sqrt", "square", "squeeze", "stack",
           "std", "subtract", "sum", "take", "tanh", "tensordot", "tile", "transpose", "true_divide", "var",
           "where", "zeros", "zeros_like"]


def _op(fn):
    """On a functional model's symbolic tensors: a node of the graph (no note: Keras 3's way)."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        if builtins.any(_symbolic(a) for a in args) or builtins.any(_symbolic(v) for v in kwargs.values()):
            from ..layers import named_ops  # noqa: PLC0415 - the layers build on tf
            if fn.__name__ in named_ops.KERAS_OPS and not kwargs:     # Keras's named operation (ops.exp: "Exp")
                return named_ops.make(named_ops.KERAS_OPS[fn.__name__], list(args))
            from ..layers.lambda_layer import symbolic_call  # noqa: PLC0415
            return symbolic_call(fn, args, kwargs)
        return fn(*args, **kwargs)
    return call


# -- reductions (Keras: axis=None reduces everything) ------------------------------------------
@_op
def sum(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    return _math.reduce_sum(x, axis=axis, keepdims=keepdims)


@_op
def mean(x, axis=None, keepdims=False):
    return _math.reduce_mean(x, axis=axis, keepdims=keepdims)


@_op
def max(x, axis=None, keepdims=False):  # noqa: A001
    return _math.reduce_max(x, axis=axis, keepdims=keepdims)


@_op
def min(x, axis=None, keepdims=False):  # noqa: A001
    return _math.reduce_min(x, axis=axis, keepdims=keepdims)


@_op
def prod(x, axis=None, keepdims=False):
    return _math.reduce_prod(x, axis=axis, keepdims=keepdims)


@_op
def var(x, axis=None, keepdims=False):
    return _math.reduce_variance(x, axis=axis, keepdims=keepdims)


@_op
def std(x, axis=None, keepdims=False):
    return _math.reduce_std(x, axis=axis, keepdims=keepdims)


@_op
def logsumexp(x, axis=None, keepdims=False):
    return _math.reduce_logsumexp(x, axis=axis, keepdims=keepdims)


@_op
def argmax(x, axis=None, keepdims=False):
    return wrap(np.argmax(np.asarray(x), axis=axis, keepdims=keepdims))


@_op
def argmin(x, axis=None, keepdims=False):
    return wrap(np.argmin(np.asarray(x), axis=axis, keepdims=keepdims))


@_op
def any(x, axis=None, keepdims=False):  # noqa: A001
    return wrap(np.any(np.asarray(x), axis=axis, keepdims=keepdims))


@_op
def all(x, axis=None, keepdims=False):  # noqa: A001
    return wrap(np.all(np.asarray(x), axis=axis, keepdims=keepdims))


@_op
def cumsum(x, axis=None):
    return _math.cumsum(x if axis is not None else _ops.reshape(x, [-1]), axis=0 if axis is None else axis)


# -- shapes ------------------------------------------------------------------------------------
@_op
def reshape(x, newshape):
    return _ops.reshape(x, newshape)


@_op
def transpose(x, axes=None):
    return _ops.transpose(x, perm=axes)


@_op
def concatenate(xs, axis=0):
    return _ops.concat(list(xs), axis=axis)


@_op
def stack(x, axis=0):
    return _ops.stack(list(x), axis=axis)


@_op
def expand_dims(x, axis):
    return _ops.expand_dims(x, axis)


@_op
def squeeze(x, axis=None):
    return _ops.squeeze(x, axis=axis)


@_op
def split(x, indices_or_sections, axis=0):
    """NumPy's ``split`` (Keras's ``ops.split``): ``n`` equal parts, or cut at the given indices."""
    if isinstance(indices_or_sections, (int, np.integer)):
        return _ops.split(x, int(indices_or_sections), axis=axis)
    n = np.shape(x)[axis]
    cuts = [0] + [int(i) for i in indices_or_sections] + [n]
    return _ops.split(x, [b - a for a, b in zip(cuts, cuts[1:])], axis=axis)


@_op
def tile(x, repeats):
    return _ops.tile(x, repeats)


@_op
def take(x, indices, axis=None):
    if axis is None:
        return _ops.gather(_ops.reshape(x, [-1]), indices)
    return _ops.gather(x, indices, axis=axis)


def shape(x) -> tuple:
    return tuple(np.shape(x))


def ndim(x) -> int:
    return int(np.ndim(x))


# -- elementwise -------------------------------------------------------------------------------
def _unary(tf_fn, name):
    def f(x):
        return tf_fn(x)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Keras's ``ops.{name}``: {tf_fn.__module__}.{tf_fn.__name__}."
    return _op(f)


exp, log, sqrt, square = _unary(_math.exp, "exp"), _unary(_math.log, "log"), _unary(_math.sqrt, "sqrt"), \
    _unary(_math.square, "square")
abs = absolute = _unary(_math.abs, "abs")  # noqa: A001
sign, floor, round = _unary(_math.sign, "sign"), _unary(_math.floor, "floor"), _unary(_math.round, "round")  # noqa: A001
sin, cos, log1p, negative = _unary(_math.sin, "sin"), _unary(_math.cos, "cos"), _unary(_math.log1p, "log1p"), \
    _unary(_math.negative, "negative")
relu, sigmoid, tanh = _unary(_nn.relu, "relu"), _unary(_nn.sigmoid, "sigmoid"), _unary(_nn.tanh, "tanh")
softplus, silu, elu = _unary(_nn.softplus, "softplus"), _unary(_nn.silu, "silu"), _unary(_nn.elu, "elu")


@_op
def gelu(x, approximate=True):
    return _nn.gelu(x, approximate=approximate)


@_op
def leaky_relu(x, negative_slope=0.2):
    return _nn.leaky_relu(x, alpha=negative_slope)


@_op
def softmax(x, axis=-1):
    return _nn.softmax(x, axis=axis)


@_op
def log_softmax(x, axis=-1):
    return _nn.log_softmax(x, axis=axis)


def _binary(tf_fn, name):
    def f(x1, x2):
        return tf_fn(x1, x2)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Keras's ``ops.{name}``: {tf_fn.__module__}.{tf_fn.__name__}."
    return _op(f)


add, subtract, multiply = _binary(_math.add, "add"), _binary(_math.subtract, "subtract"), \
    _binary(_math.multiply, "multiply")
divide = true_divide = _binary(_math.divide, "divide")
power, maximum, minimum = _binary(_math.pow, "power"), _binary(_math.maximum, "maximum"), \
    _binary(_math.minimum, "minimum")
equal, not_equal = _binary(_math.equal, "equal"), _binary(_math.not_equal, "not_equal")
greater, less = _binary(_math.greater, "greater"), _binary(_math.less, "less")
matmul = _binary(_ops.matmul, "matmul")


@_op
def dot(x1, x2):
    """NumPy's ``dot``: a matrix product for 2-D inputs, the last axis against the second-to-last."""
    if np.ndim(x1) <= 2 and np.ndim(x2) <= 2:
        return _ops.matmul(x1, x2) if np.ndim(x1) == 2 and np.ndim(x2) == 2 else _linalg.tensordot(x1, x2, axes=1)
    return _linalg.tensordot(x1, x2, axes=[[np.ndim(x1) - 1], [np.ndim(x2) - 2]])


@_op
def tensordot(x1, x2, axes=2):
    return _linalg.tensordot(x1, x2, axes=axes)


def einsum(subscripts, *operands):
    return _op(lambda *xs: _ops.einsum(subscripts, *xs))(*operands)


@_op
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    return _linalg.norm(x, ord="euclidean" if ord is None else ord, axis=axis, keepdims=keepdims)


@_op
def where(condition, x1=None, x2=None):
    return _ops.where(condition, x1, x2)


@_op
def clip(x, x_min, x_max):
    return _ops.clip_by_value(x, x_min, x_max)


@_op
def one_hot(x, num_classes, axis=-1, dtype=None):
    out = _ops.one_hot(x, num_classes, axis=axis)
    return out if dtype is None else _cast(out, dtype)


@_op
def cast(x, dtype):
    return _cast(x, dtype)


def convert_to_numpy(x) -> np.ndarray:
    return np.array(x)


def zeros(shape, dtype=None):
    return wrap(np.zeros(shape, dtype or "float32"))


def ones(shape, dtype=None):
    return wrap(np.ones(shape, dtype or "float32"))


def zeros_like(x, dtype=None):
    return wrap(np.zeros_like(np.asarray(x), dtype=dtype))


def ones_like(x, dtype=None):
    return wrap(np.ones_like(np.asarray(x), dtype=dtype))


def arange(start, stop=None, step=1, dtype=None):
    out = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is None and out.dtype.kind == "f":
        out = out.astype("float32")
    elif dtype is None:
        out = out.astype("int32")
    return wrap(out.astype(dtype) if dtype is not None else out)


def _namespace(name, doc, names):
    import types  # noqa: PLC0415
    module = types.ModuleType(f"glassnet.keras.ops.{name}", doc)
    for n in names:
        setattr(module, n, globals()[n])
    return module


#: ``keras.ops.nn``: the neural-network operations under Keras 3's second spelling
#: (keras.io's collaborative-filtering example returns ``ops.nn.sigmoid(x)``): the same functions.
nn = _namespace("nn", "keras.ops.nn: the same functions as keras.ops.relu, keras.ops.sigmoid, ...",
                ("relu", "sigmoid", "softplus", "silu", "leaky_relu", "elu", "gelu", "softmax", "log_softmax",
                 "one_hot"))

del _unary, _binary, _namespace
