"""Atomic writes: a crash, a full disk or a SIGKILL mid-save never leaves a half file.

The new content goes to a temporary file in the target's own folder (same filesystem, so
the final rename is atomic), is flushed and fsynced, and only then ``os.replace``-d over
the target; the folder is fsynced too where the platform allows it. Until that rename the
previous file is untouched, and a failed save removes its temporary file.

The new file gets the permissions of the file it replaces, or for a new file those an
ordinary ``open`` would give (``0o666`` less the umask), not ``mkstemp``'s private 0600.
A symbolic link is written through: the file it points to is replaced, the link stays.
"""
from __future__ import annotations

import os
import stat
import tempfile

TEMP_MARKER = ".glassnet-tmp-"


def check_target(filepath, suffixes: tuple, what: str, overwrite: bool) -> str:
    """The path to write (a link's target, resolved), after checking its extension,
    ``overwrite``, that its folder exists and that it is not itself a folder."""
    from .errors import FileFormatError
    path = os.fspath(filepath)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    if not path.endswith(suffixes):
        raise FileFormatError(
            f"{what}: the file name must end in {' or '.join(suffixes)}; got {path!r}"
            + (" (legacy Keras 2 .h5 files are not supported; use .keras)" if path.endswith(".h5") and ".keras" in suffixes else "")
        )
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(f"{what}: {path!r} already exists and overwrite=False")
    target = os.path.realpath(path) if os.path.islink(path) else path
    if os.path.isdir(target):
        raise IsADirectoryError(f"{what}: {path!r} is a folder; give a file name ending in "
                                f"{' or '.join(suffixes)}")
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{what}: the folder {folder!r} does not exist (for {path!r}); "
                                "create it first")
    return target


def _new_mode(path: str) -> int:
    """The mode the written file should have: the replaced file's, else ``0o666 & ~umask``."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, ``os.replace``)."""
    if os.path.islink(path):                 # replace the file the link points to, not the link
        path = os.path.realpath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + TEMP_MARKER, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            view = memoryview(data)
            while view:                      # write in chunks: a kill lands mid-file
                n = f.write(view[: 1 << 20])
                view = view[n:]
            f.flush()
            if hasattr(os, "fchmod"):        # mkstemp made it 0600
                os.fchmod(f.fileno(), _new_mode(path))
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:                          # Windows cannot open a folder: nothing to sync
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
