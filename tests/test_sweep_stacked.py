"""The stacked trainer (glassnet/sweeps/stacked.py): each variant of a stack ends with the
weights, optimizer state and history its own ``fit`` gives (the plain loop: seed, build, fit)."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import layers, optimizers, regularizers
from glassnet.sweeps import curves, stacked


def _digits01(n=120):
    (x, y), _ = glassnet.datasets.digits.load_data(classes=2)
    return x[:n].astype(np.float32), y[:n].astype(np.float32)


def seed_network(lam=0.0, learning_rate=0.001, optimizer="rmsprop", dropout=0.0, l1=0.0):
    """The course's seed network, its kernels penalised by ``lam`` (L2) and ``l1``."""
    reg = (lambda: regularizers.L1L2(l1=l1, l2=lam)) if (lam or l1) else (lambda: None)
    stack = [glassnet.Input(shape=(64,)), layers.Dense(25, "sigmoid", kernel_regularizer=reg())]
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack += [layers.Dense(15, "sigmoid", kernel_regularizer=reg()), layers.Dense(1, "sigmoid")]
    model = glassnet.Sequential(stack)
    opt = {"rmsprop": optimizers.RMSprop, "adam": optimizers.Adam, "sgd": optimizers.SGD}[optimizer](learning_rate)
    model.compile(optimizer=opt, loss=glassnet.losses.BinaryCrossentropy(), metrics=["accuracy"])
    return model


def _single(values, x, y, epochs, **fit):
    """The reference: one variant's plain fit."""
    glassnet.utils.set_random_seed(values.get("seed", 0))
    model = seed_network(**{k: v for k, v in values.items() if k != "seed"})
    history = model.fit(x, y, epochs=epochs, verbose=0, **fit)
    return model, history


def _close(a, b, rtol=1e-6):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = np.maximum(np.abs(b), 1e-6)
    return float(np.max(np.abs(a - b) / scale)) <= rtol


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam", "sgd"])
def test_each_stacked_variant_equals_its_own_fit(optimizer):
    x, y = _digits01()
    grid = {"lam": [0.0, 0.01, 0.1], "learning_rate": [0.001, 0.01], "seed": [0, 1]}
    table = glassnet.sweep(lambda lam, learning_rate: seed_network(lam, learning_rate, optimizer), grid, x, y,
                           epochs=4, batch_size=32, validation_split=0.25, verbose=0, table="records")
    assert [row["how"] for row in table] == ["stacked 12"] * 12
    for row in table:
        values = {"lam": row["lam"], "learning_rate": row["learning_rate"], "seed": row["seed"], "optimizer": optimizer}
        model, history = _single(values, x, y, 4, validation_split=0.25)
        for mine, theirs in zip(row["model"].trainable_weights, model.trainable_weights):
            assert _close(mine.value, theirs.value), (values, mine.path)
        assert row["model"].optimizer.iterations == model.optimizer.iterations == 4 * 3
        for a, b in zip(row["model"].optimizer.variables(), model.optimizer.variables()):
            assert _close(a, b)
        for key, series in history.history.items():
            assert _close(row["history"].history[key], series), key
        assert row["final_val_loss"] == pytest.approx(history.history["val_loss"][-1], rel=1e-6)
        # J_train and J_cv, worked out for the stack at once: curves.error's numbers
        assert row["train_error"] == curves.error(model, x[:90], y[:90])
        assert row["val_error"] == curves.error(model, x[90:], y[90:])


def test_stacked_is_bit_for_bit_on_the_readable_arithmetic():
    """Not only within 1e-6: the same float32 operations give the same bits (regularized
    variants, where fit takes the readable step)."""
    x, y = _digits01(96)
    table = glassnet.sweep(seed_network, {"lam": [0.01, 0.1], "seed": [3, 4]}, x, y, epochs=3,
                           verbose=0, table="records")
    for row in table:
        model, _ = _single({"lam": row["lam"], "seed": row["seed"]}, x, y, 3)
        for mine, theirs in zip(row["model"].trainable_weights, model.trainable_weights):
            np.testing.assert_array_equal(mine.value, theirs.value)


def test_dropout_masks_and_l1_follow_each_variants_own_draws():
    x, y = _digits01(64)
    grid = {"dropout": [0.2, 0.5], "l1": [0.0, 0.001], "seed": [5]}
    table = glassnet.sweep(seed_network, grid, x, y, epochs=2, verbose=0, table="records")
    assert table[0]["how"] == "stacked 4"
    for row in table:
        model, _ = _single({"dropout": row["dropout"], "l1": row["l1"], "seed": 5}, x, y, 2)
        for mine, theirs in zip(row["model"].trainable_weights, model.trainable_weights):
            assert _close(mine.value, theirs.value)


def test_no_shuffle_and_validation_data():
    x, y = _digits01(80)
    val = _digits01(120)
    table = glassnet.sweep(seed_network, {"learning_rate": [0.003, 0.03]}, x, y, epochs=2, shuffle=False,
                           validation_data=(val[0][80:], val[1][80:]), verbose=0, table="records")
    for row in table:
        model, history = _single({"learning_rate": row["learning_rate"]}, x, y, 2, shuffle=False,
                                 validation_data=(val[0][80:], val[1][80:]))
        for mine, theirs in zip(row["model"].trainable_weights, model.trainable_weights):
            assert _close(mine.value, theirs.value)
        assert _close(row["history"].history["val_accuracy"], history.history["val_accuracy"])


def test_a_diverging_variant_stops_as_fit_stops_it_and_the_others_go_on():
    x, y = _digits01(64)
    grow = {"learning_rate": 1.0, "optimizer": "sgd"}   # lambda = 10: w <- w (1 - 2 lr lambda) = -19 w, to overflow
    table = glassnet.sweep(lambda lam: seed_network(lam, **grow), {"lam": [0.01, 10.0]}, x, y, epochs=30,
                           verbose=0, table="records")
    ok, bad = table
    assert ok["status"] == "ok" and ok["epochs_run"] == 30
    assert bad["status"] == "diverged" and "loss became" in bad["message"], bad
    model, history = _single({"lam": 10.0, **grow}, x, y, 30)
    assert bad["epochs_run"] == len(history.history["loss"])
    for mine, theirs in zip(bad["model"].trainable_weights, model.trainable_weights):
        assert _close(mine.value, theirs.value)


def test_what_cannot_be_stacked_is_said():
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), layers.Dense(2, "relu"), layers.BatchNormalization(),
                                 layers.Dense(1)])
    model.compile(loss="mse")
    assert "BatchNormalization" in stacked.why_not(model)
    model = seed_network()
    model.compile(optimizer=optimizers.SGD(clipnorm=1.0), loss="binary_crossentropy")
    assert "clips" in stacked.why_not(model)
    assert stacked.why_not(seed_network()) is None


def test_a_stack_split_across_threads_gives_the_same_bits():
    x, y = _digits01(64)
    grid = {"lam": [0.0, 0.01], "learning_rate": [0.001, 0.01], "seed": [0, 1, 2, 3]}
    one = glassnet.sweep(seed_network, grid, x, y, epochs=2, verbose=0, table="records", workers=1)
    two = glassnet.sweep(seed_network, grid, x, y, epochs=2, verbose=0, table="records", workers=2)
    assert one[0]["how"] == two[0]["how"] == "stacked 16"
    for a, b in zip(one, two):
        assert a["final_loss"] == b["final_loss"]
        for u, v in zip(a["model"].trainable_weights, b["model"].trainable_weights):
            np.testing.assert_array_equal(u.value, v.value)


def _three_classes(n=90):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((n, 5)).astype(np.float32)
    y = np.argmax(x[:, :3], axis=1)
    return x, y


@pytest.mark.parametrize("head, loss, labels", [
    ("linear", "sparse_logits", "sparse"),
    ("softmax", "sparse", "sparse"),
    ("softmax", "categorical", "onehot"),
    ("linear", "mse", "onehot"),
])
def test_other_losses_stack_as_their_fits(head, loss, labels):
    x, y = _three_classes()
    y = np.eye(3, dtype=np.float32)[y] if labels == "onehot" else y
    losses = {"sparse_logits": lambda: glassnet.losses.SparseCategoricalCrossentropy(from_logits=True),
              "sparse": lambda: glassnet.losses.SparseCategoricalCrossentropy(),
              "categorical": lambda: glassnet.losses.CategoricalCrossentropy(),
              "mse": lambda: glassnet.losses.MeanSquaredError()}

    def build(lam, learning_rate):
        reg = regularizers.L2(lam) if lam else None
        model = glassnet.Sequential([glassnet.Input(shape=(5,)), layers.Dense(6, "relu", kernel_regularizer=reg),
                                     layers.Dense(3, head)])
        model.compile(optimizer=optimizers.Adam(learning_rate), loss=losses[loss](), metrics=["accuracy"])
        return model
    table = glassnet.sweep(build, {"lam": [0.0, 0.01], "learning_rate": [0.01, 0.03], "seed": [0, 1]}, x, y,
                           epochs=3, validation_split=0.2, verbose=0, table="records")
    assert table[0]["how"] == "stacked 8"
    for row in table:
        glassnet.utils.set_random_seed(row["seed"])
        model = build(row["lam"], row["learning_rate"])
        history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
        for mine, theirs in zip(row["model"].trainable_weights, model.trainable_weights):
            np.testing.assert_array_equal(mine.value, theirs.value)
        for key, series in history.history.items():
            assert _close(row["history"].history[key], series), key


def test_weights_gone_non_finite_go_back_to_the_epochs_start_as_in_fit():
    x, y = _three_classes(64)
    x, y = x * 1000, y.astype(np.float32).reshape(-1, 1) * 1000

    def build(learning_rate):
        model = glassnet.Sequential([glassnet.Input(shape=(5,)), layers.Dense(4, "tanh"), layers.Dense(1)])
        model.compile(optimizer=optimizers.SGD(learning_rate), loss="mse")
        return model
    # lr 1e38: the first update already makes the weights infinite; the next loss is not finite
    table = glassnet.sweep(build, {"learning_rate": [0.01, 1e38]}, x, y, epochs=3, verbose=0, table="records")
    assert [r["status"] for r in table] == ["ok", "diverged"]
    assert "went back" in table[1]["message"]
    glassnet.utils.set_random_seed(0)
    model = build(1e38)
    model.fit(x, y, epochs=3, verbose=0)
    for mine, theirs in zip(table[1]["model"].trainable_weights, model.trainable_weights):
        np.testing.assert_array_equal(mine.value, theirs.value)
    assert np.isfinite(model.trainable_weights[0].value).all()
    assert table[1]["model"].optimizer.iterations == model.optimizer.iterations


def test_the_readable_code_runs_when_asked_for_or_replaced():
    """As fit: with the fast path off, or a learner's own Dense.backward, no stack; each
    variant's own fit runs (and runs their code)."""
    x, y = _digits01(64)
    grid = {"learning_rate": [0.001, 0.01]}
    glassnet.config.set_fast_path(False)
    try:
        table = glassnet.sweep(seed_network, grid, x, y, epochs=1, verbose=0, table="records", workers=1)
    finally:
        glassnet.config.set_fast_path(True)
    assert [r["how"] for r in table] == ["fit", "fit"]
    calls = []
    original = layers.Dense.backward

    def backward(self, grad, need_input_grad=True):
        calls.append(self.name)
        return original(self, grad, need_input_grad)
    layers.Dense.backward = backward
    try:
        assert "backward was replaced" in stacked.why_not(seed_network())
        table = glassnet.sweep(seed_network, grid, x, y, epochs=1, verbose=0, table="records", workers=1)
    finally:
        layers.Dense.backward = original
    assert [r["how"] for r in table] == ["fit", "fit"] and calls
    model = seed_network()
    model.loss.call = lambda y, p: (y - p) ** 2
    assert "loss's call was replaced" in stacked.why_not(model)


def test_variants_of_one_seed_draw_once_and_every_generator_ends_as_its_fit_leaves_it():
    """Variants whose seeds are the same draw the same shuffles: one draws for all, and the
    others' generators catch up, so the global generator after the sweep (the last
    variant's) is where the plain loop leaves it; a variant that leaves early too."""
    x, y = _digits01(64)
    grid = {"learning_rate": [0.001, 1e30, 0.01], "lam": [0.01], "seed": [0, 1]}
    table = glassnet.sweep(seed_network, grid, x, y, epochs=3, verbose=0, table="records")
    assert [r["status"] for r in table] == ["ok", "ok", "diverged", "diverged", "ok", "ok"]
    after_sweep = glassnet.utils.rng().random(4)
    for row in table:
        model, history = _single({k: row[k] for k in ("learning_rate", "lam", "seed")}, x, y, 3)
        for mine, theirs in zip(row["model"].trainable_weights, model.trainable_weights):
            np.testing.assert_array_equal(mine.value, theirs.value)
    np.testing.assert_array_equal(after_sweep, glassnet.utils.rng().random(4))
    glassnet.utils.set_random_seed(1)                    # the diverged one's generator, as its fit leaves it
    model = seed_network(0.01, 1e30)
    model.fit(x, y, epochs=3, verbose=0)
    left = glassnet.utils.rng().random(4)
    glassnet.utils.set_random_seed(1)
    stack = glassnet.sweep(seed_network, {"learning_rate": [0.001, 1e30], "lam": [0.01]}, x, y, epochs=3, seed=1,
                           verbose=0, table="records")
    assert [r["status"] for r in stack] == ["ok", "diverged"]
    np.testing.assert_array_equal(glassnet.utils.rng().random(4), left)
