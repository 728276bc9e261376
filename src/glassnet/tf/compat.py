"""``tf.compat.v1.logging``, as older notebooks call it at import time
(``tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)``): it sets the level of
glassnet's logger (:func:`glassnet.get_logger`).

>>> import glassnet as tf
>>> tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)
>>> tf.get_logger().level == tf.compat.v1.logging.ERROR
True

And TensorFlow's text conversions, for the bytes a string tensor holds:

>>> tf.compat.as_str_any(tf.constant("été").numpy()), tf.compat.as_bytes("é"), tf.compat.as_str_any(3)
('été', b'\\xc3\\xa9', '3')
"""
from __future__ import annotations

import logging as _logging
from types import SimpleNamespace

__all__ = ["v1", "test", "get_logger", "executing_eagerly", "function", "as_bytes", "as_str", "as_str_any",
           "as_text", "path_to_str"]


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


def as_bytes(bytes_or_text, encoding: str = "utf-8") -> bytes:
    """``tf.compat.as_bytes``: ``str`` encoded (UTF-8 by default); ``bytes`` as they are."""
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding: str = "utf-8") -> str:
    """``tf.compat.as_text`` (and ``as_str``): ``bytes`` decoded (UTF-8 by default); ``str`` as it is."""
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text).decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text


def as_str_any(value, encoding: str = "utf-8") -> str:
    """``tf.compat.as_str_any``: ``bytes`` decoded, anything else ``str(value)``."""
    if isinstance(value, (bytes, bytearray)):
        return as_text(value, encoding)
    return str(value)


def path_to_str(path):
    """``tf.compat.path_to_str``: a ``pathlib`` path (anything with ``__fspath__``) as its string."""
    return path.__fspath__() if hasattr(path, "__fspath__") else path


def function(func=None, **kwargs):
    """``@tf.function``: glassnet.tf.function.Function (runs eagerly, prints as TensorFlow's tracing)."""
    from .function import function as _function  # noqa: PLC0415 - loaded on first use
    return _function(func, **kwargs)


def executing_eagerly() -> bool:
    """``tf.executing_eagerly()``: always True in glassnet."""
    return True


# tf.test's questions about the build: glassnet uses no GPU.
test = SimpleNamespace(is_gpu_available=lambda cuda_only=False, min_cuda_compute_capability=None: False,
                       is_built_with_cuda=lambda: False, is_built_with_gpu_support=lambda: False,
                       gpu_device_name=lambda: "")
