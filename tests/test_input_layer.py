"""InputLayer's spellings as Keras 3 takes them: ``shape``, ``batch_shape``, and Keras 2's
``input_shape`` (with Keras 3's deprecation warning) and ``batch_input_shape``, as TensorFlow's
convolutional VAE tutorial writes ``tf.keras.layers.InputLayer(input_shape=(28, 28, 1))``."""
import numpy as np
import pytest

import glassnet as tf


def test_input_shape_is_taken_with_keras_warning():
    with pytest.warns(UserWarning, match="Argument `input_shape` is deprecated. Use `shape` instead."):
        layer = tf.keras.layers.InputLayer(input_shape=(28, 28, 1))
    assert tuple(layer.shape) == (None, 28, 28, 1)


def test_batch_input_shape_gives_the_batch_size():
    layer = tf.keras.layers.InputLayer(batch_input_shape=(4, 3))
    assert tuple(layer.shape) == (4, 3) and layer.batch_size == 4


def test_a_sequential_starting_with_input_layer_builds_and_runs():
    with pytest.warns(UserWarning):
        model = tf.keras.Sequential([tf.keras.layers.InputLayer(input_shape=(6,)),
                                     tf.keras.layers.Dense(3, activation="relu"), tf.keras.layers.Dense(1)])
    assert model.count_params() == 6 * 3 + 3 + 3 + 1
    assert model(np.ones((2, 6), np.float32)).shape == (2, 1)


def test_no_shape_at_all_is_refused_by_name():
    with pytest.raises(ValueError, match="give `shape`"):
        tf.keras.layers.InputLayer()
