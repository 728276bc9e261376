"""Metrics counted from the confusion matrix at thresholds: precision, recall, the four
counts, the area under the ROC or precision-recall curve."""
from __future__ import annotations

import numpy as np

from ..losses import align
from .base import Metric, _array


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
        _Confusion.reset_state(self)

    def reset_state(self) -> None:
        self.tp, self.fp, self.fn, self.tn = (np.zeros(len(self._cuts)) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        p = _array(y_pred, "y_pred").astype(np.float64)
        y = align(_array(y_true, "y_true"), p) != 0
        dtype = self._sums_type()                  # Keras's float32 counts, used directly
        if sample_weight is None:
            w = np.ones(p.shape, dtype)
        else:
            from ..engine import checks as _checks       # deferred: the engine imports this package
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
