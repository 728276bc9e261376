"""Preprocessing layers: their numbers come from the data (``adapt``), not from gradients.

``Normalization`` standardizes each feature with the mean and variance it learned::

    adapt:     mean = mean of X over the samples      variance = mean of (X - mean)**2
    forward:   s = max(sqrt(variance), epsilon)       Y = (X - mean) / s
    backward:  dX = dY / s                            (mean and variance get no gradient)

``invert=True`` turns the formula around (``Y = mean + X * s``, ``dX = dY * s``).

>>> import numpy as np, glassnet
>>> norm = glassnet.layers.Normalization(axis=-1)
>>> norm.adapt(np.array([[0., 7.], [2., 9.]]))
>>> norm(np.array([[0., 7.]]))
<tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[-1., -1.]], dtype=float32)>
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..tf.tensor import wrap
from .base import Layer


def _axis_tuple(axis) -> tuple:
    if axis is None:
        return ()
    items = (axis,) if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool) else axis
    try:
        items = tuple(items)
    except TypeError:
        items = None
    if items is None or not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in items):
        raise ValueError(f"Normalization: axis must be an integer, a tuple of integers or None, got {axis!r}")
    return tuple(int(a) for a in items)


def _sample_shape(ds):
    """The shape of a dataset's element (of its x, for (x, y) pairs), None when unknown."""
    try:
        spec = ds.element_spec
    except ValueError:                      # empty: nothing to read either way
        return None
    spec = spec[0] if isinstance(spec, tuple) else spec
    return tuple(spec.shape) if hasattr(spec, "shape") else None


def _sample_rank(ds) -> int:
    shape = _sample_shape(ds)
    return -1 if shape is None else len(shape)


def _numbers(value, what):
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"Normalization: {what} must be a number or an array of numbers, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"Normalization: {what} must be finite, got {value!r}")
    return arr


def _tf_sum(v: np.ndarray) -> np.float32:
    """A float32 vector's sum in TensorFlow's CPU order (Eigen's inner-most reduction, 8-wide packets):
    four packet accumulators over blocks of 32, the packets left into the first, the accumulators
    added ((0+1)+2)+3, their lanes halved 8 -> 4 -> 2 -> 1 (checked against TF 2.21 on 30 vectors), and the last n % 8 summed on their own
    and added at the end; over 1024 values, the two halves (cut at a packet) summed so and added."""
    n = len(v)
    if n > 1024:
        cut = 8 * -(-(n // 2) // 8)
        return np.float32(_tf_sum(v[:cut]) + _tf_sum(v[cut:]))
    acc = np.zeros((4, 8), np.float32)
    whole = n // 32 * 32
    for block in v[:whole].reshape(-1, 4, 8):
        acc += block
    packets = n // 8 * 8
    for start in range(whole, packets, 8):
        acc[0] += v[start:start + 8]
    lanes = ((acc[0] + acc[1]) + acc[2]) + acc[3]
    while len(lanes) > 1:
        lanes = lanes[:len(lanes) // 2] + lanes[len(lanes) // 2:]
    tail = np.float32(0)
    for value in v[packets:]:
        tail = np.float32(tail + value)
    return np.float32(tail + lanes[0])


def _batch_moments(x: np.ndarray, reduce: tuple):
    """One float32 batch's mean and variance as Keras's adapt computes them on TensorFlow (reduce_mean,
    then reduce_variance = the mean of (x - mean)^2): for one feature, each sum in TensorFlow's order
    (``_tf_sum``), so the numbers are Keras's to the bit; otherwise NumPy's, within float32 of them."""
    kept = [d for d in range(x.ndim) if d not in reduce]
    if any(x.shape[d] != 1 for d in kept):
        return np.mean(x, axis=reduce), np.var(x, axis=reduce)
    flat = x.reshape(-1)
    n = np.float32(flat.size)
    mean = np.float32(_tf_sum(flat) / n)
    var = np.float32(_tf_sum(np.square(flat - mean)) / n)
    shape = tuple(x.shape[d] for d in kept)
    return np.full(shape, mean, np.float32), np.full(shape, var, np.float32)


class Normalization(Layer):
    """Standardizes features: ``(x - mean) / max(sqrt(variance), epsilon)``, per index of ``axis``.

    The mean and (population) variance are learned by ``adapt(data)`` over every axis not in
    ``axis`` (by default: one pair per column), or given as ``mean=`` and ``variance=``.
    Learned values are non-trainable weights, as in Keras: ``mean`` and ``variance`` (shape
    ``(features,)``) and ``count`` (an int64 scalar Keras 3 keeps at 0, for old files), so
    ``get_weights()`` and saved files have Keras's layout. Given values are not weights: they
    go into the config. ``invert=True`` undoes a normalization: ``mean + x * sqrt(variance)``.

    >>> import numpy as np, glassnet
    >>> X = np.array([[200., 14.], [250., 15.], [180., 13.]])        # temperature, duration
    >>> norm = glassnet.layers.Normalization(axis=-1)
    >>> norm.adapt(X)
    >>> norm.get_weights()[0]                                        # the mean of each column
    array([210.,  14.], dtype=float32)
    >>> print(glassnet.layers.Normalization(mean=3.0, variance=4.0)(np.array([[5.0]])))
    tf.Tensor([[1.]], shape=(1, 1), dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axis_tuple(axis)
        if not isinstance(invert, (bool, np.bool_)):
            raise ValueError(f"Normalization: invert must be True or False, got {invert!r}")
        self.invert = bool(invert)
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: give both mean and variance, or neither (and call adapt); "
                             f"got mean={mean!r}, variance={variance!r}")
        if mean is not None:
            m, v = _numbers(mean, "mean"), _numbers(variance, "variance")
            if m.shape != v.shape:
                raise ValueError(f"Normalization: mean and variance must have the same shape, got {m.shape} and {v.shape}")
            if m.ndim > len(self.axis):
                raise ValueError(f"Normalization: mean has {m.ndim} dimensions but axis={axis!r} keeps "
                                 f"{len(self.axis)}; give one value per kept index")
            if np.any(v < 0):
                raise ValueError(f"Normalization: variance must be >= 0, got {variance!r}")
        self.input_mean, self.input_variance = mean, variance
        self.adapt_mean = self.adapt_variance = self.count = None     # weights, made in build
        self._given = None                   # (mean, variance) in broadcast shape, when given
        self._adapted = mean is not None

    # -- building ---------------------------------------------------------------------------
    def _keep_axes(self, input_shape) -> tuple:
        """The axes with their own mean and variance, as non-negative indices (sorted)."""
        ndim = len(input_shape)
        bad = [a for a in self.axis if not -ndim <= a < ndim]
        if bad:
            raise ValueError(f"Normalization {self.name!r}: axis={self.axis} does not fit inputs of shape "
                             f"{tuple(input_shape)} ({ndim} dimensions, so axes -{ndim}..{ndim - 1})")
        keep = tuple(sorted({a % ndim for a in self.axis}))
        if 0 in keep:
            raise ValueError(f"Normalization {self.name!r}: axis={self.axis} keeps axis 0, the samples; "
                             "use axis=-1 (one mean per feature) or axis=None (one for everything)")
        for d in keep:
            if input_shape[d] is None:
                raise ValueError(f"Normalization {self.name!r}: the size of kept axis {d} must be known, "
                                 f"got input shape {tuple(input_shape)}")
        return keep

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        keep = self._keep_axes(input_shape)
        self._keep_axis = keep
        self._reduce_axis = tuple(d for d in range(len(input_shape)) if d not in keep)
        self._broadcast_shape = tuple(input_shape[d] if d in keep else 1 for d in range(len(input_shape)))
        self._build_input_shape = input_shape
        self._mean_shape = shape = tuple(input_shape[d] for d in keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(shape, "zeros", "mean", trainable=False)
            self.adapt_variance = self.add_weight(shape, "ones", "variance", trainable=False)
            self.count = self.add_weight((), "zeros", "count", trainable=False, dtype="int64")
        else:                                # Keras lines the given values up with the kept axes, from the right
            dtype = self.dtype or config.floatx()
            m, v = np.asarray(self.input_mean, np.float64), np.asarray(self.input_variance, np.float64)
            lined_up = [1] * len(input_shape)
            for i in range(1, m.ndim + 1):
                lined_up[keep[-i]] = m.shape[-i]
            try:
                self._given = tuple(np.broadcast_to(a.reshape(lined_up), self._broadcast_shape).astype(dtype)
                                    for a in (m, v))
            except ValueError:
                raise ValueError(f"Normalization {self.name!r}: mean and variance of shape {m.shape} do not fit "
                                 f"the kept axes {keep} of inputs shaped {input_shape}") from None
        self.built = True

    def _check_shape(self, shape, what):
        if not self._keep_axis:             # axis=None: one mean and variance, for any shape
            return
        want = self._build_input_shape
        # an input of higher rank broadcasts against the mean as Keras's does (the tutorials' (batch,
        # 1, 5) stack of pandas columns through a layer adapted on (batch, 5)): its last axes line up
        extra = len(shape) - len(want) if what == "input" and len(shape) > len(want) else 0
        if len(shape) != len(want) + extra or any(shape[d + extra] != want[d] for d in self._keep_axis):
            axis = "None" if not self.axis else self.axis[0] if len(self.axis) == 1 else self.axis
            raise ValueError(f"Normalization {self.name!r} was built for inputs shaped {want} (axis={axis}: "
                             f"its mean has shape {self._mean_shape}); the {what} has shape {tuple(shape)}")

    def compute_output_shape(self, input_shape):
        if self.built:
            self._check_shape(tuple(input_shape), "input")
        return tuple(input_shape)

    # -- learning from data -------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the mean and population variance of ``data`` over all axes but ``axis``.

        ``data``: an array (or anything ``numpy.asarray`` takes: a list, a DataFrame), a list
        of arrays (the batches), or a ``glassnet.data.Dataset`` as Keras 3 takes one: batched
        or not, of arrays or of ``(x, y)`` pairs (``x`` is used). A dataset whose elements are
        single samples of features (rank 1) is read 128 at a time, as Keras does; every other
        element is a batch. The batches count as one array (their statistics are combined
        exactly). ``steps`` (Keras 2's): only the first batches of a dataset; ``batch_size``
        (Keras 2's) changes nothing. Call it again to relearn from new data; a refused call
        leaves the layer as it was.
        """
        from .categorical import _batches  # noqa: PLC0415 - the one "each batch of the data" helper
        if self.input_mean is not None:
            raise ValueError(f"Normalization {self.name!r} was given mean and variance; adapt would "
                             "overwrite them. Make the layer without them to learn them from data")
        if batch_size is not None or steps is not None:
            from ..keras.legacy import note  # noqa: PLC0415 - keras/ imports the layers
            note("Normalization.adapt(batch_size=, steps=)", "Normalization.adapt(batch_size=..., steps=...) "
                 "is Keras 2's; Keras 3's adapt takes the data alone (take(steps) on the dataset)")
            if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                           or batch_size < 1):
                raise ValueError("Normalization.adapt: batch_size must be a positive integer or None, "
                                 f"got {batch_size!r}")
        from ..data.dataset import Dataset  # noqa: PLC0415
        if isinstance(data, Dataset) and self.axis and _sample_rank(data) == 1:
            if _sample_shape(data)[0] is None:
                raise ValueError("Normalization.adapt: the dataset's elements have shape (None,), so the features' "
                                 f"axis {self.axis} has no known size (Keras neither adapts on it): use axis=None "
                                 "for one mean over every number, or ds.map(lambda x: tf.expand_dims(x, -1))")
            data = data.batch(128)          # single samples: Keras reads them 128 at a time
        stats = None                        # (shape of the first batch, samples, mean, variance) so far
        for batch in _batches(data, "Normalization.adapt", steps):
            x = self._adapt_array(batch, data)
            if stats is None:
                shape = (None,) + x.shape[1:]
                if self.built:
                    self._check_shape(shape, "adapt data")
                keep = self._keep_axes(shape)
                reduce = tuple(d for d in range(len(shape)) if d not in keep)
            elif x.ndim != len(shape) or any(x.shape[d] != shape[d] for d in keep):
                raise ValueError(f"Normalization.adapt: the batches differ in shape: {tuple(shape)} first, then "
                                 f"{x.shape} (every batch needs the same sizes on the kept axes {keep})")
            if x.size == 0:
                continue
            n = x.size // int(np.prod([x.shape[d] for d in keep])) if keep else x.size
            if batch is data:               # one array: in its own float type (integers: float64), as Keras
                stats = (shape, n, np.mean(x, axis=reduce), np.var(x, axis=reduce))
                continue
            # batches (a Dataset, a list): Keras's running update, each batch in float32 (its compute dtype):
            #   w = n / (seen + n);  m = m0 (1 - w) + mean w;  v = (v0 + (m0 - m)^2)(1 - w) + (var + (mean - m)^2) w
            x = x.astype(np.float32)
            mean, var = _batch_moments(x, reduce)
            if stats is None or stats[1] == 0:
                m0 = v0 = np.zeros_like(mean)
                seen = 0
            else:
                _, seen, m0, v0 = stats
            total = seen + n
            w = float(n) / total
            m = m0 * (1.0 - w) + mean * w
            stats = (shape, total, m, (v0 + (m0 - m) ** 2) * (1.0 - w) + (var + (mean - m) ** 2) * w)
        if stats is None or stats[1] == 0:
            raise ValueError(f"Normalization.adapt: data needs at least one sample, got "
                             f"{'no batches' if stats is None else 'only empty batches'}")
        shape, _, mean, var = stats
        if not self.built:
            self.build_from_shape(shape)
        self.adapt_mean.assign(mean)
        self.adapt_variance.assign(var)
        self._adapted = True

    def _adapt_array(self, batch, data) -> np.ndarray:
        """One batch of adapt's data as an array of finite numbers (else a ValueError)."""
        if isinstance(batch, dict):
            raise ValueError("Normalization.adapt: the dataset's elements are dicts of features; adapt on one "
                             "array: ds.map(lambda x, y: x['name']) (Keras neither takes a dict)")
        if isinstance(batch, (list, tuple)) and batch and all(hasattr(b, "shape") for b in batch):
            batch = np.concatenate([np.asarray(b) for b in batch], axis=0)
        try:
            x = np.asarray(batch)
            if x.dtype == object:               # numbers beside booleans (a DataFrame with one-hot columns)
                from ..engine import checks as _checks  # noqa: PLC0415 - _checks is imported after the layers
                x = _checks.to_array(x, "Normalization.adapt data")
        except (TypeError, ValueError):
            x = None
        if x is None or x.dtype.kind not in "fiub":
            what = type(data).__name__ if batch is data else f"a {type(data).__name__} of {type(batch).__name__}"
            raise ValueError(f"Normalization.adapt: data must be an array of numbers, got {what}")
        x = x.view(np.ndarray)
        if x.ndim == 0 or (x.shape[0] == 0 and batch is data):
            hint = " (a dataset of single numbers: batch it, ds.batch(32))" if batch is not data else ""
            raise ValueError(f"Normalization.adapt: data needs at least one sample, got shape {x.shape}{hint}")
        if not np.all(np.isfinite(x)):
            raise ValueError("Normalization.adapt: data contains NaN or inf; its mean would be meaningless")
        return x

    def set_weights(self, weights) -> None:
        super().set_weights(weights)
        self._adapted = True

    @property
    def mean(self):
        """The mean in broadcast shape, e.g. ``(1, features)``, as Keras (None before build);
        a Tensor, so ``normalizer.mean.numpy()`` works as in TensorFlow."""
        return wrap(self._arrays()[0].copy()) if self.built else None

    @property
    def variance(self):
        """The variance in broadcast shape, e.g. ``(1, features)`` (None before build); a Tensor."""
        return wrap(self._arrays()[1].copy()) if self.built else None

    def _arrays(self):
        if self._given is not None:
            return self._given
        return (self.adapt_mean.value.reshape(self._broadcast_shape),
                self.adapt_variance.value.reshape(self._broadcast_shape))

    def mean_and_scale(self):
        """``(mean, s)`` as forward uses them: ``s = max(sqrt(variance), epsilon)``."""
        if not self._adapted:        # adapt() or set_weights() (a model's, a loaded file's) sets it
            raise ValueError(
                f"Normalization {self.name!r} has not learned its mean and variance: call its "
                "adapt(X) with the training data first (norm_l.adapt(X)), or give mean= and "
                "variance=. Keras would quietly use mean 0 and variance 1, i.e. not normalize")
        mean, variance = self._arrays()
        return mean, np.maximum(np.sqrt(variance), np.asarray(config.epsilon(), variance.dtype))

    # -- the two halves -------------------------------------------------------------------
    def forward(self, x, training=False):
        self._check_shape(x.shape, "input")
        mean, s = self.mean_and_scale()          # s = max(sqrt(variance), epsilon), as Keras
        self._scale = s
        return mean + x * s if self.invert else (x - mean) / s

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None                           # mean and variance are not trained
        return grad * self._scale if self.invert else grad / self._scale      # dX = dY / s

    def call_ops(self, x, training=False):
        """The same, as recorded tf operations (nested tapes); mean and scale are constants."""
        self._check_shape(tuple(x.shape), "input")
        mean, s = self.mean_and_scale()
        self._scale = s
        return mean + x * s if self.invert else (x - mean) / s

    def to_onnx(self, g, x):
        mean, s = self.mean_and_scale()       # s = max(sqrt(variance), epsilon), as forward uses
        mean, s = g.initializer("mean", mean), g.initializer("scale", s)
        if self.invert:                        # mean + x s
            return g.node("Add", [mean, g.node("Mul", [x, s])])
        return g.node("Div", [g.node("Sub", [x, mean]), s])                        # (x - mean) / s

    # -- config -----------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(), "variance": np.array(self.input_variance).tolist()}
