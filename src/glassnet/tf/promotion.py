"""TensorFlow's type promotion modes (``tnp.experimental_enable_numpy_behavior(dtype_conversion_mode=...)``).

``"legacy"`` (what glassnet always does otherwise): NumPy's promotion. ``"all"`` and ``"safe"``:
TensorFlow's JAX-like lattice, where the answer to ``a + b`` is the first type both reach
following the arrows (so it is commutative and associative, and 64 bits come only from 64-bit
inputs)::

    b -> i* -> u8 -> u16 -> u32 -> u64 -> f*          f* -> f16 -> f32 -> f64 -> c128
         i* -> i8 -> i16 -> i32 -> i64 -> f*          f* -> c* -> c64 -> c128,  f32 -> c64
         u8 -> i16,  u16 -> i32,  u32 -> i64

``i*``, ``f*``, ``c*`` are *weak* types: a value with no dtype of its own (a Python number, a list,
``tf.constant(5)`` with no ``dtype``), which takes the other operand's type. A weak result is
int32, float32 or complex128 and prints ``weak=True``. ``"safe"`` refuses (TypeError) the
promotions that may lose precision or widen bits (int32 + float32, int8 + uint32 -> int64).

>>> import glassnet as tf, glassnet.experimental.numpy as tnp
>>> tnp.experimental_enable_numpy_behavior(dtype_conversion_mode="all")
>>> tf.constant(1.2) + tf.constant(3.1, tf.float16)
<tf.Tensor: shape=(), dtype=float16, numpy=4.30078125>
>>> tf.constant(1.5) + 1, tf.constant(2) / 4
(<tf.Tensor: shape=(), dtype=float32, numpy=2.5, weak=True>, <tf.Tensor: shape=(), dtype=float64, numpy=0.5, weak=True>)
>>> tnp.experimental_enable_numpy_behavior(dtype_conversion_mode="legacy")
"""
from __future__ import annotations

import numpy as np

MODE = [None]           # None or "legacy": NumPy's promotion; "all" / "safe": the lattice below

_EDGES = {
    "b": ("i*",), "i*": ("u8", "i8"), "u8": ("u16", "i16"), "u16": ("u32", "i32"), "u32": ("u64", "i64"),
    "u64": ("f*",), "i8": ("i16",), "i16": ("i32",), "i32": ("i64",), "i64": ("f*",),
    "f*": ("f16", "c*"), "f16": ("f32",), "f32": ("f64", "c64"), "f64": ("c128",), "c*": ("c64",),
    "c64": ("c128",), "c128": (),
}
_DTYPE = {"b": np.bool_, "u8": np.uint8, "u16": np.uint16, "u32": np.uint32, "u64": np.uint64, "i8": np.int8,
          "i16": np.int16, "i32": np.int32, "i64": np.int64, "f16": np.float16, "f32": np.float32,
          "f64": np.float64, "c64": np.complex64, "c128": np.complex128,
          "i*": np.int32, "f*": np.float32, "c*": np.complex128}          # a weak result's dtype
_NODE = {np.dtype(d): n for n, d in _DTYPE.items() if not n.endswith("*")}
_WEAK = {"b": "b", "i": "i*", "u": "i*", "f": "f*", "c": "c*"}


def _upper(node: str) -> frozenset:
    """``node`` and every type its arrows reach."""
    seen, todo = {node}, [node]
    while todo:
        for n in _EDGES[todo.pop()]:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return frozenset(seen)


_UPPER = {n: _upper(n) for n in _EDGES}


def _join(a: str, b: str) -> str:
    """The first type both ``a`` and ``b`` reach: the one of their common upper types below all the others."""
    common = _UPPER[a] & _UPPER[b]
    return next(n for n in common if _UPPER[n] >= common)


def active() -> bool:
    return MODE[0] in ("all", "safe")


def set_mode(mode) -> None:
    if mode not in ("legacy", "all", "safe"):
        raise ValueError(f"dtype_conversion_mode must be 'legacy', 'all' or 'safe', got {mode!r}")
    MODE[0] = mode


def is_weak(x) -> bool:
    """A weak value: a Python number (not bool), list or tuple of them, or a Tensor marked weak."""
    if isinstance(x, (bool, np.generic, np.bool_)):
        return False
    if isinstance(x, (int, float, complex, list, tuple)):
        return True
    return bool(getattr(x, "_weak", False))


def node_of(x) -> str:
    """``x``'s place in the lattice."""
    if isinstance(x, (bool, np.bool_)):
        return "b"
    if isinstance(x, np.generic) or (isinstance(x, np.ndarray) and not is_weak(x)):
        return _NODE.get(np.dtype(x.dtype), "f*")
    if hasattr(x, "dtype") and not is_weak(x):                   # a Variable
        return _NODE.get(np.dtype(x.dtype), "f*")
    kind = np.asarray(x.value if hasattr(x, "store_in") else x).dtype.kind
    return _WEAK.get(kind, "f*")


_MANTISSA = {"f16": 11, "f32": 24, "f64": 53, "c64": 24, "c128": 53}
_INT_BITS = {"i8": 7, "u8": 8, "i16": 15, "u16": 16, "i32": 31, "u32": 32, "i64": 63, "u64": 64}


def _own(node: str) -> str:
    """The type a node stands for in ``"safe"`` mode's check (a weak one: its own dtype's)."""
    return {"i*": "i32", "f*": "f32", "c*": "c128"}.get(node, node)


def _safe(a: str, b: str, to: str) -> bool:
    """``"safe"`` mode allows a promotion to one of the operands' own types (a weak one's is int32,
    float32, complex128; a weak int goes anywhere) that holds every value of a (strong) integer
    operand exactly: int16 + float32 yes; int8 + uint32 (to int64), int32 + float32 and
    int32 + a Python float (to float64) no."""
    if "i*" in (a, b) or "b" in (a, b):
        return True
    target = _own(to)
    if target not in (_own(a), _own(b)):
        return False
    return all(n not in _INT_BITS or target[0] in "iu" or _INT_BITS[n] <= _MANTISSA[target] for n in (a, b))


def _name(node: str) -> str:
    return f"(<dtype: '{np.dtype(_DTYPE[node]).name}'>, weak={node.endswith('*')})"


def result(x, y) -> tuple:
    """(dtype, weak) of a binary operation on ``x`` and ``y``; TypeError where ``"safe"`` refuses it.
    A weak float reached from a (strong) integer is float64, as TensorFlow's (int32 + 1.5)."""
    a, b = node_of(x), node_of(y)
    to = _join(a, b)
    weak = to.endswith("*")
    if to == "f*" and any(n[0] in "iu" and not n.endswith("*") for n in (a, b)):
        to = "f64"
    if MODE[0] == "safe" and not _safe(a, b, to):
        raise TypeError(f"In promotion mode PromoMode.SAFE, implicit dtype promotion between {_name(a)} and "
                        f"{_name(b)} is disallowed. You need to explicitly specify the dtype in your op, or relax "
                        "your dtype promotion rules (such as from SAFE mode to ALL mode).")
    return np.dtype(_DTYPE[to]), weak


def mark(t, weak: bool = True):
    """``t`` (a Tensor) marked weak (or not); returned."""
    try:
        t._weak = weak
    except AttributeError:            # a plain number or array: nothing to mark
        pass
    return t


def operands(x, y) -> tuple:
    """``x`` and ``y`` as Tensors of their promoted dtype, weak where the result is weak."""
    from .tensor import cast, convert_to_tensor  # noqa: PLC0415 - tensor.py imports this module
    dtype, weak = result(x, y)
    out = []
    for v in (x, y):
        if isinstance(v, (int, float, complex, bool, list, tuple)) and not isinstance(v, np.generic):
            with np.errstate(all="ignore"):
                t = convert_to_tensor(v, dtype=dtype)
        else:
            t = v if getattr(v, "dtype", None) == dtype and hasattr(v, "numpy") else cast(v, dtype)
        out.append(mark(t, weak) if t is not v else t)
    return out[0], out[1]


def weak_result(inputs, answer):
    """Mark ``answer`` (a ufunc's result) weak when every input is weak (``abs`` of a weak tensor, a
    weak sum, 3 / 2 of weak ints); booleans (a comparison's) are never weak."""
    if inputs and hasattr(answer, "numpy") and np.dtype(answer.dtype).kind != "b" and all(map(is_weak, inputs)):
        mark(answer)
    return answer


def array(value, dtype=None, copy=True):
    """``tnp.array`` / ``tnp.asarray`` of a Python value with no dtype in ``"all"``/``"safe"`` mode:
    int32, float32 or complex128, weak, as TensorFlow's; None where NumPy's answer stands."""
    if dtype is not None or not active() or not is_weak(value) or isinstance(value, np.ndarray):
        return None
    from .tensor import Tensor  # noqa: PLC0415 - tensor.py imports this module
    kind = np.asarray(value).dtype.kind
    if kind not in _WEAK or kind == "b":
        return None
    return mark(np.array(value, dtype=_DTYPE[_WEAK[kind]]).view(Tensor))
