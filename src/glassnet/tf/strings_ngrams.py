"""``tf.strings.ngrams``: the n-grams of each sequence of strings along the last axis.

Each sequence (a row of a RaggedTensor, or the last axis of a dense tensor) gives, for each width
in ``ngram_width`` in the order given, its windows of that many neighbouring strings joined by
``separator``. With ``pad_values`` (one string for both ends, or a ``(left, right)`` pair) each
sequence is first padded with ``padding_width`` copies at each end (default ``width - 1``, never
more than that), so a 3-gram of ``a b`` padded with ``<s>``/``</s>`` is ``<s> <s> a`` ...
A sequence too short for any n-gram gives none, or with ``preserve_short_sequences=True`` one
n-gram of all of it (padded as above), as TensorFlow's StringNGrams op does. A dense input gives
a dense output (the last axis now counts n-grams); a RaggedTensor a RaggedTensor of the same rows.

>>> import glassnet as tf
>>> tf.strings.ngrams(["a", "b", "c"], 2).numpy().tolist()
[b'a b', b'b c']
>>> tf.strings.ngrams(tf.ragged.constant([["a", "b"], ["c"]]), 2, pad_values="#").to_list()
[[b'# a', b'a b', b'b #'], [b'# c', b'c #']]
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor, sized_by_data

__all__ = ["ngrams"]


def _widths(ngram_width) -> list:
    widths = list(ngram_width) if isinstance(ngram_width, (list, tuple)) else [ngram_width]
    for i, w in enumerate(widths):
        w = np.asarray(w.numpy() if hasattr(w, "numpy") else w)
        if w.ndim or w.dtype.kind not in "iu":
            where = "" if not isinstance(ngram_width, (list, tuple)) else f"[{i}]"
            raise TypeError(f"strings.ngrams: ngram_width{where} must be an integer, got {w.tolist()!r}")
        if int(w) < 1:                                  # (TensorFlow's words)
            raise ValueError(f"strings.ngrams: All ngram_widths must be greater than 0. Got {int(w)}")
        widths[i] = int(w)
    return widths


def _string(value, what: str) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes):
        return value
    inside = np.asarray(value.numpy() if hasattr(value, "numpy") else value, dtype=object)
    if inside.ndim == 0 and isinstance(inside.item(), (str, bytes)):         # a 0-d string tensor
        return _string(inside.item(), what)
    raise TypeError(f"strings.ngrams: {what} must be a string, got {value!r}")


def _pads(pad_values):
    """``(left, right)`` padding strings, or ``None`` for no padding. As TensorFlow, a tuple's
    first two strings are used (a third is not looked at)."""
    if pad_values is None:
        return None
    if isinstance(pad_values, (list, tuple)):
        if len(pad_values) < 2:
            raise ValueError(f"strings.ngrams: pad_values must be a string or a (left, right) pair of strings, "
                             f"got {len(pad_values)} value(s)")
        return _string(pad_values[0], "pad_values[0]"), _string(pad_values[1], "pad_values[1]")
    one = _string(pad_values, "pad_values (a string, a tuple of two, or None)")
    return one, one


def _grams(row: list, widths: list, sep: bytes, pads, padding_width, keep_short: bool) -> list:
    """One sequence's n-grams (bytes), each width's in turn."""
    out = []
    for width in widths:
        pad = 0 if pads is None else min(width - 1 if padding_width is None else padding_width, width - 1)
        padded = [pads[0]] * pad + row + [pads[1]] * pad if pad else row
        out.extend(sep.join(padded[i:i + width]) for i in range(len(padded) - width + 1))
    if keep_short and not out and row:        # too short for every width: the whole sequence, padded
        pad = 0 if pads is None else (max(widths) - 1 if padding_width is None else padding_width)
        out.append(sep.join([pads[0]] * pad + row + [pads[1]] * pad if pad else row))
    return out


def _strings(values: list) -> np.ndarray:
    flat = np.empty(len(values), dtype=object)
    flat[:] = values
    return flat


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None, preserve_short_sequences=False,
           name=None):
    """``tf.strings.ngrams``: see the module's docstring. ``ngram_width`` is an int or a list of
    them; ``padding_width`` needs ``pad_values`` and must be at least 1."""
    widths = _widths(ngram_width)
    sep = _string(separator, "separator")
    pads = _pads(pad_values)
    if padding_width is not None:
        if pads is None:
            raise ValueError("strings.ngrams: pad_values must be provided if padding_width is set")
        if isinstance(padding_width, bool) or not isinstance(padding_width, (int, np.integer)):
            raise TypeError(f"strings.ngrams: padding_width must be an integer, got {padding_width!r}")
        if padding_width < 1:
            raise ValueError(f"strings.ngrams: padding_width must be greater than 0, got {padding_width}")
        padding_width = int(padding_width)
    options = (widths, sep, pads, padding_width, bool(preserve_short_sequences))
    if hasattr(data, "nested_row_splits"):                        # a RaggedTensor: its rows stay
        if data.ragged_rank > 1:
            return data.with_values(ngrams(data.values, ngram_width, separator, pad_values, padding_width,
                                           preserve_short_sequences))
        if np.asarray(data.flat_values).ndim != 1:
            return data.with_values(ngrams(data.values, ngram_width, separator, pad_values, padding_width,
                                           preserve_short_sequences))
        from .strings import _raw  # noqa: PLC0415 - strings.py imports this module
        flat, _ = _raw(data.flat_values, "strings.ngrams: data")
        splits = np.asarray(data.row_splits).tolist()
        rows = [_grams(flat[a:b], *options) for a, b in zip(splits[:-1], splits[1:])]
        from .ragged import RaggedTensor  # noqa: PLC0415
        return RaggedTensor.from_row_lengths(_strings([g for r in rows for g in r]).view(Tensor),
                                             np.array([len(r) for r in rows], np.int64))
    from .strings import _raw  # noqa: PLC0415
    flat, shape = _raw(data, "strings.ngrams: data")
    if len(shape) == 0:
        raise ValueError("strings.ngrams: data must have rank > 0 (a sequence of strings along its last axis), "
                         "got a scalar")
    length = shape[-1]
    rows = [_grams(flat[i:i + length], *options) for i in range(0, len(flat), length)] if length else \
        [[] for _ in range(int(np.prod(shape[:-1], dtype=np.int64)))]
    count = len(rows[0]) if rows else 0         # (a dense input's rows have one length: one count)
    out = _strings([g for r in rows for g in r]).reshape(tuple(shape[:-1]) + (count,)).view(Tensor)
    known = getattr(data, "_sized_by_data", ())          # in a map, TensorFlow's count is unknown (None)
    return sized_by_data(out, known if known == (...,) else sorted(set(known) | {out.ndim - 1}))
