"""What each Keras layer becomes in a TFLite file: ``recipe(builder, layer, x, where) -> x``,
adding float32 operators to the :class:`~glassnet.lite.converter` builder ``b`` (``b.constant``
for weights, ``b.op`` for an operator, ``b.shapes`` for the shapes so far, batch None) and
returning the output tensor's index; ``where`` names the layer in errors. :data:`RECIPES`
maps a glassnet layer class's name to its recipe; layers that are identities at inference
(Dropout, noise, random augmentation) map to ``x`` itself.
"""
from __future__ import annotations

import numpy as np

from .kernels import conv_output_size

__all__ = ["RECIPES", "MERGE"]

_FUSED = {"linear": 0, "relu": 1, "relu6": 3}      # (TFLite's float kernels ignore a fused TANH)
_STANDALONE = {"relu": "RELU", "relu6": "RELU6", "tanh": "TANH", "sigmoid": "LOGISTIC", "softmax": "SOFTMAX"}
_IDENTITY = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
             "GaussianDropout", "AlphaDropout", "ActivityRegularization", "RandomFlip", "RandomRotation",
             "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness")


def _activation_name(fn, where: str) -> str:
    from .. import activations
    if fn is None:
        return "linear"
    for name in ("linear", "relu", "relu6", "tanh", "sigmoid", "softmax"):
        try:
            if activations.get(name) is fn:
                return name
        except (ValueError, KeyError):
            continue
    raise ValueError(f"TFLiteConverter: {where}: the activation {getattr(fn, '__name__', fn)!r} has no TFLite "
                     "operator in glassnet (linear, relu, relu6, tanh, sigmoid and softmax do)")


def _weight(v) -> np.ndarray:
    return np.asarray(v.numpy() if hasattr(v, "numpy") else v, dtype=np.float32)


def _after(b, x: int, act: str, where: str) -> int:
    """A standalone activation operator (nothing for linear)."""
    if act == "linear":
        return x
    if act == "softmax":
        return b.op("SOFTMAX", [x], b.shapes[x], "Softmax", beta=1.0)
    return b.op(_STANDALONE[act], [x], b.shapes[x], _STANDALONE[act].capitalize())


def _fused(layer, where: str) -> tuple:
    """(fused activation code, the activation left for its own operator)."""
    act = _activation_name(layer.activation, where)
    return (_FUSED[act], "linear") if act in _FUSED else (0, act)


def _dense(b, layer, x, where):
    kernel = _weight(layer.kernel)
    bias = _weight(layer.bias) if layer.use_bias else np.zeros(kernel.shape[1], np.float32)
    code, rest = _fused(layer, where)
    shape = b.shapes[x]
    y = b.op("FULLY_CONNECTED", [x, b.constant("MatMul", kernel.T), b.constant("BiasAdd", bias)],
             shape[:-1] + (kernel.shape[1],), "MatMul", fused_activation_function=code, keep_num_dims=len(shape) > 2)
    return _after(b, y, rest, where)


def _spatial(b, layer, x, where, kh, kw, dilation=(1, 1)):
    """Options and output shape of a 2D window operator (channels_last only)."""
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise ValueError(f"TFLiteConverter: {where}: data_format={layer.data_format!r}; TFLite is channels_last")
    if layer.padding not in ("same", "valid"):
        raise ValueError(f"TFLiteConverter: {where}: padding={layer.padding!r}; TFLite has 'same' and 'valid'")
    pad = layer.padding.upper()
    n, h, w, c = b.shapes[x]
    (sh, sw) = layer.strides
    oh = conv_output_size(h, kh, sh, dilation[0], pad)[0]
    ow = conv_output_size(w, kw, sw, dilation[1], pad)[0]
    return {"padding": 0 if pad == "SAME" else 1, "stride_h": sh, "stride_w": sw}, (n, oh, ow)


def _conv2d(b, layer, x, where):
    if getattr(layer, "groups", 1) != 1:
        raise ValueError(f"TFLiteConverter: {where}: groups={layer.groups} has no TFLite CONV_2D")
    kernel = _weight(layer.kernel)                   # [kh, kw, in, out]
    kh, kw, _, out = kernel.shape
    dh, dw = layer.dilation_rate
    options, shape = _spatial(b, layer, x, where, kh, kw, (dh, dw))
    bias = _weight(layer.bias) if layer.use_bias else np.zeros(out, np.float32)
    code, rest = _fused(layer, where)
    y = b.op("CONV_2D", [x, b.constant("convolution", kernel.transpose(3, 0, 1, 2)), b.constant("BiasAdd", bias)],
             shape + (out,), "convolution", fused_activation_function=code, dilation_h_factor=dh,
             dilation_w_factor=dw, **options)
    return _after(b, y, rest, where)


def _depthwise(b, layer, x, where):
    kernel = _weight(layer.depthwise_kernel if hasattr(layer, "depthwise_kernel") else layer.kernel)
    kh, kw, cin, mult = kernel.shape
    dh, dw = layer.dilation_rate
    options, shape = _spatial(b, layer, x, where, kh, kw, (dh, dw))
    bias = _weight(layer.bias) if layer.use_bias else np.zeros(cin * mult, np.float32)
    code, rest = _fused(layer, where)
    y = b.op("DEPTHWISE_CONV_2D", [x, b.constant("depthwise", kernel.reshape(1, kh, kw, cin * mult)),
                                   b.constant("BiasAdd", bias)], shape + (cin * mult,), "depthwise",
             fused_activation_function=code, depth_multiplier=mult, dilation_h_factor=dh, dilation_w_factor=dw,
             **options)
    return _after(b, y, rest, where)


def _pool(kind):
    def recipe(b, layer, x, where):
        kh, kw = layer.pool_size
        options, shape = _spatial(b, layer, x, where, kh, kw)
        return b.op(kind, [x], shape + (b.shapes[x][3],), kind.split("_")[0].capitalize() + "Pool2d",
                    filter_height=kh, filter_width=kw, fused_activation_function=0, **options)
    return recipe


def _reshape_to(b, x, shape, name):
    target = np.array((-1,) + tuple(shape[1:]), np.int32)
    return b.op("RESHAPE", [x, b.constant(f"{name}/shape", target)], shape, name)


def _flatten(b, layer, x, where):
    shape = b.shapes[x]
    return _reshape_to(b, x, (shape[0], int(np.prod(shape[1:], dtype=np.int64))), "Reshape")


def _reshape(b, layer, x, where):
    target = list(layer.target_shape)
    size = int(np.prod(b.shapes[x][1:], dtype=np.int64))
    if -1 in target:
        known = int(np.prod([d for d in target if d != -1], dtype=np.int64))
        target[target.index(-1)] = size // known
    return _reshape_to(b, x, (b.shapes[x][0],) + tuple(target), "Reshape")


def _rescaling(b, layer, x, where):
    shape = b.shapes[x]
    scale, offset = np.asarray(layer.scale, np.float32), np.asarray(layer.offset, np.float32)
    if not np.all(scale == 1):
        x = b.op("MUL", [x, b.constant("scale", scale)], shape, "mul", fused_activation_function=0)
    if not np.all(offset == 0):
        x = b.op("ADD", [x, b.constant("offset", offset)], shape, "add", fused_activation_function=0)
    return x


def _batch_normalization(b, layer, x, where):
    """Inference's ``gamma * (x - mean) / sqrt(variance + epsilon) + beta`` as one MUL and one ADD."""
    shape = b.shapes[x]
    if layer.axis not in (-1, len(shape) - 1) and list(np.atleast_1d(layer.axis)) not in ([-1], [len(shape) - 1]):
        raise ValueError(f"TFLiteConverter: {where}: BatchNormalization(axis={layer.axis}); glassnet converts "
                         "the last axis (channels_last) only")
    variance, mean = _weight(layer.moving_variance), _weight(layer.moving_mean)
    gamma = _weight(layer.gamma) if layer.scale else np.ones_like(mean)
    beta = _weight(layer.beta) if layer.center else np.zeros_like(mean)
    a = (gamma / np.sqrt(variance + np.float32(layer.epsilon))).astype(np.float32)
    x = b.op("MUL", [x, b.constant("scale", a)], shape, "mul", fused_activation_function=0)
    return b.op("ADD", [x, b.constant("offset", (beta - mean * a).astype(np.float32))], shape, "add",
                fused_activation_function=0)


def _global_pool(kind):
    def recipe(b, layer, x, where):
        if getattr(layer, "data_format", "channels_last") != "channels_last":
            raise ValueError(f"TFLiteConverter: {where}: data_format={layer.data_format!r}; TFLite is channels_last")
        shape = b.shapes[x]
        axes = list(range(1, len(shape) - 1))
        keep = bool(getattr(layer, "keepdims", False))
        out = tuple(1 if (i in axes) else d for i, d in enumerate(shape)) if keep else (shape[0], shape[-1])
        return b.op(kind, [x, b.constant("axes", np.array(axes, np.int32))], out,
                    "Mean" if kind == "MEAN" else "Max", keep_dims=keep)
    return recipe


def _activation_layer(b, layer, x, where):
    return _after(b, x, _activation_name(layer.activation, where), where)


def _relu_layer(b, layer, x, where):
    if getattr(layer, "negative_slope", 0) or getattr(layer, "threshold", 0) or layer.max_value not in (None, 6):
        raise ValueError(f"TFLiteConverter: {where}: ReLU(max_value={layer.max_value}, negative_slope="
                         f"{layer.negative_slope}, threshold={layer.threshold}) has no TFLite operator; "
                         "ReLU() and ReLU(max_value=6) do")
    return _after(b, x, "relu" if layer.max_value is None else "relu6", where)


def _softmax_layer(b, layer, x, where):
    axis = layer.axis if isinstance(layer.axis, int) else tuple(layer.axis)
    if axis not in (-1, len(b.shapes[x]) - 1, (-1,)):
        raise ValueError(f"TFLiteConverter: {where}: Softmax(axis={layer.axis}); TFLite's SOFTMAX acts on the last axis")
    return _after(b, x, "softmax", where)


def _concatenate(b, layer, xs, where):
    shapes = [b.shapes[x] for x in xs]
    axis = layer.axis % len(shapes[0])
    out = list(shapes[0])
    out[axis] = sum(s[axis] for s in shapes)
    return b.op("CONCATENATION", xs, tuple(out), "concat", axis=axis, fused_activation_function=0)


def _merge(kind):
    def recipe(b, layer, xs, where):
        if kind == "SUB" and len(xs) != 2:
            raise ValueError(f"TFLiteConverter: {where}: Subtract takes 2 tensors, got {len(xs)}")
        y = xs[0]
        for i, x in enumerate(xs[1:]):
            shape = tuple(np.broadcast_shapes(tuple(d or 1 for d in b.shapes[y]), tuple(d or 1 for d in b.shapes[x])))
            y = b.op(kind, [y, x], (None,) + shape[1:], f"{kind.lower()}_{i}" if i else kind.lower(),
                     fused_activation_function=0)
        return y
    return recipe


RECIPES = {
    "Dense": _dense, "Conv2D": _conv2d, "DepthwiseConv2D": _depthwise,
    "MaxPooling2D": _pool("MAX_POOL_2D"), "AveragePooling2D": _pool("AVERAGE_POOL_2D"),
    "Flatten": _flatten, "Reshape": _reshape, "Rescaling": _rescaling, "BatchNormalization": _batch_normalization,
    "GlobalAveragePooling2D": _global_pool("MEAN"), "GlobalMaxPooling2D": _global_pool("REDUCE_MAX"),
    "GlobalAveragePooling1D": _global_pool("MEAN"), "GlobalMaxPooling1D": _global_pool("REDUCE_MAX"),
    "Activation": _activation_layer, "ReLU": _relu_layer, "Softmax": _softmax_layer,
    "Concatenate": _concatenate, "Add": _merge("ADD"), "Subtract": _merge("SUB"), "Multiply": _merge("MUL"),
    "InputLayer": lambda b, layer, x, where: x,
}
RECIPES.update({name: (lambda b, layer, x, where: x) for name in _IDENTITY})
MERGE = ("Concatenate", "Add", "Subtract", "Multiply")
