"""The image layers in files: .keras, .weights.h5 and .safetensors both ways in glassnet (the
Keras direction is tools/make_keras_conv_fixtures.py --check and the fixtures of
test_keras_conv_parity.py), the loader's weight cap, and ONNX export run by ONNX Runtime."""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

import glassnet
from glassnet.layers import (AveragePooling1D, AveragePooling2D, BatchNormalization, Conv1D, Conv2D, Dense, Flatten,
                             GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling1D,
                             MaxPooling2D, Reshape)


def every_layer_model(seed=0):
    glassnet.utils.set_random_seed(seed)
    glassnet.utils.clear_session()
    model = glassnet.Sequential([
        glassnet.Input(shape=(9, 8, 2)),
        Conv2D(3, (3, 2), strides=2, padding="same", activation="relu", kernel_regularizer="l2"),
        BatchNormalization(momentum=0.9),
        MaxPooling2D(2, strides=1, padding="same"),
        AveragePooling2D(2, padding="same"),
        GlobalMaxPooling2D(keepdims=True),
        Reshape((3, 1)),
        Conv1D(2, 2, padding="causal", dilation_rate=2),
        MaxPooling1D(2, padding="same"),
        AveragePooling1D(1),
        GlobalAveragePooling1D(),
        Dense(2),
    ])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(16, 9, 8, 2)).astype(np.float32)
    model.fit(x, rng.normal(size=(16, 2)), epochs=2, batch_size=8, verbose=0)
    return model, x


def test_keras_file_round_trip_keeps_layers_weights_and_statistics(tmp_path):
    pytest.importorskip("h5py")
    model, x = every_layer_model()
    bn = model.layers[1]
    assert not np.allclose(bn.moving_mean.value, 0)          # fit moved the statistics
    path = tmp_path / "every.keras"
    model.save(path)
    loaded = glassnet.models.load_model(path)
    assert [type(a) for a in loaded.layers] == [type(b) for b in model.layers]
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    # training resumes identically (optimizer state came with the file)
    y = np.ones((16, 2))
    model.fit(x, y, epochs=1, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("suffix, module", [(".weights.h5", "h5py"), (".safetensors", "safetensors")])
def test_weight_files_round_trip(tmp_path, suffix, module):
    pytest.importorskip(module)
    model, x = every_layer_model(1)
    path = tmp_path / f"w{suffix}"
    model.save_weights(path)
    fresh, _ = every_layer_model(2)
    assert not np.allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_loader_refuses_a_convolution_shape_bomb_before_allocating(tmp_path):
    pytest.importorskip("h5py")
    model = glassnet.Sequential([glassnet.Input(shape=(8, 8, 1)), Conv2D(2, 3), Flatten(), Dense(1)])
    model.compile(loss="mse")
    buffer = tmp_path / "small.keras"
    model.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        members = {name: z.read(name) for name in z.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["config"]["filters"] = 10**6
    config["config"]["layers"][1]["config"]["kernel_size"] = [200, 200]
    members["config.json"] = json.dumps(config).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    bomb = tmp_path / "bomb.keras"
    bomb.write_bytes(out.getvalue())
    with pytest.raises(glassnet.saving.UnsafeFileError, match="shape bomb"):
        glassnet.models.load_model(bomb)


# ---------------------------------------------------------------------------------------
# ONNX
# ---------------------------------------------------------------------------------------
def _onnx_run(model, x, tmp_path, opset=None):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    path = tmp_path / "model.onnx"
    model.export(path, opset=opset)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"inputs": x})[0]


@pytest.mark.parametrize("opset", [None, 18])
def test_onnx_export_of_every_layer_matches_predict(tmp_path, opset):
    model, x = every_layer_model()
    for batch in (x[:1], x):                                 # the batch dimension stays dynamic
        np.testing.assert_allclose(_onnx_run(model, batch, tmp_path, opset), model.predict(batch, verbose=0),
                                   rtol=1e-5, atol=1e-6)


def test_onnx_export_of_the_simple_mnist_convnet(tmp_path):
    glassnet.utils.set_random_seed(3)
    model = glassnet.Sequential([
        glassnet.Input(shape=(28, 28, 1)), Conv2D(32, 3, activation="relu"), MaxPooling2D(2),
        Conv2D(64, 3, activation="relu"), MaxPooling2D(2), Flatten(), Dense(10, activation="softmax")])
    x = np.random.default_rng(0).random((3, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(_onnx_run(model, x, tmp_path), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    from glassnet.onnx_export import build_graph
    ops = [n.op_type for n in build_graph(model).nodes]
    assert ops.count("Conv") == 2 and ops.count("MaxPool") == 2 and "Transpose" in ops


def test_onnx_graph_names_the_nodes_asked_for():
    from glassnet.onnx_export import build_graph
    model = glassnet.Sequential([glassnet.Input(shape=(6, 6, 3)), Conv2D(2, 3, padding="same"), BatchNormalization(),
                                 AveragePooling2D(2), GlobalAveragePooling2D(), Reshape((2, 1)), Flatten()])
    ops = [n.op_type for n in build_graph(model).nodes]
    for op in ("Conv", "BatchNormalization", "AveragePool", "ReduceMean", "Reshape"):
        assert op in ops


@pytest.mark.parametrize("layer", [Conv2D(2, 3), AveragePooling2D(2)], ids=["conv", "avgpool"])
def test_onnx_export_refuses_float64_conv_and_average_pool_before_writing(tmp_path, layer):
    pytest.importorskip("onnx")
    model = glassnet.Sequential([glassnet.Input(shape=(6, 6, 2)), layer], name="f64")
    model.build((None, 6, 6, 2))
    for v in layer.weights:                      # a float64 model
        v.store_in(np.zeros(v.shape, np.float64), np.zeros(v.shape, np.float64))
    layer.dtype = np.dtype("float64")
    target = tmp_path / "model.onnx"
    target.write_bytes(b"old")
    with pytest.raises(ValueError, match="no float64"):
        glassnet.config.set_floatx("float64")
        try:
            model.export(target)
        finally:
            glassnet.config.set_floatx("float32")
    assert target.read_bytes() == b"old"
