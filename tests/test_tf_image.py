"""glassnet.image (tf/image.py) against TensorFlow 2.21's tf.image (fixture from
tools/make_keras_image_preprocessing.py), the seeded and stateless random functions, bad
arguments; and the tf.random additions the data augmentation tutorial uses."""
import pathlib

import numpy as np
import pytest

import glassnet as tf

T = np.load(pathlib.Path(__file__).parent / "fixtures" / "tf_image.npz")
IMG, BATCH, U8 = T["image"], T["batch"], T["uint8"]

CALLS = {
    "resize/batch": lambda: tf.image.resize(BATCH, (5, 4)),
    "resize/bilinear/aspect": lambda: tf.image.resize(IMG, (12, 12), preserve_aspect_ratio=True),
    "resize/bilinear/antialias": lambda: tf.image.resize(IMG, (3, 4), antialias=True),
    "flip_left_right": lambda: tf.image.flip_left_right(IMG),
    "flip_up_down": lambda: tf.image.flip_up_down(BATCH),
    "rot90/batch": lambda: tf.image.rot90(BATCH),
    "rgb_to_grayscale": lambda: tf.image.rgb_to_grayscale(IMG),
    "grayscale_to_rgb": lambda: tf.image.grayscale_to_rgb(tf.image.rgb_to_grayscale(IMG)),
    "adjust_brightness": lambda: tf.image.adjust_brightness(IMG, 0.3),
    "adjust_contrast": lambda: tf.image.adjust_contrast(IMG, 1.7),
    "adjust_saturation": lambda: tf.image.adjust_saturation(IMG, 3),
    "adjust_saturation/half": lambda: tf.image.adjust_saturation(IMG, 0.4),
    "adjust_hue": lambda: tf.image.adjust_hue(IMG, 0.2),
    "adjust_hue/negative": lambda: tf.image.adjust_hue(IMG, -0.45),
    "central_crop/0.5": lambda: tf.image.central_crop(IMG, 0.5),
    "central_crop/0.7": lambda: tf.image.central_crop(BATCH, 0.7),
    "resize_with_crop_or_pad/big": lambda: tf.image.resize_with_crop_or_pad(IMG, 10, 12),
    "resize_with_crop_or_pad/small": lambda: tf.image.resize_with_crop_or_pad(IMG, 4, 6),
    "resize_with_crop_or_pad/mixed": lambda: tf.image.resize_with_crop_or_pad(BATCH, 4, 14),
    "crop_to_bounding_box": lambda: tf.image.crop_to_bounding_box(IMG, 1, 2, 4, 5),
    "pad_to_bounding_box": lambda: tf.image.pad_to_bounding_box(IMG, 1, 2, 10, 13),
    "convert_image_dtype/to_float": lambda: tf.image.convert_image_dtype(U8, tf.float32),
    "convert_image_dtype/to_uint8": lambda: tf.image.convert_image_dtype(IMG * 1.2 - 0.1, tf.uint8, saturate=True),
    "convert_image_dtype/float_to_uint8": lambda: tf.image.convert_image_dtype(IMG, tf.uint8),
    "per_image_standardization": lambda: tf.image.per_image_standardization(BATCH * 255),
    "per_image_standardization/uint8": lambda: tf.image.per_image_standardization(U8),
}
for _k in range(4):
    CALLS[f"rot90/{_k}"] = lambda k=_k: tf.image.rot90(IMG, k=k)
for _method in ("bilinear", "nearest", "bicubic", "area"):
    for _size in [(4, 5), (12, 20)]:
        CALLS[f"resize/{_method}/{_size[0]}x{_size[1]}"] = lambda m=_method, s=_size: tf.image.resize(IMG, s, method=m)


def test_every_fixture_is_checked():
    assert set(T) - {"image", "batch", "uint8"} == set(CALLS)


@pytest.mark.parametrize("key", sorted(CALLS))
def test_matches_tensorflow(key):
    got = CALLS[key]()
    assert isinstance(got, tf.Tensor)
    assert got.shape == T[key].shape and got.dtype == T[key].dtype
    np.testing.assert_allclose(got.numpy().astype(float), T[key].astype(float), atol=1e-5, rtol=1e-5)


def test_resize_method_names_and_dtypes():
    assert tf.image.ResizeMethod.NEAREST_NEIGHBOR == "nearest"
    assert tf.image.resize(U8, (3, 3), method=tf.image.ResizeMethod.NEAREST_NEIGHBOR).dtype == np.uint8
    assert tf.image.resize(U8, (3, 3)).dtype == np.float32


def test_seeded_random_functions_repeat_and_stay_in_range():
    tf.random.set_seed(3)
    a = tf.image.random_brightness(IMG, 0.2).numpy()
    tf.random.set_seed(3)
    np.testing.assert_array_equal(tf.image.random_brightness(IMG, 0.2).numpy(), a)
    delta = (a - IMG).ravel()
    assert np.allclose(delta, delta[0], atol=1e-6) and abs(delta[0]) <= 0.2
    crop = tf.image.random_crop(BATCH, size=[2, 4, 4, 3])
    assert crop.shape == (2, 4, 4, 3)
    assert any(np.array_equal(crop.numpy(), BATCH[:, i:i + 4, j:j + 4]) for i in range(4) for j in range(6))
    flipped = tf.image.random_flip_left_right(BATCH, seed=1).numpy()
    for got, image in zip(flipped, BATCH):
        assert np.array_equal(got, image) or np.array_equal(got, image[:, ::-1])
    contrast = tf.image.random_contrast(IMG, 0.5, 0.9, seed=2).numpy()
    assert contrast.std() < IMG.std()
    assert tf.image.random_saturation(IMG, 0.5, 1.5, seed=1).shape == IMG.shape
    assert tf.image.random_hue(IMG, 0.2, seed=1).shape == IMG.shape


def test_stateless_functions_depend_on_the_seed_only():
    seed = (1, 2)
    for fn in (lambda s: tf.image.stateless_random_brightness(IMG, max_delta=0.95, seed=s),
               lambda s: tf.image.stateless_random_contrast(IMG, lower=0.1, upper=0.9, seed=s),
               lambda s: tf.image.stateless_random_crop(IMG, size=[4, 4, 3], seed=s),
               lambda s: tf.image.stateless_random_saturation(IMG, 0.5, 1.0, seed=s),
               lambda s: tf.image.stateless_random_hue(IMG, 0.2, seed=s)):
        tf.random.set_seed(0)
        first = fn(seed).numpy()
        tf.random.set_seed(99)
        np.testing.assert_array_equal(fn(seed).numpy(), first)
        assert any(not np.array_equal(fn((i, 0)).numpy(), first) for i in range(5))
    flips = {tf.image.stateless_random_flip_left_right(IMG, seed=(i, 0)).numpy().tobytes() for i in range(12)}
    assert flips == {IMG.tobytes(), IMG[:, ::-1].tobytes()}
    assert len({tf.image.stateless_random_flip_up_down(IMG, seed=(i, 3)).numpy().tobytes() for i in range(12)}) == 2


def test_data_augmentation_tutorial_augment_function():
    """The tutorial's augment(): resize_with_crop_or_pad, stateless crop and brightness, clip, seeds split."""
    rng = tf.random.Generator.from_seed(123, alg="philox")
    seed = rng.make_seeds(1)[:, 0]
    assert seed.shape == (2,)
    image = tf.image.resize_with_crop_or_pad(IMG, 7 + 6, 9 + 6)
    new_seed = tf.random.experimental.stateless_split(seed, num=1)[0, :]
    image = tf.image.stateless_random_crop(image, size=[7, 9, 3], seed=seed)
    image = tf.image.stateless_random_brightness(image, max_delta=0.5, seed=new_seed)
    image = tf.clip_by_value(image, 0, 1)
    assert image.shape == (7, 9, 3) and 0 <= image.numpy().min() and image.numpy().max() <= 1
    assert image.dtype == np.float32                    # clip_by_value's bounds take the image's type
    again = tf.random.Generator.from_seed(123).make_seeds(1)[:, 0]
    np.testing.assert_array_equal(again, seed)


def test_tf_random_stateless_additions():
    np.testing.assert_array_equal(tf.random.stateless_uniform((3,), seed=(4, 5)),
                                  tf.random.stateless_uniform((3,), (4, 5)))
    assert tf.random.stateless_normal((2, 2), seed=[1, 1]).shape == (2, 2)
    a, b = tf.random.split((7, 8), num=2)
    assert not np.array_equal(a, b) and tf.random.split((7, 8)).dtype == np.int32    # TF: the seed's dtype
    assert tf.random.fold_in((1, 2), 5).shape == (2,)
    with pytest.raises(ValueError, match="seed must be two integers"):
        tf.random.stateless_uniform((2,), seed=(1, 2, 3))
    with pytest.raises(ValueError, match="num must be a positive integer"):
        tf.random.split((1, 2), num=0)


@pytest.mark.parametrize("call, match", [
    (lambda: tf.image.resize(IMG[0], (2, 2)), "resize: images must be 3-D"),
    (lambda: tf.image.resize(IMG, (2, 2), method="lanczos9"), "method must be one of"),
    (lambda: tf.image.resize(IMG, (0, 2)), "size must be two positive integers"),
    (lambda: tf.image.central_crop(IMG, 0.0), "central_fraction must be within \\(0, 1\\]"),
    (lambda: tf.image.crop_to_bounding_box(IMG, 3, 0, 5, 9), "does not fit"),
    (lambda: tf.image.crop_to_bounding_box(IMG, -1, 0, 5, 9), "offset_height must be >= 0"),
    (lambda: tf.image.pad_to_bounding_box(IMG, 0, 0, 5, 9), "does not fit"),
    (lambda: tf.image.grayscale_to_rgb(IMG), "must have 1 channel"),
    (lambda: tf.image.random_crop(IMG, [8, 2, 3]), "size must have one entry per dimension"),
    (lambda: tf.image.random_contrast(IMG, 0.9, 0.5), "need 0 <= lower < upper"),
    (lambda: tf.image.random_brightness(IMG, -0.1), "max_delta must be >= 0"),
    (lambda: tf.image.adjust_hue(IMG, 1.5), "delta must be in \\[-1, 1\\]"),
    (lambda: tf.image.stateless_random_brightness(IMG, 0.1, seed=3), "seed must be two integers"),
    (lambda: tf.image.flip_left_right(np.array([["a"]])), "must hold numbers"),
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
