"""``keras.applications.VGG16`` (Simonyan & Zisserman 2014), layer for layer as Keras builds it;
VGG19 (:mod:`.vgg19`) is the same with four convolutions in blocks 3-5.

Five blocks of 3x3 'same' ReLU convolutions (64, 128, 256, 512, 512 filters), each closed by a
2x2 max pool (``block{b}_conv{i}``, ``block{b}_pool``); the top is Flatten -> fc1 4096 ->
fc2 4096 -> predictions. Inputs are scaled by :func:`preprocess_input` (Keras's "caffe"
mode: RGB -> BGR, minus the ImageNet mean, no scaling).

>>> model = VGG16(input_shape=(32, 32, 3), include_top=False, weights=None)   # doctest: +SKIP
"""
from __future__ import annotations

from . import imagenet_utils, weights as _weights

WEIGHTS_PATH = _weights.BASE + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_PATH_NO_TOP = _weights.BASE + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
HASHES = ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc")   # top, no top (MD5)


def vgg(convs_per_block, name, paths, hashes, include_top, weights, input_tensor, input_shape,
        pooling, classes, classifier_activation):
    """Build a VGG with ``convs_per_block`` convolutions in each of the five blocks."""
    from ..layers import Conv2D, Dense, Flatten, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D  # noqa: PLC0415
    from ..models import Model  # noqa: PLC0415
    label = name.upper()
    _weights.check_weights_argument(weights, include_top, classes, label)
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"{label}: pooling must be None, 'avg' or 'max'; got {pooling!r}")
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape)[1:]
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 224, 32, include_top, weights, label)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights, label)
    img_input = imagenet_utils.model_input(input_shape, input_tensor, label)
    x = img_input
    for block, (filters, count) in enumerate(zip((64, 128, 256, 512, 512), convs_per_block), start=1):
        for i in range(1, count + 1):
            x = Conv2D(filters, (3, 3), activation="relu", padding="same", name=f"block{block}_conv{i}")(x)
        x = MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = Flatten(name="flatten")(x)
        x = Dense(4096, activation="relu", name="fc1")(x)
        x = Dense(4096, activation="relu", name="fc2")(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = GlobalMaxPooling2D()(x)
    model = Model(img_input, x, name=name)
    path = paths[0] if include_top else paths[1]
    _weights.apply(model, weights, path.rsplit("/", 1)[1], path, hashes[0] if include_top else hashes[1])
    return model


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
          classes=1000, classifier_activation="softmax", name="vgg16"):
    """VGG16 as Keras builds it (see the module); ``weights`` None, "imagenet" or a file."""
    return vgg((2, 2, 3, 3, 3), name, (WEIGHTS_PATH, WEIGHTS_PATH_NO_TOP), HASHES, include_top, weights,
               input_tensor, input_shape, pooling, classes, classifier_activation)


def preprocess_input(x, data_format=None):
    """VGG's input scaling: RGB -> BGR, minus (103.939, 116.779, 123.68) (Keras's "caffe" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: see :func:`imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
