"""``explain(model, x, y)``: one training step written out as equations, with the shapes
and a few real numbers of this batch.

For each layer ``l`` (``A[0] = X``, ``m`` samples in the batch)::

    forward:   Z[l] = A[l-1] @ W[l] + b[l]        A[l] = g(Z[l])
    cost:      J = (1/m) sum_i L(A[L]_i, Y_i)  (+ weight penalties)
    backward:  dZ[l] = dA[l] * g'(Z[l])          (or the declared shortcut (A - Y)/m)
               dW[l] = A[l-1].T @ dZ[l]    db[l] = sum of the rows of dZ[l]
               dA[l-1] = dZ[l] @ W[l].T
    update:    the optimizer's rule, with its actual learning rate

Every number printed is taken from the model's own arrays during its own forward and
backward pass (the layers' caches and ``variable.grad``), not recomputed beside it; the
update is the compiled optimizer's own ``apply``, run on a copy. The model is left
unchanged. Dropout runs in inference mode (the identity), so the explanation is
deterministic.

>>> import numpy as np, glassnet
>>> from glassnet.keras import Sequential
>>> from glassnet.keras.layers import Dense
>>> model = Sequential([Dense(3, activation="sigmoid"), Dense(1, activation="sigmoid")])
>>> model.compile(loss="binary_crossentropy")
>>> x = np.random.default_rng(0).random((4, 2)); y = np.array([0, 1, 1, 0])
>>> e = glassnet.explain(model, x, y)
>>> e.arrays["Z[1]"].shape, e.arrays["dW[2]"].shape
((4, 3), (3, 1))
>>> "dZ[2] = (A[2] - Y) / m" in str(e)
True
"""
from __future__ import annotations

import copy
import html

import numpy as np

from . import activations as act
from . import losses as L
from . import optimizers as opt_mod
from . import training
from .inspect import _Preserved
from .layers import Activation, Dense, Dropout, Flatten

__all__ = ["explain", "Explanation"]

# g(Z) written out, and g'(Z) from the cheaper side (the output A where possible)
_FORMS = {
    act.sigmoid: ("1 / (1 + exp(-Z))", "A * (1 - A)"),
    act.tanh: ("tanh(Z)", "(1 - A^2)"),
    act.relu: ("max(Z, 0)", "(Z > 0)"),
    act.linear: ("Z", "1"),
    act.softmax: ("exp(Z) / sum_j exp(Z_j), row by row", None),
    act.leaky_relu: ("Z if Z > 0 else 0.2 Z", "(1 if Z > 0 else 0.2)"),
    act.elu: ("Z if Z > 0 else exp(Z) - 1", "(1 if Z > 0 else A + 1)"),
    act.softplus: ("log(1 + exp(Z))", "sigmoid(Z)"),
    act.silu: ("Z * sigmoid(Z)", "s (1 + Z (1 - s)), s = sigmoid(Z)"),
}


def _fmt(v) -> str:
    return f"{float(v):.4g}"


def _peek(name: str, a: np.ndarray, k: int) -> str:
    """A few entries of ``a``, with their exact indices: for a matrix, ``k`` entries of its
    first non-zero row from its first non-zero column (so blank pixels do not hide the
    numbers); for one column, the first ``k`` samples."""
    a = np.asarray(a)
    if a.ndim == 2 and a.shape[1] == 1:
        idx, vals = f"[:{k}, 0]", a[:k, 0]
    elif a.ndim == 2:
        rows = np.flatnonzero(np.any(a != 0, axis=1))
        r = int(rows[0]) if rows.size else 0
        cols = np.flatnonzero(a[r] != 0)
        c = min(int(cols[0]) if cols.size else 0, max(a.shape[1] - k, 0))
        idx, vals = f"[{r}, {c}:{c + k}]" if c else f"[{r}, :{k}]", a[r, c:c + k]
    elif a.ndim == 1:
        idx, vals = f"[:{k}]", a[:k]
    else:
        idx, vals = f".flat[:{k}]", a.reshape(-1)[:k]
    more = ", ..." if a.size > len(vals) else ""
    return f"{name}{idx} = [{', '.join(_fmt(v) for v in vals)}{more}]"


def _shape(a) -> str:
    return str(tuple(np.shape(a)))


class Explanation:
    """The result of :func:`explain`: ``str()`` is the text; the numbers are kept too.

    * ``arrays``: name -> array (``"X"``, ``"Z[1]"``, ``"A[1]"``, ``"dZ[1]"``, ``"dW[1]"``, ...)
    * ``loss``: the cost ``J`` of the batch (penalties included), as ``fit`` computes it
    * ``gradients``: ``dJ/dw`` aligned with ``model.get_weights()``
    * ``new_weights``: the weights after the optimizer's update, aligned the same way
    """

    def __init__(self, text, arrays, loss, gradients, new_weights):
        self.text, self.arrays, self.loss = text, arrays, loss
        self.gradients, self.new_weights = gradients, new_weights

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return "<pre style='line-height:1.25'>" + html.escape(self.text) + "</pre>"


def _loss_formula(loss, width) -> list[str]:
    f = "f(x)"
    if isinstance(loss, L.BinaryCrossentropy):
        s = f"L(f(x), y) = -y log({f}) - (1 - y) log(1 - {f})"
        if width > 1:
            s += f", averaged over the {width} outputs"
        out = [s]
        if loss.label_smoothing:
            out.append(f"  with label smoothing: y <- y (1 - {loss.label_smoothing:g}) + 0.5 * {loss.label_smoothing:g}")
        return out
    if isinstance(loss, L.CategoricalCrossentropy):
        return ["L(f(x), y) = -sum_j y_j log(f(x)_j)    (y one-hot)"]
    if isinstance(loss, L.SparseCategoricalCrossentropy):
        return ["L(f(x), y) = -log(f(x)_y)    (the probability given to the true class y)"]
    if isinstance(loss, L.MeanSquaredError):
        return ["L(f(x), y) = mean_j (y_j - f(x)_j)^2"]
    if isinstance(loss, L.MeanAbsoluteError):
        return ["L(f(x), y) = mean_j |y_j - f(x)_j|"]
    if isinstance(loss, L.Huber):
        return [f"L(f(x), y) = mean_j h(f(x)_j - y_j), h(e) = 0.5 e^2 if |e| <= {loss.delta:g} else {loss.delta:g} |e| - 0.5 * {loss.delta:g}^2"]
    return [f"L(f(x), y) = {type(loss).__name__}.call(y, f(x))    (one value per sample)"]


def _output_grad_formula(loss, width) -> str:
    """``dA[L] = dJ/dA[L]`` when no shortcut applies."""
    c = f" * {width}" if width > 1 else ""
    if isinstance(loss, L.MeanSquaredError):
        return f"2 (A - Y) / (m{c})"
    if isinstance(loss, L.MeanAbsoluteError):
        return f"sign(A - Y) / (m{c})"
    if isinstance(loss, L.BinaryCrossentropy) and not loss.from_logits:
        return f"(-Y / A + (1 - Y) / (1 - A)) / (m{c})"
    return f"{type(loss).__name__}.gradient(Y, A) / m"


def _update_rule(opt) -> list[str]:
    lr = opt.learning_rate
    if isinstance(opt, opt_mod.RMSprop):
        denom = "sqrt(v - mg^2 + epsilon)" if opt.centered else "sqrt(v + epsilon)"
        lines = [f"RMSprop(learning_rate={lr:g}, rho={opt.rho:g}, epsilon={opt.epsilon:g})",
                 f"v <- {opt.rho:g} * v + {1 - opt.rho:g} * g^2          (running mean of g^2, per entry)"]
        if opt.centered:
            lines.append(f"mg <- {opt.rho:g} * mg + {1 - opt.rho:g} * g            (centered: running mean of g)")
        if opt.momentum:
            lines += [f"m <- {opt.momentum:g} * m + {lr:g} * g / {denom}", "w <- w - m"]
        else:
            lines.append(f"w <- w - {lr:g} * g / {denom}")
        return lines
    if isinstance(opt, opt_mod.Adam):
        t = opt.iterations + 1
        alpha = lr * (1 - opt.beta_2 ** t) ** 0.5 / (1 - opt.beta_1 ** t)
        lines = [f"{type(opt).__name__}(learning_rate={lr:g}, beta_1={opt.beta_1:g}, beta_2={opt.beta_2:g}, "
                 f"epsilon={opt.epsilon:g}), step t = {t}",
                 f"m <- m + (g - m) * {1 - opt.beta_1:g}          (running mean of g)",
                 f"v <- v + (g^2 - v) * {1 - opt.beta_2:g}        (running mean of g^2)",
                 f"alpha = {lr:g} * sqrt(1 - {opt.beta_2:g}^{t}) / (1 - {opt.beta_1:g}^{t}) = {alpha:.4g}",
                 "w <- w - alpha * m / (sqrt(v) + epsilon)"]
        if opt.amsgrad:
            lines.insert(3, "v <- max(v_max, v)   (amsgrad)")
        return lines
    if isinstance(opt, opt_mod.SGD):
        head = f"SGD(learning_rate={lr:g}, momentum={opt.momentum:g}{', nesterov' if opt.nesterov else ''})"
        if not opt.momentum:
            return [head, f"w <- w - {lr:g} * g          (the seed's  w = w - alpha * dJ/dw)"]
        tail = [f"w <- w + {opt.momentum:g} * m - {lr:g} * g"] if opt.nesterov else ["w <- w + m"]
        return [head, f"m <- {opt.momentum:g} * m - {lr:g} * g"] + tail
    return [f"{type(opt).__name__}(learning_rate={lr:g}): w <- {type(opt).__name__}.update_step(w, g, lr)"]


def _slot_names(opt) -> list[str]:
    if isinstance(opt, opt_mod.RMSprop):
        return ["v"] + (["m"] if opt.momentum else []) + (["mg"] if opt.centered else [])
    if isinstance(opt, opt_mod.Adam):
        return ["m", "v"] + (["v_max"] if opt.amsgrad else [])
    if isinstance(opt, opt_mod.SGD):
        return ["m"] if opt.momentum else []
    return []


def explain(model, x, y, sample_weight=None, numbers: int = 3) -> Explanation:
    """One training step of ``model`` on the batch ``(x, y)``, as equations with shapes and
    ``numbers`` real values per array. Returns an :class:`Explanation` (print it).

    The model must be compiled. Nothing changes in it: the forward and backward passes
    restore every ``variable.grad`` and layer cache, and the update runs on a copy of the
    optimizer. Dropout is in inference mode.
    """
    x, y, sw = model._data(x, y, sample_weight, "explain")
    k = int(numbers)
    layers = model._layers
    n_layers = len(layers)
    m = x.shape[0]
    arrays: dict[str, np.ndarray] = {"X": x.copy(), "Y": y.copy()}
    out: list[str] = []
    put = out.append

    def show(eq, shape_note, name=None, value=None, indent="    "):
        put(f"{indent}{eq:<40} {shape_note}")
        if value is not None:
            arrays[name] = np.array(value, copy=True)
            put(f"{indent}    {_peek(name, value, k)}")

    dtype = layers[0].weights[0].dtype if layers and layers[0].weights else x.dtype
    put(f"One training step of {model.name!r} on a batch of m = {m} samples ({dtype}; "
        f"numbers are the model's own arrays)")
    put("")

    with _Preserved(model):
        # ---------------------------------------------------------------- forward
        put("FORWARD   layer after layer; each row is one sample")
        show("A[0] = X", _shape(x), "X", x)
        a = x
        labels = {}                                   # variable id -> "W[l]" / "b[l]"
        for i, layer in enumerate(layers):
            l = i + 1
            a_in = a
            a = layer.forward(a, False)
            kind = type(layer).__name__
            if isinstance(layer, Dense):
                g = layer.activation
                gname = act.serialize(g)
                put(f"  layer {l}: {layer.name} (Dense, {layer.units} unit{'s' if layer.units > 1 else ''}, {gname})")
                W, b = layer.kernel.value, (layer.bias.value if layer.use_bias else None)
                arrays[f"W[{l}]"] = W.copy()
                labels[id(layer.kernel)] = f"W[{l}]"
                if b is not None:
                    arrays[f"b[{l}]"] = b.copy()
                    labels[id(layer.bias)] = f"b[{l}]"
                    eq = f"Z[{l}] = A[{l - 1}] @ W[{l}] + b[{l}]"
                    note = f"{_shape(a_in)} @ {_shape(W)} + {_shape(b)} -> {_shape(layer._z)}"
                else:
                    eq, note = f"Z[{l}] = A[{l - 1}] @ W[{l}]", f"{_shape(a_in)} @ {_shape(W)} -> {_shape(layer._z)}"
                put(f"        {_peek(f'W[{l}]', W, k)}" + (f"    {_peek(f'b[{l}]', b, k)}" if b is not None else ""))
                show(eq, note, f"Z[{l}]", layer._z)
                form = _FORMS.get(g, (f"{gname}(Z)", None))[0]
                show(f"A[{l}] = {gname}(Z[{l}])", f"= {form}   {_shape(a)}", f"A[{l}]", a)
            elif isinstance(layer, Activation):
                gname = act.serialize(layer.activation)
                put(f"  layer {l}: {layer.name} (Activation, {gname})")
                show(f"A[{l}] = {gname}(A[{l - 1}])", _shape(a), f"A[{l}]", a)
            elif isinstance(layer, Dropout):
                put(f"  layer {l}: {layer.name} (Dropout, rate {layer.rate:g})")
                show(f"A[{l}] = A[{l - 1}]", "(inference mode: the identity; in fit, "
                     f"A[{l - 1}] * mask / {1 - layer.rate:g})", f"A[{l}]", a)
            elif isinstance(layer, Flatten):
                put(f"  layer {l}: {layer.name} (Flatten)")
                show(f"A[{l}] = reshape(A[{l - 1}])", f"{_shape(a_in)} -> {_shape(a)}", f"A[{l}]", a)
            else:
                put(f"  layer {l}: {layer.name} ({kind})")
                show(f"A[{l}] = {layer.name}(A[{l - 1}])", f"{_shape(a_in)} -> {_shape(a)}", f"A[{l}]", a)
                for v in layer.weights:
                    labels[id(v)] = f"{v.name}[{l}]"

        # ---------------------------------------------------------------- loss and cost
        loss = model.loss
        width = a.shape[-1] if a.ndim > 1 else 1
        value, grad = training.loss_and_output_grad(model, y, a, sw)
        if model._fused:
            per_sample = loss.call_from_logits(y, layers[-1]._z)
        else:
            per_sample = loss.call(y, a)
        put("")
        put(f"LOSS AND COST   {type(loss).__name__}, f(x) = A[{n_layers}]")
        for line in _loss_formula(loss, width):
            put(f"    {line}")
        show("Y = the labels", _shape(y), "Y", y)
        show(f"L = L(A[{n_layers}], Y), one per sample", _shape(per_sample), "L", per_sample)
        cost = "J = (1/m) sum_i L(f(x^(i)), y^(i))" if sw is None else "J = (1/m) sum_i s_i L(f(x^(i)), y^(i))"
        if model._regularized:
            penalties = training.penalties(model)
            put(f"    {cost} + penalties")
            put(f"      penalties = {', '.join(type(v.regularizer).__name__ + '(' + v.path + ')' for v in model._regularized)} = {_fmt(penalties)}")
        else:
            put(f"    {cost}")
        put(f"      J = {value:.6g}     (m = {m})")

        # ---------------------------------------------------------------- backward
        put("")
        put("BACKWARD   the layers in reverse; dX is dJ/dX and has X's shape")
        last = layers[-1]
        if model._fused:
            gname = act.serialize(last.activation)
            scale = f"(m * {width})" if isinstance(loss, L.BinaryCrossentropy) and width > 1 else "m"
            target = "onehot(Y)" if isinstance(loss, L.SparseCategoricalCrossentropy) else "Y"
            # after a separate Activation layer, dJ/d(its input) is the previous layer's dA
            dz_name = f"dA[{n_layers - 1}]" if isinstance(last, Activation) else f"dZ[{n_layers}]"
            pre = f"{dz_name} = (A[{n_layers}] - {target}) / {scale}" + (" * s" if sw is not None else "")
            shortcut = (f"        the declared shortcut for {gname} + {type(loss).__name__}: the chain rule "
                        f"through {gname}, written out")
        else:
            pre = f"dA[{n_layers}] = dJ/dA[{n_layers}] = {_output_grad_formula(loss, width)}"
            shortcut = None
        dA = grad
        for i in range(n_layers - 1, -1, -1):
            layer, l = layers[i], i + 1
            need = i > 0
            put(f"  layer {l}: {layer.name}")
            if i == n_layers - 1:
                if model._fused:
                    show(pre, _shape(grad), dz_name, grad)
                    put(shortcut)
                else:
                    show(pre, _shape(grad), f"dA[{l}]", grad)
            if isinstance(layer, Dense):
                if i == n_layers - 1 and model._fused:
                    dZ = grad
                    dX = layer.backward_from_z(grad, need)
                else:
                    g = layer.activation
                    gname = act.serialize(g)
                    dZ = act.backward_of(g)(layer._z, layer._a, dA)
                    deriv = _FORMS.get(g, (None, None))[1]
                    if g is act.softmax:
                        eq = f"dZ[{l}] = A * (dA - sum_j dA_j A_j)"
                    elif g is act.linear:
                        eq = f"dZ[{l}] = dA[{l}]"
                    else:
                        eq = f"dZ[{l}] = dA[{l}] * {gname}'(Z[{l}])"
                    note = f"{gname}' = {deriv}   {_shape(dZ)}" if deriv and g is not act.linear else _shape(dZ)
                    show(eq, note, f"dZ[{l}]", dZ)
                    dX = layer.backward(dA, need)
                kern = layer.kernel.grad
                show(f"dW[{l}] = A[{l - 1}].T @ dZ[{l}]", f"{_shape(layer._x.T)} @ {_shape(dZ)} -> {_shape(kern)}",
                     f"dW[{l}]", kern)
                if layer.kernel.regularizer is not None:
                    put(f"        + the penalty's gradient, {type(layer.kernel.regularizer).__name__}.gradient(W[{l}])")
                if layer.use_bias:
                    show(f"db[{l}] = sum over the m rows of dZ[{l}]", _shape(layer.bias.grad), f"db[{l}]", layer.bias.grad)
            elif isinstance(layer, Activation):
                gname = act.serialize(layer.activation)
                if i == n_layers - 1 and model._fused:
                    dX = layer.backward_from_z(grad, need)
                else:
                    dX = layer.backward(dA, need)
                    if need:
                        put(f"    dA[{l - 1}] = dA[{l}] * {gname}'(A[{l - 1}])")
            else:
                dX = layer.backward(dA, need)
                if need:
                    put(f"    dA[{l - 1}] = {type(layer).__name__}.backward(dA[{l}])")
            if need:
                if isinstance(layer, Dense):
                    show(f"dA[{l - 1}] = dZ[{l}] @ W[{l}].T", f"{_shape(dZ)} @ {_shape(layer.kernel.value.T)} -> {_shape(dX)}",
                         f"dA[{l - 1}]", dX)
                else:
                    arrays[f"dA[{l - 1}]"] = np.array(dX, copy=True)
            else:
                put("    dA[0] = dJ/dX is not needed: there is nothing to update below")
            dA = dX

        grads = [v.grad.copy() for v in model.weights]
        # the compiled optimizer's own update, on a copy (grads are this batch's, filled above)
        opt = copy.deepcopy(model.optimizer)
        if not opt.built:
            opt.build(copy.deepcopy(model.trainable_weights))
        before = [v.value.copy() for v in opt._variables]
        rule = _update_rule(opt)                      # before apply: Adam's step t = iterations + 1
        opt.apply(None)

    # ---------------------------------------------------------------- update
    put("")
    put("UPDATE   g = dJ/dw for each weight w; every entry of w is updated at once")
    put("         (below: the entry of each array with the largest |g|, and the whole array's |dw|/|w|)")
    for line in rule:
        put(f"    {line}")
    extras = []
    if opt.clipnorm is not None:
        extras.append(f"g is first clipped to norm {opt.clipnorm:g} (per array)")
    if opt.global_clipnorm is not None:
        extras.append(f"g is first clipped to a global norm {opt.global_clipnorm:g}")
    if opt.clipvalue is not None:
        extras.append(f"g is first clipped to [-{opt.clipvalue:g}, {opt.clipvalue:g}]")
    if opt.weight_decay:
        extras.append(f"then w <- w - w * {opt.weight_decay:g} * lr (decoupled weight decay) before the rule")
    for e in extras:
        put(f"    ({e})")
    names = _slot_names(opt)
    slots = opt._slot_lists()
    by_path = {v.path: j for j, v in enumerate(opt._variables)}
    new_weights = []
    for v in model.weights:
        j = by_path.get(v.path)
        new_weights.append(opt._variables[j].value.copy() if j is not None else v.value.copy())
    for v in model.trainable_weights:
        j = by_path.get(v.path)
        if j is None:
            continue
        name = labels.get(id(v), v.path)
        w0, w1 = before[j], opt._variables[j].value
        g = grads[_index(model, v)]
        at = np.unravel_index(int(np.argmax(np.abs(g))), g.shape) if g.size else ()
        at = tuple(int(i) for i in at)
        state = "".join(f", {n} = {_fmt(s[j][at])}" for n, s in zip(names, slots))
        norm0 = float(np.linalg.norm(w0))
        ratio = f"|dw|/|w| = {float(np.linalg.norm(w1 - w0)) / norm0:.2g}" if norm0 > 0 else "(w was 0)"
        put(f"    {name}{list(at)}: g = {_fmt(g[at])}{state}, w = {_fmt(w0[at])} -> {_fmt(w1[at])}    {ratio}")
        arrays[f"{name} new"] = w1.copy()
    text = "\n".join(out)
    return Explanation(text, arrays, float(value), grads, new_weights)


def _index(model, var) -> int:
    for j, v in enumerate(model.weights):
        if v is var:
            return j
    raise KeyError(var.path)
