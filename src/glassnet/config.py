"""Global numeric settings: the float type and the fuzz factor, as in ``keras.config``.

>>> import glassnet
>>> glassnet.config.floatx()
'float32'
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import NamedTuple

_FLOATX = "float32"
_EPSILON = 1e-7


def floatx() -> str:
    """The default float type of weights and computations (``"float32"``)."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float type: ``"float32"`` (default) or ``"float64"`` for exact checks.

    Models built afterwards use it; existing weights keep their type.
    """
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(
            f"set_floatx: value must be 'float16', 'float32' or 'float64', got {value!r}"
        )
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor used by losses and optimizers (``1e-7``, as in Keras)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor returned by :func:`epsilon`."""
    global _EPSILON
    _EPSILON = float(value)


# -- TensorFlow's tf.config calls, as beginner notebooks make them at import time ------------
# glassnet computes with NumPy on the CPU, eagerly: there is no GPU to find, no graph to
# compile, no device memory to grow. The calls are accepted and answer truthfully.
class PhysicalDevice(NamedTuple):
    name: str
    device_type: str


class LogicalDevice(NamedTuple):
    name: str
    device_type: str


_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")


def list_physical_devices(device_type: str | None = None) -> list:
    """``[]`` for ``"GPU"`` (glassnet runs on the CPU); the CPU for ``"CPU"`` or ``None``.

    >>> list_physical_devices("GPU")
    []
    """
    return [_CPU] if device_type is None or str(device_type).upper() == "CPU" else []


def list_logical_devices(device_type: str | None = None) -> list:
    return [LogicalDevice("/device:CPU:0", "CPU")] if device_type is None or str(device_type).upper() == "CPU" else []


get_visible_devices = list_physical_devices


def set_visible_devices(devices, device_type: str | None = None) -> None:
    """Accepted (hiding GPUs changes nothing: there are none)."""


_EAGER = [False]


def run_functions_eagerly(run_eagerly: bool) -> None:
    """glassnet always runs eagerly (its backward pass is Python you can step through); this only
    says whether a ``tf.function`` shows its Python ``print`` output at every call (True) or, as
    TensorFlow's traced functions do, only when it would trace (False, the default)."""
    _EAGER[0] = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    return _EAGER[0]


_SOFT_PLACEMENT = [True]                 # TensorFlow's default


def set_soft_device_placement(enabled: bool) -> None:
    """Kept for :func:`get_soft_device_placement`; there is one device, so nothing moves."""
    _SOFT_PLACEMENT[0] = bool(enabled)


def get_soft_device_placement() -> bool:
    """What :func:`set_soft_device_placement` was last told (True until then, as TensorFlow)."""
    return _SOFT_PLACEMENT[0]


def _set_memory_growth(device, enable: bool) -> None:
    """Accepted; NumPy allocates as it goes."""


def _get_memory_growth(device) -> bool:
    return True


def _enable_op_determinism() -> None:
    """Accepted: with a seed (``glassnet.utils.set_random_seed``) glassnet's runs repeat exactly."""


def _threads(n: int) -> None:
    """TensorFlow's thread settings: a positive count fixes glassnet's (``set_num_threads``);
    0, TensorFlow's "let the system decide", is glassnet's auto."""
    set_num_threads(int(n) if n else None)


experimental = SimpleNamespace(set_memory_growth=_set_memory_growth, get_memory_growth=_get_memory_growth,
                               list_physical_devices=list_physical_devices, list_logical_devices=list_logical_devices,
                               set_visible_devices=set_visible_devices, get_visible_devices=list_physical_devices,
                               enable_op_determinism=_enable_op_determinism)
threading = SimpleNamespace(set_intra_op_parallelism_threads=_threads, set_inter_op_parallelism_threads=_threads,
                            get_intra_op_parallelism_threads=lambda: 0, get_inter_op_parallelism_threads=lambda: 0)


# tf.config.optimizer: Grappler's switches, kept and shown as TensorFlow's (glassnet runs no graph
# optimizer; "debug_stripper" alone acts: tf.debugging.check_numerics/Assert inside a tf.function pass)
_TOGGLES = ("layout_optimizer", "constant_folding", "shape_optimization", "remapping", "arithmetic_optimization",
            "dependency_optimization", "loop_optimization", "function_optimization", "debug_stripper",
            "disable_model_pruning", "scoped_allocator_optimization", "pin_to_host_optimization",
            "implementation_selector", "auto_mixed_precision", "use_plugin_optimizers", "disable_meta_optimizer",
            "auto_mixed_precision_onednn_bfloat16", "auto_mixed_precision_mkl")
_ALWAYS_SHOWN = ("disable_model_pruning", "disable_meta_optimizer")        # TF's two plain bools: False until set
_GRAPPLER: dict = {}
_JIT = [False]


def _set_experimental_options(options) -> None:
    """``tf.config.optimizer.set_experimental_options``: the options named (TF's names) set, the
    others kept; a name TensorFlow does not know is ignored, as there. ``min_graph_nodes`` must be an int."""
    options = dict(options)
    nodes = options.get("min_graph_nodes")
    if isinstance(nodes, bool) or (nodes is not None and not isinstance(nodes, int)):
        raise TypeError(f"Field tensorflow.RewriterConfig.min_graph_nodes: Expected an int, got "
                        f"{'a boolean' if isinstance(nodes, bool) else type(nodes).__name__}.")
    _GRAPPLER.update(options)


def _get_experimental_options() -> dict:
    """``tf.config.optimizer.get_experimental_options``: the switches set (True/False), in TensorFlow's
    order, with ``disable_model_pruning`` and ``disable_meta_optimizer`` always, ``min_graph_nodes`` when not 0."""
    shown = {n: bool(_GRAPPLER.get(n)) for n in _TOGGLES if n in _ALWAYS_SHOWN or _GRAPPLER.get(n) is not None}
    if _GRAPPLER.get("min_graph_nodes"):
        shown["min_graph_nodes"] = _GRAPPLER["min_graph_nodes"]
    return shown


def _set_jit(enabled) -> None:
    """``tf.config.optimizer.set_jit``: True or ``"autoclustering"`` turn XLA's autoclustering on (remembered)."""
    _JIT[0] = enabled in (True, "autoclustering")


optimizer = SimpleNamespace(set_experimental_options=_set_experimental_options,
                            get_experimental_options=_get_experimental_options,
                            set_jit=_set_jit, get_jit=lambda: "autoclustering" if _JIT[0] else "")


def enable_unsafe_deserialization() -> None:
    """``keras.config.enable_unsafe_deserialization()``: accepted, changing nothing. glassnet's
    loader never runs code from a file (no lambdas), so files load as safely as before."""


def set_num_threads(n: int | None) -> None:
    """Threads for BLAS and glassnet's elementwise work while training: ``n`` (>= 1), or
    ``None`` (default, "auto"): the cores other processes leave free, looked at again
    every half second, so training does not collapse on a busy machine. The environment
    variable ``GLASSNET_NUM_THREADS`` sets the same. See ``glassnet.threads``.

    >>> import glassnet
    >>> glassnet.config.set_num_threads(2); glassnet.config.get_num_threads()
    2
    >>> glassnet.config.set_num_threads(None)
    """
    from .fast import threads  # noqa: PLC0415
    threads.set_num_threads(n)


def get_num_threads() -> int:
    """The thread count in force (the fixed one, or auto's latest choice)."""
    from .fast import threads  # noqa: PLC0415
    return threads.get_num_threads()


def set_kernels(kind: str) -> None:
    """The optimizer kernels of the fast path: ``"auto"`` (default: numba when installed and
    the network has at least 2**19 weights or the fit at hand at least 10**8 weights x steps
    (in a loop of one's own: those taken so far), else NumPy), ``"numpy"`` or ``"numba"``. Both
    give the same weights bit for bit; takes effect for optimizers built afterwards.

    >>> import glassnet
    >>> glassnet.config.set_kernels("numpy"); glassnet.config.kernels()
    'numpy'
    >>> glassnet.config.set_kernels("auto")
    """
    from . import fast  # noqa: PLC0415
    fast.set_kernels(kind)


def kernels() -> str:
    """The fast path's kernel choice: ``"auto"``, ``"numpy"`` or ``"numba"``."""
    from . import fast  # noqa: PLC0415
    return fast.kernels()


def set_flush_denormals(flush: bool) -> None:
    """While training (``fit``, ``train_on_batch``, and a loop of your own while a
    ``GradientTape`` records, runs back and ``apply_gradients`` updates), flush subnormal numbers to zero, as
    TensorFlow's and XLA's CPU kernels do (default True; Linux on x86-64). Without it, a
    long fit whose optimizer state decays into subnormals (Adam's ``m`` of a weight that
    never gets a gradient) runs several times slower. See ``glassnet.fast.denormals``."""
    if not isinstance(flush, bool):
        raise ValueError(f"set_flush_denormals: flush must be True or False, got {flush!r}")
    from .fast import denormals  # noqa: PLC0415
    denormals.enabled = flush


_FAST_PATH = True


def set_fast_path(enabled: bool) -> None:
    """Whether ``fit``, ``train_on_batch`` and a loop of your own (``GradientTape`` +
    ``apply_gradients``: ``glassnet.fast.loop``) may take ``glassnet.fast``'s fused step (default
    True; the environment variable ``GLASSNET_FAST_PATH=0`` says False too). With False, the
    readable code runs on every step: each layer's ``forward`` and ``backward``, the loss's
    methods, the optimizer's ``update_step``, so a ``print`` or breakpoint in them fires. Both
    give the same weights bit for bit. The readable path also runs, whatever this says, under
    a debugger or tracer and for any layer, loss or optimizer whose methods were replaced.

    >>> import glassnet
    >>> glassnet.config.set_fast_path(False); glassnet.config.fast_path()
    False
    >>> glassnet.config.set_fast_path(True)
    """
    global _FAST_PATH
    if not isinstance(enabled, bool):
        raise ValueError(f"set_fast_path: enabled must be True or False, got {enabled!r}")
    _FAST_PATH = enabled


def fast_path() -> bool:
    """``set_fast_path``'s setting, False also when ``GLASSNET_FAST_PATH`` is 0, false, no or off."""
    import os  # noqa: PLC0415
    env = os.environ.get("GLASSNET_FAST_PATH", "").strip().lower()
    return _FAST_PATH and env not in ("0", "false", "no", "off")


_COMPILED_EPOCH = True


def set_compiled_epoch(enabled: bool) -> None:
    """Whether ``fit`` may run a whole epoch of a small Dense network in one compiled call
    (``glassnet.fast.epoch``: numba, when it is installed and worth loading; default True;
    ``GLASSNET_COMPILED_EPOCH=0`` says False too). With False, such an epoch runs step by
    step on the fused NumPy step; both give the same numbers within 1e-6 relative.

    >>> import glassnet
    >>> glassnet.config.set_compiled_epoch(False); glassnet.config.compiled_epoch()
    False
    >>> glassnet.config.set_compiled_epoch(True)
    """
    global _COMPILED_EPOCH
    if not isinstance(enabled, bool):
        raise ValueError(f"set_compiled_epoch: enabled must be True or False, got {enabled!r}")
    _COMPILED_EPOCH = enabled


def compiled_epoch() -> bool:
    """``set_compiled_epoch``'s setting (``GLASSNET_COMPILED_EPOCH`` is read by ``glassnet.fast.epoch``)."""
    return _COMPILED_EPOCH
