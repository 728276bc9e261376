"""``keras.applications.MobileNetV2`` (Sandler et al. 2018), layer for layer as Keras 3 builds it.

Conv1 (3x3, stride 2) -> 17 inverted residual blocks -> Conv_1 (1x1, 1280) -> [pooling, Dense].
One block (``block_{i}_``; the first is ``expanded_conv_``, without its expansion)::

    x ─ expand 1x1 (in*t) ─ BN ─ ReLU6 ─ [pad] depthwise 3x3 (stride s) ─ BN ─ ReLU6 ─ project 1x1 ─ BN ─┬─ out
    └────────────────────────── add, when s = 1 and the channels match ───────────────────────────────┘

Every BatchNormalization has ``epsilon=1e-3, momentum=0.999``; channel counts are
``alpha`` times the paper's, rounded to a multiple of 8. Inputs are scaled by
:func:`preprocess_input` to [-1, 1].

>>> base = MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights=None)   # doctest: +SKIP
"""
from __future__ import annotations

import warnings

from . import imagenet_utils, weights as _weights

BASE_WEIGHT_PATH = _weights.BASE + "mobilenet_v2/"
_BLOCKS = [(16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6),
           (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6),
           (160, 1, 6), (320, 1, 6)]           # (filters, stride, expansion) of blocks 0..16


def _make_divisible(v, divisor=8, min_value=None):
    """Round ``v`` to a multiple of ``divisor``, never more than 10% below it."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _bn(name):
    from ..layers import BatchNormalization  # noqa: PLC0415
    return BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=name)


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    from ..layers import Add, Conv2D, DepthwiseConv2D, ReLU, ZeroPadding2D  # noqa: PLC0415
    in_channels = inputs.shape[-1]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x, prefix = inputs, f"block_{block_id}_"
    if block_id:
        x = Conv2D(expansion * in_channels, kernel_size=1, padding="same", use_bias=False,
                   activation=None, name=f"{prefix}expand")(x)
        x = _bn(f"{prefix}expand_BN")(x)
        x = ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = ZeroPadding2D(padding=imagenet_utils.correct_pad(x.shape[1:3], 3), name=f"{prefix}pad")(x)
    x = DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                        padding="same" if stride == 1 else "valid", name=f"{prefix}depthwise")(x)
    x = _bn(f"{prefix}depthwise_BN")(x)
    x = ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False, activation=None,
               name=f"{prefix}project")(x)
    x = _bn(f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return Add(name=f"{prefix}add")([inputs, x])
    return x


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet", input_tensor=None,
                pooling=None, classes=1000, classifier_activation="softmax", name=None):
    """MobileNetV2 as Keras builds it (see the module); ``weights`` None, "imagenet" or a file."""
    from ..layers import Conv2D, Dense, GlobalAveragePooling2D, GlobalMaxPooling2D, ReLU  # noqa: PLC0415
    from ..models import Model  # noqa: PLC0415
    _weights.check_weights_argument(weights, include_top, classes, "MobileNetV2")
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"MobileNetV2: pooling must be None, 'avg' or 'max'; got {pooling!r}")
    if input_shape is None and input_tensor is not None:
        shape = tuple(input_tensor.shape)
        rows, cols = shape[1], shape[2]
    elif input_shape is not None:
        rows, cols = input_shape[0], input_shape[1]
    else:
        rows = cols = None
    default_size = rows if rows == cols and rows in (96, 128, 160, 192, 224) else 224
    if input_shape is None and input_tensor is not None:
        input_shape = shape[1:]
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size, 32, include_top, weights,
                                                    "MobileNetV2")
    rows, cols = input_shape[0], input_shape[1]
    if weights == "imagenet":
        if alpha not in (0.35, 0.50, 0.75, 1.0, 1.3, 1.4):
            raise ValueError("If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, "
                             f"`0.75`, `1.0`, `1.3` or `1.4` only; Received `alpha={alpha}`")
        if rows != cols or rows not in (96, 128, 160, 192, 224):
            rows = 224
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in [96, 128, 160, "
                          "192, 224]. Weights for input shape (224, 224) will be loaded as the default.",
                          stacklevel=2)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights, "MobileNetV2")
    img_input = imagenet_utils.model_input(input_shape, input_tensor, "MobileNetV2")

    x = Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2), padding="same",
               use_bias=False, name="Conv1")(img_input)
    x = _bn("bn_Conv1")(x)
    x = ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride, expansion=expansion,
                                block_id=block_id)
    last = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = Conv2D(last, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = _bn("Conv_1_bn")(x)
    x = ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = GlobalAveragePooling2D()(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = GlobalMaxPooling2D()(x)
    model = Model(img_input, x, name=name or f"mobilenetv2_{alpha:0.2f}_{rows}")
    fname = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
             f"{'' if include_top else '_no_top'}.h5")
    _weights.apply(model, weights, fname, BASE_WEIGHT_PATH + fname, None)
    return model


def preprocess_input(x, data_format=None):
    """MobileNetV2's input scaling: ``x / 127.5 - 1`` (Keras's "tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: see :func:`imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
