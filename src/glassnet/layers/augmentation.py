"""Random image augmentation, Keras's layers: ``RandomFlip``, ``RandomRotation``, ``RandomZoom``,
``RandomTranslation``, ``RandomCrop`` here; ``RandomContrast`` and ``RandomBrightness`` in
``layers/color_augmentation.py``.

They change images only in training (``fit``, or ``layer(x, training=True)``); at inference
(``predict``, ``evaluate``, ``training=False``) they are the identity (pixels as float32). Called
directly with ``training`` left unset, outside any model call, they augment, as Keras 3's do (their
``call`` defaults to ``training=True``: the tutorials plot ``data_augmentation_layer(images)``). Each call draws one transform per image (RandomCrop: one
window per batch). The numbers are Keras 3's on TensorFlow: the layer takes a seed state when it is
made (its ``seed``, or a default seed from Python's ``random``, which ``keras.utils.set_random_seed``
seeds), and each draw is ``tf.random.stateless_uniform`` (float32) for the state ``[seed, n]``, which
then moves on to ``[seed, n + 1]`` (:mod:`glassnet.seeding`), in Keras's order (RandomZoom: height,
then width; RandomTranslation: rows, then columns; RandomCrop: top, then left). So a seeded layer
gives Keras's very images, within float tolerance where the sampling rounds otherwise. Keras's
draws, in its units::

    RandomFlip         flip the image with probability 1/2 (both axes at once in "horizontal_and_vertical")
    RandomRotation     angle ~ U(lower, upper) * 360 degrees, counter-clockwise, about the centre
    RandomZoom         zoom ~ U(1 + lower, 1 + upper) per axis (above 1 zooms out: the image shrinks)
    RandomTranslation  shift ~ U(lower, upper) * height (rows) and * width (columns)
    RandomCrop         top ~ int(U(0, h - height + 1)), left ~ int(U(0, w - width + 1))

The warps read input coordinates from the output's through an affine matrix, brought inside the
image by ``fill_mode`` and read by bilinear or nearest interpolation (``layers/image_sampling.py``).

With the draw held fixed, each is a linear map of the pixels, and its ``backward`` is that map's
adjoint: a flip flips the gradient back, a warp hands each tap's weight times the output
gradient back to the pixel it read. No weights; nothing to train.

>>> import numpy as np, glassnet
>>> x = np.arange(4.0).reshape(1, 2, 2, 1)
>>> glassnet.layers.RandomRotation((0.5, 0.5))(x, training=True).numpy()[0, :, :, 0].round(4).tolist()
[[3.0, 2.0], [1.0, 0.0]]
>>> glassnet.layers.RandomRotation(0.2)(x, training=False).numpy()[0, :, :, 0].tolist()   # the identity
[[0.0, 1.0], [2.0, 3.0]]
"""
from __future__ import annotations

import math

import numpy as np

from ..seeding import SeedState, draw as seeded_draw
from . import image_sampling as sampling
from .image_preprocessing import _ImageLayer, _positive_int, crop_window


class UnknownOption(ValueError, NotImplementedError):
    """An unknown ``fill_mode`` or ``interpolation`` (Keras raises NotImplementedError; glassnet's
    bad arguments raise ValueError: this is both)."""


def check_factor(factor, name, who, low=-1.0, high=1.0, open_low=False):
    """Keras's factor rule: a number ``f`` means ``(-|f|, |f|)`` (clipped at ``low``), a pair
    ``(lower, upper)`` is taken sorted; every number within ``[low, high]`` (``(low, high]`` with
    ``open_low``). Returns ``(lower, upper)``."""
    numbers = list(factor) if isinstance(factor, (tuple, list)) else [factor]
    below = (lambda v: v <= low) if open_low else (lambda v: v < low)
    bounds = f"{'(' if open_low else '['}{low:g}, {high:g}]"
    if len(numbers) not in (1, 2) or (isinstance(factor, (tuple, list)) and len(numbers) != 2) or any(
            isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v)
            or below(v) or v > high for v in numbers):
        raise ValueError(f"{who}: {name} must be a number (or a list of two numbers) in the range {bounds}; "
                         f"got {name}={factor!r}")
    if len(numbers) == 2:
        return tuple(sorted(float(v) for v in numbers))
    f = abs(float(factor))
    return (max(-f, low), f)


class _RandomLayer(_ImageLayer):
    """What the random layers share: a seed, a draw per training call (kept for ``backward``),
    the identity at inference (and in ONNX, which exports a model for inference). Called with
    ``training`` unset (``data_augmentation(images)``), they augment, as Keras's do."""

    default_training = True

    def __init__(self, seed=None, data_format=None, **kwargs):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"{type(self).__name__}: seed must be an integer or None, got seed={seed!r}")
        super().__init__(data_format, **kwargs)
        self.seed = seed
        for _ in range(self._more_seeds if seed is None else 0):
            SeedState()                          # RandomCrop: Keras 3 takes a default seed more
        # Keras 3's SeedGenerator, made with the layer (Python's random when seed is None): the layers
        # made after it get the same seeds as in Keras, and its draws are Keras's
        self._seed_state = SeedState(seed)
        self._draw = None

    _more_seeds = 0

    def _uniform(self, shape, low, high) -> np.ndarray:
        """Keras's ``backend.random.uniform(shape, low, high, seed=self.generator)`` on TensorFlow:
        a float32 draw for the seed state, which moves on."""
        return seeded_draw("uniform", shape, np.float32, self._seed_state, type(self).__name__, low, high)

    def transform(self, x, training):
        self._draw = self.draw(*x.shape[:3]) if training else None
        return x if self._draw is None else self.apply(x, self._draw)

    def transform_backward(self, grad):
        return grad if self._draw is None else self.apply_backward(grad, self._draw)

    def to_onnx(self, g, x):
        return g.node("Identity", [x])           # an exported model infers: the identity

    def narrate_forward(self, page, l, x, out):  # explain runs in inference mode
        page.put(f"  layer {l}: {self.name} ({type(self).__name__})")
        page.show(f"A[{l}] = A[{l - 1}]", "(inference mode: the identity; in fit, a random "
                  f"{self._what} of each image)", f"A[{l}]", out)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class RandomFlip(_RandomLayer):
    """Flip each image left-right (``mode="horizontal"``), upside down (``"vertical"``) or both
    (``"horizontal_and_vertical"``, the default: both axes together), each with probability 1/2."""

    _what = "flip"
    _MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        if mode not in self._MODES:
            raise ValueError(f"RandomFlip: mode must be one of {', '.join(map(repr, self._MODES))}; got mode={mode!r}")
        super().__init__(seed, data_format, **kwargs)
        self.mode = mode

    def draw(self, n, h, w):
        return self._uniform((n,), 0.0, 1.0) <= 0.5           # which images flip

    def apply(self, x, flips):
        axes = {"horizontal": (2,), "vertical": (1,), "horizontal_and_vertical": (1, 2)}[self.mode]
        return np.where(flips[:, None, None, None], np.flip(x, axes), x)

    apply_backward = apply                                    # a flip is its own adjoint

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class _Warp(_RandomLayer):
    """Rotation, zoom and translation: a drawn affine matrix per image, then TensorFlow's sampling."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        who = type(self).__name__
        if fill_mode not in sampling.FILL_MODES:
            raise UnknownOption(f"{who}: unknown fill_mode={fill_mode!r}; expected one of "
                                f"{', '.join(map(repr, sampling.FILL_MODES))}")
        if interpolation not in sampling.INTERPOLATIONS:
            raise UnknownOption(f"{who}: unknown interpolation={interpolation!r}; expected one of "
                                f"{', '.join(map(repr, sampling.INTERPOLATIONS))}")
        if isinstance(fill_value, bool) or not isinstance(fill_value, (int, float)) or not np.isfinite(fill_value):
            raise ValueError(f"{who}: fill_value must be a finite number, got fill_value={fill_value!r}")
        super().__init__(seed, data_format, **kwargs)
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value

    def draw(self, n, h, w):
        matrices = self.matrices(n, h, w)
        return matrices, sampling.affine_taps(matrices, h, w, self.interpolation, self.fill_mode)

    def warp(self, x, matrices):
        """``x`` (a batch, channels last) warped by the given matrices ``(n, 8)``: the layer's
        transform with the draw chosen by the caller (Keras's draws, in the parity tests)."""
        x = np.asarray(x, np.float32)
        return self.apply(x, (matrices, sampling.affine_taps(matrices, x.shape[1], x.shape[2], self.interpolation,
                                                            self.fill_mode)))

    def apply(self, x, draw):
        index, weight, fill = draw[1]
        return sampling.taps_apply(x, index, weight, fill, self.fill_value)

    def apply_backward(self, grad, draw):
        index, weight, _ = draw[1]
        return sampling.taps_adjoint(grad, index, weight, grad.shape)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


def rotation_matrices(degrees, h, w):
    """The matrices (n, 8) that turn images by ``degrees`` counter-clockwise about their centre
    (Keras's ``_compute_affine_matrix`` with no shear, scale 1), in float32 as Keras computes them."""
    angle = np.asarray(degrees, np.float32) * np.float32(math.pi / 180.0)
    cos, sin = np.cos(angle), np.sin(angle)
    cx, cy = np.float32(0.5) * np.float32(w - 1), np.float32(0.5) * np.float32(h - 1)
    zeros = np.zeros_like(angle)
    return np.stack([cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos, zeros, zeros], 1)


class RandomRotation(_Warp):
    """Turn each image by a random angle: ``factor`` in fractions of a full turn (0.1: up to 36
    degrees either way; ``(-0.2, 0.3)``: from -72 to 108 degrees; positive is counter-clockwise)."""

    _what = "rotation"

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        self.factor = check_factor(factor, "factor", "RandomRotation")
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)

    def matrices(self, n, h, w):
        lower, upper = self.factor
        return rotation_matrices(self._uniform((n,), lower * 360.0, upper * 360.0), h, w)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_Warp):
    """Zoom each image in or out: ``height_factor`` ``f`` draws a zoom in ``1 + U(-|f|, |f|)``;
    a pair ``(lower, upper)`` in ``1 + U(lower, upper)`` (negative zooms in: ``(-0.3, -0.2)``
    enlarges by 20-30%; positive zooms out). ``width_factor`` None keeps the aspect ratio."""

    _what = "zoom"

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        self.height_range = check_factor(height_factor, "height_factor", "RandomZoom", open_low=True)
        self.width_range = None if width_factor is None else \
            check_factor(width_factor, "width_factor", "RandomZoom", open_low=True)
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor

    def matrices(self, n, h, w):
        zy = self._uniform((n,), 1.0 + self.height_range[0], 1.0 + self.height_range[1])
        zx = zy if self.width_range is None else \
            self._uniform((n,), 1.0 + self.width_range[0], 1.0 + self.width_range[1])
        return zoom_matrices(zy, zx, h, w)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


def zoom_matrices(zy, zx, h, w):
    """Matrices (n, 8) that scale input coordinates about the centre by ``zx`` (columns) and ``zy``."""
    zy, zx = np.asarray(zy, np.float32), np.asarray(zx, np.float32)
    zeros = np.zeros_like(zx)
    half_w, half_h = (np.float32(w) - 1) / 2, (np.float32(h) - 1) / 2
    return np.stack([zx, zeros, half_w * (1 - zx), zeros, zy, half_h * (1 - zy), zeros, zeros], 1)


class RandomTranslation(_Warp):
    """Shift each image: ``height_factor`` ``f`` moves it by ``U(-|f|, |f|) * height`` rows (a
    pair: ``U(lower, upper)``; positive moves it down), ``width_factor`` likewise along columns."""

    _what = "translation"

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        self.height_range = check_factor(height_factor, "height_factor", "RandomTranslation")
        self.width_range = check_factor(width_factor, "width_factor", "RandomTranslation")
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor

    def matrices(self, n, h, w):
        dy = self._uniform((n,), *self.height_range) * np.float32(h)      # float32, as Keras multiplies
        dx = self._uniform((n,), *self.width_range) * np.float32(w)
        return translation_matrices(dy, dx)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


def translation_matrices(dy, dx):
    """Matrices (n, 8) that move images ``dy`` rows down and ``dx`` columns right."""
    dy, dx = np.asarray(dy, np.float32), np.asarray(dx, np.float32)
    ones, zeros = np.ones_like(dx), np.zeros_like(dx)
    return np.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], 1)


class RandomCrop(_RandomLayer):
    """In training, a random ``height x width`` window (the same for the whole batch); from an image
    not larger than that along both axes, the window at the corner of the largest centred window of
    the target's aspect ratio, resized to ``height x width`` (Keras 3.15's arithmetic).
    At inference, the identity, as in Keras 3 (so the output keeps the input's size there)."""

    _what = "crop"
    resizes = True

    _more_seeds = 1

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        height, width = _positive_int(height, "height", "RandomCrop"), _positive_int(width, "width", "RandomCrop")
        super().__init__(seed, data_format, **kwargs)
        self.height, self.width = height, width

    def draw(self, n, h, w):
        if h > self.height and w > self.width:
            top = int(self._uniform((), 0.0, float(h - self.height + 1)))     # Keras casts to int32
            left = int(self._uniform((), 0.0, float(w - self.width + 1)))
            return np.eye(h)[top:top + self.height], np.eye(w)[left:left + self.width]
        # Keras works out the aspect-ratio window's corner, but then cuts height x width from there
        # (what is left of the image, when that is less), and resizes that
        (top, _), (left, _) = crop_window(h, w, self.height, self.width)
        rows, cols = min(self.height, h - top), min(self.width, w - left)
        row_m, col_m = np.zeros((self.height, h)), np.zeros((self.width, w))
        row_m[:, top:top + rows] = sampling.resize_matrix(rows, self.height, "bilinear")
        col_m[:, left:left + cols] = sampling.resize_matrix(cols, self.width, "bilinear")
        return row_m, col_m

    def apply(self, x, draw):
        return sampling.resize_apply(x, *draw)

    def apply_backward(self, grad, draw):
        return sampling.resize_adjoint(grad, *draw)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
