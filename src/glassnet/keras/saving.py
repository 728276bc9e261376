"""``keras.saving``: Keras 3 ``.keras`` files, loaded safely; classes of your own registered."""
from ..saving import get_registered_name, get_registered_object, load_model, load_weights, register_keras_serializable, save_model, save_weights

__all__ = ["get_registered_name", "get_registered_object", "load_model", "load_weights",
           "register_keras_serializable", "save_model", "save_weights"]
