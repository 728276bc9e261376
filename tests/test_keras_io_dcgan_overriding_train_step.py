"""keras.io's example "GAN overriding Model.train_step" (examples/generative/dcgan_overriding_train_step.py)
in its tf.keras MNIST form, run renamed on stand-in MNIST arrays (8 images, batches of 4, one
epoch): tf.data.Dataset.from_tensor_slices(...).shuffle(1024).batch(8).prefetch(32) and its
element_spec, the discriminator (Conv2D, LeakyReLU(alpha=0.2), GlobalMaxPooling2D) and generator
(Dense, Reshape, Conv2DTranspose) summaries, the GAN(keras.Model) whose compile() takes its own
arguments and calls super().compile() with none, its train_step (tf.shape, tf.random.normal/uniform,
tf.concat, two tapes and two Adam optimizers, BinaryCrossentropy(from_logits=True)), fit printing
d_loss and g_loss, the GANMonitor callback (no super().__init__()) saving PNGs through
keras.preprocessing.image.array_to_img, model.metrics (the loss tracker only) and the optimizers'
iterations. TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15. The losses come from
TensorFlow's unseeded global draws inside train_step (tf.random.normal, the shuffle), which glassnet
does not reproduce: their lines are compared in form.
"""

from conftest import assert_program_prints

from glassnet import keras

PROGRAM = r'''import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
import numpy as np
import os
keras.utils.set_random_seed(0)

batch_size = 4
r = np.random.default_rng(0)
(x_train, _), (x_test, _) = (r.integers(0, 256, (6, 28, 28), dtype=np.uint8), None), (r.integers(0, 256, (2, 28, 28), dtype=np.uint8), None)
all_digits = np.concatenate([x_train, x_test])
all_digits = all_digits.astype("float32") / 255
all_digits = np.reshape(all_digits, (-1, 28, 28, 1))
dataset = tf.data.Dataset.from_tensor_slices(all_digits)
dataset = dataset.shuffle(buffer_size=1024).batch(batch_size).prefetch(32)
print(dataset.element_spec)

discriminator = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(64, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(alpha=0.2),
        layers.Conv2D(128, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(alpha=0.2),
        layers.GlobalMaxPooling2D(),
        layers.Dense(1),
    ],
    name="discriminator",
)
discriminator.summary()
latent_dim = 128
generator = keras.Sequential(
    [
        keras.Input(shape=(latent_dim,)),
        layers.Dense(7 * 7 * 128),
        layers.LeakyReLU(alpha=0.2),
        layers.Reshape((7, 7, 128)),
        layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"),
        layers.LeakyReLU(alpha=0.2),
        layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"),
        layers.LeakyReLU(alpha=0.2),
        layers.Conv2D(1, (7, 7), padding="same", activation="sigmoid"),
    ],
    name="generator",
)
generator.summary()

class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super(GAN, self).__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super(GAN, self).compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real_images):
        batch_size = tf.shape(real_images)[0]
        random_latent_vectors = tf.random.normal(shape=(batch_size, self.latent_dim))
        generated_images = self.generator(random_latent_vectors)
        combined_images = tf.concat([generated_images, real_images], axis=0)
        labels = tf.concat([tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * tf.random.uniform(tf.shape(labels))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined_images)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        random_latent_vectors = tf.random.normal(shape=(batch_size, self.latent_dim))
        misleading_labels = tf.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(random_latent_vectors))
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return {"d_loss": d_loss, "g_loss": g_loss}

class GANMonitor(keras.callbacks.Callback):
    def __init__(self, num_img=3, latent_dim=128):
        self.num_img = num_img
        self.latent_dim = latent_dim

    def on_epoch_end(self, epoch, logs=None):
        random_latent_vectors = tf.random.normal(shape=(self.num_img, self.latent_dim))
        generated_images = self.model.generator(random_latent_vectors)
        generated_images *= 255
        generated_images.numpy()
        for i in range(self.num_img):
            img = keras.preprocessing.image.array_to_img(generated_images[i])
            img.save("generated_img_{i}_{epoch}.png".format(i=i, epoch=epoch))

epochs = 1
gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
gan.compile(
    d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
    g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
    loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
)
h = gan.fit(dataset, epochs=epochs, callbacks=[GANMonitor(num_img=3, latent_dim=latent_dim)])
print(sorted(h.history), len(h.history["d_loss"]), type(h.history["d_loss"][0]).__name__)
print(sorted(os.listdir(".")))
from PIL import Image
im = Image.open("generated_img_0_0.png")
print(im.size, im.mode)
print(len(gan.trainable_weights), len(gan.weights), [m.name for m in gan.metrics])
print(gan.d_optimizer.iterations.numpy(), gan.g_optimizer.iterations.numpy())
'''

TF_OUTPUT = [
    'TensorSpec(shape=(None, 28, 28, 1), dtype=tf.float32, name=None)',
    'Model: "discriminator"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d (Conv2D)                 │ (None, 14, 14, 64)     │           640 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu (LeakyReLU)         │ (None, 14, 14, 64)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 7, 7, 128)      │        73,856 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu_1 (LeakyReLU)       │ (None, 7, 7, 128)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_max_pooling2d            │ (None, 128)            │             0 │',
    '│ (GlobalMaxPooling2D)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 1)              │           129 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 74,625 (291.50 KB)',
    ' Trainable params: 74,625 (291.50 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Model: "generator"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense_1 (Dense)                 │ (None, 6272)           │       809,088 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu_2 (LeakyReLU)       │ (None, 6272)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ reshape (Reshape)               │ (None, 7, 7, 128)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_transpose                │ (None, 14, 14, 128)    │       262,272 │',
    '│ (Conv2DTranspose)               │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu_3 (LeakyReLU)       │ (None, 14, 14, 128)    │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_transpose_1              │ (None, 28, 28, 128)    │       262,272 │',
    '│ (Conv2DTranspose)               │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu_4 (LeakyReLU)       │ (None, 28, 28, 128)    │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (None, 28, 28, 1)      │         6,273 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 1,339,905 (5.11 MB)',
    ' Trainable params: 1,339,905 (5.11 MB)',
    ' Non-trainable params: 0 (0.00 B)',
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - d_loss: 0.6950 - g_loss: 0.7208',
    "['d_loss', 'g_loss'] 1 float",
    "['generated_img_0_0.png', 'generated_img_1_0.png', 'generated_img_2_0.png']",
    '(28, 28) L',
    "14 14 ['loss']",
    '2 2',
    '',
]

def test_dcgan_overriding_train_step(monkeypatch, tmp_path):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.chdir(tmp_path)                 # (the program writes its files here)
    assert_program_prints(PROGRAM, TF_OUTPUT, progress_form_only=True)
