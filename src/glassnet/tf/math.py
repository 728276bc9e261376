"""A small ``tf.math``: the functions beginner programs call, each returning a Tensor.

``sigmoid`` is ``glassnet.activations.sigmoid``; the rest are NumPy's, under TensorFlow's
names and defaults (``argmax`` reduces axis 0 unless told; ``reduce_*`` reduce everything
unless given ``axis``).

>>> import numpy as np, glassnet as tf
>>> tf.math.reduce_sum([[1.0, 2.0], [3.0, 4.0]], axis=1).numpy()
array([3., 7.], dtype=float32)
>>> int(tf.math.argmax([[1.0, 5.0], [3.0, 4.0]], axis=1)[0])
1
"""
from __future__ import annotations

import numpy as np

from .. import activations as _act
from .tensor import Tensor, convert_to_tensor, float_array, wrap

__all__ = ["sigmoid", "exp", "log", "tanh", "softplus", "abs", "square", "sqrt", "maximum", "minimum",
           "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_std", "argmax", "argmin",
           "add", "subtract", "multiply", "divide", "equal", "round", "confusion_matrix"]


def _values(x):
    """A plain array with TensorFlow's types for Python numbers (float32, int32)."""
    return convert_to_tensor(x).view(np.ndarray) if not isinstance(x, np.ndarray) else np.asarray(x)


def sigmoid(x, name=None) -> Tensor:
    """``1 / (1 + exp(-x))`` (glassnet.activations.sigmoid)."""
    return wrap(_act.sigmoid(x))


def tanh(x, name=None) -> Tensor:
    return wrap(_act.tanh(x))


def softplus(features, name=None) -> Tensor:
    """``log(1 + exp(x))`` (glassnet.activations.softplus)."""
    return wrap(_act.softplus(features))


def exp(x, name=None) -> Tensor:
    """``e^x``."""
    return wrap(_act.exponential(x))


def log(x, name=None) -> Tensor:
    """The natural logarithm (``-inf`` at 0, ``nan`` below, as TensorFlow)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.log(float_array(x)))


def abs(x, name=None) -> Tensor:  # noqa: A001  (TensorFlow's name)
    return wrap(np.abs(_values(x)))


def square(x, name=None) -> Tensor:
    return wrap(np.square(_values(x)))


def sqrt(x, name=None) -> Tensor:
    with np.errstate(invalid="ignore"):
        return wrap(np.sqrt(float_array(x)))


def maximum(x, y, name=None) -> Tensor:
    return wrap(np.maximum(_values(x), _values(y)))


def minimum(x, y, name=None) -> Tensor:
    return wrap(np.minimum(_values(x), _values(y)))


def add(x, y, name=None) -> Tensor:
    return wrap(np.add(_values(x), _values(y)))


def subtract(x, y, name=None) -> Tensor:
    return wrap(np.subtract(_values(x), _values(y)))


def multiply(x, y, name=None) -> Tensor:
    return wrap(np.multiply(_values(x), _values(y)))


def divide(x, y, name=None) -> Tensor:
    """``x / y`` (integers give floats, as TensorFlow's ``divide``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.true_divide(_values(x), _values(y)))


def equal(x, y, name=None) -> Tensor:
    return wrap(np.equal(_values(x), _values(y)))


def round(x, name=None) -> Tensor:  # noqa: A001  (TensorFlow's name)
    """To the nearest integer, halves to even (0.5 -> 0, 1.5 -> 2), as TensorFlow's."""
    return wrap(np.round(_values(x)))


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=np.int32, name=None) -> Tensor:
    """``m[i, j]``: how many samples of class ``i`` were predicted as ``j`` (``weights`` adds
    those instead of ones); ``num_classes`` defaults to the largest label or prediction + 1."""
    labels, predictions = np.asarray(labels).reshape(-1), np.asarray(predictions).reshape(-1)
    if labels.shape != predictions.shape:
        raise ValueError(f"confusion_matrix: labels and predictions must be as many, got {labels.size} "
                         f"and {predictions.size}")
    for what, values in (("labels", labels), ("predictions", predictions)):
        if values.size and (values.dtype.kind not in "iu" and not np.all(values == np.round(values))
                            or values.min() < 0):
            raise ValueError(f"confusion_matrix: {what} must be class numbers >= 0")
    labels, predictions = labels.astype(np.int64), predictions.astype(np.int64)
    n = int(num_classes) if num_classes is not None else int(max(labels.max(initial=-1),
                                                                  predictions.max(initial=-1)) + 1)
    if labels.size and max(labels.max(), predictions.max()) >= n:
        raise ValueError(f"confusion_matrix: a label or prediction is >= num_classes={n}")
    out = np.zeros((n, n), dtype=dtype)
    np.add.at(out, (labels, predictions), 1 if weights is None else np.asarray(weights).reshape(-1).astype(dtype))
    return wrap(out)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The sum over ``axis`` (all axes by default)."""
    x = _values(input_tensor)
    return wrap(np.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=x.dtype))


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The mean over ``axis`` (all axes by default); integers stay integers, as TensorFlow's."""
    x = _values(input_tensor)
    out = np.mean(x, axis=_axis(axis), keepdims=keepdims)
    return wrap(np.asarray(out).astype(x.dtype) if x.dtype.kind in "iu" else out)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    return wrap(np.max(_values(input_tensor), axis=_axis(axis), keepdims=keepdims))


def reduce_min(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    return wrap(np.min(_values(input_tensor), axis=_axis(axis), keepdims=keepdims))


def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The standard deviation over ``axis`` (all axes by default), dividing by n."""
    return wrap(np.std(float_array(input_tensor), axis=_axis(axis), keepdims=keepdims))


def argmax(input, axis=None, output_type=np.int64, name=None) -> Tensor:  # noqa: A002
    """The index of the largest value along ``axis`` (axis 0 when not given, as TensorFlow)."""
    return wrap(np.argmax(_values(input), axis=0 if axis is None else axis).astype(output_type))


def argmin(input, axis=None, output_type=np.int64, name=None) -> Tensor:  # noqa: A002
    """The index of the smallest value along ``axis`` (axis 0 when not given)."""
    return wrap(np.argmin(_values(input), axis=0 if axis is None else axis).astype(output_type))


for _fn, _plain in [(sigmoid, _act.sigmoid), (tanh, _act.tanh), (softplus, _act.softplus), (exp, _act.exponential)]:
    _fn._glassnet_plain = _plain          # usable as Dense(..., activation=tf.math.sigmoid)
del _fn, _plain
