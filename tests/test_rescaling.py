"""Rescaling: Y = X * scale + offset, as TensorFlow's image tutorials put it first in a model."""
import numpy as np
import pytest

import glassnet
from glassnet import layers


def test_forward_backward_and_shapes():
    layer = layers.Rescaling(1 / 127.5, offset=-1)
    x = np.array([[0.0, 127.5, 255.0]], np.float32)
    np.testing.assert_allclose(layer(x).numpy(), [[-1.0, 0.0, 1.0]], atol=1e-7)
    np.testing.assert_allclose(layer.backward(np.ones((1, 3), np.float32)), np.full((1, 3), 1 / 127.5), rtol=1e-6)
    assert layer.compute_output_shape((None, 32, 32, 3)) == (None, 32, 32, 3) and layer.count_params() == 0
    per_channel = layers.Rescaling([1.0, 2.0, 3.0], offset=[0.0, 0.0, 1.0])
    np.testing.assert_array_equal(per_channel(np.ones((2, 4, 3), np.float32)).numpy()[0, 0], [1.0, 2.0, 4.0])


def test_uint8_pixels_come_out_as_float32():
    out = layers.Rescaling(1 / 255)(np.array([[0, 255]], np.uint8)).numpy()
    assert out.dtype == np.float32 and out.tolist() == [[0.0, 1.0]]


@pytest.mark.parametrize("bad", [float("nan"), "0.5", True, [1.0, float("inf")]])
def test_bad_scale_is_named(bad):
    with pytest.raises(ValueError, match="Rescaling: scale must be a finite number"):
        layers.Rescaling(bad)


def test_in_a_model_it_trains_saves_and_exports_like_the_tutorials(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (40, 6, 6, 1)).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 127).astype(np.float32)
    model = glassnet.keras.Sequential([layers.Rescaling(1.0 / 255, input_shape=(6, 6, 1)),
                                      layers.Conv2D(2, 3, activation="relu"), layers.Flatten(),
                                      layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    scaled = glassnet.keras.Sequential([layers.Conv2D(2, 3, activation="relu", input_shape=(6, 6, 1)),
                                       layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    scaled.set_weights(model.get_weights())
    np.testing.assert_allclose(model.predict(x, verbose=0), scaled.predict(x / 255, verbose=0), rtol=1e-5)
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert again.layers[0].get_config()["scale"] == pytest.approx(1 / 255)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    import onnxruntime                          # in the test extra
    model.export(tmp_path / "m.onnx", format="onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "m.onnx"))
    out = session.run(None, {session.get_inputs()[0].name: x[:5]})[0]
    np.testing.assert_allclose(out, model.predict(x[:5], verbose=0), rtol=1e-5)
