"""``tf.keras.layers.experimental`` (Keras 2): where TensorFlow 2.3 to 2.5 kept the
preprocessing layers (``experimental.preprocessing.Normalization``, ``Rescaling``, ...)
before they moved to ``keras.layers``. Each name under ``experimental.preprocessing`` is
the class ``keras.layers.<Name>`` (when glassnet has it), with a note naming that.

>>> import warnings, glassnet as tf
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     tf.keras.layers.experimental.preprocessing.Normalization is tf.keras.layers.Normalization
True
"""
from __future__ import annotations

import sys
import types

from .. import layers as _layers
from .legacy import note

__all__ = ["preprocessing"]

# Keras 2's tf.keras.layers.experimental.preprocessing (TensorFlow 2.3 to 2.5, kept to 2.15)
_PREPROCESSING = ("CategoryCrossing", "CategoryEncoding", "CenterCrop", "Discretization", "Hashing",
                  "IntegerLookup", "Normalization", "PreprocessingLayer", "RandomContrast", "RandomCrop",
                  "RandomFlip", "RandomHeight", "RandomRotation", "RandomTranslation", "RandomWidth",
                  "RandomZoom", "Rescaling", "Resizing", "StringLookup", "TextVectorization")


def _preprocessing_layer(name):
    if name not in _PREPROCESSING:
        raise AttributeError(f"module 'keras.layers.experimental.preprocessing' has no attribute {name!r}")
    cls = getattr(_layers, name, None)
    if cls is None:
        raise AttributeError(f"tf.keras.layers.experimental.preprocessing.{name}: glassnet has no {name} "
                             "layer yet")
    note(f"keras.layers.experimental.preprocessing.{name}",
         f"tf.keras.layers.experimental.preprocessing.{name} is Keras 2's; Keras 3 writes keras.layers.{name}")
    return cls


preprocessing = types.ModuleType(f"{__name__}.preprocessing", "tf.keras.layers.experimental.preprocessing "
                                 "(Keras 2): each name is keras.layers.<Name>, with a note.")
preprocessing.__getattr__ = _preprocessing_layer
preprocessing.__all__ = []
sys.modules[preprocessing.__name__] = preprocessing


def __getattr__(name):
    raise AttributeError(f"tf.keras.layers.experimental.{name}: glassnet has only "
                         "tf.keras.layers.experimental.preprocessing (Keras 2's preprocessing layers)")
