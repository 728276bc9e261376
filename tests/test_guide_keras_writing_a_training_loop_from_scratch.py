"""Keras's guide "Writing a training loop from scratch in TensorFlow" (keras.io / tensorflow.org,
Keras 3), run renamed (``import glassnet as tf``; ``from glassnet import keras``) on random
stand-in arrays (640 rows, 64 images) in place of MNIST, two epochs.

What it prints (the loop's lines, sample counts, metric types, model.losses, the summary) was
recorded from the same program under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python).
"""
import re

import numpy as np

import glassnet as tf
from glassnet import keras
from glassnet.keras import layers

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
│ dense_6 (Dense)                 │ (None, 1)              │           129 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 74,625 (291.50 KB)
 Trainable params: 74,625 (291.50 KB)
 Non-trainable params: 0 (0.00 B)"""


def get_model():
    inputs = keras.Input(shape=(784,), name="digits")
    x1 = keras.layers.Dense(64, activation="relu")(inputs)
    x2 = keras.layers.Dense(64, activation="relu")(x1)
    outputs = keras.layers.Dense(10, name="predictions")(x2)
    return keras.Model(inputs=inputs, outputs=outputs)


def test_writing_a_training_loop_from_scratch(capsys):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = get_model()
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    batch_size = 32
    rng = np.random.default_rng(0)
    x_train, y_train = rng.random((640, 784)).astype("float32"), rng.integers(0, 10, 640)
    x_val, y_val, x_train, y_train = x_train[-128:], y_train[-128:], x_train[:-128], y_train[:-128]
    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(buffer_size=1024).batch(batch_size)
    val_dataset = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(batch_size)
    epochs = 2
    first = model.get_weights()[0].copy()
    losses = []
    for epoch in range(epochs):
        print(f"\nStart of epoch {epoch}")
        for step, (x_batch_train, y_batch_train) in enumerate(train_dataset):
            with tf.GradientTape() as tape:
                logits = model(x_batch_train, training=True)
                loss_value = loss_fn(y_batch_train, logits)
            grads = tape.gradient(loss_value, model.trainable_weights)
            optimizer.apply(grads, model.trainable_weights)
            losses.append(float(loss_value))
            if step % 8 == 0:
                print(f"Training loss (for 1 batch) at step {step}: {float(loss_value):.4f}")
                print(f"Seen so far: {(step + 1) * batch_size} samples")
    lines = capsys.readouterr().out.split("\n")
    # TF 2.21: "", "Start of epoch 0", "Training loss (for 1 batch) at step 0: 2.4...", "Seen so far: 32 samples", ...
    assert [re.sub(r": \d+\.\d{4}$", ": X", line) for line in lines] == [
        "", "Start of epoch 0", "Training loss (for 1 batch) at step 0: X", "Seen so far: 32 samples",
        "Training loss (for 1 batch) at step 8: X", "Seen so far: 288 samples",
        "", "Start of epoch 1", "Training loss (for 1 batch) at step 0: X", "Seen so far: 32 samples",
        "Training loss (for 1 batch) at step 8: X", "Seen so far: 288 samples", ""]
    assert int(optimizer.iterations) == 32 and not np.array_equal(first, model.get_weights()[0])   # TF 2.21: 32
    assert np.mean(losses[-8:]) < np.mean(losses[:8])

    # metrics in the loop: update_state / result / reset_state
    model = get_model()
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    train_acc_metric = keras.metrics.SparseCategoricalAccuracy()
    val_acc_metric = keras.metrics.SparseCategoricalAccuracy()
    for epoch in range(epochs):
        for step, (x_batch_train, y_batch_train) in enumerate(train_dataset):
            with tf.GradientTape() as tape:
                logits = model(x_batch_train, training=True)
                loss_value = loss_fn(y_batch_train, logits)
            grads = tape.gradient(loss_value, model.trainable_weights)
            optimizer.apply(grads, model.trainable_weights)
            train_acc_metric.update_state(y_batch_train, logits)
        train_acc = train_acc_metric.result()
        train_acc_metric.reset_state()
        for x_batch_val, y_batch_val in val_dataset:
            val_acc_metric.update_state(y_batch_val, model(x_batch_val, training=False))
        val_acc = val_acc_metric.result()
        val_acc_metric.reset_state()
    assert train_acc.dtype == np.float32 and 0.0 <= float(train_acc) <= 1.0 and 0 <= float(val_acc) <= 1
    assert float(val_acc_metric.result()) == 0.0                              # TF 2.21: reset, 0.0

    # the steps as tf.function
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss_value = loss_fn(y, logits)
        grads = tape.gradient(loss_value, model.trainable_weights)
        optimizer.apply(grads, model.trainable_weights)
        train_acc_metric.update_state(y, logits)
        return loss_value

    @tf.function
    def test_step(x, y):
        val_acc_metric.update_state(y, model(x, training=False))

    for x_batch_train, y_batch_train in train_dataset:
        loss_value = train_step(x_batch_train, y_batch_train)
    for x_batch_val, y_batch_val in val_dataset:
        test_step(x_batch_val, y_batch_val)
    assert tuple(loss_value.shape) == () and int(val_acc_metric.count) == 128

    # losses added by layers: loss + sum(model.losses)
    class ActivityRegularizationLayer(keras.layers.Layer):
        def call(self, inputs):
            self.add_loss(1e-2 * tf.reduce_sum(inputs))
            return inputs

    inputs = keras.Input(shape=(784,), name="digits")
    x = keras.layers.Dense(64, activation="relu")(inputs)
    x = ActivityRegularizationLayer()(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    model = keras.Model(inputs=inputs, outputs=keras.layers.Dense(10, name="predictions")(x))
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)

    @tf.function
    def train_step_with_losses(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss_value = loss_fn(y, logits)
            loss_value += sum(model.losses)
        grads = tape.gradient(loss_value, model.trainable_weights)
        optimizer.apply(grads, model.trainable_weights)
        return loss_value

    lv = train_step_with_losses(x_train[:32], y_train[:32])
    assert len(model.losses) == 1 and float(lv) > 2                         # TF 2.21: 1 True

    # an end-to-end GAN, one step
    discriminator = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(64, (3, 3), strides=(2, 2), padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(128, (3, 3), strides=(2, 2), padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.GlobalMaxPooling2D(), layers.Dense(1)], name="discriminator")
    capsys.readouterr()
    discriminator.summary()
    assert capsys.readouterr().out.strip("\n") == DISCRIMINATOR
    latent_dim = 128
    generator = keras.Sequential([
        keras.Input(shape=(latent_dim,)), layers.Dense(7 * 7 * 128), layers.LeakyReLU(negative_slope=0.2),
        layers.Reshape((7, 7, 128)),
        layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(1, (7, 7), padding="same", activation="sigmoid")], name="generator")
    d_optimizer = keras.optimizers.Adam(learning_rate=0.0003)
    g_optimizer = keras.optimizers.Adam(learning_rate=0.0004)
    gan_loss = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def gan_step(real_images):
        random_latent_vectors = tf.random.normal(shape=(batch_size, latent_dim))
        generated_images = generator(random_latent_vectors)
        combined_images = tf.concat([generated_images, real_images], axis=0)
        labels = tf.concat([tf.ones((batch_size, 1)), tf.zeros((real_images.shape[0], 1))], axis=0)
        labels += 0.05 * tf.random.uniform(labels.shape)
        with tf.GradientTape() as tape:
            d_loss = gan_loss(labels, discriminator(combined_images))
        grads = tape.gradient(d_loss, discriminator.trainable_weights)
        d_optimizer.apply(grads, discriminator.trainable_weights)
        random_latent_vectors = tf.random.normal(shape=(batch_size, latent_dim))
        misleading_labels = tf.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            g_loss = gan_loss(misleading_labels, discriminator(generator(random_latent_vectors)))
        grads = tape.gradient(g_loss, generator.trainable_weights)
        g_optimizer.apply(grads, generator.trainable_weights)
        return d_loss, g_loss, generated_images

    all_digits = rng.random((64, 28, 28)).astype("float32").reshape(-1, 28, 28, 1)
    dataset = tf.data.Dataset.from_tensor_slices(all_digits).shuffle(buffer_size=1024).batch(batch_size)
    g_before = generator.get_weights()[0].copy()
    for real_images in dataset.take(1):
        d_loss, g_loss, generated_images = gan_step(real_images)
    assert tuple(generated_images.shape) == (32, 28, 28, 1)
    assert 0.3 < float(d_loss) < 1.5 and 0.3 < float(g_loss) < 1.5          # TF 2.21: True True
    assert not np.array_equal(g_before, generator.get_weights()[0])
