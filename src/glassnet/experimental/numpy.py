"""``tf.experimental.numpy`` (``tnp``): NumPy's API answering with Tensors.

glassnet's Tensors are NumPy arrays, so this is NumPy itself: each name is NumPy's, and a
function's array answers come back as Tensors (a NumPy scalar as a 0-d Tensor, as TF's
``tnp.sum`` gives a tensor). On followed Tensors NumPy's functions are recorded by an open
``GradientTape`` as ever, so ``tape.gradient`` goes through ``tnp`` code.

As TF's after ``tnp.experimental_enable_numpy_behavior()``: ``tnp.ndarray`` is ``tf.Tensor``;
literals become the wide types (``tnp.asarray(1)`` is int64, ``tnp.ones`` float64); mixed
dtypes promote as NumPy's ``result_type``; ``tnp.random`` draws float64 as TF's, from
TensorFlow's stream (``tnp.random.seed(1)`` then ``randn(3)``: TF's numbers).

>>> import glassnet.experimental.numpy as tnp
>>> t = tnp.arange(3) * 2
>>> type(t).__name__, t.numpy().tolist()
('EagerTensor', [0, 2, 4])
>>> (tnp.asarray(1, dtype=tnp.int32) + tnp.asarray(1, dtype=tnp.float32)).dtype
tf.float64
"""
from __future__ import annotations

import functools
import types

import numpy as _np

from ..tf import promotion as _promotion
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
    """glassnet's Tensors are NumPy arrays already (``t.T``, ``t.reshape(-1)``, ``t.astype``).
    ``dtype_conversion_mode``: ``"legacy"`` keeps NumPy's promotion; ``"all"`` and ``"safe"`` switch
    to TensorFlow's lattice with weak types (``glassnet.tf.promotion``), for all of glassnet, as
    TensorFlow's do. ``prefer_float32`` is not followed (NumPy's float64 stays)."""
    _promotion.set_mode(dtype_conversion_mode)


def array(object, dtype=None, *args, **kwargs):  # noqa: A002 (NumPy's name)
    """NumPy's ``array`` as a Tensor; a Python value with no dtype is a weak int32/float32 in
    TensorFlow's ``"all"``/``"safe"`` modes."""
    weak = _promotion.array(object, dtype)
    return weak if weak is not None else _tensors(_np.array(object, dtype, *args, **kwargs))


def asarray(a, dtype=None, *args, **kwargs):
    """NumPy's ``asarray`` as a Tensor (weak, as :func:`array`, in ``"all"``/``"safe"`` modes)."""
    weak = _promotion.array(a, dtype)
    return weak if weak is not None else _tensors(_np.asarray(a, dtype, *args, **kwargs))


class _Random(types.ModuleType):
    """``tnp.random``: as TF's, ``seed`` is ``tf.random.set_seed`` and ``randn``, ``rand``,
    ``random``, ``uniform``, ``standard_normal``, ``randint`` are ``tf.random.normal``/``uniform``
    in float64 (int64 for randint), so a seed gives TensorFlow's numbers; NumPy's other
    ``np.random`` functions answer with Tensors."""

    @staticmethod
    def seed(s) -> None:
        from ..tf import random as tf_random       # noqa: PLC0415
        try:
            s = int(s)
        except (TypeError, ValueError):
            raise ValueError(f"tnp.random.seed: the seed must be an integer, got {s!r}") from None
        tf_random.set_seed(s)

    @staticmethod
    def _size(size) -> list:
        return [] if size is None else [int(size)] if _np.ndim(size) == 0 else [int(d) for d in size]

    def randn(self, *args):
        from ..tf import random as tf_random       # noqa: PLC0415
        return tf_random.normal([int(a) for a in args], dtype=_np.float64)

    def standard_normal(self, size=None):
        from ..tf import random as tf_random       # noqa: PLC0415
        return tf_random.normal(self._size(size), dtype=_np.float64)

    def rand(self, *size):
        from ..tf import random as tf_random       # noqa: PLC0415
        return tf_random.uniform([int(a) for a in size], dtype=_np.float64)

    def random(self, size=None):
        from ..tf import random as tf_random       # noqa: PLC0415
        return tf_random.uniform(self._size(size), dtype=_np.float64)

    def uniform(self, low=0.0, high=1.0, size=None):
        from ..tf import random as tf_random       # noqa: PLC0415
        return tf_random.uniform(self._size(size), low, high, dtype=_np.float64)

    def randint(self, low, high=None, size=None, dtype=_np.int64):
        from ..tf import random as tf_random       # noqa: PLC0415
        low, high = (0, low) if high is None else (low, high)
        return tf_random.uniform(self._size(size), int(low), int(high), dtype=dtype)

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
