"""A model's own ``train_step`` / ``test_step``: Keras's "Customizing what happens in fit()".

A ``Model`` subclass may write the step itself (a GAN's two optimizers, a VAE's KL term, a
loss the compiled one cannot say)::

    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            for metric in self.metrics:
                metric.update_state(loss) if metric.name == "loss" else metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

Then ``fit`` runs that step on each batch instead of glassnet's readable one (never the fast
path), and ``evaluate`` (and fit's validation) runs ``test_step``. What a step is given, as
Keras gives it: ``x`` alone when there are no labels (a GAN's images), ``(x, y)``, or
``(x, y, sample_weight)``. What it returns must be a dict; its values (nested dicts
flattened, as ``CompileMetrics``'s result is) become the logs, as Python floats.

``model.metrics`` of such a model is Keras 3's: the loss tracker ``Mean(name="loss")``, then
``CompileMetrics`` (the compiled metrics as one, its result a dict), then any metric set as
an attribute; a subclass may give its own ``metrics`` property instead (``fit`` resets each
at the start of every epoch, ``evaluate`` at its start).
"""
from __future__ import annotations

import numpy as np

from .. import config


def overrides(model, name: str) -> bool:
    """Whether ``model``'s class writes its own ``name`` (``train_step``, ``test_step``)."""
    trainer = _TRAINER or _trainer()
    return getattr(type(model), name, None) is not getattr(trainer, name)


_TRAINER = None                     # engine.trainer.Trainer, found once (it imports this module)


def _trainer():
    global _TRAINER
    from .trainer import Trainer  # noqa: PLC0415
    _TRAINER = Trainer
    return Trainer


def custom(model) -> bool:
    """A model whose fit/evaluate run its own ``train_step`` or ``test_step``, or Keras's
    default ones because it writes its own ``compute_loss`` (which only they call)."""
    return overrides(model, "train_step") or overrides(model, "test_step") or overrides(model, "compute_loss")


def compute_loss(model, x, y, y_pred, sample_weight, training):
    """Keras's ``_compute_loss``: the model's ``compute_loss``, given ``training`` only where its
    signature takes it (an override written before Keras 3.3 has no such argument)."""
    import inspect  # noqa: PLC0415
    fn = model.compute_loss
    try:
        takes = "training" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        takes = True
    if takes:
        return fn(x, y, y_pred, sample_weight, training=training)
    return fn(x, y, y_pred, sample_weight)


class DeprecatedCompiledMetrics:
    """Keras 3's stand-in for Keras 2's ``model.compiled_metrics`` (a step written for Keras 2
    calls ``self.compiled_metrics.update_state(y, y_pred)``): each of ``model.metrics`` is
    updated, a ``Mean`` (the loss tracker among them) with ``y_pred`` itself, the others with
    ``(y, y_pred)``, and a deprecation warning is given, as Keras 3 does. So the "loss" such a
    step reports is the mean of its predictions, in Keras as here."""

    def __init__(self, model):
        self.model = model

    def update_state(self, y, y_pred, sample_weight=None) -> None:
        import warnings  # noqa: PLC0415
        from ..metrics import Mean  # noqa: PLC0415
        warnings.warn("`model.compiled_metrics()` is deprecated. Instead, use e.g.:\n```\n"
                      "for metric in self.metrics:\n    metric.update_state(y, y_pred)\n```\n", stacklevel=2)
        for metric in self.model.metrics:
            if isinstance(metric, Mean):
                metric.update_state(y_pred, sample_weight=sample_weight)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)


# ---------------------------------------------------------------------------------------
# Keras 3's model.metrics: the loss tracker, then the compiled metrics as one
# ---------------------------------------------------------------------------------------
class CompileMetrics:
    """The compiled metrics as one metric, as Keras 3's ``model.metrics[1]``:
    ``update_state(y, y_pred)`` updates each (made on the first labels seen), ``result()``
    is a dict ``{name: value}``."""

    name = "compile_metrics"

    def __init__(self, model):
        self.model = model

    @property
    def metrics(self) -> list:
        return self.model._compiled_metrics

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        model = self.model
        if not model._compiled_metrics and model._metric_specs:
            model._ready_metrics(np.asarray(y_true), np.asarray(y_pred))
        for m in model._compiled_metrics:
            m.update_state(y_true, y_pred)     # as Keras: compile metrics are not weighted

    def result(self) -> dict:
        return {m.name: m.result() for m in self.model._compiled_metrics}

    def reset_state(self) -> None:
        for m in self.model._compiled_metrics:
            m.reset_state()

    def __repr__(self):
        return f"<CompileMetrics name=compile_metrics metrics={[m.name for m in self.metrics]}>"


def keras_metrics(model) -> list:
    """Keras 3's ``model.metrics``: ``[Mean("loss"), CompileMetrics]`` once compiled (the
    second only with compiled metrics), then the metrics set as the model's attributes."""
    from ..metrics import Metric  # noqa: PLC0415
    out = []
    if model.compiled:
        out.append(loss_tracker(model))
        if model._metric_specs:
            holder = model.__dict__.get("_compile_metrics_obj")
            if holder is None:
                holder = model.__dict__["_compile_metrics_obj"] = CompileMetrics(model)
            out.append(holder)
    for value in list(model.__dict__.values()):
        if isinstance(value, Metric) and not any(value is m for m in out):
            out.append(value)
    return out


def loss_tracker(model):
    """The model's ``Mean(name="loss")`` (Keras's ``model._loss_tracker``)."""
    tracker = model.__dict__.get("_loss_tracker_obj")
    if tracker is None:
        from ..metrics import Mean  # noqa: PLC0415
        tracker = model.__dict__["_loss_tracker_obj"] = Mean(name="loss")
    return tracker


# ---------------------------------------------------------------------------------------
# What a step is given, and what it gives back
# ---------------------------------------------------------------------------------------
def _tensor(a):
    """A batch as Keras hands it to a step: a Tensor (floats in floatx), dicts and lists kept."""
    from ..tf.tensor import Tensor, wrap  # noqa: PLC0415
    if a is None or isinstance(a, Tensor):
        return a
    if isinstance(a, dict):
        return {k: _tensor(v) for k, v in a.items()}
    if isinstance(a, (list, tuple)):
        return type(a)(_tensor(v) for v in a)
    arr = np.asarray(a)
    if arr.dtype.kind == "f" and arr.dtype != np.dtype(config.floatx()):
        arr = arr.astype(config.floatx())
    return wrap(arr) if arr.dtype.kind in "fiub" else arr


def pack(x, y=None, sample_weight=None):
    """Keras's ``pack_x_y_sample_weight``: ``x`` alone, ``(x, y)`` or ``(x, y, sample_weight)``."""
    x, y, sample_weight = _tensor(x), _tensor(y), _tensor(sample_weight)
    if y is None and sample_weight is None:
        return x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def triple(x, y=None, sample_weight=None):
    """What Keras's ``train_on_batch``/``test_on_batch`` hand a step: always ``(x, y, sample_weight)``,
    None where not given (so a step written ``x, y = data`` fails there as it does in Keras)."""
    return (_tensor(x), _tensor(y), _tensor(sample_weight))


def unpack(data):
    """Keras's ``unpack_x_y_sample_weight``: ``(x, y, sample_weight)`` from what a step got."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"a step's data must be x, (x,), (x, y) or (x, y, sample_weight); got a tuple of {len(data)}")


def scalar(value):
    """A log value as a Python float where it is one number (a metric's Tensor result)."""
    if isinstance(value, (bool, np.bool_)):
        return value
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything else stays as it is
        return value
    if arr.size == 1 and arr.dtype.kind in "fiu":
        return float(arr.reshape(()))
    return value


def logs_of(result, who: str) -> dict:
    """A step's result as logs: a dict, nested dicts flattened (``compile_metrics``'s) and the
    keys sorted at each level, as Keras hands them to callbacks and History, each value a
    Python float; anything other than a dict is refused, naming what it was."""
    if not isinstance(result, dict):
        raise TypeError(f"{who} must return a dict of logs, e.g. {{m.name: m.result() for m in self.metrics}}; "
                        f"it returned {type(result).__name__}: {result!r:.80}")
    logs = {}
    for key, value in sorted(result.items()):       # as Keras's pythonify_logs: keys sorted, dicts merged
        if isinstance(value, dict):
            logs.update(logs_of(value, who))
        else:
            logs[key] = scalar(value)
    return logs


def ordered_values(model, logs) -> list:
    """``evaluate``'s list, in Keras's order: the metrics' names in ``model.metrics`` order
    (``CompileMetrics``'s own in compile order), then any other log by name."""
    names = []
    for m in model.metrics:
        names += [sub.name for sub in m.metrics] if isinstance(m, CompileMetrics) else [m.name]
    names = [n for n in dict.fromkeys(names) if n in logs]
    return [logs[n] for n in names] + [logs[k] for k in sorted(logs) if k not in names]


def run_train_step(model, data):
    """One call of the model's ``train_step`` on ``data``; its logs."""
    return logs_of(model.train_step(data), f"{type(model).__name__}.train_step")


def run_test_step(model, data):
    return logs_of(model.test_step(data), f"{type(model).__name__}.test_step")


def reset(model) -> None:
    """Keras's ``model.reset_metrics()``: each of ``model.metrics`` starts afresh."""
    for m in model.metrics:
        m.reset_state()


# ---------------------------------------------------------------------------------------
# The loops
# ---------------------------------------------------------------------------------------
def epoch(run, data, epoch_index, cblist):
    """One epoch of the model's own ``train_step``; the logs of its latest step (Keras's
    epoch logs: what the metrics say after the epoch's last batch)."""
    model, guard = run.model, run.guard
    reset(model)
    logs = {}
    for step, batch in enumerate(batches(data)):
        for cb in cblist.batch_begin:
            cb.on_train_batch_begin(step)
        logs = run_train_step(model, batch)
        run.steps_done = step + 1
        for cb in cblist.batch_end:
            cb.on_train_batch_end(step, dict(logs))
        if guard.requested or model.stop_training:
            if guard.requested:
                run.stopped_reason = (f"Training interrupted (Ctrl-C) at epoch {epoch_index + 1}, batch {step + 1}: "
                                      "the weights are those after that step.")
            break
    return logs


def evaluate(model, data):
    """``evaluate``'s loop: ``test_step`` on each batch, the metrics reset first."""
    reset(model)
    logs, model._steps_evaluated = {}, 0
    for batch in batches(data):
        logs = run_test_step(model, batch)
        model._steps_evaluated += 1
    return logs


def batches(data):
    """What each step is given, from arrays (``ArrayBatches``) or a batch source (each item
    as it comes: ``x`` alone, ``(x, y)`` or ``(x, y, sample_weight)``)."""
    raw = getattr(data, "raw_epoch", None)
    if raw is not None:
        for item in raw():
            yield _tensor(item) if not isinstance(item, (tuple, list)) else pack(*unpack(tuple(item)))
        return
    for xb, yb, swb in data.epoch():
        yield pack(xb, yb, swb)


def arrays(model, x, y, sample_weight, what):
    """``x``, ``y`` and ``sample_weight`` of a custom-step model as arrays, checked only for
    what every step needs (a step decides what its data means): as many samples in each."""
    from . import checks  # noqa: PLC0415
    from .training import rows  # noqa: PLC0415

    def array(a, name):
        if a is None:
            return None
        if isinstance(a, dict):
            return {k: array(v, f"{name}[{k!r}]") for k, v in a.items()}
        if isinstance(a, list) and a and all(isinstance(v, np.ndarray) for v in a):     # several inputs
            return [array(v, f"{name}[{i}]") for i, v in enumerate(a)]
        arr = np.asarray(checks.column(a) if hasattr(a, "to_numpy") else a)
        if arr.ndim == 0:
            raise ValueError(f"{what}: {name} must hold one row per sample, got a scalar {arr!r}")
        if arr.dtype.kind == "O":
            raise ValueError(f"{what}: {name} must be an array of numbers or strings, got objects")
        return arr
    x = array(x, "x")
    if x is None:
        raise ValueError(f"{what}: x is required")
    y = array(y, "y")
    n = rows(x)
    if y is not None and rows(y) != n:
        raise ValueError(f"{what}: x has {n} samples but y has {rows(y)}")
    sw = None if sample_weight is None else checks.sample_weights(sample_weight, n, "sample_weight")
    return x, y, sw
