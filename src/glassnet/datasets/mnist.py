"""MNIST, 70,000 handwritten digits of 28x28 pixels, read locally or downloaded once.

``load_data()`` looks for Keras's ``mnist.npz`` in the cache folder
``~/.glassnet/datasets`` (or ``$GLASSNET_HOME/datasets``), then in Keras's own cache
(``~/.keras/datasets``, or ``$KERAS_HOME/datasets``: a copy TensorFlow downloaded, used when
its SHA-256 is Keras's), and downloads it on first use, from the same address Keras uses,
checking its SHA-256. Offline, put the file there
yourself, or pass ``path=`` to a local ``mnist.npz`` or to a folder with the four IDX files
of Yann LeCun's original distribution (``train-images-idx3-ubyte`` ... ``.gz`` or not).

MNIST: Y. LeCun, C. Cortes and C. J. C. Burges, http://yann.lecun.com/exdb/mnist/ ,
distributed under CC BY-SA 3.0. It is not shipped with glassnet (11 MB).

>>> import numpy as np, tempfile, os
>>> with tempfile.TemporaryDirectory() as folder:
...     np.savez(os.path.join(folder, "mnist.npz"),
...              x_train=np.zeros((3, 28, 28), np.uint8), y_train=np.array([0, 1, 2], np.uint8),
...              x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.array([7], np.uint8))
...     (x_train, y_train), (x_test, y_test) = load_data(os.path.join(folder, "mnist.npz"))
>>> x_train.shape, x_train.dtype.name, y_test.tolist()
((3, 28, 28), 'uint8', [7])
"""
from __future__ import annotations

import gzip
import os

import numpy as np

from . import _fetch
from ._fetch import TIMEOUT, cache_dir  # noqa: F401 - mnist.TIMEOUT and mnist.cache_dir, as before

__all__ = ["load_data", "cache_dir", "URL", "SHA256"]

#: Where Keras (and so glassnet) downloads MNIST from.
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
#: SHA-256 of that file; a download that does not match is thrown away.
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
FILENAME = "mnist.npz"

# The four files of the original distribution, as (split, kind) -> base name. Some mirrors
# write ``train-images.idx3-ubyte`` (a dot instead of a dash); both spellings are accepted.
_IDX_NAMES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}
_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path: str | os.PathLike | None = None):
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, exactly as Keras gives it.

    ``x`` is uint8 of shape ``(N, 28, 28)`` with values 0..255 (scale it yourself, e.g.
    ``x / 255.0``); ``y`` is uint8 of shape ``(N,)`` with the digits 0..9. Keras's file
    has 60,000 training and 10,000 test images.

    Args:
        path: a ``.npz`` file with the arrays ``x_train, y_train, x_test, y_test``
            (Keras's ``mnist.npz``), or a folder holding the four IDX files
            (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
            ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each optionally
            ``.gz``), or a folder holding ``mnist.npz``. ``None`` (default) uses the cache
            folder (see :func:`cache_dir`), downloading Keras's file there the first time.

    Raises:
        FileNotFoundError: ``path`` does not exist or lacks the files.
        ValueError: a file is not what it should be (keys, IDX magic number, sizes, hash).
        ConnectionError: the download was needed and failed; the message says where to
            put the file by hand.
    """
    if path is None or (os.fspath(path) == FILENAME and not os.path.exists(FILENAME)):
        return _load_npz(_cached_or_download())     # Keras's own call spells the default: path="mnist.npz"
    path = os.fspath(path)
    if os.path.isdir(path):
        if os.path.isfile(os.path.join(path, FILENAME)):
            return _load_npz(os.path.join(path, FILENAME))
        return load_idx_folder(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"mnist.load_data: {path} does not exist")
    return _load_npz(path)


# --- the .npz file -----------------------------------------------------------------------

def _load_npz(path: str):
    try:
        f = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as e:  # pickled object arrays, or not an npz at all
        raise ValueError(f"mnist.load_data: cannot read {path} as an .npz file ({e})") from e
    if not hasattr(f, "files"):  # np.load returned a bare array (a .npy file)
        raise ValueError(f"mnist.load_data: {path} is a .npy array, not an .npz archive with "
                         f"x_train, y_train, x_test, y_test")
    with f:
        missing = [k for k in _KEYS if k not in f.files]
        if missing:
            raise ValueError(f"mnist.load_data: {path} lacks the arrays {missing}; "
                             f"it has {sorted(f.files)}")
        try:
            x_train, y_train, x_test, y_test = (f[k] for k in _KEYS)
        except ValueError as e:  # object arrays refused by allow_pickle=False
            raise ValueError(f"mnist.load_data: {path} holds arrays that need pickle to "
                             f"load; refused for safety ({e})") from e
    _check_pair(x_train, y_train, "train", path)
    _check_pair(x_test, y_test, "test", path)
    return (x_train, y_train), (x_test, y_test)


def _check_pair(x, y, split, where, who="mnist.load_data"):
    if x.ndim != 3 or y.ndim != 1:
        raise ValueError(f"{who}: in {where}, x_{split} must be (N, rows, cols) and "
                         f"y_{split} (N,); got {x.shape} and {y.shape}")
    if len(x) != len(y):
        raise ValueError(f"{who}: in {where}, x_{split} has {len(x)} images but "
                         f"y_{split} has {len(y)} labels")


# --- the four IDX files ------------------------------------------------------------------

def _find_idx(folder: str, base: str, who: str) -> str:
    spellings = (base, base.replace("-idx", ".idx"))
    for name in spellings:
        for candidate in (name, name + ".gz"):
            full = os.path.join(folder, candidate)
            if os.path.isfile(full):
                return full
    raise FileNotFoundError(
        f"{who}: {folder} lacks the IDX file {base} (or {base}.gz); the four IDX files "
        f"are {', '.join(_IDX_NAMES.values())}")


def read_idx(path: str | os.PathLike, who: str = "mnist.load_data") -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed) of unsigned bytes into a uint8 array.

    The format (http://yann.lecun.com/exdb/mnist/): a big-endian header of two zero bytes,
    a type byte (``0x08`` = unsigned byte), the number of dimensions, then one 4-byte size
    per dimension, then the data. MNIST's magic numbers are 2051 (images) and 2049 (labels).
    """
    path = os.fspath(path)
    with open(path, "rb") as fh:
        return parse_idx(fh.read(), path, who)


def parse_idx(raw: bytes, path: str, who: str = "mnist.load_data") -> np.ndarray:
    """:func:`read_idx` on the bytes of the file ``path`` (gunzipped here when they are gzip's)."""
    if raw[:2] == b"\x1f\x8b":                         # gzip's magic number
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:  # gzip.BadGzipFile is an OSError
            raise ValueError(f"{who}: cannot read {path} ({e})") from e
    elif path.endswith(".gz"):
        raise ValueError(f"{who}: cannot read {path} (not a gzip file)")
    if len(raw) < 4:
        raise ValueError(f"{who}: {path} is too short ({len(raw)} bytes) to be an IDX file")
    magic = int.from_bytes(raw[:4], "big")
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08 or raw[3] not in (1, 3):
        raise ValueError(f"{who}: {path} has magic number {magic} (0x{magic:08x}); "
                         f"an IDX file of images or labels starts with 2049 (labels) or 2051 (images)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{who}: {path} ends inside its header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise ValueError(f"{who}: {path} declares shape {shape} ({expected} bytes of "
                         f"data) but holds {len(raw) - header} bytes after its header")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def load_idx_folder(folder: str, who: str = "mnist.load_data"):
    """``(x_train, y_train), (x_test, y_test)`` from a folder of the four IDX files of MNIST's
    layout (also Fashion-MNIST's), each optionally ``.gz``."""
    return idx_splits(lambda base: _find_idx(folder, base, who), lambda path: read_idx(path, who),
                      folder, who)


def idx_splits(locate, read, where, who):
    """The four arrays of MNIST's IDX layout: ``locate(base name)`` gives each file's name,
    ``read(name)`` its array; each is checked (images 3-D, labels 1-D, as many of each)."""
    out = {}
    for (split, kind), base in _IDX_NAMES.items():
        path = locate(base)
        arr = read(path)
        want = 3 if kind == "images" else 1
        if arr.ndim != want:
            raise ValueError(f"{who}: {path} should hold {kind} ({want}-D) but holds "
                             f"a {arr.ndim}-D array of shape {arr.shape}")
        out[(split, kind)] = arr
    for split in ("train", "test"):
        _check_pair(out[(split, "images")], out[(split, "labels")], split, where, who)
    return ((out[("train", "images")], out[("train", "labels")]),
            (out[("test", "images")], out[("test", "labels")]))


# --- the cache and the download ----------------------------------------------------------

_urlopen = _fetch.urlopen       # a seam: tests replace it to serve bytes without a network


def keras_cache_file() -> str:
    """Where Keras keeps its own copy: ``$KERAS_HOME/datasets/mnist.npz``, else ``~/.keras/...``."""
    return os.path.join(_fetch.keras_dir(), FILENAME)


def _cached_or_download() -> str:
    return _fetch.cached_or_download(
        FILENAME, URL, SHA256, "mnist.load_data",
        "call load_data(path=...) with a local mnist.npz or a folder of the four IDX files", _urlopen)
