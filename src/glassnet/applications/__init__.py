"""``keras.applications``: Keras's ImageNet image models, same architectures, layer names and
weight order, so Keras's own weight files (``~/.keras/models``) load into them.

One small module per family, loaded on first use (nothing here at ``import glassnet``)::

    mobilenet_v2   MobileNetV2                  preprocess_input: "tf"    x/127.5 - 1
    vgg16, vgg19   VGG16, VGG19                 preprocess_input: "caffe" BGR minus the mean
    resnet         ResNet50 (also resnet50)     preprocess_input: "caffe"
    inception_v3   InceptionV3                  preprocess_input: "tf"
    mobilenet_v3   MobileNetV3Small, MobileNetV3Large   scales its input itself (preprocess_input: x)
    densenet       DenseNet121, DenseNet169, DenseNet201   preprocess_input: "torch"
    xception       Xception                     preprocess_input: "tf"
    efficientnet   EfficientNetB0 .. B7         scales its input itself (preprocess_input: x)
    imagenet_utils preprocess_input, decode_predictions, the input-shape rules
    weights        weights=None / "imagenet" / a file: finding and reading Keras's files

>>> from glassnet.keras.applications import MobileNetV2          # doctest: +SKIP
>>> base = MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights=None)   # doctest: +SKIP
"""
import importlib as _importlib
import importlib.machinery  # noqa: F401 - ModuleSpec for the finder below
import sys as _sys

_MODELS = {"MobileNetV2": "mobilenet_v2", "VGG16": "vgg16", "VGG19": "vgg19", "ResNet50": "resnet",
           "InceptionV3": "inception_v3", "MobileNetV3Small": "mobilenet_v3", "MobileNetV3Large": "mobilenet_v3",
           "DenseNet121": "densenet", "DenseNet169": "densenet", "DenseNet201": "densenet", "Xception": "xception",
           **{f"EfficientNetB{i}": "efficientnet" for i in range(8)}}
_MODULES = {"mobilenet_v2": "mobilenet_v2", "vgg16": "vgg16", "vgg19": "vgg19", "resnet": "resnet",
            "resnet50": "resnet", "inception_v3": "inception_v3", "mobilenet_v3": "mobilenet_v3",
            "densenet": "densenet", "xception": "xception", "efficientnet": "efficientnet",
            "imagenet_utils": "imagenet_utils",
            "weights": "weights"}
__all__ = sorted(_MODELS) + sorted(_MODULES)


def __getattr__(name):
    """``applications.MobileNetV2`` or ``applications.mobilenet_v2``: the module loads now."""
    if name in _MODELS:
        return getattr(_importlib.import_module(f"{__name__}.{_MODELS[name]}"), name)
    if name in _MODULES:
        module = _importlib.import_module(f"{__name__}.{_MODULES[name]}")
        if name != _MODULES[name]:              # keras.applications.resnet50 is resnet's module
            _sys.modules[f"{__name__}.{name}"] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__


class _KerasPaths:
    """Finds ``glassnet.keras.applications`` and ``glassnet.keras.applications.<module>``
    (``from tensorflow.keras.applications.mobilenet_v2 import preprocess_input``, renamed)
    and answers with this package's module, the same object (as :mod:`glassnet._aliases`)."""

    def find_spec(self, fullname, path=None, target=None):
        from .._aliases import _Existing  # noqa: PLC0415
        if fullname == "glassnet.keras.applications":
            return _importlib.machinery.ModuleSpec(fullname, _Existing(__name__))
        head, _, tail = fullname.rpartition(".")
        if head == "glassnet.keras.applications" and tail in _MODULES:
            return _importlib.machinery.ModuleSpec(fullname, _Existing(f"{__name__}.{_MODULES[tail]}"))
        return None


def install_paths() -> None:
    """Put :class:`_KerasPaths` on ``sys.meta_path`` once (``glassnet.keras`` does, on import)."""
    if not any(isinstance(finder, _KerasPaths) for finder in _sys.meta_path):
        _sys.meta_path.append(_KerasPaths())
