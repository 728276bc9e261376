"""Keras 3's random seeds, as it runs on TensorFlow, so a seeded glassnet program draws Keras's numbers.

Keras 3 draws nothing from a running generator. A random thing (an initializer, a Dropout, a
``keras.random.SeedGenerator``) made without a seed takes one when it is *made*:
``random.randint(1, 10**9)`` from Python's ``random`` (:func:`glassnet.utils.default_seed`), which
``keras.utils.set_random_seed(n)`` seeds. Each draw is then one of TensorFlow's stateless ops for a
seed of two words: an int seed ``s`` is ``[s, 0]`` (the same numbers each call); a seed state
``[s, n]`` gives ``[s, n]`` and moves on to ``[s, n + 1]`` (a new draw each call, as Dropout's
mask each step). Keras keeps these seeds as int64 and hands TensorFlow each word mod ``2**31 - 2``.

The numbers are TensorFlow's Philox-4x32-10 (:mod:`glassnet.tf.philox`) in the asked dtype::

    uniform            u * (maxval - minval) + minval          u in [0, 1)
    normal             z * stddev + mean                       z by Box-Muller
    truncated_normal   z * stddev + mean                       z redrawn until |z| < 2
    dropout            where(u >= rate, x * (1 / (1 - rate)), 0)

``fit``'s shuffle of arrays is TensorFlow's too: Keras 3's array adapter shuffles ``range(n)`` by
``tf.random.shuffle`` inside a ``tf.data`` map, the first random op of that function's graph, so
under a global seed ``g`` its seeds are ``(g, 0)``, and each epoch's new iterator starts that
kernel again: the same order every epoch (:func:`fit_order`).

TensorFlow's samplers that take a varying number of words an output (``gamma``, ``binomial``) and its
multinomial (``categorical``) live in :mod:`glassnet.random_samplers` (still importable from here).
``tf.data``'s ShuffleDataset is here (:func:`shuffle_stream`, :func:`shuffle_pass_seeds`): a ring
buffer from which each output takes ``word % size``, the pass's seeds from the dataset's own Philox
seed generator.

>>> from glassnet import seeding
>>> print(seeding.draw("uniform", (3,), "float32", [1, 2]))      # tf.random.stateless_uniform([3], [1, 2])
[0.8440604  0.19204533 0.9962232 ]
>>> state = seeding.SeedState(7)
>>> state.next(), state.next()
([7, 0], [7, 1])
"""
from __future__ import annotations

import math

import numpy as np

from . import config
from .tf import philox
from .utils import default_seed, rng, seed_of

__all__ = ["RawSeed", "SeedState", "binomial", "categorical", "draw", "dropout_keep", "fit_order", "gamma", "seed_pair",
           "shuffle_order"]

_SAMPLERS = ("binomial", "categorical", "gamma", "multinomial_pieces")       # in glassnet.random_samplers


def __getattr__(name):
    """The samplers' old address (``from glassnet.seeding import gamma``), loaded on first use:
    :mod:`glassnet.random_samplers` imports this module, so it cannot be imported at its top."""
    if name in _SAMPLERS:
        from . import random_samplers  # noqa: PLC0415
        return getattr(random_samplers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_INT32_MOD = 2 ** 31 - 2                 # Keras's _cast_seed: floormod(seed, int32.max - 1)


class SeedState:
    """A seed that moves on at each draw: ``[seed, n]``, then ``[seed, n + 1]`` (the state of
    Keras's ``SeedGenerator`` without its variable). ``seed=None`` takes Keras's default seed now."""

    __slots__ = ("seed", "count")

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"seed must be an int or None, got seed={seed!r}")
        self.seed = default_seed() if seed is None else int(seed)
        self.count = 0

    def next(self) -> list:
        """The state before this draw; the count moves on by one."""
        before = [self.seed, self.count]
        self.count += 1
        return before


class RawSeed(tuple):
    """Two words TensorFlow's op gets as they are, not cast again (Keras's ``beta`` adds 12 to a
    seed already cast to int32, wrapping as int32 does)."""


def seed_pair(seed, who="random") -> list:
    """The two words TensorFlow's op gets for a Keras seed: an int ``s`` gives ``[s, 0]``; a
    :class:`SeedState` or ``keras.random.SeedGenerator`` its state (and moves it on); a pair
    of ints is taken as it is. Each word mod ``2**31 - 2``, as Keras casts its int64 seeds."""
    if isinstance(seed, RawSeed):
        return [int(v) for v in seed]
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        pair = [int(seed), 0]
    elif hasattr(seed, "next"):
        pair = [int(v) for v in np.asarray(seed.next()).reshape(-1)]
    elif isinstance(seed, (list, tuple, np.ndarray)) and len(seed) == 2:
        pair = [int(v) for v in seed]
    else:
        raise ValueError(f"{who}: seed must be an int or a keras.random.SeedGenerator, got seed={seed!r}")
    return [v % _INT32_MOD for v in pair]


def draw(kind, shape, dtype, seed, who="random", a=0.0, b=1.0) -> np.ndarray:
    """TensorFlow's stateless draw of ``kind`` ("uniform", "normal", "truncated_normal") for a
    Keras seed, computed in ``dtype`` as TensorFlow does: uniform ``u * (b - a) + a`` with
    ``a, b = minval, maxval``; normals ``z * b + a`` with ``a, b = mean, stddev``."""
    dtype = np.dtype(dtype or config.floatx())
    shape = tuple(int(d) for d in shape)
    key, counter = philox.key_counter_from_seed(seed_pair(seed, who))
    count = math.prod(shape)
    a, b = dtype.type(a), dtype.type(b)  # in place: the same roundings as u * (b - a) + a, no copies;
    if kind == "uniform":                 # the passes that change nothing are left out (times 1, and
        out = philox.uniform(key, counter, count, dtype)          # plus 0 to a u >= +0: a Dropout's)
        if b - a != 1:
            out *= b - a
        if a != 0:
            out += a
    else:
        out = (philox.normal if kind == "normal" else philox.truncated_normal)(key, counter, count, dtype)
        if b != 1:
            out *= b
        out += a                          # (kept: -0.0 + 0.0 is +0.0, as TensorFlow's z * s + m)
    return out.reshape(shape)


def dropout_keep(shape, rate, dtype, seed) -> np.ndarray:
    """Which entries ``tf.nn.experimental.stateless_dropout`` keeps (Keras's dropout on TF):
    a uniform draw in the input's dtype ``>= rate``."""
    dtype = np.dtype(dtype)
    return draw("uniform", shape, dtype, seed, "dropout") >= dtype.type(rate)


_ORDERS: dict = {}                       # (n, seed) -> its order: the same every epoch, kept


def shuffle_order(n: int, seed: int) -> np.ndarray:
    """``tf.random.shuffle(tf.range(n))`` under the global seed ``seed`` as its graph's first random
    op (seeds ``(seed, 0)``): TensorFlow's RandomShuffle kernel, Fisher-Yates with ``i`` swapped
    with ``i + w_i % (n - i)``, ``w_i`` the Philox stream's 32-bit words (key the seed)."""
    key = (int(n), int(seed))
    order = _ORDERS.get(key)
    if order is None:
        s = int(seed) % (2 ** 31 - 1)
        op = 0 if s else 2 ** 31 - 1                 # TF: seeds (0, 0) are taken as (0, 2**31 - 1)
        words = philox.blocks([s, 0], [0, 0, op, 0], -(-max(n - 1, 0) // 4)).reshape(-1)
        spans = np.arange(n, 1, -1, dtype=np.uint64)                   # n - i for i = 0 .. n - 2
        jumps = (words[:n - 1].astype(np.uint64) % spans).tolist() if n > 1 else []
        perm = list(range(n))
        for i, j in enumerate(jumps):
            perm[i], perm[i + j] = perm[i + j], perm[i]
        order = np.array(perm, dtype=np.int64)
        if len(_ORDERS) > 8:
            _ORDERS.clear()
        _ORDERS[key] = order
    return order


def fit_order(n: int, generator=None) -> np.ndarray:
    """One epoch's order of ``fit``'s rows: Keras 3's on TensorFlow (:func:`shuffle_order`, the
    same each epoch) when ``generator`` (glassnet's by default) was made by ``set_random_seed``;
    else a permutation drawn from it."""
    generator = rng() if generator is None else generator
    seed = seed_of(generator)
    return generator.permutation(n) if seed is None else shuffle_order(n, seed).copy()


# -- tf.data's ShuffleDataset --------------------------------------------------------------------------

def _words32(seed, seed2):
    """TensorFlow's ``SingleSampleAdapter<PhiloxRandom(seed, seed2)>``: the key the first seed, the
    counter's high half the second; its 32-bit words one after another, a few blocks at a time."""
    key = [seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF]
    counter = [0, 0, seed2 & 0xFFFFFFFF, (seed2 >> 32) & 0xFFFFFFFF]
    at, chunk = 0, 1
    while True:
        words = philox.blocks_at(key, counter, np.arange(at, at + chunk, dtype=np.uint64)).reshape(-1).tolist()
        yield from words
        at += chunk
        chunk = min(chunk * 4, 4096)


def shuffle_pass_seeds(seeds, reshuffle: bool, epoch: int) -> tuple:
    """The seeds of a ShuffleDataset's ``epoch``-th iterator (0 first): its own ``(seed, seed2)``
    each time when not reshuffling; when reshuffling, words ``2 epoch`` and ``2 epoch + 1`` of the
    Philox stream of ``(seed, seed2)`` (TensorFlow's RandomSeedGenerator, one per dataset)."""
    if not reshuffle:
        return tuple(seeds)
    words = _words32(*seeds)
    for _ in range(2 * epoch):
        next(words)
    return next(words), next(words)


def shuffle_stream(elements, buffer_size: int, seed: int, seed2: int):
    """TensorFlow's ShuffleDataset on one pass of ``elements``: fill the buffer up to
    ``buffer_size``; then, at each output, take the buffer's element ``word % len(buffer)`` (the
    buffer in the order its slots are kept), put the oldest element in its place and drop the
    oldest slot; refill one; at the end, empty the buffer the same way."""
    words = _words32(int(seed), int(seed2))
    buf, head = [], 0                                  # the buffer is buf[head:]
    source = iter(elements)
    exhausted = False
    while True:
        while not exhausted and len(buf) - head < buffer_size:
            try:
                buf.append(next(source))
            except StopIteration:
                exhausted = True
        size = len(buf) - head
        if size == 0:
            return
        at = head + next(words) % size
        out = buf[at]
        buf[at] = buf[head]
        buf[head] = None
        head += 1
        if head > 1024 and head * 2 > len(buf):       # forget the used slots now and then
            del buf[:head]
            head = 0
        yield out
