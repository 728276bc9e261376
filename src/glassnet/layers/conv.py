"""Convolution layers, Conv1D and Conv2D: each unit looks at a small window of the input.

A convolution is a Dense layer applied to every window (``channels_last``, one sample)::

    patches:   P[(n, i, j), (a, b, c)] = Xpad[n, i*s + a*d, j*s + b*d, c]     one row per window
    forward:   Z = P @ K.reshape(kh*kw*C, F) + b          A = g(Z)           (rows -> (N, OH, OW, F))
    backward:  dZ = dA * g'(Z)
               dK = P.T @ dZ              db = sum of the rows of dZ
               dP = dZ @ K.T              dX = scatter_patches(dP): each patch entry's gradient
                                          added back to the pixel it was copied from

``s`` is the stride, ``d`` the dilation. ``extract_patches`` builds ``P`` for one batch (a view
of the input, copied once into a matrix); ``scatter_patches`` is its transpose. Padding
``"same"`` pads so that ``OH = ceil(H / s)``, splitting as TensorFlow does: the odd pixel goes
at the bottom / right (:func:`same_padding`).

>>> import numpy as np, glassnet
>>> conv = glassnet.layers.Conv2D(4, 3, padding="same", activation="relu")
>>> conv(np.ones((2, 8, 8, 1))).shape
TensorShape([2, 8, 8, 4])
>>> conv.kernel.shape                      # (kh, kw, in channels, filters), as Keras
TensorShape([3, 3, 1, 4])
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations, constraints, initializers, regularizers
from .activation_onnx import activation_to_onnx
from .base import Layer


# ---------------------------------------------------------------------------------------
# Arguments, shapes, padding
# ---------------------------------------------------------------------------------------
def normalize_tuple(value, n, what, layer) -> tuple:
    """``3`` -> ``(3, 3)``; ``(3, 2)`` stays; anything else is refused naming ``what``."""
    items = (value,) * n if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    try:
        items = tuple(items)
    except TypeError:
        items = None
    if items is None or len(items) != n or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in items):
        raise ValueError(f"{layer}: {what} must be a positive integer or a tuple of {n} positive integers, "
                         f"got {value!r}")
    return tuple(int(v) for v in items)


def check_padding(padding, layer, allowed=("valid", "same")) -> str:
    p = padding.lower() if isinstance(padding, str) else padding
    if p not in allowed:
        raise ValueError(f"{layer}: padding must be one of {', '.join(map(repr, allowed))}, got {padding!r}")
    return p


def check_data_format(data_format, layer) -> str:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{layer}: data_format={data_format!r} is not supported; glassnet keeps channels "
                         "last (N, height, width, channels), as Keras's default")
    return "channels_last"


def same_padding(size, kernel, stride, dilation=1) -> tuple[int, int]:
    """Pixels added before and after one spatial axis for ``padding="same"``: enough for
    ``ceil(size / stride)`` outputs, the odd one after (TensorFlow's split)."""
    span = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def paddings(spatial, kernel_size, strides, dilation, padding) -> list[tuple[int, int]]:
    """``(before, after)`` for each spatial axis; ``"causal"`` (Conv1D) pads before only."""
    if padding == "valid":
        return [(0, 0)] * len(spatial)
    if padding == "causal":
        return [((k - 1) * d, 0) for k, d in zip(kernel_size, dilation)]
    return [same_padding(n, k, s, d) for n, k, s, d in zip(spatial, kernel_size, strides, dilation)]


def output_length(size, kernel, stride, dilation, padding):
    """One spatial axis of the output (None when the input's is unknown)."""
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    span = (kernel - 1) * dilation + 1
    if padding == "causal":
        size += span - 1
    return max((size - span) // stride + 1, 0)


def check_spatial(layer, input_shape, n):
    if len(input_shape) != n + 2:
        axes = {1: "length", 2: "height, width"}.get(n, "depth, height, width")
        raise ValueError(f"{type(layer).__name__} {layer.name!r} takes inputs of {n + 2} dimensions "
                         f"(samples, {axes}, channels), got shape {tuple(input_shape)}")


# ---------------------------------------------------------------------------------------
# Patches and their transpose
# ---------------------------------------------------------------------------------------
def extract_patches(xpad, kernel_size, strides, dilation):
    """Every window of ``xpad`` (already padded), as a view of shape
    ``(N, *out_spatial, *kernel_size, C)``: ``[n, i, j, a, b, c] = xpad[n, i*s + a*d, j*s + b*d, c]``."""
    n_sp = len(kernel_size)
    spans = tuple((k - 1) * d + 1 for k, d in zip(kernel_size, dilation))
    axes = tuple(range(1, n_sp + 1))
    win = np.lib.stride_tricks.sliding_window_view(xpad, spans, axis=axes)   # (N, *pos, C, *span)
    pick = (slice(None),) + tuple(slice(None, None, s) for s in strides) + (slice(None),) \
        + tuple(slice(None, None, d) for d in dilation)
    win = win[pick]                                                          # (N, *out, C, *kernel)
    return np.moveaxis(win, n_sp + 1, -1)                                    # (N, *out, *kernel, C)


def scatter_patches(dpatches, padded_shape, strides, dilation):
    """The transpose of :func:`extract_patches`: add each patch entry's gradient back to the
    pixel of ``xpad`` it came from; returns ``dXpad`` of ``padded_shape``.

    One strided slice per kernel position: ``dXpad[:, a*d :: s, b*d :: s, :] += dP[:, :, :, a, b, :]``.
    """
    n_sp = len(strides)
    out_sp = dpatches.shape[1:1 + n_sp]
    kernel = dpatches.shape[1 + n_sp:1 + 2 * n_sp]
    dx = np.zeros(padded_shape, dpatches.dtype)
    for pos in np.ndindex(*kernel):
        dx[window_slice(pos, strides, dilation, out_sp)] += dpatches[(slice(None),) * (1 + n_sp) + pos]
    return dx


def window_index(spatial, kernel_size, strides, dilation, pads, out_spatial=None):
    """The windows of an input as indices into it, for :func:`gather_windows`: per spatial axis
    an integer array ``i*s + a*d - before`` (output position ``i``, kernel position ``a``),
    clipped into the input and shaped to broadcast to ``(*out, *kernel)``; and ``valid``, False
    where a window covers the padding (there the gathered value is replaced by zero).
    ``out_spatial``: the first so many windows only (a transposed convolution's patches, one per
    input pixel, land at these places of its padded output)."""
    r = len(kernel_size)
    index, valid = [], np.ones((1,) * (2 * r), bool)
    for axis, (n, k, s, d, (before, after)) in enumerate(zip(spatial, kernel_size, strides, dilation, pads)):
        out = (n + before + after - (k - 1) * d - 1) // s + 1 if out_spatial is None else out_spatial[axis]
        pos = np.arange(out)[:, None] * s + np.arange(k)[None, :] * d - before       # (out, kernel)
        shape = [1] * (2 * r)
        shape[axis], shape[r + axis] = out, k
        index.append(np.clip(pos, 0, n - 1).reshape(shape))
        valid = valid & ((pos >= 0) & (pos < n)).reshape(shape)
    return index, valid


def gather_windows(x, kernel_size, strides, dilation, pads):
    """:func:`extract_patches` as one indexing of ``x`` (a recorded tf operation on a Tensor,
    whose gradient, a scatter-add, is recorded too: nested tapes): ``(N, *out, *kernel, C)``,
    and the ``valid`` mask of the real (not padding) entries, shaped to broadcast to it."""
    index, valid = window_index(np.shape(x)[1:-1], kernel_size, strides, dilation, pads)
    windows = x[(slice(None),) + tuple(index) + (slice(None),)]
    return windows, valid[None, ..., None]


def input_gradient(dz_rows, kernel2d, lead_shape, kernel_size, padded_shape, strides, dilation, pads):
    """A convolution's ``dX`` from ``dZ``'s rows (one per window): ``dP = dZ @ K.T``, each patch's
    gradient added back to the pixels it was copied from (:func:`scatter_patches`), the padding
    cut off. ``kernel2d`` is the kernel as ``(kh*kw*C, F)``; ``lead_shape`` is ``(N, *out_spatial)``.
    The same arithmetic is the transposed convolution's forward (``layers/conv_transpose.py``)."""
    dpatches = (dz_rows @ kernel2d.T).reshape(tuple(lead_shape) + tuple(kernel_size) + (-1,))   # dP = dZ K.T
    return crop(scatter_patches(dpatches, padded_shape, strides, dilation), pads)


def window_slice(pos, strides, dilation, out_spatial) -> tuple:
    """The index of ``xpad`` holding entry ``pos`` of every window at once:
    ``xpad[window_slice(pos, ...)][n, i, j, c] = xpad[n, i*s + a*d, j*s + b*d, c]`` for ``pos = (a, b)``."""
    return (slice(None),) + tuple(slice(p * d, p * d + s * (o - 1) + 1, s)
                                  for p, d, s, o in zip(pos, dilation, strides, out_spatial))


def transposed_product(a, b):
    """``a.T @ b`` for two tall matrices (one row per window). When ``a`` has fewer columns
    than ``b`` (a first layer's 3 * 3 * 1 patches against 32 filters) it is computed as
    ``(b.T @ a).T``, the same numbers: OpenBLAS's threads handle a product whose result has
    more rows than columns far better on a busy machine (measured: 10 ms against spikes of
    a second)."""
    return a.T @ b if a.shape[1] >= b.shape[1] else (b.T @ a).T


def refuse_float64(g, layer, op):
    """ONNX Runtime has no float64 kernel for ``op``: refuse before anything is written."""
    if g.dtype == np.float64:
        raise ValueError(f"export: layer {layer.name!r} ({type(layer).__name__}) would be an ONNX {op} node in a "
                         f"float64 graph, and ONNX Runtime has no float64 {op}: export the model in float32 "
                         "(glassnet.config.set_floatx('float32'), rebuild it and set_weights)")


def pad(x, pads, value=0.0):
    if not any(b or a for b, a in pads):
        return x
    return np.pad(x, [(0, 0)] + list(pads) + [(0, 0)], constant_values=value)


def crop(dxpad, pads):
    index = (slice(None),) + tuple(slice(b, dxpad.shape[i + 1] - a) for i, (b, a) in enumerate(pads))
    return dxpad[index]


# ---------------------------------------------------------------------------------------
# The layers
# ---------------------------------------------------------------------------------------
class _Conv(Layer):
    """Shared by Conv1D and Conv2D: ``rank`` spatial axes."""

    rank = 2
    _paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        who = type(self).__name__
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"{who}: filters must be a positive integer, got {filters!r}")
        if groups != 1:
            raise ValueError(f"{who}: groups={groups!r} is not supported by glassnet yet (only 1)")
        if kwargs.pop("lora_rank", None) is not None:
            raise ValueError(f"{who}: lora_rank is not supported by glassnet")
        kwargs.pop("lora_alpha", None)
        super().__init__(**kwargs)
        n = self.rank
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, n, "kernel_size", who)
        self.strides = normalize_tuple(strides, n, "strides", who)
        self.padding = check_padding(padding, who, self._paddings)
        self.data_format = check_data_format(data_format, who)
        self.dilation_rate = normalize_tuple(dilation_rate, n, "dilation_rate", who)
        if any(s > 1 for s in self.strides) and any(d > 1 for d in self.dilation_rate):
            raise ValueError(f"{who}: strides > 1 together with dilation_rate > 1 is not supported "
                             f"(as in Keras), got strides={strides!r}, dilation_rate={dilation_rate!r}")
        self.groups = 1
        self.activation = activations.get(activation)
        self._activation_backward = activations.backward_of(self.activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)     # its penalty of A joins the loss
        self.kernel_constraint = constraints.get(kernel_constraint)            # w <- c(w) after each step
        self.bias_constraint = constraints.get(bias_constraint)
        self.bias = None

    # -- building -------------------------------------------------------------------------
    def _channels(self, input_shape):
        check_spatial(self, input_shape, self.rank)
        c = input_shape[-1]
        if c is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the number of channels (last dimension) "
                             "must be known")
        return int(c)

    def build(self, input_shape):
        c = self._channels(input_shape)
        self.kernel = self.add_weight(self.kernel_size + (c, self.filters), self.kernel_initializer, "kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight((self.filters,), self.bias_initializer, "bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def compute_output_shape(self, input_shape):
        check_spatial(self, input_shape, self.rank)
        spatial = tuple(output_length(n, k, s, d, self.padding) for n, k, s, d in
                        zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate))
        if any(o == 0 for o in spatial):
            raise ValueError(f"{type(self).__name__} {self.name!r}: inputs of shape {tuple(input_shape)} are "
                             f"smaller than the kernel {self.kernel_size} (dilation {self.dilation_rate}); "
                             "use padding='same' or a smaller kernel")
        return (input_shape[0],) + spatial + (self.filters,)

    def count_params_for(self, input_shape) -> int:
        return math.prod(self.kernel_size) * self._channels(input_shape) * self.filters \
            + (self.filters if self.use_bias else 0)

    # -- the two halves ---------------------------------------------------------------------
    def forward(self, x, training=False):
        self.pads = paddings(x.shape[1:-1], self.kernel_size, self.strides, self.dilation_rate, self.padding)
        xpad = pad(x, self.pads)
        self.padded_shape = xpad.shape
        windows = extract_patches(xpad, self.kernel_size, self.strides, self.dilation_rate)
        self.out_spatial = windows.shape[1:1 + self.rank]
        self.patches = windows.reshape(-1, self.kernel.value[..., 0].size)     # P: one row per window
        z = self.patches @ self.kernel.value.reshape(-1, self.filters)        # Z = P K + b
        if self.use_bias:
            z += self.bias.value
        self.z = z.reshape((x.shape[0],) + self.out_spatial + (self.filters,))
        self.a = self.activation(self.z)                                      # A = g(Z)
        self._add_activity_penalty(self.a)            # activity_regularizer: r(A) / batch joins the loss
        return self.a

    def call_ops(self, x, training=False):
        """The forward as recorded tf operations (nested tapes: a gradient penalty, a Hessian):
        ``Z = convolution_op(x, K) + b``, ``A = g(Z)``."""
        from ..tf import vjps  # noqa: PLC0415 - the tape's table, loaded when first needed
        z = self.convolution_op(x, self.kernel)
        if self.use_bias:
            z = z + self.bias
        return vjps.activation_by(self.activation, z)

    def convolution_op(self, inputs, kernel):
        """Keras's ``Conv.convolution_op``: ``inputs`` convolved with ``kernel`` (any tensor of the
        kernel's shape: keras.io's standardized convolution passes ``(K - mean) / std``), as recorded
        operations: the windows gathered by index, ``Z = P K``. A subclass that overrides it trains
        through it (its call is recorded), as one whose ``call`` calls it does."""
        from ..tf import vjps  # noqa: PLC0415 - the tape's table, loaded when first needed
        pads = paddings(np.shape(inputs)[1:-1], self.kernel_size, self.strides, self.dilation_rate, self.padding)
        windows, valid = gather_windows(inputs, self.kernel_size, self.strides, self.dilation_rate, pads)
        if not valid.all():
            windows = windows * valid.astype(np.asarray(inputs).dtype)     # the padding reads zeros
        out = windows.shape[:1 + self.rank]
        rows = vjps.reshape(windows, (-1, int(np.prod(windows.shape[1 + self.rank:]))))
        z = rows @ vjps.reshape(kernel, (-1, self.filters))                  # Z = P K
        return vjps.reshape(z, tuple(out) + (self.filters,))

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "convolution_op" in vars(cls) and not cls.by_call:     # only the convolution is yours: the
            cls.call = lambda self, inputs: self.call_ops(inputs)   # call, recorded, runs it (Keras's Conv.call)
            cls._written_with_call()

    def backward(self, grad, need_input_grad=True):
        if self.activity_regularizer is not None:
            grad = grad + self._activity_gradient()                           # dA += r'(A) / batch
            self._activity_in_dz = True
        dz = self._activation_backward(self.z, self.a, grad)                  # dZ = dA * g'(Z)
        return self.backward_from_z(dz, need_input_grad)

    def backward_from_z(self, dz, need_input_grad=True):
        """From ``dJ/dZ`` (where a declared output shortcut enters, as in Dense)."""
        if self.activity_regularizer is not None and not self.__dict__.pop("_activity_in_dz", False):
            dz = dz + self._activation_backward(self.z, self.a, self._activity_gradient())   # via the shortcut
        self.dz = dz
        dz_rows = dz.reshape(-1, self.filters)
        patches = self.patches
        if patches is None:          # the fast forward (glassnet.fast.conv) kept the padded input, not P
            patches = extract_patches(self.xpad, self.kernel_size, self.strides, self.dilation_rate)
            patches = patches.reshape(-1, self.kernel.value[..., 0].size)
        self.kernel.grad = transposed_product(patches, dz_rows).reshape(self.kernel.shape)   # dK = P.T dZ
        if self.use_bias:
            self.bias.grad = np.add.reduce(dz_rows, axis=0)                   # db = sum of dZ's rows
        if not need_input_grad:
            return None
        return input_gradient(dz_rows, self.kernel.value.reshape(-1, self.filters),   # dP = dZ K.T, scattered,
                              (dz.shape[0],) + self.out_spatial, self.kernel_size,   # the padding cut off
                              self.padded_shape, self.strides, self.dilation_rate, self.pads)

    # -- description ------------------------------------------------------------------------
    def window(self, x, sample, position):
        """The window of input ``x`` that output ``[sample, *position, :]`` looks at, with
        zeros where it covers the padding: shape ``(*kernel_size, C)``."""
        pads = paddings(x.shape[1:-1], self.kernel_size, self.strides, self.dilation_rate, self.padding)
        xpad = pad(x[sample:sample + 1], pads)
        index = (0,) + tuple(slice(p * s, p * s + (k - 1) * d + 1, d) for p, s, k, d in
                             zip(position, self.strides, self.kernel_size, self.dilation_rate))
        return xpad[index]

    def explain_forward(self, l, x, out, weights=None) -> list[str]:
        """Lines for ``glassnet.explain``: the shapes of patches, kernel and output, and one
        output value computed by hand from its window. ``weights`` maps each weight's name
        to its value at the time of the forward pass (default: the current values)."""
        weights = weights or {v.name: v.value for v in self.weights}
        K = weights["kernel"]
        rows, cols = self.patches.shape
        lines = [f"patches P{l} (kernel[{l}] {tuple(K.shape)}): {rows} windows (m * {' * '.join(map(str, self.out_spatial))}) x {cols} "
                 f"numbers each ({' * '.join(map(str, self.kernel_size))} * {K.shape[-2]} channels)",
                 f"Z[{l}] = P{l} @ kernel[{l}].reshape({cols}, {self.filters})" + (f" + bias[{l}]" if self.use_bias else "")
                 + f"   {(rows, cols)} @ {(cols, self.filters)} -> {(rows, self.filters)}, "
                   f"as {tuple(self.z.shape)}"]
        # one output by hand: the middle position of sample 0, the filter with the largest |Z| there
        position = tuple(o // 2 for o in self.out_spatial)
        f = int(np.argmax(np.abs(self.z[(0,) + position])))
        win = self.window(x, 0, position)
        z = float(np.sum(win * K[..., f]))
        b = float(weights["bias"][f]) if self.use_bias else 0.0
        idx = ", ".join(map(str, position))
        name = activations.serialize(self.activation)
        lines.append(f"by hand, sample 0, position ({idx}), filter {f}: Z = sum(window * kernel[{l}][..., {f}])"
                     + (f" + bias[{l}][{f}]" if self.use_bias else "")
                     + f" = {z:.4g}" + (f" + {b:.4g} = {z + b:.4g}" if self.use_bias else ""))
        ranges, outside = self._window_ranges(position, x.shape)
        lines.append(f"    window = A[{l - 1}][0, {', '.join(ranges)}, :]"
                     + (" (indices outside the image are the zero padding)" if outside else "")
                     + f"; {name}(Z) = {float(out[(0,) + position + (f,)]):.4g} = A[{l}][0, {idx}, {f}]")
        return lines

    def _window_ranges(self, position, shape):
        pads = paddings(shape[1:-1], self.kernel_size, self.strides, self.dilation_rate, self.padding)
        parts, outside = [], False
        for p, s, k, d, (before, _), n in zip(position, self.strides, self.kernel_size, self.dilation_rate, pads,
                                              shape[1:-1]):
            start = p * s - before
            stop = start + (k - 1) * d + 1
            outside = outside or start < 0 or stop > n
            parts.append(f"{start}:{stop}" + (f":{d}" if d > 1 else ""))
        return parts, outside

    # -- ONNX ------------------------------------------------------------------------------
    def to_onnx(self, g, x):
        """ONNX's Conv is channels-first: transpose to NCHW, Conv, transpose back."""
        refuse_float64(g, self, "Conv")
        n = self.rank
        first = g.node("Transpose", [x], name="ToChannelsFirst", perm=[0, n + 1] + list(range(1, n + 1)))
        w = np.moveaxis(self.kernel.value, [-1, -2], [0, 1])                   # (F, C, *kernel)
        inputs = [first, g.initializer("kernel", w)]
        if self.use_bias:
            inputs.append(g.initializer("bias", self.bias.value))
        pads = self._onnx_pads()
        if pads is None:      # "same" depends on the input size: known when the model is built
            raise ValueError(f"export: layer {self.name!r} has padding='same' and an unknown input size")
        z = g.node("Conv", inputs, kernel_shape=list(self.kernel_size), strides=list(self.strides),
                   dilations=list(self.dilation_rate), pads=pads)
        last = g.node("Transpose", [z], name="ToChannelsLast", perm=[0] + list(range(2, n + 2)) + [1])
        return activation_to_onnx(g, self.activation, last, self)

    def _onnx_pads(self):
        spatial = self.input_shape[1:-1]
        if self.padding != "valid" and any(s is None for s in spatial):
            return None
        p = paddings(spatial, self.kernel_size, self.strides, self.dilation_rate, self.padding)
        return [b for b, _ in p] + [a for _, a in p]

    # -- config ----------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": list(self.kernel_size),
                "strides": list(self.strides), "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate), "groups": self.groups,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


class Conv2D(_Conv):
    """``A = g(conv(X, K) + b)`` over images ``(N, height, width, channels)``: each of the
    ``filters`` units slides a ``kernel_size`` window over the image (the patches-times-kernel
    product in this module's docstring). Kernel ``(kh, kw, in channels, filters)``, bias
    ``(filters,)``; glorot-uniform kernel and zero bias by default, as Keras.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Conv2D(8, (3, 3), strides=2)(np.zeros((1, 9, 9, 3))).shape
    TensorShape([1, 4, 4, 8])
    """

    rank = 2


class Conv1D(_Conv):
    """``A = g(conv(X, K) + b)`` over sequences ``(N, steps, channels)``: kernel
    ``(kernel_size, in channels, filters)``. ``padding`` may also be ``"causal"`` (pad before
    only: output ``t`` sees inputs up to ``t``).

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Conv1D(4, 3, padding="causal")(np.zeros((2, 10, 1))).shape
    TensorShape([2, 10, 4])
    """

    rank = 1
    _paddings = ("valid", "same", "causal")


class Conv3D(_Conv):
    """``A = g(conv(X, K) + b)`` over volumes ``(N, depth, height, width, channels)``: Conv2D's
    patches-times-kernel product with a third spatial axis (the same N-d code). Kernel
    ``(kd, kh, kw, in channels, filters)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Conv3D(2, 3, padding="same")(np.zeros((1, 4, 5, 6, 1))).shape
    TensorShape([1, 4, 5, 6, 2])
    """

    rank = 3
