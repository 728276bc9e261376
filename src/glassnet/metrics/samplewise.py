"""Metrics that are the mean of one value per sample: accuracies, regression errors, the
cross-entropies (a loss as a metric)."""
from __future__ import annotations

import numpy as np

from ..losses import align
from .base import Metric, same_rank


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


class MeanMetricWrapper(Metric):
    """The running mean of ``fn(y_true, y_pred)``: what a function of one's own given to
    ``compile(metrics=[fn])`` becomes, named after it (Keras's ``MeanMetricWrapper``). ``fn``
    gets tensors; it may return a value per sample, or one number for the batch (the NMT
    tutorial's ``masked_acc``), which then counts once."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self._fn, self._fn_kwargs = fn, kwargs
        super().__init__(name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype)

    def values(self, y_true, y_pred):
        from ..tf.tensor import wrap  # noqa: PLC0415
        return np.asarray(self._fn(wrap(y_true), wrap(y_pred), **self._fn_kwargs), np.float64)


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
        from .. import losses
        self.from_logits, self.label_smoothing = from_logits, label_smoothing
        super().__init__(losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing), name)

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(_LossMetric):
    """The categorical cross-entropy's mean (one-hot labels), as a metric."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        from .. import losses
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        super().__init__(losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing,
                                                        axis=axis), name)

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis}


class SparseCategoricalCrossentropy(_LossMetric):
    """The sparse categorical cross-entropy's mean (integer labels), as a metric."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, axis=-1):
        from .. import losses
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
