"""tf.strings on string tensors: ``lower``, ``upper``, ``regex_replace``, ``regex_full_match``, ``split``,
``join``, ``length``, ``strip``, ``substr``, ``reduce_join``, ``unicode_split``, ``as_string``, ``to_number``,
``to_hash_bucket_fast``; ``ngrams`` is in ``tf/strings_ngrams.py``, ``unicode_encode``, ``unicode_script`` and
the ``*_with_offsets`` in ``tf/strings_unicode.py``, RE2's classes Python lacks in ``tf/strings_re2.py``.

TensorFlow's names, arguments and defaults. Text goes in as TensorFlow takes it: a ``str`` or
``bytes``, a list of them, a NumPy array of kind 'U', 'S' or object, or a string tensor
(``tf.constant(["..."])``, an object array of ``bytes``); text comes out as TensorFlow gives it,
a string tensor of UTF-8 ``bytes`` (``.numpy()`` is ``b'...'``, then ``.decode("utf-8")``);
numbers come out as int32 / int64 / float32 tensors. ``split`` and ``unicode_split`` of several
strings give a RaggedTensor (``tf.ragged``), one row per string, as TensorFlow does
(``.to_list()`` gives TensorFlow's lists of bytes).

Two of TensorFlow's habits kept on purpose, because ``TextVectorization`` depends on them:
``lower`` changes only ASCII letters unless an ``encoding`` is given ("Émile" stays "Émile"),
and ``split`` with no ``sep`` splits on ASCII whitespace only (a no-break space is part of a
word). Two more from TensorFlow's byte strings: bytes that are not UTF-8 pass through
unchanged (``lower(encoding="utf-8")`` and ``unicode_split`` put U+FFFD for them, as TensorFlow
does), and patterns are read as RE2 reads them: ``\\w``, ``\\d``, ``\\s`` and ``\\b`` are ASCII,
``\\1``..``\\9`` in a rewrite name groups and ``\\0`` the whole match.

>>> import numpy as np, glassnet as tf
>>> tf.strings.lower(["Hello World", "ÇA VA"]).numpy()
array([b'hello world', b'\\xc3\\x87a va'], dtype=object)
>>> print(tf.strings.regex_replace("a,b;c", "[,;]", " "))
tf.Tensor(b'a b c', shape=(), dtype=string)
>>> tf.strings.split("  one two  ").numpy()
array([b'one', b'two'], dtype=object)
>>> tf.strings.length(np.array(["abc", "é"])).numpy(), tf.strings.length("é", unit="UTF8_CHAR").numpy()
(array([3, 2], dtype=int32), np.int32(1))
"""
from __future__ import annotations

import builtins
import re

import numpy as np

import sys

from .errors import InvalidArgumentError
from .tensor import Tensor, _where, sized_by_data

__all__ = ["as_string", "bytes_split", "fingerprint64", "format", "join", "length", "lower", "ngrams", "reduce_join", "regex_full_match",
           "regex_replace", "split", "strip", "substr", "to_hash_bucket_fast", "to_hash_bucket_strong", "to_number", "unicode_decode",
           "unicode_decode_with_offsets", "unicode_encode", "unicode_script", "unicode_split", "unicode_split_with_offsets",
           "unicode_transcode", "upper"]

_ASCII_SPACE = re.compile(r"[ \t\n\v\f\r]+")      # TensorFlow's whitespace: ASCII only
_ASCII_WHITESPACE = " \t\n\v\f\r"
_ASCII_UPPER = {c: c + 32 for c in range(65, 91)}
_ASCII_LOWER = {c + 32: c for c in range(65, 91)}
_KEEP = "surrogateescape"     # a byte that is not UTF-8 stays one character, and comes back as itself


class NotStringsError(TypeError, ValueError):
    """Numbers (or other objects) where strings belong: a TypeError, as TensorFlow raises, that
    is also the ValueError glassnet's text layers raised before string tensors."""


# -- text in, string tensors out ------------------------------------------------------------------------
def _flat(input, name: str):
    """The items of ``input`` (each ``str`` or ``bytes``) in order, and its shape."""
    if isinstance(input, (str, bytes)):
        return [input], ()
    if isinstance(input, np.ndarray):
        arr = input.view(np.ndarray)
    elif hasattr(input, "numpy") and not isinstance(input, (list, tuple)):
        arr = np.asarray(input.numpy())
    else:
        try:                                # object: each item keeps its type (a number is caught below)
            arr = np.array(input, dtype=object)
        except ValueError as e:
            raise ValueError(f"{name}: {e}") from None
    items = arr.reshape(-1).tolist()
    if arr.dtype.kind in "US":
        return items, arr.shape
    if arr.dtype.kind != "O":
        raise NotStringsError(f"{name} must hold strings, but has dtype {arr.dtype} (numbers?); format numbers "
                              "with tf.strings.as_string, or np.asarray(data).astype(str) if they are words")
    for i, v in enumerate(items):
        if isinstance(v, (str, bytes)):
            continue
        if isinstance(v, np.ndarray) and v.ndim == 0 and isinstance(v.item(), (str, bytes)):
            items[i] = v.item()                     # [t[0], t[1]]: 0-d string tensors in a list
            continue
        raise NotStringsError(f"{name} must hold strings, but {name}{_where(arr.shape, i)} is {v!r} "
                              f"({type(v).__name__})")
    return items, arr.shape


def _texts(input, name: str = "input", errors: str = _KEEP):
    """The items of ``input`` as ``str`` (bytes decoded as UTF-8 with ``errors``), and its shape."""
    items, shape = _flat(input, name)
    return [v if isinstance(v, str) else v.decode("utf-8", errors) for v in items], shape


def _raw(input, name: str = "input"):
    """The items of ``input`` as the UTF-8 ``bytes`` TensorFlow holds, and its shape."""
    items, shape = _flat(input, name)
    return [v.encode("utf-8", _KEEP) if isinstance(v, str) else bytes(v) for v in items], shape


def _out(values: list, shape) -> Tensor:
    """``values`` (``str`` or ``bytes``) as a string tensor of ``shape``: an object array of bytes."""
    flat = np.empty(len(values), dtype=object)
    flat[:] = [v.encode("utf-8", _KEEP) if isinstance(v, str) else v for v in values]
    return flat.reshape(shape).view(Tensor)


def _invalid(message: str) -> InvalidArgumentError:
    """TensorFlow's error for a value its kernel refuses (a ValueError too, as glassnet's errors are)."""
    return InvalidArgumentError(None, None, message)


def _numbers(values: list, shape, dtype) -> Tensor:
    return np.array(values, dtype=dtype).reshape(shape).view(Tensor)


def _one(value, name: str) -> str:
    """A pattern, separator or rewrite: one string (``str``, ``bytes`` or a 0-d string tensor)."""
    items, shape = _flat(value, name)
    if shape != ():
        raise ValueError(f"{name} must be one string, got shape {tuple(shape)}")
    v = items[0]
    return v if isinstance(v, str) else v.decode("utf-8", _KEEP)


def _nest(flat: list, shape) -> list:
    """A flat list of rows as nested lists of ``shape`` (TensorFlow's ragged result, as lists)."""
    if len(shape) <= 1:
        return _ragged_list()(flat)
    step = int(np.prod(shape[1:], dtype=np.int64))
    return _ragged_list()(_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0]))


def _is_ragged(x) -> bool:
    """``x`` is a tf.RaggedTensor (tf/ragged.py is loaded on first use: until then nothing is)."""
    module = sys.modules.get(__package__ + ".ragged")
    return module is not None and isinstance(x, module.RaggedTensor)


def _ragged_list():
    """``RaggedList``: a RaggedTensor made from its rows (each a Tensor, or a RaggedTensor for a
    deeper one), what ``split`` and ``unicode_split`` of several strings return, as TensorFlow
    returns a RaggedTensor. Defined on first use, so that ``import glassnet`` does not load
    tf/ragged.py."""
    made = globals().get("_RAGGED_LIST")
    if made is not None:
        return made
    from .ragged import RaggedTensor, _from_rows    # noqa: PLC0415

    class RaggedList(RaggedTensor):
        __doc__ = _ragged_list.__doc__

        def __init__(self, rows=()):
            rows = [r if isinstance(r, RaggedTensor) else np.asarray(r).view(Tensor) for r in rows]
            made = _from_rows(rows, np.zeros(0, dtype=object))
            super().__init__(made.values, made._row_splits, _checked=True)
    RaggedList.__module__ = __name__
    globals()["_RAGGED_LIST"] = RaggedList
    return RaggedList


def __getattr__(name):
    if name == "RaggedList":
        return _ragged_list()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def text_array(input, name: str = "input") -> np.ndarray:
    """``input`` as a NumPy object array of ``str`` (bytes decoded as strict UTF-8), for the text
    layers: their vocabularies are text. Numbers, and bytes that are not UTF-8, are refused naming
    the position."""
    items, shape = _flat(input, name)
    out = []
    for i, v in enumerate(items):
        if isinstance(v, bytes):
            try:
                v = v.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ValueError(f"{name}{_where(shape, i)} is not UTF-8 text: byte {v[e.start]:#04x} at offset "
                                 f"{e.start} of {v[:60]!r}; decode it first (bytes.decode('utf-8', 'replace'))"
                                 ) from None
        out.append(v)
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    return arr.reshape(shape)


def raw_array(input, name: str = "input") -> np.ndarray:
    """``input`` as a NumPy object array of the UTF-8 ``bytes`` it holds (what Hashing hashes)."""
    items, shape = _raw(input, name)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr.reshape(shape)


def map_text(fn, text: np.ndarray) -> np.ndarray:
    """``fn`` on each ``str`` of an object array of them (``text_array``'s), the shape kept."""
    out = np.empty(len(text.reshape(-1)), dtype=object)
    out[:] = [fn(s) for s in text.reshape(-1).tolist()]
    return out.reshape(text.shape)


def ascii_lower(s: str) -> str:
    """``s`` with its ASCII letters lowered (TensorFlow's ``lower`` without an encoding)."""
    return s.translate(_ASCII_UPPER)


def split_whitespace(s: str) -> list:
    """``s`` cut at runs of ASCII whitespace, empty pieces dropped (TensorFlow's ``split``)."""
    return [p for p in _ASCII_SPACE.split(s) if p]


# -- the functions ---------------------------------------------------------------------------------
def lower(input, encoding: str = "", name=None) -> Tensor:
    """``tf.strings.lower``: ASCII letters lowered; with ``encoding="utf-8"``, every letter."""
    texts, shape = _texts(input, errors="replace" if encoding else _KEEP)
    return _out([s.lower() for s in texts] if encoding else [ascii_lower(s) for s in texts], shape)


def upper(input, encoding: str = "", name=None) -> Tensor:
    """``tf.strings.upper``: ASCII letters raised; with ``encoding="utf-8"``, every letter."""
    texts, shape = _texts(input, errors="replace" if encoding else _KEEP)
    return _out([s.upper() for s in texts] if encoding else [s.translate(_ASCII_LOWER) for s in texts], shape)


def _regex(pattern, who: str):
    from .strings_re2 import translate  # noqa: PLC0415 - RE2's [[:punct:]], \pL ... in re's words

    text = _one(pattern, f"{who}: pattern")
    try:
        return re.compile(translate(text), re.ASCII)    # RE2's \w \d \s \b are ASCII
    except re.error as e:
        raise ValueError(f"{who}: pattern {text!r} is not a valid regular expression: {e}") from None


def _rewrite(rewrite) -> str:
    """RE2's rewrite in Python's words: ``\\0`` the whole match, ``\\1``..``\\9`` the groups."""
    text = _one(rewrite, "regex_replace: rewrite")
    return re.sub(r"\\(\\|\d)", lambda m: "\\\\" if m.group(1) == "\\" else f"\\g<{m.group(1)}>", text)


def regex_replace(input, pattern, rewrite, replace_global: bool = True, name=None) -> Tensor:
    """``tf.strings.regex_replace``: each match of ``pattern`` replaced by ``rewrite`` (``\\1``
    names a group, as RE2); ``replace_global=False`` replaces the first match only."""
    regex, repl = _regex(pattern, "regex_replace"), _rewrite(rewrite)
    texts, shape = _texts(input)
    count = 0 if replace_global else 1
    return _out([regex.sub(repl, s, count=count) for s in texts], shape)


def regex_full_match(input, pattern, name=None) -> Tensor:
    """``tf.strings.regex_full_match``: True where the whole string matches ``pattern``."""
    regex = _regex(pattern, "regex_full_match")
    texts, shape = _texts(input)
    return _numbers([regex.fullmatch(s) is not None for s in texts], shape, np.bool_)


def _split_one(s: str, sep, maxsplit: int) -> list:
    if sep is None:
        parts = _ASCII_SPACE.split(s.strip(_ASCII_WHITESPACE), maxsplit=max(maxsplit, 0))
        return [p for p in parts if p] if parts != [""] else []
    return s.split(sep, maxsplit)


def split(input, sep=None, maxsplit: int = -1, name=None):
    """``tf.strings.split``: one string gives a string tensor of its pieces; several give a list
    of them, one per string (TensorFlow's RaggedTensor, one row per string). ``sep=None``: runs
    of ASCII whitespace, leading and trailing ones dropped; a ``sep`` cuts at each occurrence."""
    sep = None if sep is None or (isinstance(sep, (str, bytes)) and not sep) else _one(sep, "split: sep")
    texts, shape = _texts(input)
    rows = [_split_one(s, sep, maxsplit) for s in texts]
    if shape == ():
        return sized_by_data(_out(rows[0], (len(rows[0]),)))
    return _nest([_out(r, (len(r),)) for r in rows], shape)


def unicode_split(input, input_encoding: str = "UTF-8", errors: str = "replace", replacement_char: int = 0xFFFD,
                  name=None):
    """``tf.strings.unicode_split``: each string as its characters (a list of them for several);
    a byte that is not UTF-8 becomes ``replacement_char`` (``errors="replace"``), is dropped
    (``"ignore"``) or an error (``"strict"``)."""
    if str(input_encoding).upper().replace("_", "-") not in ("UTF-8", "UTF8"):      # UTF-16-BE, UTF-32-BE
        return sized_by_data(unicode_split_with_offsets(input, input_encoding, errors, replacement_char)[0])
    if errors not in ("replace", "ignore", "strict"):
        raise ValueError(f"unicode_split: errors must be 'replace', 'ignore' or 'strict', got {errors!r}")
    if errors == "strict":
        try:
            arr = text_array(input)             # bytes that are not UTF-8: an error naming them
        except NotStringsError:
            raise
        except ValueError as e:                 # (TensorFlow's kind of error for it)
            raise _invalid(f"unicode_split: errors='strict': {e}") from None
        texts, shape = arr.reshape(-1).tolist(), arr.shape
    else:
        texts, shape = _texts(input)
    bad = chr(replacement_char) if errors == "replace" else ""
    rows = [[c if not "\udc80" <= c <= "\udcff" else bad for c in s] for s in texts]
    rows = [[c for c in r if c] for r in rows]
    if shape == ():
        return sized_by_data(_out(rows[0], (len(rows[0]),)))
    return _nest([_out(r, (len(r),)) for r in rows], shape)


def bytes_split(input, name=None):
    """``tf.strings.bytes_split``: each string as its bytes, one string tensor per string (a
    RaggedTensor for several, as TensorFlow)."""
    raw, shape = _raw(input)
    rows = [[r[i:i + 1] for i in builtins.range(len(r))] for r in raw]
    if shape == ():
        return sized_by_data(_out(rows[0], (len(rows[0]),)))
    return _nest([_out(r, (len(r),)) for r in rows], shape)


def unicode_decode(input, input_encoding: str = "UTF-8", errors: str = "replace", replacement_char: int = 0xFFFD,
                   replace_control_characters: bool = False, name=None):
    """``tf.strings.unicode_decode``: each string as its code points (int32), a RaggedTensor for
    several; bytes that are not UTF-8 give ``replacement_char`` (``errors="replace"``), and so
    do the C0 controls U+0000..U+001F (tab and newline too) with ``replace_control_characters``,
    as TensorFlow's."""
    if str(input_encoding).upper().replace("_", "-") not in ("UTF-8", "UTF8"):      # UTF-16-BE, UTF-32-BE
        return sized_by_data(unicode_decode_with_offsets(input, input_encoding, errors, replacement_char,
                                                         replace_control_characters)[0])
    chars = unicode_split(input, input_encoding, errors=errors, replacement_char=replacement_char)
    control = 0x1F if replace_control_characters else -1

    def points(t):
        return np.array([replacement_char if ord(c.decode("utf-8")) <= control else ord(c.decode("utf-8"))
                         for c in np.asarray(t).reshape(-1).tolist()], dtype=np.int32).view(Tensor)
    if _is_ragged(chars):
        return type(chars)._rebuild(np.asarray(points(chars.flat_values)),
                                     [np.asarray(s) for s in chars.nested_row_splits])
    return sized_by_data(points(chars))             # (one string's: as many as its characters)


def join(inputs, separator: str = "", name=None) -> Tensor:
    """``tf.strings.join``: the strings of ``inputs`` (a list of string tensors of one shape, or
    that broadcast, or of scalars) joined elementwise with ``separator``."""
    if isinstance(inputs, (str, bytes)):
        raise ValueError("strings.join: inputs must be a list of strings or string tensors, got one string; "
                         "for the strings of one tensor use strings.reduce_join")
    sep = _one(separator, "strings.join: separator")
    ragged = [a for a in inputs if _is_ragged(a)]
    if ragged:                                   # RaggedTensors of the same rows: joined value by value
        splits = [[np.asarray(s) for s in r.nested_row_splits] for r in ragged]
        if any(len(s) != len(splits[0]) or any(not np.array_equal(a, b) for a, b in zip(s, splits[0]))
               for s in splits[1:]):
            raise ValueError("strings.join: the RaggedTensors have different rows; they must match")
        return ragged[0].with_flat_values(join([a.flat_values if _is_ragged(a) else a for a in inputs], sep))
    parts = []
    for i, a in enumerate(inputs):
        texts, shape = _texts(a, f"inputs[{i}]")
        arr = np.empty(len(texts), dtype=object)
        arr[:] = texts
        parts.append(arr.reshape(shape))
    if not parts:
        return _out([""], ())
    try:
        arrays = np.broadcast_arrays(*parts)
    except ValueError:
        raise ValueError("strings.join: the inputs' shapes do not broadcast: "
                         f"{', '.join(str(tuple(p.shape)) for p in parts)}") from None
    flat = [a.reshape(-1).tolist() for a in arrays]
    return _out([sep.join(row) for row in zip(*flat)], arrays[0].shape)


def strip(input, name=None) -> Tensor:
    """``tf.strings.strip``: leading and trailing ASCII whitespace removed."""
    texts, shape = _texts(input)
    return _out([s.strip(_ASCII_WHITESPACE) for s in texts], shape)


def reduce_join(inputs, axis=None, keepdims: bool = False, separator: str = "", name=None) -> Tensor:
    """``tf.strings.reduce_join``: the strings along ``axis`` (an int, a list of them, or None for
    all) joined with ``separator``, in order. A RaggedList (``unicode_split`` of several texts)
    joined along its last axis gives one string per row."""
    if _is_ragged(inputs) and axis is not None and int(np.ravel(axis)[0]) in (-1, 1) \
            and np.size(axis) == 1 and not any(_is_ragged(r) for r in inputs):
        joined = [reduce_join(r, axis=None, separator=separator).item() for r in inputs]
        out = _out(joined, (len(joined),))
        return out.reshape(-1, 1) if keepdims else out
    sep = _one(separator, "strings.reduce_join: separator")
    texts, shape = _texts(inputs, "inputs")
    arr = np.empty(len(texts), dtype=object)
    arr[:] = texts
    arr = arr.reshape(shape)
    ndim = arr.ndim
    axes = list(range(ndim)) if axis is None else [int(a) for a in np.atleast_1d(axis)]
    for a in axes:
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"strings.reduce_join: axis {a} is out of range for inputs of shape {tuple(shape)}")
    axes = sorted({a % ndim for a in axes}) if ndim else []
    keep = [d for d in range(ndim) if d not in axes]
    n = int(np.prod([shape[d] for d in axes], dtype=np.int64))
    rows = np.transpose(arr, keep + axes).reshape(-1, n) if arr.size else np.empty((int(np.prod(
        [shape[d] for d in keep], dtype=np.int64)), 0), object)
    out_shape = tuple(shape[d] if d in keep else 1 for d in range(ndim)) if keepdims else \
        tuple(shape[d] for d in keep)
    return _out([sep.join(r) for r in rows.tolist()], out_shape)


def substr(input, pos, len, unit: str = "BYTE", name=None) -> Tensor:  # noqa: A002 - TensorFlow's name
    """``tf.strings.substr``: ``len`` bytes (or ``unit="UTF8_CHAR"``: characters) from ``pos``
    (negative: from the end); ``pos`` and ``len`` may be arrays that broadcast with ``input``. A
    ``pos`` past the end is an error naming the string, as in TensorFlow; a ``len`` past it stops
    at the end. Bytes cut inside a character stay cut, as TensorFlow's."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise _invalid(f"strings.substr: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")
    items, shape = _raw(input) if unit == "BYTE" else _texts(input)
    arr = np.empty(builtins.len(items), dtype=object)
    arr[:] = items
    try:
        text, p, n = np.broadcast_arrays(arr.reshape(shape), np.asarray(pos), np.asarray(len))
    except ValueError:
        raise ValueError(f"strings.substr: pos {np.shape(pos)} and len {np.shape(len)} do not broadcast with "
                         f"input {tuple(shape)}") from None
    if p.dtype.kind not in "iu" or n.dtype.kind not in "iu":
        raise ValueError(f"strings.substr: pos and len must be integers, got {p.dtype} and {n.dtype}")
    out = []
    for i, (s, start, size) in enumerate(zip(text.reshape(-1).tolist(), p.reshape(-1).tolist(),
                                             n.reshape(-1).tolist())):
        size_of = builtins.len(s)
        if not -size_of <= start <= size_of:
            raise _invalid(f"strings.substr: pos {start} is out of range for input{_where(text.shape, i)} = "
                           f"{s!r} ({size_of} {'bytes' if unit == 'BYTE' else 'characters'})")
        if size < 0:
            raise ValueError(f"strings.substr: len must be >= 0, got {size}")
        start = start % size_of if start < 0 else start
        out.append(s[start:start + size])
    return _out(out, text.shape)


def as_string(input, precision: int = -1, scientific: bool = False, shortest: bool = False, width: int = -1,
              fill: str = "", name=None) -> Tensor:
    """``tf.strings.as_string``: numbers as text, by C's printf as TensorFlow: floats with 6 digits
    after the point (``precision`` digits if given; ``scientific``: %e, ``shortest``: %g),
    integers in decimal, booleans "true"/"false"; ``width`` pads on the left with ``fill``
    (a space, or "0"). Strings stay as they are."""
    if isinstance(input, (str, bytes)) or (isinstance(input, np.ndarray) and input.dtype.kind in "OSU") or (
            isinstance(input, (list, tuple)) and np.asarray(input, dtype=object).size
            and isinstance(np.asarray(input, dtype=object).reshape(-1)[0], (str, bytes))):
        items, shape = _raw(input)
        return _out(items, shape)
    if len(fill) > 1:
        raise ValueError(f"strings.as_string: fill must be one character or empty, got {fill!r}")
    if scientific and shortest:
        raise ValueError("strings.as_string: scientific and shortest cannot both be True")
    arr = np.asarray(input.numpy() if hasattr(input, "numpy") and not isinstance(input, np.ndarray) else input)
    spec = "%" + (fill if fill not in ("", " ") else "") + (str(width) if width > -1 else "")
    if arr.dtype.kind == "f":
        spec += (f".{precision}" if precision > -1 else "") + ("e" if scientific else "g" if shortest else "f")
        values = [spec % v for v in arr.astype(np.float64).reshape(-1).tolist()]
    elif arr.dtype.kind in "iu":
        values = [(spec + "d") % v for v in arr.reshape(-1).tolist()]
    elif arr.dtype.kind == "b":
        values = [(spec + "s") % ("true" if v else "false") for v in arr.reshape(-1).tolist()]
    else:
        raise NotStringsError(f"strings.as_string: input must be numbers, booleans or strings, got dtype {arr.dtype}")
    return _out(values, arr.shape)


def to_number(input, out_type=np.float32, name=None) -> Tensor:
    """``tf.strings.to_number``: text to numbers of ``out_type`` (float32 by default); a string
    that is not a number, or an integer out of ``out_type``'s range, is an error naming it."""
    dtype = np.dtype(getattr(out_type, "as_numpy_dtype", out_type))
    if dtype.kind not in "iuf":
        raise ValueError(f"strings.to_number: out_type must be a number type, got {out_type!r}")
    texts, shape = _texts(input)
    values = []
    for i, s in enumerate(texts):
        try:
            if "_" in s:                                  # Python reads 1_000; TensorFlow does not
                raise ValueError
            values.append(int(s) if dtype.kind in "iu" else float(s))
        except ValueError:
            kind = "an integer" if dtype.kind in "iu" else "a number"
            raise _invalid(f"strings.to_number: {s!r} is not a number (input{_where(shape, i)}; "
                           f"out_type={dtype.name} wants {kind})") from None
        if dtype.kind in "iu" and not np.iinfo(dtype).min <= values[-1] <= np.iinfo(dtype).max:
            raise _invalid(f"strings.to_number: {s!r} (input{_where(shape, i)}) is out of range for {dtype.name}")
    return _numbers(values, shape, dtype)


def length(input, unit: str = "BYTE", name=None) -> Tensor:
    """``tf.strings.length``: bytes in UTF-8 (``unit="BYTE"``) or characters (``"UTF8_CHAR"``;
    a byte that is not UTF-8 counts as one, as in TensorFlow)."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise _invalid(f"strings.length: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")
    items, shape = _raw(input) if unit == "BYTE" else _texts(input)
    return _numbers([len(s) for s in items], shape, np.int32)


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


def to_hash_bucket_fast(input, num_buckets: int, name=None) -> Tensor:
    """``tf.strings.to_hash_bucket_fast``: ``Fingerprint64(utf-8 bytes) % num_buckets`` (int64)."""
    if isinstance(num_buckets, bool) or not isinstance(num_buckets, (int, np.integer)) or num_buckets < 1:
        raise ValueError(f"strings.to_hash_bucket_fast: num_buckets must be a positive integer, got {num_buckets!r}")
    items, shape = _raw(input)
    return _numbers(hash_buckets(items, int(num_buckets)), shape, np.int64)


def siphash24(key: tuple, data: bytes) -> int:
    """SipHash-2-4 of ``data`` under the 128-bit ``key`` (two unsigned 64-bit words): the keyed
    hash TensorFlow's ``to_hash_bucket_strong`` and a salted Keras ``Hashing`` use."""
    k0, k1 = key[0] & _M64, key[1] & _M64
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D, k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rounds(n):
        for _ in range(n):
            v[0] = (v[0] + v[1]) & _M64
            v[1] = _rotl(v[1], 13) ^ v[0]
            v[0] = _rotl(v[0], 32)
            v[2] = (v[2] + v[3]) & _M64
            v[3] = _rotl(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & _M64
            v[3] = _rotl(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & _M64
            v[1] = _rotl(v[1], 17) ^ v[2]
            v[2] = _rotl(v[2], 32)
    data = bytes(data)
    n = len(data)
    whole = n - n % 8
    for i in range(0, whole, 8):                   # each little-endian 64-bit word
        m = int.from_bytes(data[i:i + 8], "little")
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    m = int.from_bytes(data[whole:], "little") | ((n & 0xFF) << 56)      # the tail and the length byte
    v[3] ^= m
    rounds(2)
    v[0] ^= m
    v[2] ^= 0xFF
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & _M64


def to_hash_bucket_strong(input, num_buckets: int, key, name=None) -> Tensor:
    """``tf.strings.to_hash_bucket_strong``: ``SipHash-2-4(key, utf-8 bytes) % num_buckets``
    (int64); ``key`` is two int64 numbers (a negative one as its unsigned bits, as TensorFlow)."""
    if isinstance(num_buckets, bool) or not isinstance(num_buckets, (int, np.integer)) or num_buckets < 1:
        raise ValueError(f"strings.to_hash_bucket_strong: num_buckets must be a positive integer, got {num_buckets!r}")
    key = _strong_key(key, "strings.to_hash_bucket_strong")
    items, shape = _raw(input)
    return _numbers([siphash24(key, b) % int(num_buckets) for b in items], shape, np.int64)


def _strong_key(key, who) -> tuple:
    try:
        k = [int(v) for v in key]
    except (TypeError, ValueError):
        k = None
    if k is None or len(k) != 2 or any(not -2 ** 63 <= v < 2 ** 63 for v in k):
        raise ValueError(f"{who}: key must be two 64-bit integers, got key={key!r}")
    return tuple(v & _M64 for v in k)


def hash_buckets(items: list, num_buckets: int) -> list:
    """``Fingerprint64(b) % num_buckets`` for each ``bytes`` in ``items`` (the Hashing layer's bins)."""
    return [fingerprint64(b) % num_buckets for b in items]


# -- a RaggedTensor of strings in: each string's result, the rows kept (as TensorFlow dispatches) ----------
def _ragged_aware(fn):
    import functools

    @functools.wraps(fn)
    def call(input, *args, **kwargs):     # noqa: A002 - TensorFlow's name
        if _is_ragged(input):
            return type(input)._rebuild(fn(input.flat_values, *args, **kwargs).view(np.ndarray),
                                         [np.asarray(s) for s in input.nested_row_splits])
        out = fn(input, *args, **kwargs)
        unknown = getattr(input, "_sized_by_data", ())          # in a map: split's pieces, lowered, stay
        return sized_by_data(out, unknown) if unknown and np.shape(out) == np.shape(input) else out
    return call


for _name in ("lower", "upper", "regex_replace", "regex_full_match", "strip", "substr", "as_string", "to_number",
              "length", "to_hash_bucket_fast", "to_hash_bucket_strong"):
    globals()[_name] = _ragged_aware(globals()[_name])
del _name


def format(template, inputs, placeholder="{}", summarize=3, name=None) -> Tensor:  # noqa: A001 - TF's name
    """``tf.strings.format``: ``template`` with each ``placeholder`` replaced by the next of
    ``inputs`` (one tensor, or a list or tuple of them) written as ``tf.print`` writes it:
    ``[1 2 3]``, strings in double quotes, booleans as 1/0, axes longer than ``2 * summarize``
    cut to their first and last ``summarize`` entries (``summarize=-1``: every entry).

    >>> import glassnet as tf
    >>> tf.strings.format("x = {}, y = {}", (tf.constant([1, 2, 3]), tf.constant(2.5))).numpy()
    b'x = [1 2 3], y = 2.5'
    """
    from .printing import format_tensor  # noqa: PLC0415
    text = _one(template, "strings.format: template")
    marker = _one(placeholder, "strings.format: placeholder")
    values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    pieces = text.split(marker)
    if len(pieces) - 1 != len(values):
        raise ValueError(f"The template expects {len(pieces) - 1} tensors, but the inputs only has {len(values)}. "
                         "Please ensure the number of placeholders in template matches inputs length.")
    if isinstance(summarize, bool) or not isinstance(summarize, (int, np.integer)):
        raise TypeError(f"strings.format: summarize must be an int, got {summarize!r}")
    limit = 1 << 62 if summarize < 0 else int(summarize)
    out = pieces[0]
    for value, piece in zip(values, pieces[1:]):
        out += format_tensor(value, limit) + piece
    return _out([out], ())


# (after the names above: that module builds on nothing here)
from .strings_unicode import (unicode_decode_with_offsets, unicode_encode, unicode_script,  # noqa: E402
                              unicode_split_with_offsets, unicode_transcode)
from .strings_ngrams import ngrams  # noqa: E402
