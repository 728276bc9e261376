"""Conv1DTranspose and Conv2DTranspose (layers/conv_transpose.py): Keras's output sizes, the
forward as a convolution's input-gradient, one case by hand, gradchecks, bad arguments, the
convolutional autoencoder tutorial, files, explain and ONNX. Keras's own numbers:
tests/test_keras_shape_layers.py."""
from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet
from glassnet.keras import layers, losses
from glassnet.layers import Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose


def keras_length(n, k, s, padding, op=None, d=1):
    """Keras's rule, written out independently of the layer (k dilated)."""
    k = (k - 1) * d + 1
    if op is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    return (n - 1) * s + k - (2 * (k // 2) if padding == "same" else 0) + op


@pytest.mark.parametrize("n,k,s,padding,op", [
    (7, 3, 2, "same", None), (7, 3, 2, "valid", None), (4, 5, 2, "valid", None), (3, 2, 3, "valid", None),
    (3, 2, 3, "same", None), (5, 4, 2, "same", None), (3, 3, 2, "same", 1), (3, 3, 3, "valid", 2),
    (4, 4, 3, "same", 2), (6, 1, 1, "valid", None)])
def test_output_size_follows_keras_rule(n, k, s, padding, op):
    layer = Conv2DTranspose(2, k, strides=s, padding=padding, output_padding=op)
    want = keras_length(n, k, s, padding, op)
    assert layer.compute_output_shape((None, n, n + 1, 3)) == (None, want, keras_length(n + 1, k, s, padding, op), 2)
    assert layer(np.zeros((2, n, n + 1, 3))).shape == (2, want, keras_length(n + 1, k, s, padding, op), 2)


@pytest.mark.parametrize("k,s,padding,op", [(3, 2, "same", None), (5, 2, "valid", None), (2, 3, "valid", None),
                                            (4, 2, "same", None), (3, 2, "same", 1), (3, 3, "valid", 1)])
def test_forward_is_the_input_gradient_of_the_convolution(k, s, padding, op):
    """Conv2DTranspose(X) with kernel K equals Conv2D(K)'s dJ/d(input) for dJ/d(output) = X."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 4, 5))
    up = Conv2DTranspose(2, k, strides=s, padding=padding, output_padding=op, use_bias=False, dtype="float64")
    y = up(x).numpy()
    conv = Conv2D(5, k, strides=s, padding=padding, use_bias=False, dtype="float64")
    conv.build_from_shape((None,) + y.shape[1:])
    conv.kernel.value = up.kernel.value                 # (k, k, 2, 5): in 2 channels, 5 filters
    assert conv(y).shape == x.shape                     # the convolution maps the output's size back to the input's
    np.testing.assert_allclose(conv.backward(x), y, rtol=1e-12, atol=1e-12)


def test_one_case_by_hand():
    # input [x0, x1], kernel [k0, k1], stride 2, valid: each input paints k, two apart -> [x0k0, x0k1, x1k0, x1k1]
    layer = Conv1DTranspose(1, 2, strides=2, use_bias=False, dtype="float64")
    layer.build_from_shape((None, 2, 1))
    layer.kernel.value = np.array([2.0, 3.0]).reshape(2, 1, 1)
    y = layer(np.array([[[1.0], [10.0]]])).numpy()
    assert y[0, :, 0].tolist() == [2.0, 3.0, 20.0, 30.0]
    # stride 1 overlaps: [1, 10] with [2, 3] -> [1*2, 1*3 + 10*2, 10*3]
    layer = Conv1DTranspose(1, 2, strides=1, use_bias=True, bias_initializer="ones", dtype="float64")
    layer.build_from_shape((None, 2, 1))
    layer.kernel.value = np.array([2.0, 3.0]).reshape(2, 1, 1)
    assert layer(np.array([[[1.0], [10.0]]])).numpy()[0, :, 0].tolist() == [3.0, 24.0, 31.0]
    # backward: dX_i = sum of dY over the pixels i painted, weighted by the kernel; dK = sum of X dY
    dx = layer.backward(np.array([[[1.0], [0.0], [-1.0]]]))
    assert dx[0, :, 0].tolist() == [1 * 2 + 0 * 3, 0 * 2 + (-1) * 3]
    assert layer.kernel.grad[:, 0, 0].tolist() == [1 * 1 + 10 * 0, 1 * 0 + 10 * -1]
    assert layer.bias.grad.tolist() == [0.0]


@pytest.mark.parametrize("make,shape", [
    (lambda: Conv2DTranspose(3, 3, strides=2, padding="same", activation="tanh"), (2, 3, 4, 2)),
    (lambda: Conv2DTranspose(2, (5, 5), strides=(2, 2), kernel_regularizer="l2"), (2, 2, 3, 3)),
    (lambda: Conv2DTranspose(2, 2, strides=3, use_bias=False), (1, 3, 2, 2)),
    (lambda: Conv2DTranspose(2, (4, 3), strides=(2, 1), padding="same", activation="sigmoid"), (2, 3, 3, 2)),
    (lambda: Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=1), (2, 3, 2, 2)),
    (lambda: Conv2DTranspose(2, (3, 2), strides=(3, 2), output_padding=(2, 0)), (2, 2, 3, 2)),
    (lambda: Conv2DTranspose(2, 3, dilation_rate=2, padding="same"), (2, 4, 3, 2)),
    (lambda: Conv1DTranspose(3, 4, strides=2, padding="same"), (2, 5, 2)),
    (lambda: Conv1DTranspose(2, 3, strides=3, output_padding=2, activation="relu", bias_initializer="ones"),
     (2, 4, 3)),          # (a zero bias would put the unpainted outputs on relu's kink)
])
def test_gradcheck(make, shape):
    report = glassnet.gradcheck(make(), np.random.default_rng(1).normal(size=shape))
    assert report.passed, report


@pytest.mark.parametrize("kwargs,words", [
    (dict(filters=2, kernel_size=0), "kernel_size must be a positive integer"),
    (dict(filters=2, kernel_size=(3, -1)), "kernel_size must be a positive integer"),
    (dict(filters=0, kernel_size=3), "filters must be a positive integer"),
    (dict(filters=2, kernel_size=3, strides=0), "strides must be a positive integer"),
    (dict(filters=2, kernel_size=3, strides=(1, 2, 3)), "strides must be a positive integer or a tuple of 2"),
    (dict(filters=2, kernel_size=3, padding="full"), "padding must be one of 'valid', 'same', got 'full'"),
    (dict(filters=2, kernel_size=3, padding="causal"), "padding must be one of 'valid', 'same'"),
    (dict(filters=2, kernel_size=3, strides=2, output_padding=2), "output_padding must be smaller than strides"),
    (dict(filters=2, kernel_size=3, output_padding=1), r"axis 0: 1 >= 1"),
    (dict(filters=2, kernel_size=3, strides=2, output_padding=-1), "output_padding must be None, a non-negative"),
    (dict(filters=2, kernel_size=3, data_format="channels_first"), "data_format='channels_first' is not supported"),
    (dict(filters=2, kernel_size=3, strides=2, dilation_rate=2), "strides > 1 together with dilation_rate > 1"),
])
def test_bad_arguments_are_named(kwargs, words):
    with pytest.raises(ValueError, match=re.escape(words) if "\\" not in words else words):
        Conv2DTranspose(**kwargs)


def test_wrong_input_rank_is_named():
    with pytest.raises(ValueError, match=r"Conv2DTranspose 'up' takes inputs of 4 dimensions .* got shape \(None, 5, 3\)"):
        Conv2DTranspose(2, 3, name="up").build_from_shape((None, 5, 3))
    with pytest.raises(ValueError, match="Conv1DTranspose .* takes inputs of 3 dimensions"):
        Conv1DTranspose(2, 3)(np.zeros((2, 4, 4, 1)))


# -- the convolutional autoencoder of TensorFlow's "Intro to Autoencoders" ---------------------------
class Denoise(glassnet.keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = glassnet.keras.Sequential([
            layers.Input(shape=(28, 28, 1)),
            layers.Conv2D(16, (3, 3), activation='relu', padding='same', strides=2),
            layers.Conv2D(8, (3, 3), activation='relu', padding='same', strides=2)])
        self.decoder = glassnet.keras.Sequential([
            layers.Conv2DTranspose(8, kernel_size=3, strides=2, activation='relu', padding='same'),
            layers.Conv2DTranspose(16, kernel_size=3, strides=2, activation='relu', padding='same'),
            layers.Conv2D(1, kernel_size=(3, 3), activation='sigmoid', padding='same')])

    def call(self, x):
        encoded = self.encoder(x)
        decoded = self.decoder(encoded)
        return decoded


def test_convolutional_autoencoder_tutorial_fits_and_summarizes(capsys):
    glassnet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train = rng.random((48, 28, 28, 1)).astype("float32")
    noisy = np.clip(x_train + 0.2 * rng.normal(size=x_train.shape), 0.0, 1.0).astype("float32")
    autoencoder = Denoise()
    autoencoder.compile(optimizer='adam', loss=losses.MeanSquaredError())
    history = autoencoder.fit(noisy, x_train, epochs=1, shuffle=True, validation_data=(noisy[:8], x_train[:8]),
                              verbose=0)
    assert np.isfinite(history.history["loss"][0]) and "val_loss" in history.history
    assert autoencoder.predict(noisy[:3], verbose=0).shape == (3, 28, 28, 1)
    capsys.readouterr()
    autoencoder.decoder.summary()
    text = capsys.readouterr().out
    lines = [l for l in text.splitlines() if "conv2d_transpose" in l]
    assert "(None, 14, 14, 8)" in lines[0] and "584" in lines[0]          # 3*3*8*8 + 8, as Keras's summary
    assert "(None, 28, 28, 16)" in lines[1] and "1,168" in lines[1]       # 3*3*16*8 + 16
    assert "(Conv2DTranspose)" in text and "Total params: 1,897" in text


def test_autoencoder_fit_lowers_the_loss():
    glassnet.utils.set_random_seed(1)
    model = glassnet.Sequential([
        layers.Input(shape=(8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu", padding="same", strides=2),
        layers.Conv2DTranspose(4, kernel_size=3, strides=2, activation="relu", padding="same"),
        layers.Conv2D(1, kernel_size=(3, 3), activation="sigmoid", padding="same")])
    model.compile(optimizer=glassnet.optimizers.Adam(0.01), loss=losses.MeanSquaredError())
    x = np.random.default_rng(2).random((32, 8, 8, 1)).astype("float32")
    loss = model.fit(x, x, epochs=20, batch_size=8, verbose=0).history["loss"]
    assert loss[-1] < 0.8 * loss[0]
    # Keras 3.15 from this seed: 0.08469, 0.08398 ... 0.06385, 0.06356 (8 epochs reached only 0.07612)
    np.testing.assert_allclose([loss[0], loss[-1]], [0.08469, 0.06356], atol=1e-5)


# -- files, explain, ONNX --------------------------------------------------------------------------
def test_keras_file_round_trip(tmp_path):
    pytest.importorskip("h5py")
    glassnet.utils.set_random_seed(3)
    model = glassnet.Sequential([
        glassnet.Input(shape=(3, 4, 2)),
        Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1, activation="relu", kernel_regularizer="l2"),
        Conv2DTranspose(2, (2, 3), strides=(3, 1), use_bias=False),
        layers.Reshape((-1, 2)),
        Conv1DTranspose(2, 3, strides=2, padding="same"),
        layers.GlobalMaxPooling1D()])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(6, 3, 4, 2)).astype("float32")
    model.fit(x, np.ones((6, 2)), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = glassnet.models.load_model(tmp_path / "m.keras")
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    assert loaded.layers[0].get_config()["output_padding"] == [1, 1]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_explain_works_out_one_output_by_hand():
    glassnet.utils.set_random_seed(4)
    model = glassnet.Sequential([glassnet.Input(shape=(5, 4, 2)),
                                 Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu",
                                                 bias_initializer="random_normal"),
                                 layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(5).random((2, 5, 4, 2)).astype("float32")
    before = model.get_weights()
    e = glassnet.explain(model, x, np.ones((2, 1)))
    line = next(l for l in str(e).splitlines() if "by hand" in l)
    assert "(Conv2DTranspose)" in str(e) and "Conv's input-gradient run forward" in str(e)
    position = tuple(int(v) for v in re.search(r"position \((\d+), (\d+)\)", line).groups())
    f = int(re.search(r"filter (\d+)", line).group(1))
    # recompute Z from the painters the line names: X[i, j] . K[a, b, f]
    painters = re.findall(r"X\[(\d+), (\d+)\]\.K\[(\d+), (\d+)\]", line)
    assert painters
    K, b = before[0], before[1]
    z = sum(float(np.dot(x[0, int(i), int(j)], K[int(a), int(c), f])) for i, j, a, c in painters) + float(b[f])
    assert f"= {z:.4g};" in line
    assert np.isclose(e.arrays["A[1]"][(0,) + position + (f,)], max(z, 0.0), rtol=1e-5, atol=1e-6)
    for i, j, a, c in painters:                 # each painter lands there: i*2 + a - 0 (pad before) = row
        assert int(i) * 2 + int(a) == position[0] and int(j) * 2 + int(c) == position[1]


@pytest.mark.parametrize("make,shape", [
    (lambda: Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"), (4, 5, 2)),
    (lambda: Conv2DTranspose(2, (5, 5), strides=(2, 2)), (3, 4, 3)),
    (lambda: Conv2DTranspose(2, 2, strides=3, use_bias=False), (3, 3, 2)),
    (lambda: Conv2DTranspose(2, (4, 4), strides=2, padding="same"), (3, 3, 2)),
    (lambda: Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=1, activation="sigmoid"), (3, 4, 2)),
    (lambda: Conv2DTranspose(2, (3, 2), strides=(3, 2), output_padding=(2, 0)), (3, 4, 2)),
    (lambda: Conv1DTranspose(3, 4, strides=2, padding="same"), (5, 2)),
])
def test_onnx_export_matches_predict(make, shape, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    glassnet.utils.set_random_seed(5)
    model = glassnet.Sequential([glassnet.Input(shape=shape), make()])
    rng = np.random.default_rng(6)
    model.set_weights([rng.normal(size=w.shape) * 0.5 for w in model.get_weights()])
    model.export(tmp_path / "m.onnx")
    x = rng.normal(size=(3,) + shape).astype(np.float32)
    got = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"]).run(None, {"inputs": x})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
