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
3. large networks: the rule runs chunk by chunk (16,384 items: a chunk of every array
   stays in cache across the rule's ten or so passes, instead of each pass streaming the
   whole buffer from memory), split over threads when ``glassnet.threads`` says cores
   are free (NumPy releases the GIL), or, when numba is installed and the work ahead pays
   for its one-time cost (2**19 weights, or weights x the steps ``fit`` is about to take
   from 10**8: :func:`expect_steps`; in a loop of one's own, the steps taken so far),
   compiled into one loop
   (``glassnet.fast._numba_optimizers``). Adam's update of the width-1024
   network (1.13M weights, float32, one thread, a busy 2-core machine): 4.5-9 ms before,
   3.2-3.5 ms chunked, 0.8-0.9 ms with numba (bench/README.md). Every form does the
   same operations in the same order, so all agree bit for bit.

Used only where it is exact: known optimizer classes, no per-tensor ``clipnorm``, every
variable a float array, and gradients taken from ``variable.grad``. Anything else takes
the readable path (``glassnet.fast.dense`` does the same for the forward and backward
passes of a model made of Dense layers, Dropout and Flatten). The packed state is dropped when an
optimizer is copied or pickled and rebuilt on its next step.
"""
from __future__ import annotations

import importlib.util
import weakref
from operator import attrgetter

import numpy as np

from .. import optimizers
from ..optimizers.base import keras_cast
from . import denormals, threads

# -- what the fast path stands in for ------------------------------------------------------
# Each entry: a class and the methods whose work the fast path does instead of calling them,
# as they were when glassnet was imported. A learner who replaces one of them (on the class
# or on one object), or subclasses the class, gets the readable code: theirs runs.
_ORIGINALS: dict = {}


def stands_in_for(cls, *names) -> None:
    """Record that the fast path does the work of ``cls``'s methods ``names``."""
    _ORIGINALS[cls] = {name: getattr(cls, name) for name in names if hasattr(cls, name)}


def untouched(obj) -> bool:
    """True when ``obj``'s class is one the fast path knows exactly and none of the methods
    it stands in for was replaced (on the class or on ``obj``)."""
    cls = type(obj)
    originals = _ORIGINALS.get(cls)
    if originals is None or _constrained_or_active(obj):
        return False
    own = getattr(obj, "__dict__", {})
    for name, fn in originals.items():
        if name in own or getattr(cls, name) is not fn:
            return False
    return True


_ALIGN = 64             # bytes
_CHUNK = 16384          # items: one chunk of each array stays in cache across a rule's passes
_PARALLEL_MIN = 1 << 17 # items per thread, below which a thread costs more than it saves
_NUMBA_MIN = 1 << 19    # weights from which numba's one-time cost (~0.6 s) pays off (auto)
_NUMBA_WORK = 10 ** 8   # or weights x planned steps from which it does: NumPy's Adam costs about
                        # 3 ns per weight and step here, numba's 0.4 ns, and numba takes about
                        # 0.3 s to load from its disk cache (bench/README.md)


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
    """An optimizer's packed buffers: values, gradients, each slot, and where the work is cut:
    ``parts`` (one ``(start, stop)`` per thread) and ``scratch`` (two chunk-long arrays per
    thread)."""

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
        self.size = self.values.size
        self.rule = _rule(optimizer)                # (numbers, NumPy passes, settings) of its class
        self.threads = 0
        self.kernel = None                          # "numpy" or "numba", chosen on the first step
        self.recheck_at = -1                        # the step at which "auto" chooses again
        self.key, self.run = None, None             # the latest step's settings and runner
        self.numbers = None                         # and its numbers (_Numbers)
        self.scratch = []

    def cut(self, threads: int) -> None:
        """Split the buffers into ``threads`` contiguous parts, each with its scratch arrays."""
        self.threads = threads
        bounds = [self.size * k // threads for k in range(threads + 1)]
        self.parts = list(zip(bounds[:-1], bounds[1:]))
        chunk = min(_CHUNK, self.size)
        while len(self.scratch) < threads:
            self.scratch.append((np.empty(chunk, self.values.dtype), np.empty(chunk, self.values.dtype)))


def _constrained_or_active(obj) -> bool:
    """A layer with an activity regularizer or a constrained weight: the readable layer adds the
    penalty and the readable ``Optimizer.apply`` applies the constraint, so no fast path takes it."""
    return getattr(obj, "activity_regularizer", None) is not None or any(
        getattr(v, "constraint", None) is not None for v in getattr(obj, "__dict__", {}).get("_variables", ()))


def _eligible(optimizer) -> bool:
    variables = optimizer.variables_to_update
    if not variables or _rule(optimizer) is None or optimizer.clipnorm is not None or optimizer.has_extras():
        return False                    # (use_ema, gradient accumulation, weight-decay exclusions: readable)
    if any(getattr(v, "constraint", None) is not None for v in variables):
        return False                    # Optimizer.apply runs each weight's constraint after the step
    dtype = variables[0].value.dtype
    return dtype.kind == "f" and all(v.value.dtype == dtype for v in variables)


def apply(optimizer, lr) -> bool:
    """One step of ``optimizer`` on all its variables at once, from their ``grad``; False
    (nothing done) when the fast path does not apply and the readable one must run."""
    threads.pace()
    state = optimizer.fast_state
    if state is None:
        if not _eligible(optimizer):
            return False
        state = optimizer.fast_state = FastState(optimizer)
    grad = state.grads
    if optimizer.global_clipnorm is not None or optimizer.clipvalue is not None:
        grad = optimizer.clip([grad])[0]        # the padding is zero: the norm is the same
    n = 1 if state.size <= _CHUNK else max(1, min(threads.elementwise_threads(), state.size // _PARALLEL_MIN))
    if n != state.threads:
        state.cut(n)
    if state.kernel is None or optimizer._iterations == state.recheck_at:    # (the count itself, not its StepCount)
        state.kernel = _choose_kernel(state, optimizer)
        state.key = None
    coefficients, numpy_rule, settings = state.rule
    # The step's numbers and runner depend only on these: a small network's step reuses
    # them while they stay the same (Adam's alpha, which changes with t, is refreshed below).
    key = (lr, n, settings(optimizer)) if grad is state.grads else None
    if key is not None and key == state.key:
        run, c = state.run, state.numbers
        if c.per_step:
            c.per_step(optimizer, lr, c)
    else:
        c = state.numbers = coefficients(optimizer, lr, state.values.dtype.type)
        if state.kernel == "numba":
            from . import _numba_optimizers as _fast_numba  # noqa: PLC0415 - optional, imported only when chosen
            rule = _fast_numba.runner(type(optimizer).__name__, state.values, grad, state.slots, c)

            def run(k):
                rule(*state.parts[k])
        else:
            run = _numpy_runner(numpy_rule, state, grad, c)
        state.key, state.run = key, run
    if n == 1:
        run(0)
    else:
        in_worker = denormals.like_caller(run)      # with fit's flush-to-zero setting
        futures = [_pool().submit(in_worker, k) for k in range(1, n)]
        run(0)
        for f in futures:
            f.result()
    return True


def _numpy_runner(rule, state, grad, c):
    """A function running ``rule`` over part ``k`` of the buffers, chunk by chunk: the few
    passes of a rule then read each chunk from cache rather than from memory."""
    if state.size <= _CHUNK:                    # a small network: one call per pass
        def run_all(k):
            t, u = state.scratch[0]
            if c.decay:
                np.multiply(state.values, c.wd, out=t)        # w -= w * wd * lr
                t *= c.rate
                state.values -= t
            rule(c, state.values, grad, state.slots, t, u)
        return run_all

    def run(k):
        start, stop = state.parts[k]
        t, u = state.scratch[k]
        for a in range(start, stop, _CHUNK):
            b = min(a + _CHUNK, stop)
            p = state.values[a:b]
            slots = {name: flat[a:b] for name, flat in state.slots.items()}
            if c.decay:
                np.multiply(p, c.wd, out=t[:b - a])            # w -= w * wd * lr
                t[:b - a] *= c.rate
                p -= t[:b - a]
            rule(c, p, grad[a:b], slots, t[:b - a], u[:b - a])
    return run


# -- the rules, each the same operations as its update_step -----------------------------------
# Each has its numbers, in the weights' float type, worked out once per step (``c``), and
# its passes over one chunk; glassnet.fast._numba_optimizers has the same arithmetic in one loop.
class _Numbers:
    per_step = None         # or a function (optimizer, lr, numbers) updating those that change each step

    def __init__(self, optimizer, rate, f, **numbers):
        self.decay = bool(optimizer.weight_decay)      # w -= w * wd * lr, wd as Keras's ops.cast gives it
        self.wd = keras_cast(optimizer.weight_decay, f) if self.decay else f(0)
        self.rate = f(rate)
        self.__dict__.update(numbers)


def _sgd_numbers(opt, lr, f):
    return _Numbers(opt, lr, f, lr=f(lr), mu=keras_cast(opt.momentum, f), momentum=bool(opt.momentum),
                    nesterov=opt.nesterov)


def _sgd(c, p, g, slots, t, u):
    np.multiply(g, c.lr, out=t)                   # t = g lr
    if not c.momentum:
        p -= t                                    # w -= g lr
        return
    m = slots["momentum"]
    m *= c.mu                                     # m = m mu - t
    m -= t
    if c.nesterov:
        np.multiply(m, c.mu, out=u)               # w += m mu - g lr
        u -= t
        p += u
    else:
        p += m


def _rmsprop_numbers(opt, lr, f):
    return _Numbers(opt, lr, f, lr=f(lr), rho=f(opt.rho), one_minus_rho=f(1 - opt.rho),
                    eps=f(opt.epsilon), centered=opt.centered, mu=f(opt.momentum),
                    momentum=bool(opt.momentum))


def _rmsprop(c, p, g, slots, t, u):
    v = slots["velocity"]
    v *= c.rho                                    # v = v rho + g g (1 - rho)
    np.multiply(g, g, out=t)
    t *= c.one_minus_rho
    v += t
    if c.centered:
        mg = slots["average_gradient"]
        mg *= c.rho                               # mg = mg rho + g (1 - rho)
        np.multiply(g, c.one_minus_rho, out=t)
        mg += t
        np.multiply(mg, mg, out=t)                # denominator = v - mg mg + eps
        np.subtract(v, t, out=t)
        t += c.eps
    else:
        np.add(v, c.eps, out=t)                   # denominator = v + eps
    np.sqrt(t, out=t)
    np.multiply(g, c.lr, out=u)                   # step = g lr / sqrt(denominator)
    u /= t
    if c.momentum:
        m = slots["momentum"]
        m *= c.mu                                 # m = m mu + step
        m += u
        p -= m
    else:
        p -= u


def _adam_numbers(opt, lr, f):
    return _Numbers(opt, lr, f, one_minus_beta_1=f(1 - opt.beta_1), one_minus_beta_2=f(1 - opt.beta_2),
                    alpha=opt.alpha(lr, f), eps=f(opt.epsilon), amsgrad=opt.amsgrad, float_type=f,
                    lr=f(lr), one=f(1), beta_1=keras_cast(opt.beta_1, f), beta_2=keras_cast(opt.beta_2, f),
                    per_step=_adam_alpha)


def _adam_alpha(opt, lr, c):
    """``Adam.alpha`` for the coming step, ``lr sqrt(1 - b2^t) / (1 - b1^t)``: the same
    operations on the same float-typed numbers, those that do not change kept from step to step."""
    t = c.float_type(opt._iterations + 1)
    c.alpha = c.lr * np.sqrt(c.one - c.beta_2 ** t) / (c.one - c.beta_1 ** t)


def _adam(c, p, g, slots, t, u):
    m, v = slots["momentum"], slots["velocity"]
    np.subtract(g, m, out=t)                      # m += (g - m)(1 - b1)
    t *= c.one_minus_beta_1
    m += t
    np.multiply(g, g, out=t)                      # v += (g g - v)(1 - b2)
    t -= v
    t *= c.one_minus_beta_2
    v += t
    if c.amsgrad:
        vhat = slots["velocity_hat"]
        np.maximum(vhat, v, out=vhat)
        v = vhat
    np.multiply(m, c.alpha, out=t)                # w -= m alpha / (sqrt(v) + eps)
    np.sqrt(v, out=u)
    u += c.eps
    t /= u
    p -= t


# Keyed by class: a subclass of your own, which may change update_step, takes the readable path.
# The third item reads every setting a rule's numbers depend on (with the learning rate).
_ADAM_SETTINGS = attrgetter("beta_1", "beta_2", "epsilon", "amsgrad", "weight_decay")
_RULES = {optimizers.SGD: (_sgd_numbers, _sgd, attrgetter("momentum", "nesterov", "weight_decay")),
          optimizers.RMSprop: (_rmsprop_numbers, _rmsprop, attrgetter(
              "rho", "epsilon", "centered", "momentum", "weight_decay")),
          optimizers.Adam: (_adam_numbers, _adam, _ADAM_SETTINGS),
          optimizers.AdamW: (_adam_numbers, _adam, _ADAM_SETTINGS)}
# What the rules stand in for: apply's parts and each class's update_step (see untouched).
for _cls in _RULES:
    stands_in_for(_cls, "apply", "update_weights", "clip", "update_step", "build")


def _rule(optimizer):
    return _RULES.get(type(optimizer))


def update(optimizer) -> None:
    """``optimizer.apply()`` (every variable from its ``grad``), on the packed buffers when the
    optimizer is one of the rules above, untouched; else ``optimizer.apply()`` itself."""
    if untouched(optimizer):
        update_packed(optimizer)
    else:
        optimizer.apply()


def update_packed(optimizer) -> None:
    """:func:`update` for an optimizer already known untouched (fit checks once per fit)."""
    if not optimizer.built:
        optimizer.build(optimizer.variables_to_update)
    if apply(optimizer, optimizer._rate()):
        optimizer._iterations += 1          # (the count: optimizer.iterations makes a StepCount)
    else:
        optimizer.apply()


# -- which kernels, how many threads ------------------------------------------------------------
_KERNELS = "auto"


def set_kernels(kind: str) -> None:
    """``"numpy"``, ``"numba"`` or ``"auto"`` (numba when it is installed and the network has
    at least 2**19 weights, or weights x the steps of the fit at hand reach 10**8: where
    its one-time cost pays off). Takes effect for optimizers built afterwards. Exposed as ``glassnet.config.set_kernels``."""
    global _KERNELS
    if kind not in ("auto", "numpy", "numba"):
        raise ValueError(f"set_kernels: kind must be 'auto', 'numpy' or 'numba', got {kind!r}")
    if kind == "numba" and importlib.util.find_spec("numba") is None:
        raise ImportError("set_kernels('numba') needs numba: pip install numba (or glassnet[speed])")
    _KERNELS = kind


def kernels() -> str:
    """The kernel choice in force: ``"auto"``, ``"numpy"`` or ``"numba"``."""
    return _KERNELS


def load_loops(name: str):
    """``glassnet.fast.<name>``, a module of numba loops, imported now; False when numba is
    missing or its install is broken (the readable path is exact too). The twins (conv.py,
    recurrent.py) keep what this returns, so each imports its loops once."""
    if importlib.util.find_spec("numba") is None:
        return False
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except Exception:   # noqa: BLE001 - a broken numba install
        return False


_planned = weakref.WeakKeyDictionary()     # optimizer -> the steps fit said it is about to take


def expect_steps(optimizer, steps) -> None:
    """``fit`` says how many steps it is about to take with ``optimizer`` (None: unknown).
    In ``"auto"`` the kernels are then chosen again, weighing numba's one-time cost against
    the work ahead: the MNIST-shaped network (235k weights) for one epoch of 469 steps is
    about 10**8 weights x steps, where numba saves about as much as it costs to load."""
    try:
        _planned[optimizer] = int(steps or 0)
    except TypeError:           # an optimizer class of one's own that cannot be a key: no matter,
        return                  # it takes the readable path
    state = optimizer.fast_state
    if state is not None and state.kernel == "numpy" and _KERNELS == "auto":
        state.kernel, state.key = None, None        # chosen again on the next step


def planned_steps(optimizer) -> int:
    """The steps ``fit`` said (:func:`expect_steps`) it is about to take with ``optimizer`` (0: unknown)."""
    try:
        return _planned.get(optimizer, 0)
    except TypeError:
        return 0


def _choose_kernel(state, optimizer) -> str:
    """numba's or NumPy's kernels for the work ahead: the steps ``fit`` announced or, in a
    loop of one's own (``train_on_batch``, ``apply_gradients``), as many as were already
    taken: past the step where they add up to _NUMBA_WORK, it is chosen again."""
    state.recheck_at = -1
    if state.values.dtype not in (np.float32, np.float64) or _KERNELS == "numpy":
        return "numpy"
    ahead = max(_planned.get(optimizer, 0), optimizer.iterations)
    worth_it = state.size >= _NUMBA_MIN or state.size * ahead >= _NUMBA_WORK
    if not worth_it and _KERNELS == "auto":
        state.recheck_at = max(optimizer.iterations + 1, -(-_NUMBA_WORK // state.size))
    if _KERNELS == "numba" or (worth_it and importlib.util.find_spec("numba") is not None):
        try:
            from . import _numba_optimizers  # noqa: PLC0415, F401
            return "numba"
        except Exception:   # noqa: BLE001 - a broken numba install: the NumPy kernels are exact too
            return "numpy"
    return "numpy"


_POOL = None


def _pool():
    global _POOL
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415
        _POOL = ThreadPoolExecutor(max(1, threads.usable_cores() - 1), thread_name_prefix="glassnet")
    return _POOL
