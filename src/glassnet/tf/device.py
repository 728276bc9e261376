"""``tf.device``: TensorFlow's device placement, on glassnet's one device.

glassnet computes with NumPy on the CPU, so every tensor and variable lives on
``/job:localhost/replica:0/task:0/device:CPU:0`` (``t.device``, as TensorFlow prints it).
``with tf.device("CPU:0"):`` and ``with tf.device("GPU:0"):`` run their body as written and
place nothing elsewhere: TensorFlow's soft placement does the same for a GPU it does not have.
A device string that is not one (``"CPU:x"``, ``"/gpu:0/extra"``) is refused naming it, as
TensorFlow refuses it.

>>> import glassnet as tf
>>> with tf.device("CPU:0"):
...     x = tf.constant([1.0, 2.0])
>>> x.device
'/job:localhost/replica:0/task:0/device:CPU:0'
"""
from __future__ import annotations

import contextlib
import re

__all__ = ["DEVICE", "device", "current"]

DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"     # where every glassnet tensor lives

_PART = re.compile(r"(job:[A-Za-z0-9_]+|replica:\d+|task:\d+|(device:)?[A-Za-z_]+:(\d+|\*))", re.IGNORECASE)
_STACK: list = []


def _check(name) -> str:
    """``name`` checked as TensorFlow's device spec (``"CPU:0"``, ``"/device:GPU:1"``,
    ``"/job:localhost/replica:0/task:0/device:CPU:0"``, ``""`` or ``None``)."""
    if name is None:
        return ""
    if hasattr(name, "to_string"):          # a DeviceSpec-like object
        name = name.to_string()
    if not isinstance(name, str):
        raise TypeError(f"tf.device: device_name must be a string (e.g. 'CPU:0'), got {type(name).__name__}"
                        + (" (a function: tf.device takes a device name only in eager TensorFlow 2)"
                           if callable(name) else ""))
    parts = [p for p in name.split("/") if p]
    for i, part in enumerate(parts):
        if not _PART.fullmatch(part):
            raise ValueError(f"tf.device: {name!r} is not a device name: part {i} ({part!r}) is not "
                             "'job:NAME', 'replica:N', 'task:N' or '[device:]TYPE:N' (e.g. 'CPU:0', '/GPU:0')")
    return name


@contextlib.contextmanager
def device(device_name):
    """``with tf.device(name):`` runs its body; glassnet's tensors stay on the CPU (the only
    device), as TensorFlow's soft placement keeps them when the named device is absent."""
    name = _check(device_name)
    _STACK.append(name)
    try:
        yield name
    finally:
        _STACK.pop()


def current() -> str:
    """The innermost ``tf.device`` name in force (``""`` outside any)."""
    return _STACK[-1] if _STACK else ""
