"""Write the Keras-made fixtures for tests/test_saving.py, and check the other direction.

Run with a Python that has Keras 3 (TensorFlow backend), from the repository root:

    python tools/make_keras_files.py            # (re)write tests/fixtures/keras_files/
    python tools/make_keras_files.py --check    # glassnet saves -> Keras loads, predicts, trains

Each fixture ``NAME.keras`` comes with ``NAME.npz``: the inputs ``x``, Keras's predictions
``pred``, Keras's optimizer variables ``opt_0...`` (Keras's order), and for resuming:
training data ``x_train``/``y_train`` and Keras's predictions after one more epoch
(``pred_after``, ``shuffle=False``). The test suite needs none of this machinery.
"""
from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "keras_files")

import numpy as np  # noqa: E402


def _specs(keras):
    L = keras.layers
    return {
        "adam_binary": (lambda: [keras.Input((4,)), L.Dense(8, activation="relu"), L.Dense(1, activation="sigmoid")],
                        lambda: keras.optimizers.Adam(0.01), "binary_crossentropy", ["accuracy"], "binary"),
        "sgd_nesterov_softmax": (lambda: [keras.Input((4,)), L.Dense(6, activation="tanh", kernel_regularizer="l2"),
                                          L.Dropout(0.2), L.Dense(3), L.Activation("softmax")],
                                 lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
                                 "sparse_categorical_crossentropy", ["accuracy"], "sparse"),
        "rmsprop_centered_mse": (lambda: [keras.Input((4,)), L.Dense(5, activation="elu",
                                                                      kernel_initializer="he_normal"), L.Dense(2)],
                                 lambda: keras.optimizers.RMSprop(0.005, momentum=0.5, centered=True),
                                 keras.losses.MeanSquaredError(), ["mae"], "regression"),
        "adamw_amsgrad_cce": (lambda: [keras.Input((2, 2)), L.Flatten(), L.Dense(4, activation="sigmoid",
                                                                                 use_bias=False), L.Dense(3, activation="softmax")],
                              lambda: keras.optimizers.AdamW(0.01, weight_decay=0.01, amsgrad=True),
                              keras.losses.CategoricalCrossentropy(label_smoothing=0.1), ["categorical_accuracy"], "onehot"),
        "sgd_plain_logits": (lambda: [keras.Input((4,)), L.Dense(3, activation="relu"), L.Dense(1)],
                             lambda: keras.optimizers.SGD(0.1),
                             keras.losses.BinaryCrossentropy(from_logits=True), None, "binary"),
        # a schedule: in the config, and no learning-rate variable among the optimizer's
        "adam_schedule_precision": (lambda: [keras.Input((4,)), keras.layers.Rescaling(2.0, offset=-1.0),
                                             L.Dense(5, activation="relu"), L.Dense(1, activation="sigmoid")],
                                    lambda: keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(
                                        0.05, decay_steps=3, decay_rate=0.5)),
                                    "binary_crossentropy", [keras.metrics.Precision(), keras.metrics.Recall()],
                                    "binary"),
    }


def _data(kind, seed=0):
    rng = np.random.default_rng(seed)
    shape = (24, 2, 2) if kind == "onehot" else (24, 4)
    x = rng.random(shape).astype("float32")
    if kind == "binary":
        y = (x.reshape(24, -1).sum(1) > 2).astype("float32")
    elif kind == "sparse":
        y = rng.integers(0, 3, 24)
    elif kind == "onehot":
        y = np.eye(3, dtype="float32")[rng.integers(0, 3, 24)]
    else:
        y = rng.random((24, 2)).astype("float32")
    return x, y


def make(only=None):
    import keras
    os.makedirs(OUT, exist_ok=True)
    for name, (layers, opt, loss, metrics, kind) in _specs(keras).items():
        if only and name not in only:
            continue
        keras.utils.set_random_seed(1)
        model = keras.Sequential(layers(), name=f"model_{name}")
        model.compile(optimizer=opt(), loss=loss, metrics=metrics)
        x, y = _data(kind)
        model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
        path = os.path.join(OUT, f"{name}.keras")
        model.save(path)
        arrays = {"x": x, "pred": model.predict(x, verbose=0), "x_train": x, "y_train": y}
        for i, v in enumerate(model.optimizer.variables):
            arrays[f"opt_{i}"] = np.asarray(v)
        model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
        arrays["pred_after"] = model.predict(x, verbose=0)
        np.savez(os.path.join(OUT, f"{name}.npz"), **arrays)
        if name == "adam_binary":           # a weights-only file, as Keras writes it
            keras.saving.load_model(path).save_weights(os.path.join(OUT, f"{name}.weights.h5"))
        print("wrote", path)


def make_legacy():
    """``legacy_normalization.h5``: Keras's legacy HDF5 model file (``model.save("x.h5")``),
    with ``legacy_normalization.npz``: x, y, Keras's predictions and step count."""
    import keras
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = rng.integers(0, 3, 32)
    norm = keras.layers.Normalization()
    norm.adapt(x)
    model = keras.Sequential([keras.Input((4,)), norm, keras.layers.Dense(8, activation="relu", kernel_regularizer="l2"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(3)])
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    path = os.path.join(OUT, "legacy_normalization.h5")
    model.save(path)
    np.savez(os.path.join(OUT, "legacy_normalization.npz"), x=x, y=y, pred=model.predict(x, verbose=0),
             iterations=int(model.optimizer.iterations))
    print("wrote", path)


def check():
    """glassnet writes, Keras reads: predictions, optimizer state, one more epoch."""
    import keras
    sys.path.insert(0, os.path.join(HERE, "..", "src"))
    import glassnet
    from glassnet.keras import layers as G
    specs = {
        "adam": ([glassnet.Input(shape=(4,)), G.Dense(8, activation="relu"), G.Dense(1, activation="sigmoid")],
                 glassnet.optimizers.Adam(0.01), "binary_crossentropy", ["accuracy"], "binary"),
        "sgd_nesterov": ([glassnet.Input(shape=(4,)), G.Dense(6, activation="tanh", kernel_regularizer="l2"),
                          G.Dropout(0.2), G.Dense(3), G.Activation("softmax")],
                         glassnet.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
                         "sparse_categorical_crossentropy", ["accuracy"], "sparse"),
        "rmsprop_centered": ([glassnet.Input(shape=(4,)), G.Dense(5, activation="elu"), G.Dense(2)],
                             glassnet.optimizers.RMSprop(0.005, momentum=0.5, centered=True), "mse", ["mae"],
                             "regression"),
        "adamw_amsgrad": ([glassnet.Input(shape=(2, 2)), G.Flatten(), G.Dense(4, activation="sigmoid", use_bias=False),
                           G.Dense(3, activation="softmax")],
                          glassnet.optimizers.AdamW(0.01, weight_decay=0.01, amsgrad=True),
                          glassnet.losses.CategoricalCrossentropy(label_smoothing=0.1), ["categorical_accuracy"],
                          "onehot"),
        "adam_schedule": ([glassnet.Input(shape=(4,)), G.Rescaling(2.0, offset=-1.0), G.Dense(5, activation="relu"),
                           G.Dense(1, activation="sigmoid")],
                          glassnet.optimizers.Adam(glassnet.keras.optimizers.schedules.ExponentialDecay(0.05, 3, 0.5)),
                          "binary_crossentropy", [glassnet.metrics.Precision(), glassnet.metrics.Recall()], "binary"),
    }
    worst = {"pred": 0.0, "state": 0.0, "after": 0.0, "weights_h5": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (layers, opt, loss, metrics, kind) in specs.items():
            glassnet.utils.set_random_seed(3)
            model = glassnet.Sequential(layers)
            model.compile(optimizer=opt, loss=loss, metrics=metrics)
            x, y = _data(kind, seed=5)
            model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
            path = os.path.join(tmp, f"{name}.keras")
            model.save(path)
            model.save_weights(os.path.join(tmp, f"{name}.weights.h5"))
            k = keras.saving.load_model(path)
            d_pred = float(np.abs(k.predict(x, verbose=0) - model.predict(x, verbose=0)).max())
            from glassnet.saving.h5 import optimizer_slots
            ours = ([np.array(model.optimizer.iterations)] + ([] if model.optimizer.has_schedule else
                    [np.array(model.optimizer.learning_rate)]) + optimizer_slots(model.optimizer))
            theirs = [np.asarray(v) for v in k.optimizer.variables]
            assert len(ours) == len(theirs), (name, len(ours), len(theirs))
            d_state = max(float(np.abs(a - b).max()) if np.size(a) else 0.0 for a, b in zip(ours, theirs))
            model.save(os.path.join(tmp, f"{name}.h5"))          # the legacy HDF5 model file too
            d_h5 = float(np.abs(keras.saving.load_model(os.path.join(tmp, f"{name}.h5")).predict(x, verbose=0)
                                - model.predict(x, verbose=0)).max())
            assert d_h5 < 1e-5, (name, d_h5)
            k2 = keras.models.clone_model(k)
            k2.load_weights(os.path.join(tmp, f"{name}.weights.h5"))
            d_w = float(np.abs(k2.predict(x, verbose=0) - model.predict(x, verbose=0)).max())
            if kind != "sparse":            # Dropout draws differ between libraries
                k.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
                model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
                d_after = float(np.abs(k.predict(x, verbose=0) - model.predict(x, verbose=0)).max())
            else:
                d_after = 0.0
            print(f"{name:18s} keras.load_model ok; max|pred diff| {d_pred:.2e}; optimizer state diff {d_state:.2e}; "
                  f"weights.h5 pred diff {d_w:.2e}; after one more epoch in each {d_after:.2e}")
            for key, v in (("pred", d_pred), ("state", d_state), ("after", d_after), ("weights_h5", d_w)):
                worst[key] = max(worst[key], v)
    print("worst:", {k: f"{v:.2e}" for k, v in worst.items()}, "keras", keras.__version__)


if __name__ == "__main__":
    # python tools/make_keras_files.py [NAME ...]: only those fixtures
    names = [a for a in sys.argv[1:] if not a.startswith("-")]
    if "--check" in sys.argv:
        check()
    else:
        make(names)
        if not names or "legacy_normalization" in names:
            make_legacy()
