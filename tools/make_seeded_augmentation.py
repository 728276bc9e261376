"""Record what Keras 3's random image layers give with a seed, for tests/test_seeded_augmentation.py.

Run with a Python that has Keras 3 (TensorFlow backend):
    /work/peers/bin/python tools/make_seeded_augmentation.py
writes tests/fixtures/seeded_augmentation.npz. Keys:

``<case>/kwargs``    the layer's class and arguments (JSON text), ``seed`` among them
``<case>/y<k>``      the layer's output at its k-th call ``layer(x, training=True)`` (k = 0, 1, 2)
``<case>/t<k>/<n>``  what a second layer of the same seed drew at its k-th call
                     (``get_random_transformation``: angle, zooms, translations, ...)
``global/...``       under ``keras.utils.set_random_seed(s)``: a Sequential of every random image
                     layer made without seeds, called twice; and a small model with augmentation
                     trained by ``fit`` (its losses), so the default seeds' order is checked too.
"""
import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures"
rng = np.random.default_rng(5)
X = rng.uniform(0, 255, (4, 8, 10, 3)).astype(np.float32)
out = {"x": X}

CASES = [
    ("flip_0", "RandomFlip", dict(mode="horizontal", seed=11)),
    ("flip_1", "RandomFlip", dict(mode="vertical", seed=2 ** 31 + 5)),
    ("flip_2", "RandomFlip", dict(seed=0)),
    ("rotation_0", "RandomRotation", dict(factor=0.2, seed=7)),
    ("rotation_1", "RandomRotation", dict(factor=(-0.4, 0.1), fill_mode="constant", interpolation="nearest", seed=123)),
    ("rotation_2", "RandomRotation", dict(factor=0.5, fill_mode="wrap", seed=10 ** 9)),
    ("zoom_0", "RandomZoom", dict(height_factor=0.3, seed=7)),
    ("zoom_1", "RandomZoom", dict(height_factor=(-0.3, 0.2), width_factor=(0.1, 0.5), fill_mode="nearest", seed=42)),
    ("translation_0", "RandomTranslation", dict(height_factor=0.2, width_factor=0.3, seed=7)),
    ("translation_1", "RandomTranslation", dict(height_factor=(-0.5, 0.1), width_factor=0.4, fill_mode="constant",
                                                fill_value=9.0, seed=99)),
    ("contrast_0", "RandomContrast", dict(factor=0.5, seed=7)),
    ("contrast_1", "RandomContrast", dict(factor=(0.2, 0.9), value_range=(0, 100), seed=3)),
    ("brightness_0", "RandomBrightness", dict(factor=0.3, seed=7)),
    ("brightness_1", "RandomBrightness", dict(factor=(-0.3, 0.1), value_range=(0, 100), seed=3)),
    ("crop_0", "RandomCrop", dict(height=5, width=6, seed=7)),
    ("crop_1", "RandomCrop", dict(height=3, width=9, seed=1234)),
    ("crop_2", "RandomCrop", dict(height=10, width=6, seed=7)),          # taller than the image: no draw
]


def as_arrays(t):
    if t is None:
        return {}
    if isinstance(t, dict):
        return {k: np.asarray(v) for k, v in t.items() if k not in ("input_shape",)}
    return {f"{i}": np.asarray(v) for i, v in enumerate(t)}


for case, cls, kwargs in CASES:
    out[f"{case}/kwargs"] = np.array(json.dumps({"class": cls, **kwargs}))
    layer, twin = getattr(layers, cls)(**kwargs), getattr(layers, cls)(**kwargs)
    for k in range(3):
        out[f"{case}/y{k}"] = np.asarray(layer(X, training=True))
        for name, value in as_arrays(twin.get_random_transformation(X, training=True)).items():
            out[f"{case}/t{k}/{name}"] = value
# one image (unbatched): Keras draws for a batch of one
single = layers.RandomRotation(0.3, seed=5)
out["single/y0"] = np.asarray(single(X[0], training=True))
out["single/y1"] = np.asarray(single(X[1], training=True))

# the default seeds: every layer made without one, under set_random_seed
ALL = [("RandomFlip", {}), ("RandomRotation", dict(factor=0.1)), ("RandomZoom", dict(height_factor=0.2)),
       ("RandomTranslation", dict(height_factor=0.1, width_factor=0.2)), ("RandomContrast", dict(factor=0.3)),
       ("RandomBrightness", dict(factor=0.2)), ("RandomCrop", dict(height=6, width=7))]
out["global/kwargs"] = np.array(json.dumps(ALL))
for seed in (0, 1337):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(X.shape[1:])] + [getattr(layers, c)(**kw) for c, kw in ALL])
    out[f"global/{seed}/y0"] = np.asarray(model(X, training=True))
    out[f"global/{seed}/y1"] = np.asarray(model(X, training=True))

# fit: augmentation, then weights made after it (their seeds follow the layers' own), trained
keras.utils.set_random_seed(3)
images = (rng.uniform(0, 1, (32, 8, 8, 1))).astype(np.float32)
labels = (images.mean(axis=(1, 2, 3)) > 0.5).astype(np.float32)
model = keras.Sequential([keras.Input((8, 8, 1)), layers.RandomFlip("horizontal"), layers.RandomRotation(0.1),
                          layers.RandomZoom(0.1), layers.Flatten(), layers.Dense(4, activation="relu"),
                          layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
history = model.fit(images, labels, batch_size=8, epochs=3, shuffle=False, verbose=0)
out["fit/images"], out["fit/labels"] = images, labels
out["fit/loss"] = np.array(history.history["loss"])
out["fit/weights"] = np.concatenate([np.asarray(w).ravel() for w in model.get_weights()])
out["keras_version"] = np.array(keras.__version__)
out["tf_version"] = np.array(tf.__version__)
np.savez_compressed(FIXTURES / "seeded_augmentation.npz", **out)
print("wrote", FIXTURES / "seeded_augmentation.npz", len(out), "arrays")
