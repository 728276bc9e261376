"""The compiled epoch (glassnet.fast.epoch) against the readable step.

Each step from the same start must agree with ``glassnet.engine.step.train_step`` on the
readable path (``set_fast_path(False)``) within 1e-6 relative: the loss, every weight, every
optimizer slot, for each activation, loss and optimizer the loop supports, in float32 and
float64; and whole fits of a few epochs must agree the same way (the shuffling is fit's own,
so both see the same batches). Then the rule: where the compiled epoch must stand aside, it does.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import glassnet
from glassnet.callbacks import Callback, CallbackList
from glassnet.engine import step as readable
from glassnet.engine.training import ArrayBatches
from glassnet.keras import Input, Sequential, losses, optimizers, regularizers
from glassnet.keras.layers import Dense

pytest.importorskip("numba")
from glassnet.fast import epoch as fast_epoch  # noqa: E402

TOL = 1e-6


@pytest.fixture(scope="module", autouse=True)
def _loops_compiled():
    """The loops in numba's cache before any test here expects the compiled epoch to run: a
    clean CI machine's cache is empty, and fits never compile them (glassnet.fast.compile).
    Then forgotten as loaded, so later test files' fits weigh numba's load afresh."""
    loaded = set(fast_epoch._loaded)
    fast_epoch.compile_now()
    fast_epoch._loaded.intersection_update(loaded)


@pytest.fixture(autouse=True)
def _numba_kernels(monkeypatch):
    """The compiled epoch whatever the work ahead; after, the settings put back, and the
    loops forgotten as loaded (later tests' fits then weigh numba's load afresh)."""
    monkeypatch.setattr(fast_epoch, "_numba_worth_it", lambda dtype, steps, asked=False, weights=0: fast_epoch.fast.kernels() != "numpy")
    monkeypatch.setattr(fast_epoch, "_loaded", set())
    yield
    glassnet.config.set_kernels("auto")
    glassnet.config.set_fast_path(True)
    glassnet.config.set_compiled_epoch(True)
    glassnet.config.set_floatx("float32")
    glassnet.config.set_num_threads(None)


def _data(dtype, loss, n=75, features=12, outputs=3, seed=4):
    rng = np.random.default_rng(seed)
    x = rng.random((n, features)).astype(dtype)
    if loss == "scce" or loss == "softmax":
        return x, rng.integers(0, outputs, n)
    if loss == "bce":
        return x, (x[:, :outputs] + x[:, outputs:2 * outputs] > 1).astype(dtype)
    return x, (x[:, :outputs] * 2 - x[:, outputs:2 * outputs]).astype(dtype)        # mse


def _model(dtype, hidden, loss, optimizer, regularizer=None, features=12, outputs=3):
    glassnet.config.set_floatx(np.dtype(dtype).name)
    glassnet.utils.set_random_seed(7)
    last = {"bce": "sigmoid", "scce": None, "softmax": "softmax", "mse": "linear"}[loss]
    model = Sequential([Input(shape=(features,)),
                        Dense(9, activation=hidden, kernel_regularizer=regularizer),
                        Dense(7, activation=hidden),
                        Dense(outputs, activation=last, kernel_regularizer=regularizer)])
    loss_fn = {"bce": losses.BinaryCrossentropy(), "scce": losses.SparseCategoricalCrossentropy(from_logits=True),
               "softmax": losses.SparseCategoricalCrossentropy(), "mse": losses.MeanSquaredError()}[loss]
    model.compile(optimizer=optimizer(), loss=loss_fn)
    return model                # floatx stays the model's (fit casts x to it); the fixture puts it back


OPTIMIZERS = {
    "sgd": lambda: optimizers.SGD(0.05),
    "sgd-nesterov": lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda: optimizers.RMSprop(0.01),
    "rmsprop-centered-momentum": lambda: optimizers.RMSprop(0.01, centered=True, momentum=0.5),
    "adam": lambda: optimizers.Adam(0.01),
    "adamw-amsgrad": lambda: optimizers.AdamW(0.01, amsgrad=True),
}


def _counting(calls):
    """``Epochs.run`` that notes each epoch it runs in ``calls`` (not plan's dry call)."""
    run = fast_epoch.Epochs.run

    def counted(self, data, dry=False):
        if not dry:
            calls.append(1)
        return run(self, data, dry)
    return counted


def _relative(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def _state(model):
    return [v.value.copy() for v in model.trainable_weights] + [s.copy() for s in model.optimizer.variables()]


def _compiled_run(model, x, y, batch_size, shuffle=False):
    """One epoch through glassnet.fast.epoch, as fit runs it (its losses)."""
    data = ArrayBatches(x, y, None, batch_size, shuffle)
    runner = fast_epoch.plan(model, data, CallbackList([], model, {}))
    assert runner is not None, "the compiled epoch should apply here"
    return runner.run(data)


def _assert_close(compiled, reference, dtype, what):
    """float64: every weight and optimizer slot within 1e-9 of its array's largest value (it
    is about 1e-14: only the sums' order differs). float32, whose own rounding is 6e-8:
    each weight within 1e-6 of the model's largest weight (a bias one step from zero differs
    by up to 2.3e-6 of its own largest value: float32 sums in another order), each slot within
    1e-5 of its largest (RMSprop's and Adam's divide by the gradient's root mean square, which
    amplifies the gradient's rounding where |g| is near sqrt(epsilon))."""
    got, want = _state(compiled), _state(reference)
    n = len(reference.trainable_weights)
    scale = max(float(np.max(np.abs(w))) for w in want[:n])
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape
        if dtype == np.float64:
            assert _relative(g, w) <= 1e-9, f"{what}: array {i} differs by {_relative(g, w):.3g} relative"
        elif i < n:
            assert float(np.max(np.abs(g.astype(np.float64) - w))) <= TOL * scale, f"{what}: weight {i}"
        else:
            assert _relative(g, w) <= 1e-5, f"{what}: slot {i - n} differs by {_relative(g, w):.3g} relative"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hidden, loss, optimizer", [
    ("sigmoid", "bce", "rmsprop"),                  # the seed's kind
    ("relu", "scce", "adam"),
    ("tanh", "mse", "sgd-nesterov"),
    ("linear", "bce", "sgd"),
    ("relu", "softmax", "rmsprop-centered-momentum"),
    ("sigmoid", "mse", "adamw-amsgrad"),
    ("tanh", "scce", "rmsprop"),
    ("relu", "bce", "adam"),
])
@pytest.mark.parametrize("products", ["numpy", "loops"])
def test_each_step_agrees_with_the_readable_step(dtype, hidden, loss, optimizer, products, monkeypatch):
    """``products``: NumPy's own gemm, exp and tanh called from the loop, or, where they are
    not found (another BLAS), the module's own loops."""
    if products == "loops":
        monkeypatch.setattr(fast_epoch, "_LOOPS", {np.dtype(dtype): (None,) * 6})
    elif None in fast_epoch._numpy_loops(np.dtype(dtype)):
        pytest.skip("NumPy's own BLAS and ufunc loops are not found in this NumPy build")
    x, y = _data(dtype, loss)
    reference = _model(dtype, hidden, loss, OPTIMIZERS[optimizer])
    compiled = _model(dtype, hidden, loss, OPTIMIZERS[optimizer])
    glassnet.config.set_fast_path(False)
    batch = 16
    for k, start in enumerate(range(0, len(x), batch)):       # the last batch has 11 rows
        xb, yb = x[start:start + batch], y[start:start + batch]
        if k:                                                  # the same start as the reference's
            for v, w in zip(compiled.trainable_weights, reference.trainable_weights):
                v.value = w.value
            compiled.optimizer.set_state(reference.optimizer.variables())
        glassnet.config.set_fast_path(False)
        want, _ = readable.train_step(reference, xb, yb)
        glassnet.config.set_fast_path(True)
        (got,) = _compiled_run(compiled, xb, yb, batch)
        assert compiled.optimizer.iterations == reference.optimizer.iterations == k + 1
        if products == "numpy":                 # NumPy's own kernels, called in NumPy's order: exact
            assert got == want, (k, got, want)
            for i, (g, w) in enumerate(zip(_state(compiled), _state(reference))):
                np.testing.assert_array_equal(g, w, err_msg=f"step {k}, array {i}")
            continue
        assert abs(got - want) <= TOL * abs(want), (k, got, want)
        _assert_close(compiled, reference, dtype, f"step {k}")
        for v, w in zip(compiled.trainable_weights, reference.trainable_weights):   # the gradients left
            assert np.max(np.abs(v.grad - w.grad)) <= 1e-5 * max(np.max(np.abs(w.grad)), 1e-30)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hidden, loss, optimizer", [("sigmoid", "bce", "rmsprop"), ("relu", "mse", "adam")])
def test_one_unit_layers_step_by_step(dtype, hidden, loss, optimizer):
    """One output unit (the seed's): NumPy multiplies by a column with gemv, and sums a
    one-column bias gradient pairwise; the loop too: bit for bit."""
    if None in fast_epoch._numpy_loops(np.dtype(dtype)):
        pytest.skip("NumPy's own BLAS and ufunc loops are not found in this NumPy build")
    x, y = _data(dtype, loss, outputs=1)
    reference = _model(dtype, hidden, loss, OPTIMIZERS[optimizer], outputs=1)
    compiled = _model(dtype, hidden, loss, OPTIMIZERS[optimizer], outputs=1)
    for start in range(0, len(x), 16):
        xb, yb = x[start:start + 16], y[start:start + 16]
        glassnet.config.set_fast_path(False)
        want, _ = readable.train_step(reference, xb, yb)
        glassnet.config.set_fast_path(True)
        (got,) = _compiled_run(compiled, xb, yb, 16)
        assert got == want
        for g, w in zip(_state(compiled), _state(reference)):
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("regularizer", [regularizers.L2(0.01), regularizers.L1L2(l1=0.003, l2=0.02)])
def test_kernel_regularizers_step_by_step(dtype, regularizer):
    x, y = _data(dtype, "bce")
    reference = _model(dtype, "relu", "bce", OPTIMIZERS["rmsprop"], regularizer)
    compiled = _model(dtype, "relu", "bce", OPTIMIZERS["rmsprop"], regularizer)
    for start in range(0, len(x), 25):
        xb, yb = x[start:start + 25], y[start:start + 25]
        glassnet.config.set_fast_path(False)
        want, _ = readable.train_step(reference, xb, yb)
        glassnet.config.set_fast_path(True)
        (got,) = _compiled_run(compiled, xb, yb, 25)
        if None not in fast_epoch._numpy_loops(np.dtype(dtype)):      # NumPy's kernels: exact
            assert got == want
            for g, w in zip(_state(compiled), _state(reference)):
                np.testing.assert_array_equal(g, w)
        assert abs(got - want) <= TOL * abs(want)
        _assert_close(compiled, reference, dtype, "regularized step")
        for v, w in zip(compiled.trainable_weights, reference.trainable_weights):     # the same start
            v.value = w.value
        compiled.optimizer.set_state(reference.optimizer.variables())


def _fit(model, x, y, epochs, **kw):
    history = model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, **kw)
    return history.history["loss"], _state(model)


@pytest.mark.parametrize("dtype, hidden, loss, optimizer", [
    (np.float64, "sigmoid", "bce", "rmsprop"),
    (np.float32, "sigmoid", "bce", "rmsprop"),
    (np.float32, "relu", "scce", "adam"),
    (np.float64, "tanh", "mse", "sgd-nesterov"),
])
@pytest.mark.parametrize("products", ["numpy", "loops"])
def test_whole_fits_agree_with_the_readable_fit(dtype, hidden, loss, optimizer, products, monkeypatch):
    if products == "loops":
        monkeypatch.setattr(fast_epoch, "_LOOPS", {np.dtype(dtype): (None,) * 6})
    x, y = _data(dtype, loss)
    calls = []
    monkeypatch.setattr(fast_epoch.Epochs, "run", _counting(calls))
    glassnet.config.set_fast_path(False)
    reference = _model(dtype, hidden, loss, OPTIMIZERS[optimizer])
    glassnet.utils.set_random_seed(11)
    want_losses, want_state = _fit(reference, x, y, 4)
    want_draw = glassnet.utils.rng().random()
    assert not calls
    glassnet.config.set_fast_path(True)
    model = _model(dtype, hidden, loss, OPTIMIZERS[optimizer])
    glassnet.utils.set_random_seed(11)
    got_losses, got_state = _fit(model, x, y, 4)
    assert glassnet.utils.rng().random() == want_draw, "fit's shuffles drawn the same way"
    assert len(calls) == 4, "each epoch in one compiled call"
    assert model.optimizer.iterations == 20
    if None not in fast_epoch._numpy_loops(np.dtype(dtype)):        # NumPy's kernels: the same fit exactly
        assert got_losses == want_losses
        for g, w in zip(got_state, want_state):
            np.testing.assert_array_equal(g, w)
        return
    # float32: 20 steps from the same start, each within 1e-6; what differs grows a little with them
    tol = TOL if dtype == np.float64 else 2e-5
    assert _relative(got_losses, want_losses) <= tol
    for g, w in zip(got_state, want_state):
        assert _relative(g, w) <= tol


def test_layers_keep_the_last_batch_caches():
    """What the fused step leaves on each layer (x, z, a, dz of the last batch), as the
    step-by-step epoch leaves it: explain and callbacks that read them see the same."""
    x, y = _data(np.float32, "bce")
    fits = []
    for compiled in (False, True):
        glassnet.config.set_compiled_epoch(compiled)
        model = _model(np.float32, "sigmoid", "bce", OPTIMIZERS["rmsprop"])
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
        fits.append(model.layers)
    for step_by_step, layer in zip(*fits):
        assert layer.x.shape == (11, layer.kernel.shape[0])      # the last batch: 75 = 4 x 16 + 11
        for name in ("x", "z", "a", "dz"):
            got, want = getattr(layer, name), getattr(step_by_step, name)
            assert got.shape == want.shape and got.dtype == want.dtype
            assert _relative(got, want) <= 1e-5, name
    np.testing.assert_array_equal(fits[1][0].x, x[64:])
    assert fits[1][1].x is fits[1][0].a


def _blow_up_data():
    rng = np.random.default_rng(0)
    x = (rng.random((64, 12)) * 1e18).astype(np.float32)
    return x, (x[:, :3] * 1e18).astype(np.float32)


def test_a_non_finite_loss_stops_as_fit_does(capsys):
    x, y = _blow_up_data()
    results = []
    for compiled in (False, True):
        glassnet.config.set_compiled_epoch(compiled)
        model = _model(np.float32, "linear", "mse", lambda: optimizers.SGD(1.0))
        glassnet.utils.set_random_seed(1)
        history = model.fit(x, y, batch_size=16, epochs=3, verbose=0)
        results.append((history.history["loss"], capsys.readouterr().err, _state(model),
                        model.optimizer.iterations))
    (losses_a, message_a, state_a, it_a), (losses_b, message_b, state_b, it_b) = results
    assert "Training stopped: the loss became" in message_a
    assert message_b == message_a                         # the same epoch, batch and what was restored
    assert losses_b == losses_a and it_b == it_a
    for a, b in zip(state_b, state_a):
        np.testing.assert_array_equal(a, b)


class _BatchCounter(Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


def _planned(model, x, y, callbacks=()):
    data = ArrayBatches(x, y, None, 16, True)
    return fast_epoch.plan(model, data, CallbackList(list(callbacks), model, {}))


def test_where_it_stands_aside():
    x, y = _data(np.float32, "bce")
    model = _model(np.float32, "relu", "bce", OPTIMIZERS["adam"])
    assert _planned(model, x, y) is not None
    assert _planned(model, x, y, [_BatchCounter()]) is None, "a callback of one's own sees every batch"
    assert _planned(model, x.astype(np.float64), y) is None, "inputs of another float type"
    glassnet.config.set_compiled_epoch(False)
    assert _planned(model, x, y) is None
    glassnet.config.set_compiled_epoch(True)
    model.compile(optimizer=OPTIMIZERS["adam"](), loss="binary_crossentropy", jit_compile=False)
    assert _planned(model, x, y) is None, "compile(jit_compile=False): step by step"
    model = _model(np.float32, "relu", "bce", OPTIMIZERS["adam"])
    glassnet.config.set_kernels("numpy")
    assert _planned(model, x, y) is None
    glassnet.config.set_kernels("auto")
    clipped = _model(np.float32, "relu", "bce", lambda: optimizers.Adam(clipnorm=1.0))
    assert _planned(clipped, x, y) is None
    big = Sequential([Input(shape=(12,)), Dense(520, activation="relu"), Dense(520, activation="relu"),
                      Dense(3, activation="sigmoid")])               # 279,243 weights: past 2**18
    big.compile(optimizer="adam", loss="binary_crossentropy")
    assert _planned(big, x, y) is None, "a network past the size where BLAS wins"
    mae = _model(np.float32, "relu", "mse", OPTIMIZERS["adam"])
    mae.compile(optimizer="adam", loss="mean_absolute_error")
    assert _planned(mae, x, y.astype(np.float32)) is None


@pytest.mark.parametrize("threads", [1, 2])
def test_the_mnist_shaped_network_runs_compiled_and_exactly(threads):
    """784-256-128-10 (235,146 weights, under 2**18), relu, SCCE from logits, Adam, batch 128:
    the compiled epoch takes it, and two epochs give the step-by-step fit's numbers bit for bit
    (the same gemm calls as np.matmul's, the same elementwise order) on the same number of
    BLAS threads (OpenBLAS's 128 x 784 x 256 product differs in the last bit between one
    thread and two, so the count is fixed here: auto mode may change it mid-fit)."""
    glassnet.config.set_num_threads(threads)               # (the fixture puts auto back)
    rng = np.random.default_rng(3)
    x, y = rng.random((300, 784)).astype(np.float32), rng.integers(0, 10, 300)

    def model():
        glassnet.utils.set_random_seed(5)
        m = Sequential([Input(shape=(784,)), Dense(256, activation="relu"), Dense(128, activation="relu"),
                        Dense(10)])
        m.compile(optimizer="adam", loss=losses.SparseCategoricalCrossentropy(from_logits=True))
        return m
    assert _planned(model(), x, y) is not None
    fits = []
    for compiled in (False, True):
        glassnet.config.set_compiled_epoch(compiled)
        calls = []
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(fast_epoch.Epochs, "run", _counting(calls))
            m = model()
            glassnet.utils.set_random_seed(11)
            history = m.fit(x, y, batch_size=128, epochs=2, verbose=0).history["loss"]
        assert len(calls) == (2 if compiled else 0)
        fits.append((history, _state(m)))
    if None in fast_epoch._numpy_loops(np.dtype(np.float32)):
        pytest.skip("NumPy's own kernels not found: the loop's numbers are within 1e-6, tested above")
    assert fits[0][0] == fits[1][0]
    for want, got in zip(fits[0][1], fits[1][1]):
        np.testing.assert_array_equal(got, want)


def test_a_compiled_epoch_sets_blas_threads_as_auto_mode_chooses(monkeypatch):
    """In auto mode the compiled epoch asks glassnet.threads, as the fused step does at each
    step: BLAS then runs on the cores others leave free (here one: a busy machine) and no more
    than the products can use. Before, a process whose fits ran only compiled epochs never
    chose, and OpenBLAS kept every core: on a busy machine its threads spun (20 ms a step at
    width 256 instead of 0.3)."""
    from glassnet.fast import threads
    applied = []
    for name, value in (("_fixed", None), ("_env_read", True), ("_current", None), ("_free", None),
                        ("_useful", None), ("_last_look", -1.0), ("_last_sample", None)):
        monkeypatch.setattr(threads, name, value)
    monkeypatch.setattr(threads, "_apply", applied.append)
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    monkeypatch.setattr(threads, "_env_cap", lambda: 1 << 30)
    monkeypatch.setattr(threads, "_load_average", lambda: 5.0)         # others keep both cores busy
    calls = []
    monkeypatch.setattr(fast_epoch.Epochs, "run", _counting(calls))
    x, y = _data(np.float32, "bce")
    _model(np.float32, "relu", "bce", OPTIMIZERS["adam"]).fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert calls == [1], "the epoch ran compiled"
    assert applied and applied[0] == 1, f"BLAS set to the one free core before the loop, got {applied}"


def test_a_batch_callback_gets_every_batch_step_by_step():
    x, y = _data(np.float32, "bce")
    counter = _BatchCounter()
    _model(np.float32, "relu", "bce", OPTIMIZERS["adam"]).fit(x, y, batch_size=16, epochs=2, verbose=0,
                                                               callbacks=[counter])
    assert counter.batches == 10


def test_set_compiled_epoch_takes_only_a_bool():
    with pytest.raises(ValueError, match="set_compiled_epoch: enabled must be True or False"):
        glassnet.config.set_compiled_epoch(1)
    assert glassnet.config.compiled_epoch() is True


def test_a_lone_small_fit_does_not_load_numba():
    """The seed program alone: numba's load would cost more than the 1,200 steps save."""
    code = ("import sys, numpy as np, glassnet\n"
            "from glassnet.keras import Sequential, Input\nfrom glassnet.keras.layers import Dense\n"
            "x = np.random.default_rng(0).random((360, 64)).astype('float32')\n"
            "y = (x[:, :1] > 0.5).astype('float32')\n"
            "m = Sequential([Input(shape=(64,)), Dense(25, activation='sigmoid'), Dense(15, activation='sigmoid'),"
            " Dense(1, activation='sigmoid')])\n"
            "m.compile(optimizer='rmsprop', loss='binary_crossentropy')\n"
            "m.fit(x, y, batch_size=32, epochs=100, verbose=0)\n"
            "print('numba' in sys.modules)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLASSNET_")}
    env["GLASSNET_BACKGROUND_COMPILE"] = "0"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_jit_compile_true_loads_the_compiled_epoch_for_a_small_fit():
    """The seed program with compile(jit_compile=True): numba's loop runs its epochs (found in
    the cache the module's fixture filled), and the fit gives what step by step gives."""
    code = ("import sys, numpy as np, glassnet\n"
            "from glassnet.keras import Sequential, Input\nfrom glassnet.keras.layers import Dense\n"
            "from glassnet.fast import epoch\n"
            "x = np.random.default_rng(0).random((360, 64)).astype('float32')\n"
            "y = (x[:, :1] > 0.5).astype('float32')\n"
            "losses = []\n"
            "for jit in (True, False):\n"
            "    glassnet.utils.set_random_seed(0)\n"
            "    m = Sequential([Input(shape=(64,)), Dense(25, activation='sigmoid'), Dense(15, activation='sigmoid'),"
            " Dense(1, activation='sigmoid')])\n"
            "    m.compile(optimizer='rmsprop', loss='binary_crossentropy', jit_compile=jit)\n"
            "    losses.append(m.fit(x, y, batch_size=32, epochs=20, verbose=0).history['loss'])\n"
            "    print(jit, 'numba' in sys.modules, sorted(t.name for t in epoch._loaded))\n"
            "print(max(abs(a - b) / abs(b) for a, b in zip(*losses)))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLASSNET_")}
    env["GLASSNET_BACKGROUND_COMPILE"] = "0"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "True True ['float32']", out.stdout
    assert float(lines[2]) <= TOL, out.stdout


def test_jit_compile_takes_true_false_or_auto():
    model = _model(np.float32, "relu", "bce", OPTIMIZERS["adam"])
    for bad in ("yes", 1, None):
        with pytest.raises(ValueError, match="compile: jit_compile must be True, False or 'auto'"):
            model.compile(optimizer="adam", loss="binary_crossentropy", jit_compile=bad)


def test_steps_ahead_decide_in_auto(monkeypatch):
    monkeypatch.undo()
    monkeypatch.setattr(fast_epoch, "_loaded", set())
    monkeypatch.setattr(fast_epoch, "_forgone", [0.0])
    monkeypatch.setitem(sys.modules, "numba", sys.modules["numba"])
    f32 = np.dtype(np.float32)
    assert not fast_epoch._numba_worth_it(f32, 1200)         # the seed: 0.05 s of saving for 0.12 s of load
    assert fast_epoch._numba_worth_it(f32, 100_000)         # (compiled: the module's fixture)
    assert fast_epoch._numba_worth_it(f32, 1200, asked=True)  # compile(jit_compile=True): asked for
    # a loop of seed fits (numba imported: 0.2 s to load, 0.048 s forgone a fit): step by step
    # until the savings forgone would have paid for the load, then the loop's fit loads it
    fast_epoch._forgone[0] = 0.0
    assert [fast_epoch._numba_worth_it(f32, 1200) for _ in range(5)] == [False] * 4 + [True]
    assert fast_epoch._forgone[0] == pytest.approx(4 * 1200 * 40e-6)
    fast_epoch._forgone[0] = 0.0
    # a bigger network saves more a step: one MNIST-shaped epoch (469 steps of 235k weights)
    # repays the loop's load once numba is imported; the seed's weights take 40 µs a step
    assert fast_epoch._saved_per_step(2031) == fast_epoch._saved_per_step(500) == 40e-6
    assert 90e-6 < fast_epoch._saved_per_step(9_000) < 130e-6 and fast_epoch._saved_per_step(235_000) < 600e-6
    assert fast_epoch._numba_worth_it(f32, 469, weights=235_000)
    assert not fast_epoch._numba_worth_it(f32, 469, weights=2031)
    fast_epoch._loaded.add(f32)
    assert fast_epoch._numba_worth_it(f32, 1)                # loaded already: free
    glassnet.config.set_kernels("numpy")
    assert not fast_epoch._numba_worth_it(f32, 100_000)


def test_progress_line_and_validation_as_step_by_step(capsys, monkeypatch):
    """verbose=2 prints the same epoch lines; validation after each epoch reads the weights
    the compiled epoch left: the same history, key by key, bit for bit."""
    x, y = _data(np.float32, "scce")
    histories, outputs = [], []
    for compiled in (False, True):
        glassnet.config.set_compiled_epoch(compiled)
        model = _model(np.float32, "relu", "scce", OPTIMIZERS["adam"])
        glassnet.utils.set_random_seed(3)
        h = model.fit(x[:60], y[:60], batch_size=16, epochs=3, verbose=2, validation_data=(x[60:], y[60:]))
        histories.append(h.history)
        outputs.append([line.split("/step - ")[-1] for line in capsys.readouterr().out.splitlines()])  # less the time
    if None not in fast_epoch._numpy_loops(np.dtype(np.float32)):
        assert histories[0] == histories[1]
        assert outputs[0] == outputs[1] and any("val_loss" in line for line in outputs[1])
    assert sorted(histories[1]) == ["loss", "val_loss"] and len(histories[1]["loss"]) == 3


def test_a_frozen_layer_takes_the_step_by_step_epoch():
    x, y = _data(np.float32, "bce")
    model = _model(np.float32, "relu", "bce", OPTIMIZERS["adam"])
    model.layers[0].trainable = False
    model.compile(optimizer="adam", loss="binary_crossentropy")
    assert _planned(model, x, y) is None


@pytest.mark.parametrize("loss, metrics", [("bce", ["accuracy", "auc"]), ("scce", ["accuracy"]),
                                           ("softmax", ["sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy"]),
                                           ("mse", ["mae"])])
def test_metrics_see_each_batch_as_step_by_step(loss, metrics, monkeypatch):
    """Compiled metrics: fit updates each one batch by batch with the outputs the loop kept,
    so the history holds the same numbers as the step-by-step fit's."""
    x, y = _data(np.float32, loss)
    calls = []
    monkeypatch.setattr(fast_epoch.Epochs, "run", _counting(calls))
    histories = []
    for compiled in (False, True):
        glassnet.config.set_compiled_epoch(compiled)
        model = _model(np.float32, "relu", loss, OPTIMIZERS["adam"])
        model.compile(optimizer=optimizers.Adam(0.01), loss=model.loss, metrics=metrics)
        glassnet.utils.set_random_seed(5)
        histories.append(model.fit(x, y, batch_size=16, epochs=3, verbose=0).history)
    assert len(calls) == 3
    assert sorted(histories[1]) == sorted(histories[0]) and len(histories[1]) == 1 + len(metrics)
    if None not in fast_epoch._numpy_loops(np.dtype(np.float32)):
        assert histories[1] == histories[0]
    else:
        for key in histories[0]:
            np.testing.assert_allclose(histories[1][key], histories[0][key], rtol=1e-5)


def test_a_loop_that_cannot_load_leaves_fit_step_by_step(monkeypatch):
    """If numba cannot load or compile the loop, the plan says no before anything is drawn
    or changed, and fit runs its epochs step by step (the same numbers)."""
    x, y = _data(np.float32, "bce")

    def broken(*args):
        raise RuntimeError("no loop here")
    from glassnet.fast import _numba_epoch
    monkeypatch.setattr(_numba_epoch, "run_epoch", broken)
    model = _model(np.float32, "relu", "bce", OPTIMIZERS["adam"])
    glassnet.utils.set_random_seed(2)
    state = glassnet.utils.rng().bit_generator.state
    assert _planned(model, x, y) is None
    assert glassnet.utils.rng().bit_generator.state == state, "no shuffle drawn"
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and model.optimizer.iterations == 10
