"""The graph ``tf.summary.trace_on(graph=True)`` records: the operations glassnet ran inside
``tf.function`` calls while the trace was on, written by ``trace_export`` as TensorFlow writes its
traced graphs (a ``RunMetadata`` whose ``function_graphs`` hold a ``GraphDef``, under the
``graph_run_metadata_graph`` plugin), so TensorBoard's Graphs tab draws it::

    x (_Arg) ─┐
              MatMul ── Relu ── Identity ── identity_RetVal (_Retval)
    y (_Arg) ─┘

glassnet runs every operation eagerly, so this is what one call did, not a compiled program: each
operation that went through :func:`glassnet.tf.vjps.apply` (tf.matmul, tf.nn.relu, tensor
arithmetic...) is a node named by TensorFlow's op type (``MatMul``, ``Relu``, ``AddV2``...),
its inputs the function's arguments (``_Arg`` nodes named by parameter), earlier nodes, or
``Const`` nodes for anything else. Work done in plain NumPy inside a layer (a Keras layer's
forward pass) makes no node. Operations outside ``tf.function`` calls are not recorded, as in
TensorFlow. Only while a trace is on does anything here run (``RECORDER[0]`` is None otherwise).
"""
from __future__ import annotations

import numpy as np

RECORDER = [None]          # the GraphRecorder of the open trace, or None

_TF_OPS = {"matmul": "MatMul", "relu": "Relu", "np.add": "AddV2", "np.subtract": "Sub", "np.multiply": "Mul",
           "np.true_divide": "RealDiv", "np.divide": "RealDiv", "np.negative": "Neg", "np.exp": "Exp",
           "np.log": "Log", "np.tanh": "Tanh", "np.maximum": "Maximum", "np.minimum": "Minimum",
           "np.square": "Square", "np.sqrt": "Sqrt", "np.power": "Pow", "np.abs": "Abs", "np.matmul": "MatMul",
           "sigmoid": "Sigmoid", "softmax": "Softmax", "transpose": "Transpose", "reshape": "Reshape",
           "reduce_sum": "Sum", "reduce_mean": "Mean", "reduce_max": "Max", "concat": "ConcatV2", "cast": "Cast"}


def _op_type(name: str) -> str:
    if name in _TF_OPS:
        return _TF_OPS[name]
    return "".join(part.capitalize() for part in name.removeprefix("np.").split("_")) or "Op"


class GraphRecorder:
    """The nodes of the ``tf.function`` calls made while the trace is on (their tensors kept, so
    that ``id`` names each one while the trace lasts)."""

    def __init__(self):
        self.nodes: list = []                # (name, op type, input names, dtype)
        self._taken: set = set()
        self._made: dict = {}                # id(tensor) -> (node name, the tensor)
        self.depth = 0

    def _unique(self, base: str) -> str:
        name, i = base, 0
        while name in self._taken:
            i += 1
            name = f"{base}_{i}"
        self._taken.add(name)
        return name

    def begin_call(self, function, args, kwargs) -> None:
        """A ``tf.function`` call starts: its tensor arguments become ``_Arg`` nodes (outermost call)."""
        self.depth += 1
        if self.depth > 1:
            return
        import inspect  # noqa: PLC0415 - only while a trace is on
        try:
            bound = inspect.signature(function).bind_partial(*args, **kwargs).arguments
        except (TypeError, ValueError):
            bound = {f"args_{i}": a for i, a in enumerate(args)}
        for pname, value in bound.items():
            if hasattr(value, "dtype") and hasattr(value, "shape"):
                self._node(self._unique(pname), "_Arg", [], value)

    def end_call(self, out) -> None:
        self.depth -= 1
        if self.depth:
            return
        outs = out if isinstance(out, (list, tuple)) else [out]
        for i, value in enumerate(o for o in outs if hasattr(o, "dtype") and hasattr(o, "shape")):
            source = self._input(value)
            ident = self._node(self._unique("Identity" if not i else f"Identity_{i}"), "Identity", [source], value)
            self._node(self._unique(f"{ident.lower()}_RetVal"), "_Retval", [ident], value, keep=False)

    def op(self, name: str, args, out) -> None:
        """One operation inside the call: a node whose inputs are the nodes that made ``args``."""
        if self.depth <= 0:
            return
        inputs = [self._input(a) for a in args if isinstance(a, (np.ndarray, np.generic, int, float)) or
                  hasattr(a, "dtype")]
        self._node(self._unique(_op_type(name)), _op_type(name), inputs, out)

    def _input(self, value) -> str:
        made = self._made.get(id(value))
        if made is not None and made[1] is value:
            return made[0]
        made = self._made.get(_memory(value))       # the same values seen through another object (a view)
        if made is not None:
            return made[0]
        return self._node(self._unique("Const"), "Const", [], value)

    def _node(self, name, op, inputs, value, keep=True) -> str:
        dtype = np.asarray(value).dtype if not hasattr(value, "dtype") else np.dtype(value.dtype)
        self.nodes.append((name, op, list(inputs), dtype))
        if keep:
            self._made[id(value)] = (name, value)
            key = _memory(value)
            if key is not None:
                self._made[key] = (name, value)
        return name

    def run_metadata(self) -> bytes:
        """TensorFlow's ``RunMetadata`` with one function graph: the recorded ``GraphDef``."""
        from tensorboard.compat.proto import attr_value_pb2, config_pb2, graph_pb2, types_pb2  # noqa: PLC0415
        graph = graph_pb2.GraphDef()
        for name, op, inputs, dtype in self.nodes:
            node = graph.node.add(name=name, op=op, input=inputs)
            code = types_pb2.DataType.Value("DT_" + _dt(dtype))
            node.attr["T" if op != "Const" else "dtype"].CopyFrom(attr_value_pb2.AttrValue(type=code))
        meta = config_pb2.RunMetadata()
        meta.function_graphs.add().pre_optimization_graph.CopyFrom(graph)
        return meta.SerializeToString()


def _memory(value):
    """Where an array's values lie (address, shape, dtype), or None."""
    if not isinstance(value, np.ndarray) or value.size == 0:
        return None
    return ("memory", value.__array_interface__["data"][0], value.shape, value.dtype.str)


def _dt(dtype: np.dtype) -> str:
    names = {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF", "int32": "INT32", "int64": "INT64",
             "int8": "INT8", "int16": "INT16", "uint8": "UINT8", "bool": "BOOL", "complex64": "COMPLEX64",
             "complex128": "COMPLEX128", "object": "STRING"}
    return names.get(dtype.name, "INVALID")
