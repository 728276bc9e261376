"""The surface a TensorFlow course uses, with ``tensorflow`` renamed to ``glassnet``:
activations on scalars and 0-d arrays, ``tf.nn`` and ``tf.math``, the configuration calls of
an import cell, what the beginner tutorials call beyond the course. Written in the style of
the course's labs (a neuron by hand beside the library's), not copied from them.
(Tensor results with ``.numpy()`` are in ``test_tensor.py``; symbolic shapes and a model
inside a model in ``test_models.py``.)"""
import logging

import numpy as np
import pytest

import glassnet as tf
from glassnet.keras import Sequential
from glassnet.keras.activations import linear, relu, sigmoid
from glassnet.keras.layers import Dense, Input
from glassnet.tensor import Tensor

ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "swish",
               "softplus", "softsign", "hard_sigmoid", "exponential", "softmax", "log_softmax"]
NN = ["softmax", "log_softmax", "sigmoid", "tanh", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu",
      "silu", "swish", "softplus", "softsign"]


def plain(t):
    """What ``t.numpy()`` gives, checked to be a plain ndarray (or a NumPy scalar for 0-d)."""
    out = t.numpy()
    assert type(out) is np.ndarray or isinstance(out, np.generic)
    return out


# -- activations on anything -------------------------------------------------------------------
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_scalars_and_0d_arrays_through_every_activation(name):
    keras_fn = getattr(tf.keras.activations, name)
    plain_fn = getattr(tf.activations, name)
    for z, dtype in [(0.75, np.float32), (np.float64(0.75), np.float64), (np.array(0.75), np.float64),
                     (np.array(-0.75, dtype=np.float32), np.float32), (2, np.float32)]:
        t = keras_fn(z)
        assert isinstance(t, Tensor) and t.ndim == 0 and t.dtype == dtype, (name, z)
        value = plain(t)
        assert isinstance(value, np.generic)
        expected = plain_fn(np.array([float(z)]))[0]                    # the vector form agrees
        assert float(value) == pytest.approx(float(expected), rel=1e-6), (name, z)
        assert np.asarray(plain_fn(z)).shape == ()                      # the plain function too


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_keep_dtype_and_never_write_into_their_input(name):
    fn = getattr(tf.keras.activations, name)
    for dtype in (np.float16, np.float32, np.float64):
        x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]], dtype=dtype)
        before = x.copy()
        out = fn(x)
        assert out.dtype == dtype, (name, dtype)
        np.testing.assert_array_equal(x, before)
        assert not np.shares_memory(out, x)
    listed = fn([[1.0, -1.0]])
    assert listed.dtype == np.float32 and listed.shape == (1, 2)


def test_my_dense_one_unit_at_a_time_agrees_with_dense():
    # the course's exercise: a layer written unit by unit with the library's sigmoid
    def my_dense(a_in, W, b, g):
        a_out = np.zeros(W.shape[1])
        for j in range(W.shape[1]):
            z = np.dot(W[:, j], a_in) + b[j]
            a_out[j] = g(z)
        return a_out

    W = np.array([[1.0, -3.0, 5.0], [2.0, 4.0, -6.0]])
    b = np.array([-1.0, 1.0, 2.0])
    x = np.array([-2.0, 4.0])
    layer = Dense(3, activation="sigmoid", dtype="float64")
    layer.build_from_shape((None, 2))
    layer.set_weights([W, b])
    np.testing.assert_allclose(my_dense(x, W, b, sigmoid), layer(x[None, :]).numpy()[0], rtol=1e-12)
    A = sigmoid(np.matmul(x[None, :], W) + b)                          # the vectorized version
    np.testing.assert_allclose(A.numpy(), layer(x[None, :]).numpy(), rtol=1e-12)


def test_layers_compare_equal_to_the_keras_activations_and_accept_them():
    layer = Dense(4, activation="relu")
    assert layer.activation == relu and relu == layer.activation
    assert not (layer.activation == sigmoid)
    assert Dense(1).activation == linear
    for given in (tf.nn.relu, tf.keras.activations.relu):
        d = Dense(2, activation=given)
        assert d.activation is tf.activations.relu          # the layer keeps the plain function
        assert d.get_config()["activation"] == "relu"
    model = Sequential([Input(shape=(2,)), Dense(3, activation=tf.nn.relu), Dense(1, activation=sigmoid)])
    model.compile(loss="binary_crossentropy")
    assert model.output_shortcut                            # sigmoid + BCE still fuses


# -- tf.nn and tf.math -----------------------------------------------------------------------
def test_nn_softmax_matches_the_formula_in_float64():
    z = np.array([1.0, 2.0, 3.0, 4.0])
    by_hand = np.exp(z) / np.sum(np.exp(z))
    a = tf.nn.softmax(z)
    assert a.dtype == np.float64
    np.testing.assert_allclose(a.numpy(), by_hand, rtol=0, atol=1e-12)
    Z = np.random.default_rng(0).normal(size=(5, 7)) * 3
    np.testing.assert_allclose(tf.nn.softmax(Z).numpy(), np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), atol=1e-12)
    np.testing.assert_allclose(tf.nn.softmax(Z, axis=0).numpy(), np.exp(Z) / np.exp(Z).sum(axis=0), atol=1e-12)
    np.testing.assert_allclose(tf.nn.log_softmax(Z).numpy(), np.log(tf.nn.softmax(Z).numpy()), atol=1e-12)


@pytest.mark.parametrize("name", NN)
def test_nn_functions_keep_float64_and_are_stable_at_1000(name):
    fn = getattr(tf.nn, name)
    x = np.array([[-1000.0, -1.0, 0.5, 1000.0]])
    with np.errstate(all="raise"):
        out = fn(x)
    assert out.dtype == np.float64 and np.all(np.isfinite(out.numpy())), name
    np.testing.assert_allclose(fn(x.astype(np.float32)).numpy(), out.numpy(), rtol=1e-6, atol=1e-6)


def test_nn_cross_entropies_match_their_formulas_and_stay_finite():
    z = np.array([[2.0, -1.0, 0.5], [1000.0, -1000.0, 0.0]])
    y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    with np.errstate(all="raise"):
        got = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z).numpy()
    expected = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    np.testing.assert_allclose(got, expected, atol=1e-12)
    k = np.array([0, 1])
    onehot = np.eye(3)[k]
    log_p = z - z.max(axis=1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(tf.nn.softmax_cross_entropy_with_logits(onehot, z).numpy(),
                               -(onehot * log_p).sum(axis=1), atol=1e-9)
    np.testing.assert_allclose(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=k, logits=z).numpy(),
                               -log_p[[0, 1], k], atol=1e-9)
    with pytest.raises(ValueError, match="labels"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=np.array([0, 3]), logits=z)
    with pytest.raises(ValueError, match="shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=y[:1], logits=z)


def test_math_functions():
    x = np.array([[1.0, 5.0], [3.0, 4.0]])
    assert plain(tf.math.reduce_sum(x)) == 13.0 and plain(tf.reduce_mean(x)) == 3.25
    np.testing.assert_array_equal(plain(tf.math.reduce_sum(x, axis=0)), [4.0, 9.0])
    np.testing.assert_array_equal(plain(tf.math.argmax(x)), [1, 0])          # axis 0 by default
    np.testing.assert_array_equal(plain(tf.argmax(x, axis=1)), [1, 1])
    np.testing.assert_allclose(plain(tf.math.exp(x)), np.exp(x))
    np.testing.assert_allclose(plain(tf.math.log(x)), np.log(x))
    assert plain(tf.math.sigmoid(0.0)) == 0.5
    assert plain(tf.math.reduce_mean(tf.constant([1, 2]))) == 1                # integers stay integers
    assert tf.math.sigmoid(np.float64(-1000.0)).numpy() == 0.0


# -- configuration calls of an import cell -------------------------------------------------------
def test_import_cell_configuration_calls():
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    tf.autograph.set_verbosity(0)
    assert tf.autograph.get_verbosity() == 0
    with pytest.raises(ValueError, match="level"):
        tf.autograph.set_verbosity(-1)
    logger = tf.get_logger()
    assert isinstance(logger, logging.Logger)
    logger.setLevel("ERROR")
    tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)
    assert logger.level == logging.ERROR
    tf.config.run_functions_eagerly(True)
    assert tf.config.functions_run_eagerly() and tf.executing_eagerly()
    assert tf.config.list_physical_devices("GPU") == []
    assert [d.device_type for d in tf.config.list_physical_devices()] == ["CPU"]
    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
    assert not tf.test.is_gpu_available() and tf.test.gpu_device_name() == ""
    assert isinstance(tf.__version__, str) and tf.__version__.count(".") >= 1
    tf.random.set_seed(1234)
    tf.keras.utils.set_random_seed(1234)


def test_clear_session_resets_layer_names():
    tf.keras.backend.clear_session()
    assert Dense(1).name == "dense" and Dense(1).name == "dense_1"
    tf.keras.backend.clear_session()
    assert Dense(1).name == "dense"


# -- what TensorFlow's beginner tutorials call beyond the course ----------------------------------------
def test_keras_datasets_and_saving_are_reachable_as_attributes():
    assert callable(tf.keras.datasets.mnist.load_data)
    assert callable(tf.keras.saving.load_model)


def test_one_feature_regression_as_the_beginner_tutorial_writes_it():
    # Normalization(input_shape=[1,], axis=None) on a 1-D column, then 1-D x in predict and fit
    rng = np.random.default_rng(0)
    horsepower = rng.uniform(50, 200, 80)
    mpg = 40 - 0.15 * horsepower + rng.normal(size=80)
    normalizer = tf.keras.layers.Normalization(input_shape=[1, ], axis=None)
    normalizer.adapt(np.array(horsepower))
    assert normalizer.mean.numpy().ravel()[0] == pytest.approx(horsepower.mean(), rel=1e-5)
    model = Sequential([normalizer, Dense(units=1)])
    assert model.predict(horsepower[:10], verbose=0).shape == (10, 1)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.1), loss="mean_absolute_error")
    history = model.fit(horsepower, mpg, epochs=30, verbose=0, validation_split=0.2)
    assert history.epoch == list(range(30)) and history.history["val_loss"][-1] < history.history["val_loss"][0]
    x = tf.linspace(0.0, 250, 251) if hasattr(tf, "linspace") else np.linspace(0.0, 250, 251)
    assert model.predict(x, verbose=0).shape == (251, 1)
    with pytest.raises(ValueError, match="2 dimensions"):
        Sequential([Input(shape=(2,)), Dense(1)]).predict(np.ones(4), verbose=0)   # still ambiguous there


def test_array_functions_under_tensorflow_names():
    assert tf.linspace(0.0, 250, 251).shape == (251,) and tf.linspace(0.0, 1, 3).dtype == np.float32
    np.testing.assert_array_equal(plain(tf.range(5)), np.arange(5))
    assert tf.range(5).dtype == np.int32 and tf.range(0.0, 1.0, 0.5).dtype == np.float32
    assert plain(tf.zeros((2, 3))).sum() == 0 and tf.ones((2,), dtype=tf.float64).dtype == np.float64
    img = np.ones((28, 28))
    assert tf.expand_dims(img, 0).shape == (1, 28, 28) and tf.reshape(img, [-1]).shape == (784,)
    assert tf.squeeze(tf.zeros((1, 3, 1))).shape == (3,)
    assert tf.concat([tf.ones((1, 2)), tf.zeros((1, 2))], axis=0).shape == (2, 2)
    assert tf.stack([tf.ones(2), tf.zeros(2)]).shape == (2, 2) and tf.transpose(tf.ones((2, 3))).shape == (3, 2)
    np.testing.assert_allclose(plain(tf.matmul(np.eye(2), [[1.0], [2.0]], transpose_a=True)), [[1.0], [2.0]])
    source = np.zeros((2, 2))
    tf.reshape(source, [4])[0] = 5.0                       # a tensor never aliases the caller's array
    assert source[0, 0] == 0.0
    assert isinstance(tf.keras.regularizers.l2(0.001), tf.keras.regularizers.L2)


def test_mnist_found_in_kerass_own_cache(tmp_path, monkeypatch):
    # a machine where TensorFlow already downloaded mnist.npz: the quickstart runs offline
    import hashlib

    from glassnet.datasets import mnist
    folder = tmp_path / "keras" / "datasets"
    folder.mkdir(parents=True)
    data = {"x_train": np.zeros((2, 28, 28), np.uint8), "y_train": np.array([3, 4], np.uint8),
            "x_test": np.zeros((1, 28, 28), np.uint8), "y_test": np.array([5], np.uint8)}
    np.savez(folder / "mnist.npz", **data)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path / "glassnet"))
    monkeypatch.chdir(tmp_path)

    def offline(url, timeout):
        raise OSError("no network in this test")

    monkeypatch.setattr(mnist, "_urlopen", offline)
    monkeypatch.setattr(mnist, "SHA256", hashlib.sha256((folder / "mnist.npz").read_bytes()).hexdigest())
    for call in (lambda: tf.keras.datasets.mnist.load_data(), lambda: tf.keras.datasets.mnist.load_data(path="mnist.npz")):
        (x_train, y_train), (x_test, y_test) = call()
        assert y_train.tolist() == [3, 4] and y_test.tolist() == [5]
    monkeypatch.setattr(mnist, "SHA256", "0" * 64)        # not Keras's file: not used, and no network
    with pytest.raises(ConnectionError):
        tf.keras.datasets.mnist.load_data()
