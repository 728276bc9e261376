"""The fast path's rules compiled by numba: each optimizer's arithmetic in one loop, one
pass over memory instead of ten or so (``glassnet.fast`` has the NumPy form, the same
operations in the same order; numba without ``fastmath`` keeps IEEE order and makes no
fused multiply-adds, so the weights agree bit for bit, tests/test_fast_path.py).

Imported only when ``glassnet.fast`` chooses numba (optional: ``pip install numba``);
compiled on first use and cached on disk. Each number arrives in the weights' float type,
so float32 stays float32 throughout, as in NumPy. Each option gets a loop of its own with
the option fixed, and each loop runs over a slice from index 0 (``range(lo, hi)`` makes
numba check for negative indices and the loop is no longer vectorized: 5x slower).
"""
from __future__ import annotations

import numba

from ._numba_cache import use_user_cache

use_user_cache(numba)                   # compiled loops go to a user cache folder, not the package
import numpy as np

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def _decay(p, lo, hi, wd, lr):
    p = p[lo:hi]
    for i in range(p.shape[0]):
        p[i] = p[i] - p[i] * wd * lr                           # w -= w * wd * lr


@_jit
def _sgd_at(i, p, g, m, lr, mu, momentum, nesterov):
    t = g[i] * lr
    if not momentum:
        p[i] = p[i] - t                                        # w -= g lr
        return
    mi = m[i] * mu - t                                         # m = m mu - g lr
    m[i] = mi
    if nesterov:
        p[i] = p[i] + (mi * mu - t)                            # w += m mu - g lr
    else:
        p[i] = p[i] + mi                                       # w += m


@_jit
def _sgd(p, g, m, lo, hi, lr, mu, momentum, nesterov):
    p, g, m = p[lo:hi], g[lo:hi], m[lo:hi]
    if not momentum:
        for i in range(p.shape[0]):
            _sgd_at(i, p, g, m, lr, mu, False, False)
    elif nesterov:
        for i in range(p.shape[0]):
            _sgd_at(i, p, g, m, lr, mu, True, True)
    else:
        for i in range(p.shape[0]):
            _sgd_at(i, p, g, m, lr, mu, True, False)


@_jit
def _rmsprop_at(i, p, g, v, mg, m, lr, rho, one_minus_rho, eps, mu, centered, momentum):
    gi = g[i]
    vi = v[i] * rho + gi * gi * one_minus_rho                  # v = v rho + g g (1 - rho)
    v[i] = vi
    if centered:
        mgi = mg[i] * rho + gi * one_minus_rho                 # mg = mg rho + g (1 - rho)
        mg[i] = mgi
        d = (vi - mgi * mgi) + eps
    else:
        d = vi + eps
    step = gi * lr / np.sqrt(d)                                # g lr / sqrt(denominator)
    if momentum:
        mi = m[i] * mu + step                                  # m = m mu + step; w -= m
        m[i] = mi
        p[i] = p[i] - mi
    else:
        p[i] = p[i] - step


@_jit
def _rmsprop(p, g, v, mg, m, lo, hi, lr, rho, one_minus_rho, eps, mu, centered, momentum):
    p, g, v, mg, m = p[lo:hi], g[lo:hi], v[lo:hi], mg[lo:hi], m[lo:hi]
    if centered and momentum:
        for i in range(p.shape[0]):
            _rmsprop_at(i, p, g, v, mg, m, lr, rho, one_minus_rho, eps, mu, True, True)
    elif centered:
        for i in range(p.shape[0]):
            _rmsprop_at(i, p, g, v, mg, m, lr, rho, one_minus_rho, eps, mu, True, False)
    elif momentum:
        for i in range(p.shape[0]):
            _rmsprop_at(i, p, g, v, mg, m, lr, rho, one_minus_rho, eps, mu, False, True)
    else:
        for i in range(p.shape[0]):
            _rmsprop_at(i, p, g, v, mg, m, lr, rho, one_minus_rho, eps, mu, False, False)


@_jit
def _adam_at(i, p, g, m, v, vhat, one_minus_beta_1, one_minus_beta_2, alpha, eps, amsgrad):
    gi = g[i]
    mi = m[i] + (gi - m[i]) * one_minus_beta_1                 # m += (g - m)(1 - b1)
    m[i] = mi
    vi = v[i] + (gi * gi - v[i]) * one_minus_beta_2            # v += (g g - v)(1 - b2)
    v[i] = vi
    if amsgrad:
        vh = vhat[i]
        if not (vh >= vi or vh != vh):                         # np.maximum, NaN included
            vh = vi
        vhat[i] = vh
        vi = vh
    p[i] = p[i] - mi * alpha / (np.sqrt(vi) + eps)             # w -= m alpha / (sqrt(v) + eps)


@_jit
def _adam(p, g, m, v, vhat, lo, hi, one_minus_beta_1, one_minus_beta_2, alpha, eps, amsgrad):
    p, g, m, v, vhat = p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], vhat[lo:hi]
    if amsgrad:
        for i in range(p.shape[0]):
            _adam_at(i, p, g, m, v, vhat, one_minus_beta_1, one_minus_beta_2, alpha, eps, True)
    else:
        for i in range(p.shape[0]):
            _adam_at(i, p, g, m, v, vhat, one_minus_beta_1, one_minus_beta_2, alpha, eps, False)


def runner(name, p, g, slots, c):
    """A function ``(start, stop)`` running optimizer ``name``'s rule (after the weight
    decay, when there is one) over that part of the buffers."""
    none = p[:0]                                               # a slot this configuration lacks

    def slot(key):
        return slots.get(key, none)

    if name == "SGD":
        def rule(lo, hi):
            _sgd(p, g, slot("momentum"), lo, hi, c.lr, c.mu, c.momentum, c.nesterov)
    elif name == "RMSprop":
        def rule(lo, hi):
            _rmsprop(p, g, slot("velocity"), slot("average_gradient"), slot("momentum"), lo, hi,
                     c.lr, c.rho, c.one_minus_rho, c.eps, c.mu, c.centered, c.momentum)
    else:                                                      # Adam, AdamW
        def rule(lo, hi):
            _adam(p, g, slot("momentum"), slot("velocity"), slot("velocity_hat"), lo, hi,
                  c.one_minus_beta_1, c.one_minus_beta_2, c.alpha, c.eps, c.amsgrad)
    if not c.decay:
        return rule

    def decay_then_rule(lo, hi):
        _decay(p, lo, hi, c.wd, c.rate)
        rule(lo, hi)
    return decay_then_rule
