"""Keras's legacy ``.h5`` model file: ``model.save("my_model.h5")`` and ``load_model`` on it.

TensorFlow's "Save and load models" tutorial ends with this format, which Keras 3 still
writes and reads (with a warning that it is legacy). One HDF5 file::

    attrs: model_config      the architecture, JSON ({"class_name": "Sequential", "config": ...},
                             layers as {"class_name", "config"}: Keras's config without "module")
           training_config   JSON: loss, metrics, optimizer_config (when compiled)
           keras_version, backend
    model_weights/           attrs layer_names; one group per layer, its attr weight_names
                             naming the datasets below it (kernel, bias, ...), in order
    optimizer_weights/       attr weight_names: iteration, learning_rate (a number's only),
                             then the slots in Keras's order

Read as the ``.keras`` format is: the JSON through :mod:`glassnet.saving.json_safe` (no
module outside Keras's, no code, bounded depth), the architecture by the same builder, and
every dataset through :class:`glassnet.saving.h5.Reader` (hard links only, numbers only,
each shape checked against the model before its data is read). Nothing is assigned until
everything has been read.
"""
from __future__ import annotations

import io
import json
import sys

import numpy as np

from ..engine.model import Model
from . import h5, json_safe, keras_config
from .errors import MAX_LAYERS, FileFormatError, UnsafeFileError, need

SUFFIXES = (".h5", ".hdf5")
_MAX_ATTRIBUTE = 16 << 20       # bytes of one JSON or name-list attribute
_LEGACY_DROPPED = ("module", "registered_name", "build_config", "compile_config")


def _legacy(entry):
    """A layer's (or loss's, metric's, optimizer's) entry as Keras's legacy files write it:
    ``{"class_name", "config"}``; a nested Sequential's layers likewise."""
    if not isinstance(entry, dict):
        return entry
    out = {k: v for k, v in entry.items() if k not in _LEGACY_DROPPED}
    config = out.get("config")
    if isinstance(config, dict) and isinstance(config.get("layers"), list):
        out["config"] = {**config, "layers": [_legacy(layer) for layer in config["layers"]]}
    return out


def _names(group, key, values):
    group.attrs[key] = np.array([v.encode("utf8") for v in values], dtype="S") if values else np.zeros(0, "S1")


def _weight_paths(prefix, layer):
    """``(name, variable)`` for each of a layer's weights, named as Keras names them
    (``sequential/dense/kernel``; a nested model's, by its layers)."""
    if isinstance(layer, Model):                   # a nested Sequential: its layers' weights, in order
        return [item for inner in layer.layers for item in _weight_paths(layer.name, inner)]
    return [(f"{prefix}/{layer.name}/{v.name}", v) for v in layer.weights]


def write(model, include_optimizer=True) -> bytes:
    """The ``.h5`` file's bytes (written by the caller, atomically)."""
    from .. import __glassnet_version__ as __version__
    h5py = need("h5py")
    cfg = keras_config.model_config(model)
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = f"3 (glassnet {__version__})"
        f.attrs["model_config"] = json.dumps(_legacy(cfg)).encode("utf8")
        ccfg = cfg.get("compile_config")
        if ccfg:
            f.attrs["training_config"] = json.dumps({
                "loss": _legacy(ccfg.get("loss")), "loss_weights": None,
                "metrics": [_legacy(m) for m in ccfg.get("metrics") or []] or None, "weighted_metrics": None,
                "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False,
                "optimizer_config": _legacy(ccfg.get("optimizer"))}).encode("utf8")
        group = f.create_group("model_weights")
        group.attrs["backend"], group.attrs["keras_version"] = "tensorflow", "3"
        _names(group, "layer_names", [layer.name for layer in model.layers])
        for layer in model.layers:
            holder = group.create_group(layer.name)
            named = _weight_paths(model.name, layer)
            _names(holder, "weight_names", [path for path, _ in named])
            for path, v in named:
                holder.create_dataset(path, data=v.value)
        _names(group.create_group("top_level_model_weights"), "weight_names", [])
        opt = model.optimizer if (include_optimizer and model.compiled) else None
        if opt is not None:
            state = [(f"{opt.name}/iteration", np.array(opt._iterations, dtype=np.int64))]
            if not opt.has_schedule:
                state.append((f"{opt.name}/learning_rate", np.array(opt.learning_rate, dtype=np.float32)))
            state += [(f"{opt.name}/slot_{i}", a) for i, a in enumerate(h5.optimizer_slots(opt))]
            weights = f.create_group("optimizer_weights")
            _names(weights, "weight_names", [name for name, _ in state])
            for name, a in state:
                weights.create_dataset(name, data=a)
    return buf.getvalue()


def _attribute(node, key, label, where):
    """An attribute's value (bytes decoded), its stored size checked first; None when absent.
    Keras splits a long list into ``key0``, ``key1``, ...: those are joined."""
    attrs = node.attrs
    keys = [key]
    if key not in attrs:
        keys = []
        while f"{key}{len(keys)}" in attrs:
            keys.append(f"{key}{len(keys)}")
        if not keys:
            return None
    values = []
    for k in keys:
        try:
            handle = attrs.get_id(k)
            empty = handle.shape is not None and 0 in handle.shape     # HDF5 reports no size for those
            size = 0 if empty else handle.get_storage_size()
        except Exception as e:
            raise FileFormatError(f"{label}: cannot read the attribute {k!r} of {where} ({e})") from None
        if size > _MAX_ATTRIBUTE:
            raise UnsafeFileError(f"{label}: the attribute {k!r} of {where} holds {size:,} bytes; refused")
        value = attrs[k]        # variable-length strings (Keras's JSON) live in the file: no larger than it
        if sum(len(v) for v in np.atleast_1d(value).tolist() if isinstance(v, (bytes, str))) > _MAX_ATTRIBUTE:
            raise UnsafeFileError(f"{label}: the attribute {k!r} of {where} holds more than "
                                  f"{_MAX_ATTRIBUTE:,} bytes of text; refused")
        values.append(value)
    if len(values) == 1 and not isinstance(values[0], np.ndarray):
        value = values[0]
        return value.decode("utf8") if isinstance(value, bytes) else value
    items = [v for chunk in values for v in np.atleast_1d(chunk).tolist()]
    if not all(isinstance(v, (bytes, str)) for v in items):
        raise FileFormatError(f"{label}: the attribute {key!r} of {where} should list names")
    return [v.decode("utf8") if isinstance(v, bytes) else v for v in items]


def _json_attribute(reader, key, label):
    text = _attribute(reader.group(""), key, label, "the file")
    if text is None:
        return None
    if not isinstance(text, str):
        raise FileFormatError(f"{label}: the attribute {key!r} should be JSON text")
    return json_safe.parse(text.encode("utf8"), label)


def read(window, label, compile, custom_objects, own_classes, compile_model):
    """``(model, weights, optimizer state or None)`` from a legacy ``.h5`` file: the model
    built (and compiled, by ``compile_model(model, compile_config, label)``), nothing
    assigned yet: the caller assigns once everything has been read."""
    with h5.Reader(window, label) as reader:
        tree = _json_attribute(reader, "model_config", label)
        if tree is None:
            raise FileFormatError(f"{label}: no model_config in this .h5 file (a weights-only file? use "
                                  "load_weights on a model built the same way)")
        json_safe.scan(tree, label, own_classes)
        training = _json_attribute(reader, "training_config", label) if compile else None
        if not isinstance(tree, dict):
            raise FileFormatError(f"{label}: model_config should be a JSON object")
        if isinstance(training, dict):                  # Keras's compile_config, from the legacy keys
            ccfg = {"optimizer": training.get("optimizer_config"), "loss": training.get("loss"),
                    "metrics": training.get("metrics"), "loss_weights": training.get("loss_weights"),
                    "weighted_metrics": training.get("weighted_metrics")}
            json_safe.scan({"compile_config": ccfg}, label, own_classes)
            tree = {**tree, "compile_config": ccfg}
        model, ccfg = keras_config.build_model(_keras2_graph(tree), label, custom_objects)
        if ccfg:
            compile_model(model, ccfg, label, custom_objects)
        weights = _read_weights(reader, model, label) if model.built else []
        state = None
        optimizer = reader.group("optimizer_weights")
        if ccfg and model.built and optimizer is not None:
            names = _attribute(optimizer, "weight_names", label, "optimizer_weights") or []
            if not all(_plain(name) for name in names):
                raise UnsafeFileError(f"{label}: an optimizer weight name is not a plain path")
            if any(str(name).endswith(":0") for name in names):      # TensorFlow's names: a Keras 2 file
                from ..keras.legacy import note  # noqa: PLC0415
                note("Keras 2 optimizer_weights", f"{label}: a Keras 2 file; its optimizer state (laid out as "
                     "Keras 2 kept it) is not restored, as Keras 3 does not restore it either: training "
                     "goes on from fresh optimizer moments", stacklevel=2)
            else:
                state = h5.read_optimizer(reader, model, strict=True,
                                          paths=[f"optimizer_weights/{name}" for name in names])
    return model, weights, state


def _keras2_graph(tree):
    """A functional model's config as Keras 2 wrote it (``"class_name": "Model"`` before TF 2.4;
    each call in ``inbound_nodes`` a list ``[[layer, call, index, kwargs], ...]``) in Keras 3's
    form, which ``saving/functional.py`` reads: ``{"args": [tensor, or a list of them], "kwargs"}``.
    Anything else is returned as it is (and checked there)."""
    cfg = tree.get("config")
    if tree.get("class_name") not in ("Functional", "Model") or not isinstance(cfg, dict) \
            or not isinstance(cfg.get("layers"), list):
        return tree
    entries = []
    for entry in cfg["layers"]:
        nodes = entry.get("inbound_nodes") if isinstance(entry, dict) else None
        if isinstance(nodes, list) and nodes and all(isinstance(n, list) and n for n in nodes) \
                and all(isinstance(t, list) and len(t) in (3, 4) for n in nodes for t in n):
            calls = []
            for node in nodes:
                tensors = [{"class_name": "__keras_tensor__", "config": {"keras_history": list(t[:3])}} for t in node]
                kwargs = {k: v for t in node if len(t) == 4 and isinstance(t[3], dict) for k, v in t[3].items()}
                calls.append({"args": [tensors if len(tensors) > 1 else tensors[0]], "kwargs": kwargs})
            entry = {**entry, "inbound_nodes": calls}
        entries.append(entry)
    return {**tree, "class_name": "Functional", "config": {**cfg, "layers": entries}}


def _read_weights(reader, model, label):
    """Each layer's arrays, matched as Keras matches them: the i-th layer that has weights
    takes the i-th saved layer that lists any."""
    group = reader.group("model_weights")
    if group is None:
        raise FileFormatError(f"{label}: no model_weights in this .h5 file")
    saved, names = [], _attribute(group, "layer_names", label, "model_weights") or []
    if len(names) > MAX_LAYERS:
        raise UnsafeFileError(f"{label}: model_weights lists {len(names):,} layers (cap {MAX_LAYERS})")
    for name in names:
        holder = reader.group(f"model_weights/{name}") if _plain(name) and "/" not in name else None
        if holder is None:
            raise FileFormatError(f"{label}: model_weights lists the layer {name!r} but has no group for it")
        paths = _attribute(holder, "weight_names", label, f"model_weights/{name}") or []
        if paths:
            saved.append((name, paths))
    holders = [layer for layer in model.layers if layer.weights]
    if len(saved) != len(holders):
        raise FileFormatError(f"{label}: the file has weights for {len(saved)} layers, the model has "
                              f"{len(holders)} layers with weights")
    out = []
    for layer, (name, paths) in zip(holders, saved):
        if len(paths) != len(layer.weights):
            raise FileFormatError(f"{label}: layer {layer.name!r} ({name} in the file) has {len(paths)} "
                                  f"weight arrays in the file, the model expects {len(layer.weights)}")
        for path, v in zip(paths, layer.weights):
            if not _plain(path):
                raise UnsafeFileError(f"{label}: the weight name {path!r} of layer {name!r} is not a plain path")
            where = f"model_weights/{name}/{path}"
            out.append(h5.cast(reader.array(where, v.shape), v.dtype, label, where))
    return out


def _plain(path) -> bool:
    """A path inside the file made of ordinary names: no empty part, no "." or ".."."""
    return isinstance(path, str) and 0 < len(path) <= 1000 and all(
        part not in ("", ".", "..") for part in path.split("/"))


def warn_legacy(path):
    """Keras 3.15's warning, word for word as TF 2.21 logs it (``path`` is not named there)."""
    print("WARNING:absl:You are saving your model as an HDF5 file via `model.save()` or "
          "`keras.saving.save_model(model)`. This file format is considered legacy. We recommend using "
          "instead the native Keras format, e.g. `model.save('my_model.keras')` or "
          "`keras.saving.save_model(model, 'my_model.keras')`. ", file=sys.stderr, flush=True)
