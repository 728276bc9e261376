"""The image layers against REAL Keras: fixtures recorded by tools/make_keras_conv_fixtures.py
(Keras 3, TensorFlow backend, CPU); no TensorFlow needed here.

Per layer: the output, dJ/dX and each weight's gradient of ``J = sum(G * layer(X))``, and the
moving statistics after a training forward. Per network (two small convnets and the
simple-MNIST convnet without Dropout): predictions, the first batch's gradients in training
mode, one SGD step, then a few epochs of ``fit(shuffle=False)``: History and final weights.
"""
from __future__ import annotations

import importlib.util
import json
import os

import numpy as np
import pytest

import glassnet
from glassnet.inspect import scratch_copy
from glassnet.step import train_step

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures", "keras_conv")
RTOL, ATOL = 1e-4, 1e-6


def _tool():
    spec = importlib.util.spec_from_file_location(
        "make_keras_conv_fixtures", os.path.join(HERE, "..", "tools", "make_keras_conv_fixtures.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)           # NumPy only at import; Keras only inside its functions
    return module


TOOL = _tool()
with open(os.path.join(FIX, "layers.json")) as fh:
    LAYER_CASES = json.load(fh)["cases"]
LAYERS = np.load(os.path.join(FIX, "layers.npz"))


def close(got, want, what, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["name"] for c in LAYER_CASES])
def test_layer_forward_and_backward_match_keras(case):
    name = case["name"]
    layer = getattr(glassnet.layers, case["cls"])(**case["config"])
    x = LAYERS[f"{name}/x"]
    layer.build_from_shape((None,) + x.shape[1:])
    if layer.weights:
        layer.set_weights([LAYERS[f"{name}/w/{v.name}"] for v in layer.weights])
    y = layer.forward(x, training=case["training"])
    close(y, LAYERS[f"{name}/y"], f"{name}: output")
    dx = layer.backward(LAYERS[f"{name}/G"].copy(), True)
    close(dx, LAYERS[f"{name}/dx"], f"{name}: dJ/dX", atol=ATOL)
    for v in layer.trainable_weights:
        close(v.grad, LAYERS[f"{name}/grad/{v.name}"], f"{name}: dJ/d{v.name}", atol=ATOL)
    for v in layer.non_trainable_weights:
        close(v.value, LAYERS[f"{name}/after/{v.name}"], f"{name}: {v.name} after the forward")


@pytest.mark.parametrize("case", [c for c in LAYER_CASES if "keras_config" in c], ids=lambda c: c["cls"])
def test_config_keys_are_keras_keys(case):
    layer = getattr(glassnet.layers, case["cls"])(**case["config"])
    keras_cfg = case["keras_config"]
    ours = json.loads(json.dumps(layer.get_config()))
    assert set(ours) == set(keras_cfg)
    for key, value in keras_cfg.items():
        if key not in ("name", "kernel_initializer") and not isinstance(value, dict):
            assert ours[key] == value, key


def _net(name):
    input_shape, layers, loss, opt, n, batch, epochs = TOOL.NETS[name]
    model = glassnet.Sequential([glassnet.Input(shape=input_shape)]
                                + [getattr(glassnet.layers, c)(**cfg) for c, cfg in layers], name=name)
    return model


def _fixture(name):
    f = dict(np.load(os.path.join(FIX, f"{name}.npz")))
    input_shape, layers, loss, opt, n, batch, epochs = TOOL.NETS[name]
    model = _net(name)
    if name == "mnist_convnet":      # regenerated from the tool's rule; the checksum proves it is Keras's
        x, y = TOOL.net_data(name, n, input_shape)
        start = TOOL.start_weights([(v.name, v.shape) for v in model.weights], 11)
    else:
        x, y = f["x"], f["y"]
        start = [f[f"start_{i}"] for i in range(len(model.weights))]
    checksum = [sum(float(np.sum(w, dtype=np.float64)) for w in start), float(np.sum(x, dtype=np.float64))]
    np.testing.assert_allclose(checksum, f["start_checksum"], rtol=1e-12)
    model.set_weights(start)
    return f, model, x, y, start


NETS = list(TOOL.NETS)


@pytest.mark.parametrize("name", NETS)
def test_network_predict_gradients_and_one_sgd_step(name):
    f, model, x, y, start = _fixture(name)
    input_shape, layers, loss, opt, n, batch, epochs = TOOL.NETS[name]
    close(model.predict(x, batch_size=n, verbose=0), f["predict"], "predict", atol=ATOL)
    model.compile(optimizer=glassnet.optimizers.SGD(0.1), loss=loss)
    clone = scratch_copy(model)
    value, _ = train_step(clone, *model._data(x[:batch], y[:batch], None, "test")[:2], training=True, update=False)
    assert value == pytest.approx(float(f["first_batch_loss"]), rel=RTOL)
    for i, v in enumerate(clone.trainable_weights):
        close(TOOL.subset(name, v.grad), f[f"grad_{i}"], f"grad of {v.path}", atol=ATOL)
    model.train_on_batch(x[:batch], y[:batch])
    trainable = {id(v) for v in model.trainable_weights}
    grads = iter(range(len(trainable)))
    for i, (v, w0) in enumerate(zip(model.weights, start)):
        if id(v) in trainable:
            g = f[f"grad_{next(grads)}"]
            close(TOOL.subset(name, v.value), TOOL.subset(name, w0) - np.float32(0.1) * g, f"{v.path} after SGD",
                  atol=ATOL)
        else:
            close(v.value, f[f"sgd_{i}"], f"{v.path} (moving statistic) after one step")


@pytest.mark.parametrize("name", NETS)
def test_network_fit_history_and_final_weights(name):
    f, model, x, y, start = _fixture(name)
    input_shape, layers, loss, (opt, okw), n, batch, epochs = TOOL.NETS[name]
    model.compile(optimizer=getattr(glassnet.optimizers, opt)(**okw), loss=loss, metrics=["accuracy"])
    history = model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0)
    close(history.history["loss"], f["history_loss"], "History loss", rtol=RTOL)
    close(history.history["accuracy"], f["history_accuracy"], "History accuracy")
    for i, (v, w) in enumerate(zip(model.weights, model.get_weights())):
        close(TOOL.subset(name, w), f[f"final_{i}"], f"final {v.path}", rtol=RTOL, atol=ATOL)
    close(model.predict(x, batch_size=n, verbose=0), f["final_predict"], "final predict", rtol=RTOL, atol=ATOL)


def test_keras_written_convnet_file_loads_and_predicts():
    pytest.importorskip("h5py")
    f = np.load(os.path.join(FIX, "net_bn_gap.npz"))
    model = glassnet.models.load_model(os.path.join(FIX, "net_bn_gap.keras"))
    assert [type(layer).__name__ for layer in model.layers] == [c for c, _ in TOOL.NETS["net_bn_gap"][1]]
    close(model.predict(f["x"], verbose=0), f["final_predict"], "predict of the loaded file", atol=ATOL)
    bn = model.layers[1]
    assert [v.name for v in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert not np.allclose(bn.moving_mean.value, 0)       # Keras's trained statistics came with the file
