"""Keras 3's operations on symbolic tensors, by name: ``x + inputs`` is an ``Add`` node.

In a functional model, arithmetic on symbolic tensors (``x + inputs``, ``2.0 * x``, ``x[:, :2]``)
makes a node as Keras 3 makes one: an operation named by its class in ``keras.src.ops.numpy``
(``Add``, ``Multiply``, ``GetItem``, ...). Here it is a ``_NamedOp``, a ``Lambda`` whose
function comes from the fixed table :data:`OPS` and whose constants (numbers, slices) are data.
So a ``.keras`` file can hold it as Keras writes it, and reading one rebuilds it from the table:
no code travels in the file (a ``Lambda`` of your own still does not go into one)::

    {"module": "keras.src.ops.numpy", "class_name": "Add", "config": {"name": "add"},
     "inbound_nodes": [{"args": [<tensor dense[0][0]>, <tensor input_layer[0][0]>], "kwargs": {}}]}

Like Keras's operations they are nodes of the graph (``model.operations``, the summary's rows),
not layers: ``model.layers`` leaves them out. The backward is the tape's, as for any ``Lambda``.

>>> import glassnet
>>> inputs = glassnet.Input(shape=(3,))
>>> model = glassnet.Model(inputs, glassnet.layers.Dense(3)(inputs) + inputs)
>>> [type(op).__name__ for op in model.operations], [layer.name for layer in model.layers]
(['InputLayer', 'Dense', '_NamedOp'], ['input_layer', 'dense'])
"""
from __future__ import annotations

from ..utils import snake_case, unique_name
from .lambda_layer import Lambda

NUMPY, NN = "keras.src.ops.numpy", "keras.src.ops.nn"
MODULES = (NUMPY, NN)


def _keras_op(name):
    def call(*args):
        from ..keras import ops  # noqa: PLC0415 - keras.ops builds on the layers
        return getattr(ops, name)(*args)
    return call


# Keras's class name -> (its module, how many arguments, what it computes). The KerasTensor
# operators (x + y, x[...]) make the first ones; keras.ops functions on symbolic tensors the rest.
OPS = {
    "Add": (NUMPY, 2, lambda a, b: a + b),
    "Subtract": (NUMPY, 2, lambda a, b: a - b),
    "Multiply": (NUMPY, 2, lambda a, b: a * b),
    "TrueDivide": (NUMPY, 2, lambda a, b: a / b),
    "Divide": (NUMPY, 2, lambda a, b: a / b),
    "Power": (NUMPY, 2, lambda a, b: a ** b),
    "Matmul": (NUMPY, 2, lambda a, b: a @ b),
    "Maximum": (NUMPY, 2, _keras_op("maximum")),
    "Minimum": (NUMPY, 2, _keras_op("minimum")),
    "Negative": (NUMPY, 1, lambda a: -a),
    "Absolute": (NUMPY, 1, abs),
    "GetItem": (NUMPY, 2, lambda a, key: a[key]),
    **{cls: (NUMPY, 1, _keras_op(name)) for cls, name in (
        ("Exp", "exp"), ("Log", "log"), ("Sqrt", "sqrt"), ("Square", "square"), ("Sign", "sign"),
        ("Floor", "floor"), ("Round", "round"), ("Sin", "sin"), ("Cos", "cos"), ("Log1p", "log1p"),
        ("Tanh", "tanh"))},
    "Relu": (NN, 1, _keras_op("relu")),
    "Sigmoid": (NN, 1, _keras_op("sigmoid")),
}
# keras.ops' function name -> its operation's class name (called on symbolic tensors, no keywords)
KERAS_OPS = {"add": "Add", "subtract": "Subtract", "multiply": "Multiply", "divide": "Divide",
             "power": "Power", "matmul": "Matmul", "maximum": "Maximum", "minimum": "Minimum",
             "negative": "Negative", "abs": "Absolute", "exp": "Exp", "log": "Log", "sqrt": "Sqrt",
             "square": "Square", "sign": "Sign", "floor": "Floor", "round": "Round", "sin": "Sin",
             "cos": "Cos", "log1p": "Log1p", "tanh": "Tanh", "relu": "Relu", "sigmoid": "Sigmoid"}


class _Tensor:
    """The place of a symbolic tensor among an operation's arguments."""

    def __repr__(self):
        return "TENSOR"


TENSOR = _Tensor()


class _NamedOp(Lambda):          # (not a layer class of its own: never read from a config by name)
    """One of :data:`OPS` on its arguments: ``template`` holds :data:`TENSOR` where a symbolic
    tensor goes (in the order the call gives them) and the constants elsewhere."""

    def __init__(self, op, template, name=None):
        if op not in OPS:
            raise ValueError(f"operation: unknown operation {op!r}; known: {', '.join(OPS)}")
        function, args = OPS[op][2], list(template)

        def apply(xs):
            given = iter(xs if isinstance(xs, list) else [xs])
            return function(*[next(given) if a is TENSOR else a for a in args])
        super().__init__(apply, name=name or unique_name(snake_case(op)))
        self.keras_op, self.template = op, args
        self.takes_list = sum(a is TENSOR for a in args) > 1

    def keras_type(self) -> str:
        return self.keras_op


def make(op, operands):
    """``op`` on ``operands`` (symbolic tensors and constants): its node's output."""
    from ..engine import functional  # noqa: PLC0415 - the engine builds on the layers
    tensors = [v for v in operands if functional.is_symbolic(v) and not isinstance(v, (list, tuple))]
    template = [TENSOR if any(v is t for t in tensors) else v for v in operands]
    layer = _NamedOp(op, template)
    return layer(tensors if len(tensors) > 1 else tensors[0])


# -- in a .keras file ---------------------------------------------------------------------------
def encode(value, where):
    """A constant argument as Keras writes it: a number, None, a slice, a list of those."""
    import numpy as np  # noqa: PLC0415
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic) and value.ndim == 0 and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": {"start": encode(value.start, where),
                                                      "stop": encode(value.stop, where),
                                                      "step": encode(value.step, where)}}
    if isinstance(value, tuple):
        return [encode(v, where) for v in value]
    raise ValueError(f"{where}: the constant {type(value).__name__} {str(value)[:40]} cannot be written to a "
                     "model file (numbers, None and slices can); make it a layer, or save the weights")


def decode(value, where, fail):
    """The inverse of :func:`encode`, refusing anything else (``fail(where, message)``)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, list) and len(value) <= 16:
        return tuple(decode(v, f"{where}[{i}]", fail) for i, v in enumerate(value))
    if isinstance(value, dict) and value.get("class_name") == "__slice__" and isinstance(value.get("config"), dict):
        cfg = value["config"]
        parts = [cfg.get(k) for k in ("start", "stop", "step")]
        if all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts) \
                and set(cfg) <= {"start", "stop", "step"}:
            return slice(*parts)
    fail(where, f"an operation's argument must be a number, None, a slice or a list of them, got {str(value)[:60]}")


def entry(layer, tensors):
    """The config entry of an operation's one call; ``tensors`` the written ``__keras_tensor__``
    entries of its symbolic arguments, in order."""
    given = iter(tensors)
    args = [next(given) if a is TENSOR else encode(a, f"operation {layer.name!r}") for a in layer.template]
    return {"module": OPS[layer.keras_op][0], "class_name": layer.keras_op, "config": {"name": layer.name},
            "registered_name": layer.keras_op, "name": layer.name,
            "inbound_nodes": [{"args": args, "kwargs": {}}]}


def from_entry(r, item, name, where, history):
    """An operation and its one call ``([tensor keys], several)`` from a file's entry, or a refusal
    (``r.fail``); ``history(t, where)`` reads a ``__keras_tensor__``."""
    op = item.get("class_name")
    if op not in OPS or OPS[op][0] != item.get("module"):
        r.fail(where, f"operation {str(op)[:40]!r} of {str(item.get('module'))[:40]!r} is not supported "
                      f"(known: {', '.join(OPS)})")
    nodes = item.get("inbound_nodes")
    if not isinstance(nodes, list) or len(nodes) != 1 or not isinstance(nodes[0], dict) \
            or not isinstance(nodes[0].get("args"), list) or nodes[0].get("kwargs") not in (None, {}):
        r.fail(where, "an operation needs one call with its 'args' (and no kwargs)")
    args = nodes[0]["args"]
    if len(args) != OPS[op][1]:
        r.fail(where, f"{op} takes {OPS[op][1]} argument(s), got {len(args)}")
    template, keys = [], []
    for i, a in enumerate(args):
        if isinstance(a, dict) and a.get("class_name") == "__keras_tensor__":
            template.append(TENSOR)
            keys.append(history(a, f"{where}.args[{i}]"))
        else:
            template.append(decode(a, f"{where}.args[{i}]", r.fail))
    if not keys:
        r.fail(where, "an operation needs a tensor among its arguments")
    return _NamedOp(op, template, name=name), [(keys, len(keys) > 1)]
