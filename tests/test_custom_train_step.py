"""Keras's guide "Customizing what happens in fit()": a Model subclass's own train_step and
test_step run by fit, evaluate, train_on_batch and test_on_batch (glassnet/engine/custom_step.py).
Numbers are compared with glassnet's own plain fit where the two must agree."""
import os
import signal

import numpy as np
import pytest

import glassnet as tf
import glassnet.keras as keras
from glassnet.engine import custom_step, fastpath, step
from glassnet.keras import layers, ops


class CustomModel(keras.Model):
    """Part 1 of the guide, word for word."""

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def _data(n=256, d=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, d)).astype("float32"), rng.random((n, 1)).astype("float32")


def _model(cls, seed=1):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    return cls(inputs, outputs)


def _fit(model, x, y, seed=2, **kwargs):
    keras.utils.set_random_seed(seed)           # the same shuffles for both
    return model.fit(x, y, verbose=0, **kwargs)


def test_part1_train_step_trains_as_plain_fit_does():
    x, y = _data()
    custom, plain = _model(CustomModel), _model(keras.Model)
    for m in (custom, plain):
        m.compile(optimizer="adam", loss="mse", metrics=["mae"])
    h1, h2 = _fit(custom, x, y, epochs=3), _fit(plain, x, y, epochs=3)
    for a, b in zip(custom.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    # 256 samples in batches of 32: the mean of the steps' losses is the mean over samples
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(h1.history["mae"], h2.history["mae"], rtol=1e-5)
    assert list(h1.history) == ["mae", "loss"]          # Keras 3.15's order: its logs' keys sorted
    assert all(type(v) is float for v in h1.history["loss"] + h1.history["mae"])
    assert h1.history["loss"][-1] < h1.history["loss"][0]


def test_part1_model_metrics_are_keras3s_loss_tracker_and_compile_metrics():
    x, y = _data(64)
    model = _model(CustomModel)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]
    assert model.metrics_names == ["loss", "compile_metrics"]
    _fit(model, x, y, epochs=1)
    assert isinstance(model.metrics[1], custom_step.CompileMetrics)
    assert set(model.metrics[1].result()) == {"mae"}
    # compiled without metrics: the loss tracker alone
    bare = _model(CustomModel)
    bare.compile(optimizer="adam", loss="mse")
    assert [m.name for m in bare.metrics] == ["loss"]


def test_part1_compute_loss_is_the_compiled_loss_plus_the_models_losses():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(3,))
    outputs = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(0.1))(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    x, y = _data(8, 3)
    y_pred = model(x)
    got = float(model.compute_loss(y=y, y_pred=y_pred))
    kernel = model.layers[-1].kernel.numpy()
    want = float(np.mean((np.asarray(y_pred) - y) ** 2)) + 0.1 * float(np.sum(kernel ** 2))
    assert got == pytest.approx(want, rel=1e-5)
    sw = np.linspace(0, 1, 8).astype("float32")
    weighted = float(model.compute_loss(y=y, y_pred=y_pred, sample_weight=sw))
    per = np.mean((np.asarray(y_pred) - y) ** 2, axis=-1)
    assert weighted == pytest.approx(float(np.sum(per * sw) / 8) + 0.1 * float(np.sum(kernel ** 2)), rel=1e-5)


def test_fit_prints_the_steps_logs(capsys):
    x, y = _data(64)
    model = _model(CustomModel)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    keras.utils.set_random_seed(2)
    history = model.fit(x, y, epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out
    last = history.history
    assert f"mae: {last['mae'][-1]:.4f} - loss: {last['loss'][-1]:.4f}" in out


class LowLevel(keras.Model):
    """Part 2: compile(optimizer) alone; the model's own trackers and metrics property."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = keras.losses.mean_squared_error(y, y_pred)
            loss = ops.mean(loss)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_part2_own_trackers_reset_each_epoch_and_match_part1():
    x, y = _data()
    low, part1 = _model(LowLevel), _model(CustomModel)
    low.compile(optimizer="adam")
    part1.compile(optimizer="adam", loss="mse", metrics=["mae"])
    h_low, h_1 = _fit(low, x, y, epochs=3), _fit(part1, x, y, epochs=3)
    np.testing.assert_allclose(h_low.history["loss"], h_1.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(h_low.history["mae"], h_1.history["mae"], rtol=1e-5)
    for a, b in zip(low.get_weights(), part1.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert float(low.loss_tracker.count) == 256 / 32       # reset at each epoch's start: one epoch's steps


def test_loss_functions_exist_as_functions_and_ops():
    y, p = np.array([[0.0, 1.0]], "float32"), np.array([[0.5, 0.5]], "float32")
    assert float(ops.mean(keras.losses.mean_squared_error(y, p))) == pytest.approx(0.25)
    assert float(ops.mean(keras.losses.mean_absolute_error(y, p))) == pytest.approx(0.5)
    assert float(keras.losses.MeanSquaredError()(y, p)) == pytest.approx(0.25)


class Weighted(keras.Model):
    """Part 3: sample_weight."""

    seen = []

    def train_step(self, data):
        if len(data) == 3:
            x, y, sample_weight = data
        else:
            sample_weight = None
            x, y = data
        type(self).seen.append(len(data))
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}


def test_part3_sample_weight_reaches_the_step_and_weighs_the_loss():
    x, y = _data()
    sw = np.random.default_rng(3).random(256).astype("float32")
    custom, plain = _model(Weighted), _model(keras.Model)
    for m in (custom, plain):
        m.compile(optimizer="adam", loss="mse", metrics=["mae"])
    Weighted.seen = []
    h1, h2 = _fit(custom, x, y, epochs=2, sample_weight=sw), _fit(plain, x, y, epochs=2, sample_weight=sw)
    assert set(Weighted.seen) == {3}
    for a, b in zip(custom.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5)
    Weighted.seen = []
    _fit(custom, x, y, epochs=1)
    assert set(Weighted.seen) == {2}


class WithTestStep(CustomModel):
    """Part 4: test_step."""

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


def test_part4_evaluate_and_validation_run_test_step():
    x, y = _data()
    model = _model(WithTestStep)
    model.compile(loss="mse", metrics=["mae"])
    loss, mae = model.evaluate(x, y, batch_size=64, verbose=0)
    pred = np.asarray(model.predict(x, verbose=0))
    batch_mse = [np.mean((pred[i:i + 64] - y[i:i + 64]) ** 2) for i in range(0, 256, 64)]
    assert loss == pytest.approx(float(np.mean(batch_mse)), rel=1e-5)      # the Mean of the steps' losses
    assert mae == pytest.approx(float(np.mean(np.abs(pred - y))), rel=1e-5)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "mae"} and all(type(v) is float for v in logs.values())
    history = _fit(model, x, y, epochs=2, validation_data=(x[:64], y[:64]))
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    val = model.evaluate(x[:64], y[:64], verbose=0, return_dict=True)
    assert history.history["val_loss"][-1] == pytest.approx(val["loss"], rel=1e-6)
    split = _fit(model, x, y, epochs=1, validation_split=0.25)
    assert "val_loss" in split.history


def test_default_test_step_for_a_model_that_overrides_only_train_step():
    x, y = _data(64)
    model = _model(CustomModel)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    loss, mae = model.evaluate(x, y, batch_size=64, verbose=0)
    pred = np.asarray(model.predict(x, verbose=0))
    assert loss == pytest.approx(float(np.mean((pred - y) ** 2)), rel=1e-5)
    assert mae == pytest.approx(float(np.mean(np.abs(pred - y))), rel=1e-5)


def test_train_on_batch_and_test_on_batch_use_the_overrides():
    """Keras 3 hands a step run by train_on_batch / test_on_batch ``(x, y, sample_weight)``,
    None where not given: the guide's ``x, y = data`` fails there as in Keras (TF 2.21:
    "ValueError: too many values to unpack (expected 2)"), keras.utils.unpack_x_y_sample_weight reads it."""
    calls = []

    class Counting(WithTestStep):
        def train_step(self, data):
            calls.append(("train", len(data), data[2]))
            x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
            return super().train_step((x, y))

        def test_step(self, data):
            calls.append(("test", len(data), data[2]))
            x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
            return super().test_step((x, y))

    x, y = _data(16)
    with pytest.raises(ValueError, match="too many values to unpack"):
        guide = _model(WithTestStep)
        guide.compile(optimizer="adam", loss="mse")
        guide.train_on_batch(x, y)
    model = _model(Counting)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    before = model.get_weights()[0].copy()
    out = model.train_on_batch(x, y, return_dict=True)
    assert calls == [("train", 3, None)] and set(out) == {"loss", "mae"}
    assert not np.array_equal(before, model.get_weights()[0])
    out = model.test_on_batch(x, y)
    assert calls[1:] == [("test", 3, None)] and isinstance(out, list) and len(out) == 2
    model.train_on_batch(x, (y > 0.5).astype("int32"), class_weight={0: 1.0, 1: 2.0})
    np.testing.assert_array_equal(np.asarray(calls[2][2]), np.where(y > 0.5, 2.0, 1.0).ravel())
    with pytest.raises(ValueError, match="cannot be specified at the same time"):
        model.train_on_batch(x, y, sample_weight=np.ones(16), class_weight={0: 1.0})


def test_fast_path_is_never_chosen_for_a_train_step_of_ones_own(monkeypatch):
    model = _model(CustomModel)
    model.compile(optimizer="adam", loss="mse")
    assert fastpath.choose(model) is step.train_step
    from glassnet.fast import dense as fast_dense

    def refuse(*a, **k):
        raise AssertionError("the fast step ran")
    monkeypatch.setattr(fast_dense, "train_step", refuse)
    x, y = _data(64)
    _fit(model, x, y, epochs=1)


# -- Part 5: the GAN ------------------------------------------------------------------------
class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(1337)

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real_images):
        type(self).given.append(type(real_images))
        batch_size = tf.shape(real_images)[0]
        random_latent_vectors = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
        generated_images = self.generator(random_latent_vectors)
        combined_images = ops.concatenate([generated_images, real_images], axis=0)
        labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * tf.random.uniform(tf.shape(labels))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined_images)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        random_latent_vectors = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
        misleading_labels = ops.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(random_latent_vectors))
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    given = []


def _gan(latent_dim=8):
    keras.utils.set_random_seed(4)
    discriminator = keras.Sequential([
        keras.Input(shape=(8, 8, 1)), layers.Conv2D(4, 3, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2), layers.Flatten(), layers.Dropout(0.2),
        layers.Dense(1, activation="sigmoid")], name="discriminator")
    generator = keras.Sequential([
        keras.Input(shape=(latent_dim,)), layers.Dense(4 * 4 * 4), layers.Reshape((4, 4, 4)),
        layers.Conv2DTranspose(4, kernel_size=4, strides=2, padding="same"), layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(1, kernel_size=3, padding="same", activation="sigmoid")], name="generator")
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
    gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
                g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
                loss_fn=keras.losses.BinaryCrossentropy())
    return gan


def test_part5_gan_fits_on_a_dataset_of_images_alone():
    images = np.random.default_rng(5).random((64, 8, 8, 1)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(16)
    gan = _gan()
    assert gan.optimizer is not None            # compile() with no arguments: Keras's defaults
    g_before = [w.copy() for w in gan.generator.get_weights()]
    d_before = [w.copy() for w in gan.discriminator.get_weights()]
    GAN.given = []
    history = gan.fit(dataset.take(100), epochs=2, verbose=0)
    assert len(GAN.given) == 8 and all(not issubclass(t, tuple) for t in GAN.given)   # images, not (x, y)
    assert list(history.history) == ["d_loss", "g_loss"]
    assert all(np.isfinite(v) and type(v) is float for v in history.history["d_loss"] + history.history["g_loss"])
    assert float(gan.d_loss_tracker.count) == 4           # reset at the start of epoch 2
    assert any(not np.array_equal(a, b) for a, b in zip(g_before, gan.generator.get_weights()))
    assert any(not np.array_equal(a, b) for a, b in zip(d_before, gan.discriminator.get_weights()))
    # arrays without labels: each step gets the batch of images alone
    GAN.given = []
    gan.fit(images, epochs=1, batch_size=32, verbose=0)
    assert len(GAN.given) == 2 and all(not issubclass(t, tuple) for t in GAN.given)


def test_seed_generator_draws_are_reproducible_and_move_on():
    a, b = keras.random.SeedGenerator(1337), keras.random.SeedGenerator(1337)
    first_a, first_b = keras.random.normal((3, 2), seed=a), keras.random.normal((3, 2), seed=b)
    np.testing.assert_array_equal(first_a.numpy(), first_b.numpy())
    assert not np.array_equal(keras.random.normal((3, 2), seed=a).numpy(), first_a.numpy())
    assert keras.random.normal((2,), dtype="float64").dtype == np.float64
    assert keras.random.uniform((1000,), 2.0, 3.0, seed=1).numpy().min() >= 2.0
    with pytest.raises(ValueError, match="seed"):
        keras.random.normal((2,), seed="x")
    with pytest.raises(ValueError, match="SeedGenerator"):
        keras.random.SeedGenerator(1.5)


# -- Part 7: logs, callbacks, stops, errors ----------------------------------------------
class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(dict(logs))


def test_callbacks_get_python_floats_and_nested_results_flattened():
    class Nested(keras.Model):
        def train_step(self, data):
            x, y = data
            return {"outer": 1.5, "group": {"b": tf.constant(2.0), "a": np.float32(3.0)}}

    x, y = _data(64)
    model = _model(Nested)
    model.compile(optimizer="adam", loss="mse")
    rec = Recorder()
    history = model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[rec])
    assert rec.batches == [{"a": 3.0, "b": 2.0, "outer": 1.5}] * 2
    assert all(type(v) is float for logs in rec.batches for v in logs.values())
    assert history.history == {"a": [3.0], "b": [2.0], "outer": [1.5]}


def test_plain_fit_logs_are_python_floats_too():
    x, y = _data(64)
    model = _model(keras.Model)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    rec = Recorder()
    history = model.fit(x, y, epochs=1, verbose=0, callbacks=[rec])
    assert all(type(v) is float for logs in rec.batches for v in logs.values())
    assert type(history.history["mae"][0]) is float


def test_a_step_that_returns_no_dict_is_refused_by_name():
    class Bad(keras.Model):
        def train_step(self, data):
            return 0.5

    x, y = _data(32)
    model = _model(Bad)
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(TypeError, match=r"Bad\.train_step must return a dict.*float"):
        model.fit(x, y, verbose=0)


def test_stop_training_and_ctrl_c_end_a_custom_fit(capsys):
    class Stopper(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    x, y = _data(256)
    model = _model(CustomModel)
    model.compile(optimizer="adam", loss="mse")
    rec = Recorder()
    history = model.fit(x, y, epochs=5, batch_size=32, verbose=0, callbacks=[Stopper(), rec])
    assert len(rec.batches) == 2 and len(history.history["loss"]) == 1

    class CtrlC(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                os.kill(os.getpid(), signal.SIGINT)

    rec = Recorder()
    history = model.fit(x, y, epochs=5, batch_size=32, verbose=0, callbacks=[CtrlC(), rec])
    assert len(rec.batches) == 3 and len(history.history["loss"]) == 1
    assert "interrupted (Ctrl-C)" in capsys.readouterr().err


def test_a_custom_fit_refuses_before_compile():
    model = _model(CustomModel)
    x, y = _data(8)
    with pytest.raises(ValueError, match="compile"):
        model.fit(x, y, verbose=0)
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="x has 8 samples but y has 4"):
        model.fit(x, y[:4], verbose=0)


# -- keras.io's VAE: a model with no call of its own, holding two functional models --------
class SeedSampling(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch, dim = ops.shape(z_mean)[0], ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.total_loss_tracker, self.reconstruction_loss_tracker, self.kl_loss_tracker]

    def train_step(self, data):
        with tf.GradientTape() as tape:
            z_mean, z_log_var, z = self.encoder(data)
            reconstruction = self.decoder(z)
            reconstruction_loss = ops.mean(ops.sum(keras.losses.binary_crossentropy(data, reconstruction), axis=(1, 2)))
            kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
            kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
            total_loss = reconstruction_loss + kl_loss
        grads = tape.gradient(total_loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.total_loss_tracker.update_state(total_loss)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss)
        self.kl_loss_tracker.update_state(kl_loss)
        return {"loss": self.total_loss_tracker.result(),
                "reconstruction_loss": self.reconstruction_loss_tracker.result(),
                "kl_loss": self.kl_loss_tracker.result()}


def test_kerasio_vae_trains_the_models_it_holds():
    keras.utils.set_random_seed(9)
    encoder_inputs = keras.Input(shape=(8, 8, 1))
    x = layers.Flatten()(encoder_inputs)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(2, name="z_mean")(x)
    z_log_var = layers.Dense(2, name="z_log_var")(x)
    z = SeedSampling()([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
    latent_inputs = keras.Input(shape=(2,))
    x = layers.Dense(64, activation="sigmoid")(latent_inputs)
    decoder = keras.Model(latent_inputs, layers.Reshape((8, 8, 1))(x), name="decoder")
    vae = VAE(encoder, decoder)
    # no call of its own: its weights are those of the models set as its attributes
    assert len(vae.trainable_weights) == len(encoder.trainable_weights) + len(decoder.trainable_weights) == 8
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2))
    digits = (np.random.default_rng(0).random((128, 8, 8, 1)) > 0.7).astype("float32")
    history = vae.fit(digits, epochs=4, batch_size=32, verbose=0)
    assert list(history.history) == ["kl_loss", "loss", "reconstruction_loss"]
    losses = history.history["loss"]
    assert losses[-1] < losses[0]
    np.testing.assert_allclose(np.array(history.history["kl_loss"]) + history.history["reconstruction_loss"],
                               losses, rtol=1e-5)


def test_a_custom_step_trains_regularized_weights_as_plain_fit_does():
    def build(cls):
        keras.utils.set_random_seed(10)
        inputs = keras.Input(shape=(32,))
        outputs = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(0.05))(inputs)
        model = cls(inputs, outputs)
        model.compile(optimizer="sgd", loss="mse")
        return model
    x, y = _data(128)
    custom, plain = build(CustomModel), build(keras.Model)
    h1, h2 = _fit(custom, x, y, epochs=2), _fit(plain, x, y, epochs=2)
    for a, b in zip(custom.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)          # the penalty's gradient reached the kernel
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5)


class GuideLowLevel(LowLevel):
    """Part 2 exactly as the guide writes it: the per-sample loss vector, not its mean (the
    tape sums a vector target, as TensorFlow does; the Mean tracker averages its entries)."""

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = keras.losses.mean_squared_error(y, y_pred)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply(gradients, trainable_vars)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}


def test_part2_as_written_a_vector_loss_trains_as_a_summed_loss():
    x, y = _data(128)
    guide, plain = _model(GuideLowLevel), _model(keras.Model)
    guide.compile(optimizer="adam")
    plain.compile(optimizer="adam", loss=keras.losses.MeanSquaredError(reduction="sum"), metrics=["mae"])
    h_guide, h_plain = _fit(guide, x, y, epochs=2), _fit(plain, x, y, epochs=2)
    for a, b in zip(guide.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    # the tracker's mean over every sample's loss is the summed loss per batch / batch size
    np.testing.assert_allclose(np.array(h_guide.history["loss"]) * 32, h_plain.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(h_guide.history["mae"], h_plain.history["mae"], rtol=1e-5)
