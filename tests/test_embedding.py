"""glassnet.layers.embedding: a gather forward, a scatter-add backward (an id used twice in a
batch gets both gradients), Keras's numbers, files both ways, ONNX, and clear refusals."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import glassnet
from glassnet.keras import layers
from conftest import load_tool

HERE = pathlib.Path(__file__).parent


def _tool():
    return load_tool("make_keras_embedding")


def test_forward_gathers_rows_and_backward_adds_them_up_per_id():
    layer = layers.Embedding(5, 2)
    ids = np.array([[1, 3, 1], [0, 1, 4]])
    out = layer(ids)
    table = layer.embeddings.value
    np.testing.assert_array_equal(out, table[ids])
    grad = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    layer.forward(ids.astype(np.float32))
    assert layer.backward(grad, need_input_grad=False) is None
    want = np.zeros_like(table)
    for n in range(2):
        for t in range(3):
            want[ids[n, t]] += grad[n, t]                    # id 1 three times: three rows added
    np.testing.assert_array_equal(layer.embeddings.grad, want)
    assert glassnet.gradcheck(layers.Embedding(6, 3), np.array([[0, 1, 1], [5, 2, 0]])).passed


def test_a_text_classifier_trains_to_keras_weights():
    tool = _tool()
    d = np.load(HERE / "fixtures" / "keras_embedding" / "text.npz")
    model = tool.build(glassnet.keras)
    model.set_weights([d[f"start_{i}"] for i in range(3)])
    x, y = tool.data()
    losses = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses, d["losses"], rtol=1e-4)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, d[f"end_{i}"], atol=1e-4)
    np.testing.assert_allclose(model.predict(x, verbose=0), d["pred"], atol=1e-4)


def test_files_and_onnx(tmp_path):
    glassnet.utils.set_random_seed(1)
    model = _tool().build(glassnet.keras)
    x, y = _tool().data()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "text.keras")
    again = glassnet.models.load_model(tmp_path / "text.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    ort = pytest.importorskip("onnxruntime")
    model.export(tmp_path / "text.onnx")
    session = ort.InferenceSession(str(tmp_path / "text.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"inputs": x.astype(np.float32)})[0], model.predict(x, verbose=0),
                               atol=1e-6)


def test_bad_ids_and_arguments_are_refused_naming_the_position():
    layer = layers.Embedding(4, 2)
    with pytest.raises(ValueError, match=r"ids run from 0 to 3.*input\[1, 0\] is 4"):
        layer(np.array([[0, 1], [4, 2]]))
    with pytest.raises(ValueError, match=r"whole numbers.*input\[0, 1\]"):
        layer(np.array([[0.0, 1.5]]))
    with pytest.raises(ValueError, match="input_dim must be a positive integer"):
        layers.Embedding(0, 2)
