"""Keras's guide "Customizing what happens in fit() with TensorFlow" (keras.io / tensorflow.org,
Keras 3), run renamed (``import glassnet as tf``; ``from glassnet import keras``), on small
random arrays as the guide uses (fewer rows) and 64 random images in place of MNIST.

Summaries, history keys, metric names and the data a step is handed were recorded from the same
program under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python); layer names count from a
cleared session, as in a fresh Keras process.
"""
import re

import numpy as np
import pytest

import glassnet as tf
from glassnet import keras
from glassnet.keras import layers

CUSTOM_MODEL3 = """\
Model: "custom_model3"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ input_layer_2 (InputLayer)      │ (None, 32)             │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_2 (Dense)                 │ (None, 1)              │            33 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 101 (408.00 B)
 Trainable params: 33 (132.00 B)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 68 (276.00 B)"""

DISCRIMINATOR = """\
Model: "discriminator"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ conv2d (Conv2D)                 │ (None, 14, 14, 64)     │           640 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ leaky_re_lu (LeakyReLU)         │ (None, 14, 14, 64)     │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv2d_1 (Conv2D)               │ (None, 7, 7, 128)      │        73,856 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ leaky_re_lu_1 (LeakyReLU)       │ (None, 7, 7, 128)      │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ global_max_pooling2d            │ (None, 128)            │             0 │
│ (GlobalMaxPooling2D)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_4 (Dense)                 │ (None, 1)              │           129 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 74,625 (291.50 KB)
 Trainable params: 74,625 (291.50 KB)
 Non-trainable params: 0 (0.00 B)"""

GENERATOR = """\
Model: "generator"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense_5 (Dense)                 │ (None, 6272)           │       809,088 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ leaky_re_lu_2 (LeakyReLU)       │ (None, 6272)           │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ reshape (Reshape)               │ (None, 7, 7, 128)      │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv2d_transpose                │ (None, 14, 14, 128)    │       262,272 │
│ (Conv2DTranspose)               │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ leaky_re_lu_3 (LeakyReLU)       │ (None, 14, 14, 128)    │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv2d_transpose_1              │ (None, 28, 28, 128)    │       262,272 │
│ (Conv2DTranspose)               │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ leaky_re_lu_4 (LeakyReLU)       │ (None, 28, 28, 128)    │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv2d_2 (Conv2D)               │ (None, 28, 28, 1)      │         6,273 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 1,339,905 (5.11 MB)
 Trainable params: 1,339,905 (5.11 MB)
 Non-trainable params: 0 (0.00 B)"""


def _guide_step(self, data, sample_weight=None):
    x, y = data
    with tf.GradientTape() as tape:
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
    trainable_vars = self.trainable_variables
    gradients = tape.gradient(loss, trainable_vars)
    self.optimizer.apply(gradients, trainable_vars)
    for metric in self.metrics:
        if metric.name == "loss":
            metric.update_state(loss)
        else:
            metric.update_state(y, y_pred, sample_weight=sample_weight)
    return {m.name: m.result() for m in self.metrics}


class CustomModel(keras.Model):
    def train_step(self, data):
        return _guide_step(self, data)


class CustomModel2(keras.Model):
    """The sample_weight section's step, unpacking with keras.utils as Keras 3 suggests; it
    records what it is handed."""
    seen = []

    def train_step(self, data):
        self.seen.append(("train", len(data), [d is None for d in data]))
        x, y, sw = keras.utils.unpack_x_y_sample_weight(data)
        return _guide_step(self, (x, y), sw)

    def test_step(self, data):
        self.seen.append(("test", len(data), [d is None for d in data]))
        x, y, sw = keras.utils.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sw)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sw)
        return {m.name: m.result() for m in self.metrics}


class CustomModel3(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.loss_fn(y, y_pred)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply(gradients, trainable_vars)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


class CustomModel4(keras.Model):
    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.seed_generator = keras.random.SeedGenerator(1337)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real_images):
        if isinstance(real_images, tuple):
            real_images = real_images[0]
        batch_size = tf.shape(real_images)[0]
        random_latent_vectors = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
        generated_images = self.generator(random_latent_vectors)
        combined_images = tf.concat([generated_images, real_images], axis=0)
        labels = tf.concat([tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * keras.random.uniform(tf.shape(labels), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined_images)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply(grads, self.discriminator.trainable_weights)
        random_latent_vectors = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
        misleading_labels = tf.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(random_latent_vectors))
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply(grads, self.generator.trainable_weights)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def test_customizing_what_happens_in_fit_guide(capsys):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    x = np.random.random((100, 32))
    y = np.random.random((100, 1))

    # A first simple example
    inputs = keras.Input(shape=(32,))
    model = CustomModel(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]       # Keras 3.15's
    capsys.readouterr()
    history = model.fit(x, y, epochs=3, verbose=2)
    lines = capsys.readouterr().out.strip().split("\n")
    assert lines[0] == "Epoch 1/3" and len(lines) == 6
    # TF 2.21: "4/4 - 1s - 258ms/step - mae: 0.3989 - loss: 0.2607" (the step's keys, in its order)
    assert re.fullmatch(r"4/4 - \d+s - \d+(us|ms|s)/step - mae: \d\.\d{4} - loss: \d\.\d{4}", lines[1]), lines[1]
    assert sorted(history.history) == ["loss", "mae"] and isinstance(history.history["loss"][0], float)
    with pytest.raises(ValueError, match="too many values to unpack"):     # Keras hands (x, y, None) here
        model.train_on_batch(x[:8], y[:8])

    # train_on_batch / test_on_batch hand the step (x, y, sample_weight), as Keras 3 does
    inputs = keras.Input(shape=(32,))
    m2 = CustomModel2(inputs, keras.layers.Dense(1)(inputs))
    m2.compile(optimizer="adam", loss="mse", metrics=["mae"])
    r1 = m2.train_on_batch(x[:8], y[:8])
    r2 = m2.train_on_batch(x[8:16], y[8:16], return_dict=True)
    r3 = m2.test_on_batch(x[:8], y[:8])
    assert isinstance(r1, list) and len(r1) == 2 and sorted(r2) == ["loss", "mae"] and isinstance(r2["loss"], float)
    assert isinstance(r3, list)
    m2.train_on_batch(x[:8], (y[:8] > 0.5).astype("int32"), class_weight={0: 1.0, 1: 2.0})
    with pytest.raises(ValueError, match="`sample_weight` and `class_weight` cannot be specified at the same time"):
        m2.train_on_batch(x[:8], y[:8], sample_weight=np.ones(8), class_weight={0: 1.0})
    m2.fit(x, y, epochs=1, batch_size=50, verbose=0)
    m2.fit(x, y, sample_weight=np.ones(100), epochs=1, batch_size=50, verbose=0)
    m2.evaluate(x, y, batch_size=50, verbose=0)
    # Keras 3.15 (one traced call per kind): train (x, y, None) x2, test (x, y, None), train (x, y, sw),
    # then fit: (x, y); fit with sample_weight: (x, y, sw); evaluate: (x, y)
    kinds = []
    for entry in m2.seen:
        if not kinds or kinds[-1] != entry:
            kinds.append(entry)
    assert kinds == [("train", 3, [False, False, True]), ("test", 3, [False, False, True]),
                     ("train", 3, [False, False, False]), ("train", 2, [False, False]),
                     ("train", 3, [False, False, False]), ("test", 2, [False, False])]

    # Going lower-level: the model's own metrics
    inputs = keras.Input(shape=(32,))
    model = CustomModel3(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="adam")
    history = model.fit(x, y, epochs=2, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    capsys.readouterr()
    model.summary()
    assert capsys.readouterr().out.strip("\n") == CUSTOM_MODEL3

    # Providing your own evaluation step
    inputs = keras.Input(shape=(32,))
    model = CustomModel4(inputs, keras.layers.Dense(1)(inputs))
    model.compile(loss="mse", metrics=["mae"])
    result = model.evaluate(x, y, verbose=0)
    assert isinstance(result, list) and len(result) == 2
    assert sorted(model.evaluate(x, y, verbose=0, return_dict=True)) == ["loss", "mae"]
    err = (model.predict(x, verbose=0) - y) ** 2              # the loss tracker: a mean of the batches' means
    np.testing.assert_allclose(result[0], np.mean([err[i:i + 32].mean() for i in range(0, 100, 32)]), rtol=1e-5)

    # An end-to-end GAN (64 random images in place of MNIST's 70,000; one step)
    discriminator = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(64, (3, 3), strides=(2, 2), padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(128, (3, 3), strides=(2, 2), padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.GlobalMaxPooling2D(), layers.Dense(1)], name="discriminator")
    latent_dim = 128
    generator = keras.Sequential([
        keras.Input(shape=(latent_dim,)), layers.Dense(7 * 7 * 128), layers.LeakyReLU(negative_slope=0.2),
        layers.Reshape((7, 7, 128)),
        layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(1, (7, 7), padding="same", activation="sigmoid")], name="generator")
    capsys.readouterr()
    discriminator.summary()
    assert capsys.readouterr().out.strip("\n") == DISCRIMINATOR
    generator.summary()
    assert capsys.readouterr().out.strip("\n") == GENERATOR
    all_digits = np.random.default_rng(0).integers(0, 256, (64, 28, 28)).astype("float32") / 255.0
    all_digits = np.reshape(all_digits, (-1, 28, 28, 1))
    dataset = tf.data.Dataset.from_tensor_slices(all_digits).shuffle(buffer_size=1024).batch(16)
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
    gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
                g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
                loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    d_before = discriminator.get_weights()[0].copy()
    g_before = generator.get_weights()[0].copy()
    history = gan.fit(dataset.take(1), epochs=1, verbose=2)
    line = capsys.readouterr().out.strip().split("\n")[-1]
    # TF 2.21: "2/2 - 6s - 3s/step - d_loss: 0.6714 - g_loss: 0.6554" (two steps there)
    assert re.fullmatch(r"1/1 - \d+s - \d+(us|ms|s)/step - d_loss: \d\.\d{4} - g_loss: \d\.\d{4}", line), line
    assert sorted(history.history) == ["d_loss", "g_loss"]
    assert all(isinstance(v[0], float) and 0.3 < v[0] < 1.5 for v in history.history.values())
    assert not np.array_equal(d_before, discriminator.get_weights()[0])
    assert not np.array_equal(g_before, generator.get_weights()[0])
