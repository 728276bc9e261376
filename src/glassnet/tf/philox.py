"""Philox-4x32-10, the counter-based generator behind TensorFlow's ``tf.random.Generator`` and
``tf.random.stateless_*`` (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", 2011),
with TensorFlow's ways of turning its 32-bit words into numbers, so a seed gives TensorFlow's numbers.

One block: a 128-bit counter (four 32-bit words) and a 64-bit key (two words) go through ten
rounds; each round multiplies two words by constants, keeps the high and low halves, mixes them
with the other words and the key, and the key is raised by the golden-ratio constants between
rounds. Block ``i`` of a draw uses counter ``start + i``; all blocks are computed at once in NumPy.

Numbers from words (TensorFlow's ``random_distributions.h``): a float32 in [0, 1) is the word's 23
low bits as the mantissa of a number in [1, 2), minus 1; a float64 takes 52 bits from two words;
normals come in pairs by Box-Muller (``sqrt(-2 log u1)`` times the sine and cosine of
``2 pi u2``); bounded integers are ``minval + word % (maxval - minval)``.
"""
from __future__ import annotations

import sys
import threading

import numpy as np

__all__ = ["blocks", "blocks_at", "key_counter_from_seed", "normal", "normal_pair", "truncated_normal", "uniform",
           "uniform_full_int", "uniform_int"]

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_LOW = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)
_CHUNK = 1 << 14                   # blocks computed together: ten rounds stay in the caches (4x faster than 2**18)


def _counter_words(counter, offsets: np.ndarray):
    """The four words (uint64 arrays) of the 128-bit counters ``counter + offsets``, carried."""
    c = [int(w) & 0xFFFFFFFF for w in counter]
    start_lo, start_hi = np.uint64(c[0] | c[1] << 32), np.uint64(c[2] | c[3] << 32)
    lo = offsets + start_lo                        # mod 2**64: NumPy's unsigned arrays wrap
    hi = (lo < start_lo).astype(np.uint64)          # the carry into the high half
    hi += start_hi
    return lo & _LOW, lo >> _32, hi & _LOW, hi >> _32


def _rounds(x0, x1, x2, x3, key) -> np.ndarray:
    """Ten Philox rounds on counters given as four word arrays; the blocks ``(n, 4)`` uint32."""
    k0, k1 = int(key[0]) & 0xFFFFFFFF, int(key[1]) & 0xFFFFFFFF
    for _ in range(10):
        p0, p1 = x0 * _M0, x2 * _M1                 # 32 x 32 -> 64 bits: no overflow in uint64
        x1 ^= p1 >> _32                             # the new x0 = hi(M1 x2) ^ x1 ^ k0
        x1 ^= np.uint64(k0)
        x3 ^= p0 >> _32                             # the new x2 = hi(M0 x0) ^ x3 ^ k1
        x3 ^= np.uint64(k1)
        p1 &= _LOW
        p0 &= _LOW
        x0, x1, x2, x3 = x1, p1, x3, p0
        k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
    out = np.empty((len(x0), 4), np.uint32)
    out[:, 0], out[:, 1], out[:, 2], out[:, 3] = x0, x1, x2, x3
    return out


def _block_py(key, value: int) -> list:
    """One block in Python integers (a few blocks cost less so than NumPy's calls on tiny arrays)."""
    x0, x1, x2, x3 = value & 0xFFFFFFFF, (value >> 32) & 0xFFFFFFFF, (value >> 64) & 0xFFFFFFFF, value >> 96
    k0, k1 = int(key[0]) & 0xFFFFFFFF, int(key[1]) & 0xFFFFFFFF
    for _ in range(10):
        p0, p1 = 0xD2511F53 * x0, 0xCD9E8D57 * x2
        x0, x1, x2, x3 = (p1 >> 32) ^ x1 ^ k0, p1 & 0xFFFFFFFF, (p0 >> 32) ^ x3 ^ k1, p0 & 0xFFFFFFFF
        k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
    return [x0, x1, x2, x3]


def blocks_at(key, counter, offsets) -> np.ndarray:
    """The Philox blocks ``(len(offsets), 4)`` uint32 of counters ``counter + offsets`` under ``key``."""
    offsets = np.asarray(offsets, dtype=np.uint64).reshape(-1)
    if len(offsets) <= 8:
        c = [int(w) & 0xFFFFFFFF for w in counter]
        start = c[0] | c[1] << 32 | c[2] << 64 | c[3] << 96
        return np.array([_block_py(key, (start + int(o)) % (1 << 128)) for o in offsets.tolist()],
                        dtype=np.uint32).reshape(-1, 4)
    out = np.empty((len(offsets), 4), np.uint32)
    for at in range(0, len(offsets), _CHUNK):
        out[at:at + _CHUNK] = _rounds(*_counter_words(counter, offsets[at:at + _CHUNK]), key)
    return out


def blocks(key, counter, n: int) -> np.ndarray:
    """``n`` Philox blocks ``(n, 4)`` uint32, from ``counter`` (four words), ``counter + 1``, ...
    under ``key`` (two words)."""
    return blocks_at(key, counter, np.arange(int(n), dtype=np.uint64))


def key_counter_from_seed(seed):
    """TensorFlow's key and counter for a stateless seed of two integers: the seed as a counter
    under a fixed key, run once, scrambles it (``StatelessRandomGetKeyCounter``)."""
    s0, s1 = (int(v) % (1 << 64) for v in seed)
    counter = [s0 & 0xFFFFFFFF, s0 >> 32, s1 & 0xFFFFFFFF, s1 >> 32]
    mix = blocks([0x3EC8F720, 0x02461E29], counter, 1)[0]
    return [int(mix[0]), int(mix[1])], [0, 0, int(mix[2]), int(mix[3])]


def _words(key, counter, count: int, per_block: int) -> np.ndarray:
    """Enough blocks for ``count`` results at ``per_block`` results a block, as rows."""
    return blocks(key, counter, -(-count // per_block) if count else 0)


def _float01(words: np.ndarray, dtype) -> np.ndarray:
    if np.dtype(dtype) == np.float64:              # two words a number: 20 + 32 mantissa bits
        w = words.reshape(-1, 2).astype(np.uint64)
        bits = np.uint64(1023) << np.uint64(52) | (w[:, 0] & np.uint64(0xFFFFF)) << np.uint64(32) | w[:, 1]
        return bits.view(np.float64) - 1.0
    bits = np.uint32(127) << np.uint32(23) | (words.reshape(-1) & np.uint32(0x7FFFFF))
    out = bits.view(np.float32) - np.float32(1.0)
    return out.astype(dtype) if np.dtype(dtype) != np.float32 else out


def _fill(key, counter, count: int, per_block: int, convert, dtype) -> np.ndarray:
    """``count`` results, ``per_block`` from each block, made a chunk of blocks at a time and
    written into one array (no full-size temporaries: a VGG's 100M weights stay one array)."""
    out = np.empty(count, dtype)
    nblocks = -(-count // per_block) if count else 0
    for b0 in range(0, nblocks, _CHUNK):
        b1 = min(b0 + _CHUNK, nblocks)
        values = convert(blocks_at(key, counter, np.arange(b0, b1, dtype=np.uint64)))
        lo, hi = b0 * per_block, min(b1 * per_block, count)
        out[lo:hi] = values[:hi - lo]
    return out


_NUMBA_FROM = 1 << 14              # float32 uniforms from which numba's loop is used (when loaded)
_SPLIT_FROM = 1 << 17              # ... and from which it runs in two halves on two free cores
# float32 uniforms this process may draw through NumPy before numba is loaded for them: NumPy's
# ten rounds of passes cost about 35 ns a number here, numba's loop about 2.5 ns, and loading
# numba with the loop about 0.5 s, which 2**24 numbers (about 0.6 s in NumPy) repay. A VGG16's
# 138M glorot weights (its first Dense alone 103M: about 4 s in NumPy) cross it; a ResNet50's
# 25M, on its way; a small model's, never (bench/README.md, "Seventh session").
_LOAD_AFTER = 1 << 24
_drawn = [0]                       # float32 uniforms drawn through NumPy so far, under "auto"
_loops = None                      # glassnet.fast._numba_philox once asked for; False: unavailable


def _numba_loops(count=0):
    """The compiled twin of :func:`uniform` (``glassnet.fast._numba_philox``) when numba is
    already loaded by other loops (a convnet's, the compiled epoch's), asked for with
    ``set_kernels("numba")``, or worth loading: once this process's float32 draws, with the
    ``count`` numbers about to be drawn, pass ``_LOAD_AFTER`` (the weights of a VGG-sized
    model); None otherwise: a small model's random numbers never pay numba's import."""
    global _loops
    from .. import fast  # noqa: PLC0415 - the twins live in glassnet.fast
    kind = fast.kernels()
    if kind == "numpy":
        return None
    if kind == "auto" and "numba" not in sys.modules and _loops is None:
        if _drawn[0] + count < _LOAD_AFTER:
            _drawn[0] += count
            return None
    if _loops is None:
        _loops = fast.load_loops("_numba_philox")
    return _loops or None


def _numba_uniform(loops, key, counter, count: int) -> np.ndarray:
    """:func:`uniform` in float32 by numba's loop; a large draw in two halves of whole blocks,
    the second on glassnet's helper thread when a second core is free (the loop lets go of
    the GIL). Each number comes from its own block's counter: the same bits either way."""
    c = [int(w) & 0xFFFFFFFF for w in counter]
    k0, k1 = np.uint64(int(key[0]) & 0xFFFFFFFF), np.uint64(int(key[1]) & 0xFFFFFFFF)
    lo, hi = c[0] | c[1] << 32, c[2] | c[3] << 32
    out = np.empty(count, np.float32)
    from .. import fast  # noqa: PLC0415
    from ..fast import threads  # noqa: PLC0415
    if count >= _SPLIT_FROM and threads.elementwise_threads() > 1 and \
            not threading.current_thread().name.startswith("glassnet"):
        cut = count // 8 * 4                                   # the first half's blocks: count // 8
        lo2 = (lo + count // 8) % (1 << 64)
        hi2 = (hi + (lo2 < lo)) % (1 << 64)                    # the carry into the counter's high half
        later = fast._pool().submit(loops.uniform_f32, k0, k1, np.uint64(lo2), np.uint64(hi2), out[cut:])
        loops.uniform_f32(k0, k1, np.uint64(lo), np.uint64(hi), out[:cut])
        later.result()
        return out
    loops.uniform_f32(k0, k1, np.uint64(lo), np.uint64(hi), out)
    return out


def uniform(key, counter, count: int, dtype=np.float32) -> np.ndarray:
    """``count`` numbers in [0, 1): four a block (float16/32), two a block (float64). A large
    float32 draw goes through numba's loop when numba is loaded: the same words, bit for bit."""
    if count >= _NUMBA_FROM and np.dtype(dtype) == np.float32:
        loops = _numba_loops(count)
        if loops is not None:
            return _numba_uniform(loops, key, counter, count)
    per = 2 if np.dtype(dtype) == np.float64 else 4
    return _fill(key, counter, count, per, lambda w: _float01(w, dtype), dtype)


def normal(key, counter, count: int, dtype=np.float32) -> np.ndarray:
    """``count`` standard normals by Box-Muller on pairs of uniforms."""
    double = np.dtype(dtype) == np.float64
    ftype = np.float64 if double else np.float32

    def convert(words):
        u = _float01(words, ftype).reshape(-1, 2)
        return _box_muller(u[:, 0], u[:, 1], ftype).reshape(-1)
    return _fill(key, counter, count, 2 if double else 4, convert, dtype)


def _box_muller(u1, u2, ftype) -> np.ndarray:
    """Pairs ``(sin, cos)(2 pi u2) sqrt(-2 log u1)``, rows. In float32 as TensorFlow's C++ computes
    it: ``2 pi u2`` in double then rounded, each of log, sqrt, sin, cos rounded to float32 (glibc's
    float functions are correctly rounded; NumPy's float32 ones are not always)."""
    f64 = lambda fn, x: fn(x.astype(np.float64)).astype(ftype)     # noqa: E731
    u1 = np.maximum(u1, ftype(1e-7))
    v1 = (2.0 * np.pi * u2.astype(np.float64)).astype(ftype)
    radius = f64(np.sqrt, ftype(-2.0) * f64(np.log, u1))
    return np.stack([f64(np.sin, v1) * radius, f64(np.cos, v1) * radius], axis=1)


def uniform_int(key, counter, count: int, minval: int, maxval: int, dtype=np.int32) -> np.ndarray:
    """``count`` integers ``minval + bits % (maxval - minval)`` (32 bits, or 64 from two words)."""
    span = int(maxval) - int(minval)
    if np.dtype(dtype).itemsize == 8:
        w = _words(key, counter, count, 2).reshape(-1, 2).astype(np.uint64)
        bits = (w[:, 0] | w[:, 1] << np.uint64(32))[:count]
        return (np.int64(minval) + (bits % np.uint64(span)).astype(np.int64)).astype(dtype)
    bits = _words(key, counter, count, 4).reshape(-1)[:count].astype(np.uint64)
    return (int(minval) + (bits % np.uint64(span % (1 << 32))).astype(np.int64)).astype(dtype)


def uniform_full_int(key, counter, count: int, dtype=np.int64) -> np.ndarray:
    """``count`` integers using every bit (a 64-bit one from two words)."""
    if np.dtype(dtype).itemsize == 8:
        w = _words(key, counter, count, 2).reshape(-1, 2).astype(np.uint64)
        return (w[:, 0] | w[:, 1] << np.uint64(32))[:count].view(np.int64).astype(dtype)
    return _words(key, counter, count, 4).reshape(-1)[:count].view(np.int32).astype(dtype)


def truncated_normal(key, counter, count: int, dtype=np.float32) -> np.ndarray:
    """``count`` standard normals within (-2, 2), TensorFlow's TruncatedNormalDistribution: group
    ``g`` of four (float32; two in float64) starts at block ``start + 256 g`` (``128 g`` in
    float64: 256 words reserved a result) and runs its blocks' words in order through Box-Muller
    (two words a pair in float32, four in float64), keeping each result under 2 in size until
    it has its four. All groups go a block at a time together; few need a second block."""
    double = np.dtype(dtype) == np.float64
    ftype, per = (np.float64, 2) if double else (np.float32, 4)
    groups = -(-count // per)
    out = np.empty((groups, per), ftype)
    kept = np.zeros(groups, np.int64)
    skip = np.uint64(256 * per // 4)
    todo = np.arange(groups)
    step = 0
    while len(todo):
        words = blocks_at(key, counter, todo.astype(np.uint64) * skip + np.uint64(step))
        u = _float01(words, ftype).reshape(len(todo), -1, 2)           # each block: pairs (u1, u2)
        values = _box_muller(u[..., 0].reshape(-1), u[..., 1].reshape(-1), ftype).reshape(len(todo), -1)
        for k in range(values.shape[1]):                                # in the kernel's order
            take = (np.abs(values[:, k]) < 2.0) & (kept[todo] < per)
            rows = todo[take]
            out[rows, kept[rows]] = values[take, k]
            kept[rows] += 1
        todo = todo[kept[todo] < per]
        step += 1
    return out.reshape(-1)[:count].astype(dtype, copy=False)


def normal_pair(words, ftype):
    """Two normals from two words (float32) or four (float64), by Box-Muller."""
    u = _float01(np.asarray(words, dtype=np.uint32), ftype)
    return list(_box_muller(u[0:1], u[1:2], ftype)[0])
