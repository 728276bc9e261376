"""CIFAR-100: 60,000 colour pictures of 32x32 in 100 classes, grouped in 20 superclasses.

``load_data(label_mode="fine")`` gives what Keras's ``keras.datasets.cifar100.load_data()``
gives: ``x`` uint8 ``(N, 32, 32, 3)`` (channels last), ``y`` int64 ``(N, 1)``: the 100 fine
classes, or the 20 superclasses with ``label_mode="coarse"``; 50,000 for training and
10,000 for test. Files, download (161 MB, checked against Keras's SHA-256) and safe reading:
``glassnet.datasets._cifar``.

CIFAR-100: A. Krizhevsky, "Learning Multiple Layers of Features from Tiny Images" (2009),
https://www.cs.toronto.edu/~kriz/cifar.html . Not shipped with glassnet.
"""
from __future__ import annotations

import os

from . import _cifar, _fetch

__all__ = ["load_data"]

URL, SHA256 = _cifar.CIFAR100.url, _cifar.CIFAR100.sha256

_urlopen = _fetch.urlopen       # a seam: tests replace it to serve bytes without a network


def load_data(label_mode: str = "fine", path: str | os.PathLike | None = None):
    """``(x_train, y_train), (x_test, y_test)``, as Keras gives them.

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).
        path: the archive ``cifar-100-python.tar.gz``, or a folder holding its ``train`` and
            ``test`` files. ``None`` (default, Keras's only form) looks in glassnet's and
            Keras's caches and downloads otherwise.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'cifar100.load_data: label_mode must be "fine" or "coarse", got {label_mode!r}')
    kind = _cifar.CIFAR100 if label_mode == "fine" else _cifar.CIFAR100_COARSE
    return _cifar.load(kind, f"{label_mode}_labels", path, _urlopen)
