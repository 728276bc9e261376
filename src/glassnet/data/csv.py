"""CSV as TensorFlow reads it: ``tf.io.decode_csv`` (text records into columns) and
``tf.data.experimental.CsvDataset`` (CSV files into one tuple of scalars per row).

>>> cols = decode_csv(["1,2.5,a", '7,,"b,c"'], record_defaults=[[0], [0.0], [""]])
>>> [c.numpy().tolist() for c in cols], [c.dtype.name for c in cols]
([[1, 7], [2.5, 0.0], [b'a', b'b,c']], ['int32', 'float32', 'string'])

TensorFlow's rules, kept here:

- ``record_defaults`` has one entry per column. Its type sets the column's: a Python int is
  int32, a float float32, a str string; a NumPy value or array keeps its dtype; a dtype
  (``tf.float32``, ``tf.string``) or an empty list/array makes the field *required* (an empty
  field is an error); a one-item list or array is the default for an empty field. Only
  float32, float64, int32, int64 and string columns exist.
- Fields are split at ``field_delim`` (one character). With ``use_quote_delim`` a field may
  be wrapped in double quotes (then it may hold the delimiter, ``""`` for a quote, and in a
  file a line break); a quote inside an unquoted field, or text after a closing quote, is
  an error. A field equal to ``na_value`` counts as empty.
- Numbers may have spaces around them; ``1.0`` is not an int, ``1_0`` is no number,
  ``nan``/``inf`` are floats; a float too large for float32 becomes ``inf``.
- A wrong number of fields, a bad number or a missing required field is an error naming
  the record (``decode_csv``: its index; the readers: the file and line), raised when that
  record is read. Text columns keep the bytes as they are (no decoding).
"""
from __future__ import annotations

import numpy as np

from ..tf.tensor import Tensor
from .dataset import Dataset
from .structure import TensorSpec
from .text_line import check_compression, file_names, raw_lines

__all__ = ["CsvDataset", "Columns", "decode_csv", "split_record"]

_TYPES = {np.dtype(t): t for t in (np.float32, np.float64, np.int32, np.int64)}
_STRING = np.dtype(object)
_F32_OVERFLOW = 3.4028235677973366e38     # float32's largest finite value plus half a step: rounds to inf
_INT_RANGE = {np.dtype(np.int32): (-2 ** 31, 2 ** 31 - 1), np.dtype(np.int64): (-2 ** 63, 2 ** 63 - 1)}


_UNCLOSED = "a quoted field has no closing quote"


class BadRecord(ValueError):
    """A record that cannot be read; the message says why, the caller adds where."""


# -- the columns a record_defaults list describes ------------------------------------------
def _column(default, index, who):
    """``(dtype, default value or None if required)`` for one record_defaults entry."""
    where = f"{who}: record_defaults[{index}]"
    if isinstance(default, (type, np.dtype)) or hasattr(default, "as_numpy_dtype"):   # a dtype: required
        dtype, values = np.dtype(default), []
    elif isinstance(default, (bool, np.bool_)):
        raise TypeError(f"{where} is a bool; CSV columns are float32, float64, int32, int64 or string")
    elif isinstance(default, (int, float, str, bytes)):
        dtype, values = None, [default]
    elif isinstance(default, (list, tuple)):
        values = list(default)
        dtype = np.asarray(values).dtype if values and isinstance(values[0], np.generic) else None
        if not values:
            dtype = np.dtype(np.float32)                   # tf.constant([]) is float32
    else:
        a = np.asarray(default)
        dtype, values = a.dtype, a.reshape(-1).tolist()
    if len(values) > 1:
        raise ValueError(f"{where}: there should be one default per field, this one has {len(values)}")
    if dtype is None:                                      # from a Python value, as tf.constant types it
        value = values[0]
        if isinstance(value, (str, bytes)):
            dtype = _STRING
        elif isinstance(value, float):
            dtype = np.dtype(np.float32)
        elif isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{where} is a bool; CSV columns are float32, float64, int32, int64 or string")
        elif isinstance(value, int):
            dtype = np.dtype(np.int32 if -2 ** 31 <= value < 2 ** 31 else np.int64)
        else:
            dtype = np.asarray(value).dtype
    if dtype.kind in "SU":
        dtype = _STRING
    if dtype != _STRING and dtype not in _TYPES:
        raise TypeError(f"{where} has dtype {dtype}; CSV columns are float32, float64, int32, int64 or string")
    if not values:
        return dtype, None
    value = values[0]
    if dtype == _STRING:
        value = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    elif dtype.kind == "f":
        value = float(value)
    else:
        value = int(value)
    return dtype, value


class Columns:
    """How a record's fields become values: the kept columns' positions, types and
    defaults, and TensorFlow's parsing options."""

    def __init__(self, record_defaults, who, field_delim=",", use_quote_delim=True, na_value="",
                 select_cols=None, exclude_cols=None):
        if record_defaults is None or isinstance(record_defaults, (str, bytes)) or len(record_defaults) == 0:
            raise ValueError(f"{who}: record_defaults must be a non-empty list, one entry per column")
        self.who = who
        columns = [_column(d, i, who) for i, d in enumerate(record_defaults)]
        self.dtypes = [c[0] for c in columns]
        self.defaults = [c[1] for c in columns]
        delim = field_delim.encode() if isinstance(field_delim, str) else bytes(field_delim)
        if len(delim) != 1:
            raise ValueError(f"{who}: field_delim must be one character, got {field_delim!r}")
        self.delim, self.quoted = delim, bool(use_quote_delim)
        self.na = na_value.encode() if isinstance(na_value, str) else bytes(na_value)
        if select_cols is not None and exclude_cols is not None:
            raise ValueError(f"{who}: give select_cols or exclude_cols, not both")
        n = len(columns)
        if select_cols is not None:
            cols = [int(c) for c in select_cols]
            if any(c < 0 for c in cols) or any(b <= a for a, b in zip(cols, cols[1:])):
                raise ValueError(f"{who}: select_cols must be increasing column indices >= 0, got {list(cols)}")
            if len(cols) != n:
                raise ValueError(f"{who}: select_cols has {len(cols)} columns but record_defaults {n}; "
                                 "they must be the same length")
            self.positions, self.width = cols, None
        elif exclude_cols is not None:
            skip = sorted({int(c) for c in exclude_cols})
            if any(c < 0 or c >= n + len(skip) for c in skip):
                raise ValueError(f"{who}: exclude_cols {list(exclude_cols)} are not all columns of a file "
                                 f"with {n + len(skip)} columns (record_defaults + exclude_cols)")
            self.positions = [c for c in range(n + len(skip)) if c not in set(skip)]
            self.width = n + len(skip)
        else:
            self.positions, self.width = list(range(n)), n
        self.specs = tuple(TensorSpec((), d) for d in self.dtypes)

    def values(self, record: bytes) -> tuple:
        """The record's kept fields as Python values (int, float, bytes); ``BadRecord`` says
        what is wrong with it."""
        fields = split_record(record, self.delim, self.quoted)
        if self.width is not None:
            if len(fields) != self.width:
                raise BadRecord(f"expected {self.width} fields but found {len(fields)}")
        elif len(fields) <= self.positions[-1]:
            raise BadRecord(f"expected at least {self.positions[-1] + 1} fields (select_cols) but found "
                            f"{len(fields)}")
        out = []
        for i, (pos, dtype, default) in enumerate(zip(self.positions, self.dtypes, self.defaults)):
            field = fields[pos]
            if not field or field == self.na:
                if default is None:
                    raise BadRecord(f"field {pos} is required but missing")
                out.append(default)
            elif dtype is _STRING:
                out.append(field)
            else:
                out.append(_number(field, dtype, pos))
        return tuple(out)

    def scalars(self, values: tuple) -> tuple:
        """A row's values as 0-d arrays of the columns' dtypes."""
        return tuple(np.array(v, d) for v, d in zip(values, self.dtypes))

    def arrays(self, rows: list, shape=None) -> list:
        """Rows of values as one array per column (``shape``: the records' shape)."""
        out = []
        for values, dtype in zip(zip(*rows), self.dtypes):
            if dtype is _STRING:
                a = np.empty(len(values), dtype=object)
                a[:] = values
            else:
                a = np.array(values, dtype)
            out.append(a if shape is None else a.reshape(shape))
        if not rows:
            out = [np.zeros(0 if shape is None else shape, d) for d in self.dtypes]
        return out

    def fast_arrays(self, records: list):
        """The columns of many records at once, NumPy parsing each numeric column in one call
        (the same rules as :meth:`values`, which reads one record at a time); ``None`` when
        a record is bad or unusual, for :meth:`values` to find and name it."""
        if not records:
            return None
        joined = b"".join(records)
        if b"_" in joined or b"\0" in joined:             # NumPy would read 1_0 as 10; 'S' arrays drop NULs
            return None
        try:
            split = [split_record(r, self.delim, self.quoted) for r in records] if self.quoted and b'"' in joined \
                else [r.split(self.delim) for r in records]
        except BadRecord:
            return None
        if self.width is not None:
            if any(len(f) != self.width for f in split):
                return None
            columns = list(zip(*split))
        else:
            if min(len(f) for f in split) <= self.positions[-1]:
                return None
            columns = {p: [f[p] for f in split] for p in self.positions}
        out = []
        for pos, dtype, default in zip(self.positions, self.dtypes, self.defaults):
            column = columns[pos]
            empty = [i for i, f in enumerate(column) if not f or f == self.na]
            if empty and default is None:
                return None
            if dtype is _STRING:
                values = np.empty(len(column), dtype=object)
                values[:] = column
                if empty:
                    values[empty] = default
                out.append(values)
                continue
            raw = np.array(column, dtype="S")
            if empty:
                raw[empty] = b"0"
            try:
                wide = raw.astype(np.float64 if dtype.kind == "f" else np.int64)
            except (ValueError, OverflowError):
                return None
            if dtype.kind == "i":
                low, high = _INT_RANGE[dtype]
                if wide.size and (wide.min() < low or wide.max() > high):
                    return None
            with np.errstate(over="ignore"):
                values = wide.astype(dtype)
            if empty:
                values[empty] = default
            out.append(values)
        return out


def _number(field: bytes, dtype, pos):
    """One numeric field, TensorFlow's way (spaces around it allowed, no ``_``)."""
    try:
        if b"_" in field:
            raise ValueError
        if dtype.kind == "f":
            value = float(field)
            if dtype == np.float32 and abs(value) >= _F32_OVERFLOW and value == value:
                value = float("inf") if value > 0 else float("-inf")
            return value
        value = int(field)
    except ValueError:
        kind = "float" if dtype.kind == "f" else dtype.name
        raise BadRecord(f"field {pos} is not a valid {kind}: {field.decode('utf-8', 'backslashreplace')!r}") \
            from None
    low, high = _INT_RANGE[dtype]
    if not low <= value <= high:
        raise BadRecord(f"field {pos} is not a valid {dtype.name}: {field.decode()!r} is out of range")
    return value


def split_record(record: bytes, delim: bytes = b",", quoted: bool = True) -> list:
    """The fields of one record, quotes removed (see the module's rules)."""
    if not quoted or b'"' not in record:
        return record.split(delim)
    fields, i, n = [], 0, len(record)
    while True:
        if record.startswith(b'"', i):
            parts, j = [], i + 1
            while True:
                k = record.find(b'"', j)
                if k < 0:
                    raise BadRecord(_UNCLOSED)
                parts.append(record[j:k])
                if not record.startswith(b'"', k + 1):
                    break
                parts.append(b'"')
                j = k + 2
            fields.append(b"".join(parts))
            i = k + 1
            if i < n and not record.startswith(delim, i):
                raise BadRecord("a quote inside a quoted field must be doubled (\"\")")
        else:
            k = record.find(delim, i)
            end = n if k < 0 else k
            field = record[i:end]
            if b'"' in field:
                raise BadRecord("an unquoted field cannot hold a quote")
            fields.append(field)
            i = end
        if i >= n:
            return fields
        i += 1


def _record_bytes(value, who) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(f"{who}: records must be strings, got {type(value).__name__} {value!r}")


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None, na_value="",
               select_cols=None):
    """``tf.io.decode_csv``: each string in ``records`` (any shape) split into fields; one
    Tensor per column, of ``records``' shape and the column's type (module docstring)."""
    who = "decode_csv"
    columns = Columns(record_defaults, who, field_delim, use_quote_delim, na_value, select_cols)
    a = np.asarray(records.view(np.ndarray) if isinstance(records, np.ndarray) else records, dtype=object)
    flat = [_record_bytes(r, who) for r in a.reshape(-1).tolist()]
    out = columns.fast_arrays(flat)
    if out is None:                                 # something to report (or a rare form): record by record
        rows = []
        for index, record in enumerate(flat):
            try:
                rows.append(columns.values(record))
            except BadRecord as error:
                where = f"record {index}" if a.ndim == 1 else f"record {np.unravel_index(index, a.shape)}"
                raise ValueError(f"{who}: {where} ({_show(record)}): {error}") from None
        out = columns.arrays(rows)
    return [c.reshape(a.shape).view(Tensor) for c in out]


def _show(record) -> str:
    text = record.decode("utf-8", "backslashreplace") if isinstance(record, bytes) else str(record)
    return repr(text if len(text) <= 60 else text[:57] + "...")


# -- CSV files ------------------------------------------------------------------------------
def _open_quote(line: bytes, delim: bytes) -> bool:
    """Whether ``line`` ends inside a quoted field (which then goes on to the next line);
    a stray quote in an unquoted field does not, and is reported with its own line."""
    if not line.count(b'"') % 2:
        return False
    try:
        split_record(line.rstrip(b"\r\n"), delim, True)
    except BadRecord as error:
        return str(error) == _UNCLOSED
    return False


def records(path, compression_type, buffer_size, header, quoted, who, delim=b","):
    """``(line number, record bytes)`` of one file: lines, joined where a quoted field holds a
    line break, without their line ending; the header record skipped."""
    pending, start = None, 0
    first = True
    for number, line in raw_lines(path, compression_type, buffer_size, who):
        if pending is not None:
            line, number = pending + line, start
        if quoted and _open_quote(line, delim):           # a quoted field goes on to the next line
            pending, start = line, number
            continue
        pending = None
        if line.endswith(b"\n"):
            line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        if first and header:
            first = False
            continue
        first = False
        yield number, line
    if pending is not None:
        raise ValueError(f"{who}: {path} line {start}: a quoted field has no closing quote before the end of the file")


def rows(path, columns: Columns, compression_type, buffer_size, header, lenient):
    """The values of each row of one file (``lenient``: bad rows skipped)."""
    for number, record in records(path, compression_type, buffer_size, header, columns.quoted, columns.who,
                                  columns.delim):
        try:
            yield columns.values(record)
        except BadRecord as error:
            if not lenient:
                raise ValueError(f"{columns.who}: {path} line {number} ({_show(record)}): {error}") from None


class CsvDataset(Dataset):
    """``tf.data.experimental.CsvDataset``: one tuple of scalars per CSV row of ``filenames``
    (a name, a list, or a Dataset of names), read one file after another, streamed. A bad
    row is an error naming the file and line when it is read; ``.ignore_errors()`` skips it."""
    _kind = "CsvDatasetV2"

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None, header=False,
                 field_delim=",", use_quote_delim=True, na_value="", select_cols=None, exclude_cols=None, name=None):
        who = "CsvDataset"
        compression_type = check_compression(compression_type, who)
        columns = Columns(record_defaults, who, field_delim, use_quote_delim, na_value, select_cols, exclude_cols)
        names = file_names(filenames, who)

        def run(lenient=False):
            for path in names():
                for values in rows(path, columns, compression_type, buffer_size, bool(header), lenient):
                    yield columns.scalars(values)
        super().__init__(run, spec=columns.specs, reads=True)
        self._lenient_run = lambda: run(lenient=True)
