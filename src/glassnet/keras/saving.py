"""``keras.saving``: Keras 3 ``.keras`` files, loaded safely; classes of your own registered."""
from ..registry import CustomObjectScope, custom_object_scope
from ..saving import (deserialize_keras_object, get_registered_name, get_registered_object, load_model, load_weights,
                      register_keras_serializable, save_model, save_weights, serialize_keras_object)

__all__ = ["CustomObjectScope", "custom_object_scope", "deserialize_keras_object", "get_registered_name", "get_registered_object", "load_model", "load_weights",
           "register_keras_serializable", "save_model", "save_weights", "serialize_keras_object"]
