"""glassnet.layers.lambda_layer: Lambda runs a function of one's own as a layer, its backward
found by the tape; arithmetic on symbolic tensors makes Lambda nodes; no code goes into files."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.keras import Input, Model, layers
from conftest import numeric_model_gradients


def test_a_lambda_layer_passes_gradcheck_on_one_input_and_on_a_list():
    rng = np.random.default_rng(0)
    one = layers.Lambda(lambda x: x * x * 0.5 + np.exp(-x))
    assert glassnet.gradcheck(one, rng.normal(size=(4, 3))).passed
    two = layers.Lambda(lambda xs: xs[0] * xs[1] - xs[1] ** 2)
    assert two.takes_list is False
    out = two([np.full((2, 2), 2.0), np.full((2, 2), 3.0)])
    assert two.takes_list and out.tolist() == [[-3.0, -3.0], [-3.0, -3.0]]
    assert glassnet.gradcheck(two, [rng.normal(size=(4, 3)), rng.normal(size=(4, 3))]).passed


def test_arithmetic_on_symbolic_tensors_makes_nodes_with_exact_gradients(float64):
    glassnet.utils.set_random_seed(1)
    x = Input(shape=(3,))
    h = layers.Dense(3, activation="tanh")(x)
    model = Model(x, layers.Dense(1)(np.exp(h) * 0.5 + x[:, :1] - h ** 2 + 1.0))
    kinds = [getattr(op, "keras_op", type(op).__name__) for op in model.operations]     # Keras 3's nodes
    assert [k for k in kinds if k not in ("InputLayer", "Dense")] == ["Lambda", "Multiply", "GetItem", "Add",
                                                                       "Power", "Subtract", "Add"], kinds
    model.compile(optimizer="sgd", loss="mse")
    data = np.random.default_rng(2).random((6, 3))
    labels = data.sum(axis=1, keepdims=True)
    for got, want in zip(glassnet.gradients(model, data, labels), numeric_model_gradients(model, data, labels)):
        np.testing.assert_allclose(got, want, atol=1e-7)


def test_a_model_with_a_lambda_trains_and_refuses_to_write_its_code(tmp_path):
    glassnet.utils.set_random_seed(3)
    a, b = Input(shape=(2,)), Input(shape=(2,))
    model = Model([a, b], layers.Dense(1)(layers.Lambda(lambda t: t[0] * t[1])([a, b]) + a))
    model.compile(optimizer=glassnet.optimizers.Adam(0.05), loss="mse")
    rng = np.random.default_rng(4)
    xa, xb = rng.random((64, 2)).astype(np.float32), rng.random((64, 2)).astype(np.float32)
    y = (xa * xb).sum(axis=1, keepdims=True)
    losses = model.fit([xa, xb], y, epochs=40, verbose=0).history["loss"]
    assert losses[-1] < 0.3 * losses[0]
    with pytest.raises(ValueError, match="Lambda .* holds Python code"):
        model.save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()
    model.save_weights(tmp_path / "m.weights.h5")                   # the weights do save
    assert (tmp_path / "m.weights.h5").stat().st_size > 0


def test_keras_ops_on_symbolic_tensors_make_nodes_tensorflow_functions_are_refused(float64):
    """Keras 3's way: keras.ops make nodes; TensorFlow's functions on a KerasTensor raise Keras's
    ValueError (tests/test_tf_ops_on_keras_tensors.py), where Keras 2 made TFOpLambda nodes."""
    glassnet.utils.set_random_seed(5)
    a, b = Input(shape=(3,)), Input(shape=(2,))
    with pytest.raises(ValueError, match="A KerasTensor cannot be used as input to a TensorFlow function"):
        glassnet.concat([a, b], axis=1)
    ops = glassnet.keras.ops
    joined = ops.concatenate([a, b], axis=1)
    summed = ops.sum(ops.relu(joined), axis=1, keepdims=True)
    model = Model([a, b], layers.Dense(1)(summed * joined))
    assert [getattr(op, "keras_op", None) for op in model.operations].count("Multiply") == 1
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(6)
    x, y = [rng.normal(size=(6, 3)), rng.normal(size=(6, 2))], rng.normal(size=(6, 1))
    got = glassnet.gradients(model, x, y)
    for g, v in zip(got, model.trainable_weights):
        numeric = np.zeros_like(v.value)
        for idx in np.ndindex(v.shape):
            old = v.value[idx]
            v.value[idx] = old + 1e-6
            plus = model.evaluate(x, y, verbose=0)
            v.value[idx] = old - 1e-6
            minus = model.evaluate(x, y, verbose=0)
            v.value[idx] = old
            numeric[idx] = (plus - minus) / 2e-6
        np.testing.assert_allclose(g, numeric, atol=1e-6)
