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

__all__ = ["InputContext", "InputOptions", "InputReplicationMode", "MirroredStrategy", "MultiWorkerMirroredStrategy",
           "OneDeviceStrategy", "ReduceOp", "ReplicaContext", "Strategy", "ValueContext", "get_replica_context",
           "get_strategy", "has_strategy", "in_cross_replica_context"]


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


class InputReplicationMode(enum.Enum):
    """How input is made for the replicas (``InputOptions.experimental_replication_mode``)."""

    PER_WORKER = "PER_WORKER"
    PER_REPLICA = "PER_REPLICA"


class InputOptions:
    """``tf.distribute.InputOptions``: where distributed input is put. Accepted and kept (one CPU
    replica: the data is where it is used already), printed as TensorFlow's."""

    def __init__(self, experimental_fetch_to_device=None, experimental_replication_mode=InputReplicationMode.PER_WORKER,
                 experimental_place_dataset_on_device=False, experimental_per_replica_buffer_size=1):
        self.experimental_fetch_to_device = True if experimental_fetch_to_device is None else \
            bool(experimental_fetch_to_device)
        self.experimental_replication_mode = InputReplicationMode(experimental_replication_mode)
        self.experimental_place_dataset_on_device = bool(experimental_place_dataset_on_device)
        self.experimental_per_replica_buffer_size = int(experimental_per_replica_buffer_size)

    def __repr__(self):
        return (f"InputOptions(experimental_fetch_to_device={self.experimental_fetch_to_device}, "
                f"experimental_replication_mode=<{self.experimental_replication_mode}: "
                f"'{self.experimental_replication_mode.value}'>, "
                f"experimental_place_dataset_on_device={self.experimental_place_dataset_on_device}, "
                f"experimental_per_replica_buffer_size={self.experimental_per_replica_buffer_size})")


class ValueContext:
    """What ``experimental_distribute_values_from_function`` hands its function: replica 0 of 1."""

    replica_id_in_sync_group, num_replicas_in_sync = 0, 1


class PerReplica:
    """One value per replica (here one), as ``experimental_distribute_values_from_function`` gives
    it; ``run`` hands each replica its own, ``experimental_local_results`` the tuple of them."""

    def __init__(self, values):
        self.values = tuple(values)

    def __repr__(self):
        return "PerReplica:{\n" + "".join(f"  {i}: {v!r}\n" for i, v in enumerate(self.values)) + "}"

    def __str__(self):
        return "PerReplica:{\n" + "".join(f"  {i}: {str(v)}\n" for i, v in enumerate(self.values)) + "}"


def _one(value):
    return value.values[0] if isinstance(value, PerReplica) else value


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
        """``fn(*args, **kwargs)`` on the one replica (a :class:`PerReplica` argument gives it its value)."""
        return fn(*(_one(a) for a in args), **{k: _one(v) for k, v in (kwargs or {}).items()})

    def reduce(self, reduce_op, value, axis=None):
        """The one replica's ``value`` combined: itself when ``axis`` is None, else its sum or
        mean over ``axis`` (``reduce_op`` is ``ReduceOp.SUM``/``MEAN`` or ``"SUM"``/``"MEAN"``)."""
        op = str(getattr(reduce_op, "value", reduce_op)).upper()
        if op not in ("SUM", "MEAN"):
            raise ValueError(f"Strategy.reduce: reduce_op must be ReduceOp.SUM or ReduceOp.MEAN, got {reduce_op!r}")
        from . import math
        value = _one(value)
        if axis is None:
            return _as_tensor(value)
        return (math.reduce_sum if op == "SUM" else math.reduce_mean)(value, axis=axis)

    def gather(self, value, axis):
        return _as_tensor(_one(value))

    def experimental_local_results(self, value):
        return value.values if isinstance(value, PerReplica) else (value,)

    def experimental_distribute_values_from_function(self, value_fn):
        """``value_fn(ValueContext())`` for the one replica, as a :class:`PerReplica`."""
        return PerReplica([value_fn(ValueContext())])

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
