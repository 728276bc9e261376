"""``Trace``: a callback that watches the network learn, and says what looks wrong.

At each record (the last step of every epoch by default, or every ``every`` steps) it
stores, for every weight array, ``|w|`` (the Frobenius norm), ``|g|`` (the norm of dJ/dw)
and the update ratio ``|dw| / |w|`` of that step; and for every layer with an
activation, the mean and spread of its outputs ``A``, the share of saturated units
(sigmoid ``|a - 0.5| > 0.49``, tanh ``|a| > 0.98``, where ``g'`` is below about 0.04 of its
peak) and the share of dead ReLU units (0 for every sample of the batch).

Where the numbers come from. By default: the training step itself (the gradients the
optimizer used and the activations of that batch, read from the layers' caches after
the step, so nothing is recomputed and training is not perturbed). With ``x, y`` given:
a fixed probe batch, run through ``train_step`` in inference mode and without an update at
each record, so curves are not noisy from batch to batch.

``trace.diagnose()`` turns the records into sentences: vanishing or exploding gradients,
dead or saturated units, a learning rate too large (update ratios far above ~1e-3 or a
loss that goes up). An empty list means nothing looks wrong.

>>> import numpy as np, glassnet
>>> from glassnet.keras import Sequential
>>> from glassnet.keras.layers import Dense
>>> model = Sequential([Dense(4, activation="relu", name="hidden"), Dense(1, activation="sigmoid")])
>>> model.compile(loss="binary_crossentropy")
>>> x = np.random.default_rng(0).random((32, 3)); y = (x[:, 0] > 0.5).astype(float)
>>> trace = glassnet.callbacks.Trace()
>>> _ = model.fit(x, y, epochs=3, verbose=0, callbacks=[trace])
>>> trace.history["grad_norm/sequential/hidden/kernel"].shape       # (keyed by the weight's path)
(3,)
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations as act
from ..callbacks import Callback
from ..engine.step import train_step

__all__ = ["Trace"]

# thresholds of diagnose(), in one place
VANISHING_RATIO = 1e-3      # a layer's |g|/|w| below this fraction of the largest layer's
VANISHING_ABS = 1e-7        # or |g|/|w| below this at all
EXPLODING_GROWTH = 1e3      # |g| grew this much from the first record
SATURATED_SHARE = 0.5       # more than half the hidden units saturated
DEAD_SHARE = 0.4            # 40% or more ReLU units dead on the whole batch
UPDATE_TOO_LARGE = 3e-2     # |dw|/|w| per step; ~1e-3 is the usual healthy value
UPDATE_TOO_SMALL = 1e-6
LOSS_RISE = 1.1             # the last epoch's loss more than 10% above the best one


def _norm(a) -> float:
    return math.sqrt(float(np.sum(np.square(a, dtype=np.float64))))


class Trace(Callback):
    """Record weight and gradient norms, update ratios and activation statistics while
    ``fit`` runs; ``diagnose()`` says in words what looks wrong.

    Args:
        x, y: optional probe batch (e.g. ``x_train[:256]``); by default the training
            batches themselves are used.
        every: record every ``every`` steps; ``None`` (default) records once per epoch,
            at its last step.
        sample_weight: for the probe batch.

    ``history`` is a dict of NumPy arrays, one entry per record: ``"step"``, ``"epoch"``,
    ``"learning_rate"``; per weight array (``path`` such as ``dense/kernel``):
    ``"weight_norm/<path>"``, ``"grad_norm/<path>"``, ``"update_ratio/<path>"``; per layer
    with an activation: ``"act_mean/<layer>"``, ``"act_std/<layer>"``,
    ``"saturated/<layer>"`` (sigmoid/tanh) and ``"dead/<layer>"`` (relu). ``"loss"`` and
    ``"val_loss"`` hold one value per epoch (``"loss_epoch"``: their epochs).
    """

    def __init__(self, x=None, y=None, every: int | None = None, sample_weight=None):
        super().__init__()
        if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
            raise ValueError(f"Trace: every must be a positive integer or None, got {every!r}")
        if (x is None) != (y is None):
            raise ValueError("Trace: give both x and y for a probe batch, or neither")
        self.every = every
        self._probe_raw = None if x is None else (x, y, sample_weight)
        self._probe = None
        self._records: dict[str, list] = {}
        self._step = 0
        self._epoch = 0
        self._before = None
        self.layers: list[str] = []
        self.paths: list[str] = []

    # -- the hooks -----------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        model = self.model
        if self._probe_raw is not None and self._probe is None:
            self._probe = model._data(*self._probe_raw[:2], self._probe_raw[2], "Trace")
        self.paths = [v.path for v in model.trainable_weights]
        self.layers = [layer.name for layer in model.layers if hasattr(layer, "activation")]

    def _due(self, batch) -> bool:
        if self.every is not None:
            return (self._step + 1) % self.every == 0
        return batch + 1 == self.params.get("steps", 1)

    def on_train_batch_begin(self, batch, logs=None):
        self._before = None
        if self._due(batch):
            self._before = [v.value.copy() for v in self.model.trainable_weights]

    def on_train_batch_end(self, batch, logs=None):
        if self._before is not None:
            self._record(self._epoch, self._before)
            self._before = None
        self._step += 1

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for key in ("loss", "val_loss"):
            if key in logs:
                self._records.setdefault(key, []).append(float(logs[key]))
        self._records.setdefault("loss_epoch", []).append(epoch)

    # -- one record ------------------------------------------------------------------------
    def _put(self, key, value):
        self._records.setdefault(key, []).append(float(value))

    def _record(self, epoch, before):
        model = self.model
        variables = model.trainable_weights
        if self._probe is not None:
            x, y, sw = self._probe
            # the probe's step, without an update (it sets each grad; the next step sets them anew)
            train_step(model, x, y, sw, training=False, update=False)
            grads = [v.grad.copy() for v in variables]
            stats = self._activation_stats()
        else:
            grads = [v.grad for v in variables]          # the gradients this step used
            stats = self._activation_stats()              # the caches of this step's batch
        self._put("step", self._step + 1)
        self._put("epoch", epoch)
        self._put("learning_rate", model.optimizer.learning_rate)
        for v, g, w0 in zip(variables, grads, before):
            w_norm = _norm(w0)
            self._put(f"weight_norm/{v.path}", w_norm)
            self._put(f"grad_norm/{v.path}", _norm(g))
            self._put(f"update_ratio/{v.path}", _norm(v.value - w0) / w_norm if w_norm > 0 else np.nan)
        for key, value in stats.items():
            self._put(key, value)

    def _activation_stats(self) -> dict:
        out = {}
        for layer in self.model.layers:
            g = getattr(layer, "activation", None)
            a = getattr(layer, "a", None)
            if g is None or a is None:
                continue
            a = np.asarray(a, dtype=np.float64)
            name = layer.name
            out[f"act_mean/{name}"] = float(a.mean())
            out[f"act_std/{name}"] = float(a.std())
            if g is act.sigmoid:
                out[f"saturated/{name}"] = float(np.mean(np.abs(a - 0.5) > 0.49))
            elif g is act.tanh:
                out[f"saturated/{name}"] = float(np.mean(np.abs(a) > 0.98))
            elif g is act.relu:
                flat = a.reshape(-1, a.shape[-1])
                out[f"dead/{name}"] = float(np.mean(np.all(flat <= 0, axis=0)))
        return out

    # -- reading it back -------------------------------------------------------------------
    @property
    def history(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(v) for k, v in self._records.items()}

    def series(self, kind: str) -> dict[str, np.ndarray]:
        """``{path or layer: values}`` for one kind, e.g. ``trace.series("grad_norm")``."""
        prefix = kind + "/"
        return {k[len(prefix):]: np.asarray(v) for k, v in self._records.items() if k.startswith(prefix)}

    def diagnose(self) -> list[str]:
        """What looks wrong, in sentences (an empty list when nothing does)."""
        h = self.history
        if "step" not in h:
            return ["Trace recorded nothing: pass it to fit(..., callbacks=[trace]) and train at least one epoch."]
        kernels = [p for p in self.paths if p.endswith("kernel")] or list(self.paths)
        notes = self._gradient_notes(h, kernels) + self._unit_notes(h)
        notes += self._learning_rate_notes(h, kernels, quiet=not notes)
        return notes + self._loss_notes(h)

    @staticmethod
    def _gradient_notes(h, kernels) -> list[str]:
        """Exploding (or non-finite) and vanishing gradients, per kernel."""
        notes = []
        for p in kernels:
            g = h[f"grad_norm/{p}"]
            if not np.all(np.isfinite(g)):
                notes.append(f"Exploding gradients: the gradient of {p} became {g[~np.isfinite(g)][0]}. "
                             "Lower the learning rate, scale the inputs, or clip gradients (clipnorm=1.0).")
            elif len(g) > 1 and g[0] > 0 and g.max() > EXPLODING_GROWTH * g[0]:
                notes.append(f"Exploding gradients: |dJ/dW| of {p} grew from {g[0]:.2g} to {g.max():.2g}. "
                             "Lower the learning rate or clip gradients (clipnorm=1.0).")
        # vanishing: relative gradient |g|/|w| per layer, at the last record
        last = {p: (h[f"grad_norm/{p}"][-1], h[f"weight_norm/{p}"][-1]) for p in kernels}
        rel = {p: (gn / wn if wn > 0 else np.nan) for p, (gn, wn) in last.items()}
        finite = [r for r in rel.values() if np.isfinite(r)]
        top = max(finite) if finite else 0.0
        small = [(p, r) for p, r in rel.items() if np.isfinite(r)
                 and (r < VANISHING_ABS or (len(kernels) > 1 and top > 0 and r < VANISHING_RATIO * top))]
        if small:
            where = ", ".join(f"{p} ({r:.2g})" for p, r in small)
            notes.append(f"Vanishing gradients: |dJ/dW| / |W| is tiny in {where}, against {top:.2g} in the layer "
                         "that learns fastest, so these weights barely change. On its way back the gradient is "
                         "multiplied by g'(Z) in every layer: at most 0.25 for sigmoid, about 0 for saturated "
                         "sigmoid/tanh units and dead relu units. Use relu in hidden layers, glorot/he initial "
                         "weights, scaled inputs, or a shallower network.")
        return notes

    def _unit_notes(self, h) -> list[str]:
        """Saturated sigmoid/tanh units and dead relu units in the hidden layers."""
        notes = []
        output = self.layers[-1] if self.layers else None
        for name in self.layers:
            if name == output:
                continue                    # a confident output layer is supposed to saturate
            sat = h.get(f"saturated/{name}")
            if sat is not None and sat[-1] > SATURATED_SHARE:
                notes.append(f"Saturated units: {sat[-1]:.0%} of the outputs of layer {name!r} are within 0.01 of "
                             "the ends of the sigmoid/tanh range, where its derivative is nearly 0 and gradients "
                             "vanish. Scale the inputs, use smaller initial weights, or relu.")
            dead = h.get(f"dead/{name}")
            if dead is not None and dead[-1] >= DEAD_SHARE:
                notes.append(f"Dead units: {dead[-1]:.0%} of the relu units of layer {name!r} output 0 for every "
                             "sample, so they no longer learn. Lower the learning rate, or use leaky_relu/he_normal.")
        return notes

    def _learning_rate_notes(self, h, kernels, quiet) -> list[str]:
        """Update ratios |dw|/|w| far from ~1e-3 (too small is said only when nothing else is)."""
        ratios = np.array([np.nanmedian(h[f"update_ratio/{p}"]) for p in kernels])
        if ratios.size and np.nanmax(ratios) > UPDATE_TOO_LARGE:
            p = kernels[int(np.nanargmax(ratios))]
            return [f"Learning rate too large: one step changes {p} by {np.nanmax(ratios):.2g} of its norm "
                    f"(|dw|/|w|; about 1e-3 is healthy). Try a learning rate 3-10x smaller than "
                    f"{self.model.optimizer.learning_rate:g}."]
        if quiet and ratios.size and np.nanmax(ratios) < UPDATE_TOO_SMALL:
            return [f"Learning rate too small: the weights change by less than {UPDATE_TOO_SMALL:g} of their "
                    "norm per step; training will barely move."]
        return []

    @staticmethod
    def _loss_notes(h) -> list[str]:
        loss = h.get("loss")
        if loss is not None and len(loss) >= 3:
            best = int(np.nanargmin(loss))
            if not np.isfinite(loss[-1]) or loss[-1] > LOSS_RISE * loss[best] + 1e-12:
                return [f"The loss went up: from {loss[best]:.4g} (epoch {best + 1}) to {loss[-1]:.4g} "
                        f"(epoch {len(loss)}). A learning rate too large is the usual cause."]
        return []

    def __repr__(self):
        n = len(self._records.get("step", []))
        return f"<Trace: {n} records of {len(self.paths)} weight arrays>"
