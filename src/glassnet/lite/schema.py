"""The TFLite model file (tensorflow/lite/schema/schema.fbs) as plain Python: :class:`LiteModel`
(one subgraph: tensors, operators, inputs, outputs; the weights' buffers; a signature) to and
from the bytes of a ``.tflite`` flatbuffer, through :mod:`glassnet.lite.flatbuffer`.

Only what float32 inference needs is described: the builtin operators in :data:`OPTIONS`
(their option tables, field by field, with the schema's slot numbers and defaults). A file
using anything else is read but refused by the interpreter, naming the operator.

>>> m = LiteModel([Tensor("x", (1, 2), np.float32, shape_signature=(-1, 2)),
...                Tensor("y", (1, 2), np.float32)], [Operator("RELU", [0], [1])], [0], [1],
...               buffers=[b""], signature=("serving_default", [("x", 0)], [("output_0", 1)]))
>>> back = decode(encode(m))
>>> [t.name for t in back.tensors], back.operators[0].op, back.signature
(['x', 'y'], 'RELU', ('serving_default', [('x', 0)], [('output_0', 1)]))
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .flatbuffer import FlatbufferError, Table, View, encode as encode_flatbuffer

__all__ = ["LiteModel", "Tensor", "Operator", "encode", "decode", "BUILTIN", "ACTIVATIONS", "PADDING"]

IDENTIFIER = b"TFL3"
SCHEMA_VERSION = 3

# BuiltinOperator codes (the schema's enum) of the operators glassnet reads and writes
BUILTIN = {"ADD": 0, "AVERAGE_POOL_2D": 1, "CONCATENATION": 2, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 4,
           "FULLY_CONNECTED": 9, "LOGISTIC": 14, "MAX_POOL_2D": 17, "MUL": 18, "RELU": 19, "RELU6": 21,
           "RESHAPE": 22, "SOFTMAX": 25, "BATCH_TO_SPACE_ND": 37, "SPACE_TO_BATCH_ND": 38, "TANH": 28, "MEAN": 40, "SUB": 41, "SQUEEZE": 43,
           "STRIDED_SLICE": 45, "SHAPE": 77, "REDUCE_MAX": 82, "PACK": 83}
_NAMES = {code: name for name, code in BUILTIN.items()}

# TensorType <-> NumPy
_TYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 6: np.bool_, 7: np.int16,
          9: np.int8, 10: np.float64}
_TYPE_CODES = {np.dtype(t): code for code, t in _TYPES.items()}

ACTIVATIONS = {0: None, 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}
PADDING = {0: "SAME", 1: "VALID"}

_ACT = ("fused_activation_function", "b", 0)
# builtin operator -> (BuiltinOptions union index, [(option, slot, format, default)])
OPTIONS = {
    "CONV_2D": (1, [("padding", 0, "b", 0), ("stride_w", 1, "i", 0), ("stride_h", 2, "i", 0), (_ACT[0], 3, "b", 0),
                    ("dilation_w_factor", 4, "i", 1), ("dilation_h_factor", 5, "i", 1)]),
    "DEPTHWISE_CONV_2D": (2, [("padding", 0, "b", 0), ("stride_w", 1, "i", 0), ("stride_h", 2, "i", 0),
                              ("depth_multiplier", 3, "i", 0), (_ACT[0], 4, "b", 0),
                              ("dilation_w_factor", 5, "i", 1), ("dilation_h_factor", 6, "i", 1)]),
    "AVERAGE_POOL_2D": (5, [("padding", 0, "b", 0), ("stride_w", 1, "i", 0), ("stride_h", 2, "i", 0),
                            ("filter_width", 3, "i", 0), ("filter_height", 4, "i", 0), (_ACT[0], 5, "b", 0)]),
    "FULLY_CONNECTED": (8, [(_ACT[0], 0, "b", 0), ("weights_format", 1, "b", 0), ("keep_num_dims", 2, "?", False)]),
    "SOFTMAX": (9, [("beta", 0, "f", 0.0)]),
    "CONCATENATION": (10, [("axis", 0, "i", 0), (_ACT[0], 1, "b", 0)]),
    "ADD": (11, [(_ACT[0], 0, "b", 0)]),
    "RESHAPE": (17, [("new_shape", 0, "vec:<i4", None)]),
    "MUL": (21, [(_ACT[0], 0, "b", 0)]),
    "BATCH_TO_SPACE_ND": (24, []),
    "SPACE_TO_BATCH_ND": (25, []),
    "MEAN": (27, [("keep_dims", 0, "?", False)]),
    "SUB": (28, [(_ACT[0], 0, "b", 0)]),
    "SQUEEZE": (30, [("squeeze_dims", 0, "vec:<i4", None)]),
    "STRIDED_SLICE": (32, [("begin_mask", 0, "i", 0), ("end_mask", 1, "i", 0), ("ellipsis_mask", 2, "i", 0),
                           ("new_axis_mask", 3, "i", 0), ("shrink_axis_mask", 4, "i", 0), ("offset", 5, "?", False)]),
    "SHAPE": (55, [("out_type", 0, "b", 2)]),
    "PACK": (59, [("values_count", 0, "i", 0), ("axis", 1, "i", 0)]),
}
OPTIONS["MAX_POOL_2D"] = OPTIONS["AVERAGE_POOL_2D"]
OPTIONS["REDUCE_MAX"] = OPTIONS["MEAN"]


@dataclass
class Tensor:
    name: str
    shape: tuple
    dtype: type
    buffer: int = 0                          # 0: no data (an activation); else an index into buffers
    shape_signature: tuple | None = None     # -1 for a dimension of any size (the batch)


@dataclass
class Operator:
    op: str                                  # "CONV_2D", ... (or "<code N>" for one glassnet lacks)
    inputs: list
    outputs: list
    options: dict = field(default_factory=dict)


@dataclass
class LiteModel:
    tensors: list
    operators: list
    inputs: list
    outputs: list
    buffers: list = field(default_factory=lambda: [b""])
    signature: tuple | None = None           # (key, [(name, tensor)], [(name, tensor)])
    description: str = "glassnet"
    subgraph_name: str = "main"


def _tensor_table(t: Tensor) -> Table:
    return Table([(0, "vec:<i4", list(t.shape)), (1, "b", _TYPE_CODES[np.dtype(t.dtype)]), (2, "I", t.buffer),
                  (3, "str", t.name),
                  (7, "vec:<i4", None if t.shape_signature is None else list(t.shape_signature))])


def _operator_table(op: Operator, opcode_index: int) -> Table:
    fields = [(0, "I", opcode_index), (1, "vec:<i4", op.inputs), (2, "vec:<i4", op.outputs)]
    if op.op in OPTIONS:
        union, spec = OPTIONS[op.op]
        values = [(slot, fmt, op.options.get(name, default)) for name, slot, fmt, default in spec]
        fields += [(3, "B", union), (4, "table", Table(values))]
    return Table(fields)


def encode(model: LiteModel) -> bytes:
    """The ``.tflite`` bytes of ``model``."""
    codes = list(dict.fromkeys(op.op for op in model.operators))
    for name in codes:
        if name not in BUILTIN:
            raise ValueError(f"encode: glassnet does not write the TFLite operator {name!r}")
    opcodes = [Table([(0, "b", min(BUILTIN[c], 127)), (2, "i", 1), (3, "i", BUILTIN[c])]) for c in codes]
    subgraph = Table([(0, "tables", [_tensor_table(t) for t in model.tensors]), (1, "vec:<i4", model.inputs),
                      (2, "vec:<i4", model.outputs),
                      (3, "tables", [_operator_table(op, codes.index(op.op)) for op in model.operators]),
                      (4, "str", model.subgraph_name)])
    buffers = [Table([(0, "bytes", data if data else None)]) for data in model.buffers]
    fields = [(0, "I", SCHEMA_VERSION), (1, "tables", opcodes), (2, "tables", [subgraph]),
              (3, "str", model.description), (4, "tables", buffers)]
    if model.signature is not None:
        key, ins, outs = model.signature
        tensor_map = lambda pairs: [Table([(0, "str", n), (1, "I", i)]) for n, i in pairs]   # noqa: E731
        fields.append((7, "tables", [Table([(0, "tables", tensor_map(ins)), (1, "tables", tensor_map(outs)),
                                            (2, "str", key), (4, "I", 0)])]))
    return encode_flatbuffer(Table(fields), IDENTIFIER)


def _options(view: View, op_name: str, where: str) -> dict:
    if op_name not in OPTIONS:
        return {}
    union, spec = OPTIONS[op_name]
    kind = view.scalar(3, "B", 0)
    table = view.table(4, f"{where}'s options")
    if table is None:
        return {name: default for name, _, _, default in spec}
    if kind != union:
        raise FlatbufferError(f"malformed TFLite file: {where} ({op_name}) has options of type {kind}, "
                              f"not {union}")
    out = {}
    for name, slot, fmt, default in spec:
        if fmt.startswith("vec:"):
            out[name] = table.vector(slot, fmt[4:]).tolist() if table.has(slot) else None
        else:
            out[name] = table.scalar(slot, fmt, default)
    return out


def decode(data: bytes) -> LiteModel:
    """The :class:`LiteModel` in ``data``; a malformed file raises :class:`FlatbufferError`."""
    data = bytes(data)
    root = View.root(data, IDENTIFIER)
    codes = []
    for oc in root.tables(1, "operator code"):
        code = max(oc.scalar(0, "b", 0), oc.scalar(3, "i", 0))
        codes.append(_NAMES.get(code, f"<code {code}>" if code != 32 else f"custom {oc.string(1, '')!r}"))
    buffers = []
    for i, b in enumerate(root.tables(4, "buffer")):
        offset, size = b.scalar(1, "Q", 0), b.scalar(2, "Q", 0)
        if offset > 1:                          # a large model's weights, after the flatbuffer
            if offset + size > len(data):
                raise FlatbufferError(f"malformed TFLite file: buffer {i} lies at bytes {offset}-{offset + size}, "
                                      f"past the file's {len(data)} bytes")
            buffers.append(data[offset:offset + size])
        else:
            buffers.append(b.raw(0))
    subgraphs = root.tables(2, "subgraph")
    if not subgraphs:
        raise FlatbufferError("malformed TFLite file: it has no subgraph")
    sg = subgraphs[0]
    tensors = []
    for i, t in enumerate(sg.tables(0, "tensor")):
        code = t.scalar(1, "b", 0)
        if code not in _TYPES:
            raise FlatbufferError(f"TFLite file: tensor {i} ({t.string(3, '')!r}) has type code {code}, "
                                  "which glassnet does not read")
        sig = t.vector(7, "<i4").tolist() if t.has(7) else None
        tensors.append(Tensor(t.string(3, ""), tuple(t.vector(0, "<i4").tolist()), _TYPES[code],
                              t.scalar(2, "I", 0), None if sig is None else tuple(sig)))
    operators = []
    for i, op in enumerate(sg.tables(3, "operator")):
        index = op.scalar(0, "I", 0)
        if index >= len(codes):
            raise FlatbufferError(f"malformed TFLite file: operator {i} names operator code {index} of {len(codes)}")
        name = codes[index]
        operators.append(Operator(name, op.vector(1, "<i4").tolist(), op.vector(2, "<i4").tolist(),
                                  _options(op, name, f"operator {i}")))
    signature = None
    for sd in root.tables(7, "signature"):
        if sd.scalar(4, "I", 0) == 0:
            pairs = lambda slot: [(m.string(0, ""), m.scalar(1, "I", 0)) for m in sd.tables(slot, "tensor map")]  # noqa: E731
            signature = (sd.string(2, ""), pairs(0), pairs(1))
            break
    model = LiteModel(tensors, operators, sg.vector(1, "<i4").tolist(), sg.vector(2, "<i4").tolist(), buffers,
                      signature, root.string(3, ""), sg.string(4, ""))
    _check_indices(model)
    return model


def _check_indices(model: LiteModel) -> None:
    n = len(model.tensors)
    for i, t in enumerate(model.tensors):
        if t.buffer >= len(model.buffers):
            raise FlatbufferError(f"malformed TFLite file: tensor {i} ({t.name!r}) names buffer {t.buffer} "
                                  f"of {len(model.buffers)}")
    for i, op in enumerate(model.operators):
        for k in op.inputs + op.outputs:
            if not -1 <= k < n:
                raise FlatbufferError(f"malformed TFLite file: operator {i} ({op.op}) names tensor {k} of {n}")
    for what, ids in (("input", model.inputs), ("output", model.outputs)):
        for k in ids:
            if not 0 <= k < n:
                raise FlatbufferError(f"malformed TFLite file: the subgraph's {what} names tensor {k} of {n}")
    if model.signature is not None:
        for name, k in model.signature[1] + model.signature[2]:
            if not 0 <= k < n:
                raise FlatbufferError(f"malformed TFLite file: signature tensor {name!r} is tensor {k} of {n}")
