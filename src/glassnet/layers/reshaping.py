"""Reshape, RepeatVector, Permute, Identity: the same numbers in another shape or order, sample by
sample (``Flatten`` is in ``core``). Reshape::

    forward:   Y = X.reshape(N, *target_shape)        backward:  dX = dY.reshape(X.shape)

>>> import numpy as np, glassnet
>>> glassnet.layers.Reshape((8, 8, 1))(np.zeros((5, 64))).shape
TensorShape([5, 8, 8, 1])
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
    TensorShape([3, 3, 2])
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

    def call_ops(self, x, training=False):
        """The same reshape, recorded (nested tapes)."""
        from ..tf import vjps  # noqa: PLC0415
        return vjps.reshape(x, (x.shape[0],) + self.compute_output_shape((None,) + tuple(x.shape[1:]))[1:])

    def to_onnx(self, g, x):
        # 0 keeps the (dynamic) batch dimension as it is
        return g.node("Reshape", [x, g.initializer("shape", np.array((0,) + self.target_shape, np.int64))])

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class RepeatVector(Layer):
    """Repeats each sample's vector ``n`` times: ``(N, features)`` -> ``(N, n, features)`` (a
    seq2seq encoder's summary handed to every step of the decoder)::

        forward:   Y[:, t, :] = X  for t < n           backward:  dX = sum over t of dY[:, t, :]

    >>> import numpy as np, glassnet
    >>> glassnet.layers.RepeatVector(3)(np.array([[1., 2.]])).tolist()
    [[[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]]
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
            raise ValueError(f"RepeatVector: n must be a positive integer, got {n!r}")
        self.n = int(n)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"RepeatVector {self.name!r} takes inputs of 2 dimensions (samples, features), "
                             f"got shape {tuple(input_shape)}")
        return (input_shape[0], self.n, input_shape[1])

    def count_params_for(self, input_shape) -> int:
        return 0

    def forward(self, x, training=False):
        self.compute_output_shape((None,) + x.shape[1:])
        return np.repeat(x[:, None, :], self.n, axis=1)

    def backward(self, grad, need_input_grad=True):
        return grad.sum(axis=1) if need_input_grad else None

    def to_onnx(self, g, x):
        y = g.node("Unsqueeze", [x, g.initializer("axes", np.array([1], np.int64))])
        return g.node("Tile", [y, g.initializer("repeats", np.array([1, self.n, 1], np.int64))])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class Permute(Layer):
    """Reorders the axes of each sample: ``dims`` is a permutation of ``1 .. rank`` (the batch
    axis stays first), as Keras::

        forward:   Y = X.transpose(0, *dims)           backward:  dX = dY.transpose(the inverse permutation)

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Permute((2, 1))(np.zeros((4, 10, 64))).shape
    TensorShape([4, 64, 10])
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        try:
            dims = tuple(dims)
        except TypeError:
            dims = None
        if not dims or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dims) \
                or sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1, ..., {len(dims) if dims else 'rank'} "
                             f"(the axes of a sample, counted from 1), got {dims!r}")
        self.dims = tuple(int(d) for d in dims)
        self._inverse = (0,) + tuple(int(i) + 1 for i in np.argsort(self.dims))

    def compute_output_shape(self, input_shape):
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(f"Permute {self.name!r}: dims={self.dims} needs samples of {len(self.dims)} axes, got "
                             f"inputs of shape {tuple(input_shape)}")
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def count_params_for(self, input_shape) -> int:
        return 0

    def forward(self, x, training=False):
        self.compute_output_shape((None,) + x.shape[1:])
        return np.ascontiguousarray(x.transpose((0,) + self.dims))

    def backward(self, grad, need_input_grad=True):
        return np.ascontiguousarray(grad.transpose(self._inverse)) if need_input_grad else None

    def to_onnx(self, g, x):
        return g.node("Transpose", [x], perm=[0] + list(self.dims))

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}


class Identity(Layer):
    """Returns its input unchanged (a placeholder, as Keras's): ``Y = X``, ``dX = dY``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Identity()(np.ones((2, 3))).shape
    TensorShape([2, 3])
    """

    supports_masking = True

    def count_params_for(self, input_shape) -> int:
        return 0

    def forward(self, x, training=False):
        return x

    def backward(self, grad, need_input_grad=True):
        return grad if need_input_grad else None

    def to_onnx(self, g, x):
        return g.node("Identity", [x])
