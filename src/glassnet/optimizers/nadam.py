"""``Nadam``: Adam with Nesterov momentum (Dozat 2016), Keras 3's rule and state."""
from __future__ import annotations

import numpy as np

from .base import Optimizer, keras_cast


class Nadam(Optimizer):
    """Adam whose step looks one momentum step ahead, with Keras's momentum schedule
    ``u_t = b1 (1 - 0.5 * 0.96^t)``, ``t = step + 1``, and the running product
    ``U_t = u_1 ... u_t`` (one number for the whole optimizer, saved after the slots)::

        m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2)
        m_hat = u_{t+1} m / (1 - U_t u_{t+1}) + (1 - u_t) g / (1 - U_t)
        v_hat = v / (1 - b2^t)
        w -= lr m_hat / (sqrt(v_hat) + eps)

    Defaults lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7 (Keras 3).

    >>> import numpy as np, glassnet as tf
    >>> w = tf.Variable(np.array([1.0], np.float32)); opt = Nadam()
    >>> opt.apply_gradients([(np.array([0.5], np.float32), w)]); round(float(w.numpy()[0]), 5)
    0.99894
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="nadam", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        self._check_betas(beta_1, beta_2)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.u_product = np.array(1.0, np.float32)

    def slot_names(self):
        return ["momentum", "velocity"]

    def build(self, variables) -> None:
        super().build(variables)
        dtype = self.variables_to_update[0].value.dtype if self.variables_to_update else np.float32
        self.u_product = np.array(1.0, dtype)          # Keras's _u_product, in the weights' type

    def own_slots_in_file_order(self):
        # Keras makes momentum and velocity per weight, then the one product of the u_t
        return self._per_weight(["momentum", "velocity"]) + [self.u_product]

    def _u(self, step, f):
        """``u_step = b1 (1 - 0.5 * 0.96^step)`` in the weights' float type, b1 and 0.96 as
        Keras's ``ops.cast`` gives them in ``update_step`` (in float64, through float32)."""
        return keras_cast(self.beta_1, f) * (f(1) - f(0.5) * keras_cast(0.96, f) ** f(step))

    def update_weights(self, grads, variables, positions) -> None:
        """Once per update, before the weights: ``U_t = U_{t-1} u_t`` (Keras's order: the
        product times b1, then times ``1 - 0.5 * 0.96^t``, the numbers as written, not cast)."""
        f = self.u_product.dtype.type
        decay = f(1) - f(0.5) * f(0.96) ** f(self.iterations + 1)
        self.u_product[...] = self.u_product * f(self.beta_1) * decay
        super().update_weights(grads, variables, positions)

    def update_step(self, param, grad, lr, slots):
        f = param.dtype.type
        t = self.iterations + 1
        u_t, u_next = self._u(t, f), self._u(t + 1, f)
        product = f(self.u_product)
        b1, b2 = keras_cast(self.beta_1, f), keras_cast(self.beta_2, f)
        m, v = slots["momentum"], slots["velocity"]
        m += (grad - m) * (f(1) - b1)
        v += (grad * grad - v) * (f(1) - b2)
        m_hat = u_next * m / (f(1) - product * u_next) + (f(1) - u_t) * grad / (f(1) - product)
        v_hat = v / (f(1) - b2 ** f(t))
        param -= m_hat * f(lr) / (np.sqrt(v_hat) + f(self.epsilon))

    def update_rule(self):
        lr, t = self.learning_rate, self.iterations + 1
        return [f"Nadam(learning_rate={lr:g}, beta_1={self.beta_1:g}, beta_2={self.beta_2:g}), step t = {t}",
                f"u_t = {self.beta_1:g} * (1 - 0.5 * 0.96^t),  U_t = u_1 * ... * u_t",
                f"m <- m + (g - m) * {1 - self.beta_1:g};  v <- v + (g^2 - v) * {1 - self.beta_2:g}",
                "m_hat = u_(t+1) m / (1 - U_t u_(t+1)) + (1 - u_t) g / (1 - U_t);  v_hat = v / (1 - b2^t)",
                "w <- w - lr * m_hat / (sqrt(v_hat) + epsilon)"]

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
