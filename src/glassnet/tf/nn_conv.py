"""``tf.nn``'s convolutions, pooling and dropout, on a GradientTape: ``conv1d``, ``conv2d``,
``depthwise_conv2d``, ``max_pool``/``max_pool1d``/``max_pool2d``, ``avg_pool``/``avg_pool1d``/
``avg_pool2d``, ``dropout``, with TensorFlow's arguments (channels last only).

They are the Conv layers' recorded forward (``layers/conv.py``'s ``call_ops``): the input's
windows gathered by index (:func:`glassnet.layers.conv.gather_windows`, whose gradient is a
recorded scatter-add), then one product or reduction on the tape, so the gradient of each
is the tape's (the rules of indexing, ``@``, ``einsum``, ``max`` and ``mean`` in ``vjps.py``):

    conv:       Z[n, o, f]  = sum_{k, c} X[n, o*s + k*d - pad, c] K[k, c, f]
    depthwise:  Z[n, o, c*M + m] = sum_k X[n, o*s + k*d - pad, c] K[k, c, m]
    max pool:   Z[n, o, c]  = max over the window's real (not padding) entries
    avg pool:   Z[n, o, c]  = mean over the window's real entries (TensorFlow's SAME count)

``padding`` is ``"SAME"``, ``"VALID"`` or (convolutions) explicit ``[[0, 0], [top, bottom],
[left, right], [0, 0]]``; ``strides``/``dilations``/``ksize`` are an int, one per spatial axis,
or one per axis of the input (batch and channel entries 1). A max-pool gradient with tied
maxima in one window is shared among them (TensorFlow gives it all to the first).
"""
from __future__ import annotations

import numpy as np

from . import vjps
from .tensor import Tensor, float_array, wrap
from .variable import Variable

__all__ = ["conv1d", "conv2d", "convolution", "depthwise_conv2d", "max_pool", "max_pool1d", "max_pool2d",
           "avg_pool", "avg_pool1d", "avg_pool2d", "dropout"]


def _tensor(x, what):
    if isinstance(x, (Tensor, Variable)) and x.dtype.kind == "f":
        return x
    arr = float_array(x.value if isinstance(x, Variable) else x)
    return wrap(arr)


def _per_axis(value, rank, what, op, default=1):
    """``strides``/``dilations``/``ksize`` as one int per spatial axis (TensorFlow's forms: an int,
    ``rank`` ints, or ``rank + 2`` ints with 1 for the batch and channel axes)."""
    if value is None:
        return (default,) * rank
    values = [int(v) for v in np.atleast_1d(np.asarray(value)).tolist()]
    if len(values) == 1:
        values = values * rank
    elif len(values) == rank + 2:
        if values[0] != 1 or values[-1] != 1:
            raise ValueError(f"{op}: {what}={list(values)} moves along the batch or channel axis; glassnet (as "
                             "TensorFlow on the CPU) supports only 1 there")
        values = values[1:-1]
    if len(values) != rank or any(v < 1 for v in values):
        raise ValueError(f"{op}: {what} must be a positive int or a list of 1, {rank} or {rank + 2} positive ints, "
                         f"got {value!r}")
    return tuple(values)


def _pads(padding, spatial, kernel, strides, dilations, op, explicit=True):
    from ..layers.conv import paddings
    if isinstance(padding, str):
        if padding not in ("SAME", "VALID"):
            raise ValueError(f"{op}: padding={padding!r}; TensorFlow takes 'SAME' or 'VALID' (upper case)")
        return paddings(spatial, kernel, strides, dilations, padding.lower())
    if not explicit:
        raise ValueError(f"{op}: padding must be 'SAME' or 'VALID', got {padding!r}")
    pairs = [tuple(int(v) for v in p) for p in padding]
    if len(pairs) != len(spatial) + 2 or any(len(p) != 2 for p in pairs) or pairs[0] != (0, 0) or pairs[-1] != (0, 0):
        raise ValueError(f"{op}: explicit padding needs {len(spatial) + 2} pairs with [0, 0] for the batch and "
                         f"channel axes, got {padding!r}")
    if any(v < 0 for p in pairs for v in p):
        raise ValueError(f"{op}: explicit padding must be >= 0, got {padding!r}")
    return pairs[1:-1]


def _check_format(data_format, allowed, op):
    if data_format not in (None,) + allowed:
        raise ValueError(f"{op}: data_format={data_format!r} is not supported; glassnet keeps channels last "
                         f"({allowed[0]})")


def _windows(x, kernel, strides, dilations, pads, op):
    """The windows of ``x`` as ``(N, *out, *kernel, C)`` on the tape, and the mask of real entries."""
    from ..layers.conv import gather_windows
    spatial = x.shape[1:-1]
    for n, k, d, (b, a) in zip(spatial, kernel, dilations, pads):
        if n + b + a < (k - 1) * d + 1:
            raise ValueError(f"{op}: the input's spatial shape {tuple(spatial)} is smaller than the window "
                             f"{tuple(kernel)} (dilations {tuple(dilations)}) with this padding")
    return gather_windows(x, kernel, strides, dilations, pads)


def _conv(x, filters, strides, padding, dilations, rank, op, depthwise=False):
    x, k = _tensor(x, "input"), _tensor(filters, "filters")
    if x.ndim != rank + 2:
        raise ValueError(f"{op}: input must have {rank + 2} dimensions (batch, {rank} spatial, channels), "
                         f"got shape {tuple(x.shape)}")
    if k.ndim != rank + 2:
        raise ValueError(f"{op}: filters must have {rank + 2} dimensions ({rank} spatial, in channels, "
                         f"{'multiplier' if depthwise else 'out channels'}), got shape {tuple(k.shape)}")
    if k.shape[-2] != x.shape[-1]:
        raise ValueError(f"{op}: input depth must be evenly divisible by filter depth: {x.shape[-1]} vs "
                         f"{k.shape[-2]} (glassnet supports only filters of the input's depth)")
    kernel = tuple(k.shape[:rank])
    pads = _pads(padding, x.shape[1:-1], kernel, strides, dilations, op)
    windows, valid = _windows(x, kernel, strides, dilations, pads, op)
    if not valid.all():
        windows = windows * valid.astype(x.dtype)              # the padding reads zeros
    out = tuple(windows.shape[:1 + rank])
    if depthwise:                                              # each channel with its own M filters
        return _depthwise(windows, k, out, kernel, x.shape[-1])
    rows = vjps.reshape(windows, (-1, int(np.prod(kernel)) * x.shape[-1]))
    z = rows @ vjps.reshape(k, (-1, k.shape[-1]))              # Z = P K
    return vjps.reshape(z, out + (k.shape[-1],))


def _depthwise(windows, k, out, kernel, channels):
    """``Z[n, o, c, m] = sum_w P[n, o, w, c] K[w, c, m]``, its channels laid out as ``c * M + m``."""
    rows = vjps.reshape(windows, (int(np.prod(out)), int(np.prod(kernel)), channels))
    kk = vjps.reshape(k, (int(np.prod(kernel)), channels, k.shape[-1]))
    z = vjps.einsum("pwc,wcm->pcm", rows, kk)
    return vjps.reshape(z, out + (channels * k.shape[-1],))


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):  # noqa: A002
    """2-D convolution: ``input`` ``(N, H, W, C)``, ``filters`` ``(kh, kw, C, F)`` -> ``(N, H', W', F)``.

    >>> import numpy as np, glassnet as tf
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    >>> tf.nn.conv2d(x, np.ones((2, 2, 1, 1), np.float32), strides=2, padding="VALID").numpy()[0, :, :, 0]
    array([[10., 18.],
           [42., 50.]], dtype=float32)
    """
    _check_format(data_format, ("NHWC",), "conv2d")
    return _conv(input, filters, _per_axis(strides, 2, "strides", "conv2d"), padding,
                 _per_axis(dilations, 2, "dilations", "conv2d"), 2, "conv2d")


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None):  # noqa: A002
    """1-D convolution: ``input`` ``(N, W, C)``, ``filters`` ``(k, C, F)`` -> ``(N, W', F)``."""
    _check_format(data_format, ("NWC",), "conv1d")
    return _conv(input, filters, _per_axis(stride, 1, "stride", "conv1d"), padding,
                 _per_axis(dilations, 1, "dilations", "conv1d"), 1, "conv1d")


def convolution(input, filters, strides=None, padding="VALID", data_format=None, dilations=None, name=None):  # noqa: A002
    """N-d convolution, its rank from ``filters`` (``tf.nn.convolution``)."""
    rank = np.ndim(filters) - 2
    _check_format(data_format, ({1: "NWC", 2: "NHWC", 3: "NDHWC"}.get(rank, "NHWC"),), "convolution")
    return _conv(input, filters, _per_axis(strides, rank, "strides", "convolution"), padding,
                 _per_axis(dilations, rank, "dilations", "convolution"), rank, "convolution")


def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None, name=None):  # noqa: A002
    """Each input channel ``c`` convolved with its own ``M`` filters ``filter[:, :, c, :]``:
    ``(N, H, W, C)`` and ``(kh, kw, C, M)`` -> ``(N, H', W', C * M)`` (channel ``c * M + m``).
    ``strides`` is TensorFlow's four ints ``[1, s, s, 1]``."""
    _check_format(data_format, ("NHWC",), "depthwise_conv2d")
    if len(np.atleast_1d(strides)) != 4:
        raise ValueError(f"depthwise_conv2d: strides must be 4 ints [1, sh, sw, 1], got {strides!r}")
    return _conv(input, filter, _per_axis(strides, 2, "strides", "depthwise_conv2d"), padding,
                 _per_axis(dilations, 2, "dilations", "depthwise_conv2d"), 2, "depthwise_conv2d", depthwise=True)


def _pool(x, ksize, strides, padding, data_format, rank, op, kind):
    x = _tensor(x, "input")
    if rank is None:
        rank = x.ndim - 2
        if rank not in (1, 2, 3):
            raise ValueError(f"{op}: input must have 3, 4 or 5 dimensions, got shape {tuple(x.shape)}")
    if x.ndim != rank + 2:
        raise ValueError(f"{op}: input must have {rank + 2} dimensions, got shape {tuple(x.shape)}")
    _check_format(data_format, ({1: "NWC", 2: "NHWC", 3: "NDHWC"}[rank],), op)
    kernel = _per_axis(ksize, rank, "ksize", op)
    steps = _per_axis(strides, rank, "strides", op)
    pads = _pads(padding, x.shape[1:-1], kernel, steps, (1,) * rank, op, explicit=False)
    windows, valid = _windows(x, kernel, steps, (1,) * rank, pads, op)
    axes = tuple(range(1 + rank, 1 + 2 * rank))
    if kind == "max":
        if not valid.all():
            windows = vjps.where(np.broadcast_to(valid, windows.shape), windows, np.array(-np.inf, x.dtype))
        return vjps.max(windows, axis=axes)
    total = vjps.sum(windows * valid.astype(x.dtype) if not valid.all() else windows, axis=axes)
    count = np.sum(np.broadcast_to(valid, valid.shape[:1 + rank] + kernel + (1,)), axis=axes).astype(x.dtype)
    return total / count                                       # TensorFlow counts only the real entries


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """The largest entry of each ``ksize`` window (``(N, H, W, C)``)."""
    return _pool(input, ksize, strides, padding, data_format, 2, "max_pool2d", "max")


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """The mean of each ``ksize`` window, over its real entries only (TensorFlow's SAME)."""
    return _pool(input, ksize, strides, padding, data_format, 2, "avg_pool2d", "avg")


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    return _pool(input, ksize, strides, padding, data_format, 1, "max_pool1d", "max")


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    return _pool(input, ksize, strides, padding, data_format, 1, "avg_pool1d", "avg")


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """:func:`max_pool2d` and its 1-D and 3-D siblings, chosen by the input's rank."""
    return _pool(input, ksize, strides, padding, data_format, None, "max_pool", "max")


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """:func:`avg_pool2d` and its 1-D and 3-D siblings, chosen by the input's rank."""
    return _pool(input, ksize, strides, padding, data_format, None, "avg_pool", "avg")


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Each entry kept with probability ``1 - rate`` and scaled by ``1 / (1 - rate)``, else 0
    (``noise_shape`` broadcasts one draw over axes of size 1). The draws are glassnet's
    (``keras.utils.set_random_seed``, or ``seed``), not TensorFlow's numbers."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating, np.integer)) or not 0 <= rate < 1:
        raise ValueError(f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate={rate}")
    x = _tensor(x, "x")
    if rate == 0:
        return x * np.ones((), x.dtype)
    from ..utils import rng
    shape = tuple(x.shape) if noise_shape is None else tuple(int(n) for n in np.asarray(noise_shape).tolist())
    gen = np.random.default_rng(seed) if seed is not None else rng()
    keep = (gen.random(shape) >= rate).astype(x.dtype) * x.dtype.type(1.0 / (1.0 - rate))
    return x * keep


from .tensor import accept_symbolic  # noqa: E402

accept_symbolic(globals(), __all__)     # on a functional model's tensors: a Lambda node, as the rest of tf.nn
