"""``GradientTape``: reverse-mode automatic differentiation over anything a program computes.

While a tape is open, every operation on a Tensor or a Variable that the tape follows is
recorded as a :class:`Node`: what it read, what it made, and its vector-Jacobian product
(``glassnet/tf/vjps.py`` holds the table of those, each beside its forward). A tape follows
what it watches (``tape.watch(x)``; trainable Variables as soon as they are read) and
everything computed from those. Three kinds of node:

* an operation (``x * w``, ``tf.reduce_sum``, ``np.exp``, ``t[0]``, ``t.T``...): its rule in the table;
* a layer or a model called on data (``layer(x)``, ``model(x)``): ONE node whose vjp is the
  layer's own ``backward``, run on the state that call's forward kept (a layer called twice
  keeps one state per call); its weights' ``grad`` are read after it and added up; what the
  call added with ``add_loss`` (``model.losses``: an ActivityRegularization's penalty) are
  outputs of that node too, so each term's layer gets the gradient the program's loss gave it;
* a loss called on data (``loss_fn(y, p)``): one node whose vjp is the loss's ``gradient``.

``tape.gradient(target, sources)`` is one walk (tinygrad's ``gradient.py`` is the model)::

    dJ/d(target) = ones (a non-scalar target is summed, as TensorFlow) or output_gradients
    for each recorded node, last to first, on a path from a source to the target:
        dJ/d(its inputs) += node.vjp(dJ/d(its outputs))        # gradients ADD where paths meet

The vjps are computed with recorded operations, so an outer tape records them too: nested
tapes give second derivatives (of the elementwise operations and matmul). A layer's
``backward`` is plain NumPy, differentiated once: so a layer call stays one node (fit's
kernels, in every first-order loop, a GAN's two tapes included), and only where an outer
tape records the walk through it (nested tapes: a Hessian, a gradient penalty) does its vjp
run the layer again as ``call_ops`` (its forward written with tf operations; a Sequential
model's layers in turn, a functional model's nodes in order; the call's ``training`` and the
state its forward kept, a Dropout's mask, as they were) on a tape of its own, whose walk the
outer tape records: the inner gradient is differentiable again. A layer without ``call_ops``
refuses by name.

A loop of one's own (a tape, then ``optimizer.apply_gradients``) gets what ``fit`` sets up
(``glassnet/fast/loop.py``): BLAS on the cores other programs leave free, subnormal numbers
flushed to zero while the tape records and walks back, Dense's backward run without copying
its weights' ``grad`` twice, the optimizer's packed update; the same numbers as the readable
code, which runs instead under ``set_fast_path(False)``, a tracer, or a replaced method.

>>> import numpy as np, glassnet as tf
>>> x = tf.constant(3.0)
>>> with tf.GradientTape() as outer:
...     outer.watch(x)
...     with tf.GradientTape() as inner:
...         inner.watch(x)
...         y = x ** 3
...     dy = inner.gradient(y, x)                 # 3x^2 = 27
>>> float(dy), float(outer.gradient(dy, x))       # d(3x^2)/dx = 6x = 18
(27.0, 18.0)
>>> layer = tf.keras.layers.Dense(1, kernel_initializer="ones", use_bias=False)
>>> with tf.GradientTape() as tape:
...     loss = tf.keras.losses.MeanSquaredError()(np.array([[0.0]]), layer(np.array([[2.0]])))
>>> tape.gradient(loss, layer.trainable_variables)[0].tolist()    # d(2w - 0)^2/dw = 8 at w = 1
[[8.0]]
"""
from __future__ import annotations

import contextlib
import contextvars
import enum
import functools
import inspect

import numpy as np

from .tensor import _OPEN                    # _OPEN.tapes: the tapes open in this thread, innermost last
from .tensor import Tensor, wrap
from .variable import Variable

__all__ = ["GradientTape", "Node", "UnconnectedGradients", "custom_gradient", "stop_gradient"]

# the training flag a subclassed model's call was given, for the layers it calls without one
_TRAINING = contextvars.ContextVar("glassnet_training", default=None)


def training(explicit, default: bool = False) -> bool:
    """A layer call's ``training``: as given, else the enclosing model call's, else the
    layer's own ``default`` (Keras's ``call(..., training=...)`` default: False for Dropout,
    True for the augmentation layers)."""
    if explicit is not None:
        return bool(explicit)
    enclosing = _TRAINING.get()
    return default if enclosing is None else bool(enclosing)


def training_given(explicit):
    """``training`` as given or decided by an enclosing model call, else None: a model called
    with it unset lets each layer take its own default (``Layer.default_training``)."""
    return explicit if explicit is not None else _TRAINING.get()


@contextlib.contextmanager
def training_scope(value):
    """Within: layers called without ``training`` take ``value`` (Keras passes it down so)."""
    token = _TRAINING.set(None if value is None else bool(value))
    try:
        yield
    finally:
        _TRAINING.reset(token)


# -- what is recorded --------------------------------------------------------------------------
class Node:
    """One recorded operation: its ``inputs`` (Tensors, Variables, constants), its ``outputs``
    (Tensors) and ``vjp(grads, need)``: from dJ/d(each output) to dJ/d(each input whose
    ``need`` is True), None where an input gets nothing."""

    __slots__ = ("name", "inputs", "outputs", "vjp")

    def __init__(self, name, inputs, outputs, vjp):
        self.name, self.inputs, self.outputs, self.vjp = name, list(inputs), list(outputs), vjp

    def __repr__(self):
        return f"<Node {self.name}: {len(self.inputs)} in, {len(self.outputs)} out>"


def recording() -> bool:
    """True while a tape is open (``Layer.__call__`` asks before recording: one list's truth)."""
    return bool(_OPEN.tapes)


def recording_tapes() -> list:
    """The open tapes that are not inside ``stop_recording()``."""
    tapes = _OPEN.tapes
    return [t for t in tapes if not t._paused] if tapes else []


def add(tapes, node) -> None:
    """Record ``node`` on ``tapes``: each follows its outputs from now on."""
    for t in tapes:
        t._nodes.append(node)
        for out in node.outputs:
            t._known[id(out)] = out


def read(v: Variable, copy=False) -> Tensor:
    """``v``'s value as a Tensor. Each open tape that watches accessed variables starts to
    follow a trainable ``v``; a tape that follows it records the read (a copy of the numbers:
    a later ``assign`` does not change what the tape saw)."""
    tapes = recording_tapes()
    for t in tapes:
        if t._watch_accessed and v.trainable:
            t._known.setdefault(id(v), v)
    followers = [t for t in tapes if id(v) in t._known]
    if not followers:
        return v.value.copy().view(Tensor) if copy else v.value.view(Tensor)
    out = v.value.copy().view(Tensor)
    add(followers, Node(f"ReadVariable({v.path})", [v], [out], lambda gs, need: [gs[0]]))
    return out


def followers(inputs) -> list:
    """The recording tapes that follow at least one of ``inputs`` (a trainable Variable among
    them is read by the call: each tape that watches accessed variables starts to follow it)."""
    out = []
    for t in recording_tapes():
        known, auto, hit = t._known, t._watch_accessed, False
        for x in inputs:
            if auto and isinstance(x, Variable) and x.trainable:
                known.setdefault(id(x), x)
                hit = True
            elif not hit and id(x) in known:
                hit = True
        if hit:
            out.append(t)
    return out


def _parts(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def record_call(unit, given, returned, training=None) -> None:
    """A layer's or model's call on data: one node whose vjp is ``unit.backward`` (with the
    state this call's forward kept). Each tape watching accessed variables follows the
    unit's trainable weights. ``training``: the call's (None: each layer's own default), for
    running it again as ``call_ops`` the same way."""
    tapes = recording_tapes()
    if not tapes:
        return
    weights = unit.trainable_weights
    ins = [] if isinstance(given, dict) else _parts(given)      # a dict of inputs: the weights' gradients only
    outs = list(returned.values()) if isinstance(returned, dict) else _parts(returned)   # a dict: in output order
    tapes = followers(ins + weights)
    if tapes:
        # what the call added with add_loss (an activity penalty: model.losses) are outputs of the node too:
        # a program's loss + sum(model.losses) gets their gradients, a loss without them none
        from ..layers import by_call  # noqa: PLC0415 - the layers build on this module
        added = [t if isinstance(t, Tensor) else wrap(np.asarray(t))     # (a plain number: a constant term,
                 for t in by_call.added_losses(unit)]                    # kept so the seeds line up)
        add(tapes, Node(f"{type(unit).__name__}({unit.name})", ins + weights, outs + added,
                        _LayerVjp(unit, len(ins), isinstance(given, (list, tuple)), outs, weights,
                                  isinstance(returned, (list, tuple, dict)), len(added), training)))


def _ops_of(unit, training=None):
    """``unit``'s forward as recorded tf operations, ``f(inputs) -> outputs``: a layer's
    ``call_ops``, a Sequential model's layers' in turn, a functional model's nodes in order;
    None where some part has none. ``training``: the call's (None: each layer's default)."""
    if isinstance(unit, _model_class()):
        graph = unit.__dict__.get("_graph")
        if graph is not None:
            return _graph_ops(graph, training)
        if not unit._is_stack():
            return None
        layers = [layer for layer in unit.layers if type(layer).__name__ != "InputLayer"]
        parts = [_ops_of(layer, training) for layer in layers]
        if not layers or None in parts:
            return None

        def stack(x):
            for part in parts:
                x = part(x)
            return x
        return stack
    call_ops = getattr(unit, "call_ops", None)
    if call_ops is None or unit.makes_mask:
        return None
    return lambda x: call_ops(x, unit.default_training if training is None else bool(training))


def _graph_ops(graph, training):
    """A functional graph's nodes as recorded tf operations, in the order the graph runs them
    (``glassnet/engine/graph.py``): each node's layer's ops on its parents' values. None where
    a layer has none, or a node reads a recurrent layer's returned state."""
    if any(node.index for node in graph.order):
        return None
    parts = [_ops_of(node.layer, training) for node in graph.order]
    if None in parts:
        return None

    def run(x):
        values = {id(i): v for i, v in zip(graph.inputs, x if isinstance(x, list) else [x])}
        for node, part in zip(graph.order, parts):
            args = [values[id(p)] for p in node.parents]
            values[id(node)] = part(args if node.takes_list else args[0])
        outs = [values[id(o)] for o in graph.outputs]
        return outs[0] if len(outs) == 1 else outs
    return run


class _LayerVjp:
    """A layer call's vjp: its ``backward``, run on what that call's forward kept (plain
    NumPy: differentiated once; an outer tape asked through it refuses, naming the layer)."""

    first_order_only = True

    def __init__(self, unit, n_in, list_in, outs, weights, list_out, n_added=0, training=None):
        self.unit, self.n_in, self.list_in, self.weights, self.list_out = unit, n_in, list_in, weights, list_out
        self.n_added = n_added                     # the node's last outputs: the call's add_loss terms
        self.training = training                   # the call's (call_ops run the same way)
        self.dtypes = [o.dtype for o in outs]
        self.state = _snapshot(unit)
        from ..fast import loop  # noqa: PLC0415 - fast builds on this module
        self.twin = loop.backward_twin(unit)       # the fast path's: the same numbers, no copies of grad

    def twice(self, node, grads, need):
        """The vjp as recorded tf operations, for an outer tape that records this gradient
        (nested tapes: a Hessian, a gradient penalty): the call runs again as ``call_ops`` on
        a tape of its own, whose walk the outer tapes record. None where the unit has no
        ``call_ops`` or its operations do not give the numbers the call gave (a Dropout in
        training, weights changed since): then the first-order rule runs, and refuses a
        second derivative by name."""
        ops = _ops_of(self.unit, self.training)
        ins, weights = node.inputs[:self.n_in], node.inputs[self.n_in:]
        if ops is None or not ins:
            return None
        for obj, state in self.state:              # as this call's forward left them (a Dropout's mask)
            vars(obj).update(state)
        ins = [x if isinstance(x, (Tensor, Variable)) else wrap(np.asarray(x)) for x in ins]   # (not followed)
        with GradientTape(watch_accessed_variables=False) as again:
            again.watch([x for x in ins + weights if np.dtype(x.dtype).kind == "f"])
            out = ops(list(ins) if self.list_in else ins[0])
        outs = _parts(out)
        if len(outs) != len(node.outputs) or any(
                np.shape(a) != np.shape(b) or not np.allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
                for a, b in zip(outs, node.outputs)):
            return None
        got = again.gradient(outs, list(ins) + list(weights), output_gradients=list(grads))
        return [g if wanted else None for g, wanted in zip(got, need)]

    def __call__(self, grads, need):
        for obj, state in self.state:              # as this call's forward left them
            vars(obj).update(state)
        if not self.n_added:
            return self._backward(grads, need)
        from ..layers import by_call  # noqa: PLC0415 - the layers build on this module
        by_call.set_loss_seeds(self.unit, [np.asarray(g) for g in grads[-self.n_added:]])   # dJ/d(each term)
        try:
            return self._backward(grads[:-self.n_added], need)
        finally:
            by_call.set_loss_seeds(self.unit, None)                # fit's backward: 1 for every term

    def _backward(self, grads, need):
        grads = [np.asarray(g, dtype=d) for g, d in zip(grads, self.dtypes)]
        need_input = any(need[:self.n_in])
        if self.twin is not None:
            dx, weight_grads = self.twin(self.unit, grads if self.list_out else grads[0], need_input)
            return [dx] + weight_grads if need_input else [None] * self.n_in + weight_grads
        dx = self.unit.backward(grads if self.list_out else grads[0], need_input)
        dxs = ([None] * self.n_in if not need_input else list(dx) if self.list_in else [dx])
        return dxs + [v.grad.copy() for v in self.weights]     # copies: the next backward overwrites them


def _snapshot(unit):
    """What each layer's forward kept for its backward (its array attributes: ``x``, ``z``,
    a dropout mask...; its tuples too: Flatten's input shape, a convolution's pads), by reference:
    forward makes new arrays and tuples, so a later call of the same layer (a discriminator called
    on real images, then on a batch of fakes of another size) cannot change them, and the vjp
    puts them back first. A functional graph's per-call states too."""
    out = []
    if isinstance(unit, _model_class()):
        graph = unit.__dict__.get("_graph")
        if graph is not None:
            out.append((graph, {"_states": graph.__dict__.get("_states")}))
        if unit.__dict__.get("_last_call") is not None:
            out.append((unit, {"_last_call": unit._last_call}))
        for layer in unit.layers:
            out += _snapshot(layer)
    else:
        out.append((unit, {k: v for k, v in vars(unit).items() if isinstance(v, (np.ndarray, tuple))}))
    return out


def _model_class():
    """``glassnet.engine.model.Model``, imported once (the engine builds on this module)."""
    global _MODEL
    if _MODEL is None:
        from ..engine.model import Model  # noqa: PLC0415
        _MODEL = Model
    return _MODEL


_MODEL = None


def record_loss(loss, y_true, y_pred, sample_weight, returned, values=None) -> None:
    """A loss called on data: one node whose vjp is the loss's own ``gradient``::

        J = reduce(w_i L_i(y_i, p_i))      dJ/dp_i = dJ/dL_i * w_i / d * gradient(y_i, p_i)

    with ``d`` = the number of values (``sum_over_batch_size``), ``sum(w)``
    (``mean_with_sample_weight``) or 1 (``sum``, ``none``). ``values``: the per-sample values
    the call computed (their shape and number), if the caller has them."""
    tapes = followers([y_pred, y_true])
    if not tapes:
        return
    p = np.asarray(y_pred.value if isinstance(y_pred, Variable) else y_pred)
    if p.dtype.kind != "f":
        return
    y_true_plain = np.asarray(y_true.value if isinstance(y_true, Variable) else y_true)
    shape = None if values is None else np.shape(values)

    def vjp(grads, need):
        y = loss.prepare(y_true_plain, p)
        n_shape = np.shape(loss.call(y, p)) if shape is None else shape   # (the reduction's shape and number)
        per_sample = np.asarray(loss.gradient(y, p))
        weighted = loss.reduction == "mean_with_sample_weight" and sample_weight is not None
        d = max(int(np.prod(n_shape)), 1) if loss.reduction in ("sum_over_batch_size", "mean") or (
            loss.reduction == "mean_with_sample_weight" and not weighted) else 1
        if sample_weight is None and loss.reduction not in ("none", None):
            s = float(np.asarray(grads[0])) / d                                  # dJ/dL_i: one number
            dp = wrap(per_sample * s)
            return [dp, _y_true_grad(loss, dp, y_true, y, p, s) if need[1] else None]
        c = np.asarray(grads[0], dtype=p.dtype)
        if sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=p.dtype)
            while sw.ndim > len(n_shape) and sw.shape[-1] == 1:
                sw = sw.reshape(sw.shape[:-1])
            c = c * sw
            if weighted:
                d = np.sum(sw)
        c = np.broadcast_to(c / d, n_shape)
        s = c.reshape(c.shape + (1,) * (per_sample.ndim - c.ndim))
        dp = wrap(per_sample * s)
        return [dp, _y_true_grad(loss, dp, y_true, y, p, s) if need[1] else None]

    vjp.first_order_only = True
    add(tapes, Node(f"{type(loss).__name__}", [y_pred, y_true], [returned], vjp))


def _y_true_grad(loss, dp, y_true, y, p, scale):
    """dJ/dy_true: ``scale`` (dJ/dL_i) times the loss's own ``gradient_y_true(y, p)`` where it has
    one (KLDivergence: a teacher's softened predictions are y_true), else, for the losses of
    ``y_true - y_pred`` alone, -dJ/dp (L(y - p): dL/dy = -dL/dp)."""
    from .. import losses  # noqa: PLC0415 - losses build on this module
    own = getattr(loss, "gradient_y_true", None)
    if own is not None:
        return wrap((np.asarray(own(y, p)) * scale).astype(p.dtype).reshape(np.shape(y_true)))
    if not isinstance(loss, (losses.MeanSquaredError, losses.MeanAbsoluteError, losses.Huber)):
        raise LookupError(f"GradientTape.gradient: {type(loss).__name__} has no gradient with respect to "
                          "y_true, and y_true depends on a source here; wrap it in tf.stop_gradient(...)")
    return wrap(-np.asarray(dp).reshape(np.shape(y_true)))


# -- what a loop of one's own gets of fit's fast path (glassnet/fast/loop.py) ---------------
def flushed():
    """A context manager: subnormal numbers flushed to zero within, as ``fit`` does (and
    TensorFlow's CPU kernels); the tape records, walks back and ``apply_gradients`` updates so."""
    from ..fast import loop  # noqa: PLC0415 - fast builds on this module
    return loop.flushed()


def packed_update(optimizer, grads, variables) -> bool:
    """``Optimizer.apply_gradients`` asks here first: fit's packed update of ``variables``
    from ``grads`` (``glassnet.fast.update``: the same numbers as ``apply``) where the fast
    path applies; False, with nothing done, where the readable ``apply`` must run."""
    from ..fast import loop  # noqa: PLC0415 - fast builds on this module
    return loop.apply_gradients(optimizer, grads, variables)


# -- the tape ------------------------------------------------------------------------------
class GradientTape:
    """TensorFlow's ``tf.GradientTape(persistent=False, watch_accessed_variables=True)``.

    ``persistent=True`` allows more than one ``gradient`` (or ``jacobian``) call;
    ``watch_accessed_variables=False`` follows only what :meth:`watch` is given."""

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._nodes: list = []
        self._known: dict = {}          # id -> each Tensor or Variable this tape follows (kept alive)
        self._paused = self._used = False
        self._flush = None

    def __enter__(self):
        # As in fit (glassnet/fast/loop.py): BLAS on the cores free now, subnormals flushed to zero
        from ..fast import loop  # noqa: PLC0415 - fast builds on this module
        loop.begin()
        self._flush = flushed()
        self._flush.__enter__()
        _OPEN.tapes.append(self)
        return self

    def __exit__(self, *exc):
        _OPEN.tapes.remove(self)
        flush, self._flush = self._flush, None
        if flush is not None:
            flush.__exit__(None, None, None)
        return False

    def watch(self, tensor) -> None:
        """Follow ``tensor`` (a Tensor or a Variable, or a list, tuple or dict of them) and
        everything computed from it from now on."""
        for t in _flatten(tensor):
            if not isinstance(t, (Tensor, Variable)):
                raise ValueError(f"GradientTape.watch: passed in object {t!r} of type {type(t).__name__!r}, not a "
                                 "Tensor or a Variable; make it one first (tf.constant(x) or tf.Variable(x))")
            _warn_not_float(t, "watched tensor", "")
            self._known.setdefault(id(t), t)

    @property
    def recorded(self) -> tuple:
        """The nodes recorded so far, in order (each with its ``name``, ``inputs``, ``outputs``):
        what ``gradient`` will run back, for the glass box."""
        return tuple(self._nodes)

    def watched_variables(self) -> tuple:
        """The Variables this tape follows, in the order it met them."""
        return tuple(v for v in self._known.values() if isinstance(v, Variable))

    @contextlib.contextmanager
    def stop_recording(self):
        """Within: nothing is recorded on this tape."""
        paused, self._paused = self._paused, True
        try:
            yield
        finally:
            self._paused = paused

    def _release(self) -> None:
        """After a non-persistent tape's one gradient: the record goes (memory), the watched
        Variables stay listed (``watched_variables``, as TensorFlow's)."""
        self._nodes = []
        self._known = {k: v for k, v in self._known.items() if isinstance(v, Variable)}

    def reset(self) -> None:
        """Forget everything recorded (the tape stays open)."""
        self._nodes, self._known = [], {}

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """``d(sum of target)/d(source)`` for each source, in the structure ``sources`` was given
        (one value, a list, a tuple or a dict). A source no recorded operation connects to the
        target gives None (``unconnected_gradients="zero"``: zeros); so does an integer one. One
        connected only through derivatives that are 0 gets zeros, as in TensorFlow: a gradient
        penalty's gradient w.r.t. a bias before a ReLU, LeakyReLU or max pooling, whose gradients
        keep the pre-activation as an input (``vjps.step``); before linear layers only: None."""
        zero = _unconnected(unconnected_gradients)
        self._claim("gradient")
        flat = _flatten(sources)
        for s in flat:
            if not isinstance(s, (Tensor, Variable)):
                raise ValueError(f"GradientTape.gradient: each source must be a Tensor or a Variable, got "
                                 f"{type(s).__name__} ({s!r:.60})")
            _warn_not_float(s, "source tensor", " when calling GradientTape.gradient")
        with flushed():                             # subnormals flushed to zero, as in fit
            grads = self._walk(_flatten(target), _flatten(output_gradients) if output_gradients is not None
                               else None, flat)
        out = [_result(s, grads.get(id(s)), zero) for s in flat]
        if not self.persistent:
            self._release()
        return _unflatten(sources, out)

    def jacobian(self, target, sources, unconnected_gradients="none", parallel_iterations=None,
                 experimental_use_pfor=True):
        """``J[i..., j...] = d target[i...] / d source[j...]`` (shape: target's + source's), one
        backward walk per element of the target: for small cases."""
        zero = _unconnected(unconnected_gradients)
        self._claim("jacobian")
        flat = _flatten(sources)
        reached = [self._reaches(target, s) for s in flat]
        t = np.asarray(target)
        rows = [[] for _ in flat]
        for i in range(t.size):
            seed = np.zeros(t.shape, t.dtype if t.dtype.kind == "f" else np.float32)
            seed.flat[i] = 1
            grads = self._walk([target], [seed], flat)
            for row, s in zip(rows, flat):
                g = _result(s, grads.get(id(s)), True)
                row.append(None if g is None else np.asarray(g))
        out = []
        for row, s, r in zip(rows, flat, reached):
            if s.dtype.kind not in "fc" or not (r or zero):
                out.append(None)
            else:
                full = np.stack(row) if row else np.zeros((0,) + tuple(s.shape), s.dtype)
                out.append(wrap(full.reshape(t.shape + tuple(s.shape))))
        if not self.persistent:
            self._release()
        return _unflatten(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients="none", parallel_iterations=None,
                       experimental_use_pfor=True):
        """``J[b, i..., j...] = d target[b, i...] / d source[b, j...]``: the jacobian of each
        sample's output with respect to that sample's input (both batch first)."""
        full = self.jacobian(target, source, unconnected_gradients)
        if full is None:
            return None
        t_shape, s_shape = np.shape(target), tuple(source.shape)
        if not t_shape or not s_shape or t_shape[0] != s_shape[0]:
            raise ValueError(f"batch_jacobian: target {t_shape} and source {s_shape} need the same first (batch) "
                             "dimension")
        n = t_shape[0]
        arr = np.asarray(full).reshape((n, -1, n, int(np.prod(s_shape[1:], dtype=int))))
        picked = arr[np.arange(n), :, np.arange(n), :]                    # (n, target part, source part)
        return wrap(picked.reshape((n,) + tuple(t_shape[1:]) + s_shape[1:]))

    def _reaches(self, target, source) -> bool:
        reached = {id(source)}
        for node in self._nodes:
            if any(id(i) in reached for i in node.inputs):
                reached.update(id(o) for o in node.outputs)
        return id(target) in reached

    def _claim(self, what) -> None:
        if self._used and not self.persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of gradients "
                               "(or jacobians)")
        self._used = True

    def _walk(self, targets, seeds, sources) -> dict:
        """The walk: dJ/d(x) for every x on a path from ``sources`` to ``targets``, by id."""
        relevant = {id(s) for s in sources}
        live = []
        for node in self._nodes:                        # recorded in order: a topological order
            need = [id(i) in relevant for i in node.inputs]
            if True in need:
                live.append((node, need))
                relevant.update(id(o) for o in node.outputs)
        grads: dict = {}
        # what the vjps compute is recorded on the outer tapes; on this one too where it is persistent and
        # still open (TensorFlow's: a gradient asked inside a persistent tape's context is recorded on it)
        inside = self.persistent and any(t is self for t in _OPEN.tapes)
        paused, self._paused = self._paused, self._paused or not inside
        try:
            for k, t in enumerate(targets):
                seed = seeds[k] if seeds is not None else None
                if seed is None:
                    seed = np.ones(np.shape(t), _float_dtype(t))
                elif np.shape(seed) != np.shape(t):
                    raise ValueError(f"GradientTape.gradient: output_gradients[{k}] has shape {np.shape(seed)}, "
                                     f"but its target has shape {np.shape(t)}")
                _accumulate(grads, t, seed)
            for node, need in reversed(live):
                gs = [grads.get(id(o)) for o in node.outputs]
                if all(g is None for g in gs):
                    continue
                gs = [np.zeros(np.shape(o), _float_dtype(o)) if g is None else g for g, o in zip(gs, node.outputs)]
                results = None
                if isinstance(node.vjp, _LayerVjp) and followers(list(gs) + node.inputs):
                    results = node.vjp.twice(node, gs, need)   # an outer tape records this: tf operations
                twice = results is not None
                if not twice:
                    results = node.vjp(gs, need)
                if not twice and getattr(node.vjp, "first_order_only", False) and _OPEN.tapes:
                    results = _first_order(node, gs, results)
                for x, g, wanted in zip(node.inputs, results, need):
                    if wanted and g is not None:
                        _accumulate(grads, x, g)
        finally:
            self._paused = paused
        return grads

    # -- a subclassed model's backward during fit (engine/model.py) -------------------------
    def run_back(self, out, grad, given=None, need_input_grad=False, who="call()"):
        """Run what was recorded back from ``grad`` (``dJ/d out``): every Variable read on the
        way (the layers' weights, the model's own) gets its ``grad`` (zeros where ``out`` does
        not depend on it); returns ``dJ/d given`` when ``need_input_grad``. A subclassed
        model's ``backward`` is this (``fit`` trains it so)."""
        variables = list({id(x): x for n in self._nodes for x in n.inputs if isinstance(x, Variable)}.values())
        sources = variables + ([given] if need_input_grad and given is not None else [])
        if need_input_grad and given is not None and not any(x is given for n in self._nodes for x in n.inputs):
            raise TypeError(f"{who}: dJ/d(input) is needed here (the model follows another layer), but no recorded "
                            "operation read the input itself: what the call did to it first was plain NumPy on an "
                            "array no tape followed. Begin the call with a layer (or tf operation on a layer's "
                            "output), or put this model first")
        try:
            grads = self._walk([out], [grad], sources)
        except LookupError as e:
            raise LookupError(f"{who}: {e}") from None
        for v in variables:
            g = grads.get(id(v))
            v.grad = np.zeros_like(v.value) if g is None else np.asarray(g)
        if not need_input_grad:
            return None
        dx = grads.get(id(given))
        return np.zeros(np.shape(given), _float_dtype(given)) if dx is None else np.asarray(dx)


def _first_order(node, grads, results) -> list:
    """The gradients a plain-NumPy vjp (a layer's backward, a loss's gradient) computed, as
    Tensors that an outer tape following its inputs records with a vjp that refuses: a
    second derivative through it is not available, and the tape says so instead of a silent 0."""
    inputs = list(grads) + node.inputs
    tapes = followers(inputs)
    if not tapes:
        return results
    outs = [None if r is None else wrap(np.array(r)) for r in results]

    def refuse(gs, need):
        raise LookupError(f"GradientTape.gradient: a second derivative through {node.name} is not available: its "
                          "gradient comes from plain NumPy (a layer's backward, a loss's gradient), differentiated "
                          "once. Write that step with tf operations (tf.matmul, tf.nn.relu, ...) to nest tapes")
    add(tapes, Node(f"the gradient of {node.name}", inputs, [o for o in outs if o is not None], refuse))
    return outs


def _warn_not_float(t, what, when) -> None:
    """TensorFlow's warning for an integer or string tensor watched or asked about: it gets
    no gradient (None)."""
    kind = np.dtype(getattr(t, "dtype", np.float32)).kind
    import sys  # noqa: PLC0415
    caller = sys._getframe(2).f_globals.get("__name__", "")
    if kind not in "fc" and not caller.startswith("glassnet."):     # glassnet's own watches (a Lambda's) stay quiet
        import warnings  # noqa: PLC0415
        name = "string" if kind in "USO" else np.dtype(t.dtype).name
        warnings.warn(f"The dtype of the {what} must be floating (e.g. tf.float32){when}, got tf.{name}",
                      stacklevel=3)


def _float_dtype(x):
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        dtype = np.asarray(x).dtype
    return dtype if dtype.kind == "f" else np.dtype(np.float32)


def _accumulate(grads, x, g) -> None:
    key = id(x)
    grads[key] = g if key not in grads else grads[key] + g


def _result(source, g, zero):
    plain = source.value if isinstance(source, Variable) else source
    if plain.dtype.kind not in "fc":              # integers carry no gradient, as in TensorFlow
        return None
    if g is None:
        return wrap(np.zeros(plain.shape, plain.dtype)) if zero else None
    if np.shape(g) != plain.shape:
        g = g + np.zeros(plain.shape, plain.dtype)
    g = wrap(g) if isinstance(g, (np.ndarray, np.generic)) else wrap(np.asarray(g))
    if g.dtype != source.dtype:
        from . import vjps  # noqa: PLC0415 - vjps builds on this module
        g = vjps.cast(g, source.dtype)
    return g


class UnconnectedGradients(enum.Enum):
    """``tf.UnconnectedGradients``: what ``gradient`` gives a source the target does not reach."""
    NONE = "none"
    ZERO = "zero"


def _unconnected(value) -> bool:
    value = getattr(value, "value", value)         # tf.UnconnectedGradients.ZERO
    if value not in ("none", "zero"):
        raise ValueError(f"GradientTape: unconnected_gradients must be 'none' or 'zero', got {value!r}")
    return value == "zero"


def _flatten(structure) -> list:
    if isinstance(structure, dict):
        return [x for k in structure for x in _flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [x for s in structure for x in _flatten(s)]
    return [structure]


def _unflatten(structure, flat):
    return _build(structure, iter(flat))


def _build(s, it):
    # (a module function, not a closure calling itself: that closure's cell was a reference
    # cycle holding the flat list, so every step's gradients lived on until the garbage
    # collector ran, and the next step's 11 MB arrays were new memory, page faults and all)
    if isinstance(s, dict):
        return {k: _build(v, it) for k, v in s.items()}
    if isinstance(s, (list, tuple)):
        items = [_build(v, it) for v in s]
        return items if isinstance(s, list) else tuple(items)
    return next(it)


# -- two ways to shape what is recorded ----------------------------------------------------
def stop_gradient(input, name=None) -> Tensor:  # noqa: A002 (TensorFlow's name)
    """``tf.stop_gradient``: the same numbers, which no tape follows (a constant)."""
    value = input.value if isinstance(input, Variable) else input
    return wrap(np.array(value, copy=True))


def custom_gradient(f=None):
    """``@tf.custom_gradient``: ``f(*x)`` returns ``(y, grad_fn)``; ``grad_fn(dy)`` gives dJ/dx
    (one per input, a tuple for several). If ``f`` reads Variables, ``grad_fn(dy,
    variables=...)`` returns ``(dx, [dJ/dv for each variable])``. The operations inside ``f``
    are not recorded: ``grad_fn`` is the node's vjp.

    >>> import glassnet as tf
    >>> @tf.custom_gradient
    ... def clip_grad(x):
    ...     return tf.identity(x), lambda dy: tf.clip_by_value(dy, -1.0, 1.0)
    >>> x = tf.constant([3.0])
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = clip_grad(x) * 10.0
    >>> tape.gradient(y, x).numpy()
    array([1.], dtype=float32)
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        tapes = recording_tapes()
        if not tapes:
            out, _ = f(*args, **kwargs)
            return out
        args = tuple(read(a) if isinstance(a, Variable) else a for a in args)    # TF reads a Variable given
        with GradientTape() as seen:                 # which Variables f reads
            for t in tapes:
                t._paused = True
            try:
                out, grad_fn = f(*args, **kwargs)
            finally:
                for t in tapes:
                    t._paused = False
        variables = list(seen.watched_variables())
        for t in tapes:
            if t._watch_accessed:
                for v in variables:
                    t._known.setdefault(id(v), v)
        outs = [wrap(o) if not isinstance(o, Tensor) else o for o in _parts(out)]
        outs = [np.ndarray.view(o, Tensor) if any(o is a for a in args) else o for o in outs]   # y = x: a new tensor
        ins = list(args) + variables
        takes_variables = "variables" in inspect.signature(grad_fn).parameters

        def vjp(grads, need):
            if variables and takes_variables:
                dx, dv = grad_fn(*grads, variables=variables)
            elif variables:
                raise TypeError(f"custom_gradient {f.__name__!r}: the function reads Variables, so its grad_fn "
                                "must accept variables=... and return (input grads, variable grads)")
            else:
                dx, dv = grad_fn(*grads), []
            dx = list(dx) if isinstance(dx, (list, tuple)) else [dx]
            if len(dx) != len(args):
                raise ValueError(f"custom_gradient {f.__name__!r}: grad_fn returned {len(dx)} gradients for "
                                 f"{len(args)} inputs")
            return dx + list(dv)

        result = outs if isinstance(out, (list, tuple)) else outs[0]
        tapes = [t for t in tapes if any(id(x) in t._known for x in ins)]
        add(tapes, Node(f"custom_gradient({f.__name__})", ins, outs, vjp))
        return result

    return wrapper
