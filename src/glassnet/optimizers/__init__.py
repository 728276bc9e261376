"""Optimizers: ``build(variables)`` makes their state, ``update_step(param, grad, lr, slots)``
changes one weight array in place. Keras's defaults, update rules and state layout.

Order inside one :meth:`Optimizer.apply` (as Keras): clip the gradients (``clipnorm`` per
tensor, ``global_clipnorm``, or ``clipvalue``), then decoupled weight decay
``w -= w * wd * lr``, then the rule of the optimizer, then ``iterations += 1``.

Each rule below is the reference. ``glassnet.fast`` runs the same arithmetic, in the same
order, on all the weights of a network at once (one buffer) with scratch arrays instead
of temporaries; a test checks that both give the same weights bit for bit.

The seed's gradient descent ``w = w - alpha * dJ/dw`` is ``SGD(learning_rate=alpha)``:

>>> import numpy as np
>>> w = np.array([1.0, 2.0]); g = np.array([0.5, -0.5])
>>> SGD(learning_rate=0.1).update_step(w, g, 0.1, {}); w
array([0.95, 2.05])
"""
from __future__ import annotations

from ..registry import Family
from . import schedules
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .base import Optimizer
from .ftrl import Ftrl
from .lion import Lion
from .nadam import Nadam
from .rmsprop import RMSprop
from .sgd import SGD


CLASSES = {"SGD": SGD, "RMSprop": RMSprop, "Adam": Adam, "AdamW": AdamW, "Adagrad": Adagrad, "Adamax": Adamax,
           "Nadam": Nadam, "Ftrl": Ftrl, "Lion": Lion, "Adadelta": Adadelta, "Adafactor": Adafactor}
BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW, "adagrad": Adagrad, "adamax": Adamax,
           "nadam": Nadam, "ftrl": Ftrl, "lion": Lion, "adadelta": Adadelta, "adafactor": Adafactor}


FAMILY = Family("optimizer", "keras.optimizers", CLASSES, aliases=BY_NAME, snake=False, base=Optimizer,
                expected="a name, a config dict, an Optimizer or an Optimizer class")
_KERAS_ONLY = {"use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
               "gradient_accumulation_steps"}


def get(identifier) -> Optimizer:
    """Resolve a name (``"rmsprop"``, ``"adam"``, ``"ADAM"``, ``"sgd"``, ``"adamw"``), a config
    dict, or an instance (see :mod:`glassnet.registry`)."""
    return FAMILY.get(identifier)


def serialize(opt: Optimizer) -> dict:
    """Keras's form: ``{"module", "class_name", "config", "registered_name"}``."""
    return FAMILY.serialize(opt)


def deserialize(config: dict, custom_objects=None) -> Optimizer:
    """Build an optimizer from its Keras config (a schedule as its learning rate included):
    glassnet's own, one in ``custom_objects`` or a registered one; Keras-only keys are
    dropped."""
    def build(cls, kwargs):
        if isinstance(kwargs.get("learning_rate"), dict):
            kwargs["learning_rate"] = schedules.deserialize(kwargs["learning_rate"], custom_objects)
        allowed = cls().get_config().keys() | _KERAS_ONLY
        return cls(**{k: v for k, v in kwargs.items() if k in allowed})
    return FAMILY.deserialize(config, custom_objects, build=build)
