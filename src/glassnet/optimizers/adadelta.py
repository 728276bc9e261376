"""``Adadelta``: a step sized by the running RMS of past steps (Zeiler 2012), Keras 3's rule."""
from __future__ import annotations

import numpy as np

from .base import Optimizer


class Adadelta(Optimizer):
    """Per weight two running means, of ``g^2`` (``a``) and of the squared steps (``d``)::

        a = rho a + (1 - rho) g^2
        step = -sqrt(d + eps) g / sqrt(a + eps)       (the units of w, whatever lr is)
        d = rho d + (1 - rho) step^2
        w += lr step

    Keras 3 keeps a learning rate (1.0 is the paper's rule). Defaults lr=0.001, rho=0.95,
    eps=1e-7 (Keras 3).

    >>> import numpy as np
    >>> w = np.array([1.0]); slots = {"accumulated_grad": np.zeros(1), "accumulated_delta_var": np.zeros(1)}
    >>> Adadelta(learning_rate=1.0).update_step(w, np.array([0.5]), 1.0, slots); w.round(6)
    array([0.998586])
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name="adadelta", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        if not 0 <= rho <= 1:
            raise ValueError(f"Adadelta: rho must be in [0, 1], got {rho}")
        if not epsilon > 0:
            raise ValueError(f"Adadelta: epsilon must be > 0, got {epsilon}")
        self.rho, self.epsilon = float(rho), float(epsilon)

    def slot_names(self):
        return ["accumulated_grad", "accumulated_delta_var"]

    def own_slots_in_file_order(self):
        return self._per_weight(["accumulated_grad", "accumulated_delta_var"])   # made together, as Keras

    def update_step(self, param, grad, lr, slots):
        rho, eps = self.rho, self.epsilon
        a, d = slots["accumulated_grad"], slots["accumulated_delta_var"]
        a[...] = rho * a + (1 - rho) * (grad * grad)                # running mean of g^2
        step = -(np.sqrt(d + eps) * grad / np.sqrt(a + eps))        # RMS(steps) / RMS(g) * g
        d[...] = rho * d + (1 - rho) * (step * step)                # running mean of step^2
        param += lr * step

    def update_rule(self):
        return [f"Adadelta(learning_rate={self.learning_rate:g}, rho={self.rho:g}, epsilon={self.epsilon:g})",
                f"a <- {self.rho:g} a + {1 - self.rho:g} g^2",
                "step = -sqrt(d + epsilon) * g / sqrt(a + epsilon)",
                f"d <- {self.rho:g} d + {1 - self.rho:g} step^2",
                "w <- w + lr * step"]

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
