"""Weight constraints (``keras.constraints``): a function applied to a weight after each
optimizer step, ``w <- constraint(w)``, as Keras 3 does (in ``fit`` and in ``apply_gradients``).

Norms are taken along ``axis`` (0 by default: each unit's incoming weights of a Dense kernel,
``(inputs, units)``; for a Conv kernel ``(kh, kw, in, out)`` Keras suggests ``axis=[0, 1, 2]``):

    MaxNorm(m)            w * clip(|w|, 0, m) / (eps + |w|)
    MinMaxNorm(lo, hi, r) w * (r clip(|w|, lo, hi) + (1 - r) |w|) / (eps + |w|)
    UnitNorm()            w / (eps + |w|)
    NonNeg()              w * (w >= 0)

with ``|w| = sqrt(sum(w^2, axis))`` and ``eps = 1e-7`` (Keras's ``backend.epsilon()``).

>>> import numpy as np
>>> MaxNorm(2.0)(np.array([[3.0], [4.0]])).round(6).tolist()       # |w| = 5: scaled to 2
[[1.2], [1.6]]
"""
from __future__ import annotations

import numpy as np

from .registry import Family

EPSILON = 1e-7


def _norms(w, axis):
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


def _array(w):
    return np.asarray(getattr(w, "value", w))


class Constraint:
    """Base class: ``__call__(w)`` returns the constrained weight (same shape and dtype)."""

    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MaxNorm(Constraint):
    """Each norm along ``axis`` at most ``max_value`` (Srivastava et al.'s dropout paper)."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (EPSILON + norms))).astype(w.dtype)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Negative entries set to 0."""

    def __call__(self, w):
        w = _array(w)
        return np.where(w >= 0, w, np.zeros((), w.dtype))


class UnitNorm(Constraint):
    """Each norm along ``axis`` brought to 1."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _array(w)
        return (w / (EPSILON + _norms(w, self.axis))).astype(w.dtype)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Each norm along ``axis`` moved a share ``rate`` of the way into ``[min_value, max_value]``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return (w * (desired / (EPSILON + norms))).astype(w.dtype)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm   # TF-Keras 2's names

CLASSES = {"Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm,
           "MinMaxNorm": MinMaxNorm}
FAMILY = Family("constraint", "keras.constraints", CLASSES, aliases={"maxnorm": MaxNorm, "nonneg": NonNeg,
                                                                       "unitnorm": UnitNorm},
                base=Constraint, expected="None, a name, a config dict, a Constraint or a function of the weight")


def get(identifier):
    """Resolve None, a name (``"max_norm"``, ``"NonNeg"``), a Keras config dict, a Constraint,
    or a function of the weight (used as it is)."""
    if identifier is None:
        return None
    if callable(identifier) and not isinstance(identifier, type) and not isinstance(identifier, Constraint):
        return identifier
    return FAMILY.get(identifier)


def serialize(constraint) -> dict | None:
    """Keras's form (``{"module": "keras.constraints", "class_name": ..., "config": ...}``), or None."""
    return None if constraint is None else FAMILY.serialize(constraint)


def deserialize(config, custom_objects=None):
    """Build a constraint from its Keras config."""
    return FAMILY.deserialize(config, custom_objects)
