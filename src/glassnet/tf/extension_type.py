"""``tf.experimental.ExtensionType``: a class of one's own whose fields are declared by annotation,
as ``typing.NamedTuple`` or ``@dataclass`` do. The class gets a constructor taking each field (in
the order declared, defaults from the class body), which converts a ``tf.Tensor`` field with
``tf.convert_to_tensor``, a ``Tuple`` field to a tuple and a ``Mapping`` field to an
:class:`ImmutableDict`, and refuses (TypeError naming the field) a value that is not of the declared
type; then ``__validate__`` runs. It also gets ``repr``, ``==`` (same type and equal fields), and
immutability: a field is set only inside a custom ``__init__``. ``cls.Spec`` and
:func:`type_spec_from_value` give its TypeSpec (each tensor's TensorSpec), which is what a
``tf.function`` keys its traces on.

>>> import glassnet as tf
>>> class MaskedTensor(tf.experimental.ExtensionType):
...     values: tf.Tensor
...     mask: tf.Tensor
>>> mt = MaskedTensor([1, 2], mask=[True, False])
>>> mt.values.dtype, mt == MaskedTensor([1, 2], [True, False])
(tf.int32, True)
>>> tf.type_spec_from_value(mt)
MaskedTensor.Spec(values=TensorSpec(shape=(2,), dtype=tf.int32, name=None), mask=TensorSpec(shape=(2,), dtype=tf.bool, name=None))
"""
# (no ``from __future__ import annotations`` here: the doctest's class would get its annotations as text)
import collections.abc
import sys
import typing

import numpy as np

__all__ = ["ExtensionType", "ImmutableDict", "type_spec_from_value"]

_MISSING = object()


class ImmutableDict(dict):
    """A ``Mapping`` field's value: a dict that refuses changes, printed ``ImmutableDict({...})`` as TF's."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("'ImmutableDict' object does not support item assignment")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse

    def __repr__(self):
        return f"ImmutableDict({dict.__repr__(self)})"


def _resolve(annotation, cls):
    """A forward reference (``"Node"``) as the class it names: the class itself, or its module's name."""
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):
        scope = dict(vars(sys.modules.get(cls.__module__, typing)))
        scope[cls.__name__] = cls
        return eval(annotation, scope)  # noqa: S307 - a name written in the class's own annotations
    return annotation


def _convert(name, annotation, value, cls):
    """``value`` as field ``name`` declared ``annotation`` holds it; TypeError naming the field if it cannot."""
    from .tensor import Tensor, TensorShape, convert_to_tensor  # noqa: PLC0415
    annotation = _resolve(annotation, cls)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is Tensor:
        if value is None or isinstance(value, ExtensionType):
            raise TypeError(f"{name}: expected a Tensor, got {type(value).__name__!r}")
        try:
            return convert_to_tensor(value)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{name}: expected a Tensor, got {type(value).__name__!r} ({e})") from None
    if annotation is None or annotation is type(None):
        if value is not None:
            raise TypeError(f"{name}: expected None, got {type(value).__name__!r}")
        return None
    if origin is typing.Union:
        for option in args:
            try:
                return _convert(name, option, value, cls)
            except TypeError:
                continue
        raise TypeError(f"{name}: expected {annotation}, got {type(value).__name__!r}")
    if origin is tuple:
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"{name}: expected a tuple, got {type(value).__name__!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(f"{name}[{i}]", args[0], v, cls) for i, v in enumerate(value))
        if args and len(args) != len(value):
            raise TypeError(f"{name}: expected a tuple of {len(args)} values, got {len(value)}")
        return tuple(_convert(f"{name}[{i}]", a, v, cls) for i, (a, v) in enumerate(zip(args, value))) if args \
            else tuple(value)
    if origin in (collections.abc.Mapping, dict):
        if not isinstance(value, collections.abc.Mapping):
            raise TypeError(f"{name}: expected a Mapping, got {type(value).__name__!r}")
        key_type, value_type = args or (typing.Any, typing.Any)
        return ImmutableDict({_convert(f"{name} key", key_type, k, cls): _convert(f"{name}[{k!r}]", value_type, v, cls)
                              for k, v in value.items()})
    if annotation is TensorShape:
        return TensorShape(value)
    if getattr(annotation, "__name__", None) == "DType":
        from .dtypes import as_dtype  # noqa: PLC0415
        return as_dtype(value)
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation is typing.Any or not isinstance(annotation, type):
        return value
    if not isinstance(value, annotation):
        raise TypeError(f"{name}: expected {annotation.__name__}, got {type(value).__name__!r}")
    return value


def _equal(a, b) -> bool:
    from .tensor import Tensor  # noqa: PLC0415
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.all(a == b))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return bool(a == b)


class ExtensionType:
    """Base class of an extension type: declare fields with annotations (see the module's text)."""

    _fields = {}                        # name -> (annotation, default), base classes' first

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        fields = {}
        for klass in reversed(cls.__mro__[:cls.__mro__.index(ExtensionType)]):
            for name, annotation in vars(klass).get("__annotations__", {}).items():
                fields[name] = (annotation, vars(klass).get(name, fields.get(name, (None, _MISSING))[1]))
        cls._fields = fields
        for name in fields:                  # the defaults live in _fields; instances hold the values
            if name in vars(cls) and not callable(vars(cls)[name]):
                delattr(cls, name)
        if "__init__" in vars(cls):          # a custom constructor: fields set inside it, checked after
            custom = vars(cls)["__init__"]

            def __init__(self, *args, **kw):
                object.__setattr__(self, "_constructing", True)
                try:
                    custom(self, *args, **kw)
                finally:
                    object.__setattr__(self, "_constructing", False)
                self._finish()
            __init__.__doc__ = custom.__doc__
            cls.__init__ = __init__
        cls.Spec = type("Spec", (_Spec,), {"value_type": cls, "__qualname__": f"{cls.__qualname__}.Spec"})

    def __init__(self, *args, **kwargs):
        names = list(self._fields)
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}: takes {len(names)} fields ({', '.join(names)}), "
                            f"got {len(args)} positional values")
        given = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in self._fields:
                raise TypeError(f"{type(self).__name__}: unexpected keyword argument {key!r}")
            if key in given:
                raise TypeError(f"{type(self).__name__}: got multiple values for field {key!r}")
            given[key] = value
        for name in names:
            if name not in given:
                default = self._fields[name][1]
                if default is _MISSING:
                    raise TypeError(f"{type(self).__name__}: missing required field {name!r}")
                given[name] = default
        for name in names:
            object.__setattr__(self, name, given[name])
        self._finish()

    def _finish(self) -> None:
        """Each field converted to its declared type (TypeError naming it otherwise), then ``__validate__``."""
        for name, (annotation, default) in self._fields.items():
            value = self.__dict__.get(name, default)
            if value is _MISSING:
                raise TypeError(f"{type(self).__name__}: the constructor did not set field {name!r}")
            object.__setattr__(self, name, _convert(name, annotation, value, type(self)))
        self.__validate__()

    def __validate__(self) -> None:
        """Checks of one's own on the converted fields (override it); nothing by default."""

    def __setattr__(self, name, value):
        if self.__dict__.get("_constructing"):
            object.__setattr__(self, name, value)
            return
        raise AttributeError(f"Cannot mutate attribute `{name}` outside the custom constructor of ExtensionType.")

    def __delattr__(self, name):
        raise AttributeError(f"Cannot mutate attribute `{name}` outside the custom constructor of ExtensionType.")

    def __repr__(self):
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other):
        if type(other) is not type(self):
            return False
        return all(_equal(getattr(self, n), getattr(other, n)) for n in self._fields)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None

    def _extension_fields(self) -> dict:
        """The fields by name: what a ``tf.function`` keys its traces on (tensors by dtype and shape)."""
        return {n: getattr(self, n) for n in self._fields}


def _spec(value):
    """A value's TypeSpec: a tensor's TensorSpec, an extension type's ``Spec``, a container's of each."""
    from ..data.structure import TensorSpec  # noqa: PLC0415
    from .tensor import Tensor  # noqa: PLC0415
    if isinstance(value, ExtensionType):
        return type(value).Spec(**{n: _spec(v) for n, v in value._extension_fields().items()})
    if isinstance(value, (Tensor, np.ndarray)):
        return TensorSpec(value.shape, np.asarray(value).dtype)
    if isinstance(value, tuple):
        return tuple(_spec(v) for v in value)
    if isinstance(value, dict):
        return ImmutableDict({k: _spec(v) for k, v in value.items()})
    return value


class _Spec:
    """An extension type's TypeSpec (``MyType.Spec``): each field's spec; equal when they all are."""

    value_type = None

    def __init__(self, **fields):
        for name in self.value_type._fields:
            value = fields.get(name, self.value_type._fields[name][1])
            object.__setattr__(self, name, ImmutableDict(value) if isinstance(value, dict) else value)

    def __eq__(self, other):
        return type(other) is type(self) and all(
            getattr(self, n) == getattr(other, n) for n in self.value_type._fields)

    def __hash__(self):
        return hash(repr(self))

    def __repr__(self):
        def shown(v):
            return repr(dict(v)) if isinstance(v, ImmutableDict) else repr(v)
        fields = ", ".join(f"{n}={shown(getattr(self, n))}" for n in self.value_type._fields)
        return f"{type(self).__qualname__}({fields})"


def type_spec_from_value(value):
    """``tf.type_spec_from_value``: the TypeSpec of a tensor (TensorSpec) or an extension type value."""
    from .tensor import Tensor, convert_to_tensor  # noqa: PLC0415
    if isinstance(value, ExtensionType) or isinstance(value, (Tensor, np.ndarray)):
        return _spec(value)
    try:
        return _spec(convert_to_tensor(value))
    except (TypeError, ValueError):
        raise TypeError(f"type_spec_from_value: could not build a TypeSpec for {value!r} "
                        f"with type {type(value).__name__}") from None
