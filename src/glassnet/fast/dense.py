"""The fast path for a stack of Dense layers: one function runs the whole training step.

A small network's step is mostly Python: the seed's (64-25-15-1, batch 32) spends far
more time in calls (layer methods, the ``grad`` setter's checks, the activation's
``errstate``, lists of weights built every step) than in arithmetic. So, when a model is
nothing but ``Dense`` layers with built-in activations, :func:`train_step` here does the
forward and backward passes in one loop each, writing into arrays it reuses:

    forward:   Z = X @ W (written into Z's buffer);  Z += b;  A = g(Z) in place
    loss:      glassnet.step.loss_and_output_grad, the readable function itself
    backward:  dZ = dA * g'(Z);  dW = X.T @ dZ and db = sum(dZ) straight into the
               variables' gradient arrays;  dX = dZ @ W.T

Every array operation is the one the readable path makes (``glassnet.layers.core.Dense``,
``glassnet.activations``), on the same numbers in the same order; only where results are
written changes. So the weights, their gradients and the optimizer's state come out bit
for bit the same (tests/test_fast_dense.py). Each layer still ends the step holding what
its own ``forward``/``backward`` would have kept (``x``, ``z``, ``a``, ``dz``), each a
fresh array per step, so callbacks that read them see what they would have seen.

Once the optimizer runs on numba's kernels (chosen when the work ahead repays numba's
load: ``glassnet.fast``), the elementwise passes go through ``glassnet.fast._numba_dense``
too: ``Z += b`` and relu in one pass, ``dZ`` in one and ``db`` summed from it; bit for bit
the same.
And a step whose largest matrix product is small runs BLAS on one thread
(``glassnet.threads.useful_blas_threads``).

It applies only where that is proven: every layer exactly ``glassnet.layers.Dense`` with
sigmoid, relu (Keras's defaults), tanh or linear, no regularizer on any weight, a 2-D
float input of the weights' dtype, and no ``StepRecord`` asked for. Anything else returns
None and ``glassnet.step.train_step`` runs the readable path.

>>> import numpy as np, glassnet
>>> model = glassnet.Sequential([glassnet.Input(shape=(4,)), glassnet.layers.Dense(3, activation="relu"),
...                              glassnet.layers.Dense(1, activation="sigmoid")])
>>> model.compile(optimizer="rmsprop", loss="binary_crossentropy")
>>> x, y = np.ones((8, 4), np.float32), np.ones((8, 1), np.float32)
>>> plan(model, x)[1]
['relu', 'sigmoid']
>>> loss, predictions = train_step(model, x, y)     # what glassnet.step.train_step would return
>>> predictions.shape, model.optimizer.iterations
((8, 1), 1)
"""
from __future__ import annotations

import contextlib
import math

import numpy as np

from .. import activations, step, threads
from ..layers.core import Dense

# Multiply-adds of the step's largest matrix product below which BLAS runs on one thread:
# measured here (2 cores, batch 32, two hidden layers of the width), a second thread made
# the width-256 step (2.1M) slower, 0.43-0.45 ms against 0.38 ms, and the width-384 one
# (4.7M) faster, 0.99 ms against 1.22 ms (bench/README.md).
_BLAS_ALONE = 3 << 20
_NOTHING = contextlib.nullcontext()

# activation -> its kind here; each kind's forward and backward below repeats the
# operations of the function in glassnet.activations and of its _backward.
_KINDS = {activations.sigmoid: "sigmoid", activations.relu: "relu",
          activations.tanh: "tanh", activations.linear: "linear"}


def _forward(kind, z):
    """``A = g(Z)``: the operations of ``glassnet.activations``, without their checks (``Z``
    is a float array here) and without a separate ``errstate`` per call."""
    if kind == "sigmoid":
        a = np.negative(z)                     # exp(-x), 1 + it, 1 / it: sigmoid's own steps
        np.exp(a, out=a)
        a += 1.0
        return np.reciprocal(a, out=a)
    if kind == "relu":
        return np.maximum(z, 0.0)
    if kind == "tanh":
        return np.tanh(z)
    return z                                    # linear: A is Z itself, as activations.linear


def _backward(kind, z, a, grad):
    """``dZ = dA * g'(Z)``: the operations of each ``_<name>_backward``."""
    if kind == "sigmoid":
        d = 1.0 - a                             # sigmoid' = a (1 - a)
        d *= a
        d *= grad
        return d
    if kind == "relu":
        return grad * (z > 0)
    if kind == "tanh":
        return grad * (1.0 - a * a)
    return grad


def plan(model, x):
    """The layers' activation kinds when the fused step applies to ``model`` on ``x``, else None."""
    layers = model.layers
    if not layers or type(x) is not np.ndarray or x.ndim != 2:
        return None
    kinds = []
    for layer in layers:
        if type(layer) is not Dense or layer.kernel.value.dtype != x.dtype:
            return None
        kind = _KINDS.get(layer.activation)
        if kind is None or layer.kernel.regularizer is not None or (
                layer.use_bias and layer.bias.regularizer is not None):
            return None
        kinds.append(kind)
    return layers, kinds


def train_step(model, x, y, sample_weight=None):
    """Forward, loss, backward and the optimizer's update of a Dense-only ``model``; returns
    ``(J, predictions)`` as ``glassnet.step.train_step`` does, or None (nothing done) when
    the fused step does not apply."""
    found = plan(model, x)
    if found is None:
        threads.useful_blas_threads(None)
        return None
    layers, kinds = found
    shortcut = model.output_shortcut
    passes = _compiled_passes(model)
    largest = 0
    for layer in layers:
        largest = max(largest, layer.kernel.value.size)
    threads.useful_blas_threads(1 if len(x) * largest < _BLAS_ALONE else None)
    a = x
    # Only sigmoid's exp(-z) needs this (over/underflow: 0 and 1 are the right answers);
    # one errstate for the step costs less than one per layer, and none without a sigmoid.
    with np.errstate(over="ignore", under="ignore") if "sigmoid" in kinds else _NOTHING:
        for layer, kind in zip(layers, kinds):
            layer.x = a
            z = layer.z = np.dot(a, layer.kernel.value)              # Z = X W + b
            if passes is not None and layer.use_bias and kind in ("relu", "linear"):
                a = layer.a = _compiled_forward(passes, kind, z, layer.bias.value)
                continue
            if layer.use_bias:
                z += layer.bias.value
            a = layer.a = _forward(kind, z)                    # A = g(Z)
    value, grad = step.loss_and_output_grad(model.loss, shortcut, layers[-1], y, a, sample_weight)
    if grad.dtype != x.dtype:            # e.g. float64 labels on float32 weights: the readable way
        step.backward(layers, grad, shortcut)
    else:
        for i in range(len(layers) - 1, -1, -1):
            layer = layers[i]
            kind = kinds[i] if i < len(layers) - 1 or not shortcut else "linear"   # shortcut: dZ given
            if passes is not None:                                    # dZ, then db, compiled
                grad = _compiled_backward(passes, kind, layer, grad)
            else:
                grad = _backward(kind, layer.z, layer.a, grad)        # dZ = dA * g'(Z)
                if layer.use_bias:
                    np.add.reduce(grad, axis=0, out=layer.bias.grad)  # db = sum of dZ's rows
            layer.dz = grad
            np.dot(layer.x.T, grad, out=layer.kernel.grad)            # dW = X.T dZ
            if i:
                grad = np.dot(grad, layer.kernel.value.T)               # dX = dZ W.T
    if math.isfinite(value):             # no penalties to add: plan() allowed no regularizer
        optimizer = model.optimizer
        if not optimizer.built:
            optimizer.build(model.trainable_weights)
        optimizer.apply()
    return value, a


# -- numba's one-pass forms (glassnet.fast._numba_dense), once the optimizer runs on numba ------
def _compiled_passes(model):
    """``glassnet.fast._numba_dense`` when the model's optimizer already runs numba's kernels
    (chosen for the work ahead, so numba is loaded), else None."""
    state = model.optimizer.fast_state
    if state is None or state.kernel != "numba":
        return None
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
