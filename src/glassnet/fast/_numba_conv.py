"""The convolution layers' element-by-element passes compiled by numba (``glassnet.fast.conv``
says when they are used). Each loop is the readable NumPy code's arithmetic in the same
order, in one pass over memory instead of several: numba without ``fastmath`` keeps IEEE
order, so the numbers are the readable path's (tests/test_fast_conv.py).

Imported only when ``glassnet.fast.conv`` chooses numba (optional: ``pip install numba``);
compiled on first use and cached on disk. Arrays are ``channels_last`` and C-contiguous, so
every innermost loop runs over the channels, one contiguous row at a time.
"""
from __future__ import annotations

import numba
import numpy as np

from ._numba_cache import use_user_cache

use_user_cache(numba)                   # compiled loops go to a user cache folder, not the package

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

NONE = 255          # "no position won": the window's max is NaN (NumPy's == finds no winner)


@_jit
def max_pool_2d(x, ph, pw, y, won):
    """``y[n, i, j, c]`` = the max of the ``ph x pw`` window at ``(i*ph, j*pw)`` (strides = pool
    size, no padding); ``won`` = its position ``a*pw + b`` in the window, the first one on ties
    (as the readable loop and TensorFlow)."""
    n_, oh, ow, c_ = y.shape
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                yr = y[n, i, j]
                wr = won[n, i, j]
                x0 = x[n, i * ph, j * pw]
                for c in range(c_):
                    yr[c] = x0[c]
                    wr[c] = 0
                for a in range(ph):
                    for b in range(pw):
                        if a == 0 and b == 0:
                            continue
                        xr = x[n, i * ph + a, j * pw + b]
                        k = a * pw + b
                        for c in range(c_):
                            v = xr[c]
                            best = yr[c]
                            if v > best or (v != v and best == best):     # NaN wins, as np.maximum
                                yr[c] = v
                                wr[c] = k
                for c in range(c_):
                    if yr[c] != yr[c]:
                        wr[c] = NONE


@_jit
def max_pool_2d_backward(grad, won, ph, pw, dx):
    """``dx`` gets each window's gradient at the position that won, ``grad * 0`` at the
    others as the readable ``grad * won`` (the rows and columns no window covers are left as
    they are)."""
    n_, oh, ow, c_ = grad.shape
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                gr = grad[n, i, j]
                wr = won[n, i, j]
                for a in range(ph):
                    for b in range(pw):
                        row = dx[n, i * ph + a, j * pw + b]
                        k = a * pw + b
                        for c in range(c_):
                            g = gr[c]
                            row[c] = g if wr[c] == k else g * 0


@_jit
def scatter_patches_2d(dp, sh, sw, dh, dw, dx):
    """``dx[n, i*sh + a*dh, j*sw + b*dw, c] += dp[n, i, j, a, b, c]``, the kernel positions
    ``(a, b)`` in the outer loop so each pixel adds its terms in the readable order."""
    n_, oh, ow, kh, kw, c_ = dp.shape
    for n in range(n_):
        for a in range(kh):
            for b in range(kw):
                for i in range(oh):
                    for j in range(ow):
                        src = dp[n, i, j, a, b]
                        dst = dx[n, i * sh + a * dh, j * sw + b * dw]
                        for c in range(c_):
                            dst[c] += src[c]


@_jit
def relu_backward(z, grad, out):
    """``out = grad * (z > 0)``, flat arrays: ``grad * 0`` below (so -0.0 and NaN as NumPy)."""
    for i in range(z.shape[0]):
        g = grad[i]
        out[i] = g if z[i] > 0 else g * 0


@_jit
def extract_patches_2d(xpad, sh, sw, dh, dw, out):
    """``out[n, i, j, a, b, c] = xpad[n, i*sh + a*dh, j*sw + b*dw, c]``: every window, copied
    once, row after row (``layers.conv.extract_patches`` is the view it copies)."""
    n_, oh, ow, kh, kw, c_ = out.shape
    if dw == 1:                       # a window's row (kw pixels x c channels) is contiguous
        width = kw * c_
        xf = xpad.reshape(xpad.shape[0], xpad.shape[1], xpad.shape[2] * c_)
        of = out.reshape(n_, oh, ow, kh, width)
        for n in range(n_):
            for i in range(oh):
                for j in range(ow):
                    for a in range(kh):
                        src = xf[n, i * sh + a * dh]
                        dst = of[n, i, j, a]
                        start = j * sw * c_
                        for e in range(width):
                            dst[e] = src[start + e]
        return
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                for a in range(kh):
                    for b in range(kw):
                        src = xpad[n, i * sh + a * dh, j * sw + b * dw]
                        dst = out[n, i, j, a, b]
                        for c in range(c_):
                            dst[c] = src[c]


@_jit
def add_bias_relu(z, bias, a):
    """``z += bias`` (each row of ``z``), then ``a = max(z, 0)``, in one pass over ``z``."""
    rows, f = z.shape
    for r in range(rows):
        zr = z[r]
        ar = a[r]
        for c in range(f):
            v = zr[c] + bias[c]
            zr[c] = v
            ar[c] = v if v > 0 else (v if v != v else 0)        # np.maximum(v, 0): NaN stays NaN


@_jit
def column_sums(m, out):
    """``out[c] = sum over the rows of m[:, c]``, rows in order, as NumPy's ``add.reduce(m, axis=0)``."""
    rows, f = m.shape
    for c in range(f):
        out[c] = m[0, c]
    for r in range(1, rows):
        mr = m[r]
        for c in range(f):
            out[c] += mr[c]


@_jit
def relu_backward_bias(z, grad, dz, db, fresh=True):
    """``dz = grad * (z > 0)`` and ``db = the sum of dz's rows`` (rows in order, as NumPy's
    ``add.reduce(dz, axis=0)``) in one pass; 2-D arrays, rows x filters. ``fresh=False`` goes
    on adding to ``db`` (the rows of one block after another: the same sum, in the same order)."""
    rows, f = z.shape
    for r in range(rows):
        zr = z[r]
        gr = grad[r]
        dr = dz[r]
        for c in range(f):
            g = gr[c]
            d = g if zr[c] > 0 else g * 0
            dr[c] = d
            if r == 0 and fresh:
                db[c] = d
            else:
                db[c] += d


# -- a direct convolution, for a layer with 9 numbers per window (a first layer's 3 x 3 x 1) ------
# Its patch matrix is 9 columns wide, where BLAS's product runs far below its speed, and P, Z
# and A are three passes over memory. This loop computes each output from its window, its
# bias and relu in the same pass. Not the readable path's order of addition (BLAS's), so
# equal within rounding, not bit for bit (glassnet.fast.conv says when it is used).
@_jit
def direct_conv_9(xpad, taps, k9, bias, has_bias, relu, sh, sw, z, a):
    """``z[n, i, j, f] = (x0 * k9[0, f] + x1 * k9[1, f] + ... + x8 * k9[8, f]) + bias[f]``, left
    to right, where ``xt = xpad[n, i*sh + taps[t, 0], j*sw + taps[t, 1], taps[t, 2]]`` is the
    window's entry t (row, column, channel); ``a = max(z, 0)`` in the same pass when ``relu``."""
    n_, oh, ow, f_ = z.shape
    k0, k1, k2, k3, k4, k5, k6, k7, k8 = k9[0], k9[1], k9[2], k9[3], k9[4], k9[5], k9[6], k9[7], k9[8]
    for n in range(n_):
        xn = xpad[n]
        for i in range(oh):
            for j in range(ow):
                r, c = i * sh, j * sw
                x0 = xn[r + taps[0, 0], c + taps[0, 1], taps[0, 2]]
                x1 = xn[r + taps[1, 0], c + taps[1, 1], taps[1, 2]]
                x2 = xn[r + taps[2, 0], c + taps[2, 1], taps[2, 2]]
                x3 = xn[r + taps[3, 0], c + taps[3, 1], taps[3, 2]]
                x4 = xn[r + taps[4, 0], c + taps[4, 1], taps[4, 2]]
                x5 = xn[r + taps[5, 0], c + taps[5, 1], taps[5, 2]]
                x6 = xn[r + taps[6, 0], c + taps[6, 1], taps[6, 2]]
                x7 = xn[r + taps[7, 0], c + taps[7, 1], taps[7, 2]]
                x8 = xn[r + taps[8, 0], c + taps[8, 1], taps[8, 2]]
                zr = z[n, i, j]
                ar = a[n, i, j]
                for f in range(f_):
                    v = (x0 * k0[f] + x1 * k1[f] + x2 * k2[f] + x3 * k3[f] + x4 * k4[f] + x5 * k5[f]
                         + x6 * k6[f] + x7 * k7[f] + x8 * k8[f])
                    if has_bias:
                        v = v + bias[f]
                    zr[f] = v
                    if relu:
                        ar[f] = v if v > 0 else (v if v != v else 0)    # np.maximum(v, 0): NaN stays NaN


# -- a Conv2D's relu and the max pooling after it, backward in one pass ---------------------------
# When a MaxPooling2D whose windows tile the image (strides = pool size, "valid") takes a relu
# Conv2D's output, dJ/dZ is the pooled gradient at each window's winner where the window's max is
# positive, and ``g * 0`` everywhere else: written straight from the pooled arrays (a quarter of
# the conv's size for 2 x 2 windows), without reading the pooling's dX or the conv's Z.
@_jit
def pooled_relu_backward_bias(g, won, y, ph, pw, dz, db, fresh=True):
    """``dz[n, r, c, f]`` = ``g[n, i, j, f]`` where ``(r, c)`` is the position ``won[n, i, j, f]`` of
    window ``(i, j)`` and its max ``y[n, i, j, f]`` is positive, else ``g[n, i, j, f] * 0`` (0 for the
    rows and columns no window covers), and ``db`` = the sum of ``dz``'s rows in order (``fresh=False``
    goes on adding to it). The readable path's numbers: the pooling's ``grad * won`` then the relu's
    ``dA * (Z > 0)``, since the winner's ``Z`` is positive exactly where the window's max of
    ``relu(Z)`` is. (``db`` starts from -0.0, which adds to any first term exactly.)"""
    n_, oh, ow, f_ = dz.shape
    qh, qw = g.shape[1], g.shape[2]
    one = dz.dtype.type(1)
    acc = np.empty(f_, dz.dtype)                 # db's running sums, kept apart from the arrays written
    for f in range(f_):
        acc[f] = -0.0 if fresh else db[f]
    for n in range(n_):
        for r in range(oh):
            i = r // ph
            dzr = dz[n, r]
            c0 = 0                                   # from column c0 on, no window covers the row
            if i < qh:
                a = r - i * ph
                for j in range(qw):
                    gr = g[n, i, j]
                    wr = won[n, i, j]
                    yr = y[n, i, j]
                    for b in range(pw):
                        k = np.uint8(a * pw + b)
                        dr = dzr[j * pw + b]
                        for f in range(f_):      # v * 1 is v and v * 0 is v * 0, NaN and -0.0 included
                            d = gr[f] * (one if (wr[f] == k) & (yr[f] > 0) else one - one)
                            dr[f] = d
                            acc[f] += d
                c0 = qw * pw
            for c in range(c0, ow):
                dr = dzr[c]
                for f in range(f_):
                    dr[f] = 0
                    acc[f] += dr[f]
    for f in range(f_):
        db[f] = acc[f]


_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112     # CBLAS's constants


@_jit
def direct_backward_pooled_9(xpad, taps, sh, sw, g, won, y, ph, pw, per, gemm, dz, db, dk, p):
    """The backward of :func:`direct_conv_9` (relu, bias) under a max pooling whose windows tile
    its output, for a run of whole images, ``per`` images a block: each block's ``dZ`` from the
    pooled arrays (:func:`pooled_relu_backward_bias`, rows in order, so ``db`` is the readable sum),
    its 9-number windows ``P`` (into ``p``), and ``dk += P.T dZ`` by NumPy's BLAS ``gemm`` while
    both are in cache. ``dk`` is a sum of block products: within rounding of the whole product."""
    n_, oh, ow, f_ = dz.shape
    rows = oh * ow
    size = dz.itemsize
    one = dz.dtype.type(1)
    for s in range(0, n_, per):
        e = min(n_, s + per)
        pooled_relu_backward_bias(g[s:e], won[s:e], y[s:e], ph, pw, dz[s:e], db, s == 0)
        r = 0
        for n in range(s, e):
            xn = xpad[n]
            for i in range(oh):
                for j in range(ow):
                    pr = p[r]
                    for t in range(9):
                        pr[t] = xn[i * sh + taps[t, 0], j * sw + taps[t, 1], taps[t, 2]]
                    r += 1
        block = dz[s:e]
        gemm(_ROW_MAJOR, _TRANS, _NO_TRANS, 9, f_, (e - s) * rows, one, p.ctypes, 9, block.ctypes, f_,
             one if s > 0 else dz.dtype.type(0), dk.ctypes, f_)
