"""The ``.keras`` container: a zip of ``metadata.json``, ``config.json`` and
``model.weights.h5``, written as Keras writes it (members stored, uncompressed) and read
with every member checked before a byte of it is used.

Checks on reading: the set of members (exactly Keras's, no extras, no duplicates), their
names (no ``..``, absolute paths, backslashes, links or encryption), their declared sizes
against per-member caps and against the bytes actually stored (zip bombs), and the CRC of
every byte read (zipfile checks it at the end of each member).
"""
from __future__ import annotations

import io
import stat
import zipfile
import zlib

from .errors import (MAX_COMPRESSION_RATIO, MAX_CONFIG_BYTES, MAX_MEMBERS, MAX_METADATA_BYTES,
                     MAX_FILE_BYTES, FileFormatError, UnsafeFileError)

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
_CAPS = {METADATA: MAX_METADATA_BYTES, CONFIG: MAX_CONFIG_BYTES, WEIGHTS: MAX_FILE_BYTES}
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
    """Members of a ``.keras`` file as bytes, after the checks in the module docstring."""
    if len(data) < 22 or data[:4] != b"PK\x03\x04":
        raise FileFormatError(f"{label}: not a .keras file (a .keras file is a zip archive; "
                              f"this one starts with {data[:8]!r})")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, OverflowError, UnicodeDecodeError) as e:
        raise FileFormatError(f"{label}: damaged or truncated zip archive ({e})") from None
    with zf:
        return _members(zf, infos, label)


def _members(zf, infos, label: str) -> dict[str, bytes]:
    if len(infos) > MAX_MEMBERS:
        raise UnsafeFileError(f"{label}: {len(infos)} zip members; a .keras file has 3")
    names = [i.filename for i in infos]
    for info in infos:
        _check_name(info.filename, label)
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UnsafeFileError(f"{label}: duplicate zip member(s) {dupes}: which one would be read is ambiguous")
    extra = sorted(set(names) - set(_CAPS))
    if extra:
        hint = " (model.weights.npz is not supported)" if "model.weights.npz" in extra else ""
        raise UnsafeFileError(
            f"{label}: unexpected member(s) {extra}{hint}; a .keras file holds only "
            f"{METADATA}, {CONFIG} and {WEIGHTS}"
        )
    for required in (CONFIG, WEIGHTS):
        if required not in names:
            raise FileFormatError(f"{label}: no {required} inside; is this a .keras model file?")
    out = {}
    for info in infos:
        name = info.filename
        mode = info.external_attr >> 16
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG) or info.is_dir():
            raise UnsafeFileError(f"{label}: member {name!r} is a link or folder, not a plain file")
        if info.flag_bits & 0x1:
            raise UnsafeFileError(f"{label}: member {name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileFormatError(f"{label}: member {name!r} uses an unsupported compression ({info.compress_type})")
        if info.file_size > _CAPS[name]:
            raise UnsafeFileError(
                f"{label}: member {name!r} declares {info.file_size:,} bytes, over the {_CAPS[name]:,}-byte cap"
            )
        if info.file_size > (1 << 20) and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise UnsafeFileError(
                f"{label}: member {name!r} declares {info.file_size:,} bytes stored in {info.compress_size:,} "
                f"(ratio over {MAX_COMPRESSION_RATIO}): a decompression bomb"
            )
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise FileFormatError(f"{label}: member {name!r} has inconsistent sizes")
        try:
            with zf.open(info) as f:
                blob = f.read(info.file_size + 1)     # never more than declared (+1 to notice lies)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, OverflowError, RuntimeError,
                NotImplementedError, UnicodeDecodeError, zlib.error) as e:
            raise FileFormatError(f"{label}: member {name!r} is damaged ({e})") from None
        if len(blob) != info.file_size:
            raise FileFormatError(f"{label}: member {name!r} is truncated or its size is wrong")
        out[name] = blob
    return out
