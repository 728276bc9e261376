"""The Dense stack's elementwise passes compiled by numba: fewer passes over memory, and no
temporaries, than NumPy's (``glassnet.fast.dense`` uses them once the optimizer runs on numba's
kernels, i.e. when the work ahead repays numba's load).

- forward, relu and linear: ``Z += b`` and ``A = max(Z, 0)`` in one pass, instead of two
  and a temporary;
- backward: ``dZ = dA * g'(Z)`` in one pass, then ``db = sum of dZ's rows`` from it
  while it is in cache, instead of three passes and a temporary (relu: the comparison,
  the product, the sum). Summing ``db`` inside the first loop was tried: bit for bit the
  same, but 1.6x slower at 128 x 256 (the loop no longer vectorizes).

Each computes what the NumPy lines compute, in the same order, so the results agree bit
for bit (tests/test_fast_dense.py): ``np.maximum`` keeps NaN and ``-0.0`` as written below;
``dA * (Z > 0)`` multiplies by 0 where ``Z <= 0`` (so ``inf`` becomes NaN as in NumPy);
``np.add.reduce(dZ, axis=0)`` over a C-ordered array of two or more columns starts from
+0 and adds the rows in order (a single column it sums pairwise: the caller
leaves that one, and any other layout, to NumPy). Sigmoid's and tanh's forward stay in NumPy: numba's ``exp`` and ``tanh``
differ from NumPy's in the last bits. Every number is in the arrays' float type (``one``,
``zero`` arrive typed), so float32 stays float32 as in NumPy.
"""
from __future__ import annotations

import numba

from ._numba_cache import use_user_cache

use_user_cache(numba)                   # compiled loops go to a user cache folder, not the package
import numpy as np

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def bias_relu(z, b, zero):
    """``Z += b`` in place; returns ``A = max(Z, 0)``."""
    n, m = z.shape
    a = np.empty_like(z)
    for i in range(n):
        for j in range(m):
            v = z[i, j] + b[j]
            z[i, j] = v
            a[i, j] = v if (v >= zero or v != v) else zero        # np.maximum(v, 0)
    return a


@_jit
def bias_add(z, b):
    """``Z += b`` in place (linear: ``A`` is ``Z``)."""
    n, m = z.shape
    for i in range(n):
        for j in range(m):
            z[i, j] = z[i, j] + b[j]


@_jit
def _column_sums(d, db):
    """``np.add.reduce(d, axis=0, out=db)``: from +0 (NumPy's start: a column of -0.0 sums
    to +0.0), each row added in turn."""
    n, m = d.shape
    for j in range(m):
        db[j] = 0
    for i in range(n):
        for j in range(m):
            db[j] = db[j] + d[i, j]


@_jit
def relu_backward(grad, z, zero, db):
    """``dZ = dA * (Z > 0)``; ``db`` = its column sums (when ``db`` has any items)."""
    n, m = grad.shape
    d = np.empty_like(grad)
    for i in range(n):
        for j in range(m):
            d[i, j] = grad[i, j] if z[i, j] > zero else grad[i, j] * zero
    if db.shape[0]:
        _column_sums(d, db)
    return d


@_jit
def sigmoid_backward(grad, a, one, db):
    """``dZ = (1 - A) A dA``; ``db`` = its column sums (when ``db`` has any items)."""
    n, m = grad.shape
    d = np.empty_like(grad)
    for i in range(n):
        for j in range(m):
            d[i, j] = (one - a[i, j]) * a[i, j] * grad[i, j]
    if db.shape[0]:
        _column_sums(d, db)
    return d


@_jit
def tanh_backward(grad, a, one, db):
    """``dZ = dA (1 - A A)``; ``db`` = its column sums (when ``db`` has any items)."""
    n, m = grad.shape
    d = np.empty_like(grad)
    for i in range(n):
        for j in range(m):
            d[i, j] = grad[i, j] * (one - a[i, j] * a[i, j])
    if db.shape[0]:
        _column_sums(d, db)
    return d


@_jit
def linear_backward(grad, db):
    """``dZ = dA``; ``db`` = its column sums."""
    _column_sums(grad, db)
    return grad
