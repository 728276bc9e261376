"""glassnet.keras.ops: Keras 3's ops under their names and arguments, the same numbers as
NumPy, recorded on a tape, and nodes of a functional graph on symbolic tensors (no note)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet
from glassnet.keras import ops

X = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], np.float32)

CASES = {
    "sum": (lambda: ops.sum(X, axis=1), X.sum(1)),
    "mean": (lambda: ops.mean(X), X.mean()),
    "max": (lambda: ops.max(X, axis=0, keepdims=True), X.max(0, keepdims=True)),
    "min": (lambda: ops.min(X), X.min()),
    "var": (lambda: ops.var(X, axis=0), X.var(0)),
    "logsumexp": (lambda: ops.logsumexp(X, axis=1), np.log(np.exp(X).sum(1))),
    "argmax": (lambda: ops.argmax(X, axis=-1), X.argmax(-1)),
    "concatenate": (lambda: ops.concatenate([X, X]), np.concatenate([X, X])),
    "stack": (lambda: ops.stack([X, X], axis=1), np.stack([X, X], axis=1)),
    "reshape": (lambda: ops.reshape(X, (3, 2)), X.reshape(3, 2)),
    "transpose": (lambda: ops.transpose(X), X.T),
    "take": (lambda: ops.take(X, [0, 2], axis=1), X[:, [0, 2]]),
    "tile": (lambda: ops.tile(X, [1, 2]), np.tile(X, [1, 2])),
    "clip": (lambda: ops.clip(X, -1.0, 1.0), np.clip(X, -1, 1)),
    "where": (lambda: ops.where(X > 0, X, 0.0), np.where(X > 0, X, 0.0)),
    "dot": (lambda: ops.dot(X, X.T), X @ X.T),
    "einsum": (lambda: ops.einsum("ij,kj->ik", X, X), X @ X.T),
    "norm": (lambda: ops.norm(X), np.linalg.norm(X)),
    "softmax": (lambda: ops.softmax(X), np.exp(X) / np.exp(X).sum(-1, keepdims=True)),
    "leaky_relu": (lambda: ops.leaky_relu(X), np.where(X > 0, X, 0.2 * X)),
    "one_hot": (lambda: ops.one_hot(np.array([0, 2]), 3), np.eye(3)[[0, 2]]),
    "arange": (lambda: ops.arange(1, 7, 2), np.arange(1, 7, 2)),
    "cumsum": (lambda: ops.cumsum(X, axis=1), np.cumsum(X, 1)),
    "power": (lambda: ops.power(X, 2.0), X ** 2),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_op_gives_numpys_numbers(name):
    got, want = CASES[name]
    np.testing.assert_allclose(np.asarray(got()), want, rtol=1e-5, atol=1e-6)


def test_ops_are_recorded_on_a_tape():
    w = glassnet.Variable(np.ones((3, 1), np.float32))
    with glassnet.GradientTape() as tape:
        y = ops.sum(ops.square(ops.matmul(X, w)))
    np.testing.assert_allclose(np.asarray(tape.gradient(y, w)), 2 * X.T @ (X @ np.ones((3, 1))), rtol=1e-6)


def test_ops_on_symbolic_tensors_are_graph_nodes_without_a_keras2_note():
    glassnet.config.set_floatx("float64")
    try:
        glassnet.utils.set_random_seed(0)
        inputs = glassnet.keras.Input(shape=(3,))
        with warnings.catch_warnings():
            warnings.simplefilter("error")                          # Keras 3's own way: no note
            features = ops.concatenate([ops.relu(inputs), ops.square(inputs)], axis=1)
        model = glassnet.keras.Model(inputs, glassnet.keras.layers.Dense(1)(features))
        model.compile(optimizer="sgd", loss="mse")
        x = np.random.default_rng(1).normal(size=(5, 3))
        y = x.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(model.predict(x, verbose=0),
                                   np.concatenate([np.maximum(x, 0), x * x], 1) @ model.layers[-1].kernel.value
                                   + model.layers[-1].bias.value, rtol=1e-10)
        (dk, db) = glassnet.gradients(model, x, y)
        kernel = model.layers[-1].kernel
        old = kernel.value[4, 0]
        kernel.value[4, 0] = old + 1e-6
        up = model.evaluate(x, y, verbose=0)
        kernel.value[4, 0] = old - 1e-6
        down = model.evaluate(x, y, verbose=0)
        kernel.value[4, 0] = old
        assert dk[4, 0] == pytest.approx((up - down) / 2e-6, rel=1e-5)
    finally:
        glassnet.config.set_floatx("float32")
