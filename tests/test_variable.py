"""glassnet.tf.variable: TensorFlow's Variable, which is also every layer's weight class;
and glassnet.tf.module: tf.Module, and Variables set as attributes of a subclassed Model."""
import copy
import pickle

import numpy as np
import pytest

import glassnet as tf
from glassnet.keras import Model
from glassnet.keras.layers import Dense


def test_tensorflows_constructor_and_surface():
    v = tf.Variable([1.0, 2.0], name="v")
    assert v.dtype == np.float32 and v.shape == (2,) and v.shape.as_list() == [2] and v.trainable
    assert v.name == "v:0" and v.path == "v" and tf.Variable(1.0).name == "Variable:0"      # TensorFlow's names
    assert tf.Variable(np.zeros(2)).dtype == np.float64                  # NumPy arrays keep their type
    assert tf.Variable(3, dtype=tf.float64).dtype == np.float64
    assert tf.Variable(lambda: np.ones(3), trainable=False).trainable is False
    assert tf.Variable([1.0], shape=(1,)).shape == (1,)
    with pytest.raises(ValueError, match="shape=.*was given"):
        tf.Variable([1.0, 2.0], shape=(3,))
    with pytest.raises(TypeError, match="unexpected argument"):
        tf.Variable(1.0, colour="red")
    with pytest.raises(TypeError, match="trainable must be"):
        tf.Variable(1.0, trainable=[True])
    with pytest.raises(ValueError, match="initial_value"):
        tf.Variable()
    old_style = tf.Variable(np.zeros(2), "w0")                          # Variable(value, name) of before
    assert old_style.name == "w0:0" and old_style.trainable


def test_the_initial_value_is_copied():
    a = np.zeros(3)
    v = tf.Variable(a)
    a[0] = 5.0
    assert v.numpy()[0] == 0.0
    out = v.numpy()
    out[1] = 7.0
    assert v.numpy()[1] == 0.0                                          # numpy() hands out a copy


def test_assign_family_changes_the_numbers_in_place_and_returns_the_variable():
    v = tf.Variable([1.0, 2.0])
    storage = v.value
    assert v.assign([3.0, 4.0]) is v and v.assign_add([1.0, 1.0]) is v and v.assign_sub([0.5, 0.5]) is v
    np.testing.assert_array_equal(v.numpy(), [3.5, 4.5])
    assert v.value is storage                                           # in place: optimizers keep seeing it
    with pytest.raises(ValueError, match="shape"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="AssignAddVariableOp.*shapes must be equal"):
        v.assign_add(np.ones(3))
    with pytest.raises(RuntimeError, match=r"variable \+= value.*assign_add"):     # TensorFlow's refusal
        v += 1.0


def test_arithmetic_numpy_calls_indexing_and_conversions():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal((v * 2 + 1).numpy(), [[3, 5], [7, 9]])
    np.testing.assert_array_equal((2 - v).numpy(), [[1, 0], [-1, -2]])
    np.testing.assert_array_equal((v @ v).numpy(), [[7, 10], [15, 22]])
    np.testing.assert_array_equal((np.ones((1, 2)) @ v).numpy(), [[4, 6]])
    assert float(np.sum(v)) == 10.0 and np.exp(v).shape == (2, 2)
    np.testing.assert_array_equal(np.concatenate([v, v]).shape, (4, 2))
    assert isinstance(v * 2, tf.Tensor) and type(np.exp(v)) is np.ndarray      # NumPy answers NumPy calls, as TF
    assert float(v[1, 0]) == 3.0 and v[0].shape == (2,) and v.T.shape == (2, 2)
    assert float(tf.Variable(2.5)) == 2.5 and int(tf.Variable(3)) == 3 and len(v) == 2
    np.testing.assert_array_equal(np.asarray(v), v.numpy())
    assert (v > 2).numpy().tolist() == [[False, False], [True, True]]
    assert f"{tf.Variable(0.5):.2f}" == "0.50"
    assert repr(tf.Variable([1.0], name="w")) == "<tf.Variable 'w:0' shape=(1,) dtype=float32, numpy=array([1.], dtype=float32)>"
    assert "numpy=" in repr(v) and tf.reduce_sum(v).numpy() == 10.0


def test_value_grad_path_and_store_in_keep_their_contract():
    v = tf.Variable(np.zeros((2, 2), np.float32), name="k")
    assert v.path == "k" and v.grad.shape == (2, 2) and v.regularizer is None
    v.grad = np.ones((2, 2))
    with pytest.raises(ValueError, match="'k'.*grad"):
        v.grad = np.ones(3)
    value, grad = np.zeros(8, np.float32), np.zeros(8, np.float32)
    v.assign(np.full((2, 2), 2.0))
    v.store_in(value[:4].reshape(2, 2), grad[:4].reshape(2, 2))         # glassnet.fast's packing
    assert value[:4].tolist() == [2.0] * 4 and grad[:4].tolist() == [1.0] * 4
    v.assign_add(np.ones((2, 2)))
    assert value[:4].tolist() == [3.0] * 4                                # the buffer is the variable now
    twin = pickle.loads(pickle.dumps(v))
    np.testing.assert_array_equal(twin.numpy(), v.numpy())
    assert copy.deepcopy(v).path == "k"


def test_layer_weights_are_variables():
    layer = Dense(3)
    layer(np.ones((1, 2)))
    assert isinstance(layer.kernel, tf.Variable) and tf.layers.Variable is tf.Variable
    assert layer.kernel.path.endswith("/kernel") and layer.kernel.trainable


def test_optimizers_update_stand_alone_variables_by_position():
    w, b = tf.Variable([1.0, -1.0]), tf.Variable(0.5)
    opt = tf.keras.optimizers.SGD(0.1, momentum=0.9)
    opt.apply_gradients(zip([np.array([1.0, 1.0]), np.array(2.0)], [w, b]))
    np.testing.assert_allclose(w.numpy(), [0.9, -1.1]) and np.testing.assert_allclose(b.numpy(), 0.3)
    opt.apply_gradients([(None, w), (np.array(1.0), b)])                 # a None gradient is skipped
    np.testing.assert_allclose(w.numpy(), [0.9, -1.1])
    np.testing.assert_allclose(b.numpy(), 0.3 - 0.9 * 0.2 - 0.1, rtol=1e-6)   # b's momentum, at position 1
    late = tf.Variable(1.0)
    opt.apply_gradients([(np.array(1.0), late)])                          # met later: state of its own
    np.testing.assert_allclose(late.numpy(), 0.9)
    with pytest.raises(ValueError, match="no gradients"):
        opt.apply_gradients([(None, w)])
    with pytest.raises(ValueError, match="shape"):
        opt.apply_gradients([(np.ones(3), w)])
    with pytest.raises(TypeError, match="not a Variable"):
        opt.apply_gradients([(np.ones(2), np.ones(2))])


def test_minimize_with_a_tape_or_a_function():
    w = tf.Variable(3.0)
    opt = tf.keras.optimizers.SGD(0.25)
    with tf.GradientTape() as tape:
        loss = w * w
    opt.minimize(loss, [w], tape=tape)                                   # w -= 0.25 * 2w
    assert float(w) == 1.5
    opt.minimize(lambda: (w - 1.0) ** 2, lambda: [w])
    assert float(w) == pytest.approx(1.25)
    with pytest.raises(ValueError, match="tape="):
        opt.minimize(w * 2, [w])


def test_module_tracks_variables_and_submodules():
    class Inner(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(1.0, name="w")

    class Outer(tf.Module):
        def __init__(self):
            super().__init__(name="outer")
            self.inner = Inner()
            self.stack = [tf.Variable(2.0, name="a"), {"b": tf.Variable(3.0, name="b", trainable=False)}]
            self.again = self.inner.w                      # the same variable once

    m = Outer()
    assert m.name == "outer" and Inner().name.startswith("inner")
    assert sorted(v.name for v in m.variables) == ["a:0", "b:0", "w:0"]
    assert sorted(v.name for v in m.trainable_variables) == ["a:0", "w:0"] and len(m.submodules) == 1
    with m.name_scope:
        pass
    with pytest.raises(ValueError, match="name"):
        tf.Module(name="not a name!")


def test_variables_set_on_a_subclassed_model_are_its_weights_and_train():
    class Scaled(Model):
        def __init__(self):
            super().__init__()
            self.d = Dense(1, kernel_initializer="ones", use_bias=False)
            self.scale = tf.Variable(2.0, name="scale")

        def call(self, x):
            return self.d(x) * self.scale

    m = Scaled()
    x = np.ones((4, 2), np.float32)
    m(x)
    assert any(v is m.scale for v in m.trainable_variables) and len(m.weights) == 2
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(m(x) ** 2)                  # (2 * 2)^2 = 16: d/dscale = 2 * 4 * 2 = 16
    grads = tape.gradient(loss, m.trainable_variables)
    assert float(grads[-1]) == pytest.approx(16.0)
    m.compile(optimizer="sgd", loss="mse")
    before = float(m.scale)
    m.fit(x, np.zeros((4, 1)), epochs=1, verbose=0)
    assert float(m.scale) < before
