"""Depthwise and separable convolutions (MobileNet's blocks), 2D and 1D: each channel convolved on its own.

DepthwiseConv2D: input channel ``c`` has its own ``depth_multiplier`` (``M``) filters, and sees
only itself (``W`` are the windows of ``layers/conv.py``'s ``extract_patches``, ``(N, OH, OW, kh, kw, C)``)::

    forward:   Z[n, i, j, c, m] = sum_ab W[n, i, j, a, b, c] * K[a, b, c, m] + b[c*M + m]      (Z as (N, OH, OW, C*M))
               A = g(Z)
    backward:  dZ = dA * g'(Z)                 db = sum of dZ over everything but channels
               dK[a, b, c, m] = sum_nij W[n, i, j, a, b, c] * dZ[n, i, j, c, m]
               dW[n, i, j, a, b, c] = sum_m dZ[n, i, j, c, m] * K[a, b, c, m]    dX = scatter_patches(dW)

SeparableConv2D: a depthwise convolution (no bias, no activation) followed by a 1 x 1
convolution mixing the channels: ``A = g(D @ P + b)`` with ``D`` the depthwise output's rows
and ``P`` the ``(C*M, filters)`` pointwise kernel; backward runs the two halves in reverse.
Far fewer weights than a full convolution: ``kh*kw*C*M + C*M*filters`` against ``kh*kw*C*filters``.

>>> import numpy as np, glassnet
>>> glassnet.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same")(np.ones((1, 8, 8, 3))).shape
TensorShape([1, 8, 8, 6])
>>> glassnet.layers.SeparableConv2D(16, 3)(np.ones((1, 8, 8, 3))).shape
TensorShape([1, 6, 6, 16])
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations, constraints, initializers, regularizers
from .activation_onnx import activation_to_onnx
from .base import Layer
from .conv import (check_data_format, check_padding, check_spatial, crop, extract_patches, normalize_tuple,
                   output_length, pad, paddings, refuse_float64, scatter_patches)


def _depthwise_forward(x, K, strides, dilation, padding):
    """``(Z as (N, *out, C, M), windows, pads, padded shape)`` for depthwise kernel ``K`` (``(*k, C, M)``)."""
    kernel_size = K.shape[:-2]
    pads = paddings(x.shape[1:-1], kernel_size, strides, dilation, padding)
    xpad = pad(x, pads)
    windows = extract_patches(xpad, kernel_size, strides, dilation)           # (N, *out, *k, C)
    n = len(kernel_size)
    # Z = sum over the kernel's taps (a, b) of W[..., a, b, c] * K[a, b, c, m]: one tap at a time on the
    # windows' strided view, so the (N, *out, *k, C) windows are never copied (an einsum copied them)
    z = np.zeros(windows.shape[:1 + n] + K.shape[-2:], dtype=np.result_type(windows.dtype, K.dtype))
    lead = (slice(None),) * (1 + n)
    for tap in np.ndindex(*kernel_size):
        z += windows[lead + tap][..., None] * K[tap]
    return z, windows, pads, xpad.shape


def _depthwise_backward(dz, windows, K, pads, padded_shape, strides, dilation, need_input_grad=True):
    """``(dK, dX)`` from ``dZ`` as ``(N, *out, C, M)`` (``dX`` None when not needed)."""
    n = K.ndim - 2
    letters = "ab"[:n]
    out = "ij"[:n]
    dK = np.einsum(f"z{out}{letters}c,z{out}cm->{letters}cm", windows, dz, optimize=True)
    if not need_input_grad:
        return dK, None
    dwin = np.einsum(f"z{out}cm,{letters}cm->z{out}{letters}c", dz, K, optimize=True)
    return dK, crop(scatter_patches(dwin, padded_shape, strides, dilation), pads)


class _DepthwiseBase(Layer):
    """Arguments shared by DepthwiseConv2D and SeparableConv2D."""

    rank = 2

    def _setup(self, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier, activation,
               use_bias, activity_regularizer, constraint_args):
        who = type(self).__name__
        n = self.rank
        if isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, (int, np.integer)) \
                or depth_multiplier <= 0:
            raise ValueError(f"{who}: depth_multiplier must be a positive integer, got {depth_multiplier!r}")
        if activity_regularizer is not None:
            raise ValueError(f"{who}: activity_regularizer is not supported by glassnet yet "
                             f"(got {activity_regularizer!r})")
        for arg, v in constraint_args.items():           # w <- c(w) after each optimizer step, as Keras
            setattr(self, arg, constraints.get(v))
        self.kernel_size = normalize_tuple(kernel_size, n, "kernel_size", who)
        self.strides = normalize_tuple(strides, n, "strides", who)
        self.padding = check_padding(padding, who)
        self.data_format = check_data_format(data_format, who)
        self.dilation_rate = normalize_tuple(dilation_rate, n, "dilation_rate", who)
        if any(s > 1 for s in self.strides) and any(d > 1 for d in self.dilation_rate):
            raise ValueError(f"{who}: strides > 1 together with dilation_rate > 1 is not supported "
                             f"(as in Keras), got strides={strides!r}, dilation_rate={dilation_rate!r}")
        self.depth_multiplier = int(depth_multiplier)
        self.activation = activations.get(activation)
        self._activation_backward = activations.backward_of(self.activation)
        self.use_bias = bool(use_bias)
        self.bias = None

    def _channels(self, input_shape):
        check_spatial(self, input_shape, self.rank)
        if input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the number of channels (last dimension) "
                             "must be known")
        return int(input_shape[-1])

    def _spatial(self, input_shape):
        check_spatial(self, input_shape, self.rank)
        spatial = tuple(output_length(n, k, s, d, self.padding) for n, k, s, d in
                        zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate))
        if any(o == 0 for o in spatial):
            raise ValueError(f"{type(self).__name__} {self.name!r}: inputs of shape {tuple(input_shape)} are "
                             f"smaller than the kernel {self.kernel_size} (dilation {self.dilation_rate}); "
                             "use padding='same' or a smaller kernel")
        return spatial

    def _onnx_depthwise(self, g, x, kernel, bias):
        """The depthwise half as ONNX nodes: a transpose to channels first, then Conv with one
        group per input channel. Returns the channels-first tensor."""
        refuse_float64(g, self, "Conv")
        spatial = self.input_shape[1:-1]
        if self.padding == "same" and any(s is None for s in spatial):
            raise ValueError(f"export: layer {self.name!r} has padding='same' and an unknown input size")
        n = self.rank
        c, m = kernel.shape[-2:]
        p = paddings(spatial, self.kernel_size, self.strides, self.dilation_rate, self.padding)
        first = g.node("Transpose", [x], name="ToChannelsFirst", perm=[0, n + 1] + list(range(1, n + 1)))
        w = np.moveaxis(kernel, [-2, -1], [0, 1]).reshape((c * m, 1) + self.kernel_size)
        inputs = [first, g.initializer("depthwise_kernel", w)]
        if bias is not None:
            inputs.append(g.initializer("bias", bias))
        return g.node("Conv", inputs, kernel_shape=list(self.kernel_size), strides=list(self.strides),
                      dilations=list(self.dilation_rate), pads=[b for b, _ in p] + [a for _, a in p], group=int(c))

    def _onnx_last(self, g, z):
        n = self.rank
        return g.node("Transpose", [z], name="ToChannelsLast", perm=[0] + list(range(2, n + 2)) + [1])

    def _config(self):
        return {"kernel_size": list(self.kernel_size), "strides": list(self.strides), "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": list(self.dilation_rate),
                "depth_multiplier": self.depth_multiplier, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias}


class DepthwiseConv2D(_DepthwiseBase):
    """Each input channel convolved with its own ``depth_multiplier`` filters: ``(N, H, W, C)`` ->
    ``(N, H', W', C * depth_multiplier)``. Kernel ``(kh, kw, C, depth_multiplier)``, as Keras.

    >>> import numpy as np, glassnet
    >>> layer = glassnet.layers.DepthwiseConv2D((3, 3), strides=2)
    >>> layer(np.zeros((1, 9, 9, 4))).shape, layer.kernel.shape
    (TensorShape([1, 4, 4, 4]), TensorShape([3, 3, 4, 1]))
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self._setup(kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier, activation,
                    use_bias, activity_regularizer,
                    {"depthwise_constraint": depthwise_constraint, "bias_constraint": bias_constraint})
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape):
        c = self._channels(input_shape)
        self.kernel = self.add_weight(self.kernel_size + (c, self.depth_multiplier), self.depthwise_initializer,
                                      "kernel", regularizer=self.depthwise_regularizer,
                                      constraint=self.depthwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight((c * self.depth_multiplier,), self.bias_initializer, "bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def compute_output_shape(self, input_shape):
        c = input_shape[-1]
        return (input_shape[0],) + self._spatial(input_shape) + (None if c is None else c * self.depth_multiplier,)

    def count_params_for(self, input_shape) -> int:
        c = self._channels(input_shape)
        return math.prod(self.kernel_size) * c * self.depth_multiplier + (c * self.depth_multiplier if self.use_bias else 0)

    def forward(self, x, training=False):
        z, self.windows, self.pads, self.padded_shape = _depthwise_forward(
            x, self.kernel.value, self.strides, self.dilation_rate, self.padding)
        z = z.reshape(z.shape[:-2] + (-1,))                                   # channel c*M + m, as Keras
        if self.use_bias:
            z += self.bias.value
        self.z = z
        self.a = self.activation(z)                                           # A = g(Z)
        return self.a

    def backward(self, grad, need_input_grad=True):
        dz = self._activation_backward(self.z, self.a, grad)                  # dZ = dA * g'(Z)
        if self.use_bias:
            self.bias.grad = np.add.reduce(dz.reshape(-1, dz.shape[-1]), axis=0)
        dz = dz.reshape(dz.shape[:-1] + self.kernel.shape[-2:])               # (N, *out, C, M)
        self.kernel.grad, dx = _depthwise_backward(dz, self.windows, self.kernel.value, self.pads,
                                                   self.padded_shape, self.strides, self.dilation_rate,
                                                   need_input_grad)
        return dx

    def explain_forward(self, l, x, out, weights=None) -> list[str]:
        """Lines for ``glassnet.explain``: one output worked out by hand from its channel's window."""
        weights = weights or {v.name: v.value for v in self.weights}
        K = weights["kernel"]
        m_count = K.shape[-1]
        position = tuple(o // 2 for o in self.z.shape[1:-1])
        k = int(np.argmax(np.abs(self.z[(0,) + position])))           # output channel k = c*M + m
        c, m = divmod(k, m_count)
        win = self.windows[(0,) + position + (Ellipsis, c)]               # (*kernel_size,), zeros in the padding
        z = float(np.sum(win * K[..., c, m]))
        b = float(weights["bias"][k]) if self.use_bias else 0.0
        idx = ", ".join(map(str, position))
        return [f"each channel c has its own {m_count} filter(s); output channel c*{m_count} + m sees channel c only",
                f"by hand, sample 0, position ({idx}), output channel {k} (c={c}, m={m}): Z = sum(window of channel {c} "
                f"* kernel[{l}][..., {c}, {m}])" + (f" + bias[{l}][{k}]" if self.use_bias else "") + f" = {z + b:.4g}; "
                f"{activations.serialize(self.activation)}(Z) = {float(out[(0,) + position + (k,)]):.4g} = "
                f"A[{l}][0, {idx}, {k}]"]

    def to_onnx(self, g, x):
        """ONNX's Conv with ``group = C``: one group per input channel."""
        z = self._onnx_depthwise(g, x, self.kernel.value, self.bias.value if self.use_bias else None)
        return activation_to_onnx(g, self.activation, self._onnx_last(g, z), self)

    def get_config(self):
        return {**super().get_config(), **self._config(),
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": None, "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


class SeparableConv2D(_DepthwiseBase):
    """A depthwise convolution then a 1 x 1 convolution to ``filters`` channels (see the
    module). Weights ``depthwise_kernel (kh, kw, C, depth_multiplier)``, ``pointwise_kernel
    (1, 1, C * depth_multiplier, filters)`` and ``bias (filters,)``, as Keras.

    >>> import numpy as np, glassnet
    >>> layer = glassnet.layers.SeparableConv2D(8, 3, padding="same")
    >>> layer(np.zeros((1, 6, 6, 4))).shape, layer.count_params()
    (TensorShape([1, 6, 6, 8]), 76)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"SeparableConv2D: filters must be a positive integer, got {filters!r}")
        self._setup(kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier, activation,
                    use_bias, activity_regularizer,
                    {"depthwise_constraint": depthwise_constraint, "pointwise_constraint": pointwise_constraint,
                     "bias_constraint": bias_constraint})
        self.filters = int(filters)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape):
        c = self._channels(input_shape)
        cm = c * self.depth_multiplier
        self.depthwise_kernel = self.add_weight(self.kernel_size + (c, self.depth_multiplier),
                                                self.depthwise_initializer, "depthwise_kernel",
                                                regularizer=self.depthwise_regularizer,
                                                constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight((1,) * self.rank + (cm, self.filters), self.pointwise_initializer,
                                                "pointwise_kernel", regularizer=self.pointwise_regularizer,
                                                constraint=self.pointwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight((self.filters,), self.bias_initializer, "bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._spatial(input_shape) + (self.filters,)

    def count_params_for(self, input_shape) -> int:
        cm = self._channels(input_shape) * self.depth_multiplier
        return math.prod(self.kernel_size) * cm + cm * self.filters + (self.filters if self.use_bias else 0)

    def forward(self, x, training=False):
        d, self.windows, self.pads, self.padded_shape = _depthwise_forward(
            x, self.depthwise_kernel.value, self.strides, self.dilation_rate, self.padding)
        self.d_rows = d.reshape(-1, d.shape[-2] * d.shape[-1])                # D: depthwise output, one row per pixel
        z = self.d_rows @ self.pointwise_kernel.value.reshape(-1, self.filters)   # Z = D P + b
        if self.use_bias:
            z += self.bias.value
        self.z = z.reshape(d.shape[:-2] + (self.filters,))
        self.a = self.activation(self.z)                                      # A = g(Z)
        return self.a

    def backward(self, grad, need_input_grad=True):
        dz = self._activation_backward(self.z, self.a, grad).reshape(-1, self.filters)     # dZ = dA * g'(Z)
        if self.use_bias:
            self.bias.grad = np.add.reduce(dz, axis=0)
        P = self.pointwise_kernel.value.reshape(-1, self.filters)
        self.pointwise_kernel.grad = (self.d_rows.T @ dz).reshape(self.pointwise_kernel.shape)   # dP = D.T dZ
        dd = (dz @ P.T).reshape(self.z.shape[:-1] + self.depthwise_kernel.shape[-2:])            # dD = dZ P.T
        self.depthwise_kernel.grad, dx = _depthwise_backward(dd, self.windows, self.depthwise_kernel.value,
                                                             self.pads, self.padded_shape, self.strides,
                                                             self.dilation_rate, need_input_grad)
        return dx

    def to_onnx(self, g, x):
        """The depthwise Conv (one group per channel), then a 1 x 1 Conv to ``filters`` channels."""
        d = self._onnx_depthwise(g, x, self.depthwise_kernel.value, None)
        w = np.moveaxis(self.pointwise_kernel.value, [-1, -2], [0, 1])          # (F, C*M, 1, 1)
        inputs = [d, g.initializer("pointwise_kernel", w)]
        if self.use_bias:
            inputs.append(g.initializer("bias", self.bias.value))
        z = g.node("Conv", inputs, kernel_shape=[1] * self.rank)
        return activation_to_onnx(g, self.activation, self._onnx_last(g, z), self)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, **self._config(),
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
                "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": None, "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
                "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


class DepthwiseConv1D(DepthwiseConv2D):
    """DepthwiseConv2D's rule over sequences ``(N, steps, C)`` -> ``(N, steps', C * depth_multiplier)``;
    kernel ``(k, C, depth_multiplier)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.DepthwiseConv1D(3, depth_multiplier=2)(np.zeros((1, 10, 4))).shape
    TensorShape([1, 8, 8])
    """

    rank = 1

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate,
                         depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)


class SeparableConv1D(SeparableConv2D):
    """SeparableConv2D's rule over sequences ``(N, steps, C)``: depthwise kernel ``(k, C, M)``,
    pointwise kernel ``(1, C * M, filters)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.SeparableConv1D(6, 3, padding="same")(np.zeros((2, 10, 4))).shape
    TensorShape([2, 10, 6])
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier,
                         depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
