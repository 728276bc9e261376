"""CIFAR-10: 60,000 colour pictures of 32x32 in 10 classes (TensorFlow's CNN tutorial).

``load_data()`` gives what Keras's ``keras.datasets.cifar10.load_data()`` gives: ``x``
uint8 ``(N, 32, 32, 3)`` (channels last, 0..255), ``y`` uint8 ``(N, 1)``; 50,000 for
training (the five batches in order) and 10,000 for test. The classes, in label order:
:data:`CLASS_NAMES`. Where it looks for the files, how it downloads them (163 MB, checked
against Keras's SHA-256) and how it reads them without running code: ``glassnet.datasets._cifar``.

CIFAR-10: A. Krizhevsky, "Learning Multiple Layers of Features from Tiny Images" (2009),
https://www.cs.toronto.edu/~kriz/cifar.html . Not shipped with glassnet.
"""
from __future__ import annotations

import os

from . import _cifar, _fetch

__all__ = ["load_data", "CLASS_NAMES"]

#: The labels' meaning, 0 to 9.
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck")
URL, SHA256 = _cifar.CIFAR10.url, _cifar.CIFAR10.sha256

_urlopen = _fetch.urlopen       # a seam: tests replace it to serve bytes without a network


def load_data(path: str | os.PathLike | None = None):
    """``(x_train, y_train), (x_test, y_test)``, as Keras gives them.

    Args:
        path: the archive ``cifar-10-python.tar.gz``, or a folder holding its batch files
            (``data_batch_1`` ... ``data_batch_5``, ``test_batch``). ``None`` (default, Keras's
            only form) looks in glassnet's and Keras's caches and downloads otherwise.
    """
    return _cifar.load(_cifar.CIFAR10, "labels", path, _urlopen)
