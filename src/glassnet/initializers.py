"""Weight initializers with Keras's names, defaults and formulas.

Each is a small callable object: ``init(shape, dtype) -> ndarray``. Random ones draw as
Keras 3 on TensorFlow does, so a program seeded by ``keras.utils.set_random_seed(n)`` starts
from Keras's very weights: an initializer made without a seed takes one when it is *made*,
``random.randint(1, 10**9)`` from Python's ``random`` (Keras's ``make_default_seed``; a layer
makes its initializers in its constructor, so the layers' order decides who gets which
draw), and each call draws TensorFlow's stateless Philox numbers for the seed ``[seed, 0]``
(``tf.random.stateless_uniform/normal/truncated_normal``; :mod:`glassnet.seeding`) in the
weight's dtype. So an initializer object called twice gives the same numbers, as Keras's;
a ``keras.random.SeedGenerator`` as ``seed`` gives new ones each call (its state moves on).

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
from .seeding import draw as _draw
from .utils import default_seed, snake_case


def _fans(shape, input_axes=None, output_axes=None):
    if input_axes is not None and output_axes is not None:      # EinsumDense's: the axes it names
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
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


class RandomInitializer(Initializer):
    """What the random initializers share: the seed, taken at construction (Keras 3's rule):
    ``seed=None`` draws ``random.randint(1, 10**9)`` from Python's ``random`` now; an int is
    kept (the same numbers each call); a ``keras.random.SeedGenerator`` moves on each call.
    ``get_config`` writes the seed as given (None when drawn), as Keras."""

    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            seed = default_seed()
        elif isinstance(seed, dict):
            from .keras.random import SeedGenerator  # noqa: PLC0415 - only a saved generator needs it
            seed = SeedGenerator(**seed.get("config", seed))
        elif isinstance(seed, bool) or not (isinstance(seed, (int, np.integer)) or hasattr(seed, "next")):
            raise ValueError(f"{type(self).__name__}: seed must be an int, a keras.random.SeedGenerator or None, "
                             f"got seed={seed!r}")
        self.seed = int(seed) if isinstance(seed, (int, np.integer)) else seed

    def _seed_config(self):
        seed = self._init_seed
        return seed if seed is None or isinstance(seed, (int, np.integer, dict)) else {
            "module": "keras.random", "class_name": "SeedGenerator", "config": seed.get_config(),
            "registered_name": None}


class RandomNormal(RandomInitializer):
    """``N(mean, stddev^2)``; defaults mean=0, stddev=0.05 (``keras.random.normal``)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        return _draw("normal", shape, dtype, self.seed, "RandomNormal", self.mean, self.stddev)

    def get_config(self):
        return {"seed": self._seed_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """``U(minval, maxval)``; defaults -0.05, 0.05 (``keras.random.uniform``)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval = minval, maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        return _draw("uniform", shape, dtype, self.seed, "RandomUniform", self.minval, self.maxval)

    def get_config(self):
        return {"seed": self._seed_config(), "minval": self.minval, "maxval": self.maxval}


class TruncatedNormal(RandomInitializer):
    """``N(mean, stddev^2)`` redrawn until within two standard deviations (TensorFlow's
    truncated normal: standard normals under 2 in size, then ``* stddev + mean``)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        return _draw("truncated_normal", shape, dtype, self.seed, "TruncatedNormal", self.mean, self.stddev)

    def get_config(self):
        return {"seed": self._seed_config(), "mean": self.mean, "stddev": self.stddev}


class VarianceScaling(RandomInitializer):
    """Draws with variance ``scale / n``; ``n`` from ``mode`` (fan_in, fan_out, fan_avg).

    distribution "truncated_normal": stddev = sqrt(scale/n) / 0.87962566 (the truncation
    correction Keras uses); "untruncated_normal": stddev = sqrt(scale/n);
    "uniform": U(-l, l) with l = sqrt(3 scale / n). ``input_axes``/``output_axes`` (Keras 3.15,
    set by EinsumDense): the kernel's axes whose sizes multiply into fan_in and fan_out.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, input_axes=None,
                 output_axes=None):
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be > 0, got {scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        distribution = distribution.lower() if isinstance(distribution, str) else distribution
        distribution = "truncated_normal" if distribution == "normal" else distribution     # Keras's alias
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = _fans(tuple(shape), self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        var = self.scale / max(1.0, n)
        who = type(self).__name__
        if self.distribution == "truncated_normal":
            return _draw("truncated_normal", shape, dtype, self.seed, who, 0.0, math.sqrt(var) / 0.87962566103423978)
        if self.distribution == "untruncated_normal":
            return _draw("normal", shape, dtype, self.seed, who, 0.0, math.sqrt(var))
        limit = math.sqrt(3.0 * var)
        return _draw("uniform", shape, dtype, self.seed, who, -limit, limit)

    def get_config(self):
        return {"seed": self._seed_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes, "output_axes": self.output_axes}


class Orthogonal(RandomInitializer):
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
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the weight must be at least two-dimensional, got shape={shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = _draw("normal", (max(rows, cols), min(rows, cols)), dtype, self.seed, "Orthogonal")
        q, r = np.linalg.qr(a)          # in the weight's dtype, as Keras's ops.qr (LAPACK here, Eigen in TF)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return np.asarray(self.gain * q.reshape(shape), dtype=dtype or config.floatx())

    def get_config(self):
        return {"seed": self._seed_config(), "gain": self.gain}


def _scaling(scale, mode, distribution, doc):
    class _Init(VarianceScaling):
        __doc__ = doc

        def __init__(self, seed=None, input_axes=None, output_axes=None):
            super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

        def get_config(self):
            return {"seed": self._seed_config(), "input_axes": self.input_axes, "output_axes": self.output_axes}
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
