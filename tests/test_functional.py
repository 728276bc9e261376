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
    assert [layer.name for layer in model.layers] == ["digits", "dense_1", "dense_2", "predictions"]   # Keras 3's
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


# -- what the structured-data tutorials need (issue 25) ---------------------------------------------
def _named_head():
    """A head of named Inputs as TensorFlow's CSV tutorial makes: numbers and text, shape (1,)."""
    inputs = {"fare": keras.Input(shape=(1,), name="fare"), "age": keras.Input(shape=(1,), name="age"),
              "sex": keras.Input(shape=(1,), name="sex", dtype=glassnet.string)}
    lookup = layers.StringLookup(vocabulary=["female", "male"])
    sex = layers.CategoryEncoding(num_tokens=lookup.vocabulary_size())(lookup(inputs["sex"]))
    out = layers.Concatenate()([inputs["fare"], inputs["age"], sex])
    return inputs, keras.Model(inputs, out)


def test_rank_one_columns_fit_inputs_of_shape_one_and_columns_fit_shape_nothing():
    inputs, head = _named_head()
    columns = {"fare": np.array([7.5, 80.0]), "age": np.array([30, 4]), "sex": np.array(["male", "x"], object)}
    as_2d = {k: v.reshape(-1, 1) for k, v in columns.items()}
    np.testing.assert_array_equal(head(columns), head(as_2d))          # (batch,) becomes (batch, 1), as Keras
    assert np.asarray(head(columns)).tolist() == [[7.5, 30.0, 0, 0, 1], [80.0, 4.0, 1, 0, 0]]
    with pytest.raises(ValueError, match=r"x\[0\] \(fare\) has 2 features"):
        head({**columns, "fare": np.ones((2, 2))})                       # a wrong width is still named
    scalar = keras.Input(shape=())
    calc = keras.Model(scalar, 2 * scalar + 1)                            # Input(shape=()): a batch of scalars
    assert calc(np.array([1.0, 2.0])).numpy().tolist() == [3.0, 5.0]
    assert calc(np.array([[1.0], [2.0]])).numpy().tolist() == [3.0, 5.0]  # (n, 1) loses its axis


def test_a_functional_model_called_on_a_dict_of_inputs_matches_them_by_name():
    inputs, head = _named_head()
    reordered = {k: inputs[k] for k in ("sex", "age", "fare")}
    outer = keras.Model(reordered, layers.Dense(1)(head(reordered)))
    data = {"fare": np.array([[7.5], [80.0]]), "age": np.array([[30.0], [4.0]]),
            "sex": np.array([["male"], ["female"]], object)}
    dense = outer.layers[-1]
    expected = np.asarray(head(data)) @ dense.kernel.value + dense.bias.value
    np.testing.assert_allclose(outer(data), expected, rtol=1e-6)
    with pytest.raises(ValueError, match=r"no \['age'\]"):
        head({"fare": inputs["fare"], "sex": inputs["sex"]})
    outer.compile(optimizer="adam", loss="mse")
    assert outer.fit(data, np.array([1.0, 0.0]), epochs=2, verbose=0).history["loss"][-1] > 0


def test_symbolic_outputs_carry_keras_dtypes():
    ids = keras.Input(shape=(), dtype="int64", name="ids")
    text = keras.Input(shape=(1,), dtype=glassnet.string, name="text")
    assert ids[:, glassnet.newaxis].dtype == np.int64                     # an integer input stays integer
    assert keras.ops.cast(ids[:, glassnet.newaxis], "float32").dtype == np.float32   # (tf.cast: refused, as Keras 3)
    assert layers.StringLookup(vocabulary=["a"])(text).dtype == np.int64
    assert layers.StringLookup(vocabulary=["a"], output_mode="one_hot")(text).dtype == np.float32
    assert layers.IntegerLookup(vocabulary=[3, 5], output_mode="one_hot")(ids).dtype == np.float32
    assert layers.StringLookup(vocabulary=["a"], invert=True)(ids).dtype.kind == "U"


def test_a_subclassed_model_takes_a_dict_in_fit_evaluate_and_predict():
    pd = pytest.importorskip("pandas")
    seen = []

    class Stacked(keras.Model):
        def __init__(self):
            super().__init__(self)                     # as TensorFlow's pandas tutorial writes it (Keras 2 took it)
            self.dense = layers.Dense(1)

        def call(self, inputs):
            seen.append({k: np.shape(v) for k, v in inputs.items()})
            return self.dense(glassnet.concat([glassnet.cast(inputs[k], glassnet.float32)
                                               for k in sorted(inputs)], axis=-1))

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.random(8), "b": rng.integers(0, 5, 8)})
    y = rng.random(8)
    model = Stacked()
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(dict(frame), y, epochs=3, batch_size=4, verbose=0)
    assert seen[-1] == {"a": (4, 1), "b": (4, 1)}                          # a pandas Series: a column, as Keras 3
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict({"a": frame["a"].to_numpy()[:, None], "b": frame["b"].to_numpy()[:, None]},
                         verbose=0).shape == (8, 1)
    ds = glassnet.data.Dataset.from_tensor_slices(({k: v[:, None] for k, v in
                                                    {"a": frame["a"].to_numpy(), "b": frame["b"].to_numpy()}.items()},
                                                   y)).batch(4)
    assert model.evaluate(ds, verbose=0) == pytest.approx(model.evaluate(dict(frame), y, verbose=0), rel=1e-5)
    history = model.fit(dict(frame), y, epochs=1, verbose=0, validation_data=(dict(frame[:3]), y[:3]))
    assert sorted(history.history) == ["loss", "val_loss"]
    assert sorted(model.fit(dict(frame), y, epochs=1, verbose=0, validation_split=0.25).history) == ["loss", "val_loss"]
    with pytest.raises(ValueError, match=r"different numbers of samples: 'a': 8, 'b': 3"):
        model.fit({"a": frame["a"], "b": frame["b"][:3]}, y, verbose=0)


def test_a_sequential_of_image_layers_takes_any_image_size_and_others_still_name_a_wrong_shape():
    resize_and_rescale = keras.Sequential([layers.Resizing(18, 18), layers.Rescaling(1.0 / 255)])
    assert resize_and_rescale(np.zeros((12, 9, 3), np.float32)).shape == (18, 18, 3)       # one image
    assert resize_and_rescale(np.zeros((20, 15, 3), np.float32)).shape == (18, 18, 3)      # another size
    with pytest.raises(ValueError, match="4 dimensions, but the model takes"):
        resize_and_rescale(np.zeros((1, 20, 15, 3), np.float32))                           # Keras refuses it too
    augment = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)])
    assert augment(np.zeros((1, 12, 9, 3), np.float32)).shape == (1, 12, 9, 3)
    assert augment(np.zeros((2, 20, 15, 3), np.float32)).shape == (2, 20, 15, 3)
    crop = keras.Sequential([layers.CenterCrop(5, 5), layers.Flatten(), layers.Dense(2)])
    assert crop(np.zeros((1, 12, 9, 3))).shape == crop(np.zeros((1, 20, 15, 3))).shape == (1, 2)
    dense = keras.Sequential([layers.Dense(2)])
    dense(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="x has 5 features"):
        dense(np.zeros((3, 5)))
    conv = keras.Sequential([layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(1)])
    conv(np.zeros((1, 12, 9, 3)))
    with pytest.raises(ValueError, match="dimension 1 is 20, expected 12"):
        conv(np.zeros((1, 20, 15, 3)))


def test_a_stack_asks_no_gradient_through_ids_and_zeroes_what_lies_before_them():
    from glassnet.engine.step import input_grads_needed
    lookup = layers.StringLookup(vocabulary=["a", "b"])
    encode = layers.CategoryEncoding(num_tokens=3, output_mode="one_hot")
    model = keras.Sequential([keras.Input(shape=(1,), dtype="string"), lookup, encode, layers.Dense(1)])
    assert input_grads_needed(model.layers) == [False, False, False]
    model.compile(optimizer="adam", loss="mse")
    x = np.array([["a"], ["b"], ["c"], ["a"]], object)
    history = model.fit(x, np.array([0.0, 1.0, 0.5, 0.0]), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    dense, ids, out = layers.Dense(2), layers.IntegerLookup(vocabulary=[0, 1]), layers.Dense(1)
    stack = keras.Sequential([keras.Input(shape=(1,)), dense, layers.Lambda(lambda t: t[:, :1] * 0), ids, out])
    assert input_grads_needed(stack.layers) == [False, True, False, False]   # ids stop it: dense gets zeros
    stack.compile(optimizer="sgd", loss="mse")
    stack.fit(np.ones((4, 1)), np.ones(4), epochs=1, verbose=0)
    assert all(not v.grad.any() for v in dense.trainable_weights)
    # nothing before the first layer with weights trains: no input gradient there either (1c7b79e)
    assert input_grads_needed([layers.Flatten(), layers.Dense(2)]) == [False, False]
    assert input_grads_needed([layers.Flatten(), layers.Dense(2)], first=True) == [True, True]


def test_an_integer_input_keeps_its_ids_exact():
    ids = keras.Input(shape=(), dtype="int64", name="ids")
    model = keras.Model({"ids": ids}, layers.IntegerLookup(vocabulary=[100000001, 100000002], output_mode="one_hot")(ids))
    out = np.asarray(model({"ids": np.array([100000001, 100000002, 5])}))     # float32 would merge the first two
    np.testing.assert_array_equal(out, np.eye(3)[[1, 2, 0]])
    with pytest.raises(ValueError, match=r"x feeds an Input of dtype int64 but has 1.5 at row 0"):
        model({"ids": np.array([1.5, 2.0])})
