"""ONNX export: a trained model as a graph that ONNX Runtime runs anywhere (servers,
browsers, phones, C++ and C# programs). ``model.export("model.onnx")`` calls :func:`export`.

Each layer becomes a few named ONNX nodes, in order, on one tensor that flows through::

    inputs [batch, 4] -> dense/MatMul -> dense/BiasAdd -> dense/Sigmoid -> ... -> output_0

The weights become initializers named by their paths (``dense/kernel``, ``dense/bias``);
the batch dimension is dynamic; float32 models give a float32 graph, float64 models a
float64 one. The ``onnx`` package (``pip install 'glassnet[onnx]'``) is imported only here,
only when a model is exported.

**The contract for a layer of your own.** A layer class with a method
``to_onnx(self, g, x) -> str`` is exported through it: ``g`` is a :class:`Graph`, ``x`` the
name of the input tensor; add nodes and return the name of the output tensor. Names are
prefixed with the layer's name for you. For example a layer that doubles its input::

    class Double(glassnet.layers.Layer):
        def forward(self, x, training=False):
            return 2 * x
        def backward(self, grad, need_input_grad=True):
            return 2 * grad
        def to_onnx(self, g, x):
            two = g.constant(2.0, "two")              # an initializer "double/two"
            return g.node("Mul", [x, two])            # a node "double/Mul"; returns its output

An activation function may carry the same method as an attribute, like ``backward``:
``cube.to_onnx = lambda g, x: g.node("Mul", [g.node("Mul", [x, x]), x])``. Layers and
activations without a recipe are refused before anything is written, naming the layer.

>>> import numpy as np, glassnet
>>> model = glassnet.Sequential([glassnet.Input(shape=(4,)), glassnet.layers.Dense(2, activation="relu", name="dense")])
>>> g = build_graph(model)
>>> [node.name for node in g.nodes]
['dense/MatMul', 'dense/BiasAdd', 'dense/Relu']
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Callable, NamedTuple

import numpy as np

from .. import activations, config
from ..layers import Activation, Dense, Dropout, Flatten, InputLayer, Normalization

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

    def to_model(self, input_name: str, input_shape, output_name: str, output_shape, producer_version: str):
        """The ``onnx.ModelProto`` (imports ``onnx``)."""
        from onnx import helper, numpy_helper

        elem = helper.np_dtype_to_tensor_dtype(self.dtype)
        dims = lambda shape: ["batch"] + [d for d in shape[1:]]      # noqa: E731  (the batch is dynamic)
        nodes = [helper.make_node(n.op_type, n.inputs, [n.output], name=n.name, **n.attrs) for n in self.nodes]
        weights = [numpy_helper.from_array(a, name) for name, a in self.initializers.items()]
        graph = helper.make_graph(nodes, self.name, [helper.make_tensor_value_info(input_name, elem, dims(input_shape))],
                                  [helper.make_tensor_value_info(output_name, elem, dims(output_shape))], weights)
        opsets = [helper.make_opsetid("", self.opset)]
        return helper.make_model(graph, opset_imports=opsets, producer_name="glassnet",
                                 producer_version=producer_version,
                                 ir_version=helper.find_min_ir_version_for(opsets))


# ---------------------------------------------------------------------------------------
# Activations: each one's recipe, built from ONNX operators, computing what glassnet does
# ---------------------------------------------------------------------------------------
def _unary(op_type: str, **attrs) -> Callable:
    return lambda g, x: g.node(op_type, [x], **attrs)


def _where_positive(g, x, below: str) -> str:
    """``x if x > 0 else below``."""
    positive = g.node("Greater", [x, g.constant(0.0, "zero")])
    return g.node("Where", [positive, x, below])


def _leaky_relu(g, x):                     # x if x > 0 else 0.2 x (glassnet's default slope)
    return _where_positive(g, x, g.node("Mul", [x, g.constant(0.2, "negative_slope")]))


def _elu(g, x, alpha=1.0):                 # x if x > 0 else alpha (exp(min(x, 0)) - 1)
    e = g.node("Exp", [g.node("Min", [x, g.constant(0.0, "zero")])])
    return _where_positive(g, x, g.node("Mul", [g.constant(alpha, "alpha"), g.node("Sub", [e, g.constant(1.0, "one")])]))


def _selu(g, x):                           # scale * elu(x, alpha)
    with g.scope("elu"):
        e = _elu(g, x, activations._SELU_ALPHA)
    return g.node("Mul", [g.constant(activations._SELU_SCALE, "scale"), e])


def _erf(g, x) -> str:
    """``erf(x)``. ONNX Runtime's Erf has no float64 kernel, so a float64 graph sums the
    series ``erf(x) = 2/sqrt(pi) x exp(-x^2) sum_n c_n t^n``, ``t = x^2``,
    ``c_n = 2^n / (1*3*...*(2n+1))`` (all terms positive: no cancellation), 100 terms for
    ``|x| <= 6`` (erf(6) is 1 in float64); agrees with ``math.erf`` to about 1e-14. The sum
    goes by ten blocks, ``sum_k t^(10k) P_k(t)`` with ``P_k`` of degree 9, so an element
    needs ten temporaries, not a hundred."""
    if g.dtype != np.float64:
        return g.node("Erf", [x])
    c = np.cumprod(np.concatenate([[1.0], 2.0 / (2 * np.arange(1, 100) + 1)]))
    x = g.node("Clip", [x, g.constant(-6.0, "low"), g.constant(6.0, "high")])
    t = g.node("Unsqueeze", [g.node("Mul", [x, x]), g.initializer("last_axis", np.array([-1]))])
    blocks = g.node("MatMul", [g.node("Pow", [t, g.initializer("j", np.arange(10.0))]),      # P_k(t)
                               g.initializer("c", c.reshape(10, 10).T)])
    shifts = g.node("Pow", [t, g.initializer("ten_k", np.arange(0.0, 100.0, 10.0))])         # t^(10k)
    series = g.node("MatMul", [g.node("Mul", [blocks, shifts]), g.initializer("ones", np.ones(10))])
    front = g.node("Mul", [x, g.constant(2 / math.sqrt(math.pi), "two_over_sqrt_pi")])
    front = g.node("Mul", [front, g.node("Exp", [g.node("Neg", [g.node("Mul", [x, x])])])])
    return g.node("Mul", [front, series], name="Erf")


def _gelu(g, x):                           # 0.5 x (1 + erf(x / sqrt 2)), the exact form
    with g.scope("erf"):
        e = _erf(g, g.node("Div", [x, g.constant(math.sqrt(2), "sqrt2")]))
    half_x = g.node("Mul", [g.constant(0.5, "half"), x])
    return g.node("Mul", [half_x, g.node("Add", [g.constant(1.0, "one"), e])])


def _silu(g, x):                           # x sigmoid(x)
    return g.node("Mul", [x, g.node("Sigmoid", [x])])


def _softplus(g, x):
    """``log(1 + exp(x))``. ONNX Runtime has Softplus for float32 only; a float64 graph
    computes ``max(x, 0) + log1p(exp(-|x|))`` as NumPy's logaddexp does, with
    ``log1p(e) = log(u) e / (u - 1)`` for ``u = 1 + e`` (exact to a few ulp; ``e`` if u == 1)."""
    if g.dtype != np.float64:
        return g.node("Softplus", [x])
    with g.scope("softplus"):
        e = g.node("Exp", [g.node("Neg", [g.node("Abs", [x])])])
        one = g.constant(1.0, "one")
        u = g.node("Add", [one, e])
        ratio = g.node("Div", [e, g.node("Sub", [u, one])])
        log1p = g.node("Where", [g.node("Equal", [u, one]), e,
                                 g.node("Mul", [g.node("Log", [u]), ratio])])
        return g.node("Add", [g.node("Relu", [x]), log1p])


def _softsign(g, x):                       # x / (1 + |x|)
    return g.node("Div", [x, g.node("Add", [g.constant(1.0, "one"), g.node("Abs", [x])])])


def _hard_sigmoid(g, x):                   # clip(x / 6 + 0.5, 0, 1) = relu6(x + 3) / 6, Keras 3's
    shifted = g.node("Add", [g.node("Div", [x, g.constant(6.0, "six")]), g.constant(0.5, "half")])
    return g.node("Clip", [shifted, g.constant(0.0, "zero"), g.constant(1.0, "one")])


_ACTIVATIONS: dict[Callable, Callable] = {
    activations.sigmoid: _unary("Sigmoid"),
    activations.tanh: _unary("Tanh"),
    activations.relu: _unary("Relu"),
    activations.leaky_relu: _leaky_relu,
    activations.elu: _elu,
    activations.selu: _selu,
    activations.gelu: _gelu,
    activations.silu: _silu,
    activations.softplus: _softplus,
    activations.softsign: _softsign,
    activations.hard_sigmoid: _hard_sigmoid,
    activations.exponential: _unary("Exp"),
    activations.softmax: _unary("Softmax", axis=-1),
    activations.log_softmax: _unary("LogSoftmax", axis=-1),
}


_ONE_NODE = {activations.sigmoid, activations.tanh, activations.relu, activations.softplus,
             activations.exponential, activations.softmax, activations.log_softmax}


def activation_to_onnx(g: Graph, fn: Callable, x: str, layer) -> str:
    """Apply activation ``fn`` to tensor ``x``: no node for linear; a named scope for recipes
    of several nodes (``dense/gelu/...``)."""
    if fn is activations.linear:
        return x
    name = activations.serialize(fn)
    recipe = _ACTIVATIONS.get(fn) or getattr(fn, "to_onnx", None)
    if recipe is None:
        raise ValueError(f"export: layer {layer.name!r} ({type(layer).__name__}) uses the activation {name!r}, "
                         "which has no ONNX recipe: give the function a `to_onnx(g, x)` attribute returning "
                         "the output tensor's name (see glassnet.onnx_export)")
    if fn in _ONE_NODE:
        return recipe(g, x)                 # one node, named after its op: dense/Sigmoid
    with g.scope(name):
        return recipe(g, x)


# ---------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------
def _dense(layer: Dense, g: Graph, x: str) -> str:
    z = g.node("MatMul", [x, g.initializer("kernel", layer.kernel.value)])     # Z = X W + b
    if layer.use_bias:
        z = g.node("Add", [z, g.initializer("bias", layer.bias.value)], name="BiasAdd")
    return activation_to_onnx(g, layer.activation, z, layer)                   # A = g(Z)


def _activation(layer: Activation, g: Graph, x: str) -> str:
    if layer.activation is activations.linear:
        return g.node("Identity", [x])
    return activation_to_onnx(g, layer.activation, x, layer)


def _normalization(layer: Normalization, g: Graph, x: str) -> str:
    mean, s = layer.mean_and_scale()       # s = max(sqrt(variance), epsilon), as forward uses
    mean, s = g.initializer("mean", mean), g.initializer("scale", s)
    if layer.invert:                        # mean + x s
        return g.node("Add", [mean, g.node("Mul", [x, s])])
    return g.node("Div", [g.node("Sub", [x, mean]), s])                        # (x - mean) / s


_LAYERS: dict[type, Callable] = {
    Dense: _dense,
    Activation: _activation,
    Dropout: lambda layer, g, x: g.node("Identity", [x]),                      # inference: identity
    Flatten: lambda layer, g, x: g.node("Flatten", [x], axis=1),               # (N, ...) -> (N, -1)
    InputLayer: lambda layer, g, x: x,
    Normalization: _normalization,
}


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
    """Each layer's nodes in turn, in a scope named after it; returns the last output's name.
    (A nested Sequential's ``to_onnx`` calls this for its own layers.)"""
    for i, layer in enumerate(layers):
        convert = getattr(layer, "to_onnx", None)
        if convert is None:
            if type(layer) not in _LAYERS:  # a subclass may compute something else: not guessed
                raise ValueError(f"export: layer {i} ({layer.name!r}, {type(layer).__name__}) has no ONNX "
                                 "converter: give its class a `to_onnx(self, g, x)` method returning the output "
                                 "tensor's name (see glassnet.onnx_export)")
            convert = lambda g, x, layer=layer: _LAYERS[type(layer)](layer, g, x)   # noqa: E731
        with g.scope(layer.name):
            x = convert(g, x)
    return x


def build_graph(model, opset: int = DEFAULT_OPSET) -> Graph:
    """The model's layers as a :class:`Graph` (no ``onnx`` needed); errors name the layer."""
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
    proto = g.to_model("inputs", model.input_shape, "output_0", model.output_shape, glassnet.__version__)
    onnx.checker.check_model(proto, full_check=True)      # never write a graph ONNX would refuse
    atomic.write_bytes(path, proto.SerializeToString())
