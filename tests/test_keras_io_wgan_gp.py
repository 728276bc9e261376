"""keras.io's example "WGAN-GP overriding Model.train_step" (examples/generative/wgan_gp.py), run
renamed on stand-in Fashion-MNIST arrays (8 images, batches of 4, one epoch): the critic
(ZeroPadding2D, strided 5x5 Conv2D, LeakyReLU, Dropout, Flatten, Dense) and generator (Dense,
BatchNormalization, UpSampling2D, Conv2D, Cropping2D) summaries, the WGAN(keras.Model) train_step
with three critic steps, each with the gradient penalty: a tape nested inside the critic's tape,
gp_tape.gradient(pred, [interpolated]) and its norm differentiated again w.r.t. the critic's
weights (a second derivative through every critic layer: ZeroPadding2D now records tf.pad for
nested tapes), Adam(beta_1=0.5, beta_2=0.9), the GANMonitor's PNGs, the optimizers' iterations.
Then the penalty alone on a small seeded critic and fixed inputs: its value and second-order
gradients equal TF's, the Conv2D bias's zeros (connected through LeakyReLU's gradient, whose own
derivative is 0) and the Dense bias's None (not connected) included. TF_OUTPUT was recorded under
TensorFlow 2.21 / Keras 3.15; the fit's losses come from TF's unseeded global draws inside
train_step, so their line is compared in form.
"""

from conftest import assert_program_prints

from glassnet import keras

PROGRAM = r'''import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
import os, time, sys
keras.utils.set_random_seed(0)

IMG_SHAPE = (28, 28, 1)
BATCH_SIZE = 4
noise_dim = 128
r = np.random.default_rng(0)
(train_images, train_labels), (test_images, test_labels) = (r.integers(0, 256, (8, 28, 28), dtype=np.uint8), r.integers(0, 10, 8, dtype=np.uint8)), (None, None)
print(f"Number of examples: {len(train_images)}")
print(f"Shape of the images in the dataset: {train_images.shape[1:]}")
train_images = train_images.reshape(train_images.shape[0], *IMG_SHAPE).astype("float32")
train_images = (train_images - 127.5) / 127.5

def conv_block(x, filters, activation, kernel_size=(3, 3), strides=(1, 1), padding="same", use_bias=True, use_bn=False, use_dropout=False, drop_value=0.5):
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias)(x)
    if use_bn:
        x = layers.BatchNormalization()(x)
    x = activation(x)
    if use_dropout:
        x = layers.Dropout(drop_value)(x)
    return x

def get_discriminator_model():
    img_input = layers.Input(shape=IMG_SHAPE)
    x = layers.ZeroPadding2D((2, 2))(img_input)
    x = conv_block(x, 64, kernel_size=(5, 5), strides=(2, 2), use_bn=False, use_bias=True, activation=layers.LeakyReLU(0.2), use_dropout=False, drop_value=0.3)
    x = conv_block(x, 128, kernel_size=(5, 5), strides=(2, 2), use_bn=False, activation=layers.LeakyReLU(0.2), use_bias=True, use_dropout=True, drop_value=0.3)
    x = conv_block(x, 256, kernel_size=(5, 5), strides=(2, 2), use_bn=False, activation=layers.LeakyReLU(0.2), use_bias=True, use_dropout=True, drop_value=0.3)
    x = conv_block(x, 512, kernel_size=(5, 5), strides=(2, 2), use_bn=False, activation=layers.LeakyReLU(0.2), use_bias=True, use_dropout=False, drop_value=0.3)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(1)(x)
    d_model = keras.models.Model(img_input, x, name="discriminator")
    return d_model

d_model = get_discriminator_model()
d_model.summary()

def upsample_block(x, filters, activation, kernel_size=(3, 3), strides=(1, 1), up_size=(2, 2), padding="same", use_bn=False, use_bias=True, use_dropout=False, drop_value=0.3):
    x = layers.UpSampling2D(up_size)(x)
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias)(x)
    if use_bn:
        x = layers.BatchNormalization()(x)
    if activation:
        x = activation(x)
    if use_dropout:
        x = layers.Dropout(drop_value)(x)
    return x

def get_generator_model():
    noise = layers.Input(shape=(noise_dim,))
    x = layers.Dense(4 * 4 * 256, use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Reshape((4, 4, 256))(x)
    x = upsample_block(x, 128, layers.LeakyReLU(0.2), strides=(1, 1), use_bias=False, use_bn=True, padding="same", use_dropout=False)
    x = upsample_block(x, 64, layers.LeakyReLU(0.2), strides=(1, 1), use_bias=False, use_bn=True, padding="same", use_dropout=False)
    x = upsample_block(x, 1, layers.Activation("tanh"), strides=(1, 1), use_bias=False, use_bn=True)
    x = layers.Cropping2D((2, 2))(x)
    g_model = keras.models.Model(noise, x, name="generator")
    return g_model

g_model = get_generator_model()
g_model.summary()

class WGAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim, discriminator_extra_steps=3, gp_weight=10.0):
        super(WGAN, self).__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_steps = discriminator_extra_steps
        self.gp_weight = gp_weight

    def compile(self, d_optimizer, g_optimizer, d_loss_fn, g_loss_fn):
        super(WGAN, self).compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.d_loss_fn = d_loss_fn
        self.g_loss_fn = g_loss_fn

    def gradient_penalty(self, batch_size, real_images, fake_images):
        alpha = tf.random.normal([batch_size, 1, 1, 1], 0.0, 1.0)
        diff = fake_images - real_images
        interpolated = real_images + alpha * diff
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(interpolated)
            pred = self.discriminator(interpolated, training=True)
        grads = gp_tape.gradient(pred, [interpolated])[0]
        norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]))
        gp = tf.reduce_mean((norm - 1.0) ** 2)
        return gp

    def train_step(self, real_images):
        if isinstance(real_images, tuple):
            real_images = real_images[0]
        batch_size = tf.shape(real_images)[0]
        for i in range(self.d_steps):
            random_latent_vectors = tf.random.normal(shape=(batch_size, self.latent_dim))
            with tf.GradientTape() as tape:
                fake_images = self.generator(random_latent_vectors, training=True)
                fake_logits = self.discriminator(fake_images, training=True)
                real_logits = self.discriminator(real_images, training=True)
                d_cost = self.d_loss_fn(real_img=real_logits, fake_img=fake_logits)
                gp = self.gradient_penalty(batch_size, real_images, fake_images)
                d_loss = d_cost + gp * self.gp_weight
            d_gradient = tape.gradient(d_loss, self.discriminator.trainable_variables)
            self.d_optimizer.apply_gradients(zip(d_gradient, self.discriminator.trainable_variables))
        random_latent_vectors = tf.random.normal(shape=(batch_size, self.latent_dim))
        with tf.GradientTape() as tape:
            generated_images = self.generator(random_latent_vectors, training=True)
            gen_img_logits = self.discriminator(generated_images, training=True)
            g_loss = self.g_loss_fn(gen_img_logits)
        gen_gradient = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(gen_gradient, self.generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss}

class GANMonitor(keras.callbacks.Callback):
    def __init__(self, num_img=6, latent_dim=128):
        self.num_img = num_img
        self.latent_dim = latent_dim

    def on_epoch_end(self, epoch, logs=None):
        random_latent_vectors = tf.random.normal(shape=(self.num_img, self.latent_dim))
        generated_images = self.model.generator(random_latent_vectors)
        generated_images = (generated_images * 127.5) + 127.5
        for i in range(self.num_img):
            img = generated_images[i].numpy()
            img = keras.preprocessing.image.array_to_img(img)
            img.save("generated_img_{i}_{epoch}.png".format(i=i, epoch=epoch))

generator_optimizer = keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5, beta_2=0.9)
discriminator_optimizer = keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5, beta_2=0.9)

def discriminator_loss(real_img, fake_img):
    real_loss = tf.reduce_mean(real_img)
    fake_loss = tf.reduce_mean(fake_img)
    return fake_loss - real_loss

def generator_loss(fake_img):
    return -tf.reduce_mean(fake_img)

epochs = 1
cbk = GANMonitor(num_img=3, latent_dim=noise_dim)
wgan = WGAN(discriminator=d_model, generator=g_model, latent_dim=noise_dim, discriminator_extra_steps=3)
wgan.compile(d_optimizer=discriminator_optimizer, g_optimizer=generator_optimizer, g_loss_fn=generator_loss, d_loss_fn=discriminator_loss)
t0 = time.time()
h = wgan.fit(train_images, batch_size=BATCH_SIZE, epochs=epochs, callbacks=[cbk])
print("fit took", time.time() - t0, file=sys.stderr)
print(sorted(h.history), sorted(f for f in os.listdir(".") if f.endswith(".png")))
print(discriminator_optimizer.iterations.numpy(), generator_optimizer.iterations.numpy())

# the gradient penalty alone, on fixed weights and inputs: deterministic
keras.utils.set_random_seed(1)
d2 = keras.Sequential([keras.Input((6, 6, 1)), layers.Conv2D(3, 3, strides=2, padding="same"), layers.LeakyReLU(0.2), layers.Flatten(), layers.Dense(1)])
xr = np.linspace(-1, 1, 2 * 36, dtype="float32").reshape(2, 6, 6, 1)
xi = tf.constant(xr[::-1].copy())
with tf.GradientTape() as tape:
    with tf.GradientTape() as gp_tape:
        gp_tape.watch(xi)
        pred = d2(xi, training=True)
    grads = gp_tape.gradient(pred, [xi])[0]
    norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]))
    gp = tf.reduce_mean((norm - 1.0) ** 2)
g = tape.gradient(gp, d2.trainable_variables)
print(np.round(float(gp), 5), [None if v is None else tuple(v.shape) for v in g], float(np.abs(g[1].numpy()).max()))
print(np.round(g[0].numpy().ravel()[:6], 5), np.round(g[2].numpy().ravel()[:6], 5))
'''

TF_OUTPUT = [
    'Number of examples: 8',
    'Shape of the images in the dataset: (28, 28)',
    'Model: "discriminator"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer (InputLayer)        │ (None, 28, 28, 1)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ zero_padding2d (ZeroPadding2D)  │ (None, 32, 32, 1)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d (Conv2D)                 │ (None, 16, 16, 64)     │         1,664 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu (LeakyReLU)         │ (None, 16, 16, 64)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 8, 8, 128)      │       204,928 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu_1 (LeakyReLU)       │ (None, 8, 8, 128)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, 8, 8, 128)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (None, 4, 4, 256)      │       819,456 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu_2 (LeakyReLU)       │ (None, 4, 4, 256)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout_1 (Dropout)             │ (None, 4, 4, 256)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_3 (Conv2D)               │ (None, 2, 2, 512)      │     3,277,312 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu_3 (LeakyReLU)       │ (None, 2, 2, 512)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ flatten (Flatten)               │ (None, 2048)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout_2 (Dropout)             │ (None, 2048)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 1)              │         2,049 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 4,305,409 (16.42 MB)',
    ' Trainable params: 4,305,409 (16.42 MB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Model: "generator"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer_1 (InputLayer)      │ (None, 128)            │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 4096)           │       524,288 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization             │ (None, 4096)           │        16,384 │',
    '│ (BatchNormalization)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu_4 (LeakyReLU)       │ (None, 4096)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ reshape (Reshape)               │ (None, 4, 4, 256)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ up_sampling2d (UpSampling2D)    │ (None, 8, 8, 256)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_4 (Conv2D)               │ (None, 8, 8, 128)      │       294,912 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization_1           │ (None, 8, 8, 128)      │           512 │',
    '│ (BatchNormalization)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu_5 (LeakyReLU)       │ (None, 8, 8, 128)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ up_sampling2d_1 (UpSampling2D)  │ (None, 16, 16, 128)    │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_5 (Conv2D)               │ (None, 16, 16, 64)     │        73,728 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization_2           │ (None, 16, 16, 64)     │           256 │',
    '│ (BatchNormalization)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu_6 (LeakyReLU)       │ (None, 16, 16, 64)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ up_sampling2d_2 (UpSampling2D)  │ (None, 32, 32, 64)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_6 (Conv2D)               │ (None, 32, 32, 1)      │           576 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization_3           │ (None, 32, 32, 1)      │             4 │',
    '│ (BatchNormalization)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ activation (Activation)         │ (None, 32, 32, 1)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ cropping2d (Cropping2D)         │ (None, 28, 28, 1)      │             0 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 910,660 (3.47 MB)',
    ' Trainable params: 902,082 (3.44 MB)',
    ' Non-trainable params: 8,578 (33.51 KB)',
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - d_loss: 8.0154 - g_loss: 0.0710',
    "['d_loss', 'g_loss'] ['generated_img_0_0.png', 'generated_img_1_0.png', 'generated_img_2_0.png']",
    '6 2',
    '0.24476 [(3, 3, 1, 3), (3,), (27, 1), None] 0.0',
    '[ 0.09733 -0.19553  0.03048  0.04052  0.10778  0.05646] [-0.17578  0.04418 -0.20643 -0.04566  0.09778  0.06921]',
    '',
]

def test_wgan_gp(monkeypatch, tmp_path):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.chdir(tmp_path)                 # (the program writes its files here)
    assert_program_prints(PROGRAM, TF_OUTPUT, progress_form_only=True)
