"""``tf.random.set_seed(1234)``, as the course's labs call it, with ``tensorflow`` renamed.

>>> import glassnet as tf
>>> tf.random.set_seed(1234)        # the same as glassnet.utils.set_random_seed(1234)
"""
from .utils import set_random_seed as set_seed

__all__ = ["set_seed"]
