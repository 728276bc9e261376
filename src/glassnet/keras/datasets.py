"""``keras.datasets``: glassnet's loaders, each giving what Keras's gives (and reading
Keras's own cached copy when TensorFlow downloaded one)."""
from ..datasets import boston_housing, cifar10, cifar100, digits, fashion_mnist, imdb, load_csv, mnist

__all__ = ["boston_housing", "cifar10", "cifar100", "digits", "fashion_mnist", "imdb", "load_csv", "mnist"]
