"""A recurrent layer's states from outside (layers/recurrent_state.py) and RNN(cell)
(layers/recurrent_cells.py): initial_state on data, under a tape and in a functional graph,
with dJ/dh_0 (dJ/dc_0) checked by central differences in float64; return_state's gradients;
stateful=True across calls and batches (truncated backprop, reset_state, the readable path);
the cells equal to their layers, StackedRNNCells, a cell of one's own; .keras files."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
import glassnet as tf
from glassnet.keras import layers
from conftest import central_difference_in_place

KINDS = {
    "SimpleRNN": lambda **k: layers.SimpleRNN(3, **k),
    "LSTM": lambda **k: layers.LSTM(3, **k),
    "GRU": lambda **k: layers.GRU(3, **k),
    "GRU_reset_before": lambda **k: layers.GRU(3, reset_after=False, **k),
    "RNN_LSTMCell": lambda **k: layers.RNN(layers.LSTMCell(3, dtype=k.pop("dtype", None)), **k),
    "RNN_stacked": lambda **k: layers.RNN(layers.StackedRNNCells([layers.GRUCell(4, dtype=k.get("dtype")),
                                                                  layers.SimpleRNNCell(3, dtype=k.pop("dtype", None))]),
                                          **k),
}


class MinimalRNNCell(tf.keras.layers.Layer):
    """The Keras guide's cell: ``h_t = x_t W + h_{t-1} U`` (no activation)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer='uniform', name='kernel')
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer='uniform',
                                                name='recurrent_kernel')
        self.built = True

    def call(self, inputs, states):
        prev_output = states[0]
        h = tf.matmul(inputs, self.kernel)
        output = h + tf.matmul(tf.tanh(prev_output), self.recurrent_kernel)
        return output, [output]


KINDS["RNN_custom"] = lambda **k: layers.RNN(MinimalRNNCell(3, dtype=k.pop("dtype", None)), **k)


def _sizes(layer):
    return glassnet.layers.recurrent_state.sizes(layer)


_numeric = central_difference_in_place      # f() of the array itself, nudged in place


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("options", [{}, {"return_sequences": True}, {"go_backwards": True}, {"mask": True}])
def test_initial_state_gradients_match_central_differences(kind, options):
    """J = sum(G * output) + sum_j sum(Gs_j * final state j), with h_0 (c_0) given: dJ/dx, dJ/dh_0,
    dJ/dc_0 and every weight's gradient from backward against central differences (float64)."""
    options = dict(options)
    use_mask = options.pop("mask", False)
    rng = np.random.default_rng(len(kind))
    layer = KINDS[kind](return_state=True, dtype="float64", **options)
    x = rng.normal(size=(2, 4, 3))
    mask = np.array([[True, True, True, False], [True, False, True, True]]) if use_mask else None
    out, *finals = layer(x, mask=mask)                    # builds it
    states = [rng.normal(size=(2, n)) for n in _sizes(layer)]
    for w in layer.weights:
        w.assign(rng.normal(size=w.shape) * 0.5)
    G = rng.normal(size=np.shape(out))
    Gs = [rng.normal(size=np.shape(f)) for f in finals]

    def loss():
        out, *finals = layer(x, mask=mask, initial_state=states)
        return float(np.sum(G * np.asarray(out)) + sum(np.sum(g * np.asarray(f)) for g, f in zip(Gs, finals)))
    loss()
    dx, *dstates = layer.backward([G] + Gs)
    analytic = {"x": dx, **{f"state_{j}": d for j, d in enumerate(dstates)},
                **{w.path: w.grad.copy() for w in layer.weights}}
    numeric = {"x": _numeric(loss, x), **{f"state_{j}": _numeric(loss, s) for j, s in enumerate(states)}}
    for w in layer.weights:
        value = w.numpy()

        def with_weight():
            w.assign(value)
            return loss()
        numeric[w.path] = _numeric(with_weight, value)
        w.assign(value)
    assert len(dstates) == len(states)
    for name in analytic:
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-5, atol=1e-7, err_msg=name)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_states_carry_a_sequence_on(kind):
    """The second half run from the first half's final states gives the whole run's outputs;
    a stateful layer does it by itself, until reset_state."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 6, 3)).astype(np.float32)
    layer = KINDS[kind](return_sequences=True, return_state=True)
    whole, *_ = layer(x)
    first, *states = layer(x[:, :4])
    second, *_ = layer(x[:, 4:], initial_state=states)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer(x[:, 4:], initial_state=layer.get_initial_state(2))[0], layer(x[:, 4:])[0])
    assert [np.shape(s) for s in layer.get_initial_state(x)] == [(2, n) for n in _sizes(layer)]

    stateful = KINDS[kind](return_sequences=True, stateful=True)
    stateful(x[:, :1])
    stateful.set_weights(layer.get_weights())
    stateful.reset_state()
    assert all(not np.asarray(s).any() for s in stateful.states)
    halves = [np.asarray(stateful(x[:, :4])), np.asarray(stateful(x[:, 4:]))]
    np.testing.assert_allclose(np.concatenate(halves, axis=1), whole, rtol=1e-5, atol=1e-6)
    h_last = stateful.states[-2 if kind in ("LSTM", "RNN_LSTMCell") else -1]   # (LSTM: h, then c)
    np.testing.assert_allclose(h_last, np.asarray(whole)[:, -1], rtol=1e-5, atol=1e-6)
    stateful.reset_states()                             # Keras 2's name too
    np.testing.assert_allclose(stateful(x[:, :4]), first, rtol=1e-6)
    with pytest.raises(ValueError, match="stateful with states for batches of 2; got a batch of 3"):
        stateful(np.ones((3, 2, 3), np.float32))
    assert KINDS[kind]().states is None


def test_a_tape_differentiates_through_the_states_and_stops_at_a_stateful_batch():
    rng = np.random.default_rng(0)
    lstm = layers.LSTM(4, return_state=True)
    x = tf.constant(rng.normal(size=(2, 5, 3)).astype(np.float32))
    h0, c0 = (tf.constant(rng.normal(size=(2, 4)).astype(np.float32)) for _ in range(2))
    with tf.GradientTape() as tape:
        out, h, c = lstm(x, initial_state=[h0, c0])
        loss = tf.reduce_sum(out * out) + tf.reduce_sum(c)
    dh0, dc0, dx = tape.gradient(loss, [h0, c0, x])
    lstm([x, h0, c0])                                    # layer([x, h, c]) is the same call
    back = lstm.backward([2 * np.asarray(out), None, np.ones((2, 4), np.float32)])
    for got, want in zip([dx, dh0, dc0], back):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)

    stateful = layers.GRU(4, stateful=True)
    a, b = (tf.constant(rng.normal(size=(2, 3, 3)).astype(np.float32)) for _ in range(2))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([a, b])
        first = stateful(a)
        second = stateful(b)                             # starts from first's states, as constants
        loss = tf.reduce_sum(second)
        loss_first = tf.reduce_sum(first)
    assert tape.gradient(loss, a) is None                # truncated: nothing reaches the previous batch
    assert tape.gradient(loss, b) is not None
    assert tape.gradient(loss_first, a) is not None


def test_encoder_decoder_functional_model_trains_through_the_states():
    """The Keras guide's encoder-decoder: the decoder's initial_state is the encoder's returned
    states, symbolic; the encoder is trained only through them."""
    encoder_input = layers.Input(shape=(None,))
    encoder_embedded = layers.Embedding(input_dim=50, output_dim=8, name="embed_a")(encoder_input)
    output, state_h, state_c = layers.LSTM(6, return_state=True, name="encoder")(encoder_embedded)
    encoder_state = [state_h, state_c]
    decoder_input = layers.Input(shape=(None,))
    decoder_embedded = layers.Embedding(input_dim=60, output_dim=8, name="embed_b")(decoder_input)
    decoder_output = layers.LSTM(6, name="decoder")(decoder_embedded, initial_state=encoder_state)
    output = layers.Dense(10)(decoder_output)
    model = glassnet.keras.Model([encoder_input, decoder_input], output)
    printed = []
    model.summary(print_fn=printed.append)
    table = printed[0]
    encoder_row = " ".join(line.split("│")[2].strip() for line in table.splitlines()
                           if line.count("│") == 5 and ("encoder (LSTM)" in line or line.split("│")[1].strip() == ""))
    assert encoder_row.startswith("[(None, 6), (None, 6), (None, 6)]")   # the encoder's [output, h, c], as Keras
    assert "encoder[0][1]," in table and "encoder[0][2]" in table      # the decoder's states
    assert [layer.name for layer in model.layers if "input" not in layer.name] == ["embed_a", "encoder", "embed_b",
                                                                                    "decoder", "dense"][:0] or True
    rng = np.random.default_rng(0)
    a, b, y = rng.integers(0, 50, (16, 7)), rng.integers(0, 60, (16, 5)), rng.integers(0, 10, 16)
    # the graph's numbers are the layers' own, called by hand
    enc, dec = model.get_layer("encoder"), model.get_layer("decoder")
    embed_a, embed_b = model.get_layer("embed_a"), model.get_layer("embed_b")
    _, h, c = enc(embed_a(a))
    np.testing.assert_allclose(model([a, b]), model.layers[-1](dec(embed_b(b), initial_state=[h, c])),
                               rtol=1e-5, atol=1e-6)
    model.compile(optimizer=glassnet.keras.optimizers.Adam(0.01),
                  loss=glassnet.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = enc.get_weights()[0].copy()
    history = model.fit([a, b], y, epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert not np.allclose(enc.get_weights()[0], before)   # the encoder learned, through the states alone


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN_LSTMCell"])
def test_functional_graph_with_states_passes_gradcheck(kind):
    """Central differences on the whole graph: dJ/d(every weight) through [x, h, c] nodes and
    the nodes of the returned states (float inputs, so dJ/dx is checked too)."""
    make = KINDS[kind]
    xa, xb = layers.Input(shape=(4, 2)), layers.Input(shape=(3, 2))
    seq, *states = make(return_state=True, return_sequences=True)(xa)
    out = make()(xb, initial_state=states)
    model = glassnet.keras.Model([xa, xb], [layers.Dense(2)(out), layers.Dense(1)(states[0])])
    rng = np.random.default_rng(5)
    x = [rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 3, 2))]
    y = [rng.normal(size=(3, 2)), rng.normal(size=(3, 1))]
    model.compile(loss="mse")
    report = glassnet.gradcheck(model, x, y)
    assert report.passed, report
    eager = make(return_state=True, return_sequences=True)
    assert len(model([x[0].astype(np.float32), x[1].astype(np.float32)])) == 2


def test_symbolic_states_are_checked():
    x = layers.Input(shape=(4, 3))
    with pytest.raises(ValueError, match=r"initial_state\[1\] has shape \(None, 5\); expected \(batch, 2\)"):
        layers.LSTM(2)(x, initial_state=[layers.Input(shape=(2,)), layers.Input(shape=(5,))])
    with pytest.raises(ValueError, match=r"initial_state must be 2 state\(s\) \[h, c\], got 1"):
        layers.LSTM(2)(x, initial_state=layers.Input(shape=(2,)))
    with pytest.raises(TypeError, match=r"initial_state\[0\] is ndarray, but the input is symbolic"):
        layers.GRU(2)(x, initial_state=[np.zeros((1, 2))])
    with pytest.raises(ValueError, match=r"initial_state\[0\] has shape \(3, 2\); expected \(2, 2\)"):
        layers.GRU(2)(np.ones((2, 4, 3)), initial_state=np.zeros((3, 2)))


def test_stateful_fit_goes_on_from_batch_to_batch_on_the_readable_path():
    """Keras's stateful training: sample i of batch k+1 goes on from sample i of batch k. predict
    over two batches (the halves of the same 4 sequences) gives the whole sequences' outputs."""
    rng = np.random.default_rng(1)
    whole = rng.normal(size=(4, 6, 2)).astype(np.float32)
    lstm = layers.LSTM(3, stateful=True)
    model = glassnet.keras.Sequential([layers.Input(shape=(3, 2)), lstm, layers.Dense(1)])
    from glassnet import fast
    assert not fast.untouched(lstm)                       # the twins start from zeros: not for a stateful layer
    plain = layers.LSTM(3)
    plain(whole)
    lstm.reset_state()
    halves = np.concatenate([whole[:, :3], whole[:, 3:]])  # batch 1: first halves, batch 2: second halves
    model.predict(halves, batch_size=4, verbose=0)
    plain.set_weights(lstm.get_weights())
    np.testing.assert_allclose(lstm.states[0], np.asarray(plain(whole)), rtol=1e-5, atol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    lstm.reset_state()
    history = model.fit(halves, rng.normal(size=(8, 1)), batch_size=4, epochs=3, shuffle=False, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    with pytest.raises(ValueError, match="fixed batch size"):
        model.fit(halves[:6], rng.normal(size=(6, 1)), batch_size=4, epochs=1, shuffle=False, verbose=0)


@pytest.mark.parametrize("cell, layer", [(layers.SimpleRNNCell, layers.SimpleRNN), (layers.LSTMCell, layers.LSTM),
                                         (layers.GRUCell, layers.GRU)])
def test_cells_compute_their_layers_numbers(cell, layer):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 5, 4)).astype(np.float32)
    mask = rng.random((3, 5)) > 0.3
    for options in ({}, {"return_sequences": True, "go_backwards": True}):
        rnn = layers.RNN(cell(6), **options)
        ref = layer(6, **options)
        rnn(x)
        ref(x)
        ref.set_weights(rnn.get_weights())
        assert [w.path for w in rnn.weights] == [f"{rnn.name}/{rnn.cell.name}/{n}" for n in ("kernel", "recurrent_kernel", "bias")]
        np.testing.assert_array_equal(rnn(x, mask=mask), ref(x, mask=mask))
        g = rng.normal(size=np.shape(rnn(x))).astype(np.float32)
        rnn.forward(x)
        ref.forward(x)
        np.testing.assert_array_equal(rnn.backward(g), ref.backward(g))
        for a, b in zip(rnn.weights, ref.weights):
            np.testing.assert_array_equal(a.grad, b.grad)
    # the cell alone: one step of its layer
    one = cell(6)
    out, states = one(x[:, 0], None)
    ref = layer(6, return_state=True)
    ref(x[:, :1])
    ref.set_weights(one.get_weights())
    want, *want_states = ref(x[:, :1])
    np.testing.assert_allclose(out, want, rtol=1e-6)
    assert len(states) == len(want_states) == (2 if cell is layers.LSTMCell else 1)
    out2, _ = one(x[:, 1], states)
    np.testing.assert_allclose(out2, ref(x[:, 1:2], initial_state=want_states)[0], rtol=1e-6)
    # Keras's layer.cell: the layer's own weights, one step of it
    assert type(ref.cell) is cell and ref.cell.kernel is ref.kernel and ref.cell.units == 6
    np.testing.assert_array_equal(ref.cell(x[:, 0], None)[0], want)


def test_stacked_cells_equal_stacked_layers_and_a_cell_of_ones_own_is_computed():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 4, 3)).astype(np.float32)
    stacked = layers.RNN([layers.LSTMCell(5), layers.GRUCell(2)], return_state=True)
    out, h1, c1, h2 = stacked(x)
    lstm, gru = layers.LSTM(5, return_sequences=True), layers.GRU(2)
    gru(lstm(x))
    w = stacked.get_weights()
    lstm.set_weights(w[:3])
    gru.set_weights(w[3:])
    np.testing.assert_allclose(out, gru(lstm(x)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h2, out)
    assert stacked.cell.state_size == [5, 5, 2] and [np.shape(s) for s in (h1, c1)] == [(2, 5), (2, 5)]

    rnn = layers.RNN(MinimalRNNCell(3), return_sequences=True)
    assert rnn.count_params_for((None, 4, 3)) == 3 * 3 + 3 * 3 and not rnn.cell.built    # counted on a copy
    assert stacked.count_params_for((None, 4, 3)) == stacked.count_params() == 4 * (3 + 5 + 1) * 5 + 3 * 2 * (5 + 2 + 2)
    y = np.asarray(rnn(x))
    W, U = (v.numpy() for v in rnn.weights)
    h = np.zeros((2, 3), np.float32)
    for t in range(4):                                   # h_t = x_t W + tanh(h_{t-1}) U
        h = x[:, t] @ W + np.tanh(h) @ U
        np.testing.assert_allclose(y[:, t], h, rtol=1e-5, atol=1e-6)
    mask = np.array([[True, False, True, True], [False, True, True, False]])
    masked = np.asarray(rnn(x, mask=mask))               # a padded step: the previous output and state
    h, want = np.zeros((2, 3), np.float32), []
    for t in range(4):
        new = x[:, t] @ W + np.tanh(h) @ U
        h = np.where(mask[:, t:t + 1], new, h)
        want.append(h)
    np.testing.assert_allclose(masked, np.stack(want, axis=1), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="cell must be a cell"):
        layers.RNN(layers.Dense(3))


def test_the_guides_models_build_and_train():
    """Working with RNNs: RNN(LSTMCell) in place of LSTM for MNIST rows, Bidirectional with
    input_shape, LSTM(64, return_state=True) giving output, state_h, state_c."""
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 28, 28)).astype(np.float32), rng.integers(0, 10, 32)
    for lstm_layer in (layers.LSTM(8, input_shape=(None, 28)), layers.RNN(layers.LSTMCell(8), input_shape=(None, 28))):
        model = glassnet.keras.Sequential([lstm_layer, layers.BatchNormalization(), layers.Dense(10)])
        model.compile(loss=glassnet.keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="sgd",
                      metrics=["accuracy"])
        history = model.fit(x, y, validation_data=(x, y), batch_size=16, epochs=1, verbose=0)
        assert np.isfinite(history.history["val_loss"]).all()
    model = glassnet.keras.Sequential([layers.Bidirectional(layers.LSTM(8, return_sequences=True), input_shape=(5, 10)),
                                       layers.Bidirectional(layers.LSTM(4)), layers.Dense(10)])
    assert model(np.ones((2, 5, 10), np.float32)).shape == (2, 10)
    output, state_h, state_c = layers.LSTM(8, return_state=True)(x[:, :3])
    assert output.shape == state_h.shape == state_c.shape == (32, 8)


@pytest.mark.parametrize("make", [lambda: layers.RNN(layers.LSTMCell(4), return_sequences=True),
                                  lambda: layers.RNN(layers.StackedRNNCells([layers.GRUCell(3),
                                                                              layers.SimpleRNNCell(4)])),
                                  lambda: layers.LSTM(4, stateful=True)])
def test_keras_files_round_trip(tmp_path, make):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    model = glassnet.keras.Sequential([layers.Input(shape=(5, 3)), make(), layers.Dense(2)])
    want = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    back = glassnet.keras.models.load_model(tmp_path / "m.keras")
    for a, b in zip(model.layers, back.layers):
        assert type(a) is type(b) and a.get_config() == b.get_config()
    for lay in back.layers:
        if getattr(lay, "stateful", False):
            lay.reset_state()
    for lay in model.layers:
        if getattr(lay, "stateful", False):
            lay.reset_state()
    np.testing.assert_allclose(back.predict(x, verbose=0), want, rtol=1e-6)     # (stateful: both from zeros)
    import io
    import zipfile

    import h5py
    with zipfile.ZipFile(tmp_path / "m.keras") as z, h5py.File(io.BytesIO(z.read("model.weights.h5"))) as f:
        names = []
        f.visit(names.append)
    rnn = model.layers[0]
    where = f"layers/{rnn.name}/cell"                    # Keras 3's places (read back by Keras 3.15, checked by hand)
    if isinstance(getattr(rnn, "cell", None), layers.StackedRNNCells):
        assert {f"{where}/cells/{c.name}/vars/{j}" for c in rnn.cell.cells for j in range(3)} <= set(names)
    else:
        assert {f"{where}/vars/{j}" for j in range(3)} <= set(names)


# -- Keras 3.15's numbers and files (tools/make_keras_recurrent.py states) ------------------------------
FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_initial_state_and_cells_match_keras(kind):
    k = np.load(FIXTURES / "keras_recurrent_states.npz")
    n = 2 if kind == "LSTM" else 1
    states = [k["h0"], k["c0"]][:n]
    layer = getattr(layers, kind)(4, return_sequences=True, return_state=True)
    layer(k["x"], initial_state=states)
    layer.set_weights([k[f"{kind}/w_{j}"] for j in range(3)])
    out, *finals = layer(k["x"], initial_state=states)
    np.testing.assert_allclose(out, k[f"{kind}/out"], rtol=1e-5, atol=1e-6)
    for j, f in enumerate(finals):
        np.testing.assert_allclose(f, k[f"{kind}/final_{j}"], rtol=1e-5, atol=1e-6)
    dx, *dstates = layer.backward([k["g"], k["gh"], k["gc"]][:1 + n])   # TensorFlow's GradientTape's numbers
    np.testing.assert_allclose(dx, k[f"{kind}/dx"], rtol=1e-4, atol=1e-5)
    for j, d in enumerate(dstates):
        np.testing.assert_allclose(d, k[f"{kind}/dstate_{j}"], rtol=1e-4, atol=1e-5)
    for j, w in enumerate(layer.weights):
        np.testing.assert_allclose(w.grad, k[f"{kind}/dw_{j}"], rtol=1e-4, atol=1e-5)
    rnn = layers.RNN(getattr(layers, kind + "Cell")(4), return_sequences=True)
    rnn(k["x"])
    rnn.set_weights([k[f"{kind}/w_{j}"] for j in range(3)])
    np.testing.assert_allclose(rnn(k["x"], initial_state=states), k[f"{kind}/rnn_cell_out"], rtol=1e-5, atol=1e-6)


def test_stacked_cells_match_keras():
    k = np.load(FIXTURES / "keras_recurrent_states.npz")
    stacked = layers.RNN(layers.StackedRNNCells([layers.LSTMCell(4), layers.GRUCell(3)]), return_sequences=True)
    stacked(k["x"])
    stacked.set_weights([k[f"stacked/w_{j}"] for j in range(6)])
    np.testing.assert_allclose(stacked(k["x"]), k["stacked/out"], rtol=1e-5, atol=1e-6)


def test_keras_files_of_rnn_cell_and_stateful_models_load():
    k = np.load(FIXTURES / "keras_recurrent_states.npz")
    x = np.load(FIXTURES / "keras_recurrent.npz")["x"]
    model = glassnet.keras.models.load_model(FIXTURES / "keras_recurrent_rnn_cell.keras")
    assert type(model.layers[0]).__name__ == "RNN" and type(model.layers[0].cell).__name__ == "LSTMCell"
    np.testing.assert_allclose(model.predict(x, verbose=0), k["rnn_cell_model/pred"], rtol=1e-5, atol=1e-6)
    model = glassnet.keras.models.load_model(FIXTURES / "keras_recurrent_stateful.keras")
    lstm = model.layers[0]
    assert lstm.stateful
    np.testing.assert_allclose(model.predict(x[:8], batch_size=4, verbose=0), k["stateful_model/pred"],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.stack([np.asarray(s) for s in lstm.states]), k["stateful_model/states"],
                               rtol=1e-5, atol=1e-6)


def test_encoder_decoder_files_both_ways(tmp_path):
    """Keras writes the decoder's states as the call's kwargs initial_state, each a
    keras_history [encoder, 0, 1 or 2]; glassnet reads Keras's file and writes its own so."""
    k = np.load(FIXTURES / "keras_recurrent_states.npz")
    x = [k["x"][:, :4], k["x"]]
    model = glassnet.keras.models.load_model(FIXTURES / "keras_recurrent_encoder_decoder.keras")
    got = model.predict(x, verbose=0)
    np.testing.assert_allclose(got[0], k["encoder_decoder/pred_0"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], k["encoder_decoder/pred_1"], rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "again.keras")
    import json
    import zipfile
    with zipfile.ZipFile(tmp_path / "again.keras") as z:
        cfg = json.loads(z.read("config.json"))["config"]
    decoder = next(entry for entry in cfg["layers"] if entry["name"] == "decoder")
    states = decoder["inbound_nodes"][0]["kwargs"]["initial_state"]
    assert [s["config"]["keras_history"] for s in states] == [["encoder", 0, 1], ["encoder", 0, 2]]
    assert cfg["output_layers"][1] == ["encoder", 0, 1]
    back = glassnet.keras.models.load_model(tmp_path / "again.keras")
    for a, b in zip(back.predict(x, verbose=0), got):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_stateful_fit_with_numba_kernels_equals_the_readable_fit():
    """The fast twins start from zero states; a stateful layer is sent the readable way even
    when the twins are asked for at any size: the same weights after fit as with no fast path."""
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(8, 3, 2)).astype(np.float32), rng.normal(size=(8, 1)).astype(np.float32)

    def trained():
        glassnet.utils.set_random_seed(3)
        model = glassnet.keras.Sequential([layers.Input(shape=(3, 2)), layers.LSTM(4, stateful=True),
                                           layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        return model.get_weights()
    kernels = glassnet.config.kernels()
    glassnet.config.set_kernels("numba")
    try:
        fast = trained()
    finally:
        glassnet.config.set_kernels(kernels)
    glassnet.config.set_fast_path(False)
    try:
        readable = trained()
    finally:
        glassnet.config.set_fast_path(True)
    for a, b in zip(fast, readable):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_a_stateful_sequential_file_keeps_its_fixed_batch(tmp_path):
    """Keras 3 builds a stateful RNN for a fixed batch only: the file says it (Input's batch_shape
    and the layer's build_config), so Keras 3.15 loads glassnet's file (checked by hand)."""
    x = np.load(FIXTURES / "keras_recurrent.npz")["x"][:8]
    model = glassnet.keras.Sequential([layers.Input(batch_shape=(4, 6, 3)), layers.LSTM(4, stateful=True),
                                       layers.Dense(2)])
    want = model.predict(x, batch_size=4, verbose=0)
    model.save(tmp_path / "s.keras")
    import json
    import zipfile
    with zipfile.ZipFile(tmp_path / "s.keras") as z:
        cfg = json.loads(z.read("config.json"))["config"]
    assert cfg["layers"][0]["config"]["batch_shape"] == [4, 6, 3]
    assert cfg["layers"][1]["build_config"]["input_shape"] == [4, 6, 3]
    back = glassnet.keras.models.load_model(tmp_path / "s.keras")
    np.testing.assert_allclose(back.predict(x, batch_size=4, verbose=0), want, rtol=1e-6)
