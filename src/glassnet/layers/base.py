"""``Layer``, the base class of every layer (its weights are ``Variable``s: ``glassnet/tf/variable.py``).

A layer has two halves, written side by side in each subclass:

* ``forward(x, training)`` computes the output and keeps what ``backward`` needs;
* ``backward(grad, need_input_grad=True)`` takes ``dJ/d(output)``, sets the gradient of
  each of its weights (``self.kernel.grad = ...``, same shape as the weight) and returns
  ``dJ/d(input)``.

Weights are made in ``build(input_shape)`` with ``add_weight``. A layer of your own needs
nothing more (see ``docs/architecture.md`` for a worked example):

>>> import numpy as np
>>> class Scale(Layer):
...     '''y = x * s, one learned scale per feature.'''
...     def build(self, input_shape):
...         self.s = self.add_weight((input_shape[-1],), "ones", "s")
...     def forward(self, x, training=False):
...         self.x = x
...         return x * self.s.value
...     def backward(self, grad, need_input_grad=True):
...         self.s.grad = (grad * self.x).sum(axis=0)       # dJ/ds
...         return grad * self.s.value                      # dJ/dx
>>> Scale()(np.ones((2, 3))).shape
TensorShape([2, 3])

Every layer class defined in the modules of ``glassnet.layers`` is registered by its name
(the loader builds only registered classes); a class of your own is registered with
``glassnet.saving.register_keras_serializable()`` or named in ``custom_objects``.
"""
from __future__ import annotations

import contextlib
import functools
import sys
import warnings

import numpy as np

from .. import config, initializers
from ..registry import Family
from ..engine import functional
from ..tf import tape
from ..tf.tensor import KerasTensor, Tensor, cast, wrap
from ..tf.variable import Variable, weight_path, weight_scope   # a weight is TensorFlow's Variable: value, grad, path
from ..utils import snake_case, unique_name
from . import by_call


_REGISTRY: dict[str, type] = {}     # class name -> each layer class glassnet itself defines
_INPUT_SHAPE_WARNING = ("Do not pass an `input_shape`/`input_dim` argument to a layer. When using Sequential "
                        "models, prefer using an `Input(shape)` object as the first layer in the model instead.")
_SYMBOLIC_BUILDS = [0]      # > 0 while a model builds itself by a call on one row of zeros
_TRACED_BATCH = [None]      # the batch that build stands for (a first call's trace: the data's)


def seen_batch(rows):
    """The batch size a layer built by a call on ``rows`` rows records for the summary: Keras
    builds a layer with the shape it first sees (``model(x)`` on 5 rows: ``(5, 3)``). None inside
    a model's own build on a row of zeros, which stands for Keras's symbolic build (no batch);
    inside a first call's trace, the batch of the data it stands for."""
    return _TRACED_BATCH[0] if in_symbolic_build() else rows


def in_symbolic_build() -> bool:
    """Whether a model is building itself now by a call on one row of zeros (Keras's symbolic build)."""
    return _SYMBOLIC_BUILDS[0] > 0


@contextlib.contextmanager
def symbolic_build(batch=None):
    """Calls made inside build layers as Keras's symbolic build does: with no batch size (or
    ``batch``, where Keras traces a first call on data of that many rows)."""
    _SYMBOLIC_BUILDS[0] += 1
    before, _TRACED_BATCH[0] = _TRACED_BATCH[0], batch
    try:
        yield
    finally:
        _SYMBOLIC_BUILDS[0] -= 1
        _TRACED_BATCH[0] = before


class Layer:
    """Base class: naming, weights, lazy building, and ``__call__`` on NumPy arrays."""

    # True for a layer called on a list of inputs (the merge layers: Add, Concatenate, ...): its
    # build_from_shape takes a list of shapes, forward a list of arrays, backward returns a list
    takes_list = False
    # False for a layer whose input has no gradient (Embedding's ids): gradcheck checks its weights only
    differentiable_input = True
    # True for a layer that takes text (TextVectorization, StringLookup): first in a model, fit/predict
    # hand it arrays of strings as they are (engine/checks.py), instead of converting them to numbers
    takes_strings = False
    # Masks (Keras's): Embedding(mask_zero=True) marks id 0 as padding, a (batch, steps) array of
    # True/False. A model hands it on from layer to layer: ``compute_mask`` gives the mask of a
    # layer's output. A layer with supports_masking passes it on unchanged (Dense, Dropout, ...);
    # one that reads it (the RNNs, GlobalAveragePooling1D: uses_mask) gets ``forward(x, training,
    # mask=...)`` and hands on what its output needs; every other layer drops it.
    supports_masking = False
    uses_mask = False
    makes_mask = False              # True where compute_mask may make a mask from none (Embedding)
    # ``training`` for a call that leaves it unset with no enclosing fit/evaluate/model call deciding
    # it (Keras's ``call(..., training=...)`` default): False, but True for the augmentation layers,
    # so ``data_augmentation(images)`` augments while a model's predict never does
    default_training = False
    # True for a layer written as Keras writes one, with ``call``: forward and backward come from
    # recording the call (glassnet/layers/by_call.py); its inner layers set as attributes are its own
    by_call = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("glassnet.layers.") and not cls.__name__.startswith("_"):
            _REGISTRY[cls.__name__] = cls           # (a _Base class shared by a family is not a layer)
        if "build" in vars(cls) and not getattr(vars(cls)["build"], "_records_shape", False):
            cls.build = _recording_shape(vars(cls)["build"])     # the shape get_build_config gives back
        if "call" in vars(cls) and not hasattr(cls, "_is_stack"):   # (a Model records its call itself)
            cls._written_with_call()

    @classmethod
    def _written_with_call(cls):
        """A layer class written with ``call``: forward and backward from recording it."""
        cls.by_call = True
        if "__setattr__" not in vars(cls):
            cls.__setattr__ = Layer._track_setattr
        if "forward" not in vars(cls):
            cls.forward = lambda self, x, training=False, mask=None: by_call.forward(self, x, training, mask)
        if "backward" not in vars(cls):
            cls.backward = lambda self, grad, need_input_grad=True: by_call.backward(self, grad, need_input_grad)
        if cls.compute_output_shape is Layer.compute_output_shape:
            cls.compute_output_shape = _output_shape_by_call
        cls.uses_mask = by_call.takes(cls, "mask")
        if cls.compute_mask is not Layer.compute_mask:      # a compute_mask of yours may make one
            cls.makes_mask = True

    def _track_setattr(self, name, value):
        """``__setattr__`` of a layer written with ``call`` (only theirs: the hand-written layers
        set their caches every step and keep the plain one): the layers set as its attributes
        (or in a list or tuple of them) are its own, their weights its weights, as Keras tracks them;
        ``layer.trainable = False`` reaches them too, as in Keras."""
        if name == "trainable" and "trainable" in self.__dict__:
            for inner in self.__dict__.get("_tracked", ()):
                inner.trainable = value
        if not name.startswith("_"):
            items = value if isinstance(value, (list, tuple)) else [value]
            tracked = self.__dict__.setdefault("_tracked", [])
            for item in items:
                if isinstance(item, Layer) and item is not self and not any(t is item for t in tracked):
                    tracked.append(item)
        object.__setattr__(self, name, value)

    def __init__(self, name=None, trainable=True, dtype=None, input_shape=None, input_dim=None, **kwargs):
        cls = type(self)
        if not cls.by_call and "call" in vars(cls) and not hasattr(cls, "_is_stack"):
            cls._written_with_call()        # call set on the class after it was made (the NMT tutorial's
        if kwargs:                          # Decoder.add_method), as Keras reads call at each call
            raise TypeError(f"{type(self).__name__}: unexpected argument(s) {', '.join(sorted(kwargs))}")
        self.name = unique_name(snake_case(type(self).__name__)) if name is None else name    # '' stays '', as Keras
        self.trainable = trainable
        if dtype is not None and not isinstance(dtype, (str, np.dtype, type)) or isinstance(dtype, str) \
                and dtype.startswith("mixed_") or "glassnet.mixed_precision" in sys.modules:
            from .. import mixed_precision        # a policy: what the layer reports; glassnet keeps float32
            self._dtype_policy, dtype = mixed_precision.layer_policy(dtype)
        self.dtype = np.dtype(dtype) if dtype is not None else None   # None: config.floatx()
        if input_shape is not None or input_dim is not None:    # Keras 3's warning, once per class (the
            warnings.warn(_INPUT_SHAPE_WARNING, stacklevel=2)     # line of its __init__ that calls this one)
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        # Keras 2 style `Dense(4, input_shape=(3,))`: the model builds at once from this.
        self.declared_input_shape = tuple(input_shape) if input_shape is not None else None
        self.built = False
        self._built_batch = None            # the batch of the call that built it, for the summary (Keras's)
        self._variables: list[Variable] = []
        self.input_shape = None
        self.output_shape = None

    # -- weights ------------------------------------------------------------------------
    def add_weight(self, *args, shape=None, initializer=None, name=None, trainable=True, regularizer=None,
                   dtype=None, constraint=None, **kwargs) -> Variable:
        """Make a weight of ``shape`` filled by ``initializer``; it appears in ``weights``.
        Positional order ``(shape, initializer, name)``; Keras 3's keywords; and Keras 2's
        ``add_weight("kernel", shape=...)`` (the name first, as TensorFlow's custom-layer
        guide writes it). No initializer: Glorot uniform for floats, zeros otherwise (Keras's)."""
        if args and isinstance(args[0], str):              # Keras 2: add_weight(name, shape, dtype, initializer, ...)
            names = ("name", "shape", "dtype", "initializer", "regularizer", "trainable")
        else:                                              # glassnet: add_weight(shape, initializer, name, ...)
            names = ("shape", "initializer", "name", "trainable", "regularizer", "dtype")
        if len(args) > len(names):
            raise TypeError(f"add_weight: at most {len(names)} positional arguments, got {len(args)}")
        given = {"shape": shape, "initializer": initializer, "name": name, "trainable": trainable,
                 "regularizer": regularizer, "dtype": dtype}
        for key, value in zip(names, args):
            given[key] = value
        unknown = set(kwargs) - {"autocast", "aggregation", "synchronization", "use_resource", "partitioner",
                                 "overwrite_with_gradient", "caching_device"}
        if unknown:
            raise TypeError(f"{type(self).__name__}.add_weight: unsupported argument(s) {', '.join(sorted(unknown))}")
        shape, initializer, name = given["shape"], given["initializer"], given["name"]
        trainable, regularizer, dtype = given["trainable"], given["regularizer"], given["dtype"]
        if shape is None:
            shape = ()
        if trainable is None:
            trainable = True
        if name is None:                        # Keras's: variable, variable_1, variable_2, ...
            unnamed = sum(v.name == "variable" or v.name.startswith("variable_") for v in self._variables)
            name = "variable" if unnamed == 0 else f"variable_{unnamed}"
        dtype = dtype or self.dtype or config.floatx()      # dtype: e.g. "int64" for a counter
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        # np.array, not np.ascontiguousarray: that one turns a scalar weight's shape () into (1,);
        # a random initializer's own fresh draw is kept as it is (a VGG's 100M-weight copy cost seconds)
        init = initializers.get(initializer)
        value = init(tuple(shape), dtype=dtype)
        if not (isinstance(init, initializers.RandomInitializer) and type(value) is np.ndarray
                and value.dtype == np.dtype(dtype) and value.flags.c_contiguous and value.shape == tuple(shape)):
            value = np.array(value, dtype=dtype, order="C")
        var = Variable.holding(value, name, trainable=trainable and self.trainable, regularizer=regularizer,
                               path=weight_path(self, name))
        if constraint is not None:          # applied after each optimizer step (glassnet/constraints.py)
            from .. import constraints
            var.constraint = constraints.get(constraint)
        self._variables.append(var)
        return var

    @property
    def weights(self) -> list[Variable]:
        return list(self._adopted())

    @property
    def trainable_weights(self) -> list[Variable]:
        return [v for v in self._adopted() if v.trainable and self.trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        return [v for v in self._adopted() if not (v.trainable and self.trainable)]

    def _adopted(self) -> list[Variable]:
        """The weights: those ``add_weight`` made, and any ``tf.Variable`` set as an attribute
        (``self.w = tf.Variable(...)``, as TensorFlow's guides write layers), taken in when
        the weights are first asked for after it was set."""
        variables = self._variables
        for value in vars(self).values():
            if isinstance(value, Variable) and not any(value is v for v in variables):
                variables.append(value)
        if self.by_call and self.__dict__.get("_tracked"):     # its inner layers' weights too, once each
            inner = [v for layer in self._tracked for v in layer.weights]     # (an inner model: all its layers')
            return variables + [v for i, v in enumerate(inner) if not any(v is w for w in variables + inner[:i])]
        return variables

    trainable_variables = trainable_weights
    variables = weights

    @property
    def non_trainable_variables(self) -> list:
        """Keras's other name for ``non_trainable_weights`` (a subclass's own, where it has one)."""
        return self.non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        return [v.numpy() for v in self._adopted()]

    def set_weights(self, weights) -> None:
        weights, variables = list(weights), self._adopted()
        if len(weights) != len(variables):
            raise ValueError(
                f"Layer {self.name!r} expects {len(variables)} weight arrays "
                f"({', '.join(str(v.shape) for v in variables)}), got {len(weights)}"
            )
        for i, (var, w) in enumerate(zip(variables, weights)):
            w = np.asarray(w)
            if w.shape != var.shape:
                raise ValueError(
                    f"Layer {self.name!r} weight {i} ({var.name}): expected shape {var.shape}, got {w.shape}"
                )
        for var, w in zip(variables, weights):
            var.value = w

    def count_params(self) -> int:
        return int(sum(v.value.size for v in self._adopted()))

    def count_params_for(self, input_shape) -> int:
        """How many numbers ``build(input_shape)`` would create, without creating them.

        The file loader asks this before building anything, to refuse a file whose layers
        would fill the memory. This default runs ``build`` on a copy of the layer whose
        ``add_weight`` only records shapes; a layer may return the count directly instead.
        """
        return _count_by_dry_build(self, tuple(input_shape))

    @property
    def losses(self) -> list:
        """Keras's ``layer.losses``: this layer's weight penalties (one per regularized weight),
        then the terms its latest call added with :meth:`add_loss` (its inner layers' too).
        Asked inside a GradientTape, a penalty is computed from the weight as the tape reads
        it: ``loss + sum(model.losses)`` then has the penalty's gradient (``2 l2 w``), as in TF."""
        if tape.recording():
            return [v.regularizer(tape.read(v)) for v in self._adopted() if v.regularizer is not None] + \
                by_call.added_losses(self)
        return [_penalty(v) for v in self._adopted() if v.regularizer is not None] + by_call.added_losses(self)

    def add_loss(self, loss) -> None:
        """From inside ``call``: add ``loss`` (a Tensor computed from the inputs or weights: an
        activity penalty, a VAE's KL divergence) to what training minimises. ``fit`` adds it to
        the loss and its gradient to the weights'; in a loop of your own, add ``sum(model.losses)``
        to the loss under the tape, as Keras asks. Each new call starts the list afresh."""
        self.__dict__.setdefault("_call_losses", []).append(loss)

    # -- activity regularization: Dense, Conv and Embedding take activity_regularizer= --------
    activity_regularizer = None

    def _add_activity_penalty(self, out) -> None:
        """Keras 3: ``activity_regularizer(output) / batch size`` becomes this call's added loss
        (in ``model.losses``, and in the loss ``fit`` and ``evaluate`` report and minimise)."""
        r = self.activity_regularizer
        if r is not None:
            self._activity_output = out
            batch = out.shape[0] if out.ndim and out.shape[0] else 1
            self.__dict__["_call_losses"] = [wrap(np.asarray(r(out) / batch, out.dtype))]

    def _activity_gradient(self):
        """``dJ/d(output)`` of that penalty: ``r'(output) / batch``, times what reached the term
        (1 in fit; on a tape of one's own, the seed the tape's walk set, 0 if left out)."""
        out = self._activity_output
        batch = out.shape[0] if out.ndim and out.shape[0] else 1
        seed = by_call.loss_seeds(self)[0] if self.__dict__.get("_call_losses") else 0.0
        return (seed / batch) * self.activity_regularizer.gradient(out)

    def regularization_loss(self) -> float:
        """Sum of this layer's weight penalties (added to the loss in fit and evaluate)."""
        return float(sum(self.losses))

    # -- building -----------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch dimension first)."""
        self.built = True

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def build_from_shape(self, input_shape) -> tuple:
        """Build (once) and return the output shape; used by models to chain layers."""
        input_shape = tuple(input_shape)
        if not self.built:
            with weight_scope(self):
                self.build(input_shape)
            self.built = True
        elif self._shape_from_call() and input_shape == self.__dict__.get("_input_shape") \
                and self.__dict__.get("_output_shape") is not None:
            return self.output_shape        # known: a model's build asks again, Keras traces call once
        self.input_shape = input_shape
        self.output_shape = self.compute_output_shape(input_shape)
        return self.output_shape

    def __call__(self, x=None, training=None, mask=None, *args, **kwargs):
        """``layer(x)``: build for ``x`` if needed and return the output as a ``Tensor``
        (a NumPy array with ``.numpy()``, as TensorFlow returns). On an ``Input`` (Keras's
        functional API), a symbolic output instead: ``glassnet.functional``. Inside a
        ``GradientTape``, the call is recorded (``glassnet.tape``). ``training`` left unset
        takes the enclosing model call's (a subclassed model's ``call``), else False.
        A padding mask (``mask=``, or the one ``x`` carries as ``x._keras_mask``, as Keras's
        tensors do) goes to a layer that reads it; the output carries its own mask. A layer
        written with ``call(self, x, context)`` takes its other arguments as Keras passes them
        (``layer(x, context)``, ``layer(x=x, context=context)``)."""
        if self.by_call and (args or kwargs or by_call.looks_like_input(training)):
            return self._call_with_arguments(x, training, mask, args, kwargs)
        if x is None:
            raise TypeError(f"{type(self).__name__} {self.name!r}: call it on an input: layer(x)")
        if args or kwargs:
            raise TypeError(f"{type(self).__name__} {self.name!r}: unexpected call argument(s) "
                            f"{', '.join(sorted(kwargs)) or f'{len(args)} more positional'}")
        if functional.is_symbolic(x):
            return functional.call(self, x)
        if self.takes_list:
            return self._call_on_list(x, training)
        given = x
        if self.by_call and isinstance(x, (list, tuple)) and not _python_numbers(x):   # [[2.0, 2.0]]: one input
            return self._call_on_list(x, training)
        x = np.asarray(x)
        if x.dtype == object:
            _refuse_mixed_objects(self, x)
        if not (self.by_call and x.dtype.kind in "iub"):     # (a layer written with call keeps ids as ids)
            x = x.astype(self.dtype or config.floatx(), copy=False)
        if self.by_call:
            self._input_dtypes = [x.dtype]                  # its output shape is found by a call on such zeros
        shape_from_call = False
        if not self.built:
            shape_from_call = self._build_for_call((None,) + x.shape[1:])
            self._built_batch = seen_batch(x.shape[0] if x.ndim else None)
        elif self.__dict__.get("_input_shape") is None:     # built by hand: its first call fixes the shapes
            self.input_shape = (None,) + x.shape[1:]
            shape_from_call = self._shape_from_call()
            if not shape_from_call:
                self.output_shape = self.compute_output_shape(self.input_shape)
        if mask is None:
            mask = getattr(given, "_keras_mask", None)
        if self.by_call and tape.recording():       # a GradientTape is open: it records the call's operations
            out = self._call_on_tape(given, x, training, mask)
        else:
            training = tape.training(training, self.default_training)
            out, out_mask = self.forward_with_mask(x, training, None if mask is None else np.asarray(mask, bool))
            out = _wrap_outputs(out, out_mask)
            if tape.recording():
                tape.record_call(self, given, out, training)
        if shape_from_call:
            self._learn_output_shape(out)
        return out

    # -- a layer written with call: its first call on data runs call once, as Keras's ------------
    def _shape_from_call(self) -> bool:
        """Whether this layer's output shape is what its ``call`` gives (a layer written with
        ``call`` and no ``compute_output_shape`` of its own)."""
        return type(self).compute_output_shape is _output_shape_by_call

    def _build_for_call(self, input_shape) -> bool:
        """Build this layer for its first call on data, as Keras's ``Layer.__call__`` does
        (``_maybe_build``); True when its output shape is to be read from that call's output.

        A layer with a ``build`` of its own is built by it, then ``call`` runs once, on the data.
        One without, holding layers not built yet, is first traced, ``call`` run once
        symbolically to build them (here on one row of zeros: ``by_call.output_shape``), then
        called on the data. Any other layer is simply called (``call`` runs once)."""
        traced = not self.built and type(self).build is Layer.build and not all(
            built_as_keras(inner) for inner in self.__dict__.get("_tracked", ()))
        if traced or not self._shape_from_call():
            self.build_from_shape(input_shape)
            return False
        if not self.built:
            with weight_scope(self):
                self.build(input_shape)
            self.built = True
        self.input_shape = input_shape
        return True

    def _learn_output_shape(self, out) -> None:
        """The output shape from the first call's output (batch None); several outputs: a list."""
        if isinstance(out, (list, tuple)):
            self.output_shape = [(None,) + tuple(np.shape(o)[1:]) for o in out]
        elif hasattr(out, "shape"):
            self.output_shape = (None,) + tuple(np.shape(out)[1:])
        else:                                   # (a dict of outputs: found as a symbolic build finds it)
            self.output_shape = self.compute_output_shape(self.input_shape)

    def call(self, inputs, training=None):
        """Keras's ``call`` of a built-in layer: its forward on ``inputs`` written with recorded
        operations (``call_ops``), so that a subclass's own ``call`` may start from
        ``super().call(inputs)`` and train (the saving guide's ``Dense`` subclass). A layer
        written with ``call`` replaces this one."""
        ops = getattr(self, "call_ops", None)
        if ops is None:
            raise NotImplementedError(f"{type(self).__name__}: super().call() is not available for this layer "
                                      "(it has no recorded forward, call_ops); write the computation in your call")
        if not isinstance(inputs, Tensor):
            inputs = wrap(np.asarray(inputs, self.dtype or config.floatx()))
        return ops(inputs, training=bool(tape.training(training, self.default_training)))

    def _call_with_arguments(self, x, training, mask, args, kwargs):
        """``layer(x, context)`` for a layer whose ``call`` takes more than its input: the
        arguments bound to ``call``'s parameters; the first is the input, the others go to
        ``call`` as they are (the tape follows the tensors among them)."""
        positional = [] if x is None else [x]
        if by_call.looks_like_input(training):      # layer(logits, targets, sample_weight): all positional,
            positional.append(training)             # so the third sat where __call__ names mask
            training = None
            if mask is not None:
                positional.append(mask)
                mask = None
        positional += list(args)
        bound = by_call.bind(type(self), positional, kwargs)
        x = bound.pop("__input__", None)
        training = bound.pop("training", training)
        mask = bound.pop("mask", mask)
        if x is None:
            raise TypeError(f"{type(self).__name__} {self.name!r}: call it on an input")
        tensors = [k for k, v in bound.items() if functional.is_symbolic(v) and not isinstance(v, (list, tuple))]
        if self.by_call and functional.is_symbolic(x) and not any(        # endpoint(targets, logits): one node
                functional.is_symbolic(v) for k, v in bound.items() if k not in tensors):   # of several inputs
            self.__dict__["_tensor_args"] = (tensors, {k: v for k, v in bound.items() if k not in tensors})
            if not tensors:             # endpoint(logits, targets=None): one input, the rest as given
                return self(x, training=training)
            return self([x] + [bound[k] for k in tensors], training=training)    # (Keras's)
        if functional.is_symbolic(x) or any(functional.is_symbolic(v) for v in bound.values()):
            raise TypeError(f"{type(self).__name__} {self.name!r}: in a functional model glassnet calls a layer "
                            f"on its input only, not with {', '.join(sorted(bound))}; call it on data, or "
                            "from a subclassed model's call")
        self.__dict__["_call_extras"] = bound
        try:
            return self(x, training=training, mask=mask)
        finally:
            self.__dict__["_call_extras"] = {}

    def _call_on_tape(self, given, x, training, mask):
        """A layer written with ``call``, called while a GradientTape records: the call runs as
        written, so the tape sees each operation (and what ``add_loss`` added) on the inputs it
        follows, as a subclassed model's call is recorded."""
        if isinstance(given, Tensor):
            x = given if given.dtype == x.dtype else cast(given, x.dtype)      # (recorded)
        else:
            x = wrap(x)
        training = tape.training(training, self.default_training)
        out = by_call.run(self, x, training, mask)
        out_mask = self.compute_mask(x, mask) if mask is not None or self.makes_mask else None
        return _wrap_outputs(out, out_mask)

    def _call_on_list(self, given, training):
        """``layer([x1, x2, ...])`` for a layer that takes a list: each input converted, the
        layer built for their shapes (a list, batch first), ``forward`` given the list."""
        if not isinstance(given, (list, tuple)):
            raise ValueError(f"{type(self).__name__} {self.name!r} should be called on a list of inputs. "
                             f"Received: input_shape={np.shape(given)} (not a list of shapes)")
        xs = [np.asarray(x) if self.by_call and np.asarray(x).dtype.kind in "iub"
              else np.asarray(x, dtype=self.dtype or config.floatx()) for x in given]
        shapes = [(None,) + x.shape[1:] for x in xs]
        if self.by_call:
            self._input_dtypes = [x.dtype for x in xs]
        shape_from_call = False
        if not self.built or self.__dict__.get("_input_shape") is None:
            if not self.built:
                self._built_batch = seen_batch(xs[0].shape[0] if xs and xs[0].ndim else None)
            shape_from_call = self._build_for_call(shapes)
        if self.by_call and tape.recording():       # a GradientTape is open: it records the call's operations
            xs = [g if isinstance(g, Tensor) and g.dtype == x.dtype else wrap(x) for g, x in zip(given, xs)]
            out = _wrap_outputs(by_call.run(self, xs, tape.training(training, self.default_training)))
        else:
            training = tape.training(training, self.default_training)
            out = _wrap_outputs(self.forward(xs, training=training))
            if tape.recording():
                tape.record_call(self, given, out, training)
        if shape_from_call:
            self._learn_output_shape(out)
        return out

    # -- shapes and symbolic tensors, known once built (Keras's layer.input, layer.output) --
    @property
    def input_shape(self) -> tuple:
        """The input shape, batch first (``(None, 400)``); an error before the layer is built."""
        shape = self.__dict__.get("_input_shape")
        if shape is None:
            raise AttributeError(_not_built(self, "input shape"))
        return shape

    @input_shape.setter
    def input_shape(self, value) -> None:
        self._input_shape = None if value is None else tuple(value)

    @property
    def output_shape(self) -> tuple:
        """The output shape, batch first (``(None, 25)``); an error before the layer is built."""
        shape = self.__dict__.get("_output_shape")
        if shape is None:
            raise AttributeError(_not_built(self, "output shape"))
        return shape

    @output_shape.setter
    def output_shape(self, value) -> None:
        self._output_shape = None if value is None else tuple(value)

    @property
    def input(self) -> KerasTensor:
        """The symbolic input: ``layer.input.shape.as_list() == [None, 400]``, and its dtype;
        in a functional model (or a built Sequential), the tensor it was last called on."""
        called = self.__dict__.get("_symbolic_output")
        if called is not None:
            return called.parents if called.takes_list else called.parent
        return KerasTensor(self.input_shape, self.dtype or config.floatx(), f"{self.name}_input")

    @property
    def output(self) -> KerasTensor:
        """The symbolic output: ``layer.output.shape.as_list() == [None, 25]``, and its dtype;
        in a functional model (or a built Sequential), what its last call gave, so that
        ``Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])`` is
        a feature extractor, as in Keras's guide."""
        called = self.__dict__.get("_symbolic_output")
        if called is not None:
            return getattr(called, "all_outputs", called)    # return_state: [output, *states], as Keras
        return KerasTensor(self.output_shape, self.dtype or config.floatx(), f"{self.name}_output")

    # -- the two halves -------------------------------------------------------------------
    def forward(self, x, training=False):
        raise NotImplementedError(f"{type(self).__name__} must define forward(x, training=False)")

    def backward(self, grad, need_input_grad=True):
        raise NotImplementedError(
            f"{type(self).__name__} must define backward(grad, need_input_grad=True): glassnet "
            "computes gradients by hand, so a layer returns dJ/d(input) and sets its weights' grad"
        )

    # -- what a layer says about itself: its ONNX nodes, its lines in explain -----------------
    def to_onnx(self, g, x) -> str:
        """This layer as ONNX nodes added to graph ``g`` after tensor ``x``; returns the output
        tensor's name (see ``glassnet.saving.onnx``). Each layer class that can be exported
        defines it; this one refuses, naming the class."""
        raise ValueError(f"glassnet cannot export {type(self).__name__} to ONNX: the class has no "
                         "`to_onnx(self, g, x)` method. Give it one that adds ONNX nodes to g and returns "
                         "the output tensor's name (see glassnet.saving.onnx)")

    def explain_forward(self, l, x, out, weights=None) -> list[str]:
        """Lines ``glassnet.explain`` prints under this layer's forward equation (layer ``l``,
        input ``x``, output ``out``; ``weights`` maps each weight's name to its value before
        the step): a number worked out by hand, say. None by default."""
        return []

    def narrate_forward(self, page, l, x, out) -> None:
        """This layer's part of ``glassnet.explain``'s forward pass, written on ``page`` (its
        ``put``, ``show``, ``weight``, ``keep``, ``peek`` and ``shape``: see
        ``glassnet.glassbox.explain``): by default ``A[l] = name(A[l-1])`` and the lines of
        :meth:`explain_forward`. Dense, Activation, Dropout and Flatten write their equations."""
        page.put(f"  layer {l}: {self.name} ({type(self).__name__})")
        page.show(f"A[{l}] = {self.name}(A[{l - 1}])", f"{page.shape(x)} -> {page.shape(out)}", f"A[{l}]", out)
        before = {v.name: page.weight(v, f"{v.name}[{l}]") for v in self.weights}
        for line in self.explain_forward(l, x, out, before):
            page.put(f"        {line}")

    def narrate_backward(self, page, l, dx, shortcut=False) -> None:
        """This layer's part of ``glassnet.explain``'s backward pass: how ``dA[l-1]`` (``dx``,
        None for the first layer) comes from ``dA[l]``. ``shortcut``: the declared output
        shortcut started the pass at this layer's ``Z``."""
        if dx is not None:
            page.put(f"    dA[{l - 1}] = {type(self).__name__}.backward(dA[{l}])")
            page.keep(f"dA[{l - 1}]", dx)

    def needs_flat_samples(self) -> bool | None:
        """For fit's check of ``x`` when the model has no declared input shape: True when this
        layer, met first, needs each sample to be a vector (Dense: a 3-D ``x`` is most likely a
        forgotten Flatten); None when it keeps the shape elementwise, so the next layer decides
        (Dropout, the activations); False, the default, when it takes samples of any shape."""
        return False

    def explain_z(self, l) -> str:
        """The name ``glassnet.explain`` gives this layer's ``Z`` (the input of its activation),
        where the declared shortcut's ``dJ/dZ`` enters: ``Z[l]`` for a layer that computes it."""
        return f"Z[{l}]"

    def compute_mask(self, inputs, mask=None):
        """The mask of this layer's output, given its input's (None: no mask)."""
        return mask if self.supports_masking else None

    def forward_with_mask(self, x, training, mask, forward=None):
        """``(output, its mask)``: ``forward(x, training)`` (``self.forward`` unless given: the
        fast path's twin), or ``self.forward(x, training, mask=mask)`` for a layer that reads
        the mask; then :meth:`compute_mask`. How a model and ``layer(x)`` hand masks on."""
        if mask is not None and self.uses_mask:
            out = self.forward(x, training, mask=mask)
        else:
            out = (forward or self.forward)(x, training)
        return out, (self.compute_mask(x, mask) if mask is not None or self.makes_mask else None)

    @property
    def dtype_policy(self):
        """Keras's ``DTypePolicy`` of this layer (``keras.mixed_precision``): a mixed one when the
        layer was made under it (glassnet still computes in float32), else its dtype's."""
        from ..mixed_precision import Policy
        return self.__dict__.get("_dtype_policy") or Policy(self.dtype.name if self.dtype is not None else None)

    @property
    def compute_dtype(self) -> str:
        return self.dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self.dtype_policy.variable_dtype

    # -- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        dtype = self.dtype.name if self.dtype is not None else config.floatx()
        if self.__dict__.get("_dtype_policy") is not None:
            dtype = self._dtype_policy.name
        return {"name": self.name, "trainable": self.trainable,
                "dtype": {"module": "keras", "class_name": "DTypePolicy",
                          "config": {"name": dtype}, "registered_name": None}}

    def get_build_config(self) -> dict | None:
        """Keras's ``{"input_shape": ...}`` of a built layer (None before): the shape its
        ``build`` was given, what ``build_from_config`` builds it from again; a layer may add
        its own keys."""
        shape = self.__dict__.get("input_shape") or self.__dict__.get("_build_shape")
        return {"input_shape": tuple(shape)} if self.built and shape is not None else None

    def build_from_config(self, config: dict) -> None:
        """Build from ``get_build_config()``'s dict: ``build(config["input_shape"])``."""
        if config and config.get("input_shape") is not None:
            self.build_from_shape(config["input_shape"])

    @classmethod
    def from_config(cls, cfg: dict):
        cfg = dict(cfg)
        dtype = cfg.pop("dtype", None)
        if isinstance(dtype, dict):
            dtype = (dtype.get("config") or {}).get("name")
        cfg.pop("batch_input_shape", None)
        layer = cls(**cfg)
        if dtype in ("float16", "float32", "float64"):
            layer.dtype = np.dtype(dtype)
        elif isinstance(dtype, str) and dtype.startswith("mixed_"):
            from ..mixed_precision import layer_policy
            layer._dtype_policy, _ = layer_policy(dtype)
        return layer

    def __repr__(self):
        """Keras 3's ``<Dense name=dense, built=False>``; the layers Keras builds when they are made
        (they have no ``build`` of their own: Dropout, pooling, activations...) print built=True."""
        return f"<{type(self).__name__} name={self.name}, built={built_as_keras(self)}>"


# Keras 3's layers that call _build_at_init() in their constructor (and Reshape, built so too)
_BUILT_WHEN_MADE = frozenset((
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout", "GaussianDropout",
    "GaussianNoise", "ActivityRegularization", "Identity", "Masking", "Reshape", "UnitNormalization",
    "Activation", "ELU", "LeakyReLU", "ReLU", "Softmax",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalAveragePooling3D"))


def built_as_keras(layer) -> bool:
    """Whether Keras would have ``layer`` built: built, or one of the layers Keras builds when
    they are made (:data:`_BUILT_WHEN_MADE`)."""
    return layer.built or any(c.__name__ in _BUILT_WHEN_MADE and c.__module__.startswith("glassnet.")
                              for c in type(layer).__mro__)


def _output_shape_by_call(self, input_shape):
    """``compute_output_shape`` of a layer written with ``call`` and none of its own: ``call``
    run once on zeros (``by_call.output_shape``), Keras's symbolic trace."""
    return by_call.output_shape(self, input_shape)


def _recording_shape(build):
    """``build`` that first notes the shape it is given (``layer.get_build_config()``)."""
    @functools.wraps(build)
    def recorded(self, *args, **kwargs):
        shape = args[0] if args else kwargs.get("input_shape")
        if shape is not None and "_build_shape" not in self.__dict__:
            try:
                self.__dict__["_build_shape"] = tuple(shape)
            except TypeError:                   # (a dict or a number: not a shape to keep)
                pass
        return build(self, *args, **kwargs)
    recorded._records_shape = True
    return recorded


def _python_numbers(x) -> bool:
    """A nested list of Python numbers (``layer([[2.0, 2.0, 2.0]])``, as TensorFlow's guides call
    a layer) is one input, as TensorFlow converts it; a list of arrays or tensors is several."""
    return all(isinstance(v, (int, float, bool)) or (isinstance(v, (list, tuple)) and _python_numbers(v))
               for v in x)


def _refuse_mixed_objects(layer, x):
    """An object array that is not all strings is no tensor (TensorFlow refuses it too:
    ``np.array(df)`` of a table with int, float and bool columns). Raised before anything is built."""
    for i in np.ndindex(x.shape):
        v = x[i]
        if not isinstance(v, (str, bytes)):
            raise ValueError(f"Failed to convert a NumPy array to a Tensor (Unsupported object type "
                             f"{type(v).__name__}): {type(layer).__name__} {layer.name!r} was called on an "
                             f"object array; x{list(i)} is {v!r} (cast it first, e.g. x.astype('float32'))")


def _wrap_outputs(out, mask=None):
    """A call's output as Tensors (a list of outputs: each), each carrying its mask as
    Keras's tensors do (``x._keras_mask``)."""
    if isinstance(out, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(out)
        return [_wrap_outputs(o, m) for o, m in zip(out, masks)]
    out = wrap(out)
    if mask is not None:
        out._keras_mask = wrap(np.asarray(mask))
    return out


def _not_built(layer, what) -> str:
    return (f"{type(layer).__name__} {layer.name!r} has no {what} yet: it is not built. Call it on "
            "data (layer(x)), or put it in a model and build it (model.build((None, features)), "
            "an Input(shape=...) first, fit or predict) before asking for its shapes")


def _count_by_dry_build(layer, input_shape) -> int:
    """Run ``build`` on a shallow copy whose ``add_weight`` records sizes and hands out
    read-only zero-stride arrays (no memory), and return the total."""
    import copy

    dry = copy.copy(layer)
    dry._variables, sizes = [], []

    def add_weight(shape, initializer=None, name="w", trainable=True, regularizer=None, dtype=None):
        shape = tuple(int(d) for d in shape)
        if any(d < 0 for d in shape):
            raise ValueError(f"layer {layer.name!r}: negative weight shape {shape}")
        sizes.append(int(np.prod(shape, dtype=object)))
        value = np.broadcast_to(np.zeros((), dtype or layer.dtype or config.floatx()), shape)
        return Variable.holding(value, name, path=f"{layer.name}/{name}")

    dry.add_weight = add_weight
    dry.build(input_shape)
    return sum(sizes)


FAMILY = Family("layer", "keras.layers", _REGISTRY, snake=False, base=Layer,
                expected="a layer class name")


def get_class(name: str, custom_objects=None):
    """The layer class saved under ``name``: one glassnet defines, one named in
    ``custom_objects``, or one registered with ``register_keras_serializable``; anything
    else is refused (safe loading). Names resolve as every family's do (:mod:`glassnet.registry`)."""
    return FAMILY.resolve(name, custom_objects)


def _penalty(v):
    """A weight's penalty as Keras lists it in ``layer.losses``: a scalar Tensor of the weight's dtype."""
    return wrap(np.asarray(v.regularizer(v.value), v.value.dtype))


def registered_classes() -> dict[str, type]:
    """Every layer class glassnet defines, by name."""
    return dict(_REGISTRY)
