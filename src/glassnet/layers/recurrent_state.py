"""A recurrent layer's states from outside: ``initial_state``, ``return_state``, ``stateful``
(Keras's ``keras.layers.RNN`` calls), shared by SimpleRNN, LSTM, GRU and ``RNN(cell)``.

The time loop itself (``layers/recurrent.py``) starts from ``h_0`` (LSTM: ``h_0, c_0``), which is

- the states given: ``layer(x, initial_state=[h, c])`` or ``layer([x, h, c])`` (GRU and SimpleRNN
  also take one array). Backward then hands back ``[dJ/dx, dJ/dh_0, (dJ/dc_0)]``: what the loop
  sent back to step 0, so a gradient reaches whatever made the states (an encoder's last
  states, a previous call's)::

      forward:   h_0 = given                  h_1 .. h_T as usual
      backward:  dJ/dh_0 = what step 1 sends back to h_{t-1} (dz_1 U^T, + dh_1 z for GRU,
                 + dh_1 itself where step 1 is padding); LSTM: dJ/dc_0 = dc_1 * f_1 likewise

- with ``stateful=True``, the last call's final states (zeros at first and after
  ``reset_state()``): a batch goes on from where the previous one stopped. They are copies,
  constants for the next call, so backpropagation stops at the batch boundary (truncated
  backpropagation through time, as Keras's). The batch size is then fixed by the first call;
- else zeros (``get_initial_state(batch_size)``).

``return_state=True`` returns ``[output, h_T, (c_T)]``; a gradient reaching ``h_T`` (``c_T``) is
added to the last step's (``_output_grads``, ``_final_grad``). On symbolic tensors (Keras's
functional API) the call is one node of the graph with the states as its further inputs, and
each returned state a node reading it (``SymbolicOutput.index``: the graph runs the layer once).

>>> import numpy as np, glassnet
>>> lstm = glassnet.layers.LSTM(2, return_state=True)
>>> out, h, c = lstm(np.ones((1, 3, 4)), initial_state=lstm.get_initial_state(1))
>>> h.shape, c.shape
(TensorShape([1, 2]), TensorShape([1, 2]))
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..engine import functional
from ..tf import tape
from ..tf.tensor import wrap
from .base import Layer, _wrap_outputs


def sizes(layer) -> list:
    """The size of each state: ``units`` for each of SimpleRNN's, GRU's, LSTM's; a cell's
    ``state_size`` for ``RNN(cell)``."""
    return list(getattr(layer, "state_sizes", None) or [layer.units] * layer.state_count)


def _tail(n) -> tuple:
    """A state's shape without the batch: ``(units,)``, or a ConvLSTM's ``(*spatial, filters)``."""
    return tuple(n) if isinstance(n, (tuple, list)) else (n,)


def _split(layer, x, initial_state):
    """``(x, [states] or None)`` from ``layer(x, initial_state=...)`` or ``layer([x, h, c])``."""
    if isinstance(x, (list, tuple)):
        if not x:
            raise ValueError(f"{type(layer).__name__} {layer.name!r}: called on an empty list")
        if len(x) > 1 and initial_state is not None:
            raise ValueError(f"{type(layer).__name__} {layer.name!r}: states given twice (in the list of inputs "
                             "and as initial_state)")
        x, rest = x[0], list(x[1:])
        initial_state = rest or initial_state
    if initial_state is None:
        return x, None
    states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
    k = len(sizes(layer))
    if len(states) != k:
        what = " [h, c]" if k == 2 and type(layer).__name__ == "LSTM" else " [h]" if k == 1 else ""
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: initial_state must be {k} "
                         f"state(s){what}, got {len(states)}")
    return x, states


def call(layer, x, training=None, mask=None, initial_state=None):
    """``layer(x, initial_state=...)``: on data, the output (``[output, *states]`` with
    return_state), recorded on open tapes with the states as inputs; on symbolic tensors, nodes."""
    x, states = _split(layer, x, initial_state)
    if functional.is_symbolic(x):
        return _symbolic(layer, x, states)
    if states is None and not layer.return_state:
        return Layer.__call__(layer, x, training, mask)
    given = x
    x = np.asarray(x).astype(layer.dtype or config.floatx(), copy=False)
    layer._on_data = True
    try:
        if not layer.built:
            layer.build_from_shape((None,) + x.shape[1:])
        elif layer.__dict__.get("_input_shape") is None:
            layer.input_shape = (None,) + x.shape[1:]
            layer.output_shape = layer.compute_output_shape(layer.input_shape)
        if mask is None:
            mask = getattr(given, "_keras_mask", None)
        arrays = [x] + [np.asarray(s, x.dtype) for s in states] if states else x
        out, out_mask = layer.forward_with_mask(arrays, tape.training(training, layer.default_training),
                                                None if mask is None else np.asarray(mask, bool))
    finally:
        layer._on_data = False
    out = _wrap_outputs(out, out_mask)
    outs = [out] + [wrap(s) for s in layer.final_states] if layer.return_state else out
    if tape.recording():
        tape.record_call(layer, [given] + states if states else given, outs)
    return outs


def _symbolic(layer, x, states):
    """The functional API: one node reading ``[x, *states]``; with return_state, a node for
    each final state reading that one (``index`` 1, 2: the graph takes it from the call)."""
    if states is not None:
        for j, s in enumerate(states):
            if not functional.is_symbolic(s):
                raise TypeError(f"{type(layer).__name__} {layer.name!r}: initial_state[{j}] is "
                                f"{type(s).__name__}, but the input is symbolic (a functional model): "
                                "give symbolic tensors (an Input, a layer's output) as states")
    layer._on_data = layer._in_graph = True     # return_state is fine here: each output is a node
    try:
        main = functional.call(layer, [x] + states if states else x)
    finally:
        layer._on_data = False
    if states is not None:
        for j, (s, n) in enumerate(zip(states, sizes(layer))):
            if tuple(s.shape)[1:] != _tail(n):
                raise ValueError(f"{type(layer).__name__} {layer.name!r}: initial_state[{j}] has shape "
                                 f"{tuple(s.shape)}; expected (batch, {', '.join(map(str, _tail(n)))})")
        main.takes_list = True                  # the graph hands its forward [x, h, c]
    if not layer.return_state:
        return main
    parts = []
    for j, n in enumerate(sizes(layer)):
        part = functional.SymbolicOutput(layer, [main], (None,) + _tail(n), main.dtype)
        part.index = j + 1                      # the call's output number j + 1: state j
        parts.append(part)
    main.all_outputs = [main] + parts           # layer.output: the whole list, as Keras's
    return main.all_outputs


def initial_states(layer, batch_size) -> list:
    """``get_initial_state``: zeros ``(batch_size, units)`` for each state."""
    if np.ndim(batch_size) == 0 and np.asarray(batch_size).dtype.kind in "iu":
        batch_size = int(np.asarray(batch_size))        # tf.shape(x)[0]: a 0-d integer tensor, as Keras 3 takes
    if not isinstance(batch_size, (int, np.integer)):
        shape = np.shape(batch_size)
        if not shape:
            raise ValueError(f"{type(layer).__name__}.get_initial_state: batch_size must be an integer or a "
                             f"batch of inputs, got {batch_size!r}")
        batch_size = shape[0]
    dtype = layer.dtype or config.floatx()
    return [wrap(np.zeros((int(batch_size),) + _tail(n), dtype)) for n in sizes(layer)]


def start(layer, given, batch, dtype) -> list:
    """``[h_0]`` (LSTM: ``[h_0, c_0]``), each ``(batch, size)``: given, kept, or zeros."""
    ns = sizes(layer)
    if given is not None:
        if len(given) != len(ns):
            raise ValueError(f"{type(layer).__name__} {layer.name!r}: {len(given)} initial state(s) given; "
                             f"it carries {len(ns)}")
        arrays = [np.asarray(s, dtype) for s in given]
        for j, (s, n) in enumerate(zip(arrays, ns)):
            if s.shape != (batch,) + _tail(n):
                raise ValueError(f"{type(layer).__name__} {layer.name!r}: initial_state[{j}] has shape "
                                 f"{s.shape}; expected {(batch,) + _tail(n)}" + (" (batch, units)" if
                                                                                  np.ndim(n) == 0 else ""))
        return arrays
    if layer.stateful and layer._kept is not None:
        if layer._kept[0].shape[0] != batch:
            raise ValueError(f"{type(layer).__name__} {layer.name!r} is stateful with states for batches of "
                             f"{layer._kept[0].shape[0]}; got a batch of {batch} (a stateful layer needs a fixed "
                             "batch size: batch_size= in fit, drop_remainder=True in Dataset.batch)")
        return [s.astype(dtype, copy=False) for s in layer._kept]
    return [np.zeros((batch,) + _tail(n), dtype) for n in ns]


def keep(layer) -> None:
    """A stateful layer's final states become its next call's start (copies: constants)."""
    if layer.stateful:
        layer._kept = [np.array(s) for s in layer.final_states]


def kept(layer):
    """``layer.states``: the kept states as Tensors (None when not stateful or not called yet)."""
    if not layer.stateful or layer._kept is None:
        return None
    return [wrap(s.copy()) for s in layer._kept]


def reset(layer, states=None) -> None:
    """``reset_state()``: zeros (the same batch size); or the given ``states``."""
    if states is None:
        if layer._kept is not None:
            layer._kept = [np.zeros_like(s) for s in layer._kept]
        return
    states = list(states) if isinstance(states, (list, tuple)) else [states]
    ns = sizes(layer)
    if len(states) != len(ns):
        raise ValueError(f"{type(layer).__name__}.reset_state: {len(ns)} state(s) needed, got {len(states)}")
    arrays = [np.array(s, layer.dtype or config.floatx()) for s in states]
    for j, (s, n) in enumerate(zip(arrays, ns)):
        if s.shape[1:] != _tail(n) or s.shape[0] != arrays[0].shape[0]:
            raise ValueError(f"{type(layer).__name__}.reset_state: states[{j}] has shape {s.shape}; expected "
                             f"{('batch',) + _tail(n)}".replace("'", ""))
    layer._kept = arrays


# -- activity_regularizer: Keras 3 regularizes each output the call returns --------------------
def add_activity_penalties(layer, out) -> None:
    """Keras 3 (``Layer.__call__``): ``activity_regularizer(y) / batch`` for each output ``y`` of
    the call, the output and, with ``return_state``, each final state (so with return_state and
    no sequences ``h_T`` is counted twice: it is the output and a state). They are the call's
    added losses (``layer.losses``, ``model.losses``, the loss ``fit`` minimises)."""
    r = layer.activity_regularizer
    if r is None:
        return
    outs = [out] + list(layer.final_states) if layer.return_state else [out]
    layer._activity_outputs = outs
    layer.__dict__["_call_losses"] = [wrap(np.asarray(r(y) / _batch(y), y.dtype)) for y in outs]


def with_activity_grads(layer, grad):
    """backward's ``grad`` with each penalty's ``r'(y) / batch`` added to its output's gradient
    (times what reached the term: 1 in fit, the tape's seed on a tape of one's own)."""
    outs = layer.__dict__.get("_activity_outputs")
    if layer.activity_regularizer is None or outs is None:
        return grad
    from .by_call import loss_seeds  # noqa: PLC0415 - a sibling module, only needed here
    seeds = loss_seeds(layer)[:len(outs)] if layer.__dict__.get("_call_losses") else [0.0] * len(outs)
    extra = [(seed / _batch(y)) * layer.activity_regularizer.gradient(y) for y, seed in zip(outs, seeds)]
    if not layer.return_state:
        return extra[0] if grad is None else np.asarray(grad) + extra[0]
    parts = list(grad) if isinstance(grad, (list, tuple)) else [grad]
    parts += [None] * (len(outs) - len(parts))
    return [e if p is None else np.asarray(p) + e for p, e in zip(parts, extra)]


def _batch(y) -> int:
    return y.shape[0] if y.ndim and y.shape[0] else 1
