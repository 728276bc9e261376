"""Weight initializers with Keras's names, defaults and formulas.

Each is a small callable object: ``init(shape, dtype) -> ndarray``. Random ones draw
from glassnet's single generator (``glassnet.utils.rng()``) unless given a ``seed``.

Fans for a 2-D kernel ``(fan_in, fan_out)``; variance scaling draws with
``scale / n`` variance, ``n`` = fan_in, fan_out or their mean, as Keras does.

>>> import glassnet
>>> glassnet.initializers.Zeros()((2, 3)).shape
(2, 3)
"""
from __future__ import annotations

import math

import numpy as np

from . import config
from .registry import Family
from .utils import rng, snake_case


def _fans(shape):
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: subclasses implement ``__call__(shape, dtype=None)``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    def _generator(self):
        seed = getattr(self, "seed", None)
        return rng() if seed is None else np.random.default_rng(seed)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


class Zeros(Initializer):
    """All zeros (the default bias initializer)."""

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype=dtype or config.floatx())


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype=dtype or config.floatx())


class Constant(Initializer):
    """Every entry equal to ``value``."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, dtype=dtype or config.floatx())

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    """``N(mean, stddev^2)``; defaults mean=0, stddev=0.05."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return self._generator().normal(self.mean, self.stddev, shape).astype(dtype or config.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    """``U(minval, maxval)``; defaults -0.05, 0.05."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None):
        return self._generator().uniform(self.minval, self.maxval, shape).astype(dtype or config.floatx())

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(Initializer):
    """``N(mean, stddev^2)`` redrawn until within two standard deviations."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return _truncated_normal(self._generator(), shape, self.stddev, self.mean).astype(dtype or config.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def _truncated_normal(gen, shape, stddev, mean=0.0):
    out = gen.normal(0.0, 1.0, shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = gen.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(out) > 2
    return mean + stddev * out


class VarianceScaling(Initializer):
    """Draws with variance ``scale / n``; ``n`` from ``mode`` (fan_in, fan_out, fan_avg).

    distribution "truncated_normal": stddev = sqrt(scale/n) / 0.87962566 (the truncation
    correction Keras uses); "untruncated_normal": stddev = sqrt(scale/n);
    "uniform": U(-l, l) with l = sqrt(3 scale / n).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be > 0, got {scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = _fans(tuple(shape))
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        var = self.scale / max(1.0, n)
        gen = self._generator()
        if self.distribution == "truncated_normal":
            out = _truncated_normal(gen, shape, math.sqrt(var) / 0.87962566103423978)
        elif self.distribution == "untruncated_normal":
            out = gen.normal(0.0, math.sqrt(var), shape)
        else:
            limit = math.sqrt(3.0 * var)
            out = gen.uniform(-limit, limit, shape)
        return out.astype(dtype or config.floatx())

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class Orthogonal(Initializer):
    """A random orthogonal matrix times ``gain`` (Keras's algorithm): ``A ~ N(0, 1)`` of shape
    ``(max(rows, cols), min(rows, cols))`` (rows = the product of all but the last dimension),
    ``Q, R = qr(A)``, ``Q *= sign(diag(R))`` (so Q is uniformly distributed), transposed when
    rows < cols. The default ``recurrent_initializer`` of SimpleRNN, LSTM and GRU.

    >>> import numpy as np
    >>> w = Orthogonal(seed=0)((3, 3), "float64")
    >>> bool(np.allclose(w @ w.T, np.eye(3)))
    True
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the weight must be at least two-dimensional, got shape={shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._generator().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype or config.floatx())

    def get_config(self):
        return {"seed": self.seed, "gain": self.gain}


def _scaling(scale, mode, distribution, doc):
    class _Init(VarianceScaling):
        __doc__ = doc

        def __init__(self, seed=None):
            super().__init__(scale, mode, distribution, seed)

        def get_config(self):
            return {"seed": self.seed}
    return _Init


GlorotUniform = _scaling(1.0, "fan_avg", "uniform", "U(-l, l), l = sqrt(6 / (fan_in + fan_out)). Dense's default kernel initializer.")
GlorotNormal = _scaling(1.0, "fan_avg", "truncated_normal", "Truncated normal, stddev = sqrt(2 / (fan_in + fan_out)).")
HeUniform = _scaling(2.0, "fan_in", "uniform", "U(-l, l), l = sqrt(6 / fan_in).")
HeNormal = _scaling(2.0, "fan_in", "truncated_normal", "Truncated normal, stddev = sqrt(2 / fan_in).")
LecunUniform = _scaling(1.0, "fan_in", "uniform", "U(-l, l), l = sqrt(3 / fan_in).")
LecunNormal = _scaling(1.0, "fan_in", "truncated_normal", "Truncated normal, stddev = sqrt(1 / fan_in).")
for _cls, _name in [(GlorotUniform, "GlorotUniform"), (GlorotNormal, "GlorotNormal"),
                    (HeUniform, "HeUniform"), (HeNormal, "HeNormal"),
                    (LecunUniform, "LecunUniform"), (LecunNormal, "LecunNormal")]:
    _cls.__name__ = _cls.__qualname__ = _name

CLASSES = {c.__name__: c for c in [
    Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Orthogonal,
    GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal]}
BY_NAME = {snake_case(n): c for n, c in CLASSES.items()}
BY_NAME.update({"zero": Zeros, "one": Ones, "normal": RandomNormal, "uniform": RandomUniform})

# Keras's lower-case names are the classes themselves (keras.initializers.he_normal is HeNormal),
# in Keras 2 and Keras 3 alike: tf.keras.initializers.he_normal(seed=0)
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal, variance_scaling = (RandomNormal, RandomUniform, TruncatedNormal,
                                                                      VarianceScaling)
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal
orthogonal = Orthogonal


FAMILY = Family("initializer", "keras.initializers", CLASSES, aliases=BY_NAME, base=Initializer,
                expected="a name, a config dict, an Initializer or a callable (shape, dtype) -> array")


class _Unset(GlorotUniform):
    """``bias_initializer=None`` (TensorFlow's imbalanced-data tutorial passes it): Keras 3 then
    fills the weight as ``add_weight`` does with no initializer, Glorot uniform, and writes
    ``None`` in the layer's config; so does this."""


def get(identifier) -> Initializer:
    """Resolve a name (``"glorot_uniform"``, ``"GlorotUniform"``, any case), a config dict,
    an instance, or a callable ``(shape, dtype) -> array`` (see :mod:`glassnet.registry`);
    ``None``: Keras's default for a weight given no initializer (Glorot uniform)."""
    if identifier is None:
        return _Unset()
    if isinstance(identifier, (str, dict, Initializer, type)) or not callable(identifier):
        return FAMILY.get(identifier)
    return identifier


def serialize(init) -> dict | None:
    """Keras's form: ``{"module": ..., "class_name": ..., "config": ..., "registered_name": ...}``
    (``None`` for an initializer given as ``None``, as Keras writes it)."""
    if init is None or isinstance(init, _Unset):
        return None
    return FAMILY.serialize(init)


def deserialize(config: dict, custom_objects=None) -> Initializer:
    """Build an initializer from its Keras config: glassnet's own, one in ``custom_objects``
    or a registered one; anything else is refused."""
    return FAMILY.deserialize(config, custom_objects)
