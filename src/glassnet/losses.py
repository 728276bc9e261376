"""Losses: each one's value and, right under it, its gradient with respect to ``y_pred``.

A loss has two halves:

* ``call(y_true, y_pred)`` -> one value per sample (Keras: mean over the last axis);
* ``gradient(y_true, y_pred)`` -> ``dL_i/dy_pred``, same shape as ``y_pred``.

``loss(y_true, y_pred, sample_weight)`` reduces the per-sample values as Keras does:
``sum(w_i * L_i) / N`` ("sum_over_batch_size"), so the model's output gradient is
``gradient * w_i / N``.

Declared shortcut. With the TensorFlow backend, Keras computes a cross-entropy from the
*logits* when the output comes straight from a sigmoid (softmax) layer, even though
``from_logits=False`` (``keras/src/backend/tensorflow/nn.py``, ``_get_logits``). glassnet
does the same, but only where the loss says so: ``fuses_with(activation)`` is True for
BinaryCrossentropy + sigmoid and (Sparse)CategoricalCrossentropy + softmax, and then the
model calls ``call_from_logits(y, z)`` / ``gradient_from_logits(y, z, a)``, whose
gradient ``dL/dz = a - y`` (times ``sum(y)`` for soft labels) is exactly the chain rule
through the activation, written out. No clipping is involved there.

A loss of your own subclasses :class:`Loss` and supplies both halves:

>>> import numpy as np
>>> class Quartic(Loss):
...     def call(self, y_true, y_pred):
...         return np.mean((y_pred - y_true) ** 4, axis=-1)
...     def gradient(self, y_true, y_pred):
...         return 4 * (y_pred - y_true) ** 3 / y_pred.shape[-1]
>>> float(Quartic()(np.array([[0.0]]), np.array([[2.0]])))
16.0
"""
from __future__ import annotations

import numpy as np

from . import activations as _act
from . import config
from .tf import tape
from .registry import Family
from .tf.tensor import Tensor, convert_to_tensor, wrap
from .utils import snake_case

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight")


def align(y_true, y_pred):
    """Keras's ``squeeze_or_expand_to_same_rank``: ``(N,)`` labels against ``(N, 1)`` outputs."""
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape + (1,))
    elif y_pred.ndim == y_true.ndim - 1 and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    return y_true


class Loss:
    """Base class. Subclasses implement ``call`` and ``gradient``."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: reduction must be one of "
                f"{', '.join(repr(r) for r in _REDUCTIONS)}; got {reduction!r}"
            )
        computes_in = compute_dtype(dtype)
        self.name = name or snake_case(type(self).__name__)
        self.reduction = reduction
        self.dtype = computes_in             # Keras's Loss.dtype: the name of the type it computes in

    # -- the two halves a loss supplies ---------------------------------------------
    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def gradient(self, y_true, y_pred):
        """``dL_i/dy_pred``. A loss of your own that writes only ``call`` (Keras's way) gets it from
        the tape: ``call`` runs on ``y_pred`` as a watched Tensor, each operation recorded, and the
        record is run back (the gradient of the sum of its values; of the value, for a loss that
        gives one number per batch)."""
        if type(self).call is Loss.call:
            raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")
        from .tf.tape import GradientTape  # noqa: PLC0415 - the tape records losses: it imports this module
        p = wrap(np.array(y_pred, dtype=np.asarray(y_pred).dtype))
        with GradientTape() as recorder:
            recorder.watch(p)
            values = self.call(y_true, p)
        grad = recorder.gradient(values, p)
        return np.zeros_like(np.asarray(p)) if grad is None else np.asarray(grad)

    def value_and_gradient(self, y_true, y_pred):
        """``call`` and ``gradient`` together; a loss may override it to share the work."""
        return self.call(y_true, y_pred), self.gradient(y_true, y_pred)

    # -- the declared shortcut (see module docstring) ----------------------------------
    def fuses_with(self, activation) -> bool:
        return False

    # -- the formulas as text (shown by explain) ---------------------------------------
    def formula(self, width: int) -> list[str]:
        """``L(f(x), y)`` written out, for ``width`` outputs per sample."""
        return [f"L(f(x), y) = {type(self).__name__}.call(y, f(x))    (one value per sample)"]

    def gradient_formula(self, width: int) -> str:
        """``dJ/dA`` of the batch's cost, written out (no shortcut)."""
        return f"{type(self).__name__}.gradient(Y, A) / m"

    def shortcut_formula(self, width: int, a: str = "A") -> str:
        """``dJ/dZ`` of the batch's cost through the declared shortcut (see ``fuses_with``),
        written out with ``a`` for the output; only asked of a loss that fuses."""
        return f"{type(self).__name__}.gradient_from_logits(Y, Z, {a}) / m"

    # -- the labels this loss takes (fit, evaluate and train_on_batch check them first) -----
    def check_labels(self, y, name: str = "y", output_shape=None) -> np.ndarray:
        """``y`` checked against this loss and the model's output shape (``(None, ...)``; None
        when unknown), in the form ``call`` takes; a ValueError names ``name`` and the first
        offending position. ``y`` is an array that passed the checks every loss shares
        (numbers, at least one sample, no NaN or Inf: ``glassnet.engine.checks.labels``).

        The rule here, for a loss of your own too: one number per output, so each sample's
        label has the output's shape (``(N,)`` labels for one output unit become ``(N, 1)``),
        as ``floatx``. A loss with other rules overrides this method.

        >>> import numpy as np
        >>> MeanSquaredError().check_labels(np.array([1, 2]), "y", (None, 1)).tolist()
        [[1.0], [2.0]]
        >>> MeanSquaredError().check_labels(np.array([1, 2]), "y", (None, 3))
        Traceback (most recent call last):
        ...
        ValueError: y has shape (2,), but the model's output has shape (None, 3): each sample's label must have shape (3,).
        >>> MeanSquaredError().check_labels(np.zeros((2, 5, 3)), "y", (None, None, 3)).shape   # None: any length
        (2, 5, 3)
        """
        from .engine import checks as _checks
        arr = original = np.asarray(y)
        with np.errstate(over="ignore", invalid="ignore"):
            arr = np.ascontiguousarray(arr, dtype=config.floatx())
        _checks.check_finite(arr, name, original=original if original.dtype != arr.dtype else None)
        if output_shape is None:
            return arr
        width = output_shape[-1]
        if arr.ndim == len(output_shape) - 1 and width == 1:
            arr = arr.reshape(arr.shape + (1,))
        want = tuple(output_shape[1:])
        if len(arr.shape[1:]) != len(want) or any(w is not None and w != g for g, w in zip(arr.shape[1:], want)):
            raise ValueError(
                f"{name} has shape {arr.shape}, but the model's output has shape "
                f"{tuple(output_shape)}: each sample's label must have shape "
                f"{tuple(output_shape[1:])}.{self.label_shape_hint(arr, width)}"
            )
        return arr

    def label_shape_hint(self, y, width) -> str:
        """A sentence added when labels ``y`` do not have the output's shape (``width``
        outputs per sample): what this loss expects instead. None by default."""
        return ""

    def value_and_gradient_from_logits(self, y_true, z, a):
        return self.call_from_logits(y_true, z), self.gradient_from_logits(y_true, z, a)

    # -- reduction ------------------------------------------------------------------
    def prepare(self, y_true, y_pred):
        """Bring labels to the prediction's rank and dtype (sparse losses keep integers)."""
        y_true = np.asarray(y_true)
        if y_true.dtype != y_pred.dtype:
            y_true = y_true.astype(y_pred.dtype)
        return align(y_true, y_pred)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss, computed in ``self.dtype`` as Keras 3 does: both arguments are first
        converted to it (a float64 array, a list, a float16 tensor: to float32 by default), and
        the value is a Tensor of it (``tf.Tensor(0.25, shape=(), dtype=float32)``)."""
        mask = getattr(y_pred, "_keras_mask", None)        # the output's padding (Keras 3 masks the loss)
        dtype = getattr(self, "dtype", None)                # (None: a subclass that skipped __init__)
        dtype = _numpy_dtype(config.floatx() if dtype is None else dtype)
        given = y_pred = _converted(y_pred, dtype)
        if np.asarray(y_true).dtype.kind == "f":          # (integer labels stay integers for the tape)
            y_true = _converted(y_true, dtype)
        y_pred = np.asarray(y_pred)
        values = np.asarray(self.call(self.prepare(y_true, y_pred), y_pred))
        if values.dtype != dtype:            # Keras reduces in the loss's type, whatever call gave
            values = values.astype(dtype)
        if sample_weight is not None:        # called directly: the same rule as fit's weights
            from .engine import checks as _checks
            shape = np.shape(values) if mask is None else np.shape(values)[:max(np.ndim(sample_weight), 1)]
            sample_weight = _checks.loss_weights(sample_weight, shape)      # (with a mask: per sample, or step)
        if mask is not None:
            sample_weight = mask_weights(mask, np.shape(values), self.reduction, sample_weight, values.dtype)
        out = wrap(reduce_values(values, sample_weight, self.reduction))     # loss_fn(y, p).numpy()
        if tape.recording():                 # inside a GradientTape: tape.gradient(out, ...) starts here
            tape.record_loss(self, y_true, given, sample_weight, out, values=values)
        return out

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


def compute_dtype(dtype) -> str:
    """The name of the type a loss computes in (Keras's ``Loss.dtype``): ``floatx()`` for None,
    else the dtype policy's compute dtype (a name, a NumPy or TensorFlow dtype, a
    ``DTypePolicy``; ``"mixed_float16"`` computes in float16). An unknown name is a ValueError.

    >>> compute_dtype(None), compute_dtype("float64"), compute_dtype("mixed_float16")
    ('float32', 'float64', 'float16')
    """
    if dtype is None:
        return config.floatx()
    from .mixed_precision import Policy  # noqa: PLC0415 - it imports the optimizers: only for a dtype given
    return Policy(dtype).compute_dtype


def _numpy_dtype(name) -> np.dtype:
    try:
        return np.dtype(name)
    except TypeError:        # bfloat16: NumPy has none; glassnet computes it in float32 (mixed_precision)
        return np.dtype(np.float32)


def _converted(x, dtype):
    """``x`` as ``dtype`` (Keras's ``convert_to_tensor(x, dtype)``): itself when it is of that
    type already; a Tensor or Variable a GradientTape follows, through a cast the tape records
    (its gradient is cast back, as TensorFlow's); anything else, a NumPy array of ``dtype``."""
    if getattr(x, "dtype", None) == dtype:
        return x
    if tape.recording() and (isinstance(x, Tensor) or hasattr(x, "store_in")):
        return convert_to_tensor(x, dtype=dtype)
    return np.asarray(x, dtype=dtype)


def mask_weights(mask, shape, reduction="sum_over_batch_size", sample_weight=None, dtype=np.float32):
    """A masked loss (Keras 3's ``apply_mask``): the output's mask (``Embedding(mask_zero=True)``
    or ``Masking`` carried to a sequence output) as weights on the loss values of ``shape``::

        w = mask * total / valid      ("sum_over_batch_size": total entries, valid unmasked ones;
                                       0 where every entry is masked)
        w = mask                      ("sum", "mean_with_sample_weight", "none")

    so that ``sum(w * L) / total = sum(mask * L) / valid``: the mean over the unmasked steps,
    and a padded step gets no gradient. A ``sample_weight`` per sample multiplies each of its
    steps (Keras 3.15 refuses that combination with a shape error; Keras 2 weighed it so)."""
    mask = np.asarray(mask, bool)
    while mask.ndim > len(shape) and mask.shape[-1] == 1:
        mask = mask.reshape(mask.shape[:-1])
    if mask.shape != tuple(shape)[:mask.ndim]:            # (a metric's values may keep a last axis of 1)
        raise ValueError(f"The output's mask has shape {mask.shape}, but the loss (or metric) has values of "
                         f"shape {tuple(shape)}: a mask must mark the values' entries (batch, steps)")
    w = mask.astype(dtype)
    if reduction in ("sum_over_batch_size", "mean"):
        valid = w.sum()
        w *= w.dtype.type(w.size / valid) if valid else 0
    if sample_weight is not None:
        sw = np.asarray(sample_weight, dtype)
        while sw.ndim > w.ndim and sw.shape[-1] == 1:
            sw = sw.reshape(sw.shape[:-1])
        w = w * sw.reshape(sw.shape + (1,) * (w.ndim - sw.ndim))
    return w


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weight per-sample values and reduce them as Keras does."""
    values = np.asarray(values)
    if sample_weight is not None:
        sw = np.asarray(sample_weight, dtype=values.dtype)
        while sw.ndim > values.ndim and sw.shape[-1] == 1:
            sw = sw.reshape(sw.shape[:-1])
        values = values * sw
    if reduction == "none" or reduction is None:
        return values
    total = values.sum(dtype=values.dtype)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return total / np.sum(sw)
    return total / max(values.size, 1)


class _ClippedProbabilities:
    """Mixin for the probability forms: clip to ``[eps, 1 - eps]`` as Keras does."""

    @staticmethod
    def _clip(p):
        eps = config.epsilon()
        c = np.clip(p, eps, 1.0 - eps)
        # TF's clip_by_value passes the gradient on the closed interval only.
        inside = (p >= eps) & (p <= 1.0 - eps)
        return c, inside


class BinaryCrossentropy(Loss, _ClippedProbabilities):
    """``L = -mean(y log p + (1 - y) log(1 - p))`` over the last axis, ``p`` clipped to
    ``[1e-7, 1 - 1e-7]``; from logits ``z``: ``max(z, 0) - z y + log(1 + exp(-|z|))``, in
    that order (TensorFlow's).
    Label smoothing ``ls`` replaces ``y`` by ``y (1 - ls) + 0.5 ls``.

    >>> import numpy as np
    >>> round(float(BinaryCrossentropy()(np.array([[1.0]]), np.array([[0.5]]))), 6)   # log 2
    0.693147
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"BinaryCrossentropy: label_smoothing must be in [0, 1], got {label_smoothing}")
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis

    def _smooth(self, y):
        ls = self.label_smoothing
        return y * (1.0 - ls) + 0.5 * ls if ls else y

    def call(self, y_true, y_pred):
        if self.from_logits:
            return self.call_from_logits(y_true, y_pred)
        y = self._smooth(y_true)
        p, _ = self._clip(y_pred)
        return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p), axis=self.axis)

    def gradient(self, y_true, y_pred):
        if self.from_logits:
            return self.gradient_from_logits(y_true, y_pred, _act.sigmoid(y_pred))
        y = self._smooth(y_true)
        p, inside = self._clip(y_pred)
        # d/dp -(y log p + (1-y) log(1-p)) = -y/p + (1-y)/(1-p), zero where p was clipped
        return inside * (-y / p + (1.0 - y) / (1.0 - p)) / y_pred.shape[self.axis]

    def fuses_with(self, activation) -> bool:
        return not self.from_logits and activation is _act.sigmoid

    def call_from_logits(self, y_true, z):
        y = self._smooth(y_true)
        # TensorFlow's order (sigmoid_cross_entropy_with_logits): max(z, 0) - z y first, exact for
        # labels 0 and 1, then the log term, so a confident logit keeps its small loss (z = 20,
        # y = 1: 2.06e-9; added first, 20 + 2.06e-9 - 20 gave 0). log(1 + exp(-|z|)) never
        # overflows; logaddexp would not either but is slower. glassnet.fast.dense and
        # glassnet.fast._numba_epoch make these operations in this order too.
        values = np.maximum(z, 0)
        values -= z * y
        with np.errstate(under="ignore"):
            values += np.log1p(np.exp(-np.abs(z)))
        return _mean_last(values, self.axis)

    def gradient_from_logits(self, y_true, z, a):
        # d/dz [max(z,0) - z y + log(1+exp(-|z|))] = sigmoid(z) - y = a - y
        g = a - self._smooth(y_true)
        g *= 1.0 / z.shape[self.axis]
        return g

    def formula(self, width):
        s = "L(f(x), y) = -y log(f(x)) - (1 - y) log(1 - f(x))"
        if width > 1:
            s += f", averaged over the {width} outputs"
        out = [s]
        if self.label_smoothing:
            out.append(f"  with label smoothing: y <- y (1 - {self.label_smoothing:g}) + 0.5 * {self.label_smoothing:g}")
        return out

    def gradient_formula(self, width):
        if self.from_logits:
            return super().gradient_formula(width)
        c = f" * {width}" if width > 1 else ""
        return f"(-Y / A + (1 - Y) / (1 - A)) / (m{c})"

    def shortcut_formula(self, width, a="A"):
        return f"({a} - Y) / {f'(m * {width})' if width > 1 else 'm'}"

    def check_labels(self, y, name="y", output_shape=None):
        """Labels in [0, 1] (0/1 classes or probabilities), of the output's shape.

        >>> import numpy as np
        >>> BinaryCrossentropy().check_labels(np.array([0, 2]), "y", (None, 1))
        Traceback (most recent call last):
        ...
        ValueError: y has 2 at row 1: BinaryCrossentropy needs labels in [0, 1] (0/1 classes or probabilities). For more than two classes use SparseCategoricalCrossentropy with one output unit per class.
        """
        from .engine.checks import where
        arr = super().check_labels(y, name, output_shape)
        bad = (arr < 0) | (arr > 1)
        if bad.any():
            i = tuple(np.argwhere(bad)[0])
            one_column = output_shape is not None and output_shape[-1] == 1
            raise ValueError(
                f"{name} has {arr[i]:g} at {where(i[:1] if one_column else i)}: BinaryCrossentropy needs "
                "labels in [0, 1] (0/1 classes or probabilities). For more than two classes use "
                "SparseCategoricalCrossentropy with one output unit per class."
            )
        return arr

    def label_shape_hint(self, y, width):
        if y.ndim == 2 and width == 1:
            return " Binary labels are one column of 0/1; for several classes use more output units."
        return ""

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


def _mean_last(values, axis=-1):
    """``np.mean(values, axis)`` without np.mean's Python overhead (it shows in small steps)."""
    n = values.shape[axis]
    out = np.add.reduce(values, axis=axis)
    return out if n == 1 else out * (1.0 / n)


def _renormalised_gradient(g, q, s, axis):
    """Chain rule through ``q = p / sum(p)``: ``dL/dp_k = (g_k - sum_j g_j q_j) / s``."""
    return (g - np.sum(g * q, axis=axis, keepdims=True)) / s


class CategoricalCrossentropy(Loss, _ClippedProbabilities):
    """``L = -sum_j y_j log p_j`` with ``p`` renormalised to sum 1, then clipped;
    from logits: ``-sum_j y_j log_softmax(z)_j``. Smoothing: ``y (1 - ls) + ls / C``."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CategoricalCrossentropy: label_smoothing must be in [0, 1], got {label_smoothing}")
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis

    def _smooth(self, y):
        ls = self.label_smoothing
        return y * (1.0 - ls) + ls / y.shape[self.axis] if ls else y

    def call(self, y_true, y_pred):
        if self.from_logits:
            return self.call_from_logits(y_true, y_pred)
        y = self._smooth(y_true)
        q = y_pred / np.sum(y_pred, axis=self.axis, keepdims=True)
        c, _ = self._clip(q)
        return -np.sum(y * np.log(c), axis=self.axis)

    def gradient(self, y_true, y_pred):
        if self.from_logits:
            return self.gradient_from_logits(y_true, y_pred, _act.softmax(y_pred, self.axis))
        y = self._smooth(y_true)
        s = np.sum(y_pred, axis=self.axis, keepdims=True)
        q = y_pred / s
        c, inside = self._clip(q)
        return _renormalised_gradient(inside * (-y / c), q, s, self.axis)

    def fuses_with(self, activation) -> bool:
        return not self.from_logits and activation is _act.softmax

    def call_from_logits(self, y_true, z):
        return -np.sum(self._smooth(y_true) * _act.log_softmax(z, self.axis), axis=self.axis)

    def gradient_from_logits(self, y_true, z, a):
        # d/dz -sum y log softmax(z) = softmax(z) sum(y) - y  (= a - y for one-hot y)
        y = self._smooth(y_true)
        return a * np.sum(y, axis=self.axis, keepdims=True) - y

    def formula(self, width):
        return ["L(f(x), y) = -sum_j y_j log(f(x)_j)    (y one-hot)"]

    def shortcut_formula(self, width, a="A"):
        return f"({a} - Y) / m"

    def check_labels(self, y, name="y", output_shape=None):
        """One-hot labels (or probabilities), all >= 0, one column per output unit.

        >>> import numpy as np
        >>> CategoricalCrossentropy().check_labels(np.array([0, 1]), "y", (None, 2))
        Traceback (most recent call last):
        ...
        ValueError: y has shape (2,), but the model's output has shape (None, 2): each sample's label must have shape (2,). CategoricalCrossentropy takes one-hot labels: use glassnet.utils.to_categorical(y), or SparseCategoricalCrossentropy for integer labels.
        """
        from .engine.checks import where
        arr = super().check_labels(y, name, output_shape)
        bad = arr < 0
        if bad.any():
            i = tuple(np.argwhere(bad)[0])
            raise ValueError(
                f"{name} has {arr[i]:g} at {where(i)}: CategoricalCrossentropy needs one-hot labels "
                "(or probabilities), all >= 0; make them with glassnet.utils.to_categorical(labels)"
            )
        return arr

    def label_shape_hint(self, y, width):
        if y.ndim == 1:
            return (" CategoricalCrossentropy takes one-hot labels: use glassnet.utils.to_categorical(y), "
                    "or SparseCategoricalCrossentropy for integer labels.")
        if y.ndim == 2:
            return (f" One-hot labels need {width} columns, one per output unit: give the last layer "
                    f"{y.shape[1]} units, or use to_categorical(labels, num_classes={width}).")
        return ""

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(Loss, _ClippedProbabilities):
    """Categorical cross-entropy with integer labels ``(N,)`` (or ``(N, 1)``).

    From logits: ``logsumexp(z) - z_y``. From probabilities, as Keras's TF backend:
    ``c = clip(p)``, ``L = -log c_y + log sum_j c_j``.
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if ignore_class is not None:
            raise ValueError("SparseCategoricalCrossentropy: ignore_class is not supported by glassnet yet")
        self.from_logits = bool(from_logits)
        self.ignore_class = None

    def prepare(self, y_true, y_pred):
        y = np.asarray(y_true)
        if y.ndim == y_pred.ndim and y.shape[-1] == 1:
            y = y.reshape(y.shape[:-1])
        if not np.issubdtype(y.dtype, np.integer):
            y = y.astype(np.int64)
        return y

    @staticmethod
    def _one_hot(labels, like):
        out = np.zeros_like(like)
        np.put_along_axis(out, labels[..., None], 1.0, axis=-1)
        return out

    def call(self, y_true, y_pred):
        if self.from_logits:
            return self.call_from_logits(y_true, y_pred)
        c, _ = self._clip(y_pred)
        picked = np.take_along_axis(c, y_true[..., None], axis=-1)[..., 0]
        return -np.log(picked) + np.log(np.sum(c, axis=-1))

    def gradient(self, y_true, y_pred):
        if self.from_logits:
            return self.gradient_from_logits(y_true, y_pred, _act.softmax(y_pred))
        c, inside = self._clip(y_pred)
        # dL/dc_j = -[j = y] / c_y + 1 / sum(c), zero where clipped
        g = 1.0 / np.sum(c, axis=-1, keepdims=True) - self._one_hot(y_true, c) / c
        return inside * g

    def fuses_with(self, activation) -> bool:
        return not self.from_logits and activation is _act.softmax

    def call_from_logits(self, y_true, z):
        return -np.take_along_axis(_act.log_softmax(z), y_true[..., None], axis=-1)[..., 0]

    def gradient_from_logits(self, y_true, z, a):
        g = a.copy()                                     # dL/dz = softmax(z) - one_hot(y)
        if g.ndim == 2:
            g[np.arange(len(g)), y_true] -= 1.0
        else:
            g -= self._one_hot(y_true, a)
        return g

    def _logits_pass(self, y_true, z):
        with np.errstate(under="ignore"):
            return self.logits_values_and_gradient(y_true, z)

    def logits_values_and_gradient(self, y_true, z):
        """Values ``logsumexp(z) - z_y`` and gradient ``softmax(z) - one_hot(y)`` from one exp.
        (Computing log_softmax and softmax apart took half of a 25-15-10 network's step.)
        exp underflows to 0 for logits far below the largest, the right answer: call it with
        NumPy's underflow warning off, as ``value_and_gradient`` does."""
        # z.max without its wrapper; C order, so that the flat positions below index it and grad
        shifted = np.subtract(z, np.maximum.reduce(z, axis=-1, keepdims=True), order="C")
        grad = np.exp(shifted)
        total = np.add.reduce(grad, axis=-1, keepdims=True)
        grad /= total
        if z.ndim == 2:                     # row i's true class, as flat positions (one gather)
            at = np.arange(0, z.size, z.shape[1]) + y_true
            values = np.log(total[:, 0]) - shifted.ravel()[at]
            grad.ravel()[at] -= 1.0
        else:
            values = np.log(total[..., 0]) - np.take_along_axis(shifted, y_true[..., None], axis=-1)[..., 0]
            grad -= self._one_hot(y_true, grad)
        return values, grad

    def value_and_gradient(self, y_true, y_pred):
        if self.from_logits:
            return self._logits_pass(y_true, y_pred)
        return super().value_and_gradient(y_true, y_pred)

    def value_and_gradient_from_logits(self, y_true, z, a):
        return self._logits_pass(y_true, z)

    def formula(self, width):
        return ["L(f(x), y) = -log(f(x)_y)    (the probability given to the true class y)"]

    def shortcut_formula(self, width, a="A"):
        return f"({a} - onehot(Y)) / m"

    def check_labels(self, y, name="y", output_shape=None):
        """One integer class ``0..C-1`` per sample (``(N,)`` or ``(N, 1)``), ``C`` the output's
        width; returned as int64 of shape ``(N,)``.

        >>> import numpy as np
        >>> SparseCategoricalCrossentropy().check_labels(np.array([[0], [2]]), "y", (None, 3)).tolist()
        [0, 2]
        >>> SparseCategoricalCrossentropy().check_labels(np.array([0, 3]), "y", (None, 3))
        Traceback (most recent call last):
        ...
        ValueError: y has label 3 at row 1, outside 0..2: the last layer has 3 units, one per class: give it as many units as classes (4 or more), or renumber the labels 0..2
        """
        from .engine.checks import where
        arr = np.asarray(y)
        width = output_shape[-1] if output_shape is not None else None
        lab = arr.reshape(arr.shape[:-1]) if arr.ndim >= 2 and arr.shape[-1] == 1 else arr
        if output_shape is not None and lab.ndim != len(output_shape) - 1:
            raise ValueError(
                f"{name} has shape {arr.shape}: SparseCategoricalCrossentropy takes one integer "
                f"class per sample, shape ({arr.shape[0]},). For one-hot labels use CategoricalCrossentropy, "
                f"or pass {name}.argmax(axis=1)."
            )
        if lab.dtype.kind == "f":
            frac = lab != np.round(lab)
            if frac.any():
                i = np.argwhere(frac)[0]
                raise ValueError(f"{name} has a non-integer class label {lab[tuple(i)]:g} at {where(i)}: "
                                 "SparseCategoricalCrossentropy needs integer labels 0..C-1, one per sample")
        # Range first, on the original values: a huge float would not survive the cast to int.
        bad = (lab < 0) | (lab >= width) if width is not None else (lab < 0)
        if bad.any():
            i = tuple(np.argwhere(bad)[0])
            value = lab[i].item()
            if float(value).is_integer() and abs(value) < 1e9:
                value = int(value)
            if value < 0:
                fix = "class labels start at 0: shift them, e.g. y - y.min()"
            else:
                count = f" ({value + 1} or more)" if isinstance(value, int) else ""
                fix = (f"the last layer has {width} units, one per class: give it as many units as "
                       f"classes{count}, or renumber the labels 0..{width - 1}")
            shown = value if isinstance(value, int) else format(value, "g")
            span = f"0..{width - 1}" if width is not None else "0..C-1"
            raise ValueError(f"{name} has label {shown} at {where(i)}, outside {span}: {fix}")
        return lab.astype(np.int64)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}


class MeanSquaredError(Loss):
    """``L = mean((y - p)^2)`` over the last axis; gradient ``2 (p - y) / C``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        d = y_pred - y_true
        return np.mean(d * d, axis=-1)

    def gradient(self, y_true, y_pred):
        return (2.0 / y_pred.shape[-1]) * (y_pred - y_true)

    def formula(self, width):
        return ["L(f(x), y) = mean_j (y_j - f(x)_j)^2"]

    def gradient_formula(self, width):
        return f"2 (A - Y) / (m{f' * {width}' if width > 1 else ''})"


class MeanAbsoluteError(Loss):
    """``L = mean(|y - p|)`` over the last axis; gradient ``sign(p - y) / C``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return np.mean(np.abs(y_pred - y_true), axis=-1)

    def gradient(self, y_true, y_pred):
        return np.sign(y_pred - y_true) / y_pred.shape[-1]

    def formula(self, width):
        return ["L(f(x), y) = mean_j |y_j - f(x)_j|"]

    def gradient_formula(self, width):
        return f"sign(A - Y) / (m{f' * {width}' if width > 1 else ''})"


class Huber(Loss):
    """``e = p - y``; ``0.5 e^2`` where ``|e| <= delta``, else ``delta |e| - 0.5 delta^2``; mean
    over the last axis. Gradient ``e`` inside, ``delta sign(e)`` outside, over ``C``."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if delta <= 0:
            raise ValueError(f"Huber: delta must be > 0, got {delta}")
        self.delta = float(delta)

    def call(self, y_true, y_pred):
        e = y_pred - y_true
        a = np.abs(e)
        d = self.delta
        return np.mean(np.where(a <= d, 0.5 * e * e, d * a - 0.5 * d * d), axis=-1)

    def gradient(self, y_true, y_pred):
        e = y_pred - y_true
        return np.where(np.abs(e) <= self.delta, e, self.delta * np.sign(e)) / y_pred.shape[-1]

    def formula(self, width):
        d = f"{self.delta:g}"
        return [f"L(f(x), y) = mean_j h(f(x)_j - y_j), h(e) = 0.5 e^2 if |e| <= {d} else {d} |e| - 0.5 * {d}^2"]

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "delta": self.delta}


class KLDivergence(Loss):
    """Kullback-Leibler divergence ``L = sum_j y_j log(y_j / p_j)`` over the last axis, ``y`` and
    ``p`` first clipped to ``[epsilon, 1]`` as Keras's; gradient ``-y_j / p_j`` where ``p_j`` was
    inside the clip, 0 where the clip held it (TensorFlow's clip gradient).

    >>> import numpy as np
    >>> round(float(KLDivergence()(np.array([[0.5, 0.5]]), np.array([[0.25, 0.75]]))), 6)
    0.143841
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        eps = config.epsilon()
        y, p = np.clip(y_true, eps, 1), np.clip(y_pred, eps, 1)
        return np.sum(y * np.log(y / p), axis=-1)

    def gradient(self, y_true, y_pred):
        eps = config.epsilon()
        y = np.clip(y_true, eps, 1)
        return np.where((y_pred >= eps) & (y_pred <= 1), -y / np.clip(y_pred, eps, 1), 0).astype(y_pred.dtype)

    def gradient_y_true(self, y_true, y_pred):
        """``dL/dy_j = log(y_j / p_j) + 1`` where ``y_j`` was inside the clip, else 0."""
        eps = config.epsilon()
        y, p = np.clip(y_true, eps, 1), np.clip(y_pred, eps, 1)
        return np.where((y_true >= eps) & (y_true <= 1), np.log(y / p) + 1, 0)

    def formula(self, width):
        return ["L(f(x), y) = sum_j y_j log(y_j / f(x)_j)    (both clipped to [epsilon, 1])"]


def _per_sample(cls):
    def fn(y_true, y_pred, **kwargs):
        # Keras's functions take y_pred's type as TensorFlow converts it (Python floats: float32;
        # arrays and tensors keep theirs, float64 stays float64) and cast y_true to it
        dtype = getattr(y_pred, "dtype", None)
        dtype = _numpy_dtype(convert_to_tensor(y_pred).dtype if dtype is None else dtype)
        if dtype.kind != "f":
            dtype = _numpy_dtype(config.floatx())
        if tape.recording():                 # inside a GradientTape: the loss's own call, recorded
            return cls(reduction="none", dtype=dtype.name, **kwargs)(y_true, y_pred)
        loss = cls(**kwargs)
        y_pred = np.asarray(y_pred, dtype=dtype)
        return wrap(loss.call(loss.prepare(y_true, y_pred), y_pred))
    fn.__name__ = snake_case(cls.__name__)
    fn.__doc__ = (f"Per-sample values of :class:`{cls.__name__}` (no reduction), in ``y_pred``'s float type "
                  "(float32 for Python numbers and integers, as TensorFlow converts them).")
    return fn


binary_crossentropy = _per_sample(BinaryCrossentropy)
categorical_crossentropy = _per_sample(CategoricalCrossentropy)
sparse_categorical_crossentropy = _per_sample(SparseCategoricalCrossentropy)
mean_squared_error = _per_sample(MeanSquaredError)
mean_absolute_error = _per_sample(MeanAbsoluteError)
huber = _per_sample(Huber)
kl_divergence = _per_sample(KLDivergence)
mse, mae = mean_squared_error, mean_absolute_error

CLASSES = {c.__name__: c for c in [
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    MeanSquaredError, MeanAbsoluteError, Huber, KLDivergence]}
BY_NAME = {snake_case(n): c for n, c in CLASSES.items()}
BY_NAME.update({
    "bce": BinaryCrossentropy, "cce": CategoricalCrossentropy, "scce": SparseCategoricalCrossentropy,
    "mse": MeanSquaredError, "mae": MeanAbsoluteError, "huber": Huber, "huber_loss": Huber,
    "kld": KLDivergence, "KLD": KLDivergence,
})


FAMILY = Family("loss", "keras.losses", CLASSES, aliases=BY_NAME, base=Loss,
                expected="a name, a config dict, a Loss or a Loss class")


class LossFunctionWrapper(Loss):
    """A function ``fn(y_true, y_pred)`` of your own as a loss (Keras's wrapper for
    ``compile(loss=my_function)``): its values reduced as any loss's, its gradient from the tape."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn, self.fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = _same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def check_labels(self, y, name, output_shape=None):
        """Numbers and finite, in any shape: the function decides what its labels are (the NMT
        tutorial's ``masked_loss`` takes token ids against (batch, t, vocab) logits), as Keras."""
        return super().check_labels(y, name, None)


def _same_rank(y_true, y_pred):
    """Keras's ``squeeze_or_expand_to_same_rank`` before a function of one's own sees its
    arguments: ranks one apart with a last axis of 1 are matched (``(N,)`` labels against
    ``(N, 1)`` predictions become ``(N, 1)``; they would broadcast to ``(N, N)`` otherwise)."""
    rt, rp = np.ndim(y_true), np.ndim(y_pred)
    if rt == rp + 1 and np.shape(y_true)[-1] == 1:
        if rp == 1:
            y_pred = np.expand_dims(y_pred, -1)
        else:
            y_true = np.squeeze(y_true, -1)
    elif rp == rt + 1 and np.shape(y_pred)[-1] == 1:
        if rt == 1:
            y_true = np.expand_dims(y_true, -1)
        else:
            y_pred = np.squeeze(y_pred, -1)
    return y_true, y_pred


def get(identifier) -> Loss:
    """Resolve a name (``"mse"``, ``"binary_crossentropy"``, ``"BinaryCrossentropy"``, any
    case), a Keras config dict, or a :class:`Loss` instance or subclass (see
    :mod:`glassnet.registry`). Keras's loss functions stand for their classes; a function of
    your own is wrapped (:class:`LossFunctionWrapper`)."""
    if callable(identifier) and not isinstance(identifier, (type, Loss)):
        for name, fn in _FUNCTIONS.items():
            if fn is identifier:
                return BY_NAME[name]()
        return LossFunctionWrapper(identifier)
    return FAMILY.get(identifier)


_FUNCTIONS = {f.__name__: f for f in [binary_crossentropy, categorical_crossentropy,
                                      sparse_categorical_crossentropy, mean_squared_error,
                                      mean_absolute_error, huber, kl_divergence]}

# Keras 2's upper-case aliases (tf.keras.losses.MSE, MAE), noted once each
_KERAS2_ALIASES = {"MSE": "mean_squared_error", "MAE": "mean_absolute_error"}


class _Reduction:
    """Keras 2's ``tf.keras.losses.Reduction``: the names of the strings Keras 3 takes
    (``AUTO`` is what Keras 2 did outside distribution strategies: the batch mean)."""
    NONE, SUM, SUM_OVER_BATCH_SIZE, AUTO = "none", "sum", "sum_over_batch_size", "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        """``None`` for a known reduction, ValueError naming it otherwise (Keras 2's check)."""
        if key not in cls.all() and key != "auto":
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


def __getattr__(name):
    if name in _KERAS2_ALIASES or name == "Reduction":
        from .keras.legacy import note          # deferred: keras/ imports this module
        if name == "Reduction":
            note("keras.losses.Reduction", "keras.losses.Reduction is Keras 2's; Keras 3 writes the strings: "
                 "reduction='sum_over_batch_size' (Keras 2's AUTO and SUM_OVER_BATCH_SIZE), 'sum' or 'none'")
            return _Reduction
        note(f"keras.losses.{name}", f"keras.losses.{name} is Keras 2's alias; Keras 3 writes "
             f"keras.losses.{_KERAS2_ALIASES[name]}")
        return _FUNCTIONS[_KERAS2_ALIASES[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def serialize(loss: Loss) -> dict:
    """Keras's form: ``{"module", "class_name", "config", "registered_name"}``."""
    return FAMILY.serialize(loss)


def _build(cls, arguments):
    arguments.pop("fn", None)               # Keras's LossFunctionWrapper key
    return cls(**arguments)


def deserialize(config: dict, custom_objects=None) -> Loss:
    """Build a loss from its Keras config: glassnet's own, one in ``custom_objects`` or a
    registered one; anything else is refused."""
    return FAMILY.deserialize(config, custom_objects, build=_build)
