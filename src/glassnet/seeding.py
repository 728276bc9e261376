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

TensorFlow's samplers that take a varying number of words an output (``gamma``, ``binomial``: each
output on its own stream, skipped 256 or 42 blocks apart) and its multinomial (``categorical``: its
rows in pieces as its CPU threads take them) are here too, for ``keras.random``; and ``tf.data``'s
ShuffleDataset (:func:`shuffle_stream`, :func:`shuffle_pass_seeds`): a ring buffer from which each
output takes ``word % size``, the pass's seeds from the dataset's own Philox seed generator.

>>> from glassnet import seeding
>>> print(seeding.draw("uniform", (3,), "float32", [1, 2]))      # tf.random.stateless_uniform([3], [1, 2])
[0.8440604  0.19204533 0.9962232 ]
>>> state = seeding.SeedState(7)
>>> state.next(), state.next()
([7, 0], [7, 1])
"""
from __future__ import annotations

import math
import os

import numpy as np

from . import config
from .tf import philox
from .utils import default_seed, rng, seed_of

__all__ = ["RawSeed", "SeedState", "binomial", "categorical", "draw", "dropout_keep", "fit_order", "gamma", "seed_pair",
           "shuffle_order"]

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


# -- TensorFlow's samplers that draw a varying number of words an output (rejection, inversion) -------
# TF gives output i its own Philox stream: the op's (key, counter) skipped ``reserve * i`` blocks
# (gamma 256, binomial 256 or 42), so an output's numbers do not depend on the others'. Its
# UNIFORM/NORMAL macros turn one block into two doubles and hand them out last first.

class _Streams:
    """Each output's next block: ``reserve * gen_index + blocks used so far``."""

    def __init__(self, key, counter, gen_index, reserve):
        self.key, self.counter = key, counter
        self.at = np.asarray(gen_index, np.uint64) * np.uint64(reserve)

    def take(self, rows):
        words = philox.blocks_at(self.key, self.counter, self.at[rows])
        self.at[rows] += np.uint64(1)
        return words


def _as_uniforms(words):
    return philox._float01(words, np.float64).reshape(-1, 2)


def _as_normals(words):
    u = philox._float01(words, np.float64).reshape(-1, 2)
    return philox._box_muller(u[:, 0], u[:, 1], np.float64)


class _Pairs:
    """TF's ``UNIFORM(x)`` / ``NORMAL(x)`` for many outputs at once: a block makes two doubles
    (``convert``), handed out second first; a new block when both are used."""

    def __init__(self, streams, convert, m):
        self.streams, self.convert = streams, convert
        self.values, self.left = np.zeros((m, 2)), np.zeros(m, np.int64)

    def take(self, rows):
        empty = rows[self.left[rows] == 0]
        if len(empty):
            self.values[empty] = self.convert(self.streams.take(empty))
            self.left[empty] = 2
        self.left[rows] -= 1
        return self.values[rows, self.left[rows]]


def _batched(shape, params, who, name):
    """TF's layout for per-output parameters: ``shape`` must end with the parameters' shape;
    position ``s * num + b`` (sample s of parameter b) draws from stream ``b * per + s``."""
    size = math.prod(shape)
    pshape = np.broadcast_shapes(*(np.shape(p) for p in params))
    if tuple(shape[len(shape) - len(pshape):]) != tuple(pshape) or len(pshape) > len(shape):
        raise ValueError(f"{who}: shape {tuple(shape)} must end with the shape of {name}, {tuple(pshape)}")
    num = math.prod(pshape)
    per = size // num if num else 0
    pos = np.arange(size, dtype=np.int64)
    which = pos % num if num else pos
    return [np.broadcast_to(p, pshape).reshape(-1)[which] for p in params], which * per + (pos // max(num, 1))


def gamma(shape, alpha, dtype, seed, who="gamma") -> np.ndarray:
    """``tf.random.stateless_gamma(shape, seed, alpha)``: Marsaglia and Tsang's transformation-rejection
    in double (``d = alpha - 1/3``, ``c = 1 / sqrt(9 d)``; ``x`` normal, ``v = (1 + c x)^3``, kept when
    ``u < 1 - 0.0331 x^4`` or ``log u < x^2 / 2 + d (1 - v + log v)``; the sample ``d v``), for
    ``alpha < 1`` from ``alpha + 1`` times ``u^(1 / alpha)``; ``alpha = 1`` is ``-log(1 - u)``. Each output
    from its own stream (256 blocks apart). TF's numbers, but for a last-place difference now and
    then where NumPy's double ``log``/``pow`` round otherwise than TensorFlow's C++ (a rare accept
    decision may then differ too)."""
    dtype = np.dtype(dtype)
    shape = tuple(int(d) for d in shape)
    (alphas,), gen_index = _batched(shape, [np.asarray(alpha, dtype)], who, "alpha")
    key, counter = philox.key_counter_from_seed(seed_pair(seed, who))
    streams = _Streams(key, counter, gen_index, 256)
    m = len(gen_index)
    uniform, normal = _Pairs(streams, _as_uniforms, m), _Pairs(streams, _as_normals, m)
    a = alphas.astype(np.float64)
    if not (a > 0).all():                   # the rejection loop would never end
        raise ValueError(f"{who}: alpha must be > 0 everywhere")
    out = np.zeros(m)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ones = np.flatnonzero(a == 1.0)
        out[ones] = -np.log1p(-uniform.take(ones))
        small = a < 1.0
        d = a + np.where(small, 2.0 / 3, -1.0 / 3)
        c = 1.0 / 3 / np.sqrt(d)
        todo = np.flatnonzero(a != 1.0)
        while len(todo):
            x = normal.take(todo)
            v = 1 + c[todo] * x
            go = v > 0
            rows, x, v = todo[go], x[go], v[go]
            v = v * v * v
            u = uniform.take(rows)
            keep = (u < 1 - 0.0331 * (x * x) * (x * x)) | (np.log(u) < 0.5 * x * x + d[rows] * (1 - v + np.log(v)))
            done, res = rows[keep], d[rows[keep]] * v[keep]
            boost = small[done]
            if boost.any():
                res[boost] *= uniform.take(done[boost]) ** (1 / a[done[boost]])
            out[done] = res
            todo = np.setdiff1d(todo, done, assume_unique=True)
    return np.maximum(out.astype(dtype), np.finfo(dtype).tiny).reshape(shape)


_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211,
         0.0138761288230707, 0.0118967099458917, 0.0104112652619720, 0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k):
    """``log k! - ((k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2)``: a table to 9, a series above."""
    k = np.asarray(k, np.float64)
    kp1sq = (k + 1) * (k + 1)
    series = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)
    return np.where(k <= 9, np.asarray(_TAIL)[np.clip(k, 0, 9).astype(np.int64)], series)


def _binomial_inversion(n, p, uniform, rows):
    """Count geometric waiting times ``ceil(log u / log(1 - p))`` until their sum passes ``n``."""
    total, count = np.zeros(len(rows)), np.zeros(len(rows))
    out = np.zeros(len(rows))
    live = np.arange(len(rows))
    while len(live):
        u = uniform.take(rows[live])
        total[live] += np.ceil(np.log(u) / np.log1p(-p[live]))
        over = total[live] > n[live]
        out[live[over]] = count[live[over]]
        count[live[~over]] += 1
        live = live[~over]
    return out


def _binomial_btrs(n, p, uniform, rows):
    """Hormann's BTRS (transformed rejection with squeeze) as TensorFlow writes it."""
    stddev = np.sqrt(n * p * (1 - p))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    r = p / (1 - p)
    alpha = (2.83 + 5.1 / b) * stddev
    m = np.floor((n + 1) * p)
    out = np.zeros(len(rows))
    live = np.arange(len(rows))
    while len(live):
        u = uniform.take(rows[live])
        v = uniform.take(rows[live])
        u = u - 0.5
        us = 0.5 - np.abs(u)
        A, B, N, M, R = a[live], b[live], n[live], m[live], r[live]
        k = np.floor((2 * A / us + B) * u + c[live])
        accept = (us >= 0.07) & (v <= v_r[live])
        sensible = (k >= 0) & (k <= N)
        v = np.log(v * alpha[live] / (A / (us * us) + B))
        upper = ((M + 0.5) * np.log((M + 1) / (R * (N - M + 1))) + (N + 1) * np.log((N - M + 1) / (N - k + 1))
                 + (k + 0.5) * np.log(R * (N - k + 1) / (k + 1)) + _stirling_tail(M) + _stirling_tail(N - M)
                 - _stirling_tail(k) - _stirling_tail(N - k))
        accept |= sensible & (v <= upper)
        out[live[accept]] = k[accept]
        live = live[~accept]
    return out


def binomial(shape, counts, probs, dtype, seed, who="binomial") -> np.ndarray:
    """``tf.random.stateless_binomial(shape, seed, counts, probs)``: each output from its own stream;
    ``p <= 1/2`` draws ``Binomial(n, p)``, ``p > 1/2`` draws ``n - Binomial(n, 1 - p)``; the draw by
    inversion (geometric waiting times, 42 blocks reserved an output) when ``n p < 10``, else by BTRS
    (Hormann's transformed rejection, 256 blocks). ``n <= 0`` or ``p <= 0`` give 0, ``p >= 1`` gives
    ``n``, a NaN ``p`` NaN. The tests' choices are compared in the probabilities' dtype, the draws
    in double, as TensorFlow's kernel does."""
    shape = tuple(int(d) for d in shape)
    probs = np.asarray(probs)
    ptype = probs.dtype if probs.dtype.kind == "f" else np.dtype(np.float32)
    probs = probs.astype(ptype)
    counts = np.asarray(counts).astype(ptype)
    (n_t, p_t), gen_index = _batched(shape, [counts, probs], who, "counts and probabilities")
    key, counter = philox.key_counter_from_seed(seed_pair(seed, who))
    m = len(gen_index)
    out = np.zeros(m)
    one, half, ten = ptype.type(1), ptype.type(0.5), ptype.type(10)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        flip = p_t > half                                   # draw the failures: n - Binomial(n, 1 - p)
        q_t = np.where(flip, one - p_t, p_t)
        full = (n_t > 0) & (p_t >= one)
        out[full] = n_t[full]
        out[np.isnan(p_t)] = np.nan
        live = (n_t > 0) & (p_t > 0) & (p_t < one)
        for btrs, reserve, sampler in ((True, 256, _binomial_btrs), (False, 42, _binomial_inversion)):
            rows = np.flatnonzero(live & ((n_t * q_t >= ten) == btrs))
            if not len(rows):
                continue
            streams = _Streams(key, counter, gen_index[rows], reserve)
            uniform = _Pairs(streams, _as_uniforms, len(rows))
            n, q = n_t[rows].astype(np.float64), q_t[rows].astype(np.float64)
            drawn = sampler(n, q, uniform, np.arange(len(rows)))
            out[rows] = np.where(flip[rows], n - drawn, drawn)
    return out.astype(dtype).reshape(shape)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                            # not on Linux
        return os.cpu_count() or 1


def multinomial_pieces(batch: int, num_samples: int, classes: int, threads: int | None = None) -> list:
    """The first rows of the pieces TensorFlow's CPU multinomial kernel cuts its batch into (its
    ``Shard`` over ``threads``, TF's intra-op pool: this machine's CPUs unless told). Eigen's
    parallelFor: one piece unless the work (``50 (num_samples log2(classes) + classes)`` cycles a
    row) is worth a second thread (``(total - 1e5) / 1e5 + 0.9 >= 2``); then blocks of
    ``max(ceil(batch / (4 threads)), 40000 / cost)`` rows, made coarser while that keeps the
    threads as busy."""
    threads = _cpus() if threads is None else int(threads)
    cost = int(50 * (num_samples * math.log(classes) / math.log(2) + classes)) if classes > 0 else 0
    if threads <= 1 or batch <= 1 or cost <= 0 or min(threads, max(1, int((batch * cost - 1e5) / 1e5 + 0.9))) == 1:
        return [0]
    size = min(batch, max(-(-batch // (4 * threads)), int(40000 / cost)))
    size = max(size, 1)
    biggest = min(batch, 2 * size)
    count = -(-batch // size)
    best = count / (-(-count // threads) * threads)
    previous = count
    while best < 1.0 and previous > 1:
        coarser = -(-batch // (previous - 1))
        if coarser > biggest:
            break
        coarser_count = -(-batch // coarser)
        previous = coarser_count
        efficiency = coarser_count / (-(-coarser_count // threads) * threads)
        if efficiency + 0.01 >= best:
            size, count = coarser, coarser_count
            best = max(best, efficiency)
    return list(range(0, batch, size))


def categorical(logits, num_samples, seed, who="categorical", threads=None) -> np.ndarray:
    """``tf.random.stateless_categorical``: row ``b``'s sample ``j`` is the first class whose running
    sum of ``exp(logit - max)`` (in double, over the finite logits) passes ``u * total``, ``u`` a
    double from two words of the stream. TensorFlow's CPU kernel cuts the rows into pieces for its
    threads (:func:`multinomial_pieces`); a piece starting at row ``s`` starts its words
    ``s (num_samples + 3) // 4`` blocks in and runs its rows' ``2 num_samples`` words each in order.
    So a large batch gives TensorFlow's numbers for TensorFlow's thread count (``threads``, this
    machine's CPUs by default). int64 ``(batch, num_samples)``."""
    z = np.asarray(logits)
    batch, classes = z.shape
    num_samples = int(num_samples)
    key, counter = philox.key_counter_from_seed(seed_pair(seed, who))
    u = np.empty((batch, num_samples))
    starts = multinomial_pieces(batch, num_samples, classes, threads) + [batch]
    for s, e in zip(starts[:-1], starts[1:]):
        count = 2 * num_samples * (e - s)
        first = s * (num_samples + 3) // 4
        words = philox.blocks_at(key, counter, np.arange(first, first + -(-count // 4), dtype=np.uint64))
        u[s:e] = philox._float01(words.reshape(-1)[:count], np.float64).reshape(e - s, num_samples)
    finite = np.isfinite(z)
    top = np.where(finite, z, -np.inf).max(axis=1, keepdims=True) if classes else np.zeros((batch, 1))
    top = np.where(np.isfinite(top), top, np.finfo(z.dtype if z.dtype.kind == "f" else np.float64).min)
    with np.errstate(over="ignore", invalid="ignore"):
        cdf = np.cumsum(np.where(finite, np.exp(z.astype(np.float64) - top.astype(np.float64)), 0.0), axis=1)
    out = np.empty((batch, num_samples), np.int64)
    for b in range(batch):
        out[b] = np.searchsorted(cdf[b], u[b] * (cdf[b, -1] if classes else 0.0), side="right")
    return out


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
