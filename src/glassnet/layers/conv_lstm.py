"""Convolutional LSTMs: ``ConvLSTM1D``, ``ConvLSTM2D``, ``ConvLSTM3D`` (Keras 3's constructors,
defaults, weights and gate order), the LSTM of ``layers/recurrent.py`` with its two matrix
products replaced by convolutions, and its backward through time written out under its forward.

Inputs are ``(batch, timesteps, *spatial, channels)`` (``data_format="channels_first"``:
``(batch, timesteps, channels, *spatial)``; the layer moves the channels last on the way in and
back on the way out). Keras's three weights, the four gates i, f, c, o side by side on the last
axis: ``kernel`` ``(*kernel_size, channels, 4 filters)``, ``recurrent_kernel`` ``(*kernel_size,
filters, 4 filters)``, ``bias`` ``(4 filters,)``. The input's convolution takes the layer's
``strides``, ``padding`` and ``dilation_rate``; the state's is always stride 1, ``"same"``, so
the states keep the shape of one step's output ``(batch, *out_spatial, filters)``::

    forward, t = 1..T (h_0 = c_0 = 0; s = recurrent_activation, sigmoid; g = activation, tanh):
        z_t = conv(x_t, K) + b + conv_same(h_{t-1}, U) = [zi | zf | zc | zo]
        i = s(zi)   f = s(zf)   c~ = g(zc)   o = s(zo)
        c_t = f * c_{t-1} + i * c~           h_t = o * g(c_t)
    backward, t = T..1 (LSTM's, with conv's transpose where LSTM has W^T):
        dh_t = dY_t + (from step t+1)        dc_t = (from step t+1) + dh_t * o * g'(c_t)
        dz_t = [dc_t c~ s'(zi) | dc_t c_{t-1} s'(zf) | dc_t i g'(zc) | dh_t g(c_t) s'(zo)]
        dU += patches(h_{t-1})^T dz_t        sent back: dh_{t-1} = conv_same^T(dz_t, U), dc_{t-1} = dc_t f
    then, over every step at once:  dK = patches(x)^T dz    db = sum of dz    dx = conv^T(dz, K)

A convolution is patches times kernel (``layers/conv.py``). Dropout as Keras's ConvLSTM cell:
one inverted-dropout mask per gate on ``x_t`` (``dropout``) and on ``h_{t-1}``
(``recurrent_dropout``), drawn once per call and used at every step (training only).
``return_sequences``, ``return_state`` (``[output, h_T, c_T]``), ``go_backwards``, ``stateful``
and ``initial_state`` work as for LSTM (``layers/recurrent_state.py``). In ``.keras`` files the
weights sit where Keras keeps them: ``layers/conv_lstm2d/cell/vars/0..2``. A padding mask is refused.

>>> import numpy as np, glassnet
>>> layer = glassnet.layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True)
>>> tuple(layer(np.ones((2, 5, 8, 8, 1))).shape)
(2, 5, 8, 8, 4)
>>> tuple(layer.kernel.shape), tuple(layer.recurrent_kernel.shape)
((3, 3, 1, 16), (3, 3, 4, 16))
"""
from __future__ import annotations

import numpy as np

from .. import activations, constraints, initializers, regularizers
from ..seeding import SeedState, dropout_keep
from . import recurrent_state
from .base import Layer
from .conv import (check_padding, extract_patches, input_gradient, normalize_tuple, output_length, pad, paddings,
                   transposed_product)


# -- one convolution, forward and backward (the patches kept between them) -----------------------
def _conv(x, K, strides, dilation, padding):
    """``conv(x, K)``: ``x`` ``(N, *spatial, C)``, ``K`` ``(*kernel, C, F)`` -> ``(N, *out, F)``,
    as ``P @ K`` (one row of ``P`` per window); and what :func:`_conv_backward` needs."""
    ks = K.shape[:-2]
    pads = paddings(x.shape[1:-1], ks, strides, dilation, padding)
    xpad = pad(x, pads)
    windows = extract_patches(xpad, ks, strides, dilation)                 # (N, *out, *kernel, C)
    lead = windows.shape[:1 + len(ks)]
    rows = windows.reshape(-1, int(np.prod(K.shape[:-1])))
    z = (rows @ K.reshape(-1, K.shape[-1])).reshape(lead + (K.shape[-1],))
    return z, (rows, lead, xpad.shape, pads)


def _conv_backward(dz, K, cache, strides, dilation, need_dx=True):
    """``dK = P^T dZ`` and ``dx`` (``dP = dZ K^T`` added back to the pixels it came from)."""
    rows, lead, padded_shape, pads = cache
    dz_rows = dz.reshape(-1, K.shape[-1])
    dK = transposed_product(rows, dz_rows).reshape(K.shape)
    if not need_dx:
        return dK, None
    return dK, input_gradient(dz_rows, K.reshape(-1, K.shape[-1]), lead, K.shape[:-2], padded_shape,
                              strides, dilation, pads)


def _gated(x, K, masks, strides, dilation, padding):
    """``conv(x, K)`` with gate ``j``'s filters seeing ``x * masks[j]`` (dropout), or plain."""
    if masks is None:
        z, cache = _conv(x, K, strides, dilation, padding)
        return z, [cache]
    n = K.shape[-1] // len(masks)
    parts = [_conv(x * m, K[..., j * n:(j + 1) * n], strides, dilation, padding) for j, m in enumerate(masks)]
    return np.concatenate([p[0] for p in parts], axis=-1), [p[1] for p in parts]


def _gated_backward(dz, K, caches, masks, strides, dilation, need_dx=True):
    """The backward of :func:`_gated`: ``(dK, dx)``, ``dx`` summed over the gates through their masks."""
    if masks is None:
        return _conv_backward(dz, K, caches[0], strides, dilation, need_dx)
    n = K.shape[-1] // len(masks)
    dK, dx = np.empty_like(K), 0.0 if need_dx else None
    for j, (m, cache) in enumerate(zip(masks, caches)):
        dK[..., j * n:(j + 1) * n], dxj = _conv_backward(dz[..., j * n:(j + 1) * n], K[..., j * n:(j + 1) * n],
                                                         cache, strides, dilation, need_dx)
        if need_dx:
            dx = dx + dxj * m
    return dK, dx


class _ConvLSTM(Layer):
    """What ConvLSTM1D, 2D and 3D share (``rank`` spatial axes)."""

    rank = 2
    gates = 4
    state_count = 2                             # h and c
    takes_states = True                         # layer([x, h, c]) is a call with initial states
    h5_weights_group = "cell"                   # in .keras files: layers/conv_lstm2d/cell/vars/0..2, as Keras

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        kwargs.pop("unroll", None)
        kwargs.pop("zero_output_for_mask", None)
        super().__init__(**kwargs)
        who, n = type(self).__name__, self.rank
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"{who}: filters must be a positive integer, got {filters!r}")
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0 <= rate < 1:
                raise ValueError(f"{who}: {name} must be in [0, 1), got {rate!r}")
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, n, "kernel_size", who)
        self.strides = normalize_tuple(strides, n, "strides", who)
        self.padding = check_padding(padding, who)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(f"{who}: data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
        self.data_format = data_format or "channels_last"
        self.dilation_rate = normalize_tuple(dilation_rate, n, "dilation_rate", who)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{who}: strides > 1 together with dilation_rate > 1 is not supported (as in Keras), "
                             f"got strides={strides!r}, dilation_rate={dilation_rate!r}")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = bool(use_bias), bool(unit_forget_bias)
        self._seed_state = SeedState(seed)          # Keras's cell takes its seed before its initializers
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)   # on each output (recurrent_state.py)
        self.kernel_constraint = constraints.get(kernel_constraint)          # w <- c(w) after each step
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout, self.recurrent_dropout, self.seed = float(dropout), float(recurrent_dropout), seed
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful = bool(go_backwards), bool(stateful)
        self.input_masks = self.state_masks = None
        self._on_data = self._in_graph = False
        self._kept = self._state_shape = None
        self.bias = None

    # -- shapes and weights ---------------------------------------------------------------------
    def _check(self, input_shape):
        if len(input_shape) != self.rank + 3:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects inputs of {self.rank + 3} dimensions "
                             f"(batch, timesteps, {'spatial, ' * self.rank}channels"
                             f"{' first' if self.data_format == 'channels_first' else ''}), got {tuple(input_shape)}")
        first = self.data_format == "channels_first"
        return (input_shape[3:] if first else input_shape[2:-1]), input_shape[2 if first else -1]

    def _out_spatial(self, spatial):
        return tuple(output_length(n, k, s, d, self.padding) for n, k, s, d in
                     zip(spatial, self.kernel_size, self.strides, self.dilation_rate))

    def _layout(self, spatial):
        """One state's shape without the batch, in the layer's data format."""
        return (self.filters,) + spatial if self.data_format == "channels_first" else spatial + (self.filters,)

    def build(self, input_shape):
        spatial, channels = self._check(input_shape)
        if channels is None or any(s is None for s in spatial):
            raise ValueError(f"{type(self).__name__} {self.name!r}: ConvLSTM layers need the spatial dimensions and "
                             f"the channels known, got input shape {tuple(input_shape)}")
        out = self._out_spatial(spatial)
        if any(o == 0 for o in out):
            raise ValueError(f"{type(self).__name__} {self.name!r}: inputs of shape {tuple(input_shape)} are smaller "
                             f"than the kernel {self.kernel_size}; use padding='same' or a smaller kernel")
        self._state_shape = self._layout(out)
        k = 4 * self.filters
        self.kernel = self.add_weight(self.kernel_size + (int(channels), k), self.kernel_initializer, "kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(self.kernel_size + (self.filters, k), self.recurrent_initializer,
                                                "recurrent_kernel", regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight((k,), self._bias_initializer(), "bias", regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, n = self.bias_initializer, self.filters

        def forget_gate_at_one(shape, dtype=None):           # [init(n) | 1 | init(2n)], as Keras's
            return np.concatenate([init((n,), dtype), np.ones((n,), dtype), init((2 * n,), dtype)])
        return forget_gate_at_one

    @property
    def state_sizes(self):
        """Each state's shape without the batch (``recurrent_state.sizes``); known once built."""
        return [self._state_shape] * 2

    def compute_output_shape(self, input_shape):
        spatial, _ = self._check(input_shape)
        one = self._layout(self._out_spatial(spatial))
        return (input_shape[0], input_shape[1]) + one if self.return_sequences else (input_shape[0],) + one

    def extra_output_shapes(self, input_shape):
        """return_state's further outputs ``h_T, c_T`` (for the functional graph's plan)."""
        spatial, _ = self._check(input_shape)
        return [(input_shape[0],) + self._layout(self._out_spatial(spatial))] * 2

    def count_params_for(self, input_shape) -> int:
        _, c = self._check(input_shape)
        k = int(np.prod(self.kernel_size)) * 4 * self.filters
        return k * int(c) + k * self.filters + (4 * self.filters if self.use_bias else 0)

    def needs_flat_samples(self):
        return False

    # -- calls: initial_state, return_state, stateful, as the other recurrent layers --------------
    def __call__(self, x, training=None, mask=None, initial_state=None):
        return recurrent_state.call(self, x, training, mask, initial_state)

    def build_from_shape(self, input_shape):
        if self.return_state and not self._on_data:
            raise ValueError(f"{type(self).__name__} {self.name!r}: return_state=True works when the layer is called "
                             "on data or on symbolic tensors; a Sequential model hands on one tensor")
        return super().build_from_shape(input_shape)

    def get_initial_state(self, batch_size):
        """Zero states ``[h_0, c_0]``, each ``(batch_size, *out_spatial, filters)``."""
        return recurrent_state.initial_states(self, batch_size)

    @property
    def states(self):
        return recurrent_state.kept(self)

    def reset_state(self, states=None):
        recurrent_state.reset(self, states)

    reset_states = reset_state

    # -- channels first: moved last on the way in, back on the way out --------------------------
    def _in(self, a, axis):
        return np.moveaxis(a, axis, -1) if self.data_format == "channels_first" else a

    def _out(self, a, axis):
        return np.moveaxis(a, -1, axis) if self.data_format == "channels_first" else a

    def _draw_masks(self, x_shape, h_shape, dtype, training):
        """Keras's ConvLSTM cell: one mask per gate on ``x_t`` and on ``h_{t-1}``, for every step."""
        dtype = np.dtype(dtype)

        def masks(rate, shape):             # four of Keras's dropout(ones, rate, seed=cell.seed_generator)
            keep = np.stack([dropout_keep(shape, rate, dtype, self._seed_state) for _ in range(4)])
            return keep.astype(dtype) * dtype.type(1.0 / (1.0 - rate))
        self.input_masks = masks(self.dropout, x_shape) if training and self.dropout > 0 else None
        self.state_masks = masks(self.recurrent_dropout, h_shape) if training and self.recurrent_dropout > 0 else None

    # -- the input's convolution, over several steps at once ---------------------------------------
    _PATCH_ENTRIES = 1 << 24                    # patches made at once: the steps of one chunk (64 MB of float32)

    def _chunks(self, xs):
        """``(first, last)`` steps of each chunk: as many steps as keep their patches within
        ``_PATCH_ENTRIES`` numbers (a deep ConvLSTM's patches for every step would not fit memory)."""
        out = self._out_spatial(xs.shape[2:-1])
        per_step = xs.shape[1] * int(np.prod(out)) * int(np.prod(self.kernel.shape[:-1]))
        k = max(1, self._PATCH_ENTRIES // max(per_step, 1))
        return [(a, min(a + k, len(xs))) for a in range(0, len(xs), k)]

    def _flat_masks(self, part):
        """The input's dropout masks (one per gate) for the steps of ``part``, rows as in :meth:`_input_conv`."""
        if self.input_masks is None:
            return None
        return [np.broadcast_to(m, part.shape).reshape((-1,) + part.shape[2:]) for m in self.input_masks]

    def _input_conv(self, part):
        """``conv(x_t, K) + b`` for the steps of ``part`` ``(steps, batch, *spatial, C)`` at once,
        and the patches backward needs."""
        flat = part.reshape((-1,) + part.shape[2:])
        z, caches = _gated(flat, self.kernel.value, self._flat_masks(part), self.strides, self.dilation_rate,
                           self.padding)
        z = z.reshape(part.shape[:2] + z.shape[1:])
        return (z + self.bias.value if self.use_bias else z), caches

    # -- the two halves ---------------------------------------------------------------------------
    def forward(self, x, training=False, mask=None):
        if mask is not None and not np.all(mask):
            raise ValueError(f"{type(self).__name__} {self.name!r}: padding masks are not supported by glassnet's "
                             "ConvLSTM layers yet (steps marked as padding would be read as data)")
        x, given = (x[0], list(x[1:])) if isinstance(x, (list, tuple)) else (x, None)   # layer([x, h, c])
        x = np.asarray(x)
        self._check(x.shape)
        xs = np.moveaxis(self._in(x, 2), 1, 0)                 # (T, batch, *spatial, C), channels last
        xs = xs[::-1] if self.go_backwards else xs
        T, batch = xs.shape[:2]
        starts = recurrent_state.start(self, given, batch, x.dtype)
        self.states_in = np.array(0 if given is None else len(given))
        h0, c0 = (self._in(s, 1) for s in starts)
        self._draw_masks(xs.shape[1:], h0.shape, x.dtype, training)
        U = self.recurrent_kernel.value
        n, s, g = self.filters, self.recurrent_activation, self.activation
        parts = [self._input_conv(xs[a:b]) for a, b in self._chunks(xs)]   # conv(x_t, K), many steps at once
        xk = np.concatenate([z for z, _ in parts])
        self._x_caches = parts[0][1] if len(parts) == 1 else None    # kept when small; else made again in backward
        hs = np.zeros((T + 1,) + h0.shape, xk.dtype)            # hs[t] = h_t, cs[t] = c_t
        cs = np.zeros_like(hs)
        hs[0], cs[0] = h0, c0
        zs, acts, gc = np.empty_like(xk), np.empty_like(xk), np.empty_like(hs[1:])
        ones = (1,) * self.rank
        for t in range(T):
            zs[t] = xk[t] + _gated(hs[t], U, self.state_masks, ones, ones, "same")[0]   # [zi | zf | zc | zo]
            acts[t, ..., :n] = s(zs[t, ..., :n])                # i
            acts[t, ..., n:2 * n] = s(zs[t, ..., n:2 * n])      # f
            acts[t, ..., 2 * n:3 * n] = g(zs[t, ..., 2 * n:3 * n])   # c~
            acts[t, ..., 3 * n:] = s(zs[t, ..., 3 * n:])        # o
            i, f, cc, o = (acts[t, ..., j * n:(j + 1) * n] for j in range(4))
            cs[t + 1] = f * cs[t] + i * cc                      # c_t = f c_{t-1} + i c~
            gc[t] = g(cs[t + 1])
            hs[t + 1] = o * gc[t]                               # h_t = o g(c_t)
        self.xs, self.hs, self.cs, self.zs, self.acts, self.gc = xs, hs, cs, zs, acts, gc
        self.final_states = [self._out(hs[-1], 1), self._out(cs[-1], 1)]
        recurrent_state.keep(self)
        out = self._out(np.moveaxis(hs[1:], 0, 1), 2) if self.return_sequences else self.final_states[0]
        recurrent_state.add_activity_penalties(self, out)
        return out

    def backward(self, grad, need_input_grad=True):
        grad = recurrent_state.with_activity_grads(self, grad)
        xs, hs, cs, zs, acts, gc = self.xs, self.hs, self.cs, self.zs, self.acts, self.gc
        n, U, sm = self.filters, self.recurrent_kernel.value, self.state_masks
        s_backward, g_backward = activations.backward_of(self.recurrent_activation), \
            activations.backward_of(self.activation)
        T = len(xs)
        dy, finals = (grad[0], list(grad[1:])) if isinstance(grad, (list, tuple)) else (grad, [])
        dys = np.zeros_like(hs[1:])                             # dJ/dh_t from the output, in reading order
        if dy is not None and self.return_sequences:
            dys += np.moveaxis(self._in(np.asarray(dy), 2), 1, 0)
        elif dy is not None:
            dys[-1] += self._in(np.asarray(dy), 1)
        if finals and finals[0] is not None:
            dys[-1] += self._in(np.asarray(finals[0]), 1)      # dh_T through the returned state
        dc_next = np.zeros_like(cs[0])
        if len(finals) > 1 and finals[1] is not None:
            dc_next = dc_next + self._in(np.asarray(finals[1]), 1)   # dc_T through the returned state
        dz, dU, dh_next = np.empty_like(zs), np.zeros_like(U), np.zeros_like(hs[0])
        ones = (1,) * self.rank
        for t in reversed(range(T)):
            i, f, cc, o = (acts[t, ..., j * n:(j + 1) * n] for j in range(4))
            zi, zf, zc, zo = (zs[t, ..., j * n:(j + 1) * n] for j in range(4))
            dh = dys[t] + dh_next                               # dh_t
            dc = dc_next + g_backward(cs[t + 1], gc[t], dh * o)     # dc_t = from t+1 + dh o g'(c_t)
            dz[t, ..., :n] = s_backward(zi, i, dc * cc)         # di s'(zi), di = dc c~
            dz[t, ..., n:2 * n] = s_backward(zf, f, dc * cs[t])     # df s'(zf), df = dc c_{t-1}
            dz[t, ..., 2 * n:3 * n] = g_backward(zc, cc, dc * i)    # dc~ g'(zc), dc~ = dc i
            dz[t, ..., 3 * n:] = s_backward(zo, o, dh * gc[t])      # do s'(zo), do = dh g(c_t)
            _, caches = _gated(hs[t], U, sm, ones, ones, "same")    # h_{t-1}'s patches, made again
            dU_t, dh_next = _gated_backward(dz[t], U, caches, sm, ones, ones)   # dU += P_h^T dz_t; dh_{t-1}
            dU += dU_t
            dc_next = dc * f                                    # to c_{t-1}
        self.recurrent_kernel.grad = dU
        dK, dx = np.zeros_like(self.kernel.value), (np.empty_like(xs) if need_input_grad else None)
        for a, b in self._chunks(xs):                           # dK = sum_t P_t^T dz_t; dx_t = conv^T(dz_t, K)
            caches = self._x_caches if self._x_caches is not None else self._input_conv(xs[a:b])[1]
            flat_dz = dz[a:b].reshape((-1,) + dz.shape[2:])
            dK_part, dx_part = _gated_backward(flat_dz, self.kernel.value, caches, self._flat_masks(xs[a:b]),
                                               self.strides, self.dilation_rate, need_input_grad)
            dK += dK_part
            if need_input_grad:
                dx[a:b] = dx_part.reshape(xs[a:b].shape)
        self.kernel.grad = dK
        if self.use_bias:
            self.bias.grad = dz.reshape(-1, 4 * n).sum(axis=0)  # db = the sum of every dz_t
        state_grads = [self._out(dh_next, 1), self._out(dc_next, 1)]
        self.initial_grads = state_grads
        if not need_input_grad:
            return None
        dx = dx[::-1] if self.go_backwards else dx
        dx = self._out(np.moveaxis(dx, 0, 1), 2)
        return [dx] + state_grads if int(self.states_in) else dx

    # -- config ----------------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": False,
                "zero_output_for_mask": False, "filters": self.filters, "kernel_size": list(self.kernel_size),
                "strides": list(self.strides), "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate), "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "unit_forget_bias": self.unit_forget_bias,
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}


class ConvLSTM1D(_ConvLSTM):
    """``ConvLSTM1D(filters, kernel_size)`` over sequences of sequences ``(batch, T, steps, channels)``."""

    rank = 1


class ConvLSTM2D(_ConvLSTM):
    """``ConvLSTM2D(filters, kernel_size)`` over sequences of images ``(batch, T, rows, cols, channels)``
    (keras.io's next-frame video prediction stacks these)."""

    rank = 2


class ConvLSTM3D(_ConvLSTM):
    """``ConvLSTM3D(filters, kernel_size)`` over sequences of volumes ``(batch, T, d, rows, cols, channels)``."""

    rank = 3
