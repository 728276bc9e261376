"""NumPy's doors into the tape: ``Tensor.__array_ufunc__`` and ``__array_function__`` (and a
Variable's) land here for Python's operators (``x * y`` is ``np.multiply``), the ndarray methods
(``x.sum()`` is ``np.add.reduce``) and the NumPy calls of glassnet's own modules (``tf.math.exp``
is ``np.exp`` on a Tensor); a program's own NumPy call (``np.exp(t)``) gets NumPy's answer, an
ndarray, not recorded, as TensorFlow's tensors give (``glassnet/tf/tensor.py``). With no tape
open, NumPy's own operation runs on the plain arrays and the answer comes back as a Tensor. With
one open that follows an argument, the operation goes to its primitive in ``glassnet/tf/vjps.py``
(``np.sum`` is ``vjps.sum``; ``np.concatenate([a, b])`` is ``vjps.concatenate``), so it is
recorded with its rule; one with no rule is recorded too, and refuses by name when a gradient
through it is asked; a write into a followed Tensor (``out=``, ``+=``, ``t[i] = v``) is refused
at once.

>>> import numpy as np, glassnet as tf
>>> x = tf.constant([1.0, 2.0])
>>> with tf.GradientTape() as tape:
...     tape.watch(x)
...     y = tf.reduce_sum(tf.exp(x) * x)           # tf.exp runs np.exp here, recorded
...     z = np.exp(x)                              # a program's NumPy call: NumPy's array (TF's too)
>>> np.round(tape.gradient(y, x).numpy(), 4), type(z).__name__      # (1 + x) e^x
(array([ 5.4366, 22.1672], dtype=float32), 'ndarray')
"""
from __future__ import annotations

import builtins

import numpy as np

from . import data_sized as _data_sized
from . import promotion as _promotion
from . import tape as _tape
from . import trace_graph as _trace
from .tensor import Tensor
from .variable import Variable
from .vjps import (CONSTANT_UFUNCS, _axes, _plain, _result, _shape, _vjp, apply, broadcast_to, clip, concatenate,
                   einsum, expand_dims, identity, max, mean, min, prod, reshape, squeeze, stack, sum, swapaxes,
                   transpose, where)

_REDUCERS = {np.add: np.sum, np.maximum: np.max, np.minimum: np.min, np.multiply: np.prod}


def _in_place(what) -> ValueError:
    return ValueError(f"{what} writes into a Tensor that a GradientTape is recording (out=, +=, t[i] = ...); "
                      "the tape could not differentiate through it. Write the result to a new Tensor "
                      "(x = x + y), or change a Variable with assign / assign_add")


def check_write(t) -> None:
    """Refuse a write into ``t`` (``t[i] = v``) while a tape follows it."""
    if _followed(_tape.recording_tapes(), [t]):
        raise _in_place("t[...] = value")


def _followed(tapes, items) -> bool:
    return any(id(a) in t._known for t in tapes for a in items)


def ufunc_call(ufunc, method, inputs, kwargs):
    """A NumPy ufunc on Tensors or Variables (``x * y``, ``np.exp(x)``, ``x.sum()``)."""
    tapes = _tape.recording_tapes()
    out = kwargs.get("out")
    if tapes:
        inputs = tuple(_tape.read(a) if isinstance(a, Variable) else a for a in inputs)
        if _followed(tapes, inputs) or (out is not None and _followed(tapes, out)):
            if out is not None or method == "at":
                raise _in_place(f"np.{ufunc.__name__}")
            if ufunc in CONSTANT_UFUNCS:
                pass
            elif method == "__call__":
                return apply(np.clip if ufunc.__name__ == "clip" else ufunc, *inputs, **kwargs)   # t.clip(...)
            elif (method == "reduce" and ufunc in _REDUCERS and kwargs.get("where", True) is True
                  and "initial" not in kwargs):
                extra = {"dtype": kwargs.get("dtype")} if ufunc in (np.add, np.multiply) else {}
                return apply(_REDUCERS[ufunc], inputs[0], axis=kwargs.get("axis", 0),
                             keepdims=kwargs.get("keepdims", False), **extra)
            else:
                return apply(_unruled(f"np.{ufunc.__name__}.{method}", getattr(ufunc, method)), *inputs, **kwargs)
    args = [_plain(a) for a in inputs]
    if out is not None:
        kwargs = dict(kwargs, out=tuple(_plain(o) for o in out))
    elif ufunc is np.true_divide and method == "__call__" and "dtype" not in kwargs and _small_ints(args):
        kwargs = dict(kwargs, dtype=np.float32)          # TF: (u)int8/16 / (u)int8/16 is float32 (int32/64: float64)
    result = getattr(ufunc, method)(*args, **kwargs)
    if out is not None:
        return out[0] if len(out) == 1 else out
    if method == "at":
        return None
    answer = _result(result)
    if _promotion.MODE[0] in ("all", "safe"):          # weak in, weak out (tf/promotion.py)
        _promotion.weak_result(inputs, answer)
    if method == "__call__" and _data_sized.TRACING.get():          # a map's first element: tf.range(n) * 2
        answer = _data_sized.elementwise(answer, inputs)            # keeps range's unknown size
    if _trace.RECORDER[0] is not None and method == "__call__":    # tf.summary.trace_on(graph=True)
        _trace.RECORDER[0].op(f"np.{ufunc.__name__}", inputs, answer)
    return answer


def _small_ints(args) -> bool:
    """True where the arrays among ``args`` are all (u)int8/(u)int16 (a Python int beside them takes
    their dtype, as TensorFlow converts it), so that TF's true division gives float32."""
    arrays = [a for a in args if isinstance(a, np.ndarray)]
    return bool(arrays) and all(a.dtype.kind in "iu" and a.dtype.itemsize <= 2 for a in arrays) and all(
        isinstance(a, (np.ndarray, int)) and not isinstance(a, bool) for a in args)


def _unruled(name, fn):
    """``fn`` under its own name, with no rule: a gradient through it is refused, naming it."""
    def run(*args, **kwargs):
        return fn(*args, **kwargs)
    run.__name__ = name
    return run


def _items(args):
    for a in args:
        if isinstance(a, (list, tuple)):
            yield from a
        else:
            yield a


def _read_all(a):
    if isinstance(a, Variable):
        return _tape.read(a)
    if isinstance(a, (list, tuple)):
        return type(a)(_read_all(x) for x in a)
    return a


def _no_out(out, what):
    if out is not None:
        raise _in_place(what)


def _dot(a, b, out=None):
    _no_out(out, "np.dot")
    if len(_shape(a)) > 2 or len(_shape(b)) > 2:
        return NotImplemented
    if len(_shape(a)) == 0 or len(_shape(b)) == 0:
        return np.multiply(a, b)
    return np.matmul(a, b)


def _norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    if ord not in (None, "fro", "euclidean", 2) or (ord == 2 and (axis is None and len(_shape(x)) > 1)):
        return NotImplemented
    return np.sqrt(sum(x * x, axis=axis, keepdims=keepdims))


def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    _no_out(out, "np.var")
    if kw:
        return NotImplemented
    centered = a - mean(a, axis=axis, keepdims=True)
    n = np.prod(_shape(a)) if axis is None else np.prod([_shape(a)[i] for i in _axes(axis, len(_shape(a)))])
    return sum(centered * centered, axis=axis, keepdims=keepdims) / builtins.max(n - ddof, 0)


def _tile(A, reps):
    """``np.tile`` as ``tf.tile`` (its gradient adds up the copies): einops.repeat's NumPy call.
    NumPy's rule for ``reps`` of another length: the shorter side takes leading 1s."""
    from .ops import tile  # noqa: PLC0415 - ops builds on this module
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    if len(reps) > len(_shape(A)):
        A = reshape(A, shape=(1,) * (len(reps) - len(_shape(A))) + tuple(_shape(A)))
    return tile(A, (1,) * (len(_shape(A)) - len(reps)) + reps)


# NumPy functions with a rule, called with NumPy's own arguments
FUNCTIONS = {
    np.sum: lambda a, axis=None, dtype=None, out=None, keepdims=False, **kw:
        NotImplemented if kw else _no_out(out, "np.sum") or sum(a, axis=axis, keepdims=keepdims, dtype=dtype),
    np.mean: lambda a, axis=None, dtype=None, out=None, keepdims=False, **kw:
        NotImplemented if kw else _no_out(out, "np.mean") or mean(a, axis=axis, keepdims=keepdims, dtype=dtype),
    np.max: lambda a, axis=None, out=None, keepdims=False, **kw:
        NotImplemented if kw else _no_out(out, "np.max") or max(a, axis=axis, keepdims=keepdims),
    np.min: lambda a, axis=None, out=None, keepdims=False, **kw:
        NotImplemented if kw else _no_out(out, "np.min") or min(a, axis=axis, keepdims=keepdims),
    np.prod: lambda a, axis=None, dtype=None, out=None, keepdims=False, **kw:
        NotImplemented if kw else _no_out(out, "np.prod") or prod(a, axis=axis, keepdims=keepdims, dtype=dtype),
    np.reshape: lambda a, *shape, order="C", **kw: reshape(a, shape=(kw.get("newshape", kw.get("shape"))
                                                                       if not shape else shape[0])),
    np.transpose: lambda a, axes=None: transpose(a, axes=None if axes is None else tuple(axes)),
    np.swapaxes: lambda a, axis1, axis2: swapaxes(a, axis1=axis1, axis2=axis2),
    np.squeeze: lambda a, axis=None: squeeze(a, axis=axis),
    np.expand_dims: lambda a, axis: expand_dims(a, axis=axis),
    np.broadcast_to: lambda array, shape, subok=False: broadcast_to(array, shape),
    np.tile: _tile,
    np.concatenate: lambda arrays, axis=0, out=None, **kw:
        NotImplemented if kw else _no_out(out, "np.concatenate") or concatenate(*arrays, axis=axis),
    np.stack: lambda arrays, axis=0, out=None, **kw:
        NotImplemented if kw else _no_out(out, "np.stack") or stack(*arrays, axis=axis),
    np.where: lambda condition, *xy: where(condition, *xy) if len(xy) == 2 else NotImplemented,
    np.clip: lambda a, a_min=None, a_max=None, out=None, **kw:
        NotImplemented if kw else _no_out(out, "np.clip") or clip(a, -np.inf if a_min is None else a_min,
                                                                  np.inf if a_max is None else a_max),
    np.dot: _dot,
    np.einsum: lambda subscripts, *operands, out=None, **kw:
        NotImplemented if kw or not isinstance(subscripts, str) or "." in subscripts
        else _no_out(out, "np.einsum") or einsum(subscripts, *operands),
    np.copy: lambda a, order="K", subok=False: identity(a),
    np.ravel: lambda a, order="C": reshape(a, shape=(-1,)),
    np.linalg.norm: _norm,
    np.var: _var,
    np.std: lambda a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw:
        np.sqrt(_var(a, axis, dtype, out, ddof, keepdims, **kw)),
}
FUNCTIONS[np.amax], FUNCTIONS[np.amin] = FUNCTIONS[np.max], FUNCTIONS[np.min]

# NumPy functions whose answer carries no gradient (indices, shapes, tests, piecewise constants)
CONSTANT_FUNCTIONS = {np.argmax, np.argmin, np.argsort, np.shape, np.ndim, np.size, np.zeros_like, np.ones_like,
                      np.empty_like, np.full_like, np.nonzero, np.array_equal, np.allclose, np.isclose,
                      np.count_nonzero, np.unique, np.any, np.all, np.round, np.around, np.argwhere,
                      np.searchsorted, np.result_type}


def function_call(func, args, kwargs):
    """A NumPy function on Tensors or Variables (``np.sum(x)``, ``np.concatenate([a, b])``)."""
    tapes = _tape.recording_tapes()
    if tapes:
        args, kwargs = _read_all(args), {k: _read_all(v) for k, v in kwargs.items()}
        if _followed(tapes, _items(args)) or _followed(tapes, _items(kwargs.values())):
            if func in FUNCTIONS:
                out = FUNCTIONS[func](*args, **kwargs)
                if out is not NotImplemented:
                    return out
            if func not in CONSTANT_FUNCTIONS:
                if "out" in kwargs and kwargs["out"] is not None:
                    raise _in_place(f"np.{func.__name__}")
                return _record_unruled(func, args, kwargs)
    return _result(func(*[_plain_deep(a) for a in args], **{k: _plain_deep(v) for k, v in kwargs.items()}))


def _plain_deep(a):
    if isinstance(a, (list, tuple)):
        return type(a)(_plain_deep(x) for x in a)
    return _plain(a)


def _record_unruled(func, args, kwargs):
    """A NumPy function with no rule, on values a tape follows: computed, and recorded so that
    a gradient through it names it."""
    inputs = list(_items(args)) + list(_items(kwargs.values()))
    out = _result(func(*[_plain_deep(a) for a in args], **{k: _plain_deep(v) for k, v in kwargs.items()}))
    outs = [o for o in (out if isinstance(out, (list, tuple)) else [out]) if isinstance(o, Tensor)]
    if outs and builtins.any(o.dtype.kind in "fc" for o in outs):
        name = f"np.{getattr(func, '__name__', func)}"
        _tape.add(_tape.followers(inputs), _tape.Node(name, inputs, outs, _vjp(_unruled(name, func), [], {}, None)))
    return out
