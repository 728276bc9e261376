"""Where numba keeps glassnet's compiled loops: a user cache folder, never the package.

numba's ``cache=True`` writes next to the module by default, inside the installed package
(read-only for many installs, shared by every user of a system-wide one). Before the first
loop compiles, :func:`use_user_cache` points numba at ``$GLASSNET_CACHE_DIR``, else
``$XDG_CACHE_HOME/glassnet/numba``, else ``~/.cache/glassnet/numba`` (on Windows,
``%LOCALAPPDATA%\\glassnet\\numba``), unless ``NUMBA_CACHE_DIR`` already chose a folder.
"""
from __future__ import annotations

import os


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
