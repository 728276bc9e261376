"""glassnet.fast.conv gives the readable path's numbers: each compiled pass against the NumPy
lines it replaces (``glassnet.config.set_kernels("numpy")`` turns it off), bit for bit
where the order of operations is the same, and a convnet trained both ways ends with the
same weights. Where the order is not the same (a 9-number window computed directly, the
kernel gradient summed block by block) the numbers are within 1e-6 of the size of the terms
summed, and a convnet trains to weights within rounding of the readable path's."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import fast
from glassnet.fast import conv as fast_conv
from glassnet.layers import Conv2D, MaxPooling2D
from glassnet.layers.conv import extract_patches, scatter_patches

pytest.importorskip("numba")        # the fast path exists only with numba (the `speed` extra)


@pytest.fixture
def readable():
    """Run the body with the NumPy lines only, then give the choice back."""
    before = fast.kernels()
    fast.set_kernels("numpy")
    yield
    fast.set_kernels(before)


def _both(fn):
    """``fn()`` on the fast path, then with the readable lines only."""
    before = fast.kernels()
    try:
        fast.set_kernels("numba")                # numba at any size (auto: from 2**18 numbers)
        a = fn()
        fast.set_kernels("numpy")
        b = fn()
    finally:
        fast.set_kernels(before)
    return a, b


def _images(shape, seed=0, ties=True):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    if ties:                                     # relu-like zeros: ties inside pooling windows
        x[x < 0.3] = 0.0
    return x


def test_fast_path_is_taken_and_off_under_numpy_kernels(readable):
    assert fast_conv.relu_backward(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32)) is None
    fast.set_kernels("auto")
    out = fast_conv.relu_backward(np.array([[-1.0, 2.0]], np.float32), np.array([[5.0, 7.0]], np.float32))
    assert out.tolist() == [[0.0, 7.0]]


@pytest.mark.parametrize("strides,dilation,c", [((1, 1), (1, 1), 1), ((1, 1), (1, 1), 5), ((2, 3), (1, 1), 3),
                                                ((1, 1), (2, 3), 2)])
def test_patches_and_their_transpose_match_the_views(strides, dilation, c, readable):
    x = _images((3, 11, 12, c), seed=1, ties=False)
    kernel = (3, 2)
    view = extract_patches(x, kernel, strides, dilation)
    reuse = np.full((view.shape[0] * view.shape[1] * view.shape[2], 6 * c), np.nan, np.float32)
    fast.set_kernels("auto")
    P = fast_conv.extract_patches(x, kernel, strides, dilation, reuse=reuse)
    assert P is reuse                                          # the buffer was reused, not reallocated
    np.testing.assert_array_equal(P, view.reshape(-1, 6 * c))
    dp = _images(view.shape, seed=2, ties=False)
    np.testing.assert_array_equal(fast_conv.scatter_patches(dp, x.shape, strides, dilation),
                                  scatter_patches(dp, x.shape, strides, dilation))


def test_pooling_forward_and_backward_bit_for_bit():
    x = _images((4, 11, 9, 6), seed=3)                         # odd sizes: the last row/column is dropped
    x[0, 0, 0, 0] = x[0, 0, 1, 0] = 7.0                       # a tie: the first position wins
    x[1, 2, 2, 1] = np.nan                                     # NaN propagates, as np.maximum
    pool = MaxPooling2D(2)
    g = _images((4, 5, 4, 6), seed=4, ties=False)

    def run():
        passes = fast_conv.LayerPasses()                       # as the fast step runs a layer
        y = passes.forward(pool, x.copy(), training=True)
        return id(pool) in passes.took, y, passes.backward(pool, g)
    (fast1, y1, d1), (fast0, y0, d0) = _both(run)
    assert fast1 and not fast0
    np.testing.assert_array_equal(y1, y0)
    np.testing.assert_array_equal(d1, d0)
    assert d1[0, 0, 0, 0] == g[0, 0, 0, 0] and d1[0, 0, 1, 0] == 0.0


def test_relu_bias_and_its_gradients_bit_for_bit(readable):
    z = _images((300, 7), seed=5, ties=False)
    b = _images((7,), seed=6, ties=False)
    g = _images((300, 7), seed=7, ties=False)
    z_fast = z.copy()
    fast.set_kernels("auto")
    a = fast_conv.add_bias_relu(z_fast, b)
    np.testing.assert_array_equal(z_fast, z + b)
    np.testing.assert_array_equal(a, np.maximum(z + b, 0))
    np.testing.assert_array_equal(fast_conv.relu_backward(z, g), g * (z > 0))
    np.testing.assert_array_equal(fast_conv.bias_gradient(g), np.add.reduce(g, axis=0))
    from glassnet.fast import _numba_conv as _fast_conv_numba
    dz, db = np.empty_like(g), np.empty(7, np.float32)
    _fast_conv_numba.relu_backward_bias(z, g, dz, db)
    np.testing.assert_array_equal(dz, g * (z > 0))
    np.testing.assert_array_equal(db, np.add.reduce(g * (z > 0), axis=0))
    db_blocks = np.full(7, np.nan, np.float32)             # three blocks of rows: the same sum, same order
    for start, fresh in ((0, True), (100, False), (170, False)):
        stop = {0: 100, 100: 170, 170: 300}[start]
        _fast_conv_numba.relu_backward_bias(z[start:stop], g[start:stop], dz[start:stop], db_blocks, fresh)
    np.testing.assert_array_equal(db_blocks, db)


@pytest.mark.parametrize("padding,strides", [("valid", 1), ("same", 2)])
def test_conv2d_layer_same_numbers_both_ways(padding, strides):
    x = _images((3, 9, 8, 4), seed=8, ties=False)
    conv = Conv2D(5, 3, strides=strides, padding=padding, activation="relu")
    conv.build(x.shape)
    conv.kernel.value[...] = _images(conv.kernel.shape, seed=9, ties=False)
    conv.bias.value[...] = _images((5,), seed=10, ties=False) * 0.1

    def run():
        passes = fast_conv.LayerPasses()
        a = passes.forward(conv, x, training=True)
        dx = passes.backward(conv, np.cos(a))
        return id(conv) in passes.took, a.copy(), dx, conv.kernel.grad.copy(), conv.bias.grad.copy()
    (took_fast, *fast_run), (took_slow, *slow_run) = _both(run)
    assert took_fast and not took_slow
    for f, s in zip(fast_run, slow_run):
        np.testing.assert_array_equal(f, s)


def _train_convnet(shape, filters, block=None):
    """Weights and losses of a small convnet fitted both ways (numba's passes, the readable lines)."""
    rng = np.random.default_rng(11)
    x = rng.random((64,) + shape, dtype=np.float32)
    y = glassnet.utils.to_categorical(rng.integers(0, 10, 64), 10)

    def train():
        glassnet.utils.set_random_seed(0)
        m = glassnet.Sequential([glassnet.Input(shape=shape),
                                 Conv2D(filters[0], 3, activation="relu"), MaxPooling2D(2),
                                 Conv2D(filters[1], 3, activation="relu"), MaxPooling2D(2),
                                 glassnet.layers.Flatten(), glassnet.layers.Dense(10, activation="softmax")])
        m.compile(loss="categorical_crossentropy", optimizer="adam")
        h = m.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
        return h.history["loss"], m.get_weights()
    return _both(train)


@pytest.mark.parametrize("filters", [(8, 16), (32, 64)])     # (32, 64): Keras's sizes
def test_a_convnet_on_two_channels_trains_to_the_same_weights(filters):
    # 3 x 3 x 2 windows: no direct pass, and each layer's patches in one block: bit for bit
    (loss1, w1), (loss0, w0) = _train_convnet((14, 14, 2), filters)
    assert loss1 == loss0
    for a, b in zip(w1, w0):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("filters", [(8, 16), (32, 64)])
def test_the_simple_mnist_convnet_trains_to_the_readable_weights_within_rounding(filters, monkeypatch):
    # one channel: the first layer's 3 x 3 x 1 windows computed directly; blocks of 2 images for the
    # second layer's patches: the order of some additions differs, 16 steps of Adam keep it small
    monkeypatch.setattr(fast_conv, "_BLOCK", 2 * 16 * 9 * filters[0])
    (loss1, w1), (loss0, w0) = _train_convnet((14, 14, 1), filters)
    np.testing.assert_allclose(loss1, loss0, rtol=1e-5)
    for a, b in zip(w1, w0):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert any(not np.array_equal(a, b) for a, b in zip(w1, w0))     # (the direct pass did run)


def test_layers_not_covered_keep_the_readable_path(readable):
    fast.set_kernels("numba")
    x = _images((2, 7, 7, 3), seed=12)
    passes = fast_conv.LayerPasses()
    pool = MaxPooling2D(3, strides=2)                          # overlapping windows
    passes.forward(pool, x, training=True)
    conv1d = glassnet.layers.Conv1D(4, 3)
    conv1d.build((None,) + x[:, 0].shape[1:])
    passes.forward(conv1d, x[:, 0], training=True)
    assert not passes.took                                     # both ran their own forward
    np.testing.assert_array_equal(passes.backward(pool, np.ones_like(pool.y)).sum(), pool.y.size)


def test_a_replaced_method_takes_the_readable_pass(readable, monkeypatch):
    fast.set_kernels("numba")
    x = _images((2, 8, 8, 3), seed=12)
    calls = []
    original = MaxPooling2D.forward
    monkeypatch.setattr(MaxPooling2D, "forward", lambda self, x, training=False: calls.append(1) or original(self, x, training))
    passes = fast_conv.LayerPasses()
    passes.forward(MaxPooling2D(2), x, training=True)
    assert calls == [1] and not passes.took


def test_auto_uses_numba_only_for_large_arrays(readable):
    fast.set_kernels("auto")
    small, large = _images((2, 8, 8, 3)), _images((64, 32, 32, 4))
    pool, passes = MaxPooling2D(2), fast_conv.LayerPasses()
    passes.forward(pool, small)
    assert not passes.took
    passes.forward(pool, large)
    assert id(pool) in passes.took


@pytest.mark.parametrize("kernel,strides,padding,dilation,activation", [
    (3, 1, "valid", 1, "relu"), ((3, 2), (2, 1), "same", 1, "relu"), (2, 1, "same", (2, 1), "tanh"),
    (3, 2, "valid", 1, None)])
def test_gradcheck_in_float64_on_the_fast_path(kernel, strides, padding, dilation, activation, readable):
    fast.set_kernels("numba")
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 7, 8, 3))
    conv = Conv2D(4, kernel, strides=strides, padding=padding, dilation_rate=dilation, activation=activation)
    conv(x.astype(np.float32))
    passes, x32 = fast_conv.LayerPasses(), x.astype(np.float32)  # the twin gives the readable numbers,
    a = passes.forward(conv, x32, training=True).copy()           # and those pass the gradcheck
    assert id(conv) in passes.took
    g = np.cos(a)
    dx_fast, dk_fast = passes.backward(conv, g), conv.kernel.grad.copy()
    np.testing.assert_array_equal(a, conv.forward(x32, training=True))
    np.testing.assert_array_equal(dx_fast, conv.backward(g))
    np.testing.assert_array_equal(dk_fast, conv.kernel.grad)
    assert glassnet.gradcheck(conv, x, max_entries=80).passed
    pool = MaxPooling2D(2)
    assert glassnet.gradcheck(pool, rng.permutation(2 * 7 * 8 * 3).reshape(2, 7, 8, 3) / 10.0).passed


def _within_rounding(fast, readable, scale, rel=1e-6):
    """``|fast - readable| <= rel * scale`` entry by entry, ``scale`` the sum of the sizes of the
    terms each entry adds up (float32 rounds each addition by 6e-8 of them)."""
    assert fast.shape == readable.shape and fast.dtype == readable.dtype
    excess = np.abs(fast.astype(np.float64) - readable) - rel * scale
    assert excess.max() <= 0, f"off by {excess.max():.3g} beyond rounding"


@pytest.mark.parametrize("shape,kernel,strides,dilation,padding,bias,activation", [
    ((4, 28, 28, 1), 3, 1, 1, "valid", True, "relu"),          # the MNIST convnet's first layer
    ((3, 13, 11, 1), 3, 2, 1, "same", True, "relu"),
    ((3, 12, 12, 1), 3, 1, 2, "valid", False, "relu"),
    ((2, 10, 9, 9), 1, 1, 1, "valid", True, "tanh"),           # 1 x 1 x 9: nine numbers a window too
    ((2, 9, 9, 3), (3, 1), 1, 1, "same", True, None)])
def test_nine_number_windows_are_computed_directly_within_rounding(shape, kernel, strides, dilation, padding,
                                                                    bias, activation):
    x = _images(shape, seed=20, ties=False)
    conv = Conv2D(16, kernel, strides=strides, dilation_rate=dilation, padding=padding, use_bias=bias,
                  activation=activation)
    conv.build(x.shape)
    conv.kernel.value[...] = _images(conv.kernel.shape, seed=21, ties=False)
    if bias:
        conv.bias.value[...] = _images((16,), seed=22, ties=False)
    assert fast_conv._taps(conv, shape[-1]) is not None
    g = np.cos(conv.forward(x, training=True))                    # the same dJ/dA both ways

    def run():
        passes = fast_conv.LayerPasses()
        a = passes.forward(conv, x, training=True)
        z = conv.z.copy()
        dx = passes.backward(conv, g)
        return id(conv) in passes.took, z, a.copy(), dx, conv.kernel.grad.copy(), conv.patches
    (took, z1, a1, dx1, dk1, p1), (slow, z0, a0, dx0, dk0, p0) = _both(run)
    assert took and not slow and p1 is None                      # no patch matrix kept
    k2 = np.abs(conv.kernel.value.reshape(9, 16).astype(np.float64))
    scale = np.abs(p0).astype(np.float64) @ k2 + (np.abs(conv.bias.value) if bias else 0)
    _within_rounding(z1, z0, scale.reshape(z0.shape))
    assert not np.array_equal(z1, z0)                            # (not the readable pass in disguise)
    if activation == "relu":
        np.testing.assert_array_equal(a1, np.maximum(z1, 0))
        assert np.array_equal(z1 > 0, z0 > 0)                    # the same units on: the same dZ,
        np.testing.assert_array_equal(dk1, dk0)                  # and the whole P.T dZ: bit for bit
        np.testing.assert_array_equal(dx1, dx0)
    else:                                                        # dZ from g'(z) of a z within rounding
        np.testing.assert_allclose(dk1, dk0, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(dx1, dx0, rtol=1e-5, atol=1e-5)


def test_the_direct_pass_keeps_nan_and_signs_as_the_readable_relu():
    x = _images((1, 5, 5, 1), seed=23, ties=False)
    x[0, 2, 2, 0] = np.nan
    conv = Conv2D(4, 3, activation="relu")
    conv.build(x.shape)
    conv.kernel.value[...] = _images(conv.kernel.shape, seed=24, ties=False)

    def run():
        passes = fast_conv.LayerPasses()
        return passes.forward(conv, x, training=True).copy()
    a1, a0 = _both(run)
    np.testing.assert_array_equal(np.isnan(a1), np.isnan(a0))     # every window over the NaN
    assert np.isnan(a1).sum() == 9 * 4
    np.testing.assert_allclose(a1[~np.isnan(a1)], a0[~np.isnan(a0)], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("strides,padding,need", [(1, "valid", True), (2, "same", True), (1, "valid", False)])
def test_wide_patches_in_blocks_within_rounding(strides, padding, need, monkeypatch):
    # 3 x 3 x 8 windows (72 numbers), blocks of at most 3 images of 5 (of even sizes: 2 and 3)
    x = _images((5, 9, 10, 8), seed=25, ties=False)
    conv = Conv2D(12, 3, strides=strides, padding=padding, activation="relu")
    conv.build(x.shape)
    conv.kernel.value[...] = _images(conv.kernel.shape, seed=26, ties=False) * 0.3
    conv.bias.value[...] = _images((12,), seed=27, ties=False) * 0.1
    g = None

    def run():
        nonlocal g
        passes = fast_conv.LayerPasses()
        a = passes.forward(conv, x, training=True)
        g = np.cos(3 * a) if g is None else g
        dx = passes.backward(conv, g, need)
        return id(conv) in passes.took, conv.z.copy(), dx, conv.kernel.grad.copy(), conv.bias.grad.copy(), conv.patches
    rows = len(range(0, 9 + (padding == "same") * 2 - 2, strides)) * len(range(0, 10 + (padding == "same") * 2 - 2, strides))
    monkeypatch.setattr(fast_conv, "_BLOCK", 3 * rows * 72)
    fast.set_kernels("numba")
    assert fast_conv._per_block(conv, 5, conv.compute_output_shape(x.shape)[1] * conv.compute_output_shape(x.shape)[2], 72) == 3
    (took, z1, dx1, dk1, db1, p1), (slow, z0, dx0, dk0, db0, p0) = _both(run)
    assert took and not slow and p1 is None
    P = np.abs(p0.astype(np.float64))
    _within_rounding(z1, z0, (P @ np.abs(conv.kernel.value.reshape(72, 12)) + np.abs(conv.bias.value)).reshape(z0.shape))
    dz = np.abs((g * (z0 > 0)).reshape(-1, 12).astype(np.float64))
    _within_rounding(dk1, dk0, (P.T @ dz).reshape(dk0.shape))
    np.testing.assert_array_equal(db1, db0)                        # rows in order, block after block
    if need:
        scale = scatter_patches((dz @ np.abs(conv.kernel.value.reshape(72, 12)).T).reshape(
            conv.z.shape[:3] + (3, 3, 8)), conv.padded_shape, conv.strides, conv.dilation_rate)
        from glassnet.layers.conv import crop
        _within_rounding(dx1, dx0, crop(scale, conv.pads))
    else:
        assert dx1 is None and dx0 is None


def test_blocks_and_the_direct_pass_in_float64_pass_the_gradcheck(monkeypatch):
    monkeypatch.setattr(fast_conv, "_BLOCK", 2 * 25 * 36)
    rng = np.random.default_rng(28)
    for c, filters in ((1, 5), (4, 3)):                 # 3 x 3 x 1: direct; 3 x 3 x 4 (36 numbers): blocks
        x = rng.standard_normal((5, 7, 7, c))
        conv = Conv2D(filters, 3, activation="tanh", dtype="float64")
        conv(x)
        g = np.cos(conv.forward(x, training=True))
        dx0 = conv.backward(g)
        dk0, db0 = conv.kernel.grad.copy(), conv.bias.grad.copy()
        before = fast.kernels()
        fast.set_kernels("numba")
        try:
            passes = fast_conv.LayerPasses()
            a = passes.forward(conv, x, training=True)
            assert id(conv) in passes.took and conv.patches is None
            dx1 = passes.backward(conv, g)
        finally:
            fast.set_kernels(before)
        np.testing.assert_allclose(a, np.tanh(conv.z), rtol=0, atol=0)
        np.testing.assert_allclose(dx1, dx0, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(conv.kernel.grad, dk0, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(conv.bias.grad, db0, rtol=1e-14)    # (tanh's dZ from a z within rounding)
        assert glassnet.gradcheck(conv, x, max_entries=60).passed
