"""Training that goes wrong keeps the user's work.

* A NaN/Inf loss stops fit at that batch; the update is not applied; the History so far
  is returned; the weights are finite (those from before the bad step, or from the start
  of the latest epoch that began finite if earlier updates had already blown up); stderr
  names the epoch, the batch and the likely causes.
* Ctrl-C (a real SIGINT, or a KeyboardInterrupt raised by a callback) stops after the
  current step and returns the History so far, with weights equal to an uninterrupted
  run of the same number of steps.
* With ``set_random_seed``, runs are bit-identical.
* Property tests (hypothesis): every activation, loss and layer gradient matches central
  differences in float64; predict does not depend on batch_size; evaluate's loss is the
  mean of the per-sample losses.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet
from glassnet import activations as A
from glassnet import losses as L
from glassnet import step
from glassnet.callbacks import Callback
from glassnet.keras import Sequential
from glassnet.keras.layers import Activation, Dense, Dropout, Flatten, Input

PROPERTY = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------
class Recorder(Callback):
    """Copies of the weights at each epoch's start and after each batch."""

    def __init__(self):
        super().__init__()
        self.epoch_start, self.after_batch = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start.append(self.model.get_weights())

    def on_train_batch_end(self, batch, logs=None):
        self.after_batch.append(self.model.get_weights())


class NaNAtCall(L.MeanSquaredError):
    """MSE whose ``call`` returns NaN for one sample on its ``k``-th use (0-based)."""

    def __init__(self, k):
        super().__init__()
        self.k, self.calls = k, 0

    def call(self, y_true, y_pred):
        values = super().call(y_true, y_pred)
        if self.calls == self.k:
            values = values.copy()
            values[0] = np.nan
        self.calls += 1
        return values


def _assert_same(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


def _regression_data(n=12, scale=1.0):
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(n, 3)) * scale).astype("float32")
    return x, x.sum(axis=1, keepdims=True) * 0.5


@contextlib.contextmanager
def float64():
    glassnet.config.set_floatx("float64")
    try:
        yield
    finally:
        glassnet.config.set_floatx("float32")


# ---------------------------------------------------------------------------------------
# Non-finite loss
# ---------------------------------------------------------------------------------------
def test_nan_loss_stops_at_that_batch_and_keeps_the_previous_weights(capsys):
    glassnet.utils.set_random_seed(1)
    x, y = _regression_data()
    model = Sequential([Input(shape=(3,)), Dense(4, activation="tanh"), Dense(1)])
    model.compile(optimizer="adam", loss=NaNAtCall(k=4))       # epoch 2, batch 2 (3 batches/epoch)
    rec = Recorder()
    history = model.fit(x, y, batch_size=4, epochs=5, shuffle=False, verbose=0, callbacks=[rec])
    err = capsys.readouterr().err
    assert "epoch 2, batch 2" in err and "learning rate" in err and "nan" in err
    assert history.history["loss"] and len(history.history["loss"]) == 1      # epoch 1 only
    assert np.isfinite(history.history["loss"]).all()
    assert len(rec.after_batch) == 4                                          # the bad step had no end
    _assert_same(model.get_weights(), rec.after_batch[-1])                   # weights before the bad step
    assert model.optimizer.iterations == 4
    assert model.stop_training is False


@pytest.mark.parametrize("lr, branch", [(1e3, "before this batch"), (1e36, "restored to the start of epoch")])
def test_huge_learning_rate_on_unscaled_data_stops_with_finite_weights(capsys, lr, branch):
    glassnet.utils.set_random_seed(2)
    x, y = _regression_data(n=32, scale=1000.0)                 # unscaled inputs
    model = Sequential([Input(shape=(3,)), Dense(1)])
    model.compile(optimizer=glassnet.optimizers.SGD(learning_rate=lr), loss="mse")
    rec = Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)           # numpy's own overflow notes
        history = model.fit(x, y, batch_size=8, epochs=20, shuffle=False, verbose=0, callbacks=[rec])
    err = capsys.readouterr().err
    assert "Training stopped" in err and "epoch 1, batch" in err and branch in err
    assert "learning rate" in err and "scale" in err
    assert isinstance(history, glassnet.callbacks.History) and history.history == {"loss": []}
    weights = model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    last = rec.after_batch[-1]
    if all(np.isfinite(w).all() for w in last):
        _assert_same(weights, last)                               # the bad update was not applied
    else:
        _assert_same(weights, rec.epoch_start[0])                 # blown up earlier: epoch start
    assert model.predict(x[:2], verbose=0).shape == (2, 1)               # the model still works


def test_blow_up_in_the_last_step_of_an_epoch_goes_back_to_that_epochs_start(capsys):
    glassnet.utils.set_random_seed(3)
    x, y = _regression_data(n=8, scale=100.0)
    model = Sequential([Input(shape=(3,)), Dense(1)])
    model.compile(optimizer=glassnet.optimizers.SGD(learning_rate=1e36), loss="mse")
    start = model.get_weights()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        history = model.fit(x, y, batch_size=8, epochs=4, verbose=0)    # one step per epoch
    err = capsys.readouterr().err
    assert "epoch 2, batch 1" in err and "start of epoch 1" in err
    assert len(history.history["loss"]) == 1
    _assert_same(model.get_weights(), start)
    assert model.optimizer.iterations == 0                      # optimizer state restored too


def test_a_deeper_network_blown_up_goes_back_to_every_weight_of_its_last_finite_epoch_start(capsys):
    """The snapshot keeps all weights in one array: each must come back to its own place."""
    glassnet.utils.set_random_seed(3)
    x, y = _regression_data(n=8, scale=100.0)
    model = Sequential([Input(shape=(3,)), Dense(5), Dense(4), Dense(1)])
    model.compile(optimizer=glassnet.optimizers.SGD(learning_rate=1e36), loss="mse")
    rec = Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        model.fit(x, y, batch_size=8, epochs=6, verbose=0, callbacks=[rec])    # one step per epoch
    err = capsys.readouterr().err
    assert "epoch 2, batch 1" in err and "restored to the start of epoch 1" in err
    _assert_same(model.get_weights(), rec.epoch_start[0])
    assert model.optimizer.iterations == 0


def test_train_on_batch_refuses_a_non_finite_step():
    glassnet.utils.set_random_seed(4)
    x, y = _regression_data()
    model = Sequential([Input(shape=(3,)), Dense(1)])
    model.compile(optimizer="sgd", loss=NaNAtCall(k=0))
    before = model.get_weights()
    with pytest.raises(FloatingPointError, match="not applied"):
        model.train_on_batch(x, y)
    _assert_same(model.get_weights(), before)
    assert model.optimizer.iterations == 0


# ---------------------------------------------------------------------------------------
# Ctrl-C
# ---------------------------------------------------------------------------------------
class InterruptAt(Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.at, self.epoch = (epoch, batch), None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise KeyboardInterrupt


def _classifier():
    glassnet.utils.set_random_seed(5)
    model = Sequential([Input(shape=(3,)), Dense(5, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_keyboard_interrupt_from_a_callback_returns_history_and_consistent_weights(capsys):
    x, _ = _regression_data(n=12)
    y = (x[:, 0] > 0).astype("float32")
    model = _classifier()
    history = model.fit(x, y, batch_size=4, epochs=10, shuffle=False, verbose=0,
                        callbacks=[InterruptAt(epoch=1, batch=1)])       # after 3 + 2 steps
    assert "interrupted" in capsys.readouterr().err.lower()
    assert len(history.history["loss"]) == 1 and len(history.history["accuracy"]) == 1
    assert model.optimizer.iterations == 5
    # The same 5 steps, uninterrupted: one epoch, then the first two batches again.
    ref = _classifier()
    ref.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    ref.fit(x[:8], y[:8], batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert ref.optimizer.iterations == 5
    _assert_same(model.get_weights(), ref.get_weights())
    assert model.stop_training is False
    model.fit(x, y, epochs=1, verbose=0)                            # and it trains on afterwards


SIGINT_CHILD = textwrap.dedent("""
    import sys, numpy as np, glassnet
    from glassnet.keras import Sequential
    from glassnet.keras.layers import Dense
    from glassnet.callbacks import Callback

    class Say(Callback):
        def on_epoch_end(self, epoch, logs=None):
            print("epoch", epoch + 1, flush=True)

    glassnet.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((64, 4)).astype("float32")
    y = (x.sum(axis=1) > 2).astype("float32")
    model = Sequential([Dense(8, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=1_000_000, verbose=0, callbacks=[Say()])
    losses = history.history["loss"]
    finite = all(np.isfinite(w).all() for w in model.get_weights())
    print("history", len(losses), "finite", finite, "iterations", int(model.optimizer.iterations), flush=True)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_real_sigint_stops_fit_cleanly_in_a_subprocess():
    proc = subprocess.Popen([sys.executable, "-c", SIGINT_CHILD], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        seen = 0
        for line in proc.stdout:                   # wait until fit is well under way
            if line.startswith("epoch"):
                seen += 1
                if seen == 3:
                    os.kill(proc.pid, signal.SIGINT)
                    break
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Training interrupted (Ctrl-C)" in err
    last = out.strip().splitlines()[-1].split()
    assert last[0] == "history" and 3 <= int(last[1]) < 1_000_000
    assert last[3] == "True"
    assert int(last[5]) >= 3 * 8                    # whole steps: 8 per epoch, >= 3 epochs


# ---------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------
def _seeded_run(seed):
    glassnet.utils.set_random_seed(seed)
    rng = np.random.default_rng(10)
    x = rng.random((40, 5)).astype("float32")
    y = rng.integers(0, 3, 40)
    model = Sequential([Dense(8, activation="relu"), Dropout(0.3), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.2, verbose=0)   # shuffles
    return model.get_weights(), history.history


def test_set_random_seed_makes_runs_bit_identical():
    w1, h1 = _seeded_run(42)
    w2, h2 = _seeded_run(42)
    _assert_same(w1, w2)
    assert h1 == h2
    w3, _ = _seeded_run(43)
    assert any(not np.array_equal(a, b) for a, b in zip(w1, w3))


# ---------------------------------------------------------------------------------------
# Property tests: gradients by central differences (float64)
# ---------------------------------------------------------------------------------------
def central_difference(f, x, eps=1e-6):
    """d f / d x for a scalar function of an array, perturbing ``x`` in place."""
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||), or 0 when the two agree to 1e-7 absolutely: where the exact
    gradient is 0, central differences leave ~1e-11 of rounding noise (relative error 1)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.size == 0 or np.max(np.abs(a - b)) < 1e-7:
        return 0.0
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def smooth_floats(lo=-5.0, hi=5.0):
    """Away from the kinks of relu & co (0) and of hard_sigmoid (+/-3)."""
    return st.floats(lo, hi).filter(lambda v: abs(v) > 1e-3 and abs(abs(v) - 3) > 1e-3)


shapes = st.tuples(st.integers(1, 4), st.integers(1, 5))


@st.composite
def matrices(draw, elements=None, shape=None):
    shape = shape or draw(shapes)
    return draw(hnp.arrays(np.float64, shape, elements=elements or smooth_floats()))


ACTIVATIONS = sorted(A.BY_NAME)


@PROPERTY
@given(name=st.sampled_from(ACTIVATIONS), data=st.data())
def test_activation_gradients_match_central_differences(name, data):
    fn = A.get(name)
    x = data.draw(matrices())
    g = data.draw(hnp.arrays(np.float64, x.shape, elements=st.floats(-2, 2)))
    analytic = A.backward_of(fn)(x, fn(x), g)                  # a vector-Jacobian product
    numeric = central_difference(lambda: float(np.sum(g * fn(x))), x)
    assert rel_error(analytic, numeric) < 1e-6, (name, x, analytic, numeric)


@st.composite
def loss_cases(draw):
    kind = draw(st.sampled_from([
        "bce", "bce_logits", "bce_smooth", "cce", "cce_logits", "cce_smooth",
        "scce", "scce_logits", "mse", "mae", "huber"]))
    m, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    probs = st.floats(0.05, 0.95)
    if kind.startswith("bce"):
        loss = L.BinaryCrossentropy(from_logits=kind == "bce_logits", label_smoothing=0.2 if "smooth" in kind else 0.0)
        y = draw(hnp.arrays(np.float64, (m, c), elements=st.floats(0, 1)))
        p = draw(hnp.arrays(np.float64, (m, c), elements=smooth_floats() if "logits" in kind else probs))
    elif kind.startswith("cce") or kind.startswith("scce"):
        c = max(c, 2)
        labels = draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, c - 1)))
        p = draw(hnp.arrays(np.float64, (m, c), elements=smooth_floats() if "logits" in kind else probs))
        if kind.startswith("scce"):
            loss, y = L.SparseCategoricalCrossentropy(from_logits="logits" in kind), labels
        else:
            loss = L.CategoricalCrossentropy(from_logits="logits" in kind,
                                             label_smoothing=0.1 if "smooth" in kind else 0.0)
            y = np.eye(c)[labels]
            if "logits" not in kind:         # keep the renormalised p inside the clip
                p = p / p.sum(axis=1, keepdims=True)
    else:
        loss = {"mse": L.MeanSquaredError(), "mae": L.MeanAbsoluteError(), "huber": L.Huber(delta=1.0)}[kind]
        y = draw(hnp.arrays(np.float64, (m, c), elements=st.floats(-3, 3)))
        p = draw(hnp.arrays(np.float64, (m, c), elements=st.floats(-3, 3)))
        e = np.abs(p - y)
        assume(np.all(e > 1e-3) and np.all(np.abs(e - 1.0) > 1e-3))    # the kinks of |e| and Huber
    return kind, loss, y, p


@PROPERTY
@given(case=loss_cases())
def test_loss_gradients_match_central_differences(case):
    kind, loss, y, p = case
    y = loss.prepare(y, p)
    analytic = loss.gradient(y, p)
    numeric = central_difference(lambda: float(np.sum(loss.call(y, p))), p)
    assert analytic.shape == p.shape
    assert rel_error(analytic, numeric) < 1e-6, (kind, y, p, analytic, numeric)


@PROPERTY
@given(case=loss_cases().filter(lambda c: c[0] in ("bce", "cce", "scce")))
def test_fused_logit_gradients_match_central_differences(case):
    kind, loss, y, _ = case
    act = A.sigmoid if kind == "bce" else A.softmax
    rng = np.random.default_rng(len(np.atleast_1d(y)))
    z = rng.normal(size=(len(y), 1 if kind == "bce" else max(2, _width(case))))
    if kind == "bce":
        y = np.asarray(y)[:, :1]
    elif kind == "cce":
        z = rng.normal(size=y.shape)
    y = loss.prepare(y, z)
    assert loss.fuses_with(act)
    analytic = loss.gradient_from_logits(y, z, act(z))
    numeric = central_difference(lambda: float(np.sum(loss.call_from_logits(y, z))), z)
    assert rel_error(analytic, numeric) < 1e-6


def _width(case):
    return case[3].shape[1]


SMOOTH_ACTIVATIONS = ["linear", "sigmoid", "tanh", "softmax", "gelu", "silu", "softplus", "log_softmax"]


@PROPERTY
@given(activation=st.sampled_from(SMOOTH_ACTIVATIONS), use_bias=st.booleans(),
       m=st.integers(1, 4), n_in=st.integers(1, 4), units=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_dense_gradients_match_central_differences(activation, use_bias, m, n_in, units, seed):
    rng = np.random.default_rng(seed)
    with float64():
        layer = Dense(units, activation=activation, use_bias=use_bias)
        x = rng.normal(size=(m, n_in))
        layer(x)
        layer.set_weights([rng.normal(size=w.shape) for w in layer.get_weights()])
        g = rng.normal(size=(m, units))

        def objective():
            return float(np.sum(g * layer.forward(x, training=True)))

        layer.forward(x, training=True)
        dx = layer.backward(g.copy())
        analytic = [dx] + [v.grad.copy() for v in layer.weights]
        numeric = [central_difference(objective, x)] + [central_difference(objective, v.value) for v in layer.weights]
    for a, n in zip(analytic, numeric):
        assert a.shape == n.shape
        assert rel_error(a, n) < 1e-6


@PROPERTY
@given(shape=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
       activation=st.sampled_from(SMOOTH_ACTIVATIONS), seed=st.integers(0, 2**16))
def test_flatten_and_activation_layer_gradients(shape, activation, seed):
    rng = np.random.default_rng(seed)
    with float64():
        x = rng.normal(size=shape)
        for layer in (Flatten(), Activation(activation)):
            out = layer(x)
            g = rng.normal(size=out.shape)
            layer.forward(x, training=True)
            analytic = layer.backward(g)
            numeric = central_difference(lambda: float(np.sum(g * layer.forward(x, training=True))), x)
            assert analytic.shape == x.shape
            assert rel_error(analytic, numeric) < 1e-6


@PROPERTY
@given(head=st.sampled_from(["bce", "scce", "cce", "mse"]), m=st.integers(1, 6), n_in=st.integers(1, 4),
       hidden=st.sampled_from(["tanh", "sigmoid", "gelu"]), seed=st.integers(0, 2**16))
def test_whole_model_gradients_match_central_differences(head, m, n_in, hidden, seed):
    """Forward, the loss (fused with the last activation where declared) and backward."""
    rng = np.random.default_rng(seed)
    with float64():
        glassnet.utils.set_random_seed(seed)
        out, loss, y = {
            "bce": (Dense(1, activation="sigmoid"), "binary_crossentropy", rng.integers(0, 2, m).astype(float)),
            "scce": (Dense(3, activation="softmax"), "sparse_categorical_crossentropy", rng.integers(0, 3, m)),
            "cce": (Dense(3, activation="softmax"), "categorical_crossentropy", np.eye(3)[rng.integers(0, 3, m)]),
            "mse": (Dense(2), "mse", rng.normal(size=(m, 2))),
        }[head]
        model = Sequential([Input(shape=(n_in,)), Dense(4, activation=hidden), out])
        model.compile(optimizer="sgd", loss=loss)
        x = rng.normal(size=(m, n_in))
        model.train_on_batch(x, y)                      # prepares the model (fused or not)
        model.set_weights([rng.normal(size=w.shape) * 0.5 for w in model.get_weights()])
        xs, ys, _ = model._data(x, y, None, "fit")
        step.train_step(model, xs, ys, update=False)
        analytic = [v.grad.copy() for v in model.trainable_weights]

        def objective():
            a = step.forward(model.layers, xs, True)
            return step.loss_and_output_grad(model.loss, model.output_shortcut, model.layers[-1], ys, a)[0]

        for v, a in zip(model.trainable_weights, analytic):
            assert rel_error(a, central_difference(objective, v.value)) < 1e-6, (head, v.path)


# ---------------------------------------------------------------------------------------
# Property tests: batching changes nothing
# ---------------------------------------------------------------------------------------
@PROPERTY
@given(n=st.integers(1, 40), b1=st.integers(1, 50), b2=st.integers(1, 50), seed=st.integers(0, 2**16))
def test_predict_is_independent_of_batch_size(n, b1, b2, seed):
    rng = np.random.default_rng(seed)
    glassnet.utils.set_random_seed(seed)
    model = Sequential([Input(shape=(5,)), Dense(7, activation="relu"), Dropout(0.5), Dense(3, activation="softmax")])
    x = rng.normal(size=(n, 5)).astype("float32")
    p1 = model.predict(x, batch_size=b1, verbose=0)
    p2 = model.predict(x, batch_size=b2, verbose=0)
    assert p1.shape == (n, 3)
    np.testing.assert_allclose(p1, p2, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(p1, model.predict(x[::-1], batch_size=b1, verbose=0)[::-1], rtol=1e-5, atol=1e-7)


@PROPERTY
@given(head=st.sampled_from(["bce", "scce", "mse", "huber"]), n=st.integers(1, 30), batch=st.integers(1, 40),
       seed=st.integers(0, 2**16))
def test_evaluate_is_the_mean_of_per_sample_losses(head, n, batch, seed):
    rng = np.random.default_rng(seed)
    with float64():
        glassnet.utils.set_random_seed(seed)
        out, loss, y = {
            "bce": (Dense(1, activation="sigmoid"), L.BinaryCrossentropy(), rng.integers(0, 2, n).astype(float)),
            "scce": (Dense(4, activation="softmax"), L.SparseCategoricalCrossentropy(), rng.integers(0, 4, n)),
            "mse": (Dense(2), L.MeanSquaredError(), rng.normal(size=(n, 2))),
            "huber": (Dense(2), L.Huber(), rng.normal(size=(n, 2)) * 3),
        }[head]
        model = Sequential([Input(shape=(3,)), Dense(5, activation="tanh"), out])
        model.compile(optimizer="sgd", loss=loss)
        x = rng.normal(size=(n, 3))
        value = model.evaluate(x, y, batch_size=batch, verbose=0)
        p = model.predict(x, verbose=0)
        per_sample = loss.call(loss.prepare(y, p), p)
    assert per_sample.shape == (n,)
    assert value == pytest.approx(float(np.mean(per_sample)), rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------------------------------
# Property test: a save/load round trip changes nothing
# ---------------------------------------------------------------------------------------
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(units=st.lists(st.integers(1, 6), min_size=1, max_size=3),
       activation=st.sampled_from(["relu", "tanh", "sigmoid", "gelu"]),
       optimizer=st.sampled_from(["sgd", "rmsprop", "adam", "adamw"]), seed=st.integers(0, 2**16))
def test_save_load_round_trip_changes_nothing(units, activation, optimizer, seed):
    pytest.importorskip("h5py")
    import tempfile

    rng = np.random.default_rng(seed)
    glassnet.utils.set_random_seed(seed)
    model = Sequential([Input(shape=(3,))] + [Dense(u, activation=activation) for u in units]
                       + [Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    x = rng.normal(size=(16, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        loaded = glassnet.models.load_model(path)
    _assert_same(loaded.get_weights(), model.get_weights())
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.optimizer.iterations == model.optimizer.iterations
    # the optimizer state came along: one more identical step gives identical weights
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    _assert_same(loaded.get_weights(), model.get_weights())
