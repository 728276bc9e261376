"""Writes tests/fixtures/keras_bidirectional.{weights.h5,npz} with real Keras 3.

A model with three Bidirectional layers (LSTM concat with sequences, SimpleRNN ave with
sequences, GRU mul), its weights as Keras initialised them, its predictions, and the losses
and weights after two epochs of SGD; and the trained model as a .keras file
(tests/fixtures/keras_bidirectional.keras).

And an encoder-decoder with states (tests/fixtures/keras_bidirectional_states.{keras,npz}):
``Bidirectional(LSTM(4, return_state=True))`` whose four states, concatenated, start a decoder
LSTM, and a ``Bidirectional(GRU(3))`` started from ``initial_state=[fh, bh]`` made by Dense
layers; its predictions, two epochs of SGD (losses, weights, predictions after), and the
trained model saved; a merge_mode=None model with two outputs likewise
(tests/fixtures/keras_bidirectional_unmerged.*). Run with an interpreter that has Keras:

    python tools/make_keras_bidirectional.py [--new-only]
"""
import os

import keras
import numpy as np
from keras import layers as L

HERE = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures")


def model():
    return keras.Sequential([L.Input((6, 3)), L.Bidirectional(L.LSTM(4, return_sequences=True)),
                             L.Bidirectional(L.SimpleRNN(3, return_sequences=True), merge_mode="ave"),
                             L.Bidirectional(L.GRU(2), merge_mode="mul"), L.Dense(1, activation="sigmoid")])


def states_model():
    enc, dec = keras.Input((6, 3), name="enc"), keras.Input((5, 2), name="dec")
    _, fh, fc, bh, bc = L.Bidirectional(L.LSTM(4, return_state=True), name="encoder")(enc)
    state_h, state_c = L.Concatenate()([fh, bh]), L.Concatenate()([fc, bc])
    d = L.LSTM(8, return_sequences=True, name="decoder")(dec, initial_state=[state_h, state_c])
    s1, s2 = L.Dense(3, activation="tanh")(state_h), L.Dense(3, activation="tanh")(state_c)
    g = L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="sum", name="bigru")(dec, initial_state=[s1, s2])
    out = L.Dense(1, activation="sigmoid")(L.Concatenate()([d, g]))
    return keras.Model([enc, dec], out)


def states_fixtures():
    keras.utils.set_random_seed(2)
    rng = np.random.default_rng(1)
    E, D = rng.normal(size=(16, 6, 3)).astype("float32"), rng.normal(size=(16, 5, 2)).astype("float32")
    y = (D[:, :, :1] + E[:, :5, :1] > 0).astype("float32")
    m = states_model()
    m.save_weights(os.path.join(HERE, "keras_bidirectional_states.weights.h5"))
    pred = m.predict([E, D], verbose=0)
    # the layer alone, eager: return_state and initial_state (forward's states, then backward's)
    enc = m.get_layer("encoder")
    starts = [rng.normal(size=(16, 4)).astype("float32") for _ in range(4)]
    eager = [np.asarray(t) for t in enc(E, initial_state=starts)]
    m.compile(keras.optimizers.SGD(0.1), "binary_crossentropy")
    losses = m.fit([E, D], y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    m.save(os.path.join(HERE, "keras_bidirectional_states.keras"))
    np.savez(os.path.join(HERE, "keras_bidirectional_states.npz"), E=E, D=D, y=y, pred=pred,
             losses=np.array(losses), trained_pred=m.predict([E, D], verbose=0),
             trained=np.concatenate([w.ravel() for w in m.get_weights()]),
             starts=np.stack(starts), eager_out=eager[0], eager_states=np.stack(eager[1:]))


def unmerged_model():
    x = keras.Input((6, 3), name="x")
    yf, yb, fh, bh = L.Bidirectional(L.GRU(3, return_sequences=True, return_state=True), merge_mode=None,
                                     name="bigru")(x)
    first = L.Dense(1, name="steps")(L.Concatenate()([yf, L.Multiply()([yb, yb])]))
    second = L.Dense(1, name="states")(L.Concatenate()([fh, bh]))
    return keras.Model(x, [first, second])


def unmerged_fixtures():
    """merge_mode=None (the two outputs unmerged) with return_state, two outputs:
    tests/fixtures/keras_bidirectional_unmerged.{weights.h5,keras,npz}."""
    keras.utils.set_random_seed(4)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(16, 6, 3)).astype("float32")
    y1, y2 = rng.normal(size=(16, 6, 1)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")
    m = unmerged_model()
    m.save_weights(os.path.join(HERE, "keras_bidirectional_unmerged.weights.h5"))
    pred = m.predict(X, verbose=0)
    m.compile(keras.optimizers.SGD(0.1), ["mse", "mse"])
    losses = m.fit(X, [y1, y2], epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    m.save(os.path.join(HERE, "keras_bidirectional_unmerged.keras"))
    after = m.predict(X, verbose=0)
    np.savez(os.path.join(HERE, "keras_bidirectional_unmerged.npz"), X=X, y1=y1, y2=y2, pred1=pred[0],
             pred2=pred[1], losses=np.array(losses), trained1=after[0], trained2=after[1])


def nested_fixtures():
    """Wrappers nesting another level, as .keras files with their predictions:
    Bidirectional(RNN(LSTMCell)), TimeDistributed(Sequential), TimeDistributed(TimeDistributed)."""
    keras.utils.set_random_seed(3)
    x = np.random.default_rng(2).normal(size=(4, 5, 3, 2)).astype("float32")
    models = {
        "bidirectional_rnn_cell": keras.Sequential([L.Input((5, 2)), L.Bidirectional(
            L.RNN(L.LSTMCell(3), return_sequences=True)), L.Dense(1)]),
        "timedistributed_sequential": keras.Sequential([L.Input((5, 3, 2)), L.TimeDistributed(keras.Sequential(
            [L.Input((3, 2)), L.Flatten(), L.Dense(4, activation="relu"), L.Dense(2)]))]),
        "timedistributed_timedistributed": keras.Sequential([L.Input((5, 3, 2)), L.TimeDistributed(
            L.TimeDistributed(L.Dense(3, activation="tanh")))]),
    }
    out = {}
    for name, m in models.items():
        xi = x[:, :, 0] if name == "bidirectional_rnn_cell" else x
        m.save(os.path.join(HERE, "keras_nested_wrappers", name + ".keras"))
        out[name + "_x"], out[name + "_pred"] = xi, m.predict(xi, verbose=0)
    np.savez(os.path.join(HERE, "keras_nested_wrappers", "predictions.npz"), **out)


if __name__ == "__main__":
    import sys
    if "--new-only" in sys.argv:                  # the states and nested fixtures, the first ones kept as they are
        states_fixtures()
        nested_fixtures()
        unmerged_fixtures()
        sys.exit()
    states_fixtures()
    nested_fixtures()
    unmerged_fixtures()
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 6, 3)).astype("float32")
    y = (X[:, :, 0].sum(1) > 0).astype("float32")[:, None]
    m = model()
    m.save_weights(os.path.join(HERE, "keras_bidirectional.weights.h5"))
    pred = m.predict(X, verbose=0)
    m.compile(keras.optimizers.SGD(0.1), "binary_crossentropy")
    losses = m.fit(X, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    m.save(os.path.join(HERE, "keras_bidirectional.keras"))
    np.savez(os.path.join(HERE, "keras_bidirectional.npz"), X=X, y=y, pred=pred, losses=np.array(losses),
             trained=np.concatenate([w.ravel() for w in m.get_weights()]),
             trained_pred=m.predict(X, verbose=0))
