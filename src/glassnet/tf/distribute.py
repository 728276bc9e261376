"""``tf.distribute`` on one machine with one replica: the strategies a guide writes run its
code as it is, on the CPU, once.

glassnet has one device, so every strategy here has ``num_replicas_in_sync == 1``: ``scope()``
makes it the current strategy (variables and models made inside are ordinary ones),
``run(fn, args)`` calls ``fn(*args)`` once, ``reduce`` of a value from that one replica is the
value itself (or its sum or mean over ``axis`` when one is given, as TensorFlow does), and
``experimental_distribute_dataset`` gives the dataset back unchanged. Nothing is split,
copied or synchronised: there is nothing to split it across.

>>> strategy = MirroredStrategy()
>>> with strategy.scope():
...     pass
>>> strategy.num_replicas_in_sync, strategy.run(lambda x: x * 2, args=(3,))
(1, 6)
"""
from __future__ import annotations

import contextlib
import enum

__all__ = ["InputContext", "MirroredStrategy", "MultiWorkerMirroredStrategy", "OneDeviceStrategy", "ReduceOp",
           "ReplicaContext", "Strategy", "get_replica_context", "get_strategy", "has_strategy",
           "in_cross_replica_context"]


class ReduceOp(enum.Enum):
    """How ``Strategy.reduce`` combines: ``ReduceOp.SUM`` or ``ReduceOp.MEAN`` (an Enum as
    TensorFlow's: printed ``ReduceOp.SUM``, ``ReduceOp("SUM")`` gives it back)."""

    SUM = "SUM"
    MEAN = "MEAN"


class InputContext:
    """What ``distribute_datasets_from_function`` hands the dataset function: one pipeline, one replica."""

    num_input_pipelines, input_pipeline_id, num_replicas_in_sync = 1, 0, 1

    def get_per_replica_batch_size(self, global_batch_size: int) -> int:
        return int(global_batch_size)


class ReplicaContext:
    """The context of the one replica (``tf.distribute.get_replica_context()``)."""

    def __init__(self, strategy):
        self.strategy = strategy
        self.num_replicas_in_sync, self.replica_id_in_sync_group = 1, 0

    def all_reduce(self, reduce_op, value):
        return value                    # one replica: the sum and the mean are the value


class _Extended:
    def __init__(self, strategy):
        self._strategy = strategy
        self.worker_devices = ("/job:localhost/replica:0/task:0/device:CPU:0",)
        self.parameter_devices = self.worker_devices


_current = []           # the strategies whose scope() is open, innermost last


class Strategy:
    """The base strategy (TensorFlow's default one when no scope is open): one replica."""

    def __init__(self):
        self.extended = _Extended(self)
        self.cluster_resolver = None

    @property
    def num_replicas_in_sync(self) -> int:
        return 1

    @contextlib.contextmanager
    def scope(self):
        """Make this the current strategy while the block runs (``get_strategy()`` returns it)."""
        _current.append(self)
        try:
            yield self
        finally:
            _current.pop()

    def run(self, fn, args=(), kwargs=None, options=None):
        """``fn(*args, **kwargs)`` on the one replica."""
        return fn(*args, **(kwargs or {}))

    def reduce(self, reduce_op, value, axis=None):
        """The one replica's ``value`` combined: itself when ``axis`` is None, else its sum or
        mean over ``axis`` (``reduce_op`` is ``ReduceOp.SUM``/``MEAN`` or ``"SUM"``/``"MEAN"``)."""
        op = str(getattr(reduce_op, "value", reduce_op)).upper()
        if op not in ("SUM", "MEAN"):
            raise ValueError(f"Strategy.reduce: reduce_op must be ReduceOp.SUM or ReduceOp.MEAN, got {reduce_op!r}")
        from . import math
        if axis is None:
            return _as_tensor(value)
        return (math.reduce_sum if op == "SUM" else math.reduce_mean)(value, axis=axis)

    def gather(self, value, axis):
        return _as_tensor(value)

    def experimental_local_results(self, value):
        return (value,)

    def experimental_distribute_dataset(self, dataset, options=None):
        """The dataset itself: one replica takes each batch whole."""
        return dataset

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        return dataset_fn(InputContext())

    experimental_distribute_datasets_from_function = distribute_datasets_from_function

    def __repr__(self):
        return f"<{type(self).__name__} num_replicas_in_sync=1>"


class _DefaultDistributionStrategy(Strategy):
    """What ``get_strategy()`` gives outside any scope."""


class MirroredStrategy(Strategy):
    """Synchronous training over the given devices: here the one CPU, so one replica."""

    def __init__(self, devices=None, cross_device_ops=None):
        super().__init__()
        self.devices = tuple(devices) if devices is not None else ("/job:localhost/replica:0/task:0/device:CPU:0",)


class MultiWorkerMirroredStrategy(MirroredStrategy):
    """One worker, one replica."""

    def __init__(self, cluster_resolver=None, communication_options=None):
        super().__init__()


class OneDeviceStrategy(Strategy):
    """Everything on ``device`` (the one CPU here)."""

    def __init__(self, device):
        super().__init__()
        self.device = device


_DEFAULT = _DefaultDistributionStrategy()


def get_strategy() -> Strategy:
    """The strategy whose ``scope()`` is open, else the default one."""
    return _current[-1] if _current else _DEFAULT


def has_strategy() -> bool:
    """True inside a strategy's ``scope()``."""
    return bool(_current)


def in_cross_replica_context() -> bool:
    """True inside a ``scope()`` and outside ``run`` (TensorFlow's answer, as there)."""
    return bool(_current)


def get_replica_context():
    """The replica context outside a scope (TensorFlow: the default replica's), None inside one."""
    return None if _current else ReplicaContext(_DEFAULT)


def _as_tensor(value):
    import numpy as np

    from .tensor import Tensor, wrap
    return value if isinstance(value, Tensor) else wrap(np.asarray(getattr(value, "value", value)))
