"""``Optimizer``, the base class of every optimizer: the learning rate (a number or a
schedule), clipping, decoupled weight decay, the step counter, the slots, and ``apply``,
which runs them in Keras's order. Each optimizer's own rule is in its file (``sgd.py``,
``rmsprop.py``, ``adam.py`` ...), in ``update_step``.
"""
from __future__ import annotations

import math
import re

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
                 global_clipnorm=None, name=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, **kwargs):
        owner = type(self).__name__
        learning_rate = _keras2_learning_rate(owner, learning_rate, kwargs)
        if kwargs:
            raise TypeError(f"{owner}: unexpected argument(s) {', '.join(sorted(kwargs))}")
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{owner}: only one of clipnorm, clipvalue and global_clipnorm can be "
                f"set; got clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        for arg, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            if v is not None and not v > 0:
                raise ValueError(f"{owner}: {arg} must be > 0, got {v}")
        if weight_decay is not None and not weight_decay >= 0:
            raise ValueError(f"{owner}: weight_decay must be >= 0, got {weight_decay}")
        _check_extras(owner, use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                      gradient_accumulation_steps)
        self.name = name or snake_case(owner)
        self._learning_rate_dtype = config.floatx()     # Keras 3's learning-rate variable: floatx when made
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum = bool(use_ema), float(ema_momentum)
        self.ema_overwrite_frequency = ema_overwrite_frequency or None
        self.loss_scale_factor = None if loss_scale_factor is None else float(loss_scale_factor)
        self.gradient_accumulation_steps = gradient_accumulation_steps or None
        self._exclude_variables: list = []      # exclude_from_weight_decay's, the variables themselves
        self._exclude_pattern = None            # and its names, as one regular expression
        self.iterations = 0
        self.built = False
        self.variables_to_update: list = []
        self.slots: dict[str, list[np.ndarray]] = {}
        self.averages: list[np.ndarray] = []    # use_ema: each variable's moving average
        self.accumulators: list[np.ndarray] = []    # gradient_accumulation_steps: each gradient's sum so far
        self.fast_state = None              # glassnet.fast's packed copy of the above, if any

    @property
    def iterations(self) -> "StepCount":
        """The steps taken so far: a number (``+ 1``, ``==``, ``int()`` as for any int) that
        also answers as Keras's ``iterations`` variable does (``.numpy()``, ``.assign(n)``).
        With ``gradient_accumulation_steps`` it counts the updates, as Keras's does (the calls
        // the steps); a schedule still reads the calls."""
        steps = self.__dict__.get("gradient_accumulation_steps")
        value = self._iterations // steps if steps else self._iterations
        count = self.__dict__.get("_step_count")
        if count is None or count._optimizer is not self or int(count) != value:
            count = self.__dict__["_step_count"] = StepCount(value, self)
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
        return LearningRate(float(lr(self._iterations)) if callable(lr) else lr, self, scheduled=callable(lr),
                            dtype=self.__dict__.get("_learning_rate_dtype", "float32"))

    def _rate(self) -> float:
        """:attr:`learning_rate`'s number as a plain float (the same rounding), without making
        the variable-like object: what ``glassnet.fast`` reads at every step."""
        lr = self._learning_rate
        if callable(lr):
            lr = float(lr(self._iterations))
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
        """Create the optimizer's state for these variables: each slot, a zero array per variable
        (and, as Keras makes them first, the moving averages of ``use_ema`` and the sums of
        ``gradient_accumulation_steps``)."""
        self.variables_to_update = list(variables)
        self.averages = [np.zeros_like(v.value) for v in self.variables_to_update] if self.use_ema else []
        self.accumulators = [np.zeros_like(v.value) for v in self.variables_to_update] \
            if self.gradient_accumulation_steps else []
        self.slots = {name: [np.zeros_like(v.value) for v in self.variables_to_update]
                      for name in self.slot_names()}
        self.fast_state = None
        self.built = True

    def slots_of(self, index: int) -> dict[str, np.ndarray]:
        """The state of the ``index``-th variable: ``{slot name: array}``."""
        return {name: arrays[index] for name, arrays in self.slots.items()}

    def slots_in_file_order(self) -> list[np.ndarray]:
        """Every state array in the order Keras saves them: the moving averages (``use_ema``),
        the gradient sums (``gradient_accumulation_steps``), then the optimizer's own slots
        (:meth:`own_slots_in_file_order`)."""
        return list(self.averages) + list(self.accumulators) + self.own_slots_in_file_order()

    def own_slots_in_file_order(self) -> list[np.ndarray]:
        """The optimizer's own slots in Keras's order: each slot's list in turn (a subclass
        that makes some together, weight by weight, says so here)."""
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
        """State arrays in Keras's order: iterations (the calls made, as Keras's variable), then
        the state (:meth:`slots_in_file_order`)."""
        return [np.array(self._iterations, dtype=np.int64)] + self.slots_in_file_order()

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

    def has_extras(self) -> bool:
        """True when a step does more than clip, decay every weight alike and run the rule:
        ``use_ema``, ``gradient_accumulation_steps`` or ``exclude_from_weight_decay`` (what
        ``glassnet.fast``'s packed update does not do: such an optimizer takes this readable path)."""
        return bool(self.use_ema or self.gradient_accumulation_steps
                    or (self.weight_decay and (self._exclude_variables or self._exclude_pattern)))

    # -- weight decay: which weights ---------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Keras's: no weight decay for the variables in ``var_list``, nor for those whose name
        contains one of the strings ``var_names`` (``var_names=["bias"]``). Before the first step
        only (the optimizer not yet built), as in Keras; each call replaces the last."""
        owner = type(self).__name__
        if self.built:
            raise ValueError(f"{owner}.exclude_from_weight_decay: the optimizer is built already (it took "
                             "a step); exclude variables before the first step")
        var_list = list(var_list or [])
        for i, v in enumerate(var_list):
            if not hasattr(v, "value"):
                raise TypeError(f"{owner}.exclude_from_weight_decay: var_list[{i}] is a {type(v).__name__}, "
                                "not a Variable")
        names = list(var_names or [])
        for i, n in enumerate(names):
            if not isinstance(n, str):
                raise TypeError(f"{owner}.exclude_from_weight_decay: var_names[{i}] is {n!r}, not a string")
        self._exclude_variables = var_list
        self._exclude_pattern = "|".join(sorted(set(names))) if names else None

    def _use_weight_decay(self, variable) -> bool:
        if any(variable is v for v in self._exclude_variables):
            return False
        return not (self._exclude_pattern and re.search(self._exclude_pattern, str(getattr(variable, "name", ""))))

    # -- one update of all variables ----------------------------------------------------
    def apply(self, grads=None, variables=None) -> None:
        """Update every variable from its gradient (``v.grad`` when ``grads`` is None), in Keras's
        order: with ``gradient_accumulation_steps`` n, n - 1 calls of n only add their gradients up
        and the n-th updates from the mean; an update clips, decays the weights and runs the rule
        (:meth:`update_weights`); then the moving averages (``use_ema``), each weight's
        constraint, and ``iterations + 1``."""
        if not self.built:
            self.build(self.variables_to_update if variables is None else variables)
        variables = self.variables_to_update if variables is None else list(variables)
        positions = {id(v): i for i, v in enumerate(self.variables_to_update)}
        for v in variables:                 # all known before anything changes
            if id(v) not in positions:
                raise ValueError(f"{type(self).__name__}: variable {getattr(v, 'path', v)!r} was not "
                                 "among those the optimizer was built for")
        grads = [v.grad for v in variables] if grads is None else list(grads)
        steps = self.gradient_accumulation_steps
        if not steps:
            self.update_weights(grads, variables, positions)
        elif (self._iterations + 1) % steps:                   # not yet: add this gradient up
            for v, g in zip(variables, grads):
                total = self.accumulators[positions[id(v)]]
                total[...] = g + total
        else:                                                   # the mean of the last n, then start again
            sums = [self.accumulators[positions[id(v)]] for v in variables]
            self.update_weights([(g + total) / steps for g, total in zip(grads, sums)], variables, positions)
            for total in sums:
                total[...] = 0
        if self.use_ema:
            self._moving_averages()
        for v in variables:                 # each weight's constraint, w <- c(w), as Keras
            constraint = getattr(v, "constraint", None)
            if constraint is not None:
                constrained = constraint(v.value)
                v.value[...] = np.asarray(getattr(constrained, "value", constrained))
        self._iterations += 1

    def update_weights(self, grads, variables, positions) -> None:
        """One update: clip the gradients, decay the weights (``w -= w * wd * lr``), then
        :meth:`update_step` for each variable. ``positions``: each variable's index (by ``id``)."""
        lr = float(self.learning_rate)      # a plain float: NumPy keeps the weights' own float type
        grads = self.clip(grads)
        if self.weight_decay:
            for v in variables:
                if self._use_weight_decay(v):
                    f = v.value.dtype.type      # (the decay through float32, as Keras's ops.cast)
                    v.value -= v.value * keras_cast(self.weight_decay, f) * f(lr)   # decoupled weight decay
        for v, g in zip(variables, grads):
            self.update_step(v.value, g, lr, self.slots_of(positions[id(v)]))

    def _moving_averages(self) -> None:
        """``use_ema``: ``a = mu a + (1 - mu) w`` for every variable (``mu`` 0 while ``iterations``
        is 0, so the first average is the weight), and every ``ema_overwrite_frequency`` steps
        the weights take their averages."""
        for v, average in zip(self.variables_to_update, self.averages):
            f = average.dtype.type
            mu = f(self.ema_momentum) if self.iterations != 0 else f(0)
            average[...] = mu * average + (f(1) - mu) * v.value
        every = self.ema_overwrite_frequency
        if every and (self.iterations + 1) % every == 0:
            self.finalize_variable_values(self.variables_to_update)

    def finalize_variable_values(self, var_list) -> None:
        """With ``use_ema``, each variable takes its moving average (Keras's fit does this after
        its last epoch); otherwise nothing."""
        if not self.use_ema or not self.built:
            return
        positions = {id(v): i for i, v in enumerate(self.variables_to_update)}
        for v in var_list:
            if id(v) in positions:
                v.value[...] = self.averages[positions[id(v)]]

    def scale_loss(self, loss):
        """Keras's: ``loss * loss_scale_factor`` (the loss itself when none is set); the next
        :meth:`apply_gradients` divides the gradients by the factor."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def apply_gradients(self, grads_and_vars) -> None:
        """Keras's form: ``(gradient, variable)`` pairs (``zip(grads, model.trainable_variables)``)
        for any Variables: a layer's weights or ones a program made. A None gradient (a variable
        the loss does not reach) is skipped, as Keras does; a variable met for the first time
        gets its state then (by position after the others). With ``loss_scale_factor`` the
        gradients are divided by it first (they came from :meth:`scale_loss`'s loss)."""
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
        if self.loss_scale_factor is not None:      # scale_loss's factor taken back out, as Keras's apply
            grads = [g / self.loss_scale_factor for g in grads]
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
            self.averages = list(self.averages) + list(fresh.averages)
            self.accumulators = list(self.accumulators) + list(fresh.accumulators)
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
        """The gradients after ``clipnorm`` (each tensor), ``global_clipnorm`` or ``clipvalue``, as
        Keras computes them (the factor applied even under the bound, where it is 1 or within
        an ulp of it):

        - clipnorm c: ``g * c / max(||g||, c)`` (TensorFlow's ``clip_by_norm``)
        - global_clipnorm c: ``g * (c * min(1 / ||all||, 1 / c))``
        - clipvalue c: ``clip(g, -c, c)``

        Each norm is taken in the gradients' float type from a sum of squares added up in float64
        (TensorFlow adds in the float type, in an order of its own: the norm may differ in its
        last place)."""
        if self.clipnorm is not None:
            out = []
            for g in grads:
                f = g.dtype.type
                norm = np.sqrt(f(np.sum(np.square(g, dtype=np.float64))))
                out.append(g * f(self.clipnorm) / np.maximum(norm, f(self.clipnorm)))
            return out
        if self.global_clipnorm is not None:
            f = grads[0].dtype.type
            norm = np.sqrt(f(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads)))
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = f(self.global_clipnorm) * np.minimum(f(1) / norm, f(1.0 / self.global_clipnorm))
                scale = scale + (norm - norm)               # NaN when the norm is not finite, as Keras
            return [g * scale for g in grads]
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
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

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


def _check_extras(owner, use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor, steps) -> None:
    """Keras 3's checks of the base options beyond clipping and weight decay."""
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2):
        raise ValueError(f"{owner}: gradient_accumulation_steps must be an integer >= 2 (or None), got {steps!r}")
    if not isinstance(use_ema, (bool, np.bool_)):
        raise TypeError(f"{owner}: use_ema must be True or False, got {use_ema!r}")
    if use_ema:
        if not 0 <= ema_momentum <= 1:
            raise ValueError(f"{owner}: ema_momentum must be in [0, 1], got {ema_momentum!r}")
        if ema_overwrite_frequency is not None and (isinstance(ema_overwrite_frequency, bool) or not isinstance(
                ema_overwrite_frequency, (int, np.integer)) or ema_overwrite_frequency < 1):
            raise ValueError(f"{owner}: ema_overwrite_frequency must be an integer >= 1 or None, "
                             f"got {ema_overwrite_frequency!r}")
    if loss_scale_factor is not None and not (isinstance(loss_scale_factor, (int, float, np.integer, np.floating))
                                              and not isinstance(loss_scale_factor, bool)
                                              and loss_scale_factor > 0 and math.isfinite(loss_scale_factor)):
        raise ValueError(f"{owner}: loss_scale_factor must be a finite number > 0 (or None), "
                         f"got {loss_scale_factor!r}")


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
