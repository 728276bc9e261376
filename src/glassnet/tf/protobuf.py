"""Protocol-buffer messages, written out: the wire format and the text format, for the few
messages TensorFlow's data files use (``tf.train.Example`` and friends, ``TensorProto``).

The wire format (protobuf.dev/programming-guides/encoding) is a sequence of fields, each a
key ``(field number << 3) | wire type`` as a varint, then the value:

- wire type 0, a varint: 7 bits a byte, low bits first, the top bit saying "more follows";
  a negative int64 is its two's complement, so it takes 10 bytes;
- wire type 2, length-delimited: a varint length, then that many bytes (a string, bytes,
  a nested message, or a *packed* run of numbers);
- wire type 5, 32 bits (a float, little-endian); wire type 1, 64 bits.

A message class here names its fields in ``FIELDS``: ``(name, number, kind, type)``, kind one
of ``"message"`` (one nested message), ``"map"`` (string keys to messages: on the wire, each
entry a nested message with the key as field 1 and the value as field 2), ``"repeated"``
(nested messages), ``"bytes"`` (repeated bytes), ``"int64"`` and ``"float"`` (repeated
numbers, written packed; read packed or not, as every protobuf reader must), ``"enum"`` or
``"varint"`` (one number). Fields listed in ``ONEOF`` are alternatives: setting one clears
the others. Unknown fields are skipped when reading.

The text format (what ``print(example)`` shows) is protobuf's: ``name: value`` for numbers
and strings, ``name {`` ... ``}`` for messages, two spaces of indent a level; a map entry
prints as ``name { key: "..." value { ... } }``. Bytes print with C escapes (``\\n``,
``\\"``, octal ``\\377`` for the unprintable); a float prints with 6 significant digits
when that reads back as the same float32, else 9 (``2.71828175``), as protobuf's C library
(upb) prints it. Map entries print in the order they were added (upb prints them in its
hash table's order, which this does not copy).

>>> class Point(Message):
...     FIELDS = (("x", 1, "int64", int), ("tags", 2, "bytes", bytes))
>>> p = Point(x=[3, -1], tags=[b"a"])
>>> p.SerializeToString()
b'\\n\\x0b\\x03\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x01\\x12\\x01a'
>>> print(Point.FromString(p.SerializeToString()), end="")
x: 3
x: -1
tags: "a"
"""
from __future__ import annotations

import operator

import numpy as np

__all__ = ["DecodeError", "Message", "read_varint", "varint"]

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


class DecodeError(ValueError):
    """Bytes that are not a well-formed message (protobuf's ``google.protobuf.message.DecodeError``)."""


# -- the wire format ----------------------------------------------------------------------

def varint(n: int) -> bytes:
    """``n`` (0 <= n < 2**64; a negative int64 as its two's complement) as a varint."""
    n &= (1 << 64) - 1
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def read_varint(data: bytes, at: int) -> tuple[int, int]:
    """The varint starting at ``data[at]``, and where the next field starts."""
    n, shift = 0, 0
    while True:
        if at >= len(data):
            raise DecodeError("Error parsing message: truncated varint")
        byte = data[at]
        at += 1
        n |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return n, at
        shift += 7
        if shift >= 70:
            raise DecodeError("Error parsing message: varint longer than 10 bytes")


def _signed64(n: int) -> int:
    n &= (1 << 64) - 1
    return n - (1 << 64) if n >= 1 << 63 else n


def _delimited(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def _fields(data: bytes):
    """``(field number, wire type, value)`` for each field of a message's bytes: an int for
    wire type 0, the bytes for types 1, 2 and 5."""
    at, end = 0, len(data)
    while at < end:
        key, at = read_varint(data, at)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise DecodeError("Error parsing message: field number 0")
        if wire == 0:
            value, at = read_varint(data, at)
        elif wire == 2:
            size, at = read_varint(data, at)
            value, at = data[at:at + size], at + size
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, at = data[at:at + size], at + size
        else:
            raise DecodeError(f"Error parsing message: wire type {wire} of field {number} is not supported")
        if at > end:
            raise DecodeError("Error parsing message: a field runs past the end of the data")
        yield number, wire, value


# -- the values a field holds ---------------------------------------------------------------

def _as_int64(v):
    if isinstance(v, (bool, np.bool_)) or getattr(v, "dtype", None) == np.bool_:
        raise TypeError("Field tensorflow.Int64List.value: Expected an int, got a boolean.")
    try:
        v = operator.index(v)                # ints, NumPy integers, 0-d integer tensors (as protobuf takes them)
    except TypeError:
        raise TypeError(f"'{type(v).__name__}' object cannot be interpreted as an integer") from None
    if not _INT64_MIN <= v <= _INT64_MAX:
        raise ValueError(f"Value out of range: {v}")
    return v


def _as_float(v):
    if isinstance(v, (str, bytes, bool, np.bool_)) or not hasattr(v, "__float__"):
        raise TypeError(f"must be real number, not {type(v).__name__}")
    return float(np.float32(float(v)))      # a float field holds a float32: 2.718281828 reads back 2.7182817...


def _as_bytes(v):
    if not isinstance(v, bytes):
        raise TypeError(f"expected bytes, {type(v).__name__} found")
    return bytes(v)


_CHECKS = {"int64": _as_int64, "float": _as_float, "bytes": _as_bytes, "varint": int, "enum": int}


class Repeated(list):
    """A repeated field's values: a list that checks (and converts) what goes in. As an
    array (``np.array(feature.float_list.value)``) it has the field's type, float32 or
    int64, as protobuf's containers give it."""

    def __init__(self, check, values=()):
        self._check = check
        super().__init__(check(v) for v in values)

    def __array__(self, dtype=None, copy=None):
        kind = {_as_float: np.float32, _as_int64: np.int64}.get(self._check)
        out = np.array(list(self), dtype=kind) if kind else np.array(list(self))
        return out if dtype is None else out.astype(dtype)

    def append(self, v):
        super().append(self._check(v))

    def extend(self, values):
        super().extend(self._check(v) for v in values)

    def insert(self, i, v):
        super().insert(i, self._check(v))

    def __setitem__(self, i, v):
        super().__setitem__(i, [self._check(x) for x in v] if isinstance(i, slice) else self._check(v))


class MessageMap(dict):
    """A map field: string keys to messages of one class; reading a missing key adds an
    empty message under it, as protobuf's maps do."""

    def __init__(self, cls, items=None):
        super().__init__()
        self._cls = cls
        for k, v in (items or {}).items():
            self[k] = v

    def __setitem__(self, key, value):
        if isinstance(key, bytes):
            key = key.decode("utf-8")
        if not isinstance(key, str):
            raise TypeError(f"map keys must be strings, got {type(key).__name__} {key!r}")
        if not isinstance(value, self._cls):
            raise TypeError(f"map values must be {self._cls.__name__} messages, got {type(value).__name__}")
        super().__setitem__(key, value)

    def __missing__(self, key):
        self[key] = self._cls()
        return dict.__getitem__(self, key)


# -- messages ---------------------------------------------------------------------------------

class Message:
    """A protocol-buffer message: fields by keyword, ``SerializeToString``/``FromString``,
    ``ParseFromString``, ``CopyFrom``, ``==``, the text format as ``str``.

    A nested message field reads as an empty message until set (reading it does not set it;
    writing into what was read does: ``feature.int64_list.value.append(1)``)."""

    FIELDS: tuple = ()
    ONEOF: tuple = ()                        # names of fields that are alternatives (protobuf's oneof)

    def __init__(self, **fields):
        object.__setattr__(self, "_present", set())      # message fields set explicitly
        object.__setattr__(self, "_chosen", None)        # the oneof member set explicitly
        for name, _, kind, cls in self.FIELDS:
            if kind == "map":
                object.__setattr__(self, name, MessageMap(cls))
            elif kind == "repeated":
                object.__setattr__(self, name, Repeated(lambda m, cls=cls: _message_of(m, cls)))
            elif kind in ("varint", "enum"):
                object.__setattr__(self, name, 0)
            elif kind != "message":
                object.__setattr__(self, name, Repeated(_CHECKS[kind]))
        for name, value in fields.items():
            self._assign(name, value)

    def __getattr__(self, name):             # only for a message field not yet read or set
        if name.startswith("_"):
            raise AttributeError(name)
        cls = self._field(name)[3]
        value = cls()
        object.__setattr__(self, name, value)
        return value

    def _field(self, name):
        for field in self.FIELDS:
            if field[0] == name:
                return field
        raise AttributeError(f'Protocol message {type(self).__name__} has no "{name}" field.')

    def _assign(self, name, value):
        _, _, kind, cls = self._field(name)
        if kind == "message":
            if value is None:
                self.__dict__.pop(name, None)
                self._present.discard(name)
                return
            value = _message_of(value, cls)
            if name in self.ONEOF:
                for other in self.ONEOF:
                    self.__dict__.pop(other, None)
                    self._present.discard(other)
                object.__setattr__(self, "_chosen", name)
            self._present.add(name)
        elif kind == "map":
            value = MessageMap(cls, value)
        elif kind == "repeated":
            value = Repeated(lambda m: _message_of(m, cls), value)
        elif kind in ("varint", "enum"):
            value = int(value)
        else:
            if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
                raise TypeError(f"{type(self).__name__}.{name} must be a list of values, got {type(value).__name__}")
            value = Repeated(_CHECKS[kind], value)
        object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        _, _, kind, _ = self._field(name)
        if kind not in ("varint", "enum"):
            raise AttributeError(f'Assignment not allowed to field "{name}" in protocol message object.')
        self._assign(name, value)

    def _set_message(self, name):
        """The message field ``name`` if it is set (explicitly, or by writing into it), else None."""
        value = self.__dict__.get(name)
        if value is None:
            return None
        if name in self.ONEOF and self.WhichOneof("") != name:
            return None
        return value if name in self._present or value.ByteSize() else None

    def WhichOneof(self, group):  # noqa: N802 (protobuf's name)
        """The name of the oneof field that is set, or None."""
        if self._chosen is not None:
            return self._chosen
        for name in self.ONEOF:
            value = self.__dict__.get(name)
            if value is not None and value.ByteSize():
                return name
        return None

    def HasField(self, name):  # noqa: N802
        if self._field(name)[2] != "message":
            raise ValueError(f'Protocol message has no singular "{name}" field.')
        return self._set_message(name) is not None

    def ListFields(self):  # noqa: N802
        """``(name, value)`` of the fields that are set, in field order."""
        out = []
        for name, _, kind, _ in self.FIELDS:
            value = self._set_message(name) if kind == "message" else self.__dict__[name]
            if value is not None and (kind == "message" or value):
                out.append((name, value))
        return out

    # -- wire format
    def SerializeToString(self, deterministic=None) -> bytes:  # noqa: N802
        out = bytearray()
        for name, number, kind, _ in self.FIELDS:
            if kind == "message":
                value = self._set_message(name)
                if value is not None:
                    out += _delimited(number, value.SerializeToString())
                continue
            value = self.__dict__[name]
            if kind == "map":
                for key, msg in value.items():
                    entry = _delimited(1, key.encode("utf-8")) + _delimited(2, msg.SerializeToString())
                    out += _delimited(number, entry)
            elif kind == "repeated":
                for msg in value:
                    out += _delimited(number, msg.SerializeToString())
            elif kind == "bytes":
                for b in value:
                    out += _delimited(number, b)
            elif kind in ("varint", "enum"):
                if value:
                    out += varint(number << 3) + varint(value)
            elif value:                          # packed numbers
                payload = (b"".join(varint(v) for v in value) if kind == "int64"
                           else np.asarray(value, "<f4").tobytes())
                out += _delimited(number, payload)
        return bytes(out)

    def ParseFromString(self, data) -> int:  # noqa: N802
        """Replace this message's fields with those in ``data``; returns its length."""
        data = bytes(data)
        fresh = type(self)()
        by_number = {f[1]: f for f in self.FIELDS}
        for number, wire, value in _fields(data):
            if number not in by_number:
                continue                         # an unknown field: skipped
            name, _, kind, cls = by_number[number]
            _expect(wire, kind, name)
            if kind == "message":
                msg = cls.FromString(value)
                earlier = fresh._set_message(name)
                if earlier is not None:
                    earlier.MergeFrom(msg)       # a message field seen twice: merged, as protobuf does
                else:
                    fresh._assign(name, msg)
                continue
            target = fresh.__dict__[name]
            if kind == "map":
                key, entry = b"", None
                for n, w, v in _fields(value):
                    if n == 1 and w == 2:
                        key = v
                    elif n == 2 and w == 2:
                        entry = cls.FromString(v)
                try:
                    target[key.decode("utf-8")] = entry if entry is not None else cls()
                except UnicodeDecodeError:
                    raise DecodeError(f"Error parsing message: a key of {name} is not UTF-8") from None
            elif kind == "repeated":
                target.append(cls.FromString(value))
            elif kind == "bytes":
                target.append(value)
            elif kind in ("varint", "enum"):
                object.__setattr__(fresh, name, value)
            elif kind == "int64":
                target.extend(_signed64(v) for v in (_packed_varints(value) if wire == 2 else [value]))
            else:                                 # float: packed, or one 32-bit value
                if len(value) % 4:
                    raise DecodeError(f"Error parsing message: field {name} has {len(value)} bytes, not whole floats")
                target.extend(np.frombuffer(value, "<f4").astype(float).tolist())
        self.__dict__.clear()
        self.__dict__.update(fresh.__dict__)
        return len(data)

    @classmethod
    def FromString(cls, data):  # noqa: N802
        msg = cls()
        msg.ParseFromString(data)
        return msg

    def MergeFrom(self, other) -> None:  # noqa: N802
        self.ParseFromString(self.SerializeToString() + other.SerializeToString())

    def CopyFrom(self, other) -> None:  # noqa: N802
        if not isinstance(other, type(self)):
            raise TypeError(f"Parameter to CopyFrom() must be instance of same class: expected "
                            f"{type(self).__name__} got {type(other).__name__}.")
        self.ParseFromString(other.SerializeToString())

    def Clear(self) -> None:  # noqa: N802
        self.__dict__.clear()
        self.__dict__.update(type(self)().__dict__)

    def ByteSize(self) -> int:  # noqa: N802
        return len(self.SerializeToString())

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._text_lines() == other._text_lines()

    __hash__ = None

    # -- text format
    def _text_lines(self, indent="") -> list:
        lines = []
        for name, _, kind, _ in self.FIELDS:
            if kind == "message":
                value = self._set_message(name)
                if value is not None:
                    lines += _block(name, value._text_lines(indent + "  "), indent)
                continue
            value = self.__dict__[name]
            if kind == "map":
                for key, msg in value.items():
                    entry = [f'{indent}  key: "{_escape(key.encode("utf-8"))}"']
                    entry += _block("value", msg._text_lines(indent + "    "), indent + "  ")
                    lines += [f"{indent}{name} {{"] + entry + [f"{indent}}}"]
            elif kind == "repeated":
                for msg in value:
                    lines += _block(name, msg._text_lines(indent + "  "), indent)
            elif kind in ("varint", "enum"):
                if value:
                    lines.append(f"{indent}{name}: {self._enum_name(name, value) if kind == 'enum' else value}")
            else:
                lines += [f"{indent}{name}: {_text_value(kind, v)}" for v in value]
        return lines

    def _enum_name(self, name, value):
        return value

    def __str__(self):
        lines = self._text_lines()
        return "\n".join(lines) + "\n" if lines else ""

    __repr__ = __str__


def _block(name, inner, indent):
    return [f"{indent}{name} {{"] + inner + [f"{indent}}}"]


def _message_of(value, cls):
    if not isinstance(value, cls):
        raise TypeError(f"expected a {cls.__name__} message, got {type(value).__name__}")
    return value


def _expect(wire, kind, name):
    want = {"int64": (0, 2), "float": (5, 2), "varint": (0,), "enum": (0,)}.get(kind, (2,))
    if wire not in want:
        raise DecodeError(f"Error parsing message: field {name} has wire type {wire}")


def _packed_varints(data: bytes):
    at = 0
    while at < len(data):
        v, at = read_varint(data, at)
        yield v


_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"', ord("'"): "\\'",
            ord("\\"): "\\\\"}


def _escape(data: bytes) -> str:
    """Bytes as protobuf's text format writes them: C escapes, octal for the unprintable."""
    return "".join(_ESCAPES.get(b) or (chr(b) if 32 <= b < 127 else f"\\{b:03o}") for b in data)


def _text_value(kind, v):
    if kind == "bytes":
        return f'"{_escape(v)}"'
    if kind == "float":
        text = f"{v:.6g}"
        if np.float32(float(text)) != np.float32(v):      # 6 digits do not read back as this float32: 9 do
            text = f"{v:.9g}"
        return text
    return str(v)
