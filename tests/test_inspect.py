"""glassnet.gradients / gradcheck / explain: the numbers, not just that something printed."""
from __future__ import annotations

import doctest
import importlib
import re

import numpy as np
import pytest

import glassnet
import glassnet.inspect
from glassnet import losses
from glassnet.datasets import digits
from glassnet.explanation import Explanation
from glassnet.keras import Sequential
from glassnet.keras.layers import Activation, Dense, Dropout


def _data(m=12, n=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(m, n))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.float64)
    return x, y


def _model(loss="binary_crossentropy", optimizer="rmsprop", last="sigmoid", reg=None, seed=1):
    glassnet.utils.set_random_seed(seed)
    model = Sequential([Dense(5, activation="tanh", kernel_regularizer=reg), Dense(3, activation="sigmoid"),
                        Dense(1, activation=last)])
    model.compile(optimizer=optimizer, loss=loss)
    return model


def _central(model, x, y, eps=1e-6):
    """Independent central differences in float64 of J written out by hand (_cost64)."""
    weights = [w.astype(np.float64) for w in model.get_weights()]
    out = []
    for k, w in enumerate(weights):
        g = np.zeros_like(w)
        for i in range(w.size):
            for sign in (1, -1):
                ws = [v.copy() for v in weights]
                ws[k].reshape(-1)[i] += sign * eps
                g.reshape(-1)[i] += sign * _cost64(model, ws, x, y) / (2 * eps)
        out.append(g)
    return out


def _cost64(model, weights, x, y):
    """J written out by hand for the test networks (tanh -> sigmoid -> last), in float64."""
    a = np.asarray(x, np.float64)
    for layer, (W, b) in zip(model.layers, zip(weights[::2], weights[1::2])):
        z = a @ W + b
        a = glassnet.activations.get(layer.activation)(z)
    y = np.asarray(y, np.float64).reshape(a.shape)
    if isinstance(model.loss, losses.BinaryCrossentropy):
        p = np.clip(a, 1e-7, 1 - 1e-7)
        J = float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
    else:
        J = float(np.mean((a - y) ** 2))
    for layer, W in zip(model.layers, weights[::2]):
        if layer.kernel_regularizer is not None:
            J += float(layer.kernel_regularizer(W))
    return J


# ---------------------------------------------------------------------------------------
# gradients
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("loss,last,reg", [("binary_crossentropy", "sigmoid", None),
                                           ("mse", "linear", "l2")])
def test_gradients_equal_central_differences(loss, last, reg):
    model = _model(loss=loss, last=last, reg=reg)
    x, y = _data()
    grads = glassnet.gradients(model, x, y)
    assert [g.shape for g in grads] == [w.shape for w in model.get_weights()]
    numeric = _central(model, x, y)
    for g, n in zip(grads, numeric):
        # gradients() works in the model's float32; the central differences in float64
        np.testing.assert_allclose(g, n, rtol=2e-3, atol=2e-5)


def test_gradients_leave_the_model_unchanged():
    glassnet.utils.set_random_seed(3)
    model = Sequential([Dense(6, activation="relu"), Dropout(0.5), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x, y = _data(m=20)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)          # optimizer state, grads, caches
    weights = model.get_weights()
    grads_before = [v.grad.copy() for v in model.weights]
    slots_before = [s.copy() for s in model.optimizer.variables()]
    caches = [layer.__dict__.get("_z") for layer in model.layers]
    state = glassnet.utils.rng().bit_generator.state
    g1 = glassnet.gradients(model, x, y)
    g2 = glassnet.gradients(model, x, y)
    for a, b in zip(g1, g2):                                  # deterministic: Dropout off
        np.testing.assert_array_equal(a, b)
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, v in zip(grads_before, model.weights):
        np.testing.assert_array_equal(a, v.grad)
    for a, b in zip(slots_before, model.optimizer.variables()):
        np.testing.assert_array_equal(a, b)
    assert all(c is layer.__dict__.get("_z") for c, layer in zip(caches, model.layers))
    assert glassnet.utils.rng().bit_generator.state == state   # no random draw
    assert model.get_weights()[0].dtype == np.float32


def test_gradients_match_one_sgd_step():
    model = _model(optimizer=glassnet.optimizers.SGD(learning_rate=0.5))
    x, y = _data()
    g = glassnet.gradients(model, x, y)
    w0 = model.get_weights()
    model.train_on_batch(x, y)
    for a, b, gi in zip(w0, model.get_weights(), g):
        np.testing.assert_allclose(b, a - 0.5 * gi, rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------------------------------
# gradcheck
# ---------------------------------------------------------------------------------------
def test_gradcheck_model_passes_and_keeps_float32():
    model = _model(reg="l2")
    x, y = _data()
    report = glassnet.gradcheck(model, x, y)
    assert report.passed and bool(report)
    assert [r.name for r in report.rows] == [v.path for v in model.weights]
    assert all(r.max_abs_error < 1e-7 for r in report.rows)
    assert model.get_weights()[0].dtype == np.float32
    text = str(report)
    assert "dense" in text and "max abs err" in text and "FAIL" not in text


class _Quartic(losses.Loss):
    def call(self, y_true, y_pred):
        return np.mean((y_pred - y_true) ** 4, axis=-1)

    def gradient(self, y_true, y_pred):
        return 4 * (y_pred - y_true) ** 3 / y_pred.shape[-1]


class _WrongQuartic(_Quartic):
    def gradient(self, y_true, y_pred):
        return 3 * (y_pred - y_true) ** 3 / y_pred.shape[-1]     # the 4 became a 3


def test_gradcheck_catches_a_wrong_custom_loss_gradient():
    rng = np.random.default_rng(0)
    p, t = rng.random((6, 2)), rng.random((6, 2))
    assert glassnet.gradcheck(_Quartic(), p, t).passed
    bad = glassnet.gradcheck(_WrongQuartic(), p, t)
    assert not bad.passed and not bad
    assert "FAIL" in str(bad)
    assert bad.rows[0].max_rel_error == pytest.approx(0.25, rel=1e-3)   # 3/4 of the true value
    # ... and through a whole model compiled with it
    x, y = _data()
    for cls, ok in ((_Quartic, True), (_WrongQuartic, False)):
        model = _model(loss=cls(), last="linear")
        assert glassnet.gradcheck(model, x, y).passed is ok


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "softmax", "elu", "gelu", "softplus", "silu"])
def test_gradcheck_activations(name):
    x = np.random.default_rng(1).normal(size=(4, 5))
    assert glassnet.gradcheck(name, x).passed


def test_gradcheck_catches_a_wrong_activation_derivative():
    def cube(x):
        return x ** 3
    cube.backward = lambda x, a, grad: grad * 2 * x ** 2       # should be 3 x^2
    assert not glassnet.gradcheck(cube, np.array([[0.5, -1.5]])).passed


@pytest.mark.parametrize("loss,p,t", [
    (losses.BinaryCrossentropy(), [[0.2], [0.7]], [[0.0], [1.0]]),
    (losses.BinaryCrossentropy(label_smoothing=0.1), [[0.2, 0.4]], [[0.0, 1.0]]),
    (losses.CategoricalCrossentropy(), [[0.2, 0.3, 0.5]], [[0, 1, 0]]),
    (losses.SparseCategoricalCrossentropy(), [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], [2, 0]),
    ("mse", [[0.2, 3.0]], [[1.0, 1.0]]),
    ("huber", [[0.2, 3.0]], [[1.0, 1.0]]),
])
def test_gradcheck_builtin_losses_and_their_shortcut(loss, p, t):
    report = glassnet.gradcheck(loss, np.array(p), np.array(t))
    assert report.passed, str(report)
    if not isinstance(loss, str):
        assert len(report.rows) == 2 and "fused" in report.rows[1].name


def test_gradcheck_layer_checks_dw_db_dx_and_leaves_it_alone():
    glassnet.utils.set_random_seed(0)
    layer = Dense(3, activation="sigmoid", kernel_regularizer="l2")
    x = np.random.default_rng(0).normal(size=(4, 5))
    report = glassnet.gradcheck(layer, x)
    assert report.passed
    assert [r.shape for r in report.rows] == [(5, 3), (3,), (4, 5)]
    assert not layer.built                       # the copy was built, not the user's layer
    layer(x)
    w = layer.get_weights()
    assert glassnet.gradcheck(layer, x).passed
    assert layer.kernel.value.dtype == np.float32
    np.testing.assert_array_equal(w[0], layer.get_weights()[0])
    assert glassnet.gradcheck(Activation("tanh"), x).passed


def test_gradcheck_catches_a_wrong_layer_backward():
    class Broken(Dense):
        def backward_from_z(self, dz, need_input_grad=True):
            dx = super().backward_from_z(dz, need_input_grad)
            self.bias.grad *= 0.5                                # db off by half
            return dx
    report = glassnet.gradcheck(Broken(2), np.ones((3, 2)) * 0.3)
    assert [r.passed for r in report.rows] == [True, False, True]


# ---------------------------------------------------------------------------------------
# explain
# ---------------------------------------------------------------------------------------
def _seed_network():
    glassnet.utils.set_random_seed(0)
    model = Sequential([Dense(25, activation="sigmoid"), Dense(15, activation="sigmoid"),
                        Dense(1, activation="sigmoid")])
    model.compile(loss=losses.BinaryCrossentropy())
    (x, y), _ = digits.load_data(classes=2)
    model.build((None, 64))
    return model, x[:32], y[:32]


def _printed(text, name):
    """The numbers printed after ``name[...] = [``, with the index expression."""
    m = re.search(re.escape(name) + r"(\[[^\]]*\]) = \[([^\]]*)\]", text)
    assert m, f"{name} not printed"
    values = [float(v) for v in m.group(2).replace(", ...", "").split(", ")]
    return m.group(1), np.array(values)


def _index(expr, a):
    """Apply a printed index like ``[0, 3:6]`` or ``[:3, 0]`` to ``a``."""
    parts = []
    for p in expr.strip("[]").split(","):
        p = p.strip()
        if ":" in p:
            lo, hi = p.split(":")
            parts.append(slice(int(lo) if lo else None, int(hi)))
        else:
            parts.append(int(p))
    return a[tuple(parts)]


def test_explain_numbers_are_the_models_own():
    model, x, y = _seed_network()
    weights = model.get_weights()
    e = glassnet.explain(model, x, y)
    assert isinstance(e, Explanation)
    text = str(e)
    assert repr(e) == text and "<pre" in e._repr_html_()
    # forward, recomputed independently from get_weights()
    W1, b1, W2, b2, W3, b3 = [w.astype(np.float64) for w in weights]
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    Z1 = x @ W1 + b1
    A1 = sig(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sig(Z2)
    A3 = sig(A2 @ W3 + b3)
    for name, ref in (("Z[1]", Z1), ("A[1]", A1), ("Z[2]", Z2), ("A[3]", A3), ("W[1]", W1)):
        np.testing.assert_allclose(e.arrays[name], ref, rtol=1e-4, atol=1e-6)
        idx, shown = _printed(text, name)
        np.testing.assert_allclose(shown, _index(idx, ref).ravel(), rtol=1e-3, atol=1e-6)
    # cost and backward: the shortcut, and the gradients gradients() returns
    Y = y.reshape(-1, 1)
    p = np.clip(A3, 1e-7, 1 - 1e-7)
    assert e.loss == pytest.approx(float(np.mean(-(Y * np.log(p) + (1 - Y) * np.log(1 - p)))), rel=1e-4)
    assert f"J = {e.loss:.6g}" in text
    np.testing.assert_allclose(e.arrays["dZ[3]"], (A3 - Y) / len(x), rtol=1e-3, atol=1e-7)
    g = glassnet.gradients(model, x, y)
    for l in (1, 2, 3):
        np.testing.assert_allclose(e.arrays[f"dW[{l}]"], g[2 * l - 2], rtol=1e-6)
        np.testing.assert_allclose(e.arrays[f"db[{l}]"], g[2 * l - 1], rtol=1e-6)
        idx, shown = _printed(text, f"dW[{l}]")
        np.testing.assert_allclose(shown, _index(idx, g[2 * l - 2]).ravel(), rtol=1e-3)
    np.testing.assert_allclose(e.arrays["dW[2]"], A1.T @ e.arrays["dZ[2]"], rtol=1e-3, atol=1e-8)
    np.testing.assert_allclose(e.arrays["dA[1]"], e.arrays["dZ[2]"] @ W2.T, rtol=1e-3, atol=1e-8)
    # shapes in the equations
    assert "Z[1] = A[0] @ W[1] + b[1]" in text and "(32, 64) @ (64, 25) + (25,) -> (32, 25)" in text
    assert "(15, 32) @ (32, 1) -> (15, 1)" in text                       # dW[3]
    assert "dZ[3] = (A[3] - Y) / m" in text and "declared shortcut" in text
    assert "-y log(f(x)) - (1 - y) log(1 - f(x))" in text
    assert "v <- 0.9 * v + 0.1 * g^2" in text and "w <- w - 0.001 * g / sqrt(v + epsilon)" in text
    # the update shown is the one fit would make; the model itself did not move
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.train_on_batch(x, y)
    for a, b in zip(e.new_weights, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_explain_without_the_shortcut_and_other_layers():
    glassnet.utils.set_random_seed(2)
    model = Sequential([Dense(4, activation="relu", kernel_regularizer="l2"), Dropout(0.3), Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    x, _ = _data(m=6)
    y = np.stack([x[:, 0], x[:, 1]], axis=1)
    e = glassnet.explain(model, x, y)
    text = str(e)
    assert "dA[3] = dJ/dA[3] = 2 (A - Y) / (m * 2)" in text
    assert "relu' = (Z > 0)" in text and "Dropout" in text and "penalties" in text
    assert "alpha = 0.001 * sqrt(1 - 0.999^1) / (1 - 0.9^1)" in text
    np.testing.assert_allclose(e.arrays["dA[3]"], 2 * (e.arrays["A[3]"] - y) / (6 * 2), rtol=1e-5, atol=1e-7)
    g = glassnet.gradients(model, x, y)
    np.testing.assert_allclose(e.arrays["dW[1]"], g[0], rtol=1e-6)
    # explain's step runs Dropout in inference mode: the real step compared is one without its mask
    # (with it, Adam's +-lr moves differ wherever the mask flips a gradient's sign; the old NumPy
    # masks happened to flip none, Keras's seeded ones flip three)
    model.layers[1].rate = 0.0
    model.train_on_batch(x, y)
    for a, b in zip(e.new_weights, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


class Twice(glassnet.layers.Layer):
    """A layer of one's own: explain shows its call, its backward, and its own lines."""

    def forward(self, x, training=False):
        return 2 * x

    def backward(self, grad, need_input_grad=True):
        return 2 * grad

    def explain_forward(self, l, x, out, weights=None):
        return [f"by hand: 2 * {x[0, 0]:.4g} = {out[0, 0]:.4g}"]


def test_explain_asks_each_layer_and_each_loss():
    glassnet.utils.set_random_seed(3)
    model = Sequential([Dense(3), Twice(name="twice"), Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x, _ = _data(m=4)
    e = glassnet.explain(model, x, np.array([0, 1, 1, 0]))
    text = str(e)
    assert "layer 2: twice (Twice)" in text and "A[2] = twice(A[1])" in text
    assert f"by hand: 2 * {e.arrays['A[1]'][0, 0]:.4g}" in text                  # its explain_forward
    assert "dA[1] = Twice.backward(dA[2])" in text
    np.testing.assert_allclose(e.arrays["dA[1]"], 2 * e.arrays["dA[2]"], rtol=1e-6)
    assert "dZ[3] = (A[3] - onehot(Y)) / m" in text                            # the loss's shortcut text


def test_explain_after_an_activation_layer_names_its_input_z():
    from glassnet.layers import Softmax
    for last in (Activation("softmax"), Softmax()):
        glassnet.utils.set_random_seed(4)
        model = Sequential([Dense(3), last])
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
        x, _ = _data(m=4)
        y = np.eye(3)[[0, 1, 2, 0]]
        e = glassnet.explain(model, x, y)
        text = str(e)
        assert "dA[1] = (A[2] - Y) / m" in text                  # the shortcut gives dJ/d(its input)
        assert ".backward(dA[2])" not in text and "'(A[1])" not in text
        np.testing.assert_allclose(e.arrays["dA[1]"], (e.arrays["A[2]"] - y) / 4, rtol=1e-5, atol=1e-7)


def test_doctests():
    for mod in (glassnet.inspect, importlib.import_module("glassnet.explanation")):
        result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0
