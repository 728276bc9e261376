"""``R2Score`` (Keras 3): the coefficient of determination, from sums kept over the batches."""
from __future__ import annotations

import warnings

import numpy as np

from .base import Metric, _array, same_rank


class R2Score(Metric):
    """``R^2 = 1 - SS_res / SS_tot`` per output column, for inputs of shape ``(batch, outputs)``.

    Kept over the batches (weighted by ``sample_weight``): ``sum y``, ``sum y^2``,
    ``SS_res = sum (y - p)^2`` and the weight, so ``SS_tot = sum y^2 - (sum y)^2 / count``.
    ``class_aggregation``: ``"uniform_average"`` (the mean over columns), ``"variance_weighted_
    average"`` (weighted by each column's ``SS_tot``) or None (one score per column).
    ``num_regressors = p > 0`` gives the adjusted score ``1 - (1 - R^2)(n - 1) / (n - p - 1)``,
    ``n`` the number of entries seen (Keras counts every entry, not rows).

    >>> import numpy as np
    >>> m = R2Score()
    >>> m.update_state(np.array([[1.0], [2.0], [3.0]]), np.array([[1.0], [2.0], [2.0]]))
    >>> round(float(m.result()), 4)
    0.5
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.sum = None                     # made at the first batch, one entry per output column
        super().__init__(name, dtype)
        R2Score.reset_state(self)

    def reset_state(self) -> None:
        self.num_samples = np.float32(0)
        if getattr(self, "sum", None) is not None:
            for key in ("squared_sum", "sum", "total_mse", "count"):
                setattr(self, key, np.zeros_like(getattr(self, key)))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        f = np.float32
        y_true, y_pred = same_rank(_array(y_true, "y_true").astype(f), _array(y_pred, "y_pred").astype(f))
        if y_pred.ndim != 2 or y_true.ndim != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}.")
        if self.sum is None:
            self.squared_sum, self.sum, self.total_mse, self.count = (np.zeros(y_pred.shape[-1], f) for _ in range(4))
        w = f(1) if sample_weight is None else _array(sample_weight, "sample_weight").astype(f)
        if np.ndim(w) == 1:
            w = w[:, None]
        try:
            w = np.broadcast_to(w, y_true.shape)
        except ValueError:
            raise ValueError(f"{self.name}: sample_weight of shape {np.shape(sample_weight)} does not broadcast "
                             f"to y_true's shape {y_true.shape}") from None
        weighted = y_true * w
        self.sum = self.sum + weighted.sum(axis=0, dtype=f)
        self.squared_sum = self.squared_sum + (y_true * weighted).sum(axis=0, dtype=f)
        self.total_mse = self.total_mse + ((y_true - y_pred) ** 2 * w).sum(axis=0, dtype=f)
        self.count = self.count + w.sum(axis=0, dtype=f)
        self.num_samples = f(self.num_samples + y_true.size)

    def _scores(self):
        f = np.float32
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.sum / self.count
            total = self.squared_sum - self.sum * mean
            raw = f(1) - self.total_mse / total
        raw = np.where(np.isinf(raw), f(0), raw).astype(f)
        if self.class_aggregation == "uniform_average":
            r2 = np.mean(raw, dtype=f)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = f(np.sum(total * raw, dtype=f) / np.sum(total, dtype=f))
        else:
            r2 = raw
        p, n = self.num_regressors, self.num_samples
        if p != 0:
            if p > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 score. Falling back "
                              "to standard R2 score.", stacklevel=3)
            elif p == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                              stacklevel=3)
            else:
                r2 = f(1) - (f(1) - r2) * (f(n) - f(1)) / (f(n) - f(p) - f(1))
        return r2

    def _value(self):
        if self.sum is None:
            return 0.0
        r2 = self._scores()
        return float(r2) if np.ndim(r2) == 0 else r2.tolist()

    def _merge(self, other) -> None:
        if other.sum is None:
            return
        if self.sum is None:
            self.squared_sum, self.sum, self.total_mse, self.count = (np.zeros_like(other.sum) for _ in range(4))
        for key in ("squared_sum", "sum", "total_mse", "count", "num_samples"):
            setattr(self, key, getattr(self, key) + getattr(other, key))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
