"""``tf.ragged`` and ``tf.RaggedTensor``: rows of different lengths, as TensorFlow keeps them.

A RaggedTensor is ``values`` (the rows laid end to end: a Tensor, or for more ragged
dimensions another RaggedTensor) cut into rows by ``row_splits`` (int64, row ``i`` is
``values[row_splits[i]:row_splits[i + 1]]``). ``flat_values`` is the innermost Tensor and
``nested_row_splits`` the splits of each ragged dimension, outermost first. Elementwise
NumPy/TensorFlow arithmetic (``rt + 3``, ``tf.add(rt, rt2)``, ``tf.math.square``...) runs on
``flat_values`` and keeps the row structure (two ragged operands must have the same rows).

What is here: ``tf.ragged.constant``, ``from_row_splits`` / ``from_row_lengths`` /
``from_value_rowids`` / ``from_nested_row_lengths`` / ``from_tensor``, ``to_tensor``,
``to_list``, ``numpy``, ``row_lengths``, ``row_splits``, ``nested_row_lengths``,
``value_rowids``, ``nrows``, ``shape`` (``None`` for a ragged dimension), ``ragged_rank``,
indexing (``rt[1]``, ``rt[1:3]``, ``rt[:, :2]``, ``rt[0, 1]``), ``tf.ragged.map_flat_values``,
``with_flat_values`` and printing as TensorFlow prints. ``tf.strings.split`` of several strings
returns one (as TensorFlow does). TensorFlow's functions take one as TensorFlow dispatches them:
elementwise ones (``tf.add``, ``tf.math.square``, ``tf.cast``...) on ``flat_values``,
``tf.reduce_*(rt, axis=1)`` per row, ``tf.concat(..., axis=0)`` and ``tf.tile`` by rows; other
axes and other functions are refused naming ``to_tensor()`` (``tf.map_fn`` and ``tf.strings.*``
do not take RaggedTensors here).

>>> import glassnet as tf
>>> digits = tf.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])
>>> print(digits)
<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9, 2], [6], []]>
>>> digits.shape.as_list(), digits.row_lengths().numpy().tolist()
([5, None], [4, 0, 3, 1, 0])
>>> print(digits + 3)
<tf.RaggedTensor [[6, 4, 7, 4], [], [8, 12, 5], [9], []]>
>>> print(digits[:, :2])
<tf.RaggedTensor [[3, 1], [], [5, 9], [6], []]>
"""
from __future__ import annotations

import numpy as np

from . import errors
from .tensor import Tensor, TensorShape, convert_to_tensor, sized_by_data

__all__ = ["RaggedTensor", "RaggedTensorSpec", "constant", "map_flat_values", "row_splits_to_segment_ids", "stack"]


class RaggedTensorSpec:
    """``tf.RaggedTensorSpec(shape, dtype, ragged_rank, row_splits_dtype)``: what a ragged value
    looks like (``tf.map_fn``'s ``fn_output_signature`` for ragged results)."""

    def __init__(self, shape=None, dtype=np.float32, ragged_rank=None, row_splits_dtype=np.int64,
                 flat_values_spec=None):
        from .dtypes import as_dtype  # noqa: PLC0415
        self.shape = TensorShape(shape)
        self.dtype = as_dtype(dtype)
        rank = self.shape.rank
        self.ragged_rank = ragged_rank if ragged_rank is not None else (max(rank - 1, 0) if rank else 0)
        self.row_splits_dtype = as_dtype(row_splits_dtype)

    def __eq__(self, other):
        return isinstance(other, RaggedTensorSpec) and (self.shape, self.dtype, self.ragged_rank) == \
            (other.shape, other.dtype, other.ragged_rank)

    __hash__ = None

    def __repr__(self):
        return (f"RaggedTensorSpec(TensorShape({self.shape.as_list() if self.shape.rank is not None else None}), "
                f"{self.dtype!r}, {self.ragged_rank}, {self.row_splits_dtype!r})")


def _int64(values, name: str) -> np.ndarray:
    arr = np.asarray(values.numpy() if hasattr(values, "numpy") else values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D list of integers, got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    return arr.astype(np.int64)


def _tensor(values) -> Tensor:
    if isinstance(values, RaggedTensor):
        return values
    return values if isinstance(values, Tensor) else convert_to_tensor(values)


class RaggedTensor:
    """TensorFlow's ``tf.RaggedTensor``: build one with ``tf.ragged.constant`` or the
    ``from_*`` class methods (not by calling the class)."""

    def __init__(self, values, row_splits, _checked: bool = False):
        if not _checked:
            splits = _int64(row_splits, "row_splits")
            values = _tensor(values)
            n = len(values)
            if splits.size == 0 or splits[0] != 0:
                raise ValueError(f"row_splits must start at 0, got {splits.tolist()[:8]}")
            bad = np.nonzero(np.diff(splits) < 0)[0]
            if bad.size:
                raise ValueError(f"row_splits must not decrease: row_splits[{bad[0] + 1}] = {splits[bad[0] + 1]} < "
                                 f"row_splits[{bad[0]}] = {splits[bad[0]]}")
            if splits[-1] != n:
                raise ValueError(f"row_splits must end at the number of values ({n}), got {splits[-1]}")
            row_splits = splits
        self._values = values
        self._row_splits = row_splits

    # -- the class methods that make one ---------------------------------------------------
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """Row ``i`` is ``values[row_splits[i]:row_splits[i + 1]]``."""
        return cls._make(_tensor(values), row_splits, not validate)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        """Row ``i`` holds the next ``row_lengths[i]`` values."""
        lengths = _int64(row_lengths, "row_lengths")
        if (lengths < 0).any():
            i = int(np.nonzero(lengths < 0)[0][0])
            raise ValueError(f"row_lengths[{i}] is {lengths[i]}: lengths must not be negative")
        return cls._make(_tensor(values), np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True):
        """Row ``i`` runs from ``values[row_starts[i]]`` to the next row's start (the last to the end)."""
        values = _tensor(values)
        starts = _int64(row_starts, "row_starts")
        if starts.size and starts[0] != 0:
            raise ValueError(f"from_row_starts: row_starts[0] must be 0, got {int(starts[0])}")
        return cls._make(values, np.concatenate([starts, [values.shape[0]]]).astype(np.int64))

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        """Value ``j`` goes in row ``value_rowids[j]`` (sorted); ``nrows`` rows (default: the
        last id + 1), so trailing rows may be empty."""
        ids = _int64(value_rowids, "value_rowids")
        if ids.size and ((np.diff(ids) < 0).any() or ids[0] < 0):
            raise ValueError(f"value_rowids must be sorted and not negative, got {ids.tolist()[:12]}")
        n = int(ids[-1]) + 1 if ids.size else 0
        if nrows is not None:
            nrows = int(np.asarray(nrows.numpy() if hasattr(nrows, "numpy") else nrows))
            if nrows < n:
                raise ValueError(f"nrows ({nrows}) is smaller than the largest value_rowid + 1 ({n})")
            n = nrows
        lengths = np.bincount(ids, minlength=n) if ids.size else np.zeros(n, np.int64)
        return cls._make(_tensor(values), np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None, validate=True):
        result = _tensor(flat_values)
        for lengths in reversed(list(nested_row_lengths)):
            result = cls.from_row_lengths(result, lengths)
        return result

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        result = _tensor(flat_values)
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits)
        return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None):
        """Each row of a dense ``tensor`` (cut to ``lengths[i]`` if given, or before its trailing
        ``padding`` values)."""
        dense = np.asarray(tensor.numpy() if hasattr(tensor, "numpy") else tensor)
        if dense.ndim < 2:
            raise ValueError(f"from_tensor: tensor must have rank >= 2, got shape {dense.shape}")
        if lengths is None and padding is not None:
            same = np.all((dense == padding).reshape(dense.shape[0], dense.shape[1], -1), axis=2)
            keep = ~same
            lengths = [int(np.nonzero(k)[0][-1]) + 1 if k.any() else 0 for k in keep]
        if lengths is None:
            lengths = [dense.shape[1]] * dense.shape[0]
        lengths = _int64(lengths, "lengths")
        rows = [dense[i, :int(n)] for i, n in enumerate(lengths)]
        flat = np.concatenate(rows) if rows else dense.reshape((0,) + dense.shape[2:])
        return cls.from_row_lengths(flat.view(Tensor), lengths)

    @classmethod
    def from_uniform_row_length(cls, values, uniform_row_length, nrows=None, validate=True, name=None):
        """Rows of ``uniform_row_length`` values each (a ragged tensor whose rows all have one length)."""
        n = int(np.asarray(uniform_row_length))
        total = values.nrows_int() if isinstance(values, RaggedTensor) else len(np.asarray(values))
        if n < 0 or (n and total % n) or (n == 0 and nrows is None):
            raise ValueError(f"from_uniform_row_length: {total} values cannot make rows of {n}")
        rows = int(nrows) if n == 0 else total // n
        return cls.from_row_splits(values, np.arange(rows + 1, dtype=np.int64) * n)

    @classmethod
    def from_sparse(cls, st_input, name=None):
        """A 2-D ``SparseTensor``'s rows, each its values in order (indices must be row-major, and
        each row's columns 0, 1, 2... as ``to_sparse`` writes them)."""
        idx = np.asarray(st_input.indices)
        if idx.ndim != 2 or idx.shape[1] != 2:
            raise ValueError(f"from_sparse: only a 2-D SparseTensor is supported, got indices of shape {idx.shape}")
        nrows = int(np.asarray(st_input.dense_shape)[0])
        lengths = np.bincount(idx[:, 0], minlength=nrows) if len(idx) else np.zeros(nrows, np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        if len(idx) and (np.any(np.diff(idx[:, 0]) < 0) or np.any(idx[:, 1] != np.arange(len(idx)) - starts[idx[:, 0]])):
            raise ValueError("from_sparse: the SparseTensor's indices must be row-major with each row's columns "
                             "0, 1, 2... (a ragged tensor's layout)")
        return cls.from_row_lengths(st_input.values, lengths)

    def to_sparse(self, name=None):
        """A ``tf.sparse.SparseTensor`` of the values at their (row, column...) positions, its dense
        shape the bounding shape."""
        from .sparse import SparseTensor  # noqa: PLC0415
        if self.ragged_rank != 1:
            _refuse("to_sparse", "only one ragged dimension is supported here")
        splits = np.asarray(self._row_splits)
        rows = np.repeat(np.arange(len(splits) - 1), np.diff(splits))
        cols = np.arange(splits[-1]) - splits[:-1][rows] if splits[-1] else np.zeros(0, np.int64)
        values = np.asarray(self.flat_values)
        inner = values.shape[1:]
        idx = np.stack([rows, cols], axis=1)
        if inner:                                  # dense inner dimensions: one entry per number
            extra = np.array(list(np.ndindex(*inner)), dtype=np.int64).reshape(-1, len(inner))
            idx = np.concatenate([np.repeat(idx, len(extra), axis=0), np.tile(extra, (len(idx), 1))], axis=1)
            values = values.reshape(-1)
        return SparseTensor(idx.astype(np.int64), values.view(Tensor), np.asarray(self.bounding_shape()))

    def bounding_shape(self, axis=None, name=None, out_type=None) -> Tensor:
        """The smallest dense shape that holds every row: ``[rows, longest row, ...]`` (int64)."""
        shape = np.asarray(self.to_tensor().shape if self.ragged_rank > 1 else
                           (self.nrows_int(), int(np.diff(np.asarray(self._row_splits)).max(initial=0)))
                           + tuple(self.flat_values.shape[1:]), dtype=np.int64)
        out = shape if axis is None else shape[axis]
        return np.asarray(out, dtype=np.dtype(out_type) if out_type is not None else np.int64).view(Tensor)

    @classmethod
    def _make(cls, values, row_splits, trusted: bool = False):
        return cls(values, row_splits, _checked=trusted) if trusted else cls(values, row_splits)

    # -- what it is ------------------------------------------------------------------------
    @property
    def values(self):
        return self._values

    @property
    def row_splits(self) -> Tensor:
        return self._row_splits.view(Tensor)

    @property
    def flat_values(self) -> Tensor:
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v._values
        return v

    @property
    def nested_row_splits(self) -> tuple:
        out, v = [], self
        while isinstance(v, RaggedTensor):
            out.append(v.row_splits)
            v = v._values
        return tuple(out)

    @property
    def ragged_rank(self) -> int:
        return len(self.nested_row_splits)

    @property
    def dtype(self):
        return self.flat_values.dtype

    @property
    def shape(self) -> TensorShape:
        """``(nrows, None, ...)``: a ragged dimension is ``None`` (as TensorFlow's static shape,
        which gives a size only where every row has it... and TensorFlow leaves it None even then)."""
        inner = self._values.shape
        return TensorShape((self.nrows_int(),) + (None,) + tuple(inner[1:]))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def nrows_int(self) -> int:
        return len(self._row_splits) - 1

    def nrows(self, out_type=None, name=None) -> Tensor:
        return np.array(self.nrows_int(), dtype=out_type or np.int64).view(Tensor)

    def row_lengths(self, axis=1, name=None):
        """The length of each row (``axis=1``); a deeper ``axis`` gives a RaggedTensor of the
        lengths of the rows there."""
        if axis == 1:
            return np.diff(self._row_splits).view(Tensor)
        if axis > 1 and isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.row_lengths(axis - 1))
        raise ValueError(f"row_lengths: axis {axis} is not a ragged dimension of a tensor of shape {self.shape}")

    def nested_row_lengths(self, name=None) -> tuple:
        return tuple(np.diff(np.asarray(s)).view(Tensor) for s in self.nested_row_splits)

    def value_rowids(self, name=None) -> Tensor:
        return np.repeat(np.arange(self.nrows_int(), dtype=np.int64), np.diff(self._row_splits)).view(Tensor)

    def row_starts(self, name=None) -> Tensor:
        return self._row_splits[:-1].view(Tensor)

    def row_limits(self, name=None) -> Tensor:
        return self._row_splits[1:].view(Tensor)

    def with_values(self, new_values):
        return type(self)._make(_tensor(new_values), self._row_splits, trusted=len(new_values) == len(self._values))

    def with_flat_values(self, new_values):
        if isinstance(self._values, RaggedTensor):
            return RaggedTensor(self._values.with_flat_values(new_values), self._row_splits)
        new_values = _tensor(new_values)
        if len(new_values) != len(self._values):
            raise ValueError(f"with_flat_values: {len(new_values)} values where the rows hold {len(self._values)}")
        return RaggedTensor(new_values, self._row_splits, _checked=True)

    # -- rows ------------------------------------------------------------------------------
    def _row(self, i: int):
        n = self.nrows_int()
        if not -n <= i < n:
            raise IndexError(f"row index {i} is out of range for a RaggedTensor of {n} rows")
        i %= n
        a, b = int(self._row_splits[i]), int(self._row_splits[i + 1])
        return self._values[a:b]

    def __len__(self) -> int:
        return self.nrows_int()

    def __iter__(self):
        return (self._row(i) for i in range(self.nrows_int()))

    def __getitem__(self, key):
        if not isinstance(key, tuple):
            key = (key,)
        if not key:
            return self
        if any(k is Ellipsis for k in key):       # rt[..., :-1]: '...' stands for the axes not named
            at = next(i for i, k in enumerate(key) if k is Ellipsis)
            if any(k is Ellipsis for k in key[at + 1:]):
                raise IndexError("RaggedTensor indexing: an index can only have a single ellipsis ('...')")
            key = key[:at] + (slice(None),) * max(self.ndim - len(key) + 1, 0) + key[at + 1:]
            if not key:
                return self
        first, rest = key[0], key[1:]
        if isinstance(first, slice):
            rows = [self._row(i) for i in range(*first.indices(self.nrows_int()))]
            if rest:
                rows = [r[rest] if isinstance(r, RaggedTensor) else r[rest[0]] if len(rest) == 1 else r[rest]
                        for r in rows]
            return _from_rows(rows, self._values)
        if isinstance(first, (int, np.integer)) or (hasattr(first, "ndim") and np.ndim(first) == 0):
            row = self._row(int(np.asarray(first)))
            return row[rest] if rest else row
        raise TypeError(f"RaggedTensor indexing: index {first!r} must be an int or a slice")

    # -- out -------------------------------------------------------------------------------
    def to_list(self) -> list:
        return [r.to_list() if isinstance(r, RaggedTensor) else np.asarray(r).tolist() for r in self]

    def numpy(self) -> np.ndarray:
        """TensorFlow's ``RaggedTensor.numpy()``: ``values.numpy()`` cut into rows; where every
        row has one shape they are stacked (a dense array, or an object array of arrays one level
        down), else a 1-D object array holds each row's array."""
        inner = self._values.numpy() if isinstance(self._values, RaggedTensor) else \
            np.asarray(self._values).view(np.ndarray)
        rows = [inner[a:b].copy() for a, b in zip(self._row_splits[:-1], self._row_splits[1:])]
        if not rows:
            return np.empty((0,) + inner.shape[1:], dtype=inner.dtype)
        if all(r.shape == rows[0].shape for r in rows):
            return np.stack(rows)
        out = np.empty(len(rows), dtype=object)
        out[:] = rows
        return out

    def to_tensor(self, default_value=None, name=None, shape=None) -> Tensor:
        """One dense tensor: each row padded at its end with ``default_value`` (``0`` for
        numbers, ``b""`` for strings) to the longest row; ``shape`` (None for a size left as
        found) pads or cuts each dimension to its size."""
        rows = [r.to_tensor(default_value).view(np.ndarray) if isinstance(r, RaggedTensor) else np.asarray(r)
                for r in self]
        dtype = self.dtype
        fill = default_value if default_value is not None else (b"" if dtype.kind in "OSU" else 0)
        fill = fill.encode("utf-8") if isinstance(fill, str) else fill      # strings hold bytes
        fill = np.asarray(fill.numpy() if hasattr(fill, "numpy") else fill)
        inner = self.flat_values.shape[1:]
        ndim = self.ragged_rank + len(inner)
        rows = [r.reshape((0,) * (ndim - len(inner)) + tuple(inner)) if r.size == 0 else r for r in rows]
        sizes = [len(rows)] + [max((r.shape[d] for r in rows), default=0) for d in range(ndim)]
        if shape is not None:
            shape = list(shape)
            if len(shape) != len(sizes):
                raise ValueError(f"to_tensor: shape {shape} has rank {len(shape)}, the tensor has rank {len(sizes)}")
            sizes = [s if want is None else int(want) for s, want in zip(sizes, shape)]
        out = np.empty(sizes, dtype=object) if dtype.kind in "OSU" else np.zeros(sizes, dtype)
        out[...] = fill
        for i, r in enumerate(rows[:sizes[0]]):
            cut = r[tuple(slice(0, s) for s in sizes[1:])]
            out[(i,) + tuple(slice(0, s) for s in cut.shape)] = cut
        unknown = [a for a, d in enumerate(self.shape) if d is None and (shape is None or shape[a] is None)]
        return sized_by_data(out.view(Tensor), unknown)         # a map's spec: the ragged sizes stay None

    def __repr__(self) -> str:
        return f"<tf.RaggedTensor {_format(self)}>"

    __str__ = __repr__

    def __array__(self, dtype=None, copy=None):
        raise TypeError("a RaggedTensor has rows of different lengths and is not one array: use "
                        ".to_tensor() (padded), .flat_values, or .to_list()")

    def __bool__(self):
        raise TypeError("the truth value of a RaggedTensor is ambiguous")

    # -- arithmetic: on flat_values, the rows kept ---------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs.get("out") is not None:
            return NotImplemented
        splits = None
        flat = []
        for x in inputs:
            if isinstance(x, RaggedTensor):
                mine = [np.asarray(s) for s in x.nested_row_splits]
                if splits is None:
                    splits = mine
                elif len(mine) != len(splits) or any(not np.array_equal(a, b) for a, b in zip(mine, splits)):
                    raise ValueError(f"{ufunc.__name__}: the two RaggedTensors have different rows "
                                     f"({[len(r) for r in x.nested_row_lengths()]} ...); they must match")
                flat.append(x.flat_values.view(np.ndarray))
            else:
                flat.append(np.asarray(x.numpy() if hasattr(x, "numpy") else x))
        like = next(x for x in inputs if isinstance(x, RaggedTensor))
        flat = [_dense_beside(v, like, ufunc.__name__) if not isinstance(x, RaggedTensor) else v
                for x, v in zip(inputs, flat)]
        result = ufunc(*flat, **kwargs)
        if isinstance(result, tuple):
            return tuple(self._rebuild(r, splits) for r in result)
        return self._rebuild(result, splits)

    @staticmethod
    def _rebuild(flat, splits):
        out = np.asarray(flat).view(Tensor)
        for s in reversed(splits):
            out = RaggedTensor(out, s, _checked=True)
        return out

    def __add__(self, other):
        return np.add(self, other)

    def __radd__(self, other):
        return np.add(other, self)

    def __sub__(self, other):
        return np.subtract(self, other)

    def __rsub__(self, other):
        return np.subtract(other, self)

    def __mul__(self, other):
        return np.multiply(self, other)

    def __rmul__(self, other):
        return np.multiply(other, self)

    def __truediv__(self, other):
        return np.true_divide(self, other)

    def __rtruediv__(self, other):
        return np.true_divide(other, self)

    def __floordiv__(self, other):
        return np.floor_divide(self, other)

    def __mod__(self, other):
        return np.mod(self, other)

    def __pow__(self, other):
        return np.power(self, other)

    def __neg__(self):
        return np.negative(self)

    def __abs__(self):
        return np.abs(self)

    def __eq__(self, other):
        return np.equal(self, other)

    def __ne__(self, other):
        return np.not_equal(self, other)

    def __lt__(self, other):
        return np.less(self, other)

    def __le__(self, other):
        return np.less_equal(self, other)

    def __gt__(self, other):
        return np.greater(self, other)

    def __ge__(self, other):
        return np.greater_equal(self, other)

    __hash__ = None

    # -- tf.* functions on RaggedTensors (called by the tf functions' wrapper, tensor.accept_symbolic) --
    @staticmethod
    def __glassnet_dispatch__(fn, args, kwargs):
        name = getattr(fn, "__name__", "")
        if name in _REDUCTIONS:
            return _reduce(name, fn, args, kwargs)
        if name == "concat":
            return _concat(args, kwargs)
        if name == "tile":
            return _tile(args, kwargs)
        if name == "embedding_lookup":
            return _lookup(fn, args, kwargs)
        if name == "join" and args and isinstance(args[0], (list, tuple)):
            return _elementwise(name, lambda *parts, **kw: fn(list(parts), **kw), tuple(args[0]), kwargs)
        return _elementwise(name, fn, args, kwargs)


def _dense_beside(v: np.ndarray, rt: RaggedTensor, who: str) -> np.ndarray:
    """A dense operand broadcast against ``rt`` as TensorFlow does, given as one entry per flat
    value: its axes line up with ``rt``'s from the right; the rows axis is 1 or ``nrows`` (each
    row then takes its own entry), the ragged axis 1, the inner axes broadcast as NumPy's."""
    if v.ndim == 0:
        return v
    inner = rt.flat_values.shape[1:]
    rank = 2 + len(inner)
    if rt.ragged_rank != 1 or v.ndim > rank:
        raise ValueError(f"{who}: a dense operand of shape {v.shape} cannot broadcast against a RaggedTensor of "
                         f"shape {rt.shape} here (one ragged dimension, rank {rank} at most)")
    v = v.reshape((1,) * (rank - v.ndim) + v.shape)
    if v.shape[0] not in (1, rt.nrows_int()) or v.shape[1] != 1:
        raise errors.InvalidArgumentError(None, None, f"{who}: shape {v.shape} does not broadcast against the "
                                          f"RaggedTensor's {rt.shape}: the rows axis must be 1 or "
                                          f"{rt.nrows_int()}, the ragged axis 1")
    rows = np.asarray(rt.value_rowids()) if v.shape[0] > 1 else np.zeros(len(rt.flat_values), np.int64)
    return v[rows, 0]


def _format(rt) -> str:
    """TensorFlow's printing: ``numpy()``'s rows through NumPy's ``array2string`` with ", "
    between items, each item formatted the same way in turn (so long rows wrap at NumPy's line
    width, continuation lines indented as NumPy indents them); a number as its own dtype prints
    it (0.1 for a float32 0.1), strings as bytes, an empty row as ``[]``."""
    return _text(rt.numpy())


def _text(x) -> str:
    if isinstance(x, np.ndarray):
        if x.size == 0:
            return repr(x.tolist())
        return np.array2string(x, separator=", ", formatter={"all": _text})
    return str(x)


_REDUCTIONS = {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any", "reduce_all"}


def _refuse(name: str, why: str):
    raise TypeError(f"tf.{name} on a RaggedTensor: {why}; use .to_tensor() (padded) or .flat_values first")


def _arg(args, kwargs, i: int, key: str, default=None):
    return args[i] if len(args) > i else kwargs.get(key, default)


def _elementwise(name, fn, args, kwargs):
    """``fn`` on the flat values, the rows kept: every RaggedTensor argument must have the
    same rows, every other argument a scalar (or a keyword such as ``dtype``)."""
    ragged = [a for a in (*args, *kwargs.values()) if isinstance(a, RaggedTensor)]
    splits = [np.asarray(s) for s in ragged[0].nested_row_splits]
    for r in ragged[1:]:
        mine = [np.asarray(s) for s in r.nested_row_splits]
        if len(mine) != len(splits) or any(not np.array_equal(a, b) for a, b in zip(mine, splits)):
            raise ValueError(f"tf.{name}: the RaggedTensors have different rows; they must match")
    for a in args:
        if not isinstance(a, (RaggedTensor, type, np.dtype, str)) and np.ndim(a) > 0:
            _refuse(name, f"an argument of shape {np.shape(a)} with a RaggedTensor is not supported here "
                          "(a scalar or a RaggedTensor of the same rows is)")
    flat = [a.flat_values if isinstance(a, RaggedTensor) else a for a in args]
    kw = {k: (v.flat_values if isinstance(v, RaggedTensor) else v) for k, v in kwargs.items()}
    out = fn(*flat, **kw)
    n = len(ragged[0].flat_values)
    if np.ndim(out) == 0 or len(out) != n:
        _refuse(name, "it is not elementwise")
    return RaggedTensor._rebuild(out.numpy() if hasattr(out, "numpy") else out, splits)


def _reduce(name, fn, args, kwargs):
    """``tf.reduce_*(rt, axis=1)``: one number per row, as TensorFlow (an empty row: the
    reduction's identity; the mean of an empty row is nan; integers' mean is float64)."""
    rt = args[0]
    axis = _arg(args, kwargs, 1, "axis")
    keepdims = bool(_arg(args, kwargs, 2, "keepdims", False))
    if not isinstance(rt, RaggedTensor) or rt.ragged_rank != 1:
        _refuse(name, "only a RaggedTensor of shape [rows, None, ...] (one ragged dimension) is reduced here")
    axis = None if axis is None else int(np.asarray(axis))
    if axis not in (1, -rt.flat_values.ndim - 1):
        _refuse(name, f"axis={axis}: only axis=1 (within each row) is supported here")
    values = rt.flat_values.view(np.ndarray)
    rows = [values[a:b] for a, b in zip(rt._row_splits[:-1], rt._row_splits[1:])]
    dtype, inner = values.dtype, values.shape[1:]
    if name == "reduce_mean":
        out_dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            found = [r.astype(out_dtype).sum(axis=0) / out_dtype.type(len(r)) for r in rows]
    elif name in ("reduce_max", "reduce_min"):
        big = name == "reduce_max"
        out_dtype = dtype
        info = np.iinfo(dtype) if dtype.kind in "iu" else None
        empty = (info.min if big else info.max) if info is not None else (-np.inf if big else np.inf)
        found = [(r.max(axis=0) if big else r.min(axis=0)) if len(r) else np.full(inner, empty, dtype) for r in rows]
    else:
        op = {"reduce_sum": np.sum, "reduce_prod": np.prod, "reduce_any": np.any, "reduce_all": np.all}[name]
        out_dtype = np.dtype(np.bool_) if name in ("reduce_any", "reduce_all") else dtype
        found = [op(r, axis=0) for r in rows]
    out = np.array(found, dtype=out_dtype).reshape((len(rows),) + inner)
    out = out[:, None] if keepdims else out
    return out.view(Tensor)


def _as_ragged(value, name: str):
    if isinstance(value, RaggedTensor):
        return value
    arr = value if isinstance(value, np.ndarray) else None
    if arr is not None and arr.ndim == 2:
        return RaggedTensor.from_tensor(arr)
    try:
        return constant(value.tolist() if hasattr(value, "tolist") else value)
    except (TypeError, ValueError) as e:
        raise ValueError(f"tf.{name}: {value!r} cannot join a RaggedTensor: {e}") from None


def _lookup(fn, args, kwargs):
    """``tf.nn.embedding_lookup(params, ragged_ids)``: each id's row of ``params``, the ids' rows kept."""
    params, ids = _arg(args, kwargs, 0, "params"), _arg(args, kwargs, 1, "ids")
    if isinstance(params, RaggedTensor) or not isinstance(ids, RaggedTensor):
        _refuse("embedding_lookup", "only ids may be ragged here")
    found = fn(params, ids.flat_values)
    return RaggedTensor._rebuild(found.numpy() if hasattr(found, "numpy") else found,
                                 [np.asarray(s) for s in ids.nested_row_splits])


def _concat(args, kwargs):
    values = list(_arg(args, kwargs, 0, "values"))
    axis = int(np.asarray(_arg(args, kwargs, 1, "axis", 0)))
    if axis == 1:
        return _concat_rows([_as_ragged(v, "concat") for v in values])
    if axis != 0:
        _refuse("concat", f"axis={axis}: only axis=0 (more rows) and axis=1 (longer rows) are supported here")
    parts = [_as_ragged(v, "concat") for v in values]
    dtype = parts[0].dtype
    parts = [p if p.dtype == dtype else p.with_flat_values(np.asarray(p.flat_values).astype(dtype).view(Tensor))
             for p in parts]
    if len({p.ragged_rank for p in parts}) != 1:
        raise ValueError("tf.concat: the RaggedTensors have different ragged ranks")
    return _concat_ragged(parts)


def _concat_rows(parts: list):
    """``tf.concat(..., axis=1)``: row ``i`` of the result is row ``i`` of each part, end to end."""
    n = {p.nrows_int() for p in parts}
    if len(n) != 1:
        raise errors.InvalidArgumentError(None, None, f"tf.concat: the parts have different numbers of rows "
                                          f"{sorted(n)}; axis=1 joins rows one to one")
    dtype = parts[0].dtype
    rows = []
    for i in range(parts[0].nrows_int()):
        pieces = [p[i] for p in parts]
        if isinstance(pieces[0], RaggedTensor):
            rows.append(_concat_ragged(pieces))
        else:
            rows.append(np.concatenate([np.asarray(r).astype(dtype) for r in pieces]).view(Tensor))
    return _from_rows(rows, parts[0].values)


def _tile(args, kwargs):
    rt = _arg(args, kwargs, 0, "input")
    multiples = [int(m) for m in np.asarray(_arg(args, kwargs, 1, "multiples")).reshape(-1)]
    if not isinstance(rt, RaggedTensor) or rt.ragged_rank != 1 or len(multiples) != rt.flat_values.ndim + 1:
        _refuse("tile", "only a RaggedTensor of one ragged dimension, one multiple per dimension, is tiled here")
    rows = [np.tile(np.asarray(r), multiples[1:]) for r in rt] * multiples[0]
    return _from_rows([r.view(Tensor) for r in rows], rt.values)


def _from_rows(rows: list, like):
    """A RaggedTensor whose rows are ``rows`` (each a Tensor or a RaggedTensor of one kind);
    ``like``: the values of the tensor they came from, for the dtype and inner shape when
    there are no rows."""
    if rows and all(isinstance(r, RaggedTensor) for r in rows):
        values = _concat_ragged(rows)
    elif rows:
        arrays = [np.asarray(r) for r in rows]
        values = np.concatenate(arrays).view(Tensor)
    elif isinstance(like, RaggedTensor):
        return RaggedTensor(like[0:0], np.zeros(1, np.int64), _checked=True)
    else:
        values = np.asarray(like)[0:0].view(Tensor)
    lengths = [len(r) for r in rows]
    return RaggedTensor(values, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), _checked=True)


def _concat_ragged(parts: list):
    """RaggedTensors laid end to end (their rows, in order)."""
    splits = [np.asarray(parts[0]._row_splits)]
    offset = splits[0][-1]
    for p in parts[1:]:
        splits.append(np.asarray(p._row_splits)[1:] + offset)
        offset += p._row_splits[-1]
    inner = [p._values for p in parts]
    values = _concat_ragged(inner) if isinstance(inner[0], RaggedTensor) else \
        np.concatenate([np.asarray(v) for v in inner]).view(Tensor)
    return RaggedTensor(values, np.concatenate(splits).astype(np.int64), _checked=True)


# -- tf.ragged --------------------------------------------------------------------------------
def _depth(value, where: str):
    """How deep the lists go in ``value``, checked the same at every position (an empty list
    fits beside lists of any depth, as in TensorFlow)."""
    return _depth_of(value)[0]


def _depth_of(value):
    """(depth, whether this is an empty list)."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return 0, False
    if not value:
        return 1, True
    children = [_depth_of(v) for v in value]
    full = {d for d, empty in children if not empty}
    if len(full) > 1 or (full == {0} and any(empty for _, empty in children)):
        raise ValueError("all scalar values must have the same nesting depth")      # TensorFlow's words
    return 1 + (full.pop() if full else 1), False


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None, row_splits_dtype=np.int64):
    """``tf.ragged.constant``: nested Python lists (rows of any lengths) as a RaggedTensor;
    ``ragged_rank`` (default: all but the innermost list's dimensions... as TensorFlow: one less
    than the nesting depth) ragged dimensions, the rest dense. All scalars must sit at one depth,
    and be all numbers or all strings."""
    if hasattr(pylist, "to_list"):
        pylist = pylist.to_list()
    depth = _depth(pylist, "")
    if depth == 0:
        raise ValueError("tf.ragged.constant: pylist must be a list (of lists...), got a scalar")
    if inner_shape is not None:
        depth_dense = len(tuple(inner_shape))
    else:
        depth_dense = 0
    if ragged_rank is None:
        ragged_rank = max(depth - 1 - depth_dense, 0) if depth > 1 else 0
    if ragged_rank < 0 or ragged_rank >= depth:
        raise ValueError(f"tf.ragged.constant: ragged_rank must be in [0, {depth - 1}] for lists nested {depth} "
                         f"deep, got {ragged_rank}")
    if ragged_rank == 0:
        return convert_to_tensor(pylist, dtype=dtype)
    levels = _levels(pylist, ragged_rank)
    nested_lengths = [[len(r) for r in lv] for lv in levels]
    level = [item for r in levels[-1] for item in r]      # flat_values' items: scalars or dense lists
    _same_kind(level)
    try:
        flat = convert_to_tensor(level, dtype=dtype) if level else None
    except ValueError as e:
        raise ValueError(f"tf.ragged.constant: the innermost values are not of one shape ({e}); give a larger "
                         "ragged_rank") from None
    if flat is None:
        shape = tuple(inner_shape) if inner_shape is not None else ()
        flat = np.zeros((0,) + shape, dtype=np.dtype(dtype) if dtype is not None else np.float32).view(Tensor)
    return RaggedTensor.from_nested_row_lengths(flat, nested_lengths)


def _levels(pylist, ragged_rank):
    out, level = [], list(pylist)
    for _ in range(ragged_rank):
        out.append(level)
        level = [item for r in level for item in r]
    return out


def _same_kind(values) -> None:
    kinds = set()

    def visit(v):
        if isinstance(v, (list, tuple)):
            for x in v:
                visit(x)
        else:
            kinds.add("string" if isinstance(v, (str, bytes)) else "number")
    visit(values)
    if len(kinds) > 1:
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")      # TensorFlow's words


def map_flat_values(op, *args, **kwargs):
    """``op`` on the ``flat_values`` of the RaggedTensors in ``args`` / ``kwargs`` (all of the same
    rows), the result given those rows: ``op`` must keep the number of values."""
    ragged = [a for a in list(args) + list(kwargs.values()) if isinstance(a, RaggedTensor)]
    if not ragged:
        return op(*args, **kwargs)
    splits = [np.asarray(s) for s in ragged[0].nested_row_splits]
    for r in ragged[1:]:
        mine = [np.asarray(s) for s in r.nested_row_splits]
        if len(mine) != len(splits) or any(not np.array_equal(a, b) for a, b in zip(mine, splits)):
            raise ValueError("map_flat_values: the RaggedTensors have different rows; they must match")
    swap = (lambda a: a.flat_values if isinstance(a, RaggedTensor) else a)
    result = op(*[swap(a) for a in args], **{k: swap(v) for k, v in kwargs.items()})
    n = len(ragged[0].flat_values)
    if np.ndim(result) == 0 or len(result) != n:
        raise ValueError(f"map_flat_values: op must keep the number of values ({n}), it gave shape "
                         f"{np.shape(result)}")
    return RaggedTensor._rebuild(result.numpy() if hasattr(result, "numpy") else result, splits)


def row_splits_to_segment_ids(splits, name=None, out_type=None) -> Tensor:
    s = _int64(splits, "splits")
    return np.repeat(np.arange(len(s) - 1, dtype=np.int64), np.diff(s)).view(Tensor)


def stack(values, axis=0, name=None):
    """``tf.ragged.stack`` along axis 0: each item (a list, Tensor or RaggedTensor) a row."""
    if axis != 0:
        raise ValueError(f"tf.ragged.stack: only axis=0 is supported here, got {axis}")
    rows = [v if isinstance(v, (RaggedTensor, Tensor)) else convert_to_tensor(v) for v in values]
    return _from_rows(rows, rows[0] if rows else np.zeros(0, np.float32))
