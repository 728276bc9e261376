"""``tf.signal``: the real-input FFTs that the time-series tutorial plots (``rfft``) and
their inverse (``irfft``), on ``numpy.fft``, over the innermost axis as TensorFlow; and the
short-time Fourier transform the audio tutorial turns into spectrograms: ``frame``, the
``hann_window`` / ``hamming_window`` and ``stft``.

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

__all__ = ["frame", "hamming_window", "hann_window", "irfft", "rfft", "stft"]


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


def _raised_cosine(window_length, periodic, dtype, a, b, who):
    n = int(np.asarray(window_length))
    if n < 0:
        raise ValueError(f"tf.signal.{who}: window_length must be >= 0, got {n}")
    dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    if n == 1:
        return np.ones(1, dtype).view(Tensor)
    # TensorFlow's "periodic" drops the last point only for an even length: an odd one stays symmetric
    denominator = n - 1 + (1 if periodic and n % 2 == 0 else 0)
    count = np.arange(n, dtype=dtype)
    return (dtype.type(a) - dtype.type(b) * np.cos(dtype.type(2 * np.pi) * count / dtype.type(denominator))).view(Tensor)


def hann_window(window_length, periodic=True, dtype=np.float32, name=None):
    """``0.5 - 0.5 cos(2 pi k / N)``, ``k = 0 .. window_length - 1``; ``N = window_length`` when
    ``periodic`` and the length is even, else ``window_length - 1`` (TensorFlow's rule)."""
    return _raised_cosine(window_length, periodic, dtype, 0.5, 0.5, "hann_window")


def hamming_window(window_length, periodic=True, dtype=np.float32, name=None):
    """``0.54 - 0.46 cos(2 pi k / N)``, ``N`` as :func:`hann_window`'s."""
    return _raised_cosine(window_length, periodic, dtype, 0.54, 0.46, "hamming_window")


def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Overlapping frames of ``frame_length`` samples every ``frame_step`` along ``axis``: that axis
    becomes ``(frames, frame_length)``; ``1 + (n - frame_length) // frame_step`` frames (none when the
    signal is shorter), or with ``pad_end`` ``ceil(n / frame_step)``, the end padded with ``pad_value``."""
    x = np.asarray(signal)
    frame_length, frame_step = int(np.asarray(frame_length)), int(np.asarray(frame_step))
    if frame_length <= 0 or frame_step <= 0:
        raise ValueError(f"tf.signal.frame: frame_length and frame_step must be positive, got {frame_length} "
                         f"and {frame_step}")
    if x.ndim == 0:
        raise ValueError("tf.signal.frame: signal must have rank at least 1")
    x = np.moveaxis(x, axis, -1)
    n = x.shape[-1]
    if pad_end:
        frames = -(-n // frame_step)
        need = max(0, (frames - 1) * frame_step + frame_length - n)
        x = np.concatenate([x, np.full(x.shape[:-1] + (need,), pad_value, x.dtype)], axis=-1)
    else:
        frames = max(0, 1 + (n - frame_length) // frame_step)
    starts = np.arange(frames) * frame_step
    out = x[..., starts[:, None] + np.arange(frame_length)] if frames else np.zeros(x.shape[:-1] + (0, frame_length),
                                                                                    x.dtype)
    axis = axis % np.asarray(signal).ndim
    return np.moveaxis(out, (-2, -1), (axis, axis + 1)).view(Tensor)


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window, pad_end=False, name=None):
    """The short-time Fourier transform over the last axis: ``frame`` the signals, multiply each
    frame by ``window_fn(frame_length)``, and ``rfft`` it with ``fft_length`` (default: the smallest
    power of 2 >= frame_length): ``(..., frames, fft_length // 2 + 1)`` complex64 (complex128 for
    float64 signals).

    >>> s = stft(np.zeros(16000, np.float32), frame_length=255, frame_step=128)
    >>> tuple(s.shape), s.dtype.name
    ((124, 129), 'complex64')
    """
    x = np.asarray(signals)
    x = x if x.dtype == np.float64 and isinstance(signals, np.ndarray) else x.astype(np.float32)   # as TF converts
    frame_length = int(np.asarray(frame_length))
    if fft_length is None:
        fft_length = 1 << max(0, (frame_length - 1).bit_length())
    framed = np.asarray(frame(x, frame_length, frame_step, pad_end=pad_end))
    if window_fn is not None:
        framed = framed * np.asarray(window_fn(frame_length, dtype=x.dtype))
    out = np.fft.rfft(framed, n=int(np.asarray(fft_length)), axis=-1)
    return out.astype(np.complex128 if x.dtype == np.float64 else np.complex64).view(Tensor)
