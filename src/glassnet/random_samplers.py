"""TensorFlow's samplers that take a varying number of random words an output, so that
``keras.random.gamma``, ``binomial``, ``beta`` and ``categorical`` with a seed draw Keras 3's numbers
as it runs on TensorFlow (the seeds themselves: :mod:`glassnet.seeding`).

TensorFlow gives output ``i`` of a rejection or inversion sampler its own Philox stream: the op's
(key, counter) skipped ``reserve * i`` blocks (gamma 256, binomial 256 or 42), so an output's
numbers do not depend on the others'. Its UNIFORM/NORMAL macros turn one block into two doubles
and hand them out last first::

    gamma         Marsaglia-Tsang: d = alpha - 1/3, c = 1 / sqrt(9 d), kept v = (1 + c x)^3 times d
    binomial      n p < 10: geometric waiting times (inversion); else Hormann's BTRS
    categorical   first class whose running sum of exp(logit - max) passes u * total

The multinomial (``categorical``) is not per output: its CPU kernel cuts the rows into pieces for
its threads (:func:`multinomial_pieces`), each piece starting its words at its first row.

>>> from glassnet import random_samplers
>>> random_samplers.categorical([[0.0, 0.0]], 4, 1).shape
(1, 4)
"""
from __future__ import annotations

import math
import os

import numpy as np

from .seeding import seed_pair
from .tf import philox

__all__ = ["binomial", "categorical", "gamma", "multinomial_pieces"]


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
