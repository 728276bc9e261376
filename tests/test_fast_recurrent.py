"""glassnet.fast.recurrent: the fast twins of LSTM, GRU and SimpleRNN (and of Bidirectional
around them, and Embedding's backward) give the readable layers' numbers bit for bit (outputs,
final states, what the forward keeps, every weight gradient, the input gradient, dJ/dh_0), with
padding masks, go_backwards, return_sequences, return_state, input dropout, float64 and inside
Bidirectional; whole fits end with the same weights; and the readable code runs whenever it
should: a replaced or overridden method, a tracer, set_fast_path(False), options the twins do
not cover (stateful too), small layers in "auto", no numba."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import glassnet
from glassnet import fast
from glassnet.fast import recurrent as fast_recurrent
from glassnet.keras import Sequential
from glassnet.keras import layers as L
from glassnet.layers.embedding import Embedding
from glassnet.layers.recurrent import LSTM

pytest.importorskip("numba")


@pytest.fixture
def numba_kernels():
    """The twins at any size (as for a large layer in "auto"), the recurrence on one thread (the
    two-thread path's numbers are checked to 1e-6 below)."""
    fast.set_kernels("numba")
    fast_recurrent.split_batch(False)
    yield
    fast.set_kernels("auto")
    fast_recurrent.split_batch(None)                     # the default


@pytest.fixture
def two_threads(numba_kernels):
    """The LSTM twin's recurrence over two halves of the batch on two threads, at any batch size."""
    fast_recurrent.split_batch(True)
    yield
    fast_recurrent.split_batch(None)


@pytest.fixture
def kernel_calls(monkeypatch):
    """Counts calls of the twins' numba loops (the backward steps and the scatter-add)."""
    kernels = fast_recurrent._numba()
    assert kernels is not None
    counts = {"recurrent": 0, "embedding": 0}

    def counting(name, fn):
        def wrapped(*args):
            counts[name] += 1
            return fn(*args)
        return wrapped
    for name in ("lstm_backward_step", "lstm_backward_loop", "gru_backward_step", "gru_backward_loop",
                 "rnn_backward_step", "rnn_backward_loop"):
        monkeypatch.setattr(kernels, name, counting("recurrent", getattr(kernels, name)))
    monkeypatch.setattr(kernels, "scatter_add_rows", counting("embedding", kernels.scatter_add_rows))
    return counts


def _random(shape, seed, scale=1.0, dtype=None):
    dtype = dtype or glassnet.config.floatx()
    return (np.random.default_rng(seed).normal(size=shape) * scale).astype(dtype)


def _twins(make, x, seed=0):
    """Two copies of ``make()``, built for ``x``, with the same weights (large enough that the
    gates saturate somewhere, small enough that they do not everywhere)."""
    copies = [make(), make()]
    for layer in copies:
        layer.build(x.shape)
    weights = [_random(w.shape, seed + i, 0.6) for i, w in enumerate(copies[0].get_weights())]
    for layer in copies:
        layer.set_weights(weights)
    return copies


def _run(layer, x, grad_seed, mask=None, training=True, fast_path=True):
    """Forward then backward (through the twin when ``fast_path``); everything either computes."""
    if fast_path:
        passes = fast_recurrent.LayerPasses()
        y = passes.forward(layer, x, training, mask)
        took = id(layer) in passes.took
        dx = passes.backward(layer, _random(y.shape, grad_seed, dtype=y.dtype))
    else:
        y = layer.forward(x, training) if mask is None else layer.forward(x, training, mask=mask)
        took = False
        dx = layer.backward(_random(y.shape, grad_seed, dtype=y.dtype))
    states = [s.copy() for s in getattr(layer, "final_states", [])]
    states += [g.copy() for g in getattr(layer, "initial_grads", [])]       # dJ/dh_0 (dJ/dc_0)
    return took, [np.array(y), dx] + [w.grad.copy() for w in layer.weights] + states


def _assert_same(fast_numbers, readable_numbers):
    assert len(fast_numbers) == len(readable_numbers)
    for a, b in zip(fast_numbers, readable_numbers):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def _padding(batch, steps, seed):
    """A (batch, steps) mask: padding at the end, at the start, in the middle, none, all."""
    mask = np.random.default_rng(seed).random((batch, steps)) > 0.3
    mask[0], mask[1] = True, False
    mask[2, :2] = False
    return mask


OPTIONS = [{}, {"return_sequences": True}, {"go_backwards": True}, {"go_backwards": True, "return_sequences": True},
           {"use_bias": False}, {"unit_forget_bias": False, "return_sequences": True}]


KEPT = {"LSTM": ("xs", "hs", "cs", "zs", "acts", "gc"), "GRU": ("xs", "xw", "uh", "hs", "z", "r", "a", "hh"),
        "SimpleRNN": ("xs", "hs", "zs")}


LOOPS = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("kind", sorted(KEPT))
def test_twins_give_the_readable_numbers_bit_for_bit(lstm_loop, kind, options, masked):
    one_loop, calls = lstm_loop
    x = _random((6, 7, 5), 1, 2.0)
    mask = _padding(6, 7, 2) if masked else None
    if kind != "LSTM":
        options = {k: v for k, v in options.items() if k != "unit_forget_bias"}
    fast_layer, readable_layer = _twins(lambda: getattr(L, kind)(4, **options), x)
    took, fast_numbers = _run(fast_layer, x, 3, mask)
    _, readable_numbers = _run(readable_layer, x, 3, mask, fast_path=False)
    assert took
    assert calls == ([f"{LOOPS[kind]}_forward_loop", f"{LOOPS[kind]}_backward_loop"] if one_loop else [])
    _assert_same(fast_numbers, readable_numbers)
    for name in KEPT[kind]:                     # what the readable forward keeps, kept the same
        np.testing.assert_array_equal(getattr(fast_layer, name), getattr(readable_layer, name))


@pytest.fixture(params=[True, False], ids=["one loop", "step by step"])
def lstm_loop(request, numba_kernels, monkeypatch):
    """A recurrence through time as one numba loop calling NumPy's own gemm, exp and tanh, or
    step by step from Python; yields which, and the calls of the one-loop kernels, counted."""
    monkeypatch.setattr(fast_recurrent, "_one_loop", request.param)
    kernels = fast_recurrent._numba()
    calls = []
    for kind in ("lstm", "gru", "rnn"):
        for name in (f"{kind}_forward_loop", f"{kind}_backward_loop"):
            def counting(*args, fn=getattr(kernels, name), name=name):
                calls.append(name)
                return fn(*args)
            monkeypatch.setattr(kernels, name, counting)
    yield request.param, calls


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("options", OPTIONS + [{"dropout": 0.3, "seed": 4}])
def test_the_lstm_recurrence_as_one_loop_gives_the_readable_numbers_bit_for_bit(lstm_loop, options, masked):
    one_loop, calls = lstm_loop
    x = _random((6, 7, 5), 12, 2.0)
    mask = _padding(6, 7, 13) if masked else None
    fast_layer, readable_layer = _twins(lambda: LSTM(4, **options), x)
    took, fast_numbers = _run(fast_layer, x, 14, mask)
    _, readable_numbers = _run(readable_layer, x, 14, mask, fast_path=False)
    assert took and calls == (["lstm_forward_loop", "lstm_backward_loop"] if one_loop else [])
    _assert_same(fast_numbers, readable_numbers)
    for name in KEPT["LSTM"]:
        np.testing.assert_array_equal(getattr(fast_layer, name), getattr(readable_layer, name))


def test_the_lstm_recurrence_as_one_loop_at_the_benchmarks_size(lstm_loop):
    one_loop, calls = lstm_loop
    x = _random((64, 12, 32), 15)                       # bench/lstm.py's batch, features and units
    fast_layer, readable_layer = _twins(lambda: LSTM(64), x)
    took, fast_numbers = _run(fast_layer, x, 16)
    _, readable_numbers = _run(readable_layer, x, 16, fast_path=False)
    assert took and len(calls) == (2 if one_loop else 0)
    _assert_same(fast_numbers, readable_numbers)


@pytest.mark.parametrize("kind", sorted(KEPT))
@pytest.mark.parametrize("shape, units", [((1, 5, 3), 4), ((6, 5, 1), 4), ((6, 5, 3), 1)])
def test_a_product_numpy_would_not_hand_to_gemm_runs_step_by_step(lstm_loop, kind, shape, units):
    """One row, one feature (the LSTM's x_t W) or one unit: np.matmul takes another path than gemm
    (a dot, gemv or its own loop), so the one loop, which calls gemm, is not used; the numbers
    stay NumPy's."""
    one_loop, calls = lstm_loop
    x = _random(shape, 17)
    fast_layer, readable_layer = _twins(lambda: getattr(L, kind)(units, return_sequences=True), x)
    took, fast_numbers = _run(fast_layer, x, 18)
    _, readable_numbers = _run(readable_layer, x, 18, fast_path=False)
    if shape == (6, 5, 1):                       # one feature: only the LSTM's forward multiplies x_t W in its loop
        assert took and "lstm_forward_loop" not in calls and (kind == "LSTM" or len(calls) == 2 * one_loop)
    else:
        assert took and calls == []
    _assert_same(fast_numbers, readable_numbers)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_numpys_own_kernels_are_found_and_checked(numba_kernels, dtype, monkeypatch):
    import glob
    import os

    from glassnet.fast import _numba_recurrent as k
    from glassnet.fast import _numpy_kernels
    here = os.path.dirname(np.__file__)
    bundled = glob.glob(os.path.join(os.path.dirname(here), "numpy.libs", "*openblas*"))
    found = _numpy_kernels.kernels(dtype)
    assert (found is not None) == bool(bundled)           # NumPy's wheels bundle OpenBLAS
    if found is None:
        return
    gemm, exp, tanh = found
    x = _random((50, 7), 19, 5.0, dtype)
    out = np.empty_like(x)
    k.call_loop(exp, x, out)
    np.testing.assert_array_equal(out, np.exp(x))
    k.call_loop(tanh, x, out)
    np.testing.assert_array_equal(out, np.tanh(x))
    b = _random((7, 9), 20, 1.0, dtype)
    prod = np.empty((50, 9), dtype)
    k.call_gemm(gemm, x, b, False, prod)
    np.testing.assert_array_equal(prod, x @ b)
    # a kernel that does not give NumPy's numbers is refused: exp's loop offered as tanh's
    monkeypatch.setattr(_numpy_kernels, "_found", {})
    real = _numpy_kernels._ufunc_loop
    monkeypatch.setattr(_numpy_kernels, "_ufunc_loop", lambda uf, dt: real(np.exp, dt))
    assert _numpy_kernels.kernels(dtype) is None


@pytest.mark.parametrize("kind", sorted(KEPT))
def test_twins_in_float64(numba_kernels, float64, kind):
    x = _random((5, 9, 3), 4, 3.0)
    fast_layer, readable_layer = _twins(lambda: getattr(L, kind)(6, return_sequences=True), x)
    took, fast_numbers = _run(fast_layer, x, 5, _padding(5, 9, 6))
    _, readable_numbers = _run(readable_layer, x, 5, _padding(5, 9, 6), fast_path=False)
    assert took and fast_numbers[0].dtype == np.float64
    _assert_same(fast_numbers, readable_numbers)


@pytest.mark.parametrize("kind", sorted(KEPT))
def test_twins_with_input_dropout_draw_the_same_masks(numba_kernels, kind):
    x = _random((8, 6, 5), 7)
    fast_layer, readable_layer = _twins(lambda: getattr(L, kind)(3, dropout=0.4, seed=11), x)
    took, fast_numbers = _run(fast_layer, x, 8)
    _, readable_numbers = _run(readable_layer, x, 8, fast_path=False)
    assert took and fast_layer.input_masks is not None
    _assert_same(fast_numbers, readable_numbers)


def test_lstm_twin_with_return_state_called_on_data(numba_kernels):
    x = _random((4, 5, 3), 9)
    fast_layer, readable_layer = _twins(lambda: LSTM(3, return_state=True), x)
    out, h, c = readable_layer(x)
    fast_layer._on_data = True                 # as LSTM.__call__ sets it while it runs on data
    try:
        passes = fast_recurrent.LayerPasses()
        y = passes.forward(fast_layer, x)
        assert id(fast_layer) in passes.took
    finally:
        fast_layer._on_data = False
    np.testing.assert_array_equal(y, np.asarray(out))
    np.testing.assert_array_equal(fast_layer.final_states[0], np.asarray(h))
    np.testing.assert_array_equal(fast_layer.final_states[1], np.asarray(c))
    with pytest.raises(ValueError, match="return_state=True works when the layer is called on data"):
        fast_recurrent.LayerPasses().forward(fast_layer, x)   # inside a model: refused, as the readable forward


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul"])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_bidirectional_twin_gives_the_readable_numbers(numba_kernels, kind, merge_mode, return_sequences):
    x = _random((5, 6, 4), 12, 1.5)
    mask = _padding(5, 6, 13)
    make = lambda: L.Bidirectional(getattr(L, kind)(3, return_sequences=return_sequences),  # noqa: E731
                                   merge_mode=merge_mode)
    fast_layer, readable_layer = _twins(make, x)
    took, fast_numbers = _run(fast_layer, x, 14, mask)
    _, readable_numbers = _run(readable_layer, x, 14, mask, fast_path=False)
    assert took
    _assert_same(fast_numbers, readable_numbers)


def test_embedding_scatter_add_is_np_add_at(numba_kernels):
    ids = np.random.default_rng(15).integers(0, 7, size=(9, 11))      # every id many times over
    fast_layer, readable_layer = _twins(lambda: Embedding(7, 5), ids)
    took, fast_numbers = _run(fast_layer, ids, 16)
    _, readable_numbers = _run(readable_layer, ids, 16, fast_path=False)
    assert took
    _assert_same(fast_numbers, readable_numbers)


@pytest.mark.parametrize("shape", [(40,), (9, 11), (4, 5, 6)])
def test_embedding_scatter_add_of_a_transposed_gradient(numba_kernels, shape):
    """The gradient as a recurrent layer hands it back (a transposed view of its steps), or any
    ids' shape: the same additions in the same order as np.add.at."""
    ids = np.random.default_rng(21).integers(0, 7, size=shape)
    fast_layer, readable_layer = _twins(lambda: Embedding(7, 5), ids)
    for layer in (fast_layer, readable_layer):
        layer.forward(ids, True)
    grad = _random(shape[::-1] + (5,), 22, 3.0)
    grad = np.moveaxis(grad, list(range(len(shape))), list(range(len(shape)))[::-1])   # (shape..., 5), strided
    assert grad.shape == shape + (5,) and (len(shape) == 1 or not grad.flags.c_contiguous)
    fast_recurrent.embedding_backward(fast_layer, grad)
    readable_layer.backward(grad)
    np.testing.assert_array_equal(fast_layer.embeddings.grad, readable_layer.embeddings.grad)


# -- the LSTM's recurrence on two threads (one half of the batch each) ---------------------------------
def _assert_close(fast_numbers, readable_numbers, rtol=1e-6):
    """Equal within ``rtol`` of each array's largest magnitude (the issue's tolerance where the
    order of operations may differ: a BLAS product of half the rows)."""
    assert len(fast_numbers) == len(readable_numbers)
    for a, b in zip(fast_numbers, readable_numbers):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=rtol * max(1.0, float(np.max(np.abs(b)))))


@pytest.fixture
def helper_threads(monkeypatch):
    """The threads that ran the LSTM's backward steps, and the BLAS thread count each saw."""
    import threading

    from glassnet.fast import threads
    kernels = fast_recurrent._numba()
    seen = []

    def recording(fn, steps):
        def wrapped(*args):
            seen.append((threading.get_ident(), threads._current, steps(args)))
            return fn(*args)
        return wrapped
    monkeypatch.setattr(kernels, "lstm_backward_step", recording(kernels.lstm_backward_step, lambda args: 1))
    monkeypatch.setattr(kernels, "lstm_backward_loop",                   # the whole loop: dz's steps
                        recording(kernels.lstm_backward_loop, lambda args: args[9].shape[0]))
    return seen


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("options", OPTIONS + [{"dropout": 0.3, "seed": 4}])
def test_lstm_on_two_threads_gives_the_readable_numbers(two_threads, lstm_loop, helper_threads, options, masked):
    x = _random((7, 9, 5), 31, 2.0)                     # an odd batch: halves of 3 and 4 rows
    mask = _padding(7, 9, 32) if masked else None
    fast_layer, readable_layer = _twins(lambda: LSTM(6, **options), x)
    took, fast_numbers = _run(fast_layer, x, 33, mask)
    _, readable_numbers = _run(readable_layer, x, 33, mask, fast_path=False)
    assert took
    _assert_close(fast_numbers, readable_numbers)
    for name in KEPT["LSTM"]:
        _assert_close([getattr(fast_layer, name)], [getattr(readable_layer, name)])
    assert len({ident for ident, _, _ in helper_threads}) == 2    # both halves' steps, each on its thread
    assert sum(steps for _, _, steps in helper_threads) == 2 * 9
    one_loop, calls = lstm_loop
    assert len(calls) == (4 if one_loop else 0)                   # a loop each way for each half


def test_lstm_on_two_threads_in_float64_and_inside_bidirectional(two_threads, float64):
    x = _random((10, 8, 3), 34, 3.0)
    make = lambda: L.Bidirectional(LSTM(5, return_sequences=True))  # noqa: E731
    fast_layer, readable_layer = _twins(make, x)
    took, fast_numbers = _run(fast_layer, x, 35, _padding(10, 8, 36))
    _, readable_numbers = _run(readable_layer, x, 35, _padding(10, 8, 36), fast_path=False)
    assert took and fast_numbers[0].dtype == np.float64
    _assert_close(fast_numbers, readable_numbers, rtol=1e-12)


def test_the_two_threads_run_blas_on_one_thread_each_and_give_back_the_setting(two_threads, helper_threads):
    glassnet.config.set_num_threads(2)                  # fixed: useful_blas_threads(1) would leave BLAS at 2
    try:
        x = _random((8, 5, 3), 37)
        layer = _twins(lambda: LSTM(4), x)[0]
        _run(layer, x, 38)
        assert {blas for _, blas, _ in helper_threads} == {1}
        assert glassnet.config.get_num_threads() == 2 and fast_recurrent.threads._current == 2
    finally:
        glassnet.config.set_num_threads(None)


def test_an_error_in_the_helper_thread_reaches_the_caller(two_threads, monkeypatch):
    import threading
    kernels = fast_recurrent._numba()
    main = threading.get_ident()

    def failing(fn):
        def wrapped(*args):
            if threading.get_ident() != main:
                raise FloatingPointError("in the helper")
            return fn(*args)
        return wrapped
    monkeypatch.setattr(kernels, "lstm_cell", failing(kernels.lstm_cell))                   # step by step
    monkeypatch.setattr(kernels, "lstm_forward_loop", failing(kernels.lstm_forward_loop))   # or one loop
    x = _random((6, 4, 3), 39)
    layer = _twins(lambda: LSTM(4), x)[0]
    with pytest.raises(FloatingPointError, match="in the helper"):
        fast_recurrent.LayerPasses().forward(layer, x)


def test_saturated_gates_warn_in_neither_thread(two_threads):
    import warnings
    x = _random((6, 4, 3), 40, 1e4)                       # exp(-z) overflows: sigmoid's 0, silently
    fast_layer, readable_layer = _twins(lambda: LSTM(4), x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, fast_numbers = _run(fast_layer, x, 41)
    _, readable_numbers = _run(readable_layer, x, 41, fast_path=False)
    _assert_close(fast_numbers, readable_numbers)


def test_when_the_recurrence_takes_two_threads(numba_kernels, monkeypatch):
    with pytest.raises(ValueError, match="split_batch: mode must be None, True or False, got 2"):
        fast_recurrent.split_batch(2)
    products = [(np.dtype("float32"), 64, 256)]
    assert fast_recurrent._halves(64, products) is None           # False (the fixture): never
    fast_recurrent.split_batch(None)
    monkeypatch.setattr(fast_recurrent, "_rows_agree", lambda *args: True)
    glassnet.config.set_num_threads(2)                  # a second core to use
    try:
        assert fast_recurrent._halves(64, products) == (slice(0, 32), slice(32, 64))
        assert fast_recurrent._halves(31, products) is None       # halves under 16 rows: one thread
        monkeypatch.setattr(fast_recurrent, "_rows_agree", lambda *args: False)
        assert fast_recurrent._halves(64, products) is None       # the halves' products would differ
        monkeypatch.setattr(fast_recurrent, "_rows_agree", lambda *args: True)
        glassnet.config.set_num_threads(1)
        assert fast_recurrent._halves(64, products) is None       # no second core
    finally:
        glassnet.config.set_num_threads(None)
    fast_recurrent.split_batch(True)
    monkeypatch.setattr(fast_recurrent, "_rows_agree", lambda *args: False)
    assert fast_recurrent._halves(3, products) == (slice(0, 1), slice(1, 3)) and fast_recurrent._halves(1) is None
    fast_recurrent.split_batch(False)
    assert fast_recurrent._split is False


def test_the_recurrence_takes_two_threads_when_free_by_default():
    done = subprocess.run([sys.executable, "-c", "import glassnet.fast.recurrent as r; print(r._split)"],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "None", done.stderr[-2000:]


@pytest.mark.parametrize("batch, k, n, strided", [(64, 64, 256, False), (64, 32, 256, True), (64, 256, 64, False),
                                                  (16, 512, 128, False), (34, 7, 28, True), (40, 128, 512, False)])
def test_the_row_check_says_whether_blas_gives_the_halves_the_same_bits(numba_kernels, batch, k, n, strided):
    """_rows_agree against the products themselves (on this BLAS; OpenBLAS 0.3.31 here gives 16
    rows by 512 x 128 other bits for 8 rows than for 16, the bench's shapes the same)."""
    rng = np.random.default_rng(50)
    a = rng.normal(size=(batch, 2, k) if strided else (batch, k)).astype("float32")
    a = a[:, 0] if strided else a
    b = rng.normal(size=(k, n)).astype("float32")
    whole = a @ b
    with fast_recurrent.threads.blas_pinned(1):
        same = all(np.array_equal(a[r] @ b, whole[r]) for r in (slice(0, batch // 2), slice(batch // 2, batch)))
    assert fast_recurrent._rows_agree(batch, np.float32, k, n, strided) == same


def test_a_step_block_is_checked_contiguous_before_the_one_loop(numba_kernels):
    hs = np.zeros((5, 64, 8), "float32")
    keep = np.ones((5, 64), bool)
    assert fast_recurrent._blocks_contiguous((hs, hs[:, :32], hs[:, 32:], keep[:, 32:]), (2, 2, 2, 1))
    assert not fast_recurrent._blocks_contiguous((hs[:, :, :4],), (2,))           # rows not next to each other
    assert not fast_recurrent._blocks_contiguous((hs.transpose(1, 0, 2),), (2,))
    assert fast_recurrent._blocks_contiguous((np.zeros((5, 64, 16))[:, :1, :8],), (2,))   # one row: its stride unread
    assert not fast_recurrent._blocks_contiguous((hs[:, :1, ::2],), (2,))
    assert not fast_recurrent._blocks_contiguous((keep[:, ::2],), (1,))


@pytest.fixture
def two_thread_calls(monkeypatch):
    """How many times the LSTM twin handed work to the worker thread (the loop's halves, the
    products after the backward loop)."""
    calls = []
    handing = fast_recurrent._on_two_threads
    monkeypatch.setattr(fast_recurrent, "_on_two_threads",
                        lambda first, second: calls.append(1) or handing(first, second))
    return calls


@pytest.mark.parametrize("options", [{}, {"return_sequences": True, "go_backwards": True}])
@pytest.mark.parametrize("masked", [False, True])
def test_by_default_with_a_free_core_the_lstm_takes_two_threads_with_the_readable_numbers(
        numba_kernels, lstm_loop, helper_threads, two_thread_calls, options, masked):
    """split_batch(None), the default, with a second core: two threads where every product checks
    out the same (the bench's shapes, here) and the loops are one numba call each, the readable
    numbers bit for bit either way."""
    fast_recurrent.split_batch(None)
    glassnet.config.set_num_threads(2)
    try:
        x = _random((64, 6, 32), 51)                          # bench/lstm.py's batch, features and units
        mask = _padding(64, 6, 52) if masked else None
        fast_layer, readable_layer = _twins(lambda: LSTM(64, **options), x)
        took, fast_numbers = _run(fast_layer, x, 53, mask)
        _, readable_numbers = _run(readable_layer, x, 53, mask, fast_path=False)
        split = lstm_loop[0] and all(fast_recurrent._rows_agree(64, np.float32, *p)     # one numba loop each
                                     for p in ((64, 256), (256, 64), (32, 256, True)))
        after = split and fast_recurrent._grads_on_two_threads(fast_layer, fast_layer.zs)
    finally:
        glassnet.config.set_num_threads(None)
    assert took
    _assert_same(fast_numbers, readable_numbers)
    for name in KEPT["LSTM"]:
        np.testing.assert_array_equal(getattr(fast_layer, name), getattr(readable_layer, name))
    assert len({ident for ident, _, _ in helper_threads}) == (2 if split else 1)
    assert len(two_thread_calls) == (3 if after else 2 if split else 0)    # forward, backward loop, its products


def test_the_two_halves_run_one_after_the_other_inside_glassnets_own_worker(two_threads, helper_threads):
    """A fit run as a task of glassnet's pool (one worker on two cores) cannot hand work to that
    worker and wait for it: both halves run in the worker, the numbers as on two threads."""
    x = _random((8, 5, 3), 56)
    inside, outside = _twins(lambda: LSTM(4), x)
    _, on_two = _run(outside, x, 57)
    helper_threads.clear()
    _, in_worker = fast._pool().submit(_run, inside, x, 57).result(timeout=60)
    assert len({ident for ident, _, _ in helper_threads}) == 1 and len(helper_threads) == 2
    _assert_same(in_worker, on_two)


def test_by_default_the_recurrence_stays_on_one_thread_when_it_would_run_step_by_step(
        numba_kernels, helper_threads, two_thread_calls, monkeypatch):
    monkeypatch.setattr(fast_recurrent, "_one_loop", False)          # as without NumPy's kernels
    monkeypatch.setattr(fast_recurrent, "_rows_agree", lambda *args: True)
    fast_recurrent.split_batch(None)
    glassnet.config.set_num_threads(2)
    try:
        x = _random((64, 4, 8), 58)
        fast_layer, readable_layer = _twins(lambda: LSTM(16), x)
        took, fast_numbers = _run(fast_layer, x, 59)
    finally:
        glassnet.config.set_num_threads(None)
    _, readable_numbers = _run(readable_layer, x, 59, fast_path=False)
    assert took and len({ident for ident, _, _ in helper_threads}) == 1 and two_thread_calls == []
    _assert_same(fast_numbers, readable_numbers)


def test_the_products_after_the_loop_stay_on_one_thread_where_blas_would_differ(two_threads, two_thread_calls,
                                                                              monkeypatch):
    x = _random((8, 5, 3), 54)
    fast_layer, readable_layer = _twins(lambda: LSTM(4), x)
    monkeypatch.setattr(fast_recurrent, "_whole_agrees", lambda *args: False)
    _, fast_numbers = _run(fast_layer, x, 55)
    assert len(two_thread_calls) == 2                     # the two loops; dW, dU, dx by _set_grads as one thread
    monkeypatch.setattr(fast_recurrent, "_whole_agrees", lambda *args: True)
    _, again = _run(fast_layer, x, 55)
    assert len(two_thread_calls) == 5
    _, readable_numbers = _run(readable_layer, x, 55, fast_path=False)
    _assert_close(fast_numbers, readable_numbers)
    _assert_same(again, fast_numbers)


# -- whole fits: the same weights either way ---------------------------------------------------
STEPS, VOCAB = 12, 30


def _text_data():
    rng = np.random.default_rng(0)
    ids = rng.integers(1, VOCAB, size=(40, STEPS))
    lengths = rng.integers(2, STEPS + 1, size=40)
    ids[np.arange(STEPS)[None, :] >= lengths[:, None]] = 0                 # padded at the end
    y = (ids[:, 0] > VOCAB // 2).astype("float32")[:, None]
    return ids, y


MODELS = {
    "masked LSTM": lambda: [L.Embedding(VOCAB, 8, mask_zero=True), L.LSTM(6), L.Dense(1)],
    "go_backwards sequences": lambda: [L.Embedding(VOCAB, 8), L.LSTM(5, go_backwards=True, return_sequences=True),
                                       L.GlobalAveragePooling1D(), L.Dense(1)],
    "stacked, masked Bidirectional": lambda: [L.Embedding(VOCAB, 8, mask_zero=True),
                                              L.Bidirectional(L.LSTM(4, return_sequences=True)),
                                              L.LSTM(3), L.Dense(1)],
    "masked GRU and SimpleRNN": lambda: [L.Embedding(VOCAB, 8, mask_zero=True), L.GRU(5, return_sequences=True),
                                         L.SimpleRNN(4), L.Dense(1)],
}


def _fit(make_layers, epochs=3):
    glassnet.utils.set_random_seed(5)
    model = Sequential([L.Input((STEPS,))] + make_layers())
    model.compile(glassnet.optimizers.Adam(0.01), glassnet.losses.BinaryCrossentropy(from_logits=True))
    ids, y = _text_data()
    history = model.fit(ids, y, epochs=epochs, batch_size=16, verbose=0)
    return history.history["loss"], model.get_weights()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_fit_ends_with_the_same_weights_either_way(numba_kernels, kernel_calls, name):
    losses, weights = _fit(MODELS[name])
    assert kernel_calls["recurrent"] > 0                    # the twin ran ...
    calls = dict(kernel_calls)
    glassnet.config.set_fast_path(False)
    try:
        readable_losses, readable_weights = _fit(MODELS[name])
    finally:
        glassnet.config.set_fast_path(True)
    assert kernel_calls == calls                       # ... and here it did not
    assert losses == readable_losses
    for a, b in zip(weights, readable_weights):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["masked LSTM", "stacked, masked Bidirectional"])
def test_fit_with_the_recurrence_on_two_threads_ends_with_the_readable_weights(two_threads, kernel_calls, name):
    losses, weights = _fit(MODELS[name])
    assert kernel_calls["recurrent"] > 0
    glassnet.config.set_fast_path(False)
    try:
        readable_losses, readable_weights = _fit(MODELS[name])
    finally:
        glassnet.config.set_fast_path(True)
    np.testing.assert_allclose(losses, readable_losses, rtol=1e-6)
    _assert_close(weights, readable_weights)


# -- the readable code runs when it should -------------------------------------------------------
def test_a_print_in_lstm_backward_prints_during_fit(numba_kernels, kernel_calls, monkeypatch, capsys):
    readable = LSTM.backward

    def backward(self, grad, need_input_grad=True):
        print("LSTM.backward runs")
        return readable(self, grad, need_input_grad)
    monkeypatch.setattr(LSTM, "backward", backward)
    _fit(MODELS["masked LSTM"], epochs=1)
    assert capsys.readouterr().out.count("LSTM.backward runs") == 3       # 40 samples, batches of 16
    assert kernel_calls["recurrent"] == 0


def test_a_method_replaced_on_one_layer_or_a_subclass_runs(numba_kernels, kernel_calls):
    seen = []

    class MyLSTM(LSTM):
        def forward(self, x, training=False, mask=None):
            seen.append("subclass")
            return super().forward(x, training, mask)
    model_layers = [L.Embedding(VOCAB, 8), MyLSTM(4), L.Dense(1)]
    _fit(lambda: model_layers, epochs=1)
    assert seen == ["subclass"] * 3 and kernel_calls["recurrent"] == 0

    def make():
        lstm = L.LSTM(4)
        original = lstm.backward
        lstm.backward = lambda grad, need_input_grad=True: seen.append("object") or original(grad, need_input_grad)
        return [L.Embedding(VOCAB, 8), lstm, L.Dense(1)]
    _fit(make, epochs=1)
    assert seen.count("object") == 3 and kernel_calls["recurrent"] == 0


def test_a_replaced_method_inside_bidirectional_runs(numba_kernels, kernel_calls, monkeypatch):
    calls = []
    readable = LSTM._set_grads
    monkeypatch.setattr(LSTM, "_set_grads", lambda self, *a: calls.append(1) or readable(self, *a))
    _fit(MODELS["stacked, masked Bidirectional"], epochs=1)
    assert len(calls) == 3 * 3 and kernel_calls["recurrent"] == 0              # two copies and the LSTM after


def test_set_fast_path_false_and_a_tracer_run_the_readable_code(numba_kernels, kernel_calls):
    glassnet.config.set_fast_path(False)
    try:
        _fit(MODELS["masked LSTM"], epochs=1)
    finally:
        glassnet.config.set_fast_path(True)
    assert kernel_calls["recurrent"] == 0
    before = sys.gettrace()
    sys.settrace(lambda frame, event, arg: None)
    try:
        _fit(MODELS["masked LSTM"], epochs=1)
    finally:
        sys.settrace(before)
    assert kernel_calls["recurrent"] == 0
    _fit(MODELS["masked LSTM"], epochs=1)
    assert kernel_calls["recurrent"] > 0


@pytest.mark.parametrize("make", [lambda: LSTM(3, recurrent_dropout=0.3), lambda: LSTM(3, activation="relu"),
                                  lambda: LSTM(3, recurrent_activation="hard_sigmoid"),
                                  lambda: L.GRU(3, reset_after=False), lambda: L.GRU(3, recurrent_dropout=0.2),
                                  lambda: L.SimpleRNN(3, activation="relu"), lambda: LSTM(3, stateful=True)])
def test_options_without_a_twin_take_the_readable_code(numba_kernels, make):
    x = _random((4, 5, 3), 20)
    fast_layer, readable_layer = _twins(make, x)
    took, fast_numbers = _run(fast_layer, x, 21)
    _, readable_numbers = _run(readable_layer, x, 21, fast_path=False)
    assert not took
    if getattr(fast_layer, "recurrent_dropout", 0) == 0:           # (dropout draws differ per copy)
        _assert_same(fast_numbers, readable_numbers)


def test_auto_takes_the_twin_for_large_layers_only():
    fast.set_kernels("auto")
    small, large = LSTM(4), LSTM(16)
    small.build((8, 10, 3))
    large.build((64, 64, 3))
    passes = fast_recurrent.LayerPasses()
    passes.forward(small, _random((8, 10, 3), 22))
    assert id(small) not in passes.took                            # 8 * 10 * 16 numbers: not worth numba
    passes.forward(large, _random((64, 64, 3), 23))                # 64 * 64 * 64 = 2**18
    assert id(large) in passes.took
    fast.set_kernels("numpy")
    try:
        passes.forward(large, _random((64, 64, 3), 23))
        assert id(large) not in passes.took
    finally:
        fast.set_kernels("auto")


def test_without_numba_the_readable_code_runs(numba_kernels, monkeypatch):
    monkeypatch.setattr(fast_recurrent, "_kernels", False)          # as when importing numba failed
    layer, x = LSTM(3), _random((4, 5, 3), 24)
    layer.build(x.shape)
    passes = fast_recurrent.LayerPasses()
    y = passes.forward(layer, x, True)
    assert id(layer) not in passes.took and y.shape == (4, 3)


def test_glassnet_and_the_fast_path_modules_import_without_numba():
    code = ("import sys, glassnet, glassnet.engine.fastpath, glassnet.fast.recurrent\n"
            "assert 'numba' not in sys.modules, 'numba imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
