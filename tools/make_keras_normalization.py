"""Keras-written files with a ``Normalization`` layer, and the check of the other direction.

Run with a Python that has Keras 3 (TensorFlow backend), from the repository root:

    python tools/make_keras_normalization.py            # write the two fixtures below
    python tools/make_keras_normalization.py --check    # glassnet saves -> Keras loads

Fixtures, in tests/fixtures/keras_files/ and in the format of tools/make_keras_files.py
(so tests/test_saving.py loads, predicts and resumes training from them too):

* ``normalization_coffee``: the course's coffee-roasting model, ``Normalization`` adapted on
  the data, then Dense(3, sigmoid), Dense(1, sigmoid); Adam. Its ``.npz`` also holds Keras's
  adapted ``mean`` and ``variance``.
* ``normalization_given_invert``: ``Normalization(mean=, variance=)`` first (no weights, the
  values live in the config) and ``Normalization(invert=True)`` last, adapted on targets.
"""
from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "keras_files")

import numpy as np  # noqa: E402


def coffee(n=24, seed=2):
    """Temperature (150-285) and duration (11.5-15.5 min), as the course's load_coffee_data."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 2))
    x[:, 1] = x[:, 1] * 4 + 11.5
    x[:, 0] = x[:, 0] * (285 - 150) + 150
    line = -3 / (260 - 175) * x[:, 0] + 21
    y = (x[:, 0] > 175) & (x[:, 0] < 260) & (x[:, 1] > 12) & (x[:, 1] < 15) & (x[:, 1] <= line)
    return x.astype("float32"), y.astype("float32").reshape(-1, 1)


def _fixture(keras, name, model, x, y, extra):
    keras.utils.set_random_seed(1)
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    path = os.path.join(OUT, f"{name}.keras")
    model.save(path)
    arrays = {"x": x, "pred": model.predict(x, verbose=0), "x_train": x, "y_train": y, **extra}
    for i, v in enumerate(model.optimizer.variables):
        arrays[f"opt_{i}"] = np.asarray(v)
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    arrays["pred_after"] = model.predict(x, verbose=0)
    np.savez(os.path.join(OUT, f"{name}.npz"), **arrays)
    print("wrote", path)


def make():
    import keras
    L = keras.layers
    os.makedirs(OUT, exist_ok=True)
    x, y = coffee()

    keras.utils.set_random_seed(1)
    norm = L.Normalization(axis=-1)
    norm.adapt(x)
    model = keras.Sequential([keras.Input((2,)), norm, L.Dense(3, activation="sigmoid"),
                              L.Dense(1, activation="sigmoid")], name="coffee")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    _fixture(keras, "normalization_coffee", model, x, y,
             {"mean": np.asarray(norm.adapt_mean), "variance": np.asarray(norm.adapt_variance)})

    keras.utils.set_random_seed(1)
    y2 = np.stack([x[:, 0] * 2.0, x[:, 1] - 10.0], axis=1)          # targets on their own scales
    out = L.Normalization(axis=-1, invert=True)
    out.adapt(y2)
    model = keras.Sequential([keras.Input((2,)), L.Normalization(mean=[200.0, 13.5], variance=[1600.0, 1.5]),
                              L.Dense(4, activation="tanh"), L.Dense(2), out], name="given_invert")
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
    _fixture(keras, "normalization_given_invert", model, x, y2, {})


def check():
    """glassnet writes, Keras reads: the layout, predictions, and a weights file."""
    import keras
    sys.path.insert(0, os.path.join(HERE, "..", "src"))
    import glassnet
    from glassnet.keras import layers as G
    x, y = coffee(200)
    glassnet.utils.set_random_seed(3)
    norm = G.Normalization(axis=-1)
    norm.adapt(x)
    out = G.Normalization(axis=-1, invert=True)
    out.adapt(np.abs(x))
    models = {
        "coffee": glassnet.Sequential([glassnet.Input(shape=(2,)), norm, G.Dense(3, activation="sigmoid"),
                                       G.Dense(1, activation="sigmoid")]),
        "given_invert": glassnet.Sequential([glassnet.Input(shape=(2,)), G.Normalization(mean=[200.0, 13.5],
                                             variance=[1600.0, 0.0]), G.Dense(2), out]),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, model in models.items():
            model.compile(optimizer=glassnet.optimizers.Adam(0.01), loss="mse")
            model.fit(x, y if name == "coffee" else x, epochs=2, batch_size=32, verbose=0)
            path = os.path.join(tmp, f"{name}.keras")
            model.save(path)
            model.save_weights(os.path.join(tmp, f"{name}.weights.h5"))
            k = keras.saving.load_model(path)
            d_pred = float(np.abs(k.predict(x, verbose=0) - model.predict(x, verbose=0)).max())
            k2 = keras.models.clone_model(k)
            k2.load_weights(os.path.join(tmp, f"{name}.weights.h5"))
            d_w = float(np.abs(k2.predict(x, verbose=0) - model.predict(x, verbose=0)).max())
            layout = [(v.path, tuple(v.shape), str(v.dtype)) for v in k.layers[0].weights]
            ours = [(v.path, tuple(v.shape), str(v.dtype)) for v in model.layers[0].weights]
            print(f"{name:13s} keras.load_model ok; max|pred diff| {d_pred:.2e}; weights.h5 pred diff {d_w:.2e}")
            print(f"{'':13s} Keras's first-layer weights {layout}; glassnet's {ours}")
            assert d_pred < 1e-4 and d_w < 1e-4
    print("keras", keras.__version__)


if __name__ == "__main__":
    check() if "--check" in sys.argv else make()
