"""``.safetensors`` weights: a JSON header of names, dtypes, shapes and offsets, then raw
little-endian bytes. Nothing in it can run code. Keys are the weights' paths
by position, as in Keras's HDF5 layout: the layer's class
name in snake_case, deduplicated (``dense/kernel``, ``dense/bias``, ``dense_1/kernel``...),
so a file fits any model of the same architecture, whatever its layers are called.

The header is parsed and checked here (size, keys, dtypes, shapes, offsets against the
model) before a byte of data is read; then each tensor's bytes are read from its offsets
(the format is simple enough that reading needs no package; writing uses ``safetensors``).
Non-finite values are refused, naming the key.
"""
from __future__ import annotations

import struct

import numpy as np

from ..engine.model import Model
from . import json_safe
from .errors import FileFormatError, UnsafeFileError, need

_DTYPES = {"F16": np.float16, "F32": np.float32, "F64": np.float64, "I64": np.int64}   # I64: counters
_MAX_HEADER = 16 << 20


def write(model) -> bytes:
    st = need("safetensors.numpy")
    tensors = {key: np.array(v.value, order="C") for key, v in keyed(model)}    # keeps shape () (count)
    return st.save(tensors, metadata={"format": "glassnet", "model": model.name})


def keyed(model, prefix: str = "") -> list:
    """``(key, variable)`` pairs in ``model.weights`` order (``sequential/dense/kernel`` inside
    a nested Sequential)."""
    from .h5 import layer_keys
    pairs = []
    for key, layer in zip(layer_keys(model), model.layers):
        if isinstance(layer, Model):
            pairs += keyed(layer, f"{prefix}{key}/")
        else:
            pairs += [(f"{prefix}{key}/{v.name}", v) for v in layer.weights]
    return pairs


def read(source, model, label: str) -> list[np.ndarray]:
    """The model's weights, in ``model.weights`` order, after checking the header.

    ``source``: the bytes, or a seekable window over the file
    (:class:`~glassnet.saving.stream.Window`): only the header and each tensor's own bytes
    (whose sizes come from the model, not the file) are read.
    """
    from .h5 import check_finite
    from .stream import Window
    if isinstance(source, (bytes, bytearray)):
        import io
        source = Window(io.BytesIO(source), 0, len(source))
    size = source.size
    if size < 8:
        raise FileFormatError(f"{label}: too short for a .safetensors file")
    (n,) = struct.unpack("<Q", source.pread(0, 8))
    if n > _MAX_HEADER or 8 + n > size:
        raise FileFormatError(f"{label}: header length {n:,} does not fit the file ({size:,} bytes)")
    try:
        header = json_safe.loads(source.pread(8, n).decode("utf-8"))
    except json_safe.DuplicateKeys as e:
        raise UnsafeFileError(f"{label}: the header repeats the key(s) {e.args[0]}: which tensor "
                              "would be read is ambiguous") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise FileFormatError(f"{label}: the header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise FileFormatError(f"{label}: the header is not a JSON object")
    header.pop("__metadata__", None)
    pairs = keyed(model)
    want = dict(pairs)
    if set(header) != set(want):
        missing, extra = sorted(set(want) - set(header)), sorted(set(header) - set(want))
        raise FileFormatError(f"{label}: the weights do not match the model (missing {missing}, unexpected {extra})")
    body = size - 8 - n
    for key, v in want.items():
        entry = header[key]
        if not isinstance(entry, dict) or entry.get("dtype") not in _DTYPES:
            raise FileFormatError(f"{label}: {key!r} has no number dtype (F16/F32/F64/I64)")
        shape = entry.get("shape")
        if not isinstance(shape, list) or tuple(shape) != v.shape:
            raise UnsafeFileError(f"{label}: {key!r} has shape {shape!r}; the model expects {v.shape}")
        offsets = entry.get("data_offsets")
        nbytes = int(np.prod(v.shape)) * np.dtype(_DTYPES[entry["dtype"]]).itemsize
        if (not isinstance(offsets, list) or len(offsets) != 2 or not all(type(o) is int for o in offsets)
                or not 0 <= offsets[0] <= offsets[1] <= body or offsets[1] - offsets[0] != nbytes):
            raise FileFormatError(f"{label}: {key!r} has bad data offsets {offsets!r}")
    out = []
    for key, v in pairs:
        entry = header[key]
        start, end = entry["data_offsets"]
        raw = source.pread(8 + n + start, end - start)
        if len(raw) != end - start:
            raise FileFormatError(f"{label}: {key!r} is truncated")
        stored = np.frombuffer(raw, dtype=np.dtype(_DTYPES[entry["dtype"]]).newbyteorder("<")).reshape(v.shape)
        with np.errstate(over="ignore", invalid="ignore"):
            a = stored.astype(v.dtype)           # a copy, in the machine's byte order
        check_finite(a, label, key, original=stored)
        out.append(a)
    return out
