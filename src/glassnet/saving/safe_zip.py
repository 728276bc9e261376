"""The ``.keras`` container: a zip of ``metadata.json``, ``config.json`` and
``model.weights.h5``, written as Keras writes it (members stored, uncompressed) and read
with every member checked before a byte of it is used.

Checks on reading: the set of members (exactly Keras's, plus only its lookups'
``assets/.../vocabulary.txt`` and a layer's ``save_assets`` files, ``assets/layers/<layer>/<file>``;
no extras, no duplicates), their
names (no ``..``, absolute paths, backslashes, links or encryption), their declared sizes
against per-member caps and against the bytes actually stored (zip bombs), and the CRC of
every byte read (zipfile checks it at the end of each member; a stored member that is
read in place is checked a chunk at a time first). The file is never read whole: see
:mod:`glassnet.saving.stream`.
"""
from __future__ import annotations

import io
import re
import struct
import stat
import zipfile
import zlib

from .errors import MAX_COMPRESSION_RATIO, MAX_CONFIG_BYTES, MAX_MEMBERS, MAX_METADATA_BYTES, MAX_FILE_BYTES, FileFormatError, UnsafeFileError

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
_CAPS = {METADATA: MAX_METADATA_BYTES, CONFIG: MAX_CONFIG_BYTES, WEIGHTS: MAX_FILE_BYTES}
# Keras 3 keeps an adapted lookup's vocabulary (TextVectorization, StringLookup, IntegerLookup) as
# assets/layers/<layer>/[_lookup_layer/]vocabulary.txt: one token a line, read as text, capped as config.json
# (a FeatureSpace's: assets/preprocessors/<layer>/vocabulary.txt)
_VOCABULARY = re.compile(r"assets/(?:(?:layers|preprocessors)/[A-Za-z0-9_\-]+/)+(?:_lookup_layer/)?vocabulary\.txt")
# a layer's own save_assets files (Keras's hook): assets/layers/<layer>/<file>, handed only to a layer of
# yours that has load_assets (glassnet.saving refuses them otherwise), capped as config.json
ASSET = re.compile(r"assets/layers/([A-Za-z0-9_\-]+)/([A-Za-z0-9_\-][A-Za-z0-9_\-.]*)")


def is_vocabulary(name: str) -> bool:
    """Whether ``name`` is where Keras keeps a lookup layer's vocabulary."""
    return bool(_VOCABULARY.fullmatch(name))


def _allowed(name: str) -> bool:
    return bool(_VOCABULARY.fullmatch(name) or ASSET.fullmatch(name))


def _cap(name: str) -> int:
    return _CAPS.get(name, MAX_CONFIG_BYTES if _allowed(name) else 0)


_FIXED_TIME = (1980, 1, 1, 0, 0, 0)          # reproducible files: same model, same bytes


def pack(members: dict[str, bytes]) -> bytes:
    """The zip's bytes, members stored uncompressed in the given order (as Keras)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            zf.writestr(info, data)
    return buf.getvalue()


def _check_name(name: str, label: str) -> None:
    parts = name.split("/")
    if (not name or name.startswith("/") or "\\" in name or "\x00" in name or ":" in parts[0]
            or any(p in ("..", ".") for p in parts)):
        raise UnsafeFileError(f"{label}: refused member name {name!r} (absolute path or '..' traversal)")


def unpack(data: bytes, label: str) -> dict[str, bytes]:
    """Members of a ``.keras`` file held in memory, as bytes (after every check)."""
    from .stream import Window
    window = Window(io.BytesIO(data), 0, len(data))
    with Archive(window, label) as archive:
        return {name: archive.read(name) for name in archive.names}


class Archive:
    """A ``.keras`` zip read through a :class:`~glassnet.saving.stream.Window`.

    Opening checks, in this order and before anything large is read: the first bytes
    (a local header), the end record (found in the last 64 KiB; its entry count, the size
    and offset of the central directory, and that the directory ends where the end record
    starts: no bytes hidden before or between), then each member's name, kind and
    declared sizes against the caps and against the file. ``read`` returns a small member
    whole; ``open`` gives a bounded, CRC-checked view of a stored member.
    """

    def __init__(self, window, label: str):
        self.window, self.label = window, label
        size = window.size
        head = window.pread(0, 4)
        if size < 22 or head != b"PK\x03\x04":
            raise FileFormatError(f"{label}: not a .keras file (a .keras file is a zip archive; "
                                  f"this one starts with {window.pread(0, 8)!r})")
        _check_end_record(window, label)
        try:
            self.zf = zipfile.ZipFile(window)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, OverflowError, UnicodeDecodeError) as e:
            raise FileFormatError(f"{label}: damaged or truncated zip archive ({e})") from None
        try:
            self.infos = _check_members(infos, label, size)
        except BaseException:
            self.zf.close()
            raise
        self.names = [i.filename for i in infos]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.zf.close()

    def declared_size(self, name: str) -> int:
        return self.infos[name].file_size

    def read(self, name: str) -> bytes:
        """A member's bytes (its size was capped on opening), CRC checked by zipfile."""
        info = self.infos[name]
        try:
            with self.zf.open(info) as f:
                blob = f.read(info.file_size + 1)     # never more than declared (+1 to notice lies)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, OverflowError, RuntimeError,
                NotImplementedError, UnicodeDecodeError, zlib.error) as e:
            raise FileFormatError(f"{self.label}: member {name!r} is damaged ({e})") from None
        if len(blob) != info.file_size:
            raise FileFormatError(f"{self.label}: member {name!r} is truncated or its size is wrong")
        return blob

    def open(self, name: str):
        """A seekable, read-only view of a member: in place for a stored one (its CRC checked
        a chunk at a time first), else its decompressed bytes."""
        from .stream import Window
        info = self.infos[name]
        if info.compress_type != zipfile.ZIP_STORED:
            return io.BytesIO(self.read(name))
        local = self.window.pread(info.header_offset, 30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise FileFormatError(f"{self.label}: member {name!r} has no local header where the directory says")
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        if self.window.pread(info.header_offset + 30, name_len) != info.orig_filename.encode("utf-8") and \
                self.window.pread(info.header_offset + 30, name_len) != info.orig_filename.encode("cp437", "replace"):
            raise UnsafeFileError(f"{self.label}: member {name!r} has a different name in its local header")
        start = info.header_offset + 30 + name_len + extra_len
        if start + info.file_size > self.window.size:
            raise FileFormatError(f"{self.label}: member {name!r} runs past the end of the file")
        if self.window.crc32(start, info.file_size) != info.CRC:
            raise FileFormatError(f"{self.label}: member {name!r} is damaged (its CRC does not match)")
        return Window(self.window, start, info.file_size)


_MAX_DIRECTORY = MAX_MEMBERS * (46 + 3 * 0xFFFF)      # the most MAX_MEMBERS entries can take


def _check_end_record(window, label: str) -> None:
    """The zip's end record, read from the last 64 KiB only, checked against the file."""
    size = window.size
    tail_start = max(0, size - (22 + 0xFFFF))
    tail = window.pread(tail_start, size - tail_start)
    at = tail.rfind(b"PK\x05\x06")
    while at >= 0 and at + 22 + struct.unpack("<H", tail[at + 20:at + 22])[0] != len(tail):
        at = tail.rfind(b"PK\x05\x06", 0, at)       # the real one ends the file (after its comment)
    if at < 0:
        raise FileFormatError(f"{label}: damaged or truncated zip archive (no end record in its last "
                              f"64 KiB; {size:,} bytes)")
    end_pos = tail_start + at
    (_, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, _) = struct.unpack("<IHHHHIIH", tail[at:at + 22])
    cd_end = end_pos
    if 0xFFFF in (n_disk, n_total) or 0xFFFFFFFF in (cd_size, cd_offset):      # zip64
        loc = window.pread(end_pos - 20, 20) if end_pos >= 20 else b""
        if len(loc) != 20 or loc[:4] != b"PK\x06\x07":
            raise FileFormatError(f"{label}: damaged zip archive (zip64 sizes without a zip64 locator)")
        (_, _, rec_offset, _) = struct.unpack("<IIQI", loc)
        if rec_offset != end_pos - 20 - 56:
            raise UnsafeFileError(f"{label}: the zip64 end record is not where it should be (bytes hidden "
                                  "inside the archive)")
        rec = window.pread(rec_offset, 56)
        if len(rec) != 56 or rec[:4] != b"PK\x06\x06":
            raise FileFormatError(f"{label}: damaged zip archive (no zip64 end record)")
        (_, _, _, _, disk, cd_disk, n_disk, n_total, cd_size, cd_offset) = struct.unpack("<IQHHIIQQQQ", rec)
        cd_end = rec_offset
    if disk != 0 or cd_disk != 0 or n_disk != n_total:
        raise FileFormatError(f"{label}: multi-part zip archives are not supported")
    if n_total > MAX_MEMBERS:
        raise UnsafeFileError(f"{label}: {n_total} zip members; a .keras file has 3")
    if cd_size > _MAX_DIRECTORY:
        raise UnsafeFileError(f"{label}: a zip directory of {cd_size:,} bytes for {n_total} members")
    if cd_offset + cd_size != cd_end:
        raise UnsafeFileError(f"{label}: the zip directory ({cd_size:,} bytes at {cd_offset:,}) does not end "
                              f"where the end record starts ({cd_end:,}): bytes are hidden before or "
                              "inside the archive")


def _check_members(infos, label: str, size: int) -> dict:
    """Each member's name, kind and declared sizes, before any member is read."""
    if len(infos) > MAX_MEMBERS:
        raise UnsafeFileError(f"{label}: {len(infos)} zip members; a .keras file has 3")
    names = [i.filename for i in infos]
    for info in infos:
        _check_name(info.filename, label)
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UnsafeFileError(f"{label}: duplicate zip member(s) {dupes}: which one would be read is ambiguous")
    extra = sorted(n for n in set(names) - set(_CAPS) if not _allowed(n))
    if extra:
        hint = " (model.weights.npz is not supported)" if "model.weights.npz" in extra else ""
        raise UnsafeFileError(
            f"{label}: unexpected member(s) {extra}{hint}; a .keras file holds only "
            f"{METADATA}, {CONFIG} and {WEIGHTS}"
        )
    for required in (CONFIG, WEIGHTS):
        if required not in names:
            raise FileFormatError(f"{label}: no {required} inside; is this a .keras model file?")
    for info in infos:
        name = info.filename
        mode = info.external_attr >> 16
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG) or info.is_dir():
            raise UnsafeFileError(f"{label}: member {name!r} is a link or folder, not a plain file")
        if info.flag_bits & 0x1:
            raise UnsafeFileError(f"{label}: member {name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileFormatError(f"{label}: member {name!r} uses an unsupported compression ({info.compress_type})")
        if info.file_size > _cap(name):
            raise UnsafeFileError(
                f"{label}: member {name!r} declares {info.file_size:,} bytes, over the {_cap(name):,}-byte cap"
            )
        if info.file_size > (1 << 20) and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise UnsafeFileError(
                f"{label}: member {name!r} declares {info.file_size:,} bytes stored in {info.compress_size:,} "
                f"(ratio over {MAX_COMPRESSION_RATIO}): a decompression bomb"
            )
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise FileFormatError(f"{label}: member {name!r} has inconsistent sizes")
        if info.header_offset < 0 or info.header_offset + 30 + info.compress_size > size:
            raise FileFormatError(f"{label}: member {name!r} declares {info.compress_size:,} bytes at "
                                  f"{info.header_offset:,}, past the end of the {size:,}-byte file")
    return {info.filename: info for info in infos}
