"""``model.losses`` on a GradientTape of one's own (TensorFlow's custom training loop:
``loss = loss_fn(y, model(x, training=True)) + sum(model.losses)``): an ActivityRegularization's
penalty, a layer's ``add_loss`` term and the weights' regularization penalties are
differentiable, each term gets the gradient the program's loss gives it (none when left
out), and ``fit`` still adds them all. The numbers are TensorFlow 2.21 / Keras 3.15's
(printed by the script in each test's comment, on the same weights)."""
import numpy as np
import pytest

import glassnet as tf

keras = tf.keras
L = keras.layers
X = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]], "float32")
Y = np.array([[1.0], [0.0]], "float32")
K1 = np.array([[0.5, -0.3], [0.2, 0.1], [-0.4, 0.25]], "float32")
B1 = np.array([0.1, -0.2], "float32")
K2 = np.array([[0.7], [-1.2]], "float32")
B2 = np.array([0.3], "float32")

# TF 2.21: Dense(2, tanh) -> ActivityRegularization(l1=0.05, l2=0.02) -> Dense(1), MSE
TF_MSE, TF_PEN = 0.837386965751648, 0.04841923341155052
TF_TOTAL = [[[0.10237887501716614, -0.3251218795776367], [0.27897682785987854, -0.3282458484172821],
             [-0.6441789865493774, 1.2440178394317627]], [0.5256466269493103, -1.1813002824783325],
            [[0.772489607334137], [-0.5770511031150818]], [1.214653730392456]]
TF_PEN_ONLY = [[[-0.017876945436000824, -0.033850185573101044], [0.05474870279431343, 0.04636527597904205],
                [-0.03624351695179939, 0.013744110241532326]], [-0.0012564826756715775, -0.05251839756965637],
               None, None]
TF_MSE_ONLY = [[[0.12025582045316696, -0.29127171635627747], [0.2242281287908554, -0.37461113929748535],
                [-0.6079354882240295, 1.2302738428115845]], [0.5269030928611755, -1.1287819147109985],
               [[0.772489607334137], [-0.5770511031150818]], [1.214653730392456]]
# the same with kernel_regularizer=L2(0.1), bias_regularizer=L1(0.2) on the first Dense and
# kernel_regularizer=L1L2(0.01, 0.03) on the second: mse + sum(model.losses) (4 terms)
TF_REG_TOTAL = 1.083956241607666
TF_REG_GRADS = [[[0.20237886905670166, -0.3851218819618225], [0.31897681951522827, -0.30824583768844604],
                 [-0.7241789698600769, 1.2940177917480469]], [0.7256466150283813, -1.3813003301620483],
                [[0.8244895935058594], [-0.6590511202812195]], [1.214653730392456]]


def _sequential(regularized=False):
    regs = dict(kernel_regularizer=keras.regularizers.L2(0.1), bias_regularizer=keras.regularizers.L1(0.2)) \
        if regularized else {}
    last = dict(kernel_regularizer=keras.regularizers.L1L2(0.01, 0.03)) if regularized else {}
    m = keras.Sequential([L.Input((3,)), L.Dense(2, activation="tanh", **regs),
                          L.ActivityRegularization(l1=0.05, l2=0.02), L.Dense(1, **last)])
    m.layers[0].set_weights([K1, B1])
    m.layers[2].set_weights([K2, B2])
    return m


def _functional():
    i = keras.Input((3,))
    h = L.Dense(2, activation="tanh")(i)
    m = keras.Model(i, L.Dense(1)(L.ActivityRegularization(l1=0.05, l2=0.02)(h)))
    first, last = [layer for layer in m.layers if isinstance(layer, L.Dense)]
    first.set_weights([K1, B1])
    last.set_weights([K2, B2])
    return m


def _close(got, want):
    for g, w in zip(got, want):
        if w is None:                      # TF: None (the weight is after the penalty); glassnet: None or zeros
            assert g is None or not np.any(np.asarray(g))
        else:
            np.testing.assert_allclose(np.asarray(g), w, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("make", [_sequential, _functional], ids=["Sequential", "functional"])
def test_the_activity_penalty_on_a_tape_matches_tensorflow(make):
    m = make()
    with tf.GradientTape(persistent=True) as tape:
        out = m(X, training=True)
        mse = keras.losses.MeanSquaredError()(Y, out)
        pen = tf.add_n(m.losses)
        total = mse + pen
    assert len(m.losses) == 1
    np.testing.assert_allclose([float(mse), float(pen)], [TF_MSE, TF_PEN], rtol=1e-6)
    _close(tape.gradient(total, m.trainable_weights), TF_TOTAL)
    _close(tape.gradient(pen, m.trainable_weights), TF_PEN_ONLY)       # the penalty's own gradient
    _close(tape.gradient(mse, m.trainable_weights), TF_MSE_ONLY)       # a loss without it: none of it


def test_the_layer_alone_gives_the_penalty_and_the_input_gradient():
    layer = L.ActivityRegularization(l1=0.05, l2=0.02)
    x = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = layer(x)
        p = tf.add_n(layer.losses) + tf.reduce_sum(out * 0.5)
    np.testing.assert_allclose(float(tf.add_n(layer.losses)), 0.18880000710487366, rtol=1e-6)      # TF 2.21
    np.testing.assert_allclose(tape.gradient(p, x).numpy(), 0.5 + (0.05 * np.sign(X) + 0.04 * X) / 2, rtol=1e-6)


def test_weight_penalties_in_model_losses_are_differentiable_on_a_tape():
    m = _sequential(regularized=True)
    with tf.GradientTape() as tape:
        out = m(X, training=True)
        total = keras.losses.MeanSquaredError()(Y, out) + tf.add_n(m.losses)
    assert len(m.losses) == 4
    np.testing.assert_allclose(float(total), TF_REG_TOTAL, rtol=1e-6)
    _close(tape.gradient(total, m.trainable_weights), TF_REG_GRADS)
    np.testing.assert_allclose(float(sum(m.layers[0].losses)), 0.1 * np.sum(K1 ** 2) + 0.2 * np.sum(np.abs(B1)),
                               rtol=1e-6)                        # asked outside a tape: the same penalties


def test_fit_still_adds_every_term_after_a_tape_left_them_out():
    m = _sequential(regularized=True)
    with tf.GradientTape() as tape:
        mse = keras.losses.MeanSquaredError()(Y, m(X, training=True))
    tape.gradient(mse, m.trainable_weights)                              # the penalties' seeds were 0 here
    m.compile(keras.optimizers.SGD(0.1), "mse")
    value = m.train_on_batch(X, Y)
    np.testing.assert_allclose(value, TF_REG_TOTAL, rtol=1e-6)
    start = [K1, B1, K2, B2]
    for w, w0, g in zip(m.get_weights(), start, TF_REG_GRADS):
        np.testing.assert_allclose(w, w0 - 0.1 * np.asarray(g, "float32"), rtol=1e-5, atol=1e-7)


class _Penalized(L.Layer):
    """A layer written with call that adds ``0.1 sum x^2``."""

    def call(self, x):
        self.add_loss(0.1 * tf.reduce_sum(x ** 2))
        return x


def test_an_add_loss_term_inside_a_sequential_counts_once():
    dense = L.Dense(2, kernel_initializer="ones")
    m = keras.Sequential([L.Input((3,)), dense, _Penalized(), L.Dense(1, kernel_initializer="ones")])
    with tf.GradientTape(persistent=True) as tape:
        out = m(X)
        pen = tf.add_n(m.losses)
        s = tf.reduce_sum(out)
    h = X @ np.ones((3, 2))
    np.testing.assert_allclose(float(pen), 0.1 * np.sum(h ** 2), rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(pen, dense.kernel).numpy(), 0.2 * X.T @ h, rtol=1e-5)
    np.testing.assert_allclose(tape.gradient(s, dense.kernel).numpy(), X.T @ np.ones((2, 2)), rtol=1e-6)


class _Constant(L.Layer):
    """A layer written with call that adds a plain number (no gradient)."""

    def call(self, x):
        self.add_loss(0.5)
        return x


def test_a_plain_number_added_before_a_penalty_leaves_the_penaltys_gradient_in_place():
    dense = L.Dense(2, kernel_initializer="ones")
    m = keras.Sequential([L.Input((3,)), dense, _Constant(), _Penalized()])
    with tf.GradientTape() as tape:
        m(X[:1])
        pen = m.losses[-1]                                   # the penalty only, after the constant 0.5
    h = X[:1] @ np.ones((3, 2))
    np.testing.assert_allclose(tape.gradient(pen, dense.kernel).numpy(), 0.2 * X[:1].T @ h, rtol=1e-5)
