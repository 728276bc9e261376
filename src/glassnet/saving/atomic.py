"""Atomic writes: a crash, a full disk or a SIGKILL mid-save never leaves a half file.

The new content goes to a temporary file in the target's own folder (same filesystem, so
the final rename is atomic), is flushed and fsynced, and only then ``os.replace``-d over
the target; the folder is fsynced too where the platform allows it. Until that rename the
previous file is untouched, and a failed save removes its temporary file.
"""
from __future__ import annotations

import os
import tempfile

TEMP_MARKER = ".glassnet-tmp-"


def check_target(filepath, suffixes: tuple, what: str, overwrite: bool) -> str:
    """The path as a string, after checking its extension and ``overwrite``."""
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
    return path


def write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, ``os.replace``)."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + TEMP_MARKER, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            view = memoryview(data)
            while view:                      # write in chunks: a kill lands mid-file
                n = f.write(view[: 1 << 20])
                view = view[n:]
            f.flush()
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
