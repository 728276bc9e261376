"""Image preprocessing inside a model: ``Resizing`` and ``CenterCrop`` (always applied), and the
base every image layer shares (``_ImageLayer``: one image or a batch, channels last or first).

Both are fixed linear maps of the pixels, one matrix per axis (``layers/image_sampling.py``)::

    forward:   Y[n] = R_h @ X[n] @ R_w.T  (+ fill where padded)      backward:  dX[n] = R_h.T @ dY[n] @ R_w

``Resizing`` samples as ``tf.image.resize`` does (bilinear, nearest, bicubic, area; half-pixel
centres); ``crop_to_aspect_ratio`` first cuts the largest centred window of the target's aspect
ratio, ``pad_to_aspect_ratio`` pads with ``fill_value`` instead. ``CenterCrop`` cuts the centred
``height x width`` window, or, where the image is smaller, crops to the aspect ratio and resizes
(Keras's ``smart_resize``). Pixels come out as float32, whatever came in (uint8 included).

>>> import numpy as np, glassnet
>>> glassnet.layers.Resizing(2, 2)(np.arange(16.0).reshape(1, 4, 4, 1)).numpy()[0, :, :, 0].tolist()
[[2.5, 4.5], [10.5, 12.5]]
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..engine import functional
from . import image_sampling as sampling
from .base import Layer


def _positive_int(value, name, who):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{who}: {name} must be a positive integer, got {name}={value!r}")
    return int(value)


class _ImageLayer(Layer):
    """What the image layers share: inputs ``(height, width, channels)`` (one image) or
    ``(batch, height, width, channels)``; ``data_format="channels_first"`` puts channels before
    height. A subclass writes ``transform(x, training)`` and ``transform_backward(grad)`` on
    batches, channels last; this class adds and removes the batch axis and the transposes."""

    resizes = False              # True where the output's height and width differ from the input's

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(f"{type(self).__name__}: data_format must be 'channels_last' or 'channels_first', "
                             f"got data_format={data_format!r}")
        self.data_format = data_format or "channels_last"

    def _check_rank(self, shape):
        if len(shape) not in (3, 4):
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected images of rank 3 (one image: "
                             f"height, width, channels) or 4 (a batch of images); got inputs of shape {tuple(shape)}")

    def __call__(self, x, training=None, mask=None):
        if not functional.is_symbolic(x):
            shape = np.shape(x)
            self._check_rank(shape)
            if len(shape) == 3 and not self.built:          # one image: build for a batch of such images
                self.build_from_shape((None,) + tuple(shape))
        return super().__call__(x, training, mask)

    def build(self, input_shape):
        self._check_rank(input_shape)
        self.built = True

    def _hw_axes(self, rank):
        return (rank - 3, rank - 2) if self.data_format == "channels_last" else (rank - 2, rank - 1)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        self._check_rank(shape)
        if self.resizes:
            h, w = self._hw_axes(len(shape))
            shape[h], shape[w] = self.height, self.width
        return tuple(shape)

    def count_params_for(self, input_shape) -> int:
        return 0

    def _batched(self, x):
        x = x[None] if x.ndim == 3 else x
        return x.transpose(0, 2, 3, 1) if self.data_format == "channels_first" else x

    def _as_given(self, y):
        y = y.transpose(0, 3, 1, 2) if self.data_format == "channels_first" else y
        return y[0] if self._single else y

    def forward(self, x, training=False):
        x = np.asarray(x)
        self._check_rank(x.shape)
        self._single = x.ndim == 3
        x = x.astype(x.dtype if x.dtype.kind == "f" else config.floatx(), copy=False)
        return self._as_given(self.transform(self._batched(x), training))

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        return self._as_given(self.transform_backward(self._batched(np.asarray(grad))))

    def transform(self, x, training):
        raise NotImplementedError

    def transform_backward(self, grad):
        raise NotImplementedError

    def needs_flat_samples(self):
        return False

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class _Matrices(_ImageLayer):
    """A layer whose output is ``R_h @ X @ R_w.T`` plus a constant image: subclasses give
    ``matrices(h, w)`` -> ``(R_h, R_w, constant or None)``, worked out once per input size."""

    resizes = True

    def _plan(self, h, w):
        cached = self.__dict__.get("_cached_plan")
        if cached is None or cached[0] != (h, w):
            cached = ((h, w), self.matrices(h, w))
            self._cached_plan = cached
        return cached[1]

    def transform(self, x, training):
        rows, cols, constant = self._plan(x.shape[1], x.shape[2])
        y = sampling.resize_apply(x, rows, cols)
        return y if constant is None else y + constant[None, :, :, None].astype(y.dtype)

    def transform_backward(self, grad):
        rows, cols, _ = self._cached_plan[1]
        return sampling.resize_adjoint(grad, rows, cols)

    def to_onnx(self, g, x):
        """Transpose to channels first, MatMul by R_h on the left and R_w.T on the right, back."""
        h, w = (self.input_shape[1], self.input_shape[2]) if self.data_format == "channels_last" else \
            (self.input_shape[2], self.input_shape[3])
        rows, cols, constant = self._plan(h, w)
        first = self.data_format == "channels_first"
        y = x if first else g.node("Transpose", [x], perm=[0, 3, 1, 2])
        y = g.node("MatMul", [g.initializer("rows", rows), y])
        y = g.node("MatMul", [y, g.initializer("cols_t", cols.T)])
        if constant is not None:
            y = g.node("Add", [y, g.initializer("fill", constant)])
        return y if first else g.node("Transpose", [y], perm=[0, 2, 3, 1])

    def narrate_forward(self, page, l, x, out):
        page.put(f"  layer {l}: {self.name} ({type(self).__name__} to {self.height}x{self.width})")
        page.show(f"A[{l}] = R_h @ A[{l - 1}] @ R_w.T", f"{page.shape(x)} -> {page.shape(out)} "
                  "(each output pixel a weighted sum of input pixels)", f"A[{l}]", out)


class Resizing(_Matrices):
    """Resize images to ``height x width`` as ``tf.image.resize`` does (``interpolation``:
    bilinear, nearest, bicubic or area; ``antialias`` widens the kernel when shrinking).
    ``crop_to_aspect_ratio``: first cut the largest centred window with the target's aspect
    ratio; ``pad_to_aspect_ratio``: pad with ``fill_value`` to it instead (``fill_mode`` must be
    "constant", as Keras's TensorFlow backend requires)."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                 fill_mode="constant", fill_value=0.0, antialias=False, data_format=None, **kwargs):
        who = "Resizing"
        height, width = _positive_int(height, "height", who), _positive_int(width, "width", who)
        if interpolation not in sampling.RESIZE_METHODS:
            raise ValueError(f"Resizing: interpolation must be one of {', '.join(map(repr, sampling.RESIZE_METHODS))}; "
                             f"got interpolation={interpolation!r}")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
        if fill_mode != "constant":
            raise ValueError(f"Resizing: fill_mode must be 'constant' (the only one Keras supports here); "
                             f"got fill_mode={fill_mode!r}")
        if isinstance(fill_value, bool) or not isinstance(fill_value, (int, float)) or not np.isfinite(fill_value):
            raise ValueError(f"Resizing: fill_value must be a finite number, got fill_value={fill_value!r}")
        super().__init__(data_format, **kwargs)
        self.height, self.width, self.interpolation = height, width, interpolation
        self.crop_to_aspect_ratio, self.pad_to_aspect_ratio = bool(crop_to_aspect_ratio), bool(pad_to_aspect_ratio)
        self.fill_mode, self.fill_value, self.antialias = fill_mode, fill_value, bool(antialias)

    def matrices(self, h, w):
        def axis(size, target, start, length):          # resize `length` pixels from `start` to `target`
            m = np.zeros((target, size))
            inner = sampling.resize_matrix(length, target, self.interpolation, self.antialias)
            lo, hi = max(start, 0), min(start + length, size)
            m[:, lo:hi] = inner[:, lo - start:hi - start]
            return m
        if self.crop_to_aspect_ratio:
            (hs, ch), (ws, cw) = crop_window(h, w, self.height, self.width)
        elif self.pad_to_aspect_ratio:
            (hs, ch), (ws, cw) = _pad_window(h, w, self.height, self.width)
        else:
            (hs, ch), (ws, cw) = (0, h), (0, w)
        rows, cols = axis(h, self.height, hs, ch), axis(w, self.width, ws, cw)
        constant = None
        if self.pad_to_aspect_ratio and self.fill_value and (ch != h or cw != w):
            full_rows = sampling.resize_matrix(ch, self.height, self.interpolation, self.antialias).sum(1)
            full_cols = sampling.resize_matrix(cw, self.width, self.interpolation, self.antialias).sum(1)
            constant = self.fill_value * (np.outer(full_rows, full_cols) - np.outer(rows.sum(1), cols.sum(1)))
        return rows, cols, constant

    def __call__(self, x, training=None, mask=None):
        """As Keras: integer images called on directly come back in their own type, rounded
        (uint8 stays uint8; inside a model they are float32 already)."""
        out = super().__call__(x, training, mask)
        if functional.is_symbolic(x) or not isinstance(out, np.ndarray) or np.asarray(x).dtype.kind not in "iu":
            return out
        given = np.asarray(x).dtype
        info = np.iinfo(given)
        return np.clip(np.round(out), info.min, info.max).astype(given).view(type(out))

    def transform(self, x, training):
        """Bilinear without antialias on float32 (after the aspect-ratio crop, if any) through
        ``tf.image.resize``'s own float32 rounding; the other modes as the matrices give them
        (the backward pass always uses the matrices: the same linear map)."""
        rows, cols, constant = self._plan(x.shape[1], x.shape[2])
        h, w = x.shape[1], x.shape[2]
        if self.interpolation != "bilinear" or self.pad_to_aspect_ratio or x.dtype != np.float32 or \
                (self.antialias and (self.height < h or self.width < w)):
            return super().transform(x, training)
        if self.crop_to_aspect_ratio:
            (hs, ch), (ws, cw) = crop_window(h, w, self.height, self.width)
            x = x[:, hs:hs + ch, ws:ws + cw]
        return sampling.resize_bilinear_exact(x, self.height, self.width).astype(x.dtype, copy=False)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


def crop_window(h, w, target_h, target_w):
    """The largest centred window of ``h x w`` with the aspect ratio of ``target_h x target_w``:
    ``((row start, rows), (column start, columns))``, Keras's arithmetic (float32, truncated)."""
    crop_h = max(min(h, int(np.float32(w * target_h) / np.float32(target_w))), 1)
    crop_w = max(min(w, int(np.float32(h * target_w) / np.float32(target_h))), 1)
    return (int((h - crop_h) / 2), crop_h), (int((w - crop_w) / 2), crop_w)


def _pad_window(h, w, target_h, target_w):
    """Where ``h x w`` sits once padded to the target's aspect ratio: ``((-top, padded rows),
    (-left, padded columns))`` (as TensorFlow's backend does it, the same padding on both sides)."""
    pad_h = max(h, int(np.float32(w * target_h) / np.float32(target_w)))
    pad_w = max(w, int(np.float32(h * target_w) / np.float32(target_h)))
    top, left = int((pad_h - h) / 2), int((pad_w - w) / 2)
    return (-top, h + 2 * top), (-left, w + 2 * left)


class CenterCrop(_Matrices):
    """The centred ``height x width`` window of each image; an image smaller than that along
    either axis is cropped to the target's aspect ratio and resized (bilinear) instead, as Keras."""

    def __init__(self, height, width, data_format=None, **kwargs):
        height, width = _positive_int(height, "height", "CenterCrop"), _positive_int(width, "width", "CenterCrop")
        super().__init__(data_format, **kwargs)
        self.height, self.width = height, width

    def matrices(self, h, w):
        if h >= self.height and w >= self.width:
            hs, ws = (h - self.height) // 2, (w - self.width) // 2
            return (np.eye(h)[hs:hs + self.height], np.eye(w)[ws:ws + self.width], None)
        (hs, ch), (ws, cw) = crop_window(h, w, self.height, self.width)
        rows, cols = np.zeros((self.height, h)), np.zeros((self.width, w))
        rows[:, hs:hs + ch] = sampling.resize_matrix(ch, self.height, "bilinear")
        cols[:, ws:ws + cw] = sampling.resize_matrix(cw, self.width, "bilinear")
        return rows, cols, None

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
