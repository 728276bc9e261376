"""Rescaling: every input times ``scale`` plus ``offset``, e.g. pixels 0..255 to 0..1 inside
the model, as TensorFlow's image tutorials write ``layers.Rescaling(1./255)``::

    forward:   Y = X * scale + offset          backward:  dX = dY * scale

No weights; ``scale`` and ``offset`` are numbers, or arrays that broadcast against one
sample (e.g. one per channel).

>>> import numpy as np, glassnet
>>> glassnet.layers.Rescaling(0.5, offset=-1.0)(np.array([[0.0, 2.0, 4.0]])).numpy().tolist()
[[-1.0, 0.0, 1.0]]
"""
from __future__ import annotations

import numpy as np

from .base import Layer


class Rescaling(Layer):
    """``Y = X * scale + offset`` (``Rescaling(1./127.5, offset=-1)`` maps 0..255 to -1..1)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("scale", scale), ("offset", offset)):
            array = np.asarray(value)
            if isinstance(value, bool) or array.dtype.kind not in "iuf" or not np.all(np.isfinite(array)):
                raise ValueError(f"Rescaling: {name} must be a finite number (or an array of them), got {value!r}")
        self.scale, self.offset = scale, offset

    def _factors(self, dtype):
        return np.asarray(self.scale, dtype), np.asarray(self.offset, dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def count_params_for(self, input_shape) -> int:
        return 0

    def forward(self, x, training=False):
        dtype = x.dtype if x.dtype.kind == "f" else np.float32     # uint8 pixels come out as floats
        scale, offset = self._factors(dtype)
        return x.astype(dtype, copy=False) * scale + offset

    def backward(self, grad, need_input_grad=True):
        return grad * self._factors(grad.dtype)[0] if need_input_grad else None

    def to_onnx(self, g, x):
        scale, offset = self._factors(g.dtype)
        return g.node("Add", [g.node("Mul", [x, g.initializer("scale", scale)]), g.initializer("offset", offset)])

    def get_config(self):
        def plain(v):
            return np.asarray(v).tolist() if isinstance(v, np.ndarray) else v
        return {**super().get_config(), "scale": plain(self.scale), "offset": plain(self.offset)}
