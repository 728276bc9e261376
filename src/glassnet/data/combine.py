"""How ``Dataset`` combines elements: TensorFlow's interleave order (``interleave``,
``flat_map``, the readers' ``num_parallel_reads``) and padded batches (``padded_batch``).

>>> runs = [lambda: iter([1, 2, 3]), lambda: iter([10, 20])]
>>> list(interleave_runs(iter(runs), cycle_length=2, block_length=2))
[1, 2, 10, 20, 3]
>>> pad([np.array([1]), np.array([2, 3])], None, None).tolist()
[[1, 0], [2, 3]]
"""
from __future__ import annotations

import numpy as np

__all__ = ["interleave_runs", "pad", "padded_spec"]


def interleave_runs(sources, cycle_length: int, block_length: int):
    """TensorFlow's interleave order: ``cycle_length`` inputs open at once, ``block_length``
    elements from each in turn; an input that ends frees its place for the next one, which
    starts there on the following turn. ``sources``: an iterator of zero-argument functions
    giving iterables."""
    slots = [None] * cycle_length
    index, block, open_count, ended = 0, 0, 0, False
    while not ended or open_count:
        current = slots[index]
        if current is not None:
            try:
                element = next(current)
            except StopIteration:
                slots[index] = None
                open_count -= 1
                index, block = (index + 1) % cycle_length, 0
                continue
            block += 1
            if block == block_length:
                index, block = (index + 1) % cycle_length, 0
            yield element
        elif not ended:
            source = next(sources, None)
            if source is None:
                ended = True
            else:
                slots[index] = iter(source())
                open_count += 1
        else:
            index, block = (index + 1) % cycle_length, 0


def pad(parts, shape, value):
    """``parts`` (arrays of one leaf) stacked after padding each to ``shape`` (``None``: the
    longest in the batch) with ``value``."""
    arrays = [np.asarray(p) for p in parts]
    rank = arrays[0].ndim
    if any(a.ndim != rank for a in arrays):
        raise ValueError("Dataset.padded_batch: the elements of a batch must have the same rank")
    if shape is None:
        shape = [None] * rank
    shape = [max(a.shape[d] for a in arrays) if s is None or s == -1 else int(s) for d, s in enumerate(shape)]
    dtype = arrays[0].dtype
    fill = (b"" if dtype == object else 0) if value is None else value
    out = np.full((len(arrays), *shape), fill, dtype=dtype)
    for i, a in enumerate(arrays):
        if any(n > s for n, s in zip(a.shape, shape)):
            raise ValueError(f"Dataset.padded_batch: an element of shape {a.shape} does not fit the padded "
                             f"shape {tuple(shape)}")
        out[(i, *(slice(0, n) for n in a.shape))] = a
    return out


def padded_spec(spec, shapes, size):
    """``padded_batch``'s element_spec from its source's ``spec``: each leaf's shape after the batch
    axis (``size``, None unless drop_remainder) is its ``shapes`` entry, ``None`` or -1 staying
    unknown, or without ``shapes`` the leaf's own, as TensorFlow's; None for leaves it cannot pad."""
    from .structure import TensorSpec, leaves  # noqa: PLC0415 - structure builds on composite, as this

    if not all(isinstance(s, TensorSpec) and s.shape.rank is not None for s in leaves(spec)):
        return None

    def along(s, shape):
        if isinstance(s, tuple):
            return tuple(along(p, shape[i] if isinstance(shape, (tuple, list)) and len(shape) == len(s)
                               and not _is_shape(shape) else shape) for i, p in enumerate(s))
        if isinstance(s, dict):
            return type(s)((k, along(p, shape[k] if isinstance(shape, dict) else shape)) for k, p in s.items())
        dims = tuple(s.shape) if shape is None else \
            tuple(None if d is None or int(d) == -1 else int(d) for d in np.asarray(shape, dtype=object).reshape(-1))
        return TensorSpec((size, *dims), s.dtype)
    return along(spec, shapes)


def _is_shape(shape) -> bool:
    """``shape`` is one leaf's padded shape (numbers and Nones), not a structure of them."""
    return all(d is None or isinstance(d, (int, np.integer)) for d in shape)
