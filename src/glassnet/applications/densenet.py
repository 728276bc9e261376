"""``keras.applications.DenseNet121`` / ``169`` / ``201`` (Huang et al. 2017), layer for layer as
Keras builds them.

Stem: pad 3 -> conv1 7x7/2 (64, no bias) -> BN -> ReLU -> pad 1 -> max pool 3x3/2. Then four
dense blocks ``conv2``..``conv5`` (6, 12, 24|32|48, 16|32 layers) with transitions
``pool2``..``pool4`` between them, and a last BN -> ReLU. One layer of a dense block
(``conv{s}_block{i}_``) adds 32 channels::

    x ─ BN ─ ReLU ─ 1_conv 1x1 (128) ─ BN ─ ReLU ─ 2_conv 3x3 (32) ─┐
    └───────────────────────────────────────────────── concat ───────┴─ out (channels + 32)

A transition halves the channels (BN -> ReLU -> 1x1 conv) and the grid (2x2 average pool).
BatchNormalization uses ``epsilon=1.001e-5``. :func:`preprocess_input` is Keras's "torch"
mode: ``(x / 255 - mean) / std`` per channel.

>>> model = DenseNet121(input_shape=(32, 32, 3), include_top=False, weights=None)   # doctest: +SKIP
"""
from __future__ import annotations

from . import imagenet_utils, weights as _weights

BASE_WEIGHTS_PATH = _weights.BASE + "densenet/"
_FILES = {   # blocks: (name, MD5 with top, MD5 without)
    (6, 12, 24, 16): ("densenet121", "9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    (6, 12, 32, 32): ("densenet169", "d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    (6, 12, 48, 32): ("densenet201", "1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}


def _bn(name):
    from ..layers import BatchNormalization  # noqa: PLC0415
    return BatchNormalization(axis=3, epsilon=1.001e-5, name=name)


def conv_block(x, growth_rate, name):
    """One layer of a dense block: its ``growth_rate`` new channels concatenated to ``x``."""
    from ..layers import Activation, Concatenate, Conv2D  # noqa: PLC0415
    x1 = _bn(f"{name}_0_bn")(x)
    x1 = Activation("relu", name=f"{name}_0_relu")(x1)
    x1 = Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(x1)
    x1 = _bn(f"{name}_1_bn")(x1)
    x1 = Activation("relu", name=f"{name}_1_relu")(x1)
    x1 = Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(x1)
    return Concatenate(axis=3, name=f"{name}_concat")([x, x1])


def dense_block(x, blocks, name):
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction, name):
    from ..layers import Activation, AveragePooling2D, Conv2D  # noqa: PLC0415
    x = _bn(f"{name}_bn")(x)
    x = Activation("relu", name=f"{name}_relu")(x)
    x = Conv2D(int(x.shape[3] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def DenseNet(blocks, include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
             classes=1000, classifier_activation="softmax", name="densenet"):
    """A DenseNet with ``blocks`` layers in its four dense blocks (see the module)."""
    from ..layers import (Activation, Conv2D, Dense, GlobalAveragePooling2D, GlobalMaxPooling2D,  # noqa: PLC0415
                          MaxPooling2D, ZeroPadding2D)
    from ..models import Model  # noqa: PLC0415
    blocks = tuple(blocks)
    _weights.check_weights_argument(weights, include_top, classes, "DenseNet")
    if weights == "imagenet" and blocks not in _FILES:
        raise ValueError(f"DenseNet: ImageNet weights exist for blocks {sorted(_FILES)} only; got blocks={blocks}")
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"DenseNet: pooling must be None, 'avg' or 'max'; got {pooling!r}")
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape)[1:]
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 224, 32, include_top, weights, "DenseNet")
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights, "DenseNet")
    img_input = imagenet_utils.model_input(input_shape, input_tensor, "DenseNet")
    x = ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn("conv1_bn")(x)
    x = Activation("relu", name="conv1_relu")(x)
    x = ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        x = dense_block(x, count, name=f"conv{stage}")
        if stage < 5:
            x = transition_block(x, 0.5, name=f"pool{stage}")
    x = _bn("bn")(x)
    x = Activation("relu", name="relu")(x)
    if include_top:
        x = GlobalAveragePooling2D(name="avg_pool")(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(img_input, x, name=name)
    if weights == "imagenet":
        stem, top_md5, notop_md5 = _FILES[blocks]
        fname = f"{stem}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
        _weights.apply(model, weights, fname, BASE_WEIGHTS_PATH + fname, top_md5 if include_top else notop_md5)
    else:
        _weights.apply(model, weights, None, None, None)
    return model


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="densenet121"):
    """DenseNet121 as Keras builds it: dense blocks of 6, 12, 24, 16 layers."""
    return DenseNet((6, 12, 24, 16), include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation, name)


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="densenet169"):
    """DenseNet169 as Keras builds it: dense blocks of 6, 12, 32, 32 layers."""
    return DenseNet((6, 12, 32, 32), include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation, name)


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="densenet201"):
    """DenseNet201 as Keras builds it: dense blocks of 6, 12, 48, 32 layers."""
    return DenseNet((6, 12, 48, 32), include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation, name)


def preprocess_input(x, data_format=None):
    """DenseNet's input scaling: ``(x / 255 - mean) / std`` per channel (Keras's "torch" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: see :func:`imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
