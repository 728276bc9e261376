"""``tf.print``: values printed as TensorFlow prints them, without ``tf.Tensor(...)`` around:
``[1 2 3]``, floats to 6 significant digits when that reads back the same number, else 9
(15 and 17 for float64), booleans as 1/0, strings in
double quotes, long axes cut to their first and last ``summarize`` (3) entries. Anything else
is printed as Python's ``pprint`` writes it, Tensors inside lists and dicts included; a bare
string as it is. Goes to ``sys.stderr`` unless told (``output_stream=sys.stdout``, or
``"file://path"`` to append to a file).

>>> import sys, glassnet as tf
>>> tf.print("x:", tf.range(10), output_stream=sys.stdout)
x: [0 1 2 ... 7 8 9]
>>> tf.print(tf.constant([[1.5, 2.0], [3.0, 4.0]]), output_stream=sys.stdout)
[[1.5 2]
 [3 4]]
"""
from __future__ import annotations

import builtins
import sys

import numpy as np

from .tensor import Tensor
from .variable import Variable

__all__ = ["print", "format_tensor"]


def _item(v, dtype) -> str:
    if dtype.kind == "b":
        return "1" if v else "0"
    if dtype.kind == "f":
        return _float_text(float(v), dtype.itemsize >= 8)
    if dtype.kind == "c":
        return str(complex(v))
    if dtype.kind in "OSU":
        text = v.decode("utf-8", "backslashreplace") if isinstance(v, bytes) else str(v)
        return f'"{text}"'
    return str(int(v)) if dtype.kind in "iu" else str(v)


def _float_text(v: float, double: bool) -> str:
    """TensorFlow's way: 6 significant digits (15 for float64) when they read back as the
    same number, else 9 (17): 0.1 -> '0.1', float32(1/3) -> '0.333333343'."""
    if not np.isfinite(v):
        return str(v)
    if v == 0:
        return "0"                  # -0.0 too, as TensorFlow prints it
    short = ("%.15g" if double else "%.6g") % v
    same = float(short) == v if double else np.float32(float(short)) == np.float32(v)
    return short if same else ("%.17g" if double else "%.9g") % v


def _shown(n: int, summarize: int) -> list:
    """The indices shown along an axis of length ``n`` (None where '...' stands)."""
    if summarize is None or summarize < 0 or n <= 2 * summarize:
        return list(builtins.range(n))
    return list(builtins.range(summarize)) + [None] + list(builtins.range(n - summarize, n))


def format_tensor(value, summarize: int = 3) -> str:
    """The text ``tf.print`` writes for one tensor."""
    a = np.asarray(value.value if isinstance(value, Variable) else value)
    if a.ndim == 0:
        return _item(a[()], a.dtype)

    def fmt(x, depth):
        parts = ["..." if i is None else (_item(x[i], a.dtype) if x.ndim == 1 else fmt(x[i], depth + 1))
                 for i in _shown(x.shape[0], summarize)]
        sep = " " if x.ndim == 1 else "\n" * (x.ndim - 1) + " " * (depth + 1)
        return "[" + sep.join(parts) + "]"
    return fmt(a, 0)


def _text(value, summarize) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (Tensor, Variable)):
        return format_tensor(value, summarize)
    import pprint                   # only for lists and dicts: kept out of `import glassnet`
    marks = {}

    def swap(v):                    # tensors inside lists/dicts: their text, in pprint's layout
        if isinstance(v, (Tensor, Variable)):
            key = f"__glassnet_tensor_{len(marks)}__"
            marks[key] = format_tensor(v, summarize)
            return _Raw(key)
        if isinstance(v, dict):
            return {k: swap(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)) and not hasattr(v, "_fields"):
            return type(v)(swap(x) for x in v)
        return v
    text = pprint.pformat(swap(value))
    for key, shown in marks.items():
        text = text.replace(key, shown)
    return text


class _Raw(str):
    def __repr__(self):
        return str(self)


def print(*inputs, **kwargs) -> None:  # noqa: A001 (TensorFlow's name)
    """``tf.print(*inputs, output_stream=sys.stderr, summarize=3, sep=" ", end="\\n")``."""
    stream = kwargs.pop("output_stream", None)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    kwargs.pop("name", None)
    if kwargs:
        raise ValueError(f"print: unexpected keyword argument {next(iter(kwargs))!r} (accepted: output_stream, "
                         "summarize, sep, end, name)")
    if summarize is not None and not isinstance(summarize, (int, np.integer)):
        raise TypeError(f"print: summarize must be an int (-1 or None: everything), got {summarize!r}")
    text = sep.join(_text(v, None if summarize is None else int(summarize)) for v in inputs) + end
    if stream is None:
        stream = sys.stderr
    stream = getattr(stream, "untraced_real", stream)     # inside a tf.function run again: TF prints it too
    if isinstance(stream, str):
        if not stream.startswith("file://"):
            raise ValueError(f"print: output_stream must be a stream (sys.stdout, sys.stderr) or 'file://path', "
                             f"got {stream!r}")
        with open(stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)
        return
    if not hasattr(stream, "write"):
        raise ValueError(f"print: output_stream must be a stream (sys.stdout, sys.stderr) or 'file://path', "
                         f"got {stream!r}")
    stream.write(text)
    if hasattr(stream, "flush"):
        stream.flush()
