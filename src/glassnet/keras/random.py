"""``keras.random``: draws of random numbers, as Tensors, seeded by an int or a ``SeedGenerator``,
with Keras 3's numbers on TensorFlow (:mod:`glassnet.seeding`: TensorFlow's stateless Philox ops).

Keras 3 writes a GAN's noise as ``keras.random.normal(shape=(batch_size, latent_dim),
seed=self.seed_generator)``: a ``SeedGenerator(1337)`` gives a fresh, reproducible draw at each
call (its state ``[1337, n]`` moves on to ``[1337, n + 1]``). An int seed ``s`` gives the same
numbers each time (the seed ``[s, 0]``). No seed: Keras's global SeedGenerator, made at its first
use with a seed from Python's ``random`` and moved on by Keras's unordered step
(``(state + 1) * 5387 % 933199``); ``keras.utils.set_random_seed`` makes it again.

>>> import glassnet.keras as keras
>>> gen = keras.random.SeedGenerator(1337)
>>> a, b = keras.random.normal((2, 3), seed=gen), keras.random.normal((2, 3), seed=gen)
>>> bool((a.numpy() == b.numpy()).all()), a.shape
(False, TensorShape([2, 3]))
>>> print(keras.random.uniform((3,), seed=7))                    # Keras 3.15's numbers
tf.Tensor([0.7470788  0.6721802  0.05777955], shape=(3,), dtype=float32)
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..seeding import RawSeed, draw, seed_pair
from ..tf import philox
from ..tf.tensor import wrap
from ..utils import default_seed


class SeedGenerator:
    """A seeded source of draws whose state advances at each use (Keras's ``SeedGenerator``):
    ``state`` is ``[seed, draws so far]`` (int64, not trainable); ``seed=None`` takes Keras's
    default seed (Python's ``random``) now."""

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"SeedGenerator: seed must be an int or None, got {seed!r}")
        kwargs.pop("backend", None)
        if kwargs:
            raise ValueError(f"SeedGenerator: unrecognized keyword arguments: {kwargs}")
        from ..tf.variable import Variable  # noqa: PLC0415 - variables load with the first generator
        from ..utils import unique_name  # noqa: PLC0415
        self.seed = None if seed is None else int(seed)
        self.name = name or unique_name("seed_generator")
        start = default_seed() if seed is None else int(seed)
        self.state = Variable.holding(np.array([start, 0], np.int64), "seed_generator_state", trainable=False,
                                      path=f"{self.name}/seed_generator_state")

    def next(self, ordered=True):
        """The state before this draw; the state moves on by ``[0, 1]`` (or Keras's unordered step)."""
        before = self.state.numpy().copy()
        if ordered:
            self.state.value[1] += 1
        else:
            self.state.value[...] = (self.state.value + 1) * 5387 % 933199
        return wrap(before)

    def get_config(self) -> dict:
        return {"seed": self.seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator seed={self.seed}>"


_GLOBAL: list = [None]


def _reset_global(seed=None) -> None:
    """``keras.utils.set_random_seed``: the global SeedGenerator is made again at its next use."""
    _GLOBAL[0] = None


def _seed(seed, who):
    """A seed pair for one draw (Keras's ``draw_seed``): an int, a SeedGenerator (it moves on), or
    None (the global generator, unordered)."""
    if seed is None:
        if _GLOBAL[0] is None:
            _GLOBAL[0] = SeedGenerator()
        return [int(v) for v in np.asarray(_GLOBAL[0].next(ordered=False))]
    if isinstance(seed, SeedGenerator) or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        return seed
    raise ValueError(f"keras.random.{who}: seed must be an int, a keras.random.SeedGenerator or None, got {seed!r}")


def _shape(shape, who) -> tuple:
    try:
        dims = tuple(int(np.asarray(d)) for d in (np.asarray(shape).reshape(-1) if np.ndim(shape) == 1
                                                  and not isinstance(shape, (tuple, list)) else shape))
    except (TypeError, ValueError):
        raise ValueError(f"keras.random.{who}: shape must be a tuple of ints, got {shape!r}") from None
    if any(d < 0 for d in dims):
        raise ValueError(f"keras.random.{who}: shape must not hold negative sizes, got {dims}")
    return dims


def _dtype(dtype):
    return np.dtype(config.floatx() if dtype is None else dtype)


def _float(dtype, who):
    dtype = _dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"keras.random.{who}: dtype must be a float dtype, got {dtype}")
    return dtype


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from ``N(mean, stddev**2)`` (TensorFlow's ``stateless_normal``)."""
    size = _shape(shape, "normal")
    return wrap(draw("normal", size, _float(dtype, "normal"), _seed(seed, "normal"), "keras.random.normal",
                     mean, stddev))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Draws from ``[minval, maxval)`` (TensorFlow's ``stateless_uniform``)."""
    size = _shape(shape, "uniform")
    return wrap(draw("uniform", size, _float(dtype, "uniform"), _seed(seed, "uniform"), "keras.random.uniform",
                     minval, maxval))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from ``N(mean, stddev**2)`` kept within two standard deviations (TensorFlow's
    ``stateless_truncated_normal``: standard normals redrawn until under 2 in size)."""
    size = _shape(shape, "truncated_normal")
    return wrap(draw("truncated_normal", size, _float(dtype, "truncated_normal"), _seed(seed, "truncated_normal"),
                     "keras.random.truncated_normal", mean, stddev))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn from ``[minval, maxval)``: TensorFlow's ``minval + bits % (maxval - minval)``
    (32-bit words for int32, 64-bit for the others, as Keras draws int64 then casts)."""
    size = _shape(shape, "randint")
    if int(maxval) <= int(minval):
        raise ValueError(f"keras.random.randint: maxval must be > minval, got minval={minval}, maxval={maxval}")
    want = np.dtype(dtype)
    inner = want if want in (np.dtype(np.int32), np.dtype(np.int64)) else np.dtype(np.int64)
    key, counter = philox.key_counter_from_seed(seed_pair(_seed(seed, "randint"), "keras.random.randint"))
    out = philox.uniform_int(key, counter, int(np.prod(size, dtype=np.int64)), int(minval), int(maxval), inner)
    return wrap(out.reshape(size).astype(want))


def shuffle(x, axis=0, seed=None):
    """``x`` shuffled along ``axis``: the order of a uniform draw's argsort, as Keras on TensorFlow."""
    arr = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    keys = draw("uniform", (arr.shape[axis],), np.float32, _seed(seed, "shuffle"), "keras.random.shuffle")
    return wrap(np.take(arr, np.argsort(keys, kind="stable"), axis=axis))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Keras's ``keras.random.dropout`` (TensorFlow's ``stateless_dropout``): each entry kept where
    a uniform draw in the input's dtype is ``>= rate`` and scaled by ``1 / (1 - rate)``, else 0
    (the mask a constant: the tape differentiates through it). rate 0: the input; rate 1: zeros."""
    if not 0 <= rate <= 1:
        raise ValueError(f"keras.random.dropout: rate must be in [0, 1], got {rate!r}")
    if not hasattr(inputs, "numpy"):                 # an array keeps its float dtype, as TF converts it
        kept = isinstance(inputs, np.ndarray) and inputs.dtype.kind == "f"
        inputs = wrap(inputs if kept else np.asarray(inputs, config.floatx()))
    x = inputs
    dtype = np.dtype(np.asarray(x).dtype)
    if rate == 1:
        return x * wrap(np.zeros((), dtype))
    if rate == 0:
        return x
    shape = np.shape(x) if noise_shape is None else tuple(
        np.shape(x)[i] if d is None else d for i, d in enumerate(noise_shape))
    keep = draw("uniform", _shape(shape, "dropout"), dtype, _seed(seed, "dropout"), "keras.random.dropout") \
        >= dtype.type(rate)
    return x * wrap(keep.astype(dtype) * dtype.type(1.0 / (1.0 - rate)))


def _values(x, dtype=None):
    """A parameter as TensorFlow converts it: a Tensor or array keeps its dtype, Python numbers
    and lists become ``dtype`` (float32 by default)."""
    if hasattr(x, "numpy"):
        x = x.numpy()
    if isinstance(x, np.ndarray):
        return x if dtype is None else x.astype(dtype)
    return np.asarray(x, dtype or np.float32)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Class ids drawn from unnormalised log-probabilities ``logits`` ``(batch, classes)``:
    ``num_samples`` a row, id ``k`` with probability ``softmax(logits[b])_k`` (TensorFlow's
    ``stateless_categorical``: the first class whose running sum of ``exp(l - max l)`` passes
    ``u * total``; Keras 3's numbers while TensorFlow runs the rows in one piece, see
    :func:`glassnet.seeding.categorical`). Returns ``(batch, num_samples)`` of ``dtype``."""
    z = _values(logits)
    if z.ndim != 2:
        raise ValueError(f"keras.random.categorical: logits should be a 2-D tensor with shape "
                         f"[batch_size, num_classes]. Received: logits of shape {z.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) or num_samples < 0:
        raise ValueError(f"keras.random.categorical: num_samples must be an int >= 0, got {num_samples!r}")
    if np.isnan(z).any():
        raise ValueError(f"keras.random.categorical: logits row {int(np.argwhere(np.isnan(z))[0, 0])} holds NaN")
    from ..seeding import categorical as draw_categorical  # noqa: PLC0415
    ids = draw_categorical(z, int(num_samples), _seed(seed, "categorical"), "keras.random.categorical")
    return wrap(ids.astype(np.dtype(dtype)))


def _positive(values, name, who):
    bad = ~(values > 0)
    if bad.any():
        at = tuple(int(i) for i in np.argwhere(np.atleast_1d(bad))[0])
        raise ValueError(f"keras.random.{who}: {name} must be > 0 everywhere, got {name}="
                         f"{np.atleast_1d(values)[at]!r} at position {at}")


def gamma(shape, alpha, dtype=None, seed=None):
    """Draws from ``Gamma(alpha, 1)`` (density ``x^(alpha - 1) e^(-x) / Gamma(alpha)``, mean and
    variance ``alpha``): TensorFlow's ``stateless_gamma`` (Marsaglia and Tsang's rejection, each
    output from its own Philox stream, :func:`glassnet.seeding.gamma`), so a seed gives Keras 3's
    numbers, but for a last-place difference now and then (NumPy's double ``log`` and ``pow``
    against TensorFlow's C++). ``alpha`` a number or an array ``shape`` ends with."""
    size = _shape(shape, "gamma")
    dtype = _float(dtype, "gamma")
    a = _values(alpha, dtype)
    _positive(a, "alpha", "gamma")
    from ..seeding import gamma as draw_gamma  # noqa: PLC0415
    return wrap(draw_gamma(size, a, dtype, _seed(seed, "gamma"), "keras.random.gamma"))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Draws from ``Binomial(counts, probabilities)``: the number of successes in ``counts``
    trials of probability ``probabilities`` each (TensorFlow's ``stateless_binomial``: inversion
    when ``n p < 10``, else Hormann's BTRS, :func:`glassnet.seeding.binomial`), as ``dtype``
    (floatx by default, as Keras)."""
    size = _shape(shape, "binomial")
    dtype = _dtype(dtype)
    p = _values(probabilities)
    n = _values(counts, p.dtype if p.dtype.kind == "f" else np.float32)
    from ..seeding import binomial as draw_binomial  # noqa: PLC0415
    return wrap(draw_binomial(size, n, p, dtype, _seed(seed, "binomial"), "keras.random.binomial"))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Draws from ``Beta(alpha, beta)`` as Keras 3 on TensorFlow makes them: ``X / (X + Y)`` with
    ``X ~ Gamma(alpha)`` drawn for the seed and ``Y ~ Gamma(beta)`` for the seed plus 12 (both
    words), ``alpha`` and ``beta`` spread over ``shape`` first."""
    size = _shape(shape, "beta")
    dtype = _float(dtype, "beta")
    a, b = _values(alpha, dtype), _values(beta, dtype)
    _positive(a, "alpha", "beta")
    _positive(b, "beta", "beta")
    try:
        a, b = np.broadcast_to(a, size), np.broadcast_to(b, size)
    except ValueError:
        raise ValueError(f"keras.random.beta: alpha {a.shape} and beta {b.shape} must broadcast to "
                         f"shape {size}") from None
    from ..seeding import gamma as draw_gamma  # noqa: PLC0415
    first = seed_pair(_seed(seed, "beta"), "keras.random.beta")
    second = RawSeed((v + 12 + 2 ** 31) % 2 ** 32 - 2 ** 31 for v in first)    # TF adds 12 in int32
    x = draw_gamma(size, a, dtype, first, "keras.random.beta")
    y = draw_gamma(size, b, dtype, second, "keras.random.beta")
    return wrap(x / (x + y))
