"""Reading ``config.json`` as data, never as instructions.

:func:`parse` refuses non-JSON, duplicate keys (two parsers could read two different
models from one file), and nesting deeper than :data:`MAX_JSON_DEPTH`.
:func:`scan` then walks the whole tree once, before anything is built, and refuses every
construct through which a Keras file has run code or switched its guards off: ``Lambda``
layers and ``__lambda__`` bytecode (CVE-2024-3660), function references and modules
outside ``keras.*`` (CVE-2025-1550), a ``safe_mode`` key (CVE-2025-9906), and any object
registered under a custom name. Which classes are built is decided later, per place, from
glassnet's own registries; this scan only makes sure nothing else is even looked at.
"""
from __future__ import annotations

import json

from .errors import MAX_JSON_DEPTH, FileFormatError, UnsafeFileError

ALLOWED_MODULES = frozenset({
    "keras", "keras.models", "keras.layers", "keras.initializers", "keras.regularizers", "keras.constraints",
    "keras.optimizers", "keras.optimizers.schedules", "keras.losses", "keras.metrics", "keras.activations",
    "keras.src.models.functional",      # where Keras 3 writes a Functional model from (its class: ours)
    "keras.src.ops.numpy", "keras.src.ops.nn",  # x + y and keras.ops on symbolic tensors: a fixed table
    # (glassnet/layers/named_ops.py), nothing imported; a FeatureSpace's TFDConcat, TFDIdentity (the
    # reader's KERAS_INTERNAL: glassnet/feature_space.py's own classes), and FeatureSpace itself
    "keras.src.layers.preprocessing.feature_space", "keras.utils",
})
_CODE_CLASSES = frozenset({
    "Lambda", "__lambda__", "function", "__function__", "TFOpLambda", "SlicingOpLambda",
    "__tensor__", "__numpy__", "__bytes__", "__typespec__", "__python_object__", "__ellipsis__",
})
_CODE_KEYS = frozenset({"safe_mode", "__lambda__", "function_type", "output_shape_type", "module_path"})


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        raise DuplicateKeys(dupes)
    return dict(pairs)


class DuplicateKeys(Exception):
    """An object repeats a key (``args[0]``: the repeated keys); not a ValueError, so that
    callers can tell it from plain bad JSON."""


def loads(text):
    """:func:`json.loads` refusing repeated keys (:class:`DuplicateKeys`; two parsers could
    read two different values) and NaN/Infinity (``ValueError``). Every JSON document
    glassnet reads from a model or weights file goes through here."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def parse(blob: bytes, label: str):
    """``config.json`` as Python data; refuses what :mod:`json` would accept too kindly."""
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        raise FileFormatError(f"{label}: config.json is not UTF-8 text") from None
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:                 # bracket depth, outside strings, before json recurses
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise UnsafeFileError(f"{label}: config.json nests deeper than {MAX_JSON_DEPTH} levels")
        elif ch in "]}":
            depth -= 1
    try:
        return loads(text)
    except DuplicateKeys as e:
        raise UnsafeFileError(f"{label}: config.json repeats the key(s) {e.args[0]} in one object") from None
    except (ValueError, RecursionError) as e:
        raise FileFormatError(f"{label}: config.json is not valid JSON ({e})") from None


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def scan(tree, label: str, own_classes=frozenset()) -> None:
    """Refuse code, foreign modules and unsafe-mode switches anywhere in the config.

    ``own_classes``: names the caller registered or passed in ``custom_objects``; their
    entries may name the module they were written from (nothing is ever imported: the
    class comes from the caller's own mapping)."""
    stack = [(tree, "config.json")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key in node:
                if key in _CODE_KEYS:
                    raise UnsafeFileError(f"{label}: refused {key!r} at {where}: glassnet has no unsafe mode "
                                          "and never runs code from a file")
            cls = node.get("class_name")
            if cls is not None:
                if not isinstance(cls, str):
                    raise FileFormatError(f"{label}: class_name at {where} is not a string")
                if cls == "function" and node.get("module") == "builtins" and isinstance(node.get("config"), str):
                    pass        # a function by name only (TextVectorization's standardize): the reader looks
                    #             the name up in custom_objects and the registry, never in the file
                elif cls in _CODE_CLASSES:
                    raise UnsafeFileError(f"{label}: refused {cls!r} at {where}: it would run code "
                                          "(glassnet never loads functions or bytecode from a file)")
                module = node.get("module")
                registered = node.get("registered_name")
                own = cls in own_classes or registered in own_classes
                if module is not None and module not in ALLOWED_MODULES and not own and cls != "function":
                    raise UnsafeFileError(f"{label}: refused module {module!r} for {cls!r} at {where}: "
                                          "glassnet imports nothing named in a file")
                if registered is not None and registered != cls and not own:
                    raise UnsafeFileError(f"{label}: refused custom object {registered!r} at {where}: "
                                          "glassnet builds only its own registered classes")
            stack.extend((v, f"{where}.{k}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(node))
