"""Metrics: running averages over an epoch, reset at each epoch's start (``base.py``: Metric,
Mean, Sum; ``samplewise.py``: a value per sample; ``confusion.py``: counts at thresholds).

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

from ..losses import align
from ..registry import Family
from ..tf.tensor import wrap
from .base import Mean, Metric, Sum
from .confusion import (AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives,
                        TruePositives)
from .f_score import F1Score, FBetaScore
from .iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from .r2 import R2Score
from .samplewise import (Accuracy, BinaryAccuracy, BinaryCrossentropy, CategoricalAccuracy,
                         CategoricalCrossentropy, MeanAbsoluteError, MeanAbsolutePercentageError,
                         MeanSquaredError, RootMeanSquaredError, SparseCategoricalAccuracy,
                         SparseCategoricalCrossentropy, SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy,
                         MeanMetricWrapper, _LossMetric)


CLASSES = {c.__name__: c for c in [Mean, AUC, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                                    Accuracy, MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
                                    CategoricalCrossentropy, SparseCategoricalCrossentropy,
                                    RootMeanSquaredError, MeanAbsolutePercentageError, Precision, Recall,
                                    TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Sum,
                                    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, F1Score, FBetaScore,
                                    R2Score, IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU]}
BY_NAME = {
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "root_mean_squared_error": RootMeanSquaredError, "precision": Precision, "recall": Recall, "auc": AUC,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "f1_score": F1Score, "fbeta_score": FBetaScore, "r2_score": R2Score,
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
    from .. import losses
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
        from .. import losses
        from ..keras.legacy import note         # deferred: keras/ imports this package
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
        return found if found is not None else MeanMetricWrapper(identifier)     # a function of one's own
    if isinstance(identifier, str):
        key = identifier
        if key.lower() in ("accuracy", "acc"):
            if y_pred is None or y_pred.shape[-1] == 1:
                return BinaryAccuracy(name=key)
            if y_true is not None and (y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1):
                return SparseCategoricalAccuracy(name=key)
            return CategoricalAccuracy(name=key)
        if key.lower() in ("crossentropy", "ce"):     # Keras 2 (compile_utils): chosen as accuracy is
            from .. import losses
            from ..keras.legacy import note         # deferred: keras/ imports this package
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
            from .. import losses
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
