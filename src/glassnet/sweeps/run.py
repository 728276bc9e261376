"""Training a chunk of variants, wherever it runs (here, in a worker process, in a Ray task):
build each one with its seed, stack those that can share a stack, ``fit`` the others.

Each variant's reference is the plain loop a learner writes::

    glassnet.utils.set_random_seed(seed)
    model = build(**values)
    model.fit(x, y, epochs=..., batch_size=..., validation_data=..., verbose=0)

and every way of running it gives that model's weights (stacked: the same arithmetic,
tests/test_sweep_stacked.py). A result is a dict: the variant's index, its model and
history, ``status`` ("ok", "diverged", "rejected", "failed", "interrupted", "not run"),
``message``, ``seconds`` and ``how`` ("stacked", "fit").
"""
from __future__ import annotations

import io
import contextlib
import signal
import threading
import time
import traceback
from dataclasses import dataclass, field

from .. import utils
from ..callbacks import Callback
from . import epochs, stacked


@contextlib.contextmanager
def interrupt_flag():
    """Ctrl-C sets a flag the sweep reads between steps and variants (a second one stops at
    once); a fit running meanwhile sees it through :class:`_Watch`."""
    state = {"requested": False}
    previous = None

    def handler(signum, frame):
        if state["requested"]:
            raise KeyboardInterrupt
        state["requested"] = True

    if threading.current_thread() is threading.main_thread():
        try:
            previous = signal.signal(signal.SIGINT, handler)
        except ValueError:
            previous = None
    try:
        yield lambda: state["requested"], state
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


class _Watch(Callback):
    """A callback for a fit inside the sweep: fit puts its own Ctrl-C handler in place; this
    chains the sweep's flag to it, so Ctrl-C both stops the fit and ends the sweep."""

    def __init__(self, state):
        super().__init__()
        self.state, self._handler = state, None

    def on_train_begin(self, logs=None):
        if threading.current_thread() is not threading.main_thread():
            return
        fits = signal.getsignal(signal.SIGINT)
        state = self.state

        def both(signum, frame):
            state["requested"] = True
            if callable(fits):
                fits(signum, frame)
        self._handler = fits
        signal.signal(signal.SIGINT, both)

    def on_train_end(self, logs=None):
        if self._handler is not None:
            signal.signal(signal.SIGINT, self._handler)
            self._handler = None


def build_one(build, variant, x, y):
    """``set_random_seed(seed); model = build(**values)``, built on ``x`` as fit builds it;
    returns ``(model, generator fit would draw from, None)`` or ``(None, None, why)``."""
    utils.set_random_seed(variant.seed)
    try:
        model = build(**variant.build_args)
    except Exception as e:  # noqa: BLE001 - the builder's refusal of this variant's values
        return None, None, f"the builder refused {variant.values}: {type(e).__name__}: {e}"
    from ..engine.model import Model  # noqa: PLC0415
    if not isinstance(model, Model):
        return None, None, f"the builder returned {type(model).__name__}, not a glassnet model"
    if getattr(model, "loss", None) is None or getattr(model, "optimizer", None) is None:
        return None, None, "the builder returned a model that is not compiled (call model.compile in it)"
    return model, None, None


@dataclass
class Plan:
    """Variants built and sorted: stacks (each a list of ``(variant, model, generator)``
    sharing a signature, epochs and batch size), the ones that cannot be stacked (with why),
    and the results of those the builder refused."""

    stacks: list = field(default_factory=list)
    single: list = field(default_factory=list)
    rejected: dict = field(default_factory=dict)


def plan_stacks(build, variants, data, interrupted=lambda: False, alone_apart=True) -> Plan:
    """Build each variant as its fit would (seed, build, checks, build on the data) and sort
    them into stacks; a variant alone with its network goes with those that cannot be stacked
    (``alone_apart``: to a worker process, where one may run beside the others)."""
    x, y, validation, validation_split = data
    plan, stacks = Plan(), {}
    for v in variants:
        if interrupted():
            break
        model, _, why = build_one(build, v, x, y)
        if model is None:
            plan.rejected[v.index] = _result(v, None, None, "rejected", why, 0.0, "")
            continue
        try:
            xs, ys, val = _fit_data(model, x, y, validation, validation_split)
            model._ready(xs, ys)                    # built as fit builds it: the same draws
        except Exception as e:  # noqa: BLE001 - a variant whose model does not fit the data
            plan.rejected[v.index] = _result(v, model, None, "rejected", f"{type(e).__name__}: {e}", 0.0, "")
            continue
        why = stacked.why_not(model) if getattr(xs, "ndim", 0) == 2 else "its inputs are not (samples, features)"
        if why is None:
            key = (stacked.signature(model), v.epochs, v.batch_size)
            stacks.setdefault(key, []).append((v, model, utils.rng()))
        else:
            plan.single.append((v, why))
    plan.stacks = [group for group in stacks.values() if len(group) > 1 or not alone_apart]
    plan.single += [(group[0][0], "no other variant shares its network") for group in stacks.values()
                    if len(group) == 1 and alone_apart]
    plan.single.sort(key=lambda item: item[0].index)
    return plan


def train_stacks(plan, data, options, interrupted=lambda: False, progress=None) -> list:
    """Train each stack of ``plan``; the results of its variants."""
    x, y, validation, validation_split = data
    results = []
    for group in plan.stacks:
        if interrupted():
            break
        v0, model0, _ = group[0]
        xs, ys, val = _fit_data(model0, x, y, validation, validation_split)
        start = time.perf_counter()
        errors = {}
        outcomes = epochs.train([m for _, m, _ in group], [g for _, _, g in group], xs, ys,
                                 epochs=v0.epochs, batch_size=v0.batch_size, shuffle=options["shuffle"],
                                 validation=None if val is None else val[:2], interrupted=interrupted,
                                 threads=options.get("threads", 1), errors=errors,
                                 on_epoch=None if progress is None else
                                 (lambda e, n, k=len(group): progress.epoch(e, n, k)))
        seconds = (time.perf_counter() - start) / len(group)
        for k, ((v, model, _), (history, status, message)) in enumerate(zip(group, outcomes)):
            results.append(_result(v, model, history, status, message, seconds, f"stacked {len(group)}"))
            if k in errors:                             # J_train, J_cv: worked out for the stack at once
                results[-1]["errors"] = errors[k]
            _tell(progress, results[-1])
    return results


def run_chunk(build, variants, data, options, interrupted=lambda: False, state=None, progress=None):
    """Train ``variants`` here: stacked where they can be (``options["stack"]``), the rest
    by their own fit; their results in their order (those never reached: "not run")."""
    results = {}
    if options.get("stack", True):
        plan = plan_stacks(build, variants, data, interrupted)
        results.update(plan.rejected)
        for r in plan.rejected.values():
            _tell(progress, r)
        results.update((r["index"], r) for r in train_stacks(plan, data, options, interrupted, progress))
        single = [v for v, _ in plan.single]
    else:
        single = list(variants)
    for v in single:
        if interrupted():
            break
        results[v.index] = fit_one(build, v, data, options, state)
        _tell(progress, results[v.index])
    for v in variants:
        if v.index not in results:
            results[v.index] = _result(v, None, None, "not run", "the sweep was interrupted (Ctrl-C) first",
                                       0.0, "")
    return [results[v.index] for v in variants]


def fit_one(build, variant, data, options, state=None):
    """The plain loop's one variant: seed, build, ``fit``."""
    x, y, validation, validation_split = data
    model, _, why = build_one(build, variant, x, y)
    if model is None:
        return _result(variant, None, None, "rejected", why, 0.0, "fit")
    if state is not None and state.get("requested"):
        return _result(variant, None, None, "not run", "the sweep was interrupted (Ctrl-C) first", 0.0, "")
    callbacks = [] if state is None else [_Watch(state)]
    err = io.StringIO()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stderr(err):       # fit's own stop message goes into the table
            history = model.fit(x, y, epochs=variant.epochs, batch_size=variant.batch_size, verbose=0,
                                validation_data=validation, validation_split=validation_split,
                                shuffle=options["shuffle"], callbacks=callbacks)
    except Exception as e:  # noqa: BLE001 - this variant failed; the others go on
        return _result(variant, model, None, "failed", f"{type(e).__name__}: {e}",
                       time.perf_counter() - start, "fit", traceback.format_exc(limit=3))
    seconds = time.perf_counter() - start
    said = err.getvalue().strip()
    status, message = "ok", ""
    if state is not None and state.get("requested"):
        status, message = "interrupted", said or "interrupted (Ctrl-C)"
    elif "loss became" in said:
        status, message = "diverged", said.split("Training stopped: the ", 1)[-1].split(". Likely causes")[0]
    return _result(variant, model, history, status, message, seconds, "fit")


def errors(model, data):
    """The course's ``J_train`` and ``J_cv`` of a trained model: its loss on the training and
    validation rows without the penalty terms (NaN where there is no model or no validation)."""
    import math  # noqa: PLC0415
    from .curves import error  # noqa: PLC0415
    if model is None:
        return math.nan, math.nan
    x, y, validation, validation_split = data
    try:
        with _quiet():
            xs, ys, val = _fit_data(model, x, y, validation, validation_split)
            return error(model, xs, ys), (math.nan if val is None else error(model, val[0], val[1]))
    except Exception:  # noqa: BLE001 - a model gone non-finite, or data it cannot take
        return math.nan, math.nan


def _quiet():
    import numpy as np  # noqa: PLC0415
    return np.errstate(all="ignore")


def _fit_data(model, x, y, validation, validation_split):
    """``x, y`` and the validation arrays as ``fit`` checks and splits them."""
    import math  # noqa: PLC0415
    xs, ys, _ = model._data(x, y, None, "fit", ready=False)
    val = None
    if validation is not None:
        vx, vy = validation[:2]
        val = model._data(vx, vy, None, "fit", "validation_data[0]", "validation_data[1]", ready=False,
                          expected=xs.shape[1:])
    elif validation_split:
        n = len(xs)
        split = int(math.floor(n * (1.0 - validation_split)))
        if split in (0, n):
            raise ValueError(f"sweep: validation_split={validation_split} of {n} samples leaves "
                             f"{'no training' if split == 0 else 'no validation'} samples")
        val = (xs[split:], ys[split:], None)
        xs, ys = xs[:split], ys[:split]
    return xs, ys, val


def _result(variant, model, history, status, message, seconds, how, detail=""):
    return {"index": variant.index, "values": dict(variant.values), "model": model, "history": history,
            "status": status, "message": message, "seconds": seconds, "how": how, "detail": detail}


def _tell(progress, result):
    if progress is not None:
        progress.done(result)


__all__ = ["Plan", "plan_stacks", "train_stacks", "run_chunk", "fit_one", "build_one", "interrupt_flag"]
