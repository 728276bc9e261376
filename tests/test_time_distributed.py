"""TimeDistributed (layers/wrappers.py): the same as the wrapped layer run step by step, the
weights' gradients summed over the steps, gradchecks, shapes and summary, bad arguments, the
nested config and weight files as Keras writes them, ONNX. Keras's own numbers:
tests/test_keras_shape_layers.py (and tools/make_keras_shape_layers.py --check for Keras reading
glassnet's files)."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

import glassnet
from glassnet.layers import Conv2D, Dense, Flatten, GlobalMaxPooling1D, TimeDistributed


def test_equals_the_layer_on_each_step_and_sums_the_weight_gradients():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 5))
    td = TimeDistributed(Dense(2, activation="tanh", dtype="float64"), dtype="float64")
    y = td(x).numpy()
    dense = td.layer
    g = rng.normal(size=y.shape)
    dx = td.backward(g)
    dW, db = dense.kernel.grad.copy(), dense.bias.grad.copy()
    sum_dW, sum_db = np.zeros_like(dW), np.zeros_like(db)
    for t in range(4):
        np.testing.assert_allclose(y[:, t], dense(x[:, t]).numpy(), rtol=1e-12)
        np.testing.assert_allclose(dx[:, t], dense.backward(g[:, t]), rtol=1e-12)
        sum_dW += dense.kernel.grad
        sum_db += dense.bias.grad
    np.testing.assert_allclose(dW, sum_dW, rtol=1e-12)
    np.testing.assert_allclose(db, sum_db, rtol=1e-12)


@pytest.mark.parametrize("make,shape", [
    (lambda: TimeDistributed(Dense(3, activation="tanh")), (2, 4, 5)),
    (lambda: TimeDistributed(Dense(2)), (2, 3, 2, 4)),
    (lambda: TimeDistributed(Conv2D(2, 2, activation="sigmoid")), (2, 3, 4, 4, 1)),
    (lambda: TimeDistributed(Flatten()), (2, 3, 2, 2)),
])
def test_gradcheck(make, shape):
    report = glassnet.gradcheck(make(), np.random.default_rng(1).normal(size=shape))
    assert report.passed, report


def test_holds_the_inner_weights_and_summarizes(capsys):
    model = glassnet.Sequential([glassnet.Input(shape=(10, 8, 8, 1)), TimeDistributed(Conv2D(4, 3)),
                                 TimeDistributed(Flatten()), TimeDistributed(Dense(5)), GlobalMaxPooling1D()])
    td = model.layers[0]
    assert [w.path for w in td.weights] == [w.path for w in td.layer.weights] and len(td.weights) == 2
    assert td.trainable_weights[0] is td.layer.kernel
    assert model.layers[2].output_shape == (None, 10, 5)
    assert model.count_params() == (9 * 4 + 4) + (144 * 5 + 5)
    assert td.count_params_for((None, 10, 8, 8, 1)) == 40
    model.summary()
    text = capsys.readouterr().out
    assert "(TimeDistributed)" in text and "(None, 10, 6, 6, 4)" in text and "(None, 10, 144)" in text


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="TimeDistributed: layer must be a Layer instance"):
        TimeDistributed("dense")
    with pytest.raises(ValueError, match="Concatenate takes a list of inputs"):
        TimeDistributed(glassnet.layers.Concatenate())
    with pytest.raises(ValueError, match=r"TimeDistributed 'td' takes inputs of at least 3 dimensions .* got shape "
                                         r"\(None, 5\)"):
        TimeDistributed(Dense(2), name="td").build_from_shape((None, 5))


def test_keras_file_nests_the_layer_and_keeps_its_weights_under_layer_vars(tmp_path):
    h5py = pytest.importorskip("h5py")
    glassnet.utils.set_random_seed(2)
    model = glassnet.Sequential([glassnet.Input(shape=(4, 3)), TimeDistributed(Dense(2, activation="relu"), name="td"),
                                 GlobalMaxPooling1D()])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(3).normal(size=(6, 4, 3)).astype("float32")
    model.fit(x, np.ones((6, 2)), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        cfg = json.loads(z.read("config.json"))
        z.extract("model.weights.h5", tmp_path)
    entry = cfg["config"]["layers"][1]
    assert entry["class_name"] == "TimeDistributed"
    assert entry["config"]["layer"]["class_name"] == "Dense" and entry["config"]["layer"]["config"]["units"] == 2
    with h5py.File(tmp_path / "model.weights.h5") as f:
        assert f["layers/time_distributed/layer/vars/0"].shape == (3, 2)     # Keras's place for the inner weights
    loaded = glassnet.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[0], TimeDistributed) and isinstance(loaded.layers[0].layer, Dense)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_nested_wrapper_in_a_file_loads_back(tmp_path):
    model = glassnet.Sequential([glassnet.Input(shape=(2, 3, 4)), TimeDistributed(TimeDistributed(Dense(2)))])
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "m.keras")
    loaded = glassnet.models.load_model(tmp_path / "m.keras")      # (a depth cap: tests/test_saving_attacks.py)
    assert isinstance(loaded.layers[0].layer, TimeDistributed) and isinstance(loaded.layers[0].layer.layer, Dense)
    x = np.random.default_rng(1).normal(size=(2, 2, 3, 4))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_onnx_export(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    model = glassnet.Sequential([glassnet.Input(shape=(3, 5, 5, 1)), TimeDistributed(Conv2D(2, 3, activation="relu")),
                                 TimeDistributed(Flatten()), TimeDistributed(Dense(2))])
    model.export(tmp_path / "m.onnx")
    x = np.random.default_rng(4).normal(size=(4, 3, 5, 5, 1)).astype("float32")
    got = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"]).run(None, {"inputs": x})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


def test_a_wrapped_sequential_trains_and_keeps_keras_weight_layout(tmp_path):
    """A per-frame CNN (video classification): the Sequential's weights go where Keras puts them,
    ``layer/layers/<name>/vars`` (tools/make_keras_shape_layers.py --check: Keras loads the file).
    glassnet's own loader reads it back."""
    h5py = pytest.importorskip("h5py")
    glassnet.utils.set_random_seed(5)
    frames = glassnet.Sequential([Conv2D(2, 3, activation="relu"), glassnet.layers.GlobalAveragePooling2D()])
    model = glassnet.Sequential([glassnet.Input(shape=(4, 8, 8, 1)), TimeDistributed(frames),
                                 glassnet.layers.LSTM(3), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(6).random((6, 4, 8, 8, 1)).astype("float32")
    before = frames.layers[0].kernel.value.copy()
    model.fit(x, np.ones((6, 1)), epochs=1, verbose=0)
    assert not np.allclose(frames.layers[0].kernel.value, before)           # the wrapped model's weights train
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        cfg = json.loads(z.read("config.json"))
        z.extract("model.weights.h5", tmp_path)
    inner = cfg["config"]["layers"][1]["config"]["layer"]
    assert (inner["module"], inner["class_name"]) == ("keras", "Sequential")
    with h5py.File(tmp_path / "model.weights.h5") as f:
        assert f["layers/time_distributed/layer/layers/conv2d/vars/0"].shape == (3, 3, 1, 2)
    loaded = glassnet.models.load_model(tmp_path / "m.keras")              # the wrapped model is read back
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_shared_in_a_functional_model_gradchecks():
    a, b = glassnet.Input(shape=(5, 3)), glassnet.Input(shape=(5, 3))
    td = TimeDistributed(Dense(2, activation="tanh"))
    out = glassnet.layers.Concatenate()([td(a), td(b)])           # one set of weights, two calls
    model = glassnet.Model([a, b], Flatten()(out))
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(7)
    report = glassnet.gradcheck(model, [rng.normal(size=(4, 5, 3)), rng.normal(size=(4, 5, 3))],
                                rng.normal(size=(4, 20)))
    assert report.passed, report
    assert len(model.trainable_weights) == 2
