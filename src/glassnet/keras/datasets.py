"""``keras.datasets``: glassnet's loaders (``mnist.load_data()`` reads Keras's mnist.npz)."""
from ..datasets import digits, load_csv, mnist

__all__ = ["digits", "load_csv", "mnist"]
