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
import hashlib
import os
import sys
import time

import numpy as np

__all__ = ["load_data", "cache_dir", "URL", "SHA256"]

#: Where Keras (and so glassnet) downloads MNIST from.
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
#: SHA-256 of that file; a download that does not match is thrown away.
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
FILENAME = "mnist.npz"
#: Seconds to wait for the server to answer (and between chunks): offline fails fast.
TIMEOUT = 10.0

# The four files of the original distribution, as (split, kind) -> base name. Some mirrors
# write ``train-images.idx3-ubyte`` (a dot instead of a dash); both spellings are accepted.
_IDX_NAMES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}
_KEYS = ("x_train", "y_train", "x_test", "y_test")


def cache_dir() -> str:
    """The folder datasets are cached in: ``$GLASSNET_HOME/datasets``, else ``~/.glassnet/datasets``."""
    home = os.environ.get("GLASSNET_HOME") or os.path.join(os.path.expanduser("~"), ".glassnet")
    return os.path.join(home, "datasets")


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
        return _load_idx_folder(path)
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


def _check_pair(x, y, split, where):
    if x.ndim != 3 or y.ndim != 1:
        raise ValueError(f"mnist.load_data: in {where}, x_{split} must be (N, rows, cols) and "
                         f"y_{split} (N,); got {x.shape} and {y.shape}")
    if len(x) != len(y):
        raise ValueError(f"mnist.load_data: in {where}, x_{split} has {len(x)} images but "
                         f"y_{split} has {len(y)} labels")


# --- the four IDX files ------------------------------------------------------------------

def _find_idx(folder: str, base: str) -> str:
    spellings = (base, base.replace("-idx", ".idx"))
    for name in spellings:
        for candidate in (name, name + ".gz"):
            full = os.path.join(folder, candidate)
            if os.path.isfile(full):
                return full
    raise FileNotFoundError(
        f"mnist.load_data: {folder} has neither {FILENAME} nor the IDX file {base} "
        f"(or {base}.gz); the four IDX files are {', '.join(_IDX_NAMES.values())}")


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed) of unsigned bytes into a uint8 array.

    The format (http://yann.lecun.com/exdb/mnist/): a big-endian header of two zero bytes,
    a type byte (``0x08`` = unsigned byte), the number of dimensions, then one 4-byte size
    per dimension, then the data. MNIST's magic numbers are 2051 (images) and 2049 (labels).
    """
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError) as e:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"mnist.load_data: cannot read {path} ({e})") from e
    if len(raw) < 4:
        raise ValueError(f"mnist.load_data: {path} is too short ({len(raw)} bytes) to be an IDX file")
    magic = int.from_bytes(raw[:4], "big")
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08 or raw[3] not in (1, 3):
        raise ValueError(f"mnist.load_data: {path} has magic number {magic} (0x{magic:08x}); "
                         f"an MNIST IDX file starts with 2049 (labels) or 2051 (images)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"mnist.load_data: {path} ends inside its header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise ValueError(f"mnist.load_data: {path} declares shape {shape} ({expected} bytes of "
                         f"data) but holds {len(raw) - header} bytes after its header")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def _load_idx_folder(folder: str):
    out = {}
    for (split, kind), base in _IDX_NAMES.items():
        path = _find_idx(folder, base)
        arr = read_idx(path)
        want = 3 if kind == "images" else 1
        if arr.ndim != want:
            raise ValueError(f"mnist.load_data: {path} should hold {kind} ({want}-D) but holds "
                             f"a {arr.ndim}-D array of shape {arr.shape}")
        out[(split, kind)] = arr
    for split in ("train", "test"):
        _check_pair(out[(split, "images")], out[(split, "labels")], split, folder)
    return ((out[("train", "images")], out[("train", "labels")]),
            (out[("test", "images")], out[("test", "labels")]))


# --- the cache and the download ----------------------------------------------------------

def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _urlopen(url: str, timeout: float):
    """Open ``url`` (a seam: tests replace it to serve bytes without a network)."""
    import urllib.request  # imported here: it is slow to import and rarely needed

    return urllib.request.urlopen(url, timeout=timeout)


def keras_cache_file() -> str:
    """Where Keras keeps its own copy: ``$KERAS_HOME/datasets/mnist.npz``, else ``~/.keras/...``."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets", FILENAME)


def _cached_or_download() -> str:
    folder = cache_dir()
    target = os.path.join(folder, FILENAME)
    keras_copy = keras_cache_file()
    if not os.path.isfile(target) and os.path.isfile(keras_copy) and _sha256(keras_copy) == SHA256:
        return keras_copy                   # TensorFlow downloaded it already: the same file, verified
    if os.path.isfile(target):
        digest = _sha256(target)
        if digest != SHA256:
            raise ValueError(
                f"mnist.load_data: the cached {target} has SHA-256 {digest}, not Keras's "
                f"{SHA256}; delete it to download it again, or pass path= to use it as it is")
        return target
    _download(URL, target, SHA256)
    return target


def _download(url: str, target: str, sha256: str) -> None:
    """Download ``url`` into memory, check it against ``sha256``, then write it to ``target``
    atomically (``glassnet.saving.atomic``: a temporary file in the same folder, fsync,
    rename; never a half-written file). A network failure is a ``ConnectionError``; a
    failure to write the cache (full disk, read-only folder) an ``OSError`` naming it."""
    import http.client  # IncompleteRead (a connection cut mid-file) is not an OSError

    folder = os.path.dirname(target)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise _cache_error(e, f"cannot create the cache folder {folder}") from e
    h, chunks = hashlib.sha256(), []
    try:
        with _urlopen(url, TIMEOUT) as response:
            total = int(response.headers.get("Content-Length") or 0)
            bar = _Progress(url, total)
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                h.update(chunk)
                bar.update(len(chunk))
            bar.close()
    except (OSError, http.client.HTTPException) as e:  # URLError, timeouts, resets...
        raise ConnectionError(
            f"mnist.load_data: could not download {url} ({e}).\n"
            f"Offline? Download it elsewhere and copy it to {target} "
            f"(SHA-256 {sha256}), or set GLASSNET_HOME, or call "
            f"load_data(path=...) with a local mnist.npz or a folder of the four IDX files."
        ) from e
    digest = h.hexdigest()
    if digest != sha256:
        raise ValueError(f"mnist.load_data: the file downloaded from {url} has SHA-256 "
                         f"{digest}, expected {sha256}; it was discarded (corrupted or "
                         f"tampered download). Try again later, or copy a good file to {target}.")
    from ..saving import atomic  # here, not at import: `import glassnet.datasets` stays light

    try:
        atomic.write_bytes(target, b"".join(chunks))
    except OSError as e:
        raise _cache_error(e, f"downloaded {url} but cannot write it to {target}") from e


def _cache_error(e: OSError, what: str) -> OSError:
    """An OSError of the same kind (PermissionError, ...) whose message names the cache."""
    msg = (f"mnist.load_data: {what} ({e.strerror or e}); free some space or fix the "
           f"folder's permissions, set GLASSNET_HOME to another folder, or pass path=")
    return OSError(e.errno, msg) if e.errno is not None else OSError(msg)


class _Progress:
    """A download progress bar on stderr: redrawn in place on a terminal, two lines elsewhere."""

    def __init__(self, url: str, total: int):
        self.total, self.done = total, 0
        self.tty = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        self.start = self.last = time.monotonic()
        size = f" ({total / 1e6:.1f} MB)" if total else ""
        print(f"Downloading {url}{size}",
              file=sys.stderr, flush=True)

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.tty and (now - self.last > 0.1 or self.done == self.total):
            self.last = now
            if self.total:
                frac = min(self.done / self.total, 1.0)
                filled = int(30 * frac)
                line = (f"{'━' * filled}{' ' * (30 - filled)} {self.done / 1e6:5.1f}/"
                        f"{self.total / 1e6:.1f} MB")
            else:
                line = f"{self.done / 1e6:5.1f} MB"
            sys.stderr.write("\r" + line)
            sys.stderr.flush()

    def close(self) -> None:
        seconds = time.monotonic() - self.start
        if self.tty:
            sys.stderr.write("\n")
        print(f"Downloaded {self.done / 1e6:.1f} MB in {seconds:.1f}s", file=sys.stderr, flush=True)
