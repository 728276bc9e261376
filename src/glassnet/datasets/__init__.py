"""Data to learn from: small digits shipped in the box, MNIST on demand, your own CSV.

- :mod:`glassnet.datasets.digits`: 1,797 handwritten digits of 8x8 pixels (UCI, CC BY 4.0),
  inside the package; ``digits.load_data(classes=2)`` is the course's 0-vs-1 problem.
- :mod:`glassnet.datasets.mnist`: 70,000 digits of 28x28, Keras's ``mnist.npz``, read
  from disk or downloaded once into ``~/.glassnet/datasets``.
- Keras's other beginner datasets, read from Keras's own cache when TensorFlow already
  downloaded them, else downloaded once: :mod:`~glassnet.datasets.fashion_mnist` (clothes,
  28x28), :mod:`~glassnet.datasets.cifar10` and :mod:`~glassnet.datasets.cifar100` (colour
  pictures, 32x32), :mod:`~glassnet.datasets.boston_housing` (a small regression table).
- :func:`load_csv`: a numeric table of your own, as ``x, y, feature_names``.

Importing this package reads no data: each ``load_data`` reads its file when called.

>>> from glassnet.datasets import digits
>>> (x_train, y_train), (x_test, y_test) = digits.load_data(classes=2)
>>> x_train.shape
(288, 64)
"""
from . import boston_housing, cifar10, cifar100, digits, fashion_mnist, imdb, mnist
from .csv import CSVData, load_csv

__all__ = ["boston_housing", "cifar10", "cifar100", "digits", "fashion_mnist", "imdb", "mnist", "load_csv", "CSVData"]
