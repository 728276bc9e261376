"""``Adafactor``: Adam's second moment kept as row and column means (Shazeer & Stern 2018),
Keras 3's rule and state."""
from __future__ import annotations

import numpy as np

from .base import Optimizer, keras_cast


def _rms(x):
    return np.sqrt(np.mean(np.square(x)))


class Adafactor(Optimizer):
    """For a weight of two or more dimensions, the running mean of ``g^2 + eps1`` is kept
    factored: ``r`` over its last axis, ``c`` over the one before (a matrix's n + m numbers
    instead of n m); a vector keeps it whole (``v``). With ``t = step + 1``::

        rho = min(lr, 1 / sqrt(t));   alpha = max(eps2, RMS(w)) rho     (the step is relative to w)
        b = 1 - t^beta_2_decay;       s = g^2 + eps1
        r = b r + (1 - b) mean(s, -1);   c = b c + (1 - b) mean(s, -2)
        v = (r / mean(r)) c            (outer product; for a vector: v = b v + (1 - b) s)
        u = g / sqrt(v);   u = u / max(1, RMS(u) / clip_threshold)
        w -= alpha u

    With ``relative_step`` (and a number as learning rate), lr is first ``min(lr, 1 / sqrt(t))``.
    Defaults lr=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
    relative_step=True (Keras 3).

    >>> import numpy as np
    >>> w = np.array([1.0, -2.0]); slots = {"r": np.zeros(()), "c": np.zeros(()), "velocity": np.zeros(2)}
    >>> Adafactor().update_step(w, np.array([0.5, 0.1]), 0.001, slots); w.round(6)
    array([ 0.998419, -2.001581])
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adafactor", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        for arg, value in (("epsilon_1", epsilon_1), ("epsilon_2", epsilon_2), ("clip_threshold", clip_threshold)):
            if not value > 0:
                raise ValueError(f"Adafactor: {arg} must be > 0, got {value}")
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = float(beta_2_decay), float(epsilon_1), float(epsilon_2)
        self.clip_threshold, self.relative_step = float(clip_threshold), bool(relative_step)

    def slot_names(self):
        return ["r", "c", "velocity"]

    def build(self, variables) -> None:
        """``r`` (the shape without the last axis) and ``c`` (without the one before) for a weight
        of two or more dimensions; for a vector, Keras's placeholders: two int32 zeros."""
        super().build(variables)
        for i, v in enumerate(self.variables_to_update):
            shape, dtype = v.value.shape, v.value.dtype
            if len(shape) < 2:
                self.slots["r"][i], self.slots["c"][i] = np.zeros((), np.int32), np.zeros((), np.int32)
            else:
                self.slots["r"][i] = np.zeros(shape[:-1], dtype)
                self.slots["c"][i] = np.zeros(shape[:-2] + shape[-1:], dtype)

    def own_slots_in_file_order(self):
        return self._per_weight(["r", "c", "velocity"])     # each weight's three in turn, as Keras

    def update_step(self, param, grad, lr, slots):
        f = param.dtype.type
        t = f(self.iterations + 1)
        lr = f(lr)
        if self.relative_step and not self.has_schedule:
            lr = np.minimum(lr, f(1) / np.sqrt(t))
        rho = np.minimum(lr, f(1) / np.sqrt(t))
        alpha = np.maximum(keras_cast(self.epsilon_2, f), _rms(param)) * rho   # a step relative to w's size
        squares = grad * grad + f(self.epsilon_1)
        b = f(1) - t ** f(self.beta_2_decay)                                    # 1 - t^decay: grows to 1
        r, c, v = slots["r"], slots["c"], slots["velocity"]
        if param.ndim >= 2:                                                     # factored: row and column means
            r[...] = b * r + (f(1) - b) * np.mean(squares, axis=-1)
            c[...] = b * c + (f(1) - b) * np.mean(squares, axis=-2)
            v[...] = np.expand_dims(r / np.mean(r, axis=-1, keepdims=True), -1) * np.expand_dims(c, -2)
        else:
            v[...] = b * v + (f(1) - b) * squares
        u = grad / np.sqrt(v)
        u = u / np.maximum(f(1), _rms(u) / f(self.clip_threshold))            # RMS(u) at most clip_threshold
        param -= alpha * u

    def update_rule(self):
        return [f"Adafactor(learning_rate={self.learning_rate:g}, beta_2_decay={self.beta_2_decay:g}, "
                f"clip_threshold={self.clip_threshold:g})",
                "rho = min(lr, 1/sqrt(t));  alpha = max(epsilon_2, RMS(w)) * rho;  b = 1 - t^beta_2_decay",
                "r <- b r + (1 - b) mean(g^2 + eps1, -1);  c <- b c + (1 - b) mean(g^2 + eps1, -2)",
                "v = (r / mean(r)) c;  u = g / sqrt(v);  u <- u / max(1, RMS(u) / clip_threshold)",
                "w <- w - alpha * u"]

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step}
