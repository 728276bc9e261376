"""Keras's ``Model``: a ``Layer`` that trains (compile, fit, evaluate, predict, save).

There are three ways to make one, as in Keras:

- ``Sequential([...])`` (``glassnet/engine/sequential.py``), a subclass of this class;
- **functional**: ``Model(inputs=inputs, outputs=outputs)``; a chain of layers is their stack, any
  other graph (several inputs or outputs, merges, shared layers) runs call by call
  (``glassnet/engine/functional.py``, ``glassnet/engine/graph.py``);
- **subclassing**: ``class MyModel(Model)`` with layers set as attributes and a ``call`` of
  its own. Its weights are those layers' weights; ``model(x)`` runs ``call`` (passing
  ``training`` down to the layers it calls); ``fit`` runs ``call`` on each batch, records
  the layer calls it makes (``glassnet.tf.tape``) and runs their ``backward`` last to first,
  as a layer written with ``call`` is run (``glassnet/layers/by_call.py``): what ``call``
  adds with ``self.add_loss`` is in ``model.losses``, fit's loss and its gradient.
  Nothing of your data is used to find out the model's structure: every batch trains.
  A subclass may also write its own ``train_step``/``test_step`` (``glassnet/engine/custom_step.py``).

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
(TensorShape([2, 1]), 4)
>>> isinstance(model, glassnet.layers.Layer)
True
"""
from __future__ import annotations

import contextlib

import numpy as np

from .. import config
from ..layers import InputLayer, Layer, by_call
from ..layers.base import built_as_keras, in_symbolic_build, seen_batch, symbolic_build
from ..tf import tape
from ..tf.tensor import KerasTensor, wrap
from ..tf.variable import Variable, weight_scope
from ..utils import snake_case, unique_name
from . import checks as _checks
from . import functional
from .graph import Graph
from .step import forward, input_grads_needed
from .trainer import Trainer


class Model(Trainer, Layer):
    """Keras's ``Model``: a layer that trains. Made three ways: ``Sequential`` (a subclass),
    the functional ``Model(inputs, outputs)`` (a chain of layers is a stack; any other graph a
    ``glassnet.engine.graph.Graph``), or a subclass of your own with layers (and Variables) as
    attributes and a ``call``."""

    default_training = None     # a model inside a model, called with training unset: each of its layers its own

    def __init__(self, layers=None, trainable=True, name=None, inputs=None, outputs=None, **kwargs):
        if layers is self:          # super().__init__(self), as TensorFlow's pandas tutorial writes (Keras 2 took it)
            layers = None
        if inputs is None and _all_symbolic(layers) and _all_symbolic(trainable):   # Model(inputs, outputs)
            layers, inputs, outputs, trainable = None, layers, trainable, True
        if kwargs or (inputs is None) != (outputs is None):
            raise TypeError("Model: give both inputs and outputs (Model(inputs=inputs, outputs=outputs)), or a "
                            "list of layers" + (f"; unexpected argument(s) {', '.join(sorted(kwargs))}" if kwargs else ""))
        graph = in_names = out_names = None
        if inputs is not None:
            ins, in_names = functional.structure(inputs, "inputs")
            outs, out_names = functional.structure(outputs, "outputs")
            ins, outs = functional.cut(ins, outs)             # a layer's output as an input: cut there
            found = None if in_names or out_names else functional.chain(ins, outs)
            if name is None:                                  # Keras: "functional", or the subclass's own
                name = unique_name("functional" if type(self) is Model else snake_case(type(self).__name__))
            if found is not None:                             # one chain: a stack, as Sequential
                layers = [found[0], *found[1]]
                self._root = found[0]
            else:                                             # any other graph of layer calls
                graph = Graph(ins, outs, input_names=in_names, output_names=out_names)
        self._functional = inputs is not None   # Model(inputs, outputs): Keras's Functional
        self._layers: list[Layer] = []      # the stack, for a model that is one (Sequential, functional)
        self._graph = graph                 # or the graph, for a functional model that is not a chain
        self._input_names, self._output_names = in_names, out_names     # dicts given as inputs / outputs
        self._last_call = None              # a subclass's latest forward: (its tape, input, output)
        super().__init__(name=name, trainable=trainable)       # None: an automatic name; '' stays '', as Keras
        self.optimizer = self.loss = None
        self.compiled = False
        self._metric_specs: list = []
        self._compiled_metrics: list = []   # the compiled metric objects (built on the first data)
        self.output_shortcut = False        # decided by compile: see glassnet.engine.step.output_shortcut
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self._append(layer, build=False)
        if self._layers and self._input_shape is not None:     # built once, as Keras builds a Sequential
            self.build(self._input_shape)
        if graph is not None:
            self._input_shape = _one_or_list([tuple(i.shape) for i in graph.inputs])
            self.output_shape = _one_or_list([tuple(o.shape) for o in graph.outputs])
            self.built = True
        if self._functional and type(self) is Model:
            self.__class__ = Functional         # what Keras 3 makes of Model(inputs, outputs)

    # -- structure ----------------------------------------------------------------------
    def _is_subclass(self) -> bool:
        """A subclass with a ``call`` of its own (not a stack of layers, not a functional graph)."""
        return not self._is_stack() and self._graph is None

    def _is_stack(self) -> bool:
        """True for a model whose forward pass is its layers in order (Sequential, a
        functional chain); False for a functional graph and for a subclass with a ``call`` of
        its own."""
        return type(self).call is Model.call and self.__dict__.get("_graph") is None

    def step_units(self) -> list:
        """What the training step runs forward in order and backward in reverse: the stack's
        layers, or the model itself (a graph: its calls in order; a subclass: its ``call``,
        recorded and run back). (Not ``units``: a subclass often keeps ``self.units``, as the
        time-series tutorial's ``FeedBack(units=32)`` does.)"""
        return self._layers if self._is_stack() else [self]

    def __setattr__(self, name, value):
        """Layers and models set as attributes (or in a list or tuple of them) are the
        model's: their weights are its weights, as Keras tracks them."""
        if name == "trainable" and "trainable" in self.__dict__:    # Keras: to every layer inside, nested too
            for part in self._parts():
                if part is not self:
                    part.trainable = value
        if not name.startswith("_"):
            items = value if isinstance(value, (list, tuple)) else [value]
            tracked = self.__dict__.setdefault("_tracked", [])
            for item in items:
                if isinstance(item, Layer) and item is not self and not any(t is item for t in tracked):
                    tracked.append(item)
                elif isinstance(item, Variable) and not any(v is item for v in self.__dict__.get("_variables", ())):
                    self._variables.append(item)        # a tf.Variable set as an attribute: a weight of the model
        super().__setattr__(name, value)

    def _parts(self) -> list:
        """Whose weights are the model's: the stack's layers, or those set as attributes (a
        subclass with a call of its own, or one with none that holds models: a GAN's two)."""
        if self._graph is not None:
            return self._graph.layers
        tracked = self.__dict__.get("_tracked", [])
        if self._is_stack() and (self._layers or not tracked):
            return self._layers
        return tracked

    def _append(self, layer, build=True) -> None:
        if isinstance(layer, InputLayer):
            if self._layers or self._input_shape is not None:
                raise ValueError(f"{type(self).__name__}: an Input can only be the first entry of the model")
            self._input_shape = tuple(layer.shape)
            self._root = layer                          # the symbolic input its layers' outputs chain from
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
        if build and self._input_shape is not None:
            self.build(self._input_shape)

    @property
    def operations(self) -> list:
        """Every node's operation in Keras's order: a functional model's Input layers, its layers
        and its named operations (``x + y``: ``glassnet/layers/named_ops.py``); the summary's rows."""
        if self._graph is not None:          # an Input's layer, which prints as Keras's InputLayer
            return [op.as_layer() if isinstance(op, InputLayer) else op for op in self._graph.all_layers]
        if self.__dict__.get("_functional") and self._is_stack():
            return [self._root.as_layer(), *self._layers]
        return list(self._parts())

    @property
    def layers(self) -> list[Layer]:
        """The model's layers; a functional model's (``Model(inputs, outputs)``) start with its
        Input layers, and leave out its named operations, as Keras 3's do (a Sequential's and a
        subclass's have no Input layer)."""
        return [op for op in self.operations if not getattr(op, "keras_op", None)]

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
        if self._graph is not None:                     # a functional graph is built as it is made
            return
        if input_shape is None:
            input_shape = self._input_shape
        if input_shape is None:
            raise ValueError(f"{who}.build: give the input shape, e.g. model.build((None, 400))")
        shape = tuple(input_shape)
        # (None,) is a batch of scalars or strings (Keras's Input(shape=()): a text model's input);
        # (400,) is a missing batch dimension. A subclass's call may take 1-D samples.
        if len(shape) < 2 and (self._is_stack() or not shape) and shape != (None,):
            raise ValueError(f"{who}.build: input_shape must include the batch dimension, e.g. "
                             f"(None, {shape[0] if shape else 'features'})")
        self._input_shape = (None,) + shape[1:]
        if not self._is_stack():
            with symbolic_build(), weight_scope(self):  # (no batch of 1 recorded: Keras's build has none)
                out = self(np.zeros((1,) + tuple(shape[1:]), self.dtype or config.floatx()), training=False)
            self.output_shape = (None,) + tuple(np.shape(out)[1:])
            self.built = True
            return
        if not self._layers:
            raise ValueError(f"{who}.build: the model has no layers; add some first")
        with weight_scope(self):                        # (its layers' weights: sequential/dense/kernel, as Keras 3)
            for layer in self._layers:
                layer._built_batch = shape[0]           # build((7, 4)): Keras's summary shows (7, ...)
                shape = layer.build_from_shape(shape)
        self.output_shape = shape
        self.built = True
        if not self.__dict__.get("_functional"):        # Keras 3 builds a Sequential as a Functional of
            unique_name("functional")                   # its layers, which takes the next default name
        root = self.__dict__.get("_root")               # each layer's symbolic output, chained from
        if root is None or tuple(root.shape[1:]) != tuple(self._input_shape[1:]):   # the model's Input
            root = self._root = InputLayer(shape=self._input_shape[1:])
            root.keras_tensor_name = unique_name("keras_tensor")     # (printed as Keras's Input tensor)
        tensor = root
        for layer in self._layers:                      # (a call already made on this input is kept:
            made = layer.__dict__.get("_symbolic_output")       # Model(inputs, outputs) has its tensors)
            same = made is not None and len(made.parents) == 1 and made.parents[0] is tensor and not made.index
            tensor = made if same else functional.call(layer, tensor)

    def _build_for(self, input_shape, batch) -> None:
        """``build(input_shape)`` for data that comes in batches of ``batch`` rows (None: not one
        size). Keras builds a layer with the shape it first sees and its summary shows that
        batch: a stack's layers all take it, a subclass's those its first call builds."""
        fresh = [layer for layer in _within(self) if not layer.built]
        self.build(input_shape)
        if self.output_shape is None and not self._is_stack() and self._graph is None:   # a build of its own
            self.built = True                   # made the weights only (keras.io's TNP model), once: its call on
            with symbolic_build():
                out = self(np.zeros((1,) + tuple(input_shape[1:]), self.dtype or config.floatx()), training=False)
            self.output_shape = (None,) + tuple(np.shape(out)[1:])      # a row of zeros gives the shape
        batch = seen_batch(None if batch is None else int(batch))
        for layer in (self._layers if self._is_stack() else []) + [l for l in fresh if l.built]:
            layer._built_batch = batch

    def build_on(self, x, batch=None) -> None:
        """Build a subclass whose ``call`` takes a dict (or a list) of inputs, or one array (``x``,
        checked) by running it once, in inference mode, on one sample of zeros (empty strings for
        text) shaped as x's (``batch``: the batch its layers record, as built by a call on it)."""
        def one(v):
            return np.full((1,) + v.shape[1:], "", object) if v.dtype.kind in "OUS" else np.zeros((1,) + v.shape[1:], v.dtype)
        with symbolic_build(batch):
            out = self({k: one(v) for k, v in x.items()} if isinstance(x, dict) else
                       [one(v) for v in x] if isinstance(x, list) else one(x), training=False)
        self.output_shape = (None,) + tuple(np.shape(out)[1:])
        self.built = True

    def _trace_first_call(self, x) -> None:
        """Keras's first call of a subclass with no ``build`` of its own that holds layers not
        built yet (``Layer._maybe_build``): its ``call`` is traced once, which builds them
        (symbolically in Keras; here on one sample of zeros, :meth:`build_on`, drawing nothing
        and on no tape), then it runs on ``x``. With a ``build`` of its own, or nothing to build,
        the first call runs ``call`` once."""
        if self.built or in_symbolic_build() or type(self).build is not Model.build or all(
                built_as_keras(part) for part in self._parts()):
            return
        values = list(x.values()) if isinstance(x, dict) else x if isinstance(x, list) else [x]
        if not values or not all(isinstance(v, np.ndarray) and v.ndim >= 1 for v in values):
            return                              # (data of another form: built by its call)
        kept = [(g, g.state.numpy().copy()) for g in by_call._seed_generators(self)]
        with contextlib.ExitStack() as paused:
            for t in tape.recording_tapes():
                paused.enter_context(t.stop_recording())
            try:
                self.build_on(x, batch=len(values[0]))
            except Exception:  # noqa: BLE001 - as Keras's eager call: the call itself then builds what it needs
                pass
            finally:
                for g, state in kept:
                    g.state.value[...] = state

    # Shapes: None until known (a Layer's raise; a model is asked before it is built).
    @property
    def input_shape(self):
        return self.__dict__.get("_input_shape")

    @input_shape.setter
    def input_shape(self, value) -> None:
        self._input_shape = _shape(value)

    @property
    def output_shape(self):
        return self.__dict__.get("_output_shape")

    @output_shape.setter
    def output_shape(self, value) -> None:
        self._output_shape = _shape(value)

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

    @property
    def non_trainable_variables(self) -> list:
        """Keras's other name for ``non_trainable_weights`` (a subclass's own, where it has one)."""
        return self.non_trainable_weights

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
    def losses(self) -> list:
        """Keras's ``model.losses``: what the model's own latest call added with ``add_loss``
        (Tensors), its layers' losses, then its own Variables' penalties."""
        return list(self.__dict__.get("_call_losses", ())) + \
            [penalty for part in self._parts() for penalty in part.losses] + \
            [wrap(np.asarray(v.regularizer(v.value), v.value.dtype)) for v in self._variables
             if v.regularizer is not None]

    def __call__(self, x=None, training=None, **kwargs):
        """``model(x)``: the outputs as a Tensor, as TensorFlow's. A subclass's own ``call``
        runs instead (its layers take ``training`` from it; ``model(inputs=x, states=s)``: the
        other arguments go to its ``call``); inside a ``GradientTape`` the call is recorded
        (``glassnet.tape``)."""
        if x is None and "inputs" in kwargs:
            x = kwargs.pop("inputs")
        if kwargs and (self._graph is not None or self._is_stack()):
            raise TypeError(f"{type(self).__name__} {self.name!r}: unexpected argument(s) "
                            f"{', '.join(sorted(kwargs))} (only a subclass's own call takes more)")
        if functional.is_symbolic(x):                   # a model used as a layer of a functional model
            return functional.call(self, self._symbolic_inputs(x))
        if self._graph is not None:                     # a functional graph: its nodes in order
            outs = self._graph.forward(self._graph_inputs(x, "x"), tape.training_given(training))
            out = self._graph_outputs([wrap(o) for o in outs])
            if tape.recording():
                tape.record_call(self, x, out, tape.training_given(training))
            return out
        if not self._is_stack():                        # a subclassed model: its own forward pass
            if "_first_call_shape" not in self.__dict__ and hasattr(x, "shape"):   # (Keras's build_config)
                self.__dict__["_first_call_shape"] = tuple(x.shape)
            if not kwargs:
                self._trace_first_call(x)
            self.__dict__["_call_extras"] = kwargs      # (by_call.run: add_loss terms reset per top-level call)
            try:
                return by_call.run(self, x, training)
            finally:
                self.__dict__["_call_extras"] = {}
        given = x
        if not self.built and self._input_shape is None and not isinstance(x, (list, tuple, dict)) and np.ndim(x) > 2:
            self._build_for((None,) + tuple(np.shape(x)[1:]), np.shape(x)[0])
        # a call (not fit) builds for what it gets, as Keras:
        # a call on sequences takes any number of steps, as Keras's (it warns, then runs the layers): the
        # time-series tutorial builds Dense(1) on 1 step, then calls it on 24; only the features must match
        # (not past a Flatten or Reshape, whose sizes fix the steps: a wrong shape is named there)
        loose = self._input_shape
        loose = None if loose is None or len(loose) != 3 or isinstance(x, (list, tuple, dict)) or \
            np.ndim(x) != 3 or any(type(layer).__name__ in ("Flatten", "Reshape") for layer in self._layers) \
            else (None, loose[-1])
        x = _checks.features(x, "x", self, expected=loose)  # Dense(...) on (batch, steps, features), a transformer's
        if not self.built:
            self._build_for((None,) + x.shape[1:], x.shape[0])
        # training unset: each layer its own default (an augmentation layer augments), as Keras
        out = wrap(forward(self._layers, x, tape.training_given(training)))     # a Tensor, as TensorFlow's
        if tape.recording():
            tape.record_call(self, given, out, tape.training_given(training))
        return out

    def call(self, inputs, training=False):
        """The forward pass: the layers in order. A subclass of ``Model`` may write its own."""
        return forward(self._layers, _checks.features(inputs, "inputs", self), training)

    # -- description, files ---------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs) -> None:
        """Print Keras's table: layer (type), output shape, parameter count, totals."""
        from .summary import summary_text
        (print_fn or print)(summary_text(self, show_trainable=bool(kwargs.get("show_trainable"))))

    def get_config(self) -> dict:
        """Keras's model config: a functional model's layers with their calls (``input_layers``,
        ``output_layers``), a stack's layers in order; a subclass with a ``call`` of its own, Keras's
        base (name, trainable, dtype), to which its own ``get_config`` adds its arguments."""
        if self._is_subclass():
            return super().get_config()
        if self.__dict__.get("_functional"):
            from ..saving.keras_config import model_config  # noqa: PLC0415 - saving builds on the engine
            return model_config(self)["config"]
        layers = []
        if self._input_shape is not None:
            shape, root = list(self._input_shape), self.__dict__.get("_root")
            if root is not None and list(root.shape)[1:] == shape[1:]:
                shape = list(root.shape)                # Input(batch_shape=(4, ...)): a stateful RNN's fixed batch
            layers.append({"module": "keras.layers", "class_name": "InputLayer",
                           "config": {"batch_shape": shape,                          # text in: Keras's "string"
                                      "dtype": "string" if _checks._takes_strings(self) else "float32",
                                      "sparse": False, "name": "input_layer"}, "registered_name": None})
        for layer in self._layers:
            layers.append(_layer_entry(layer))
        return {"name": self.name, "trainable": self.trainable, "layers": layers}

    def add_loss(self, loss) -> None:
        """From inside a subclassed model's ``call``. A functional model takes none (Keras 3
        raises NotImplementedError there too): add the term in a layer's call."""
        if self.__dict__.get("_functional"):
            raise NotImplementedError("a functional model takes no add_loss (as Keras 3): call self.add_loss "
                                      "inside a layer's call, or write a subclassed model")
        super().add_loss(loss)

    def to_json(self, **kwargs) -> str:
        """Keras's ``model.to_json()``: the model's config (as a ``.keras`` file's config.json
        holds it) as JSON; ``keras.models.model_from_json`` builds it again."""
        import json  # noqa: PLC0415
        from ..saving.keras_config import model_config  # noqa: PLC0415 - saving builds on the engine
        return json.dumps(model_config(self), **kwargs)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A model from ``get_config()``'s dict: a functional one's graph replayed, a stack's
        layers in order (each class found as ``load_model`` finds it: glassnet's, registered, or
        in ``custom_objects``); a subclass of yours is ``cls(**config)``, as a layer's."""
        if not (cls.__module__.startswith("glassnet.") and isinstance(config, dict) and "layers" in config):
            return super().from_config(config)
        from ..saving.keras_config import build_model  # noqa: PLC0415 - saving builds on the engine
        kind = "Functional" if "input_layers" in config else "Sequential"
        model, _ = build_model({"module": "keras", "class_name": kind, "config": config},
                               f"{cls.__name__}.from_config", custom_objects)
        return model

    def save(self, filepath, overwrite=True, **kwargs) -> None:
        """Write a Keras 3 ``.keras`` file (atomically). A subclassed model's file names its class
        and holds its ``get_config()``, as Keras's: ``load_model`` builds it again only from the class
        you name in ``custom_objects`` or register (``glassnet/saving/keras_config.py``)."""
        if "save_format" in kwargs:                    # Keras 2's argument: Keras 3's refusal, word for word
            raise ValueError("The `save_format` argument is deprecated in Keras 3. Please remove this argument and "
                             "pass a file path with either `.keras` or `.h5` extension."
                             f"Received: save_format={kwargs['save_format']}")
        unknown = [k for k in kwargs if k not in ("zipped", "include_optimizer")]
        if unknown:                                    # (options=tf.saved_model.SaveOptions(...): Keras 2's)
            raise ValueError(f"The following argument(s) are not supported: {unknown}")
        from .. import saving
        saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True) -> None:
        from .. import saving
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, **kwargs) -> None:
        if filepath is None:                           # tf.train.latest_checkpoint found none: Keras's TypeError
            raise TypeError("stat: path should be string, bytes, os.PathLike or integer, not NoneType "
                            "(load_weights: filepath is None; tf.train.latest_checkpoint gives None where the "
                            "folder has no TensorFlow checkpoint)")
        from .. import saving
        saving.load_weights(self, filepath, **kwargs)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"        # Keras 3's

    def export(self, filepath, format=None, opset=None, verbose=True) -> None:
        """Write the model for serving: ``format="onnx"`` (needs ``glassnet[onnx]``; the default
        for a name ending in ``.onnx``), atomically, see :mod:`glassnet.onnx_export`; or
        ``format="tf_saved_model"`` (Keras 3's default; the default for a folder name without an
        extension): glassnet's SavedModel folder, which ``tf.saved_model.load`` gives back with
        ``serve`` and ``signatures`` (see :mod:`glassnet.tf.saved_model`)."""
        if format is None:
            import os
            name = os.fspath(filepath)
            name = name.decode() if isinstance(name, bytes) else name
            bare = not os.path.splitext(name.rstrip("/\\"))[1] or name.endswith(("/", os.sep))
            format = "tf_saved_model" if bare else "onnx"
        if format == "tf_saved_model":
            from ..tf.saved_model import export_model
            export_model(self, filepath, verbose=verbose)
            return
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
    def inputs(self) -> list:
        """The symbolic inputs: a graph's Inputs, or the Input a built stack starts from (its
        layers' ``output`` chain from it); a subclass's, made from its input shape."""
        if self._graph is not None:
            return list(self._graph.inputs)
        root = self.__dict__.get("_root")
        if self._is_stack() and root is not None and self.built:
            return [root]
        return [self._symbolic(self._input_shape, "input")]

    @property
    def outputs(self) -> list:
        """The symbolic outputs (for a stack, its last layer's ``output``)."""
        if self._graph is not None:
            return list(self._graph.outputs)
        if self._is_stack() and self.__dict__.get("_root") is not None and self.built and self._layers:
            return [self._layers[-1].output]
        return [self._symbolic(self.output_shape, "output")]

    @property
    def input(self):
        """The symbolic input: ``model.input.shape.as_list() == [None, 400]`` (a list for several)."""
        inputs = self.inputs
        return inputs[0] if len(inputs) == 1 else inputs

    @property
    def output(self):
        """The symbolic output: ``model.output.shape.as_list() == [None, 10]`` (a list for several)."""
        outputs = self.outputs
        return outputs[0] if len(outputs) == 1 else outputs

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
        if self.__dict__.get("_graph") is not None:         # a functional graph: built as it was made
            return self.output_shape
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    def _weights_fit(self, shape) -> bool:
        """A built stack takes inputs of ``shape`` (same rank) when its weights would be the
        same for them."""
        built = self.__dict__.get("_input_shape")
        if not self.built or built is None or self.__dict__.get("_graph") is not None or len(shape) != len(built):
            return False
        try:
            return self.count_params_for(shape) == self.count_params()
        except (ValueError, TypeError, IndexError):
            return False

    def count_params_for(self, input_shape) -> int:
        total, shape = 0, tuple(input_shape)
        for layer in self._layers:
            total += int(layer.count_params_for(shape))
            shape = tuple(layer.compute_output_shape(shape))
        return total

    def build_from_shape(self, input_shape) -> tuple:
        shape = (None,) + tuple(input_shape)[1:]
        if self.built and self._input_shape is not None and tuple(self._input_shape) != shape:
            if self._weights_fit(shape):            # another length through Embedding/Conv1D/pooling (Keras
                return self.compute_output_shape(shape)     # built it for the data's (None, None))
            raise ValueError(f"{type(self).__name__} {self.name!r} was built for inputs of shape {self._input_shape}; "
                             f"as a layer it cannot take inputs of shape {shape}")
        if not self.built:
            self.build(shape)
        return self.output_shape

    def forward(self, x, training=False):
        """Its layers' forward passes in order (each keeps what its backward needs); for a
        subclass, its ``call``, recorded on a tape of its own for ``backward``; for a graph,
        its nodes in order (several inputs: a list; several outputs: a list)."""
        if self._graph is not None:
            outs = self._graph.forward(x if isinstance(x, list) else [x], training)
            return outs[0] if len(outs) == 1 else outs
        if self._is_stack():
            return forward(self._layers, x, training)
        # recorded as a layer written with call is (x a Tensor the recorder follows, or a dict of them)
        return by_call.forward(self, x, training)

    def backward(self, grad, need_input_grad=True):
        """Its layers' backward passes in reverse; sets their weights' grad, returns dJ/d(input).
        For a subclass: the calls its latest ``forward`` recorded, last to first; for a graph:
        its nodes in reverse, gradients adding where paths meet (``glassnet/engine/graph.py``)."""
        if self._graph is not None:
            grads = grad if isinstance(grad, list) else [grad]
            dxs = self._graph.backward(grads, need_input_grad)
            return None if dxs is None else (dxs[0] if len(dxs) == 1 else dxs)
        if not self._is_stack():                        # the recorded call run back, add_loss terms seeded
            return by_call.backward(self, grad, need_input_grad, strict=True)
        needs = input_grads_needed(self._layers, need_input_grad)
        for i in range(len(self._layers) - 1, -1, -1):
            if grad is None:                            # nothing flows back past ids or words
                for v in self._layers[i].trainable_weights:
                    v.grad = np.zeros_like(v.value)
                continue
            grad = self._layers[i].backward(grad, needs[i])
        return grad if need_input_grad else None

    @property
    def takes_list(self) -> bool:
        """A graph of several inputs is called on a list of them (or a dict, put in its order)."""
        graph = self.__dict__.get("_graph")
        return graph is not None and len(graph.inputs) > 1

    def _symbolic_inputs(self, x):
        """Symbolic tensors given to this model as a layer, in the order of its inputs: a dict
        by the names its ``inputs`` dict had (else its Input layers' names), as Keras matches
        them; a one-input model takes a dict of one."""
        if not isinstance(x, dict):
            return x
        graph = self.__dict__.get("_graph")
        names = (self._input_names or [i.name for i in graph.inputs]) if graph is not None else list(x)
        missing = [n for n in names if n not in x]
        if missing:
            raise ValueError(f"{type(self).__name__} {self.name!r}: its inputs are named {names}; the dict it "
                             f"was called on has no {missing} (keys {sorted(map(str, x))})")
        items = [x[n] for n in names]
        return items if len(items) > 1 else items[0]

    # -- a functional graph's inputs and outputs as data -------------------------------------
    def _graph_inputs(self, x, name="x") -> list:
        """One array per input of a functional graph, from an array (one input), a list or
        tuple (in the order of ``inputs``), or a dict (by the names ``inputs`` was given as a
        dict with, else by the Input layers' names), each checked as ``fit`` checks ``x``."""
        inputs = self._graph.inputs
        if isinstance(x, dict):
            names = self._input_names or [i.name for i in inputs]
            missing = [n for n in names if n not in x]
            if missing:
                raise ValueError(f"{name}: the model's inputs are named {names}; no data for {missing} "
                                 f"(got keys {sorted(map(str, x))})")
            items = [x[n] for n in names]
        elif isinstance(x, (list, tuple)) and len(inputs) > 1:
            if len(x) != len(inputs):
                raise ValueError(f"{name}: the model has {len(inputs)} inputs "
                                 f"({', '.join(i.name for i in inputs)}), got a list of {len(x)} arrays")
            items = list(x)
        elif len(inputs) == 1:
            one = isinstance(x, (list, tuple)) and len(x) == 1 and isinstance(x[0], np.ndarray)
            items = [x[0] if one else x]                  # [x] for a one-input model, as Keras takes
        else:
            raise ValueError(f"{name}: the model has {len(inputs)} inputs "
                             f"({', '.join(i.name for i in inputs)}): pass a list or a dict of arrays")
        out = []
        for i, (inp, item) in enumerate(zip(inputs, items)):
            item = _checks.column(item)                   # a pandas Series: (n, 1), then fitted to the Input
            where = name if len(inputs) == 1 else f"{name}[{i}] ({inp.name})"
            text = _checks._text(item, where) if np.dtype(getattr(inp, "dtype", None) or "f").kind == "U" else None
            if text is not None:                      # (samples, 1) or (samples,), as the Input says
                text = _checks.match_rank(text.reshape(len(text), *text.shape[2:]) if text.ndim == 2
                                          and len(inp.shape) == 1 else text, tuple(inp.shape[1:]))
            ids = np.dtype(getattr(inp, "dtype", None) or "f")
            arr = text if text is not None else _checks.features(item, where, None, tuple(inp.shape[1:]),
                                                                 ids if ids.kind in "iu" else None)
            out.append(arr)
        rows = {len(a) for a in out}
        if len(rows) > 1:
            raise ValueError(f"{name}: the inputs have different numbers of samples: "
                             f"{', '.join(f'{i.name}: {len(a)}' for i, a in zip(inputs, out))}")
        return out

    @property
    def output_names(self) -> list:
        """The outputs' names (Keras's): the keys of an ``outputs`` dict, else the name of the
        layer that makes each output."""
        if self._output_names:
            return list(self._output_names)
        if self._graph is not None:
            return [getattr(o, "layer", o).name for o in self._graph.outputs]
        return [self._layers[-1].name] if self._layers else []

    def _graph_outputs(self, outs):
        """A functional graph's outputs in the form they were given: one, a list, or a dict."""
        if self._output_names:
            return dict(zip(self._output_names, outs))
        return outs[0] if len(outs) == 1 else list(outs)

    def regularization_loss(self) -> float:
        return float(sum(self.losses))

    def to_onnx(self, g, x):
        """As a layer of an exported model: its layers' nodes, named ``outer/inner/dense/...``."""
        from ..saving.onnx import layers_to_onnx
        return layers_to_onnx(g, self._layers, x)


class Functional(Model):
    """What Keras 3 makes of ``Model(inputs, outputs)``: a :class:`Model` (``isinstance(m, keras.Model)``
    holds) whose type is named ``Functional``, as Keras's, so ``type(m).__name__`` and ``print(m)``
    show it. A subclass of Model given inputs and outputs keeps its own class, as in Keras.

    >>> import glassnet
    >>> inputs = glassnet.Input(shape=(3,))
    >>> model = glassnet.Model(inputs, glassnet.layers.Dense(2)(inputs))
    >>> model, isinstance(model, glassnet.Model)
    (<Functional name=functional, built=True>, True)
    """


def _layer_entry(layer) -> dict:
    """A layer's entry in the config: glassnet's own under ``keras.layers``, one of yours
    under its module with its registered name (as Keras writes them)."""
    from ..layers import registered_classes
    from ..registry import get_registered_name
    cls = type(layer)
    if isinstance(layer, Model):            # a nested model, as Keras writes it
        return {"module": "keras", "class_name": "Sequential", "config": layer.get_config(),
                "registered_name": None}
    if registered_classes().get(cls.__name__) is cls:
        return {"module": "keras.layers", "class_name": cls.__name__, "config": layer.get_config(),
                "registered_name": None}
    if "keras_module" in vars(cls):         # Keras's own class outside keras.layers (a FeatureSpace's TFDConcat)
        return {"module": cls.keras_module, "class_name": cls.__name__, "config": layer.get_config(),
                "registered_name": cls.__name__}
    name = get_registered_name(cls)                 # registered: no module, as Keras writes it
    return {"module": None if ">" in name else cls.__module__, "class_name": cls.__name__,
            "config": layer.get_config(), "registered_name": name}


def _within(layer, seen=None) -> list:
    """Every layer inside ``layer`` (a stack's, those set as attributes, theirs), each once."""
    seen = set() if seen is None else seen
    found = []
    for inner in list(layer.__dict__.get("_layers", ())) + list(layer.__dict__.get("_tracked", ())):
        if id(inner) not in seen:
            seen.add(id(inner))
            found += [inner] + _within(inner, seen)
    return found


def _one_or_list(shapes):
    return shapes[0] if len(shapes) == 1 else list(shapes)


def _shape(value):
    """A shape as a tuple; several (a graph's inputs or outputs) as a list of tuples."""
    if value is None:
        return None
    return [tuple(v) for v in value] if isinstance(value, list) else tuple(value)


def _all_symbolic(value) -> bool:
    """An Input or a layer's symbolic output, or a non-empty list, tuple or dict of them."""
    if isinstance(value, dict):
        value = list(value.values())
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    return bool(items) and all(functional.is_symbolic(v) and not isinstance(v, (list, tuple)) for v in items)
