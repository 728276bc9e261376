"""A whole epoch of a small Dense network in one compiled call (issue 28, item 3).

A small network's step is mostly Python: even fused (``glassnet.fast.dense``), the seed
network's step (64-25-15-1, batch 32) costs about 58 µs, nearly all of it in NumPy calls.
So, inside ``fit``, when every step of the epoch would take that fused path, this module
hands the whole epoch to one numba loop (``glassnet.fast._numba_epoch``): the batches in
the order of fit's own permutation (drawn here from the same generator, in the same way, so
shuffling stays bit for bit fit's), and for each, forward, loss, backward and the
optimizer's update, on the optimizer's packed buffers (``glassnet.fast``). Each batch's
loss comes back, so the history and the progress line show the same numbers, and the loop
stops at the first non-finite loss before that batch's update, as fit does; fit's message
and its snapshot of the weights (``engine/training.py``) then work as always.

The arithmetic is the readable path's: bit for bit where the loop can call NumPy's own
BLAS gemm and ufunc loops (found by C pointer and checked: every layer of two or more
units), else within 1e-6 relative (a one-unit layer, which NumPy multiplies with gemv; a
NumPy without its bundled OpenBLAS): ``glassnet.fast._numba_epoch`` says exactly where.
Tested step by step and over whole fits, float32 and float64 (tests/test_fast_epoch.py).

When it runs (:func:`plan`, asked once per ``fit``, on its first epoch; else the epoch
runs step by step as before):

- ``fit`` on arrays (not a dataset or generator), no sample or class weights, the fast
  path chosen for the fit (``glassnet.engine.fastpath``: not turned off, no tracer, no
  ``train_step`` of the model's own) and ``glassnet.config.set_compiled_epoch`` not False
  (nor ``GLASSNET_COMPILED_EPOCH=0``);
- every layer exactly ``Dense`` (trainable; sigmoid, relu, tanh or linear; softmax only
  last, with sparse categorical cross-entropy), its kernel regularizer none or an
  ``L1``/``L2``/``L1L2``, none on the bias, every method untouched (``glassnet.fast.untouched``);
- the loss untouched, default reduction: binary cross-entropy through the sigmoid
  shortcut, sparse categorical cross-entropy from logits (or through softmax), or mean
  squared error; labels of the weights' float type (integers in range for SCCE);
- the optimizer untouched: SGD (momentum, Nesterov), RMSprop (centered, momentum), Adam,
  AdamW, weight decay allowed, no clipping; a schedule is asked for each step's rate;
- compiled metrics are fine: the loop keeps every sample's output, and fit updates each
  metric batch by batch with them, as it does step by step (the same calls, the same numbers);
- no callback with ``on_train_batch_begin``/``end`` other than fit's progress line, which
  is then drawn once at the epoch's end; Ctrl-C is heard after the epoch (it takes
  milliseconds here);
- at most ``_MAX_WEIGHTS`` weights (beyond, BLAS's products beat these loops and Python's
  overhead no longer dominates: bench/README.md);
- numba loads and is worth loading (and ``glassnet.config.set_kernels`` is not "numpy"): its loop for this float type already loaded, or the
  steps ``fit`` announced (``glassnet.fast.expect_steps``) times the per-step saving
  repay numba's import (when not yet imported) and the loop's load. The seed program alone
  (1,200 steps, a 0.06 s fit) does not: its fit stays NumPy's and never imports numba.
  A process's earlier qualifying fits count too: the savings they forwent step by step are
  added, so the fits of a loop (a sweep written by hand, a benchmark) load it once those
  savings would have paid for it.
  ``model.compile(jit_compile=True)`` asks for the loop without that count (numba's load
  then paid in the first fit, as XLA's compilation is in Keras); ``jit_compile=False``
  keeps fit step by step;
- and the loops are already compiled: loaded in this process, or found in numba's disk
  cache for this float type (:func:`compiled`, which reads numba's index files without
  importing numba). A fit never compiles them: that takes 20-90 s, inside a fit that was
  to save a fraction of one. A fit that would qualify but finds no cache runs step by step
  (exact as always) and starts, once per process and at most one per machine at a time,
  a background process that compiles them at low priority (``glassnet.fast.compile``;
  ``GLASSNET_BACKGROUND_COMPILE=0`` or ``set_compiled_epoch(False)``: none); later fits,
  in this process or another, find the cache. :func:`compile_now` (``glassnet compile``)
  compiles in the foreground: once after installing, for benchmarks and CI.

The layers end the epoch holding what the fused step leaves: the last batch's ``x``,
``z``, ``a`` and ``dz`` (fresh arrays each epoch), each weight's ``grad``, the optimizer's
slots and ``iterations``.
"""
from __future__ import annotations

import importlib.util
import math
import os
import sys
import time

import numpy as np

from .. import activations, config, fast, losses, optimizers, regularizers
from ..layers.core import Dense, Input
from ..optimizers.base import keras_cast
from ..seeding import fit_order
from . import dense as fast_dense           # (also registers what the fused step stands in for)
from . import threads

# Activation and loss kinds, as glassnet.fast._numba_epoch numbers them.
ACTIVATIONS = {activations.linear: 0, activations.relu: 1, activations.sigmoid: 2, activations.tanh: 3}
_SOFTMAX = 4
_BCE, _SCCE, _MSE = 0, 1, 2
_OPTIMIZERS = {optimizers.SGD: 0, optimizers.RMSprop: 1, optimizers.Adam: 2, optimizers.AdamW: 2}

fast.stands_in_for(losses.MeanSquaredError, "call", "gradient", "value_and_gradient")
for _cls in (regularizers.L1L2, regularizers.L1, regularizers.L2):
    fast.stands_in_for(_cls, "__call__", "gradient")

# Weights above which the compiled epoch is not used (bench/epoch.py, one thread, CPU time
# per step against the fused step: 2.3x at width 64, 2.1x at 128, 1.7x at 256 (85k weights),
# 1.3x at 512 (300k); the MNIST-shaped 784-256-128-10 (235k weights, batch 128) 1.3x, and
# faster in wall time on two threads too: bench/README.md, "Fifth session"). Up to 2**18 the
# fused step's optimizer runs on one thread as the loop's does (glassnet.fast cuts the
# buffers into parts of at least 2**17 items); past it, its passes split over the free cores,
# which the loop does not, and the products dominate anyway.
_MAX_WEIGHTS = 1 << 18
# What loading costs and what a step saves (bench/README.md, "A compiled epoch"): importing
# numba (0.13-0.3 s here), loading the epoch's loops of one float type from numba's disk
# cache with NumPy's kernels found and checked (0.2-0.35 s), and the fused NumPy step's
# overhead that one compiled call removes: about 40 µs of the seed's 55-60 (its 2,031 weights),
# more for bigger networks (one thread: about 130 µs at width 64, 9k weights; 600 µs on the
# MNIST-shaped 235k), taken as 40 µs x (weights / 2,031) ** 0.55, which stays below each.
_IMPORT_S, _LOAD_S, _SAVED_PER_STEP_S = 0.13, 0.2, 40e-6
_SEED_WEIGHTS = 2031
_loaded: set = set()                         # float types whose loop has run in this process
# The savings this process's qualifying fits have forgone by running step by step: once they
# and a fit's own would repay the load, that fit loads the loop (the ski-rental rule: a lone
# small fit never pays the load; a loop of fits pays at most its cost once more than the best
# choice made in hindsight would; a fit of enough steps loads at once, as before).
_forgone = [0.0]


def enabled() -> bool:
    """``glassnet.config.set_compiled_epoch``'s setting and ``GLASSNET_COMPILED_EPOCH``."""
    env = os.environ.get("GLASSNET_COMPILED_EPOCH", "").strip().lower()
    return config.compiled_epoch() and env not in ("0", "false", "no", "off")


def _loss_kind(model, last, y, x):
    """The loss's kind here, or None when it is not one the loop computes."""
    loss = model.loss
    if not fast.untouched(loss) or loss.reduction != "sum_over_batch_size":
        return None
    kind, shortcut = type(loss), model.output_shortcut
    if kind is losses.BinaryCrossentropy:
        ok = shortcut and not loss.label_smoothing and loss.axis in (-1, 1)
        return _BCE if ok and y.dtype == x.dtype and y.shape == (len(x), last.units) else None
    if kind is losses.SparseCategoricalCrossentropy:
        if shortcut != (last.activation is activations.softmax) or (not shortcut and not (
                loss.from_logits and last.activation is activations.linear)):
            return None
        if y.ndim != 1 or y.dtype.kind not in "iu" or len(y) != len(x) or (
                len(y) and (y.min() < 0 or y.max() >= last.units)):
            return None
        return _SCCE
    if kind is losses.MeanSquaredError and not shortcut:
        return _MSE if y.dtype == x.dtype and y.shape == (len(x), last.units) else None
    return None


def _penalty_numbers(variable, f):
    """``(l1, l2)`` of a kernel's regularizer (zeros without one), or None if it is not one
    the loop computes."""
    r = variable.regularizer
    if r is None:
        return f(0), f(0)
    if type(r) not in (regularizers.L1L2, regularizers.L1, regularizers.L2) or not fast.untouched(r):
        return None
    return f(r.l1), f(r.l2)


def _batch_hooks_ok(cblist) -> bool:
    """No per-batch hook but the progress line's (drawn once per epoch then)."""
    from ..engine.progress import ProgressLogger  # noqa: PLC0415
    return not cblist.batch_begin and all(
        isinstance(getattr(named.hook, "__self__", None), ProgressLogger) for named in cblist.batch_end)


def _saved_per_step(weights) -> float:
    """Seconds one compiled step saves against the fused NumPy step, for a network of
    ``weights`` weights (the estimate above)."""
    return _SAVED_PER_STEP_S * (max(weights, _SEED_WEIGHTS) / _SEED_WEIGHTS) ** 0.55


def _numba_worth_it(dtype, steps_ahead, asked=False, weights=_SEED_WEIGHTS) -> bool:
    """Worth numba's load for ``steps_ahead`` steps of a network of ``weights`` weights (never
    with ``set_kernels("numpy")``), or ``asked`` for (``compile(jit_compile=True)``), and
    loadable without compiling; when only the compile is missing, a background compile starts."""
    if fast.kernels() == "numpy" or importlib.util.find_spec("numba") is None:
        return False
    if dtype in _loaded:
        return True
    cost = _LOAD_S + (0 if "numba" in sys.modules else _IMPORT_S)
    saving = steps_ahead * _saved_per_step(weights)
    if not asked and _forgone[0] + saving < cost:
        _forgone[0] += saving       # (rent, not buy: step by step while the savings forgone so
        return False                # far, with this fit's, stay below what the load costs)
    if compiled(dtype):
        return True
    from . import compile as background  # noqa: PLC0415 - only when a fit would have used the loops
    background.start()
    return False


# The loops fit's process calls itself, each with a type name its cached signature shows for
# a float type (``{}``): run_epoch, and what Epochs' first use checks NumPy's kernels with
# (epoch's _numpy_loops, _numpy_kernels.kernels). The functions they call are compiled into
# them and load with them.
_ENTRY_POINTS = {
    "_numba_epoch.py": (("run_epoch", "array({}, 2d"), ("_ufunc", "array({}, 1d"), ("_product", "array({}, 2d"),
                        ("_product_tn", "array({}, 2d"), ("_product_nt", "array({}, 2d")),
    "_numba_recurrent.py": (("call_gemm", "array({}, 2d"), ("call_loop", "array({}, 1d")),
}


def compiled(dtype, folder=None) -> bool:
    """Whether the epoch's loops for ``dtype`` are loaded in this process or compiled in
    numba's disk cache (``folder``: numba's cache folder; by default the one it uses), so
    that a fit can use them without compiling. Imports no numba (``_numba_cache.cached``)."""
    from . import _numba_cache  # noqa: PLC0415
    dtype = np.dtype(dtype)
    if dtype in _loaded:
        return True
    here = os.path.dirname(os.path.abspath(__file__))
    return all(_numba_cache.cached(os.path.join(here, module), [(f, t.format(dtype.name)) for f, t in entries], folder)
               for module, entries in _ENTRY_POINTS.items())


def compile_now(dtypes=("float32", "float64"), log=None) -> dict:
    """Compile the epoch's loops for each float type in ``dtypes`` into numba's disk cache,
    here and now (or load them, when already there); seconds each, by type. Run once after
    installing (``glassnet compile``), so that no fit waits for a background compile; and by
    benchmarks and CI. Leaves the caller's state alone: a throwaway two-layer network of
    zeros, named, so no random draw and no layer name is taken; nothing trained (the dry call)."""
    from ..engine.training import ArrayBatches  # noqa: PLC0415
    from ..models import Sequential  # noqa: PLC0415
    from . import _numba_epoch  # noqa: PLC0415 - numba
    took = {}
    for name in dtypes:
        dtype = np.dtype(name)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"compile_now: dtypes: {name!r} is not float32 or float64")
        start = time.perf_counter()
        layers = [Input(shape=(4,), dtype=dtype, name="compile_now_input"),
                  Dense(3, activation="relu", kernel_initializer="zeros", dtype=dtype, name="compile_now_hidden"),
                  Dense(1, activation="sigmoid", kernel_initializer="zeros", dtype=dtype, name="compile_now_output")]
        model = Sequential(layers, name="compile_now")
        model.compile(optimizer=optimizers.SGD(0.01, name="compile_now_sgd"), loss=losses.BinaryCrossentropy())
        x, y = np.zeros((8, 4), dtype), np.zeros((8, 1), dtype)
        epochs = Epochs(model, model.step_units(), [ACTIVATIONS[activations.relu], ACTIVATIONS[activations.sigmoid]],
                        [(dtype.type(0), dtype.type(0))] * 2, _BCE, _numba_epoch)
        if epochs.run(ArrayBatches(x, y, None, 4, False), dry=True) is None:
            raise RuntimeError("compile_now: the optimizer's state could not be packed")
        took[dtype.name] = time.perf_counter() - start
        if log is not None:
            print(f"compile_now: {dtype.name} in {took[dtype.name]:.1f} s", file=log, flush=True)
    return took


def plan(model, data, cblist):
    """An :class:`Epochs` running ``fit``'s epochs of ``data`` (an ``ArrayBatches``) on
    ``model`` in one compiled call each, or None when the rule above says no."""
    from ..engine.training import ArrayBatches  # noqa: PLC0415 - the loop's module imports this one
    asked = getattr(model, "_jit_compile", "auto")
    if not enabled() or asked is False or type(data) is not ArrayBatches or data.sample_weight is not None:
        return None
    x, y = data.x, data.y
    if type(x) is not np.ndarray or type(y) is not np.ndarray or x.ndim != 2 or not len(x):
        return None
    if x.dtype not in (np.float32, np.float64) or not _batch_hooks_ok(cblist):
        return None
    layers = model.step_units()
    if not layers or any(type(layer) is not Dense or not fast.untouched(layer) or not layer.trainable
                         for layer in layers):
        return None
    optimizer, f = model.optimizer, x.dtype.type
    if type(optimizer) not in _OPTIMIZERS or not fast.untouched(optimizer) or optimizer.clipnorm is not None \
            or optimizer.clipvalue is not None or optimizer.global_clipnorm is not None or optimizer.has_extras():
        return None
    kinds, penalties, weights = [], [], 0
    for i, layer in enumerate(layers):
        kind = ACTIVATIONS.get(layer.activation)
        if kind is None and i == len(layers) - 1 and layer.activation is activations.softmax:
            kind = _SOFTMAX
        numbers = _penalty_numbers(layer.kernel, f)
        if kind is None or numbers is None or layer.kernel.value.dtype != x.dtype or (
                layer.use_bias and layer.bias.regularizer is not None):
            return None
        kinds.append(kind)
        penalties.append(numbers)
        weights += sum(v.value.size for v in layer.trainable_weights)
    loss_kind = _loss_kind(model, layers[-1], y, x)
    if loss_kind is None or weights > _MAX_WEIGHTS or [v for layer in layers for v in layer.trainable_weights] \
            != list(model.trainable_weights):
        return None
    if not _numba_worth_it(x.dtype, fast.planned_steps(optimizer), asked=asked is True, weights=weights):
        return None
    try:
        from . import _numba_epoch  # noqa: PLC0415 - numba, loaded only when worth it
        epochs = Epochs(model, layers, kinds, penalties, loss_kind, _numba_epoch)
        if epochs.run(data, dry=True) is None:              # the loop loaded (or compiled) now
            return None
    except Exception:   # noqa: BLE001 - a numba that cannot load or compile it: step by step is exact too
        return None
    return epochs


_LOOPS: dict = {}


def _numpy_loops(dtype):
    """``(gemm, gemv, exp, tanh, log, log1p)``: NumPy's own BLAS and ufunc loops, each checked
    bit for bit against NumPy's call (gemm, exp, tanh: ``glassnet.fast._numpy_kernels``; gemv,
    log, log1p here), so the loop computes NumPy's numbers. Any not found or not equal is
    None: gemm (with exp and tanh) missing, the products are glassnet.fast._numba_epoch's
    loops (2-4x slower); gemv missing, gemm stands in for it (within 1e-6); exp, tanh, log,
    log1p missing, numba's functions (the last bit may differ)."""
    if dtype not in _LOOPS:
        from . import _numba_epoch as k  # noqa: PLC0415
        from . import _numpy_kernels  # noqa: PLC0415 - ctypes, once a compiled epoch is planned
        gemm, exp, tanh = _numpy_kernels.kernels(dtype) or (None, None, None)
        logs = []
        for ufunc in (np.log, np.log1p):
            loop = _numpy_kernels._ufunc_loop(ufunc, dtype)
            if loop is not None:
                x = np.random.default_rng(0).random(1000).astype(dtype) * 50
                x[:4] = [0, 1e-30, 1e30, np.inf]
                out = np.empty_like(x)
                k._ufunc(loop, x, out, np.empty(5, np.int64))
                with np.errstate(all="ignore"):
                    loop = loop if np.array_equal(out, ufunc(x), equal_nan=True) else None
            logs.append(loop)
        gemv = _gemv(dtype, k, gemm) if gemm is not None else None
        _LOOPS[dtype] = (gemm, gemv, exp, tanh, *logs)
    return _LOOPS[dtype]


def _gemv(dtype, k, gemm):
    """NumPy's OpenBLAS ``cblas_?gemv``, which ``np.matmul`` calls when one operand is a single
    row or column (the seed's one-unit output), if :mod:`_numba_epoch`'s calls of it give
    ``np.matmul``'s numbers bit for bit on each kind of product; else None."""
    import ctypes  # noqa: PLC0415
    from . import _numpy_kernels  # noqa: PLC0415
    lib = _numpy_kernels._openblas()
    letter, real = ("s", ctypes.c_float) if dtype == np.float32 else ("d", ctypes.c_double)
    fn = None
    for symbol in (f"scipy_cblas_{letter}gemv64_", f"cblas_{letter}gemv64_"):
        fn = getattr(lib, symbol, None) if lib is not None else None
        if fn is not None:
            break
    if fn is None:
        return None
    i64, ptr = ctypes.c_int64, ctypes.c_void_p
    gemv = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_int, i64, i64, real, ptr, i64, ptr, i64, real, ptr, i64)(
        ctypes.cast(fn, ctypes.c_void_p).value)
    rng = np.random.default_rng(2)
    zero, one = dtype.type(0), dtype.type(1)
    # (a one-row batch through a one-unit layer, where np.matmul calls dot, stays gemm's: within 1e-6)
    for m, n, p in ((32, 15, 1), (7, 40, 1), (1, 12, 9), (33, 1, 5), (16, 9, 7)):
        a, b = rng.standard_normal((m, n)).astype(dtype), rng.standard_normal((n, p)).astype(dtype)
        d, w = rng.standard_normal((m, p)).astype(dtype), rng.standard_normal((n, p)).astype(dtype)
        out, tn, nt = np.empty((m, p), dtype), np.empty((n, p), dtype), np.empty((m, n), dtype)
        k._product(gemm, gemv, a, b, out, zero, one)
        k._product_tn(gemm, gemv, a, d, tn, zero, one)
        k._product_nt(gemm, gemv, d, w, np.empty((p, n), dtype), nt, zero, one)
        if not (np.array_equal(out, a @ b) and np.array_equal(tn, a.T @ d) and np.array_equal(nt, d @ w.T)):
            return None
    return gemv


class Epochs:
    """One fit's compiled epochs: what stays the same from epoch to epoch, worked out once."""

    def __init__(self, model, layers, kinds, penalties, loss_kind, kernels):
        self.model, self.layers, self.kinds, self.loss_kind, self.kernels = model, layers, kinds, loss_kind, kernels
        dtype = layers[0].kernel.value.dtype
        self.dtype, f = dtype, dtype.type
        self.widths = np.array([layers[0].kernel.shape[0]] + [layer.units for layer in layers], np.int64)
        self.l1 = np.array([p[0] for p in penalties], dtype)
        self.l2 = np.array([p[1] for p in penalties], dtype)
        self.two_l2 = np.array([f(2.0 * float(p[1])) for p in penalties], dtype)   # (2.0 * l2), as L1L2.gradient
        self.kind_codes = np.array(kinds, np.int64)
        self.state = None
        self.numpy_kernels = _numpy_loops(dtype)
        self._numbers_key = self._space_key = None

    def _pack(self):
        """The optimizer's packed buffers (glassnet.fast), made now if the first step has not
        made them, and each kernel's and bias's offset in them; False if not packed."""
        optimizer = self.model.optimizer
        if not optimizer.built:
            optimizer.build(self.model.trainable_weights)
        if optimizer.fast_state is None:
            if not fast._eligible(optimizer):
                return False
            optimizer.fast_state = fast.FastState(optimizer)
        state = optimizer.fast_state
        if state is self.state:
            return True
        base, item = state.values.__array_interface__["data"][0], self.dtype.itemsize

        def offset(v):
            at = (v.value.__array_interface__["data"][0] - base) // item
            if not (0 <= at and at + v.value.size <= state.size and v.value.flags.c_contiguous):
                raise LookupError(v.path)
            return at
        try:
            self.w_at = np.array([offset(layer.kernel) for layer in self.layers], np.int64)
            self.b_at = np.array([offset(layer.bias) if layer.use_bias else -1 for layer in self.layers], np.int64)
        except LookupError:
            return False
        names = {0: ("momentum", None, None), 1: ("velocity", "average_gradient", "momentum"),
                 2: ("momentum", "velocity", "velocity_hat")}[_OPTIMIZERS[type(optimizer)]]
        none = state.values[:0]
        self.slots = [state.slots[n] if n in state.slots else none for n in names]
        self.state = state
        return True

    def _optimizer_numbers(self, steps):
        """Flags, the rule's numbers, and each step's rate, decay and Adam's t, as
        glassnet.fast's ``_Numbers`` has them (the same casts to the weights' type). Without
        a schedule or weight decay, all but t are kept from epoch to epoch while the
        optimizer's settings stay the same."""
        opt, f = self.model.optimizer, self.dtype.type
        it = opt.iterations
        ts = np.arange(it + 1, it + 1 + steps).astype(self.dtype)
        kind = _OPTIMIZERS[type(opt)]
        decay = bool(opt.weight_decay)
        if kind == 0:
            settings = (opt.momentum, opt.nesterov)
        elif kind == 1:
            settings = (opt.rho, opt.epsilon, opt.momentum, opt.centered)
        else:
            settings = (opt.beta_1, opt.beta_2, opt.epsilon, opt.amsgrad)
        key = None if opt.has_schedule or decay else (float(opt.learning_rate), steps, settings)
        if key is not None and key == self._numbers_key:
            return (*self._numbers, ts)
        if opt.has_schedule:
            rates = [float(opt.schedule(it + k)) for k in range(steps)]
        else:
            rates = [float(opt.learning_rate)] * steps
        lrs = np.array(rates, self.dtype)
        wds = np.array([keras_cast(opt.weight_decay, f) if decay else 0] * steps, self.dtype)   # w -= w wd lr
        if kind == 0:
            hyper = [keras_cast(opt.momentum, f)]        # (as Keras's ops.cast gives it)
            flags = [bool(opt.momentum), opt.nesterov, False, False, False, decay]
        elif kind == 1:
            hyper = [f(opt.rho), f(1 - opt.rho), f(opt.epsilon), f(opt.momentum)]
            flags = [False, False, opt.centered, bool(opt.momentum), False, decay]
        else:
            hyper = [f(1 - opt.beta_1), f(1 - opt.beta_2), f(opt.epsilon), keras_cast(opt.beta_1, f),
                     keras_cast(opt.beta_2, f)]         # (the betas of the powers as Keras's ops.cast)
            flags = [False, False, False, False, opt.amsgrad, decay]
        self._numbers_key = key
        self._numbers = (kind, np.array(flags, np.bool_), np.array(hyper, self.dtype), lrs, wds)
        return (*self._numbers, ts)

    def _workspace(self, data):
        """What an epoch of ``data`` needs besides fresh caches, made once per data set:
        the labels in the loop's form, the constants, scratch arrays."""
        x, y, batch = data.x, data.y, data.batch_size
        key = (id(x), id(y), x.shape, y.shape, batch)
        if key == self._space_key:
            return self._space
        dtype, f, widths = self.dtype, self.dtype.type, self.widths
        n = len(x)
        steps = -(-n // batch)
        last = n - (steps - 1) * batch
        n_out = int(widths[-1])
        if self.loss_kind == _SCCE:
            labels, y2 = y.astype(np.int64, copy=False), np.zeros((0, 0), dtype)
        else:
            labels, y2 = np.zeros(0, np.int64), y
        widest = int(widths.max())
        largest = max(int(a * b) for a, b in zip(widths[:-1], widths[1:]))
        self._space = {
            "x": x if x.flags.c_contiguous else np.ascontiguousarray(x), "y": y2, "labels": labels, "steps": steps,
            "consts": np.array([f(0), f(1), f(1.0 / batch), f(1.0 / last), f(1.0 / n_out), f(2.0 / n_out), f(n_out)],
                               dtype),
            "scratch": [np.empty(batch, np.int64), np.empty(batch * widest, dtype), np.empty(batch * widest, dtype),
                        np.empty(largest, dtype), np.empty(batch, dtype), np.empty(largest, dtype)],
            "blas_threads": 1 if batch * largest < fast_dense._BLAS_ALONE else None,
            # each layer's Z, A and dZ for a full batch, and the batch's X: fresh each epoch
            "sizes": (batch * int(widths[1:].sum()), batch * int(widths[0])),
        }
        self._space_key = key
        return self._space

    def run(self, data, dry=False):
        """One epoch: the losses of the steps taken (the last one not finite when fit must
        stop there), or None (nothing done, no random draw made) when the optimizer's state
        cannot be packed; fit then runs the epoch step by step. ``dry``: the call with no
        step at all (no draw, nothing changed but the optimizer built and packed), which
        loads the loop, or compiles it on a first run."""
        if not self._pack():
            return None
        space = self._workspace(data)
        n, batch, steps = len(data.x), data.batch_size, 0 if dry else space["steps"]
        if dry:
            order = np.arange(n)
        else:
            order = fit_order(n) if data.shuffle else np.arange(n)             # ArrayBatches.epoch's draw
        kind, flags, hyper, lrs, wds, ts = self._optimizer_numbers(steps)
        units, features = space["sizes"]
        fresh = np.empty(3 * units + features, self.dtype)                # the layers keep these
        zs, acts, dzs, xb = fresh[:units], fresh[units:2 * units], fresh[2 * units:3 * units], fresh[3 * units:]
        lab, ga, gb, wt, per_sample, scratch = space["scratch"]
        # BLAS's threads as the fused step sets them at each step (glassnet.fast.apply): at most
        # what the products can use, and in auto mode no more than the cores others leave free.
        # Without pace() auto mode never chose, and OpenBLAS kept its default of every core: on a
        # busy machine its threads spun waiting for each other (width 256: 20 ms a step, not 0.3)
        threads.useful_blas_threads(space["blas_threads"])
        threads.pace()
        losses_ = np.empty(steps, np.float64)
        # every sample's output, when metrics will read each batch's (fit's loop updates them)
        self.order = order
        self.predictions = np.empty((n if self.model.metrics else 0, int(self.widths[-1])), self.dtype)
        done = self.kernels.run_epoch(
            *self.numpy_kernels, space["x"], space["y"], space["labels"], order, batch, steps, self.widths,
            self.kind_codes, self.w_at, self.b_at, self.l1, self.l2, self.two_l2,
            self.state.values, self.state.grads, self.loss_kind, space["consts"], kind, flags, hyper, lrs, wds, ts,
            *self.slots, xb, lab, zs, acts, dzs, ga, gb, wt, per_sample, scratch, losses_, self.predictions)
        _loaded.add(self.dtype)
        if dry:
            return []
        finite = done - (not math.isfinite(losses_[done - 1]))
        self.model.optimizer.iterations += finite
        self._leave_caches(done, n, batch, xb, zs, acts, dzs)
        return losses_[:done].tolist()

    def _leave_caches(self, done, n, batch, xb, zs, acts, dzs):
        """Each layer's ``x``, ``z``, ``a``, ``dz`` of the last batch run, as the fused step leaves them."""
        m = min(batch, n - (done - 1) * batch)
        a_in = xb[:m * int(self.widths[0])].reshape(m, -1)
        at = 0
        for layer, width in zip(self.layers, self.widths[1:]):
            width = int(width)
            layer.x = a_in
            layer.z = zs[at:at + m * width].reshape(m, width)
            layer.a = a_in = acts[at:at + m * width].reshape(m, width)
            layer.dz = dzs[at:at + m * width].reshape(m, width)
            at += batch * width
