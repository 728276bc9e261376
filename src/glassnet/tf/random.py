"""``tf.random``: ``set_seed(1234)`` as the course's labs call it, and ``normal`` /
``uniform`` draws (glassnet's one generator, so ``set_seed`` makes them repeat).

>>> import glassnet as tf
>>> tf.random.set_seed(1234)        # the same as glassnet.utils.set_random_seed(1234)
>>> tf.random.normal((2, 3)).shape
(2, 3)

``categorical(logits, num_samples)`` draws class ids from logits (the text-generation
tutorial's sampling).

Stateless draws take a ``seed`` of two integers and give the same numbers for the same seed;
``split`` (``tf.random.experimental.stateless_split``) makes new seeds from one, and a
``Generator`` hands out seeds (``make_seeds``) as TensorFlow's data augmentation tutorial uses
them. They are NumPy's generators seeded by the two integers: TensorFlow's own streams (Philox,
ThreeFry) are not reproduced, so a seed gives other numbers than in TensorFlow.

>>> tf.random.split([1, 2], num=3).shape
(3, 2)
>>> bool((tf.random.stateless_uniform((2,), seed=(1, 2)) == tf.random.stateless_uniform((2,), seed=(1, 2))).all())
True
"""
import types

import numpy as np

from .tensor import Tensor, wrap
from ..utils import rng
from ..utils import set_random_seed as set_seed

__all__ = ["Generator", "categorical", "experimental", "fold_in", "log_uniform_candidate_sampler", "normal", "set_seed", "split", "stateless_normal",
           "stateless_uniform", "uniform"]


def _draw(seed):
    return np.random.default_rng(seed) if seed is not None else rng()


def normal(shape, mean=0.0, stddev=1.0, dtype=np.float32, seed=None, name=None) -> Tensor:
    """Draws from a normal distribution (float32 unless told)."""
    return wrap(_draw(seed).normal(mean, stddev, size=tuple(np.atleast_1d(shape).tolist())).astype(dtype))


def uniform(shape, minval=0, maxval=None, dtype=np.float32, seed=None, name=None) -> Tensor:
    """Draws from [minval, maxval) (maxval 1 for floats); integers need a maxval, as TensorFlow's."""
    size, dtype = tuple(np.atleast_1d(shape).tolist()), np.dtype(dtype)
    if dtype.kind in "iu":
        if maxval is None:
            raise ValueError("random.uniform: an integer dtype needs maxval")
        return wrap(_draw(seed).integers(minval, maxval, size=size).astype(dtype))
    return wrap(_draw(seed).uniform(minval, 1.0 if maxval is None else maxval, size=size).astype(dtype))


def categorical(logits, num_samples, dtype=None, seed=None, name=None) -> Tensor:
    """Draws class ids from unnormalised log-probabilities, as ``tf.random.categorical``:
    ``logits`` ``(batch, classes)``; row ``b`` draws ``num_samples`` ids independently, id ``k``
    with probability ``softmax(logits[b])_k = exp(l_k - max l) / sum_j exp(l_j - max l)``
    (a ``-inf`` logit is never drawn). Returns int64 ``(batch, num_samples)`` (``dtype``:
    int32 or int64). Inverse CDF: ``u ~ U[0, 1)``, the first ``k`` whose cumulative
    probability exceeds ``u``.

    >>> import glassnet as tf
    >>> tf.random.categorical([[0.0, float("-inf")]], num_samples=3).numpy().tolist()
    [[0, 0, 0]]
    """
    dtype = np.dtype(np.int64 if dtype is None else dtype)
    if dtype not in (np.int32, np.int64):
        raise ValueError(f"random.categorical: dtype must be int32 or int64, got {dtype}")
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"random.categorical: logits must be 2-D (batch, classes), got shape {z.shape}")
    n = int(num_samples)
    if n < 0:
        raise ValueError(f"random.categorical: num_samples must be >= 0, got {num_samples!r}")
    if np.isnan(z).any():
        raise ValueError(f"random.categorical: logits row {int(np.argwhere(np.isnan(z))[0, 0])} holds NaN")
    top = z.max(axis=1, keepdims=True)
    dead = ~np.isfinite(top[:, 0]) | (top[:, 0] == np.inf)
    if dead.any():
        raise ValueError(f"random.categorical: logits row {int(np.flatnonzero(dead)[0])} has no finite maximum "
                         "(all -inf, or +inf): no distribution to draw from")
    p = np.exp(z - top)
    cdf = np.cumsum(p, axis=1)
    cdf /= cdf[:, -1:]                                     # the softmax's running sums, ending at 1
    u = _draw(seed).random((z.shape[0], n))
    ids = np.stack([np.searchsorted(row, draws, side="right") for row, draws in zip(cdf, u)]) if len(z) else \
        np.zeros((0, n), np.int64)
    return wrap(np.minimum(ids, z.shape[1] - 1).astype(dtype))


def _seeded(seed, who="seed"):
    """NumPy's generator for a stateless seed (two integers)."""
    s = np.asarray(seed).ravel()
    if s.shape != (2,) or s.dtype.kind not in "iu":
        raise ValueError(f"random.{who}: seed must be two integers (shape (2,)), got seed={seed!r}")
    return np.random.default_rng([int(v) % 2 ** 63 for v in s])


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=np.float32, alg=None, name=None) -> Tensor:
    """:func:`uniform`, the same numbers for the same ``seed`` (two integers)."""
    size, dtype = tuple(np.atleast_1d(shape).tolist()), np.dtype(dtype)
    gen = _seeded(seed, "stateless_uniform")
    if dtype.kind in "iu":
        if maxval is None:
            raise ValueError("random.stateless_uniform: an integer dtype needs maxval")
        return wrap(gen.integers(minval, maxval, size=size).astype(dtype))
    return wrap(gen.uniform(minval, 1.0 if maxval is None else maxval, size=size).astype(dtype))


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=np.float32, alg=None, name=None) -> Tensor:
    """:func:`normal`, the same numbers for the same ``seed`` (two integers)."""
    return wrap(_seeded(seed, "stateless_normal").normal(mean, stddev, size=tuple(np.atleast_1d(shape).tolist()))
                .astype(dtype))


def split(seed, num=2, alg=None) -> Tensor:
    """``num`` new seeds ``(num, 2)`` (int64) made from ``seed``: the same ones for the same seed."""
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
        raise ValueError(f"random.split: num must be a positive integer, got num={num!r}")
    return wrap(_seeded(seed, "split").integers(0, 2 ** 63 - 1, size=(int(num), 2), dtype=np.int64))


def fold_in(seed, data, alg=None) -> Tensor:
    """A new seed (2,) made from ``seed`` and the integer ``data``."""
    s = np.asarray(seed).ravel()
    _seeded(s, "fold_in")
    return wrap(np.random.default_rng([int(v) % 2 ** 63 for v in s] + [int(data) % 2 ** 63])
                .integers(0, 2 ** 63 - 1, size=2, dtype=np.int64))


experimental = types.SimpleNamespace(stateless_split=split, stateless_fold_in=fold_in)   # tf.random.experimental


class Generator:
    """``tf.random.Generator``: a generator with its own state. ``from_seed(123)`` repeats;
    ``make_seeds(count)`` gives ``(2, count)`` seeds for the stateless functions."""

    def __init__(self, seed=None, alg=None):
        self._gen = np.random.default_rng(seed)

    @classmethod
    def from_seed(cls, seed, alg=None) -> "Generator":
        return cls(int(seed), alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> "Generator":
        return cls(None, alg)

    def make_seeds(self, count=1) -> Tensor:
        return wrap(self._gen.integers(0, 2 ** 63 - 1, size=(2, int(count)), dtype=np.int64))

    def uniform(self, shape, minval=0, maxval=None, dtype=np.float32, name=None) -> Tensor:
        size, dtype = tuple(np.atleast_1d(shape).tolist()), np.dtype(dtype)
        if dtype.kind in "iu":
            if maxval is None:
                raise ValueError("Generator.uniform: an integer dtype needs maxval")
            return wrap(self._gen.integers(minval, maxval, size=size).astype(dtype))
        return wrap(self._gen.uniform(minval, 1.0 if maxval is None else maxval, size=size).astype(dtype))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=np.float32, name=None) -> Tensor:
        return wrap(self._gen.normal(mean, stddev, size=tuple(np.atleast_1d(shape).tolist())).astype(dtype))

    def split(self, count=1) -> list:
        return [Generator(int(s)) for s in self._gen.integers(0, 2 ** 63 - 1, size=count)]


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """Samples ``num_sampled`` class ids from ``[0, range_max)`` with TensorFlow's log-uniform
    (Zipfian) distribution ``P(k) = (ln(k + 2) - ln(k + 1)) / ln(range_max + 1)``, drawn as
    ``floor(exp(u * ln(range_max + 1))) - 1`` for ``u ~ U[0, 1)``. With ``unique`` draws repeat
    until ``num_sampled`` distinct ids are found (``num_tries`` draws in all).

    Returns ``(sampled_candidates, true_expected_count, sampled_expected_count)``: int64
    ``(num_sampled,)``; float32 ``(batch, num_true)`` and ``(num_sampled,)``, the expected
    count of each id among the draws, as TensorFlow computes it: ``num_sampled * P(k)`` without
    ``unique`` (or when every try was kept), else ``1 - (1 - P(k)) ** num_tries``.

    The draws use glassnet's generator (``seed`` makes a fresh one): TensorFlow's random stream
    is not reproduced, so the candidates differ from TensorFlow's for the same seed; the
    distribution and the expected-count formulas are TensorFlow's.
    """
    t = np.asarray(true_classes.numpy() if isinstance(true_classes, Tensor) else true_classes)
    if t.ndim != 2 or (t.size and t.dtype.kind not in "iu"):
        raise ValueError(f"log_uniform_candidate_sampler: true_classes must be 2-D integers (batch, num_true), "
                         f"got shape {t.shape} dtype {t.dtype}")
    if t.shape[1] != int(num_true):
        raise ValueError(f"log_uniform_candidate_sampler: true_classes has {t.shape[1]} columns but "
                         f"num_true={num_true!r}")
    n, r = int(num_sampled), int(range_max)
    if r < 1:
        raise ValueError(f"log_uniform_candidate_sampler: range_max must be >= 1, got {range_max!r}")
    if n < 0 or (unique and n > r):
        raise ValueError(f"log_uniform_candidate_sampler: num_sampled={num_sampled!r} must be >= 0"
                         + (f" and <= range_max={r} when unique" if unique else ""))
    if t.size and (t.min() < 0 or t.max() >= r):
        bad = tuple(int(v) for v in np.argwhere((t < 0) | (t >= r))[0])
        raise ValueError(f"log_uniform_candidate_sampler: true_classes{list(bad)} = {int(t[bad])} is outside "
                         f"[0, range_max={r})")
    gen, log_range = _draw(seed), np.log1p(r)

    def draw(k):
        return np.minimum(np.exp(gen.random(k) * log_range).astype(np.int64) - 1, r - 1)

    if unique:
        picked, seen, tries = [], set(), 0
        while len(picked) < n:
            for v in draw(max(n - len(picked), 1)).tolist():
                tries += 1
                if v not in seen:
                    seen.add(v)
                    picked.append(v)
                    if len(picked) == n:
                        break
        sampled = np.asarray(picked, dtype=np.int64)
    else:
        sampled, tries = draw(n), n

    return (wrap(sampled.astype(np.int64)), wrap(_log_uniform_expected(t, n, tries, r)),
            wrap(_log_uniform_expected(sampled, n, tries, r)))


def _log_uniform_expected(ids, num_sampled, num_tries, range_max) -> np.ndarray:
    """TensorFlow's expected counts of ``ids`` among ``num_tries`` log-uniform draws that kept
    ``num_sampled``: ``num_sampled * P(k)`` when every try was kept, else ``1 - (1 - P(k)) ** num_tries``
    (as ``-expm1(num_tries * log1p(-P(k)))``); float32."""
    k = np.asarray(ids, dtype=np.float64)
    p = np.log((k + 2.0) / (k + 1.0)) / np.log1p(range_max)
    return (p * num_sampled if num_tries == num_sampled else -np.expm1(num_tries * np.log1p(-p))).astype(np.float32)
