"""TensorFlow 1's graph mode, which glassnet does not have: it runs every operation at once
(``tf.function`` is a pass-through). ``tf.Graph`` exists so that ``isinstance`` checks work, and
refuses to be built; ``tf.hessians`` refuses as TensorFlow 2 does when eager, pointing at
``GradientTape`` (which gives second derivatives by nesting two tapes).

>>> import glassnet as tf
>>> try:
...     tf.Graph()
... except NotImplementedError as e:
...     print(str(e)[:40])
tf.Graph: glassnet has no graph mode; it
"""
from __future__ import annotations

__all__ = ["Graph", "hessians"]


class Graph:
    """``tf.Graph``: refused (glassnet is eager; see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("tf.Graph: glassnet has no graph mode; it runs every operation eagerly, as "
                                  "TensorFlow 2 does by default. Drop the `with tf.Graph().as_default():` block and "
                                  "call the functions directly (tf.function is a pass-through)")


def hessians(ys, xs, name="hessians", colocate_gradients_with_ops=False, gate_gradients=False,
             aggregation_method=None):
    """``tf.hessians``: refused, as TensorFlow 2 refuses it when eager."""
    raise RuntimeError("tf.hessians (like tf.gradients) is not supported when eager execution is enabled. Use "
                       "tf.GradientTape instead: two nested tapes give second derivatives "
                       "(outer.jacobian(inner.gradient(y, x), x))")
