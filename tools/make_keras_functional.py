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


def build_dot(keras):
    """A recommender's shape: two embeddings of features, their cosine (Dot(normalize=True))."""
    user, item = keras.Input(shape=(4,), name="user"), keras.Input(shape=(5,), name="item")
    u = keras.layers.Dense(3, activation="tanh", name="user_vec")(user)
    v = keras.layers.Dense(3, activation="tanh", name="item_vec")(item)
    score = keras.layers.Dot(axes=1, normalize=True, name="cosine")([u, v])
    model = keras.Model([user, item], keras.layers.Dense(1, activation="sigmoid", name="like")(score))
    model.compile(optimizer=keras.optimizers.SGD(0.5, momentum=0.9), loss="binary_crossentropy")
    return model


def data():
    rng = np.random.default_rng(0)
    xa, xb = rng.random((32, 3)).astype(np.float32), rng.random((32, 2)).astype(np.float32)
    return [xa, xb], [xa.sum(axis=1, keepdims=True), (xa[:, 0] * 3).astype(np.int64).clip(0, 2)]


def data_dot():
    rng = np.random.default_rng(1)
    xu, xi = rng.standard_normal((32, 4)).astype(np.float32), rng.standard_normal((32, 5)).astype(np.float32)
    return [xu, xi], ((xu[:, 0] * xi[:, 0]) > 0).astype(np.float32).reshape(-1, 1)


def write():
    """Same weights in (Keras's, saved at the start), the same data and steps: the fixture
    holds Keras's start, its predictions, losses and weights after 3 epochs."""
    import keras
    os.makedirs(OUT, exist_ok=True)
    keras.utils.set_random_seed(1)
    model = build(keras)
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    model.save(os.path.join(OUT, "two_in_two_out.keras"))
    pred = model.predict(x, verbose=0)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    after = model.predict(x, verbose=0)
    np.savez(os.path.join(OUT, "two_in_two_out.npz"), xa=x[0], xb=x[1], y1=y[0], y2=y[1],
             pred1=pred[0], pred2=pred[1], after1=after[0], after2=after[1])
    lines = []
    build(keras).summary(print_fn=lambda text, line_break=False: lines.append(text))
    with open(os.path.join(OUT, "two_in_two_out.summary.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    keras.utils.set_random_seed(2)
    model = build_dot(keras)
    x, y = data_dot()
    start = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, shuffle=False).history["loss"]
    extractor = keras.Model(model.inputs, [layer.output for layer in model.layers[2:]])
    features = extractor.predict(x, verbose=0)
    np.savez(os.path.join(OUT, "dot_normalize.npz"), xu=x[0], xi=x[1], y=y, losses=np.array(history),
             **{f"start_{i}": w for i, w in enumerate(start)},
             **{f"end_{i}": w for i, w in enumerate(model.get_weights())},
             **{f"feature_{i}": f for i, f in enumerate(features)})
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
