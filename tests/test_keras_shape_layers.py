"""The transposed, depthwise and separable convolutions, the resampling layers, RepeatVector,
Permute, Identity and TimeDistributed against REAL Keras 3.15: fixtures recorded by
tools/make_keras_shape_layers.py (TensorFlow backend, CPU); no TensorFlow needed here.

Per layer: the output, dJ/dX and each weight's gradient of ``J = sum(G * layer(X))`` for seeded
inputs and weights, and Keras's config keys. Per network (the convolutional autoencoder
tutorial, a DCGAN-style generator, a U-Net-style functional model): predict, the first batch's
loss and gradients, a few epochs of fit (History, final predict), and Keras's saved file.
"""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

import glassnet
from glassnet.inspect import scratch_copy
from glassnet.step import train_step
from conftest import load_tool

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures", "keras_shape_layers")
RTOL, ATOL = 1e-4, 1e-5


def _tool():
    return load_tool("make_keras_shape_layers")


TOOL = _tool()
with open(os.path.join(FIX, "layers.json")) as fh:
    CASES = json.load(fh)["cases"]
LAYERS = np.load(os.path.join(FIX, "layers.npz"))


def close(got, want, what, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)


def test_the_fixture_cases_are_the_tools_cases():
    assert [c["name"] for c in CASES] == [c[0] for c in TOOL.layer_cases()]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_layer_forward_and_backward_match_keras(case):
    name = case["name"]
    i = [c["name"] for c in CASES].index(name)
    _, cls, cfg, shape = TOOL.layer_cases()[i]
    layer = TOOL.make_layer(glassnet.layers, cls, cfg)
    x = TOOL.layer_input(i, tuple(shape))
    layer.build_from_shape((None,) + x.shape[1:])
    assert [v.name for v in layer.weights] == case["weights"]          # Keras's names, Keras's order
    weights = TOOL.start_weights([(v.name, v.shape) for v in layer.weights], 200 + i)
    if weights:
        layer.set_weights(weights)
    y = layer.forward(x, training=False)
    assert layer.compute_output_shape((None,) + x.shape[1:])[1:] == y.shape[1:]
    G = TOOL.upstream(i, y.shape)
    np.testing.assert_allclose(TOOL.checksum([x, G] + weights), LAYERS[f"{name}/checksum"], rtol=1e-12)
    close(y, LAYERS[f"{name}/y"], f"{name}: output")
    dx = layer.backward(G.copy(), True)
    close(dx, LAYERS[f"{name}/dx"], f"{name}: dJ/dX")
    for v in layer.trainable_weights:
        close(v.grad, LAYERS[f"{name}/grad/{v.name}"], f"{name}: dJ/d{v.name}")


@pytest.mark.parametrize("case", [c for c in CASES if "keras_config" in c], ids=lambda c: c["cls"])
def test_config_keys_and_values_are_keras(case):
    i = [c["name"] for c in CASES].index(case["name"])
    _, cls, cfg, shape = TOOL.layer_cases()[i]
    layer = TOOL.make_layer(glassnet.layers, cls, cfg)
    keras_cfg = case["keras_config"]
    ours = json.loads(json.dumps(layer.get_config()))
    assert set(ours) == set(keras_cfg)
    for key, value in keras_cfg.items():
        if key not in ("name", "layer") and not key.endswith("_initializer") and not isinstance(value, dict):
            assert ours[key] == value, key
    if cls == "TimeDistributed":         # the nested layer's config: the same keys as Keras's, less its newer extras
        inner = keras_cfg["layer"]
        assert ours["layer"]["class_name"] == inner["class_name"]
        assert set(ours["layer"]["config"]) <= set(inner["config"])


# -- networks ----------------------------------------------------------------------------------
def _fixture(name):
    f = dict(np.load(os.path.join(FIX, f"{name}.npz")))
    input_shape, loss, n, batch, epochs = TOOL.NETS[name]
    glassnet.utils.clear_session()
    model = TOOL.build_net(glassnet, name)
    x, y = TOOL.net_data(name, n, input_shape)
    start = TOOL.start_weights([(v.name, v.shape) for v in model.weights], 11)
    np.testing.assert_allclose(TOOL.checksum([x, y] + start), f["start_checksum"], rtol=1e-12)
    model.set_weights(start)
    return f, model, x, y


@pytest.mark.parametrize("name", list(TOOL.NETS))
def test_network_predict_and_first_batch_gradients(name):
    f, model, x, y = _fixture(name)
    input_shape, loss, n, batch, epochs = TOOL.NETS[name]
    close(model.predict(x, batch_size=n, verbose=0), f["predict"], "predict")
    model.compile(optimizer=glassnet.optimizers.SGD(0.1), loss=loss)
    clone = scratch_copy(model)
    value, _ = train_step(clone, *model._data(x[:batch], y[:batch], None, "test")[:2], training=True, update=False)
    assert value == pytest.approx(float(f["first_batch_loss"]), rel=RTOL)
    for i, v in enumerate(clone.trainable_weights):
        close(v.grad, f[f"grad_{i}"], f"grad of {v.path}", rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("name", list(TOOL.NETS))
def test_network_fit_history_matches_keras(name):
    f, model, x, y = _fixture(name)
    input_shape, loss, n, batch, epochs = TOOL.NETS[name]
    model.compile(optimizer=glassnet.optimizers.Adam(0.01), loss=glassnet.losses.MeanSquaredError())
    history = model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0)
    close(history.history["loss"], f["history_loss"], "History loss", rtol=1e-3)
    close(model.predict(x, batch_size=n, verbose=0), f["final_predict"], "final predict", rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("name", list(TOOL.NETS))
def test_keras_written_file_loads_and_predicts(name):
    pytest.importorskip("h5py")
    f = np.load(os.path.join(FIX, f"{name}.npz"))
    input_shape, loss, n, batch, epochs = TOOL.NETS[name]
    x, _ = TOOL.net_data(name, n, input_shape)
    model = glassnet.models.load_model(os.path.join(FIX, f"{name}.keras"))
    close(model.predict(x, verbose=0), f["final_predict"], "predict of the loaded file")
