"""A whole epoch of a small Dense stack in one compiled loop (numba): ``glassnet.fast.epoch``
plans it and calls :func:`run_epoch`; this module only computes.

Every step does what ``glassnet.fast.dense.train_step`` (and the readable
``glassnet.engine.step.train_step``) does, in the same order::

    X = the batch's rows of x, in fit's permutation
    for each layer:  Z = X W (+ b);  A = g(Z)                    Dense.forward
    J = sum_i L_i / m (+ the kernels' L1/L2 penalties)           loss_and_output_grad, penalty
    dJ/dZ (sigmoid + BCE, softmax + SCCE) or dJ/dA (MSE)         the loss's gradient, / m
    for each layer, last first:
        dZ = dA g'(Z);  db = sum of dZ's rows                     Dense.backward
        dW = X.T dZ (+ the penalty's gradient);  dA = dZ W.T      (no dA below the first layer)
    a non-finite J: stop here, before the update                 fit's safe stop
    the optimizer's rule over the packed buffers                 glassnet.fast._numba_optimizers

Where it can, the loop calls NumPy's own kernels, found and checked bit for bit by
``glassnet.fast._numpy_kernels`` and ``glassnet.fast.epoch``: the ``cblas_?gemm`` and
``cblas_?gemv`` that ``np.matmul`` calls, with its arguments, and the inner loops of ``np.exp``, ``np.tanh``,
``np.log`` and ``np.log1p``, each over the same arrays as the NumPy call it stands for.
Everything else is the same operation in the same order and float type (every constant
arrives in the weights' type: a Python float in a float32 product would be float64 in
numba), the optimizers' rules are ``glassnet.fast._numba_optimizers``'s, and a loss's sum
over the batch and the penalties' sums follow NumPy's pairwise order
(:func:`_pairwise_sum`; a one-column bias gradient too). So the step is NumPy's bit for bit
(tests/test_fast_epoch.py), except:

- a one-row batch through a one-unit layer, where ``np.matmul`` calls ``dot``: the loop
  calls ``gemv`` (NumPy's too, and as NumPy does wherever one operand is a single row or
  column: the seed's output layer) or ``gemm``: the same within 1e-6 relative;
- where NumPy's kernels are not found (a NumPy built on another BLAS): the products are
  :func:`_matmul`/:func:`_matmul_tn`, whose sums numba may regroup and fuse into
  multiply-adds ("reassoc", "contract"; still IEEE for NaN and infinities), and ``exp``,
  ``tanh``, ``log``, ``log1p`` are the C library's (numba's), which differ from NumPy's SIMD
  ones in the last bit: within 1e-6 relative (float32: of the model's largest weight;
  float64: about 1e-14).
"""
from __future__ import annotations

import numba

from ._numba_cache import use_user_cache

use_user_cache(numba)                   # compiled loops go to a user cache folder, not the package
import numpy as np

from . import _numba_optimizers as _rules

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

# activation kinds (glassnet.fast.epoch.ACTIVATIONS); softmax is only ever the last layer's,
# through the softmax + SCCE shortcut, where dJ/dZ comes from the loss
LINEAR, RELU, SIGMOID, TANH, SOFTMAX = 0, 1, 2, 3, 4
# losses (glassnet.fast.epoch.LOSSES)
BCE_SHORTCUT, SCCE_LOGITS, MSE = 0, 1, 2
# optimizers
SGD, RMSPROP, ADAM = 0, 1, 2


@_jit
def _run_sum(a, lo, n, zero):
    """NumPy's pairwise_sum on a run of at most 128 items: below 8, one after the other;
    else eight running sums combined as a tree, then the rest one after the other."""
    if n < 8:
        s = zero
        for i in range(lo, lo + n):
            s = s + a[i]
        return s
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    s = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        s = s + a[lo + i]
        i += 1
    return s


@_jit
def _pairwise_sum(a, lo, n, zero):
    """``np.add.reduce`` of ``a[lo:lo + n]`` as NumPy sums a contiguous run: beyond 128
    items, the sum of its two halves (the first a multiple of 8 long), each summed so. NumPy
    recurses; here the halves wait on a stack (numba's disk cache cannot hold a recursive
    function: loading one crashed)."""
    if n <= 128:
        return _run_sum(a, lo, n, zero)
    starts, sizes, partial = np.empty(64, np.int64), np.empty(64, np.int64), np.empty(64, a.dtype)
    state = np.zeros(64, np.int64)                  # 0: split me; 1: my left half's sum waits in partial
    starts[0], sizes[0], top = lo, n, 0
    result = zero
    while top >= 0:
        if state[top] == 0 and sizes[top] > 128:
            half = sizes[top] // 2
            half -= half % 8
            state[top] = 1
            starts[top + 1], sizes[top + 1], state[top + 1] = starts[top], half, 0
            top += 1
            continue
        if state[top] == 0:                         # a run: its sum goes to the frame below
            result = _run_sum(a, starts[top], sizes[top], zero)
        top -= 1
        while top >= 0:
            if state[top] == 1:                     # the left half is done: now the right one
                partial[top] = result
                half = sizes[top] // 2
                half -= half % 8
                state[top] = 2
                starts[top + 1], sizes[top + 1], state[top + 1] = starts[top] + half, sizes[top] - half, 0
                top += 1
                break
            result = partial[top] + result          # state 2: both halves done
            top -= 1
    return result


# The matrix products: fused multiply-adds and sums regrouped allowed ("reassoc", "contract";
# not "nnan"/"ninf", so NaN and infinities behave as IEEE says). In strict IEEE order these
# loops ran 2-3x slower (an inner loop of 25 is too short for LLVM's vector loop): four
# terms are added together before they join the running row, which keeps the row in cache
# for four times the work.
_products = numba.njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc", "contract"})


@_products
def _matmul(a, w, z):
    """``Z = A W``: row ``i`` of Z is the sum over k of ``A[i, k] W[k]``, four rows of W at a time."""
    rows, n_in = a.shape
    n_out = w.shape[1]
    for i in range(rows):
        zi, ai = z[i], a[i]
        for j in range(n_out):
            zi[j] = 0
        k = 0
        while k + 4 <= n_in:
            x0, x1, x2, x3 = ai[k], ai[k + 1], ai[k + 2], ai[k + 3]
            w0, w1, w2, w3 = w[k], w[k + 1], w[k + 2], w[k + 3]
            for j in range(n_out):
                zi[j] += (x0 * w0[j] + x1 * w1[j]) + (x2 * w2[j] + x3 * w3[j])
            k += 4
        while k < n_in:
            x, wk = ai[k], w[k]
            for j in range(n_out):
                zi[j] += x * wk[j]
            k += 1


@_products
def _matmul_tn(a, d, dw):
    """``dW = A.T dZ``: row ``k`` of dW is the sum over the batch of ``A[i, k] dZ[i]``, four
    rows of the batch at a time."""
    rows, n_in = a.shape
    n_out = d.shape[1]
    for k in range(n_in):
        dwk = dw[k]
        for j in range(n_out):
            dwk[j] = 0
    i = 0
    while i + 4 <= rows:
        d0, d1, d2, d3 = d[i], d[i + 1], d[i + 2], d[i + 3]
        a0, a1, a2, a3 = a[i], a[i + 1], a[i + 2], a[i + 3]
        for k in range(n_in):
            x0, x1, x2, x3 = a0[k], a1[k], a2[k], a3[k]
            dwk = dw[k]
            for j in range(n_out):
                dwk[j] += (x0 * d0[j] + x1 * d1[j]) + (x2 * d2[j] + x3 * d3[j])
        i += 4
    while i < rows:
        di, ai = d[i], a[i]
        for k in range(n_in):
            x, dwk = ai[k], dw[k]
            for j in range(n_out):
                dwk[j] += x * di[j]
        i += 1


_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112       # CBLAS's order and transpose codes


@_jit
def _product(gemm, gemv, a, b, out, zero, one):
    """``out = a @ b`` as ``np.matmul`` calls NumPy's own BLAS for it: ``gemv`` when ``b`` is
    one column or ``a`` one row, else ``gemm``; or, without them, the loop."""
    m, k = a.shape
    p = b.shape[1]
    if gemm is None:
        _matmul(a, b, out)
    elif gemv is not None and p == 1 and m > 1:
        gemv(_ROW_MAJOR, _NO_TRANS, m, k, one, a.ctypes, k, b.ctypes, 1, zero, out.ctypes, 1)
    elif gemv is not None and m == 1 and p > 1:
        gemv(_ROW_MAJOR, _TRANS, k, p, one, b.ctypes, p, a.ctypes, 1, zero, out.ctypes, 1)
    else:
        gemm(_ROW_MAJOR, _NO_TRANS, _NO_TRANS, m, p, k, one, a.ctypes, k, b.ctypes, p, zero, out.ctypes, p)


@_jit
def _product_tn(gemm, gemv, a, d, out, zero, one):
    """``out = a.T @ d`` (``x.T @ dz``: a transposed operand, as NumPy hands it to BLAS)."""
    m, k = a.shape
    p = d.shape[1]
    if gemm is None:
        _matmul_tn(a, d, out)
    elif gemv is not None and p == 1 and k > 1:
        gemv(_ROW_MAJOR, _TRANS, m, k, one, a.ctypes, k, d.ctypes, 1, zero, out.ctypes, 1)
    elif gemv is not None and k == 1 and p > 1:
        gemv(_ROW_MAJOR, _TRANS, m, p, one, d.ctypes, p, a.ctypes, 1, zero, out.ctypes, 1)
    else:
        gemm(_ROW_MAJOR, _TRANS, _NO_TRANS, k, p, m, one, a.ctypes, k, d.ctypes, p, zero, out.ctypes, p)


@_jit
def _product_nt(gemm, gemv, d, w, wt, out, zero, one):
    """``out = d @ w.T`` (``dz @ W.T``); the loop goes through ``wt``, W's transpose."""
    m, p = d.shape
    k = w.shape[0]
    if gemm is None:
        for i in range(k):
            for j in range(p):
                wt[j, i] = w[i, j]
        _matmul(d, wt, out)
    elif gemv is not None and k == 1 and m > 1:
        gemv(_ROW_MAJOR, _NO_TRANS, m, p, one, d.ctypes, p, w.ctypes, 1, zero, out.ctypes, 1)
    elif gemv is not None and m == 1 and k > 1:
        gemv(_ROW_MAJOR, _NO_TRANS, k, p, one, w.ctypes, p, d.ctypes, 1, zero, out.ctypes, 1)
    else:
        gemm(_ROW_MAJOR, _NO_TRANS, _TRANS, m, k, p, one, d.ctypes, p, w.ctypes, p, zero, out.ctypes, k)


@_jit
def _ufunc(loop, x, out, call):
    """``ufunc(x, out=out)`` through NumPy's own inner loop (``x``, ``out`` contiguous)."""
    call[0], call[1] = x.ctypes.data, out.ctypes.data      # char *args[2]
    call[2] = x.size                                       # npy_intp dimensions[1]
    call[3], call[4] = x.itemsize, out.itemsize            # npy_intp steps[2]
    loop(call[0:].ctypes, call[2:].ctypes, call[3:].ctypes, 0)


@_jit
def _forward(gemm, gemv, exp, tanh, call, a_in, w, b, z, a, kind, zero, one):
    """``Z = X W + b``, ``A = g(Z)`` (Dense.forward): the product, then the bias and the
    activation in one pass over each row."""
    rows, n_out = z.shape
    _product(gemm, gemv, a_in, w, z, zero, one)         # Z = X W
    for i in range(rows):
        zi = z[i]
        if b.shape[0]:                                  # Z += b
            for j in range(n_out):
                zi[j] = zi[j] + b[j]
        ai = a[i]
        if kind == RELU:                                # A = max(Z, 0), NaN kept
            for j in range(n_out):
                v = zi[j]
                ai[j] = v if (v >= zero or v != v) else zero
        elif kind == SIGMOID:                           # A = 1 / (1 + exp(-Z))
            if exp is None:
                for j in range(n_out):
                    ai[j] = one / (one + np.exp(-zi[j]))
            else:                                       # -Z now; exp and the rest below, on all rows
                for j in range(n_out):
                    ai[j] = -zi[j]
        elif kind == TANH:
            if tanh is None:
                for j in range(n_out):
                    ai[j] = np.tanh(zi[j])
        elif kind == SOFTMAX:                           # only the output (its dZ is the loss's):
            top = zi[0]                                 # A = exp(Z - max) / sum (activations.softmax)
            for j in range(1, n_out):
                if zi[j] > top or zi[j] != zi[j]:
                    top = zi[j]
            for j in range(n_out):
                ai[j] = zi[j] - top
            if exp is None:
                for j in range(n_out):
                    ai[j] = np.exp(ai[j])
        else:                                           # linear: A = Z
            for j in range(n_out):
                ai[j] = zi[j]
    if kind == SIGMOID and exp is not None:             # NumPy's exp of -Z, then 1 / (1 + it)
        flat = a.ravel()
        _ufunc(exp, flat, flat, call)
        for i in range(flat.shape[0]):
            flat[i] = one / (one + flat[i])
    elif kind == TANH and tanh is not None:             # NumPy's tanh
        _ufunc(tanh, z.ravel(), a.ravel(), call)
    if kind == SOFTMAX:
        if exp is not None:                             # NumPy's exp of Z - max
            _ufunc(exp, a.ravel(), a.ravel(), call)
        for i in range(rows):                           # / each row's sum
            ai = a[i]
            total = _pairwise_sum(ai, 0, n_out, zero)
            for j in range(n_out):
                ai[j] = ai[j] / total


@_jit
def _loss(kind, z, a, y, labels, g, values, totals, inv_m, inv_n, two_over_n, n_f, zero, one,
          exp, log, log1p, call):
    """The batch's ``J = sum_i L_i / m`` (float64) and, into ``g``, ``dJ/dZ`` (the shortcuts)
    or ``dJ/dA`` (MSE): the arithmetic of ``glassnet.fast.dense._loss_pass`` and of
    ``MeanSquaredError.call``/``gradient``, then ``grad *= 1 / m``. ``exp``, ``log``,
    ``log1p``: NumPy's loops, each over the whole batch as NumPy calls it (None: numba's)."""
    rows, n = z.shape
    flat = g.ravel()
    if kind == BCE_SHORTCUT:
        # L = (max(z, 0) - z y) + log(1 + exp(-|z|)), the log term added last (BinaryCrossentropy's
        # and TensorFlow's order), its mean over the outputs; dJ/dZ = (A - Y) / n / m
        for i in range(rows):
            zi, gi = z[i], g[i]
            for j in range(n):
                gi[j] = -abs(zi[j])
        if exp is None or log1p is None:
            for i in range(flat.shape[0]):
                flat[i] = np.log1p(np.exp(flat[i]))
        else:
            _ufunc(exp, flat, flat, call)
            _ufunc(log1p, flat, flat, call)
        for i in range(rows):
            zi, ai, gi = z[i], a[i], g[i]
            for j in range(n):
                v = zi[j]
                gi[j] = ((v if (v >= zero or v != v) else zero) - v * y[i, j]) + gi[j]
            if n == 1:
                values[i] = gi[0]
                gi[0] = (ai[0] - y[i, 0]) * inv_m
            else:
                values[i] = _pairwise_sum(gi, 0, n, zero) * inv_n
                for j in range(n):
                    gi[j] = ((ai[j] - y[i, j]) * inv_n) * inv_m
    elif kind == SCCE_LOGITS:
        # L = log(sum exp(z - max)) - (z_y - max); dJ/dZ = (softmax(z) - onehot(y)) / m
        for i in range(rows):
            zi, gi = z[i], g[i]
            top = zi[0]
            for j in range(1, n):
                if zi[j] > top or zi[j] != zi[j]:
                    top = zi[j]
            for j in range(n):
                gi[j] = zi[j] - top
            values[i] = gi[labels[i]]                   # the true class's shifted logit, for below
        if exp is None:
            for i in range(flat.shape[0]):
                flat[i] = np.exp(flat[i])
        else:
            _ufunc(exp, flat, flat, call)
        for i in range(rows):
            totals[i] = _pairwise_sum(g[i], 0, n, zero)
        if log is None:
            for i in range(rows):
                values[i] = np.log(totals[i]) - values[i]
        else:
            shifted = values[:rows].copy()
            _ufunc(log, totals[:rows], values[:rows], call)
            for i in range(rows):
                values[i] = values[i] - shifted[i]
        for i in range(rows):
            gi, total, t = g[i], totals[i], labels[i]
            for j in range(n):
                gi[j] = gi[j] / total
            gi[t] = gi[t] - one
            for j in range(n):
                gi[j] = gi[j] * inv_m
    else:
        # MSE: L = mean((A - Y)^2); dJ/dA = 2 (A - Y) / n / m
        for i in range(rows):
            ai, gi = a[i], g[i]
            for j in range(n):
                d = ai[j] - y[i, j]
                gi[j] = d * d
            values[i] = _pairwise_sum(gi, 0, n, zero) / n_f
            for j in range(n):
                gi[j] = (two_over_n * (ai[j] - y[i, j])) * inv_m
    return np.float64(_pairwise_sum(values, 0, rows, zero)) / rows


@_jit
def _backward(gemm, gemv, g, a_in, z, a, w, wt, dz, dw, db, kind, needs_dx, dx, zero, one):
    """``dZ = dA g'(Z)`` and ``db`` in one pass; ``dW = X.T dZ``; ``dX = dZ W.T`` when asked
    (Dense.backward). ``g`` is dZ already for the output through a shortcut (kind LINEAR)."""
    rows, n_out = g.shape
    n_in = a_in.shape[1]
    for j in range(db.shape[0]):
        db[j] = zero
    for i in range(rows):
        gi, di = g[i], dz[i]
        if kind == RELU:                                # dZ = dA (Z > 0)
            zi = z[i]
            for j in range(n_out):
                di[j] = gi[j] if zi[j] > zero else gi[j] * zero
        elif kind == SIGMOID:                           # dZ = (1 - A) A dA
            ai = a[i]
            for j in range(n_out):
                di[j] = (one - ai[j]) * ai[j] * gi[j]
        elif kind == TANH:                              # dZ = dA (1 - A A)
            ai = a[i]
            for j in range(n_out):
                di[j] = gi[j] * (one - ai[j] * ai[j])
        else:                                           # linear, or dZ given
            for j in range(n_out):
                di[j] = gi[j]
        if db.shape[0] and n_out > 1:                   # db = sum of dZ's rows, in order
            for j in range(n_out):
                db[j] = db[j] + di[j]
    if db.shape[0] and n_out == 1:                      # one column: NumPy sums it pairwise
        db[0] = _pairwise_sum(dz.ravel(), 0, rows, zero)
    _product_tn(gemm, gemv, a_in, dz, dw, zero, one)    # dW = X.T dZ
    if needs_dx:                                        # dX = dZ W.T
        _product_nt(gemm, gemv, dz, w, wt, dx, zero, one)


@_jit
def _penalty(w, dw, l1, l2, two_l2, scratch, zero):
    """``dW += l1 sign(W) + 2 l2 W`` (add_penalty_gradients) and the penalty ``l1 sum|W| +
    l2 sum W^2`` (L1L2.__call__), its sums in NumPy's pairwise order; ``w``, ``dw`` flat."""
    n = w.shape[0]
    value = zero                                        # L1L2.__call__: in the weights' type
    if l1 != zero:
        for i in range(n):
            scratch[i] = abs(w[i])
        value = value + l1 * _pairwise_sum(scratch, 0, n, zero)
    if l2 != zero:
        for i in range(n):
            scratch[i] = w[i] * w[i]
        value = value + l2 * _pairwise_sum(scratch, 0, n, zero)
    for i in range(n):
        r = zero
        if l1 != zero:
            r = r + l1 * np.sign(w[i])
        if l2 != zero:
            r = r + two_l2 * w[i]
        dw[i] = dw[i] + r
    return np.float64(value)


@_jit
def run_epoch(gemm, gemv, exp, tanh, log, log1p, x, y, labels, order, batch, steps, widths, kinds, w_at, b_at, l1, l2, two_l2,
              values, grads, loss_kind, consts, opt_kind, flags, hyper, lrs, wds, ts,
              slot_a, slot_b, slot_c, xb, lab, zs, acts, dzs, ga, gb, wt, per_sample, scratch, losses, preds):
    """Every step of one epoch; returns how many were taken (fewer than ``steps`` when a
    loss was not finite: that one is in ``losses`` too, and its update was not made).

    ``gemm``, ``gemv``, ``exp``, ``tanh``, ``log``, ``log1p``: NumPy's own kernels
    (``glassnet.fast._numpy_kernels``, ``glassnet.fast.epoch._numpy_loops``), or None for this
    module's loops and numba's functions (numba prunes the branch not taken when it compiles).

    ``widths``: the features, then each layer's units; ``w_at``/``b_at``: each kernel's and
    bias's offset in the packed ``values``/``grads`` (-1: no bias); ``zs``, ``acts``, ``dzs``:
    each layer's Z, A and dZ for a full batch, one after another; ``consts``: zero, one,
    1/m of a full batch and of the last, 1/n, 2/n, n (n the outputs); ``flags``: SGD's
    momentum and nesterov, RMSprop's centered and momentum, Adam's amsgrad, weight decay;
    ``hyper``: the rule's numbers (glassnet.fast's ``_Numbers``); ``lrs``, ``wds``, ``ts``: each
    step's learning rate, decay and Adam's t; ``preds``: each sample's output, in the
    permutation's order (no rows: not asked for)."""
    zero, one = consts[0], consts[1]
    call = np.empty(5, np.int64)                        # a ufunc loop's arguments
    totals = np.empty(batch, values.dtype)              # SCCE's sums of exp per sample
    penalties = np.zeros(kinds.shape[0])                # each layer's penalty (float64)
    n_rows, features = x.shape
    layers = kinds.shape[0]
    n_out = widths[layers]
    size = values.shape[0]
    penalized = False                                   # any L1/L2 term: J is known only after backward
    for l in range(layers):
        if l1[l] != zero or l2[l] != zero:
            penalized = True
    for s in range(steps):
        lo = s * batch
        m = min(batch, n_rows - lo)
        inv_m = consts[2] if m == batch else consts[3]
        for i in range(m):                              # X = x[order[lo:lo + m]], Y or labels likewise
            r = order[lo + i]
            xr = x[r]
            for k in range(features):
                xb[i * features + k] = xr[k]
            if loss_kind == SCCE_LOGITS:
                lab[i] = labels[r]
            else:                                       # (Y goes into gb's start: read before gb is used)
                for j in range(n_out):
                    gb[i * n_out + j] = y[r, j]
        # -- forward, layer after layer
        a_in = xb[:m * features].reshape((m, features))
        at = 0
        for l in range(layers):
            n_in, n = widths[l], widths[l + 1]
            w = values[w_at[l]:w_at[l] + n_in * n].reshape((n_in, n))
            b = values[b_at[l]:b_at[l] + n] if b_at[l] >= 0 else values[:0]
            z = zs[at:at + m * n].reshape((m, n))
            a = acts[at:at + m * n].reshape((m, n))
            _forward(gemm, gemv, exp, tanh, call, a_in, w, b, z, a, kinds[l], zero, one)
            a_in = a
            at += batch * n
        # -- the loss and its gradient at the output
        at -= batch * n_out
        z = zs[at:at + m * n_out].reshape((m, n_out))
        a = acts[at:at + m * n_out].reshape((m, n_out))
        if preds.shape[0]:                              # the predictions, for fit's metrics
            for i in range(m):
                for j in range(n_out):
                    preds[lo + i, j] = a[i, j]
        y_b = gb[:m * n_out].reshape((m, n_out))
        g = ga[:m * n_out].reshape((m, n_out))
        value = _loss(loss_kind, z, a, y_b, lab, g, per_sample, totals, inv_m, consts[4], consts[5], consts[6],
                      zero, one, exp, log, log1p, call)
        # -- backward, last layer first; dA of the layer below goes into the other buffer. With no
        # penalty, J is known here: when finite, each layer's weights are updated as soon as its
        # dW, db and dX are made (its W is not read again this step), while dW is still in cache
        early = not penalized and np.isfinite(value + 0.0)
        if early:
            losses[s] = value + 0.0                     # (+ the penalties' float64 zero, as below)
        src, dst = ga, gb
        for l in range(layers - 1, -1, -1):
            n_in, n = widths[l], widths[l + 1]
            w_flat = values[w_at[l]:w_at[l] + n_in * n]
            dw_flat = grads[w_at[l]:w_at[l] + n_in * n]
            db = grads[b_at[l]:b_at[l] + n] if b_at[l] >= 0 else grads[:0]
            z = zs[at:at + m * n].reshape((m, n))
            a = acts[at:at + m * n].reshape((m, n))
            dz = dzs[at:at + m * n].reshape((m, n))
            if l > 0:
                below = at - batch * n_in
                a_prev = acts[below:below + m * n_in].reshape((m, n_in))
            else:
                a_prev = xb[:m * features].reshape((m, features))
            kind = kinds[l]
            if l == layers - 1 and loss_kind != MSE:
                kind = LINEAR                           # the shortcut gave dZ itself
            g = src[:m * n].reshape((m, n))
            dx = dst[:m * n_in].reshape((m, n_in))
            _backward(gemm, gemv, g, a_prev, z, a, w_flat.reshape((n_in, n)), wt[:n * n_in].reshape((n, n_in)), dz,
                      dw_flat.reshape((n_in, n)), db, kind, l > 0, dx, zero, one)
            penalties[l] = 0.0
            if l1[l] != zero or l2[l] != zero:          # the kernel's regularizer: its term of J, and dW
                penalties[l] = _penalty(w_flat, dw_flat, l1[l], l2[l], two_l2[l], scratch, zero)
            if early:                                   # the layer's kernel, then bias (and the padding
                end = b_at[l] + n if b_at[l] >= 0 else w_at[l] + n_in * n    # between: zeros that stay zero)
                _update(values, grads, slot_a, slot_b, slot_c, w_at[l], end, s, opt_kind, flags, hyper, lrs, wds,
                        ts, one)
            src, dst = dst, src
            if l > 0:
                at -= batch * n_in
        if not early:
            total = 0.0                                 # J += the penalties, summed first layer first
            for l in range(layers):
                total += penalties[l]
            value = value + total
            losses[s] = value
            if not np.isfinite(value):                  # fit stops here: no update
                return s + 1
            # -- the optimizer's update, over every weight at once (glassnet.fast's packed buffers)
            _update(values, grads, slot_a, slot_b, slot_c, 0, size, s, opt_kind, flags, hyper, lrs, wds, ts, one)
    return steps


@_jit
def _update(values, grads, slot_a, slot_b, slot_c, lo, hi, s, opt_kind, flags, hyper, lrs, wds, ts, one):
    """Step ``s``'s optimizer rule (after the weight decay) over ``[lo, hi)`` of the packed buffers."""
    lr = lrs[s]
    if flags[5]:
        _rules._decay(values, lo, hi, wds[s], lr)       # w -= w * wd * lr
    if opt_kind == SGD:
        _rules._sgd(values, grads, slot_a, lo, hi, lr, hyper[0], flags[0], flags[1])
    elif opt_kind == RMSPROP:
        _rules._rmsprop(values, grads, slot_a, slot_b, slot_c, lo, hi, lr, hyper[0], hyper[1], hyper[2],
                        hyper[3], flags[2], flags[3])
    else:                                               # alpha = lr sqrt(1 - b2^t) / (1 - b1^t)
        alpha = lr * np.sqrt(one - hyper[4] ** ts[s]) / (one - hyper[3] ** ts[s])
        _rules._adam(values, grads, slot_a, slot_b, slot_c, lo, hi, hyper[0], hyper[1], alpha, hyper[2],
                     flags[4])
