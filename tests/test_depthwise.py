"""DepthwiseConv2D and SeparableConv2D (layers/depthwise.py): each against the full convolution
it equals, gradchecks, weight counts, bad arguments, files and ONNX. Keras's own numbers:
tests/test_keras_shape_layers.py."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.layers import Conv2D, DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D


def test_depthwise_is_a_conv2d_with_a_block_diagonal_kernel():
    """Channel c's filters m see channel c only: a full kernel zero off channel c gives the same output."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 5, 3))
    dw = DepthwiseConv2D((3, 2), strides=2, padding="same", depth_multiplier=2, dtype="float64")
    y = dw(x).numpy()
    K = dw.kernel.value                                    # (3, 2, 3, 2)
    full = np.zeros((3, 2, 3, 6))
    for c in range(3):
        for m in range(2):
            full[:, :, c, c * 2 + m] = K[:, :, c, m]       # output channel c*M + m, as Keras orders them
    conv = Conv2D(6, (3, 2), strides=2, padding="same", dtype="float64")
    conv.build_from_shape((None, 6, 5, 3))
    conv.kernel.value = full
    conv.bias.value = dw.bias.value
    np.testing.assert_allclose(y, conv(x).numpy(), rtol=1e-12, atol=1e-12)


def test_separable_is_depthwise_then_pointwise():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 7, 6, 2))
    sep = SeparableConv2D(4, 3, strides=2, depth_multiplier=3, activation="tanh", dtype="float64")
    y = sep(x).numpy()
    dw = DepthwiseConv2D(3, strides=2, depth_multiplier=3, use_bias=False, dtype="float64")
    dw.build_from_shape((None, 7, 6, 2))
    dw.kernel.value = sep.depthwise_kernel.value
    pw = Conv2D(4, 1, activation="tanh", dtype="float64")
    pw.build_from_shape((None, 3, 2, 6))
    pw.kernel.value, pw.bias.value = sep.pointwise_kernel.value, sep.bias.value
    np.testing.assert_allclose(y, pw(dw(x)).numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("make,shape", [
    (lambda: DepthwiseConv2D(3, activation="tanh"), (2, 5, 4, 3)),
    (lambda: DepthwiseConv2D((3, 2), strides=2, padding="same", depth_multiplier=2), (2, 7, 6, 2)),
    (lambda: DepthwiseConv2D(2, dilation_rate=2, use_bias=False, depthwise_regularizer="l2"), (1, 6, 6, 2)),
    (lambda: SeparableConv2D(3, 3, padding="same", activation="sigmoid"), (2, 5, 4, 2)),
    (lambda: SeparableConv2D(2, (2, 3), strides=2, depth_multiplier=2, pointwise_regularizer="l1"), (2, 7, 6, 3)),
    (lambda: DepthwiseConv1D(3, padding="same", depth_multiplier=3, activation="tanh"), (2, 6, 2)),
    (lambda: SeparableConv1D(2, 2, strides=2, dilation_rate=1, depth_multiplier=2), (2, 7, 3)),
    (lambda: SeparableConv1D(3, 2, dilation_rate=2, padding="same", use_bias=False), (2, 6, 2)),
])
def test_gradcheck(make, shape):
    report = glassnet.gradcheck(make(), np.random.default_rng(2).normal(size=shape))
    assert report.passed, report


def test_weight_shapes_names_and_counts_are_keras():
    dw = DepthwiseConv2D(3, depth_multiplier=2)
    dw.build_from_shape((None, 8, 8, 4))
    assert [(v.name, v.shape) for v in dw.weights] == [("kernel", (3, 3, 4, 2)), ("bias", (8,))]
    sep = SeparableConv2D(16, 3)
    sep.build_from_shape((None, 8, 8, 4))
    assert [(v.name, v.shape) for v in sep.weights] == [("depthwise_kernel", (3, 3, 4, 1)),
                                                       ("pointwise_kernel", (1, 1, 4, 16)), ("bias", (16,))]
    assert sep.count_params() == 3 * 3 * 4 + 4 * 16 + 16 == sep.count_params_for((None, 8, 8, 4))
    assert sep.compute_output_shape((None, 8, 8, 4)) == (None, 6, 6, 16)


@pytest.mark.parametrize("make,words", [
    (lambda: DepthwiseConv2D(0), "DepthwiseConv2D: kernel_size must be a positive integer"),
    (lambda: DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier must be a positive integer, got 0"),
    (lambda: DepthwiseConv2D(3, strides=(1, 0)), "DepthwiseConv2D: strides must be a positive integer"),
    (lambda: DepthwiseConv2D(3, padding="causal"), "padding must be one of 'valid', 'same', got 'causal'"),
    (lambda: SeparableConv2D(0, 3), "SeparableConv2D: filters must be a positive integer, got 0"),
    (lambda: SeparableConv2D(2, (3, 3, 3)), "kernel_size must be a positive integer or a tuple of 2"),
    (lambda: SeparableConv2D(2, 3, activity_regularizer="l2"), "activity_regularizer is not supported"),
])
def test_bad_arguments_are_named(make, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_inputs_smaller_than_the_kernel_are_refused():
    with pytest.raises(ValueError, match=r"inputs of shape \(None, 2, 5, 3\) are smaller than the kernel \(3, 3\)"):
        DepthwiseConv2D(3).build_from_shape((None, 2, 5, 3))


def test_keras_file_round_trip_and_onnx(tmp_path):
    pytest.importorskip("h5py")
    glassnet.utils.set_random_seed(3)
    model = glassnet.Sequential([
        glassnet.Input(shape=(7, 6, 2)),
        DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="relu", bias_initializer="ones"),
        SeparableConv2D(3, (2, 3), strides=2, depth_multiplier=2, activation="tanh"),
        DepthwiseConv2D(2, use_bias=False),
    ])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(5, 7, 6, 2)).astype("float32")
    model.fit(x, np.zeros((5, 2, 1, 3)), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = glassnet.models.load_model(tmp_path / "m.keras")
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    ort = pytest.importorskip("onnxruntime")
    model.export(tmp_path / "m.onnx")
    got = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"]).run(None, {"inputs": x})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


def test_one_dimensional_forms_match_the_two_dimensional_on_a_single_row():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 7, 3))
    sep1 = SeparableConv1D(4, 3, strides=2, padding="same", depth_multiplier=2, dtype="float64")
    y1 = sep1(x).numpy()
    sep2 = SeparableConv2D(4, (1, 3), strides=(1, 2), padding="same", depth_multiplier=2, dtype="float64")
    sep2.build_from_shape((None, 1, 7, 3))
    sep2.set_weights([w[None] for w in sep1.get_weights()[:2]] + [sep1.get_weights()[2]])
    np.testing.assert_allclose(y1, sep2(x[:, None]).numpy()[:, 0], rtol=1e-12)
    assert [v.shape for v in sep1.weights] == [(3, 3, 2), (1, 6, 4), (4,)]
    assert DepthwiseConv1D(2).get_config()["strides"] == [1]
    with pytest.raises(ValueError, match="DepthwiseConv1D: kernel_size must be a positive integer or a tuple of 1"):
        DepthwiseConv1D((2, 2))


def test_explain_works_out_one_depthwise_output_by_hand():
    import re
    glassnet.utils.set_random_seed(8)
    model = glassnet.Sequential([glassnet.Input(shape=(5, 4, 2)),
                                 DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="relu",
                                                 bias_initializer="random_normal"),
                                 glassnet.layers.Flatten(), glassnet.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(9).random((2, 5, 4, 2)).astype("float32")
    before = model.get_weights()
    e = glassnet.explain(model, x, np.ones((2, 1)))
    line = next(l for l in str(e).splitlines() if "by hand" in l)
    i, j = (int(v) for v in re.search(r"position \((\d+), (\d+)\)", line).groups())
    k, c, m = (int(v) for v in re.search(r"output channel (\d+) \(c=(\d+), m=(\d+)\)", line).groups())
    assert k == 2 * c + m
    window = np.pad(x[0, :, :, c], 1)[i:i + 3, j:j + 3]                 # stride 1, same: one pixel of zeros around
    z = float(np.sum(window * before[0][:, :, c, m]) + before[1][k])
    assert f"= {z:.4g};" in line
    assert np.isclose(e.arrays["A[1]"][0, i, j, k], max(z, 0.0), rtol=1e-5, atol=1e-6)
