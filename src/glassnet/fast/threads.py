"""Thread discipline: never more busy threads than cores that are actually free.

A multi-threaded BLAS collapses on a busy machine: OpenBLAS's threads spin waiting for
each other while other programs hold the cores. Measured on a 2-core machine with two
busy neighbours, one MNIST-shaped epoch (784-256-128-10, Adam, batch 128) took 11-48 s
with OpenBLAS's default 2 threads and 1.1-4.6 s with 1 (bench/README.md). So, while
glassnet trains, it chooses the number of threads itself:

- ``set_num_threads(n)`` (or the environment variable ``GLASSNET_NUM_THREADS=n``) fixes
  it: BLAS (through ``threadpoolctl`` when installed, else NumPy's bundled OpenBLAS
  directly) and glassnet's own elementwise work use ``n`` threads;
- by default (``set_num_threads(None)``, "auto") it is the number of usable cores (CPU
  affinity and cgroup quota) minus those other processes kept busy over the last half
  second (``/proc/stat``'s busy time less this process's own), at least 1, and never
  above an explicit ``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` or ``MKL_NUM_THREADS``.
  It is looked at again at most every half second, between training steps (:func:`pace`).

Where the BLAS library cannot be reached (none of the above), only glassnet's own
elementwise threads follow the setting.

>>> import glassnet
>>> glassnet.config.set_num_threads(1)
>>> glassnet.config.get_num_threads()
1
>>> glassnet.config.set_num_threads(None)     # back to auto
"""
from __future__ import annotations

import contextlib
import os
import time

_INTERVAL = 0.5                     # seconds between two looks at the machine's load

_fixed: int | None = None           # set_num_threads(n); None = auto
_env_read = False
_current: int | None = None         # what BLAS was last set to
_free: int | None = None            # auto's latest count of the cores others leave free
_useful: int | None = None          # the step at hand gains from at most this many BLAS threads
_blas = None                        # list of callables n -> None, once found
_last_look = -1.0
_last_sample = None                 # (wall, busy seconds of our cores, our cpu seconds)


_cores_seen = (-1.0, 1)             # (when usable_cores last looked, what it found)


def usable_cores() -> int:
    """Cores this process may run on: CPU affinity, capped by a cgroup CPU quota; looked at
    again at most every :data:`_INTERVAL` seconds (a convnet's step asks once a layer, and
    reading the quota's file costs about 80 µs)."""
    global _cores_seen
    now = time.monotonic()
    if now - _cores_seen[0] < _INTERVAL:
        return _cores_seen[1]
    n = _look_at_cores()
    _cores_seen = (now, n)
    return n


def _look_at_cores() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            n = min(n, max(1, int(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, n)


def set_num_threads(n: int | None) -> None:
    """Use ``n`` threads for BLAS and glassnet's elementwise work while training;
    ``None`` lets glassnet choose (the cores that other processes leave free)."""
    global _fixed, _last_look, _env_read
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"set_num_threads: n must be an integer >= 1 or None, got {n!r}")
    _fixed, _env_read, _last_look = n, True, -1.0
    if n is not None:
        _apply(n)


def get_num_threads() -> int:
    """The thread count in force: the fixed one, else auto's latest choice (looked at now
    when it has not been yet)."""
    _read_env()
    if _fixed is not None:
        return _fixed
    if _current is None:
        pace()
    return _current or 1


def _read_env() -> None:
    global _fixed, _env_read
    if _env_read:
        return
    _env_read = True
    value = os.environ.get("GLASSNET_NUM_THREADS", "").strip()
    if value and value.lower() != "auto":
        try:
            n = int(value)
        except ValueError:
            n = 0
        if n < 1:
            raise ValueError(f"GLASSNET_NUM_THREADS must be an integer >= 1 or 'auto', got {value!r}")
        _fixed = n


def elementwise_threads() -> int:
    """Threads glassnet's own elementwise kernels may use now (1 until :func:`pace` ran)."""
    return _fixed if _fixed is not None else (_free or 1)


def useful_blas_threads(n: int | None) -> None:
    """Say that the step at hand gains from at most ``n`` BLAS threads (``None``: no
    limit). In auto mode BLAS then runs on ``min(n, free cores)``: a network whose matrices
    are small runs its step faster on one thread, even with a second core free (the
    64-256-256-10 network at batch 32: 0.38 ms a step on one thread, 0.43-0.45 ms on two,
    bench/README.md). A fixed ``set_num_threads(n)`` is kept as it is."""
    global _useful
    if n != _useful:
        _useful = n
        if _fixed is None and _free is not None:
            _apply(min(_free, n or _free))


@contextlib.contextmanager
def blas_pinned(n: int):
    """BLAS on ``n`` threads within the block whatever the mode (fixed or auto), put back as it
    was after: for glassnet's own threads that each call BLAS (the recurrent twins' two halves of
    a batch, one BLAS thread each). The setting is process-wide, so it holds in every thread."""
    before = _current
    _apply(n)
    try:
        yield
    finally:
        if before is not None:
            _apply(before)


def _choose(free: int) -> None:
    """Auto mode's choice: ``free`` cores, no more than the step at hand can use."""
    global _free
    _free = free
    _apply(min(free, _useful or free))


def pace() -> None:
    """Called between training steps: in auto mode, at most every half second, set the
    thread count to the cores other processes leave free. Costs a clock read otherwise."""
    global _last_look, _last_sample
    now = time.monotonic()
    if now - _last_look < _INTERVAL:
        return
    _read_env()
    _last_look = now
    if _fixed is not None:
        if _current != _fixed:
            _apply(_fixed)
        return
    cores = min(usable_cores(), _env_cap())
    sample = _sample(now)
    previous, _last_sample = _last_sample, sample
    if previous is None:                        # first look: the 1-minute load average
        return _choose(max(1, min(cores, int(cores - _load_average() + 0.25))))
    if not 0 < sample[0] - previous[0] < 10 * _INTERVAL:
        return                                  # a stale sample (between two fits): look again soon
    wall, ours = sample[0] - previous[0], (sample[2] - previous[2]) / (sample[0] - previous[0])
    if sample[1] is not None and previous[1] is not None:
        others = (sample[1] - previous[1]) / wall - ours
    else:                                       # no /proc/stat: the load average less our share
        others = _load_average() - ours
    free = cores - max(0.0, others)
    _choose(max(1, min(cores, int(free + 0.25))))


def _env_cap() -> int:
    """An explicit ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS``:
    auto mode never goes above what the user asked of the BLAS."""
    cap = 1 << 30
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        try:
            cap = min(cap, max(1, int(os.environ.get(var, "").split(",")[0])))
        except ValueError:
            pass
    return cap


def _load_average() -> float:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):       # Windows: nothing to go by; assume a quiet machine
        return 0.0


def _sample(now):
    """(wall time, busy seconds summed over our usable cores or None where /proc/stat is
    missing, this process's cpu seconds)."""
    try:
        mine = os.sched_getaffinity(0)
        with open("/proc/stat") as f:
            lines = f.read().splitlines()
    except (AttributeError, OSError):
        return now, None, time.process_time()
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    busy = 0
    for line in lines:
        if line.startswith("cpu") and line[3:4].isdigit():
            name, *fields = line.split()
            if int(name[3:]) in mine:
                f = [int(x) for x in fields[:8]]
                busy += f[0] + f[1] + f[2] + f[5] + f[6] + f[7]   # user nice system irq softirq steal
    return now, busy / ticks, time.process_time()


def _apply(n: int) -> None:
    global _current
    if n == _current:
        return
    _current = n
    for setter in _blas_setters():
        try:
            setter(n)
        except Exception:   # noqa: BLE001 - a BLAS we cannot steer keeps its own setting
            pass


def _blas_setters():
    """Functions that set the BLAS thread count: threadpoolctl's when it is installed
    (any BLAS), else NumPy's bundled OpenBLAS through ctypes."""
    global _blas
    if _blas is not None:
        return _blas
    _blas = []
    try:
        import threadpoolctl  # noqa: PLC0415 - optional, imported when first needed

        controller = threadpoolctl.ThreadpoolController()
        _blas = [lib.set_num_threads for lib in controller.lib_controllers
                 if lib.user_api == "blas"]
        return _blas
    except ImportError:
        pass
    import ctypes  # noqa: PLC0415
    import glob  # noqa: PLC0415

    import numpy as np  # noqa: PLC0415

    here = os.path.dirname(np.__file__)
    paths = (glob.glob(os.path.join(os.path.dirname(here), "numpy.libs", "*openblas*"))   # Linux, Windows
             + glob.glob(os.path.join(here, ".dylibs", "*openblas*")))                     # macOS
    for path in paths:
        try:
            lib = ctypes.CDLL(path)     # already loaded by NumPy: this finds the same copy
        except OSError:
            continue
        for symbol in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                       "openblas_set_num_threads64_", "openblas_set_num_threads"):
            fn = getattr(lib, symbol, None)
            if fn is not None:
                fn.argtypes, fn.restype = [ctypes.c_int], None
                _blas.append(fn)
                break
    return _blas
