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
from .tf import errors
from .tf.math import (ceil, cos, floor, greater, greater_equal, less, less_equal, not_equal, sign, sin,  # noqa: A004
                      truediv)
from .tf.dtypes import (DType, bool, complex64, complex128, double, float16, float32, float64, half, int8,  # noqa: A004
                        int16, int32, int64, saturate_cast, uint8, uint16, uint32, uint64)
from .tf.ops import clip_by_global_norm, clip_by_norm

newaxis = None                          # tf.newaxis: x[..., tf.newaxis] adds an axis, as numpy's None


# Loaded on first use, so that `import glassnet` stays light (see bench/: import time).
_LAZY = {"sweep": ("sweeps", "sweep"),           # glassnet.sweep(...): many variants at once
         "learning_curve": ("sweeps.curves", "learning_curve"),
         "data": ("data", None), "datasets": ("datasets", None), "linear": ("glassbox.linear", None),
         "inspect": ("glassbox.gradients", None), "plot": ("glassbox.plot", None), "saving": ("saving", None),
         "explain": ("glassbox.explain", "explain"), "gradients": ("glassbox.gradients", "gradients"),
         "gradcheck": ("glassbox.gradients", "gradcheck"), "playground": ("playground", None),
         "version": ("tf.version", None), "strings": ("tf.strings", None), "sparse": ("tf.sparse", None),
         "SparseTensor": ("tf.sparse", "SparseTensor"), "SparseTensorSpec": ("data.composite", "SparseTensorSpec"),
         "experimental": ("experimental", None),         # tf.experimental.numpy
         "image": ("tf.image", None), "signal": ("tf.signal", None), "audio": ("tf.audio", None),
         "io": ("tf.io", None), "TensorSpec": ("data.structure", "TensorSpec")}
# the rest of tf.*, each module loaded when one of its names is first used
for _module, _names in {
        "tf.array_ops": "argsort boolean_mask eye meshgrid pad rank repeat roll scatter_nd sort tensor_scatter_nd_add "
                        "tensor_scatter_nd_update unique",
        "tf.elementwise": "acos acosh asin asinh atan atan2 atanh cosh cumsum logical_and logical_not logical_or "
                          "logical_xor realdiv scalar_mul sinh tan truncatediv truncatemod",
        "tf.selection": "reduce_all reduce_any",
        "tf.control_flow": "case cond foldl foldr map_fn scan switch_case vectorized_map while_loop",
        "tf.debugging": "Assert assert_equal assert_greater assert_less assert_rank",
        "tf.graph": "Graph hessians",
        "tf.init_ops": "constant_initializer ones_initializer random_normal_initializer random_uniform_initializer "
                       "zeros_initializer",
        "tf.printing": "print",
        "tf.safe_math": "complex",
        "tf.tensor_array": "TensorArray",
        "tf.framework": "broadcast_dynamic_shape broadcast_static_shape control_dependencies ensure_shape "
                        "get_static_value group identity_n is_tensor name_scope no_op numpy_function py_function "
                        "shape_n timestamp tuple",
        "tf.indexing": "dynamic_partition reverse_sequence searchsorted sequence_mask slice strided_slice "
                       "tensor_scatter_nd_max tensor_scatter_nd_min tensor_scatter_nd_sub unique_with_counts "
                       "unravel_index"}.items():
    _LAZY.update({_name: (_module, _name) for _name in _names.split()})
_LAZY.update({"debugging": ("tf.debugging", None), "nest": ("tf.nest", None), "device": ("tf.device", "device"),
              "ragged": ("tf.ragged", None), "RaggedTensor": ("tf.ragged", "RaggedTensor"),
              "RaggedTensorSpec": ("tf.ragged", "RaggedTensorSpec"),
              "train": ("tf.train", None), "saved_model": ("tf.saved_model", None), "lite": ("lite", None),
              "distribute": ("tf.distribute", None), "sets": ("tf.sets", None), "lookup": ("tf.lookup", None),
              "histogram_fixed_width": ("tf.histogram", "histogram_fixed_width"),
              "histogram_fixed_width_bins": ("tf.histogram", "histogram_fixed_width_bins"),
              "type_spec_from_value": ("tf.extension_type", "type_spec_from_value")})
del _module, _names


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


# glassnet's own version (pip's, the CLI's, a file's "saved_by", ONNX's producer) ...
__glassnet_version__ = "0.1.0"
# ... and what a TensorFlow program renamed to glassnet reads as ``tf.__version__`` (and
# ``tf.version.VERSION``): the TensorFlow glassnet follows, with glassnet's version as a PEP 440
# local label, so tutorials' ``version.parse(tf.__version__).release[0] >= 2`` holds.
__version__ = f"2.21.0+glassnet.{__glassnet_version__}"

__all__ = [
    "Assert",
    "DType",
    "GradientTape",
    "Graph",
    "Input",
    "Model",
    "Module",
    "RaggedTensor",
    "RaggedTensorSpec",
    "Sequential",
    "Tensor",
    "TensorArray",
    "TensorShape",
    "UnconnectedGradients",
    "Variable",
    "__version__",
    "abs",
    "acos",
    "acosh",
    "activations",
    "add",
    "add_n",
    "argmax",
    "argmin",
    "argsort",
    "asin",
    "asinh",
    "assert_equal",
    "assert_greater",
    "assert_less",
    "assert_rank",
    "atan",
    "atan2",
    "atanh",
    "autograph",
    "bool",
    "boolean_mask",
    "broadcast_dynamic_shape",
    "broadcast_static_shape",
    "broadcast_to",
    "callbacks",
    "case",
    "cast",
    "ceil",
    "clip_by_global_norm",
    "clip_by_norm",
    "clip_by_value",
    "compat",
    "complex",
    "complex128",
    "complex64",
    "concat",
    "cond",
    "config",
    "constant",
    "constant_initializer",
    "control_dependencies",
    "convert_to_tensor",
    "cos",
    "cosh",
    "cumsum",
    "custom_gradient",
    "data",
    "datasets",
    "debugging",
    "device",
    "divide",
    "double",
    "dtypes",
    "dynamic_partition",
    "einsum",
    "ensure_shape",
    "equal",
    "errors",
    "executing_eagerly",
    "experimental",
    "exp",
    "expand_dims",
    "explain",
    "eye",
    "fill",
    "float16",
    "float32",
    "float64",
    "floor",
    "foldl",
    "foldr",
    "function",
    "gather",
    "gather_nd",
    "get_logger",
    "get_static_value",
    "gradcheck",
    "gradients",
    "greater",
    "greater_equal",
    "group",
    "half",
    "hessians",
    "identity",
    "identity_n",
    "image",
    "initializers",
    "inspect",
    "int16",
    "int32",
    "int64",
    "int8",
    "io",
    "is_tensor",
    "keras",
    "layers",
    "less",
    "less_equal",
    "linalg",
    "linear",
    "linspace",
    "log",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "losses",
    "map_fn",
    "math",
    "matmul",
    "maximum",
    "meshgrid",
    "metrics",
    "minimum",
    "models",
    "multiply",
    "name_scope",
    "negative",
    "nest",
    "newaxis",
    "nn",
    "no_op",
    "norm",
    "not_equal",
    "numpy_function",
    "one_hot",
    "ones",
    "ones_initializer",
    "ones_like",
    "ops",
    "optimizers",
    "pad",
    "playground",
    "plot",
    "pow",
    "print",
    "py_function",
    "random",
    "random_normal_initializer",
    "random_uniform_initializer",
    "ragged",
    "range",
    "rank",
    "realdiv",
    "reduce_all",
    "reduce_any",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_std",
    "reduce_sum",
    "regularizers",
    "repeat",
    "reshape",
    "reverse",
    "reverse_sequence",
    "roll",
    "round",
    "saturate_cast",
    "saved_model",
    "saving",
    "scalar_mul",
    "scan",
    "scatter_nd",
    "searchsorted",
    "sequence_mask",
    "shape",
    "shape_n",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "size",
    "slice",
    "sort",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "stop_gradient",
    "strided_slice",
    "string",
    "strings",
    "subtract",
    "switch_case",
    "tan",
    "tanh",
    "tensor",
    "tensor_scatter_nd_add",
    "tensor_scatter_nd_max",
    "tensor_scatter_nd_min",
    "tensor_scatter_nd_sub",
    "tensor_scatter_nd_update",
    "tensordot",
    "test",
    "tile",
    "timestamp",
    "train",
    "transpose",
    "truediv",
    "truncatediv",
    "truncatemod",
    "tuple",
    "uint16",
    "uint32",
    "uint64",
    "uint8",
    "unique",
    "unique_with_counts",
    "unravel_index",
    "unstack",
    "utils",
    "vectorized_map",
    "version",
    "where",
    "while_loop",
    "zeros",
    "zeros_initializer",
    "zeros_like",
]
