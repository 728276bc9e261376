"""A stack's elementwise passes compiled by numba (``glassnet/sweeps/stacked.py`` uses them
when the work ahead repays numba's load: variants x weights x steps of 10**8 or more, as
``glassnet.fast`` weighs it, or ``glassnet.config.set_kernels("numba")``).

NumPy makes one pass over memory per operation, and a stack of 64 seed networks is 64 x 2,031
weights and 64 x 32 x 25 activations: each pass is small, and the step's dozens of them cost
more than its matrix products. Here the passes of one stage run in one loop:

- forward: ``Z += b`` and the start of sigmoid (``-Z``) in one pass; NumPy's ``exp``; then
  ``1 / (1 + e)`` in one pass. relu: ``Z += b`` and ``max(Z, 0)`` in one pass;
- backward: ``dZ = dA g'(Z)`` and ``db`` (the column sums of ``dZ``) in one pass per variant;
- penalties: each variant's ``l1 sum|w| + l2 sum w^2`` per weight in one read of the weights;
- the update: the penalty's gradient (``l1 sign(w) + 2 l2 w``) added and the optimizer's rule
  (SGD, RMSprop, Adam) in one pass over every variant's weights, each variant with its own
  numbers (learning rate, rho, ...).

Every loop makes the operations NumPy makes, in the same order and in the arrays' float type
(numba without ``fastmath`` keeps IEEE order and fuses no multiply-add), so each variant's
weights stay bit for bit those of its own ``fit`` (tests/test_sweep_stacked.py). Where
order matters: a column sum ``np.add.reduce(dZ, axis=1)`` over two or more columns adds the
rows in turn from +0, as NumPy does; one column, and every ``sum`` over a weight's numbers,
NumPy sums pairwise (blocks of 8 running sums, halves above 128 numbers): :func:`pairwise`
does the same. ``exp`` and ``tanh`` stay NumPy's own (numba's differ in the last bits).
"""
from __future__ import annotations

import numba

from ..fast import _numba_optimizers as _rules
from ..fast._numba_cache import use_user_cache

use_user_cache(numba)                   # compiled loops go to a user cache folder, not the package
import numpy as np  # noqa: E402

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


# ---------------------------------------------------------------------------------------
# NumPy's pairwise sum (np.add.reduce along a contiguous run of float numbers)
# ---------------------------------------------------------------------------------------
@_jit
def _item(x, how):
    """The number summed: ``x`` (how 0), ``|x|`` (1, np.abs) or ``x x`` (2, np.square)."""
    if how == 1:
        return abs(x)
    if how == 2:
        return x * x
    return x


@_jit
def _block(a, lo, n, zero, how):
    """NumPy's pairwise sum of ``a[lo:lo+n]`` for ``n <= 128``: eight running sums. (Indexed
    from a slice's 0 by a ``range``: numba then need not check for negative indices, and the
    eight sums go into one vector register: twice as fast.)"""
    if n < 8:
        res = zero
        for i in range(n):
            res = res + _item(a[lo + i], how)
        return res
    b = a[lo:lo + n]
    r0, r1, r2, r3 = _item(b[0], how), _item(b[1], how), _item(b[2], how), _item(b[3], how)
    r4, r5, r6, r7 = _item(b[4], how), _item(b[5], how), _item(b[6], how), _item(b[7], how)
    end = n - n % 8
    for i in range(8, end, 8):
        r0 = r0 + _item(b[i], how)
        r1 = r1 + _item(b[i + 1], how)
        r2 = r2 + _item(b[i + 2], how)
        r3 = r3 + _item(b[i + 3], how)
        r4 = r4 + _item(b[i + 4], how)
        r5 = r5 + _item(b[i + 5], how)
        r6 = r6 + _item(b[i + 6], how)
        r7 = r7 + _item(b[i + 7], how)
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(end, n):
        res = res + _item(b[i], how)
    return res


@_jit
def _leaf(a, lo, n, zero, how):
    if how == 1:                        # each kind its own loop (the constant folds in)
        return _block(a, lo, n, zero, 1)
    if how == 2:
        return _block(a, lo, n, zero, 2)
    return _block(a, lo, n, zero, 0)


@_jit
def work_space(zero):
    """The scratch :func:`summed` walks NumPy's recursion with (allocated once per loop)."""
    return np.empty((4, 64), np.int64), np.empty(64, type(zero))


@_jit
def summed(a, lo, n, zero, how, todo, done):
    """``np.add.reduce(a[lo:lo+n])`` (of ``|a|`` for ``how`` 1, of ``a^2`` for 2) for a 1-D
    float array, bit for bit: NumPy starts from +0 and adds its pairwise sum (up to 128
    numbers: eight running sums; above: the first half, rounded down to a multiple of 8,
    and the rest, each summed the same way, the two sums then added).

    NumPy's recursion is walked with a stack (``todo`` rows 0-2: start, size, depth of the
    parts still to sum); a part's sum waits on ``done`` (its depth in row 3) until its right
    sibling's is there. (numba does not cache recursive functions safely.)"""
    if n <= 128:
        return zero + _leaf(a, lo, n, zero, how)
    todo[0, 0], todo[1, 0], todo[2, 0] = lo, n, 0
    waiting, finished = 1, 0
    while waiting > 0:
        waiting -= 1
        at, size, level = todo[0, waiting], todo[1, waiting], todo[2, waiting]
        if size <= 128:
            value = _leaf(a, at, size, zero, how)
            while finished > 0 and todo[3, finished - 1] == level:    # a right half: its parent's sum
                value = done[finished - 1] + value
                finished -= 1
                level -= 1
            done[finished], todo[3, finished] = value, level
            finished += 1
        else:
            half = size // 2
            half -= half % 8                                          # the right half goes on first:
            todo[0, waiting], todo[1, waiting], todo[2, waiting] = at + half, size - half, level + 1
            todo[0, waiting + 1], todo[1, waiting + 1], todo[2, waiting + 1] = at, half, level + 1
            waiting += 2                                              # the left one is summed first
    return zero + done[0]


@_jit
def pairwise(a, lo, n, zero, how=0):
    """:func:`summed` with a work space of its own."""
    todo, done = work_space(zero)
    return summed(a, lo, n, zero, how, todo, done)


# ---------------------------------------------------------------------------------------
# forward: Z += b, then the activation, for every variant at once. Z and A are (V, m, n)
# C-ordered buffers; the bias is read from the packed weights, ``flat[v, at:at + n]``.
# ---------------------------------------------------------------------------------------
@_jit
def bias_negate(z, flat, at, a):
    """``Z += b`` in place and ``A = -Z`` (sigmoid's first step; NumPy's ``exp`` follows)."""
    V, m, n = z.shape
    for v in range(V):
        b = flat[v, at:at + n]
        for i in range(m):
            for j in range(n):
                t = z[v, i, j] + b[j]
                z[v, i, j] = t
                a[v, i, j] = -t


@_jit
def negate(z, a):
    """``A = -Z`` (sigmoid's first step, a layer without a bias)."""
    V, m, n = z.shape
    for v in range(V):
        for i in range(m):
            for j in range(n):
                a[v, i, j] = -z[v, i, j]


@_jit
def reciprocal_of_one_plus(a, one):
    """``A = 1 / (1 + A)`` in place: sigmoid's last two steps (``A += 1``, ``1 / A``)."""
    V, m, n = a.shape
    for v in range(V):
        for i in range(m):
            for j in range(n):
                a[v, i, j] = one / (a[v, i, j] + one)


@_jit
def bias_relu(z, flat, at, a, zero):
    """``Z += b`` in place and ``A = max(Z, 0)`` (``np.maximum``: NaN kept)."""
    V, m, n = z.shape
    for v in range(V):
        b = flat[v, at:at + n]
        for i in range(m):
            for j in range(n):
                t = z[v, i, j] + b[j]
                z[v, i, j] = t
                a[v, i, j] = t if (t >= zero or t != t) else zero


@_jit
def bias_add(z, flat, at):
    """``Z += b`` in place."""
    V, m, n = z.shape
    for v in range(V):
        b = flat[v, at:at + n]
        for i in range(m):
            for j in range(n):
                z[v, i, j] = z[v, i, j] + b[j]


# ---------------------------------------------------------------------------------------
# backward: dZ = dA g'(Z) into a (V, m, n) buffer, and db = the column sums of dZ written
# into the packed gradients, ``gflat[v, at:at + n]``
# ---------------------------------------------------------------------------------------
@_jit
def _column_sums(d, gflat, at, zero):
    """``np.add.reduce(d, axis=1)`` for (V, m, n): two or more columns, the rows added in
    turn from +0; one column, NumPy's pairwise sum of it."""
    V, m, n = d.shape
    todo, done = work_space(zero)
    for v in range(V):
        out = gflat[v, at:at + n]
        if n == 1:
            out[0] = summed(d[v].reshape(m), 0, m, zero, 0, todo, done)
            continue
        for j in range(n):
            out[j] = zero
        for i in range(m):
            for j in range(n):
                out[j] = out[j] + d[v, i, j]


@_jit
def sigmoid_backward(grad, a, d, gflat, at, one, zero):
    """``dZ = (1 - A) A dA`` into ``d``; its column sums into the bias's gradient (``at`` >= 0)."""
    V, m, n = grad.shape
    for v in range(V):
        for i in range(m):
            for j in range(n):
                x = a[v, i, j]
                d[v, i, j] = (one - x) * x * grad[v, i, j]
    if at >= 0:
        _column_sums(d, gflat, at, zero)


@_jit
def tanh_backward(grad, a, d, gflat, at, one, zero):
    """``dZ = dA (1 - A A)``; the bias's gradient its column sums."""
    V, m, n = grad.shape
    for v in range(V):
        for i in range(m):
            for j in range(n):
                x = a[v, i, j]
                d[v, i, j] = grad[v, i, j] * (one - x * x)
    if at >= 0:
        _column_sums(d, gflat, at, zero)


@_jit
def relu_backward(grad, z, d, gflat, at, zero):
    """``dZ = dA (Z > 0)`` (times 0 where not: ``inf`` becomes NaN as in NumPy)."""
    V, m, n = grad.shape
    for v in range(V):
        for i in range(m):
            for j in range(n):
                x = grad[v, i, j]
                d[v, i, j] = x if z[v, i, j] > zero else x * zero
    if at >= 0:
        _column_sums(d, gflat, at, zero)


@_jit
def bias_gradient(d, gflat, at, zero):
    """The bias's gradient, the column sums of ``dZ`` (a linear layer, the loss's shortcut)."""
    _column_sums(d, gflat, at, zero)


# ---------------------------------------------------------------------------------------
# penalties: each variant's sum over its regularized weights, one read of the weights
# ---------------------------------------------------------------------------------------
@_jit
def penalty_values(w, starts, stops, l1, l2, some_l1, some_l2, every_l2, zero, total):
    """``total[v] = sum over weights of l1 sum|w| + l2 sum w^2`` for each variant ``v``, as the
    stack's NumPy lines add them: per weight, in the weights' float type, the sums pairwise;
    a variant whose lambda is 0 adds nothing; the weights' parts added in float64."""
    todo, done = work_space(zero)
    for v in range(w.shape[0]):
        row = w[v]
        acc = 0.0
        for s in range(starts.shape[0]):
            lo, n = starts[s], stops[s] - starts[s]
            part = zero
            if some_l1[s] and l1[v, s] != zero:
                part = part + l1[v, s] * summed(row, lo, n, zero, 1, todo, done)
            if some_l2[s] and (every_l2[s] or l2[v, s] != zero):
                part = part + l2[v, s] * summed(row, lo, n, zero, 2, todo, done)
            acc += np.float64(part)
        total[v] = acc


# ---------------------------------------------------------------------------------------
# the update: the penalty's gradient and the optimizer's rule in one pass
# ---------------------------------------------------------------------------------------
@_jit
def _with_penalty(gi, wi, c1, c2, mode, one, zero):
    """``g + l1 sign(w) + 2 l2 w`` as the stack adds it (mode 0: nothing; 1: l1 and l2;
    2: l1 only; 3: l2 only): ``extra = sign(w) c1; extra += c2 w; g += extra``."""
    if mode == 0:
        return gi
    if mode == 3:
        return gi + c2 * wi
    s = one if wi > zero else -one                             # np.sign: 1, -1, +0 for +-0, NaN for NaN
    if not (wi > zero or wi < zero):
        s = zero if wi == zero else wi
    e = s * c1
    if mode == 1:
        e = e + c2 * wi
    return gi + e


@_jit
def _prepare(i, p, g, c1, c2, mode, wd, rate, decay, one, zero):
    """Number ``i``'s gradient with its penalty's (into ``g``), then the weight decay (into
    ``p``): what the stack's NumPy lines do before the optimizer's rule."""
    wi = p[i]
    g[i] = _with_penalty(g[i], wi, c1, c2, mode, one, zero)
    if decay:
        p[i] = wi - wi * wd * rate                             # w -= w * wd * lr


# the rules themselves are glassnet.fast's numba loops' (the same arithmetic as fit's)
@_jit
def _rmsprop_run(p, g, vel, mg, mom, c1, c2, mode, lr, rho, omr, eps, mu, wd, rate, decay, centered, momentum,
                 one, zero):
    for i in range(p.shape[0]):
        _prepare(i, p, g, c1, c2, mode, wd, rate, decay, one, zero)
        _rules._rmsprop_at(i, p, g, vel, mg, mom, lr, rho, omr, eps, mu, centered, momentum)


@_jit
def _sgd_run(p, g, mom, c1, c2, mode, lr, mu, wd, rate, decay, momentum, nesterov, one, zero):
    for i in range(p.shape[0]):
        _prepare(i, p, g, c1, c2, mode, wd, rate, decay, one, zero)
        _rules._sgd_at(i, p, g, mom, lr, mu, momentum, nesterov)


@_jit
def _adam_run(p, g, m, vel, vhat, c1, c2, mode, omb1, omb2, alpha, eps, wd, rate, decay, amsgrad, one, zero):
    for i in range(p.shape[0]):
        _prepare(i, p, g, c1, c2, mode, wd, rate, decay, one, zero)
        _rules._adam_at(i, p, g, m, vel, vhat, omb1, omb2, alpha, eps, amsgrad)


@_jit
def rmsprop(p, g, vel, mg, mom, starts, stops, modes, c1, c2, nums, decay, centered, momentum, one, zero):
    """Every variant's RMSprop step (``nums[v]``: lr, rho, 1 - rho, epsilon, momentum,
    weight decay, lr), each weight's penalty gradient (``modes[s]``) added first."""
    for v in range(p.shape[0]):
        lr, rho, omr, eps, mu, wd = nums[v, 0], nums[v, 1], nums[v, 2], nums[v, 3], nums[v, 4], nums[v, 5]
        rate = nums[v, 6]
        for s in range(starts.shape[0]):
            lo, hi = starts[s], stops[s]
            a1, a2, mode = c1[v, s], c2[v, s], modes[s]
            pv, gv, vv = p[v, lo:hi], g[v, lo:hi], vel[v, lo:hi]
            mgv = mg[v, lo:hi] if centered else vv
            mv = mom[v, lo:hi] if momentum else vv
            # the usual combinations each get a loop with the flags fixed (it then vectorizes)
            if decay or centered or momentum:
                _rmsprop_run(pv, gv, vv, mgv, mv, a1, a2, mode, lr, rho, omr, eps, mu, wd, rate, decay, centered,
                             momentum, one, zero)
            elif mode == 0:
                _rmsprop_run(pv, gv, vv, vv, vv, a1, a2, 0, lr, rho, omr, eps, mu, wd, rate, False, False, False, one, zero)
            elif mode == 1:
                _rmsprop_run(pv, gv, vv, vv, vv, a1, a2, 1, lr, rho, omr, eps, mu, wd, rate, False, False, False, one, zero)
            elif mode == 2:
                _rmsprop_run(pv, gv, vv, vv, vv, a1, a2, 2, lr, rho, omr, eps, mu, wd, rate, False, False, False, one, zero)
            else:
                _rmsprop_run(pv, gv, vv, vv, vv, a1, a2, 3, lr, rho, omr, eps, mu, wd, rate, False, False, False, one, zero)


@_jit
def sgd(p, g, mom, starts, stops, modes, c1, c2, nums, decay, momentum, nesterov, one, zero):
    """Every variant's SGD step (``nums[v]``: lr, momentum, weight decay, lr)."""
    for v in range(p.shape[0]):
        lr, mu, wd, rate = nums[v, 0], nums[v, 1], nums[v, 2], nums[v, 3]
        for s in range(starts.shape[0]):
            lo, hi = starts[s], stops[s]
            pv, gv = p[v, lo:hi], g[v, lo:hi]
            mv = mom[v, lo:hi] if momentum else gv
            a1, a2, mode = c1[v, s], c2[v, s], modes[s]
            if decay or momentum:
                _sgd_run(pv, gv, mv, a1, a2, mode, lr, mu, wd, rate, decay, momentum, nesterov, one, zero)
            elif mode == 0:                                    # plain SGD: the flags fixed, the loop vectorizes
                _sgd_run(pv, gv, gv, a1, a2, 0, lr, mu, wd, rate, False, False, False, one, zero)
            elif mode == 1:
                _sgd_run(pv, gv, gv, a1, a2, 1, lr, mu, wd, rate, False, False, False, one, zero)
            elif mode == 2:
                _sgd_run(pv, gv, gv, a1, a2, 2, lr, mu, wd, rate, False, False, False, one, zero)
            else:
                _sgd_run(pv, gv, gv, a1, a2, 3, lr, mu, wd, rate, False, False, False, one, zero)


@_jit
def adam(p, g, m, vel, vhat, starts, stops, modes, c1, c2, nums, decay, amsgrad, one, zero):
    """Every variant's Adam step (``nums[v]``: 1 - beta_1, 1 - beta_2, alpha, epsilon,
    weight decay, lr)."""
    for v in range(p.shape[0]):
        omb1, omb2, alpha, eps, wd = nums[v, 0], nums[v, 1], nums[v, 2], nums[v, 3], nums[v, 4]
        rate = nums[v, 5]
        for s in range(starts.shape[0]):
            lo, hi = starts[s], stops[s]
            pv, gv, mv, vv = p[v, lo:hi], g[v, lo:hi], m[v, lo:hi], vel[v, lo:hi]
            hv = vhat[v, lo:hi] if amsgrad else vv
            a1, a2, mode = c1[v, s], c2[v, s], modes[s]
            if decay or amsgrad:
                _adam_run(pv, gv, mv, vv, hv, a1, a2, mode, omb1, omb2, alpha, eps, wd, rate, decay, amsgrad, one, zero)
            elif mode == 0:                                    # plain Adam: the flags fixed, the loop vectorizes
                _adam_run(pv, gv, mv, vv, vv, a1, a2, 0, omb1, omb2, alpha, eps, wd, rate, False, False, one, zero)
            elif mode == 1:
                _adam_run(pv, gv, mv, vv, vv, a1, a2, 1, omb1, omb2, alpha, eps, wd, rate, False, False, one, zero)
            elif mode == 2:
                _adam_run(pv, gv, mv, vv, vv, a1, a2, 2, omb1, omb2, alpha, eps, wd, rate, False, False, one, zero)
            else:
                _adam_run(pv, gv, mv, vv, vv, a1, a2, 3, omb1, omb2, alpha, eps, wd, rate, False, False, one, zero)


# ---------------------------------------------------------------------------------------
# a layer of one unit (the seed network's output): dX = dZ W^T is an outer product (each
# number one product, as NumPy's matmul makes it: +0 plus the product), fused with the
# layer below's dZ = dX g'(Z) and its bias's gradient
# ---------------------------------------------------------------------------------------
@_jit
def one_unit_backward(grad, wflat, at_w, kind, a, z, d, gflat, at_b, one, zero):
    """``dX = dZ W^T`` for ``dZ`` (V, m, 1) and the kernel ``W`` (n, 1) at ``wflat[v, at_w:]``,
    then the layer below's ``dZ = dX g'(Z)`` (kind 0 sigmoid, 1 tanh, 2 relu, 3 linear)
    into ``d`` (V, m, n), and its bias's gradient (``at_b`` >= 0)."""
    V, m, n = d.shape
    for v in range(V):
        w = wflat[v, at_w:at_w + n]
        for i in range(m):
            gi = grad[v, i, 0]
            for j in range(n):
                x = zero + gi * w[j]                                  # dX
                if kind == 0:
                    s = a[v, i, j]
                    d[v, i, j] = (one - s) * s * x
                elif kind == 1:
                    s = a[v, i, j]
                    d[v, i, j] = x * (one - s * s)
                elif kind == 2:
                    d[v, i, j] = x if z[v, i, j] > zero else x * zero
                else:
                    d[v, i, j] = x
    if at_b >= 0:
        _column_sums(d, gflat, at_b, zero)
