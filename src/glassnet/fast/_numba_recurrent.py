"""The LSTM's (and GRU's, SimpleRNN's) elementwise work per time step, and the Embedding's
scatter-add, compiled by numba (``glassnet.fast.recurrent`` calls them between NumPy's matmuls, exp and tanh).

What stays in NumPy: the matmuls (numba's own would need SciPy's BLAS, and a loop of our own
is ten times slower than OpenBLAS at 64 x 256), and ``exp`` and ``tanh``: numba's differ from
NumPy's SIMD ones in the last bit and are 3x (exp) to 50x (tanh) slower at these sizes. What
moves here is everything between them, which in ``layers/recurrent.py`` is a dozen NumPy
calls per step, each with its temporary:

- forward: ``c_t = f c_{t-1} + i c~`` (one loop), then, after NumPy's ``tanh(c_t)``,
  ``h_t = o tanh(c_t)`` and the padding's carry of ``h`` and ``c`` (one loop);
- backward: the whole step from ``dh_t`` (what ``dz_{t+1} U^T`` sent back, plus the output's
  gradient) to ``dz_t`` and ``dc_{t-1}``: one loop, written in the readable backward's order of
  operations, term by term, so the numbers are the same bit for bit (tests/test_fast_recurrent.py);
- Embedding's backward: ``np.add.at(dE, ids, dY)`` as a loop over the ids in order (the same
  additions in the same order as ``np.add.at``).

Every constant arrives in the arrays' float type (``one``, ``zero``), so float32 stays float32.

The LSTM's whole loop through time is also here (``lstm_forward_loop``, ``lstm_backward_loop``):
the same kernels in the same order, with NumPy's gemm, exp and tanh called through the C
pointers ``glassnet.fast._numpy_kernels`` hands over (passed in as arguments, so the compiled
loops stay cacheable), instead of one Python call each.
"""
from __future__ import annotations

import numba
import numpy as np
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic

from ._numba_cache import use_user_cache

use_user_cache(numba)                   # compiled loops go to a user cache folder, not the package

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def lstm_gates_in(xw_t, bias, hu, z, e, zc):
    """``z_t = (x_t W + b) + h_{t-1} U`` (the readable ``xw[t] + h U``, ``xw = x W + b``) into
    ``z``, then exp's and tanh's inputs, each contiguous: ``e = -[zi | zf | zo]`` and ``zc``."""
    batch, n = zc.shape
    for b in range(batch):
        for j in range(4 * n):
            z[b, j] = (xw_t[b, j] + bias[j]) + hu[b, j]
        for j in range(2 * n):
            e[b, j] = -z[b, j]
        for j in range(n):
            e[b, 2 * n + j] = -z[b, 3 * n + j]
        for j in range(n):
            zc[b, j] = z[b, 2 * n + j]


@_jit
def lstm_cell(e, cc, c_prev, c, a, one):
    """After NumPy's ``e = exp(e)`` and ``cc = tanh(zc)``: the gates ``a`` = ``[i | f | c~ | o]``,
    the sigmoids as ``1 / (e + 1)`` (``activations.sigmoid``'s ``a += 1``, ``reciprocal``), and
    ``c_t = f * c_{t-1} + i * c~``."""
    batch, n = cc.shape
    for b in range(batch):
        for j in range(2 * n):
            a[b, j] = one / (e[b, j] + one)
        for j in range(n):
            a[b, 3 * n + j] = one / (e[b, 2 * n + j] + one)
        for j in range(n):
            a[b, 2 * n + j] = cc[b, j]
        for j in range(n):
            c[b, j] = a[b, n + j] * c_prev[b, j] + a[b, j] * cc[b, j]


@_jit
def lstm_hidden(a, g, h_prev, h, c_prev, c, keep_rows, masked):
    """``h_t = o * tanh(c_t)``; where ``keep_rows[b]`` is False (``masked`` only), ``h_t`` and
    ``c_t`` are the previous step's (the readable ``_carry``)."""
    batch, n = h.shape
    for b in range(batch):
        if not masked or keep_rows[b]:
            for j in range(n):
                h[b, j] = a[b, 3 * n + j] * g[b, j]
        else:
            for j in range(n):
                h[b, j] = h_prev[b, j]
                c[b, j] = c_prev[b, j]


@_jit
def lstm_backward_step(dy_t, back, skip, dc_next, a, c_prev, g, dz, keep_rows, masked, one, zero):
    """One step of ``LSTM.backward``, from ``t = T - 1`` down to 0 (``a``, ``c_prev``, ``g``,
    ``dz``: step ``t``'s rows of ``acts``, ``cs``, ``gc``, ``dz``).

    In: ``dy_t`` the output's gradient at step ``t`` (zeros but at the last step without
    return_sequences), ``back`` = ``dz_{t+1} U^T`` (zeros at the last step), ``skip`` = the
    gradient a padded step ``t + 1`` passed straight on (zeros), ``dc_next`` = ``dc_{t+1}``
    sent back (zeros). Out: ``dz``, and ``skip`` and ``dc_next`` for step ``t - 1``. The
    readable lines, in their order::

        dh_next = dz_{t+1} U^T + dh_skip          dh_total = dY_t + dh_next
        dh, dh_skip = split(dh_total)             dc_in, dc_skip = split(dc_next)
        dc = dc_in + (dh o)(1 - g(c_t)^2)
        dz_t = [((1 - i) i)(dc c~) | ((1 - f) f)(dc c_{t-1}) | (dc i)(1 - c~^2) | ((1 - o) o)(dh g(c_t))]
        dc_next = dc f + dc_skip

    One short loop per quantity (each vectorizes; one loop doing all of them did not).
    """
    batch, n = dc_next.shape
    dh = np.empty(n, dz.dtype)
    dc = np.empty(n, dz.dtype)
    for b in range(batch):
        keep = not masked or keep_rows[b]
        ab, db, gb, cb, sb = a[b], dz[b], g[b], dc_next[b], skip[b]
        for j in range(n):
            total = dy_t[b, j] + (back[b, j] + sb[j])
            if keep:
                dh[j] = total
                sb[j] = zero
                dc[j] = cb[j] + (total * ab[3 * n + j]) * (one - gb[j] * gb[j])
            else:
                dh[j] = zero
                sb[j] = total
                dc[j] = zero + (zero * ab[3 * n + j]) * (one - gb[j] * gb[j])
        for j in range(n):
            i = ab[j]
            db[j] = ((one - i) * i) * (dc[j] * ab[2 * n + j])
        for j in range(n):
            f = ab[n + j]
            db[n + j] = ((one - f) * f) * (dc[j] * c_prev[b, j])
        for j in range(n):
            cc = ab[2 * n + j]
            db[2 * n + j] = (dc[j] * ab[j]) * (one - cc * cc)
        for j in range(n):
            o = ab[3 * n + j]
            db[3 * n + j] = ((one - o) * o) * (dh[j] * gb[j])
        if keep:
            for j in range(n):
                cb[j] = dc[j] * ab[n + j] + zero
        else:
            for j in range(n):
                cb[j] = dc[j] * ab[n + j] + cb[j]



# -- the whole recurrence in one call: NumPy's own gemm, exp and tanh through C pointers ---------
# (``glassnet.fast._numpy_kernels``: each checked bit for bit against NumPy's call before use).
# ``np.matmul(a, b)`` of two matrices (every side >= 2) calls ``cblas_?gemm(RowMajor, NoTrans,
# NoTrans or Trans, ...)`` with the leading dimensions read off the strides: so does
# :func:`call_gemm`, with the same arguments. A ufunc's inner loop over a contiguous array is
# called once over all its items, as NumPy calls it.
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
# The loops below call the step kernels through these names: a test that wraps the public ones
# (to count or fail calls from Python) leaves the compiled loops as they are.
_gates_in, _cell, _hidden, _backward_step = lstm_gates_in, lstm_cell, lstm_hidden, lstm_backward_step


@intrinsic
def _rows(typingctx, a):
    """``a`` (one step's rows: a 2-D block, or a 1-D row of the mask) typed as C-contiguous, the
    same array. For one thread's half of the batch (``hs[:, :32]`` of ``(T + 1, 64, n)``) numba
    types every step's block as "any layout" and its loops index it through run-time strides,
    unvectorized (3.75 against 2.83 ms for the forward loop over 32 rows, bench/README.md);
    the block itself is contiguous: its rows are next to each other. The caller checks that
    (``glassnet.fast.recurrent._rows_contiguous``) before the loops run."""
    if not isinstance(a, numba.types.Array):
        return None

    def codegen(context, builder, signature, args):
        return impl_ret_borrowed(context, builder, signature.return_type, args[0])
    return a.copy(layout="C")(a), codegen


@_jit
def call_gemm(gemm, a, b, b_transposed, out):
    """``out = a @ b`` (``a @ b.T`` when ``b_transposed``: ``b.T`` a view, as ``U.T``), as
    ``np.matmul`` calls BLAS for it; every array's rows contiguous."""
    size = a.itemsize
    one, zero = a.dtype.type(1), a.dtype.type(0)
    gemm(_ROW_MAJOR, _NO_TRANS, _TRANS if b_transposed else _NO_TRANS, a.shape[0], out.shape[1], a.shape[1],
         one, a.ctypes, a.strides[0] // size, b.ctypes, b.strides[0] // size, zero, out.ctypes, out.strides[0] // size)


@_jit
def call_loop(loop, x, out):
    """``ufunc(x, out=out)`` through the ufunc's inner loop ``loop`` (``x``, ``out`` contiguous)."""
    call = np.empty(5, np.int64)
    _call_loop(loop, x, out, call)


@_jit
def _call_loop(loop, x, out, call):
    call[0], call[1] = x.ctypes.data, out.ctypes.data      # char *args[2]
    call[2] = x.size                                       # npy_intp dimensions[1]
    call[3], call[4] = x.itemsize, out.itemsize            # npy_intp steps[2]
    loop(call[0:].ctypes, call[2:].ctypes, call[3:].ctypes, 0)


@_jit
def lstm_forward_loop(gemm, exp, tanh, xs, W, xw, projected, U, bias, hs, cs, zs, acts, gc, keep, masked,
                      xw_t, hu, e, zc, cc):
    """``LSTM.forward``'s loop over the steps, the calls ``glassnet.fast.recurrent`` makes from
    Python one by one, in the same order on the same arrays: ``x_t W`` (unless ``projected``:
    ``xw`` holds it, drawn through dropout masks), ``h_{t-1} U``, :func:`lstm_gates_in`, exp,
    tanh, :func:`lstm_cell`, tanh of ``c_t``, :func:`lstm_hidden`."""
    one = hs.dtype.type(1)
    call = np.empty(5, np.int64)
    for t in range(zs.shape[0]):
        h, h_next, c, c_next = _rows(hs[t]), _rows(hs[t + 1]), _rows(cs[t]), _rows(cs[t + 1])
        z, a, g = _rows(zs[t]), _rows(acts[t]), _rows(gc[t])
        call_gemm(gemm, h, U, False, hu)
        if projected:
            _gates_in(_rows(xw[t]), bias, hu, z, e, zc)
        else:
            call_gemm(gemm, xs[t], W, False, xw_t)
            _gates_in(xw_t, bias, hu, z, e, zc)
        _call_loop(exp, e, e, call)                        # sigmoid(z) = 1 / (1 + exp(-z)) for i, f, o
        _call_loop(tanh, zc, cc, call)                     # c~ = tanh(zc)
        _cell(e, cc, c, c_next, a, one)
        _call_loop(tanh, c_next, g, call)
        _hidden(a, g, h, h_next, c, c_next, _rows(keep[t % keep.shape[0]]), masked)


@_jit
def lstm_backward_loop(gemm, dys, sequences, back, skip, dc_next, acts, cs, gc, dz, Ut, keep, masked):
    """``LSTM.backward``'s loop from the last step down: :func:`lstm_backward_step`, then
    ``dz_t U^T`` into ``back`` (``Ut``: ``U^T`` copied row by row, as the readable ``_back_through``
    multiplies; ``dys[t]`` each step's output gradient, or without ``sequences`` ``dys[1]`` at the
    last step and ``dys[0]``, zeros, before)."""
    one, zero = dz.dtype.type(1), dz.dtype.type(0)
    T = dz.shape[0]
    back, skip, dc_next = _rows(back), _rows(skip), _rows(dc_next)
    for t in range(T - 1, -1, -1):
        dy_t = _rows(dys[t] if sequences else dys[1 if t == T - 1 else 0])
        dz_t = _rows(dz[t])
        _backward_step(dy_t, back, skip, dc_next, _rows(acts[t]), _rows(cs[t]), _rows(gc[t]), dz_t,
                       _rows(keep[t % keep.shape[0]]), masked, one, zero)
        call_gemm(gemm, dz_t, Ut, False, back)            # sent back to h_{t-1}: dz_t U^T


@_jit
def rnn_carry(new, h_prev, h, keep_rows):
    """``h_t = new`` where the row is kept, ``h_{t-1}`` where it is padding (the readable ``_carry``)."""
    batch, n = h.shape
    for b in range(batch):
        if keep_rows[b]:
            for j in range(n):
                h[b, j] = new[b, j]
        else:
            for j in range(n):
                h[b, j] = h_prev[b, j]


@_jit
def rnn_backward_step(dy_t, back, skip, h, dz, keep_rows, masked, one, zero):
    """One step of ``SimpleRNN.backward`` (tanh): ``dh_total = dY_t + (dz_{t+1} U^T + dh_skip)``,
    split by the padding, ``dz_t = dh (1 - h_t^2)`` (``h``: ``hs[t + 1]``, as the readable code)."""
    batch, n = h.shape
    for b in range(batch):
        keep = not masked or keep_rows[b]
        for j in range(n):
            total = dy_t[b, j] + (back[b, j] + skip[b, j])
            if keep:
                dh = total
                skip[b, j] = zero
            else:
                dh = zero
                skip[b, j] = total
            dz[b, j] = dh * (one - h[b, j] * h[b, j])


@_jit
def gru_gates_in(uh, b_rec, xw_t, e):
    """``uh += b'`` (``uh`` holds ``h_{t-1} U``), and exp's input ``e = -(x W + b + uh)`` for z and r."""
    batch, n = e.shape[0], e.shape[1] // 2
    for b in range(batch):
        for j in range(3 * n):
            uh[b, j] = uh[b, j] + b_rec[j]
        for j in range(2 * n):
            e[b, j] = -(xw_t[b, j] + uh[b, j])


@_jit
def gru_candidate_in(e, xw_t, uh, z, r, a, one):
    """After NumPy's ``e = exp(e)``: ``z``, ``r`` = ``1 / (e + 1)`` (``activations.sigmoid``), and
    h~'s input ``a = xh + r * uh``."""
    batch, n = z.shape
    for b in range(batch):
        for j in range(n):
            z[b, j] = one / (e[b, j] + one)
        for j in range(n):
            r[b, j] = one / (e[b, n + j] + one)
        for j in range(n):
            a[b, j] = xw_t[b, 2 * n + j] + r[b, j] * uh[b, 2 * n + j]


@_jit
def gru_hidden(z, hh, h_prev, h, keep_rows, masked, one):
    """``h_t = z * h_{t-1} + (1 - z) * h~``; where the row is padding (``masked`` only), ``h_{t-1}``."""
    batch, n = h.shape
    for b in range(batch):
        if not masked or keep_rows[b]:
            for j in range(n):
                h[b, j] = z[b, j] * h_prev[b, j] + (one - z[b, j]) * hh[b, j]
        else:
            for j in range(n):
                h[b, j] = h_prev[b, j]


@_jit
def gru_backward_step(dy_t, back, hz, skip, z, r, hh, h_prev, uh, dz_in, dz_rec, keep_rows, masked, one, zero):
    """One step of ``GRU.backward`` (reset_after=True), the readable lines in their order::

        dh_next = (dh_{t+1} z_{t+1} + dz'_{t+1} U^T) + dh_skip       dh_total = dY_t + dh_next
        dh, dh_skip = split(dh_total)
        da = (dh (1 - z))(1 - h~^2)        dz = ((1 - z) z)(dh (h_{t-1} - h~))
        dr = ((1 - r) r)(da uh)            duh = da r
        dz_in = [dz | dr | da]             dz_rec = [dz | dr | duh]

    ``hz`` carries ``dh z`` to the step before; ``back`` is ``dz'_{t+1} U^T`` (zeros at first)."""
    batch, n = z.shape
    for b in range(batch):
        keep = not masked or keep_rows[b]
        for j in range(n):
            total = dy_t[b, j] + ((hz[b, j] + back[b, j]) + skip[b, j])
            if keep:
                dh = total
                skip[b, j] = zero
            else:
                dh = zero
                skip[b, j] = total
            zz, rr, hhh = z[b, j], r[b, j], hh[b, j]
            da = (dh * (one - zz)) * (one - hhh * hhh)
            dzz = ((one - zz) * zz) * (dh * (h_prev[b, j] - hhh))
            drr = ((one - rr) * rr) * (da * uh[b, 2 * n + j])
            dz_in[b, j], dz_in[b, n + j], dz_in[b, 2 * n + j] = dzz, drr, da
            dz_rec[b, j], dz_rec[b, n + j], dz_rec[b, 2 * n + j] = dzz, drr, da * rr
            hz[b, j] = dh * zz



# -- SimpleRNN's and GRU's loops through time in one call, as the LSTM's above -------------------
@_jit
def rnn_forward_loop(gemm, tanh, hs, zs, U, keep, masked, hu, new):
    """``SimpleRNN.forward``'s loop (``zs`` holds ``x_t W + b``): ``h_{t-1} U`` into ``hu``,
    ``z_t += hu``, NumPy's tanh into ``h_t`` (with padding, into ``new``, then :func:`rnn_carry`)."""
    call = np.empty(5, np.int64)
    batch, n = hu.shape
    for t in range(zs.shape[0]):
        call_gemm(gemm, hs[t], U, False, hu)
        z = zs[t]
        for b in range(batch):
            for j in range(n):
                z[b, j] = z[b, j] + hu[b, j]
        if masked:
            _call_loop(tanh, z, new, call)
            _rnn_carry(new, hs[t], hs[t + 1], keep[t % keep.shape[0]])
        else:
            _call_loop(tanh, z, hs[t + 1], call)


@_jit
def rnn_backward_loop(gemm, dys, sequences, back, skip, hs, dz, Ut, keep, masked):
    """``SimpleRNN.backward``'s loop from the last step down: :func:`rnn_backward_step`, then
    ``dz_t U^T`` into ``back`` (``Ut`` and ``dys`` as for :func:`lstm_backward_loop`)."""
    one, zero = dz.dtype.type(1), dz.dtype.type(0)
    T = dz.shape[0]
    for t in range(T - 1, -1, -1):
        dy_t = dys[t] if sequences else dys[1 if t == T - 1 else 0]
        _rnn_backward_step(dy_t, back, skip, hs[t + 1], dz[t], keep[t % keep.shape[0]], masked, one, zero)
        call_gemm(gemm, dz[t], Ut, False, back)


@_jit
def gru_forward_loop(gemm, exp, tanh, hs, xw, U, b_rec, uh, z, r, a, hh, keep, masked, e):
    """``GRU.forward``'s loop (reset_after=True; ``xw`` holds ``x_t W + b``): ``h_{t-1} U`` into
    ``uh[t]``, :func:`gru_gates_in`, exp, :func:`gru_candidate_in`, tanh, :func:`gru_hidden`."""
    one = hs.dtype.type(1)
    call = np.empty(5, np.int64)
    for t in range(xw.shape[0]):
        call_gemm(gemm, hs[t], U, False, uh[t])
        _gru_gates_in(uh[t], b_rec, xw[t], e)
        _call_loop(exp, e, e, call)
        _gru_candidate_in(e, xw[t], uh[t], z[t], r[t], a[t], one)
        _call_loop(tanh, a[t], hh[t], call)
        _gru_hidden(z[t], hh[t], hs[t], hs[t + 1], keep[t % keep.shape[0]], masked, one)


@_jit
def gru_backward_loop(gemm, dys, sequences, back, hz, skip, z, r, hh, hs, uh, dz_in, dz_rec, Ut, keep, masked):
    """``GRU.backward``'s loop from the last step down: :func:`gru_backward_step`, then
    ``dz'_t U^T`` into ``back``."""
    one, zero = hs.dtype.type(1), hs.dtype.type(0)
    T = z.shape[0]
    for t in range(T - 1, -1, -1):
        dy_t = dys[t] if sequences else dys[1 if t == T - 1 else 0]
        _gru_backward_step(dy_t, back, hz, skip, z[t], r[t], hh[t], hs[t], uh[t], dz_in[t], dz_rec[t],
                           keep[t % keep.shape[0]], masked, one, zero)
        call_gemm(gemm, dz_rec[t], Ut, False, back)


_rnn_carry, _rnn_backward_step = rnn_carry, rnn_backward_step
_gru_gates_in, _gru_candidate_in, _gru_hidden, _gru_backward_step = (gru_gates_in, gru_candidate_in, gru_hidden,
                                                                     gru_backward_step)

@_jit
def scatter_add_steps(ids, grad, out):
    """``np.add.at(out, ids.reshape(-1), grad.reshape(-1, width))`` for ``ids`` ``(batch, steps)`` and
    ``grad`` ``(batch, steps, width)`` in any strides (a transposed view is read as it is, not
    copied first): ``out[ids[b, t]] += grad[b, t]`` for b, then t, in order."""
    width = grad.shape[2]
    for b in range(ids.shape[0]):
        for t in range(ids.shape[1]):
            k = ids[b, t]
            for j in range(width):
                out[k, j] += grad[b, t, j]


@_jit
def scatter_add_rows(ids, rows, out):
    """``np.add.at(out, ids, rows)``: ``out[ids[r]] += rows[r]`` for r in order."""
    width = rows.shape[1]
    for r in range(ids.shape[0]):
        k = ids[r]
        for j in range(width):
            out[k, j] += rows[r, j]
