"""Record what real Keras's activation layers compute, for tests/test_activation_layers.py.

Run with a Python that has TensorFlow (the tests need none):

    TF_CPP_MIN_LOG_LEVEL=3 python tools/make_keras_activation_layers.py

Writes ``tests/fixtures/keras_activation_layers/``:

* ``cases.json``: per case, the layer's class, arguments and Keras's ``get_config()``;
* ``cases.npz``: per case, the input ``x``, an upstream gradient ``g``, Keras's output
  ``y = layer(x)``, ``dx = d(sum(y * g))/dx`` and (PReLU) its ``alpha`` and ``dalpha``,
  all from ``tf.GradientTape`` in float64;
* ``model.keras`` and ``model.npz``: a Sequential using every layer, saved by Keras, with
  an input batch and Keras's ``predict`` on it;
* ``nested.keras`` and ``nested.npz``: ``Sequential([trained_model, Softmax()])`` (the
  beginner quickstart's probability model), a batch, its ``predict`` and the inner logits.

Keras float64 quirk (TF backend): LeakyReLU's ``negative_slope`` is cast through float32
(``0.3`` becomes ``0.30000001192...``), so the explicit case uses a float32-exact slope and
the default case (0.3) is compared at a tolerance that allows that rounding.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras_activation_layers"

CASES = [
    ("relu", "ReLU", {}),
    ("relu_capped", "ReLU", {"max_value": 1.5}),
    ("relu_all", "ReLU", {"max_value": 2.0, "negative_slope": 0.1, "threshold": 0.25}),
    ("leaky_relu", "LeakyReLU", {}),
    ("leaky_relu_slope", "LeakyReLU", {"negative_slope": 0.0625}),   # float32-exact: see the note
    ("elu", "ELU", {}),
    ("elu_alpha", "ELU", {"alpha": 0.5}),
    ("prelu", "PReLU", {}),
    ("prelu_shared", "PReLU", {"shared_axes": [1]}),
    ("softmax", "Softmax", {}),
    ("softmax_axis1", "Softmax", {"axis": 1}),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    keras.config.set_floatx("float64")
    rng = np.random.default_rng(11)
    arrays, meta = {}, []
    for name, cls, kwargs in CASES:
        shape = (5, 3, 4) if cls in ("PReLU", "Softmax") else (6, 4)
        x = rng.normal(size=shape) * 1.5
        x[np.abs(x - 0.25) < 0.05] += 0.2            # keep away from kinks (0, threshold, cap)
        x[np.abs(x) < 0.05] += 0.2
        x[np.abs(x - 1.5) < 0.05] += 0.2
        x[np.abs(x - 2.0) < 0.05] += 0.2
        g = rng.normal(size=shape)
        layer = getattr(keras.layers, cls)(**kwargs, dtype="float64")
        layer.build((None,) + shape[1:])
        if cls == "PReLU":
            alpha = rng.uniform(0.05, 0.5, size=layer.weights[0].shape)
            layer.set_weights([alpha])
            arrays[f"{name}/alpha"] = alpha
        xt = tf.constant(x)
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(xt)
            y = layer(xt)
            j = tf.reduce_sum(y * g)
        arrays[f"{name}/x"], arrays[f"{name}/g"], arrays[f"{name}/y"] = x, g, y.numpy()
        arrays[f"{name}/dx"] = tape.gradient(j, xt).numpy()
        if cls == "PReLU":
            arrays[f"{name}/dalpha"] = tape.gradient(j, layer.weights[0].value).numpy()
        meta.append({"name": name, "class": cls, "kwargs": kwargs, "config": layer.get_config()})
    np.savez_compressed(OUT / "cases.npz", **arrays)
    keras.config.set_floatx("float32")
    keras.utils.set_random_seed(3)
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        keras.layers.Dense(6), keras.layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.1),
        keras.layers.Dense(6), keras.layers.LeakyReLU(negative_slope=0.2),
        keras.layers.PReLU(alpha_initializer="ones"),
        keras.layers.Dense(5), keras.layers.ELU(alpha=0.8),
        keras.layers.Dense(3), keras.layers.Softmax(),
    ], name="activation_layers")
    model.layers[4].set_weights([rng.uniform(0.1, 0.4, size=(6,)).astype(np.float32)])
    x = rng.normal(size=(8, 4)).astype(np.float32)
    model.save(OUT / "model.keras")
    np.savez_compressed(OUT / "model.npz", x=x, y=model.predict(x, verbose=0))
    # the beginner quickstart's probability model: a trained Sequential inside another
    inner = keras.Sequential([keras.Input(shape=(3, 2)), keras.layers.Flatten(), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(4)], name="classifier")
    inner.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    xs = rng.normal(size=(16, 3, 2)).astype(np.float32)
    inner.fit(xs, rng.integers(0, 4, 16), epochs=2, verbose=0)
    probability_model = keras.Sequential([inner, keras.layers.Softmax()], name="probability_model")
    probability_model.save(OUT / "nested.keras")
    np.savez_compressed(OUT / "nested.npz", x=xs[:5], y=probability_model.predict(xs[:5], verbose=0),
                        logits=inner.predict(xs[:5], verbose=0))
    (OUT / "cases.json").write_text(json.dumps({"keras_version": keras.__version__,
                                                "tensorflow_version": tf.__version__, "cases": meta},
                                               indent=1) + "\n")
    print(f"wrote {len(meta)} cases and model.keras to {OUT}")


if __name__ == "__main__":
    main()
