"""Keras's guide "Understanding masking & padding" (keras.io / tensorflow.org, Keras 3), run
renamed (``from glassnet import keras``). Every mask and shape below is what the same program
printed under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python). (Masked losses are another
engineer's issue 25; this guide does not train.)"""
import numpy as np

from glassnet import keras
from glassnet.keras import layers, ops


class TemporalSplit(keras.layers.Layer):
    def call(self, inputs):
        return ops.split(inputs, 2, axis=1)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        return ops.split(mask, 2, axis=1)


class CustomEmbedding(keras.layers.Layer):
    def __init__(self, input_dim, output_dim, mask_zero=False, **kwargs):
        super().__init__(**kwargs)
        self.input_dim, self.output_dim, self.mask_zero = input_dim, output_dim, mask_zero

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim), initializer="random_normal",
                                          dtype="float32")

    def call(self, inputs):
        return ops.take(self.embeddings, ops.cast(inputs, "int32"))

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)


class MyActivation(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return ops.relu(inputs)


class TemporalSoftmax(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        assert mask is not None
        broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
        inputs_exp = ops.exp(inputs) * broadcast_float_mask
        inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=-1, keepdims=True)
        return inputs_exp / inputs_sum


def test_understanding_masking_and_padding():
    keras.utils.set_random_seed(0)
    raw_inputs = [[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927]]
    padded_inputs = keras.utils.pad_sequences(raw_inputs, padding="post")
    assert padded_inputs.tolist() == [[711, 632, 71, 0, 0, 0], [73, 8, 3215, 55, 927, 0],
                                      [83, 91, 1, 645, 1253, 927]]
    expected = [[True, True, True, False, False, False], [True, True, True, True, True, False], [True] * 6]
    embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
    assert np.asarray(embedding(padded_inputs)._keras_mask).tolist() == expected
    unmasked_embedding = ops.cast(ops.tile(ops.expand_dims(padded_inputs, axis=-1), [1, 1, 10]), "float32")
    masked_embedding = layers.Masking()(unmasked_embedding)
    assert np.asarray(masked_embedding._keras_mask).tolist() == expected

    model = keras.Sequential([layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True), layers.LSTM(32)])
    assert tuple(model(padded_inputs).shape) == (3, 32)
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)(inputs)
    model = keras.Model(inputs, layers.LSTM(32)(x))
    assert tuple(model(padded_inputs).shape) == (3, 32)

    class MyLayer(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
            self.lstm = layers.LSTM(32)

        def call(self, inputs):
            x = self.embedding(inputs)
            return self.lstm(x, mask=self.embedding.compute_mask(inputs))

    x = (np.random.random((32, 10)) * 100).astype("int32")
    assert tuple(MyLayer()(x).shape) == (32, 32)

    first_half, second_half = TemporalSplit()(masked_embedding)
    assert np.asarray(first_half._keras_mask).tolist() == [[True] * 3] * 3              # TF 2.21's masks
    assert np.asarray(second_half._keras_mask).tolist() == [[False] * 3, [True, True, False], [True] * 3]

    layer = CustomEmbedding(10, 32, mask_zero=True)
    x = (np.random.random((3, 10)) * 9).astype("int32")
    layer(x)
    np.testing.assert_array_equal(np.asarray(layer.compute_mask(x)), x != 0)

    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)(inputs)
    x = MyActivation()(x)
    mask = x._keras_mask        # Keras 3.15: <KerasTensor shape=(None, None), dtype=bool, ...>
    assert tuple(mask.shape) == (None, None) and mask.dtype == np.bool_
    model = keras.Model(inputs, layers.LSTM(32)(x))
    assert tuple(model(np.random.randint(0, 5000, size=(32, 100))).shape) == (32, 32)

    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(input_dim=10, output_dim=32, mask_zero=True)(inputs)
    x = layers.Dense(1)(x)
    model = keras.Model(inputs, TemporalSoftmax()(x))
    with np.errstate(invalid="ignore"):     # a padded step: 0 / 0, NaN, as in TensorFlow
        y = model(np.random.randint(1, 10, size=(32, 100)))
    assert tuple(y.shape) == (32, 100, 1)
    np.testing.assert_allclose(np.asarray(y), 1.0, rtol=1e-6)   # one value per step: softmax over it is 1
