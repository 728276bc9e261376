"""Keras's guide "Making new layers and models via subclassing" (keras.io / tensorflow.org,
Keras 3), run renamed (``import glassnet as tf``; ``from glassnet import keras``), with 256
random images in place of MNIST and two epochs.

Printed values and summaries were recorded from the same program under TensorFlow 2.21 /
Keras 3.15 (/work/peers/bin/python); layer names count from a cleared session.
"""
import numpy as np
import pytest

import glassnet as tf
from glassnet import keras
from glassnet.keras import layers, ops

VAE_SUBCLASSED = """\
Model: "autoencoder"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ encoder (Encoder)               │ ?                      │        54,400 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ decoder (Decoder)               │ ?                      │        53,072 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 322,418 (1.23 MB)
 Trainable params: 107,472 (419.81 KB)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 214,946 (839.64 KB)"""

VAE_FUNCTIONAL = """\
Model: "vae"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ encoder_input       │ (None, 784)       │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_9 (Dense)     │ (None, 64)        │     50,240 │ encoder_input[0]… │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ z_mean (Dense)      │ (None, 32)        │      2,080 │ dense_9[0][0]     │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ z_log_var (Dense)   │ (None, 32)        │      2,080 │ dense_9[0][0]     │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ sampling_1          │ (None, 32)        │          0 │ z_mean[0][0],     │
│ (Sampling)          │                   │            │ z_log_var[0][0]   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ decoder             │ (None, 784)       │     53,072 │ sampling_1[0][0]  │
│ (Functional)        │                   │            │                   │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 107,472 (419.81 KB)
 Trainable params: 107,472 (419.81 KB)
 Non-trainable params: 0 (0.00 B)"""


class Sampling(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class Encoder(layers.Layer):
    def __init__(self, latent_dim=32, intermediate_dim=64, name="encoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_mean = layers.Dense(latent_dim)
        self.dense_log_var = layers.Dense(latent_dim)
        self.sampling = Sampling()

    def call(self, inputs):
        x = self.dense_proj(inputs)
        z_mean = self.dense_mean(x)
        z_log_var = self.dense_log_var(x)
        z = self.sampling((z_mean, z_log_var))
        return z_mean, z_log_var, z


class Decoder(layers.Layer):
    def __init__(self, original_dim, intermediate_dim=64, name="decoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_output = layers.Dense(original_dim, activation="sigmoid")

    def call(self, inputs):
        return self.dense_output(self.dense_proj(inputs))


class VariationalAutoEncoder(keras.Model):
    def __init__(self, original_dim, intermediate_dim=64, latent_dim=32, name="autoencoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.original_dim = original_dim
        self.encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim)
        self.decoder = Decoder(original_dim, intermediate_dim=intermediate_dim)

    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        reconstructed = self.decoder(z)
        kl_loss = -0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
        self.add_loss(kl_loss)
        return reconstructed


def test_making_new_layers_and_models_via_subclassing(capsys):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)

    class Linear(keras.layers.Layer):
        def __init__(self, units=32, input_dim=32):
            super().__init__()
            self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal", trainable=True)
            self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

    linear_layer = Linear(4, 2)
    y = linear_layer(ops.ones((2, 2)))
    assert tuple(y.shape) == (2, 4)
    assert linear_layer.weights == [linear_layer.w, linear_layer.b]
    # TF 2.21: ['variable', 'variable_1'] ['linear/variable', 'linear/variable_1']
    assert [w.name for w in linear_layer.weights] == ["variable", "variable_1"]
    assert [w.path for w in linear_layer.weights] == ["linear/variable", "linear/variable_1"]

    class ComputeSum(keras.layers.Layer):
        def __init__(self, input_dim):
            super().__init__()
            self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

        def call(self, inputs):
            self.total.assign_add(ops.sum(inputs, axis=0))
            return self.total

    my_sum = ComputeSum(2)
    assert my_sum(ops.ones((2, 2))).numpy().tolist() == [2.0, 2.0]
    assert my_sum(ops.ones((2, 2))).numpy().tolist() == [4.0, 4.0]
    assert (len(my_sum.weights), len(my_sum.non_trainable_weights), my_sum.trainable_weights) == (1, 1, [])

    class Linear(keras.layers.Layer):  # noqa: F811 - the guide defines it again, built lazily
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal",
                                     trainable=True)
            self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True)

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            config = super().get_config()
            config.update({"units": self.units})
            return config

    linear_layer = Linear(32)
    assert tuple(linear_layer(ops.ones((2, 2))).shape) == (2, 32) and linear_layer.built

    class MLPBlock(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.linear_1, self.linear_2, self.linear_3 = Linear(32), Linear(32), Linear(1)

        def call(self, inputs):
            x = keras.activations.relu(self.linear_1(inputs))
            x = keras.activations.relu(self.linear_2(x))
            return self.linear_3(x)

    mlp = MLPBlock()
    mlp(ops.ones(shape=(3, 64)))
    assert (len(mlp.weights), len(mlp.trainable_weights)) == (6, 6)

    class MLP(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.linear_1 = keras.layers.Dense(32)
            self.linear_2 = keras.layers.Dense(32)
            self.linear_3 = keras.layers.Dense(10)

        def call(self, inputs):
            x = ops.relu(self.linear_1(inputs))
            x = ops.relu(self.linear_2(x))
            return self.linear_3(x)

    mlp = MLP()
    assert tuple(mlp(ops.ones(shape=(3, 64))).shape) == (3, 10) and len(mlp.weights) == 6

    class ActivityRegularizationLayer(keras.layers.Layer):
        def __init__(self, rate=1e-2):
            super().__init__()
            self.rate = rate

        def call(self, inputs):
            self.add_loss(self.rate * ops.mean(inputs))
            return inputs

    class OuterLayer(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.activity_reg = ActivityRegularizationLayer(1e-2)

        def call(self, inputs):
            return self.activity_reg(inputs)

    layer = OuterLayer()
    assert len(layer.losses) == 0
    layer(ops.zeros((1, 1)))
    assert len(layer.losses) == 1
    layer(ops.zeros((1, 1)))
    assert len(layer.losses) == 1 and [float(v) for v in layer.losses] == [0.0]

    class OuterLayerWithKernelRegularizer(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(32, kernel_regularizer=keras.regularizers.l2(1e-3))

        def call(self, inputs):
            return self.dense(inputs)

    layer = OuterLayerWithKernelRegularizer()
    layer(ops.zeros((1, 1)))
    capsys.readouterr()
    print(layer.losses)
    # TF 2.21: [<tf.Tensor: shape=(), dtype=float32, numpy=0.0020843169186264277>] (its own random kernel)
    assert capsys.readouterr().out.startswith("[<tf.Tensor: shape=(), dtype=float32, numpy=0.00")
    kernel = layer.dense.kernel.numpy()
    assert float(layer.losses[0]) == pytest.approx(1e-3 * float(np.sum(kernel ** 2)), rel=1e-5)

    layer = Linear(64)
    config = layer.get_config()
    assert config["units"] == 64 and config["name"] == "linear_5" and config["trainable"] is True
    new_layer = Linear.from_config(config)
    assert (new_layer.units, new_layer.name) == (64, "linear_5")   # TF 2.21: 64 linear_5

    class CustomDropout(keras.layers.Layer):
        def __init__(self, rate, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs, training=None):
            if training:
                return keras.random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
            return inputs

    cd = CustomDropout(0.5)
    assert np.asarray(cd(np.ones((2, 4)), training=False)).tolist() == [[1.0] * 4] * 2
    out = np.asarray(cd(np.ones((200, 50)), training=True))
    assert sorted(set(out.ravel().tolist())) == [0.0, 2.0] and abs(out.mean() - 1) < 0.1   # TF 2.21: [0.0, 2.0]

    # The VAE, subclassed: add_loss in call, fit with a loss of its own
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (256, 28, 28)).astype("uint8").reshape(256, 784).astype("float32") / 255
    vae = VariationalAutoEncoder(784, 64, 32)
    vae.compile(keras.optimizers.Adam(learning_rate=1e-3), loss=keras.losses.MeanSquaredError())
    history = vae.fit(x_train, x_train, epochs=2, batch_size=64, verbose=0)
    losses = history.history["loss"]
    assert sorted(history.history) == ["loss"] and 0.15 < losses[0] < 0.35 and losses[1] < losses[0]  # TF: .21, .09
    capsys.readouterr()
    vae.summary()
    assert capsys.readouterr().out.strip("\n") == VAE_SUBCLASSED
    assert (len(vae.losses), len(vae.weights), len(vae.trainable_weights)) == (1, 10, 10)

    # The VAE, functional
    original_dim = 784
    original_inputs = keras.Input(shape=(original_dim,), name="encoder_input")
    x = layers.Dense(64, activation="relu")(original_inputs)
    z_mean = layers.Dense(32, name="z_mean")(x)
    z_log_var = layers.Dense(32, name="z_log_var")(x)
    z = Sampling()((z_mean, z_log_var))
    keras.Model(inputs=original_inputs, outputs=z, name="encoder")
    latent_inputs = keras.Input(shape=(32,), name="z_sampling")
    x = layers.Dense(64, activation="relu")(latent_inputs)
    outputs = layers.Dense(original_dim, activation="sigmoid")(x)
    decoder = keras.Model(inputs=latent_inputs, outputs=outputs, name="decoder")
    vae = keras.Model(inputs=original_inputs, outputs=decoder(z), name="vae")
    kl_loss = -0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
    with pytest.raises(NotImplementedError):              # Keras 3.15 too: a functional model takes no add_loss
        vae.add_loss(kl_loss)
    vae.summary()
    assert capsys.readouterr().out.strip("\n") == VAE_FUNCTIONAL
