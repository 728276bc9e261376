"""Global numeric settings: the float type and the fuzz factor, as in ``keras.config``.

>>> import glassnet
>>> glassnet.config.floatx()
'float32'
"""
from __future__ import annotations

import numpy as np

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


def dtype():
    """``numpy.dtype`` of :func:`floatx` (internal convenience)."""
    return np.dtype(_FLOATX)


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
    from . import threads  # noqa: PLC0415
    threads.set_num_threads(n)


def get_num_threads() -> int:
    """The thread count in force (the fixed one, or auto's latest choice)."""
    from . import threads  # noqa: PLC0415
    return threads.get_num_threads()


def set_kernels(kind: str) -> None:
    """The optimizer kernels of the fast path: ``"auto"`` (default: numba when installed and
    the network has at least 2**19 weights, else NumPy), ``"numpy"`` or ``"numba"``. Both
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
