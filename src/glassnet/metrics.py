"""Metrics: running averages over an epoch, reset at each epoch's start.

Each metric keeps ``total`` and ``count``; ``update_state`` adds a batch, ``result``
divides. ``"accuracy"`` is resolved as Keras resolves it, from the shapes (see
:func:`get`).

>>> import numpy as np
>>> m = BinaryAccuracy()
>>> m.update_state(np.array([[1.0], [0.0]]), np.array([[0.9], [0.7]]))
>>> float(m.result())
0.5
"""
from __future__ import annotations

import numpy as np

from .losses import align
from .registry import Family
from .tf.tensor import wrap
from .utils import snake_case


class Metric:
    """Base class: a weighted mean of per-sample values ``fn(y_true, y_pred)``."""

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype
        self.reset_state()

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def values(self, y_true, y_pred):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        v = self.values(y_true, y_pred)
        if sample_weight is None:
            self.total += float(np.sum(v))
            self.count += v.size
        else:
            from .engine import checks as _checks
            sw = _checks.loss_weights(sample_weight, v.shape)
            sw = sw.reshape(v.shape) if sw.size == v.size else np.broadcast_to(sw, v.shape)
            self.total += float(np.sum(v * sw))
            self.count += float(np.sum(sw))

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0

    def __call__(self, y_true, y_pred, sample_weight=None) -> float:
        """Keras's ``metric(y, p)``: add the batch, then the result so far (``reset_state``
        starts over; a new metric object gives one batch's value)."""
        self.update_state(np.asarray(y_true), np.asarray(y_pred), sample_weight)
        return self.result()

    def reset_states(self) -> None:
        """TensorFlow 2's older name of :meth:`reset_state`."""
        self.reset_state()

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class Mean(Metric):
    """The running (weighted) mean of the values given: ``train_loss = Mean(); train_loss(loss)``
    each step, ``train_loss.result()`` at the epoch's end, as custom training loops keep it."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, values, sample_weight=None) -> None:
        values = np.asarray(values, dtype=np.float64)
        if sample_weight is None:
            self.total += float(np.sum(values))
            self.count += values.size
        else:
            w = np.broadcast_to(np.asarray(sample_weight, np.float64), values.shape)
            self.total += float(np.sum(values * w))
            self.count += float(np.sum(w))

    def __call__(self, values, sample_weight=None) -> float:
        self.update_state(values, sample_weight)
        return self.result()


class BinaryAccuracy(Metric):
    """Share of ``(p > threshold) == y`` (strictly greater, threshold 0.5)."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        self.threshold = threshold
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        y_true = align(y_true, y_pred)
        return np.mean((y_pred > self.threshold) == y_true, axis=-1)

    def get_config(self):
        return {"name": self.name, "threshold": self.threshold}


class CategoricalAccuracy(Metric):
    """Share of ``argmax(p) == argmax(y)`` (one-hot labels)."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float64)


class SparseCategoricalAccuracy(Metric):
    """Share of ``argmax(p) == y`` (integer labels)."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        y = np.asarray(y_true)
        if y.ndim == y_pred.ndim and y.shape[-1] == 1:
            y = y.reshape(y.shape[:-1])
        return (np.argmax(y_pred, axis=-1) == y).astype(np.float64)


class Accuracy(Metric):
    """Share of exact matches ``y_pred == y_true``."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        return np.mean(align(y_true, y_pred) == y_pred, axis=-1)


class MeanSquaredError(Metric):
    """Mean of ``(y - p)^2``."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        d = y_pred - align(y_true, y_pred)
        return np.mean(d * d, axis=-1)


class MeanAbsoluteError(Metric):
    """Mean of ``|y - p|``."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        return np.mean(np.abs(y_pred - align(y_true, y_pred)), axis=-1)


class _LossMetric(Metric):
    """A loss as a metric: the mean of its per-sample values (e.g. ``metrics=["binary_crossentropy"]``)."""

    def __init__(self, loss, name):
        self.loss = loss
        super().__init__(name)

    def values(self, y_true, y_pred):
        return self.loss.call(self.loss.prepare(y_true, y_pred), y_pred)


class BinaryCrossentropy(_LossMetric):
    """The binary cross-entropy's mean, as a metric (``from_logits=True`` for a model that
    outputs logits, as TensorFlow's "Overfit and underfit" tutorial compiles it)."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        from . import losses
        self.from_logits, self.label_smoothing = from_logits, label_smoothing
        super().__init__(losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing), name)

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(_LossMetric):
    """The categorical cross-entropy's mean (one-hot labels), as a metric."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        from . import losses
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        super().__init__(losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing,
                                                        axis=axis), name)

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis}


class SparseCategoricalCrossentropy(_LossMetric):
    """The sparse categorical cross-entropy's mean (integer labels), as a metric."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, axis=-1):
        from . import losses
        if axis not in (-1,):
            raise ValueError(f"SparseCategoricalCrossentropy: only axis=-1 (the classes last) is supported, got {axis!r}")
        self.from_logits, self.axis = from_logits, axis
        super().__init__(losses.SparseCategoricalCrossentropy(from_logits=from_logits), name)

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits, "axis": self.axis}


class RootMeanSquaredError(Metric):
    """``sqrt(mean((y - p)^2))`` over every output of every sample seen (the root of the
    mean, not a mean of roots)."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        d = y_pred - align(y_true, y_pred)
        return d * d

    def result(self) -> float:
        return float(np.sqrt(super().result()))


class MeanAbsolutePercentageError(Metric):
    """Mean of ``100 |y - p| / max(|y|, 1e-7)``."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        y = align(y_true, y_pred)
        return 100.0 * np.mean(np.abs(y - y_pred) / np.maximum(np.abs(y), 1e-7), axis=-1)


class _Confusion(Metric):
    """True and false positives and negatives at ``thresholds`` (a prediction above one
    counts as positive; a label other than 0 is positive), summed over every output."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        if top_k is not None:
            raise ValueError(f"{type(self).__name__}: top_k is not supported by glassnet")
        one = thresholds is None or np.ndim(thresholds) == 0
        self.thresholds = thresholds
        self._cuts = np.atleast_1d(np.asarray(0.5 if thresholds is None else thresholds, np.float64))
        if self._cuts.ndim != 1 or not np.all((self._cuts >= 0) & (self._cuts <= 1)):
            raise ValueError(f"{type(self).__name__}: thresholds must be numbers in [0, 1], got {thresholds!r}")
        self._one, self.class_id = one, class_id
        super().__init__(name, dtype)

    def reset_state(self) -> None:
        self.tp, self.fp, self.fn, self.tn = (np.zeros(len(self._cuts)) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y = align(np.asarray(y_true), y_pred) != 0
        p = np.asarray(y_pred, np.float64)
        w = np.ones(p.shape) if sample_weight is None else np.broadcast_to(
            np.asarray(sample_weight, np.float64).reshape(len(p), *([1] * (p.ndim - 1))), p.shape)
        if self.class_id is not None:
            y, p, w = y[..., self.class_id], p[..., self.class_id], w[..., self.class_id]
        y, p, w = y.ravel(), p.ravel(), w.ravel()
        above = p[None, :] > self._cuts[:, None]
        self.tp += (above & y) @ w
        self.fp += (above & ~y) @ w
        self.fn += (~above & y) @ w
        self.tn += (~above & ~y) @ w

    def _ratio(self, part, other):
        total = part + other
        r = np.divide(part, total, out=np.zeros_like(part), where=total > 0)
        return float(r[0]) if self._one else r.tolist()

    def get_config(self):
        return {"name": self.name, "thresholds": self.thresholds, "class_id": self.class_id}


class Precision(_Confusion):
    """``tp / (tp + fp)``: of the samples predicted positive (above 0.5), the share that are."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="precision", dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        return self._ratio(self.tp, self.fp)


class Recall(_Confusion):
    """``tp / (tp + fn)``: of the positive samples, the share predicted positive (above 0.5)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="recall", dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        return self._ratio(self.tp, self.fn)


class AUC(_Confusion):
    """Area under the ROC curve (or the precision-recall curve, ``curve="PR"``), from the
    counts at ``num_thresholds`` thresholds spread over [0, 1] (Keras's: 0 - 1e-7, i/(n-1),
    1 + 1e-7), summed as Keras sums them: trapezoids for ROC, and for PR Davis and
    Goadrich's interpolation; ``"minoring"`` / ``"majoring"`` take the lower / upper side.
    ``from_logits=True`` applies a sigmoid first. One label per output column (no multi_label)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name="auc",
                 dtype=None, thresholds=None, multi_label=False, num_labels=None, label_weights=None,
                 from_logits=False):
        if multi_label or label_weights is not None:
            raise ValueError("AUC: multi_label and label_weights are not supported by glassnet")
        if str(curve).upper() not in ("ROC", "PR"):
            raise ValueError(f'AUC: curve must be "ROC" or "PR", got {curve!r}')
        if str(summation_method).lower() not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: summation_method must be interpolation, minoring or majoring, got "
                             f"{summation_method!r}")
        if thresholds is None:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) or num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be an integer > 1, got {num_thresholds!r}")
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        else:
            inner = sorted(float(t) for t in thresholds)
        self.num_thresholds = len(inner) + 2
        self.curve, self.summation_method = str(curve).upper(), str(summation_method).lower()
        self.from_logits, self.multi_label = from_logits, False
        self._given_thresholds = thresholds
        super().__init__(None, None, None, name, dtype)
        self._cuts = np.array([0.0 - 1e-7] + inner + [1.0 + 1e-7])
        self._one = True
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        p = np.asarray(y_pred, np.float64)
        if self.from_logits:
            p = 1.0 / (1.0 + np.exp(-p))
        super().update_state(y_true, p, sample_weight)

    def result(self):
        tp, fp, fn, tn = self.tp, self.fp, self.fn, self.tn

        def ratio(a, b):
            return np.divide(a, b, out=np.zeros_like(a), where=b != 0)
        if self.curve == "PR" and self.summation_method == "interpolation":
            dtp, p = tp[:-1] - tp[1:], tp + fp
            dp = p[:-1] - p[1:]
            slope = ratio(dtp, np.maximum(dp, 0))
            intercept = tp[1:] - slope * p[1:]
            both = (p[:-1] > 0) & (p[1:] > 0)
            safe = np.where(both, ratio(p[:-1], np.maximum(p[1:], 0)), 1.0)
            return float(np.sum(ratio(slope * (dtp + intercept * np.log(safe)), np.maximum(tp[1:] + fn[1:], 0))))
        recall = ratio(tp, tp + fn)
        x, y = (ratio(fp, fp + tn), recall) if self.curve == "ROC" else (recall, ratio(tp, tp + fp))
        heights = {"interpolation": (y[:-1] + y[1:]) / 2.0, "minoring": np.minimum(y[:-1], y[1:]),
                   "majoring": np.maximum(y[:-1], y[1:])}[self.summation_method]
        return float(np.sum((x[:-1] - x[1:]) * heights))

    def get_config(self):
        return {"name": self.name, "num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "thresholds": self._given_thresholds,
                "from_logits": self.from_logits}


CLASSES = {c.__name__: c for c in [Mean, AUC, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                                    Accuracy, MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
                                    CategoricalCrossentropy, SparseCategoricalCrossentropy,
                                    RootMeanSquaredError, MeanAbsolutePercentageError, Precision, Recall]}
BY_NAME = {
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "root_mean_squared_error": RootMeanSquaredError, "precision": Precision, "recall": Recall, "auc": AUC,
}
_LOSS_NAMES = ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "huber")


FAMILY = Family("metric", "keras.metrics", CLASSES, aliases=BY_NAME, base=Metric,
                expected="a name, a config dict, a Metric or a Metric class",
                hints=("accuracy", "acc") + _LOSS_NAMES)


# -- the functions (``keras.metrics.binary_accuracy(y_true, y_pred)``): one value per entry or
#    sample, as a Tensor, as Keras 3 gives them; in ``compile(metrics=[...])`` each stands for
#    its class, under its own name
def binary_accuracy(y_true, y_pred, threshold=0.5):
    """``(y_pred > threshold) == y_true`` as 0/1 floats (Keras 3: not averaged over the last axis)."""
    y_pred = np.asarray(y_pred)
    return wrap(((y_pred > threshold) == align(np.asarray(y_true), y_pred)).astype(np.float32))


def categorical_accuracy(y_true, y_pred):
    """Per sample, 1.0 where ``argmax(y_pred) == argmax(y_true)`` (one-hot labels)."""
    return wrap(CategoricalAccuracy().values(np.asarray(y_true), np.asarray(y_pred)).astype(np.float32))


def sparse_categorical_accuracy(y_true, y_pred):
    """Per sample, 1.0 where ``argmax(y_pred) == y_true`` (integer labels)."""
    return wrap(SparseCategoricalAccuracy().values(np.asarray(y_true), np.asarray(y_pred)).astype(np.float32))


def _function_metric(fn):
    """The metric a function given to ``compile(metrics=[...])`` stands for, or None."""
    from . import losses
    classes = {binary_accuracy: BinaryAccuracy, categorical_accuracy: CategoricalAccuracy,
               sparse_categorical_accuracy: SparseCategoricalAccuracy,
               losses.mean_squared_error: MeanSquaredError, losses.mean_absolute_error: MeanAbsoluteError}
    if fn in classes:
        return classes[fn](name=fn.__name__)
    if getattr(fn, "__name__", None) in _LOSS_NAMES and losses._FUNCTIONS.get(fn.__name__) is fn:
        return _LossMetric(losses.get(fn.__name__), fn.__name__)
    return None


# Keras 2's aliases (tf.keras.metrics.mse, MSE, mae, MAE), noted once each
_KERAS2_ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error",
                   "mae": "mean_absolute_error", "MAE": "mean_absolute_error"}


def __getattr__(name):
    if name in _KERAS2_ALIASES:
        from . import losses
        from .keras.legacy import note          # deferred: keras/ imports this module
        full = _KERAS2_ALIASES[name]
        note(f"keras.metrics.{name}", f"keras.metrics.{name} is Keras 2's alias; Keras 3 writes "
             f"keras.metrics.{full}")
        return getattr(losses, full)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get(identifier, y_true=None, y_pred=None) -> Metric:
    """Resolve a metric (see :mod:`glassnet.registry`). ``"accuracy"``/``"acc"`` depends on
    the shapes, as in Keras: binary when the output's last dimension is 1; sparse categorical
    when the labels have lower rank than the output (or last dimension 1 while the output's
    is > 1); categorical otherwise. The metric keeps the name the user wrote (the log key).
    Keras's metric functions (``keras.metrics.binary_accuracy``) stand for their classes."""
    if callable(identifier) and not isinstance(identifier, (type, Metric)):
        found = _function_metric(identifier)
        if found is not None:
            return found
    if isinstance(identifier, str):
        key = identifier
        if key.lower() in ("accuracy", "acc"):
            if y_pred is None or y_pred.shape[-1] == 1:
                return BinaryAccuracy(name=key)
            if y_true is not None and (y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1):
                return SparseCategoricalAccuracy(name=key)
            return CategoricalAccuracy(name=key)
        if key.lower() in ("crossentropy", "ce"):     # Keras 2 (compile_utils): chosen as accuracy is
            from . import losses
            from .keras.legacy import note          # deferred: keras/ imports this module
            if y_pred is None or y_pred.shape[-1] == 1:
                full = "binary_crossentropy"
            elif y_true is not None and (y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1):
                full = "sparse_categorical_crossentropy"
            else:
                full = "categorical_crossentropy"
            note(f"metric {key!r}", f"metrics=[{key!r}] is Keras 2's (the cross-entropy that fits the output); "
                 "Keras 3 names it: 'binary_crossentropy', 'categorical_crossentropy' or "
                 "'sparse_categorical_crossentropy'", stacklevel=4)
            return _LossMetric(losses.get(full), key)
        if key.lower() in _LOSS_NAMES:
            from . import losses
            return _LossMetric(losses.get(key.lower()), key)
        cls = FAMILY.resolve(key)
        if key == cls.__name__ or CLASSES.get(cls.__name__) is not cls:
            return cls()                    # a class name, or a metric of your own
        return cls(name=key)
    return FAMILY.get(identifier)


def serialize(metric: Metric) -> dict:
    """Keras's form: ``{"module", "class_name", "config", "registered_name"}``."""
    return FAMILY.serialize(metric)


def deserialize(config: dict, custom_objects=None) -> Metric:
    """Build a metric from its Keras config: glassnet's own, one in ``custom_objects`` or a
    registered one; anything else is refused."""
    return FAMILY.deserialize(config, custom_objects)
