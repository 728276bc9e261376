"""What the ImageNet applications share: ``preprocess_input``'s three modes,
``decode_predictions``, the input-shape rules and the padding before a stride-2 convolution.

Modes of ``preprocess_input`` (Keras's, channels last, x in [0, 255])::

    "tf":    x / 127.5 - 1                      (MobileNetV2, InceptionV3, Xception)
    "torch": (x / 255 - mean) / std             mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)
    "caffe": RGB -> BGR, then x - (103.939, 116.779, 123.68)   (VGG16/19, ResNet50)

A NumPy float array is changed in place and returned, as Keras documents ("the preprocessed
data are written over the input data if the data types are compatible"); an integer array is
converted to float32 first. A Tensor or a symbolic input (inside a functional model) is
transformed with ordinary operators, so gradients flow through it.

>>> preprocess_input(np.array([[0., 127.5, 255.]]), mode="tf")   # doctest: +SKIP
array([[-1.,  0.,  1.]])
"""
from __future__ import annotations

import json

import numpy as np

CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")
CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"
_CAFFE_MEAN = np.array([103.939, 116.779, 123.68], dtype="float32")
_TORCH_MEAN = np.array([0.485, 0.456, 0.406], dtype="float32")
_TORCH_STD = np.array([0.229, 0.224, 0.225], dtype="float32")
_class_index = None


def preprocess_input(x, data_format=None, mode="caffe"):
    """Scale a batch of RGB images in [0, 255] as the model was trained (see the module)."""
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError(f"preprocess_input: mode should be one of 'caffe', 'tf' or 'torch'; got {mode!r}")
    if data_format is None:
        data_format = "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"preprocess_input: data_format should be 'channels_last' or 'channels_first'; "
                         f"got {data_format!r}")
    first = data_format == "channels_first"
    if isinstance(x, np.ndarray):
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype("float32")
        return _numpy(x, mode, first)
    if isinstance(x, (list, tuple, int, float)):
        return _numpy(np.asarray(x, dtype="float32"), mode, first)
    return _symbolic(x, mode, first)


def _per_channel(values, ndim, first):
    """A (3,) constant shaped to broadcast over the channel axis."""
    return values.reshape(3, 1, 1) if first and ndim >= 3 else values


def _numpy(x, mode, first):
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        x -= _per_channel(_TORCH_MEAN, x.ndim, first).astype(x.dtype)
        x /= _per_channel(_TORCH_STD, x.ndim, first).astype(x.dtype)
        return x
    if first:                                   # caffe: RGB -> BGR along the channel axis
        x = x[:, ::-1] if x.ndim == 4 else x[::-1]
    else:
        x = x[..., ::-1]
    x -= _per_channel(_CAFFE_MEAN, x.ndim, first).astype(x.dtype)
    return x


def _symbolic(x, mode, first):
    ndim = len(x.shape)
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        return (x / 255.0 - _per_channel(_TORCH_MEAN, ndim, first)) / _per_channel(_TORCH_STD, ndim, first)
    if first:
        x = x[:, ::-1] if ndim == 4 else x[::-1]
    else:
        x = x[..., ::-1]
    return x - _per_channel(_CAFFE_MEAN, ndim, first)


def decode_predictions(preds, top=5):
    """``[[(class_id, class_name, score), ...] per sample]``, the ``top`` best of each row of an
    ``(n, 1000)`` prediction. The class names are Keras's ``imagenet_class_index.json`` (found in
    Keras's cache ``~/.keras/models``, or downloaded from Keras's URL and checked)."""
    global _class_index
    preds = np.asarray(preds.numpy() if hasattr(preds, "numpy") else preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("decode_predictions expects a batch of predictions (i.e. a 2D array of shape "
                         f"(samples, 1000)). Received array with shape: {preds.shape}")
    if _class_index is None:
        from .weights import imagenet_file  # noqa: PLC0415
        path = imagenet_file("imagenet_class_index.json", CLASS_INDEX_PATH, CLASS_INDEX_MD5)
        with open(path, encoding="utf8") as f:
            index = json.load(f)
        if not (isinstance(index, dict) and all(str(i) in index for i in range(1000))):
            raise ValueError(f"{path}: not Keras's ImageNet class index (keys '0'..'999')")
        _class_index = index
    results = []
    for row in preds:
        best = row.argsort()[-top:][::-1]
        results.append([tuple(_class_index[str(i)]) + (row[i],) for i in best])
    return results


def obtain_input_shape(input_shape, default_size, min_size, require_flatten, weights, name):
    """Keras's rule for an application's input shape (channels last): with ``include_top``
    and ImageNet weights, exactly ``(default_size, default_size, 3)``; else at least
    ``min_size`` on each side, 3 channels for ImageNet weights, ``(None, None, 3)`` when unset."""
    default = (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten and input_shape is not None:
        if tuple(input_shape) != default:
            raise ValueError(f"{name}: when setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default}. Received: input_shape={tuple(input_shape)}")
        return default
    if input_shape is None:
        if require_flatten:
            return default
        return (None, None, 3)
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"{name}: `input_shape` must be a tuple of three integers (height, width, "
                         f"channels). Received: input_shape={input_shape}")
    if weights == "imagenet" and input_shape[-1] != 3:
        raise ValueError(f"{name}: the input must have 3 channels; Received `input_shape={input_shape}`")
    for side in input_shape[:2]:
        if side is not None and side < min_size:
            raise ValueError(f"{name}: input size must be at least {min_size}x{min_size}; "
                             f"Received: input_shape={input_shape}")
    if require_flatten and None in input_shape[:2]:
        raise ValueError(f"{name}: if `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def correct_pad(shape_hw, kernel_size):
    """Padding ``((top, bottom), (left, right))`` so that a stride-2 'valid' convolution
    acts as TensorFlow's 'same' (the extra row and column go at the end)."""
    k = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    adjust = tuple(1 if s is None else 1 - s % 2 for s in shape_hw)
    half = (k[0] // 2, k[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def model_input(input_shape, input_tensor, name):
    """The graph's Input: ``input_tensor`` (a symbolic input from ``keras.Input``) or a new one."""
    from ..layers import Input  # noqa: PLC0415
    if input_tensor is None:
        return Input(shape=input_shape)
    if not hasattr(input_tensor, "shape") or isinstance(input_tensor, np.ndarray):
        raise ValueError(f"{name}: input_tensor must be a symbolic tensor from keras.Input; "
                         f"got {type(input_tensor).__name__}")
    return input_tensor


def validate_activation(classifier_activation, weights, name):
    if weights is not None and classifier_activation not in ("softmax", None):
        raise ValueError(f"{name}: only `None` and `softmax` activations are allowed for the "
                         f"`classifier_activation` argument when using pretrained weights, with "
                         f"`include_top=True`; Received: classifier_activation={classifier_activation}")

