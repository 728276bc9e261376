"""``Bidirectional(layer)``: one recurrent layer reading the sequence forwards, a copy of it
reading backwards, their outputs merged (Keras's ``keras.layers.Bidirectional``)::

    forward:   y  = forward_layer(x)                 (reads x_1 .. x_T)
               y' = backward_layer(x)                (reads x_T .. x_1: go_backwards=True)
               y' = y' flipped in time               (return_sequences only: step t beside step t)
               out = merge(y, y')                    concat (default): [y | y'], sum: y + y',
                                                     ave: (y + y') / 2, mul: y * y'
    backward:  dy, dy' = the merge's gradient         concat: the two halves of dout; sum: dout, dout;
                                                     ave: dout/2, dout/2; mul: dout*y', dout*y
               dy' flipped back in time               (return_sequences only)
               dx = forward_layer.backward(dy) + backward_layer.backward(dy')

Both copies are built from the wrapped layer's config, so they start with their own weights
(``forward_lstm``, ``backward_lstm``); ``weights`` lists the forward copy's, then the backward
copy's, as Keras does. Weight files keep them where Keras does
(``layers/bidirectional/forward_layer/cell/vars/0..2``, then ``backward_layer``).
In ``.keras`` files its config nests the wrapped layer's (and the backward copy's), as Keras
writes it. Not supported yet (refused by name): ``merge_mode=None`` (two outputs),
``return_state``, and a ``backward_layer`` of your own (other than the copy Keras writes).

>>> import numpy as np, glassnet
>>> layer = glassnet.layers.Bidirectional(glassnet.layers.LSTM(4, return_sequences=True, name="lstm"))
>>> layer(np.ones((2, 5, 3))).shape
(2, 5, 8)
>>> [w.path for w in layer.weights][:2]
['forward_lstm/kernel', 'forward_lstm/recurrent_kernel']
"""
from __future__ import annotations

import numpy as np

from .base import Layer, get_class

_MERGES = ("concat", "sum", "ave", "mul")


class Bidirectional(Layer):
    """Runs ``layer`` over the sequence both ways and merges the two outputs (see the module)."""

    # config keys holding a layer's own config: the file loader builds these first (saving/keras_config.py)
    nested_layers = ("layer", "backward_layer")
    supports_masking = uses_mask = True          # both copies skip the padded steps

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer) or not hasattr(layer, "go_backwards"):
            raise ValueError(f"Bidirectional: layer must be a recurrent layer (SimpleRNN, LSTM, GRU), got {layer!r}")
        if merge_mode not in _MERGES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {', '.join(map(repr, _MERGES))}, got "
                             f"{merge_mode!r} (merge_mode=None, two outputs, is not supported yet)")
        if backward_layer is not None and not _is_reversed_copy(backward_layer, layer):
            raise ValueError("Bidirectional: backward_layer= (a layer of your own for the backward pass) is not "
                             "supported yet, except the copy Keras writes in its files: `layer`'s class and "
                             "settings with go_backwards flipped")
        if getattr(layer, "return_state", False):
            raise ValueError(f"Bidirectional: the wrapped layer {layer.name!r} has return_state=True, which is not "
                             "supported yet inside Bidirectional")
        super().__init__(**kwargs)
        self.merge_mode = merge_mode
        self.layer = layer
        self.forward_layer = self._copy(layer, "forward_", layer.go_backwards)
        self.backward_layer = self._copy(layer, "backward_", not layer.go_backwards)
        if backward_layer is not None:                 # Keras's file names it; keep that name
            self.backward_layer.name = backward_layer.name
        self.return_sequences = layer.return_sequences
        self._initial_weights = list(weights) if weights is not None else None    # set once built, as Keras

    @staticmethod
    def _copy(layer, prefix, go_backwards):
        cfg = layer.get_config()
        base = layer.name[len(prefix):] if layer.name.startswith(prefix) else layer.name
        cfg.update(name=prefix + base, go_backwards=go_backwards)
        return type(layer).from_config(cfg)

    @property
    def inner_layers(self):
        """The two copies, whose caches a graph keeps per call when this layer is shared."""
        return (self.forward_layer, self.backward_layer)

    def needs_flat_samples(self):
        return False                            # its samples are sequences

    def build(self, input_shape):
        self.forward_layer.build_from_shape(input_shape)
        self.backward_layer.build_from_shape(input_shape)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def count_params_for(self, input_shape) -> int:
        return self.forward_layer.count_params_for(input_shape) + self.backward_layer.count_params_for(input_shape)

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        return shape[:-1] + (shape[-1] * 2,) if self.merge_mode == "concat" else shape

    def _adopted(self):
        """The weights (Layer's weights, trainable_weights, get_weights ... read them here):
        the forward copy's, then the backward copy's, as Keras lists them."""
        return self.forward_layer._adopted() + self.backward_layer._adopted()

    def h5_weight_groups(self):
        """Keras's places in weight files: each copy's cell under its own group."""
        def rel(side, part):
            sub = getattr(part, "h5_weights_group", None)
            return f"{side}/{sub}/vars" if sub else f"{side}/vars"
        return [(rel(side, part), part.weights)
                for side, part in (("forward_layer", self.forward_layer), ("backward_layer", self.backward_layer))]

    def _flip(self, y):
        return y[:, ::-1] if self.return_sequences else y     # step t beside step t

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def forward(self, x, training=False, mask=None):
        y = np.asarray(self.forward_layer.forward(x, training, mask))
        y_rev = self._flip(np.asarray(self.backward_layer.forward(x, training, mask)))
        self.y, self.y_rev = y, y_rev                            # kept: mul's backward needs them
        if self.merge_mode == "concat":
            return np.concatenate([y, y_rev], axis=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) / 2
        return y * y_rev

    def backward(self, grad, need_input_grad=True):
        if self.merge_mode == "concat":
            units = self.y.shape[-1]
            dy, dy_rev = grad[..., :units], grad[..., units:]     # each half to its own layer
        elif self.merge_mode == "sum":
            dy = dy_rev = grad
        elif self.merge_mode == "ave":
            dy = dy_rev = grad / 2
        else:
            dy, dy_rev = grad * self.y_rev, grad * self.y          # d(y*y')/dy = y', and the other way
        dx = self.forward_layer.backward(np.ascontiguousarray(dy), need_input_grad)
        dx_rev = self.backward_layer.backward(np.ascontiguousarray(self._flip(dy_rev)), need_input_grad)
        return None if dx is None or dx_rev is None else dx + dx_rev

    def get_config(self):
        def entry(layer):
            return {"module": "keras.layers", "class_name": type(layer).__name__,
                    "config": layer.get_config(), "registered_name": None}
        return {**super().get_config(), "merge_mode": self.merge_mode, "layer": entry(self.layer),
                "backward_layer": entry(self.backward_layer)}

    @classmethod
    def from_config(cls, cfg):
        cfg = dict(cfg)
        for key in cls.nested_layers:                  # {"class_name", "config"} -> a layer, by registered name
            node = cfg.get(key)
            if isinstance(node, dict):
                cfg[key] = get_class(node["class_name"]).from_config(node.get("config") or {})
        return super().from_config(cfg)


def _is_reversed_copy(backward, layer) -> bool:
    """True when ``backward`` is ``layer`` with go_backwards flipped (what Keras writes)."""
    def settings(one):
        return {k: v for k, v in one.get_config().items() if k not in ("name", "go_backwards")}
    return (type(backward) is type(layer) and backward.go_backwards != layer.go_backwards
            and settings(backward) == settings(layer))
