"""Layers: each one's ``forward`` with its ``backward`` right under it.

``forward(x, training)`` computes the output and keeps what ``backward`` needs;
``backward(grad)`` takes ``dJ/d(output)``, sets the gradient of each weight
(``variable.grad``, same shape as the weight) and returns ``dJ/d(input)``.

For a Dense layer with activation ``g`` (one batch of ``m`` rows):

    forward:   Z = X @ W + b          A = g(Z)
    backward:  dZ = dA * g'(Z)        dW = X.T @ dZ     db = sum(dZ over rows)
               dX = dZ @ W.T

One module per family of layers (``core``: Input, Dense, Activation, Dropout, Flatten;
``preprocessing``: Normalization; ...). Every module in this folder is imported here and
each ``Layer`` subclass it defines is exported and registered by its name, so a new
layer is one new file (and its test): nothing else to edit.

>>> import numpy as np, glassnet
>>> layer = glassnet.layers.Dense(2, activation="relu")
>>> layer(np.ones((3, 4))).shape
TensorShape([3, 2])
"""
from __future__ import annotations

import importlib as _importlib
import pkgutil as _pkgutil

from .base import Layer, Variable, get_class, registered_classes
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer
from .merging import add, average, concatenate, dot, maximum, minimum, multiply, subtract
from .preprocessing import Normalization

for _module in _pkgutil.iter_modules(__path__):
    _importlib.import_module(f"{__name__}.{_module.name}")
globals().update(registered_classes())
del _module

# Keras's other spellings of the same classes (MaxPool2D is MaxPooling2D)
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D  # noqa: F821 - registered above
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D  # noqa: F821
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D  # noqa: F821
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D  # noqa: F821
Convolution1D, Convolution2D = Conv1D, Conv2D  # noqa: F821
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose  # noqa: F821
SeparableConvolution2D = SeparableConv2D  # noqa: F821
MaxPool3D, AvgPool3D, Convolution3D = MaxPooling3D, AveragePooling3D, Conv3D  # noqa: F821
Convolution3DTranspose = Conv3DTranspose  # noqa: F821
GlobalAvgPool3D, GlobalMaxPool3D = GlobalAveragePooling3D, GlobalMaxPooling3D  # noqa: F821
