"""``keras.applications.Xception`` (Chollet 2017), layer for layer as Keras builds it.

Entry flow: block1 (two 3x3 convolutions), then blocks 2-4: [ReLU] -> separable 3x3 -> BN ->
ReLU -> separable 3x3 -> BN -> 3x3/2 max pool, added to a 1x1/2 convolution + BN of the
block's input (the residual; those layers keep Keras's automatic names). Middle flow: blocks
5-12, three ReLU -> separable 3x3 (728) -> BN each, added to the input. Exit flow: block13
(728, 1024, pool, residual), block14 (separable 1536, 2048, each BN -> ReLU). BatchNormalization
keeps Keras's defaults (``epsilon=1e-3``). :func:`preprocess_input` is Keras's "tf" mode.

>>> model = Xception(input_shape=(71, 71, 3), include_top=False, weights=None)   # doctest: +SKIP
"""
from __future__ import annotations

from . import imagenet_utils, weights as _weights

WEIGHTS_PATH = _weights.BASE + "xception/xception_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_PATH_NO_TOP = _weights.BASE + "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5"
HASHES = ("0a58e3b7378bc2990ea3b43d5981f1f6", "b0042744bf5b25fce3cb969f33bebb97")   # top, no top (MD5)


def _sep_bn(x, filters, name, relu_first=True):
    """[ReLU ``{name}_act``] -> SeparableConv2D 3x3 ``{name}`` -> BN ``{name}_bn``."""
    from ..layers import Activation, BatchNormalization, SeparableConv2D  # noqa: PLC0415
    if relu_first:
        x = Activation("relu", name=f"{name}_act")(x)
    x = SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return BatchNormalization(axis=3, name=f"{name}_bn")(x)


def _downsampling_block(x, filters, block, relu_first=True):
    """Two separable convolutions and a 3x3/2 max pool, plus the 1x1/2 residual."""
    from ..layers import BatchNormalization, Conv2D, MaxPooling2D, add  # noqa: PLC0415
    first, second = filters if isinstance(filters, tuple) else (filters, filters)
    residual = Conv2D(second, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    residual = BatchNormalization(axis=3)(residual)
    x = _sep_bn(x, first, f"block{block}_sepconv1", relu_first)
    x = _sep_bn(x, second, f"block{block}_sepconv2")
    x = MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return add([x, residual])


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
             classes=1000, classifier_activation="softmax", name="xception"):
    """Xception as Keras builds it (see the module); ``weights`` None, "imagenet" or a file."""
    from ..layers import (Activation, BatchNormalization, Conv2D, Dense, GlobalAveragePooling2D,  # noqa: PLC0415
                          GlobalMaxPooling2D, add)
    from ..models import Model  # noqa: PLC0415
    _weights.check_weights_argument(weights, include_top, classes, "Xception")
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"Xception: pooling must be None, 'avg' or 'max'; got {pooling!r}")
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape)[1:]
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 299, 71, include_top, weights, "Xception")
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights, "Xception")
    img_input = imagenet_utils.model_input(input_shape, input_tensor, "Xception")
    x = Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = BatchNormalization(axis=3, name="block1_conv1_bn")(x)
    x = Activation("relu", name="block1_conv1_act")(x)
    x = Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = BatchNormalization(axis=3, name="block1_conv2_bn")(x)
    x = Activation("relu", name="block1_conv2_act")(x)
    x = _downsampling_block(x, 128, 2, relu_first=False)
    x = _downsampling_block(x, 256, 3)
    x = _downsampling_block(x, 728, 4)
    for i in range(8):
        residual, prefix = x, f"block{i + 5}"
        for j in (1, 2, 3):
            x = _sep_bn(x, 728, f"{prefix}_sepconv{j}")
        x = add([x, residual])
    x = _downsampling_block(x, (728, 1024), 13)
    x = _sep_bn(x, 1536, "block14_sepconv1", relu_first=False)
    x = Activation("relu", name="block14_sepconv1_act")(x)
    x = _sep_bn(x, 2048, "block14_sepconv2", relu_first=False)
    x = Activation("relu", name="block14_sepconv2_act")(x)
    if include_top:
        x = GlobalAveragePooling2D(name="avg_pool")(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = GlobalMaxPooling2D()(x)
    model = Model(img_input, x, name=name)
    path = WEIGHTS_PATH if include_top else WEIGHTS_PATH_NO_TOP
    _weights.apply(model, weights, path.rsplit("/", 1)[1], path, HASHES[0] if include_top else HASHES[1])
    return model


def preprocess_input(x, data_format=None):
    """Xception's input scaling: ``x / 127.5 - 1`` (Keras's "tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: see :func:`imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
