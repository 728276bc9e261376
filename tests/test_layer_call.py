"""A layer written as Keras writes one (``call``, weights from ``add_weight`` in ``build``,
inner layers as attributes): its forward records the call, its backward runs the record
back (glassnet/layers/by_call.py). The examples are the Keras guide's "Making new layers
and models via subclassing" and "Understanding masking and padding"."""
import numpy as np
import pytest

import glassnet as tf
import glassnet.keras as keras
from glassnet.keras import layers


class Linear(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True)

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b


class MLPBlock(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(8)
        self.linear_2 = Linear(4)
        self.linear_3 = Linear(1)

    def call(self, inputs):
        x = tf.nn.relu(self.linear_1(inputs))
        x = tf.nn.relu(self.linear_2(x))
        return self.linear_3(x)


def _data(n=32, d=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x, (x[:, :1] * 2 - x[:, 1:2]).astype(np.float32)


def test_weights_of_the_layer_and_its_inner_layers_are_its_own():
    tf.keras.utils.set_random_seed(0)
    linear = Linear(4)
    y = linear(tf.ones((2, 2)))
    w, b = linear.get_weights()
    np.testing.assert_allclose(y.numpy(), np.ones((2, 2)) @ w + b, rtol=1e-6)
    block = MLPBlock()
    assert block(tf.ones((3, 6))).shape == (3, 1)
    assert len(block.weights) == 6 and len(block.trainable_weights) == 6
    assert block.count_params() == 6 * 8 + 8 + 8 * 4 + 4 + 4 + 1


@pytest.mark.parametrize("functional", [False, True])
def test_fit_trains_it_in_a_sequential_and_in_a_functional_model(functional):
    tf.keras.utils.set_random_seed(1)
    x, y = _data()
    if functional:
        inputs = keras.Input(shape=(5,))
        model = keras.Model(inputs, MLPBlock()(inputs))
    else:
        model = keras.Sequential([keras.Input(shape=(5,)), MLPBlock()])
    model.compile(keras.optimizers.Adam(0.01), "mse")
    history = model.fit(x, y, epochs=30, batch_size=8, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0]
    assert model.layers[-1].output_shape == (None, 1)


def test_gradients_match_central_differences_through_nested_layers():
    tf.keras.utils.set_random_seed(2)
    x, y = _data(n=6)
    model = keras.Sequential([keras.Input(shape=(5,)), MLPBlock(), Linear(2)])
    model.compile("sgd", "mse")
    report = tf.gradcheck(model, x, np.concatenate([y, -y], axis=1))
    assert report.passed, str(report)


class CustomEmbedding(keras.layers.Layer):
    def __init__(self, input_dim, output_dim, mask_zero=False, **kwargs):
        super().__init__(**kwargs)
        self.input_dim, self.output_dim, self.mask_zero = input_dim, output_dim, mask_zero

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim), initializer="random_normal")

    def call(self, inputs):
        return tf.nn.embedding_lookup(self.embeddings, tf.cast(inputs, "int32"))

    def compute_mask(self, inputs, mask=None):
        return tf.math.not_equal(inputs, 0) if self.mask_zero else None


class TemporalSoftmax(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        assert mask is not None
        m = tf.expand_dims(tf.cast(mask, "float32"), -1)
        e = tf.exp(inputs) * m
        return e / (tf.reduce_sum(e, axis=1, keepdims=True) + 1e-9)


def test_ids_stay_ids_a_custom_mask_is_made_and_handed_to_a_call_that_reads_it():
    ids = np.array([[3, 1, 0, 0], [2, 2, 2, 1]])
    embedding = CustomEmbedding(5, 3, mask_zero=True)
    out = embedding(ids)
    np.testing.assert_array_equal(out.numpy(), embedding.embeddings.numpy()[ids])
    np.testing.assert_array_equal(out._keras_mask.numpy(), ids != 0)
    inputs = keras.Input(shape=(None,), dtype="int32")
    h = CustomEmbedding(5, 3, mask_zero=True)(inputs)
    outputs = TemporalSoftmax()(layers.Dense(1)(h))
    model = keras.Model(inputs, outputs)
    p = model(ids).numpy()[..., 0]
    assert np.all(p[0, 2:] == 0) and np.allclose(p.sum(axis=1), 1, atol=1e-5)   # padding gets no share


def test_a_mask_reaches_an_lstm_and_training_reaches_the_call():
    seen = []

    class Noisy(keras.layers.Layer):
        def call(self, inputs, training=None):
            seen.append(training)
            return inputs * 2.0

    class Encoder(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.embedding = layers.Embedding(input_dim=50, output_dim=4, mask_zero=True)
            self.lstm = layers.LSTM(3)
            self.noisy = Noisy()

        def call(self, inputs):
            x = self.noisy(self.embedding(inputs))
            return self.lstm(x, mask=self.embedding.compute_mask(inputs))

    encoder = Encoder()
    ids = np.array([[4, 7, 0, 0], [4, 7, 9, 9]])
    out = encoder(ids).numpy()
    short = encoder(ids[:1, :2]).numpy()
    np.testing.assert_allclose(out[0], short[0], rtol=1e-5)           # the padded steps are skipped
    model = keras.Sequential([keras.Input(shape=(4,), dtype="int32"), encoder, layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(ids, np.ones((2, 1), np.float32), epochs=1, verbose=0)
    assert True in seen and False in seen                              # fit trains, the calls above infer


def test_a_list_of_outputs_each_carries_its_mask():
    class TemporalSplit(keras.layers.Layer):
        def call(self, inputs):
            return tf.split(inputs, 2, axis=1)

        def compute_mask(self, inputs, mask=None):
            return None if mask is None else tf.split(mask, 2, axis=1)

    x = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    x[0, 3] = 0
    masked = layers.Masking()(x)
    first, second = TemporalSplit()(masked)
    np.testing.assert_array_equal(first.numpy(), x[:, :2])
    np.testing.assert_array_equal(second._keras_mask.numpy(), [[True, False], [True, True]])


class ActivityRegularizationLayer(keras.layers.Layer):
    def call(self, inputs):
        self.add_loss(1e-2 * tf.reduce_sum(inputs))
        return inputs


def _regularized_model():
    tf.keras.utils.set_random_seed(3)
    inputs = keras.Input(shape=(5,))
    x = layers.Dense(4, activation="relu")(inputs)
    x = ActivityRegularizationLayer()(x)
    return keras.Model(inputs, layers.Dense(1)(x))


def test_add_loss_in_fit_is_part_of_the_loss_and_of_the_gradient():
    x, y = _data(n=8)
    model = _regularized_model()
    model.compile("sgd", "mse")
    predicted = model(x).numpy()
    first = next(l for l in model.layers if isinstance(l, layers.Dense))
    added = 1e-2 * float(np.sum(first(x).numpy()))                       # the first Dense's relu output
    assert len(model.losses) == 1 and np.isclose(float(model.losses[0]), added, rtol=1e-5)
    loss = model.train_on_batch(x, y)
    assert np.isclose(loss, float(np.mean((predicted - y) ** 2)) + added, rtol=1e-5)
    report = tf.gradcheck(model, x, y)
    assert report.passed, str(report)


def test_add_loss_in_a_loop_of_your_own_as_the_keras_guide_writes_it():
    x, y = _data(n=8)
    model = _regularized_model()
    loss_fn = keras.losses.MeanSquaredError()
    with tf.GradientTape() as tape:
        loss_value = loss_fn(y, model(x, training=True))
        loss_value += sum(model.losses)                    # a new tensor, as TensorFlow's are immutable
    grads = tape.gradient(loss_value, model.trainable_weights)
    model.compile("sgd", "mse")
    model.train_on_batch(x, y)                             # fit's step sets each weight's grad
    for g, v in zip(grads, model.trainable_weights):
        np.testing.assert_allclose(np.asarray(g), v.grad, rtol=1e-5, atol=1e-7)


class Combine(keras.layers.Layer):                       # deterministic stand-in for the VAE's Sampling
    def call(self, inputs):
        z_mean, z_log_var = inputs
        return z_mean + tf.exp(0.5 * z_log_var) * 0.3


def test_a_list_of_inputs_eagerly_on_a_tape_and_in_a_functional_graph():
    tf.keras.utils.set_random_seed(4)
    x, y = _data(n=6)
    inputs = keras.Input(shape=(5,))
    h = layers.Dense(4, activation="tanh")(inputs)
    z = Combine()([layers.Dense(2, name="z_mean")(h), layers.Dense(2, name="z_log_var")(h)])
    model = keras.Model(inputs, layers.Dense(1)(z))
    model.compile("sgd", "mse")
    report = tf.gradcheck(model, x, y)
    assert report.passed, str(report)
    m, v = tf.constant(x[:, :2]), tf.constant(x[:, 2:4])
    with tf.GradientTape() as tape:
        tape.watch(v)
        total = tf.reduce_sum(Combine()((m, v)))
    np.testing.assert_allclose(tape.gradient(total, v).numpy(), 0.15 * np.exp(0.5 * x[:, 2:4]), rtol=1e-5)


# -- The subclassing guide's VariationalAutoEncoder: a Model's own add_loss in fit ------------
class Sampling(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch, dim = tf.shape(z_mean)[0], tf.shape(z_mean)[1]
        epsilon = tf.random.normal(shape=(batch, dim))
        return z_mean + tf.exp(0.5 * z_log_var) * epsilon


class Encoder(layers.Layer):
    def __init__(self, latent_dim=32, intermediate_dim=64, name="encoder", sampling=Sampling, **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_mean = layers.Dense(latent_dim)
        self.dense_log_var = layers.Dense(latent_dim)
        self.sampling = sampling()

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
    def __init__(self, original_dim, intermediate_dim=64, latent_dim=32, name="autoencoder", sampling=Sampling,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.original_dim = original_dim
        self.encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim, sampling=sampling)
        self.decoder = Decoder(original_dim, intermediate_dim=intermediate_dim)

    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        reconstructed = self.decoder(z)
        kl_loss = -0.5 * tf.reduce_mean(z_log_var - tf.square(z_mean) - tf.exp(z_log_var) + 1)
        self.add_loss(kl_loss)
        return reconstructed


def _kl(model, x):
    """The KL term recomputed by hand from the encoder's weights (ReLU, then two Denses)."""
    enc = model.encoder
    h = np.maximum(x @ enc.dense_proj.kernel.numpy() + enc.dense_proj.bias.numpy(), 0)
    mean = h @ enc.dense_mean.kernel.numpy() + enc.dense_mean.bias.numpy()
    log_var = h @ enc.dense_log_var.kernel.numpy() + enc.dense_log_var.bias.numpy()
    return -0.5 * float(np.mean(log_var - mean ** 2 - np.exp(log_var) + 1))


def test_vae_fit_loss_goes_down_with_the_models_own_kl_term():
    tf.keras.utils.set_random_seed(6)
    x_train = np.random.default_rng(0).random((512, 16)).astype("float32")
    vae = VariationalAutoEncoder(16, 16, 4)
    vae.compile(keras.optimizers.Adam(learning_rate=1e-3), loss=keras.losses.MeanSquaredError())
    history = vae.fit(x_train, x_train, epochs=3, batch_size=64, verbose=0)
    losses = history.history["loss"]
    assert losses[2] < losses[1] < losses[0], losses           # before: the KL term piled up, the loss grew
    vae(x_train[:8])
    vae(x_train[:8])                                       # each top-level call starts the list afresh
    assert len(vae.losses) == 1
    assert float(vae.losses[0]) == pytest.approx(_kl(vae, x_train[:8]), rel=1e-4)


def test_vae_kl_term_is_in_model_losses_fit_and_evaluate():
    tf.keras.utils.set_random_seed(7)
    x = np.random.default_rng(1).random((16, 6)).astype("float32")
    vae = VariationalAutoEncoder(6, 5, 3, sampling=lambda: Combine())      # no noise: a deterministic model
    vae.compile("sgd", loss=keras.losses.MeanSquaredError())
    predicted = vae.predict(x, verbose=0)
    mse = float(np.mean((predicted - x) ** 2))
    kl = _kl(vae, x)
    assert kl > 1e-4
    assert vae.evaluate(x, x, batch_size=16, verbose=0) == pytest.approx(mse + kl, rel=1e-5)
    assert float(sum(vae.losses)) == pytest.approx(kl, rel=1e-5)
    assert vae.train_on_batch(x, x) == pytest.approx(mse + kl, rel=1e-5)


def test_vae_gradients_match_central_differences():
    tf.keras.config.set_floatx("float64")
    try:
        tf.keras.utils.set_random_seed(8)
        x = np.random.default_rng(2).random((6, 5))
        vae = VariationalAutoEncoder(5, 4, 2, sampling=lambda: Combine())
        vae.compile("sgd", loss=keras.losses.MeanSquaredError())
        vae.predict(x, verbose=0)
        report = tf.gradcheck(vae, x, x)
        assert report.passed, str(report)
        # fit's step (the KL term seeded in backward) agrees with a tape over loss + sum(model.losses)
        with tf.GradientTape() as tape:
            loss = keras.losses.MeanSquaredError()(x, vae(x, training=True)) + sum(vae.losses)
        grads = tape.gradient(loss, vae.trainable_weights)
        from glassnet.engine.step import train_step
        train_step(vae, x, x, update=False)
        for g, v in zip(grads, vae.trainable_weights):
            np.testing.assert_allclose(np.asarray(g), v.grad, rtol=1e-7, atol=1e-10)
    finally:
        tf.keras.config.set_floatx("float32")


def test_a_call_that_needs_integer_ids_is_traced_on_integer_zeros():
    class Lookup(keras.layers.Layer):              # no tf.cast: the ids go straight into the lookup
        def build(self, input_shape):
            self.table = self.add_weight(shape=(10, 3))

        def call(self, inputs):
            return tf.nn.embedding_lookup(self.table, inputs)

    assert Lookup()(np.array([[1, 2, 0]])).shape == (1, 3, 3)
    ids = keras.Input(shape=(4,), dtype="int32")
    assert Lookup()(ids).shape == (None, 4, 3)
    with pytest.raises(RuntimeError, match="GradientTape"):      # TF's eager refusal of tf.gradients
        tf.gradients(tf.constant([1.0]) * 2, tf.constant([1.0]))


def test_a_subclassed_model_on_named_inputs_trains_and_its_backward_gives_a_dict():
    class TwoInputs(keras.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = layers.Dense(3), layers.Dense(3)
            self.out = layers.Dense(1)

        def call(self, inputs):
            return self.out(tf.nn.relu(self.a(inputs["left"]) + self.b(inputs["right"])))

    tf.keras.utils.set_random_seed(11)
    rng = np.random.default_rng(3)
    x = {"left": rng.random((32, 2)).astype("float32"), "right": rng.random((32, 4)).astype("float32")}
    y = x["left"][:, :1] - x["right"][:, :1]
    model = TwoInputs()
    model.compile("adam", "mse")
    history = model.fit(x, y, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    model.forward(x, training=False)
    grads = model.backward(np.ones((32, 1), np.float32), need_input_grad=True)
    assert set(grads) == {"left", "right"} and grads["left"].shape == (32, 2) and grads["right"].shape == (32, 4)
    eps, i = 1e-2, 0
    bumped = {"left": x["left"].copy(), "right": x["right"]}
    bumped["left"][0, i] += eps
    numeric = (float(np.sum(model(bumped).numpy())) - float(np.sum(model(x).numpy()))) / eps
    assert numeric == pytest.approx(float(grads["left"][0, i]), rel=5e-2, abs=1e-3)


def test_a_subclassed_model_that_never_reads_its_input_says_so_when_dj_dx_is_needed():
    class PlainNumpyFirst(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, inputs):
            return self.dense(np.asarray(inputs) * 2.0)          # plain NumPy first: no tape follows it

    inner = PlainNumpyFirst()
    inner.build((None, 3))
    inner.forward(np.ones((2, 3), np.float32))
    inner.backward(np.ones((2, 1), np.float32), need_input_grad=False)      # first in a model: fine
    with pytest.raises(TypeError, match=r"PlainNumpyFirst\.call\(\): dJ/d\(input\) is needed"):
        inner.backward(np.ones((2, 1), np.float32), need_input_grad=True)


def test_a_nested_list_of_numbers_is_one_input_as_tensorflow_converts_it():
    tf.keras.utils.set_random_seed(5)
    layer = Linear(2)
    out = layer([[2.0, 2.0, 2.0]])                     # the modules guide's simple_layer([[2.0, 2.0, 2.0]])
    w, b = layer.get_weights()
    np.testing.assert_allclose(out.numpy(), np.full((1, 3), 2.0) @ w + b, rtol=1e-6)
    assert Combine()([np.zeros((1, 2), np.float32), np.zeros((1, 2), np.float32)]).shape == (1, 2)


def test_forward_takes_plain_python_rows_too():
    layer = Linear(2)
    layer(np.ones((1, 3), np.float32))                  # built
    out = layer.forward([[1.0, 2.0, 3.0]])               # (NumPy 2: np.array(list, copy=False) would refuse)
    w, b = layer.get_weights()
    np.testing.assert_allclose(out, np.array([[1.0, 2.0, 3.0]]) @ w + b, rtol=1e-6)
