"""TensorFlow's control flow, run as Python runs it: glassnet is eager (``tf.function`` is a
pass-through), so ``tf.cond`` calls the branch its predicate picks, ``tf.while_loop`` is a
``while`` loop and ``tf.map_fn`` a ``for`` loop. The operations inside are recorded by an open
``GradientTape`` as they run, so gradients flow through them with no rule of their own; the
results of ``map_fn`` are stacked with a recorded ``stack``.

>>> import glassnet as tf
>>> x = tf.Variable(2.0)
>>> with tf.GradientTape() as tape:
...     y = tf.cond(x > 0, lambda: x * x, lambda: -x)
...     _, z = tf.while_loop(lambda i, z: i < 3, lambda i, z: (i + 1, z * x), [0, y])
>>> float(z), float(tape.gradient(z, x))          # z = x^5, dz/dx = 5 x^4
(32.0, 80.0)
"""
from __future__ import annotations

import numpy as np

from . import data_sized, nest, vjps
from .errors import InvalidArgumentError
from .ops import _values
from .tensor import Tensor, _as_dtype, wrap
from .variable import Variable

__all__ = ["cond", "case", "switch_case", "while_loop", "map_fn", "vectorized_map", "scan", "foldl", "foldr"]


def _truth(pred, what):
    value = np.asarray(pred.value if isinstance(pred, Variable) else pred)
    if value.size != 1:
        raise ValueError(f"{what} must be a single boolean (a scalar), got shape {value.shape}")
    return bool(value.reshape(()))


def _callable(fn, what, who):
    if fn is None:
        raise TypeError(f"{who}(): '{what}' argument required")
    if not callable(fn):
        raise TypeError(f"'{what}' must be callable.")


def cond(pred, true_fn=None, false_fn=None, name=None):
    """``true_fn()`` if ``pred`` holds, else ``false_fn()``: only the branch taken runs."""
    _callable(true_fn, "true_fn", "cond")
    _callable(false_fn, "false_fn", "cond")
    taken = _truth(pred, "cond: pred")
    out = true_fn() if taken else false_fn()
    return data_sized.both_branches(out, false_fn if taken else true_fn)     # (a map's trace: both run)


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The function of the first ``(pred, fn)`` pair whose ``pred`` holds, called; ``default()``
    when none holds (with no default, ``InvalidArgumentError``). Eager TensorFlow does not
    check ``exclusive``; neither does this."""
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    if not isinstance(pred_fn_pairs, (list, tuple)):
        raise TypeError(f"case: pred_fn_pairs must be a list of (pred, fn) pairs, got {type(pred_fn_pairs).__name__}")
    for i, pair in enumerate(pred_fn_pairs):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"case: pred_fn_pairs[{i}] must be a (pred, fn) pair, got {pair!r}")
        if not callable(pair[1]):
            raise TypeError(f"case: pred_fn_pairs[{i}]: fn must be callable, got {pair[1]!r}")
    if default is not None and not callable(default):
        raise TypeError("case: 'default' must be callable.")
    truths = [_truth(p, f"case: pred_fn_pairs[{i}] pred") for i, (p, _) in enumerate(pred_fn_pairs)]
    for truth, (_, fn) in zip(truths, pred_fn_pairs):
        if truth:
            return fn()
    if default is None:
        raise InvalidArgumentError(None, None, "Input error: None of conditions evaluated as True:\n"
                                   + ", ".join(str(t) for t in truths))
    return default()


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """``branch_fns[branch_index]()`` (a list of functions, a dict ``{0: f, 1: g}`` or a list of
    ``(index, fn)`` pairs); an index out of range calls ``default``, or the last branch."""
    if not isinstance(branch_index, (Tensor, Variable, np.ndarray, np.integer)):
        raise TypeError(f"'branch_index' must be a Tensor, got {type(branch_index)}")
    if isinstance(branch_fns, dict):
        pairs = sorted(branch_fns.items())
    elif isinstance(branch_fns, (list, tuple)) and branch_fns and all(isinstance(b, (list, tuple))
                                                                      for b in branch_fns):
        pairs = sorted((int(k), fn) for k, fn in branch_fns)
    elif isinstance(branch_fns, (list, tuple)):
        pairs = list(enumerate(branch_fns))
    else:
        raise TypeError(f"switch_case: branch_fns must be a list or dict of functions, got {type(branch_fns)}")
    if not pairs:
        raise ValueError("switch_case: branch_fns must not be empty")
    keys = [k for k, _ in pairs]
    if keys != list(range(len(keys))):
        raise ValueError(f"branch indices (keys) must form contiguous range of [0 to {len(keys)}) but found "
                         "{" + ",".join(str(k) for k in keys) + "}")
    for k, fn in pairs:
        if not callable(fn):
            raise TypeError(f"switch_case: branch_fns[{k}] must be callable, got {fn!r}")
    index = np.asarray(branch_index.value if isinstance(branch_index, Variable) else branch_index)
    if index.ndim != 0 or index.dtype.kind not in "iu":
        raise TypeError(f"switch_case: branch_index must be a scalar int32 tensor, got {index.dtype} of shape "
                        f"{index.shape}")
    i = int(index)
    if 0 <= i < len(pairs):
        return pairs[i][1]()
    return default() if default is not None else pairs[-1][1]()


def _as_tensor(v):
    """A loop variable as TensorFlow keeps it: numbers and arrays become Tensors, a Variable its
    value (a recorded read, so gradients reach it); Tensors and TensorArrays stay as they are."""
    if isinstance(v, Variable):
        return vjps.identity(v)
    if isinstance(v, (bool, int, float, np.generic, np.ndarray)) and not isinstance(v, Tensor):
        return _values(v)
    return v


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, maximum_iterations=None, name=None):
    """``while cond(*loop_vars): loop_vars = body(*loop_vars)`` (at most ``maximum_iterations``
    times), returning the last ``loop_vars`` (numbers made Tensors) as ``body`` returned them.
    ``body`` must return the structure of ``loop_vars`` (a list of one comes back as a list
    or tuple of one, as TensorFlow's)."""
    _callable(cond, "cond", "while_loop")
    _callable(body, "body", "while_loop")
    if loop_vars is None or (isinstance(loop_vars, (list, tuple)) and not loop_vars):
        raise ValueError("'loop_vars' must be provided.")
    packed = isinstance(loop_vars, (list, tuple))          # cond(*loop_vars), as TensorFlow calls them
    state = nest.map_structure(_as_tensor, loop_vars)
    limit = None if maximum_iterations is None else int(np.asarray(maximum_iterations))
    steps = 0
    while limit is None or steps < limit:
        if not _truth(cond(*state) if packed else cond(state), "while_loop: cond's result"):
            break
        out = body(*state) if packed else body(state)
        try:
            nest.assert_same_structure(state, out, check_types=False)
        except (ValueError, TypeError) as e:
            raise ValueError(f"while_loop: body must return the structure of loop_vars ({state!r}), "
                             f"got {out!r}: {e}") from None
        state = nest.map_structure(_as_tensor, out)
        steps += 1
    return state


def _elements(elems, who):
    leaves = [_values(e) for e in nest.flatten(elems)]
    if not leaves:
        raise ValueError(f"{who}: elems must hold at least one tensor")
    for leaf in leaves:
        if leaf.ndim == 0:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
    n = leaves[0].shape[0]
    for leaf in leaves[1:]:
        if leaf.shape[0] != n:
            raise ValueError(f"{who}: the elements of elems must have the same first dimension; "
                             f"Dimensions {n} and {leaf.shape[0]} are not compatible")
    return leaves, n


def _dtype_of(spec):
    """The dtype a signature entry names: a dtype, or a TensorSpec's ``.dtype``."""
    if spec is None or isinstance(spec, (type, np.dtype, str)):
        return _as_dtype(spec)
    return _as_dtype(spec.dtype)


def _mapped(fn, elems, signature):
    leaves, n = _elements(elems, "map_fn")
    outs = []
    for i in range(n):
        out = fn(nest.pack_sequence_as(elems, [leaf[i] for leaf in leaves]))
        try:
            nest.assert_same_structure(signature, out, check_types=False)
        except (ValueError, TypeError) as e:
            raise ValueError(f"map_fn: fn returned {out!r}, not the structure of the output signature "
                             f"{signature!r} (the structure of elems unless fn_output_signature says): {e}") from None
        outs.append([_values(o) for o in nest.flatten(out)])
    specs = nest.flatten(signature)
    if not outs:
        return nest.pack_sequence_as(signature, [wrap(np.zeros((0,), _dtype_of(s) or leaves[0].dtype)) for s in specs])
    for spec, value in zip(specs, outs[0]):
        want = _dtype_of(spec)
        if want is not None and np.dtype(value.dtype) != want:
            raise InvalidArgumentError(None, None, f"map_fn: fn returned dtype {np.dtype(value.dtype).name} but the "
                                       f"output signature is {want.name} (give fn_output_signature=)")
    return nest.pack_sequence_as(signature, [vjps.stack(*column, axis=0) for column in zip(*outs)])


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False, infer_shape=True,
           name=None, fn_output_signature=None):
    """``fn`` applied to each slice ``elems[i]`` (of every tensor of a structure), the results
    stacked. The results must have the structure and dtypes of ``elems`` unless
    ``fn_output_signature`` (or ``dtype``) says what they are."""
    _callable(fn, "fn", "map_fn")
    signature = fn_output_signature if fn_output_signature is not None else dtype
    if type(elems).__name__ == "RaggedTensor":
        return _mapped_rows(fn, elems, signature)
    if signature is None:
        signature = nest.map_structure(lambda e: _values(e).dtype, elems)
    return _mapped(fn, elems, signature)


def _mapped_rows(fn, elems, signature):
    """map_fn over a RaggedTensor's rows: a RaggedTensor of the results (TensorFlow's default, or
    a RaggedTensorSpec signature), else the results stacked into a Tensor of ``signature``'s dtype."""
    from . import ragged  # noqa: PLC0415 - ragged builds on this module's neighbours
    rows = [fn(elems[i]) for i in range(elems.nrows_int())]
    if signature is None or type(signature).__name__ == "RaggedTensorSpec":
        return ragged.stack(rows)
    dtype = getattr(signature, "dtype", signature)
    if not rows:
        return wrap(np.zeros((0,), _as_dtype(dtype)))
    return vjps.cast(vjps.stack(*[_values(r) for r in rows], axis=0), _as_dtype(dtype))


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """``fn`` applied to each slice of ``elems`` and the results stacked (one call per slice
    here, with TensorFlow's answer); ``fn`` may return any structure."""
    _callable(fn, "fn", "vectorized_map")
    leaves, n = _elements(elems, "vectorized_map")
    outs = [fn(nest.pack_sequence_as(elems, [leaf[i] for leaf in leaves])) for i in range(n)]
    if not outs:
        raise ValueError("vectorized_map: elems must not be empty")
    columns = zip(*[[_values(o) for o in nest.flatten(out)] for out in outs])
    return nest.pack_sequence_as(outs[0], [vjps.stack(*c, axis=0) for c in columns])


def _folded(fn, elems, initializer, reverse, who):
    leaves, n = _elements(elems, who)
    order = list(range(n))[::-1] if reverse else list(range(n))
    item = lambda i: nest.pack_sequence_as(elems, [leaf[i] for leaf in leaves])    # noqa: E731
    if initializer is None:
        if not order:
            raise ValueError(f"{who}: elems is empty and there is no initializer")
        acc, order, first = item(order[0]), order[1:], [item(order[0])]
    else:
        acc, first = nest.map_structure(_as_tensor, initializer), []
    history = list(first)
    for i in order:
        acc = fn(acc, item(i))
        history.append(acc)
    return acc, history


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, infer_shape=True,
         reverse=False, name=None):
    """Every running value of ``acc = fn(acc, elems[i])`` (``acc`` starts at ``initializer``,
    or ``elems[0]``, which is then the first output), stacked; ``reverse``: from the end."""
    _callable(fn, "fn", "scan")
    _, history = _folded(fn, elems, initializer, reverse, "scan")
    if reverse:
        history = history[::-1]
    if not history:
        return nest.map_structure(lambda v: wrap(np.zeros((0,) + np.shape(v), _values(v).dtype)), initializer)
    columns = zip(*[[_values(v) for v in nest.flatten(h)] for h in history])
    return nest.pack_sequence_as(history[0], [vjps.stack(*c, axis=0) for c in columns])


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """``acc = fn(acc, elems[i])`` from the first element to the last; the last ``acc``."""
    _callable(fn, "fn", "foldl")
    return _folded(fn, elems, initializer, False, "foldl")[0]


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """``acc = fn(acc, elems[i])`` from the last element to the first; the last ``acc``."""
    _callable(fn, "fn", "foldr")
    return _folded(fn, elems, initializer, True, "foldr")[0]
