"""glassnet.learning_curve (sweeps/curves.py) and the course's figures
(glassbox/bias_variance.py): the errors as the course defines them, and the figures drawn."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import layers, optimizers


def _regression(n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1)).astype(np.float32)
    y = (x ** 2 + 0.05 * rng.standard_normal((n, 1))).astype(np.float32)
    return x, y


def build():
    model = glassnet.Sequential([glassnet.Input(shape=(1,)), layers.Dense(8, "tanh"), layers.Dense(1)])
    model.compile(optimizer=optimizers.Adam(0.05), loss="mse")
    return model


def test_learning_curve_trains_on_the_first_m_rows_and_measures_the_courses_errors():
    x, y = _regression()
    curve = glassnet.learning_curve(build, x, y, sizes=[10, 50, 96], validation_split=0.2, epochs=3,
                                    table="records")
    assert [r["size"] for r in curve] == [10, 50, 96]
    last = curve[-1]
    # the same as building with the seed and fitting the first 96 rows (the last 24 validate)
    glassnet.utils.set_random_seed(0)
    model = build()
    model.fit(x[:96], y[:96], epochs=3, batch_size=32, verbose=0)
    for a, b in zip(last["model"].trainable_weights, model.trainable_weights):
        np.testing.assert_array_equal(a.value, b.value)
    # J_train: mean squared error on the m training rows (no penalty); J_cv on the validation rows
    p = model.predict(x[:96], verbose=0)
    assert last["train_error"] == pytest.approx(float(np.mean((p - y[:96]) ** 2)), rel=1e-5)
    q = model.predict(x[96:], verbose=0)
    assert last["cv_error"] == pytest.approx(float(np.mean((q - y[96:]) ** 2)), rel=1e-5)
    assert curve[0]["history"].history["loss"] and len(curve[0]["history"].history["loss"]) == 3


def test_misclassified_error_and_validation_data():
    rng = np.random.default_rng(1)
    x = rng.random((60, 2)).astype(np.float32)
    y = (x.sum(1, keepdims=True) > 1).astype(np.float32)

    def classifier():
        model = glassnet.Sequential([glassnet.Input(shape=(2,)), layers.Dense(1, "sigmoid")])
        model.compile(optimizer=optimizers.SGD(0.5), loss="binary_crossentropy")
        return model
    curve = glassnet.learning_curve(classifier, x[:40], y[:40], sizes=[20, 40], validation_data=(x[40:], y[40:]),
                                    epochs=2, error_kind="misclassified", table="records")
    model = curve[1]["model"]
    wrong = np.mean((model.predict(x[40:], verbose=0) > 0.5) != (y[40:] > 0.5))
    assert curve[1]["cv_error"] == pytest.approx(wrong)
    assert all(0 <= r["train_error"] <= 1 for r in curve)


@pytest.mark.parametrize("kwargs, message", [
    ({"sizes": []}, "sizes is empty"),
    ({"sizes": [10, 500]}, r"sizes\[1\] = 500 must be a whole number from 1 to 96"),
    ({"sizes": [0]}, r"sizes\[0\] = 0"),
    ({"error_kind": "accuracy"}, "error_kind must be one of"),
    ({"validation_split": 0}, "validation_split must be in"),
    ({"validation_data": (1, 2, 3)}, "validation_data must be a tuple"),
])
def test_bad_arguments_are_named(kwargs, message):
    x, y = _regression()
    with pytest.raises(ValueError, match=message):
        glassnet.learning_curve(build, x, y, **kwargs)


def test_the_bias_variance_figure_from_a_sweep():
    x, y = _regression()

    def regularized(lam, seed=0):
        model = glassnet.Sequential([glassnet.Input(shape=(1,)),
                                     layers.Dense(8, "tanh", kernel_regularizer=glassnet.regularizers.L2(lam)),
                                     layers.Dense(1)])
        model.compile(optimizer=optimizers.Adam(0.05), loss="mse")
        return model
    table = glassnet.sweep(regularized, {"lam": [0.0, 0.01, 1.0], "seed": [0, 1]}, x, y, epochs=3,
                           validation_split=0.25, verbose=0)
    fig = glassnet.plot.bias_variance(table, x="lam", baseline=0.01)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "lam" and ax.get_xscale() == "log"
    lines = {line.get_label(): line for line in ax.get_lines()}
    train = lines["training error (J_train)"].get_ydata()
    # each point is the mean over the two seeds
    want = [np.mean(table[table["lam"] == lam]["train_error"]) for lam in (0.0, 0.01, 1.0)]
    np.testing.assert_allclose(train, want)
    assert "baseline" in lines
    assert any("best lam" in t.get_text() for t in ax.texts)
    fig.savefig(__import__("io").BytesIO(), format="png")            # it renders


def test_the_learning_curve_figure():
    x, y = _regression()
    curve = glassnet.learning_curve(build, x, y, sizes=[20, 60], epochs=1)
    fig = glassnet.plot.learning_curve(curve, baseline=0.0025)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "m (training set size)"
    assert list(ax.get_lines()[0].get_xdata()) == [20, 60]
    with pytest.raises(ValueError, match="no 'size' column"):
        glassnet.plot.learning_curve([{"lam": 1}])


def test_figure_input_checks():
    with pytest.raises(ValueError, match="x='degree' is not a column"):
        glassnet.plot.bias_variance([{"lam": 0.1, "train_error": 1.0, "val_error": 2.0}], x="degree")
    with pytest.raises(ValueError, match="no training error column"):
        glassnet.plot.bias_variance([{"lam": 0.1, "train_error": float("nan"), "val_error": 2.0,
                                      "final_loss": float("nan"), "final_val_loss": 1.0}], x="lam")
    with pytest.raises(ValueError, match="table must be"):
        glassnet.plot.bias_variance(42)
