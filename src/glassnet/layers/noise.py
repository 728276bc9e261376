"""Noise and regularizing layers: they change their input in training only (``fit``), never
at inference, and each draw is Keras 3's: the layer takes its seed when made (Python's
``random`` when ``seed`` is None) and each call draws TensorFlow's stateless numbers for the
next seed (:mod:`glassnet.seeding`), so a seeded run gives Keras's noise::

    GaussianNoise(stddev)     y = x + n,  n ~ N(0, stddev^2)              dx = dy
    GaussianDropout(rate)     y = x m,    m ~ N(1, rate / (1 - rate))     dx = dy m
    AlphaDropout(rate)        y = a (x k + alpha' (1 - k)) + b, k ~ Bernoulli(1 - rate)
                              (alpha' = -1.7581: SELU's negative limit; a, b keep mean and variance)
                                                                          dx = dy a k
    SpatialDropout1D/2D(rate) Dropout of whole feature maps: one keep/drop per sample and channel,
                              shared by every step (1D) or pixel (2D)    dx = dy m
    ActivityRegularization(l1, l2)   y = x, and adds l1 sum|x| + l2 sum x^2 to the loss
                              (Keras's add_loss; divided by the batch size, as Keras does)
                                                                          dx = dy + (l1 sign(x) + 2 l2 x) / batch

>>> import numpy as np, glassnet
>>> layer = glassnet.layers.GaussianNoise(0.1)
>>> bool((layer(np.ones((2, 3))).numpy() == 1).all())                    # inference: the identity
True
>>> bool((layer(np.ones((2, 3)), training=True).numpy() == 1).any())     # fit: noise
False
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..seeding import SeedState, draw
from ..tf.tensor import wrap
from . import by_call
from .base import Layer

_ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946     # -alpha * scale (SELU)


def _rate(who, rate):
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating)) or not 0 <= rate < 1:
        raise ValueError(f"{who}: rate must be a number in [0, 1), got {rate!r}")
    return float(rate)


def _identity_onnx(self, g, x):
    """An exported model infers: the identity."""
    return g.node("Identity", [x])


class _Noise(Layer):
    """What the noise layers share: training-only, their own generator when seeded, the
    identity in ONNX (an exported model infers) and in explain."""

    supports_masking = True

    def __init__(self, seed=None, active=True, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        # Keras makes its SeedGenerator (and takes a seed) only for a rate or stddev above 0
        self._seed_state = SeedState(seed) if active else None
        self._mult = np.ones(())                     # dx = dy * _mult (1: the identity)

    def _draw(self, kind, shape, dtype, a=0.0, b=1.0):
        return draw(kind, shape, dtype, self._seed_state, type(self).__name__, a, b)

    def backward(self, grad, need_input_grad=True):
        return grad * self._mult

    def needs_flat_samples(self):
        return None                                  # elementwise: the next layer decides

    def explain_forward(self, l, x, out, weights=None):
        return [f"{type(self).__name__} changes its input in fit only: here (inference) the identity"]


class GaussianNoise(_Noise):
    """``y = x + n``, ``n ~ N(0, stddev^2)`` in training; the identity at inference."""

    def __init__(self, stddev, seed=None, **kwargs):
        if isinstance(stddev, bool) or not isinstance(stddev, (int, float, np.floating)) or not stddev >= 0:
            raise ValueError(f"GaussianNoise: stddev must be a number >= 0, got {stddev!r}")
        super().__init__(seed, stddev > 0, **kwargs)
        self.stddev = float(stddev)

    def forward(self, x, training=False):
        self._mult = np.ones((), x.dtype)
        if not training or self.stddev == 0:
            return x
        return x + self._draw("normal", x.shape, x.dtype, 0.0, self.stddev)

    to_onnx = _identity_onnx

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """``y = x m``, ``m ~ N(1, rate / (1 - rate))`` in training (multiplicative noise of the
    same variance as Dropout's); the identity at inference."""

    def __init__(self, rate, seed=None, **kwargs):
        rate = _rate("GaussianDropout", rate)
        super().__init__(seed, rate > 0, **kwargs)
        self.rate = rate

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self._mult = np.ones((), x.dtype)
            return x
        std = np.sqrt(self.rate / (1.0 - self.rate))
        self._mult = self._draw("normal", x.shape, x.dtype, 1.0, std)
        return x * self._mult

    to_onnx = _identity_onnx

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(_Noise):
    """Dropout that keeps SELU's self-normalization (Keras's ``AlphaDropout``): a dropped input
    becomes SELU's negative limit ``alpha'``, then ``a x + b`` restores mean and variance::

        a = ((1 - rate)(1 + rate alpha'^2))^(-1/2)     b = -a alpha' rate
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        rate = _rate("AlphaDropout", rate)
        super().__init__(seed, rate > 0, **kwargs)
        self.rate, self.noise_shape = rate, None if noise_shape is None else tuple(noise_shape)

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self._mult = np.ones((), x.dtype)
            return x
        shape = x.shape if self.noise_shape is None else tuple(
            x.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        keep = (self._draw("uniform", shape, config.floatx()) >= self.rate).astype(x.dtype)   # floatx, as Keras
        a = ((1 - self.rate) * (1 + self.rate * _ALPHA_P ** 2)) ** -0.5
        b = -a * _ALPHA_P * self.rate
        self._mult = np.broadcast_to(a * keep, x.shape).astype(x.dtype)        # dy/dx = a k
        return (a * (x * keep + _ALPHA_P * (1 - keep)) + b).astype(x.dtype)

    to_onnx = _identity_onnx

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class SpatialDropout1D(_Noise):
    """Dropout of whole channels of (batch, steps, channels) inputs: each sample's channel is
    kept (scaled by ``1 / (1 - rate)``) or zeroed at every step at once."""

    _rank = 3

    def __init__(self, rate, seed=None, **kwargs):
        rate = _rate(type(self).__name__, rate)
        super().__init__(seed, rate > 0, **kwargs)
        self.rate = rate

    def _noise_shape(self, x):
        return (x.shape[0], 1, x.shape[2])

    def forward(self, x, training=False):
        if x.ndim != self._rank:
            raise ValueError(f"{type(self).__name__} {self.name!r} takes {self._rank}-dimensional inputs, "
                             f"got shape {x.shape}")
        if not training or self.rate == 0:
            self._mult = np.ones((), x.dtype)
            return x
        keep = self._draw("uniform", self._noise_shape(x), x.dtype) >= x.dtype.type(self.rate)   # Keras's dropout
        self._mult = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - self.rate))
        return x * self._mult

    to_onnx = _identity_onnx

    def get_config(self):
        # Keras 3.15 writes these two as their __init__ takes them: no "trainable", the dtype by name
        base = super().get_config()
        return {"rate": self.rate, "seed": self.seed, "name": base["name"], "dtype": base["dtype"]["config"]["name"]}


class SpatialDropout2D(SpatialDropout1D):
    """Dropout of whole feature maps of images: one keep/drop per sample and channel, shared
    by every pixel (``data_format="channels_last"``, or ``"channels_first"``)."""

    _rank = 4

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(f"SpatialDropout2D: data_format must be 'channels_last' or 'channels_first', "
                             f"got {data_format!r}")
        super().__init__(rate, seed, **kwargs)
        self.data_format = data_format or "channels_last"

    def _noise_shape(self, x):
        if self.data_format == "channels_first":
            return (x.shape[0], x.shape[1], 1, 1)
        return (x.shape[0], 1, 1, x.shape[3])

    to_onnx = _identity_onnx

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class ActivityRegularization(Layer):
    """``y = x``; the call adds ``(l1 sum|x| + l2 sum x^2) / batch`` to the loss (Keras's
    ``add_loss``: ``fit`` adds it to what it minimises), and backward adds its gradient
    ``(l1 sign(x) + 2 l2 x) / batch`` to the one that came through."""

    supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        for name, v in (("l1", l1), ("l2", l2)):
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating)) or not v >= 0:
                raise ValueError(f"ActivityRegularization: {name} must be a number >= 0, got {v!r}")
        super().__init__(**kwargs)
        self.l1, self.l2 = float(l1), float(l2)

    def forward(self, x, training=False):
        self.x = x
        batch = max(x.shape[0], 1) if x.ndim else 1
        penalty = (self.l1 * np.abs(x).sum() + self.l2 * np.square(x).sum()) / batch
        self.__dict__["_call_losses"] = [wrap(np.asarray(penalty, x.dtype))]      # this call's add_loss
        return x

    def backward(self, grad, need_input_grad=True):
        # dJ/d(penalty): 1 in fit; on a tape of one's own, what reached model.losses' term (by_call.loss_seeds)
        seed = by_call.loss_seeds(self)[0] if self.__dict__.get("_call_losses") else 1.0
        batch = max(self.x.shape[0], 1) if self.x.ndim else 1
        return grad + seed * (self.l1 * np.sign(self.x) + 2 * self.l2 * self.x) / batch

    def needs_flat_samples(self):
        return None

    to_onnx = _identity_onnx

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
