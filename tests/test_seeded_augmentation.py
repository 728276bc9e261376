"""The random image layers draw Keras 3's numbers (layers/augmentation.py, layers/color_augmentation.py,
seeding.py): with a ``seed``, each call's transform is the one Keras 3.15 on TensorFlow 2.21 draws
(``tf.random.stateless_uniform`` for the layer's SeedGenerator state), call after call; made without
one under ``keras.utils.set_random_seed``, each layer takes Keras's default seed; and a small model
with augmentation trained by ``fit`` ends with Keras's losses and weights. Fixtures from
tools/make_seeded_augmentation.py."""
import json
import pathlib

import numpy as np
import pytest

import glassnet
from glassnet import layers

FIXTURE = np.load(pathlib.Path(__file__).parent / "fixtures" / "seeded_augmentation.npz")
X = FIXTURE["x"]                                       # (4, 8, 10, 3), values 0..255
CASES = sorted({k.split("/")[0] for k in FIXTURE if k.endswith("/kwargs") and not k.startswith("global")})


def _make(case):
    kwargs = json.loads(str(FIXTURE[f"{case}/kwargs"]))
    return getattr(layers, kwargs.pop("class"))(**kwargs)


def _draws(layer, n, h, w):
    """The numbers the layer draws for a batch (n, h, w): Keras's names for them."""
    kind = type(layer).__name__
    if kind == "RandomRotation":
        lower, upper = layer.factor
        return {"angle": layer._uniform((n,), lower * 360.0, upper * 360.0)}
    if kind == "RandomZoom":
        hz = layer._uniform((n, 1), 1.0 + layer.height_range[0], 1.0 + layer.height_range[1])
        wz = hz if layer.width_range is None else \
            layer._uniform((n, 1), 1.0 + layer.width_range[0], 1.0 + layer.width_range[1])
        return {"height_zoom": hz, "width_zoom": wz}
    if kind == "RandomContrast":
        return {"contrast_factor": layer.draw(n, h, w)}
    if kind == "RandomBrightness":
        return {"rgb_delta": layer.draw(n, h, w)}
    if kind == "RandomFlip":
        return {"flips": layer.draw(n, h, w).reshape(n, 1, 1, 1)}
    return {}


@pytest.mark.parametrize("case", CASES)
def test_a_seeded_layer_draws_kerass_transforms_call_after_call(case):
    layer, twin = _make(case), _make(case)
    n, h, w = X.shape[:3]
    for k in range(3):
        expected = {key.split("/")[-1]: FIXTURE[key] for key in FIXTURE if key.startswith(f"{case}/t{k}/")}
        if isinstance(twin, layers.RandomTranslation):     # Keras keeps [columns, rows] * size
            dy = twin._uniform((n,), *twin.height_range) * np.float32(h)
            dx = twin._uniform((n,), *twin.width_range) * np.float32(w)
            np.testing.assert_array_equal(np.stack([dx, dy], 1), expected["translations"])
        elif isinstance(twin, layers.RandomCrop):
            top, left = twin.draw(n, h, w)                 # the window's rows and columns, as 0/1 matrices
            if "0" in expected and (h > twin.height and w > twin.width):
                assert (int(np.argmax(top[0])), int(np.argmax(left[0]))) == (int(expected["0"]), int(expected["1"]))
        else:
            for key, value in _draws(twin, n, h, w).items():
                np.testing.assert_array_equal(np.asarray(value).reshape(np.shape(expected[key])), expected[key],
                                              err_msg=f"{case} call {k}: {key}")
        y = layer(X, training=True).numpy()
        np.testing.assert_allclose(y, FIXTURE[f"{case}/y{k}"], atol=3e-3, rtol=1e-5, err_msg=f"{case} call {k}")


def test_one_image_draws_as_a_batch_of_one():
    layer = layers.RandomRotation(0.3, seed=5)
    np.testing.assert_allclose(layer(X[0], training=True).numpy(), FIXTURE["single/y0"], atol=3e-3)
    np.testing.assert_allclose(layer(X[1], training=True).numpy(), FIXTURE["single/y1"], atol=3e-3)


def test_inference_draws_nothing():
    """training=False leaves the seed state where it was: the next training call is Keras's first."""
    case = "rotation_0"
    layer = _make(case)
    layer(X, training=False)
    np.testing.assert_allclose(layer(X, training=True).numpy(), FIXTURE[f"{case}/y0"], atol=3e-3)


@pytest.mark.parametrize("seed", [0, 1337])
def test_unseeded_layers_take_kerass_default_seeds(seed):
    glassnet.utils.set_random_seed(seed)
    made = [getattr(layers, cls)(**kw) for cls, kw in json.loads(str(FIXTURE["global/kwargs"]))]
    model = glassnet.keras.Sequential([layers.Input(X.shape[1:])] + made)
    for k in range(2):
        np.testing.assert_allclose(model(X, training=True).numpy(), FIXTURE[f"global/{seed}/y{k}"], atol=3e-3,
                                   rtol=1e-5, err_msg=f"call {k}")


def test_fit_with_augmentation_ends_with_kerass_losses_and_weights():
    keras = glassnet.keras
    glassnet.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.RandomFlip("horizontal"), layers.RandomRotation(0.1),
                              layers.RandomZoom(0.1), layers.Flatten(), layers.Dense(4, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    history = model.fit(FIXTURE["fit/images"], FIXTURE["fit/labels"], batch_size=8, epochs=3, shuffle=False,
                        verbose=0)
    np.testing.assert_allclose(history.history["loss"], FIXTURE["fit/loss"], rtol=1e-4)
    weights = np.concatenate([np.asarray(w).ravel() for w in model.get_weights()])
    np.testing.assert_allclose(weights, FIXTURE["fit/weights"], atol=1e-4)
