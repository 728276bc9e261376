"""EinsumDense: Dense written as one ``np.einsum`` equation (Keras's ``EinsumDense``).

``EinsumDense("abc,cd->abd", output_shape=(None, 64))`` multiplies each step of a sequence by
a kernel of shape (c, d); MultiHeadAttention's projections are ``"abc,cde->abde"``. For an
equation ``"x,w->y"`` (subscripts of the input, the kernel and the output)::

    forward    Y = einsum("x,w->y", X, W) + b            (b broadcast over the axes not in bias_axes)
    backward   dW = einsum("x,y->w", X, dY)              (every subscript of W is in X or in Y)
               dX = einsum("y,w->x", dY, W)
               db = sum of dY over the axes of Y that b does not have
               (an activation first: dY = dA * g'(Y), as Dense's)

Einsum's sums are linear, so each gradient is the same equation with the roles swapped: the
sum runs over whatever subscripts the result does not keep.

>>> import numpy as np, glassnet
>>> layer = glassnet.layers.EinsumDense("abc,cd->abd", output_shape=(None, 4), bias_axes="d")
>>> layer(np.ones((2, 3, 5))).shape
TensorShape([2, 3, 4])
>>> [(v.name, v.shape) for v in layer.weights]
[('kernel', TensorShape([5, 4])), ('bias', TensorShape([4]))]
"""
from __future__ import annotations

import re

import numpy as np

from .. import activations, initializers, regularizers
from .base import Layer

_EQUATION = re.compile(r"^(\.\.\.)?([a-zA-Z]*),([a-zA-Z]+)->(\.\.\.)?([a-zA-Z]*)$")


class EinsumDense(Layer):
    """Keras's ``EinsumDense(equation, output_shape, activation=None, bias_axes=None,
    kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
    bias_regularizer=None)``. ``output_shape`` is the output's shape without the batch axis
    (without the axes ``...`` stands for, when the equation starts with it); ``None`` for a
    size the input decides."""

    def __init__(self, equation, output_shape, activation=None, bias_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        found = _EQUATION.match(str(equation).replace(" ", "")) if isinstance(equation, str) else None
        if found is None:
            raise ValueError(f"EinsumDense: equation must read 'input,kernel->output' (subscripts a-z, '...' "
                             f"leading), e.g. 'abc,cd->abd'; got {equation!r}")
        dots_in, sub_in, sub_w, dots_out, sub_out = found.groups()
        if bool(dots_in) != bool(dots_out):
            raise ValueError(f"EinsumDense: '...' must start both the input's and the output's subscripts, got {equation!r}")
        for ch in sub_w + sub_out:
            if ch not in sub_in + sub_w and ch in sub_out:
                raise ValueError(f"EinsumDense: output subscript {ch!r} of {equation!r} is in neither the input "
                                 "nor the kernel")
        if any(ch not in sub_in and ch not in sub_out for ch in sub_w):
            raise ValueError(f"EinsumDense: every kernel subscript must be in the input or the output: {equation!r}")
        shape = [output_shape] if isinstance(output_shape, (int, np.integer)) or output_shape is None \
            else list(output_shape)
        width = len(sub_out) - (0 if dots_out else 1)              # the output's axes after the batch (or ...)
        if len(shape) != width:
            raise ValueError(f"EinsumDense: output_shape {output_shape!r} must give {width} size(s) for "
                             f"{equation!r} (the output without its {'...' if dots_out else 'batch axis'})")
        bias_axes = bias_axes or None
        if bias_axes is not None and any(ch not in sub_out for ch in bias_axes):
            raise ValueError(f"EinsumDense: bias_axes {bias_axes!r} must be output subscripts of {equation!r}")
        for arg, v in (("activity_regularizer", activity_regularizer), ("kernel_constraint", kernel_constraint),
                       ("bias_constraint", bias_constraint), ("lora_rank", lora_rank),
                       ("quantization_config", quantization_config)):
            if v is not None:
                raise ValueError(f"EinsumDense: {arg} is not supported by glassnet yet (got {v!r})")
        super().__init__(**kwargs)
        self.equation, self.bias_axes = str(equation), bias_axes
        self.partial_output_shape = [None if d is None else int(d) for d in shape]
        self._dots, self._in, self._w, self._out = bool(dots_in), sub_in, sub_w, sub_out
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel = self.bias = None

    # -- shapes ----------------------------------------------------------------------------
    def _sizes(self, input_shape):
        """Each subscript's size, from the input and from output_shape."""
        input_shape = tuple(input_shape)
        named = input_shape[len(input_shape) - len(self._in):] if self._dots else input_shape
        if len(named) != len(self._in):
            raise ValueError(f"EinsumDense {self.name!r}: {self.equation!r} wants inputs with {len(self._in)} axes, "
                             f"got shape {input_shape}")
        sizes = dict(zip(self._in, named))
        out_named = self._out if self._dots else self._out[1:]
        for ch, d in zip(out_named, self.partial_output_shape):
            if d is not None:
                if sizes.get(ch) not in (None, d):
                    raise ValueError(f"EinsumDense {self.name!r}: output_shape gives {ch!r} size {d}, the input "
                                     f"{sizes[ch]}")
                sizes[ch] = d
        return sizes

    def _kernel_shape(self, input_shape):
        sizes = self._sizes(input_shape)
        shape = tuple(sizes.get(ch) for ch in self._w)
        if any(d is None for d in shape):
            raise ValueError(f"EinsumDense {self.name!r}: the kernel's sizes must be known, got {shape} for "
                             f"{self._w!r} from input shape {tuple(input_shape)}")
        return tuple(int(d) for d in shape)

    def _bias_shape(self, input_shape):
        """Keras's: the output's axes from the first bias axis on, 1 where b is shared."""
        if self.bias_axes is None:
            return None
        sizes = self._sizes(input_shape)
        first = min(self._out.index(ch) for ch in self.bias_axes)
        return tuple(int(sizes[ch]) if ch in self.bias_axes else 1 for ch in self._out[first:])

    def build(self, input_shape):
        init = self.kernel_initializer
        if isinstance(init, initializers.VarianceScaling) and (init.input_axes is None or init.output_axes is None):
            # Keras 3.15: fans from the kernel's input and output axes, the same seed (a clone)
            outs = [i for i, ch in enumerate(self._w) if ch in self._out]
            init = type(init)(**{**init.get_config(), "seed": init.seed, "output_axes": outs,
                                 "input_axes": [i for i, ch in enumerate(self._w) if ch not in self._out]})
        self.kernel = self.add_weight(self._kernel_shape(input_shape), init, "kernel",
                                      regularizer=self.kernel_regularizer)
        bias = self._bias_shape(input_shape)
        if bias is not None:
            self.bias = self.add_weight(bias, self.bias_initializer, "bias", regularizer=self.bias_regularizer)
        self.built = True

    def compute_output_shape(self, input_shape):
        sizes = self._sizes(input_shape)
        lead = tuple(input_shape)[:len(input_shape) - len(self._in)] if self._dots else (input_shape[0],)
        return lead + tuple(sizes.get(ch) for ch in (self._out if self._dots else self._out[1:]))

    def count_params_for(self, input_shape) -> int:
        bias = self._bias_shape(input_shape)
        return int(np.prod(self._kernel_shape(input_shape))) + (int(np.prod(bias)) if bias else 0)

    # -- the two halves ----------------------------------------------------------------------
    def _eq(self, a, b, c):
        dots = "..." if self._dots else ""
        return f"{dots if a != self._w else ''}{a},{dots if b != self._w else ''}{b}->{dots if c != self._w else ''}{c}"

    def forward(self, x, training=False):
        self.x = x
        self.z = np.einsum(self._eq(self._in, self._w, self._out), x, self.kernel.value)     # Y = einsum(X, W)
        if self.bias is not None:
            self.z = self.z + self.bias.value
        self.a = self.activation(self.z)
        return self.a

    def backward(self, grad, need_input_grad=True):
        dz = activations.backward_of(self.activation)(self.z, self.a, grad)
        if self._dots:                    # einsum sums no '...' away: the leading axes as one named axis
            n = next(c for c in "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA"
                     if c not in self._in + self._w + self._out)
            x = self.x.reshape((-1,) + self.x.shape[self.x.ndim - len(self._in):])
            d = dz.reshape((-1,) + dz.shape[dz.ndim - len(self._out):])
            self.kernel.grad = np.einsum(f"{n}{self._in},{n}{self._out}->{self._w}", x, d)
        else:
            self.kernel.grad = np.einsum(self._eq(self._in, self._out, self._w), self.x, dz)  # dW = einsum(X, dY)
        if self.bias is not None:
            keep = dz.ndim - self.bias.value.ndim                          # b covers the last axes
            summed = dz.sum(axis=tuple(range(keep)))
            shared = tuple(i for i, d in enumerate(self.bias.shape) if d == 1 and summed.shape[i] != 1)
            self.bias.grad = summed.sum(axis=shared, keepdims=True) if shared else summed
        if not need_input_grad:
            return None
        return np.einsum(self._eq(self._out, self._w, self._in), dz, self.kernel.value)     # dX = einsum(dY, W)

    def get_config(self):
        return {**super().get_config(), "equation": self.equation, "output_shape": self.partial_output_shape,
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
                "quantization_config": None}
