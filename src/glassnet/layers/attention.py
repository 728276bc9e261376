"""MultiHeadAttention: each position of the query looks at every position of the value.

For a query ``q`` (batch, T, d), a value ``v`` (batch, S, d_v) and a key ``k`` (the value by
default), ``H`` heads of size ``K`` (``key_dim``) and ``V`` (``value_dim``), per head ``h``::

    forward    Q = q Wq + bq   (T, K)     Kt = k Wk + bk   (S, K)     Vh = v Wv + bv   (S, V)
               S = Q Kt^T / sqrt(K)                       (T, S): how well each t matches each s
               S += -1e9 where the mask is False          (padding, causal: t may not see s > t)
               A = softmax(S) over s                       (the attention scores; dropout on A in fit)
               O = A Vh  (T, V)        out = sum over heads of O Wo + bo       (T, d)
    backward   dWo = O^T dout   dbo = sum(dout)   dO = dout Wo^T
               dA = dO Vh^T     dVh = A^T dO
               dS = A (dA - sum_s(dA A))                    (softmax's backward, per row)
               dQ = dS Kt / sqrt(K)     dKt = dS^T Q / sqrt(K)
               dW = x^T dZ, db = sum(dZ), dx = dZ W^T for each of the three projections

The four projections are Keras's ``EinsumDense`` sublayers and are kept as Keras keeps them:
``query/kernel (d, H, K)``, ``query/bias (H, K)``, ``key/...``, ``value/kernel (d_v, H, V)``,
``attention_output/kernel (H, V, d)``, ``attention_output/bias (d,)``; a ``.keras`` file puts
them under ``query_dense/vars``, ``key_dense/vars``, ``value_dense/vars``, ``output_dense/vars``.

Masks, as Keras combines them: ``attention_mask`` (batch, T, S) of True where t may look at s;
the query's and value's padding masks (``x._keras_mask`` from ``Embedding(mask_zero=True)``;
``value_mask=``, ``key_mask=``; like Keras 3.15, the query's is the one it carries);
``use_causal_mask=True`` (t sees s <= t). A masked score is set to -1e9 before the softmax, so
its weight is 0 and no gradient flows through it. A query step that may see nothing gets, as
Keras 3.15 gives it, uniform weights, or zeros when the scores are returned or dropout acts.

>>> import numpy as np, glassnet
>>> mha = glassnet.layers.MultiHeadAttention(num_heads=2, key_dim=3)
>>> x = np.random.default_rng(0).normal(size=(1, 4, 5))
>>> out, scores = mha(x, x, return_attention_scores=True)
>>> out.shape, scores.shape
(TensorShape([1, 4, 5]), TensorShape([1, 2, 4, 4]))
"""
from __future__ import annotations

import numpy as np

from .. import activations, config, initializers, regularizers
from ..engine import functional
from ..tf import tape
from ..seeding import SeedState, dropout_keep
from .base import Layer, _wrap_outputs
from ..utils import unique_name

_NEG = -1e9          # Keras's large negative number for masked scores (float32)


def _einsum(equation, *operands):
    """``np.einsum`` through BLAS where it can (``optimize=True``: tensordot and matmul); NumPy's
    plain loop took 3.6 s for one 8-head, 512-wide call on (16, 40, 512), BLAS about 1 s (TF: 0.7 s)."""
    return np.einsum(equation, *operands, optimize=True)


def _whole(who, name, value, low=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{who}: {name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def softmax_backward(a, da):
    """dS of ``a = softmax(S)`` along the last axis: ``a (da - sum(da a))``."""
    return a * (da - (da * a).sum(axis=-1, keepdims=True))


def combined_mask(t, s, batch, attention_mask=None, query_mask=None, value_mask=None, causal=False):
    """(batch, T, S) of True where query position t may look at value position s, or None."""
    mask = None
    if attention_mask is not None:
        mask = np.broadcast_to(np.asarray(attention_mask, bool), (batch, t, s))
    if query_mask is not None:
        q = np.asarray(query_mask, bool)[:, :, None]
        mask = q if mask is None else mask & q
    if value_mask is not None:
        v = np.asarray(value_mask, bool)[:, None, :]
        mask = v if mask is None else mask & v
    if causal:
        c = np.tril(np.ones((t, s), bool))[None]          # Keras: lower triangle, t sees s <= t
        mask = c if mask is None else mask & c
    return None if mask is None else np.broadcast_to(mask, (batch, t, s))


class MultiHeadAttention(Layer):
    """Keras 3's ``MultiHeadAttention(num_heads, key_dim, value_dim=None, dropout=0.0,
    use_bias=True, output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
    bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, ...)``, called as
    ``mha(query, value, key=None, attention_mask=None, return_attention_scores=False,
    training=None, use_causal_mask=False)``; inputs (batch, steps, features).

    >>> import numpy as np, glassnet
    >>> mha = glassnet.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> mha(np.ones((1, 3, 8)), np.ones((1, 5, 6))).shape
    TensorShape([1, 3, 8])
    >>> [v.name for v in mha.weights][:3]
    ['query/kernel', 'query/bias', 'key/kernel']
    """

    takes_list = True               # a node of several inputs in a graph: [query, value(, key)]
    uses_mask = True                # reads its inputs' padding masks (the query's is its output's)
    supports_masking = True
    reads_input_masks = True        # a graph hands it every input's mask (engine/graph.py)
    positional_inputs = True        # a .keras file writes its call as mha(query, value[, key])

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, seed=None, use_gate=False, sliding_window=None, flash_attention=None,
                 **kwargs):
        who = "MultiHeadAttention"
        num_heads = _whole(who, "num_heads", num_heads)
        key_dim = _whole(who, "key_dim", key_dim)
        value_dim = key_dim if value_dim is None else _whole(who, "value_dim", value_dim)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"{who}: dropout must be a number in [0, 1), got {dropout!r}")
        if isinstance(output_shape, (list, tuple)):
            if len(output_shape) != 1:
                raise ValueError(f"{who}: output_shape must be one size (the last axis), got {output_shape!r}")
            output_shape = output_shape[0]
        if output_shape is not None:
            output_shape = _whole(who, "output_shape", output_shape)
        if isinstance(attention_axes, (list, tuple)) and list(attention_axes) in ([1], [-2]):
            attention_axes = None                       # (batch, steps, features): the steps, the default
        if attention_axes not in (None, 1, -2):
            raise ValueError(f"{who}: attention_axes={attention_axes!r}: glassnet attends over the steps of "
                             "(batch, steps, features) inputs only (attention_axes=None)")
        for arg, v in (("activity_regularizer", activity_regularizer), ("kernel_constraint", kernel_constraint),
                       ("bias_constraint", bias_constraint), ("sliding_window", sliding_window)):
            if v is not None:
                raise ValueError(f"{who}: {arg} is not supported by glassnet yet (got {v!r})")
        if use_gate:
            raise ValueError(f"{who}: use_gate=True is not supported by glassnet yet")
        super().__init__(**kwargs)
        self.num_heads, self.key_dim, self.value_dim = num_heads, key_dim, value_dim
        self.dropout, self.use_bias, self.seed = float(dropout), bool(use_bias), seed
        self.output_shape_arg = output_shape
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._graph_causal = False       # use_causal_mask of its call on symbolic tensors

    # -- building -------------------------------------------------------------------------
    def _shapes(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None and query_shape and isinstance(query_shape[0], (list, tuple)):
            shapes = [tuple(s) for s in query_shape]
        else:
            shapes = [tuple(query_shape), tuple(value_shape if value_shape is not None else query_shape)]
            if key_shape is not None:
                shapes.append(tuple(key_shape))
        if len(shapes) not in (2, 3):
            raise ValueError(f"MultiHeadAttention {self.name!r}: expected [query, value] or [query, value, key] "
                             f"shapes, got {shapes}")
        for what, s in zip(("query", "value", "key"), shapes):
            if len(s) != 3:
                raise ValueError(f"MultiHeadAttention {self.name!r}: {what} must be (batch, steps, features), "
                                 f"got shape {s}")
            if s[-1] is None:
                raise ValueError(f"MultiHeadAttention {self.name!r}: the features of {what} must be known, got {s}")
        if len(shapes) == 3 and shapes[1][1] is not None and shapes[2][1] is not None and shapes[1][1] != shapes[2][1]:
            raise ValueError(f"MultiHeadAttention {self.name!r}: key and value need the same steps, got key "
                             f"{shapes[2]} and value {shapes[1]}")
        return shapes

    def build(self, query_shape, value_shape=None, key_shape=None):
        shapes = self._shapes(query_shape, value_shape, key_shape)
        d_q, d_v = int(shapes[0][-1]), int(shapes[1][-1])
        d_k = int(shapes[2][-1]) if len(shapes) == 3 else d_v
        out = self.output_shape_arg or d_q
        h, k, v = self.num_heads, self.key_dim, self.value_dim
        self.query_kernel, self.query_bias = self._dense("query", (d_q, h, k), (h, k))
        self.key_kernel, self.key_bias = self._dense("key", (d_k, h, k), (h, k))
        self.value_kernel, self.value_bias = self._dense("value", (d_v, h, v), (h, v))
        self._seed_state = SeedState(self.seed) if self.dropout > 0 else None    # Keras's Dropout sublayer, made here
        unique_name("softmax"), unique_name("dropout")  # Keras's Softmax and Dropout sublayers take these names
        self.output_kernel, self.output_bias = self._dense("attention_output", (h, v, out), (out,))
        self.built = True

    def _dense(self, name, kernel, bias):
        # each sublayer a fresh copy of the initializers, as Keras's (a new seed each, drawn at build), with
        # EinsumDense's fans: the last axis (two for query, key, value) is the output's
        def fresh(init, **kw):
            return type(init)(**{**init.get_config(), **kw}) if isinstance(init, initializers.Initializer) else init
        last = 1 if name == "attention_output" else 2
        n = len(kernel)
        axes = {"input_axes": list(range(n - last)), "output_axes": list(range(n - last, n))}
        scaled = isinstance(self.kernel_initializer, initializers.VarianceScaling)
        init = fresh(self.kernel_initializer, **(axes if scaled and self.kernel_initializer.input_axes is None else {}))
        w = self.add_weight(kernel, init, f"{name}/kernel", regularizer=self.kernel_regularizer)
        b = self.add_weight(bias, fresh(self.bias_initializer), f"{name}/bias",
                            regularizer=self.bias_regularizer) if self.use_bias else None
        return w, b

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        shapes = self._shapes(query_shape, value_shape, key_shape)
        return tuple(shapes[0][:-1]) + (self.output_shape_arg or shapes[0][-1],)

    def count_params_for(self, input_shape) -> int:
        shapes = self._shapes(input_shape)
        d_q, d_v = int(shapes[0][-1]), int(shapes[1][-1])
        d_k = int(shapes[2][-1]) if len(shapes) == 3 else d_v
        h, k, v, out = self.num_heads, self.key_dim, self.value_dim, self.output_shape_arg or d_q
        n = (d_q + d_k) * h * k + d_v * h * v + h * v * out
        return n + (2 * h * k + h * v + out if self.use_bias else 0)

    def h5_weight_groups(self):
        """Keras's sublayers in a ``.keras`` file: the four EinsumDense, then the softmax and
        dropout sublayers (no weights)."""
        pair = lambda w, b: [w] + ([b] if b is not None else [])                     # noqa: E731
        return [("query_dense/vars", pair(self.query_kernel, self.query_bias)),
                ("key_dense/vars", pair(self.key_kernel, self.key_bias)),
                ("value_dense/vars", pair(self.value_kernel, self.value_bias)),
                ("output_dense/vars", pair(self.output_kernel, self.output_bias)),
                ("_softmax/vars", []), ("_dropout_layer/vars", [])]

    def keras_build_config(self) -> dict:
        """What a ``.keras`` file says Keras should build it for (its ``build(query_shape, value_shape,
        key_shape)``)."""
        shapes = [list(s) for s in self.input_shape]
        names = ("query_shape", "value_shape", "key_shape")
        return {"shapes_dict": dict(zip(names, shapes))}

    # -- calling: mha(query, value, key=None, ...) ------------------------------------------
    def __call__(self, query=None, value=None, key=None, query_mask=None, value_mask=None, key_mask=None,
                 attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False,
                 mask=None, **kwargs):
        if kwargs:
            raise TypeError(f"MultiHeadAttention: unexpected call argument(s) {', '.join(sorted(kwargs))}")
        if isinstance(query, (list, tuple)) and value is None:        # mha([query, value(, key)])
            if not 2 <= len(query) <= 3:
                raise ValueError(f"MultiHeadAttention: a list of inputs is [query, value] or [query, value, key], "
                                 f"got {len(query)}")
            query, value, key = (list(query) + [None])[:3]
        if query is None or value is None:
            raise TypeError("MultiHeadAttention: call it on a query and a value: mha(query, value), "
                            "or mha(query=x, value=context, key=context)")
        given = [query, value] + ([key] if key is not None else [])
        if functional.is_symbolic(given):
            if attention_mask is not None or return_attention_scores:
                raise ValueError("MultiHeadAttention: in a functional model glassnet takes no attention_mask "
                                 "and no return_attention_scores (call it on data, or inside a layer's call)")
            self._graph_causal = bool(use_causal_mask)
            return functional.call(self, given)
        # the query's mask is the one it carries (Keras 3.15 reads query._keras_mask and ignores query_mask=)
        masks = [None, value_mask, key_mask][:len(given)]
        masks = [m if m is not None else getattr(t, "_keras_mask", None) for m, t in zip(masks, given)]
        if isinstance(mask, (list, tuple)):
            masks = [m if m is not None else g for m, g in zip(masks, list(mask) + [None] * 3)]
        xs = [np.asarray(t).astype(self.dtype or config.floatx(), copy=False) for t in given]
        if not self.built:
            self.build_from_shape([(None,) + x.shape[1:] for x in xs])
        elif self.__dict__.get("_input_shape") is None:
            self.input_shape = [(None,) + x.shape[1:] for x in xs]
        out = self.forward(xs, tape.training(training, self.default_training),
                           mask=[None if m is None else np.asarray(m, bool) for m in masks],
                           attention_mask=None if attention_mask is None else np.asarray(attention_mask, bool),
                           use_causal_mask=bool(use_causal_mask), return_attention_scores=return_attention_scores)
        returned = _wrap_outputs([out, self.scores] if return_attention_scores else out,
                                 [masks[0], None] if return_attention_scores else masks[0])
        if return_attention_scores:
            returned = tuple(returned)
        if tape.recording():
            tape.record_call(self, given, returned)
        return returned

    def build_from_shape(self, input_shape):
        shapes = self._shapes(input_shape)
        if not self.built:
            self.build(shapes)
            self.built = True
        self.input_shape = shapes
        self.output_shape = self.compute_output_shape(shapes)
        return self.output_shape

    @property
    def input_shape(self):
        shape = self.__dict__.get("_input_shape")
        if shape is None:
            raise AttributeError(f"MultiHeadAttention {self.name!r} has no input shape yet: it is not built")
        return shape

    @input_shape.setter
    def input_shape(self, value):
        self._input_shape = None if value is None else [tuple(s) for s in value] \
            if value and isinstance(value[0], (list, tuple)) else (None if value is None else tuple(value))

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            return mask[0]
        return mask

    # -- the two halves -------------------------------------------------------------------
    @staticmethod
    def _project(x, w, b):
        z = _einsum("btd,dhk->bthk", x, w.value)
        return z + b.value if b is not None else z

    @staticmethod
    def _project_backward(x, w, b, dz, need_input_grad):
        w.grad = _einsum("btd,bthk->dhk", x, dz)              # dW = x^T dZ
        if b is not None:
            b.grad = dz.sum(axis=(0, 1))                         # db = sum(dZ)
        return _einsum("bthk,dhk->btd", dz, w.value) if need_input_grad else None     # dx = dZ W^T

    def forward(self, xs, training=False, mask=None, attention_mask=None, use_causal_mask=None,
                return_attention_scores=False):
        xs = list(xs)
        q, v = xs[0], xs[1]
        k = xs[2] if len(xs) == 3 else v
        if q.ndim != 3 or v.ndim != 3 or k.ndim != 3:
            raise ValueError(f"MultiHeadAttention {self.name!r}: query, value and key must be (batch, steps, "
                             f"features), got {q.shape}, {v.shape}, {k.shape}")
        masks = list(mask) + [None] * 3 if isinstance(mask, (list, tuple)) else [mask, None, None]
        value_mask = masks[1]
        if len(xs) == 3 and masks[2] is not None:
            value_mask = masks[2] if value_mask is None else value_mask & masks[2]
        causal = self._graph_causal if use_causal_mask is None else use_causal_mask
        allowed = combined_mask(q.shape[1], v.shape[1], q.shape[0], attention_mask, masks[0], value_mask, causal)
        self._q, self._v, self._k, self._three = q, v, k, np.array(len(xs) == 3)
        self._Q = self._project(q, self.query_kernel, self.query_bias)           # (b, T, H, K)
        self._K = self._project(k, self.key_kernel, self.key_bias)               # (b, S, H, K)
        self._V = self._project(v, self.value_kernel, self.value_bias)           # (b, S, H, V)
        scale = 1.0 / np.sqrt(self.key_dim)
        s = _einsum("bthk,bshk->bhts", self._Q, self._K) * np.asarray(scale, q.dtype)
        dropping = bool(training and self.dropout > 0)
        self._allowed = np.ones((), q.dtype) if allowed is None else allowed[:, None].astype(q.dtype)
        if allowed is not None:
            s = np.where(allowed[:, None], s, np.asarray(_NEG, s.dtype))          # masked: -1e9
        self._soft = activations.softmax(s, -1)                                   # A (b, H, T, S)
        # Keras 3.15: when it returns the scores or drops out, its Softmax layer zeroes the masked
        # weights (a row masked whole gives 0); otherwise its fused kernel leaves such a row uniform
        self._zeroed = self._allowed if (return_attention_scores or dropping) else np.ones((), q.dtype)
        self.scores = self._soft * self._zeroed
        if dropping:
            keep = dropout_keep(self.scores.shape, self.dropout, q.dtype, self._seed_state)     # Keras's Dropout
            self._keep = keep.astype(q.dtype) * q.dtype.type(1.0 / (1.0 - self.dropout))
        else:
            self._keep = np.ones((), q.dtype)
        self._A = self.scores * self._keep
        self._O = _einsum("bhts,bshv->bthv", self._A, self._V)                 # O = A V (b, T, H, V)
        out = _einsum("bthv,hvo->bto", self._O, self.output_kernel.value)
        return out + self.output_bias.value if self.use_bias else out

    def backward(self, grad, need_input_grad=True):
        dscores = None
        if isinstance(grad, (list, tuple)):                      # (dJ/d out, dJ/d scores): the scores were returned
            grad, dscores = grad[0], (grad[1] if len(grad) > 1 else None)
        self.output_kernel.grad = _einsum("bthv,bto->hvo", self._O, grad)       # dWo = O^T dout
        if self.use_bias:
            self.output_bias.grad = grad.sum(axis=(0, 1))
        d_o = _einsum("bto,hvo->bthv", grad, self.output_kernel.value)         # dO = dout Wo^T
        d_a = _einsum("bthv,bshv->bhts", d_o, self._V) * self._keep            # dA = dO V^T (through dropout)
        d_v = _einsum("bhts,bthv->bshv", self._A, d_o)                         # dV = A^T dO
        if dscores is not None:
            d_a = d_a + dscores
        d_s = softmax_backward(self._soft, d_a * self._zeroed) * self._allowed    # a masked score is a constant
        d_s = d_s * np.asarray(1.0 / np.sqrt(self.key_dim), grad.dtype)
        d_q = _einsum("bhts,bshk->bthk", d_s, self._K)                         # dQ = dS K / sqrt(K)
        d_k = _einsum("bhts,bthk->bshk", d_s, self._Q)                         # dK = dS^T Q / sqrt(K)
        dq = self._project_backward(self._q, self.query_kernel, self.query_bias, d_q, need_input_grad)
        dk = self._project_backward(self._k, self.key_kernel, self.key_bias, d_k, need_input_grad)
        dv = self._project_backward(self._v, self.value_kernel, self.value_bias, d_v, need_input_grad)
        if not need_input_grad:
            return None
        return [dq, dv, dk] if self._three else [dq, dv + dk]                    # no key given: it was the value

    # -- description ------------------------------------------------------------------------
    def explain_forward(self, l, x, out, weights=None) -> list[str]:
        return [f"{self.num_heads} heads: S = (q Wq)(k Wk)^T / sqrt({self.key_dim}), A = softmax(S) over the "
                f"value's steps, O = A (v Wv), out = O Wo + bo"]

    # -- config ----------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "use_gate": False, "output_shape": self.output_shape_arg, "attention_axes": [1],
                "sliding_window": None,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
                "seed": self.seed}

