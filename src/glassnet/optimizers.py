"""Optimizers: ``build(variables)`` makes their state, ``update_step(param, grad, lr)``
changes one weight array in place. Keras's defaults and update rules.

Order inside one :meth:`Optimizer.apply` (as Keras): clip the gradients (``clipnorm`` per
tensor, ``global_clipnorm``, or ``clipvalue``), then decoupled weight decay
``w -= w * wd * lr``, then the rule of the optimizer, then ``iterations += 1``.

The seed's gradient descent ``w = w - alpha * dJ/dw`` is ``SGD(learning_rate=alpha)``:

>>> import numpy as np
>>> w = np.array([1.0, 2.0]); g = np.array([0.5, -0.5])
>>> SGD(learning_rate=0.1).update_step(w, g, 0.1); w
array([0.95, 2.05])
"""
from __future__ import annotations

import math

import numpy as np

from .layers import flat_view, pack_variables
from .utils import snake_case


class Optimizer:
    """Base class: learning rate, clipping, weight decay, the step counter."""

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
        self._variables: list = []

    # -- learning rate: a number, or a schedule called with the step -----------------
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

    # -- state ------------------------------------------------------------------------
    def build(self, variables) -> None:
        """Create the optimizer's state for these variables (slots of zeros).

        Each slot (a momentum, a velocity, ...) is one zero buffer per variable. When the
        variables lie side by side in one packed buffer (``layers.pack_variables``), the
        slots do too, and :meth:`apply` updates everything with one call of
        :meth:`update_step` on the whole flat buffer: the same arithmetic, far fewer calls.
        """
        self._variables = list(variables)
        self._flat = flat_view(self._variables)
        self._state: dict[int, list] = {}          # id(param array) -> its slot arrays
        self.built = True

    def _slots(self, variables):
        """One new zero slot per variable (a view into one flat slot when packed)."""
        if self._flat is not None:
            buffer = np.zeros_like(self._flat[0])
            views, start = [], self._flat[0].__array_interface__["data"][0]
            for v in variables:     # the same slice (padding included) the variable has in the flat buffer
                at = (v.value.__array_interface__["data"][0] - start) // buffer.itemsize
                views.append(buffer[at:at + v.value.size].reshape(v.shape))
            self._state.setdefault(id(self._flat[0]), []).append(buffer)
        else:
            views = [np.zeros_like(v.value) for v in variables]
        for v, view in zip(variables, views):
            self._state.setdefault(id(v.value), []).append(view)
        return views

    _STATE = ("_state", "_flat", "_variables", "_tmp", "_m", "_v", "_mg", "_vhat")

    def __deepcopy__(self, memo):
        """A copy with its own state, bound to copies of the variables (packed again when the
        originals were packed), so that the copy's updates never touch the original."""
        import copy
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            if key not in self._STATE:
                new.__dict__[key] = copy.deepcopy(value, memo)
        new._variables, new.built = [], False
        if self.built:
            variables = copy.deepcopy(self._variables, memo)
            if self._flat is not None and flat_view(variables) is None:
                pack_variables(variables)
            new.build(variables)
            new.set_state([s.copy() for s in self.variables()])
        return new

    def _slots_of(self, param) -> list:
        """The slot arrays of this parameter array, in the order the optimizer made them."""
        return self._state[id(param)]

    def variables(self) -> list:
        """State arrays in Keras's order: iterations, then each slot list in turn."""
        return [np.array(self.iterations, dtype=np.int64)] + [s for slots in self._slot_lists() for s in slots]

    def _slot_lists(self) -> list:
        return []

    def set_state(self, arrays) -> None:
        """Inverse of :meth:`variables` (used when loading a saved optimizer)."""
        arrays = list(arrays)
        flat = [s for slots in self._slot_lists() for s in slots]
        if len(arrays) != len(flat) + 1:
            raise ValueError(f"{type(self).__name__}: expected {len(flat) + 1} state arrays, got {len(arrays)}")
        self.iterations = int(np.asarray(arrays[0]))
        for slot, value in zip(flat, arrays[1:]):
            value = np.asarray(value)
            if slot.shape != value.shape:
                raise ValueError(f"{type(self).__name__}: state shape {value.shape} != {slot.shape}")
            slot[...] = value

    # -- one update of all variables ----------------------------------------------------
    def apply(self, grads, variables=None) -> None:
        """Update every variable from its gradient (``v.grad`` when ``grads`` is None)."""
        if not self.built:
            self.build(self._variables if variables is None else variables)
        variables = self._variables if variables is None else list(variables)
        lr = self.learning_rate
        flat = self._flat if (grads is None and variables is self._variables and self.clipnorm is None) else None
        if flat is not None:                               # packed: the whole network at once
            params, grads = [flat[0]], [flat[1]]
        else:
            params = [v.value for v in variables]
            if grads is None:
                grads = [v.grad for v in variables]
        grads = self._clip(grads)
        if self.weight_decay:
            factor = 1.0 - self.weight_decay * lr          # w -= w * wd * lr
            for p in params:
                p *= factor
        for p, g in zip(params, grads):
            self.update_step(p, g, lr)
        self.iterations += 1

    def apply_gradients(self, grads_and_vars) -> None:
        """Keras's form: a list of ``(gradient, variable)`` pairs."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def _clip(self, grads):
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

    def update_step(self, param, grad, lr) -> None:
        raise NotImplementedError

    def get_config(self) -> dict:
        lr = self._learning_rate
        return {"name": self.name, "learning_rate": lr if not callable(lr) else lr.get_config(),
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

    def build(self, variables):
        super().build(variables)
        self._m = self._slots(self._variables) if self.momentum else []

    def _slot_lists(self):
        return [self._m] if self.momentum else []

    def update_step(self, param, grad, lr):
        if not self.momentum:
            param -= lr * grad                          # w = w - alpha * dJ/dw
            return
        (m,), mu = self._slots_of(param), self.momentum
        m *= mu
        m -= lr * grad
        if self.nesterov:
            param += mu * m - lr * grad
        else:
            param += m

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

    def build(self, variables):
        super().build(variables)
        self._tmp = self._slots(self._variables)        # reused scratch: no temporaries per step
        self._v = self._slots(self._variables)
        self._m = self._slots(self._variables) if self.momentum else []
        self._mg = self._slots(self._variables) if self.centered else []

    def _slot_lists(self):
        return [self._v] + ([self._m] if self.momentum else []) + ([self._mg] if self.centered else [])

    def update_step(self, param, grad, lr):
        t, v, *rest = self._slots_of(param)
        m = rest.pop(0) if self.momentum else None
        mg = rest.pop(0) if self.centered else None
        rho = self.rho
        v *= rho                                        # v = rho v + (1 - rho) g^2
        np.multiply(grad, grad, out=t)
        t *= 1.0 - rho
        v += t
        if self.centered:
            mg *= rho
            mg += (1.0 - rho) * grad
            np.multiply(mg, mg, out=t)                  # denominator v - mg^2 + eps
            np.subtract(v, t, out=t)
            t += self.epsilon
        else:
            np.add(v, self.epsilon, out=t)
        np.sqrt(t, out=t)
        np.divide(grad, t, out=t)                       # step = lr g / sqrt(v + eps)
        t *= lr
        if self.momentum:
            m *= self.momentum
            m += t
            param -= m
        else:
            param -= t

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adam(Optimizer):
    """``m += (g - m)(1 - b1)``, ``v += (g^2 - v)(1 - b2)``,
    ``w -= a m / (sqrt(v) + eps)`` with ``a = lr sqrt(1 - b2^t) / (1 - b1^t)``, ``t = step + 1``.
    ``amsgrad`` uses the running maximum of ``v``. Defaults lr=0.001, 0.9, 0.999, eps=1e-7."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adam", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name, **kwargs)
        for arg, b in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= b < 1:
                raise ValueError(f"{type(self).__name__}: {arg} must be in [0, 1), got {b}")
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = float(beta_1), float(beta_2), float(epsilon), bool(amsgrad)

    def build(self, variables):
        super().build(variables)
        self._tmp = self._slots(self._variables)        # reused scratch
        self._m = self._slots(self._variables)
        self._v = self._slots(self._variables)
        self._vhat = self._slots(self._variables) if self.amsgrad else []

    def _slot_lists(self):
        return [self._m, self._v] + ([self._vhat] if self.amsgrad else [])

    def apply(self, grads, variables=None):
        t = self.iterations + 1                         # the bias correction, once per step
        # Computed in the weights' float type, as Keras does: in float32, 1 - 0.999**1 is
        # 0.00099998713, and the exact float64 value would make every step 6e-6 too large.
        if not self.built:
            self.build(self._variables if variables is None else variables)
        given = self._variables if variables is None else list(variables)
        f = given[0].value.dtype.type if given else float
        self._alpha_factor = np.sqrt(f(1) - f(self.beta_2) ** f(t)) / (f(1) - f(self.beta_1) ** f(t))
        super().apply(grads, variables)

    def update_step(self, param, grad, lr):
        t, m, v, *vhat = self._slots_of(param)
        np.subtract(grad, m, out=t)                     # m += (g - m)(1 - b1)
        t *= 1.0 - self.beta_1
        m += t
        np.multiply(grad, grad, out=t)                  # v += (g^2 - v)(1 - b2)
        t -= v
        t *= 1.0 - self.beta_2
        v += t
        if self.amsgrad:
            np.maximum(vhat[0], v, out=vhat[0])
            v = vhat[0]
        np.sqrt(v, out=t)                               # w -= alpha m / (sqrt(v) + eps)
        t += self.epsilon
        np.divide(m, t, out=t)
        t *= self._alpha_factor * t.dtype.type(lr)     # alpha = lr sqrt(1 - b2^t) / (1 - b1^t)
        param -= t

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


_CLASSES = {"SGD": SGD, "RMSprop": RMSprop, "Adam": Adam, "AdamW": AdamW}
_BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW}


def get(identifier) -> Optimizer:
    """Resolve a name (``"rmsprop"``, ``"adam"``, ``"sgd"``, ``"adamw"``), config dict, or instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            from ._suggest import did_you_mean
            raise ValueError(
                f"Unknown optimizer {identifier!r}.{did_you_mean(identifier, _BY_NAME)} "
                f"Known: {', '.join(sorted(_BY_NAME))}."
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
    if name not in _CLASSES:
        raise ValueError(f"Unknown optimizer class {name!r}")
    kwargs = dict(config.get("config") or {})
    if isinstance(kwargs.get("learning_rate"), dict):
        raise ValueError("learning-rate schedules in optimizer configs are not supported yet")
    allowed = _CLASSES[name]().get_config().keys() | {"use_ema", "ema_momentum", "ema_overwrite_frequency",
                                                       "loss_scale_factor", "gradient_accumulation_steps"}
    kwargs = {k: v for k, v in kwargs.items() if k in allowed}
    return _CLASSES[name](**kwargs)
