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
from conftest import central_difference_in_place, numeric_model_gradients

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
    with pytest.raises(ValueError, match="merge_mode must be one of.*or None.*got 'max'"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="recurrent layer"):
        layers.Bidirectional(layers.Dense(2))
    with pytest.raises(ValueError, match=r"initial_state must be 4 state\(s\).*got 2"):
        layers.Bidirectional(layers.LSTM(2))(np.ones((1, 3, 2)), initial_state=[np.zeros((1, 2))] * 2)
    with pytest.raises(ValueError, match="return_state=True.*Sequential"):
        glassnet.keras.Sequential([layers.Input((3, 2)), layers.Bidirectional(layers.LSTM(2, return_state=True)),
                                   layers.Dense(1)]).predict(np.ones((1, 3, 2)), verbose=0)
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
    """Bidirectional(Bidirectional(...)) is no recurrent layer: refused by name, as Keras refuses it."""
    import json
    import zipfile
    from glassnet.saving import FileFormatError
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
    with pytest.raises(FileFormatError, match=r"layers\[1\].*must be a recurrent layer"):
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


# -- states: return_state and initial_state ------------------------------------------------------
INNER = {
    "LSTM": lambda **k: layers.LSTM(3, **k),
    "GRU": lambda **k: layers.GRU(2, **k),
    "SimpleRNN": lambda **k: layers.SimpleRNN(2, **k),
    "RNN_LSTMCell": lambda **k: layers.RNN(layers.LSTMCell(2, dtype=k.pop("dtype", None)), **k),
}


_numeric = central_difference_in_place


@pytest.mark.parametrize("kind", sorted(INNER))
@pytest.mark.parametrize("merge_mode, options", [("concat", {}), ("mul", {"return_sequences": True}),
                                                 ("ave", {"mask": True}), ("sum", {"go_backwards": True})])
def test_state_gradients_match_central_differences(kind, merge_mode, options, float64):
    """J = sum(G * out) + sum_j sum(Gs_j * returned state j), started from given states: dJ/dx,
    dJ/d(each initial state, forward's then backward's) and every weight's gradient (float64:
    floatx too, as a cell rebuilt from its config, Bidirectional's copy, takes floatx's type)."""
    options = dict(options)
    use_mask = options.pop("mask", False)
    rng = np.random.default_rng(len(kind) + len(merge_mode))
    layer = layers.Bidirectional(INNER[kind](return_state=True, dtype="float64", **options), merge_mode=merge_mode)
    x = rng.normal(size=(2, 4, 3))
    mask = np.array([[True, True, True, False], [True, False, True, True]]) if use_mask else None
    out, *finals = layer(x, mask=mask)
    assert len(finals) == layer.state_count == (4 if kind in ("LSTM", "RNN_LSTMCell") else 2)
    states = [rng.normal(size=np.shape(f)) for f in finals]
    for w in layer.weights:
        w.assign(rng.normal(size=w.shape) * 0.5)
    G = rng.normal(size=np.shape(out))
    Gs = [rng.normal(size=np.shape(f)) for f in finals]

    def loss():
        out, *finals = layer(x, mask=mask, initial_state=states)
        return float(np.sum(G * np.asarray(out)) + sum(np.sum(g * np.asarray(f)) for g, f in zip(Gs, finals)))
    loss()
    dx, *dstates = layer.backward([G] + Gs)
    assert len(dstates) == len(states)
    analytic = {"x": dx, **{f"state_{j}": d for j, d in enumerate(dstates)},
                **{f"{i}:{w.path}": w.grad.copy() for i, w in enumerate(layer.weights)}}   # (copies' cells share paths)
    numeric = {"x": _numeric(loss, x), **{f"state_{j}": _numeric(loss, s) for j, s in enumerate(states)}}
    for i, w in enumerate(layer.weights):
        value = w.numpy()

        def with_weight():
            w.assign(value)
            return loss()
        numeric[f"{i}:{w.path}"] = _numeric(with_weight, value)
        w.assign(value)
    for name in analytic:
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-5, atol=1e-7, err_msg=name)


def test_each_copy_starts_from_its_half_of_the_states_and_returns_its_own():
    rng = np.random.default_rng(0)
    layer = layers.Bidirectional(layers.LSTM(3, return_state=True, return_sequences=True))
    x = rng.normal(size=(2, 5, 4)).astype("float32")
    starts = [rng.normal(size=(2, 3)).astype("float32") for _ in range(4)]
    out, fh, fc, bh, bc = layer(x, initial_state=starts)
    again = layer([x] + starts)                                  # layer([x, fh, fc, bh, bc]) is the same call
    np.testing.assert_array_equal(again[0], out)
    fwd = layers.LSTM(3, return_state=True, return_sequences=True)
    bwd = layers.LSTM(3, return_state=True, return_sequences=True, go_backwards=True)
    for alone, copy in ((fwd, layer.forward_layer), (bwd, layer.backward_layer)):
        alone(x)                                                 # builds it
        alone.set_weights(copy.get_weights())
    y, h, c = fwd(x, initial_state=starts[:2])
    y_rev, h_rev, c_rev = bwd(x, initial_state=starts[2:])
    np.testing.assert_allclose(out, np.concatenate([y, np.asarray(y_rev)[:, ::-1]], -1), rtol=1e-6)
    for got, want in zip((fh, fc, bh, bc), (h, c, h_rev, c_rev)):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    zero = layer(x, initial_state=layer.forward_layer.get_initial_state(2) * 2)[0]
    np.testing.assert_allclose(zero, layer(x)[0], rtol=1e-6)


def test_a_tape_differentiates_through_the_given_states():
    rng = np.random.default_rng(1)
    layer = layers.Bidirectional(layers.GRU(3, return_state=True), merge_mode="sum")
    x = glassnet.constant(rng.normal(size=(2, 4, 2)).astype(np.float32))
    h_f, h_b = (glassnet.constant(rng.normal(size=(2, 3)).astype(np.float32)) for _ in range(2))
    with glassnet.GradientTape() as tape:
        out, fh, bh = layer(x, initial_state=[h_f, h_b])
        loss = glassnet.reduce_sum(out * out) + glassnet.reduce_sum(bh)
    dx, dh_f, dh_b = tape.gradient(loss, [x, h_f, h_b])
    layer([x, h_f, h_b])
    back = layer.backward([2 * np.asarray(out), None, np.ones((2, 3), np.float32)])
    for got, want in zip([dx, dh_f, dh_b], back):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    assert np.abs(np.asarray(dh_b)).sum() > 0


def _states_model():
    """tools/make_keras_bidirectional.py's encoder-decoder, written with glassnet."""
    keras, L = glassnet.keras, layers
    enc, dec = keras.Input((6, 3), name="enc"), keras.Input((5, 2), name="dec")
    _, fh, fc, bh, bc = L.Bidirectional(L.LSTM(4, return_state=True), name="encoder")(enc)
    state_h, state_c = L.Concatenate()([fh, bh]), L.Concatenate()([fc, bc])
    d = L.LSTM(8, return_sequences=True, name="decoder")(dec, initial_state=[state_h, state_c])
    s1, s2 = L.Dense(3, activation="tanh")(state_h), L.Dense(3, activation="tanh")(state_c)
    g = L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="sum", name="bigru")(dec, initial_state=[s1, s2])
    out = L.Dense(1, activation="sigmoid")(L.Concatenate()([d, g]))
    return keras.Model([enc, dec], out)


def test_encoder_decoder_with_states_matches_keras_eager_predict_and_fit():
    d = np.load(FIXTURES / "keras_bidirectional_states.npz")
    model = _states_model()
    model.load_weights(FIXTURES / "keras_bidirectional_states.weights.h5")     # Keras's initial weights
    np.testing.assert_allclose(model.predict([d["E"], d["D"]], verbose=0), d["pred"], atol=1e-6)
    out, *states = model.get_layer("encoder")(d["E"], initial_state=list(d["starts"]))   # eager, given states
    np.testing.assert_allclose(out, d["eager_out"], atol=1e-6)
    np.testing.assert_allclose(np.stack([np.asarray(s) for s in states]), d["eager_states"], atol=1e-6)
    model.compile(glassnet.keras.optimizers.SGD(0.1), "binary_crossentropy")
    losses = model.fit([d["E"], d["D"]], d["y"], epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses, d["losses"], rtol=1e-5)
    np.testing.assert_allclose(np.concatenate([w.ravel() for w in model.get_weights()]), d["trained"], atol=1e-5)
    np.testing.assert_allclose(model.predict([d["E"], d["D"]], verbose=0), d["trained_pred"], atol=1e-5)


def test_encoder_decoder_keras_files_both_ways(tmp_path):
    d = np.load(FIXTURES / "keras_bidirectional_states.npz")
    model = glassnet.keras.models.load_model(FIXTURES / "keras_bidirectional_states.keras")   # written by Keras
    encoder = model.get_layer("encoder")
    assert encoder.return_state and encoder.forward_layer.name == "forward_lstm"
    np.testing.assert_allclose(model.predict([d["E"], d["D"]], verbose=0), d["trained_pred"], atol=1e-6)
    model.fit([d["E"], d["D"]], d["y"], epochs=1, batch_size=8, verbose=0)        # compiled by the file
    model.save(tmp_path / "states.keras")
    again = glassnet.keras.models.load_model(tmp_path / "states.keras")
    np.testing.assert_array_equal(again.predict([d["E"], d["D"]], verbose=0),
                                  model.predict([d["E"], d["D"]], verbose=0))
    after = [m.fit([d["E"], d["D"]], d["y"], epochs=1, batch_size=8, shuffle=False, verbose=0).history["loss"]
             for m in (model, again)]
    np.testing.assert_allclose(after[0], after[1], rtol=1e-6)


def test_encoder_decoder_gradients_in_a_graph_match_central_differences(float64):
    keras = glassnet.keras
    enc, dec = keras.Input((4, 2)), keras.Input((3, 2))
    _, fh, fc, bh, bc = layers.Bidirectional(layers.LSTM(2, return_state=True))(enc)
    state_h, state_c = layers.Concatenate()([fh, bh]), layers.Concatenate()([fc, bc])
    y = layers.LSTM(4)(dec, initial_state=[state_h, state_c])
    g = layers.Bidirectional(layers.SimpleRNN(2), merge_mode="mul")(dec, initial_state=[fh, bc])
    model = keras.Model([enc, dec], layers.Dense(1)(layers.Concatenate()([y, g])))
    model.compile(keras.optimizers.SGD(1.0), "mse")
    rng = np.random.default_rng(5)
    xs, target = [rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 3, 2))], rng.normal(size=(3, 1))
    numeric = numeric_model_gradients(model, xs, target)
    start = [w.value.copy() for w in model.trainable_weights]
    model.train_on_batch(xs, target)
    for v, w0, want in zip(model.trainable_weights, start, numeric):
        np.testing.assert_allclose(w0 - v.value, want, rtol=1e-5, atol=1e-9, err_msg=v.path)   # SGD(1.0): dJ/dw


def test_fast_path_and_readable_path_agree_with_states():
    """A chain whose Bidirectional returns states it does not use (the fast twin may run) and a
    graph whose Bidirectional takes states (readable: the twins take no list of inputs): a fit
    with glassnet.fast and one without end with the same weights."""
    def build():
        glassnet.utils.set_random_seed(3)
        x = glassnet.keras.Input((12, 8))
        out, *_ = layers.Bidirectional(layers.LSTM(32, return_state=True, return_sequences=True))(x)
        chain = glassnet.keras.Model(x, layers.Dense(1)(layers.Flatten()(out)))
        s = glassnet.keras.Input((16,))
        started = layers.Bidirectional(layers.LSTM(16))(x, initial_state=[s, s, s, s])
        graph = glassnet.keras.Model([x, s], layers.Dense(1)(started))
        for m in (chain, graph):
            m.compile(glassnet.keras.optimizers.Adam(0.01), "mse")
        return chain, graph
    rng = np.random.default_rng(0)
    x, s, y = (rng.normal(size=(64, 12, 8)).astype("float32"), rng.normal(size=(64, 16)).astype("float32"),
               rng.normal(size=(64, 1)).astype("float32"))
    results = []
    for fast in (True, False):
        glassnet.config.set_fast_path(fast)
        _numba_twins(fast)
        try:
            chain, graph = build()
            chain.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
            graph.fit([x, s], y, epochs=2, batch_size=32, shuffle=False, verbose=0)
            results.append([w.copy() for m in (chain, graph) for w in m.get_weights()])
        finally:
            glassnet.config.set_fast_path(True)
            _numba_twins(False)
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _numba_twins(on):
    """The recurrent twins at any size (as glassnet.fast's "numba" kernels), when numba is here."""
    import importlib.util
    from glassnet import fast
    from glassnet.fast import recurrent as fast_recurrent
    if importlib.util.find_spec("numba") is None:
        return
    fast.set_kernels("numba" if on else "auto")
    fast_recurrent.split_batch(False if on else None)


def test_the_fast_twin_runs_without_states_and_stands_aside_with_them():
    """glassnet.fast's Bidirectional twin: taken for x alone, not for [x, *states] (the readable
    forward and backward run, dJ/d(states) included), and the same numbers as the readable ones."""
    pytest.importorskip("numba")
    from glassnet.fast import recurrent as fast_recurrent
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6, 3)).astype("float32")
    states = [rng.normal(size=(4, 5)).astype("float32") for _ in range(4)]
    g = rng.normal(size=(4, 6, 10)).astype("float32")
    layer = layers.Bidirectional(layers.LSTM(5, return_sequences=True))
    layer(x)
    _numba_twins(True)
    try:
        for given in (x, [x] + states):
            passes = fast_recurrent.LayerPasses()
            y = passes.forward(layer, given, True)
            assert (id(layer) in passes.took) == (given is x)
            fast_grads = passes.backward(layer, g)
            readable_y = layer.forward(given, True)
            readable_grads = layer.backward(g)
            np.testing.assert_allclose(y, readable_y, rtol=1e-5, atol=1e-6)
            for a, b in zip(fast_grads if given is not x else [fast_grads],
                            readable_grads if given is not x else [readable_grads]):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        assert len(fast_grads) == 5                            # [dx, dJ/d fh, fc, bh, bc]
    finally:
        _numba_twins(False)


# -- wrappers nesting another level in .keras files ----------------------------------------------
NESTED = FIXTURES / "keras_nested_wrappers"


@pytest.mark.parametrize("name", ["bidirectional_rnn_cell", "timedistributed_sequential",
                                  "timedistributed_timedistributed"])
def test_keras_files_with_nested_wrappers_load_with_their_numbers(name, tmp_path):
    d = np.load(NESTED / "predictions.npz")
    model = glassnet.keras.models.load_model(NESTED / f"{name}.keras")         # written by Keras 3.15
    x = d[f"{name}_x"]
    np.testing.assert_allclose(model.predict(x, verbose=0), d[f"{name}_pred"], atol=1e-6)
    model.save(tmp_path / "again.keras")                                       # and glassnet's file of it
    again = glassnet.keras.models.load_model(tmp_path / "again.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_glassnet_files_with_nested_wrappers_load_back(tmp_path):
    rng = np.random.default_rng(2)
    inner = glassnet.keras.Sequential([layers.Input((3, 2)), layers.Flatten(), layers.Dense(4, activation="relu")])
    models = [
        (glassnet.keras.Sequential([layers.Input((5, 2)), layers.Bidirectional(
            layers.RNN(layers.GRUCell(3), return_sequences=True), merge_mode="sum"), layers.Dense(1)]),
         rng.normal(size=(2, 5, 2))),
        (glassnet.keras.Sequential([layers.Input((5, 3, 2)), layers.TimeDistributed(inner), layers.LSTM(2)]),
         rng.normal(size=(2, 5, 3, 2))),
    ]
    for i, (model, x) in enumerate(models):
        model.compile(glassnet.keras.optimizers.Adam(0.01), "mse")
        model.fit(x, np.ones((2,) + model.output_shape[1:]), epochs=1, verbose=0)
        model.save(tmp_path / f"m{i}.keras")
        again = glassnet.keras.models.load_model(tmp_path / f"m{i}.keras")
        np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_the_nesting_cap_lets_four_levels_through_and_refuses_five(tmp_path):
    from glassnet.saving import UnsafeFileError
    for levels in (4, 5):
        inner = layers.Dense(2)
        for _ in range(levels):
            inner = layers.TimeDistributed(inner)            # TimeDistributed(...(TimeDistributed(Dense)))
        model = glassnet.keras.Sequential([layers.Input((2,) * levels + (3,)), inner])
        model.save(tmp_path / f"m{levels}.keras")
        if levels == 4:
            x = np.random.default_rng(0).normal(size=(1,) + (2,) * levels + (3,))
            again = glassnet.keras.models.load_model(tmp_path / f"m{levels}.keras")
            np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
        else:
            with pytest.raises(UnsafeFileError, match="nest 5 levels deep.*cap 4"):
                glassnet.keras.models.load_model(tmp_path / f"m{levels}.keras")


# -- merge_mode=None: the two outputs unmerged -----------------------------------------------------
def _unmerged_model():
    """tools/make_keras_bidirectional.py's merge_mode=None model, written with glassnet."""
    L = layers
    x = glassnet.keras.Input((6, 3), name="x")
    yf, yb, fh, bh = L.Bidirectional(L.GRU(3, return_sequences=True, return_state=True), merge_mode=None,
                                     name="bigru")(x)
    first = L.Dense(1, name="steps")(L.Concatenate()([yf, L.Multiply()([yb, yb])]))
    second = L.Dense(1, name="states")(L.Concatenate()([fh, bh]))
    return glassnet.keras.Model(x, [first, second])


def test_unmerged_outputs_match_keras_predict_fit_and_files(tmp_path):
    d = np.load(FIXTURES / "keras_bidirectional_unmerged.npz")
    model = _unmerged_model()
    model.load_weights(FIXTURES / "keras_bidirectional_unmerged.weights.h5")
    for got, want in zip(model.predict(d["X"], verbose=0), (d["pred1"], d["pred2"])):
        np.testing.assert_allclose(got, want, atol=1e-6)
    model.compile(glassnet.keras.optimizers.SGD(0.1), ["mse", "mse"])
    losses = model.fit(d["X"], [d["y1"], d["y2"]], epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses, d["losses"], rtol=1e-5)
    for got, want in zip(model.predict(d["X"], verbose=0), (d["trained1"], d["trained2"])):
        np.testing.assert_allclose(got, want, atol=1e-5)
    keras_file = glassnet.keras.models.load_model(FIXTURES / "keras_bidirectional_unmerged.keras")
    assert keras_file.get_layer("bigru").merge_mode is None
    for got, want in zip(keras_file.predict(d["X"], verbose=0), (d["trained1"], d["trained2"])):
        np.testing.assert_allclose(got, want, atol=1e-6)
    model.save(tmp_path / "unmerged.keras")
    again = glassnet.keras.models.load_model(tmp_path / "unmerged.keras")
    for got, want in zip(again.predict(d["X"], verbose=0), model.predict(d["X"], verbose=0)):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("return_state", [False, True])
def test_unmerged_gradients_match_central_differences(return_state, float64):
    rng = np.random.default_rng(4)
    layer = layers.Bidirectional(layers.LSTM(2, return_sequences=True, return_state=return_state), merge_mode=None)
    x = rng.normal(size=(2, 3, 2))
    outs = layer(x)
    assert len(outs) == (6 if return_state else 2)
    np.testing.assert_array_equal(outs[1], np.asarray(layer.backward_layer(x))[:, ::-1])   # y' flipped back in time
    Gs = [rng.normal(size=np.shape(o)) for o in outs]

    def loss():
        return float(sum(np.sum(g * np.asarray(o)) for g, o in zip(Gs, layer(x))))
    loss()
    dx = layer.backward(Gs)                                   # [dy, dy', (dJ/d each state)] in, dx out
    analytic = {"x": dx, **{f"{i}:{w.path}": w.grad.copy() for i, w in enumerate(layer.weights)}}
    numeric = {"x": _numeric(loss, x)}
    for i, w in enumerate(layer.weights):
        value = w.numpy()

        def with_weight():
            w.assign(value)
            return loss()
        numeric[f"{i}:{w.path}"] = _numeric(with_weight, value)
        w.assign(value)
    for name in analytic:
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-5, atol=1e-7, err_msg=name)


def test_unmerged_only_the_forward_output_used_trains_the_readable_way_as_the_fast_one():
    """A chain model reading y only: the fast path's twin merges every mode but None, so the
    layer takes the readable path; both paths end with the same weights."""
    results = []
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 10, 8)).astype("float32"), rng.normal(size=(64, 1)).astype("float32")
    for fast in (True, False):
        glassnet.config.set_fast_path(fast)
        try:
            glassnet.utils.set_random_seed(1)
            inp = glassnet.keras.Input((10, 8))
            yf, _ = layers.Bidirectional(layers.LSTM(32), merge_mode=None)(inp)
            model = glassnet.keras.Model(inp, layers.Dense(1)(yf))
            model.compile(glassnet.keras.optimizers.Adam(0.01), "mse")
            model.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
            results.append(model.get_weights())
        finally:
            glassnet.config.set_fast_path(True)
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert np.abs(results[0][-2]).sum() > 0


def test_summary_lists_each_output_as_keras_prints_it(capsys):
    inp = glassnet.keras.Input((5, 3), name="i")
    outs = layers.Bidirectional(layers.LSTM(4, return_sequences=True), merge_mode=None, name="bi")(inp)
    glassnet.keras.Model(inp, outs).summary()
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if "bi (Bidirectional)" in line)
    assert lines[at:at + 2] == [       # Keras 3.15's: a chain, so its plain table, both outputs' shapes
        "│ bi (Bidirectional)              │ [(None, 5, 4), (None,  │           256 │",
        "│                                 │ 5, 4)]                 │               │"]


@pytest.mark.parametrize("inner", [lambda: layers.LSTM(3), lambda: layers.RNN(layers.GRUCell(3))], ids=["LSTM", "RNN"])
def test_two_calls_under_one_tape_keep_each_calls_copies(inner):
    """The tape keeps a layer's arrays per call; the copies' are kept in the layer's own, so the
    first call's gradient is its own after a second call."""
    rng = np.random.default_rng(0)
    layer = layers.Bidirectional(inner())
    a, b = (glassnet.constant(rng.normal(size=(2, 4, 2)).astype("float32")) for _ in range(2))
    with glassnet.GradientTape(persistent=True) as tape:
        tape.watch([a, b])
        first, second = layer(a), layer(b)
        loss = glassnet.reduce_sum(first * first)
    with glassnet.GradientTape() as alone:
        alone.watch(a)
        only = layer(a)
        loss_alone = glassnet.reduce_sum(only * only)
    np.testing.assert_allclose(tape.gradient(loss, a), alone.gradient(loss_alone, a), rtol=1e-6)
    assert tape.gradient(loss, b) is None or not np.asarray(tape.gradient(loss, b)).any()
