"""Reshape's neighbours in layers/reshaping.py: RepeatVector, Permute, Identity (values by hand,
gradchecks, bad arguments, the seq2seq pattern, files and ONNX). Keras's own numbers:
tests/test_keras_shape_layers.py."""
from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet
from glassnet.layers import Dense, Identity, LSTM, Permute, RepeatVector, TimeDistributed


def test_repeat_vector_by_hand():
    layer = RepeatVector(3, dtype="float64")
    y = layer(np.array([[1.0, 2.0], [3.0, 4.0]])).numpy()
    assert y.shape == (2, 3, 2) and y[1].tolist() == [[3, 4]] * 3
    g = np.arange(12.0).reshape(2, 3, 2)
    assert layer.backward(g).tolist() == [[0 + 2 + 4, 1 + 3 + 5], [6 + 8 + 10, 7 + 9 + 11]]   # dX = sum over t


def test_permute_by_hand_and_its_backward_is_the_inverse():
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
    layer = Permute((3, 1, 2), dtype="float64")
    y = layer(x).numpy()
    assert y.shape == (2, 5, 3, 4) and y[1, 4, 2, 3] == x[1, 2, 3, 4]
    assert layer.compute_output_shape((None, 3, 4, 5)) == (None, 5, 3, 4)
    np.testing.assert_array_equal(layer.backward(y), x)


def test_identity():
    x = np.random.default_rng(1).normal(size=(3, 4)).astype("float32")
    np.testing.assert_array_equal(Identity()(x).numpy(), x)
    assert Identity().get_config().keys() == {"name", "trainable", "dtype"}


@pytest.mark.parametrize("layer,shape", [(RepeatVector(4), (3, 5)), (Permute((2, 1)), (3, 4, 5)),
                                         (Permute((2, 3, 1)), (2, 3, 4, 2)), (Identity(), (3, 4))])
def test_gradcheck(layer, shape):
    report = glassnet.gradcheck(layer, np.random.default_rng(2).normal(size=shape))
    assert report.passed, report


@pytest.mark.parametrize("make,words", [
    (lambda: RepeatVector(0), "RepeatVector: n must be a positive integer, got 0"),
    (lambda: RepeatVector(2.5), "RepeatVector: n must be a positive integer, got 2.5"),
    (lambda: Permute((0, 1)), "Permute: dims must be a permutation of 1, ..., 2"),
    (lambda: Permute((1, 1)), "Permute: dims must be a permutation"),
    (lambda: Permute(2), "Permute: dims must be a permutation of 1, ..., rank"),
])
def test_bad_arguments_are_named(make, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        make()


def test_wrong_input_ranks_are_named():
    with pytest.raises(ValueError, match=r"RepeatVector 'rv' takes inputs of 2 dimensions .* got shape \(None, 3, 4\)"):
        RepeatVector(2, name="rv").build_from_shape((None, 3, 4))
    with pytest.raises(ValueError, match=r"Permute 'p': dims=\(2, 1\) needs samples of 2 axes"):
        Permute((2, 1), name="p")(np.zeros((2, 3, 4, 5)))


def test_seq2seq_pattern_fits_saves_and_exports(tmp_path):
    """The time-series tutorial's encoder-decoder: LSTM -> RepeatVector -> LSTM -> TimeDistributed(Dense)."""
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([
        glassnet.Input(shape=(6, 2)), LSTM(4), RepeatVector(3), LSTM(4, return_sequences=True),
        TimeDistributed(Dense(1)), Permute((2, 1)), Identity()])
    assert model.output_shape == (None, 1, 3)
    model.compile(optimizer=glassnet.optimizers.Adam(0.02), loss="mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6, 2)).astype("float32")
    y = x[:, -3:, :1].transpose(0, 2, 1)
    loss = model.fit(x, y, epochs=10, batch_size=8, verbose=0).history["loss"]
    assert loss[-1] < loss[0]
    pytest.importorskip("h5py")
    model.save(tmp_path / "m.keras")
    loaded = glassnet.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    ort = pytest.importorskip("onnxruntime")
    small = glassnet.Sequential([glassnet.Input(shape=(5,)), Dense(4), RepeatVector(3), Permute((2, 1)), Identity()])
    small.export(tmp_path / "s.onnx")
    xs = rng.normal(size=(4, 5)).astype("float32")
    got = ort.InferenceSession(str(tmp_path / "s.onnx"), providers=["CPUExecutionProvider"]).run(None, {"inputs": xs})[0]
    np.testing.assert_allclose(got, small.predict(xs, verbose=0), rtol=1e-6, atol=1e-6)
