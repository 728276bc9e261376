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
  subclassed model ``model.keras`` could not describe) refuses with ``ValueError`` and says what
  to do instead: make the object again with its class and restore its variables with
  ``tf.train.Checkpoint(obj).read(os.path.join(export_dir, "variables", "variables"))``.
  A folder holding TensorFlow's ``saved_model.pb`` only is refused naming it.

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

import json
import os

__all__ = ["contains_saved_model", "load", "save"]

_MARKER = "glassnet_saved_model.json"
_FORMAT = "glassnet-saved-model"


def _folder(export_dir, who: str) -> str:
    path = os.fspath(export_dir)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    if not path:
        raise ValueError(f"{who}: export_dir must not be empty")
    return path


def save(obj, export_dir, signatures=None, options=None) -> None:
    """Write ``obj``'s variables (and, for a Keras model, its ``.keras`` file) under ``export_dir``."""
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
    keras_bytes, kind, why = None, "module", ""
    from ..engine.model import Model                  # noqa: PLC0415
    if isinstance(obj, Model):
        keras_bytes, why = _keras_file(obj)
        kind = "keras" if keras_bytes is not None else "keras-weights"
    os.makedirs(os.path.join(folder, "variables"), exist_ok=True)
    write_bytes = train.write_bytes
    marker = os.path.join(folder, _MARKER)
    if os.path.exists(marker):
        os.remove(marker)                             # the folder is whole again only when it is rewritten
    train._write(os.path.join(folder, "variables", "variables"), arrays)
    if keras_bytes is not None:
        write_bytes(os.path.join(folder, "model.keras"), keras_bytes)
    elif os.path.exists(os.path.join(folder, "model.keras")):
        os.remove(os.path.join(folder, "model.keras"))
    cls = type(obj)
    info = {"format": _FORMAT, "version": 1, "kind": kind, "class": f"{cls.__module__}.{cls.__qualname__}"}
    if why:
        info["no_keras_file"] = why
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
    """A Keras model saved by ``save``, back (from its ``model.keras``); anything else is refused,
    naming how to restore its variables into an object made again by its class."""
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
        return load_model(os.path.join(folder, "model.keras"))
    name = cls.rsplit(".", 1)[-1]
    reason = f" (it had no .keras file: {info['no_keras_file']})" if info.get("no_keras_file") else ""
    raise ValueError(
        f"saved_model.load: {folder!r} holds the variables of a {cls}{reason}. TensorFlow would load the "
        f"functions it traced; glassnet keeps no code in files and runs none, so make the object again with its "
        f"class and restore the variables into it:\n"
        f"    obj = {name}(...)      # built the same way\n"
        f"    tf.train.Checkpoint(obj).read({variables!r}).assert_consumed()")
