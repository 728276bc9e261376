"""Where a sweep's variants run: here (stacks, then a loop of fits), in worker processes on
the cores that are free (variants that cannot share a stack), or in Ray tasks.

Worker processes are started with "spawn" (safe beside threads and on every OS); each gets
the data once, and leaves the terminal's process group so that Ctrl-C reaches only the
sweep, which then keeps what has finished and stops the workers. Ray is imported only when
asked for (``backend="ray"``, or a running ``ray.init(address=...)``).
"""
from __future__ import annotations

import concurrent.futures as futures
import os
import pickle
import sys

from . import run

_DATA = {}


def free_cores() -> int:
    """The cores this process may use, less those the machine is already busy with."""
    from ..fast.threads import usable_cores  # noqa: PLC0415
    n = usable_cores()
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):
        busy = 0.0
    return max(1, min(n, int(n - busy + 1)))       # (+ 1: the load counts this process itself)


def picklable(obj) -> bool:
    """Can ``obj`` (the builder) travel to another process?"""
    try:
        pickle.dumps(obj)
        return True
    except Exception:  # noqa: BLE001 - lambdas, closures, local classes
        return False


def _worker_start(data, options):
    if hasattr(os, "setpgrp"):
        os.setpgrp()                  # out of the terminal's group: Ctrl-C is the sweep's to handle
    _DATA["data"], _DATA["options"] = data, options


def _worker_fit(build, variant):
    return _portable(run.fit_one(build, variant, _DATA["data"], _DATA["options"]))


def _portable(result):
    """A result that can cross back: its History's model link dropped (the model travels)."""
    history = result.get("history")
    if history is not None:
        history.model = None
    return result


def in_processes(build, variants, data, options, workers, interrupted, progress):
    """Each variant's plain fit in a pool of ``workers`` spawned processes; results as they
    finish. Ctrl-C: the finished ones are kept, the rest are marked and the workers stopped."""
    import multiprocessing  # noqa: PLC0415
    results = {}
    pool = futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_worker_start, initargs=(data, options))
    try:
        pending = {pool.submit(_worker_fit, build, v): v for v in variants}
        while pending:
            if interrupted():                   # Ctrl-C: keep only the fits already finished
                done = [f for f in pending if f.done() and not f.cancelled()]
                if not done:
                    break
            else:
                done, _ = futures.wait(pending, timeout=0.2, return_when=futures.FIRST_COMPLETED)
            for f in done:
                v = pending.pop(f)
                try:
                    r = f.result()
                except Exception as e:  # noqa: BLE001 - a worker died or could not pickle
                    r = run._result(v, None, None, "failed", f"{type(e).__name__}: {e}", 0.0, "process")
                r["how"] = "process"
                if r.get("history") is not None:
                    r["history"].model = r["model"]
                    if r["model"] is not None:
                        r["model"].history = r["history"]
                results[v.index] = r
                if progress is not None:
                    progress.done(r)
    finally:
        stop_now = interrupted()
        running = list((getattr(pool, "_processes", None) or {}).values())    # (the pool forgets them on shutdown)
        pool.shutdown(wait=not stop_now, cancel_futures=True)
        if stop_now:
            for process in running:             # the fits still running: stopped
                process.terminate()
    return results


# ---------------------------------------------------------------------------------------
# Ray
# ---------------------------------------------------------------------------------------
class RayUnavailable(RuntimeError):
    """Ray is not installed, or no Ray instance could be reached."""


def ray_running() -> bool:
    """A Ray instance this program already joined (``ray.init(...)``): the sweep uses it."""
    ray = sys.modules.get("ray")
    return bool(ray is not None and getattr(ray, "is_initialized", lambda: False)())


def on_ray(build, chunks, data, options, address, interrupted, progress):
    """Each chunk of variants (stacked where they can be) in a Ray task; results as here."""
    try:
        import ray  # noqa: PLC0415
    except ImportError:
        raise RayUnavailable("sweep(backend='ray') needs Ray: pip install 'glassnet[ray]' (or pass "
                             "fallback='local' to run here instead)") from None
    started = False
    if not ray.is_initialized():
        _reachable(address)
        try:
            # a Ray started here: its workers find what this program imports (the builder's module)
            env = None if address else {"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}}
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     ignore_reinit_error=True, runtime_env=env)
        except Exception as e:  # noqa: BLE001 - ConnectionError, RuntimeError, ... from Ray
            raise RayUnavailable(f"sweep: could not reach Ray at {address or 'a new local instance'}: "
                                 f"{type(e).__name__}: {e} (pass fallback='local' to run here instead)") from None
        started = address is None
    try:
        task = ray.remote(_ray_chunk)
        data_ref = ray.put(data)
        pending = {task.remote(build, chunk, data_ref, options): chunk for chunk in chunks if chunk}
        results = {}
        while pending and not interrupted():
            done, _ = ray.wait(list(pending), num_returns=1, timeout=0.2)
            for ref in done:
                pending.pop(ref)
                for r in ray.get(ref):
                    if r.get("history") is not None and r["model"] is not None:
                        r["history"].model = r["model"]
                        r["model"].history = r["history"]
                    r["how"] = "ray " + r["how"]
                    results[r["index"]] = r
                    if progress is not None:
                        progress.done(r)
        for ref in pending:
            ray.cancel(ref, force=True)
        return results
    finally:
        if started:
            ray.shutdown()


def _reachable(address, timeout=3.0):
    """Refuse at once an address ("host:port", "ray://host:port") where nothing answers: Ray
    itself would retry for minutes."""
    import socket  # noqa: PLC0415
    if not address or address in ("auto", "local"):
        return
    where = address.split("://", 1)[-1]
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        raise RayUnavailable(f"sweep: ray_address {address!r} is not host:port (or ray://host:port)")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as e:
        raise RayUnavailable(f"sweep: no Ray instance answers at {address}: {e} (start one with `ray start "
                             "--head`, or pass fallback='local' to run here instead)") from None


def _ray_chunk(build, chunk, data, options):
    return [_portable(r) for r in run.run_chunk(build, chunk, data, options)]
