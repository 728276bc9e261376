"""``glassnet.tf.tensor.Tensor``: what a program receives (``model(x)``, ``layer(x)``,
``tf.nn``, ``tf.math``, ``tf.constant``, a loss called directly) is a NumPy array with
``.numpy()``, as TensorFlow hands back; what the engine keeps inside is a plain ndarray.
(Moved here from ``test_course_surface.py``; ``tf.nn``/``tf.math`` results are checked there.)"""
import numpy as np
import pytest

import glassnet as tf
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input, Normalization
from glassnet.tensor import Tensor


def plain(t):
    """What ``t.numpy()`` gives, checked to be a plain ndarray (or a NumPy scalar for 0-d)."""
    out = t.numpy()
    assert type(out) is np.ndarray or isinstance(out, np.generic)
    return out


def test_every_kind_of_result_has_numpy():
    X = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    layer = Dense(3, activation="sigmoid")
    model = Sequential([Input(shape=(2,)), Dense(3, activation="relu"), Dense(2)])
    norm = Normalization(axis=-1)
    norm.adapt(X)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    results = {
        "layer(x)": layer(X), "model(x)": model(X), "Normalization(x)": norm(X),
        "keras.activations": tf.keras.activations.sigmoid(X), "nn.softmax": tf.nn.softmax(X),
        "math.reduce_sum": tf.math.reduce_sum(X), "math.argmax": tf.math.argmax(X, axis=1),
        "constant": tf.constant([1.0, 2.0]), "convert_to_tensor": tf.convert_to_tensor(X),
        "loss_fn(y, p)": loss_fn(np.array([0, 1]), model(X)),
        "losses function": tf.keras.losses.mean_squared_error(X, X + 1),
    }
    for what, t in results.items():
        assert isinstance(t, Tensor) and isinstance(t, np.ndarray), what
        plain(t)
    assert float(results["losses function"].numpy()[0]) == pytest.approx(1.0)


def test_tensors_stay_tensors_through_arithmetic_and_comparisons():
    a = tf.keras.activations.sigmoid(np.array([[-1.0, 0.0, 2.0]]))
    yhat = (a >= 0.5).numpy().astype(int)                 # the course's idiom
    np.testing.assert_array_equal(yhat, [[0, 1, 1]])
    assert isinstance(a * 2 + 1, Tensor) and isinstance(np.mean(a), Tensor)
    assert float(np.mean(a).numpy()) == pytest.approx(np.mean(1 / (1 + np.exp(-np.array([-1.0, 0.0, 2.0])))))
    assert a[0, 1].numpy() == 0.5                          # an element is a 0-d tensor, as in TF
    assert {np.argmax(a): "three"}[2] == "three"           # a 0-d result works as a key
    assert f"{np.max(a):0.2f}" == "0.88"
    assert a.shape.as_list() == [1, 3] and a.shape == (1, 3)


def test_predict_and_the_engine_stay_plain_ndarrays():
    model = Sequential([Input(shape=(2,)), Dense(1, activation="sigmoid")])
    out = model.predict(np.ones((3, 2)), verbose=0)
    assert type(out) is np.ndarray
    # a Tensor handed back in (np.tile of a normalized tensor, as the coffee lab does) trains
    norm = Normalization(axis=-1)
    X = np.array([[200.0, 13.9], [250.0, 15.0], [180.0, 12.0], [230.0, 14.5]])
    norm.adapt(X)
    Xt = np.tile(norm(X), (10, 1))
    assert isinstance(Xt, Tensor)
    model.compile(loss=tf.keras.losses.BinaryCrossentropy(), optimizer=tf.keras.optimizers.Adam(learning_rate=0.01))
    history = model.fit(Xt, np.tile(np.array([[1.0], [0.0], [0.0], [1.0]]), (10, 1)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert all(type(layer.z) is np.ndarray for layer in model.layers)


def test_constant_and_convert_to_tensor_use_tensorflow_default_types():
    assert tf.constant(1.5).dtype == np.float32 and tf.constant(3).dtype == np.int32
    assert tf.constant(np.array([1.5])).dtype == np.float64           # arrays keep theirs
    assert tf.constant([1, 2], dtype=tf.float32).dtype == np.float32
    np.testing.assert_array_equal(plain(tf.constant(0.0, shape=(2, 2))), np.zeros((2, 2)))
    source = np.array([1.0, 2.0])
    t = tf.constant(source)
    source[0] = 9.0
    assert t.numpy()[0] == 1.0                                        # a copy, never an alias
