"""The fast path for a stack of Dense layers: one function runs the whole training step.

A small network's step is mostly Python: the seed's (64-25-15-1, batch 32) spends far
more time in calls (layer methods, the ``grad`` setter's checks, the activation's
``errstate``, lists of weights built every step) than in arithmetic. So, when a model is
made of ``Dense`` layers with built-in activations (with ``Dropout`` and ``Flatten``
between them, which run their own passes), :func:`train_step` here does the forward and
backward passes in one loop each, writing into arrays it reuses:

    forward:   Z = X @ W (written into Z's buffer);  Z += b;  A = g(Z) in place
    loss:      sigmoid + binary cross-entropy (through the shortcut) and sparse categorical
               cross-entropy from logits, inside fit: their operations without the losses'
               wrappers and errstate (fit has NumPy's warnings off); any other loss:
               glassnet.step.loss_and_output_grad, the readable function itself
    backward:  dZ = dA * g'(Z);  dW = X.T @ dZ and db = sum(dZ) straight into the
               variables' gradient arrays;  dX = dZ @ W.T, except below the first Dense
               (no weights there: the readable path works it out and drops it)

Every array operation is the one the readable path makes (``glassnet.layers.core.Dense``,
``glassnet.activations``), on the same numbers in the same order; only where results are
written changes (and constants are 0-d arrays of the weights' dtype rather than Python
floats: the same numbers, found faster). So the weights, their gradients and the
optimizer's state come out bit for bit the same (tests/test_fast_dense.py). Each layer
still ends the step holding what its own ``forward``/``backward`` would have kept (``x``,
``z``, ``a``, ``dz``), each a fresh array per step, so callbacks that read them see what
they would have seen.

Once the optimizer runs on numba's kernels (chosen when the work ahead repays numba's
load: ``glassnet.fast``), the elementwise passes go through ``glassnet.fast._numba_dense``
too: ``Z += b`` and relu in one pass, ``dZ`` in one and ``db`` summed from it; bit for bit
the same.
And a step whose largest matrix product is small runs BLAS on one thread
(``glassnet.threads.useful_blas_threads``).

It applies only where that is proven: every layer exactly ``glassnet.layers.Dense`` with
sigmoid, relu (Keras's defaults), tanh or linear, on 2-D inputs, or ``Dropout`` or
``Flatten``; the last a Dense; no regularizer on any weight; a float input of the
weights' dtype; training, with no ``StepRecord`` asked for. Anything else returns
None and ``glassnet.step.train_step`` runs the readable path. Inside ``fit`` that plan is
made on the first step (:func:`fitting`); elsewhere on each call. Inside ``fit``, a small
stack of Dense layers alone may go further: the whole epoch in one compiled call
(``glassnet.fast.epoch``, the same numbers), where numba is worth loading.

>>> import numpy as np, glassnet
>>> model = glassnet.Sequential([glassnet.Input(shape=(4,)), glassnet.layers.Dense(3, activation="relu"),
...                              glassnet.layers.Dense(1, activation="sigmoid")])
>>> model.compile(optimizer="rmsprop", loss="binary_crossentropy")
>>> x, y = np.ones((8, 4), np.float32), np.ones((8, 1), np.float32)
>>> plan(model, x)[1]
['relu', 'sigmoid']
>>> loss, predictions = train_step(model, x, y)     # what glassnet.step.train_step would return
>>> predictions.shape, int(model.optimizer.iterations)
((8, 1), 1)
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import math

import numpy as np

from .. import activations, fast, losses
from ..engine import step
from ..layers.core import Dense, Dropout, Flatten
from . import threads

# Multiply-adds of the step's largest matrix product below which BLAS runs on one thread:
# measured here (2 cores, batch 32, two hidden layers of the width), a second thread made
# the width-256 step (2.1M) slower, 0.43-0.45 ms against 0.38 ms, and the width-384 one
# (4.7M) faster, 0.99 ms against 1.22 ms (bench/README.md).
_BLAS_ALONE = 3 << 20
_NOTHING = contextlib.nullcontext()

# Set by fit around its epochs (fitting): [model, input dtype, input ndim, plan] of its steps.
_FIT = contextvars.ContextVar("glassnet_fused_fit", default=None)


@contextlib.contextmanager
def fitting():
    """The scope of one ``fit``: NumPy's overflow, underflow, invalid and divide warnings
    off (a blow-up shows as a non-finite loss, and fit says what to do about it), and the
    fused step told so. It then sets no ``errstate`` of its own, and works out its plan
    (which layers, which activations) on fit's first step instead of on every one: each
    costs 1-4 µs, a tenth of a small network's overhead. As when Keras traces its train
    step once per fit, a layer changed by a callback during fit (its activation, a
    regularizer) is trained as it now is from the next ``fit`` or ``train_on_batch`` on."""
    token = _FIT.set([None, None, None, None])
    try:
        with np.errstate(all="ignore"):
            yield
    finally:
        _FIT.reset(token)


# The constants of the passes below as 0-d arrays of the weights' dtype: the same numbers
# as Python's 0.0 and 1.0 there (NumPy casts those to the array's dtype), at half a
# microsecond less per call, since NumPy need not work out a Python scalar's type each time.
@functools.cache
def _zero_one(dtype):
    return np.zeros((), dtype), np.ones((), dtype)


# activation -> its kind here; each kind's forward and backward below repeats the
# operations of the function in glassnet.activations and of its _backward.
_KINDS = {activations.sigmoid: "sigmoid", activations.relu: "relu",
          activations.tanh: "tanh", activations.linear: "linear"}


def _forward(kind, z, zero, one):
    """``A = g(Z)``: the operations of ``glassnet.activations``, without their checks (``Z``
    is a float array here) and without a separate ``errstate`` per call."""
    if kind == "sigmoid":
        a = np.negative(z)                     # exp(-x), 1 + it, 1 / it: sigmoid's own steps
        np.exp(a, out=a)
        a += one
        return np.reciprocal(a, out=a)
    if kind == "relu":
        return np.maximum(z, zero)
    if kind == "tanh":
        return np.tanh(z)
    return z                                    # linear: A is Z itself, as activations.linear


def _backward(kind, z, a, grad, zero, one):
    """``dZ = dA * g'(Z)``: the operations of each ``_<name>_backward``."""
    if kind == "sigmoid":
        d = np.subtract(one, a)                 # sigmoid' = a (1 - a)
        d *= a
        d *= grad
        return d
    if kind == "relu":
        return grad * (z > zero)
    if kind == "tanh":
        return grad * (one - a * a)
    return grad


# Layers without weights that the fused step runs through their own forward and backward
# (so Dropout draws its masks from the same generator, in the same order): each keeps its
# input's dtype, and the number of dimensions it hands on is known ahead.
_OWN_PASSES = (Dropout, Flatten)
# What the fused step does instead of calling: Dense's passes, and the two losses' arithmetic.
fast.stands_in_for(Dense, "forward", "backward", "backward_from_z")
for _loss in (losses.BinaryCrossentropy, losses.SparseCategoricalCrossentropy):
    fast.stands_in_for(_loss, "call", "call_from_logits", "value_and_gradient", "value_and_gradient_from_logits",
                       "gradient", "gradient_from_logits", "logits_values_and_gradient")


def plan(model, x):
    """``(layers, kinds, largest, own_loss, update)`` when the fused step applies to ``model``
    on ``x``: the layers, their activation kinds (None for a Dropout or Flatten, which run
    their own passes), the largest kernel's size, whether the loss's arithmetic may be done
    here (its methods untouched) and the optimizer's update (the packed one when untouched,
    else its own ``apply``); else None."""
    layers = model.step_units()
    if not layers or type(x) is not np.ndarray or type(layers[-1]) is not Dense:
        return None
    kinds, largest, ndim = [], 0, x.ndim
    for layer in layers:
        if type(layer) in _OWN_PASSES:
            kinds.append(None)
            ndim = 2 if type(layer) is Flatten else ndim
            continue
        if type(layer) is not Dense or ndim != 2 or not fast.untouched(layer):   # Dense on (N, features) only
            return None
        kernel = layer.kernel.value
        if kernel.dtype != x.dtype:
            return None
        kind = _KINDS.get(layer.activation)
        if kind is None or layer.kernel.regularizer is not None or (
                layer.use_bias and layer.bias.regularizer is not None):
            return None
        kinds.append(kind)
        largest = max(largest, kernel.size)
    optimizer = model.optimizer
    update = fast.update_packed if fast.untouched(optimizer) else type(optimizer).apply
    return layers, kinds, largest, fast.untouched(model.loss), update


def train_step(model, x, y, sample_weight=None):
    """Forward, loss, backward and the optimizer's update of a Dense stack ``model``; returns
    ``(J, predictions)`` as ``glassnet.step.train_step`` does, or None (nothing done) when
    the fused step does not apply."""
    fit = _FIT.get()
    if fit is None:                             # train_on_batch, or a call of one's own
        found = plan(model, x)
    elif fit[0] is model and type(x) is np.ndarray and x.dtype == fit[1] and x.ndim == fit[2]:
        found = fit[3]                          # fit's plan, made on its first step
    else:
        found = fit[3] = plan(model, x)
        fit[:3] = model, getattr(x, "dtype", None), getattr(x, "ndim", None)
    if found is None:
        threads.useful_blas_threads(None)
        return None
    layers, kinds, largest, own_loss, update = found
    shortcut = model.output_shortcut
    state = model.optimizer.fast_state
    passes = _compiled_passes() if state is not None and state.kernel == "numba" else None
    zero, one = _zero_one(x.dtype)
    threads.useful_blas_threads(1 if len(x) * largest < _BLAS_ALONE else None)
    a = x
    # Only sigmoid's exp(-z) needs this (over/underflow: 0 and 1 are the right answers);
    # one errstate for the step costs less than one per layer, and none without a sigmoid
    # or inside fit, which has the warnings off already.
    quiet = fit is not None
    with _NOTHING if quiet or "sigmoid" not in kinds else np.errstate(over="ignore", under="ignore"):
        for layer, kind in zip(layers, kinds):
            if kind is None:                                          # Dropout, Flatten
                a = layer.forward(a, True)
                continue
            layer.x = a
            z = layer.z = np.dot(a, layer.kernel.value)              # Z = X W + b
            if passes is not None and layer.use_bias and kind in ("relu", "linear"):
                a = layer.a = _compiled_forward(passes, kind, z, layer.bias.value)
                continue
            if layer.use_bias:
                z += layer.bias.value
            a = layer.a = _forward(kind, z, zero, one)                # A = g(Z)
    found = _loss_pass(model.loss, shortcut, z, a, y, sample_weight) if quiet and own_loss else None
    if found is None:
        found = step.loss_and_output_grad(model.loss, shortcut, layers[-1], y, a, sample_weight)
    value, grad = found
    if grad.dtype != x.dtype:            # e.g. float64 labels on float32 weights: the readable way
        step.backward(layers, grad, shortcut)
    else:
        if shortcut:                     # dZ is given: the last layer's dZ = dA * g'(Z) is skipped
            kinds = kinds[:-1] + ["linear"]
        first = next(i for i, kind in enumerate(kinds) if kind is not None)   # the first Dense
        for i in range(len(layers) - 1, first - 1, -1):
            layer, kind = layers[i], kinds[i]
            if kind is None:                                          # Dropout, Flatten
                grad = layer.backward(grad, True)
                continue
            if passes is not None:                                    # dZ, then db, compiled
                grad = _compiled_backward(passes, kind, layer, grad)
            else:
                grad = _backward(kind, layer.z, layer.a, grad, zero, one)   # dZ = dA * g'(Z)
                if layer.use_bias:
                    np.add.reduce(grad, axis=0, out=layer.bias.grad)  # db = sum of dZ's rows
            layer.dz = grad
            np.dot(layer.x.T, grad, out=layer.kernel.grad)            # dW = X.T dZ
            if i > first:                # no weights below the first Dense: its dX is not needed
                grad = np.dot(grad, layer.kernel.value.T)               # dX = dZ W.T
    if math.isfinite(value):             # no penalties to add: plan() allowed no regularizer
        optimizer = model.optimizer
        if not optimizer.built:
            optimizer.build(model.trainable_weights)
        update(optimizer)
    return value, a


# -- the loss's value and dJ/dZ or dJ/dA for the common cases, in fewer calls -----------------
def _loss_pass(loss, shortcut, z, a, y, sample_weight):
    """``(J, dJ/dZ or dJ/dA)`` as ``glassnet.step.loss_and_output_grad`` gives them, for
    sigmoid + binary cross-entropy through the shortcut and sparse categorical cross-entropy
    from logits, each with the default reduction and no sample weights; None otherwise.
    Called with NumPy's warnings off (fit's), so without the losses' ``errstate``."""
    if sample_weight is not None or loss.reduction != "sum_over_batch_size" or a.ndim != 2:
        return None
    kind = type(loss)
    if kind is losses.SparseCategoricalCrossentropy and loss.from_logits and not shortcut:
        if y.ndim != 1 or y.dtype.kind not in "iu":
            return None
        values, grad = loss.logits_values_and_gradient(y, a)
    elif kind is losses.BinaryCrossentropy and shortcut and not loss.label_smoothing and loss.axis in (-1, 1):
        if y.dtype != z.dtype or y.shape != z.shape:
            return None
        values, grad = _binary_crossentropy_from_logits(z, a, y)
    else:
        return None
    m = a.shape[0]                      # J = sum(L_i) / m, dJ/dZ = dL/dZ / m
    value = float(np.add.reduce(values, axis=None)) / m
    grad *= 1.0 / m
    return value, grad


def _binary_crossentropy_from_logits(z, a, y):
    """``BinaryCrossentropy.call_from_logits`` and ``gradient_from_logits``: the same
    operations, less the ones that change nothing. A single output's mean over the last
    axis is the value itself (that sum's +0 start only turns a -0 into +0, and a
    cross-entropy is never -0: its last term, log(1 + exp(-|z|)), is +0 or more, and adding
    it to -0 gives +0), and its gradient's 1 / 1 is a multiplication by one."""
    values = np.maximum(z, _zero_one(z.dtype)[0])      # L = (max(z, 0) - z y) + log(1 + exp(-|z|)),
    values -= z * y                                     # the log term last, as the loss (and TF) adds it
    term = np.abs(z)
    np.negative(term, out=term)
    np.exp(term, out=term)
    np.log1p(term, out=term)
    values += term
    n = z.shape[1]
    grad = a - y                                        # dL/dz = sigmoid(z) - y = a - y
    if n != 1:
        values = np.add.reduce(values, axis=1)
        values *= 1.0 / n
        grad *= 1.0 / n
    return values, grad


# -- numba's one-pass forms (glassnet.fast._numba_dense), once the optimizer runs on numba ------
@functools.cache
def _compiled_passes():
    """``glassnet.fast._numba_dense``, asked for when the model's optimizer already runs
    numba's kernels (chosen for the work ahead, so numba is loaded); None if it cannot load.
    Looked up once (an import statement costs a few µs a step)."""
    try:
        from . import _numba_dense  # noqa: PLC0415 - optional, imported only with numba's kernels
    except Exception:   # noqa: BLE001 - a broken numba install: the NumPy passes are exact too
        return None
    return _numba_dense


def _compiled_forward(passes, kind, z, b):
    if kind == "relu":
        return passes.bias_relu(z, b, z.dtype.type(0))               # Z += b; A = max(Z, 0)
    passes.bias_add(z, b)                                             # Z += b; A = Z
    return z


def _compiled_backward(passes, kind, layer, grad):
    """``dZ`` from ``dA`` (``grad``), and ``db`` into the bias's gradient. ``db`` is summed on
    the way only where NumPy's ``add.reduce(dZ, axis=0)`` adds the rows in order: a C-ordered
    ``dZ`` of two or more columns (a single column is summed pairwise, as one contiguous run)."""
    in_pass = layer.use_bias and grad.shape[1] > 1 and grad.flags.c_contiguous
    db = layer.bias.grad if in_pass else grad[0, :0]
    if kind == "relu":
        d = passes.relu_backward(grad, layer.z, grad.dtype.type(0), db)
    elif kind == "sigmoid":
        d = passes.sigmoid_backward(grad, layer.a, grad.dtype.type(1), db)
    elif kind == "tanh":
        d = passes.tanh_backward(grad, layer.a, grad.dtype.type(1), db)
    else:
        d = passes.linear_backward(grad, db) if in_pass else grad
    if layer.use_bias and not in_pass:
        np.add.reduce(d, axis=0, out=layer.bias.grad)
    return d
