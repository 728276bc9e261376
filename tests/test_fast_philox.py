"""The compiled twin of TensorFlow's Philox uniforms (glassnet.fast._numba_philox) gives the
readable NumPy module's numbers bit for bit, and is taken only when numba is already loaded."""
import sys

import numpy as np
import pytest

from glassnet import config, seeding
from glassnet.fast import _numba_philox
from glassnet.tf import philox


def _readable(key, counter, count):
    """philox.uniform's NumPy path, whatever numba's state."""
    return philox._fill(key, counter, count, 4, lambda w: philox._float01(w, np.float32), np.float32)


def _compiled(key, counter, count):
    c = [int(w) & 0xFFFFFFFF for w in counter]
    out = np.full(count, -1.0, np.float32)
    _numba_philox.uniform_f32(np.uint64(key[0]), np.uint64(key[1]), np.uint64(c[0] | c[1] << 32),
                              np.uint64(c[2] | c[3] << 32), out)
    return out


@pytest.mark.parametrize("key, counter, count", [
    ([0, 0], [0, 0, 0, 0], 1),
    ([123, 456], [0, 0, 7, 0], 4 * 1000 + 3),                                  # a partial last block
    ([0xFFFFFFFF, 0x80000001], [0xFFFFFFF0, 0xFFFFFFFF, 5, 9], 4 * 50),        # the low half carries
    ([0x12345678, 0x9ABCDEF0], [0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], 4 * 3),  # wraps 2**128
])
def test_compiled_uniforms_are_the_readable_ones_bit_for_bit(key, counter, count):
    want, got = _readable(key, counter, count), _compiled(key, counter, count)
    assert got.dtype == np.float32 and got.shape == (count,)
    np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))
    assert got.min() >= 0.0 and got.max() < 1.0


def test_tensorflows_known_draw_through_both_paths(monkeypatch):
    """tf.random.stateless_uniform([3], [1, 2]) in TF 2.21 (seeding's docstring), then a draw
    large enough for the compiled loop, equal to the readable one."""
    small = seeding.draw("uniform", (3,), "float32", [1, 2])
    np.testing.assert_array_equal(small, np.array([0.8440604, 0.19204533, 0.9962232], np.float32))
    config.set_kernels("numba")
    try:
        assert philox._numba_loops() is _numba_philox
        big = seeding.draw("uniform", (128, 1600), "float32", [7, 3])
    finally:
        config.set_kernels("auto")
    config.set_kernels("numpy")
    try:
        assert philox._numba_loops() is None
        readable = seeding.draw("uniform", (128, 1600), "float32", [7, 3])
    finally:
        config.set_kernels("auto")
    np.testing.assert_array_equal(big.view(np.uint32), readable.view(np.uint32))


def test_numba_is_never_imported_for_random_numbers(monkeypatch):
    """Under "auto", a process that has not loaded numba draws through NumPy: the twin is not
    asked for, and numba's import is not paid for a Dropout mask."""
    monkeypatch.delitem(sys.modules, "numba", raising=False)
    monkeypatch.setattr(philox, "_loops", None)
    monkeypatch.setattr(philox, "_drawn", [0])
    assert config.kernels() == "auto"
    assert philox._numba_loops() is None
    assert philox._numba_loops(128 * 1600) is None          # a Dropout mask: counted, not loaded for
    assert philox._loops is None and philox._drawn == [128 * 1600]


def test_numba_is_loaded_once_a_process_has_drawn_enough(monkeypatch):
    """Under "auto", float32 draws through NumPy add up; the draw that would take the total
    past _LOAD_AFTER (a VGG16's first Dense has 103M weights) loads the loop instead, and its
    numbers are the readable path's bit for bit."""
    monkeypatch.delitem(sys.modules, "numba", raising=False)
    monkeypatch.setattr(philox, "_loops", None)
    monkeypatch.setattr(philox, "_drawn", [0])
    monkeypatch.setattr(philox, "_LOAD_AFTER", 3 * 4096 * 4)
    assert config.kernels() == "auto"
    first = philox.uniform([5, 6], [0, 0, 1, 0], 2 * 4096 * 4)             # under the limit: NumPy
    assert philox._loops is None and philox._drawn == [2 * 4096 * 4]
    second = philox.uniform([5, 6], [0, 0, 2, 0], 2 * 4096 * 4)            # past it: numba's loop
    assert philox._loops is _numba_philox
    np.testing.assert_array_equal(first.view(np.uint32), _readable([5, 6], [0, 0, 1, 0], 2 * 4096 * 4).view(np.uint32))
    np.testing.assert_array_equal(second.view(np.uint32), _readable([5, 6], [0, 0, 2, 0], 2 * 4096 * 4).view(np.uint32))
    monkeypatch.setattr(philox, "_loops", None)
    config.set_kernels("numpy")
    try:                                                                  # set_kernels("numpy"): never
        assert philox._numba_loops(1 << 40) is None and philox._loops is None
    finally:
        config.set_kernels("auto")


def test_dropout_masks_are_the_same_either_way():
    config.set_kernels("numba")
    try:
        fast_mask = seeding.dropout_keep((64, 1024), 0.5, "float32", [11, 4])
    finally:
        config.set_kernels("numpy")
    try:
        slow_mask = seeding.dropout_keep((64, 1024), 0.5, "float32", [11, 4])
    finally:
        config.set_kernels("auto")
    np.testing.assert_array_equal(fast_mask, slow_mask)
    assert 0.45 < fast_mask.mean() < 0.55


@pytest.mark.parametrize("counter", [[5, 0, 9, 0], [0xFFFFFF00, 0xFFFFFFFF, 1, 0], [0xFFFFFF00, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF]])
def test_a_large_draw_in_two_halves_on_two_threads_is_the_same_bits(monkeypatch, counter):
    """From 2**17 numbers the compiled draw runs in two halves of whole blocks, the second on
    glassnet's helper thread; its counter carries (and wraps) as the readable one does."""
    from glassnet.fast import threads
    monkeypatch.setattr(threads, "elementwise_threads", lambda: 2)
    count = (1 << 17) + 6                                          # a partial last block too
    got = philox._numba_uniform(_numba_philox, [77, 88], counter, count)
    np.testing.assert_array_equal(got.view(np.uint32), _readable([77, 88], counter, count).view(np.uint32))
