"""Writes tests/fixtures/keras_masked_loss.npz with real Keras 3: models whose OUTPUT carries a
mask (``Embedding(mask_zero=True)`` or ``Masking`` -> a recurrent layer with
``return_sequences=True`` -> ``Dense`` / ``TimeDistributed(Dense)``), so that Keras weighs the
loss and the compiled metrics by it: a padded step counts nothing, and "sum_over_batch_size"
divides by the number of unmasked steps. For each model: its initial weights; the loss and
the gradients of every weight at the start (a GradientTape on ``model.loss(y, model(x))``);
``evaluate``'s loss and metrics; ``test_on_batch`` and ``train_on_batch`` on the first rows;
then two epochs of ``fit`` (history, final weights) and ``evaluate`` again.

    /work/peers/bin/python tools/make_keras_masked_loss.py      (an interpreter with Keras)
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras_masked_loss.npz")


def data():
    """Ids 1..9 padded with 0 (on the right, and on the left in rows 1 and 5; row 7 is all
    padding but one step), labels per step in 0..2 (padded steps get labels too: they must
    not count), numbers per step for the Masking models (all zeros where the id is 0)."""
    rng = np.random.default_rng(5)
    x = rng.integers(1, 10, size=(12, 6))
    for row, n in enumerate([6, 3, 2, 5, 1, 4, 6, 1, 3, 5, 4, 2]):
        x[row, n:] = 0
    x[1] = np.roll(x[1], 3)
    x[5] = np.roll(x[5], 2)
    labels = rng.integers(0, 3, size=(12, 6))
    numbers = np.stack([x / 9.0, (x % 3) - 1.0 * (x > 0)], axis=-1).astype("float32")
    targets = rng.normal(size=(12, 6, 1)).astype("float32")
    binary = (labels[..., None] == 1).astype("float32")
    return x, labels, numbers, targets, binary


def models(keras):
    """name -> (layers, loss object, metrics, which input, which target)."""
    L = keras.layers

    def emb():
        return [L.Input((6,)), L.Embedding(10, 4, mask_zero=True)]
    return {
        "lstm_softmax": (emb() + [L.LSTM(3, return_sequences=True), L.Dense(3, activation="softmax")],
                         keras.losses.SparseCategoricalCrossentropy(), ["accuracy"], "ids", "labels"),
        "gru_sigmoid": (emb() + [L.GRU(3, return_sequences=True), L.Dense(1, activation="sigmoid")],
                        keras.losses.BinaryCrossentropy(), ["accuracy"], "ids", "binary"),
        "masking_time_distributed": ([L.Input((6, 2)), L.Masking(), L.LSTM(3, return_sequences=True),
                                      L.TimeDistributed(L.Dense(1))], keras.losses.MeanSquaredError(), ["mae"],
                                     "numbers", "targets"),
        "simple_rnn_logits": (emb() + [L.SimpleRNN(4, return_sequences=True), L.Dense(3)],
                              keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                              ["sparse_categorical_accuracy"],
                              "ids", "labels"),
    }


def two_heads(keras):
    """A functional model whose two outputs keep the mask (a graph, not a chain): per-step
    classes and a per-step number, from one LSTM over Embedding(mask_zero=True)."""
    L = keras.layers
    i = keras.Input((6,))
    h = L.LSTM(3, return_sequences=True)(L.Embedding(10, 4, mask_zero=True)(i))
    model = keras.Model(i, [L.Dense(3, activation="softmax", name="classes")(h), L.Dense(1, name="value")(h)])
    model.compile(keras.optimizers.SGD(0.5), ["sparse_categorical_crossentropy", "mse"])
    return model


def main():
    import keras
    import tensorflow as tf
    keras.utils.set_random_seed(3)
    x, labels, numbers, targets, binary = data()
    given = {"ids": x, "numbers": numbers, "labels": labels, "targets": targets, "binary": binary}
    out = {"x": x, "labels": labels, "numbers": numbers, "targets": targets, "binary": binary}
    for name, (layers, loss, metrics, xin, yin) in models(keras).items():
        xs, ys = given[xin], given[yin]
        m = keras.Sequential(layers)
        m.compile(keras.optimizers.SGD(0.5), loss, metrics=metrics)
        for i, w in enumerate(m.get_weights()):
            out[f"{name}/start_{i}"] = w
        with tf.GradientTape() as tape:
            value = loss(ys, m(xs, training=True))
        for i, g in enumerate(tape.gradient(value, m.trainable_weights)):
            out[f"{name}/grad_{i}"] = tf.convert_to_tensor(g).numpy()     # (an Embedding's: IndexedSlices)
        out[f"{name}/loss"] = np.array(float(value))
        ev = m.evaluate(xs, ys, batch_size=5, verbose=0, return_dict=True)
        out[f"{name}/evaluate"] = np.array([ev["loss"], ev[metrics[0]]])
        tb = m.test_on_batch(xs[:4], ys[:4], return_dict=True)
        out[f"{name}/test_on_batch"] = np.array([tb["loss"], tb[metrics[0]]])
        tr = m.train_on_batch(xs[:4], ys[:4], return_dict=True)
        out[f"{name}/train_on_batch"] = np.array([tr["loss"], tr[metrics[0]]])
        for i, w in enumerate(m.get_weights()):
            out[f"{name}/after_batch_{i}"] = w
        h = m.fit(xs, ys, epochs=2, batch_size=4, shuffle=False, verbose=0).history
        out[f"{name}/history"] = np.array([h["loss"], h[metrics[0]]])
        for i, w in enumerate(m.get_weights()):
            out[f"{name}/end_{i}"] = w
        ev = m.evaluate(xs, ys, batch_size=5, verbose=0, return_dict=True)
        out[f"{name}/evaluate_end"] = np.array([ev["loss"], ev[metrics[0]]])
    m = two_heads(keras)
    for i, w in enumerate(m.get_weights()):
        out[f"two_heads/start_{i}"] = w
    ys = [labels, targets]
    out["two_heads/evaluate"] = np.array(m.evaluate(x, ys, batch_size=5, verbose=0))   # total, classes, value
    out["two_heads/history"] = np.array(m.fit(x, ys, epochs=2, batch_size=4, shuffle=False,
                                              verbose=0).history["loss"])
    for i, w in enumerate(m.get_weights()):
        out[f"two_heads/end_{i}"] = w
    np.savez(OUT, **out)


if __name__ == "__main__":
    main()
