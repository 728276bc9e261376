"""The variants of a sweep: a grid (every combination) or a list, each checked against the
builder; and a model used as a template (its lambda, learning rate, units, dropout varied).

>>> [v.values for v in expand({"lambda": [0.0, 0.1], "learning_rate": [0.01]})]
[{'lambda': 0.0, 'learning_rate': 0.01}, {'lambda': 0.1, 'learning_rate': 0.01}]
"""
from __future__ import annotations

import inspect
import itertools
from dataclasses import dataclass, field

import numpy as np

# Values the sweep itself uses; passed to the builder too when it names them.
RESERVED = ("seed", "epochs", "batch_size")


@dataclass
class Variant:
    """One point of the sweep: its values (as given), where it sits in the table, and the
    seed, epochs and batch size it trains with."""

    index: int
    values: dict
    seed: int = 0
    epochs: int = 1
    batch_size: int = 32
    build_args: dict = field(default_factory=dict)


def expand(grid) -> list[Variant]:
    """A dict of lists (every combination, the first key varying slowest) or a list of dicts;
    an empty grid, an empty list of values or a variant that is not a dict is refused."""
    if isinstance(grid, dict):
        if not grid:
            raise ValueError("sweep: grid is empty: give the values to vary, e.g. {'lambda': [0.0, 0.01, 0.1]}")
        keys = list(grid)
        lists = []
        for key in keys:
            if not isinstance(key, str):
                raise ValueError(f"sweep: grid key {key!r} is not a name (a string)")
            values = grid[key]
            if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
                raise ValueError(f"sweep: grid[{key!r}] must be a list of values, got {values!r}")
            values = list(values)
            if not values:
                raise ValueError(f"sweep: grid[{key!r}] is an empty list: give at least one value")
            lists.append([v.item() if isinstance(v, np.generic) else v for v in values])
        combos = [dict(zip(keys, c)) for c in itertools.product(*lists)]
    elif isinstance(grid, (list, tuple)):
        if not grid:
            raise ValueError("sweep: the list of variants is empty: give at least one dict of values")
        for i, item in enumerate(grid):
            if not isinstance(item, dict):
                raise ValueError(f"sweep: variant {i} must be a dict of values, got {type(item).__name__}")
        combos = [dict(item) for item in grid]
    else:
        raise ValueError(f"sweep: grid must be a dict of lists or a list of dicts, got {type(grid).__name__}")
    return [Variant(i, values) for i, values in enumerate(combos)]


def settle(variants, build, *, seed, epochs, batch_size) -> None:
    """Each variant's seed, epochs and batch size (its own values, else the sweep's) and the
    arguments its builder gets; a name the builder does not take is refused, naming it."""
    params, takes_any = _parameters(build)
    for v in variants:
        for key in v.values:
            if key not in RESERVED and not takes_any and key not in params:
                raise ValueError(f"sweep: variant {v.index} has {key!r}, which the builder does not take "
                                 f"(its arguments: {', '.join(params) or 'none'})")
        v.seed = _whole(v.values.get("seed", seed), "seed", v.index, 0)
        v.epochs = _whole(v.values.get("epochs", epochs), "epochs", v.index, 0)
        v.batch_size = _whole(v.values.get("batch_size", batch_size), "batch_size", v.index, 1)
        v.build_args = {k: value for k, value in v.values.items()
                        if k not in RESERVED or takes_any or k in params}


def _whole(value, name, index, least):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"sweep: variant {index}: {name} must be an integer >= {least}, got {value!r}")
    return int(value)


def _parameters(build):
    if isinstance(build, Template):
        return list(Template.NAMES), False
    try:
        sig = inspect.signature(build)
    except (TypeError, ValueError):
        return [], True
    names = [p.name for p in sig.parameters.values()
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return names, any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())


class Template:
    """A compiled Sequential model as the builder: each variant is a fresh copy of its layers
    (from their configs) with ``lambda`` (an L2 penalty on every kernel), ``learning_rate``,
    ``units`` (the hidden Dense widths, a tuple) or ``dropout`` (every Dropout's rate) set,
    compiled with the model's loss, metrics and optimizer (same settings, the new rate)."""

    NAMES = ("lambda", "learning_rate", "units", "dropout")

    def __init__(self, model):
        from ..engine.sequential import Sequential  # noqa: PLC0415
        from .. import losses, optimizers  # noqa: PLC0415
        if not isinstance(model, Sequential) or getattr(model, "loss", None) is None:
            raise ValueError("sweep: a model given in place of a builder must be a compiled Sequential model")
        self.layers = [(type(layer), layer.get_config()) for layer in model.step_units()]
        self.input_shape = getattr(model, "_input_shape", None)
        self.loss = losses.serialize(model.loss)
        self.optimizer = optimizers.serialize(model.optimizer)
        self.metrics = list(getattr(model, "_metric_specs", []) or [])

    def __call__(self, **values):
        from .. import layers as layer_module, losses, optimizers, regularizers  # noqa: PLC0415
        from ..engine.sequential import Sequential  # noqa: PLC0415
        dense = [i for i, (kind, _) in enumerate(self.layers) if kind is layer_module.Dense]
        units = values.get("units")
        if units is not None:
            units = (units,) if isinstance(units, (int, np.integer)) else tuple(units)
            if len(units) != len(dense) - 1:
                raise ValueError(f"units={units!r}: the model has {len(dense) - 1} hidden Dense layers")
        stack = [] if self.input_shape is None else [layer_module.Input(shape=tuple(self.input_shape)[1:])]
        for i, (kind, config) in enumerate(self.layers):
            config = {k: v for k, v in config.items() if k != "name"}
            if kind is layer_module.Dense:
                if "lambda" in values:
                    config["kernel_regularizer"] = regularizers.L2(float(values["lambda"]))
                if units is not None and i != dense[-1]:
                    config["units"] = int(units[dense.index(i)])
            if kind is layer_module.Dropout and "dropout" in values:
                config["rate"] = float(values["dropout"])
            stack.append(kind.from_config(config))
        model = Sequential(stack)
        opt = optimizers.deserialize(self.optimizer)
        if "learning_rate" in values:
            opt.learning_rate = float(values["learning_rate"])
        model.compile(optimizer=opt, loss=losses.deserialize(self.loss), metrics=list(self.metrics))
        return model
