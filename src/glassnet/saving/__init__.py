"""Model files: Keras 3's own ``.keras`` format, loaded safely, written atomically.

>>> import numpy as np, glassnet, tempfile, os
>>> model = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(2)])
>>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
>>> model.save(path)
>>> again = glassnet.models.load_model(path)
>>> bool(np.allclose(again.predict(np.ones((1, 3)), verbose=0), model.predict(np.ones((1, 3)), verbose=0)))
True

* ``.keras``: a zip of ``metadata.json``, ``config.json`` (Keras's schema) and
  ``model.weights.h5`` (Keras's dataset layout); ``keras.saving.load_model`` opens it.
* ``.weights.h5`` (Keras's layout) and ``.safetensors`` (``dense/kernel`` keys): weights only.
* ``.h5``: Keras's legacy model file (:mod:`glassnet.saving.legacy_h5`), read as safely.

Loading builds only glassnet's registered classes, runs no code, imports nothing named in
the file, and caps every size a file declares; each refusal is a :class:`ModelFileError`
(:class:`UnsafeFileError` or :class:`FileFormatError`). Writing goes through a temporary
file and ``os.replace``, so an interrupted save leaves the previous file intact.
HDF5 needs ``h5py``, and writing safetensors needs ``safetensors`` (reading it needs nothing):
``pip install "glassnet[files]"``. Files are read through a bounded window
(:mod:`glassnet.saving.stream`), never whole; non-finite weights are refused.
"""
from __future__ import annotations

import datetime
import json
import os

from . import atomic, h5, json_safe, keras_config, legacy_h5, safe_zip, safetensors_io, stream
from .errors import FileFormatError, ModelFileError, UnsafeFileError
from .registry import get_registered_name, get_registered_object, own_class_names, register_keras_serializable

__all__ = ["FileFormatError", "ModelFileError", "UnsafeFileError", "deserialize_keras_object",
           "get_registered_name", "get_registered_object", "load_model", "load_weights",
           "register_keras_serializable", "save_model", "save_weights", "serialize_keras_object"]

KERAS_FORMAT_VERSION = "3.15.1"     # the Keras release whose files glassnet writes and was checked with
_WEIGHT_SUFFIXES = (".weights.h5", ".safetensors")


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs) -> None:
    """Write ``model`` as a Keras 3 ``.keras`` file, atomically.

    The file holds the architecture, the weights and, when compiled, the loss, metrics,
    optimizer and its state, so ``load_model`` resumes training where it stopped.
    """
    if kwargs:
        raise TypeError(f"save: unexpected argument(s) {', '.join(sorted(kwargs))}")
    if zipped is False:
        raise ValueError("save: glassnet writes zipped .keras files only (zipped=False is not supported)")
    path = atomic.check_target(filepath, (".keras",) + legacy_h5.SUFFIXES, "save", overwrite)
    keras_config.check_saveable(model)
    if path.endswith(legacy_h5.SUFFIXES):           # Keras's legacy HDF5 model file, as Keras 3 still writes
        legacy_h5.warn_legacy(path)
        atomic.write_bytes(path, legacy_h5.write(model))
        return
    cfg = keras_config.model_config(model)
    from .. import __glassnet_version__ as __version__
    metadata = {"keras_version": KERAS_FORMAT_VERSION, "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
                "saved_by": f"glassnet {__version__}"}
    data = safe_zip.pack({
        safe_zip.METADATA: json.dumps(metadata).encode(),
        safe_zip.CONFIG: json.dumps(cfg).encode(),
        safe_zip.WEIGHTS: h5.write(model, include_optimizer=True),
        **_saved_assets(model),
    })
    atomic.write_bytes(path, data)


def _own_assets(model) -> list:
    """``(key, layer)`` for each of the model's layers with Keras's ``save_assets``/``load_assets``
    hooks (a layer of yours: glassnet's own keep their files otherwise), ``key`` as Keras names
    its folder, ``assets/layers/<key>/``."""
    return [(key, layer) for key, layer in zip(h5.layer_keys(model), model.layers)
            if callable(getattr(layer, "save_assets", None)) or callable(getattr(layer, "load_assets", None))]


def _saved_assets(model) -> dict:
    """The files each layer's ``save_assets(folder)`` writes, as ``assets/layers/<key>/<file>``
    members (plain files in that folder; a sub-folder or an odd name is refused, nothing written)."""
    import tempfile
    members = {}
    for key, layer in _own_assets(model):
        if not callable(getattr(layer, "save_assets", None)):
            continue
        with tempfile.TemporaryDirectory() as folder:
            layer.save_assets(folder)
            for name in sorted(os.listdir(folder)):
                member = f"assets/layers/{key}/{name}"
                if not os.path.isfile(os.path.join(folder, name)) or not safe_zip.ASSET.fullmatch(member):
                    raise ValueError(f"save: layer {layer.name!r}: save_assets wrote {name!r}; glassnet keeps plain "
                                     "files with simple names (letters, digits, _ - .) directly in the folder")
                with open(os.path.join(folder, name), "rb") as fh:
                    members[member] = fh.read()
    return members


def _load_assets(assets: dict, model) -> None:
    """Each layer's files written back to a temporary folder and handed to its ``load_assets``."""
    import tempfile
    for key, layer in _own_assets(model):
        if not callable(getattr(layer, "load_assets", None)):
            continue
        with tempfile.TemporaryDirectory() as folder:
            for name, data in assets.get(key, {}).items():
                with open(os.path.join(folder, name), "wb") as fh:
                    fh.write(data)
            layer.load_assets(folder)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Open a ``.keras`` file written by glassnet or by Keras 3.

    ``filepath`` may be a path or a binary file object. ``compile=False`` skips the loss,
    metrics and optimizer. glassnet has no unsafe mode: ``safe_mode=False`` is accepted for
    Keras compatibility and changes nothing. Only glassnet's own classes, classes you
    registered with :func:`register_keras_serializable` and classes you pass in
    ``custom_objects`` (``{"MyLayer": MyLayer}``) are ever built: the file names a class,
    your code decides which classes may be named.
    """
    if custom_objects is not None and not (isinstance(custom_objects, dict)
                                           and all(isinstance(k, str) for k in custom_objects)):
        raise TypeError("load_model: custom_objects must be a dict {name: class}")
    legacy = False
    if isinstance(filepath, (str, os.PathLike)):
        name = os.fspath(filepath)
        if name.endswith(_WEIGHT_SUFFIXES) or not name.endswith((".keras",) + legacy_h5.SUFFIXES):
            hint = " (use load_weights for weights files)" if name.endswith(_WEIGHT_SUFFIXES) else ""
            raise FileFormatError(f"load_model: {name!r}: load_model reads .keras files (and Keras's legacy "
                                  f".h5 model files){hint}")
        legacy = name.endswith(legacy_h5.SUFFIXES)
    with stream.open_source(filepath, "load_model") as (window, label):
        try:
            if legacy:
                return _load_legacy(window, label, compile, custom_objects)
            return _load(window, label, compile, custom_objects)
        except ModelFileError:
            raise
        except Exception as e:          # a parser boundary: whatever the file does, one error type
            raise FileFormatError(f"{label}: malformed model file ({type(e).__name__}: {e})") from e


def _read_vocabularies(archive, model, label) -> dict:
    """Keras's ``assets/layers/<layer>/[_lookup_layer/]vocabulary.txt`` (an adapted TextVectorization,
    StringLookup or IntegerLookup) handed to the layer of that name, as text (one token a line).
    Returns the files of layers with ``load_assets`` of their own: ``{key: {file: bytes}}``."""
    by_key = dict(zip(h5.layer_keys(model), model.layers))      # Keras's path: snake_case class name, _1 ...
    own = {key for key, layer in _own_assets(model) if callable(getattr(layer, "load_assets", None))}
    assets: dict = {}
    for name in sorted(archive.names):
        parts = name.split("/")
        if parts[0] != "assets":
            continue
        match = safe_zip.ASSET.fullmatch(name)
        if match and match.group(1) in own:
            assets.setdefault(match.group(1), {})[match.group(2)] = archive.read(name)
            continue
        if not safe_zip.is_vocabulary(name):
            raise UnsafeFileError(f"{label}: unexpected member {name!r}: only a lookup's vocabulary.txt, or the files "
                                  "of a layer of yours that has load_assets, may sit under assets/")
        layer = by_key.get(parts[2]) if len(parts) in (4, 5) else None
        if layer is None or not hasattr(layer, "load_vocabulary_asset"):
            raise FileFormatError(f"{label}: {name} belongs to no layer of this model that keeps a vocabulary")
        try:
            layer.load_vocabulary_asset(archive.read(name).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise FileFormatError(f"{label}: {name}: {e}") from None
    return assets


def _load(window, label, compile, custom_objects=None):
    with safe_zip.Archive(window, label) as archive:
        if safe_zip.METADATA in archive.names:
            try:
                json_safe.loads(archive.read(safe_zip.METADATA).decode("utf-8"))
            except json_safe.DuplicateKeys as e:
                raise UnsafeFileError(f"{label}: metadata.json repeats the key(s) {e.args[0]} in one object") from None
            except (UnicodeDecodeError, ValueError, RecursionError):
                raise FileFormatError(f"{label}: metadata.json is not valid JSON") from None
        tree = json_safe.parse(archive.read(safe_zip.CONFIG), label)
        try:            # compile=False never reads compile_config: it need not pass the scan
            json_safe.scan(tree if compile or not isinstance(tree, dict)
                           else {k: v for k, v in tree.items() if k != "compile_config"}, label,
                           own_class_names(custom_objects))
        except ModelFileError as e:
            if "compile_config" in str(e):
                raise _with_hint(e) from None
            raise
        if isinstance(tree, dict) and tree.get("class_name") == "FeatureSpace" and tree.get("module") == "keras.utils":
            from ..feature_space_file import load as load_feature_space  # noqa: PLC0415 - loaded when named
            return load_feature_space(archive, tree, label, custom_objects)
        model, ccfg = keras_config.build_model(tree, label, custom_objects)
        assets = _read_vocabularies(archive, model, label)
        if compile and ccfg:
            _compile(model, ccfg, label, custom_objects)
        declared, most = archive.declared_size(safe_zip.WEIGHTS), _weights_bound(model)
        if declared > most:
            raise UnsafeFileError(f"{label}: {safe_zip.WEIGHTS} declares {declared:,} bytes, far more than "
                                  f"this model's weights can take ({most:,} at most); refused before reading it")
        with h5.Reader(archive.open(safe_zip.WEIGHTS), label) as reader:
            named: dict = {}                   # a tf_idf lookup's idf_weights, kept by Keras under its own name
            weights = h5.read_layers(reader, model, named=named) if model.built else []
            state = h5.read_optimizer(reader, model, strict=True) if (compile and model.compiled and model.built) else None
    for layer, arrays in named.items():
        layer.set_h5_named_arrays(arrays)
    if weights:
        model.set_weights(weights)
    if state is not None:
        h5.apply_optimizer(model, state)
    _load_assets(assets, model)                 # last, as Keras: after the weights
    return model


def _load_legacy(window, label, compile, custom_objects=None):
    model, weights, state = legacy_h5.read(window, label, compile, custom_objects,
                                           own_class_names(custom_objects), _compile)
    if weights:
        model.set_weights(weights)
    if state is not None:
        h5.apply_optimizer(model, state)
    return model


def _compile(model, ccfg, label, custom_objects=None):
    """The file's loss, metrics and optimizer; a refusal says how to load the rest anyway."""
    try:
        keras_config.compile_model(model, ccfg, label, custom_objects)
    except ModelFileError as e:
        raise _with_hint(e) from None


def _with_hint(error):
    text = str(error)
    if "compile=False" in text:
        return error
    return type(error)(f"{text}. To load the architecture and weights without the loss, metrics and "
                       "optimizer, use load_model(..., compile=False) and compile the model yourself")


def _weights_bound(model) -> int:
    """The largest ``model.weights.h5`` this model could have: every weight and up to three
    optimizer slots per weight in float64, plus generous HDF5 bookkeeping per array and
    layer. A member declaring more holds something else, and is refused unread."""
    elements = sum(int(v.value.size) for v in model.weights) if model.built else 0
    arrays = len(model.weights) if model.built else 0
    return 8 * 4 * elements + (64 << 10) * (4 * arrays + len(model.layers) + 16) + (16 << 20)


def save_weights(model, filepath, overwrite=True, max_shard_size=None) -> None:
    """Write the weights only: ``.weights.h5`` (Keras's layout, with the optimizer state
    as Keras writes it) or ``.safetensors`` (``dense/kernel`` keys). Atomic."""
    if max_shard_size is not None:
        raise ValueError("save_weights: sharding is not supported")
    path = atomic.check_target(filepath, _WEIGHT_SUFFIXES, "save_weights", overwrite)
    if not model.built and not model.weights:     # (a subclass holding tf.Variables has weights unbuilt)
        raise ValueError("save_weights: the model has no weights yet; build it or call it on data first")
    data = h5.write(model) if path.endswith(".weights.h5") else safetensors_io.write(model)
    atomic.write_bytes(path, data)


def load_weights(model, filepath, skip_mismatch=False, **kwargs) -> None:
    """Load weights saved by ``save_weights`` (glassnet or Keras). All arrays are checked
    against the model before any is assigned, so a refused file changes nothing."""
    if kwargs:
        raise TypeError(f"load_weights: unexpected argument(s) {', '.join(sorted(kwargs))}")
    if skip_mismatch:
        raise ValueError("load_weights: skip_mismatch=True is not supported; every weight is checked")
    name = os.fspath(filepath) if isinstance(filepath, (str, os.PathLike)) else getattr(filepath, "name", "")
    if not isinstance(name, str) or not name.endswith(_WEIGHT_SUFFIXES):
        raise FileFormatError(f"load_weights: the file name must end in .weights.h5 or .safetensors; got {name!r}"
                              + (" (a .keras file: use glassnet.models.load_model)" if str(name).endswith(".keras") else ""))
    if not model.built and not model.weights:
        raise ValueError("load_weights: build the model first (e.g. an Input layer, or model.build((None, n)))")
    with stream.open_source(filepath, "load_weights") as (window, label):
        try:
            if name.endswith(".safetensors"):
                weights, state = safetensors_io.read(window, model, label), None
            else:
                with h5.Reader(window, label) as reader:
                    named: dict = {}
                    weights = h5.read_layers(reader, model, named=named)
                    state = h5.read_optimizer(reader, model, strict=False) if model.compiled else None
                for layer, arrays in named.items():
                    layer.set_h5_named_arrays(arrays)
        except ModelFileError:
            raise
        except Exception as e:
            raise FileFormatError(f"{label}: malformed weights file ({type(e).__name__}: {e})") from e
    model.set_weights(weights)
    if state is not None:
        h5.apply_optimizer(model, state)


def serialize_keras_object(obj):
    """``keras.saving.serialize_keras_object`` for a layer (what a ``get_config`` of yours puts
    for an inner layer, as the guides write it): Keras's ``{"module", "class_name", "config",
    "registered_name"}``; None, strings, numbers and lists of them pass through."""
    from ..layers.base import Layer  # noqa: PLC0415
    from ..engine.model import _layer_entry  # noqa: PLC0415
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(o) for o in obj]
    if isinstance(obj, Layer) and hasattr(obj, "_is_stack") and (obj._is_stack() or obj._graph is not None):
        return keras_config.model_config(obj)          # a Sequential or functional model: its whole config
    if isinstance(obj, Layer):
        return _layer_entry(obj)
    raise TypeError(f"serialize_keras_object: glassnet serializes layers (and plain values), "
                    f"got {type(obj).__name__}")


def deserialize_keras_object(config, custom_objects=None, safe_mode=True):
    """``keras.saving.deserialize_keras_object`` for a layer's entry: one of glassnet's layers,
    or a class you registered or name in ``custom_objects``; the entry never names code to run."""
    if config is None or isinstance(config, (str, bool, int, float)):
        return config
    if custom_objects is not None and not (isinstance(custom_objects, dict)
                                           and all(isinstance(k, str) for k in custom_objects)):
        raise TypeError("deserialize_keras_object: custom_objects must be a dict {name: class}")
    r = keras_config._Reader("deserialize_keras_object")
    cls, cfg = r.obj(config, "config", keras_config._LAYERS, custom_objects)
    return keras_config._layer(r, cls, cfg, "config", custom_objects, [0], 0)
