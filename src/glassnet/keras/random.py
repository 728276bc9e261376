"""``keras.random``: draws of random numbers, as Tensors, seeded by an int or a ``SeedGenerator``.

Keras 3 writes a GAN's noise as ``keras.random.normal(shape=(batch_size, latent_dim),
seed=self.seed_generator)``: a ``SeedGenerator(1337)`` gives a fresh, reproducible draw at each
call (its state moves on). An int seed gives the same numbers each time; no seed, glassnet's
global generator (``glassnet.utils.set_random_seed``). The numbers are NumPy's, not Keras's.

>>> import glassnet.keras as keras
>>> gen = keras.random.SeedGenerator(1337)
>>> a, b = keras.random.normal((2, 3), seed=gen), keras.random.normal((2, 3), seed=gen)
>>> bool((a.numpy() == b.numpy()).all()), a.shape
(False, TensorShape([2, 3]))
>>> bool((keras.random.uniform((4,), seed=7).numpy() == keras.random.uniform((4,), seed=7).numpy()).all())
True
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..tf.tensor import wrap
from ..utils import rng


class SeedGenerator:
    """A seeded source of draws whose state advances at each use (Keras's ``SeedGenerator``)."""

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"SeedGenerator: seed must be an int or None, got {seed!r}")
        from ..tf.variable import Variable  # noqa: PLC0415 - variables load with the first generator
        from ..utils import unique_name  # noqa: PLC0415
        self.seed = None if seed is None else int(seed)
        self.name = name or unique_name("seed_generator")
        self.generator = np.random.default_rng(self.seed if self.seed is not None else rng().integers(2 ** 63))
        # Keras's state variable, [seed, draws so far] (int64, not trainable); it counts the draws
        # (the numbers themselves come from NumPy's generator above, not from this state)
        start = self.seed if self.seed is not None else int(self.generator.integers(2 ** 31))
        self.state = Variable.holding(np.array([start, 0], np.int64), "seed_generator_state", trainable=False,
                                      path=f"{self.name}/seed_generator_state")

    def next(self):
        """The state before this draw; the state moves on by ``[0, 1]``, as Keras's."""
        before = self.state.numpy()
        self.state.value[1] += 1
        return wrap(before)

    def __repr__(self):
        return f"<SeedGenerator seed={self.seed}>"


def _generator(seed, who):
    if seed is None:
        return rng()
    if isinstance(seed, SeedGenerator):
        seed.next()
        return seed.generator
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
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


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from ``N(mean, stddev**2)``."""
    return wrap(_generator(seed, "normal").normal(mean, stddev, size=_shape(shape, "normal")).astype(_dtype(dtype)))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Draws from ``[minval, maxval)``."""
    return wrap(_generator(seed, "uniform").uniform(minval, maxval, size=_shape(shape, "uniform")).astype(_dtype(dtype)))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from ``N(mean, stddev**2)`` kept within two standard deviations (redrawn outside)."""
    gen, size = _generator(seed, "truncated_normal"), _shape(shape, "truncated_normal")
    z = gen.standard_normal(size)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = gen.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return wrap((mean + stddev * z).astype(_dtype(dtype)))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn from ``[minval, maxval)``."""
    return wrap(_generator(seed, "randint").integers(minval, maxval, size=_shape(shape, "randint")).astype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Keras's ``keras.random.dropout``: each entry kept with probability ``1 - rate`` and scaled
    by ``1 / (1 - rate)``, else 0 (the mask a constant: the tape differentiates through it)."""
    if not 0 <= rate < 1:
        raise ValueError(f"keras.random.dropout: rate must be in [0, 1), got {rate!r}")
    shape = np.shape(inputs) if noise_shape is None else tuple(
        np.shape(inputs)[i] if d is None else d for i, d in enumerate(noise_shape))
    keep = _generator(seed, "dropout").random(_shape(shape, "dropout")) >= rate
    x = inputs if hasattr(inputs, "numpy") else wrap(np.asarray(inputs, config.floatx()))
    return x * wrap((keep / (1.0 - rate)).astype(np.asarray(x).dtype))
