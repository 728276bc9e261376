"""tf.strings on NumPy arrays of text: ``lower``, ``regex_replace``, ``split``, ``join``, ``length``.

TensorFlow's names, arguments and defaults; a string array goes in (``str`` or UTF-8 ``bytes``),
a NumPy array of ``str`` comes out (``split`` of several strings: a list of arrays, one per
string, where TensorFlow gives a RaggedTensor). Two of TensorFlow's habits kept on purpose,
because ``TextVectorization`` depends on them: ``lower`` changes only ASCII letters unless an
``encoding`` is given ("Émile" stays "Émile"), and ``split`` with no ``sep`` splits on ASCII
whitespace only (a no-break space is part of a word).

>>> import numpy as np, glassnet
>>> glassnet.strings.lower(np.array(["Hello World", "ÇA VA"]))
array(['hello world', 'Ça va'], dtype='<U11')
>>> glassnet.strings.regex_replace("a,b;c", "[,;]", " ")
array('a b c', dtype='<U5')
>>> glassnet.strings.split("  one two  ")
array(['one', 'two'], dtype='<U3')
>>> glassnet.strings.length(np.array(["abc", "é"])), glassnet.strings.length("é", unit="UTF8_CHAR")
(array([3, 2], dtype=int32), array(1, dtype=int32))
"""
from __future__ import annotations

import re

import numpy as np

__all__ = ["join", "length", "lower", "regex_replace", "split", "upper"]

_ASCII_SPACE = re.compile(r"[ \t\n\v\f\r]+")      # TensorFlow's whitespace: ASCII only
_ASCII_UPPER = {c: c + 32 for c in range(65, 91)}


def as_text(input, name: str = "input") -> np.ndarray:
    """``input`` as a NumPy array of ``str`` (bytes decoded as UTF-8); numbers are refused."""
    arr = np.asarray(input)
    if arr.dtype.kind == "S":
        return np.vectorize(lambda b: b.decode("utf-8"), otypes=[str])(arr) if arr.size else arr.astype(str)
    if arr.dtype.kind == "O":
        if not all(isinstance(v, (str, bytes)) for v in arr.reshape(-1)):
            bad = next(v for v in arr.reshape(-1) if not isinstance(v, (str, bytes)))
            raise ValueError(f"{name} must hold strings, but holds {bad!r} ({type(bad).__name__})")
        return np.array([v.decode("utf-8") if isinstance(v, bytes) else v for v in arr.reshape(-1)],
                        dtype=str).reshape(arr.shape)
    if arr.dtype.kind != "U":
        raise ValueError(f"{name} must hold strings, but has dtype {arr.dtype} (numbers?); "
                         "convert them with np.asarray(data).astype(str) if they are words")
    return arr


def _map(fn, arr):
    if arr.size == 0:
        return arr.astype(str)
    return np.array([fn(s) for s in arr.reshape(-1)], dtype=str).reshape(arr.shape)


def lower(input, encoding: str = "", name=None) -> np.ndarray:
    """``tf.strings.lower``: ASCII letters lowered; with ``encoding="utf-8"``, every letter."""
    arr = as_text(input)
    return _map((lambda s: s.lower()) if encoding else (lambda s: s.translate(_ASCII_UPPER)), arr)


def upper(input, encoding: str = "", name=None) -> np.ndarray:
    """``tf.strings.upper``: ASCII letters raised; with ``encoding="utf-8"``, every letter."""
    arr = as_text(input)
    table = {c + 32: c for c in range(65, 91)}
    return _map((lambda s: s.upper()) if encoding else (lambda s: s.translate(table)), arr)


def regex_replace(input, pattern: str, rewrite: str, replace_global: bool = True, name=None) -> np.ndarray:
    """``tf.strings.regex_replace``: each match of ``pattern`` replaced by ``rewrite`` (``\\1``
    names a group, as RE2); ``replace_global=False`` replaces the first match only."""
    regex = re.compile(pattern)
    return _map(lambda s: regex.sub(rewrite, s, count=0 if replace_global else 1), as_text(input))


def _split_one(s: str, sep, maxsplit: int) -> list:
    if sep is None:
        parts = _ASCII_SPACE.split(s.strip(" \t\n\v\f\r"), maxsplit=max(maxsplit, 0))
        return [p for p in parts if p] if parts != [""] else []
    return s.split(sep, maxsplit)


def split(input, sep=None, maxsplit: int = -1, name=None):
    """``tf.strings.split``: one string gives an array of its pieces; several give a list of
    arrays (TensorFlow's RaggedTensor, one row per string). ``sep=None``: runs of ASCII
    whitespace, leading and trailing ones dropped."""
    arr = as_text(input)
    if arr.ndim == 0:
        return np.array(_split_one(str(arr), sep, maxsplit), dtype=str)
    return [split(s, sep, maxsplit) if np.ndim(s) else np.array(_split_one(str(s), sep, maxsplit), dtype=str)
            for s in arr]


def join(inputs, separator: str = "", name=None) -> np.ndarray:
    """``tf.strings.join``: the strings of ``inputs`` (a list of arrays of one shape, or of
    scalars) joined elementwise with ``separator``."""
    arrays = np.broadcast_arrays(*[as_text(a, "inputs") for a in inputs])
    if not arrays:
        return np.array("", dtype=str)
    out = arrays[0]
    for a in arrays[1:]:
        out = np.char.add(np.char.add(out, separator), a)
    return np.asarray(out, dtype=str)


def length(input, unit: str = "BYTE", name=None) -> np.ndarray:
    """``tf.strings.length``: bytes in UTF-8 (``unit="BYTE"``) or characters (``"UTF8_CHAR"``)."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"strings.length: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")
    arr = as_text(input)
    count = (lambda s: len(s.encode("utf-8"))) if unit == "BYTE" else len
    return np.array([count(s) for s in arr.reshape(-1)], dtype=np.int32).reshape(arr.shape)
