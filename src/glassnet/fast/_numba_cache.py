"""Where numba keeps glassnet's compiled loops: a user cache folder, never the package.

numba's ``cache=True`` writes next to the module by default, inside the installed package
(read-only for many installs, shared by every user of a system-wide one). Before the first
loop compiles, :func:`use_user_cache` points numba at ``$GLASSNET_CACHE_DIR``, else
``$XDG_CACHE_HOME/glassnet/numba``, else ``~/.cache/glassnet/numba`` (on Windows,
``%LOCALAPPDATA%\\glassnet\\numba``), unless ``NUMBA_CACHE_DIR`` already chose a folder.
"""
from __future__ import annotations

import os
import sys


def cache_dir() -> str:
    """The folder glassnet's numba loops are cached in."""
    if os.environ.get("GLASSNET_CACHE_DIR"):
        return os.path.join(os.environ["GLASSNET_CACHE_DIR"], "numba")
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if os.name == "nt" else None) or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "glassnet", "numba")


def use_user_cache(numba) -> None:
    """Point ``numba`` (the imported module) at :func:`cache_dir`, unless the user set one."""
    if not numba.config.CACHE_DIR:
        numba.config.CACHE_DIR = cache_dir()


def numba_dir() -> str:
    """The folder numba caches in: its own setting once imported, else what it will be."""
    numba = sys.modules.get("numba")
    config = getattr(numba, "config", None)
    if config is not None and getattr(config, "CACHE_DIR", ""):
        return config.CACHE_DIR
    return os.environ.get("NUMBA_CACHE_DIR") or cache_dir()


def _numba_version():
    """The installed numba's ``__version__`` without importing it: its ``_version.py``'s
    record (versioneer's, as numba ships it), else the package metadata; None without numba."""
    import importlib.util  # noqa: PLC0415
    import re  # noqa: PLC0415
    try:
        spec = importlib.util.find_spec("numba")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    try:
        with open(os.path.join(os.path.dirname(spec.origin), "_version.py"), encoding="utf-8") as f:
            found = re.search(r'"version":\s*"([^"]+)"', f.read())
        if found:
            return found.group(1)
    except OSError:
        pass
    try:
        from importlib.metadata import version  # noqa: PLC0415 - slower (0.05-0.1 s to import)
        return version("numba")
    except Exception:   # noqa: BLE001 - no metadata either: treat as not cached
        return None


def _fresh_strings(index_path, version, stamp):
    """The strings in a numba index file's pickled entries, if it was written by this numba
    version for this source (else None), read with :mod:`pickletools` (no unpickling, so no
    numba import)."""
    import pickle  # noqa: PLC0415
    import pickletools  # noqa: PLC0415
    try:
        with open(index_path, "rb") as f:
            if pickle.load(f) != version:           # a str: unpickling it imports nothing
                return None
            data = f.read()
        words = [arg for _, arg, _ in pickletools.genops(data) if isinstance(arg, (str, bytes))]
    except Exception:   # noqa: BLE001 - unreadable, half-written, another format: not cached
        return None
    return words[1:] if words and words[0] == stamp else None


def module_folder(module_file: str, folder: str | None = None) -> str:
    """The folder numba caches ``module_file``'s functions in: under ``folder`` (default
    :func:`numba_dir`), ``<the package folder's name>_<sha1 of its absolute path>``, as
    numba's ``_CacheLocator.get_suitable_cache_subpath`` names it."""
    import hashlib  # noqa: PLC0415
    package = os.path.dirname(os.path.abspath(module_file))
    return os.path.join(folder or numba_dir(), "_".join(
        [os.path.basename(package), hashlib.sha1(package.encode()).hexdigest()]))


def cached(module_file: str, functions, folder: str | None = None) -> bool:
    """Whether numba's disk cache already holds each of ``functions`` of the module at
    ``module_file``, compiled from that very source by the installed numba, so that calling
    them loads (a fraction of a second) instead of compiling (seconds to minutes). Imports
    no numba.

    ``functions``: names, or ``(name, token)`` pairs where ``token`` must appear among the
    type names of the cached signatures (``"array(float32, 2d"``: an overload for float32
    matrices). numba's files, as numba 0.68 names them (``numba/core/caching.py``): for
    a function ``f`` of ``pkg/mod.py``, the index
    ``<folder>/<dir>_<sha1 of the abspath of pkg>/mod.f-<first line>.py<major><minor><abiflags>.nbi``
    (the first line is the decorator's), holding the numba version, pickled alone, then
    the pickled ``(sha256 of the source, {(signature, target, code hashes): data file})``.
    The index is found by name (any first line: an index whose source hash is this
    source's was written for it). Not checked: the target CPU in the keys (a cache copied
    from another machine counts as cached; numba then compiles)."""
    import glob  # noqa: PLC0415
    import hashlib  # noqa: PLC0415
    version = _numba_version()
    if version is None:
        return False
    source = os.path.abspath(module_file)
    try:
        with open(source, "rb") as f:
            stamp = hashlib.sha256(f.read()).digest()
    except OSError:
        return False
    where = module_folder(source, folder)
    module = os.path.splitext(os.path.basename(source))[0]
    suffix = f".py{sys.version_info[0]}{sys.version_info[1]}{getattr(sys, 'abiflags', '')}.nbi"
    for entry in functions:
        name, token = (entry, None) if isinstance(entry, str) else entry
        pattern = os.path.join(glob.escape(where), f"{module}.{name}-*{suffix}")
        found = False
        for index in glob.glob(pattern):
            words = _fresh_strings(index, version, stamp)
            if words is not None and (token is None or any(isinstance(w, str) and token in w for w in words)):
                found = True
                break
        if not found:
            return False
    return True
