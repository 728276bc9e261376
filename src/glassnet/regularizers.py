"""Weight penalties added to the loss, each with its gradient.

Keras adds ``l1 * sum|w|`` and ``l2 * sum w^2`` (no 1/2, not divided by the batch size)
to the loss, so the reported ``loss`` includes them.

>>> import numpy as np
>>> from glassnet.regularizers import L2
>>> r = L2(0.1)
>>> float(r(np.array([1.0, 2.0])))          # 0.1 * (1 + 4)
0.5
>>> r.gradient(np.array([1.0, 2.0]))        # 2 * 0.1 * w
array([0.2, 0.4])
"""
from __future__ import annotations

import numpy as np

from .registry import Family


class Regularizer:
    """Base class: ``__call__(w)`` is the penalty, ``gradient(w)`` its derivative."""

    def __call__(self, w):
        raise NotImplementedError

    def gradient(self, w):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}


class L1L2(Regularizer):
    """``l1 * sum|w| + l2 * sum w^2``; gradient ``l1 * sign(w) + 2 l2 w``."""

    def __init__(self, l1=0.0, l2=0.0):
        for name, v in (("l1", l1), ("l2", l2)):
            if not np.isfinite(v) or v < 0:
                raise ValueError(f"{type(self).__name__}: {name} must be a finite number >= 0, got {v!r}")
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, w):
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * np.sum(np.abs(w))
        if self.l2:
            penalty += self.l2 * np.sum(np.square(w))
        return penalty

    def gradient(self, w):
        g = np.zeros_like(w)
        if self.l1:
            g += self.l1 * np.sign(w)       # d|w|/dw = sign(w), 0 at 0 as TF's abs gradient
        if self.l2:
            g += (2.0 * self.l2) * w
        return g

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum|w|`` (default l1=0.01)."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum w^2`` (default l2=0.01)."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


def l1_l2(l1=0.01, l2=0.01):
    """Keras's helper: ``L1L2(l1, l2)`` with both defaults 0.01."""
    return L1L2(l1=l1, l2=l2)


l1, l2 = L1, L2          # Keras's lowercase names: kernel_regularizer=tf.keras.regularizers.l2(0.001)

CLASSES = {"L1L2": L1L2, "L1": L1, "L2": L2}
BY_NAME = {"l1": L1, "l2": L2, "l1_l2": l1_l2, "l1l2": L1L2}


FAMILY = Family("regularizer", "keras.regularizers", CLASSES, aliases=BY_NAME, base=Regularizer,
                make=lambda found: found(),          # l1_l2 is a function that makes an L1L2
                expected="None, a name, a config dict, or an object with __call__(w) and gradient(w)")


def get(identifier):
    """Resolve ``None``, a name (``"l2"``, ``"L2"``), a Keras config dict, or an instance
    (see :mod:`glassnet.registry`)."""
    if identifier is None:
        return None
    if callable(identifier) and hasattr(identifier, "gradient") and not isinstance(identifier, type):
        return identifier
    return FAMILY.get(identifier)


def serialize(reg) -> dict | None:
    """Keras's form, or None for no regularizer."""
    return None if reg is None else FAMILY.serialize(reg)


def deserialize(config: dict, custom_objects=None):
    """Build a regularizer from its Keras config: glassnet's own, one in ``custom_objects``
    or a registered one; anything else is refused."""
    return FAMILY.deserialize(config, custom_objects)
