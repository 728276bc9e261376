"""``glassnet.keras`` mirrors the import paths of ``tensorflow.keras``.

``from glassnet.keras.layers import Dense`` gives the very class ``glassnet.layers.Dense``:
each submodule name below is the glassnet module itself, registered under this package,
so a Keras program runs with ``tensorflow`` renamed to ``glassnet``. One exception:
``glassnet.keras.activations`` (keras/activations.py) holds the same functions wrapped to
return Tensors, as TensorFlow's do (``sigmoid(z).numpy()``); each compares equal to the plain
function a layer keeps (``Dense(1, activation="sigmoid").activation == sigmoid``).
"""
import sys as _sys

from .. import callbacks, config, initializers, layers, losses, metrics, models, optimizers, regularizers, utils
from ..layers import Input
from ..models import Model, Sequential
from . import activations, backend
# keras/activations.py: the same functions, returning Tensors as TensorFlow's do.
# keras/datasets.py and keras/saving.py re-export glassnet.datasets and glassnet.saving on import.

for _name, _module in {"callbacks": callbacks, "config": config,
                       "initializers": initializers, "layers": layers, "losses": losses,
                       "metrics": metrics, "models": models, "optimizers": optimizers,
                       "regularizers": regularizers, "utils": utils}.items():
    _sys.modules[f"{__name__}.{_name}"] = _module
# `from tensorflow.keras.optimizers.schedules import ExponentialDecay`
_sys.modules[f"{__name__}.optimizers.schedules"] = optimizers.schedules
# Keras 2's paths, each name noted once (keras/legacy.py): tf.keras.optimizers.legacy.Adam,
# tf.keras.layers.experimental.preprocessing.Normalization
from . import layers_experimental as _layers_experimental, optimizers_legacy as _optimizers_legacy  # noqa: E402
optimizers.legacy = _optimizers_legacy
optimizers.experimental = _optimizers_legacy.experimental
_sys.modules[f"{__name__}.optimizers.experimental"] = _optimizers_legacy.experimental
layers.experimental = _layers_experimental
_sys.modules[f"{__name__}.optimizers.legacy"] = _optimizers_legacy
_sys.modules[f"{__name__}.layers.experimental"] = _layers_experimental
_sys.modules[f"{__name__}.layers.experimental.preprocessing"] = _layers_experimental.preprocessing
# keras.applications and keras.applications.mobilenet_v2 ...: glassnet/applications/, loaded on first use
from ..applications import install_paths as _applications_paths  # noqa: E402
_applications_paths()

__all__ = ["Input", "Model", "Sequential", "activations", "backend", "callbacks", "config",
           "datasets", "initializers", "layers", "losses", "metrics", "models", "ops", "optimizers", "preprocessing", "random",
           "regularizers", "saving", "utils"]


def __getattr__(name):
    """``tf.keras.datasets``, ``saving``, ``preprocessing`` and ``keras.ops`` load on first use (import time stays small)."""
    if name in ("datasets", "saving", "ops", "preprocessing", "random"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    if name == "applications":              # keras.applications: glassnet/applications/ (its finder)
        import importlib
        return importlib.import_module(f"{__name__}.applications")
    if name == "__version__":               # the Keras followed (3.15.1, TF 2.21's), with glassnet's label
        from .. import __glassnet_version__
        return f"3.15.1+glassnet.{__glassnet_version__}"
    if name in ("constraints", "mixed_precision"):      # keras/constraints.py, keras/mixed_precision.py
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
