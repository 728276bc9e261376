"""Attention (Luong's dot product) and AdditiveAttention (Bahdanau's): one head, no projections.

For a query ``q`` (batch, T, d), a value ``v`` (batch, S, d_v) and a key ``k`` (the value by
default)::

    scores     Attention, "dot":     S = q k^T                 (times the scalar ``scale`` when use_scale)
               Attention, "concat":  S = c sum_d tanh(scale (q_t + k_s))
               AdditiveAttention:    S = sum_d w_d tanh(q_t + k_s)     (w learned when use_scale)
               S -= 1e9 where the value's mask (or the causal mask) is False
    forward    W = softmax(S) over s      out = W v        out *= the query's mask (0 at padding)
    backward   dW = dout v^T      dv = W^T dout       dS = W (dW - sum_s(dW W))
               dot:      dq = scale dS k     dk = scale dS^T q     dscale = sum(dS q k^T)
               additive: dZ = dS w (1 - tanh^2)   dq = sum_s dZ   dk = sum_t dZ   dw = sum(dS tanh)

Called as Keras calls them: ``layer([query, value])`` or ``layer([query, value, key])``, with
``mask=[query_mask, value_mask]``, ``return_attention_scores=True`` (the weights ``W``),
``use_causal_mask=True``.

>>> import numpy as np, glassnet
>>> att = glassnet.layers.Attention()
>>> q, v = np.ones((1, 2, 3)), np.arange(12.0).reshape(1, 4, 3)
>>> att([q, v]).shape
TensorShape([1, 2, 3])
"""
from __future__ import annotations

import numpy as np

from .. import activations, config
from ..engine import functional
from ..tf import tape
from ..seeding import SeedState, dropout_keep
from .attention import softmax_backward
from .base import Layer, _wrap_outputs


class _BaseDenseAttention(Layer):
    """What Attention and AdditiveAttention share: inputs, masks, softmax, dropout, value sum."""

    takes_list = True
    uses_mask = True
    supports_masking = True
    reads_input_masks = True

    def __init__(self, use_scale, dropout=0.0, seed=None, **kwargs):
        who = type(self).__name__
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"{who}: dropout must be a number in [0, 1), got {dropout!r}")
        super().__init__(**kwargs)
        self.use_scale, self.dropout, self.seed = bool(use_scale), float(dropout), seed
        self._seed_state = SeedState(seed) if self.dropout > 0 else None     # Keras 3's seed, taken now
        self._graph_causal = False

    def _shapes(self, input_shape):
        who = f"{type(self).__name__} {self.name!r}"
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not isinstance(input_shape[0], (list, tuple)) or len(input_shape) not in (2, 3):
            raise ValueError(f"{who}: call it on a list [query, value] or [query, value, key], got shape "
                             f"{input_shape}")
        shapes = [tuple(s) for s in input_shape]
        if any(len(s) != 3 for s in shapes):
            raise ValueError(f"{who}: query, value and key must be (batch, steps, features), got {shapes}")
        key = shapes[2] if len(shapes) == 3 else shapes[1]
        if shapes[0][-1] != key[-1] and None not in (shapes[0][-1], key[-1]):
            raise ValueError(f"{who}: the query's features ({shapes[0][-1]}) and the key's ({key[-1]}) must match")
        return shapes

    def compute_output_shape(self, input_shape):
        shapes = self._shapes(input_shape)
        return shapes[0][:-1] + (shapes[1][-1],)

    def compute_mask(self, inputs, mask=None):
        return mask[0] if isinstance(mask, (list, tuple)) else None

    def __call__(self, inputs, mask=None, training=None, return_attention_scores=False, use_causal_mask=False,
                 **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected call argument(s) {', '.join(sorted(kwargs))}")
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(f"{type(self).__name__}: inputs must be a list [query, value] or [query, value, key], "
                             f"got {type(inputs).__name__}")
        if functional.is_symbolic(list(inputs)):
            if return_attention_scores:
                raise ValueError(f"{type(self).__name__}: return_attention_scores=True is not supported in a "
                                 "functional model by glassnet (call it on data, or inside a layer's call)")
            self._graph_causal = bool(use_causal_mask)
            return functional.call(self, list(inputs))
        masks = list(mask) + [None] * 2 if isinstance(mask, (list, tuple)) else [None, None]
        masks = [m if m is not None else getattr(t, "_keras_mask", None) for m, t in zip(masks[:2], inputs)]
        xs = [np.asarray(t).astype(self.dtype or config.floatx(), copy=False) for t in inputs]
        if not self.built or self.__dict__.get("_input_shape") is None:
            self.build_from_shape([(None,) + x.shape[1:] for x in xs])
        out = self.forward(xs, tape.training(training, self.default_training),
                           mask=[None if m is None else np.asarray(m, bool) for m in masks],
                           use_causal_mask=bool(use_causal_mask))
        returned = _wrap_outputs([out, self.weights_] if return_attention_scores else out,
                                 [masks[0], None] if return_attention_scores else masks[0])
        if return_attention_scores:
            returned = tuple(returned)
        if tape.recording():
            tape.record_call(self, list(inputs), returned)
        return returned

    def build_from_shape(self, input_shape):
        shapes = self._shapes(input_shape)
        if not self.built:
            self.build(shapes)
            self.built = True
        self._input_shape = shapes
        self._output_shape = self.compute_output_shape(shapes)
        return self._output_shape

    # -- the two halves -------------------------------------------------------------------
    def forward(self, xs, training=False, mask=None, use_causal_mask=None):
        q, v = xs[0], xs[1]
        k = xs[2] if len(xs) == 3 else v
        masks = list(mask) + [None, None] if isinstance(mask, (list, tuple)) else [None, None]
        self._q, self._v, self._k, self._three = q, v, k, np.array(len(xs) == 3)
        s = self._scores(q, k)                                                  # (b, T, S)
        blocked = np.zeros(s.shape, bool)
        if masks[1] is not None:
            blocked |= ~np.asarray(masks[1], bool)[:, None, :]
        causal = self._graph_causal if use_causal_mask is None else use_causal_mask
        if causal:
            blocked |= ~np.tril(np.ones(s.shape[1:], bool))[None]
        s = s - np.asarray(1e9, s.dtype) * blocked                              # Keras: -1e9 where masked
        self.weights_ = activations.softmax(s, -1)                              # W
        if training and self.dropout > 0:
            keep = dropout_keep(s.shape, self.dropout, q.dtype, self._seed_state)        # Keras's stateless dropout
            self._keep = keep.astype(q.dtype) * q.dtype.type(1.0 / (1.0 - self.dropout))
        else:
            self._keep = np.ones((), q.dtype)
        self._wd = self.weights_ * self._keep
        out = self._wd @ v                                                      # out = W v
        self._qmask = np.ones((), q.dtype) if masks[0] is None else np.asarray(masks[0], q.dtype)[:, :, None]
        return out * self._qmask

    def backward(self, grad, need_input_grad=True):
        dscores = None
        if isinstance(grad, (list, tuple)):
            grad, dscores = grad[0], (grad[1] if len(grad) > 1 else None)
        grad = grad * self._qmask
        dw = grad @ np.swapaxes(self._v, 1, 2) * self._keep                    # dW = dout v^T
        dv = np.swapaxes(self._wd, 1, 2) @ grad                                 # dv = W^T dout
        if dscores is not None:
            dw = dw + dscores
        ds = softmax_backward(self.weights_, dw)
        dq, dk = self._scores_backward(ds)
        if not need_input_grad:
            return None
        return [dq, dv, dk] if self._three else [dq, dv + dk]

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale, "dropout": self.dropout, "seed": self.seed}


class Attention(_BaseDenseAttention):
    """Keras's ``Attention(use_scale=False, score_mode="dot", dropout=0.0, seed=None)``: scores
    ``q k^T`` (times a learned scalar ``scale`` when ``use_scale``), or with ``score_mode="concat"``
    ``concat_score_weight * sum(tanh(scale (q + k)))``."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Attention: score_mode must be 'dot' or 'concat', got {score_mode!r}")
        super().__init__(use_scale, dropout, seed, **kwargs)
        self.score_mode = score_mode
        self.scale = self.concat_score_weight = None

    def build(self, input_shape):
        if self.use_scale:
            self.scale = self.add_weight((), "ones", "scale")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight((), "ones", "concat_score_weight")
        self.built = True

    def count_params_for(self, input_shape) -> int:
        return int(self.use_scale) + int(self.score_mode == "concat")

    def _scores(self, q, k):
        scale = self.scale.value if self.use_scale else np.ones((), q.dtype)
        if self.score_mode == "dot":
            self._raw = q @ np.swapaxes(k, 1, 2)                                # q k^T
            return self._raw * scale
        self._tanh = np.tanh(scale * (q[:, :, None, :] + k[:, None, :, :]))     # (b, T, S, d)
        return self.concat_score_weight.value * self._tanh.sum(-1)

    def _scores_backward(self, ds):
        q, k = self._q, self._k
        scale = self.scale.value if self.use_scale else np.ones((), q.dtype)
        if self.score_mode == "dot":
            if self.use_scale:
                self.scale.grad = np.asarray((ds * self._raw).sum(), self.scale.dtype)
            dr = ds * scale
            return dr @ k, np.swapaxes(dr, 1, 2) @ q                            # dq = dS k, dk = dS^T q
        self.concat_score_weight.grad = np.asarray((ds * self._tanh.sum(-1)).sum(), self.concat_score_weight.dtype)
        dz = (ds * self.concat_score_weight.value)[..., None] * (1 - self._tanh ** 2)
        if self.use_scale:
            self.scale.grad = np.asarray((dz * (q[:, :, None, :] + k[:, None, :, :])).sum(), self.scale.dtype)
        dz = dz * scale
        return dz.sum(axis=2), dz.sum(axis=1)

    def get_config(self):
        return {**super().get_config(), "score_mode": self.score_mode}


class AdditiveAttention(_BaseDenseAttention):
    """Keras's ``AdditiveAttention(use_scale=True, dropout=0.0, seed=None)``: scores
    ``sum_d scale_d tanh(q_d + k_d)``, ``scale`` a learned vector (Glorot uniform) when ``use_scale``."""

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        super().__init__(use_scale, dropout, seed, **kwargs)
        self.scale = None

    def build(self, input_shape):
        if self.use_scale:
            self.scale = self.add_weight((int(input_shape[0][-1]),), "glorot_uniform", "scale")
        self.built = True

    def count_params_for(self, input_shape) -> int:
        return int(input_shape[0][-1]) if self.use_scale else 0

    def _scores(self, q, k):
        self._tanh = np.tanh(q[:, :, None, :] + k[:, None, :, :])               # (b, T, S, d)
        return (self._tanh * self.scale.value).sum(-1) if self.use_scale else self._tanh.sum(-1)

    def _scores_backward(self, ds):
        if self.use_scale:
            self.scale.grad = (ds[..., None] * self._tanh).sum(axis=(0, 1, 2))
            dz = ds[..., None] * self.scale.value * (1 - self._tanh ** 2)
        else:
            dz = ds[..., None] * (1 - self._tanh ** 2)
        return dz.sum(axis=2), dz.sum(axis=1)


