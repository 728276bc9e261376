"""``tf.data.experimental``: the CSV readers and the constants TensorFlow programs reach for
there (``AUTOTUNE``, the cardinality values and :func:`cardinality`).

>>> from glassnet.data import Dataset
>>> int(cardinality(Dataset.range(3))), int(cardinality(Dataset.range(3).repeat())) == INFINITE_CARDINALITY
(3, True)
"""
from __future__ import annotations

import numpy as np

from .csv import CsvDataset
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from .make_csv import make_csv_dataset
from ..tf.errors import FailedPreconditionError
from .tfrecord import DatasetWriter as TFRecordWriter

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "AutoShardPolicy", "Counter", "CsvDataset", "TFRecordWriter",
           "assert_cardinality", "cardinality", "choose_from_datasets", "dense_to_ragged_batch", "from_list", "ignore_errors", "load",
           "make_csv_dataset",
           "sample_from_datasets", "save"]

sample_from_datasets = Dataset.sample_from_datasets      # TensorFlow 2's older spellings
choose_from_datasets = Dataset.choose_from_datasets
load = Dataset.load


def from_list(elements, name=None):
    """``tf.data.experimental.from_list``: the items of the list ``elements``, one by one. An item
    may be a tuple or dict of parts (a Python list in it is one tensor, as from_tensor_slices reads
    it); every item has the first one's structure, dtypes and ranks, and a length that differs
    between items is None in the element_spec (the image-captioning tutorial's (path, captions)).

    >>> ds = from_list([("a.jpg", ["a dog", "a cat"]), ("b.jpg", ["a bird"])])
    >>> ds.element_spec
    (TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(None,), dtype=tf.string, name=None))
    """
    from .structure import TensorSpec, as_input, leaves, structure  # noqa: PLC0415

    if not isinstance(elements, (list, tuple)) or not len(elements):
        raise ValueError(f"from_list: elements must be a non-empty list, got {type(elements).__name__} "
                         f"{elements!r:.60}")
    items = [as_input(e, f"from_list: elements[{i}]") for i, e in enumerate(elements)]
    first = leaves(items[0])
    shapes = [list(np.shape(a)) for a in first]
    for i, item in enumerate(items[1:], 1):
        parts = leaves(item)
        same = len(parts) == len(first) and structure(lambda a: 0, item) == structure(lambda a: 0, items[0])
        if not same or any(np.asarray(a).dtype != np.asarray(b).dtype or np.ndim(a) != np.ndim(b)
                           for a, b in zip(parts, first)):
            raise ValueError(f"from_list: elements[{i}] does not match elements[0]: every element needs the same "
                             f"structure, dtypes and ranks")
        for shape, a in zip(shapes, parts):
            shape[:] = [d if d == e else None for d, e in zip(shape, np.shape(a))]
    specs = iter([TensorSpec(tuple(shape), np.asarray(a).dtype) for shape, a in zip(shapes, first)])
    out = Dataset(lambda: iter(items), len(items), structure(lambda a: next(specs), items[0]))
    out._kind = "_ListDataset"
    return out


def ignore_errors(log_warning=False):
    """A transformation (``dataset.apply(tf.data.experimental.ignore_errors())``, TensorFlow 2's
    older spelling): ``dataset.ignore_errors(log_warning)``."""
    return lambda dataset: dataset.ignore_errors(log_warning)


def save(dataset, path, compression=None, shard_func=None, checkpoint_args=None):
    """``tf.data.experimental.save(dataset, path)``: ``dataset.save(path)``."""
    dataset.save(path, compression, shard_func, checkpoint_args)


class AutoShardPolicy:
    """How a distributed input pipeline would be split (kept in ``Options``; one machine here)."""
    OFF, AUTO, FILE, DATA, HINT = -1, 0, 1, 2, 3


def assert_cardinality(expected_cardinality):
    """A transformation (``dataset.apply(...)``): the same elements, the cardinality said to
    be ``expected_cardinality``, and an error when the pass finds another count."""
    expected = int(expected_cardinality)

    def apply(dataset):
        def run():
            seen = 0
            for element in dataset._run():
                seen += 1
                if expected >= 0 and seen > expected:
                    raise FailedPreconditionError(None, None, f"Input dataset was expected to contain {expected} "
                                                              f"elements but contained at least {seen} elements.")
                yield element
            if expected >= 0 and seen < expected:
                raise FailedPreconditionError(None, None, f"Input dataset was expected to contain {expected} "
                                                          f"elements but contained only {seen} elements.")
        out = dataset._then(run, expected, dataset._spec)
        out._kind = "_AssertCardinalityDataset"
        return out
    return apply


def dense_to_ragged_batch(batch_size, drop_remainder=False, row_splits_dtype=np.int64):
    """A transformation (``dataset.apply(...)``): ``dataset.ragged_batch(batch_size, drop_remainder)``,
    TensorFlow's older spelling (the ragged tensor guide uses it)."""
    return lambda dataset: dataset.ragged_batch(batch_size, drop_remainder, row_splits_dtype)


def Counter(start=0, step=1, dtype=np.int64, name=None):     # noqa: N802 - TensorFlow's name
    """``tf.data.experimental.Counter``: ``start``, ``start + step``, ... without end (scalars of ``dtype``)."""
    import itertools  # noqa: PLC0415
    from .structure import TensorSpec  # noqa: PLC0415
    dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    counter = Dataset(lambda: (np.array(i, dtype) for i in itertools.count(start, step)), INFINITE_CARDINALITY,
                      TensorSpec((), dtype))
    counter._kind = "_ScanDataset"          # TensorFlow makes it with scan
    return counter


def cardinality(dataset) -> int:
    """``tf.data.experimental.cardinality``: ``dataset.cardinality()``."""
    return dataset.cardinality()
