"""See every gradient and check it: ``gradients`` and ``gradcheck`` (``explain`` lives in
:mod:`glassnet.explanation`).

``gradients(model, x, y)`` returns ``dJ/dw`` for every weight, in the order of
``model.get_weights()``, where ``J`` is the compiled loss of the batch plus the weight
penalties, exactly the number ``fit`` would minimise on that batch. The model is left as
it was: weights, optimizer state and every ``variable.grad`` are untouched afterwards.
Dropout runs in inference mode (``training=False``) so the result is deterministic.

``gradcheck(thing, x, y)`` compares the analytic gradients (the hand-written ``backward``
of each layer, activation and loss) with central differences computed in float64::

    dJ/dw_i  ~  (J(w + eps e_i) - J(w - eps e_i)) / (2 eps)

An entry passes when ``|analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|)``.
It works on a compiled model, a single layer, an activation function and a loss (a
:class:`glassnet.losses.Loss` of your own included):

>>> import numpy as np, glassnet
>>> from glassnet.keras import Sequential
>>> from glassnet.keras.layers import Dense
>>> model = Sequential([Dense(3, activation="tanh"), Dense(1, activation="sigmoid")])
>>> model.compile(loss="binary_crossentropy")
>>> x = np.random.default_rng(0).random((5, 2)); y = np.array([0, 1, 1, 0, 1])
>>> [g.shape for g in glassnet.gradients(model, x, y)]
[(2, 3), (3,), (3, 1), (1,)]
>>> glassnet.gradcheck(model, x, y).passed
True
>>> glassnet.gradcheck("relu", np.array([[-1.0, 2.0]])).passed
True
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from .. import activations as _activations
from .. import losses as _losses
from ..layers import Layer
from ..engine.step import add_penalty_gradients, added_losses, forward, loss_and_output_grad, penalty, train_step

__all__ = ["gradients", "gradcheck", "GradcheckReport", "GradcheckRow", "scratch_copy"]

# ---------------------------------------------------------------------------------------
# gradients
# ---------------------------------------------------------------------------------------
def scratch_copy(model):
    """A deep copy of ``model`` to run a step on (its History is not copied): the user's
    model, optimizer and every ``variable.grad`` stay exactly as they were."""
    saved_history, model.history = model.history, None
    try:
        return copy.deepcopy(model)
    finally:
        model.history = saved_history


def _batch(model, x, y, sample_weight, what):
    """Validate and cast one batch as ``fit`` would (builds the model if needed)."""
    return model._data(x, y, sample_weight, what)


def gradients(model, x=None, y=None, sample_weight=None, **kwargs) -> list[np.ndarray]:
    """``dJ/dw`` for every weight of a compiled ``model``, aligned with ``model.get_weights()``.
    (TensorFlow's ``tf.gradients(ys, xs)`` is for graphs only: called that way, it says so,
    as TensorFlow does in eager mode, and points at ``GradientTape``.)

    ``J = sum_i(s_i L_i) / m + penalties``: the compiled loss of this batch (``m`` samples,
    sample weights ``s_i``, 1 by default) plus the regularisation penalties, as in ``fit``.
    Computed with the model's own ``forward``/``backward`` in inference mode
    (``training=False``: Dropout is the identity, so the result is deterministic). The
    weights, the optimizer's state and every ``variable.grad`` are left unchanged; an
    unbuilt model is built first (as ``fit`` would).

    >>> import numpy as np, glassnet
    >>> model = glassnet.Sequential([glassnet.Input(shape=(1,)), glassnet.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x = np.array([[1.0], [2.0]]); y = np.array([[1.0], [2.0]])
    >>> model.set_weights([np.array([[0.0]]), np.array([0.0])])
    >>> [g.tolist() for g in glassnet.gradients(model, x, y)]   # J = mean((w x + b - y)^2) at w = b = 0
    [[[-5.0]], [-3.0]]
    """
    if not isinstance(model, Layer) or kwargs or y is None:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. Use tf.GradientTape "
                           "instead. (glassnet.gradients(model, x, y) gives a compiled model's dJ/dw)")
    x, y, sw = _batch(model, x, y, sample_weight, "gradients")
    clone = scratch_copy(model)
    train_step(clone, x, y, sw, training=False, update=False)
    return [v.grad.copy() for v in clone.weights]


# ---------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------
@dataclass
class GradcheckRow:
    """One checked array: its name and shape, how many entries were checked, the largest
    absolute and relative errors, and whether every checked entry passed."""

    name: str
    shape: tuple
    checked: int
    max_abs_error: float
    max_rel_error: float
    max_abs_grad: float
    passed: bool


class GradcheckReport:
    """What :func:`gradcheck` found: ``rows`` (one per array), ``passed``, a printable table."""

    def __init__(self, title: str, rows: list[GradcheckRow], rtol: float, atol: float, eps: float):
        self.title, self.rows, self.rtol, self.atol, self.eps = title, rows, rtol, atol, eps

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rows)

    def __bool__(self) -> bool:
        return self.passed

    def __getitem__(self, name) -> GradcheckRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(f"{name!r}; rows: {', '.join(r.name for r in self.rows)}")

    def __str__(self) -> str:
        head = ("array", "shape", "checked", "max |grad|", "max abs err", "max rel err", "")
        body = [(r.name, str(r.shape), str(r.checked), f"{r.max_abs_grad:.3e}", f"{r.max_abs_error:.3e}",
                 f"{r.max_rel_error:.3e}", "ok" if r.passed else "FAIL") for r in self.rows]
        widths = [max(len(row[i]) for row in [head] + body) for i in range(len(head))]
        fmt = lambda row: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)  # noqa: E731
                                    for i, (c, w) in enumerate(zip(row, widths))).rstrip()
        verdict = "passed" if self.passed else "FAILED"
        lines = [f"gradcheck of {self.title}: {verdict}\n(central differences in float64, eps={self.eps:g}; "
                 f"an entry passes when |analytic - numeric| <= {self.atol:g} + {self.rtol:g} * max(|analytic|, |numeric|))",
                 fmt(head), fmt(tuple("-" * w for w in widths))] + [fmt(b) for b in body]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html
        return "<pre>" + html.escape(str(self)) + "</pre>"


def _compare(name, analytic, numeric, rtol, atol) -> GradcheckRow:
    a, n = np.asarray(analytic, np.float64).ravel(), np.asarray(numeric, np.float64).ravel()
    if a.size == 0:
        return GradcheckRow(name, (), 0, 0.0, 0.0, 0.0, True)
    err = np.abs(a - n)
    scale = np.maximum(np.abs(a), np.abs(n))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(scale > 0, err / np.where(scale > 0, scale, 1.0), 0.0)
    ok = np.isfinite(a).all() and np.isfinite(n).all() and bool(np.all(err <= atol + rtol * scale))
    return GradcheckRow(name, (), int(a.size), float(err.max()), float(rel.max()), float(scale.max()), bool(ok))


def _entries(size, max_entries, gen):
    if max_entries is None or size <= max_entries:
        return np.arange(size)
    return np.sort(gen.choice(size, size=max_entries, replace=False))


def _numeric(f, arr, idx, eps):
    """Central differences of the scalar ``f()`` with respect to ``arr.flat[idx]`` (in place)."""
    flat = arr.reshape(-1)          # a view: arr is contiguous
    out = np.empty(len(idx))
    for k, i in enumerate(idx):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        out[k] = (up - down) / (2 * eps)
    return out


def _check_array(name, arr, analytic, f, eps, rtol, atol, max_entries, gen) -> GradcheckRow:
    idx = _entries(arr.size, max_entries, gen)
    numeric = _numeric(f, arr, idx, eps)
    row = _compare(name, np.asarray(analytic).reshape(-1)[idx], numeric, rtol, atol)
    row.shape = tuple(arr.shape)
    return row


# ---------------------------------------------------------------------------------------
# float64 copies: the check never touches the user's objects
# ---------------------------------------------------------------------------------------
def _to_float64(layer):
    """Turn a (copied) layer's weights into float64."""
    layer.dtype = np.dtype(np.float64)
    for inner in layer.__dict__.get("_tracked", ()):    # a layer written with call: its inner layers too
        if inner.dtype != np.float64:
            _to_float64(inner)
    for v in layer.weights:
        if v.value.dtype.kind == "f":        # an integer counter (Normalization's count) stays as it is
            v.store_in(np.zeros(v.shape, np.float64), np.zeros(v.shape, np.float64))
    return layer


def _float64_layer(layer, input_shape):
    layer = copy.deepcopy(layer)
    if not layer.built:                      # the copy is built, the user's layer stays as it is
        layer.dtype = np.dtype(np.float64)
        layer.build_from_shape(input_shape)
    return _to_float64(layer)


def _float64_model(model):
    clone = scratch_copy(model)
    for layer in clone.layers:
        _to_float64(layer)
    return clone


# ---------------------------------------------------------------------------------------
# gradcheck
# ---------------------------------------------------------------------------------------
def gradcheck(obj, x, y=None, eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-7,
              sample_weight=None, max_entries: int | None = 500, seed: int = 0) -> GradcheckReport:
    """Compare analytic gradients with central differences in float64; return a report.

    What ``obj`` can be, and what is checked:

    * a compiled model: ``dJ/dw`` for every weight (``J`` = the compiled loss on ``(x, y)``
      plus penalties, in inference mode), on a float64 copy: the model is not changed;
    * a layer: with a random upstream gradient ``G`` (seeded), the scalar
      ``f = sum(G * layer(x)) + penalties``; checks ``dW``, ``db`` and ``dX`` (from ``backward``);
      for a layer that takes a list (``Add``, ``Concatenate``, ...), ``x`` is the list and each
      input's ``dX`` is checked;
    * an activation (a function or a name such as ``"relu"``): ``dX`` of ``sum(G * g(x))``;
    * a loss (instance, class or name): here ``x`` is ``y_pred`` and ``y`` is ``y_true``;
      checks ``gradient(y_true, y_pred)`` against ``call``, summed over the samples, and, for
      the cross-entropies, the declared shortcut ``gradient_from_logits`` against
      ``call_from_logits`` at logits ``z`` with ``sigmoid(z)`` / ``softmax(z)`` = ``y_pred``.

    ``max_entries`` (default 500) caps the entries checked per array, picked at random
    (``seed``); ``None`` checks them all. Kinks (relu at 0, clipping, abs) can fail a check
    legitimately when ``x +- eps`` straddles them.

    >>> import numpy as np, glassnet
    >>> class Square(glassnet.losses.Loss):
    ...     def call(self, y_true, y_pred): return np.mean((y_pred - y_true) ** 2, axis=-1)
    ...     def gradient(self, y_true, y_pred): return (y_pred - y_true)   # forgot the 2
    >>> glassnet.gradcheck(Square(), np.array([[0.3]]), np.array([[1.0]])).passed
    False
    """
    gen = np.random.default_rng(seed)
    args = (eps, rtol, atol, max_entries, gen)
    if hasattr(obj, "layers") and hasattr(obj, "compile"):
        title, rows = _check_model(obj, x, y, sample_weight, *args)
    elif isinstance(obj, Layer):
        title, rows = _check_layer(obj, x, *args)
    elif isinstance(obj, _losses.Loss) or (isinstance(obj, type) and issubclass(obj, _losses.Loss)):
        title, rows = _check_loss(_losses.get(obj), x, y, *args)
    elif isinstance(obj, str) or callable(obj):
        if isinstance(obj, str) and obj.lower() not in _activations.BY_NAME:
            title, rows = _check_loss(_losses.get(obj), x, y, *args)
        else:
            title, rows = _check_activation(_activations.get(obj), x, *args)
    else:
        raise TypeError(f"gradcheck: expected a model, a layer, an activation or a loss; got {type(obj).__name__}")
    return GradcheckReport(title, rows, rtol, atol, eps)


def _check_model(model, x, y, sample_weight, eps, rtol, atol, max_entries, gen):
    if y is None:
        raise ValueError("gradcheck(model, x, y): the labels y are needed to compute the loss")
    x, y, sw = _batch(model, x, y, sample_weight, "gradcheck")     # builds the model if needed
    m64 = _float64_model(model)

    def as64(a):                                 # text stays text (TextVectorization), ids stay ids
        return a.astype(np.float64) if a.dtype.kind == "f" else a
    x64 = [as64(a) for a in x] if isinstance(x, list) else as64(x)     # a graph's inputs: a list
    y64 = [as64(a) for a in y] if isinstance(y, list) else as64(y)
    sw64 = None if sw is None else sw.astype(np.float64)
    train_step(m64, x64, y64, sw64, training=False, update=False)
    variables = m64.trainable_weights          # what backward computes; frozen statistics are not checked
    analytic = [v.grad.copy() for v in variables]
    layers = m64.step_units()                          # the stack's layers, or the graph (or subclass) as one

    def J():
        a = forward(layers, x64, False)
        value = loss_and_output_grad(m64.loss, m64.output_shortcut, layers[-1], y64, a, sw64)[0]
        return value + penalty(variables) + added_losses(m64.step_units())     # + what add_loss added

    rows = [_check_array(v.path, v.value, g, J, eps, rtol, atol, max_entries, gen)
            for v, g in zip(variables, analytic)]
    return f"model {model.name!r} with {type(model.loss).__name__} on {len(y64[0] if isinstance(y64, list) else y64)} samples", rows


def _check_layer(layer, x, eps, rtol, atol, max_entries, gen):
    many = getattr(layer, "takes_list", False)    # a merge layer: x is a list, one array per input
    x64 = [np.array(xi, dtype=np.float64) for xi in x] if many else np.array(x, dtype=np.float64)  # copies: perturbed
    shapes = [(None,) + xi.shape[1:] for xi in x64] if many else (None,) + x64.shape[1:]
    layer64 = _float64_layer(layer, shapes)
    out = layer64.forward(x64, False)
    G = gen.standard_normal(out.shape)

    def f():
        return float(np.sum(G * layer64.forward(x64, False))) + layer64.regularization_loss()

    layer64.forward(x64, False)
    dx = layer64.backward(G.copy(), True)
    trainable = layer64.trainable_weights
    add_penalty_gradients(trainable)
    grads = [v.grad.copy() for v in trainable]
    rows = [_check_array(v.path, v.value, g, f, eps, rtol, atol, max_entries, gen)
            for v, g in zip(trainable, grads)]
    if many:
        rows += [_check_array(f"{layer.name}/input {i} (dX{i})", xi, dxi, f, eps, rtol, atol, max_entries, gen)
                 for i, (xi, dxi) in enumerate(zip(x64, dx))]
    elif layer.differentiable_input:            # (an Embedding's ids have no gradient)
        rows.append(_check_array(f"{layer.name}/input (dX)", x64, dx, f, eps, rtol, atol, max_entries, gen))
    return f"layer {layer.name!r} ({type(layer).__name__}) with a random upstream gradient", rows


def _check_activation(fn, x, eps, rtol, atol, max_entries, gen):
    x64 = np.array(x, dtype=np.float64)
    if x64.ndim == 0:
        x64 = x64.reshape(1)
    G = gen.standard_normal(np.shape(fn(x64)))
    backward = _activations.backward_of(fn)
    dx = backward(x64, fn(x64), G.copy())

    def f():
        return float(np.sum(G * fn(x64)))

    name = _activations.serialize(fn)
    return f"activation {name!r} with a random upstream gradient", [
        _check_array(f"{name}: dX", x64, dx, f, eps, rtol, atol, max_entries, gen)]


def _check_loss(loss, y_pred, y_true, eps, rtol, atol, max_entries, gen):
    if y_true is None:
        raise ValueError("gradcheck(loss, y_pred, y_true): give the predictions and the labels")
    p = np.array(y_pred, dtype=np.float64)
    y = loss.prepare(np.asarray(y_true), p)
    if y.dtype.kind == "f":
        y = y.astype(np.float64)
    analytic = np.asarray(loss.gradient(y, p), dtype=np.float64)
    if analytic.shape != p.shape:
        raise ValueError(f"{type(loss).__name__}.gradient returned shape {analytic.shape}; it must have "
                         f"y_pred's shape {p.shape} (dL_i/dy_pred)")

    def f():
        return float(np.sum(loss.call(y, p)))

    name = type(loss).__name__
    rows = [_check_array(f"{name}: dL/dy_pred", p, analytic, f, eps, rtol, atol, max_entries, gen)]
    act = next((g for g in (_activations.sigmoid, _activations.softmax) if loss.fuses_with(g)), None)
    if act is not None and hasattr(loss, "call_from_logits"):
        # logits whose sigmoid / softmax is y_pred (clipped away from 0 and 1 to stay finite)
        q = np.clip(p, 1e-6, 1 - 1e-6)
        z = np.log(q / (1 - q)) if act is _activations.sigmoid else np.log(q)
        gz = np.asarray(loss.gradient_from_logits(y, z, act(z)), dtype=np.float64)

        def fz():
            return float(np.sum(loss.call_from_logits(y, z)))

        rows.append(_check_array(f"{name}: dL/dz (fused with {act.__name__})", z, gz, fz,
                                 eps, rtol, atol, max_entries, gen))
    return f"loss {name}", rows
