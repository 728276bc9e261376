"""Binary cross-entropy from logits in TensorFlow's order, on all three of glassnet's paths.

TensorFlow computes ``max(z, 0) - z y + log1p(exp(-|z|))`` and adds the log term last: for labels
0 and 1 the first part is exact, so a confident logit keeps its small loss (z = 20, y = 1:
2.06e-9, where adding the log term first gave 20 + 2.06e-9 - 20 = 0). glassnet's readable loss
(``BinaryCrossentropy.call_from_logits``), the fused NumPy step (``glassnet.fast.dense``) and
numba's compiled epoch (``glassnet.fast._numba_epoch``) all add it last, and agree bit for bit.

Fixtures: tests/fixtures/tf_bce_logits.json, written by tools/make_tf_bce_logits.py under
TensorFlow 2.21 / Keras 3.15 (each number as ``float.hex``): ``tf.nn.sigmoid_cross_entropy_with_logits``
on a grid of 23 logits by 4 labels, Keras's ``BinaryCrossentropy(from_logits=True)`` on it, the
same loss on ``sigmoid(z)`` inside a ``tf.function`` (fit's case: Keras takes the logits back),
and each row's mean over its four labels.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet.engine import step as readable
from glassnet.fast import dense as fast_dense
from glassnet.keras import Input, Sequential, losses, optimizers
from glassnet.keras.layers import Dense

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "tf_bce_logits.json").read_text())
Z, Y = np.array(FIXTURE["z"]), np.array(FIXTURE["y"])
DTYPES = [np.float32, np.float64]


def _tf(dtype, what):
    """TensorFlow's numbers for ``what`` on the grid, in ``dtype`` (exact: recorded as hex)."""
    return np.array([float.fromhex(h) for h in FIXTURE[np.dtype(dtype).name][what]]).astype(dtype)


def _grid(dtype):
    """The grid as columns: ``z`` and ``y`` of shape (92, 1), z's rows repeated per label."""
    zz, yy = np.meshgrid(Z, Y, indexing="ij")
    return zz.reshape(-1, 1).astype(dtype), yy.reshape(-1, 1).astype(dtype)


# How far glassnet may be from TensorFlow: NumPy's exp and log1p are an ulp from Eigen's here and
# there, so float32 results are within 2 ulp of TF's, float64 within 1 (measured on this grid;
# the log term added first was up to 1.6e7 ulp off in float32, 8e15 in float64).
ULPS = 2


def _assert_ulps(got, want, dtype, what):
    """Within ``ULPS`` units in the last place of TensorFlow's number; where TF's is 0 and
    glassnet's is subnormal (float32 exp(-100) = 3.8e-44), TF flushed it to zero, as its CPU
    kernels do (glassnet does too inside fit: glassnet.fast.denormals)."""
    got, want = np.asarray(got, dtype).ravel(), np.asarray(want, dtype).ravel()
    assert got.shape == want.shape
    spacing = np.spacing(np.abs(want)).astype(np.float64)
    off = np.abs(got.astype(np.float64) - want.astype(np.float64)) / spacing
    off[(want == 0) & (np.abs(got) < np.finfo(dtype).tiny)] = 0
    worst = int(np.argmax(off))
    assert off[worst] <= ULPS, f"{what}: {got[worst]!r} against TF's {want[worst]!r} ({off[worst]:.0f} ulp)"


@pytest.mark.parametrize("dtype", DTYPES)
def test_tf_nn_sigmoid_cross_entropy_gives_tensorflows_numbers(dtype):
    z, y = _grid(dtype)
    got = glassnet.nn.sigmoid_cross_entropy_with_logits(labels=y[:, 0], logits=z[:, 0])
    assert got.dtype == dtype
    _assert_ulps(got, _tf(dtype, "nn"), dtype, "tf.nn.sigmoid_cross_entropy_with_logits")


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_confident_logit_keeps_its_small_loss(dtype):
    """z = 20 with y = 1 (and the like): exp(-20) = 2.06e-9, TensorFlow's loss; in float32 the
    log term added first gave exactly 0 (20 + 2.06e-9 is 20), a relative error of 1. Each such
    loss is TF's, to 2 ulp."""
    z, y = _grid(dtype)
    want = _tf(dtype, "nn")
    values = losses.BinaryCrossentropy(from_logits=True).call_from_logits(y, z)
    confident = (np.abs(z[:, 0]) >= 15) & ((y[:, 0] == 1) == (z[:, 0] > 0)) & np.isin(y[:, 0], (0, 1))
    assert confident.sum() == 11            # z of 15, 17, 20, 25, 30, 50, 100 with y = 1; -17, -20, -30, -100 with 0
    normal = confident & (want >= np.finfo(dtype).tiny)     # (float32: exp(-100) is subnormal, TF's 0)
    assert normal.sum() == (9 if dtype == np.float32 else 11)
    assert np.all(values[normal] > 0)
    _assert_ulps(values[confident], want[confident], dtype, "confident logits")
    at_20 = (z[:, 0] == 20) & (y[:, 0] == 1)
    assert float(values[at_20][0]) == pytest.approx(2.0611536e-9, rel=1e-7)   # TF 2.21's, printed


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_from_logits_gives_keras_numbers(dtype):
    z, y = _grid(dtype)
    name = np.dtype(dtype).name
    loss = losses.BinaryCrossentropy(from_logits=True, reduction="none", dtype=name)
    column = loss(y, z)
    assert column.dtype == dtype and column.shape == (len(z),)
    _assert_ulps(column, _tf(dtype, "keras"), dtype, "BinaryCrossentropy(from_logits=True)")
    rows = loss(y.reshape(len(Z), len(Y)), z.reshape(len(Z), len(Y)))        # each row's mean over 4 labels
    _assert_ulps(rows, _tf(dtype, "row_means"), dtype, "the mean over a row's four labels")


def _sigmoid_model(dtype, learning_rate=0.0):
    """``sigmoid(x w + b)`` with w = 1, b = 0, so that the logits are the inputs; compiled with
    BinaryCrossentropy from probabilities (the shortcut takes the logits back) and an SGD that
    leaves the weights as they are."""
    glassnet.config.set_floatx(np.dtype(dtype).name)
    model = Sequential([Input(shape=(1,)), Dense(1, activation="sigmoid", kernel_initializer="ones")])
    model.compile(optimizer=optimizers.SGD(learning_rate), loss=losses.BinaryCrossentropy())
    return model


@pytest.fixture(autouse=True)
def _settings_back():
    yield
    glassnet.config.set_fast_path(True)
    glassnet.config.set_floatx("float32")


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_readable_loss_and_the_fused_step_agree_bit_for_bit_and_with_keras_through_a_sigmoid(dtype):
    """The readable loss from logits, the fused step's pass (one column, and four), and the
    fused train step of one row at a time inside fit's scope: the same bits, and Keras's value
    of BinaryCrossentropy on sigmoid outputs (fit's case) within 2 ulp."""
    z, y = _grid(dtype)
    a = glassnet.activations.sigmoid(z)
    want = losses.BinaryCrossentropy().call_from_logits(y, z)
    values, grad = fast_dense._binary_crossentropy_from_logits(z, a, y)
    np.testing.assert_array_equal(values[:, 0], want)
    np.testing.assert_array_equal(grad, losses.BinaryCrossentropy().gradient_from_logits(y, z, a))
    wide_z, wide_y = z.reshape(len(Z), len(Y)), y.reshape(len(Z), len(Y))
    wide, _ = fast_dense._binary_crossentropy_from_logits(wide_z, glassnet.activations.sigmoid(wide_z), wide_y)
    np.testing.assert_array_equal(wide, losses.BinaryCrossentropy().call_from_logits(wide_y, wide_z))
    _assert_ulps(want, _tf(dtype, "through_sigmoid"), dtype, "BinaryCrossentropy on sigmoid(z)")

    fused, slow = _sigmoid_model(dtype), _sigmoid_model(dtype)
    with fast_dense.fitting():                  # fit's scope: the fused step's own loss pass
        for i in range(len(z)):
            got, _ = fast_dense.train_step(fused, z[i:i + 1], y[i:i + 1])
            glassnet.config.set_fast_path(False)
            ref, _ = readable.train_step(slow, z[i:i + 1], y[i:i + 1])
            glassnet.config.set_fast_path(True)
            assert got == ref == float(want[i]), (i, got, ref, want[i])


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_compiled_epoch_agrees_bit_for_bit(dtype, monkeypatch):
    """numba's loop, one row a batch (so each step's loss is one sample's): the readable
    step's losses exactly, with NumPy's own exp and log1p called from the loop."""
    pytest.importorskip("numba")
    from glassnet.callbacks import CallbackList
    from glassnet.engine.training import ArrayBatches
    from glassnet.fast import epoch as fast_epoch

    if None in fast_epoch._numpy_loops(np.dtype(dtype)):
        pytest.skip("NumPy's own BLAS and ufunc loops are not found in this NumPy build")
    monkeypatch.setattr(fast_epoch, "_numba_worth_it", lambda *args, **kwargs: True)
    monkeypatch.setattr(fast_epoch, "_loaded", set())
    fast_epoch.compile_now([np.dtype(dtype).name])              # (loads numba's cache; compiles once)
    z, y = _grid(dtype)
    model = _sigmoid_model(dtype)
    data = ArrayBatches(z, y, None, 1, False)
    runner = fast_epoch.plan(model, data, CallbackList([], model, {}))
    assert runner is not None, "the compiled epoch should apply here"
    got = runner.run(data)
    want = losses.BinaryCrossentropy().call_from_logits(y, z)
    assert got == [float(v) for v in want]
    slow = _sigmoid_model(dtype)
    glassnet.config.set_fast_path(False)
    assert got == [readable.train_step(slow, z[i:i + 1], y[i:i + 1])[0] for i in range(len(z))]
