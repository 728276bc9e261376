"""``keras.constraints``: glassnet's constraints module itself (glassnet/constraints.py), so that
``from tensorflow.keras.constraints import MaxNorm`` runs renamed."""
import sys as _sys

from .. import constraints as _constraints

_sys.modules[__name__] = _constraints
