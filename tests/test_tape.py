"""GradientTape for a chain of layer calls and a loss (TensorFlow's custom training loop),
subclassed models, and metrics that accumulate as Keras's do."""
import numpy as np
import pytest

import glassnet as tf
from glassnet import inspect as ginspect
from glassnet.keras import Model
from glassnet.keras.layers import Dense, Dropout, Flatten


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

    odd = NotAChain()
    odd.compile(loss=LOSS)
    with pytest.raises(TypeError, match="layer calls alone"):
        odd.fit(x, y, verbose=0)


def test_what_the_tape_cannot_differentiate_is_refused():
    x, y = _data()
    first, second = Dense(4), Dense(3)
    with tf.GradientTape() as tape:
        h = first(x) * 2.0                             # arithmetic between two layer calls
        loss = LOSS(y, second(h))
    with pytest.raises(ValueError, match="does not follow from"):
        tape.gradient(loss, first.trainable_variables + second.trainable_variables)
    with tf.GradientTape() as tape:
        loss = LOSS(y, second(first(x)))
    with pytest.raises(ValueError, match="the value a loss returned"):
        tape.gradient(loss + 1.0, second.trainable_variables)
    with tf.GradientTape() as tape:
        loss = LOSS(y, second(first(x)))
    tape.gradient(loss, second.trainable_variables)
    with pytest.raises(RuntimeError, match="persistent"):
        tape.gradient(loss, second.trainable_variables)
    with tf.GradientTape(persistent=True) as tape:
        loss = LOSS(y, second(first(x)))
    a = tape.gradient(loss, first.kernel)
    np.testing.assert_array_equal(a, tape.gradient(loss, [first.kernel])[0])
    square, last = Dense(6), Dense(3)
    with tf.GradientTape() as tape:
        loss = LOSS(y, last(square(square(x))))
    with pytest.raises(ValueError, match="called twice"):
        tape.gradient(loss, square.trainable_variables)
    other = Dense(2)
    other(x)
    with tf.GradientTape() as tape:
        loss = LOSS(y, second(first(x)))
    assert tape.gradient(loss, [other.kernel, second.kernel])[0] is None    # not on the chain


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
