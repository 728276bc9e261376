"""``keras.saving``: Keras 3 ``.keras`` files, loaded safely."""
from ..saving import load_model, load_weights, save_model, save_weights

__all__ = ["load_model", "load_weights", "save_model", "save_weights"]
