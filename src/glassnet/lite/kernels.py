"""The TFLite builtin operators glassnet's :class:`~glassnet.lite.Interpreter` runs, in NumPy,
float32 (and the int32 shape arithmetic TensorFlow's converter writes around a Flatten).

Each kernel is ``kernel(inputs, options) -> output``: ``inputs`` the operator's input arrays
(``None`` for an optional input left out, as FULLY_CONNECTED's bias ``-1``), ``options`` its
builtin options (:data:`glassnet.lite.schema.OPTIONS`). Layouts are TFLite's: NHWC activations,
CONV_2D filters ``[out, h, w, in]``, DEPTHWISE_CONV_2D filters ``[1, h, w, in * multiplier]``,
FULLY_CONNECTED weights ``[units, in]``. SAME padding puts the odd pixel after, as TensorFlow.

>>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
>>> KERNELS["MAX_POOL_2D"]([x], {"padding": 1, "stride_w": 2, "stride_h": 2, "filter_width": 2,
...                              "filter_height": 2, "fused_activation_function": 0})[0, :, :, 0]
array([[ 5.,  7.],
       [13., 15.]], dtype=float32)
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .schema import ACTIVATIONS, PADDING

__all__ = ["KERNELS", "fused", "conv_output_size"]


def fused(x, code: int):
    """Apply a fused activation (``fused_activation_function``) to ``x``."""
    name = ACTIVATIONS.get(code, code)
    if name is None:
        return x
    if name == "RELU":
        return np.maximum(x, 0, dtype=x.dtype)
    if name == "RELU6":
        return np.clip(x, 0, 6).astype(x.dtype, copy=False)
    if name == "RELU_N1_TO_1":
        return np.clip(x, -1, 1).astype(x.dtype, copy=False)
    raise ValueError(f"TFLite: fused activation {name} is not supported by glassnet's interpreter "
                     "(TFLite's float kernels apply only RELU, RELU_N1_TO_1 and RELU6)")


def conv_output_size(size: int, k: int, stride: int, dilation: int, padding: str) -> tuple:
    """``(output size, padding before, padding after)`` along one spatial axis."""
    span = (k - 1) * dilation + 1
    if padding == "VALID":
        return (size - span) // stride + 1, 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return out, total // 2, total - total // 2


def _windows(x, kh, kw, options, fill=0.0):
    """``x`` [n, h, w, c] padded as the options say, cut into windows [n, oh, ow, c, kh, kw]
    (every ``stride``-th, dilated)."""
    if options["padding"] not in PADDING:
        raise ValueError(f"padding {options['padding']} is neither SAME (0) nor VALID (1)")
    padding = PADDING[options["padding"]]
    sh, sw = options["stride_h"], options["stride_w"]
    dh, dw = options.get("dilation_h_factor", 1), options.get("dilation_w_factor", 1)
    if min(sh, sw, dh, dw, kh, kw) < 1:
        raise ValueError(f"strides ({sh}, {sw}), dilations ({dh}, {dw}) and window ({kh}, {kw}) must be 1 or more")
    oh, top, bottom = conv_output_size(x.shape[1], kh, sh, dh, padding)
    ow, left, right = conv_output_size(x.shape[2], kw, sw, dw, padding)
    padded = x.shape[0] * (x.shape[1] + top + bottom) * (x.shape[2] + left + right) * x.shape[3]
    if padded > 2 ** 30:
        raise ValueError(f"padding {list(x.shape)} by ({top}, {bottom}), ({left}, {right}) would make "
                         f"{padded} elements (glassnet's limit: 2**30)")
    if top or bottom or left or right:
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    win = sliding_window_view(x, (span_h, span_w), axis=(1, 2))[:, ::sh, ::sw, :, ::dh, ::dw]
    return win[:, :oh, :ow]


def conv_2d(inputs, options):
    x, w, b = inputs
    win = _windows(x, w.shape[1], w.shape[2], options)          # [n, oh, ow, cin, kh, kw]
    y = np.einsum("nhwcij,oijc->nhwo", win, w, optimize=True).astype(x.dtype, copy=False)
    if b is not None:
        y = y + b
    return fused(y, options["fused_activation_function"])


def depthwise_conv_2d(inputs, options):
    x, w, b = inputs
    cin = x.shape[3]
    mult = w.shape[3] // cin
    win = _windows(x, w.shape[1], w.shape[2], options)          # [n, oh, ow, cin, kh, kw]
    k = w[0].reshape(w.shape[1], w.shape[2], cin, mult)
    y = np.einsum("nhwcij,ijcm->nhwcm", win, k, optimize=True).reshape(win.shape[:3] + (cin * mult,))
    y = y.astype(x.dtype, copy=False)
    if b is not None:
        y = y + b
    return fused(y, options["fused_activation_function"])


def _pool(inputs, options, reduce):
    (x,) = inputs
    kh, kw = options["filter_height"], options["filter_width"]
    if reduce == "max":
        y = _windows(x, kh, kw, options, fill=-np.inf).max(axis=(4, 5))
    else:                                   # the mean of the pixels inside the image (SAME's pad not counted)
        total = _windows(x, kh, kw, options).sum(axis=(4, 5))
        count = _windows(np.ones(x.shape[:3] + (1,), x.dtype), kh, kw, options).sum(axis=(4, 5))
        y = total / count
    return fused(y.astype(x.dtype, copy=False), options["fused_activation_function"])


def fully_connected(inputs, options):
    x, w, b = (list(inputs) + [None])[:3]
    units, depth = w.shape
    flat = x.reshape(-1, depth)
    y = flat @ w.T
    if b is not None:
        y = y + b
    if options.get("keep_num_dims"):
        y = y.reshape(x.shape[:-1] + (units,))
    return fused(y.astype(x.dtype, copy=False), options["fused_activation_function"])


def softmax(inputs, options):
    (x,) = inputs
    z = x * np.asarray(options.get("beta", 1.0), x.dtype)
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return (z / z.sum(axis=-1, keepdims=True)).astype(x.dtype, copy=False)


def _logistic(x):
    with np.errstate(over="ignore"):                 # exp(-x) for x < -88 is inf: the result 0
        return (1 / (1 + np.exp(-x))).astype(x.dtype, copy=False)


def _binary(f):
    def kernel(inputs, options):
        a, b = inputs
        return fused(f(a, b).astype(np.result_type(a, b), copy=False), options.get("fused_activation_function", 0))
    return kernel


def reshape(inputs, options):
    x = inputs[0]
    shape = inputs[1] if len(inputs) > 1 and inputs[1] is not None else options.get("new_shape")
    if shape is None:
        raise ValueError("TFLite RESHAPE: neither a shape input nor new_shape")
    shape = [int(d) for d in np.asarray(shape).reshape(-1)]
    try:
        return x.reshape(shape)
    except ValueError:
        raise ValueError(f"TFLite RESHAPE: cannot reshape {x.shape} to {shape}") from None


def _reduce(f):
    def kernel(inputs, options):
        x, axes = inputs
        axes = tuple(int(a) % x.ndim for a in np.asarray(axes).reshape(-1))
        return f(x, axis=axes, keepdims=bool(options.get("keep_dims"))).astype(x.dtype, copy=False)
    return kernel


def concatenation(inputs, options):
    axis = options["axis"] % inputs[0].ndim
    return fused(np.concatenate(inputs, axis=axis), options["fused_activation_function"])


def strided_slice(inputs, options):
    x, begin, end, strides = (np.asarray(a).reshape(-1) for a in inputs)
    if options.get("ellipsis_mask") or options.get("new_axis_mask") or options.get("offset"):
        raise ValueError("TFLite STRIDED_SLICE: ellipsis_mask, new_axis_mask and offset are not supported "
                         "by glassnet's interpreter")
    index = []
    for i in range(len(begin)):
        if options["shrink_axis_mask"] >> i & 1:
            index.append(int(begin[i]))
            continue
        start = None if options["begin_mask"] >> i & 1 else int(begin[i])
        stop = None if options["end_mask"] >> i & 1 else int(end[i])
        index.append(slice(start, stop, int(strides[i])))
    return np.asarray(inputs[0][tuple(index)])


def space_to_batch_nd(inputs, options):
    """The blocks of a dilated convolution's input: [n, h, w, c] padded, every (i, j)-th pixel of
    each ``block`` as its own image: [bh * bw * n, h / bh, w / bw, c] (TensorFlow's order)."""
    x, block, pads = inputs[0], np.asarray(inputs[1]).reshape(-1), np.asarray(inputs[2]).reshape(-1, 2)
    widths = [(0, 0)] + [tuple(int(p) for p in row) for row in pads] + [(0, 0)] * (x.ndim - 1 - len(block))
    if min(min(w) for w in widths) < 0 or min(int(b) for b in block) < 1 or \
            np.prod([d + a + b for d, (a, b) in zip(x.shape, widths)], dtype=np.float64) > 2 ** 30:
        raise ValueError(f"block {block.tolist()} and paddings {pads.tolist()} on {list(x.shape)}: blocks must be "
                         "1 or more, paddings 0 or more, the padded tensor at most 2**30 elements")
    x = np.pad(x, widths)
    n, spatial, rest = x.shape[0], x.shape[1:1 + len(block)], x.shape[1 + len(block):]
    shape = [n]
    for size, b in zip(spatial, block):
        shape += [size // int(b), int(b)]
    y = x.reshape(shape + list(rest))
    k = len(block)
    order = [2 + 2 * i for i in range(k)] + [0] + [1 + 2 * i for i in range(k)] + list(range(1 + 2 * k, y.ndim))
    return y.transpose(order).reshape([n * int(np.prod(block))] + [s // int(b) for s, b in zip(spatial, block)]
                                      + list(rest))


def batch_to_space_nd(inputs, options):
    """The inverse of :func:`space_to_batch_nd`, then ``crops`` cut off."""
    x, block, crops = inputs[0], np.asarray(inputs[1]).reshape(-1), np.asarray(inputs[2]).reshape(-1, 2)
    k = len(block)
    if min(int(b) for b in block) < 1 or crops.min() < 0 or x.shape[0] % int(np.prod(block)):
        raise ValueError(f"block {block.tolist()} and crops {crops.tolist()} on {list(x.shape)}: blocks must be "
                         "1 or more and divide the batch, crops 0 or more")
    n = x.shape[0] // int(np.prod(block))
    spatial, rest = x.shape[1:1 + k], x.shape[1 + k:]
    y = x.reshape([int(b) for b in block] + [n] + list(spatial) + list(rest))
    order = [k]
    for i in range(k):
        order += [k + 1 + i, i]
    y = y.transpose(order + list(range(2 * k + 1, y.ndim)))
    y = y.reshape([n] + [s * int(b) for s, b in zip(spatial, block)] + list(rest))
    index = [slice(None)] + [slice(int(c0), y.shape[1 + i] - int(c1)) for i, (c0, c1) in enumerate(crops)]
    return y[tuple(index)]


def pack(inputs, options):
    return np.stack([np.asarray(a) for a in inputs], axis=options["axis"])


def squeeze(inputs, options):
    (x,) = inputs
    dims = options.get("squeeze_dims") or [i for i, d in enumerate(x.shape) if d == 1]
    return np.squeeze(x, axis=tuple(d % x.ndim for d in dims))


KERNELS = {
    "CONV_2D": conv_2d,
    "DEPTHWISE_CONV_2D": depthwise_conv_2d,
    "MAX_POOL_2D": lambda i, o: _pool(i, o, "max"),
    "AVERAGE_POOL_2D": lambda i, o: _pool(i, o, "mean"),
    "FULLY_CONNECTED": fully_connected,
    "SOFTMAX": softmax,
    "LOGISTIC": lambda i, o: _logistic(i[0]),
    "TANH": lambda i, o: np.tanh(i[0]),
    "RELU": lambda i, o: fused(i[0], 1),
    "RELU6": lambda i, o: fused(i[0], 3),
    "ADD": _binary(np.add),
    "SUB": _binary(np.subtract),
    "MUL": _binary(np.multiply),
    "RESHAPE": reshape,
    "MEAN": _reduce(np.mean),
    "REDUCE_MAX": _reduce(np.max),
    "CONCATENATION": concatenation,
    "SHAPE": lambda i, o: np.asarray(i[0].shape, dtype=np.int64 if o.get("out_type") == 4 else np.int32),
    "STRIDED_SLICE": strided_slice,
    "PACK": pack,
    "SPACE_TO_BATCH_ND": space_to_batch_nd,
    "BATCH_TO_SPACE_ND": batch_to_space_nd,
    "SQUEEZE": squeeze,
}
