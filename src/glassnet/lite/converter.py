"""``tf.lite.TFLiteConverter.from_keras_model(model).convert()``: a Keras model as the bytes of a
real TFLite flatbuffer, which TensorFlow's own ``tf.lite.Interpreter`` runs (and glassnet's).

The model is walked as :mod:`glassnet.saving.onnx` walks it (a Sequential's layers in turn, a
functional graph's calls in order, nested models inside), each layer becoming a few float32
TFLite operators on NHWC tensors whose batch is dynamic (shape ``[1, ...]``, shape signature
``[-1, ...]``, as TensorFlow writes it)::

    Dense                -> FULLY_CONNECTED (weights [units, in]; relu/relu6 fused,
                            tanh, sigmoid, softmax -> TANH, LOGISTIC, SOFTMAX after it)
    Conv2D               -> CONV_2D (filters [out, h, w, in]; SAME/VALID, strides, dilation)
    DepthwiseConv2D      -> DEPTHWISE_CONV_2D      MaxPooling2D/AveragePooling2D -> *_POOL_2D
    Flatten, Reshape     -> RESHAPE [-1, ...]      Rescaling -> MUL, ADD
    GlobalAverage/MaxPooling2D -> MEAN/REDUCE_MAX  Concatenate/Add/Subtract/Multiply -> ...
    Activation, ReLU, Softmax -> RELU, RELU6, TANH, LOGISTIC, SOFTMAX
    Dropout, noise and the random augmentation layers -> nothing (they are identities at inference)

Anything else is refused before any byte is made, naming the layer (and its place). The file
has TensorFlow's ``serving_default`` signature: inputs named after the model's Input tensors
(``keras_tensor``, ``keras_tensor_15``, or the name given to ``Input(name=...)``), outputs
``output_0``, ``output_1``...
"""
from __future__ import annotations

import numpy as np

from . import schema
from .kernels import conv_output_size

__all__ = ["TFLiteConverter", "Optimize", "OpsSet"]

_FUSED = {"linear": 0, "relu": 1, "relu6": 3}      # (TFLite's float kernels ignore a fused TANH)
_STANDALONE = {"relu": "RELU", "relu6": "RELU6", "tanh": "TANH", "sigmoid": "LOGISTIC", "softmax": "SOFTMAX"}
_IDENTITY = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
             "GaussianDropout", "AlphaDropout", "ActivityRegularization", "RandomFlip", "RandomRotation",
             "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness")


class Optimize:
    """``tf.lite.Optimize``: glassnet writes float32 files only; setting an optimization is refused."""
    DEFAULT = "DEFAULT"
    OPTIMIZE_FOR_SIZE = "OPTIMIZE_FOR_SIZE"
    OPTIMIZE_FOR_LATENCY = "OPTIMIZE_FOR_LATENCY"
    EXPERIMENTAL_SPARSITY = "EXPERIMENTAL_SPARSITY"


class OpsSet:
    """``tf.lite.OpsSet``: glassnet's files use TFLite builtin operators only."""
    TFLITE_BUILTINS = "TFLITE_BUILTINS"
    SELECT_TF_OPS = "SELECT_TF_OPS"
    TFLITE_BUILTINS_INT8 = "TFLITE_BUILTINS_INT8"


class _TargetSpec:
    def __init__(self):
        self.supported_ops = {OpsSet.TFLITE_BUILTINS}
        self.supported_types = set()


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


class _Builder:
    """The subgraph being written: tensors, their weights' buffers, operators."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.tensors, self.buffers, self.operators = [], [b""], []
        self.shapes = []                        # each tensor's shape with None for the batch

    def constant(self, name: str, array) -> int:
        array = np.ascontiguousarray(array)
        self.buffers.append(array.astype(array.dtype.newbyteorder("<")).tobytes())
        self.tensors.append(schema.Tensor(f"{self.prefix}/{name}", tuple(array.shape), array.dtype.type,
                                          len(self.buffers) - 1))
        self.shapes.append(tuple(array.shape))
        return len(self.tensors) - 1

    def activation(self, name: str, shape) -> int:
        shape = tuple(shape)
        self.tensors.append(schema.Tensor(name, (1,) + shape[1:], np.float32, 0, (-1,) + shape[1:]))
        self.shapes.append(shape)
        return len(self.tensors) - 1

    def op(self, kind: str, inputs, shape, name: str, **options) -> int:
        out = self.activation(f"{self.prefix}/{name}", shape)
        self.operators.append(schema.Operator(kind, list(inputs), [out], options))
        return out


class TFLiteConverter:
    """``tf.lite.TFLiteConverter.from_keras_model(model)``; ``convert()`` returns the file's bytes."""

    def __init__(self, model):
        self._model = model
        self.optimizations = []
        self.target_spec = _TargetSpec()
        self.representative_dataset = None
        self.inference_input_type = None
        self.inference_output_type = None
        self.allow_custom_ops = False
        self.experimental_new_converter = True

    @classmethod
    def from_keras_model(cls, model) -> "TFLiteConverter":
        from ..engine.model import Model
        if not isinstance(model, Model):
            raise ValueError(f"TFLiteConverter.from_keras_model: model must be a Keras model, got "
                             f"{type(model).__name__}")
        return cls(model)

    @classmethod
    def from_saved_model(cls, saved_model_dir, signature_keys=None, tags=None):
        raise ValueError("TFLiteConverter.from_saved_model: glassnet converts Keras models; load the model and "
                         "use TFLiteConverter.from_keras_model(model)")

    @classmethod
    def from_concrete_functions(cls, funcs, trackable_obj=None):
        raise ValueError("TFLiteConverter.from_concrete_functions: glassnet converts Keras models; use "
                         "TFLiteConverter.from_keras_model(model)")

    def convert(self) -> bytes:
        if self.optimizations:
            raise ValueError(f"TFLiteConverter: optimizations={self.optimizations!r} (quantization) is not "
                             "supported: glassnet writes float32 models; leave optimizations empty")
        if self.representative_dataset is not None:
            raise ValueError("TFLiteConverter: representative_dataset (integer quantization) is not supported")
        return schema.encode(build(self._model))


def _check_dtype(model) -> None:
    for v in model.weights:
        dtype = np.dtype(getattr(v, "dtype", np.float32))
        if dtype.kind == "f" and dtype != np.float32:
            raise ValueError(f"TFLiteConverter: the weight {getattr(v, 'path', getattr(v, 'name', '?'))} is {dtype}; "
                             "glassnet writes float32 TFLite models only")


def build(model) -> schema.LiteModel:
    """The model as a :class:`~glassnet.lite.schema.LiteModel` (checked before anything is written)."""
    _check_dtype(model)
    b = _Builder(model.name)
    graph = model._graph
    if graph is not None:
        roots = list(graph.inputs)
        names = [r.keras_tensor_name or r.name for r in roots]
        inputs = [b.activation(f"serving_default_{n}:0", r.shape) for n, r in zip(names, roots)]
        outputs = _functional(b, model, inputs)
    else:
        if not model.built or model.input_shape is None:
            raise ValueError(f"TFLiteConverter: the model {model.name!r} is not built, so its input shape is "
                             "unknown: call model.build((None, ...)), fit, or predict first, or start it with "
                             "Input(shape=...)")
        root = model.__dict__.get("_root")
        names = [getattr(root, "keras_tensor_name", None) or "keras_tensor"]
        inputs = [b.activation(f"serving_default_{names[0]}:0", model.input_shape)]
        outputs = [_sequential(b, model, inputs[0])]
    for k, out in enumerate(outputs):
        if out in inputs or out in outputs[:k]:         # an output that is an input: copy it through RESHAPE
            shape = b.shapes[out]
            out = outputs[k] = b.op("RESHAPE", [out, b.constant(f"identity_{k}", np.array((-1,) + shape[1:], np.int32))],
                                    shape, f"identity_{k}")
        b.tensors[out].name = f"StatefulPartitionedCall_1:{k}"
    signature = ("serving_default", list(zip(names, inputs)), [(f"output_{k}", o) for k, o in enumerate(outputs)])
    return schema.LiteModel(b.tensors, b.operators, inputs, outputs, b.buffers, signature, "glassnet")


def _sequential(b: _Builder, model, x: int) -> int:
    for i, layer in enumerate(model.layers):
        x = _layer(b, layer, [x], f"layer {i} ({layer.name!r}) of {model.name!r}")
    return x


def _functional(b: _Builder, model, inputs: list) -> list:
    graph = model._graph
    values = {id(r): t for r, t in zip(graph.inputs, inputs)}
    for node in graph.order:
        given = [values[id(p)] for p in node.parents]
        values[id(node)] = _layer(b, node.layer, given, f"layer {node.layer.name!r} of {model.name!r}",
                                  takes_list=node.takes_list)
    return [values[id(o)] for o in graph.outputs]


def _layer(b: _Builder, layer, xs: list, where: str, takes_list: bool = False) -> int:
    from ..engine.model import Model
    if isinstance(layer, Model):
        if layer._graph is not None:
            outs = _functional(b, layer, xs)
            if len(outs) != 1:
                raise ValueError(f"TFLiteConverter: {where}: a nested model with {len(outs)} outputs is not supported")
            return outs[0]
        return _sequential(b, layer, xs[0])
    cls = type(layer)
    klass = next((k for k in cls.__mro__ if k.__name__ in _RECIPES and k.__module__.startswith("glassnet.")), None)
    if klass is None:
        raise ValueError(f"TFLiteConverter: {where}: glassnet cannot convert {cls.__name__} to TFLite "
                         f"(it converts {', '.join(sorted(_RECIPES))})")
    changed = [k for k in cls.__mro__[:cls.__mro__.index(klass)] if "forward" in vars(k) or "call" in vars(k)]
    if changed:
        raise ValueError(f"TFLiteConverter: {where}: glassnet cannot convert {cls.__name__} to TFLite: "
                         f"{changed[0].__name__} changes what {klass.__name__} computes")
    recipe = _RECIPES[klass.__name__]
    if takes_list != (klass.__name__ in _MERGE):
        raise ValueError(f"TFLiteConverter: {where}: {cls.__name__} called on {len(xs)} tensors is not supported")
    with_prefix = b.prefix
    b.prefix = f"{with_prefix}/{layer.name}"
    try:
        return recipe(b, layer, xs if takes_list else xs[0], where)
    finally:
        b.prefix = with_prefix


def _weight(v) -> np.ndarray:
    return np.asarray(v.numpy() if hasattr(v, "numpy") else v, dtype=np.float32)


def _after(b: _Builder, x: int, act: str, where: str) -> int:
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


_RECIPES = {
    "Dense": _dense, "Conv2D": _conv2d, "DepthwiseConv2D": _depthwise,
    "MaxPooling2D": _pool("MAX_POOL_2D"), "AveragePooling2D": _pool("AVERAGE_POOL_2D"),
    "Flatten": _flatten, "Reshape": _reshape, "Rescaling": _rescaling,
    "GlobalAveragePooling2D": _global_pool("MEAN"), "GlobalMaxPooling2D": _global_pool("REDUCE_MAX"),
    "GlobalAveragePooling1D": _global_pool("MEAN"), "GlobalMaxPooling1D": _global_pool("REDUCE_MAX"),
    "Activation": _activation_layer, "ReLU": _relu_layer, "Softmax": _softmax_layer,
    "Concatenate": _concatenate, "Add": _merge("ADD"), "Subtract": _merge("SUB"), "Multiply": _merge("MUL"),
    "InputLayer": lambda b, layer, x, where: x,
}
_RECIPES.update({name: (lambda b, layer, x, where: x) for name in _IDENTITY})
_MERGE = ("Concatenate", "Add", "Subtract", "Multiply")
