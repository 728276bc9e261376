"""Classes of your own that files may name: ``register_keras_serializable`` and
``custom_objects``. The loader builds a class only if glassnet defines it, you registered
it, or you pass it in ``custom_objects`` for that one call: a file alone never decides
which code runs.

>>> import glassnet
>>> @glassnet.saving.register_keras_serializable(package="Demo")
... class Twice(glassnet.layers.Layer):
...     def forward(self, x, training=False):
...         return 2 * x
...     def backward(self, grad, need_input_grad=True):
...         return 2 * grad
>>> glassnet.saving.get_registered_name(Twice)
'Demo>Twice'
"""
from __future__ import annotations

_CUSTOM: dict[str, type] = {}       # "package>name" -> class


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator: files may name this class (as ``package>name``, Keras's registered name)."""
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"register_keras_serializable: package must be a string without '>', got {package!r}")

    def decorator(cls):
        if not isinstance(cls, type):
            raise TypeError(f"register_keras_serializable: expected a class, got {cls!r}")
        key = f"{package}>{name or cls.__name__}"
        _CUSTOM[key] = cls
        cls._registered_name = key
        return cls

    return decorator


def get_registered_name(cls) -> str:
    """``"package>name"`` for a registered class, else its class name (as Keras)."""
    return cls.__dict__.get("_registered_name", cls.__name__)


def get_registered_object(name: str, custom_objects=None):
    """The class registered (or given in ``custom_objects``) under ``name``, or None."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return _CUSTOM.get(name)


def own_class_names(custom_objects=None) -> frozenset:
    """Every name the caller's classes may appear under in a file."""
    names = set(custom_objects or ()) | set(_CUSTOM)
    names |= {key.split(">", 1)[1] for key in _CUSTOM}
    return frozenset(names)


def lookup(class_name: str, custom_objects=None, base=None, registered_name=None):
    """The user's class for a file entry, or None when the user gave none: first
    ``custom_objects`` (by registered or class name), then the registered classes. A class
    that is not a subclass of ``base`` is refused."""
    found = None
    for key in (registered_name, class_name):
        if key and custom_objects and key in custom_objects:
            found = custom_objects[key]
            break
        if key and key in _CUSTOM:
            found = _CUSTOM[key]
            break
    if found is None and class_name:
        found = next((c for k, c in _CUSTOM.items() if k.split(">", 1)[1] == class_name), None)
    if found is not None and base is not None and not (isinstance(found, type) and issubclass(found, base)):
        raise ValueError(f"custom object {class_name!r} is {found!r}, not a subclass of {base.__name__}")
    return found
