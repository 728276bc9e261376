"""Fast paths for the image layers: the same numbers as their readable code, in fewer passes.

``layers/conv.py`` and ``layers/pooling.py`` hold the algorithm (read those); they ask this
module first, through one named call each, and fall back to their own NumPy lines when it
answers ``None``:

=============================  =====================================================
``max_pool_2d``                MaxPooling2D forward, strides = pool size, no padding:
                               the max and the position that won, one pass
``max_pool_2d_backward``       its backward: the gradient written at the winners
``scatter_patches``            the transpose of the patch extraction (Conv2D's dX)
``relu_backward``              ``dA * (Z > 0)`` in one pass (Conv layers with relu)
=============================  =====================================================

Each one is a loop compiled by numba (``glassnet._fast_conv_numba``), used when numba is
installed (``pip install glassnet[speed]``) and ``glassnet.fast.set_kernels`` is not
``"numpy"``. The loops keep NumPy's order of operations, so a model trains to the same
weights either way (tests/test_fast_conv.py). One training step of Keras's simple MNIST
convnet at batch 128 went from ~78 ms to ~?? ms with them (bench/conv.py, docs/images.md).

>>> import numpy as np, glassnet
>>> pool = glassnet.layers.MaxPooling2D(2)
>>> pool(np.arange(16.0, dtype="float32").reshape(1, 4, 4, 1))[0, :, :, 0].tolist()
[[5.0, 7.0], [13.0, 15.0]]
"""
from __future__ import annotations

import importlib.util

import numpy as np

_kernels = None          # the compiled module once loaded, False when numba is missing or broken


def _numba():
    """``glassnet._fast_conv_numba`` when it may be used now, else None."""
    global _kernels
    from . import fast  # noqa: PLC0415 - the kernel choice lives there
    if fast.kernels() == "numpy":
        return None
    if _kernels is None:
        _kernels = False
        if importlib.util.find_spec("numba") is not None:
            try:
                from . import _fast_conv_numba  # noqa: PLC0415 - optional, imported when first needed
                _kernels = _fast_conv_numba
            except Exception:   # noqa: BLE001 - a broken numba install: the readable path is exact too
                _kernels = False
    return _kernels or None


def _plain(*arrays) -> bool:
    """Arrays the loops take: C-contiguous float32 / float64, one dtype."""
    return all(a.flags.c_contiguous and a.dtype == arrays[0].dtype and a.dtype in (np.float32, np.float64)
               for a in arrays)


def max_pool_2d(x, pool_size, strides, padding):
    """``(y, won)`` for a 2-D max pooling whose windows tile the image (strides = pool size,
    ``"valid"``), else None. ``won[n, i, j, c]`` is the position ``a * pw + b`` that won."""
    k = _numba()
    if (k is None or x.ndim != 4 or tuple(strides) != tuple(pool_size) or padding != "valid"
            or pool_size[0] * pool_size[1] > 255 or not _plain(x)):
        return None
    ph, pw = pool_size
    shape = (x.shape[0], x.shape[1] // ph, x.shape[2] // pw, x.shape[3])
    y = np.empty(shape, x.dtype)
    won = np.empty(shape, np.uint8)
    k.max_pool_2d(x, ph, pw, y, won)
    return y, won


def max_pool_2d_backward(grad, won, input_shape, pool_size):
    """dX of :func:`max_pool_2d`: each window's gradient at the position that won."""
    k = _numba()
    grad = np.ascontiguousarray(grad)
    dx = np.empty(input_shape, grad.dtype)              # every window's pixels are written;
    dx[:, grad.shape[1] * pool_size[0]:] = 0            # the rows and columns no window covers
    dx[:, :, grad.shape[2] * pool_size[1]:] = 0         # get no gradient
    k.max_pool_2d_backward(grad, won, pool_size[0], pool_size[1], dx)
    return dx


def scatter_patches(dpatches, padded_shape, strides, dilation):
    """``layers.conv.scatter_patches`` for 2-D patches in one pass, else None."""
    k = _numba()
    if k is None or dpatches.ndim != 6 or not _plain(dpatches):
        return None
    dx = np.zeros(padded_shape, dpatches.dtype)
    k.scatter_patches_2d(dpatches, strides[0], strides[1], dilation[0], dilation[1], dx)
    return dx


def relu_backward(z, grad):
    """``grad * (z > 0)`` in one pass, else None."""
    k = _numba()
    if k is None or z.shape != grad.shape or not _plain(z, grad):
        return None
    out = np.empty_like(grad)
    k.relu_backward(z.reshape(-1), grad.reshape(-1), out.reshape(-1))
    return out


def extract_patches(xpad, kernel_size, strides, dilation, reuse=None):
    """The patch matrix ``P`` (one row per window) of ``layers.conv.extract_patches``, copied
    in one pass into ``reuse`` when that array has the right shape (the last step's ``P``;
    no new 18 MB each step), else None when the loops cannot be used."""
    k = _numba()
    if k is None or xpad.ndim != 4 or not _plain(xpad):
        return None
    out_sp = tuple((n - (kk - 1) * d - 1) // s + 1
                   for n, kk, s, d in zip(xpad.shape[1:3], kernel_size, strides, dilation))
    shape = (xpad.shape[0],) + out_sp + tuple(kernel_size) + (xpad.shape[3],)
    rows, cols = shape[0] * out_sp[0] * out_sp[1], kernel_size[0] * kernel_size[1] * xpad.shape[3]
    if reuse is None or reuse.shape != (rows, cols) or reuse.dtype != xpad.dtype or not reuse.flags.c_contiguous:
        reuse = np.empty((rows, cols), xpad.dtype)
    k.extract_patches_2d(xpad, strides[0], strides[1], dilation[0], dilation[1], reuse.reshape(shape))
    return reuse


def add_bias_relu(z, bias):
    """``z += bias; return relu(z)`` in one pass over ``z`` (rows x filters), else None."""
    k = _numba()
    if k is None or z.ndim != 2 or not _plain(z, bias):
        return None
    a = np.empty_like(z)
    k.add_bias_relu(z, bias, a)
    return a


def bias_gradient(dz_rows):
    """``np.add.reduce(dz_rows, axis=0)`` (rows in order, the same sum) in one pass, else None."""
    k = _numba()
    if k is None or dz_rows.ndim != 2 or dz_rows.shape[1] < 2 or dz_rows.shape[0] < 1 or not _plain(dz_rows):
        return None
    out = np.empty(dz_rows.shape[1], dz_rows.dtype)
    k.column_sums(dz_rows, out)
    return out
