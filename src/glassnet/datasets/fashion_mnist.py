"""Fashion-MNIST: 70,000 grayscale 28x28 pictures of clothes in 10 classes, MNIST's drop-in twin.

TensorFlow's beginner tutorial "Basic classification" trains on it; ``load_data()`` gives
what Keras's ``keras.datasets.fashion_mnist.load_data()`` gives: ``x`` uint8
``(N, 28, 28)`` (0..255), ``y`` uint8 ``(N,)``, 60,000 for training and 10,000 for test.

The classes, in label order: :data:`CLASS_NAMES`.

The four gzip'd IDX files are looked for in ``path`` when given, else in glassnet's cache
(``~/.glassnet/datasets/fashion-mnist``, see :func:`glassnet.datasets.mnist.cache_dir`),
then in Keras's (``~/.keras/datasets/fashion-mnist``, or ``$KERAS_HOME``: a copy TensorFlow
downloaded), and are downloaded into glassnet's cache from Keras's address otherwise.
Keras publishes no hash for them, so a download is checked by reading it (the IDX header,
sizes and label range) before it is kept.

Fashion-MNIST: H. Xiao, K. Rasul and R. Vollgraf, Zalando SE (2017),
https://github.com/zalandoresearch/fashion-mnist , MIT license. Not shipped with glassnet.

>>> import gzip, os, tempfile, numpy as np
>>> def idx(arr):                                   # the IDX layout: header, then the bytes
...     return bytes([0, 0, 8, arr.ndim]) + b"".join(d.to_bytes(4, "big") for d in arr.shape) + arr.tobytes()
>>> with tempfile.TemporaryDirectory() as folder:
...     for name, arr in [("train-images-idx3-ubyte", np.zeros((2, 28, 28), np.uint8)),
...                       ("train-labels-idx1-ubyte", np.array([9, 0], np.uint8)),
...                       ("t10k-images-idx3-ubyte", np.zeros((1, 28, 28), np.uint8)),
...                       ("t10k-labels-idx1-ubyte", np.array([3], np.uint8))]:
...         with gzip.open(os.path.join(folder, name + ".gz"), "wb") as f:
...             _ = f.write(idx(arr))
...     (x_train, y_train), (x_test, y_test) = load_data(path=folder)
>>> x_train.shape, [CLASS_NAMES[k] for k in y_train]
((2, 28, 28), ['Ankle boot', 'T-shirt/top'])
"""
from __future__ import annotations

import os

from . import _fetch, mnist

__all__ = ["load_data", "CLASS_NAMES", "URL"]

#: Where Keras downloads the four files from (each name appended).
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
#: The labels' meaning, 0 to 9.
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
FOLDER = "fashion-mnist"
_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
          "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
_WHO = "fashion_mnist.load_data"

_urlopen = _fetch.urlopen       # a seam: tests replace it to serve bytes without a network


def load_data(path: str | os.PathLike | None = None):
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``, as Keras gives it.

    Args:
        path: a folder holding the four IDX files (``train-images-idx3-ubyte`` ... each
            optionally ``.gz``). ``None`` (default, Keras's only form) looks in the caches
            and downloads when they lack the files.

    Raises:
        FileNotFoundError: ``path`` is not a folder, or lacks a file.
        ValueError: a file is not what it should be (not gzip, IDX header, sizes, labels).
        ConnectionError: the download was needed and failed; the message says where to put
            the files by hand.
    """
    if path is not None:
        folder = os.fspath(path)
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"{_WHO}: path={folder!r} is not a folder (it should hold the "
                                    f"four IDX files: {', '.join(_FILES)})")
        return _checked(mnist.load_idx_folder(folder, _WHO), folder)
    ours = os.path.join(_fetch.cache_dir(), FOLDER)
    keras = os.path.join(_fetch.keras_dir(), FOLDER)
    for folder in (ours, keras):
        if all(os.path.isfile(os.path.join(folder, name)) for name in _FILES):
            return _checked(mnist.load_idx_folder(folder, _WHO), folder)
    _download_into(ours)
    return _checked(mnist.load_idx_folder(ours, _WHO), ours)


def _checked(data, where):
    """Labels 0..9 and images of 28x28, or a ValueError naming the folder."""
    for (x, y), split in zip(data, ("train", "test")):
        if x.shape[1:] != (28, 28):
            raise ValueError(f"{_WHO}: in {where}, the {split} images are {x.shape[1]}x{x.shape[2]}, "
                             f"not 28x28")
        if y.size and y.max() > 9:
            raise ValueError(f"{_WHO}: in {where}, a {split} label is {int(y.max())}, outside 0..9")
    return data


def _download_into(folder):
    """The files the folder lacks, fetched from Keras's address and kept (each written
    atomically) only once all four read as Fashion-MNIST."""
    _fetch.make_folder(folder, _WHO)
    hint = "call load_data(path=...) with a folder of the four IDX files"
    fetched = {}
    for name in _FILES:
        target = os.path.join(folder, name)
        if not os.path.isfile(target):
            fetched[name] = _fetch.fetch(URL + name, None, _WHO, target, hint, _urlopen)

    def read(name):
        if name in fetched:
            return mnist.parse_idx(fetched[name], URL + name, _WHO)
        return mnist.read_idx(os.path.join(folder, name), _WHO)

    try:
        _checked(mnist.idx_splits(lambda base: base + ".gz", read, URL, _WHO), URL)
    except ValueError as e:
        raise ValueError(f"{e}; the download was discarded") from e
    for name, payload in fetched.items():
        _fetch.write(os.path.join(folder, name), payload, _WHO, f"downloaded {URL + name}")
