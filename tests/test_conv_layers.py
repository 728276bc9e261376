"""Conv1D/Conv2D, pooling, Reshape and BatchNormalization: forward against loops written
the slow obvious way, backward against central differences in float64 (gradcheck), over
strides, paddings, dilations and odd shapes (hypothesis); shapes, parameter counts, bad
arguments, and training through fit."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glassnet
from glassnet.layers import (AveragePooling1D, AveragePooling2D, BatchNormalization, Conv1D, Conv2D, Dense, Flatten,
                             GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
                             MaxPooling1D, MaxPooling2D, Reshape)

FEW = settings(max_examples=12, deadline=None)


# ---------------------------------------------------------------------------------------
# References: one output at a time, straight from the definition
# ---------------------------------------------------------------------------------------
def _pad_amounts(n, k, s, d, padding):
    span = (k - 1) * d + 1
    if padding == "valid":
        return 0, 0, (n - span) // s + 1
    if padding == "causal":
        return span - 1, 0, (n - 1) // s + 1
    out = -(-n // s)
    total = max((out - 1) * s + span - n, 0)
    return total // 2, total - total // 2, out


def reference_conv(x, K, b, strides, padding, dilation):
    """``Z[n, i, j, f] = sum_{a, b, c} Xpad[n, i*s + a*d, j*s + b*d, c] K[a, b, c, f] + b[f]`` (any rank)."""
    rank = x.ndim - 2
    pads, outs = [], []
    for n_, k, s, d in zip(x.shape[1:-1], K.shape[:rank], strides, dilation):
        before, after, out = _pad_amounts(n_, k, s, d, padding)
        pads.append((before, after))
        outs.append(out)
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    z = np.zeros((x.shape[0],) + tuple(outs) + (K.shape[-1],))
    for n in range(x.shape[0]):
        for pos in np.ndindex(*outs):
            for f in range(K.shape[-1]):
                total = b[f] if b is not None else 0.0
                for kpos in np.ndindex(*K.shape[:rank]):
                    at = tuple(p * s + q * d for p, s, q, d in zip(pos, strides, kpos, dilation))
                    total += xp[(n,) + at] @ K[kpos][:, f]
                z[(n,) + pos + (f,)] = total
    return z


def reference_pool(x, pool, strides, padding, kind):
    rank = x.ndim - 2
    pads, outs = [], []
    for n_, k, s in zip(x.shape[1:-1], pool, strides):
        before, after, out = _pad_amounts(n_, k, s, 1, padding)
        pads.append((before, after))
        outs.append(out)
    y = np.zeros((x.shape[0],) + tuple(outs) + (x.shape[-1],))
    for pos in np.ndindex(*outs):
        index = [slice(None)]
        for p, s, k, (before, _), n_ in zip(pos, strides, pool, pads, x.shape[1:-1]):
            lo = p * s - before
            index.append(slice(max(lo, 0), min(lo + k, n_)))      # only the real pixels of the window
        window = x[tuple(index)]
        axes = tuple(range(1, rank + 1))
        y[(slice(None),) + pos] = window.max(axis=axes) if kind == "max" else window.mean(axis=axes)
    return y


# ---------------------------------------------------------------------------------------
# Convolutions
# ---------------------------------------------------------------------------------------
conv2d_cases = st.fixed_dictionaries({
    "h": st.integers(3, 8), "w": st.integers(3, 8), "c": st.integers(1, 3), "filters": st.integers(1, 3),
    "kh": st.integers(1, 3), "kw": st.integers(1, 4), "stride": st.sampled_from([(1, 1), (2, 2), (2, 3), (1, 2)]),
    "padding": st.sampled_from(["valid", "same"]), "dilation": st.sampled_from([(1, 1), (2, 1), (2, 2)]),
    "activation": st.sampled_from([None, "tanh", "sigmoid"]), "use_bias": st.booleans(),
})


def _conv2d(case):
    stride, dilation = case["stride"], case["dilation"]
    if stride != (1, 1):
        dilation = (1, 1)                 # Keras refuses both at once
    span = [(k - 1) * d + 1 for k, d in zip((case["kh"], case["kw"]), dilation)]
    if case["padding"] == "valid" and (span[0] > case["h"] or span[1] > case["w"]):
        return None, None
    layer = Conv2D(case["filters"], (case["kh"], case["kw"]), strides=stride, padding=case["padding"],
                   dilation_rate=dilation, activation=case["activation"], use_bias=case["use_bias"],
                   bias_initializer="random_normal")
    x = np.random.default_rng(case["h"] * 10 + case["w"]).normal(size=(2, case["h"], case["w"], case["c"]))
    return layer, x


@FEW
@given(conv2d_cases)
def test_conv2d_forward_is_the_windowed_sum(case):
    layer, x = _conv2d(case)
    if layer is None:
        return
    layer.dtype = np.dtype("float64")
    a = layer(x)
    z = reference_conv(x, layer.kernel.value, layer.bias.value if layer.use_bias else None,
                       layer.strides, layer.padding, layer.dilation_rate)
    np.testing.assert_allclose(layer.z, z, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a, layer.activation(z), rtol=1e-10, atol=1e-12)
    assert a.shape[1:] == layer.compute_output_shape((None,) + x.shape[1:])[1:]


@FEW
@given(conv2d_cases)
def test_conv2d_gradcheck(case):
    layer, x = _conv2d(case)
    if layer is None:
        return
    report = glassnet.gradcheck(layer, x, max_entries=60)
    assert report.passed, str(report)


@FEW
@given(st.integers(4, 9), st.integers(1, 4), st.sampled_from([1, 2, 3]),
       st.sampled_from(["valid", "same", "causal"]), st.sampled_from([1, 2]))
def test_conv1d_forward_and_gradcheck(steps, k, stride, padding, dilation):
    if stride > 1:
        dilation = 1
    if padding == "valid" and (k - 1) * dilation + 1 > steps:
        return
    layer = Conv1D(2, k, strides=stride, padding=padding, dilation_rate=dilation, activation="tanh",
                   dtype="float64", bias_initializer="random_normal")
    x = np.random.default_rng(steps).normal(size=(2, steps, 3))
    a = layer(x)
    z = reference_conv(x, layer.kernel.value, layer.bias.value, layer.strides, padding, layer.dilation_rate)
    np.testing.assert_allclose(a, np.tanh(z), rtol=1e-10, atol=1e-12)
    assert glassnet.gradcheck(layer, x, max_entries=60).passed


def test_same_padding_puts_the_odd_pixel_at_the_bottom_right():
    # a 4x4 input, 2x2 kernel of ones, stride 1, "same": TensorFlow pads 0 before and 1 after,
    # so the output at (3, 3) sees only x[3, 3] (plus three zeros)
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    layer = Conv2D(1, 2, padding="same", kernel_initializer="ones", use_bias=False, dtype="float64")
    y = layer(x)[0, :, :, 0]
    assert y[0, 0] == 0 + 1 + 4 + 5
    assert y[3, 3] == 15
    assert y[3, 0] == 12 + 13


def test_conv_weights_have_keras_layout_and_counts():
    layer = Conv2D(32, (3, 5), input_shape=(28, 28, 3))
    assert layer.count_params_for((None, 28, 28, 3)) == 3 * 5 * 3 * 32 + 32
    layer.build_from_shape((None, 28, 28, 3))
    assert layer.kernel.shape == (3, 5, 3, 32) and layer.bias.shape == (32,)
    assert layer.count_params() == layer.count_params_for((None, 28, 28, 3))
    assert Conv1D(4, 3, use_bias=False).count_params_for((None, 10, 2)) == 3 * 2 * 4


@pytest.mark.parametrize("make, message", [
    (lambda: Conv2D(0, 3), "filters"),
    (lambda: Conv2D(4, (3,)), "kernel_size"),
    (lambda: Conv2D(4, 3, strides=0), "strides"),
    (lambda: Conv2D(4, 3, padding="full"), "padding"),
    (lambda: Conv1D(4, 3, padding="causal").__class__(4, 3, padding="circular"), "padding"),
    (lambda: Conv2D(4, 3, padding="causal"), "padding"),
    (lambda: Conv2D(4, 3, data_format="channels_first"), "data_format"),
    (lambda: Conv2D(4, 3, strides=2, dilation_rate=2), "dilation_rate"),
    (lambda: Conv2D(4, 3, groups=2), "groups"),
    (lambda: MaxPooling2D(pool_size=(2, 0)), "pool_size"),
    (lambda: Reshape((2, -1, -1)), "-1"),
    (lambda: Reshape("ab"), "target_shape"),
    (lambda: BatchNormalization(momentum=1.5), "momentum"),
    (lambda: BatchNormalization(axis=(1, 2)), "axis"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_input_shapes_are_explained_and_leave_the_model_unbuilt():
    model = glassnet.Sequential([Conv2D(2, 3), Flatten(), Dense(1)])
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="4 dimensions"):
        model.fit(np.zeros((4, 8, 8)), np.zeros(4), verbose=0)
    with pytest.raises(ValueError, match="smaller than the kernel"):
        model.fit(np.zeros((4, 2, 8, 1)), np.zeros(4), verbose=0)
    assert not model.built and not model.layers[0].built
    with pytest.raises(ValueError, match="Reshape"):
        glassnet.Sequential([glassnet.Input(shape=(10,)), Reshape((3, 3))])


# ---------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------
@FEW
@given(st.integers(2, 7), st.integers(2, 7), st.sampled_from([(2, 2), (3, 3), (2, 3), (1, 2)]),
       st.sampled_from([None, (1, 1), (2, 1), (3, 2)]), st.sampled_from(["valid", "same"]),
       st.sampled_from(["max", "average"]))
def test_pooling_forward_and_gradcheck(h, w, pool, strides, padding, kind):
    if padding == "valid" and (pool[0] > h or pool[1] > w):
        return
    cls = MaxPooling2D if kind == "max" else AveragePooling2D
    layer = cls(pool, strides=strides, padding=padding, dtype="float64")
    x = np.random.default_rng(h * 7 + w).normal(size=(2, h, w, 2))     # continuous: no ties
    y = layer(x)
    np.testing.assert_allclose(y, reference_pool(x, pool, layer.strides, padding, kind), rtol=1e-12)
    assert glassnet.gradcheck(layer, x).passed


def test_max_pooling_sends_the_gradient_to_the_winner_only():
    x = np.array([[1., 5., 0., 2.], [3., 4., 7., 1.], [0., 0., 1., 1.], [9., 0., 1., 2.]]).reshape(1, 4, 4, 1)
    layer = MaxPooling2D(2, dtype="float64")
    assert layer(x)[0, :, :, 0].tolist() == [[5, 7], [9, 2]]
    dx = layer.backward(np.array([[10., 20.], [30., 40.]]).reshape(1, 2, 2, 1))[0, :, :, 0]
    assert dx.tolist() == [[0, 10, 0, 0], [0, 0, 20, 0], [0, 0, 0, 0], [30, 0, 0, 40]]
    # a tie: the first position (row-major) of the window wins, as TensorFlow
    tie = MaxPooling2D(2, dtype="float64")
    tie(np.ones((1, 2, 2, 1)))
    assert tie.backward(np.ones((1, 1, 1, 1)))[0, :, :, 0].tolist() == [[1, 0], [0, 0]]


def test_average_pooling_same_counts_only_real_pixels():
    x = np.ones((1, 3, 3, 1))
    y = AveragePooling2D(2, padding="same", dtype="float64")(x)
    assert y.shape == (1, 2, 2, 1) and np.allclose(y, 1.0)        # padding does not dilute the mean


@pytest.mark.parametrize("layer, shape, out", [
    (GlobalAveragePooling2D(), (2, 5, 4, 3), (2, 3)),
    (GlobalMaxPooling2D(), (2, 5, 4, 3), (2, 3)),
    (GlobalAveragePooling2D(keepdims=True), (2, 5, 4, 3), (2, 1, 1, 3)),
    (GlobalMaxPooling2D(keepdims=True), (2, 5, 4, 3), (2, 1, 1, 3)),
    (GlobalAveragePooling1D(), (2, 6, 3), (2, 3)),
    (GlobalMaxPooling1D(), (2, 6, 3), (2, 3)),
    (MaxPooling1D(3, strides=2, padding="same"), (2, 7, 3), (2, 4, 3)),
    (AveragePooling1D(2), (2, 7, 3), (2, 3, 3)),
    (Reshape((-1, 2)), (2, 6, 2), (2, 6, 2)),
    (Reshape((4, 3)), (2, 2, 6), (2, 4, 3)),
])
def test_other_layers_shapes_and_gradcheck(layer, shape, out):
    x = np.random.default_rng(0).normal(size=shape)
    assert layer(x).shape == out
    assert layer.compute_output_shape((None,) + shape[1:]) == (None,) + out[1:]
    assert layer.count_params_for((None,) + shape[1:]) == 0
    assert glassnet.gradcheck(layer, x).passed


def test_global_max_pooling_shares_the_gradient_among_ties():
    layer = GlobalMaxPooling2D(dtype="float64")
    layer(np.array([[[[2.], [2.]], [[1.], [0.]]]]))
    assert layer.backward(np.array([[6.0]]))[0, :, :, 0].tolist() == [[3, 3], [0, 0]]


# ---------------------------------------------------------------------------------------
# BatchNormalization
# ---------------------------------------------------------------------------------------
def _bn_training_gradcheck(layer, x, eps=1e-6):
    """Central differences of sum(G * bn(x, training=True)) (the batch's statistics move with x)."""
    G = np.random.default_rng(1).normal(size=x.shape)

    def f():
        saved = [v.value.copy() for v in layer.non_trainable_weights]
        value = float(np.sum(G * layer.forward(x, training=True)))
        for v, s in zip(layer.non_trainable_weights, saved):
            v.value = s
        return value

    f()
    layer.forward(x, training=True)
    dx = layer.backward(G, True)
    analytic = [dx] + [v.grad.copy() for v in layer.trainable_weights]
    for arr, grad in zip([x] + [v.value for v in layer.trainable_weights], analytic):
        flat = arr.reshape(-1)
        for i in range(0, flat.size, max(1, flat.size // 40)):
            old = flat[i]
            flat[i] = old + eps
            up = f()
            flat[i] = old - eps
            down = f()
            flat[i] = old
            assert abs((up - down) / (2 * eps) - grad.reshape(-1)[i]) <= 1e-6 + 1e-5 * abs(grad.reshape(-1)[i])


@pytest.mark.parametrize("shape, kwargs", [((6, 4, 3, 2), {}), ((5, 3), {"scale": False}),
                                           ((4, 3, 5), {"axis": 1, "center": False})])
def test_batch_normalization_training_gradients(shape, kwargs):
    layer = BatchNormalization(dtype="float64", gamma_initializer="random_normal", beta_initializer="random_normal",
                               **kwargs)
    x = np.random.default_rng(0).normal(2.0, 3.0, size=shape)
    layer.build_from_shape((None,) + shape[1:])
    _bn_training_gradcheck(layer, x)
    # and inference mode, through glassnet.gradcheck (it runs layers with training=False)
    layer.moving_mean.value = np.random.default_rng(2).normal(size=layer.moving_mean.shape)
    assert glassnet.gradcheck(layer, x).passed


def test_batch_normalization_statistics_move_in_training_only():
    x = np.random.default_rng(0).normal(5.0, 2.0, size=(32, 3))
    bn = BatchNormalization(momentum=0.9, dtype="float64")
    y = bn(x, training=True)
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-12)                     # the batch's statistics
    np.testing.assert_allclose(y.var(0), x.var(0) / (x.var(0) + 1e-3), rtol=1e-12)
    np.testing.assert_allclose(bn.moving_mean.value, 0.1 * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(bn.moving_variance.value, 0.9 + 0.1 * x.var(0), rtol=1e-12)
    before = [w.copy() for w in bn.get_weights()]
    y_inf = bn(x, training=False)                                              # the moving statistics
    np.testing.assert_allclose(y_inf, (x - bn.moving_mean.value) / np.sqrt(bn.moving_variance.value + 1e-3))
    assert all(np.array_equal(a, b) for a, b in zip(before, bn.get_weights()))
    bn.trainable = False                                                       # frozen: inference even in fit
    bn(x, training=True)
    assert all(np.array_equal(a, b) for a, b in zip(before, bn.get_weights()))


def test_batch_normalization_weights_and_defaults_are_keras():
    bn = BatchNormalization()
    assert (bn.momentum, bn.epsilon, bn.axis) == (0.99, 1e-3, -1)
    bn.build_from_shape((None, 4, 4, 3))
    assert [v.name for v in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [v.name for v in bn.trainable_weights] == ["gamma", "beta"]
    assert bn.count_params_for((None, 4, 4, 3)) == 12
    assert BatchNormalization(center=False).count_params_for((None, 3)) == 9


# ---------------------------------------------------------------------------------------
# Training through fit
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("middle", [
    [Conv2D(3, 3, padding="same", activation="relu")],
    [Conv2D(3, 2, strides=2, dilation_rate=1), MaxPooling2D(2, padding="same")],
    [Conv2D(3, 3, dilation_rate=2, padding="same"), AveragePooling2D(3, strides=2)],
    [Conv2D(3, 3), BatchNormalization(), GlobalAveragePooling2D()],
    [Conv2D(3, 3), GlobalMaxPooling2D()],
    [Reshape((36, 2)), Conv1D(3, 3, padding="causal"), MaxPooling1D(), AveragePooling1D(2), GlobalAveragePooling1D()],
    [Reshape((36, 2)), Conv1D(2, 4, strides=2), GlobalMaxPooling1D()],
], ids=["conv", "conv-maxpool", "dilated-avgpool", "bn-gap", "gmp", "conv1d-pools", "conv1d-gmp"])
def test_every_layer_trains_through_fit_and_moves_its_weights(middle):
    glassnet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6, 6, 2)).astype(np.float32)
    y = (x[:, :3].mean(axis=(1, 2, 3)) > x[:, 3:].mean(axis=(1, 2, 3))).astype(np.float32)
    model = glassnet.Sequential([glassnet.Input(shape=(6, 6, 2))] + middle + [Flatten(), Dense(1, activation="sigmoid")])
    model.compile(optimizer=glassnet.optimizers.Adam(0.02), loss="binary_crossentropy")
    before = model.get_weights()
    history = model.fit(x, y, epochs=8, batch_size=8, verbose=0)
    after = model.get_weights()
    for v, b, a in zip(model.weights, before, after):
        assert not np.array_equal(a, b), f"{v.path} did not move"
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert glassnet.gradcheck(model, x[:4].astype(np.float64), y[:4], max_entries=40).passed


def test_trace_records_the_convolution():
    model = glassnet.Sequential([glassnet.Input(shape=(5, 5, 1)), Conv2D(2, 3, activation="relu", name="conv"),
                                 Flatten(), Dense(1)])
    model.compile(loss="mse")
    trace = glassnet.callbacks.Trace()
    model.fit(np.random.default_rng(0).random((8, 5, 5, 1)), np.zeros(8), epochs=2, verbose=0, callbacks=[trace])
    assert trace.history[f"grad_norm/{model.name}/conv/kernel"].shape == (2,)
    assert "dead/conv" in trace.history
