"""Losses compute in Keras 3's dtype: a loss object converts both arguments to its ``dtype``
(``floatx()``, float32, unless given: a Python list, a float64 array, a float16 tensor all become
float32) and returns a Tensor of it; the functions (``keras.losses.mse``...) keep ``y_pred``'s
type as TensorFlow converts it (Python floats: float32; arrays and tensors keep theirs) and cast
``y_true`` to it.

Fixture: tests/fixtures/keras_loss_dtypes.json, written by tools/make_keras_loss_dtypes.py under
Keras 3.15 / TensorFlow 2.21: for each loss class (both reductions), each function and each kind
of input, the result's dtype, shape, value and printed form; the ``dtype`` argument's effect; the
``dtype`` attribute; and what a compiled model's ``evaluate`` and ``compute_loss`` give.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import glassnet
import glassnet as tf
from glassnet.keras import losses

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "keras_loss_dtypes.json").read_text())
# Keras's huber of integers computes in int32, where its 0.5 is 0 ([0, 2] for [0.5, 1.5]): glassnet
# computes integers in float32, as Keras does mean_squared_error's (test below)
INTEGER_HUBER = [c for c in FIXTURE["cases"] if c["name"] == "huber" and c["kind"] == "int_lists"]
CASES = [c for c in FIXTURE["cases"] if "error" not in c and c not in INTEGER_HUBER]
# Keras 3.15 refuses sparse labels as a Python list (the class: "Structures don't have the same
# nested structure"; the function: a list has no .shape); glassnet takes them as an array
REFUSED = [c for c in FIXTURE["cases"] if "error" in c]


def _built(spec):
    """An input as the tool gave it to Keras: a Python list, a NumPy array or a tf.constant."""
    if spec["form"] == "list":
        return spec["value"]
    array = np.array(spec["value"], spec["dtype"])
    return array if spec["form"] == "numpy" else tf.constant(array)


def _call(case):
    t, p = _built(case["y_true"]), _built(case["y_pred"])
    if case["form"] == "function":
        return getattr(losses, case["name"])(t, p)
    return getattr(losses, case["name"])(**case["kwargs"])(t, p)


def _case_id(case):
    args = ", ".join(f"{k}={v!r}" for k, v in case["kwargs"].items())
    return f"{case['name']}({args})-{case['kind']}" if case["form"] == "class" else f"{case['name']}-{case['kind']}"


_NUMBER = re.compile(r"tf\.Tensor\((.*), shape=(.*), dtype=(\w+)\)")


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_the_result_has_keras_dtype_shape_value_and_printed_form(case):
    got = _call(case)
    assert isinstance(got, glassnet.Tensor)
    assert np.dtype(got.dtype).name == case["dtype"]
    assert list(got.shape) == case["shape"]
    rtol = 2e-3 if case["dtype"] == "float16" else 2e-6          # (NumPy's log is an ulp or two from TF's)
    np.testing.assert_allclose(np.asarray(got, np.float64), case["value"], rtol=rtol, atol=0)
    if case["str"] is not None:                     # tf.Tensor(0.25, shape=(), dtype=float32)
        if str(got) != case["str"]:                 # the number's last digit may differ: the rest may not
            mine, keras = _NUMBER.fullmatch(str(got)), _NUMBER.fullmatch(case["str"])
            assert mine and keras and mine.group(2, 3) == keras.group(2, 3), (str(got), case["str"])
            assert float(mine.group(1)) == pytest.approx(float(keras.group(1)), rel=rtol)


@pytest.mark.parametrize("case", REFUSED, ids=[_case_id(c) for c in REFUSED])
def test_sparse_labels_as_a_list_are_taken_as_an_array(case):
    """What Keras refuses, glassnet computes: the value Keras gives the same labels as an array,
    in float32 (a list of Python floats converts to float32)."""
    assert case["kind"] == "list" and "sparse" in case["name"].lower()
    same = next(c for c in CASES if c["form"] == case["form"] and c["name"] == case["name"]
                and c["kwargs"] == case["kwargs"] and c["kind"] == "float32")
    got = _call(case)
    assert np.dtype(got.dtype).name == same["dtype"] == "float32" and list(got.shape) == same["shape"]
    np.testing.assert_allclose(np.asarray(got, np.float64), same["value"], rtol=2e-6)


def test_huber_of_integers_is_computed_in_float32():
    (case,) = INTEGER_HUBER
    assert case["dtype"] == "float32" and case["value"] == [0.0, 2.0]           # Keras's int32 arithmetic
    got = _call(case)                           # errors [1, 1] and [2, 2]: 0.5 e^2 inside delta 1, e - 0.5 outside
    assert got.dtype == np.float32 and got.tolist() == [0.5, 1.5]


def test_an_exact_value_prints_as_keras_prints_it():
    """Mean squared error of exact numbers: the printed form is Keras's to the character."""
    exact = [c for c in CASES if c["name"] == "MeanSquaredError" and c.get("str")]
    assert exact
    for case in exact:
        assert str(_call(case)) == case["str"], _case_id(case)


@pytest.mark.parametrize("dtype", sorted(FIXTURE["dtype_attribute"]))
def test_the_dtype_attribute_names_the_type_it_computes_in(dtype):
    loss = losses.MeanSquaredError() if dtype == "None" else losses.MeanSquaredError(dtype=dtype)
    assert loss.dtype == FIXTURE["dtype_attribute"][dtype]


def test_the_dtype_follows_floatx_when_none_is_given():
    glassnet.config.set_floatx("float64")
    try:
        loss = losses.MeanSquaredError()
        assert loss.dtype == "float64"
        assert loss([[0.0, 1.0]], [[0.5, 1.0]]).dtype == np.float64
    finally:
        glassnet.config.set_floatx("float32")


def test_an_unknown_dtype_is_refused_at_construction():
    with pytest.raises(ValueError, match="'floaty'"):
        losses.MeanSquaredError(dtype="floaty")


def test_under_a_tape_the_gradient_reaches_a_float64_source_in_its_own_type():
    """TensorFlow casts a float64 prediction to float32 for the loss; the gradient comes back
    through the cast as float64 (computed in float32)."""
    p = tf.Variable(np.array([[0.5, 1.0], [2.0, 2.5]]))
    with tf.GradientTape() as tape:
        value = losses.MeanSquaredError()(np.array([[0.0, 1.0], [2.0, 3.0]]), p)
    grad = tape.gradient(value, p)
    assert value.dtype == np.float32 and grad.dtype == np.float64
    np.testing.assert_allclose(grad, [[0.25, 0.0], [0.0, -0.25]], rtol=1e-7)     # (p - y) / 2


@pytest.mark.parametrize("which", sorted(FIXTURE["models"]))
def test_a_compiled_models_compute_loss_and_evaluate(which):
    """``compute_loss`` gives the compiled loss in its dtype (float32, a float64 model's too), and
    ``evaluate`` a Python float, Keras's to the last bit (its mean is kept in float32)."""
    from glassnet.keras import Input, Sequential
    from glassnet.keras.layers import Dense
    want = FIXTURE["models"][which]
    model_dtype = which.split()[1]
    model = Sequential([Input((2,), dtype=model_dtype), Dense(1, kernel_initializer="ones", dtype=model_dtype)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.array(want["x"]), np.array(want["y"])
    loss = model.compute_loss(x=x, y=y, y_pred=model(x))
    assert np.dtype(loss.dtype).name == want["compute_loss"][0]
    assert str(loss) == want["compute_loss"][1]
    value = model.evaluate(x, y, verbose=0)
    assert type(value).__name__ == want["evaluate"][0]
    assert value == want["evaluate"][1]
