"""Layers: each one's ``forward`` with its ``backward`` right under it.

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
(3, 2)
"""
from __future__ import annotations

import math

import numpy as np

from . import activations, config, initializers, regularizers
from .utils import rng, snake_case, unique_name


class Variable:
    """A weight array with its gradient: ``value`` and ``grad`` have the same shape.

    Optimizers change ``value`` in place, so arrays handed out by ``numpy()`` are copies.
    """

    __slots__ = ("value", "grad", "name", "path", "trainable", "regularizer")

    def __init__(self, value, name, trainable=True, regularizer=None, path=None):
        self.value = value
        self.grad = np.zeros_like(value)
        self.name = name
        self.path = path or name
        self.trainable = trainable
        self.regularizer = regularizer

    @property
    def shape(self):
        return self.value.shape

    @property
    def dtype(self):
        return self.value.dtype

    def numpy(self) -> np.ndarray:
        return self.value.copy()

    def assign(self, value) -> None:
        value = np.asarray(value)
        if value.shape != self.value.shape:
            raise ValueError(
                f"Variable {self.path!r}: cannot assign a value of shape {value.shape} "
                f"to a variable of shape {self.value.shape}"
            )
        self.value[...] = value

    def __array__(self, dtype=None, copy=None):
        return self.value.astype(dtype) if dtype is not None else self.value.copy()

    def __repr__(self):
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}>"


_ALIGN = 64      # bytes: BLAS runs about twice as fast on 64-byte-aligned matrices (measured)


def _aligned_empty(n, dtype):
    """A zeroed 1-D array of ``n`` items whose first item sits on a 64-byte boundary."""
    itemsize = np.dtype(dtype).itemsize
    raw = np.zeros(n + _ALIGN // itemsize, dtype)
    skip = (-raw.ctypes.data % _ALIGN) // itemsize
    return raw[skip:skip + n]


def _padded(n, itemsize):
    return n + (-n * itemsize % _ALIGN) // itemsize


def pack_variables(variables) -> None:
    """Move the variables' values and gradients into one buffer each (per dtype), every
    variable a 64-byte-aligned view of its slice (zero padding between). Optimizers then
    update all weights of a small network with a handful of NumPy calls instead of a
    handful per weight: for the seed's 25-15-1 network, RMSprop's step went from 6 x 8
    calls to 8. The zero padding stays zero under every update rule."""
    by_dtype: dict = {}
    for v in variables:
        by_dtype.setdefault(v.value.dtype, []).append(v)
    for dtype, group in by_dtype.items():
        total = sum(_padded(v.value.size, dtype.itemsize) for v in group)
        values, grads = _aligned_empty(total, dtype), _aligned_empty(total, dtype)
        offset = 0
        for v in group:
            n, shape = v.value.size, v.value.shape
            values[offset:offset + n] = v.value.reshape(-1)
            v.value = values[offset:offset + n].reshape(shape)
            v.grad = grads[offset:offset + n].reshape(shape)
            offset += _padded(n, dtype.itemsize)


def flat_view(variables):
    """``(values, grads)``: 1-D views spanning exactly these variables (and the padding
    between them) when they lie in order in one packed buffer, else ``None``."""
    if not variables:
        return None
    base_v, base_g = variables[0].value.base, variables[0].grad.base
    if base_v is None or base_g is None or base_v.ndim != 1:
        return None
    itemsize = base_v.itemsize

    def position(a, base):
        return (a.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // itemsize

    start_v, start_g = position(variables[0].value, base_v), position(variables[0].grad, base_g)
    offset = 0
    for v in variables:
        if (v.value.base is not base_v or v.grad.base is not base_g or not v.value.flags.c_contiguous
                or position(v.value, base_v) != start_v + offset or position(v.grad, base_g) != start_g + offset):
            return None
        end = offset + v.value.size
        offset += _padded(v.value.size, itemsize)
    return base_v[start_v:start_v + end], base_g[start_g:start_g + end]


class Layer:
    """Base class: naming, weights, lazy building, and ``__call__`` on NumPy arrays."""

    def __init__(self, name=None, trainable=True, dtype=None, input_shape=None, input_dim=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected argument(s) {', '.join(sorted(kwargs))}")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.trainable = trainable
        self.dtype = np.dtype(dtype) if dtype is not None else None   # None: config.floatx()
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        # Keras 2 style `Dense(4, input_shape=(3,))`: the model builds at once from this.
        self._input_shape_arg = tuple(input_shape) if input_shape is not None else None
        self.built = False
        self._variables: list[Variable] = []
        self.input_shape = None
        self.output_shape = None

    # -- weights ------------------------------------------------------------------------
    def add_weight(self, shape, initializer, name, trainable=True, regularizer=None, dtype=None) -> Variable:
        dtype = dtype or self.dtype or config.floatx()      # dtype: e.g. "int64" for a counter
        # np.array, not np.ascontiguousarray: that one turns a scalar weight's shape () into (1,)
        value = np.array(initializers.get(initializer)(tuple(shape), dtype=dtype), dtype=dtype, order="C")
        var = Variable(value, name, trainable and self.trainable, regularizer, path=f"{self.name}/{name}")
        self._variables.append(var)
        return var

    @property
    def weights(self) -> list[Variable]:
        return list(self._variables)

    @property
    def trainable_weights(self) -> list[Variable]:
        return [v for v in self._variables if v.trainable and self.trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        return [v for v in self._variables if not (v.trainable and self.trainable)]

    trainable_variables = trainable_weights
    variables = weights

    def get_weights(self) -> list[np.ndarray]:
        return [v.numpy() for v in self._variables]

    def set_weights(self, weights) -> None:
        weights = list(weights)
        if len(weights) != len(self._variables):
            raise ValueError(
                f"Layer {self.name!r} expects {len(self._variables)} weight arrays "
                f"({', '.join(str(v.shape) for v in self._variables)}), got {len(weights)}"
            )
        for i, (var, w) in enumerate(zip(self._variables, weights)):
            w = np.asarray(w)
            if w.shape != var.shape:
                raise ValueError(
                    f"Layer {self.name!r} weight {i} ({var.name}): expected shape {var.shape}, got {w.shape}"
                )
        for var, w in zip(self._variables, weights):
            var.value[...] = w

    def count_params(self) -> int:
        return int(sum(v.value.size for v in self._variables))

    @property
    def losses(self) -> list[float]:
        """This layer's weight penalties, one per regularized weight (Keras's ``layer.losses``)."""
        return [float(v.regularizer(v.value)) for v in self._variables if v.regularizer is not None]

    def regularization_loss(self) -> float:
        """Sum of this layer's weight penalties (added to the loss in fit and evaluate)."""
        return sum(self.losses)

    # -- building -----------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch dimension first)."""
        self.built = True

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def build_from_shape(self, input_shape) -> tuple:
        """Build (once) and return the output shape; used by models to chain layers."""
        input_shape = tuple(input_shape)
        if not self.built:
            self.build(input_shape)
            self.built = True
        self.input_shape = input_shape
        self.output_shape = self.compute_output_shape(input_shape)
        return self.output_shape

    def __call__(self, x, training=False):
        x = np.asarray(x, dtype=self.dtype or config.floatx())
        if not self.built:
            self.build_from_shape((None,) + x.shape[1:])
        return self.forward(x, training=training)

    # -- the two halves -------------------------------------------------------------------
    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, grad, need_input_grad=True):
        raise NotImplementedError

    # -- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        dtype = self.dtype.name if self.dtype is not None else config.floatx()
        return {"name": self.name, "trainable": self.trainable,
                "dtype": {"module": "keras", "class_name": "DTypePolicy",
                          "config": {"name": dtype}, "registered_name": None}}

    @classmethod
    def from_config(cls, cfg: dict):
        cfg = dict(cfg)
        dtype = cfg.pop("dtype", None)
        if isinstance(dtype, dict):
            dtype = (dtype.get("config") or {}).get("name")
        cfg.pop("batch_input_shape", None)
        layer = cls(**cfg)
        if dtype in ("float16", "float32", "float64"):
            layer.dtype = np.dtype(dtype)
        return layer

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class InputLayer(Layer):
    """Declares the input shape (without the batch dimension); ``Input(shape=(4,))`` makes one."""

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, batch_shape=None, **kwargs):
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
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype, **kwargs)
        self.batch_size = batch_size
        self.shape = (batch_size,) + shape          # like a KerasTensor's shape
        self.built = True

    def forward(self, x, training=False):
        return x

    def backward(self, grad, need_input_grad=True):
        return grad

    def get_config(self):
        return {"batch_shape": list(self.shape), "dtype": (self.dtype.name if self.dtype else config.floatx()),
                "sparse": False, "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None) -> InputLayer:
    """``Input(shape=(400,))``: the first entry of a Sequential model, fixing its input size."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name, batch_shape=batch_shape)


class Dense(Layer):
    """``A = g(X @ W + b)``: a fully connected layer of ``units`` neurons.

    ``W`` (the kernel) has shape ``(inputs, units)``, ``b`` has ``(units,)``; glorot-uniform
    kernel and zero bias by default, as Keras.
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units!r}")
        for arg, v in (("activity_regularizer", activity_regularizer),
                       ("kernel_constraint", kernel_constraint), ("bias_constraint", bias_constraint)):
            if v is not None:
                raise ValueError(f"Dense: {arg} is not supported by glassnet yet (got {v!r})")
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
        self.bias = None

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(f"Dense {self.name!r}: the last dimension of the input must be known")
        self.kernel = self.add_weight((input_shape[-1], self.units), self.kernel_initializer, "kernel",
                                      regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight((self.units,), self.bias_initializer, "bias",
                                        regularizer=self.bias_regularizer)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def forward(self, x, training=False):
        z = x @ self.kernel.value                    # Z = X W + b
        if self.use_bias:
            z += self.bias.value
        self._x, self._z = x, z
        self._a = a = self.activation(z)             # A = g(Z)
        return a

    def backward(self, grad, need_input_grad=True):
        dz = self._activation_backward(self._z, self._a, grad)     # dZ = dA * g'(Z)
        return self.backward_from_z(dz, need_input_grad)

    def backward_from_z(self, dz, need_input_grad=True):
        """The linear half of backward, from ``dJ/dZ``; the declared loss shortcut starts here."""
        x = self._x
        if x.ndim == 2:
            np.matmul(x.T, dz, out=self.kernel.grad)               # dW = X.T dZ
        else:                                                      # (batch, ..., inputs)
            np.matmul(x.reshape(-1, x.shape[-1]).T, dz.reshape(-1, self.units), out=self.kernel.grad)
        if self.kernel.regularizer is not None:
            self.kernel.grad += self.kernel.regularizer.gradient(self.kernel.value)
        if self.use_bias:
            # db = sum of dZ rows (np.add.reduce: np.sum's Python wrapper costs more than the sum here)
            np.add.reduce(dz.reshape(-1, self.units), axis=0, out=self.bias.grad)
            if self.bias.regularizer is not None:
                self.bias.grad += self.bias.regularizer.gradient(self.bias.value)
        if need_input_grad:
            return dz @ self.kernel.value.T                        # dX = dZ W.T
        return None

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": None, "bias_constraint": None}


class Activation(Layer):
    """Applies an activation on its own: ``Activation("softmax")``."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self._activation_backward = activations.backward_of(self.activation)

    def forward(self, x, training=False):
        self._z = x
        self._a = a = self.activation(x)
        return a

    def backward(self, grad, need_input_grad=True):
        return self._activation_backward(self._z, self._a, grad)

    def backward_from_z(self, dz, need_input_grad=True):
        return dz                                    # the input *is* Z: nothing left to do

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Inverted dropout: in training, zero each input with probability ``rate`` and scale the
    rest by ``1 / (1 - rate)``; at inference, the identity."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        if not (isinstance(rate, (int, float)) and 0 <= rate < 1):
            raise ValueError(f"Dropout: rate must be a number in [0, 1), got {rate!r}")
        if noise_shape is not None:
            raise ValueError("Dropout: noise_shape is not supported by glassnet yet")
        super().__init__(**kwargs)
        self.rate, self.seed = float(rate), seed
        self._generator = np.random.default_rng(seed) if seed is not None else None
        self._mask = None

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self._mask = None
            return x
        gen = self._generator or rng()
        self._mask = (gen.random(x.shape) >= self.rate).astype(x.dtype) * (1.0 / (1.0 - self.rate))
        return x * self._mask

    def backward(self, grad, need_input_grad=True):
        return grad if self._mask is None else grad * self._mask

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "noise_shape": None}


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

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format or "channels_last"}


from .preprocessing import Normalization  # noqa: E402  (it builds on Layer, defined above)

_CLASSES = {c.__name__: c for c in [InputLayer, Dense, Activation, Dropout, Flatten, Normalization]}


def get_class(name: str):
    """The registered layer class of this name; anything else is refused (safe loading)."""
    if name not in _CLASSES:
        raise ValueError(f"Unknown layer class {name!r}: glassnet builds only {', '.join(sorted(_CLASSES))}")
    return _CLASSES[name]
