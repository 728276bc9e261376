"""ONNX export: a trained model as a graph that ONNX Runtime runs anywhere (servers,
browsers, phones, C++ and C# programs). ``model.export("model.onnx")`` calls :func:`export`.

Each layer becomes a few named ONNX nodes, in order, on one tensor that flows through::

    inputs [batch, 4] -> dense/MatMul -> dense/BiasAdd -> dense/Sigmoid -> ... -> output_0

The weights become initializers named by their paths (``dense/kernel``, ``dense/bias``);
the batch dimension is dynamic; float32 models give a float32 graph, float64 models a
float64 one. The ``onnx`` package (``pip install 'glassnet[onnx]'``) is imported only here,
only when a model is exported.

**Each layer exports itself.** Every layer class has a method ``to_onnx(self, g, x) -> str``,
beside its ``forward``: ``g`` is a :class:`Graph`, ``x`` the name of the input tensor; it adds
nodes and returns the name of the output tensor. Names are prefixed with the layer's name
for you. ``Layer.to_onnx`` refuses ("glassnet cannot export <Class> to ONNX"), and a subclass
that changes its parent's ``forward`` (or ``call``) is refused rather than exported as the
parent. A layer of your own gives its class the method; for example one that doubles its input::

    class Double(glassnet.layers.Layer):
        def forward(self, x, training=False):
            return 2 * x
        def backward(self, grad, need_input_grad=True):
            return 2 * grad
        def to_onnx(self, g, x):
            two = g.constant(2.0, "two")              # an initializer "double/two"
            return g.node("Mul", [x, two])            # a node "double/Mul"; returns its output

An activation function may carry the same method as an attribute, like ``backward``:
``cube.to_onnx = lambda g, x: g.node("Mul", [g.node("Mul", [x, x]), x])`` (the built-in
functions' recipes are in ``glassnet.layers.activation_onnx``). Layers and activations
without a recipe are refused before anything is written, naming the layer.

>>> import numpy as np, glassnet
>>> model = glassnet.Sequential([glassnet.Input(shape=(4,)), glassnet.layers.Dense(2, activation="relu", name="dense")])
>>> g = build_graph(model)
>>> [node.name for node in g.nodes]
['dense/MatMul', 'dense/BiasAdd', 'dense/Relu']
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import NamedTuple

import numpy as np

from .. import config
from ..layers import Layer
from ..layers.activation_onnx import activation_to_onnx

__all__ = ["Graph", "build_graph", "export", "DEFAULT_OPSET", "MIN_OPSET"]

DEFAULT_OPSET = 17         # ONNX Runtime 1.13 and later, onnxruntime-web included
MIN_OPSET = 13             # Softmax and LogSoftmax act on one axis from opset 13 on


class _Node(NamedTuple):
    op_type: str
    inputs: list
    output: str
    name: str
    attrs: dict


class Graph:
    """The graph being built: nodes, initializers, and the names already taken.

    ``node`` and ``initializer`` take short names and prefix them with the current scope
    (the layer's name), so ``g.node("MatMul", [x, w])`` inside layer ``dense`` makes the node
    and tensor ``dense/MatMul``; a second one in the same scope becomes ``dense/MatMul_1``.
    Plain Python: nothing here imports ``onnx`` until :meth:`to_model`.
    """

    def __init__(self, dtype="float32", opset: int = DEFAULT_OPSET, name: str = "glassnet"):
        self.dtype = np.dtype(dtype)        # the float type of every tensor in the graph
        self.opset = opset
        self.name = name
        self.nodes: list[_Node] = []
        self.initializers: dict[str, np.ndarray] = {}
        self._taken: set[str] = set()
        self._scope: list[str] = []

    def _fresh(self, name: str) -> str:
        full = "/".join(self._scope + [name])
        candidate, i = full, 0
        while candidate in self._taken:
            i += 1
            candidate = f"{full}_{i}"
        self._taken.add(candidate)
        return candidate

    @contextmanager
    def scope(self, name: str):
        """Prefix the names made inside the ``with`` block with ``name/``."""
        self._scope.append(name)
        try:
            yield self
        finally:
            self._scope.pop()

    def node(self, op_type: str, inputs, name: str | None = None, **attrs) -> str:
        """Add a node ``op_type(inputs)`` with ONNX attributes ``attrs``; return its output's name."""
        output = self._fresh(name or op_type)
        self.nodes.append(_Node(op_type, list(inputs), output, output, attrs))
        return output

    def initializer(self, name: str, array) -> str:
        """Add a constant tensor (a weight); floats take the graph's type. Returns its name."""
        array = np.asarray(array)
        if array.dtype.kind == "f":
            array = array.astype(self.dtype)
        full = self._fresh(name)
        self.initializers[full] = np.ascontiguousarray(array)
        return full

    def constant(self, value: float, name: str) -> str:
        """A scalar constant of the graph's float type."""
        return self.initializer(name, np.asarray(value, dtype=self.dtype))

    def rename(self, old: str, new: str) -> None:
        """Give tensor ``old`` (a node's output) the name ``new`` everywhere."""
        self._taken.add(new)
        self.nodes = [n._replace(output=new if n.output == old else n.output,
                                 inputs=[new if i == old else i for i in n.inputs]) for n in self.nodes]

    def to_model(self, input_name, input_shape, output_name, output_shape, producer_version: str):
        """The ``onnx.ModelProto`` (imports ``onnx``). Several inputs or outputs (a functional
        graph's): lists of names and of shapes."""
        from onnx import helper, numpy_helper

        elem = helper.np_dtype_to_tensor_dtype(self.dtype)
        dims = lambda shape: ["batch"] + [d for d in shape[1:]]      # noqa: E731  (the batch is dynamic)

        def values(names, shapes):
            if isinstance(names, str):
                names, shapes = [names], [shapes]
            return [helper.make_tensor_value_info(n, elem, dims(shape)) for n, shape in zip(names, shapes)]
        nodes = [helper.make_node(n.op_type, n.inputs, [n.output], name=n.name, **n.attrs) for n in self.nodes]
        weights = [numpy_helper.from_array(a, name) for name, a in self.initializers.items()]
        graph = helper.make_graph(nodes, self.name, values(input_name, input_shape),
                                  values(output_name, output_shape), weights)
        opsets = [helper.make_opsetid("", self.opset)]
        return helper.make_model(graph, opset_imports=opsets, producer_name="glassnet",
                                 producer_version=producer_version,
                                 ir_version=helper.find_min_ir_version_for(opsets))


def _model_dtype(model) -> np.dtype:
    found = None
    for i, layer in enumerate(model.layers):
        for v in layer.weights:
            if v.dtype.kind != "f":
                continue                    # Normalization's int64 count
            if found is None:
                found = (v.dtype, layer)
            elif v.dtype != found[0]:
                raise ValueError(f"export: layer {i} ({layer.name!r}) has {v.dtype} weights but layer "
                                 f"{found[1].name!r} has {found[0]}; an ONNX graph has one float type")
    dtype = found[0] if found else np.dtype(config.floatx())
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"export: the model's weights are {dtype}; ONNX export supports float32 and float64 models")
    return dtype


def _check_opset(opset) -> int:
    import onnx
    newest = onnx.defs.onnx_opset_version()
    if opset is None:
        return DEFAULT_OPSET
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)) or not MIN_OPSET <= opset <= newest:
        raise ValueError(f"export: opset must be an integer from {MIN_OPSET} to {newest} (the installed onnx's "
                         f"newest), or None for {DEFAULT_OPSET}; got {opset!r}")
    return int(opset)


def layers_to_onnx(g: Graph, layers, x: str) -> str:
    """Each layer's nodes in turn (its own ``to_onnx``), in a scope named after it; returns the
    last output's name. (A nested model's ``to_onnx`` calls this for its own layers.)"""
    for i, layer in enumerate(layers):
        convert = _recipe(layer, i)
        with g.scope(layer.name):
            x = convert(g, x)
    return x


def _recipe(layer, i: int):
    """``layer.to_onnx``, refused with the layer's place in the model when its class has no
    recipe (``Layer.to_onnx``'s refusal), or inherits one from a class whose computation it
    changes: a subclass of Dense with its own ``forward`` is not a Dense, and is not guessed."""
    cls = type(layer)
    owner = next(c for c in cls.__mro__ if "to_onnx" in vars(c))
    if owner is Layer:
        try:
            layer.to_onnx(None, None)           # the base class's refusal, which names the class
        except ValueError as e:
            raise ValueError(f"export: layer {i} ({layer.name!r}): {e}") from None
    computes = next(c for c in cls.__mro__ if "forward" in vars(c) or "call" in vars(c))
    if computes is not owner and issubclass(computes, owner):
        raise ValueError(
            f"export: layer {i} ({layer.name!r}): glassnet cannot export {cls.__name__} to ONNX: "
            f"{computes.__name__} changes what {owner.__name__} computes, so {owner.__name__}.to_onnx "
            f"does not describe it. Give {computes.__name__} its own `to_onnx(self, g, x)` method returning "
            "the output tensor's name (see glassnet.saving.onnx)"
        )
    return layer.to_onnx


def graph_to_onnx(g: Graph, model) -> tuple[list, list]:
    """A functional graph's calls, in order, each layer's ``to_onnx`` on the tensors its call was
    given (a merge layer: a list of names); returns ``(input names, output names)``: the
    Inputs' names, and ``output_0``, ``output_1``, ... A shared layer's nodes appear once per
    call (``shared/MatMul``, ``shared/MatMul_1``)."""
    graph = model._graph
    names = {}
    for inp in graph.inputs:
        g._taken.add(inp.name)
        names[id(inp)] = inp.name
    index = {id(layer): i for i, layer in enumerate(graph.layers)}
    for node in graph.order:
        convert = _recipe(node.layer, index[id(node.layer)])
        given = [names[id(p)] for p in node.parents]
        with g.scope(node.layer.name):
            names[id(node)] = convert(g, given if node.takes_list else given[0])
    outputs = []
    for k, out in enumerate(graph.outputs):
        x = names[id(out)]
        if x in (names[id(i)] for i in graph.inputs) or x in g.initializers or x in outputs:
            x = g.node("Identity", [x])
        g.rename(x, f"output_{k}")
        names[id(out)] = f"output_{k}"
        outputs.append(f"output_{k}")
    return [names[id(i)] for i in graph.inputs], outputs


def build_graph(model, opset: int = DEFAULT_OPSET) -> Graph:
    """The model's layers as a :class:`Graph` (no ``onnx`` needed); errors name the layer."""
    if model._graph is not None:
        g = Graph(_model_dtype(model), opset, name=model.name)
        g.inputs, g.outputs = graph_to_onnx(g, model)
        return g
    if not model.built or model.input_shape is None:
        raise ValueError(f"export: the model {model.name!r} is not built, so its input shape is unknown: "
                         "call model.build((None, features)), fit, or predict first, or start it with Input(shape=...)")
    g = Graph(_model_dtype(model), opset, name=model.name)
    x = "inputs"
    g._taken.add(x)
    x = layers_to_onnx(g, model.layers, x)
    if x == "inputs" or x in g.initializers:
        x = g.node("Identity", [x])
    g.rename(x, "output_0")
    return g


def export(model, filepath, format: str = "onnx", opset=None) -> None:
    """Write ``model`` as an ONNX file at ``filepath`` (ending in ``.onnx``), atomically.

    Everything is checked and built before the file is touched: a layer or activation
    without an ONNX recipe, an unbuilt model or a bad ``opset`` raise and leave any
    existing file as it was. Run it with ONNX Runtime::

        session = onnxruntime.InferenceSession("model.onnx")
        probabilities = session.run(None, {"inputs": x.astype(np.float32)})[0]
    """
    if format != "onnx":
        raise ValueError(f"export: format={format!r} is not supported; glassnet exports format='onnx' "
                         "(use model.save('model.keras') for Keras's own format)")
    from . import atomic
    path = atomic.check_target(filepath, (".onnx",), "export", overwrite=True)
    try:
        import onnx
    except ImportError as e:
        raise ImportError("export: ONNX export needs the onnx package: pip install 'glassnet[onnx]'",
                          name="onnx") from e
    import glassnet
    g = build_graph(model, _check_opset(opset))
    if model._graph is not None:            # a functional graph: an input per Input, an output each
        proto = g.to_model(g.inputs, [i.shape for i in model._graph.inputs], g.outputs,
                           [o.shape for o in model._graph.outputs], glassnet.__glassnet_version__)
    else:
        proto = g.to_model("inputs", model.input_shape, "output_0", model.output_shape, glassnet.__glassnet_version__)
    onnx.checker.check_model(proto, full_check=True)      # never write a graph ONNX would refuse
    atomic.write_bytes(path, proto.SerializeToString())
