"""``keras.applications.MobileNetV3Small`` / ``MobileNetV3Large`` (Howard et al. 2019), layer for
layer as Keras 3 builds them.

The input is scaled inside the model (``include_preprocessing=True``: Rescaling(1/127.5,
offset=-1)), so :func:`preprocess_input` returns its input unchanged, as Keras's does.
Stem conv 3x3/2 (16) -> BN -> activation, then the inverted residual blocks
(``expanded_conv_{i}_``), then conv_1 1x1 (6x the channels) -> BN -> activation; the top is a
kept-dims average pool -> conv_2 1x1 (1024 or 1280, with bias) -> activation -> Dropout ->
logits 1x1 -> Flatten -> predictions (an Activation layer). One block::

    x ─ [expand 1x1 ─ BN ─ act] ─ [pad] depthwise kxk (stride s) ─ BN ─ act ─ [squeeze-excite] ─ project 1x1 ─ BN ─┬─ out
    └──────────────────────────────────── add, when s = 1 and the channels match ───────────────────────────────┘

squeeze-excite: average pool (kept dims) -> 1x1 conv (channels/4) -> ReLU -> 1x1 conv -> hard
sigmoid ``relu6(x + 3) / 6`` -> multiply with the block's tensor. The activation is hard swish
``x * relu6(x + 3) / 6`` (ReLU in the first blocks and in the minimalistic variants, where
kernels are 3x3 and there is no squeeze-excite).

>>> model = MobileNetV3Small(input_shape=(64, 64, 3), include_top=False, weights=None)   # doctest: +SKIP
"""
from __future__ import annotations

import warnings

import numpy as np

from . import imagenet_utils, weights as _weights

BASE_WEIGHT_PATH = _weights.BASE + "mobilenet_v3/"
WEIGHTS_HASHES = {   # (with top, without top), MD5
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb", "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7", "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c", "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7", "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862", "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37", "cde8136e733e811080d9fcd8a252f7e4"),
}
# (expansion, filters, kernel or None for the variant's, stride, squeeze-excite?, hard swish?) per block
_SMALL = [(1, 16, 3, 2, True, False), (72 / 16, 24, 3, 2, False, False), (88 / 24, 24, 3, 1, False, False),
          (4, 40, None, 2, True, True), (6, 40, None, 1, True, True), (6, 40, None, 1, True, True),
          (3, 48, None, 1, True, True), (3, 48, None, 1, True, True), (6, 96, None, 2, True, True),
          (6, 96, None, 1, True, True), (6, 96, None, 1, True, True)]
_LARGE = [(1, 16, 3, 1, False, False), (4, 24, 3, 2, False, False), (3, 24, 3, 1, False, False),
          (3, 40, None, 2, True, False), (3, 40, None, 1, True, False), (3, 40, None, 1, True, False),
          (6, 80, 3, 2, False, True), (2.5, 80, 3, 1, False, True), (2.3, 80, 3, 1, False, True),
          (2.3, 80, 3, 1, False, True), (6, 112, 3, 1, True, True), (6, 112, 3, 1, True, True),
          (6, 160, None, 2, True, True), (6, 160, None, 1, True, True), (6, 160, None, 1, True, True)]


def hard_swish(x):
    """``hard_swish(x) = x * relu6(x + 3) / 6`` (Keras 3's)."""
    x = np.asarray(x, dtype=np.result_type(x, np.float32))
    return x * np.clip(x + 3.0, 0.0, 6.0) / 6.0


def _hard_swish_backward(x, a, grad):
    # d/dx = relu6(x + 3)/6 + x * [-3 < x < 3] / 6: 0 below -3, 1 above 3, (2x + 3)/6 between
    return grad * (np.clip(x + 3.0, 0.0, 6.0) / 6.0 + x * ((x > -3.0) & (x < 3.0)) / 6.0)


hard_swish.backward = _hard_swish_backward


def _depth(v, divisor=8, min_value=None):
    """Round ``v`` to a multiple of ``divisor``, never more than 10% below it."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _activation(x, swish):
    from ..layers import Activation, ReLU  # noqa: PLC0415
    return Activation(hard_swish)(x) if swish else ReLU()(x)


def _bn(name):
    from ..layers import BatchNormalization  # noqa: PLC0415
    return BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=name)


def _se_block(inputs, filters, se_ratio, prefix):
    from ..layers import Conv2D, GlobalAveragePooling2D, Multiply, ReLU  # noqa: PLC0415
    x = GlobalAveragePooling2D(keepdims=True, name=f"{prefix}squeeze_excite_avg_pool")(inputs)
    x = Conv2D(_depth(filters * se_ratio), kernel_size=1, padding="same", name=f"{prefix}squeeze_excite_conv")(x)
    x = ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = Conv2D(filters, kernel_size=1, padding="same", name=f"{prefix}squeeze_excite_conv_1")(x)
    x = ReLU(6.0)(x + 3.0) * (1.0 / 6.0)                     # hard sigmoid, as Keras writes it
    return Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def _inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio, swish, block_id):
    from ..layers import Add, Conv2D, DepthwiseConv2D, ZeroPadding2D  # noqa: PLC0415
    shortcut, prefix = x, "expanded_conv_"
    infilters = x.shape[-1]
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = Conv2D(_depth(infilters * expansion), kernel_size=1, padding="same", use_bias=False,
                   name=f"{prefix}expand")(x)
        x = _bn(f"{prefix}expand_bn")(x)
        x = _activation(x, swish)
    if stride == 2:
        x = ZeroPadding2D(padding=imagenet_utils.correct_pad(x.shape[1:3], kernel_size),
                          name=f"{prefix}depthwise_pad")(x)
    x = DepthwiseConv2D(kernel_size, strides=stride, padding="same" if stride == 1 else "valid", use_bias=False,
                        name=f"{prefix}depthwise")(x)
    x = _bn(f"{prefix}depthwise_bn")(x)
    x = _activation(x, swish)
    if se_ratio:
        x = _se_block(x, _depth(infilters * expansion), se_ratio, prefix)
    x = Conv2D(filters, kernel_size=1, padding="same", use_bias=False, name=f"{prefix}project")(x)
    x = _bn(f"{prefix}project_bn")(x)
    if stride == 1 and infilters == filters:
        x = Add(name=f"{prefix}add")([shortcut, x])
    return x


def MobileNetV3(blocks, last_point_ch, input_shape=None, alpha=1.0, model_type="large", minimalistic=False,
                include_top=True, weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                dropout_rate=0.2, classifier_activation="softmax", include_preprocessing=True, name=None):
    """The MobileNetV3 builder: ``blocks`` is :data:`_SMALL` or :data:`_LARGE` (see the module)."""
    from ..layers import (Activation, Conv2D, Dropout, Flatten, GlobalAveragePooling2D,  # noqa: PLC0415
                          GlobalMaxPooling2D, Rescaling)
    from ..models import Model  # noqa: PLC0415
    label = f"MobileNetV3{model_type.capitalize()}"
    _weights.check_weights_argument(weights, include_top, classes, label)
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"{label}: pooling must be None, 'avg' or 'max'; got {pooling!r}")
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape)[1:]
    if input_shape is None:
        input_shape = (None, None, 3)
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"{label}: input_shape must be (height, width, channels); got {input_shape}")
    rows, cols = input_shape[0], input_shape[1]
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"{label}: input size must be at least 32x32; Received `input_shape={input_shape}`")
    if weights == "imagenet":
        if (not minimalistic and alpha not in (0.75, 1.0)) or (minimalistic and alpha != 1.0):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of `0.75`, `1.0` for non "
                             f"minimalistic or `1.0` for minimalistic only. Received alpha={alpha}")
        if rows != cols or rows != 224:
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not 224. Weights for input "
                          "shape (224, 224) will be loaded as the default.", stacklevel=3)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights, label)
    img_input = imagenet_utils.model_input(input_shape, input_tensor, label)
    kernel, swish, se_ratio = (3, False, None) if minimalistic else (5, True, 0.25)
    x = img_input
    if include_preprocessing:
        x = Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False, name="conv")(x)
    x = _bn("conv_bn")(x)
    x = _activation(x, swish)
    for block_id, (expansion, filters, k, stride, se, block_swish) in enumerate(blocks):
        x = _inverted_res_block(x, expansion, _depth(filters * alpha), k or kernel, stride,
                                se_ratio if se else None, swish and block_swish, block_id)
    last_conv_ch = _depth(x.shape[-1] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False, name="conv_1")(x)
    x = _bn("conv_1_bn")(x)
    x = _activation(x, swish)
    if include_top:
        x = GlobalAveragePooling2D(keepdims=True)(x)
        x = Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True, name="conv_2")(x)
        x = _activation(x, swish)
        if dropout_rate > 0:
            x = Dropout(dropout_rate)(x)
        x = Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
        x = Flatten()(x)
        x = Activation(activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(img_input, x, name=name)
    if weights == "imagenet":
        key = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
        fname = f"weights_mobilenet_v3_{key}.h5" if include_top else f"weights_mobilenet_v3_{key}_no_top_v2.h5"
        _weights.apply(model, weights, fname, BASE_WEIGHT_PATH + fname, WEIGHTS_HASHES[key][0 if include_top else 1])
    else:
        _weights.apply(model, weights, None, None, None)
    return model


def MobileNetV3Small(input_shape=None, alpha=1.0, minimalistic=False, include_top=True, weights="imagenet",
                     input_tensor=None, classes=1000, pooling=None, dropout_rate=0.2,
                     classifier_activation="softmax", include_preprocessing=True, name="MobileNetV3Small"):
    """MobileNetV3Small as Keras builds it (see the module)."""
    return MobileNetV3(_SMALL, 1024, input_shape, alpha, "small", minimalistic, include_top, weights,
                       input_tensor, classes, pooling, dropout_rate, classifier_activation,
                       include_preprocessing, name)


def MobileNetV3Large(input_shape=None, alpha=1.0, minimalistic=False, include_top=True, weights="imagenet",
                     input_tensor=None, classes=1000, pooling=None, dropout_rate=0.2,
                     classifier_activation="softmax", include_preprocessing=True, name="MobileNetV3Large"):
    """MobileNetV3Large as Keras builds it (see the module)."""
    return MobileNetV3(_LARGE, 1280, input_shape, alpha, "large", minimalistic, include_top, weights,
                       input_tensor, classes, pooling, dropout_rate, classifier_activation,
                       include_preprocessing, name)


def preprocess_input(x, data_format=None):
    """Returns ``x`` unchanged: MobileNetV3 scales its input itself (Keras keeps this as a placeholder)."""
    return x


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: see :func:`imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
