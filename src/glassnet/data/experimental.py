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
           "assert_cardinality", "cardinality", "choose_from_datasets", "dense_to_ragged_batch", "load",
           "make_csv_dataset",
           "sample_from_datasets", "save"]

sample_from_datasets = Dataset.sample_from_datasets      # TensorFlow 2's older spellings
choose_from_datasets = Dataset.choose_from_datasets
load = Dataset.load


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
