"""``SGD``: the rule in ``update_step``, its text in ``update_rule``."""
from __future__ import annotations
from .base import Optimizer, keras_cast


class SGD(Optimizer):
    """Gradient descent: ``w -= lr * g``. With momentum ``mu``: ``m = mu m - lr g; w += m``;
    nesterov: ``w += mu m - lr g`` with the new ``m``. Defaults lr=0.01, momentum=0."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="SGD", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"SGD: momentum must be in [0, 1], got {momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def slot_names(self):
        return ["momentum"] if self.momentum else []

    def update_step(self, param, grad, lr, slots):
        if not self.momentum:
            param -= grad * lr                          # w = w - alpha * dJ/dw
            return
        m, mu = slots["momentum"], keras_cast(self.momentum, param.dtype)   # (as Keras's ops.cast)
        m[...] = m * mu - grad * lr                     # m = mu m - lr g
        if self.nesterov:
            param += m * mu - grad * lr                 # w += mu m - lr g
        else:
            param += m                                  # w += m

    def update_rule(self):
        lr = self.learning_rate
        head = f"SGD(learning_rate={lr:g}, momentum={self.momentum:g}{', nesterov' if self.nesterov else ''})"
        if not self.momentum:
            return [head, f"w <- w - {lr:g} * g          (the seed's  w = w - alpha * dJ/dw)"]
        tail = [f"w <- w + {self.momentum:g} * m - {lr:g} * g"] if self.nesterov else ["w <- w + m"]
        return [head, f"m <- {self.momentum:g} * m - {lr:g} * g"] + tail

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
