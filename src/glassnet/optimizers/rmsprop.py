"""``RMSprop``: the rule in ``update_step``, its text in ``update_rule``."""
from __future__ import annotations

import numpy as np

from .base import Optimizer


class RMSprop(Optimizer):
    """``v = rho v + (1 - rho) g^2``; ``w -= lr g / sqrt(v + eps)`` (eps inside the root, as
    Keras). ``centered`` subtracts the squared mean gradient from ``v``; ``momentum`` keeps
    ``m = mu m + step; w -= m``. Defaults lr=0.001, rho=0.9, eps=1e-7."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="rmsprop", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        if not 0 <= rho < 1:
            raise ValueError(f"RMSprop: rho must be in [0, 1), got {rho}")
        self.rho, self.momentum, self.epsilon, self.centered = float(rho), float(momentum), float(epsilon), bool(centered)

    def slot_names(self):
        return ["velocity"] + (["momentum"] if self.momentum else []) + (["average_gradient"] if self.centered else [])

    def update_step(self, param, grad, lr, slots):
        rho, v = self.rho, slots["velocity"]
        v[...] = v * rho + grad * grad * (1 - rho)      # v = rho v + (1 - rho) g^2
        if self.centered:
            mg = slots["average_gradient"]
            mg[...] = mg * rho + grad * (1 - rho)       # mg = rho mg + (1 - rho) g
            denominator = v - mg * mg + self.epsilon
        else:
            denominator = v + self.epsilon
        step = grad * lr / np.sqrt(denominator)         # lr g / sqrt(v + eps)
        if self.momentum:
            m = slots["momentum"]
            m[...] = m * self.momentum + step           # m = mu m + step
            param -= m
        else:
            param -= step

    def update_rule(self):
        lr = self.learning_rate
        denom = "sqrt(v - mg^2 + epsilon)" if self.centered else "sqrt(v + epsilon)"
        lines = [f"RMSprop(learning_rate={lr:g}, rho={self.rho:g}, epsilon={self.epsilon:g})",
                 f"v <- {self.rho:g} * v + {1 - self.rho:g} * g^2          (running mean of g^2, per entry)"]
        if self.centered:
            lines.append(f"mg <- {self.rho:g} * mg + {1 - self.rho:g} * g            (centered: running mean of g)")
        if self.momentum:
            lines += [f"m <- {self.momentum:g} * m + {lr:g} * g / {denom}", "w <- w - m"]
        else:
            lines.append(f"w <- w - {lr:g} * g / {denom}")
        return lines

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
