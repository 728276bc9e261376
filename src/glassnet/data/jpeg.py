"""A JPEG decoded as TensorFlow's ``decode_jpeg`` decodes it, bit for bit, through Pillow.

TensorFlow asks libjpeg for the fast integer IDCT and "fancy" (triangle-filter) chroma
upsampling. Pillow offers the fast IDCT only in its draft mode, which also turns the fancy
upsampling into plain repetition; so the draft's YCbCr planes are read, the chroma planes taken
back to their own resolution (every 2nd sample: the repetition is exact), then upsampled and
turned into RGB here with libjpeg's integer formulas (``jdsample.c``, ``jdcolor.c``)::

    4:2:0   col = 3 * near_row + far_row;  out = (3 * col + neighbour_col + 8 or 7) >> 4
    4:2:2   out = (3 * near + far + 1 or 2) >> 2          (edges: the edge sample repeated)
    R = Y + 1.402 (Cr - 128),  G = Y - 0.34414 (Cb - 128) - 0.71414 (Cr - 128),  B = Y + 1.772 (Cb - 128)
            (16-bit fixed point, libjpeg's tables and rounding)

libjpeg-turbo repeats the chroma samples instead when a chroma plane is under 3 columns wide;
so does this. Checked against TensorFlow 2.21 on baseline and progressive JPEGs, 4:4:4, 4:2:2
and 4:2:0, 1x1 to 64x48 (tests/test_images.py, tools/make_keras_directory.py).
"""
from __future__ import annotations

import numpy as np


def _fix(x: float) -> int:
    return int(x * 65536 + 0.5)                 # libjpeg's 16-bit fixed point


def _shifted(a: np.ndarray, axis: int, step: int) -> np.ndarray:
    """``a`` moved one place along ``axis`` (step -1: each entry sees its predecessor, +1 its
    successor), the edge entry repeated: libjpeg's edge rule."""
    out = np.empty_like(a)
    inner = [slice(None)] * a.ndim
    src, dst = list(inner), list(inner)
    if step < 0:
        dst[axis], src[axis] = slice(1, None), slice(None, -1)
        edge = 0
    else:
        dst[axis], src[axis] = slice(None, -1), slice(1, None)
        edge = -1
    out[tuple(dst)] = a[tuple(src)]
    e = list(inner)
    e[axis] = edge
    out[tuple(e)] = a[tuple(e)]
    return out


def _fancy_h2v1(s: np.ndarray) -> np.ndarray:
    """Twice as wide: 3/4 of the nearer sample, 1/4 of the farther (rounding alternating)."""
    s3 = s * 3
    out = np.empty((s.shape[0], 2 * s.shape[1]), np.int32)
    out[:, 0::2] = (s3 + _shifted(s, 1, -1) + 1) >> 2
    out[:, 1::2] = (s3 + _shifted(s, 1, +1) + 2) >> 2
    return out


def _fancy_h2v2(s: np.ndarray) -> np.ndarray:
    """Twice as wide and tall: 3:1 between rows, then 3:1 between columns (9/16, 3/16, 3/16, 1/16)."""
    out = np.empty((2 * s.shape[0], 2 * s.shape[1]), np.int32)
    s3 = s * 3
    for r, step in ((0, -1), (1, +1)):           # the upper output row leans on the row above
        col = s3 + _shifted(s, 0, step)
        col3 = col * 3
        out[r::2, 0::2] = (col3 + _shifted(col, 1, -1) + 8) >> 4
        out[r::2, 1::2] = (col3 + _shifted(col, 1, +1) + 7) >> 4
    return out


_CODES = np.arange(256, dtype=np.int64) - 128
_CR_R = ((_fix(1.40200) * _CODES + 32768) >> 16).astype(np.int32)      # jdcolor.c's tables
_CB_B = ((_fix(1.77200) * _CODES + 32768) >> 16).astype(np.int32)
_CR_G = (-_fix(0.71414) * _CODES).astype(np.int32)
_CB_G = (-_fix(0.34414) * _CODES + 32768).astype(np.int32)
_LIMIT = np.clip(np.arange(-384, 640), 0, 255).astype(np.uint8)       # range limit, offset 384


def _ycc_to_rgb(y: np.ndarray, cb: np.ndarray, cr: np.ndarray) -> np.ndarray:
    y = y.astype(np.int32) + 384
    out = np.empty(y.shape + (3,), np.uint8)
    out[..., 0] = _LIMIT[y + _CR_R[cr]]
    out[..., 1] = _LIMIT[y + ((_CB_G[cb] + _CR_G[cr]) >> 16)]
    out[..., 2] = _LIMIT[y + _CB_B[cb]]
    return out


def decode_like_tensorflow(img, channels: int):
    """A JPEG's pixels as TensorFlow's decode_jpeg gives them, or None where this path does not
    apply (CMYK, unusual chroma sampling): the caller then lets Pillow decode it."""
    layers = getattr(img, "layer", None) or []
    if img.mode not in ("L", "RGB") or len(layers) not in (1, 3):
        return None
    if img.mode == "L" or channels == 1:
        img.draft("L", img.size)
        img.decoderconfig = (1, 1)                  # (scale 1, draft on): the fast IDCT
        grey = np.asarray(img)[..., None]
        return np.repeat(grey, 3, -1) if channels == 3 else grey
    h, v = layers[0][1], layers[0][2]
    if any(tuple(layer[1:3]) != (1, 1) for layer in layers[1:]) or (h, v) not in ((1, 1), (2, 1), (2, 2)):
        return None
    img.draft("YCbCr", img.size)
    img.decoderconfig = (1, 1)
    ycc = np.asarray(img)
    height, width = ycc.shape[:2]
    if ycc[::v, ::h].shape[1] > 2:                  # libjpeg's fancy upsampling needs 3 chroma columns
        fancy = {(1, 1): lambda c: c, (2, 1): _fancy_h2v1, (2, 2): _fancy_h2v2}[(h, v)]
        upsample = lambda c: fancy(c.astype(np.int32))  # noqa: E731
    else:                                           # else it repeats each sample, as libjpeg does
        upsample = lambda c: np.repeat(np.repeat(c, v, axis=0), h, axis=1)  # noqa: E731
    cb, cr = (upsample(ycc[::v, ::h, i])[:height, :width] for i in (1, 2))
    return _ycc_to_rgb(ycc[..., 0], cb, cr)
