"""One registry for names and configs: every family (layers, activations, losses, metrics,
optimizers, schedules, initializers, regularizers) resolves a name, an alias or a Keras
config through the few lines here, and fails with one message.

A name resolves as in Keras: the class name (``"GlorotUniform"``), its snake_case
(``"glorot_uniform"``) and the family's aliases (``"mse"``, ``"l2"``); glassnet also accepts
any case and underscores (``"Glorot_Uniform"``, ``"MSE"``, ``"ADAM"``). A config is Keras's
``{"module", "class_name", "config", "registered_name"}``. Classes of your own are found
only where you put them: ``custom_objects`` for one call, or ``register_keras_serializable``.
A file alone never decides which code runs.

>>> from glassnet import initializers, losses
>>> type(initializers.get("Glorot_Uniform")).__name__, type(losses.get("MSE")).__name__
('GlorotUniform', 'MeanSquaredError')
>>> initializers.get("glorot_unifrom")      # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: Unknown initializer 'glorot_unifrom'. Did you mean 'glorot_uniform'? ...
"""
from __future__ import annotations

import difflib
from typing import Callable, Iterable, Mapping

from .utils import snake_case

__all__ = ["CustomObjectScope", "Family", "FAMILIES", "custom_object_scope", "did_you_mean", "get_registered_name",
           "get_registered_object", "lookup", "own_class_names", "register_keras_serializable"]

_CUSTOM: dict[str, object] = {}      # "package>name" -> a class (or function) of the user's
FAMILIES: dict[str, "Family"] = {}    # kind -> its Family, for tests and tools


# -- the user's own classes ----------------------------------------------------------------
def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator: files and names may refer to this class (or function) as
    ``package>name``, Keras's registered name.

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
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"register_keras_serializable: package must be a string without '>', got {package!r}")

    def decorator(obj):
        if not callable(obj) or not hasattr(obj, "__name__"):
            raise TypeError(f"register_keras_serializable: expected a class or a function, got {obj!r}")
        key = f"{package}>{name or obj.__name__}"
        _CUSTOM[key] = obj
        obj._registered_name = key
        return obj

    return decorator


_SCOPED: list = []                  # custom_object_scope's dicts, innermost last


class custom_object_scope:
    """``keras.saving.custom_object_scope({"MyLayer": MyLayer})``: inside the ``with`` block,
    loading finds these objects as if each call were given them in ``custom_objects``."""

    def __init__(self, custom_objects=None):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _SCOPED.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _SCOPED.pop(next(i for i in range(len(_SCOPED) - 1, -1, -1) if _SCOPED[i] is self.custom_objects))


CustomObjectScope = custom_object_scope        # Keras's other name for it


def _scoped(custom_objects):
    """``custom_objects`` with the open scopes' objects under them (the call's own win)."""
    if not _SCOPED:
        return custom_objects
    merged = {}
    for given in _SCOPED:
        merged.update(given)
    merged.update(custom_objects or {})
    return merged


def get_registered_name(obj) -> str:
    """``"package>name"`` for a registered class, else its name (as Keras)."""
    return obj.__dict__.get("_registered_name", obj.__name__)


def get_registered_object(name: str, custom_objects=None):
    """The object registered (or given in ``custom_objects``) under ``name``, or None."""
    custom_objects = _scoped(custom_objects)
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return _CUSTOM.get(name)


def function_config(fn, where: str) -> dict:
    """A function of the user's (a TextVectorization ``standardize``, say) as Keras writes it
    in a file: by name only (its registered ``package>name`` when it has one), never its code.
    Loading finds it again in ``custom_objects`` or among the registered objects. A lambda has
    no name to find it by, so it is refused here, before anything is written."""
    name = get_registered_name(fn) if hasattr(fn, "__name__") else None
    if not name or name == "<lambda>":
        raise ValueError(f"{where}: cannot save {fn!r}: a lambda or an object without a name cannot be "
                         "found again when the file is loaded (glassnet never stores code); define it with "
                         "def, and pass it to load_model in custom_objects={'<its name>': it}")
    return {"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}


def own_class_names(custom_objects=None) -> frozenset:
    """Every name the caller's classes may appear under in a file."""
    names = set(_scoped(custom_objects) or ()) | set(_CUSTOM)
    names |= {key.split(">", 1)[1] for key in _CUSTOM}
    return frozenset(names)


def _subclass_of(base):
    return lambda obj: isinstance(obj, type) and issubclass(obj, base)


def lookup(class_name: str, custom_objects=None, base=None, registered_name=None, accepts=None):
    """The user's object for a name, or None when the user gave none: first
    ``custom_objects`` (by registered or class name), then the registered objects (by
    registered name, then by their short name). One given in ``custom_objects`` that the
    family cannot use (not a subclass of ``base``) is refused; a registered one of another
    family is passed over."""
    accepts = accepts or (_subclass_of(base) if base is not None else (lambda obj: True))
    custom_objects = _scoped(custom_objects)
    keys = [k for k in (registered_name, class_name) if isinstance(k, str) and k]
    for key in keys:
        if custom_objects and key in custom_objects:
            found = custom_objects[key]
            if not accepts(found):
                what = f"not a subclass of {base.__name__}" if base is not None else "not usable here"
                raise ValueError(f"custom object {key!r} is {found!r}, {what}")
            return found
    for key in keys:
        if key in _CUSTOM and accepts(_CUSTOM[key]):
            return _CUSTOM[key]
    if class_name:
        return next((c for k, c in _CUSTOM.items() if k.split(">", 1)[1] == class_name and accepts(c)), None)
    return None


# -- "did you mean" ----------------------------------------------------------------------------
def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A short ' Did you mean 'x'?' sentence, or '' when nothing is close. Of the names
    difflib finds close, the fewest edits wins (a swap of two letters counts as one:
    'adma' is 'adam', not 'adamax').

    >>> did_you_mean("adma", ["adam", "adamax", "sgd"])
    " Did you mean 'adam'?"
    """
    name = str(name).lower()
    spelled = {}                        # compared in lower case, suggested as spelled
    for choice in map(str, choices):
        spelled.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(name, list(spelled), n=5, cutoff=0.6)
    if not close:
        return ""
    best = min(close, key=lambda c: (_edits(name, c), close.index(c)))
    return f" Did you mean {spelled[best]!r}?"


def _edits(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours that turn ``a`` into ``b``
    (the optimal string alignment distance)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _short(value, n=60) -> str:
    text = repr(value)
    return text if len(text) <= n else text[:n] + "..."


def _fold(name: str) -> str:
    return name.lower().replace("_", "")


# -- a family ------------------------------------------------------------------------------
class Family:
    """The names and configs of one family, e.g. ``Family("loss", "keras.losses", CLASSES,
    aliases={"mse": MeanSquaredError})``.

    ``classes``: the family's own classes by class name (a live mapping may grow);
    ``aliases``: further names; ``snake``: whether each class's snake_case name resolves too;
    ``base``: the class every object of the family derives from (custom ones included);
    ``accepts``: instead of ``base``, a test for a user's object (activations are functions);
    ``make``: how a resolved name becomes the object ``get`` returns (default: a class is
    called with no arguments, anything else returned as it is);
    ``expected``: the words for what ``get`` takes, for its TypeError.
    """

    def __init__(self, kind: str, module: str, classes: Mapping[str, object], *, aliases=None,
                 snake: bool = True, base: type | None = None, accepts: Callable | None = None,
                 make: Callable | None = None, expected: str = "a name, a config dict or an instance",
                 hints: Iterable[str] = ()):
        self.kind, self.module, self.classes = kind, module, classes
        self.aliases = dict(aliases or {})
        self.snake, self.base = snake, base
        self.accepts = accepts or (_subclass_of(base) if base is not None else (lambda obj: callable(obj)))
        self.make = make or (lambda obj: obj() if isinstance(obj, type) else obj)
        self.expected = expected
        self.hints = tuple(hints)          # names another path resolves (shown, suggested)
        self._tables: tuple | None = None
        self._size = -1
        FAMILIES[kind] = self

    # names
    def names(self) -> dict:
        """Every name this family resolves exactly: class names, their snake_case, aliases."""
        names = dict(self.classes)
        if self.snake:
            names.update({snake_case(n): c for n, c in self.classes.items()})
        names.update(self.aliases)
        return names

    def _lookup_tables(self):
        if self._tables is None or self._size != len(self.classes):
            names = self.names()
            lower, folded = {}, {}
            for table, key_of in ((lower, str.lower), (folded, _fold)):
                for name, obj in names.items():
                    key = key_of(name)
                    table[key] = obj if table.get(key, obj) is obj else None      # None: ambiguous
            self._tables, self._size = (names, lower, folded), len(self.classes)
        return self._tables

    def known(self) -> list[str]:
        """The names an error message lists: the short ones where there are any."""
        names = self.names()
        short = [n for n in names if n not in self.classes] + list(self.hints)
        return sorted(set(short or names))

    def find(self, name: str, custom_objects=None, registered_name=None):
        """The object ``name`` stands for, or None: the user's own first (``custom_objects``,
        then registered), then the family's exact names, then any case and underscores."""
        own = lookup(name, custom_objects, registered_name=registered_name, accepts=self.accepts)
        if own is not None:
            return own
        names, lower, folded = self._lookup_tables()
        if name in names:
            return names[name]
        return lower.get(name.lower()) or folded.get(_fold(name))

    def unknown(self, name) -> ValueError:
        """The one error for a name no family member answers to."""
        choices = self.known() + list(self.names())         # a short name first, where it has one
        return ValueError(
            f"Unknown {self.kind} {name!r}.{did_you_mean(name, choices)} Known: {', '.join(self.known())}. "
            "A class of your own: pass it in custom_objects or register it with "
            "glassnet.saving.register_keras_serializable().")

    def wrong_type(self, identifier) -> TypeError:
        """The one error for an identifier of the wrong type (a list, a number, ...)."""
        return TypeError(f"Could not interpret {self.kind} identifier {_short(identifier)}: "
                         f"expected {self.expected}, got {type(identifier).__name__}")

    def resolve(self, name: str, custom_objects=None):
        """:meth:`find`, or the unknown-name ValueError (a TypeError for a name that is no string)."""
        if not isinstance(name, str):
            raise self.wrong_type(name)
        found = self.find(name, custom_objects)
        if found is None:
            raise self.unknown(name)
        return found

    # identifiers and configs
    def get(self, identifier, custom_objects=None):
        """A name, a config dict, an instance or a class of the family -> the object.
        Families handle their special cases (``None``, plain functions) before calling this."""
        if isinstance(identifier, str):
            return self.make(self.resolve(identifier, custom_objects))
        if isinstance(identifier, dict):
            return self.deserialize(identifier, custom_objects)
        if self.base is not None:
            if isinstance(identifier, self.base):
                return identifier
            if isinstance(identifier, type) and issubclass(identifier, self.base):
                return identifier()
        raise self.wrong_type(identifier)

    def serialize(self, obj) -> dict:
        """Keras's layout; one of yours carries its module and registered name."""
        cls = type(obj)
        own = self.classes.get(cls.__name__) is cls
        return {"module": self.module if own else cls.__module__, "class_name": cls.__name__,
                "config": obj.get_config(), "registered_name": None if own else get_registered_name(cls)}

    def config_class(self, config, custom_objects=None):
        """``(class, its config dict)`` for a Keras config; refused unless the class is the
        family's own, named in ``custom_objects`` or registered."""
        if isinstance(config, str):
            config = {"class_name": config, "config": {}}
        if not isinstance(config, dict):
            raise self.wrong_type(config)
        name, registered = config.get("class_name"), config.get("registered_name")
        if not isinstance(name, str):
            raise ValueError(f"a {self.kind} config needs a 'class_name' string, got {_short(name)}")
        cls = self.find(name, custom_objects, registered if isinstance(registered, str) else None)
        if cls is None:
            raise self.unknown(name)
        arguments = config.get("config")
        arguments = {} if arguments is None else arguments
        if not isinstance(arguments, dict):
            raise ValueError(f"the config of the {self.kind} {name} must be a dict, got {type(arguments).__name__}")
        return cls, dict(arguments)

    def deserialize(self, config, custom_objects=None, build: Callable | None = None):
        """The object a Keras config describes, built by ``build(cls, arguments)`` (default:
        ``cls.from_config`` where the class has one, else ``cls(**arguments)``). A wrong
        argument is a ValueError naming the family and the class."""
        cls, arguments = self.config_class(config, custom_objects)
        if not isinstance(cls, type):         # a name for a function (an activation, l1_l2)
            if arguments:
                raise ValueError(f"the {self.kind} {config['class_name']!r} is a function and takes no "
                                 f"config; name a class instead, got {_short(arguments)}")
            return self.make(cls)
        try:
            if build is not None:
                return build(cls, arguments)
            if hasattr(cls, "from_config"):
                return cls.from_config(arguments)
            return cls(**arguments)
        except TypeError as e:
            raise ValueError(f"{self.kind} {cls.__name__}: {e}") from e
