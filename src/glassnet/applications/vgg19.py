"""``keras.applications.VGG19``: :mod:`.vgg16`'s network with 2, 2, 4, 4, 4 convolutions per
block, Keras's layer names, and the same "caffe" :func:`preprocess_input`.

>>> model = VGG19(input_shape=(32, 32, 3), include_top=False, weights=None)   # doctest: +SKIP
"""
from __future__ import annotations

from .vgg16 import decode_predictions, preprocess_input, vgg
from .weights import BASE

WEIGHTS_PATH = BASE + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_PATH_NO_TOP = BASE + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
HASHES = ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6")   # top, no top (MD5)
__all__ = ["VGG19", "decode_predictions", "preprocess_input"]


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
          classes=1000, classifier_activation="softmax", name="vgg19"):
    """VGG19 as Keras builds it; ``weights`` None, "imagenet" or a file."""
    return vgg((2, 2, 4, 4, 4), name, (WEIGHTS_PATH, WEIGHTS_PATH_NO_TOP), HASHES, include_top, weights,
               input_tensor, input_shape, pooling, classes, classifier_activation)
