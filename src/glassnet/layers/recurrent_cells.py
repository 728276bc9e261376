"""Keras's cells and ``RNN(cell)``: ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``,
``StackedRNNCells``, and a cell of your own (a Layer with ``state_size`` and
``call(inputs, states)``).

A cell is one time step: ``output, new_states = cell(x_t, states)``. ``RNN(cell)`` runs it
over the sequence (``return_sequences``, ``return_state``, ``go_backwards``, ``stateful``,
``initial_state``: ``layers/recurrent_state.py``)::

    h_0 = initial states (zeros)          for t = 1..T:  y_t, h_t = cell(x_t, h_{t-1})
    output: y_T (return_sequences: y_1..y_T)

Glassnet's cells hold the weights of the layer of the same family (``kernel``,
``recurrent_kernel``, ``bias``, gates in Keras's order) and their arithmetic IS that layer's:
``RNN(LSTMCell(n))`` runs ``LSTM``'s loop and its backward through time written out
(``layers/recurrent.py``) on the cell's weights, so its numbers are ``LSTM(n)``'s with the
same weights; ``cell(x_t, states)`` alone is that loop over one step. Any other cell (yours,
or ``StackedRNNCells``) runs step by step on a ``GradientTape``, and its backward is the tape's
record run back (each built-in cell inside it with its own written-out backward; a padded
step carries the states and the output over, through ``tf.where``)::

    backward (tape): dJ/dy_t and dJ/dh_T in; each step's recorded operations in reverse;
                     dJ/d(weights) summed over the steps, dJ/dx_t, dJ/dh_0

>>> import numpy as np, glassnet
>>> rnn = glassnet.layers.RNN(glassnet.layers.LSTMCell(4), return_sequences=True)
>>> rnn(np.ones((2, 5, 3))).shape
TensorShape([2, 5, 4])
>>> out, states = glassnet.layers.GRUCell(4)(np.ones((2, 3)), [np.zeros((2, 4))])
>>> out.shape, len(states)
(TensorShape([2, 4]), 1)
"""
from __future__ import annotations

import inspect

import numpy as np

from .. import config, regularizers
from ..tf import ops, tape
from ..tf.tensor import wrap
from ..tf.variable import weight_scope
from . import recurrent_state
from .base import Layer, get_class
from .recurrent import GRU, LSTM, SimpleRNN

# the recurrent layer's own settings (not a cell's): RNN(cell, ...) takes them
_LAYER_KEYS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask",
               "activity_regularizer")


class _Cell(Layer):
    """What the three cells share: a layer of the family (``family``) holds the settings and,
    once built, the weights (``kernel``, ``recurrent_kernel``, ``bias``, adopted as this cell's)."""

    family = SimpleRNN

    def __init__(self, units, **kwargs):
        own = {k: kwargs.pop(k) for k in ("name", "trainable", "dtype") if k in kwargs}
        super().__init__(**own)
        # the family's checks and defaults (units, rates, activations, initializers...)
        self._layer = self.family(units, name=self.name, dtype=own.get("dtype"), **kwargs)
        self._layer.is_cell = True              # its weights' paths: <cell name>/kernel, as Keras's cell's
        self.units = self._layer.units

    @property
    def state_size(self):
        return [self.units] * self._layer.state_count if self._layer.state_count > 1 else self.units

    @property
    def output_size(self) -> int:
        return self.units

    def build(self, input_shape):
        """Weights for inputs ``(batch, features)`` (the family's shapes)."""
        self._layer.build((None, None, input_shape[-1]))
        self.kernel, self.recurrent_kernel = self._layer.kernel, self._layer.recurrent_kernel
        if self._layer.use_bias:
            self.bias = self._layer.bias
        self.built = True

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_initial_state(self, batch_size=None):
        """Keras 3's: the states a first step starts from, zeros, in a list: ``[h]`` (``[h, c]`` for
        LSTMCell), each ``(batch_size, units)`` in the cell's compute dtype."""
        rows = int(batch_size)
        return [wrap(np.zeros((rows, self.units), self.compute_dtype)) for _ in range(self._layer.state_count)]

    def sequence_layer(self, **options):
        """The family's layer with this cell's settings and ``options`` (an RNN's), on this
        cell's weights once it is built (``RNN(cell)`` runs it)."""
        layer = self.family.from_config({**self.get_config(), **options})
        layer.is_cell = True
        layer._in_graph = True                  # (its RNN refuses what a Sequential cannot hand on)
        if self.built:
            share_weights(self, layer)
        return layer

    def __call__(self, inputs, states=None, training=None):
        """One step: ``(output, new_states)`` (``states``: a list, or one array; zeros when None).
        The family's loop over a sequence of one step, recorded on open tapes with the states
        as inputs (so a tape differentiates through the states too)."""
        x = inputs if isinstance(inputs, np.ndarray) else np.asarray(inputs)
        if x.ndim != 2:
            raise ValueError(f"{type(self).__name__} {self.name!r} takes one step, (batch, features); got {x.shape}")
        if not self.built:
            self.build((None, x.shape[-1]))
        step = self.__dict__.get("_step")
        if step is None:
            step = self._step = self.sequence_layer(return_state=True)
        step.dtype = self.kernel.value.dtype           # it computes in its weights' type (float64 in gradcheck)
        if states is None:
            states = step.get_initial_state(x.shape[0])
        x3 = ops.expand_dims(inputs, 1) if tape.recording() else x[:, None, :]
        out, *new = recurrent_state.call(step, x3, training, None, states)
        return out, new

    def get_config(self):
        cfg = self._layer.get_config()
        for key in _LAYER_KEYS:
            cfg.pop(key, None)
        cfg["name"] = self.name
        return cfg


def _settings(given: dict) -> dict:
    """A cell's constructor arguments (its ``locals()``), as its family's layer takes them."""
    return {k: v for k, v in given.items() if k not in ("self", "kwargs", "__class__", "units")} | given["kwargs"]


class SimpleRNNCell(_Cell):
    """One step of ``SimpleRNN``: ``h_t = activation(x_t W + h_{t-1} U + b)``; ``state_size = units``."""

    family = SimpleRNN

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, **_settings(locals()))


class LSTMCell(_Cell):
    """One step of ``LSTM`` (gates i, f, c, o); ``state_size = [units, units]`` (h, c)."""

    family = LSTM

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, **_settings(locals()))


class GRUCell(_Cell):
    """One step of ``GRU`` (gates z, r, h; ``reset_after`` as GRU's); ``state_size = units``."""

    family = GRU

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 reset_after=True, seed=None, **kwargs):
        super().__init__(units, **_settings(locals()))


def cell_of(layer):
    """``layer.cell`` of a SimpleRNN, LSTM or GRU: the cell with its settings, on its weights."""
    cell = layer.__dict__.get("_cell")
    if cell is None:
        family = next(c for c in (LSTM, GRU, SimpleRNN) if isinstance(layer, c))
        cls = {SimpleRNN: SimpleRNNCell, LSTM: LSTMCell, GRU: GRUCell}[family]
        cell = cls.from_config({k: v for k, v in layer.get_config().items() if k not in _LAYER_KEYS})
        layer._cell = cell
    if layer.built and getattr(cell, "kernel", None) is not layer.kernel:
        cell.kernel, cell.recurrent_kernel = layer.kernel, layer.recurrent_kernel
        if layer.use_bias:
            cell.bias = layer.bias
        cell._variables = [v for v in (layer.kernel, layer.recurrent_kernel, layer.bias) if v is not None]
        share_weights(cell, cell._layer)
        cell.built = True
    return cell


def share_weights(cell, layer) -> None:
    """``layer`` computes with ``cell``'s weight Variables (their grads land on the cell's)."""
    layer.kernel, layer.recurrent_kernel = cell.kernel, cell.recurrent_kernel
    layer.bias = cell.bias if layer.use_bias else None
    layer._variables = [v for v in (layer.kernel, layer.recurrent_kernel, layer.bias) if v is not None]
    layer.built = True


class StackedRNNCells(Layer):
    """``StackedRNNCells([cell1, cell2])``: one step through each cell in turn, the output of
    one the input of the next; its states are the cells' states, one after another."""

    nested_layers = ()

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        # a file's config nests the cells' configs: glassnet's own cells are built from them here
        # (the file loader builds one level of nested layers; nothing but these three classes is made)
        cells = [_cell_from_entry(c, i) if isinstance(c, dict) else c for i, c in enumerate(cells)]
        for i, c in enumerate(cells):
            if not isinstance(c, Layer) or not hasattr(c, "state_size"):
                raise ValueError(f"StackedRNNCells: cells[{i}] must be a cell (a Layer with state_size), got {c!r}")
        self.cells = cells
        if self.dtype is None and cells:
            self.dtype = cells[0].dtype             # (an RNN over it computes in that type)

    @property
    def state_size(self):
        return [n for c in self.cells for n in _sizes(c.state_size)]

    @property
    def output_size(self) -> int:
        return _output_size(self.cells[-1])

    def build(self, input_shape):
        features = input_shape[-1]
        for c in self.cells:
            if not c.built:
                c.build((None, features))
                c.built = True
            features = _output_size(c)
        self.built = True

    def _adopted(self):
        return [v for c in self.cells for v in c._adopted()]

    def call(self, inputs, states, training=None):
        """The cells in turn, each given its share of ``states``; ``(output, new states)``."""
        new, at = [], 0
        x = inputs
        for c in self.cells:
            k = len(_sizes(c.state_size))
            x, got = _step(c, x, list(states[at:at + k]), training)
            new += got
            at += k
        return x, new

    def __call__(self, inputs, states=None, training=None):
        if states is None:
            states = [np.zeros((np.shape(inputs)[0], n), self.dtype or config.floatx()) for n in self.state_size]
        if not self.built:
            self.build((None, np.shape(inputs)[-1]))
        return self.call(inputs, list(states), training)

    def get_config(self):
        return {**super().get_config(), "cells": [_entry(c) for c in self.cells]}

    @classmethod
    def from_config(cls, cfg):
        cfg = dict(cfg)
        cfg["cells"] = [_from_entry(c) for c in cfg.get("cells", [])]
        return super().from_config(cfg)


def _sizes(state_size) -> list:
    return [int(n) for n in state_size] if isinstance(state_size, (list, tuple)) else [int(state_size)]


def _output_size(cell) -> int:
    size = getattr(cell, "output_size", None)
    return int(size) if size is not None else _sizes(cell.state_size)[0]


def _step(cell, x, states, training):
    """One step of any cell, as Keras calls it: glassnet's cells and stacks through their
    ``__call__``; a cell of yours through its ``call(inputs, states[, training])`` (recorded on
    the open tapes, op by op), built first for ``(batch, features)``."""
    if isinstance(cell, (_Cell, StackedRNNCells)):
        out, new = cell(x, states, training)
        return out, list(new)
    if not cell.built:
        cell.build((None, np.shape(x)[-1]))
        cell.built = True
    params = inspect.signature(cell.call).parameters
    kwargs = {"training": training} if "training" in params else {}
    out, new = cell.call(x, states, **kwargs)
    return out, list(new) if isinstance(new, (list, tuple)) else [new]


def _cell_from_entry(node, i):
    cls = {"SimpleRNNCell": SimpleRNNCell, "LSTMCell": LSTMCell, "GRUCell": GRUCell}.get(node.get("class_name"))
    if cls is None:
        raise ValueError(f"StackedRNNCells: cells[{i}] is a {node.get('class_name')!r} config; from a config only "
                         "SimpleRNNCell, LSTMCell and GRUCell are built (pass your own cells as objects)")
    return cls.from_config(node.get("config") or {})


def _cell_params(cell, features) -> int:
    """How many weights ``cell`` makes (has) for inputs of ``features`` (not building it)."""
    if isinstance(cell, _Cell):
        return int(cell._layer.count_params_for((None, None, features)))
    if isinstance(cell, StackedRNNCells):
        total = 0
        for c in cell.cells:
            total += _cell_params(c, features)
            features = _output_size(c)
        return total
    if not cell.built:                          # a cell of yours: a copy of it built to count
        import copy  # noqa: PLC0415
        cell = copy.deepcopy(cell)
        cell.build((None, features))
    return sum(int(np.prod(v.shape)) for v in cell._adopted())


def _entry(layer):
    return {"module": "keras.layers", "class_name": type(layer).__name__, "config": layer.get_config(),
            "registered_name": None}


def _from_entry(node):
    if isinstance(node, dict):
        return get_class(node["class_name"]).from_config(node.get("config") or {})
    return node


class RNN(Layer):
    """``RNN(cell, return_sequences=False, return_state=False, go_backwards=False,
    stateful=False)``: ``cell`` over the time steps (see the module). Its weights are the
    cell's; in ``.keras`` files they sit where Keras keeps them (``layers/rnn/cell/vars/...``)."""

    nested_layers = ("cell",)
    h5_weights_group = "cell"                   # (inside Bidirectional: forward_layer/cell/vars)
    supports_masking = uses_mask = True
    takes_states = True

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, activity_regularizer=None, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not isinstance(cell, Layer) or not hasattr(cell, "state_size"):
            raise ValueError(f"RNN: cell must be a cell (a Layer with state_size and call(inputs, states)), "
                             f"got {cell!r}")
        super().__init__(**kwargs)
        if self.dtype is None:
            self.dtype = cell.dtype                 # it computes in its cell's type
        self.cell = cell
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.activity_regularizer = regularizers.get(activity_regularizer)   # r(each output) / batch, as Keras
        self.state_sizes = _sizes(cell.state_size)
        self.units = _output_size(cell)
        self._on_data = self._in_graph = False
        self._kept = None
        self._engine = None                     # a glassnet cell's family layer, on the cell's weights

    @property
    def state_count(self) -> int:
        return len(self.state_sizes)

    def h5_weight_groups(self):
        """Keras's places in weight files: ``cell/vars``, or for stacked cells each cell's
        ``cell/cells/<cell name>/vars``."""
        if isinstance(self.cell, StackedRNNCells):
            return [(f"cell/cells/{c.name}/vars", c.weights) for c in self.cell.cells]
        return [("cell/vars", self.weights)]

    def _adopted(self):
        return self.cell._adopted()

    @property
    def inner_layers(self):
        return (self._engine,) if self._engine is not None else ()

    def needs_flat_samples(self):
        return False

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"RNN {self.name!r} expects inputs of shape (batch, timesteps, features), got "
                             f"{tuple(input_shape)}")
        if not self.cell.built:
            with weight_scope(self):            # rnn/lstm_cell/kernel, built by hand too (as Keras 3's)
                self.cell.build((None, input_shape[-1]))
            self.cell.built = True
        if isinstance(self.cell, _Cell):
            self._engine = self.cell.sequence_layer(return_sequences=self.return_sequences,
                                                    return_state=self.return_state, go_backwards=self.go_backwards)
        self.built = True

    def count_params_for(self, input_shape) -> int:
        return _cell_params(self.cell, input_shape[-1])

    def build_from_shape(self, input_shape):
        if self.return_state and not self._on_data:
            raise ValueError(f"RNN {self.name!r}: return_state=True works when the layer is called on data or on "
                             "symbolic tensors (layer(x) gives [output, states...]); a Sequential model hands on "
                             "one tensor: use return_state=False there")
        return super().build_from_shape(input_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], self.units) if self.return_sequences else (input_shape[0], self.units)

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    # -- states from outside (layers/recurrent_state.py) ---------------------------------------
    def __call__(self, x, training=None, mask=None, initial_state=None):
        return recurrent_state.call(self, x, training, mask, initial_state)

    def get_initial_state(self, batch_size):
        return recurrent_state.initial_states(self, batch_size)

    @property
    def states(self):
        return recurrent_state.kept(self)

    def reset_state(self, states=None):
        recurrent_state.reset(self, states)

    reset_states = reset_state

    # -- forward and backward --------------------------------------------------------------------
    def forward(self, x, training=False, mask=None):
        """A glassnet cell: its family's loop (written-out backward); else step by step on a tape."""
        x, given = (x[0], list(x[1:])) if isinstance(x, (list, tuple)) else (x, None)
        x = np.asarray(x)
        if x.ndim != 3:
            raise ValueError(f"RNN {self.name!r} expects inputs of shape (batch, timesteps, features), got {x.shape}")
        h0 = recurrent_state.start(self, given, x.shape[0], x.dtype)
        self.states_in = np.array(0 if given is None else len(given))
        if self._engine is not None:
            engine = self._engine
            out = engine.forward([x] + h0, training, mask=mask)
            # what the loop kept, kept here too: a tape's or a graph's record of this call holds it
            # (None too: a call without a mask keeps step_mask = None)
            self.__dict__.update({"_loop_" + k: v for k, v in vars(engine).items()
                                  if v is None or isinstance(v, np.ndarray)})
            self.final_states = list(engine.final_states)
        else:
            out = self._forward_by_steps(x, h0, training, mask)
        recurrent_state.keep(self)
        recurrent_state.add_activity_penalties(self, out)
        return out

    def backward(self, grad, need_input_grad=True):
        grad = recurrent_state.with_activity_grads(self, grad)   # + r'(y) / batch (activity_regularizer)
        if self._engine is not None:
            engine = self._engine
            vars(engine).update({k[len("_loop_"):]: v for k, v in vars(self).items() if k.startswith("_loop_")})
            engine.states_in = np.array(1)      # it always had [x, h_0, ...]: dJ/dh_0 comes back too
            got = engine.backward(grad, True)
            self.initial_grads = got[1:]
            if not need_input_grad:
                return None
            return got if int(self.states_in) else got[0]
        return self._backward_by_steps(grad, need_input_grad)

    def _forward_by_steps(self, x, h0, training, mask):
        xs = wrap(x)
        keep = None if mask is None else np.asarray(mask, bool)[:, :, None]   # (batch, T, 1)
        starts = [wrap(s) for s in h0]
        with tape.GradientTape(persistent=True) as recorder:
            recorder.watch([xs] + starts)
            states, outs = starts, []
            steps = range(x.shape[1] - 1, -1, -1) if self.go_backwards else range(x.shape[1])
            out = wrap(np.zeros((x.shape[0], self.units), x.dtype))
            for t in steps:
                new_out, new = _step(self.cell, xs[:, t], states, training)
                if keep is None:
                    out, states = new_out, new
                else:                               # padding: the states and the output carried over
                    states = [ops.where(keep[:, t], n, s) for n, s in zip(new, states)]
                    out = ops.where(keep[:, t], new_out, out)
                outs.append(out)
            y = ops.stack(outs, axis=1) if self.return_sequences else outs[-1]
        self._record = (recorder, xs, starts, y, states)
        self.final_states = [np.asarray(s) for s in states]
        return np.asarray(y)

    def _backward_by_steps(self, grad, need_input_grad):
        recorder, xs, starts, y, states = self._record
        grads = list(grad) if isinstance(grad, (list, tuple)) else [grad]
        targets, seeds = [], []
        for target, g in zip([y] + list(states), grads):
            if g is not None:
                targets.append(target)
                seeds.append(np.asarray(g, np.asarray(target).dtype))
        variables = list({id(v): v for n in recorder._nodes for v in n.inputs if hasattr(v, "store_in")}.values())
        found = recorder._walk(targets, seeds, variables + [xs] + starts) if targets else {}
        for v in self.cell._adopted():
            g = found.get(id(v))
            v.grad = np.zeros_like(v.value) if g is None else np.asarray(g)
        self.initial_grads = [np.asarray(found[id(s)]) if id(s) in found else np.zeros(s.shape, s.dtype)
                              for s in starts]
        if not need_input_grad:
            return None
        dx = np.asarray(found[id(xs)]) if id(xs) in found else np.zeros(xs.shape, xs.dtype)
        return [dx] + self.initial_grads if int(self.states_in) else dx

    # -- config ------------------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask,
                "cell": _entry(self.cell),
                **({"activity_regularizer": regularizers.serialize(self.activity_regularizer)}
                   if self.activity_regularizer is not None else {})}     # Keras names it only when set

    @classmethod
    def from_config(cls, cfg):
        cfg = dict(cfg)
        cfg["cell"] = _from_entry(cfg.get("cell"))
        return super().from_config(cfg)
