"""Random changes of pixel values, Keras's layers: ``RandomContrast`` and ``RandomBrightness``
(the shared machinery, seeds and training-only behaviour, is in ``layers/augmentation.py``).

With ``m`` each image's mean per channel, ``f`` and ``d`` one draw per image, and the result
clipped to ``value_range`` ``[lo, hi]``::

    RandomContrast    Y = clip((X - m) * f + m)       f ~ U(1 - lower, 1 + upper)
                      dX = mask * dY * f + (1 - f) * mean over the image of (mask * dY)
    RandomBrightness  Y = clip(X + d)                 d ~ U(lower, upper) * (hi - lo)
                      dX = mask * dY

where ``mask`` is 1 where the value was not clipped. Keras's factor rules: RandomContrast takes
``factor`` in [0, 1] and a single number ``f`` means ``(0, f)``, so ``f ~ U(1, 1 + f)``: contrast
only grows (Keras 3.15 does exactly this); a pair ``(lower, upper)`` gives ``U(1 - lower, 1 + upper)``.
RandomBrightness takes ``factor`` in [-1, 1]: ``f`` means ``(-|f|, |f|)``.

>>> import numpy as np, glassnet
>>> x = np.array([[[[10.0], [30.0]]]])
>>> glassnet.layers.RandomContrast(0.0)(x, training=True).numpy().ravel().tolist()    # f = 1
[10.0, 30.0]
>>> y = glassnet.layers.RandomBrightness((0.1, 0.1), value_range=(0, 1))(x / 100, training=True)
>>> y.numpy().ravel().astype(float).round(6).tolist()
[0.2, 0.4]
"""
from __future__ import annotations

import numpy as np

from .augmentation import _RandomLayer, check_factor


def _value_range(value_range, who):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or any(
            isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v)
            for v in value_range):
        raise ValueError(f"{who}: value_range must be a list of two numbers, got value_range={value_range!r}")
    return value_range


class RandomContrast(_RandomLayer):
    """Stretch (or squeeze) each image's values about its mean per channel by a random factor."""

    _what = "contrast change"

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        self.factor = check_factor(factor, "factor", "RandomContrast", low=0.0)
        self.value_range = _value_range(value_range, "RandomContrast")
        super().__init__(seed, **kwargs)

    def draw(self, n, h, w):
        lower, upper = self.factor
        return self._uniform((n, 1, 1, 1), 1.0 - lower, 1.0 + upper)

    def apply(self, x, f):
        mean = x.mean(axis=(1, 2), keepdims=True)
        y = (x - mean) * f.astype(x.dtype) + mean
        lo, hi = self.value_range
        self._kept = (y >= lo) & (y <= hi)
        return np.clip(y, lo, hi)

    def apply_backward(self, grad, f):
        g = grad * self._kept
        return g * f.astype(g.dtype) + (1 - f.astype(g.dtype)) * g.mean(axis=(1, 2), keepdims=True)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomBrightness(_RandomLayer):
    """Add a random amount to every value of each image: ``factor`` a fraction of
    ``value_range``'s width (0.2: up to 20% brighter or darker), clipped to ``value_range``."""

    _what = "brightness change"

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        self.factor = check_factor(factor, "factor", "RandomBrightness")
        self.value_range = sorted(_value_range(value_range, "RandomBrightness"))
        super().__init__(seed, **kwargs)

    def draw(self, n, h, w):
        lower, upper = self.factor
        lo, hi = self.value_range
        return self._uniform((n, 1, 1, 1), lower, upper) * np.float32(hi - lo)     # float32, as Keras

    def apply(self, x, delta):
        y = x + delta.astype(x.dtype)
        lo, hi = self.value_range
        self._kept = (y >= lo) & (y <= hi)
        return np.clip(y, lo, hi)

    def apply_backward(self, grad, delta):
        return grad * self._kept

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
