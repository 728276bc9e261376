"""Activation functions, each followed by its derivative.

Every activation ``g`` has a backward ``_g_backward(x, a, grad)`` right under it that
turns ``dJ/da`` into ``dJ/dx``, given the input ``x`` and the output ``a = g(x)``.
Where the derivative is cheaper from the output, it uses the output
(``sigmoid' = a(1-a)``, ``tanh' = 1-a^2``), as scikit-learn's MLP does.

>>> import numpy as np
>>> from glassnet import activations
>>> activations.sigmoid(np.array([0.0]))
array([0.5])
>>> activations.get("relu") is activations.relu
True

A function of your own written with TensorFlow/Keras operations gets its derivative from
the GradientTape (``_through_tape``); one written otherwise needs it given: a
``backward(x, a, grad)`` attribute, e.g.::

    def cube(x):
        return x ** 3
    cube.backward = lambda x, a, grad: grad * 3 * x ** 2
    Dense(4, activation=cube)
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from . import activations_more as _more
from .activations_more import (celu, hard_shrink, hard_silu, hard_swish, hard_tanh, log_sigmoid,  # noqa: F401
                               mish, relu6, soft_shrink, sparse_plus, sparse_sigmoid, squareplus,
                               tanh_shrink, threshold)
from .registry import Family
from .tf.tensor import float_array as _float_array
from .tf.tensor import plain_function as _plain

__all__ = [
    "linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu",
    "swish", "softplus", "softsign", "hard_sigmoid", "exponential", "softmax",
    "log_softmax", "get", "serialize", "deserialize", "backward_of", "formula_of",
    *_more.__all__,
]

_BACKWARD: dict[Callable, Callable] = {}


def _pairs_with(forward: Callable):
    """Register the decorated function as ``forward``'s derivative."""
    def register(backward: Callable) -> Callable:
        _BACKWARD[forward] = backward
        return backward
    return register


def linear(x):
    """``linear(x) = x`` (the identity; ``activation=None`` means this)."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    return x


@_pairs_with(linear)
def _linear_backward(x, a, grad):
    return grad


def sigmoid(x):
    """``sigmoid(x) = 1 / (1 + exp(-x))``, in (0, 1).

    >>> sigmoid(np.array([0.0, 2.0]))
    array([0.5       , 0.88079708])
    """
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    # exp(-x) overflows to inf for x < -88 (float32): 1/(1+inf) = 0 is the right answer, and
    # underflow to 0 for large x gives 1: both flags are silenced rather than the input clipped.
    with np.errstate(over="ignore", under="ignore"):
        a = np.exp(-x)
    if x.ndim == 0:                      # np.exp gave a NumPy scalar: nothing to write into
        return np.reciprocal(a + 1.0)
    a += 1.0                             # in place: `a` is the array np.exp just made
    return np.reciprocal(a, out=a)


@_pairs_with(sigmoid)
def _sigmoid_backward(x, a, grad):
    d = 1.0 - a                          # sigmoid' = a (1 - a)
    d *= a
    d *= grad
    return d


def tanh(x):
    """``tanh(x) = (e^x - e^-x) / (e^x + e^-x)``, in (-1, 1)."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    return np.tanh(x)


@_pairs_with(tanh)
def _tanh_backward(x, a, grad):
    return grad * (1.0 - a * a)          # tanh' = 1 - a^2


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """``relu(x) = max(x, 0)``; Keras's options: a slope below ``threshold``, a cap ``max_value``.

    >>> relu(np.array([-1.0, 2.0]))
    array([0., 2.])
    """
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return np.maximum(x, 0.0)
    below = negative_slope * (x - threshold) if negative_slope else 0.0     # 0, not -0.0
    out = np.where(x > threshold, x, below)
    if max_value is not None:
        out = np.minimum(out, max_value)
    return out.astype(np.result_type(x), copy=False)


@_pairs_with(relu)
def _relu_backward(x, a, grad, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return grad * (x > 0)            # relu' = 1 where x > 0, else 0 (0 at x = 0, as TF)
    slope = np.where(x > threshold, 1.0, negative_slope)            # Keras's options: the slope
    if max_value is not None:                                       # below threshold, 0 where capped
        slope = slope * (a < max_value)
    return grad * slope.astype(grad.dtype, copy=False)


def leaky_relu(x, negative_slope=0.2):
    """``leaky_relu(x) = x if x > 0 else negative_slope * x`` (function default slope 0.2)."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    return np.where(x > 0, x, x * negative_slope).astype(np.result_type(x), copy=False)


@_pairs_with(leaky_relu)
def _leaky_relu_backward(x, a, grad, negative_slope=0.2):
    return grad * np.where(x > 0, 1.0, negative_slope).astype(grad.dtype)


def elu(x, alpha=1.0):
    """``elu(x) = x if x > 0 else alpha * (exp(x) - 1)``."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(np.result_type(x), copy=False)


@_pairs_with(elu)
def _elu_backward(x, a, grad, alpha=1.0):
    return grad * np.where(x > 0, 1.0, a + alpha).astype(grad.dtype)   # elu' = a + alpha below 0


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """``selu(x) = scale * elu(x, alpha)`` with alpha = 1.67326..., scale = 1.05070..."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    return (_SELU_SCALE * elu(x, _SELU_ALPHA)).astype(np.result_type(x), copy=False)


@_pairs_with(selu)
def _selu_backward(x, a, grad):
    return grad * np.where(x > 0, _SELU_SCALE, a + _SELU_SCALE * _SELU_ALPHA).astype(grad.dtype)


# NumPy has no erf; math.erf is exact to double precision, so it is mapped over the array.
# (An approximation would make gradcheck of gelu fail at 1e-6 in float64.)
_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(x, approximate=False):
    """``gelu(x) = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))``; the tanh form if ``approximate``."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    if approximate:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
        return 0.5 * x * (1.0 + np.tanh(inner))
    erf = np.asarray(_erf(x / math.sqrt(2)), dtype=x.dtype)     # a 0-d x gives a Python float
    return (0.5 * x * (1.0 + erf)).astype(x.dtype, copy=False)


@_pairs_with(gelu)
def _gelu_backward(x, a, grad, approximate=False):
    if approximate:
        c = math.sqrt(2 / math.pi)
        t = np.tanh(c * (x + 0.044715 * x ** 3))
        d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
        return grad * d
    cdf = 0.5 * (1.0 + _erf(x / math.sqrt(2)).astype(x.dtype))
    with np.errstate(under="ignore"):        # phi(x) is 0 for |x| > ~40, correctly
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return grad * (cdf + x * pdf)            # gelu' = Phi(x) + x phi(x)


def silu(x):
    """``silu(x) = x * sigmoid(x)`` (also called swish)."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    return x * sigmoid(x)


@_pairs_with(silu)
def _silu_backward(x, a, grad):
    s = sigmoid(x)
    return grad * s * (1.0 + x * (1.0 - s))  # silu' = s (1 + x (1 - s))


swish = silu


def softplus(x):
    """``softplus(x) = log(1 + exp(x))``, computed as ``logaddexp(0, x)`` so it never overflows."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    with np.errstate(under="ignore"):        # log(1 + tiny) is 0 far below zero, correctly
        return np.logaddexp(0.0, x).astype(np.result_type(x), copy=False)


@_pairs_with(softplus)
def _softplus_backward(x, a, grad):
    return grad * sigmoid(x)                 # softplus' = sigmoid


def softsign(x):
    """``softsign(x) = x / (1 + |x|)``."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    return x / (1.0 + np.abs(x))


@_pairs_with(softsign)
def _softsign_backward(x, a, grad):
    d = 1.0 + np.abs(x)
    return grad / (d * d)                    # softsign' = 1 / (1 + |x|)^2


def hard_sigmoid(x):
    """``hard_sigmoid(x) = clip(x / 6 + 0.5, 0, 1)`` (Keras 3's definition)."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    return np.clip(x / 6.0 + 0.5, 0.0, 1.0)


@_pairs_with(hard_sigmoid)
def _hard_sigmoid_backward(x, a, grad):
    # The clip passes the gradient on its closed interval [-3, 3], as TF's clip_by_value does.
    inside = (x >= -3.0) & (x <= 3.0)
    return grad * inside / 6.0


def exponential(x):
    """``exponential(x) = exp(x)``."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    return np.exp(x)


@_pairs_with(exponential)
def _exponential_backward(x, a, grad):
    return grad * a


def softmax(x, axis=-1):
    """``softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x)`` along ``axis``.

    >>> softmax(np.array([[0.0, 0.0]]))
    array([[0.5, 0.5]])
    """
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    with np.errstate(under="ignore"):            # exp of a very negative shift is 0, correctly
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


@_pairs_with(softmax)
def _softmax_backward(x, a, grad, axis=-1):
    # Jacobian-vector product: dx_i = a_i (g_i - sum_j g_j a_j)
    return a * (grad - np.sum(grad * a, axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    """``log_softmax(x) = x - max x - log sum exp(x - max x)`` along ``axis``."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":     # scalars, lists, ints, Tensors
        x = _float_array(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


@_pairs_with(log_softmax)
def _log_softmax_backward(x, a, grad, axis=-1):
    with np.errstate(under="ignore"):
        return grad - np.exp(a) * np.sum(grad, axis=axis, keepdims=True)


BY_NAME = {
    "linear": linear, "sigmoid": sigmoid, "tanh": tanh, "relu": relu,
    "leaky_relu": leaky_relu, "elu": elu, "selu": selu, "gelu": gelu, "silu": silu,
    "swish": silu, "softplus": softplus, "softsign": softsign,
    "hard_sigmoid": hard_sigmoid, "exponential": exponential, "softmax": softmax,
    "log_softmax": log_softmax,
    **_more.BY_NAME,                     # Keras 3's newer ones (activations_more.py)
}
_BACKWARD.update(_more.BACKWARD)


FAMILY = Family("activation", "keras.activations", {}, aliases=BY_NAME, snake=False,
                accepts=lambda found: callable(found) and not isinstance(found, type),
                make=lambda found: found, expected="None, a name or a callable")


def get(identifier) -> Callable:
    """Resolve ``None``, a name (``"relu"``, any case) or a callable to an activation function
    (see :mod:`glassnet.registry`). ``glassnet.nn.relu`` and ``glassnet.keras.activations.relu``
    resolve to this module's ``relu`` (the engine computes on plain arrays)."""
    identifier = _plain(identifier)
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        identifier = FAMILY.resolve(identifier)
    if callable(identifier) and not isinstance(identifier, type):
        if identifier in _BACKWARD or hasattr(identifier, "backward"):
            return identifier
        return _through_tape(identifier)
    raise FAMILY.wrong_type(identifier)


def _through_tape(fn: Callable) -> Callable:
    """An activation of yours with no ``backward``, written with operations the GradientTape
    follows (keras.io's mixture density recipe: ``keras.activations.elu(x) + 1 + epsilon``), as
    Keras takes it: forward is ``fn`` on the array, backward records ``fn`` on ``x`` and asks the
    tape for ``dJ/dx`` given ``dJ/da`` (an operation the tape cannot follow raises there)."""
    from .tf.tape import GradientTape  # noqa: PLC0415 - the tape loads when such a function is used
    from .tf.tensor import wrap  # noqa: PLC0415

    def activation(x):
        return np.asarray(fn(wrap(np.asarray(x))))

    def backward(x, a, grad):
        x = wrap(np.asarray(x))
        with GradientTape() as tape:
            tape.watch(x)
            out = fn(x)
        return np.asarray(tape.gradient(out, x, output_gradients=wrap(np.asarray(grad))))

    activation.backward = backward
    activation.__name__ = getattr(fn, "__name__", "activation")
    activation.__wrapped__ = fn
    return activation


def backward_of(fn: Callable) -> Callable:
    """The derivative ``backward(x, a, grad)`` that goes with activation ``fn``."""
    fn = _plain(fn)
    if fn in _BACKWARD:
        return _BACKWARD[fn]
    return fn.backward


def serialize(fn: Callable) -> str:
    """The name Keras stores for an activation (``"relu"``); a function of yours is stored
    under its registered name (``"package>name"``), or its own name."""
    fn = _plain(fn)
    for name, f in BY_NAME.items():
        if f is fn and name != "swish" and name not in _more.ALIASES:
            return name
    return getattr(fn, "_registered_name", None) or getattr(fn, "__name__", "custom")


def deserialize(config, custom_objects=None) -> Callable:
    """Inverse of :func:`serialize`; accepts a name or Keras's ``{"config": {"name": ...}}``
    (or ``{"class_name": "function", "config": "relu"}``) form. A function of yours comes
    from ``custom_objects`` or the registered ones."""
    if isinstance(config, dict):
        inner = config.get("config", config)
        name = inner.get("name") if isinstance(inner, dict) else inner
        if not isinstance(name, str):
            raise ValueError(f"Cannot read activation from {config!r}")
        registered = config.get("registered_name")
        found = FAMILY.find(name, custom_objects, registered if isinstance(registered, str) else None)
        if found is None:
            raise FAMILY.unknown(name)
        return get(found)
    if isinstance(config, str):
        return get(FAMILY.resolve(config, custom_objects))
    return get(config)


# -- the formulas as text (shown by explain): g(Z) written out, and g'(Z) from the cheaper
# side (the output A where possible). A function of your own may carry `formula` and
# `derivative_formula` attributes too.
def _describe(fn, formula, derivative=None):
    fn.formula, fn.derivative_formula = formula, derivative


_describe(linear, "Z", "1")
_describe(sigmoid, "1 / (1 + exp(-Z))", "A * (1 - A)")
_describe(tanh, "tanh(Z)", "(1 - A^2)")
_describe(relu, "max(Z, 0)", "(Z > 0)")
_describe(leaky_relu, "Z if Z > 0 else 0.2 Z", "(1 if Z > 0 else 0.2)")
_describe(elu, "Z if Z > 0 else exp(Z) - 1", "(1 if Z > 0 else A + 1)")
_describe(selu, "1.0507 (Z if Z > 0 else 1.6733 (exp(Z) - 1))", "1.0507 (1 if Z > 0 else A / 1.0507 + 1.6733)")
_describe(gelu, "Z * Phi(Z), Phi the standard normal CDF", "Phi(Z) + Z phi(Z)")
_describe(silu, "Z * sigmoid(Z)", "s (1 + Z (1 - s)), s = sigmoid(Z)")
_describe(softplus, "log(1 + exp(Z))", "sigmoid(Z)")
_describe(softsign, "Z / (1 + |Z|)", "1 / (1 + |Z|)^2")
_describe(hard_sigmoid, "relu6(Z + 3) / 6", "(1/6 if -3 < Z < 3 else 0)")
_describe(exponential, "exp(Z)", "A")
_describe(softmax, "exp(Z) / sum_j exp(Z_j), row by row", None)
_describe(log_softmax, "Z - log(sum_j exp(Z_j)), row by row", None)
for _fn, (_formula, _derivative) in _more.FORMULAS.items():
    _describe(_fn, _formula, _derivative)


def formula_of(fn) -> tuple:
    """``(g(Z) as text, g'(Z) as text or None)`` for an activation."""
    name = serialize(fn)
    return getattr(fn, "formula", f"{name}(Z)"), getattr(fn, "derivative_formula", None)
