"""A layer written as Keras writes one: ``call`` instead of ``forward`` and ``backward``.

TensorFlow's guides make new layers by subclassing ``Layer`` and writing ``call`` with tf
operations and other layers (``self.w = self.add_weight(...)`` in ``build``, then
``return tf.matmul(inputs, self.w) + self.b``). glassnet's own layers write ``forward`` and
``backward`` by hand; a layer that writes ``call`` gets both from here:

- ``forward(x)`` runs ``call`` on a ``GradientTape`` of the layer's own, which records each
  tf operation and each inner layer's call (with that layer's hand-written backward);
- ``backward(dJ/d out)`` runs that record back: every weight read on the way (the layer's
  ``add_weight``s, ``tf.Variable`` attributes, the inner layers' weights) gets its ``grad``,
  and ``dJ/d x`` is returned;
- the output shape is found by running ``call`` once on zeros (as Keras traces it);
- ``call(inputs, mask=None)`` is handed the padding mask, ``compute_mask`` (yours, or
  ``supports_masking = True``) says what the output's is;
- ``training`` is passed when ``call`` takes it.

A subclassed ``Model`` records its ``call`` the same way, with these same functions
(``glassnet/engine/model.py``): its own ``add_loss`` terms are reset per top-level call, seeded
in ``backward`` and listed in ``model.losses``.

>>> import numpy as np, glassnet as tf
>>> class Linear(tf.keras.layers.Layer):
...     def __init__(self, units):
...         super().__init__()
...         self.units = units
...     def build(self, input_shape):
...         self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")
...     def call(self, inputs):
...         return tf.matmul(inputs, self.w)
>>> layer = Linear(2)
>>> layer(np.ones((1, 3), np.float32)).numpy()
array([[3., 3.]], dtype=float32)
>>> layer.backward(np.ones((1, 2), np.float32)), layer.w.grad[:, 0]
(array([[2., 2., 2.]], dtype=float32), array([1., 1., 1.], dtype=float32))
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

from .. import config
from ..tf import tape
from ..tf.tensor import Tensor, numpy_recorded, wrap
from ..tf.variable import weight_scope


def takes(cls, name: str) -> bool:
    """Whether ``cls.call`` has a parameter ``name`` (or ``**kwargs``): Keras passes it then.
    (Asked on every call: worked out once per ``call`` function, so a class whose ``call`` is
    set later, as the time-series tutorial's ``FeedBack.call = call``, is asked afresh.)"""
    return _takes(cls.call, name)


@functools.lru_cache(maxsize=None)
def _takes(call, name: str) -> bool:
    parameters = inspect.signature(call).parameters
    return name in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def looks_like_input(value) -> bool:
    """A value given where ``training`` goes that is data, not a flag (``layer(x, context)``)."""
    return value is not None and not isinstance(value, (bool, np.bool_))


def bind(cls, positional, keywords) -> dict:
    """``call``'s arguments by name, its first (the input) as ``"__input__"``."""
    names = [p.name for p in inspect.signature(cls.call).parameters.values()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][1:]         # (after self)
    if len(positional) > len(names):
        raise TypeError(f"{cls.__name__}.call takes {len(names)} positional arguments, got {len(positional)}")
    bound = dict(zip(names, positional))
    for key, value in keywords.items():
        if key in bound:
            raise TypeError(f"{cls.__name__}.call got two values for argument {key!r}")
        bound[key] = value
    if names and names[0] in bound:
        bound["__input__"] = bound.pop(names[0])
    elif "x" in bound:                                  # Layer.__call__'s own name for it
        bound["__input__"] = bound.pop("x")
    return bound


def _extras(layer) -> dict:
    """The other arguments of the call running now (``layer(x, context)``'s ``context``)."""
    return dict(layer.__dict__.get("_call_extras") or {})


def _split(layer, x):
    """``(x, the call's other arguments)``: a layer called in a functional model with tensors
    among its other arguments (``LogisticEndpoint()(targets, logits)``) is a node of several
    inputs, ``[x, logits]``; its call gets them back by name."""
    names, static = layer.__dict__.get("_tensor_args") or ((), {})
    extras = {**_extras(layer), **static}
    if names and isinstance(x, (list, tuple)) and len(x) == 1 + len(names):
        extras.update(zip(names, x[1:]))
        x = x[0]
    return x, extras


def _as_input(x):
    """An input as the tape follows it: a Tensor (ints stay ints: an id is not a weight); a
    list, tuple or dict of inputs (a subclassed model's call on named inputs), each one."""
    if isinstance(x, dict):
        return {k: _as_input(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_as_input(v) for v in x]
    return wrap(np.asarray(x))


def _arrays(out):
    """What ``call`` returned, as plain arrays (a list or tuple stays one)."""
    if isinstance(out, (list, tuple)):
        return [np.asarray(o) for o in out]
    return np.asarray(out)


_DEPTH = [0]        # calls of layers written with call now running, one inside another


def added_losses(layer) -> list:
    """What ``add_loss`` added during the latest call of ``layer`` and of the layers inside it
    (a layer's attributes; a model's layers)."""
    own = list(layer.__dict__.get("_call_losses", ()))
    inner = layer._parts() if hasattr(layer, "_parts") else layer.__dict__.get("_tracked", ())
    return own + [t for part in inner for t in added_losses(part)]


def loss_seeds(layer) -> list:
    """``dJ/d(each term)`` of :func:`added_losses` (the same order): 1 in ``fit``, which adds
    every term to the loss; on a tape of one's own, what the tape's walk brought to each term
    (0 for a term the program left out of its loss), set by :func:`set_loss_seeds`."""
    own = layer.__dict__.get("_call_losses", ())
    seeds = layer.__dict__.get("_loss_seeds")
    mine = list(seeds) if seeds is not None else [1.0] * len(own)
    inner = layer._parts() if hasattr(layer, "_parts") else layer.__dict__.get("_tracked", ())
    return mine + [s for part in inner for s in loss_seeds(part)]


def set_loss_seeds(layer, seeds) -> list:
    """Hand each term of :func:`added_losses` its ``dJ/d(term)`` before a backward (None: back
    to fit's 1 for every term); returns the seeds not used by ``layer`` and its inner layers."""
    own = len(layer.__dict__.get("_call_losses", ()))
    if seeds is None:
        layer.__dict__.pop("_loss_seeds", None)
    else:
        layer.__dict__["_loss_seeds"], seeds = list(seeds[:own]), seeds[own:]
    for part in (layer._parts() if hasattr(layer, "_parts") else layer.__dict__.get("_tracked", ())):
        seeds = set_loss_seeds(part, seeds)
    return seeds


def _forget_losses(layer) -> None:
    layer.__dict__["_call_losses"] = []
    for inner in layer.__dict__.get("_tracked", ()):
        _forget_losses(inner)


def run(layer, x, training, mask=None):
    """``layer.call(x)`` as written (with ``training`` and ``mask`` when it takes them); the
    losses it adds replace those of the previous call (of the outermost such call)."""
    x, kwargs = _split(layer, x)
    if takes(type(layer), "training"):
        kwargs["training"] = training
    if mask is not None and takes(type(layer), "mask"):
        kwargs["mask"] = wrap(np.asarray(mask, bool))
    if _DEPTH[0] == 0:
        _forget_losses(layer)
    _DEPTH[0] += 1
    try:
        with tape.training_scope(training), weight_scope(layer):     # (inner layers built here: under its name)
            return layer.call(x, **kwargs)
    finally:
        _DEPTH[0] -= 1


def forward(layer, x, training=False, mask=None):
    """``layer.call(x)`` recorded on a tape of the layer's own, kept for :func:`backward`."""
    x = _as_input(x)
    with tape.GradientTape() as recorder, numpy_recorded():       # np.exp(x) in the call: recorded too
        recorder.watch(x)
        out = run(layer, x, training, mask)
    layer._last_call = (recorder, x, out)
    return _arrays(out)


def backward(layer, grad, need_input_grad=True, strict=False):
    """The latest :func:`forward`'s record run back from ``grad`` (dJ/d out): the weights
    read get their ``grad``; returns dJ/d x (a list for a list of inputs, a dict for a dict).
    What the call added with ``add_loss`` is part of fit's loss: each term is seeded with
    ``dJ/d(term) = 1``. ``strict`` (a subclassed model's): when dJ/d x is needed but no recorded
    operation read the input, say so rather than return zeros."""
    if getattr(layer, "_last_call", None) is None:
        raise RuntimeError(f"{type(layer).__name__}.backward: run forward first")
    recorder, x, out = layer._last_call
    who = f"{type(layer).__name__}.call()"
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    grads = list(grad) if isinstance(out, (list, tuple)) else [grad]
    for added, seed in zip(added_losses(layer), loss_seeds(layer)):   # fit adds them to the loss: dJ/d(each) = 1
        if isinstance(added, Tensor):
            outs.append(added)
            grads.append(np.broadcast_to(np.asarray(seed, added.dtype), np.shape(added)))
    inputs = list(x.values()) if isinstance(x, dict) else x if isinstance(x, list) else [x]
    variables = list({id(v): v for n in recorder._nodes for v in n.inputs
                      if hasattr(v, "store_in")}.values())                 # every Variable the call read
    needed = layer.__dict__.pop("_inputs_needed", None) or [True] * len(inputs)   # (a graph says which)
    floats = [i for i, want in zip(inputs, needed) if i.dtype.kind == "f" and want]
    if strict and need_input_grad and not any(i is v for n in recorder._nodes for v in n.inputs for i in inputs):
        raise TypeError(f"{who}: dJ/d(input) is needed here (the model follows another layer), but no recorded "
                        "operation read the input itself: what the call did to it first was plain NumPy on an "
                        "array no tape followed. Begin the call with a layer (or tf operation on a layer's "
                        "output), or put this model first")
    if variables and not any(isinstance(o, Tensor) for o in outs):     # np.asarray(t), t.numpy(): a plain array
        raise ValueError(f"{who}: No gradients provided for any variable: the call returned a NumPy array, not a "
                         "tensor, so no gradient reaches the weights (TensorFlow refuses it too). Return the "
                         "tensor itself (a layer's output, or tf operations on it)")
    sources = variables + (floats if need_input_grad else [])
    try:
        found = recorder._walk(outs, [np.asarray(g) for g in grads], sources) if sources else {}
    except LookupError as e:
        raise LookupError(f"{who}: {e}") from None
    for v in variables:
        g = found.get(id(v))
        v.grad = np.zeros_like(v.value) if g is None else np.asarray(g)
    if not need_input_grad:
        return None
    dxs = [np.asarray(found[id(i)]) if id(i) in found else np.zeros(i.shape, i.dtype if i.dtype.kind == "f"
                                                                      else config.floatx()) for i in inputs]
    if isinstance(x, dict):
        return dict(zip(x, dxs))
    return dxs if isinstance(x, list) else dxs[0]


def _seed_generators(layer, depth=0) -> list:
    """The ``keras.random.SeedGenerator`` objects held by ``layer`` and its inner layers."""
    found = [v for v in vars(layer).values() if type(v).__name__ == "SeedGenerator" and hasattr(v, "state")]
    if depth < 32:
        for inner in layer.__dict__.get("_tracked", ()):
            found += _seed_generators(inner, depth + 1)
    return found


def output_shape(layer, input_shape):
    """The output shape, by running ``call`` once on zeros (unknown sizes taken as 1; the
    batch dimension stays None). A list of outputs gives a list of shapes."""
    many = bool(input_shape) and isinstance(input_shape[0], (list, tuple))     # a list of inputs' shapes
    input_shape = list(input_shape) if many else input_shape
    shapes = input_shape if many else [input_shape]
    given = layer.__dict__.get("_input_dtypes") or []         # the inputs' dtypes, when a call told us
    dtypes = [given[i] if i < len(given) and given[i] is not None else (layer.dtype or config.floatx())
              for i in range(len(shapes))]
    zeros = [np.zeros((1,) + tuple(1 if d is None else d for d in s[1:]),
                      d if np.dtype(d).kind in "biuf" else object) for s, d in zip(shapes, dtypes)]
    x, kwargs = _split(layer, zeros if isinstance(input_shape, list) else zeros[0])
    kwargs = {k: (v[:1] if np.ndim(v) else v) for k, v in kwargs.items()}    # (one sample, as the zeros)
    if takes(type(layer), "mask") and not isinstance(input_shape, list):     # a call that reads a mask gets one
        kwargs["mask"] = wrap(np.ones(zeros[0].shape[:2], bool))
    if not layer.built and getattr(type(layer).build, "_records_shape", False):   # its own build first, as
        layer.build(input_shape)        # Keras's call does: a build that builds inner layers itself (keras.io's
        layer.built = True              # mixture density layer) finds them unbuilt, and makes their weights once
    kept = [(g, g.state.numpy().copy()) for g in _seed_generators(layer)]
    try:
        with weight_scope(layer):                       # (inner layers built here: under its name)
            out = layer.call(x, **kwargs)
    finally:                # a shape found by a trial call draws nothing: its SeedGenerators put back
        for g, state in kept:
            g.state.value[...] = state

    def shape(o, given):
        got = (None,) + tuple(np.shape(o)[1:])
        # a size that was unknown in the input and came out as the 1 we put in stays unknown
        unknown = [i for i, d in enumerate(given) if d is None and i > 0]
        return tuple(None if i in unknown and i < len(got) and got[i] == 1 else d for i, d in enumerate(got))
    if isinstance(out, (list, tuple)):
        return [shape(o, shapes[0]) for o in out]
    return shape(out, shapes[0])
