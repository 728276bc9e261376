"""``config.json`` in Keras 3's schema: written from a glassnet model, read back into one.

Reading builds only classes that the families of :mod:`glassnet.registry` resolve (layers,
initializers, regularizers, optimizers, schedules, losses, metrics): glassnet's own, those
named in ``custom_objects`` and registered ones, each from the keys its constructor takes.
Keys Keras writes that glassnet does not have are accepted only at their harmless values
(``None``/``False``, e.g. ``quantization_config: null``); anything else is refused by name.
Weight shapes are planned from the config and capped before a single array is allocated.
"""
from __future__ import annotations

import inspect
import math

from .. import activations, config as gconfig, initializers, layers, losses, metrics, optimizers, regularizers
from ..optimizers import schedules
from ..engine.outputs import NoLoss, OutputLosses, no_loss
from ..engine.model import Model
from ..engine.sequential import Sequential
from ..layers.base import FAMILY as _LAYERS
from ..utils import snake_case
from ..registry import get_registered_name, lookup
from .errors import MAX_DIM, MAX_LAYERS, MAX_WEIGHT_ELEMENTS, FileFormatError, UnsafeFileError

MAX_NESTING = 4       # layers (and models) inside layers' configs: Bidirectional -> RNN -> cell is 2

_FLOATS = ("float16", "float32", "float64")
_ALWAYS_DROPPED = {"shared_object_id", "ema_momentum"}      # informative only
_OPTIMIZER_EXTRAS = {"use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                     "loss_scale_factor": None, "gradient_accumulation_steps": None}
_LAYER_DEFAULTS = {"autocast": True}     # a Layer's base config: Keras's default, no effect in float32


# -- writing --------------------------------------------------------------------------------
def _policy(name):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def model_config(model) -> dict:
    """The Keras 3 ``config.json`` dict for a glassnet ``Sequential`` (or a functional graph:
    ``glassnet/saving/functional.py``)."""
    if model._is_subclass():
        return subclass_config(model)
    if model._graph is not None or model.__dict__.get("_functional"):
        from .functional import graph_config  # noqa: PLC0415 - it builds on this module
        out = graph_config(model, model_config)
        out["compile_config"] = compile_config(model) if model.compiled else {}
        return out
    base = model.get_config()
    first = len(base["layers"]) - len(model.layers)
    for i, layer in enumerate(model.layers):
        entry = base["layers"][first + i]
        if isinstance(layer, Sequential):     # a nested model: its own config, as Keras writes it
            entry = base["layers"][first + i] = model_config(layer)
            entry.pop("compile_config", None)
        elif layer.built and _own_hook(type(layer), "get_build_config"):     # yours: what it says, as Keras
            entry["build_config"] = layer.get_build_config()
        elif layer.built and layer.weights and getattr(layer, "input_shape", None) is not None:
            entry["build_config"] = {"input_shape": list(layer.input_shape)}
            if getattr(layer, "stateful", False) and i == 0 and base["layers"][:first]:   # Keras 3 builds a stateful
                batch = base["layers"][0]["config"]["batch_shape"][0]                      # RNN for a fixed batch only
                entry["build_config"]["input_shape"][0] = batch
    cfg = {"name": base["name"], "trainable": base["trainable"], "dtype": _policy(gconfig.floatx()),
           "layers": base["layers"]}
    out = {"module": "keras", "class_name": "Sequential", "config": cfg, "registered_name": None}
    if model.built and model.input_shape is not None:
        cfg["build_input_shape"] = list(model.input_shape)
        out["build_config"] = {"input_shape": list(model.input_shape)}
    out["compile_config"] = compile_config(model) if model.compiled else {}
    return out


# Keras 3.15's words when a class cannot give its config (Operation.get_config)
_NO_CONFIG = """
Object {name} was created by passing
non-serializable argument values in `__init__()`,
and therefore the object must override `get_config()` in
order to be serializable. Please implement `get_config()`.

Example:


class CustomLayer(keras.layers.Layer):
    def __init__(self, arg1, arg2, **kwargs):
        super().__init__(**kwargs)
        self.arg1 = arg1
        self.arg2 = arg2

    def get_config(self):
        config = super().get_config()
        config.update({{
            "arg1": self.arg1,
            "arg2": self.arg2,
        }})
        return config
"""


def subclass_config(model) -> dict:
    """A subclassed model's entry, as Keras 3 writes one: its class by name (and registered
    name), its ``get_config()``, the input shape it was built for, its compile config. Its
    ``__init__`` arguments reach the file only through a ``get_config`` of its own: a class
    that takes arguments and writes none is refused (Keras's NotImplementedError), never saved
    with arguments missing."""
    cls = type(model)
    if not any("get_config" in k.__dict__ for k in cls.__mro__ if not k.__module__.startswith("glassnet.")):
        takes = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                 if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if takes:
            raise NotImplementedError(_NO_CONFIG.format(name=cls.__name__))
    cfg = model.get_config()
    if not isinstance(cfg, dict):
        raise TypeError(f"save: {cls.__name__}.get_config() must return a dict, got {type(cfg).__name__}")
    out = {"module": None, "class_name": cls.__name__, "config": cfg,       # (Keras 3 names no module for
           "registered_name": get_registered_name(cls)}                     # a class of yours)
    shape = model.__dict__.get("_first_call_shape") or model.input_shape      # (the shape it was first called on)
    if shape is not None and (model.built or model.weights):
        out["build_config"] = {"input_shape": list(shape)}
    out["compile_config"] = compile_config(model) if model.compiled else {}
    return out


def compile_config(model) -> dict:
    opt = model.optimizer
    ocfg = optimizers.serialize(opt)
    ocfg["config"] = opt.get_config()       # (glassnet's own give Keras's base keys: use_ema, ... in Keras's place)
    for key, default in _OPTIMIZER_EXTRAS.items():
        ocfg["config"].setdefault(key, default)
    if not opt.has_schedule:                    # a number: as a float (a schedule: its config)
        ocfg["config"]["learning_rate"] = float(opt.learning_rate)
    def metric(spec):                       # check_saveable has refused anything else
        if isinstance(spec, str):
            return spec
        return {"module": "keras.metrics", "class_name": type(spec).__name__,
                "config": {**spec.get_config(), "dtype": "float32"}, "registered_name": None}
    given = model._metric_specs
    if isinstance(given, dict):             # several outputs: per output name, or per output
        specs = {name: [metric(s) for s in (v if isinstance(v, (list, tuple)) else [v])] for name, v in given.items()}
    elif isinstance(model.loss, OutputLosses):
        specs = [[metric(s) for s in (v or [])] for v in given]
    else:
        specs = [metric(s) for s in given]
    loss, weights = model.loss, None
    if no_loss(loss):                           # compile() without a loss: Keras writes null
        loss = None
    elif isinstance(loss, OutputLosses):          # several outputs: a list (a dict for named outputs)
        parts = [None if isinstance(part, NoLoss) else losses.serialize(part) for part in loss.losses]
        weights = list(loss.weights)
        if model._output_names:
            parts, weights = dict(zip(loss.names, parts)), dict(zip(loss.names, weights))
        loss = parts
    elif loss is not None:
        loss = losses.serialize(loss)
    return {"optimizer": ocfg, "loss": loss,
            "loss_weights": weights, "metrics": specs or None, "weighted_metrics": None,
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


# Keras's layers that a model file names by their module inside Keras (not keras.layers): the
# glassnet module that defines the class of that name (a fixed table; the file chooses nothing)
KERAS_INTERNAL = {("keras.src.layers.preprocessing.feature_space", "TFDConcat"): "glassnet.feature_space",
                  ("keras.src.layers.preprocessing.feature_space", "TFDIdentity"): "glassnet.feature_space"}


# -- reading: helpers ------------------------------------------------------------------------
class _Reader:
    def __init__(self, label):
        self.label = label

    def fail(self, where, msg, unsafe=False):
        raise (UnsafeFileError if unsafe else FileFormatError)(f"{self.label}: {where}: {msg}")

    def obj(self, node, where, family, custom_objects=None):
        """``{"module", "class_name", "config"}`` -> (class, config): one of the classes the
        user named (``custom_objects``) or registered, else the ``family``'s own class of
        exactly that name from its Keras module."""
        kind = family.kind
        if not isinstance(node, dict) or not isinstance(node.get("class_name"), str):
            self.fail(where, f"expected a {kind} object with a class_name, got {_short(node)}")
        name = node["class_name"]
        registered = node.get("registered_name")
        try:
            own = lookup(name, custom_objects, family.base, registered if isinstance(registered, str) else None)
        except ValueError as e:
            self.fail(where, str(e), unsafe=True)
        if own is not None:
            cfg = node.get("config") or {}
            if not isinstance(cfg, dict):
                self.fail(where, f"the config of {name} must be an object")
            return own, cfg
        internal = KERAS_INTERNAL.get((node.get("module"), name))
        if internal is not None and family.kind == "layer":  # Keras's own class outside keras.layers: ours
            import importlib  # noqa: PLC0415
            return getattr(importlib.import_module(internal), name), node.get("config") or {}
        if node.get("module") not in (None, family.module):
            self.fail(where, f"{kind} {name!r} from module {node.get('module')!r} is refused", unsafe=True)
        cls = family.classes.get(name)
        if cls is None or cls.__name__ != name:
            self.fail(where, f"unknown {kind} class {name!r}; glassnet builds only "
                             f"{', '.join(sorted(family.classes))} and classes you name in custom_objects "
                             "or register with glassnet.saving.register_keras_serializable()", unsafe=True)
        cfg = node.get("config", {})
        if cfg is None:
            cfg = {}
        if not isinstance(cfg, dict):
            self.fail(where, f"the config of {name} must be an object")
        return cls, cfg

    def layer_entries(self, cfg, kind) -> list:
        """A model config's ``layers`` list, capped in length."""
        if not isinstance(cfg, dict) or not isinstance(cfg.get("layers"), list):
            self.fail("config.json", f"a {kind} config needs a 'layers' list")
        if len(cfg["layers"]) > MAX_LAYERS:
            self.fail("config.json", f"{len(cfg['layers'])} layers (cap {MAX_LAYERS})", unsafe=True)
        return cfg["layers"]

    def kwargs(self, cls, cfg, where, extra=()):
        """Keep the keys ``cls`` takes; drop Keras-only keys at harmless values; refuse the rest."""
        params = set(extra)
        for klass in cls.__mro__:
            init = klass.__dict__.get("__init__")
            if init is not None:
                params |= {p for p in inspect.signature(init).parameters if p not in ("self", "kwargs", "args")}
        out = {}
        for key, value in cfg.items():
            if key in params:
                out[key] = value
            elif key in _ALWAYS_DROPPED or value is None or value is False or value == _OPTIMIZER_EXTRAS.get(key, ()) \
                    or value == _LAYER_DEFAULTS.get(key, ()):
                continue
            else:
                self.fail(where, f"{cls.__name__} setting {key}={_short(value)} is not supported by glassnet")
        return out

    def build(self, cls, kwargs, where):
        try:        # a class whose saved config its constructor refuses (an adapted Discretization's
            #         num_bins beside its boundaries) says so: its from_config makes it, as Keras's
            return cls.from_config(kwargs) if getattr(cls, "saved_by_from_config", False) else cls(**kwargs)
        except (TypeError, ValueError, OverflowError) as e:
            self.fail(where, f"cannot build {cls.__name__}: {e}")

    def name(self, value, where):
        if not isinstance(value, str) or not 0 < len(value) <= 200 or "/" in value or "\x00" in value:
            self.fail(where, f"a name must be a short string without '/', got {_short(value)}")
        return value

    def dtype(self, value, where):
        if isinstance(value, dict):
            if value.get("class_name") not in (None, "DTypePolicy") or value.get("module") not in (None, "keras"):
                self.fail(where, f"dtype policy {value.get('class_name')!r} is not supported", unsafe=True)
            value = (value.get("config") or {}).get("name") if isinstance(value.get("config"), dict) else None
        if value is None:
            return None
        if value not in _FLOATS:
            self.fail(where, f"dtype {_short(value)} is not supported (glassnet computes in {', '.join(_FLOATS)})")
        return value

    def shape(self, value, where, batch=True):
        if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= 8:
            self.fail(where, f"expected a shape list, got {_short(value)}")
        dims = list(value)
        for i, d in enumerate(dims):
            if d is None and (i == 0 or not batch):
                continue
            if isinstance(d, bool) or not isinstance(d, int) or not 0 < d <= MAX_DIM:
                self.fail(where, f"shape {_short(value)} has an invalid dimension {d!r}", unsafe=isinstance(d, int))
        return tuple(dims)


def _short(value, n=80):
    text = repr(value)
    return text if len(text) <= n else text[:n] + "..."


# -- reading: the model -----------------------------------------------------------------------
def build_model(tree, label, custom_objects=None, _budget=None, _depth=0) -> tuple[Sequential, dict | None]:
    """A glassnet ``Sequential`` (weights allocated, not yet loaded) and its compile config.
    A layer that is itself a Sequential (``Sequential([model, Softmax()])``) is built the same
    way; ``_budget`` counts the weights of every nested model against one cap, ``_depth`` how
    deep this model sits inside other models and wrappers (capped: :data:`MAX_NESTING`)."""
    budget = [0] if _budget is None else _budget
    r = _Reader(label)
    if not isinstance(tree, dict):
        r.fail("config.json", "expected a JSON object")
    cls_name = tree.get("class_name")
    if _depth > MAX_NESTING:
        r.fail("config.json", f"models and layers nest {_depth} levels deep (cap {MAX_NESTING})", unsafe=True)
    if cls_name == "Functional":
        return _build_functional(r, tree, label, custom_objects, budget, _depth)
    if isinstance(cls_name, str) and cls_name not in ("Sequential", "Model") and _depth == 0:
        try:
            own = lookup(cls_name, custom_objects, Model, tree.get("registered_name")
                         if isinstance(tree.get("registered_name"), str) else None)
        except ValueError as e:
            r.fail("config.json", str(e), unsafe=True)
        if own is not None:
            return _build_subclass(r, own, tree, custom_objects)
    if cls_name != "Sequential":
        r.fail("config.json", f"class {_short(cls_name)} is not supported: glassnet loads Sequential and Functional "
                              "models (a subclassed model is Python code: build it, then load_weights)",
               unsafe=isinstance(cls_name, str) and cls_name != "Model")
    if tree.get("module") not in (None, "keras", "keras.models"):
        r.fail("config.json", f"module {tree.get('module')!r} is refused", unsafe=True)
    cfg = tree.get("config")
    entries = r.layer_entries(cfg, "Sequential")
    model_dtype = r.dtype(cfg.get("dtype"), "model dtype")
    if model_dtype not in (None, gconfig.floatx()):
        r.fail("model dtype", f"the file's model computes in {model_dtype}; glassnet's floatx is "
                              f"{gconfig.floatx()} (set glassnet.config.set_floatx first)")
    trainable = cfg.get("trainable", True)
    if not isinstance(trainable, bool):
        r.fail("model", "trainable must be true or false")
    built_layers, input_shape = [], None
    for i, entry in enumerate(entries):
        where = f"layers[{i}]"
        if isinstance(entry, dict) and entry.get("class_name") == "Sequential" and entry.get("module") in ("keras", None):
            inner, _ = build_model(entry, f"{label}: {where}", custom_objects, budget, _depth + 1)
            if not inner.built:
                r.fail(where, "a nested Sequential needs its input shape (an InputLayer or build_config)")
            built_layers.append(inner)
            if input_shape is None and i == 0:
                input_shape = tuple(inner.input_shape)
            continue
        cls, lcfg = r.obj(entry, where, _LAYERS, custom_objects)
        if cls is layers.InputLayer:
            if i != 0:
                r.fail(where, "an InputLayer can only come first")
            input_shape = _input_layer_shape(r, lcfg, where)
            continue
        built_layers.append(_layer(r, cls, lcfg, where, custom_objects, budget, _depth))
        if _own_hook(cls, "build_from_config") and isinstance(entry.get("build_config"), dict):
            try:            # your layer's build_from_config (your code, registered by you) builds it
                built_layers[-1].build_from_config(entry["build_config"])
            except Exception as e:  # noqa: BLE001 - whatever your hook raises, one error type
                r.fail(where, f"{cls.__name__}.build_from_config failed: {type(e).__name__}: {e}")
        if input_shape is None and i == 0 and isinstance(entry.get("build_config"), dict):
            input_shape = (None,) + r.shape(entry["build_config"].get("input_shape"), where + ".build_config")[1:]
    if input_shape is None:
        for holder in (tree.get("build_config"), {"input_shape": cfg.get("build_input_shape")}):
            if isinstance(holder, dict) and holder.get("input_shape") is not None:
                input_shape = (None,) + r.shape(holder["input_shape"], "build_config")[1:]
                break
    names = [layer.name for layer in built_layers]
    if len(set(names)) != len(names):
        r.fail("layers", "two layers share a name")
    if input_shape is not None:
        _plan(r, built_layers, input_shape, budget)
    model = Sequential(name=r.name(cfg.get("name", "sequential"), "model name"), trainable=trainable)
    try:
        if input_shape is not None:
            model.add(layers.InputLayer(batch_shape=input_shape))
        for layer in built_layers:
            model.add(layer)
    except (TypeError, ValueError) as e:
        r.fail("layers", f"cannot assemble the model: {e}")
    compile_cfg = tree.get("compile_config")
    if compile_cfg is not None and not isinstance(compile_cfg, dict):
        r.fail("compile_config", "expected an object")
    return model, (compile_cfg or None)


def _build_subclass(r, cls, tree, custom_objects):
    """A subclassed model of yours (the class you named in ``custom_objects`` or registered:
    the file only names it): ``from_config`` of its config (``cls(**config)`` unless it writes its
    own), built for the file's ``build_config`` input shape, as Keras 3 builds it."""
    cfg = tree.get("config")
    if cfg is None:
        cfg = {}
    if not isinstance(cfg, dict):
        r.fail("config.json", f"the config of {cls.__name__} must be an object")
    try:
        model = cls.from_config(dict(cfg))
    except Exception as e:  # noqa: BLE001 - whatever your class raises, one error naming it
        r.fail("config.json", f"{cls.__name__}.from_config failed: {type(e).__name__}: {e}")
    if not isinstance(model, Model):
        r.fail("config.json", f"{cls.__name__}.from_config returned {type(model).__name__}, not a model")
    build = tree.get("build_config")
    if isinstance(build, dict) and build.get("input_shape") is not None:
        shape = (None,) + r.shape(build["input_shape"], "build_config")[1:]
        try:
            model.build(shape)
        except Exception as e:  # noqa: BLE001
            r.fail("build_config", f"{cls.__name__} could not be built for input shape {shape}: "
                                   f"{type(e).__name__}: {e}")
        if sum(int(v.value.size) for v in model.weights) > MAX_WEIGHT_ELEMENTS:
            r.fail("build_config", f"{cls.__name__} makes more than {MAX_WEIGHT_ELEMENTS:,} weights", unsafe=True)
    compile_cfg = tree.get("compile_config")
    if compile_cfg is not None and not isinstance(compile_cfg, dict):
        r.fail("compile_config", "expected an object")
    return model, (compile_cfg or None)


def _build_functional(r, tree, label, custom_objects, budget, depth=0):
    """A ``Functional`` config: its graph replayed (``glassnet/saving/functional.py``)."""
    from . import functional  # noqa: PLC0415 - it builds on this module
    if tree.get("module") not in functional.MODULES:
        r.fail("config.json", f"module {tree.get('module')!r} is refused", unsafe=True)

    def build_layer(entry, where):
        cls, lcfg = r.obj(entry, where, _LAYERS, custom_objects)
        if cls is layers.InputLayer:
            r.fail(where, "an InputLayer with inbound nodes")
        return _layer(r, cls, lcfg, where, custom_objects, budget, depth)

    def build_nested(entry, where):
        inner, _ = build_model(entry, f"{label}: {where}", custom_objects, budget, depth + 1)
        if not inner.built:
            r.fail(where, "a nested model needs its input shape")
        return inner

    model = functional.build_graph(r, tree, build_layer, lambda cfg, where: _input_layer_shape(r, cfg, where),
                                   build_nested)
    compile_cfg = tree.get("compile_config")
    if compile_cfg is not None and not isinstance(compile_cfg, dict):
        r.fail("compile_config", "expected an object")
    return model, (compile_cfg or None)


def _input_layer_shape(r, cfg, where) -> tuple:
    """The ``(None, ...)`` input shape an ``InputLayer`` entry declares; other settings refused."""
    shape = cfg.get("batch_shape", cfg.get("batch_input_shape"))
    if shape is None and cfg.get("shape") is not None:
        shape = [None] + list(cfg["shape"]) if isinstance(cfg["shape"], list) else cfg["shape"]
    input_shape = (None,) + r.shape(shape, where, batch=False)[1:]     # (None, None, 41): any length
    if cfg.get("dtype") not in ("string", "int32", "int64"):    # text or ids in: a lookup layer takes them
        r.dtype(cfg.get("dtype"), where)
    for key, value in cfg.items():
        if key not in ("batch_shape", "batch_input_shape", "shape", "dtype", "name", "sparse",
                       "ragged", "optional", "batch_size") and value not in (None, False):
            r.fail(where, f"InputLayer setting {key}={_short(value)} is not supported")
        if key in ("sparse", "ragged", "optional") and value not in (None, False):
            r.fail(where, f"InputLayer {key}=True is not supported")
    return input_shape


def _is_model_entry(entry) -> bool:
    """A nested model's entry (``TimeDistributed(Sequential([...]))``, ``Sequential([model, ...])``)."""
    return (isinstance(entry, dict) and entry.get("class_name") in ("Sequential", "Functional")
            and entry.get("module") in ("keras", "keras.models", "keras.src.models.functional", None))


def _nested(r, entry, where, custom_objects, budget, depth):
    """A layer (or model) inside another's config, built first: ``depth`` levels down from the
    model's own layers, refused past :data:`MAX_NESTING` (a hostile file nests without end)."""
    if depth > MAX_NESTING:
        r.fail(where, f"layers nest {depth} levels deep inside other layers' configs (cap {MAX_NESTING})",
               unsafe=True)
    if _is_model_entry(entry):
        inner, _ = build_model(entry, f"{r.label}: {where}", custom_objects, budget, _depth=depth)
        if not inner.built:
            r.fail(where, "a nested model needs its input shape (an InputLayer or build_config)")
        return inner
    sub_cls, sub_cfg = r.obj(entry, where, _LAYERS, custom_objects)
    return _layer(r, sub_cls, sub_cfg, where, custom_objects, budget=budget, depth=depth)


def build_layer(entry, label, where, custom_objects=None):
    """One layer from its config entry (``{"module", "class_name", "config"}``), by the same rules as
    a model file's layers: a FeatureSpace file's preprocessors (glassnet/feature_space_file.py)."""
    r = _Reader(label)
    cls, lcfg = r.obj(entry, where, _LAYERS, custom_objects)
    if cls is layers.InputLayer:
        r.fail(where, "an InputLayer is not a preprocessor")
    return _layer(r, cls, lcfg, where, custom_objects, [0], 0)


def _layer(r, cls, cfg, where, custom_objects=None, budget=None, depth=0):
    if _own_from_config(cls):       # a class of yours with its own from_config: yours runs, as in Keras
        return _user_from_config(r, cls, cfg, where)
    kw = r.kwargs(cls, cfg, where, extra=("name", "trainable", "dtype", "input_shape", "batch_input_shape",
                                          "input_dim", "batch_size"))      # Keras 2 wrote these; dropped below
    for key in getattr(cls, "nested_layers", ()):     # a wrapper's layer (an RNN's cell): built first
        if kw.get(key) is not None:
            kw[key] = _nested(r, kw[key], f"{where}.{key}", custom_objects, budget, depth + 1)
    if "name" in kw:
        kw["name"] = r.name(kw["name"], where + ".name")
    policy = kw.get("dtype")
    policy = (policy.get("config") or {}).get("name") if isinstance(policy, dict) else policy
    if getattr(cls, "dtype_of_ids", False) and policy in ("int32", "int64"):
        kw["dtype"] = policy                    # (Hashing's, HashedCrossing's dtype: their bins')
    elif "dtype" in kw:
        kw["dtype"] = r.dtype(kw["dtype"], where + ".dtype")
    if "trainable" in kw and not isinstance(kw["trainable"], bool):
        r.fail(where, "trainable must be true or false")
    own = inspect.signature(cls.__init__).parameters         # (Embedding's input_dim is its vocabulary)
    for key in ("input_shape", "batch_input_shape", "input_dim", "batch_size"):
        if key not in own:
            kw.pop(key, None)                   # shapes come from the InputLayer/build_config
    if "activation" in kw:
        kw["activation"] = _activation(r, kw["activation"], where + ".activation", custom_objects)
    for key in getattr(cls, "function_arguments", ()):     # TextVectorization's standardize, split
        if isinstance(kw.get(key), dict):
            kw[key] = _function(r, kw[key], f"{where}.{key}", custom_objects)
    for key in kw:              # every initializer and regularizer the layer takes, by its family
        if key.endswith("_initializer") and kw[key] is not None:      # None: the layer's default (Keras)
            kw[key] = _component(r, kw[key], f"{where}.{key}", initializers.FAMILY, custom_objects)
        elif key.endswith("_regularizer") and (key != "activity_regularizer" or key in own) and kw[key] is not None:
            kw[key] = _component(r, kw[key], f"{where}.{key}", regularizers.FAMILY, custom_objects)
        elif key.endswith("_constraint") and key in own and kw[key] is not None:
            from .. import constraints  # noqa: PLC0415 - keras.constraints, loaded when a file names one
            kw[key] = _component(r, kw[key], f"{where}.{key}", constraints.FAMILY, custom_objects)
    for key in ("activity_regularizer", "kernel_constraint", "bias_constraint", "noise_shape"):
        if kw.get(key) is not None and not (key in own and key != "noise_shape"):
            r.fail(where, f"{key} is not supported by glassnet")
    return r.build(cls, kw, where)


def _own_hook(cls, name: str) -> bool:
    """Whether a class you registered (or named in custom_objects) writes its own ``name``
    (``get_build_config``, ``build_from_config``), as Keras calls it."""
    from ..layers.base import Layer  # noqa: PLC0415
    for klass in cls.__mro__:
        if klass is Layer or klass.__module__.startswith("glassnet."):
            return False
        if name in klass.__dict__:
            return True
    return False


def _own_from_config(cls) -> bool:
    """Whether a class you registered (or named in custom_objects) writes its own from_config."""
    from ..layers.base import Layer  # noqa: PLC0415
    for klass in cls.__mro__:
        if klass is Layer or klass.__module__.startswith("glassnet."):
            return False
        if "from_config" in klass.__dict__:
            return True
    return False


def _user_from_config(r, cls, cfg, where):
    """``cls.from_config(config)`` with the config as glassnet's Layer takes it: the dtype policy
    as its name, Keras-only base keys at their defaults dropped (anything else is yours to take).
    Your code (registered or passed by you) runs; nothing in the file names code to run."""
    cfg = dict(cfg)
    if "dtype" in cfg:
        cfg["dtype"] = r.dtype(cfg["dtype"], where + ".dtype")
    for key in list(cfg):
        if key in _ALWAYS_DROPPED or (key in ("autocast", "activity_regularizer")
                                      and cfg[key] == _LAYER_DEFAULTS.get(key, None)):
            del cfg[key]
    try:
        return cls.from_config(cfg)
    except Exception as e:  # noqa: BLE001 - whatever your from_config raises, one error type
        r.fail(where, f"{cls.__name__}.from_config failed: {type(e).__name__}: {e}")


def _activation(r, value, where, custom_objects=None):
    """A built-in activation's name, or the user's own function (``custom_objects`` or
    registered), found by name; never a function the file brings."""
    if isinstance(value, dict):           # Keras writes names; an object form is read by name only
        inner = value.get("config")
        value = inner.get("name") if isinstance(inner, dict) else inner
    if value is None:
        return None
    found = _find(r, activations.FAMILY, value, where, custom_objects) if isinstance(value, str) else None
    if found is None:
        r.fail(where, f"unknown activation {_short(value)}; glassnet uses only its own "
                      f"({', '.join(sorted(activations.BY_NAME))}) and functions you name in "
                      "custom_objects or register", unsafe=True)
    return found


def _function(r, value, where, custom_objects=None):
    """A function of the user's that Keras wrote by name (``{"class_name": "function",
    "config": "custom_standardization"}``): the one named in ``custom_objects`` or registered,
    never code from the file."""
    name = value.get("config")
    if value.get("class_name") != "function" or not isinstance(name, str):
        r.fail(where, f"expected a function saved by name, got {_short(value)}", unsafe=True)
    found = lookup(name, custom_objects, accepts=callable)
    if found is None:
        r.fail(where, f"the function {name!r} is yours: pass it to load_model in custom_objects="
                      f"{{{name.split('>')[-1]!r}: {name.split('>')[-1]}}} (or register it); glassnet never "
                      "runs code from a file", unsafe=True)
    return found


def _find(r, family, name, where, custom_objects):
    """``family.find``, its refusal of a custom object of the wrong kind as the reader's."""
    try:
        return family.find(name, custom_objects)
    except ValueError as e:
        r.fail(where, str(e), unsafe=True)


def _component(r, value, where, family, custom_objects=None):
    """An initializer or regularizer of a layer's config: a name the family resolves, or an
    object entry (:meth:`_Reader.obj`)."""
    if isinstance(value, str):
        found = _find(r, family, value, where, custom_objects)
        if found is None:
            r.fail(where, str(family.unknown(value)), unsafe=True)
        return family.make(found)
    cls, cfg = r.obj(value, where, family, custom_objects)
    return r.build(cls, r.kwargs(cls, cfg, where), where)


def _plan(r, built_layers, input_shape, budget=None):
    """Weight count implied by the config, capped before anything is allocated (shape bombs).
    ``budget`` (a one-item list) carries the count across nested models."""
    budget = [0] if budget is None else budget
    shape = tuple(input_shape)
    per_sample = math.prod(d for d in shape[1:] if d is not None)
    if per_sample > MAX_WEIGHT_ELEMENTS:
        r.fail("input shape", f"{shape} is too large", unsafe=True)
    for layer in built_layers:
        try:
            if layer.built and _own_hook(type(layer), "build_from_config"):    # built by your hook: as it is
                budget[0] += sum(int(v.value.size) for v in layer.weights)
            elif not isinstance(layer, Sequential):      # a nested model counted its own layers
                budget[0] += int(layer.count_params_for(shape))      # each layer says; nothing allocated
        except Exception as e:          # whatever a layer's own code raises, one error type
            r.fail(layer.name, f"cannot plan its weights for input shape {shape}: {type(e).__name__}: {e}")
        total = budget[0]
        if total > MAX_WEIGHT_ELEMENTS:
            r.fail(layer.name, f"the config asks for over {MAX_WEIGHT_ELEMENTS:,} weights "
                               "(a shape bomb); refused before allocating", unsafe=True)
        if getattr(layer, "by_call", False) and not layer.built:     # (within the cap: checked above)
            try:        # a layer written with call: built now (its call reads its weights to trace)
                layer.build_from_shape(shape)
            except Exception as e:
                r.fail(layer.name, f"cannot build for input shape {shape}: {type(e).__name__}: {e}")
        try:
            shape = layer.compute_output_shape(shape)
        except (TypeError, ValueError, OverflowError) as e:
            r.fail(layer.name, f"bad shape: {e}")


# -- reading: compile --------------------------------------------------------------------------
def compile_model(model, ccfg, label, custom_objects=None) -> None:
    """``model.compile`` from Keras's ``compile_config`` (optimizer, loss, metrics)."""
    r = _Reader(label)
    if ccfg.get("weighted_metrics") is not None:
        r.fail("compile_config", "weighted_metrics is not supported")
    loss_weights = ccfg.get("loss_weights")
    if loss_weights is not None and not (isinstance(loss_weights, (list, dict)) and all(
            isinstance(w, (int, float)) and not isinstance(w, bool)
            for w in (loss_weights.values() if isinstance(loss_weights, dict) else loss_weights))):
        r.fail("compile_config.loss_weights", f"expected a list or dict of numbers, got {_short(loss_weights)}")
    opt = ccfg.get("optimizer", "rmsprop")
    if isinstance(opt, str):
        found = _find(r, optimizers.FAMILY, opt, "compile_config.optimizer", custom_objects)
        if found is None:
            r.fail("compile_config.optimizer", f"unknown optimizer {opt!r}", unsafe=True)
        opt = optimizers.FAMILY.make(found)
    else:
        cls, ocfg = r.obj(opt, "compile_config.optimizer", optimizers.FAMILY, custom_objects)
        kw = r.kwargs(cls, ocfg, "compile_config.optimizer", extra=("learning_rate", "weight_decay", "clipnorm",
                                                                    "clipvalue", "global_clipnorm", "name",
                                                                    "lr", "decay"))   # Keras 2's, as the constructor takes them
        lr, where = kw.get("learning_rate"), "compile_config.optimizer.learning_rate"
        if isinstance(lr, dict):                    # one of Keras's schedules, nothing else
            schedule, scfg = r.obj(lr, where, schedules.FAMILY, custom_objects)
            kw["learning_rate"] = r.build(schedule, r.kwargs(schedule, scfg, where), where)
        elif lr is not None and (isinstance(lr, bool) or not isinstance(lr, (int, float))):
            r.fail(where, f"expected a number or a learning-rate schedule, got {_short(lr)}")
        opt = r.build(cls, kw, "compile_config.optimizer")
    loss = ccfg.get("loss")
    if isinstance(loss, list) and len(loss) <= MAX_LAYERS:      # several outputs: one loss each
        loss = [_loss(r, part, f"compile_config.loss[{i}]", custom_objects) for i, part in enumerate(loss)]
    elif isinstance(loss, dict) and "class_name" not in loss and len(loss) <= MAX_LAYERS:
        loss = {r.name(k, "compile_config.loss"): _loss(r, part, f"compile_config.loss[{k!r}]", custom_objects)
                for k, part in loss.items()}
    else:
        loss = _loss(r, loss, "compile_config.loss", custom_objects)
    specs = ccfg.get("metrics")
    several = isinstance(loss, (list, dict)) and not (
        isinstance(loss, dict) and "class_name" in loss)
    if several and isinstance(specs, (list, dict)) and specs and all(
            isinstance(v, list) for v in (specs.values() if isinstance(specs, dict) else specs)):
        per_output = {k: [_metric(r, s, f"compile_config.metrics[{k!r}][{i}]", custom_objects)
                          for i, s in enumerate(v)] for k, v in specs.items()} if isinstance(specs, dict) else \
            [[_metric(r, s, f"compile_config.metrics[{k}][{i}]", custom_objects) for i, s in enumerate(v)]
             for k, v in enumerate(specs)]
        try:
            model.compile(optimizer=opt, loss=loss, metrics=per_output, loss_weights=loss_weights)
        except (TypeError, ValueError) as e:
            r.fail("compile_config", f"cannot compile: {e}")
        return
    if specs is not None and not isinstance(specs, list):
        r.fail("compile_config.metrics", "expected a list (single-output models)")
    if specs and len(specs) == 1 and isinstance(specs[0], list):
        specs = specs[0]                        # Keras 2's .h5: one list of metrics per output
    metric_list = [_metric(r, spec, f"compile_config.metrics[{i}]", custom_objects) for i, spec in enumerate(specs or [])]
    try:
        model.compile(optimizer=opt, loss=loss, metrics=metric_list or None, loss_weights=loss_weights)
    except (TypeError, ValueError) as e:
        r.fail("compile_config", f"cannot compile: {e}")


def _keras2_metric(spec):
    """Keras 2's ``MeanMetricWrapper`` entry (``{"name": "accuracy", "fn": "binary_accuracy"}``) as
    the name the program wrote (which glassnet resolves from the shapes, as Keras 2 did), or the
    function's name; anything else is returned as it is."""
    if isinstance(spec, dict) and spec.get("class_name") == "MeanMetricWrapper" and isinstance(spec.get("config"), dict):
        for key in ("name", "fn"):
            name = spec["config"].get(key)
            if isinstance(name, str):
                try:
                    metrics.get(name)
                    return name
                except (TypeError, ValueError):
                    continue
    return spec


def _metric(r, spec, where, custom_objects):
    """One metric of a compile config: a name glassnet knows, or an object entry."""
    spec = _keras2_metric(spec)
    if isinstance(spec, str):
        try:
            metrics.get(spec)
        except ValueError:
            r.fail(where, f"unknown metric {spec!r} (glassnet has {', '.join(sorted(metrics.CLASSES))}); "
                          "load with compile=False to skip the metrics, loss and optimizer", unsafe=True)
        return spec
    cls, mcfg = r.obj(spec, where, metrics.FAMILY, custom_objects)
    return r.build(cls, r.kwargs(cls, mcfg, where), where)


def _loss(r, loss, where, custom_objects):
    """One loss of a compile config: a name or an object entry (None stays None)."""
    if isinstance(loss, str):
        try:
            return losses.FAMILY.get(loss, custom_objects)
        except ValueError:
            r.fail(where, f"unknown loss {loss!r}", unsafe=True)
    if loss is None:
        return None
    cls, lcfg = r.obj(loss, where, losses.FAMILY, custom_objects)
    return r.build(cls, r.kwargs(cls, lcfg, where), where)


def check_saveable(model) -> None:
    """Refuse, before anything is written, a model glassnet could not save faithfully or
    load back: custom layers, optimizers, losses or metrics, and learning-rate schedules.
    (A subclassed model's layers are made by its own ``__init__``: they need no config.)"""
    if not model._is_subclass():
        _check_layers_saveable(model)
    if model.compiled:
        parts = model.loss.losses if isinstance(model.loss, OutputLosses) else [model.loss]
        for obj, registry, kind in ((model.optimizer, optimizers.CLASSES, "optimizer"),
                                    *((part, losses.CLASSES, "loss") for part in parts)):
            if obj is not None and not isinstance(obj, NoLoss) and registry.get(type(obj).__name__) is not type(obj):
                raise ValueError(f"save: the {kind} {type(obj).__name__} is not one of glassnet's own; "
                                 "it cannot be saved in a .keras file")
        schedule = model.optimizer.schedule
        if schedule is not None and schedules.CLASSES.get(type(schedule).__name__) is not type(schedule):
            raise ValueError("save: the optimizer's learning rate is a function of your own; it cannot be "
                             "saved in a .keras file (Keras's schedules, glassnet.keras.optimizers.schedules, "
                             "can); use save_weights, or set a number (optimizer.learning_rate = ...) "
                             "before saving")
        given = model._metric_specs
        flat = [s for v in (given.values() if isinstance(given, dict) else given)
                for s in (v if isinstance(v, (list, tuple)) else [v])]
        for spec in flat:
            if not isinstance(spec, str) and metrics.CLASSES.get(type(spec).__name__) is not type(spec):
                raise ValueError(f"save: metric {spec!r} is not one of glassnet's own metrics; "
                                 "it cannot be saved in a .keras file")


def _check_layers_saveable(model) -> None:
    for layer in model.layers:
        cls = type(layer)
        if isinstance(layer, Model):            # a nested model (Sequential or functional): Keras's nested config
            if not layer.built:
                raise ValueError(f"save: the nested model {layer.name!r} is not built")
            _check_layers_saveable(layer)
            continue
        own = layers.registered_classes().get(cls.__name__) is cls
        if not own and lookup(get_registered_name(cls), None, layers.Layer) is not cls:
            required = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                        if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
            if type(layer).get_config is layers.Layer.get_config and required:
                raise ValueError(f"save: layer {layer.name!r} is a {cls.__name__} whose __init__ takes arguments "
                                 "its config does not hold; write get_config (Keras's), or use save_weights.")
            # (written as Keras writes it: loading it back needs custom_objects or registering it)
