"""``tf.compat.v1.logging``, as older notebooks call it at import time
(``tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)``): it sets the level of
glassnet's logger (:func:`glassnet.get_logger`).

>>> import glassnet as tf
>>> tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)
>>> tf.get_logger().level == tf.compat.v1.logging.ERROR
True
"""
from __future__ import annotations

import logging as _logging
from types import SimpleNamespace

__all__ = ["v1", "test", "get_logger", "executing_eagerly", "function"]


def get_logger() -> _logging.Logger:
    """glassnet's ``logging.Logger`` (``tf.get_logger()``); ``setLevel('ERROR')`` quiets it."""
    return _logging.getLogger("glassnet")


def _set_verbosity(level) -> None:
    get_logger().setLevel(level)


def _get_verbosity() -> int:
    return get_logger().getEffectiveLevel()


v1 = SimpleNamespace(logging=SimpleNamespace(
    set_verbosity=_set_verbosity, get_verbosity=_get_verbosity,
    DEBUG=_logging.DEBUG, INFO=_logging.INFO, WARN=_logging.WARNING, WARNING=_logging.WARNING,
    ERROR=_logging.ERROR, FATAL=_logging.FATAL))


def function(func=None, **kwargs):
    """``@tf.function``: TensorFlow compiles the function into a graph; glassnet runs
    everything eagerly, so the function is returned as it is (``@tf.function(...)`` too)."""
    if func is None:
        return lambda f: f
    return func


def executing_eagerly() -> bool:
    """``tf.executing_eagerly()``: always True in glassnet."""
    return True


# tf.test's questions about the build: glassnet uses no GPU.
test = SimpleNamespace(is_gpu_available=lambda cuda_only=False, min_cuda_compute_capability=None: False,
                       is_built_with_cuda=lambda: False, is_built_with_gpu_support=lambda: False,
                       gpu_device_name=lambda: "")
