"""``tf.lite``: TensorFlow Lite files written and run without TensorFlow.

``TFLiteConverter.from_keras_model(model).convert()`` gives the bytes of a real ``.tflite``
flatbuffer (:mod:`glassnet.lite.converter`), which TensorFlow's ``tf.lite.Interpreter`` runs;
:class:`Interpreter` (:mod:`glassnet.lite.interpreter`) runs TensorFlow's files and glassnet's
in NumPy. :mod:`glassnet.lite.flatbuffer` and :mod:`glassnet.lite.schema` hold the file format;
:mod:`glassnet.lite.kernels` the operators. ``import glassnet`` loads none of this until
``tf.lite`` is first touched.
"""
from .converter import OpsSet, Optimize, TFLiteConverter
from .interpreter import Interpreter, SignatureRunner

__all__ = ["TFLiteConverter", "Interpreter", "SignatureRunner", "Optimize", "OpsSet", "write"]


def write(model_or_bytes, filepath) -> None:
    """Write a ``.tflite`` file atomically: ``model_or_bytes`` is a Keras model (converted) or the
    bytes ``convert()`` gave. A failed conversion or write leaves any existing file as it was."""
    from ..saving import atomic
    path = atomic.check_target(filepath, (".tflite",), "lite.write", overwrite=True)
    data = model_or_bytes if isinstance(model_or_bytes, (bytes, bytearray)) else \
        TFLiteConverter.from_keras_model(model_or_bytes).convert()
    atomic.write_bytes(path, bytes(data))
