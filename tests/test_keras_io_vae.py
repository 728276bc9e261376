"""keras.io's example "Variational AutoEncoder" (examples/generative/vae.py, the Keras 3 version), run
renamed (its ``import tensorflow as tf`` for tf.GradientTape too) on stand-in MNIST arrays (256
random uint8 images): the Sampling layer with keras.random.SeedGenerator(1337) and
keras.random.normal(shape=(batch, dim), seed=...), ops.shape/exp/square/sum/mean, the encoder and
decoder summaries (Conv2DTranspose), the VAE(keras.Model) with its own train_step on a tape,
keras.metrics.Mean trackers returned in the logs and printed by fit, vae.decoder.predict(z_sample,
verbose=0). TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15; fit's progress lines are
compared in form (Keras redraws them with \\r), the history's numbers to 1e-3.
"""
import contextlib
import io
import os
import re

from conftest import _numbers_close, renamed

from glassnet import keras

PROGRAM = """\
import os
os.environ["KERAS_BACKEND"] = "tensorflow"
import numpy as np
import tensorflow as tf
import keras
from keras import ops
from keras import layers
keras.utils.set_random_seed(0)

class Sampling(layers.Layer):
    # Uses (z_mean, z_log_var) to sample z, the vector encoding a digit.

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon

latent_dim = 2
encoder_inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
x = layers.Flatten()(x)
x = layers.Dense(16, activation="relu")(x)
z_mean = layers.Dense(latent_dim, name="z_mean")(x)
z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
encoder.summary()
latent_inputs = keras.Input(shape=(latent_dim,))
x = layers.Dense(7 * 7 * 64, activation="relu")(latent_inputs)
x = layers.Reshape((7, 7, 64))(x)
x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(x)
x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x)
decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")
decoder.summary()

class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(
            name="reconstruction_loss"
        )
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [
            self.total_loss_tracker,
            self.reconstruction_loss_tracker,
            self.kl_loss_tracker,
        ]

    def train_step(self, data):
        with tf.GradientTape() as tape:
            z_mean, z_log_var, z = self.encoder(data)
            reconstruction = self.decoder(z)
            reconstruction_loss = ops.mean(
                ops.sum(
                    keras.losses.binary_crossentropy(data, reconstruction),
                    axis=(1, 2),
                )
            )
            kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
            kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
            total_loss = reconstruction_loss + kl_loss
        grads = tape.gradient(total_loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.total_loss_tracker.update_state(total_loss)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss)
        self.kl_loss_tracker.update_state(kl_loss)
        return {
            "loss": self.total_loss_tracker.result(),
            "reconstruction_loss": self.reconstruction_loss_tracker.result(),
            "kl_loss": self.kl_loss_tracker.result(),
        }

rng = np.random.default_rng(0)
x_train, x_test = rng.integers(0, 256, (200, 28, 28), dtype=np.uint8), rng.integers(0, 256, (56, 28, 28), dtype=np.uint8)
mnist_digits = np.concatenate([x_train, x_test], axis=0)
mnist_digits = np.expand_dims(mnist_digits, -1).astype("float32") / 255
vae = VAE(encoder, decoder)
vae.compile(optimizer=keras.optimizers.Adam())
history = vae.fit(mnist_digits, epochs=2, batch_size=128)
print(history.history)
print([m.name for m in vae.metrics], len(vae.trainable_weights), len(vae.weights))
grid_x = np.linspace(-1.0, 1.0, 3)
z_sample = np.array([[grid_x[0], grid_x[2]]])
x_decoded = vae.decoder.predict(z_sample, verbose=0)
print(x_decoded.shape, x_decoded.dtype, x_decoded[0].reshape(28, 28).shape)
z_mean, _, _ = vae.encoder.predict(mnist_digits[:10], verbose=0)
print(z_mean.shape)
print(keras.losses.binary_crossentropy(mnist_digits[:2], mnist_digits[:2] * 0 + 0.5).shape)
s = Sampling()
print(s([np.zeros((2, 2), "float32"), np.zeros((2, 2), "float32")]).shape)
"""

TF_OUTPUT = [
    'Model: "encoder"',
    '┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩',
    '│ input_layer         │ (None, 28, 28, 1) │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv2d (Conv2D)     │ (None, 14, 14,    │        320 │ input_layer[0][0] │',
    '│                     │ 32)               │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv2d_1 (Conv2D)   │ (None, 7, 7, 64)  │     18,496 │ conv2d[0][0]      │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ flatten (Flatten)   │ (None, 3136)      │          0 │ conv2d_1[0][0]    │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dense (Dense)       │ (None, 16)        │     50,192 │ flatten[0][0]     │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ z_mean (Dense)      │ (None, 2)         │         34 │ dense[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ z_log_var (Dense)   │ (None, 2)         │         34 │ dense[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sampling (Sampling) │ (None, 2)         │          0 │ z_mean[0][0],     │',
    '│                     │                   │            │ z_log_var[0][0]   │',
    '└─────────────────────┴───────────────────┴────────────┴───────────────────┘',
    ' Total params: 69,076 (269.83 KB)',
    ' Trainable params: 69,076 (269.83 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Model: "decoder"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer_1 (InputLayer)      │ (None, 2)              │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 3136)           │         9,408 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ reshape (Reshape)               │ (None, 7, 7, 64)       │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_transpose                │ (None, 14, 14, 64)     │        36,928 │',
    '│ (Conv2DTranspose)               │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_transpose_1              │ (None, 28, 28, 32)     │        18,464 │',
    '│ (Conv2DTranspose)               │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_transpose_2              │ (None, 28, 28, 1)      │           289 │',
    '│ (Conv2DTranspose)               │                        │               │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 65,089 (254.25 KB)',
    ' Trainable params: 65,089 (254.25 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Epoch 1/2',
    None,
    'Epoch 2/2',
    None,
    "{'kl_loss': [0.019160322844982147, 0.0026900996454060078], 'loss': [543.4503173828125, 543.4210205078125], 'reconstruction_loss': [543.43115234375, 543.4183349609375]}",
    "['total_loss', 'reconstruction_loss', 'kl_loss'] 18 18",
    '(1, 28, 28, 1) float32 (28, 28)',
    '(10, 2)',
    '(2, 28, 28)',
    '(2, 2)',
    '',
]

_PROGRESS = re.compile(r"^2/2 ━{20} \d+m?s \d+m?s/step - kl_loss: \d+\.\d{4} - loss: 543\.\d{4} "
                       r"- reconstruction_loss: 543\.\d{4}$")


def test_vae(monkeypatch):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.setitem(os.environ, "KERAS_BACKEND", "tensorflow")     # (the program sets it)
    out = io.StringIO()
    program = renamed(PROGRAM).replace("import tensorflow as tf", "import glassnet as tf")
    with contextlib.redirect_stdout(out):
        exec(compile(program, "vae", "exec"), {})
    lines = out.getvalue().split("\n")
    assert len(lines) == len(TF_OUTPUT), "\n".join(lines)
    for got, want in zip(lines, TF_OUTPUT):
        if want is None:
            assert _PROGRESS.match(got), got
        elif want.startswith("{'kl_loss'"):
            assert _numbers_close(got, want, rtol=1e-3), (got, want)
        else:
            assert got == want
