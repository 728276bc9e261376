"""``Sequential``: a stack of layers you build, compile, fit, evaluate and predict with.
Everything but ``add`` and ``pop`` is :class:`glassnet.engine.model.Model`'s.

>>> import numpy as np, glassnet
>>> from glassnet.keras import Sequential
>>> from glassnet.keras.layers import Dense
>>> model = Sequential([Dense(units=25, activation="sigmoid"),
...                     Dense(units=15, activation="sigmoid"),
...                     Dense(units=1, activation="sigmoid")])
>>> model.compile(loss=glassnet.losses.BinaryCrossentropy())
>>> X = np.random.rand(8, 4); Y = np.array([0, 1] * 4)
>>> history = model.fit(X, Y, epochs=2, verbose=0)
>>> sorted(history.history)
['loss']
"""
from __future__ import annotations

from ..layers import Layer
from ..utils import unique_name
from .model import Model


class Sequential(Model):
    """A linear stack of layers (Keras's ``Sequential``)."""

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(layers, trainable=trainable, name=unique_name("sequential") if name is None else name)

    def add(self, layer) -> None:
        """Append a layer; an ``Input`` (only first) fixes the input shape and builds at once."""
        self._append(layer)

    def pop(self) -> Layer:
        if not self._layers:
            raise ValueError("Sequential.pop: the model has no layers")
        layer = self._layers.pop()
        self.built = False
        self._decide_shortcut()
        if self._layers and self._input_shape is not None:
            self.build(self._input_shape)
        return layer
