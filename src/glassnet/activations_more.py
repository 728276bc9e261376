"""Keras 3's newer elementwise activations, each followed by its derivative.

``relu6, mish, hard_silu (hard_swish), log_sigmoid, celu, hard_tanh, soft_shrink,
hard_shrink, tanh_shrink, squareplus, sparse_plus, sparse_sigmoid, threshold``: Keras 3.15's
names and defaults. As in :mod:`glassnet.activations`, every ``g`` has ``_g_backward(x, a,
grad)`` right under it (``dJ/da`` to ``dJ/dx``, given the input ``x`` and output ``a``);
``glassnet.activations`` imports this module, merges :data:`BY_NAME` into its registry and
:data:`BACKWARD` into its table of derivatives, so ``activation="relu6"`` works everywhere
a built-in name does. Float32 stays float32.

>>> import numpy as np
>>> relu6(np.array([-1.0, 3.0, 9.0]))
array([0., 3., 6.])

``threshold(x, threshold, default_value)`` needs its two numbers (as in Keras), so it is a
function here, not a name a layer can take alone.
"""
from __future__ import annotations

import numpy as np

from .tf.tensor import float_array as _float_array

__all__ = ["relu6", "mish", "hard_silu", "hard_swish", "log_sigmoid", "celu", "hard_tanh",
           "soft_shrink", "hard_shrink", "tanh_shrink", "squareplus", "sparse_plus",
           "sparse_sigmoid", "threshold"]

BACKWARD: dict = {}


def _pairs_with(forward):
    def register(backward):
        BACKWARD[forward] = backward
        return backward
    return register


def _floats(x):
    """``x`` as a float array (scalars, lists, ints, Tensors converted; float arrays as given)."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":
        x = _float_array(x)
    return x


def _mask(condition, like):
    """A boolean condition as 0/1 in ``like``'s dtype (keeps float32 float32)."""
    return condition.astype(like.dtype) if isinstance(like, np.ndarray) else like.dtype.type(condition)


def relu6(x):
    """``relu6(x) = min(max(x, 0), 6)``."""
    return np.clip(_floats(x), 0.0, 6.0)


@_pairs_with(relu6)
def _relu6_backward(x, a, grad):
    return grad * _mask((x > 0) & (x < 6), x)


def mish(x):
    """``mish(x) = x * tanh(softplus(x))``."""
    x = _floats(x)
    with np.errstate(under="ignore"):
        return x * np.tanh(np.logaddexp(0.0, x).astype(x.dtype, copy=False))


@_pairs_with(mish)
def _mish_backward(x, a, grad):
    # d/dx = tanh(sp) + x (1 - tanh(sp)^2) sigmoid(x), sp = softplus(x)
    with np.errstate(under="ignore", over="ignore"):      # exp(-x) past float range, tiny products: 0 is right
        t = np.tanh(np.logaddexp(0.0, x))
        s = 1.0 / (1.0 + np.exp(-x))
        return (grad * (t + x * (1.0 - t * t) * s)).astype(np.result_type(grad, x), copy=False)


def hard_silu(x):
    """``hard_silu(x) = x * relu6(x + 3) / 6`` (alias ``hard_swish``)."""
    x = _floats(x)
    return x * np.clip(x / 6.0 + 0.5, 0.0, 1.0)


hard_swish = hard_silu


@_pairs_with(hard_silu)
def _hard_silu_backward(x, a, grad):
    inside = (x > -3) & (x < 3)
    return grad * (np.clip(x / 6.0 + 0.5, 0.0, 1.0) + x * (_mask(inside, x) / 6.0))


def log_sigmoid(x):
    """``log_sigmoid(x) = -softplus(-x)``, never overflowing."""
    x = _floats(x)
    with np.errstate(under="ignore"):
        return -np.logaddexp(0.0, -x).astype(x.dtype, copy=False)


@_pairs_with(log_sigmoid)
def _log_sigmoid_backward(x, a, grad):
    with np.errstate(over="ignore", under="ignore"):
        return grad / (1.0 + np.exp(x))          # sigmoid(-x)


def celu(x, alpha=1.0):
    """``celu(x) = x if x >= 0 else alpha * (exp(x / alpha) - 1)``."""
    x = _floats(x)
    return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0.0) / alpha)).astype(x.dtype, copy=False)


@_pairs_with(celu)
def _celu_backward(x, a, grad, alpha=1.0):
    return grad * np.where(x >= 0, 1.0, a / alpha + 1.0)       # exp(x / alpha) = a / alpha + 1


def hard_tanh(x):
    """``hard_tanh(x) = clip(x, -1, 1)``."""
    return np.clip(_floats(x), -1.0, 1.0)


@_pairs_with(hard_tanh)
def _hard_tanh_backward(x, a, grad):
    return grad * _mask((x > -1) & (x < 1), x)


def soft_shrink(x, threshold=0.5):
    """``soft_shrink(x) = x - threshold if x > threshold, x + threshold if x < -threshold, else 0``."""
    x = _floats(x)
    return (np.sign(x) * np.maximum(np.abs(x) - threshold, 0.0)).astype(x.dtype, copy=False)


@_pairs_with(soft_shrink)
def _soft_shrink_backward(x, a, grad, threshold=0.5):
    return grad * _mask(np.abs(x) > threshold, x)


def hard_shrink(x, threshold=0.5):
    """``hard_shrink(x) = x if |x| > threshold else 0``."""
    x = _floats(x)
    return x * _mask(np.abs(x) > threshold, x)


@_pairs_with(hard_shrink)
def _hard_shrink_backward(x, a, grad, threshold=0.5):
    return grad * _mask(np.abs(x) > threshold, x)


def tanh_shrink(x):
    """``tanh_shrink(x) = x - tanh(x)``."""
    x = _floats(x)
    return x - np.tanh(x)


@_pairs_with(tanh_shrink)
def _tanh_shrink_backward(x, a, grad):
    t = np.tanh(x)
    return grad * t * t                           # 1 - (1 - tanh^2)


def squareplus(x, b=4):
    """``squareplus(x) = (x + sqrt(x^2 + b)) / 2``, a smooth relu (``b >= 0``)."""
    x = _floats(x)
    return ((x + np.sqrt(x * x + b)) / 2).astype(x.dtype, copy=False)


@_pairs_with(squareplus)
def _squareplus_backward(x, a, grad, b=4):
    return grad * (0.5 + 0.5 * x / np.sqrt(x * x + b))


def sparse_plus(x):
    """``sparse_plus(x) = 0 if x <= -1, x if x >= 1, else (x + 1)^2 / 4``."""
    x = _floats(x)
    middle = (x + 1.0) * (x + 1.0) / 4.0
    return np.where(x <= -1, 0.0, np.where(x >= 1, x, middle)).astype(x.dtype, copy=False)


@_pairs_with(sparse_plus)
def _sparse_plus_backward(x, a, grad):
    return grad * np.clip((x + 1.0) / 2.0, 0.0, 1.0)          # 0, (x + 1) / 2, 1


def sparse_sigmoid(x):
    """``sparse_sigmoid(x) = clip((x + 1) / 2, 0, 1)``."""
    x = _floats(x)
    return np.clip((x + 1.0) / 2.0, 0.0, 1.0)


@_pairs_with(sparse_sigmoid)
def _sparse_sigmoid_backward(x, a, grad):
    return grad * (_mask((x > -1) & (x < 1), x) / 2.0)


def threshold(x, threshold, default_value):
    """``threshold(x, threshold, default_value) = x if x > threshold else default_value``."""
    x = _floats(x)
    return np.where(x > threshold, x, default_value).astype(x.dtype, copy=False)


@_pairs_with(threshold)
def _threshold_backward(x, a, grad, threshold, default_value):
    return grad * _mask(x > threshold, x)


BY_NAME = {
    "relu6": relu6, "mish": mish, "hard_silu": hard_silu, "hard_swish": hard_silu,
    "log_sigmoid": log_sigmoid, "celu": celu, "hard_tanh": hard_tanh, "soft_shrink": soft_shrink,
    "hard_shrink": hard_shrink, "tanh_shrink": tanh_shrink, "squareplus": squareplus,
    "sparse_plus": sparse_plus, "sparse_sigmoid": sparse_sigmoid,
}
ALIASES = ("hard_swish",)             # serialized under the first name (Keras: "hard_silu")

FORMULAS = {
    relu6: ("min(max(Z, 0), 6)", "(0 < Z < 6)"),
    mish: ("Z * tanh(softplus(Z))", "t + Z (1 - t^2) sigmoid(Z), t = tanh(softplus(Z))"),
    hard_silu: ("Z * relu6(Z + 3) / 6", "relu6(Z + 3) / 6 + (Z / 6 if -3 < Z < 3 else 0)"),
    log_sigmoid: ("-softplus(-Z)", "sigmoid(-Z)"),
    celu: ("Z if Z >= 0 else exp(Z) - 1", "(1 if Z >= 0 else A + 1)"),
    hard_tanh: ("clip(Z, -1, 1)", "(-1 < Z < 1)"),
    soft_shrink: ("sign(Z) max(|Z| - 0.5, 0)", "(|Z| > 0.5)"),
    hard_shrink: ("Z if |Z| > 0.5 else 0", "(|Z| > 0.5)"),
    tanh_shrink: ("Z - tanh(Z)", "tanh(Z)^2"),
    squareplus: ("(Z + sqrt(Z^2 + 4)) / 2", "(1 + Z / sqrt(Z^2 + 4)) / 2"),
    sparse_plus: ("0 if Z <= -1, Z if Z >= 1, else (Z + 1)^2 / 4", "clip((Z + 1) / 2, 0, 1)"),
    sparse_sigmoid: ("clip((Z + 1) / 2, 0, 1)", "(1/2 if -1 < Z < 1 else 0)"),
    threshold: ("Z if Z > threshold else default_value", "(Z > threshold)"),
}
