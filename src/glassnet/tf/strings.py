"""tf.strings on NumPy arrays of text: ``lower``, ``regex_replace``, ``split``, ``join``, ``length``,
``strip``, ``substr``, ``reduce_join``, ``as_string``, ``to_number``, ``to_hash_bucket_fast``.

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

__all__ = ["as_string", "fingerprint64", "join", "length", "lower", "reduce_join", "regex_replace", "split", "strip",
           "substr", "to_hash_bucket_fast", "to_number", "unicode_split", "upper"]

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


def strip(input, name=None) -> np.ndarray:
    """``tf.strings.strip``: leading and trailing ASCII whitespace removed."""
    return _map(lambda s: s.strip(" \t\n\v\f\r"), as_text(input))


def reduce_join(inputs, axis=None, keepdims: bool = False, separator: str = "", name=None) -> np.ndarray:
    """``tf.strings.reduce_join``: the strings along ``axis`` (all, when None) joined with ``separator``."""
    arr = as_text(inputs, "inputs")
    if axis is None:
        out = np.array(separator.join(arr.reshape(-1).tolist()), dtype=str)
        return out.reshape((1,) * arr.ndim) if keepdims else out
    out = np.apply_along_axis(lambda row: separator.join(row.tolist()), axis, arr.astype(object)) \
        if arr.size else np.zeros(np.delete(arr.shape, axis), dtype=str)
    out = np.asarray(out, dtype=str)
    return np.expand_dims(out, axis) if keepdims else out


def substr(input, pos: int, len: int, unit: str = "BYTE", name=None) -> np.ndarray:  # noqa: A002 - TensorFlow's name
    """``tf.strings.substr``: ``len`` bytes (or ``unit="UTF8_CHAR"``: characters) from ``pos``."""
    if unit == "UTF8_CHAR":
        return _map(lambda s: s[pos:pos + len], as_text(input))
    return _map(lambda s: s.encode("utf-8")[pos:pos + len].decode("utf-8", "replace"), as_text(input))


def unicode_split(input, input_encoding: str = "UTF-8", name=None):
    """``tf.strings.unicode_split``: each string as its characters (a list of arrays for several)."""
    arr = as_text(input)
    if arr.ndim == 0:
        return np.array(list(str(arr)), dtype=str)
    return [unicode_split(s) for s in arr]


def as_string(input, precision: int = -1, name=None) -> np.ndarray:
    """``tf.strings.as_string``: numbers as text (integers in decimal; floats with 6 digits after
    the point, TensorFlow's default, or ``precision`` digits; booleans "true"/"false")."""
    arr = np.asarray(input)
    if arr.dtype.kind in "US":
        return as_text(arr)
    if arr.dtype.kind == "f":
        fmt = (lambda v: f"{v:.{precision}f}") if precision >= 0 else (lambda v: f"{v:f}")
        return _map(fmt, arr.astype(np.float64)) if arr.size else arr.astype(str)
    if arr.dtype.kind == "b":
        return _map(lambda v: "true" if v else "false", arr) if arr.size else arr.astype(str)
    return arr.astype(np.int64).astype(str)


def to_number(input, out_type=np.float32, name=None) -> np.ndarray:
    """``tf.strings.to_number``: text to numbers of ``out_type`` (float32 by default); a string
    that is not a number is an error naming it."""
    arr = as_text(input)
    kind = np.dtype(out_type).kind
    values = []
    for s in arr.reshape(-1).tolist():
        try:
            values.append(int(s) if kind in "iu" else float(s))
        except ValueError:
            raise ValueError(f"strings.to_number: {s!r} is not a number") from None
    return np.array(values, dtype=out_type).reshape(arr.shape)


def length(input, unit: str = "BYTE", name=None) -> np.ndarray:
    """``tf.strings.length``: bytes in UTF-8 (``unit="BYTE"``) or characters (``"UTF8_CHAR"``)."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"strings.length: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")
    arr = as_text(input)
    count = (lambda s: len(s.encode("utf-8"))) if unit == "BYTE" else len
    return np.array([count(s) for s in arr.reshape(-1)], dtype=np.int32).reshape(arr.shape)


# -- FarmHash Fingerprint64 (farmhashna::Hash64), TensorFlow's fast string hash ----------------------
_M64 = (1 << 64) - 1
_K0, _K1, _K2 = 0xc3a5c85c97cb3127, 0xb492b66fbe98f273, 0x9ae16a3b2f90404f


def _f64(s: bytes, i: int) -> int:
    return int.from_bytes(s[i:i + 8], "little")


def _f32(s: bytes, i: int) -> int:
    return int.from_bytes(s[i:i + 4], "little")


def _rot(v: int, shift: int) -> int:
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _M64


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _len16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _M64
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M64
    b ^= b >> 47
    return (b * mul) & _M64


def _len0to16(s: bytes) -> int:
    n = len(s)
    if n >= 8:
        mul = _K2 + n * 2
        a = (_f64(s, 0) + _K2) & _M64
        b = _f64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _M64
        d = ((_rot(a, 25) + b) * mul) & _M64
        return _len16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _len16((n + (_f32(s, 0) << 3)) & _M64, _f32(s, n - 4), mul)
    if n > 0:
        y = (s[0] + (s[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (s[n - 1] << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _M64) * _K2) & _M64
    return _K2


def _len17to32(s: bytes) -> int:
    n = len(s)
    mul = _K2 + n * 2
    a = (_f64(s, 0) * _K1) & _M64
    b = _f64(s, 8)
    c = (_f64(s, n - 8) * mul) & _M64
    d = (_f64(s, n - 16) * _K2) & _M64
    return _len16((_rot((a + b) & _M64, 43) + _rot(c, 30) + d) & _M64,
                  (a + _rot((b + _K2) & _M64, 18) + c) & _M64, mul)


def _len33to64(s: bytes) -> int:
    n = len(s)
    mul = _K2 + n * 2
    a = (_f64(s, 0) * _K2) & _M64
    b = _f64(s, 8)
    c = (_f64(s, n - 8) * mul) & _M64
    d = (_f64(s, n - 16) * _K2) & _M64
    y = (_rot((a + b) & _M64, 43) + _rot(c, 30) + d) & _M64
    z = _len16(y, (a + _rot((b + _K2) & _M64, 18) + c) & _M64, mul)
    e = (_f64(s, 16) * mul) & _M64
    f = _f64(s, 24)
    g = ((y + _f64(s, n - 32)) * mul) & _M64
    h = ((z + _f64(s, n - 24)) * mul) & _M64
    return _len16((_rot((e + f) & _M64, 43) + _rot(g, 30) + h) & _M64,
                  (e + _rot((f + a) & _M64, 18) + g) & _M64, mul)


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple:
    w, x, y, z = _f64(s, i), _f64(s, i + 8), _f64(s, i + 16), _f64(s, i + 24)
    a = (a + w) & _M64
    b = _rot((b + a + z) & _M64, 21)
    c = a
    a = (a + x + y) & _M64
    b = (b + _rot(a, 44)) & _M64
    return (a + z) & _M64, (b + c) & _M64


def fingerprint64(data: bytes) -> int:
    """FarmHash's ``Fingerprint64`` (``farmhashna::Hash64``): the hash TensorFlow's
    ``to_hash_bucket_fast`` and Keras's ``Hashing`` layer use, the same on every machine."""
    s, n = bytes(data), len(data)
    if n <= 16:
        return _len0to16(s)
    if n <= 32:
        return _len17to32(s)
    if n <= 64:
        return _len33to64(s)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _M64
    z = (_shift_mix((y * _K2 + 113) & _M64) * _K2) & _M64
    v, w = (0, 0), (0, 0)
    x = (x * _K2 + _f64(s, 0)) & _M64
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    i = 0
    while True:
        x = (_rot((x + y + v[0] + _f64(s, i + 8)) & _M64, 37) * _K1) & _M64
        y = (_rot((y + v[1] + _f64(s, i + 48)) & _M64, 42) * _K1) & _M64
        x ^= w[1]
        y = (y + v[0] + _f64(s, i + 40)) & _M64
        z = (_rot((z + w[0]) & _M64, 33) * _K1) & _M64
        v = _weak32(s, i, (v[1] * _K1) & _M64, (x + w[0]) & _M64)
        w = _weak32(s, i + 32, (z + w[1]) & _M64, (y + _f64(s, i + 16)) & _M64)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = _K1 + ((z & 0xff) << 1)
    i = last64
    w = ((w[0] + ((n - 1) & 63)) & _M64, w[1])
    v = ((v[0] + w[0]) & _M64, v[1])
    w = ((w[0] + v[0]) & _M64, w[1])
    x = (_rot((x + y + v[0] + _f64(s, i + 8)) & _M64, 37) * mul) & _M64
    y = (_rot((y + v[1] + _f64(s, i + 48)) & _M64, 42) * mul) & _M64
    x ^= (w[1] * 9) & _M64
    y = (y + v[0] * 9 + _f64(s, i + 40)) & _M64
    z = (_rot((z + w[0]) & _M64, 33) * mul) & _M64
    v = _weak32(s, i, (v[1] * mul) & _M64, (x + w[0]) & _M64)
    w = _weak32(s, i + 32, (z + w[1]) & _M64, (y + _f64(s, i + 16)) & _M64)
    z, x = x, z
    return _len16((_len16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _M64,
                  (_len16(v[1], w[1], mul) + x) & _M64, mul)


def to_hash_bucket_fast(input, num_buckets: int, name=None) -> np.ndarray:
    """``tf.strings.to_hash_bucket_fast``: ``Fingerprint64(utf-8 bytes) % num_buckets`` (int64)."""
    if isinstance(num_buckets, bool) or not isinstance(num_buckets, (int, np.integer)) or num_buckets < 1:
        raise ValueError(f"strings.to_hash_bucket_fast: num_buckets must be a positive integer, got {num_buckets!r}")
    arr = as_text(input)
    return np.array([fingerprint64(t.encode("utf-8")) % int(num_buckets) for t in arr.reshape(-1).tolist()],
                    dtype=np.int64).reshape(arr.shape)
