"""Subnormal numbers are flushed to zero while training (glassnet.fast.denormals), and only then."""
import threading

import numpy as np
import pytest

import glassnet
from glassnet.fast import denormals

TINY = np.float32(1e-39)            # a float32 subnormal
SUPPORTED = denormals.supported()


def halved():
    return (np.array([TINY]) * np.float32(0.5))[0]


def test_flushed_zeroes_subnormals_inside_and_restores_the_register_after():
    assert halved() > 0
    with denormals.flushed():
        inside = halved()
    assert (inside == 0) if SUPPORTED else (inside > 0)
    assert halved() > 0                          # put back as it was


def test_flushed_restores_the_register_when_the_block_raises():
    with pytest.raises(RuntimeError), denormals.flushed():
        raise RuntimeError("boom")
    assert halved() > 0


def test_worker_threads_take_the_callers_setting():
    seen = []

    def work():
        seen.append(halved())
    with denormals.flushed():
        run = denormals.like_caller(work)
    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert (seen[0] == 0) if SUPPORTED else (seen[0] > 0)


def _decayed_momentum(flush):
    """Adam's m of a weight whose gradient becomes 0 shrinks by 0.9 a step: after ~900 steps
    it is below float32's smallest normal number."""
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([glassnet.Input(shape=(2,)), glassnet.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    y = np.ones((4, 1), np.float32)
    model.train_on_batch(np.ones((4, 2), np.float32), y)
    glassnet.config.set_flush_denormals(flush)
    try:
        model.fit(np.zeros((4 * 900, 2), np.float32), np.ones((4 * 900, 1), np.float32),
                  batch_size=4, epochs=1, verbose=0, shuffle=False)
    finally:
        glassnet.config.set_flush_denormals(True)
    return model.optimizer.slots["momentum"][0]         # the kernel's


def test_fit_flushes_the_optimizer_state_that_decays_into_subnormals():
    m = _decayed_momentum(flush=True)
    smallest_normal = np.finfo(np.float32).tiny
    assert np.all((m == 0) | (np.abs(m) >= smallest_normal))
    # (Keras's form m += (g - m)(1 - b1) stops changing m near 1e-37, where the step
    # would be subnormal and is flushed: what TensorFlow's CPU kernels do too.)
    assert halved() > 0                          # fit put the register back


def test_set_flush_denormals_false_keeps_ieee_subnormals():
    m = _decayed_momentum(flush=False)
    assert np.all((m != 0) & (np.abs(m) < np.finfo(np.float32).tiny))


def test_set_flush_denormals_checks_its_argument():
    with pytest.raises(ValueError, match="set_flush_denormals: flush must be True or False"):
        glassnet.config.set_flush_denormals(1)
