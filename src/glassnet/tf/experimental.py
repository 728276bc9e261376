"""``tf.experimental``: ``tf.experimental.numpy``, NumPy's API answering with Tensors (glassnet's
Tensors are NumPy arrays, so this is NumPy itself, each array it returns made a Tensor; on
followed Tensors NumPy's functions are recorded by an open tape as ever), and
``experimental.numpy.experimental_enable_numpy_behavior()``, accepted (Tensors already behave
as NumPy arrays). Loaded on first use of ``glassnet.experimental``.

>>> import glassnet as tf
>>> tnp = tf.experimental.numpy
>>> t = tnp.arange(3) * 2
>>> type(t).__name__, t.numpy().tolist()
('Tensor', [0, 2, 4])
"""
from __future__ import annotations

import functools
import types

import numpy as _np

from .tensor import Tensor

__all__ = ["numpy"]


def _tensors(r):
    """NumPy's answer with its arrays as Tensors (a recorded Tensor kept as it is, so a tape knows it)."""
    if isinstance(r, Tensor):
        return r
    if isinstance(r, _np.ndarray):
        return r.view(Tensor)
    if isinstance(r, _np.generic):
        return _np.asarray(r).view(Tensor)
    if isinstance(r, (tuple, list)) and not hasattr(r, "_fields"):
        return type(r)(_tensors(x) for x in r)
    return r


def experimental_enable_numpy_behavior(prefer_float32=False, dtype_conversion_mode="legacy"):
    """Accepted: glassnet's Tensors are NumPy arrays already."""


class _NumpyModule(types.ModuleType):
    """NumPy's names; a function's array answers come back as Tensors."""

    def __getattr__(self, name):
        if name == "experimental_enable_numpy_behavior":
            return experimental_enable_numpy_behavior
        try:
            value = getattr(_np, name)
        except AttributeError:
            raise AttributeError(f"glassnet.experimental.numpy has no attribute {name!r} (NumPy has none)") from None
        if callable(value) and not isinstance(value, type):
            @functools.wraps(value)
            def call(*args, **kwargs):
                return _tensors(value(*args, **kwargs))
            setattr(self, name, call)
            return call
        return value

    def __dir__(self):
        return sorted(set(dir(_np)) | {"experimental_enable_numpy_behavior"})


numpy = _NumpyModule(f"{__name__}.numpy", "tf.experimental.numpy: NumPy's API, answering with Tensors")
