"""RaggedTensor and SparseTensor elements in a ``Dataset``, as tf.data handles them.

A leaf of an element may be a ``tf.RaggedTensor`` or a ``tf.SparseTensor`` instead of an array:

- ``from_tensor_slices(sparse)`` gives its rows as SparseTensors one rank lower (row ``i``: the
  entries whose first index is ``i``, that index dropped); ``from_tensor_slices(ragged)`` gives its
  rows (a Tensor each, of its own length; a RaggedTensor for a ragged rank above 1);
- ``batch`` puts SparseTensors back together as one SparseTensor of rank + 1 (entry ``j`` of
  element ``i`` at ``[i, *index_j]``; ``dense_shape`` ``[n, *largest dense_shape]``), RaggedTensors
  (and the rows of a ragged slice) as one RaggedTensor of ragged rank + 1;
- ``ragged_batch`` does the same, and an array leaf whose shape varies (``None`` in its spec, or
  sizes that differ within the batch) becomes a RaggedTensor ragged along those leading axes;
  a leaf of fixed shape is stacked as ``batch`` does (TensorFlow's ``ragged_batch`` too);
- ``element_spec`` shows ``RaggedTensorSpec`` / ``SparseTensorSpec`` as TensorFlow prints them.

>>> import numpy as np, glassnet as tf
>>> ds = tf.data.Dataset.range(4).map(lambda n: tf.range(n)).ragged_batch(2)
>>> [str(b) for b in ds]
['<tf.RaggedTensor [[], [0]]>', '<tf.RaggedTensor [[0, 1], [0, 1, 2]]>']
>>> sp = tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[2, 4])
>>> tf.data.Dataset.from_tensor_slices(sp).element_spec
SparseTensorSpec(TensorShape([4]), tf.int32)
"""
from __future__ import annotations

import numpy as np

from ..tf.tensor import TensorShape

__all__ = ["RaggedStacker", "SparseTensorSpec", "batched_spec", "is_composite", "is_composite_spec", "numpy_leaf",
           "ragged_stack", "row", "row_count", "row_spec", "slice_spec", "spec_of_leaf", "stack", "unknown_batch"]


def _kinds():
    from ..tf.ragged import RaggedTensor, RaggedTensorSpec  # noqa: PLC0415 - loaded with the first such leaf
    from ..tf.sparse import SparseTensor  # noqa: PLC0415
    return RaggedTensor, RaggedTensorSpec, SparseTensor


def is_composite(a) -> bool:
    """A RaggedTensor or SparseTensor leaf (without loading their modules for plain arrays)."""
    return any(c.__name__ in ("RaggedTensor", "SparseTensor") and c.__module__.startswith("glassnet.tf.")
               for c in type(a).__mro__)            # (tf.strings.split's RaggedList is a RaggedTensor)


class SparseTensorSpec:
    """``tf.SparseTensorSpec(shape, dtype)``: the dense shape and dtype of a SparseTensor leaf."""

    def __init__(self, shape=None, dtype=np.float32):
        from ..tf.dtypes import as_dtype  # noqa: PLC0415
        self.shape = TensorShape(shape)
        self.dtype = as_dtype(dtype)

    def __eq__(self, other):
        return isinstance(other, SparseTensorSpec) and (self.shape, self.dtype) == (other.shape, other.dtype)

    def __hash__(self):
        return hash(("SparseTensorSpec", repr(self)))

    def __repr__(self):
        return f"SparseTensorSpec(TensorShape({self.shape.as_list() if self.shape.rank is not None else None}), " \
               f"{self.dtype!r})"


# -- from_tensor_slices: rows ----------------------------------------------------------------------
def row_count(a) -> int:
    RaggedTensor, _, SparseTensor = _kinds()
    if isinstance(a, SparseTensor):
        if len(a.shape) == 0:
            raise ValueError("Dataset.from_tensor_slices: a SparseTensor of rank 0 has no rows to slice")
        return int(a.shape[0])
    if isinstance(a, RaggedTensor):
        return int(a.nrows())
    return len(a)


def row(a, i):
    """Row ``i`` of a leaf, as a pipeline leaf."""
    RaggedTensor, _, SparseTensor = _kinds()
    if isinstance(a, SparseTensor):
        idx, vals = np.asarray(a.indices), np.asarray(a.values)
        keep = idx[:, 0] == i
        return SparseTensor(idx[keep, 1:], vals[keep], np.asarray(a.dense_shape)[1:])
    if isinstance(a, RaggedTensor):
        r = a[i]
        return r if isinstance(r, RaggedTensor) else np.asarray(r).view(np.ndarray)
    return a[i, ...]


def slice_spec(a):
    """The spec of one row of leaf ``a`` (a plain array's is a TensorSpec, made by the caller)."""
    RaggedTensor, RaggedTensorSpec, SparseTensor = _kinds()
    if isinstance(a, SparseTensor):
        return SparseTensorSpec(a.shape.as_list()[1:], a.dtype)
    if isinstance(a, RaggedTensor):
        return RaggedTensorSpec(a.shape.as_list()[1:], a.dtype, a.ragged_rank - 1)
    return None


def spec_of_leaf(a):
    RaggedTensor, RaggedTensorSpec, SparseTensor = _kinds()
    if isinstance(a, SparseTensor):
        return SparseTensorSpec(a.shape.as_list(), a.dtype)
    return RaggedTensorSpec(a.shape.as_list(), a.dtype, a.ragged_rank)


def numpy_leaf(a):
    """``as_numpy_iterator``'s leaf: a RaggedTensor's ``numpy()``; a SparseTensor's dense array."""
    _, _, SparseTensor = _kinds()
    if isinstance(a, SparseTensor):
        from ..tf.sparse import to_dense  # noqa: PLC0415
        return np.asarray(to_dense(a)).view(np.ndarray)
    return a.numpy()


# -- batch and ragged_batch -------------------------------------------------------------------------
def _is_ragged_spec(spec) -> bool:
    return type(spec).__name__ == "RaggedTensorSpec"


def is_composite_spec(spec) -> bool:
    """``spec`` is a RaggedTensorSpec or a SparseTensorSpec."""
    return isinstance(spec, SparseTensorSpec) or _is_ragged_spec(spec)


def stack(parts, spec=None):
    """``batch``'s stacking of one leaf over the elements of a batch."""
    if isinstance(parts[0], np.ndarray) and not _is_ragged_spec(spec):
        return np.stack(parts)                                    # the common case, without the imports
    RaggedTensor, _, SparseTensor = _kinds()
    first = parts[0]
    if isinstance(first, SparseTensor):
        return _sparse_stack(parts)
    if isinstance(first, RaggedTensor) or _is_ragged_spec(spec):
        from ..tf.ragged import stack as ragged_rows  # noqa: PLC0415
        return ragged_rows(list(parts))
    return np.stack(parts)


def _sparse_stack(parts):
    """SparseTensors of one rank as one of rank + 1: element ``i``'s entry at ``[i, *index]``,
    ``dense_shape`` ``[n, *the largest of each axis]`` (as tf.data batches them)."""
    _, _, SparseTensor = _kinds()
    if any(not isinstance(p, SparseTensor) for p in parts):
        raise TypeError("Dataset.batch: a leaf is a SparseTensor in some elements and not in others")
    ranks = {len(p.shape) for p in parts}
    if len(ranks) != 1:
        raise ValueError(f"Dataset.batch: SparseTensors of different ranks {sorted(ranks)} cannot be batched")
    shape = np.max([np.asarray(p.dense_shape) for p in parts], axis=0) if ranks != {0} else np.zeros(0, np.int64)
    idx = [np.concatenate([np.full((len(np.asarray(p.indices)), 1), i, np.int64), np.asarray(p.indices)], axis=1)
           for i, p in enumerate(parts)]
    vals = np.concatenate([np.asarray(p.values) for p in parts])
    return SparseTensor(np.concatenate(idx), vals, np.concatenate([[len(parts)], shape]).astype(np.int64))


class RaggedStacker:
    """``ragged_batch``'s stacking for one pass: :func:`ragged_stack`, remembering for each leaf
    (by its place in the element) the axes seen varying in the pass's earlier batches, so that a
    last batch of one element stays ragged when the spec is not known beforehand."""

    def __init__(self):
        self.seen, self.place = {}, 0

    def start(self):                                   # a new batch: leaves come in the same order
        self.place = 0

    def __call__(self, parts, spec=None):
        seen = self.seen.get(self.place)
        out, varying = _ragged_stack(parts, spec, seen)
        if varying is not None:
            self.seen[self.place] = varying
        self.place += 1
        return out


def ragged_stack(parts, spec=None):
    """``ragged_batch``'s stacking of one leaf: RaggedTensors and SparseTensors as :func:`stack`;
    arrays of a fixed shape stacked; arrays whose shape varies (``None`` in ``spec``, or differing
    within the batch) as a RaggedTensor, ragged along every axis up to the last varying one."""
    return _ragged_stack(parts, spec)[0]


def _ragged_stack(parts, spec=None, seen=None):
    RaggedTensor, _, SparseTensor = _kinds()
    if isinstance(parts[0], (RaggedTensor, SparseTensor)) or _is_ragged_spec(spec):
        return stack(parts, spec), None
    arrays = [np.asarray(p) for p in parts]
    ndim = arrays[0].ndim
    if any(a.ndim != arrays[0].ndim for a in arrays):
        raise ValueError(f"Dataset.ragged_batch: elements of different ranks {sorted({a.ndim for a in arrays})}")
    known = getattr(spec, "shape", None)
    if known is not None and getattr(known, "rank", None) == ndim:
        varying = [d is None for d in tuple(known)]
    else:
        varying = [len({a.shape[k] for a in arrays}) > 1 for k in range(ndim)]
        if seen is not None and len(seen) == ndim:                # ragged in an earlier batch: still ragged
            varying = [v or s for v, s in zip(varying, seen)]
    if not any(varying):
        return np.stack(arrays), varying
    r = max(k for k, v in enumerate(varying) if v) + 1            # axes 0..r-1 become ragged
    from ..tf.ragged import RaggedTensor as Ragged  # noqa: PLC0415
    flat = np.concatenate([a.reshape((-1,) + a.shape[r:]) for a in arrays]) if arrays else np.zeros(0)
    levels = [np.array([a.shape[0] for a in arrays], np.int64)]
    for k in range(1, r):                                         # every row of axis k-1 has a.shape[k] items
        levels.append(np.concatenate([np.full(int(np.prod(a.shape[:k])), a.shape[k], np.int64) for a in arrays]))
    return Ragged.from_nested_row_lengths(flat, levels), varying


def batched_spec(spec, size, ragged=False):
    """A leaf's spec once batched by ``size`` (None: unknown); ``ragged``: by ragged_batch."""
    _, RaggedTensorSpec, _ = _kinds()
    if isinstance(spec, SparseTensorSpec):
        return SparseTensorSpec([size] + spec.shape.as_list(), spec.dtype)
    if _is_ragged_spec(spec):
        return RaggedTensorSpec([size] + spec.shape.as_list(), spec.dtype, spec.ragged_rank + 1)
    shape = getattr(spec, "shape", None)
    if ragged and shape is not None and any(d is None for d in tuple(shape)):
        dims = list(tuple(shape))
        r = max(k for k, d in enumerate(dims) if d is None) + 1
        return RaggedTensorSpec([size] + [None] * r + dims[r:], spec.dtype, r)
    return None                                                   # the caller's TensorSpec


def row_spec(spec):
    """The spec of one row of a leaf of spec ``spec`` (``unbatch``)."""
    _, RaggedTensorSpec, _ = _kinds()
    if isinstance(spec, SparseTensorSpec):
        return SparseTensorSpec(spec.shape.as_list()[1:], spec.dtype)
    if _is_ragged_spec(spec):
        return RaggedTensorSpec(spec.shape.as_list()[1:], spec.dtype, spec.ragged_rank - 1)
    return type(spec)(tuple(spec.shape)[1:], spec.dtype)


def unknown_batch(spec):
    """``spec`` with its batch dimension unknown (None)."""
    _, RaggedTensorSpec, _ = _kinds()
    if isinstance(spec, SparseTensorSpec):
        return SparseTensorSpec([None] + spec.shape.as_list()[1:], spec.dtype)
    return RaggedTensorSpec([None] + spec.shape.as_list()[1:], spec.dtype, spec.ragged_rank)
