"""Writes tests/fixtures/keras_bidirectional.{weights.h5,npz} with real Keras 3.

A model with three Bidirectional layers (LSTM concat with sequences, SimpleRNN ave with
sequences, GRU mul), its weights as Keras initialised them, its predictions, and the losses
and weights after two epochs of SGD; and the trained model as a .keras file
(tests/fixtures/keras_bidirectional.keras). Run with an interpreter that has Keras:

    python tools/make_keras_bidirectional.py
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


if __name__ == "__main__":
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
