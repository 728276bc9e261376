"""Many variants of one network trained at once: every weight gets a leading "variant" axis.

Variants that share an architecture (a Sequential of ``Dense`` and ``Dropout`` layers with the
same shapes and activations, the same loss, the same optimizer class) and differ only in
values (the regularizers' lambda, the learning rate and the optimizer's other numbers, the
initial weights, dropout rates) are trained side by side: ``V`` variants, one batch of ``m``
rows each::

    forward:   Z = X @ W + b          X: (V, m, in)  W: (V, in, out)  b: (V, 1, out)
               A = g(Z)               the activation's own function, on the whole stack
    loss:      the loss's own methods on (V, m, out); J_v = sum_i L_vi / m + penalty_v
    backward:  dZ = dA * g'(Z)        dW = X^T @ dZ   (V, in, out)    db = sum of dZ's rows
               dX = dZ @ W^T
    penalty:   dW += l1_v sign(W) + 2 l2_v W      (each variant's own lambda)
    update:    the optimizer's own ``update_step``, once per group of variants with the same
               optimizer numbers (learning rate, rho, ...), on their rows of one packed array

Each ``np.matmul`` on stacks does, slice by slice, the product a single model's ``fit`` does,
and every other operation is elementwise (or along the last axis), so each variant gets the
arithmetic of its own ``fit``: the same initial weights (each built with its own seed), the
same shuffles and dropout masks (drawn from its own generator in fit's order), the same
float32 operations (tests/test_sweep_stacked.py checks the weights against single runs).

When the work ahead repays numba's load (variants x weights x steps of 10**8 or more, as
``glassnet.fast`` weighs it; ``glassnet.config.set_kernels`` decides as for fit), the
elementwise passes run in numba's loops (``glassnet/sweeps/_numba_stacked.py``): ``Z += b``
with the activation's first steps, ``dZ`` with ``db``, a one-unit layer's ``dX`` with the
next ``dZ``, the penalties' sums, and the penalties' gradients with the optimizer's update in
one pass over every variant's weights. They make NumPy's operations in NumPy's order (its
pairwise sums included; ``exp`` and ``tanh`` stay NumPy's), so the weights stay bit for bit
those of each variant's fit there too (tests/test_sweep_numba.py, over the bench's 100
epochs as well). Like fit, a stack trains with subnormal numbers flushed to zero.

The epoch loop that drives a stack (shuffles, batches, a variant that diverges leaving the
stack, validation, Ctrl-C) is ``glassnet/sweeps/epochs.py``.
"""
from __future__ import annotations

import numpy as np

from .. import regularizers
from ..layers.core import Dense, Dropout
from ..optimizers.base import keras_cast
from ..seeding import dropout_keep

# The loss classes whose methods work on a leading variant axis (they reduce over the last one).
_LOSSES = ("BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "MeanSquaredError",
           "MeanAbsoluteError")
# The optimizers whose update_step is elementwise (any learning rate, other numbers per group).
_OPTIMIZERS = ("SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adamax")


# ---------------------------------------------------------------------------------------
# Which models can be stacked
# ---------------------------------------------------------------------------------------
_METHODS = {"layer": ("forward", "backward", "backward_from_z"),
            "loss": ("call", "gradient", "value_and_gradient", "call_from_logits", "gradient_from_logits",
                     "value_and_gradient_from_logits", "logits_values_and_gradient"),
            "optimizer": ("update_step", "apply")}


def _replaced(obj, kind) -> str | None:
    """The name of a method of ``obj`` that a program replaced (on the object, or on its class
    by a function from outside glassnet), or None: the stack would not run it, its fit does."""
    for name in _METHODS[kind]:
        if name in getattr(obj, "__dict__", {}):
            return name
        found = getattr(type(obj), name, None)
        if found is not None and not (getattr(found, "__module__", "") or "").startswith("glassnet."):
            return name
    return None


def why_not(model) -> str | None:
    """None when ``model`` (compiled and built) can train in a stack, else the reason. As in
    fit, the readable code runs when asked for: with the fast path off (or a debugger on), or
    a method of a layer, the loss or the optimizer replaced, each variant runs its own fit."""
    from ..engine import fastpath  # noqa: PLC0415
    if not fastpath.wanted():
        return "the readable path was asked for (set_fast_path(False), or a debugger is on)"
    if not getattr(model, "_is_stack", lambda: False)() or getattr(model, "_graph", None) is not None:
        return "not a Sequential stack of layers"
    layers = model.step_units()
    if not layers or type(layers[-1]) is not Dense:
        return "the last layer is not a Dense layer"
    for layer in layers:
        if type(layer) not in (Dense, Dropout):
            return f"layer {layer.name!r} is a {type(layer).__name__} (stacking takes Dense and Dropout)"
        if not layer.trainable:
            return f"layer {layer.name!r} is frozen (trainable=False)"
        if _replaced(layer, "layer"):
            return f"layer {layer.name!r}'s {_replaced(layer, 'layer')} was replaced"
        if type(layer) is Dense and not (getattr(layer.activation, "__module__", "") or "").startswith("glassnet."):
            return f"layer {layer.name!r} has an activation of its own"
        for v in layer.weights:
            if v.regularizer is not None and type(v.regularizer) not in (
                    regularizers.L1L2, regularizers.L1, regularizers.L2):
                return f"{v.path} has a regularizer of its own ({type(v.regularizer).__name__})"
    loss = model.loss
    if type(loss).__name__ not in _LOSSES or type(loss).__module__ != "glassnet.losses":
        return f"the loss {type(loss).__name__} is not one of {', '.join(_LOSSES)}"
    if getattr(loss, "axis", -1) != -1 or getattr(loss, "label_smoothing", 0):
        return "the loss reduces over an axis other than the last, or smooths labels"
    if loss.reduction != "sum_over_batch_size":
        return f"the loss's reduction is {loss.reduction!r}"
    if _replaced(loss, "loss"):
        return f"the loss's {_replaced(loss, 'loss')} was replaced"
    opt = model.optimizer
    if type(opt).__name__ not in _OPTIMIZERS or not type(opt).__module__.startswith("glassnet.optimizers"):
        return f"the optimizer {type(opt).__name__} is not one of {', '.join(_OPTIMIZERS)}"
    if _replaced(opt, "optimizer"):
        return f"the optimizer's {_replaced(opt, 'optimizer')} was replaced"
    if opt.has_schedule:
        return "the learning rate is a schedule"
    if any(c is not None for c in (opt.clipnorm, opt.clipvalue, opt.global_clipnorm)):
        return "the optimizer clips gradients"
    if opt.has_extras():
        return "the optimizer keeps moving averages, accumulates gradients or excludes weights from decay"
    return None


def signature(model) -> tuple:
    """What variants must share to train in one stack: layer kinds and shapes, activations,
    the loss, the optimizer's class and its slots (RMSprop with and without momentum keep
    different ones), the metrics' names."""
    parts = []
    for layer in model.step_units():
        if type(layer) is Dense:
            parts.append(("Dense", layer.kernel.shape, layer.use_bias, layer.activation, layer.kernel.value.dtype.str))
        else:
            parts.append(("Dropout",))
    loss = model.loss
    return (tuple(parts), type(loss), repr(sorted(loss.get_config().items())) if hasattr(loss, "get_config") else "",
            type(model.optimizer), tuple(model.optimizer.slot_names()), tuple(m.name for m in model.metrics),
            model.output_shortcut)


# ---------------------------------------------------------------------------------------
# The stack: weights, gradients and optimizer slots as (V, P) arrays, with per-layer views
# ---------------------------------------------------------------------------------------
class _Weights:
    """``V`` rows of ``P`` numbers: each variant's weights one after another (kernel, bias of
    each Dense), with a (V, *shape) view per weight."""

    def __init__(self, shapes, count, dtype):
        self.shapes = shapes
        self.size = sum(int(np.prod(s)) for s in shapes)
        self.flat = np.zeros((count, self.size), dtype)
        self.views = self._views(self.flat)

    def _views(self, flat):
        views, at = [], 0
        for shape in self.shapes:
            n = int(np.prod(shape))
            views.append(flat[:, at:at + n].reshape((flat.shape[0],) + tuple(shape)))
            at += n
        return views

    def keep(self, rows):
        """Only the variants ``rows`` from now on."""
        self.flat = np.ascontiguousarray(self.flat[rows])
        self.views = self._views(self.flat)


class Stack:
    """``V`` built, compiled models of one signature, trained as one (see the module's text)."""

    def __init__(self, models, generators, steps=None):
        self.models = list(models)
        self.generators = list(generators)          # each variant's generator: shuffles, dropout masks
        first = self.models[0]
        self.layers = first.step_units()
        self.loss, self.shortcut = first.loss, first.output_shortcut
        self.dense = [i for i, layer in enumerate(self.layers) if type(layer) is Dense]
        variables = first.trainable_weights
        dtype = variables[0].value.dtype
        shapes = [v.shape for v in variables]
        V = len(self.models)
        self.w = _Weights(shapes, V, dtype)
        self.g = _Weights(shapes, V, dtype)
        for r, model in enumerate(self.models):
            for view, v in zip(self.w.views, model.trainable_weights):
                view[r] = v.value
            if not model.optimizer.built:
                model.optimizer.build(model.trainable_weights)
        names = first.optimizer.slot_names()
        self.slots = {}
        for name in names:
            s = _Weights(shapes, V, dtype)
            for r, model in enumerate(self.models):
                for view, arr in zip(s.views, model.optimizer.slots[name]):
                    view[r] = arr
            self.slots[name] = s
        # which weight views belong to which Dense (kernel, bias or None)
        self.where = {}
        at = 0
        for i in self.dense:
            layer = self.layers[i]
            self.where[i] = (at, at + 1 if layer.use_bias else None)
            at += 2 if layer.use_bias else 1
        self.rows = list(range(V))                  # the variants still training, by index into models
        self._per_variant_numbers()
        # the activations' in-place twins from glassnet.fast (the same operations as
        # glassnet.activations, tested bit for bit there), on the fast path; else the functions
        self.kinds, self.twins, self.constants = {}, None, None
        from ..engine import fastpath  # noqa: PLC0415
        if fastpath.wanted():
            from ..fast import dense as fast_dense  # noqa: PLC0415 - the stack is a fast path of its own
            self.twins = (fast_dense._forward, fast_dense._backward)
            self.constants = fast_dense._zero_one(dtype)
            for i in self.dense:
                layer = self.layers[i]
                if fast_dense.fast.untouched(layer):
                    self.kinds[i] = fast_dense._KINDS.get(layer.activation)
        self.kinds = {i: self.kinds.get(i) for i in range(len(self.layers))}
        # numba's loops (sweeps/_numba_stacked.py) when the work ahead repays their load
        self.loops = _numba_loops(V * self.w.size * (steps or 0)) if self.twins is not None else None
        self._buffers = {}
        self._fused_numbers()

    # -- per-variant numbers: penalties, dropout rates, optimizer groups ------------------
    def _per_variant_numbers(self):
        models = [self.models[r] for r in self.rows]
        V, dtype = len(models), self.w.flat.dtype
        # the penalties: per weight, each variant's l1 and l2 (as Python floats, then float32 as
        # NumPy casts them), and the packed coefficients l1 and 2 l2 for every number of the stack
        self.penalties = []         # per regularized weight: start, stop, l1 (V,), l2 (V,), any l1, any l2, all l2
        c1, c2 = np.zeros((V, self.w.size), dtype), np.zeros((V, self.w.size), dtype)
        at = 0
        for k, v in enumerate(models[0].trainable_weights):
            size = int(np.prod(v.shape))
            regs = [m.trainable_weights[k].regularizer for m in models]
            l1 = np.array([getattr(r, "l1", 0.0) or 0.0 for r in regs], np.float64)
            l2 = np.array([getattr(r, "l2", 0.0) or 0.0 for r in regs], np.float64)
            if l1.any() or l2.any():
                self.penalties.append((at, at + size, l1.astype(dtype), l2.astype(dtype),
                                       bool(l1.any()), bool(l2.any()), bool(l2.all())))
                c1[:, at:at + size] = l1.astype(dtype)[:, None]
                c2[:, at:at + size] = (2.0 * l2).astype(dtype)[:, None]
            at += size
        self.c1 = c1 if c1.any() else None
        self.c2 = c2 if c2.any() else None
        self.dropout = {}
        for i, layer in enumerate(self.layers):
            if type(layer) is Dropout:
                rates = [m.step_units()[i].rate for m in models]
                states = [m.step_units()[i]._seed_state for m in models]     # each Dropout's Keras seed
                self.dropout[i] = (rates, states)
        # the updates: variants whose optimizers differ only in the learning rate share one call
        # of update_step, with a column of rates, when that gives the bits of one call per rate
        # (checked: _takes_rate_column); else one call per rate
        groups = {}
        for row, m in enumerate(models):
            opt = m.optimizer
            key = repr(sorted((k, repr(v)) for k, v in opt.get_config().items() if k not in ("name", "learning_rate")))
            groups.setdefault(key, []).append(row)
        self.groups = []                     # (optimizer, learning rate(s), rows: a slice or indices, twin)
        for rows in groups.values():
            opt = models[rows[0]].optimizer
            rule = _in_place_rule(opt)
            rates = np.array([float(models[r].optimizer.learning_rate) for r in rows])
            # (not with weight decay: fit rounds weight_decay * lr from Python floats)
            if len(set(rates)) > 1 and not opt.weight_decay and _takes_rate_column(opt, dtype, rule):
                parts = [(rates.astype(dtype)[:, None], rows)]
            else:
                parts = [(float(rate), [r for r, q in zip(rows, rates) if q == rate]) for rate in dict.fromkeys(rates)]
            for lr, some in parts:
                twin = None if rule is None else (*rule, (np.empty((len(some), self.w.size), dtype),
                                                          np.empty((len(some), self.w.size), dtype)))
                self.groups.append((opt, lr, _part(some), twin))

    def drop(self, keep):
        """Go on with the variants at positions ``keep`` (of the current rows) only."""
        for w in (self.w, self.g, *self.slots.values()):
            w.keep(keep)
        self.rows = [self.rows[k] for k in keep]
        self._per_variant_numbers()
        self._buffers = {}
        self._fused_numbers()

    # -- one step -------------------------------------------------------------------------
    def forward(self, x, training):
        """``A`` for the stack; ``x`` is (V, m, in), or (m, in) shared by all variants, or
        :class:`Blocks` (rows of variants that share their batch)."""
        if self.plan is not None:
            return self._forward_planned(x)
        self.cache = []
        a = x
        for i, layer in enumerate(self.layers):
            if type(layer) is Dropout:
                a, mask = self._dropout(i, a.whole(len(self.rows)) if isinstance(a, Blocks) else a, training)
                self.cache.append(mask)
                continue
            k, b = self.where[i]
            w = self.w.views[k]
            kind = self.kinds[i]
            fused = self.loops is not None and kind is not None
            m = a.rows if isinstance(a, Blocks) else a.shape[-2]
            shape = (len(self.rows), m, w.shape[-1])
            z = self._buffer("z", i, shape) if fused else np.empty(shape, w.dtype)
            if isinstance(a, Blocks):                                 # Z = X W, block by block
                for start, stop, xb in a.parts:
                    np.matmul(xb, w[start:stop], out=z[start:stop])
            else:
                np.matmul(a, w, out=z)                                # Z = X W + b
            if fused:                                                 # + b and A = g(Z), numba's passes
                out = self._activate(kind, i, z, -1 if b is None else self.fused.at[b])
            else:
                if b is not None:
                    z += self.w.views[b][:, None, :]
                out = layer.activation(z) if kind is None else self.twins[0](kind, z, *self.constants)  # A = g(Z)
            self.cache.append((a, z, out))
            a = out
        return a

    def _dropout(self, i, a, training):
        rates, states = self.dropout[i]
        if not training or not any(rates):
            return a, None
        if a.ndim == 2:                             # a shared input: each variant gets its own mask
            a = np.broadcast_to(a, (len(self.rows),) + a.shape)
        masks = np.empty(a.shape, a.dtype)
        for r, (row, rate, state) in enumerate(zip(self.rows, rates, states)):
            if rate == 0:
                masks[r] = 1
                continue
            # the variant's Dropout's own draw (Keras's stateless mask for its next seed), as its fit makes it
            keep = dropout_keep(a.shape[1:], rate, a.dtype, state)
            masks[r] = keep.astype(a.dtype) * a.dtype.type(1.0 / (1.0 - rate))
        return a * masks, masks

    def loss_and_grad(self, y, a):
        """``J_v`` (no penalties) and dJ/dZ (shortcut) or dJ/dA, for each variant."""
        last = self.cache[-1]
        y = labels_for(y, a)
        if self.shortcut:
            values, grad = self.loss.value_and_gradient_from_logits(y, last[1], a)
        else:
            values, grad = self.loss.value_and_gradient(y, a)
        if grad is a or grad is y:
            grad = grad.copy()
        m = a.shape[1]
        d = values[0].size
        value = np.add.reduce(values.reshape(len(values), -1), axis=1).astype(np.float64) / d
        grad *= 1.0 / d
        return value, grad, m

    def backward(self, grad):
        if self.plan is not None:
            return self._backward_planned(grad)
        last = len(self.layers) - 1
        first = self.dense[0]
        ready = False               # grad is already this layer's dZ, its bias's gradient done
        for i in range(last, first - 1, -1):
            layer = self.layers[i]
            if type(layer) is Dropout:
                mask = self.cache[i]
                grad = grad if mask is None else grad * mask
                continue
            x, z, a = self.cache[i]
            k, b = self.where[i]
            kind = self.kinds[i]
            summed = ready                                            # db worked out already
            if ready:
                pass
            elif self.loops is not None and (kind is not None or (i == last and self.shortcut)):
                grad, summed = self._derivative(kind if not (i == last and self.shortcut) else "shortcut",
                                                i, z, a, grad, -1 if b is None else self.fused.at[b])
            elif not (i == last and self.shortcut):
                grad = layer._activation_backward(z, a, grad) if kind is None else \
                    self.twins[1](kind, z, a, grad, *self.constants)  # dZ = dA * g'(Z)
            if isinstance(x, Blocks):                                 # dW = X^T dZ, block by block
                for start, stop, xb in x.parts:
                    np.matmul(xb.T, grad[start:stop], out=self.g.views[k][start:stop])
            else:
                np.matmul(np.swapaxes(x, -1, -2), grad, out=self.g.views[k])     # dW = X^T dZ
            if b is not None and not summed:
                np.add.reduce(grad, axis=1, out=self.g.views[b])     # db = sum of dZ's rows
            ready = False
            if i > first:                                             # dX = dZ W^T
                below = self._one_unit_below(i, grad)
                if below is not None:                                 # numba: dX and the next dZ, db in one pass
                    grad, ready = self._one_unit_backward(i, below, grad), True
                    continue
                w_t = np.swapaxes(self.w.views[k], -1, -2)
                grad = np.matmul(grad, w_t) if self.loops is None else \
                    np.matmul(grad, w_t, out=self._buffer("dx", i, grad.shape[:2] + w_t.shape[-1:]))

    def _one_unit_below(self, i, grad):
        """The Dense layer right below layer ``i`` when layer ``i`` has one unit and numba's
        loops know the layer's activation (its dX is an outer product: one pass for both)."""
        if self.loops is None or grad.shape[-1] != 1:
            return None
        below = i - 1
        if type(self.layers[below]) is not Dense or self.kinds[below] not in _KIND_CODES:
            return None
        return below

    def _one_unit_backward(self, i, below, grad):
        _, z, a = self.cache[below]
        k, _ = self.where[i]
        _, b = self.where[below]
        zero, one = self.numbers
        d = self._buffer("d", below, a.shape)
        self.loops.one_unit_backward(np.ascontiguousarray(grad), self.w.flat, self.fused.at[k],
                                     _KIND_CODES[self.kinds[below]], a, z, d, self.g.flat,
                                     -1 if b is None else self.fused.at[b], one, zero)
        return d

    # -- numba's passes (sweeps/_numba_stacked.py): the same operations, fewer passes -----
    def _buffer(self, name, i, shape):
        """An array to write layer ``i``'s ``name`` into, kept from step to step (one per
        batch size: the last batch of an epoch may be smaller)."""
        key = (name, i, shape)
        found = self._buffers.get(key)
        if found is None:
            found = self._buffers[key] = np.empty(shape, self.w.flat.dtype)
        return found

    def _forward_planned(self, x):
        """:meth:`forward` for a stack of Dense layers whose activations numba's loops know
        (the plan worked out once per stack): the same operations, less Python per step."""
        self.cache = cache = []
        a = x
        V = len(self.rows)
        for i, w, kind, at, n in self.plan:
            if type(a) is Blocks:                                     # Z = X W, block by block
                z = self._buffer("z", i, (V, a.rows, n))
                for start, stop, xb in a.parts:
                    np.matmul(xb, w[start:stop], out=z[start:stop])
            else:
                z = np.matmul(a, w, out=self._buffer("z", i, (V, a.shape[-2], n)))
            out = self._activate(kind, i, z, at)                      # + b and A = g(Z)
            cache.append((a, z, out))
            a = out
        return a

    def _activate(self, kind, i, z, at):
        """``Z += b`` and ``A = g(Z)`` for ``Z`` (V, m, n), the bias read from the packed
        weights at ``at`` (-1: no bias): sigmoid as ``-Z``, NumPy's exp, ``1 / (1 + e)``;
        relu in one pass; tanh NumPy's own after the bias."""
        loops, (zero, one) = self.loops, self.numbers
        flat = self.w.flat
        if kind == "linear":
            if at >= 0:
                loops.bias_add(z, flat, at)
            return z
        out = self._buffer("a", i, z.shape)
        if kind == "sigmoid":
            if at >= 0:
                loops.bias_negate(z, flat, at, out)
            else:
                loops.negate(z, out)
            np.exp(out, out=out)
            loops.reciprocal_of_one_plus(out, one)
        elif kind == "relu":
            if at >= 0:
                loops.bias_relu(z, flat, at, out, zero)
            else:
                np.maximum(z, zero, out=out)
        else:                                                         # tanh
            if at >= 0:
                loops.bias_add(z, flat, at)
            np.tanh(z, out=out)
        return out

    def _backward_planned(self, grad):
        """:meth:`backward` along the forward's plan (every layer a Dense the loops know)."""
        plan, cache, g = self.plan, self.cache, self.g.views
        last = len(plan) - 1
        ready = False               # grad is already this layer's dZ, its bias's gradient done
        for pos in range(last, -1, -1):
            i, w, kind, at, n = plan[pos]
            x, z, a = cache[pos]
            if not ready:                                             # dZ = dA g'(Z), db
                grad, _ = self._derivative("shortcut" if pos == last and self.shortcut else kind, i, z, a, grad, at)
            gw = g[self.where[i][0]]
            if type(x) is Blocks:                                     # dW = X^T dZ, block by block
                for start, stop, xb in x.parts:
                    np.matmul(xb.T, grad[start:stop], out=gw[start:stop])
            else:
                np.matmul(np.swapaxes(x, -1, -2), grad, out=gw)
            if pos == 0:
                return
            if n == 1:                                                # dX and the next dZ, db in one pass
                grad, ready = self._one_unit_backward(i, i - 1, grad), True
            else:                                                     # dX = dZ W^T
                w_t = np.swapaxes(w, -1, -2)
                grad, ready = np.matmul(grad, w_t, out=self._buffer("dx", i, grad.shape[:2] + w_t.shape[-1:])), False

    def _derivative(self, kind, i, z, a, grad, at):
        """``dZ = dA g'(Z)`` (or dZ itself, from the loss's shortcut) and, when the layer
        has a bias (its gradient's first column ``at``, else -1), the bias's gradient, dZ's
        column sums, in the same call: ``(dZ, whether the bias's gradient is done)``."""
        loops, (zero, one) = self.loops, self.numbers
        gflat = self.g.flat
        if kind in ("shortcut", "linear"):
            if at >= 0:
                loops.bias_gradient(np.ascontiguousarray(grad), gflat, at, zero)
            return grad, at >= 0
        d = self._buffer("d", i, grad.shape)
        grad = np.ascontiguousarray(grad)
        if kind == "sigmoid":
            loops.sigmoid_backward(grad, a, d, gflat, at, one, zero)
        elif kind == "relu":
            loops.relu_backward(grad, z, d, gflat, at, zero)
        else:                                                         # tanh
            loops.tanh_backward(grad, a, d, gflat, at, one, zero)
        return d, at >= 0

    def penalty_values(self):
        """Each variant's ``sum of l1 |w| + l2 w^2``, as ``glassnet.step.penalty`` adds them:
        per weight, the sum over its numbers in float32, times lambda, then added up."""
        total = np.zeros(len(self.rows))
        if self.fused is not None:                   # numba: the same sums, one read of the weights
            f = self.fused
            self.loops.penalty_values(self.w.flat, f.pen_starts, f.pen_stops, f.l1, f.l2, f.some_l1, f.some_l2,
                                      f.every_l2, self.numbers[0], total)
            return total
        flat = self.w.flat
        squares = np.square(flat, out=self._scratch()) if self.c2 is not None else None
        zero = np.zeros(len(self.rows), flat.dtype)
        for start, stop, l1, l2, some_l1, some_l2, every_l2 in self.penalties:
            part = zero
            if some_l1:
                part = np.where(l1 != 0, part + l1 * np.add.reduce(np.abs(flat[:, start:stop]), axis=1), part)
            if some_l2:
                term = l2 * np.add.reduce(squares[:, start:stop], axis=1)
                part = part + term if every_l2 else np.where(l2 != 0, part + term, part)
            total += part
        return total

    def add_penalty_gradients(self):
        """``dJ/dw += l1 sign(w) + 2 l2 w`` for every number of the stack at once (a weight
        without a penalty has coefficients 0: it gets + 0)."""
        if self.c1 is None and self.c2 is None:
            return
        extra = self._scratch()
        if self.c1 is not None:
            np.sign(self.w.flat, out=extra)
            extra *= self.c1                          # l1 sign(w)
            if self.c2 is not None:
                extra += self.c2 * self.w.flat        # + 2 l2 w
        else:
            np.multiply(self.c2, self.w.flat, out=extra)
        self.g.flat += extra

    def _scratch(self):
        """A (V, P) array to write into, kept from step to step."""
        if getattr(self, "_spare", None) is None or self._spare.shape != self.w.flat.shape:
            self._spare = np.empty_like(self.w.flat)
        return self._spare

    def update(self, iterations):
        """Each group's optimizer's own ``update_step`` on its rows of the packed arrays, or,
        on the fast path, ``glassnet.fast``'s in-place twin of it (the same operations,
        tested bit for bit equal there, without a new array per operation); with numba's
        loops, the penalties' gradients and every variant's update in one pass
        (``_numba_stacked``: the same operations again)."""
        if self.fused is not None and self.fused.rule is not None:
            self._fused_update(iterations)
            return
        self.add_penalty_gradients()
        for opt, lr, part, twin in self.groups:
            opt.iterations = iterations
            w, g = self.w.flat[part], self.g.flat[part]
            slots = {name: s.flat[part] for name, s in self.slots.items()}
            if twin is not None:
                numbers, rule, scratch = twin
                c = numbers(opt, lr, w.dtype.type)
                t, u = scratch
                if c.decay:
                    np.multiply(w, c.wd, out=t)          # w -= w * wd * lr
                    t *= c.rate
                    w -= t
                rule(c, w, g, slots, t, u)
            else:
                if opt.weight_decay:                 # decoupled weight decay, as Optimizer.update_weights
                    f = w.dtype.type
                    w -= w * keras_cast(opt.weight_decay, f) * f(lr)
                opt.update_step(w, g, lr, slots)
            if not isinstance(part, slice):          # rows picked out are copies: put them back
                self.w.flat[part] = w
                for name, s in self.slots.items():
                    s.flat[part] = slots[name]

    def _fused_numbers(self):
        """What numba's loops need, worked out once per stack (and again when variants
        leave): every weight's range of the packed rows, the regularized ones' lambdas per
        variant, and each variant's optimizer numbers (the rule's own, ``glassnet.fast``'s),
        when every group's rule is one of the loops' (SGD, RMSprop, Adam, AdamW) with the same
        options; else ``rule`` None and the update runs NumPy's passes."""
        self.fused = self.plan = None
        if self.loops is None:
            return
        dtype = self.w.flat.dtype
        f = dtype.type
        self.numbers = (f(0), f(1))
        V = len(self.rows)
        fused = _Fused()
        pen = self.penalties
        fused.pen_starts = np.array([p[0] for p in pen], np.int64)
        fused.pen_stops = np.array([p[1] for p in pen], np.int64)
        fused.l1 = np.stack([p[2] for p in pen], axis=1) if pen else np.zeros((V, 0), dtype)
        fused.l2 = np.stack([p[3] for p in pen], axis=1) if pen else np.zeros((V, 0), dtype)
        fused.some_l1, fused.some_l2, fused.every_l2 = (np.array([p[k] for p in pen], np.bool_) for k in (4, 5, 6))
        # every weight's range; the regularized ones get the stack's penalty gradient
        # (sign(w) l1 and/or 2 l2 w, as add_penalty_gradients: its mode fixed for the stack)
        mode = 1 if (self.c1 is not None and self.c2 is not None) else 2 if self.c1 is not None else 3
        sizes = [int(np.prod(shape)) for shape in self.w.shapes]
        fused.starts = np.cumsum([0] + sizes[:-1]).astype(np.int64)
        fused.stops = np.cumsum(sizes).astype(np.int64)
        fused.modes = np.zeros(len(sizes), np.int64)
        fused.c1 = np.zeros((V, len(sizes)), dtype)
        fused.c2 = np.zeros((V, len(sizes)), dtype)
        for p in pen:
            k = int(np.searchsorted(fused.starts, p[0]))
            fused.modes[k] = mode
            fused.c1[:, k] = p[2]                         # l1, as self.c1
            fused.c2[:, k] = p[3] * f(2)                  # 2 l2, as self.c2 (doubling is exact)
        fused.at = [int(start) for start in fused.starts]      # each weight's first column, a Python int
        fused.rule, fused.options, fused.per_step = None, (), False
        self.fused = fused
        # every layer a Dense whose activation the loops know: the forward's plan
        self.plan = None
        if all(type(layer) is Dense and self.kinds[i] is not None for i, layer in enumerate(self.layers)):
            self.plan = [(i, self.w.views[self.where[i][0]], self.kinds[i],
                          -1 if self.where[i][1] is None else fused.at[self.where[i][1]],
                          self.w.views[self.where[i][0]].shape[-1]) for i in range(len(self.layers))]
        name = type(self.models[self.rows[0]].optimizer).__name__
        if name not in _FUSED_RULES or any(twin is None for *_, twin in self.groups):
            return
        columns, flags = _FUSED_RULES[name]
        numbers = self.groups[0][3][0]
        fused.nums = np.zeros((V, len(columns)), dtype)
        options = set()
        for r, row in enumerate(self.rows):             # each variant's numbers, as its own fit works them out
            opt = self.models[row].optimizer
            iterations, opt.iterations = opt.iterations, 0
            c = numbers(opt, float(opt.learning_rate), f)
            opt.iterations = iterations
            fused.nums[r] = [getattr(c, column) for column in columns]
            options.add(tuple(bool(getattr(c, flag)) for flag in flags))
        if len(options) != 1:                             # options that differ between groups: NumPy's passes
            return
        fused.rule, fused.options = name, options.pop()
        fused.per_step = name in ("Adam", "AdamW")

    def _fused_update(self, iterations):
        f, loops = self.fused, self.loops
        dtype = self.w.flat.dtype
        for opt, lr, part, twin in self.groups:
            opt.iterations = iterations
            if f.per_step:                                # Adam's alpha for this step, as the rule works it out
                c = twin[0](opt, lr, dtype.type)
                count = len(range(len(self.rows))[part]) if isinstance(part, slice) else len(part)
                f.nums[part, 2] = np.broadcast_to(np.asarray(c.alpha, dtype).reshape(-1), (count,))
        w, g = self.w.flat, self.g.flat
        slot = {name: s.flat for name, s in self.slots.items()}
        spare = slot.get("velocity", slot.get("momentum", w))          # a slot the options leave unread
        zero, one = self.numbers
        common = (f.starts, f.stops, f.modes, f.c1, f.c2, f.nums, *f.options, one, zero)
        if f.rule == "RMSprop":
            loops.rmsprop(w, g, slot["velocity"], slot.get("average_gradient", spare), slot.get("momentum", spare),
                          *common)
        elif f.rule == "SGD":
            loops.sgd(w, g, slot.get("momentum", spare), *common)
        else:
            loops.adam(w, g, slot["momentum"], slot["velocity"], slot.get("velocity_hat", spare), *common)

    # -- handing the results back to the models -------------------------------------------
    def write_back(self, position, iterations, weights=None, slots=None):
        """Variant at ``position`` (of the current rows) into its model: weights, optimizer."""
        model = self.models[self.rows[position]]
        weights = self.w.flat[position] if weights is None else weights
        at = 0
        for v in model.trainable_weights:
            n = v.value.size
            v.value[...] = weights[at:at + n].reshape(v.shape)
            at += n
        opt = model.optimizer
        for name, s in self.slots.items():
            flat = s.flat[position] if slots is None else slots[name]
            at = 0
            for arr in opt.slots[name]:
                arr[...] = flat[at:at + arr.size].reshape(arr.shape)
                at += arr.size
        opt.iterations = iterations
        opt.fast_state = None


_KIND_CODES = {"sigmoid": 0, "tanh": 1, "relu": 2, "linear": 3}     # _numba_stacked.one_unit_backward's


class _Fused:
    """The numbers numba's loops read (see Stack._fused_numbers)."""


# The rules numba's loops have: the rule's numbers read per variant, and its options (the
# same for every variant of a stack), in the order the loop takes them.
_FUSED_RULES = {"RMSprop": (("lr", "rho", "one_minus_rho", "eps", "mu", "wd", "rate"), ("decay", "centered", "momentum")),
                "SGD": (("lr", "mu", "wd", "rate"), ("decay", "momentum", "nesterov")),
                "Adam": (("one_minus_beta_1", "one_minus_beta_2", "alpha", "eps", "wd", "rate"), ("decay", "amsgrad")),
                "AdamW": (("one_minus_beta_1", "one_minus_beta_2", "alpha", "eps", "wd", "rate"), ("decay", "amsgrad"))}


def _numba_loops(work):
    """``glassnet.sweeps._numba_stacked`` when numba may run and repays its load for
    ``work`` (variants x weights x steps; ``glassnet.config.set_kernels`` decides as for
    fit: "numba" always, "numpy" never, "auto" from 10**8), else None."""
    from .. import fast  # noqa: PLC0415
    chosen = fast.kernels()
    if chosen == "numpy" or (chosen == "auto" and work < fast._NUMBA_WORK):
        return None
    import importlib.util  # noqa: PLC0415
    if importlib.util.find_spec("numba") is None:
        return None
    try:
        from . import _numba_stacked  # noqa: PLC0415 - optional: numba
    except Exception:  # noqa: BLE001 - a broken numba install: NumPy's passes give the same numbers
        return None
    return _numba_stacked


def labels_for(y, a):
    """A batch's labels against the stack's outputs ``a`` (V, m, k): one integer class per
    sample (sparse labels, (m,)) gets the variant axis, which the others broadcast to."""
    if y.ndim == a.ndim - 2:
        return np.broadcast_to(y, a.shape[:1] + y.shape)
    return y


def _part(rows):
    """Rows as a slice when they follow one another (a view: updated in place), else indices."""
    rows = np.asarray(rows)
    return slice(int(rows[0]), int(rows[-1]) + 1) if np.all(np.diff(rows) == 1) else rows


def _in_place_rule(opt):
    """``glassnet.fast``'s in-place twin of ``opt.update_step`` (its numbers, its rule), when the
    fast path may run and ``opt`` is a class it knows, untouched; else None."""
    from .. import fast  # noqa: PLC0415 - the stack is a fast path of its own: it may use fast's rules
    from ..engine import fastpath  # noqa: PLC0415
    found = fast._rule(opt)
    return None if found is None or not fastpath.wanted() or not fast.untouched(opt) else found[:2]


def _takes_rate_column(opt, dtype, rule=None) -> bool:
    """Does the update (``opt.update_step``, or its in-place ``rule``) with a column of learning
    rates give, row by row, the same bits as one call per row with that row's rate as a
    Python float? (Tried on a few numbers.)"""
    rng = np.random.default_rng(0)
    rates = [0.001, 0.0123, 0.3]
    shape = (len(rates), 7)
    param = rng.standard_normal(shape).astype(dtype)
    grad = rng.standard_normal(shape).astype(dtype)
    slots = {n: np.abs(rng.standard_normal(shape)).astype(dtype) for n in opt.slot_names()}
    one = param.copy(), {n: s.copy() for n, s in slots.items()}

    def step(p, g, lr, s):
        if rule is None:
            return opt.update_step(p, g, lr, s)
        c = rule[0](opt, lr, p.dtype.type)
        return rule[1](c, p, g, s, np.empty_like(p), np.empty_like(p))
    try:
        with np.errstate(all="ignore"):
            for r, rate in enumerate(rates):
                opt.update_step(one[0][r], grad[r], rate, {n: s[r] for n, s in one[1].items()})
            column = param.copy(), {n: s.copy() for n, s in slots.items()}
            step(column[0], grad, np.array(rates, dtype)[:, None], column[1])
    except Exception:  # noqa: BLE001 - an update that wants a number
        return False
    return np.array_equal(one[0], column[0]) and all(np.array_equal(one[1][n], column[1][n]) for n in slots)


class Blocks:
    """A stack's input where neighbouring variants read the same rows (the same seed draws the
    same shuffle): ``parts`` of ``(start, stop, x)``, one array for variants start..stop-1."""

    def __init__(self, parts):
        self.parts = parts
        self.rows = len(parts[0][2])

    def __getitem__(self, rows):
        return Blocks([(start, stop, x[rows]) for start, stop, x in self.parts])

    def keep(self, positions):
        """The blocks of the variants at ``positions`` (of the current rows), renumbered."""
        parts = []
        for new, old in enumerate(positions):
            found = next(x for start, stop, x in self.parts if start <= old < stop)
            if parts and parts[-1][2] is found:
                parts[-1] = (parts[-1][0], new + 1, found)
            else:
                parts.append((new, new + 1, found))
        return Blocks(parts)

    def whole(self, count):
        """One (V, m, ...) array."""
        out = np.empty((count,) + self.parts[0][2].shape, self.parts[0][2].dtype)
        for start, stop, x in self.parts:
            out[start:stop] = x
        return out


__all__ = ["why_not", "signature", "Stack", "Blocks"]
