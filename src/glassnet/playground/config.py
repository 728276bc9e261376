"""The page's settings, checked one by one: every field has a default, a type and a range,
and a bad value is refused with a message that names the field.

>>> cfg = check_config({"layers": [8, 8], "learning_rate": "0.1"}, DEFAULTS)
>>> cfg["layers"], cfg["learning_rate"], cfg["dataset"]
([8, 8], 0.1, 'circle')
>>> check_config({"layers": [9]}, DEFAULTS)
Traceback (most recent call last):
...
ValueError: layers: each hidden layer has 1 to 8 units, got 9 at position 0
"""
from __future__ import annotations

import math

from .data import FEATURES, GENERATORS

__all__ = ["DEFAULTS", "check_config", "DATASETS", "OPTIMIZERS", "LOSSES", "ACTIVATIONS", "NETWORKS"]

DATASETS = list(GENERATORS) + ["digits2", "digits10", "csv"]
OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD with momentum 0.9", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW"}
LOSSES = {"binary_crossentropy": "binary cross-entropy", "categorical_crossentropy": "categorical cross-entropy",
          "mean_squared_error": "mean squared error", "huber": "Huber"}
ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"]
MAX_LAYERS, MAX_UNITS = 6, 8

DEFAULTS = {
    "dataset": "circle", "noise": 0, "ratio": 50, "batch_size": 10, "n_points": 500,
    "features": ["x1", "x2"], "layers": [4, 2], "activation": "tanh", "learning_rate": 0.03,
    "regularization": "none", "reg_rate": 0.0, "problem": "classification",
    "optimizer": "adam", "loss": "auto", "map_x": 0, "map_y": 1, "target": "", "seed": 0,
    "network": "dense", "digit": 0,
}
NETWORKS = {"dense": "the hidden Dense layers of the page", "convnet": "Conv2D(8, 3) -> MaxPooling2D(2) -> Flatten -> Dense"}


def _number(name, value, lo, hi, kind=float):
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a number, got {value!r}")
    try:
        v = kind(value) if kind is float else int(str(value), 10)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected {'a whole number' if kind is int else 'a number'}, got {value!r}") from None
    if not (math.isfinite(v) and lo <= v <= hi):
        raise ValueError(f"{name}: must be from {lo:g} to {hi:g}, got {value!r}")
    return v


def _choice(name, value, options):
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(map(str, options))}")
    return value


def check_config(changes: dict, current: dict) -> dict:
    """``current`` updated with ``changes``, each checked; raises ValueError naming the field."""
    if not isinstance(changes, dict):
        raise ValueError("config: expected a JSON object of settings")
    unknown = sorted(set(changes) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"config: unknown setting {unknown[0]!r}; the settings are {', '.join(DEFAULTS)}")
    cfg = dict(current)
    for key, value in changes.items():
        if key == "dataset":
            cfg[key] = _choice(key, value, DATASETS)
        elif key == "noise":
            cfg[key] = _number(key, value, 0, 50)
        elif key == "ratio":
            cfg[key] = _number(key, value, 10, 90)
        elif key == "batch_size":
            cfg[key] = _number(key, value, 1, 2000, int)
        elif key == "n_points":
            cfg[key] = _number(key, value, 20, 5000, int)
        elif key == "features":
            if not isinstance(value, list) or not value:
                raise ValueError("features: give a non-empty list of input features")
            for i, f in enumerate(value):
                if not isinstance(f, str) or f not in FEATURES:
                    raise ValueError(f"features: {f!r} at position {i} is not one of {', '.join(FEATURES)}")
            cfg[key] = [f for f in FEATURES if f in value]
        elif key == "layers":
            if not isinstance(value, list) or len(value) > MAX_LAYERS:
                raise ValueError(f"layers: give a list of at most {MAX_LAYERS} unit counts")
            for i, u in enumerate(value):
                if isinstance(u, bool) or not isinstance(u, int) or not 1 <= u <= MAX_UNITS:
                    raise ValueError(f"layers: each hidden layer has 1 to {MAX_UNITS} units, got {u!r} at position {i}")
            cfg[key] = list(value)
        elif key == "activation":
            cfg[key] = _choice(key, value, ACTIVATIONS)
        elif key == "learning_rate":
            cfg[key] = _number(key, value, 1e-6, 10)
        elif key == "regularization":
            cfg[key] = _choice(key, value, ["none", "L1", "L2"])
        elif key == "reg_rate":
            cfg[key] = _number(key, value, 0, 10)
        elif key == "problem":
            cfg[key] = _choice(key, value, ["classification", "regression"])
        elif key == "optimizer":
            cfg[key] = _choice(key, value, list(OPTIMIZERS))
        elif key == "loss":
            cfg[key] = _choice(key, value, ["auto"] + list(LOSSES))
        elif key in ("map_x", "map_y"):
            cfg[key] = _number(key, value, 0, 10_000, int)
        elif key == "target":
            if not isinstance(value, str):
                raise ValueError(f"target: expected a column name, got {value!r}")
            cfg[key] = value
        elif key == "seed":
            cfg[key] = _number(key, value, 0, 2**31 - 1, int)
        elif key == "network":
            cfg[key] = _choice(key, value, list(NETWORKS))
        elif key == "digit":                        # the test digit whose feature maps are drawn
            cfg[key] = _number(key, value, 0, 100_000, int)
    return cfg
