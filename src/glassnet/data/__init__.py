"""``glassnet.data``: the part of ``tf.data`` that beginner programs use (``Dataset`` and its
constants), in ``dataset.py``; file readers sit beside it as they are added.
"""
from . import experimental
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset, Options
from .text_line import TextLineDataset
from .tfrecord import TFRecordDataset

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "Options", "TFRecordDataset",
           "TextLineDataset", "experimental"]
