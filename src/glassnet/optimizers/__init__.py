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

from . import schedules
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .base import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD


CLASSES = {"SGD": SGD, "RMSprop": RMSprop, "Adam": Adam, "AdamW": AdamW, "Adagrad": Adagrad, "Adamax": Adamax}
BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW, "adagrad": Adagrad, "adamax": Adamax}


def get(identifier) -> Optimizer:
    """Resolve a name (``"rmsprop"``, ``"adam"``, ``"sgd"``, ``"adamw"``), config dict, or instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = BY_NAME.get(identifier.lower())
        if cls is None:
            from .._suggest import did_you_mean
            raise ValueError(
                f"Unknown optimizer {identifier!r}.{did_you_mean(identifier, BY_NAME)} "
                f"Known: {', '.join(sorted(BY_NAME))}."
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(f"optimizer must be a string or an Optimizer, got {type(identifier).__name__}")


def serialize(opt: Optimizer) -> dict:
    return {"module": "keras.optimizers", "class_name": type(opt).__name__,
            "config": opt.get_config(), "registered_name": None}


def deserialize(config: dict) -> Optimizer:
    name = config.get("class_name")
    if name not in CLASSES:
        raise ValueError(f"Unknown optimizer class {name!r}")
    kwargs = dict(config.get("config") or {})
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = schedules.deserialize(kwargs["learning_rate"])
    allowed = CLASSES[name]().get_config().keys() | {"use_ema", "ema_momentum", "ema_overwrite_frequency",
                                                       "loss_scale_factor", "gradient_accumulation_steps"}
    kwargs = {k: v for k, v in kwargs.items() if k in allowed}
    return CLASSES[name](**kwargs)
