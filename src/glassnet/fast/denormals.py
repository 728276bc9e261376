"""Subnormal numbers flushed to zero while training, as TensorFlow's and XLA's CPU kernels do.

Adam's first moment ``m`` of a weight whose gradient is zero (a first-layer weight of a
pixel that is 0 in every MNIST image, a dead relu unit) shrinks by ``beta_1 = 0.9`` a
step: after about 800 steps it is below float32's smallest normal number (1.2e-38) and
becomes *subnormal*. x86 processors work on subnormals in microcode, tens of times slower,
so the MNIST-shaped network's epoch went from 0.65 s to 1.8-2.5 s from its second epoch on,
almost all of it in the optimizer's update (measured here, NumPy and numba kernels alike).

The processor can instead treat subnormal inputs as zero (DAZ) and write zero where a
result would be subnormal (FTZ): bits 6 and 15 of the SSE control register MXCSR, one
register per thread. TensorFlow sets them in its CPU threads and XLA in its compiled code,
so this also brings glassnet's numbers closer to Keras's. :func:`flushed` sets them for the
duration of ``fit`` / ``train_on_batch`` in the calling thread and puts the register back
as it was afterwards; glassnet's own worker threads take the caller's setting per task
(:func:`like_caller`). Values that differ: only those under 1.2e-38 (float32) or 2.2e-308
(float64), which become 0.

Where it is done: Linux on x86-64 (glibc's ``fegetenv``/``fesetenv``, whose ``fenv_t``
ends with MXCSR at byte 28). Elsewhere it does nothing and subnormals stay as IEEE 754 has
them. ``glassnet.config.set_flush_denormals(False)`` turns it off.

>>> import numpy as np
>>> tiny = np.array([1e-39], np.float32)              # a float32 subnormal
>>> with flushed():
...     inside = tiny * np.float32(0.5)
>>> bool(inside[0] == 0) or not supported(), bool(tiny[0] * np.float32(0.5) > 0)
(True, True)
"""
from __future__ import annotations

import contextlib
import os
import sys

_FTZ_DAZ = 0x8040                   # MXCSR: flush to zero (bit 15), denormals are zero (bit 6)
_MXCSR_AT = 28                      # byte offset of __mxcsr in glibc's x86-64 fenv_t (32 bytes)

enabled = True                      # glassnet.config.set_flush_denormals
_libm = None                        # ctypes handle, once looked for; False where unsupported
_env = None                         # the ctypes type of a 32-byte fenv_t


def supported() -> bool:
    """True where this module can set the flags (Linux on x86-64 with glibc's libm)."""
    global _libm, _env
    if _libm is None:
        _libm = False
        if sys.platform.startswith("linux") and os.uname().machine == "x86_64":
            import ctypes  # noqa: PLC0415 - imported on the first fit, not with glassnet
            try:
                libm = ctypes.CDLL("libm.so.6")
                libm.fegetenv.argtypes = libm.fesetenv.argtypes = [ctypes.c_void_p]
                _libm, _env = libm, ctypes.c_ubyte * 32
            except (OSError, AttributeError):
                pass
    return bool(_libm)


def _mode() -> int | None:
    """This thread's MXCSR, or None where unsupported."""
    if not supported():
        return None
    env = _env()
    if _libm.fegetenv(env) != 0:
        return None
    return int.from_bytes(bytes(env[_MXCSR_AT:_MXCSR_AT + 4]), "little")


def _set_mode(mxcsr: int) -> None:
    env = _env()
    if _libm.fegetenv(env) == 0:
        env[_MXCSR_AT:_MXCSR_AT + 4] = list(mxcsr.to_bytes(4, "little"))
        _libm.fesetenv(env)


@contextlib.contextmanager
def flushed():
    """Within the block, this thread flushes subnormal inputs and results to zero (when
    :data:`enabled` and supported); the register is put back as it was on leaving."""
    before = _mode() if enabled else None
    if before is None or before & _FTZ_DAZ == _FTZ_DAZ:
        yield
        return
    _set_mode(before | _FTZ_DAZ)
    try:
        yield
    finally:
        _set_mode(before)


def like_caller(function):
    """``function`` wrapped to run, in another thread, with the calling thread's flags."""
    mode = _mode()
    if mode is None:
        return function

    def run(*args):
        before = _mode()
        _set_mode(mode)
        try:
            return function(*args)
        finally:
            _set_mode(before)
    return run
