"""``Module`` (TensorFlow's ``tf.Module``): a named container whose Variables and sub-modules,
set as attributes (or in lists, tuples and dicts of them), are found by walking it.

>>> import glassnet as tf
>>> class Linear(tf.Module):
...     def __init__(self, name=None):
...         super().__init__(name=name)
...         self.w = tf.Variable([[1.0], [2.0]], name="w")
...         self.b = tf.Variable([0.0], name="b", trainable=False)
...     def __call__(self, x):
...         return tf.matmul(x, self.w) + self.b
>>> m = Linear(name="linear")
>>> [v.name for v in m.variables], [v.name for v in m.trainable_variables]
(['b:0', 'w:0'], ['w:0'])
>>> m([[1.0, 1.0]]).numpy()
array([[3.]], dtype=float32)
"""
from __future__ import annotations

import contextlib
import re
import weakref

from .variable import Variable

__all__ = ["Module"]

# tf.train's deferred restoration: {module: {attribute: restore(variable)}} for values a
# checkpoint held for variables not yet made (a module that builds on its first call)
_DEFERRED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Module:
    """``tf.Module(name=None)``: ``variables``, ``trainable_variables``, ``submodules`` are
    found in its attributes (sorted by attribute name, as TensorFlow walks them; each once)."""

    def __init__(self, name=None):
        if name is None:                 # the class's name in snake case, not made unique (TensorFlow's)
            name = _snake(type(self).__name__)
        elif not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-/]*", name):
            raise ValueError(f"Module: name must be a valid Python identifier-like string, got {name!r}")
        self._name = name

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if _DEFERRED and isinstance(value, Variable):
            try:
                pending = _DEFERRED.get(self)
            except TypeError:                       # a subclass that is not hashable: nothing was deferred to it
                return
            if pending and name in pending:
                pending.pop(name)(value)            # the checkpoint's value, restored as it is made

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self):
        """A context manager, as TensorFlow's, whose ``name`` is ``"<module name>/"`` (glassnet's
        variable names are not prefixed by it)."""
        scope = contextlib.nullcontext(f"{self._name}/")
        scope.name = f"{self._name}/"
        return scope

    def _walk(self, seen):
        """Each Variable and Module under this one's attributes, depth first, once each."""
        for key in sorted(vars(self)):
            if key == "_name":
                continue
            yield from _items(vars(self)[key], seen)

    @property
    def variables(self) -> tuple:
        return tuple(x for x in self._walk(set()) if isinstance(x, Variable))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(v for v in self.variables if v.trainable)

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(v for v in self.variables if not v.trainable)

    @property
    def submodules(self) -> tuple:
        return tuple(x for x in self._walk(set()) if isinstance(x, Module))

    @classmethod
    def with_name_scope(cls, method):
        """A decorator, as TensorFlow's: here it returns ``method`` unchanged."""
        return method

    def __repr__(self):
        return f"<{type(self).__name__} name={self._name}>"


def _items(value, seen):
    from ..layers.base import Layer  # noqa: PLC0415 - layers build on the tf package
    if id(value) in seen:
        return
    if isinstance(value, Variable):
        seen.add(id(value))
        yield value
    elif isinstance(value, Module):
        seen.add(id(value))
        yield value
        yield from value._walk(seen)
    elif isinstance(value, Layer):                    # a Keras layer kept in a Module: its weights
        seen.add(id(value))
        for v in value.weights:
            yield from _items(v, seen)
    elif isinstance(value, dict):
        for k in sorted(value, key=str):
            yield from _items(value[k], seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _items(item, seen)
