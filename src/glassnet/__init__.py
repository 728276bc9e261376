"""glassnet: neural-network training with the Keras API, on NumPy, where backpropagation
is code you can read.

>>> import glassnet
>>> from glassnet.keras import Sequential
>>> from glassnet.keras.layers import Dense
"""
from . import activations, callbacks, config, initializers, layers, losses, metrics, optimizers, regularizers, utils
from . import keras, models, random
from .layers import Input
from .models import Model, Sequential

# Loaded on first use, so that `import glassnet` stays light (see bench/: import time).
_LAZY = {"datasets": ("datasets", None), "linear": ("linear", None), "inspect": ("inspect", None),
         "plot": ("plot", None), "saving": ("saving", None), "explain": ("explanation", "explain"),
         "gradients": ("inspect", "gradients"), "gradcheck": ("inspect", "gradcheck"),
         "playground": ("playground", None)}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
    import importlib
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(f"{__name__}.{module_name}")
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


__version__ = "0.1.0"

__all__ = [
    "Input",
    "Model",
    "Sequential",
    "__version__",
    "activations",
    "callbacks",
    "config",
    "datasets",
    "explain",
    "gradcheck",
    "gradients",
    "initializers",
    "inspect",
    "keras",
    "layers",
    "linear",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "playground",
    "plot",
    "random",
    "regularizers",
    "saving",
    "utils",
]
