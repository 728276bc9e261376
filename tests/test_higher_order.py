"""Second derivatives, jacobians and Hessians through Keras layers (TensorFlow's "Introduction
to gradients" and "Advanced automatic differentiation" guides): nested tapes record a layer's
call with tf operations (``call_ops``), so the inner gradient is differentiable again.

The TF numbers are TensorFlow 2.21's, printed by tools/make_higher_order_constants.py; those
through Conv2D/Conv1D, pooling, BatchNormalization, LayerNormalization and functional and
subclassed models are in tests/fixtures/tf_higher_order_layers.npz
(tools/make_tf_higher_order_layers.py)."""
import pathlib

import numpy as np
import pytest

import glassnet as tf
from conftest import load_tool
from glassnet.layers import Dense

LAYERS_FIXTURE = np.load(pathlib.Path(__file__).parent / "fixtures" / "tf_higher_order_layers.npz")

X = np.array([[1.76, 0.4, 0.98], [2.24, 1.87, -0.98], [0.95, -0.15, -0.1], [0.41, 0.14, 1.45]])
K1 = np.array([[0.76, 0.12, 0.44, 0.33], [1.49, -0.21, 0.31, -0.85], [-2.55, 0.65, 0.86, -0.74]])
B1 = np.array([2.27, -1.45, 0.05, -0.19])
K2 = np.array([[1.53, 1.47], [0.15, 0.38], [-0.89, -1.98], [-0.35, 0.16]])
B2 = np.array([1.23, 1.2])

# TensorFlow 2.21 (float32)
TF_G = np.array([[0.028805392, 0.12940979, -2.431597, -0.5915323],
                 [-0.018772218, 0.012075747, -0.8532947, -0.27749223],
                 [-0.5195687, -0.17944953, 0.8707349, 0.028742235]])
TF_HESS_DIAG = np.array([-0.66544795, 0.4646701, 7.5215592, -0.49047914, -0.037625965, 0.07160034,
                         3.9495096, -0.19607165, -0.9358787, -0.1391597, 0.57947564, -0.18063952])
TF_HESS_ROW2 = np.array([-6.6357262e-02, -1.2283481e-01, 7.5215592e+00, -4.7536264e-03, -1.3670343e-02,
                         -3.1141067e-02, 4.4975777e+00, -2.8331175e-03, -7.6426975e-02, -2.6675411e-02,
                         -2.5541439e+00, 1.4344129e-03])
TF_NEWTON = np.array([[-0.7376388, -1.5536178, -0.83104634, -1.0481389],
                      [-4.3975177, 2.4044297, -0.47476137, 3.314662],
                      [3.0645914, 4.8261375, -2.3864267, 1.0504714]])
TF_PEN_G = np.array([[0.25336313, -0.004879877, -0.24730395], [0.18633378, -0.15886572, 0.06300087],
                     [0.24032542, -0.09967041, 0.021137387], [0.3059709, 0.15396994, -0.3709583]])
TF_PEN = np.array([[0.055892915, 0.3660935, 0.3536097, 0.53040504],
                   [0.028309248, 0.022561627, -0.08693545, -0.029387895],
                   [-0.0034392774, -0.33909363, -0.06294859, -0.1016182]])
TF_JK_SUM = np.array([[4.95, 0.0, 5.36, 0.95], [2.12, 0.0, 2.26, -0.15], [-0.1, 0.0, 1.35, -0.1]])


def dense(k, b, activation, dtype="float32"):
    layer = Dense(k.shape[1], activation=activation, dtype=dtype)
    layer.build((None, k.shape[0]))
    layer.kernel.assign(k.astype(dtype))
    layer.bias.assign(b.astype(dtype))
    return layer


def mlp_hessian(dtype="float32"):
    l1, l2 = dense(K1, B1, "tanh", dtype), dense(K2, B2, None, dtype)
    x = tf.constant(X.astype(dtype))
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = l2(l1(x))
            loss = tf.reduce_mean(y ** 2)
        g = t1.gradient(loss, l1.kernel)
    return l1, l2, g, t2.jacobian(g, l1.kernel)


def mlp_loss(k1):
    h = np.tanh(X @ k1 + B1)
    return np.mean((h @ K2 + B2) ** 2)


def test_hessian_of_a_two_layer_mlp_matches_tensorflow():
    _, _, g, h = mlp_hessian()
    assert h.shape == (3, 4, 3, 4)
    np.testing.assert_allclose(g.numpy(), TF_G, rtol=1e-4, atol=1e-5)
    flat = h.numpy().reshape(12, 12)
    np.testing.assert_allclose(np.diag(flat), TF_HESS_DIAG, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(flat[2], TF_HESS_ROW2, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(flat, flat.T, atol=1e-5)                  # a Hessian is symmetric


def test_hessian_matches_central_differences_in_float64():
    _, _, g, h = mlp_hessian("float64")
    eps = 1e-6
    np.testing.assert_allclose(g.numpy(), _numeric_grad(K1), rtol=1e-12)
    for i in np.ndindex(K1.shape):                                  # the gradient itself, against differences
        d = np.zeros_like(K1)
        d[i] = eps
        assert abs((mlp_loss(K1 + d) - mlp_loss(K1 - d)) / (2 * eps) - g.numpy()[i]) < 1e-7
    flat = h.numpy().reshape(12, 12)
    for j in range(12):
        e = np.zeros(12)
        e[j] = eps
        e = e.reshape(3, 4)
        grad_plus = _numeric_grad(K1 + e)
        grad_minus = _numeric_grad(K1 - e)
        np.testing.assert_allclose(flat[:, j], ((grad_plus - grad_minus) / (2 * eps)).ravel(), atol=1e-7)


def _numeric_grad(k1):
    """dL/dK1 written out in NumPy (float64): central differences of it give the Hessian."""
    h = np.tanh(X @ k1 + B1)
    y = h @ K2 + B2
    dz = (2 * y / y.size) @ K2.T * (1 - h * h)
    return X.T @ dz


def test_newton_step_from_the_hessian_matches_tensorflow():
    l1, _, g, h = mlp_hessian()
    n = tf.reshape(h, [12, 12])
    step = tf.linalg.solve(n, tf.reshape(g, [12, 1]))
    np.testing.assert_allclose(np.asarray(step).reshape(3, 4), TF_NEWTON, rtol=2e-3, atol=2e-3)
    l1.kernel.assign_sub(tf.reshape(step, l1.kernel.shape))       # the guide's update runs
    np.testing.assert_allclose(l1.kernel.numpy(), K1 - TF_NEWTON, rtol=2e-3, atol=2e-3)


def test_input_gradient_penalty_matches_tensorflow():
    layer = dense(K1, B1, "sigmoid")
    x = tf.constant(X.astype("float32"))
    with tf.GradientTape() as t2:
        with tf.GradientTape(watch_accessed_variables=False) as t1:
            t1.watch(x)
            y = layer(x)
        g = t1.gradient(y, x)
        g2 = tf.reduce_sum(g ** 2)
    dg2 = t2.gradient(g2, layer.kernel)
    np.testing.assert_allclose(g.numpy(), TF_PEN_G, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(dg2.numpy(), TF_PEN, rtol=1e-4, atol=1e-6)


def test_jacobian_and_batch_jacobian_through_dense_match_tensorflow():
    layer = dense(K1, B1, "relu")
    x = tf.constant(X.astype("float32"))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = layer(x)
    j = tape.jacobian(y, layer.kernel)
    assert j.shape == (4, 4, 3, 4)
    np.testing.assert_allclose(j.numpy().sum(axis=(0, 1)), TF_JK_SUM, atol=1e-5)
    bj = tape.batch_jacobian(y, x)
    on = (X @ K1 + B1 > 0).astype(np.float32)                           # relu's slope per sample and unit
    np.testing.assert_allclose(bj.numpy(), on[:, :, None] * K1.T[None], atol=1e-6)
    slow = tape.jacobian(y, x, experimental_use_pfor=False)
    np.testing.assert_allclose(slow.numpy()[np.arange(4), :, np.arange(4)], bj.numpy(), atol=1e-6)


def test_jacobian_through_a_small_sequential_has_the_guides_shape():
    x = tf.random.normal([7, 5])
    model = tf.keras.Sequential([tf.keras.layers.Dense(10, activation=tf.nn.relu),
                                 tf.keras.layers.Dense(10, activation=tf.nn.relu)])
    with tf.GradientTape(persistent=True) as tape:
        y = model(x)
    j = tape.jacobian(y, model.layers[0].kernel)
    assert j.shape == (7, 10, 5, 10)
    g = tape.gradient(y, model.layers[0].kernel)           # the jacobian summed over the target is the gradient
    np.testing.assert_allclose(j.numpy().sum(axis=(0, 1)), g.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("make", [
    lambda: tf.keras.layers.Dense(3, activation="tanh"),
    lambda: tf.keras.layers.Dense(3, activation="softmax"),
    lambda: tf.keras.layers.Dense(3, activation="sigmoid", use_bias=False),
    lambda: tf.keras.layers.Activation("softplus"),
    lambda: tf.keras.layers.Flatten(),
    lambda: tf.keras.layers.Reshape((2, 3)),
    lambda: tf.keras.layers.Dropout(0.5),
    lambda: tf.keras.layers.LeakyReLU(0.1),
    lambda: tf.keras.layers.Softmax(),
    lambda: tf.keras.layers.ReLU(),
    lambda: tf.keras.layers.ReLU(max_value=0.5, negative_slope=0.1, threshold=0.2),
    lambda: tf.keras.layers.ELU(alpha=0.7),
])
def test_call_ops_gives_the_forwards_numbers(make):
    layer = make()
    x = np.random.default_rng(1).normal(size=(4, 6)).astype("float32")
    plain = np.asarray(layer(x))
    np.testing.assert_allclose(np.asarray(layer.call_ops(tf.constant(x), False)), plain, rtol=1e-6, atol=1e-6)


def test_a_layer_call_stays_one_node_and_only_a_recorded_gradient_runs_call_ops():
    layer = dense(K1, B1, "tanh")
    x = tf.constant(X.astype("float32"))
    calls = []
    layer.call_ops = lambda x, training=False: calls.append(1) or Dense.call_ops(layer, x, training)
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:    # a GAN's two tapes: first order
        y = layer(x)
        loss = tf.reduce_sum(y ** 2)
    assert [n.name for n in disc_tape.recorded][0] == f"Dense({layer.name})"      # one node, fit's kernels
    gen_tape.gradient(loss, layer.kernel)
    disc_tape.gradient(loss, layer.kernel)
    assert calls == []                                                   # no tape recorded a gradient
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = tf.reduce_sum(layer(x) ** 2)
        g = tf.reduce_sum(inner.gradient(loss, layer.kernel))          # the outer tape records it
    assert calls == [1] and outer.gradient(g, layer.kernel) is not None


def test_a_layer_without_call_ops_still_refuses_a_second_derivative_by_name():
    layer = tf.keras.layers.PReLU()
    x = tf.constant([[0.5, -1.0]])
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = tf.reduce_sum(layer(x) ** 2)
        g = t1.gradient(y, x)
    with pytest.raises(LookupError, match="second derivative through PReLU"):
        t2.gradient(g, x)


def test_custom_gradient_stop_recording_and_stop_gradient():
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)
        return tf.math.log(1 + e), lambda dy: dy * (1 - 1 / (1 + e))
    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert float(tape.gradient(y, x)) == 1.0                            # TF's guide: 1.0, not nan
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    with tf.GradientTape() as t:
        x_sq = x * x
        with t.stop_recording():
            y_sq = y * y
        z = x_sq + y_sq
    grad = t.gradient(z, {"x": x, "y": y})
    assert float(grad["x"]) == 4.0 and grad["y"] is None
    with tf.GradientTape() as t:
        y_sq = y ** 2
        z = x ** 2 + tf.stop_gradient(y_sq)
    grad = t.gradient(z, {"x": x, "y": y})
    assert float(grad["x"]) == 4.0 and grad["y"] is None


def test_reset_unconnected_gradients_and_integer_sources():
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    reset = True
    with tf.GradientTape() as t:
        y_sq = y * y
        if reset:
            t.reset()
        z = x * x + y_sq
    grad = t.gradient(z, {"x": x, "y": y})
    assert float(grad["x"]) == 4.0 and grad["y"] is None
    x = tf.Variable([2.0, 2.0])
    y = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        z = y ** 2
    assert tape.gradient(z, x) is None
    with tf.GradientTape() as tape:
        z = y ** 2
    np.testing.assert_array_equal(tape.gradient(z, x, unconnected_gradients=tf.UnconnectedGradients.ZERO).numpy(),
                                  [0.0, 0.0])
    xi = tf.Variable([[1, 2], [3, 4]], dtype=tf.int32)
    with tf.GradientTape() as tape:
        w = tf.cast(xi, tf.float32) * 2.0
    with pytest.warns(UserWarning, match="source tensor must be floating"):
        assert tape.gradient(w, xi) is None


def test_first_order_gradient_through_dense_is_unchanged():
    layer = tf.keras.layers.Dense(2, activation="relu")
    x = tf.constant([[1.0, 2.0, 3.0]])
    with tf.GradientTape() as tape:
        y = layer(x)
        loss = tf.reduce_mean(y ** 2)
    grad = tape.gradient(loss, layer.trainable_variables)
    z = x.numpy() @ layer.kernel.numpy() + layer.bias.numpy()
    dz = (z > 0) * np.maximum(z, 0)                                  # d mean(relu(z)^2)/dz, 2 outputs
    np.testing.assert_allclose(grad[0].numpy(), x.numpy().T @ dz, rtol=1e-6)
    np.testing.assert_allclose(grad[1].numpy(), dz[0], rtol=1e-6)


@pytest.mark.parametrize("make", [tf.keras.layers.Add, tf.keras.layers.Subtract, tf.keras.layers.Multiply,
                                  tf.keras.layers.Average, tf.keras.layers.Concatenate])
def test_merging_call_ops_give_the_forwards_numbers_and_a_second_derivative(make):
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    layer = make(dtype="float64")
    plain = np.asarray(layer([a, b]))
    np.testing.assert_allclose(np.asarray(layer.call_ops([tf.constant(a), tf.constant(b)])), plain, rtol=1e-12)
    x, y = tf.constant(a), tf.constant(b)
    with tf.GradientTape() as t2:
        t2.watch([x, y])
        with tf.GradientTape() as t1:
            t1.watch([x, y])
            out = tf.reduce_sum(layer([x, y]) ** 3)
        gx = t1.gradient(out, x)
    hxy = t2.gradient(gx, y)                       # d/dy of d(sum f^3)/dx, against central differences
    eps = 1e-6

    def dfdx(yv):
        with tf.GradientTape() as t:
            t.watch(x)
            o = tf.reduce_sum(layer([x, tf.constant(yv)]) ** 3)
        return np.sum(np.asarray(t.gradient(o, x)))
    want = np.zeros_like(b)
    for i in np.ndindex(b.shape):
        d = np.zeros_like(b)
        d[i] = eps
        want[i] = (dfdx(b + d) - dfdx(b - d)) / (2 * eps)
    np.testing.assert_allclose(np.asarray(hxy), want, atol=1e-6)


def test_embedding_under_nested_tapes_is_recorded_and_equal():
    layer = tf.keras.layers.Embedding(5, 3, dtype="float64")
    ids = np.array([[0, 4], [2, 2]])
    plain = np.asarray(layer(ids))
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = layer(ids)
            loss = tf.reduce_sum(y ** 3)
        g = t1.gradient(loss, layer.embeddings)
        s = tf.reduce_sum(g)
    np.testing.assert_allclose(np.asarray(y), plain)
    h = np.asarray(t2.gradient(s, layer.embeddings))        # d sum(3 e^2 per use) / de = 6 e per use
    e = layer.embeddings.numpy()
    counts = np.bincount(ids.ravel(), minlength=5)[:, None]
    np.testing.assert_allclose(h, 6 * e * counts, rtol=1e-12)


@pytest.mark.parametrize("invert", [False, True])
def test_normalization_under_nested_tapes(invert):
    layer = tf.keras.layers.Normalization(mean=[1.0, -2.0], variance=[4.0, 0.25], invert=invert, dtype="float64")
    a = np.array([[0.5, 1.5], [2.0, -1.0]])
    plain = np.asarray(layer(a))
    x = tf.constant(a)
    np.testing.assert_allclose(np.asarray(layer.call_ops(x)), plain, rtol=1e-12)
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = tf.reduce_sum(layer(x) ** 3)
        g = t1.gradient(y, x)
    h = np.asarray(t2.gradient(g, x))                 # d2 sum(z^3)/dx2 = 6 z s^2 (s: the scale, or 1/s)
    scale = np.array([2.0, 0.5]) if invert else 1 / np.array([2.0, 0.5])
    np.testing.assert_allclose(h, 6 * plain * scale ** 2, rtol=1e-12)


def test_hessian_through_a_small_sequential_equals_the_layers_one():
    l1, l2 = dense(K1, B1, "tanh"), dense(K2, B2, None)
    model = tf.keras.Sequential([tf.keras.Input((3,)), l1, l2])
    x = tf.constant(X.astype("float32"))
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            loss = tf.reduce_mean(model(x) ** 2)
        g = t1.gradient(loss, l1.kernel)
    h = t2.jacobian(g, l1.kernel).numpy().reshape(12, 12)
    np.testing.assert_allclose(np.diag(h), TF_HESS_DIAG, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h[2], TF_HESS_ROW2, rtol=1e-4, atol=1e-5)
    with tf.GradientTape() as one:                             # one tape: the model stays one first-order node
        model(x)
    assert len(one.recorded) == 1


@pytest.mark.parametrize("name, second", [
    ("elu", lambda x: np.where(x > 0, 0.0, np.exp(x))),
    ("selu", lambda x: np.where(x > 0, 0.0, 1.0507009873554805 * 1.6732632423543772 * np.exp(x))),
    ("leaky_relu", lambda x: np.zeros_like(x)),
    ("silu", lambda x: (lambda s: s * (1 - s) * (2 + x * (1 - 2 * s)))(1 / (1 + np.exp(-x)))),
])
def test_activations_are_differentiable_twice_through_dense(name, second):
    layer = tf.keras.layers.Dense(3, activation=name, dtype="float64")
    a = np.random.default_rng(4).normal(size=(2, 4))
    x = tf.constant(a)
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = tf.reduce_sum(layer(x))
        g = t1.gradient(y, x)
    h = np.asarray(t2.gradient(g, x, unconnected_gradients="zero"))   # sum_j g''(z_j) W_ij sum_k W_kj
    z = a @ layer.kernel.numpy() + layer.bias.numpy()
    w = layer.kernel.numpy()
    np.testing.assert_allclose(h, (second(z) * w.sum(axis=0)) @ w.T, rtol=1e-10, atol=1e-12)


def test_a_gradient_inside_a_persistent_tapes_context_is_recorded_on_it():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x ** 3
        dy = t.gradient(y, x)                                   # 3 x^2, recorded (TensorFlow's)
        d2y = t.gradient(dy, x)                                 # 6 x
    assert (float(dy), float(d2y)) == (27.0, 18.0)
    layer = tf.keras.layers.Dense(2, activation="tanh")
    layer.build((None, 3))
    layer.kernel.assign(np.array([[0.5, -0.3], [0.2, 0.1], [-0.4, 0.25]], "float32"))
    x = tf.constant([[1.0, 2.0, 3.0]])
    with tf.GradientTape(persistent=True) as t:
        y = tf.reduce_sum(layer(x) ** 2)
        s = tf.reduce_sum(t.gradient(y, layer.kernel))
    tf_answer = np.array([[8.185836, 0.15817615], [16.371672, 0.3163523], [24.557507, 0.47452846]])   # TF 2.21
    np.testing.assert_allclose(t.gradient(s, layer.kernel).numpy(), tf_answer, rtol=1e-5)
    with tf.GradientTape(persistent=True) as t:                # asked after the context: nothing recorded
        t.watch(x)
        y = tf.reduce_sum(x ** 3)
    dy = t.gradient(y, x)
    assert t.gradient(dy, x) is None


# -- Conv, pooling, normalization, Dropout; graph and subclassed models -----------------------
L = tf.keras.layers
F64 = "float64"
MORE_LAYERS = [
    (lambda: L.Conv2D(3, 3, activation="tanh", dtype=F64), (2, 6, 5, 2)),
    (lambda: L.Conv2D(3, (3, 2), strides=2, padding="same", activation="softplus", dtype=F64), (2, 7, 6, 2)),
    (lambda: L.Conv2D(2, 3, dilation_rate=2, padding="same", activation="sigmoid", dtype=F64), (2, 7, 7, 1)),
    (lambda: L.Conv1D(4, 3, padding="causal", activation="tanh", dtype=F64), (2, 9, 3)),
    (lambda: L.Conv1D(4, 2, strides=2, padding="same", dtype=F64), (2, 9, 3)),
    (lambda: L.MaxPooling2D(dtype=F64), (2, 6, 6, 3)),
    (lambda: L.MaxPooling2D(3, strides=2, padding="same", dtype=F64), (2, 7, 6, 3)),
    (lambda: L.AveragePooling2D(3, strides=2, padding="same", dtype=F64), (2, 7, 6, 3)),
    (lambda: L.MaxPooling1D(2, dtype=F64), (2, 7, 3)),
    (lambda: L.AveragePooling1D(3, padding="same", dtype=F64), (2, 7, 3)),
    (lambda: L.GlobalAveragePooling2D(dtype=F64), (2, 4, 5, 3)),
    (lambda: L.GlobalAveragePooling1D(keepdims=True, dtype=F64), (2, 4, 3)),
    (lambda: L.GlobalMaxPooling2D(dtype=F64), (2, 4, 5, 3)),
    (lambda: L.BatchNormalization(dtype=F64), (3, 4, 4, 2)),
    (lambda: L.LayerNormalization(rms_scaling=True, dtype=F64), (3, 4, 5)),
    (lambda: L.LayerNormalization(axis=[1, 2], dtype=F64), (3, 4, 5)),
]


def _randomized(make, shape, rng):
    layer = make()
    layer(np.zeros(shape))
    for v in layer.weights:
        v.assign(rng.uniform(0.5, 1.5, v.shape) if "variance" in v.path else rng.normal(size=v.shape))
    return layer


@pytest.mark.parametrize("training", [False, True], ids=["inference", "training"])
@pytest.mark.parametrize("make, shape", MORE_LAYERS,
                         ids=[f"{type(m()).__name__}-{i}" for i, (m, _) in enumerate(MORE_LAYERS)])
def test_call_ops_of_more_layers_give_the_forwards_numbers(make, shape, training):
    layer = _randomized(make, shape, np.random.default_rng(1))
    x = np.random.default_rng(2).normal(size=shape)
    plain = np.asarray(layer(x, training=training))
    np.testing.assert_allclose(np.asarray(layer.call_ops(tf.constant(x), training)), plain, rtol=1e-10, atol=1e-12)


def _exact(make, shape):
    """Layers whose second derivative TF takes exactly: not LayerNormalization without
    rms_scaling, nor BatchNormalization in training (called here in inference), whose variance
    holds the mean constant as tf.nn.moments does (the wgan_gp and bn_hvp_train cases below
    check those against TF's numbers)."""
    layer = make()
    return not (isinstance(layer, L.LayerNormalization) and not layer.rms_scaling)


@pytest.mark.parametrize("make, shape", [c for c in MORE_LAYERS if _exact(*c)],
                         ids=[f"{type(m()).__name__}-{i}" for i, (m, s) in enumerate(MORE_LAYERS) if _exact(m, s)])
def test_hessian_vector_products_through_more_layers_match_central_differences(make, shape):
    rng = np.random.default_rng(3)
    layer = _randomized(make, shape, rng)
    a, v = rng.normal(size=shape), rng.normal(size=shape)
    c = rng.normal(size=np.shape(layer(a)))

    def first(av):                                       # the first gradient: the layer's own backward
        x = tf.constant(av)
        with tf.GradientTape() as t:
            t.watch(x)
            y = tf.reduce_sum(layer(x) ** 3 * c)
        return np.asarray(t.gradient(y, x))
    x = tf.constant(a)
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = tf.reduce_sum(layer(x) ** 3 * c)
        g = t1.gradient(y, x)
        gv = tf.reduce_sum(g * v)
    hv = np.asarray(t2.gradient(gv, x))
    np.testing.assert_allclose(np.asarray(g), first(a), rtol=1e-10, atol=1e-12)
    eps = 1e-6
    want = (first(a + eps * v) - first(a - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hv, want, rtol=1e-6, atol=1e-6 * np.abs(want).max())


@pytest.mark.parametrize("make, shape", [MORE_LAYERS[1], MORE_LAYERS[3], MORE_LAYERS[13]],
                         ids=["Conv2D", "Conv1D", "BatchNormalization"])
def test_a_gradient_penalty_on_the_weights_matches_central_differences(make, shape):
    rng = np.random.default_rng(4)
    layer = _randomized(make, shape, rng)
    x = tf.constant(rng.normal(size=shape))
    c = rng.normal(size=np.shape(layer(x)))

    def penalty():
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = tf.reduce_sum(tf.tanh(layer(x)) * c)
        return tf.reduce_sum(t1.gradient(y, x) ** 2)
    with tf.GradientTape() as t2:
        p = penalty()
    for v, g in zip(layer.trainable_weights, t2.gradient(p, layer.trainable_weights)):
        base, eps, want = v.numpy().copy(), 1e-6, np.zeros(v.shape)
        for i in np.ndindex(v.shape):
            d = np.zeros(v.shape)
            d[i] = eps
            v.assign(base + d)
            hi = float(penalty())
            v.assign(base - d)
            want[i] = (hi - float(penalty())) / (2 * eps)
            v.assign(base)
        got = np.zeros(v.shape) if g is None else np.asarray(g)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7 * max(np.abs(want).max(), 1))


def _loaded(make, name):
    model = make(tf.keras)
    model.set_weights([LAYERS_FIXTURE[f"{name}/w_{i}"] for i in range(len(model.get_weights()))])
    return model


def _critic_as(kind):
    """The WGAN-GP critic of the fixture as a Sequential, a functional model, or a subclass."""
    tool = load_tool("make_tf_higher_order_layers")
    if kind == "sequential":
        return _loaded(tool.critic, "wgan_gp")
    seq = _loaded(tool.critic, "wgan_gp")
    layers = [layer for layer in seq.layers if type(layer).__name__ != "InputLayer"]
    if kind == "functional":
        i = tf.keras.Input((6, 6, 1))
        h = i
        for layer in layers:
            h = layer(h)
        return tf.keras.Model(i, h)

    class Critic(tf.keras.Model):
        def __init__(self, parts):
            super().__init__()
            self.parts = parts

        def call(self, x, training=False):
            for part in self.parts:
                x = part(x, training=training)
            return x
    return Critic(layers)


@pytest.mark.parametrize("kind", ["sequential", "functional", "subclassed"])
def test_wgan_gp_gradient_penalty_through_conv_pooling_and_layernorm_matches_tensorflow(kind):
    critic = _critic_as(kind)
    f = LAYERS_FIXTURE
    x = tf.constant(f["alpha"] * f["real"] + (1 - f["alpha"]) * f["fake"])
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            t1.watch(x)
            score = critic(x, training=True)
        g = t1.gradient(score, x)
        norms = tf.sqrt(tf.reduce_sum(tf.square(g), axis=[1, 2, 3]))
        penalty = tf.reduce_mean((norms - 1.0) ** 2)
    np.testing.assert_allclose(np.asarray(g), f["wgan_gp/input_grad"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(float(penalty), f["wgan_gp/penalty"], rtol=1e-5)
    grads = t2.gradient(penalty, critic.trainable_weights)
    assert len(grads) == 6
    for i, got in enumerate(grads):
        if f"wgan_gp/grad_{i}" in f.files:
            np.testing.assert_allclose(np.asarray(got), f[f"wgan_gp/grad_{i}"], rtol=1e-4, atol=2e-6)
        else:                                  # TF: None (the LayerNormalization's beta, the last bias)
            assert got is None or not np.any(np.asarray(got))


@pytest.mark.parametrize("name, training", [("bn_hvp_train", True), ("bn_hvp_infer", False)])
def test_hessian_vector_product_through_batchnormalization_matches_tensorflow(name, training):
    model = _loaded(load_tool("make_tf_higher_order_layers").bn_net, name)
    kernel, f = model.layers[0].kernel, LAYERS_FIXTURE
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            loss = tf.reduce_mean((model(f["bn_x"], training=training) - f["bn_y"]) ** 2)
        moving = model.layers[1].moving_mean.numpy().copy()
        g = t1.gradient(loss, kernel)
        gv = tf.reduce_sum(g * f["bn_v"])
    np.testing.assert_allclose(np.asarray(g), f[f"{name}/grad"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.asarray(t2.gradient(gv, kernel)), f[f"{name}/hvp"], rtol=1e-4, atol=1e-5)
    # the call updated the moving mean in training (once); running it again as call_ops did not
    assert np.allclose(moving, f[f"{name}/w_4"]) != training        # (w_4: the moving mean as set)
    np.testing.assert_array_equal(model.layers[1].moving_mean.numpy(), moving)


def test_a_gradient_norm_penalty_through_a_graph_with_branches_matches_tensorflow():
    model = _loaded(load_tool("make_tf_higher_order_layers").branches, "gradnorm")
    f = LAYERS_FIXTURE
    assert model.__dict__.get("_graph") is not None          # not a chain: the graph's own nodes run again
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            loss = tf.reduce_mean((model(f["seq_x"]) - f["seq_y"]) ** 2)
        grads = t1.gradient(loss, model.trainable_weights)
        total = loss + 0.5 * tf.add_n([tf.reduce_sum(g ** 2) for g in grads])
    np.testing.assert_allclose(float(total), f["gradnorm/total"], rtol=1e-5)
    for i, got in enumerate(t2.gradient(total, model.trainable_weights)):
        np.testing.assert_allclose(np.asarray(got), f[f"gradnorm/grad_{i}"], rtol=1e-4, atol=1e-6)


def test_dropout_in_training_reuses_the_calls_mask_under_nested_tapes():
    rng = np.random.default_rng(5)
    model = tf.keras.Sequential([tf.keras.Input((4,)), L.Dense(5, activation="tanh", dtype=F64),
                                 L.Dropout(0.5, seed=1, dtype=F64), L.Dense(1, dtype=F64)])
    x = tf.constant(rng.normal(size=(3, 4)))
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = tf.reduce_sum(model(x, training=True) ** 2)
        g = t1.gradient(y, x)
        s = tf.reduce_sum(g ** 2)
    got = t2.gradient(s, model.layers[0].kernel)
    mask = model.layers[1]._mask                            # the call's mask (already scaled by 2)
    assert mask is not None and (mask == 0).any()
    k1, b1, k2, b2 = model.layers[0].kernel, model.layers[0].bias, model.layers[2].kernel, model.layers[2].bias
    with tf.GradientTape() as r2:                            # the same network written with tf operations
        with tf.GradientTape() as r1:
            r1.watch(x)
            out = (tf.tanh(x @ k1 + b1) * mask) @ k2 + b2
            y_ops = tf.reduce_sum(out ** 2)
        g_ops = r1.gradient(y_ops, x)
        s_ops = tf.reduce_sum(g_ops ** 2)
    np.testing.assert_allclose(float(y), float(y_ops), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(got), np.asarray(r2.gradient(s_ops, k1)), rtol=1e-5, atol=1e-7)


def test_a_graph_with_a_layer_without_call_ops_still_refuses_by_name():
    i = tf.keras.Input((3,))
    model = tf.keras.Model(i, L.Add()([L.Dense(2)(i), L.PReLU()(L.Dense(2)(i))]))
    x = tf.constant(np.ones((2, 3), "float32"))
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = tf.reduce_sum(model(x) ** 2)
        g = t1.gradient(y, x)
    with pytest.raises(LookupError, match="second derivative through Functional"):
        t2.gradient(g, x)
