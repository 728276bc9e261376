"""``tf.io.parse_single_example``, ``parse_example`` and their feature specs, and
``tf.io.serialize_tensor`` / ``parse_tensor``: serialized records into Tensors and back.

A spec names, per feature key, what to make of it:

- ``FixedLenFeature(shape, dtype, default_value=None)``: a dense Tensor of ``shape``; the
  record must hold exactly ``prod(shape)`` values of the list kind that ``dtype`` stands
  for (``tf.int64``: ``int64_list``, ``tf.float32``: ``float_list``, ``tf.string``:
  ``bytes_list``); a missing feature takes ``default_value``, or is an error without one;
- ``VarLenFeature(dtype)``: however many values there are, as a ``SparseTensor``.

The result is a dict, the sparse features first and then the dense ones, each group in key
order, as TensorFlow returns it. Errors are ``InvalidArgumentError`` s worded as
TensorFlow's (``Key: c.  Can't parse serialized Example.``), naming the feature.

``serialize_tensor`` writes a ``TensorProto`` (``dtype = 1`` as TensorFlow's enum,
``tensor_shape = 2`` with one ``dim { size }`` per axis, ``tensor_content = 4`` holding
the numbers little-endian; strings as ``string_val = 8``), the bytes TensorFlow writes.

>>> from glassnet.tf.example import Example, Feature, Features, Int64List
>>> record = Example(features=Features(feature={"a": Feature(int64_list=Int64List(value=[7]))}))
>>> parse_single_example(record.SerializeToString(), {"a": FixedLenFeature([], "int64")})["a"].numpy()
np.int64(7)
>>> parse_tensor(serialize_tensor(np.float32([[1.5, 2.0]])), out_type="float32").numpy()
array([[1.5, 2. ]], dtype=float32)
"""
from __future__ import annotations

import collections
import math

import numpy as np

from .dtypes import as_dtype
from .errors import InvalidArgumentError
from .example import Example
from .protobuf import DecodeError, Message
from .sparse import SparseTensor
from .tensor import Tensor

__all__ = ["FixedLenFeature", "FixedLenSequenceFeature", "VarLenFeature", "parse_example", "parse_single_example",
           "parse_tensor", "serialize_tensor"]

_OP = "[Op:ParseExampleV2]"


class FixedLenFeature(collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A feature of a fixed number of values, parsed into a dense Tensor of ``shape``."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, list(shape) if isinstance(shape, (list, tuple)) else shape, as_dtype(dtype),
                               default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature of any number of values, parsed into a ``SparseTensor``."""

    def __new__(cls, dtype):
        return super().__new__(cls, as_dtype(dtype))


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """Values of ``shape`` repeated any number of times: a dense Tensor ``(n, *shape)``."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, list(shape), as_dtype(dtype), allow_missing, default_value)


# which list a dtype's values come in, and the NumPy type they become
_KINDS = {"int64": ("int64_list", np.int64), "float32": ("float_list", np.float32), "string": ("bytes_list", object)}
_PROTO_TYPE = {"int64_list": "int64", "float_list": "float", "bytes_list": "string"}


def _kind_of(dtype, key):
    name = as_dtype(dtype).name
    if name not in _KINDS:
        raise ValueError(f"Unsupported dtype {name} for feature {key!r}: Example features are int64, float32 or "
                         f"string")
    return _KINDS[name]


def _record(serialized, who) -> dict:
    """The features of one serialized Example, by key."""
    if isinstance(serialized, np.ndarray):
        if serialized.ndim != 0:
            raise ValueError(f"{who}: serialized must be a scalar string, got shape {serialized.shape}")
        serialized = serialized.view(np.ndarray)[()]
    if isinstance(serialized, Message):
        serialized = serialized.SerializeToString()
    if isinstance(serialized, str):
        serialized = serialized.encode("latin-1")
    if not isinstance(serialized, (bytes, bytearray)):
        raise TypeError(f"{who}: serialized must be bytes (a serialized tf.train.Example), got "
                        f"{type(serialized).__name__}")
    try:
        return Example.FromString(bytes(serialized)).features.feature
    except DecodeError:
        raise InvalidArgumentError(None, None, f"Could not parse example input, value: '{serialized[:64]!r}' "
                                               f"{_OP}") from None


def _values(feature, key, dtype):
    """The values of one feature as a 1-D array of the spec's dtype (an error if the record
    holds another kind of list)."""
    kind, np_type = _kind_of(dtype, key)
    held = feature.WhichOneof("kind")
    if held is not None and held != kind:
        raise InvalidArgumentError(None, None, f"Key: {key}.  Data types don't match. Data type: "
                                               f"{_PROTO_TYPE[held]} but expected type: {_PROTO_TYPE[kind]} {_OP}")
    values = list(getattr(feature, kind).value) if held else []
    return np.array(values, dtype=np_type) if values else np.zeros(0, np_type)


def _dense(features, key, spec):
    size = math.prod(spec.shape)
    if key not in features:
        if spec.default_value is None:
            raise InvalidArgumentError(None, None, f"Feature: {key} (data type: {spec.dtype.name}) is required but "
                                                   f"could not be found. {_OP}")
        default = spec.default_value
        if isinstance(default, str):
            default = default.encode("utf-8")
        _, np_type = _kind_of(spec.dtype, key)
        return np.broadcast_to(np.asarray(default, dtype=np_type), spec.shape).copy()
    values = _values(features[key], key, spec.dtype)
    if values.size != size:
        kind = _KINDS[spec.dtype.name][0]
        raise InvalidArgumentError(None, None, f"Key: {key}.  Can't parse serialized Example: Some {kind} slice "
                                               f"was not parsed ({values.size} values; the spec's shape "
                                               f"{list(spec.shape)} holds {size}). {_OP}")
    return values.reshape(spec.shape)


def _sequence(features, key, spec):
    if key not in features:
        if not spec.allow_missing:
            raise InvalidArgumentError(None, None, f"Feature: {key} (data type: {spec.dtype.name}) is required but "
                                                   f"could not be found. {_OP}")
        return np.zeros([0] + spec.shape, _kind_of(spec.dtype, key)[1])
    values = _values(features[key], key, spec.dtype)
    step = math.prod(spec.shape)
    if step and values.size % step:
        raise InvalidArgumentError(None, None, f"Key: {key}.  Number of values {values.size} is not a multiple "
                                               f"of the shape's {step}. {_OP}")
    return values.reshape([-1] + spec.shape)


def _check_specs(features, who):
    if not isinstance(features, dict) or not features:
        raise ValueError(f"{who}: features must be a non-empty dict of key -> FixedLenFeature/VarLenFeature")
    for key, spec in features.items():
        if not isinstance(spec, (FixedLenFeature, VarLenFeature, FixedLenSequenceFeature)):
            raise TypeError(f"{who}: features[{key!r}] must be a FixedLenFeature, VarLenFeature or "
                            f"FixedLenSequenceFeature, got {type(spec).__name__}")


def _ordered(features):
    """TensorFlow's order of the result: sparse features, then dense ones, each by key."""
    sparse = sorted(k for k, s in features.items() if isinstance(s, VarLenFeature))
    return sparse + sorted(k for k in features if k not in sparse)


def _tensor(a):
    return np.asarray(a).view(Tensor)


def parse_single_example(serialized, features, name=None, example_names=None) -> dict:
    """One serialized ``tf.train.Example`` into a dict of Tensors (and SparseTensors)."""
    _check_specs(features, "parse_single_example")
    record = _record(serialized, "parse_single_example")
    out = {}
    for key in _ordered(features):
        spec = features[key]
        if isinstance(spec, VarLenFeature):
            values = _values(record[key], key, spec.dtype) if key in record else np.zeros(0, _kind_of(spec.dtype, key)[1])
            out[key] = SparseTensor(np.arange(values.size, dtype=np.int64)[:, None], values, [values.size])
        elif isinstance(spec, FixedLenSequenceFeature):
            out[key] = _tensor(_sequence(record, key, spec))
        else:
            out[key] = _tensor(_dense(record, key, spec))
    return out


def parse_example(serialized, features, name=None, example_names=None) -> dict:
    """A batch (a 1-D string tensor or list) of serialized Examples into a dict of batched
    Tensors; a ``VarLenFeature`` becomes a SparseTensor ``(batch, longest)``."""
    _check_specs(features, "parse_example")
    batch = np.asarray(serialized, dtype=object).reshape(-1).tolist() if not isinstance(serialized, (bytes, str)) \
        else [serialized]
    records = [_record(s, "parse_example") for s in batch]
    out = {}
    for key in _ordered(features):
        spec = features[key]
        if isinstance(spec, VarLenFeature):
            rows = [_values(r[key], key, spec.dtype) if key in r else np.zeros(0, _kind_of(spec.dtype, key)[1])
                    for r in records]
            indices = [[i, j] for i, row in enumerate(rows) for j in range(row.size)]
            values = np.concatenate(rows) if rows else np.zeros(0, _kind_of(spec.dtype, key)[1])
            longest = max((row.size for row in rows), default=0)
            out[key] = SparseTensor(np.array(indices, np.int64).reshape(-1, 2), values, [len(rows), longest])
        elif isinstance(spec, FixedLenSequenceFeature):
            rows = [_sequence(r, key, spec) for r in records]
            longest = max((row.shape[0] for row in rows), default=0)
            fill = spec.default_value if spec.default_value is not None else (b"" if spec.dtype.name == "string" else 0)
            padded = np.full([len(rows), longest] + spec.shape, fill, dtype=_kind_of(spec.dtype, key)[1])
            for i, row in enumerate(rows):
                padded[i, :row.shape[0]] = row
            out[key] = _tensor(padded)
        else:
            out[key] = _tensor(np.stack([_dense(r, key, spec) for r in records]) if records
                               else np.zeros([0] + list(spec.shape), _kind_of(spec.dtype, key)[1]))
    return out


# -- TensorProto ------------------------------------------------------------------------------
# TensorFlow's DataType enum (types.proto) for the dtypes glassnet holds
_ENUM = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "string": 7, "int64": 9,
         "bool": 10, "uint16": 17, "float16": 19, "uint32": 22, "uint64": 23}
_BY_ENUM = {v: k for k, v in _ENUM.items()}


class _Dim(Message):
    FIELDS = (("size", 1, "varint", int),)


class _Shape(Message):
    FIELDS = (("dim", 2, "repeated", _Dim),)


class _TensorProto(Message):
    FIELDS = (("dtype", 1, "enum", int), ("tensor_shape", 2, "message", _Shape),
              ("tensor_content", 4, "bytes", bytes), ("string_val", 8, "bytes", bytes))


def serialize_tensor(tensor, name=None) -> Tensor:
    """``tensor`` as a ``TensorProto``'s bytes (a 0-d string Tensor), as TensorFlow writes it."""
    a = np.asarray(tensor.numpy() if hasattr(tensor, "numpy") else tensor)
    if a.dtype.kind in "OSU":
        dtype = "string"
        items = [x.encode("utf-8") if isinstance(x, str) else bytes(x) for x in a.reshape(-1).tolist()]
    else:
        if a.dtype == np.float64 and not isinstance(tensor, np.ndarray):
            a = a.astype(np.float32)          # Python floats: float32, as tf.constant makes them
        dtype = a.dtype.name
        if dtype not in _ENUM:
            raise TypeError(f"serialize_tensor: dtype {dtype} is not supported")
    proto = _TensorProto(dtype=_ENUM[dtype], tensor_shape=_Shape(dim=[_Dim(size=d) for d in a.shape]))
    if dtype == "string":
        proto.string_val.extend(items)
    elif a.size:
        proto.tensor_content.append(a.astype(a.dtype.newbyteorder("<")).tobytes())
    return np.array(proto.SerializeToString(), dtype=object).view(Tensor)


def parse_tensor(serialized, out_type, name=None) -> Tensor:
    """The Tensor a ``serialize_tensor`` string holds; ``out_type`` must be its dtype."""
    data = serialized.view(np.ndarray)[()] if isinstance(serialized, np.ndarray) else serialized
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"parse_tensor: serialized must be bytes, got {type(data).__name__}")
    try:
        proto = _TensorProto.FromString(bytes(data))
    except DecodeError:
        raise InvalidArgumentError(None, None, "Could not parse `serialized` as TensorProto [Op:ParseTensor]") from None
    if proto.dtype not in _BY_ENUM:
        raise InvalidArgumentError(None, None, f"parse_tensor: TensorFlow dtype number {proto.dtype} is not "
                                               f"supported [Op:ParseTensor]")
    held, want = _BY_ENUM[proto.dtype], as_dtype(out_type).name
    if held != want:
        raise InvalidArgumentError(None, None, f"Type mismatch between parsed tensor ({held}) and dtype ({want}) "
                                               f"[Op:ParseTensor]")
    shape = [d.size for d in proto.tensor_shape.dim]
    if held == "string":
        values = np.empty(len(proto.string_val), dtype=object)
        values[:] = list(proto.string_val)
    else:
        content = b"".join(proto.tensor_content)
        values = np.frombuffer(content, dtype=np.dtype(held).newbyteorder("<")).astype(held)
    if values.size != math.prod(shape):
        raise InvalidArgumentError(None, None, f"parse_tensor: {values.size} values do not fill shape {shape} "
                                               f"[Op:ParseTensor]")
    return values.reshape(shape).view(Tensor)
