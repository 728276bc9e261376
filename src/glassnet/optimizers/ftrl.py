"""``Ftrl``: Follow The Regularized Leader (McMahan et al. 2013), Keras 3's rule and state."""
from __future__ import annotations

import numpy as np

from .base import Optimizer, keras_cast


class Ftrl(Optimizer):
    """Per weight an accumulator ``n`` (starts at ``initial_accumulator_value``) and a linear
    term ``z`` (starts at 0); ``p = -learning_rate_power`` (0.5 by default)::

        l2' = l2 + beta / (2 lr);   g' = g + 2 l2_shrinkage w;   n' = n + g^2
        z += g' - (n'^p - n^p) / lr * w
        w  = (clip(z, -l1, l1) - z) / (n'^p / lr + 2 l2');   n = n'

    so a weight whose ``|z|`` stays under ``l1`` is exactly 0. Defaults lr=0.001,
    learning_rate_power=-0.5, initial_accumulator_value=0.1, the strengths 0, beta=0.

    >>> import numpy as np
    >>> w = np.array([1.0]); slots = {"accumulator": np.array([0.1]), "linear": np.zeros(1)}
    >>> Ftrl(learning_rate=0.1).update_step(w, np.array([0.5]), 0.1, slots); w.round(6)
    array([0.380962])
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name="ftrl", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError("`initial_accumulator_value` needs to be positive or zero. Received: "
                             f"initial_accumulator_value={initial_accumulator_value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        for arg, value in (("l1_regularization_strength", l1_regularization_strength),
                           ("l2_regularization_strength", l2_regularization_strength),
                           ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"`{arg}` needs to be positive or zero. Received: {arg}={value}.")
        self.learning_rate_power = float(learning_rate_power)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.l1_regularization_strength = float(l1_regularization_strength)
        self.l2_regularization_strength = float(l2_regularization_strength)
        self.l2_shrinkage_regularization_strength = float(l2_shrinkage_regularization_strength)
        self.beta = float(beta)

    def slot_names(self):
        return ["accumulator", "linear"]

    def build(self, variables) -> None:
        super().build(variables)
        for n in self.slots["accumulator"]:     # Keras's Constant initializer: through float32 (ops.cast)
            n[...] = keras_cast(self.initial_accumulator_value, n.dtype)

    def own_slots_in_file_order(self):
        return self._per_weight(["accumulator", "linear"])     # made together per weight, as Keras

    def update_step(self, param, grad, lr, slots):
        f = param.dtype.type
        n, z = slots["accumulator"], slots["linear"]
        lr, power = f(lr), f(-self.learning_rate_power)
        l1 = f(self.l1_regularization_strength)
        l2 = f(self.l2_regularization_strength) + f(self.beta) / (f(2) * lr)
        grad_to_use = grad + f(2 * self.l2_shrinkage_regularization_strength) * param
        new_n = n + grad * grad
        z += grad_to_use - (new_n ** power - n ** power) / lr * param
        quadratic = new_n ** power / lr + f(2) * l2
        param[...] = (np.clip(z, -l1, l1) - z) / quadratic
        n[...] = new_n

    def update_rule(self):
        return [f"Ftrl(learning_rate={self.learning_rate:g}, learning_rate_power={self.learning_rate_power:g}, "
                f"l1={self.l1_regularization_strength:g}, l2={self.l2_regularization_strength:g})",
                "n' = n + g^2;  z <- z + g' - (n'^p - n^p) / lr * w",
                "w <- (clip(z, -l1, l1) - z) / (n'^p / lr + 2 l2');  n <- n'"]

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
