"""``tf.experimental``: ``tf.experimental.numpy`` (:mod:`glassnet.experimental.numpy`), loaded on
first use, so that ``import glassnet.experimental.numpy as tnp`` works as TensorFlow's path does.

>>> import glassnet as tf
>>> tf.experimental.numpy.asarray(1).dtype
tf.int64
"""
from __future__ import annotations

__all__ = ["numpy"]


def __getattr__(name):
    import importlib  # noqa: PLC0415
    if name == "numpy":
        return importlib.import_module(f"{__name__}.numpy")
    if name in ("ExtensionType", "ImmutableDict", "dispatch_for_api", "dispatch_for_unary_elementwise_apis",
                "dispatch_for_binary_elementwise_apis", "unregister_dispatch_for"):   # glassnet/tf/extension_type.py
        return getattr(importlib.import_module("glassnet.tf.extension_type"), name)
    raise AttributeError(f"module 'glassnet.experimental' has no attribute {name!r}")
