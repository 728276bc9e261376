"""``tf.random``: ``set_seed(1234)`` as the course's labs call it, and ``normal`` /
``uniform`` draws (glassnet's one generator, so ``set_seed`` makes them repeat).

>>> import glassnet as tf
>>> tf.random.set_seed(1234)        # the same as glassnet.utils.set_random_seed(1234)
>>> tf.random.normal((2, 3)).shape
(2, 3)
"""
import numpy as np

from .tensor import Tensor, wrap
from ..utils import rng
from ..utils import set_random_seed as set_seed

__all__ = ["set_seed", "normal", "uniform"]


def _draw(seed):
    return np.random.default_rng(seed) if seed is not None else rng()


def normal(shape, mean=0.0, stddev=1.0, dtype=np.float32, seed=None, name=None) -> Tensor:
    """Draws from a normal distribution (float32 unless told)."""
    return wrap(_draw(seed).normal(mean, stddev, size=tuple(np.atleast_1d(shape).tolist())).astype(dtype))


def uniform(shape, minval=0, maxval=None, dtype=np.float32, seed=None, name=None) -> Tensor:
    """Draws from [minval, maxval) (maxval 1 for floats); integers need a maxval, as TensorFlow's."""
    size, dtype = tuple(np.atleast_1d(shape).tolist()), np.dtype(dtype)
    if dtype.kind in "iu":
        if maxval is None:
            raise ValueError("random.uniform: an integer dtype needs maxval")
        return wrap(_draw(seed).integers(minval, maxval, size=size).astype(dtype))
    return wrap(_draw(seed).uniform(minval, 1.0 if maxval is None else maxval, size=size).astype(dtype))
