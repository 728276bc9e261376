"""Recurrent layers: ``SimpleRNN``, ``LSTM`` and ``GRU`` (Keras 3's constructors, defaults,
weights and gate order), each with its backward through time written out step by step right
under its forward.

Inputs are ``(batch, timesteps, features)``. Every layer has Keras's three weights:
``kernel`` ``(features, k*units)`` (the input's weights), ``recurrent_kernel`` ``(units,
k*units)`` (the previous state's), ``bias`` (``k`` = 1 for SimpleRNN; 4 for LSTM, gates in the
order i, f, c, o; 3 for GRU, gates z, r, h, and with ``reset_after=True`` two bias rows: the
input's and the recurrent one). So ``set_weights`` with Keras's arrays gives Keras's numbers.

Backpropagation through time: the forward loop keeps, for each step ``t``, the input ``x_t``,
the state before it ``h_{t-1}`` and the gates; backward walks the steps in reverse, and the
gradient reaching ``h_t`` is the output's own (``dY_t``, when ``return_sequences``; else only
at the last step) plus what step ``t+1`` sends back through ``U``. The weights are shared by
every step, so ``dW``, ``dU`` and ``db`` are sums over time.

``return_sequences=True``: the output is every step's ``h_t`` ``(batch, timesteps, units)``,
else the last ``(batch, units)``. ``go_backwards=True``: the sequence is read last step first
(the sequence output is then in that reversed order, as Keras's). ``return_state=True``: the
layer returns ``[output, h_T]`` (LSTM: ``[output, h_T, c_T]``), on data or on symbolic tensors (a
Sequential hands on one tensor, so it is refused there). ``initial_state=`` starts the loop from
given states (``h_0 = 0`` otherwise) and backward then hands ``dJ/dh_0`` back too; ``stateful=True``
starts each call from the last one's final states; both in ``layers/recurrent_state.py``, and the
cells and ``RNN(cell)`` in ``layers/recurrent_cells.py``.
``dropout`` and ``recurrent_dropout`` (training only), as Keras's: inverted-dropout masks on
``x_t`` and on ``h_{t-1}``, drawn once per call and used at every step (one per gate with
``recurrent_dropout``, else one for all gates). ``activity_regularizer``, as Keras 3's: ``r(y) / batch``
for each output of the call (the output, and with ``return_state`` each final state) joins the loss,
its gradient added to that output's (``recurrent_state.add_activity_penalties``). Not supported yet
(refused by name): constraints. Masks (``Embedding(mask_zero=True)``) are honoured as Keras's: a padded
step carries ``h`` (and ``c``) over unchanged, and its gradient goes straight on to the step before. In ``.keras`` files the weights sit where Keras keeps them (``layers/lstm/cell/
vars/0..2``); ONNX export uses ONNX's RNN, LSTM and GRU ops (float32; tanh, sigmoid or relu).

>>> import numpy as np, glassnet
>>> layer = glassnet.layers.LSTM(4, return_sequences=True)
>>> layer(np.ones((2, 5, 3))).shape
TensorShape([2, 5, 4])
>>> out, h = glassnet.layers.GRU(4, return_state=True)(np.ones((2, 5, 3)))
>>> out.shape, h.shape
(TensorShape([2, 4]), TensorShape([2, 4]))
"""
from __future__ import annotations

import numpy as np

from .. import activations, initializers, regularizers
from . import recurrent_state
from ..seeding import SeedState, dropout_keep
from .base import Layer


class _Recurrent(Layer):
    """What SimpleRNN, LSTM and GRU share: arguments, weights, the time loop's bookkeeping
    (reversing for ``go_backwards``, the output's gradient spread over the steps), config."""

    gates = 1                                    # k: how many blocks of `units` columns the kernels have
    drops_activity_regularizer = False           # SimpleRNN: True, as Keras 3.15's (it never reaches the loss)
    _seed_first = False                          # SimpleRNN: True (its cell's seed before its initializers')
    h5_weights_group = "cell"                    # in .keras files: layers/lstm/cell/vars/0..2, as Keras keeps them
    cell_name = "simple_rnn_cell"                # Keras 3's name of the layer's cell, a level of its weights' paths
    is_cell = False                              # True: the family layer inside a cell (LSTMCell's), whose
                                                 # own name is that level already (rnn/lstm_cell/kernel)
    supports_masking = uses_mask = True          # a padded step (mask False) leaves the state as it was

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, seed=None, zero_output_for_mask=False, **kwargs):
        implementation = kwargs.pop("implementation", 2)   # Keras's way of batching the matmuls (and masks)
        super().__init__(**kwargs)
        kind = type(self).__name__
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"{kind}: units must be a positive integer, got {units!r}")
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0 <= rate < 1:
                raise ValueError(f"{kind}: {name} must be in [0, 1), got {rate!r}")
        for name, value in (("kernel_constraint", kernel_constraint), ("recurrent_constraint", recurrent_constraint),
                            ("bias_constraint", bias_constraint)):
            if value is not None:
                raise ValueError(f"{kind}: {name} is not supported")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        # Keras 3's cells take their dropout seed when made: SimpleRNNCell before its initializers
        # take theirs, LSTMCell and GRUCell after (the order decides which Python draw each gets)
        seed_state = SeedState(seed) if self._seed_first else None
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self._seed_state = seed_state or SeedState(seed)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        # r(each output) / batch joins the loss (SimpleRNN: Keras 3.15 takes the argument and drops it)
        self.activity_regularizer = None if self.drops_activity_regularizer else regularizers.get(activity_regularizer)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.unroll, self.seed = bool(go_backwards), bool(unroll), seed
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        # Keras draws one mask per gate when recurrent_dropout is used (or implementation=1), else one for all
        self._mask_per_gate = bool(recurrent_dropout) or implementation == 1
        self.input_masks = self.state_masks = None
        self._on_data = False                   # True while __call__ runs on data (return_state allowed)
        self.stateful = bool(stateful)
        if self.stateful:
            # the fast path's twins start from zero states: this marks the layer's forward as its own,
            # so glassnet.fast.untouched sends a stateful layer the readable way (layers/recurrent_state.py)
            self.forward = self.forward
        self._in_graph = False                  # called on symbolic tensors: a graph node, its states nodes too
        self._kept = None                       # stateful: the last call's final states, the next call's start
        self._pending = None                    # initial states handed to __call__, read by the next _steps

    # -- weights -----------------------------------------------------------------------------
    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects inputs of shape (batch, timesteps, "
                             f"features), got {tuple(input_shape)}")
        k = self.gates * self.units
        self.kernel = self.add_weight((input_shape[-1], k), self.kernel_initializer, "kernel",
                                      regularizer=self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight((self.units, k), self.recurrent_initializer, "recurrent_kernel",
                                                regularizer=self.recurrent_regularizer)
        self.bias = (self.add_weight(self._bias_shape(), self._bias_initializer(), "bias",
                                     regularizer=self.bias_regularizer) if self.use_bias else None)
        if not self.is_cell:                     # Keras 3 makes them in the layer's cell: lstm/lstm_cell/kernel
            for v in (self.kernel, self.recurrent_kernel, self.bias):
                if v is not None:
                    head, _, name = v.path.rpartition("/")
                    v.path = "/".join(p for p in (head, self.cell_name, name) if p)
        self.built = True

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        return (batch, steps, self.units) if self.return_sequences else (batch, self.units)

    def build_from_shape(self, input_shape):
        self._refuse_state_in_a_model()
        return super().build_from_shape(input_shape)

    def needs_flat_samples(self):
        return False                            # its samples are sequences

    # -- calls: initial_state, return_state, stateful (layers/recurrent_state.py) -------------
    state_count = 1                             # how many states it carries: h (LSTM: h and c)
    takes_states = True                         # layer([x, h, c]) is a call with initial states

    def __call__(self, x, training=None, mask=None, initial_state=None):
        return recurrent_state.call(self, x, training, mask, initial_state)

    def _refuse_state_in_a_model(self):
        if self.return_state and not self._on_data:
            raise ValueError(f"{type(self).__name__} {self.name!r}: return_state=True works when the layer is called "
                             "on data or on symbolic tensors (layer(x) gives [output, states...]); a Sequential "
                             "model hands on one tensor: use return_state=False there")

    @property
    def cell(self):
        """Keras's ``layer.cell``: this family's cell (``LSTMCell`` ...) on this layer's weights,
        one step of it (``layers/recurrent_cells.py``)."""
        from .recurrent_cells import cell_of  # noqa: PLC0415 - the cells build on this module
        return cell_of(self)

    def get_initial_state(self, batch_size):
        """Keras's zero states ``[h_0]`` (LSTM: ``[h_0, c_0]``), each ``(batch_size, units)``;
        ``batch_size`` may also be the input (TensorFlow 2's tutorials pass it)."""
        return recurrent_state.initial_states(self, batch_size)

    @property
    def states(self):
        """``stateful=True``: the states the next call starts from (None before the first call)."""
        return recurrent_state.kept(self)

    def reset_state(self, states=None):
        """``stateful=True``: back to zero states (or to ``states``), as Keras's ``reset_state``."""
        recurrent_state.reset(self, states)

    reset_states = reset_state

    # -- the time loop's bookkeeping, shared ---------------------------------------------------
    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None          # the sequence keeps its padding

    def _steps(self, x, training=False, mask=None):
        """The input in the order it is read: ``(timesteps, batch, features)``. In training, the
        dropout masks too (see :meth:`_draw_masks`); with a padding mask, ``step_mask``
        ``(timesteps, batch, 1)`` in the same order (see :meth:`_carry`)."""
        if not (self._on_data or self._in_graph):          # a Sequential's layer hands on one tensor
            self._refuse_state_in_a_model()
        x, given = (x[0], list(x[1:])) if isinstance(x, (list, tuple)) else (x, None)   # layer([x, h, c])
        x = np.asarray(x)
        if x.ndim != 3:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects inputs of shape (batch, timesteps, "
                             f"features), got {x.shape}")
        x = x.transpose(1, 0, 2)
        # [h_0] ([h_0, c_0]): the states given, a stateful layer's kept ones, or zeros: each (batch, units)
        self.h0 = recurrent_state.start(self, given, x.shape[1], x.dtype)
        self.states_in = np.array(0 if given is None else len(given))   # an array: a recorded call's snapshot keeps it
        self._draw_masks(x.shape[1], x.shape[2], x.dtype, training)
        self.step_mask = None
        if mask is not None:
            mask = np.asarray(mask, bool)
            if mask.shape != x.shape[1::-1]:
                raise ValueError(f"{type(self).__name__} {self.name!r}: mask of shape {mask.shape} for inputs of "
                                 f"{x.shape[1]} sequences of {x.shape[0]} steps")
            self.step_mask = mask.T[:, :, None][::-1] if self.go_backwards else mask.T[:, :, None]
        return x[::-1] if self.go_backwards else x

    # -- padding (Keras's masks): a padded step carries the state over -------------------------
    def _carry(self, t, new, old):
        """forward: ``h_t = m_t h~_t + (1 - m_t) h_{t-1}``: the step's new state where it is kept
        (mask True), the previous state unchanged where it is padding."""
        return new if self.step_mask is None else np.where(self.step_mask[t], new, old)

    def _split(self, t, dh):
        """backward of :meth:`_carry`: ``dJ/dh_t`` goes into the step's own computation where
        it is kept and straight on to ``h_{t-1}`` where it is padding: ``(m dh, (1 - m) dh)``."""
        if self.step_mask is None:
            return dh, 0.0
        m = self.step_mask[t]
        return np.where(m, dh, 0.0), np.where(m, 0.0, dh)

    def _draw_masks(self, batch, features, dtype, training):
        """Keras's dropout: inverted-dropout masks drawn once per call and used at every step,
        ``input_masks`` ``(k, batch, features)`` on ``x_t`` (``dropout``) and ``state_masks``
        ``(k, batch, units)`` on ``h_{t-1}`` (``recurrent_dropout``): gate ``j``'s columns of
        ``W`` (``U``) see ``x_t * input_masks[j]`` (``h_{t-1} * state_masks[j]``). With
        ``recurrent_dropout`` (or ``implementation=1``) each gate has its own mask, else one serves all.
        Each mask is Keras's ``dropout(ones, rate, seed=cell.seed_generator)``: the next seed's
        stateless draw (:mod:`glassnet.seeding`), the input masks first, gate by gate."""
        k, dtype = self.gates, np.dtype(dtype)

        def masks(rate, width, count):
            m = np.stack([dropout_keep((batch, width), rate, dtype, self._seed_state) for _ in range(count)])
            m = m.astype(dtype) * dtype.type(1.0 / (1.0 - rate))
            return np.broadcast_to(m, (k, batch, width)) if count == 1 else m
        self.input_masks = self.state_masks = None
        if training and self.dropout > 0:
            self.input_masks = masks(self.dropout, features, k if self._mask_per_gate else 1)
        if training and self.recurrent_dropout > 0:
            self.state_masks = masks(self.recurrent_dropout, self.units, k)

    @staticmethod
    def _through(a, W, masks):
        """``a @ W``; with dropout masks, gate ``j``'s block of columns sees ``a * masks[j]``."""
        if masks is None:
            return a @ W
        n = W.shape[-1] // len(masks)
        return np.concatenate([(a * m) @ W[:, j * n:(j + 1) * n] for j, m in enumerate(masks)], axis=-1)

    @staticmethod
    def _back_through(dz, W, masks):
        """dJ/da of :meth:`_through`: ``dz W^T``; with masks ``sum_j (dz_j W_j^T) * masks[j]``.
        ``W^T`` is copied row by row first: BLAS's plain product is faster than its transposed
        one (the fast path keeps the copy from step to step; the numbers are the same)."""
        if masks is None:
            return dz @ np.ascontiguousarray(W.T)
        n = W.shape[-1] // len(masks)
        return sum((dz[..., j * n:(j + 1) * n] @ W[:, j * n:(j + 1) * n].T) * m for j, m in enumerate(masks))

    @staticmethod
    def _weight_grad(a, dz, masks):
        """dJ/dW of :meth:`_through` over every step and sample: ``sum_t a_t^T dz_t`` (block ``j``
        with ``a_t * masks[j]``); one matmul over all the steps at once."""
        rows = lambda v: v.reshape(-1, v.shape[-1])            # noqa: E731  (T, batch, w) -> (T*batch, w)
        if masks is None:
            return rows(a).T @ rows(dz)
        n = dz.shape[-1] // len(masks)
        return np.concatenate([rows(a * m).T @ rows(dz[..., j * n:(j + 1) * n]) for j, m in enumerate(masks)], axis=1)

    def _output(self, hs):
        """``hs``: ``(timesteps + 1, batch, units)``, the states from ``h_0`` on. A stateful
        layer keeps ``final_states`` (set just before) for its next call."""
        recurrent_state.keep(self)
        out = hs[1:].transpose(1, 0, 2) if self.return_sequences else hs[-1]
        recurrent_state.add_activity_penalties(self, out)      # activity_regularizer: r(y) / batch, each output
        return out

    def _output_grads(self, grad, steps):
        """dJ/dh_t from the output, for each step in reading order: ``(timesteps, batch, units)``.
        ``grad`` may be a list ``[dY, dh_T, (dc_T)]`` (return_state's outputs; None for one that
        does not reach the loss): ``h_T`` is the last step's state, so ``dh_T`` adds to its ``dh``."""
        grad, finals = (grad[0], list(grad[1:])) if isinstance(grad, (list, tuple)) else (grad, [])
        batch, dtype = self.xs.shape[1], self.kernel.value.dtype
        if grad is None:                        # only the states reach the loss
            dy = np.zeros((steps, batch, self.units), dtype)
        elif self.return_sequences:
            dy = np.asarray(grad).transpose(1, 0, 2)
        else:
            dy = np.zeros((steps,) + np.shape(grad), dtype)
            dy[-1] = grad                       # only the last state is the output
        if finals and finals[0] is not None:
            dy = dy.copy() if self.return_sequences and grad is not None else dy
            dy[-1] += np.asarray(finals[0], dy.dtype)       # dJ/dh_T through the returned state
        return dy

    @staticmethod
    def _final_grad(grad, j, like):
        """dJ/d(state j after the last step) from return_state's outputs, zeros when none."""
        if isinstance(grad, (list, tuple)) and len(grad) > j + 1 and grad[j + 1] is not None:
            return np.array(grad[j + 1], like.dtype)
        return np.zeros_like(like)

    def _grads_in(self, dz_in, state_grads, need_input_grad):
        """What backward returns: ``dx``, or ``[dx, dh_0, (dc_0)]`` for a call given initial
        states (``state_grads``: what the loop sent back to step 0, kept as ``initial_grads``)."""
        self.initial_grads = state_grads
        if not need_input_grad:
            return None
        dx = self._input_grad(dz_in)
        return [dx] + list(state_grads) if int(self.states_in) else dx

    def _input_grad(self, dz_in):
        """``dx_t = dz_t W^T`` (through the dropout masks, when used), in the input's order;
        without masks one matmul over every step's rows at once (faster than one per step)."""
        if self.input_masks is None:
            rows = dz_in.reshape(-1, dz_in.shape[-1])                   # (T, batch, w) -> (T*batch, w)
            dx_steps = (rows @ self.kernel.value.T).reshape(dz_in.shape[:-1] + (-1,))
        else:
            dx_steps = self._back_through(dz_in, self.kernel.value, self.input_masks)
        dx = dx_steps[::-1] if self.go_backwards else dx_steps
        return dx.transpose(1, 0, 2)

    def _set_grads(self, xs, hs_before, dz_in, dz_rec):
        """``dW = sum_t x_t^T dz_t``, ``dU = sum_t h_{t-1}^T dz'_t`` and ``db = sum_t sum_batch dz_t``:
        each step's terms, summed over the steps (one matmul over all of them at once).
        ``dz_in`` is what enters ``x_t W``; ``dz_rec`` what enters ``h_{t-1} U``."""
        self.kernel.grad = self._weight_grad(xs, dz_in, self.input_masks)
        self.recurrent_kernel.grad = self._weight_grad(hs_before, dz_rec, self.state_masks)
        if self.use_bias:
            self.bias.grad = self._bias_grad(dz_in, dz_rec)

    def _bias_grad(self, dz_in, dz_rec):
        return dz_in.sum(axis=(0, 1))

    # -- explain: one time step's equations, with the model's numbers --------------------------
    def explain_forward(self, l, x, out, weights=None) -> list[str]:
        """Lines for ``glassnet.explain``: the recurrence, then its last step for sample 0."""
        T = self.xs.shape[0]
        order = ", read last step first (go_backwards)" if self.go_backwards else ""
        start = "h_0 = 0" + (", c_0 = 0" if isinstance(self, LSTM) else "")
        if int(getattr(self, "states_in", 0)) or (self.stateful and any(np.any(s) for s in self.h0)):
            start = "h_0" + (", c_0" if isinstance(self, LSTM) else "") + " as given (initial_state, or kept: stateful)"
        lines = [f"for t = 1..{T}{order}, {start}:"]
        lines += [f"  {line}" for line in self._equations()]
        t = T - 1                       # the last step read, or for a padded sample its last kept one
        if self.step_mask is not None and self.step_mask[:, 0, 0].any():
            t = int(np.flatnonzero(self.step_mask[:, 0, 0])[-1])
        padding = f" (steps {t + 2}..{T} are padding: h is carried over)" if t < T - 1 else ""
        lines += [f"step t = {t + 1}, sample 0{padding}:"] + [f"  {line}" for line in self._last_step(t)]
        return lines

    def _names(self):
        g = activations.serialize(self.activation)
        s = activations.serialize(getattr(self, "recurrent_activation", self.activation))
        return g, s

    # -- ONNX: the op of the same name (opset 7 on); each class's to_onnx gives its weights ---------
    def _onnx_activation(self, fn):
        names = {activations.tanh: "Tanh", activations.sigmoid: "Sigmoid", activations.relu: "Relu"}
        if fn not in names:
            raise ValueError(f"glassnet cannot export {type(self).__name__} {self.name!r} to ONNX with activation "
                             f"{activations.serialize(fn)!r}: ONNX's recurrent ops take tanh, sigmoid or relu here")
        return names[fn]

    def _onnx_op(self, g, x, op, W, R, B, **attrs):
        """``x`` ``[batch, T, F]`` read in Keras's order (reversed first for go_backwards) through
        ONNX's ``op`` with weights ``W [1, k n, F]``, ``R [1, k n, n]``, ``B [1, 2 k n]`` (input's
        bias, then the recurrent one); the last state, or every state ``[batch, T, n]``."""
        if g.dtype != np.float32:
            raise ValueError(f"glassnet cannot export {type(self).__name__} {self.name!r} to ONNX in {g.dtype}: "
                             "ONNX Runtime runs its recurrent ops in float32 only")
        xs = g.node("Transpose", [x], perm=[1, 0, 2])                      # [T, batch, F]
        if self.go_backwards:
            xs = g.node("Slice", [xs, g.initializer("start", np.array([-1])),
                                  g.initializer("end", np.array([np.iinfo(np.int64).min])),
                                  g.initializer("axes", np.array([0])), g.initializer("steps", np.array([-1]))])
        inputs = [xs, g.initializer("W", W[None]), g.initializer("R", R[None])]
        if self.use_bias:
            inputs.append(g.initializer("B", B[None]))
        y = g.node(op, inputs, hidden_size=self.units, **attrs)            # [T, 1, batch, n]
        if self.return_sequences:
            y = g.node("Squeeze", [y, g.initializer("axes", np.array([1]))])   # [T, batch, n]
            return g.node("Transpose", [y], perm=[1, 0, 2])
        y = g.node("Gather", [y, g.initializer("last", np.array([-1]))], axis=0)    # [1, 1, batch, n]
        return g.node("Squeeze", [y, g.initializer("axes", np.array([0, 1]))])

    # -- config ------------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": False, "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": None, "recurrent_constraint": None,
                "bias_constraint": None, "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout}


def _backward(fn):
    return activations.backward_of(fn)


def _short(v) -> str:
    """The first three numbers of a vector, as explain prints them."""
    v = np.asarray(v).ravel()
    return "[" + ", ".join(f"{a:.4g}" for a in v[:3]) + (", ...]" if v.size > 3 else "]")


class SimpleRNN(_Recurrent):
    """``SimpleRNN(units)``: a fully connected recurrence (Keras's ``keras.layers.SimpleRNN``)::

        forward, t = 1..T (h_0 = 0):
            z_t = x_t W + h_{t-1} U + b          h_t = g(z_t)          (g = activation, tanh)
        backward, t = T..1 (dh_{T+1} sent back = 0):
            dh_t = dY_t + (what step t+1 sent back)
            dz_t = dh_t * g'(z_t)                (tanh' = 1 - h_t^2)
            dW += x_t^T dz_t    dU += h_{t-1}^T dz_t    db += sum over the batch of dz_t
            dx_t = dz_t W^T     sent back to step t-1: dz_t U^T
    """

    _seed_first = True
    drops_activity_regularizer = True   # Keras 3.15's SimpleRNN accepts activity_regularizer= and never applies
                                        # it (nor writes it in its config): glassnet does the same, for parity

    def forward(self, x, training=False, mask=None):
        xs = self._steps(x, training, mask)                            # (T, batch, features), in reading order
        W, U = self.kernel.value, self.recurrent_kernel.value
        xw = self._through(xs, W, self.input_masks) + (self.bias.value if self.use_bias else 0)   # all x_t W + b
        hs = np.zeros((len(xs) + 1, xs.shape[1], self.units), xw.dtype)    # hs[t] = h_t
        hs[0] = self.h0[0]                                   # h_0: given, kept (stateful) or zeros
        zs = np.empty_like(xw)
        for t in range(len(xs)):
            zs[t] = xw[t] + self._through(hs[t], U, self.state_masks)   # z_t = x_t W + b + h_{t-1} U
            hs[t + 1] = self._carry(t, self.activation(zs[t]), hs[t])   # h_t = g(z_t) (padding: h_{t-1})
        self.xs, self.hs, self.zs = xs, hs, zs               # kept: backward needs them
        self.final_states = [hs[-1]]
        return self._output(hs)

    def backward(self, grad, need_input_grad=True):
        grad = recurrent_state.with_activity_grads(self, grad)   # + r'(y) / batch (activity_regularizer)
        xs, hs, zs, U = self.xs, self.hs, self.zs, self.recurrent_kernel.value
        dy = self._output_grads(grad, len(xs))
        g_backward = _backward(self.activation)
        dz = np.empty_like(zs)
        dh_next = np.zeros_like(hs[0])                       # nothing comes back from after the last step
                                                             # (dh_T from return_state's output is in dy)
        for t in reversed(range(len(xs))):
            dh, dh_skip = self._split(t, dy[t] + dh_next)    # dh_t: from the output and from step t+1
            dz[t] = g_backward(zs[t], hs[t + 1], dh)         # dz_t = dh_t * g'(z_t)
            dh_next = self._back_through(dz[t], U, self.state_masks) + dh_skip   # to h_{t-1}: dz_t U^T
        self._set_grads(xs, hs[:-1], dz, dz)                 # dW, dU, db: sums over the steps
        return self._grads_in(dz, [dh_next], need_input_grad)   # dx_t = dz_t W^T; dh_0: what reached step 0

    def _equations(self):
        return [f"h_t = {self._names()[0]}(x_t @ kernel + h_(t-1) @ recurrent_kernel" + (" + bias)" if self.use_bias
                                                                                         else ")")]

    def _last_step(self, t):
        return [f"z = {_short(self.zs[t, 0])}   h = {self._names()[0]}(z) = {_short(self.hs[t + 1, 0])}"]

    def to_onnx(self, g, x):
        b = self.bias.value if self.use_bias else None
        return self._onnx_op(g, x, "RNN", self.kernel.value.T, self.recurrent_kernel.value.T,
                             None if b is None else np.concatenate([b, np.zeros_like(b)]),
                             activations=[self._onnx_activation(self.activation)])


class LSTM(_Recurrent):
    """``LSTM(units)``: long short-term memory (Keras's ``keras.layers.LSTM``; gates i, f, c, o)::

        forward, t = 1..T (h_0 = c_0 = 0; s = recurrent_activation, sigmoid; g = activation, tanh):
            z_t = x_t W + h_{t-1} U + b = [zi | zf | zc | zo]
            i = s(zi)   f = s(zf)   c~ = g(zc)   o = s(zo)
            c_t = f * c_{t-1} + i * c~           h_t = o * g(c_t)
        backward, t = T..1:
            dh_t = dY_t + (from step t+1)        dc_t = (from step t+1) + dh_t * o * g'(c_t)
            do = dh_t * g(c_t)    di = dc_t * c~    df = dc_t * c_{t-1}    dc~ = dc_t * i
            dz_t = [di * s'(zi) | df * s'(zf) | dc~ * g'(zc) | do * s'(zo)]     (s' = s(1 - s))
            dW += x_t^T dz_t    dU += h_{t-1}^T dz_t    db += sum over the batch of dz_t
            dx_t = dz_t W^T     sent back: dh_{t-1} gets dz_t U^T, dc_{t-1} gets dc_t * f

    ``unit_forget_bias=True`` starts the forget gate's bias at 1 (the rest from ``bias_initializer``).
    """

    gates = 4
    state_count = 2                             # h and c
    cell_name = "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, activity_regularizer=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, n = self.bias_initializer, self.units

        def forget_gate_at_one(shape, dtype=None):           # [init(n) | 1 | init(2n)], as Keras's
            return np.concatenate([init((n,), dtype), np.ones((n,), dtype), init((2 * n,), dtype)])
        return forget_gate_at_one

    def forward(self, x, training=False, mask=None):
        xs = self._steps(x, training, mask)
        n, U = self.units, self.recurrent_kernel.value
        s, g = self.recurrent_activation, self.activation
        xw = self._through(xs, self.kernel.value, self.input_masks) + (self.bias.value if self.use_bias else 0)
        T, batch = xs.shape[0], xs.shape[1]
        hs = np.zeros((T + 1, batch, n), xw.dtype)           # hs[t] = h_t, cs[t] = c_t
        cs = np.zeros_like(hs)
        hs[0], cs[0] = self.h0                               # h_0, c_0: given, kept (stateful) or zeros
        zs, acts, gc = np.empty_like(xw), np.empty_like(xw), np.empty((T, batch, n), xw.dtype)
        for t in range(T):
            zs[t] = xw[t] + self._through(hs[t], U, self.state_masks)   # [zi | zf | zc | zo]
            acts[t, :, :n] = s(zs[t, :, :n])                 # i
            acts[t, :, n:2 * n] = s(zs[t, :, n:2 * n])       # f
            acts[t, :, 2 * n:3 * n] = g(zs[t, :, 2 * n:3 * n])   # c~
            acts[t, :, 3 * n:] = s(zs[t, :, 3 * n:])         # o
            i, f, cc, o = (acts[t, :, j * n:(j + 1) * n] for j in range(4))
            cs[t + 1] = f * cs[t] + i * cc                   # c_t = f c_{t-1} + i c~
            gc[t] = g(cs[t + 1])
            hs[t + 1] = o * gc[t]                            # h_t = o g(c_t)
            if self.step_mask is not None:                   # padding: h and c as they were
                hs[t + 1], cs[t + 1] = self._carry(t, hs[t + 1], hs[t]), self._carry(t, cs[t + 1], cs[t])
        self.xs, self.hs, self.cs, self.zs, self.acts, self.gc = xs, hs, cs, zs, acts, gc
        self.final_states = [hs[-1], cs[-1]]
        return self._output(hs)

    def backward(self, grad, need_input_grad=True):
        grad = recurrent_state.with_activity_grads(self, grad)   # + r'(y) / batch (activity_regularizer)
        xs, hs, cs, zs, acts, gc = self.xs, self.hs, self.cs, self.zs, self.acts, self.gc
        n, U = self.units, self.recurrent_kernel.value
        s_backward, g_backward = _backward(self.recurrent_activation), _backward(self.activation)
        dy = self._output_grads(grad, len(xs))
        dz = np.empty_like(zs)
        dh_next, dc_next = np.zeros_like(hs[0]), self._final_grad(grad, 1, cs[0])   # dc_T: return_state's
        for t in reversed(range(len(xs))):
            i, f, cc, o = (acts[t, :, j * n:(j + 1) * n] for j in range(4))
            zi, zf, zc, zo = (zs[t, :, j * n:(j + 1) * n] for j in range(4))
            dh, dh_skip = self._split(t, dy[t] + dh_next)    # dh_t
            dc_next, dc_skip = self._split(t, dc_next)
            dc = dc_next + g_backward(cs[t + 1], gc[t], dh * o)   # dc_t = from t+1 + dh o g'(c_t)
            dz[t, :, :n] = s_backward(zi, i, dc * cc)        # di s'(zi), di = dc c~
            dz[t, :, n:2 * n] = s_backward(zf, f, dc * cs[t])    # df s'(zf), df = dc c_{t-1}
            dz[t, :, 2 * n:3 * n] = g_backward(zc, cc, dc * i)   # dc~ g'(zc), dc~ = dc i
            dz[t, :, 3 * n:] = s_backward(zo, o, dh * gc[t])     # do s'(zo), do = dh g(c_t)
            dh_next = self._back_through(dz[t], U, self.state_masks) + dh_skip   # to h_{t-1}: dz_t U^T
            dc_next = dc * f + dc_skip                       # to c_{t-1}
        self._set_grads(xs, hs[:-1], dz, dz)
        return self._grads_in(dz, [dh_next, dc_next], need_input_grad)   # dh_0, dc_0: what reached step 0

    def _equations(self):
        g, s = self._names()
        return ["[zi | zf | zc | zo] = x_t @ kernel + h_(t-1) @ recurrent_kernel" + (" + bias" if self.use_bias else ""),
                f"i = {s}(zi)   f = {s}(zf)   c~ = {g}(zc)   o = {s}(zo)",
                f"c_t = f * c_(t-1) + i * c~      h_t = o * {g}(c_t)"]

    def _last_step(self, t):
        i, f, cc, o = (self.acts[t, 0, j * self.units:(j + 1) * self.units] for j in range(4))
        return [f"i = {_short(i)}   f = {_short(f)}", f"c~ = {_short(cc)}   o = {_short(o)}",
                f"c = {_short(self.cs[t + 1, 0])}   h = {_short(self.hs[t + 1, 0])}"]

    def to_onnx(self, g, x):
        n = self.units
        iofc = np.concatenate([np.arange(j * n, (j + 1) * n) for j in (0, 3, 1, 2)])   # Keras: i f c o
        b = self.bias.value[iofc] if self.use_bias else None
        s, a = self._onnx_activation(self.recurrent_activation), self._onnx_activation(self.activation)
        return self._onnx_op(g, x, "LSTM", self.kernel.value[:, iofc].T, self.recurrent_kernel.value[:, iofc].T,
                             None if b is None else np.concatenate([b, np.zeros_like(b)]), activations=[s, a, a])

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias, "seed": self.seed}


class GRU(_Recurrent):
    """``GRU(units)``: gated recurrent unit (Keras's ``keras.layers.GRU``; gates z, r, h)::

        forward, t = 1..T (h_0 = 0; s = recurrent_activation, sigmoid; g = activation, tanh):
            reset_after=True (Keras's default; bias rows b = input's, b' = recurrent's):
                [xz | xr | xh] = x_t W + b           [uz | ur | uh] = h_{t-1} U + b'
                z = s(xz + uz)    r = s(xr + ur)    h~ = g(xh + r * uh)
            reset_after=False (one bias row):
                [xz | xr | xh] = x_t W + b           [uz | ur] = h_{t-1} U[:, :2n]
                z = s(xz + uz)    r = s(xr + ur)    h~ = g(xh + (r * h_{t-1}) U[:, 2n:])
            h_t = z * h_{t-1} + (1 - z) * h~
        backward, t = T..1:
            dh_t = dY_t + (from step t+1)
            dz = dh_t * (h_{t-1} - h~)        da = dh_t * (1 - z) * g'(xh + ...)     (a: h~'s input)
            reset_after=True:   dr = da * uh         duh = da * r
            reset_after=False:  d(r h) = da U_h^T    dr = d(r h) * h_{t-1}    dU_h += (r h_{t-1})^T da
            dz_t (into x_t W) = [dz s'(.) | dr s'(.) | da]
            dW += x_t^T dz_t      dx_t = dz_t W^T      db += sum over the batch of dz_t
            dU += h_{t-1}^T [dz s'(.) | dr s'(.) | duh] (reset_after; else the first two blocks)
            sent back to h_{t-1}: dh_t * z + [dz s' | dr s' | duh] U^T (reset_after=False: the first
            two blocks through U[:, :2n], plus d(r h) * r)
    """

    gates = 3
    cell_name = "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 reset_after=True, activity_regularizer=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def forward(self, x, training=False, mask=None):
        xs = self._steps(x, training, mask)
        n, U = self.units, self.recurrent_kernel.value
        s, g = self.recurrent_activation, self.activation
        b = self.bias.value if self.use_bias else np.zeros(self._bias_shape(), U.dtype)
        b_in, b_rec = (b[0], b[1]) if self.reset_after else (b, None)
        xw = self._through(xs, self.kernel.value, self.input_masks) + b_in    # [xz | xr | xh] for every step
        sm = self.state_masks                                # (recurrent dropout's, per gate, or None)
        mh = 1.0 if sm is None else sm[2]
        T, batch = xs.shape[0], xs.shape[1]
        hs = np.zeros((T + 1, batch, n), xw.dtype)
        hs[0] = self.h0[0]                                   # h_0: given, kept (stateful) or zeros
        uh = np.empty((T, batch, 3 * n if self.reset_after else 2 * n), xw.dtype)
        z, r, a, hh = (np.empty((T, batch, n), xw.dtype) for _ in range(4))
        for t in range(T):
            h = hs[t]
            if self.reset_after:
                uh[t] = self._through(h, U, sm) + b_rec      # [uz | ur | uh]
            else:
                uh[t] = self._through(h, U[:, :2 * n], None if sm is None else sm[:2])   # [uz | ur]
            z[t] = s(xw[t, :, :n] + uh[t, :, :n])
            r[t] = s(xw[t, :, n:2 * n] + uh[t, :, n:2 * n])
            if self.reset_after:
                a[t] = xw[t, :, 2 * n:] + r[t] * uh[t, :, 2 * n:]
            else:
                a[t] = xw[t, :, 2 * n:] + (r[t] * h * mh) @ U[:, 2 * n:]
            hh[t] = g(a[t])                                  # h~
            hs[t + 1] = self._carry(t, z[t] * h + (1 - z[t]) * hh[t], h)   # h_t (padding: h_{t-1})
        self.xs, self.xw, self.uh, self.hs, self.z, self.r, self.a, self.hh = xs, xw, uh, hs, z, r, a, hh
        self.final_states = [hs[-1]]
        return self._output(hs)

    def backward(self, grad, need_input_grad=True):
        grad = recurrent_state.with_activity_grads(self, grad)   # + r'(y) / batch (activity_regularizer)
        xs, xw, uh, hs, z, r, a, hh = self.xs, self.xw, self.uh, self.hs, self.z, self.r, self.a, self.hh
        n, U = self.units, self.recurrent_kernel.value
        s_backward, g_backward = _backward(self.recurrent_activation), _backward(self.activation)
        dy = self._output_grads(grad, len(xs))
        dz_in = np.empty_like(xw)                            # what enters x_t W (+ b)
        dz_rec = np.empty((len(xs),) + hs.shape[1:-1] + (3 * n,), xw.dtype)   # what enters h_{t-1} U (+ b')
        dh_next = np.zeros_like(hs[0])
        dU_h = np.zeros((n, n), xw.dtype)                    # reset_after=False: U[:, 2n:]'s own sum
        sm = self.state_masks
        mh = 1.0 if sm is None else sm[2]
        for t in reversed(range(len(xs))):
            h = hs[t]
            dh, dh_skip = self._split(t, dy[t] + dh_next)    # dh_t
            da = g_backward(a[t], hh[t], dh * (1 - z[t]))    # dh~ g'(a)
            dzz = s_backward(xw[t, :, :n] + uh[t, :, :n], z[t], dh * (h - hh[t]))   # dz s'
            if self.reset_after:
                dr = da * uh[t, :, 2 * n:]                   # dr = da uh
                dz_rec[t, :, 2 * n:] = da * r[t]             # duh = da r
            else:
                drh = da @ U[:, 2 * n:].T                    # d(r h_{t-1}), h_{t-1} times its mask
                dr = drh * h * mh
                dU_h += (r[t] * h * mh).T @ da
                dz_rec[t, :, 2 * n:] = 0
            drr = s_backward(xw[t, :, n:2 * n] + uh[t, :, n:2 * n], r[t], dr)   # dr s'
            dz_in[t, :, :n], dz_in[t, :, n:2 * n], dz_in[t, :, 2 * n:] = dzz, drr, da
            dz_rec[t, :, :n], dz_rec[t, :, n:2 * n] = dzz, drr
            dh_next = dh * z[t] + self._back_through(dz_rec[t], U, sm)   # to h_{t-1} (zeros: U[:, 2n:] if not reset_after)
            if not self.reset_after:
                dh_next += drh * r[t] * mh
            dh_next += dh_skip
        self._set_grads(xs, hs[:-1], dz_in, dz_rec)
        if not self.reset_after:
            self.recurrent_kernel.grad[:, 2 * n:] = dU_h
        return self._grads_in(dz_in, [dh_next], need_input_grad)   # dh_0: what reached step 0

    def _equations(self):
        g, s = self._names()
        if self.reset_after:
            mix = "[xz | xr | xh] = x_t @ kernel + bias[0]   [uz | ur | uh] = h_(t-1) @ recurrent_kernel + bias[1]"
            cand = f"h~ = {g}(xh + r * uh)"
        else:
            mix = "[xz | xr | xh] = x_t @ kernel + bias   [uz | ur] = h_(t-1) @ recurrent_kernel[:, :2n]"
            cand = f"h~ = {g}(xh + (r * h_(t-1)) @ recurrent_kernel[:, 2n:])"
        if not self.use_bias:
            mix = mix.replace(" + bias[0]", "").replace(" + bias[1]", "").replace(" + bias", "")
        return [mix, f"z = {s}(xz + uz)   r = {s}(xr + ur)   {cand}", "h_t = z * h_(t-1) + (1 - z) * h~"]

    def _last_step(self, t):
        return [f"z = {_short(self.z[t, 0])}   r = {_short(self.r[t, 0])}",
                f"h~ = {_short(self.hh[t, 0])}   h = {_short(self.hs[t + 1, 0])}"]

    def to_onnx(self, g, x):
        b = None
        if self.use_bias:                                    # ONNX's gates are Keras's: z r h
            b = self.bias.value.reshape(-1) if self.reset_after else np.concatenate(
                [self.bias.value, np.zeros_like(self.bias.value)])
        s, a = self._onnx_activation(self.recurrent_activation), self._onnx_activation(self.activation)
        return self._onnx_op(g, x, "GRU", self.kernel.value.T, self.recurrent_kernel.value.T, b,
                             activations=[s, a], linear_before_reset=int(self.reset_after))

    def _bias_grad(self, dz_in, dz_rec):
        if self.reset_after:
            return np.stack([dz_in.sum(axis=(0, 1)), dz_rec.sum(axis=(0, 1))])   # rows b, b'
        return dz_in.sum(axis=(0, 1))

    def get_config(self):
        return {**super().get_config(), "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after, "seed": self.seed}
