"""Keras's ``Model``: :class:`glassnet.models.Sequential`'s machinery, with Keras's two other
ways to make one.

- **Functional**, for a chain: ``Model(inputs=inputs, outputs=outputs)`` is the Sequential of
  the layers between them (``glassnet.functional``).
- **Subclassing**: ``class MyModel(Model)`` with layers set as attributes and a ``call`` of
  its own. Its weights are those layers' weights; ``model(x)`` runs ``call`` (passing
  ``training`` down to the layers it calls); a ``GradientTape`` loop trains it
  (``glassnet.tape``); and ``fit``, ``evaluate``, ``predict`` first run ``call`` once on two
  rows to take the chain of layers it makes as the model's stack.

A ``Model`` is saved as a Sequential (its file format).

>>> import numpy as np, glassnet
>>> class Two(glassnet.Model):
...     def __init__(self):
...         super().__init__()
...         self.hidden = glassnet.layers.Dense(3, activation="relu")
...         self.out = glassnet.layers.Dense(1)
...     def call(self, x):
...         return self.out(self.hidden(x))
>>> model = Two()
>>> model(np.ones((2, 4))).shape, len(model.trainable_variables)
((2, 1), 4)
"""
from __future__ import annotations

import numpy as np

from . import functional, training
from ..tf import tape
from ..layers import InputLayer, Layer
from .sequential import Sequential
from ..utils import unique_name


class Model(Sequential):
    """Keras's ``Model``: in glassnet, a linear stack like :class:`Sequential` (its file
    format is Sequential's). The functional form ``Model(inputs, outputs)`` works when the
    layers between them form one chain (``glassnet.functional``); a graph that branches or
    merges is refused with a message, since glassnet's backward pass goes layer after layer."""

    def __init__(self, layers=None, trainable=True, name=None, inputs=None, outputs=None, **kwargs):
        if isinstance(layers, InputLayer) and inputs is None:      # Keras's positional Model(inputs, outputs)
            layers, inputs, outputs, trainable = None, layers, trainable, True
        if kwargs or (inputs is None) != (outputs is None):
            raise TypeError("Model: give both inputs and outputs (Model(inputs=inputs, outputs=outputs)), or a "
                            "list of layers" + (f"; unexpected argument(s) {', '.join(sorted(kwargs))}" if kwargs else ""))
        if inputs is not None:
            first, chain = functional.chain(inputs, outputs)
            layers, name = [first, *chain], name or unique_name("functional")      # Keras's default name
        super().__init__(layers, trainable=trainable, name=name)

    # -- a subclass with its own call (Keras's subclassing API) ---------------------------------
    def __setattr__(self, name, value):
        """Layers and models set as attributes (or in a list or tuple of them) are the
        model's: their weights are its weights, as Keras tracks them."""
        if not name.startswith("_"):
            items = value if isinstance(value, (list, tuple)) else [value]
            tracked = self.__dict__.setdefault("_tracked", [])
            for item in items:
                if isinstance(item, (Layer, Sequential)) and not any(t is item for t in tracked):
                    tracked.append(item)
        super().__setattr__(name, value)

    def _units(self):
        """Whose weights are the model's: its stack, or, for a subclass whose ``call`` has not
        yet been run through fit, the layers set as its attributes."""
        if self._layers or type(self).call is Sequential.call:
            return self._layers
        return self.__dict__.get("_tracked", [])

    @property
    def weights(self):
        return [v for unit in self._units() for v in unit.weights]

    variables = weights

    @property
    def trainable_weights(self):
        return [v for unit in self._units() for v in unit.trainable_weights] if self.trainable else []

    trainable_variables = trainable_weights

    def _adopt_chain(self, x) -> None:
        """Before fit, evaluate or predict of a subclass with its own ``call``: run ``call``
        once on two rows, recording it, and take the layers it called, in order, as the
        model's stack (the same objects). Only a chain of layer calls can be: anything else
        is refused with the reason."""
        if self._layers or type(self).call is Sequential.call:
            return
        if training.is_batch_source(x):
            first = next(iter(x))
            x = first[0] if isinstance(first, (tuple, list)) else first
        sample = np.asarray(x)[:2]
        with tape.GradientTape() as recorder:
            out = self(sample)
        chain = recorder.calls_leading_to(out)
        if not chain or chain[0].given is not sample:
            raise TypeError(f"{type(self).__name__}: fit, evaluate and predict train a call() made of layer calls "
                            "alone, one after another (each on the previous one's output); this call() does "
                            "something else to the tensors. Train it with a GradientTape loop instead")
        for call in chain:
            self.add(call.unit)
        self.build((None,) + sample.shape[1:])

    def fit(self, x=None, y=None, *args, **kwargs):
        self._adopt_chain(x)
        return super().fit(x, y, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        self._adopt_chain(x)
        return super().evaluate(x, y, *args, **kwargs)

    def predict(self, x, *args, **kwargs):
        self._adopt_chain(x)
        return super().predict(x, *args, **kwargs)

    def train_on_batch(self, x, y=None, *args, **kwargs):
        self._adopt_chain(x)
        return super().train_on_batch(x, y, *args, **kwargs)
