"""The training loop: batches -> forward -> loss -> backward -> optimizer, and the
progress output. ``Sequential.fit/evaluate/predict`` call into this module.

One step, as Keras orders it::

    A = forward(X_batch)                     # layer after layer, training=True
    J = loss(Y_batch, A) + penalties         # recorded BEFORE the update
    dJ/dA -> backward, layers in reverse     # fills every variable.grad
    optimizer.apply()                        # w <- update(w, dJ/dw)
    metrics(Y_batch, A)                      # on the pre-update predictions
"""
from __future__ import annotations

import math
import signal
import sys
import threading
import time

import numpy as np

from .callbacks import Callback, CallbackList, History
from .utils import rng


class TrainingStopped(Exception):
    """Raised inside the loop to end fit early (non-finite loss or Ctrl-C)."""


# ---------------------------------------------------------------------------------------
# One forward and backward pass
# ---------------------------------------------------------------------------------------
def forward(layers, x, training=False):
    a = x
    for layer in layers:
        a = layer.forward(a, training)
    return a


def loss_and_output_grad(model, y, a, sample_weight=None):
    """The batch's loss ``J = sum(w_i L_i) / m + penalties`` and ``dJ/dZ`` (fused) or ``dJ/dA``."""
    loss, last, m = model.loss, model._layers[-1], a.shape[0]
    if model._fused:                       # declared shortcut, see glassnet.losses
        values, grad = loss.value_and_gradient_from_logits(y, last._z, a)
    else:
        values, grad = loss.value_and_gradient(y, a)
    if grad is a or grad is y:             # scaled in place below: never the caller's array
        grad = grad.copy()
    divisor = _divisor(loss, m, sample_weight)
    if sample_weight is None:
        value = float(values.sum()) / divisor
        grad *= 1.0 / divisor
    else:
        value = float((values * sample_weight).sum()) / divisor
        grad *= (sample_weight / divisor).reshape((m,) + (1,) * (grad.ndim - 1))
    if model._regularized:
        value += penalties(model)
    return value, grad


def _divisor(loss, m, sample_weight):
    """What the weighted sum of a batch's losses is divided by, per the loss's reduction:
    the batch size (Keras's default "sum_over_batch_size"), 1 ("sum"), or the sum of the
    sample weights ("mean_with_sample_weight")."""
    if loss.reduction == "sum":
        return 1.0
    if loss.reduction == "mean_with_sample_weight" and sample_weight is not None:
        return float(sample_weight.sum()) or 1.0
    return m


def penalties(model) -> float:
    """The regularization terms added to the loss (``l2 * sum w^2`` and the like)."""
    return sum(float(v.regularizer(v.value)) for v in model._regularized)


def backward(model, grad):
    """Run ``dJ/d(output)`` back through the layers, filling every ``variable.grad``."""
    layers = model._layers
    last = layers[-1]
    if model._fused:
        grad = last.backward_from_z(grad, len(layers) > 1)
    else:
        grad = last.backward(grad, len(layers) > 1)
    for i in range(len(layers) - 2, -1, -1):
        grad = layers[i].backward(grad, i > 0)     # the input layer's dX is never needed


def forward_backward(model, x, y, sample_weight=None, training=True):
    """Loss and predictions of one batch, with every trainable variable's ``grad`` filled."""
    a = forward(model._layers, x, training)
    value, grad = loss_and_output_grad(model, y, a, sample_weight)
    backward(model, grad)
    return value, a


# ---------------------------------------------------------------------------------------
# Progress output
# ---------------------------------------------------------------------------------------
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


def summary_line(steps: int, seconds: float, logs=None) -> str:
    """evaluate's and predict's one line, as Keras prints it: ``4/4 ━━━ 0s 2ms/step - loss: ...``."""
    line = f"{steps}/{steps} {'━' * 20} {int(seconds)}s {_per_step(seconds / max(steps, 1))}"
    return f"{line} - {format_logs(dict(sorted(logs.items())))}" if logs else line


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

    def _line(self, step, steps, elapsed, logs, final):
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
        if now - self._last_draw < 0.05 and batch + 1 < self.params["steps"]:
            return
        self._last_draw = now
        line = self._line(batch + 1, self.params["steps"], now - self._start, logs or {}, False)
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()

    def on_epoch_end(self, epoch, logs=None):
        steps = self.params["steps"]
        line = self._line(steps, steps, time.perf_counter() - self._start, logs or {}, True)
        self.stream.write(("\r" + line + "\x1b[K\n") if self.interactive else line + "\n")
        self.stream.flush()


# ---------------------------------------------------------------------------------------
# Ctrl-C: finish the current step, then stop
# ---------------------------------------------------------------------------------------
class _InterruptGuard:
    """While training, Ctrl-C sets a flag checked between steps, so the weights are never
    left half-updated. Outside the main thread the loop catches KeyboardInterrupt instead."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous = signal.signal(signal.SIGINT, self._handler)
            except ValueError:
                self._previous = None
        return self

    def _handler(self, signum, frame):
        if self.requested:                    # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


# ---------------------------------------------------------------------------------------
# fit / evaluate / predict
# ---------------------------------------------------------------------------------------
_SMALL_DATA = 4 << 20       # bytes of x below which fit copies the permuted data each epoch


def _batches(n, batch_size):
    return range(0, n, batch_size)


def _slice(a, start, stop):
    return None if a is None else a[start:stop]


def run_fit(model, x, y, sample_weight, batch_size, epochs, verbose, callbacks,
            validation, shuffle, initial_epoch, validation_batch_size):
    n = x.shape[0]
    steps = math.ceil(n / batch_size)
    history = History()
    cbs = list(callbacks or [])
    if verbose:
        cbs.insert(0, ProgressLogger(verbose))
    cbs.append(history)
    params = {"verbose": verbose, "epochs": epochs, "steps": steps}
    cblist = CallbackList(cbs, model, params)
    batch_end, batch_begin = cblist.batch_end, cblist.batch_begin
    model.stop_training = False
    model.history = history
    optimizer, metrics = model.optimizer, model._metrics
    if not optimizer.built:
        optimizer.build(model.trainable_weights)
    variables = optimizer._variables

    stopped_reason = None
    snapshot = None
    logs = {}
    # NumPy's own overflow/invalid warnings are silenced while training: a blow-up shows as
    # a non-finite loss, which stops fit below with one message that says what to do.
    with _InterruptGuard() as guard, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        cblist.on_train_begin()
        try:
            for epoch in range(initial_epoch, epochs):
                for m in metrics:
                    m.reset_state()
                cblist.on_epoch_begin(epoch)
                # A fresh permutation each epoch. Large data: each batch gathers its rows
                # (x[idx]); on 60,000 x 784 floats a permuted copy of the whole data cost
                # 70-470 ms per epoch (a new 188 MB buffer, page faults each time) against
                # 41 ms of gathers, and no copy is held. Small data: one permuted copy per
                # epoch, then slices (a gather costs ~3 us a step; the copy ~10 us an epoch).
                perm = rng().permutation(n) if shuffle else None
                xs, ys, sws = x, y, sample_weight
                if perm is not None and x.nbytes <= _SMALL_DATA:
                    xs, ys = x[perm], y[perm]
                    sws = None if sample_weight is None else sample_weight[perm]
                    perm = None
                first_step = True
                loss_total, seen = 0.0, 0
                for step, start in enumerate(_batches(n, batch_size)):
                    stop = start + batch_size
                    if perm is None:
                        xb, yb, swb = xs[start:stop], ys[start:stop], _slice(sws, start, stop)
                    else:
                        idx = perm[start:stop]
                        xb, yb = x[idx], y[idx]
                        swb = None if sample_weight is None else sample_weight[idx]
                    for cb in batch_begin:
                        cb.on_train_batch_begin(step)
                    value, a = forward_backward(model, xb, yb, swb)
                    if not math.isfinite(value):
                        stopped_reason = _non_finite(model, epoch, step, value, snapshot)
                        raise TrainingStopped
                    if first_step:     # the latest finite start of an epoch, to undo a blow-up
                        first_step = False
                        if all(np.isfinite(v.value).all() for v in variables):
                            snapshot = (epoch, [v.value.copy() for v in variables],
                                        [s.copy() for s in optimizer.variables()])
                    optimizer.apply(None)
                    m_b = xb.shape[0]
                    loss_total += value * m_b
                    seen += m_b
                    for m in metrics:
                        m.update_state(yb, a)     # Keras: compile metrics ignore sample_weight
                    if batch_end:
                        blogs = _logs(loss_total / seen, metrics)
                        for cb in batch_end:
                            cb.on_train_batch_end(step, blogs)
                    if guard.requested or model.stop_training:
                        if guard.requested:
                            stopped_reason = f"Training interrupted (Ctrl-C) at epoch {epoch + 1}, batch {step + 1}: the weights are those after that step."
                        break
                logs = _logs(loss_total / max(seen, 1), metrics)
                if validation is not None and not guard.requested:
                    val = run_evaluate(model, *validation, batch_size=validation_batch_size or batch_size)
                    logs.update({"val_" + k: v for k, v in val.items()})
                logs = dict(sorted(logs.items()))
                cblist.on_epoch_end(epoch, logs)
                if guard.requested or model.stop_training:
                    if guard.requested and not stopped_reason:      # Ctrl-C during the epoch's end
                        stopped_reason = f"Training interrupted (Ctrl-C) after epoch {epoch + 1}: the weights are those at its end."
                    break
        except TrainingStopped:
            pass
        except KeyboardInterrupt:
            stopped_reason = "Training interrupted (KeyboardInterrupt): the weights are those after the last completed step."
        cblist.on_train_end(logs)
    if stopped_reason:
        print(stopped_reason, file=sys.stderr)
    model.stop_training = False
    return history


def _non_finite(model, epoch, step, value, snapshot):
    """The loss of this batch is NaN/Inf: the update was not applied. If earlier updates
    already made the weights non-finite, go back (weights and optimizer state) to the start
    of the latest epoch that began with finite weights."""
    restored = "the weights are those from before this batch"
    if not all(np.isfinite(v.value).all() for v in model.trainable_weights) and snapshot is not None:
        start, weights, state = snapshot
        for v, s in zip(model.optimizer._variables, weights):
            v.value[...] = s
        model.optimizer.set_state(state)
        restored = ("earlier updates had already made them non-finite, so the weights were restored "
                    f"to the start of epoch {start + 1}")
    return (
        f"Training stopped: the loss became {value} at epoch {epoch + 1}, batch {step + 1}; {restored}. "
        "Likely causes: a learning rate too large (try 10x smaller), inputs not scaled "
        "(scale features to about [0, 1] or standardise them), or labels outside the loss's range."
    )


def _logs(loss_value, metrics):
    logs = {"loss": loss_value}
    for m in metrics:
        logs[m.name] = m.result()
    return dict(sorted(logs.items()))


def run_evaluate(model, x, y, sample_weight=None, batch_size=32):
    metrics = model._metrics
    for m in metrics:
        m.reset_state()
    n = x.shape[0]
    loss, layers = model.loss, model._layers
    penalty = penalties(model)
    total = 0.0
    for start in _batches(n, batch_size):
        stop = start + batch_size
        xb, yb, swb = x[start:stop], y[start:stop], _slice(sample_weight, start, stop)
        a = forward(layers, xb, False)
        values = loss.call_from_logits(yb, layers[-1]._z) if model._fused else loss.call(yb, a)
        if swb is not None:
            values = values * swb
        batch_loss = float(values.sum()) / _divisor(loss, xb.shape[0], swb) + penalty
        total += batch_loss * xb.shape[0]          # the epoch's loss: weighted by batch size
        for m in metrics:
            m.update_state(yb, a)             # as Keras: only the loss is weighted
    return _logs(total / max(n, 1), metrics)


def run_predict(model, x, batch_size=32):
    n = x.shape[0]
    layers = model._layers
    out = None
    for start in _batches(n, batch_size):
        a = forward(layers, x[start:start + batch_size], False)
        if out is None:
            out = np.empty((n,) + a.shape[1:], dtype=a.dtype)
        out[start:start + a.shape[0]] = a
    if out is None:
        out = np.empty((0,) + tuple(model.output_shape[1:]), dtype=x.dtype)
    return out
