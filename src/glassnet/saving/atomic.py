"""Atomic writes: a crash, a full disk or a SIGKILL mid-save never leaves a half file.

The new content goes to a temporary file in the target's own folder (same filesystem, so
the final rename is atomic), is flushed and fsynced, and only then ``os.replace``-d over
the target; the folder is fsynced too where the platform allows it. Until that rename the
previous file is untouched, and a failed save removes its temporary file.

The new file gets the permissions of the file it replaces, or for a new file those an
ordinary ``open`` would give (``0o666`` less the umask), not ``mkstemp``'s private 0600.
A symbolic link is written through: the file it points to is replaced, the link stays.

A save killed outright (SIGKILL, a power cut) cannot remove its temporary file, so the
next save to the same name does. Which leftovers are stale, and why it is safe with two
saves running at once: the temporary name is ``.NAME.glassnet-tmp-HOST-PID-RANDOM``
(``HOST``: 8 hex digits of a hash of this machine's name). A file with exactly that shape
for exactly this NAME is removed when it was made on this machine by a process that no
longer exists (a live concurrent save, in this process or another, keeps its file), or
when it has not been written to for :data:`STALE_AFTER` seconds (a file from another
machine on a shared folder, whose process cannot be asked; a live save writes a chunk at a
time, so its file stays fresh; this also covers a reused process id, and the names older
glassnet versions used). Nothing else in the folder is touched.

A failure to write says which file could not be saved and why (``the folder ... is not
writable``, ``the file-size limit was reached``, ``the disk is full``), never the name of
the temporary file, and leaves the previous file as it was.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import socket
import stat
import tempfile
import time

TEMP_MARKER = ".glassnet-tmp-"
STALE_AFTER = 10 * 60           # seconds without a write before anyone's temporary file is stale
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


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
            + (" (.h5 is a weights file only as .weights.h5)" if path.endswith(".h5") and ".weights.h5" in suffixes else "")
            + (f" (a name without an extension, or .tf/.ckpt, was Keras 2's TensorFlow SavedModel or checkpoint; "
               f"Keras 3 writes one file: {os.path.splitext(path)[0] + suffixes[0]!r})"
               if os.path.splitext(path)[1] in ("", ".tf", ".ckpt", ".pb") else "")
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


class AtomicWriter:
    """A file written a piece at a time that appears at ``path`` only when :meth:`commit`
    puts it there (whole); :meth:`discard`, or leaving a ``with`` block by an exception,
    removes it and leaves ``path`` as it was. ``write(data)`` appends bytes."""

    def __init__(self, path: str):
        if os.path.islink(path):             # replace the file the link points to, not the link
            path = os.path.realpath(path)
        self.path, self.folder = path, os.path.dirname(os.path.abspath(path))
        remove_stale(path)
        prefix = f".{os.path.basename(path)}{TEMP_MARKER}{_HOST}-{os.getpid()}-"
        try:
            fd, self._tmp = tempfile.mkstemp(prefix=prefix, dir=self.folder)
        except OSError as e:
            raise _explained(e, path, self.folder) from e
        self._file = os.fdopen(fd, "wb")

    def write(self, data) -> int:
        try:
            return self._file.write(data)
        except OSError as e:
            self.discard()
            raise _explained(e, self.path, self.folder) from e

    def flush(self) -> None:
        self._file.flush()

    @property
    def closed(self) -> bool:
        return self._file is None

    def commit(self) -> None:
        """Flush, fsync and rename the file into place."""
        if self._file is None:
            return
        f, self._file = self._file, None
        try:
            f.flush()
            if hasattr(os, "fchmod"):        # mkstemp made it 0600
                os.fchmod(f.fileno(), _new_mode(self.path))
            os.fsync(f.fileno())
            f.close()
            os.replace(self._tmp, self.path)
        except BaseException as e:
            f.close()
            _unlink(self._tmp)
            if isinstance(e, OSError):
                raise _explained(e, self.path, self.folder) from e
            raise
        _fsync_dir(self.folder)

    def discard(self) -> None:
        """Drop what was written; ``path`` stays as it was."""
        if self._file is not None:
            self._file.close()
            self._file = None
            _unlink(self._tmp)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.commit()
        else:
            self.discard()


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, ``os.replace``)."""
    with AtomicWriter(path) as f:
        view = memoryview(data)
        while view:                          # write in chunks: a kill lands mid-file
            n = f.write(view[: 1 << 20])
            view = view[n:]


def _explained(error: OSError, path: str, folder: str) -> OSError:
    """The same kind of OSError, naming the target (not the temporary file) and the reason."""
    code, why = error.errno, error.strerror or str(error)
    if code in (errno.EACCES, errno.EPERM):
        reason = f"{why} (the folder {folder!r} is not writable: save elsewhere or change its permissions)"
    elif code == errno.EROFS:
        reason = f"{why} (the folder {folder!r} is on a read-only file system)"
    elif code == errno.EFBIG:
        reason = f"{why} (the file-size limit was reached: ulimit -f / RLIMIT_FSIZE, or the file system's largest file)"
    elif code == errno.ENOSPC:
        reason = f"{why} (the disk holding {folder!r} is full)"
    elif code == getattr(errno, "EDQUOT", -1):
        reason = f"{why} (the disk quota for {folder!r} is used up)"
    else:
        reason = why
    kept = "the previous file is unchanged" if os.path.exists(path) else "nothing was written"
    return OSError(code, f"cannot save {path!r}: {reason}; {kept}")


def remove_stale(path: str) -> list:
    """Remove the stale temporary files of earlier saves to ``path`` (see the module docstring);
    returns the names removed. Errors (a file already gone, a folder not listable) are ignored:
    tidying up must never make a save fail."""
    folder = os.path.dirname(os.path.abspath(path))
    pattern = re.compile(re.escape("." + os.path.basename(path) + TEMP_MARKER)
                         + r"(?:([0-9a-f]{8})-([0-9]+)-)?[A-Za-z0-9_]{6,}\Z")
    removed, now = [], time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            host, pid = match.groups()
            dead = host == _HOST and pid is not None and not _alive(int(pid))
            if dead or now - info.st_mtime > STALE_AFTER:
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (True when it cannot be told)."""
    if pid == os.getpid():
        return True                          # another thread of this process, saving right now
    if os.name != "posix" or pid <= 0:
        return True                          # Windows: os.kill(pid, 0) would not just ask
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True
    return True


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
