"""``tf.function``: TensorFlow traces the function into a graph once per input signature and
then runs the graph; glassnet runs the Python every time (eagerly: its backward pass stays
Python you can step through), but keeps TensorFlow's visible habits:

* the function's Python ``print`` output appears only when TensorFlow would trace: the first
  call with a new signature (a tensor's dtype and shape, a Python value itself), or every call
  under ``tf.config.run_functions_eagerly(True)``; ``tf.print`` prints at every call, as in TF;
* what it returns comes back as tensors (``return 0`` gives ``tf.Tensor(0, ...)``);
* ``experimental_get_tracing_count()`` counts the signatures seen, and
  ``pretty_printed_concrete_signatures()`` describes each as TensorFlow does (its inputs and output
  type; "Captures: None" always, where TensorFlow lists the variables a graph captured).

Other Python side effects (appending to a list, counting calls) happen at every call here, where
TensorFlow runs them only while tracing; a graph's own things (``get_concrete_function().graph``)
are refused by name.

>>> import glassnet as tf
>>> tf.config.run_functions_eagerly(False)         # the default: prints only while "tracing"
>>> @tf.function
... def f(x):
...     print("Tracing!")
...     return x * x
>>> f(tf.constant(2)).numpy()
Tracing!
np.int32(4)
>>> f(tf.constant(3)).numpy(), f.experimental_get_tracing_count()
(np.int32(9), 1)
"""
from __future__ import annotations

import functools
import io
import sys

import numpy as np

__all__ = ["Function", "function"]


class _Quiet(io.TextIOBase):
    """Where ``print`` goes while a signature already traced runs again: nowhere. ``tf.print`` to
    ``sys.stdout`` still reaches the real stream (glassnet.tf.printing asks ``untraced_real``)."""

    def __init__(self, real):
        self.untraced_real = real

    def write(self, text):
        return len(text)


def _signature(value):
    """What TensorFlow keys its traces on: a tensor's (dtype, shape), a Python value itself."""
    from .tensor import Tensor  # noqa: PLC0415
    from .variable import Variable  # noqa: PLC0415
    if isinstance(value, (Tensor, np.ndarray, Variable)):
        return ("tensor", np.dtype(value.dtype).str, tuple(value.shape))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__,) + tuple(_signature(v) for v in value)
    if isinstance(value, dict):
        return ("dict",) + tuple((k, _signature(value[k])) for k in sorted(value, key=repr))
    try:
        hash(value)
        return ("value", type(value).__name__, value)
    except TypeError:
        return ("object", id(value))


def _spec(value) -> str:
    """How TensorFlow writes a traced value's type: TensorSpec(...), Literal[2], List[...], Dict[...]."""
    from .tensor import Tensor  # noqa: PLC0415
    from .variable import Variable  # noqa: PLC0415
    if isinstance(value, (Tensor, np.ndarray, Variable)):
        from .dtypes import as_dtype  # noqa: PLC0415
        return f"TensorSpec(shape={tuple(value.shape)}, dtype={as_dtype(value.dtype)!r}, name=None)"
    if isinstance(value, list):
        return "List[" + ", ".join(_spec(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "Tuple[" + ", ".join(_spec(v) for v in value) + "]"
    if isinstance(value, dict):
        return "Dict[" + ", ".join(f"[{k!r}, {_spec(v)}]" for k, v in value.items()) + "]"
    return f"Literal[{value!r}]"


def _traced_class():
    from .dtypes import as_dtype  # noqa: PLC0415
    from .tensor import Tensor  # noqa: PLC0415

    class TracedTensor(Tensor):
        """An argument while a tf.function "traces": its numbers as they are, printed as TensorFlow
        prints the graph's placeholder (``Tensor("a:0", shape=(), dtype=int32)``)."""

        def _name(self):
            return getattr(self, "_graph_name", None)

        def __str__(self):
            if self._name() is None:
                return Tensor.__str__(self)
            return f'Tensor("{self._name()}:0", shape={tuple(self.shape)}, dtype={as_dtype(self.dtype).name})'

        def __repr__(self):
            if self._name() is None:
                return Tensor.__repr__(self)
            return f"<tf.Tensor '{self._name()}:0' shape={tuple(self.shape)} dtype={as_dtype(self.dtype).name}>"

    globals()["_TRACED"] = TracedTensor
    return TracedTensor


def _as_traced(fn, instance, args, kwargs):
    """Tensor arguments as TracedTensors named by their parameters (not while a tape records: the
    tape follows the tensors themselves)."""
    import inspect  # noqa: PLC0415
    from .tensor import Tensor, _active_tapes  # noqa: PLC0415
    if _active_tapes():
        return args, kwargs
    cls = globals().get("_TRACED") or _traced_class()
    try:
        names = list(inspect.signature(fn).parameters)[1 if instance is not None else 0:]
    except (TypeError, ValueError):
        names = []

    def traced(value, name):
        if type(value) is not Tensor:
            return value
        out = value.view(cls)
        out._graph_name = name
        return out
    args = tuple(traced(a, names[i] if i < len(names) else f"args_{i}") for i, a in enumerate(args))
    return args, {k: traced(v, k) for k, v in kwargs.items()}


def _as_tensors(out):
    """The function's result as TensorFlow hands it back: numbers, strings and arrays as tensors."""
    from .tensor import Tensor, convert_to_tensor  # noqa: PLC0415
    if isinstance(out, Tensor) and type(out) is not Tensor and type(out).__name__ == "TracedTensor":
        return out.view(Tensor)
    if isinstance(out, (str, bytes)):
        return convert_to_tensor(out)
    if isinstance(out, (list, tuple)) and not hasattr(out, "_fields"):
        return type(out)(_as_tensors(v) for v in out)
    if isinstance(out, dict):
        return {k: _as_tensors(v) for k, v in out.items()}
    if isinstance(out, (bool, int, float, np.ndarray, np.generic)) and not isinstance(out, Tensor):
        return convert_to_tensor(out)
    return out


class Function:
    """A function under ``@tf.function`` (TensorFlow's ``PolymorphicFunction``)."""

    def __init__(self, python_function, input_signature=None, **options):
        functools.update_wrapper(self, python_function)
        self.python_function = python_function
        self.input_signature = input_signature
        self._options = options
        self._traced = set()
        self._signatures = []

    def __call__(self, *args, **kwargs):
        return self._run(None, args, kwargs)

    def _run(self, instance, args, kwargs):
        from .. import config  # noqa: PLC0415
        call = self.python_function if instance is None else self.python_function.__get__(instance)
        key = (id(instance), _signature(list(args)), _signature(kwargs))
        if not config._EAGER[0] and key in self._traced:
            real = sys.stdout
            sys.stdout = _Quiet(real)
            try:
                out = call(*args, **kwargs)
            finally:
                sys.stdout = real
        else:
            if not config._EAGER[0]:                     # "tracing": tensor arguments print as graph tensors
                args, kwargs = _as_traced(self.python_function, instance, args, kwargs)
            out = call(*args, **kwargs)
            if not config._EAGER[0] and key not in self._traced:
                self._traced.add(key)
                self._signatures.append(self._described(instance, args, kwargs, _as_tensors(out)))
        return _as_tensors(out)

    def _described(self, instance, args, kwargs, out) -> str:
        """TensorFlow's text for one traced signature."""
        import inspect  # noqa: PLC0415
        try:
            bound = inspect.signature(self.python_function).bind(
                *(((instance,) if instance is not None else ()) + tuple(args)), **kwargs)
            bound.apply_defaults()
            params = inspect.signature(self.python_function).parameters
            items = [(name, params[name].kind.name, value) for name, value in bound.arguments.items()]
        except TypeError:
            items = [(f"arg_{i}", "POSITIONAL_ONLY", a) for i, a in enumerate(args)]
        if instance is not None:
            items = items[1:]
        lines = ["Input Parameters:"] + [f"  {name} ({kind}): {_spec(value)}" for name, kind, value in items]
        return "\n".join(lines + ["Output Type:", f"  {_spec(out)}", "Captures:", "  None"])

    def pretty_printed_concrete_signatures(self, verbose=True) -> str:
        return "\n\n".join(self._signatures)

    def __get__(self, instance, owner=None):
        """A method under ``@tf.function``: bound to ``instance``, traced per instance."""
        if instance is None:
            return self
        bound = functools.partial(self._call_bound, instance)
        bound.experimental_get_tracing_count = self.experimental_get_tracing_count
        return bound

    def _call_bound(self, instance, *args, **kwargs):
        return self._run(instance, args, kwargs)

    def experimental_get_tracing_count(self) -> int:
        return len(self._traced)

    def get_concrete_function(self, *args, **kwargs):
        raise NotImplementedError("tf.function: glassnet runs functions eagerly and builds no graph, so there is "
                                  "no concrete function (call the function itself)")

    def __repr__(self):
        return f"<glassnet.tf.function.Function object wrapping {self.python_function.__qualname__}>"


def function(func=None, input_signature=None, autograph=True, jit_compile=None, reduce_retracing=False,
             experimental_implements=None, experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None, experimental_follow_type_hints=None):
    """``tf.function(func)`` or ``@tf.function(...)``: a :class:`Function` (see the module's text)."""
    if func is None:
        return lambda f: Function(f, input_signature)
    return Function(func, input_signature)
