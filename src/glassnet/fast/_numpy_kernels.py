"""NumPy's own compiled kernels as C function pointers, for numba loops that must give NumPy's
numbers bit for bit: the BLAS ``gemm`` that ``np.matmul`` calls (NumPy's bundled OpenBLAS, the
same library and the same arguments), and the inner loops of ``np.exp`` and ``np.tanh`` (NumPy's
SIMD ones, looked up in the ufunc's table of loops).

Why: an LSTM step is two small matmuls, an exp, two tanh and a few elementwise passes; called
from Python, each call costs 1-2 us of dispatch, about a fifth of the step at bench/lstm.py's
size. A numba loop that calls these same kernels runs the whole recurrence in one call.
numba's own ``exp``/``tanh`` differ from NumPy's in the last bit, and numba's ``np.dot`` needs
SciPy's BLAS, another library: hence NumPy's own.

Nothing is trusted unchecked: :func:`kernels` calls each pointer on test arrays (strided and
transposed operands, extremes for exp and tanh) and compares with NumPy's own call bit for bit.
Anything missing (another BLAS, a NumPy whose ufunc struct differs, a free-threaded Python) or
different gives None, and the caller keeps calling NumPy from Python.
"""
from __future__ import annotations

import ctypes
import glob
import os
import sys
import sysconfig

import numpy as np

_found = {}                  # dtype -> (gemm, exp, tanh) or None


class _UFunc(ctypes.Structure):
    """The first fields of NumPy's ``PyUFuncObject`` (numpy/ufuncobject.h), after ``PyObject_HEAD``."""
    _fields_ = [("ob_refcnt", ctypes.c_ssize_t), ("ob_type", ctypes.c_void_p),
                ("nin", ctypes.c_int), ("nout", ctypes.c_int), ("nargs", ctypes.c_int), ("identity", ctypes.c_int),
                ("functions", ctypes.POINTER(ctypes.c_void_p)), ("data", ctypes.POINTER(ctypes.c_void_p)),
                ("ntypes", ctypes.c_int), ("reserved1", ctypes.c_int),
                ("name", ctypes.c_void_p), ("types", ctypes.POINTER(ctypes.c_char))]


# void loop(char **args, npy_intp const *dimensions, npy_intp const *steps, void *data)
_LOOP = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)


def _ufunc_loop(ufunc, dtype):
    """``ufunc``'s inner loop for ``dtype -> dtype`` (a one-input ufunc), or None."""
    if sysconfig.get_config_var("Py_GIL_DISABLED"):       # another object header
        return None
    s = _UFunc.from_address(id(ufunc))
    if s.ob_type != id(type(ufunc)) or (s.nin, s.nout, s.nargs) != (1, 1, 2) or not 0 < s.ntypes < 256 \
            or not s.name:                                # not the layout above: no pointer is followed
        return None
    if ctypes.string_at(s.name) != ufunc.__name__.encode():
        return None
    code = bytes([dtype.num])
    for i in range(s.ntypes):
        if s.types[2 * i] == code and s.types[2 * i + 1] == code:
            if s.data[i]:                                 # a loop that needs its data pointer: not ours
                return None
            return _LOOP(s.functions[i])
    return None


def _openblas():
    """NumPy's bundled OpenBLAS (already loaded by NumPy: dlopen finds the same copy), or None."""
    here = os.path.dirname(np.__file__)
    for path in (glob.glob(os.path.join(os.path.dirname(here), "numpy.libs", "*openblas*"))     # Linux, Windows
                 + glob.glob(os.path.join(here, ".dylibs", "*openblas*"))):                    # macOS
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _gemm(lib, dtype):
    """``cblas_?gemm`` with 64-bit integers (NumPy's ILP64 OpenBLAS), or None."""
    real = ctypes.c_float if dtype == np.float32 else ctypes.c_double
    i64, ptr = ctypes.c_int64, ctypes.c_void_p
    proto = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_int, ctypes.c_int, i64, i64, i64, real, ptr, i64,
                             ptr, i64, real, ptr, i64)
    letter = "s" if dtype == np.float32 else "d"
    for symbol in (f"scipy_cblas_{letter}gemm64_", f"cblas_{letter}gemm64_"):
        fn = getattr(lib, symbol, None)
        if fn is not None:
            return proto(ctypes.cast(fn, ctypes.c_void_p).value)
    return None


def kernels(dtype):
    """``(gemm, exp, tanh)`` for ``dtype`` (float32 or float64), each checked bit for bit against
    NumPy's own call, or None. ``gemm`` is ``cblas_?gemm(order, transA, transB, M, N, K, alpha, A,
    lda, B, ldb, beta, C, ldc)``; ``exp``, ``tanh`` are ufunc loops ``(args, dimensions, steps, data)``."""
    dtype = np.dtype(dtype)
    if dtype not in _found:
        _found[dtype] = None
        try:
            _found[dtype] = _checked(dtype)
        except Exception:   # noqa: BLE001 - anything unexpected: NumPy's calls from Python, as before
            _found[dtype] = None
    return _found[dtype]


def _checked(dtype):
    if sys.byteorder != "little" or dtype not in (np.float32, np.float64):
        return None
    lib = _openblas()
    gemm = _gemm(lib, dtype) if lib is not None else None
    exp, tanh = _ufunc_loop(np.exp, dtype), _ufunc_loop(np.tanh, dtype)
    if gemm is None or exp is None or tanh is None:
        return None
    from . import _numba_recurrent as k  # noqa: PLC0415 - numba: the caller has it
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(1000) * 40).astype(dtype)
    x[:6] = [0, -0.0, 1e-30, -1e-30, 1e4, -1e4]
    for loop, ufunc in ((exp, np.exp), (tanh, np.tanh)):
        out = np.empty_like(x)
        k.call_loop(loop, x, out)
        with np.errstate(all="ignore"):
            if not np.array_equal(ufunc(x), out, equal_nan=True):
                return None
    for m, kk, n in ((64, 64, 256), (37, 13, 52), (2, 2, 2)):
        big = rng.standard_normal((m, 3, kk)).astype(dtype)[:, 1]      # strided rows, as x_t of (batch, T, F)
        b = rng.standard_normal((kk, n)).astype(dtype)
        out = np.empty((m, n), dtype)
        k.call_gemm(gemm, big, b, False, out)
        if not np.array_equal(out, np.matmul(big, b)):
            return None
        c = rng.standard_normal((m, n)).astype(dtype)
        back = np.empty((m, kk), dtype)
        k.call_gemm(gemm, c, b, True, back)                             # c b^T, b^T a transposed view
        if not np.array_equal(back, np.matmul(c, b.T)):
            return None
    return gemm, exp, tanh
