"""``glassnet.sweep``: train many variants of a model (lambda, learning rate, units, seed,
epochs ...) and get one table of how each did, as the course's "advice for applying machine
learning" compares them.

    def build(lam, learning_rate):
        model = Sequential([Dense(25, "sigmoid", kernel_regularizer=L2(lam)), ...])
        model.compile(optimizer=RMSprop(learning_rate), loss=BinaryCrossentropy())
        return model

    table = glassnet.sweep(build, {"lam": [0, 0.01, 0.1], "learning_rate": [1e-3, 1e-2],
                                   "seed": [0, 1]}, x, y, epochs=100, validation_split=0.2)

Each variant is what the plain loop gives: ``set_random_seed(seed); model = build(**values);
model.fit(...)``. How they run (``backend``):

- "auto" (default): variants that share an architecture and differ in values train stacked,
  all at once (``glassnet/sweeps/stacked.py``: a leading "variant" axis on every weight, the
  same arithmetic per variant as its own fit); the others run in worker processes on the
  free cores (a builder that cannot be pickled: one after another here);
- "stacked": as auto, but a variant that cannot be stacked is an error;
- "processes": every variant's own fit, in worker processes; "loop": one after another here;
- "ray": chunks of variants in Ray tasks (``pip install glassnet[ray]``); used too when the
  program has joined a Ray instance (``ray.init(address=...)``). Unreachable: an error, or
  ``fallback="local"`` to run here.

The table (a pandas DataFrame, or a list of dicts without pandas) has the variant's values,
``final_<metric>`` and ``best_<metric>`` for the loss, the metrics and their ``val_`` twins,
``train_error`` and ``val_error`` (the course's J_train and J_cv: the loss without the
penalty terms, after training), ``epochs_run``, ``status`` ("ok", "diverged", "rejected", "failed", "interrupted", "not
run"), ``message`` (why), ``how`` it ran, ``seconds``, and the trained ``model`` and its
``history``. A variant that diverges stops (as fit stops it) and the others go on. Ctrl-C
stops the sweep after the step at hand and returns the table of what has finished (the
variants then training marked "interrupted", the rest "not run"); a second Ctrl-C stops at
once, keeping the variants already finished.

>>> import numpy as np, glassnet
>>> x = np.random.default_rng(0).random((64, 3)).astype("float32"); y = (x.sum(1) > 1.5).astype("float32")
>>> def build(learning_rate):
...     model = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(1, "sigmoid")])
...     model.compile(optimizer=glassnet.optimizers.SGD(learning_rate), loss="binary_crossentropy")
...     return model
>>> table = glassnet.sweep(build, {"learning_rate": [0.1, 1.0]}, x, y, epochs=3, verbose=0, table="records")
>>> [row["status"] for row in table], table[0]["how"]
(['ok', 'ok'], 'stacked 2')
"""
from __future__ import annotations

import math
import sys
import time

from . import backends, run, table as table_module, variants as variants_module
from .backends import RayUnavailable

__all__ = ["sweep", "RayUnavailable"]

BACKENDS = ("auto", "stacked", "processes", "loop", "ray")


def sweep(build, grid, x, y, *, epochs=10, batch_size=32, validation_data=None, validation_split=0.0,
          shuffle=True, seed=0, backend="auto", workers=None, verbose=1, ray_address=None, fallback=None,
          table="auto"):
    """Train every variant of ``grid`` (a dict of lists: every combination; or a list of
    dicts) built by ``build(**values)`` (or varied from a compiled Sequential ``build``:
    ``lambda``, ``learning_rate``, ``units``, ``dropout``) on ``x, y``; return the table.

    ``seed``, ``epochs`` and ``batch_size`` may also be grid values. ``workers``: processes
    for the variants that cannot be stacked, and threads for a stack of 16 or more (default:
    the free cores). ``verbose``: 0 silent,
    1 one progress line, 2 a line per variant. ``table``: "auto", "pandas" or "records"."""
    if backend not in BACKENDS:
        raise ValueError(f"sweep: backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}")
    if fallback not in (None, "local"):
        raise ValueError(f"sweep: fallback must be None or 'local', got {fallback!r}")
    if table not in ("auto", "pandas", "records"):
        raise ValueError(f"sweep: table must be 'auto', 'pandas' or 'records', got {table!r}")
    if verbose not in (0, 1, 2):
        raise ValueError(f"sweep: verbose must be 0, 1 or 2, got {verbose!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"sweep: workers must be a whole number >= 1, got {workers!r}")
    if not (isinstance(validation_split, (int, float)) and 0 <= validation_split < 1):
        raise ValueError(f"sweep: validation_split must be a number in [0, 1), got {validation_split!r}")
    if validation_data is not None and (not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2):
        raise ValueError("sweep: validation_data must be a tuple (x_val, y_val)")
    if x is None or y is None:
        raise ValueError("sweep: give the training data, x and y (arrays)")
    from ..engine.model import Model  # noqa: PLC0415
    if isinstance(build, Model):
        build = variants_module.Template(build)
    elif not callable(build):
        raise ValueError(f"sweep: build must be a function that returns a compiled model (or a compiled "
                         f"Sequential model), got {type(build).__name__}")
    found = variants_module.expand(grid)
    variants_module.settle(found, build, seed=seed, epochs=epochs, batch_size=batch_size)
    keys = list(dict.fromkeys(k for v in found for k in v.values))
    data = (x, y, None if validation_data is None else tuple(validation_data), validation_split)
    options = {"shuffle": bool(shuffle), "threads": workers or backends.free_cores()}
    progress = Progress(len(found), verbose)
    if backend == "auto" and backends.ray_running():
        backend = "ray"
    with run.interrupt_flag() as (interrupted, state):
        try:
            results = _run(backend, build, found, data, options, workers, interrupted, state, progress,
                           ray_address, fallback)
        except KeyboardInterrupt:               # a second Ctrl-C: stop at once, keep what finished
            state["requested"] = True
            results = dict(progress.seen)
            for v in found:
                results.setdefault(v.index, run._result(v, None, None, "not run", "the sweep was stopped "
                                                        "(a second Ctrl-C) before it finished", 0.0, ""))
        stopped = state["requested"]
    progress.finish(results, stopped)
    ordered = [results[v.index] for v in found]
    for r in ordered:
        found = r.pop("errors", None)               # a stack's, already worked out (the same numbers)
        r["train_error"], r["val_error"] = found if found is not None else \
            run.errors(r["model"] if r["history"] is not None else None, data)
    if all(r["status"] == "rejected" for r in ordered):
        raise ValueError(f"sweep: every variant was refused; the first: {ordered[0]['message']}")
    return table_module.make(ordered, keys, "records" if table == "records" else table)


def _run(backend, build, found, data, options, workers, interrupted, state, progress, ray_address, fallback):
    by_index = {}
    if backend == "ray":
        try:
            chunks = _chunks(found, max(1, workers or backends.free_cores()))
            by_index.update(backends.on_ray(build, chunks, data, options, ray_address, interrupted, progress))
        except backends.RayUnavailable as e:
            if fallback != "local":
                raise
            print(f"sweep: {e}; running here instead (fallback='local')", file=sys.stderr)
            backend = "auto"
    if backend in ("auto", "stacked"):
        by_index.update(_stacked_then_rest(backend, build, found, data, options, workers,
                                           interrupted, state, progress))
    elif backend == "processes":
        by_index.update(backends.in_processes(build, found, data, options, workers or backends.free_cores(),
                                              interrupted, progress))
    elif backend == "loop":
        for r in run.run_chunk(build, found, data, dict(options, stack=False), interrupted, state, progress):
            by_index[r["index"]] = r
    for v in found:
        if v.index not in by_index:
            by_index[v.index] = run._result(v, None, None, "not run", "the sweep was interrupted (Ctrl-C) first",
                                            0.0, "")
    return by_index


def _stacked_then_rest(backend, build, found, data, options, workers, interrupted, state, progress):
    """Stacks here; meanwhile the variants that cannot be stacked in worker processes (or,
    when there is one core or the builder cannot be pickled, here after the stacks)."""
    plan = run.plan_stacks(build, found, data, interrupted, alone_apart=backend != "stacked")
    if backend == "stacked" and plan.single:
        v, why = plan.single[0]
        raise ValueError(f"sweep(backend='stacked'): variant {v.index} ({v.values}) cannot be stacked: {why}")
    results = dict(plan.rejected)
    for r in results.values():
        progress.done(r)
    rest = [v for v, _ in plan.single]
    n = workers or backends.free_cores()
    pool = None
    if len(rest) > 1 and n > 1 and backends.picklable(build):
        pool = rest
        rest = []
    waiting = None
    if pool:                    # the worker processes run while the stacks train here
        import concurrent.futures  # noqa: PLC0415
        helper = concurrent.futures.ThreadPoolExecutor(1)
        waiting = helper.submit(backends.in_processes, build, pool, data, options, min(n, len(pool)),
                                interrupted, progress)
        helper.shutdown(wait=False)
    for r in run.train_stacks(plan, data, options, interrupted, progress):
        results[r["index"]] = r
    if waiting is not None:
        results.update(waiting.result())
    for v in rest:
        if interrupted():
            break
        r = run.fit_one(build, v, data, options, state)
        results[v.index] = r
        progress.done(r)
    return results


def _chunks(found, n):
    """``found`` in ``n`` near-equal consecutive chunks (neighbours in a grid often stack)."""
    size = math.ceil(len(found) / n)
    return [found[i:i + size] for i in range(0, len(found), size)]


def _is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """One line for the whole sweep (``verbose=1``), or a line per variant (``verbose=2``)."""

    def __init__(self, total, verbose):
        self.total, self.verbose = total, verbose
        self.finished = 0
        self.seen = {}                  # every result so far, by variant: what a second Ctrl-C keeps
        self.start = time.perf_counter()
        self.note = ""

    def _line(self, text, end=""):
        if self.verbose != 1:
            return
        if end or _is_terminal():           # redrawn in place on a terminal; in a log, the last line only
            sys.stdout.write(("\r" if _is_terminal() else "") + text.ljust(78)[:160] + end)
            sys.stdout.flush()

    def epoch(self, epoch, epochs, count):
        self._line(f"sweep: {self.finished}/{self.total} variants done; {count} stacked: epoch {epoch}/{epochs} "
                   f"- {time.perf_counter() - self.start:.1f}s")

    def done(self, result):
        self.seen[result["index"]] = result
        self.finished += 1
        if self.verbose == 2:
            print(f"sweep: variant {result['index']} {result['values']}: {result['status']}"
                  + (f" ({result['message']})" if result["message"] else ""))
        self._line(f"sweep: {self.finished}/{self.total} variants done - {time.perf_counter() - self.start:.1f}s")

    def finish(self, results, stopped):
        if not self.verbose:
            return
        counts = {}
        for r in results.values():
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        text = ", ".join(f"{n} {status}" for status, n in counts.items())
        line = (f"sweep: {len(results)} variants in {time.perf_counter() - self.start:.1f}s: {text}"
                + (" (stopped by Ctrl-C)" if stopped else ""))
        if self.verbose == 1:
            self._line(line, "\n")
        else:
            print(line)
