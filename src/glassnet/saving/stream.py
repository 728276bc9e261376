"""Bounded reading: a model file is read through a window of known size, never slurped.

Why not ``f.read(cap + 1)``: CPython allocates the whole requested size up front, so a
4 GiB cap asks for 4 GiB of address space before the first byte arrives. Under an
address-space limit (``ulimit -v``, common on HPC clusters and in containers) even a 20 KB
file then fails with a bare ``MemoryError``, and a multi-GB sparse file is read whole
before its first header is looked at. Here a source becomes a :class:`Window`: a
read-only, seekable view of ``size`` bytes of an open file. Parsers (zip, HDF5,
safetensors) seek to what they need and read only that; every read is clipped to the
window, so a lying header cannot read past it.

>>> import io
>>> w = Window(io.BytesIO(b"xxhello worldyy"), 2, 11)
>>> w.read(5), w.seek(-5, io.SEEK_END), w.read()
(b'hello', 6, b'world')
"""
from __future__ import annotations

import contextlib
import io
import os
import zlib

from .errors import MAX_FILE_BYTES, UnsafeFileError

CHUNK = 1 << 20


class Window(io.RawIOBase):
    """``size`` bytes of the binary file ``raw`` from offset ``start``, read-only and seekable."""

    def __init__(self, raw, start: int, size: int):
        super().__init__()
        self._raw, self._start, self._size, self._pos = raw, int(start), int(size), 0

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        pos = base + int(offset)
        if pos < 0:
            raise ValueError("negative seek position")
        self._pos = pos
        return pos

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        n = max(0, min(len(view), self._size - self._pos))
        if n == 0:
            return 0
        self._raw.seek(self._start + self._pos)
        got = self._raw.readinto(view[:n]) if hasattr(self._raw, "readinto") else None
        if got is None:                      # a raw object without readinto
            data = self._raw.read(n)
            got = len(data)
            view[:got] = data
        self._pos += got
        return got

    def read(self, n: int = -1) -> bytes:
        """At most ``n`` bytes (all that is left for ``n < 0``): never more than the window holds."""
        left = max(0, self._size - self._pos)
        n = left if n is None or n < 0 else min(n, left)
        buf = bytearray(n)
        got = self.readinto(buf) if n else 0
        while got < n:                       # short reads (pipes, some file objects)
            more = self.readinto(memoryview(buf)[got:])
            if not more:
                break
            got += more
        return bytes(buf[:got])

    readall = read

    def pread(self, offset: int, n: int) -> bytes:
        self.seek(offset)
        return self.read(n)

    def crc32(self, offset: int, n: int) -> int:
        """CRC-32 of ``n`` bytes from ``offset``, a chunk at a time (constant memory)."""
        crc, self._pos = 0, offset
        while n > 0:
            data = self.read(min(CHUNK, n))
            if not data:
                break
            crc = zlib.crc32(data, crc)
            n -= len(data)
        return crc

    def write(self, *args):
        raise io.UnsupportedOperation("read-only")


@contextlib.contextmanager
def open_source(source, what: str):
    """``with open_source(path_or_file_or_bytes, "load_model") as (window, label):``.

    A path is opened and its size checked against the cap before a byte is read; a
    seekable file object is used in place from its current position; an unseekable one
    is copied a chunk at a time (growing with what it really holds, never pre-allocated)
    up to the cap.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        _cap(len(data), "<bytes>")
        yield Window(io.BytesIO(data), 0, len(data)), "<bytes>"
        return
    if hasattr(source, "read"):
        label = repr(getattr(source, "name", "<file object>"))
        probe = source.read(0)
        if not isinstance(probe, bytes):
            raise TypeError(f"{what}: the file object must be opened in binary mode")
        seekable = False
        try:
            seekable = bool(source.seekable())
        except Exception:
            pass
        if seekable:
            start = source.tell()
            end = source.seek(0, io.SEEK_END)
            _cap(end - start, label)
            yield Window(source, start, end - start), label
            return
        buf, total = io.BytesIO(), 0
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                break
            total += len(chunk)
            _cap(total, label)
            buf.write(chunk)
        yield Window(buf, 0, total), label
        return
    path = os.fspath(source)
    label = repr(path)
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise FileNotFoundError(f"{what}: no such file: {path!r}") from None
    with f:
        size = os.fstat(f.fileno()).st_size     # of the file opened, not of a name re-resolved
        _cap(size, label)
        yield Window(f, 0, size), label


def _cap(size: int, label: str) -> None:
    if size > MAX_FILE_BYTES:
        raise UnsafeFileError(f"{label}: {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte cap")
