"""Callbacks: hooks the training loop calls at the start and end of training, epochs and
batches, with Keras's names, arguments and defaults.

>>> import glassnet
>>> stop = glassnet.callbacks.EarlyStopping(monitor="loss", patience=2)
"""
from __future__ import annotations

import math
import os
import sys

import numpy as np


class Callback:
    """Base class: override the hooks you need; ``self.model`` is set by ``fit``."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    # Keras 3: on_batch_begin/end are what on_train_batch_begin/end call by default
    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs=logs)
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs=logs)
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


def overrides(cb: Callback, hook: str) -> bool:
    """Whether ``cb`` does something at ``hook`` (the loop skips per-batch work otherwise)."""
    return getattr(type(cb), hook, None) is not getattr(Callback, hook)


class _Logs(dict):
    """``History.history``: Keras 3's keys. Keras 2's LearningRateScheduler and ReduceLROnPlateau
    logged the rate as ``"lr"``; ``history.history["lr"]`` still answers (``"learning_rate"``'s
    list), with a note (glassnet/keras/legacy.py). The keys themselves stay Keras 3's."""

    def __missing__(self, key):
        if key == "lr" and "learning_rate" in self:
            from .keras.legacy import note  # noqa: PLC0415 - keras/ imports this module
            note("history['lr']", "history.history['lr'] is Keras 2's key; Keras 3 logs it as "
                 "history.history['learning_rate']")
            return self["learning_rate"]
        raise KeyError(key)


class History(Callback):
    """Records each epoch's logs: ``history.history["loss"]`` is a list, one value per epoch."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    @property
    def history(self) -> dict:
        return self._history

    @history.setter
    def history(self, value):
        self._history = _Logs(value)

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if len(self.epoch) == 1:        # keys in the first logs' order, as Keras's (fit may have
            for k in list(logs or {}) + [k for k in self.history if k not in (logs or {})]:
                self.history[k] = self.history.pop(k)       # named some before a metric was built)


def _improvement_op(monitor: str, mode: str):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "max" or (mode == "auto" and ("acc" in monitor or monitor.endswith("auc"))):
        return np.greater
    return np.less


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs;
    optionally restore the weights of the best epoch (Keras 3 restores them even if the
    patience never ran out)."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.monitor_op = _improvement_op(monitor, mode)
        self.min_delta = abs(min_delta) * (1 if self.monitor_op is np.greater else -1)

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best, self.best_weights, self.best_epoch = 0, 0, None, None, 0

    def _is_improvement(self, value, reference):
        return reference is None or bool(self.monitor_op(value - self.min_delta, reference))

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            print(f"EarlyStopping: metric {self.monitor!r} is not in the logs "
                  f"(available: {', '.join(sorted(logs or {}))}); nothing to monitor.", file=sys.stderr)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model (or its weights) to ``filepath.format(epoch=epoch + 1, **logs)`` at
    the end of each epoch, or every ``save_freq`` batches when it is an integer (then
    ``{batch}`` is the batch's number within its epoch, from 1), creating the folder when
    needed; with ``save_best_only``, only when ``monitor`` improves (saved anyway, with a
    warning, when ``monitor`` is not in the logs, as Keras 3 does). Files are written
    atomically: an interrupted save leaves the previous file intact."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        filepath = os.fspath(filepath)
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq < 1):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a number of batches >= 1, "
                             f"got {save_freq!r}")
        # Keras 3's rule and words: TensorFlow 2's checkpoint prefixes ("./training_checkpoints/ckpt_{epoch}",
        # the text-generation tutorial's) are refused; "ckpt_{epoch}.weights.h5" is the fix
        if save_weights_only and not filepath.endswith(".weights.h5"):
            raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must "
                             f"end in `.weights.h5` (Keras weights format). Received: filepath={filepath}")
        if not save_weights_only and not filepath.endswith((".keras", ".h5")):     # (.h5: the legacy file, as Keras 3.15)
            raise ValueError("The filepath provided must end in `.keras` (Keras model format). Received: "
                             f"filepath={filepath}")
        self.filepath, self.monitor, self.verbose = filepath, monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.monitor_op = _improvement_op(monitor, mode)
        self.best = initial_value_threshold
        self.save_freq = save_freq
        self.wants_batch_logs = save_freq != "epoch"
        self._epoch, self._batches, self._last_batch = 0, 0, None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        # Keras's count: batches since the last save, across epochs (a batch number that
        # did not grow starts a new epoch)
        seen = batch + 1 if self._last_batch is None or batch <= self._last_batch else batch - self._last_batch
        self._batches += seen
        self._last_batch = batch
        if self._batches >= self.save_freq:
            self._batches = 0
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _save(self, epoch, batch, logs):
        try:
            if batch is None or "batch" in logs:
                path = self.filepath.format(epoch=epoch + 1, **logs)
            else:
                path = self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'ModelCheckpoint: cannot format the filepath "{self.filepath}": {e} is '
                           f"not one of epoch, batch or the logs' keys {sorted(logs)}") from None
        if not self._improved(epoch, logs, path):
            return
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {path}")

    def _improved(self, epoch, logs, path):
        """Whether to save now, with Keras's messages."""
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            print(f"ModelCheckpoint: can save the best model only with {self.monitor} available; "
                  f"saving.", file=sys.stderr)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self.best is not None and not self.monitor_op(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
            return False
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                  f"saving model to {path}")
        self.best = current
        return True


class BackupAndRestore(Callback):
    """Keras 3's fault tolerance: at the end of each epoch (or every ``save_freq`` batches) the
    model's weights and its optimizer's state go to ``backup_dir/latest.weights.h5`` and the
    epoch reached to ``backup_dir/training_metadata.json``, each written atomically (a crash
    mid-save leaves the previous backup whole). A ``fit`` that finds a backup when it starts
    loads it and goes on from the epoch after the last one saved; a ``fit`` that ends normally
    removes the folder (``delete_checkpoint=True``), while one stopped by an exception leaves
    it for the next run. ``double_checkpoint=True`` keeps the previous backup too (``.bkp``),
    used when the latest cannot be read.

    >>> import glassnet
    >>> backup = glassnet.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. "
                             "Expected either 'epoch' or an integer value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq, self.double_checkpoint, self.delete_checkpoint = save_freq, double_checkpoint, delete_checkpoint
        self.wants_batch_logs = save_freq != "epoch"
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._current_epoch, self._last_batch_seen, self._batches_since_save = 0, 0, 0

    def on_train_begin(self, logs=None):
        try:
            self._load()
        except OSError:
            if not (self.double_checkpoint and os.path.exists(self._weights_path + ".bkp")):
                raise
            for path in (self._weights_path, self._metadata_path):      # the latest is unreadable: the one before
                if os.path.exists(path + ".bkp"):
                    os.replace(path + ".bkp", path)
            self._load()

    def _load(self):
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, you model must be built before you call "
                             f"`fit()`. Model {self.model} is unbuilt. You can build it beforehand by calling it "
                             "on a batch of data.")
        if os.path.exists(self._weights_path):
            optimizer = getattr(self.model, "optimizer", None)
            if optimizer is not None and not optimizer.built:
                optimizer.build(self.model.trainable_variables)
            self.model.load_weights(self._weights_path)
        if os.path.exists(self._metadata_path):
            import json
            with open(self._metadata_path, encoding="utf-8") as f:
                epoch = json.load(f)["epoch"]
            self.model._initial_epoch = int(epoch)           # fit goes on from here (Keras's attribute)

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch, self._last_batch_seen = epoch + 1, 0
        if self.save_freq == "epoch":
            self._save()

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen   # a new epoch
        self._batches_since_save += added
        self._last_batch_seen = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save()

    def _save(self):
        import json
        import shutil
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for path in (self._weights_path, self._metadata_path):
                if os.path.exists(path):
                    shutil.copyfile(path, path + ".bkp")
        self.model.save_weights(self._weights_path, overwrite=True)      # atomic, optimizer state included
        metadata = {"epoch": self._current_epoch, "batch": self._last_batch_seen}
        _replace_atomically(self._metadata_path, json.dumps(metadata).encode("utf-8"))

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            import shutil
            shutil.rmtree(self.backup_dir)


def _replace_atomically(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it over ``path``:
    a crash leaves the old file or the new one, never half of one (saving/atomic.py's rule, for
    this small file; the core modules do not import the saving package)."""
    import tempfile
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


class CSVLogger(Callback):
    """One row per epoch in a CSV file: ``epoch`` and the logs' keys, sorted (as Keras writes
    them). ``append=True`` adds to an existing file (no second header)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self._file, self._keys = None, None

    def on_train_begin(self, logs=None):
        had_rows = self.append and os.path.isfile(self.filename) and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._keys = None if not had_rows else False           # False: the header is there already

    def on_epoch_end(self, epoch, logs=None):
        import csv  # noqa: PLC0415 - only when a CSV is written
        logs = logs or {}
        writer = csv.writer(self._file, delimiter=self.separator, lineterminator="\n")
        if not self._keys:
            keys = sorted(logs)
            if self._keys is None:
                writer.writerow(["epoch"] + keys)
            self._keys = keys
        writer.writerow([epoch] + [logs.get(k, "NA") for k in self._keys])
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None


class LearningRateScheduler(Callback):
    """At each epoch's start, ``lr = schedule(epoch, lr)`` (or ``schedule(epoch)``)."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = self.model.optimizer.learning_rate
        try:
            new = self.schedule(epoch, lr)
        except TypeError:
            new = self.schedule(epoch)
        new = float(new)
        if not math.isfinite(new):
            raise ValueError(f"LearningRateScheduler: the schedule returned {new} at epoch {epoch}")
        self.model.optimizer.learning_rate = new
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved by
    ``min_delta`` for ``patience`` epochs, then wait ``cooldown`` epochs; never below ``min_lr``."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1, got {factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.mode = mode
        self._reset()

    def _reset(self):
        if _improvement_op(self.monitor, self.mode) is np.less:
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter, self.wait = 0, 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            print(f"ReduceLROnPlateau: {self.monitor!r} is not in the logs; nothing to monitor.", file=sys.stderr)
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(self.model.optimizer.learning_rate)
                if old > np.float32(self.min_lr):
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class TerminateOnNaN(Callback):
    """Stop training when a batch's loss is NaN or infinite. (glassnet's fit already stops
    and restores the weights on its own; this callback is kept for Keras programs.)"""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    _HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
              "on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")

    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            if name not in self._HOOKS:
                raise TypeError(f"LambdaCallback: unknown hook {name!r}; known: {', '.join(self._HOOKS)}")
            target = {"on_batch_begin": "on_train_batch_begin", "on_batch_end": "on_train_batch_end"}.get(name, name)
            if target.startswith("on_train_") and target[9:] in ("begin", "end"):
                setattr(self, target, lambda logs=None, fn=fn: fn(logs))
            else:
                setattr(self, target, lambda i, logs=None, fn=fn: fn(i, logs))
        self.given_hooks = {({"on_batch_begin": "on_train_batch_begin", "on_batch_end": "on_train_batch_end"}
                        .get(n, n)) for n in hooks}


class CallbackList:
    """Calls every callback's hook in order; per-batch hooks only on callbacks that use them."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        self.batch_end = [_Named(cb, "on_train_batch_end") for cb in self.callbacks
                          if _uses(cb, "on_train_batch_end") or _uses(cb, "on_batch_end")]
        self.batch_begin = [_Named(cb, "on_train_batch_begin") for cb in self.callbacks
                            if _uses(cb, "on_train_batch_begin") or _uses(cb, "on_batch_begin")]

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call(*args):
            for cb in self.callbacks:
                _Named(cb, hook)(*args)
        return call


class _Named:
    """One callback's hook; an exception it raises says which callback and hook it came from."""

    __slots__ = ("hook", "where", "wanted")

    def __init__(self, cb, hook):
        self.hook, self.where = getattr(cb, hook), f"{type(cb).__name__}.{hook}"
        self.wanted = 2 if ("epoch" in hook or "batch" in hook) else 1     # ((index,) logs)

    def __call__(self, *args):
        # as Keras hands them: the logs always a dict, {} when there are none
        args = args[:self.wanted - 1] + tuple({} if a is None else a for a in args[self.wanted - 1:])
        args += ({},) * (self.wanted - len(args))
        try:
            self.hook(*args)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as e:
            _name_source(e, self.where)
            raise

    # the loop calls batch hooks as cb.on_train_batch_end(step, logs)
    def on_train_batch_end(self, *args):
        self(*args)

    on_train_batch_begin = on_train_batch_end


def _name_source(error, where):
    """Put ``in callback X.hook`` into the exception's message (once), keeping its type."""
    text = f"(raised in callback {where})"
    if any(text in str(a) for a in error.args):
        return
    if len(error.args) == 1 and isinstance(error.args[0], str):
        error.args = (f"{error.args[0]} {text}",)
    elif hasattr(error, "add_note"):
        error.add_note(text)


def _uses(cb, hook):
    if isinstance(cb, LambdaCallback):
        return hook in cb.given_hooks
    if hook == "on_train_batch_end" and hasattr(cb, "wants_batch_logs"):
        return cb.wants_batch_logs          # e.g. the progress bar redraws only on a terminal
    return overrides(cb, hook)


def __getattr__(name):
    """``callbacks.Trace`` lives in glassnet.trace, loaded on first use (import time)."""
    if name == "Trace":
        from .glassbox.trace import Trace
        return Trace
    if name == "LivePlot":                  # the learning curve redrawn in place in a notebook
        from .glassbox.live import LivePlot
        return LivePlot
    if name == "TensorBoard":               # event files for TensorBoard (imports tensorboard when fit starts)
        from .glassbox.tensorboard import TensorBoard
        return TensorBoard
    raise AttributeError(f"module 'glassnet.callbacks' has no attribute {name!r}")
