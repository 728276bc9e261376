"""Handwritten digits, 8x8 pixels, shipped inside glassnet (no download).

The data: "Optical Recognition of Handwritten Digits" by E. Alpaydin and C. Kaynak (1998),
UCI Machine Learning Repository, https://doi.org/10.24432/C50P49, licensed under
Creative Commons Attribution 4.0 (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/).
glassnet ships scikit-learn's copy of it (the UCI file ``optdigits.tes``): 1,797 images
of 8x8 pixels, each pixel a count 0..16 of ink in a 4x4 block of a 32x32 scan, labels 0..9.
``tools/build_digits.py`` made ``data/digits.npz`` from it (about 50 KB).

The train/test split is fixed, stratified and stored in the file, so it is the same on
every machine and every NumPy: for each digit, 20% of its images (rounded) were drawn
once with ``numpy.random.default_rng(0)`` for the test set.

==========  ======  =====  ==========================================
classes     train   test   digits
==========  ======  =====  ==========================================
10          1,438   359    0..9 (the default)
2           288     72     0 and 1 (the course's example): 142+146 / 36+36
==========  ======  =====  ==========================================

>>> from glassnet.datasets import digits
>>> (x_train, y_train), (x_test, y_test) = digits.load_data(classes=2)
>>> x_train.shape, y_train.shape, x_test.shape
((288, 64), (288,), (72, 64))
>>> float(x_train.min()), float(x_train.max()), sorted(set(y_train.tolist()))
(0.0, 1.0, [0, 1])
"""
from __future__ import annotations

import os

import numpy as np

__all__ = ["load_data", "TEST_FRACTION", "SEED"]

#: The share of each digit's images held out for testing (rounded per digit).
TEST_FRACTION = 0.2
#: The seed of ``numpy.random.default_rng`` that drew the test images (in tools/build_digits.py).
SEED = 0

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "digits.npz")


def _read_shipped():
    """The four uint8 arrays of the shipped file (read on each call: it is small)."""
    with np.load(_PATH, allow_pickle=False) as f:
        return f["x_train"], f["y_train"], f["x_test"], f["y_test"]


def load_data(classes: int = 10, flatten: bool = True):
    """Load the shipped handwritten digits, split as always into train and test.

    Args:
        classes: how many digits to keep, counted from 0: ``10`` (default) keeps all,
            ``2`` keeps the zeros and ones (the course's binary example), ``k`` keeps
            the digits ``0..k-1``. Labels stay the digits themselves, so they run 0..k-1.
        flatten: ``True`` (default) gives each image as a row of 64 pixels, ready for
            ``Dense``; ``False`` keeps the 8x8 grid (for ``Flatten`` or for plotting).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``, like ``keras.datasets.mnist.load_data``,
        except that the pixels are already scaled: ``x`` is float32 in [0, 1]
        (the raw count divided by 16), of shape ``(N, 64)`` or ``(N, 8, 8)``;
        ``y`` is int64 of shape ``(N,)``. The arrays are fresh copies on each call.

    >>> (x, y), (xt, yt) = load_data()
    >>> x.shape, xt.shape, x.dtype.name, y.dtype.name
    ((1438, 64), (359, 64), 'float32', 'int64')
    >>> load_data(classes=2, flatten=False)[1][0].shape
    (72, 8, 8)
    """
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)):
        raise TypeError(f"load_data: classes must be an int from 2 to 10, got {classes!r}")
    if not 2 <= classes <= 10:
        raise ValueError(f"load_data: classes must be from 2 to 10 (the digits 0..classes-1), "
                         f"got {classes}")
    x_train, y_train, x_test, y_test = _read_shipped()

    def prepare(x, y):
        keep = y < classes
        x = x[keep].astype(np.float32) / np.float32(16.0)
        if flatten:
            x = x.reshape(len(x), -1)
        return x, y[keep].astype(np.int64)

    return prepare(x_train, y_train), prepare(x_test, y_test)
