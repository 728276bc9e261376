"""``keras.mixed_precision``: glassnet's module itself (glassnet/mixed_precision.py), so that
``from tensorflow.keras.mixed_precision import Policy`` runs renamed."""
import sys as _sys

from .. import mixed_precision as _mixed_precision

_sys.modules[__name__] = _mixed_precision
