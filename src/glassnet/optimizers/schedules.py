"""Learning-rate schedules: the learning rate as a function of the step, ``lr = schedule(t)``.

Pass one as an optimizer's learning rate, as in Keras::

    lr = glassnet.keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)
    model.compile(optimizer=glassnet.keras.optimizers.SGD(learning_rate=lr), ...)

The optimizer calls it with its step counter ``t`` (0 on the first update) before each
update; ``optimizer.learning_rate`` reads the current value. Each formula is Keras's,
computed as Keras computes it: in float32 (the type TensorFlow gives a Python float), in
the same order, so the rates agree with Keras's to the last bit or two (``pow`` and
``cos`` are the platform's).

>>> schedule = InverseTimeDecay(0.001, decay_steps=20, decay_rate=1)
>>> [round(schedule(t), 6) for t in (0, 20, 60)]          # 0.001 / (1 + t / 20)
[0.001, 0.0005, 0.00025]
"""
from __future__ import annotations

import math

import numpy as np

from ..registry import Family

__all__ = ["CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay",
           "LearningRateSchedule", "PiecewiseConstantDecay", "PolynomialDecay", "deserialize",
           "serialize"]

_f = np.float32                      # the schedules' type, as Keras's on TensorFlow


class LearningRateSchedule:
    """Base class: ``__call__(step)`` gives the learning rate at ``step``; ``get_config``
    gives the arguments that rebuild it (``from_config``), for model files."""

    def __call__(self, step):
        raise NotImplementedError(f"{type(self).__name__} must define __call__(self, step)")

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} must define get_config() to be saved")

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _steps(value, name, owner):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not value > 0:
        raise ValueError(f"{owner}: {name} must be a number > 0, got {value!r}")
    return value


def _rate(value, name, owner):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be a finite number, got {value!r}")
    return value


def _number(value):
    """A step's rate as a float; the rates at many steps at once (the overfitting tutorial
    plots ``schedule(np.linspace(0, 100000))``) as a float32 tensor, as TensorFlow's."""
    if np.ndim(value) == 0:
        return float(value)
    from ..tf.tensor import Tensor  # noqa: PLC0415
    return np.asarray(value, np.float32).view(Tensor)


class _StepDecay(LearningRateSchedule):
    """The arguments ExponentialDecay and InverseTimeDecay share: a rate that decays with
    ``step / decay_steps`` (rounded down with ``staircase=True``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        owner = type(self).__name__
        self.initial_learning_rate = _rate(initial_learning_rate, "initial_learning_rate", owner)
        self.decay_steps = _steps(decay_steps, "decay_steps", owner)
        self.decay_rate = _rate(decay_rate, "decay_rate", owner)
        self.staircase, self.name = bool(staircase), name or owner

    def _fraction(self, step):
        p = np.asarray(step, _f) / _f(self.decay_steps)
        return np.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_StepDecay):
    """``lr = initial_learning_rate * decay_rate ** (step / decay_steps)`` (the exponent
    rounded down with ``staircase=True``: the rate drops every ``decay_steps`` steps)."""

    def __call__(self, step):
        return _number(_f(self.initial_learning_rate) * np.power(_f(self.decay_rate), self._fraction(step)))


class InverseTimeDecay(_StepDecay):
    """``lr = initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (the fraction
    rounded down with ``staircase=True``). TensorFlow's "Overfit and underfit" tutorial
    trains with it."""

    def __call__(self, step):
        return _number(_f(self.initial_learning_rate) / (_f(1) + _f(self.decay_rate) * self._fraction(step)))


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to step ``boundaries[0]`` (included), ``values[1]`` up to
    ``boundaries[1]``, ..., ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        owner = type(self).__name__
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"{owner}: boundaries must be one shorter than values; got "
                             f"{len(boundaries)} boundaries and {len(values)} values")
        if any(b2 <= b1 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ValueError(f"{owner}: boundaries must increase, got {boundaries}")
        self.boundaries = boundaries
        self.values = [_rate(v, f"values[{i}]", owner) for i, v in enumerate(values)]
        self.name = name

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return float(_f(value))
        return float(_f(self.values[-1]))

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` to ``end_learning_rate`` over ``decay_steps``:
    ``(initial - end) * (1 - step / decay_steps) ** power + end``, then ``end`` (or, with
    ``cycle=True``, again over a ``decay_steps`` stretched to the next multiple)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = _rate(initial_learning_rate, "initial_learning_rate", owner)
        self.decay_steps = _steps(decay_steps, "decay_steps", owner)
        self.end_learning_rate = _rate(end_learning_rate, "end_learning_rate", owner)
        self.power = _rate(power, "power", owner)
        self.cycle, self.name = bool(cycle), name

    def __call__(self, step):
        t, decay_steps = _f(step), _f(self.decay_steps)
        if self.cycle:
            decay_steps = decay_steps * (_f(1) if t == 0 else np.ceil(t / decay_steps))
        else:
            t = min(t, decay_steps)
        initial, end = _f(self.initial_learning_rate), _f(self.end_learning_rate)
        return float((initial - end) * np.power(_f(1) - t / decay_steps, _f(self.power)) + end)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


def _cosine(t, steps, start, alpha):
    """``start * ((1 - alpha) * (1 + cos(pi t / steps)) / 2 + alpha)``, Keras's order."""
    decayed = _f(0.5) * (_f(1) + np.cos(_f(math.pi) * (t / steps)))
    return start * ((_f(1) - _f(alpha)) * decayed + _f(alpha))


class CosineDecay(LearningRateSchedule):
    """Half a cosine from ``initial_learning_rate`` down to ``alpha`` times it over
    ``decay_steps``; with ``warmup_target``, first a straight line up to it over
    ``warmup_steps``, then the cosine from there."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        owner = type(self).__name__
        self.initial_learning_rate = _rate(initial_learning_rate, "initial_learning_rate", owner)
        self.decay_steps = _steps(decay_steps, "decay_steps", owner)
        self.alpha = _rate(alpha, "alpha", owner)
        self.warmup_target = None if warmup_target is None else _rate(warmup_target, "warmup_target", owner)
        self.warmup_steps = warmup_steps
        self.name = name

    def __call__(self, step):
        t, steps, initial = _f(step), _f(self.decay_steps), _f(self.initial_learning_rate)
        if self.warmup_target is None:
            return float(_cosine(min(t, steps), steps, initial, self.alpha))
        target, warmup = _f(self.warmup_target), _f(self.warmup_steps)
        t = min(t, steps + warmup)
        if t < warmup:
            return float((target - initial) * (t / warmup) + initial)
        return float(_cosine(t - warmup, steps, target, self.alpha))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): a cosine over ``first_decay_steps``, then
    again from the top over ``t_mul`` times as many steps, each restart's peak ``m_mul``
    times the one before."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = _rate(initial_learning_rate, "initial_learning_rate", owner)
        self.first_decay_steps = _steps(first_decay_steps, "first_decay_steps", owner)
        self.t_mul, self.m_mul = _rate(t_mul, "t_mul", owner), _rate(m_mul, "m_mul", owner)
        self.alpha = _rate(alpha, "alpha", owner)
        self.name = name

    def __call__(self, step):
        done = _f(step) / _f(self.first_decay_steps)
        t_mul = _f(self.t_mul)
        if t_mul == 1:
            restart = np.floor(done)
            done = done - restart
        else:                         # which restart: the geometric series of the lengths
            restart = np.floor(np.log(_f(1) - done * (_f(1) - t_mul)) / np.log(t_mul))
            before = (_f(1) - np.power(t_mul, restart)) / (_f(1) - t_mul)
            done = (done - before) / np.power(t_mul, restart)
        peak = np.power(_f(self.m_mul), restart)
        decayed = _f(0.5) * peak * (_f(1) + np.cos(_f(math.pi) * done))
        return float(_f(self.initial_learning_rate) * ((_f(1) - _f(self.alpha)) * decayed + _f(self.alpha)))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul, "m_mul": self.m_mul,
                "alpha": self.alpha, "name": self.name}


CLASSES = {c.__name__: c for c in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay,
                                   PolynomialDecay, CosineDecay, CosineDecayRestarts)}


FAMILY = Family("learning-rate schedule", "keras.optimizers.schedules", CLASSES, base=LearningRateSchedule,
                expected="a config dict or a LearningRateSchedule")


def serialize(schedule: LearningRateSchedule) -> dict:
    """Keras's entry for a schedule in an optimizer's config."""
    return FAMILY.serialize(schedule)


def deserialize(config: dict, custom_objects=None) -> LearningRateSchedule:
    """The schedule a :func:`serialize` entry (glassnet's or Keras's) describes: one of the
    classes above, one in ``custom_objects`` or a registered one (see :mod:`glassnet.registry`)."""
    return FAMILY.deserialize(config, custom_objects)
