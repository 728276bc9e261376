"""``Trainer``: what makes a model train, Keras's ``compile``, ``fit``, ``evaluate``,
``predict`` and their one-batch forms. ``Model`` (``glassnet/engine/model.py``) is a
``Trainer`` and a ``Layer``, as in Keras (``keras/src/trainers/trainer.py``).

Each method checks its arguments first (``glassnet/engine/checks.py``: a refused call
changes nothing), builds the model for the data, and hands the loop to
``glassnet/engine/training.py``.
"""
from __future__ import annotations

import math
import time

import numpy as np

from .. import losses, optimizers
from .. import metrics as metrics_module
from ..fast import denormals
from . import checks as _checks
from . import custom_step, fastpath, training
from .outputs import NoLoss, OutputLosses, no_loss, output_metrics
from .progress import summary_line
from .step import output_shortcut, unscaled


class Trainer:
    """compile, fit, evaluate, predict, train_on_batch, test_on_batch, predict_on_batch."""

    # -- compile --------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs) -> None:
        """Choose the optimizer (default ``"rmsprop"``), the loss and the metrics. A model with
        several outputs takes one loss for all, a list or a dict of them, ``loss_weights``,
        and metrics per output (``glassnet/engine/outputs.py``). ``jit_compile``: ``"auto"``
        lets fit choose numba's compiled epoch when the work ahead repays loading it; ``True``
        asks for it whenever the model qualifies (``glassnet/fast/epoch.py``), numba's load
        paid in the first fit as XLA's compilation is; ``False`` trains step by step."""
        _keras2_compile_args(kwargs)
        if jit_compile not in (True, False, "auto") or isinstance(jit_compile, (int, float)) \
                and not isinstance(jit_compile, bool):
            raise ValueError(f"compile: jit_compile must be True, False or 'auto'; got {jit_compile!r}")
        names = self.output_names if self._graph is not None else None
        several = names is not None and len(names) > 1
        if weighted_metrics is not None or (loss_weights is not None and not several):
            raise ValueError("compile: weighted_metrics, and loss_weights for a model with one output, are not "
                             "supported")
        opt = optimizers.get(optimizer)
        if names is not None and not several:           # one named output: its entry of a dict
            loss, metrics = _only(loss, names[0], "loss"), _only(metrics, names[0], "metrics")
        if several:                             # (no loss: each output's is what add_loss added)
            loss_obj = OutputLosses.from_compile([None] * len(names) if loss is None else loss, loss_weights, names)
        else:                                   # no loss: fit minimizes what the layers add (add_loss)
            loss_obj = losses.get(loss) if loss is not None else NoLoss()
        if loss_obj is not None and loss_obj.reduction in ("none", None):
            raise ValueError(f"compile: loss {loss_obj!r} has reduction={loss_obj.reduction!r}; training "
                             "needs one number per batch: use the default 'sum_over_batch_size', or 'sum'")
        if metrics is None:
            specs = []
        elif several and isinstance(metrics, dict):
            specs = dict(metrics)
        elif isinstance(metrics, (list, tuple)):
            specs = list(metrics)
        else:
            raise TypeError(f"compile: metrics must be a list, e.g. metrics=['accuracy']; got {metrics!r}")
        flat = [m for v in (specs.values() if isinstance(specs, dict) else specs)
                for m in (v if isinstance(v, (list, tuple)) else [v])]
        for spec in flat:       # fail now on unknown names rather than at fit
            if isinstance(spec, str):
                metrics_module.get(spec)
        self.optimizer, self.loss, self._metric_specs = opt, loss_obj, specs
        self._jit_compile = jit_compile
        self._compiled_metrics = []
        self.__dict__.pop("_compile_metrics_obj", None)
        self.__dict__.pop("_loss_tracker_obj", None)
        self.compiled = True
        self._decide_shortcut()

    def _decide_shortcut(self) -> None:
        """Whether training starts backward from ``dJ/dZ`` (sigmoid/softmax + cross-entropy)."""
        self.output_shortcut = self._is_stack() and bool(self._layers) and output_shortcut(self.loss, self._layers[-1])

    @property
    def metrics(self) -> list:
        """The compiled metric objects (made on the first data). A model with its own
        ``train_step``/``test_step`` gets Keras 3's list instead: ``Mean(name="loss")``, then
        ``CompileMetrics`` (all compiled metrics as one), then metrics set as attributes
        (``glassnet/engine/custom_step.py``); a subclass may define its own ``metrics``."""
        if custom_step.custom(self):
            return custom_step.keras_metrics(self)
        return self.__dict__.get("_compiled_metrics", [])

    @metrics.setter
    def metrics(self, value) -> None:
        self._compiled_metrics = list(value)

    @property
    def metrics_names(self) -> list[str]:
        """Keras 3's: ``[]`` before compile, ``["loss"]``, then ``"compile_metrics"`` (one entry
        for all compiled metrics) when compile was given any; the values are named in
        ``evaluate(..., return_dict=True)`` and the History."""
        if custom_step.custom(self):
            return [m.name for m in self.metrics]
        if not self.compiled:
            return []
        return ["loss", "compile_metrics"] if (self._metric_specs or self._compiled_metrics) else ["loss"]

    # -- Keras's step API: what a train_step of your own calls -------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Keras's ``compute_loss``: the compiled loss of ``y, y_pred`` (weighted by
        ``sample_weight``) plus ``sum(self.losses)`` (weight penalties and what the latest call
        added with ``add_loss``), as a Tensor a ``GradientTape`` follows."""
        total = None
        if self.loss is not None and y is not None:
            if isinstance(self.loss, OutputLosses):
                ys = y if isinstance(y, (list, tuple)) else [y[n] for n in self.loss.names]
                preds = y_pred if isinstance(y_pred, (list, tuple)) else [y_pred[n] for n in self.loss.names]
                for w, part, yk, pk in zip(self.loss.weights, self.loss.losses, ys, preds):
                    term = part(yk, pk, sample_weight) * w
                    total = term if total is None else total + term
            else:
                total = self.loss(y, y_pred, sample_weight)
        # sum(self.losses), each term as a Tensor the tape follows: what the calls added with
        # add_loss, and each weight's penalty computed on the Variable (so its gradient reaches it)
        from ..layers import by_call  # noqa: PLC0415
        extras = by_call.added_losses(self) + [v.regularizer(v) for v in self.weights if v.regularizer is not None]
        for extra in extras:
            total = extra if total is None else total + extra
        if total is None:
            from ..tf.tensor import wrap  # noqa: PLC0415
            total = wrap(np.zeros((), np.float32))
        return total

    @property
    def compiled_metrics(self):
        """Keras 2's ``model.compiled_metrics``, kept by Keras 3 as a deprecated shim:
        ``update_state(y, y_pred)`` updates every metric of ``model.metrics``
        (``custom_step.DeprecatedCompiledMetrics``)."""
        return custom_step.DeprecatedCompiledMetrics(self)

    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """Keras 2's ``model.compiled_loss(y, y_pred)``, deprecated in Keras 3: ``compute_loss``."""
        import warnings  # noqa: PLC0415
        warnings.warn("`model.compiled_loss()` is deprecated. Instead, use "
                      "`model.compute_loss(x, y, y_pred, sample_weight, training)`.", stacklevel=2)
        return self.compute_loss(x=None, y=y, y_pred=y_pred, sample_weight=sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Keras's ``compute_metrics``: update the compiled metrics with ``y, y_pred`` and
        return every metric's result (``get_metrics_result``)."""
        for m in self.metrics:
            if m.name != "loss":
                m.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """Each metric's result by name; ``CompileMetrics``'s dict merged in, as Keras flattens it.
        Without a step of one's own, Keras 3's order and types: ``"loss"`` first (what the latest
        fit epoch, evaluate, validation or train_on_batch averaged), then the compiled metrics
        as given, then several outputs' own losses; each a float32 Tensor."""
        if not custom_step.custom(self) and self.compiled:
            return training.metrics_result(self)
        out = {}
        for m in self.metrics:
            result = m.result()
            if isinstance(result, dict):
                out.update(result)
            else:
                out[m.name] = result
        return out

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def train_step(self, data) -> dict:
        """Keras's default step, for a subclass that calls ``super().train_step(data)``:
        forward under a tape, ``compute_loss``, the gradients applied, the metrics. (``fit``
        of a model that does not override it runs ``glassnet/engine/step.py`` instead.) With the
        optimizer's ``loss_scale_factor``, the gradients are those of ``optimizer.scale_loss(loss)``,
        divided by the factor before the update, as Keras's step and ``apply_gradients`` do."""
        from ..tf.tape import GradientTape  # noqa: PLC0415
        x, y, sw = custom_step.unpack(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = custom_step.compute_loss(self, x, y, y_pred, sw, training=True)
            scaled = self.optimizer.scale_loss(loss)
        variables = self.trainable_variables
        grads = tape.gradient(scaled, variables)
        factor = getattr(self.optimizer, "loss_scale_factor", None)
        if factor is not None:
            grads = [None if g is None else unscaled(g, factor) for g in grads]
        self.optimizer.apply(grads, variables)
        custom_step.loss_tracker(self).update_state(loss, sample_weight=training.rows(x))
        return self.compute_metrics(x, y, y_pred, sw)

    def test_step(self, data) -> dict:
        """Keras's default evaluation step: forward in inference mode, ``compute_loss``, metrics."""
        x, y, sw = custom_step.unpack(data)
        y_pred = self(x, training=False)
        loss = custom_step.compute_loss(self, x, y, y_pred, sw, training=False)
        custom_step.loss_tracker(self).update_state(loss, sample_weight=training.rows(x))
        return self.compute_metrics(x, y, y_pred, sw)

    def _ready(self, x, y, batch_size=None) -> None:
        """Build for ``x`` and make the metrics for ``y``; every check has passed before.
        ``batch_size``: how the data is cut (None: one batch), for the batch the summary shows."""
        if not self.built:
            if isinstance(x, dict) or (isinstance(x, list) and self._graph is None):  # a subclass's several inputs
                self.build_on(x)
            else:
                self._build_for((None,) + training.first(x).shape[1:], _built_batch(training.rows(x), batch_size))
        if isinstance(self.loss, OutputLosses):         # several outputs: per-output losses and metrics
            if not self._compiled_metrics:
                likes = [_empty_like_output(shape) for shape in self.output_shape]
                specs = self._metric_specs or [[] for _ in likes]
                self._compiled_metrics = self.loss.metrics() + output_metrics(specs, self.loss.names, y, likes)
            return
        self._ready_metrics(y, _empty_like_output(self.output_shape))

    def _ready_metrics(self, y, like) -> None:
        """Make the compiled metrics for labels like ``y`` and predictions like ``like``."""
        if not self._compiled_metrics and self._metric_specs:
            self._compiled_metrics = [metrics_module.get(s, y, like) for s in self._metric_specs]

    def _data(self, x, y, sample_weight, what, xname="x", yname="y", ready=True, expected=None, batch_size=None):
        """Check x, y, sample_weight; the model is built (``_ready``) only once all passed."""
        _checks.compiled(self, what)
        # labels per time step (y as many dimensions as x, 3 or more): Dense on sequences is meant, as
        # the time-series tutorial's Dense(1) on (batch, steps, features) windows, not a forgotten Flatten
        steps = isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.ndim == y.ndim >= 3
        x = self._features(x, xname, expected, steps)
        if y is None and no_loss(self.loss):            # compiled without a loss: no labels to give
            y = [np.zeros((training.rows(x), 1))] * len(self.loss.names) if isinstance(self.loss, OutputLosses) \
                else np.zeros((training.rows(x), 1))
        if isinstance(self.loss, OutputLosses):         # several outputs: labels for each
            y = y_raw = self._output_labels(y, yname)
            for name, yk in zip(self.loss.names, y):
                _checks.same_length(training.first(x), yk, xname, f"{yname}[{name!r}]")
        else:
            if isinstance(y, dict) and self._graph is not None:     # one named output: its labels
                y = _only(y, self.output_names[0], yname)
            y_raw = _checks.to_array(_checks.column(y), yname)     # a pandas Series: (n, 1), as Keras 3
            out_shape = _checks.output_shape(self, training.first(x).shape)
            if out_shape is None:           # a layer that must be built to know its output shape
                self._ready(x, y_raw, batch_size)
                out_shape = self.output_shape
            y = _checks.labels(y_raw, yname, self.loss, out_shape)
            _checks.same_length(training.first(x), y, xname, yname)
        sw = _checks.sample_weights(sample_weight, training.rows(x), "sample_weight" if xname == "x" else f"{xname}'s sample_weight")
        if ready:
            self._ready(x, y_raw, batch_size)
        return x, y, sw

    def _output_labels(self, y, name) -> list:
        """One checked label array per output, from a list (in the outputs' order) or a dict
        by output name."""
        names = self.loss.names
        if self.loss.refusal:
            raise ValueError(self.loss.refusal)
        if isinstance(y, dict):
            missing = [n for n in names if n not in y]
            if missing:
                raise ValueError(f"{name}: the model's outputs are {names}; no labels for {missing} "
                                 f"(got keys {sorted(map(str, y))})")
            items = [y[n] for n in names]
        elif isinstance(y, (list, tuple)) and len(y) == len(names):
            items = list(y)
        else:
            raise ValueError(f"{name}: the model has {len(names)} outputs ({', '.join(names)}): give the labels "
                             "as a list (one array per output) or a dict by output name")
        return [_checks.labels(_checks.to_array(yk, f"{name}[{n!r}]"), f"{name}[{n!r}]", loss, shape)
                for n, yk, loss, shape in zip(names, items, self.loss.losses, self.output_shape)]

    def _features(self, x, name, expected=None, steps=False):
        """``x`` checked: one array, or for a functional graph one array per input (a list)."""
        if self._graph is not None:
            return self._graph_inputs(x, name)
        if isinstance(x, dict) and not self._is_stack():  # a subclass's call takes a dict as Keras's does
            return _checks.named_features(x, name)
        if _checks.is_input_list(x) and not self._is_stack():  # a subclass's call on (a, b): a list, as Keras's
            return _checks.listed_features(x, name)
        return _checks.features(x, name, self, expected, steps=steps)

    # -- fit / evaluate / predict -------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, plot=False, **kwargs):
        """Train by mini-batch gradient descent for ``epochs`` epochs; returns a ``History``.
        ``plot=True`` (glassnet's, not Keras's) adds a ``callbacks.LivePlot``: in a notebook the
        learning curve is redrawn in place as it trains."""
        _keras2_loader_args(kwargs, "fit")
        callbacks = _flat_callbacks(callbacks)
        if plot is not True and plot is not False:
            raise ValueError(f"fit: plot must be True or False, got {plot!r} (for LivePlot's options pass "
                             "callbacks=[glassnet.callbacks.LivePlot(...)])")
        if plot:
            from ..glassbox.live import LivePlot  # noqa: PLC0415 - only when asked; glassbox imports the engine
            callbacks = list(callbacks or []) + [LivePlot()]
        batch_size = _positive_int(batch_size, "batch_size", 32)
        validation_batch_size = _positive_int(validation_batch_size, "validation_batch_size", None)
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"fit: epochs must be an integer >= 0, got {epochs!r}")
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, (int, np.integer)) or initial_epoch < 0:
            raise ValueError(f"fit: initial_epoch must be an integer >= 0, got {initial_epoch!r}")
        if not (isinstance(validation_split, (int, float)) and 0 <= validation_split < 1):
            raise ValueError(f"fit: validation_split must be a number in [0, 1), got {validation_split!r}")
        if validation_freq != 1:
            raise ValueError("fit: validation_freq is not supported; validation runs after every epoch")
        if shuffle not in (True, False):
            raise ValueError(f"fit: shuffle must be True or False, got {shuffle!r}")
        verbose = "auto" if verbose == "auto" else _verbosity(verbose)     # history.params keeps "auto", as Keras's
        if custom_step.custom(self):            # the model's own train_step: glassnet/engine/custom_step.py
            return self._fit_custom(x, y, batch_size, epochs, verbose, callbacks, validation_split,
                                    validation_data, shuffle, class_weight, sample_weight, initial_epoch,
                                    steps_per_epoch, validation_steps, validation_batch_size)
        if training.is_batch_source(x):
            return self._fit_source(x, y, epochs, verbose, callbacks, validation_data, class_weight,
                                    sample_weight, initial_epoch, steps_per_epoch, validation_steps, shuffle)
        steps_per_epoch = _positive_int(steps_per_epoch, "steps_per_epoch", None)
        validation_steps = _positive_int(validation_steps, "validation_steps", None)
        x, y, sw = self._data(x, y, sample_weight, "fit", ready=False, batch_size=batch_size)
        if class_weight is not None:
            sw = _class_weights(class_weight, y, sw, self)
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("fit: validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight)")
            vx, vy, vsw = (tuple(validation_data) + (None,))[:3]
            validation = self._data(vx, vy, vsw, "fit", "validation_data[0]", "validation_data[1]",
                                    ready=False, expected=None if self._graph is not None or isinstance(x, dict)
                                    else x.shape[1:])
        elif validation_split:
            n = training.rows(x)
            split = int(math.floor(n * (1.0 - validation_split)))   # the LAST samples, before shuffling
            if split == 0 or split == n:
                raise ValueError(
                    f"fit: validation_split={validation_split} of {n} samples leaves "
                    f"{'no training' if split == 0 else 'no validation'} samples: use a validation_split "
                    f"{'smaller' if split == 0 else 'larger'} than {validation_split}, or pass validation_data"
                )
            later, earlier = slice(split, None), slice(None, split)
            validation = (training.take(x, later), training.take(y, later), None if sw is None else sw[later])
            x, y, sw = training.take(x, earlier), training.take(y, earlier), (None if sw is None else sw[earlier])
        self._ready(x, y, batch_size)       # every check passed: only now build the model
        data = _array_batches(x, y, sw, batch_size, shuffle, steps_per_epoch)
        if validation is not None and validation_steps is not None:     # the first validation_steps batches
            validation = _array_batches(*validation, validation_batch_size or batch_size, False, validation_steps,
                                        from_start=True)
        return training.run_fit(self, data, int(epochs), verbose, callbacks, validation,
                                int(initial_epoch), validation_batch_size)

    def _fit_source(self, source, y, epochs, verbose, callbacks, validation_data, class_weight,
                    sample_weight, initial_epoch, steps_per_epoch, validation_steps, shuffle=True):
        """fit on a generator, an iterable of batches, or a PyDataset-like object."""
        _no_arrays_beside(source, y, sample_weight, "fit")
        steps_per_epoch = _positive_int(steps_per_epoch, "steps_per_epoch", None)
        validation_steps = _positive_int(validation_steps, "validation_steps", None)

        data = training.SourceBatches(source, steps_per_epoch, self._batch_check("fit", "x", class_weight, source), "x",
                                      shuffle)
        validation = None
        if validation_data is not None:
            if training.is_batch_source(validation_data):
                validation = training.SourceBatches(validation_data, validation_steps,
                                                    self._batch_check("fit", "validation_data", None, validation_data),
                                                    "validation_data")
            else:
                vx, vy, vsw = (tuple(validation_data) + (None,))[:3]
                validation = self._data(vx, vy, vsw, "fit", "validation_data[0]", "validation_data[1]")
        return training.run_fit(self, data, int(epochs), verbose, callbacks, validation,
                                int(initial_epoch), None)

    def _custom_ready(self, what) -> None:
        if not self.compiled:
            raise ValueError(f"You must call compile() before {what}: e.g. model.compile(optimizer='adam')")

    def _fit_custom(self, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data,
                    shuffle, class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps,
                    validation_batch_size):
        """fit of a model with its own ``train_step``: each batch goes to it as Keras packs it."""
        self._custom_ready("fit")
        if class_weight is not None:
            raise ValueError("fit: class_weight is not supported with a train_step of your own; "
                             "pass sample_weight (the step receives (x, y, sample_weight))")
        steps_per_epoch = _positive_int(steps_per_epoch, "steps_per_epoch", None)
        validation_steps = _positive_int(validation_steps, "validation_steps", None)
        if training.is_batch_source(x):
            _no_arrays_beside(x, y, sample_weight, "fit")
            data = training.SourceBatches(x, steps_per_epoch, None, "x", shuffle)
        else:
            x, y, sw = custom_step.arrays(self, x, y, sample_weight, "fit")
            if validation_split and validation_data is None:
                if not (isinstance(validation_split, (int, float)) and 0 < validation_split < 1):
                    raise ValueError(f"fit: validation_split must be a number in [0, 1), got {validation_split!r}")
                n = training.rows(x)
                split = int(math.floor(n * (1.0 - validation_split)))
                if split in (0, n):
                    raise ValueError(f"fit: validation_split={validation_split} of {n} samples leaves "
                                     f"{'no training' if split == 0 else 'no validation'} samples")
                later, earlier = slice(split, None), slice(None, split)
                validation_data = (training.take(x, later), training.take(y, later),
                                   None if sw is None else sw[later])
                x, y, sw = training.take(x, earlier), training.take(y, earlier), (None if sw is None else sw[earlier])
            data = _array_batches(x, y, sw, batch_size, shuffle, steps_per_epoch)
        validation = None
        if validation_data is not None:
            if training.is_batch_source(validation_data):
                validation = training.SourceBatches(validation_data, validation_steps, None, "validation_data")
            else:
                if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (1, 2, 3):
                    raise ValueError("fit: validation_data must be a tuple (x_val, y_val) or "
                                     "(x_val, y_val, sample_weight)")
                vx, vy, vsw = (tuple(validation_data) + (None, None))[:3]
                validation = _array_batches(*custom_step.arrays(self, vx, vy, vsw, "fit: validation_data"),
                                            validation_batch_size or batch_size, False, validation_steps,
                                            from_start=True)
        return training.run_fit(self, data, int(epochs), verbose, callbacks, validation,
                                int(initial_epoch), validation_batch_size)

    def _batch_check(self, call, what, class_weight=None, source=None):
        """The check of one batch ``(x, y, sample_weight)`` from a generator or dataset (a
        dataset whose spec leaves the batch size unknown builds the model so: Keras's summary
        shows None)."""
        unsized = _UNSIZED if getattr(source, "_batches_of_unknown_size", lambda: False)() else None

        def check(xb, yb, swb, index):
            where = f"{what} batch {index}"
            xb, yb, swb = self._data(xb, yb, swb, call, f"{where} x", f"{where} y", batch_size=unsized)
            if class_weight is not None:
                swb = _class_weights(class_weight, yb, swb, self)
            return xb, yb, swb
        return check

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Loss (plus metrics) on data, in inference mode: a scalar, a list, or a dict. ``x``
        may also be a generator or dataset of ``(x, y[, sample_weight])`` batches."""
        _keras2_loader_args(kwargs, "evaluate")
        batch_size = _positive_int(batch_size, "batch_size", 32)
        verbose = _verbosity(verbose)
        start = time.perf_counter()
        if custom_step.custom(self):            # the model's own test_step (or Keras's default one)
            self._custom_ready("evaluate")
            if training.is_batch_source(x):
                _no_arrays_beside(x, y, sample_weight, "evaluate")
                data = training.SourceBatches(x, _positive_int(steps, "steps", None), None, "x")
            else:
                data = training.ArrayBatches(*custom_step.arrays(self, x, y, sample_weight, "evaluate"),
                                             batch_size, False)
            logs = custom_step.evaluate(self, data)
            count = self._steps_evaluated
        elif training.is_batch_source(x):
            _no_arrays_beside(x, y, sample_weight, "evaluate")
            _checks.compiled(self, "evaluate")
            source = training.SourceBatches(x, _positive_int(steps, "steps", None),
                                            self._batch_check("evaluate", "x", None, x), "x")
            batches = list(source.epoch())
            logs, count = training.run_evaluate_batches(self, batches), len(batches)
        else:
            x, y, sw = self._data(x, y, sample_weight, "evaluate", batch_size=batch_size)
            cbs = _callback_list(self, callbacks, "test")
            logs = training.run_evaluate(self, x, y, sw, batch_size, callbacks=cbs)
            count = math.ceil(training.rows(x) / batch_size)
            if cbs is not None:
                cbs.on_test_end(logs)
        if verbose:
            print(summary_line(count, time.perf_counter() - start, logs, verbose, ordered=custom_step.custom(self)))
        return self._result(logs, return_dict)

    def _result(self, logs, return_dict):
        """Keras's return forms: a dict, the loss alone, or [loss, *metrics in compile order]."""
        if return_dict:
            return logs
        if custom_step.custom(self):                # a step of one's own: its logs, in their order
            values = custom_step.ordered_values(self, logs)
        else:
            values = [logs["loss"]] + [logs[m.name] for m in self._compiled_metrics]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs) -> np.ndarray:
        """The model's outputs for ``x``, batch by batch, in inference mode."""
        _keras2_loader_args(kwargs, "predict")
        batch_size = _positive_int(batch_size, "batch_size", 32)
        verbose = _verbosity(verbose)
        start = time.perf_counter()
        if training.is_batch_source(x):             # a dataset: each batch's x, in order
            def check(xb, index):
                xb = self._features(xb, f"x batch {index}")
                if not self.built:
                    self._build_for((None,) + xb.shape[1:], training.rows(xb))
                return xb
            source = training.SourceBatches(x, _positive_int(steps, "steps", None), check, "x")
            parts = [training.run_predict(self, xb, training.rows(xb)) for xb in source.inputs()]
            if not parts:
                raise ValueError("predict: x gave no batches")
            out = ([np.concatenate(k) for k in zip(*parts)] if isinstance(parts[0], list)
                   else np.concatenate(parts))
            count = len(parts)
        else:
            x = self._features(x, "x")
            if not self.built:              # (Keras's predict builds on its first batch)
                self._build_for((None,) + x.shape[1:], min(training.rows(x), batch_size))
            cbs = _callback_list(self, callbacks, "predict")
            out, count = training.run_predict(self, x, batch_size, cbs), math.ceil(training.rows(x) / batch_size)
            if cbs is not None:
                cbs.on_predict_end()
        if verbose:                 # Keras prints this line too: `predict(x, verbose=0)` is silent
            print(summary_line(count, time.perf_counter() - start, verbose=verbose))
        if isinstance(out, list) or self._output_names:
            return self._graph_outputs(out if isinstance(out, list) else [out])
        return out

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One gradient step on one batch; returns its loss (and metrics), before the update."""
        if sample_weight is not None and class_weight is not None:
            raise ValueError("train_on_batch: arguments `sample_weight` and `class_weight` cannot be specified "
                             "at the same time")
        if custom_step.custom(self):            # the model's own train_step, on this one batch
            self._custom_ready("train_on_batch")
            x, y, sw = custom_step.arrays(self, x, y, sample_weight, "train_on_batch")
            if class_weight is not None:        # as Keras: the class weights become the batch's sample weights
                sw = _class_weights(class_weight, y, None, self)
            with denormals.flushed():           # Keras hands the step (x, y, sample_weight), None where not given
                logs = custom_step.run_train_step(self, custom_step.triple(x, y, sw))
            return self._result(logs, return_dict)
        x, y, sw = self._data(x, y, sample_weight, "train_on_batch")
        if class_weight is not None:
            sw = _class_weights(class_weight, y, sw, self)
        with denormals.flushed():
            value, a = fastpath.choose(self)(self, x, y, sw)
        if not math.isfinite(value):
            raise FloatingPointError(
                f"train_on_batch: the loss is {value}; the update was not applied. "
                "Try a smaller learning rate or scaled inputs."
            )
        return self._step_result(value, y, a, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        if custom_step.custom(self):
            self._custom_ready("test_on_batch")
            logs = custom_step.run_test_step(self, custom_step.triple(
                *custom_step.arrays(self, x, y, sample_weight, "test_on_batch")))
            return self._result(logs, return_dict)
        x, y, sw = self._data(x, y, sample_weight, "test_on_batch")
        return self._result(training.run_evaluate(self, x, y, sw, training.rows(x)), return_dict)

    def predict_on_batch(self, x) -> np.ndarray:
        return self.predict(x, batch_size=training.rows(self._features(x, "x")), verbose=0)

    # -- Keras 2's names (TensorFlow 2.x): the same calls, with a note (glassnet/keras/legacy.py)
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Keras 2's ``fit_generator``: ``fit`` on a generator (Keras 3 has only ``fit``)."""
        _note("fit_generator", "model.fit_generator(generator, ...) is Keras 2's; Keras 3 writes "
              "model.fit(generator, ...)")
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                        callbacks=callbacks, validation_data=validation_data, validation_steps=validation_steps,
                        validation_freq=validation_freq, class_weight=class_weight, shuffle=shuffle,
                        initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """Keras 2's ``evaluate_generator``: ``evaluate`` on a generator."""
        _note("evaluate_generator", "model.evaluate_generator(generator, ...) is Keras 2's; Keras 3 writes "
              "model.evaluate(generator, ...)")
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """Keras 2's ``predict_generator``: ``predict`` on a generator."""
        _note("predict_generator", "model.predict_generator(generator, ...) is Keras 2's; Keras 3 writes "
              "model.predict(generator, ...)")
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Removed in TensorFlow 2.6: refused, naming what to write."""
        raise AttributeError("predict_classes was removed in TensorFlow 2.6 (Keras 3 has none): write "
                             "np.argmax(model.predict(x), axis=-1) for a softmax output, or "
                             "(model.predict(x) > 0.5).astype('int32') for a sigmoid one")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Removed in TensorFlow 2.6: refused, naming what to write."""
        raise AttributeError("predict_proba was removed in TensorFlow 2.6 (Keras 3 has none): write "
                             "model.predict(x), which gives the probabilities of a sigmoid or softmax output")

    def _step_result(self, value, y, a, return_dict):
        training.keep_loss(self, value)
        for m in self._compiled_metrics:
            m.reset_state()
            m.update_state(y, a)      # Keras weights the loss, not compile metrics
        return self._result(training._logs(value, self._compiled_metrics), return_dict)   # float32 values, sorted


def _array_batches(x, y, sw, batch_size, shuffle, steps=None, from_start=False):
    """fit's batches of arrays: all of them each epoch, or ``steps`` an epoch (``steps_per_epoch``,
    ``validation_steps``) as Keras 3 takes them (``training.ArraySteps``)."""
    if steps is None:
        return training.ArrayBatches(x, y, sw, batch_size, shuffle)
    return training.ArraySteps(x, y, sw, batch_size, shuffle, steps, from_start=from_start)


def _note(spelling, message, stacklevel=4):
    from ..keras.legacy import note         # deferred: glassnet.keras imports the models
    note(spelling, message, stacklevel=stacklevel)


def _keras2_loader_args(kwargs, call):
    """Keras 2's ``max_queue_size``, ``workers``, ``use_multiprocessing`` of fit/evaluate/predict:
    accepted and ignored with a note (glassnet reads batches in one thread; Keras 3 moved them
    to ``keras.utils.PyDataset``). Any other unknown argument is a TypeError naming it."""
    unknown = sorted(set(kwargs) - {"max_queue_size", "workers", "use_multiprocessing"})
    if unknown:
        raise TypeError(f"{call}() got an unexpected keyword argument {unknown[0]!r}")
    for name in sorted(kwargs):
        _note(f"{call}({name}=)", f"{call}({name}=...) is Keras 2's and is ignored: glassnet reads batches "
              "in one thread (Keras 3 gives workers to keras.utils.PyDataset, not to fit)", stacklevel=5)


def _keras2_compile_args(kwargs):
    """TensorFlow 2's Keras 2 compile also took ``experimental_run_tf_function`` (ignored there
    too) and ``sample_weight_mode`` (None: one weight per sample, glassnet's only mode)."""
    for name in sorted(kwargs):
        value = kwargs[name]
        if name == "experimental_run_tf_function" or (name == "sample_weight_mode" and value is None):
            _note(f"compile({name}=)", f"compile({name}=...) is Keras 2's and is ignored; Keras 3 has no "
                  f"{name}", stacklevel=5)
        elif name == "sample_weight_mode":
            raise ValueError(f"compile: sample_weight_mode={value!r} is not supported: glassnet weighs whole "
                             "samples (sample_weight of shape (samples,)); leave it out")
        else:
            raise TypeError(f"compile() got an unexpected keyword argument {name!r}")


def _no_arrays_beside(x, y, sample_weight, call):
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(f"{call}: {name} must not be given when x is a generator or dataset: "
                             "each batch carries its own (x, y[, sample_weight])")


def _positive_int(value, name, default):
    if value is None:
        return default
    whole = isinstance(value, (float, np.floating)) and float(value).is_integer()   # np.ceil(n / 256), as TF's tutorials pass
    if isinstance(value, bool) or not (isinstance(value, (int, np.integer)) or whole) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _verbosity(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) or isinstance(verbose, bool) and verbose not in (0, 1):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
    return int(verbose)


def _only(value, name, what):
    """The entry for the one output ``name`` of a dict (anything else as it is)."""
    if not isinstance(value, dict) or "class_name" in value:
        return value
    if set(value) != {name}:
        raise ValueError(f"{what}: the model's one output is named {name!r}; got keys {sorted(map(str, value))}")
    return value[name]


_UNSIZED = "unsized"        # batches of a size the data's spec leaves unknown (tf.data's (None, ...))


def _built_batch(rows, batch_size):
    """The batch Keras's fit and evaluate build with (its summary shows it): the batch size when
    every batch is full, None when the last is short; ``batch_size`` None: one batch of ``rows``."""
    if batch_size is _UNSIZED:
        return None
    return rows if batch_size is None else batch_size if rows % batch_size == 0 else None


def _flat_callbacks(callbacks) -> list:
    """``callbacks=`` as Keras takes it (flattened): a list or tuple, or one callback on its own
    (``callbacks=EarlyStopping(...)``, as the audio tutorial passes it)."""
    if callbacks is None:
        return []
    return list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]


def _callback_list(model, callbacks, kind):
    """evaluate's / predict's callbacks (Keras's): a CallbackList told the run begins, or None."""
    callbacks = _flat_callbacks(callbacks)
    if not callbacks:
        return None
    from ..callbacks import CallbackList  # noqa: PLC0415 - the callbacks build on the engine
    cbs = CallbackList(callbacks, model, {"verbose": 0, "epochs": 1, "steps": None})
    getattr(cbs, f"on_{kind}_begin")()
    return cbs


def _class_weights(class_weight, y, sw, model=None):
    if isinstance(y, list):
        raise ValueError("fit: class_weight is for a model with one output; with several, give sample_weight")
    shape = getattr(model, "output_shape", None)        # labels of fewer axes than the output: class ids
    out_ndim = len(shape) if isinstance(shape, tuple) else None
    return _checks.class_weights(class_weight, y, sw, out_ndim=out_ndim)


def _empty_like_output(shape) -> np.ndarray:
    """No predictions, shaped as the output ``shape`` (a None inside, such as a sequence's
    unknown length, taken as 1): what the compiled metrics are chosen by."""
    return np.empty((0,) + tuple(1 if d is None else d for d in shape[1:]))
