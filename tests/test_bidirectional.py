"""glassnet.layers.bidirectional: Bidirectional over SimpleRNN, LSTM and GRU. Backward by
central differences for every merge mode, real Keras's numbers (a weights file it saved, its
predictions and two epochs of SGD, and a .keras file: tests/fixtures/keras_bidirectional.*,
made by tools/make_keras_bidirectional.py), weight and .keras files both ways, and the refusals."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import glassnet
from glassnet.keras import layers
from conftest import numeric_model_gradients

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def _keras_model():
    """tools/make_keras_bidirectional.py's model, written with glassnet."""
    return glassnet.keras.Sequential([
        layers.Input((6, 3)), layers.Bidirectional(layers.LSTM(4, return_sequences=True)),
        layers.Bidirectional(layers.SimpleRNN(3, return_sequences=True), merge_mode="ave"),
        layers.Bidirectional(layers.GRU(2), merge_mode="mul"), layers.Dense(1, activation="sigmoid")])


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul"])
@pytest.mark.parametrize("inner", [lambda **k: layers.LSTM(3, **k), lambda **k: layers.GRU(2, **k),
                                   lambda **k: layers.SimpleRNN(2, go_backwards=True, **k)],
                         ids=["LSTM", "GRU", "SimpleRNN_go_backwards"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_backward_matches_central_differences(merge_mode, inner, return_sequences):
    x = np.random.default_rng(2).normal(size=(3, 4, 2))
    layer = layers.Bidirectional(inner(return_sequences=return_sequences), merge_mode=merge_mode)
    report = glassnet.gradcheck(layer, x, max_entries=None)
    assert report.passed, report


def test_the_backward_copy_reads_the_sequence_reversed_and_is_flipped_back():
    layer = layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True))
    x = np.random.default_rng(0).normal(size=(2, 5, 3))
    out = np.asarray(layer(x))
    fwd, bwd = layer.forward_layer, layer.backward_layer
    assert (fwd.name, bwd.name, fwd.go_backwards, bwd.go_backwards) == (
        "forward_" + layer.layer.name, "backward_" + layer.layer.name, False, True)
    alone = layers.SimpleRNN(2, return_sequences=True)
    alone.build_from_shape(x.shape)
    alone.set_weights(bwd.get_weights())
    reversed_run = np.asarray(alone(x[:, ::-1]))               # the backward copy = the layer on x reversed
    np.testing.assert_allclose(out[..., 2:], reversed_run[:, ::-1], rtol=1e-12)
    assert layer.count_params() == 2 * alone.count_params()
    assert not np.allclose(fwd.kernel.value, bwd.kernel.value)  # each copy its own initial weights


def test_keras_weights_predictions_and_two_epochs_of_sgd():
    d = np.load(FIXTURES / "keras_bidirectional.npz")
    model = _keras_model()
    model.load_weights(FIXTURES / "keras_bidirectional.weights.h5")    # saved by real Keras 3
    np.testing.assert_allclose(model.predict(d["X"], verbose=0), d["pred"], atol=1e-6)
    model.compile(glassnet.keras.optimizers.SGD(0.1), "binary_crossentropy")
    losses = model.fit(d["X"], d["y"], epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses, d["losses"], rtol=1e-5)
    trained = np.concatenate([w.ravel() for w in model.get_weights()])
    np.testing.assert_allclose(trained, d["trained"], atol=1e-5)


def test_weights_file_has_keras_layout_and_loads_back(tmp_path):
    h5py = pytest.importorskip("h5py")
    model = _keras_model()
    path = tmp_path / "bi.weights.h5"
    model.save_weights(path)
    with h5py.File(path) as f:
        ours = sorted(n for n in _datasets(f) if n.startswith("layers/bidirectional"))
    with h5py.File(FIXTURES / "keras_bidirectional.weights.h5") as f:
        keras = sorted(n for n in _datasets(f) if n.startswith("layers/bidirectional"))
    assert ours == keras and "layers/bidirectional/forward_layer/cell/vars/0" in ours
    again = _keras_model()
    again.load_weights(path)
    x = np.random.default_rng(3).normal(size=(2, 6, 3))
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def _datasets(f):
    names = []
    f.visititems(lambda name, obj: names.append(name) if hasattr(obj, "shape") else None)
    return names


def test_a_bidirectional_text_model_learns_through_fit():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 20, size=(64, 8))
    y = (x[:, 0] > x[:, -1]).astype("float32")        # needs the first and the last step
    model = glassnet.keras.Sequential([layers.Input((8,)), layers.Embedding(20, 6),
                                       layers.Bidirectional(layers.LSTM(8)), layers.Dense(1, activation="sigmoid")])
    model.compile(glassnet.keras.optimizers.Adam(0.02), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] > 0.85


def test_refusals_name_the_argument():
    with pytest.raises(ValueError, match="merge_mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode=None)
    with pytest.raises(ValueError, match="recurrent layer"):
        layers.Bidirectional(layers.Dense(2))
    with pytest.raises(ValueError, match="return_state"):
        layers.Bidirectional(layers.LSTM(2, return_state=True))
    with pytest.raises(ValueError, match="backward_layer"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(3, go_backwards=True))
    layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2, go_backwards=True))   # Keras's own copy


def test_keras_file_saved_by_keras_loads_with_its_numbers():
    d = np.load(FIXTURES / "keras_bidirectional.npz")
    model = glassnet.keras.models.load_model(FIXTURES / "keras_bidirectional.keras")
    bi = model.layers[0]
    assert (type(bi).__name__, bi.merge_mode, bi.forward_layer.name, bi.backward_layer.name) == (
        "Bidirectional", "concat", "forward_lstm", "backward_lstm")
    assert [layer.merge_mode for layer in model.layers[:3]] == ["concat", "ave", "mul"]
    np.testing.assert_allclose(model.predict(d["X"], verbose=0), d["trained_pred"], atol=1e-6)


def test_keras_file_round_trip_keeps_predictions_and_training_state(tmp_path):
    d = np.load(FIXTURES / "keras_bidirectional.npz")
    model = _keras_model()
    model.compile(glassnet.keras.optimizers.Adam(0.01), "binary_crossentropy")
    model.fit(d["X"], d["y"], epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "bi.keras")
    again = glassnet.keras.models.load_model(tmp_path / "bi.keras")
    np.testing.assert_array_equal(again.predict(d["X"], verbose=0), model.predict(d["X"], verbose=0))
    after = [model.fit(d["X"], d["y"], epochs=1, batch_size=8, shuffle=False, verbose=0).history["loss"],
             again.fit(d["X"], d["y"], epochs=1, batch_size=8, shuffle=False, verbose=0).history["loss"]]
    np.testing.assert_allclose(after[0], after[1], rtol=1e-6)       # Adam's moments came back too


def test_a_file_nesting_bidirectional_in_bidirectional_is_refused(tmp_path):
    import json
    import zipfile
    from glassnet.saving import UnsafeFileError
    model = _keras_model()
    model.save(tmp_path / "bi.keras")
    with zipfile.ZipFile(tmp_path / "bi.keras") as z:
        files = {name: z.read(name) for name in z.namelist()}
    config = json.loads(files["config.json"])
    entry = config["config"]["layers"][1]
    entry["config"]["layer"] = json.loads(json.dumps(entry))        # Bidirectional(Bidirectional(...))
    files["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "nested.keras", "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    with pytest.raises(UnsafeFileError, match="inside another layer"):
        glassnet.keras.models.load_model(tmp_path / "nested.keras")


def test_weights_given_to_the_constructor_are_set_when_built():
    source = layers.Bidirectional(layers.GRU(2))
    source.build_from_shape((None, 4, 3))
    copy = layers.Bidirectional(layers.GRU(2), weights=source.get_weights())
    x = np.random.default_rng(4).normal(size=(2, 4, 3))
    np.testing.assert_array_equal(np.asarray(copy(x)), np.asarray(source(x)))


def test_a_shared_bidirectional_layer_keeps_each_calls_caches_in_a_graph(float64):
    """Two inputs through one Bidirectional (a siamese model), one of them padded: the graph
    keeps each call's caches, the two copies' and a call without a mask's included. One SGD
    step with learning rate 1 moves each weight by -dJ/dw; central differences agree."""
    a, b = glassnet.keras.Input((5,)), glassnet.keras.Input((5, 2))
    emb = layers.Embedding(7, 2, mask_zero=True)
    shared = layers.Bidirectional(layers.GRU(2))
    out = layers.Dense(1)(layers.concatenate([shared(emb(a)), shared(b)]))
    model = glassnet.keras.Model([a, b], out)
    model.compile(glassnet.keras.optimizers.SGD(1.0), "mse")
    rng = np.random.default_rng(0)
    xs = [np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0], [6, 1, 2, 3, 4]]), rng.normal(size=(3, 5, 2))]
    y = rng.normal(size=(3, 1))
    checked = [shared.forward_layer.kernel, shared.backward_layer.recurrent_kernel, shared.backward_layer.bias]
    numeric = numeric_model_gradients(model, xs, y)
    numeric = [numeric[[id(w) for w in model.trainable_weights].index(id(v))] for v in checked]
    start = [v.value.copy() for v in checked]
    model.train_on_batch(xs, y)
    for v, w0, want in zip(checked, start, numeric):
        np.testing.assert_allclose(w0 - v.value, want, rtol=1e-5, atol=1e-9, err_msg=v.path)   # SGD(1.0): dJ/dw
