"""The old path of ``tf.experimental``: the package :mod:`glassnet.experimental` holds it now
(``import glassnet.experimental.numpy as tnp`` needs a package); this gives the same ``numpy``."""
from __future__ import annotations

from ..experimental import numpy

__all__ = ["numpy"]
