"""Keras's ``Model``: a ``Layer`` that trains (compile, fit, evaluate, predict, save).

There are three ways to make one, as in Keras:

- ``Sequential([...])`` (``glassnet/engine/sequential.py``), a subclass of this class;
- **functional**, for a chain: ``Model(inputs=inputs, outputs=outputs)`` is the stack of the
  layers between them (``glassnet/engine/functional.py``);
- **subclassing**: ``class MyModel(Model)`` with layers set as attributes and a ``call`` of
  its own. Its weights are those layers' weights; ``model(x)`` runs ``call`` (passing
  ``training`` down to the layers it calls); ``fit`` runs ``call`` on each batch, records
  the layer calls it makes (``glassnet.tf.tape``) and runs their ``backward`` last to first.
  Nothing of your data is used to find out the model's structure: every batch trains.

A model is a layer wherever a layer is accepted (``Sequential([inner_model, Dense(1)])``).

>>> import numpy as np, glassnet
>>> class Two(glassnet.Model):
...     def __init__(self):
...         super().__init__()
...         self.hidden = glassnet.layers.Dense(3, activation="relu")
...         self.out = glassnet.layers.Dense(1)
...     def call(self, x):
...         return self.out(self.hidden(x))
>>> model = Two()
>>> model(np.ones((2, 4))).shape, len(model.trainable_variables)
((2, 1), 4)
>>> isinstance(model, glassnet.layers.Layer)
True
"""
from __future__ import annotations

import functools
import inspect
import math
import time

import numpy as np

from .. import config, losses, optimizers
from .. import metrics as metrics_module
from ..fast import denormals
from ..layers import InputLayer, Layer
from ..tf import tape
from ..tf.tensor import KerasTensor, wrap
from ..utils import snake_case, unique_name
from . import checks as _checks
from . import fastpath, functional, training
from .progress import summary_line
from .step import forward, output_shortcut


class Model(Layer):
    """Keras's ``Model``: a layer that trains. Made three ways: ``Sequential`` (a subclass),
    the functional ``Model(inputs, outputs)`` for a chain of layers, or a subclass of your
    own with layers as attributes and a ``call``."""

    def __init__(self, layers=None, trainable=True, name=None, inputs=None, outputs=None, **kwargs):
        if isinstance(layers, InputLayer) and inputs is None:      # Keras's positional Model(inputs, outputs)
            layers, inputs, outputs, trainable = None, layers, trainable, True
        if kwargs or (inputs is None) != (outputs is None):
            raise TypeError("Model: give both inputs and outputs (Model(inputs=inputs, outputs=outputs)), or a "
                            "list of layers" + (f"; unexpected argument(s) {', '.join(sorted(kwargs))}" if kwargs else ""))
        if inputs is not None:
            first, chain = functional.chain(inputs, outputs)
            layers, name = [first, *chain], name or unique_name("functional")      # Keras's default name
        self._layers: list[Layer] = []      # the stack, for a model that is one (Sequential, functional)
        self._last_call = None              # a subclass's latest forward: (its tape, input, output)
        super().__init__(name=name or unique_name(snake_case(type(self).__name__)), trainable=trainable)
        self.optimizer = self.loss = None
        self.compiled = False
        self._metric_specs: list = []
        self.metrics: list = []             # the compiled metric objects (built on the first data)
        self.output_shortcut = False        # decided by compile: see glassnet.engine.step.output_shortcut
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self._append(layer)

    # -- structure ----------------------------------------------------------------------
    def _is_stack(self) -> bool:
        """True for a model whose forward pass is its layers in order (Sequential, a
        functional chain); False for a subclass with a ``call`` of its own."""
        return type(self).call is Model.call

    def units(self) -> list:
        """What the training step runs forward in order and backward in reverse: the stack's
        layers, or the model itself (a subclass: its ``call``, recorded and run back)."""
        return self._layers if self._is_stack() else [self]

    def __setattr__(self, name, value):
        """Layers and models set as attributes (or in a list or tuple of them) are the
        model's: their weights are its weights, as Keras tracks them."""
        if not name.startswith("_"):
            items = value if isinstance(value, (list, tuple)) else [value]
            tracked = self.__dict__.setdefault("_tracked", [])
            for item in items:
                if isinstance(item, Layer) and item is not self and not any(t is item for t in tracked):
                    tracked.append(item)
        super().__setattr__(name, value)

    def _parts(self) -> list:
        """Whose weights are the model's: the stack's layers, or those set as attributes."""
        return self._layers if self._is_stack() else self.__dict__.get("_tracked", [])

    def _append(self, layer) -> None:
        if isinstance(layer, InputLayer):
            if self._layers or self._input_shape is not None:
                raise ValueError(f"{type(self).__name__}: an Input can only be the first entry of the model")
            self._input_shape = tuple(layer.shape)
            return
        if not isinstance(layer, Layer):                   # a model nests as one layer: it is a Layer
            raise TypeError(
                f"{type(self).__name__}.add: expected a layer (e.g. Dense(10)), got {type(layer).__name__}: {layer!r}"
            )
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"{type(self).__name__}.add: the model already has a layer named {layer.name!r}; "
                             "names must be unique")
        if not self._layers and self._input_shape is None and layer.declared_input_shape is not None:
            self._input_shape = (None,) + layer.declared_input_shape
        self._layers.append(layer)
        self.built = False
        self._decide_shortcut()
        if self._input_shape is not None:
            self.build(self._input_shape)

    @property
    def layers(self) -> list[Layer]:
        return list(self._parts())

    def get_layer(self, name=None, index=None) -> Layer:
        layers = self.layers
        if index is not None:
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r}; layers: {', '.join(l.name for l in layers)}")

    def build(self, input_shape=None) -> None:
        """Create every layer's weights for inputs of ``input_shape`` (batch dimension first).
        A subclass is built by running its ``call`` once on one row of zeros (Keras builds it
        on a symbolic input); nothing of your data is used."""
        who = type(self).__name__
        if input_shape is None:
            input_shape = self._input_shape
        if input_shape is None:
            raise ValueError(f"{who}.build: give the input shape, e.g. model.build((None, 400))")
        shape = tuple(input_shape)
        if len(shape) < 2:
            raise ValueError(f"{who}.build: input_shape must include the batch dimension, e.g. "
                             f"(None, {shape[0] if shape else 'features'})")
        self._input_shape = (None,) + shape[1:]
        if not self._is_stack():
            out = self(np.zeros((1,) + tuple(shape[1:]), self.dtype or config.floatx()), training=False)
            self.output_shape = (None,) + tuple(np.shape(out)[1:])
            self.built = True
            return
        if not self._layers:
            raise ValueError(f"{who}.build: the model has no layers; add some first")
        for layer in self._layers:
            shape = layer.build_from_shape(shape)
        self.output_shape = shape
        self.built = True

    # Shapes: None until known (a Layer's raise; a model is asked before it is built).
    @property
    def input_shape(self):
        return self.__dict__.get("_input_shape")

    @input_shape.setter
    def input_shape(self, value) -> None:
        self._input_shape = None if value is None else tuple(value)

    @property
    def output_shape(self):
        return self.__dict__.get("_output_shape")

    @output_shape.setter
    def output_shape(self, value) -> None:
        self._output_shape = None if value is None else tuple(value)

    # -- weights --------------------------------------------------------------------------
    @property
    def weights(self):
        return [v for part in self._parts() for v in part.weights] + list(self._variables)

    variables = weights

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [v for part in self._parts() for v in part.trainable_weights] + \
            [v for v in self._variables if v.trainable]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.weights if id(v) not in trainable]

    def get_weights(self) -> list[np.ndarray]:
        """Copies of all weights in Keras's order: layer by layer, kernel then bias."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights) -> None:
        """Set all weights (same order as :meth:`get_weights`); all shapes are checked first."""
        variables = self.weights
        weights = list(weights)
        if len(weights) != len(variables):
            raise ValueError(f"set_weights: the model has {len(variables)} weight arrays, got {len(weights)}")
        arrays = [np.asarray(w) for w in weights]
        for i, (v, w) in enumerate(zip(variables, arrays)):
            if v.shape != w.shape:
                raise ValueError(f"set_weights: weights[{i}] ({v.path}) must have shape {v.shape}, got {w.shape}")
            if w.dtype.kind not in "fiu":
                raise TypeError(f"set_weights: weights[{i}] has dtype {w.dtype}, expected numbers")
        start = 0                           # every shape checked: each layer takes its slice
        for part in self._parts():
            count = len(part.weights)
            part.set_weights(arrays[start:start + count])
            start += count
        for v, w in zip(self._variables, arrays[start:]):
            v.value = w

    def count_params(self) -> int:
        return sum(part.count_params() for part in self._parts()) + sum(v.value.size for v in self._variables)

    @property
    def losses(self) -> list[float]:
        return [penalty for part in self._parts() for penalty in part.losses] + \
            [float(v.regularizer(v.value)) for v in self._variables if v.regularizer is not None]

    # -- compile --------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True) -> None:
        """Choose the optimizer (default ``"rmsprop"``), the loss and the metrics."""
        if loss_weights is not None or weighted_metrics is not None:
            raise ValueError("compile: loss_weights and weighted_metrics are not supported (single-output models)")
        opt = optimizers.get(optimizer)
        loss_obj = losses.get(loss) if loss is not None else None
        if loss_obj is not None and loss_obj.reduction in ("none", None):
            raise ValueError(f"compile: loss {loss_obj!r} has reduction={loss_obj.reduction!r}; training "
                             "needs one number per batch: use the default 'sum_over_batch_size', or 'sum'")
        if metrics is None:
            specs = []
        elif isinstance(metrics, (list, tuple)):
            specs = list(metrics)
        else:
            raise TypeError(f"compile: metrics must be a list, e.g. metrics=['accuracy']; got {metrics!r}")
        for spec in specs:      # fail now on unknown names rather than at fit
            if isinstance(spec, str):
                metrics_module.get(spec)
        self.optimizer, self.loss, self._metric_specs = opt, loss_obj, specs
        self.metrics = []
        self.compiled = True
        self._decide_shortcut()

    def _decide_shortcut(self) -> None:
        """Whether training starts backward from ``dJ/dZ`` (sigmoid/softmax + cross-entropy)."""
        self.output_shortcut = self._is_stack() and bool(self._layers) and output_shortcut(self.loss, self._layers[-1])

    @property
    def metrics_names(self) -> list[str]:
        return ["loss"] + [m.name for m in self.metrics]

    def _ready(self, x, y) -> None:
        """Build for ``x`` and make the metrics for ``y``; every check has passed before."""
        if not self.built:
            self.build((None,) + x.shape[1:])
        if not self.metrics and self._metric_specs:
            like = np.empty((0,) + tuple(self.output_shape[1:]))
            self.metrics = [metrics_module.get(s, y, like) for s in self._metric_specs]

    def _data(self, x, y, sample_weight, what, xname="x", yname="y", ready=True, expected=None):
        """Check x, y, sample_weight; the model is built (``_ready``) only once all passed."""
        _checks.compiled(self, what)
        x = _checks.features(x, xname, self, expected)
        y_raw = _checks.to_array(y, yname)
        out_shape = _checks.output_shape(self, x.shape)
        if out_shape is None:           # a layer that must be built to know its output shape
            self._ready(x, y_raw)
            out_shape = self.output_shape
        y = _checks.labels(y_raw, yname, self.loss, out_shape)
        _checks.same_length(x, y, xname, yname)
        sw = _checks.sample_weights(sample_weight, len(x), "sample_weight" if xname == "x" else f"{xname}'s sample_weight")
        if ready:
            self._ready(x, y_raw)
        return x, y, sw

    # -- fit / evaluate / predict -------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train by mini-batch gradient descent for ``epochs`` epochs; returns a ``History``."""
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
        verbose = _verbosity(verbose)
        if training.is_batch_source(x):
            return self._fit_source(x, y, epochs, verbose, callbacks, validation_data, class_weight,
                                    sample_weight, initial_epoch, steps_per_epoch, validation_steps)
        if steps_per_epoch is not None or validation_steps is not None:
            raise ValueError("fit: steps_per_epoch and validation_steps go with a generator or PyDataset x; "
                             "with arrays, every epoch sees all the samples")
        x, y, sw = self._data(x, y, sample_weight, "fit", ready=False)
        if class_weight is not None:
            sw = _class_weights(class_weight, y, sw)
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("fit: validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight)")
            vx, vy, vsw = (tuple(validation_data) + (None,))[:3]
            validation = self._data(vx, vy, vsw, "fit", "validation_data[0]", "validation_data[1]",
                                    ready=False, expected=x.shape[1:])
        elif validation_split:
            split = int(math.floor(len(x) * (1.0 - validation_split)))   # the LAST samples, before shuffling
            if split == 0 or split == len(x):
                raise ValueError(
                    f"fit: validation_split={validation_split} of {len(x)} samples leaves "
                    f"{'no training' if split == 0 else 'no validation'} samples: use a validation_split "
                    f"{'smaller' if split == 0 else 'larger'} than {validation_split}, or pass validation_data"
                )
            validation = (x[split:], y[split:], None if sw is None else sw[split:])
            x, y, sw = x[:split], y[:split], (None if sw is None else sw[:split])
        self._ready(x, y)                   # every check passed: only now build the model
        data = training.ArrayBatches(x, y, sw, batch_size, shuffle)
        return training.run_fit(self, data, int(epochs), verbose, callbacks, validation,
                                int(initial_epoch), validation_batch_size)

    def _fit_source(self, source, y, epochs, verbose, callbacks, validation_data, class_weight,
                    sample_weight, initial_epoch, steps_per_epoch, validation_steps):
        """fit on a generator, an iterable of batches, or a PyDataset-like object."""
        _no_arrays_beside(source, y, sample_weight, "fit")
        for name, value in (("steps_per_epoch", steps_per_epoch), ("validation_steps", validation_steps)):
            _positive_int(value, name, None)

        data = training.SourceBatches(source, steps_per_epoch, self._batch_check("fit", "x", class_weight), "x")
        validation = None
        if validation_data is not None:
            if training.is_batch_source(validation_data):
                validation = training.SourceBatches(validation_data, validation_steps,
                                                    self._batch_check("fit", "validation_data"), "validation_data")
            else:
                vx, vy, vsw = (tuple(validation_data) + (None,))[:3]
                validation = self._data(vx, vy, vsw, "fit", "validation_data[0]", "validation_data[1]")
        return training.run_fit(self, data, int(epochs), verbose, callbacks, validation,
                                int(initial_epoch), None)

    def _batch_check(self, call, what, class_weight=None):
        """The check of one batch ``(x, y, sample_weight)`` from a generator or dataset."""
        def check(xb, yb, swb, index):
            where = f"{what} batch {index}"
            xb, yb, swb = self._data(xb, yb, swb, call, f"{where} x", f"{where} y")
            if class_weight is not None:
                swb = _class_weights(class_weight, yb, swb)
            return xb, yb, swb
        return check

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss (plus metrics) on data, in inference mode: a scalar, a list, or a dict. ``x``
        may also be a generator or dataset of ``(x, y[, sample_weight])`` batches."""
        batch_size = _positive_int(batch_size, "batch_size", 32)
        verbose = _verbosity(verbose)
        start = time.perf_counter()
        if training.is_batch_source(x):
            _no_arrays_beside(x, y, sample_weight, "evaluate")
            _checks.compiled(self, "evaluate")
            source = training.SourceBatches(x, _positive_int(steps, "steps", None),
                                            self._batch_check("evaluate", "x"), "x")
            batches = list(source.epoch())
            logs, count = training.run_evaluate_batches(self, batches), len(batches)
        else:
            x, y, sw = self._data(x, y, sample_weight, "evaluate")
            logs, count = training.run_evaluate(self, x, y, sw, batch_size), math.ceil(len(x) / batch_size)
        if verbose:
            print(summary_line(count, time.perf_counter() - start, logs))
        return self._result(logs, return_dict)

    def _result(self, logs, return_dict):
        """Keras's return forms: a dict, the loss alone, or [loss, *metrics in compile order]."""
        if return_dict:
            return logs
        values = [logs["loss"]] + [logs[m.name] for m in self.metrics]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None) -> np.ndarray:
        """The model's outputs for ``x``, batch by batch, in inference mode."""
        batch_size = _positive_int(batch_size, "batch_size", 32)
        verbose = _verbosity(verbose)
        start = time.perf_counter()
        if training.is_batch_source(x):             # a dataset: each batch's x, in order
            def check(xb, index):
                xb = _checks.features(xb, f"x batch {index}", self)
                if not self.built:
                    self.build((None,) + xb.shape[1:])
                return xb
            source = training.SourceBatches(x, _positive_int(steps, "steps", None), check, "x")
            parts = [training.run_predict(self, xb, len(xb)) for xb in source.inputs()]
            if not parts:
                raise ValueError("predict: x gave no batches")
            out, count = np.concatenate(parts), len(parts)
        else:
            x = _checks.features(x, "x", self)
            if not self.built:
                self.build((None,) + x.shape[1:])
            out, count = training.run_predict(self, x, batch_size), math.ceil(len(x) / batch_size)
        if verbose:                 # Keras prints this line too: `predict(x, verbose=0)` is silent
            print(summary_line(count, time.perf_counter() - start))
        return out

    def __call__(self, x, training=None):
        """``model(x)``: the outputs as a Tensor, as TensorFlow's. A subclass's own ``call``
        runs instead (its layers take ``training`` from it); inside a ``GradientTape`` the
        call is recorded (``glassnet.tape``)."""
        if functional.is_symbolic(x):                   # a model used as a layer of a functional model
            return functional.call(self, x)
        if not self._is_stack():                        # a subclassed model: its own forward pass
            with tape.training_scope(training):
                return self.call(x, training=training) if _takes_training(type(self)) else self.call(x)
        given = x
        x = _checks.features(x, "x", self)
        if not self.built:
            self.build((None,) + x.shape[1:])
        out = wrap(forward(self._layers, x, tape.training(training)))     # a Tensor, as TensorFlow's model(x)
        if tape.recording():
            tape.record_call(self, given, out)
        return out

    def call(self, inputs, training=False):
        """The forward pass: the layers in order. A subclass of ``Model`` may write its own."""
        return forward(self._layers, _checks.features(inputs, "inputs", self), training)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One gradient step on one batch; returns its loss (and metrics), before the update."""
        x, y, sw = self._data(x, y, sample_weight, "train_on_batch")
        if class_weight is not None:
            sw = _class_weights(class_weight, y, sw)
        with denormals.flushed():
            value, a = fastpath.choose(self)(self, x, y, sw)
        if not math.isfinite(value):
            raise FloatingPointError(
                f"train_on_batch: the loss is {value}; the update was not applied. "
                "Try a smaller learning rate or scaled inputs."
            )
        return self._step_result(value, y, a, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        x, y, sw = self._data(x, y, sample_weight, "test_on_batch")
        return self._result(training.run_evaluate(self, x, y, sw, len(x)), return_dict)

    def predict_on_batch(self, x) -> np.ndarray:
        return self.predict(x, batch_size=len(x), verbose=0)

    def _step_result(self, value, y, a, return_dict):
        logs = {"loss": value}
        for m in self.metrics:
            m.reset_state()
            m.update_state(y, a)      # Keras weights the loss, not compile metrics
            logs[m.name] = m.result()
        return self._result(logs, return_dict)

    # -- description, files ---------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs) -> None:
        """Print Keras's table: layer (type), output shape, parameter count, totals."""
        from .summary import summary_text
        (print_fn or print)(summary_text(self))

    def get_config(self) -> dict:
        layers = []
        if self._input_shape is not None:
            layers.append({"module": "keras.layers", "class_name": "InputLayer",
                           "config": {"batch_shape": list(self._input_shape), "dtype": "float32",
                                      "sparse": False, "name": "input_layer"}, "registered_name": None})
        for layer in self._layers:
            layers.append(_layer_entry(layer))
        return {"name": self.name, "trainable": self.trainable, "layers": layers}

    def save(self, filepath, overwrite=True, **kwargs) -> None:
        """Write a Keras 3 ``.keras`` file (atomically)."""
        from .. import saving
        saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True) -> None:
        from .. import saving
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, **kwargs) -> None:
        from .. import saving
        saving.load_weights(self, filepath, **kwargs)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, layers={len(self.layers)}, built={self.built}>"

    def export(self, filepath, format="onnx", opset=None) -> None:
        """Write the model for serving: ``format="onnx"`` (needs ``glassnet[onnx]``), atomically.
        See :mod:`glassnet.onnx_export`."""
        from ..saving.onnx import export
        export(self, filepath, format=format, opset=opset)

    # -- symbolic inputs and outputs (Keras's model.input, model.output) ---------------------
    def _symbolic(self, shape, what) -> KerasTensor:
        if not self.built or shape is None:
            raise AttributeError(
                f"{type(self).__name__} {self.name!r} has no {what} yet: it is not built. Start it with "
                "Input(shape=...), call model.build((None, features)), or call fit, predict or the "
                "model itself on data first")
        dtype = next((v.dtype for v in self.weights if v.dtype.kind == "f"), config.floatx())
        return KerasTensor(shape, dtype, f"{self.name}_{what.split()[0]}")

    @property
    def input(self) -> KerasTensor:
        """The symbolic input: ``model.input.shape.as_list() == [None, 400]``."""
        return self._symbolic(self._input_shape, "input")

    @property
    def output(self) -> KerasTensor:
        """The symbolic output: ``model.output.shape.as_list() == [None, 10]``."""
        return self._symbolic(self.output_shape, "output")

    @property
    def inputs(self) -> list:
        return [self.input]

    @property
    def outputs(self) -> list:
        return [self.output]

    # -- a Sequential as one layer of another (Sequential([model, Softmax()])) ----------------
    # The outer model calls these as it calls a layer's; the weights are the inner layers'
    # own Variables, shared: training the outer model trains the inner one.
    @property
    def declared_input_shape(self):
        shape = self.__dict__.get("_input_shape")
        return None if shape is None else tuple(shape[1:])

    @declared_input_shape.setter
    def declared_input_shape(self, value) -> None:
        if value is not None:
            self._input_shape = (None,) + tuple(value)

    def compute_output_shape(self, input_shape) -> tuple:
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    def count_params_for(self, input_shape) -> int:
        total, shape = 0, tuple(input_shape)
        for layer in self._layers:
            total += int(layer.count_params_for(shape))
            shape = tuple(layer.compute_output_shape(shape))
        return total

    def build_from_shape(self, input_shape) -> tuple:
        shape = (None,) + tuple(input_shape)[1:]
        if self.built and self._input_shape is not None and tuple(self._input_shape) != shape:
            raise ValueError(f"{type(self).__name__} {self.name!r} was built for inputs of shape {self._input_shape}; "
                             f"as a layer it cannot take inputs of shape {shape}")
        if not self.built:
            self.build(shape)
        return self.output_shape

    def forward(self, x, training=False):
        """Its layers' forward passes in order (each keeps what its backward needs); for a
        subclass, its ``call``, recorded on a tape of its own for ``backward``."""
        if self._is_stack():
            return forward(self._layers, x, training)
        with tape.GradientTape() as recorder, tape.training_scope(training):
            out = self.call(x, training=training) if _takes_training(type(self)) else self.call(x)
        self._last_call = (recorder, x, out)
        return np.asarray(out)

    def backward(self, grad, need_input_grad=True):
        """Its layers' backward passes in reverse; sets their weights' grad, returns dJ/d(input).
        For a subclass: the calls its latest ``forward`` recorded, last to first."""
        if not self._is_stack():
            if self._last_call is None:
                raise RuntimeError(f"{type(self).__name__}.backward: run forward first")
            recorder, x, out = self._last_call
            return recorder.run_back(out, grad, x, need_input_grad, who=f"{type(self).__name__}.call()")
        for i in range(len(self._layers) - 1, -1, -1):
            grad = self._layers[i].backward(grad, need_input_grad or i > 0)
        return grad if need_input_grad else None

    def regularization_loss(self) -> float:
        return sum(self.losses)

    def to_onnx(self, g, x):
        """As a layer of an exported model: its layers' nodes, named ``outer/inner/dense/...``."""
        from ..saving.onnx import layers_to_onnx
        return layers_to_onnx(g, self._layers, x)


def _layer_entry(layer) -> dict:
    """A layer's entry in the config: glassnet's own under ``keras.layers``, one of yours
    under its module with its registered name (as Keras writes them)."""
    from ..layers import registered_classes
    from ..saving.registry import get_registered_name
    cls = type(layer)
    if isinstance(layer, Model):            # a nested model, as Keras writes it
        return {"module": "keras", "class_name": "Sequential", "config": layer.get_config(),
                "registered_name": None}
    if registered_classes().get(cls.__name__) is cls:
        return {"module": "keras.layers", "class_name": cls.__name__, "config": layer.get_config(),
                "registered_name": None}
    return {"module": cls.__module__, "class_name": cls.__name__, "config": layer.get_config(),
            "registered_name": get_registered_name(cls)}


@functools.cache
def _takes_training(cls) -> bool:
    """Whether a subclassed model's ``call`` has a ``training`` parameter (Keras passes it then)."""
    parameters = inspect.signature(cls.call).parameters
    return "training" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def _no_arrays_beside(x, y, sample_weight, call):
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(f"{call}: {name} must not be given when x is a generator or dataset: "
                             "each batch carries its own (x, y[, sample_weight])")


def _positive_int(value, name, default):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _verbosity(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) or isinstance(verbose, bool) and verbose not in (0, 1):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
    return int(verbose)


def _class_weights(class_weight, y, sw):
    return _checks.class_weights(class_weight, y, sw)
