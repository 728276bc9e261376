"""``FBetaScore`` and ``F1Score`` (Keras 3): precision and recall per class from counts kept
over the batches, combined as ``(1 + b^2) P R / (b^2 P + R)``."""
from __future__ import annotations

import numpy as np

from .base import Metric, _array

EPSILON = np.float32(1e-7)          # Keras's backend.epsilon()


class FBetaScore(Metric):
    """The F-beta score of multi-label (or one-hot) predictions of shape ``(batch, classes)``.

    A prediction counts as positive above ``threshold``; with ``threshold=None`` the largest
    of each row counts (ties included, zeros excluded), as Keras. Per class (or summed over
    every entry for ``average="micro"``) the metric keeps true positives ``tp``, false
    positives ``fp``, false negatives ``fn`` and the weight of the labels, each weighted by
    ``sample_weight`` (one per sample); then ``P = tp / (tp + fp + eps)``,
    ``R = tp / (tp + fn + eps)``, ``F = (1 + b^2) P R / (b^2 P + R + eps)``.
    ``average``: None gives one score per class; ``"micro"`` the score of the pooled counts;
    ``"macro"`` the mean of the per-class scores; ``"weighted"`` their mean weighted by each
    class's label weight.

    >>> import numpy as np
    >>> m = FBetaScore(beta=2.0, average="micro")
    >>> m.update_state(np.array([[1, 0], [0, 1]]), np.array([[0.9, 0.1], [0.8, 0.2]]))
    >>> round(float(m.result()), 4)
    0.5
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python float. "
                                 f"Received: threshold={threshold} of type '{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                                 f"Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.true_positives = None          # made at the first batch, when the classes are known
        super().__init__(name, dtype)

    def reset_state(self) -> None:
        if getattr(self, "true_positives", None) is not None:
            for key in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
                setattr(self, key, np.zeros_like(getattr(self, key)))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        f = np.float32
        y_true, y_pred = _array(y_true, "y_true").astype(f), _array(y_pred, "y_pred").astype(f)
        if y_pred.ndim != 2 or y_true.ndim != 2:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}.")
        if self.true_positives is None:
            shape = () if self.average == "micro" else (y_pred.shape[-1],)
            self.true_positives, self.false_positives, self.false_negatives, self.intermediate_weights = (
                np.zeros(shape, f) for _ in range(4))
        if self.threshold is None:       # the largest of each row (not a zero) is the predicted class
            positive = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            positive = y_pred > self.threshold
        p = positive.astype(f)
        w = None if sample_weight is None else _array(sample_weight, "sample_weight").astype(f).reshape(-1, 1)
        axis = None if self.average == "micro" else 0

        def weighted_sum(values):
            return np.sum(values if w is None else values * w, axis=axis, dtype=f)
        self.true_positives = self.true_positives + weighted_sum(p * y_true)
        self.false_positives = self.false_positives + weighted_sum(p * (1 - y_true))
        self.false_negatives = self.false_negatives + weighted_sum((1 - p) * y_true)
        self.intermediate_weights = self.intermediate_weights + weighted_sum(y_true)

    def _scores(self):
        f, tp = np.float32, self.true_positives
        precision = tp / (tp + self.false_positives + EPSILON)
        recall = tp / (tp + self.false_negatives + EPSILON)
        b2 = f(self.beta ** 2)
        score = precision * recall / (b2 * precision + recall + EPSILON) * (f(1) + b2)
        if self.average == "weighted":
            weights = self.intermediate_weights / (np.sum(self.intermediate_weights) + EPSILON)
            return np.sum(score * weights, dtype=f)
        if self.average is not None:
            return np.mean(score, dtype=f)
        return score

    def _value(self):
        if self.true_positives is None:
            return 0.0
        score = self._scores()
        return float(score) if np.ndim(score) == 0 else score.tolist()

    def _merge(self, other) -> None:
        if other.true_positives is None:
            return
        if self.true_positives is None:
            self.true_positives, self.false_positives, self.false_negatives, self.intermediate_weights = (
                np.zeros_like(other.true_positives) for _ in range(4))
        for key in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
            setattr(self, key, getattr(self, key) + getattr(other, key))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """:class:`FBetaScore` with ``beta=1``: the harmonic mean ``2 P R / (P + R)``."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average, 1.0, threshold, name, dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
