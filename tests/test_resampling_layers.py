"""UpSampling, ZeroPadding and Cropping, 1D and 2D (layers/resampling.py): values by hand,
gradchecks, each other's backward, argument forms and bad arguments, files and ONNX. Keras's
own numbers: tests/test_keras_shape_layers.py."""
from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet
from glassnet.layers import (Cropping1D, Cropping2D, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D)


def test_upsampling_repeats_and_its_backward_sums_the_blocks():
    x = np.arange(6.0).reshape(1, 2, 3, 1)
    layer = UpSampling2D((2, 3), dtype="float64")
    y = layer(x).numpy()
    assert y.shape == (1, 4, 9, 1)
    assert y[0, :, :, 0].tolist()[1] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert y[0, :, :, 0].tolist()[2] == [3, 3, 3, 4, 4, 4, 5, 5, 5]
    g = np.arange(36.0).reshape(1, 4, 9, 1)
    dx = layer.backward(g)
    # pixel (0, 0)'s block is rows 0-1, columns 0-2: 0+1+2 + 9+10+11 = 33
    assert dx[0, 0, 0, 0] == 33.0 and dx.shape == x.shape
    assert UpSampling1D(3)(np.array([[[1.0, 2.0], [3.0, 4.0]]])).numpy()[0, :, 1].tolist() == [2, 2, 2, 4, 4, 4]


def test_zero_padding_and_cropping_are_each_others_backward():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 4, 2))
    padding = ((1, 2), (0, 3))
    zp, cr = ZeroPadding2D(padding, dtype="float64"), Cropping2D(padding, dtype="float64")
    y = zp(x).numpy()
    assert y.shape == (2, 6, 7, 2)
    assert np.all(y[:, 0] == 0) and np.all(y[:, -2:] == 0) and np.all(y[:, :, -3:] == 0)
    np.testing.assert_array_equal(y[:, 1:4, 0:4], x)
    np.testing.assert_array_equal(cr(y).numpy(), x)                  # cropping undoes the padding
    g = rng.normal(size=y.shape)
    np.testing.assert_array_equal(zp.backward(g), cr(g).numpy())     # and is its backward
    np.testing.assert_array_equal(cr.backward(x), y)
    assert ZeroPadding1D((1, 2))(np.ones((1, 2, 1))).numpy()[0, :, 0].tolist() == [0, 1, 1, 0, 0]
    assert Cropping1D((1, 0))(np.array([[[1.0], [2.0], [3.0]]])).numpy()[0, :, 0].tolist() == [2, 3]


@pytest.mark.parametrize("layer,shape", [
    (UpSampling2D(), (2, 3, 2, 2)), (UpSampling2D((1, 3)), (2, 2, 3, 1)), (UpSampling1D(), (2, 3, 2)),
    (UpSampling2D((2, 3), interpolation="bilinear"), (2, 3, 2, 2)), (UpSampling2D(2, interpolation="bicubic"), (1, 3, 4, 1)),
    (ZeroPadding2D(), (2, 3, 2, 2)), (ZeroPadding2D((2, 0)), (2, 2, 3, 1)), (ZeroPadding1D((0, 2)), (2, 3, 2)),
    (Cropping2D(((1, 0), (0, 1))), (2, 3, 3, 2)), (Cropping2D(1), (2, 4, 3, 1)), (Cropping1D(), (2, 4, 2)),
])
def test_gradcheck(layer, shape):
    report = glassnet.gradcheck(layer, np.random.default_rng(1).normal(size=shape))
    assert report.passed, report


@pytest.mark.parametrize("cls,arg,want", [
    (ZeroPadding2D, 2, ((2, 2), (2, 2))), (ZeroPadding2D, (1, 3), ((1, 1), (3, 3))),
    (ZeroPadding2D, ((1, 2), (3, 4)), ((1, 2), (3, 4))), (ZeroPadding1D, 3, ((3, 3),)),
    (ZeroPadding1D, (0, 2), ((0, 2),)), (Cropping2D, ((0, 1), (2, 0)), ((0, 1), (2, 0))),
    (Cropping2D, 1, ((1, 1), (1, 1))), (Cropping1D, (2, 1), ((2, 1),)),
])
def test_keras_argument_forms(cls, arg, want):
    layer = cls(arg)
    assert (layer.padding if hasattr(layer, "padding") else layer.cropping) == want


@pytest.mark.parametrize("make,words", [
    (lambda: UpSampling2D(0), "UpSampling2D: size must be a positive integer or a tuple of 2 positive integers, got 0"),
    (lambda: UpSampling2D((2, 2, 2)), "UpSampling2D: size must be"),
    (lambda: UpSampling1D(-1), "UpSampling1D: size must be a positive integer"),
    (lambda: UpSampling2D(interpolation="lanczos3"), "interpolation must be one of 'nearest', 'bilinear', 'bicubic', "
                                                     "got 'lanczos3'"),
    (lambda: ZeroPadding2D(-1), "ZeroPadding2D: padding must be a non-negative integer"),
    (lambda: ZeroPadding2D(((1, 2), (3,))), "((top, bottom), (left, right)), got ((1, 2), (3,))"),
    (lambda: ZeroPadding1D((1, 2, 3)), "ZeroPadding1D: padding must be a non-negative integer, a tuple of 2"),
    (lambda: Cropping2D("same"), "Cropping2D: cropping must be"),
    (lambda: Cropping1D((1.5, 1)), "Cropping1D: cropping must be"),
    (lambda: ZeroPadding2D(data_format="channels_first"), "data_format='channels_first' is not supported"),
])
def test_bad_arguments_are_named(make, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        make()


def test_cropping_larger_than_the_input_is_refused_naming_the_axis():
    with pytest.raises(ValueError, match=r"Cropping2D 'crop': cropping \(\(2, 2\), \(0, 0\)\) removes 4 of 4 on "
                                         r"spatial axis 0 of inputs of shape \(None, 4, 6, 1\)"):
        Cropping2D((2, 0), name="crop").build_from_shape((None, 4, 6, 1))
    with pytest.raises(ValueError, match="Cropping1D .* removes 5 of 3 on spatial axis 0"):
        Cropping1D((2, 3))(np.zeros((1, 3, 2)))
    with pytest.raises(ValueError, match="UpSampling2D .* takes inputs of 4 dimensions"):
        UpSampling2D()(np.zeros((1, 3, 2)))


def test_keras_file_round_trip_summary_and_onnx(tmp_path, capsys):
    pytest.importorskip("h5py")
    model = glassnet.Sequential([
        glassnet.Input(shape=(5, 4, 2)),
        ZeroPadding2D(((1, 0), (2, 1))), UpSampling2D((2, 1)), Cropping2D(((1, 2), (0, 3))),
        UpSampling2D((1, 1), interpolation="bilinear"),
        glassnet.layers.Reshape((-1, 2)),
        UpSampling1D(2), ZeroPadding1D(1), Cropping1D((0, 3)),
    ])
    model.summary()
    text = capsys.readouterr().out
    assert "zero_padding2d (ZeroPadding2D)" in text and "(None, 6, 7, 2)" in text
    assert "(None, 12, 7, 2)" in text and "(None, 9, 4, 2)" in text and "(None, 36, 2)" in text
    assert "(None, 72, 2)" in text and "(UpSampling2D)" in text and "(None, 74, 2)" in text and "(None, 71, 2)" in text
    assert "Total params: 0" in text
    x = np.random.default_rng(0).normal(size=(3, 5, 4, 2)).astype("float32")
    model.save(tmp_path / "m.keras")
    loaded = glassnet.models.load_model(tmp_path / "m.keras")
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    ort = pytest.importorskip("onnxruntime")
    model.export(tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(session.run(None, {"inputs": x})[0], model.predict(x, verbose=0))
