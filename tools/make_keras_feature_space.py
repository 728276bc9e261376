"""A Keras-written FeatureSpace inference model for tests/test_feature_space.py, and the other direction.

Run with a Python that has Keras 3 (TensorFlow backend), from the repository root:

    PYTHONPATH=src python tools/make_keras_feature_space.py          # (re)write tests/fixtures/keras_feature_space/
    PYTHONPATH=src python tools/make_keras_feature_space.py --check  # glassnet saves -> Keras loads and predicts

The model is keras.io's "Structured data classification with FeatureSpace" in small: every kind of
feature and a cross, the encoded features into Dense -> Dropout -> Dense, the inference model on the
raw inputs. ``inference.keras`` comes with ``inference.npz``: Keras's predictions and encodings of the
table's rows; ``feature_space.keras`` is the FeatureSpace itself (``feature_space.save``).
"""
from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "keras_feature_space")

import numpy as np  # noqa: E402

ROWS = {"age": [63, 37, 41, 56, 57, 57, 56, 44, 52, 57, 54, 48],
        "sex": [1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0],
        "thal": ["fixed", "normal", "normal", "reversible", "normal", "fixed", "normal", "reversible", "normal",
                 "normal", "reversible", "1"],
        "chol": [233, 250, 204, 236, 354, 192, 294, 263, 199, 168, 239, 275],
        "oldpeak": [2.3, 3.5, 1.4, 0.8, 0.6, 0.4, 1.3, 0.0, 0.5, 1.6, 1.2, 0.2],
        "code": [3, 7, 7, 3, 3, 9, 7, 3, 3, 7, 9, 3],
        "slope": [3, 3, 1, 1, 1, 2, 2, 1, 1, 1, 1, 2]}


def build(keras, FeatureSpace, tf_data):
    fs = FeatureSpace(
        features={"age": FeatureSpace.float_discretized(num_bins=4), "sex": "integer_categorical",
                  "thal": FeatureSpace.string_categorical(num_oov_indices=0), "chol": "float_normalized",
                  "oldpeak": "float", "code": FeatureSpace.integer_hashed(num_bins=5),
                  "slope": FeatureSpace.float_rescaled(scale=0.5, offset=-1.0)},
        crosses=[FeatureSpace.cross(("sex", "thal"), crossing_dim=8)], output_mode="concat")
    fs.adapt(tf_data.Dataset.from_tensor_slices(ROWS).batch(5))
    dict_inputs = fs.get_inputs()
    encoded = fs.get_encoded_features()
    x = keras.layers.Dense(6, activation="relu")(encoded)
    x = keras.layers.Dropout(0.5)(x)
    predictions = keras.layers.Dense(1, activation="sigmoid")(x)
    inference = keras.Model(inputs=dict_inputs, outputs=predictions)
    rng = np.random.default_rng(0)            # the same Dense weights in both libraries
    for layer in inference.layers:
        if type(layer).__name__ == "Dense":
            layer.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    return fs, inference


def raw():
    return {k: np.asarray(v) for k, v in ROWS.items()}


def write():
    import keras
    import tensorflow as tf
    fs, inference = build(keras, keras.utils.FeatureSpace, tf.data)
    os.makedirs(OUT, exist_ok=True)
    inference.save(os.path.join(OUT, "inference.keras"))
    rows = {k: tf.convert_to_tensor(v) for k, v in ROWS.items()}
    np.savez(os.path.join(OUT, "inference.npz"), pred=inference.predict(rows, verbose=0),
             encoded=np.asarray(fs(rows)))
    fs.save(os.path.join(OUT, "feature_space.keras"))      # the FeatureSpace itself, as Keras saves one
    print("wrote", OUT)


def check():
    """glassnet builds and saves the same model; Keras loads it and predicts the same."""
    import keras
    import glassnet
    fs, inference = build(glassnet.keras, glassnet.keras.utils.FeatureSpace, glassnet.data)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "g.keras")
        inference.save(path)
        theirs = keras.models.load_model(path)
        import tensorflow as tf
        rows = {k: tf.convert_to_tensor(v) for k, v in ROWS.items()}
        diff = float(np.abs(theirs.predict(rows, verbose=0) - inference.predict(raw(), verbose=0)).max())
        fs.save(os.path.join(tmp, "fs.keras"))
        loaded = keras.saving.load_model(os.path.join(tmp, "fs.keras"))
        fs_diff = float(np.abs(np.asarray(loaded(rows)) - fs(raw()).numpy()).max())
    print(f"keras.load_model ok; max|pred diff| {diff:.2e}; FeatureSpace file: {type(loaded).__name__}, "
          f"max|encoding diff| {fs_diff:.2e}")
    if diff > 1e-5 or fs_diff > 1e-6:
        sys.exit("MISMATCH")


if __name__ == "__main__":
    check() if "--check" in sys.argv else write()
