"""Several outputs (a functional graph's): one loss each, weighted, and metrics per output.

Keras's rules (``compile(loss=..., loss_weights=..., metrics=...)`` on a model with ``n``
outputs)::

    J = sum_k w_k J_k          J_k: output k's loss, as fit computes it for one output
                               w_k: loss_weights (1 each unless given)
    dJ/d(output k) = w_k dJ_k/d(output k)

``loss`` is one loss for every output, a list (one per output) or a dict by output name;
``loss_weights`` a list or a dict; ``metrics`` a list per output (a list of lists) or a dict
by output name. The logs name each part after its output: ``dense_1_loss``,
``dense_1_accuracy`` (Keras's names).

>>> losses = OutputLosses.from_compile("mse", [1.0, 0.5], ["a", "b"])
>>> [type(l).__name__ for l in losses.losses], losses.weights
(['MeanSquaredError', 'MeanSquaredError'], [1.0, 0.5])
"""
from __future__ import annotations

import numpy as np

from .. import losses as losses_module
from .. import metrics as metrics_module


class OutputLosses:
    """The losses of a model's outputs, with their weights and the outputs' names."""

    reduction = "sum_over_batch_size"           # each part reduces as its own loss says

    def __init__(self, losses, weights, names, refusal=None):
        self.losses, self.weights, self.names = list(losses), list(weights), list(names)
        self.refusal = refusal          # Keras's error, raised when fit (or evaluate) is given data

    @classmethod
    def from_compile(cls, loss, loss_weights, names) -> OutputLosses:
        n, refusal = len(names), None
        if isinstance(loss, dict):
            unknown = sorted(set(loss) - set(names))
            if unknown:
                raise ValueError(f"compile: loss names {unknown}, which are not outputs of the model "
                                 f"(its outputs: {names})")
            specs = [loss.get(name) for name in names]
            if len(loss) < n:           # compile takes it; fit refuses it, as Keras 3.15 does
                refusal = f"Expected keys {names} in loss dict, but found loss.keys()={list(loss)}"
        elif isinstance(loss, (list, tuple)):
            if len(loss) != n:
                raise ValueError(f"compile: the model has {n} outputs ({', '.join(names)}); got a list of "
                                 f"{len(loss)} losses")
            specs = list(loss)
        else:
            specs = [loss] * n                                  # one loss for every output
        built = []
        for name, spec in zip(names, specs):
            if spec is None:            # an output for prediction only (Keras's loss=[None, ...])
                built.append(NoLoss())
                continue
            part = losses_module.get(spec)
            if part.reduction != "sum_over_batch_size":
                raise ValueError(f"compile: the loss of output {name!r} has reduction={part.reduction!r}; with "
                                 "several outputs each loss keeps the default, 'sum_over_batch_size'")
            built.append(part)
        if loss_weights is None:
            weights = [1.0] * n
        elif isinstance(loss_weights, dict):
            unknown = sorted(set(loss_weights) - set(names))
            if unknown:
                raise ValueError(f"compile: loss_weights names {unknown}, which are not outputs of the model "
                                 f"(its outputs: {names})")
            weights = [float(loss_weights.get(name, 1.0)) for name in names]
        elif isinstance(loss_weights, (list, tuple)):
            if len(loss_weights) != n:
                raise ValueError(f"compile: the model has {n} outputs; got {len(loss_weights)} loss_weights")
            weights = [float(w) for w in loss_weights]
        else:
            raise TypeError(f"compile: loss_weights must be a list or a dict by output name, got {loss_weights!r}")
        return cls(built, weights, names, refusal)

    def fuses_with(self, activation) -> bool:
        return False                                            # no output shortcut across outputs

    def metrics(self) -> list:
        """One ``<output>_loss`` entry per output with a loss, for the logs; none when only one
        output has a loss (its loss is the loss), as Keras 3.15 logs them."""
        parts = [(k, name, loss) for k, (name, loss) in enumerate(zip(self.names, self.losses))
                 if not isinstance(loss, NoLoss)]
        return [OutputMetric(_LossMean(loss), k, f"{name}_loss") for k, name, loss in parts] if len(parts) > 1 else []


def no_loss(loss) -> bool:
    """Whether ``compile`` was given no loss at all (every output a :class:`NoLoss`)."""
    parts = loss.losses if isinstance(loss, OutputLosses) else [loss]
    return all(isinstance(part, NoLoss) for part in parts)


def may_add_losses(model) -> bool:
    """Whether a layer of ``model`` may add to the loss (``add_loss`` in a call of one's own, an
    activity regularizer): else a model compiled without a loss has nothing to minimize."""
    parts = model._parts() if hasattr(model, "_parts") else []
    return any(getattr(p, "by_call", False) or getattr(p, "activity_regularizer", None) is not None
               or type(p).__name__ == "ActivityRegularization" or (p is not model and may_add_losses(p))
               for p in parts)


class NoLoss(losses_module.Loss):
    """An output given no loss (``loss=[None, ...]``): it adds 0 to J and sends no gradient
    back; its labels are taken as they are."""

    def call(self, y_true, y_pred):
        return np.zeros(np.shape(y_pred)[:1], np.asarray(y_pred).dtype)

    def gradient(self, y_true, y_pred):
        return np.zeros_like(np.asarray(y_pred))

    def check_labels(self, y, name="y", output_shape=None):
        return np.asarray(y)


class _LossMean(metrics_module.Mean):
    """The mean of one output's per-sample losses over the batches seen."""

    def __init__(self, loss):
        super().__init__(name="loss")
        self.loss = loss

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        super().update_state(self.loss.call(y_true, y_pred), sample_weight)


class OutputMetric:
    """A metric of one output: takes ``y[k]`` and ``predictions[k]``, logs as ``<output>_<name>``."""

    def __init__(self, metric, index, name):
        self.metric, self.index, self.name = metric, index, name

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        self.metric.update_state(y_true[self.index], y_pred[self.index])

    def reset_state(self) -> None:
        self.metric.reset_state()

    def result(self):
        return self.metric.result()


def output_metrics(specs, names, ys, likes) -> list:
    """The compiled metrics of a model with several outputs: ``specs`` a list per output or a
    dict by output name; each built for its output's labels and shape, named after it."""
    if isinstance(specs, dict):
        unknown = sorted(set(specs) - set(names))
        if unknown:
            raise ValueError(f"compile: metrics names {unknown}, which are not outputs of the model ({names})")
        per_output = [specs.get(name) or [] for name in names]
    elif all(isinstance(s, (list, tuple)) or s is None for s in specs) and len(specs) == len(names):
        per_output = [s or [] for s in specs]
    else:
        raise ValueError(f"compile: the model has {len(names)} outputs ({', '.join(names)}): give metrics as a "
                         "list of lists (one per output) or a dict by output name")
    out = []
    for k, (name, these) in enumerate(zip(names, per_output)):
        for spec in (these if isinstance(these, (list, tuple)) else [these]):
            metric = metrics_module.get(spec, ys[k], likes[k])
            out.append(OutputMetric(metric, k, f"{name}_{metric.name}"))
    return out
