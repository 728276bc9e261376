"""tf.lite: glassnet's Interpreter runs the .tflite files TensorFlow 2.21 wrote to TensorFlow's
own outputs (tests/fixtures/tflite, made by tools/make_tflite_fixtures.py: the files, TF's
interpreter outputs, signature lists, details and error messages), and glassnet's converter
writes files that parse back with the model's operators, tensors, weights and signature and run
to ``model.predict``'s numbers. (That TensorFlow itself runs glassnet's files to glassnet's
predictions is checked by tools/check_tflite_under_tf.py, which needs TensorFlow.)"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import glassnet as tf
from glassnet import layers
from glassnet.lite import Interpreter, TFLiteConverter, schema
from glassnet.lite.flatbuffer import FlatbufferError, Table, View, encode

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "tflite"
FACTS = json.loads((FIXTURES / "tf_facts.json").read_text())
ARRAYS = np.load(FIXTURES / "tf_outputs.npz")
TF_MODELS = sorted(FACTS)


def _inputs(name):
    return {k.split("/")[2]: ARRAYS[k] for k in ARRAYS.files if k.startswith(f"{name}/in/")}


def _details(ds):
    return [{"name": d["name"], "shape": d["shape"].tolist(), "shape_signature": d["shape_signature"].tolist(),
             "dtype": d["dtype"].__name__, "keys": sorted(d)} for d in ds]


# -- TensorFlow's files in glassnet's Interpreter ---------------------------------------------

@pytest.mark.parametrize("name", TF_MODELS)
def test_tensorflows_files_run_to_tensorflows_outputs(name):
    it = Interpreter(model_path=str(FIXTURES / f"{name}.tflite"))
    assert it.get_signature_list() == FACTS[name]["signature_list"]
    assert [op["op_name"] for op in it._ops_details()] == FACTS[name]["ops"]
    assert _details(it.get_input_details()) == FACTS[name]["input_details"]
    assert _details(it.get_output_details()) == FACTS[name]["output_details"]
    outs = it.get_signature_runner("serving_default")(**_inputs(name))
    assert sorted(outs) == FACTS[name]["signature_list"]["serving_default"]["outputs"]
    for k, y in outs.items():
        want = ARRAYS[f"{name}/out/{k}"]
        assert type(y) is np.ndarray and y.dtype == np.float32 and y.shape == want.shape
        np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", TF_MODELS)
def test_the_low_level_path_resize_allocate_set_invoke_get(name):
    it = Interpreter(model_content=(FIXTURES / f"{name}.tflite").read_bytes())
    xs = _inputs(name)
    ins = it.get_input_details()
    for d in ins:
        it.resize_tensor_input(d["index"], xs[d["name"][len("serving_default_"):-2]].shape)
    it.allocate_tensors()
    for d in ins:
        it.set_tensor(d["index"], xs[d["name"][len("serving_default_"):-2]])
    it.invoke()
    assert _details(it.get_output_details()) == FACTS[name]["output_details_after_resize"]
    for k, d in enumerate(it.get_output_details()):
        np.testing.assert_allclose(it.get_tensor(d["index"]), ARRAYS[f"{name}/low/{k}"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", TF_MODELS)
def test_errors_are_tensorflows(name):
    facts = FACTS[name]
    it = Interpreter(model_path=FIXTURES / f"{name}.tflite")
    xs = _inputs(name)

    def message(f):
        with pytest.raises(Exception) as e:
            f()
        return f"{type(e.value).__name__}: {e.value}"
    assert message(lambda: it.get_signature_runner("nope")) == facts["wrong_key"]
    renamed = {("sequential_1_input" if i == 0 else k): v for i, (k, v) in enumerate(xs.items())}
    assert message(lambda: it.get_signature_runner()(**renamed)) == facts["wrong_name"]
    assert message(lambda: it.get_signature_runner()()) == facts["wrong_count"]
    fresh = Interpreter(model_path=FIXTURES / f"{name}.tflite")
    fresh.allocate_tensors()
    first = fresh.get_input_details()[0]
    shape = first["shape"].tolist()
    assert message(lambda: fresh.set_tensor(first["index"], np.zeros(shape))) == facts["set_float64"]
    assert message(lambda: fresh.set_tensor(first["index"], np.zeros([3] + shape[1:], np.float32))) == \
        facts["set_wrong_batch"]
    assert message(lambda: fresh.set_tensor(first["index"], np.zeros(shape + [1], np.float32))) == \
        facts["set_wrong_rank"]


def test_invoke_before_allocate_and_after_a_resize_is_refused():
    it = Interpreter(model_path=str(FIXTURES / "dense.tflite"))
    with pytest.raises(RuntimeError, match="allocate_tensors"):
        it.invoke()
    it.allocate_tensors()
    it.invoke()
    it.resize_tensor_input(0, [4, 4])
    with pytest.raises(RuntimeError, match="allocate_tensors"):
        it.invoke()
    with pytest.raises(ValueError, match="strict=True"):
        it.resize_tensor_input(0, [4, 5], strict=True)
    with pytest.raises(ValueError, match="not an input"):
        it.resize_tensor_input(3, [4, 4])


# -- glassnet's files ---------------------------------------------------------------------------

def _seeded(model, seed=0):
    rng = np.random.default_rng(seed)
    for w in model.weights:
        value = rng.normal(0, 0.4, tuple(w.shape)).astype(np.float32)
        w.assign(np.abs(value) + 0.1 if "variance" in w.path else value)
    return model


def _cnn():
    return _seeded(tf.keras.Sequential([
        tf.keras.Input((10, 10, 3)), layers.Rescaling(1 / 255., offset=-0.5),
        layers.Conv2D(4, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(4, 3, strides=2), layers.ReLU(max_value=6),
        layers.DepthwiseConv2D(2, depth_multiplier=2, padding="same"),
        layers.AveragePooling2D(2, strides=1, padding="same"), layers.Dropout(0.3), layers.Flatten(),
        layers.Dense(5, activation="tanh"), layers.Dense(3, activation="sigmoid")]))


CNN_OPS = ["MUL", "ADD", "CONV_2D", "MAX_POOL_2D", "CONV_2D", "RELU6", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D",
           "RESHAPE", "FULLY_CONNECTED", "TANH", "FULLY_CONNECTED", "LOGISTIC"]


def test_glassnets_file_parses_back_with_the_models_ops_tensors_weights_and_signature():
    model = _cnn()
    data = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    assert isinstance(data, bytes) and data[4:8] == b"TFL3"
    m = schema.decode(data)
    assert [op.op for op in m.operators] == CNN_OPS
    name = model._root.keras_tensor_name
    assert m.signature == ("serving_default", [(name, m.inputs[0])], [("output_0", m.outputs[0])])
    first = m.tensors[m.inputs[0]]
    assert (first.name, first.shape, first.shape_signature) == (f"serving_default_{name}:0", (1, 10, 10, 3),
                                                                (-1, 10, 10, 3))
    assert m.tensors[m.outputs[0]].shape_signature == (-1, 3)
    conv = m.operators[2]
    assert conv.options["padding"] == 0 and conv.options["fused_activation_function"] == 1
    kernel = m.tensors[conv.inputs[1]]
    stored = np.frombuffer(m.buffers[kernel.buffer], np.float32).reshape(kernel.shape)
    np.testing.assert_array_equal(stored, model.layers[1].kernel.numpy().transpose(3, 0, 1, 2))
    dense = m.operators[-2]
    w = m.tensors[dense.inputs[1]]
    np.testing.assert_array_equal(np.frombuffer(m.buffers[w.buffer], np.float32).reshape(w.shape),
                                  model.layers[-1].kernel.numpy().T)
    depthwise = m.operators[6]
    assert depthwise.options["depth_multiplier"] == 2 and m.tensors[depthwise.outputs[0]].shape == (1, 2, 2, 8)
    assert schema.decode(schema.encode(m)) == m              # decode and encode are each other's inverse


def _multi():
    a, b = tf.keras.Input((4,), name="alpha"), tf.keras.Input((3,), name="beta")
    h = layers.Concatenate()([layers.Dense(3, activation="tanh")(a), b])
    s = layers.Add()([layers.Dense(6)(h), h])
    t = layers.Subtract()([layers.Multiply()([s, s]), layers.Dense(6, activation="relu")(s)])
    return _seeded(tf.keras.Model([a, b], [layers.Dense(2, activation="sigmoid")(t),
                                           layers.Dense(3, activation="softmax")(s)]), 3)


@pytest.mark.parametrize("make, shapes", [
    (_cnn, [(2, 10, 10, 3)]),
    (_multi, [(3, 4), (3, 3)]),
    (lambda: _seeded(tf.keras.Sequential([tf.keras.Input((9, 8, 2)),
                                          layers.Conv2D(3, 3, dilation_rate=2, activation="relu"),
                                          layers.MaxPooling2D(3, strides=2, padding="same"), layers.Activation("relu"),
                                          layers.Conv2D(3, (2, 1), strides=(1, 2), padding="same"),
                                          layers.GlobalMaxPooling2D(keepdims=True), layers.Reshape((3,)),
                                          layers.Dense(2), layers.Softmax()]), 1), [(3, 9, 8, 2)]),
    (lambda: _seeded(tf.keras.Sequential([tf.keras.Input((6, 6, 2)), layers.Conv2D(4, 1, activation="sigmoid"),
                                          layers.BatchNormalization(), layers.GlobalAveragePooling2D(),
                                          layers.Dense(2)]), 2), [(1, 6, 6, 2)]),
    (lambda: _seeded(tf.keras.Sequential([tf.keras.Input((5, 4)), layers.Dense(3, activation="relu")]), 4),
     [(2, 5, 4)]),
], ids=["cnn", "multi", "pools", "gap", "dense3d"])
def test_glassnets_files_run_to_predict(make, shapes):
    model = make()
    it = Interpreter(model_content=TFLiteConverter.from_keras_model(model).convert())
    names = it.get_signature_list()["serving_default"]["inputs"]
    rng = np.random.default_rng(5)
    xs = [rng.uniform(0, 3, s).astype(np.float32) for s in shapes]
    want = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    want = want if isinstance(want, list) else [want]
    inputs = [model._root.keras_tensor_name] if model._graph is None else \
        [i.keras_tensor_name for i in model._graph.inputs]
    outs = it.get_signature_runner()(**dict(zip(inputs, xs)))
    assert sorted(names) == sorted(inputs) and sorted(outs) == [f"output_{k}" for k in range(len(want))]
    for k, y in enumerate(want):
        np.testing.assert_allclose(outs[f"output_{k}"], y, rtol=1e-5, atol=1e-6)


def test_signature_names_are_tensorflows():
    # TF 2.21 names a Sequential's input after its Input(name=...) ("named"), a functional
    # model's after each Input ("multi": alpha, beta), outputs output_0, output_1 ...
    named = _seeded(tf.keras.Sequential([tf.keras.Input((3,), name="feats"), layers.Dense(2)]))
    it = Interpreter(model_content=TFLiteConverter.from_keras_model(named).convert())
    assert it.get_signature_list() == FACTS["named"]["signature_list"]
    assert _details(it.get_input_details()) == FACTS["named"]["input_details"]
    assert _details(it.get_output_details()) == FACTS["named"]["output_details"]
    it = Interpreter(model_content=TFLiteConverter.from_keras_model(_multi()).convert())
    assert it.get_signature_list() == FACTS["multi"]["signature_list"]
    assert sorted(d["name"] for d in it.get_input_details()) == sorted(d["name"] for d in FACTS["multi"]["input_details"])


def test_the_augmentation_and_dropout_layers_vanish_and_nested_models_are_walked():
    augment = tf.keras.Sequential([layers.RandomFlip("horizontal", input_shape=(8, 8, 3)),
                                   layers.RandomRotation(0.1), layers.RandomZoom(0.1)])
    model = _seeded(tf.keras.Sequential([augment, layers.Rescaling(1. / 255), layers.Conv2D(2, 3, activation="relu"),
                                         layers.Dropout(0.2), layers.Flatten(), layers.Dense(3)]))
    m = schema.decode(TFLiteConverter.from_keras_model(model).convert())
    assert [op.op for op in m.operators] == ["MUL", "CONV_2D", "RESHAPE", "FULLY_CONNECTED"]


def test_what_has_no_tflite_operator_is_refused_naming_the_layer():
    lstm = tf.keras.Sequential([tf.keras.Input((3, 2)), layers.Dense(2), layers.LSTM(2)])
    with pytest.raises(ValueError, match=r"layer 1 \('lstm.*'\).*cannot convert LSTM"):
        TFLiteConverter.from_keras_model(lstm).convert()
    swish = tf.keras.Sequential([tf.keras.Input((3,)), layers.Dense(2, activation="swish")])
    with pytest.raises(ValueError, match=r"layer 0 \('dense.*'\).*activation 'silu' has no TFLite operator"):
        TFLiteConverter.from_keras_model(swish).convert()

    class Doubled(layers.Dense):
        def forward(self, x, training=False):
            return 2 * super().forward(x, training)
    with pytest.raises(ValueError, match="Doubled changes what Dense computes"):
        TFLiteConverter.from_keras_model(tf.keras.Sequential([tf.keras.Input((3,)), Doubled(2)])).convert()
    with pytest.raises(ValueError, match="not built"):
        TFLiteConverter.from_keras_model(tf.keras.Sequential([layers.Dense(2)])).convert()
    converter = TFLiteConverter.from_keras_model(tf.keras.Sequential([tf.keras.Input((3,)), layers.Dense(2)]))
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    with pytest.raises(ValueError, match="quantization"):
        converter.convert()
    converter.optimizations = []
    converter.target_spec.supported_types = [tf.float16]
    with pytest.raises(ValueError, match=r"supported_types=\['float16'\]"):
        converter.convert()
    converter.target_spec.supported_types = [tf.float32]
    assert schema.decode(converter.convert()).operators[0].op == "FULLY_CONNECTED"


def test_write_is_atomic_and_a_failed_conversion_leaves_the_old_file(tmp_path):
    path = tmp_path / "model.tflite"
    good = _seeded(tf.keras.Sequential([tf.keras.Input((3,)), layers.Dense(2)]))
    tf.lite.write(good, path)
    before = path.read_bytes()
    assert Interpreter(model_path=str(path)).get_signature_list()["serving_default"]["outputs"] == ["output_0"]
    with pytest.raises(ValueError, match="LSTM"):
        tf.lite.write(tf.keras.Sequential([tf.keras.Input((3, 2)), layers.LSTM(2)]), path)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["model.tflite"]
    with pytest.raises(ValueError, match=r"\.tflite"):
        tf.lite.write(good, tmp_path / "model.onnx")


# -- malformed files ----------------------------------------------------------------------------

def test_malformed_files_are_refused_with_the_byte():
    data = (FIXTURES / "dense.tflite").read_bytes()
    with pytest.raises(ValueError, match=r"model_content: .*outside the file's 900 bytes"):
        Interpreter(model_content=data[:900])
    with pytest.raises(ValueError, match=r"not a TFL3 flatbuffer: bytes 4-8 are b'XXXX'"):
        Interpreter(model_content=data[:4] + b"XXXX" + data[8:])
    with pytest.raises(ValueError, match="too short"):
        Interpreter(model_content=b"TFL3")
    with pytest.raises(ValueError, match=r"Could not open '.*missing.tflite'"):
        Interpreter(model_path="missing.tflite")
    broken = bytearray(data)
    broken[0:4] = (len(data) + 100).to_bytes(4, "little")       # the root table's offset past the end
    with pytest.raises(ValueError, match="outside the file"):
        Interpreter(model_content=bytes(broken))
    m = schema.decode(data)
    m.tensors[0].shape = (1, -4)
    with pytest.raises(ValueError, match=r"tensor 0 \('serving_default_keras_tensor:0'\) has shape \[1, -4\]"):
        Interpreter(model_content=schema.encode(m))
    m = schema.decode(data)
    m.operators[0].inputs[0] = 99
    with pytest.raises(ValueError, match=r"operator 0 \(FULLY_CONNECTED\) names tensor 99 of"):
        schema.decode(schema.encode(m))


def test_an_operator_glassnet_lacks_is_named_when_the_file_is_opened():
    m = schema.decode((FIXTURES / "dense.tflite").read_bytes())
    schema.BUILTIN["EXP"] = 47                  # write an EXP operator (glassnet's interpreter runs no EXP)
    try:
        m.operators[-1].op = "EXP"
        data = schema.encode(m)
    finally:
        del schema.BUILTIN["EXP"]
    with pytest.raises(ValueError, match=r"operator 2 is <code 47>, which glassnet's TFLite interpreter does not run"):
        Interpreter(model_content=data)


def test_flatbuffer_tables_round_trip_every_field_kind():
    inner = Table([(0, "f", 1.5), (1, "?", True)])
    data = encode(Table([(0, "b", -3), (1, "I", 2**32 - 1), (2, "table", inner), (3, "tables", [inner, inner]),
                         (4, "vec:<f4", [1.0, -2.0]), (5, "bytes", b"\x01\x02\x03"), (6, "str", "ünï")]), b"ABCD")
    root = View.root(data, b"ABCD")
    assert root.scalar(0, "b", 0) == -3 and root.scalar(1, "I", 0) == 2**32 - 1
    assert root.table(2).scalar(0, "f", 0) == 1.5 and root.table(2).scalar(1, "?", False) is True
    assert [t.scalar(0, "f", 0) for t in root.tables(3)] == [1.5, 1.5]
    assert root.vector(4, "<f4").tolist() == [1.0, -2.0] and root.raw(5) == b"\x01\x02\x03"
    assert root.string(6) == "ünï" and root.scalar(9, "i", 42) == 42 and root.table(9) is None
    start = data.index(b"\x01\x02\x03")
    assert start % 16 == 0                      # weights' bytes 16-aligned, as TFLite's schema asks
    with pytest.raises(FlatbufferError):
        View.root(data, b"TFL3")


def test_import_glassnet_does_not_load_tf_lite():
    code = "import sys, glassnet; assert 'glassnet.lite' not in sys.modules; glassnet.lite.Interpreter; " \
           "assert 'glassnet.lite' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", ["dense", "multi", "pools"])
def test_corrupted_files_give_value_errors_or_run(name):
    # bytes flipped at random (seeded) and files cut short: each either opens and runs, or is
    # refused with a ValueError (never an IndexError, KeyError or struct.error from inside)
    data = (FIXTURES / f"{name}.tflite").read_bytes()
    rng = np.random.default_rng(7)
    refused = 0
    for _ in range(150):
        b = bytearray(data)
        for i in rng.integers(0, len(b), rng.integers(1, 4)):
            b[i] = rng.integers(0, 256)
        if rng.random() < 0.2:
            b = b[:rng.integers(0, len(b))]
        try:
            it = Interpreter(model_content=bytes(b))
            it.get_signature_list()
            it.allocate_tensors()
            it.invoke()
        except ValueError:
            refused += 1
    assert refused > 30
