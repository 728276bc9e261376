"""The table of vector-Jacobian products: every operation a ``GradientTape`` records, its
rule right beside its forward (HIPS autograd's ``numpy/numpy_vjps.py`` is the model).

A rule reads: for the ``i``-th argument of ``fn``, given the forward's answer ``ans`` and its
arguments, a function from ``g`` = dJ/d(ans) to dJ/d(argument)::

    defvjp(np.multiply, lambda ans, x, y: lambda g: unbroadcast(x, g * y),
                        lambda ans, x, y: lambda g: unbroadcast(y, g * x))

Broadcasting is undone in one place, :func:`unbroadcast` (``x + b`` with ``b`` of shape
``(3,)`` and ``x`` of ``(5, 3)``: dJ/db is ``g`` summed over the batch). The rules compute
with the same recorded operations (``g * y`` on Tensors is ``np.multiply`` again), so a tape
open around another tape's ``gradient`` records them: second derivatives come free.

:func:`apply` runs one operation: the forward on plain arrays, then, when an open tape follows
one of its arguments, a :class:`glassnet.tf.tape.Node` carrying the rule. NumPy reaches it
through ``Tensor.__array_ufunc__`` / ``__array_function__`` (``glassnet/tf/dispatch.py``);
``glassnet.math``, ``nn``, ``linalg`` and the top-level functions call the primitives below. An operation with no rule is recorded all the same and refuses, naming
itself, when a gradient through it is asked; one whose answer is constant (``np.sign``,
``argmax``, comparisons) carries none.

>>> import numpy as np, glassnet as tf
>>> x = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
>>> b = tf.Variable([10.0, 20.0])
>>> with tf.GradientTape() as tape:
...     y = tf.reduce_sum(x * b + np.exp(x) * 0)
>>> [g.numpy().tolist() for g in tape.gradient(y, [x, b])]
[[[10.0, 20.0], [10.0, 20.0]], [4.0, 6.0]]
"""
from __future__ import annotations

import builtins

import numpy as np

from .. import activations as _act
from . import tape as _tape
from . import trace_graph as _trace
from .tensor import Tensor, wrap
from .variable import Variable

RULES: dict = {}        # primitive -> a tuple of per-argument rules, or one rule for all arguments (ALL)
ALL = "all"


def defvjp(fn, *rules) -> None:
    """``rules[i](ans, *args, **kwargs)`` returns ``g -> dJ/d(args[i])`` (None: no gradient)."""
    RULES[fn] = rules


def defvjp_all(fn, rule) -> None:
    """``rule(ans, *args, **kwargs)`` returns ``g -> [dJ/d(arg) for each arg]`` (concat, stack)."""
    RULES[fn] = (ALL, rule)


# -- running one operation ------------------------------------------------------------------
def _plain(a):
    if isinstance(a, Tensor):
        return a.view(np.ndarray)
    if isinstance(a, Variable):
        return a.value
    return a


def _result(r):
    if isinstance(r, np.ndarray):
        return r.view(Tensor)
    if isinstance(r, np.generic):
        return np.asarray(r).view(Tensor)
    if isinstance(r, tuple):
        return tuple(_result(x) for x in r)
    if isinstance(r, list):
        return [_result(x) for x in r]
    return r


def _name(fn) -> str:
    return f"np.{fn.__name__}" if isinstance(fn, np.ufunc) else getattr(fn, "__name__", repr(fn))


def apply(fn, /, *args, **kwargs):
    """``fn(*args, **kwargs)`` on plain arrays, returned as a Tensor; recorded (with ``fn``'s
    rule) on each open tape that follows one of ``args``. Keyword arguments are settings
    (axis, shape...), never differentiated."""
    tapes = _tape.recording_tapes()
    if tapes:
        args = tuple(_tape.read(a) if isinstance(a, Variable) else a for a in args)
    out = _result(fn(*[_plain(a) for a in args], **kwargs))
    if _trace.RECORDER[0] is not None:              # tf.summary.trace_on(graph=True): a node of the graph
        _trace.RECORDER[0].op(_name(fn), args, out)
    if tapes and isinstance(out, Tensor) and out.dtype.kind in "fc":
        follow = [t for t in tapes if any(id(a) in t._known for a in args)]
        if follow:
            _tape.add(follow, _tape.Node(_name(fn), args, [out], _vjp(fn, args, kwargs, out)))
    return out


def _vjp(fn, args, kwargs, ans):
    def vjp(grads, need):
        rules = RULES.get(fn)
        if fn in NO_GRADIENT:                       # an op TensorFlow registers no gradient for: its words
            raise LookupError(f"gradient registry has no entry for: {NO_GRADIENT[fn]}")
        if rules is None:
            raise LookupError(f"GradientTape.gradient: no gradient is defined for {_name(fn)}, which was applied to "
                              "a value the tape follows. Write the step with operations glassnet can differentiate "
                              "(glassnet.tf.vjps lists them), or give it a rule with tf.custom_gradient")
        g = grads[0]
        if rules[0] is ALL:
            return rules[1](ans, *args, **kwargs)(g)
        return [rules[i](ans, *args, **kwargs)(g) if need[i] and i < len(rules) and rules[i] is not None else None
                for i in range(len(args))]
    vjp.first_order_only = fn in FIRST_ORDER_ONLY
    return vjp


NO_GRADIENT: dict = {}           # forward -> TensorFlow's op name, for ops TensorFlow gives no gradient
FIRST_ORDER_ONLY: set = set()     # rules written in plain NumPy: an outer tape refuses to go through them


def _shape(x) -> tuple:
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def unbroadcast(x, g):
    """``g`` summed back to ``x``'s shape: over the leading axes broadcasting added, and
    over each axis where ``x`` has length 1 (the bias of ``x @ W + b`` gets the batch's sum)."""
    return unbroadcast_to(_shape(x), g)


def unbroadcast_to(shape, g):
    shape = tuple(shape)
    extra = len(_shape(g)) - len(shape)
    if extra > 0:
        g = sum(g, axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and _shape(g)[i] != 1)
    if axes:
        g = sum(g, axis=axes, keepdims=True)
    return g


# -- the elementwise operations: NumPy's ufuncs, and the operators (x * y is np.multiply) ------
defvjp(np.add, lambda ans, x, y: lambda g: unbroadcast(x, g),
               lambda ans, x, y: lambda g: unbroadcast(y, g))
defvjp(np.subtract, lambda ans, x, y: lambda g: unbroadcast(x, g),
                    lambda ans, x, y: lambda g: unbroadcast(y, -g))
defvjp(np.multiply, lambda ans, x, y: lambda g: unbroadcast(x, g * y),
                    lambda ans, x, y: lambda g: unbroadcast(y, g * x))
defvjp(np.true_divide, lambda ans, x, y: lambda g: unbroadcast(x, g / y),
                       lambda ans, x, y: lambda g: unbroadcast(y, -g * x / (y * y)))
defvjp(np.negative, lambda ans, x: lambda g: -g)
defvjp(np.positive, lambda ans, x: lambda g: g)
defvjp(np.power, lambda ans, x, y: lambda g: unbroadcast(x, g * y * x ** (y - 1)),   # d x^y/dx = y x^(y-1)
                 lambda ans, x, y: lambda g: unbroadcast(y, g * ans * np.log(np.where(x > 0, x, 1))))  # x^y ln x
defvjp(np.square, lambda ans, x: lambda g: g * 2 * x)
defvjp(np.sqrt, lambda ans, x: lambda g: g / (2 * ans))                  # d sqrt(x) = 1 / (2 sqrt(x))
defvjp(np.exp, lambda ans, x: lambda g: g * ans)                         # d e^x = e^x
defvjp(np.log, lambda ans, x: lambda g: g / x)
defvjp(np.log1p, lambda ans, x: lambda g: g / (1 + x))
defvjp(np.expm1, lambda ans, x: lambda g: g * (ans + 1))
defvjp(np.absolute, lambda ans, x: lambda g: g * np.sign(x))             # 0 at x = 0, as TensorFlow
defvjp(np.maximum, lambda ans, x, y: lambda g: unbroadcast(x, g * (x >= y)),   # ties go to x, as TensorFlow
                   lambda ans, x, y: lambda g: unbroadcast(y, g * (x < y)))
defvjp(np.minimum, lambda ans, x, y: lambda g: unbroadcast(x, g * (x <= y)),
                   lambda ans, x, y: lambda g: unbroadcast(y, g * (x > y)))
defvjp(np.tanh, lambda ans, x: lambda g: g * (1 - ans * ans))            # tanh' = 1 - tanh^2
defvjp(np.sin, lambda ans, x: lambda g: g * np.cos(x))
defvjp(np.cos, lambda ans, x: lambda g: -g * np.sin(x))
defvjp(np.reciprocal, lambda ans, x: lambda g: -g * ans * ans)           # d(1/x) = -1/x^2


def _matrices(x, y, g):
    """``x``, ``y`` and ``g`` with a vector made a 1-row (x) or 1-column (y) matrix."""
    xs, ys, gs = _shape(x), _shape(y), list(_shape(g))
    if len(xs) == 1:
        x = reshape(x, shape=(1,) + xs)
        gs.insert(len(gs) - (0 if len(ys) == 1 else 1), 1)
    if len(ys) == 1:
        y = reshape(y, shape=ys + (1,))
        gs.append(1)
    return x, y, reshape(g, shape=tuple(gs))


def _matmul_dx(ans, x, y):            # d(x @ y)/dx: g @ y^T
    def vjp(g):
        x2, y2, g2 = _matrices(x, y, g)
        return reshape(unbroadcast_to(_shape(x2), np.matmul(g2, swapaxes(y2, axis1=-1, axis2=-2))), shape=_shape(x))
    return vjp


def _matmul_dy(ans, x, y):            # d(x @ y)/dy: x^T @ g
    def vjp(g):
        x2, y2, g2 = _matrices(x, y, g)
        return reshape(unbroadcast_to(_shape(y2), np.matmul(swapaxes(x2, axis1=-1, axis2=-2), g2)), shape=_shape(y))
    return vjp


defvjp(np.matmul, _matmul_dx, _matmul_dy)

# answers that are constant where they are defined: recorded nowhere, no gradient (TF: None); but
# TensorFlow's Sign has a gradient, zeros (so |x|'s second derivative reaches x): recorded, see step
CONSTANT_UFUNCS = {np.floor, np.ceil, np.rint, np.trunc, np.floor_divide}


# -- reductions --------------------------------------------------------------------------------
def _axes(axis, ndim) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    axis = axis if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(int(a) % ndim for a in axis) if ndim else ()


def _kept(g, x_shape, axis, keepdims):
    """``g`` (a reduction's gradient) with the reduced axes back as length 1."""
    if keepdims:
        return g
    axes = _axes(axis, len(x_shape))
    return reshape(g, shape=tuple(1 if i in axes else n for i, n in enumerate(x_shape)))


def sum(x, axis=None, keepdims=False, dtype=None):  # noqa: A001 (NumPy's name)
    """``sum_i x_i`` over ``axis``;  dJ/dx_i = g (copied to every summed position)."""
    return apply(np.sum, x, axis=axis, keepdims=keepdims, dtype=dtype)


defvjp(np.sum, lambda ans, x, axis=None, keepdims=False, dtype=None:
       lambda g: broadcast_to(_kept(g, _shape(x), axis, keepdims), shape=_shape(x)))


def mean(x, axis=None, keepdims=False, dtype=None):
    """``sum_i x_i / n`` over ``axis``;  dJ/dx_i = g / n."""
    return apply(np.mean, x, axis=axis, keepdims=keepdims, dtype=dtype)


defvjp(np.mean, lambda ans, x, axis=None, keepdims=False, dtype=None:
       lambda g: broadcast_to(_kept(g, _shape(x), axis, keepdims), shape=_shape(x))
       * (builtins.max(int(np.prod(_shape(ans))), 1) / builtins.max(int(np.prod(_shape(x))), 1)))


def _extreme_vjp(ans, x, axis=None, keepdims=False):
    """max / min: g shared equally among the positions that reach the extreme (as TF)."""
    def vjp(g):
        hit = _plain(x) == _plain(_kept(ans, _shape(x), axis, keepdims))
        share = hit / np.sum(hit, axis=_axes(axis, len(_shape(x))), keepdims=True)
        return broadcast_to(_kept(g, _shape(x), axis, keepdims), shape=_shape(x)) * share.astype(_plain(ans).dtype)
    return vjp


def max(x, axis=None, keepdims=False):  # noqa: A001
    """``max_i x_i`` over ``axis``;  dJ/dx_i = g / k at the k positions of the maximum, else 0."""
    return apply(np.max, x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    """``min_i x_i`` over ``axis``;  dJ/dx_i = g / k at the k positions of the minimum, else 0."""
    return apply(np.min, x, axis=axis, keepdims=keepdims)


defvjp(np.max, _extreme_vjp)
defvjp(np.min, _extreme_vjp)


def prod(x, axis=None, keepdims=False, dtype=None):
    """``prod_i x_i`` over ``axis``;  dJ/dx_i = g * prod / x_i (inputs away from 0)."""
    return apply(np.prod, x, axis=axis, keepdims=keepdims, dtype=dtype)


defvjp(np.prod, lambda ans, x, axis=None, keepdims=False, dtype=None:
       lambda g: broadcast_to(_kept(g * ans, _shape(x), axis, keepdims), shape=_shape(x)) / x)


# -- shapes: the numbers move, the gradient moves back -----------------------------------------
def reshape(x, shape):
    """``x`` with a new shape;  dJ/dx = g reshaped back."""
    return apply(_reshape, x, shape=tuple(shape) if isinstance(shape, (tuple, list)) else (int(shape),))


def _reshape(x, shape):
    return np.reshape(x, shape).copy()             # a tensor never aliases another's numbers


defvjp(_reshape, lambda ans, x, shape: lambda g: reshape(g, _shape(x)))


def transpose(x, axes=None):
    """Axes permuted;  dJ/dx = g permuted back (the inverse permutation)."""
    return apply(_transpose, x, axes=axes)


def _transpose(x, axes=None):
    return np.transpose(x, axes).copy()


defvjp(_transpose, lambda ans, x, axes=None:
       lambda g: transpose(g, axes=None if axes is None else tuple(np.argsort([a % len(axes) for a in axes]))))


def swapaxes(x, axis1, axis2):
    """Two axes exchanged;  dJ/dx = g with them exchanged again."""
    return apply(_swapaxes, x, axis1=axis1, axis2=axis2)


def _swapaxes(x, axis1, axis2):
    return np.swapaxes(x, axis1, axis2).copy()


defvjp(_swapaxes, lambda ans, x, axis1, axis2: lambda g: swapaxes(g, axis1=axis1, axis2=axis2))


def squeeze(x, axis=None):
    """Axes of length 1 removed;  dJ/dx = g reshaped back."""
    return apply(_squeeze, x, axis=axis)


def _squeeze(x, axis=None):
    return np.squeeze(x, axis).copy()


def expand_dims(x, axis):
    """An axis of length 1 added;  dJ/dx = g reshaped back."""
    return apply(_expand_dims, x, axis=axis)


def _expand_dims(x, axis):
    return np.expand_dims(x, axis).copy()


defvjp(_squeeze, lambda ans, x, axis=None: lambda g: reshape(g, _shape(x)))
defvjp(_expand_dims, lambda ans, x, axis: lambda g: reshape(g, _shape(x)))


def broadcast_to(x, shape):
    """``x`` repeated to ``shape`` (a copy);  dJ/dx = unbroadcast(x, g)."""
    return apply(_broadcast_copy, x, shape=tuple(shape))


def _broadcast_copy(x, shape):
    return np.array(np.broadcast_to(x, shape))


defvjp(_broadcast_copy, lambda ans, x, shape: lambda g: unbroadcast(x, g))


def concatenate(*xs, axis=0):
    """The arrays joined along ``axis``;  each gets its slice of g."""
    return apply(_concatenate, *xs, axis=axis)


def _concatenate(*xs, axis=0):
    return np.concatenate(xs, axis=axis)


def _concatenate_vjp(ans, *xs, axis=0):
    def vjp(g):
        ax, out, start = axis % len(_shape(ans)), [], 0
        for x in xs:
            n = _shape(x)[ax]
            out.append(getitem(g, (slice(None),) * ax + (slice(start, start + n),)))
            start += n
        return out
    return vjp


defvjp_all(_concatenate, _concatenate_vjp)


def stack(*xs, axis=0):
    """The arrays stacked along a new ``axis``;  the i-th gets g[..., i, ...]."""
    return apply(_stack, *xs, axis=axis)


def _stack(*xs, axis=0):
    return np.stack(xs, axis=axis)


defvjp_all(_stack, lambda ans, *xs, axis=0:
           lambda g: [getitem(g, (slice(None),) * (axis % len(_shape(ans))) + (i,)) for i in range(len(xs))])


def getitem(x, key):
    """``x[key]`` (slices, integers, index arrays, masks);  dJ/dx = g put back at ``key``, zeros elsewhere
    (positions picked twice get both)."""
    return apply(_getitem, x, key=_plain_key(key))


def _plain_key(key):
    if isinstance(key, tuple):
        return tuple(_plain_key(k) for k in key)
    if isinstance(key, (Tensor, Variable)):
        return np.asarray(_plain(key))
    return key


def _getitem(x, key):
    return np.asarray(x[key])


def scatter(values, shape, key):
    """Zeros of ``shape`` with ``values`` added at ``key`` (entries named twice get both: a
    transposed convolution's overlapping patches);  dJ/d(values) = g[key]. The transpose of
    :func:`getitem`, and its gradient."""
    return apply(_scatter, values, shape=tuple(shape), key=_plain_key(key))


def _scatter(g, shape, key):
    out = np.zeros(shape, np.asarray(g).dtype)
    np.add.at(out, key, g)
    return out


defvjp(_getitem, lambda ans, x, key: lambda g: scatter(g, _shape(x), key))
defvjp(_scatter, lambda ans, g, shape, key: lambda gg: getitem(gg, key))


def einsum(subscripts, *xs):
    """``np.einsum(subscripts, *xs)`` with explicit letters (no ``...``, no letter twice in one
    operand);  dJ/dx_k = einsum(the other operands and g -> x_k's letters), broadcast along
    the letters only x_k had."""
    ins, out = _einsum_parts(subscripts, len(xs))
    if any(len(set(s)) != len(s) for s in ins):
        return NotImplemented
    return apply(_einsum, *xs, subscripts=",".join(ins) + "->" + out)


def _einsum_parts(subscripts, n):
    subscripts = subscripts.replace(" ", "")
    if "." in subscripts:
        return [], ""
    lhs, _, out = subscripts.partition("->")
    ins = lhs.split(",")
    if "->" not in subscripts:                              # NumPy's implicit output: letters met once, sorted
        letters = "".join(ins)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if len(ins) != n:
        raise ValueError(f"einsum: {subscripts!r} names {len(ins)} operands, {n} were given")
    return ins, out


def _einsum(*xs, subscripts):
    return np.einsum(subscripts, *xs)


def _einsum_vjp(ans, *xs, subscripts):
    ins, out = _einsum_parts(subscripts, len(xs))

    def vjp(g):
        grads = []
        for k, x in enumerate(xs):
            others = [s for i, s in enumerate(ins) if i != k]
            seen = set("".join(others) + out)
            kept = "".join(c for c in ins[k] if c in seen)
            part = apply(_einsum, *[x_ for i, x_ in enumerate(xs) if i != k], g,
                         subscripts=",".join(others + [out]) + "->" + kept)
            shape = tuple(n if c in seen else 1 for c, n in zip(ins[k], _shape(x)))
            grads.append(broadcast_to(reshape(part, shape), _shape(x)))
        return grads
    return vjp


defvjp_all(_einsum, _einsum_vjp)


def where(condition, x, y):
    """``x`` where ``condition`` holds, else ``y``;  dJ/dx = g where it holds, dJ/dy = g elsewhere."""
    return apply(np.where, np.asarray(_plain(condition), dtype=bool), x, y)


defvjp(np.where, None,
       lambda ans, c, x, y: lambda g: unbroadcast(x, np.where(c, g, 0)),
       lambda ans, c, x, y: lambda g: unbroadcast(y, np.where(c, 0, g)))


def clip(x, lo, hi):
    """``x`` limited to ``[lo, hi]``;  dJ/dx = g inside the closed interval, 0 outside (as TF)."""
    return apply(np.clip, x, _plain(lo), _plain(hi))


defvjp(np.clip, lambda ans, x, lo, hi: lambda g: unbroadcast(x, g * ((_plain(x) >= lo) & (_plain(x) <= hi))))


def cast(x, dtype):
    """``x`` as ``dtype``;  dJ/dx = g cast back (None for an integer ``x`` or answer)."""
    dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    return apply(_cast, x, dtype=dtype)


def _cast(x, dtype):
    return np.asarray(x).astype(dtype)


defvjp(_cast, lambda ans, x, dtype: lambda g: cast(g, np.asarray(_plain(x)).dtype)
       if np.asarray(_plain(x)).dtype.kind in "fc" else None)


def identity(x):
    """``x`` (a copy);  dJ/dx = g."""
    return apply(np.copy, x)


defvjp(np.copy, lambda ans, x: lambda g: g)


# -- activations: each a recorded operation --------------------------------------------------
def sigmoid(x):
    """``a = 1 / (1 + e^-x)``;  dJ/dx = g a (1 - a)."""
    return apply(_act.sigmoid, x)


defvjp(_act.sigmoid, lambda ans, x: lambda g: g * ans * (1 - ans))


def relu(x):
    """``max(x, 0)``;  dJ/dx = g where x > 0 (0 at x = 0, as TF): ``g * step(x, x > 0)``."""
    return apply(_act.relu, x)


defvjp(_act.relu, lambda ans, x: lambda g: g * step(x, _plain(x) > 0))


def leaky_relu(x, negative_slope=0.2):
    """``x`` where x > 0, ``slope * x`` elsewhere;  dJ/dx = g times the slope at x: ``g * step(x, slope)``."""
    return apply(_act.leaky_relu, x, negative_slope=negative_slope)


defvjp(_act.leaky_relu, lambda ans, x, negative_slope=0.2:
       lambda g: g * step(x, np.where(_plain(x) > 0, 1, negative_slope)))


# -- factors that are constant where they are defined, kept connected to what they depend on -----
def step(x, value):
    """``value``, a piecewise-constant function of ``x`` already worked out (``x > 0``, a leaky ReLU's
    slope at each x, which entry of a pooling window wins), as ``x``'s dtype, recorded as an
    operation of ``x`` whose derivative is 0. TensorFlow's gradients keep ``x`` so (ReluGrad,
    LeakyReluGrad and MaxPoolGrad take it; Abs's goes through Sign, whose gradient is zeros): a
    second derivative that reaches a source only through such a factor gives zeros, not None
    (``tape.gradient``'s None means: not connected at all)."""
    return apply(_step, x, value=value)


def _step(x, value):
    return np.asarray(value, dtype=np.asarray(x).dtype)


def _zero_rule(ans, x, **settings):
    """The rule of an operation whose derivative is 0 wherever it is defined: zeros of x's shape."""
    return lambda g: wrap(np.zeros(_shape(x), np.asarray(_plain(x)).dtype))


defvjp(_step, _zero_rule)
defvjp(np.sign, _zero_rule)                 # TensorFlow's Sign: zeros, not None


def softmax(x, axis=-1):
    """``a_i = e^(x_i) / sum_j e^(x_j)``;  dJ/dx = a (g - sum(g a))."""
    return apply(_act.softmax, x, axis=axis)


defvjp(_act.softmax, lambda ans, x, axis=-1: lambda g: ans * (g - sum(g * ans, axis=axis, keepdims=True)))


def log_softmax(x, axis=-1):
    """``x_i - log sum_j e^(x_j)``;  dJ/dx = g - e^a sum(g)."""
    return apply(_act.log_softmax, x, axis=axis)


defvjp(_act.log_softmax, lambda ans, x, axis=-1: lambda g: g - np.exp(ans) * sum(g, axis=axis, keepdims=True))


def softplus(x):
    """``log(1 + e^x)``;  dJ/dx = g sigmoid(x)."""
    return apply(_act.softplus, x)


defvjp(_act.softplus, lambda ans, x: lambda g: g * sigmoid(x))


def activation_by(fn, x, **kwargs):
    """``fn(x)`` for an activation of ``glassnet.activations``, recorded with the most exact
    rule the table has for it."""
    own = {_act.sigmoid: sigmoid, _act.relu: relu, _act.softplus: softplus}
    if fn in own and not kwargs:
        return own[fn](x)
    if fn is _act.tanh and not kwargs:
        return np.tanh(x) if isinstance(x, (Tensor, Variable)) else wrap(np.tanh(x))
    if fn is _act.exponential and not kwargs:
        return np.exp(x) if isinstance(x, (Tensor, Variable)) else wrap(np.exp(x))
    if fn in (_act.softmax, _act.log_softmax):
        return (softmax if fn is _act.softmax else log_softmax)(x, **kwargs)
    if fn is _act.linear:
        return identity(x)
    if fn in _TWICE:                                         # written with recorded operations
        return _TWICE[fn](x if isinstance(x, (Tensor, Variable)) else wrap(x), **kwargs)
    return activation(x, fn, **kwargs)


def _elu_ops(x, alpha=1.0):
    return where(np.asarray(_plain(x)) > 0, x, np.expm1(np.minimum(x, 0.0)) * alpha)


def _selu_ops(x):
    return _elu_ops(x, _act._SELU_ALPHA) * _act._SELU_SCALE


def _silu_ops(x):
    return x * sigmoid(x)


# the activations whose rule is their own operations: differentiable as often as one likes
_TWICE = {_act.elu: _elu_ops, _act.leaky_relu: leaky_relu, _act.selu: _selu_ops, _act.silu: _silu_ops}


def activation(x, fn, **kwargs):
    """Any other activation ``fn`` of ``glassnet.activations`` (elu, gelu, leaky_relu...):
    dJ/dx = its own ``backward(x, a, g)`` (plain NumPy: a first derivative only)."""
    return apply(_activation, x, fn=fn, **kwargs)


def _activation(x, fn, **kwargs):
    return fn(x, **kwargs)


def _activation_vjp(ans, x, fn, **kwargs):
    def vjp(g):
        back = _act.backward_of(fn)
        extra = {k: v for k, v in kwargs.items() if k in back.__code__.co_varnames}
        return wrap(back(np.asarray(_plain(x)), np.asarray(_plain(ans)), np.asarray(g), **extra))
    return vjp


defvjp(_activation, _activation_vjp)
FIRST_ORDER_ONLY.add(_activation)


# -- cross-entropies from logits (tf.nn): the loss's own numbers, the gradient from the logits ---
def sigmoid_xent(y, z, forward):
    """``max(z, 0) - z y + log(1 + e^-|z|)`` elementwise;  dJ/dz = g (sigmoid(z) - y)."""
    return apply(_xent, y, z, forward=forward)


def softmax_xent(y, z, forward, axis=-1):
    """``-sum_j y_j log_softmax(z)_j``;  dJ/dz = g (softmax(z) sum_j y_j - y)."""
    return apply(_xent, y, z, forward=forward, axis=axis)


def _xent(y, z, forward, axis=None):
    return forward(y, z)


def _xent_dz(ans, y, z, forward, axis=None):
    def vjp(g):
        if axis is None:                                     # the sigmoid form, elementwise
            return g * (sigmoid(z) - y)
        if np.asarray(_plain(y)).dtype.kind in "iu":          # sparse labels: k per sample
            k = np.asarray(_plain(y))
            onehot = (k[..., None] == np.arange(_shape(z)[-1])).astype(np.asarray(_plain(z)).dtype)
            return expand_dims(g, axis=-1) * (softmax(z, axis=-1) - onehot)
        total = sum(y, axis=axis, keepdims=True)
        return expand_dims(g, axis=axis) * (softmax(z, axis=axis) * total - y)
    return vjp


defvjp(_xent, None, _xent_dz)
