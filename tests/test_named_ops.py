"""Keras 3's named operations on symbolic tensors (glassnet/layers/named_ops.py): ``x + inputs``
is an ``Add`` node, written to and read from a ``.keras`` file as Keras writes it, from a fixed
table (no code in the file). Keras's file, predictions and gradient come from
tools/make_keras_named_ops.py (TF 2.21 / Keras 3.15)."""
import json
import pathlib
import zipfile

import numpy as np
import pytest

import glassnet as tf
from glassnet import keras
from glassnet.saving import ModelFileError
from conftest import load_tool

HERE = pathlib.Path(__file__).parent / "fixtures" / "keras_named_ops"
pytest.importorskip("h5py")

# Keras 3.15's summary of tools/make_keras_named_ops.build (recorded from TF 2.21)
SUMMARY = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ input_layer         │ (None, 4)         │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 4)         │         20 │ input_layer[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ add (Add)           │ (None, 4)         │          0 │ dense[0][0],      │
│                     │                   │            │ input_layer[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ multiply (Multiply) │ (None, 4)         │          0 │ add[0][0]         │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ exp (Exp)           │ (None, 4)         │          0 │ multiply[0][0]    │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ get_item (GetItem)  │ (None, 2)         │          0 │ exp[0][0]         │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 20 (80.00 B)
 Trainable params: 20 (80.00 B)
 Non-trainable params: 0 (0.00 B)"""


def _config(path):
    return json.loads(zipfile.ZipFile(path).read("config.json"))


def test_the_graph_has_keras_s_operations_and_summary(capsys):
    keras.backend.clear_session()
    model = load_tool("make_keras_named_ops").build(keras)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense"]     # Keras 3.15's
    assert [getattr(op, "keras_op", None) for op in model.operations] == [None, None, "Add", "Multiply", "Exp",
                                                                          "GetItem"]
    model.summary()
    assert capsys.readouterr().out.strip("\n") == SUMMARY


def test_glassnet_writes_the_operations_as_keras_does(tmp_path):
    keras.backend.clear_session()
    model = load_tool("make_keras_named_ops").build(keras)
    model.save(tmp_path / "ops.keras")
    ours = _config(tmp_path / "ops.keras")["config"]["layers"][2:]
    theirs = _config(HERE / "ops.keras")["config"]["layers"][2:]
    assert ours == theirs
    again = keras.models.load_model(tmp_path / "ops.keras")
    x, _ = load_tool("make_keras_named_ops").data()
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_keras_s_file_predicts_and_differentiates_as_keras():
    d = np.load(HERE / "ops.npz")
    model = keras.models.load_model(HERE / "ops.keras")
    x, y = load_tool("make_keras_named_ops").data()
    np.testing.assert_allclose(model.predict(x, verbose=0), d["pred"], rtol=1e-5)
    with tf.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(y, model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    assert float(loss) == pytest.approx(float(d["loss"]), rel=1e-5)
    for i, g in enumerate(grads):
        np.testing.assert_allclose(np.asarray(g), d[f"grad_{i}"], rtol=1e-4)


def test_every_operator_round_trips_through_a_file(tmp_path):
    inputs = keras.Input(shape=(4,))
    h = keras.layers.Dense(4, activation="sigmoid")(inputs)
    out = (1.0 - h) / 2.0 + abs(-h) ** 2 - keras.ops.sqrt(h + 1.0) * keras.ops.tanh(h)
    outer = keras.ops.maximum(out, 0.1)[:, :, None] @ h[:, None, :]          # (N, 4, 1) @ (N, 1, 4)
    model = keras.Model(inputs, keras.layers.Flatten()(outer))
    x = np.random.default_rng(0).random((5, 4)).astype("float32")
    model.save(tmp_path / "all.keras")
    again = keras.models.load_model(tmp_path / "all.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    kinds = [getattr(op, "keras_op", None) for op in again.operations]
    for op in ("Subtract", "TrueDivide", "Negative", "Absolute", "Power", "Sqrt", "Tanh", "Maximum", "GetItem",
               "Matmul", "Multiply", "Add"):
        assert op in kinds, op


def test_a_constant_array_is_refused_at_save_and_nothing_is_written(tmp_path):
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(3)(inputs) * np.array([1.0, 2.0, 3.0], "float32"))
    with pytest.raises(ValueError, match="constant ndarray .* cannot be written"):
        model.save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()


def _tampered(tmp_path, change):
    with zipfile.ZipFile(HERE / "ops.keras") as src, zipfile.ZipFile(tmp_path / "bad.keras", "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "config.json":
                cfg = json.loads(data)
                change(cfg["config"]["layers"])
                data = json.dumps(cfg).encode()
            dst.writestr(item, data)
    return tmp_path / "bad.keras"


@pytest.mark.parametrize("change, match", [
    (lambda ls: ls[2].update(class_name="Eval", registered_name="Eval"), "operation 'Eval'"),
    (lambda ls: ls[2].__setitem__("module", "keras.src.ops.core"), "refused module"),
    (lambda ls: ls[3]["inbound_nodes"][0]["args"].__setitem__(1, {"class_name": "__lambda__", "config": {}}),
     "__lambda__"),
    (lambda ls: ls[3]["inbound_nodes"][0]["args"].__setitem__(1, "os.system"), "must be a number"),
    (lambda ls: ls[3]["inbound_nodes"][0]["args"].append(3.0), "takes 2 argument"),
    (lambda ls: ls[3]["inbound_nodes"][0].__setitem__("kwargs", {"x": 1}), "no kwargs"),
])
def test_a_tampered_operation_is_refused_by_name(tmp_path, change, match):
    with pytest.raises(ModelFileError, match=match):
        keras.models.load_model(_tampered(tmp_path, change))
