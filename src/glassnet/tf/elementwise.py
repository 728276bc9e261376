"""The rest of ``tf.math``'s elementwise functions, each with its derivative beside it:
trigonometry (``tan``, ``sinh``, ``asin``, ``atan2`` ...), ``erf``, ``lgamma``, ``floordiv``,
``floormod``, ``cumsum``; and the ones whose answer has no gradient: ``logical_*``,
``is_nan``/``is_inf``/``is_finite``.

The rules go into the tape's table (``glassnet/tf/vjps.py``'s ``defvjp``), so NumPy's own
``np.tan(t)`` on a followed Tensor is recorded with them too.

>>> import glassnet as tf
>>> x = tf.constant([0.5])
>>> with tf.GradientTape() as tape:
...     tape.watch(x)
...     y = tf.math.atan(x)
>>> tape.gradient(y, x).numpy()          # 1 / (1 + x^2)
array([0.8], dtype=float32)
"""
from __future__ import annotations

import math as _pymath

import numpy as np

from . import vjps
from .errors import InvalidArgumentError
from .ops import _array, _values
from .tensor import Tensor, accept_symbolic, float_array, wrap
from .variable import Variable

__all__ = ["tan", "sinh", "cosh", "asin", "acos", "atan", "atan2", "asinh", "acosh", "atanh", "erf", "erfc",
           "lgamma", "digamma", "floordiv", "floormod", "mod", "realdiv", "truncatediv", "truncatemod", "cumsum", "scalar_mul", "logical_and", "logical_or",
           "logical_not", "logical_xor", "is_nan", "is_inf", "is_finite"]


def _floats(x):
    if isinstance(x, (Tensor, Variable)) and x.dtype.kind in "fc":
        return x
    return wrap(float_array(_array(x)))


def _unary(ufunc, x):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return wrap(ufunc(_floats(x)))


vjps.defvjp(np.tan, lambda ans, x: lambda g: g * (1 + ans * ans))               # tan' = 1 + tan^2
vjps.defvjp(np.sinh, lambda ans, x: lambda g: g * np.cosh(x))
vjps.defvjp(np.cosh, lambda ans, x: lambda g: g * np.sinh(x))
vjps.defvjp(np.arcsin, lambda ans, x: lambda g: g / np.sqrt(1 - x * x))         # 1 / sqrt(1 - x^2)
vjps.defvjp(np.arccos, lambda ans, x: lambda g: -g / np.sqrt(1 - x * x))
vjps.defvjp(np.arctan, lambda ans, x: lambda g: g / (1 + x * x))
vjps.defvjp(np.arcsinh, lambda ans, x: lambda g: g / np.sqrt(x * x + 1))
vjps.defvjp(np.arccosh, lambda ans, x: lambda g: g / np.sqrt(x * x - 1))
vjps.defvjp(np.arctanh, lambda ans, x: lambda g: g / (1 - x * x))
vjps.defvjp(np.arctan2,                                                           # atan2(y, x)
            lambda ans, y, x: lambda g: vjps.unbroadcast(y, g * x / (x * x + y * y)),
            lambda ans, y, x: lambda g: vjps.unbroadcast(x, -g * y / (x * x + y * y)))
vjps.defvjp(np.mod,                                                               # x - floor(x / y) y
            lambda ans, x, y: lambda g: vjps.unbroadcast(x, g),
            lambda ans, x, y: lambda g: vjps.unbroadcast(y, -g * np.floor(vjps._plain(x) / vjps._plain(y))))


def tan(x, name=None) -> Tensor:
    """``sin x / cos x``;  d/dx = 1 + tan^2 x."""
    return _unary(np.tan, x)


def sinh(x, name=None) -> Tensor:
    return _unary(np.sinh, x)


def cosh(x, name=None) -> Tensor:
    return _unary(np.cosh, x)


def asin(x, name=None) -> Tensor:
    """``arcsin x`` (nan outside [-1, 1]);  d/dx = 1 / sqrt(1 - x^2)."""
    return _unary(np.arcsin, x)


def acos(x, name=None) -> Tensor:
    return _unary(np.arccos, x)


def atan(x, name=None) -> Tensor:
    return _unary(np.arctan, x)


def asinh(x, name=None) -> Tensor:
    return _unary(np.arcsinh, x)


def acosh(x, name=None) -> Tensor:
    return _unary(np.arccosh, x)


def atanh(x, name=None) -> Tensor:
    return _unary(np.arctanh, x)


def atan2(y, x, name=None) -> Tensor:
    """The angle of the point ``(x, y)``: ``arctan(y / x)`` in the right quadrant."""
    return wrap(np.arctan2(_floats(y), _floats(x)))


_erf = np.frompyfunc(_pymath.erf, 1, 1)
_lgamma = np.frompyfunc(lambda v: _pymath.lgamma(v) if v > 0 or v != int(v) else np.inf, 1, 1)


def _erf_forward(x):
    return np.asarray(_erf(x)).astype(np.asarray(x).dtype)      # a 0-d x gives a Python float


def _lgamma_forward(x):
    return np.asarray(_lgamma(x)).astype(np.asarray(x).dtype)


def _digamma(x):
    """psi(x) = d log Gamma / dx: the recurrence psi(x) = psi(x + 1) - 1/x up to x >= 6, then
    the asymptotic series; reflection for x < 0.5."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    low = x < 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        reflect = np.pi / np.tan(np.pi * np.where(low, x, 0.5))
        z = np.where(low, 1 - x, x)
        while (z < 6).any():
            small = z < 6
            out -= np.where(small, 1 / z, 0)
            z = np.where(small, z + 1, z)
        inv2 = 1 / (z * z)
        out += np.log(z) - 0.5 / z - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 / 240)))
        out = np.where(low, out - reflect, out)
    return out


vjps.defvjp(_erf_forward, lambda ans, x: lambda g: g * (2 / np.sqrt(np.pi)) * np.exp(-x * x))
vjps.defvjp(_lgamma_forward, lambda ans, x: lambda g: g * digamma(x))


def erf(x, name=None) -> Tensor:
    """``2/sqrt(pi) * integral_0^x e^(-t^2) dt``;  d/dx = 2/sqrt(pi) e^(-x^2)."""
    return vjps.apply(_erf_forward, _floats(x))


def erfc(x, name=None) -> Tensor:
    """``1 - erf(x)``."""
    return 1 - erf(x)


def lgamma(x, name=None) -> Tensor:
    """``log |Gamma(x)|`` (inf at 0, -1, -2, ...);  d/dx = digamma(x)."""
    return vjps.apply(_lgamma_forward, _floats(x))


def digamma(x, name=None) -> Tensor:
    """``psi(x) = d lgamma(x) / dx`` (no gradient of its own here)."""
    x = _floats(x)
    return wrap(_digamma(vjps._plain(x)).astype(x.dtype))


def floordiv(x, y, name=None) -> Tensor:
    """``floor(x / y)`` (integers stay integers); a piecewise constant: no gradient."""
    a, b = np.asarray(_array(x)), np.asarray(_array(y))
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.floor_divide(a, b))


def floormod(x, y, name=None) -> Tensor:
    """``x - floor(x / y) * y``: the remainder with ``y``'s sign, as Python's ``%``;
    dJ/dx = g, dJ/dy = -g floor(x / y)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.mod(_values(x), _values(y)))


mod = floormod


def realdiv(x, y, name=None) -> Tensor:
    """``x / y`` for floats."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.true_divide(_values(x), _values(y)))


def truncatediv(x, y, name=None) -> Tensor:
    """Integer division rounded toward zero (C's): ``truncatediv(-7, 2) = -3``."""
    a, b = np.asarray(_array(x)), np.asarray(_array(y))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.trunc(np.true_divide(a, b))
    return wrap(q.astype(np.result_type(a, b)))


def truncatemod(x, y, name=None) -> Tensor:
    """The remainder with ``x``'s sign (C's ``fmod``): ``truncatemod(-7, 3) = -1``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.fmod(np.asarray(_array(x)), np.asarray(_array(y))))


def _cumsum(x, axis, exclusive, reverse):
    x = np.asarray(x)
    if reverse:
        x = np.flip(x, axis)
    out = np.cumsum(x, axis=axis, dtype=x.dtype)
    if exclusive:
        out = out - x
    return np.flip(out, axis) if reverse else out


vjps.defvjp(_cumsum, lambda ans, x, axis, exclusive, reverse:      # each x_i is in the sums after it
            lambda g: vjps.apply(_cumsum, g, axis=axis, exclusive=exclusive, reverse=not reverse))


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running sums along ``axis`` (``exclusive``: each leaves itself out; ``reverse``: from the
    end);  dJ/dx = the running sums of g in the other direction."""
    x = _values(x)
    if x.ndim == 0:
        raise ValueError("cumsum: x must have rank >= 1")
    axis = int(_array(axis))
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"cumsum: axis={axis} is out of range for a tensor of rank {x.ndim}")
    return vjps.apply(_cumsum, x, axis=axis % x.ndim, exclusive=bool(exclusive), reverse=bool(reverse))


def scalar_mul(scalar, x, name=None) -> Tensor:
    """``scalar * x`` (``scalar`` a 0-d value)."""
    if np.ndim(_array(scalar)) != 0:
        raise ValueError(f"scalar_mul: scalar must be 0-d, got shape {np.shape(_array(scalar))}")
    return wrap(np.multiply(_values(scalar), _values(x)))


def _bools(x, who, what="x"):
    arr = np.asarray(_array(x))
    if arr.dtype != np.bool_:
        raise InvalidArgumentError(None, None, f"{who}: {what} must be boolean (tf.bool), got {arr.dtype}")
    return arr


def logical_and(x, y, name=None) -> Tensor:
    return wrap(np.logical_and(_bools(x, "logical_and"), _bools(y, "logical_and", "y")))


def logical_or(x, y, name=None) -> Tensor:
    return wrap(np.logical_or(_bools(x, "logical_or"), _bools(y, "logical_or", "y")))


def logical_xor(x, y, name="LogicalXor") -> Tensor:
    return wrap(np.logical_xor(_bools(x, "logical_xor"), _bools(y, "logical_xor", "y")))


def logical_not(x, name=None) -> Tensor:
    return wrap(np.logical_not(_bools(x, "logical_not")))


def _float_test(test, x, who):
    arr = np.asarray(_array(x))
    if arr.dtype.kind not in "fc":
        raise InvalidArgumentError(None, None, f"{who}: x must be a float tensor, got {arr.dtype}")
    return wrap(test(arr))


def is_nan(x, name=None) -> Tensor:
    return _float_test(np.isnan, x, "is_nan")


def is_inf(x, name=None) -> Tensor:
    return _float_test(np.isinf, x, "is_inf")


def is_finite(x, name=None) -> Tensor:
    return _float_test(np.isfinite, x, "is_finite")


accept_symbolic(globals(), __all__)      # tf functions on a functional model's tensors make Lambda nodes
