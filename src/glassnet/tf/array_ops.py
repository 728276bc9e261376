"""TensorFlow's array functions that move, pick or scatter numbers: ``tf.pad``, ``roll``,
``repeat``, ``sort``/``argsort``, ``unique``, ``boolean_mask``, ``meshgrid``, ``eye``,
``scatter_nd``, ``tensor_scatter_nd_update``/``add``, ``rank``.

Every one that moves floats is an index map (``glassnet/tf/index_map.py``): the forward reads
``x.flat[index]``, the gradient adds ``g`` back where each number came from, so a tape
records them all with one rule.

>>> import glassnet as tf
>>> tf.pad([[1, 2]], [[1, 0], [0, 1]]).numpy().tolist()
[[0, 0, 0], [1, 2, 0]]
>>> tf.sort([3.0, 1.0, 2.0], direction="DESCENDING").numpy()
array([3., 2., 1.], dtype=float32)
"""
from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from .errors import InvalidArgumentError
from .index_map import positions, put, take
from .ops import _array, _values
from .tensor import Tensor, _as_dtype, accept_symbolic, sized_by_data, wrap

__all__ = ["pad", "roll", "repeat", "sort", "argsort", "unique", "boolean_mask", "rank", "meshgrid", "eye",
           "scatter_nd", "tensor_scatter_nd_update", "tensor_scatter_nd_add"]


def _ints(value, what, who):
    arr = np.asarray(_array(value))
    if arr.dtype.kind not in "iu" and arr.size:
        raise TypeError(f"{who}: {what} must be integers, got {arr.dtype}")
    return arr.astype(np.int64)


def _axis(axis, ndim, who, what="axis"):
    axis = int(axis)
    if not -ndim <= axis < builtins.max(ndim, 1):
        raise ValueError(f"{who}: {what}={axis} is out of range for a tensor of rank {ndim}")
    return axis % builtins.max(ndim, 1)


_PAD_MODES = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> Tensor:
    """``tensor`` with ``paddings[i] = [before, after]`` numbers added along axis ``i``: the
    constant ``constant_values``, or the tensor mirrored (``REFLECT`` leaves the edge out,
    ``SYMMETRIC`` repeats it);  dJ/dx adds back the gradient of each copy."""
    x = _values(tensor)
    widths = _ints(paddings, "paddings", "pad")
    if widths.shape != (x.ndim, 2):
        raise InvalidArgumentError(None, None, f"pad: paddings must have shape ({x.ndim}, 2) for a tensor of rank {x.ndim}, "
                         f"got {widths.shape}")
    if (widths < 0).any():
        raise ValueError(f"pad: paddings must be >= 0, got {widths.tolist()}")
    key = str(mode).upper()
    if key not in _PAD_MODES:
        raise ValueError(f'pad: mode must be one of "CONSTANT", "REFLECT" or "SYMMETRIC", got {mode!r}')
    for axis, (n, (before, after)) in enumerate(zip(x.shape, widths.tolist())):
        limit = n - 1 if key == "REFLECT" else n
        if key != "CONSTANT" and builtins.max(before, after) > limit:
            raise ValueError(f"pad: paddings {[before, after]} of axis {axis} must be at most {limit} "
                             f"(that axis has {n}) in mode {key}")
    if x.ndim == 0:
        return take(x, positions(()))
    if key == "CONSTANT":
        index = np.pad(positions(x.shape), widths.tolist(), mode="constant", constant_values=-1)
        return take(x, index, fill=_array(constant_values).astype(x.dtype))
    return take(x, np.pad(positions(x.shape), widths.tolist(), mode=_PAD_MODES[key]))


def roll(input, shift, axis, name=None) -> Tensor:  # noqa: A002
    """Numbers shifted ``shift`` places along ``axis`` (those leaving one end come back at the
    other); ``shift`` and ``axis`` may be lists of the same length."""
    x = _values(input)
    shifts = _ints(shift, "shift", "roll").reshape(-1)
    axes = _ints(axis, "axis", "roll").reshape(-1)
    if shifts.size != axes.size:
        raise ValueError(f"roll: shift and axis must have the same length, got {shifts.size} and {axes.size}")
    index = positions(x.shape)
    for s, a in zip(shifts.tolist(), axes.tolist()):
        index = np.roll(index, s, axis=_axis(a, x.ndim, "roll"))
    return take(x, index)


def repeat(input, repeats, axis=None, name=None) -> Tensor:  # noqa: A002
    """Each number repeated ``repeats`` times (one count, or one per entry of ``axis``);
    without ``axis`` the tensor is flattened first, as TensorFlow's."""
    x = _values(input)
    counts = _ints(repeats, "repeats", "repeat")
    if (counts < 0).any():
        raise ValueError(f"repeat: repeats must be >= 0, got {counts.tolist()}")
    index = positions(x.shape)
    if axis is None:
        index = index.reshape(-1)
        axis = 0
    axis = _axis(axis, index.ndim, "repeat")
    if counts.ndim and counts.size not in (1, index.shape[axis]):
        raise ValueError(f"repeat: repeats has {counts.size} entries, axis {axis} has {index.shape[axis]}")
    return take(x, np.repeat(index, counts.reshape(-1) if counts.ndim else int(counts), axis=axis))


def _order(x, axis, direction, who):
    direction = str(direction).upper()
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f'{who}: direction must be "ASCENDING" or "DESCENDING", got {direction!r}')
    plain = np.asarray(_array(x))
    if plain.ndim == 0:
        raise ValueError(f"{who}: values must have rank >= 1, got a scalar")
    axis = _axis(axis, plain.ndim, who)
    if direction == "DESCENDING":            # ties keep their order: lower index first, as TensorFlow's top_k
        key = -plain.astype(np.float64) if plain.dtype.kind in "iub" else -plain
        return np.argsort(key, axis=axis, kind="stable"), axis
    return np.argsort(plain, axis=axis, kind="stable"), axis


def sort(values, axis=-1, direction="ASCENDING", name=None) -> Tensor:
    """``values`` sorted along ``axis``;  dJ/dx = g sent back to where each number was."""
    x = _values(values)
    order, axis = _order(x, axis, direction, "sort")
    return take(x, np.take_along_axis(positions(x.shape), order, axis=axis))


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None) -> Tensor:
    """The indices that sort ``values`` along ``axis`` (int32; ties in their first order)."""
    order, _ = _order(values, axis, direction, "argsort")
    return wrap(order.astype(np.int32))


Unique = namedtuple("Unique", ["y", "idx"])


def unique(x, out_idx=np.int32, name=None):
    """``(y, idx)``: the distinct values of a vector in the order they first appear, and
    for each entry of ``x`` the position of its value in ``y`` (``out_idx``, int32)."""
    arr = np.asarray(_array(x))
    if arr.ndim != 1:
        raise InvalidArgumentError(None, None, f"unique: x must be a vector (rank 1), got rank {arr.ndim}")
    _, first, inverse = np.unique(arr, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")         # np.unique sorts; TensorFlow keeps first appearances
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(order.size)
    return Unique(sized_by_data(wrap(arr[np.sort(first)])),
                  wrap(rank_of[inverse.reshape(-1)].astype(_as_dtype(out_idx))))


def boolean_mask(tensor, mask, axis=None, name="boolean_mask") -> Tensor:
    """The entries of ``tensor`` where ``mask`` (k axes, matching ``tensor``'s axes
    ``axis .. axis+k-1``) is true, those axes flattened into one."""
    x = _values(tensor)
    m = np.asarray(_array(mask))
    if m.dtype != np.bool_:
        raise TypeError(f"boolean_mask: mask must be boolean, got {m.dtype}")
    axis = 0 if axis is None else _axis(axis, x.ndim, "boolean_mask")
    if m.ndim == 0:
        raise ValueError("boolean_mask: mask cannot be a scalar")
    if x.shape[axis:axis + m.ndim] != m.shape:
        raise ValueError(f"boolean_mask: mask of shape {m.shape} does not match the tensor's dimensions "
                         f"{x.shape[axis:axis + m.ndim]} at axis {axis}")
    return sized_by_data(take(x, positions(x.shape)[(slice(None),) * axis + (m,)]), (axis,))


def rank(input, name=None) -> Tensor:  # noqa: A002
    """The number of axes, as a 0-d int32 Tensor."""
    return wrap(np.asarray(np.ndim(_array(input)), dtype=np.int32))


def meshgrid(*args, **kwargs) -> list:
    """``N`` grids from ``N`` vectors (``indexing="xy"``: the first two axes exchanged, as
    NumPy's and TensorFlow's default; ``"ij"``: matrix order);  each grid's gradient sums back."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"meshgrid: unexpected keyword argument {next(iter(kwargs))!r}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    xs = [_values(a) for a in args]
    sizes = [int(np.size(a)) for a in xs]
    shape = list(sizes)
    if indexing == "xy" and len(xs) > 1:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, x in enumerate(xs):
        where = i if indexing == "ij" or len(xs) < 2 or i > 1 else 1 - i
        index = np.arange(sizes[i]).reshape([-1 if k == where else 1 for k in range(len(xs))])
        out.append(take(x, np.broadcast_to(index, shape)))
    return out


def eye(num_rows, num_columns=None, batch_shape=None, dtype=np.float32, name=None) -> Tensor:
    """Ones on the main diagonal (``batch_shape`` copies of a ``num_rows x num_columns`` matrix)."""
    n = int(num_rows)
    m = n if num_columns is None else int(num_columns)
    if n < 0 or m < 0:
        raise ValueError(f"eye: num_rows and num_columns must be >= 0, got {n} and {m}")
    out = np.eye(n, m, dtype=_as_dtype(dtype))
    if batch_shape is not None:
        out = np.broadcast_to(out, tuple(np.asarray(_array(batch_shape)).tolist()) + (n, m)).copy()
    return wrap(out)


def _scatter_index(indices, shape, updates_shape, who):
    """For each update number, its flat position in an array of ``shape``."""
    idx = _ints(indices, "indices", who)
    shape = tuple(int(n) for n in np.asarray(_array(shape)).reshape(-1).tolist())
    if idx.ndim == 0 or idx.shape[-1] > len(shape):
        raise ValueError(f"{who}: indices of shape {idx.shape} cannot index a tensor of shape {shape}")
    k = idx.shape[-1]
    expected = idx.shape[:-1] + shape[k:]
    if tuple(updates_shape) != expected:
        raise ValueError(f"{who}: updates must have shape {expected} (indices.shape[:-1] + shape[{k}:]), "
                         f"got {tuple(updates_shape)}")
    for axis in range(k):
        bad = (idx[..., axis] < 0) | (idx[..., axis] >= shape[axis])
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise InvalidArgumentError(None, None, f"{who}: indices{list(where)} = {idx[where].tolist()} does not index into "
                             f"shape {shape}")
    base = positions(shape)[tuple(idx[..., a] for a in range(k))]
    return base, shape


def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """Zeros of ``shape`` with ``updates`` added at ``indices`` (repeated indices add up);
    dJ/dupdates = g gathered at ``indices``."""
    u = _values(updates)
    index, shape = _scatter_index(indices, shape, u.shape, "scatter_nd")
    return put(u, index, shape)


def tensor_scatter_nd_update(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` with the entries at ``indices`` replaced by ``updates``;  dJ/dtensor = g
    where nothing was written, dJ/dupdates = g at ``indices``."""
    x, u = _values(tensor), _values(updates)
    index, shape = _scatter_index(indices, x.shape, u.shape, "tensor_scatter_nd_update")
    kept = positions(shape).reshape(-1).copy()
    kept[index.reshape(-1)] = -1
    return take(x, kept.reshape(shape)) + put(_cast_like(u, x), _last_write(index), shape)


def _last_write(index):
    """``index`` with every repeated position but its last write dropped (-1)."""
    flat = index.reshape(-1)
    _, last = np.unique(flat[::-1], return_index=True)
    keep = np.zeros(flat.size, bool)
    keep[flat.size - 1 - last] = True
    return np.where(keep, flat, -1).reshape(index.shape)


def _cast_like(u, x):
    return u if u.dtype == x.dtype else wrap(np.asarray(u).astype(x.dtype))


def tensor_scatter_nd_add(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` plus ``updates`` added at ``indices`` (repeated indices add up)."""
    x, u = _values(tensor), _values(updates)
    index, shape = _scatter_index(indices, x.shape, u.shape, "tensor_scatter_nd_add")
    return x + put(_cast_like(u, x), index, shape)


accept_symbolic(globals(), __all__)      # tf functions on a functional model's tensors make Lambda nodes
