"""Classes of your own that files may name: ``register_keras_serializable`` and
``custom_objects``. The machinery lives in the core module :mod:`glassnet.registry` (every
family's names and configs go through it); this module keeps the saving-side import path.
The loader builds a class only if glassnet defines it, you registered it, or you pass it in
``custom_objects`` for that one call: a file alone never decides which code runs.

>>> import glassnet
>>> glassnet.saving.register_keras_serializable is glassnet.registry.register_keras_serializable
True
"""
from __future__ import annotations

from ..registry import (_CUSTOM, get_registered_name, get_registered_object, lookup, own_class_names,
                        register_keras_serializable)

__all__ = ["get_registered_name", "get_registered_object", "lookup", "own_class_names",
           "register_keras_serializable"]
