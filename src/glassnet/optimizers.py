"""Optimizers: ``build(variables)`` makes their state, ``update_step(param, grad, lr, slots)``
changes one weight array in place. Keras's defaults, update rules and state layout.

Order inside one :meth:`Optimizer.apply` (as Keras): clip the gradients (``clipnorm`` per
tensor, ``global_clipnorm``, or ``clipvalue``), then decoupled weight decay
``w -= w * wd * lr``, then the rule of the optimizer, then ``iterations += 1``.

Each rule below is the reference. ``glassnet.fast`` runs the same arithmetic, in the same
order, on all the weights of a network at once (one buffer) with scratch arrays instead
of temporaries; a test checks that both give the same weights bit for bit.

The seed's gradient descent ``w = w - alpha * dJ/dw`` is ``SGD(learning_rate=alpha)``:

>>> import numpy as np
>>> w = np.array([1.0, 2.0]); g = np.array([0.5, -0.5])
>>> SGD(learning_rate=0.1).update_step(w, g, 0.1, {}); w
array([0.95, 2.05])
"""
from __future__ import annotations

import math

import numpy as np

from . import fast, schedules
from .utils import snake_case


class Optimizer:
    """Base class: learning rate, clipping, weight decay, the step counter, the slots.

    A subclass names its per-weight state in :meth:`slot_names` (Keras's order) and writes
    its rule in :meth:`update_step`; :meth:`update_rule` gives the rule as text for
    ``explain``. State is kept per slot name as a list aligned with the variables, so it is
    found by position, never by the identity of an array: copies and pickles keep working.
    """

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
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
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.iterations = 0
        self.built = False
        self.variables_to_update: list = []
        self.slots: dict[str, list[np.ndarray]] = {}
        self.fast_state = None              # glassnet.fast's packed copy of the above, if any

    # -- learning rate: a number, or a schedule called with the step (glassnet.schedules,
    #    or any function of the step) -------------------------------------------------
    @property
    def learning_rate(self) -> float:
        lr = self._learning_rate
        return float(lr(self.iterations)) if callable(lr) else lr

    @learning_rate.setter
    def learning_rate(self, value):
        if not callable(value):
            value = float(value)
            if not (value >= 0 and math.isfinite(value)):
                raise ValueError(
                    f"{type(self).__name__}: learning_rate must be a finite number >= 0, got {value}"
                )
        self._learning_rate = value

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
        return state

    # -- one update of all variables ----------------------------------------------------
    def apply(self, grads=None, variables=None) -> None:
        """Update every variable from its gradient (``v.grad`` when ``grads`` is None)."""
        if not self.built:
            self.build(self.variables_to_update if variables is None else variables)
        lr = self.learning_rate
        if grads is None and variables is None and fast.apply(self, lr):
            self.iterations += 1
            return
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

    def apply_gradients(self, grads_and_vars) -> None:
        """Keras's form: a list of ``(gradient, variable)`` pairs."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

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
        return {"name": self.name, "learning_rate": lr,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self._learning_rate!r})"


class SGD(Optimizer):
    """Gradient descent: ``w -= lr * g``. With momentum ``mu``: ``m = mu m - lr g; w += m``;
    nesterov: ``w += mu m - lr g`` with the new ``m``. Defaults lr=0.01, momentum=0."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="SGD", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"SGD: momentum must be in [0, 1], got {momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def slot_names(self):
        return ["momentum"] if self.momentum else []

    def update_step(self, param, grad, lr, slots):
        if not self.momentum:
            param -= grad * lr                          # w = w - alpha * dJ/dw
            return
        m, mu = slots["momentum"], self.momentum
        m[...] = m * mu - grad * lr                     # m = mu m - lr g
        if self.nesterov:
            param += m * mu - grad * lr                 # w += mu m - lr g
        else:
            param += m                                  # w += m

    def update_rule(self):
        lr = self.learning_rate
        head = f"SGD(learning_rate={lr:g}, momentum={self.momentum:g}{', nesterov' if self.nesterov else ''})"
        if not self.momentum:
            return [head, f"w <- w - {lr:g} * g          (the seed's  w = w - alpha * dJ/dw)"]
        tail = [f"w <- w + {self.momentum:g} * m - {lr:g} * g"] if self.nesterov else ["w <- w + m"]
        return [head, f"m <- {self.momentum:g} * m - {lr:g} * g"] + tail

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """``v = rho v + (1 - rho) g^2``; ``w -= lr g / sqrt(v + eps)`` (eps inside the root, as
    Keras). ``centered`` subtracts the squared mean gradient from ``v``; ``momentum`` keeps
    ``m = mu m + step; w -= m``. Defaults lr=0.001, rho=0.9, eps=1e-7."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="rmsprop", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        if not 0 <= rho < 1:
            raise ValueError(f"RMSprop: rho must be in [0, 1), got {rho}")
        self.rho, self.momentum, self.epsilon, self.centered = float(rho), float(momentum), float(epsilon), bool(centered)

    def slot_names(self):
        return ["velocity"] + (["momentum"] if self.momentum else []) + (["average_gradient"] if self.centered else [])

    def update_step(self, param, grad, lr, slots):
        rho, v = self.rho, slots["velocity"]
        v[...] = v * rho + grad * grad * (1 - rho)      # v = rho v + (1 - rho) g^2
        if self.centered:
            mg = slots["average_gradient"]
            mg[...] = mg * rho + grad * (1 - rho)       # mg = rho mg + (1 - rho) g
            denominator = v - mg * mg + self.epsilon
        else:
            denominator = v + self.epsilon
        step = grad * lr / np.sqrt(denominator)         # lr g / sqrt(v + eps)
        if self.momentum:
            m = slots["momentum"]
            m[...] = m * self.momentum + step           # m = mu m + step
            param -= m
        else:
            param -= step

    def update_rule(self):
        lr = self.learning_rate
        denom = "sqrt(v - mg^2 + epsilon)" if self.centered else "sqrt(v + epsilon)"
        lines = [f"RMSprop(learning_rate={lr:g}, rho={self.rho:g}, epsilon={self.epsilon:g})",
                 f"v <- {self.rho:g} * v + {1 - self.rho:g} * g^2          (running mean of g^2, per entry)"]
        if self.centered:
            lines.append(f"mg <- {self.rho:g} * mg + {1 - self.rho:g} * g            (centered: running mean of g)")
        if self.momentum:
            lines += [f"m <- {self.momentum:g} * m + {lr:g} * g / {denom}", "w <- w - m"]
        else:
            lines.append(f"w <- w - {lr:g} * g / {denom}")
        return lines

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adam(Optimizer):
    """``m += (g - m)(1 - b1)``, ``v += (g^2 - v)(1 - b2)``,
    ``w -= m alpha / (sqrt(v) + eps)`` with ``alpha = lr sqrt(1 - b2^t) / (1 - b1^t)``,
    ``t = step + 1``. ``amsgrad`` uses the running maximum of ``v``. Defaults lr=0.001,
    0.9, 0.999, eps=1e-7."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adam", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        self._check_betas(beta_1, beta_2)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = float(beta_1), float(beta_2), float(epsilon), bool(amsgrad)

    def slot_names(self):
        return ["momentum", "velocity"] + (["velocity_hat"] if self.amsgrad else [])

    def slots_in_file_order(self):
        # Keras makes the momentum and the velocity of each weight together, then the maxima
        return self._per_weight(["momentum", "velocity"]) + self.slots.get("velocity_hat", [])

    def alpha(self, lr, dtype):
        """``lr sqrt(1 - b2^t) / (1 - b1^t)`` for the coming step, in the weights' float type
        as Keras computes it: in float32, ``1 - 0.999**1`` is 0.00099998713."""
        f, t = np.dtype(dtype).type, self.iterations + 1
        return f(lr) * np.sqrt(f(1) - f(self.beta_2) ** f(t)) / (f(1) - f(self.beta_1) ** f(t))

    def update_step(self, param, grad, lr, slots):
        m, v = slots["momentum"], slots["velocity"]
        m += (grad - m) * (1 - self.beta_1)             # running mean of g
        v += (grad * grad - v) * (1 - self.beta_2)      # running mean of g^2
        if self.amsgrad:
            vhat = slots["velocity_hat"]
            vhat[...] = np.maximum(vhat, v)
            v = vhat
        param -= m * self.alpha(lr, param.dtype) / (np.sqrt(v) + self.epsilon)

    def update_rule(self):
        lr, t = self.learning_rate, self.iterations + 1
        alpha = lr * (1 - self.beta_2 ** t) ** 0.5 / (1 - self.beta_1 ** t)
        lines = [f"{type(self).__name__}(learning_rate={lr:g}, beta_1={self.beta_1:g}, beta_2={self.beta_2:g}, "
                 f"epsilon={self.epsilon:g}), step t = {t}",
                 f"m <- m + (g - m) * {1 - self.beta_1:g}          (running mean of g)",
                 f"v <- v + (g^2 - v) * {1 - self.beta_2:g}        (running mean of g^2)",
                 f"alpha = {lr:g} * sqrt(1 - {self.beta_2:g}^{t}) / (1 - {self.beta_1:g}^{t}) = {alpha:.4g}",
                 "w <- w - alpha * m / (sqrt(v) + epsilon)"]
        if self.amsgrad:
            lines.insert(3, "v <- max(v_max, v)   (amsgrad)")
        return lines

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay ``w -= w * wd * lr`` before each step (default 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adamw", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a number; use Adam for none")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, name, **kwargs)


class Adagrad(Optimizer):
    """``a += g^2``, ``w -= lr g / sqrt(a + eps)``: each weight's step shrinks with the
    gradients it has seen. ``a`` starts at ``initial_accumulator_value`` (0.1). Defaults
    lr=0.001, eps=1e-7."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="adagrad", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        if not initial_accumulator_value >= 0:
            raise ValueError(f"Adagrad: initial_accumulator_value must be >= 0, got {initial_accumulator_value}")
        self.initial_accumulator_value, self.epsilon = float(initial_accumulator_value), float(epsilon)

    def slot_names(self):
        return ["accumulator"]

    def build(self, variables) -> None:
        super().build(variables)
        for a in self.slots["accumulator"]:
            a[...] = self.initial_accumulator_value

    def update_step(self, param, grad, lr, slots):
        a = slots["accumulator"]
        a += grad * grad                                # sum of g^2 so far
        param -= (lr * grad) / np.sqrt(a + self.epsilon)

    def update_rule(self):
        lr = self.learning_rate
        return [f"Adagrad(learning_rate={lr:g}, epsilon={self.epsilon:g})",
                "a <- a + g^2                  (sum of squared gradients)",
                f"w <- w - {lr:g} * g / sqrt(a + epsilon)"]

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adamax(Optimizer):
    """Adam with the infinity norm: ``m += (g - m)(1 - b1)``, ``u = max(b2 u, |g|)``,
    ``w -= lr m / ((1 - b1^t)(u + eps))``, ``t = step + 1``. Defaults lr=0.001, 0.9, 0.999,
    eps=1e-7."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="adamax", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        self._check_betas(beta_1, beta_2)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def slot_names(self):
        return ["momentum", "norm"]

    def slots_in_file_order(self):
        return self._per_weight(["momentum", "norm"])   # made together per weight, as Keras does

    def update_step(self, param, grad, lr, slots):
        m, u = slots["momentum"], slots["norm"]
        f = param.dtype.type
        correction = f(1) - f(self.beta_1) ** f(self.iterations + 1)     # 1 - b1^t, as Keras: in float32
        m += (grad - m) * (1 - self.beta_1)
        u[...] = np.maximum(self.beta_2 * u, np.abs(grad))
        param -= (lr * m) / (correction * (u + self.epsilon))

    def update_rule(self):
        lr, t = self.learning_rate, self.iterations + 1
        return [f"Adamax(learning_rate={lr:g}, beta_1={self.beta_1:g}, beta_2={self.beta_2:g}), step t = {t}",
                f"m <- m + (g - m) * {1 - self.beta_1:g}",
                f"u <- max({self.beta_2:g} * u, |g|)",
                f"w <- w - {lr:g} * m / ((1 - {self.beta_1:g}^{t}) * (u + epsilon))"]

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


CLASSES = {"SGD": SGD, "RMSprop": RMSprop, "Adam": Adam, "AdamW": AdamW, "Adagrad": Adagrad, "Adamax": Adamax}
BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW, "adagrad": Adagrad, "adamax": Adamax}


def get(identifier) -> Optimizer:
    """Resolve a name (``"rmsprop"``, ``"adam"``, ``"sgd"``, ``"adamw"``), config dict, or instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = BY_NAME.get(identifier.lower())
        if cls is None:
            from ._suggest import did_you_mean
            raise ValueError(
                f"Unknown optimizer {identifier!r}.{did_you_mean(identifier, BY_NAME)} "
                f"Known: {', '.join(sorted(BY_NAME))}."
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(f"optimizer must be a string or an Optimizer, got {type(identifier).__name__}")


def serialize(opt: Optimizer) -> dict:
    return {"module": "keras.optimizers", "class_name": type(opt).__name__,
            "config": opt.get_config(), "registered_name": None}


def deserialize(config: dict) -> Optimizer:
    name = config.get("class_name")
    if name not in CLASSES:
        raise ValueError(f"Unknown optimizer class {name!r}")
    kwargs = dict(config.get("config") or {})
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = schedules.deserialize(kwargs["learning_rate"])
    allowed = CLASSES[name]().get_config().keys() | {"use_ema", "ema_momentum", "ema_overwrite_frequency",
                                                       "loss_scale_factor", "gradient_accumulation_steps"}
    kwargs = {k: v for k, v in kwargs.items() if k in allowed}
    return CLASSES[name](**kwargs)
