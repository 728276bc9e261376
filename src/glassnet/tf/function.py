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


class _Recorder(io.TextIOBase):
    """Where ``print`` goes while a function traces for the first time: on to the real stream, and
    kept, so that the trace can be shown again (``tf.print`` bypasses it through ``untraced_real``)."""

    def __init__(self, real):
        self.untraced_real = real
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        return self.untraced_real.write(text)

    def flush(self):
        self.untraced_real.flush()


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
    if hasattr(value, "_extension_fields"):            # an ExtensionType: its TypeSpec (tf/extension_type.py)
        return (type(value).__qualname__,) + tuple((k, _signature(v)) for k, v in value._extension_fields().items())
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
            if self._graph_shape() == "<unknown>":          # TensorSpec(None): TF prints no shape
                return f'Tensor("{self._name()}:0", dtype={as_dtype(self.dtype).name})'
            return f'Tensor("{self._name()}:0", shape={self._graph_shape()}, dtype={as_dtype(self.dtype).name})'

        def __repr__(self):
            if self._name() is None:
                return Tensor.__repr__(self)
            return f"<tf.Tensor '{self._name()}:0' shape={self._graph_shape()} dtype={as_dtype(self.dtype).name}>"

        def _graph_shape(self):        # an input_signature's TensorSpec shape (None: any size) where it has one
            shape = getattr(self, "_spec_shape", None)
            return tuple(self.shape) if shape is None else shape

    globals()["_TRACED"] = TracedTensor
    return TracedTensor


def _as_traced(fn, instance, args, kwargs, specs=()):
    """Tensor arguments as TracedTensors named by their parameters (not while a tape records: the
    tape follows the tensors themselves); ``specs``: the input_signature's, for the shapes printed."""
    import inspect  # noqa: PLC0415
    from .tensor import Tensor, _active_tapes  # noqa: PLC0415
    if _active_tapes():
        return args, kwargs
    cls = globals().get("_TRACED") or _traced_class()
    try:
        names = list(inspect.signature(fn).parameters)[1 if instance is not None else 0:]
    except (TypeError, ValueError):
        names = []

    def traced(value, name, spec=None):
        if type(value) is not Tensor:
            return value
        out = value.view(cls)
        out._graph_name = name
        if _is_spec(spec):
            out._spec_shape = "<unknown>" if getattr(spec.shape, "rank", 0) is None else tuple(spec.shape)
        return out
    specs = tuple(specs) + (None,) * len(args)
    args = tuple(traced(a, names[i] if i < len(names) else f"args_{i}", specs[i]) for i, a in enumerate(args))
    return args, {k: traced(v, k) for k, v in kwargs.items()}


def _is_spec(spec) -> bool:
    return hasattr(spec, "shape") and hasattr(spec, "dtype") and not hasattr(spec, "__array__")


def _spec_fits(spec, shape, dtype) -> bool:
    if getattr(spec.shape, "rank", 0) is None:          # TensorSpec(None, dtype): any shape
        return np.dtype(dtype) == np.dtype(spec.dtype)
    want = tuple(spec.shape)
    return np.dtype(dtype) == np.dtype(spec.dtype) and len(want) == len(shape) and \
        all(w is None or w == g for w, g in zip(want, shape))


def _conform(value, spec):
    """``value`` as ``spec`` (a TensorSpec, or a list/tuple/dict of them) takes it, as TensorFlow binds
    an input_signature: a tensor must have the spec's dtype and a shape it allows; a Python value or
    NumPy array becomes a tensor of the spec's dtype (a float for an integer spec is refused)."""
    from .dtypes import as_dtype  # noqa: PLC0415
    from .tensor import Tensor, convert_to_tensor  # noqa: PLC0415
    from .variable import Variable  # noqa: PLC0415
    if isinstance(spec, dict):
        return {k: _conform(value[k], v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return type(value)(_conform(v, sp) for v, sp in zip(value, spec))
    if not _is_spec(spec):
        return value
    got = value
    if isinstance(value, Variable):
        got = value.value
    if not isinstance(got, Tensor):
        plain = convert_to_tensor(value)
        if np.dtype(spec.dtype).kind in "iu" and plain.dtype.kind == "f" and not isinstance(value, np.ndarray):
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {as_dtype(spec.dtype).name}")
        got = plain if plain.dtype == np.dtype(spec.dtype) else convert_to_tensor(value, dtype=spec.dtype)
    if not _spec_fits(spec, got.shape, got.dtype):
        raise TypeError(f"Can not cast TensorSpec(shape={tuple(got.shape)}, dtype={as_dtype(got.dtype)!r}, name=None) "
                        f"to TensorSpec(shape={tuple(spec.shape)}, dtype={as_dtype(spec.dtype)!r}, name=None)")
    return value if isinstance(value, (Tensor, Variable)) else got


def _bind(fn, instance, signature, args, kwargs):
    """The call's arguments bound to ``fn``'s parameters (defaults filled in) and conformed to
    ``signature``, in order; TensorFlow's TypeError ("Binding inputs to tf.function failed ...")
    when they do not fit."""
    import inspect  # noqa: PLC0415
    params = list(inspect.signature(fn).parameters.values())[1 if instance is not None else 0:]
    try:
        bound = inspect.Signature(params).bind(*args, **kwargs)
        bound.apply_defaults()
        values = list(bound.arguments.values())
        if len(values) < len(signature):
            raise TypeError(f"the input_signature has {len(signature)} specs for {len(values)} parameters")
        return tuple(_conform(v, sp) for v, sp in zip(values, signature)) + tuple(values[len(signature):])
    except (TypeError, ValueError, KeyError) as e:
        raise TypeError(f"Binding inputs to tf.function failed due to `{e}`. Received args: {args} and kwargs: "
                        f"{kwargs} for signature: {tuple(signature)}.") from None


def _fits_specs(specs, args) -> bool:
    """Whether ``args`` would go to a function traced for ``specs`` (each tensor argument's
    dtype and shape allowed by its spec; anything else equal)."""
    if len(specs) != len(args):
        return False
    for spec, value in zip(specs, args):
        if _is_spec(spec):
            if not (hasattr(value, "shape") and hasattr(value, "dtype") and _spec_fits(spec, value.shape, value.dtype)):
                return False
        elif _signature(spec) != _signature(value):
            return False
    return True


class ConcreteFunction:
    """What ``get_concrete_function`` gives: the function for one signature of TensorSpecs. glassnet
    builds no graph; calling it checks the arguments against the specs and runs the Python function
    (its Python side effects run when it is called, not when it was made, as TensorFlow's trace)."""

    def __init__(self, function, instance, specs):
        import inspect  # noqa: PLC0415
        self._function, self._instance, self._specs = function, instance, tuple(specs)
        names = list(inspect.signature(function.python_function).parameters)[1 if instance is not None else 0:]
        self.structured_input_signature = (tuple(
            type(sp)(sp.shape, sp.dtype, name=n) if _is_spec(sp) and getattr(sp, "name", 0) is None else sp
            for sp, n in zip(self._specs, names)), {})

    def __call__(self, *args, **kwargs):
        args = _bind(self._function.python_function, self._instance, self._specs, args, kwargs)
        return self._function._run(self._instance, args, {})

    def __repr__(self):
        return f"<ConcreteFunction {self._function.python_function.__qualname__}>"


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


RUNNING = [0]           # tf.function calls running now (what a graph optimizer would see: tf/debugging.py asks)


class Function:
    """A function under ``@tf.function`` (TensorFlow's ``PolymorphicFunction``)."""

    def __init__(self, python_function, input_signature=None, **options):
        functools.update_wrapper(self, python_function)
        self.python_function = python_function
        self.input_signature = input_signature
        self._options = options
        self._traced = set()
        self._signatures = []
        self._concrete = []             # (id(instance), specs) that get_concrete_function traced
        self._retraces = 0              # second traces (TF's, after a first trace that made variables)

    def __call__(self, *args, **kwargs):
        return self._run(None, args, kwargs)

    def _run(self, instance, args, kwargs):
        RUNNING[0] += 1
        try:
            return self._recorded(instance, args, kwargs)
        finally:
            RUNNING[0] -= 1

    def _recorded(self, instance, args, kwargs):
        from .trace_graph import RECORDER  # noqa: PLC0415
        recorder = RECORDER[0]
        if recorder is None:
            return self._call(instance, args, kwargs)
        recorder.begin_call(self.python_function, args if instance is None else (instance,) + tuple(args), kwargs)
        out = None
        try:
            out = self._call(instance, args, kwargs)
        finally:
            recorder.end_call(out)              # (tf.summary.trace_on(graph=True): the call's graph)
        return out

    def _call(self, instance, args, kwargs):
        from .. import config  # noqa: PLC0415
        call = self.python_function if instance is None else self.python_function.__get__(instance)
        specs = ()
        if self.input_signature is not None:        # one trace for every call the signature allows
            args, kwargs, specs = _bind(self.python_function, instance, self.input_signature, args, kwargs), {}, \
                self.input_signature
            key = (id(instance), "input_signature")
        else:
            key = (id(instance), _signature(list(args)), _signature(kwargs))
            if not kwargs and key not in self._traced:
                for owner, traced_specs in self._concrete:
                    if owner == id(instance) and _fits_specs(traced_specs, args):
                        key, specs = (owner, "concrete", traced_specs), traced_specs
                        break
        if not config._EAGER[0] and key in self._traced:
            real = sys.stdout
            sys.stdout = _Quiet(real)
            try:
                out = call(*args, **kwargs)
            finally:
                sys.stdout = real
        else:
            if not config._EAGER[0]:                     # "tracing": tensor arguments print as graph tensors
                args, kwargs = _as_traced(self.python_function, instance, args, kwargs, specs)
            if config._EAGER[0] or key in self._traced:
                out = call(*args, **kwargs)
            else:
                out = self._first_trace(call, args, kwargs)
            if not config._EAGER[0] and key not in self._traced:
                self._traced.add(key)
                self._signatures.append(self._described(instance, args, kwargs, _as_tensors(out)))
        return _as_tensors(out)

    def _first_trace(self, call, args, kwargs):
        """A signature's first call. TensorFlow traces a function twice when its first trace makes
        variables (a layer built, ``tf.Variable(...)`` inside): its Python side effects, ``print``
        among them, happen twice; glassnet runs the function once and prints its Python output
        again, and counts the second trace."""
        from . import variable  # noqa: PLC0415
        unbuilt = [o for o in self._optimizers(args, kwargs) if not getattr(o, "built", True)]
        before, real = variable.CREATED[0], sys.stdout
        sys.stdout = recorder = _Recorder(real)
        try:
            out = call(*args, **kwargs)
        finally:
            sys.stdout = real
        # an optimizer's first apply_gradients makes Keras's variables (iterations, slots) in TF
        if variable.CREATED[0] != before or any(getattr(o, "built", False) for o in unbuilt):
            self._retraces += 1
            if recorder.parts:
                real.write("".join(recorder.parts))
        return out

    def _optimizers(self, args, kwargs) -> list:
        """The Keras optimizers the function can reach directly: its arguments, its closure and
        the globals it names (``opt`` in ``opt.apply_gradients(...)``)."""
        import sys as _sys  # noqa: PLC0415
        base = getattr(_sys.modules.get("glassnet.optimizers.base"), "Optimizer", None)
        if base is None:                # no optimizer was ever made: none to find
            return []
        fn = self.python_function
        seen = list(args) + list(kwargs.values())
        for cell in fn.__closure__ or ():
            try:
                seen.append(cell.cell_contents)
            except ValueError:          # a cell not filled yet
                pass
        seen += [fn.__globals__[n] for n in fn.__code__.co_names if n in fn.__globals__]
        return [o for o in seen if isinstance(o, base)]

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
        bound.get_concrete_function = functools.partial(self._concrete_for, instance)
        return bound

    def _call_bound(self, instance, *args, **kwargs):
        return self._run(instance, args, kwargs)

    def experimental_get_tracing_count(self) -> int:
        return len(self._traced) + self._retraces

    def get_concrete_function(self, *args, **kwargs):
        """The :class:`ConcreteFunction` for the input_signature (no arguments), or for these
        arguments (TensorSpecs, or tensors standing for their own specs). It counts as a trace: a later
        call whose tensors those specs allow runs as an already traced one does."""
        return self._concrete_for(None, *args, **kwargs)

    def _concrete_for(self, instance, *args, **kwargs):
        import inspect  # noqa: PLC0415
        from .tensor import Tensor  # noqa: PLC0415
        if args or kwargs:
            params = list(inspect.signature(self.python_function).parameters)[1 if instance is not None else 0:]
            try:
                bound = inspect.signature(self.python_function).bind_partial(
                    *(((instance,) if instance is not None else ()) + args), **kwargs).arguments
            except TypeError as e:
                raise TypeError(f"get_concrete_function: {e}") from None
            values = [bound[p] for p in params if p in bound]
            specs = tuple(_spec_of(v) if isinstance(v, (Tensor, np.ndarray)) else v for v in values)
        elif self.input_signature is not None:
            specs = tuple(self.input_signature)
        else:
            raise ValueError("get_concrete_function: this tf.function has no input_signature; pass the arguments "
                             "(tf.TensorSpec or tensors) to trace it for")
        key = (id(instance), "input_signature") if self.input_signature is not None else (id(instance), "concrete", specs)
        if self.input_signature is None and (id(instance), specs) not in self._concrete:
            self._concrete.append((id(instance), specs))
        if key not in self._traced:
            self._traced.add(key)
        return ConcreteFunction(self, instance, specs)

    def __repr__(self):
        return f"<glassnet.tf.function.Function object wrapping {self.python_function.__qualname__}>"


def _spec_of(value):
    from ..data.structure import TensorSpec  # noqa: PLC0415
    return TensorSpec(np.shape(value), np.asarray(value).dtype)


def function(func=None, input_signature=None, autograph=True, jit_compile=None, reduce_retracing=False,
             experimental_implements=None, experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None, experimental_follow_type_hints=None):
    """``tf.function(func)`` or ``@tf.function(...)``: a :class:`Function` (see the module's text)."""
    if func is None:
        return lambda f: Function(f, input_signature)
    return Function(func, input_signature)
