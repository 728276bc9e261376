"""Extreme values: activations, their derivatives and the losses stay finite and raise no
floating-point warning at inputs of +/-1000, under ``np.errstate(all="raise")`` with
every warning an error. The probability forms clip to ``[1e-7, 1 - 1e-7]`` as Keras does.
"""
from __future__ import annotations

import contextlib
import math
import warnings

import numpy as np
import pytest

import glassnet
from glassnet import activations as A
from glassnet import losses as L
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input

DTYPES = ["float32", "float64"]
EXTREMES = [-1000.0, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1000.0]
EPS = 1e-7


@contextlib.contextmanager
def strict():
    """Any overflow, underflow, invalid operation or warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            yield


def _x(dtype):
    return np.array([EXTREMES], dtype=dtype)


# ---------------------------------------------------------------------------------------
# Activations and their derivatives
# ---------------------------------------------------------------------------------------
# exponential overflows at 1000 by definition (exp(1000) is not a float): not in the list.
BOUNDED = [n for n in sorted(A.BY_NAME) if n != "exponential"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", BOUNDED)
def test_activation_and_derivative_finite_and_silent_at_extremes(name, dtype):
    fn = A.get(name)
    x = _x(dtype)
    with strict():
        a = fn(x)
        g = A.backward_of(fn)(x, a, np.ones_like(x))
    assert np.isfinite(a).all() and np.isfinite(g).all(), (a, g)
    assert a.dtype == x.dtype and g.dtype == x.dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_limits_are_the_right_numbers(dtype):
    x = np.array([[-1000.0, 1000.0]], dtype=dtype)
    with strict():
        np.testing.assert_array_equal(A.sigmoid(x), [[0.0, 1.0]])
        np.testing.assert_array_equal(A.softplus(x), [[0.0, 1000.0]])
        np.testing.assert_array_equal(A.softmax(x), [[0.0, 1.0]])
        np.testing.assert_array_equal(A.log_softmax(x), [[-2000.0, 0.0]])
        np.testing.assert_array_equal(A.tanh(x), [[-1.0, 1.0]])
        # derivatives: sigmoid' and softplus'' vanish, softplus' = sigmoid
        s = A.sigmoid(x)
        np.testing.assert_array_equal(A.backward_of(A.sigmoid)(x, s, np.ones_like(x)), [[0.0, 0.0]])
        np.testing.assert_array_equal(A.backward_of(A.softplus)(x, A.softplus(x), np.ones_like(x)), [[0.0, 1.0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_rows_sum_to_one_and_log_softmax_matches(dtype):
    z = np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, -1000.0], [-1000.0, -1000.0, -1000.0]], dtype=dtype)
    with strict():
        p = A.softmax(z)
        lp = A.log_softmax(z)
        g = A.backward_of(A.log_softmax)(z, lp, np.ones_like(z))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(p[1], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(p[2], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(lp[1], [-math.log(2), -math.log(2), -2000.0 - math.log(2)], rtol=1e-6)
    assert np.isfinite(g).all()


# ---------------------------------------------------------------------------------------
# Cross-entropies from logits
# ---------------------------------------------------------------------------------------
def _value_and_grad(loss, y, z):
    y = loss.prepare(y, z)
    return loss.call(y, z), loss.gradient(y, z)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_from_logits_at_extremes(dtype):
    z = np.array([[-1000.0], [1000.0], [1000.0], [-1000.0], [0.0]], dtype=dtype)
    y = np.array([[1.0], [0.0], [1.0], [0.0], [1.0]], dtype=dtype)
    loss = L.BinaryCrossentropy(from_logits=True)
    with strict():
        v, g = _value_and_grad(loss, y, z)
        fused_v = loss.call_from_logits(y, z)
        fused_g = loss.gradient_from_logits(y, z, A.sigmoid(z))
    np.testing.assert_allclose(v, [1000.0, 1000.0, 0.0, 0.0, math.log(2)], rtol=1e-6)
    np.testing.assert_allclose(g[:, 0], [-1.0, 1.0, 0.0, 0.0, -0.5], atol=1e-7)
    np.testing.assert_array_equal(fused_v, v)
    np.testing.assert_array_equal(fused_g, g)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sparse", [False, True], ids=["categorical", "sparse"])
def test_categorical_crossentropies_from_logits_at_extremes(dtype, sparse):
    z = np.array([[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]], dtype=dtype)
    labels = np.array([1, 0, 2])
    loss = L.SparseCategoricalCrossentropy(from_logits=True) if sparse else L.CategoricalCrossentropy(from_logits=True)
    y = labels if sparse else np.eye(3, dtype=dtype)[labels]
    with strict():
        v, g = _value_and_grad(loss, y, z)
        fused_g = loss.gradient_from_logits(loss.prepare(y, z), z, A.softmax(z))
    np.testing.assert_allclose(v, [2000.0, 0.0, math.log(3)], rtol=1e-6)
    np.testing.assert_allclose(g[0], [1.0, -1.0, 0.0], atol=1e-7)
    np.testing.assert_allclose(g[1], [0.0, 0.0, 0.0], atol=1e-7)
    np.testing.assert_allclose(fused_g, g, atol=1e-7)


# ---------------------------------------------------------------------------------------
# Probability forms: clip to [eps, 1 - eps] as Keras
# ---------------------------------------------------------------------------------------
def test_epsilon_is_keras_fuzz_factor():
    assert glassnet.config.epsilon() == 1e-7


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_on_saturated_probabilities_is_clipped(dtype):
    p = np.array([[0.0], [1.0], [0.0], [1.0]], dtype=dtype)
    y = np.array([[1.0], [0.0], [0.0], [1.0]], dtype=dtype)
    loss = L.BinaryCrossentropy()
    with strict():
        v, g = _value_and_grad(loss, y, p)
    hi = np.asarray(1 - EPS, dtype=dtype)            # 1 - 1e-7 as the dtype holds it (as Keras in float32)
    expected = [-math.log(EPS), -math.log(1 - float(hi)), -math.log(float(hi)), -math.log(float(hi))]
    np.testing.assert_allclose(v, expected, rtol=1e-5)
    assert float(v[0]) == pytest.approx(16.118095, rel=1e-6)   # -log(1e-7)
    np.testing.assert_array_equal(g, 0.0)            # clip_by_value passes no gradient outside


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_gradient_finite_just_inside_the_clip(dtype):
    p = np.array([[2e-7], [1 - 2e-7]], dtype=dtype)
    y = np.array([[1.0], [0.0]], dtype=dtype)
    with strict():
        v, g = _value_and_grad(L.BinaryCrossentropy(), y, p)
    assert np.isfinite(v).all() and np.isfinite(g).all()
    assert abs(float(g[0, 0])) > 1e5


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sparse", [False, True], ids=["categorical", "sparse"])
def test_categorical_crossentropies_on_zero_probabilities(dtype, sparse):
    p = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=dtype)
    labels = np.array([1, 1])
    loss = L.SparseCategoricalCrossentropy() if sparse else L.CategoricalCrossentropy()
    y = labels if sparse else np.eye(3, dtype=dtype)[labels]
    with strict():
        v, g = _value_and_grad(loss, y, p)
    assert np.isfinite(v).all() and np.isfinite(g).all()
    assert float(v[0]) == pytest.approx(-math.log(EPS), rel=1e-4)   # clipped, not inf
    assert float(v[1]) == pytest.approx(0.0, abs=1e-5)


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy"])
def test_regression_losses_and_metrics_at_extremes(name):
    loss = L.get(name)
    z = np.array([[-1000.0, 1000.0], [0.5, 0.25]], dtype="float32")
    y = np.array([[1.0, 0.0], [0.0, 1.0]], dtype="float32")
    with strict():
        v, g = _value_and_grad(loss, y, z if "crossentropy" not in name else A.softmax(z))
    assert np.isfinite(v).all() and np.isfinite(g).all()


# ---------------------------------------------------------------------------------------
# A whole model on extreme inputs
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("head, loss, y", [
    ("sigmoid", "binary_crossentropy", np.array([0.0, 1.0, 1.0, 0.0])),
    ("softmax", "sparse_categorical_crossentropy", np.array([0, 1, 2, 1])),
    ("softmax", "categorical_crossentropy", np.eye(3)[[0, 1, 2, 1]]),
])
def test_model_step_on_extreme_inputs_is_finite_and_silent(head, loss, y):
    glassnet.utils.set_random_seed(0)
    units = 1 if head == "sigmoid" else 3
    model = Sequential([Input(shape=(2,)), Dense(units, activation=head, kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0], [1000.0, -999.0], [0.0, 0.0]])
    with strict():
        out = model.predict(x, verbose=0)
        logs = model.train_on_batch(x, y, return_dict=True)
        ev = model.evaluate(x, y, verbose=0, return_dict=True)
    assert np.isfinite(out).all()
    assert all(math.isfinite(v) for v in logs.values()) and all(math.isfinite(v) for v in ev.values())
    assert all(np.isfinite(w).all() for w in model.get_weights())
