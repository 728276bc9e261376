"""The compiled epoch's loops, compiled in a background process, so that no fit waits for it.

A fit whose epochs would run in one compiled call (``glassnet.fast.epoch``) but whose
loops are not yet in numba's disk cache runs step by step, and calls :func:`start`:

- once per process at most (a second qualifying fit in the same process starts nothing);
- not with ``GLASSNET_BACKGROUND_COMPILE=0`` (or false/no/off), nor with
  ``glassnet.config.set_compiled_epoch(False)`` (the fit never asks then);
- one per machine (per cache folder) at a time: the lock file ``glassnet-compile.lock`` in
  numba's cache folder, created exclusively; one older than :data:`STALE_S` (a process
  killed midway) is taken over. The process removes it when done; a compile that fails
  leaves it, so no other try starts for 30 minutes, and its log says why;
- the process is ``python -m glassnet.fast.compile``: detached (its own session), at low
  priority (``os.nice(10)``), its output appended to ``glassnet-compile.log`` beside the
  lock; it calls ``glassnet.fast.epoch.compile_now`` (20-90 s on a busy 2-core machine).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

STALE_S = 30 * 60            # a lock older than this is a dead compile's: taken over
LOCK_NAME, LOG_NAME = "glassnet-compile.lock", "glassnet-compile.log"
_started = False             # this process has asked for its one background compile
process = None               # the Popen of the compile this process started, if any


def wanted() -> bool:
    """``GLASSNET_BACKGROUND_COMPILE`` not turned off and ``set_compiled_epoch`` not False."""
    from .. import config  # noqa: PLC0415
    env = os.environ.get("GLASSNET_BACKGROUND_COMPILE", "").strip().lower()
    return env not in ("0", "false", "no", "off") and config.compiled_epoch()


def lock_path(folder=None) -> str:
    """The lock file in numba's cache folder (or ``folder``)."""
    from ._numba_cache import numba_dir  # noqa: PLC0415
    return os.path.join(folder or numba_dir(), LOCK_NAME)


def take_lock(path) -> bool:
    """Create the lock file ``path`` (with this process's id and the time); False if another
    holds it. A lock older than :data:`STALE_S` is moved aside and taken (two processes
    taking over the same stale lock in the same instant could both win: rare, and harmless
    beyond a second compile)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                if time.time() - os.stat(path).st_mtime < STALE_S:
                    return False
                aside = f"{path}.stale.{os.getpid()}"
                os.replace(path, aside)
                os.remove(aside)
            except FileNotFoundError:
                pass                         # released (or taken over) meanwhile: try again
            continue
        with os.fdopen(fd, "w") as f:
            f.write(f"{os.getpid()} {time.time():.0f}\n")
        return True
    return False


def start(folder=None) -> bool:
    """Start the background compile, if :func:`wanted`, not yet asked in this process, and
    the lock is free; True if a process started."""
    global _started, process
    if _started or not wanted() or not sys.executable:
        return False
    _started = True
    path = lock_path(folder)
    try:
        if not take_lock(path):
            return False
    except OSError:                          # a cache folder we cannot write: numba could not cache either
        return False
    try:
        process = spawn(path)
    except Exception:   # noqa: BLE001 - could not start it: give the lock back, fits stay step by step
        try:
            os.remove(path)
        except OSError:
            pass
        return False
    return True


def spawn(lock):
    """``python -m glassnet.fast.compile --lock LOCK``, detached, output to the log beside the
    lock, finding this very glassnet (its folder first on ``PYTHONPATH``)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, GLASSNET_BACKGROUND_COMPILE="0")
    env["PYTHONPATH"] = os.pathsep.join([root] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    if os.name == "nt":
        detach = {"creationflags": subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
                  | subprocess.BELOW_NORMAL_PRIORITY_CLASS}
    else:
        detach = {"start_new_session": True}
    with open(os.path.join(os.path.dirname(lock), LOG_NAME), "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "glassnet.fast.compile", "--lock", lock],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                close_fds=True, env=env, **detach)


def main(argv=None) -> int:
    """The background process: compile, then release the lock (kept if the compile failed)."""
    import argparse  # noqa: PLC0415
    import traceback  # noqa: PLC0415
    parser = argparse.ArgumentParser(prog="python -m glassnet.fast.compile",
                                     description="Compile glassnet's compiled-epoch loops into numba's cache.")
    parser.add_argument("--lock", help="the lock file to remove when done")
    args = parser.parse_args(argv)
    if hasattr(os, "nice"):
        try:
            os.nice(10)
        except OSError:
            pass
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} pid {os.getpid()}: compiling glassnet's epoch loops", flush=True)
    try:
        from .epoch import compile_now  # noqa: PLC0415
        compile_now(log=sys.stdout)
    except Exception:   # noqa: BLE001 - reported in the log; the lock stays (no retry for STALE_S)
        traceback.print_exc()
        return 1
    if args.lock:
        try:
            os.remove(args.lock)
        except OSError:
            pass
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} pid {os.getpid()}: done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
