"""Keras-written functional models for tests/test_functional_files.py, and the other direction.

Run with a Python that has Keras 3 (TensorFlow backend), from the repository root:

    PYTHONPATH=src python tools/make_keras_functional.py          # (re)write tests/fixtures/keras_functional/
    PYTHONPATH=src python tools/make_keras_functional.py --check  # glassnet saves -> Keras loads, predicts, trains

Each fixture ``NAME.keras`` comes with ``NAME.npz``: the inputs, Keras's predictions, the
training data, and Keras's predictions after one more epoch (``shuffle=False``).
"""
from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "keras_functional")

import numpy as np  # noqa: E402


def build(keras):
    """Two inputs, a shared layer called twice, a merge, two outputs with loss_weights."""
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    h = keras.layers.Dense(4, activation="relu", name="h")(a)
    shared = keras.layers.Dense(4, activation="tanh", name="shared")
    c = keras.layers.Concatenate(name="cat")([shared(h), keras.layers.Dense(4, name="hb")(b)])
    o1 = keras.layers.Dense(1, name="price")(c)
    o2 = keras.layers.Dense(3, activation="softmax", name="kind")(shared(keras.layers.Dense(4, name="back")(c)))
    model = keras.Model([a, b], [o1, o2], name="two_in_two_out")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=["mse", "sparse_categorical_crossentropy"],
                  loss_weights=[1.0, 0.5])
    return model


def data():
    rng = np.random.default_rng(0)
    xa, xb = rng.random((32, 3)).astype(np.float32), rng.random((32, 2)).astype(np.float32)
    return [xa, xb], [xa.sum(axis=1, keepdims=True), (xa[:, 0] * 3).astype(np.int64).clip(0, 2)]


def write():
    import keras
    keras.utils.set_random_seed(1)
    model = build(keras)
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    os.makedirs(OUT, exist_ok=True)
    model.save(os.path.join(OUT, "two_in_two_out.keras"))
    pred = model.predict(x, verbose=0)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    after = model.predict(x, verbose=0)
    np.savez(os.path.join(OUT, "two_in_two_out.npz"), xa=x[0], xb=x[1], y1=y[0], y2=y[1],
             pred1=pred[0], pred2=pred[1], after1=after[0], after2=after[1])
    print("wrote", OUT)


def check():
    """glassnet trains and saves the same graph; Keras loads it, predicts the same, trains on."""
    import keras
    import glassnet
    glassnet.utils.set_random_seed(2)
    model = build(glassnet.keras)
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "g.keras")
        model.save(path)
        theirs = keras.models.load_model(path)
        diff = max(float(np.abs(a - b).max()) for a, b in zip(theirs.predict(x, verbose=0),
                                                                model.predict(x, verbose=0)))
        state = int(theirs.optimizer.iterations.numpy()), model.optimizer.iterations
        theirs.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
        model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
        after = max(float(np.abs(a - b).max()) for a, b in zip(theirs.predict(x, verbose=0),
                                                                 model.predict(x, verbose=0)))
    print(f"keras.load_model ok; max|pred diff| {diff:.2e}; iterations {state}; after one more epoch in each "
          f"{after:.2e}")
    if diff > 1e-5 or after > 1e-4 or state[0] != state[1]:
        sys.exit("MISMATCH")


if __name__ == "__main__":
    check() if "--check" in sys.argv else write()
