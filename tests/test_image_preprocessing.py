"""Resizing and CenterCrop (layers/image_preprocessing.py) and the resize weights under them
(layers/image_sampling.py): real Keras's outputs (tools/make_keras_image_preprocessing.py),
shapes, one image or a batch, channels first, backward against central differences, files,
ONNX, and bad arguments."""
import json
import pathlib

import numpy as np
import pytest

import glassnet
from conftest import central_difference
from glassnet import layers
from glassnet.layers import image_sampling as sampling

FIXTURE = np.load(pathlib.Path(__file__).parent / "fixtures" / "keras_image_preprocessing.npz")
X = FIXTURE["x"]                                     # (2, 7, 9, 3), values 0..255
CASES = sorted({k.split("/")[0] for k in FIXTURE
                if k.startswith(("resizing_", "center_crop_")) and k.endswith("/kwargs")})


@pytest.mark.parametrize("case", CASES)
def test_matches_keras(case):
    kwargs = json.loads(str(FIXTURE[f"{case}/kwargs"]))
    layer = getattr(layers, kwargs.pop("class"))(**kwargs)
    y = layer(X)
    assert y.dtype == np.float32 and y.shape == layer.compute_output_shape(X.shape)
    np.testing.assert_allclose(y.numpy(), FIXTURE[f"{case}/y"], atol=3e-4, rtol=1e-5)


def test_resize_weights_by_hand():
    # 2 -> 4 pixels, half-pixel centres: output o samples input (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25,
    # clamped at the edges: 1*x0, 0.75*x0 + 0.25*x1, 0.25*x0 + 0.75*x1, 1*x1
    np.testing.assert_allclose(sampling.resize_matrix(2, 4), [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]])
    # 4 -> 2 nearest: floor((o + 0.5) * 2) = 1, 3
    np.testing.assert_array_equal(sampling.resize_matrix(4, 2, "nearest"), [[0, 1, 0, 0], [0, 0, 0, 1]])
    # 4 -> 2 area: each output the mean of two inputs
    np.testing.assert_allclose(sampling.resize_matrix(4, 2, "area"), [[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]])
    for method in sampling.RESIZE_METHODS:                 # every row keeps a constant image constant
        np.testing.assert_allclose(sampling.resize_matrix(7, 3, method).sum(1), 1.0, rtol=1e-6)


def test_center_crop_window_and_uint8():
    x = np.arange(5 * 6).reshape(1, 5, 6, 1).astype(np.uint8)
    y = layers.CenterCrop(3, 2)(x)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[8, 9], [14, 15], [20, 21]])


def test_one_image_a_batch_and_channels_first():
    layer = layers.Resizing(4, 5)
    np.testing.assert_allclose(layer(X[0]).numpy(), layer(X).numpy()[0], rtol=1e-6)
    assert layer.compute_output_shape((7, 9, 3)) == (4, 5, 3)
    first = layers.Resizing(4, 5, data_format="channels_first")
    y = first(X.transpose(0, 3, 1, 2))
    assert y.shape == (2, 3, 4, 5) and first.compute_output_shape((None, 3, 7, 9)) == (None, 3, 4, 5)
    np.testing.assert_allclose(y.numpy().transpose(0, 2, 3, 1), layer(X).numpy(), rtol=1e-6)


def test_tutorial_resize_and_rescale_on_one_image():
    resize_and_rescale = glassnet.keras.Sequential([layers.Resizing(5, 5), layers.Rescaling(1. / 255)])
    result = resize_and_rescale(X[0].astype(np.uint8))
    assert result.shape == (5, 5, 3) and 0 <= result.numpy().min() and result.numpy().max() <= 1


@pytest.mark.parametrize("make", [lambda: layers.Resizing(4, 5), lambda: layers.Resizing(9, 11, "bicubic"),
                                  lambda: layers.Resizing(3, 3, "area"), lambda: layers.Resizing(5, 4, "nearest"),
                                  lambda: layers.Resizing(4, 4, crop_to_aspect_ratio=True),
                                  lambda: layers.Resizing(6, 3, pad_to_aspect_ratio=True, fill_value=2.0),
                                  lambda: layers.Resizing(3, 4, antialias=True),
                                  lambda: layers.CenterCrop(3, 4), lambda: layers.CenterCrop(8, 4)])
def test_backward_is_the_derivative(make):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 6, 2))
    layer = make()
    y = layer.forward(x)
    g = rng.normal(size=y.shape)
    numeric = central_difference(lambda v: float((make().forward(v) * g).sum()), x)
    np.testing.assert_allclose(layer.backward(g), numeric, rtol=1e-6, atol=1e-8)
    assert glassnet.gradcheck(make(), x).passed


def test_in_a_model_summary_fit_save_load_and_onnx(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (12, 9, 11, 3)).astype(np.float32)
    y = rng.normal(size=(12, 1)).astype(np.float32)
    model = glassnet.keras.Sequential([layers.Resizing(6, 6, input_shape=(9, 11, 3), pad_to_aspect_ratio=True,
                                                       fill_value=3.0),
                                      layers.CenterCrop(4, 5), layers.Rescaling(1 / 255), layers.Flatten(),
                                      layers.Dense(1)])
    model.summary()
    text = capsys.readouterr().out
    assert "resizing" in text and "(Resizing)" in text and "(None, 6, 6, 3)" in text and "(None, 4, 5, 3)" in text
    model.compile(optimizer="sgd", loss="mse")
    assert np.isfinite(model.fit(x, y, epochs=1, verbose=0).history["loss"][0])
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert again.layers[0].get_config() == model.layers[0].get_config()
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    onnxruntime = pytest.importorskip("onnxruntime")
    model.export(tmp_path / "m.onnx", format="onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "m.onnx"))
    out = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(out, model.predict(x, verbose=0), rtol=1e-4, atol=1e-4)


def test_configs_are_kerass():
    cfg = layers.Resizing(4, 5).get_config()
    assert {k: v for k, v in cfg.items() if k not in ("name", "trainable", "dtype")} == {
        "height": 4, "width": 5, "interpolation": "bilinear", "crop_to_aspect_ratio": False,
        "pad_to_aspect_ratio": False, "fill_mode": "constant", "fill_value": 0.0, "antialias": False,
        "data_format": "channels_last"}
    assert set(layers.CenterCrop(2, 3).get_config()) == {"name", "trainable", "dtype", "height", "width", "data_format"}


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Resizing(0, 4), "Resizing: height must be a positive integer, got height=0"),
    (lambda: layers.Resizing(4, 2.5), "Resizing: width must be a positive integer"),
    (lambda: layers.Resizing(4, 4, interpolation="lanczos9"), "interpolation must be one of"),
    (lambda: layers.Resizing(4, 4, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), "only one of"),
    (lambda: layers.Resizing(4, 4, fill_mode="reflect"), "fill_mode must be 'constant'"),
    (lambda: layers.CenterCrop(-1, 4), "CenterCrop: height must be a positive integer"),
    (lambda: layers.CenterCrop(2, 2, data_format="nhwc"), "data_format must be"),
])
def test_bad_arguments_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_wrong_rank_is_refused():
    with pytest.raises(ValueError, match="Resizing 'r': expected images of rank 3 .*shape \\(2, 3, 4, 5, 6\\)"):
        layers.Resizing(2, 2, name="r")(np.zeros((2, 3, 4, 5, 6)))
