"""The fast path: the same optimizer arithmetic, on a whole network at once.

Nothing here changes what the model computes; it changes how many NumPy calls it takes.
A small network's step is mostly call overhead: RMSprop written per weight makes about
8 calls for each of the seed's 6 weight arrays. So, on the first step of an optimizer:

1. ``pack``: the variables' values and gradients move into one 64-byte-aligned buffer
   each (per dtype), each variable keeping a view of its slice (zero padding between;
   BLAS runs about twice as fast on aligned matrices, measured). Layers still see their
   own arrays and may assign them (``kernel.grad = ...`` writes into the buffer).
2. the optimizer's slots are laid out the same way, and its rule runs once over the flat
   buffers, in place, with scratch arrays instead of temporaries: the same operations in
   the same order as ``update_step`` in ``glassnet.optimizers``, so the weights agree
   bit for bit (tests/test_fast_path.py).

Used only where it is exact: known optimizer classes, no per-tensor ``clipnorm``, every
variable a float array, and gradients taken from ``variable.grad``. Anything else takes
the readable path. The packed state is dropped when an optimizer is copied or pickled and
rebuilt on its next step.
"""
from __future__ import annotations

import numpy as np

_ALIGN = 64      # bytes


def _aligned_zeros(n, dtype):
    """A zeroed 1-D array of ``n`` items whose first item sits on a 64-byte boundary."""
    itemsize = np.dtype(dtype).itemsize
    raw = np.zeros(n + _ALIGN // itemsize, dtype)
    skip = (-raw.ctypes.data % _ALIGN) // itemsize
    return raw[skip:skip + n]


def _padded(n, itemsize):
    return n + (-n * itemsize % _ALIGN) // itemsize


def _layout(variables):
    """The offset of each variable in a packed buffer, and the buffer's length."""
    offsets, total = [], 0
    for v in variables:
        offsets.append(total)
        total += _padded(v.value.size, v.value.dtype.itemsize)
    return offsets, total


def pack(variables):
    """Move the variables (all of one float dtype) into one value and one gradient buffer;
    returns ``(values, grads, offsets)``."""
    offsets, total = _layout(variables)
    dtype = variables[0].value.dtype
    values, grads = _aligned_zeros(total, dtype), _aligned_zeros(total, dtype)
    for v, at in zip(variables, offsets):
        n, shape = v.value.size, v.value.shape
        v.store_in(values[at:at + n].reshape(shape), grads[at:at + n].reshape(shape))
    return values, grads, offsets


class FastState:
    """An optimizer's packed buffers: values, gradients, each slot, and scratch space."""

    def __init__(self, optimizer):
        variables = optimizer.variables_to_update
        self.values, self.grads, offsets = pack(variables)
        self.slots = {}
        for name, arrays in optimizer.slots.items():
            flat = np.zeros_like(self.values)
            for i, (a, at) in enumerate(zip(arrays, offsets)):
                view = flat[at:at + a.size].reshape(a.shape)
                view[...] = a
                arrays[i] = view                    # the optimizer's own slot is now this view
            self.slots[name] = flat
        self.scratch = [np.empty_like(self.values), np.empty_like(self.values)]


def _eligible(optimizer) -> bool:
    variables = optimizer.variables_to_update
    if not variables or _rule(optimizer) is None or optimizer.clipnorm is not None:
        return False
    dtype = variables[0].value.dtype
    return dtype.kind == "f" and all(v.value.dtype == dtype for v in variables)


def apply(optimizer, lr) -> bool:
    """One step of ``optimizer`` on all its variables at once, from their ``grad``; False
    (nothing done) when the fast path does not apply and the readable one must run."""
    state = optimizer.fast_state
    if state is None:
        if not _eligible(optimizer):
            return False
        state = optimizer.fast_state = FastState(optimizer)
    grad = state.grads
    if optimizer.global_clipnorm is not None or optimizer.clipvalue is not None:
        grad = optimizer.clip([grad])[0]        # the padding is zero: the norm is the same
    p, (t, u) = state.values, state.scratch
    if optimizer.weight_decay:
        np.multiply(p, optimizer.weight_decay * lr, out=t)     # w -= w * (wd * lr)
        p -= t
    _rule(optimizer)(optimizer, p, grad, lr, state.slots, t, u)
    return True


# -- the rules, each the same operations as its update_step ---------------------------------
def _sgd(opt, p, g, lr, slots, t, u):
    if not opt.momentum:
        np.multiply(g, lr, out=t)                 # w -= g lr
        p -= t
        return
    m, mu = slots["momentum"], opt.momentum
    np.multiply(g, lr, out=t)                     # t = g lr
    m *= mu                                       # m = m mu - t
    m -= t
    if opt.nesterov:
        np.multiply(m, mu, out=u)                 # w += m mu - g lr
        u -= t
        p += u
    else:
        p += m


def _rmsprop(opt, p, g, lr, slots, t, u):
    rho, v = opt.rho, slots["velocity"]
    v *= rho                                      # v = v rho + g g (1 - rho)
    np.multiply(g, g, out=t)
    t *= 1 - rho
    v += t
    if opt.centered:
        mg = slots["average_gradient"]
        mg *= rho                                 # mg = mg rho + g (1 - rho)
        np.multiply(g, 1 - rho, out=t)
        mg += t
        np.multiply(mg, mg, out=t)                # denominator = v - mg mg + eps
        np.subtract(v, t, out=t)
        t += opt.epsilon
    else:
        np.add(v, opt.epsilon, out=t)             # denominator = v + eps
    np.sqrt(t, out=t)
    np.multiply(g, lr, out=u)                     # step = g lr / sqrt(denominator)
    u /= t
    if opt.momentum:
        m = slots["momentum"]
        m *= opt.momentum                         # m = m mu + step
        m += u
        p -= m
    else:
        p -= u


def _adam(opt, p, g, lr, slots, t, u):
    m, v = slots["momentum"], slots["velocity"]
    np.subtract(g, m, out=t)                      # m += (g - m)(1 - b1)
    t *= 1 - opt.beta_1
    m += t
    np.multiply(g, g, out=t)                      # v += (g g - v)(1 - b2)
    t -= v
    t *= 1 - opt.beta_2
    v += t
    if opt.amsgrad:
        vhat = slots["velocity_hat"]
        np.maximum(vhat, v, out=vhat)
        v = vhat
    np.multiply(m, opt.alpha(lr, p.dtype), out=t)  # w -= m alpha / (sqrt(v) + eps)
    np.sqrt(v, out=u)
    u += opt.epsilon
    t /= u
    p -= t


# Keyed by class: a subclass of your own, which may change update_step, takes the readable path.
_RULES = {("glassnet.optimizers", "SGD"): _sgd, ("glassnet.optimizers", "RMSprop"): _rmsprop,
          ("glassnet.optimizers", "Adam"): _adam, ("glassnet.optimizers", "AdamW"): _adam}


def _rule(optimizer):
    return _RULES.get((type(optimizer).__module__, type(optimizer).__qualname__))
