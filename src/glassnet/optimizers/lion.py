"""``Lion``: the sign of an interpolated momentum (Chen et al. 2023), Keras 3's rule."""
from __future__ import annotations

import numpy as np

from .base import Optimizer, keras_cast


class Lion(Optimizer):
    """``w -= lr sign(b1 m + (1 - b1) g)``, then ``m = b2 m + (1 - b2) g``. Every weight
    moves by exactly ``lr`` (or stays), so Lion wants a smaller rate than Adam. Defaults
    lr=0.001, beta_1=0.9, beta_2=0.99 (Keras 3).

    >>> import numpy as np
    >>> w = np.array([1.0, 2.0]); slots = {"momentum": np.zeros(2)}
    >>> Lion().update_step(w, np.array([0.3, -0.2]), 0.001, slots); w
    array([0.999, 2.001])
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name="lion", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        if not 0 < beta_1 <= 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                             f"degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)

    def slot_names(self):
        return ["momentum"]

    def update_step(self, param, grad, lr, slots):
        f = param.dtype.type        # the betas as Keras's ops.cast gives them, 1 - b in the weights' type
        m, b1, b2 = slots["momentum"], keras_cast(self.beta_1, f), keras_cast(self.beta_2, f)
        param -= f(lr) * np.sign(m * b1 + grad * (f(1) - b1))     # w -= lr sign(b1 m + (1 - b1) g)
        m[...] = m * b2 + grad * (f(1) - b2)                      # m = b2 m + (1 - b2) g

    def update_rule(self):
        return [f"Lion(learning_rate={self.learning_rate:g}, beta_1={self.beta_1:g}, beta_2={self.beta_2:g})",
                f"w <- w - lr * sign({self.beta_1:g} m + {1 - self.beta_1:g} g)",
                f"m <- {self.beta_2:g} m + {1 - self.beta_2:g} g"]

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
