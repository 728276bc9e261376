"""CIFAR-10 and CIFAR-100: the files of the "python version" and how they are read safely.

Each split is a Python pickle of a dict (``b"data"``: uint8 (N, 3072), the red, green and
blue planes of 32x32 pictures; ``b"labels"``, or ``b"fine_labels"`` and
``b"coarse_labels"``: lists of ints). A pickle can run code when read, so it is read
here, as Keras reads it, by an unpickler that builds nothing but NumPy arrays and Python's
plain values (dicts, lists, bytes, numbers). The archive is downloaded from its authors'
site, checked against Keras's SHA-256, and only the batch files are taken out of it.

The caches looked in, in order: glassnet's (``~/.glassnet/datasets/cifar-10-batches-py``),
then Keras 3's (``~/.keras/datasets/cifar-10-batches-py-target/cifar-10-batches-py``)
and tf.keras 2's (``~/.keras/datasets/cifar-10-batches-py``): a copy TensorFlow extracted;
then the archive itself, put in glassnet's cache by hand or left in Keras's by TensorFlow
(``cifar-10-batches-py-target_archive``, ``cifar-10-batches-py.tar.gz``), each checked
against Keras's SHA-256.
Batches found nowhere are downloaded, read, and kept in glassnet's cache.
"""
from __future__ import annotations

import io
import os
import pickle
from dataclasses import dataclass, replace

import numpy as np

from . import _fetch


@dataclass(frozen=True)
class Kind:
    who: str                      # "cifar10.load_data", for messages
    url: str
    sha256: str
    folder: str                   # the archive's folder, and the cache's
    train: tuple                  # the training files, in order
    test: str
    classes: int


CIFAR10 = Kind("cifar10.load_data", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
               "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
               "cifar-10-batches-py", tuple(f"data_batch_{i}" for i in range(1, 6)), "test_batch", 10)
CIFAR100 = Kind("cifar100.load_data", "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
                "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
                "cifar-100-python", ("train",), "test", 100)
CIFAR100_COARSE = replace(CIFAR100, classes=20)        # the same files, the 20 superclasses


def _reconstruct():
    try:
        from numpy._core.multiarray import _reconstruct  # noqa: PLC0415 - NumPy 2
    except ImportError:                                   # NumPy 1
        from numpy.core.multiarray import _reconstruct  # noqa: PLC0415
    return _reconstruct


class _ArraysOnly(pickle.Unpickler):
    """An unpickler that builds NumPy arrays and plain values, and refuses anything else."""

    def find_class(self, module, name):
        if name == "_reconstruct" and module in ("numpy.core.multiarray", "numpy._core.multiarray"):
            return _reconstruct()
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        raise pickle.UnpicklingError(f"refused to build {module}.{name}: a CIFAR file holds only "
                                     f"arrays, lists and numbers")


def read_batch(raw: bytes, where: str, label_key: str, who: str):
    """``(x, y)`` of one batch file's bytes: x uint8 (N, 3, 32, 32), y a list of ints."""
    try:
        d = _ArraysOnly(io.BytesIO(raw), encoding="bytes").load()
    except Exception as e:  # noqa: BLE001 - any failure to read is the same answer: not a CIFAR file
        raise ValueError(f"{who}: cannot read {where} as a CIFAR batch ({type(e).__name__}: {e})") from e
    if not isinstance(d, dict):
        raise ValueError(f"{who}: {where} holds a {type(d).__name__}, not a CIFAR batch's dict")
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    data, labels = d.get("data"), d.get(label_key)
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        got = f"{data.dtype} {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise ValueError(f"{who}: in {where}, 'data' should be uint8 (N, 3072) but is {got}")
    if not isinstance(labels, (list, np.ndarray)) or len(labels) != len(data):
        raise ValueError(f"{who}: in {where}, '{label_key}' should be a list of {len(data)} labels")
    return data.reshape(len(data), 3, 32, 32), labels


def load(kind: Kind, label_key: str, path, opener):
    """``(x_train, y_train), (x_test, y_test)`` as Keras gives them: channels last, labels
    (N, 1). ``opener`` downloads (the public module's ``_urlopen``, a seam for tests)."""
    files, downloaded = _files(kind, path, opener)
    parts = [read_batch(files[name], name, label_key, kind.who) for name in kind.train]
    x_test, y_test = read_batch(files[kind.test], kind.test, label_key, kind.who)
    x_train = np.concatenate([x for x, _ in parts]) if len(parts) > 1 else parts[0][0]
    y_train = np.array([label for _, y in parts for label in y])
    y_test = np.array(y_test)
    for y, split in ((y_train, "train"), (y_test, "test")):
        if y.size and (y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= kind.classes):
            raise ValueError(f"{kind.who}: a {split} label is not an integer in 0..{kind.classes - 1}")
    if kind is CIFAR10:                  # Keras fills uint8 arrays with CIFAR-10's labels, and
        y_train, y_test = y_train.astype(np.uint8), y_test.astype(np.uint8)   # keeps CIFAR-100's int64
    if downloaded:                       # read as CIFAR: now worth keeping
        ours = os.path.join(_fetch.cache_dir(), kind.folder)
        for name, raw in files.items():
            _fetch.write(os.path.join(ours, name), raw, kind.who, f"downloaded {kind.url}")
    channels_last = (0, 2, 3, 1)
    return ((np.ascontiguousarray(x_train.transpose(channels_last)), y_train.reshape(-1, 1)),
            (np.ascontiguousarray(x_test.transpose(channels_last)), y_test.reshape(-1, 1)))


def _files(kind, path, opener):
    """``(the batch files' bytes by name, downloaded?)``: from ``path`` (a folder or the
    archive) when given, else from a cache, else downloaded."""
    names = (*kind.train, kind.test)
    if path is not None:
        path = os.fspath(path)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                return _from_archive(f.read(), path, kind), False
        for folder in (path, os.path.join(path, kind.folder)):
            if all(os.path.isfile(os.path.join(folder, n)) for n in names):
                return _read_all(folder, names), False
        raise FileNotFoundError(f"{kind.who}: {path} is neither the archive ({os.path.basename(kind.url)}) "
                                f"nor a folder holding {', '.join(names)}")
    ours = os.path.join(_fetch.cache_dir(), kind.folder)
    keras = _fetch.keras_dir()
    for folder in (ours, os.path.join(keras, kind.folder + "-target", kind.folder),
                   os.path.join(keras, kind.folder)):
        if all(os.path.isfile(os.path.join(folder, n)) for n in names):
            return _read_all(folder, names), False
    archive = os.path.join(_fetch.cache_dir(), os.path.basename(kind.url))
    if os.path.isfile(archive):          # put there by hand: Keras's file, checked, then unpacked
        digest = _fetch.sha256(archive)
        if digest != kind.sha256:
            raise ValueError(f"{kind.who}: {archive} has SHA-256 {digest}, not Keras's {kind.sha256}; "
                             f"delete it to download it again, or pass path= to use it as it is")
        with open(archive, "rb") as f:
            return _from_archive(f.read(), archive, kind), True
    # the archive as Keras 3 (".../cifar-10-batches-py-target_archive") or tf.keras 2
    # (".../cifar-10-batches-py.tar.gz") downloaded it: used when it is Keras's file
    for theirs in (os.path.join(keras, kind.folder + "-target_archive"), os.path.join(keras, kind.folder + ".tar.gz")):
        if os.path.isfile(theirs) and _fetch.sha256(theirs) == kind.sha256:
            with open(theirs, "rb") as f:
                return _from_archive(f.read(), theirs, kind), True
    hint = "call load_data(path=...) with the archive or the folder of its batch files"
    _fetch.make_folder(ours, kind.who)
    raw = _fetch.fetch(kind.url, kind.sha256, kind.who, archive, hint, opener)
    return _from_archive(raw, kind.url, kind), True


def _read_all(folder, names):
    out = {}
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            out[name] = f.read()
    return out


def _from_archive(raw, where, kind):
    """The batch files inside the ``.tar.gz`` ``raw``, by name; only those, nothing extracted."""
    import tarfile  # noqa: PLC0415 - only when an archive is read

    names, out = {*kind.train, kind.test}, {}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:*") as tar:
            for member in tar:
                folder, _, name = member.name.rpartition("/")
                if member.isfile() and name in names and folder.endswith(kind.folder):
                    out[name] = tar.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError) as e:
        raise ValueError(f"{kind.who}: cannot read {where} as a .tar.gz archive ({e})") from e
    missing = sorted(names - out.keys())
    if missing:
        raise ValueError(f"{kind.who}: the archive {where} lacks {kind.folder}/{', '.join(missing)}")
    return out
