"""The fast path of a training loop of one's own: ``GradientTape`` + ``apply_gradients``.

``fit`` chooses its step once (``glassnet.engine.fastpath``); a loop written as TensorFlow's
tutorials write it has no ``fit`` to choose for it::

    with tf.GradientTape() as tape:                     # begin(): threads, subnormals
        loss = loss_object(labels, model(images, training=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))   # apply_gradients() here

So the tape and the optimizer ask this module, step by step, for what ``fit`` sets once:

- **threads** (``glassnet.fast.threads``): when a tape opens, BLAS is given the cores that
  other programs leave free (looked at every half second at most). Left at OpenBLAS's own
  2 threads on a busy 2-core machine, the quickstart's 32 x 21632 by 21632 x 128 product
  took 114 ms instead of 2 ms (measured here);
- **subnormals** flushed to zero while the tape records, while ``gradient`` runs and while
  the optimizer updates (``glassnet.fast.denormals``), as in ``fit`` and TensorFlow, on the
  readable path as on this one (``glassnet.config.set_flush_denormals(False)`` keeps them);
- **the optimizer's packed update** (``glassnet.fast.update``): the gradients given are
  written into the variables' ``grad`` (the packed buffer, once packed) and the optimizer's
  rule runs once over the flat buffers, numba's loop for a large network: the same
  operations in the same order as ``update_step``, so the weights agree bit for bit
  (tests/test_fast_tape.py). It applies when the pairs given are exactly the variables the
  optimizer updates (any order), and the optimizer is one ``glassnet.fast`` knows, untouched.

- **a layer's backward without copies** (:func:`backward_twin`): a layer call is one node of
  the tape whose vjp runs the layer's ``backward``; for an untouched ``Dense``, ``Conv2D`` or
  ``Conv1D`` the twin below runs the same lines, hands the weights' gradients on as the
  products made them (no ``grad`` written and copied out again), and for a convolution with
  relu and a bias makes ``dZ`` and ``db`` in numba's one pass (``fast/_numba_conv``): the
  same numbers, bit for bit (tests/test_fast_tape.py).

The readable code runs, as in ``fit``, whenever a learner would expect their own code to run:
``glassnet.config.set_fast_path(False)``, a debugger or profiler, a layer or optimizer whose
methods were replaced or overridden (``glassnet.fast.untouched``). The layers' own
``forward`` runs in both (the tape records the call the model's ``call`` makes).
"""
from __future__ import annotations

import numpy as np

from .. import fast
from . import denormals, threads


def _wanted() -> bool:
    from ..engine import fastpath  # noqa: PLC0415 - the engine decides, as for fit
    return fastpath.wanted()


def begin() -> None:
    """A tape opens: on the fast path, BLAS threads for the cores free now (at most every
    half second it looks; a clock read otherwise)."""
    if _wanted():
        threads.pace()


def flushed():
    """Subnormals flushed to zero within (a context manager): see the module's docstring."""
    return denormals.flushed()


def apply_gradients(optimizer, grads, variables) -> bool:
    """``optimizer.apply(grads, variables)`` on the packed buffers; False (nothing done, not
    even ``grad`` written) when the readable ``apply`` must run instead."""
    if not _wanted() or not fast.untouched(optimizer):
        return False
    if not optimizer.built:
        optimizer.build(variables)
    known = optimizer.variables_to_update
    if len(known) != len(variables) or {id(v) for v in known} != {id(v) for v in variables}:
        return False                    # a subset (or new variables): the rule runs over all of them
    if optimizer.fast_state is None and not fast._eligible(optimizer):
        return False
    if _direct(optimizer, grads, variables):
        return True
    for v, g in zip(variables, grads):
        v.grad = g                      # into the packed buffer (packed on the first step)
    fast.update_packed(optimizer)
    return True


def _direct(optimizer, grads, variables) -> bool:
    """The packed rule run variable by variable, reading each gradient where the tape left it:
    no copy into the packed gradient buffer (11 MB read and written a step for the quickstart's
    Dense, of about 130 MB the whole step moves). Each weight's update reads only its own
    gradient, momentum and velocity, so the numbers are those of the rule over the whole buffer.
    Only once numba's loop was chosen (the network repays it), with no clipping. A large
    variable is split over the threads that ``glassnet.threads`` says are free, as apply does."""
    state = optimizer.fast_state
    if (state is None or state.kernel != "numba" or optimizer.iterations == state.recheck_at
            or optimizer.global_clipnorm is not None or optimizer.clipvalue is not None):
        return False
    threads.pace()
    offsets = state.__dict__.get("loop_offsets")
    if offsets is None:
        offsets = state.loop_offsets = dict(zip(map(id, optimizer.variables_to_update),
                                                fast._layout(optimizer.variables_to_update)[0]))
    from . import _numba_optimizers  # noqa: PLC0415 - loaded already: state.kernel says so
    lr = optimizer._rate()                                          # learning_rate's number, no object made
    dtype = state.values.dtype
    c = fast._rule(optimizer)[0](optimizer, lr, dtype.type)         # this step's numbers, as apply's
    name = type(optimizer).__name__
    for v, g in zip(variables, grads):
        g = np.ascontiguousarray(g, dtype=dtype).reshape(-1)
        at, n = offsets[id(v)], g.size
        slots = {key: flat[at:at + n] for key, flat in state.slots.items()}
        rule = _numba_optimizers.runner(name, state.values[at:at + n], g, slots, c)
        parts = max(1, min(threads.elementwise_threads(), n // fast._PARALLEL_MIN))
        if parts == 1:
            rule(0, n)
            continue
        bounds = [n * k // parts for k in range(parts + 1)]
        in_worker = denormals.like_caller(rule)         # with the caller's flush-to-zero setting
        futures = [fast._pool().submit(in_worker, bounds[k], bounds[k + 1]) for k in range(1, parts)]
        rule(bounds[0], bounds[1])
        for f in futures:
            f.result()
    optimizer.iterations += 1
    state.key = None                    # the whole-buffer rule works its numbers out afresh next time
    return True


# -- a layer's backward on the tape, without the copies of its gradients ---------------------
# A layer call recorded on a tape is one node whose vjp runs the layer's ``backward``, which
# sets each weight's ``grad`` (a copy into the variable's own array), and the vjp copies it out
# again (the next backward of that layer overwrites ``grad``). For the quickstart's Dense of
# 21632 x 128 weights that is two 11 MB copies a step, then a third into the packed buffer.
# The twin below makes Dense.backward's array operations, on the same numbers in the same
# order, and hands dW and db on as the fresh arrays the products made: ``grad`` is not written.
def backward_twin(unit):
    """The function ``(layer, dA, need_input_grad) -> (dX or None, [dW, db])`` that a tape's
    vjp may run instead of ``unit.backward`` (and the copies of its weights' ``grad``), or
    None where the layer's own ``backward`` must run."""
    twins = _twins()
    twin = twins.get(type(unit))
    if twin is None or not fast.untouched(unit) or not _wanted():
        return None
    if [id(v) for v in unit.trainable_weights] != [id(v) for v in unit.weights]:
        return None                     # a frozen layer or weight: the vjp's list is shorter
    return twin


_TWINS = None


def _twins():
    global _TWINS
    if _TWINS is None:
        from ..layers.conv import Conv1D, Conv2D  # noqa: PLC0415
        from ..layers.core import Dense  # noqa: PLC0415
        from . import conv, dense  # noqa: F401, PLC0415 - say which of the layers' methods the fast path stands in for
        conv._twins()
        fast.stands_in_for(Conv1D, "forward", "backward", "backward_from_z")
        _TWINS = {Dense: _dense_backward, Conv2D: _conv_backward, Conv1D: _conv_backward}
    return _TWINS


def _dense_backward(layer, grad, need_input_grad):
    """``Dense.backward`` (``layers/core.py``): its lines, with dW and db returned, not stored."""
    dz = layer._activation_backward(layer.z, layer.a, grad)     # dZ = dA * g'(Z)
    layer.dz = dz
    x = layer.x.reshape(-1, layer.x.shape[-1])
    dz_rows = dz.reshape(-1, layer.units)
    grads = [x.T @ dz_rows]                                     # dW = X.T dZ
    if layer.use_bias:
        grads.append(np.add.reduce(dz_rows, axis=0))            # db = the sum of dZ's rows
    dx = dz @ layer.kernel.value.T if need_input_grad else None  # dX = dZ W.T
    return dx, grads


def _conv_backward(layer, grad, need_input_grad):
    """``Conv2D.backward`` / ``Conv1D.backward`` (``layers/conv.py``) after the readable forward
    (a tape records a layer call as the layer's own forward): its lines, with dK and db returned,
    not stored, and for relu with a bias on a large batch ``dZ = dA * (Z > 0)`` and ``db`` in one
    numba pass (``fast/_numba_conv.relu_backward_bias``: the same numbers, rows added in order)."""
    from .. import activations  # noqa: PLC0415
    from ..layers.conv import input_gradient, transposed_product  # noqa: PLC0415
    from . import conv  # noqa: PLC0415
    f = layer.filters
    grad = np.asarray(grad)
    loops = conv._numba() if conv._worth_it(grad.size) else None
    db = None
    if (loops is not None and layer.activation is activations.relu and layer.use_bias
            and layer.z.shape == grad.shape and conv._plain(layer.z, grad, layer.bias.value)):
        dz, db = np.empty_like(grad), np.empty_like(layer.bias.value)          # dZ = dA * (Z > 0), db
        loops.relu_backward_bias(layer.z.reshape(-1, f), grad.reshape(-1, f), dz.reshape(-1, f), db)
    else:
        dz = layer._activation_backward(layer.z, layer.a, grad)                # dZ = dA * g'(Z)
    layer.dz = dz
    dz_rows = dz.reshape(-1, f)
    grads = [transposed_product(layer.patches, dz_rows).reshape(layer.kernel.shape)]   # dK = P.T dZ
    if layer.use_bias:
        grads.append(np.add.reduce(dz_rows, axis=0) if db is None else db)         # db = the sum of dZ's rows
    if not need_input_grad:
        return None, grads
    return input_gradient(dz_rows, layer.kernel.value.reshape(-1, f), (dz.shape[0],) + tuple(layer.out_spatial),
                          layer.kernel_size, layer.padded_shape, layer.strides, layer.dilation_rate,
                          layer.pads), grads
