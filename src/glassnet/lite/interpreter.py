"""``tf.lite.Interpreter``: runs a ``.tflite`` file (TensorFlow's or glassnet's) in NumPy.

The surface is TensorFlow's: ``allocate_tensors``, ``get_input_details``/``get_output_details``
(dicts with TF's keys), ``set_tensor``, ``invoke``, ``get_tensor``, ``resize_tensor_input``,
``get_signature_list`` and ``get_signature_runner(name)(**inputs) -> {output name: array}``,
with TensorFlow's errors for a wrong signature key, input name or count. The file is decoded
by :mod:`glassnet.lite.schema` (bounds-checked; a malformed file is refused naming the byte)
and run operator by operator with :mod:`glassnet.lite.kernels`; an operator glassnet lacks is
refused when the file is opened, naming it. ``allocate_tensors`` learns every tensor's shape by
running the graph once on zeros of the inputs' shapes.

    interpreter = tf.lite.Interpreter(model_path="model.tflite")
    classify = interpreter.get_signature_runner("serving_default")
    logits = classify(keras_tensor=images)["output_0"]
"""
from __future__ import annotations

import os

import numpy as np

from .kernels import KERNELS
from .schema import decode

__all__ = ["Interpreter", "SignatureRunner"]

_TYPE_NAMES = {np.float32: "FLOAT32", np.float64: "FLOAT64", np.int32: "INT32", np.int64: "INT64",
               np.uint8: "UINT8", np.int8: "INT8", np.bool_: "BOOL", np.int16: "INT16", np.float16: "FLOAT16"}


def _type_name(dtype) -> str:
    return _TYPE_NAMES.get(np.dtype(dtype).type, str(np.dtype(dtype)).upper())


class Interpreter:
    """``tf.lite.Interpreter(model_path=... | model_content=...)``: a TFLite model to run."""

    def __init__(self, model_path=None, model_content=None, experimental_delegates=None, num_threads=None,
                 experimental_op_resolver_type=None, experimental_preserve_all_tensors=False, **kwargs):
        if (model_path is None) == (model_content is None):
            raise ValueError("Can't both provide `model_path` and `model_content`" if model_path is not None
                             else "`model_path` or `model_content` must be specified.")
        if model_path is not None:
            path = os.fspath(model_path)
            try:
                with open(path, "rb") as f:
                    content = f.read()
            except OSError as e:
                raise ValueError(f"Could not open '{path}'. ({e.strerror})") from None
            where = path
        else:
            content = bytes(model_content)
            where = "model_content"
        try:
            self._model = decode(content)
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
        m = self._model
        for i, op in enumerate(m.operators):
            if op.op not in KERNELS:
                raise ValueError(f"{where}: operator {i} is {op.op}, which glassnet's TFLite interpreter does not "
                                 f"run (it runs {', '.join(sorted(KERNELS))})")
            if len(op.outputs) != 1 or op.outputs[0] < 0:
                raise ValueError(f"{where}: operator {i} ({op.op}) has outputs {op.outputs}; glassnet's kernels "
                                 "each give one tensor")
        for i, t in enumerate(m.tensors):
            if any(d < 0 for d in t.shape) or np.prod(t.shape, dtype=np.float64) > 2 ** 31 - 1:
                raise ValueError(f"{where}: tensor {i} ({t.name!r}) has shape {list(t.shape)}: sizes must be "
                                 "0 or more, and at most 2**31 - 1 elements in all")
        self._constants = {}
        for i, t in enumerate(m.tensors):
            if t.buffer and m.buffers[t.buffer]:
                data = m.buffers[t.buffer]
                want = int(np.prod(t.shape, dtype=np.int64)) * np.dtype(t.dtype).itemsize
                if len(data) != want:
                    raise ValueError(f"{where}: tensor {i} ({t.name!r}) of shape {list(t.shape)} needs {want} "
                                     f"bytes, its buffer holds {len(data)}")
                array = np.frombuffer(data, np.dtype(t.dtype).newbyteorder("<")).astype(t.dtype).reshape(t.shape)
                array.flags.writeable = False
                self._constants[i] = array
        self._shapes = {i: tuple(int(d) for d in t.shape) for i, t in enumerate(m.tensors)}
        self._values = {}
        self._allocated = False

    # -- details -------------------------------------------------------------------------
    def _details(self, index: int) -> dict:
        t = self._model.tensors[index]
        sig = t.shape_signature if t.shape_signature is not None else t.shape
        return {"name": t.name, "index": index, "shape": np.array(self._shapes[index], np.int32),
                "shape_signature": np.array(sig, np.int32), "dtype": np.dtype(t.dtype).type,
                "quantization": (0.0, 0),
                "quantization_parameters": {"scales": np.zeros(0, np.float32), "zero_points": np.zeros(0, np.int32),
                                            "quantized_dimension": 0, "block_size": 0},
                "sparsity_parameters": {}}

    def get_input_details(self) -> list:
        return [self._details(i) for i in self._model.inputs]

    def get_output_details(self) -> list:
        return [self._details(i) for i in self._model.outputs]

    def get_tensor_details(self) -> list:
        return [self._details(i) for i in range(len(self._model.tensors))]

    def _ops_details(self) -> list:
        return [{"index": i, "op_name": op.op, "inputs": np.array(op.inputs, np.int32),
                 "outputs": np.array(op.outputs, np.int32)} for i, op in enumerate(self._model.operators)]

    # -- running ---------------------------------------------------------------------------
    def resize_tensor_input(self, input_index, tensor_size, strict=False) -> None:
        position = self._input_position(input_index)
        size = tuple(int(d) for d in np.asarray(tensor_size).reshape(-1))
        t = self._model.tensors[input_index]
        if len(size) != len(t.shape) or any(d < 0 for d in size):
            raise ValueError(f"resize_tensor_input: input {position} ({t.name}) has rank {len(t.shape)}; "
                             f"tensor_size {list(size)} must give {len(t.shape)} sizes >= 0")
        if strict:
            sig = t.shape_signature or t.shape
            for axis, (d, s) in enumerate(zip(size, sig)):
                if s != -1 and d != s:
                    raise ValueError(f"resize_tensor_input: strict=True allows only dimensions of size -1 in the "
                                     f"shape signature {list(sig)} to change; dimension {axis} is {s}, not {d}")
        if size != self._shapes[input_index]:
            self._shapes[input_index] = size
            self._allocated = False

    def _input_position(self, index) -> int:
        if index not in self._model.inputs:
            raise ValueError(f"tensor {index} is not an input of the model; its inputs are tensors "
                             f"{self._model.inputs}")
        return self._model.inputs.index(index)

    def allocate_tensors(self) -> None:
        """Give every tensor its shape for the inputs' current sizes (a run on zeros)."""
        feed = {i: np.zeros(self._shapes[i], self._model.tensors[i].dtype) for i in self._model.inputs}
        values = self._run(feed)
        for i, v in values.items():
            self._shapes[i] = tuple(np.shape(v))
        self._values = {i: np.zeros(self._shapes[i], self._model.tensors[i].dtype) for i in self._model.inputs}
        self._allocated = True

    def set_tensor(self, tensor_index, value) -> None:
        value = np.asarray(value)
        t = self._model.tensors[tensor_index] if 0 <= tensor_index < len(self._model.tensors) else None
        if t is None or tensor_index not in self._model.inputs:
            raise ValueError(f"set_tensor: tensor {tensor_index} is not an input of the model (its inputs: "
                             f"{self._model.inputs})")
        position = self._model.inputs.index(tensor_index)
        if value.dtype != np.dtype(t.dtype):
            raise ValueError(f"Cannot set tensor: Got value of type {_type_name(value.dtype)} but expected type "
                             f"{_type_name(t.dtype)} for input {tensor_index}, name: {t.name} ")
        want = self._shapes[tensor_index]
        if value.ndim != len(want):
            raise ValueError(f"Cannot set tensor: Dimension mismatch. Got {value.ndim} but expected {len(want)} "
                             f"for input {position}.")
        for axis, (got, need) in enumerate(zip(value.shape, want)):
            if got != need:
                raise ValueError(f"Cannot set tensor: Dimension mismatch. Got {got} but expected {need} for "
                                 f"dimension {axis} of input {position}.")
        self._values[tensor_index] = value.copy()

    def invoke(self) -> None:
        if not self._allocated:
            raise RuntimeError("Invoke called on model that is not ready (call allocate_tensors() first, and "
                               "again after resize_tensor_input).")
        feed = {i: self._values[i] for i in self._model.inputs}
        self._values = self._run(feed)

    def _run(self, feed: dict) -> dict:
        values = dict(self._constants)
        values.update(feed)
        for k, op in enumerate(self._model.operators):
            args = []
            for i in op.inputs:
                if i == -1:
                    args.append(None)
                elif i in values:
                    args.append(values[i])
                else:
                    raise ValueError(f"TFLite: operator {k} ({op.op}) reads tensor {i} "
                                     f"({self._model.tensors[i].name!r}), which nothing before it computes")
            try:
                out = KERNELS[op.op](args, op.options)
            except (ValueError, IndexError, TypeError, KeyError, ZeroDivisionError, OverflowError) as e:
                raise ValueError(f"TFLite: operator {k} ({op.op}) failed: {e}") from None
            values[op.outputs[0]] = np.asarray(out, dtype=self._model.tensors[op.outputs[0]].dtype)
        return values

    def get_tensor(self, tensor_index, subgraph_index=0):
        if tensor_index in self._values:
            return np.array(self._values[tensor_index])
        if not 0 <= tensor_index < len(self._model.tensors):
            raise ValueError(f"Tensor with no shape found: tensor {tensor_index} of {len(self._model.tensors)}")
        return np.zeros(self._shapes[tensor_index], self._model.tensors[tensor_index].dtype)

    def tensor(self, tensor_index):
        return lambda: self._values.get(tensor_index)

    # -- signatures ------------------------------------------------------------------------
    def get_signature_list(self) -> dict:
        sig = self._model.signature
        if sig is None:
            return {}
        key, ins, outs = sig
        return {key: {"inputs": sorted(n for n, _ in ins), "outputs": sorted(n for n, _ in outs)}}

    def get_signature_runner(self, signature_key=None) -> "SignatureRunner":
        sig = self._model.signature
        if signature_key is None:
            if sig is None:
                raise ValueError("SignatureDef signature_key is None and model has 0 Signatures. Please specify "
                                 "which SignatureDef to inspect.")
            signature_key = sig[0]
        if sig is None or signature_key != sig[0]:
            raise ValueError(f'Invalid signature_key provided: "{signature_key}".')
        return SignatureRunner(self, sig)


class SignatureRunner:
    """``interpreter.get_signature_runner(key)``: call it with keyword inputs (the signature's
    input names); it returns a dict of NumPy arrays by output name."""

    def __init__(self, interpreter: Interpreter, signature):
        self._interpreter = interpreter
        self._key, self._inputs, self._outputs = signature[0], dict(signature[1]), dict(signature[2])

    def __call__(self, **kwargs) -> dict:
        it = self._interpreter
        if len(kwargs) != len(self._inputs):
            raise ValueError(f"Invalid number of inputs provided for running a SignatureDef, expected "
                             f"{len(self._inputs)} vs provided {len(kwargs)}")
        for name in kwargs:
            if name not in self._inputs:
                raise ValueError(f"Invalid Input name ({name}) for SignatureDef")
        arrays = {self._inputs[n]: np.asarray(v) for n, v in kwargs.items()}
        for index, value in arrays.items():
            it.resize_tensor_input(index, value.shape)
        if not it._allocated:
            it.allocate_tensors()
        for index, value in arrays.items():
            it.set_tensor(index, value)
        it.invoke()
        return {name: it.get_tensor(index) for name, index in sorted(self._outputs.items())}

    def get_input_details(self) -> dict:
        return {n: self._interpreter._details(i) for n, i in sorted(self._inputs.items())}

    def get_output_details(self) -> dict:
        return {n: self._interpreter._details(i) for n, i in sorted(self._outputs.items())}
