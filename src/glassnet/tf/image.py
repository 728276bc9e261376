"""``tf.image``: TensorFlow's image functions on NumPy, for ``dataset.map`` pipelines and plots
(TensorFlow's data augmentation tutorial). An image is ``(height, width, channels)``, a batch
``(batch, height, width, channels)``; results are :class:`~glassnet.Tensor` s.

Float images hold values in [0, 1], integer ones the whole range of their type
(``convert_image_dtype`` moves between them, as TensorFlow's). ``resize`` samples as
TensorFlow's does (half-pixel centres; ``layers/image_sampling.py`` holds the weights).

Randomness: ``random_*`` draw from glassnet's generator (``tf.random.set_seed``) or from
``seed``; ``stateless_random_*`` take a ``seed`` of two integers and give the same result for
the same seed, every time. TensorFlow's own random streams (Philox) are not reproduced: the
same seed gives a different (but equally distributed) draw than in TensorFlow.

>>> import numpy as np, glassnet as tf
>>> image = np.arange(12.0).reshape(2, 2, 3) / 12
>>> tf.image.flip_left_right(image).shape, tf.image.resize(image, (4, 6)).shape
(TensorShape([2, 2, 3]), TensorShape([4, 6, 3]))
>>> tf.image.convert_image_dtype(np.array([[[0, 255]]], np.uint8), tf.float32).numpy().tolist()
[[[0.0, 1.0]]]
"""
from __future__ import annotations

import numpy as np

from ..layers import image_sampling as sampling
from ..utils import rng
from . import data_sized, vjps
from .tensor import Tensor, wrap
from .variable import Variable

__all__ = ["ResizeMethod", "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue", "adjust_saturation",
           "central_crop", "convert_image_dtype", "crop_to_bounding_box", "flip_left_right", "flip_up_down",
           "grayscale_to_rgb", "hsv_to_rgb", "pad_to_bounding_box", "per_image_standardization", "random_brightness",
           "random_contrast", "random_crop", "random_flip_left_right", "random_flip_up_down", "random_hue",
           "random_saturation", "resize", "resize_with_crop_or_pad", "resize_with_pad", "sobel_edges", "rgb_to_grayscale", "rgb_to_hsv", "rot90",
           "stateless_random_brightness", "stateless_random_contrast", "stateless_random_crop",
           "stateless_random_flip_left_right", "stateless_random_flip_up_down", "stateless_random_hue",
           "stateless_random_saturation"]


class ResizeMethod:
    """The ``method`` names of :func:`resize` (``tf.image.ResizeMethod.BILINEAR`` is "bilinear")."""
    BILINEAR, NEAREST_NEIGHBOR, BICUBIC, AREA = "bilinear", "nearest", "bicubic", "area"


def _image(image, who, name="image"):
    x = np.asarray(image)
    if x.dtype == object or x.dtype.kind not in "iufb":
        raise ValueError(f"{who}: {name} must hold numbers, got dtype {x.dtype}")
    if x.ndim not in (3, 4):
        raise ValueError(f"{who}: {name} must be 3-D (height, width, channels) or 4-D (batch, height, width, "
                         f"channels); got shape {x.shape}")
    return x


def _as_float(x):
    return x if x.dtype.kind == "f" else convert_image_dtype(x, np.float32).view(np.ndarray)


def _back(x, dtype, saturate=True):
    """A float result back to the input's type (TensorFlow's adjust_* do this)."""
    return x if np.dtype(dtype).kind == "f" else convert_image_dtype(x, dtype, saturate=saturate).view(np.ndarray)


# -- types ---------------------------------------------------------------------------------------
@data_sized.same_axes                       # (a Dataset.map's spec keeps the image's unknown sizes)
def convert_image_dtype(image, dtype, saturate=False, name=None) -> Tensor:
    """Integers <-> floats in [0, 1]: ``uint8 -> float``: ``x / 255``; ``float -> uint8``:
    ``int(x * 255.5)`` (values outside [0, 1] are clipped to the type's range, always: NumPy has
    no defined wrap-around); integer -> integer by the ratio of their ranges; float -> float a cast."""
    x = np.asarray(image)
    target = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    if target.kind not in "iuf" or x.dtype.kind not in "iufb":
        raise ValueError(f"convert_image_dtype: images and dtype must be numbers, got {x.dtype} to {target}")
    if x.dtype == target:
        return wrap(x)
    if x.dtype.kind in "iu" and target.kind in "iu":
        source_max, target_max = int(np.iinfo(x.dtype).max), int(np.iinfo(target).max)
        if source_max > target_max:
            return wrap((x // ((source_max + 1) // (target_max + 1))).astype(target))
        return wrap(x.astype(target) * ((target_max + 1) // (source_max + 1)))
    if x.dtype.kind in "iub":
        return wrap(x.astype(target) * target.type(1.0 / np.iinfo(x.dtype).max))
    if target.kind == "f":
        return wrap(x.astype(target))
    info = np.iinfo(target)
    scaled = x.astype(np.float64) * (info.max + 0.5)
    return wrap(np.clip(np.trunc(scaled), info.min, info.max).astype(target))


# -- resizing and cropping -----------------------------------------------------------------------
@data_sized.resized                         # (a Dataset.map's spec: height and width known, channels as given)
def resize(images, size, method="bilinear", preserve_aspect_ratio=False, antialias=False, name=None) -> Tensor:
    """Resize to ``size = (height, width)`` as TensorFlow 2's ``tf.image.resize``: "bilinear",
    "nearest", "bicubic" or "area"; ``preserve_aspect_ratio`` keeps the shape's ratio, fitting
    inside ``size``; ``antialias`` widens the kernel when shrinking. Float32 out (nearest keeps the
    input's type)."""
    x = _image(images, "resize", "images")
    if method not in sampling.RESIZE_METHODS:
        raise ValueError(f"resize: method must be one of {', '.join(map(repr, sampling.RESIZE_METHODS))}; "
                         f"got method={method!r}")
    size = [int(s) for s in np.asarray(size).ravel()]
    if len(size) != 2 or min(size) <= 0:
        raise ValueError(f"resize: size must be two positive integers (height, width), got size={size}")
    h, w = x.shape[-3], x.shape[-2]
    if preserve_aspect_ratio:
        scale = min(np.float32(size[0]) / np.float32(h), np.float32(size[1]) / np.float32(w))
        size = [int(np.round(scale * np.float32(h))), int(np.round(scale * np.float32(w)))]
    batch = x[None] if x.ndim == 3 else x
    if method == "bilinear" and not (antialias and (size[0] < h or size[1] < w)):
        out = sampling.resize_bilinear_exact(batch, size[0], size[1])        # TensorFlow's rounding, bit for bit
    else:
        rows = sampling.resize_matrix(h, size[0], method, antialias)
        cols = sampling.resize_matrix(w, size[1], method, antialias)
        out = sampling.resize_apply(batch.astype(np.float32), rows, cols)
    out = out[0] if x.ndim == 3 else out
    return wrap(out.astype(x.dtype) if method == "nearest" else out)


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """The window ``[offset_height : offset_height + target_height, offset_width : ...]``."""
    x = _image(image, "crop_to_bounding_box")
    h, w = x.shape[-3], x.shape[-2]
    for name, value in (("offset_height", offset_height), ("offset_width", offset_width)):
        if value < 0:
            raise ValueError(f"crop_to_bounding_box: {name} must be >= 0, got {value}")
    for name, value in (("target_height", target_height), ("target_width", target_width)):
        if value <= 0:
            raise ValueError(f"crop_to_bounding_box: {name} must be > 0, got {value}")
    if offset_height + target_height > h or offset_width + target_width > w:
        raise ValueError(f"crop_to_bounding_box: the box ({offset_height}+{target_height}, {offset_width}+"
                         f"{target_width}) does not fit in the {h}x{w} image")
    return wrap(x[..., offset_height:offset_height + target_height, offset_width:offset_width + target_width, :])


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """Zeros around: the image placed at ``(offset_height, offset_width)`` in a
    ``target_height x target_width`` one."""
    x = _image(image, "pad_to_bounding_box")
    h, w = x.shape[-3], x.shape[-2]
    if min(offset_height, offset_width) < 0:
        raise ValueError(f"pad_to_bounding_box: offsets must be >= 0, got ({offset_height}, {offset_width})")
    if offset_height + h > target_height or offset_width + w > target_width:
        raise ValueError(f"pad_to_bounding_box: the {h}x{w} image at ({offset_height}, {offset_width}) does not fit "
                         f"in {target_height}x{target_width}")
    pad = [(0, 0)] * (x.ndim - 3) + [(offset_height, target_height - h - offset_height),
                                     (offset_width, target_width - w - offset_width), (0, 0)]
    return wrap(np.pad(x, pad))


def resize_with_crop_or_pad(image, target_height, target_width) -> Tensor:
    """Crop (centred) or pad with zeros (centred) to ``target_height x target_width``."""
    x = _image(image, "resize_with_crop_or_pad")
    if target_height <= 0 or target_width <= 0:
        raise ValueError(f"resize_with_crop_or_pad: target sizes must be > 0, got ({target_height}, {target_width})")
    h, w = x.shape[-3], x.shape[-2]
    dh, dw = target_height - h, target_width - w
    cropped = crop_to_bounding_box(x, max(-dh // 2, 0), max(-dw // 2, 0), min(target_height, h), min(target_width, w))
    return pad_to_bounding_box(cropped, max(dh // 2, 0), max(dw // 2, 0), target_height, target_width)


def resize_with_pad(image, target_height, target_width, method="bilinear", antialias=False) -> Tensor:
    """Resize keeping the aspect ratio, to fit ``target_height x target_width``, then pad with zeros
    around (centred), as TensorFlow: ``ratio = max(w / target_width, h / target_height)`` in float32,
    the resized size ``floor(h / ratio) x floor(w / ratio)``, the offsets
    ``floor((target - h / ratio) / 2)``. Float32 out, as :func:`resize`."""
    x = _image(image, "resize_with_pad")
    target_height, target_width = int(target_height), int(target_width)
    if target_height <= 0 or target_width <= 0:
        raise ValueError(f"resize_with_pad: target sizes must be > 0, got ({target_height}, {target_width})")
    h, w = np.float32(x.shape[-3]), np.float32(x.shape[-2])
    ratio = max(w / np.float32(target_width), h / np.float32(target_height))
    new_h, new_w = h / ratio, w / ratio
    resized = resize(x, (int(np.floor(new_h)), int(np.floor(new_w))), method=method, antialias=antialias)
    top = max(0, int(np.floor((np.float32(target_height) - new_h) / np.float32(2))))
    left = max(0, int(np.floor((np.float32(target_width) - new_w) / np.float32(2))))
    return pad_to_bounding_box(resized, top, left, target_height, target_width)


def central_crop(image, central_fraction) -> Tensor:
    """The centred part holding ``central_fraction`` (in (0, 1]) of the height and of the width."""
    x = _image(image, "central_crop")
    if not 0.0 < central_fraction <= 1.0:
        raise ValueError(f"central_crop: central_fraction must be within (0, 1], got {central_fraction}")
    if central_fraction == 1.0:
        return wrap(x)
    offset = int(1 / ((1 - central_fraction) / 2.0))           # TensorFlow's arithmetic, for known shapes
    h, w = x.shape[-3], x.shape[-2]
    top, left = h // offset, w // offset
    return wrap(x[..., top:h - top, left:w - left, :])


def flip_left_right(image) -> Tensor:
    """Mirror each image: the last column first."""
    return wrap(np.flip(_image(image, "flip_left_right"), -2))


def flip_up_down(image) -> Tensor:
    """Turn each image upside down: the last row first."""
    return wrap(np.flip(_image(image, "flip_up_down"), -3))


def rot90(image, k=1, name=None) -> Tensor:
    """Turn each image ``k`` quarter turns counter-clockwise."""
    x = _image(image, "rot90")
    return wrap(np.rot90(x, int(k) % 4, axes=(x.ndim - 3, x.ndim - 2)))


# -- colour --------------------------------------------------------------------------------------
def rgb_to_grayscale(images, name=None) -> Tensor:
    """``0.2989 R + 0.5870 G + 0.1140 B``, one channel, the input's type."""
    x = _image(images, "rgb_to_grayscale", "images")
    gray = _as_float(x) @ np.array([0.2989, 0.5870, 0.1140], np.float32)
    return wrap(_back(gray[..., None].astype(np.float32), x.dtype, saturate=False))


def grayscale_to_rgb(images, name=None) -> Tensor:
    """One channel repeated three times."""
    x = _image(images, "grayscale_to_rgb", "images")
    if x.shape[-1] != 1:
        raise ValueError(f"grayscale_to_rgb: images must have 1 channel, got shape {x.shape}")
    return wrap(np.repeat(x, 3, axis=-1))


def adjust_brightness(image, delta) -> Tensor:
    """``image + delta`` on floats (no clipping, as TensorFlow); integers go through [0, 1] and back."""
    x = _image(image, "adjust_brightness")
    return wrap(_back(_as_float(x) + np.float32(delta), x.dtype, saturate=False))


def adjust_contrast(images, contrast_factor) -> Tensor:
    """``(x - mean) * contrast_factor + mean``, the mean of each image's channel over its pixels."""
    _image(images, "adjust_contrast", "images")
    return vjps.apply(_adjust_contrast, images, contrast_factor)       # on a tape: TensorFlow has no gradient for it


def _adjust_contrast(x, contrast_factor):
    f = _as_float(x)
    mean = f.mean(axis=(-3, -2), keepdims=True)
    return _back((f - mean) * np.float32(contrast_factor) + mean, x.dtype)


vjps.NO_GRADIENT[_adjust_contrast] = "AdjustContrastv2"


def adjust_gamma(image, gamma=1, gain=1) -> Tensor:
    """``gain * image ** gamma`` (integers through [0, 1] and back)."""
    x = _image(image, "adjust_gamma")
    if gamma < 0:
        raise ValueError(f"adjust_gamma: gamma must be >= 0, got {gamma}")
    return wrap(_back(np.float32(gain) * _as_float(x) ** np.float32(gamma), x.dtype, saturate=False))


def rgb_to_hsv(images, name=None) -> Tensor:
    """Hue, saturation, value, each in [0, 1] (floats in [0, 1] in)."""
    x = _as_float(_image(images, "rgb_to_hsv", "images"))
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    value = x.max(-1)
    spread = value - x.min(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        saturation = np.where(value > 0, spread / value, 0.0)
        norm = 1.0 / (6.0 * spread)
        hue = np.where(r == value, norm * (g - b), np.where(g == value, norm * (b - r) + 2 / 6, norm * (r - g) + 4 / 6))
    hue = np.where(spread > 0, hue, 0.0)
    hue = np.where(hue < 0, hue + 1, hue)
    return wrap(np.stack([hue, saturation, value], -1).astype(x.dtype))


def hsv_to_rgb(images, name=None) -> Tensor:
    """The inverse of :func:`rgb_to_hsv`."""
    x = np.asarray(images)
    h, s, v = x[..., 0], x[..., 1], x[..., 2]
    c = s * v
    m = v - c
    dh = h * 6
    sector = np.floor(dh).astype(int)
    mod = dh - 2 * np.floor(dh / 2)
    xx = c * (1 - np.abs(mod - 1))
    zero = np.zeros_like(c)
    table = [(c, xx, zero), (xx, c, zero), (zero, c, xx), (zero, xx, c), (xx, zero, c), (c, zero, xx)]
    rgb = [np.select([sector == i for i in range(6)], [t[ch] for t in table], 0.0) for ch in range(3)]
    return wrap((np.stack(rgb, -1) + m[..., None]).astype(x.dtype))


def adjust_saturation(image, saturation_factor, name=None) -> Tensor:
    """Saturation (HSV's) times ``saturation_factor``, kept within [0, 1]."""
    x = _image(image, "adjust_saturation")
    hsv = np.asarray(rgb_to_hsv(_as_float(x))).copy()
    hsv[..., 1] = np.clip(hsv[..., 1] * np.float32(saturation_factor), 0, 1)
    return wrap(_back(np.asarray(hsv_to_rgb(hsv)), x.dtype))


def adjust_hue(image, delta, name=None) -> Tensor:
    """Hue (HSV's, a fraction of the colour wheel) plus ``delta`` in [-1, 1], wrapped around."""
    x = _image(image, "adjust_hue")
    if not -1 <= delta <= 1:
        raise ValueError(f"adjust_hue: delta must be in [-1, 1], got {delta}")
    hsv = np.asarray(rgb_to_hsv(_as_float(x))).copy()
    hue = hsv[..., 0] + np.float32(delta)
    hsv[..., 0] = hue - np.floor(hue)
    return wrap(_back(np.asarray(hsv_to_rgb(hsv)), x.dtype))


def per_image_standardization(image) -> Tensor:
    """Each image to mean 0 and variance 1: ``(x - mean) / max(stddev, 1 / sqrt(pixels * channels))``."""
    x = _image(image, "per_image_standardization").astype(np.float32)
    axes = (-3, -2, -1)
    count = np.prod(x.shape[-3:])
    mean = x.mean(axis=axes, keepdims=True)
    std = np.maximum(x.std(axis=axes, keepdims=True), np.float32(1.0 / np.sqrt(count)))
    return wrap((x - mean) / std)


# -- random, from glassnet's generator or a seed ------------------------------------------------------
def _generator(seed):
    return rng() if seed is None else np.random.default_rng(seed)


class _Stateless:
    """The one draw a ``stateless_random_*`` op makes from its ``seed``, as TensorFlow makes it
    (``tf.random.stateless_uniform``, Philox): the same seed gives TensorFlow's numbers."""

    def __init__(self, seed, who):
        s = np.asarray(seed).ravel()
        if s.shape != (2,) or s.dtype.kind not in "iu":
            raise ValueError(f"{who}: seed must be two integers (shape (2,)), got seed={seed!r}")
        self.seed = s

    def uniform(self, low=0.0, high=1.0, size=None):
        from .random import stateless_uniform  # noqa: PLC0415
        out = np.asarray(stateless_uniform([] if size is None else [size], self.seed, minval=low, maxval=high))
        return out[()] if size is None else out

    def offsets(self, limits):
        """TensorFlow's crop corner: int32 draws of every positive value, modulo ``limits``."""
        from .random import stateless_uniform  # noqa: PLC0415
        draws = np.asarray(stateless_uniform([len(limits)], self.seed, maxval=2 ** 31 - 1, dtype=np.int32))
        return [int(d) % int(n) for d, n in zip(draws, limits)]


def _stateless(seed, who):
    return _Stateless(seed, who)


def _flip_some(x, gen, axis):
    """TensorFlow's rule: one image flips when its draw is below 1/2, a batch's image when its
    draw rounds to 1."""
    if x.ndim == 3:
        return np.flip(x, axis) if gen.uniform() < 0.5 else x
    flips = np.round(gen.uniform(size=x.shape[0])) == 1
    return np.where(flips[:, None, None, None], np.flip(x, axis), x)


def random_flip_left_right(image, seed=None) -> Tensor:
    """Mirror each image with probability 1/2."""
    return wrap(_flip_some(_image(image, "random_flip_left_right"), _generator(seed), -2))


def random_flip_up_down(image, seed=None) -> Tensor:
    """Turn each image upside down with probability 1/2."""
    return wrap(_flip_some(_image(image, "random_flip_up_down"), _generator(seed), -3))


def _crop(value, size, gen, who):
    x = np.asarray(value)
    size = [int(s) for s in np.asarray(size).ravel()]
    if len(size) != x.ndim or any(s > d or s < 0 for s, d in zip(size, x.shape)):
        raise ValueError(f"{who}: size must have one entry per dimension of value, each at most that dimension; "
                         f"got size={size} for shape {x.shape}")
    limits = [d - s + 1 for s, d in zip(size, x.shape)]
    starts = gen.offsets(limits) if isinstance(gen, _Stateless) else [int(gen.integers(0, n)) for n in limits]
    return wrap(x[tuple(slice(a, a + s) for a, s in zip(starts, size))])


@data_sized.sized_as_asked                  # (a Dataset.map's spec: the size asked for)
def random_crop(value, size, seed=None, name=None) -> Tensor:
    """A window of shape ``size`` at a random place in ``value`` (any rank)."""
    return _crop(value, size, _generator(seed), "random_crop")


def _brightness(image, max_delta, gen, who):
    if max_delta < 0:
        raise ValueError(f"{who}: max_delta must be >= 0, got {max_delta}")
    return adjust_brightness(image, gen.uniform(-max_delta, max_delta))


def random_brightness(image, max_delta, seed=None) -> Tensor:
    """:func:`adjust_brightness` by a delta drawn from ``[-max_delta, max_delta)``."""
    return _brightness(image, max_delta, _generator(seed), "random_brightness")


def _contrast(image, lower, upper, gen, who):
    if upper <= lower or lower < 0:
        raise ValueError(f"{who}: need 0 <= lower < upper, got lower={lower}, upper={upper}")
    return adjust_contrast(image, gen.uniform(lower, upper))


def random_contrast(image, lower, upper, seed=None) -> Tensor:
    """:func:`adjust_contrast` by a factor drawn from ``[lower, upper)``."""
    return _contrast(image, lower, upper, _generator(seed), "random_contrast")


def _saturation(image, lower, upper, gen, who):
    if upper <= lower or lower < 0:
        raise ValueError(f"{who}: need 0 <= lower < upper, got lower={lower}, upper={upper}")
    return adjust_saturation(image, gen.uniform(lower, upper))


def random_saturation(image, lower, upper, seed=None) -> Tensor:
    """:func:`adjust_saturation` by a factor drawn from ``[lower, upper)``."""
    return _saturation(image, lower, upper, _generator(seed), "random_saturation")


def _hue(image, max_delta, gen, who):
    if not 0 <= max_delta <= 0.5:
        raise ValueError(f"{who}: max_delta must be in [0, 0.5], got {max_delta}")
    return adjust_hue(image, gen.uniform(-max_delta, max_delta))


def random_hue(image, max_delta, seed=None) -> Tensor:
    """:func:`adjust_hue` by a delta drawn from ``[-max_delta, max_delta)``."""
    return _hue(image, max_delta, _generator(seed), "random_hue")


def stateless_random_flip_left_right(image, seed) -> Tensor:
    """:func:`random_flip_left_right`, the same for the same ``seed`` (two integers)."""
    return wrap(_flip_some(_image(image, "stateless_random_flip_left_right"),
                           _stateless(seed, "stateless_random_flip_left_right"), -2))


def stateless_random_flip_up_down(image, seed) -> Tensor:
    """:func:`random_flip_up_down`, the same for the same ``seed`` (two integers)."""
    return wrap(_flip_some(_image(image, "stateless_random_flip_up_down"),
                           _stateless(seed, "stateless_random_flip_up_down"), -3))


def stateless_random_crop(value, size, seed, name=None) -> Tensor:
    """:func:`random_crop`, the same for the same ``seed`` (two integers)."""
    return _crop(value, size, _stateless(seed, "stateless_random_crop"), "stateless_random_crop")


def stateless_random_brightness(image, max_delta, seed) -> Tensor:
    """:func:`random_brightness`, the same for the same ``seed`` (two integers)."""
    return _brightness(image, max_delta, _stateless(seed, "stateless_random_brightness"), "stateless_random_brightness")


def stateless_random_contrast(image, lower, upper, seed) -> Tensor:
    """:func:`random_contrast`, the same for the same ``seed`` (two integers)."""
    return _contrast(image, lower, upper, _stateless(seed, "stateless_random_contrast"), "stateless_random_contrast")


def stateless_random_saturation(image, lower, upper, seed) -> Tensor:
    """:func:`random_saturation`, the same for the same ``seed`` (two integers)."""
    return _saturation(image, lower, upper, _stateless(seed, "stateless_random_saturation"),
                       "stateless_random_saturation")


def stateless_random_hue(image, max_delta, seed) -> Tensor:
    """:func:`random_hue`, the same for the same ``seed`` (two integers)."""
    return _hue(image, max_delta, _stateless(seed, "stateless_random_hue"), "stateless_random_hue")


def sobel_edges(image) -> Tensor:
    """Sobel's two 3x3 filters on each channel of a 4-D float batch: ``(b, h, w, c, 2)``, ``[..., 0]``
    the vertical gradient (rows: ``[[-1, -2, -1], [0, 0, 0], [1, 2, 1]]``), ``[..., 1]`` the horizontal
    one (its transpose), the edges padded by reflection, as TensorFlow. On the tape (slices and sums)."""
    x = image if isinstance(image, (Tensor, Variable)) else wrap(np.asarray(image))
    if len(x.shape) != 4 or np.dtype(x.dtype).kind != "f":
        raise ValueError(f"sobel_edges: image must be a 4-D float batch (batch, height, width, channels); got shape "
                         f"{tuple(x.shape)}, dtype {np.dtype(x.dtype)}")
    if min(x.shape[1], x.shape[2]) < 2:
        raise ValueError(f"sobel_edges: reflection needs at least 2 rows and 2 columns, got shape {tuple(x.shape)}")
    rows = vjps.concatenate(x[:, 1:2], x, x[:, -2:-1], axis=1)             # REFLECT padding by one pixel
    p = vjps.concatenate(rows[:, :, 1:2], rows, rows[:, :, -2:-1], axis=2)
    h, w = x.shape[1], x.shape[2]

    def at(i, j):                       # the padded image shifted by (i, j): out[y, x] sees p[y + i, x + j]
        return p[:, i:i + h, j:j + w]
    smooth_cols = [at(i, 0) + 2 * at(i, 1) + at(i, 2) for i in (0, 2)]       # [1, 2, 1] across each row
    smooth_rows = [at(0, j) + 2 * at(1, j) + at(2, j) for j in (0, 2)]       # [1, 2, 1] down each column
    return vjps.stack(smooth_cols[1] - smooth_cols[0], smooth_rows[1] - smooth_rows[0], axis=-1)


# image quality measures, on the tape (tf/image_quality.py): loaded when one is first used
_QUALITY = ("psnr", "ssim", "total_variation")
__all__ += list(_QUALITY)
# TensorFlow names tf.io's image codecs in tf.image too (tf.image.decode_image): the same functions
_CODECS = ("decode_bmp", "decode_gif", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg", "encode_png")
__all__ += list(_CODECS)


def __getattr__(name):
    if name in _QUALITY or name in _CODECS:
        from . import image_quality, io  # noqa: PLC0415
        value = globals()[name] = getattr(image_quality if name in _QUALITY else io, name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
