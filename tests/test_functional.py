"""Keras's functional API for a chain of layers: Model(inputs, outputs) is the Sequential
of the layers between them; anything else is refused with a message."""
import numpy as np
import pytest

import glassnet
from glassnet import keras
from glassnet.keras import layers


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.random((n, 20)).astype(np.float32)
    return x, rng.integers(0, 4, n)


def _guide_model():
    """As Keras's "Training & evaluation with the built-in methods" guide writes it."""
    inputs = keras.Input(shape=(20,), name="digits")
    x = layers.Dense(16, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(16, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(4, activation="softmax", name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs), inputs, outputs


def test_the_guides_model_is_the_sequential_of_its_layers_and_trains_the_same():
    keras.utils.set_random_seed(3)
    model, inputs, outputs = _guide_model()
    assert [layer.name for layer in model.layers] == ["dense_1", "dense_2", "predictions"]
    assert model.name.startswith("functional") and model.input.shape.as_list() == [None, 20]
    assert outputs.shape.as_list() == [None, 4] and model.count_params() == 20 * 16 + 16 + 16 * 16 + 16 + 16 * 4 + 4
    same = glassnet.Sequential([glassnet.Input(shape=(20,)), layers.Dense(16, activation="relu"),
                                layers.Dense(16, activation="relu"), layers.Dense(4, activation="softmax")])
    same.set_weights(model.get_weights())
    x, y = _data()
    for m in (model, same):
        m.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
        keras.utils.set_random_seed(0)
        m.fit(x, y, batch_size=16, epochs=2, validation_data=(x[:16], y[:16]), verbose=0)
    for a, b in zip(model.get_weights(), same.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model(x).numpy(), same.predict(x, verbose=0))


def test_positional_form_nested_models_and_files(tmp_path):
    model, inputs, outputs = _guide_model()
    named = keras.Model(inputs, outputs, "named")
    assert named.name == "named" and named.layers == model.layers
    probabilities = keras.Model(inputs, layers.Activation("linear")(model(inputs)))
    x, _ = _data(5)
    np.testing.assert_allclose(probabilities.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_graphs_beyond_a_chain_are_models_and_a_disconnected_one_is_refused():
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    dense = layers.Dense(2)
    out = dense(a)
    assert keras.Model(inputs=[a, b], outputs=out)._graph is not None          # b unused: allowed, as Keras
    assert keras.Model(inputs=a, outputs=[out, layers.Dense(1)(a)])._graph is not None
    with pytest.raises(ValueError, match="graph disconnected.*reads the input"):
        keras.Model(inputs=b, outputs=out)
    square = layers.Dense(3)
    assert keras.Model(inputs=a, outputs=square(square(a)))._graph is not None   # a shared layer
    assert keras.Model(inputs={"a": a}, outputs=out)._input_names == ["a"]
    with pytest.raises(TypeError, match="give both inputs and outputs"):
        keras.Model(inputs=a)
    with pytest.raises(TypeError, match="inputs must be a glassnet.Input"):
        keras.Model(inputs=np.zeros((2, 3)), outputs=out)
    with pytest.raises(TypeError, match="takes one input, got a list of 2"):
        layers.Dense(2)([a, b])
