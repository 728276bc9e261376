"""BatchNormalization: standardize each channel with the batch's own mean and variance.

Per channel (``axis``, the last by default), over the ``m`` numbers of the batch that
share it (every sample, every pixel)::

    training:   mu = mean(X)      var = mean((X - mu)^2)      (the batch's statistics)
                Xhat = (X - mu) / sqrt(var + eps)             Y = gamma Xhat + beta
                moving_mean <- momentum moving_mean + (1 - momentum) mu          (same for var)
    backward:   dgamma = sum(dY Xhat)      dbeta = sum(dY)      dXhat = dY gamma
                dX = (dXhat - mean(dXhat) - Xhat mean(dXhat Xhat)) / sqrt(var + eps)
    inference:  Y = gamma (X - moving_mean) / sqrt(moving_var + eps) + beta
                dX = dY gamma / sqrt(moving_var + eps)        (the statistics are constants)

The ``mean`` terms in training's dX are there because ``mu`` and ``var`` depend on every
input of the batch. ``moving_mean`` and ``moving_variance`` are non-trainable weights,
changed only by a forward pass with ``training=True`` (``fit``), as Keras.

>>> import numpy as np, glassnet
>>> bn = glassnet.layers.BatchNormalization()
>>> y = bn(np.array([[1.0], [3.0]]), training=True)          # mu = 2, var = 1
>>> y.ravel().round(3).tolist()
[-1.0, 1.0]
>>> round(float(bn.moving_mean.value[0]), 4)                  # 0.99 * 0 + 0.01 * 2
0.02
"""
from __future__ import annotations

import numpy as np

from .. import initializers, regularizers
from .base import Layer


class BatchNormalization(Layer):
    """``Y = gamma (X - mu) / sqrt(var + epsilon) + beta`` per channel: the batch's ``mu``
    and ``var`` in training (and the moving averages are updated), the moving averages at
    inference. Weights in Keras's order: ``gamma``, ``beta``, ``moving_mean``,
    ``moving_variance`` (each of shape ``(channels,)``; no gamma when ``scale=False``, no
    beta when ``center=False``).

    >>> import numpy as np, glassnet
    >>> bn = glassnet.layers.BatchNormalization()
    >>> bn.build((None, 4, 4, 3))
    >>> [v.name for v in bn.weights], [v.name for v in bn.trainable_weights]
    (['gamma', 'beta', 'moving_mean', 'moving_variance'], ['gamma', 'beta'])
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        if renorm or renorm_clipping is not None:
            raise ValueError(f"BatchNormalization: renorm={renorm!r}, renorm_clipping={renorm_clipping!r}: "
                             "batch renormalization is not supported by glassnet")
        if "fused" in kwargs:               # Keras 2's choice of kernel: the same numbers either way
            kwargs.pop("fused")
            from ..keras.legacy import note
            note("BatchNormalization(fused=)", "BatchNormalization(fused=...) is Keras 2's and is ignored "
                 "(it chose a kernel, not the numbers); Keras 3 has no fused argument")
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"BatchNormalization: axis must be one integer (the channels' axis), got {axis!r}")
        if not isinstance(momentum, (int, float)) or isinstance(momentum, bool) or not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization: momentum must be a number in [0, 1], got {momentum!r}")
        if not isinstance(epsilon, (int, float)) or isinstance(epsilon, bool) or not epsilon > 0:
            raise ValueError(f"BatchNormalization: epsilon must be a number > 0, got {epsilon!r}")
        for arg, v in (("beta_constraint", beta_constraint), ("gamma_constraint", gamma_constraint)):
            if v is not None:
                raise ValueError(f"BatchNormalization: {arg} is not supported by glassnet yet (got {v!r})")
        if synchronized:
            raise ValueError("BatchNormalization: synchronized=True (across devices) has no meaning in glassnet")
        self.axis = int(axis)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma = self.beta = None

    # -- building -------------------------------------------------------------------------
    def _channel_axis(self, input_shape) -> int:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(f"BatchNormalization {self.name!r}: axis={self.axis} does not fit inputs of shape "
                             f"{tuple(input_shape)} (it must name a non-batch axis, -1 for channels last)")
        axis = self.axis % ndim
        if input_shape[axis] is None:
            raise ValueError(f"BatchNormalization {self.name!r}: the size of axis {self.axis} must be known")
        return axis

    def build(self, input_shape):
        axis = self._channel_axis(input_shape)
        c = (int(input_shape[axis]),)
        self._ndim, self._axis = len(input_shape), axis
        if self.scale:
            self.gamma = self.add_weight(c, self.gamma_initializer, "gamma", regularizer=self.gamma_regularizer)
        if self.center:
            self.beta = self.add_weight(c, self.beta_initializer, "beta", regularizer=self.beta_regularizer)
        self.moving_mean = self.add_weight(c, self.moving_mean_initializer, "moving_mean", trainable=False)
        self.moving_variance = self.add_weight(c, self.moving_variance_initializer, "moving_variance",
                                               trainable=False)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._channel_axis(input_shape)
        return tuple(input_shape)

    def count_params_for(self, input_shape) -> int:
        return int(input_shape[self._channel_axis(input_shape)]) * (2 + self.scale + self.center)

    def _shaped(self, v):
        """A per-channel vector shaped to broadcast against the input."""
        shape = [1] * self._ndim
        shape[self._axis] = -1
        return v.reshape(shape)

    # -- the two halves -------------------------------------------------------------------
    def forward(self, x, training=False):
        if x.ndim != self._ndim:
            raise ValueError(f"BatchNormalization {self.name!r} was built for {self._ndim}-dimensional inputs, "
                             f"got shape {x.shape}")
        reduce = tuple(a for a in range(x.ndim) if a != self._axis)
        self.training = bool(training and self.trainable)        # a frozen layer always uses its averages
        if self.training:
            mean = x.mean(axis=reduce)                             # the batch's mu and var
            var = np.square(x - self._shaped(mean)).mean(axis=reduce)
            keep = self.momentum
            self.moving_mean.value = self.moving_mean.value * keep + mean * (1 - keep)
            self.moving_variance.value = self.moving_variance.value * keep + var * (1 - keep)
        else:
            mean, var = self.moving_mean.value, self.moving_variance.value
        self.inv_std = self._shaped(1.0 / np.sqrt(var + np.asarray(self.epsilon, var.dtype)))
        self.xhat = (x - self._shaped(mean)) * self.inv_std        # Xhat = (X - mu) / sqrt(var + eps)
        y = self.xhat * self._shaped(self.gamma.value) if self.scale else self.xhat.copy()
        if self.center:
            y += self._shaped(self.beta.value)                     # Y = gamma Xhat + beta
        self.m = x.size // x.shape[self._axis]
        return y

    def backward(self, grad, need_input_grad=True):
        reduce = tuple(a for a in range(grad.ndim) if a != self._axis)
        if self.scale:
            self.gamma.grad = (grad * self.xhat).sum(axis=reduce)   # dgamma = sum(dY Xhat)
        if self.center:
            self.beta.grad = grad.sum(axis=reduce)                  # dbeta = sum(dY)
        if not need_input_grad:
            return None
        dxhat = grad * self._shaped(self.gamma.value) if self.scale else grad
        if not self.training:
            return dxhat * self.inv_std                             # dX = dY gamma / sqrt(var + eps)
        # mu and var depend on every input of the batch: two correction terms
        mean_dxhat = dxhat.mean(axis=reduce, keepdims=True)
        mean_dxhat_xhat = (dxhat * self.xhat).mean(axis=reduce, keepdims=True)
        return (dxhat - mean_dxhat - self.xhat * mean_dxhat_xhat) * self.inv_std

    def call_ops(self, x, training=False):
        """The forward as recorded tf operations (nested tapes: a gradient penalty, a Hessian):
        in training, the batch's mean and variance, differentiable again; at inference, the
        moving averages, constants (not updated again). The variance is Keras's on TensorFlow
        (``tf.nn.moments``): ``mean((x - stop_gradient(mu))^2)``; the first derivative is the
        same (d var/d mu = 0), a second one is TensorFlow's, which leaves out mu's path there."""
        from ..tf import vjps  # noqa: PLC0415 - the tape's table, loaded when first needed
        from ..tf.tape import stop_gradient  # noqa: PLC0415
        reduce = tuple(a for a in range(np.ndim(x)) if a != self._axis)
        shape = [1] * self._ndim
        shape[self._axis] = -1
        if training and self.trainable:
            mean = vjps.mean(x, axis=reduce, keepdims=True)                   # the batch's mu and var
            var = vjps.mean(np.square(x - stop_gradient(mean)), axis=reduce, keepdims=True)
        else:
            mean = self.moving_mean.value.reshape(shape)
            var = self.moving_variance.value.reshape(shape)
        y = (x - mean) * (1.0 / np.sqrt(var + np.asarray(self.epsilon, np.asarray(x).dtype)))
        if self.scale:
            y = y * vjps.reshape(self.gamma, shape)                           # Y = gamma Xhat + beta
        if self.center:
            y = y + vjps.reshape(self.beta, shape)
        return y

    # -- description ------------------------------------------------------------------------
    def explain_forward(self, l, x, out, weights=None) -> list[str]:
        """Lines for ``glassnet.explain``: which statistics were used, and the first output
        of channel 0 worked out by hand."""
        weights = weights or {v.name: v.value for v in self.weights}
        if self.training:
            channel = np.take(x, 0, axis=self._axis)
            mean, var = float(channel.mean()), float(channel.var())
            source = f"the batch's own mean and variance ({channel.size} numbers per channel)"
        else:
            mean, var = float(weights["moving_mean"][0]), float(weights["moving_variance"][0])
            source = "the moving averages (inference mode)"
        gamma = float(weights["gamma"][0]) if self.scale else 1.0
        beta = float(weights["beta"][0]) if self.center else 0.0
        first = (0,) * self._ndim
        y = gamma * (float(x[first]) - mean) / np.sqrt(var + self.epsilon) + beta
        index = ", ".join("0" for _ in first)
        return [f"Y = gamma (X - mu) / sqrt(var + {self.epsilon:g}) + beta per channel, with {source}",
                f"by hand, channel 0: {gamma:.4g} * ({float(x[first]):.4g} - {mean:.4g}) / sqrt({var:.4g} + "
                f"{self.epsilon:g}) + {beta:.4g} = {y:.4g};  A[{l}][{index}] = {float(out[first]):.4g}"]

    # -- ONNX ------------------------------------------------------------------------------
    def to_onnx(self, g, x):
        """ONNX's BatchNormalization (inference) wants the channels on axis 1."""
        c = self.moving_mean.shape[0]
        dtype = self.moving_mean.dtype
        scale = self.gamma.value if self.scale else np.ones(c, dtype)
        bias = self.beta.value if self.center else np.zeros(c, dtype)
        move = self._axis != 1
        perm = [0, self._axis] + [a for a in range(1, self._ndim) if a != self._axis]
        if move:
            x = g.node("Transpose", [x], name="ToChannelsFirst", perm=perm)
        inputs = [x, g.initializer("gamma", scale), g.initializer("beta", bias),
                  g.initializer("moving_mean", self.moving_mean.value),
                  g.initializer("moving_variance", self.moving_variance.value)]
        y = g.node("BatchNormalization", inputs, epsilon=self.epsilon)
        if move:
            y = g.node("Transpose", [y], name="ToChannelsLast", perm=[int(a) for a in np.argsort(perm)])
        return y

    # -- config ----------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": None, "gamma_constraint": None, "synchronized": False,
                "renorm": False, "renorm_clipping": None, "renorm_momentum": 0.99}
