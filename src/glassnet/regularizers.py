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


def get(identifier):
    """Resolve ``None``, a name (``"l2"``), a Keras config dict, or an instance."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in BY_NAME:
            from ._suggest import did_you_mean
            raise ValueError(f"Unknown regularizer {identifier!r}.{did_you_mean(key, BY_NAME)}")
        return BY_NAME[key]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier) and hasattr(identifier, "gradient"):
        return identifier
    raise TypeError(
        "regularizer must be None, a name, or an object with __call__(w) and gradient(w); "
        f"got {type(identifier).__name__}"
    )


def serialize(reg) -> dict | None:
    if reg is None:
        return None
    return {"module": "keras.regularizers", "class_name": type(reg).__name__,
            "config": reg.get_config(), "registered_name": None}


def deserialize(config: dict):
    name = config.get("class_name")
    if name not in CLASSES:
        raise ValueError(f"Unknown regularizer class {name!r}")
    kwargs = config.get("config") or {}
    if not isinstance(kwargs, dict):
        raise ValueError(f"regularizer config for {name} must be a dict")
    return CLASSES[name](**kwargs)
