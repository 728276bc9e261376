"""Keras-style progress output: ``Epoch 3/100`` then ``12/12 ━━━━ 0s 2ms/step - loss: 0.0812``."""
from __future__ import annotations

import sys
import time

import numpy as np

from ..callbacks import Callback


def _interactive(stream) -> bool:
    if "ipykernel" in sys.modules:
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def format_logs(logs: dict) -> str:
    parts = []
    for k, v in logs.items():
        if isinstance(v, (float, int, np.floating)):
            v = float(v)
            parts.append(f"{k}: {v:.4f}" if abs(v) > 1e-3 else f"{k}: {v:.4e}")
    return " - ".join(parts)


def summary_line(steps: int, seconds: float, logs=None, verbose=1, ordered=False) -> str:
    """evaluate's and predict's one line, as Keras prints it: ``4/4 ━━━ 0s 2ms/step - loss: ...``
    (``verbose=2``: ``4/4 - 0s - 2ms/step - loss: ...``, no bar). ``ordered``: the logs are
    already in Keras's order (a step of one's own: its keys sorted, compile_metrics' in its place)."""
    if verbose == 2:
        line = f"{steps}/{steps} - {int(seconds)}s - {_per_step(seconds / max(steps, 1))}"
    else:
        line = f"{steps}/{steps} {'━' * 20} {int(seconds)}s {_per_step(seconds / max(steps, 1))}"
    return f"{line} - {format_logs(logs if ordered else dict(sorted(logs.items())))}" if logs else line


def _per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class ProgressLogger(Callback):
    """Keras-style progress: ``Epoch 3/100`` then ``12/12 ━━━━ 0s 2ms/step - loss: 0.0812``.

    Redraws in place only on a terminal or in a notebook; to files and pipes it writes one
    plain line per epoch (Keras writes its redraws there too, a known complaint).
    """

    def __init__(self, verbose=1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self.interactive = verbose == 1 and _interactive(self.stream)
        self.wants_batch_logs = self.interactive
        self._known = None              # a generator's count, told by the loop once an epoch has run

    def _line(self, step, steps, elapsed, logs):
        per = _per_step(elapsed / max(step, 1))
        if self.verbose == 2:
            return f"{steps}/{steps} - {int(elapsed)}s - {per} - {format_logs(logs)}".rstrip(" -")
        done = int(20 * step / steps) if steps else 20
        bar = "━" * done + "─" * (20 - done)
        text = f"{step}/{steps} {bar} {int(elapsed)}s {per}"
        metrics = format_logs(logs)
        return f"{text} - {metrics}" if metrics else text

    def on_epoch_begin(self, epoch, logs=None):
        self._start, self._last_draw = time.perf_counter(), 0.0
        if self.params.get("epochs", 1) > 1:
            print(f"Epoch {epoch + 1}/{self.params['epochs']}", file=self.stream, flush=self.interactive)

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        steps = self.params["steps"] or self._known or batch + 1    # a generator may not say how many
        if now - self._last_draw < 0.05 and batch + 1 < steps:
            return
        self._last_draw = now
        self._seen = batch + 1
        line = self._line(batch + 1, steps, now - self._start, logs or {})
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()

    def on_epoch_end(self, epoch, logs=None):
        steps = self.params["steps"] or self._known or getattr(self, "_seen", 0)
        line = self._line(steps, steps, time.perf_counter() - self._start, logs or {})
        self.stream.write(("\r" + line + "\x1b[K\n") if self.interactive else line + "\n")
        self.stream.flush()
