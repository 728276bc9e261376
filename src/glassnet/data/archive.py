"""Unpacking a downloaded archive (zip, tar, tar.gz, tar.bz2, tar.xz) safely, for ``get_file``.

An archive from the Internet is treated as hostile until each member is checked:

- every member lands inside the target folder: no absolute path, no ``..`` climbing out,
  no drive letter;
- links: a symbolic link must point inside the target folder (resolved from where it
  sits), a hard link must name a member inside it; anything else (devices, fifos) is refused;
- archive bombs: at most :data:`MAX_MEMBERS` members and :data:`MAX_TOTAL_BYTES` bytes
  once unpacked (counted while writing, not trusted from the headers);
- nothing half-made: members are written into a temporary folder beside the target,
  which is renamed into place only when every member is out. A refused or broken archive
  leaves the target as it was (absent, or the previous extraction).

Unlike Keras, which skips an unsafe member with a warning and goes on, a hostile member
refuses the whole archive (``ValueError`` naming the member): a partly unpacked data set
would silently train on less.
"""
from __future__ import annotations

import lzma
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib

#: The most members one archive may hold (ImageNet-scale archives are not for get_file).
MAX_MEMBERS = 1_000_000
#: The most bytes an archive may unpack to (20 GiB).
MAX_TOTAL_BYTES = 20 * 1024 ** 3

FORMATS = ("zip", "tar", "tar.gz", "tar.bz2", "tar.xz")


def archive_kind(path: str, archive_format="auto") -> str | None:
    """``"zip"``, ``"tar"`` or None: what ``path`` is among the formats asked for
    (``"auto"``: tar then zip, as Keras; ``"tar"`` covers tar.gz, tar.bz2, tar.xz)."""
    if archive_format is None:
        return None
    wanted = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for kind in wanted:
        if kind not in ("tar", "zip") + FORMATS:
            raise ValueError(f"get_file: archive_format must be 'auto', 'tar', 'zip' or None, got {kind!r}")
        try:
            if kind.startswith("tar") and tarfile.is_tarfile(path):
                return "tar"
        except (EOFError, OSError, zlib.error, lzma.LZMAError) as e:     # compressed, but cut short or garbled
            raise ValueError(f"get_file: {path} is a damaged tar archive ({e}); nothing was extracted") from e
        if kind == "zip" and zipfile.is_zipfile(path):
            return "zip"
    return None


def _inside(root: str, name: str, member: str) -> str:
    """The absolute path ``name`` would be written to under ``root``, refused when outside."""
    if not name or name.startswith(("/", "\\")) or os.path.isabs(name) or (len(name) > 1 and name[1] == ":"):
        raise ValueError(f"get_file: the archive's member {member!r} has an absolute path; nothing was extracted")
    target = os.path.normpath(os.path.join(root, name))
    if os.path.commonpath([target, root]) != root:
        raise ValueError(f"get_file: the archive's member {member!r} points outside the extraction folder; "
                         "nothing was extracted")
    if os.path.commonpath([os.path.realpath(target), root]) != root:   # through a link the archive made
        raise ValueError(f"get_file: the archive's member {member!r} reaches outside the extraction folder "
                         "through a link; nothing was extracted")
    return target


class _Budget:
    """Counts members and bytes written, refusing past the limits."""

    def __init__(self, archive: str):
        self.archive, self.members, self.bytes = archive, 0, 0

    def member(self, name: str) -> None:
        self.members += 1
        if self.members > MAX_MEMBERS:
            raise ValueError(f"get_file: {self.archive} holds more than {MAX_MEMBERS} members "
                             "(glassnet.data.archive.MAX_MEMBERS); nothing was extracted")

    def copy(self, source, target: str, name: str) -> None:
        with open(target, "wb") as out:
            while True:
                chunk = source.read(1 << 20)
                if not chunk:
                    return
                self.bytes += len(chunk)
                if self.bytes > MAX_TOTAL_BYTES:
                    raise ValueError(f"get_file: {self.archive} unpacks to more than {MAX_TOTAL_BYTES} bytes "
                                     f"(reached at member {name!r}; glassnet.data.archive.MAX_TOTAL_BYTES): "
                                     "an archive bomb? nothing was extracted")
                out.write(chunk)


def _extract_zip(path: str, root: str, budget: _Budget) -> None:
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            budget.member(info.filename)
            target = _inside(root, info.filename.replace("\\", "/"), info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ValueError(f"get_file: the archive's member {info.filename!r} is a symbolic link; "
                                 "links in zip archives are refused; nothing was extracted")
            if info.is_dir():
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(info) as source:
                budget.copy(source, target, info.filename)


def _extract_tar(path: str, root: str, budget: _Budget) -> None:
    links = []                              # hard links, made once every file is out
    with tarfile.open(path) as t:
        for info in t:                      # streamed: members are read one by one
            budget.member(info.name)
            target = _inside(root, info.name, info.name)
            if info.isdir():
                os.makedirs(target, exist_ok=True)
            elif info.isfile():
                os.makedirs(os.path.dirname(target), exist_ok=True)
                source = t.extractfile(info)
                budget.copy(source, target, info.name)
                os.chmod(target, 0o644 | (0o111 if info.mode & 0o100 else 0))
            elif info.issym():
                pointed = os.path.realpath(os.path.join(os.path.dirname(target), info.linkname))
                if os.path.isabs(info.linkname) or os.path.commonpath([pointed, root]) != root:
                    raise ValueError(f"get_file: the archive's member {info.name!r} is a link to "
                                     f"{info.linkname!r}, outside the extraction folder; nothing was extracted")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.symlink(info.linkname, target)
            elif info.islnk():
                links.append((_inside(root, info.linkname, info.name), target, info.name))
            else:
                raise ValueError(f"get_file: the archive's member {info.name!r} is a device, fifo or other "
                                 "special file; refused, nothing was extracted")
    for source, target, name in links:
        # checked again: a link made after this member was listed may now lie on the way
        source, target = (_inside(root, os.path.relpath(p, root), name) for p in (source, target))
        if not os.path.isfile(source) or os.path.islink(source):
            raise ValueError(f"get_file: the archive's hard link {name!r} names no regular file in the archive; "
                             "nothing was extracted")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(source, target)     # a copy: no inode shared with anything


def extract(path: str, folder: str, archive_format="auto") -> bool:
    """Unpack the archive ``path`` into ``folder`` (made, or replaced whole); False when
    ``path`` is none of the formats asked for. Refused members raise ``ValueError``."""
    kind = archive_kind(path, archive_format)
    if kind is None:
        return False
    folder = os.path.abspath(folder)
    parent = os.path.dirname(folder)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)}.glassnet-extract-", dir=parent)
    old = None
    try:
        root = os.path.realpath(tmp)
        budget = _Budget(path)
        try:
            (_extract_zip if kind == "zip" else _extract_tar)(path, root, budget)
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, zlib.error, lzma.LZMAError) as e:
            if isinstance(e, OSError) and e.errno is not None:
                raise OSError(e.errno, f"get_file: cannot extract {path} into {folder}: {e.strerror}; "
                                       "nothing was extracted") from e
            raise ValueError(f"get_file: {path} is a damaged {kind} archive ({e}); nothing was extracted") from e
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o777 & ~mask)        # mkdtemp's 0700 would make the folder private
        if os.path.lexists(folder):         # the previous extraction goes only once the new one is whole
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)}.glassnet-old-", dir=parent)
            os.rename(folder, os.path.join(old, "x"))
        try:
            os.rename(tmp, folder)
        except OSError:
            if old is not None:             # put the previous extraction back
                os.rename(os.path.join(old, "x"), folder)
            raise
        tmp = None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return True
