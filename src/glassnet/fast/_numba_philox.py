"""TensorFlow's Philox-4x32-10 uniforms compiled by numba: the twin of
``glassnet.tf.philox.uniform`` in float32, one loop instead of NumPy's ten rounds of passes
over whole arrays (a Dropout mask of 128 x 1,600 numbers a step: about 2 ms in NumPy).

Integer arithmetic only, so the words, and the numbers made of them, are the readable
module's bit for bit (tests/test_fast_philox.py): a block's counter is ``start + i`` carried
over 128 bits; each of the ten rounds multiplies two words by the Philox constants, keeps the
high and low halves and mixes in the key, which is raised by the golden-ratio constants. A
word's 23 low bits ``m`` give ``m / 2**23``, the same float32 as TensorFlow's mantissa trick
``(1 + m / 2**23) - 1`` (both exact).

Imported only when numba is already loaded for other loops, asked for with
``set_kernels("numba")``, or once a process's float32 draws pass 2**24 numbers, where the loop
repays numba's load (a VGG-sized model's weights; ``glassnet.tf.philox._numba_loops``); cached
on disk like the others.
"""
from __future__ import annotations

import numba
import numpy as np

from ._numba_cache import use_user_cache

use_user_cache(numba)

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_LOW = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_SCALE = np.float32(1.0 / (1 << 23))
_MANT = np.uint64(0x7FFFFF)


@_jit
def _block(k0, k1, lo, hi):
    """One block of counter ``(lo, hi)`` (two uint64 halves): its four 32-bit words."""
    x0 = lo & _LOW
    x1 = lo >> _S32
    x2 = hi & _LOW
    x3 = hi >> _S32
    a = k0
    b = k1
    for _ in range(10):
        p0 = x0 * _M0                                  # 32 x 32 -> 64 bits: no overflow
        p1 = x2 * _M1
        x0 = (p1 >> _S32) ^ x1 ^ a
        x1 = p1 & _LOW
        x2 = (p0 >> _S32) ^ x3 ^ b
        x3 = p0 & _LOW
        a = (a + _W0) & _LOW
        b = (b + _W1) & _LOW
    return x0, x1, x2, x3


@_jit
def uniform_f32(k0, k1, start_lo, start_hi, out):
    """``out`` (float32, any length) <- the uniforms in [0, 1) of blocks ``start + 0, 1, ...``
    (the 128-bit counter as two uint64 halves) under the key ``(k0, k1)``, four a block."""
    count = out.shape[0]
    full = count // 4
    for i in range(full):                                  # whole blocks: no branch, so the loop vectorizes
        lo = start_lo + np.uint64(i)                       # mod 2**64: uint64 wraps
        hi = start_hi + np.uint64(lo < start_lo)           # the carry
        x0, x1, x2, x3 = _block(k0, k1, lo, hi)
        out[4 * i] = np.float32(x0 & _MANT) * _SCALE
        out[4 * i + 1] = np.float32(x1 & _MANT) * _SCALE
        out[4 * i + 2] = np.float32(x2 & _MANT) * _SCALE
        out[4 * i + 3] = np.float32(x3 & _MANT) * _SCALE
    if count > 4 * full:                                   # the last, partial block
        lo = start_lo + np.uint64(full)
        hi = start_hi + np.uint64(lo < start_lo)
        words = _block(k0, k1, lo, hi)
        for j in range(count - 4 * full):
            out[4 * full + j] = np.float32(words[j] & _MANT) * _SCALE
