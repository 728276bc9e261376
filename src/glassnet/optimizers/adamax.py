"""``Adamax``: the rule in ``update_step``, its text in ``update_rule``."""
from __future__ import annotations

import numpy as np

from .base import Optimizer, keras_cast


class Adamax(Optimizer):
    """Adam with the infinity norm: ``m += (g - m)(1 - b1)``, ``u = max(b2 u, |g|)``,
    ``w -= lr m / ((1 - b1^t)(u + eps))``, ``t = step + 1``. Defaults lr=0.001, 0.9, 0.999,
    eps=1e-7."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="adamax", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        self._check_betas(beta_1, beta_2)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def slot_names(self):
        return ["momentum", "norm"]

    def own_slots_in_file_order(self):
        return self._per_weight(["momentum", "norm"])   # made together per weight, as Keras does

    def update_step(self, param, grad, lr, slots):
        m, u = slots["momentum"], slots["norm"]
        f = param.dtype.type        # 1 - b1^t in the weights' type, b1 as Keras's ops.cast gives it
        correction = f(1) - keras_cast(self.beta_1, f) ** f(self.iterations + 1)
        m += (grad - m) * (1 - self.beta_1)
        u[...] = np.maximum(self.beta_2 * u, np.abs(grad))
        param -= (lr * m) / (correction * (u + self.epsilon))

    def update_rule(self):
        lr, t = self.learning_rate, self.iterations + 1
        return [f"Adamax(learning_rate={lr:g}, beta_1={self.beta_1:g}, beta_2={self.beta_2:g}), step t = {t}",
                f"m <- m + (g - m) * {1 - self.beta_1:g}",
                f"u <- max({self.beta_2:g} * u, |g|)",
                f"w <- w - {lr:g} * m / ((1 - {self.beta_1:g}^{t}) * (u + epsilon))"]

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
