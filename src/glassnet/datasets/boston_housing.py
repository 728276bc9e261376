"""Boston housing: 506 Boston suburbs of the 1970s, 13 features each, and the median home
value (in $1000s) to predict; the regression example of many first books on Keras.

``load_data()`` gives what Keras's ``keras.datasets.boston_housing.load_data()`` gives,
split the same way (the rows shuffled by ``np.random.RandomState(seed)``, the last
``test_split`` of them for test): ``x`` float64 ``(N, 13)``, ``y`` float64 ``(N,)``.

The file is Keras's ``boston_housing.npz``, found in glassnet's cache
(``~/.glassnet/datasets``), then in Keras's (``~/.keras/datasets``, or ``$KERAS_HOME``),
else downloaded from Keras's address; each copy is checked against Keras's SHA-256.

Data: D. Harrison and D. L. Rubinfeld (1978), via StatLib. Its authors built a feature
from the share of Black residents by town (``B``); it is kept, as Keras keeps it, but
the dataset is a poor basis for anything but an exercise.

>>> import os, tempfile, numpy as np
>>> with tempfile.TemporaryDirectory() as folder:
...     np.savez(os.path.join(folder, "boston_housing.npz"), x=np.arange(130.0).reshape(10, 13),
...              y=np.arange(10.0))
...     (x_train, y_train), (x_test, y_test) = load_data(path=os.path.join(folder, "boston_housing.npz"))
>>> x_train.shape, x_test.shape, y_test.dtype.name
((8, 13), (2, 13), 'float64')
"""
from __future__ import annotations

import os

import numpy as np

from . import _fetch

__all__ = ["load_data", "URL", "SHA256"]

#: Where Keras downloads the file from.
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
#: Keras's SHA-256 of that file.
SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"
FILENAME = "boston_housing.npz"
_WHO = "boston_housing.load_data"

_urlopen = _fetch.urlopen       # a seam: tests replace it to serve bytes without a network


def load_data(path: str | os.PathLike = FILENAME, test_split: float = 0.2, seed: int = 113):
    """``(x_train, y_train), (x_test, y_test)``, as Keras splits them.

    Args:
        path: a local ``.npz`` with arrays ``x`` (N, features) and ``y`` (N,); Keras's
            default name looks in the caches, downloading once.
        test_split: the share of rows kept for test, in [0, 1).
        seed: the shuffle's seed (``np.random.RandomState``), 113 as in Keras.
    """
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) or not 0 <= test_split < 1:
        raise ValueError(f"{_WHO}: test_split must be a number in [0, 1), got {test_split!r}")
    file = _find(os.fspath(path))
    try:
        with np.load(file, allow_pickle=False) as f:
            missing = [k for k in ("x", "y") if k not in getattr(f, "files", ())]
            if missing:
                raise KeyError(missing[0])
            x, y = f["x"], f["y"]
    except KeyError as e:
        raise ValueError(f"{_WHO}: {file} lacks the array {e}; it should hold x and y") from None
    except (ValueError, OSError) as e:      # pickled object arrays, or not an npz at all
        raise ValueError(f"{_WHO}: cannot read {file} as an .npz of numbers ({e})") from e
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"{_WHO}: in {file}, x must be (N, features) and y (N,); got {x.shape} and {y.shape}")
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def _find(path):
    if path != FILENAME or os.path.exists(path):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{_WHO}: {path} does not exist")
        return path
    return _fetch.cached_or_download(FILENAME, URL, SHA256, _WHO,
                                     "call load_data(path=...) with a local boston_housing.npz", _urlopen)
