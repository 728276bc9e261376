"""``Adagrad``: the rule in ``update_step``, its text in ``update_rule``."""
from __future__ import annotations

import numpy as np

from .base import Optimizer, keras_cast


class Adagrad(Optimizer):
    """``a += g^2``, ``w -= lr g / sqrt(a + eps)``: each weight's step shrinks with the
    gradients it has seen. ``a`` starts at ``initial_accumulator_value`` (0.1). Defaults
    lr=0.001, eps=1e-7."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="adagrad", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        if not initial_accumulator_value >= 0:
            raise ValueError(f"Adagrad: initial_accumulator_value must be >= 0, got {initial_accumulator_value}")
        self.initial_accumulator_value, self.epsilon = float(initial_accumulator_value), float(epsilon)

    def slot_names(self):
        return ["accumulator"]

    def build(self, variables) -> None:
        super().build(variables)
        for a in self.slots["accumulator"]:     # Keras's Constant initializer: through float32 (ops.cast)
            a[...] = keras_cast(self.initial_accumulator_value, a.dtype)

    def update_step(self, param, grad, lr, slots):
        a = slots["accumulator"]
        a += grad * grad                                # sum of g^2 so far
        param -= (lr * grad) / np.sqrt(a + self.epsilon)

    def update_rule(self):
        lr = self.learning_rate
        return [f"Adagrad(learning_rate={lr:g}, epsilon={self.epsilon:g})",
                "a <- a + g^2                  (sum of squared gradients)",
                f"w <- w - {lr:g} * g / sqrt(a + epsilon)"]

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
