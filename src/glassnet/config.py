"""Global numeric settings: the float type and the fuzz factor, as in ``keras.config``.

>>> import glassnet
>>> glassnet.config.floatx()
'float32'
"""
from __future__ import annotations


_FLOATX = "float32"
_EPSILON = 1e-7


def floatx() -> str:
    """The default float type of weights and computations (``"float32"``)."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float type: ``"float32"`` (default) or ``"float64"`` for exact checks.

    Models built afterwards use it; existing weights keep their type.
    """
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(
            f"set_floatx: value must be 'float16', 'float32' or 'float64', got {value!r}"
        )
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor used by losses and optimizers (``1e-7``, as in Keras)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor returned by :func:`epsilon`."""
    global _EPSILON
    _EPSILON = float(value)

