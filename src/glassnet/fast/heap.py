"""Keep freed memory for the next step: glibc's malloc told to reuse its heap for large arrays.

By default glibc's ``malloc`` gives an array above its mmap threshold (128 KiB at first) a
fresh mapping from the kernel, and gives freed memory back. A convnet's step makes and frees
tens of MB of arrays (the MNIST convnet: patches, outputs and gradients of each layer), so
every step the kernel hands out zeroed pages again, one page fault per 4 KiB, on whichever
thread writes first; two threads writing their halves of a fresh output also contend for the
process's memory map. Measured on the MNIST convnet (6,000 images, two threads): 34 ms a step
by default, 24 ms with large arrays taken from the heap (threshold 32 MiB, glibc's largest)
and freed memory kept (trim threshold 1 GiB); either setting alone is slower than both.

:func:`keep_freed_memory` makes those two ``mallopt`` calls, once per process, from the
first fit that runs the compiled convolution passes (``glassnet.fast.conv``). The memory a
step frees stays with the process for the next step (its resident size stays near its peak,
as with PyTorch's and TensorFlow's own allocators). ``GLASSNET_KEEP_FREED_MEMORY=0`` turns
it off; outside glibc (macOS, Windows, musl) it does nothing.
"""
from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3      # glibc's malloc.h
MMAP_THRESHOLD = 32 << 20                        # the largest glibc takes on 64-bit machines
TRIM_THRESHOLD = 1 << 30

_asked = None          # None: not yet; then whether glibc took both settings


def wanted() -> bool:
    """Not turned off by ``GLASSNET_KEEP_FREED_MEMORY=0`` (or false/no/off), and on Linux."""
    off = os.environ.get("GLASSNET_KEEP_FREED_MEMORY", "").strip().lower() in ("0", "false", "no", "off")
    return sys.platform.startswith("linux") and not off


def _mallopt():
    """glibc's ``mallopt`` from the process's own C library, or None."""
    try:
        fn = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return fn


def keep_freed_memory() -> bool:
    """Ask glibc, once per process, to serve arrays up to 32 MiB from its heap and to keep up to
    1 GiB of freed memory; True if it took both settings (also on later calls)."""
    global _asked
    if _asked is None:
        fn = _mallopt() if wanted() else None
        _asked = bool(fn is not None and fn(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                      and fn(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1)
    return _asked
