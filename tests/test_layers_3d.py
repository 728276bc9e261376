"""``Conv3D``, ``MaxPooling3D``, ``AveragePooling3D``, ``GlobalAveragePooling3D`` and
``GlobalMaxPooling3D``: the N-d conv and pooling code with a third spatial axis. TF 2.21 / Keras 3.15
ran the same model (/work/peers/bin/python): its shapes, predictions, three steps of fit (so the
backward pass too) and pooled values are written here as literals."""
import numpy as np
import pytest

from glassnet import keras

RNG = np.random.default_rng(7)
X = RNG.normal(size=(2, 5, 6, 4, 2)).astype(np.float32)
Y = RNG.normal(size=(2, 1)).astype(np.float32)


def test_a_3d_model_matches_keras():
    m = keras.Sequential([keras.Input((5, 6, 4, 2)),
                          keras.layers.Conv3D(3, (3, 2, 2), strides=(1, 2, 1), padding="same", activation="relu"),
                          keras.layers.MaxPooling3D(2, padding="same"), keras.layers.Conv3D(2, 2, padding="valid"),
                          keras.layers.AveragePooling3D((1, 1, 1)), keras.layers.GlobalAveragePooling3D(),
                          keras.layers.Dense(1)])
    m.set_weights([np.linspace(-0.5, 0.5, w.size).reshape(w.shape).astype(np.float32) for w in m.get_weights()])
    assert [tuple(layer.output.shape) for layer in m.layers] == [
        (None, 5, 3, 4, 3), (None, 3, 2, 2, 3), (None, 2, 1, 1, 2), (None, 2, 1, 1, 2), (None, 2), (None, 1)]
    np.testing.assert_allclose(m.predict(X, verbose=0).ravel(), [0.31170201301574707, 0.193122997879982], rtol=1e-5)
    m.compile(keras.optimizers.SGD(0.05), "mse")
    history = m.fit(X, Y, epochs=3, batch_size=2, verbose=0, shuffle=False).history["loss"]
    np.testing.assert_allclose(history, [0.027423, 0.092641, 0.445751], rtol=2e-5)
    np.testing.assert_allclose([np.sum(w) for w in m.get_weights()],
                               [0.0657, -0.02677, 0.17987, 0.00719, 0.22743, -0.55578], atol=2e-5)


def test_3d_poolings_and_aliases():
    pooled = keras.layers.AveragePooling3D(2, strides=1)(X)[0, 0, 0, 0].numpy()
    np.testing.assert_allclose(pooled, [0.15218999981880188, -0.007840000092983246], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(keras.layers.GlobalMaxPooling3D()(X).numpy(),
                               [[2.025161027908325, 2.2447569370269775], [2.5369300842285156, 2.257730007171631]],
                               rtol=1e-6)
    assert keras.layers.MaxPool3D is keras.layers.MaxPooling3D and keras.layers.Convolution3D is keras.layers.Conv3D
    assert sorted(keras.layers.Conv3D(2, 3).get_config()) == [
        "activation", "activity_regularizer", "bias_constraint", "bias_initializer", "bias_regularizer",
        "data_format", "dilation_rate", "dtype", "filters", "groups", "kernel_constraint", "kernel_initializer",
        "kernel_regularizer", "kernel_size", "name", "padding", "strides", "trainable", "use_bias"]   # Keras 3.15's keys
    with pytest.raises(ValueError, match="takes inputs of 5 dimensions \\(samples, depth, height, width, channels\\)"):
        keras.layers.Conv3D(2, 3)(np.zeros((1, 4, 4, 1)))
