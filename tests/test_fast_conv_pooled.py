"""A relu Conv2D followed by a MaxPooling2D whose windows tile its output (strides = pool size,
"valid"): on the fast path the conv's backward makes dJ/dZ straight from the pooling's arrays
(the pooled gradient, the winners, the maxima; ``glassnet.fast.conv.max_pool2d_backward`` and
``_numba_conv.pooled_relu_backward_bias``), and for a direct 9-number first layer the pooling's
dX is not written at all (a NaN placeholder only that conv takes). dZ and db are the readable
path's numbers bit for bit (the same terms added in the same order); the direct layer's dK is a
sum of block products: within 1e-6 of the size of the terms summed. Anything else (another
layer between, a conv whose output changed since, a gradient not the pooling's) takes the plain
path."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import fast
from glassnet.fast import conv as fast_conv
from glassnet.fast import threads
from glassnet.layers import Conv2D, MaxPooling2D

pytest.importorskip("numba")
from glassnet.fast import _numba_conv  # noqa: E402


@pytest.fixture(autouse=True)
def kernels_back():
    before = fast.kernels()
    yield
    fast.set_kernels(before)
    threads.set_num_threads(None)


def _images(shape, seed, ties=True):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    if ties:
        x[x < 0.3] = 0.0                           # ties in the windows, zeros for relu
    return x


def _readable_dz(z, g, pool_size):
    """The readable lines: the pooling's backward (on relu(z)), then relu's ``dA * (Z > 0)``."""
    pool = MaxPooling2D(pool_size)
    a = np.maximum(z, 0)
    pool.forward(a)
    with np.errstate(invalid="ignore"):                # inf * 0 where a window's max is not at a pixel
        da = pool.backward(g)
        return da * (z > 0), pool


@pytest.mark.parametrize("shape,pool_size", [((3, 6, 8, 5), 2), ((2, 7, 9, 4), 2), ((2, 9, 7, 3), 3),
                                             ((2, 6, 6, 3), (2, 3))])
def test_dz_from_the_pooled_arrays_is_the_readable_dz_bit_for_bit(shape, pool_size):
    z = _images(shape, seed=1)
    z[0, 0, 0, 0] = np.nan                          # a NaN window: no winner, g * 0 everywhere
    z[0, 1, 1, 1] = -0.0
    pool_size = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    g = _images((shape[0], shape[1] // pool_size[0], shape[2] // pool_size[1], shape[3]), seed=2, ties=False)
    g[0, 0, 1, 2] = -0.0
    g[-1, -1, -1, -1] = np.inf                      # inf * 0 is NaN, where the readable path has it too
    dz_readable, pool = _readable_dz(z, g, pool_size)
    y, won = fast_conv.max_pool_2d(np.maximum(z, 0), pool_size, pool_size, "valid")
    np.testing.assert_array_equal(y, pool.y)
    dz, db = np.full_like(z, 7.0), np.full(shape[-1], 7.0, np.float32)
    _numba_conv.pooled_relu_backward_bias(g, won, y, pool_size[0], pool_size[1], dz, db, True)
    np.testing.assert_array_equal(dz, dz_readable)                 # odd rows and columns: 0
    assert np.array_equal(np.signbit(dz), np.signbit(dz_readable))
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(db, np.add.reduce(dz_readable.reshape(-1, shape[-1]), axis=0))
    db_parts = np.full(shape[-1], 7.0, np.float32)                 # image by image: the same sum, same order
    for n in range(shape[0]):
        _numba_conv.pooled_relu_backward_bias(g[n:n + 1], won[n:n + 1], y[n:n + 1], pool_size[0], pool_size[1],
                                              dz[n:n + 1], db_parts, n == 0)
    np.testing.assert_array_equal(db_parts, db)


def _conv_pool(shape, filters, seed=3):
    conv = Conv2D(filters, 3, activation="relu")
    conv.build((None,) + shape[1:])
    conv.kernel.value[...] = _images(conv.kernel.shape, seed=seed, ties=False) * 0.5
    conv.bias.value[...] = _images((filters,), seed=seed + 1, ties=False) * 0.1
    return conv, MaxPooling2D(2)


def _step(conv, pool, x, g, need=False, kernels="numba"):
    """conv -> pool forward and back through one LayerPasses, as the training step calls them."""
    fast.set_kernels(kernels)
    passes = fast_conv.LayerPasses()
    a = passes.forward(conv, x, training=True)
    y = passes.forward(pool, a, training=True)
    dx_pool = passes.backward(pool, g, True)
    dx = passes.backward(conv, dx_pool, need)
    return dict(took=(id(conv) in passes.took, id(pool) in passes.took), y=y.copy(), dx_pool=dx_pool,
                dx=None if dx is None else dx.copy(), dz=conv.dz.copy(), dk=conv.kernel.grad.copy(),
                db=conv.bias.grad.copy())


def _within_rounding(fast_value, readable, scale, rel=1e-6):
    """|fast - readable| <= rel * scale; ``readable`` the float32 readable value or an exact float64 one."""
    assert fast_value.shape == readable.shape and fast_value.dtype == np.float32
    excess = np.abs(fast_value.astype(np.float64) - readable) - rel * scale
    assert excess.max() <= 0, f"off by {excess.max():.3g} beyond rounding"


def _dk_and_db_within_rounding(run, conv, x, dz):
    """dK = P.T dZ and db = the sum of dZ's rows, exact in float64, against the fast path's sums of
    block products: within 1e-6 of the size of the terms summed."""
    from glassnet.layers.conv import extract_patches
    p = np.asarray(extract_patches(x, conv.kernel_size, conv.strides, conv.dilation_rate)).reshape(
        -1, conv.kernel.shape[0] * conv.kernel.shape[1] * conv.kernel.shape[2]).astype(np.float64)
    dz64 = dz.reshape(-1, conv.filters).astype(np.float64)
    shape = conv.kernel.shape
    _within_rounding(run["dk"], (p.T @ dz64).reshape(shape), (np.abs(p).T @ np.abs(dz64)).reshape(shape))
    _within_rounding(run["db"], dz64.sum(axis=0), np.abs(dz64).sum(axis=0))


@pytest.mark.parametrize("n_threads", [1, 2])
def test_a_direct_first_layer_under_its_pooling_skips_the_pooled_dx(n_threads, monkeypatch):
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    monkeypatch.setattr(fast_conv, "_SPLIT_MIN", 2000)           # two parts (of 4 and 5 images)
    monkeypatch.setattr(fast_conv, "_POOLED_BLOCK", 2 * 26 * 26 * 41)   # blocks of 2 images, a last one of 1
    threads.set_num_threads(n_threads)
    x = _images((9, 28, 28, 1), seed=5)
    conv, pool = _conv_pool(x.shape, 32)
    g = _images((9, 13, 13, 32), seed=6, ties=False)
    fast_run = _step(conv, pool, x, g)
    assert fast_conv.last_threads == n_threads
    dz_lines, _ = _readable_dz(conv.z, g, (2, 2))    # the readable lines on the fast path's own Z (below)
    slow = _step(conv, pool, x, g, kernels="numpy")
    assert fast_run["took"] == (True, True) and slow["took"] == (False, False)
    assert fast_run["dx_pool"].shape == slow["dx_pool"].shape
    assert np.isnan(fast_run["dx_pool"]).all() and not fast_run["dx_pool"].flags.writeable   # not written
    assert fast_run["dx"] is None
    # the direct pass's Z is within rounding of the readable one (a window's terms in another order),
    # so dZ is checked bit for bit against the readable lines run on the fast path's own Z
    _within_rounding(fast_run["y"], slow["y"], np.abs(slow["y"]).astype(np.float64) + 1)
    np.testing.assert_array_equal(fast_run["dz"], dz_lines)
    _dk_and_db_within_rounding(fast_run, conv, x, dz_lines)
    np.testing.assert_allclose(fast_run["dk"], slow["dk"], rtol=1e-3, atol=1e-3)   # and near the readable run


def test_a_direct_layer_whose_input_gradient_is_needed_still_gets_it():
    x = _images((4, 28, 28, 1), seed=7)
    conv, pool = _conv_pool(x.shape, 8)
    g = _images((4, 13, 13, 8), seed=8, ties=False)
    fast_run = _step(conv, pool, x, g, need=True)
    assert fast_run["took"] == (True, True)
    assert np.isnan(fast_run["dx_pool"]).all()                   # the placeholder, never read
    dz_lines, _ = _readable_dz(conv.z, g, (2, 2))                # the readable lines on this Z
    np.testing.assert_array_equal(fast_run["dz"], dz_lines)
    from glassnet.layers.conv import input_gradient
    dx_lines = input_gradient(dz_lines.reshape(-1, 8), conv.kernel.value.reshape(-1, 8), dz_lines.shape[:3],
                              conv.kernel_size, conv.padded_shape, conv.strides, conv.dilation_rate, conv.pads)
    np.testing.assert_array_equal(fast_run["dx"], dx_lines)      # dP = dZ K.T scattered: the same rows
    _dk_and_db_within_rounding(fast_run, conv, x, dz_lines)


def test_a_wider_layer_under_its_pooling_gets_dz_from_it_bit_for_bit(monkeypatch):
    # 3 x 3 x 2 windows, one block: dZ from the pooled arrays, dK, db and dX as the readable path's
    x = _images((5, 13, 12, 2), seed=9)
    conv, pool = _conv_pool(x.shape, 6)
    g = _images((5, 5, 5, 6), seed=10, ties=False)              # 11 x 10 output: a row no window covers
    calls = []
    original = _numba_conv.pooled_relu_backward_bias
    monkeypatch.setattr(_numba_conv, "pooled_relu_backward_bias", lambda *a: calls.append(1) or original(*a))
    fast_run, slow = _step(conv, pool, x, g, need=True), _step(conv, pool, x, g, need=True, kernels="numpy")
    assert calls and fast_run["took"] == (True, True)
    assert not np.isnan(fast_run["dx_pool"]).any()               # not a direct layer: dX written
    for key in ("y", "dx_pool", "dz", "dx", "dk", "db"):
        np.testing.assert_array_equal(fast_run[key], slow[key])


@pytest.mark.parametrize("covered_only", [True, False])
def test_blocks_of_a_wide_layer_skip_the_rows_no_window_covers(covered_only, monkeypatch):
    # 3 x 3 x 8 windows in blocks of 2 images; an 11 x 9 output under 2 x 2 windows: the last row
    # and column have dZ = 0, and their terms are left out of dK = P.T dZ and dP = dZ K.T
    monkeypatch.setattr(fast_conv, "_BLOCK", 2 * 99 * 72)
    monkeypatch.setattr(fast_conv, "_COVERED_ONLY", covered_only)
    x = _images((5, 13, 11, 8), seed=16)
    conv, pool = _conv_pool(x.shape, 6)
    g = _images((5, 5, 4, 6), seed=17, ties=False)
    windows = []
    original = _numba_conv.extract_patches_2d
    monkeypatch.setattr(_numba_conv, "extract_patches_2d", lambda *a: windows.append(a[-1].shape[:3]) or original(*a))
    fast_run, slow = _step(conv, pool, x, g, need=True), _step(conv, pool, x, g, need=True, kernels="numpy")
    assert fast_run["took"] == (True, True)
    assert windows[:3] == [(1, 11, 9), (2, 11, 9), (2, 11, 9)]    # the forward's blocks: every window
    assert windows[3:] == ([(1, 10, 8), (2, 10, 8), (2, 10, 8)] if covered_only else windows[:3])
    for key in ("y", "dx_pool", "dz", "dx", "db"):              # dP's rows are the same BLAS rows
        np.testing.assert_array_equal(fast_run[key], slow[key])
    assert not fast_run["dz"][:, 10:].any() and not fast_run["dz"][:, :, 8:].any()
    _dk_and_db_within_rounding(fast_run, conv, x, slow["dz"])


def test_the_pooled_way_is_taken_only_for_the_gradient_that_pooling_made(monkeypatch):
    fast.set_kernels("numba")
    x = _images((3, 28, 28, 1), seed=11)
    conv, pool = _conv_pool(x.shape, 8)
    g = _images((3, 13, 13, 8), seed=12, ties=False)
    calls = []
    original = _numba_conv.pooled_relu_backward_bias
    monkeypatch.setattr(_numba_conv, "pooled_relu_backward_bias", lambda *a: calls.append(1) or original(*a))
    passes = fast_conv.LayerPasses()
    a = passes.forward(conv, x, training=True)
    passes.forward(pool, a.copy(), training=True)               # not the conv's own array: no link
    dx_pool = passes.backward(pool, g, True)
    assert not np.isnan(dx_pool).any()
    passes.backward(conv, dx_pool, False)
    assert not calls
    # linked, but the conv ran again before the pooling's backward: its `a` is another array now
    a = passes.forward(conv, x, training=True)
    passes.forward(pool, a, training=True)
    passes.forward(conv, x[::-1].copy(), training=True)
    dx_pool = passes.backward(pool, g, True)
    assert not np.isnan(dx_pool).any()
    # linked, the pooling's dX made, but the conv is given another gradient: the plain way, no stale state
    a = passes.forward(conv, x, training=True)
    passes.forward(pool, a, training=True)
    passes.backward(pool, g, True)
    other = _images(a.shape, seed=13, ties=False)
    passes.backward(conv, other, False)
    assert not calls
    np.testing.assert_array_equal(conv.dz, other * (conv.z > 0))
    assert "_from_pool" not in conv.__dict__


def test_a_tanh_conv_or_an_overlapping_pooling_writes_the_pooled_dx():
    fast.set_kernels("numba")
    x = _images((2, 28, 28, 1), seed=14)
    for conv, pool in ((Conv2D(4, 3, activation="tanh"), MaxPooling2D(2)),
                       (Conv2D(4, 3, activation="relu"), MaxPooling2D(2, strides=1)),
                       (Conv2D(4, 3, activation="relu", use_bias=False), MaxPooling2D(2))):
        conv.build(x.shape)
        passes = fast_conv.LayerPasses()
        y = passes.forward(pool, passes.forward(conv, x, training=True), training=True)
        dx_pool = passes.backward(pool, np.ones_like(y), True)
        assert not np.isnan(dx_pool).any()
        assert passes.backward(conv, dx_pool, True).shape == x.shape


def _fit_convnet(shape, kernels):
    rng = np.random.default_rng(15)
    x = rng.random((96,) + shape, dtype=np.float32)
    y = glassnet.utils.to_categorical(rng.integers(0, 10, 96), 10)
    fast.set_kernels(kernels)
    glassnet.utils.set_random_seed(0)
    m = glassnet.Sequential([glassnet.Input(shape=shape), Conv2D(16, 3, activation="relu"), MaxPooling2D(2),
                             Conv2D(16, 3, activation="relu"), MaxPooling2D(2), glassnet.layers.Flatten(),
                             glassnet.layers.Dropout(0.5), glassnet.layers.Dense(10, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer="adam")
    h = m.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=False)
    return h.history["loss"], m.get_weights(), m.layers[0]


def test_the_mnist_convnet_fits_through_the_pooled_backwards_within_rounding(monkeypatch):
    calls = []
    original = fast_conv._direct_pooled_backward
    monkeypatch.setattr(fast_conv, "_direct_pooled_backward", lambda *a: calls.append(1) or original(*a))
    loss1, w1, conv1 = _fit_convnet((16, 16, 1), "numba")
    assert len(calls) == 6                                       # every step's first layer
    loss0, w0, conv0 = _fit_convnet((16, 16, 1), "numpy")
    np.testing.assert_allclose(loss1, loss0, rtol=1e-5)
    for a, b in zip(w1, w0):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    for name in ("z", "a", "dz"):                               # what the layer holds after fit
        np.testing.assert_allclose(getattr(conv1, name), getattr(conv0, name), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("c", [1, 3])            # the direct layer (placeholder dX); the plain blocks
def test_float64_conv_and_pooling_give_the_readable_gradients(c):
    rng = np.random.default_rng(18)
    x = rng.standard_normal((6, 10, 10, c))
    conv, pool = Conv2D(5, 3, activation="relu", dtype="float64"), MaxPooling2D(2, dtype="float64")
    conv.build(x.shape)
    g = rng.standard_normal((6, 4, 4, 5))
    slow = _step(conv, pool, x, g, need=True, kernels="numpy")
    fast_run = _step(conv, pool, x, g, need=True)
    assert fast_run["took"] == (True, True) and conv.kernel.grad.dtype == np.float64
    assert np.isnan(fast_run["dx_pool"]).all() == (c == 1)
    for key in ("dz", "dx", "dk", "db"):
        np.testing.assert_allclose(fast_run[key], slow[key], rtol=1e-12, atol=1e-13)
