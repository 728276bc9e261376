"""The pixel arithmetic of the image layers and ``glassnet.image``: resizing and affine warps, each
a fixed linear map of the input pixels, with its adjoint (the backward pass) beside it.

Images are ``(n, height, width, channels)``. Two kinds of map:

* **Resizing** is separable: one matrix per axis, ``R_h (out_h, h)`` and ``R_w (out_w, w)``::

      forward:  Y[n] = R_h @ X[n] @ R_w.T        (on each channel)
      backward: dX[n] = R_h.T @ dY[n] @ R_w

  Each row of ``R`` holds the weights TensorFlow's ``tf.image.resize`` gives the input pixels for
  one output pixel (half-pixel centres: output pixel ``o`` samples input coordinate
  ``(o + 0.5) * in / out - 0.5``).

* **Affine warps** (RandomRotation, RandomZoom, RandomTranslation) follow TensorFlow's
  ``ImageProjectiveTransformV3``: output pixel ``(x, y)`` reads input coordinates
  ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``, brought back into
  the image by the fill mode (reflect, wrap, nearest; constant leaves them outside), then read by
  bilinear or nearest interpolation. Each output pixel is a weighted sum of up to 4 input pixels
  plus a weight on ``fill_value`` (taps outside the image)::

      forward:  Y[n, p] = sum_k W[n, p, k] * X[n, I[n, p, k]] + F[n, p] * fill_value
      backward: dX[n, I[n, p, k]] += W[n, p, k] * dY[n, p]          (np.add.at: taps may repeat)

>>> import numpy as np
>>> resize_matrix(2, 4, "bilinear").tolist()      # 2 pixels stretched to 4
[[1.0, 0.0], [0.75, 0.25], [0.25, 0.75], [0.0, 1.0]]
"""
from __future__ import annotations

import math

import numpy as np

RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "area")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


# -- resizing: one matrix per axis ------------------------------------------------------------
def resize_matrix(in_size: int, out_size: int, method: str = "bilinear", antialias: bool = False) -> np.ndarray:
    """``(out_size, in_size)`` weights of ``tf.image.resize`` along one axis (half-pixel centres)."""
    scale = in_size / out_size
    m = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    if antialias and scale > 1 and method in ("bilinear", "bicubic"):
        return _scale_and_translate(in_size, out_size, method)
    if method == "nearest":                  # floor((o + 0.5) * scale), kept inside the image
        m[rows, np.clip(np.floor((rows + 0.5) * scale).astype(int), 0, in_size - 1)] = 1.0
    elif method == "bilinear":
        where = (rows + 0.5) * scale - 0.5
        floor = np.floor(where)
        lerp = where - floor
        low = np.clip(floor.astype(int), 0, in_size - 1)
        high = np.clip(np.ceil(where).astype(int), 0, in_size - 1)
        np.add.at(m, (rows, low), 1.0 - lerp)
        np.add.at(m, (rows, high), lerp)
    elif method == "area":                   # each output pixel averages the input span it covers
        for o in rows:
            start, stop = o * scale, (o + 1) * scale
            for i in range(int(math.floor(start)), int(math.ceil(stop))):
                m[o, min(i, in_size - 1)] += (min(i + 1, stop) - max(i, start)) / scale
    elif method == "bicubic":                # Keys' cubic (a = -0.5), taps outside dropped, renormalized
        table = _keys_cubic_table()
        where = (rows + 0.5) * scale - 0.5
        floor = np.floor(where)
        offset = np.rint((where - floor) * 1024).astype(int)          # TensorFlow reads a 1024-step table
        weights = np.stack([table[offset, 1], table[offset, 0], table[1024 - offset, 0], table[1024 - offset, 1]], 1)
        taps = floor.astype(int)[:, None] + np.arange(-1, 3)
        weights = np.where((taps >= 0) & (taps < in_size), weights, 0.0)
        weights /= weights.sum(axis=1, keepdims=True)
        np.add.at(m, (np.repeat(rows, 4), np.clip(taps, 0, in_size - 1).ravel()), weights.ravel())
    else:
        raise ValueError(f"resize: method must be one of {', '.join(map(repr, RESIZE_METHODS))}; got method={method!r}")
    return m


def _keys_cubic_table(a=-0.5):
    """Keys' cubic kernel at 0..1 (column 0) and 1..2 (column 1), in 1024 steps, as TensorFlow tabulates it."""
    x = np.arange(1025, dtype=np.float32) / np.float32(1024)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = x + 1
    far = ((a * far - 5 * a) * far + 8 * a) * far - 4 * a
    return np.stack([near, far], 1).astype(np.float64)


def _scale_and_translate(in_size, out_size, method):
    """Antialiased shrinking (``tf.image.resize(..., antialias=True)``): the kernel is widened by
    the scale, so every input pixel counts; weights normalized per output pixel."""
    scale = in_size / out_size
    centres = (np.arange(out_size) + 0.5) * scale                     # in input pixel units
    inputs = np.arange(in_size) + 0.5
    t = np.abs(inputs[None, :] - centres[:, None]) / scale
    if method == "bilinear":
        w = np.maximum(0.0, 1.0 - t)
    else:                                                             # Keys' cubic, a = -0.5
        w = np.where(t < 1, (1.5 * t - 2.5) * t * t + 1, np.where(t < 2, ((-0.5 * t + 2.5) * t - 4) * t + 2, 0.0))
    return w / w.sum(axis=1, keepdims=True)


def resize_apply(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``Y[n] = rows @ X[n] @ cols.T`` on every channel of ``x (n, h, w, c)``."""
    n, h, w, c = x.shape
    out_h, out_w = rows.shape[0], cols.shape[0]
    dtype = x.dtype
    tall = np.matmul(rows.astype(dtype), x.reshape(n, h, w * c)).reshape(n * out_h, w, c)
    return np.matmul(cols.astype(dtype), tall).reshape(n, out_h, out_w, c)


def _bilinear_taps(in_size: int, out_size: int):
    """TensorFlow's bilinear taps along one axis, in float32 as its kernel works them out: input
    coordinate ``(o + 0.5) * (in / out) - 0.5``, the pixels below and above it kept inside the image,
    and the fraction ``lerp`` between them."""
    scale = np.float32(in_size) / np.float32(out_size)
    where = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    floor = np.floor(where)
    low = np.maximum(floor.astype(np.int64), 0)
    high = np.minimum(np.ceil(where).astype(np.int64), in_size - 1)
    return low, high, (where - floor).astype(np.float32)


def resize_bilinear_exact(x: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """``tf.image.resize(x, (out_h, out_w))`` (bilinear, no antialias) to the last bit, float32:
    TensorFlow's order of operations, ``top = tl + (tr - tl) * x_lerp``, ``bottom`` alike,
    ``top + (bottom - top) * y_lerp`` (the same linear map as :func:`resize_matrix`'s, rounded as
    TensorFlow rounds it: a flat region stays exactly flat)."""
    x = np.asarray(x, dtype=np.float32)
    top_i, bottom_i, y_lerp = _bilinear_taps(x.shape[1], out_h)
    left_i, right_i, x_lerp = _bilinear_taps(x.shape[2], out_w)
    y_lerp, x_lerp = y_lerp[None, :, None, None], x_lerp[None, None, :, None]
    rows_top, rows_bottom = x[:, top_i], x[:, bottom_i]
    top = rows_top[:, :, left_i] + (rows_top[:, :, right_i] - rows_top[:, :, left_i]) * x_lerp
    bottom = rows_bottom[:, :, left_i] + (rows_bottom[:, :, right_i] - rows_bottom[:, :, left_i]) * x_lerp
    return top + (bottom - top) * y_lerp


def resize_adjoint(grad: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The backward of :func:`resize_apply`: ``dX[n] = rows.T @ dY[n] @ cols``."""
    return resize_apply(grad, rows.T, cols.T)


# -- affine warps: up to four taps per output pixel, and a weight on the fill value ----------------
def _reflect(c, size):
    """(d c b a | a b c d | d c b a): TensorFlow's FILL_REFLECT on float coordinates."""
    if size <= 1:
        return np.zeros_like(c)
    span = 2 * size
    c = c.copy()
    low = c < 0
    far = low & (c < -span)
    c[far] = span * np.trunc(-c[far] / span) + c[far]
    c[low] = np.where(c[low] < -size, c[low] + span, -c[low] - 1)
    high = c > size - 1
    c[high] -= span * np.trunc(c[high] / span)
    back = high & (c >= size)
    c[back] = span - c[back] - 1
    return np.clip(c, 0, size - 1)


def _wrap(c, size):
    """(a b c d | a b c d | a b c d): TensorFlow's FILL_WRAP on float coordinates."""
    if size <= 1:
        return np.zeros_like(c)
    c = c.copy()
    low, high = c < 0, c > size - 1
    c[low] += size * (np.trunc(-c[low] / (size - 1)) + 1)
    c[high] -= size * np.trunc(c[high] / (size - 1))
    return np.clip(c, 0, size - 1)


_FILL = {"reflect": _reflect, "wrap": _wrap, "nearest": lambda c, size: np.clip(c, 0, size - 1),
         "constant": lambda c, size: c}


def affine_taps(transforms, height: int, width: int, interpolation="bilinear", fill_mode="reflect"):
    """For transforms ``(n, 8)`` on ``height x width`` images: ``(index, weight, fill)``, the input
    pixel (flat ``row * width + col``) and weight of each tap ``(n, height*width, taps)``, and the
    weight each output pixel gives ``fill_value`` ``(n, height*width)``."""
    # float32 throughout, as TensorFlow computes: a coordinate a hair past the edge wraps or
    # reflects to the other side, so float64 would pick other pixels there
    t = np.asarray(transforms, np.float32)
    ys, xs = np.meshgrid(np.arange(height, dtype=np.float32), np.arange(width, dtype=np.float32), indexing="ij")
    xs, ys = xs.ravel()[None, :], ys.ravel()[None, :]
    a0, a1, a2, b0, b1, b2, c0, c1 = (t[:, i:i + 1] for i in range(8))
    k = c0 * xs + c1 * ys + np.float32(1)
    infinite = k == 0                                  # TensorFlow returns fill_value there
    k = np.where(infinite, np.float32(1), k)
    in_x = _FILL[fill_mode]((a0 * xs + a1 * ys + a2) / k, width)
    in_y = _FILL[fill_mode]((b0 * xs + b1 * ys + b2) / k, height)
    if interpolation == "nearest":                     # std::round: halves away from zero
        rows = [(np.sign(in_y) * np.floor(np.abs(in_y) + 0.5), np.ones_like(in_y))]
        cols = [(np.sign(in_x) * np.floor(np.abs(in_x) + 0.5), np.ones_like(in_x))]
        pairs = [(0, 0)]
    else:                                              # the two rows and two columns around, weighted
        y0, x0 = np.floor(in_y), np.floor(in_x)
        wy, wx = in_y - y0, in_x - x0
        rows, cols = [(y0, 1 - wy), (y0 + 1, wy)], [(x0, 1 - wx), (x0 + 1, wx)]
        pairs = [(0, 0), (0, 1), (1, 0), (1, 1)]
    # per axis: the pixel index and its weight, zero where it falls outside the image
    rows = [(np.where((r >= 0) & (r < height), r, 0).astype(np.int64), np.where((r >= 0) & (r < height), w, 0))
            for r, w in rows]
    cols = [(np.where((c >= 0) & (c < width), c, 0).astype(np.int64), np.where((c >= 0) & (c < width), w, 0))
            for c, w in cols]
    index = np.empty(in_x.shape + (len(pairs),), np.int64)
    weight = np.empty(in_x.shape + (len(pairs),), np.float32)
    for tap, (i, j) in enumerate(pairs):
        index[..., tap] = rows[i][0] * width + cols[j][0]
        weight[..., tap] = rows[i][1] * cols[j][1]
    weight[infinite] = 0
    fill = np.float32(1) - weight.sum(-1)              # what the taps outside the image would have read
    return index, weight, fill


def taps_apply(x, index, weight, fill, fill_value=0.0):
    """``Y[n, p] = sum_k W[n, p, k] X[n, I[n, p, k]] + F[n, p] fill_value`` for ``x (n, h, w, c)``."""
    n, h, w, c = x.shape
    flat = x.reshape(n * h * w, c)
    where = index + (np.arange(n) * (h * w))[:, None, None]           # rows of `flat`
    out = np.zeros((n, h * w, c), x.dtype)
    for tap in range(index.shape[-1]):
        out += weight[..., tap, None].astype(x.dtype) * flat[where[..., tap]]
    if fill_value:
        out += (fill * fill_value).astype(x.dtype)[..., None]
    return out.reshape(n, h, w, c)


def taps_adjoint(grad, index, weight, shape):
    """The backward of :func:`taps_apply`: each tap hands its weight times dY back to its pixel."""
    n, h, w, c = shape
    g = grad.reshape(n, h * w, c)
    where = index + (np.arange(n) * (h * w))[:, None, None]
    dx = np.zeros((n * h * w, c), grad.dtype)
    for tap in range(index.shape[-1]):
        np.add.at(dx, where[..., tap], weight[..., tap, None].astype(grad.dtype) * g)
    return dx.reshape(shape)
