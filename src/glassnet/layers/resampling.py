"""Resampling layers: UpSampling, ZeroPadding and Cropping (1D: ``(N, steps, C)``; 2D:
``(N, H, W, C)``, channels last). Nothing is learned; each one moves numbers around::

    UpSampling (nearest):  forward  Y[n, i, j, c] = X[n, i // sh, j // sw, c]    (each pixel repeated sh x sw)
                           backward dX[n, i, j, c] = sum of dY over pixel (i, j)'s sh x sw block
    ZeroPadding:           forward  Y = X with zeros around it                  backward  dX = dY with the border cut off
    Cropping:              forward  Y = X with the border cut off               backward  dX = dY with zeros around it

ZeroPadding and Cropping are each other's backward.

>>> import numpy as np, glassnet
>>> glassnet.layers.UpSampling2D((2, 2))(np.arange(4.0).reshape(1, 2, 2, 1))[0, :, :, 0]
<tf.Tensor: shape=(4, 4), dtype=float32, numpy=
array([[0., 0., 1., 1.],
       [0., 0., 1., 1.],
       [2., 2., 3., 3.],
       [2., 2., 3., 3.]], dtype=float32)>
"""
from __future__ import annotations

import numpy as np

from .base import Layer
from .conv import check_data_format, check_spatial, crop, normalize_tuple, pad
from .image_sampling import resize_adjoint, resize_apply, resize_matrix


def _non_negative_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0


def _pairs(value, rank, what, who) -> tuple:
    """Keras's ways of giving ``(before, after)`` per spatial axis: ``1`` (everywhere), ``(1, 2)``
    (1D: before, after; 2D: symmetric per axis, ``(rows, columns)``), or ``((1, 2), (0, 3))`` (2D)."""
    bad = ValueError(f"{who}: {what} must be a non-negative integer, "
                     + ("a tuple of 2 non-negative integers (before, after)" if rank == 1 else
                        "a tuple of 2 non-negative integers (height, width), or a tuple of 2 tuples of 2 "
                        "((top, bottom), (left, right))") + f", got {value!r}")
    if _non_negative_int(value):
        return ((int(value), int(value)),) * rank
    try:
        items = tuple(value)
    except TypeError:
        raise bad from None
    if rank == 1:
        if len(items) == 2 and all(map(_non_negative_int, items)):
            return ((int(items[0]), int(items[1])),)
        raise bad
    if len(items) != 2:
        raise bad
    if all(map(_non_negative_int, items)):
        return tuple((int(v), int(v)) for v in items)
    out = []
    for item in items:
        try:
            pair = tuple(item)
        except TypeError:
            raise bad from None
        if len(pair) != 2 or not all(map(_non_negative_int, pair)):
            raise bad
        out.append((int(pair[0]), int(pair[1])))
    return tuple(out)


class _Resampling(Layer):
    rank = 2

    def count_params_for(self, input_shape) -> int:
        return 0

    def _check(self, input_shape):
        check_spatial(self, input_shape, self.rank)


# ---------------------------------------------------------------------------------------
# UpSampling
# ---------------------------------------------------------------------------------------
class _UpSampling(_Resampling):
    def _up(self, x):
        for axis, s in enumerate(self.size, start=1):
            if s > 1:
                x = np.repeat(x, s, axis=axis)                  # Y[i] = X[i // s]
        return x

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        spatial = tuple(None if n is None else n * s for n, s in zip(input_shape[1:-1], self.size))
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def forward(self, x, training=False):
        self.x_shape = x.shape
        return self._up(x)

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        n, *spatial, c = self.x_shape                           # dX = the sum of dY over each block
        blocks = [n]
        for m, s in zip(spatial, self.size):
            blocks += [m, s]
        return grad.reshape(blocks + [c]).sum(axis=tuple(range(2, 2 * self.rank + 1, 2)))

    def to_onnx(self, g, x):
        # Resize, nearest, with each output pixel taking input pixel floor(i / s): exactly np.repeat
        scales = g.initializer("scales", np.array((1.0,) + tuple(map(float, self.size)) + (1.0,), np.float32))
        roi = g.initializer("roi", np.zeros((0,), np.float32))
        return g.node("Resize", [x, roi, scales], mode="nearest", nearest_mode="floor",
                      coordinate_transformation_mode="asymmetric")


class UpSampling2D(_UpSampling):
    """Repeats each pixel ``size`` times along height and width (``interpolation="nearest"``), or
    resizes by ``size`` as ``tf.image.resize`` does (``"bilinear"``, ``"bicubic"``: one weight
    matrix per axis, backward by their transposes; ``layers/image_sampling.py``).

    >>> import numpy as np, glassnet
    >>> glassnet.layers.UpSampling2D()(np.zeros((1, 16, 16, 3))).shape
    TensorShape([1, 32, 32, 3])
    """

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "size", "UpSampling2D")
        self.data_format = check_data_format(data_format, "UpSampling2D")
        if interpolation not in ("nearest", "bilinear", "bicubic"):
            raise ValueError(f"UpSampling2D: interpolation must be one of 'nearest', 'bilinear', 'bicubic', got "
                             f"{interpolation!r}")
        self.interpolation = interpolation

    # "bilinear" and "bicubic": tf.image.resize's weights, one matrix per axis (layers/image_sampling.py)
    def _matrices(self, h, w):
        return (resize_matrix(h, h * self.size[0], self.interpolation),
                resize_matrix(w, w * self.size[1], self.interpolation))

    def forward(self, x, training=False):
        if self.interpolation == "nearest":
            return super().forward(x, training)
        self.x_shape = x.shape
        self.rows, self.cols = self._matrices(*x.shape[1:3])
        return resize_apply(x, self.rows, self.cols)                  # Y[n] = R_h X[n] R_w.T

    def backward(self, grad, need_input_grad=True):
        if self.interpolation == "nearest" or not need_input_grad:
            return super().backward(grad, need_input_grad)
        return resize_adjoint(grad, self.rows, self.cols)             # dX[n] = R_h.T dY[n] R_w

    def to_onnx(self, g, x):
        if self.interpolation == "nearest":
            return super().to_onnx(g, x)
        h, w = self.input_shape[1:3]
        if h is None or w is None:
            raise ValueError(f"export: layer {self.name!r} (UpSampling2D, {self.interpolation}) needs a known "
                             "input size")
        rows, cols = self._matrices(h, w)
        y = g.node("Transpose", [x], perm=[0, 3, 1, 2])
        y = g.node("MatMul", [g.initializer("rows", rows), y])
        y = g.node("MatMul", [y, g.initializer("cols_t", cols.T)])
        return g.node("Transpose", [y], perm=[0, 2, 3, 1])

    def get_config(self):
        return {**super().get_config(), "size": list(self.size), "data_format": self.data_format,
                "interpolation": self.interpolation}


class UpSampling1D(_UpSampling):
    """Repeats each step ``size`` times: ``(N, steps, C)`` -> ``(N, steps * size, C)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.UpSampling1D(2)(np.array([[[1.], [2.]]]))[0, :, 0].tolist()
    [1.0, 1.0, 2.0, 2.0]
    """

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 1, "size", "UpSampling1D")

    def get_config(self):
        return {**super().get_config(), "size": self.size[0]}


# ---------------------------------------------------------------------------------------
# ZeroPadding and Cropping
# ---------------------------------------------------------------------------------------
class _ZeroPadding(_Resampling):
    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        spatial = tuple(None if n is None else n + b + a for n, (b, a) in zip(input_shape[1:-1], self.padding))
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def forward(self, x, training=False):
        return pad(x, self.padding)                             # zeros around X

    def backward(self, grad, need_input_grad=True):
        return crop(grad, self.padding) if need_input_grad else None      # the border's gradient dropped

    def call_ops(self, x, training=False):
        """``pad(X)`` as a recorded tf operation (nested tapes: WGAN-GP's gradient penalty
        through a critic that pads its images first)."""
        from ..tf.array_ops import pad as tf_pad  # noqa: PLC0415 - the tape's operations, loaded when needed
        return tf_pad(x, [[0, 0]] + [list(p) for p in self.padding] + [[0, 0]])

    def to_onnx(self, g, x):
        pads = [0] + [b for b, _ in self.padding] + [0] + [0] + [a for _, a in self.padding] + [0]
        return g.node("Pad", [x, g.initializer("pads", np.array(pads, np.int64))], mode="constant")


class ZeroPadding2D(_ZeroPadding):
    """Adds rows and columns of zeros around each image: ``padding`` is ``1``, ``(rows, columns)``
    (symmetric) or ``((top, bottom), (left, right))``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.ZeroPadding2D(((1, 0), (2, 1)))(np.ones((1, 3, 3, 1))).shape
    TensorShape([1, 4, 6, 1])
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, 2, "padding", "ZeroPadding2D")
        self.data_format = check_data_format(data_format, "ZeroPadding2D")

    def get_config(self):
        return {**super().get_config(), "padding": [list(p) for p in self.padding], "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Adds zero steps before and after each sequence: ``padding`` is ``1`` or ``(before, after)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.ZeroPadding1D((1, 2))(np.ones((1, 2, 1)))[0, :, 0].tolist()
    [0.0, 1.0, 1.0, 0.0, 0.0]
    """

    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, 1, "padding", "ZeroPadding1D")
        self.data_format = check_data_format(data_format, "ZeroPadding1D")

    def get_config(self):
        return {**super().get_config(), "padding": list(self.padding[0]), "data_format": self.data_format}


class _Cropping(_Resampling):
    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        spatial = []
        for axis, (n, (b, a)) in enumerate(zip(input_shape[1:-1], self.cropping)):
            if n is not None and b + a >= n:
                raise ValueError(f"{type(self).__name__} {self.name!r}: cropping {self.cropping} removes "
                                 f"{b + a} of {n} on spatial axis {axis} of inputs of shape {tuple(input_shape)}; "
                                 "it must leave at least one")
            spatial.append(None if n is None else n - b - a)
        return (input_shape[0],) + tuple(spatial) + (input_shape[-1],)

    def forward(self, x, training=False):
        self.compute_output_shape((None,) + x.shape[1:])         # (refuses a crop larger than x)
        return crop(x, self.cropping).copy()                    # the border cut off

    def backward(self, grad, need_input_grad=True):
        return pad(grad, self.cropping) if need_input_grad else None     # zeros where the border was

    def to_onnx(self, g, x):
        spatial = self.input_shape[1:-1]
        if any(n is None for n in spatial):
            raise ValueError(f"export: layer {self.name!r} ({type(self).__name__}) needs a known input size")
        axes = list(range(1, self.rank + 1))
        starts = [b for b, _ in self.cropping]
        ends = [n - a for n, (_, a) in zip(spatial, self.cropping)]
        return g.node("Slice", [x, g.initializer("starts", np.array(starts, np.int64)),
                                g.initializer("ends", np.array(ends, np.int64)),
                                g.initializer("axes", np.array(axes, np.int64))])


class Cropping2D(_Cropping):
    """Cuts rows and columns off each image: ``cropping`` is ``1``, ``(rows, columns)``
    (symmetric) or ``((top, bottom), (left, right))``, as ZeroPadding2D's ``padding``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Cropping2D(((2, 2), (4, 4)))(np.zeros((1, 28, 28, 3))).shape
    TensorShape([1, 24, 20, 3])
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, 2, "cropping", "Cropping2D")
        self.data_format = check_data_format(data_format, "Cropping2D")

    def get_config(self):
        return {**super().get_config(), "cropping": [list(p) for p in self.cropping], "data_format": self.data_format}


class Cropping1D(_Cropping):
    """Cuts steps off the start and end of each sequence: ``cropping`` is ``1`` or ``(start, end)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Cropping1D((1, 0))(np.array([[[1.], [2.], [3.]]]))[0, :, 0].tolist()
    [2.0, 3.0]
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, 1, "cropping", "Cropping1D")

    def get_config(self):
        return {**super().get_config(), "cropping": list(self.cropping[0])}
