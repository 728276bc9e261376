"""Activation layers: ReLU, LeakyReLU, ELU, PReLU, Softmax; each ``forward`` with its
``backward`` right under it. The formulas are ``glassnet.activations``' (one implementation).

    ReLU:       a = x if threshold < x < max_value; max_value above; slope (x - threshold) below
    LeakyReLU:  a = x if x > 0 else slope x                 da/dx = 1 or slope
    ELU:        a = x if x > 0 else alpha (e^x - 1)         da/dx = 1 or a + alpha
    PReLU:      a = x if x > 0 else alpha x, alpha learned  dJ/dalpha = sum over the batch of dJ/da * min(x, 0)
    Softmax:    a = exp(x - max x) / sum exp(x - max x)     dx = a (g - sum(g a))

>>> import numpy as np, glassnet
>>> glassnet.layers.LeakyReLU(negative_slope=0.1)(np.array([[-2.0, 3.0]])).numpy()
array([[-0.2,  3. ]], dtype=float32)
>>> glassnet.layers.ReLU(max_value=6.0)(np.array([[-1.0, 8.0]])).numpy()
array([[0., 6.]], dtype=float32)
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations, initializers, regularizers
from . import activation_onnx
from .base import Layer


class _Elementwise(Layer):
    """An activation layer keeps each sample's shape: fit's check of ``x`` asks the next layer."""

    def needs_flat_samples(self):
        return None


def _number(value, layer, arg, allow_none=False) -> float | None:
    """Keras's rule for these layers: a number >= 0 (``None`` where allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value < 0:
        raise ValueError(f"{layer}: {arg} must be a number >= 0{' or None' if allow_none else ''}, got {value!r}")
    return float(value)


class ReLU(_Elementwise):
    """``ReLU(max_value=None, negative_slope=0.0, threshold=0.0)``: ``x`` above ``threshold``
    (capped at ``max_value``), ``negative_slope * (x - threshold)`` at or below it."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        self.max_value = _number(max_value, "ReLU", "max_value", allow_none=True)
        self.negative_slope = _number(negative_slope, "ReLU", "negative_slope")
        self.threshold = _number(threshold, "ReLU", "threshold")
        super().__init__(**kwargs)

    def forward(self, x, training=False):
        self.x = x
        return activations.relu(x, self.negative_slope, self.max_value, self.threshold)

    def call_ops(self, x, training=False):
        """The same, as recorded tf operations (nested tapes)."""
        from ..tf import vjps  # noqa: PLC0415 - the tape's table, loaded when first needed
        if not self.negative_slope and self.max_value is None and not self.threshold:
            return vjps.relu(x)
        dtype = np.asarray(x).dtype
        below = (x - self.threshold) * self.negative_slope if self.negative_slope else np.zeros(x.shape, dtype)
        out = vjps.where(np.asarray(x) > self.threshold, x, below)
        if self.max_value is not None:
            out = vjps.where(np.asarray(out) < self.max_value, out, np.full(x.shape, self.max_value, dtype))
        return out

    def backward(self, grad, need_input_grad=True):
        above = self.x > self.threshold
        if self.max_value is not None:
            slope = np.where(above, (self.x < self.max_value).astype(grad.dtype), self.negative_slope)
        else:
            slope = np.where(above, 1.0, self.negative_slope)
        return grad * slope.astype(grad.dtype)          # 1 between threshold and cap, 0 above, slope below

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}

    def to_onnx(self, g, x):
        if self.max_value is None and self.negative_slope == 0 and self.threshold == 0:
            return g.node("Relu", [x])
        t = g.constant(self.threshold, "threshold")
        below = g.node("Mul", [g.constant(self.negative_slope, "negative_slope"), g.node("Sub", [x, t])])
        out = g.node("Where", [g.node("Greater", [x, t]), x, below])
        if self.max_value is not None:
            out = g.node("Min", [out, g.constant(self.max_value, "max_value")])
        return out


class LeakyReLU(_Elementwise):
    """``LeakyReLU(negative_slope=0.3)``: ``x if x > 0 else negative_slope * x``. Keras 2's
    spelling ``alpha=`` is accepted for ``negative_slope``. (The function
    ``activations.leaky_relu`` defaults to 0.2; the layer, as Keras's, to 0.3.)"""

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        if alpha is not None:                  # Keras 2 / tf.keras spelling
            negative_slope = alpha
        self.negative_slope = _number(negative_slope, "LeakyReLU", "negative_slope")
        super().__init__(**kwargs)

    def forward(self, x, training=False):
        self.x, self.a = x, activations.leaky_relu(x, self.negative_slope)
        return self.a

    def call_ops(self, x, training=False):
        """The same as a recorded tf operation (nested tapes), whose gradient keeps x as an input,
        as TF's LeakyReluGrad does (``vjps.leaky_relu``)."""
        from ..tf import vjps  # noqa: PLC0415
        return vjps.leaky_relu(x, self.negative_slope)

    def backward(self, grad, need_input_grad=True):
        return activations.backward_of(activations.leaky_relu)(self.x, self.a, grad, self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}

    def to_onnx(self, g, x):               # Where, not LeakyRelu: ONNX Runtime's has no float64 kernel
        below = g.node("Mul", [x, g.constant(self.negative_slope, "negative_slope")])
        return g.node("Where", [g.node("Greater", [x, g.constant(0.0, "zero")]), x, below])


class ELU(_Elementwise):
    """``ELU(alpha=1.0)``: ``x if x > 0 else alpha * (exp(x) - 1)``."""

    def __init__(self, alpha=1.0, **kwargs):
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)):
            raise ValueError(f"ELU: alpha must be a number, got {alpha!r}")
        self.alpha = float(alpha)
        super().__init__(**kwargs)

    def forward(self, x, training=False):
        self.x, self.a = x, activations.elu(x, self.alpha)
        return self.a

    def call_ops(self, x, training=False):
        """``where(x > 0, x, alpha (e^min(x, 0) - 1))`` as recorded tf operations (nested tapes)."""
        from ..tf import vjps  # noqa: PLC0415
        return vjps.where(np.asarray(x) > 0, x, np.expm1(np.minimum(x, 0.0)) * self.alpha)

    def backward(self, grad, need_input_grad=True):
        return activations.backward_of(activations.elu)(self.x, self.a, grad, self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}

    def to_onnx(self, g, x):               # alpha (exp(min(x, 0)) - 1) below 0, as forward computes it
        return activation_onnx.elu(g, x, self.alpha)


class PReLU(_Elementwise):
    """``PReLU()``: ``x if x > 0 else alpha * x`` with ``alpha`` learned, one per input
    position (``shared_axes`` share one along those axes, e.g. ``[1, 2]`` for images).

    Gradients: ``dJ/dalpha = sum over the batch (and shared axes) of dJ/da * min(x, 0)``,
    ``dJ/dx = dJ/da * (1 if x > 0 else alpha)``.
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        if alpha_constraint is not None:
            raise ValueError(f"PReLU: alpha_constraint is not supported by glassnet yet (got {alpha_constraint!r})")
        if shared_axes is not None:
            shared_axes = [shared_axes] if isinstance(shared_axes, (int, np.integer)) else list(shared_axes)
            for i, axis in enumerate(shared_axes):
                if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or axis < 1:
                    raise ValueError(f"PReLU: shared_axes[{i}] must be an axis >= 1 (0 is the batch), got {axis!r}")
            shared_axes = [int(a) for a in shared_axes]
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.shared_axes = shared_axes

    def _alpha_shape(self, input_shape) -> tuple:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if axis >= len(input_shape):
                raise ValueError(f"PReLU {self.name!r}: shared axis {axis} is beyond the input's "
                                 f"{len(input_shape)} dimensions {tuple(input_shape)}")
            shape[axis - 1] = 1
        for i, d in enumerate(shape):
            if d is None:
                raise ValueError(f"PReLU {self.name!r}: input dimension {i + 1} must be known "
                                 "(or listed in shared_axes)")
        return tuple(shape)

    def build(self, input_shape):
        self.alpha = self.add_weight(self._alpha_shape(input_shape), self.alpha_initializer, "alpha",
                                     regularizer=self.alpha_regularizer)
        self.built = True

    def count_params_for(self, input_shape) -> int:
        return math.prod(self._alpha_shape(input_shape))

    def forward(self, x, training=False):
        self.x = x
        return np.where(x > 0, x, self.alpha.value * x)

    def backward(self, grad, need_input_grad=True):
        x, alpha = self.x, self.alpha.value
        g = grad * np.minimum(x, 0)                    # d(alpha x)/dalpha = x where x <= 0
        # sum over the batch axis and every axis alpha is shared along
        axes = (0,) + tuple(i for i in range(1, x.ndim) if alpha.shape[i - 1] == 1 and x.shape[i] != 1)
        self.alpha.grad = np.sum(g, axis=axes, keepdims=True).reshape(alpha.shape)
        if need_input_grad:
            return grad * np.where(x > 0, 1.0, alpha).astype(grad.dtype)
        return None

    def get_config(self):
        return {**super().get_config(), "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": None, "shared_axes": self.shared_axes}

    def to_onnx(self, g, x):
        below = g.node("Mul", [x, g.initializer("alpha", self.alpha.value)])
        return g.node("Where", [g.node("Greater", [x, g.constant(0.0, "zero")]), x, below])


class Softmax(_Elementwise):
    """``Softmax(axis=-1)``: ``exp(x - max x) / sum exp(x - max x)`` along ``axis``.

    Along the last axis it declares ``activation = softmax``, so with a cross-entropy loss
    training starts backward from ``dJ/dx = a - y`` (the declared shortcut, as Keras does
    when a model ends in softmax)."""

    def __init__(self, axis=-1, **kwargs):
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in axes):
            raise ValueError(f"Softmax: axis must be an integer or a list of integers, got {axis!r}")
        self.axis = [int(a) for a in axis] if isinstance(axis, (list, tuple)) else int(axis)
        super().__init__(**kwargs)
        if self.axis == -1:
            self.activation = activations.softmax

    def _axis(self):
        return tuple(self.axis) if isinstance(self.axis, list) else self.axis

    def forward(self, x, training=False):
        self.z, self.a = x, activations.softmax(x, self._axis())
        return self.a

    def call_ops(self, x, training=False):
        """The softmax as a recorded tf operation (nested tapes)."""
        from ..tf import vjps  # noqa: PLC0415
        return vjps.softmax(x, axis=self._axis())

    def backward(self, grad, need_input_grad=True):
        return activations.backward_of(activations.softmax)(self.z, self.a, grad, self._axis())

    def backward_from_z(self, dz, need_input_grad=True):
        return dz                                       # the input *is* Z

    def narrate_backward(self, page, l, dx, shortcut=False):
        if dx is None:
            return
        if not shortcut:                                # else the shortcut gave dA[l-1] itself
            page.put(f"    dA[{l - 1}] = Softmax.backward(dA[{l}]) = A (dA - sum_j dA_j A_j)")
        page.keep(f"dA[{l - 1}]", dx)

    def explain_z(self, l):
        return f"A[{l - 1}]"                            # the input *is* Z

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}

    def to_onnx(self, g, x):
        if isinstance(self.axis, list):
            raise ValueError(f"export: layer {self.name!r} (Softmax over axes {self.axis}) has no ONNX "
                             "recipe; ONNX's Softmax takes one axis")
        return g.node("Softmax", [x], axis=self.axis)
