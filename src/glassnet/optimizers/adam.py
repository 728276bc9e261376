"""``Adam and AdamW``: the rule in ``update_step``, its text in ``update_rule``."""
from __future__ import annotations

import numpy as np

from .base import Optimizer, keras_cast


class Adam(Optimizer):
    """``m += (g - m)(1 - b1)``, ``v += (g^2 - v)(1 - b2)``,
    ``w -= m alpha / (sqrt(v) + eps)`` with ``alpha = lr sqrt(1 - b2^t) / (1 - b1^t)``,
    ``t = step + 1``. ``amsgrad`` uses the running maximum of ``v``. Defaults lr=0.001,
    0.9, 0.999, eps=1e-7."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adam", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        self._check_betas(beta_1, beta_2)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = float(beta_1), float(beta_2), float(epsilon), bool(amsgrad)

    def slot_names(self):
        return ["momentum", "velocity"] + (["velocity_hat"] if self.amsgrad else [])

    def own_slots_in_file_order(self):
        # Keras makes the momentum and the velocity of each weight together, then the maxima
        return self._per_weight(["momentum", "velocity"]) + self.slots.get("velocity_hat", [])

    def alpha(self, lr, dtype):
        """``lr sqrt(1 - b2^t) / (1 - b1^t)`` for the coming step, in the weights' float type
        as Keras computes it: in float32, ``1 - 0.999**1`` is 0.00099998713; the betas as
        Keras's ``ops.cast`` gives them (:func:`keras_cast`: in float64, 0.9 is 0.8999999761581421)."""
        f, t = np.dtype(dtype).type, self.iterations + 1
        b1, b2 = keras_cast(self.beta_1, dtype), keras_cast(self.beta_2, dtype)
        return f(lr) * np.sqrt(f(1) - b2 ** f(t)) / (f(1) - b1 ** f(t))

    def update_step(self, param, grad, lr, slots):
        m, v = slots["momentum"], slots["velocity"]
        m += (grad - m) * (1 - self.beta_1)             # running mean of g
        v += (grad * grad - v) * (1 - self.beta_2)      # running mean of g^2
        if self.amsgrad:
            vhat = slots["velocity_hat"]
            vhat[...] = np.maximum(vhat, v)
            v = vhat
        param -= m * self.alpha(lr, param.dtype) / (np.sqrt(v) + self.epsilon)

    def update_rule(self):
        lr, t = self.learning_rate, self.iterations + 1
        alpha = lr * (1 - self.beta_2 ** t) ** 0.5 / (1 - self.beta_1 ** t)
        lines = [f"{type(self).__name__}(learning_rate={lr:g}, beta_1={self.beta_1:g}, beta_2={self.beta_2:g}, "
                 f"epsilon={self.epsilon:g}), step t = {t}",
                 f"m <- m + (g - m) * {1 - self.beta_1:g}          (running mean of g)",
                 f"v <- v + (g^2 - v) * {1 - self.beta_2:g}        (running mean of g^2)",
                 f"alpha = {lr:g} * sqrt(1 - {self.beta_2:g}^{t}) / (1 - {self.beta_1:g}^{t}) = {alpha:.4g}",
                 "w <- w - alpha * m / (sqrt(v) + epsilon)"]
        if self.amsgrad:
            lines.insert(3, "v <- max(v_max, v)   (amsgrad)")
        return lines

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay ``w -= w * wd * lr`` before each step (default 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adamw", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a number; use Adam for none")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, name, **kwargs)
