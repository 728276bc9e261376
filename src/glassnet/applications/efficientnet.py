"""``keras.applications.EfficientNetB0`` .. ``B7`` (Tan & Le 2019), layer for layer as Keras 3
builds them.

The input is scaled inside the model: Rescaling(1/255) -> Normalization (ImageNet's mean and
variance come with the weights file) -> [Rescaling(1/sqrt(std)) with ImageNet weights, as
Keras], so :func:`preprocess_input` returns its input unchanged. Stem: pad -> stem_conv 3x3/2
-> BN -> swish; seven stages of MBConv blocks (``block{stage}{a,b,..}_``); top_conv 1x1 ->
BN -> swish; the top is average pool -> Dropout -> predictions. One block::

    x ─ [expand_conv 1x1 ─ BN ─ swish] ─ [pad] dwconv kxk ─ BN ─ swish ─ squeeze-excite ─ project_conv 1x1 ─ BN ─┬─ out
    └──────────────── [drop: Dropout(noise_shape=(None, 1, 1, 1))] add, when stride 1 and the channels match ─┘

squeeze-excite: average pool -> Reshape (1, 1, C) -> 1x1 conv (C_in/4, swish) -> 1x1 conv
(sigmoid) -> multiply. Widths and repeats scale by the variant's coefficients (rounded to
multiples of 8, repeats rounded up); the drop rate grows linearly over the blocks to 0.2.

>>> model = EfficientNetB0(input_shape=(64, 64, 3), include_top=False, weights=None)   # doctest: +SKIP
"""
from __future__ import annotations

import math

from . import imagenet_utils, weights as _weights

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"
WEIGHTS_HASHES = {   # (with top, without top), MD5
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
# (width, depth, default size, top dropout) per variant
_VARIANTS = {"b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2), "b2": (1.1, 1.2, 260, 0.3),
             "b3": (1.2, 1.4, 300, 0.3), "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
             "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5)}
# (kernel, repeats, filters in, filters out, expand ratio, stride) per stage; se_ratio 0.25, id_skip everywhere
DEFAULT_BLOCKS_ARGS = [(3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2), (3, 3, 40, 80, 6, 2),
                       (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1)]
CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                           "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}
DENSE_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                            "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"}}
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]


def block(inputs, activation="swish", drop_rate=0.0, name="", filters_in=32, filters_out=16, kernel_size=3,
          strides=1, expand_ratio=1, se_ratio=0.0, id_skip=True):
    """One MBConv block (see the module)."""
    from ..layers import (Activation, BatchNormalization, Conv2D, DepthwiseConv2D, Dropout,  # noqa: PLC0415
                          GlobalAveragePooling2D, Reshape, ZeroPadding2D, add, multiply)
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        x = Conv2D(filters, 1, padding="same", use_bias=False, kernel_initializer=CONV_KERNEL_INITIALIZER,
                   name=f"{name}expand_conv")(inputs)
        x = BatchNormalization(axis=3, name=f"{name}expand_bn")(x)
        x = Activation(activation, name=f"{name}expand_activation")(x)
    else:
        x = inputs
    if strides == 2:
        x = ZeroPadding2D(padding=imagenet_utils.correct_pad(x.shape[1:3], kernel_size), name=f"{name}dwconv_pad")(x)
    x = DepthwiseConv2D(kernel_size, strides=strides, padding="valid" if strides == 2 else "same", use_bias=False,
                        depthwise_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}dwconv")(x)
    x = BatchNormalization(axis=3, name=f"{name}bn")(x)
    x = Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        filters_se = max(1, int(filters_in * se_ratio))
        se = GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
        se = Reshape((1, 1, filters), name=f"{name}se_reshape")(se)
        se = Conv2D(filters_se, 1, padding="same", activation=activation, kernel_initializer=CONV_KERNEL_INITIALIZER,
                    name=f"{name}se_reduce")(se)
        se = Conv2D(filters, 1, padding="same", activation="sigmoid", kernel_initializer=CONV_KERNEL_INITIALIZER,
                    name=f"{name}se_expand")(se)
        x = multiply([x, se], name=f"{name}se_excite")
    x = Conv2D(filters_out, 1, padding="same", use_bias=False, kernel_initializer=CONV_KERNEL_INITIALIZER,
               name=f"{name}project_conv")(x)
    x = BatchNormalization(axis=3, name=f"{name}project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            x = Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = add([x, inputs], name=f"{name}add")
    return x


def EfficientNet(variant, include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                 classes=1000, classifier_activation="softmax", name="efficientnet", drop_connect_rate=0.2,
                 depth_divisor=8, activation="swish"):
    """The EfficientNet builder for ``variant`` "b0".."b7" (see the module)."""
    from ..layers import (Activation, BatchNormalization, Conv2D, Dense, Dropout,  # noqa: PLC0415
                          GlobalAveragePooling2D, GlobalMaxPooling2D, Normalization, Rescaling, ZeroPadding2D)
    from ..models import Model  # noqa: PLC0415
    width, depth, default_size, dropout_rate = _VARIANTS[variant]
    label = f"EfficientNet{variant.upper()}"
    _weights.check_weights_argument(weights, include_top, classes, label)
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"{label}: pooling must be None, 'avg' or 'max'; got {pooling!r}")
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape)[1:]
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size, 32, include_top, weights, label)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights, label)
    img_input = imagenet_utils.model_input(input_shape, input_tensor, label)

    def round_filters(filters):
        filters *= width
        new = max(depth_divisor, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor)
        return int(new + depth_divisor if new < 0.9 * filters else new)

    def round_repeats(repeats):
        return int(math.ceil(depth * repeats))

    x = Rescaling(1.0 / 255.0)(img_input)
    norm = Normalization(axis=3)
    x = norm(x)
    norm.set_weights(norm.get_weights())   # Keras's unadapted Normalization: mean 0, variance 1 until a file's
    if weights == "imagenet":     # the file's variance is the std's square: Keras divides once more
        x = Rescaling([1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB])(x)
    x = ZeroPadding2D(padding=imagenet_utils.correct_pad(x.shape[1:3], 3), name="stem_conv_pad")(x)
    x = Conv2D(round_filters(32), 3, strides=2, padding="valid", use_bias=False,
               kernel_initializer=CONV_KERNEL_INITIALIZER, name="stem_conv")(x)
    x = BatchNormalization(axis=3, name="stem_bn")(x)
    x = Activation(activation, name="stem_activation")(x)
    b, total = 0, float(sum(round_repeats(args[1]) for args in DEFAULT_BLOCKS_ARGS))
    for i, (kernel, repeats, f_in, f_out, expand, stride) in enumerate(DEFAULT_BLOCKS_ARGS):
        f_in, f_out = round_filters(f_in), round_filters(f_out)
        for j in range(round_repeats(repeats)):
            if j > 0:
                stride, f_in = 1, f_out
            x = block(x, activation, drop_connect_rate * b / total, name=f"block{i + 1}{chr(j + 97)}_",
                      filters_in=f_in, filters_out=f_out, kernel_size=kernel, strides=stride,
                      expand_ratio=expand, se_ratio=0.25, id_skip=True)
            b += 1
    x = Conv2D(round_filters(1280), 1, padding="same", use_bias=False, kernel_initializer=CONV_KERNEL_INITIALIZER,
               name="top_conv")(x)
    x = BatchNormalization(axis=3, name="top_bn")(x)
    x = Activation(activation, name="top_activation")(x)
    if include_top:
        x = GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = Dropout(dropout_rate, name="top_dropout")(x)
        x = Dense(classes, activation=classifier_activation, kernel_initializer=DENSE_KERNEL_INITIALIZER,
                  name="predictions")(x)
    elif pooling == "avg":
        x = GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(img_input, x, name=name)
    fname = f"{name}{'.h5' if include_top else '_notop.h5'}"
    if weights == "imagenet":
        _weights.apply(model, weights, fname, BASE_WEIGHTS_PATH + fname, WEIGHTS_HASHES[variant][0 if include_top else 1])
    else:
        _weights.apply(model, weights, None, None, None)
    return model


def _variant(v):
    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes=1000, classifier_activation="softmax", name=f"efficientnet{v}"):
        return EfficientNet(v, include_top, weights, input_tensor, input_shape, pooling, classes,
                            classifier_activation, name)
    build.__name__ = build.__qualname__ = f"EfficientNet{v.upper()}"
    build.__doc__ = f"EfficientNet{v.upper()} as Keras builds it: width x{_VARIANTS[v][0]}, depth x{_VARIANTS[v][1]}, {_VARIANTS[v][2]} px."
    return build


EfficientNetB0, EfficientNetB1, EfficientNetB2, EfficientNetB3 = (_variant(v) for v in ("b0", "b1", "b2", "b3"))
EfficientNetB4, EfficientNetB5, EfficientNetB6, EfficientNetB7 = (_variant(v) for v in ("b4", "b5", "b6", "b7"))


def preprocess_input(x, data_format=None):
    """Returns ``x`` unchanged: EfficientNet scales its input itself (Keras keeps this as a placeholder)."""
    return x


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: see :func:`imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
