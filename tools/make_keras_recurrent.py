"""Keras's SimpleRNN, LSTM and GRU numbers, for tests/test_recurrent.py.

    PYTHONPATH=src /work/peers/bin/python tools/make_keras_recurrent.py   # Keras 3 (TensorFlow backend)

For each kind (SimpleRNN, LSTM, GRU with reset_after True and False): a model
``Input((6, 3)) -> <kind>(4) -> Dense(1)``, SGD(0.1), mean squared error; its start weights,
the layer's outputs on a batch with those weights (last state; every state; every state read
backwards; the final states of return_state), then 2 epochs of fit with batch_size=8 and
shuffle=False: the losses, the end weights and the predictions. Written to
tests/fixtures/keras_recurrent.npz under ``<kind>/<what>``; the trained models themselves to
tests/fixtures/keras_recurrent_<kind>.keras (glassnet must load Keras's files).

    PYTHONPATH=src /work/peers/bin/python tools/make_keras_recurrent.py states

writes the initial_state, cell and stateful fixtures instead (see ``states_fixture``).
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "keras_recurrent.npz")
KINDS = {"SimpleRNN": ("SimpleRNN", {}), "LSTM": ("LSTM", {}), "GRU": ("GRU", {}),
         "GRU_reset_before": ("GRU", {"reset_after": False})}


def layer(keras, kind, **kwargs):
    name, options = KINDS[kind]
    return getattr(keras.layers, name)(4, **options, **kwargs)


def build(keras, kind):
    model = keras.Sequential([keras.Input(shape=(6, 3)), layer(keras, kind), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6, 3)).astype(np.float32)
    y = (np.tanh(x[:, :, 0].sum(axis=1, keepdims=True)) + 0.1 * x[:, -1, 1:2]).astype(np.float32)
    return x, y


def outputs(keras, kind, weights, x):
    """The layer alone with ``weights``: {name: array} for each way of calling it."""
    got = {}
    for what, kwargs in (("last", {}), ("sequences", {"return_sequences": True}),
                         ("backwards", {"return_sequences": True, "go_backwards": True})):
        one = layer(keras, kind, **kwargs)
        one.build((None,) + x.shape[1:])
        one.set_weights(weights)
        got[what] = np.asarray(one(x))
    one = layer(keras, kind, return_state=True)
    one.build((None,) + x.shape[1:])
    one.set_weights(weights)
    for i, s in enumerate(one(x)):
        got[f"state_{i}"] = np.asarray(s)             # state_0: the output, then h (and c)
    return got


def main():
    import keras
    x, y = data()
    arrays = {"x": x, "y": y}
    for seed, kind in enumerate(KINDS):
        keras.utils.set_random_seed(seed)
        model = build(keras, kind)
        start = model.get_weights()
        for what, a in outputs(keras, kind, start[:3], x).items():
            arrays[f"{kind}/{what}"] = a
        losses = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
        arrays[f"{kind}/losses"] = np.array(losses)
        for i, (w0, w1) in enumerate(zip(start, model.get_weights())):
            arrays[f"{kind}/start_{i}"], arrays[f"{kind}/end_{i}"] = w0, w1
        arrays[f"{kind}/pred"] = model.predict(x, verbose=0)
        model.save(os.path.join(HERE, "..", "tests", "fixtures", f"keras_recurrent_{kind}.keras"))
    np.savez(OUT, **arrays)
    print("wrote", OUT)


# -- states and cells (tests/test_recurrent_state.py's Keras parity) ------------------------------------
#    PYTHONPATH=src /work/peers/bin/python tools/make_keras_recurrent.py states
# For SimpleRNN, LSTM and GRU (return_sequences, return_state) on x with initial states: the outputs,
# final states and, for J = sum(G * out) + sum_j sum(Gs_j * state_j), dJ/dx, dJ/d(each initial state)
# and dJ/d(each weight) from TensorFlow's GradientTape; the same layer's weights through RNN(<Kind>Cell)
# (outputs), and a StackedRNNCells([LSTMCell(4), GRUCell(3)]). Written to keras_recurrent_states.npz under
# <kind>/<what>. Models saved by Keras: RNN(LSTMCell(4)) and a stateful LSTM (batch 4, predict over two
# batches carries the states), to keras_recurrent_rnn_cell.keras and keras_recurrent_stateful.keras; an
# encoder-decoder graph (decoder's initial_state: the encoder's states) to keras_recurrent_encoder_decoder.keras.
STATES_OUT = os.path.join(HERE, "..", "tests", "fixtures", "keras_recurrent_states.npz")
STATE_KINDS = ("SimpleRNN", "LSTM", "GRU")


def state_data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    s = [rng.normal(size=(2, 4)).astype(np.float32) for _ in range(2)]
    g = rng.normal(size=(2, 5, 4)).astype(np.float32)
    gs = [rng.normal(size=(2, 4)).astype(np.float32) for _ in range(2)]
    return x, s, g, gs


def states_fixture(keras, tf):
    x, s, g, gs = state_data()
    arrays = {"x": x, "h0": s[0], "c0": s[1], "g": g, "gh": gs[0], "gc": gs[1]}
    for seed, kind in enumerate(STATE_KINDS):
        keras.utils.set_random_seed(10 + seed)
        layer = getattr(keras.layers, kind)(4, return_sequences=True, return_state=True)
        n = 2 if kind == "LSTM" else 1
        layer(x, initial_state=s[:n])
        weights = layer.get_weights()
        xt, st = tf.constant(x), [tf.constant(a) for a in s[:n]]
        with tf.GradientTape() as tape:
            tape.watch([xt] + st)
            out, *finals = layer(xt, initial_state=st)
            loss = tf.reduce_sum(g * out) + sum(tf.reduce_sum(a * f) for a, f in zip(gs, finals))
        grads = tape.gradient(loss, [xt] + st + layer.trainable_weights)
        arrays[f"{kind}/out"] = np.asarray(out)
        for j, f in enumerate(finals):
            arrays[f"{kind}/final_{j}"] = np.asarray(f)
        arrays[f"{kind}/dx"] = np.asarray(grads[0])
        for j in range(n):
            arrays[f"{kind}/dstate_{j}"] = np.asarray(grads[1 + j])
        for j, (w, dw) in enumerate(zip(weights, grads[1 + n:])):
            arrays[f"{kind}/w_{j}"], arrays[f"{kind}/dw_{j}"] = w, np.asarray(dw)
        rnn = keras.layers.RNN(getattr(keras.layers, kind + "Cell")(4), return_sequences=True, return_state=True)
        rnn(x, initial_state=s[:n])
        rnn.set_weights(weights)
        arrays[f"{kind}/rnn_cell_out"] = np.asarray(rnn(x, initial_state=s[:n])[0])
    keras.utils.set_random_seed(20)
    stacked = keras.layers.RNN(keras.layers.StackedRNNCells([keras.layers.LSTMCell(4), keras.layers.GRUCell(3)]),
                               return_sequences=True)
    arrays["stacked/out"] = np.asarray(stacked(x))
    for j, w in enumerate(stacked.get_weights()):
        arrays[f"stacked/w_{j}"] = w
    xs, ys = data()
    keras.utils.set_random_seed(21)
    model = keras.Sequential([keras.Input(shape=(6, 3)), keras.layers.RNN(keras.layers.LSTMCell(4)),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model.fit(xs, ys, epochs=1, batch_size=8, shuffle=False, verbose=0)
    arrays["rnn_cell_model/pred"] = model.predict(xs, verbose=0)
    model.save(os.path.join(HERE, "..", "tests", "fixtures", "keras_recurrent_rnn_cell.keras"))
    keras.utils.set_random_seed(22)
    model = keras.Sequential([keras.Input(batch_shape=(4, 6, 3)), keras.layers.LSTM(4, stateful=True),
                              keras.layers.Dense(1)])
    arrays["stateful_model/pred"] = model.predict(xs[:8], batch_size=4, verbose=0)   # batch 2 goes on from batch 1
    arrays["stateful_model/states"] = np.stack([np.asarray(v) for v in model.layers[0].states])
    model.layers[0].reset_state()
    model.save(os.path.join(HERE, "..", "tests", "fixtures", "keras_recurrent_stateful.keras"))
    # an encoder-decoder graph: the decoder's initial_state is the encoder's returned states
    keras.utils.set_random_seed(23)
    xa, xb = keras.Input(shape=(4, 3)), keras.Input(shape=(5, 3))
    _, h, c = keras.layers.LSTM(4, return_state=True, name="encoder")(xa)
    out = keras.layers.LSTM(4, name="decoder")(xb, initial_state=[h, c])
    model = keras.Model([xa, xb], [keras.layers.Dense(2)(out), h])
    arrays["encoder_decoder/pred_0"], arrays["encoder_decoder/pred_1"] = model.predict([x[:, :4], x], verbose=0)
    model.save(os.path.join(HERE, "..", "tests", "fixtures", "keras_recurrent_encoder_decoder.keras"))
    np.savez(STATES_OUT, **arrays)
    print("wrote", STATES_OUT)


if __name__ == "__main__":
    import sys
    if sys.argv[1:] == ["states"]:
        import keras
        import tensorflow as tf
        states_fixture(keras, tf)
    else:
        main()
