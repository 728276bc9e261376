"""EinsumDense (glassnet/layers/einsum_dense.py): Keras 3.15's outputs and gradients
(tests/fixtures/keras_attention.npz, tools/make_keras_attention.py), gradchecks, Keras's
weight shapes and config, bad equations named, a .keras round trip."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import layers

FIXTURE = np.load(Path(__file__).parent / "fixtures" / "keras_attention.npz")

MAKERS = {
    "ed": lambda: layers.EinsumDense("abc,cd->abd", output_shape=(None, 4), bias_axes="d", activation="tanh"),
    "ed_heads": lambda: layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de"),
    "ed_dots": lambda: layers.EinsumDense("...b,bc->...c", output_shape=4, bias_axes="c"),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_forward_and_gradients_match_keras(name):
    case = {k.split("/", 1)[1]: FIXTURE[k] for k in FIXTURE.files if k.startswith(f"{name}/")}
    layer = MAKERS[name]()
    layer(case["x0"])
    layer.set_weights([case[f"w{i}"] for i in range(len(layer.weights))])
    np.testing.assert_allclose(np.asarray(layer(case["x0"])), case["y"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.backward(case["dy"]), case["dx0"], rtol=1e-3, atol=1e-4)
    for i, v in enumerate(layer.trainable_weights):
        np.testing.assert_allclose(v.grad, case[f"dw{i}"], rtol=1e-3, atol=1e-4, err_msg=v.name)


@pytest.mark.parametrize("equation, output_shape, bias_axes, shape", [
    ("ab,bc->ac", 4, "c", (3, 5)), ("abc,cd->abd", (None, 4), "bd", (2, 3, 5)),
    ("abcd,cde->abe", (None, 4), "e", (2, 3, 2, 3)), ("...b,bc->...c", 4, None, (2, 3, 5))])
def test_gradcheck(equation, output_shape, bias_axes, shape):
    rng = np.random.default_rng(0)
    layer = layers.EinsumDense(equation, output_shape, bias_axes=bias_axes, activation="tanh")
    layer.build_from_shape((None,) + shape[1:])
    for v in layer.weights:
        v.value = rng.normal(size=v.shape)
    assert glassnet.gradcheck(layer, rng.normal(size=shape)).passed
    assert layer.count_params() == layer.count_params_for((None,) + shape[1:])


def test_shapes_and_config_as_kerass():
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de")
    assert layer(np.ones((4, 6, 5))).shape == (4, 6, 2, 3)
    assert [(v.name, v.shape) for v in layer.weights] == [("kernel", (5, 2, 3)), ("bias", (2, 3))]
    cfg = layer.get_config()
    assert cfg["equation"] == "abc,cde->abde" and cfg["output_shape"] == [None, 2, 3] and cfg["bias_axes"] == "de"
    again = layers.EinsumDense.from_config(cfg)
    assert again.compute_output_shape((None, 6, 5)) == (None, 6, 2, 3)


@pytest.mark.parametrize("kwargs, match", [
    ({"equation": "abc->abd", "output_shape": 4}, "input,kernel->output"),
    ({"equation": "abc,cd->abd", "output_shape": (4, 5, 6)}, "output_shape"),
    ({"equation": "abc,cd->abd", "output_shape": (None, 4), "bias_axes": "x"}, "bias_axes"),
    ({"equation": "abc,cdf->abd", "output_shape": (None, 4)}, "kernel subscript"),
    ({"equation": "abc,cf->abd", "output_shape": (None, 4)}, "neither the input nor the kernel"),
])
def test_bad_equations_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.EinsumDense(**kwargs)


def test_trains_and_round_trips_a_keras_file(tmp_path):
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([glassnet.Input(shape=(3, 5)),
                                 layers.EinsumDense("abc,cd->abd", output_shape=(None, 4), bias_axes="d",
                                                    activation="relu"),
                                 layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 3, 5)), rng.normal(size=(32, 1))
    history = model.fit(x, y, epochs=10, verbose=0).history["loss"]
    assert history[-1] < history[0]
    model.save(tmp_path / "m.keras")
    loaded = glassnet.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
