"""activity_regularizer on recurrent layers (SimpleRNN, LSTM, GRU, ConvLSTM2D, inside
Bidirectional), as Keras 3: one term ``r(y) / batch`` per output the call returns (the output,
and with return_state each final state), in ``layer.losses`` and the loss fit minimises.
Keras's numbers from tests/fixtures/keras_rnn_activity.npz (tools/make_keras_rnn_activity.py);
gradients by central differences."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import glassnet
from glassnet.keras import layers
from conftest import central_difference_in_place, load_tool

FIX = pathlib.Path(__file__).parent / "fixtures" / "keras_rnn_activity.npz"


def _tool():
    return load_tool("make_keras_rnn_activity")


@pytest.mark.parametrize("case", sorted(load_tool("make_keras_rnn_activity").CASES))
def test_penalties_and_gradients_as_keras(case):
    """``layer.losses`` (one per returned output; none for SimpleRNN, which Keras 3.15 leaves
    unregularized) and, for J = sum(G * outputs) + sum(losses), TensorFlow's dJ/dx and dJ/dw."""
    tool, d = _tool(), np.load(FIX)
    x = d[f"{case}/x"]
    layer = tool.layer(glassnet.keras, case)
    layer(x)
    layer.set_weights([d[f"{case}/w_{j}"] for j in range(len(layer.weights))])
    outs = layer(x)
    outs = outs if isinstance(outs, list) else [outs]
    np.testing.assert_allclose([float(v) for v in layer.losses], d[f"{case}/losses"], rtol=1e-5)
    grads = [d[f"{case}/g_{j}"] for j in range(len(outs))]
    for j, o in enumerate(outs):
        np.testing.assert_allclose(np.asarray(o), d[f"{case}/out_{j}"], atol=2e-5)
    dx = layer.backward(grads if len(grads) > 1 else grads[0])
    np.testing.assert_allclose(dx, d[f"{case}/dx"], atol=2e-4)
    for j, v in enumerate(layer.weights):
        np.testing.assert_allclose(v.grad, d[f"{case}/dw_{j}"], rtol=2e-4, atol=2e-4)


@pytest.mark.parametrize("make", [
    lambda: layers.LSTM(3, activity_regularizer="l2", dtype="float64"),
    lambda: layers.GRU(3, activity_regularizer="l1", return_sequences=True, dtype="float64"),
    lambda: layers.LSTM(3, activity_regularizer="l1_l2", return_state=True, dtype="float64"),
    lambda: layers.GRU(3, activity_regularizer="l2", return_state=True, return_sequences=True, dtype="float64",
                       reset_after=False),
    lambda: layers.RNN(layers.LSTMCell(3, dtype="float64"), activity_regularizer="l2", return_state=True,
                       dtype="float64"),
])
def test_gradient_with_the_penalty_matches_central_differences(make):
    x = np.random.default_rng(0).normal(size=(3, 4, 2))
    layer = make()
    out = layer(x)
    outs = out if isinstance(out, list) else [out]
    gs = [np.random.default_rng(j).normal(size=np.shape(o)) for j, o in enumerate(outs)]

    def J():
        o = layer.forward(x)
        o = [o] + list(layer.final_states) if layer.return_state else [o]
        return sum(np.sum(g * a) for g, a in zip(gs, o)) + sum(float(v) for v in layer.losses)
    layer._on_data = True                        # return_state's forward outside a call, as __call__ does
    J()
    dx = layer.backward(gs if len(gs) > 1 else gs[0])
    analytic = [v.grad.copy() for v in layer.weights] + [dx]
    for array, want in zip([v.value for v in layer.weights] + [x], analytic):
        np.testing.assert_allclose(want, central_difference_in_place(J, array), rtol=1e-5, atol=1e-8)


def test_a_model_with_bidirectional_and_gru_penalties_fits_as_keras():
    tool, d = _tool(), np.load(FIX)
    x, y = tool.data()
    model = tool.model(glassnet.keras)
    n = len(model.get_weights())
    model.set_weights([d[f"model/start_{j}"] for j in range(n)])
    model(x[:8])
    np.testing.assert_allclose(sorted(float(v) for v in model.losses), sorted(d["model/call_losses"]), rtol=1e-5)
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=8, verbose=0), d["model/evaluate"], rtol=1e-5)
    hist = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(hist, d["model/fit"], rtol=1e-4)
    for j, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, d[f"model/end_{j}"], atol=1e-5)


def test_rnn_of_a_cell_regularizes_each_output_as_keras():
    """RNN(LSTMCell(3), activity_regularizer="l2", return_state=True), every weight 0.3: Keras
    3.15 gives the three terms 0.0019760667, 0.0019760667 (output = h), 0.0063335397 (c)."""
    x = np.random.default_rng(0).normal(size=(2, 3, 2)).astype("float32")
    rnn = layers.RNN(layers.LSTMCell(3), activity_regularizer="l2", return_state=True)
    rnn(x)
    rnn.set_weights([np.full(w.shape, 0.3, "float32") for w in rnn.get_weights()])
    rnn(x)
    np.testing.assert_allclose([float(v) for v in rnn.losses], [0.0019760667, 0.0019760667, 0.0063335397], rtol=1e-5)
    assert rnn.get_config()["activity_regularizer"]["class_name"] == "L2"
    assert "activity_regularizer" not in layers.RNN(layers.LSTMCell(3)).get_config()


def test_config_and_keras_file_keep_the_regularizer(tmp_path):
    model = glassnet.keras.Sequential([layers.Input(shape=(4, 2)),
                                       layers.Bidirectional(layers.LSTM(3, activity_regularizer="l2")),
                                       layers.Dense(1)])
    cfg = model.layers[0].get_config()
    assert cfg["layer"]["config"]["activity_regularizer"]["class_name"] == "L2"
    assert layers.GRU(2).get_config()["activity_regularizer"] is None         # Keras writes the key, None
    assert layers.SimpleRNN(2, activity_regularizer="l2").get_config()["activity_regularizer"] is None
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(1).normal(size=(8, 4, 2)).astype("float32")
    model.fit(x, x[:, -1, :1], epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert again.layers[0].forward_layer.activity_regularizer is not None
    again(x)
    model(x)
    np.testing.assert_allclose([float(v) for v in again.losses], [float(v) for v in model.losses], rtol=1e-6)


def test_the_penalty_reaches_a_tape_of_ones_own():
    """A training loop of one's own: loss + sum(model.losses) under the tape, the penalty's
    gradient included (and left out when the program leaves the losses out)."""
    tf = glassnet
    x = np.random.default_rng(2).normal(size=(4, 3, 2)).astype("float32")
    layer = layers.LSTM(2, activity_regularizer=glassnet.keras.regularizers.L2(10.0))
    layer(x)
    with tf.GradientTape() as tape:
        out = layer(x)
        loss = tf.reduce_sum(out) + tf.add_n(layer.losses)
    with_penalty = tape.gradient(loss, layer.trainable_weights)
    with tf.GradientTape() as tape:
        out = layer(x)
        loss = tf.reduce_sum(out)
    without = tape.gradient(loss, layer.trainable_weights)
    assert not np.allclose(np.asarray(with_penalty[0]), np.asarray(without[0]))
    plain = layers.LSTM(2)
    plain(x)
    plain.set_weights(layer.get_weights())
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(plain(x))
    np.testing.assert_allclose(np.asarray(without[0]), np.asarray(tape.gradient(loss, plain.trainable_weights)[0]),
                               rtol=1e-6)
