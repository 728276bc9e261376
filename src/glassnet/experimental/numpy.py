"""``tf.experimental.numpy`` (``tnp``): NumPy's API answering with Tensors.

glassnet's Tensors are NumPy arrays, so this is NumPy itself: each name is NumPy's, and a
function's array answers come back as Tensors (a NumPy scalar as a 0-d Tensor, as TF's
``tnp.sum`` gives a tensor). On followed Tensors NumPy's functions are recorded by an open
``GradientTape`` as ever, so ``tape.gradient`` goes through ``tnp`` code.

As TF's after ``tnp.experimental_enable_numpy_behavior()``: ``tnp.ndarray`` is ``tf.Tensor``;
literals become the wide types (``tnp.asarray(1)`` is int64, ``tnp.ones`` float64); mixed
dtypes promote as NumPy's ``result_type``; ``tnp.random`` draws as NumPy's (float64), from
NumPy's generator (so a seed gives other numbers than TF's).

>>> import glassnet.experimental.numpy as tnp
>>> t = tnp.arange(3) * 2
>>> type(t).__name__, t.numpy().tolist()
('Tensor', [0, 2, 4])
>>> (tnp.asarray(1, dtype=tnp.int32) + tnp.asarray(1, dtype=tnp.float32)).dtype
tf.float64
"""
from __future__ import annotations

import functools
import types

import numpy as _np

from ..tf.tensor import Tensor

ndarray = Tensor                # TF: tnp.ndarray is tf.Tensor


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


def _answering_with_tensors(value):
    @functools.wraps(value)
    def call(*args, **kwargs):
        return _tensors(value(*args, **kwargs))
    return call


def experimental_enable_numpy_behavior(prefer_float32=False, dtype_conversion_mode="legacy"):
    """Accepted: glassnet's Tensors are NumPy arrays already (``t.T``, ``t.reshape(-1)``,
    ``t.astype``, NumPy's promotion). ``prefer_float32`` is not followed (NumPy's float64 stays)."""


class _Random(types.ModuleType):
    """``tnp.random``: NumPy's ``np.random`` functions (seed, randn, rand, uniform, randint,
    standard_normal, poisson, random ...), their arrays as Tensors."""

    def __getattr__(self, name):
        value = getattr(_np.random, name, None)
        if value is None or name.startswith("_"):
            raise AttributeError(f"glassnet.experimental.numpy.random has no attribute {name!r} (NumPy's np.random has none)")
        if callable(value) and not isinstance(value, type):
            value = _answering_with_tensors(value)
        setattr(self, name, value)
        return value

    def __dir__(self):
        return sorted(n for n in dir(_np.random) if not n.startswith("_"))


random = _Random(f"{__name__}.random", "tf.experimental.numpy.random: NumPy's np.random, answering with Tensors")


def __getattr__(name):
    """NumPy's name ``name``; a function answers with Tensors (kept in this module after the first use)."""
    try:
        value = getattr(_np, name)
    except AttributeError:
        raise AttributeError(f"glassnet.experimental.numpy has no attribute {name!r} (NumPy has none)") from None
    if callable(value) and not isinstance(value, type):
        value = _answering_with_tensors(value)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(dir(_np)) | {"experimental_enable_numpy_behavior", "ndarray", "random"})
