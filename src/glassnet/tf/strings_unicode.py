"""``tf.strings``' Unicode conversions beyond decode and split (``tf/strings.py``): code points
to text (``unicode_encode``), text from one encoding to another (``unicode_transcode``), and
decoding or splitting with each character's byte offset (``*_with_offsets``), and each code
point's script (``unicode_script``). Encodings are
TensorFlow's: UTF-8, UTF-16-BE, UTF-32-BE. A code point that is not a character (negative,
past U+10FFFF, a surrogate) or a byte sequence that does not decode becomes
``replacement_char`` (``errors="replace"``), is dropped (``"ignore"``), or is an error
(``"strict"``, naming its position)."""
from __future__ import annotations

import numpy as np

from .tensor import Tensor

_CODECS = {"UTF-8": "utf-8", "UTF8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}


def _codec(encoding, who: str, what: str) -> str:
    key = str(encoding).upper().replace("_", "-")
    if key not in _CODECS:
        raise ValueError(f"{who}: {what} must be 'UTF-8', 'UTF-16-BE' or 'UTF-32-BE', got {encoding!r}")
    return _CODECS[key]


def _errors(errors, who: str) -> str:
    if errors not in ("replace", "ignore", "strict"):
        raise ValueError(f"{who}: errors must be 'replace', 'ignore' or 'strict', got {errors!r}")
    return errors


def _character(point: int, errors: str, replacement_char: int, who: str, where: str) -> str:
    if 0 <= point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF:
        return chr(point)
    if errors == "strict":
        from .errors import InvalidArgumentError  # noqa: PLC0415
        raise InvalidArgumentError(None, None, f"{who}: {point} at {where} is not a Unicode code point")
    return chr(replacement_char) if errors == "replace" else ""


def _strings(values: list, shape) -> Tensor:
    flat = np.empty(len(values), dtype=object)
    flat[:] = values
    return flat.reshape(shape).view(Tensor)


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533, name=None):
    """``tf.strings.unicode_encode``: int32 code points to text, along the last axis: a 1-D
    tensor gives one string, ``(n, k)`` gives ``n`` strings, a RaggedTensor one per row.

    >>> import glassnet as tf
    >>> tf.strings.unicode_encode([72, 105, 33], 'UTF-8').numpy()
    b'Hi!'
    """
    who = "strings.unicode_encode"
    codec, errors = _codec(output_encoding, who, "output_encoding"), _errors(errors, who)
    if hasattr(input, "nested_row_splits"):            # a RaggedTensor: each row its string
        rows = [np.asarray(r).reshape(-1).tolist() for r in input.to_list()] if input.ragged_rank == 1 else None
        if rows is None:
            return input.with_values(unicode_encode(input.values, output_encoding, errors, replacement_char))
        shape = (len(rows),)
    else:
        arr = np.asarray(input)
        if arr.ndim == 0:
            raise ValueError(f"{who}: input must have at least one axis (the code points), got a scalar")
        if arr.dtype.kind not in "iu":
            raise TypeError(f"{who}: input must be integer code points, got dtype {arr.dtype}")
        shape = arr.shape[:-1]
        rows = arr.reshape(-1, arr.shape[-1]).tolist() if arr.size or arr.shape[-1] else [[]] * int(np.prod(shape))
    out = []
    for i, row in enumerate(rows):
        text = "".join(_character(int(p), errors, replacement_char, who, f"row {i}, index {j}")
                       for j, p in enumerate(row))
        out.append(text.encode(codec))
    return _strings(out, shape)


def _decode_each(texts: list, codec: str, errors: str, replacement_char: int, who: str):
    """Each string's characters and the byte offset where each starts."""
    unit = {"utf-8": 1, "utf-16-be": 2, "utf-32-be": 4}[codec]
    result = []
    for i, raw in enumerate(texts):
        chars, offsets, pos = [], [], 0
        while pos < len(raw):
            size = _next_size(raw, pos, codec, unit)
            piece = raw[pos:pos + size]
            try:
                c = piece.decode(codec)
            except UnicodeDecodeError:
                if errors == "strict":
                    from .errors import InvalidArgumentError  # noqa: PLC0415
                    raise InvalidArgumentError(None, None, f"{who}: string {i} does not decode as {codec.upper()} "
                                               f"at byte {pos}") from None
                c = chr(replacement_char) if errors == "replace" else ""
            if c:
                chars.append(c)
                offsets.append(pos)
            pos += size
        result.append((chars, offsets))
    return result


def _next_size(raw: bytes, pos: int, codec: str, unit: int) -> int:
    """The length in bytes of the character starting at ``pos`` (a bad byte: one unit)."""
    if codec == "utf-8":
        lead = raw[pos]
        size = 1 if lead < 0x80 else 2 if 0xC2 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else \
            4 if 0xF0 <= lead < 0xF5 else 1
        if size > 1 and (pos + size > len(raw) or any(not 0x80 <= b < 0xC0 for b in raw[pos + 1:pos + size])):
            return 1
        return size
    if codec == "utf-16-be" and pos + 4 <= len(raw) and 0xD8 <= raw[pos] < 0xDC and 0xDC <= raw[pos + 2] < 0xE0:
        return 4
    return unit


def _texts(input):
    arr = np.asarray(input, dtype=object)
    items = [v.encode("utf-8", "surrogateescape") if isinstance(v, str) else bytes(v) for v in arr.reshape(-1).tolist()]
    return items, arr.shape


def _with_offsets(input, input_encoding, errors, replacement_char, who, as_points, control=-1):
    codec, errors = _codec(input_encoding, who, "input_encoding"), _errors(errors, who)
    texts, shape = _texts(input)
    rows = _decode_each(texts, codec, errors, replacement_char, who)
    if as_points:
        values = [np.array([replacement_char if ord(c) <= control else ord(c) for c in chars], np.int32)
                  for chars, _ in rows]
    else:
        values = [_strings([c.encode(codec) for c in chars], (len(chars),)) for chars, _ in rows]
    offsets = [np.array(o, np.int64) for _, o in rows]
    if shape == ():
        return values[0].view(Tensor), offsets[0].view(Tensor)
    if len(shape) != 1:
        raise ValueError(f"{who}: input must be a string or a 1-D tensor of strings, got shape {shape}")
    from .ragged import RaggedTensor  # noqa: PLC0415
    lengths = np.array([len(o) for o in offsets], np.int64)
    flat_values = np.concatenate([np.asarray(v) for v in values]) if values else np.zeros(0, np.int32)
    if not as_points:
        flat_values = np.asarray(flat_values, dtype=object)
    return (RaggedTensor.from_row_lengths(flat_values, lengths),
            RaggedTensor.from_row_lengths(np.concatenate(offsets) if offsets else np.zeros(0, np.int64), lengths))


def unicode_decode_with_offsets(input, input_encoding, errors="replace", replacement_char=65533,
                                replace_control_characters=False, name=None):
    """``tf.strings.unicode_decode_with_offsets``: each string's code points (int32) and the
    byte offset (int64) where each starts; a RaggedTensor of each for several strings.

    >>> import glassnet as tf
    >>> points, starts = tf.strings.unicode_decode_with_offsets('añb', 'UTF-8')
    >>> points.numpy().tolist(), starts.numpy().tolist()
    ([97, 241, 98], [0, 1, 3])
    """
    return _with_offsets(input, input_encoding, errors, replacement_char, "strings.unicode_decode_with_offsets",
                         as_points=True, control=0x1F if replace_control_characters else -1)


def unicode_split_with_offsets(input, input_encoding, errors="replace", replacement_char=65533, name=None):
    """``tf.strings.unicode_split_with_offsets``: each string's characters (as strings in
    ``input_encoding``) and the byte offset where each starts."""
    return _with_offsets(input, input_encoding, errors, replacement_char,
                         "strings.unicode_split_with_offsets", as_points=False)


def unicode_transcode(input, input_encoding, output_encoding, errors="replace", replacement_char=65533,
                      replace_control_characters=False, name=None):
    """``tf.strings.unicode_transcode``: each string decoded from ``input_encoding`` and encoded
    in ``output_encoding`` (the shape kept); ``replace_control_characters`` turns the C0 controls
    (U+0000..U+001F, tab and newline too) into ``replacement_char``, as TensorFlow's.

    >>> import glassnet as tf
    >>> tf.strings.unicode_transcode(['Hi'], 'UTF-8', 'UTF-16-BE').numpy().tolist()
    [b'\\x00H\\x00i']
    """
    who = "strings.unicode_transcode"
    source, target = _codec(input_encoding, who, "input_encoding"), _codec(output_encoding, who, "output_encoding")
    errors = _errors(errors, who)
    texts, shape = _texts(input)
    out = []
    for chars, _ in _decode_each(texts, source, errors, replacement_char, who):
        if replace_control_characters:
            chars = [chr(replacement_char) if ord(c) <= 0x1F else c for c in chars]
        out.append("".join(chars).encode(target))
    return _strings(out, shape)


def unicode_script(input, name=None):
    """``tf.strings.unicode_script``: the ICU script code (``UScriptCode``) of each int32 code point:
    0 Common (digits, punctuation, spaces), 1 Inherited (combining marks), 2 Arabic, 8 Cyrillic,
    14 Greek, 17 Han, 18 Hangul, 20 Hiragana, 22 Katakana, 25 Latin, ...; -1 for a number that is
    not a code point. The table is TensorFlow 2.21's (``tf/unicode_scripts.py``).

    >>> import glassnet as tf
    >>> tf.strings.unicode_script([33464, 1041, 65]).numpy().tolist()
    [17, 8, 25]
    """
    if hasattr(input, "nested_row_splits"):            # a RaggedTensor: its values, the rows kept
        return input.with_flat_values(unicode_script(input.flat_values))
    points = np.asarray(input.numpy() if hasattr(input, "numpy") else input)
    if points.dtype.kind not in "iu":
        raise TypeError(f"strings.unicode_script: input must hold int32 code points, got dtype {points.dtype}")
    starts, codes = _script_runs()
    flat = points.astype(np.int64).reshape(-1)
    found = codes[np.maximum(np.searchsorted(starts, flat, side="right") - 1, 0)]
    out = np.where((flat >= 0) & (flat <= 0x10FFFF), found, -1).astype(np.int32)
    return out.reshape(points.shape).view(Tensor)


def _script_runs():
    """The script table as two arrays (run starts, codes), read on first use."""
    global _RUNS
    if _RUNS is None:
        from .unicode_scripts import RUNS  # noqa: PLC0415 - 3,000 runs, only for unicode_script
        _RUNS = (np.array([start for start, _ in RUNS], np.int64), np.array([code for _, code in RUNS], np.int32))
    return _RUNS


_RUNS = None
