"""glassnet.fast.conv gives the readable path's numbers: each compiled pass against the NumPy
lines it replaces (``glassnet.config.set_kernels("numpy")`` turns it off), bit for bit
where the order of operations is the same, and a convnet trained both ways ends with the
same weights."""
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


@pytest.mark.parametrize("filters", [(8, 16), (32, 64)])     # (32, 64): Keras's sizes
def test_simple_mnist_convnet_trains_to_the_same_weights(filters):
    rng = np.random.default_rng(11)
    x = rng.random((64, 14, 14, 1), dtype=np.float32)
    y = glassnet.utils.to_categorical(rng.integers(0, 10, 64), 10)

    def train():
        glassnet.utils.set_random_seed(0)
        m = glassnet.Sequential([glassnet.Input(shape=(14, 14, 1)),
                                 Conv2D(filters[0], 3, activation="relu"), MaxPooling2D(2),
                                 Conv2D(filters[1], 3, activation="relu"), MaxPooling2D(2),
                                 glassnet.layers.Flatten(), glassnet.layers.Dense(10, activation="softmax")])
        m.compile(loss="categorical_crossentropy", optimizer="adam")
        h = m.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
        return h.history["loss"], m.get_weights()
    (loss1, w1), (loss0, w0) = _both(train)
    assert loss1 == loss0
    for a, b in zip(w1, w0):
        np.testing.assert_array_equal(a, b)


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
