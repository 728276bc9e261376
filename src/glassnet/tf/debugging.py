"""``tf.debugging``: checks that raise TensorFlow's kinds of error, run at once (glassnet is
eager). A failed comparison of values raises ``tf.errors.InvalidArgumentError`` (a
``ValueError``) with TensorFlow's message; a wrong rank or shape, known before any value,
raises ``ValueError``; a wrong type ``TypeError``. A check that passes returns ``None``
(``check_numerics`` returns its tensor).

>>> import glassnet as tf
>>> tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 2])) is None
True
>>> try:
...     tf.debugging.assert_rank(tf.constant([1, 2]), 2)
... except ValueError as e:
...     print(e)
Tensor  must have rank 2.  Received rank 1, shape (2,)
"""
from __future__ import annotations

import numpy as np

from .errors import InvalidArgumentError
from .printing import format_tensor
from .tensor import Tensor, _as_dtype, wrap
from .variable import Variable

__all__ = ["assert_equal", "assert_none_equal", "assert_less", "assert_less_equal", "assert_greater",
           "assert_greater_equal", "assert_near", "assert_positive", "assert_negative", "assert_non_negative",
           "assert_non_positive", "assert_rank", "assert_rank_at_least", "assert_rank_in", "assert_shapes",
           "assert_scalar", "assert_type", "assert_integer", "assert_all_finite", "check_numerics", "Assert",
           "is_numeric_tensor", "enable_check_numerics", "disable_check_numerics", "set_log_device_placement"]


def _plain(x) -> np.ndarray:
    if isinstance(x, Variable):
        return np.asarray(x.value)
    if isinstance(x, Tensor):
        return x.view(np.ndarray)
    from .tensor import convert_to_tensor
    return np.asarray(x) if isinstance(x, np.ndarray) else convert_to_tensor(x).view(np.ndarray)


def _prefix(message) -> str:
    return f"{message}\n" if message else ""


def _compare(x, y, test, symbol, message, summarize):
    a, b = _plain(x), _plain(y)
    try:
        ok = test(a, b)
    except ValueError as e:
        raise InvalidArgumentError(None, None, f"Incompatible shapes: {list(a.shape)} vs. {list(b.shape)}") from e
    if np.all(ok):
        return None
    n = summarize or 3
    lines = [f"Condition x {symbol} y did not hold."]
    if a.shape == b.shape and a.ndim:
        bad = np.argwhere(~np.asarray(ok))[:n]
        lines += [f"Indices of first {len(bad)} different values:", format_tensor(bad, -1),
                  "Corresponding x values:", format_tensor(a[tuple(bad.T)], -1),
                  "Corresponding y values:", format_tensor(b[tuple(bad.T)], -1)]
    for label, v in (("x", a), ("y", b)):
        lines += [f"First {min(v.size, n)} elements of {label}:", format_tensor(v.reshape(-1)[:n], -1)]
    raise InvalidArgumentError(None, None, _prefix(message) + "\n".join(lines))


def assert_equal(x, y, message=None, summarize=None, name=None):
    """``InvalidArgumentError`` unless ``x == y`` everywhere (broadcasting)."""
    return _compare(x, y, np.equal, "==", message, summarize)


def assert_none_equal(x, y, message=None, summarize=None, name=None):
    return _compare(x, y, np.not_equal, "!=", message, summarize)


def assert_less(x, y, message=None, summarize=None, name=None):
    return _compare(x, y, np.less, "<", message, summarize)


def assert_less_equal(x, y, message=None, summarize=None, name=None):
    return _compare(x, y, np.less_equal, "<=", message, summarize)


def assert_greater(x, y, message=None, summarize=None, name=None):
    return _compare(x, y, np.greater, ">", message, summarize)


def assert_greater_equal(x, y, message=None, summarize=None, name=None):
    return _compare(x, y, np.greater_equal, ">=", message, summarize)


def _sign_check(x, test, text, message, summarize):
    a = _plain(x)
    if not np.all(test(a)):
        raise InvalidArgumentError(None, None, f"{message or ''}\nCondition x {text} did not hold element-wise:\n"
                                   f"x (shape={a.shape} dtype={a.dtype}) = \n{format_tensor(a, summarize or 3)}")


def assert_positive(x, message=None, summarize=None, name=None):
    return _sign_check(x, lambda a: a > 0, "> 0", message, summarize)


def assert_negative(x, message=None, summarize=None, name=None):
    return _sign_check(x, lambda a: a < 0, "< 0", message, summarize)


def assert_non_negative(x, message=None, summarize=None, name=None):
    return _sign_check(x, lambda a: a >= 0, ">= 0", message, summarize)


def assert_non_positive(x, message=None, summarize=None, name=None):
    return _sign_check(x, lambda a: a <= 0, "<= 0", message, summarize)


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """``InvalidArgumentError`` unless ``|x - y| <= atol + rtol |y|`` everywhere; both
    tolerances default to 10 machine epsilons of ``x``'s type (1.19e-6 for float32)."""
    a, b = _plain(x), _plain(y)
    eps = 10 * np.finfo(a.dtype if a.dtype.kind in "fc" else np.float32).eps
    rtol = eps if rtol is None else float(_plain(rtol))
    atol = eps if atol is None else float(_plain(atol))
    if np.all(np.abs(a - b) <= atol + rtol * np.abs(b)):
        return None
    raise InvalidArgumentError(None, None, f"{_prefix(message)}x and y not equal to tolerance rtol = {rtol}, "
                               f"atol = {atol}\nx (shape={a.shape} dtype={a.dtype}) = \n"
                               f"{format_tensor(a, summarize or 3)}\ny (shape={b.shape} dtype={b.dtype}) = \n"
                               f"{format_tensor(b, summarize or 3)}")


def _rank_error(x, wanted, message):
    shape = tuple(_plain(x).shape)
    return ValueError(f"{_prefix(message)}Tensor  must have rank {wanted}.  Received rank {len(shape)}, "
                      f"shape {shape}")


def assert_rank(x, rank, message=None, name=None):
    """``ValueError`` unless ``x`` has ``rank`` axes."""
    if _plain(x).ndim != int(_plain(rank)):
        raise _rank_error(x, int(_plain(rank)), message)


def assert_rank_at_least(x, rank, message=None, name=None):
    if _plain(x).ndim < int(_plain(rank)):
        raise _rank_error(x, f"at least {int(_plain(rank))}", message)


def assert_rank_in(x, ranks, message=None, name=None):
    ranks = tuple(int(_plain(r)) for r in ranks)
    if _plain(x).ndim not in ranks:
        raise _rank_error(x, f"in {ranks}", message)


def assert_scalar(tensor, message=None, name=None):
    if _plain(tensor).ndim != 0:
        raise ValueError(f"{_prefix(message)}Expected scalar shape, saw shape: {tuple(_plain(tensor).shape)}.")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """``ValueError`` unless each ``(tensor, spec)`` fits: ``spec`` lists each axis as a number
    or a name (``"N"``), one name meaning one size across all the tensors; a leading ``...``
    (Python's Ellipsis) or ``"*"`` stands for any number of axes."""
    pairs = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    sizes: dict = {}
    for tensor, spec in pairs:
        shape = tuple(_plain(tensor).shape)
        spec = [spec] if isinstance(spec, (str, int)) and spec != "*" else list(spec)
        if spec and (spec[0] is Ellipsis or spec[0] == "*"):
            spec = spec[1:]
            if len(shape) < len(spec):
                raise _rank_error(tensor, f"at least {len(spec)}", message)
            shape_tail = shape[len(shape) - len(spec):]
        else:
            if len(shape) != len(spec):
                wanted = f"in (0, 1)" if len(spec) == 1 else len(spec)
                raise _rank_error(tensor, wanted, message)
            shape_tail = shape
        start = len(shape) - len(spec)
        for k, (want, got) in enumerate(zip(spec, shape_tail)):
            if isinstance(want, str):
                if want not in sizes:
                    sizes[want] = (got, shape, start + k)
                    continue
                expected, where, axis = sizes[want]
                source = f"Specified by tensor shape={where} dimension {axis}."
            else:
                expected, source = int(want), "Specified explicitly."
            if got != expected:
                raise ValueError(f"{_prefix(message)}{source}  Tensor shape={shape} dimension {start + k} must have "
                                 f"size {expected}.  Received size {got}, shape {shape}")


def assert_type(tensor, tf_type, message=None, name=None):
    got, want = _plain(tensor).dtype, _as_dtype(tf_type)
    if got != want:
        raise TypeError(f"{_prefix(message)}tensor must be of type {want.name}; got {got.name}")


def assert_integer(x, message=None, name=None):
    if _plain(x).dtype.kind not in "iu":
        raise TypeError(f'{_prefix(message)}Expected "x" to be integer type.  Found: tensor of dtype '
                        f"{_plain(x).dtype.name}")


def _stripped() -> bool:
    """True inside a tf.function (not run eagerly) while ``tf.config.optimizer``'s ``debug_stripper``
    is on: TensorFlow's Grappler removes the checks from the graph, so they pass."""
    from .. import config  # noqa: PLC0415
    from .function import RUNNING  # noqa: PLC0415
    return bool(RUNNING[0]) and not config.functions_run_eagerly() and bool(config._GRAPPLER.get("debug_stripper"))


def check_numerics(tensor, message, name=None):
    """``tensor`` itself, or ``InvalidArgumentError`` when it holds a NaN or an infinity
    (or for a tensor that is not floating point, as TensorFlow's)."""
    a = _plain(tensor)
    if _stripped():
        return tensor if isinstance(tensor, (Tensor, Variable)) else wrap(a)
    if a.dtype.kind not in "f":
        raise InvalidArgumentError(None, None, f"check_numerics: tensor must be floating point (float16, float32, "
                                   f"float64), got {a.dtype}")
    for test, what in ((np.isnan, "NaN"), (np.isinf, "Inf")):
        if test(a).any():
            raise InvalidArgumentError(None, None, f"{message} : Tensor had {what} values")
    return tensor if isinstance(tensor, (Tensor, Variable)) else wrap(a)


def assert_all_finite(x, message, name=None):
    """``x``, or ``InvalidArgumentError`` when it holds a NaN or an infinity."""
    return check_numerics(x, message)


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 (TensorFlow's name)
    """``InvalidArgumentError`` showing ``data`` when ``condition`` is false."""
    if _stripped() or bool(np.all(_plain(condition))):
        return None
    shown = "\n".join(d if isinstance(d, str) else format_tensor(_plain(d), summarize or 3) for d in data)
    raise InvalidArgumentError(None, None, f"Expected {bool(np.all(_plain(condition)))} to be true. "
                               f"Summarized data: {shown}")


def is_numeric_tensor(tensor) -> bool:
    return isinstance(tensor, (Tensor, Variable)) and np.dtype(tensor.dtype).kind in "biufc"


def enable_check_numerics(stack_height_limit=30, path_length_limit=50):
    """Accepted and ignored: glassnet reports a NaN where it appears only through check_numerics."""


def disable_check_numerics():
    """Accepted and ignored (see enable_check_numerics)."""


def set_log_device_placement(enabled):
    """Accepted and ignored: glassnet runs on the CPU, through NumPy."""
