"""Transposed convolutions, Conv1DTranspose and Conv2DTranspose: a convolution run backwards.

A convolution ``Y = conv(X, K)`` with stride ``s`` maps a big image to a small one; its
input-gradient ``dX = conv_input_gradient(dY, K)`` maps a small one back to a big one. A
transposed convolution *is* that input-gradient, used as a forward pass (how TensorFlow
computes it, and why it upsamples: each input pixel paints a ``kernel_size`` patch of the
output, ``s`` pixels apart)::

    forward:   dP = X_rows @ K.reshape(kh*kw*F, C).T          one patch of F-channel paint per input pixel
               Zpad = scatter_patches(dP)                     patches added where they land (stride s)
               Z = crop(Zpad) + b          A = g(Z)           (the "same" padding cut off)
    backward:  dZ = dA * g'(Z)            db = sum of dZ over everything but channels
               P = patches(pad(dZ))                           the windows a convolution would read
               dX = P @ K.reshape(kh*kw*F, C)                 (a plain convolution of dZ)
               dK = P.T @ X_rows

So the forward here is :class:`~glassnet.layers.Conv2D`'s backward (the same function,
``layers/conv.py``'s ``input_gradient``), and the backward is Conv2D's forward (its
``extract_patches`` and the patches-times-kernel product). The kernel is ``(kh, kw, filters, in channels)``,
as Keras stores it: the kernel of the convolution whose gradient this is.

Output size along one axis (Keras's rule; ``k`` the dilated kernel, ``op`` the output padding)::

    padding="valid":  out = in * s + max(k - s, 0)          with output_padding: (in - 1) * s + k + op
    padding="same":   out = in * s                          with output_padding: (in - 1) * s + k - 2 * (k // 2) + op

>>> import numpy as np, glassnet
>>> up = glassnet.layers.Conv2DTranspose(8, kernel_size=3, strides=2, padding="same", activation="relu")
>>> up(np.ones((2, 7, 7, 16))).shape
TensorShape([2, 14, 14, 8])
>>> up.kernel.shape                        # (kh, kw, filters, in channels), as Keras
TensorShape([3, 3, 8, 16])
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations
from .activation_onnx import activation_to_onnx
from .conv import (_Conv, check_spatial, crop, extract_patches, input_gradient, pad, paddings, refuse_float64,
                   transposed_product, window_index)


def transpose_output_length(size, kernel, stride, dilation, padding, output_padding=None):
    """One spatial axis of a transposed convolution's output (Keras's rule; None stays None)."""
    if size is None:
        return None
    k = (kernel - 1) * dilation + 1
    if output_padding is None:
        return size * stride + max(k - stride, 0) if padding == "valid" else size * stride
    cut = 2 * (k // 2) if padding == "same" else 0
    return (size - 1) * stride + k - cut + output_padding


class _ConvTranspose(_Conv):
    """Shared by Conv1DTranspose and Conv2DTranspose: ``rank`` spatial axes."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.output_padding = self._check_output_padding(output_padding)

    def _check_output_padding(self, value):
        who = type(self).__name__
        if value is None:
            return None
        n = self.rank
        items = (value,) * n if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
        try:
            items = tuple(items)
        except TypeError:
            items = None
        if items is None or len(items) != n or not all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0 for v in items):
            raise ValueError(f"{who}: output_padding must be None, a non-negative integer or a tuple of {n} "
                             f"non-negative integers, got {value!r}")
        for axis, (p, s) in enumerate(zip(items, self.strides)):
            if p >= s:
                raise ValueError(f"{who}: output_padding must be smaller than strides on every axis, got "
                                 f"output_padding={value!r} and strides={self.strides} (axis {axis}: {p} >= {s})")
        return tuple(int(v) for v in items)

    # -- building: the kernel is (*kernel_size, filters, in channels) -------------------------
    def build(self, input_shape):
        c = self._channels(input_shape)
        self.kernel = self.add_weight(self.kernel_size + (self.filters, c), self.kernel_initializer, "kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:                                    # constraints: w <- c(w) after each optimizer step
            self.bias = self.add_weight((self.filters,), self.bias_initializer, "bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def compute_output_shape(self, input_shape):
        check_spatial(self, input_shape, self.rank)
        ops = self.output_padding or (None,) * self.rank
        spatial = tuple(transpose_output_length(n, k, s, d, self.padding, op) for n, k, s, d, op in
                        zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate, ops))
        if any(o is not None and o <= 0 for o in spatial):
            raise ValueError(f"{type(self).__name__} {self.name!r}: inputs of shape {tuple(input_shape)} give an "
                             f"empty output {spatial}")
        return (input_shape[0],) + spatial + (self.filters,)

    def _geometry(self, in_spatial):
        """``(out_spatial, pads)``: the output's size, and the padding of the convolution whose
        input-gradient this is (worked out on the output's size, as TensorFlow does)."""
        ops = self.output_padding or (None,) * self.rank
        out = tuple(transpose_output_length(n, k, s, d, self.padding, op) for n, k, s, d, op in
                    zip(in_spatial, self.kernel_size, self.strides, self.dilation_rate, ops))
        return out, paddings(out, self.kernel_size, self.strides, self.dilation_rate, self.padding)

    # -- the two halves ---------------------------------------------------------------------
    def forward(self, x, training=False):
        n = self.rank
        self.x_rows = x.reshape(-1, x.shape[-1])                              # one row per input pixel
        out, self.pads = self._geometry(x.shape[1:-1])
        self.padded_shape = (x.shape[0],) + tuple(o + b + a for o, (b, a) in zip(out, self.pads)) + (self.filters,)
        # Conv's dX with dZ = X: dP = X K.T, the patches added where they land, the padding cut off
        z = input_gradient(self.x_rows, self.kernel.value.reshape(-1, x.shape[-1]), x.shape[:-1], self.kernel_size,
                           self.padded_shape, self.strides, self.dilation_rate, self.pads)
        if self.use_bias:
            z += self.bias.value
        self.in_spatial = x.shape[1:1 + n]
        self.z = np.ascontiguousarray(z)
        self.a = self.activation(self.z)                                      # A = g(Z)
        self._add_activity_penalty(self.a)            # activity_regularizer: r(A) / batch joins the loss
        return self.a

    def call_ops(self, x, training=False):
        """The forward as recorded tf operations (nested tapes: a gradient penalty through a
        generator's upsampling, a Hessian): ``dP = X_rows K.T``, each input pixel's patch added
        where it lands (a scatter-add, whose gradient gathers a convolution's windows, and the
        other way round: differentiable again), the padding cut off, ``Z = ... + b``, ``A = g(Z)``.
        (``_Conv``'s recorded convolution reads windows; this one paints them.)"""
        from ..tf import vjps  # noqa: PLC0415 - the tape's table, loaded when first needed
        shape = tuple(np.shape(x))
        out, pads = self._geometry(shape[1:-1])
        padded = tuple(o + b + a for o, (b, a) in zip(out, pads))
        kernel = vjps.reshape(self.kernel, (-1, shape[-1]))                      # (kh*kw*F, C)
        patches = vjps.reshape(x, (-1, shape[-1])) @ vjps.transpose(kernel)    # dP = X_rows K.T
        patches = vjps.reshape(patches, shape[:-1] + self.kernel_size + (self.filters,))
        index, _ = window_index(padded, self.kernel_size, self.strides, self.dilation_rate,
                                [(0, 0)] * self.rank, out_spatial=shape[1:-1])
        zpad = vjps.scatter(patches, (shape[0],) + padded + (self.filters,),
                            (slice(None),) + tuple(index) + (slice(None),))  # painted where they land
        z = crop(zpad, pads)
        if self.use_bias:
            z = z + self.bias
        return vjps.activation_by(self.activation, z)

    def backward_from_z(self, dz, need_input_grad=True):
        """From ``dJ/dZ``: a plain convolution of ``dZ`` with the same kernel gives ``dX``."""
        if self.activity_regularizer is not None and not self.__dict__.pop("_activity_in_dz", False):
            dz = dz + self._activation_backward(self.z, self.a, self._activity_gradient())   # via the shortcut
        self.dz = dz
        if self.use_bias:
            self.bias.grad = np.add.reduce(dz.reshape(-1, self.filters), axis=0)      # db = sum of dZ
        windows = extract_patches(pad(dz, self.pads), self.kernel_size, self.strides, self.dilation_rate)
        windows = windows[(slice(None),) + tuple(slice(0, m) for m in self.in_spatial)]   # the ones X painted
        patches = windows.reshape(self.x_rows.shape[0], -1)                   # P: one row per input pixel
        self.kernel.grad = transposed_product(patches, self.x_rows).reshape(self.kernel.shape)   # dK = P.T X
        if not need_input_grad:
            return None
        dx = patches @ self.kernel.value.reshape(patches.shape[1], -1)        # dX = P K
        return dx.reshape(dz.shape[:1] + tuple(self.in_spatial) + (-1,))

    # -- description ------------------------------------------------------------------------
    def explain_forward(self, l, x, out, weights=None) -> list[str]:
        """Lines for ``glassnet.explain``: the patch product and where the patches land."""
        weights = weights or {v.name: v.value for v in self.weights}
        K = weights["kernel"]
        rows, c = self.x_rows.shape
        cols = K[..., 0].size
        by = " x ".join(map(str, self.strides))
        lines = [f"dP{l} = A[{l - 1}] rows @ kernel[{l}].reshape({cols}, {c}).T   {(rows, c)} @ {(c, cols)} -> "
                 f"{(rows, cols)}: one {' x '.join(map(str, self.kernel_size))} x {self.filters} patch per input pixel",
                 f"Z[{l}] = the patches added where they land ({by} apart), the padding cut off"
                 + (f", + bias[{l}]" if self.use_bias else "")
                 + f" -> {tuple(self.z.shape)}; A[{l}] = {activations.serialize(self.activation)}(Z[{l}]) "
                   "(Conv's input-gradient run forward)"]
        # one output by hand: the middle position of sample 0, the filter with the largest |Z| there
        out_spatial, pads = self._geometry(x.shape[1:-1])
        position = tuple(o // 2 for o in out_spatial)
        f = int(np.argmax(np.abs(self.z[(0,) + position])))
        z, painters = 0.0, []
        for offset in np.ndindex(*self.kernel_size):          # input pixel i paints o = i*s + a*d - pad at offset a
            source = []
            for o, a, s, d, (before, _), m in zip(position, offset, self.strides, self.dilation_rate, pads,
                                                  x.shape[1:-1]):
                i, rest = divmod(o + before - a * d, s)
                source.append(i if rest == 0 and 0 <= i < m else None)
            if None not in source:
                z += float(np.dot(x[(0,) + tuple(source)], K[offset + (f,)]))
                painters.append(f"X{list(source)}.K{list(offset)}")
        b = float(weights["bias"][f]) if self.use_bias else 0.0
        idx = ", ".join(map(str, position))
        shown = " + ".join(painters[:4]) + (" + ..." if len(painters) > 4 else "") if painters else "nothing (0)"
        lines.append(f"by hand, sample 0, position ({idx}), filter {f}: the {len(painters)} input pixel(s) whose patch "
                     f"lands there: Z = {shown} = {z:.4g}" + (f" + bias[{l}][{f}] {b:.4g} = {z + b:.4g}" if self.use_bias
                                                             else "")
                     + f"; A[{l}][0, {idx}, {f}] = {float(out[(0,) + position + (f,)]):.4g}")
        return lines

    # -- ONNX ------------------------------------------------------------------------------
    def to_onnx(self, g, x):
        """ONNX's ConvTranspose is channels-first; its ``output_padding`` adds the zeros our
        padded buffer keeps past the last patch (the sizes do not depend on the input's)."""
        refuse_float64(g, self, "ConvTranspose")
        n = self.rank
        size = [s if s is not None else 4 for s in self.input_shape[1:-1]]       # (sizes do not change the pads)
        out, pads = self._geometry(size)
        spans = [(k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate)]
        extra = [o + b + a - ((m - 1) * s + k) for o, (b, a), m, s, k in zip(out, pads, size, self.strides, spans)]
        first = g.node("Transpose", [x], name="ToChannelsFirst", perm=[0, n + 1] + list(range(1, n + 1)))
        w = np.moveaxis(self.kernel.value, [-1, -2], [0, 1])                   # (C, F, *kernel)
        inputs = [first, g.initializer("kernel", w)]
        if self.use_bias:
            inputs.append(g.initializer("bias", self.bias.value))
        z = g.node("ConvTranspose", inputs, kernel_shape=list(self.kernel_size), strides=list(self.strides),
                   dilations=list(self.dilation_rate), pads=[b for b, _ in pads] + [a for _, a in pads],
                   output_padding=extra)
        last = g.node("Transpose", [z], name="ToChannelsLast", perm=[0] + list(range(2, n + 2)) + [1])
        return activation_to_onnx(g, self.activation, last, self)

    def count_params_for(self, input_shape) -> int:
        return math.prod(self.kernel_size) * self._channels(input_shape) * self.filters \
            + (self.filters if self.use_bias else 0)

    def get_config(self):
        cfg = super().get_config()
        del cfg["groups"]
        cfg["output_padding"] = None if self.output_padding is None else list(self.output_padding)
        return cfg


class Conv2DTranspose(_ConvTranspose):
    """The transposed convolution over images ``(N, H, W, C)`` -> ``(N, H', W', filters)``
    (the upsampling half of autoencoders, DCGAN's generator, U-Net): see the module.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Conv2DTranspose(4, (5, 5), strides=(2, 2), padding="valid")(np.zeros((1, 7, 7, 2))).shape
    TensorShape([1, 17, 17, 4])
    """

    rank = 2


class Conv1DTranspose(_ConvTranspose):
    """The transposed convolution over sequences ``(N, steps, C)`` -> ``(N, steps', filters)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Conv1DTranspose(3, 4, strides=2, padding="same")(np.zeros((2, 5, 1))).shape
    TensorShape([2, 10, 3])
    """

    rank = 1


class Conv3DTranspose(_ConvTranspose):
    """The transposed convolution over volumes ``(N, D, H, W, C)`` -> ``(N, D', H', W', filters)``
    (the same N-d code; kernel ``(kd, kh, kw, filters, in channels)``, as Keras).

    >>> import numpy as np, glassnet
    >>> tuple(glassnet.layers.Conv3DTranspose(2, 3, strides=2, padding="same")(np.zeros((1, 2, 3, 4, 1))).shape)
    (1, 4, 6, 8, 2)
    """

    rank = 3
