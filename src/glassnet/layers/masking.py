"""``Masking(mask_value=0.0)``: marks as padding every step whose features all equal
``mask_value`` (Keras's ``keras.layers.Masking``), for sequences of numbers rather than ids::

    forward:   keep_t = any over the features of (x_t != mask_value)     (batch, steps, 1)
               y_t = x_t * keep_t                     (a padded step is zeros)
    backward:  dx_t = dy_t * keep_t

The mask ``keep`` goes on to the layers after it, as ``Embedding(mask_zero=True)``'s does
(see ``Layer.compute_mask``): the RNNs carry their state over padded steps.

>>> import numpy as np, glassnet
>>> layer = glassnet.layers.Masking(mask_value=0.0)
>>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
>>> layer.compute_mask(x).tolist()
[[True, False, True]]
"""
from __future__ import annotations

import numpy as np

from .base import Layer


class Masking(Layer):
    """Steps equal to ``mask_value`` in every feature are padding (see the module)."""

    supports_masking = makes_mask = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        try:
            self.mask_value = float(mask_value)
        except (TypeError, ValueError):
            raise ValueError(f"Masking: mask_value must be a number, got {mask_value!r}") from None

    def compute_mask(self, inputs, mask=None):
        return np.any(np.asarray(inputs) != self.mask_value, axis=-1)

    def forward(self, x, training=False):
        self.keep = np.any(x != self.mask_value, axis=-1, keepdims=True)
        return x * self.keep                                   # y_t = x_t keep_t

    def backward(self, grad, need_input_grad=True):
        return grad * self.keep if need_input_grad else None    # dx_t = dy_t keep_t

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
