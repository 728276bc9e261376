"""``keras.mixed_precision``: glassnet/mixed_precision.py's names under Keras's import path
(``from tensorflow.keras.mixed_precision import Policy`` runs renamed). The global policy lives
in glassnet/mixed_precision.py; these are its functions."""
from ..mixed_precision import DTypePolicy, LossScaleOptimizer, Policy, global_policy, set_global_policy

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "global_policy", "set_global_policy"]
