"""``keras.applications.InceptionV3`` (Szegedy et al. 2015), layer for layer as Keras builds it.

Every convolution is :func:`conv2d_bn`: Conv2D (no bias) -> BatchNormalization(scale=False,
so no gamma) -> ReLU. Stem of five such convolutions and two 3x3/2 max pools, then the
inception modules ``mixed0``..``mixed10``, each a Concatenate of parallel branches (1x1;
1x1 -> 5x5 or 1x7/7x1 factorised; double 3x3; 3x3 average pool -> 1x1); ``mixed3`` and
``mixed8`` halve the grid. Its convolution layers keep Keras's automatic names
(``conv2d``, ``conv2d_1``, ...), so Keras's weight file is matched by layer order, as Keras
itself matches it. :func:`preprocess_input` is Keras's "tf" mode (``x / 127.5 - 1``).

>>> model = InceptionV3(input_shape=(75, 75, 3), include_top=False, weights=None)   # doctest: +SKIP
"""
from __future__ import annotations

from . import imagenet_utils, weights as _weights

WEIGHTS_PATH = _weights.BASE + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_PATH_NO_TOP = _weights.BASE + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
HASHES = ("9a0d58056eeedaa3f26cb7ebd46da564", "bcbd6486424b2319ff4ef7d526e38f63")   # top, no top (MD5)


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None):
    """Conv2D (``name_conv``) -> BatchNormalization without scale (``name_bn``) -> ReLU (``name``)."""
    from ..layers import Activation, BatchNormalization, Conv2D  # noqa: PLC0415
    x = Conv2D(filters, (num_row, num_col), strides=strides, padding=padding, use_bias=False,
               name=None if name is None else f"{name}_conv")(x)
    x = BatchNormalization(axis=3, scale=False, name=None if name is None else f"{name}_bn")(x)
    return Activation("relu", name=name)(x)


def _pool_branch(x, filters):
    from ..layers import AveragePooling2D  # noqa: PLC0415
    return conv2d_bn(AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x), filters, 1, 1)


def _module_a(x, pool_filters, name):          # mixed0..mixed2: 35x35
    from ..layers import concatenate  # noqa: PLC0415
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = conv2d_bn(conv2d_bn(x, 48, 1, 1), 64, 5, 5)
    b3 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
    return concatenate([b1, b5, b3, _pool_branch(x, pool_filters)], axis=3, name=name)


def _module_c(x, width, name):                 # mixed4..mixed7: 17x17, factorised 7x7
    from ..layers import concatenate  # noqa: PLC0415
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(conv2d_bn(conv2d_bn(x, width, 1, 1), width, 1, 7), 192, 7, 1)
    d = conv2d_bn(x, width, 1, 1)
    d = conv2d_bn(d, width, 7, 1)
    d = conv2d_bn(d, width, 1, 7)
    d = conv2d_bn(d, width, 7, 1)
    d = conv2d_bn(d, 192, 1, 7)
    return concatenate([b1, b7, d, _pool_branch(x, 192)], axis=3, name=name)


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="inception_v3"):
    """InceptionV3 as Keras builds it (see the module); ``weights`` None, "imagenet" or a file."""
    from ..layers import (Dense, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D,  # noqa: PLC0415
                          concatenate)
    from ..models import Model  # noqa: PLC0415
    _weights.check_weights_argument(weights, include_top, classes, "InceptionV3")
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"InceptionV3: pooling must be None, 'avg' or 'max'; got {pooling!r}")
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape)[1:]
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 299, 75, include_top, weights, "InceptionV3")
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights, "InceptionV3")
    img_input = imagenet_utils.model_input(input_shape, input_tensor, "InceptionV3")

    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _module_a(x, 32, "mixed0")
    x = _module_a(x, 64, "mixed1")
    x = _module_a(x, 64, "mixed2")
    # mixed3: 35x35 -> 17x17
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    d = conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3)
    d = conv2d_bn(d, 96, 3, 3, strides=(2, 2), padding="valid")
    x = concatenate([b3, d, MaxPooling2D((3, 3), strides=(2, 2))(x)], axis=3, name="mixed3")
    x = _module_c(x, 128, "mixed4")
    for i in range(2):
        x = _module_c(x, 160, f"mixed{5 + i}")
    x = _module_c(x, 192, "mixed7")
    # mixed8: 17x17 -> 8x8
    b3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding="valid")
    b7 = conv2d_bn(conv2d_bn(conv2d_bn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding="valid")
    x = concatenate([b3, b7, MaxPooling2D((3, 3), strides=(2, 2))(x)], axis=3, name="mixed8")
    # mixed9, mixed10: 8x8, expanded filter banks
    for i in range(2):
        b1 = conv2d_bn(x, 320, 1, 1)
        b3 = conv2d_bn(x, 384, 1, 1)
        b3 = concatenate([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)], axis=3, name=f"mixed9_{i}")
        d = conv2d_bn(conv2d_bn(x, 448, 1, 1), 384, 3, 3)
        d = concatenate([conv2d_bn(d, 384, 1, 3), conv2d_bn(d, 384, 3, 1)], axis=3)
        x = concatenate([b1, b3, d, _pool_branch(x, 192)], axis=3, name=f"mixed{9 + i}")
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
    """InceptionV3's input scaling: ``x / 127.5 - 1`` (Keras's "tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: see :func:`imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
