"""``tf.image.ssim``, ``tf.image.psnr`` and ``tf.image.total_variation``: image quality measures
written with recorded operations, so each is differentiable on a GradientTape (SSIM and total
variation are used as losses).

Integer images are first brought to floats in [0, 1] (``convert_image_dtype``) and ``max_val``
with them, as TensorFlow does; float images are used as they are.

    psnr(a, b)  = 20 log10(max_val) - 10 log10(mean((a - b)^2))        (per image)
    ssim(x, y)  = mean over positions and channels of  l * cs,  with local means by a
                  Gaussian window (filter_size, filter_sigma; VALID), c1 = (k1 max)^2, c2 = (k2 max)^2:
                  l  = (2 mu_x mu_y + c1) / (mu_x^2 + mu_y^2 + c1)
                  cs = (2 E[xy] - 2 mu_x mu_y + c2) / (E[x^2 + y^2] - mu_x^2 - mu_y^2 + c2)
    total_variation(x) = sum |x[i+1, j] - x[i, j]| + sum |x[i, j+1] - x[i, j]|   (per image)
"""
from __future__ import annotations

import numpy as np

from . import vjps
from .errors import InvalidArgumentError
from .tensor import Tensor, wrap
from .variable import Variable

__all__ = ["psnr", "ssim", "total_variation"]


def _float_image(img, who, name):
    """A float image as it is (a Tensor or Variable stays on the tape); integers scaled to [0, 1]."""
    if isinstance(img, (Tensor, Variable)) and img.dtype.kind == "f":
        x = img
    else:
        arr = np.asarray(getattr(img, "value", img))
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"{who}: {name} must hold numbers, got dtype {arr.dtype}")
        x = wrap(arr if arr.dtype.kind == "f" else _to_unit(arr))
    if x.ndim < 3:
        raise ValueError(f"{who}: {name} must have at least 3 dimensions (height, width, channels), "
                         f"got shape {tuple(x.shape)}")
    return x


def _to_unit(arr):
    return (arr.astype(np.float32) / np.float32(np.iinfo(arr.dtype).max)).astype(np.float32)


def _max_val(max_val, img):
    """``max_val`` in the units the image is compared in (255 for uint8 images becomes 1.0)."""
    kind = np.asarray(getattr(img, "value", img)).dtype
    value = float(np.asarray(getattr(max_val, "value", max_val)))
    return np.float32(value / np.iinfo(kind).max) if kind.kind in "iu" else np.float32(value)


def _pair(img1, img2, who):
    a, b = _float_image(img1, who, "img1" if who != "psnr" else "a"), _float_image(img2, who, "img2" if who != "psnr" else "b")
    if tuple(a.shape[-3:]) != tuple(b.shape[-3:]):
        raise ValueError(f"{who}: the images must have the same (height, width, channels), got {tuple(a.shape)} "
                         f"and {tuple(b.shape)}")
    return a, b


def psnr(a, b, max_val, name=None):
    """The peak signal-to-noise ratio of each pair of images (float32, one per image)."""
    from .math import log, reduce_mean  # noqa: PLC0415
    x, y = _pair(a, b, "psnr")
    m = _max_val(max_val, a)
    mse = reduce_mean((x - y) * (x - y), axis=[-3, -2, -1])
    return np.float32(20 * np.log10(m)) - np.float32(10 / np.log(10)) * log(mse)


def _gauss(size, sigma):
    """TensorFlow's window: ``exp(-(i^2 + j^2) / (2 sigma^2))`` over centred coordinates, normalised."""
    coords = np.arange(size, dtype=np.float32) - np.float32(size - 1) / 2
    g = np.square(coords) * np.float32(-0.5 / sigma ** 2)
    g = (g[None, :] + g[:, None]).reshape(-1)
    g = np.exp(g - g.max())
    return (g / g.sum()).astype(np.float32).reshape(size, size)


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, return_index_map=False):
    """The structural similarity of each pair of images, averaged over positions and channels
    (``return_index_map=True``: the map of positions, averaged over channels)."""
    from .math import reduce_mean  # noqa: PLC0415
    from .nn_conv import depthwise_conv2d  # noqa: PLC0415
    x, y = _pair(img1, img2, "ssim")
    m = _max_val(max_val, img1)
    height, width, channels = x.shape[-3:]
    if height < filter_size or width < filter_size:
        raise InvalidArgumentError(None, None, f"ssim: the images ({height} x {width}) must be at least "
                                               f"filter_size x filter_size ({filter_size} x {filter_size})")
    kernel = np.tile(_gauss(int(filter_size), float(filter_sigma))[:, :, None, None], (1, 1, channels, 1))
    lead = tuple(x.shape[:-3])

    def local_mean(z):
        flat = vjps.reshape(z, (-1, height, width, channels))
        out = depthwise_conv2d(flat, kernel, strides=[1, 1, 1, 1], padding="VALID")
        return vjps.reshape(out, lead + tuple(out.shape[1:]))

    c1, c2 = np.float32((k1 * m) ** 2), np.float32((k2 * m) ** 2)
    mean_x, mean_y = local_mean(x), local_mean(y)
    num0 = mean_x * mean_y * np.float32(2)
    den0 = mean_x * mean_x + mean_y * mean_y
    luminance = (num0 + c1) / (den0 + c1)
    num1 = local_mean(x * y) * np.float32(2)
    den1 = local_mean(x * x + y * y)
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    if return_index_map:
        return reduce_mean(luminance * cs, axis=-1)
    per_channel = reduce_mean(luminance * cs, axis=[-3, -2])
    return reduce_mean(per_channel, axis=-1)


def total_variation(images, name=None):
    """The sum of absolute differences of neighbouring pixels, down and across: a number for a
    3-D image, one per image for a 4-D batch (the images' own dtype)."""
    from .math import abs as absolute, reduce_sum  # noqa: PLC0415
    x = images if isinstance(images, (Tensor, Variable)) else wrap(np.asarray(images))
    if x.dtype.kind == "u":
        raise TypeError(f"total_variation: images of dtype {x.dtype.name} have no absolute difference in "
                        "TensorFlow; convert them first (tf.image.convert_image_dtype)")
    if x.ndim not in (3, 4):
        raise ValueError(f"total_variation: images must be 3-D or 4-D, got shape {tuple(x.shape)}")
    down = x[..., 1:, :, :] - x[..., :-1, :, :]
    across = x[..., :, 1:, :] - x[..., :, :-1, :]
    axes = [-3, -2, -1]
    return reduce_sum(absolute(down), axis=axes) + reduce_sum(absolute(across), axis=axes)
