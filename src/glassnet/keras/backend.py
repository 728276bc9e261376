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

__all__ = ["abs", "all", "any", "argmax", "argmin", "batch_flatten", "binary_crossentropy", "cast",
           "categorical_crossentropy", "clear_session", "clip", "concatenate", "constant", "cumsum", "dot",
           "epsilon", "equal", "eval", "exp", "expand_dims", "flatten", "floatx", "function", "gather", "get_value",
           "greater", "greater_equal", "image_data_format", "int_shape", "l2_normalize", "learning_phase", "less",
           "less_equal", "set_learning_phase",
           "log", "max", "maximum", "mean", "min", "minimum", "not_equal", "ones", "ones_like", "pow", "prod",
           "relu", "reshape", "round", "set_epsilon", "set_floatx", "set_value", "shape", "sigmoid", "sign",
           "softmax", "sparse_categorical_crossentropy", "sqrt", "square", "squeeze", "stack", "std",
           "stop_gradient", "sum", "tanh", "transpose", "var", "variable", "zeros", "zeros_like"]


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
    """``x`` as NumPy takes it: an array, a Tensor or a Variable passes as it is (so that a
    GradientTape sees the operation); lists and numbers become Tensors."""
    return x if hasattr(type(x), "__array_ufunc__") else convert_to_tensor(x)


def _f(x):
    """``x`` as a float array (integers, booleans and Python numbers become ``floatx``)."""
    x = _t(x)
    try:
        if np.dtype(x.dtype).kind == "f":
            return x
    except TypeError:
        pass
    return wrap(float_array(np.asarray(x)))


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


@_keras2("keras.ops.round(x) (tf.round; halves to even)")
def round(x):  # noqa: A001
    return wrap(np.round(_t(x)))


@_keras2("keras.ops.sign(x) (tf.sign)")
def sign(x):
    return wrap(np.sign(_t(x)))


def _comparison(name, op):
    def compare(x, y):
        return wrap(op(_t(x), _t(y)))
    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = f"Elementwise ``{name}`` of ``x`` and ``y``: a boolean Tensor."
    return _keras2(f"keras.ops.{name}(x, y) (tf.math.{name})")(compare)


equal = _comparison("equal", np.equal)
not_equal = _comparison("not_equal", np.not_equal)
greater = _comparison("greater", np.greater)
greater_equal = _comparison("greater_equal", np.greater_equal)
less = _comparison("less", np.less)
less_equal = _comparison("less_equal", np.less_equal)


@_keras2("keras.ops.any(x, axis, keepdims) (tf.reduce_any)")
def any(x, axis=None, keepdims=False):  # noqa: A001
    return wrap(np.any(_t(x), axis=_axis(axis), keepdims=keepdims))


@_keras2("keras.ops.all(x, axis, keepdims) (tf.reduce_all)")
def all(x, axis=None, keepdims=False):  # noqa: A001
    return wrap(np.all(_t(x), axis=_axis(axis), keepdims=keepdims))


@_keras2("keras.ops.prod(x, axis, keepdims) (tf.reduce_prod)")
def prod(x, axis=None, keepdims=False):
    return wrap(np.prod(_t(x), axis=_axis(axis), keepdims=keepdims))


@_keras2("keras.ops.cumsum(x, axis) (tf.cumsum)")
def cumsum(x, axis=0):
    return wrap(np.cumsum(_t(x), axis=axis))


@_keras2("keras.ops.zeros_like(x) (tf.zeros_like)")
def zeros_like(x, dtype=None, name=None):
    return wrap(np.zeros_like(np.asarray(_t(x)), dtype=dtype))


@_keras2("keras.ops.ones_like(x) (tf.ones_like)")
def ones_like(x, dtype=None, name=None):
    return wrap(np.ones_like(np.asarray(_t(x)), dtype=dtype))


@_keras2("keras.ops.normalize(x, axis) (tf.math.l2_normalize)")
def l2_normalize(x, axis=None):
    """``x / sqrt(max(sum(x^2), 1e-12))`` along ``axis`` (TensorFlow's floor on the squared norm)."""
    x = _f(x)
    return wrap(x / np.sqrt(np.maximum(np.sum(x * x, axis=axis, keepdims=True), 1e-12)))


@_keras2("keras.ops.binary_crossentropy(target, output) (elementwise)")
def binary_crossentropy(target, output, from_logits=False):
    """Keras 2's elementwise form, not averaged: ``output`` clipped to ``[eps, 1 - eps]``,
    ``-(t log(p + eps) + (1 - t) log(1 - p + eps))``; with ``from_logits`` the stable
    ``max(z, 0) - z t + log(1 + exp(-|z|))``."""
    t, p, eps = _f(target), _f(output), epsilon()
    if from_logits:
        return wrap(np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p))))
    p = np.clip(p, eps, 1 - eps)
    return wrap(-(t * np.log(p + eps) + (1 - t) * np.log(1 - p + eps)))


@_keras2("keras.ops.categorical_crossentropy(target, output)")
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per sample: ``output`` scaled to sum 1 along ``axis`` and clipped to ``[eps, 1 - eps]``,
    ``-sum(t log p)``; with ``from_logits``, ``-sum(t log_softmax(z))``."""
    t, p = _f(target), _f(output)
    if from_logits:
        z = p - np.max(p, axis=axis, keepdims=True)
        return wrap(-np.sum(t * (z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))), axis=axis))
    p = np.clip(p / np.sum(p, axis=axis, keepdims=True), epsilon(), 1 - epsilon())
    return wrap(-np.sum(t * np.log(p), axis=axis))


@_keras2("keras.ops.sparse_categorical_crossentropy(target, output)")
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """:func:`categorical_crossentropy` with integer labels (a trailing 1 dropped)."""
    p = np.asarray(_f(output))
    labels = np.asarray(target).astype(np.int64)
    if labels.ndim == p.ndim:
        labels = labels.reshape(labels.shape[:-1])
    onehot = (labels[..., None] == np.arange(p.shape[axis])).astype(p.dtype)
    return categorical_crossentropy.__wrapped__(onehot, output, from_logits=from_logits, axis=axis)


@_keras2("keras.ops.stop_gradient(x) (tf.stop_gradient)")
def stop_gradient(variables):
    from ..tf.tape import stop_gradient as _stop
    if isinstance(variables, (list, tuple)):
        return [_stop(v) for v in variables]
    return _stop(variables)


@_keras2("tf.Variable(value, dtype=..., name=...)")
def variable(value, dtype=None, name=None, constraint=None):
    """A ``tf.Variable`` holding ``value`` in ``dtype`` (``floatx`` by default)."""
    from ..tf.variable import Variable
    return Variable(np.asarray(value, dtype=dtype or floatx()), name=name)


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


@_keras2("keras.ops.squeeze(x, axis) (tf.squeeze)")
def squeeze(x, axis):
    return wrap(np.squeeze(_t(x), axis=axis))


@_keras2("keras.ops.stack(tensors, axis) (tf.stack)")
def stack(x, axis=0):
    return wrap(np.stack([_t(t) for t in x], axis=axis))


@_keras2("keras.ops.reshape(x, (-1,)) (tf.reshape(x, [-1]))")
def flatten(x):
    return wrap(np.reshape(_t(x), (-1,)))


@_keras2("keras.layers.Flatten() or keras.ops.reshape(x, (len(x), -1))")
def batch_flatten(x):
    x = _t(x)
    return wrap(np.reshape(x, (np.shape(x)[0], -1)))


@_keras2("keras.ops.take(reference, indices, axis=0) (tf.gather)")
def gather(reference, indices):
    return wrap(np.take(_t(reference), np.asarray(indices), axis=0))


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


# -- the learning phase: an argument in glassnet, never a global mode ----------------------------
@_keras2("the training argument: model(x, training=True) or layer(x, training=False)")
def learning_phase():
    """0: calls run in inference mode unless told ``training=True`` (glassnet keeps no global mode)."""
    return 0


@_keras2("the training argument: model(x, training=True) or layer(x, training=False)")
def set_learning_phase(value):
    """``0`` is accepted (inference is what calls do by default); ``1`` is refused: glassnet keeps
    no global training flag, training is an argument of each call."""
    if value not in (0, 1):
        raise ValueError(f"set_learning_phase: value must be 0 or 1, got {value!r}")
    if value == 1:
        raise ValueError("set_learning_phase(1): glassnet keeps no global training mode; pass training=True "
                         "to the call instead (model(x, training=True)); fit trains in training mode itself")


# -- functions of a model's tensors -----------------------------------------------------------
@_keras2("keras.Model(inputs, outputs) and its predict (the Keras FAQ's feature extractor)")
def function(inputs, outputs, updates=None, name=None, **kwargs):
    """Keras 2's ``K.function(inputs, outputs)``: a function from a list of arrays (one per
    input) to the list of ``outputs``' values, in inference mode; here a functional ``Model``
    over the same tensors. ``K.function([model.layers[0].input], [model.layers[3].output])``."""
    if updates:
        raise ValueError("K.function: updates= (TensorFlow 1 graph updates) are not supported; "
                         "write a training step with tf.GradientTape instead")
    from ..models import Model
    ins = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    many = isinstance(outputs, (list, tuple))
    model = Model(inputs=ins, outputs=list(outputs) if many else outputs)

    def run(values):
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        if len(values) != len(ins):
            raise ValueError(f"K.function: expected a list of {len(ins)} array(s), one per input; got "
                             f"{len(values)}")
        out = model.predict(values if len(values) > 1 else values[0], verbose=0)
        return [np.asarray(o) for o in out] if many and isinstance(out, list) else (
            [np.asarray(out)] if many else np.asarray(out))
    return run


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
