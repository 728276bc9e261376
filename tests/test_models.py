"""``Model`` and ``Sequential`` (``glassnet/engine/model.py``, ``sequential.py``): shapes known
once built, and a model used as a layer inside another model (fit, save, load, export).
(Moved here from ``test_course_surface.py``. The hierarchy Layer <- Model <- Sequential and
subclassed models: ``test_model.py``; Keras's defaults for compile, fit, evaluate and predict:
``test_keras_behaviour.py``; the functional API: ``test_functional.py``; bad inputs:
``test_bad_input.py``.)"""
from pathlib import Path

import numpy as np
import pytest

import glassnet as tf
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Dropout, Flatten, Input, Softmax
from glassnet.tensor import Tensor


def plain(t):
    """What ``t.numpy()`` gives, checked to be a plain ndarray (or a NumPy scalar for 0-d)."""
    out = t.numpy()
    assert type(out) is np.ndarray or isinstance(out, np.generic)
    return out


# -- symbolic inputs and outputs ---------------------------------------------------------------------
def test_symbolic_shapes_of_a_built_model():
    model = Sequential([Input(shape=(400,)), Dense(25, activation="sigmoid"), Dense(15, activation="sigmoid"),
                        Dense(1, activation="sigmoid")], name="my_model")
    assert model.input.shape.as_list() == [None, 400] and model.input.dtype == "float32"
    assert model.output.shape.as_list() == [None, 1]
    assert [t.shape for t in model.inputs] == [(None, 400)] and len(model.outputs) == 1
    assert [layer.output.shape.as_list() for layer in model.layers] == [[None, 25], [None, 15], [None, 1]]
    assert model.layers[1].input.shape.as_list() == [None, 25]
    assert model.input_shape == (None, 400) and model.output_shape == (None, 1)
    assert model.layers[0].input_shape == (None, 400) and model.layers[0].output_shape == (None, 25)


def test_symbolic_shapes_after_build_and_clear_errors_before():
    model = Sequential([Dense(25, activation="relu"), Dense(10)])
    with pytest.raises(AttributeError, match="not built"):
        model.input
    with pytest.raises(AttributeError, match="not built"):
        model.layers[0].output
    with pytest.raises(AttributeError, match="input shape"):
        model.layers[0].input_shape
    assert model.layers[0].get_weights() == []              # an unbuilt layer has no weights yet
    model.build(input_shape=(None, 400))
    assert model.input.shape.as_list() == [None, 400]
    assert model.layers[1].output.shape.as_list() == [None, 10]
    layer = Dense(1)
    layer(np.ones((2, 3)))
    assert layer.input_shape == (None, 3) and layer.output.shape.as_list() == [None, 1]


# -- a Sequential inside a Sequential (the beginner quickstart) ------------------------------------------
def test_probability_model_shares_the_trained_models_weights():
    rng = np.random.default_rng(0)
    x_train = rng.random((64, 4, 4))
    y_train = (x_train.mean(axis=(1, 2)) * 3).astype(int).clip(0, 2)
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(16, activation="relu"), Dropout(0.2), Dense(3)])
    predictions = model(x_train[:1]).numpy()
    assert plain(tf.nn.softmax(predictions)).sum() == pytest.approx(1.0, rel=1e-6)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    assert loss_fn(y_train[:1], predictions).numpy() > 0
    model.compile(optimizer="adam", loss=loss_fn, metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=2, verbose=0)
    probability_model = Sequential([model, Softmax()])
    p = probability_model(x_train[:5])
    assert isinstance(p, Tensor) and p.shape == (5, 3)
    np.testing.assert_allclose(p.numpy(), tf.nn.softmax(model(x_train[:5])).numpy(), rtol=1e-6)
    assert all(a is b for a, b in zip(probability_model.weights, model.weights))
    assert probability_model.input.shape.as_list() == [None, 4, 4]
    # training the outer model moves the inner one's weights (they are the same Variables)
    probability_model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    before = model.get_weights()[0].copy()
    probability_model.fit(x_train, y_train, epochs=1, verbose=0)
    assert not np.allclose(before, model.get_weights()[0])
    assert tf.gradcheck(probability_model, x_train[:4], y_train[:4]).passed


def test_nested_model_refuses_inputs_it_was_not_built_for():
    inner = Sequential([Input(shape=(3,)), Dense(2)])
    with pytest.raises(ValueError, match="built for inputs"):
        Sequential([Input(shape=(5,)), inner])


def test_nested_model_round_trips_through_keras_files(tmp_path):
    rng = np.random.default_rng(4)
    inner = Sequential([Input(shape=(3,)), Dense(4, activation="relu"), Dense(2)], name="classifier")
    outer = Sequential([inner, Softmax()], name="probability_model")
    outer.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = rng.normal(size=(8, 3))
    outer.fit(x, rng.integers(0, 2, 8), epochs=2, verbose=0)
    outer.save(tmp_path / "outer.keras")
    again = tf.keras.models.load_model(tmp_path / "outer.keras")
    assert [type(l).__name__ for l in again.layers] == ["Sequential", "Softmax"]
    assert [l.name for l in again.layers[0].layers] == [l.name for l in inner.layers]
    np.testing.assert_array_equal(again.predict(x, verbose=0), outer.predict(x, verbose=0))
    assert again.optimizer.iterations == outer.optimizer.iterations
    for suffix in (".weights.h5", ".safetensors"):
        outer.save_weights(tmp_path / f"w{suffix}")
        fresh = Sequential([Sequential([Input(shape=(3,)), Dense(4, activation="relu"), Dense(2)]), Softmax()])
        fresh.load_weights(tmp_path / f"w{suffix}")
        np.testing.assert_array_equal(fresh.predict(x, verbose=0), outer.predict(x, verbose=0))


def test_nested_model_saved_by_keras_loads():
    # tools/make_keras_activation_layers.py: Keras's Sequential([trained_model, Softmax()])
    fixtures = Path(__file__).parent / "fixtures" / "keras_activation_layers"
    data = np.load(fixtures / "nested.npz")
    model = tf.keras.models.load_model(fixtures / "nested.keras")
    inner = model.layers[0]
    assert isinstance(inner, Sequential) and inner.name == "classifier"
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(inner.predict(data["x"], verbose=0), data["logits"], rtol=1e-5, atol=1e-6)


def test_nested_models_weights_count_against_one_cap(monkeypatch, tmp_path):
    # each nested model alone is under the cap; together they are over: refused as a shape bomb
    from glassnet.saving import keras_config
    from glassnet.saving.errors import UnsafeFileError

    def inner(name):
        return Sequential([Input(shape=(10,)), Dense(10, name=f"{name}_dense")], name=name)   # 110 weights

    Sequential([inner("a"), inner("b")]).save(tmp_path / "two.keras")
    monkeypatch.setattr(keras_config, "MAX_WEIGHT_ELEMENTS", 150)
    with pytest.raises(UnsafeFileError, match="weights"):
        tf.keras.models.load_model(tmp_path / "two.keras")
    monkeypatch.setattr(keras_config, "MAX_WEIGHT_ELEMENTS", 250)
    assert len(tf.keras.models.load_model(tmp_path / "two.keras").weights) == 4


def test_probability_model_exports_to_onnx(tmp_path):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    rng = np.random.default_rng(5)
    model = Sequential([Flatten(input_shape=(2, 3)), Dense(5, activation="relu"), Dense(4)])
    model.set_weights([rng.normal(size=w.shape) for w in model.get_weights()])
    probability_model = Sequential([model, Softmax()])
    probability_model.export(tmp_path / "p.onnx")
    x = rng.normal(size=(3, 2, 3)).astype(np.float32)
    sess = ort.InferenceSession(str(tmp_path / "p.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(sess.run(None, {"inputs": x})[0], probability_model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)


def test_summary_of_an_unbuilt_model_marks_only_layers_with_weights_to_make(capsys):
    # Keras 3 marks a layer built when it is made if it has no build() of its own: the
    # text tutorial's summary reads "0 (unbuilt)" for Embedding and Dense, "0" for the rest.
    model = tf.Sequential([tf.layers.Embedding(100, 4), tf.layers.Dropout(0.2),
                           tf.layers.GlobalAveragePooling1D(), tf.layers.Dense(1)])
    model.summary()
    rows = [line.strip("│").split("│") for line in capsys.readouterr().out.splitlines() if line.startswith("│ ")]
    cells = {row[0].split()[0]: row[-1].strip() for row in rows if row[0].split() and row[-1].strip()}
    assert cells == {"embedding": "0 (unbuilt)", "dropout": "0", "global_average_pooling1d": "0",
                     "dense": "0 (unbuilt)"}
