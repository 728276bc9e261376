"""Keras's functional API: layers called on symbolic tensors, and the model between them.

Keras's guides write a model as calls of layers on symbolic tensors::

    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10, name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)

Here calling a layer on an ``Input`` (or on what such a call returned) builds the layer for
that shape and returns a :class:`SymbolicOutput` that remembers the layer and what it was
called on; ``Model(inputs, outputs)`` walks back from ``outputs`` to ``inputs``. When the walk
is a single chain, the model is the stack of those layers (same layers, same weights, trained
as Sequential is); any other graph (several inputs or outputs, branches, merges, residual
connections, shared layers) is a :class:`glassnet.engine.graph.Graph`, run forward node by
node and backward in reverse, gradients adding where paths meet.

>>> import glassnet
>>> inputs = glassnet.Input(shape=(3,))
>>> outputs = glassnet.layers.Dense(2)(glassnet.layers.Dense(4, activation="relu")(inputs))
>>> outputs.shape.as_list()
[None, 2]
>>> [type(layer).__name__ for layer in glassnet.Model(inputs=inputs, outputs=outputs).layers]
['InputLayer', 'Dense', 'Dense']
"""
from __future__ import annotations

import itertools

from ..tf.tensor import KerasTensor


_MADE = itertools.count()


class SymbolicMath:
    """Arithmetic and NumPy functions on symbolic tensors make a node of the graph, as Keras's
    do: ``inputs * 2 + 1``, ``a - b``, ``t[:, :3]`` each become Keras's named operation (``Multiply``,
    ``Add``, ``GetItem``: ``glassnet/layers/named_ops.py``, which a model file can hold), ``np.exp(t)``
    a ``Lambda`` (``glassnet/layers/lambda_layer.py``); the tape finds their backward."""

    _glassnet_symbolic = True                           # (TensorFlow's functions look for it)

    def _op(self, function, *operands):
        from ..layers.lambda_layer import symbolic_op  # noqa: PLC0415 - the layers build on this module
        return symbolic_op(function, list(operands))

    def _named(self, op, *operands):                    # Keras 3's named operation (x + y: "Add")
        from ..layers.named_ops import make  # noqa: PLC0415 - the layers build on this module
        return make(op, list(operands))

    def __add__(self, other):
        return self._named("Add", self, other)

    def __radd__(self, other):
        return self._named("Add", other, self)

    def __sub__(self, other):
        return self._named("Subtract", self, other)

    def __rsub__(self, other):
        return self._named("Subtract", other, self)

    def __mul__(self, other):
        return self._named("Multiply", self, other)

    def __rmul__(self, other):
        return self._named("Multiply", other, self)

    def __truediv__(self, other):
        return self._named("TrueDivide", self, other)

    def __rtruediv__(self, other):
        return self._named("TrueDivide", other, self)

    def __pow__(self, other):
        return self._named("Power", self, other)

    def __matmul__(self, other):
        return self._named("Matmul", self, other)

    def __rmatmul__(self, other):
        return self._named("Matmul", other, self)

    def __neg__(self):
        return self._named("Negative", self)

    def __abs__(self):
        return self._named("Absolute", self)

    def __getitem__(self, key):
        return self._named("GetItem", self, key)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or "out" in kwargs:
            return NotImplemented
        return self._op(lambda *values: ufunc(*values, **kwargs), *inputs)

    def __array_function__(self, func, types, args, kwargs):
        flat, shape = [], []                            # symbolic tensors at the top or in a first-level list
        for a in args:
            if isinstance(a, (list, tuple)):
                shape.append((type(a), len(a)))
                flat.extend(a)
            else:
                shape.append(None)
                flat.append(a)

        def call(*values):
            it, rebuilt = iter(values), []
            for s in shape:
                rebuilt.append(next(it) if s is None else s[0](next(it) for _ in range(s[1])))
            return func(*rebuilt, **kwargs)
        return self._op(call, *flat)


class SymbolicOutput(SymbolicMath, KerasTensor):
    """``layer(symbolic input)``: its shape and dtype, the layer, and what it was called on
    (``parents``: one tensor, or several for a layer that takes a list, as ``Concatenate``).
    ``index`` k > 0: the call's output number k (a recurrent layer's returned state), read from
    its one parent, that call's node, rather than computed again."""

    index = None

    def __init__(self, layer, parents, shape, dtype):
        super().__init__(shape, dtype)                  # (named as Keras 3 names it: keras_tensor_<n>)
        self.layer, self.parents = layer, list(parents)
        self.serial = next(_MADE)                       # the order calls were made (a layer's call index)
        # a layer written with call takes a list when it is called on one (the VAE's Sampling()([m, v]))
        self.takes_list = bool(getattr(layer, "takes_list", False)) or (
            getattr(layer, "by_call", False) and len(self.parents) > 1)

    @property
    def parent(self):
        return self.parents[0]

    @property
    def _keras_mask(self):
        """Keras's ``x._keras_mask`` on a symbolic tensor: a boolean (batch, steps) KerasTensor when
        a padding mask reaches this output (``Embedding(mask_zero=True)``, ``Masking``, then layers
        that pass it on), else no such attribute."""
        if not _carries_mask(self):
            raise AttributeError("'SymbolicOutput' object has no attribute '_keras_mask'")
        return KerasTensor(tuple(self.shape)[:2], "bool", f"{self.name}_mask")


def _carries_mask(t) -> bool:
    """Whether a padding mask reaches the symbolic tensor ``t``: its layer's compute_mask asked on
    one row of zeros, with an all-true mask where its input carries one."""
    layer = getattr(t, "layer", None)
    if layer is None or t.index or t.takes_list:
        return False
    given = _carries_mask(t.parent)
    if not given and not getattr(layer, "makes_mask", False):
        return False
    import numpy as np  # noqa: PLC0415
    shape = (1,) + tuple(1 if d is None else d for d in tuple(t.parent.shape)[1:])
    dtype = getattr(t.parent, "dtype", None)
    x = np.zeros(shape, dtype if dtype is not None and np.dtype(dtype).kind in "biuf" else "float32")
    try:
        return layer.compute_mask(x, np.ones(shape[:2], bool) if given else None) is not None
    except Exception:  # noqa: BLE001 - a compute_mask of one's own that needs real data: no mask known
        return False


def is_symbolic(x) -> bool:
    """An ``Input`` or the output of a layer called on one (not data); for a list or a dict, its first."""
    from ..layers import InputLayer  # noqa: PLC0415 - layers import this module
    if isinstance(x, dict) and x:
        x = next(iter(x.values()))
    if isinstance(x, (list, tuple)) and x:
        x = x[0]
    return isinstance(x, (InputLayer, SymbolicOutput))


def call(layer, parent) -> SymbolicOutput:
    """``layer(parent)`` without data: the layer (or nested model) built for the parent's
    shape (or, for a layer that takes a list, the parents' shapes); its output shape is what
    the graph hands on."""
    from .model import Model  # noqa: PLC0415 - the model module builds on this one
    parents = list(parent) if isinstance(parent, (list, tuple)) else [parent]
    shapes = [(None,) + tuple(p.shape)[1:] for p in parents]
    # a recurrent layer called with initial states reads [x, h, c]: built for x, a node of several inputs
    states_too = isinstance(parent, (list, tuple)) and getattr(layer, "takes_states", False)
    listed = getattr(layer, "takes_list", False) or (getattr(layer, "by_call", False) and isinstance(parent, (list, tuple)))
    if getattr(layer, "by_call", False):                # its output shape is found by a call on zeros of these
        layer._input_dtypes = [getattr(p, "dtype", None) for p in parents]
    if isinstance(parent, (list, tuple)) and not listed and not states_too:
        raise TypeError(f"{type(layer).__name__} {layer.name!r} takes one input, got a list of {len(parents)}; "
                        "merge them first (Concatenate, Add, ...)")
    if isinstance(layer, Model):                        # a model used as a layer
        if not layer.built:
            layer.build(shapes[0])
        out = layer.output_shape
    else:
        out = layer.build_from_shape(shapes if listed else shapes[0])
    batch = {tuple(p.shape)[0] for p in parents if len(tuple(p.shape))}
    if isinstance(out, list) and isinstance(layer, Model) and len(out) > 1:
        return _outputs_of(layer, parents, out)
    if len(batch) == 1 and None not in batch and isinstance(out, tuple) and out and out[0] is None:
        out = (batch.pop(),) + out[1:]                  # Input(batch_shape=(16, ...)): Keras keeps the 16
    dtype = _output_dtype(layer, parents, shapes)
    result = SymbolicOutput(layer, parents, out, dtype)
    layer._symbolic_output = result                     # layer.output, layer.input (Keras's)
    return result


def _outputs_of(model, parents, shapes) -> list:
    """A model of several outputs used as a layer (the segmentation tutorial's ``down_stack``,
    MobileNetV2's five activations): one node, the call, holding output 0, and a node for each
    other output k reading it from that call (``index`` k, as a recurrent layer's states: the
    graph runs the model once, and its backward gets the list of the outputs' gradients)."""
    dtypes = [getattr(o, "dtype", None) for o in model._graph.outputs]
    main = SymbolicOutput(model, parents, shapes[0], dtypes[0])
    main.extra_outputs = len(shapes) - 1
    parts = [main]
    for k in range(1, len(shapes)):
        part = SymbolicOutput(model, [main], shapes[k], dtypes[k])
        part.index = k
        parts.append(part)
    model._symbolic_output = main
    return parts


def _output_dtype(layer, parents, shapes):
    """What a call's symbolic output holds: the layer says when it can (``output_dtype``: a
    lookup's ids or one-hot rows, a Lambda's ``tf.cast``), else its own dtype, else its input's."""
    given = [getattr(p, "dtype", None) for p in parents]
    says = getattr(layer, "output_dtype", None)
    if says is not None:
        many = getattr(layer, "takes_list", False)
        found = says(given if many else given[0], shapes if many else shapes[0])
        if found is not None:
            return found
    return getattr(layer, "dtype", None) or given[0] or "float32"


def structure(value, what, name="Model"):
    """``(tensors, names)``: a single tensor, a list or tuple of them, or a dict of them by
    name (``names`` is then the dict's keys, else None)."""
    if isinstance(value, dict):
        if not value:
            raise ValueError(f"{name}: {what} is an empty dict")
        return list(value.values()), list(value.keys())
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if not items:
        raise ValueError(f"{name}: {what} is empty")
    for i, item in enumerate(items):
        if not is_symbolic(item) or isinstance(item, (list, tuple)):
            where = f"{what}[{i}]" if isinstance(value, (list, tuple)) else what
            raise TypeError(f"{name}: {where} must be a glassnet.Input(shape=...) or a layer's output on one, "
                            f"got {type(item).__name__}")
    return items, None


def cut(inputs, outputs):
    """``Model(inputs=t, outputs=...)`` where ``t`` is a layer's output, not an Input (a FeatureSpace's
    encoded features): as Keras does, the graph is cut there. Each such input becomes a new Input of
    its shape and dtype (named ``<t>CLONE``), and the calls between it and the outputs are made again
    on it (the same layers, so the same weights); the original graph is untouched.
    Returns ``(inputs, outputs)``, the same lists when every input is an Input."""
    from ..layers import InputLayer  # noqa: PLC0415 - layers import this module
    if all(isinstance(i, InputLayer) for i in inputs):
        return inputs, outputs
    made = {}                                           # id(original tensor) -> its replacement
    new_inputs = []
    for t in inputs:
        if not isinstance(t, InputLayer) and id(t) not in made:
            made[id(t)] = InputLayer(batch_shape=tuple(t.shape), dtype=getattr(t, "dtype", None),
                                     name=f"{t.name}CLONE")
            made[id(t)].keras_tensor_name = made[id(t)].name    # (an Input: prints as a KerasTensor)
        new_inputs.append(made.get(id(t), t))
    order, seen = [], set()                             # the calls above the cut, parents first
    for out in outputs:
        stack = [(out, False)]
        while stack:
            t, expanded = stack.pop()
            if id(t) in seen or id(t) in made or not isinstance(t, SymbolicOutput):
                continue
            if expanded:
                seen.add(id(t))
                order.append(t)
            else:
                stack.append((t, True))
                stack.extend((p, False) for p in reversed(t.parents))
    for t in sorted(order, key=lambda n: n.serial):     # in the order the calls were made
        parents = [made.get(id(p), p) for p in t.parents]
        if all(p is q for p, q in zip(parents, t.parents)):
            continue                                    # nothing below it was cut
        copy = SymbolicOutput(t.layer, parents, tuple(t.shape), t.dtype)
        copy.index = t.index
        made[id(t)] = copy
    return new_inputs, [made.get(id(o), o) for o in outputs]


def chain(inputs, outputs, name="Model"):
    """``(input layer, [layers from input to output])`` when one input leads to one output
    through layers called one after another, each once (the model is then a stack, and
    trains as Sequential does, fast path included); None for any other graph."""
    from ..layers import InputLayer  # noqa: PLC0415

    if len(inputs) != 1 or len(outputs) != 1 or not isinstance(inputs[0], InputLayer):
        return None
    layers, node = [], outputs[0]
    while isinstance(node, SymbolicOutput) and len(node.parents) == 1 and not node.takes_list:
        layers.append(node.layer)
        node = node.parent
    if node is not inputs[0] or not layers:
        return None
    layers.reverse()
    if len({id(layer) for layer in layers}) != len(layers):
        return None                                     # a layer used twice: a graph
    return inputs[0], layers
