"""Where datasets are kept and how one is downloaded: the plumbing every loader shares.

- :func:`cache_dir`: glassnet's cache, ``$GLASSNET_HOME/datasets`` or ``~/.glassnet/datasets``;
- :func:`keras_dir`: Keras's, ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``, where a
  copy TensorFlow already downloaded is found and used;
- :func:`download`: a file fetched into memory, checked (SHA-256, when the loader knows
  it), then written atomically, with a progress bar on stderr. Offline, it fails at once
  with a message saying where to put the file by hand.

Each loader passes its own name (``"mnist.load_data"``) for the messages, and its own
``_urlopen`` (a seam: tests replace it to serve bytes without a network).
"""
from __future__ import annotations

import hashlib
import os
import sys
import time

#: Seconds to wait for the server to answer (and between chunks): offline fails fast.
TIMEOUT = 10.0


def cache_dir() -> str:
    """The folder datasets are cached in: ``$GLASSNET_HOME/datasets``, else ``~/.glassnet/datasets``."""
    home = os.environ.get("GLASSNET_HOME") or os.path.join(os.path.expanduser("~"), ".glassnet")
    return os.path.join(home, "datasets")


def keras_dir() -> str:
    """Keras's dataset cache: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def urlopen(url: str, timeout: float):
    """Open ``url`` (imported here: ``urllib.request`` is slow to import and rarely needed)."""
    import urllib.request  # noqa: PLC0415

    return urllib.request.urlopen(url, timeout=timeout)


def fetch(url: str, expected: str | None, who: str, target: str, hint: str, opener=None) -> bytes:
    """The bytes at ``url``, checked against the SHA-256 ``expected`` when given. A network
    failure is a ``ConnectionError`` naming ``target`` (where to put the file by hand) and
    ``hint`` (the other ways); a wrong hash a ``ValueError``. Nothing is written."""
    import http.client  # noqa: PLC0415 - IncompleteRead (a connection cut mid-file) is not an OSError

    h, chunks = hashlib.sha256(), []
    try:
        with (opener or urlopen)(url, TIMEOUT) as response:
            total = int(response.headers.get("Content-Length") or 0)
            bar = _Progress(url, total)
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                h.update(chunk)
                bar.update(len(chunk))
            bar.close()
    except (OSError, http.client.HTTPException) as e:  # URLError, timeouts, resets...
        checked = f" (SHA-256 {expected})" if expected else ""
        raise ConnectionError(
            f"{who}: could not download {url} ({e}).\n"
            f"Offline? Download it elsewhere and copy it to {target}{checked}, or set "
            f"GLASSNET_HOME, or {hint}."
        ) from e
    digest = h.hexdigest()
    if expected is not None and digest != expected:
        raise ValueError(f"{who}: the file downloaded from {url} has SHA-256 {digest}, expected "
                         f"{expected}; it was discarded (corrupted or tampered download). Try "
                         f"again later, or copy a good file to {target}.")
    return b"".join(chunks)


def make_folder(folder: str, who: str) -> None:
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise cache_error(e, f"cannot create the cache folder {folder}", who) from e


def write(target: str, payload: bytes, who: str, what: str) -> None:
    """``payload`` into ``target`` atomically (``glassnet.saving.atomic``: a temporary file
    in the same folder, fsync, rename; never a half-written file); a failure (full disk,
    read-only folder) is an ``OSError`` naming the cache."""
    from ..saving import atomic  # noqa: PLC0415 - here, not at import: `import glassnet.datasets` stays light

    try:
        atomic.write_bytes(target, payload)
    except OSError as e:
        raise cache_error(e, f"{what} but cannot write it to {target}", who) from e


def download(url: str, target: str, expected: str | None, who: str, hint: str, opener=None) -> None:
    """Download ``url`` to ``target``: checked, then written atomically (:func:`fetch`, :func:`write`)."""
    make_folder(os.path.dirname(target), who)
    write(target, fetch(url, expected, who, target, hint, opener), who, f"downloaded {url}")


def cached_or_download(filename: str, url: str, expected: str, who: str, hint: str, opener=None) -> str:
    """The path of ``filename``: glassnet's cached copy (its SHA-256 checked against
    ``expected``; a mismatch is refused, not silently replaced), else the copy TensorFlow
    left in Keras's cache when it is the same file, else a download into glassnet's cache."""
    target = os.path.join(cache_dir(), filename)
    keras_copy = os.path.join(keras_dir(), filename)
    if not os.path.isfile(target) and os.path.isfile(keras_copy) and sha256(keras_copy) == expected:
        return keras_copy                   # TensorFlow downloaded it already: the same file, verified
    if os.path.isfile(target):
        digest = sha256(target)
        if digest != expected:
            raise ValueError(f"{who}: the cached {target} has SHA-256 {digest}, not Keras's {expected}; "
                             f"delete it to download it again, or pass path= to use it as it is")
        return target
    download(url, target, expected, who, hint, opener)
    return target


def cache_error(e: OSError, what: str, who: str) -> OSError:
    """An OSError of the same kind (PermissionError, ...) whose message names the cache."""
    msg = (f"{who}: {what} ({e.strerror or e}); free some space or fix the folder's "
           f"permissions, set GLASSNET_HOME to another folder, or pass path=")
    return OSError(e.errno, msg) if e.errno is not None else OSError(msg)


class _Progress:
    """A download progress bar on stderr: redrawn in place on a terminal, two lines elsewhere."""

    def __init__(self, url: str, total: int):
        self.total, self.done = total, 0
        self.tty = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        self.start = self.last = time.monotonic()
        size = f" ({total / 1e6:.1f} MB)" if total else ""
        print(f"Downloading {url}{size}", file=sys.stderr, flush=True)

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.tty and (now - self.last > 0.1 or self.done == self.total):
            self.last = now
            if self.total:
                frac = min(self.done / self.total, 1.0)
                filled = int(30 * frac)
                line = (f"{'━' * filled}{' ' * (30 - filled)} {self.done / 1e6:5.1f}/"
                        f"{self.total / 1e6:.1f} MB")
            else:
                line = f"{self.done / 1e6:5.1f} MB"
            sys.stderr.write("\r" + line)
            sys.stderr.flush()

    def close(self) -> None:
        seconds = time.monotonic() - self.start
        if self.tty:
            sys.stderr.write("\n")
        print(f"Downloaded {self.done / 1e6:.1f} MB in {seconds:.1f}s", file=sys.stderr, flush=True)
