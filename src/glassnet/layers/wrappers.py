"""``TimeDistributed(layer)``: one layer applied to every time step of a sequence, with the same
weights at each step (Keras's ``keras.layers.TimeDistributed``)::

    forward:   X (N, T, ...) -> X.reshape(N*T, ...)      each step a sample of its own
               Y' = layer.forward(X')                    one call over all N*T of them
               Y = Y'.reshape(N, T, ...)
    backward:  dY' = dY.reshape(N*T, ...)
               dX' = layer.backward(dY')                 the weights' gradients summed over the steps
               dX = dX'.reshape(N, T, ...)               (layer.backward adds over its N*T samples)

The wrapper holds the wrapped layer and its weights (``weights`` are the layer's); in files its
config nests the layer's, and weight files keep them in ``layer/vars``, as Keras writes them.

>>> import numpy as np, glassnet
>>> td = glassnet.layers.TimeDistributed(glassnet.layers.Dense(8))
>>> td(np.ones((2, 10, 16))).shape
TensorShape([2, 10, 8])
>>> [w.shape for w in td.weights]
[TensorShape([16, 8]), TensorShape([8])]
"""
from __future__ import annotations

import numpy as np

from .base import Layer, get_class


class TimeDistributed(Layer):
    """Applies ``layer`` to each step ``x[:, t]`` of inputs ``(N, T, ...)`` (see the module)."""

    nested_layers = ("layer",)          # config keys holding a layer's config (saving/keras_config.py)
    supports_masking = True             # a padding mask over the steps is handed on unchanged, as Keras

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed: layer must be a Layer instance (e.g. Dense(8)), got {layer!r}")
        if layer.takes_list:
            raise ValueError(f"TimeDistributed: {type(layer).__name__} takes a list of inputs; TimeDistributed wraps "
                             "a layer of one input")
        super().__init__(**kwargs)
        self.layer = layer

    @property
    def inner_layers(self):
        """The wrapped layer, whose caches a graph keeps per call when this layer is shared."""
        return (self.layer,)

    def needs_flat_samples(self):
        return False                        # its samples are sequences

    def _step_shape(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(f"TimeDistributed {self.name!r} takes inputs of at least 3 dimensions (samples, "
                             f"steps, ...), got shape {tuple(input_shape)}")
        return (None,) + tuple(input_shape[2:])

    def build(self, input_shape):
        self.layer.build_from_shape(self._step_shape(input_shape))
        self.built = True

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape(self._step_shape(input_shape))
        return tuple(input_shape[:2]) + tuple(inner[1:])

    def count_params_for(self, input_shape) -> int:
        return self.layer.count_params_for(self._step_shape(input_shape))

    # its weights are the wrapped layer's (a wrapped model's: all its layers'), trainable as that layer says
    def _adopted(self):
        return list(self.layer.weights)

    @property
    def trainable_weights(self):
        return list(self.layer.trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self):
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.layer.weights if id(v) not in trainable]

    trainable_variables = trainable_weights

    def h5_weight_groups(self):
        """Keras's place in weight files: ``<this layer>/layer/vars`` (an RNN's ``layer/cell/vars``;
        a wrapped Sequential's layers each in ``layer/layers/<key>/...``, the key as Keras's: the
        snake_case class name, ``_1``, ``_2`` for repeats)."""
        return [(f"layer/{rel}", weights) for rel, weights in _groups(self.layer)]

    def forward(self, x, training=False):
        y = self.layer.forward(x.reshape((-1,) + x.shape[2:]), training)      # (N*T, ...): one call
        return y.reshape(x.shape[:2] + y.shape[1:])

    def backward(self, grad, need_input_grad=True):
        dx = self.layer.backward(grad.reshape((-1,) + grad.shape[2:]), need_input_grad)
        return None if dx is None else dx.reshape(grad.shape[:2] + dx.shape[1:])   # (N, T) as dY's

    def to_onnx(self, g, x):
        """Reshape to ``(N*T, ...)``, the wrapped layer's own nodes, reshape back to ``(N, T, ...)``."""
        steps = self.input_shape[1]
        out_step = self.output_shape[2:]
        if steps is None or any(d is None for d in tuple(self.input_shape[2:]) + tuple(out_step)):
            raise ValueError(f"export: layer {self.name!r} (TimeDistributed) needs a known number of steps and "
                             f"step shape, got inputs of shape {self.input_shape}")
        flat = g.node("Reshape", [x, g.initializer("steps_as_samples",
                                                   np.array((-1,) + tuple(self.input_shape[2:]), np.int64))])
        y = self.layer.to_onnx(g, flat)
        return g.node("Reshape", [y, g.initializer("samples_as_steps", np.array((-1, steps) + tuple(out_step),
                                                                               np.int64))])

    def explain_forward(self, l, x, out, weights=None) -> list[str]:
        n, t = x.shape[:2]
        return [f"the {n} x {t} steps as {n * t} samples of {tuple(x.shape[2:])}: "
                f"{type(self.layer).__name__} {self.layer.name!r} on each, one call, the same weights"]

    def get_config(self):
        module = "keras" if isinstance(getattr(self.layer, "layers", None), list) else "keras.layers"   # a model's
        inner = {"module": module, "class_name": type(self.layer).__name__,
                 "config": self.layer.get_config(), "registered_name": None}
        return {**super().get_config(), "layer": inner}

    @classmethod
    def from_config(cls, cfg):
        cfg = dict(cfg)
        node = cfg.get("layer")
        if isinstance(node, dict):                 # {"class_name", "config"} -> a layer, by registered name
            cfg["layer"] = get_class(node["class_name"]).from_config(node.get("config") or {})
        return super().from_config(cfg)


def _groups(layer):
    """``[(group, weights)]`` of ``layer`` relative to its own group in a weight file, as Keras nests them."""
    own = getattr(layer, "h5_weight_groups", None)
    if own is not None:
        return own()
    inner = getattr(layer, "layers", None)
    if isinstance(inner, list) and all(isinstance(one, Layer) for one in inner) and not layer.__dict__.get("_variables"):
        return [(f"layers/{key}/{rel}", weights) for key, one in zip(_keys(inner), inner)
                for rel, weights in _groups(one)]
    sub = getattr(layer, "h5_weights_group", None)
    return [(f"{sub}/vars" if sub else "vars", layer.weights)]


def _keys(inner) -> list:
    """Keras's group name for each layer of a wrapped model (as saving/h5.py's ``layer_keys``):
    its class name in snake_case, ``_1``, ``_2`` for repeats; a functional model's "functional"."""
    from ..utils import snake_case  # noqa: PLC0415
    used, keys = {}, []
    for one in inner:
        base = "functional" if getattr(one, "_graph", None) is not None else snake_case(type(one).__name__)
        used[base] = used.get(base, -1) + 1
        keys.append(f"{base}_{used[base]}" if used[base] else base)
    return keys
