"""Weight constraints on Conv1D/2DTranspose, DepthwiseConv1D/2D and SeparableConv1D/2D
(``kernel_constraint``, ``depthwise_constraint``, ``pointwise_constraint``, ``bias_constraint``):
each weight projected after every optimizer step, as Keras. Keras's 2 epochs of SGD from
tests/fixtures/keras_conv_constraints.npz (tools/make_keras_conv_constraints.py), its files,
the config, and the fast path stepping aside."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import glassnet
from glassnet.keras import constraints, layers
from conftest import load_tool

HERE = pathlib.Path(__file__).parent
FIX = HERE / "fixtures" / "keras_conv_constraints.npz"
CASES = sorted(load_tool("make_keras_conv_constraints").CASES)


def _tool():
    return load_tool("make_keras_conv_constraints")


@pytest.mark.parametrize("case", CASES)
def test_two_epochs_of_sgd_with_constraints_as_keras(case):
    tool, d = _tool(), np.load(FIX)
    x, y = tool.data(case)
    model = tool.model(glassnet.keras, case)
    n = len(model.get_weights())
    model.set_weights([d[f"{case}/start_{j}"] for j in range(n)])
    hist = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(hist, d[f"{case}/losses"], rtol=1e-4)
    for j, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, d[f"{case}/end_{j}"], rtol=1e-5, atol=2e-5)


@pytest.mark.parametrize("case", CASES)
def test_keras_files_load_with_their_constraints_and_round_trip(case, tmp_path):
    tool, d = _tool(), np.load(FIX)
    x, _ = tool.data(case)
    model = glassnet.models.load_model(HERE / "fixtures" / "keras_conv_constraints" / f"{case}.keras")
    np.testing.assert_allclose(model.predict(x, verbose=0), d[f"{case}/pred"], atol=1e-5)
    layer = model.layers[0]
    for arg in tool.CASES[case][2]:
        assert getattr(layer, arg) is not None
        assert layer.get_config()[arg]["class_name"] == tool.CASES[case][2][arg][0]
    model.save(tmp_path / "again.keras")
    again = glassnet.models.load_model(tmp_path / "again.keras")
    assert again.layers[0].get_config() == layer.get_config()


def test_the_constraint_holds_after_every_step_and_the_readable_path_runs_it():
    """NonNeg on the bias and MaxNorm on the kernel: after each step of a fit the weights obey
    them (a constrained layer is not one the fast path takes: glassnet.fast.untouched)."""
    from glassnet import fast
    x = np.random.default_rng(0).normal(size=(16, 6, 6, 2)).astype("float32")
    y = np.random.default_rng(1).normal(size=(16, 1)).astype("float32")
    conv = layers.Conv2DTranspose(2, 3, kernel_constraint=constraints.MaxNorm(0.2, axis=[0, 1, 2]),
                                  bias_constraint=constraints.NonNeg())
    model = glassnet.keras.Sequential([layers.Input(shape=(6, 6, 2)), conv, layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer=glassnet.keras.optimizers.SGD(0.05), loss="mse")
    assert not fast.untouched(conv)
    seen = []

    class Check(glassnet.keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            k = conv.kernel.numpy()
            seen.append((np.sqrt((k ** 2).sum(axis=(0, 1, 2))).max(), conv.bias.numpy().min()))
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[Check()])
    assert len(seen) == 8
    assert all(norm <= 0.2 + 1e-6 and low >= 0 for norm, low in seen)


def test_every_constraint_argument_is_kept_in_the_config():
    sep = layers.SeparableConv1D(4, 3, depthwise_constraint="non_neg", pointwise_constraint="unit_norm",
                                 bias_constraint=constraints.MaxNorm(2.0))
    cfg = sep.get_config()
    assert cfg["depthwise_constraint"]["class_name"] == "NonNeg"
    assert cfg["pointwise_constraint"]["class_name"] == "UnitNorm"
    assert cfg["bias_constraint"]["config"]["max_value"] == 2.0
    assert layers.SeparableConv1D.from_config(cfg).get_config() == cfg
    dw = layers.DepthwiseConv2D(3, depthwise_constraint="non_neg")
    dw.build_from_shape((None, 5, 5, 2))
    assert dw.kernel.constraint is not None and dw.get_config()["bias_constraint"] is None
    with pytest.raises(ValueError, match="activity_regularizer is not supported"):
        layers.DepthwiseConv2D(3, activity_regularizer="l2")


def test_conv_transpose_activity_regularizer_joins_the_loss():
    x = np.random.default_rng(0).normal(size=(4, 3, 3, 1))
    layer = layers.Conv2DTranspose(2, 3, activity_regularizer="l2", dtype="float64")
    out = layer(x)
    np.testing.assert_allclose(float(layer.losses[0]), 0.01 * np.sum(np.asarray(out) ** 2) / 4)
    report = glassnet.gradcheck(layers.Conv2DTranspose(2, 3, activity_regularizer="l2"), x, max_entries=None)
    assert report.passed, report
