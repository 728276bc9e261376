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
from . import elementwise as _elementwise  # noqa: F401 - its rules (np.tan, np.arcsin, np.mod ...) serve NumPy's doors too
from . import promotion, vjps
from .tensor import Tensor, convert_to_tensor, float_array, wrap, accept_symbolic
from .variable import Variable

__all__ = ["sigmoid", "exp", "log", "tanh", "softplus", "abs", "square", "sqrt", "maximum", "minimum",
           "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_std", "reduce_variance",
           "reduce_logsumexp", "argmax", "argmin", "add", "subtract", "multiply", "divide", "equal", "round",
           "confusion_matrix", "pow", "l2_normalize", "negative", "reciprocal", "log1p", "sin", "cos",
           "rsqrt", "truediv", "sign", "floor", "ceil", "add_n", "greater", "less", "not_equal",
           "greater_equal", "less_equal", "squared_difference", "log_sigmoid", "cumsum"]

# The rest of tf.math lives in modules of its own, loaded when one of their names is first used
# (glassnet.math.erf ...), so that `import glassnet` stays light.
_MORE = {
    "elementwise": "tan sinh cosh asin acos atan atan2 asinh acosh atanh erf erfc lgamma digamma floordiv floormod mod "
                   "realdiv truncatediv truncatemod cumsum scalar_mul logical_and logical_or logical_not logical_xor "
                   "is_nan is_inf is_finite",
    "selection": "reduce_any reduce_all count_nonzero reduce_euclidean_norm top_k in_top_k bincount segment_sum "
                 "unsorted_segment_sum segment_mean unsorted_segment_mean segment_max segment_min segment_prod "
                 "unsorted_segment_max unsorted_segment_min unsorted_segment_prod unsorted_segment_sqrt_n",
    "safe_math": "divide_no_nan multiply_no_nan reciprocal_no_nan xlogy xdivy xlog1py expm1 softsign polyval "
                 "log_softmax softmax rint cumprod invert_permutation is_non_decreasing is_strictly_increasing "
                 "zero_fraction conj real imag complex",
}
__all__ += [name for names in _MORE.values() for name in names.split()]


def __getattr__(name):
    for module, names in _MORE.items():
        if name in names.split():
            import importlib  # noqa: PLC0415 - loaded on first use
            value = getattr(importlib.import_module(f"{__package__}.{module}"), name)
            globals()[name] = value
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _values(x):
    """``x`` as the operations take it: a Tensor or Variable as it is (so that a tape sees
    it), anything else as a Tensor with TensorFlow's types for Python numbers (float32, int32)."""
    if isinstance(x, (Tensor, Variable)):
        return x
    if isinstance(x, (list, tuple)) and x and all(isinstance(v, (Tensor, Variable)) for v in x):
        return vjps.stack(*x)       # tf.reduce_sum([loss_a, loss_b]): TensorFlow packs them, on the tape
    if isinstance(x, np.ndarray):
        return np.asarray(x).view(Tensor)
    t = convert_to_tensor(x)
    return promotion.mark(t) if promotion.active() and promotion.is_weak(x) else t


def _pair(x, y):
    """Both operands of a binary op, as TensorFlow converts them: a Python number or list beside a
    tensor takes the tensor's dtype (``tf.maximum(0., [1, -1])`` is float32, as the first
    operand's), when it holds that dtype's values exactly."""
    if promotion.active():                          # TF's lattice, after enable_numpy_behavior(dtype_conversion_mode=...)
        return promotion.operands(_values(x), _values(y))
    a, b = _values(x), _values(y)
    tensor_like = (Tensor, Variable, np.ndarray)
    if not isinstance(y, tensor_like) and b.dtype != a.dtype:
        b = _alike(y, b, a.dtype)
    elif not isinstance(x, tensor_like) and isinstance(y, tensor_like) and a.dtype != b.dtype:
        a = _alike(x, a, b.dtype)
    return a, b


def _alike(value, converted, dtype):
    if np.dtype(dtype).kind not in "iufc" or converted.dtype.kind not in "iufb":
        return converted
    with np.errstate(all="ignore"):
        same = np.asarray(converted).astype(dtype)
        exact = np.array_equal(same.astype(np.float64) if same.dtype.kind != "c" else same, np.asarray(converted))
    return same.view(Tensor) if exact else converted


def _floats(x):
    """As :func:`_values`, converting integers to floatx (what TensorFlow's float functions take)."""
    if isinstance(x, (Tensor, Variable)) and x.dtype.kind == "f":
        return x
    return wrap(float_array(_plain(x)))


def _plain(x):
    return x.value if isinstance(x, Variable) else x.view(np.ndarray) if isinstance(x, Tensor) else x


def sigmoid(x, name=None) -> Tensor:
    """``1 / (1 + exp(-x))`` (glassnet.activations.sigmoid)."""
    return vjps.sigmoid(_floats(x))


def tanh(x, name=None) -> Tensor:
    return wrap(np.tanh(_floats(x)))


def softplus(features, name=None) -> Tensor:
    """``log(1 + exp(x))`` (glassnet.activations.softplus)."""
    return vjps.softplus(_floats(features))


def exp(x, name=None) -> Tensor:
    """``e^x``."""
    return wrap(np.exp(_floats(x)))


def log(x, name=None) -> Tensor:
    """The natural logarithm (``-inf`` at 0, ``nan`` below, as TensorFlow)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.log(_floats(x)))


def log1p(x, name=None) -> Tensor:
    """``log(1 + x)``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.log1p(_floats(x)))


def log_sigmoid(x, name=None) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``."""
    return -vjps.softplus(-_floats(x))


def abs(x, name=None) -> Tensor:  # noqa: A001  (TensorFlow's name)
    return wrap(np.abs(_values(x)))


def negative(x, name=None) -> Tensor:
    return wrap(np.negative(_values(x)))


def sign(x, name=None) -> Tensor:
    return wrap(np.sign(_values(x)))


def floor(x, name=None) -> Tensor:
    return wrap(np.floor(_values(x)))


def ceil(x, name=None) -> Tensor:
    return wrap(np.ceil(_values(x)))


def sin(x, name=None) -> Tensor:
    return wrap(np.sin(_floats(x)))


def cos(x, name=None) -> Tensor:
    return wrap(np.cos(_floats(x)))


def reciprocal(x, name=None) -> Tensor:
    return wrap(np.reciprocal(_floats(x)))


def rsqrt(x, name=None) -> Tensor:
    """``1 / sqrt(x)``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(1.0 / np.sqrt(_floats(x)))


def square(x, name=None) -> Tensor:
    return wrap(np.square(_values(x)))


def sqrt(x, name=None) -> Tensor:
    with np.errstate(invalid="ignore", divide="ignore"):
        return wrap(np.sqrt(_floats(x)))


def pow(x, y, name=None) -> Tensor:  # noqa: A001  (TensorFlow's name)
    """``x ** y`` elementwise."""
    return wrap(np.power(*_pair(x, y)))


def maximum(x, y, name=None) -> Tensor:
    return wrap(np.maximum(*_pair(x, y)))


def minimum(x, y, name=None) -> Tensor:
    return wrap(np.minimum(*_pair(x, y)))


def add(x, y, name=None) -> Tensor:
    return wrap(np.add(*_pair(x, y)))


def add_n(inputs, name=None) -> Tensor:
    """The sum of a list of tensors of one shape."""
    inputs = [_values(x) for x in inputs]
    if not inputs:
        raise ValueError("add_n: inputs must be a non-empty list of tensors")
    total = inputs[0]
    for x in inputs[1:]:
        total = total + x
    return wrap(total) if total is not inputs[0] else vjps.identity(total)


def subtract(x, y, name=None) -> Tensor:
    return wrap(np.subtract(*_pair(x, y)))


def squared_difference(x, y, name=None) -> Tensor:
    """``(x - y)^2`` elementwise."""
    return wrap(np.square(np.subtract(*_pair(x, y))))


def multiply(x, y, name=None) -> Tensor:
    return wrap(np.multiply(*_pair(x, y)))


def divide(x, y, name=None) -> Tensor:
    """``x / y`` (integers give floats, as TensorFlow's ``divide``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.true_divide(*_pair(x, y)))


truediv = divide


def equal(x, y, name=None) -> Tensor:
    return wrap(np.equal(*_pair(x, y)))


def not_equal(x, y, name=None) -> Tensor:
    return wrap(np.not_equal(*_pair(x, y)))


def greater(x, y, name=None) -> Tensor:
    return wrap(np.greater(*_pair(x, y)))


def greater_equal(x, y, name=None) -> Tensor:
    return wrap(np.greater_equal(*_pair(x, y)))


def less(x, y, name=None) -> Tensor:
    return wrap(np.less(*_pair(x, y)))


def less_equal(x, y, name=None) -> Tensor:
    return wrap(np.less_equal(*_pair(x, y)))


def round(x, name=None) -> Tensor:  # noqa: A001  (TensorFlow's name)
    """To the nearest integer, halves to even (0.5 -> 0, 1.5 -> 2), as TensorFlow's."""
    return wrap(np.round(_values(x)))


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """``x / sqrt(max(sum(x^2, axis), epsilon))`` (all axes by default)."""
    x = _floats(x)
    axis = dim if axis is None else axis
    return x / np.sqrt(np.maximum(vjps.sum(x * x, axis=_axis(axis), keepdims=True), epsilon))


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
    if isinstance(axis, (Tensor, Variable, np.ndarray)):
        axis = np.asarray(axis).tolist()
    return tuple(axis) if isinstance(axis, list) else axis


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The sum over ``axis`` (all axes by default)."""
    x = _values(input_tensor)
    return vjps.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=x.dtype)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The mean over ``axis`` (all axes by default); integers stay integers, as TensorFlow's."""
    x = _values(input_tensor)
    if x.dtype.kind in "iub":
        return wrap(np.asarray(np.mean(_plain(x), axis=_axis(axis), keepdims=keepdims)).astype(x.dtype))
    return vjps.mean(x, axis=_axis(axis), keepdims=keepdims)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    return vjps.max(_values(input_tensor), axis=_axis(axis), keepdims=keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    return vjps.min(_values(input_tensor), axis=_axis(axis), keepdims=keepdims)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    x = _values(input_tensor)
    return vjps.prod(x, axis=_axis(axis), keepdims=keepdims, dtype=x.dtype)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The variance over ``axis`` (all axes by default), dividing by n."""
    x = _floats(input_tensor)
    centered = x - vjps.mean(x, axis=_axis(axis), keepdims=True)
    return vjps.mean(centered * centered, axis=_axis(axis), keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The standard deviation over ``axis`` (all axes by default), dividing by n."""
    return wrap(np.sqrt(reduce_variance(input_tensor, axis, keepdims)))


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """``log sum exp(x)`` over ``axis``, computed as ``m + log sum exp(x - m)`` (m = the max, held constant)."""
    x = _floats(input_tensor)
    m = np.max(_plain(x), axis=_axis(axis), keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(vjps.sum(np.exp(x - m), axis=_axis(axis), keepdims=True)) + m
    return out if keepdims else vjps.squeeze(out, axis=_axis(axis))


def argmax(input, axis=None, output_type=np.int64, name=None) -> Tensor:  # noqa: A002
    """The index of the largest value along ``axis`` (axis 0 when not given, as TensorFlow)."""
    return wrap(np.argmax(_values(input), axis=0 if axis is None else axis).astype(output_type))


def argmin(input, axis=None, output_type=np.int64, name=None) -> Tensor:  # noqa: A002
    """The index of the smallest value along ``axis`` (axis 0 when not given)."""
    return wrap(np.argmin(_values(input), axis=0 if axis is None else axis).astype(output_type))


for _fn, _p in [(sigmoid, _act.sigmoid), (tanh, _act.tanh), (softplus, _act.softplus), (exp, _act.exponential)]:
    _fn._glassnet_plain = _p              # usable as Dense(..., activation=tf.math.sigmoid)
del _fn, _p


accept_symbolic(globals(), __all__)      # tf functions on a functional model's tensors make Lambda nodes
