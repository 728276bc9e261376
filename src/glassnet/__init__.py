"""glassnet: neural-network training with the Keras API, on NumPy, where backpropagation
is code you can read.

>>> import glassnet
>>> from glassnet.keras import Sequential
>>> from glassnet.keras.layers import Dense
"""
from . import _aliases

_aliases.install()          # glassnet.tape, glassnet.step ... (the modules' old paths) still import

from . import activations, callbacks, config, initializers, layers, losses, metrics, optimizers, regularizers, utils
from .tf import autograph, compat, linalg, math, nn, ops, random, tensor
from . import keras, models
from .tf.compat import executing_eagerly, function, get_logger, test
from .layers import Input
from .tf.math import (abs, add, add_n, argmax, argmin, divide, equal, exp, log, maximum, minimum,  # noqa: A004
                      multiply, negative, pow, reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod,
                      reduce_std, reduce_sum, round, sigmoid, sqrt, square, subtract, tanh)
from .models import Model, Sequential
from .tf.linalg import norm, tensordot
from .tf.ops import (broadcast_to, cast, clip_by_value, concat, einsum, expand_dims, fill, gather, gather_nd, identity,
                     linspace, matmul, one_hot, ones, ones_like, range, reshape, reverse, shape, size, split, squeeze,
                     stack, tile, transpose, unstack, where, zeros, zeros_like)
from .tf.module import Module
from .tf.tape import GradientTape, UnconnectedGradients, custom_gradient, stop_gradient
from .tf.variable import Variable
from .tf.tensor import Tensor, TensorShape, constant, convert_to_tensor
from .tf import dtypes
from .tf.dtypes import string      # tf.string: string tensors are object arrays of UTF-8 bytes

newaxis = None                          # tf.newaxis: x[..., tf.newaxis] adds an axis, as numpy's None

# TensorFlow's dtype names (tf.float32 ...), as NumPy's types
from numpy import float16, float32, float64, int32, int64, uint8  # noqa: E402

# Loaded on first use, so that `import glassnet` stays light (see bench/: import time).
_LAZY = {"sweep": ("sweeps", "sweep"),           # glassnet.sweep(...): many variants at once
         "learning_curve": ("sweeps.curves", "learning_curve"),
         "data": ("data", None), "datasets": ("datasets", None), "linear": ("glassbox.linear", None),
         "inspect": ("glassbox.gradients", None), "plot": ("glassbox.plot", None), "saving": ("saving", None),
         "explain": ("glassbox.explain", "explain"), "gradients": ("glassbox.gradients", "gradients"),
         "gradcheck": ("glassbox.gradients", "gradcheck"), "playground": ("playground", None),
         "version": ("tf.version", None), "strings": ("tf.strings", None), "sparse": ("tf.sparse", None),
         "SparseTensor": ("tf.sparse", "SparseTensor"),
         "image": ("tf.image", None),
         "io": ("tf.io", None), "TensorSpec": ("data.structure", "TensorSpec")}


def __getattr__(name):
    if name not in _LAZY:
        moved = _aliases.module(name)           # a module's old path: glassnet.step, glassnet.tape ...
        if moved is not None:
            return moved
        raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
    import importlib
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(f"{__name__}.{module_name}")
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


__version__ = "0.1.0"

__all__ = [
    "GradientTape",
    "Input",
    "Model",
    "Module",
    "Sequential",
    "Tensor",
    "TensorShape",
    "UnconnectedGradients",
    "Variable",
    "__version__",
    "abs",
    "activations",
    "add",
    "add_n",
    "argmax",
    "argmin",
    "autograph",
    "broadcast_to",
    "callbacks",
    "cast",
    "clip_by_value",
    "compat",
    "concat",
    "config",
    "constant",
    "convert_to_tensor",
    "custom_gradient",
    "data",
    "datasets",
    "divide",
    "dtypes",
    "einsum",
    "equal",
    "executing_eagerly",
    "exp",
    "expand_dims",
    "explain",
    "fill",
    "float16",
    "float32",
    "float64",
    "function",
    "gather",
    "gather_nd",
    "get_logger",
    "gradcheck",
    "gradients",
    "identity",
    "image",
    "initializers",
    "inspect",
    "int32",
    "int64",
    "io",
    "keras",
    "layers",
    "linalg",
    "linear",
    "linspace",
    "log",
    "losses",
    "math",
    "matmul",
    "maximum",
    "metrics",
    "minimum",
    "models",
    "multiply",
    "negative",
    "newaxis",
    "nn",
    "norm",
    "one_hot",
    "ones",
    "ones_like",
    "ops",
    "optimizers",
    "playground",
    "plot",
    "pow",
    "random",
    "range",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_std",
    "reduce_sum",
    "regularizers",
    "reshape",
    "reverse",
    "round",
    "saving",
    "shape",
    "sigmoid",
    "size",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "stop_gradient",
    "string",
    "strings",
    "subtract",
    "tanh",
    "tensor",
    "tensordot",
    "test",
    "tile",
    "transpose",
    "uint8",
    "unstack",
    "utils",
    "version",
    "where",
    "zeros",
    "zeros_like",
]
