"""glassnet.engine.graph: functional models beyond a chain. Gradients add where paths meet
(shared layers, several outputs), checked against central differences; several inputs and
outputs train, predict and evaluate in Keras's forms (lists and dicts)."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.keras import Input, Model
from glassnet.layers import Dense
from conftest import numeric_model_gradients


def _shared_model():
    x = Input(shape=(3,))
    h = Dense(3, activation="tanh")(x)
    shared = Dense(3, activation="tanh")
    return Model(x, Dense(1)(shared(shared(h))))


def test_a_shared_layer_gets_the_sum_of_its_gradients(float64):
    glassnet.utils.set_random_seed(0)
    model = _shared_model()
    assert model._graph is not None and len(model.layers) == 4        # the Input, then 3 layers (Keras 3)
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(1).random((8, 3))
    y = x.sum(axis=1, keepdims=True)
    for got, want in zip(glassnet.gradients(model, x, y), numeric_model_gradients(model, x, y)):
        np.testing.assert_allclose(got, want, atol=1e-7)


def test_a_shared_layer_trains_and_a_copy_keeps_its_graph():
    import copy
    import pickle
    glassnet.utils.set_random_seed(2)
    model = _shared_model()
    model.compile(optimizer=glassnet.optimizers.Adam(0.02), loss="mse")
    x = np.random.default_rng(3).random((64, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    losses = model.fit(x, y, epochs=60, verbose=0).history["loss"]
    assert losses[-1] < 0.2 * losses[0]
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        np.testing.assert_array_equal(twin.predict(x, verbose=0), model.predict(x, verbose=0))
        a = twin.fit(x, y, epochs=1, verbose=0, shuffle=False).history["loss"]
        b = copy.deepcopy(model).fit(x, y, epochs=1, verbose=0, shuffle=False).history["loss"]
        assert a == b


def _two_outputs():
    x = Input(shape=(3,), name="features")
    h = Dense(4, activation="tanh")(x)
    return Model(x, [Dense(1, name="price")(h), Dense(3, activation="softmax", name="kind")(h)])


def test_two_outputs_with_loss_weights_give_the_weighted_sum_and_its_gradient(float64):
    glassnet.utils.set_random_seed(4)
    model = _two_outputs()
    assert model.output_names == ["price", "kind"]
    model.compile(optimizer="sgd", loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 0.5],
                  metrics=[[], ["accuracy"]])
    rng = np.random.default_rng(5)
    x = rng.random((10, 3))
    y = [x.sum(axis=1, keepdims=True), (x[:, 0] * 3).astype(int)]
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(logs) == ["kind_accuracy", "kind_loss", "loss", "price_loss"]
    assert logs["loss"] == pytest.approx(logs["price_loss"] + 0.5 * logs["kind_loss"])
    for got, want in zip(glassnet.gradients(model, x, y), numeric_model_gradients(model, x, y)):
        np.testing.assert_allclose(got, want, atol=1e-7)


def test_two_outputs_train_from_a_dict_and_predict_in_the_outputs_form():
    glassnet.utils.set_random_seed(6)
    x = Input(shape=(3,))
    h = Dense(8, activation="relu")(x)
    model = Model(x, {"p": Dense(1)(h), "k": Dense(3, activation="softmax")(h)})
    model.compile(optimizer="adam", loss={"p": "mse", "k": "sparse_categorical_crossentropy"},
                  metrics={"k": ["accuracy"]})
    rng = np.random.default_rng(7)
    data = rng.random((96, 3)).astype(np.float32)
    labels = {"p": data.sum(axis=1, keepdims=True), "k": (data[:, 0] * 3).astype(int)}
    history = model.fit(data, labels, epochs=30, verbose=0, validation_split=0.25).history
    assert sorted(history) == ["k_accuracy", "k_loss", "loss", "p_loss", "val_k_accuracy", "val_k_loss",
                               "val_loss", "val_p_loss"]
    assert history["loss"][-1] < history["loss"][0]
    out = model.predict(data[:5], verbose=0)
    assert sorted(out) == ["k", "p"] and out["p"].shape == (5, 1) and out["k"].shape == (5, 3)
    assert sorted(model(data[:2])) == ["k", "p"]


def test_several_outputs_refuse_what_does_not_fit_them():
    model = _two_outputs()
    with pytest.raises(ValueError, match="2 outputs.*list of 3 losses"):
        model.compile(loss=["mse", "mse", "mse"])
    with pytest.raises(ValueError, match="not outputs of the model"):
        model.compile(loss={"price": "mse", "colour": "mse"})
    model.compile(loss={"price": "mse"})           # Keras 3.15 compiles it, and fit refuses it:
    x = np.ones((4, 3), np.float32)
    with pytest.raises(ValueError, match=r"Expected keys \['price', 'kind'\] in loss dict, but found loss.keys\(\)"):
        model.fit(x, [np.ones((4, 1)), np.ones((4, 1))], verbose=0)
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="2 outputs.*list"):
        model.fit(x, np.ones((4, 1)), verbose=0)
    with pytest.raises(ValueError, match="no labels for \\['kind'\\]"):
        model.fit(x, {"price": np.ones((4, 1))}, verbose=0)


def test_a_graph_with_an_input_it_was_not_given_is_refused():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    out = Dense(1)(b)
    with pytest.raises(ValueError, match="graph disconnected"):
        Model(a, out)


def test_a_feature_extractor_from_a_sequential_as_the_keras_guide_writes_it():
    """keras.io's Sequential guide: Model(inputs=model.inputs, outputs=[l.output for l in model.layers])."""
    glassnet.utils.set_random_seed(8)
    keras = glassnet.keras
    initial = keras.Sequential([keras.Input(shape=(10, 10, 3)), keras.layers.Conv2D(4, 3, activation="relu"),
                                keras.layers.Conv2D(4, 3, activation="relu", name="my_intermediate_layer"),
                                keras.layers.Flatten()])
    extractor = keras.Model(inputs=initial.inputs, outputs=[layer.output for layer in initial.layers])
    x = np.random.default_rng(9).random((2, 10, 10, 3)).astype(np.float32)
    features = extractor(x)
    assert [f.shape for f in features] == [(2, 8, 8, 4), (2, 6, 6, 4), (2, 144)]
    np.testing.assert_allclose(features[-1], initial.predict(x, verbose=0), rtol=1e-6)
    one = keras.Model(inputs=initial.inputs, outputs=initial.get_layer(name="my_intermediate_layer").output)
    np.testing.assert_allclose(one.predict(x, verbose=0), features[1], rtol=1e-6)
    assert initial.input.shape.as_list() == [None, 10, 10, 3]
    built_later = keras.Sequential([keras.layers.Dense(2), keras.layers.Dense(1)])
    built_later.build((None, 3))                              # no Input: the model makes one
    two = keras.Model(built_later.inputs, [layer.output for layer in built_later.layers])
    assert [o.shape for o in two.predict(np.ones((5, 3), np.float32), verbose=0)] == [(5, 2), (5, 1)]


def _two_outputs_compiled():
    model = _two_outputs()
    model.compile(optimizer="sgd", loss=["mse", "sparse_categorical_crossentropy"])
    return model


def test_explain_writes_out_a_graph_and_its_gradients_add_where_a_layer_is_shared():
    glassnet.utils.set_random_seed(14)
    x = Input(shape=(3,), name="x")
    shared = Dense(3, activation="tanh", name="shared")
    out = Dense(1, activation="sigmoid", name="o")(glassnet.layers.Add(name="res")([shared(shared(x)), x]))
    model = Model(x, out)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    data = np.random.default_rng(15).random((4, 3)).astype(np.float32)
    labels = np.array([[0.0], [1.0], [1.0], [0.0]], np.float32)
    e = glassnet.explain(model, data, labels)
    text = str(e)
    assert "shared#2 = Dense(shared)" in text and "res = Add(shared#2, x)" in text
    assert "shared layers (shared): their dJ/dw is the sum over their calls" in text
    w = model.get_layer("shared").kernel.value                       # dshared = dshared#2's way back
    a2 = e.arrays["shared#2"]
    np.testing.assert_allclose(e.arrays["dshared"], (e.arrays["dshared#2"] * (1 - a2 * a2)) @ w.T, rtol=1e-5)
    for g, want in zip(e.gradients, glassnet.gradients(model, data, labels)):
        np.testing.assert_allclose(g, want, rtol=1e-5)


def test_trace_follows_a_graph_and_explain_refuses_several_outputs():
    from glassnet.glassbox.trace import Trace
    glassnet.utils.set_random_seed(10)
    x = Input(shape=(3,))
    h = Dense(3, activation="relu", name="h")(x)
    out = Dense(1, activation="sigmoid", name="o")(glassnet.layers.Add(name="res")([h, x]))
    model = Model(x, out)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    data = np.random.default_rng(11).random((40, 3)).astype(np.float32)
    labels = (data.sum(axis=1, keepdims=True) > 1.5).astype(np.float32)
    text = str(glassnet.explain(model, data[:4], labels[:4]))
    assert "res = Add(h, " in text and "BACKWARD" in text and "do = dJ/do" in text
    with pytest.raises(ValueError, match="several outputs.*glassnet.gradients"):
        glassnet.explain(_two_outputs_compiled(), data[:4], [labels[:4], np.zeros(4, int)])
    trace = Trace(every=1)
    model.fit(data, labels, epochs=2, batch_size=20, verbose=0, callbacks=[trace])
    assert len(trace.history["step"]) == 4
    assert set(trace.layers) == {"h", "o"}
    assert all(np.isfinite(trace.history["grad_norm/h/kernel"]))


def test_a_graph_model_is_a_layer_of_another_even_called_twice(float64):
    glassnet.utils.set_random_seed(12)
    i = Input(shape=(3,))
    inner = Model(i, glassnet.layers.Add()([Dense(3, activation="tanh")(i), i]), name="block")
    x = Input(shape=(3,))
    outer = Model(x, Dense(1)(inner(inner(x))))
    assert [layer.name for layer in outer.layers][1] == "block"        # after its Input, as Keras 3's
    outer.compile(optimizer="sgd", loss="mse")
    data = np.random.default_rng(13).random((6, 3))
    labels = data.sum(axis=1, keepdims=True)
    for got, want in zip(glassnet.gradients(outer, data, labels), numeric_model_gradients(outer, data, labels)):
        np.testing.assert_allclose(got, want, atol=1e-7)


def test_no_input_gradient_is_asked_through_ids_and_words():
    """As Keras: nothing differentiates through integer or string tensors. A CategoryEncoding after
    a StringLookup, in a head called inside another model, trains without being asked for dJ/d(ids);
    a graph's input gradient is given for its number inputs and None for its text input."""
    from glassnet.keras import layers
    text = Input(shape=(1,), dtype="string", name="text")
    number = Input(shape=(1,), name="number")
    lookup = layers.StringLookup(vocabulary=["a", "b"])
    encoded = layers.CategoryEncoding(num_tokens=lookup.vocabulary_size())(lookup(text))
    head = Model({"text": text, "number": number}, layers.Concatenate()([encoded, number]))
    inputs = {"text": Input(shape=(1,), dtype="string", name="text"), "number": Input(shape=(1,), name="number")}
    model = Model(inputs, Dense(1)(head(inputs)))
    model.compile(optimizer="adam", loss="mse")
    x = {"text": np.array(["a", "b", "c", "a"], object), "number": np.arange(4.0)}
    history = model.fit(x, np.array([0.0, 1.0, 0.5, 0.0]), epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    carries = head._graph.carrying(need_input_grad=True)
    assert id(number) in carries and id(text) not in carries and id(encoded) not in carries
    assert not model._graph.carrying(need_input_grad=False) - {id(n) for n in model._graph.order}
    head._graph.forward(head._graph_inputs(x, "x"))
    dtext, dnumber = head._graph.backward([np.ones((4, 4), np.float32)], need_input_grad=True)
    assert dtext is None and dnumber.tolist() == [[1.0]] * 4
