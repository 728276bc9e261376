"""TensorFlow's own initializer names (``tf.random_normal_initializer``, ``tf.zeros_initializer``
...): the Keras initializers of ``glassnet.initializers`` with TensorFlow's defaults (the same
ones), returning a Tensor when called, as TensorFlow's do::

    w_init = tf.random_normal_initializer()
    w = tf.Variable(w_init(shape=(2, 3), dtype="float32"))

They are ``glassnet.initializers`` classes, so a layer takes them as ``kernel_initializer``.

>>> import glassnet as tf
>>> tf.zeros_initializer()(shape=(2,)).numpy()
array([0., 0.], dtype=float32)
>>> tf.constant_initializer(3)(shape=(2,), dtype=tf.int32).numpy()
array([3, 3], dtype=int32)
"""
from __future__ import annotations

import numpy as np

from .. import initializers as _init
from .tensor import _as_dtype, wrap

__all__ = ["random_normal_initializer", "random_uniform_initializer", "zeros_initializer", "ones_initializer",
           "constant_initializer"]


def _tensor_call(base):
    def __call__(self, shape, dtype=np.float32, **kwargs):
        return wrap(np.asarray(base.__call__(self, tuple(shape), dtype=_as_dtype(dtype or np.float32))))
    return __call__


def _alias(name, base, doc, config_order=None):
    # named as the Keras class (as TensorFlow's init_ops_v2.RandomNormal ...), so that a layer
    # holding one saves and loads as that Keras initializer; get_config lists its keys in
    # TensorFlow's order (init_ops_v2: the seed last), which printing the config shows
    body = {"__call__": _tensor_call(base), "__doc__": doc, "__module__": __name__}
    if config_order:
        body["get_config"] = lambda self: {k: base.get_config(self)[k] for k in config_order}
    return type(base.__name__, (base,), body)


random_normal_initializer = _alias("random_normal_initializer", _init.RandomNormal,
                                   "``N(mean, stddev^2)``: ``(mean=0.0, stddev=0.05, seed=None)``.",
                                   ("mean", "stddev", "seed"))
random_uniform_initializer = _alias("random_uniform_initializer", _init.RandomUniform,
                                    "``U(minval, maxval)``: ``(minval=-0.05, maxval=0.05, seed=None)``.",
                                    ("minval", "maxval", "seed"))
zeros_initializer = _alias("zeros_initializer", _init.Zeros, "All zeros.")
ones_initializer = _alias("ones_initializer", _init.Ones, "All ones.")


class constant_initializer(_init.Constant):  # noqa: N801 (TensorFlow's name)
    """Every entry ``value`` (``value=0``); a list or array ``value`` must have as many
    entries as the shape asked."""

    def __init__(self, value=0, support_partition=False):
        super().__init__(value)

    def __call__(self, shape, dtype=None, **kwargs):
        """The value's own type unless ``dtype`` says (``constant_initializer(5)`` gives int32)."""
        from .tensor import convert_to_tensor
        value = np.asarray(convert_to_tensor(self.value))
        shape = tuple(shape)
        if value.ndim and value.size != int(np.prod(shape)):
            raise TypeError(f"constant_initializer: value has {value.size} elements, shape {shape} needs "
                            f"{int(np.prod(shape))}")
        out = np.broadcast_to(value, shape) if not value.ndim else value.reshape(shape)
        return wrap(np.array(out, dtype=_as_dtype(dtype) or value.dtype))


constant_initializer.__name__ = constant_initializer.__qualname__ = "Constant"
