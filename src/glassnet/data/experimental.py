"""``tf.data.experimental``: the CSV readers and the constants TensorFlow programs reach for
there (``AUTOTUNE``, the cardinality values and :func:`cardinality`).

>>> from glassnet.data import Dataset
>>> int(cardinality(Dataset.range(3))), int(cardinality(Dataset.range(3).repeat())) == INFINITE_CARDINALITY
(3, True)
"""
from __future__ import annotations

from .csv import CsvDataset
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from .make_csv import make_csv_dataset
from .tfrecord import DatasetWriter as TFRecordWriter

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "CsvDataset", "TFRecordWriter", "cardinality",
           "choose_from_datasets", "make_csv_dataset", "sample_from_datasets"]

sample_from_datasets = Dataset.sample_from_datasets      # TensorFlow 2's older spelling
choose_from_datasets = Dataset.choose_from_datasets


def cardinality(dataset) -> int:
    """``tf.data.experimental.cardinality``: ``dataset.cardinality()``."""
    return dataset.cardinality()
