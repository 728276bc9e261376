"""Image files to arrays and back: decoding (JPEG, PNG, GIF, BMP through Pillow), TensorFlow's
resize, and Keras's ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``.

Decoding follows ``tf.io.decode_image``: uint8 pixels, ``channels`` 0 (as stored), 1, 3
or 4; grey from colour by ``0.299 R + 0.587 G + 0.114 B``; alpha dropped (not blended) for 3
channels; a GIF is a stack of frames ``(frames, h, w, 3)`` unless ``expand_animations=False``.
JPEG (baseline or progressive, grey or YCbCr with 4:4:4, 4:2:2 or 4:2:0 chroma) and 8-bit PNG,
GIF and BMP pixels equal TensorFlow's on every file checked (a JPEG through libjpeg's fast IDCT
and fancy upsampling, see :mod:`glassnet.data.jpeg`). Not checked against TensorFlow: 16-bit PNGs
(the high byte kept) and CMYK JPEGs (Pillow's conversion).

Hostile files stay harmless: the pixel count is read from the header and refused above
:data:`MAX_IMAGE_PIXELS` before any pixel is decoded (a "decompression bomb": a small PNG
declaring 40,000 x 40,000 pixels); a file that is not an image is named in the error.

Resizing is TensorFlow 2's ``tf.image.resize`` without antialiasing (what Keras's
``image_dataset_from_directory`` does): half-pixel centres, "bilinear" (float32) or
"nearest" (keeps the dtype), written here; "bicubic" and "area" through ``glassnet.image.resize``::

    x = (i + 0.5) * in_size / out_size - 0.5;  lo = max(floor(x), 0);  hi = min(ceil(x), in_size - 1)
    out[i] = img[lo] + (img[hi] - img[lo]) * (x - floor(x))          (rows, then columns)

>>> import numpy as np
>>> resize(np.array([[0.0], [10.0]])[:, :, None], (4, 1))[:, 0, 0].tolist()
[0.0, 2.5, 7.5, 10.0]
"""
from __future__ import annotations

import io
import os
import warnings

import numpy as np

from . import jpeg

#: The most pixels (width x height x frames) an image may declare; larger ones are refused
#: before decoding. Pillow's own default limit; raise it for genuinely huge images.
MAX_IMAGE_PIXELS = 89_478_485

FORMATS = ("JPEG", "PNG", "GIF", "BMP")
INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area")


def pil():
    """``PIL.Image``, imported on first use, with a clear message when Pillow is missing."""
    try:
        from PIL import Image  # noqa: PLC0415 - Pillow is optional: `pip install glassnet[images]`
    except ImportError as e:
        raise ImportError("Reading and writing images needs Pillow: pip install Pillow "
                          "(or pip install 'glassnet[images]')") from e
    return Image


def _describe(data: bytes) -> str:
    head = data[:16]
    if not head:
        return "it is empty"
    if all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return f"it looks like text: {head.decode('ascii')!r}..."
    return f"it starts with the bytes {head!r}"


def open_image(data: bytes, name: str, who: str):
    """A Pillow image over ``data`` (nothing decoded yet), checked: a JPEG, PNG, GIF or BMP
    declaring at most :data:`MAX_IMAGE_PIXELS` pixels. Errors name ``name``."""
    Image = pil()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except Image.DecompressionBombError as e:            # past Pillow's own limit: its message has the size
        raise ValueError(f"{who}: {name} declares more pixels than MAX_IMAGE_PIXELS={MAX_IMAGE_PIXELS} ({e}); "
                         "refused before decoding (a decompression bomb?)") from None
    except (OSError, SyntaxError, ValueError) as e:   # UnidentifiedImageError is an OSError
        raise ValueError(f"{who}: {name} is not an image in a format glassnet reads (JPEG, PNG, GIF, BMP); "
                         f"{_describe(data)}") from e
    width, height = img.size
    frames = getattr(img, "n_frames", 1) if img.format == "GIF" else 1
    if width * height * frames > MAX_IMAGE_PIXELS:
        raise ValueError(f"{who}: {name} declares {width} x {height} pixels"
                         + (f" x {frames} frames" if frames > 1 else "")
                         + f", more than MAX_IMAGE_PIXELS={MAX_IMAGE_PIXELS}: refused before decoding "
                           "(a decompression bomb?). Raise glassnet.data.images.MAX_IMAGE_PIXELS to read it")
    return img


def _gray(rgb: np.ndarray) -> np.ndarray:
    """0.299 R + 0.587 G + 0.114 B, truncated, in libpng's 15-bit fixed point (TensorFlow's PNG grey)."""
    r, g, b = (rgb[..., i].astype(np.uint32) for i in range(3))
    return ((r * 9797 + g * 19234 + b * 3737) >> 15).astype(np.uint8)


def _frame(img, channels: int) -> np.ndarray:
    """The current frame as uint8 ``(h, w, c)`` with ``channels`` (0: as stored)."""
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):              # 16-bit grey: the high byte, as libpng's strip
        grey = (np.asarray(img).astype(np.int64) >> 8).clip(0, 255).astype(np.uint8)
        img, mode = pil().fromarray(grey), "L"
    if mode == "1":
        img, mode = img.convert("L"), "L"
    elif mode in ("P", "PA"):
        mode = "RGBA" if mode == "PA" or "transparency" in img.info else "RGB"
        img = img.convert(mode)
    elif mode not in ("L", "LA", "RGB", "RGBA"):              # CMYK, YCbCr, F ...
        img, mode = img.convert("RGB"), "RGB"
    a = np.asarray(img, dtype=np.uint8)
    if a.ndim == 2:
        a = a[:, :, None]
    have = a.shape[-1]
    if channels in (0, have):
        return a.copy()
    if channels == 1:
        return (a[..., :1] if have <= 2 else _gray(a))[..., None].reshape(a.shape[:2] + (1,))
    colour = np.repeat(a[..., :1], 3, axis=-1) if have <= 2 else a[..., :3]
    if channels == 3:
        return np.ascontiguousarray(colour)
    alpha = a[..., -1:] if have in (2, 4) else np.full(a.shape[:2] + (1,), 255, np.uint8)
    return np.concatenate([colour, alpha], axis=-1)


def decode(data: bytes, channels: int = 0, name: str = "the image", who: str = "decode_image",
           expand_animations: bool = True, formats=FORMATS) -> np.ndarray:
    """``data`` (a file's bytes) as uint8 pixels ``(h, w, c)``, or ``(frames, h, w, 3)`` for a
    GIF when ``expand_animations``, as ``tf.io.decode_image``."""
    if channels not in (0, 1, 3, 4):
        raise ValueError(f"{who}: channels must be 0, 1, 3 or 4, got {channels!r}")
    img = open_image(bytes(data), name, who)
    if img.format not in formats:
        raise ValueError(f"{who}: {name} is a {img.format} image, expected {' or '.join(formats)}")
    if img.format == "GIF" and channels not in (0, 3):
        raise ValueError(f"{who}: {name} is a GIF, decoded with 3 channels only (channels 0 or 3), "
                         f"got channels={channels} (as TensorFlow)")
    if img.format == "JPEG" and channels == 4:
        raise ValueError(f"{who}: {name} is a JPEG, which has no alpha channel: channels must be 0, 1 or 3 "
                         "(as TensorFlow)")
    try:
        if img.format == "JPEG":
            pixels = jpeg.decode_like_tensorflow(img, channels)
            if pixels is not None:
                return pixels
            img = open_image(bytes(data), name, who)        # Pillow's own decoding, from the start
        if img.format == "GIF":
            frames = []
            for i in range(getattr(img, "n_frames", 1)):
                img.seek(i)
                frames.append(_frame(img.convert("RGB"), 3))
            stack = np.stack(frames)
            return stack if expand_animations else stack[0]
        img.load()
        return _frame(img, channels)
    except (OSError, SyntaxError, ValueError) as e:
        raise ValueError(f"{who}: {name} is a damaged {img.format} image ({e})") from e


# -- resizing (tf.image.resize, antialias=False) --------------------------------------------
def _bilinear_axis(in_size: int, out_size: int):
    scale = np.float32(in_size) / np.float32(out_size)
    x = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    f = np.floor(x)
    lo = np.maximum(f, 0).astype(np.int64)
    hi = np.minimum(np.ceil(x), in_size - 1).astype(np.int64)
    return lo, hi, (x - f).astype(np.float32)


def resize(img: np.ndarray, size, method: str = "bilinear") -> np.ndarray:
    """``img`` ``(h, w, c)`` resized to ``size`` = (height, width), as ``tf.image.resize``
    with half-pixel centres and no antialiasing."""
    height, width = int(size[0]), int(size[1])
    if method == "nearest":
        rows = [np.minimum(np.floor((np.arange(n, dtype=np.float32) + np.float32(0.5))
                                    * (np.float32(m) / np.float32(n))).astype(np.int64), m - 1)
                for n, m in ((height, img.shape[0]), (width, img.shape[1]))]
        return img[rows[0]][:, rows[1]]
    if method in ("bicubic", "area"):                       # glassnet.image's sampling matrices
        from ..tf import image as tf_image  # noqa: PLC0415
        return np.asarray(tf_image.resize(img, (height, width), method)).astype(np.float32)
    if method != "bilinear":
        raise ValueError(f"resize: interpolation must be one of {INTERPOLATIONS}, got {method!r}")
    y0, y1, ly = _bilinear_axis(img.shape[0], height)
    x0, x1, lx = _bilinear_axis(img.shape[1], width)
    lx = lx[None, :, None]
    upper = np.take(img, y0, axis=0).astype(np.float32)      # rows gathered first: less to convert
    lower = np.take(img, y1, axis=0).astype(np.float32)
    top_left, bottom_left = np.take(upper, x0, axis=1), np.take(lower, x0, axis=1)
    top = top_left + (np.take(upper, x1, axis=1) - top_left) * lx
    bottom = bottom_left + (np.take(lower, x1, axis=1) - bottom_left) * lx
    return top + (bottom - top) * ly[:, None, None]


def crop_to_aspect(img: np.ndarray, size) -> np.ndarray:
    """The centred crop of ``img`` with ``size``'s aspect ratio (Keras's ``smart_resize``)."""
    height, width = img.shape[:2]
    target_h, target_w = size
    crop_h = max(min(height, int(np.float32(width * target_h) / np.float32(target_w))), 1)
    crop_w = max(min(width, int(np.float32(height * target_w) / np.float32(target_h))), 1)
    top, left = int((height - crop_h) / 2), int((width - crop_w) / 2)
    return img[top:top + crop_h, left:left + crop_w]


def resize_with_pad(img: np.ndarray, size, method: str = "bilinear") -> np.ndarray:
    """Resized to fit ``size`` keeping its aspect ratio, then centred on zeros
    (``tf.image.resize_with_pad``)."""
    f32 = np.float32                          # in float32, as TensorFlow: 7 / (7/9) may floor to 8
    height, width = img.shape[:2]
    target_h, target_w = int(size[0]), int(size[1])
    ratio = max(f32(width) / f32(target_w), f32(height) / f32(target_h))
    new_h, new_w = f32(height) / ratio, f32(width) / ratio
    inner = resize(img, (max(int(np.floor(new_h)), 1), max(int(np.floor(new_w)), 1)), method)
    top = max(0, int(np.floor((f32(target_h) - new_h) / f32(2))))
    left = max(0, int(np.floor((f32(target_w) - new_w) / f32(2))))
    out = np.zeros((target_h, target_w, img.shape[2]), dtype=inner.dtype)
    out[top:top + inner.shape[0], left:left + inner.shape[1]] = inner[:target_h - top, :target_w - left]
    return out


def load_for_dataset(path: str, image_size, channels: int, interpolation: str = "bilinear",
                     crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                     who: str = "image_dataset_from_directory") -> np.ndarray:
    """One file as ``image_dataset_from_directory`` gives it: decoded (first frame of a GIF),
    then resized (cropped or padded to the aspect ratio when asked)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise OSError(e.errno, f"{who}: cannot read {path}: {e.strerror}") from e
    img = decode(data, channels, path, who, expand_animations=False)
    if crop_to_aspect_ratio:
        return resize(crop_to_aspect(img, image_size), image_size, interpolation)
    if pad_to_aspect_ratio:
        return resize_with_pad(img, image_size, interpolation)
    return resize(img, image_size, interpolation)


# -- keras.utils: load_img, img_to_array, array_to_img, save_img -----------------------------
_PIL_RESAMPLING = {"nearest": "NEAREST", "bilinear": "BILINEAR", "bicubic": "BICUBIC", "hamming": "HAMMING",
                   "box": "BOX", "lanczos": "LANCZOS"}


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """A Pillow image from a file (Keras's ``keras.utils.load_img``): converted to
    ``color_mode`` ("rgb", "rgba", "grayscale"), resized to ``target_size`` = (height, width)
    with Pillow's ``interpolation``; ``keep_aspect_ratio`` crops the centre to the target's
    aspect ratio first. ``path`` may be a path or a file-like object."""
    Image = pil()
    if color_mode not in ("rgb", "rgba", "grayscale"):
        raise ValueError(f"load_img: color_mode must be 'grayscale', 'rgb' or 'rgba', got {color_mode!r}")
    if interpolation not in _PIL_RESAMPLING:
        raise ValueError(f"load_img: interpolation must be one of {sorted(_PIL_RESAMPLING)}, got {interpolation!r}")
    if hasattr(path, "read"):
        data, name = path.read(), "the file object"
    else:
        name = os.fspath(path)
        try:
            with open(name, "rb") as f:
                data = f.read()
        except OSError as e:
            raise OSError(e.errno, f"load_img: cannot read {name}: {e.strerror}") from e
    img = open_image(data, name, "load_img")
    want = {"grayscale": ("L", "I;16", "I"), "rgba": ("RGBA",), "rgb": ("RGB",)}[color_mode]
    try:
        if img.mode not in want:
            img = img.convert(want[0])
        else:
            img.load()
    except (OSError, SyntaxError, ValueError) as e:
        raise ValueError(f"load_img: {name} is a damaged {img.format} image ({e})") from e
    if target_size is not None:
        size = (int(target_size[1]), int(target_size[0]))             # Pillow's (width, height)
        if img.size != size:
            resample = getattr(Image.Resampling, _PIL_RESAMPLING[interpolation])
            box = None
            if keep_aspect_ratio:
                width, height = img.size
                crop_h = min(height, (width * size[1]) // size[0])
                crop_w = min(width, (height * size[0]) // size[1])
                left, top = (width - crop_w) // 2, (height - crop_h) // 2
                box = (left, top, left + crop_w, top + crop_h)
            img = img.resize(size, resample, box=box)
    return img


def img_to_array(img, data_format=None, dtype=None) -> np.ndarray:
    """A Pillow image as an array ``(h, w, c)`` in floatx (``dtype``), a grey one ``(h, w, 1)``;
    ``data_format="channels_first"`` gives ``(c, h, w)``."""
    from ..config import floatx  # noqa: PLC0415

    if data_format not in (None, "channels_last", "channels_first"):
        raise ValueError(f"img_to_array: data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ValueError(f"img_to_array: expected an image (2 or 3 dimensions), got shape {x.shape}")
    return np.ascontiguousarray(x.transpose(2, 0, 1)) if data_format == "channels_first" else x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """An array ``(h, w, c)`` (c = 1, 3 or 4) as a Pillow image; ``scale`` maps its range onto
    0..255 first (x - min, then / max, then * 255), as Keras."""
    Image = pil()
    a = np.asarray(x, dtype=dtype or "float32")
    if a.ndim != 3:
        raise ValueError(f"array_to_img: expected an image array of rank 3 (h, w, c), got shape {a.shape}")
    if data_format == "channels_first":
        a = a.transpose(1, 2, 0)
    elif data_format not in (None, "channels_last"):
        raise ValueError(f"array_to_img: data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    if not np.all(np.isfinite(a)):
        raise ValueError("array_to_img: the array holds NaN or infinite values")
    if scale:
        a = a - np.min(a)
        top = np.max(a)
        if top != 0:
            a = a / top
        a = a * 255
    channels = a.shape[2]
    if channels == 4:
        return Image.fromarray(a.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(a.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(a) > 255:                                      # 32-bit integer grey, as Keras
            return Image.fromarray(a[:, :, 0].astype("int32"), "I")
        return Image.fromarray(a[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"array_to_img: an image has 1, 3 or 4 channels, got {channels} (shape {a.shape})")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs) -> None:
    """Write an array as an image file (format from ``file_format`` or the file name),
    atomically: a failed save leaves no half-written file."""
    from ..saving import atomic  # noqa: PLC0415

    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format or os.path.splitext(os.fspath(path))[1][1:]).lower() in ("jpg", "jpeg"):
        warnings.warn("save_img: JPEG has no transparency; the alpha channel is dropped", stacklevel=2)
        img = img.convert("RGB")
    buffer = io.BytesIO()
    fmt = file_format
    if fmt is None:
        ext = os.path.splitext(os.fspath(path))[1].lower()
        fmt = pil().registered_extensions().get(ext)
        if fmt is None:
            raise ValueError(f"save_img: cannot tell the image format from {os.fspath(path)!r}; pass file_format=")
    img.save(buffer, format=fmt, **kwargs)
    atomic.write_bytes(os.fspath(path), buffer.getvalue())
