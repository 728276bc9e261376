"""Writes tests/fixtures/keras_masking.npz with real Keras 3: models that start with
``Embedding(mask_zero=True)``, so that id 0 is padding the later layers skip. For each model:
its initial weights, predictions, and the losses and weights after two epochs of SGD.

    python tools/make_keras_masking.py      (with an interpreter that has Keras)
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras_masking.npz")


def data():
    """Ids 1..9, padded with 0 on the right (most rows) or on the left (rows 1 and 5)."""
    rng = np.random.default_rng(0)
    x = rng.integers(1, 10, size=(12, 6))
    for row, n in enumerate([6, 3, 2, 5, 1, 4, 6, 2, 3, 5, 4, 1]):
        x[row, n:] = 0
    x[1] = np.roll(x[1], 3)
    x[5] = np.roll(x[5], 2)
    y = (x.sum(1) % 2).astype("float32")[:, None]
    return x, y


def numbers(x):
    """The same sequences as two features a step, all zeros where the id is 0 (for Masking)."""
    return np.stack([x / 9.0, (x % 3) - 1.0 * (x > 0)], axis=-1).astype("float32")


def models(keras):
    L = keras.layers

    def emb():
        return [L.Input((6,)), L.Embedding(10, 4, mask_zero=True)]
    return {
        "lstm": emb() + [L.LSTM(3), L.Dense(1, activation="sigmoid")],
        "gru_sequences_pooled": emb() + [L.GRU(3, return_sequences=True), L.GlobalAveragePooling1D(),
                                         L.Dense(1, activation="sigmoid")],
        "simple_rnn_backwards": emb() + [L.SimpleRNN(3, go_backwards=True), L.Dense(1, activation="sigmoid")],
        "bidirectional_lstm": emb() + [L.Bidirectional(L.LSTM(3)), L.Dense(1, activation="sigmoid")],
        "dense_then_pooled": emb() + [L.Dense(3, activation="relu"), L.GlobalAveragePooling1D(),
                                      L.Dense(1, activation="sigmoid")],
        "stacked_lstm": emb() + [L.LSTM(3, return_sequences=True), L.GRU(2, reset_after=False),
                                 L.Dense(1, activation="sigmoid")],
        # numbers, not ids: Masking marks the all-zero steps (the model's input is numbers(x))
        "masking_gru": [L.Input((6, 2)), L.Masking(), L.GRU(3), L.Dense(1, activation="sigmoid")],
    }


if __name__ == "__main__":
    import keras
    keras.utils.set_random_seed(3)
    x, y = data()
    out = {"x": x, "y": y}
    for name, layers in models(keras).items():
        m = keras.Sequential(layers)
        for i, w in enumerate(m.get_weights()):
            out[f"{name}/start_{i}"] = w
        inputs = numbers(x) if name.startswith("masking") else x
        out[f"{name}/pred"] = m.predict(inputs, verbose=0)
        m.compile(keras.optimizers.SGD(0.5), "binary_crossentropy")
        out[f"{name}/losses"] = np.array(m.fit(inputs, y, epochs=2, batch_size=6, shuffle=False,
                                               verbose=0).history["loss"])
        for i, w in enumerate(m.get_weights()):
            out[f"{name}/end_{i}"] = w
    np.savez(OUT, **out)
