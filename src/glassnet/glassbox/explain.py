"""``explain(model, x, y)``: one training step written out as equations, with the shapes
and a few real numbers of this batch.

For each layer ``l`` (``A[0] = X``, ``m`` samples in the batch)::

    forward:   Z[l] = A[l-1] @ W[l] + b[l]        A[l] = g(Z[l])
    cost:      J = (1/m) sum_i L(A[L]_i, Y_i)  (+ weight penalties)
    backward:  dZ[l] = dA[l] * g'(Z[l])          (or the declared shortcut (A - Y)/m)
               dW[l] = A[l-1].T @ dZ[l]    db[l] = sum of the rows of dZ[l]
               dA[l-1] = dZ[l] @ W[l].T
    update:    the optimizer's rule, with its actual learning rate

Every number printed is one that ``glassnet.step.train_step`` computed (recorded in a
``StepRecord``, the layers' caches and ``variable.grad``), not recomputed beside it; the
step runs on a copy of the model and its optimizer, so the model is left unchanged. Dropout runs in inference mode (the identity), so the explanation is
deterministic.

Each layer writes its own part (``Layer.narrate_forward`` and ``narrate_backward``, beside
its ``forward`` and ``backward``; Dense writes the equations above) and each loss its own
formulas (``Loss.formula``, ``gradient_formula``, ``shortcut_formula``); this module lays
out the sections and offers the layers a page to write on: ``put(line)``,
``show(equation, shapes, name, array)``, ``keep(name, array)``, ``weight(variable, label)``
(its value before the step), ``peek(name, array)`` and ``shape(array)``. A layer of your own
gets ``A[l] = name(A[l-1])`` and the lines of its ``explain_forward``, if it has any.

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

import html

import numpy as np

from .. import activations as act
from .gradients import scratch_copy
from ..engine.step import StepRecord, penalty, train_step

__all__ = ["explain", "Explanation"]

def _fmt(v) -> str:
    if isinstance(v, (str, bytes, np.str_, np.bytes_)):
        return repr(str(v))                        # a text model's input (TextVectorization)
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


def explain(model, x, y, sample_weight=None, numbers: int = 3) -> Explanation:
    """One training step of ``model`` on the batch ``(x, y)``, as equations with shapes and
    ``numbers`` real values per array. Returns an :class:`Explanation` (print it).

    The model must be compiled. The step is ``glassnet.step.train_step`` itself, run on a
    copy of the model (optimizer included), so nothing changes in the model; Dropout is in
    inference mode. Every number shown is one the step computed.
    """
    graph = model._graph is not None
    if (len(model.step_units()) == 1 and model.step_units()[0] is model and not graph) or (graph and len(model.outputs) > 1):
        raise ValueError(f"explain: {model.name!r} is a {'model with several outputs' if graph else 'subclassed model'}; "
                         "explain writes out a stack of layers or a graph with one output. For this "
                         "model, glassnet.gradients(model, x, y) gives every dJ/dw and "
                         "glassnet.glassbox.model_plot.model_text(model) its graph")
    x, y, sw = model._data(x, y, sample_weight, "explain")
    clone = scratch_copy(model)
    opt = clone.optimizer
    if not opt.built:
        opt.build(clone.trainable_weights)
    rule = opt.update_rule()                        # before the step: Adam's t = iterations + 1
    record = StepRecord()
    value, _ = train_step(clone, x, y, sw, training=False, record=record)
    n = (_GraphNarration if graph else _Narration)(clone, x, y, sw, int(numbers), record)
    n.head()
    n.forward()
    n.loss(value)
    n.backward()
    grads = [v.grad.copy() for v in clone.weights]
    n.update(rule, [record.weights_before[v.path] for v in clone.weights], grads)
    return Explanation("\n".join(n.lines), n.arrays, float(value), grads, [v.value.copy() for v in clone.weights])


class _Narration:
    """The text of one recorded step, section by section."""

    def __init__(self, model, x, y, sw, k, record):
        self.model, self.y, self.sw, self.k, self.record = model, y, sw, k, record
        self.layers = model.layers
        self.arrays: dict[str, np.ndarray] = {"X": x.copy(), "Y": y.copy()}
        self.lines: list[str] = []
        self.labels: dict[int, str] = {}             # id(variable) -> "W[l]" / "b[l]"
        self.m = len(x)

    def put(self, line):
        self.lines.append(line)

    def show(self, eq, shape_note, name=None, value=None, indent="    "):
        """An equation and its shapes; with ``value``, a few of its numbers, kept as ``name``."""
        self.put(f"{indent}{eq:<40} {shape_note}")
        if value is not None:
            self.arrays[name] = np.array(value, copy=True)
            self.put(f"{indent}    {_peek(name, value, self.k)}")

    def keep(self, name, value):
        """Keep an array in ``Explanation.arrays`` without printing it."""
        self.arrays[name] = np.array(value, copy=True)

    def weight(self, variable, label):
        """A weight's value before the step; ``label`` names it in the update section."""
        self.labels[id(variable)] = label
        return self.record.weights_before[variable.path]

    def peek(self, name, a) -> str:
        return _peek(name, a, self.k)

    shape = staticmethod(_shape)

    def head(self):
        layers = self.layers
        dtype = layers[0].weights[0].dtype if layers and layers[0].weights else self.arrays["X"].dtype
        self.put(f"One training step of {self.model.name!r} on a batch of m = {self.m} samples ({dtype}; "
                 f"numbers are the model's own arrays)")
        self.put("")

    # ------------------------------------------------------------------------- forward
    def forward(self):
        self.put("FORWARD   layer after layer; each row is one sample")
        self.show("A[0] = X", _shape(self.arrays["X"]), "X", self.arrays["X"])
        for i, layer in enumerate(self.layers):           # each layer writes its own equations
            layer.narrate_forward(self, i + 1, self.record.inputs[i], self.record.outputs[i])

    # ------------------------------------------------------------------------- loss
    def loss(self, value):
        model, loss, n_layers = self.model, self.model.loss, len(self.layers)
        a = self.record.outputs[-1]
        width = a.shape[-1] if a.ndim > 1 else 1
        self.put("")
        self.put(f"LOSS AND COST   {type(loss).__name__}, f(x) = A[{n_layers}]")
        for line in loss.formula(width):
            self.put(f"    {line}")
        self.show("Y = the labels", _shape(self.y), "Y", self.y)
        per_sample = self.record.per_sample_loss
        self.show(f"L = L(A[{n_layers}], Y), one per sample", _shape(per_sample), "L", per_sample)
        cost = ("J = (1/m) sum_i L(f(x^(i)), y^(i))" if self.sw is None
                else "J = (1/m) sum_i s_i L(f(x^(i)), y^(i))")
        regularized = [v for v in model.trainable_weights if v.regularizer is not None]
        if regularized:
            names = ", ".join(f"{type(v.regularizer).__name__}({v.path})" for v in regularized)
            self.put(f"    {cost} + penalties")
            self.put(f"      penalties = {names} = {_fmt(penalty(regularized))}")
        else:
            self.put(f"    {cost}")
        self.put(f"      J = {value:.6g}     (m = {self.m})")

    # ------------------------------------------------------------------------- backward
    def backward(self):
        self.put("")
        self.put("BACKWARD   the layers in reverse; dX is dJ/dX and has X's shape")
        n_layers, grad = len(self.layers), self.record.output_grad
        for i in range(n_layers - 1, -1, -1):
            layer, l = self.layers[i], i + 1
            self.put(f"  layer {l}: {layer.name}")
            if i == n_layers - 1:
                self._output_gradient(layer, grad)
            shortcut_here = i == n_layers - 1 and self.model.output_shortcut
            layer.narrate_backward(self, l, self.record.input_grads.get(i) if i > 0 else None, shortcut_here)
            if i == 0:
                self.put("    dA[0] = dJ/dX is not needed: there is nothing to update below")

    def _output_gradient(self, last, grad):
        loss, n_layers, sw = self.model.loss, len(self.layers), self.sw
        width = grad.shape[-1] if grad.ndim > 1 else 1
        if self.model.output_shortcut:
            gname = act.serialize(last.activation)
            name = f"d{last.explain_z(n_layers)}"     # dZ[L], or dA[L-1] after an activation layer
            self.show(f"{name} = {loss.shortcut_formula(width, f'A[{n_layers}]')}" + (" * s" if sw is not None else ""),
                      _shape(grad), name, grad)
            self.put(f"        the declared shortcut for {gname} + {type(loss).__name__}: the chain rule "
                     f"through {gname}, written out")
        else:
            self.show(f"dA[{n_layers}] = dJ/dA[{n_layers}] = {loss.gradient_formula(width)}",
                      _shape(grad), f"dA[{n_layers}]", grad)

    # ------------------------------------------------------------------------- update
    def update(self, rule, before, grads):
        opt, put = self.model.optimizer, self.put
        put("")
        put("UPDATE   g = dJ/dw for each weight w; every entry of w is updated at once")
        put("         (below: the entry of each array with the largest |g|, and the whole array's |dw|/|w|)")
        for line in rule:
            put(f"    {line}")
        for note in _update_notes(opt):
            put(f"    ({note})")
        weights = self.model.weights
        position = {id(v): j for j, v in enumerate(opt.variables_to_update)}
        for j, v in enumerate(weights):
            if id(v) not in position:
                continue
            name = self.labels.get(id(v), v.path)
            w0, w1, g = before[j], v.value, grads[j]
            at = np.unravel_index(int(np.argmax(np.abs(g))), g.shape) if g.size else ()
            at = tuple(int(i) for i in at)
            slots = opt.slots_of(position[id(v)])
            state = "".join(f", {n} = {_fmt(s[at])}" for n, s in slots.items())
            norm0 = float(np.linalg.norm(w0))
            ratio = f"|dw|/|w| = {float(np.linalg.norm(w1 - w0)) / norm0:.2g}" if norm0 > 0 else "(w was 0)"
            put(f"    {name}{list(at)}: g = {_fmt(g[at])}{state}, w = {_fmt(w0[at])} -> {_fmt(w1[at])}    {ratio}")
            self.arrays[f"{name} new"] = w1.copy()


class _GraphNarration(_Narration):
    """A functional graph's step: its calls in order, then back in reverse, where the
    gradients of a tensor used by several calls add up (glassnet/engine/graph.py)."""

    def __init__(self, model, x, y, sw, k, record):
        super().__init__(model, x if not isinstance(x, list) else x[0], y, sw, k, record)
        self.graph = model._graph
        self.inputs = x if isinstance(x, list) else [x]
        self.names = {}
        seen = {}
        for inp in self.graph.inputs:
            self.names[id(inp)] = inp.name
        for node in self.graph.order:                      # a layer's second call: name#2
            seen[id(node.layer)] = seen.get(id(node.layer), 0) + 1
            n = seen[id(node.layer)]
            self.names[id(node)] = node.layer.name + (f"#{n}" if n > 1 else "")

    def head(self):
        self.put(f"One training step of the graph {self.model.name!r} on a batch of m = {self.m} samples "
                 "(numbers are the model's own arrays)")
        self.put("")

    def forward(self):
        self.put("FORWARD   each call in order, on what earlier calls made; each row is one sample")
        for inp, value in zip(self.graph.inputs, self.inputs):
            self.show(f"{inp.name} = the input {inp.name!r}", _shape(value), inp.name, value)
        for node in self.graph.order:
            given = ", ".join(self.names[id(p)] for p in node.parents)
            value = self.graph.values[id(node)]
            name = self.names[id(node)]
            self.show(f"{name} = {type(node.layer).__name__}({given})", _shape(value), name, value)

    def loss(self, value):
        out = self.graph.outputs[0]
        self.layers = self.model.layers                     # (for the base class's loss section)
        self.record.outputs = [self.graph.values[id(out)]]
        self.put("")
        self.put(f"LOSS AND COST   {type(self.model.loss).__name__} of {self.names.get(id(out), 'the output')}")
        for line in self.model.loss.formula(self.record.outputs[0].shape[-1] if self.record.outputs[0].ndim > 1 else 1):
            self.put(f"    {line}")
        self.show("L, one per sample", _shape(self.record.per_sample_loss), "L", self.record.per_sample_loss)
        self.put(f"      J = {value:.6g}     (m = {self.m})")

    def backward(self):
        self.put("")
        self.put("BACKWARD   the calls in reverse: each turns dJ/d(its output) into dJ/d(each input);")
        self.put("           where a tensor feeds several calls, its gradient is the SUM over them")
        uses = {}
        for node in self.graph.order:
            for p in node.parents:
                uses[id(p)] = uses.get(id(p), 0) + 1
        for node in reversed(self.graph.order):
            grad = self.graph.grads.get(id(node))
            name = self.names[id(node)]
            if grad is None:
                self.put(f"    d{name}: this call does not reach the loss")
                continue
            note = f"   (the sum over its {uses[id(node)]} uses)" if uses.get(id(node), 0) > 1 else ""
            self.show(f"d{name} = dJ/d{name}{note}", _shape(grad), f"d{name}", grad)
            for v in node.layer.trainable_weights:
                self.labels.setdefault(id(v), v.path)
        shared = [layer.name for layer in self.graph.layers
                  if sum(node.layer is layer for node in self.graph.order) > 1 and layer.trainable_weights]
        if shared:
            self.put(f"    shared layers ({', '.join(shared)}): their dJ/dw is the sum over their calls")


def _update_notes(opt) -> list[str]:
    notes = []
    if opt.clipnorm is not None:
        notes.append(f"g is first clipped to norm {opt.clipnorm:g} (per array)")
    if opt.global_clipnorm is not None:
        notes.append(f"g is first clipped to a global norm {opt.global_clipnorm:g}")
    if opt.clipvalue is not None:
        notes.append(f"g is first clipped to [-{opt.clipvalue:g}, {opt.clipvalue:g}]")
    if opt.weight_decay:
        notes.append(f"then w <- w - w * {opt.weight_decay:g} * lr (decoupled weight decay) before the rule")
    return notes
