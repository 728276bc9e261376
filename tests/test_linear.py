"""The three-step models: gradients by central differences, one step by hand, convergence,
input checks, and the equivalence with a one-unit Sequential network trained by SGD."""
from __future__ import annotations

import doctest

import numpy as np
import pytest

import glassnet.linear
from glassnet.datasets import digits
from glassnet.linear import LinearRegression, LogisticRegression


def _data(m=40, n=5, seed=0, binary=True):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    w_true = rng.normal(size=n)
    z = X @ w_true + 0.3
    y = (z + 0.5 * rng.normal(size=m) > 0).astype(np.float64) if binary else z
    return X, y


def _numeric_gradient(model, X, y, w, b, h=1e-6):
    dw = np.zeros_like(w)
    for j in range(w.size):
        e = np.zeros_like(w)
        e[j] = h
        dw[j] = (model.cost(X, y, w + e, b) - model.cost(X, y, w - e, b)) / (2 * h)
    db = (model.cost(X, y, w, b + h) - model.cost(X, y, w, b - h)) / (2 * h)
    return dw, db


@pytest.mark.parametrize("cls", [LogisticRegression, LinearRegression])
@pytest.mark.parametrize("lambda_", [0.0, 0.7])
def test_gradient_matches_central_differences(cls, lambda_):
    X, y = _data(binary=cls is LogisticRegression)
    model = cls(alpha=0.1, num_iters=0, lambda_=lambda_)
    rng = np.random.default_rng(1)
    w, b = rng.normal(size=X.shape[1]), 0.4
    dj_dw, dj_db = model.gradient(X, y, w, b)
    num_dw, num_db = _numeric_gradient(model, X, y, w, b)
    assert dj_dw.shape == w.shape and isinstance(dj_db, float)
    np.testing.assert_allclose(dj_dw, num_dw, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dj_db, num_db, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("cls", [LogisticRegression, LinearRegression])
def test_vectorised_gradient_equals_the_loops_of_the_docstring(cls):
    X, y = _data(m=7, n=3, binary=cls is LogisticRegression)
    lambda_ = 0.5
    w, b = np.array([0.2, -0.1, 0.3]), -0.2
    m, n = X.shape
    dj_dw, dj_db = np.zeros(n), 0.0
    for i in range(m):
        z_i = np.dot(X[i], w) + b
        f_i = 1 / (1 + np.exp(-z_i)) if cls is LogisticRegression else z_i
        err_i = f_i - y[i]
        for j in range(n):
            dj_dw[j] += err_i * X[i, j]
        dj_db += err_i
    dj_dw = dj_dw / m + (lambda_ / m) * w
    dj_db = dj_db / m
    got_w, got_b = cls(lambda_=lambda_).gradient(X, y, w, b)
    np.testing.assert_allclose(got_w, dj_dw, rtol=1e-12)
    np.testing.assert_allclose(got_b, dj_db, rtol=1e-12)


def test_one_step_by_hand():
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    y = np.array([1, 0])
    model = LogisticRegression(alpha=0.1, num_iters=1).fit(X, y)
    # from w = [0, 0], b = 0: f = sigmoid(0) = [0.5, 0.5], f - y = [-0.5, 0.5]
    # dj_dw = X.T @ (f - y) / 2 = [(1*-0.5 + 0*0.5)/2, (0*-0.5 + 2*0.5)/2] = [-0.25, 0.5]
    # dj_db = mean(f - y) = 0
    # w = 0 - 0.1 * [-0.25, 0.5] = [0.025, -0.05], b = 0
    np.testing.assert_allclose(model.w, [0.025, -0.05], rtol=1e-15)
    assert model.b == 0.0
    # J before the step: both examples have loss -log(0.5) = log 2
    assert model.J_history == [pytest.approx(np.log(2), rel=1e-15)]
    # and the cost with L2 adds lambda_/(2m) * sum(w^2) = 1/(2*2) * (0.025^2 + 0.05^2)
    reg = LogisticRegression(lambda_=1.0)
    expected = np.mean(reg.loss(model.f(X), y.astype(float))) + 0.25 * (0.025**2 + 0.05**2)
    assert reg.cost(X, y, model.w, model.b) == pytest.approx(expected, rel=1e-12)


def test_loss_is_the_seed_formula():
    model = LogisticRegression()
    f_x, y = np.array([0.2, 0.7, 0.99]), np.array([0.0, 1.0, 1.0])
    np.testing.assert_allclose(model.loss(f_x, y),
                               -y * np.log(f_x) - (1 - y) * np.log(1 - f_x), rtol=1e-12)
    assert np.isfinite(model.loss(np.array([1.0]), np.array([0.0]))).all()  # clipped
    lin = LinearRegression()
    np.testing.assert_allclose(lin.loss(np.array([3.0]), np.array([1.0])), [2.0])


def test_cost_is_stable_when_saturated():
    X = np.array([[1000.0], [-1000.0]])
    y = np.array([0, 1])
    J = LogisticRegression().cost(X, y, np.array([1.0]), 0.0)
    assert J == pytest.approx(1000.0)  # -log(sigmoid(-1000)) = 1000, no inf


@pytest.mark.parametrize("cls", [LogisticRegression, LinearRegression])
def test_cost_decreases(cls):
    X, y = _data(binary=cls is LogisticRegression)
    model = cls(alpha=0.05, num_iters=300, lambda_=0.1).fit(X, y)
    J = np.array(model.J_history)
    assert len(J) == 300
    assert np.all(np.diff(J) <= 1e-15)
    assert J[-1] < 0.7 * J[0]
    assert model.cost(X, y) < J[-1]  # the cost after the last step is lower still


def test_logistic_fits_separable_digits():
    (x, y), (xt, yt) = digits.load_data(classes=2)
    model = LogisticRegression(alpha=0.5, num_iters=300).fit(x, y)
    assert model.w.dtype == np.float32  # float32 data stays float32
    assert model.score(x, y) == 1.0
    assert model.score(xt, yt) >= 0.99
    proba = model.predict_proba(xt)
    assert proba.shape == (len(xt), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(model.predict(xt), (proba[:, 1] >= 0.5).astype(int))


def test_linear_recovers_a_plane():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, size=(50, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 4.0
    model = LinearRegression(alpha=0.5, num_iters=2000).fit(X, y)
    np.testing.assert_allclose(model.w, [1.5, -2.0, 0.5], atol=1e-6)
    assert model.b == pytest.approx(4.0, abs=1e-6)
    assert model.score(X, y) == pytest.approx(1.0)
    np.testing.assert_allclose(model.predict(X), y, atol=1e-5)


def test_fit_from_given_start_and_zero_iterations():
    X, y = _data()
    model = LogisticRegression(num_iters=0).fit(X, y, w_in=np.arange(5.0), b_in=2.0)
    np.testing.assert_array_equal(model.w, np.arange(5.0))
    assert model.b == 2.0 and model.J_history == []
    # a Dense kernel of shape (n, 1) is accepted as a starting point
    model.fit(X, y, w_in=np.ones((5, 1)))
    assert model.w.shape == (5,)


def test_verbose_prints_the_cost(capsys):
    X, y = _data()
    LogisticRegression(num_iters=20).fit(X, y, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 11 and lines[0].startswith("Iteration     0: Cost")
    assert lines[-1].startswith("Iteration    19")


# --- input checks name the argument ------------------------------------------------------------

@pytest.mark.parametrize("kwargs,err,match", [
    ({"alpha": 0}, ValueError, "alpha must be > 0"),
    ({"alpha": "0.1"}, TypeError, "alpha must be a number"),
    ({"num_iters": 1.5}, TypeError, "num_iters must be an int"),
    ({"num_iters": -1}, ValueError, "num_iters must be >= 0"),
    ({"lambda_": -0.1}, ValueError, "lambda_ must be >= 0"),
    ({"lambda_": float("nan")}, ValueError, "lambda_ must be finite"),
])
def test_constructor_checks(kwargs, err, match):
    with pytest.raises(err, match=match):
        LogisticRegression(**kwargs)


def test_data_checks():
    X, y = _data()
    model = LogisticRegression(num_iters=1)
    with pytest.raises(ValueError, match=r"X must be 2-D.*reshape\(-1, 1\)"):
        model.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="X has 40 examples but y has 39"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match="y must contain only 0 and 1; found 2"):
        model.fit(X, np.where(y == 1, 2, 0))
    with pytest.raises(ValueError, match="X contains NaN"):
        model.fit(np.where(X > 1, np.nan, X), y)
    with pytest.raises(TypeError, match="X must hold numbers"):
        model.fit(np.array([["a"]] * 40), y)
    with pytest.raises(ValueError, match=r"w_in must have shape \(5,\)"):
        model.fit(X, y, w_in=np.zeros(4))
    with pytest.raises(RuntimeError, match="call fit"):
        model.predict(X)
    model.fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but the model has 5 weights"):
        model.predict(X[:, :3])
    # y of shape (m, 1), as Keras users write it, is fine
    model.fit(X, y.reshape(-1, 1))


def test_repr():
    assert repr(LinearRegression(alpha=0.5)) == \
        "LinearRegression(alpha=0.5, num_iters=1000, lambda_=0.0)"


def test_doctests():
    result = doctest.testmod(glassnet.linear)
    assert result.attempted > 0 and result.failed == 0


# --- the same three steps, as a network -----------------------------------------------------------

def _keras():
    keras = pytest.importorskip("glassnet.keras")
    if not hasattr(keras, "Sequential"):
        pytest.skip("glassnet.keras.Sequential is not available yet")
    return keras


def _one_unit_network(keras, n, w, b, activation, loss, lr, regularizer=None):
    kwargs = {} if regularizer is None else {"kernel_regularizer": regularizer}
    model = keras.Sequential([keras.layers.Dense(1, activation=activation, **kwargs)])
    model.build((None, n))
    model.set_weights([w.reshape(n, 1), np.array([b])])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss=loss)
    return model


@pytest.fixture(params=["float32", "float64"])
def floatx(request):
    import glassnet.config

    before = glassnet.config.floatx()
    glassnet.config.set_floatx(request.param)
    yield np.dtype(request.param)
    glassnet.config.set_floatx(before)


# rtol for w, b after the run: float64 agrees to rounding; float32 accumulates rounding
# differently (X.T @ (f - y) / m here, X.T @ ((f - y) / m) in the network)
_TOL = {np.dtype("float32"): dict(rtol=1e-5, atol=1e-6),
        np.dtype("float64"): dict(rtol=1e-10, atol=1e-12)}


def test_logistic_regression_equals_sequential_sgd(floatx):
    keras = _keras()
    (x, y), _ = digits.load_data(classes=2)
    X = x.astype(floatx)
    m, n = X.shape
    alpha, num_iters = 0.5, 60
    rng = np.random.default_rng(0)
    w0 = rng.normal(0, 0.1, size=n).astype(floatx)
    b0 = 0.1

    logreg = LogisticRegression(alpha=alpha, num_iters=num_iters).fit(X, y, w_in=w0, b_in=b0)

    net = _one_unit_network(keras, n, w0, b0, "sigmoid", keras.losses.BinaryCrossentropy(), alpha)
    history = net.fit(X, y, batch_size=m, epochs=num_iters, shuffle=False, verbose=0)
    kernel, bias = net.get_weights()

    np.testing.assert_allclose(kernel[:, 0], logreg.w, **_TOL[floatx])
    np.testing.assert_allclose(bias[0], logreg.b, **_TOL[floatx])
    # both record the cost of the full batch before each step
    np.testing.assert_allclose(history.history["loss"], logreg.J_history,
                               rtol=1e-5 if floatx == np.float32 else 1e-10)
    np.testing.assert_allclose(net.predict(X, verbose=0)[:, 0], logreg.f(X),
                               **_TOL[floatx])


def test_regularised_logistic_regression_equals_sequential_with_l2(floatx):
    keras = _keras()
    X, y = _data(m=30, n=4, seed=5)
    X = X.astype(floatx)
    m, n = X.shape
    alpha, num_iters, lambda_ = 0.3, 40, 2.0
    w0 = np.array([0.3, -0.2, 0.1, 0.4], dtype=floatx)

    logreg = LogisticRegression(alpha, num_iters, lambda_=lambda_).fit(X, y, w_in=w0, b_in=-0.1)
    # Keras adds l2 * sum(w^2) to the batch-mean loss; the course adds lambda_/(2m) * sum(w^2)
    reg = keras.regularizers.L2(lambda_ / (2 * m))
    net = _one_unit_network(keras, n, w0, -0.1, "sigmoid", "binary_crossentropy", alpha, reg)
    history = net.fit(X, y, batch_size=m, epochs=num_iters, shuffle=False, verbose=0)
    kernel, bias = net.get_weights()

    np.testing.assert_allclose(kernel[:, 0], logreg.w, **_TOL[floatx])
    np.testing.assert_allclose(bias[0], logreg.b, **_TOL[floatx])
    np.testing.assert_allclose(history.history["loss"], logreg.J_history,
                               rtol=1e-5 if floatx == np.float32 else 1e-10)


def test_linear_regression_equals_sequential_mse_with_half_the_rate(floatx):
    keras = _keras()
    X, y = _data(m=25, n=3, seed=2, binary=False)
    X, y = X.astype(floatx), y.astype(floatx)
    m, n = X.shape
    alpha, num_iters = 0.1, 50
    w0 = np.zeros(n, dtype=floatx)

    linreg = LinearRegression(alpha, num_iters).fit(X, y, w_in=w0, b_in=0.0)
    # Keras's MSE is mean((f-y)^2): twice the course's J, so twice the gradient
    net = _one_unit_network(keras, n, w0, 0.0, None, keras.losses.MeanSquaredError(), alpha / 2)
    history = net.fit(X, y, batch_size=m, epochs=num_iters, shuffle=False, verbose=0)
    kernel, bias = net.get_weights()

    np.testing.assert_allclose(kernel[:, 0], linreg.w, **_TOL[floatx])
    np.testing.assert_allclose(bias[0], linreg.b, **_TOL[floatx])
    np.testing.assert_allclose(np.array(history.history["loss"]) / 2, linreg.J_history,
                               rtol=1e-5 if floatx == np.float32 else 1e-10)
