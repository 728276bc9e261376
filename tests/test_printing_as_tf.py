"""What programs print and the types they get, as TensorFlow 2.21 / Keras 3.15 give them. Every
literal here was printed by TF 2.21.0 / Keras 3.15.1 running the same lines (with ``tensorflow``
in place of ``glassnet``): NumPy functions on tensors, shapes, models and layers, the optimizer's
learning rate, a fit's history."""
import numpy as np
import pytest

import glassnet as tf
from glassnet import keras


@pytest.fixture
def t():
    return tf.constant([[1.0, -2.0, 3.5], [0.25, 5.0, -1.0]])


# -- NumPy functions on a tensor give NumPy's answers ------------------------------------------
def test_numpy_reductions_give_numpy_scalars_that_print_as_numbers(t, capsys):
    for got, want in [(np.mean(t), "np.float32(1.125)"), (np.sum(t), "np.float32(6.75)"),
                      (np.max(t), "np.float32(5.0)"), (np.min(t), "np.float32(-2.0)"),
                      (np.std(t), "np.float32(2.4399025)"), (np.var(t), "np.float32(5.953125)"),
                      (np.argmax(t), "np.int64(4)"), (np.percentile(t, 50), "np.float32(0.625)"),
                      (np.sqrt(tf.constant(4.0)), "np.float32(2.0)"), (np.sum(tf.constant([1, 2, 3])), "np.int64(6)"),
                      (np.mean(tf.constant([1, 2, 3])), "np.float64(2.0)")]:
        assert repr(got) == want
    print("Threshold:", np.mean(t))
    assert capsys.readouterr().out == "Threshold: 1.125\n"
    assert float(tf.constant(2.5)) == 2.5 and type(float(tf.constant(2.5))) is float
    assert t.numpy().item(0) == 1.0 and np.allclose(t, t) is True


def test_numpy_functions_give_ndarrays(t):
    assert repr(np.exp(t)) == ("array([[2.7182820e+00, 1.3533528e-01, 3.3115452e+01],\n"
                               "       [1.2840255e+00, 1.4841316e+02, 3.6787942e-01]], dtype=float32)")
    assert str(np.round(t, 2)) == "[[ 1.   -2.    3.5 ]\n [ 0.25  5.   -1.  ]]"
    assert repr(np.where(t > 0, t, 0)) == "array([[1.  , 0.  , 3.5 ],\n       [0.25, 5.  , 0.  ]], dtype=float32)"
    assert repr(np.dot(t, tf.transpose(t))) == ("array([[ 17.25  , -13.25  ],\n"
                                                "       [-13.25  ,  26.0625]], dtype=float32)")
    assert repr(np.sum(t, axis=0)) == "array([1.25, 3.  , 2.5 ], dtype=float32)"
    assert repr(np.argmax(t, axis=1)) == "array([2, 1])"
    for got in (np.array(t), np.asarray(t), np.exp(t), np.concatenate([t, t]), np.square(t), np.stack([t, t]),
                np.reshape(t, (-1,)), np.transpose(t), np.expand_dims(t, 0), np.matmul(t, tf.transpose(t)),
                np.multiply(t, 2), np.add(t, t), np.abs(t), np.clip(t, 0, 1), np.isnan(t), np.maximum(t, 0),
                np.unique(tf.constant([1, 2, 2])), np.sort(tf.constant([3, 1, 2])), np.cumsum(tf.constant([1., 2.]))):
        assert type(got) is np.ndarray
    assert repr(np.shape(t)) == "TensorShape([2, 3])"            # np.shape reads t.shape
    s = tf.constant(["A b", "C"])
    assert repr(np.array(s)) == "array([b'A b', b'C'], dtype=object)"
    assert repr(np.where(s == b"C", 1, 0)) == "array([0, 1])"


def test_operators_mixing_tensors_and_numpy_stay_tensors_in_the_tensors_dtype(t):
    assert str(t + np.ones(3)) == \
        "tf.Tensor(\n[[ 2.   -1.    4.5 ]\n [ 1.25  6.    0.  ]], shape=(2, 3), dtype=float32)"
    assert str(np.ones(3) + t) == str(t + np.ones(3))
    assert str(np.float32(2) + t) == "tf.Tensor(\n[[3.   0.   5.5 ]\n [2.25 7.   1.  ]], shape=(2, 3), dtype=float32)"
    assert repr(np.ones((1, 2), np.float32) @ t) == \
        "<tf.Tensor: shape=(1, 3), dtype=float32, numpy=array([[1.25, 3.  , 2.5 ]], dtype=float32)>"
    f, i = tf.constant([1.0, 2.0]), tf.constant([1, 2])
    cases = {"f+np64": (f + np.ones(2), "float32", [2.0, 3.0]), "np64+f": (np.ones(2) + f, "float32", [2.0, 3.0]),
             "f*f64s": (f * np.float64(2), "float32", [2.0, 4.0]), "f64s*f": (np.float64(2) * f, "float32", [2.0, 4.0]),
             "i+np.int64": (i + np.array([1, 2]), "int32", [2, 4]),
             "i+npf": (i + np.array([1.5, 2.5]), "int32", [2, 4]),
             "f+npint": (f + np.array([1, 2]), "float32", [2.0, 4.0]),
             "f>np64": (f > np.ones(2), "bool", [False, True]),
             "i/2": (i / 2, "float64", [0.5, 1.0]), "i//2": (i // 2, "int32", [0, 1]),
             "f+[1,2]": (f + [1, 2], "float32", [2.0, 4.0]), "f**np64": (f ** np.float64(2), "float32", [1.0, 4.0]),
             "d+np32": (tf.constant([1.0, 2.0], tf.float64) + np.ones(2, np.float32), "float64", [2.0, 3.0])}
    for what, (got, dtype, values) in cases.items():
        assert isinstance(got, tf.Tensor) and got.dtype.name == dtype and got.numpy().tolist() == values, what


def test_a_tape_records_no_numpy_call_as_tensorflows_records_none():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = np.sum(np.exp(x) * x)                     # NumPy's float32: nothing to differentiate
        z = tf.reduce_sum(np.exp(x) * x)             # np.exp(x) a constant array here, x recorded
        w = np.exp(x) * x
    assert repr(y) == "np.float32(17.496393)"
    assert tape.gradient(y, x) is None
    want = "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([2.718282 , 7.3890557], dtype=float32)>"
    assert repr(tape.gradient(z, x)) == want and repr(tape.gradient(w, x)) == want
    with tf.GradientTape() as tape:                   # operators and tf functions: recorded as ever
        tape.watch(x)
        y = tf.reduce_sum(x * x + np.float32(2) * x)
    assert tape.gradient(y, x).numpy().tolist() == [4.0, 6.0]


# -- shapes -------------------------------------------------------------------------------------
def test_shapes_print_as_tensorflows(t, capsys):
    print(t.shape)
    print(repr(t.shape))
    print([t.shape])
    print(f"{t.shape!r}")
    print((t.shape, 1))
    print({"s": t.shape})
    print(tf.TensorShape(None), repr(tf.TensorShape(None)), repr(tf.TensorShape([None, 3])),
          str(tf.TensorShape([None, 3])), repr(tf.TensorShape([])), str(tf.TensorShape([])), repr(t.shape[1:]))
    print("fmt", f"{t.shape}", "%s" % (t.shape,), "{}".format(t.shape))
    assert capsys.readouterr().out == (
        "(2, 3)\nTensorShape([2, 3])\n[TensorShape([2, 3])]\nTensorShape([2, 3])\n(TensorShape([2, 3]), 1)\n"
        "{'s': TensorShape([2, 3])}\n"
        "<unknown> TensorShape(None) TensorShape([None, 3]) (None, 3) TensorShape([]) () TensorShape([3])\n"
        "fmt (2, 3) (2, 3) (2, 3)\n")


def test_keras_symbolic_shapes_are_tuples_and_weights_shapes_tensorshapes():
    inp = keras.Input((4,))
    out = keras.layers.Dense(2)(inp)
    m = keras.Model(inp, out)
    assert (repr(inp.shape), repr(out.shape), repr(m.output.shape), repr(m.input_shape), repr(m.output_shape)) == \
        ("(None, 4)", "(None, 2)", "(None, 2)", "(None, 4)", "(None, 2)")
    assert inp.shape.as_list() == [None, 4]                       # Keras 2's as_list() still answers
    assert repr(m.predict(np.ones((3, 4)), verbose=0).shape) == "(3, 2)"
    assert repr(m(np.ones((3, 4))).shape) == "TensorShape([3, 2])"
    assert [repr(w.shape) for w in m.weights] == ["TensorShape([4, 2])", "TensorShape([2])"]
    assert repr(tf.Variable([1., 2.]).shape) == "TensorShape([2])"


# -- models and layers --------------------------------------------------------------------------
def test_models_and_layers_print_as_keras_3():
    inp = keras.Input((4,))
    m = keras.Model(inp, keras.layers.Dense(2)(inp))
    assert type(m).__name__ == "Functional" and isinstance(m, keras.Model)
    assert repr(m) == str(m) == f"<Functional name={m.name}, built=True>"
    s = keras.Sequential([keras.layers.Dense(3)], name="sequential")
    assert repr(s) == "<Sequential name=sequential, built=False>"
    s.build((None, 4))
    assert repr(s) == "<Sequential name=sequential, built=True>"
    d = keras.layers.Dense(5, name="dense_2")
    assert repr(d) == "<Dense name=dense_2, built=False>"
    d.build((None, 2))
    assert repr(d) == str(d) == "<Dense name=dense_2, built=True>"
    L = keras.layers
    assert [repr(x) for x in (L.Dropout(0.5, name="dropout"), L.Flatten(name="flatten"),
                              L.MaxPooling2D(name="max_pooling2d"), L.Activation("relu", name="activation"),
                              L.Reshape((2, 2), name="reshape"), L.BatchNormalization(name="batch_normalization"),
                              L.GlobalAveragePooling2D(name="global_average_pooling2d"))] == [
        "<Dropout name=dropout, built=True>", "<Flatten name=flatten, built=False>",
        "<MaxPooling2D name=max_pooling2d, built=True>", "<Activation name=activation, built=True>",
        "<Reshape name=reshape, built=True>", "<BatchNormalization name=batch_normalization, built=False>",
        "<GlobalAveragePooling2D name=global_average_pooling2d, built=True>"]

    class My(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(1)

        def call(self, x):
            return self.d(x)
    mine = My()
    assert type(mine).__name__ == "My" and repr(mine) == f"<My name={mine.name}, built=False>"
    assert mine.name == "my" or mine.name.startswith("my_")


# -- the optimizer's learning rate -------------------------------------------------------------
def test_learning_rate_is_keras_3s_float32_variable(capsys):
    opt = keras.optimizers.Adam()
    print(opt.learning_rate)
    print(float(opt.learning_rate), repr(opt.learning_rate.numpy()))
    opt.learning_rate = 0.01
    print(opt.learning_rate)
    opt.learning_rate.assign(0.02)
    print(opt.learning_rate)
    print(repr(keras.backend.get_value(opt.learning_rate)))
    opt.learning_rate.assign(0.005)
    print(opt.learning_rate.numpy(), opt.get_config()["learning_rate"], f"{float(opt.learning_rate):.4f}")
    print(keras.optimizers.SGD(0.1).learning_rate)
    print(keras.optimizers.RMSprop().learning_rate)
    print(keras.optimizers.SGD(0.1, name="mine").learning_rate)
    print(repr(keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)).learning_rate))
    out = capsys.readouterr().out.split("\n")
    assert out[:-1] == [
        "<Variable path=adam/learning_rate, shape=(), dtype=float32, value=0.0010000000474974513>",
        "0.0010000000474974513 np.float32(0.001)",
        "<Variable path=adam/learning_rate, shape=(), dtype=float32, value=0.009999999776482582>",
        "<Variable path=adam/learning_rate, shape=(), dtype=float32, value=0.019999999552965164>",
        "np.float32(0.02)",
        "0.005 0.004999999888241291 0.0050",
        "<Variable path=sgd/learning_rate, shape=(), dtype=float32, value=0.10000000149011612>",
        "<Variable path=rm_sprop/learning_rate, shape=(), dtype=float32, value=0.0010000000474974513>",
        "<Variable path=mine/learning_rate, shape=(), dtype=float32, value=0.10000000149011612>",
        "<tf.Tensor: shape=(), dtype=float32, numpy=0.10000000149011612>"]
    assert type(opt.learning_rate.numpy()) is np.float32 and opt.learning_rate == 0.005      # compared in float32


def test_a_fits_history_and_evaluate_give_python_floats_and_float32_rates():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x.sum(1) > 0).astype("float32")
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    h = m.fit(x, y, epochs=3, verbose=0, callbacks=[keras.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.9)])
    assert sorted(h.history) == ["accuracy", "learning_rate", "loss"]
    assert {k: [type(v).__name__ for v in vs] for k, vs in h.history.items()} == {
        "accuracy": ["float"] * 3, "loss": ["float"] * 3, "learning_rate": ["float"] * 3}
    assert h.history["learning_rate"] == [0.008999999612569809, 0.008099999278783798, 0.0072899991646409035]
    assert h.params == {"verbose": 0, "epochs": 3, "steps": 2} and h.epoch == [0, 1, 2]
    assert str(m.optimizer.learning_rate) == \
        "<Variable path=adam/learning_rate, shape=(), dtype=float32, value=0.0072899991646409035>"
    r = m.evaluate(x, y, verbose=0)
    assert type(r) is list and [type(v) for v in r] == [float, float]
    assert {k: type(v) for k, v in m.evaluate(x, y, verbose=0, return_dict=True).items()} == \
        {"accuracy": float, "loss": float}
    p = m.predict(x[:2], verbose=0)
    assert type(p) is np.ndarray and p.dtype == np.float32
    assert [w.dtype for w in m.get_weights()] == [np.dtype("float32")] * 4


def test_tensors_and_variables_print_as_tensorflows(capsys):
    print(tf.constant(3), tf.constant(2.5), tf.constant(True), tf.constant("hi"), tf.constant([1, 2]))
    print(repr(tf.constant(3)), repr(tf.constant("hi")), repr(tf.constant(True)))
    print(tf.Variable(3.0, name="w"))
    print(tf.reduce_sum(tf.constant([1., 2.])).numpy(), repr(tf.reduce_sum(tf.constant([1., 2.])).numpy()))
    assert capsys.readouterr().out.split("\n")[:-1] == [
        "tf.Tensor(3, shape=(), dtype=int32) tf.Tensor(2.5, shape=(), dtype=float32) tf.Tensor(True, shape=(), "
        "dtype=bool) tf.Tensor(b'hi', shape=(), dtype=string) tf.Tensor([1 2], shape=(2,), dtype=int32)",
        "<tf.Tensor: shape=(), dtype=int32, numpy=3> <tf.Tensor: shape=(), dtype=string, numpy=b'hi'> "
        "<tf.Tensor: shape=(), dtype=bool, numpy=True>",
        "<tf.Variable 'w:0' shape=() dtype=float32, numpy=3.0>",
        "3.0 np.float32(3.0)"]


def test_versions_answer_as_the_tensorflow_and_keras_followed():
    # TF 2.21 prints 2.21.0 / 3.15.1: glassnet gives those with its own version as a local label,
    # so the TensorBoard tutorials' `assert version.parse(tf.__version__).release[0] >= 2` holds
    import re
    assert tf.__version__ == tf.version.VERSION == f"2.21.0+glassnet.{tf.__glassnet_version__}"
    assert keras.__version__ == f"3.15.1+glassnet.{tf.__glassnet_version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", tf.__glassnet_version__)
    packaging = pytest.importorskip("packaging.version")
    assert packaging.parse(tf.__version__).release[0] >= 2 and packaging.parse(tf.__version__).local.startswith("glassnet")
    assert packaging.parse(keras.__version__).release[:2] == (3, 15)


def test_numpy_functions_on_a_variable_give_numpys_answer_as_tf():
    # TF 2.21: np.mean(tf.Variable([1., 2.])) -> np.float32(1.5); np.exp(v) an ndarray;
    # np.shape(v) TensorShape([2]); v * 2, np.ones(2) * v, np.float32(2) + v EagerTensors
    v = tf.Variable([1.0, 2.0])
    assert repr(np.mean(v)) == "np.float32(1.5)" and repr(np.sum(v)) == "np.float32(3.0)"
    assert type(np.exp(v)) is np.ndarray
    assert repr(np.shape(v)) == "TensorShape([2])"
    for value in (v * 2, np.ones(2) * v, np.float32(2) + v):
        assert isinstance(value, tf.Tensor)
    with tf.GradientTape() as tape:                    # the operator is recorded, as TF's
        y = tf.reduce_sum(np.ones(2) * v)
    assert tape.gradient(y, v).numpy().tolist() == [1.0, 1.0]
    with tf.GradientTape() as tape:                    # a program's NumPy call is not
        z = np.sum(v)
    assert type(z) is np.float32
