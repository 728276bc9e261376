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
    assert isinstance(a * 2 + 1, Tensor) and isinstance(np.ones(3) + a, Tensor)
    assert type(np.mean(a)) is np.float64                  # a NumPy function gives NumPy's answer, as TF's tensors
    assert float(np.mean(a)) == pytest.approx(np.mean(1 / (1 + np.exp(-np.array([-1.0, 0.0, 2.0])))))
    assert a[0, 1].numpy() == 0.5                          # an element is a 0-d tensor, as in TF
    assert {np.argmax(a): "three"}[2] == "three"
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
    assert type(Xt) is np.ndarray                          # NumPy's function: NumPy's array, as TF gives
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


# -- printed as TensorFlow 2.21 prints them (the strings below are TF's own, copied from it) ----
TF_TEXT = [   # (tensor, str(t), repr(t))
    (lambda: tf.constant([1.0, 2.0]), "tf.Tensor([1. 2.], shape=(2,), dtype=float32)",
     "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>"),
    (lambda: tf.constant(3.0), "tf.Tensor(3.0, shape=(), dtype=float32)",
     "<tf.Tensor: shape=(), dtype=float32, numpy=3.0>"),
    (lambda: tf.constant(3), "tf.Tensor(3, shape=(), dtype=int32)", "<tf.Tensor: shape=(), dtype=int32, numpy=3>"),
    (lambda: tf.constant(1 / 3), "tf.Tensor(0.33333334, shape=(), dtype=float32)",
     "<tf.Tensor: shape=(), dtype=float32, numpy=0.3333333432674408>"),
    (lambda: tf.constant(True), "tf.Tensor(True, shape=(), dtype=bool)",
     "<tf.Tensor: shape=(), dtype=bool, numpy=True>"),
    (lambda: tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
     "tf.Tensor(\n[[1. 2. 3.]\n [4. 5. 6.]], shape=(2, 3), dtype=float32)",
     "<tf.Tensor: shape=(2, 3), dtype=float32, numpy=\narray([[1., 2., 3.],\n       [4., 5., 6.]], dtype=float32)>"),
    (lambda: tf.constant([[1, 2], [3, 4]]), "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)",
     "<tf.Tensor: shape=(2, 2), dtype=int32, numpy=\narray([[1, 2],\n       [3, 4]], dtype=int32)>"),
    (lambda: tf.constant([True, False]), "tf.Tensor([ True False], shape=(2,), dtype=bool)",
     "<tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True, False])>"),
    (lambda: tf.constant(np.array([1.5, 2.25])), "tf.Tensor([1.5  2.25], shape=(2,), dtype=float64)",
     "<tf.Tensor: shape=(2,), dtype=float64, numpy=array([1.5 , 2.25])>"),
    (lambda: tf.constant([0.1, 1 / 3, 2.0]), "tf.Tensor([0.1        0.33333334 2.        ], shape=(3,), dtype=float32)",
     "<tf.Tensor: shape=(3,), dtype=float32, numpy=array([0.1       , 0.33333334, 2.        ], dtype=float32)>"),
    (lambda: tf.zeros((0, 3)), "tf.Tensor([], shape=(0, 3), dtype=float32)",
     "<tf.Tensor: shape=(0, 3), dtype=float32, numpy=array([], shape=(0, 3), dtype=float32)>"),
    (lambda: tf.constant([np.nan, np.inf]), "tf.Tensor([nan inf], shape=(2,), dtype=float32)",
     "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([nan, inf], dtype=float32)>"),
    (lambda: tf.ones((2, 2, 2)), "tf.Tensor(\n[[[1. 1.]\n  [1. 1.]]\n\n [[1. 1.]\n  [1. 1.]]], shape=(2, 2, 2), dtype=float32)",
     "<tf.Tensor: shape=(2, 2, 2), dtype=float32, numpy=\narray([[[1., 1.],\n        [1., 1.]],\n\n"
     "       [[1., 1.],\n        [1., 1.]]], dtype=float32)>"),
    (lambda: tf.range(2000, dtype=tf.float32),          # summarised as NumPy does past 1000 numbers
     "tf.Tensor([0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03], shape=(2000,), dtype=float32)",
     "<tf.Tensor: shape=(2000,), dtype=float32, numpy=\narray([0.000e+00, 1.000e+00, 2.000e+00, ..., 1.997e+03, "
     "1.998e+03,\n       1.999e+03], shape=(2000,), dtype=float32)>"),
]


@pytest.mark.parametrize("make, text, representation", TF_TEXT, ids=lambda v: None if callable(v) else v[:40])
def test_tensors_print_as_tensorflow(make, text, representation):
    t = make()
    assert str(t) == text
    assert repr(t) == representation


def test_printing_follows_numpy_print_options_and_format_takes_the_numbers():
    t = tf.constant([0.1, 1 / 3, 2.0])
    with np.printoptions(precision=3):            # TF 2.21 under the same options
        assert str(t) == "tf.Tensor([0.1   0.333 2.   ], shape=(3,), dtype=float32)"
        assert repr(t) == "<tf.Tensor: shape=(3,), dtype=float32, numpy=array([0.1  , 0.333, 2.   ], dtype=float32)>"
        assert repr(tf.constant(1 / 3)) == "<tf.Tensor: shape=(), dtype=float32, numpy=0.3333333432674408>"
    big = tf.reshape(tf.range(3000), (30, 100))
    assert str(big).splitlines()[:2] == ["tf.Tensor(", "[[   0    1    2 ...   97   98   99]"]
    assert str(big).endswith(" [2900 2901 2902 ... 2997 2998 2999]], shape=(30, 100), dtype=int32)")
    # f-strings and format() see the numbers, as TensorFlow's __format__
    assert f"{tf.constant([1.0, 2.0])}" == "[1. 2.]" and f"{tf.constant(0.5)}" == "0.5"
    assert "{:.3%}".format(tf.constant(0.5)) == "50.000%" and f"{tf.constant(0.25):0.2f}" == "0.25"
    assert "%s" % tf.constant(0.5) == "tf.Tensor(0.5, shape=(), dtype=float32)"
    assert str([tf.constant(1.0), tf.constant([1, 2])]) == ("[<tf.Tensor: shape=(), dtype=float32, numpy=1.0>, "
                                                            "<tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], "
                                                            "dtype=int32)>]")
    assert str({"a": tf.constant(2)}) == "{'a': <tf.Tensor: shape=(), dtype=int32, numpy=2>}"
    # a dataset's cardinality is an int64 scalar tensor (-2: unknown, after a filter)
    ds = tf.data.Dataset.range(3).filter(lambda x: x > 0)
    assert str(ds.cardinality()) == "tf.Tensor(-2, shape=(), dtype=int64)"
    assert repr(tf.data.Dataset.range(3).cardinality()) == "<tf.Tensor: shape=(), dtype=int64, numpy=3>"


def test_variables_print_as_tensorflow_and_layer_weights_as_keras():
    assert repr(tf.Variable([1.0, 2.0], name="w")) == \
        "<tf.Variable 'w:0' shape=(2,) dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    assert str(tf.Variable(3.0)) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=3.0>"
    assert repr(tf.Variable([[1, 2], [3, 4]])) == ("<tf.Variable 'Variable:0' shape=(2, 2) dtype=int32, numpy=\n"
                                                  "array([[1, 2],\n       [3, 4]], dtype=int32)>")
    assert repr(tf.Variable(np.arange(6.0).reshape(2, 3))) == (
        "<tf.Variable 'Variable:0' shape=(2, 3) dtype=float64, numpy=\narray([[0., 1., 2.],\n       [3., 4., 5.]])>")
    dense = Dense(2, kernel_initializer="ones")            # Keras 3's own Variable for a layer's weights
    dense.build((None, 3))
    assert repr(dense.bias) == "<Variable path=dense/bias, shape=(2,), dtype=float32, value=[0. 0.]>" \
        or repr(dense.bias).startswith("<Variable path=dense_")          # the layer's name may be numbered
    assert str(dense.kernel).endswith(", shape=(3, 2), dtype=float32, value=[[1. 1.]\n [1. 1.]\n [1. 1.]]>")


def test_predict_keeps_numpys_print():
    model = Sequential([Input(shape=(2,)), Dense(1, kernel_initializer="zeros")])
    out = model.predict(np.ones((2, 2)), verbose=0)
    assert repr(out) == "array([[0.],\n       [0.]], dtype=float32)" and str(out) == "[[0.]\n [0.]]"
    assert repr(model(np.ones((1, 2)))) == "<tf.Tensor: shape=(1, 1), dtype=float32, numpy=array([[0.]], dtype=float32)>"
