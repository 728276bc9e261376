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
import inspect
import sys
import typing

import numpy as np

__all__ = ["ExtensionType", "ImmutableDict", "dispatch_for_api", "dispatch_for_binary_elementwise_apis",
           "dispatch_for_unary_elementwise_apis", "type_spec_from_value", "unregister_dispatch_for"]

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
        own = vars(cls).get("Spec")             # a Spec class of one's own: its methods over the generated one's
        bases = (own, _Spec) if isinstance(own, type) and not issubclass(own, _Spec) else (_Spec,)
        cls.Spec = type("Spec", bases, {"value_type": cls, "__qualname__": f"{cls.__qualname__}.Spec"})

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

    @staticmethod
    def __glassnet_dispatch__(fn, args, kwargs):
        """A TensorFlow function given an extension value (``tf.stack([mt, mt])``): the dispatchers registered."""
        return _dispatch(fn, args, kwargs)

    def _extension_fields(self) -> dict:
        """The fields by name: what a ``tf.function`` keys its traces on (tensors by dtype and shape)."""
        return {n: getattr(self, n) for n in self._fields}


def _spec(value):
    """A value's TypeSpec: a tensor's TensorSpec, an extension type's ``Spec``, a container's of each."""
    from ..data.structure import TensorSpec  # noqa: PLC0415
    from .tensor import Tensor  # noqa: PLC0415
    if isinstance(value, ExtensionType):
        spec = object.__new__(type(value).Spec)             # (a Spec of one's own may take other arguments)
        _Spec.__init__(spec, **{n: _spec(v) for n, v in value._extension_fields().items()})
        return spec
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


# -- tf.experimental.dispatch_for_*: TensorFlow functions on extension values -----------------------
_API_HANDLERS: dict = {}        # a TensorFlow function (its plain one) -> handlers, the latest first
_UNARY: dict = {}               # x_type -> handler(api_func, x)
_BINARY: dict = {}              # (x_type, y_type) -> handler(api_func, x, y)
_UNARY_NAMES = frozenset("""abs negative sign floor ceil round rint sqrt rsqrt square exp expm1 log log1p sin cos tan
    asin acos atan sinh cosh tanh asinh acosh atanh sigmoid softplus softsign erf erfc reciprocal logical_not
    invert is_nan is_inf is_finite ones_like zeros_like cast identity real imag conj relu relu6 elu selu gelu
    leaky_relu log_sigmoid lgamma digamma""".split())
_BINARY_NAMES = frozenset("""add subtract multiply divide truediv floordiv floormod mod pow maximum minimum equal
    not_equal less less_equal greater greater_equal logical_and logical_or logical_xor squared_difference atan2
    realdiv truncatediv truncatemod divide_no_nan multiply_no_nan xlogy xdivy""".split())


def _plain_api(api):
    return getattr(api, "__wrapped__", api)


def dispatch_for_api(api, *signatures):
    """``@tf.experimental.dispatch_for_api(tf.stack)``: the decorated function runs instead of ``api``
    when the arguments match its annotations (``values: List[MaskedTensor]``)."""
    def register(handler):
        _API_HANDLERS.setdefault(_plain_api(api), []).insert(0, handler)
        return handler
    return register


def dispatch_for_unary_elementwise_apis(x_type):
    """``@tf.experimental.dispatch_for_unary_elementwise_apis(MaskedTensor)``: ``handler(api_func, x)``
    runs for every unary elementwise function (``tf.abs``, ``tf.ones_like``...) given an ``x_type``."""
    def register(handler):
        _UNARY[x_type] = handler
        return handler
    return register


def dispatch_for_binary_elementwise_apis(x_type, y_type):
    """``handler(api_func, x, y)`` for every binary elementwise function (``tf.math.add``...) given
    an ``x_type`` and a ``y_type``."""
    def register(handler):
        _BINARY[(x_type, y_type)] = handler
        return handler
    return register


def unregister_dispatch_for(dispatch_target) -> None:
    """Remove a function registered by one of the ``dispatch_for_*`` decorators (ValueError if it is not)."""
    found = False
    for handlers in _API_HANDLERS.values():
        while dispatch_target in handlers:
            handlers.remove(dispatch_target)
            found = True
    for table in (_UNARY, _BINARY):
        for key in [k for k, h in table.items() if h is dispatch_target]:
            del table[key]
            found = True
    if not found:
        raise ValueError(f"Function {dispatch_target!r} was not registered using a `@dispatch_for_*` decorator.")


def _matches(value, annotation) -> bool:
    from .tensor import Tensor  # noqa: PLC0415
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is inspect.Parameter.empty or annotation is typing.Any:
        return True
    if origin is typing.Union:
        return any(_matches(value, a) for a in args)
    if origin in (list, collections.abc.Sequence, tuple):
        return isinstance(value, (list, tuple)) and all(_matches(v, args[0] if args else typing.Any) for v in value)
    if annotation is Tensor:
        return isinstance(value, (Tensor, np.ndarray))
    return isinstance(value, annotation) if isinstance(annotation, type) else True


def _dispatch(fn, args, kwargs):
    for handler in _API_HANDLERS.get(fn, ()):
        signature = inspect.signature(handler)
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            continue
        if all(_matches(v, signature.parameters[k].annotation) for k, v in bound.arguments.items()):
            return handler(*args, **kwargs)
    name = fn.__name__
    if name in _UNARY_NAMES and args:
        for x_type, handler in _UNARY.items():
            if isinstance(args[0], x_type):
                return handler(lambda x: fn(x, *args[1:], **kwargs), args[0])
    if name in _BINARY_NAMES and len(args) >= 2:
        for (x_type, y_type), handler in _BINARY.items():
            if isinstance(args[0], x_type) and isinstance(args[1], y_type):
                return handler(lambda x, y: fn(x, y, *args[2:], **kwargs), args[0], args[1])
    kinds = sorted({type(a).__name__ for a in args if isinstance(a, ExtensionType)} |
                   {type(v).__name__ for a in args if isinstance(a, (list, tuple)) for v in a
                    if isinstance(v, ExtensionType)})
    raise TypeError(f"{name}: no dispatcher handles these arguments ({', '.join(kinds)}); register one with "
                    "tf.experimental.dispatch_for_api or dispatch_for_unary/binary_elementwise_apis")
