"""IMDB movie reviews, 25,000 for training and 25,000 for test, each a list of word ids.

``load_data()`` gives what Keras's ``keras.datasets.imdb.load_data()`` gives: ``x`` a NumPy
array of Python lists of ints (dtype object), ``y`` the 0/1 labels (negative/positive).
Keras's file ``imdb.npz`` holds the reviews with word ``i`` the ``i``-th most frequent word
(1 the most frequent); ``load_data`` then, as Keras does:

1. shuffles each split with ``np.random.RandomState(seed)`` (train first, then test);
2. shifts every id by ``index_from`` (3) and puts ``start_char`` (1) in front, so 0 stays
   for padding, 1 marks the start and 2 (``oov_char``) an out-of-vocabulary word;
3. with ``maxlen``, drops the reviews of ``maxlen`` ids or more (after step 2);
4. replaces each id outside ``skip_top <= id < num_words`` by ``oov_char`` (or drops it when
   ``oov_char`` is None).

``get_word_index()`` is the word -> id table of the file's ids (before the shift: the word of
``x[i][j]`` is the one whose index is ``x[i][j] - index_from``).

The file is looked for in glassnet's cache (``~/.glassnet/datasets``, see
:func:`glassnet.datasets.mnist.cache_dir`), then in Keras's (``~/.keras/datasets``, a copy
TensorFlow downloaded), and downloaded from Keras's address otherwise; its SHA-256 is checked.
``path=`` reads a local file as it is. Its arrays of lists are pickles: they are read by an
unpickler that builds only arrays, lists and numbers.

IMDB: A. L. Maas et al., "Learning Word Vectors for Sentiment Analysis" (ACL 2011). Not
shipped with glassnet (17 MB).

>>> import os, tempfile, numpy as np
>>> reviews = np.empty(2, dtype=object); reviews[0], reviews[1] = [1, 14, 22], [5, 1]
>>> with tempfile.TemporaryDirectory() as folder:
...     np.savez(os.path.join(folder, "imdb.npz"), x_train=reviews, y_train=np.array([1, 0]),
...              x_test=reviews[:1], y_test=np.array([1]))
...     (x_train, y_train), (x_test, y_test) = load_data(os.path.join(folder, "imdb.npz"), num_words=10)
>>> x_train.tolist(), y_train.tolist()
([[1, 4, 2, 2], [1, 8, 4]], [1, 0])
"""
from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from . import _fetch

__all__ = ["load_data", "get_word_index", "URL", "SHA256"]

#: Where Keras downloads ``imdb.npz`` and ``imdb_word_index.json`` from.
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
#: SHA-256 of Keras's ``imdb.npz``.
SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
FILENAME = "imdb.npz"
WORD_INDEX = "imdb_word_index.json"
_KEYS = ("x_train", "y_train", "x_test", "y_test")
_WHO = "imdb.load_data"

_urlopen = _fetch.urlopen       # a seam: tests replace it to serve bytes without a network


def load_data(path: str | os.PathLike = FILENAME, num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3, **kwargs):
    """``(x_train, y_train), (x_test, y_test)``, as Keras's ``imdb.load_data`` (the steps are
    in the module's docstring).

    Args:
        path: Keras's name ``"imdb.npz"`` (default: the caches, else a download), or a local
            ``.npz`` with the arrays ``x_train, y_train, x_test, y_test``.
        num_words: keep the ids below this (the most frequent words); ``None`` keeps all.
        skip_top: ids below this (the most frequent words) become ``oov_char`` too.
        maxlen: drop the reviews of ``maxlen`` ids or more.
        seed: the shuffle's seed.
        start_char, oov_char, index_from: as described in the module's docstring.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not IMDB's layout, an argument is out of range, or ``maxlen``
            keeps no review.
        ConnectionError: a download was needed and failed.
    """
    if kwargs:
        raise TypeError(f"{_WHO}: unrecognized keyword arguments: {sorted(kwargs)}")
    for name, value in (("num_words", num_words), ("maxlen", maxlen)):
        if value is not None and (not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0):
            raise ValueError(f"{_WHO}: {name} must be a non-negative integer or None, got {value!r}")
    x_train, y_train, x_test, y_test = _read(_locate(path))
    rng = np.random.RandomState(seed)
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, y_train = x_train[order], y_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, y_test = x_test[order], y_test[order]

    head = [] if start_char is None else [start_char]
    train = [head + [w + index_from for w in x] for x in x_train]
    test = [head + [w + index_from for w in x] for x in x_test]
    if maxlen:
        train, y_train = _shorter_than(maxlen, train, y_train)
        test, y_test = _shorter_than(maxlen, test, y_test)
        if not train or not test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                             "no sequence was kept. Increase maxlen.")     # (Keras's words)
    xs = train + test
    if not num_words:
        num_words = max(max(x) for x in xs if x) if any(xs) else 0
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    n = len(train)
    labels = np.concatenate([np.asarray(y_train), np.asarray(y_test)])
    # (np.array of lists, as Keras builds it: reviews all of one length make a 2-D object array)
    return (np.array(xs[:n], dtype="object"), labels[:n]), (np.array(xs[n:], dtype="object"), labels[n:])


def get_word_index(path: str | os.PathLike = WORD_INDEX) -> dict:
    """The word -> id table (``{"the": 1, "and": 2, ...}``, ids before the ``index_from``
    shift), as Keras's ``imdb.get_word_index``: from ``path`` when it is a file, else the
    caches, else a download (checked to be a table of words to positive integers)."""
    path = os.fspath(path)
    if os.path.isfile(path):
        return _word_index(open(path, "rb").read(), path)
    for folder in (_fetch.cache_dir(), _fetch.keras_dir()):
        candidate = os.path.join(folder, os.path.basename(path))
        if os.path.isfile(candidate):
            return _word_index(open(candidate, "rb").read(), candidate)
    target = os.path.join(_fetch.cache_dir(), WORD_INDEX)
    raw = _fetch.fetch(URL + WORD_INDEX, None, "imdb.get_word_index", target,
                       "call get_word_index(path=...) with a local imdb_word_index.json", _urlopen)
    table = _word_index(raw, URL + WORD_INDEX)
    _fetch.make_folder(os.path.dirname(target), "imdb.get_word_index")
    _fetch.write(target, raw, "imdb.get_word_index", f"downloaded {URL + WORD_INDEX}")
    return table


def _word_index(raw: bytes, where: str) -> dict:
    try:
        table = json.loads(raw.decode("utf8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError(f"imdb.get_word_index: {where} is not a JSON file ({e})") from e
    if not isinstance(table, dict) or not all(isinstance(k, str) and isinstance(v, int) and v > 0
                                              for k, v in table.items()):
        raise ValueError(f"imdb.get_word_index: {where} is not a table of words to positive integers")
    return table


def _locate(path) -> str:
    path = os.fspath(path)
    if path == FILENAME and not os.path.exists(path):
        return _fetch.cached_or_download(FILENAME, URL + FILENAME, SHA256, _WHO,
                                         "call load_data(path=...) with a local imdb.npz", _urlopen)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{_WHO}: {path} does not exist")
    return path


def _shorter_than(maxlen, xs, ys):
    kept = [i for i, x in enumerate(xs) if len(x) < maxlen]
    return [xs[i] for i in kept], np.asarray(ys)[kept]


def _read(path: str):
    """The four arrays of an ``imdb.npz``; the object arrays read by an unpickler that
    builds only arrays, lists and numbers (a pickle can run code when read)."""
    from ._cifar import _ArraysOnly  # noqa: PLC0415 - the same safe unpickler as CIFAR's files

    arrays = {}
    try:
        with zipfile.ZipFile(path) as z:
            for key in _KEYS:
                try:
                    member = z.open(key + ".npy")
                except KeyError:
                    raise ValueError(f"{_WHO}: {path} lacks the array {key!r} (an imdb.npz holds "
                                     f"{', '.join(_KEYS)})") from None
                with member as f:
                    version = np.lib.format.read_magic(f)
                    shape, fortran, dtype = (np.lib.format.read_array_header_1_0(f) if version == (1, 0)
                                             else np.lib.format.read_array_header_2_0(f))
                    if dtype.hasobject:
                        value = _ArraysOnly(f, encoding="latin1").load()
                    else:
                        value = np.frombuffer(f.read(), dtype=dtype, count=int(np.prod(shape)))
                        value = value.reshape(shape, order="F" if fortran else "C")
                arrays[key] = np.asarray(value)
    except (zipfile.BadZipFile, OSError) as e:
        raise ValueError(f"{_WHO}: cannot read {path} as an .npz file ({e})") from e
    except ValueError:
        raise
    except Exception as e:  # noqa: BLE001 - a refused or broken pickle: not IMDB's file
        raise ValueError(f"{_WHO}: cannot read {path} ({type(e).__name__}: {e})") from e
    for split in ("train", "test"):
        x, y = arrays["x_" + split], arrays["y_" + split]
        if x.ndim < 1 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(f"{_WHO}: in {path}, x_{split} has {len(x) if x.ndim else 0} reviews "
                             f"but y_{split} has shape {y.shape}")
        for i, review in enumerate(x):
            if not all(isinstance(w, (int, np.integer)) for w in review):
                raise ValueError(f"{_WHO}: in {path}, x_{split}[{i}] is not a list of integer word ids")
    return arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"]
