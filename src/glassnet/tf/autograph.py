"""``tf.autograph``: TensorFlow's graph compiler has nothing to compile here (glassnet runs
eagerly, always), so its settings are accepted and remembered, changing nothing else.

>>> import glassnet as tf
>>> tf.autograph.set_verbosity(0)     # the course's import cell
>>> tf.autograph.get_verbosity()
0
"""
from __future__ import annotations

from types import SimpleNamespace

__all__ = ["set_verbosity", "get_verbosity", "experimental"]

_VERBOSITY = 0


def set_verbosity(level: int, alsologtostdout: bool = False) -> None:
    """Accept TensorFlow's autograph log level (an integer >= 0); glassnet logs nothing for it."""
    global _VERBOSITY
    if isinstance(level, bool) or not isinstance(level, int) or level < 0:
        raise ValueError(f"autograph.set_verbosity: level must be an integer >= 0, got {level!r}")
    _VERBOSITY = level


def get_verbosity() -> int:
    return _VERBOSITY


def _do_not_convert(func=None):
    """``@tf.autograph.experimental.do_not_convert``: the function, unchanged."""
    return func if func is not None else (lambda f: f)


experimental = SimpleNamespace(do_not_convert=_do_not_convert)
