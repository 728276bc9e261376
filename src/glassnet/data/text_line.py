"""``tf.data.TextLineDataset``: the lines of text files, streamed, as ``bytes`` scalars.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
>>> _ = open(path, "w").write("first\\r\\nsecond\\n")
>>> [line.numpy() for line in TextLineDataset(path)]
[b'first', b'second']

Each line comes without its ``\\n`` (nor a ``\\r`` before it); the file is read a buffer at a
time, so a file of any size takes little memory. ``compression_type`` ``"GZIP"`` or
``"ZLIB"`` reads compressed files. Several files are read one after the other, or with
``num_parallel_reads=n`` interleaved a line at a time across ``n`` open files, as
TensorFlow does. A missing file is an error when the pass reaches it, naming the file.
The helpers here (file names, opening) serve the CSV readers too.
"""
from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

from .combine import interleave_runs
from .dataset import Dataset
from .structure import TensorSpec

__all__ = ["TextLineDataset", "file_names", "open_binary", "raw_lines"]

_COMPRESSIONS = (None, "", "GZIP", "ZLIB")


def check_compression(compression_type, who):
    if isinstance(compression_type, bytes):
        compression_type = compression_type.decode()
    if compression_type not in _COMPRESSIONS:
        raise ValueError(f"{who}: compression_type must be None, '', 'GZIP' or 'ZLIB', got {compression_type!r}")
    return compression_type or None


def _name(value, who) -> str:
    """One file name from a str, bytes, path or 0-d string tensor."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.view(np.ndarray)[()]
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    raise TypeError(f"{who}: filenames must be strings (a name, a list of names, a string tensor or a Dataset "
                    f"of them), got {type(value).__name__} {value!r}")


def file_names(filenames, who):
    """A function giving the file names of ``filenames`` for one pass: a name, a list or
    array of names, or a Dataset of string scalars (read when the pass starts)."""
    if isinstance(filenames, Dataset):
        return lambda: (_name(f, who) for f in filenames._run())
    if isinstance(filenames, np.ndarray):
        names = [_name(f, who) for f in filenames.view(np.ndarray).reshape(-1).tolist()]
    elif isinstance(filenames, (list, tuple)):
        names = [_name(f, who) for f in filenames]
    else:
        names = [_name(filenames, who)]
    if not names:
        raise ValueError(f"{who}: filenames is empty")
    return lambda: iter(names)


def open_binary(path: str, compression_type, buffer_size, who):
    """``path`` opened for reading bytes (decompressed), or an error naming it."""
    try:
        raw = open(path, "rb", buffering=buffer_size if buffer_size and buffer_size > 0 else -1)
    except FileNotFoundError:
        raise FileNotFoundError(f"{who}: no such file: {path}") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"{who}: {path} is a folder, not a file") from None
    if compression_type == "GZIP":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression_type == "ZLIB":
        return _ZlibReader(raw)
    return raw


class _ZlibReader:
    """A zlib stream (TensorFlow's "ZLIB": RFC 1950, with its header) as a file: of lines
    (iterated), or of bytes (``read(n)``, for TFRecord files)."""

    def __init__(self, raw):
        self.raw, self.inflate, self.rest = raw, zlib.decompressobj(), b""

    def read(self, n):
        while len(self.rest) < n:
            chunk = self.raw.read(1 << 16)
            if not chunk:
                self.rest += self.inflate.flush()
                break
            self.rest += self.inflate.decompress(chunk)
        out, self.rest = self.rest[:n], self.rest[n:]
        return out

    def __iter__(self):
        while True:
            chunk = self.raw.read(1 << 16)
            data = self.inflate.decompress(chunk) if chunk else self.inflate.flush()
            data, self.rest = self.rest + data, b""
            *lines, self.rest = data.split(b"\n")
            for line in lines:
                yield line + b"\n"
            if not chunk:
                if self.rest:
                    yield self.rest
                return

    def close(self):
        self.raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def raw_lines(path, compression_type, buffer_size, who):
    """``(line number from 1, the line's bytes with its ending)`` of one file, streamed;
    damaged compressed data is an error naming the file."""
    with open_binary(path, compression_type, buffer_size, who) as f:
        try:
            yield from enumerate(f, 1)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(f"{who}: {path} could not be decompressed as {compression_type}: {error}") from None


def _strip(line: bytes) -> bytes:
    if line.endswith(b"\n"):
        line = line[:-1]
    return line[:-1] if line.endswith(b"\r") else line


def _lines(filenames, compression_type, buffer_size, num_parallel_reads, who):
    """The run function of a TextLineDataset: every line of every file, in TensorFlow's order."""
    compression_type = check_compression(compression_type, who)
    names = file_names(filenames, who)

    def lines_of(path):
        return lambda: (np.array(_strip(line), dtype=object)
                        for _, line in raw_lines(path, compression_type, buffer_size, who))
    cycle = 1 if num_parallel_reads in (None, 0, 1) else int(num_parallel_reads)
    if cycle < 1:                                          # AUTOTUNE: as many as the machine has cores
        cycle = os.cpu_count() or 1
    return lambda: interleave_runs((lines_of(p) for p in names()), cycle, 1)


class TextLineDataset(Dataset):
    """The lines of ``filenames`` (one name, a list, or a Dataset of names), each a ``bytes``
    scalar without its line ending. ``num_parallel_reads``: how many files are read at once,
    a line from each in turn (TensorFlow's order)."""
    _kind = "TextLineDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None):
        super().__init__(_lines(filenames, compression_type, buffer_size, num_parallel_reads, "TextLineDataset"),
                         spec=TensorSpec((), object), reads=True)
