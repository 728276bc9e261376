"""The training loop: epochs of batches, each batch one step, with callbacks, progress,
validation, and a safe stop. ``Model.fit/evaluate/predict`` call into this module.

    step = fastpath.choose(model)        # the readable train_step, or glassnet.fast's: once per fit
    for each epoch:
        for each batch (x, y, sample_weight) of a fresh permutation:
            loss, predictions = step(model, x, y, sample_weight)
            metrics(y, predictions); callbacks
        validation, callbacks at the epoch's end

A non-finite loss stops training before its update is applied (and undoes earlier updates
that had already made the weights non-finite); Ctrl-C stops after the current step.
"""
from __future__ import annotations

import contextlib
import math
import random
import signal
import sys
import threading

import numpy as np

from .. import config, fast
from ..fast import dense as fast_dense
from ..fast import denormals, threads
from ..callbacks import CallbackList, History
from .progress import ProgressLogger
from . import custom_step, fastpath
from .step import added_losses, forward, penalty
from .step import batch_loss as step_loss
from ..seeding import fit_order


class TrainingStopped(Exception):
    """Raised inside the loop to end fit early (non-finite loss or Ctrl-C)."""


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
# Batches
# ---------------------------------------------------------------------------------------
_SMALL_DATA = 4 << 20       # bytes of x below which an epoch copies the permuted data once


def first(x):
    """The array of ``x`` (a functional graph's several inputs or outputs, or a subclassed
    model's dict of inputs: the first one's)."""
    if isinstance(x, dict):
        return next(iter(x.values()))
    return x[0] if isinstance(x, list) else x


def rows(x) -> int:
    """How many samples ``x`` holds (one array, or a list of them with as many rows each)."""
    return len(first(x))


def take(x, rows_):
    """``x[rows_]``, for one array or for each array of a list or a dict (None: no labels)."""
    if x is None:
        return None
    if isinstance(x, dict):
        return {k: a[rows_] for k, a in x.items()}
    return [a[rows_] for a in x] if isinstance(x, list) else x[rows_]


class ArrayBatches:
    """The batches of arrays ``x, y`` (and sample weights), a fresh permutation each epoch.

    Large data: each batch gathers its rows (``x[idx]``); on 60,000 x 784 floats a permuted
    copy of the whole data cost 70-470 ms per epoch against 41 ms of gathers, and no copy is
    held. Small data: one permuted copy per epoch, then slices (a gather costs ~3 us a step).
    """

    def __init__(self, x, y, sample_weight, batch_size, shuffle):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.batch_size, self.shuffle = batch_size, shuffle
        self.steps = math.ceil(rows(x) / batch_size)

    def epoch(self):
        x, y, sw, size = self.x, self.y, self.sample_weight, self.batch_size
        n = rows(x)
        order = fit_order(n) if self.shuffle else None        # Keras 3's order under a seed (seeding.py)
        if isinstance(x, (list, dict)) or isinstance(y, (list, dict)) or y is None:  # several inputs or outputs; no labels
            if order is not None:
                x, y, sw = take(x, order), take(y, order), (None if sw is None else sw[order])
            for start in range(0, n, size):
                batch = slice(start, start + size)
                yield take(x, batch), take(y, batch), (None if sw is None else sw[batch])
            return
        if order is not None and x.nbytes <= _SMALL_DATA:
            x, y = x[order], y[order]
            sw = None if sw is None else sw[order]
            order = None
        for start in range(0, n, size):
            if order is None:
                batch = slice(start, start + size)
            else:
                batch = order[start:start + size]
            yield x[batch], y[batch], (None if sw is None else sw[batch])


# Keras 3's words (trainers/epoch_iterator.py), when an epoch asks for more batches than are left
RAN_OUT = ("Your input ran out of data; interrupting training. Make sure that your dataset or generator can "
           "generate at least `steps_per_epoch * epochs` batches. You may need to use the `.repeat()` function "
           "when building your dataset.")


class ArraySteps(ArrayBatches):
    """``fit(x, y, steps_per_epoch=k)`` on arrays (and ``validation_steps``), as Keras 3's epoch
    iterator runs it: one pass over the data (``ceil(n / batch_size)`` batches, a fresh shuffle)
    goes on across epochs, ``k`` batches an epoch; an epoch that comes to the pass's end stops
    there, short, with Keras's warning (once), and the next epoch starts a new pass. With 3
    batches a pass, ``k = 2`` gives epochs of 2, 1, 2, 1... batches; ``k = 5``, epochs of 3.
    ``from_start``: each epoch starts a new pass (Keras's evaluate resets its iterator each
    time: fit's validation reads the first ``validation_steps`` batches every epoch)."""

    def __init__(self, x, y, sample_weight, batch_size, shuffle, steps, from_start=False):
        super().__init__(x, y, sample_weight, batch_size, shuffle)
        self.per_pass, self.steps, self.from_start = self.steps, steps, from_start
        self._pass, self._taken = None, 0

    def epoch(self):
        if self._pass is None or self.from_start:
            self._pass, self._taken = super().epoch(), 0
        for _ in range(self.steps):
            if self._taken >= self.per_pass:
                import warnings  # noqa: PLC0415 - only when the data runs out
                warnings.warn(RAN_OUT, UserWarning, stacklevel=2)
                break
            self._taken += 1
            yield next(self._pass)
        if self._taken >= self.per_pass:
            self._pass = None


def is_batch_source(data) -> bool:
    """A generator or iterator of batches, or a ``keras.utils.PyDataset``-like object
    (``__len__`` and ``__getitem__`` giving batches), rather than an array of samples."""
    if data is None or isinstance(data, (np.ndarray, list, tuple, str, bytes, dict)):
        return False
    if hasattr(data, "__array__") or hasattr(data, "to_numpy"):          # arrays, pandas
        return False
    return hasattr(data, "__next__") or hasattr(data, "__iter__") or (
        hasattr(data, "__getitem__") and hasattr(data, "__len__"))


def _plain_iter(source):
    """An iterator over ``source``; a ``glassnet.data.Dataset`` hands over its plain arrays
    (iterating it gives the learner Tensors, which the engine has no use for)."""
    from ..data.dataset import Dataset  # noqa: PLC0415 - glassnet.data loads on first use
    return source.as_numpy_iterator() if isinstance(source, Dataset) else iter(source)


class SourceBatches:
    """Batches ``(x, y)`` or ``(x, y, sample_weight)`` that a user's generator, iterable or
    PyDataset-like object hands out, each checked as ``fit`` checks arrays (``check``).

    ``steps`` per epoch: ``steps_per_epoch``, else ``len(source)``; a generator without
    either is read until it ends (one epoch's worth), and an epoch that gets no batch
    stops training with a message that says why."""

    def __init__(self, source, steps, check, what="x", shuffle=False):
        self.source, self.check, self.what = source, check, what
        self.indexed = hasattr(source, "__getitem__") and hasattr(source, "__len__") and not hasattr(source, "__next__")
        # a keras.utils.PyDataset is read as Keras's TensorFlow adapter reads one: batches 0 and 1
        # once first (for its tensor spec), then each epoch's indices, shuffled by Python's random
        # when fit shuffles (a __getitem__ that draws from random draws as in Keras)
        from ..utils import PyDataset  # noqa: PLC0415
        self.keras_like = isinstance(source, PyDataset)
        self.shuffle, self._peeked = bool(shuffle) and self.keras_like, not self.keras_like
        # an iterable that is not itself an iterator (a glassnet.data.Dataset, a DataLoader) is
        # read afresh each epoch, as Keras reads a tf.data.Dataset; with steps_per_epoch, one
        # iterator runs on across epochs
        self.afresh = not self.indexed and not hasattr(source, "__next__") and steps is None
        if steps is None and self.indexed:
            steps = len(source)
        self.known = None                   # a Dataset's known number of batches (Keras's num_batches)
        if not self.indexed and callable(getattr(source, "cardinality", None)):
            try:
                size = int(source.cardinality())
            except (TypeError, ValueError):
                size = -2
            self.known = size if size > 0 else None
        if steps is None:                   # a Dataset of known size: the progress bar can count
            steps = self.known
        self.steps = steps
        self.batch_size = None
        self._iterator = None               # made when the first epoch starts, as Keras's
        self._seen = 0                      # batches taken from that iterator

    def _open(self):
        """A new iterator of the source, made where Keras's epoch iterator makes one (a
        Dataset's seeded shuffles take that pass's seeds now, read or not)."""
        self._iterator, self._seen = _plain_iter(self.source), 0

    def reset(self):
        """Keras's ``epoch_iterator.reset()``, which its ``evaluate`` calls each time (each
        validation too): the next epoch starts a new iterator, ``validation_steps`` or not."""
        self._iterator = None

    def _items(self):
        """The source's batches for one pass, as it gives them, ``steps`` at most: by index,
        or from its iterator (a fresh one each pass for a source read afresh)."""
        if not self.indexed and (self.afresh or self._iterator is None):
            self._open()
        count = 0
        # steps_per_epoch (or validation_steps) on a Dataset of known size: one iterator runs on
        # across epochs and starts again once all its batches were taken, as Keras's epoch iterator
        cycles = self.known is not None and not self.afresh
        order = None
        if self.indexed:
            if not self._peeked:
                self._peeked = True
                for i in range(min(2, len(self.source))):
                    self.source[i]
            order = list(range(len(self.source)))
            if self.shuffle:
                random.shuffle(order)
        while self.steps is None or count < self.steps:
            if self.indexed:
                if count >= len(self.source):
                    break
                item = self.source[order[count]]
            else:
                if cycles and self._seen >= self.known:
                    break
                try:
                    item = next(self._iterator)
                except StopIteration:
                    break
                self._seen += 1
            yield item
            count += 1
        # once all of a Dataset's known batches were taken, Keras's epoch iterator makes the next
        # iterator: the next epoch's with steps_per_epoch; without, one never read (the next epoch
        # makes its own), whose shuffles took their seeds all the same: fit(ds)'s epoch e reads
        # ds's pass 2e; evaluate and predict take two passes
        if self.known is not None and self._seen >= self.known:
            self._open()
        elif self.afresh:
            self._iterator = None

    def epoch(self):
        for index, item in enumerate(self.raw_epoch()):
            yield self._batch(item, index)

    def raw_epoch(self):
        """The source's batches for one epoch as it gives them (a model's own ``train_step``
        takes them so); an epoch with none stops training, saying why."""
        count = 0
        for count, item in enumerate(self._items(), 1):
            yield item
        if count == 0:
            raise RanOutOfData(f"{self.what} gave no batches: a generator can be read only once; pass "
                               "steps_per_epoch with a generator that repeats, or a PyDataset")
        if hasattr(self.source, "on_epoch_end"):
            self.source.on_epoch_end()

    def inputs(self):
        """Each batch's x, checked, for ``predict``: a batch may be ``x`` alone, ``(x,)`` or
        ``(x, y[, sample_weight])`` (y and the weights are not looked at)."""
        for index, item in enumerate(self._items()):
            if isinstance(item, (tuple, list)):
                if not 1 <= len(item) <= 3:
                    raise ValueError(f"{self.what}: batch {index} must be x, (x,) or (x, y[, sample_weight]), "
                                     f"a tuple of {len(item)}")
                item = item[0]
            yield self.check(item, index)

    def _batch(self, item, index):
        if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
            raise ValueError(f"{self.what}: batch {index} must be a tuple (x, y) or (x, y, sample_weight), "
                             f"got {type(item).__name__}")
        xb, yb, swb = (tuple(item) + (None,))[:3]
        return self.check(xb, yb, swb, index)


class RanOutOfData(ValueError):
    """A batch source gave nothing for an epoch."""


# ---------------------------------------------------------------------------------------
# fit
# ---------------------------------------------------------------------------------------
class _Run:
    """The state of one ``fit``: why it stopped, and the weights to go back to."""

    def __init__(self, model, guard):
        self.model, self.guard = model, guard
        self.stopped_reason = None
        self.snapshot = None            # (epoch, variables, their values, optimizer state) at the latest finite epoch start
        self.steps_done = 0             # steps in the latest epoch
        self.custom = custom_step.custom(model)     # the model's own train_step (never the fast path)
        self.step = fastpath.choose(model)      # the readable step or the fast one, for this whole fit
        self.compiled = None                    # glassnet.fast.epoch's whole-epoch call (planned on the first epoch), or False

    def keep_snapshot(self, epoch):
        """The weights (all in one array: one check and one copy, where a small network's
        dozen-step epoch cannot spare a dozen) and the optimizer's state, if all finite."""
        variables = self.model.trainable_weights
        values = np.concatenate([v.value.ravel() for v in variables]) if variables else np.zeros(0)
        if np.logical_and.reduce(np.isfinite(values), axis=None):
            self.snapshot = (epoch, variables, values, [s.copy() for s in self.model.optimizer.variables()])


def run_fit(model, data, epochs, verbose, callbacks, validation, initial_epoch, validation_batch_size):
    """Train ``model`` on ``data`` (an :class:`ArrayBatches` or any object with ``steps``
    and ``epoch()``) and return the ``History``."""
    history = History()
    # Keras's order: the user's callbacks, then History, then the progress line last, so that what a
    # callback adds to the logs (ReduceLROnPlateau's learning_rate) shows on the epoch's line, and
    # what it prints comes before that line (and before "Epoch 2/3", at an epoch's start)
    progress = ProgressLogger(1 if verbose == "auto" else verbose) if verbose else None
    cbs = list(callbacks or []) + [history] + ([progress] if progress else [])
    params = {"verbose": verbose, "epochs": epochs, "steps": data.steps}   # (Keras's: verbose as given, steps None
    #                                                                          for a source of unknown length)
    cblist = CallbackList(cbs, model, params)
    model.stop_training = False
    model.history = history
    fast.expect_steps(model.optimizer, data.steps and data.steps * max(0, epochs - initial_epoch))
    if custom_step.custom(model):       # a step of one's own: its logs name the keys
        history.history = {}
    else:
        names = ["loss"] + [m.name for m in model.metrics]
        history.history = {k: [] for k in sorted(names + (["val_" + k for k in names] if validation is not None else []))}
    logs = {}
    # NumPy's own overflow/invalid warnings are silenced while training: a blow-up shows as
    # a non-finite loss, which stops fit below with one message that says what to do (and
    # the fused Dense step, told so, sets no errstate of its own: glassnet.fast.dense.fitting).
    # Subnormal numbers are flushed to zero meanwhile, as TensorFlow does (glassnet.fast.denormals).
    with _InterruptGuard() as guard, fast_dense.fitting(), \
            denormals.flushed(), _blas_limit_lifted():
        run = _Run(model, guard)
        cblist.on_train_begin()
        resumed = model.__dict__.pop("_initial_epoch", None)     # BackupAndRestore found a backup (Keras 3)
        initial_epoch = initial_epoch if resumed is None else resumed
        try:
            for epoch in range(initial_epoch, epochs):
                cblist.on_epoch_begin(epoch)
                logs = _epoch(run, data, epoch, cblist)
                if progress:                    # (params keep steps None for a generator; its progress line
                    progress._known = run.steps_done        # shows the count it has seen)
                if validation is not None and not guard.requested:
                    val = _validate(model, validation, validation_batch_size or data.batch_size or 32, cblist)
                    logs.update({"val_" + k: v for k, v in val.items()})
                if not run.custom:
                    logs = dict(sorted(logs.items()))
                cblist.on_epoch_end(epoch, dict(logs))  # (a copy for the callbacks, as Keras's: on_train_end
                #                                         gets the epoch's logs without what they added)
                if guard.requested or model.stop_training:
                    if guard.requested and not run.stopped_reason:      # Ctrl-C during the epoch's end
                        run.stopped_reason = (f"Training interrupted (Ctrl-C) after epoch {epoch + 1}: "
                                              "the weights are those at its end.")
                    break
        except TrainingStopped:
            pass
        except RanOutOfData as e:
            if epoch == initial_epoch:
                raise
            run.stopped_reason = f"Training stopped at epoch {epoch + 1}: {e}."
        except KeyboardInterrupt:
            run.stopped_reason = ("Training interrupted (KeyboardInterrupt): the weights are those after "
                                  "the last completed step.")
        if epochs > 0 and getattr(model.optimizer, "use_ema", False):   # the weights take their moving
            model.optimizer.finalize_variable_values(model.trainable_weights)   # averages, as Keras's fit
        cblist.on_train_end(logs)
    for key in [k for k, v in history.history.items() if k.startswith("val_") and not v]:
        del history.history[key]                # never logged (an empty validation set), as in Keras's History
    if run.stopped_reason:
        print(run.stopped_reason, file=sys.stderr)
    model.stop_training = False
    return history


@contextlib.contextmanager
def _blas_limit_lifted():
    """On leaving fit, however it ends, lift the small-matrix limit on BLAS threads that a
    step may have set: what comes next (predict, another model) may use more."""
    try:
        yield
    finally:
        threads.useful_blas_threads(None)


def _epoch(run, data, epoch, cblist):
    """One epoch of steps; returns its logs (the mean loss over the samples seen, metrics)."""
    if run.custom:
        return custom_step.epoch(run, data, epoch, cblist)
    model, guard = run.model, run.guard
    metrics = model.metrics             # (asked once an epoch, and again after the first step, which
    own = layer_metrics(model)          # makes them when a batch source builds the model)
    for m in metrics + own:
        m.reset_state()
    if run.compiled is None:            # a small Dense network: every step in one compiled call?
        run.compiled = fastpath.compiled_epoch(model, data, cblist)
    if run.compiled:
        values = _compiled_epoch(run, data, epoch)
        if values is not None:
            return _after_compiled_epoch(run, data, epoch, cblist, values)
    loss_total, seen = 0.0, 0
    for step, (xb, yb, swb) in enumerate(data.epoch()):
        for cb in cblist.batch_begin:
            cb.on_train_batch_begin(step)
        if step == 0:                   # the latest finite start of an epoch, to undo a blow-up
            if not model.optimizer.built:               # (a batch source builds the model on its first batch)
                model.optimizer.build(model.trainable_weights)
            run.keep_snapshot(epoch)
        value, predictions = run.step(model, xb, yb, swb)     # no update if value is not finite
        if step == 0:
            metrics = model.metrics
        if not math.isfinite(value):
            run.stopped_reason = _non_finite(model, epoch, step, value, run.snapshot)
            raise TrainingStopped
        m = len(yb) if type(yb) is np.ndarray else rows(yb)     # (several outputs: a list of labels)
        loss_total += value * m
        seen += m
        run.steps_done = step + 1
        for m in metrics:
            m.update_state(yb, predictions)      # Keras: compile metrics ignore sample_weight
        if cblist.batch_end:
            batch_logs = _logs(loss_total / seen, metrics + own)
            for cb in cblist.batch_end:
                cb.on_train_batch_end(step, batch_logs)
        if guard.requested or model.stop_training:
            if guard.requested:
                run.stopped_reason = (f"Training interrupted (Ctrl-C) at epoch {epoch + 1}, batch {step + 1}: "
                                      "the weights are those after that step.")
            break
    keep_loss(model, loss_total / max(seen, 1))
    return _logs(loss_total / max(seen, 1), metrics + own)


def _compiled_epoch(run, data, epoch):
    """The epoch's losses from ``glassnet.fast.epoch`` (None: it ran nothing; the loop below
    runs it), after step 0's work above: the optimizer built, the weights' snapshot kept."""
    if not run.model.optimizer.built:
        run.model.optimizer.build(run.model.trainable_weights)
    run.keep_snapshot(epoch)
    return run.compiled.run(data)


def _after_compiled_epoch(run, data, epoch, cblist, values):
    """What the loop above does after each step, for the steps of a compiled epoch: the
    loss summed over the samples seen, the stop at a non-finite loss; the progress line
    (the only batch hook a compiled epoch allows) drawn once, at the last step."""
    loss_total, seen, n = 0.0, 0, rows(data.x)
    for step, value in enumerate(values):
        if not math.isfinite(value):
            run.stopped_reason = _non_finite(run.model, epoch, step, value, run.snapshot)
            raise TrainingStopped
        start = step * data.batch_size
        m = min(data.batch_size, n - start)
        loss_total += value * m
        seen += m
        run.steps_done = step + 1
        for metric in run.model.metrics:        # the batch's labels and outputs, as the step gave them
            metric.update_state(data.y[run.compiled.order[start:start + m]], run.compiled.predictions[start:start + m])
    keep_loss(run.model, loss_total / max(seen, 1))
    logs = _logs(loss_total / max(seen, 1), run.model.metrics)
    for cb in cblist.batch_end:
        cb.on_train_batch_end(len(values) - 1, logs)
    if run.guard.requested:
        run.stopped_reason = (f"Training interrupted (Ctrl-C) at epoch {epoch + 1}, batch {len(values)}: "
                              "the weights are those after that step.")
    return logs


def _validate(model, validation, batch_size, cblist=None):
    """Validation logs from arrays ``(x, y, sw)`` or from a batch source (fit's callbacks see
    it as Keras shows it: on_test_begin, each test batch, on_test_end)."""
    if isinstance(validation, SourceBatches):   # each validation is an evaluate: a new iterator
        validation.reset()
    if custom_step.custom(model):               # the model's own test_step (batches made by fit)
        return custom_step.evaluate(model, validation)
    if cblist is not None:
        cblist.on_test_begin()
    if isinstance(validation, SourceBatches):
        try:
            logs = run_evaluate_batches(model, validation.epoch(), cblist)
        except RanOutOfData:            # an empty validation set adds no val_ logs (Keras: its logs stay {})
            logs = {}
    elif isinstance(validation, ArrayBatches):  # arrays with validation_steps: ArraySteps
        logs = run_evaluate_batches(model, validation.epoch(), cblist)
    else:
        logs = run_evaluate(model, *validation, batch_size=batch_size, callbacks=cblist)
    if cblist is not None:
        cblist.on_test_end(logs)
    return logs


def _non_finite(model, epoch, step, value, snapshot):
    """The loss of this batch is NaN/Inf: the update was not applied. If earlier updates
    already made the weights non-finite, go back (weights and optimizer state) to the start
    of the latest epoch that began with finite weights."""
    restored = "the weights are those from before this batch"
    variables = model.trainable_weights
    if not all(np.isfinite(v.value).all() for v in variables) and snapshot is not None:
        start, kept, values, state = snapshot
        at = 0
        for v in kept:
            v.value = values[at:at + v.value.size].reshape(v.shape)
            at += v.value.size
        model.optimizer.set_state(state)
        restored = ("earlier updates had already made them non-finite, so the weights were restored "
                    f"to the start of epoch {start + 1}")
    return (
        f"Training stopped: the loss became {value} at epoch {epoch + 1}, batch {step + 1}; {restored}. "
        "Likely causes: a learning rate too large (try 10x smaller), inputs not scaled "
        "(scale features to about [0, 1] or standardise them), or labels outside the loss's range."
    )


def _logs(loss_value, metrics):
    """The loss and each metric as Python floats, as Keras hands callbacks: each a float32's
    value (Keras keeps its loss and metric totals in float32 variables, so ``print(score[1])``
    shows ``0.09000000357627869``, not ``0.09``) unless floatx is float64."""
    logs = {"loss": _as_keras_float(loss_value)}
    for m in metrics:
        logs[m.name] = _as_keras_float(custom_step.scalar(m.result()))
    return dict(sorted(logs.items()))


def _as_keras_float(value):
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool) and config.floatx() != "float64":
        return float(np.float32(value))
    return value


# ---------------------------------------------------------------------------------------
# evaluate / predict
# ---------------------------------------------------------------------------------------
def run_evaluate(model, x, y, sample_weight=None, batch_size=32, callbacks=None):
    """The loss (weighted as in training, plus penalties) and metrics over ``x, y``."""
    return run_evaluate_batches(model, ArrayBatches(x, y, sample_weight, batch_size, shuffle=False).epoch(),
                                callbacks)


def run_evaluate_batches(model, batches, callbacks=None):
    """The loss (weighted as in training, plus penalties and what the batch's calls added
    with ``add_loss``, as fit counts them) and metrics over some batches; ``callbacks`` (a
    CallbackList) hear each batch begin and end, with the logs so far."""
    own = layer_metrics(model)
    for m in model.metrics + own:
        m.reset_state()
    layers, loss = model.step_units(), model.loss
    penalties = penalty(model.trainable_weights)
    total, n = 0.0, 0
    for i, (xb, yb, swb) in enumerate(batches):
        if callbacks is not None:
            callbacks.on_test_batch_begin(i)
        a = forward(layers, xb, False)              # (a sequence output may carry its mask: step.carrying)
        batch_loss = step_loss(loss, model.output_shortcut, layers[-1], yb, a, swb) + penalties + added_losses(layers)
        total += batch_loss * rows(yb)         # the epoch's loss: weighted by batch size
        n += rows(yb)
        for m in model.metrics:
            m.update_state(yb, a)             # as Keras: only the loss is weighted
        if callbacks is not None:
            callbacks.on_test_batch_end(i, _logs(total / max(n, 1), model.metrics + own))
    keep_loss(model, total / max(n, 1))
    return _logs(total / max(n, 1), model.metrics + own)


def layer_metrics(model) -> list:
    """The metrics a layer keeps as its attributes and updates in its own ``call`` (keras.io's
    endpoint layer: ``self.accuracy_metric.update_state(targets, logits)``): Keras's
    ``model.metrics`` lists them after the compiled ones, so fit and evaluate reset them and
    report their results; the loop never updates them itself."""
    from ..metrics import Metric  # noqa: PLC0415
    out, seen, todo = [], set(), list(getattr(model, "layers", None) or [])
    while todo:
        layer = todo.pop(0)
        if id(layer) in seen or layer is model:
            continue
        seen.add(id(layer))
        for value in list(vars(layer).values()):
            if isinstance(value, Metric) and not any(value is m for m in out):
                out.append(value)
        todo.extend(vars(layer).get("_tracked", ()))
    return out


def keep_loss(model, value) -> None:
    """Keras's loss tracker holds what fit's epoch (or evaluate, validation, train_on_batch) just
    averaged: ``model.get_metrics_result()``'s "loss" is that value."""
    tracker = custom_step.loss_tracker(model)
    tracker.total, tracker.count = np.float32(value), np.float32(1.0)


def metrics_result(model) -> dict:
    """Keras 3's ``get_metrics_result()`` without a step of one's own: the loss tracker's value,
    the compiled metrics in the order given, then several outputs' own losses (``a_loss``),
    each a float32 Tensor."""
    from ..tf.tensor import wrap  # noqa: PLC0415
    metrics = model.metrics
    if model._metric_specs and not metrics:         # (Keras: its CompileMetrics is not built yet)
        raise ValueError("Cannot get result() since the metric has not yet been built.")
    out = {"loss": custom_step.loss_tracker(model).result()}
    losses = [m for m in metrics if type(getattr(m, "metric", None)).__name__ == "_LossMean"]   # (engine/outputs.py)
    for m in [m for m in metrics if not any(m is k for k in losses)] + losses:
        out[m.name] = wrap(np.asarray(custom_step.scalar(m.result()), np.float32))
    return out


def run_predict(model, x, batch_size=32, callbacks=None):
    """The model's outputs for ``x``, batch by batch, in inference mode (``callbacks`` hear each
    batch begin, and end with its ``{"outputs": ...}``, as Keras's)."""
    n, layers = rows(x), model.step_units()
    out = None
    for start in range(0, n, batch_size):
        if callbacks is not None:
            callbacks.on_predict_batch_begin(start // batch_size)
        a = forward(layers, take(x, slice(start, start + batch_size)), False)
        if callbacks is not None:
            callbacks.on_predict_batch_end(start // batch_size, {"outputs": a})
        parts = a if isinstance(a, list) else [a]           # a graph's several outputs: one array each
        if out is None:
            out = [np.empty((n,) + p.shape[1:], dtype=p.dtype) for p in parts]
        for whole, p in zip(out, parts):
            whole[start:start + p.shape[0]] = p
    if out is None:
        shapes = model.output_shape if isinstance(model.output_shape, list) else [model.output_shape]
        out = [np.empty((0,) + tuple(shape[1:]), dtype=first(x).dtype) for shape in shapes]
    return out if isinstance(model.output_shape, list) else out[0]
