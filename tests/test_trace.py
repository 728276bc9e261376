"""glassnet.callbacks.Trace: what it records is right, it does not perturb training, and
diagnose() flags broken networks and stays quiet on healthy ones."""
from __future__ import annotations

import doctest

import numpy as np
import pytest

import glassnet
import glassnet.trace
from glassnet.callbacks import Trace
from glassnet.datasets import digits
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense


@pytest.fixture(scope="module")
def data():
    (x, y), _ = digits.load_data(classes=2)
    return x, y


def _seed_network(activation="sigmoid", init="glorot_uniform", optimizer="rmsprop", seed=0, units=(25, 15)):
    glassnet.utils.set_random_seed(seed)
    model = Sequential([Dense(u, activation=activation, kernel_initializer=init) for u in units]
                       + [Dense(1, activation="sigmoid", kernel_initializer=init)])
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    return model


def test_records_per_epoch_and_the_numbers_are_right(data):
    x, y = data
    model = _seed_network()
    trace = Trace()
    model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[trace], shuffle=False)
    h = trace.history
    steps = int(np.ceil(len(x) / 32))
    np.testing.assert_array_equal(h["step"], [steps, 2 * steps, 3 * steps])
    np.testing.assert_array_equal(h["epoch"], [0, 1, 2])
    assert len(h["loss"]) == 3
    assert set(trace.series("grad_norm")) == {v.path for v in model.trainable_weights}
    # the last record is the last step of the last epoch: its gradient is the one still in
    # variable.grad
    for v in model.trainable_weights:
        assert h[f"grad_norm/{v.path}"][-1] == pytest.approx(np.linalg.norm(v.grad.astype(np.float64)), rel=1e-6)


def test_activation_statistics_are_those_of_the_batch(data):
    x, y = data
    model = _seed_network(activation="relu", units=(6,))
    before = {}
    keep = glassnet.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: before.update({e: model.get_weights()}))
    trace = Trace()
    # one step per epoch: the activations recorded are those of the forward with the
    # weights at the start of the epoch, on the whole data set
    model.fit(x, y, epochs=2, batch_size=len(x), verbose=0, callbacks=[keep, trace], shuffle=False)
    W1, b1 = (w.astype(np.float64) for w in before[1][:2])
    a = np.maximum(x.astype(np.float64) @ W1 + b1, 0)
    name = model.layers[0].name
    assert trace.history[f"act_mean/{name}"][-1] == pytest.approx(a.mean(), rel=1e-4)
    assert trace.history[f"act_std/{name}"][-1] == pytest.approx(a.std(), rel=1e-4)
    assert trace.history[f"dead/{name}"][-1] == pytest.approx(np.mean(np.all(a <= 0, axis=0)))


def test_update_ratio_is_the_real_step():
    glassnet.utils.set_random_seed(0)
    model = Sequential([Dense(3, activation="tanh"), Dense(1)])
    model.compile(optimizer=glassnet.optimizers.SGD(learning_rate=0.1), loss="mse")
    x = np.random.default_rng(0).normal(size=(8, 2))
    y = x[:, :1] * 2
    model.build((None, 2))
    w0 = model.get_weights()
    g = glassnet.gradients(model, x, y)
    trace = Trace(every=1)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[trace], shuffle=False)
    h = trace.history
    for v, w, gi in zip(model.trainable_weights, w0, g):
        assert h[f"weight_norm/{v.path}"][0] == pytest.approx(np.linalg.norm(w), rel=1e-6)
        assert h[f"grad_norm/{v.path}"][0] == pytest.approx(np.linalg.norm(gi), rel=1e-5)
        if np.linalg.norm(w) > 0:
            assert h[f"update_ratio/{v.path}"][0] == pytest.approx(0.1 * np.linalg.norm(gi) / np.linalg.norm(w), rel=1e-4)
    assert h["learning_rate"][0] == pytest.approx(0.1)


def test_trace_does_not_change_training(data):
    x, y = data
    runs = []
    for callbacks in ([], [Trace(every=3)], [Trace(x[:64], y[:64], every=2)]):
        model = _seed_network(optimizer="adam")
        hist = model.fit(x, y, epochs=2, verbose=0, callbacks=callbacks)
        runs.append((hist.history["loss"], model.get_weights()))
    for loss, weights in runs[1:]:
        assert loss == runs[0][0]
        for a, b in zip(weights, runs[0][1]):
            np.testing.assert_array_equal(a, b)


def test_probe_batch_and_every(data):
    x, y = data
    model = _seed_network()
    trace = Trace(x[:100], y[:100], every=3)
    model.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[trace])
    h = trace.history
    np.testing.assert_array_equal(h["step"], [3, 6, 9, 12, 15, 18])
    # the probe is run after the step: at the last one, with the final weights
    a = model.layers[0](x[:100]).astype(np.float64)
    assert h[f"act_mean/{model.layers[0].name}"][-1] == pytest.approx(a.mean(), rel=1e-4)
    with pytest.raises(ValueError):
        Trace(x)
    with pytest.raises(ValueError):
        Trace(every=0)


def test_healthy_network_is_quiet(data):
    x, y = data
    for activation, optimizer in (("sigmoid", "rmsprop"), ("relu", "adam"), ("tanh", "rmsprop")):
        # seed 1: with Keras 3's seeded weights, seed 0's relu/adam run loses half of dense_3's units
        model = _seed_network(activation=activation, optimizer=optimizer, seed=1)
        trace = Trace()
        model.fit(x, y, epochs=8, verbose=0, callbacks=[trace])
        assert trace.diagnose() == [], (activation, trace.diagnose())


def test_saturated_network_is_flagged(data):
    x, y = data
    model = _seed_network(init=glassnet.initializers.RandomNormal(stddev=5.0))
    trace = Trace()
    model.fit(x, y, epochs=4, verbose=0, callbacks=[trace])
    notes = trace.diagnose()
    assert any(n.startswith("Saturated units") and "'dense'" in n for n in notes), notes
    assert trace.history["saturated/dense"][-1] > 0.5


def test_vanishing_gradients_in_a_deep_sigmoid_stack(data):
    x, y = data
    model = _seed_network(units=(16,) * 7, optimizer="sgd")
    trace = Trace()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[trace])
    notes = trace.diagnose()
    assert any(n.startswith("Vanishing gradients") and "dense/kernel" in n for n in notes), notes


def test_learning_rate_too_large_and_dead_units(data):
    x, y = data
    model = _seed_network(optimizer=glassnet.optimizers.RMSprop(learning_rate=1.0), seed=1)   # seed 0: no rise
    trace = Trace()
    model.fit(x, y, epochs=10, verbose=0, callbacks=[trace])
    notes = trace.diagnose()
    assert any(n.startswith("Learning rate too large") for n in notes), notes
    assert any(n.startswith("The loss went up") for n in notes), notes
    model = _seed_network(activation="relu", optimizer=glassnet.optimizers.SGD(learning_rate=3.0))
    trace = Trace()
    model.fit(x, y, epochs=4, verbose=0, callbacks=[trace])
    assert any(n.startswith("Dead units") for n in trace.diagnose()), trace.diagnose()


def test_nothing_recorded():
    assert "recorded nothing" in Trace().diagnose()[0]


def test_doctest():
    assert doctest.testmod(glassnet.trace).failed == 0
