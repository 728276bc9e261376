"""Metrics: running averages over an epoch, reset at each epoch's start.

Each metric keeps ``total`` and ``count``; ``update_state`` adds a batch, ``result``
divides. A batch counts as Keras counts it (``keras.metrics.Mean``): the values are first
brought to one per sample (the mean over every axis after the first), then the batch adds
their sum to ``total`` and its number of samples (or the sum of ``sample_weight``) to
``count``, so batches of uneven sizes weigh by their samples, not one each. ``"accuracy"``
is resolved as Keras resolves it, from the shapes (see :func:`get`).

``result()`` and ``metric(y, p)`` give a float32 :class:`~glassnet.tf.tensor.Tensor`, as
Keras's do; the metrics that ``compile`` resolves (through :func:`get`) hand the training
loop Python numbers for its logs, as Keras's ``History`` holds them.

>>> import numpy as np
>>> m = BinaryAccuracy()
>>> m.update_state(np.array([[1.0], [0.0]]), np.array([[0.9], [0.7]]))
>>> m.result()
<tf.Tensor: shape=(), dtype=float32, numpy=0.5>
>>> m.update_state([1.0], [0.8])                 # a batch of one: 2 right out of 3 samples
>>> print(m.result())
tf.Tensor(0.6666667, shape=(), dtype=float32)
"""
from __future__ import annotations

import numpy as np

from .losses import align
from .registry import Family
from .tf.tensor import wrap
from .utils import snake_case


def _array(value, name: str) -> np.ndarray:
    """A metric's input (array, list, Tensor, Variable, number) as a plain array of numbers."""
    if hasattr(value, "store_in") and hasattr(value, "numpy"):         # a glassnet Variable
        value = value.numpy()
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype} ({type(value).__name__})")
    return arr.view(np.ndarray)


def same_rank(a: np.ndarray, b: np.ndarray):
    """Keras's ``squeeze_or_expand_to_same_rank``: when ranks differ by one and the larger has
    a last axis of 1, a rank-1 partner gains that axis; otherwise the larger loses it."""
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        return (a, b[..., None]) if b.ndim == 1 else (a[..., 0], b)
    if b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        return (a[..., None], b) if a.ndim == 1 else (a, b[..., 0])
    return a, b


def _mean_after(x: np.ndarray, axis: int) -> np.ndarray:
    return x.mean(axis=tuple(range(axis, x.ndim))) if x.ndim > axis else x


class Metric:
    """Base class: a weighted mean of per-sample values ``values(y_true, y_pred)``."""

    _python_results = False      # True: result() is a Python number (the training loop's logs)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # glassnet's own metrics outside this module (the engine's per-output loss means) are
        # read by the training loop only: they hand it Python numbers, as compiled metrics do
        module = cls.__module__ or ""
        if module.startswith("glassnet.") and module != __name__:
            cls._python_results = True

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
        y_true, y_pred = _array(y_true, "y_true"), _array(y_pred, "y_pred")
        self._add(self.values(y_true, y_pred), sample_weight)

    def _add(self, values, sample_weight) -> None:
        """Keras's reduction (``reduce_to_samplewise_values``, then ``Mean``): a weight per
        sample (or per entry) scales the values, whose mean per sample joins ``total``; the
        weights' own per-sample mean joins ``count``. Unweighted, each sample counts 1 (a
        batch reduced to a single number counts 1). Used directly, the sums are float32 as
        Keras keeps them (so ``print(m.result())`` shows Keras's last digit); the training
        loop's metrics keep float64 sums."""
        dtype = np.float64 if self._python_results else np.float32
        values = np.asarray(values, dtype)
        if sample_weight is None:
            values = _mean_after(values, 1)
            total, count = np.sum(values), dtype(values.shape[0] if values.ndim else 1)
        else:
            from .engine import checks as _checks        # deferred: the engine imports this module
            w = _checks.weight_values(_checks.to_array(sample_weight, "sample_weight").astype(np.float64),
                                      "sample_weight").astype(dtype)
            values, w = same_rank(values, w)
            values = _mean_after(values, w.ndim)
            try:
                w = np.broadcast_to(w, values.shape)
            except ValueError:
                raise ValueError(f"{self.name}: sample_weight has shape {np.shape(sample_weight)}, which does "
                                 f"not line up with the values of shape {values.shape} (one per sample, "
                                 "or one number for the batch)") from None
            values = _mean_after(values * w, 1)
            total, count = np.sum(values), np.sum(_mean_after(w, 1))
        if self._python_results:
            self.total += float(total)
            self.count += float(count)
        else:
            self.total, self.count = dtype(self.total) + dtype(total), dtype(self.count) + dtype(count)

    def _value(self):
        """The result as a Python number (a list for several thresholds); float32 arithmetic
        for a metric used directly, as Keras's."""
        if not self.count:
            return 0.0
        return float(self.total / self.count)

    def result(self):
        """The value so far: a float32 Tensor, as Keras returns it (``.numpy()``, ``float()``,
        ``f"{m.result():.3%}"`` all work); a Python number for a metric resolved by ``compile``."""
        value = self._value()
        return value if self._python_results else wrap(np.asarray(value, np.float32))

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Keras's ``metric(y, p)``: add the batch, then the result so far (``reset_state``
        starts over; a new metric object gives one batch's value)."""
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def merge_state(self, metrics) -> None:
        """Add the counts of other metrics of the same class (TensorFlow 2's ``merge_state``):
        the result is then that of every batch they and this one have seen."""
        for other in metrics:
            if type(other) is not type(self):
                raise ValueError(f"{self.name}: merge_state takes metrics of class {type(self).__name__}, "
                                 f"got {type(other).__name__}")
            self._merge(other)

    def _merge(self, other) -> None:
        self.total += other.total
        self.count += other.count

    def reset_states(self) -> None:
        """TensorFlow 2's older name of :meth:`reset_state`."""
        self.reset_state()

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"           # Keras 3's: <Accuracy name=accuracy>


class Mean(Metric):
    """The running (weighted) mean of the values given: ``train_loss = Mean(); train_loss(loss)``
    each step, ``train_loss.result()`` at the epoch's end, as custom training loops keep it.
    A batch of values counts its samples (its first axis); a single number counts one."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, values, sample_weight=None) -> None:
        self._add(_array(values, "values"), sample_weight)

    def __call__(self, values, sample_weight=None):
        self.update_state(values, sample_weight)
        return self.result()


class BinaryAccuracy(Metric):
    """Share of ``(p > threshold) == y`` (strictly greater, threshold 0.5), entry by entry."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        self.threshold = threshold
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        y_true, y_pred = same_rank(y_true, y_pred)
        return ((y_pred > self.threshold) == y_true).astype(np.float64)

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
    """Share of exact matches ``y_pred == y_true``, entry by entry (the custom training
    walkthrough's ``Accuracy()(predicted_ids, labels)``: each sample counts once)."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        y_true, y_pred = same_rank(y_true, y_pred)
        return (y_true == y_pred).astype(np.float64)


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
        y_true, y_pred = same_rank(y_true, y_pred)
        d = y_pred - y_true
        return d * d

    def _value(self) -> float:
        return float(np.sqrt(super()._value()))


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
        p = _array(y_pred, "y_pred").astype(np.float64)
        y = align(_array(y_true, "y_true"), p) != 0
        dtype = np.float64 if self._python_results else np.float32      # Keras's float32 counts, used directly
        if sample_weight is None:
            w = np.ones(p.shape, dtype)
        else:
            from .engine import checks as _checks        # deferred: the engine imports this module
            w = _checks.weight_values(_checks.to_array(sample_weight, "sample_weight").astype(np.float64),
                                      "sample_weight").astype(dtype)
            if w.shape != p.shape:
                if w.ndim == 0 or w.shape[0] != len(p) or w.size != len(p):
                    raise ValueError(f"{self.name}: sample_weight needs one weight per sample ({len(p)}) or per "
                                     f"prediction {p.shape}, got shape {w.shape}")
                w = np.broadcast_to(w.reshape(len(p), *([1] * (p.ndim - 1))), p.shape)
        if self.class_id is not None:
            y, p, w = y[..., self.class_id], p[..., self.class_id], w[..., self.class_id]
        y, p, w = y.ravel(), p.ravel(), w.ravel()
        above = p[None, :] > self._cuts[:, None]
        self.tp = (self.tp + (above & y) @ w).astype(dtype)
        self.fp = (self.fp + (above & ~y) @ w).astype(dtype)
        self.fn = (self.fn + (~above & y) @ w).astype(dtype)
        self.tn = (self.tn + (~above & ~y) @ w).astype(dtype)

    def _merge(self, other) -> None:
        if not np.array_equal(other._cuts, self._cuts):
            raise ValueError(f"{self.name}: merge_state needs the same thresholds")
        for k in ("tp", "fp", "fn", "tn"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

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

    def _value(self):
        return self._ratio(self.tp, self.fp)


class Recall(_Confusion):
    """``tp / (tp + fn)``: of the positive samples, the share predicted positive (above 0.5)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="recall", dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def _value(self):
        return self._ratio(self.tp, self.fn)


class _Count(_Confusion):
    """One of the four weighted counts at each threshold (a prediction above it counts as
    positive), as a metric: ``TruePositives()`` and its three siblings, as TensorFlow's
    "Classification on imbalanced data" tutorial compiles them."""

    _part = "tp"

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds, None, None, name, dtype)

    def _value(self):
        counts = getattr(self, self._part)
        return float(counts[0]) if self._one else counts.tolist()

    def get_config(self):
        return {"name": self.name, "thresholds": self.thresholds}


class TruePositives(_Count):
    """Weighted count of positive labels predicted positive (above the threshold, 0.5)."""

    _part = "tp"


class FalsePositives(_Count):
    """Weighted count of negative labels predicted positive."""

    _part = "fp"


class TrueNegatives(_Count):
    """Weighted count of negative labels predicted negative."""

    _part = "tn"


class FalseNegatives(_Count):
    """Weighted count of positive labels predicted negative."""

    _part = "fn"


class Sum(Metric):
    """The running (weighted) sum of the values given (``keras.metrics.Sum``)."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, values, sample_weight=None) -> None:
        dtype = np.float64 if self._python_results else np.float32
        values = _array(values, "values").astype(dtype)
        if sample_weight is not None:
            from .engine import checks as _checks        # deferred: the engine imports this module
            w = _checks.weight_values(_checks.to_array(sample_weight, "sample_weight").astype(np.float64),
                                      "sample_weight").astype(dtype)
            values, w = same_rank(values, w)
            w = w.reshape(w.shape + (1,) * max(values.ndim - w.ndim, 0))      # one weight per sample
            try:
                values = values * np.broadcast_to(w, values.shape)
            except ValueError:
                raise ValueError(f"{self.name}: sample_weight has shape {np.shape(sample_weight)}, which does "
                                 f"not line up with the values of shape {values.shape}") from None
        self.total = dtype(self.total) + np.sum(values)

    def __call__(self, values, sample_weight=None):
        self.update_state(values, sample_weight)
        return self.result()

    def _value(self):
        return float(self.total)


class SparseTopKCategoricalAccuracy(Metric):
    """Share of samples whose label is among the ``k`` highest predictions (ties at the
    boundary count as in, as TensorFlow's ``in_top_k``: fewer than ``k`` scores above it)."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"{type(self).__name__}: k must be a positive integer, got {k!r}")
        self.k = int(k)
        super().__init__(name, dtype)

    def _labels(self, y_true, y_pred):
        y = np.asarray(y_true)
        if y.ndim == y_pred.ndim and y.shape[-1] == 1:
            y = y.reshape(y.shape[:-1])
        return y.astype(np.int64)

    def values(self, y_true, y_pred):
        y = self._labels(y_true, y_pred)
        target = np.take_along_axis(y_pred, y[..., None], axis=-1)
        return (np.sum(y_pred > target, axis=-1) < self.k).astype(np.float64)

    def get_config(self):
        return {"name": self.name, "k": self.k}


class TopKCategoricalAccuracy(SparseTopKCategoricalAccuracy):
    """Share of samples whose one-hot label's class is among the ``k`` highest predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(k, name, dtype)

    def _labels(self, y_true, y_pred):
        return np.argmax(y_true, axis=-1)


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
        p = _array(y_pred, "y_pred").astype(np.float64)
        if self.from_logits:
            p = 1.0 / (1.0 + np.exp(-p))
        super().update_state(y_true, p, sample_weight)

    def _value(self):
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
                                    RootMeanSquaredError, MeanAbsolutePercentageError, Precision, Recall,
                                    TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Sum,
                                    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy]}
BY_NAME = {
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "root_mean_squared_error": RootMeanSquaredError, "precision": Precision, "recall": Recall, "auc": AUC,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
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
    Keras's metric functions (``keras.metrics.binary_accuracy``) stand for their classes.
    This is how ``compile`` resolves its metrics, so the metric returned gives Python numbers
    from ``result()``: the training loop's logs hold those (Keras's ``History`` holds floats)."""
    metric = _resolve(identifier, y_true, y_pred)
    if isinstance(metric, Metric):
        metric._python_results = True
    return metric


def _resolve(identifier, y_true, y_pred):
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
