"""``keras.utils.timeseries_dataset_from_array``: sliding windows over an array, batched.

Window ``i`` starts at row ``start_index + p_i`` and takes ``sequence_length`` rows
``sampling_rate`` apart; its target (when ``targets`` is given) is ``targets[start_index + p_i]``.
The starts are Keras 3.15's::

    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    num_seqs = min(num_seqs, len(targets))          # with targets
    p = 0, sequence_stride, 2 * sequence_stride, ... < num_seqs

``shuffle=True`` mixes them in two stages, as Keras: the starts are permuted by
``np.random.RandomState(seed).shuffle`` (exactly Keras's permutation), then pass through a
shuffle buffer of ``batch_size * 8`` (1024 without batching) seeded with the same seed;
that buffer draws from glassnet's generator, so the final order differs from TensorFlow's
(the windows of an epoch are the same). With ``seed=None`` a seed is drawn, as Keras, here
from glassnet's generator (``keras.utils.set_random_seed`` fixes it).

Memory stays bounded: only the starts (one integer per window) are kept; the windows of a
batch are gathered when the batch is made (``data[starts[:, None] + offsets]``), forward
only, so nothing here has a backward.

>>> import numpy as np
>>> ds = timeseries_dataset_from_array(np.arange(10), None, sequence_length=3, sequence_stride=2, batch_size=2)
>>> [b.tolist() for b in ds]
[[[0, 1, 2], [2, 3, 4]], [[4, 5, 6], [6, 7, 8]]]
"""
from __future__ import annotations

import numpy as np

from .dataset import Dataset
from .structure import TensorSpec

__all__ = ["timeseries_dataset_from_array"]

_WHAT = "timeseries_dataset_from_array"


def _integer(value, name, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{_WHAT}: `{name}` must be an integer. Received: {name}={value!r}")
    return int(value)


def _checked(n, sequence_length, sequence_stride, sampling_rate, start_index, end_index):
    """Keras's argument checks, with its messages (``start_index=0`` / ``end_index=0`` mean
    "not given", as there)."""
    if sequence_length < 1:
        raise ValueError(f"{_WHAT}: `sequence_length` must be 1 or greater. Received: "
                         f"sequence_length={sequence_length}")
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= n:
            raise ValueError(f"`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {n}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        if end_index >= n:
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: "
                             f"end_index={end_index}, for data of length {n}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
        if value >= n:
            raise ValueError(f"`{name}` must be lower than the length of the data. Received: "
                             f"{name}={value}, for data of length {n}")


def start_positions(n, n_targets, sequence_length, sequence_stride, sampling_rate, start_index, end_index,
                    shuffle, seed):
    """The windows' starts (relative to ``start_index``) in Keras's first-stage order."""
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if n_targets is not None:
        num_seqs = min(num_seqs, n_targets)
    starts = np.arange(0, num_seqs, sequence_stride, dtype=np.int32 if num_seqs < 2**31 - 1 else np.int64)
    if shuffle:
        np.random.RandomState(seed).shuffle(starts)
    return starts


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None):
    """A :class:`~glassnet.data.Dataset` of windows of ``data`` (batches of
    ``(batch, sequence_length, *data.shape[1:])``), with their targets when ``targets`` is
    not ``None``. See the module's text for the windows, order and shuffling."""
    array = np.asarray(data)
    if array.ndim == 0:
        raise ValueError(f"{_WHAT}: `data` must have at least one dimension (time first); got a scalar")
    labels = None if targets is None else np.asarray(targets)
    if labels is not None and labels.ndim == 0:
        raise ValueError(f"{_WHAT}: `targets` must have at least one dimension (time first); got a scalar")
    sequence_length = _integer(sequence_length, "sequence_length")
    sequence_stride = _integer(sequence_stride, "sequence_stride")
    sampling_rate = _integer(sampling_rate, "sampling_rate")
    start_index = _integer(start_index, "start_index", allow_none=True)
    end_index = _integer(end_index, "end_index", allow_none=True)
    batch_size = _integer(batch_size, "batch_size", allow_none=True)
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"{_WHAT}: `batch_size` must be 1 or greater, or None. Received: batch_size={batch_size}")
    n = len(array)
    _checked(n, sequence_length, sequence_stride, sampling_rate, start_index, end_index)
    start = start_index or 0
    end = n if end_index is None else end_index
    if shuffle and seed is None:
        from ..utils import rng  # noqa: PLC0415 (glassnet's generator: set_random_seed fixes it)
        seed = int(rng().integers(1_000_000))
    seed = _integer(seed, "seed", allow_none=True)
    starts = start_positions(n, None if labels is None else len(labels), sequence_length, sequence_stride,
                             sampling_rate, start, end, shuffle, seed)
    offsets = np.arange(sequence_length) * sampling_rate
    window = array[start:end]                       # a view: nothing copied
    target_rows = None if labels is None else labels[start:end]

    def gathered(p):                                # p: a start, or a batch of starts
        windows = window[np.asarray(p)[..., None] + offsets]
        return windows if target_rows is None else (windows, target_rows[p])

    row = TensorSpec((sequence_length, *array.shape[1:]), array.dtype)
    spec = row if labels is None else (row, TensorSpec(labels.shape[1:], labels.dtype))
    ds = Dataset(lambda: iter(starts), len(starts), TensorSpec((), starts.dtype))
    if shuffle:
        ds = ds.shuffle(batch_size * 8 if batch_size is not None else 1024, seed=seed)
    if batch_size is not None:
        ds = ds.batch(batch_size)
        spec = _batched(spec)
    return ds._then(lambda: (gathered(p) for p in ds._run()), ds._cardinality, spec)


def _batched(spec):
    if isinstance(spec, tuple):
        return tuple(_batched(s) for s in spec)
    return TensorSpec((None, *spec.shape), spec.dtype)
