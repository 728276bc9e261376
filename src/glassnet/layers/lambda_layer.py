"""``Lambda``: a function of your own as a layer (Keras's ``keras.layers.Lambda``).

Its forward is your function; its backward is not written by hand but found by the tape:
the function runs under a ``GradientTape`` that records each operation it makes (each with
its vector-Jacobian product, ``glassnet/tf/vjps.py``), and backward runs those back::

    forward:   out = f(x)                 (recorded, operation by operation)
    backward:  dJ/dx = the recorded operations' vjps, last to first, from dJ/d(out)

NumPy functions on a functional model's symbolic tensors (``np.exp(t)``) make one of these for
you (arithmetic, ``2 * inputs + 1``, makes Keras's named operations: ``named_ops.py``). A
function is Python code, so a model with a Lambda layer is not written to a ``.keras`` file
(glassnet never writes or runs code from a file): save its weights instead.

>>> import numpy as np, glassnet
>>> double = glassnet.layers.Lambda(lambda x: 2 * x)
>>> double(np.ones((1, 3))).tolist()
[[2.0, 2.0, 2.0]]
>>> inputs = glassnet.Input(shape=(3,))
>>> model = glassnet.Model(inputs, glassnet.layers.Dense(1)(np.exp(inputs)))
>>> [type(op).__name__ for op in model.operations]           # np.exp(inputs): a Lambda node
['InputLayer', 'Lambda', 'Dense']
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..tf import tape as tape_module
from ..tf.tensor import Tensor, numpy_recorded
from .base import Layer


class Lambda(Layer):
    """``Lambda(function, output_shape=None, arguments=None)``: ``function(x, **arguments)``.
    Called on a list of tensors, the function gets the list."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {type(function).__name__}")
        if mask is not None:
            raise ValueError("Lambda: mask is not supported")
        self.function, self.arguments = function, dict(arguments or {})
        self.declared_output_shape = None if output_shape is None else tuple(output_shape)
        self.takes_list = False                         # set by each call: a list of inputs or one
        self._recorded = None

    def __call__(self, x, training=None):
        self.takes_list = isinstance(x, (list, tuple))
        return super().__call__(x, training)

    def compute_output_shape(self, input_shape):
        if self.declared_output_shape is not None:
            shape = self.declared_output_shape
            return shape if len(shape) and shape[0] is None else (None,) + shape
        shapes = input_shape if self.takes_list else [input_shape]   # run it once on one row of zeros
        zeros = [np.zeros((1,) + tuple(1 if d is None else d for d in s[1:]), config.floatx()) for s in shapes]
        out = np.asarray(self.function(zeros if self.takes_list else zeros[0], **self.arguments))
        return (None,) + out.shape[1:]

    def output_dtype(self, input_dtype, input_shape):
        """The dtype the function gives on one row of zeros of the inputs' dtypes (``tf.cast``'s
        target, an integer input kept integer); None if it cannot run on zeros."""
        dtypes = input_dtype if self.takes_list else [input_dtype]
        shapes = input_shape if self.takes_list else [input_shape]
        rows = []
        for dtype, shape in zip(dtypes, shapes):
            dims = (1,) + tuple(1 if d is None else d for d in shape[1:])
            dtype = np.dtype(dtype or config.floatx())
            rows.append(np.full(dims, b"", object) if dtype.kind in "OSU" else np.zeros(dims, dtype))
        try:
            out = self.function([r.view(Tensor) for r in rows] if self.takes_list else rows[0].view(Tensor),
                                **self.arguments)
        except Exception:  # noqa: BLE001 - a function that needs real values: the shape was found on floats
            return None
        return np.asarray(out).dtype

    def build_from_shape(self, input_shape):
        if self.takes_list:
            self.built = True
            self.input_shape = [tuple(s) for s in input_shape]
            self._output_shape = tuple(self.compute_output_shape(input_shape))
            return self._output_shape
        return super().build_from_shape(input_shape)

    # -- the two halves: the function, and the tape's record of it run back ------------------
    def forward(self, x, training=False):
        xs = [np.asarray(v).view(Tensor) for v in (x if self.takes_list else [x])]
        with tape_module.GradientTape(persistent=True) as recorder, numpy_recorded():     # np.exp(x) recorded too
            recorder.watch(xs)
            out = self.function(xs if self.takes_list else xs[0], **self.arguments)
        self._recorded = (recorder, xs, out)
        return np.asarray(out)

    def backward(self, grad, need_input_grad=True):
        if self._recorded is None:
            raise RuntimeError(f"Lambda {self.name!r}: backward before forward")
        if not need_input_grad:
            return None
        recorder, xs, out = self._recorded
        grads = recorder.gradient(out, xs, output_gradients=grad, unconnected_gradients="zero")
        grads = [np.asarray(g) for g in grads]
        return grads if self.takes_list else grads[0]

    def get_config(self):
        raise ValueError(f"Lambda {self.name!r} holds Python code ({getattr(self.function, '__name__', 'a function')}); "
                         "glassnet writes no code into model files. Save the weights (save_weights), or make "
                         "the computation a layer class of your own and register it")

    def count_params_for(self, input_shape) -> int:
        return 0


def symbolic_op(function, operands, name=None):
    """``function(*values)`` on a functional model's symbolic tensors (and plain numbers or
    arrays): a :class:`Lambda` node over the symbolic ones, the others kept as constants."""
    from ..engine import functional  # noqa: PLC0415 - the engine builds on the layers
    symbolic = [i for i, v in enumerate(operands) if functional.is_symbolic(v) and not isinstance(v, (list, tuple))]
    constants = {i: v for i, v in enumerate(operands) if i not in symbolic}

    def apply(xs):
        xs = xs if isinstance(xs, list) else [xs]
        values = [None] * len(operands)
        for i, x in zip(symbolic, xs):
            values[i] = x
        for i, v in constants.items():
            values[i] = v
        return function(*values)
    layer = Lambda(apply, name=name)
    tensors = [operands[i] for i in symbolic]
    return layer(tensors if len(tensors) > 1 else tensors[0])


def symbolic_call(function, args, kwargs):
    """A function called on symbolic tensors: a :class:`Lambda` node that calls it on data, as a
    ``keras.ops`` call on a KerasTensor is a node of Keras 3's graph. (TensorFlow's functions refuse
    symbolic tensors, as Keras 3's do: ``glassnet/tf/tensor.py``'s ``accept_symbolic``.)"""
    slots, flat = [], []                                # where each argument's tensors go back
    for key, value in list(enumerate(args)) + list(kwargs.items()):
        if isinstance(value, (list, tuple)):
            slots.append((key, type(value), len(value)))
            flat.extend(value)
        else:
            slots.append((key, None, 1))
            flat.append(value)

    def rebuild(*values):
        it, positional, named = iter(values), [], {}
        for key, kind, n in slots:
            value = next(it) if kind is None else kind(next(it) for _ in range(n))
            if isinstance(key, int):
                positional.append(value)
            else:
                named[key] = value
        return function(*positional, **named)
    return symbolic_op(rebuild, flat)
