"""One training step, written once: ``fit``, ``train_on_batch``, ``gradients``, ``Trace``
and ``explain`` all run :func:`train_step`.

One step, as Keras orders it (``m`` rows in the batch)::

    A = forward(X)                           # layer after layer, caches kept for backward
    J = sum_i(s_i L_i) / m + penalties       # recorded BEFORE the update
    dJ/dA, or dJ/dZ through the shortcut     # the loss's gradient at the output
    backward, layers in reverse              # each layer sets its weights' grad
    grad += d(penalty)/dw                    # every regularized weight, here and only here
    optimizer.apply()                        # w <- update(w, dJ/dw)

With the optimizer's ``loss_scale_factor`` s (Keras's ``scale_loss``), the backward pass starts
from ``(s / m) * dL_i/dA`` (each penalty's and added loss's gradient is ``s`` times its own), and
the gradients are divided by ``s`` just before the update, as Keras's ``optimizer.apply`` does
(by multiplying with ``1 / s``, as TensorFlow's compiled step computes it: :func:`unscaled`).

The output shortcut (sigmoid + binary cross-entropy, softmax + categorical cross-entropy:
``dJ/dZ = (A - Y) / m``) is decided once, when the model is compiled
(:func:`output_shortcut`), and passed in; it is never guessed here.

>>> import numpy as np, glassnet
>>> model = glassnet.Sequential([glassnet.Input(shape=(2,)), glassnet.layers.Dense(1, activation="sigmoid")])
>>> model.compile(optimizer="sgd", loss="binary_crossentropy")
>>> loss, predictions = train_step(model, np.ones((4, 2)), np.array([[0.], [1.], [1.], [0.]]))
>>> predictions.shape
(4, 1)
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .. import losses
from ..layers import by_call
from ..tf.tensor import Tensor, wrap
from .outputs import OutputLosses



def output_shortcut(loss, last_layer) -> bool:
    """True when ``loss`` declares that it fuses with the last layer's activation and the
    layer can start its backward pass from ``dJ/dZ`` (``backward_from_z``)."""
    activation = getattr(last_layer, "activation", None)
    return bool(loss is not None and activation is not None and loss.fuses_with(activation)
                and hasattr(last_layer, "backward_from_z"))


@dataclass
class StepRecord:
    """What one step computed, kept for ``explain`` and ``Trace``: each layer's input and
    output, the per-sample losses, the output gradient, each layer's input gradient."""

    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    per_sample_loss: np.ndarray | None = None
    output_grad: np.ndarray | None = None
    input_grads: dict = field(default_factory=dict)      # layer index -> dJ/d(its input)
    weights_before: dict = field(default_factory=dict)   # variable path -> its value before the update


def forward(layers, x, training=False, record=None, passes=None):
    """``A = layer_n(... layer_1(X))``, each layer keeping what its backward needs.
    ``passes`` (given by the training loop when it takes the fast path) runs each layer's
    forward and backward, or a faster twin of them: ``glassnet.fast.recurrent.LayerPasses``."""
    a, mask = x, None               # mask: Embedding(mask_zero=True)'s padding, handed on (Layer.compute_mask)
    for layer in layers:
        if record is not None:
            record.inputs.append(a)
        t = layer.default_training if training is None else training     # None: model(x) with it unset
        if passes is None:
            a, mask = layer.forward_with_mask(a, t, mask)
        else:                       # the fast path: the twins' passes, the mask to those that read it
            a, mask = passes.forward_with_mask(layer, a, t, mask)
        if record is not None:
            record.outputs.append(a)
    return a if mask is None else carrying(a, mask)


def carrying(a, mask):
    """The output ``a`` carrying its mask as Keras's tensors do (``a._keras_mask``): the loss
    and the compiled metrics read it there and count only the unmasked steps."""
    out = a.view(Tensor)
    out._keras_mask = wrap(np.asarray(mask, bool))
    return out


def output_mask(a):
    """``(a as a plain array, its mask or None)``."""
    mask = getattr(a, "_keras_mask", None)
    return (a, None) if mask is None else (a.view(np.ndarray), np.asarray(mask, bool))


def divisor(loss, m, sample_weight) -> float:
    """What the weighted sum of a batch's losses is divided by, per the loss's reduction:
    ``m``, the number of loss values (Keras's default "sum_over_batch_size": one per sample,
    so the batch size; a loss function that returns one number for the batch, 1), 1 ("sum"),
    or the sum of the sample weights ("mean_with_sample_weight")."""
    if loss.reduction == "sum":
        return 1.0
    if loss.reduction == "mean_with_sample_weight" and sample_weight is not None:
        return float(sample_weight.sum()) or 1.0
    return m


def weights_of(loss, values, sample_weight, mask):
    """The weights on a batch's loss values: ``sample_weight`` (one per sample), and where the
    output carries a mask, Keras 3's masked loss (``glassnet.losses.mask_weights``: a padded
    step weighs 0, the others ``total / valid`` for the default reduction). None: unweighted."""
    if mask is None:
        if sample_weight is None:
            return None
        while np.ndim(sample_weight) > np.ndim(values) and np.shape(sample_weight)[-1] == 1:
            sample_weight = np.reshape(sample_weight, np.shape(sample_weight)[:-1])   # (n, h, w, 1): per pixel
        if np.ndim(sample_weight) >= np.ndim(values):
            return sample_weight
        return np.reshape(sample_weight, np.shape(sample_weight) + (1,) * (np.ndim(values) - np.ndim(sample_weight)))
    return losses.mask_weights(mask, np.shape(values), loss.reduction, sample_weight, values.dtype)


def batch_loss(loss, shortcut, last_layer, y, a, sample_weight=None) -> float:
    """``J`` of one batch (no penalties) as :func:`loss_and_output_grad` has it, without the
    gradient (``evaluate``): the values weighted (``sample_weight``, the output's mask) and
    reduced; with several outputs, ``sum_k w_k J_k``, each output with its own mask."""
    if isinstance(loss, OutputLosses):
        return sum(w * batch_loss(part, False, None, yk, ak, sample_weight)
                   for w, part, yk, ak in zip(loss.weights, loss.losses, y, a))
    a, mask = output_mask(a)
    values = per_sample_losses(loss, shortcut, last_layer, y, a)
    weights = weights_of(loss, values, sample_weight, mask)
    if weights is not None:
        values = values * weights
    return float(np.sum(values)) / divisor(loss, np.size(values), weights)


def per_sample_losses(loss, shortcut, last_layer, y, a):
    """``L_i`` for each sample: from the logits ``Z`` when the shortcut is on. With several
    outputs, ``sum_k w_k L_k,i`` (each part's reduction must then be the default)."""
    if isinstance(loss, OutputLosses):
        return sum(w * part.call(yk, ak) for w, part, yk, ak in zip(loss.weights, loss.losses, y, a))
    return loss.call_from_logits(y, last_layer.z) if shortcut else loss.call(y, a)


def loss_and_output_grad(loss, shortcut, last_layer, y, a, sample_weight=None, record=None, scale=None):
    """``J = sum_i(s_i L_i) / m`` (no penalties) and ``dJ/dZ`` (shortcut) or ``dJ/dA``. With
    several outputs (``OutputLosses``): ``J = sum_k w_k J_k`` and one gradient per output.
    ``scale``: the gradient is that of ``J * scale`` (the optimizer's ``loss_scale_factor``),
    the factor entering where TensorFlow's backward pass starts: ``(scale / m) * dL_i/dA``."""
    if isinstance(loss, OutputLosses):
        parts = [loss_and_output_grad(part, False, None, yk, ak, sample_weight, scale=scale)
                 for part, yk, ak in zip(loss.losses, y, a)]
        value = sum(w * v for w, (v, _) in zip(loss.weights, parts))
        grads = [g if w == 1.0 else g * w for w, (_, g) in zip(loss.weights, parts)]
        if record is not None:
            record.output_grad = grads
        return value, grads
    a, mask = output_mask(a)
    if shortcut:
        values, grad = loss.value_and_gradient_from_logits(y, last_layer.z, a)
    else:
        values, grad = loss.value_and_gradient(y, a)
    if grad is a or grad is y:             # scaled in place below: never the caller's array
        grad = grad.copy()
    weights = weights_of(loss, values, sample_weight, mask)
    d = divisor(loss, np.size(values), weights)
    seed = 1.0 if scale is None else scale      # dJ/dJ, or the loss scale
    if weights is None:
        value = float(np.add.reduce(values, axis=None)) / d       # values.sum(), without its wrapper
        grad *= seed / d
    else:                                  # dJ/dA_i = w_i / d * dL_i/dA_i: a masked step gets none
        value = float((values * weights).sum()) / d
        grad *= (weights * (seed / d) if scale is not None else weights / d).reshape(
            weights.shape + (1,) * (grad.ndim - weights.ndim))
    if record is not None:
        record.per_sample_loss, record.output_grad = values, grad
    return value, grad


def input_grads_needed(layers, first=False) -> list:
    """For each layer of a stack, whether ``dJ/d(its input)`` is needed. The first layer's is
    not (unless ``first``: a nested model's input gradient is asked); nor, as Keras, any gradient
    through ids or words (a layer with ``differentiable_input`` False: lookups, CategoryEncoding,
    Embedding) or before them when no layer there has weights to train; nor before the first
    layer with weights (a Conv2D after Rescaling and the augmentation layers: its dJ/dX, a
    scatter of patches over the whole image, would feed nothing)."""
    needs, carry = [], first
    for layer in layers:
        needs.append(carry and layer.differentiable_input)
        carry = bool(layer.trainable_weights) or (carry and layer.differentiable_input)
    return needs


def backward(layers, grad, shortcut, record=None, passes=None):
    """Run ``dJ/d(output)`` back through the layers; each sets its weights' ``grad``."""
    last = len(layers) - 1
    needs = input_grads_needed(layers)
    for i in range(last, -1, -1):
        need = needs[i]                    # the first layer's dX is never needed
        if grad is None:                   # nothing flows back past ids or words: no gradient before them
            for v in layers[i].trainable_weights:
                v.grad = np.zeros_like(v.value)
            continue
        if i == last and shortcut:
            grad = layers[i].backward_from_z(grad, need)
        elif passes is None:
            grad = layers[i].backward(grad, need)
        else:
            grad = passes.backward(layers[i], grad, need)
        if record is not None and need:
            record.input_grads[i] = grad


def penalty(variables) -> float:
    """The regularization terms added to the loss (``l2 * sum w^2`` and the like)."""
    return sum(float(v.regularizer(v.value)) for v in variables if v.regularizer is not None)


def added_losses(layers) -> float:
    """What the layers' calls added with ``add_loss`` (an activity penalty, a VAE's KL term):
    part of J; each layer's backward gave its gradient (``glassnet/layers/by_call.py``)."""
    return sum(float(np.sum(t)) for layer in layers for t in by_call.added_losses(layer))


def add_penalty_gradients(variables, scale=None) -> None:
    """``dJ/dw += d(penalty)/dw`` for every regularized weight: the one place it is done
    (``scale``: the optimizer's ``loss_scale_factor``, by which all of J was multiplied)."""
    for v in variables:
        if v.regularizer is not None:
            g = v.regularizer.gradient(v.value)
            v.grad += g if scale is None else g * scale


def loss_scale(model):
    """The optimizer's ``loss_scale_factor`` (None when it has none): Keras's ``train_step``
    takes the gradients of ``optimizer.scale_loss(J) = J * factor``, and the optimizer divides
    them by the factor before its update (its ``apply``), so that small gradients of a low
    precision do not underflow to zero on the way back."""
    return getattr(getattr(model, "optimizer", None), "loss_scale_factor", None)


def unscaled(grad, scale):
    """``grad / scale``, as Keras's compiled fit computes it: TensorFlow's graph multiplies by the
    reciprocal taken in the gradient's float type (flushed to zero below the smallest normal
    number, as the whole step flushes subnormals)."""
    f = np.dtype(getattr(grad, "dtype", np.float32)).type
    return grad * (f(1) / f(scale))


@contextmanager
def _added_losses_seeded(layers, scale):
    """While the backward pass runs: each term added with ``add_loss`` gets ``dJ/d(term) =
    scale`` (fit's 1, times the loss scale), put back to fit's 1 after."""
    if scale is None:
        yield
        return
    for layer in layers:
        by_call.set_loss_seeds(layer, [scale] * len(by_call.added_losses(layer)))
    try:
        yield
    finally:
        for layer in layers:
            by_call.set_loss_seeds(layer, None)


def train_step(model, x, y, sample_weight=None, *, training=True, update=True, record=None,
               passes=None, apply=None):
    """Forward, loss, backward, penalty gradients and (``update=True``) the optimizer's
    update of a compiled, built ``model`` on one batch; returns ``(J, predictions)``, both
    from before the update. ``training=False`` runs Dropout as the identity.

    When the loss is not finite, no update is made (the caller decides what to say).
    This is the readable step, and it runs as written: the training loop may instead choose
    ``glassnet.fast``'s fused step (``glassnet.engine.fastpath``), or hand this one faster
    twins of some layers' passes (``passes``) and of ``optimizer.apply`` (``apply``).
    """
    layers, loss, shortcut = model.step_units(), model.loss, model.output_shortcut
    scale = loss_scale(model) if update else None
    a = forward(layers, x, training, record, passes)
    value, grad = loss_and_output_grad(loss, shortcut, layers[-1], y, a, sample_weight, record, scale)
    with _added_losses_seeded(layers, scale):
        backward(layers, grad, shortcut, record, passes)
    trainable = model.trainable_weights
    add_penalty_gradients(trainable, scale)
    value += penalty(trainable) + added_losses(layers)
    if record is not None:
        record.weights_before = {v.path: v.value.copy() for v in model.weights}
    if update and np.isfinite(value):
        if not model.optimizer.built:
            model.optimizer.build(trainable)
        if scale is not None:               # taken back out before the update, as Keras's optimizer.apply
            for v in trainable:
                v.grad = unscaled(v.grad, scale)
        if apply is None:
            model.optimizer.apply()
        else:
            apply(model.optimizer)
    return value, a
