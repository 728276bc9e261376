"""``tf.lite.TFLiteConverter.from_keras_model(model).convert()``: a Keras model as the bytes of a
real TFLite flatbuffer, which TensorFlow's own ``tf.lite.Interpreter`` runs (and glassnet's).

The model is walked as :mod:`glassnet.saving.onnx` walks it (a Sequential's layers in turn, a
functional graph's calls in order, nested models inside), each layer becoming (by its recipe in
:mod:`glassnet.lite.recipes`) a few float32
TFLite operators on NHWC tensors whose batch is dynamic (shape ``[1, ...]``, shape signature
``[-1, ...]``, as TensorFlow writes it)::

    Dense                -> FULLY_CONNECTED (weights [units, in]; relu/relu6 fused,
                            tanh, sigmoid, softmax -> TANH, LOGISTIC, SOFTMAX after it)
    Conv2D               -> CONV_2D (filters [out, h, w, in]; SAME/VALID, strides, dilation)
    DepthwiseConv2D      -> DEPTHWISE_CONV_2D      MaxPooling2D/AveragePooling2D -> *_POOL_2D
    Flatten, Reshape     -> RESHAPE [-1, ...]      Rescaling -> MUL, ADD
    BatchNormalization   -> MUL, ADD (its moving statistics folded into a scale and an offset)
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
from .recipes import MERGE, RECIPES

__all__ = ["TFLiteConverter", "Optimize", "OpsSet"]


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
        types = {str(getattr(t, "name", t)) for t in self.target_spec.supported_types}
        if types - {"float32"}:
            raise ValueError(f"TFLiteConverter: target_spec.supported_types={sorted(types)} is not supported: "
                             "glassnet writes float32 models only")
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
    klass = next((k for k in cls.__mro__ if k.__name__ in RECIPES and k.__module__.startswith("glassnet.")), None)
    if klass is None:
        raise ValueError(f"TFLiteConverter: {where}: glassnet cannot convert {cls.__name__} to TFLite "
                         f"(it converts {', '.join(sorted(RECIPES))})")
    changed = [k for k in cls.__mro__[:cls.__mro__.index(klass)] if "forward" in vars(k) or "call" in vars(k)]
    if changed:
        raise ValueError(f"TFLiteConverter: {where}: glassnet cannot convert {cls.__name__} to TFLite: "
                         f"{changed[0].__name__} changes what {klass.__name__} computes")
    recipe = RECIPES[klass.__name__]
    if takes_list != (klass.__name__ in MERGE):
        raise ValueError(f"TFLiteConverter: {where}: {cls.__name__} called on {len(xs)} tensors is not supported")
    with_prefix = b.prefix
    b.prefix = f"{with_prefix}/{layer.name}"
    try:
        return recipe(b, layer, xs if takes_list else xs[0], where)
    finally:
        b.prefix = with_prefix


