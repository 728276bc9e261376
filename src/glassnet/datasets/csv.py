"""Read a user's own table of numbers from a CSV file: features ``x``, target ``y``.

Only the standard ``csv`` module and NumPy: every cell must be a number, and when one is
not, the error names the file, the line and the column, so it can be fixed in an editor.

>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     path = os.path.join(folder, "houses.csv")
...     with open(path, "w") as fh:
...         _ = fh.write("size,rooms,price\\n2104,5,460\\n1416,3,232\\n852,2,178\\n")
...     x, y, names = load_csv(path, target="price")
>>> x.shape, y.tolist(), names
((3, 2), [460.0, 232.0, 178.0], ['size', 'rooms'])
"""
from __future__ import annotations

import csv
import io
import math
import os
from array import array
from typing import NamedTuple

import numpy as np

__all__ = ["load_csv", "CSVData", "detect_delimiter"]

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 << 10


class CSVData(NamedTuple):
    """What :func:`load_csv` returns; unpacks as ``x, y, feature_names = load_csv(...)``."""

    x: np.ndarray
    """Features, shape ``(rows, features)``."""
    y: np.ndarray | None
    """The target column, shape ``(rows,)``; ``None`` when no target was asked for."""
    feature_names: list
    """The names of the columns of ``x``, in order."""


def load_csv(
    path: str | os.PathLike,
    target: str | int | None = None,
    delimiter: str | None = None,
    header: bool = True,
    dtype: str = "float32",
    ignore=(),
) -> CSVData:
    """Load a numeric CSV table as ``(x, y, feature_names)``.

    Args:
        path: the CSV file (UTF-8; a byte-order mark, as Excel writes, is fine).
        target: the column to predict, by name (with a header) or by position
            (``0`` = first, ``-1`` = last). Every other column becomes a feature.
            ``None``: all columns are features and ``y`` is ``None`` (for predicting).
        delimiter: the field separator. ``None`` (the default) detects it among
            ``,`` ``;`` tab and ``|`` (see :func:`detect_delimiter`); give it to be sure.
        header: whether the first row holds the column names. Without one the columns
            are named ``column_0``, ``column_1``, ...
        dtype: the float type of ``x`` and ``y`` (``"float32"`` by default, as glassnet
            computes in float32).
        ignore: columns to skip, by name (with a header) or by position: they are not
            parsed at all, so their cells may be empty or text, and they are neither
            features nor the target. A name the file does not have is allowed (nothing
            to skip), so one call reads tables with and without, say, the target column:
            ``load_csv(path, ignore=("price",))``.

    Blank lines are skipped, spaces around numbers are allowed, and Windows (CRLF) line
    endings and a UTF-8 byte-order mark are fine. Two kept columns with the same name are
    refused (which one a name means would be ambiguous): rename one, or ``ignore`` it. Empty cells, text,
    ``nan``, ``inf`` and numbers too large for ``dtype`` (``1e39`` in float32) are errors.

    Raises:
        FileNotFoundError: no such file.
        ValueError: an empty file, a header without rows, an unknown target column
            (the message lists the columns), an ignored position out of range or an
            ignored target, a row with too few or too many fields, or a cell that is not
            a finite number or too large for ``dtype``; each message names the file, and the
            line and column where it applies.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load_csv: {path}: no such file")
    delimiter, np_dtype = _options(path, delimiter, dtype)
    names, first_line, t, skip = _header(path, delimiter, header, target, ignore)
    width = len(names)
    largest = float(np.finfo(np_dtype).max)
    values = None
    if not skip:                # the fast path: NumPy's C parser; any doubt -> the exact one below
        values = _fast(path, delimiter, width, np_dtype, first_line if header else first_line - 1)
    if values is None:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            values = _exact(csv.reader(fh, delimiter=delimiter), path, names, width, skip, t, largest,
                            np_dtype.name, "the header" if header else f"line {first_line}",
                            first_line if header else 0)
    if len(values) == 0:
        raise ValueError(f"load_csv: {path} has a header ({', '.join(names)}) but no data rows")

    feature_cols = [c for c in range(width) if c != t and c not in skip]
    x = np.ascontiguousarray(values[:, feature_cols], dtype=np_dtype)
    y = None if t is None else np.ascontiguousarray(values[:, t], dtype=np_dtype)
    return CSVData(x, y, [names[c] for c in feature_cols])


def _options(path, delimiter, dtype):
    """The separator (detected when None) and the float dtype, both checked."""
    if delimiter is None:
        delimiter = detect_delimiter(path)
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\r\n\"":
        raise ValueError(f"load_csv: delimiter must be one character (not a quote or a line end), "
                         f"got {delimiter!r}")
    try:
        np_dtype = np.dtype(dtype)
    except TypeError as e:
        raise ValueError(f"load_csv: dtype {dtype!r} is not a NumPy type") from e
    if np_dtype.kind != "f":
        raise ValueError(f"load_csv: dtype must be a float type, got {dtype!r}")
    return delimiter, np_dtype


def _header(path, delimiter, header, target, ignore):
    """``(column names, line of the first row, target index or None, ignored indices)``."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            first, first_line = _first_row(reader)
        except csv.Error as e:
            raise ValueError(f"load_csv: {path}, line {reader.line_num}: {e}") from e
        except UnicodeDecodeError as e:
            raise ValueError(f"load_csv: {path} is not UTF-8 text ({e})") from e
    if first is None:
        raise ValueError(f"load_csv: {path} is empty")
    names = [name.strip() for name in first] if header else [f"column_{i}" for i in range(len(first))]
    t = _target_index(target, names, path, header, delimiter)
    skip = _ignored_columns(ignore, names, path)
    if t is not None and t in skip:
        raise ValueError(f"load_csv: the target column {names[t]!r} is also in ignore")
    if header:
        _refuse_repeated_names(names, skip, path)
    return names, first_line, t, skip


def detect_delimiter(path) -> str:
    """The separator of a CSV file among ``,`` ``;`` tab and ``|``, from its first lines.

    The one that splits the first line into the most fields and every other line read
    into as many wins; a file with one column (nothing splits) reads as ``,``.

    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "eu.csv")
    ...     with open(path, "w") as fh:
    ...         _ = fh.write("size;price\\n2,5;460\\n")
    ...     detect_delimiter(path)
    ';'
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load_csv: {path}: no such file")
    with open(path, "rb") as fh:
        raw = fh.read(_SNIFF_BYTES)
    text = raw.decode("utf-8-sig", errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(raw) == _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]                   # the last one may be cut short
    lines = lines[:50]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for d in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        if counts[0] < 2:
            continue
        steady = all(c == counts[0] for c in counts)
        score = (int(steady), counts[0])
        if score > best_score:
            best, best_score = d, score
    return best


def _first_row(reader):
    for fields in reader:
        if fields and not all(not f.strip() for f in fields):
            return fields, reader.line_num
    return None, None


def _fast(path, delimiter, width, dtype, skip_lines):
    """The rows after the first ``skip_lines`` lines with NumPy's parser, straight into
    ``dtype`` (each number parsed as a double and rounded once, as the exact path does), or
    None when anything is unusual (a bad cell, a ragged row, a whitespace-only line, a NaN,
    a number too large for ``dtype``, which becomes Inf): the exact path then names it."""
    import warnings
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh, warnings.catch_warnings():
            warnings.simplefilter("ignore")          # "input contained no data": said below
            values = np.loadtxt(fh, delimiter=delimiter, dtype=dtype, ndmin=2, quotechar='"',
                                comments=None, skiprows=skip_lines)
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, csv.Error):
        return None
    if values.size == 0:
        return np.empty((0, width), dtype=dtype)
    if values.shape[1] != width:
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        if not np.isfinite(np.add.reduce(values, axis=None, dtype=np.float64)):   # no n-sized mask
            return None
    return values


def _exact(reader, path, names, width, skip, t, largest, dtype_name, where, header_line):
    """Row by row with the csv module, naming the line and column of the first problem."""
    cells, rows = array("d"), 0
    try:
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                continue  # a blank line
            line = reader.line_num
            if line <= header_line:
                continue
            if len(fields) != width:
                raise ValueError(f"load_csv: {path}, line {line} has {len(fields)} fields but "
                                 f"{where} has {width}")
            for c, cell in enumerate(fields):
                cells.append(0.0 if c in skip else
                             _number(cell, path, line, names[c], c, t, largest, dtype_name))
            rows += 1
    except csv.Error as e:
        raise ValueError(f"load_csv: {path}, line {reader.line_num}: {e}") from e
    except UnicodeDecodeError as e:
        raise ValueError(f"load_csv: {path} is not UTF-8 text ({e})") from e
    return np.frombuffer(cells, dtype=np.float64).reshape(rows, width) if rows else np.empty((0, width))


def _refuse_repeated_names(names, skip, path):
    seen = {}
    for i, n in enumerate(names):
        if i in skip:
            continue
        if n in seen:
            shown = repr(n) if n else "'' (no name)"
            raise ValueError(f"load_csv: {path} has two columns named {shown} (positions {seen[n]} and "
                             f"{i}); which one the name means is ambiguous: rename one in the header")
        seen[n] = i


def _target_index(target, names, path, header, delimiter=","):
    if target is None:
        return None
    width = len(names)
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        if not -width <= target < width:
            raise ValueError(f"load_csv: target column {target} is out of range: {path} has "
                             f"{width} columns")
        return int(target) % width
    if isinstance(target, str):
        if not header:
            raise ValueError(f"load_csv: target={target!r} is a name, but header=False; "
                             f"give the column's position (0 = first, -1 = last)")
        found = [i for i, n in enumerate(names) if n == target.strip()]
        if not found:
            close = [n for n in names if n.lower() == target.strip().lower()]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            other = [d for d in DELIMITERS if d != delimiter and any(d in n for n in names)]
            if other:
                hint += (f" (the header holds {other[0]!r}: is that the separator? "
                         f"pass delimiter={other[0]!r}, or --delimiter {other[0]!r} to glassnet)")
            raise ValueError(f"load_csv: {path} has no column {target!r}{hint}; "
                             f"its columns are: {', '.join(names)}")
        if len(found) > 1:
            raise ValueError(f"load_csv: {path} has {len(found)} columns named {target!r} "
                             f"(positions {found}); rename one in the header")
        return found[0]
    raise TypeError(f"load_csv: target must be a column name, a position or None, "
                    f"got {type(target).__name__}")


def _ignored_columns(ignore, names, path):
    """The positions of the columns in ``ignore`` (names absent from the file are skipped)."""
    if isinstance(ignore, (str, int, np.integer)):
        ignore = (ignore,)
    width, skip = len(names), set()
    for item in ignore:
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not -width <= item < width:
                raise ValueError(f"load_csv: ignored column {item} is out of range: {path} has "
                                 f"{width} columns")
            skip.add(int(item) % width)
        elif isinstance(item, str):
            skip.update(i for i, n in enumerate(names) if n == item.strip())
        else:
            raise TypeError(f"load_csv: ignore must hold column names or positions, "
                            f"got {type(item).__name__}")
    return skip


def _number(cell, path, line, name, col, target_col, largest=math.inf, dtype_name="float64"):
    what = f"column {name!r}" + (" (the target)" if col == target_col else "")
    text = cell.strip()
    if not text:
        raise ValueError(f"load_csv: {path}, line {line}, {what}: empty cell "
                         f"(missing values are not supported; fill or drop the row)")
    try:
        value = float(text)
    except ValueError:
        hint = ("; encode the classes as numbers 0, 1, 2, ..." if col == target_col
                else "; every feature must be numeric")
        raise ValueError(f"load_csv: {path}, line {line}, {what}: {cell!r} is not a "
                         f"number{hint}") from None
    if not math.isfinite(value):
        raise ValueError(f"load_csv: {path}, line {line}, {what}: {cell!r} is not a finite "
                         f"number")
    if abs(value) > largest:
        raise ValueError(f"load_csv: {path}, line {line}, {what}: {cell!r} is too large for "
                         f"{dtype_name} (at most {largest:.6g} in magnitude)")
    return value
