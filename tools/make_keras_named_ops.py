"""Writes tests/fixtures/keras_named_ops/: a Keras 3 functional model whose graph holds named
operations (``x + inputs``, ``* 2.0``, ``keras.ops.exp``, ``[:, :2]``), saved by Keras, with its
predictions and the gradient of an MSE on fixed data. Run with /work/peers/bin/python."""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras_named_ops")


def build(keras):
    inputs = keras.Input(shape=(4,))
    x = keras.layers.Dense(4)(inputs)
    y = x + inputs
    z = y * 2.0
    w = keras.ops.exp(z)[:, :2]
    return keras.Model(inputs, w)


def data():
    return np.linspace(0, 1, 12).reshape(3, 4).astype("float32"), np.ones((3, 2), "float32")


def write():
    import keras
    import tensorflow as tf
    os.makedirs(OUT, exist_ok=True)
    keras.utils.set_random_seed(5)
    model = build(keras)
    model.save(os.path.join(OUT, "ops.keras"))
    x, y = data()
    with tf.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(y, model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    np.savez(os.path.join(OUT, "ops.npz"), pred=model.predict(x, verbose=0), loss=float(loss),
             **{f"grad_{i}": np.asarray(g) for i, g in enumerate(grads)})
    print("wrote", OUT)


if __name__ == "__main__":
    write()
