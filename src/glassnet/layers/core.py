"""The core layers: Input, Dense, Activation, Dropout, Flatten; each one's ``forward``
with its ``backward`` right under it.

``forward(x, training)`` computes the output and keeps what ``backward`` needs;
``backward(grad)`` takes ``dJ/d(output)``, fills the gradient of each weight
(``variable.grad``, same shape as the weight) and returns ``dJ/d(input)``.

For a Dense layer with activation ``g`` (one batch of ``m`` rows):

    forward:   Z = X @ W + b          A = g(Z)
    backward:  dZ = dA * g'(Z)        dW = X.T @ dZ     db = sum(dZ over rows)
               dX = dZ @ W.T

>>> import numpy as np, glassnet
>>> layer = glassnet.layers.Dense(2, activation="relu")
>>> layer(np.ones((3, 4))).shape
TensorShape([3, 2])
"""
from __future__ import annotations

import copy
import math
import warnings

import numpy as np

from .. import activations, config, constraints, initializers, regularizers
from ..seeding import SeedState, dropout_keep
from ..utils import unique_name
from .activation_onnx import activation_to_onnx
from ..tf.dtypes import keras_dtype
from ..tf.tensor import SymbolicShape
from ..engine.functional import SymbolicMath
from .base import Layer


class InputLayer(SymbolicMath, Layer):
    """Declares the input shape (without the batch dimension); ``Input(shape=(4,))`` makes one."""

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, batch_shape=None, **kwargs):
        if "input_shape" in kwargs:                 # Keras 2's spelling, which Keras 3 still takes, with a warning
            warnings.warn("Argument `input_shape` is deprecated. Use `shape` instead.", stacklevel=2)
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        for arg in ("sparse", "ragged", "optional"):       # Keras's, in its config: dense inputs only here
            if kwargs.pop(arg, False):
                raise ValueError(f"InputLayer: {arg}=True is not supported: glassnet's inputs are dense NumPy arrays")
        if shape is None and batch_shape is None:
            raise ValueError("Input: give `shape`, the shape of one sample, e.g. Input(shape=(400,))")
        if batch_shape is not None:
            shape = tuple(batch_shape)[1:]
            batch_size = tuple(batch_shape)[0]
        if isinstance(shape, int):
            shape = (shape,)
        shape = tuple(shape)
        for i, d in enumerate(shape):
            if d is not None and (not isinstance(d, (int, np.integer)) or d <= 0):
                raise ValueError(f"Input: shape[{i}] must be a positive integer or None, got {d!r}")
        if dtype in ("string", str, np.str_):              # text, for TextVectorization/StringLookup (Keras's tf.string)
            dtype = np.str_
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype, **kwargs)
        self.dtype = keras_dtype(dtype or config.floatx())  # a symbolic tensor's: Keras 3's name, 'float32'
        self.batch_size = batch_size
        self.shape = SymbolicShape((batch_size,) + shape)   # like a KerasTensor's shape (repr a tuple)
        self.built = True
        self.keras_tensor_name = None           # Input() names it: what it prints as a KerasTensor

    sparse = ragged = False

    def __repr__(self):
        """What ``Input()`` returned prints as Keras 3's ``KerasTensor`` (``<KerasTensor shape=(None, 3),
        dtype=float32, sparse=False, ragged=False, name=keras_tensor>``); an ``InputLayer`` made
        otherwise (a model's first layer) as Keras's ``<InputLayer name=input_layer, built=True>``."""
        if self.keras_tensor_name is None:
            return super().__repr__()
        from ..tf.tensor import keras_tensor_text  # noqa: PLC0415
        return keras_tensor_text(self)

    def as_layer(self) -> "InputLayer":
        """The layer behind what ``Input()`` returned, as Keras 3 keeps them apart: a functional model's
        ``model.layers[0]`` prints as ``<InputLayer name=input_layer, built=True>``, and its ``output``
        is the Input, which prints as a KerasTensor. Made once (a copy: same name, shape, dtype, config)."""
        if self.keras_tensor_name is None:
            return self
        layer = self.__dict__.get("_input_layer")
        if layer is None:
            layer = copy.copy(self)
            layer.keras_tensor_name = None
            layer._input_tensor = self
            self._input_layer = layer
        return layer

    @property
    def output(self):
        """The Input (Keras's ``input_layer.output``, the first of a feature extractor's outputs)."""
        return self.__dict__.get("_input_tensor", self)

    @property
    def output_shape(self) -> tuple:
        return tuple(self.shape)

    @output_shape.setter
    def output_shape(self, value):
        pass                                         # (Layer.__init__ clears it: the shape is the Input's)

    def forward(self, x, training=False):
        return x

    def backward(self, grad, need_input_grad=True):
        return grad

    def to_onnx(self, g, x):
        return x                                     # no node: the graph's input is the input

    def get_config(self):
        dtype = "string" if self.dtype is not None and self.dtype.kind == "U" else \
            (self.dtype.name if self.dtype else config.floatx())
        return {"batch_shape": tuple(self.shape), "dtype": dtype, "sparse": False, "ragged": False,
                "name": self.name, "optional": False}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None,
          optional=False, ragged=None) -> InputLayer:
    """``Input(shape=(400,))``: the first entry of a Sequential model, fixing its input size.
    Keras's other arguments are accepted at their dense defaults (``sparse``, ``ragged`` False,
    ``tensor``, ``optional``); glassnet's inputs are dense arrays, so other values are refused."""
    for arg, value in (("sparse", sparse), ("ragged", ragged), ("optional", optional)):
        if value:
            raise ValueError(f"Input: {arg}={value!r} is not supported: glassnet's inputs are dense NumPy "
                             f"arrays; leave {arg} out (or False)")
    if tensor is not None:
        raise ValueError("Input: tensor= is not supported; give shape= (and dtype=) and call the model on the data")
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name, batch_shape=batch_shape)
    layer.keras_tensor_name = name or unique_name("keras_tensor")       # Keras 3: the tensor's own name
    return layer


class Dense(Layer):
    """``A = g(X @ W + b)``: a fully connected layer of ``units`` neurons.

    ``W`` (the kernel) has shape ``(inputs, units)``, ``b`` has ``(units,)``; glorot-uniform
    kernel and zero bias by default, as Keras.
    """

    supports_masking = True          # a padding mask passes through it unchanged (Keras's)

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units!r}")
        kwargs.pop("lora_rank", None)
        kwargs.pop("lora_alpha", None)
        kwargs.pop("quantization_config", None)
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self._activation_backward = activations.backward_of(self.activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)     # its penalty of A joins the loss
        self.kernel_constraint = constraints.get(kernel_constraint)            # w <- c(w) after each step
        self.bias_constraint = constraints.get(bias_constraint)
        self.bias = None

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(f"Dense {self.name!r}: the last dimension of the input must be known")
        self.kernel = self.add_weight((input_shape[-1], self.units), self.kernel_initializer, "kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight((self.units,), self.bias_initializer, "bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def count_params_for(self, input_shape) -> int:
        return int(input_shape[-1]) * self.units + (self.units if self.use_bias else 0)

    def needs_flat_samples(self):
        return True                                  # (N, 8, 8) first into a Dense: a forgotten Flatten

    def forward(self, x, training=False):
        self.x = x
        self.z = x @ self.kernel.value               # Z = X W + b
        if self.use_bias:
            self.z += self.bias.value
        self.a = self.activation(self.z)             # A = g(Z)
        self._add_activity_penalty(self.a)           # activity_regularizer: r(A) / batch joins the loss
        return self.a

    def backward(self, grad, need_input_grad=True):
        if self.activity_regularizer is not None:
            grad = grad + self._activity_gradient()  # dA += r'(A) / batch
            self._activity_in_dz = True
        dz = self._activation_backward(self.z, self.a, grad)     # dZ = dA * g'(Z)
        return self.backward_from_z(dz, need_input_grad)

    def backward_from_z(self, dz, need_input_grad=True):
        """The linear half of backward, from ``dJ/dZ``: where the declared output shortcut
        (sigmoid + cross-entropy, softmax + cross-entropy) enters."""
        if self.activity_regularizer is not None and not self.__dict__.pop("_activity_in_dz", False):
            dz = dz + self._activation_backward(self.z, self.a, self._activity_gradient())   # via the shortcut
        self.dz = dz
        x = self.x.reshape(-1, self.x.shape[-1])     # (batch, ..., inputs) -> (rows, inputs)
        dz_rows = dz.reshape(-1, self.units)
        self.kernel.grad = x.T @ dz_rows             # dW = X.T dZ
        if self.use_bias:
            # db = the sum of dZ's rows (np.add.reduce: np.sum's Python wrapper costs more here)
            self.bias.grad = np.add.reduce(dz_rows, axis=0)
        if need_input_grad:
            return dz @ self.kernel.value.T          # dX = dZ W.T
        return None

    def call_ops(self, x, training=False):
        """The forward written with recorded tf operations (``Z = X W + b``, ``A = g(Z)``): what
        nested tapes record, so that the gradient is differentiable again."""
        from ..tf import vjps  # noqa: PLC0415 - the tape's table, loaded when first needed
        z = x @ self.kernel
        if self.use_bias:
            z = z + self.bias
        return vjps.activation_by(self.activation, z)

    def to_onnx(self, g, x):
        z = g.node("MatMul", [x, g.initializer("kernel", self.kernel.value)])     # Z = X W + b
        if self.use_bias:
            z = g.node("Add", [z, g.initializer("bias", self.bias.value)], name="BiasAdd")
        return activation_to_onnx(g, self.activation, z, self)                    # A = g(Z)

    # -- in glassnet.explain: the equations above, with this batch's shapes and numbers ----
    def narrate_forward(self, page, l, x, out):
        gname = activations.serialize(self.activation)
        page.put(f"  layer {l}: {self.name} (Dense, {self.units} unit{'s' if self.units > 1 else ''}, {gname})")
        W = page.weight(self.kernel, f"W[{l}]")
        page.keep(f"W[{l}]", W)
        if self.use_bias:
            b = page.weight(self.bias, f"b[{l}]")
            page.keep(f"b[{l}]", b)
            eq = f"Z[{l}] = A[{l - 1}] @ W[{l}] + b[{l}]"
            note = f"{page.shape(x)} @ {page.shape(W)} + {page.shape(b)} -> {page.shape(self.z)}"
            page.put(f"        {page.peek(f'W[{l}]', W)}    {page.peek(f'b[{l}]', b)}")
        else:
            eq, note = f"Z[{l}] = A[{l - 1}] @ W[{l}]", f"{page.shape(x)} @ {page.shape(W)} -> {page.shape(self.z)}"
            page.put(f"        {page.peek(f'W[{l}]', W)}")
        page.show(eq, note, f"Z[{l}]", self.z)
        form = activations.formula_of(self.activation)[0]
        page.show(f"A[{l}] = {gname}(Z[{l}])", f"= {form}   {page.shape(out)}", f"A[{l}]", out)

    def narrate_backward(self, page, l, dx, shortcut=False):
        dZ = self.dz
        if not shortcut:                             # else dZ is the shortcut's, written above
            g = self.activation
            gname = activations.serialize(g)
            deriv = activations.formula_of(g)[1]
            if g is activations.softmax:
                eq = f"dZ[{l}] = A * (dA - sum_j dA_j A_j)"
            elif g is activations.linear:
                eq = f"dZ[{l}] = dA[{l}]"
            else:
                eq = f"dZ[{l}] = dA[{l}] * {gname}'(Z[{l}])"
            note = f"{gname}' = {deriv}   {page.shape(dZ)}" if deriv and g is not activations.linear else page.shape(dZ)
            page.show(eq, note, f"dZ[{l}]", dZ)
        kern = self.kernel.grad
        page.show(f"dW[{l}] = A[{l - 1}].T @ dZ[{l}]",
                  f"{page.shape(self.x.T)} @ {page.shape(dZ)} -> {page.shape(kern)}", f"dW[{l}]", kern)
        if self.kernel.regularizer is not None:
            page.put(f"        + the penalty's gradient, {type(self.kernel.regularizer).__name__}.gradient(W[{l}])")
        if self.use_bias:
            page.show(f"db[{l}] = sum over the m rows of dZ[{l}]", page.shape(self.bias.grad), f"db[{l}]",
                      self.bias.grad)
        if dx is not None:
            page.show(f"dA[{l - 1}] = dZ[{l}] @ W[{l}].T",
                      f"{page.shape(dZ)} @ {page.shape(self.kernel.value.T)} -> {page.shape(dx)}", f"dA[{l - 1}]", dx)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                **({"activity_regularizer": regularizers.serialize(self.activity_regularizer)}
                   if self.activity_regularizer is not None else {})}      # Keras 3 names it only when set


class Activation(Layer):
    """Applies an activation on its own: ``Activation("softmax")``."""

    supports_masking = True          # a padding mask passes through it unchanged (Keras's)

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self._activation_backward = activations.backward_of(self.activation)

    def forward(self, x, training=False):
        self.z = x
        self.a = self.activation(x)
        return self.a

    def backward(self, grad, need_input_grad=True):
        return self._activation_backward(self.z, self.a, grad)

    def backward_from_z(self, dz, need_input_grad=True):
        return dz                                    # the input *is* Z: nothing left to do

    def call_ops(self, x, training=False):
        """``A = g(X)`` as a recorded tf operation (nested tapes)."""
        from ..tf import vjps  # noqa: PLC0415
        return vjps.activation_by(self.activation, x)

    def needs_flat_samples(self):
        return None                                  # elementwise: the next layer decides

    def to_onnx(self, g, x):
        if self.activation is activations.linear:
            return g.node("Identity", [x])
        return activation_to_onnx(g, self.activation, x, self)

    def narrate_forward(self, page, l, x, out):
        gname = activations.serialize(self.activation)
        page.put(f"  layer {l}: {self.name} (Activation, {gname})")
        page.show(f"A[{l}] = {gname}(A[{l - 1}])", page.shape(out), f"A[{l}]", out)

    def narrate_backward(self, page, l, dx, shortcut=False):
        if dx is None:
            return
        if not shortcut:                             # else the shortcut gave dA[l-1] itself
            page.put(f"    dA[{l - 1}] = dA[{l}] * {activations.serialize(self.activation)}'(A[{l - 1}])")
        page.keep(f"dA[{l - 1}]", dx)

    def explain_z(self, l):
        return f"A[{l - 1}]"                         # the input *is* Z

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Inverted dropout: in training, zero each input with probability ``rate`` and scale the
    rest by ``1 / (1 - rate)``; at inference, the identity. ``noise_shape`` (Keras's): the mask's
    shape, broadcast over the input, None taking the input's size (``(None, 1, 1, 1)`` keeps or
    drops each sample whole, EfficientNet's drop-connect)."""

    supports_masking = True          # a padding mask passes through it unchanged (Keras's)

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        if not (isinstance(rate, (int, float)) and 0 <= rate < 1):
            raise ValueError(f"Dropout: rate must be a number in [0, 1), got {rate!r}")
        if noise_shape is not None and not (isinstance(noise_shape, (list, tuple)) and all(
                d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0)
                for d in noise_shape)):
            raise ValueError(f"Dropout: noise_shape must be a tuple of positive ints or None (e.g. (None, 1, 1, "
                             f"1) to drop whole samples), got {noise_shape!r}")
        super().__init__(**kwargs)
        self.rate, self.seed = float(rate), seed
        self.noise_shape = None if noise_shape is None else tuple(None if d is None else int(d) for d in noise_shape)
        # Keras 3's seed: taken now (Python's random when seed is None), moved on at each mask
        self._seed_state = SeedState(seed) if self.rate > 0 else None
        self._mask = None

    def _new_mask(self, x):
        """TensorFlow's stateless dropout mask for the next seed, as Keras 3 draws it: kept where
        a uniform draw in x's dtype is >= rate, scaled by ``1 / (1 - rate)`` (in x's dtype)."""
        dtype = np.asarray(x).dtype if np.asarray(x).dtype.kind == "f" else np.dtype(config.floatx())
        keep = dropout_keep(self._mask_shape(x), self.rate, dtype, self._seed_state)
        return keep.astype(dtype) * dtype.type(1.0 / (1.0 - self.rate))

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self._mask = None
            return x
        self._mask = self._new_mask(x)
        return x * self._mask                        # a noise_shape mask broadcasts

    def _mask_shape(self, x):
        if self.noise_shape is None:
            return np.shape(x)
        if len(self.noise_shape) != np.ndim(x):
            raise ValueError(f"Dropout {self.name!r}: noise_shape {self.noise_shape} has {len(self.noise_shape)} "
                             f"dimensions, the input {np.shape(x)} has {np.ndim(x)}")
        return tuple(n if d is None else d for d, n in zip(self.noise_shape, np.shape(x)))

    def backward(self, grad, need_input_grad=True):
        return grad if self._mask is None else grad * self._mask

    def call_ops(self, x, training=False):
        """The same, recorded (nested tapes): ``x * mask`` with the mask a constant: the one the
        call's forward drew (a nested tape runs the call again on the state it kept), else a new one."""
        from ..tf import vjps  # noqa: PLC0415
        if not training or self.rate == 0:
            return vjps.identity(x)
        if self._mask is None or self._mask.shape != self._mask_shape(x):
            self._mask = self._new_mask(x)
        return x * self._mask

    def needs_flat_samples(self):
        return None                                  # elementwise: the next layer decides

    def to_onnx(self, g, x):
        return g.node("Identity", [x])               # an exported model infers: the identity

    def narrate_forward(self, page, l, x, out):     # explain runs in inference mode
        page.put(f"  layer {l}: {self.name} (Dropout, rate {self.rate:g})")
        page.show(f"A[{l}] = A[{l - 1}]", "(inference mode: the identity; in fit, "
                  f"A[{l - 1}] * mask / {1 - self.rate:g})", f"A[{l}]", out)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class Flatten(Layer):
    """Reshapes each sample to one dimension: ``(N, 8, 8)`` -> ``(N, 64)``."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(math.prod(rest))
        return (input_shape[0], size)

    def forward(self, x, training=False):
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad, need_input_grad=True):
        return grad.reshape(self._shape)

    def call_ops(self, x, training=False):
        """The same reshape, recorded (nested tapes)."""
        from ..tf import vjps  # noqa: PLC0415
        return vjps.reshape(x, (x.shape[0], -1))

    def to_onnx(self, g, x):
        return g.node("Flatten", [x], axis=1)        # (N, ...) -> (N, -1)

    def narrate_forward(self, page, l, x, out):
        page.put(f"  layer {l}: {self.name} (Flatten)")
        page.show(f"A[{l}] = reshape(A[{l - 1}])", f"{page.shape(x)} -> {page.shape(out)}", f"A[{l}]", out)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format or "channels_last"}
