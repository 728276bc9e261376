"""Reshape: the same numbers in another shape, sample by sample (``Flatten`` is in ``core``)::

    forward:   Y = X.reshape(N, *target_shape)        backward:  dX = dY.reshape(X.shape)

>>> import numpy as np, glassnet
>>> glassnet.layers.Reshape((8, 8, 1))(np.zeros((5, 64))).shape
(5, 8, 8, 1)
"""
from __future__ import annotations

import math

import numpy as np

from .base import Layer


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (without the batch dimension); one entry may
    be ``-1``, worked out from the others, as Keras.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Reshape((-1, 2))(np.zeros((3, 6))).shape
    (3, 3, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            shape = tuple(target_shape)
        except TypeError:
            shape = None
        if shape is None or not shape or not all(
                isinstance(d, (int, np.integer)) and not isinstance(d, bool) and (d > 0 or d == -1) for d in shape):
            raise ValueError(f"Reshape: target_shape must be a tuple of positive integers (one may be -1), "
                             f"got {target_shape!r}")
        if sum(d == -1 for d in shape) > 1:
            raise ValueError(f"Reshape: at most one entry of target_shape may be -1, got {target_shape!r}")
        self.target_shape = tuple(int(d) for d in shape)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
        size = math.prod(rest)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if size % known:
                raise ValueError(f"Reshape {self.name!r}: cannot reshape samples of shape {tuple(rest)} ({size} "
                                 f"numbers) to {self.target_shape}: {size} is not a multiple of {known}")
            return (input_shape[0],) + tuple(size // known if d == -1 else d for d in self.target_shape)
        if size != known:
            raise ValueError(f"Reshape {self.name!r}: cannot reshape samples of shape {tuple(rest)} ({size} "
                             f"numbers) to {self.target_shape} ({known} numbers)")
        return (input_shape[0],) + self.target_shape

    def count_params_for(self, input_shape) -> int:
        return 0

    def forward(self, x, training=False):
        self.x_shape = x.shape
        return x.reshape((x.shape[0],) + self.compute_output_shape((None,) + x.shape[1:])[1:])

    def backward(self, grad, need_input_grad=True):
        return grad.reshape(self.x_shape) if need_input_grad else None

    def to_onnx(self, g, x):
        # 0 keeps the (dynamic) batch dimension as it is
        return g.node("Reshape", [x, g.initializer("shape", np.array((0,) + self.target_shape, np.int64))])

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}
