"""``tf.keras.optimizers.legacy`` (TensorFlow 2.11 to 2.15, Keras 2): the optimizers of before
Keras's rewrite, kept there for old programs; and ``tf.keras.optimizers.experimental``
(TensorFlow 2.9 and 2.10), where the rewritten ones (``AdamW`` among them) first appeared.
glassnet has one set of optimizers: each name here is the same class as
``keras.optimizers.<Name>`` (Keras 2's ``lr=`` and ``decay=`` included), with a note naming
it. The update rules agree with Keras 2's legacy ones, up to Adagrad's epsilon, which Keras 3
(and glassnet) puts inside the square root.

>>> import warnings, glassnet as tf
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     tf.keras.optimizers.legacy.Adam is tf.keras.optimizers.Adam
True
"""
from __future__ import annotations

import sys
import types

from .. import optimizers as _optimizers
from .legacy import note

# Keras 2's tf.keras.optimizers.legacy: Adadelta, Adagrad, Adam, Adamax, Ftrl, Nadam, Optimizer,
# RMSprop, SGD
_KERAS2 = ("Adadelta", "Adagrad", "Adam", "Adamax", "Ftrl", "Nadam", "Optimizer", "RMSprop", "SGD")

__all__: list[str] = []        # the names come through __getattr__, each with its note


def _optimizer(path, names, name):
    if name in names:
        cls = _optimizers.Optimizer if name == "Optimizer" else _optimizers.CLASSES.get(name)
        if cls is None:
            raise AttributeError(f"tf.keras.optimizers.{path}.{name}: glassnet has no {name} optimizer; "
                                 f"it has {', '.join(sorted(_optimizers.CLASSES))}")
        note(f"keras.optimizers.{path}.{name}", f"tf.keras.optimizers.{path}.{name} is Keras 2's; Keras 3 "
             f"writes keras.optimizers.{name} (the same class in glassnet)")
        return cls
    raise AttributeError(f"module 'keras.optimizers.{path}' has no attribute {name!r}")


def __getattr__(name):
    return _optimizer("legacy", _KERAS2, name)


# Keras 2.9/2.10's tf.keras.optimizers.experimental: the rewritten optimizers before 2.11 made them the default
_EXPERIMENTAL = ("Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Nadam", "Optimizer",
                 "RMSprop", "SGD")
experimental = types.ModuleType(f"{__name__}.experimental", "tf.keras.optimizers.experimental (Keras 2.9, "
                                "2.10): each name is keras.optimizers.<Name>, with a note.")
experimental.__getattr__ = lambda name: _optimizer("experimental", _EXPERIMENTAL, name)
experimental.__all__ = []
sys.modules[experimental.__name__] = experimental
