"""``glassnet.models`` (Keras's ``keras.models``): ``Model``, ``Sequential``, ``load_model``,
``model_from_json`` and ``clone_model``.

The classes live in ``glassnet/engine/`` (``model.py``, ``sequential.py``); this module is
their public address.

>>> import glassnet
>>> issubclass(glassnet.models.Sequential, glassnet.models.Model)
True
"""
from .engine.model import Model
from .engine.sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Open a ``.keras`` (or legacy ``.h5``) file written by glassnet or Keras 3 (only
    glassnet's own classes, and those you name, are built)."""
    from . import saving  # noqa: PLC0415 - saving is loaded on first use (import time)
    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def model_from_json(json_string, custom_objects=None):
    """The model ``model.to_json()`` described (fresh weights): Keras's ``keras.models.model_from_json``."""
    import json  # noqa: PLC0415
    from .saving import keras_config  # noqa: PLC0415 - saving is loaded on first use
    model, _ = keras_config.build_model(json.loads(json_string), "model_from_json", custom_objects)
    return model


def clone_model(model, input_tensors=None, clone_function=None, **kwargs):
    """A new model of the same layers, with new weights (Keras's ``keras.models.clone_model``):
    a Sequential or functional model rebuilt from its config."""
    if input_tensors is not None or clone_function is not None or kwargs:
        raise ValueError("clone_model: input_tensors, clone_function and the other options are not supported")
    return type(model).from_config(model.get_config()) if isinstance(model, Sequential) else \
        Model.from_config(model.get_config())


__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json"]
