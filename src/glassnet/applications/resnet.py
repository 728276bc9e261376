"""``keras.applications.ResNet50`` (He et al. 2015, v1), layer for layer as Keras builds it
(also at ``keras.applications.resnet50``).

Stem: pad 3 -> conv1 7x7/2 (64) -> BN -> ReLU -> pad 1 -> max pool 3x3/2. Then four stacks
``conv2``..``conv5`` of 3, 4, 6, 3 bottleneck blocks (64, 128, 256, 512 filters; the first
block of conv3..conv5 has stride 2). One block, ``conv{s}_block{b}_``::

    x ─ 1_conv 1x1 ─ BN ─ ReLU ─ 2_conv 3x3 ─ BN ─ ReLU ─ 3_conv 1x1 (4f) ─ BN ─┬─ add ─ ReLU (out)
    └──── shortcut: x, or (first block) 0_conv 1x1 (4f, stride) ─ BN ───────────┘

BatchNormalization uses ``epsilon=1.001e-5``. :func:`preprocess_input` is Keras's "caffe" mode.

>>> model = ResNet50(input_shape=(64, 64, 3), include_top=False, weights=None)   # doctest: +SKIP
"""
from __future__ import annotations

from . import imagenet_utils, weights as _weights

BASE_WEIGHTS_PATH = _weights.BASE + "resnet/"
WEIGHTS_HASHES = {"resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626")}


def _bn(name):
    from ..layers import BatchNormalization  # noqa: PLC0415
    return BatchNormalization(axis=3, epsilon=1.001e-5, name=name)


def residual_block_v1(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    """One bottleneck block (see the module)."""
    from ..layers import Activation, Add, Conv2D  # noqa: PLC0415
    if conv_shortcut:
        shortcut = Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = _bn(f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = _bn(f"{name}_1_bn")(x)
    x = Activation("relu", name=f"{name}_1_relu")(x)
    x = Conv2D(filters, kernel_size, padding="same", name=f"{name}_2_conv")(x)
    x = _bn(f"{name}_2_bn")(x)
    x = Activation("relu", name=f"{name}_2_relu")(x)
    x = Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = _bn(f"{name}_3_bn")(x)
    x = Add(name=f"{name}_add")([shortcut, x])
    return Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
             classes=1000, classifier_activation="softmax", name="resnet50"):
    """ResNet50 as Keras builds it (see the module); ``weights`` None, "imagenet" or a file."""
    from ..layers import (Activation, Conv2D, Dense, GlobalAveragePooling2D, GlobalMaxPooling2D,  # noqa: PLC0415
                          MaxPooling2D, ZeroPadding2D)
    from ..models import Model  # noqa: PLC0415
    _weights.check_weights_argument(weights, include_top, classes, "ResNet50")
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"ResNet50: pooling must be None, 'avg' or 'max'; got {pooling!r}")
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape)[1:]
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 224, 32, include_top, weights, "ResNet50")
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights, "ResNet50")
    img_input = imagenet_utils.model_input(input_shape, input_tensor, "ResNet50")
    x = ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = Conv2D(64, 7, strides=2, use_bias=True, name="conv1_conv")(x)
    x = _bn("conv1_bn")(x)
    x = Activation("relu", name="conv1_relu")(x)
    x = ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_residual_blocks_v1(x, 64, 3, stride1=1, name="conv2")
    x = stack_residual_blocks_v1(x, 128, 4, name="conv3")
    x = stack_residual_blocks_v1(x, 256, 6, name="conv4")
    x = stack_residual_blocks_v1(x, 512, 3, name="conv5")
    if include_top:
        x = GlobalAveragePooling2D(name="avg_pool")(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(img_input, x, name=name)
    fname = f"resnet50_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    _weights.apply(model, weights, fname, BASE_WEIGHTS_PATH + fname,
                   WEIGHTS_HASHES["resnet50"][0 if include_top else 1])
    return model


def preprocess_input(x, data_format=None):
    """ResNet50's input scaling: RGB -> BGR, minus the ImageNet mean (Keras's "caffe" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: see :func:`imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
