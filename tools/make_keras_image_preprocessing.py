"""Record real Keras 3 / TensorFlow image preprocessing outputs for tests/test_image_preprocessing.py,
tests/test_augmentation.py and tests/test_tf_image.py.

Run with a Python that has Keras 3 (TensorFlow backend):
    /work/peers/bin/python tools/make_keras_image_preprocessing.py
writes tests/fixtures/keras_image_preprocessing.npz (layer outputs; for the random layers, the draw
Keras made, read from ``get_random_transformation``, and the images it gave), tests/fixtures/
tf_image.npz (tf.image functions) and tests/fixtures/keras_image_preprocessing.keras (a model with
every image layer, saved by Keras, for loading in glassnet). Keys are ``<case>/<what>``; each case's
arguments are stored as JSON text under ``<case>/kwargs``.
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
rng = np.random.default_rng(0)
X = rng.uniform(0, 255, (2, 7, 9, 3)).astype(np.float32)          # two 7x9 RGB images
SQUARE = rng.uniform(0, 1, (1, 6, 6, 2)).astype(np.float32)
out = {"x": X, "square": SQUARE}


def record(case, layer_cls, kwargs, y, **extra):
    out[f"{case}/kwargs"] = np.array(json.dumps({"class": layer_cls, **kwargs}))
    out[f"{case}/y"] = np.asarray(y, np.float32)
    for k, v in extra.items():
        out[f"{case}/{k}"] = np.asarray(v)


# Resizing and CenterCrop: deterministic
resizes = [dict(height=4, width=5), dict(height=11, width=13), dict(height=4, width=5, interpolation="nearest"),
           dict(height=11, width=20, interpolation="nearest"), dict(height=4, width=5, interpolation="bicubic"),
           dict(height=10, width=14, interpolation="bicubic"), dict(height=3, width=4, interpolation="area"),
           dict(height=10, width=12, interpolation="area"), dict(height=5, width=5, crop_to_aspect_ratio=True),
           dict(height=8, width=3, crop_to_aspect_ratio=True), dict(height=5, width=5, pad_to_aspect_ratio=True),
           dict(height=6, width=12, pad_to_aspect_ratio=True, fill_value=7.0),
           dict(height=3, width=4, antialias=True), dict(height=3, width=4, interpolation="bicubic", antialias=True)]
for i, kw in enumerate(resizes):
    record(f"resizing_{i}", "Resizing", kw, layers.Resizing(**kw)(X))
for i, (h, w) in enumerate([(4, 5), (7, 3), (10, 6), (12, 12)]):
    record(f"center_crop_{i}", "CenterCrop", dict(height=h, width=w), layers.CenterCrop(h, w)(X))


def random_case(case, cls, kwargs, x=X, keys=()):
    layer = getattr(layers, cls)(**kwargs)
    t = layer.get_random_transformation(x, training=True)
    y = layer.transform_images(tf.convert_to_tensor(x), t, training=True)
    extra = {k: np.asarray(t[k]) for k in keys} if isinstance(t, dict) else {"draw": np.asarray(t)}
    record(case, cls, kwargs, y, **extra)


fills = ["reflect", "wrap", "constant", "nearest"]
i = 0
for factor in [(0.25, 0.25), (-0.125, -0.125), 0.2]:
    for fill in fills:
        for interp in ("bilinear", "nearest"):
            random_case(f"rotation_{i}", "RandomRotation", dict(factor=factor, fill_mode=fill, interpolation=interp,
                                                               fill_value=3.0), keys=("angle",))
            i += 1
i = 0
for hf, wf in [((0.5, 0.5), None), ((-0.3, -0.3), (0.4, 0.4)), (0.3, 0.6), ((0.9, 0.9), (0.9, 0.9))]:
    for fill in fills:
        for interp in ("bilinear", "nearest"):
            random_case(f"zoom_{i}", "RandomZoom", dict(height_factor=hf, width_factor=wf, fill_mode=fill,
                                                       interpolation=interp, fill_value=2.0),
                        keys=("height_zoom", "width_zoom"))
            i += 1
i = 0
for hf, wf in [((0.3, 0.3), (-0.2, -0.2)), (0.5, 0.5), ((1.0, 1.0), (-1.0, -1.0))]:
    for fill in fills:
        for interp in ("bilinear", "nearest"):
            random_case(f"translation_{i}", "RandomTranslation", dict(height_factor=hf, width_factor=wf, fill_mode=fill,
                                                                     interpolation=interp, fill_value=1.0),
                        keys=("translations",))
            i += 1
for i, kw in enumerate([dict(factor=0.5), dict(factor=(0.2, 0.9), value_range=(0, 100))]):
    random_case(f"contrast_{i}", "RandomContrast", kw, keys=("contrast_factor",))
for i, kw in enumerate([dict(factor=0.5), dict(factor=(-0.3, 0.1), value_range=(0, 100))]):
    random_case(f"brightness_{i}", "RandomBrightness", kw, keys=("rgb_delta",))
for i, mode in enumerate(["horizontal", "vertical", "horizontal_and_vertical"]):
    random_case(f"flip_{i}", "RandomFlip", dict(mode=mode), x=np.concatenate([X, X, X]), keys=("flips",))
for i, (h, w) in enumerate([(4, 5), (7, 5), (9, 12)]):
    random_case(f"crop_{i}", "RandomCrop", dict(height=h, width=w))
# the affine sampling itself, projective terms and far-away coordinates included
transforms = np.array([[1.0, 0.2, -8.5, 0.1, 0.9, 12.0, 0.0, 0.0], [0.7, -0.4, 3.3, 0.5, 1.3, -9.1, 0.01, -0.02],
                       [2.5, 0.0, -20.0, 0.0, 3.0, 25.0, 0.0, 0.0]], np.float32)
for fill in fills:
    for interp in ("bilinear", "nearest"):
        y = keras.ops.image.affine_transform(np.concatenate([X, X[:1]]), transforms, interpolation=interp,
                                             fill_mode=fill, fill_value=5.0)
        out[f"affine/{fill}/{interp}"] = np.asarray(y)
out["affine/transforms"] = transforms
out["keras_version"] = np.array(keras.__version__)
np.savez_compressed(FIXTURES / "keras_image_preprocessing.npz", **out)

# tf.image
img = X[0] / 255.0
t = {"image": img, "batch": X / 255.0, "uint8": (X[0]).astype(np.uint8)}
for method in ("bilinear", "nearest", "bicubic", "area"):
    for size in [(4, 5), (12, 20)]:
        t[f"resize/{method}/{size[0]}x{size[1]}"] = tf.image.resize(img, size, method=method).numpy()
t["resize/bilinear/aspect"] = tf.image.resize(img, (12, 12), preserve_aspect_ratio=True).numpy()
t["resize/bilinear/antialias"] = tf.image.resize(img, (3, 4), antialias=True).numpy()
t["resize/batch"] = tf.image.resize(X / 255.0, (5, 4)).numpy()
t["flip_left_right"] = tf.image.flip_left_right(img).numpy()
t["flip_up_down"] = tf.image.flip_up_down(X / 255.0).numpy()
for k in range(4):
    t[f"rot90/{k}"] = tf.image.rot90(img, k=k).numpy()
t["rot90/batch"] = tf.image.rot90(X / 255.0).numpy()
t["rgb_to_grayscale"] = tf.image.rgb_to_grayscale(img).numpy()
t["grayscale_to_rgb"] = tf.image.grayscale_to_rgb(tf.image.rgb_to_grayscale(img)).numpy()
t["adjust_brightness"] = tf.image.adjust_brightness(img, 0.3).numpy()
t["adjust_contrast"] = tf.image.adjust_contrast(img, 1.7).numpy()
t["adjust_saturation"] = tf.image.adjust_saturation(img, 3).numpy()
t["adjust_saturation/half"] = tf.image.adjust_saturation(img, 0.4).numpy()
t["adjust_hue"] = tf.image.adjust_hue(img, 0.2).numpy()
t["adjust_hue/negative"] = tf.image.adjust_hue(img, -0.45).numpy()
t["central_crop/0.5"] = tf.image.central_crop(img, 0.5).numpy()
t["central_crop/0.7"] = tf.image.central_crop(X / 255.0, 0.7).numpy()
t["resize_with_crop_or_pad/big"] = tf.image.resize_with_crop_or_pad(img, 10, 12).numpy()
t["resize_with_crop_or_pad/small"] = tf.image.resize_with_crop_or_pad(img, 4, 6).numpy()
t["resize_with_crop_or_pad/mixed"] = tf.image.resize_with_crop_or_pad(X / 255.0, 4, 14).numpy()
t["crop_to_bounding_box"] = tf.image.crop_to_bounding_box(img, 1, 2, 4, 5).numpy()
t["pad_to_bounding_box"] = tf.image.pad_to_bounding_box(img, 1, 2, 10, 13).numpy()
t["convert_image_dtype/to_float"] = tf.image.convert_image_dtype(t["uint8"], tf.float32).numpy()
t["convert_image_dtype/to_uint8"] = tf.image.convert_image_dtype(img * 1.2 - 0.1, tf.uint8, saturate=True).numpy()
t["convert_image_dtype/float_to_uint8"] = tf.image.convert_image_dtype(img, tf.uint8).numpy()
t["per_image_standardization"] = tf.image.per_image_standardization(X).numpy()
t["per_image_standardization/uint8"] = tf.image.per_image_standardization(t["uint8"]).numpy()
np.savez_compressed(FIXTURES / "tf_image.npz", **t)

# a model of every image layer, saved by Keras, for glassnet to load
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((7, 9, 3)), layers.Resizing(8, 8), layers.RandomFlip("horizontal", seed=1),
                          layers.RandomRotation(0.1), layers.RandomZoom(0.1, 0.2), layers.RandomTranslation(0.1, 0.2),
                          layers.RandomContrast(0.2), layers.RandomBrightness(0.1), layers.RandomCrop(6, 6),
                          layers.CenterCrop(6, 6), layers.Rescaling(1 / 255), layers.Flatten(), layers.Dense(2)])
model.save(FIXTURES / "keras_image_preprocessing.keras")
np.save(FIXTURES / "keras_image_preprocessing_predictions.npy", np.asarray(model.predict(X, verbose=0)))
