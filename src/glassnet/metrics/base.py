"""The base of every metric: ``Metric`` (a total and a count, Keras's reduction of a batch to
one value per sample), ``Mean`` and ``Sum``."""
from __future__ import annotations

import numpy as np

from ..tf.tensor import wrap
from ..utils import snake_case


def _array(value, name: str) -> np.ndarray:
    """A metric's input (array, list, Tensor, Variable, number) as a plain array of numbers."""
    if hasattr(value, "store_in") and hasattr(value, "numpy"):         # a glassnet Variable
        value = value.numpy()
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype} ({type(value).__name__})")
    return arr.view(np.ndarray)


def same_rank(a: np.ndarray, b: np.ndarray):
    """Keras's ``squeeze_or_expand_to_same_rank``: when ranks differ by one and the larger has
    a last axis of 1, a rank-1 partner gains that axis; otherwise the larger loses it."""
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        return (a, b[..., None]) if b.ndim == 1 else (a[..., 0], b)
    if b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        return (a[..., None], b) if a.ndim == 1 else (a, b[..., 0])
    return a, b


def _mean_after(x: np.ndarray, axis: int) -> np.ndarray:
    return x.mean(axis=tuple(range(axis, x.ndim))) if x.ndim > axis else x


class Metric:
    """Base class: a weighted mean of per-sample values ``values(y_true, y_pred)``."""

    _python_results = False      # True: result() is a Python number (the training loop's logs)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # glassnet's own metrics outside this package (the engine's per-output loss means) are
        # read by the training loop only: they hand it Python numbers, as compiled metrics do
        module = cls.__module__ or ""
        if module.startswith("glassnet.") and not module.startswith("glassnet.metrics"):
            cls._python_results = True

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.dtype = _dtype_name(dtype) if dtype else "float32"     # Keras 3: the name ('float64'), not a DType
        Metric.reset_state(self)        # a subclass's own reset_state may need what its __init__ makes next

    def add_weight(self, shape=(), initializer="zeros", dtype=None, aggregation="sum", name=None):
        """A state variable for a metric of your own (Keras's ``self.add_weight(name="tp",
        initializer="zeros")``, then ``self.tp.assign_add(...)`` in ``update_state``): a
        non-trainable Variable, printed as Keras prints a metric's variable."""
        from .. import initializers
        from ..tf.variable import Variable
        dtype = dtype or self.dtype
        value = np.asarray(initializers.get(initializer)(tuple(shape), dtype), dtype)
        name = name or "variable"
        return Variable.holding(value, name, trainable=False, path=f"{self.name}/{name}")

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum", name=None):
        """Keras 3's spelling of :meth:`add_weight` (the built-in-methods guide's
        ``self.add_variable(shape=(), name="ctp", initializer="zeros")``)."""
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype, aggregation=aggregation, name=name)

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def _sums_type(self):
        """The type of the running sums and the result: the metric's dtype (float32 unless given),
        as Keras keeps its variables; float64 for the training loop's metrics."""
        if self._python_results:
            return np.float64
        try:
            kind = np.dtype(self.dtype)
        except TypeError:
            return np.float32
        return kind.type if kind.kind == "f" else np.float32

    def values(self, y_true, y_pred):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        mask = getattr(y_pred, "_keras_mask", None)      # a sequence output's padding: those steps count nothing
        y_true, y_pred = _array(y_true, "y_true"), _array(y_pred, "y_pred")
        values = self.values(y_true, y_pred)
        if mask is not None:                             # (Keras 3: the mask joins sample_weight)
            from ..losses import mask_weights  # noqa: PLC0415 - deferred, as the engine's checks below
            sample_weight = mask_weights(mask, np.shape(values), "sum", sample_weight, np.float64)
        self._add(values, sample_weight)

    def _add(self, values, sample_weight) -> None:
        """Keras's reduction (``reduce_to_samplewise_values``, then ``Mean``): a weight per
        sample (or per entry) scales the values, whose mean per sample joins ``total``; the
        weights' own per-sample mean joins ``count``. Unweighted, each sample counts 1 (a
        batch reduced to a single number counts 1). Used directly, the sums are float32 as
        Keras keeps them (so ``print(m.result())`` shows Keras's last digit); the training
        loop's metrics keep float64 sums."""
        dtype = self._sums_type()
        values = np.asarray(values, dtype)
        if sample_weight is None:
            values = _mean_after(values, 1)
            total, count = np.sum(values), dtype(values.shape[0] if values.ndim else 1)
        else:
            from ..engine import checks as _checks       # deferred: the engine imports this package
            w = _checks.weight_values(_checks.to_array(sample_weight, "sample_weight").astype(np.float64),
                                      "sample_weight").astype(dtype)
            values, w = same_rank(values, w)
            values = _mean_after(values, w.ndim)
            try:
                w = np.broadcast_to(w, values.shape)
            except ValueError:
                raise ValueError(f"{self.name}: sample_weight has shape {np.shape(sample_weight)}, which does "
                                 f"not line up with the values of shape {values.shape} (one per sample, "
                                 "or one number for the batch)") from None
            values = _mean_after(values * w, 1)
            total, count = np.sum(values), np.sum(_mean_after(w, 1))
        if self._python_results:
            self.total += float(total)
            self.count += float(count)
        else:
            self.total, self.count = dtype(self.total) + dtype(total), dtype(self.count) + dtype(count)

    def _value(self):
        """The result as a Python number (a list for several thresholds); float32 arithmetic
        for a metric used directly, as Keras's."""
        if not self.count:
            return 0.0
        return float(self.total / self.count)

    def result(self):
        """The value so far: a float32 Tensor, as Keras returns it (``.numpy()``, ``float()``,
        ``f"{m.result():.3%}"`` all work); a Python number for a metric resolved by ``compile``."""
        value = self._value()
        return value if self._python_results else wrap(np.asarray(value, self._sums_type()))

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Keras's ``metric(y, p)``: add the batch, then the result so far (``reset_state``
        starts over; a new metric object gives one batch's value)."""
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def merge_state(self, metrics) -> None:
        """Add the counts of other metrics of the same class (TensorFlow 2's ``merge_state``):
        the result is then that of every batch they and this one have seen."""
        for other in metrics:
            if type(other) is not type(self):
                raise ValueError(f"{self.name}: merge_state takes metrics of class {type(self).__name__}, "
                                 f"got {type(other).__name__}")
            self._merge(other)

    def _merge(self, other) -> None:
        self.total += other.total
        self.count += other.count

    def reset_states(self) -> None:
        """TensorFlow 2's older name of :meth:`reset_state`."""
        self.reset_state()

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"           # Keras 3's: <Accuracy name=accuracy>


class Mean(Metric):
    """The running (weighted) mean of the values given: ``train_loss = Mean(); train_loss(loss)``
    each step, ``train_loss.result()`` at the epoch's end, as custom training loops keep it.
    A batch of values counts its samples (its first axis); a single number counts one."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, values, sample_weight=None) -> None:
        self._add(_array(values, "values"), sample_weight)

    def __call__(self, values, sample_weight=None):
        self.update_state(values, sample_weight)
        return self.result()


class Sum(Metric):
    """The running (weighted) sum of the values given (``keras.metrics.Sum``)."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, values, sample_weight=None) -> None:
        dtype = self._sums_type()
        values = _array(values, "values").astype(dtype)
        if sample_weight is not None:
            from ..engine import checks as _checks       # deferred: the engine imports this package
            w = _checks.weight_values(_checks.to_array(sample_weight, "sample_weight").astype(np.float64),
                                      "sample_weight").astype(dtype)
            values, w = same_rank(values, w)
            w = w.reshape(w.shape + (1,) * max(values.ndim - w.ndim, 0))      # one weight per sample
            try:
                values = values * np.broadcast_to(w, values.shape)
            except ValueError:
                raise ValueError(f"{self.name}: sample_weight has shape {np.shape(sample_weight)}, which does "
                                 f"not line up with the values of shape {values.shape}") from None
        self.total = dtype(self.total) + np.sum(values)

    def __call__(self, values, sample_weight=None):
        self.update_state(values, sample_weight)
        return self.result()

    def _value(self):
        return float(self.total)


def _dtype_name(dtype):
    """A dtype given as a name, a NumPy dtype or a tf.DType, as its name (``tf.float64`` ->
    ``'float64'``); anything NumPy does not know is kept as given."""
    try:
        return np.dtype(getattr(dtype, "as_numpy_dtype", dtype)).name
    except TypeError:
        return dtype
