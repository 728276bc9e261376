"""glassnet: neural-network training with the Keras API, on NumPy, where backpropagation
is code you can read.

>>> import glassnet
>>> from glassnet.keras import Sequential
>>> from glassnet.keras.layers import Dense
"""
from . import activations, callbacks, config, initializers, layers, losses, metrics, optimizers, regularizers, utils
from . import datasets, linear
from . import keras
from .layers import Input
from .models import Model, Sequential
from . import inspect, models, plot, saving
from .explain import explain
from .inspect import gradcheck, gradients

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
    "plot",
    "regularizers",
    "saving",
    "utils",
]
