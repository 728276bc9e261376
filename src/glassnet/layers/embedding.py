"""Embedding: each integer id picks one row of a table of learned vectors (Keras's
``keras.layers.Embedding``), the first layer of a text model::

    forward:   Y[n, t] = E[X[n, t]]                      (a gather: one row of E per id)
    backward:  dE[i] = sum of dY[n, t] over every (n, t) with X[n, t] == i
               (a scatter-add: an id used twice in a batch gets both gradients);
               the ids themselves have no gradient

``E`` is ``(input_dim, output_dim)``, drawn uniform in [-0.05, 0.05] (Keras's default).
``dE`` is dense: with SGD the numbers are Keras's; with TensorFlow's backend Keras passes the
gradient as IndexedSlices and its Adam and RMSprop then update their state only on the rows
in the batch, so theirs differ from glassnet's (and from Keras's on its other backends).

``mask_zero=True``: id 0 is padding. The model hands the mask ``X != 0`` on to the layers
after it (``compute_mask``): Dense, Dropout and Activation pass it on, the RNNs and
Bidirectional carry their state over padded steps, GlobalAveragePooling1D averages only the
kept steps; any other layer drops it. The loss does not use it (Keras does when the model's
output is itself masked, a sequence per step).

>>> import numpy as np, glassnet
>>> layer = glassnet.layers.Embedding(input_dim=4, output_dim=2, embeddings_initializer="ones")
>>> layer(np.array([[0, 3, 3]])).shape
TensorShape([1, 3, 2])
"""
from __future__ import annotations

import numpy as np

from .. import constraints, initializers, regularizers
from .base import Layer


class Embedding(Layer):
    """``Embedding(input_dim, output_dim)``: ids in ``0..input_dim-1`` to vectors of ``output_dim``."""

    differentiable_input = False                # ids are chosen, not computed: they have no gradient

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, activity_regularizer=None,
                 **kwargs):
        super().__init__(**kwargs)
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(f"Embedding: {name} must be a positive integer, got {value!r}")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)    # w <- c(w) after each step
        self.activity_regularizer = regularizers.get(activity_regularizer)     # its penalty of Y joins the loss
        self.mask_zero = bool(mask_zero)           # id 0 is padding: the layers after it skip those steps
        if input_length is not None and self.declared_input_shape is None:    # Keras 2's argument
            self.declared_input_shape = (int(input_length),) if np.ndim(input_length) == 0 else tuple(input_length)

    def build(self, input_shape):
        self.embeddings = self.add_weight((self.input_dim, self.output_dim), self.embeddings_initializer,
                                          "embeddings", regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def count_params_for(self, input_shape) -> int:
        return self.input_dim * self.output_dim

    def needs_flat_samples(self):
        return False                        # its samples are sequences of ids

    # -- the two halves: a gather, and a scatter-add ------------------------------------------
    @property
    def makes_mask(self):
        return self.mask_zero

    @property
    def supports_masking(self):
        """As Keras's: True with ``mask_zero`` (its output carries the padding mask)."""
        return self.__dict__.get("_supports_masking", self.mask_zero)

    @supports_masking.setter
    def supports_masking(self, value):
        self._supports_masking = bool(value)

    def compute_mask(self, inputs, mask=None):
        """``mask_zero=True``: True where the id is not 0 (padding), ``(batch, steps)``."""
        return np.asarray(inputs) != 0 if self.mask_zero else None

    def forward(self, x, training=False):
        ids = np.asarray(x)
        if ids.dtype.kind == "f":
            if not np.all(np.isfinite(ids)) or np.any(ids != np.round(ids)):
                bad = tuple(int(i) for i in np.argwhere(~np.isfinite(ids) | (ids != np.round(ids)))[0])
                raise ValueError(f"Embedding {self.name!r}: ids must be whole numbers; input{list(bad)} is {ids[bad]!r}")
        ids = ids.astype(np.int64)
        out_of_range = (ids < 0) | (ids >= self.input_dim)
        if out_of_range.any():
            bad = tuple(int(i) for i in np.argwhere(out_of_range)[0])
            raise ValueError(f"Embedding {self.name!r}: ids run from 0 to {self.input_dim - 1} (input_dim="
                             f"{self.input_dim}); input{list(bad)} is {int(ids[bad])}")
        self.ids = ids
        out = self.embeddings.value[ids]                              # Y = E[X]
        self._add_activity_penalty(out)               # activity_regularizer: r(Y) / batch joins the loss
        return out

    def call_ops(self, x, training=False):
        """``E[X]`` as a recorded read of the table (nested tapes); the ids checked as forward."""
        self.forward(np.asarray(x))                                   # the checks, and self.ids
        return self.embeddings[self.ids]

    def backward(self, grad, need_input_grad=True):
        if self.activity_regularizer is not None:
            grad = grad + self._activity_gradient()                   # dY += r'(Y) / batch
        d = np.zeros_like(self.embeddings.value)
        np.add.at(d, self.ids.reshape(-1), grad.reshape(-1, self.output_dim))   # dE[i] += dY where X == i
        self.embeddings.grad = d
        return np.zeros(self.ids.shape, grad.dtype) if need_input_grad else None   # ids have no gradient

    def to_onnx(self, g, x):
        table = g.initializer("embeddings", self.embeddings.value)
        return g.node("Gather", [table, g.node("Cast", [x], to=7)], axis=0)         # 7: int64

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer)
                if self.embeddings_regularizer is not None else None,
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint), "mask_zero": self.mask_zero}
