"""LayerNormalization, GroupNormalization, UnitNormalization (glassnet/layers/layer_normalization.py):
Keras 3.15's numbers and gradients (tests/fixtures/keras_attention.npz, tools/make_keras_attention.py),
central differences, arguments refused by name, .keras round trips, ONNX, explain."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import layers

FIXTURE = np.load(Path(__file__).parent / "fixtures" / "keras_attention.npz")


def _case(name):
    prefix = f"{name}/"
    return {k[len(prefix):]: FIXTURE[k] for k in FIXTURE.files if k.startswith(prefix)}


MAKERS = {
    "ln": lambda: layers.LayerNormalization(),
    "ln_axes": lambda: layers.LayerNormalization(axis=[1, 2], epsilon=1e-5),
    "ln_rms": lambda: layers.LayerNormalization(rms_scaling=True),
    "ln_noscale": lambda: layers.LayerNormalization(center=False, scale=False),
    "gn": lambda: layers.GroupNormalization(groups=2),
    "un": lambda: layers.UnitNormalization(),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_forward_and_gradients_match_keras(name):
    case = _case(name)
    layer = MAKERS[name]()
    layer(case["x0"])
    weights = [case[f"w{i}"] for i in range(len(layer.weights))]
    assert [w.shape for w in weights] == [v.shape for v in layer.weights]
    layer.set_weights(weights)
    y = np.asarray(layer(case["x0"]))
    np.testing.assert_allclose(y, case["y"], rtol=1e-4, atol=1e-5)
    dx = layer.backward(case["dy"])
    np.testing.assert_allclose(dx, case["dx0"], rtol=1e-3, atol=1e-4)
    for i, v in enumerate(layer.trainable_weights):
        np.testing.assert_allclose(v.grad, case[f"dw{i}"], rtol=1e-3, atol=1e-4, err_msg=v.name)


def test_the_formula_by_hand():
    # one sample [1, 3]: mu = 2, var = 1, so xhat = (x - 2) / sqrt(1 + 1e-3)
    ln = layers.LayerNormalization()
    y = np.asarray(ln(np.array([[1.0, 3.0]])), np.float64)
    np.testing.assert_allclose(y, [[-1 / np.sqrt(1.001), 1 / np.sqrt(1.001)]], rtol=1e-6)
    assert ln.epsilon == 1e-3 and ln.axis == -1


@pytest.mark.parametrize("make, shape", [
    (lambda: layers.LayerNormalization(), (3, 4, 5)),
    (lambda: layers.LayerNormalization(axis=[1, 2]), (3, 4, 5)),
    (lambda: layers.LayerNormalization(axis=1, center=False), (3, 4, 5)),
    (lambda: layers.LayerNormalization(rms_scaling=True), (3, 4)),
    (lambda: layers.LayerNormalization(axis=[-2, -1], rms_scaling=True), (2, 3, 4)),
    (lambda: layers.GroupNormalization(groups=3, axis=1), (2, 6, 2, 2)),
    (lambda: layers.GroupNormalization(groups=1), (2, 3, 4)),
    (lambda: layers.UnitNormalization(axis=[1, 2]), (3, 2, 4)),
])
def test_gradcheck_with_weights_away_from_one_and_zero(make, shape):
    rng = np.random.default_rng(0)
    layer = make()
    layer.build_from_shape((None,) + shape[1:])
    for v in layer.weights:
        v.value = rng.normal(size=v.shape)
    assert glassnet.gradcheck(layer, rng.normal(size=shape) * 2 + 0.5).passed


def test_weights_and_config_as_keras():
    ln = layers.LayerNormalization(axis=[1, 2], rms_scaling=True)
    ln.build_from_shape((None, 3, 4))
    assert [(v.name, v.shape) for v in ln.weights] == [("gamma", (3, 4))]         # RMS: no beta
    cfg = ln.get_config()
    assert {"axis", "epsilon", "center", "scale", "rms_scaling", "beta_initializer", "gamma_initializer",
            "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"} <= set(cfg)
    again = layers.LayerNormalization.from_config(cfg)
    assert again.axis == [1, 2] and again.rms_scaling
    assert layers.GroupNormalization(4).get_config()["groups"] == 4


@pytest.mark.parametrize("make, match", [
    (lambda: layers.LayerNormalization(epsilon=0), "epsilon"),
    (lambda: layers.LayerNormalization(axis="last"), "axis"),
    (lambda: layers.LayerNormalization(gamma_constraint="non_neg"), "gamma_constraint"),
    (lambda: layers.GroupNormalization(groups=0), "groups"),
    (lambda: layers.GroupNormalization(axis=[1, 2]), "axis"),
    (lambda: layers.UnitNormalization(axis=1.5), "axis"),
])
def test_bad_arguments_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_shapes_that_do_not_fit_are_refused():
    with pytest.raises(ValueError, match="axis=3"):
        layers.LayerNormalization(axis=3)(np.ones((2, 4)))
    with pytest.raises(ValueError, match="groups=4 must divide the 6 channels"):
        layers.GroupNormalization(groups=4)(np.ones((2, 6)))
    ln = layers.LayerNormalization()
    ln(np.ones((2, 4)))
    with pytest.raises(ValueError, match="built for 2-dimensional"):
        ln.forward(np.ones((2, 3, 4)))


def _model(norm):
    glassnet.utils.set_random_seed(0)
    inputs = glassnet.Input(shape=(6, 4))
    x = layers.Dense(5, activation="tanh")(inputs)
    x = norm(x)
    return glassnet.Model(inputs, layers.Dense(1)(layers.Flatten()(x)))


@pytest.mark.parametrize("make", [lambda: layers.LayerNormalization(axis=[1, 2], rms_scaling=False),
                                  lambda: layers.LayerNormalization(rms_scaling=True, epsilon=1e-5),
                                  lambda: layers.GroupNormalization(groups=5, center=False),
                                  lambda: layers.UnitNormalization()])
def test_save_and_load_round_trips(tmp_path, make):
    model = _model(make())
    model.compile(optimizer="adam", loss="mse")
    x, y = np.random.default_rng(1).normal(size=(16, 6, 4)), np.random.default_rng(2).normal(size=(16, 1))
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = glassnet.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert type(loaded.layers[2]) is type(model.layers[2])


def test_a_keras_written_block_loads_and_predicts_kerass_numbers(tmp_path):
    folder = Path(__file__).parent / "fixtures" / "attention_files"
    data = np.load(folder / "attention_block.npz")
    model = glassnet.models.load_model(folder / "attention_block.keras")
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["pred"], rtol=1e-4, atol=1e-5)
    model.save(tmp_path / "again.keras")
    again = glassnet.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(data["x"], verbose=0), data["pred"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make", [lambda: layers.LayerNormalization(epsilon=1e-5),
                                  lambda: layers.LayerNormalization(axis=[1, 2], center=False),
                                  lambda: layers.LayerNormalization(rms_scaling=True),
                                  lambda: layers.UnitNormalization()])
def test_onnx_export_gives_predicts_numbers(tmp_path, make):
    pytest.importorskip("onnx")
    from test_onnx_export import assert_same_as_predict, randomize
    model = randomize(glassnet.Sequential([glassnet.Input(shape=(3, 4)), make()]))
    x = np.random.default_rng(3).normal(size=(17, 3, 4)).astype(np.float32)      # (every batch size tried)
    model.export(tmp_path / "m.onnx")
    assert_same_as_predict(model, tmp_path / "m.onnx", x)


def test_onnx_refuses_axes_that_are_not_trailing():
    pytest.importorskip("onnx")
    model = glassnet.Sequential([glassnet.Input(shape=(3, 4)), layers.LayerNormalization(axis=1)])
    with pytest.raises(ValueError, match="trailing axes"):
        model.export("never_written.onnx")
    assert not Path("never_written.onnx").exists()


def test_explain_works_the_first_number_out():
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), layers.LayerNormalization(name="ln"),
                                 layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    text = str(glassnet.explain(model, np.arange(8.0).reshape(2, 4), np.ones((2, 1))))
    assert "sqrt(var + 0.001)" in text and "by hand" in text


def test_a_padding_mask_passes_through_as_kerass():
    ids = np.array([[3, 1, 0], [2, 0, 0]])
    x = layers.Embedding(5, 4, mask_zero=True)(ids)
    for layer in (layers.LayerNormalization(), layers.GroupNormalization(groups=2), layers.UnitNormalization()):
        np.testing.assert_array_equal(np.asarray(layer(x)._keras_mask), ids != 0)
