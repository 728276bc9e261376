"""glassnet.fast.conv cuts a large batch into parts of whole images and runs them on the free
cores (``_parts``, ``_run_parts``). The forward passes and dJ/d(input) are the readable path's
numbers bit for bit (each row, pixel and window is computed the same way in any part); the
kernel's and bias's gradients are the parts' sums added in order, within 1e-6 of the size of
the terms summed. The cut depends on the sizes and the machine's cores, never on how many
threads are free: one thread or two give the same numbers bit for bit."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import glassnet
from glassnet import fast
from glassnet.fast import conv as fast_conv
from glassnet.fast import threads
from glassnet.layers import Conv2D, MaxPooling2D
from glassnet.layers.conv import extract_patches

pytest.importorskip("numba")


@pytest.fixture
def two_cores(monkeypatch):
    """A 2-core machine whose passes split from 2,000 numbers a part; threads put back after."""
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    monkeypatch.setattr(fast_conv, "_SPLIT_MIN", 2000)
    before = fast.kernels()
    yield
    fast.set_kernels(before)
    threads.set_num_threads(None)


def _images(shape, seed, ties=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    if ties:
        x[x < 0.3] = 0.0
    return x


def _within_rounding(fast_value, readable, scale, rel=1e-6):
    assert fast_value.shape == readable.shape and fast_value.dtype == readable.dtype
    excess = np.abs(fast_value.astype(np.float64) - readable) - rel * scale
    assert excess.max() <= 0, f"off by {excess.max():.3g} beyond rounding"


def test_parts_are_consecutive_whole_images_from_the_sizes_and_cores(monkeypatch):
    monkeypatch.setattr(fast_conv, "_SPLIT_MIN", 100)
    monkeypatch.setattr(threads, "usable_cores", lambda: 3)
    assert fast_conv._parts(10, 10_000) == [(0, 3), (3, 6), (6, 10)]
    assert fast_conv._parts(10, 250) == [(0, 5), (5, 10)]          # two parts of at least 100 numbers
    assert fast_conv._parts(10, 199) == [(0, 10)]                  # too little work for a thread
    assert fast_conv._parts(2, 10_000) == [(0, 1), (1, 2)]         # never more parts than images
    monkeypatch.setattr(threads, "usable_cores", lambda: 64)
    assert len(fast_conv._parts(128, 10 ** 9)) == fast_conv._MAX_PARTS
    threads.set_num_threads(1)                                     # the load does not change the cut
    try:
        assert fast_conv._parts(10, 250) == [(0, 5), (5, 10)]
    finally:
        threads.set_num_threads(None)


def test_blocks_of_a_part_are_the_fewest_of_even_sizes():
    assert fast_conv._blocks(0, 64, 7) == [(0, 6), (6, 12), (12, 19), (19, 25), (25, 32), (32, 38), (38, 44),
                                          (44, 51), (51, 57), (57, 64)]
    assert fast_conv._blocks(64, 128, 64) == [(64, 128)]
    assert fast_conv._blocks(3, 8, 100) == [(3, 8)]
    assert fast_conv._blocks(0, 5, 1) == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]
    assert fast_conv._blocks(4, 4, 7) == []                         # an empty batch: no block


def test_an_empty_batch_goes_through_the_forward_twins():
    before = fast.kernels()
    fast.set_kernels("numba")
    try:
        for c in (1, 40):                                              # the direct pass; blocks of wide patches
            conv = Conv2D(4, 3, activation="relu")
            conv.build((None, 8, 8, c))
            passes = fast_conv.LayerPasses()
            assert passes.forward(conv, np.zeros((0, 8, 8, c), np.float32), training=True).shape == (0, 6, 6, 4)
            assert id(conv) in passes.took
    finally:
        fast.set_kernels(before)


def test_run_parts_uses_the_free_threads_with_blas_on_one_and_raises_a_helpers_error():
    seen = []

    def work(s, e):
        seen.append((s, e, threading.get_ident(), threads._current))
        return s * 10 + e
    parts = [(0, 2), (2, 4), (4, 7)]
    threads.set_num_threads(2)
    try:
        assert fast_conv._run_parts(parts, work) == [2, 24, 47]       # in the parts' order
        assert fast_conv.last_threads == 2
        assert len({ident for *_, ident, _ in seen}) == 2             # two threads ran them
        assert all(blas == 1 for *_, blas in seen)                    # BLAS pinned while split
        assert threads._current == 2                                  # and put back
        seen.clear()
        threads.set_num_threads(1)
        assert fast_conv._run_parts(parts, work) == [2, 24, 47]
        assert fast_conv.last_threads == 1 and {ident for *_, ident, _ in seen} == {threading.get_ident()}

        def bad(s, e):
            if s == 2:
                raise ValueError("part (2, 4) failed")
            return 0
        threads.set_num_threads(2)
        with pytest.raises(ValueError, match=r"part \(2, 4\) failed"):
            fast_conv._run_parts(parts, bad)
        # called from one of glassnet's own pool threads (whose workers may all be busy): in turn there
        assert fast._pool().submit(fast_conv._run_parts, parts, work).result(timeout=30) == [2, 24, 47]
        assert fast_conv.last_threads == 1
    finally:
        threads.set_num_threads(None)


def _conv_both_ways(conv, x, g, need=True, n_threads=2):
    """(fast on ``n_threads``, readable): z, a, dX, dK, db and whether the twin ran."""
    def run():
        passes = fast_conv.LayerPasses()
        a = passes.forward(conv, x, training=True).copy()
        dx = passes.backward(conv, g, need)
        return (id(conv) in passes.took, conv.z.copy(), a, dx, conv.kernel.grad.copy(),
                conv.bias.grad.copy() if conv.use_bias else None)
    threads.set_num_threads(n_threads)
    fast.set_kernels("numba")
    fast_run = run()
    split = fast_conv.last_threads
    fast.set_kernels("numpy")
    slow = run()
    return fast_run, slow, split


@pytest.mark.parametrize("shape,filters,strides,padding", [
    ((7, 9, 10, 8), 12, 1, "valid"),            # 72-number windows: blocks of images in each part
    ((6, 12, 11, 2), 16, 1, "same"),            # 18-number windows: the whole P, cut by rows
    ((9, 11, 13, 1), 16, 2, "valid")])          # 9-number windows: the direct pass
def test_a_conv_layer_in_parts_on_two_threads(shape, filters, strides, padding, two_cores, monkeypatch):
    monkeypatch.setattr(fast_conv, "_BLOCK", 2 * 80 * 72)     # blocks of 2 images for the 72-number windows
    x = _images(shape, seed=1)
    conv = Conv2D(filters, 3, strides=strides, padding=padding, activation="relu")
    conv.build(x.shape)
    conv.kernel.value[...] = _images(conv.kernel.shape, seed=2) * 0.3
    conv.bias.value[...] = _images((filters,), seed=3) * 0.1
    g = np.cos(3 * conv.forward(x, training=True))
    width = 9 * shape[-1]
    rows = conv.compute_output_shape(x.shape)
    assert len(fast_conv._parts(shape[0], shape[0] * rows[1] * rows[2] * (width + filters))) == 2
    (took, z1, a1, dx1, dk1, db1), (slow, z0, a0, dx0, dk0, db0), split = _conv_both_ways(conv, x, g)
    assert took and not slow and split == 2
    P = np.abs(extract_patches(x, (3, 3), (strides,) * 2, (1, 1)))
    if width == 9:                                       # the direct pass: within rounding, as unsplit
        assert np.array_equal(z1 > 0, z0 > 0)
        np.testing.assert_allclose(z1, z0, rtol=1e-5, atol=1e-6)
    else:                                                # BLAS's rows of P K, as the readable product
        np.testing.assert_array_equal(z1, z0)
        np.testing.assert_array_equal(a1, a0)
    np.testing.assert_array_equal(dx1, dx0)              # each pixel's terms in the readable order
    dz = np.abs((g * (z0 > 0)).reshape(-1, filters).astype(np.float64))
    _within_rounding(db1, db0, dz.sum(axis=0))
    if padding == "valid":
        _within_rounding(dk1, dk0, (P.reshape(-1, width).astype(np.float64).T @ dz).reshape(dk0.shape))
    else:
        np.testing.assert_allclose(dk1, dk0, rtol=1e-5, atol=1e-5)
    # one thread runs the same parts in turn: the same numbers bit for bit
    (_, z2, a2, dx2, dk2, db2), _, split = _conv_both_ways(conv, x, g, n_threads=1)
    assert split == 1
    for a, b in ((z2, z1), (a2, a1), (dx2, dx1), (dk2, dk1), (db2, db1)):
        np.testing.assert_array_equal(a, b)


def test_the_kernel_gradient_in_parts_is_within_rounding_of_the_whole_sum(two_cores):
    # 72-number windows, the input's gradient not needed (a first layer): dK = P.T dZ part by part
    x = _images((6, 10, 10, 8), seed=4)
    conv = Conv2D(5, 3, activation="relu")
    conv.build(x.shape)
    conv.kernel.value[...] = _images(conv.kernel.shape, seed=5) * 0.3
    g = np.sin(conv.forward(x, training=True) + 1)
    (took, *_, dx1, dk1, db1), (_, *_, dx0, dk0, db0), split = _conv_both_ways(conv, x, g, need=False)
    assert took and split == 2 and dx1 is None and dx0 is None
    P = np.abs(extract_patches(x, (3, 3), (1, 1), (1, 1)).reshape(-1, 72).astype(np.float64))
    dz = np.abs((g * (conv.z > 0)).reshape(-1, 5).astype(np.float64))
    _within_rounding(dk1, dk0, (P.T @ dz).reshape(dk0.shape))
    _within_rounding(db1, db0, dz.sum(axis=0))
    assert not np.array_equal(dk1, dk0) or not np.array_equal(db1, db0)    # (a sum in parts did run)


def test_pooling_in_parts_bit_for_bit(two_cores):
    x = _images((8, 11, 9, 6), seed=6, ties=True)
    x[3, 2, 2, 1] = np.nan
    g = _images((8, 5, 4, 6), seed=7)
    pool = MaxPooling2D(2)

    def run():
        passes = fast_conv.LayerPasses()
        y = passes.forward(pool, x, training=True).copy()
        return id(pool) in passes.took, y, passes.backward(pool, g)
    threads.set_num_threads(2)
    fast.set_kernels("numba")
    took, y1, d1 = run()
    assert took and fast_conv.last_threads == 2 and len(fast_conv._parts(8, x.size)) == 2
    fast.set_kernels("numpy")
    _, y0, d0 = run()
    np.testing.assert_array_equal(y1, y0)
    np.testing.assert_array_equal(d1, d0)


def _train(n_threads, kernels, shape=(14, 14, 1)):
    rng = np.random.default_rng(11)
    x = rng.random((64,) + shape, dtype=np.float32)
    y = glassnet.utils.to_categorical(rng.integers(0, 10, 64), 10)
    threads.set_num_threads(n_threads)
    fast.set_kernels(kernels)
    glassnet.utils.set_random_seed(0)
    m = glassnet.Sequential([glassnet.Input(shape=shape),
                             Conv2D(8, 3, activation="relu"), MaxPooling2D(2),
                             Conv2D(16, 3, activation="relu"), MaxPooling2D(2),
                             glassnet.layers.Flatten(), glassnet.layers.Dense(10, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer="adam")
    h = m.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    return h.history["loss"], m.get_weights()


def test_a_convnet_trained_in_parts_is_the_same_on_one_thread_or_two_and_near_the_readable(two_cores):
    loss2, w2 = _train(2, "numba")
    assert fast_conv.last_threads == 2
    loss1, w1 = _train(1, "numba")
    assert fast_conv.last_threads == 1
    assert loss1 == loss2                                          # the numbers do not depend on the load
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    loss0, w0 = _train(1, "numpy")
    np.testing.assert_allclose(loss2, loss0, rtol=1e-5)
    for a, b in zip(w2, w0):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_float64_in_parts_passes_the_gradcheck(two_cores):
    rng = np.random.default_rng(8)
    for c, filters in ((1, 4), (4, 3)):                  # the direct pass; the whole P
        x = rng.standard_normal((16, 7, 7, c))
        conv = Conv2D(filters, 3, activation="tanh", dtype="float64")
        conv(x)
        g = np.cos(conv.forward(x, training=True))
        dx0 = conv.backward(g)
        dk0, db0 = conv.kernel.grad.copy(), conv.bias.grad.copy()
        threads.set_num_threads(2)
        fast.set_kernels("numba")
        passes = fast_conv.LayerPasses()
        passes.forward(conv, x, training=True)
        dx1 = passes.backward(conv, g)
        assert id(conv) in passes.took and fast_conv.last_threads == 2
        np.testing.assert_allclose(dx1, dx0, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(conv.kernel.grad, dk0, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(conv.bias.grad, db0, rtol=1e-12, atol=1e-13)
        assert glassnet.gradcheck(conv, x, max_entries=60).passed


def test_in_auto_mode_a_split_step_keeps_its_other_products_on_one_blas_thread(monkeypatch):
    # auto mode with two cores free (as pace() would find them on a quiet 2-core machine)
    threads.set_num_threads(None)
    monkeypatch.setattr(threads, "_free", 2)
    threads.useful_blas_threads(None)
    assert threads.elementwise_threads() == 2
    try:
        fast_conv._run_parts([(0, 1)], lambda s, e: None)                 # one part: nothing changes
        assert threads._useful is None
        fast_conv._run_parts([(0, 1), (1, 2)], lambda s, e: None)         # parts on two threads
        assert fast_conv.last_threads == 2 and threads._useful == 1 and threads._current == 1
    finally:
        threads.useful_blas_threads(None)                                 # as fit does on leaving
    assert threads._current == 2


def test_usable_cores_is_looked_at_again_only_after_the_interval(monkeypatch):
    """The cores are read from the system (affinity, cgroup quota) at most every half second:
    a convnet's step asks once a layer."""
    looks = []
    monkeypatch.setattr(threads, "_look_at_cores", lambda: looks.append(1) or 3)
    monkeypatch.setattr(threads, "_cores_seen", (-1.0, 1))
    clock = [100.0]
    monkeypatch.setattr(threads.time, "monotonic", lambda: clock[0])
    assert [threads.usable_cores() for _ in range(5)] == [3] * 5 and len(looks) == 1
    clock[0] += threads._INTERVAL + 0.01
    assert threads.usable_cores() == 3 and len(looks) == 2
