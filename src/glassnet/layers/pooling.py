"""Pooling layers: each output summarizes one window of one channel; nothing is learned.

For a window ``W`` of ``p`` pixels (``channels_last``; windows of ``pool_size``, moved by
``strides``, which default to ``pool_size``)::

    MaxPooling:      forward  y = max(W)           backward  dW = dy at the pixel that won, 0 elsewhere
    AveragePooling:  forward  y = sum(W) / p       backward  dW = dy / p on every pixel of the window
    GlobalAverage:   y = mean over all pixels      dX = dy / (H * W) everywhere
    GlobalMax:       y = max over all pixels       dX = dy at the winner(s), shared among ties

With ``padding="same"`` the windows at the border stick out (TensorFlow's split, the odd
pixel after); padded pixels never win a max and are not counted in an average, as Keras.
Windows that overlap (``strides < pool_size``) add their gradients where they meet.

>>> import numpy as np, glassnet
>>> x = np.arange(16.0).reshape(1, 4, 4, 1)
>>> glassnet.layers.MaxPooling2D(2)(x)[0, :, :, 0]
<tf.Tensor: shape=(2, 2), dtype=float32, numpy=
array([[ 5.,  7.],
       [13., 15.]], dtype=float32)>
"""
from __future__ import annotations

import numpy as np

from .base import Layer
from .conv import check_data_format, check_padding, check_spatial, crop, gather_windows, normalize_tuple, output_length, pad, paddings, refuse_float64, window_slice


class _Pooling(Layer):
    """Shared by the window poolings: ``rank`` spatial axes."""

    rank = 2

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        who = type(self).__name__
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size", who)
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, "strides", who)
        self.padding = check_padding(padding, who)
        self.data_format = check_data_format(data_format, who)

    def compute_output_shape(self, input_shape):
        check_spatial(self, input_shape, self.rank)
        spatial = tuple(output_length(n, k, s, 1, self.padding)
                        for n, k, s in zip(input_shape[1:-1], self.pool_size, self.strides))
        if any(o == 0 for o in spatial):
            raise ValueError(f"{type(self).__name__} {self.name!r}: inputs of shape {tuple(input_shape)} are "
                             f"smaller than pool_size {self.pool_size}; use padding='same'")
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def count_params_for(self, input_shape) -> int:
        return 0

    def _padded(self, x, fill):
        """``x`` padded with ``fill``; remembers the padding and the output's shape."""
        self.pads = paddings(x.shape[1:-1], self.pool_size, self.strides, (1,) * self.rank, self.padding)
        xpad = pad(x, self.pads, fill)
        self.padded_shape = xpad.shape
        self.out_shape = (x.shape[0],) + tuple((n - k) // s + 1 for n, k, s in
                                               zip(xpad.shape[1:-1], self.pool_size, self.strides)) + x.shape[-1:]
        return xpad

    def _windows_ops(self, x):
        """Every window of ``x`` gathered by index (recorded: nested tapes), ``(N, *out, *pool, C)``,
        and the mask of the entries that are real pixels, not padding."""
        pads = paddings(np.shape(x)[1:-1], self.pool_size, self.strides, (1,) * self.rank, self.padding)
        return gather_windows(x, self.pool_size, self.strides, (1,) * self.rank, pads)

    def _at(self, pos):
        """Entry ``pos`` of every window at once (a strided slice of the padded input)."""
        return window_slice(pos, self.strides, (1,) * self.rank, self.out_shape[1:-1])

    def _onnx_pool(self, g, x, op, **attrs):
        n = self.rank
        spatial = self.input_shape[1:-1]
        if self.padding == "same" and any(s is None for s in spatial):
            raise ValueError(f"export: layer {self.name!r} has padding='same' and an unknown input size")
        p = paddings(spatial, self.pool_size, self.strides, (1,) * n, self.padding)
        first = g.node("Transpose", [x], name="ToChannelsFirst", perm=[0, n + 1] + list(range(1, n + 1)))
        y = g.node(op, [first], kernel_shape=list(self.pool_size), strides=list(self.strides),
                   pads=[b for b, _ in p] + [a for _, a in p], **attrs)
        return g.node("Transpose", [y], name="ToChannelsLast", perm=[0] + list(range(2, n + 2)) + [1])

    def explain_forward(self, l, x, out, weights=None) -> list[str]:
        """Lines for ``glassnet.explain``: one output worked out from its window."""
        position = tuple(o // 2 for o in out.shape[1:-1])
        c = int(np.argmax(np.abs(out[(0,) + position])))
        pads = paddings(x.shape[1:-1], self.pool_size, self.strides, (1,) * self.rank, self.padding)
        index = [0]
        for p, s, k, (before, _), n in zip(position, self.strides, self.pool_size, pads, x.shape[1:-1]):
            start = p * s - before
            index.append(slice(max(start, 0), min(start + k, n)))     # the window's real pixels
        window = x[tuple(index) + (c,)]
        rows = ", ".join(f"{i.start}:{i.stop}" for i in index[1:])
        kind = self._window_reduction                    # "max" or "mean"
        value = float(getattr(window, kind)())
        where = ", ".join(map(str, position))
        return [f"by hand, sample 0, position ({where}), channel {c}: {kind}(A[{l - 1}][0, {rows}, {c}]) = "
                f"{value:.4g};  A[{l}][0, {where}, {c}] = {float(out[(0,) + position + (c,)]):.4g}"]

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size), "padding": self.padding,
                "strides": list(self.strides), "data_format": self.data_format}


class _MaxPooling(_Pooling):
    _window_reduction = "max"                               # one output of its window (for explain)

    def forward(self, x, training=False):
        self.xpad = xpad = self._padded(x, -np.inf)         # padding never wins
        y = None
        for pos in np.ndindex(*self.pool_size):             # y = the max over the window's positions
            y = xpad[self._at(pos)].copy() if y is None else np.maximum(y, xpad[self._at(pos)], out=y)
        self.y = y
        return y

    def call_ops(self, x, training=False):
        """The same as recorded tf operations (nested tapes): each window's entries times a
        constant one-hot of its maximum (the first one, as TF's MaxPool gives its gradient to):
        dY reaches that pixel only, and a second derivative through the choice is 0 (zeros that
        reach x, as TF's MaxPoolGrad: ``vjps.step``)."""
        from ..tf import vjps  # noqa: PLC0415
        windows, valid = self._windows_ops(x)
        axes = tuple(range(1 + self.rank, 1 + 2 * self.rank))
        plain = np.where(valid, np.asarray(windows), -np.inf)              # (N, *out, *pool, C)
        n = int(np.prod(self.pool_size))
        rows = plain.reshape(plain.shape[:1 + self.rank] + (n, plain.shape[-1]))   # the pool's entries in a row
        first = np.argmax(rows, axis=-2)                                  # the first maximum of each window
        pick = (np.arange(n)[:, None] == first[..., None, :]).reshape(plain.shape)
        return vjps.sum(windows * vjps.step(windows, pick), axis=axes)

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        dxpad = np.zeros(self.padded_shape, grad.dtype)
        overlap = any(s < k for s, k in zip(self.strides, self.pool_size))
        won, taken = np.empty(self.y.shape, bool), np.zeros(self.y.shape, bool)
        for pos in np.ndindex(*self.pool_size):
            np.equal(self.xpad[self._at(pos)], self.y, out=won)  # this position holds the max,
            np.greater(won, taken, out=won)                      # and no earlier one did (ties: the first, as TF)
            taken |= won
            if overlap:
                dxpad[self._at(pos)] += grad * won               # dy goes to the pixel that won only
            else:                                                # each pixel is in one window: assign
                np.multiply(grad, won, out=dxpad[self._at(pos)])
        return crop(dxpad, self.pads)

    def to_onnx(self, g, x):
        return self._onnx_pool(g, x, "MaxPool")


class _AveragePooling(_Pooling):
    _window_reduction = "mean"                              # one output of its window (for explain)

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)     # no default size, as Keras

    def forward(self, x, training=False):
        xpad = self._padded(x, 0.0)
        sums = np.zeros(self.out_shape, x.dtype)
        for pos in np.ndindex(*self.pool_size):
            sums += xpad[self._at(pos)]
        if self.padding == "same":                           # count only the real pixels of each window
            ones = pad(np.ones((1,) + x.shape[1:-1] + (1,), x.dtype), self.pads)
            self.count = sum(ones[self._at(pos)] for pos in np.ndindex(*self.pool_size))
        else:
            self.count = np.asarray(np.prod(self.pool_size), x.dtype)
        return sums / self.count                             # y = sum(W) / p

    def call_ops(self, x, training=False):
        """The same as recorded tf operations (nested tapes): the sum of each window's real
        pixels over their count."""
        from ..tf import vjps  # noqa: PLC0415
        windows, valid = self._windows_ops(x)
        axes = tuple(range(1 + self.rank, 1 + 2 * self.rank))
        dtype = np.asarray(x).dtype
        count = valid.astype(dtype).sum(axis=axes)                        # (1, *out, 1)
        return vjps.sum(windows * valid.astype(dtype), axis=axes) / count

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        share = grad / self.count                            # dW = dy / p on every pixel of the window
        dxpad = np.zeros(self.padded_shape, grad.dtype)
        for pos in np.ndindex(*self.pool_size):
            dxpad[self._at(pos)] += share
        return crop(dxpad, self.pads)

    def to_onnx(self, g, x):
        refuse_float64(g, self, "AveragePool")
        return self._onnx_pool(g, x, "AveragePool", count_include_pad=0)


class MaxPooling2D(_MaxPooling):
    """The largest value of each ``pool_size`` window, per channel: ``(N, H, W, C)`` ->
    ``(N, H', W', C)``. Backward sends each window's gradient to the pixel that won.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.MaxPooling2D(pool_size=(2, 2))(np.zeros((1, 28, 28, 32))).shape
    TensorShape([1, 14, 14, 32])
    """

    rank = 2


class AveragePooling2D(_AveragePooling):
    """The mean of each ``pool_size`` window, per channel. Backward spreads each window's
    gradient evenly over its pixels.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.AveragePooling2D(2)(np.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0].numpy()
    array([[ 2.5,  4.5],
           [10.5, 12.5]], dtype=float32)
    """

    rank = 2


class MaxPooling1D(_MaxPooling):
    """MaxPooling2D's rule over sequences ``(N, steps, C)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.MaxPooling1D(2)(np.array([[[1.], [3.], [2.], [0.]]]))[0, :, 0].tolist()
    [3.0, 2.0]
    """

    rank = 1


class AveragePooling1D(_AveragePooling):
    """AveragePooling2D's rule over sequences ``(N, steps, C)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.AveragePooling1D(2)(np.array([[[1.], [3.], [2.], [0.]]]))[0, :, 0].tolist()
    [2.0, 1.0]
    """

    rank = 1


class MaxPooling3D(_MaxPooling):
    """MaxPooling2D's rule over volumes ``(N, depth, height, width, C)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.MaxPooling3D(2)(np.zeros((1, 4, 4, 4, 3))).shape
    TensorShape([1, 2, 2, 2, 3])
    """

    rank = 3


class AveragePooling3D(_AveragePooling):
    """AveragePooling2D's rule over volumes ``(N, depth, height, width, C)``."""

    rank = 3


# ---------------------------------------------------------------------------------------
# Global pooling: one number per channel
# ---------------------------------------------------------------------------------------
class _GlobalPooling(Layer):
    rank = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, type(self).__name__)
        if not isinstance(keepdims, (bool, np.bool_)):
            raise ValueError(f"{type(self).__name__}: keepdims must be True or False, got {keepdims!r}")
        self.keepdims = bool(keepdims)

    @property
    def _axes(self):
        return tuple(range(1, self.rank + 1))

    def compute_output_shape(self, input_shape):
        check_spatial(self, input_shape, self.rank)
        if self.keepdims:
            return (input_shape[0],) + (1,) * self.rank + (input_shape[-1],)
        return (input_shape[0], input_shape[-1])

    def count_params_for(self, input_shape) -> int:
        return 0

    def _expand(self, grad):
        """dy as ``(N, 1, 1, C)``, whatever ``keepdims`` was."""
        return grad.reshape((grad.shape[0],) + (1,) * self.rank + (grad.shape[-1],))

    def _onnx_reduce(self, g, x, op):
        axes = list(self._axes)
        if g.opset >= 18:          # axes became an input in opset 18
            return g.node(op, [x, g.initializer("axes", np.array(axes, np.int64))], keepdims=int(self.keepdims))
        return g.node(op, [x], axes=axes, keepdims=int(self.keepdims))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class _GlobalAveragePooling(_GlobalPooling):
    def forward(self, x, training=False, mask=None):
        self.x_shape = x.shape
        self.step_shares = None
        if mask is not None and self.rank == 1:        # a mask: the mean over the steps it keeps
            m = np.asarray(mask, x.dtype)[:, :, None]                        # (N, steps, 1)
            self.step_shares = m / m.sum(axis=1, keepdims=True)         # 1/count where kept, else 0
            y = (x * self.step_shares).sum(axis=1, keepdims=True)
            return y if self.keepdims else y[:, 0]
        return x.mean(axis=self._axes, keepdims=self.keepdims)           # y = mean over the pixels

    def call_ops(self, x, training=False):
        """The mean over the pixels (or steps) as a recorded tf operation (nested tapes); a
        call with a mask gives other numbers, so the tape refuses a second derivative there."""
        from ..tf import vjps  # noqa: PLC0415
        return vjps.mean(x, axis=self._axes, keepdims=self.keepdims)

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        if self.step_shares is not None:                            # dX_t = dy m_t / (kept steps)
            return self._expand(grad) * self.step_shares
        pixels = int(np.prod(self.x_shape[1:-1]))
        return np.broadcast_to(self._expand(grad) / pixels, self.x_shape).copy()   # dX = dy / (H W)

    def to_onnx(self, g, x):
        return self._onnx_reduce(g, x, "ReduceMean")


class _GlobalMaxPooling(_GlobalPooling):
    def forward(self, x, training=False):
        y = x.max(axis=self._axes, keepdims=True)
        self.winners = x == y                                            # ties share the gradient
        self.ties = self.winners.sum(axis=self._axes, keepdims=True)
        return y if self.keepdims else y.reshape(x.shape[0], x.shape[-1])

    def call_ops(self, x, training=False):
        """The maximum as a recorded tf operation (nested tapes); ties share dY, as forward's."""
        from ..tf import vjps  # noqa: PLC0415
        return vjps.max(x, axis=self._axes, keepdims=self.keepdims)

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        return self.winners * (self._expand(grad) / self.ties)          # dX = dy at the winner(s)

    def to_onnx(self, g, x):
        return self._onnx_reduce(g, x, "ReduceMax")


class GlobalAveragePooling2D(_GlobalAveragePooling):
    """The mean of each channel over the whole image: ``(N, H, W, C)`` -> ``(N, C)``
    (``keepdims=True``: ``(N, 1, 1, C)``).

    >>> import numpy as np, glassnet
    >>> glassnet.layers.GlobalAveragePooling2D()(np.ones((2, 5, 5, 3))).shape
    TensorShape([2, 3])
    """

    rank = 2


class GlobalMaxPooling2D(_GlobalMaxPooling):
    """The largest value of each channel over the whole image: ``(N, H, W, C)`` -> ``(N, C)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.GlobalMaxPooling2D()(np.arange(8.0).reshape(1, 2, 2, 2)).tolist()
    [[6.0, 7.0]]
    """

    rank = 2


class GlobalAveragePooling1D(_GlobalAveragePooling):
    """The mean of each channel over the steps: ``(N, steps, C)`` -> ``(N, C)``; with a padding
    mask (``Embedding(mask_zero=True)`` before it), the mean over the steps the mask keeps.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.GlobalAveragePooling1D()(np.array([[[1.], [3.]]])).tolist()
    [[2.0]]
    """

    rank = 1
    supports_masking = uses_mask = True             # it reads the mask and hands none on

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalMaxPooling):
    """The largest value of each channel over the steps: ``(N, steps, C)`` -> ``(N, C)``.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.GlobalMaxPooling1D()(np.array([[[1.], [3.]]])).tolist()
    [[3.0]]
    """

    rank = 1


class GlobalAveragePooling3D(_GlobalAveragePooling):
    """The mean of each channel over the whole volume: ``(N, D, H, W, C)`` -> ``(N, C)``."""

    rank = 3


class GlobalMaxPooling3D(_GlobalMaxPooling):
    """The largest value of each channel over the whole volume: ``(N, D, H, W, C)`` -> ``(N, C)``."""

    rank = 3
