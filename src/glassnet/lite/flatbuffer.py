"""FlatBuffers, the binary layout of a ``.tflite`` file, written and read in plain Python.

A flatbuffer is a tree of *tables* reached through 32-bit offsets. A table starts with a signed
offset back (or forward) to its *vtable*, a list of 16-bit field positions (0: the field is
absent and takes its schema default); the table's fields follow. Offsets to other tables,
vectors and strings are unsigned and point forward (``target = where the offset is + offset``).
A vector is a 32-bit length then its elements; a string is a vector of bytes ending in NUL.
The file starts with the root table's offset and a 4-byte identifier (``TFL3`` for TFLite).

**Writing** (:func:`encode`) lays the tree out from the front: a table, then (depth first) what
it points to, so every offset is positive. A table is described by a :class:`Table`, a list
of ``(slot, kind, value)`` fields; kinds are struct formats for scalars (``"i"``, ``"I"``,
``"b"``, ``"B"``, ``"f"``, ``"?"``), ``"str"``, ``"table"``, ``"tables"`` (a vector of tables),
``"vec:<format>"`` (a vector of scalars) and ``"bytes"`` (a byte vector 16-aligned, for weights).

**Reading** (:class:`View`) checks every position against the file's size, so a truncated or
corrupt file is refused with a :class:`FlatbufferError` naming the byte, never read past.
Nothing in a file is executed: it is only numbers, strings and arrays.

>>> data = encode(Table([(0, "i", 7), (1, "str", "hi"), (2, "vec:i", [1, 2])]), b"TEST")
>>> root = View.root(data, b"TEST")
>>> root.scalar(0, "i", 0), root.string(1), root.vector(2, "<i4").tolist(), root.scalar(5, "i", -1)
(7, 'hi', [1, 2], -1)
"""
from __future__ import annotations

import struct

import numpy as np

__all__ = ["Table", "encode", "View", "FlatbufferError"]


class FlatbufferError(ValueError):
    """A malformed flatbuffer: an offset or length outside the file, a wrong identifier."""


class Table:
    """A table to write: ``fields`` is a list of ``(slot, kind, value)``; ``None`` values are left out."""

    __slots__ = ("fields",)

    def __init__(self, fields):
        self.fields = [f for f in fields if f[2] is not None]


def _align(buf: bytearray, n: int, extra: int = 0) -> None:
    """Pad ``buf`` with zeros until ``len(buf) + extra`` is a multiple of ``n``."""
    buf.extend(b"\0" * (-(len(buf) + extra) % n))


def encode(root: Table, identifier: bytes) -> bytes:
    """The bytes of the flatbuffer whose root table is ``root``, with the 4-byte ``identifier``."""
    if len(identifier) != 4:
        raise ValueError(f"encode: a file identifier has 4 bytes, got {identifier!r}")
    buf = bytearray(b"\0\0\0\0" + identifier)
    struct.pack_into("<I", buf, 0, _write(buf, "table", root))
    _align(buf, 16)
    return bytes(buf)


def _write(buf: bytearray, kind: str, value) -> int:
    """Write an object, then (depth first) what it points to; return where it starts."""
    children = []                               # (where an offset goes, what it points to)
    start = _write_object(buf, kind, value, children)
    for at, child_kind, child in children:
        struct.pack_into("<I", buf, at, _write(buf, child_kind, child) - at)
    return start


def _write_object(buf: bytearray, kind: str, value, pending: list) -> int:
    """Write a table, string or vector at the end of ``buf``; return where it starts."""
    if kind == "table":
        return _write_table(buf, value, pending)
    if kind == "str":
        data = value.encode("utf-8")
        _align(buf, 4)
        start = len(buf)
        buf += struct.pack("<I", len(data)) + data + b"\0"
        return start
    if kind == "bytes":
        data = bytes(value)
        _align(buf, 16, extra=4)                 # the data itself 16-aligned, as TFLite's schema asks
        start = len(buf)
        buf += struct.pack("<I", len(data)) + data
        return start
    if kind == "tables":
        _align(buf, 4)
        start = len(buf)
        buf += struct.pack("<I", len(value))
        for table in value:
            pending.append((len(buf), "table", table))
            buf += b"\0\0\0\0"
        return start
    if kind.startswith("vec:"):
        array = np.ascontiguousarray(value, dtype=np.dtype(kind[4:]).newbyteorder("<"))
        _align(buf, max(4, array.itemsize), extra=4)
        start = len(buf)
        buf += struct.pack("<I", array.size) + array.tobytes()
        return start
    raise ValueError(f"encode: unknown field kind {kind!r}")


def _write_table(buf: bytearray, table: Table, pending: list) -> int:
    fields = sorted(table.fields, key=lambda f: -_size(f[1]))     # widest first: each stays aligned
    n_slots = 1 + max((slot for slot, _, _ in fields), default=-1)
    layout, offset = {}, 4                       # the table's own bytes: soffset, then the fields
    for slot, kind, _ in fields:
        size = _size(kind)
        offset += -offset % size
        layout[slot] = offset
        offset += size
    vtable = [4 + 2 * n_slots, offset] + [layout.get(s, 0) for s in range(n_slots)]
    _align(buf, 2)
    vt_start = len(buf)
    buf += struct.pack(f"<{len(vtable)}H", *vtable)
    _align(buf, 4)
    start = len(buf)
    buf += bytes(offset)
    struct.pack_into("<i", buf, start, start - vt_start)
    for slot, kind, value in fields:
        at = start + layout[slot]
        if len(kind) == 1:
            struct.pack_into("<" + kind, buf, at, value)
        else:
            pending.append((at, kind, value))
    return start


def _size(kind: str) -> int:
    return struct.calcsize("<" + kind) if len(kind) == 1 else 4


class View:
    """A table inside ``data`` at byte ``pos``; reads fields by slot, checking every bound."""

    __slots__ = ("data", "pos", "_vt", "_vt_len", "_what")

    def __init__(self, data: bytes, pos: int, what: str = "table"):
        self.data, self.pos, self._what = data, pos, what
        vt = pos - self._read("<i", pos)
        self._vt_len = self._read("<H", vt)
        if self._vt_len < 4 or self._vt_len % 2:
            raise FlatbufferError(f"malformed flatbuffer: the {what} at byte {pos} has a vtable of {self._vt_len} bytes")
        self._check(vt, self._vt_len)
        self._vt = vt

    @classmethod
    def root(cls, data: bytes, identifier: bytes) -> "View":
        if len(data) < 8:
            raise FlatbufferError(f"malformed flatbuffer: {len(data)} bytes is too short for a header")
        if data[4:8] != identifier:
            raise FlatbufferError(f"not a {identifier.decode()} flatbuffer: bytes 4-8 are {bytes(data[4:8])!r}, "
                                  f"not {identifier!r}")
        return cls(data, struct.unpack_from("<I", data, 0)[0], "root table")

    def _check(self, pos: int, size: int) -> None:
        if pos < 0 or pos + size > len(self.data):
            raise FlatbufferError(f"malformed flatbuffer: {size} bytes at byte {pos} lie outside the "
                                  f"file's {len(self.data)} bytes (in the {self._what} at byte {self.pos})")

    def _read(self, fmt: str, pos: int):
        self._check(pos, struct.calcsize(fmt))
        return struct.unpack_from(fmt, self.data, pos)[0]

    def _field(self, slot: int):
        """Where field ``slot`` lies, or None when absent."""
        entry = 4 + 2 * slot
        if entry + 2 > self._vt_len:
            return None
        rel = self._read("<H", self._vt + entry)
        return self.pos + rel if rel else None

    def has(self, slot: int) -> bool:
        return self._field(slot) is not None

    def scalar(self, slot: int, fmt: str, default):
        at = self._field(slot)
        return default if at is None else self._read("<" + fmt, at)

    def _target(self, slot: int):
        at = self._field(slot)
        return None if at is None else at + self._read("<I", at)

    def table(self, slot: int, what: str = "table"):
        target = self._target(slot)
        return None if target is None else View(self.data, target, what)

    def _vector(self, slot: int, itemsize: int):
        target = self._target(slot)
        if target is None:
            return None, 0
        n = self._read("<I", target)
        self._check(target + 4, n * itemsize)
        return target + 4, n

    def string(self, slot: int, default=None):
        start, n = self._vector(slot, 1)
        if start is None:
            return default
        try:
            return bytes(self.data[start:start + n]).decode("utf-8")
        except UnicodeDecodeError:
            raise FlatbufferError(f"malformed flatbuffer: the string at byte {start} is not UTF-8") from None

    def vector(self, slot: int, dtype: str):
        """A vector of scalars as a NumPy array (a copy); empty when absent."""
        dtype = np.dtype(dtype)
        start, n = self._vector(slot, dtype.itemsize)
        if start is None:
            return np.zeros(0, dtype)
        return np.frombuffer(self.data, dtype, n, start).copy()

    def raw(self, slot: int) -> bytes:
        start, n = self._vector(slot, 1)
        return b"" if start is None else bytes(self.data[start:start + n])

    def tables(self, slot: int, what: str = "table") -> list:
        start, n = self._vector(slot, 4)
        if start is None:
            return []
        return [View(self.data, start + 4 * i + self._read("<I", start + 4 * i), f"{what} {i}") for i in range(n)]
