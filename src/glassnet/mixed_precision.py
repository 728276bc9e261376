"""``keras.mixed_precision``: dtype policies and ``LossScaleOptimizer``, honestly in float32.

glassnet computes in float32 (NumPy on the CPU has no fast float16 matrix products), so a
policy is a label that layers report as Keras reports it: ``Policy("mixed_float16")`` has
``compute_dtype == "float16"`` and ``variable_dtype == "float32"``, and a layer made under it
says so (``layer.dtype_policy``, ``layer.compute_dtype``, ``layer.variable_dtype``), but its
weights and its outputs stay float32. ``"float32"`` (the default) is exact; ``"float64"``,
``"float16"`` and ``"bfloat16"`` policies set the layer's dtype as ``dtype=`` does; the two
mixed policies are accepted with a one-time warning saying that glassnet computes in float32.

``LossScaleOptimizer`` keeps Keras's dynamic loss scale (start 2**15, doubled after
``dynamic_growth_steps`` finite steps, halved and the step skipped when a gradient is not
finite). In a loop of one's own, ``scaled = opt.scale_loss(loss)`` then
``opt.apply_gradients(...)`` unscales the gradients as Keras does; ``fit`` computes the
loss in float32 and never scales it, so gradients that come without a ``scale_loss`` since
the last step are used as they are.

>>> p = Policy("mixed_float16")
>>> p, p.compute_dtype, p.variable_dtype
(<DTypePolicy "mixed_float16">, 'float16', 'float32')
"""
from __future__ import annotations

import warnings

import numpy as np

from .optimizers.base import Optimizer

_FLOATS = ("float16", "bfloat16", "float32", "float64")
_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
_warned = False


class Policy:
    """A dtype policy (Keras 3's ``DTypePolicy``; ``keras.mixed_precision.Policy``): a name,
    the dtype layers compute in and the dtype their variables are kept in."""

    def __init__(self, name=None):
        from . import config
        name = config.floatx() if name is None else name
        if isinstance(name, Policy):
            name = name.name
        name = getattr(name, "name", name)          # a numpy or glassnet dtype
        if name in _MIXED:
            self.name, self.compute_dtype, self.variable_dtype = name, _MIXED[name], "float32"
        elif name in _FLOATS or (isinstance(name, str) and _is_dtype(name)):
            self.name = self.compute_dtype = self.variable_dtype = str(name)
        else:
            raise ValueError(f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies include "
                             "'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as 'float32'.")

    @property
    def is_mixed(self) -> bool:
        return self.name in _MIXED

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, Policy) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'


DTypePolicy = Policy


def _is_dtype(name: str) -> bool:
    try:
        np.dtype(name)
    except TypeError:
        return False
    return True


_global = None          # None: floatx's policy


def global_policy() -> Policy:
    """The policy layers made from now on take when given no ``dtype`` (``"float32"`` unless set)."""
    return _global if _global is not None else Policy()


def set_global_policy(policy) -> None:
    """Set the policy of layers made from now on: a name (``"mixed_float16"``), a :class:`Policy`,
    or None for the default. A mixed policy warns once that glassnet computes in float32."""
    global _global
    _global = None if policy is None else (policy if isinstance(policy, Policy) else Policy(policy))
    if _global is not None:
        _note(_global)


def _note(policy: Policy) -> None:
    global _warned
    if policy.is_mixed and not _warned:
        _warned = True
        warnings.warn(f"mixed precision policy {policy.name!r}: glassnet computes in float32 (layers report "
                      f"compute_dtype {policy.compute_dtype!r} as Keras does, but their outputs and weights "
                      "are float32)", UserWarning, stacklevel=3)


def layer_policy(dtype):
    """What ``Layer(dtype=...)`` keeps: ``(policy or None, the numpy dtype name or None)``.

    A mixed policy (given, or the global one when ``dtype`` is None) keeps float32 arrays; a
    plain dtype stays the layer's dtype, as before."""
    if dtype is None:
        if _global is None or not _global.is_mixed:
            return None, (None if _global is None or _global.name == "float32" else _global.variable_dtype)
        return _global, "float32"
    if isinstance(dtype, Policy) or (isinstance(dtype, str) and dtype in _MIXED):
        policy = dtype if isinstance(dtype, Policy) else Policy(dtype)
        _note(policy)
        return (policy, "float32") if policy.is_mixed else (None, policy.variable_dtype)
    return None, dtype


# -- loss scaling -----------------------------------------------------------------------
class LossScaleOptimizer(Optimizer):
    """Keras's dynamic loss scale around ``inner_optimizer`` (its rule, rate and state are the
    inner one's). ``scale_loss(loss)`` multiplies by the scale; the next ``apply_gradients``
    divides the gradients by it. Non-finite gradients: the step is skipped and the scale
    halved; after ``dynamic_growth_steps`` finite steps in a row it doubles.

    >>> from glassnet.optimizers import SGD
    >>> opt = LossScaleOptimizer(SGD(0.1))
    >>> float(opt.scale_loss(2.0))
    65536.0
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000, name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                             "`loss_scale_factor` directly on the `inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(f"LossScaleOptimizer: inner_optimizer must be an Optimizer, got "
                            f"{type(inner_optimizer).__name__}")
        self.inner_optimizer = inner_optimizer
        self.name = name or "loss_scale_optimizer"
        self.initial_scale, self.dynamic_growth_steps = float(initial_scale), int(dynamic_growth_steps)
        self.dynamic_scale = np.float32(initial_scale)
        self.step_counter = 0
        self._scaled = False                # scale_loss was called since the last step

    loss_scale_factor = None                # Keras 3's optimizer argument (a fixed factor): not set here

    def __getattr__(self, name):            # rate, slots, built, ... are the inner optimizer's
        if name == "inner_optimizer":
            raise AttributeError(name)
        return getattr(self.inner_optimizer, name)

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @iterations.setter
    def iterations(self, value):
        self.inner_optimizer.iterations = value

    def build(self, variables) -> None:
        self.inner_optimizer.build(variables)

    # the state is the inner optimizer's (Keras's files keep it so)
    def slot_names(self):
        return self.inner_optimizer.slot_names()

    def slots_in_file_order(self):
        return self.inner_optimizer.slots_in_file_order()

    def slots_of(self, index):
        return self.inner_optimizer.slots_of(index)

    def set_state(self, arrays) -> None:
        self.inner_optimizer.set_state(arrays)

    def scale_loss(self, loss):
        """``loss * scale`` (a Tensor stays on the tape); the next step unscales the gradients."""
        self._scaled = True
        return loss * self.dynamic_scale

    def _step(self, grads, run) -> None:
        grads = [None if g is None else np.asarray(getattr(g, "value", g)) for g in grads]
        scale, self._scaled = (self.dynamic_scale if self._scaled else None), False
        if not all(np.all(np.isfinite(g)) for g in grads if g is not None):
            self.step_counter, self.dynamic_scale = 0, np.float32(self.dynamic_scale * 0.5)
            return
        run([g if g is None or scale is None else g / scale for g in grads])
        if self.step_counter == self.dynamic_growth_steps - 1:
            self.step_counter, self.dynamic_scale = 0, np.float32(self.dynamic_scale * 2)
        else:
            self.step_counter += 1

    def apply(self, grads=None, variables=None) -> None:
        variables = self.inner_optimizer.variables_to_update if variables is None else list(variables)
        if grads is None:
            grads = [v.grad for v in variables]
        self._step(list(grads), lambda g: self.inner_optimizer.apply(g, variables))

    def apply_gradients(self, grads_and_vars) -> None:
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        variables = [v for _, v in pairs]
        self._step([g for g, _ in pairs], lambda g: self.inner_optimizer.apply_gradients(zip(g, variables)))

    def update_step(self, param, grad, lr, slots) -> None:
        self.inner_optimizer.update_step(param, grad, lr, slots)

    def update_rule(self):
        return [f"LossScaleOptimizer(scale={float(self.dynamic_scale):g}) around:"] + self.inner_optimizer.update_rule()

    def get_config(self) -> dict:
        from . import optimizers
        return {"name": self.name, "inner_optimizer": optimizers.serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    def __getstate__(self):
        return dict(self.__dict__)

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        return f"LossScaleOptimizer({self.inner_optimizer!r})"
