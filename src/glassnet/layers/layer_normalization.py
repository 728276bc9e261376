"""Normalizations within one sample: LayerNormalization, GroupNormalization, UnitNormalization.

BatchNormalization (``normalization.py``) standardizes each channel over the *batch*; these
standardize each *sample* on its own, so training and inference compute the same thing and
there are no moving averages. With ``m`` the numbers that share one mean (a sample's features
on ``axis``; a group's channels and positions)::

    LayerNormalization   mu = mean(x)   var = mean((x - mu)^2)   s = sqrt(var + eps)
                         xhat = (x - mu) / s          y = gamma xhat + beta
      backward           dgamma = sum over the rest of dy xhat      dbeta = sum of dy
                         g = dy gamma      dx = (g - mean(g) - xhat mean(g xhat)) / s
      rms_scaling=True   y = gamma x / s    (Keras 3.15: s still from the variance, the mean not taken
                         out of x; no beta)   dx = (g - chat mean(g xhat)) / s,  chat = (x - mu) / s
    GroupNormalization   the same formula, the mean taken per sample over a group of channels
                         (and every position); gamma and beta per channel
    UnitNormalization    y = x / sqrt(max(sum(x^2), 1e-12))       dx = (dy - y sum(dy y)) / norm

The ``mean(g)`` and ``mean(g xhat)`` terms are there because ``mu`` and ``s`` depend on
every number they were computed from (the same derivation as BatchNormalization's).

>>> import numpy as np, glassnet
>>> ln = glassnet.layers.LayerNormalization()
>>> [round(float(v), 4) for v in ln(np.array([[1.0, 3.0]])).numpy()[0]]   # mu = 2, var = 1
[-0.9995, 0.9995]
"""
from __future__ import annotations

import numpy as np

from .. import initializers, regularizers
from .base import Layer


def _axes(who, axis):
    """``axis`` as a list of ints (Keras takes an int or a list)."""
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if not axes or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in axes):
        raise ValueError(f"{who}: axis must be an integer or a list of integers, got {axis!r}")
    return [int(a) for a in axes]


def _number(who, name, value, low=0.0):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not value > low:
        raise ValueError(f"{who}: {name} must be a number > {low:g}, got {value!r}")
    return float(value)


def _no_constraints(who, **given):
    for arg, v in given.items():
        if v is not None:
            raise ValueError(f"{who}: {arg} is not supported by glassnet yet (got {v!r})")


def standardize_backward(g, xhat, inv, reduce, center=True):
    """dx of ``xhat = (x - mean(x)) * inv`` (``inv = 1 / sqrt(var + eps)``) given ``g = dJ/dxhat``,
    the means over ``reduce``; without ``center`` (RMS scaling) no mean was taken out."""
    mean_gx = (g * xhat).mean(axis=reduce, keepdims=True)
    if center:
        return (g - g.mean(axis=reduce, keepdims=True) - xhat * mean_gx) * inv
    return (g - xhat * mean_gx) * inv


class LayerNormalization(Layer):
    """``y = gamma (x - mu) / sqrt(var + epsilon) + beta``, ``mu`` and ``var`` of each sample
    over ``axis`` (the last by default), as Keras 3's ``LayerNormalization``. Weights ``gamma``
    (``scale``) and ``beta`` (``center``), shaped as the input on ``axis``. ``rms_scaling=True``:
    ``y = gamma x / sqrt(mean(x^2) + epsilon)`` (RMSNorm; no ``beta``).

    >>> import numpy as np, glassnet
    >>> ln = glassnet.layers.LayerNormalization(epsilon=1e-6)
    >>> ln.build((None, 5, 4))
    >>> [(v.name, v.shape) for v in ln.weights]
    [('gamma', TensorShape([4])), ('beta', TensorShape([4]))]
    """

    supports_masking = True          # a padding mask passes through it unchanged (Keras's)

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        who = "LayerNormalization"
        axes = _axes(who, axis)
        epsilon = _number(who, "epsilon", epsilon)
        _no_constraints(who, beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        super().__init__(**kwargs)
        self.axis = axes if isinstance(axis, (list, tuple)) else axes[0]
        self.epsilon = epsilon
        self.center, self.scale, self.rms_scaling = bool(center), bool(scale), bool(rms_scaling)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma = self.beta = None

    # -- building -------------------------------------------------------------------------
    def _resolve(self, input_shape):
        ndim = len(input_shape)
        axes = []
        for a in _axes("LayerNormalization", self.axis):
            if not -ndim <= a < ndim or a % ndim == 0:
                raise ValueError(f"LayerNormalization {self.name!r}: axis={self.axis!r} does not fit inputs of "
                                 f"shape {tuple(input_shape)} (each axis must name a non-batch axis)")
            if input_shape[a % ndim] is None:
                raise ValueError(f"LayerNormalization {self.name!r}: the size of axis {a} must be known "
                                 f"(input shape {tuple(input_shape)})")
            axes.append(a % ndim)
        if len(set(axes)) != len(axes):
            raise ValueError(f"LayerNormalization {self.name!r}: axis={self.axis!r} names an axis twice")
        return sorted(axes)

    def _param_shape(self, input_shape):
        return tuple(int(input_shape[a]) for a in self._resolve(input_shape))

    @property
    def _has_gamma(self):
        return self.scale or self.rms_scaling          # (Keras: RMS scaling always has its gamma)

    @property
    def _has_beta(self):
        return self.center and not self.rms_scaling

    def build(self, input_shape):
        self._ndim, self._reduce = len(input_shape), tuple(self._resolve(input_shape))
        shape = self._param_shape(input_shape)
        if self._has_gamma:
            self.gamma = self.add_weight(shape, self.gamma_initializer, "gamma", regularizer=self.gamma_regularizer)
        if self._has_beta:
            self.beta = self.add_weight(shape, self.beta_initializer, "beta", regularizer=self.beta_regularizer)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._resolve(input_shape)
        return tuple(input_shape)

    def count_params_for(self, input_shape) -> int:
        return int(np.prod(self._param_shape(input_shape))) * (self._has_gamma + self._has_beta)

    def _shaped(self, v):
        """gamma or beta shaped to broadcast against the input."""
        shape = [1] * self._ndim
        for a, n in zip(self._reduce, v.shape):
            shape[a] = n
        return v.reshape(shape)

    # -- the two halves -------------------------------------------------------------------
    def forward(self, x, training=False):
        if x.ndim != self._ndim:
            raise ValueError(f"LayerNormalization {self.name!r} was built for {self._ndim}-dimensional inputs, "
                             f"got shape {x.shape}")
        r, eps = self._reduce, np.asarray(self.epsilon, x.dtype)
        if self.rms_scaling:             # Keras 3.15's: x / sqrt(var + eps), the mean NOT taken out
            centered = x - x.mean(axis=r, keepdims=True)
            self.inv = 1.0 / np.sqrt(np.square(centered).mean(axis=r, keepdims=True) + eps)
            self.chat = centered * self.inv                           # what var's derivative needs
            self.xhat = x * self.inv
        else:
            centered = x - x.mean(axis=r, keepdims=True)              # x - mu
            self.inv = 1.0 / np.sqrt(np.square(centered).mean(axis=r, keepdims=True) + eps)
            self.xhat = centered * self.inv                           # xhat = (x - mu) / s
        y = self.xhat * self._shaped(self.gamma.value) if self._has_gamma else self.xhat.copy()
        if self._has_beta:
            y += self._shaped(self.beta.value)                        # y = gamma xhat + beta
        return y

    def backward(self, grad, need_input_grad=True):
        rest = tuple(a for a in range(grad.ndim) if a not in self._reduce)   # the batch and other axes
        if self._has_gamma:
            self.gamma.grad = (grad * self.xhat).sum(axis=rest)      # dgamma = sum(dy xhat)
        if self._has_beta:
            self.beta.grad = grad.sum(axis=rest)                     # dbeta = sum(dy)
        if not need_input_grad:
            return None
        g = grad * self._shaped(self.gamma.value) if self._has_gamma else grad
        if self.rms_scaling:                                          # dx = (g - chat mean(g xhat)) / s
            return (g - self.chat * (g * self.xhat).mean(axis=self._reduce, keepdims=True)) * self.inv
        return standardize_backward(g, self.xhat, self.inv, self._reduce)

    def call_ops(self, x, training=False):
        """The forward as recorded tf operations (nested tapes): the same mean, variance and
        scaling, differentiable again. The variance is Keras's on TensorFlow: ``tf.nn.moments``'
        ``mean((x - stop_gradient(mu))^2)`` (``rms_scaling``: ``tf.math.reduce_variance``'s, mu
        followed); the first derivative is the same, a second one is TensorFlow's."""
        from ..tf import vjps  # noqa: PLC0415 - the tape's table, loaded when first needed
        from ..tf.tape import stop_gradient  # noqa: PLC0415
        r = self._reduce
        mean = vjps.mean(x, axis=r, keepdims=True)
        centered = x - mean                                                  # x - mu
        spread = centered if self.rms_scaling else x - stop_gradient(mean)
        var = vjps.mean(spread * spread, axis=r, keepdims=True)
        inv = 1.0 / np.sqrt(var + np.asarray(self.epsilon, np.asarray(x).dtype))
        y = (x if self.rms_scaling else centered) * inv                      # xhat
        shape = [1] * self._ndim
        for a, n in zip(r, self._param_shape(np.shape(x))):
            shape[a] = n
        if self._has_gamma:
            y = y * vjps.reshape(self.gamma, shape)                          # y = gamma xhat + beta
        if self._has_beta:
            y = y + vjps.reshape(self.beta, shape)
        return y

    # -- description ------------------------------------------------------------------------
    def explain_forward(self, l, x, out, weights=None) -> list[str]:
        """The first sample's statistics and its first output worked out by hand."""
        weights = weights or {v.name: v.value for v in self.weights}
        first = (0,) * self._ndim
        sample = x[(0,) + (slice(None),) * (self._ndim - 1)]
        axes = tuple(a - 1 for a in self._reduce)
        group = sample[tuple(0 if a - 1 not in axes else slice(None) for a in range(1, self._ndim))]
        gamma = float(np.ravel(weights["gamma"])[0]) if self._has_gamma else 1.0
        beta = float(np.ravel(weights["beta"])[0]) if self._has_beta else 0.0
        if self.rms_scaling:
            ms = float(np.square(group).mean())
            y = gamma * float(x[first]) / np.sqrt(ms + self.epsilon)
            return [f"Y = gamma X / sqrt(mean(X^2) + {self.epsilon:g}) over each sample's axis {self.axis}",
                    f"by hand: {gamma:.4g} * {float(x[first]):.4g} / sqrt({ms:.4g} + {self.epsilon:g}) = {y:.4g};  "
                    f"A[{l}][{', '.join('0' for _ in first)}] = {float(out[first]):.4g}"]
        mean, var = float(group.mean()), float(group.var())
        y = gamma * (float(x[first]) - mean) / np.sqrt(var + self.epsilon) + beta
        return [f"Y = gamma (X - mu) / sqrt(var + {self.epsilon:g}) + beta, mu and var of each sample "
                f"({group.size} numbers each, axis {self.axis})",
                f"by hand: {gamma:.4g} * ({float(x[first]):.4g} - {mean:.4g}) / sqrt({var:.4g} + {self.epsilon:g}) "
                f"+ {beta:.4g} = {y:.4g};  A[{l}][{', '.join('0' for _ in first)}] = {float(out[first]):.4g}"]

    # -- ONNX ------------------------------------------------------------------------------
    def to_onnx(self, g, x):
        """ONNX's LayerNormalization (opset 17) normalizes the trailing axes from ``axis`` on;
        glassnet's axes must be those trailing ones. RMS scaling is written out as its ops."""
        first = self._reduce[0]
        if list(self._reduce) != list(range(first, self._ndim)):
            raise ValueError(f"glassnet cannot export LayerNormalization {self.name!r} with axis={self.axis!r} "
                             "to ONNX: ONNX normalizes trailing axes only")
        shape = tuple(self._ndim_shape())
        dtype = (self.gamma if self.gamma is not None else self.beta).dtype
        gamma = self.gamma.value if self._has_gamma else np.ones(shape, dtype)
        if self.rms_scaling:                    # y = x / sqrt(var + eps) * gamma, as Keras 3.15 computes it
            def mean(t):
                if g.opset >= 18:                   # axes became an input in opset 18
                    axes = g.initializer("axes", np.array(self._reduce, np.int64))
                    return g.node("ReduceMean", [t, axes], keepdims=1)
                return g.node("ReduceMean", [t], axes=list(self._reduce), keepdims=1)
            centered = g.node("Sub", [x, mean(x)])
            var = mean(g.node("Mul", [centered, centered]))
            s = g.node("Sqrt", [g.node("Add", [var, g.constant(self.epsilon, "epsilon")])])
            return g.node("Mul", [g.node("Div", [x, s]), g.initializer("gamma", gamma)])
        beta = self.beta.value if self._has_beta else np.zeros(shape, dtype)
        return g.node("LayerNormalization", [x, g.initializer("gamma", gamma), g.initializer("beta", beta)],
                      axis=int(first), epsilon=self.epsilon)

    def _ndim_shape(self):
        return (self.gamma if self.gamma is not None else self.beta).shape

    # -- config ----------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "rms_scaling": self.rms_scaling,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": None, "gamma_constraint": None}


class GroupNormalization(Layer):
    """Keras's ``GroupNormalization(groups=32, axis=-1)``: the channels (on ``axis``) split into
    ``groups`` groups; each sample's group (its channels, every position) standardized on its
    own, then ``gamma`` and ``beta`` per channel. ``groups=1`` is LayerNormalization over every
    non-batch axis; ``groups=channels`` is instance normalization.

    >>> import numpy as np, glassnet
    >>> gn = glassnet.layers.GroupNormalization(groups=2)
    >>> gn(np.arange(8.0).reshape(1, 2, 4)).shape
    TensorShape([1, 2, 4])
    """

    supports_masking = True

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        who = "GroupNormalization"
        if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
            raise ValueError(f"{who}: groups must be a whole number >= 1, got {groups!r}")
        axis = _axes(who, axis)
        if len(axis) != 1:
            raise ValueError(f"{who}: axis must be one integer (the channels' axis), got {axis!r}")
        epsilon = _number(who, "epsilon", epsilon)
        _no_constraints(who, beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        super().__init__(**kwargs)
        self.groups, self.axis, self.epsilon = int(groups), axis[0], epsilon
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma = self.beta = None

    def _channels(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(f"GroupNormalization {self.name!r}: axis={self.axis} does not fit inputs of shape "
                             f"{tuple(input_shape)}")
        c = input_shape[self.axis % ndim]
        if c is None:
            raise ValueError(f"GroupNormalization {self.name!r}: the size of axis {self.axis} must be known")
        if c % self.groups:
            raise ValueError(f"GroupNormalization {self.name!r}: groups={self.groups} must divide the "
                             f"{c} channels of axis {self.axis}")
        return int(c)

    def build(self, input_shape):
        c = self._channels(input_shape)
        self._ndim, self._axis = len(input_shape), self.axis % len(input_shape)
        if self.scale:
            self.gamma = self.add_weight((c,), self.gamma_initializer, "gamma", regularizer=self.gamma_regularizer)
        if self.center:
            self.beta = self.add_weight((c,), self.beta_initializer, "beta", regularizer=self.beta_regularizer)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._channels(input_shape)
        return tuple(input_shape)

    def count_params_for(self, input_shape) -> int:
        return self._channels(input_shape) * (self.scale + self.center)

    def _grouped(self, x):
        """``x`` with channels moved last and split: (batch, positions..., groups, channels/groups)."""
        moved = np.moveaxis(x, self._axis, -1)
        return moved.reshape(moved.shape[:-1] + (self.groups, -1))

    def _ungrouped(self, y, shape):
        moved = y.reshape(y.shape[:-2] + (-1,))
        return np.moveaxis(moved, -1, self._axis).reshape(shape)

    def _shaped(self, v):
        shape = [1] * self._ndim
        shape[self._axis] = -1
        return v.reshape(shape)

    def forward(self, x, training=False):
        xg = self._grouped(x)
        self._reduce = tuple(range(1, xg.ndim - 2)) + (xg.ndim - 1,)     # positions and the group's channels
        centered = xg - xg.mean(axis=self._reduce, keepdims=True)
        self.inv = 1.0 / np.sqrt(np.square(centered).mean(axis=self._reduce, keepdims=True)
                                 + np.asarray(self.epsilon, x.dtype))
        self.xhat = self._ungrouped(centered * self.inv, x.shape)
        y = self.xhat * self._shaped(self.gamma.value) if self.scale else self.xhat.copy()
        if self.center:
            y += self._shaped(self.beta.value)
        return y

    def backward(self, grad, need_input_grad=True):
        rest = tuple(a for a in range(grad.ndim) if a != self._axis)
        if self.scale:
            self.gamma.grad = (grad * self.xhat).sum(axis=rest)
        if self.center:
            self.beta.grad = grad.sum(axis=rest)
        if not need_input_grad:
            return None
        g = grad * self._shaped(self.gamma.value) if self.scale else grad
        dx = standardize_backward(self._grouped(g), self._grouped(self.xhat), self.inv, self._reduce)
        return self._ungrouped(dx, grad.shape)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": None, "gamma_constraint": None}


class UnitNormalization(Layer):
    """Keras's ``UnitNormalization(axis=-1)``: each sample scaled to length one along ``axis``,
    ``y = x / sqrt(max(sum(x^2), 1e-12))``; no weights.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.UnitNormalization()(np.array([[3.0, 4.0]])).numpy().tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        axes = _axes("UnitNormalization", axis)
        super().__init__(**kwargs)
        self.axis = axes if isinstance(axis, (list, tuple)) else axes[0]

    def _reduce(self, ndim):
        axes = _axes("UnitNormalization", self.axis)
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(f"UnitNormalization {self.name!r}: axis={self.axis!r} does not fit "
                                 f"{ndim}-dimensional inputs")
        return tuple(a % ndim for a in axes)

    def compute_output_shape(self, input_shape):
        self._reduce(len(input_shape))
        return tuple(input_shape)

    def forward(self, x, training=False):
        r = self._reduce(x.ndim)
        square_sum = np.square(x).sum(axis=r, keepdims=True)
        self.clipped = square_sum < 1e-12                 # below it, the norm is the constant 1e-6
        self.inv = 1.0 / np.sqrt(np.maximum(square_sum, np.asarray(1e-12, x.dtype)))
        self.y = x * self.inv
        return self.y

    def backward(self, grad, need_input_grad=True):
        r = self._reduce(grad.ndim)
        dot = np.where(self.clipped, 0, (grad * self.y).sum(axis=r, keepdims=True))
        return (grad - self.y * dot) * self.inv            # dx = (dy - y sum(dy y)) / norm

    def to_onnx(self, g, x):
        axes = g.initializer("axes", np.array(self._reduce(len(self.input_shape)), np.int64))
        square_sum = g.node("ReduceSum", [g.node("Mul", [x, x]), axes], keepdims=1)
        floor = g.constant(1e-12, "floor")
        return g.node("Div", [x, g.node("Sqrt", [g.node("Max", [square_sum, floor])])])

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
