"""``tf.saved_model.save`` / ``load``: what glassnet can honestly keep of TensorFlow's SavedModel.

TensorFlow's SavedModel stores an object's variables *and* its traced graphs
(``saved_model.pb``), and ``load`` gives back an object whose methods run those graphs, with no
Python class needed. glassnet has no graphs, and never runs code read from a file, so:

- ``save(obj, export_dir)`` writes ``export_dir/variables/variables.index`` and
  ``.data-00000-of-00001`` (a glassnet checkpoint, ``tf.train``'s safe format, the variables
  named as a SavedModel names them: ``w/.ATTRIBUTES/VARIABLE_VALUE`` for ``obj.w``), and
  ``export_dir/glassnet_saved_model.json`` (what was saved: its class, and the kind). For a Keras
  model (Sequential or functional, or any model ``model.save`` can write) it also writes
  ``export_dir/model.keras``: the architecture, weights and compile state. No
  ``saved_model.pb`` is written (there is no graph), so TensorFlow cannot load the folder.
- ``load(export_dir)`` of a Keras model returns that model (``keras.models.load_model`` of its
  ``model.keras``; TensorFlow would return a plain object with the traced ``__call__``, the
  model is more useful and computes the same). ``load`` of anything else (a ``tf.Module``, a
  subclassed model ``model.keras`` could not describe) returns a :class:`Restored`: the
  variables, restored, at their attribute paths (``loaded.dense_1.w``; ``variables``,
  ``trainable_variables``, ``submodules``), not an instance of the class (TensorFlow's is not
  either) and with no functions: calling it raises ``TypeError`` saying what to do instead, make
  the object again with its class and restore its variables with
  ``tf.train.Checkpoint(obj).read(os.path.join(export_dir, "variables", "variables"))``.
  A folder holding TensorFlow's ``saved_model.pb`` only is refused naming it.
- A loaded Keras model carries TensorFlow's ``signatures``: ``serving_default``, its forward pass
  answering ``{"output_0": ...}`` (with ``structured_outputs``); a folder ``model.export(path)``
  wrote (:func:`export_model`, Keras 3's default ``tf_saved_model`` format) adds ``serve``.
- In the process that saved it, ``load`` of a ``tf.Module`` (or subclassed model) gives an object
  whose functions run, as TensorFlow's loaded object runs its traced functions: ``save`` keeps a
  copy of the object in memory (its description names it by a random token), and ``load`` hands
  back a fresh copy of that with its variables read from the folder. The code comes from the
  running program, never from the file; another process gets the :class:`Restored` above.

Each file is written to a temporary name and renamed into place; the description comes last,
so a folder that has it is whole.

>>> import glassnet as tf, tempfile, os
>>> model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
>>> folder = os.path.join(tempfile.mkdtemp(), "the_saved_model")
>>> tf.saved_model.save(model, folder)
>>> sorted(os.listdir(folder))
['glassnet_saved_model.json', 'model.keras', 'variables']
>>> type(tf.saved_model.load(folder)).__name__
'Sequential'
"""
from __future__ import annotations

import copy
import json
import os
import secrets

__all__ = ["DEFAULT_SERVING_SIGNATURE_DEF_KEY", "LoadOptions", "Restored", "SaveOptions", "contains_saved_model", "load",
           "save"]

DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"

_MARKER = "glassnet_saved_model.json"
_FORMAT = "glassnet-saved-model"
_SAVED_HERE = {}          # token -> a copy of an object saved by this process (its functions, for load)


class SaveOptions:
    """``tf.saved_model.SaveOptions``: TensorFlow's options for writing a SavedModel (the device for
    file I/O, namespace whitelists, function aliases...). Accepted and kept: glassnet writes its
    folder from this process, on this machine, with none of TensorFlow's graph to configure."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_debug_stripper=False, experimental_io_device=None, experimental_variable_policy=None,
                 experimental_custom_gradients=True, experimental_image_format=False,
                 experimental_skip_saver=False, experimental_sharding_callback=None, extra_tags=None):
        self.namespace_whitelist = list(namespace_whitelist or [])
        self.save_debug_info, self.function_aliases = save_debug_info, dict(function_aliases or {})
        self.experimental_io_device = experimental_io_device
        self.experimental_variable_policy = experimental_variable_policy
        self.experimental_custom_gradients, self.experimental_image_format = (experimental_custom_gradients,
                                                                              experimental_image_format)
        self.experimental_debug_stripper, self.experimental_skip_saver = experimental_debug_stripper, experimental_skip_saver
        self.experimental_sharding_callback, self.extra_tags = experimental_sharding_callback, extra_tags


class LoadOptions:
    """``tf.saved_model.LoadOptions``: accepted and kept, as :class:`SaveOptions`."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_skip_checkpoint=False, experimental_variable_policy=None,
                 experimental_load_function_aliases=False):
        self.allow_partial_checkpoint = allow_partial_checkpoint
        self.experimental_io_device = experimental_io_device
        self.experimental_skip_checkpoint = experimental_skip_checkpoint
        self.experimental_variable_policy = experimental_variable_policy
        self.experimental_load_function_aliases = experimental_load_function_aliases


def _folder(export_dir, who: str) -> str:
    path = os.fspath(export_dir)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    if not path:
        raise ValueError(f"{who}: export_dir must not be empty")
    return path


def save(obj, export_dir, signatures=None, options=None, _serve=False) -> None:
    """Write ``obj``'s variables (and, for a Keras model, its ``.keras`` file) under ``export_dir``.
    (``_serve``: ``model.export``'s folder, whose loaded model has TensorFlow's ``serve`` too.)"""
    from ..layers.base import Layer                   # noqa: PLC0415
    from . import train                               # noqa: PLC0415
    from .module import Module                        # noqa: PLC0415
    folder = _folder(export_dir, "saved_model.save")
    if not isinstance(obj, (Module, Layer)):
        raise ValueError(f"saved_model.save: obj must be a tf.Module or a Keras model/layer, got "
                         f"{type(obj).__name__}")
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise FileExistsError(f"saved_model.save: {folder!r} exists and is a file, not a folder")
    ckpt = train.Checkpoint(obj)
    slots, _ = ckpt._slots(with_counter=False)
    arrays = {k: s.get() for k, s in slots.items()}      # read everything before writing anything
    trainable = {k: s.trainable for k, s in slots.items()}
    keras_bytes, kind, why = None, "module", ""
    from ..engine.model import Model                  # noqa: PLC0415
    if isinstance(obj, Model) and obj._is_subclass():
        why = "a subclassed model: its .keras file loads only beside its class, so this folder keeps its variables"
        kind = "keras-weights"
    elif isinstance(obj, Model):
        keras_bytes, why = _keras_file(obj)
        kind = "keras" if keras_bytes is not None else "keras-weights"
    os.makedirs(os.path.join(folder, "variables"), exist_ok=True)
    write_bytes = train.write_bytes
    marker = os.path.join(folder, _MARKER)
    if os.path.exists(marker):
        os.remove(marker)                             # the folder is whole again only when it is rewritten
    train._write(os.path.join(folder, "variables", "variables"), arrays, trainable)
    if keras_bytes is not None:
        write_bytes(os.path.join(folder, "model.keras"), keras_bytes)
    elif os.path.exists(os.path.join(folder, "model.keras")):
        os.remove(os.path.join(folder, "model.keras"))
    cls = type(obj)
    info = {"format": _FORMAT, "version": 1, "kind": kind, "class": f"{cls.__module__}.{cls.__qualname__}"}
    if why:
        info["no_keras_file"] = why
    if _serve:
        info["endpoints"] = ["serve"]
    if kind != "keras":
        try:
            snapshot = copy.deepcopy((obj, _signature_specs(obj, signatures)))
        except Exception:                             # noqa: BLE001 - an object that cannot be copied: variables only
            snapshot = None
        if snapshot is not None:
            info["saved_in_process"] = secrets.token_hex(16)
            _SAVED_HERE[info["saved_in_process"]] = snapshot
    write_bytes(marker, json.dumps(info, indent=1).encode("utf-8"))


def _keras_file(model):
    """The bytes of ``model``'s ``.keras`` file, or None and why it cannot be written."""
    import tempfile                                   # noqa: PLC0415
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        try:
            model.save(path)
        except (NotImplementedError, TypeError, ValueError) as e:
            return None, f"{type(e).__name__}: {e}"
        with open(path, "rb") as f:
            return f.read(), ""


def contains_saved_model(export_dir) -> bool:
    """True where ``export_dir`` holds a (whole) glassnet SavedModel."""
    return os.path.isfile(os.path.join(os.fspath(export_dir), _MARKER))


def load(export_dir, tags=None, options=None):
    """A Keras model saved by ``save``, back (from its ``model.keras``); an object saved by this
    process, a copy whose functions run, its variables read from ``export_dir``; anything else as a
    :class:`Restored` (its variables by attribute path, no functions)."""
    folder = _folder(export_dir, "saved_model.load")
    marker = os.path.join(folder, _MARKER)
    if not os.path.isfile(marker):
        if os.path.isfile(os.path.join(folder, "saved_model.pb")) or os.path.isfile(
                os.path.join(folder, "saved_model.pbtxt")):
            raise ValueError(f"saved_model.load: {folder!r} is TensorFlow's SavedModel (saved_model.pb): its traced "
                             "graphs are TensorFlow programs, which glassnet does not run; save the model with "
                             "glassnet (or as a .keras file from Keras) instead")
        raise OSError(f"SavedModel file does not exist at: {folder!r} (no {_MARKER}; write one with "
                      "tf.saved_model.save(obj, export_dir))")
    try:
        with open(marker, "rb") as f:
            info = json.loads(f.read(1 << 20).decode("utf-8"))
        if not isinstance(info, dict) or info.get("format") != _FORMAT or info.get("version") != 1:
            raise ValueError("not a glassnet SavedModel description of version 1")
        kind, cls = info["kind"], str(info.get("class", "?"))
    except (ValueError, KeyError, UnicodeDecodeError) as e:
        raise ValueError(f"saved_model.load: {marker!r} is damaged: {e}") from None
    variables = os.path.join(folder, "variables", "variables")
    if kind == "keras":
        from ..models import load_model               # noqa: PLC0415 - a model's file methods load saving
        return _serving(load_model(os.path.join(folder, "model.keras")), {}, info)
    snapshot = _SAVED_HERE.get(info.get("saved_in_process"))
    if snapshot is not None:                          # saved by this process: its functions run
        from . import train                           # noqa: PLC0415
        obj, specs = copy.deepcopy(snapshot)
        train.Checkpoint(obj).read(variables).assert_existing_objects_matched()
        return _serving(obj, {key: _Signature(obj, *spec) for key, spec in specs.items()}, info)
    return _restored(folder, variables, cls, info.get("no_keras_file"))


def _signature_specs(obj, signatures) -> dict:
    """``save``'s ``signatures`` (a concrete function, a tf.function, or a dict of them) as
    ``{key: (method name, specs)}``: methods of ``obj``, bound again to the loaded copy."""
    if signatures is None:
        return {}
    if not isinstance(signatures, dict):
        signatures = {DEFAULT_SERVING_SIGNATURE_DEF_KEY: signatures}
    out = {}
    for key, fn in signatures.items():
        concrete = fn.get_concrete_function() if hasattr(fn, "get_concrete_function") else fn
        function, instance = getattr(concrete, "_function", None), getattr(concrete, "_instance", None)
        name = getattr(function, "__name__", None)
        if function is None or instance is not obj or getattr(type(obj), name, None) is not function:
            raise ValueError(f"saved_model.save: signatures[{key!r}] must be a concrete function of one of the saved "
                             f"object's tf.function methods (obj.method.get_concrete_function(...)), got {fn!r}")
        out[key] = (name, concrete._specs)
    return out


def _serving(obj, signatures: dict, info: dict):
    """The loaded object with TensorFlow's ``signatures`` (a Keras model saved without any gets
    ``serving_default``, its forward pass, as TensorFlow gives a Keras model) and, for
    ``model.export``'s folder, ``serve`` (the forward pass, answering as the model does)."""
    from ..engine.model import Model                  # noqa: PLC0415
    if isinstance(obj, Model):
        if "serve" in info.get("endpoints", ()):
            object.__setattr__(obj, "serve", lambda *args: obj(args[0] if len(args) == 1 else list(args),
                                                                 training=False))
            signatures = {"serve": _ModelSignature(obj), **signatures}       # TF's order: serve, serving_default
        if DEFAULT_SERVING_SIGNATURE_DEF_KEY not in signatures:
            signatures[DEFAULT_SERVING_SIGNATURE_DEF_KEY] = _ModelSignature(obj)
    object.__setattr__(obj, "signatures", signatures)
    return obj


class _ModelSignature:
    """A loaded Keras model's ``signatures["serving_default"]``, as TensorFlow's: the forward pass
    (inference), called with the input positionally or by keyword, answering a dict: ``output_0``
    (``output_1``... for a model with several outputs; a dict output keeps its names)."""

    def __init__(self, model):
        self._model = model

    def __call__(self, *args, **kwargs):
        if kwargs:
            if args or len(kwargs) != len(self._model.inputs):
                raise TypeError(f"signature: give the {len(self._model.inputs)} input(s) either positionally or "
                                f"by name, got {len(args)} positional and {sorted(kwargs)}")
            args = tuple(kwargs.values())
        x = args[0] if len(args) == 1 else list(args)
        return _Signature._outputs(self._model(x, training=False))

    @property
    def structured_outputs(self) -> dict:
        """``{"output_0": TensorSpec(shape=(None, ...), dtype, name="output_0")}``: the output shapes as
        the model knows them."""
        from ..data.structure import TensorSpec       # noqa: PLC0415
        outs = self._model.outputs
        specs = _Signature._outputs(outs if len(outs) > 1 else outs[0])
        return {k: TensorSpec(tuple(v.shape), v.dtype, name=k) for k, v in specs.items()}


def export_model(model, filepath, verbose=True) -> None:
    """``model.export(path)``, Keras 3's default ``format="tf_saved_model"``: the folder
    :func:`save` writes (glassnet's SavedModel; TensorFlow cannot load it), whose :func:`load` gives
    the model with ``serve`` and ``signatures["serving_default"]``; prints the endpoint as Keras
    does (the captures are the model's variables)."""
    folder = _folder(filepath, "export")
    if folder.lower().rstrip("/\\").endswith(".onnx"):
        raise ValueError(f"export: format='tf_saved_model' writes a folder, and {folder!r} names an ONNX file: "
                         "pass format='onnx' (or leave format out) for ONNX")
    if not model.built:
        raise ValueError(f"export: the model {model.name!r} is not built yet (no input shape): call it on data, "
                         "fit it, or start it with keras.Input(shape) before exporting")
    save(model, folder, _serve=True)
    if not verbose:
        return
    from ..data.structure import TensorSpec           # noqa: PLC0415
    ins = [TensorSpec(tuple(t.shape), t.dtype, name=t.name if not str(t.name).startswith("input_layer")
                      else "keras_tensor") for t in model.inputs]
    outs = [TensorSpec(tuple(t.shape), t.dtype) for t in model.outputs]
    arg = repr(ins[0]) if len(ins) == 1 else "List[" + ", ".join(map(repr, ins)) + "]"
    out = repr(outs[0]) if len(outs) == 1 else "List[" + ", ".join(map(repr, outs)) + "]"
    print(f"Saved artifact at {filepath!r}. The following endpoints are available:\n\n* Endpoint 'serve'\n"
          f"  args_0 (POSITIONAL_ONLY): {arg}\nOutput Type:\n  {out}\nCaptures:")
    for v in model.weights:
        print(f"  {id(v)}: TensorSpec(shape=(), dtype=tf.resource, name=None)")


class _Signature:
    """A loaded object's ``signatures[key]``, as TensorFlow's: called with keyword arguments named as
    the function's parameters, it answers with a dict (``output_0``... for outputs that are not one)."""

    def __init__(self, obj, name, specs):
        from .function import ConcreteFunction        # noqa: PLC0415
        self._concrete = ConcreteFunction(getattr(type(obj), name), obj, specs)
        self.structured_input_signature = self._concrete.structured_input_signature

    def __call__(self, *args, **kwargs):
        return self._outputs(self._concrete(*args, **kwargs))

    @staticmethod
    def _outputs(out):
        if isinstance(out, dict):
            return dict(out)
        if isinstance(out, (list, tuple)):
            return {f"output_{i}": v for i, v in enumerate(out)}
        return {"output_0": out}

    @property
    def structured_outputs(self) -> dict:
        """The outputs' specs, found by one call on zeros of the input specs (an output's shape is
        unknown where an input's shape is; otherwise the shape seen, unknown dimensions given 1)."""
        import numpy as np                            # noqa: PLC0415
        from ..data.structure import TensorSpec       # noqa: PLC0415
        from .tensor import constant                  # noqa: PLC0415
        specs = self.structured_input_signature[0]
        unknown = any(getattr(sp, "shape", None) is None or getattr(sp.shape, "rank", 0) is None for sp in specs)
        args = [constant(np.zeros([1 if d is None else d for d in (list(sp.shape) if not unknown else [])],
                                  dtype=np.dtype(sp.dtype))) for sp in specs]
        out = self._outputs(self._concrete(*args))
        return {k: TensorSpec(None if unknown else v.shape, v.dtype, name=k) for k, v in out.items()}


class Restored:
    """What ``load`` gives for a saved ``tf.Module`` (or a model with no ``.keras`` file): its
    variables, restored, at the attribute paths they had (``loaded.dense_1.w``), with
    ``variables``, ``trainable_variables`` and ``submodules`` as a ``tf.Module``'s — and no
    functions: calling it, or any method the class had, is refused, naming how to restore the
    variables into an object made by its class. (TensorFlow's loaded object is likewise not an
    instance of the class; its traced functions are what glassnet does not keep.)"""

    def __init__(self, saved_class: str, folder: str, variables_path: str, reason: str = ""):
        object.__setattr__(self, "_saved", (saved_class, folder, variables_path, reason))
        object.__setattr__(self, "_children", {})

    def _how(self) -> str:
        cls, folder, variables, reason = self._saved
        name = cls.rsplit(".", 1)[-1]
        why = f" (it had no .keras file: {reason})" if reason else ""
        return (f"{folder!r} holds the variables of a {cls}{why}, not its functions: TensorFlow would run the "
                f"functions it traced; glassnet keeps no code in files and runs none. Make the object again with "
                f"its class and restore the variables into it:\n"
                f"    obj = {name}(...)      # built the same way\n"
                f"    tf.train.Checkpoint(obj).read({variables!r}).assert_consumed()")

    def __call__(self, *args, **kwargs):
        raise TypeError(f"a SavedModel loaded by glassnet cannot be called: {self._how()}")

    def __getattr__(self, name):
        children = self.__dict__.get("_children", {})
        if name in children:
            return children[name]
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"the loaded SavedModel has no {name!r}: it holds variables only "
                             f"({sorted(children)[:8]}). {self._how()}")

    def __setattr__(self, name, value):
        self._children[name] = value

    def __dir__(self):
        return sorted(self._children)

    def _walk(self):
        for key in sorted(self._children):
            value = self._children[key]
            if isinstance(value, Restored):
                yield value
                yield from value._walk()
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, Restored):
                        yield item
                        yield from item._walk()
                    else:
                        yield item
            else:
                yield value

    @property
    def variables(self) -> tuple:
        from .variable import Variable            # noqa: PLC0415
        return tuple(v for v in self._walk() if isinstance(v, Variable))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(v for v in self.variables if v.trainable)

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(v for v in self.variables if not v.trainable)

    @property
    def submodules(self) -> tuple:
        return tuple(v for v in self._walk() if isinstance(v, Restored))

    def __repr__(self):
        return f"<glassnet loaded SavedModel of {self._saved[0]}: {len(self.variables)} variables, no functions>"


def _restored(folder: str, variables_path: str, cls: str, reason) -> Restored:
    from . import train                           # noqa: PLC0415
    from .variable import Variable                # noqa: PLC0415
    arrays = train._read(variables_path)
    flags = {e["key"]: e.get("trainable", True) for e in train._read_index(variables_path)["variables"]}
    root = Restored(cls, folder, variables_path, reason or "")
    for key in sorted(arrays):
        if not key.endswith(train._SUFFIX):
            continue
        parts = key[:-len(train._SUFFIX)].split("/")
        node = root
        for part in parts[:-1]:
            child = node._children.get(part)
            if not isinstance(child, Restored):
                child = Restored(cls, folder, variables_path, reason or "")
                node._children[part] = child
            node = child
        node._children[parts[-1]] = Variable(arrays[key], name=parts[-1], trainable=bool(flags.get(key, True)))
    _lists(root)
    return root


def _lists(node: Restored) -> None:
    """Children named 0, 1, 2... (a list attribute, saved as ``l/0``) become a list again."""
    for key, child in list(node._children.items()):
        if isinstance(child, Restored):
            _lists(child)
            names = list(child._children)
            if names and sorted(names, key=int if all(n.isdigit() for n in names) else str) == \
                    [str(i) for i in range(len(names))]:
                node._children[key] = [child._children[str(i)] for i in range(len(names))]
