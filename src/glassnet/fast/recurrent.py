"""Fast twins of the recurrent layers' forward and backward through time (LSTM, GRU, SimpleRNN,
alone or inside ``Bidirectional``) and of ``Embedding``'s scatter-add: the same numbers as
``layers/recurrent.py``, in fewer calls. Read ``layers/recurrent.py`` for the algorithm; this
module only changes how many NumPy calls, temporaries and Python lines each time step takes.

``LSTM.forward`` in ``layers/recurrent.py`` makes about 25 NumPy calls per step (slices of four
gates, each activation on its own strided block, the cell update's temporaries, the padding's
``np.where``); its backward about 30. Here one LSTM step is:

==============  ==========================================================================
forward         ``x_t W`` and ``h_{t-1} U`` (each the same BLAS call as the readable code's
                for that step) into small buffers; ``z_t = (x_t W + b) + h_{t-1} U`` written
                once (no 6 MB ``x W`` array written and read back), with contiguous copies
                of ``-[zi | zf | zo]`` and ``zc`` (one numba loop); NumPy's exp over the three
                sigmoid gates at once, NumPy's tanh over c~; one numba loop for the sigmoids'
                ``1 / (1 + e)``, c~ and ``c_t = f c_{t-1} + i c~``; NumPy's ``tanh(c_t)``; one
                numba loop for ``h_t = o tanh(c_t)`` and the padding's carry
backward        one numba loop from ``dh_t`` to ``dz_t`` and ``dc_{t-1}`` (every gate, the
                padding's split), then ``dz_t U^T`` (the same BLAS call as the readable one)
after the loop  ``dW``, ``dU``, ``db`` and ``dx`` by the layer's own ``_set_grads`` and
                ``_input_grad``: one matmul each over all the steps
Embedding       ``np.add.at`` as a numba loop over the ids, in the same order
==============  ==========================================================================

The LSTM's loop through time runs as one numba call (``lstm_forward_loop``,
``lstm_backward_loop`` in ``_numba_recurrent.py``) making those same calls, in the same order
on the same arrays: the matmuls through the very ``cblas_?gemm`` of NumPy's bundled OpenBLAS
with the arguments ``np.matmul`` gives it, exp and tanh through NumPy's own ufunc loops
(``glassnet.fast._numpy_kernels`` finds them by C pointer and checks each bit for bit against
NumPy's call before first use). Same numbers, without the Python dispatch of each of the
seven to nine calls a step (bench/README.md). Where the kernels are not found or do not check
out, or a product is one ``np.matmul`` would not hand to gemm as it is (one row, one feature,
one unit: NumPy takes a dot, gemv or its own loop), the loop runs from Python as before.

GRU (reset_after=True, Keras's default) and SimpleRNN (tanh) are done the same way, their loops
through time one numba call too (``gru_forward_loop``, ``rnn_forward_loop`` and their backward
twins; their ``x W`` is one matmul over every step before the loop). A step's matmul is small
(64 x 64 by 64 x 256 in bench/lstm.py): it runs on one BLAS thread
(``glassnet.threads.useful_blas_threads``), the large ones after the loop on what is free.
The arrays a layer keeps (``hs``, ``acts``, ...) and its ``dz`` are the same arrays from step to
step (:func:`_buffer`): fresh ones of several MB cost a thousand page faults a step.

The batch's rows are independent in the recurrence, so when a second core is free
(:func:`split_batch`, ``None`` by default) the LSTM's loops forward and backward through time
run over the two halves of the batch on two threads (numba's loops let go of the GIL), BLAS
pinned to one thread for each, and the products after the backward loop (``dW`` and ``dx``
here, ``dU`` and ``db`` in the worker) are shared the same way: no BLAS thread pool runs for
the layer, whose idle threads spin after each product and took the second core from the
other half (bench/README.md). Each half's per-step blocks are contiguous and handed to the
loops as such (``_numba_recurrent._rows``). The numbers stay the readable path's bit for bit:
two threads are taken only where BLAS's products of the halves are checked to be the rows of
its product of the whole batch, and a product made on one BLAS thread the same as on what BLAS
has now (:func:`_rows_agree`, :func:`_whole_agrees`: once per shape, on random numbers; BLAS
chooses its kernels by the shapes). ``split_batch(True)`` splits whatever the check says (then
within rounding, 1e-6 in float32; tests/test_fast_recurrent.py). GRU and SimpleRNN run on one
thread.

exp and tanh stay NumPy's (numba's differ in the last bit, and are slower); each elementwise
loop keeps the readable expression's order of operations, so outputs, states, what the
readable forward keeps, every weight gradient and the input gradient are the readable path's
bit for bit, with padding masks, ``go_backwards``, ``return_sequences``, ``return_state``, input
``dropout`` and inside ``Bidirectional``; fits end with the same weights
(tests/test_fast_recurrent.py). A twin runs for an untouched layer (none of the methods it
stands in for or calls replaced) with Keras's default activations, weights and input of one
float type, no ``recurrent_dropout`` while training, when numba is installed and the layer's
work repays numba's load (``T * batch * gates * units`` from 2**18 numbers: the bench's
LSTM(64) on 100 steps of 64 is 1.6M; ``glassnet.config.set_kernels("numba")`` uses it at any
size, ``"numpy"`` never). Otherwise the readable code runs, as it does whenever
``engine/fastpath.py`` says so (set_fast_path(False), a tracer, a replaced method).

>>> import numpy as np, glassnet
>>> passes = LayerPasses()
>>> lstm = glassnet.layers.LSTM(3)
>>> lstm.build((2, 4, 5))
>>> passes.forward(lstm, np.ones((2, 4, 5), "float32")).shape     # small: the readable forward
(2, 3)
>>> id(lstm) in passes.took
False
"""
from __future__ import annotations

import weakref

import numpy as np

from . import conv as _conv
from . import threads

_kernels = None          # glassnet.fast._numba_recurrent once loaded, False when numba is missing or broken
_MIN_ENTRIES = 1 << 18   # "auto": the twin from T * batch * 4 units numbers (see the module's docstring)


def _numba():
    """``glassnet.fast._numba_recurrent`` when it may be used now, else None."""
    global _kernels
    from .. import fast  # noqa: PLC0415 - the kernel choice lives there
    if fast.kernels() == "numpy":
        return None
    if _kernels is None:
        _kernels = fast.load_loops("_numba_recurrent")           # optional, imported when first needed
    return _kernels or None


def _worth_it(entries) -> bool:
    from .. import fast  # noqa: PLC0415
    return fast.kernels() == "numba" or (fast.kernels() == "auto" and entries >= _MIN_ENTRIES)


def _float(*arrays) -> bool:
    return all(a.dtype == arrays[0].dtype and a.dtype in (np.float32, np.float64) for a in arrays)


# ---------------------------------------------------------------------------------------
# What the recurrent twins share
# ---------------------------------------------------------------------------------------
def _applies(layer, x, training, gates) -> bool:
    """What every twin needs: a built layer, 3-D input and weights of one float type, no
    recurrent dropout while training, numba, and enough work to repay it."""
    if isinstance(x, (list, tuple)):                    # layer([x, h, c]): initial states given
        return False
    x = np.asarray(x)
    if not layer.built or x.ndim != 3 or (training and layer.recurrent_dropout > 0):
        return False
    weights = [layer.kernel.value, layer.recurrent_kernel.value] + ([layer.bias.value] if layer.use_bias else [])
    if not _float(x, *weights) or not _worth_it(x.shape[0] * x.shape[1] * gates * layer.units):
        return False
    return _numba() is not None


def _output_grads(layer, grad, T, batch, n):
    """dY_t per step for the loops: ``(dys, pick)``, ``dys[pick(t)]`` being step t's."""
    if layer.return_sequences:
        dys = _buffer(layer, "dys", (T, batch, n), grad.dtype)
        np.copyto(dys, grad.transpose(1, 0, 2))
        return dys, lambda t: t
    dys = np.zeros((2, batch, n), grad.dtype)                        # zeros, then the last step's
    dys[1] = grad
    return dys, lambda t: int(t == T - 1)


def _grad_fits(layer, grad, T, batch, n, dtype) -> bool:
    """A plain array of the output's shape and float type (not return_state's list of gradients)."""
    if not isinstance(grad, np.ndarray):
        return False
    shape = (batch, T, n) if layer.return_sequences else (batch, n)
    return grad.dtype == dtype and grad.shape == shape


_BUFFERS = weakref.WeakKeyDictionary()     # layer -> {name: array}, kept from step to step


def _buffer(layer, name, shape, dtype):
    """An array of the layer's kept from step to step: a fresh one of several MB every step costs
    about a thousand page faults (the allocator gives large blocks back to the system). What the
    readable forward keeps (``hs``, ``acts``, ...) then holds the latest step's numbers, as it
    does; an array from an earlier step is overwritten."""
    own = _BUFFERS.setdefault(layer, {})
    a = own.get(name)
    if a is None or a.shape != shape or a.dtype != dtype:
        a = own[name] = np.empty(shape, dtype)
    return a


def _step_mask(layer):
    """The padding mask ``(steps, batch)`` in reading order for the loops, and whether there is one."""
    if layer.step_mask is None:
        return np.ones((1, 1), bool), False
    return np.ascontiguousarray(layer.step_mask[:, :, 0]), True


_split = None            # the LSTM's recurrence on two threads: None = when a core is free and the numbers
                         # stay the same (see split_batch), True / False = always / never
_MIN_HALF = 16           # "when a core is free": from two halves of this many rows (see the module's docstring)


def split_batch(mode) -> None:
    """Run the LSTM twin's recurrence over two halves of the batch on two threads. ``None`` (the
    default): when a second core is free (``glassnet.threads``), each half has at least 16 rows,
    and BLAS's products of each half's rows come out bit for bit the rows of its products of the
    whole batch at this step's shapes (:func:`_rows_agree`), so the numbers are the readable
    path's, as on one thread; and where the loops run as one numba call each (where they would
    run step by step from Python, NumPy's kernels not found, the halves take turns at the GIL:
    1.15x slower than one thread, bench/README.md). ``True``: for any batch of 2 rows or more,
    whatever the products give (then within rounding: 1e-6 relative in float32). ``False``: never."""
    global _split
    if mode not in (None, True, False):
        raise ValueError(f"split_batch: mode must be None, True or False, got {mode!r}")
    _split = mode


def _halves(batch, products=()):
    """The two halves of the batch's rows for two threads, or None for one thread. ``products``:
    ``(dtype, k, n, strided)`` of each product a step makes (rows by ``k`` times ``k`` by ``n``)."""
    if _split is False or batch < 2:
        return None
    if _split is None and (batch < 2 * _MIN_HALF or threads.elementwise_threads() < 2
                           or not all(_rows_agree(batch, *p) for p in products)):
        return None
    return slice(0, batch // 2), slice(batch // 2, batch)


_AGREE = {}              # (what, shapes, BLAS's threads) -> whether the products come out the same


def _rows_agree(batch, dtype, k, n, strided=False):
    """Whether BLAS's product of each half of ``batch`` rows (by a ``k`` x ``n`` matrix), on one
    BLAS thread as each of two threads runs it, is bit for bit those rows of its product of all
    of them on the threads BLAS has now, as the readable layer makes it. BLAS picks its kernels
    by the shapes, not the numbers: OpenBLAS's are per row the same at bench/lstm.py's shapes,
    not at all (16 rows by 512 x 128 differ in the last bits). Tried once per shape on random
    numbers; ``strided``: the rows a step apart in memory, as ``x_t`` of a (batch, steps,
    features) input."""
    def make(rng):
        a = rng.standard_normal((batch, 3, k) if strided else (batch, k)).astype(dtype)
        return (a[:, 1] if strided else a), rng.standard_normal((k, n)).astype(dtype)
    parts = (slice(0, batch // 2), slice(batch // 2, batch))
    return _agree(("rows", np.dtype(dtype).str, batch, k, n, strided), make, parts)


def _whole_agrees(dtype, m, k, n, a_transposed, b_transposed):
    """Whether BLAS's product of an ``m`` x ``k`` by a ``k`` x ``n`` matrix (each a transposed view
    or not, as the layer's ``_weight_grad`` and ``_input_grad`` multiply) comes out bit for bit the
    same on one BLAS thread as on the threads BLAS has now (not always: OpenBLAS's float64 product
    of 300 x 300 matrices differs in the last bits between one thread and two)."""
    def make(rng):
        a = rng.standard_normal((k, m) if a_transposed else (m, k)).astype(dtype)
        b = rng.standard_normal((n, k) if b_transposed else (k, n)).astype(dtype)
        return (a.T if a_transposed else a), (b.T if b_transposed else b)
    return _agree(("whole", np.dtype(dtype).str, m, k, n, a_transposed, b_transposed), make, (slice(None),))


def _agree(key, make, parts):
    """``a @ b`` (from ``make(rng)``) on the threads BLAS has now, against the rows ``parts`` of it
    each made on one BLAS thread: the same bits? Once per key and BLAS thread count."""
    key = key + (threads._current,)
    if key not in _AGREE:
        a, b = make(np.random.default_rng(len(_AGREE)))
        whole = a @ b
        with threads.blas_pinned(1):
            _AGREE[key] = all(np.array_equal(a[r] @ b, whole[r]) for r in parts)
    return _AGREE[key]


def _run_rows(rows, halves):
    """``rows(r)``, the recurrence over the batch's rows ``r``, with a step's small matmuls on
    one BLAS thread: over all rows (``halves`` None), or over each half in its own thread (numba's
    loops, NumPy's matmul, exp and tanh let go of the GIL)."""
    threads.useful_blas_threads(1)                       # a step's matmuls are small: one BLAS thread is faster
    try:
        if halves is None:
            rows(slice(None))
        else:
            _on_two_threads(lambda: rows(halves[0]), lambda: rows(halves[1]))
    finally:
        threads.useful_blas_threads(None)                # the weights' gradients after the loop: large matmuls


_POOL_THREADS = "glassnet_"   # the names of glassnet.fast._pool()'s threads


def _on_two_threads(first, second):
    """``first()`` in this thread while ``second()`` runs in glassnet's worker thread, BLAS pinned
    to one thread for each (``threads.blas_pinned``: also under a fixed ``set_num_threads(n)``).
    The worker gets the caller's NumPy error settings and flush-to-zero flags (both per thread);
    an error in either reaches the caller, after both are done. Called from that worker thread
    itself (a fit run as a task of glassnet's pool), both run here, one after the other: the
    worker cannot wait on itself."""
    import threading  # noqa: PLC0415
    from concurrent.futures import wait  # noqa: PLC0415

    from .. import fast  # noqa: PLC0415
    from . import denormals  # noqa: PLC0415
    if threading.current_thread().name.startswith(_POOL_THREADS):
        first()
        second()
        return
    settings = np.geterr()

    def helper():
        with np.errstate(**settings):
            second()
    with threads.blas_pinned(1):
        future = fast._pool().submit(denormals.like_caller(helper))
        try:
            first()
        finally:
            wait([future])
    future.result()


_one_loop = True         # the LSTM's recurrence as one numba loop calling NumPy's own kernels (see _compiled)


def _compiled(layer, U, rows, xs=None, W=None):
    """``(gemm, exp, tanh)``: NumPy's own kernels as C pointers, for a recurrence run as one numba
    loop (``glassnet.fast._numpy_kernels``, checked bit for bit before use), when every matmul of
    a step is one ``np.matmul`` hands to BLAS's gemm as it is: each side of each product at least
    2 (``rows`` of the batch a thread takes, the units, the features of ``xs`` when the loop
    multiplies ``x_t W`` too), rows contiguous. Else None, and the loop runs from Python."""
    if not _one_loop:
        return None
    from . import _numpy_kernels  # noqa: PLC0415 - ctypes, only once a twin runs
    found = _numpy_kernels.kernels(U.dtype)
    if found is None or rows < 2 or layer.units < 2 or not U.flags.c_contiguous:
        return None
    if xs is not None:
        size = W.itemsize
        if (xs.shape[2] < 2 or not W.flags.c_contiguous or xs.strides[2] != size
                or xs.strides[1] < xs.shape[2] * size or xs.strides[1] % size):
            return None
    return found


def _blocks_contiguous(arrays, dims):
    """Whether each step's block of each array (its last ``dims[i]`` axes) is C-contiguous, as the
    one loops take it (``_numba_recurrent._rows``): true of the twins' own buffers and of one
    thread's rows of them; checked, not assumed."""
    for a, d in zip(arrays, dims):
        expected = a.itemsize
        for size, stride in zip(reversed(a.shape[a.ndim - d:]), reversed(a.strides[a.ndim - d:])):
            if size > 1 and stride != expected:
                return False
            expected *= size
    return True


# ---------------------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------------------
def lstm_applies(layer, x, training=False) -> bool:
    """Whether :func:`lstm_forward` runs for this call (decided before anything is drawn or kept):
    Keras's activations (tanh, sigmoid), and what every twin needs (:func:`_applies`)."""
    from .. import activations  # noqa: PLC0415
    return (layer.activation is activations.tanh and layer.recurrent_activation is activations.sigmoid
            and _applies(layer, x, training, 4))


def lstm_forward(layer, x, training=False, mask=None):
    """``LSTM.forward``'s numbers in fewer calls: sets ``xs``, ``hs``, ``cs``, ``zs``, ``acts``,
    ``gc`` and ``final_states`` as the readable forward does and returns the output; None
    (nothing drawn or kept) when the twin does not apply, and the readable forward runs."""
    if not lstm_applies(layer, x, training):
        return None
    k = _kernels
    xs = layer._steps(x, training, mask)                 # (T, batch, features) in reading order; masks
    n, W, U = layer.units, layer.kernel.value, layer.recurrent_kernel.value
    T, batch = xs.shape[0], xs.shape[1]
    dtype = W.dtype
    # x_t W: step by step below (the same BLAS call as the readable x W's for that step, no 6 MB
    # array written and read back), or all at once through the dropout masks (_through)
    xw = None if layer.input_masks is None else layer._through(xs, W, layer.input_masks)
    bias = layer.bias.value if layer.use_bias else np.zeros(4 * n, dtype)   # + 0, as the readable `+ 0`
    hs, cs = _buffer(layer, "hs", (T + 1, batch, n), dtype), _buffer(layer, "cs", (T + 1, batch, n), dtype)
    hs[0], cs[0] = layer.h0                              # h_0, c_0: zeros (or given, as the readable code)
    zs, acts = _buffer(layer, "zs", (T, batch, 4 * n), dtype), _buffer(layer, "acts", (T, batch, 4 * n), dtype)
    gc = _buffer(layer, "gc", (T, batch, n), dtype)
    keep, masked = _step_mask(layer)

    products = [(dtype, n, 4 * n)] + ([(dtype, xs.shape[2], 4 * n, True)] if xw is None else [])   # h U, x_t W
    halves = _halves(batch, products)
    compiled = _compiled(layer, U, batch if halves is None else batch // 2, xs, W)
    if halves is not None and compiled is None and _split is None:    # step by step from Python, the two
        halves, compiled = None, _compiled(layer, U, batch, xs, W)      # halves would take turns at the GIL

    def rows(r):
        """The recurrence over the batch's rows ``r`` (all of them, or one thread's half)."""
        m = len(range(batch)[r])
        xw_t, hu = np.empty((m, 4 * n), dtype), np.empty((m, 4 * n), dtype)   # x_t W; h_{t-1} U
        e = np.empty((m, 3 * n), dtype)                                     # exp's input and output
        zc, cc = np.empty((m, n), dtype), np.empty((m, n), dtype)           # c~'s input and output
        one = dtype.type(1)
        projected = np.empty((0, 0, 0), dtype) if xw is None else xw[:, r]
        blocks = (hs[:, r], cs[:, r], zs[:, r], acts[:, r], gc[:, r], projected, keep[:, r] if masked else keep)
        if compiled and _blocks_contiguous(blocks, (2, 2, 2, 2, 2, 2, 1)):   # the same calls, from one numba loop
            k.lstm_forward_loop(*compiled, xs[:, r], W, projected, xw is not None, U, bias, hs[:, r], cs[:, r],
                                zs[:, r], acts[:, r], gc[:, r], keep[:, r] if masked else keep, masked,
                                xw_t, hu, e, zc, cc)
            return
        with np.errstate(over="ignore", under="ignore"):  # as activations.sigmoid: exp(-z) may overflow
            for t in range(T):
                a, h, h_next, c, c_next, g = acts[t, r], hs[t, r], hs[t + 1, r], cs[t, r], cs[t + 1, r], gc[t, r]
                if xw is None:
                    np.matmul(xs[t, r], W, out=xw_t)
                np.matmul(h, U, out=hu)
                k.lstm_gates_in(xw_t if xw is None else xw[t, r], bias, hu, zs[t, r], e, zc)   # z_t; e = -[zi|zf|zo]
                np.exp(e, out=e)                         # sigmoid(z) = 1 / (1 + exp(-z)) for i, f, o
                np.tanh(zc, out=cc)                      # c~ = tanh(zc)
                k.lstm_cell(e, cc, c, c_next, a, one)    # the sigmoids' 1 / (1 + e), c~, c_t = f c_{t-1} + i c~
                np.tanh(c_next, out=g)
                k.lstm_hidden(a, g, h, h_next, c, c_next, keep[t % len(keep)][r] if masked else keep[0], masked)
    _run_rows(rows, halves)
    layer.xs, layer.hs, layer.cs, layer.zs, layer.acts, layer.gc = xs, hs, cs, zs, acts, gc
    layer.final_states = [hs[-1], cs[-1]]
    return layer._output(hs)


def lstm_backward(layer, grad, need_input_grad=True):
    """``LSTM.backward`` after :func:`lstm_forward`: sets the weights' gradients, returns dJ/dx."""
    T, batch, n = layer.gc.shape
    if not _grad_fits(layer, grad, T, batch, n, layer.zs.dtype):
        return layer.backward(grad, need_input_grad)     # what the readable backward makes of it
    k, U = _kernels, layer.recurrent_kernel.value
    dys, pick = _output_grads(layer, grad, T, batch, n)
    dz = _buffer(layer, "dz", layer.zs.shape, layer.zs.dtype)
    back, skip, dc_next = (np.zeros((batch, n), grad.dtype) for _ in range(3))
    keep, masked = _step_mask(layer)
    one, zero = grad.dtype.type(1), grad.dtype.type(0)
    acts, cs, gc = layer.acts, layer.cs, layer.gc
    Ut = np.ascontiguousarray(U.T)                       # as the readable _back_through: U^T row by row

    halves = _halves(batch, [(U.dtype, 4 * n, n)])          # dz_t U^T
    compiled = _compiled(layer, U, batch if halves is None else batch // 2)
    if halves is not None and compiled is None and _split is None:     # as in lstm_forward: one thread
        halves, compiled = None, _compiled(layer, U, batch)

    def rows(r):
        """Backward through time over the batch's rows ``r`` (all, or one thread's half)."""
        blocks = (dys[:, r], back[r], skip[r], dc_next[r], acts[:, r], cs[:, r], gc[:, r], dz[:, r],
                  keep[:, r] if masked else keep)
        if compiled and _blocks_contiguous(blocks, (2, 2, 2, 2, 2, 2, 2, 2, 1)):   # the same calls, one numba loop
            k.lstm_backward_loop(compiled[0], dys[:, r], layer.return_sequences, back[r], skip[r], dc_next[r],
                                 acts[:, r], cs[:, r], gc[:, r], dz[:, r], Ut, keep[:, r] if masked else keep, masked)
            return
        for t in range(T - 1, -1, -1):
            k.lstm_backward_step(dys[pick(t), r], back[r], skip[r], dc_next[r], acts[t, r], cs[t, r], gc[t, r],
                                 dz[t, r], keep[t % len(keep)][r] if masked else keep[0], masked, one, zero)
            np.matmul(dz[t, r], Ut, out=back[r])         # sent back to h_{t-1}: dz_t U^T
    _run_rows(rows, halves)
    if halves is not None and _grads_on_two_threads(layer, dz):
        return _lstm_grads_on_two_threads(layer, dz, [back + skip, dc_next], need_input_grad)
    layer._set_grads(layer.xs, layer.hs[:-1], dz, dz)    # dW, dU, db: one matmul each over the steps
    return layer._grads_in(dz, [back + skip, dc_next], need_input_grad)   # dx; dh_0, dc_0: what reached step 0


def _grads_on_two_threads(layer, dz):
    """Whether the products after the loop may be shared by two threads, one BLAS thread each
    (:func:`_lstm_grads_on_two_threads`) with the same numbers: no dropout masks (their products
    are per gate), and each product the same on one BLAS thread as on what BLAS has now."""
    if layer.input_masks is not None or layer.state_masks is not None:
        return False
    steps, (features, width) = dz.shape[0] * dz.shape[1], layer.kernel.value.shape
    dtype = dz.dtype
    return (_whole_agrees(dtype, features, steps, width, True, False)          # dW = x^T dz
            and _whole_agrees(dtype, layer.units, steps, width, True, False)   # dU = h^T dz
            and _whole_agrees(dtype, steps, width, features, False, True))     # dx = dz W^T


def _lstm_grads_on_two_threads(layer, dz, state_grads, need_input_grad):
    """The layer's ``_set_grads`` and ``_grads_in`` after the loop, its products shared by two
    threads, each whole on one BLAS thread: ``dW`` then ``dx`` here, ``dU`` and ``db`` in the worker."""
    found = {}

    def first():
        layer.kernel.grad = layer._weight_grad(layer.xs, dz, layer.input_masks)
        found["dx"] = layer._grads_in(dz, state_grads, need_input_grad)

    def second():
        layer.recurrent_kernel.grad = layer._weight_grad(layer.hs[:-1], dz, layer.state_masks)
        if layer.use_bias:
            layer.bias.grad = layer._bias_grad(dz, dz)
    _on_two_threads(first, second)
    return found["dx"]


# ---------------------------------------------------------------------------------------
# SimpleRNN (tanh) and GRU (reset_after=True, Keras's default)
# ---------------------------------------------------------------------------------------
def simple_rnn_applies(layer, x, training=False) -> bool:
    """Whether :func:`simple_rnn_forward` runs for this call: tanh (Keras's default), as for every twin."""
    from .. import activations  # noqa: PLC0415
    return layer.activation is activations.tanh and _applies(layer, x, training, 1)


def simple_rnn_forward(layer, x, training=False, mask=None):
    """``SimpleRNN.forward``'s numbers: per step the matmul, ``z_t += h_{t-1} U`` and NumPy's tanh
    straight into ``hs[t + 1]`` (numba's carry over padding); sets ``xs``, ``hs``, ``zs``."""
    if not simple_rnn_applies(layer, x, training):
        return None
    k = _kernels
    xs = layer._steps(x, training, mask)
    n, U = layer.units, layer.recurrent_kernel.value
    zs = layer._through(xs, layer.kernel.value, layer.input_masks)   # x_t W (+ b) for every step; z_t in its place
    if layer.use_bias:
        zs += layer.bias.value
    T, batch = xs.shape[0], xs.shape[1]
    hs = _buffer(layer, "hs", (T + 1, batch, n), zs.dtype)
    hs[0] = layer.h0[0]                                  # h_0: zeros (or given, as the readable code)
    hu, new = np.empty((batch, n), zs.dtype), np.empty((batch, n), zs.dtype)
    keep, masked = _step_mask(layer)
    compiled = _compiled(layer, U, batch)
    threads.useful_blas_threads(1)
    if compiled:                                         # the same calls, from one numba loop
        k.rnn_forward_loop(compiled[0], compiled[2], hs, zs, U, keep, masked, hu, new)
    for t in range(0 if compiled else T):
        np.matmul(hs[t], U, out=hu)
        zs[t] += hu                                      # z_t = (x_t W + b) + h_{t-1} U
        if masked:
            np.tanh(zs[t], out=new)
            k.rnn_carry(new, hs[t], hs[t + 1], keep[t])  # h_t = tanh(z_t); padding: h_{t-1}
        else:
            np.tanh(zs[t], out=hs[t + 1])
    threads.useful_blas_threads(None)
    layer.xs, layer.hs, layer.zs = xs, hs, zs
    layer.final_states = [hs[-1]]
    return layer._output(hs)


def simple_rnn_backward(layer, grad, need_input_grad=True):
    """``SimpleRNN.backward`` after :func:`simple_rnn_forward`."""
    T, batch, n = layer.hs.shape[0] - 1, layer.hs.shape[1], layer.units
    if not _grad_fits(layer, grad, T, batch, n, layer.zs.dtype):
        return layer.backward(grad, need_input_grad)
    k, Ut, hs = _kernels, np.ascontiguousarray(layer.recurrent_kernel.value.T), layer.hs   # U^T row by row
    dys, pick = _output_grads(layer, grad, T, batch, n)
    dz = _buffer(layer, "dz", layer.zs.shape, layer.zs.dtype)
    back, skip = np.zeros((batch, n), grad.dtype), np.zeros((batch, n), grad.dtype)
    keep, masked = _step_mask(layer)
    one, zero = grad.dtype.type(1), grad.dtype.type(0)
    compiled = _compiled(layer, Ut, batch)
    threads.useful_blas_threads(1)
    if compiled:                                         # the same calls, from one numba loop
        k.rnn_backward_loop(compiled[0], dys, layer.return_sequences, back, skip, hs, dz, Ut, keep, masked)
    for t in range(-1 if compiled else T - 1, -1, -1):
        k.rnn_backward_step(dys[pick(t)], back, skip, hs[t + 1], dz[t], keep[t % len(keep)], masked, one, zero)
        np.matmul(dz[t], Ut, out=back)                   # sent back to h_{t-1}: dz_t U^T
    threads.useful_blas_threads(None)
    layer._set_grads(layer.xs, hs[:-1], dz, dz)
    return layer._grads_in(dz, [back + skip], need_input_grad)     # dx; dh_0: what reached step 0


def gru_applies(layer, x, training=False) -> bool:
    """Whether :func:`gru_forward` runs: reset_after=True, tanh and sigmoid, as for every twin."""
    from .. import activations  # noqa: PLC0415
    return (layer.reset_after and layer.activation is activations.tanh
            and layer.recurrent_activation is activations.sigmoid and _applies(layer, x, training, 3))


def gru_forward(layer, x, training=False, mask=None):
    """``GRU.forward``'s numbers (reset_after=True): per step the matmul into ``uh[t]``, one numba
    loop for ``+ b'`` and exp's input, NumPy's exp, one loop for z, r and h~'s input, NumPy's
    tanh, one loop for ``h_t``; sets ``xs``, ``xw``, ``uh``, ``hs``, ``z``, ``r``, ``a``, ``hh``."""
    if not gru_applies(layer, x, training):
        return None
    k = _kernels
    xs = layer._steps(x, training, mask)
    n, U = layer.units, layer.recurrent_kernel.value
    b = layer.bias.value if layer.use_bias else np.zeros(layer._bias_shape(), U.dtype)
    xw = layer._through(xs, layer.kernel.value, layer.input_masks)
    xw += b[0]                                           # [xz | xr | xh] = x_t W + b, every step
    b_rec = np.ascontiguousarray(b[1])
    T, batch = xs.shape[0], xs.shape[1]
    hs = _buffer(layer, "hs", (T + 1, batch, n), xw.dtype)
    hs[0] = layer.h0[0]                                  # h_0: zeros (or given, as the readable code)
    uh = _buffer(layer, "uh", (T, batch, 3 * n), xw.dtype)
    z, r, a, hh = (_buffer(layer, name, (T, batch, n), xw.dtype) for name in ("z", "r", "a", "hh"))
    e = np.empty((batch, 2 * n), xw.dtype)
    one = xw.dtype.type(1)
    keep, masked = _step_mask(layer)
    compiled = _compiled(layer, U, batch)
    threads.useful_blas_threads(1)
    if compiled:                                         # the same calls, from one numba loop
        k.gru_forward_loop(*compiled, hs, xw, U, b_rec, uh, z, r, a, hh, keep, masked, e)
    with np.errstate(over="ignore", under="ignore"):     # as activations.sigmoid
        for t in range(0 if compiled else T):
            np.matmul(hs[t], U, out=uh[t])
            k.gru_gates_in(uh[t], b_rec, xw[t], e)       # [uz | ur | uh] = h U + b'; e = -(x + u) for z, r
            np.exp(e, out=e)
            k.gru_candidate_in(e, xw[t], uh[t], z[t], r[t], a[t], one)   # z, r; a = xh + r uh
            np.tanh(a[t], out=hh[t])                     # h~
            k.gru_hidden(z[t], hh[t], hs[t], hs[t + 1], keep[t % len(keep)], masked, one)
    threads.useful_blas_threads(None)
    layer.xs, layer.xw, layer.uh, layer.hs, layer.z, layer.r, layer.a, layer.hh = xs, xw, uh, hs, z, r, a, hh
    layer.final_states = [hs[-1]]
    return layer._output(hs)


def gru_backward(layer, grad, need_input_grad=True):
    """``GRU.backward`` after :func:`gru_forward`."""
    T, batch, n = layer.z.shape
    if not _grad_fits(layer, grad, T, batch, n, layer.xw.dtype):
        return layer.backward(grad, need_input_grad)
    k, Ut, hs = _kernels, np.ascontiguousarray(layer.recurrent_kernel.value.T), layer.hs   # U^T row by row
    dys, pick = _output_grads(layer, grad, T, batch, n)
    dz_in, dz_rec = (_buffer(layer, name, layer.xw.shape, grad.dtype) for name in ("dz_in", "dz_rec"))
    back, hz, skip = (np.zeros((batch, n), grad.dtype) for _ in range(3))
    keep, masked = _step_mask(layer)
    one, zero = grad.dtype.type(1), grad.dtype.type(0)
    z, r, hh, uh = layer.z, layer.r, layer.hh, layer.uh
    compiled = _compiled(layer, Ut, batch)
    threads.useful_blas_threads(1)
    if compiled:                                         # the same calls, from one numba loop
        k.gru_backward_loop(compiled[0], dys, layer.return_sequences, back, hz, skip, z, r, hh, hs, uh, dz_in,
                            dz_rec, Ut, keep, masked)
    for t in range(-1 if compiled else T - 1, -1, -1):
        k.gru_backward_step(dys[pick(t)], back, hz, skip, z[t], r[t], hh[t], hs[t], uh[t], dz_in[t], dz_rec[t],
                            keep[t % len(keep)], masked, one, zero)
        np.matmul(dz_rec[t], Ut, out=back)               # to h_{t-1}: dz'_t U^T (and dh z, in hz)
    threads.useful_blas_threads(None)
    layer._set_grads(layer.xs, hs[:-1], dz_in, dz_rec)
    return layer._grads_in(dz_in, [(hz + back) + skip], need_input_grad)   # dx; dh_0: what reached step 0


# ---------------------------------------------------------------------------------------
# Bidirectional around an LSTM
# ---------------------------------------------------------------------------------------
def bidirectional_forward(layer, x, training=False, mask=None):
    """``Bidirectional.forward`` with each copy's twin (both untouched and their twin applying),
    else None. The merge is Bidirectional's, line for line."""
    from .. import fast  # noqa: PLC0415
    copies = (layer.forward_layer, layer.backward_layer)
    twins = [_RECURRENT.get(type(c)) for c in copies]
    if any(tw is None or not fast.untouched(c) or not tw[0](c, x, training) for tw, c in zip(twins, copies)):
        return None
    y = np.asarray(twins[0][1](copies[0], x, training, mask))
    y_rev = layer._flip(np.asarray(twins[1][1](copies[1], x, training, mask)))
    layer.y, layer.y_rev = y, y_rev
    if layer.merge_mode == "concat":
        return np.concatenate([y, y_rev], axis=-1)
    if layer.merge_mode == "sum":
        return y + y_rev
    if layer.merge_mode == "ave":
        return (y + y_rev) / 2
    return y * y_rev


def bidirectional_backward(layer, grad, need_input_grad=True):
    """``Bidirectional.backward`` after :func:`bidirectional_forward`, each copy through its twin."""
    if layer.merge_mode == "concat":
        units = layer.y.shape[-1]
        dy, dy_rev = grad[..., :units], grad[..., units:]
    elif layer.merge_mode == "sum":
        dy = dy_rev = grad
    elif layer.merge_mode == "ave":
        dy = dy_rev = grad / 2
    else:
        dy, dy_rev = grad * layer.y_rev, grad * layer.y
    forward_copy, backward_copy = layer.forward_layer, layer.backward_layer
    dx = _RECURRENT[type(forward_copy)][2](forward_copy, np.ascontiguousarray(dy), need_input_grad)
    dx_rev = _RECURRENT[type(backward_copy)][2](backward_copy, np.ascontiguousarray(layer._flip(dy_rev)),
                                                need_input_grad)
    return None if dx is None or dx_rev is None else dx + dx_rev


# ---------------------------------------------------------------------------------------
# Embedding: its scatter-add
# ---------------------------------------------------------------------------------------
def embedding_forward(layer, x, training=False):
    """The Embedding's own forward (a gather is already one NumPy call); its backward is the twin."""
    return layer.forward(x, training)


def embedding_backward(layer, grad, need_input_grad=True):
    """``Embedding.backward`` with ``np.add.at`` as a numba loop (the same additions in the same
    order), once numba's loops are loaded for this fit's LSTM or the batch is large; else its own."""
    table = layer.embeddings.value
    grad = np.asarray(grad)
    if (not _kernels and not _worth_it(grad.size)) or not _float(grad, table) \
            or grad.shape != layer.ids.shape + (layer.output_dim,) or _numba() is None:
        return layer.backward(grad, need_input_grad)
    d = np.zeros_like(table)
    if layer.ids.ndim == 2:                              # (batch, steps): the recurrent layer's dx, as it is
        _kernels.scatter_add_steps(layer.ids, grad, d)
    else:
        _kernels.scatter_add_rows(layer.ids.reshape(-1), np.ascontiguousarray(grad.reshape(-1, layer.output_dim)), d)
    layer.embeddings.grad = d                                                 # dE[i] += dY where X == i
    return np.zeros(layer.ids.shape, grad.dtype) if need_input_grad else None


# ---------------------------------------------------------------------------------------
# The step's passes: conv's twins and these
# ---------------------------------------------------------------------------------------
_RECURRENT = {}          # class -> (applies, forward, backward)
_TWINS = None


def _twins():
    global _TWINS
    if _TWINS is None:
        from .. import fast  # noqa: PLC0415 - this module is loaded by glassnet.fast's own import
        from ..layers.bidirectional import Bidirectional  # noqa: PLC0415
        from ..layers.embedding import Embedding  # noqa: PLC0415
        from ..layers.recurrent import GRU, LSTM, SimpleRNN  # noqa: PLC0415
        _RECURRENT.update({LSTM: (lstm_applies, lstm_forward, lstm_backward),
                           GRU: (gru_applies, gru_forward, gru_backward),
                           SimpleRNN: (simple_rnn_applies, simple_rnn_forward, simple_rnn_backward)})
        _TWINS = {**{cls: (forward, backward) for cls, (_, forward, backward) in _RECURRENT.items()},
                  Bidirectional: (bidirectional_forward, bidirectional_backward),
                  Embedding: (embedding_forward, embedding_backward)}
        # the methods whose work a twin does, or which it calls and trusts to be the readable ones
        for cls in _RECURRENT:
            fast.stands_in_for(cls, "forward", "backward", "_steps", "_through", "_output", "_set_grads",
                               "_input_grad", "_weight_grad", "_back_through", "_bias_grad", "_carry", "_split",
                               "_draw_masks", "_output_grads", "_bias_shape", "_grads_in", "_final_grad")
        fast.stands_in_for(Bidirectional, "forward", "backward", "_flip")
        fast.stands_in_for(Embedding, "forward", "backward")
    return _TWINS


class LayerPasses(_conv.LayerPasses):
    """``glassnet.fast.conv.LayerPasses`` with the twins above too, and masks handed to the
    twins that read them: what ``glassnet.engine.step`` calls on the fast path."""

    def __init__(self):
        super().__init__()
        self.twins = {**self.twins, **_twins()}

    def forward(self, layer, x, training=False, mask=None):
        from .. import fast  # noqa: PLC0415
        twin = self.twins.get(type(layer))
        if twin is not None and fast.untouched(layer):
            out = twin[0](layer, x, training) if mask is None else twin[0](layer, x, training, mask)
            if out is not None:
                self.took[id(layer)] = twin[1]
                return out
        self.took.pop(id(layer), None)
        return layer.forward(x, training) if mask is None else layer.forward(x, training, mask=mask)

    def forward_with_mask(self, layer, x, training, mask):
        """``layer.forward_with_mask(x, training, mask)``, through the twins."""
        if mask is not None and layer.uses_mask:           # a layer that reads the mask (the RNNs)
            return self.forward(layer, x, training, mask), layer.compute_mask(x, mask)
        return layer.forward_with_mask(x, training, mask, lambda x, t: self.forward(layer, x, t))
