"""glassnet.tf.tape: GradientTape over any arithmetic, with layers and losses as nodes, against
TensorFlow's documented semantics (watch, persistent, unconnected gradients, structures, jacobian,
custom_gradient, stop_gradient); the programs learners write with it (a custom training loop,
collaborative filtering, the basic training loop, deep Q-learning); subclassed models; and
metrics that accumulate as Keras's do."""
import numpy as np
import pytest

import glassnet as tf
from glassnet import inspect as ginspect
from glassnet.keras import Model
from glassnet.keras.layers import Dense, Dropout
from conftest import central_difference_in_place


def _data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    return x, rng.integers(0, 3, n)


class Chain(Model):
    def __init__(self, rate=0.0):
        super().__init__()
        self.d1 = Dense(8, activation="tanh")
        self.drop = Dropout(rate)
        self.d2 = Dense(3)

    def call(self, x, training=False):
        return self.d2(self.drop(self.d1(x), training=training))


LOSS = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def _sequential_like(model):
    twin = tf.keras.Sequential([tf.keras.Input(shape=(6,)), Dense(8, activation="tanh"), Dense(3)])
    twin.set_weights([v.value.copy() for v in model.trainable_variables])
    return twin


def test_tape_gradients_are_the_backward_pass_of_fit():
    x, y = _data()
    tf.keras.utils.set_random_seed(0)
    model = Chain()
    model(x[:1])                                     # build
    twin = _sequential_like(model)
    twin.compile(loss=LOSS)
    with tf.GradientTape() as tape:
        loss = LOSS(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    want = ginspect.gradients(twin, x, y)
    for g, w in zip(grads, want):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7)
    with tf.GradientTape() as tape:                 # a whole Sequential called as one unit
        loss = LOSS(y, twin(x, training=True))
    for g, w in zip(tape.gradient(loss, twin.trainable_variables), want):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7)


def test_a_custom_loop_trains_as_fit_does():
    x, y = _data(32)
    tf.keras.utils.set_random_seed(1)
    model = Chain()
    model(x[:1])
    twin = _sequential_like(model)
    optimizer = tf.keras.optimizers.SGD(0.1, momentum=0.9)
    for start in range(0, 32, 8):
        with tf.GradientTape() as tape:
            loss = LOSS(y[start:start + 8], model(x[start:start + 8], training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
    twin.compile(optimizer=tf.keras.optimizers.SGD(0.1, momentum=0.9), loss=LOSS)
    twin.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.trainable_variables, twin.trainable_variables):
        np.testing.assert_allclose(a.value, b.value, rtol=1e-5, atol=1e-6)


def test_training_reaches_the_layers_a_subclass_calls():
    x, _ = _data()
    tf.keras.utils.set_random_seed(2)
    model = Chain(rate=0.5)
    np.testing.assert_array_equal(model(x).numpy(), model(x, training=False).numpy())
    assert not np.array_equal(model(x, training=True).numpy(), model(x).numpy())      # dropout on


def test_fit_on_a_subclassed_model_takes_the_chain_it_calls():
    x, y = _data(32)
    tf.keras.utils.set_random_seed(3)
    model = Chain()
    model.compile(optimizer="adam", loss=LOSS, metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, verbose=0)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dropout", "Dense"]
    assert len(history.history["loss"]) == 2
    np.testing.assert_allclose(model.predict(x, verbose=0), model(x).numpy(), rtol=1e-6)

    class NotAChain(Model):
        def __init__(self):
            super().__init__()
            self.d = Dense(3)

        def call(self, x):
            return self.d(x) * 2.0

    odd = NotAChain()                                 # arithmetic after a layer: the tape trains it too
    odd.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss=LOSS)
    history = odd.fit(x, y, epochs=3, verbose=0, shuffle=False, batch_size=32)
    assert history.history["loss"][-1] < history.history["loss"][0]


def _numeric(cost, variables, eps=1e-6):
    """Central differences of ``cost()`` with respect to each variable (float64 variables)."""
    return [central_difference_in_place(lambda: float(cost()), v.value, eps) for v in variables]


def _check(cost, variables, rtol=1e-5, atol=1e-8):
    with tf.GradientTape() as tape:
        value = cost()
    grads = tape.gradient(value, variables)
    for g, n, v in zip(grads, _numeric(cost, variables), variables):
        assert g is not None and g.shape == v.shape, v.path
        np.testing.assert_allclose(np.asarray(g), n, rtol=rtol, atol=atol, err_msg=v.path)
    return grads


def _dense(units, **kw):
    return Dense(units, dtype="float64", **kw)


def test_arithmetic_between_layer_calls_a_shared_layer_and_a_residual_are_differentiated():
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    first, second, shared = _dense(4, activation="tanh"), _dense(3), _dense(3)
    for layer in (first, second, shared):
        layer(x if layer is first else np.zeros((1, 4 if layer is second else 3)))

    def cost():                                       # h * 2 between calls; shared called twice; residual
        h = first(x) * 2.0
        out = shared(shared(second(h))) + second(h)
        # float64: a loss computes in floatx (float32) otherwise, as Keras 3's, too coarse for central differences
        return tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")(t, out) + 1.0
    grads = _check(cost, first.trainable_variables + second.trainable_variables + shared.trainable_variables)
    assert len(grads) == 6


def test_a_layer_called_twice_gets_the_sum_of_its_two_gradients():
    rng = np.random.default_rng(1)
    d = _dense(2)
    a, b = rng.normal(size=(3, 2)), rng.normal(size=(4, 2))
    d(a)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(d(a) ** 2) + tf.reduce_sum(d(b))
    both = tape.gradient(loss, d.kernel)
    with tf.GradientTape() as tape:
        first = tf.reduce_sum(d(a) ** 2)
    with tf.GradientTape() as tape2:
        second = tf.reduce_sum(d(b))
    np.testing.assert_allclose(both, tape.gradient(first, d.kernel) + tape2.gradient(second, d.kernel))


def test_tensorflows_documented_semantics():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:                   # a constant is not watched
        y = x * x
    assert tape.gradient(y, x) is None
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert float(tape.gradient(y, x)) == 6.0
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used to compute one set"):
        tape.gradient(y, x)
    w, frozen = tf.Variable(2.0), tf.Variable(5.0, trainable=False)
    with tf.GradientTape(persistent=True) as tape:    # trainable variables are watched when read
        y = w * frozen
        z = y * y
    assert float(tape.gradient(y, w)) == 5.0 and tape.gradient(y, frozen) is None
    assert float(tape.gradient(z, w)) == 2 * 10.0 * 5.0        # persistent: asked twice
    assert [v is w for v in tape.watched_variables()] == [True]
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = w * w
    assert tape.gradient(y, w) is None
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(w)
        y = w * w
    assert float(tape.gradient(y, w)) == 4.0
    with tf.GradientTape() as tape:                   # stop_recording and stop_gradient
        with tape.stop_recording():
            hidden = w * 3.0
        y = w * 2.0 + hidden + tf.stop_gradient(w * 10.0)
    assert float(tape.gradient(y, w)) == 2.0
    with pytest.raises(ValueError, match="not a Tensor or a Variable"):
        with tf.GradientTape() as tape:
            tape.watch(3.0)


def test_sources_targets_and_unconnected_gradients_as_tensorflow_has_them():
    a, b, c = tf.Variable([1.0, 2.0]), tf.Variable(3.0), tf.Variable(4.0)
    n = tf.Variable(7)                                # an integer source gives None
    with tf.GradientTape(persistent=True) as tape:
        y = a * b                                     # non-scalar target: its sum is differentiated
        bc = b * c
        aa = a * a
        tape.watch(n)
    grads = tape.gradient(y, {"a": a, "pair": (b, c), "n": n})
    assert set(grads) == {"a", "pair", "n"} and isinstance(grads["pair"], tuple)
    np.testing.assert_array_equal(grads["a"], [3.0, 3.0])
    assert float(grads["pair"][0]) == 3.0 and grads["pair"][1] is None and grads["n"] is None
    assert float(tape.gradient(y, [b, c], unconnected_gradients="zero")[1]) == 0.0
    assert float(tape.gradient(y, [b, c], unconnected_gradients=tf.UnconnectedGradients.ZERO)[1]) == 0.0
    assert isinstance(tape.gradient(y, [a]), list) and isinstance(tape.gradient(y, a), tf.Tensor)
    weighted = tape.gradient(y, b, output_gradients=np.array([10.0, 100.0], np.float32))
    assert float(weighted) == 10 * 1.0 + 100 * 2.0
    assert float(tape.gradient([y, bc], b)) == 3.0 + 4.0    # several targets: their sum
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(y, a, unconnected_gradients="zeros")
    with pytest.raises(ValueError, match="output_gradients"):
        tape.gradient(y, a, output_gradients=np.ones(3))
    jac = tape.jacobian(aa, a)
    np.testing.assert_array_equal(jac, [[2.0, 0.0], [0.0, 4.0]])
    assert tape.jacobian(aa, c) is None and tape.jacobian(aa, c, unconnected_gradients="zero").shape == (2,)
    m = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        mm = m * m
    np.testing.assert_array_equal(tape.batch_jacobian(mm, m), [[[2, 0], [0, 4]], [[6, 0], [0, 8]]])


def test_custom_gradient_replaces_the_rule_and_sees_variables():
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)
        return tf.math.log(1 + e), lambda dy: dy * (1 - 1 / (1 + e))
    x = tf.constant(100.0)
    with tf.GradientTape() as tape, np.errstate(over="ignore"):
        tape.watch(x)
        y = log1pexp(x)
    assert float(tape.gradient(y, x)) == 1.0          # TensorFlow's own example: no nan
    w = tf.Variable(3.0)

    @tf.custom_gradient
    def scaled(x):
        def grad(dy, variables=None):
            return dy * w, [dy * x * 100.0]           # a deliberately odd dJ/dw, to see it used
        return x * w, grad
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = scaled(x)
    gx, gw = tape.gradient(y, [x, w])
    assert float(gx) == 3.0 and float(gw) == 100.0 * 100.0


def test_no_rule_and_in_place_writes_are_refused_by_name():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.experimental.numpy.cumsum(x))
    with pytest.raises(LookupError, match="cumsum"):
        tape.gradient(y, x)
    with tf.GradientTape() as tape:                   # a program's NumPy call: NumPy's array, not recorded (TF)
        tape.watch(x)
        y = tf.reduce_sum(np.cumsum(x))
    assert type(np.cumsum(x)) is np.ndarray and tape.gradient(y, x) is None
    with tf.GradientTape() as tape:                   # not on the path to the source: no error
        tape.watch(x)
        y = tf.reduce_sum(x * 2) + tf.reduce_sum(np.cumsum(tf.constant([1.0])))
    assert tape.gradient(y, x).tolist() == [2.0, 2.0, 2.0]
    with tf.GradientTape() as tape:
        tape.watch(x)
        h = x * 2
        before = h
        h += 1                                        # a new tensor, as TensorFlow's are immutable: recorded
        assert h is not before and before.tolist() == [2.0, 4.0, 6.0]
        total = tf.reduce_sum(h)
        with pytest.raises(ValueError, match="writes into a Tensor"):
            np.multiply(x, 2, out=h)
        with pytest.raises(ValueError, match="writes into a Tensor"):
            h[0] = 5.0
    assert tape.gradient(total, x).tolist() == [2.0, 2.0, 2.0]
    free = tf.constant([1.0])
    free += 1                                         # nothing records it: allowed
    assert free.tolist() == [2.0]


def test_second_derivative_with_nested_tapes():
    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x ** 3
        dy = inner.gradient(y, x)                     # 3x^2 = 12
    assert float(dy) == 12.0 and float(outer.gradient(dy, x)) == 12.0      # 6x = 12


def test_a_gradient_penalty_through_dense_equals_the_one_written_with_tf_operations():
    d = _dense(2)
    x = tf.constant(np.ones((3, 2)))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(d(x) ** 2)                       # nested tapes: Dense records its operations
        penalty = tf.reduce_sum(inner.gradient(y, x) ** 2)     # a gradient penalty, as WGAN-GP writes it
    got = outer.gradient(penalty, d.trainable_variables)
    w, b = tf.Variable(d.kernel.numpy()), tf.Variable(d.bias.numpy())     # the same written with tf operations
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum((tf.matmul(x, w) + b) ** 2)
        penalty = tf.reduce_sum(inner.gradient(y, x) ** 2)
    want = outer.gradient(penalty, [w, b])
    for g, h in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(h), rtol=1e-12)
    assert np.abs(np.asarray(got[0])).sum() > 0


def test_a_second_derivative_through_a_layer_without_call_ops_is_refused_by_name():
    layer = tf.keras.layers.SimpleRNN(1)                       # (Conv1D has call_ops now: test_higher_order)
    x = tf.constant(np.ones((1, 3, 1)))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(layer(x) ** 2)
        penalty = tf.reduce_sum(inner.gradient(y, x) ** 2)
    with pytest.raises(LookupError, match=r"second derivative through SimpleRNN\(" + layer.name):
        outer.gradient(penalty, layer.trainable_variables)


def test_collaborative_filtering_cost_gradients_and_apply_gradients():
    rng = np.random.default_rng(3)
    n_movies, n_users, n_features = 5, 4, 3
    X = tf.Variable(rng.normal(size=(n_movies, n_features)), name="X")
    W = tf.Variable(rng.normal(size=(n_users, n_features)), name="W")
    b = tf.Variable(rng.normal(size=(1, n_users)), name="b")
    Y = rng.normal(size=(n_movies, n_users))
    R = (rng.random((n_movies, n_users)) > 0.3).astype(np.float64)
    lambda_ = 1.5

    def cost():                                       # the course's cofi_cost_func_v
        j = (tf.linalg.matmul(X, tf.transpose(W)) + b - Y) * R
        return 0.5 * tf.reduce_sum(j ** 2) + (lambda_ / 2) * (tf.reduce_sum(X ** 2) + tf.reduce_sum(W ** 2))
    _check(cost, [X, W, b])
    optimizer = tf.keras.optimizers.Adam(learning_rate=0.1)
    start = float(cost())
    for _ in range(20):
        with tf.GradientTape() as tape:
            c = cost()
        grads = tape.gradient(c, [X, W, b])
        optimizer.apply_gradients(zip(grads, [X, W, b]))
    assert float(cost()) < 0.5 * start


def test_the_basic_training_loop():
    rng = np.random.default_rng(4)
    x = rng.normal(size=200).astype(np.float32)
    y = 3.0 * x + 2.0 + rng.normal(scale=0.1, size=200).astype(np.float32)
    w, b = tf.Variable(5.0), tf.Variable(0.0)
    for _ in range(60):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y - (w * x + b)))
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(0.1 * dw)
        b.assign_sub(0.1 * db)
    assert float(w) == pytest.approx(3.0, abs=0.05) and float(b) == pytest.approx(2.0, abs=0.05)


def test_deep_q_style_loss_with_gather_nd_and_reduce_max():
    rng = np.random.default_rng(5)
    q, target_q = _dense(4), _dense(4)
    states, next_states = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    actions, rewards = rng.integers(0, 4, 6), rng.normal(size=6)
    q(states)
    target_q(states)

    def cost():
        y_targets = rewards + 0.99 * tf.reduce_max(target_q(next_states), axis=-1)
        q_values = q(states)
        picked = tf.gather_nd(q_values, tf.stack([tf.range(6), tf.cast(actions, tf.int32)], axis=1))
        return tf.keras.losses.mean_squared_error(y_targets, picked)
    grads = _check(cost, q.trainable_variables + target_q.trainable_variables)
    assert all(np.any(g) for g in grads)


def test_a_custom_training_loop_on_a_sequential_equals_fits_first_step():
    x, y = _data(16)
    tf.keras.utils.set_random_seed(6)
    model = tf.keras.Sequential([tf.keras.Input(shape=(6,)), Dense(5, activation="relu"), Dense(3)])
    twin = tf.keras.Sequential([tf.keras.Input(shape=(6,)), Dense(5, activation="relu"), Dense(3)])
    twin.set_weights(model.get_weights())
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
    grads = tape.gradient(loss, model.trainable_variables)
    twin.compile(loss=LOSS)
    for g, want in zip(grads, ginspect.gradients(twin, x, y)):
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-7)


def test_a_later_call_of_the_same_layers_does_not_change_the_gradient():
    x, y = _data()
    tf.keras.utils.set_random_seed(5)
    model = Chain(rate=0.3)
    with tf.GradientTape(persistent=True) as tape:
        loss = LOSS(y, model(x, training=True))
    first = tape.gradient(loss, model.trainable_variables)
    model(x[::-1] * 3.0, training=True)              # new inputs, a new dropout mask, after the tape
    again = tape.gradient(loss, model.trainable_variables)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_layers_kept_in_a_list_are_the_models_too():
    class Blocks(Model):
        def __init__(self):
            super().__init__()
            self.blocks = [Dense(5, activation="relu"), Dense(4, activation="relu")]
            self.head = Dense(3)

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return self.head(x)

    x, y = _data()
    model = Blocks()
    with tf.GradientTape() as tape:
        loss = LOSS(y, model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    assert len(grads) == 6 and all(g is not None and np.any(g) for g in grads)


def test_metrics_accumulate_as_kerass_do_and_tf_names():
    mean = tf.keras.metrics.Mean(name="train_loss")
    assert mean(2.0) == 2.0 and mean(4.0) == 3.0 and mean.result() == 3.0
    mean.reset_state()
    assert mean(np.array([1.0, 3.0]), sample_weight=np.array([1.0, 3.0])) == pytest.approx(2.5)
    accuracy = tf.keras.metrics.SparseCategoricalAccuracy()
    accuracy([0], np.array([[0.9, 0.1]]))
    assert accuracy([1], np.array([[0.9, 0.1]])) == 0.5               # running, not per call
    accuracy.reset_states()                                          # TensorFlow 2's spelling
    assert accuracy.result() == 0.0

    @tf.function
    def double(v):
        return 2 * v

    @tf.function(reduce_retracing=True)
    def triple(v):
        return 3 * v
    assert double(2) == 4 and triple(2) == 6
    assert np.zeros((2, 3))[..., tf.newaxis].shape == (2, 3, 1)


def test_a_functional_graph_with_two_inputs_and_two_outputs_is_one_node():
    rng = np.random.default_rng(8)
    a, b = tf.Input(shape=(3,)), tf.Input(shape=(2,))
    h = tf.layers.Concatenate()([_dense(4, activation="tanh")(a), _dense(4)(b)])
    model = tf.Model([a, b], [_dense(1)(h), _dense(2)(h)])
    xa, xb = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))

    def cost():
        first, second = model([xa, xb])
        return tf.reduce_sum(first ** 2) + tf.reduce_mean(second * np.arange(2.0))
    _check(cost, model.trainable_variables)
    ta, tb = tf.constant(xa), tf.constant(xb)
    with tf.GradientTape() as tape:                   # the inputs' gradients: the graph's backward
        tape.watch([ta, tb])
        first, second = model([ta, tb])
        loss = tf.reduce_sum(first) + tf.reduce_sum(second)
    ga, gb = tape.gradient(loss, [ta, tb])
    assert ga.shape == (5, 3) and gb.shape == (5, 2) and np.any(np.asarray(ga)) and np.any(np.asarray(gb))


WRAPPERS = {                                          # TensorFlow's functions as programs call them
    "nn.softmax": lambda x: tf.nn.softmax(x) * x, "nn.log_softmax": lambda x: tf.nn.log_softmax(x, axis=0),
    "nn.relu": tf.nn.relu, "nn.sigmoid": tf.nn.sigmoid, "nn.tanh": tf.nn.tanh, "nn.elu": tf.nn.elu,
    "nn.leaky_relu": tf.nn.leaky_relu, "nn.gelu": tf.nn.gelu, "nn.softplus": tf.nn.softplus,
    "nn.silu(beta)": lambda x: tf.nn.silu(x, beta=2.0), "nn.l2_loss": tf.nn.l2_loss,
    "keras.activations.relu": tf.keras.activations.relu, "keras.activations.tanh": tf.keras.activations.tanh,
    "math.l2_normalize": lambda x: tf.math.l2_normalize(x, axis=1), "math.reduce_std": tf.math.reduce_std,
    "math.reduce_logsumexp": lambda x: tf.math.reduce_logsumexp(x, axis=1), "math.pow": lambda x: tf.pow(x, 3.0),
    "math.log_sigmoid": tf.math.log_sigmoid, "math.squared_difference": lambda x: tf.math.squared_difference(x, 0.5),
    "linalg.norm": tf.linalg.norm, "linalg.matvec": lambda x: tf.linalg.matvec(x, tf.constant([1.0, -2.0, 0.5])),
    "linalg.tensordot": lambda x: tf.linalg.tensordot(x, x, axes=[[0], [0]]), "linalg.trace": tf.linalg.trace,
    "where": lambda x: tf.where(x > 0, x * 2, x * x), "clip_by_value": lambda x: tf.clip_by_value(x, -0.8, 0.8),
    "gather": lambda x: tf.gather(x, [1, 1, 0], axis=1), "concat": lambda x: tf.concat([x, x * x], axis=0),
    "stack/unstack": lambda x: tf.stack(tf.unstack(x)[::-1]), "split": lambda x: tf.split(x, [1, 2], axis=1)[1],
    "reverse": lambda x: tf.reverse(x, [0]) * x, "maximum": lambda x: tf.maximum(x, 0.1) + tf.minimum(x, -0.1),
    "reshape/transpose": lambda x: tf.transpose(tf.reshape(x, [3, 2])), "add_n": lambda x: tf.add_n([x, x, x]),
    "reduce_prod": lambda x: tf.reduce_prod(x, axis=0), "cast": lambda x: tf.cast(x, tf.float64) * 2,
    "T and [:, 1:]": lambda x: x.T[1:] * 3, "einsum": lambda x: tf.einsum("ij,kj->ik", x, x),
    "einsum ij,ij->i": lambda x: tf.einsum("ij,ij->i", x, x), "norm": lambda x: tf.norm(x, axis=0),
    "tensordot": lambda x: tf.tensordot(x, x.T, axes=1), "norm axis=1": lambda x: tf.norm(x, axis=1),
}


@pytest.mark.parametrize("name", list(WRAPPERS))
def test_tensorflow_functions_are_recorded_with_correct_gradients(name):
    rng = np.random.default_rng(9)
    v = tf.Variable(rng.uniform(0.2, 1.5, size=(2, 3)) * rng.choice([-1.0, 1.0], size=(2, 3)), name="v")
    w = rng.normal(size=np.shape(WRAPPERS[name](v)))
    _check(lambda: tf.reduce_sum(WRAPPERS[name](v) * w), [v], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"])
@pytest.mark.parametrize("weighted", [False, True])
def test_a_loss_node_follows_each_reduction_and_sample_weight(reduction, weighted):
    rng = np.random.default_rng(10)
    p = tf.Variable(rng.uniform(0.1, 0.9, size=(4, 3)), name="p")
    y = rng.uniform(0.0, 1.0, size=(4, 3))
    sw = rng.uniform(0.5, 2.0, size=4) if weighted else None
    out_w = rng.normal(size=4)
    for loss in (tf.keras.losses.MeanSquaredError(reduction=reduction, dtype="float64"),     # (float64: as above)
                 tf.keras.losses.BinaryCrossentropy(reduction=reduction, dtype="float64")):
        def cost():
            value = loss(y, p, sample_weight=sw)
            return tf.reduce_sum(value * out_w) if reduction == "none" else value * 3.0
        _check(cost, [p], rtol=1e-4, atol=1e-7)


def test_a_functional_model_with_dicts_of_inputs_and_outputs_in_a_tape():
    rng = np.random.default_rng(11)
    a = tf.Input(shape=(3,), name="a")
    h = _dense(4, activation="tanh")(a)
    model = tf.Model(inputs={"a": a}, outputs={"p": _dense(1)(h), "q": _dense(2)(h)})
    x = rng.normal(size=(5, 3))

    def cost():
        out = model({"a": x})
        return tf.reduce_sum(out["p"]) + tf.reduce_sum(out["q"] ** 2)
    _check(cost, model.trainable_variables)


def test_a_tape_records_its_own_thread_only():
    import threading
    x = tf.constant([1.0, 2.0])
    seen = {}

    def elsewhere():                                  # another thread computes with x meanwhile
        seen["other"] = tf.reduce_sum(x * 10.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
        y = tf.reduce_sum(x * 2.0)
    assert len(tape.recorded) == 2                    # x * 2 and its sum: nothing from the other thread
    assert tape.gradient(y, x).tolist() == [2.0, 2.0]


def test_a_subclassed_model_after_another_layer_passes_its_input_gradient_back():
    class Res(Model):
        def __init__(self):
            super().__init__()
            self.d = Dense(3, activation="tanh")

        def call(self, x):
            return self.d(x) * 0.5 + x

    class Doubling(Model):
        def __init__(self):
            super().__init__()
            self.d = Dense(2)

        def call(self, x):
            return self.d(x * 2.0)                    # plain NumPy on the input first: not recorded

    rng = np.random.default_rng(12)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    tf.config.set_floatx("float64")
    try:
        first = Dense(3)
        model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), first, Res()])
        model.compile(loss="mse", optimizer="sgd")
        grads = ginspect.gradients(model, x, y)

        def cost():
            return np.mean((np.asarray(model(x)) - y) ** 2)
        for g, n in zip(grads, _numeric(cost, model.trainable_variables)):
            np.testing.assert_allclose(g, n, rtol=1e-5, atol=1e-8)
        odd = tf.keras.Sequential([tf.keras.Input(shape=(3,)), Dense(3), Doubling()])
        odd.compile(loss="mse", optimizer="sgd")
        grads = ginspect.gradients(odd, x, y[:, :2])      # x * 2.0 on the watched input is recorded too

        def odd_cost():
            return np.mean((np.asarray(odd(x)) - y[:, :2]) ** 2)
        for g, n in zip(grads, _numeric(odd_cost, odd.trainable_variables)):
            np.testing.assert_allclose(g, n, rtol=1e-5, atol=1e-8)
    finally:
        tf.config.set_floatx("float32")


def test_the_autodiff_guides_controlling_what_the_tape_watches():
    x0 = tf.Variable(3.0, name="x0")                  # a trainable Variable
    x1 = tf.Variable(3.0, name="x1", trainable=False)  # not trainable
    x2 = tf.Variable(2.0, name="x2") + 1.0            # a Variable plus a tensor: a tensor
    x3 = tf.constant(3.0)                              # not a Variable
    with tf.GradientTape() as tape:
        y = (x0 ** 2) + (x1 ** 2) + (x2 ** 2)
    grad = tape.gradient(y, [x0, x1, x2, x3])
    assert float(grad[0]) == 6.0 and grad[1:] == [None, None, None]
    assert [var.name for var in tape.watched_variables()] == ["x0:0"]


def test_an_integer_or_string_tensor_watched_gets_none_with_tensorflows_warning():
    x = tf.constant(10)
    with pytest.warns(UserWarning, match=r"watched tensor must be floating \(e.g. tf.float32\), got tf.int32"):
        with tf.GradientTape() as g:
            g.watch(x)
            y = x * x
    with pytest.warns(UserWarning, match=r"source tensor must be floating .* got tf.int32"):
        assert g.gradient(y, x) is None
    with pytest.warns(UserWarning, match="got tf.string"):
        with tf.GradientTape() as g:
            g.watch(tf.constant("abc"))


def test_assign_add_breaks_the_gradient_and_a_non_trainable_variable_is_not_watched():
    x, dx = tf.Variable(2.0), tf.Variable(0.0)
    with tf.GradientTape() as tape:
        x.assign_add(dx)
        y = x * x
    assert tape.gradient(y, dx) is None
    frozen = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        y = frozen * frozen
    assert tape.gradient(y, frozen) is None and tape.watched_variables() == ()
