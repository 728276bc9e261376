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
writes it. ``merge_mode=None`` returns the two outputs unmerged, ``[y, y']`` (y' flipped back in
time, as Keras's), then any states. Not supported yet (refused by name): a ``backward_layer``
of your own (other than the copy Keras writes).

States (Keras's, ``layers/recurrent_state.py`` does the calling, as for a plain LSTM):
``return_state=True`` on the wrapped layer returns ``[out, forward_h, forward_c, backward_h,
backward_c]`` (GRU, SimpleRNN: ``[out, forward_h, backward_h]``), each copy's last states;
``initial_state=[fh, fc, bh, bc]`` (or ``layer([x, fh, fc, bh, bc])``) starts the forward copy
from the first half, the backward copy from the second::

    forward:   y  = forward_layer([x, *first half])     y' = backward_layer([x, *second half])
    backward:  [dx_f, dJ/d first half]  = forward_layer.backward([dy, dJ/d fh, dJ/d fc])
               [dx_b, dJ/d second half] = backward_layer.backward([dy', dJ/d bh, dJ/d bc])
               dx = dx_f + dx_b,  and the four state gradients in the order given

On symbolic tensors it is one graph node reading ``[x, fh, fc, bh, bc]``, each returned
state a node of its own (``engine/graph.py``), as for a recurrent layer.

>>> import numpy as np, glassnet
>>> layer = glassnet.layers.Bidirectional(glassnet.layers.LSTM(4, return_sequences=True, name="lstm"))
>>> layer(np.ones((2, 5, 3))).shape
TensorShape([2, 5, 8])
>>> [w.path for w in layer.weights][:2]            # as Keras 3's: the copy's cell is a level
['bidirectional/forward_lstm/lstm_cell/kernel', 'bidirectional/forward_lstm/lstm_cell/recurrent_kernel']
"""
from __future__ import annotations

import numpy as np

from ..engine import functional
from . import recurrent_state
from ..tf.variable import weight_scope
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
        if merge_mode is not None and merge_mode not in _MERGES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {', '.join(map(repr, _MERGES))} or None "
                             f"(the two outputs unmerged), got {merge_mode!r}")
        if backward_layer is not None and not _is_reversed_copy(backward_layer, layer):
            raise ValueError("Bidirectional: backward_layer= (a layer of your own for the backward pass) is not "
                             "supported yet, except the copy Keras writes in its files: `layer`'s class and "
                             "settings with go_backwards flipped")
        super().__init__(**kwargs)
        if self.dtype is None:
            self.dtype = layer.dtype                   # it computes in its layer's type (data is cast to it)
        self.merge_mode = merge_mode
        self.layer = layer
        # return_state is the wrapper's: the copies return their output only, their states are read
        self._returns_states = bool(getattr(layer, "return_state", False))
        self._on_data = self._in_graph = False     # called on data / on symbolic tensors (recurrent_state.call)
        if merge_mode is None:
            # the fast path's twin (glassnet/fast/recurrent.py) merges every mode but this one; a
            # forward of the instance's own sends each call the readable way (glassnet.fast.untouched)
            self.forward = self.forward
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
        if "return_state" in cfg:
            cfg["return_state"] = False
        return type(layer).from_config(cfg)

    # -- states: the same protocol as a recurrent layer's (layers/recurrent_state.py, engine/graph.py)
    takes_states = True                          # layer([x, fh, fc, bh, bc]) is a call with initial states

    @property
    def state_sizes(self) -> list:
        """Each state's size: the forward copy's states, then the backward copy's."""
        return recurrent_state.sizes(self.forward_layer) + recurrent_state.sizes(self.backward_layer)

    @property
    def return_state(self) -> bool:
        """Does a call return more than its output? The states (the wrapped layer's
        ``return_state``), or with ``merge_mode=None`` the backward copy's output."""
        return self._returns_states or self.merge_mode is None

    @property
    def state_count(self) -> int:
        """How many outputs follow the first (the graph's nodes ``index`` 1, 2, ...)."""
        return (self.merge_mode is None) + (len(self.state_sizes) if self._returns_states else 0)

    @property
    def final_states(self) -> list:
        """After a call, what follows the output: ``[forward_h, (forward_c), backward_h,
        (backward_c)]``, each copy's last states; with ``merge_mode=None``, y' first."""
        states = list(self.forward_layer.final_states) + list(self.backward_layer.final_states)
        return ([self.y_rev] if self.merge_mode is None else []) + (states if self._returns_states else [])

    def extra_output_shapes(self, input_shape) -> list:
        """The shapes of the outputs after the first (y' with merge_mode=None, then the states)."""
        states = [(None, n) for n in self.state_sizes] if self._returns_states else []
        return ([self.forward_layer.compute_output_shape(input_shape)] if self.merge_mode is None else []) + states

    def __call__(self, x, training=None, mask=None, initial_state=None):
        out = recurrent_state.call(self, x, training, mask, initial_state)
        if self.merge_mode is None and isinstance(out, list) and isinstance(out[0], functional.SymbolicOutput):
            # symbolic: recurrent_state made a node per state; y' is output 1, before them
            main, states = out[0], out[1:len(self.state_sizes) + 1] if self._returns_states else []
            other = functional.SymbolicOutput(self, [main], main.shape, main.dtype)
            other.index = 1
            for part in states:
                part.index += 1
            return [main, other] + states
        return out

    def _halves(self, x):
        """``(forward copy's input, backward copy's input)``: x, or ``[x, *its states]``."""
        if not isinstance(x, (list, tuple)):
            return x, x
        x, states = x[0], list(x[1:])
        if len(states) != len(self.state_sizes):
            raise ValueError(f"Bidirectional {self.name!r}: initial_state must be {len(self.state_sizes)} state(s) "
                             f"(the forward layer's, then the backward layer's), got {len(states)}")
        k = len(recurrent_state.sizes(self.forward_layer))
        return [x] + states[:k], [x] + states[k:]

    @property
    def inner_layers(self):
        """The two copies, whose caches a graph keeps per call when this layer is shared."""
        return (self.forward_layer, self.backward_layer)

    def needs_flat_samples(self):
        return False                            # its samples are sequences

    def build(self, input_shape):
        with weight_scope(self):                       # bidirectional/forward_lstm/..., built by hand too
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
        if self.return_state and not (self._on_data or self._in_graph):
            raise ValueError(f"Bidirectional {self.name!r}: return_state=True works when the layer is called on data "
                             "or on symbolic tensors (layer(x) gives [output, states...]); a Sequential model hands "
                             "on one tensor: use return_state=False there")
        x_fwd, x_bwd = self._halves(x)
        y = np.asarray(self.forward_layer.forward(x_fwd, training, mask))
        y_rev = self._flip(np.asarray(self.backward_layer.forward(x_bwd, training, mask)))
        self.y, self.y_rev = y, y_rev                            # kept: mul's backward needs them
        # what the copies kept, as one array of this layer's: a tape keeps a layer's arrays per call
        # (tf/tape.py), not its copies', so a second call under one tape would otherwise overwrite them
        self._copies_kept = np.empty((), object)
        self._copies_kept[()] = (y, _kept(self.forward_layer) + _kept(self.backward_layer))
        # the copies' activity penalties (LSTM(activity_regularizer=...)) are this call's added losses
        penalties = [t for part in (self.forward_layer, self.backward_layer)
                     for t in part.__dict__.get("_call_losses", ())]
        self.__dict__.pop("_call_losses", None)
        if penalties:
            self.__dict__["_call_losses"] = penalties
        if self.merge_mode == "concat":
            return np.concatenate([y, y_rev], axis=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) / 2
        if self.merge_mode is None:
            return y                                            # y' is the call's output 1 (final_states)
        return y * y_rev

    def backward(self, grad, need_input_grad=True):
        kept = self.__dict__.get("_copies_kept")
        if kept is not None and kept[()][0] is self.y:         # (the fast twin's forward keeps none)
            for layer, arrays in kept[()][1]:
                vars(layer).update(arrays)
        # grad: dJ/d(out), or [dJ/d(out) (None: unused), dJ/d(each returned state) (None: unused)]
        grad, finals = (grad[0], list(grad[1:])) if isinstance(grad, (list, tuple)) else (grad, [])
        if grad is None:                               # only the states reach the loss
            grad = np.zeros(self.output_shape_of(self.y), self.y.dtype)
        if self.merge_mode is None:                    # [dy, dy', dJ/d states...]: y' has its own gradient
            dy_rev = finals.pop(0) if finals else None
            dy, dy_rev = grad, np.zeros_like(self.y_rev) if dy_rev is None else np.asarray(dy_rev)
        elif self.merge_mode == "concat":
            units = self.y.shape[-1]
            dy, dy_rev = grad[..., :units], grad[..., units:]     # each half to its own layer
        elif self.merge_mode == "sum":
            dy = dy_rev = grad
        elif self.merge_mode == "ave":
            dy = dy_rev = grad / 2
        else:
            dy, dy_rev = grad * self.y_rev, grad * self.y          # d(y*y')/dy = y', and the other way
        dy, dy_rev = np.ascontiguousarray(dy), np.ascontiguousarray(self._flip(dy_rev))
        if any(f is not None for f in finals):         # each copy's own states' gradients beside its output's
            k = len(recurrent_state.sizes(self.forward_layer))
            dy, dy_rev = [dy] + finals[:k], [dy_rev] + finals[k:]
        if "_call_losses" in self.__dict__:            # each copy's penalties get their own dJ/d(term)
            seeds = self.__dict__.get("_loss_seeds")
            k = len(self.forward_layer.__dict__.get("_call_losses", ()))
            for part, mine in ((self.forward_layer, None if seeds is None else seeds[:k]),
                               (self.backward_layer, None if seeds is None else seeds[k:])):
                part.__dict__.pop("_loss_seeds", None) if mine is None else part.__dict__.update(_loss_seeds=mine)
        dx = self.forward_layer.backward(dy, need_input_grad)
        dx_rev = self.backward_layer.backward(dy_rev, need_input_grad)
        if dx is None or dx_rev is None:
            return None
        if isinstance(dx, list):                       # a call given states: [dx, dJ/d(each initial state)]
            return [dx[0] + dx_rev[0]] + dx[1:] + dx_rev[1:]
        return dx + dx_rev

    def output_shape_of(self, y) -> tuple:
        """The merged output's shape for a copy's output ``y``."""
        return y.shape[:-1] + (2 * y.shape[-1],) if self.merge_mode == "concat" else y.shape

    def get_config(self):
        def entry(layer):
            cfg = layer.get_config()
            if "return_state" in cfg:                  # the copies' is the wrapper's (as Keras writes it)
                cfg["return_state"] = self._returns_states
            return {"module": "keras.layers", "class_name": type(layer).__name__,
                    "config": cfg, "registered_name": None}
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


def _kept(layer) -> list:
    """``[(layer, its array attributes and None ones)]`` for a copy and the layers inside it
    (an RNN(cell)'s engine): what its forward kept for its backward, by reference."""
    out = [(layer, {k: v for k, v in vars(layer).items() if v is None or isinstance(v, np.ndarray)})]
    for one in getattr(layer, "inner_layers", ()):
        out += _kept(one)
    return out
