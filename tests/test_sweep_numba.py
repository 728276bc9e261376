"""numba's loops for a stack (glassnet/sweeps/_numba_stacked.py): each variant still ends bit for
bit where its own ``fit`` ends (weights, optimizer state, history), and each loop computes what
the NumPy lines it replaces compute, bit for bit."""
from __future__ import annotations

import contextlib

import numpy as np
import pytest

import glassnet
from glassnet import layers, optimizers, regularizers
from glassnet.sweeps import curves, stacked

pytest.importorskip("numba")
from glassnet.sweeps import _numba_stacked as K  # noqa: E402

from test_sweep_stacked import _digits01, _single, seed_network  # noqa: E402


@contextlib.contextmanager
def numba_stacks():
    """Stacks take numba's loops whatever the work ahead (set_kernels("numba")); the list
    yielded says whether each stack built meanwhile had them."""
    used = []
    original = stacked._numba_loops

    def spy(work):
        found = original(work)
        used.append(found is not None)
        return found
    before = glassnet.fast.kernels()
    glassnet.config.set_kernels("numba")
    stacked._numba_loops = spy
    try:
        yield used
    finally:
        stacked._numba_loops = original
        glassnet.config.set_kernels(before)


def _same(model, reference):
    for mine, theirs in zip(model.trainable_weights, reference.trainable_weights):
        np.testing.assert_array_equal(mine.value, theirs.value, err_msg=mine.path)
    for a, b in zip(model.optimizer.variables(), reference.optimizer.variables()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# ---------------------------------------------------------------------------------------
# the loops against NumPy's lines
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pairwise_sums_are_numpys_bit_for_bit(dtype):
    rng = np.random.default_rng(0)
    zero = dtype(0)
    for n in [*range(0, 300), 1600, 2031, 4097, 100000]:
        a = (rng.standard_normal(n + 3) * 10.0 ** rng.uniform(-4, 4, n + 3)).astype(dtype)
        part = a[3:]
        assert K.pairwise(a, 3, n, zero, 0) == np.add.reduce(part), n
        assert K.pairwise(a, 3, n, zero, 1) == np.add.reduce(np.abs(part)), n
        assert K.pairwise(a, 3, n, zero, 2) == np.add.reduce(np.square(part)), n


@pytest.mark.parametrize("n", [1, 2, 25])
def test_backward_passes_are_numpys_bit_for_bit(n):
    rng = np.random.default_rng(n)
    V, m = 5, 37
    grad = (rng.standard_normal((V, m, n)) * 10.0 ** rng.uniform(-3, 3, (V, m, n))).astype(np.float32)
    a = rng.uniform(0, 1, (V, m, n)).astype(np.float32)
    z = rng.standard_normal((V, m, n)).astype(np.float32)
    one, zero = np.float32(1), np.float32(0)
    for kind in ("sigmoid", "tanh", "relu", "linear"):
        d = np.empty_like(grad)
        gflat = np.full((V, 3 + n), 7, np.float32)
        if kind == "sigmoid":
            K.sigmoid_backward(grad, a, d, gflat, 3, one, zero)
            want = (one - a) * a * grad
        elif kind == "tanh":
            K.tanh_backward(grad, a, d, gflat, 3, one, zero)
            want = grad * (one - a * a)
        elif kind == "relu":
            K.relu_backward(grad, z, d, gflat, 3, zero)
            want = grad * (z > zero)
        else:
            K.bias_gradient(grad, gflat, 3, zero)
            d, want = grad, grad
        np.testing.assert_array_equal(d, want)
        np.testing.assert_array_equal(gflat[:, 3:], np.add.reduce(want, axis=1))
        assert (gflat[:, :3] == 7).all()                   # nothing written outside the bias's place


def test_forward_passes_are_numpys_bit_for_bit():
    rng = np.random.default_rng(3)
    V, m, n = 4, 9, 6
    flat = rng.standard_normal((V, 2 + n)).astype(np.float32)
    z0 = (rng.standard_normal((V, m, n)) * 20).astype(np.float32)
    one, zero = np.float32(1), np.float32(0)
    want_z = z0 + flat[:, None, 2:]
    z, a = z0.copy(), np.empty_like(z0)
    K.bias_negate(z, flat, 2, a)
    np.exp(a, out=a)
    K.reciprocal_of_one_plus(a, one)
    np.testing.assert_array_equal(z, want_z)
    np.testing.assert_array_equal(a, glassnet.activations.sigmoid(want_z))
    z = z0.copy()
    K.bias_relu(z, flat, 2, a, zero)
    np.testing.assert_array_equal(a, np.maximum(want_z, zero))
    z = z0.copy()
    K.bias_add(z, flat, 2)
    np.testing.assert_array_equal(z, want_z)


# ---------------------------------------------------------------------------------------
# whole stacks against each variant's own fit
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer", ["rmsprop", "adam", "sgd"])
def test_each_variant_on_numbas_loops_equals_its_own_fit(optimizer):
    x, y = _digits01()
    grid = {"lam": [0.0, 0.1], "l1": [0.0, 0.001], "learning_rate": [0.001, 0.01], "seed": [0, 1]}
    with numba_stacks() as used:
        table = glassnet.sweep(lambda lam, l1, learning_rate: seed_network(lam, learning_rate, optimizer, l1=l1), grid,
                               x, y, epochs=3, validation_split=0.25, verbose=0, table="records")
    assert used == [True] and table[0]["how"] == "stacked 16"
    for row in table:
        values = {k: row[k] for k in ("lam", "l1", "learning_rate", "seed")}
        model, history = _single(dict(values, optimizer=optimizer), x, y, 3, validation_split=0.25)
        _same(row["model"], model)
        assert row["model"].optimizer.iterations == model.optimizer.iterations
        assert row["history"].history == history.history
        assert row["train_error"] == curves.error(model, x[:90], y[:90])
        assert row["val_error"] == curves.error(model, x[90:], y[90:])


def test_the_benchs_hundred_epochs_on_a_smaller_grid():
    """The bench's run (360 digits, 100 epochs, batch 32, RMSprop, L2 on the kernels) for 8 of
    its 64 variants: every weight as its own fit's after 1,200 steps."""
    (x, y), _ = glassnet.datasets.digits.load_data(classes=2)
    x, y = x[:360].astype(np.float32), y[:360].astype(np.float32)
    grid = {"lam": [0.0, 0.1], "learning_rate": [0.0003, 0.01], "seed": [0, 3]}
    with numba_stacks() as used:
        table = glassnet.sweep(seed_network, grid, x, y, epochs=100, verbose=0, table="records")
    assert used == [True]
    for row in table:
        model, history = _single({k: row[k] for k in ("lam", "learning_rate", "seed")}, x, y, 100)
        _same(row["model"], model)
        assert row["history"].history["loss"] == history.history["loss"]


def test_one_step_equals_one_fit_step():
    x, y = _digits01(32)
    with numba_stacks() as used:
        table = glassnet.sweep(seed_network, {"lam": [0.01, 0.1], "seed": [2, 3]}, x, y, epochs=1, verbose=0,
                               table="records")
    assert used == [True]
    for row in table:
        model, _ = _single({"lam": row["lam"], "seed": row["seed"]}, x, y, 1)
        _same(row["model"], model)
        assert row["model"].optimizer.iterations == 1


def test_other_activations_dropout_and_losses_on_numbas_loops():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((90, 5)).astype(np.float32)
    y = np.argmax(x[:, :3], axis=1)

    def build(activation, learning_rate, dropout):
        model = glassnet.Sequential([glassnet.Input(shape=(5,)),
                                     layers.Dense(7, activation, kernel_regularizer=regularizers.L2(0.01)),
                                     layers.Dropout(dropout), layers.Dense(6, "tanh", use_bias=False),
                                     layers.Dense(3)])
        model.compile(optimizer=optimizers.Adam(learning_rate, amsgrad=True),
                      loss=glassnet.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        return model
    grid = {"activation": ["relu", "sigmoid", "linear"], "learning_rate": [0.01, 0.03], "dropout": [0.0, 0.3],
            "seed": [0, 1]}
    with numba_stacks() as used:
        table = glassnet.sweep(build, grid, x, y, epochs=3, validation_split=0.2, verbose=0, table="records")
    assert used == [True] * 3
    for row in table:
        glassnet.utils.set_random_seed(row["seed"])
        model = build(row["activation"], row["learning_rate"], row["dropout"])
        history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
        _same(row["model"], model)
        assert row["history"].history == history.history


def test_options_that_differ_between_variants_and_weight_decay():
    """SGD with Nesterov's momentum for some variants and not others: NumPy's update for the
    stack, numba's passes for the rest; RMSprop with and without momentum (other slots):
    two stacks; AdamW's weight decay in numba's update."""
    x, y = _digits01(64)

    def build(nesterov, learning_rate):
        model = seed_network(0.01, learning_rate)
        model.compile(optimizer=optimizers.SGD(learning_rate, momentum=0.5, nesterov=nesterov),
                      loss=glassnet.losses.BinaryCrossentropy())
        return model

    def build_m(momentum, learning_rate):
        model = seed_network(0.01, learning_rate)
        model.compile(optimizer=optimizers.RMSprop(learning_rate, momentum=momentum, centered=True),
                      loss=glassnet.losses.BinaryCrossentropy())
        return model

    def build_w(weight_decay, learning_rate):
        model = seed_network(0.01, learning_rate)
        model.compile(optimizer=optimizers.AdamW(learning_rate, weight_decay=weight_decay),
                      loss=glassnet.losses.BinaryCrossentropy())
        return model
    lrs = [0.001, 0.01]
    for builder, grid, how in ((build, {"nesterov": [False, True], "learning_rate": lrs}, "stacked 4"),
                               (build_m, {"momentum": [0.0, 0.5], "learning_rate": lrs}, "stacked 2"),
                               (build_w, {"weight_decay": [0.004, 0.1], "learning_rate": lrs}, "stacked 4")):
        with numba_stacks() as used:
            table = glassnet.sweep(builder, grid, x, y, epochs=3, verbose=0, table="records", backend="stacked")
        assert all(used) and {r["how"] for r in table} == {how}
        for row in table:
            glassnet.utils.set_random_seed(0)
            model = builder(*(row[k] for k in grid))
            model.fit(x, y, epochs=3, verbose=0)
            _same(row["model"], model)


def test_a_diverging_variant_leaves_a_stack_on_numbas_loops():
    x, y = _digits01(64)
    grow = {"learning_rate": 1.0, "optimizer": "sgd"}
    with numba_stacks() as used:
        table = glassnet.sweep(lambda lam, seed: seed_network(lam, **grow), {"lam": [0.01, 10.0], "seed": [0, 1]},
                               x, y, epochs=30, verbose=0, table="records")
    assert used == [True]
    assert [r["status"] for r in table] == ["ok", "ok", "diverged", "diverged"]
    for row in table:
        model, history = _single({"lam": row["lam"], "seed": row["seed"], **grow}, x, y, 30)
        assert row["epochs_run"] == len(history.history["loss"])
        _same(row["model"], model)


def test_numba_is_chosen_only_for_enough_work():
    x, y = _digits01(64)
    before = glassnet.fast.kernels()
    try:
        glassnet.config.set_kernels("auto")
        small = stacked._numba_loops(10 ** 6)
        big = stacked._numba_loops(10 ** 9)
        glassnet.config.set_kernels("numpy")
        never = stacked._numba_loops(10 ** 12)
    finally:
        glassnet.config.set_kernels(before)
    assert small is None and big is K and never is None


@pytest.mark.parametrize("below", ["relu", "tanh", "linear", "sigmoid"])
def test_a_one_unit_output_over_each_activation(below):
    """A last layer of one unit: its dX (an outer product) and the layer below's dZ and db
    in one numba pass, bit for bit as NumPy's matmul and passes."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((70, 4)).astype(np.float32)
    y = (x[:, :1] * 2 - x[:, 1:2]).astype(np.float32)

    def build(learning_rate, bias):
        model = glassnet.Sequential([glassnet.Input(shape=(4,)), layers.Dense(6, "tanh"),
                                     layers.Dense(5, below, use_bias=bias), layers.Dense(1)])
        model.compile(optimizer=optimizers.RMSprop(learning_rate), loss="mse")
        return model
    grid = {"learning_rate": [0.001, 0.01], "bias": [True, False], "seed": [0, 1]}
    with numba_stacks() as used:
        table = glassnet.sweep(build, grid, x, y, epochs=4, batch_size=16, verbose=0, table="records")
    assert all(used)
    for row in table:
        glassnet.utils.set_random_seed(row["seed"])
        model = build(row["learning_rate"], row["bias"])
        history = model.fit(x, y, epochs=4, batch_size=16, verbose=0)
        _same(row["model"], model)
        assert row["history"].history == history.history


def test_a_variant_whose_penalty_overflows_leaves_an_rmsprop_stack():
    """RMSprop's loop sums the next step's penalties; a variant whose penalty overflows
    leaves, and the others keep the sums the loop made for them."""
    x, y = _digits01(64)
    with numba_stacks() as used:
        table = glassnet.sweep(seed_network, {"learning_rate": [0.001, 1e30, 0.01], "lam": [0.01], "seed": [0, 1]},
                               x, y, epochs=3, verbose=0, table="records")
    assert used == [True]
    assert [r["status"] for r in table] == ["ok", "ok", "diverged", "diverged", "ok", "ok"]
    for row in table:
        model, history = _single({k: row[k] for k in ("learning_rate", "lam", "seed")}, x, y, 3)
        assert row["epochs_run"] == len(history.history["loss"])
        assert row["history"].history["loss"] == history.history["loss"]
        _same(row["model"], model)


def test_a_stack_on_numbas_loops_split_across_threads_gives_the_same_bits():
    x, y = _digits01(64)
    grid = {"lam": [0.0, 0.01], "learning_rate": [0.001, 0.01], "seed": [0, 1, 2, 3]}
    with numba_stacks() as used:
        one = glassnet.sweep(seed_network, grid, x, y, epochs=2, validation_split=0.25, verbose=0, table="records",
                             workers=1)
        two = glassnet.sweep(seed_network, grid, x, y, epochs=2, validation_split=0.25, verbose=0, table="records",
                             workers=2)
    assert used == [True, True, True] and two[0]["how"] == "stacked 16"
    for a, b in zip(one, two):
        assert a["history"].history == b["history"].history
        assert (a["train_error"], a["val_error"]) == (b["train_error"], b["val_error"])
        for u, v in zip(a["model"].trainable_weights, b["model"].trainable_weights):
            np.testing.assert_array_equal(u.value, v.value)
