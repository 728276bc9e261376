"""GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D/2D and ActivityRegularization
(glassnet/layers/noise.py): the identity at inference, Keras's statistics in training, seeded
draws, backward with the draw fixed, the activity penalty in fit's loss and its gradient."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import layers

X = np.random.default_rng(0).normal(size=(400, 50)).astype(np.float32)


@pytest.mark.parametrize("make", [lambda: layers.GaussianNoise(0.5), lambda: layers.GaussianDropout(0.3),
                                  lambda: layers.AlphaDropout(0.3), lambda: layers.SpatialDropout1D(0.3),
                                  lambda: layers.SpatialDropout2D(0.3)])
def test_the_identity_at_inference_and_seeded_in_training(make):
    x = X.reshape(400, 5, 10) if "1D" in type(make()).__name__ else \
        X.reshape(400, 5, 5, 2) if "2D" in type(make()).__name__ else X
    layer = make()
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    # Keras 3: the layer takes its seed when made (Python's random), and each call moves it on
    glassnet.utils.set_random_seed(3)
    layer = make()
    a = np.asarray(layer(x, training=True))
    assert not np.array_equal(np.asarray(layer(x, training=True)), a)
    glassnet.utils.set_random_seed(3)
    np.testing.assert_array_equal(np.asarray(make()(x, training=True)), a)
    assert not np.allclose(a, x)
    seeded = type(layer).from_config({**layer.get_config(), "seed": 7})
    other = type(layer).from_config({**layer.get_config(), "seed": 7})
    np.testing.assert_array_equal(np.asarray(seeded(x, training=True)), np.asarray(other(x, training=True)))


def test_gaussian_noise_and_dropout_have_kerass_statistics():
    glassnet.utils.set_random_seed(0)
    ones = np.ones((200, 500), np.float32)
    noise = np.asarray(layers.GaussianNoise(0.5)(ones, training=True)) - 1
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.5) < 0.01
    mult = np.asarray(layers.GaussianDropout(0.2)(ones, training=True))
    assert abs(mult.mean() - 1) < 0.01 and abs(mult.std() - np.sqrt(0.2 / 0.8)) < 0.01   # N(1, rate/(1-rate))


def test_alpha_dropout_keeps_selu_outputs_standardized():
    glassnet.utils.set_random_seed(0)
    x = np.random.default_rng(1).normal(size=(400, 500)).astype(np.float32)
    y = np.asarray(layers.AlphaDropout(0.2)(x, training=True))
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p + -a * alpha_p * 0.2)          # a alpha' + b, where dropped
    assert abs(dropped.mean() - 0.2) < 0.01


def test_spatial_dropout_drops_whole_channels():
    glassnet.utils.set_random_seed(0)
    y = np.asarray(layers.SpatialDropout1D(0.5)(np.ones((8, 6, 4), np.float32), training=True))
    per_channel = y[:, :1, :]
    assert np.all(y == per_channel)                    # the same at every step
    assert set(np.unique(y)) <= {0.0, 2.0}
    y = np.asarray(layers.SpatialDropout2D(0.5, data_format="channels_first")(np.ones((8, 3, 4, 4), np.float32),
                                                                           training=True))
    assert np.all(y == y[:, :, :1, :1])
    with pytest.raises(ValueError, match="3-dimensional"):
        layers.SpatialDropout1D(0.5)(np.ones((2, 3)))


def test_backward_uses_the_same_draw():
    glassnet.utils.set_random_seed(0)
    for layer in (layers.GaussianDropout(0.4), layers.AlphaDropout(0.4), layers.SpatialDropout1D(0.4)):
        x = np.random.default_rng(2).normal(size=(3, 4, 5)).astype(np.float64)
        y = layer.forward(x, training=True)
        dy = np.random.default_rng(3).normal(size=y.shape)
        dx = layer.backward(dy)
        eps = 1e-6                                      # y is affine in x for a fixed draw: exact differences
        mult = layer._mult
        np.testing.assert_allclose(dx, dy * np.broadcast_to(mult, x.shape), rtol=1e-12)
        y2 = (x + eps) * mult + (y - x * mult)
        np.testing.assert_allclose((y2 - y) / eps, np.broadcast_to(mult, x.shape), rtol=1e-6)


@pytest.mark.parametrize("make, match", [(lambda: layers.GaussianNoise(-1), "stddev"),
                                         (lambda: layers.GaussianDropout(1.0), "rate"),
                                         (lambda: layers.AlphaDropout("0.1"), "rate"),
                                         (lambda: layers.SpatialDropout2D(0.1, data_format="nhwc"), "data_format"),
                                         (lambda: layers.ActivityRegularization(l1=-0.1), "l1")])
def test_bad_arguments_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_activity_regularization_adds_its_penalty_as_kerass_add_loss():
    layer = layers.ActivityRegularization(l1=0.1, l2=0.2)
    x = np.array([[1.0, -2.0], [3.0, 0.5], [1.0, 1.0]], np.float32)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    # Keras 3.15 gives 1.3666667 here: (0.1 * 8.5 + 0.2 * 16.25) / 3, divided by the batch size
    assert layer.losses == pytest.approx([1.3666667])
    dx = layer.backward(np.zeros_like(x))
    np.testing.assert_allclose(dx, (0.1 * np.sign(x) + 0.4 * x) / 3, rtol=1e-6)


def test_activity_regularization_is_in_fits_loss_and_its_gradient_trains():
    glassnet.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(32, 4))
    y = np.zeros((32, 1))

    def model(l2):
        glassnet.utils.set_random_seed(0)
        m = glassnet.Sequential([glassnet.Input(shape=(4,)), layers.Dense(3),
                                 layers.ActivityRegularization(l2=l2), layers.Dense(1)])
        m.compile(optimizer=glassnet.optimizers.SGD(0.1), loss="mse")
        return m
    plain, penalized = model(0.0), model(1.0)
    h = penalized.layers[0](x)
    expected = plain.evaluate(x, y, verbose=0) + float(np.square(np.asarray(h)).sum()) / 32
    first = penalized.train_on_batch(x, y)                 # the loss of the batch, before its update
    assert float(np.ravel(first)[0]) == pytest.approx(expected, rel=1e-4)
    penalized.fit(x, y, epochs=30, batch_size=32, verbose=0)
    plain.fit(x, y, epochs=30, batch_size=32, verbose=0)
    shrunk = np.square(np.asarray(penalized.layers[0](x))).mean()
    assert shrunk < 0.5 * np.square(np.asarray(plain.layers[0](x))).mean()   # the penalty's gradient acted
    assert glassnet.gradcheck(model(0.5), x[:4], y[:4]).passed


def test_noise_layers_save_and_load(tmp_path):
    model = glassnet.Sequential([glassnet.Input(shape=(6, 4)), layers.GaussianNoise(0.1, seed=1),
                                 layers.SpatialDropout1D(0.2), layers.GaussianDropout(0.1), layers.AlphaDropout(0.1),
                                 layers.ActivityRegularization(l1=0.01), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(8, 6, 4))
    model.fit(x, np.zeros((8, 1)), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = glassnet.models.load_model(tmp_path / "m.keras")
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
    assert loaded.layers[4].l1 == 0.01 and loaded.layers[0].stddev == 0.1
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_spatial_dropouts_config_has_kerass_keys():
    # Keras 3.15's SpatialDropout1D/2D take no `trainable` and write the dtype by name
    cfg = layers.SpatialDropout2D(0.3, data_format="channels_first", name="sd").get_config()
    assert cfg == {"rate": 0.3, "seed": None, "name": "sd", "dtype": "float32", "data_format": "channels_first"}
    assert layers.SpatialDropout2D.from_config(cfg).data_format == "channels_first"
