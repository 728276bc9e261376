"""``Optimizer``, the base class of every optimizer: the learning rate (a number or a
schedule), clipping, decoupled weight decay, the step counter, the slots, and ``apply``,
which runs them in Keras's order. Each optimizer's own rule is in its file (``sgd.py``,
``rmsprop.py``, ``adam.py`` ...), in ``update_step``.
"""
from __future__ import annotations

import math

import numpy as np

from . import schedules
from .. import config
from ..utils import snake_case


class Optimizer:
    """Base class: learning rate, clipping, weight decay, the step counter, the slots.

    A subclass names its per-weight state in :meth:`slot_names` (Keras's order) and writes
    its rule in :meth:`update_step`; :meth:`update_rule` gives the rule as text for
    ``explain``. State is kept per slot name as a list aligned with the variables, so it is
    found by position, never by the identity of an array: copies and pickles keep working.
    """

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
        learning_rate = _keras2_learning_rate(type(self).__name__, learning_rate, kwargs)
        unknown = set(kwargs) - {"use_ema", "ema_momentum", "ema_overwrite_frequency",
                                 "loss_scale_factor", "gradient_accumulation_steps"}
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected argument(s) {', '.join(sorted(unknown))}")
        if kwargs.get("use_ema") or kwargs.get("gradient_accumulation_steps"):
            raise ValueError(f"{type(self).__name__}: use_ema and gradient_accumulation_steps are not supported")
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{type(self).__name__}: only one of clipnorm, clipvalue and global_clipnorm can be "
                f"set; got clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        for arg, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            if v is not None and not v > 0:
                raise ValueError(f"{type(self).__name__}: {arg} must be > 0, got {v}")
        if weight_decay is not None and not weight_decay >= 0:
            raise ValueError(f"{type(self).__name__}: weight_decay must be >= 0, got {weight_decay}")
        self.name = name or snake_case(type(self).__name__)
        self._learning_rate_dtype = config.floatx()     # Keras 3's learning-rate variable: floatx when made
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.iterations = 0
        self.built = False
        self.variables_to_update: list = []
        self.slots: dict[str, list[np.ndarray]] = {}
        self.fast_state = None              # glassnet.fast's packed copy of the above, if any

    @property
    def iterations(self) -> "StepCount":
        """The steps taken so far: a number (``+ 1``, ``==``, ``int()`` as for any int) that
        also answers as Keras's ``iterations`` variable does (``.numpy()``, ``.assign(n)``)."""
        count = self.__dict__.get("_step_count")
        if count is None or count._optimizer is not self or int(count) != self._iterations:
            count = self.__dict__["_step_count"] = StepCount(self._iterations, self)
        return count

    @iterations.setter
    def iterations(self, value) -> None:
        self.__dict__["_iterations"] = int(value)

    # -- learning rate: a number, or a schedule called with the step (glassnet.schedules,
    #    or any function of the step) -------------------------------------------------
    @property
    def learning_rate(self) -> "LearningRate":
        """The rate of the coming step (a schedule's value at ``iterations``), as Keras 3 keeps it,
        in floatx when the optimizer was made (``float(SGD(0.1).learning_rate)`` is 0.10000000149011612
        in float32): a number that also behaves and prints as Keras's variable does (``.numpy()``,
        ``.assign(0.01)``)."""
        lr = self._learning_rate
        return LearningRate(float(lr(self.iterations)) if callable(lr) else lr, self, scheduled=callable(lr),
                            dtype=self.__dict__.get("_learning_rate_dtype", "float32"))

    def _rate(self) -> float:
        """:attr:`learning_rate`'s number as a plain float (the same rounding), without making
        the variable-like object: what ``glassnet.fast`` reads at every step."""
        lr = self._learning_rate
        if callable(lr):
            lr = float(lr(self.iterations))
        kind = _scalar_type(self.__dict__.get("_learning_rate_dtype", "float32"))
        return float(kind(lr))

    @learning_rate.setter
    def learning_rate(self, value):
        if not callable(value):
            value = float(value)
            if not (value >= 0 and math.isfinite(value)):
                raise ValueError(
                    f"{type(self).__name__}: learning_rate must be a finite number >= 0, got {value}"
                )
            if getattr(self.__dict__.get("_learning_rate"), "keras2_decay", False):
                # Keras 2's decay= stays: a new number is the rate it decays from, as in Keras 2
                self._learning_rate.initial_learning_rate = value
                return
        self._learning_rate = value

    @property
    def lr(self) -> "LearningRate":
        """Keras 2's name of :attr:`learning_rate` (noted once; Keras 3 has only ``learning_rate``)."""
        _note_lr()
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        _note_lr()
        self.learning_rate = value

    @property
    def has_schedule(self) -> bool:
        """True when the learning rate is a schedule (a function of the step), not a number."""
        return callable(self._learning_rate)

    @property
    def schedule(self):
        """The learning rate's schedule (a function of the step), or None when it is a number."""
        return self._learning_rate if callable(self._learning_rate) else None

    # -- state ------------------------------------------------------------------------
    def slot_names(self) -> list[str]:
        """The names of the per-weight state this optimizer keeps, in Keras's order."""
        return []

    def build(self, variables) -> None:
        """Create the optimizer's state for these variables: each slot, a zero array per variable."""
        self.variables_to_update = list(variables)
        self.slots = {name: [np.zeros_like(v.value) for v in self.variables_to_update]
                      for name in self.slot_names()}
        self.fast_state = None
        self.built = True

    def slots_of(self, index: int) -> dict[str, np.ndarray]:
        """The state of the ``index``-th variable: ``{slot name: array}``."""
        return {name: arrays[index] for name, arrays in self.slots.items()}

    def slots_in_file_order(self) -> list[np.ndarray]:
        """Every slot array in the order Keras saves them: each slot's list in turn."""
        return [a for name in self.slot_names() for a in self.slots[name]]

    def _per_weight(self, names) -> list[np.ndarray]:
        """The slots ``names`` weight by weight (``m0, v0, m1, v1, ...``): Keras's order for
        slots it makes together (Adam's momentum and velocity, Adamax's momentum and norm)."""
        return [a for arrays in zip(*(self.slots[n] for n in names)) for a in arrays]

    def _check_betas(self, beta_1, beta_2) -> None:
        for arg, b in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= b < 1:
                raise ValueError(f"{type(self).__name__}: {arg} must be in [0, 1), got {b}")

    def variables(self) -> list:
        """State arrays in Keras's order: iterations, then the slots."""
        return [np.array(self.iterations, dtype=np.int64)] + self.slots_in_file_order()

    def set_state(self, arrays) -> None:
        """Inverse of :meth:`variables` (used when loading a saved optimizer)."""
        arrays = list(arrays)
        slots = self.slots_in_file_order()
        if len(arrays) != len(slots) + 1:
            raise ValueError(f"{type(self).__name__}: expected {len(slots) + 1} state arrays, got {len(arrays)}")
        for slot, value in zip(slots, arrays[1:]):
            if slot.shape != np.shape(value):
                raise ValueError(f"{type(self).__name__}: state shape {np.shape(value)} != {slot.shape}")
        self.iterations = int(np.asarray(arrays[0]))
        for slot, value in zip(slots, arrays[1:]):
            slot[...] = value

    def __getstate__(self):
        state = dict(self.__dict__)
        state["fast_state"] = None          # rebuilt on the next step, over the copies
        state.pop("_step_count", None)      # made again, for the copy, when asked for
        return state

    # -- one update of all variables ----------------------------------------------------
    def apply(self, grads=None, variables=None) -> None:
        """Update every variable from its gradient (``v.grad`` when ``grads`` is None)."""
        if not self.built:
            self.build(self.variables_to_update if variables is None else variables)
        lr = float(self.learning_rate)      # a plain float: NumPy keeps the weights' own float type
        variables = self.variables_to_update if variables is None else list(variables)
        positions = {id(v): i for i, v in enumerate(self.variables_to_update)}
        grads = self.clip([v.grad for v in variables] if grads is None else list(grads))
        for v, g in zip(variables, grads):
            if id(v) not in positions:
                raise ValueError(f"{type(self).__name__}: variable {getattr(v, 'path', v)!r} was not "
                                 "among those the optimizer was built for")
            if self.weight_decay:
                v.value -= v.value * (self.weight_decay * lr)          # decoupled weight decay
            self.update_step(v.value, g, lr, self.slots_of(positions[id(v)]))
        self.iterations += 1
        for v in variables:                 # then each weight's constraint, w <- c(w), as Keras
            constraint = getattr(v, "constraint", None)
            if constraint is not None:
                constrained = constraint(v.value)
                v.value[...] = np.asarray(getattr(constrained, "value", constrained))

    def apply_gradients(self, grads_and_vars) -> None:
        """Keras's form: ``(gradient, variable)`` pairs (``zip(grads, model.trainable_variables)``)
        for any Variables: a layer's weights or ones a program made. A None gradient (a variable
        the loss does not reach) is skipped, as Keras does; a variable met for the first time
        gets its state then (by position after the others)."""
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            raise ValueError(f"{type(self).__name__}.apply_gradients: no gradients provided for any variable "
                             "(each gradient is None: the loss does not depend on these variables)")
        grads, variables = [], []
        for i, (g, v) in enumerate(pairs):
            if not hasattr(v, "value") or not hasattr(v, "store_in"):
                raise TypeError(f"{type(self).__name__}.apply_gradients: pair {i} holds a {type(v).__name__}, "
                                "not a Variable (give zip(gradients, variables))")
            g = np.asarray(g.value if hasattr(g, "store_in") else g, dtype=v.value.dtype)
            if g.shape != v.value.shape:
                raise ValueError(f"{type(self).__name__}.apply_gradients: the gradient for {v.path!r} has shape "
                                 f"{g.shape}, the variable {v.value.shape}")
            grads.append(g)
            variables.append(v)
        if self.built:
            self._add_variables(variables)
        # A loop of one's own has no fit to choose its step: the tape's module asks the fast
        # path for fit's packed update (the same numbers), which may say no; then this readable
        # apply runs. Subnormals are flushed to zero in both, as in fit.
        from ..tf import tape  # noqa: PLC0415 - GradientTape's module: a custom loop's machinery
        with tape.flushed():
            if not tape.packed_update(self, grads, variables):
                self.apply(grads, variables)

    def _add_variables(self, variables) -> None:
        """State for the variables not met before, made as ``build`` makes it, after the others."""
        known = {id(w) for w in self.variables_to_update}
        new = [v for v in variables if id(v) not in known]
        if new:
            import copy  # noqa: PLC0415
            fresh = copy.copy(self)
            fresh.build(new)
            self.variables_to_update = list(self.variables_to_update) + new
            for name in self.slot_names():
                self.slots[name] = list(self.slots[name]) + list(fresh.slots[name])
            self.fast_state = None

    def minimize(self, loss, var_list, tape=None) -> None:
        """Keras's ``minimize``: ``tape.gradient(loss, var_list)``, then :meth:`apply_gradients`.
        ``loss`` is a value recorded on ``tape``, or (no tape) a function of no arguments that is
        run under a new tape; ``var_list`` may be a function returning the list."""
        from ..tf.tape import GradientTape  # noqa: PLC0415 - the tape is the tf package's
        if tape is None:
            if not callable(loss):
                raise ValueError(f"{type(self).__name__}.minimize: give tape= when loss is a value, or pass "
                                 "loss as a function of no arguments")
            with GradientTape() as tape:
                loss = loss()
        variables = list(var_list() if callable(var_list) else var_list)
        grads = tape.gradient(loss, variables)
        self.apply_gradients(zip(grads, variables))

    def clip(self, grads):
        """The gradients after ``clipnorm`` (each tensor), ``global_clipnorm`` or ``clipvalue``."""
        if self.clipnorm is not None:
            out = []
            for g in grads:
                norm = math.sqrt(float(np.sum(np.square(g, dtype=np.float64))))
                out.append(g * (self.clipnorm / max(norm, self.clipnorm)) if norm > self.clipnorm else g)
            return out
        if self.global_clipnorm is not None:
            norm = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads))
            if norm > self.global_clipnorm:
                scale = self.global_clipnorm / norm
                return [g * scale for g in grads]
            return grads
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def update_step(self, param, grad, lr, slots) -> None:
        """Change ``param`` in place from ``grad``, with this weight's ``slots``."""
        raise NotImplementedError(f"{type(self).__name__} must define update_step(param, grad, lr, slots)")

    def update_rule(self) -> list[str]:
        """The rule as lines of text, with this optimizer's numbers (shown by ``explain``)."""
        return [f"{type(self).__name__}(learning_rate={self.learning_rate:g}): "
                f"w <- {type(self).__name__}.update_step(w, g, lr)"]

    def get_config(self) -> dict:
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        else:
            lr = float(self.learning_rate)      # Keras 3 reads its variable: 0.0010000000474974513 in float32
        return {"name": self.name, "learning_rate": lr,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self._learning_rate!r})"


def keras_cast(value, dtype):
    """A Python number as Keras 3's ``ops.cast(value, dtype)`` gives it on TensorFlow: made a
    float32 tensor first, then cast, so in float64 ``0.9`` is ``0.8999999761581421`` (Adam's
    betas in its bias correction); in float32 it is ``dtype``'s own rounding."""
    return np.dtype(dtype).type(np.float32(value))


class StepCount(int):
    """What ``optimizer.iterations`` gives: the step count itself, which also answers as
    Keras's ``iterations`` variable: ``.numpy()`` (an int64), ``.assign(n)``, ``dtype``, ``shape``.

    >>> from glassnet.optimizers import SGD
    >>> opt = SGD()
    >>> opt.iterations.numpy(), opt.iterations + 1
    (np.int64(0), 1)
    >>> print(opt.iterations)
    <Variable path=sgd/iteration, shape=(), dtype=int64, value=0>
    """

    dtype, shape = "int64", ()

    def __new__(cls, value, optimizer=None):
        number = super().__new__(cls, value)
        number._optimizer = optimizer
        return number

    def numpy(self):
        return np.int64(self)

    @property
    def value(self):
        return np.int64(self)

    def assign(self, value):
        """Set the optimizer's step count (as Keras's ``optimizer.iterations.assign``)."""
        if self._optimizer is None:
            raise TypeError("assign: this step count belongs to no optimizer; set optimizer.iterations")
        self._optimizer.iterations = value
        return self._optimizer.iterations

    def __reduce__(self):                   # a copy or pickle is the plain number
        return (int, (int(self),))

    def __repr__(self):                     # printed (and f"{...}") as Keras 3's variable; "%d" the number
        return f"<Variable path={_path_name(self._optimizer)}/iteration, shape=(), dtype=int64, value={int(self)}>"

    __str__ = __repr__


class LearningRate(float):
    """What ``optimizer.learning_rate`` gives: the number itself, rounded to float32 as Keras 3's
    variable holds it (arithmetic, formatting and ``float()`` as for any float; ``== 0.1`` compares
    in float32, as Keras's variable does), that also answers as Keras's learning-rate variable:
    ``.numpy()`` (a float32), ``.assign(value)`` (sets the optimizer's rate), ``dtype``, ``shape``.
    ``keras.backend.get_value``/``set_value`` go through these. It prints as Keras 3's variable; a
    schedule's rate prints as the float32 tensor Keras gives then.

    >>> from glassnet.optimizers import SGD
    >>> opt = SGD(learning_rate=0.1)
    >>> opt.learning_rate
    <Variable path=sgd/learning_rate, shape=(), dtype=float32, value=0.10000000149011612>
    >>> opt.learning_rate.numpy(), float(opt.learning_rate), opt.learning_rate == 0.1
    (np.float32(0.1), 0.10000000149011612, True)
    >>> _ = opt.learning_rate.assign(0.05); float(opt.learning_rate)
    0.05000000074505806
    """

    shape = ()

    def __new__(cls, value, optimizer=None, scheduled=False, dtype="float32"):
        kind = _scalar_type(dtype)
        number = super().__new__(cls, float(kind(value)))
        number._optimizer = optimizer
        number._scheduled = scheduled
        number.dtype = _TYPE_NAMES[kind]
        return number

    def __eq__(self, other):
        if type(other) is LearningRate and other.dtype == self.dtype:     # both rounded alike already
            return float.__eq__(self, other)
        if isinstance(other, (int, float, np.floating, np.integer)) and not isinstance(other, bool):
            kind = _scalar_type(self.dtype)
            return bool(kind(self) == kind(other))
        return float.__eq__(self, other)

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = float.__hash__

    def numpy(self):
        return _scalar_type(self.dtype)(self)

    def assign(self, value):
        """Set the optimizer's learning rate (Keras's ``optimizer.learning_rate.assign``)."""
        opt = self._optimizer
        if opt is None:
            raise TypeError("assign: this learning rate belongs to no optimizer; set optimizer.learning_rate")
        if opt.has_schedule and not getattr(opt.schedule, "keras2_decay", False):
            raise TypeError(f"{type(opt).__name__}: the learning rate is a schedule "
                            f"({type(opt.schedule).__name__}), so it cannot be assigned; give the "
                            "optimizer a number as learning_rate to set it during training")
        opt.learning_rate = value
        return opt.learning_rate

    def __reduce__(self):                   # a copy or pickle is the plain number
        return (float, (float(self),))

    def __repr__(self):
        if self._scheduled:                 # Keras: the schedule's value, a float32 tensor
            return f"<tf.Tensor: shape=(), dtype={self.dtype}, numpy={float(self)!r}>"
        return f"<Variable path={_path_name(self._optimizer)}/learning_rate, shape=(), dtype={self.dtype}, " \
               f"value={float(self)!r}>"

    def __str__(self):
        if self._scheduled:
            return f"tf.Tensor({str(self.numpy())}, shape=(), dtype={self.dtype})"
        return repr(self)


_TYPE_NAMES: dict = {}         # NumPy scalar type -> its dtype's name, for each one asked


def _scalar_type(dtype):
    """NumPy's scalar type of ``dtype`` (a name or dtype), remembered: a learning rate is made
    at every step."""
    kind = _SCALAR_TYPES.get(dtype)
    if kind is None:
        kind = _SCALAR_TYPES[dtype] = np.dtype(dtype).type
        _TYPE_NAMES[kind] = np.dtype(kind).name
    return kind


_SCALAR_TYPES: dict = {}


def _path_name(optimizer) -> str:
    """The optimizer's part of its variables' paths in Keras 3: the class's name in snake case
    (``rm_sprop``, ``adam_w``) unless a name of one's own was given (Keras numbers a second one of
    a class ``adam_1``; not here)."""
    name = getattr(optimizer, "name", None) or "optimizer"
    if name.lower() == type(optimizer).__name__.lower():
        return snake_case(type(optimizer).__name__)
    return name


def _keras2_learning_rate(owner, learning_rate, kwargs):
    """Keras 2's ``lr=`` and ``decay=`` (tf.keras ``optimizer_v2``), taken out of ``kwargs``.

    ``lr`` is the learning rate (it wins over ``learning_rate``, as in Keras 2). ``decay`` is
    Keras 2's time-based decay, ``lr / (1 + decay * iterations)`` before each step, which is
    Keras 3's ``InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)``: the optimizer gets that
    schedule."""
    from ..keras.legacy import note         # deferred: keras/ imports the optimizers
    if "lr" in kwargs:
        note("optimizer lr=", f"{owner}(lr=...) is Keras 2's spelling; Keras 3 writes "
                              f"{owner}(learning_rate=...)", stacklevel=5)
        learning_rate = kwargs.pop("lr")
    if "decay" in kwargs:
        decay = kwargs.pop("decay")
        if isinstance(decay, bool) or not isinstance(decay, (int, float, np.integer, np.floating)) \
                or not (decay >= 0 and math.isfinite(decay)):
            raise ValueError(f"{owner}: decay must be a finite number >= 0, got {decay!r}")
        if decay > 0:
            if callable(learning_rate):
                raise ValueError(f"{owner}: decay={decay} together with a schedule as learning_rate: "
                                 "put the decay into the schedule instead")
            note("optimizer decay=", f"{owner}(decay=d) is Keras 2's time-based decay, lr / (1 + d * "
                                     "iterations); Keras 3 writes learning_rate=keras.optimizers."
                                     "schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=d)",
                 stacklevel=5)
            learning_rate = schedules.InverseTimeDecay(learning_rate, decay_steps=1, decay_rate=decay)
            learning_rate.keras2_decay = True   # setting a number later sets the rate it decays from
    return learning_rate


def _note_lr():
    from ..keras.legacy import note
    note("optimizer.lr", "optimizer.lr is Keras 2's name; Keras 3 writes optimizer.learning_rate", stacklevel=4)
