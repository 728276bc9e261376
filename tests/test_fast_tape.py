"""A training loop of one's own (GradientTape + apply_gradients, TensorFlow's "quickstart for
experts") takes fit's fast path (glassnet/fast/loop.py) and gets the readable path's numbers
bit for bit; the readable code runs where a learner expects their own code to run."""
import importlib.util
import sys

import numpy as np
import pytest

import glassnet as tf
from glassnet.fast import denormals, loop
from glassnet.layers import Conv2D, Dense, Flatten

HAS_NUMBA = importlib.util.find_spec("numba") is not None


@pytest.fixture(autouse=True)
def _restore_settings():
    yield
    tf.config.set_fast_path(True)
    tf.config.set_kernels("auto")
    tf.config.set_flush_denormals(True)


class MyModel(tf.keras.Model):
    """The tutorial's model."""

    def __init__(self, filters=32, units=128):
        super().__init__()
        self.conv1 = Conv2D(filters, 3, activation="relu")
        self.flatten = Flatten()
        self.d1 = Dense(units, activation="relu")
        self.d2 = Dense(10)

    def call(self, x):
        x = self.conv1(x)
        x = self.flatten(x)
        x = self.d1(x)
        return self.d2(x)


def _batches(n_steps, size=28, batch=32):
    rng = np.random.default_rng(0)
    return [((rng.integers(0, 256, (batch, size, size, 1)) / 255.0).astype("float32"),
             rng.integers(0, 10, batch).astype("uint8")) for _ in range(n_steps)]


def quickstart(steps=3, size=28, optimizer=None, model=None):
    """The tutorial's train_step, ``steps`` times: losses, gradients, metrics, weights, model, optimizer.
    ``model``: a model, or a function making one after the seed (Keras 3 draws weights' seeds when
    the layers are made, so two runs compare equal only when both models are made after it)."""
    tf.keras.utils.set_random_seed(7)
    model = MyModel() if model is None else model if isinstance(model, tf.keras.Model) else model()
    loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = optimizer or tf.keras.optimizers.Adam()
    train_loss = tf.keras.metrics.Mean(name="train_loss")
    train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")
    losses, gradients = [], []

    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            loss = loss_object(labels, predictions)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        train_loss(loss)
        train_accuracy(labels, predictions)
        losses.append(np.array(loss))
        gradients.append([np.array(g) for g in grads])

    for images, labels in _batches(steps, size):
        train_step(images, labels)
    return {"losses": losses, "gradients": gradients, "weights": [w.numpy() for w in model.weights],
            "metrics": [float(train_loss.result()), float(train_accuracy.result())],
            "model": model, "optimizer": optimizer}


def _assert_same(a, b):
    assert all(np.array_equal(x, y) for x, y in zip(a["losses"], b["losses"]))
    for ga, gb in zip(a["gradients"], b["gradients"]):
        assert len(ga) == len(gb) == 6
        assert all(x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(ga, gb))
    assert all(np.array_equal(x, y) for x, y in zip(a["weights"], b["weights"]))
    assert a["metrics"] == b["metrics"]
    assert all(np.array_equal(x, y) for x, y in zip(a["optimizer"].slots_in_file_order(),
                                                    b["optimizer"].slots_in_file_order()))


@pytest.fixture
def spies(monkeypatch):
    """Counts of the fast path's pieces: Dense's and Conv2D's backward twins, the direct update."""
    seen = {"twin": 0, "direct": 0, "conv": 0}
    twin, conv_twin, direct = loop._twins()[Dense], loop._twins()[Conv2D], loop._direct

    def counted_twin(*args):
        seen["twin"] += 1
        return twin(*args)

    def counted_conv_twin(*args):
        seen["conv"] += 1
        return conv_twin(*args)

    def counted_direct(*args):
        done = direct(*args)
        seen["direct"] += done
        return done
    monkeypatch.setitem(loop._twins(), Dense, counted_twin)
    monkeypatch.setitem(loop._twins(), Conv2D, counted_conv_twin)
    monkeypatch.setattr(loop, "_direct", counted_direct)
    return seen


@pytest.mark.parametrize("kernels", ["auto", "numpy"])
def test_the_quickstarts_fast_loop_gives_the_readable_numbers_bit_for_bit(kernels, spies):
    tf.config.set_kernels(kernels)
    tf.config.set_fast_path(False)
    readable = quickstart(steps=4)
    assert readable["optimizer"].fast_state is None and spies == {"twin": 0, "direct": 0, "conv": 0}
    tf.config.set_fast_path(True)
    fast = quickstart(steps=4)
    _assert_same(fast, readable)
    assert fast["optimizer"].fast_state is not None        # the packed update ran
    assert spies["twin"] == 2 * 4                           # both Dense layers, every step
    assert spies["conv"] == 4                               # and the Conv2D (relu and dZ's row sums in one pass)
    if kernels == "auto" and HAS_NUMBA:                     # 2.77M weights: numba's loop, gradients read in place
        assert fast["optimizer"].fast_state.kernel == "numba"
        assert spies["direct"] >= 2
    else:
        assert spies["direct"] == 0


def test_other_optimizers_and_weight_decay_agree_too():
    for make in (lambda: tf.keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
                 lambda: tf.keras.optimizers.RMSprop(), lambda: tf.keras.optimizers.AdamW(weight_decay=0.01)):
        tf.config.set_fast_path(False)
        readable = quickstart(steps=3, size=12, optimizer=make(), model=lambda: MyModel(8, 16))
        tf.config.set_fast_path(True)
        fast = quickstart(steps=3, size=12, optimizer=make(), model=lambda: MyModel(8, 16))
        _assert_same(fast, readable)
        assert fast["optimizer"].fast_state is not None


def test_a_replaced_dense_backward_runs_on_the_tape(monkeypatch, spies):
    calls = []
    original = Dense.backward

    def backward(self, grad, need_input_grad=True):
        calls.append(self.name)
        return original(self, grad, need_input_grad)
    tf.config.set_fast_path(False)
    readable = quickstart(steps=2, size=12, model=lambda: MyModel(8, 16))
    tf.config.set_fast_path(True)
    monkeypatch.setattr(Dense, "backward", backward)
    replaced = quickstart(steps=2, size=12, model=lambda: MyModel(8, 16))
    assert len(calls) == 4 and spies["twin"] == 0          # yours ran, twice a step
    _assert_same(replaced, readable)


def test_a_backward_replaced_on_one_layer_runs_and_the_others_take_the_twin(spies):
    calls = []
    model = MyModel(8, 16)
    model(np.zeros((1, 12, 12, 1), "float32"))
    original = model.d1.backward

    def backward(grad, need_input_grad=True):
        calls.append(1)
        return original(grad, need_input_grad)
    model.d1.backward = backward
    quickstart(steps=2, size=12, model=model)
    assert len(calls) == 2 and spies["twin"] == 2           # d1: yours; d2: the twin


def test_set_fast_path_false_and_a_tracer_run_the_readable_code(spies):
    tf.config.set_fast_path(False)
    run = quickstart(steps=2, size=12, model=lambda: MyModel(8, 16))
    assert spies["twin"] == 0 and run["optimizer"].fast_state is None
    # the readable Dense.backward wrote its weights' grad, which the twin leaves alone
    assert np.array_equal(run["model"].d2.kernel.grad, run["gradients"][-1][4])
    tf.config.set_fast_path(True)
    before = sys.gettrace()
    sys.settrace(lambda *a: None)                           # a debugger, coverage, a profiler
    try:
        run = quickstart(steps=2, size=12, model=lambda: MyModel(8, 16))
    finally:
        sys.settrace(before)
    assert spies["twin"] == 0 and run["optimizer"].fast_state is None


def test_an_optimizer_of_ones_own_runs_its_update_step():
    steps = []

    class MyAdam(tf.keras.optimizers.Adam):
        def update_step(self, param, grad, lr, slots):
            steps.append(1)
            super().update_step(param, grad, lr, slots)
    run = quickstart(steps=2, size=12, optimizer=MyAdam(), model=lambda: MyModel(8, 16))
    assert len(steps) == 2 * 6 and run["optimizer"].fast_state is None


def test_apply_gradients_on_some_variables_updates_only_those():
    model = MyModel(8, 16)
    x, y = _batches(1, 12)[0]
    optimizer = tf.keras.optimizers.Adam()
    loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    for _ in range(2):                                      # packed on the first step
        with tf.GradientTape() as tape:
            loss = loss_object(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
    with tf.GradientTape() as tape:
        loss = loss_object(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    before = [w.numpy() for w in model.trainable_variables]
    optimizer.apply_gradients(zip(grads[4:], model.trainable_variables[4:]))     # d2 alone
    after = [w.numpy() for w in model.trainable_variables]
    assert all(np.array_equal(a, b) for a, b in zip(before[:4], after[:4]))
    assert not np.array_equal(before[4], after[4])


def test_a_gradient_kept_from_an_earlier_step_is_not_overwritten():
    model = MyModel(8, 16)
    loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    kept = []
    for x, y in _batches(2, 12):
        with tf.GradientTape() as tape:
            loss = loss_object(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        kept.append((grads, [np.array(g) for g in grads]))
    assert all(np.array_equal(g, copy) for grads, copies in kept for g, copy in zip(grads, copies))
    assert not np.array_equal(kept[0][0][4], kept[1][0][4])


def _halved():
    return (np.array([np.float32(1e-39)]) * np.float32(0.5))[0]


@pytest.mark.skipif(not denormals.supported(), reason="flush-to-zero is set on Linux x86-64 only")
def test_subnormals_are_flushed_while_a_tape_records_and_the_register_is_put_back():
    assert _halved() > 0
    with tf.GradientTape():
        assert _halved() == 0
    assert _halved() > 0
    tf.config.set_flush_denormals(False)
    with tf.GradientTape():
        assert _halved() > 0


def test_a_tape_opening_looks_at_the_free_cores_on_the_fast_path_only(monkeypatch):
    looks = []
    monkeypatch.setattr(loop.threads, "pace", lambda: looks.append(1))
    with tf.GradientTape():
        pass
    tf.config.set_fast_path(False)
    with tf.GradientTape():
        pass
    assert looks == [1]


@pytest.mark.skipif(not HAS_NUMBA, reason="the update reads gradients in place with numba's loop")
def test_the_update_split_over_two_threads_gives_the_same_numbers(spies):
    tf.config.set_fast_path(False)
    readable = quickstart(steps=3)
    tf.config.set_fast_path(True)
    tf.config.set_num_threads(2)
    try:
        fast = quickstart(steps=3)
    finally:
        tf.config.set_num_threads(None)
    _assert_same(fast, readable)
    assert spies["direct"] >= 1


def test_a_learning_rate_schedule_and_clipping_agree_too():
    for make in (lambda: tf.keras.optimizers.Adam(tf.keras.optimizers.schedules.ExponentialDecay(0.01, 2, 0.5)),
                 lambda: tf.keras.optimizers.Adam(global_clipnorm=0.5),
                 lambda: tf.keras.optimizers.Adam(clipnorm=0.5)):
        tf.config.set_fast_path(False)
        readable = quickstart(steps=3, optimizer=make())
        tf.config.set_fast_path(True)
        fast = quickstart(steps=3, optimizer=make())
        _assert_same(fast, readable)


class TwoConvs(tf.keras.Model):
    """A Conv2D after a Conv2D (the second's input gradient is asked), then a Conv1D over rows."""

    def __init__(self, first_activation):
        super().__init__()
        self.conv1 = Conv2D(6, 3, activation=first_activation, use_bias=first_activation is None)
        self.conv2 = Conv2D(8, 3, strides=2, padding="same", activation="relu")
        self.rows = tf.keras.layers.Reshape((-1, 8))
        self.conv3 = tf.keras.layers.Conv1D(4, 2, activation="relu")
        self.flatten = Flatten()
        self.d = Dense(10)

    def call(self, x):
        return self.d(self.flatten(self.conv3(self.rows(self.conv2(self.conv1(x))))))


@pytest.mark.parametrize("kernels,first", [("auto", "tanh"), ("numba", None), ("numba", "relu")])
def test_conv_twins_on_the_tape_give_the_readable_numbers_bit_for_bit(kernels, first, spies):
    tf.config.set_kernels(kernels)                          # numba: its relu-and-bias pass at any size
    tf.config.set_fast_path(False)
    readable = quickstart(steps=3, size=16, model=lambda: TwoConvs(first))
    tf.config.set_fast_path(True)
    fast = quickstart(steps=3, size=16, model=lambda: TwoConvs(first))
    for key in ("losses", "weights", "metrics"):
        assert all(np.array_equal(a, b) for a, b in zip(fast[key], readable[key])) if key != "metrics" \
            else fast[key] == readable[key]
    for ga, gb in zip(fast["gradients"], readable["gradients"]):
        assert len(ga) == len(gb) == (8 if first is None else 7)      # (conv1 has a bias only without activation)
        assert all(np.array_equal(a, b) for a, b in zip(ga, gb))
    assert spies["conv"] == 2 * 3


def test_a_replaced_conv_backward_runs_on_the_tape(monkeypatch, spies):
    calls = []
    original = Conv2D.backward

    def backward(self, grad, need_input_grad=True):
        calls.append(need_input_grad)
        return original(self, grad, need_input_grad)
    tf.config.set_fast_path(False)
    readable = quickstart(steps=2, size=12, model=lambda: MyModel(8, 16))
    tf.config.set_fast_path(True)
    monkeypatch.setattr(Conv2D, "backward", backward)
    replaced = quickstart(steps=2, size=12, model=lambda: MyModel(8, 16))
    assert calls == [False, False] and spies["conv"] == 0 and spies["twin"] == 4   # yours ran; Dense's twin too
    _assert_same(replaced, readable)


def test_a_steps_gradients_are_freed_when_dropped_without_the_garbage_collector():
    # (a reference cycle in the tape's unflattening kept each step's gradients until the collector
    # ran: the next step's 11 MB dW was new memory, page faults and all: 8 or 30 ms a gradient)
    import gc
    import weakref
    model = MyModel(8, 16)
    loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    x, y = _batches(1, 12)[0]
    gc.disable()
    try:
        with tf.GradientTape() as tape:
            loss = loss_object(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        refs = [weakref.ref(g) for g in grads]
        del grads, tape
        assert [r() for r in refs] == [None] * 6
    finally:
        gc.enable()

