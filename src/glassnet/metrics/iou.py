"""Intersection over union (Keras 3): ``IoU``, ``MeanIoU``, ``BinaryIoU``, ``OneHotIoU``,
``OneHotMeanIoU``, all read from one confusion matrix kept over the batches."""
from __future__ import annotations

import warnings

import numpy as np

from .base import Metric, _array

EPSILON = np.float32(1e-7)          # Keras's backend.epsilon()


class IoU(Metric):
    """``IoU_c = tp_c / (tp_c + fp_c + fn_c)`` per class ``c``, averaged over ``target_class_ids``.

    Each batch adds to a ``num_classes x num_classes`` confusion matrix (rows the labels,
    columns the predictions; every entry of a segmentation map counts), weighted by
    ``sample_weight``. Labels and predictions are class ids (``sparse_y_true/pred=True``) or
    scores whose argmax along ``axis`` is taken. Entries whose label is ``ignore_class``, or
    whose id falls outside ``[0, num_classes)``, count nothing. A target class never seen (no
    label, no prediction) is left out of the mean. The matrix is an integer count by default
    (Keras's ``dtype="int"``, so a float weight is truncated, with Keras's warning); the
    result is a float32.

    >>> import numpy as np
    >>> m = IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state([0, 1, 0], [0, 0, 0])          # class 0: 2 right of 3 = 0.6667
    >>> round(float(m.result()), 4)
    0.6667
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
            raise ValueError(f"{type(self).__name__}: num_classes must be a positive int, got {num_classes!r}")
        target_class_ids = list(target_class_ids)
        if not target_class_ids:
            raise ValueError(f"{type(self).__name__}: target_class_ids is empty")
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is [0, {num_classes}).")
        if min(target_class_ids) < 0:
            raise ValueError(f"Target class id {min(target_class_ids)} is out of range, which is [0, {num_classes}).")
        self.num_classes, self.target_class_ids = int(num_classes), target_class_ids
        self.ignore_class, self.sparse_y_true, self.sparse_y_pred, self.axis = ignore_class, sparse_y_true, sparse_y_pred, axis
        super().__init__(name, "int64" if dtype in (None, "int") else str(np.dtype(dtype)))
        IoU.reset_state(self)

    def reset_state(self) -> None:
        self.total_cm = np.zeros((self.num_classes, self.num_classes), np.dtype(self.dtype))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        kind = np.dtype(self.dtype)
        y_true, y_pred = _array(y_true, "y_true"), _array(y_pred, "y_pred")
        if not self.sparse_y_true:
            y_true = np.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = np.argmax(y_pred, axis=self.axis)
        y_true, y_pred = y_true.astype(kind).reshape(-1), y_pred.astype(kind).reshape(-1)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"{self.name}: y_true has {y_true.size} entries and y_pred {y_pred.size}; "
                             "they must match one for one")
        if sample_weight is None:
            w = np.ones(y_true.shape, kind)
        else:
            w = _array(sample_weight, "sample_weight")
            if w.dtype.kind == "f" and kind.kind in "iu":
                warnings.warn("You are passing weight as `float`, but dtype is `int`. This may result in an "
                              "incorrect weight due to type casting Consider using integer weights.", stacklevel=2)
            w = w.astype(kind)
            w = w.reshape(-1) if w.ndim > 1 else w
            try:
                w = np.broadcast_to(w, y_true.shape)
            except ValueError:
                raise ValueError(f"{self.name}: sample_weight of shape {np.shape(sample_weight)} does not line "
                                 f"up with the {y_true.size} entries of y_true") from None
        n = self.num_classes
        keep = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        if self.ignore_class is not None:
            keep &= y_true != self.ignore_class
        cm = np.zeros((n, n), kind)
        np.add.at(cm, (y_true[keep].astype(np.int64), y_pred[keep].astype(np.int64)), w[keep])
        self.total_cm = self.total_cm + cm

    def _value(self):
        f, cm = np.float32, self.total_cm
        predicted, labelled, tp = cm.sum(axis=0), cm.sum(axis=1), np.diag(cm)
        denominator = (predicted + labelled - tp)[self.target_class_ids].astype(f)
        tp = tp[self.target_class_ids].astype(f)
        valid = denominator > 1e-9                  # a class never seen is left out
        iou = np.where(valid, tp / (denominator + EPSILON), f(0))
        return float(np.sum(iou, dtype=f) / (f(np.sum(valid)) + EPSILON))

    def _merge(self, other) -> None:
        self.total_cm = self.total_cm + other.total_cm

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class MeanIoU(IoU):
    """:class:`IoU` averaged over every class ``0 .. num_classes - 1``."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)) if isinstance(num_classes, int) and num_classes > 0
                         else [0], name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis)

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class BinaryIoU(IoU):
    """:class:`IoU` of two classes, a prediction ``>= threshold`` being class 1 (0.5 by default)."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(2, target_class_ids, name, dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = _array(y_pred, "y_pred").astype(np.float32) >= self.threshold
        super().update_state(_array(y_true, "y_true").astype(np.dtype(self.dtype)), y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class OneHotIoU(IoU):
    """:class:`IoU` of one-hot labels and per-class scores (the argmax of each along ``axis``)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name, dtype, ignore_class, False, sparse_y_pred, axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """:class:`MeanIoU` of one-hot labels and per-class scores."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name, dtype, ignore_class, False, sparse_y_pred, axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config
