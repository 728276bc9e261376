"""``glassnet.models`` (Keras's ``keras.models``): ``Model``, ``Sequential`` and ``load_model``.

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


__all__ = ["Model", "Sequential", "load_model"]
