"""glassnet.fast.heap: glibc's malloc asked, once per process, to serve large arrays from its heap
and keep freed memory (a convnet's step frees and makes tens of MB each step); off by
GLASSNET_KEEP_FREED_MEMORY=0."""
import numpy as np

from glassnet.fast import heap


def _fake(monkeypatch, answer=1):
    calls = []

    def mallopt(param, value):
        calls.append((param, value))
        return answer
    monkeypatch.setattr(heap, "_mallopt", lambda: mallopt)
    monkeypatch.setattr(heap, "_asked", None)
    monkeypatch.setattr(heap.sys, "platform", "linux")
    return calls


def test_both_settings_once_per_process(monkeypatch):
    monkeypatch.delenv("GLASSNET_KEEP_FREED_MEMORY", raising=False)
    calls = _fake(monkeypatch)
    assert heap.keep_freed_memory() and heap.keep_freed_memory()
    assert calls == [(heap.M_MMAP_THRESHOLD, 32 << 20), (heap.M_TRIM_THRESHOLD, 1 << 30)]


def test_turned_off_by_the_environment_asks_nothing(monkeypatch):
    monkeypatch.setenv("GLASSNET_KEEP_FREED_MEMORY", "0")
    calls = _fake(monkeypatch)
    assert heap.keep_freed_memory() is False and calls == []


def test_a_refused_setting_is_reported(monkeypatch):
    monkeypatch.delenv("GLASSNET_KEEP_FREED_MEMORY", raising=False)
    _fake(monkeypatch, answer=0)
    assert heap.keep_freed_memory() is False


def test_a_convnet_fit_asks_for_it(monkeypatch):
    """The compiled convolution passes ask on their first large forward."""
    import glassnet
    from glassnet import config
    from glassnet.keras import layers
    asked = []
    monkeypatch.setattr(heap, "keep_freed_memory", lambda: asked.append(1) or True)
    config.set_kernels("numba")
    try:
        model = glassnet.Sequential([glassnet.Input(shape=(12, 12, 1)), layers.Conv2D(4, 3, activation="relu"),
                                     layers.Flatten(), layers.Dense(1)])
        model.compile(loss="mse", optimizer="sgd")
        model.fit(np.zeros((8, 12, 12, 1), np.float32), np.zeros((8, 1), np.float32), epochs=1, verbose=0)
    finally:
        config.set_kernels("auto")
    assert asked
