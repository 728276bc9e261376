"""``tf.signal``: the real-input FFTs that the time-series tutorial plots (``rfft``) and
their inverse (``irfft``), on ``numpy.fft``, over the innermost axis as TensorFlow.

Dtypes follow TensorFlow: a float64 *Tensor* gives complex128; anything else (NumPy arrays,
pandas Series, lists, integers) is read as float32 first and gives complex64. These are
forward only: they have no backward, so a tape does not see through them.

>>> import numpy as np
>>> rfft(np.arange(4.0)).numpy().tolist()
[(6+0j), (-2+2j), (-2+0j)]
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor

__all__ = ["irfft", "rfft"]


def _length(fft_length, what):
    if fft_length is None:
        return None
    n = np.asarray(fft_length).reshape(-1)
    if n.size != 1 or n.dtype.kind not in "iu" or int(n[0]) < 0:
        raise ValueError(f"tf.signal.{what}: fft_length must be one non-negative integer (as [n]), "
                         f"got {fft_length!r}")
    return int(n[0])


def rfft(input_tensor, fft_length=None, name=None):
    """The FFT of a real signal over its last axis: ``fft_length // 2 + 1`` frequencies
    (``fft_length`` defaults to the axis's length; shorter crops, longer pads with zeros)."""
    if isinstance(input_tensor, Tensor) and input_tensor.dtype == np.float64:
        x = np.asarray(input_tensor)
    else:
        x = np.asarray(input_tensor, dtype=np.float32)
    if x.ndim == 0:
        raise ValueError("tf.signal.rfft: input_tensor must have rank at least 1 (the signal is its last axis)")
    out = np.fft.rfft(x, n=_length(fft_length, "rfft"), axis=-1)
    return out.astype(np.complex128 if x.dtype == np.float64 else np.complex64).view(Tensor)


def irfft(input_tensor, fft_length=None, name=None):
    """The inverse of :func:`rfft`: a real signal of ``fft_length`` samples (default
    ``2 * (n - 1)`` for ``n`` frequencies)."""
    z = np.asarray(input_tensor)
    if z.ndim == 0:
        raise ValueError("tf.signal.irfft: input_tensor must have rank at least 1")
    if z.dtype.kind != "c":
        raise TypeError(f"tf.signal.irfft: input_tensor must be complex (an rfft's output), got {z.dtype}")
    n = _length(fft_length, "irfft")
    out = np.fft.irfft(z, n=2 * (z.shape[-1] - 1) if n is None else n, axis=-1)
    return out.astype(np.float64 if z.dtype == np.complex128 else np.float32).view(Tensor)
