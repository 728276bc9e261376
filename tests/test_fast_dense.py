"""The fused step for Dense stacks (glassnet.fast.dense) against the readable one.

The same model, data and shuffling, trained once with the fused step and once with it
switched off (``plan`` returning None sends every step down glassnet.step's readable
path): every weight, every optimizer slot, the step counter and every epoch's loss must
agree bit for bit, float32 and float64. And the fused step must stand aside wherever it
does not apply exactly.
"""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.engine import fastpath
from glassnet.fast import dense as fast_dense
from glassnet.keras import Sequential, losses, optimizers, regularizers
from glassnet.keras.layers import Activation, Dense, Dropout, Flatten, Input


def _data(dtype, n=100, features=64, classes=None, seed=3):
    """``classes``: None (one 0/1 column), an int (class indices), "multilabel" (three 0/1
    columns, for sigmoid outputs with binary cross-entropy) or "images" (8x8 inputs, 10 classes)."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, features)).astype(dtype)
    if classes == "images":                         # 8x8 "images", 10 classes (TF's quickstart, small)
        return x.reshape(n, 8, 8), rng.integers(0, 10, n)
    if classes == "multilabel":
        return x, (x[:, :3] + x[:, 3:6] > 1).astype(dtype)
    if classes:
        return x, rng.integers(0, classes, n)
    return x, (x[:, 0] + x[:, 1] > 1).astype(dtype).reshape(-1, 1)


# name -> (layers, loss, optimizer, classes)
VARIANTS = {
    "seed": (lambda: [Dense(25, activation="sigmoid"), Dense(15, activation="sigmoid"),
                      Dense(1, activation="sigmoid")],
             lambda: losses.BinaryCrossentropy(), lambda: optimizers.RMSprop(), None),
    "relu-logits-adam": (lambda: [Dense(25, activation="relu"), Dense(15, activation="relu"), Dense(10)],
                         lambda: losses.SparseCategoricalCrossentropy(from_logits=True),
                         lambda: optimizers.Adam(learning_rate=0.01), 10),
    "tanh-mse-momentum-nobias": (lambda: [Dense(12, activation="tanh", use_bias=False), Dense(1)],
                                 lambda: losses.MeanSquaredError(),
                                 lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True), None),
    "sigmoid-bce-not-fused-with-output-adamw": (
        lambda: [Dense(8, activation="relu"), Dense(1, activation="sigmoid")],
        lambda: losses.BinaryCrossentropy(label_smoothing=0.1),
        lambda: optimizers.AdamW(learning_rate=0.01, amsgrad=True), None),
    "multilabel-sigmoid-bce": (lambda: [Dense(6, activation="relu"), Dense(3, activation="sigmoid")],
                               lambda: losses.BinaryCrossentropy(), lambda: optimizers.Adam(), "multilabel"),
    "quickstart-flatten-dropout": (lambda: [Flatten(), Dense(16, activation="relu"), Dropout(0.2), Dense(10)],
                                   lambda: losses.SparseCategoricalCrossentropy(from_logits=True),
                                   lambda: optimizers.Adam(), "images"),
    "dropout-between-sigmoids": (lambda: [Dense(12, activation="sigmoid"), Dropout(0.5),
                                          Dense(6, activation="tanh"), Dropout(0.1), Dense(1, activation="sigmoid")],
                                 lambda: losses.BinaryCrossentropy(), lambda: optimizers.RMSprop(), None),
    "rmsprop-centered-clipped": (lambda: [Dense(30, activation="relu"), Dense(1, activation="sigmoid")],
                                 lambda: losses.BinaryCrossentropy(),
                                 lambda: optimizers.RMSprop(centered=True, momentum=0.5, clipvalue=0.1), None),
}


def _train(variant, dtype, fused, monkeypatch, epochs=4, sample_weight=False):
    layers, loss, optimizer, classes = VARIANTS[variant]
    x, y = _data(dtype, classes=classes)
    glassnet.config.set_floatx(dtype)
    try:
        glassnet.utils.set_random_seed(11)
        model = Sequential([Input(shape=x.shape[1:])] + layers())
        model.compile(optimizer=optimizer(), loss=loss())
        calls = []                                  # one per step the fused step took
        real, real_step = fast_dense.plan, fast_dense.train_step

        def counted(*args):
            done = real_step(*args)
            if done is not None:
                calls.append(1)
            return done

        with monkeypatch.context() as m:
            if fused:
                m.setattr(fast_dense, "train_step", counted)
            else:
                m.setattr(fast_dense, "plan", lambda mo, xb: None)
            sw = np.linspace(0.5, 2.0, len(x)).astype(dtype) if sample_weight else None
            history = model.fit(x, y, sample_weight=sw, batch_size=32, epochs=epochs, verbose=0)
            extra = model.train_on_batch(x[:7], y[:7])
            taken = real(model, x) is not None
    finally:
        glassnet.config.set_floatx("float32")
    return model, history.history["loss"] + [float(np.ravel(extra)[0])], calls, taken


def _assert_same(a, b):
    for va, vb in zip(a.weights, b.weights):
        assert va.value.dtype == vb.value.dtype
        np.testing.assert_array_equal(va.value, vb.value, err_msg=va.path)
        np.testing.assert_array_equal(va.grad, vb.grad, err_msg=va.path + " grad")
    sa, sb = a.optimizer.variables(), b.optimizer.variables()
    assert len(sa) == len(sb)
    for x, y in zip(sa, sb):
        np.testing.assert_array_equal(x, y)
    assert a.optimizer.iterations == b.optimizer.iterations > 0


@pytest.fixture(params=["numpy", "numba"])
def kernels(request):
    """The fast path's kernels: with numba's, the fused step also takes numba's one-pass
    forward and backward passes (glassnet.fast._numba_dense) from its second step on."""
    if request.param == "numba":
        pytest.importorskip("numba")
    glassnet.config.set_kernels(request.param)
    yield request.param
    glassnet.config.set_kernels("auto")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_fused_step_gives_the_readable_paths_weights_bit_for_bit(variant, dtype, kernels, monkeypatch):
    fused, loss_f, calls, taken = _train(variant, dtype, True, monkeypatch)
    readable, loss_r, _, _ = _train(variant, dtype, False, monkeypatch)
    assert taken and len(calls) == 4 * 4 + 1, "the fused step did not run on every step"
    assert loss_f == loss_r
    _assert_same(fused, readable)
    if kernels == "numba" and fused.optimizer.fast_state is not None:
        assert fused.optimizer.fast_state.kernel == "numba"
        assert fast_dense._compiled_passes() is not None


def test_the_compiled_passes_keep_nan_inf_and_signed_zeros_as_numpy_does():
    passes = pytest.importorskip("glassnet.fast._numba_dense")
    z = np.array([[np.nan, -0.0, 0.0, -1.0, 2.0, np.inf, -np.inf],
                  [1.0, -0.0, -5.0, 0.5, -0.0, 3.0, 2.0]], np.float32)
    grad = np.array([[1.0, np.inf, -2.0, np.inf, -3.0, np.nan, 1.0],
                     [2.0, -1.0, -1.0, 1e-30, 7.0, 1.0, -0.0]], np.float32)
    b = np.zeros(z.shape[1], np.float32)
    with np.errstate(invalid="ignore"):
        expected_a = np.maximum(z + b, 0.0)
        expected_d = grad * (z > 0)
        expected_db = np.add.reduce(expected_d, axis=0)
    a = passes.bias_relu(z.copy(), b, np.float32(0))
    db = np.empty_like(b)
    d = passes.relu_backward(grad, z, np.float32(0), db)
    for got, want in ((a, expected_a), (d, expected_d), (db, expected_db)):
        assert got.dtype == want.dtype
        assert np.array_equal(got.view(np.int32), want.view(np.int32)), (got, want)   # bit for bit


def test_sample_weights_and_the_layer_caches_match(kernels, monkeypatch):
    fused, loss_f, calls, _ = _train("seed", "float32", True, monkeypatch, epochs=2, sample_weight=True)
    readable, loss_r, _, _ = _train("seed", "float32", False, monkeypatch, epochs=2, sample_weight=True)
    assert calls and loss_f == loss_r
    _assert_same(fused, readable)
    for lf, lr in zip(fused.layers, readable.layers):     # what a callback reading the caches sees
        for name in ("x", "z", "a", "dz"):
            np.testing.assert_array_equal(getattr(lf, name), getattr(lr, name), err_msg=name)


def test_float64_labels_on_float32_weights_match(monkeypatch):
    """A gradient of another dtype than the weights takes the layers' own backward."""
    results = []
    for fused in (True, False):
        glassnet.utils.set_random_seed(5)
        model = Sequential([Input(shape=(4,)), Dense(3, activation="tanh"), Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        x = np.random.default_rng(0).random((16, 4)).astype(np.float32)
        y = x.sum(axis=1, keepdims=True).astype(np.float64)
        with monkeypatch.context() as m:
            if not fused:
                m.setattr(fast_dense, "plan", lambda mo, xb: None)
            for _ in range(3):
                value, _ = glassnet.step.train_step(model, x, y)
        results.append((model, value))
    assert results[0][1] == results[1][1]
    _assert_same(results[0][0], results[1][0])


@pytest.mark.parametrize("make", [
    lambda: [Dense(4, activation="relu"), Activation("relu"), Dense(1, activation="sigmoid")],
    lambda: [Dense(4, activation="relu"), Dropout(0.5)],
    lambda: [Dense(4, activation="relu", kernel_regularizer=regularizers.L2(0.01)), Dense(1, activation="sigmoid")],
    lambda: [Dense(4, activation="elu"), Dense(1, activation="sigmoid")],
    lambda: [Dense(4, activation="relu"), Dense(2, activation="softmax")],
], ids=["activation-layer", "dropout-last", "regularizer", "elu", "softmax"])
def test_the_fused_step_stands_aside_where_it_does_not_apply(make):
    model = Sequential([Input(shape=(3,))] + make())
    model.compile(optimizer="sgd", loss="mse")
    assert fast_dense.plan(model, np.ones((2, 3), np.float32)) is None


def test_a_dense_layer_on_3d_inputs_and_training_false_take_the_readable_path(monkeypatch):
    model = Sequential([Input(shape=(4, 3)), Dense(2, activation="relu"), Flatten(), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert fast_dense.plan(model, np.ones((5, 4, 3), np.float32)) is None            # Dense on (N, 4, 3)
    flat = Sequential([Input(shape=(4, 3)), Flatten(), Dense(2, activation="relu"), Dropout(0.5), Dense(1)])
    flat.compile(optimizer="sgd", loss="mse")
    assert fast_dense.plan(flat, np.ones((5, 4, 3), np.float32))[1] == [None, "relu", None, "linear"]
    used = []
    monkeypatch.setattr(fast_dense, "train_step", lambda *a: used.append(1))
    x, y = np.ones((5, 4, 3), np.float32), np.ones((5, 1), np.float32)
    glassnet.step.train_step(flat, x, y, training=False)                 # Dropout as the identity
    assert not used


def test_a_subclass_of_dense_a_record_and_no_update_take_the_readable_path(monkeypatch):
    class MyDense(Dense):
        pass

    model = Sequential([Input(shape=(3,)), MyDense(2, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x, y = np.ones((4, 3), np.float32), np.ones((4, 1), np.float32)
    assert fast_dense.plan(model, x) is None
    plain = Sequential([Input(shape=(3,)), Dense(2, activation="relu"), Dense(1, activation="sigmoid")])
    plain.compile(optimizer="sgd", loss="binary_crossentropy")
    assert fast_dense.plan(plain, x) is not None
    assert fast_dense.plan(plain, x.astype(np.float64)) is None          # input of another dtype
    used = []
    monkeypatch.setattr(fast_dense, "train_step", lambda *a: used.append(1))
    glassnet.step.train_step(plain, x, y, record=glassnet.step.StepRecord())
    glassnet.step.train_step(plain, x, y, update=False)
    glassnet.step.train_step(plain, x, y)              # the readable step never calls the fused one
    assert not used
    fastpath.choose(plain)(plain, x, y)                # the engine's choice does
    assert used


def _bits(a):
    a = np.asarray(a)
    return a.view(np.int32 if a.dtype == np.float32 else np.int64)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", ["bce-one", "bce-three", "scce"])
def test_the_fused_loss_pass_gives_the_readable_value_and_gradient_bit_for_bit(case, dtype):
    """Overflowing and underflowing logits, signed zeros, NaN and inf included."""
    rng = np.random.default_rng(7)
    width = {"bce-one": 1, "bce-three": 3, "scce": 4}[case]
    z = (rng.standard_normal((40, width)) * 30).astype(dtype)
    z.ravel()[:8] = [0.0, -0.0, 200.0, -200.0, 1e-30, -1e-30, 800.0, -800.0]
    if case == "scce":
        loss, shortcut = losses.SparseCategoricalCrossentropy(from_logits=True), False
        y, a = rng.integers(0, width, len(z)), z
    else:
        loss, shortcut = losses.BinaryCrossentropy(), True
        y = (rng.random(z.shape) > 0.5).astype(dtype)
        a = glassnet.activations.sigmoid(z)
    last = Dense(width)
    for values in (z, np.where(np.arange(z.size).reshape(z.shape) == 9, np.nan, z),
                   np.where(np.arange(z.size).reshape(z.shape) == 9, np.inf, z)):
        values = values.astype(dtype)
        last.z = values
        act = values if case == "scce" else glassnet.activations.sigmoid(values)
        with fast_dense.fitting():
            fused = fast_dense._loss_pass(loss, shortcut, values, act, y, None)
        with np.errstate(all="ignore"):
            readable = glassnet.step.loss_and_output_grad(loss, shortcut, last, y, act)
        assert fused is not None
        assert repr(fused[0]) == repr(readable[0])                    # -0.0, nan and inf told apart
        (g, want) = fused[1], readable[1]
        assert g.dtype == want.dtype and g.shape == want.shape
        assert np.array_equal(np.isnan(g), np.isnan(want))
        assert np.array_equal(_bits(np.where(np.isnan(g), 0, g)), _bits(np.where(np.isnan(want), 0, want)))


def test_the_fused_loss_pass_stands_aside_where_it_does_not_apply():
    z = np.zeros((4, 1), np.float32)
    y = np.ones((4, 1), np.float32)
    bce = losses.BinaryCrossentropy()
    assert fast_dense._loss_pass(bce, True, z, z, y, np.ones(4, np.float32)) is None      # sample weights
    assert fast_dense._loss_pass(losses.BinaryCrossentropy(label_smoothing=0.1), True, z, z, y, None) is None
    assert fast_dense._loss_pass(losses.BinaryCrossentropy(reduction="sum"), True, z, z, y, None) is None
    assert fast_dense._loss_pass(bce, False, z, z, y, None) is None                 # no shortcut
    assert fast_dense._loss_pass(bce, True, z, z, y.astype(np.float64), None) is None  # labels of another dtype
    assert fast_dense._loss_pass(losses.MeanSquaredError(), False, z, z, y, None) is None
    scce = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert fast_dense._loss_pass(scce, False, z, z, np.zeros((4, 1), np.int64), None) is None


def test_fit_tells_the_fused_step_that_numpy_warnings_are_off_and_puts_them_back(monkeypatch):
    seen = []
    real = fast_dense.train_step
    monkeypatch.setattr(fast_dense, "train_step",
                        lambda *a: seen.append((fast_dense._FIT.get() is not None, np.geterr()["over"])) or real(*a))
    model = Sequential([Input(shape=(2,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    before = np.geterr()
    model.fit(np.ones((4, 2), np.float32), np.ones((4, 1), np.float32), epochs=1, verbose=0)
    model.train_on_batch(np.ones((4, 2), np.float32), np.ones((4, 1), np.float32))
    assert seen == [(True, "ignore"), (False, before["over"])]
    assert np.geterr() == before and fast_dense._FIT.get() is None


def test_the_fused_step_outside_fit_warns_of_nothing_on_overflowing_logits():
    """train_on_batch sets no errstate: the step's own one covers sigmoid's exp(-z)."""
    import warnings
    model = Sequential([Input(shape=(2,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.set_weights([np.full((2, 1), 100.0, np.float32), np.zeros(1, np.float32)])
    x = np.array([[-10.0, -10.0], [10.0, 10.0]], np.float32)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        model.train_on_batch(x, np.array([[0.0], [1.0]], np.float32))


def test_fit_works_out_the_plan_once_and_a_layer_changed_during_fit_counts_from_the_next(monkeypatch):
    """As Keras traces its train step once per fit: a callback that switches a layer to an
    activation with no fused form (elu) leaves this fit as planned; the next fit goes the
    readable way."""
    planned = []
    real = fast_dense.plan
    monkeypatch.setattr(fast_dense, "plan", lambda mo, xb: planned.append(real(mo, xb)) or planned[-1])
    model = Sequential([Input(shape=(3,)), Dense(4, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x, y = np.ones((64, 3), np.float32), np.ones((64, 1), np.float32)
    switch = glassnet.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: setattr(model.layers[0], "activation", glassnet.activations.elu))
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[switch])      # 16 steps
    assert len(planned) == 1 and planned[0] is not None
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert len(planned) == 2 and planned[1] is None
    model.train_on_batch(x[:8], y[:8])                                           # one plan a call
    model.train_on_batch(x[:8], y[:8])
    assert len(planned) == 4


def test_a_flatten_model_on_3d_inputs_is_planned_once_per_fit_too(monkeypatch):
    planned = []
    real = fast_dense.plan
    monkeypatch.setattr(fast_dense, "plan", lambda mo, xb: planned.append(real(mo, xb)) or planned[-1])
    model = Sequential([Input(shape=(4, 3)), Flatten(), Dense(5, activation="relu"), Dropout(0.2), Dense(2)])
    model.compile(optimizer="adam", loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = np.ones((40, 4, 3), np.float32), np.zeros(40, np.int64)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)                     # 10 steps
    assert len(planned) == 1 and planned[0][1] == [None, "relu", None, "linear"]
