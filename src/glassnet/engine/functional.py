"""Keras's functional API, for the models glassnet trains: a chain of layers from one input.

Keras's guides write a model as calls of layers on symbolic tensors::

    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10, name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)

Here calling a layer on an ``Input`` (or on what such a call returned) builds the layer for
that shape and returns a :class:`SymbolicOutput` that remembers the layer and what it was
called on; ``Model(inputs, outputs)`` walks back from ``outputs`` to ``inputs`` and, when the
walk is a single chain, is the ``Sequential`` of those layers (same layers, same weights).
Graphs that branch, merge or take several inputs cannot be trained by glassnet's
layer-by-layer backward pass and are refused with a message that says so.

>>> import glassnet
>>> inputs = glassnet.Input(shape=(3,))
>>> outputs = glassnet.layers.Dense(2)(glassnet.layers.Dense(4, activation="relu")(inputs))
>>> outputs.shape.as_list()
[None, 2]
>>> [type(layer).__name__ for layer in glassnet.Model(inputs=inputs, outputs=outputs).layers]
['Dense', 'Dense']
"""
from __future__ import annotations

from ..tf.tensor import KerasTensor


class SymbolicOutput(KerasTensor):
    """``layer(symbolic input)``: its shape and dtype, the layer, and what it was called on."""

    def __init__(self, layer, parent, shape, dtype):
        super().__init__(shape, dtype, f"{layer.name}_output")
        self.layer, self.parent = layer, parent


def is_symbolic(x) -> bool:
    """An ``Input`` or the output of a layer called on one (not data)."""
    from ..layers import InputLayer  # noqa: PLC0415 - layers import this module
    return isinstance(x, (InputLayer, SymbolicOutput))


def call(layer, parent) -> SymbolicOutput:
    """``layer(parent)`` without data: the layer (or nested model) built for the parent's
    shape; its output shape is what the chain hands on."""
    from .model import Model  # noqa: PLC0415 - the model module builds on this one
    shape = (None,) + tuple(parent.shape)[1:]
    if isinstance(layer, Model):                        # a model used as a layer
        if not layer.built:
            layer.build(shape)
        out = layer.output_shape
    else:
        out = layer.build_from_shape(shape)
    dtype = getattr(layer, "dtype", None) or getattr(parent, "dtype", None) or "float32"
    return SymbolicOutput(layer, parent, out, dtype)


def chain(inputs, outputs, name="Model") -> tuple:
    """``(input layer, [layers from input to output])`` of a single chain, or a TypeError
    naming what glassnet cannot train (several inputs or outputs, a graph that is not a chain)."""
    from ..layers import InputLayer  # noqa: PLC0415

    inputs, outputs = _single(inputs, "inputs", name), _single(outputs, "outputs", name)
    if not isinstance(inputs, InputLayer):
        raise TypeError(f"{name}: inputs must be a glassnet.Input(shape=...), got {type(inputs).__name__}")
    layers, node = [], outputs
    while isinstance(node, SymbolicOutput):
        layers.append(node.layer)
        node = node.parent
    if node is not inputs:
        raise TypeError(f"{name}: outputs was not computed from these inputs (its chain starts at "
                        f"{getattr(node, 'name', type(node).__name__)!r})")
    layers.reverse()
    if len({id(layer) for layer in layers}) != len(layers):
        raise TypeError(f"{name}: a layer is used twice in the chain (shared weights); glassnet's models "
                        "use each layer once")
    return inputs, layers


def _single(value, what, name):
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise TypeError(f"{name}: glassnet trains models with one input and one output, as a chain of "
                            f"layers; got {len(value)} {what}")
        value = value[0]
    if isinstance(value, dict):
        raise TypeError(f"{name}: {what} as a dict (named inputs) is not supported; glassnet trains one "
                        "input and one output, as a chain of layers")
    return value
