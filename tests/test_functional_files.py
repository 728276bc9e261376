"""Functional graphs in .keras files (glassnet/saving/functional.py): Keras's layout both ways.
The fixture is a Keras-written two-input, two-output model with a shared layer and a merge
(tools/make_keras_functional.py); glassnet reads it, predicts Keras's numbers and trains on
to Keras's next epoch; what glassnet writes, glassnet reads back (and Keras, checked by the
tool's --check)."""
from __future__ import annotations

import json
import pathlib
import zipfile

import numpy as np
import pytest

import glassnet
from glassnet.saving import ModelFileError
from conftest import load_tool

pytest.importorskip("h5py")
HERE = pathlib.Path(__file__).parent / "fixtures" / "keras_functional"


def test_keras_functional_file_predicts_and_trains_on_as_keras():
    model = glassnet.models.load_model(HERE / "two_in_two_out.keras")
    d = np.load(HERE / "two_in_two_out.npz")
    assert [layer.name for layer in model.layers] == ["a", "h", "b", "shared", "hb", "cat", "back", "price", "kind"]
    x, y = [d["xa"], d["xb"]], [d["y1"], d["y2"]]
    pred = model.predict(x, verbose=0)
    np.testing.assert_allclose(pred[0], d["pred1"], atol=1e-6)
    np.testing.assert_allclose(pred[1], d["pred2"], atol=1e-6)
    assert model.loss.weights == [1.0, 0.5]
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)        # Adam's state came along
    after = model.predict(x, verbose=0)
    np.testing.assert_allclose(after[0], d["after1"], atol=1e-5)
    np.testing.assert_allclose(after[1], d["after2"], atol=1e-5)


def _graph_model():
    keras = glassnet.keras
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    shared = keras.layers.Dense(3, activation="tanh")
    merged = keras.layers.Add()([shared(a), keras.layers.Dense(3)(b)])
    out = {"y": keras.layers.Dense(1)(shared(merged))}
    model = keras.Model({"a": a, "b": b}, out)
    model.compile(optimizer="rmsprop", loss={"y": "mse"})
    return model


def test_a_graph_with_named_inputs_round_trips(tmp_path):
    glassnet.utils.set_random_seed(3)
    model = _graph_model()
    rng = np.random.default_rng(4)
    x = {"a": rng.random((16, 3)).astype(np.float32), "b": rng.random((16, 2)).astype(np.float32)}
    model.fit(x, {"y": x["a"].sum(axis=1, keepdims=True)}, epochs=2, verbose=0)
    model.save(tmp_path / "g.keras")
    cfg = json.loads(zipfile.ZipFile(tmp_path / "g.keras").read("config.json"))
    assert cfg["class_name"] == "Functional" and set(cfg["config"]["input_layers"]) == {"a", "b"}
    again = glassnet.models.load_model(tmp_path / "g.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0)["y"], model.predict(x, verbose=0)["y"])
    assert again.optimizer.iterations == model.optimizer.iterations


def _rewrite(src, dst, change):
    with zipfile.ZipFile(src) as z:
        files = {name: z.read(name) for name in z.namelist()}
    cfg = json.loads(files["config.json"])
    change(cfg)
    files["config.json"] = json.dumps(cfg).encode()
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)


@pytest.mark.parametrize("change,match", [
    (lambda c: c["config"]["layers"][1]["inbound_nodes"][0]["args"][0]["config"].__setitem__(
        "keras_history", ["nowhere", 0, 0]), "never get their inputs"),
    (lambda c: c["config"]["layers"][1]["inbound_nodes"][0].__setitem__("kwargs", {"mask": 1}),
     "kwargs"),
    (lambda c: c["config"]["layers"][1]["config"].__setitem__("units", 10 ** 9), "shape bomb"),
    (lambda c: c.__setitem__("module", "evil.module"), "refused module"),
    (lambda c: c["config"].__setitem__("output_layers", [["kind", 7, 0]]), "output_layers"),
])
def test_a_tampered_functional_file_is_refused(tmp_path, change, match):
    _rewrite(HERE / "two_in_two_out.keras", tmp_path / "bad.keras", change)
    with pytest.raises(ModelFileError, match=match):
        glassnet.models.load_model(tmp_path / "bad.keras")


def test_a_two_input_dot_normalize_model_trains_to_keras_weights_and_extracts_its_features():
    """Keras parity (tools/make_keras_functional.py): the same start, data and steps give
    Keras's losses and weights; a feature extractor of its layers gives Keras's features."""
    tool = load_tool("make_keras_functional")
    d = np.load(HERE / "dot_normalize.npz")
    model = tool.build_dot(glassnet.keras)
    model.set_weights([d[f"start_{i}"] for i in range(6)])
    x = [d["xu"], d["xi"]]
    losses = model.fit(x, d["y"], epochs=3, batch_size=8, verbose=0, shuffle=False).history["loss"]
    np.testing.assert_allclose(losses, d["losses"], rtol=1e-4)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, d[f"end_{i}"], atol=1e-4)
    extractor = glassnet.keras.Model(model.inputs, [layer.output for layer in model.layers[2:]])   # as the tool
    for i, feature in enumerate(extractor.predict(x, verbose=0)):
        np.testing.assert_allclose(feature, d[f"feature_{i}"], atol=1e-5)


def test_a_graphs_summary_is_keras_table_with_connected_to():
    tool = load_tool("make_keras_functional")
    lines = []
    tool.build(glassnet.keras).summary(print_fn=lines.append)
    keras_text = (HERE / "two_in_two_out.summary.txt").read_text()
    table = [line for line in keras_text.splitlines() if line.strip() and "Optimizer" not in line]
    assert "\n".join(lines).splitlines() == table
