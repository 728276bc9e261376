"""The axes TensorFlow's trace of a ``Dataset.map`` function leaves unknown, for ``element_spec``.

TensorFlow traces a map function once, on symbolic tensors: an axis whose size is computed from
the elements' values (``tf.range(n)``, ``tf.fill([n], v)``, a ``tf.cond`` whose branches disagree,
an image's height) is ``None`` in the dataset's ``element_spec``, and a ``tf.py_function``'s result
has no known shape at all. glassnet runs the function on real elements, where every size is known,
so the ops that size their result by the data mark it (``glassnet.tf.tensor.sized_by_data``:
the axes TensorFlow would not know) and ``Dataset.map`` reads the marks of what the function
returned. A mark stays on the tensor it was put on; this module has the rules several ops share.

>>> import glassnet as tf
>>> ds = tf.data.Dataset.from_tensor_slices([3, 1]).map(lambda n: tf.concat([tf.range(n), [7]], 0))
>>> ds.element_spec
TensorSpec(shape=(None,), dtype=tf.int32, name=None)
"""
from __future__ import annotations

import contextlib
import contextvars
import functools

import numpy as np

from . import tensor as _tensor
from .tensor import Tensor, sized_by_data

__all__ = ["TRACING", "UNKNOWN_RANK", "both_branches", "concatenated", "elementwise", "ensured", "filled", "marks",
           "refined", "resized", "same_axes", "sized_as_asked", "sized_by_values", "sliced", "stacked",
           "traced_shapes",
           "unknown_shape"]

# On while a Dataset.map function runs on its first element, the call whose marks become the spec:
# a tf.cond then runs its other branch too, as TensorFlow's trace does, to compare the two.
TRACING = contextvars.ContextVar("glassnet_tracing_shapes", default=False)

UNKNOWN_RANK = (Ellipsis,)          # a mark for "not even the rank is known" (tf.py_function's result)


@contextlib.contextmanager
def traced_shapes(on: bool = True):
    """While a Dataset.map (or scan) function runs on the element whose result gives the spec:
    ``TRACING`` on, and indexing follows the marks (``glassnet.tf.tensor.SLICES_FOLLOWED``, a
    counter so that ``t[...]`` elsewhere pays one list look-up)."""
    token = TRACING.set(on)
    _tensor.SLICES_FOLLOWED[0] += on
    try:
        yield
    finally:
        _tensor.SLICES_FOLLOWED[0] -= on
        TRACING.reset(token)


def marks(t) -> tuple:
    """The axes of ``t`` marked as sized by the data (``UNKNOWN_RANK`` for all of them)."""
    return getattr(t, "_sized_by_data", ())


def _unknown(t, axis: int) -> bool:
    m = marks(t)
    return m == UNKNOWN_RANK or axis in m


def _marked(t, axes, inputs=None):
    """``t`` (an op's fresh result: a GradientTape follows that very object) marked with ``axes``;
    a new view of it where it may be one of the op's ``inputs`` (all of them when not told),
    which keep their own marks. Only while a map's first element is traced: a tensor made outside
    (``tf.range(tf.constant(5))`` at the top of a program) has its sizes known, as TensorFlow's."""
    if not axes or not isinstance(t, np.ndarray) or not TRACING.get():
        return t
    if inputs is None or any(t is a for a in inputs) or not isinstance(t, Tensor):
        t = np.ndarray.view(t, Tensor)
    return sized_by_data(t, UNKNOWN_RANK if axes == UNKNOWN_RANK else sorted(axes))


def _from_data(value) -> bool:
    """A size given as a tensor: its value is the data's, unknown to a trace (a Python or NumPy
    number is a constant the trace knows)."""
    return isinstance(value, Tensor) or type(value).__name__ == "Variable"


def sized_by_values(out, *sizes):
    """``out`` (``tf.range``'s result) marked along its one axis when any of ``sizes`` is a tensor."""
    return _marked(out, (0,), ()) if any(_from_data(s) for s in sizes) else out


def filled(out, dims):
    """``tf.fill(dims, v)``'s result: a tensor ``dims`` leaves every axis unknown; a list leaves
    unknown the axes given as tensors (``tf.fill([2, n], v)``: the second)."""
    if _from_data(dims):
        return _marked(out, set(range(np.ndim(out))), ())
    if isinstance(dims, (list, tuple)):
        return _marked(out, {i for i, d in enumerate(dims) if _from_data(d)}, ())
    return out


def concatenated(out, parts, axis: int):
    """``tf.concat(parts, axis)``'s result: its ``axis`` unknown when any part's is, each other
    axis unknown when every part's is (TensorFlow merges the parts' shapes so)."""
    if not TRACING.get() or not isinstance(out, np.ndarray) or out.ndim == 0:   # (a RaggedTensor: its own rows)
        return out
    parts = list(parts)
    if not parts:
        return out
    rank = out.ndim
    axis = axis % rank
    unknown = {axis} if any(_unknown(p, axis) for p in parts) else set()
    unknown |= {a for a in range(rank) if a != axis and all(_unknown(p, a) for p in parts)}
    return _marked(out, unknown, parts)


def stacked(out, parts, axis: int):
    """``tf.stack(parts, axis)``'s result: an axis of the parts unknown where every part has it
    unknown (TensorFlow merges their shapes), the new axis known."""
    if not TRACING.get() or not isinstance(out, np.ndarray) or out.ndim == 0:
        return out
    parts = list(parts)
    if not parts or not any(marks(p) for p in parts):
        return out
    axis = axis % out.ndim
    unknown = {a + (a >= axis) for a in range(out.ndim - 1) if all(_unknown(p, a) for p in parts)}
    return _marked(out, unknown, parts)


def sliced(out, t, key):
    """``t[key]`` (basic indexing: ints, slices, ``...``, ``None``): an axis of ``t`` that a slice
    keeps stays unknown where it was (TensorFlow's strided slice of an unknown size, even ``[:2]``);
    an int takes its axis away. Other keys (arrays, masks) leave ``out`` as it is."""
    m = marks(t)
    if m == UNKNOWN_RANK:
        return _marked(out, UNKNOWN_RANK, (t,))
    key = key if isinstance(key, tuple) else (key,)
    if not all(k is None or k is Ellipsis or isinstance(k, (slice, int, np.integer)) or
               (isinstance(k, np.ndarray) and k.ndim == 0 and k.dtype.kind in "iu") for k in key):
        return out
    given = sum(1 for k in key if k is not None and k is not Ellipsis)
    dots = [i for i, k in enumerate(key) if k is Ellipsis]
    key = key[:dots[0]] + (slice(None),) * (np.ndim(t) - given) + key[dots[0] + 1:] if dots else \
        key + (slice(None),) * (np.ndim(t) - given)          # (the axes not named: whole)
    unknown, axis, kept = set(), 0, 0           # axis: t's; kept: out's
    for k in key:
        if k is None:
            kept += 1
        elif isinstance(k, slice):
            if axis in m:
                unknown.add(kept)
            axis, kept = axis + 1, kept + 1
        else:
            axis += 1
    return _marked(out, unknown, (t,))


def elementwise(out, inputs):
    """An elementwise op's result (``tf.range(n) * 2``): an axis is unknown where an input's is,
    unless another input knows it as a size other than 1 (TensorFlow's broadcast of shapes)."""
    if not isinstance(out, np.ndarray) or not any(marks(a) for a in inputs):
        return out
    if any(marks(a) == UNKNOWN_RANK for a in inputs):
        return _marked(out, UNKNOWN_RANK, inputs)
    arrays = [a for a in inputs if isinstance(a, np.ndarray)]
    unknown = set()
    for axis in range(out.ndim):
        sizes = [(axis - out.ndim + a.ndim in marks(a), a.shape[axis - out.ndim + a.ndim]) for a in arrays
                 if axis - out.ndim + a.ndim >= 0]
        if any(u for u, _ in sizes) and all(u or n == 1 for u, n in sizes):
            unknown.add(axis)
    return _marked(out, unknown, inputs)


def sized_as_asked(fn):
    """``fn`` (``tf.image.random_crop(value, size)``) whose result has the ``size`` asked for: known,
    but for the sizes given as tensors, whatever the value's were."""
    @functools.wraps(fn)
    def call(value, size, *args, **kwargs):
        out = fn(value, size, *args, **kwargs)
        if TRACING.get() and isinstance(out, Tensor) and marks(out):
            out._sized_by_data = ()                         # (marks the slicing inside put there)
            return filled(out, size)
        return out
    return call


def same_axes(fn):
    """``fn`` (an op whose result has its first argument's shape: ``convert_image_dtype``) keeping
    that argument's marks."""
    @functools.wraps(fn)
    def call(x, *args, **kwargs):
        out = fn(x, *args, **kwargs)
        return _marked(out, marks(x), (x,)) if marks(x) and np.ndim(out) == np.ndim(x) else out
    return call


def resized(fn):
    """``fn`` (``tf.image.resize``) keeping its images' marks but on height and width, which it sets."""
    @functools.wraps(fn)
    def call(images, *args, **kwargs):
        out = fn(images, *args, **kwargs)
        m = marks(images)
        if not m or m == UNKNOWN_RANK or np.ndim(out) != np.ndim(images):
            return out
        rank = np.ndim(out)
        return _marked(out, {a for a in m if a not in (rank - 3, rank - 2)}, (images,))
    return call


def unknown_shape(t, inputs=None):
    """``t`` with no shape known to a trace (``tf.py_function``'s and ``tf.numpy_function``'s
    results, until ``set_shape``); ``inputs``: the function's, which ``t`` may be."""
    return _marked(t, UNKNOWN_RANK, inputs)


def refined(t, shape) -> None:
    """``t.set_shape(shape)``: the sizes ``shape`` gives become known, its ``None`` entries keep
    what was known (everything unknown for a tensor whose rank was not)."""
    m = marks(t)
    if not m or shape is None or getattr(shape, "rank", 0) is None:
        return
    wanted = list(shape)
    kept = [a for a, d in enumerate(wanted) if d is None and (m == UNKNOWN_RANK or a in m)]
    try:
        t._sized_by_data = tuple(kept)
    except AttributeError:
        pass


def ensured(t, shape):
    """``tf.ensure_shape(t, shape)``'s result: a new view of ``t`` whose marks ``shape`` refines."""
    out = _marked(t, marks(t))
    refined(out, shape)
    return out


def both_branches(out, other):
    """``tf.cond``'s result ``out`` marked as TensorFlow's trace of both branches leaves it: run
    while a map's first element is traced, ``other`` (the branch not taken) is called too, and an
    axis is unknown where the two results differ in size or either has it unknown (rank too).
    The other branch's errors are its own: its values are never used, only its shapes."""
    if not TRACING.get():
        return out
    try:
        second = other()
    except Exception:  # noqa: BLE001 - the branch not taken may fail on this element's values
        return out
    return _merged(out, second)


def _merged(a, b):
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b):
        return type(a)(_merged(x, y) for x, y in zip(a, b)) if not hasattr(a, "_fields") \
            else type(a)(*(_merged(x, y) for x, y in zip(a, b)))
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return type(a)((k, _merged(a[k], b[k])) for k in a)
    if not isinstance(a, np.ndarray) or not hasattr(b, "shape"):
        return a
    sa, sb = np.shape(a), tuple(b.shape)
    if len(sa) != len(sb) or UNKNOWN_RANK in (marks(a), marks(b)):
        return _marked(a, UNKNOWN_RANK)
    return _marked(a, {i for i, (x, y) in enumerate(zip(sa, sb)) if x != y or _unknown(a, i) or _unknown(b, i)})
