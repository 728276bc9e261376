"""``GradientTape``, for a chain of layer calls and a loss: TensorFlow's custom training loop.

TensorFlow's "quickstart for experts" trains with::

    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        loss = loss_object(labels, predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))

glassnet has no automatic differentiation: every layer has a ``backward`` you can read. So
the tape records what was called while it was open, each call with what it was given and
what it returned: a layer or a model (``layer(x)``, ``model(x)``, a subclassed model's
``call``), and a loss (``loss_object(y, p)``). ``tape.gradient(loss, variables)`` then runs
the loss's gradient and each recorded call's ``backward``, last to first, and hands back
each variable's ``grad``. That is exact when the calls form one chain (each call given the
previous call's output, the loss given the last), as in a training step; anything else
(arithmetic on a tensor between two calls, two branches, a layer called twice) is refused
with a message, not answered wrongly.

>>> import numpy as np, glassnet as tf
>>> layer = tf.keras.layers.Dense(1, kernel_initializer="ones", use_bias=False)
>>> with tf.GradientTape() as tape:
...     loss = tf.keras.losses.MeanSquaredError()(np.array([[0.0]]), layer(np.array([[2.0]])))
>>> tape.gradient(loss, layer.trainable_variables)[0].tolist()    # d(2w - 0)^2/dw = 8 at w = 1
[[8.0]]
"""
from __future__ import annotations

import contextlib
import contextvars

import numpy as np

_ACTIVE: list = []               # the tapes open now, innermost last
# the training flag a subclassed model's call was given, for the layers it calls without one
_TRAINING = contextvars.ContextVar("glassnet_training", default=None)


def training(explicit) -> bool:
    """A layer call's ``training``: as given, else the enclosing model call's, else False."""
    if explicit is not None:
        return bool(explicit)
    return bool(_TRAINING.get())


@contextlib.contextmanager
def training_scope(value):
    """Within: layers called without ``training`` take ``value`` (Keras passes it down so)."""
    token = _TRAINING.set(None if value is None else bool(value))
    try:
        yield
    finally:
        _TRAINING.reset(token)


class _Call:
    __slots__ = ("unit", "given", "returned", "state")

    def __init__(self, unit, given, returned):
        self.unit, self.given, self.returned = unit, given, returned
        self.state = _snapshot(unit)


def _snapshot(unit):
    """What each layer's forward kept for its backward (its array attributes: ``x``, ``z``,
    a dropout mask...), by reference: forward makes new arrays, so a later call of the same
    layer cannot change them, and :meth:`GradientTape.gradient` puts them back first."""
    from ..engine.model import Model  # noqa: PLC0415 - the engine builds on this module
    layers = list(unit.layers) if isinstance(unit, Model) else [unit]
    out = []
    for layer in layers:
        if isinstance(layer, Model):
            out += _snapshot(layer)
        else:
            out.append((layer, {k: v for k, v in vars(layer).items() if isinstance(v, np.ndarray)}))
    return out


class _LossCall:
    __slots__ = ("loss", "y_true", "y_pred", "sample_weight", "returned")

    def __init__(self, loss, y_true, y_pred, sample_weight, returned):
        self.loss, self.y_true, self.y_pred = loss, y_true, y_pred
        self.sample_weight, self.returned = sample_weight, returned


def recording() -> bool:
    return bool(_ACTIVE)


def record_call(unit, given, returned) -> None:
    """A layer's or model's call (``unit.backward`` runs it back)."""
    for tape in _ACTIVE:
        if not tape._paused:
            tape._calls.append(_Call(unit, given, returned))


def record_loss(loss, y_true, y_pred, sample_weight, returned) -> None:
    for tape in _ACTIVE:
        if not tape._paused:
            tape._calls.append(_LossCall(loss, y_true, y_pred, sample_weight, returned))


class GradientTape:
    """Records layer, model and loss calls while open; :meth:`gradient` runs them back.

    ``persistent=True`` allows more than one ``gradient`` call; variables are watched
    always (``watch`` is accepted; gradients with respect to inputs are not offered)."""

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = persistent
        self._calls, self._paused, self._used = [], False, False

    def __enter__(self):
        _ACTIVE.append(self)
        return self

    def __exit__(self, *exc):
        _ACTIVE.remove(self)
        return False

    def watch(self, tensor) -> None:
        """Accepted for TensorFlow programs: every variable is watched already."""

    @contextlib.contextmanager
    def stop_recording(self):
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    def reset(self) -> None:
        self._calls = []

    def calls_leading_to(self, last) -> list:
        """The recorded layer and model calls that lead to ``last``, first to last (each given
        the previous one's output); empty when ``last`` came from no recorded call."""
        return self._chain(self._calls, last, [])

    def gradient(self, target, sources):
        """``dJ/dv`` for each variable in ``sources`` (a list, or one variable), where ``target``
        is what a loss returned on this tape; None for a variable the chain does not reach."""
        if self._used and not self.persistent:
            raise RuntimeError("GradientTape.gradient can only be called once on a non-persistent tape; "
                               "use GradientTape(persistent=True)")
        self._used = True
        loss_at = next((i for i, c in enumerate(self._calls) if isinstance(c, _LossCall) and c.returned is target),
                       None)
        if loss_at is None:
            raise ValueError("GradientTape.gradient: the target must be the value a loss returned while the tape "
                             "was recording (loss = loss_object(y, predictions)); glassnet differentiates a chain "
                             "of layer calls and a loss, not arithmetic on tensors")
        loss_call = self._calls[loss_at]
        chain = self._chain(self._calls[:loss_at], loss_call.y_pred, _variables(sources))
        a = np.asarray(chain[-1].returned) if chain else np.asarray(loss_call.y_pred)
        y = loss_call.loss.prepare(loss_call.y_true, a)
        sw = None if loss_call.sample_weight is None else np.asarray(loss_call.sample_weight, a.dtype)
        from ..engine import step  # noqa: PLC0415 - step imports the layers, which import this module
        _, grad = step.loss_and_output_grad(loss_call.loss, False, None, y, a, sw)
        for v in _variables(sources):
            v.grad = np.zeros_like(v.value)          # only what the chain reaches gets a gradient
        _, reached = _run_back(chain, grad, False)
        out = [v.grad.copy() if id(v) in reached else None for v in _variables(sources)]
        return out if isinstance(sources, (list, tuple)) else out[0]

    def run_back(self, out, grad, given=None, need_input_grad=False, who="call()"):
        """Run the recorded calls that lead to ``out`` backward from ``grad`` (``dJ/d out``),
        last to first, each setting its weights' ``grad``; returns ``dJ/d given`` when
        ``need_input_grad``. A subclassed model's ``backward`` is this (``fit`` trains it so).
        A TypeError when the calls are not one chain from ``given`` to ``out``."""
        chain = self._chain(self._calls, out, [])
        if not chain or (given is not None and chain[0].given is not given):
            raise TypeError(f"{who}: glassnet trains a call() made of layer calls alone, one after another "
                            "(each on the previous one's output, the first on the input); this one does something "
                            "else to the tensors (arithmetic, a branch or a residual connection). Make those steps "
                            "layers, or write the model with Sequential")
        grad, _ = _run_back(chain, grad, need_input_grad)
        return grad

    @staticmethod
    def _chain(calls, last, sources):
        """The calls that lead to ``last``, first to last; a ValueError when they are not one
        chain, or when a call off the chain holds one of ``sources`` (its gradient would be
        missed: something else than a layer call stands between it and the loss)."""
        chain, wanted = [], last
        calls = [c for c in calls if isinstance(c, _Call)]
        for call in reversed(calls):
            if call.returned is wanted:
                chain.append(call)
                wanted = call.given
        chain.reverse()
        units = [id(c.unit) for c in chain]
        if len(set(units)) != len(units):
            raise ValueError("GradientTape.gradient: a layer was called twice on the way to the loss; glassnet "
                             "runs each layer's backward once per tape")
        asked = {id(v) for v in sources}
        for call in calls:
            if id(call.unit) not in set(units) and any(id(v) in asked for v in call.unit.trainable_weights):
                raise ValueError(f"GradientTape.gradient: the loss does not follow from {call.unit.name!r}'s output "
                                 "through layer calls alone (an operation on the tensor in between, or a branch); "
                                 "glassnet differentiates one chain of layer calls")
        return chain


def _run_back(chain, grad, need_input_grad):
    """Each call's backward, last to first, from ``grad``; returns (dJ/d first input or None,
    the ids of the variables reached)."""
    reached = set()
    for i in range(len(chain) - 1, -1, -1):
        unit = chain[i].unit
        for layer, state in chain[i].state:          # as this call's forward left them
            vars(layer).update(state)
        reached.update(id(v) for v in unit.trainable_weights)
        grad = unit.backward(grad, i > 0 or need_input_grad)   # a layer's, or a model's (its layers', in reverse)
    return (grad if need_input_grad else None), reached


def _variables(sources):
    return list(sources) if isinstance(sources, (list, tuple)) else [sources]
