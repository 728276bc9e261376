"""The rest of ``tf.math`` a training loop or a custom loss reaches for, written with recorded
operations so that a tape differentiates them with no rule of their own: the ``*_no_nan`` and
``x*`` functions (0 where TensorFlow says 0, NaN-free gradients there too), ``expm1``,
``softsign``, ``polyval``, ``log_softmax``/``softmax``; and the ones with no gradient
(``rint``, ``cumprod``'s refusal by name, ``invert_permutation``, ``zero_fraction``, ...).

>>> import glassnet as tf
>>> tf.math.divide_no_nan([1.0, 2.0], [0.0, 4.0]).numpy()
array([0. , 0.5], dtype=float32)
>>> tf.math.xlogy(0.0, 0.0).numpy()
np.float32(0.0)
"""
from __future__ import annotations

import numpy as np

from . import vjps
from .errors import InvalidArgumentError
from .ops import _array, _values
from .tensor import Tensor, accept_symbolic, float_array, wrap
from .variable import Variable

__all__ = ["divide_no_nan", "multiply_no_nan", "reciprocal_no_nan", "xlogy", "xdivy", "xlog1py", "expm1", "softsign",
           "polyval", "log_softmax", "softmax", "rint", "cumprod", "invert_permutation", "is_non_decreasing",
           "is_strictly_increasing", "zero_fraction", "conj", "real", "imag", "complex"]


def _floats(x):
    if isinstance(x, (Tensor, Variable)) and x.dtype.kind in "fc":
        return x
    return wrap(float_array(_array(x)))


def _zero_where(test, safe_value, value_fn, x, y):
    """``value_fn(x, y)`` with ``y`` replaced by ``safe_value`` where ``test`` holds, and 0
    there: both the answer and its gradient stay finite at the excluded points."""
    mask = test(np.asarray(_array(x)), np.asarray(_array(y)))
    if not mask.any():
        return value_fn(x, y)
    safe_y = vjps.where(mask, np.asarray(safe_value, dtype=np.dtype(y.dtype)), y)
    safe_x = vjps.where(mask, np.zeros((), np.dtype(x.dtype)), x)
    return vjps.where(mask, np.zeros((), np.dtype(x.dtype)), value_fn(safe_x, safe_y))


def divide_no_nan(x, y, name=None) -> Tensor:
    """``x / y``, and 0 where ``y`` is 0."""
    return _zero_where(lambda a, b: b == 0, 1, lambda a, b: a / b, _floats(x), _floats(y))


def multiply_no_nan(x, y, name=None) -> Tensor:
    """``x * y``, and 0 where ``y`` is 0 (even if ``x`` is inf or NaN)."""
    return _zero_where(lambda a, b: b == 0, 0, lambda a, b: a * b, _floats(x), _floats(y))


def reciprocal_no_nan(x, name=None) -> Tensor:
    """``1 / x``, and 0 where ``x`` is 0."""
    x = _floats(x)
    return divide_no_nan(wrap(np.ones(np.shape(x), np.dtype(x.dtype))), x)


def xlogy(x, y, name=None) -> Tensor:
    """``x * log(y)``, and 0 where ``x`` is 0."""
    return _zero_where(lambda a, b: a == 0, 1, lambda a, b: a * np.log(b), _floats(x), _floats(y))


def xdivy(x, y, name=None) -> Tensor:
    """``x / y``, and 0 where ``x`` is 0."""
    return _zero_where(lambda a, b: a == 0, 1, lambda a, b: a / b, _floats(x), _floats(y))


def xlog1py(x, y, name=None) -> Tensor:
    """``x * log1p(y)``, and 0 where ``x`` is 0."""
    return _zero_where(lambda a, b: a == 0, 0, lambda a, b: a * np.log1p(b), _floats(x), _floats(y))


def expm1(x, name=None) -> Tensor:
    """``e^x - 1``, exact near 0;  d/dx = e^x."""
    return wrap(np.expm1(_floats(x)))


def softsign(features, name=None) -> Tensor:
    """``x / (1 + |x|)``."""
    x = _floats(features)
    return x / (1 + np.abs(x))


def polyval(coeffs, x, name=None) -> Tensor:
    """``coeffs[0] x^(n-1) + ... + coeffs[n-1]``, by Horner's rule (each coefficient a tensor)."""
    if not isinstance(coeffs, (list, tuple)):
        raise ValueError(f"polyval: coeffs must be a list of tensors, got {type(coeffs).__name__}")
    x = _values(x)
    if not coeffs:
        return wrap(np.zeros(np.shape(x), np.dtype(x.dtype)))
    out = _values(coeffs[0])
    for c in coeffs[1:]:
        out = out * x + _values(c)
    return out


def log_softmax(logits, axis=None, name=None) -> Tensor:
    """``tf.nn.log_softmax`` (over the last axis unless told)."""
    from .nn import log_softmax as nn_log_softmax
    return nn_log_softmax(logits, axis=-1 if axis is None else axis)


def softmax(logits, axis=None, name=None) -> Tensor:
    """``tf.nn.softmax`` (over the last axis unless told)."""
    from .nn import softmax as nn_softmax
    return nn_softmax(logits, axis=-1 if axis is None else axis)


def rint(x, name=None) -> Tensor:
    """To the nearest integer, halves to even; no gradient (a step function)."""
    return wrap(np.rint(_floats(x)))


def _cumprod(x, axis, exclusive, reverse):
    x = np.asarray(x)
    if reverse:
        x = np.flip(x, axis)
    out = np.cumprod(x, axis=axis, dtype=x.dtype)
    if exclusive:
        out = np.concatenate([np.ones_like(np.take(out, [0], axis=axis)), np.delete(out, -1, axis=axis)], axis=axis)
    return np.flip(out, axis) if reverse else out


_cumprod.__name__ = "tf.math.cumprod"


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running products along ``axis`` (no gradient rule here: a tape refuses it, by name)."""
    x = _values(x)
    if x.ndim == 0:
        raise ValueError("cumprod: x must have rank >= 1")
    return vjps.apply(_cumprod, x, axis=int(axis) % x.ndim, exclusive=bool(exclusive), reverse=bool(reverse))


def invert_permutation(x, name=None) -> Tensor:
    """``y[x[i]] = i`` for a permutation ``x`` of 0..n-1."""
    p = np.asarray(_array(x))
    if p.ndim != 1 or sorted(p.tolist()) != list(range(p.size)):
        raise InvalidArgumentError(None, None, f"invert_permutation: x must be a permutation of 0..{p.size - 1}")
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return wrap(out)


def is_non_decreasing(x, name=None) -> Tensor:
    """Whether each entry (flattened) is >= the one before."""
    flat = np.asarray(_array(x)).reshape(-1)
    return wrap(np.asarray(bool(np.all(flat[1:] >= flat[:-1]))))


def is_strictly_increasing(x, name=None) -> Tensor:
    """Whether each entry (flattened) is > the one before."""
    flat = np.asarray(_array(x)).reshape(-1)
    return wrap(np.asarray(bool(np.all(flat[1:] > flat[:-1]))))


def zero_fraction(value, name=None) -> Tensor:
    """The fraction of entries that are 0, float32."""
    arr = np.asarray(_array(value))
    return wrap(np.asarray(np.mean(arr == 0) if arr.size else np.nan, dtype=np.float32))


def conj(x, name=None) -> Tensor:
    """The complex conjugate (real tensors unchanged)."""
    x = _values(x)
    return wrap(np.conj(x)) if np.dtype(x.dtype).kind == "c" else x


def real(input, name=None) -> Tensor:  # noqa: A002
    return wrap(np.real(np.asarray(_array(input))))


def imag(input, name=None) -> Tensor:  # noqa: A002
    return wrap(np.imag(np.asarray(_array(input))))


def complex(real, imag, name=None) -> Tensor:  # noqa: A001 (TensorFlow's name)
    """``real + 1j * imag``: float32 parts give complex64, float64 parts complex128 (TensorFlow's)."""
    re, im = np.asarray(_array(real)), np.asarray(_array(imag))
    if re.dtype != im.dtype or re.dtype not in (np.float32, np.float64):
        raise TypeError(f"complex: real and imag must both be float32 or both float64, got {re.dtype} and {im.dtype}")
    out = np.empty(np.broadcast_shapes(re.shape, im.shape), np.complex64 if re.dtype == np.float32 else np.complex128)
    out.real, out.imag = re, im
    return wrap(out)


accept_symbolic(globals(), __all__)      # tf functions on a functional model's tensors make Lambda nodes
