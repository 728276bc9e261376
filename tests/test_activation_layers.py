"""Activation layers (ReLU, LeakyReLU, ELU, PReLU, Softmax): what real Keras computes
(fixtures from tools/make_keras_activation_layers.py, float64), central-difference checks
of each backward, the .keras format both ways, ONNX export run by ONNX Runtime, explain."""
import json
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import config
from glassnet.keras import Input, Sequential
from glassnet.keras.layers import ELU, PReLU, ReLU, Dense, LeakyReLU, Softmax

FIXTURES = Path(__file__).parent / "fixtures" / "keras_activation_layers"
CASES = json.loads((FIXTURES / "cases.json").read_text())["cases"]
ARRAYS = np.load(FIXTURES / "cases.npz")
CLASSES = {"ReLU": ReLU, "LeakyReLU": LeakyReLU, "ELU": ELU, "PReLU": PReLU, "Softmax": Softmax}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_forward_and_backward_match_keras(case):
    name = case["name"]
    x, g = ARRAYS[f"{name}/x"], ARRAYS[f"{name}/g"]
    layer = CLASSES[case["class"]](**case["kwargs"], dtype="float64")
    layer.build_from_shape((None,) + x.shape[1:])
    if case["class"] == "PReLU":
        layer.set_weights([ARRAYS[f"{name}/alpha"]])
    # Keras's TF backend casts LeakyReLU's slope through float32 (0.3 -> 0.30000001192):
    # the default-slope case is compared at a tolerance that allows that rounding.
    tol = dict(rtol=1e-7, atol=1e-14) if name == "leaky_relu" else dict(rtol=1e-12, atol=1e-14)
    y = layer.forward(x)
    np.testing.assert_allclose(y, ARRAYS[f"{name}/y"], **tol)
    dx = layer.backward(g)
    np.testing.assert_allclose(dx, ARRAYS[f"{name}/dx"], **tol)
    if case["class"] == "PReLU":
        np.testing.assert_allclose(layer.alpha.grad, ARRAYS[f"{name}/dalpha"], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_config_has_keras_keys_and_values(case):
    layer = CLASSES[case["class"]](**case["kwargs"], dtype="float64")
    ours, theirs = layer.get_config(), case["config"]
    assert set(ours) == set(theirs)
    for key in set(theirs) - {"name"}:
        assert ours[key] == theirs[key], key
    again = type(layer).from_config(ours)
    assert again.get_config() == ours


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_gradcheck(case):
    x = ARRAYS[f"{case['name']}/x"]
    layer = CLASSES[case["class"]](**case["kwargs"], dtype="float64")
    if case["class"] == "PReLU":
        layer.build_from_shape((None,) + x.shape[1:])
        layer.set_weights([ARRAYS[f"{case['name']}/alpha"]])
    report = glassnet.gradcheck(layer, x)
    assert report.passed, report


def test_prelu_learns_its_slope_in_a_model():
    # a target with slope 0.25 below zero: PReLU (starting at 0) must move alpha towards it
    x = np.linspace(-3, 3, 60).reshape(-1, 1)
    y = np.where(x > 0, x, 0.25 * x)
    model = Sequential([Input(shape=(1,)), PReLU()])
    model.compile(optimizer=glassnet.optimizers.SGD(0.1), loss="mse")
    model.fit(x, y, epochs=40, batch_size=60, verbose=0)
    assert abs(float(model.layers[0].alpha.value[0]) - 0.25) < 0.01


def test_argument_checks_name_the_argument():
    with pytest.raises(ValueError, match="max_value"):
        ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope"):
        LeakyReLU(negative_slope=None)
    with pytest.raises(ValueError, match="threshold"):
        ReLU(threshold=-0.5)
    with pytest.raises(ValueError, match="shared_axes"):
        PReLU(shared_axes=[0])
    with pytest.raises(ValueError, match="axis"):
        Softmax(axis="last")
    assert LeakyReLU(alpha=0.1).negative_slope == 0.1          # tf.keras's spelling
    assert LeakyReLU().negative_slope == 0.3                   # the layer's default, as Keras


def test_keras_file_loads_and_round_trips(tmp_path):
    data = np.load(FIXTURES / "model.npz")
    model = glassnet.saving.load_model(FIXTURES / "model.keras")
    assert [type(l).__name__ for l in model.layers] == [
        "Dense", "ReLU", "Dense", "LeakyReLU", "PReLU", "Dense", "ELU", "Dense", "Softmax"]
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "again.keras")
    again = glassnet.saving.load_model(tmp_path / "again.keras")
    np.testing.assert_array_equal(again.predict(data["x"], verbose=0), model.predict(data["x"], verbose=0))
    assert [l.get_config() for l in again.layers] == [l.get_config() for l in model.layers]


def test_softmax_layer_ends_a_classifier_with_the_declared_shortcut():
    model = Sequential([Input(shape=(3,)), Dense(4), Softmax()])
    model.compile(loss="sparse_categorical_crossentropy")
    assert model.output_shortcut                     # trains from dJ/dz = a - y, as Keras does
    assert not Sequential([Input(shape=(3, 4)), Softmax(axis=1)]).output_shortcut


def test_explain_narrates_activation_layers():
    rng = np.random.default_rng(0)
    model = Sequential([Input(shape=(3,)), Dense(4), LeakyReLU(0.1), PReLU(), Dense(2), Softmax()])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    text = str(glassnet.explain(model, rng.normal(size=(4, 3)), np.array([0, 1, 1, 0])))
    assert "leaky_re_lu" in text and "p_re_lu" in text and "softmax" in text


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_onnx_export_runs_in_onnxruntime(tmp_path, dtype):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    config.set_floatx(dtype)
    try:
        model = Sequential([Input(shape=(4,)), Dense(6), ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2),
                            Dense(6), LeakyReLU(0.2), PReLU(alpha_initializer="ones"), Dense(5), ELU(0.7),
                            ReLU(), Dense(3), Softmax()])
        rng = np.random.default_rng(1)
        model.set_weights([rng.normal(size=w.shape) * 0.8 for w in model.get_weights()])
        model.export(tmp_path / "m.onnx")
        x = rng.normal(size=(7, 4)).astype(dtype)
        expected = model.predict(x, verbose=0)
    finally:
        config.set_floatx("float32")
    sess = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"inputs": x})[0]
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got, expected, **tol)


def test_activation_layers_leave_the_sample_shape_to_the_next_layer():
    """fit's check of x asks each layer (Layer.needs_flat_samples): an activation layer first
    keeps the shape, so a Dense after it still refuses 3-D samples with the Flatten hint."""
    x, y = np.ones((4, 2, 3)), np.zeros(4)
    for first in (ReLU(), LeakyReLU(), ELU(), PReLU(), Softmax(), glassnet.layers.Dropout(0.1),
                  glassnet.layers.Activation("tanh")):
        model = Sequential([first, Dense(1)])
        model.compile(loss="mse", optimizer="sgd")
        with pytest.raises(ValueError, match=r"starts with a Dense layer.*Flatten\(\) first"):
            model.fit(x, y, verbose=0)
        assert not model.built
    model = Sequential([ReLU(), glassnet.layers.Flatten(), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    model.fit(x, y, verbose=0)
