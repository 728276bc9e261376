"""``tf.data.experimental.make_csv_dataset``: CSV files as batches of named columns.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
>>> _ = open(path, "w").write("age,fare,town,survived\\n22,7.25,S,0\\n38,71.3,C,1\\n26,,S,1\\n")
>>> ds = make_csv_dataset(path, batch_size=2, label_name="survived", num_epochs=1, shuffle=False)
>>> features, label = next(iter(ds))
>>> {k: v.numpy().tolist() for k, v in features.items()}, label.numpy().tolist()
({'age': [22, 38], 'fare': [7.25, 71.3...], 'town': [b'S', b'C']}, [0, 1])

The same pipeline as TensorFlow's: the files matching ``file_pattern`` (globs, sorted; a
list of patterns too) are read ``num_parallel_reads`` at a time, a row from each in turn
(``CsvDataset`` with the header skipped), then rows are shuffled through a buffer of
``shuffle_buffer_size`` (``shuffle=True``), repeated ``num_epochs`` times (``None``: for
ever, and then every batch is full), batched, and each batch made an ``OrderedDict`` of
columns (with ``label_name``: ``(features, label)``).

Column names come from the first file's header (every file's header must match); column
types, when ``column_defaults`` is not given, from the first ``num_rows_for_inference``
rows, as TensorFlow infers them: each column takes the first of int32, int64, float32,
float64, string that fits all its non-empty values, and its empty fields become 0 or "".
Reading the header and the inference rows happens here, when the dataset is made; bad rows
after them are errors when read (``ignore_errors=True`` skips them).
"""
from __future__ import annotations

import collections
import glob
import os

import numpy as np

from .csv import BadRecord, Columns, records, rows, split_record
from .combine import interleave_runs
from .dataset import AUTOTUNE, Dataset
from .structure import TensorSpec
from .text_line import check_compression

__all__ = ["make_csv_dataset"]

_ORDER = [np.dtype(t) for t in (np.int32, np.int64, np.float32, np.float64, object)]


def _files(file_pattern, who) -> list:
    """The files the pattern(s) match, sorted; none is an error naming the pattern."""
    patterns = list(file_pattern) if isinstance(file_pattern, (list, tuple)) else [file_pattern]
    if not patterns:
        raise ValueError(f"{who}: file_pattern is an empty list")
    names = []
    for pattern in patterns:
        pattern = pattern.decode() if isinstance(pattern, bytes) else os.fspath(pattern)
        names.extend(f for f in glob.glob(pattern) if not os.path.isdir(f))
    if not names:
        raise ValueError(f"{who}: no files match file_pattern {file_pattern!r}")
    return sorted(names)


def _first_records(path, compression_type, delim, quoted, encoding, limit, who):
    """``(line, fields)`` of the first ``limit`` records of a file (the header included),
    decoded with ``encoding`` (an undecodable one is an error naming the file and line)."""
    for count, (number, record) in enumerate(records(path, compression_type, None, False, quoted, who, delim)):
        if limit is not None and count >= limit:
            return
        try:
            fields = split_record(record, delim, quoted)
            yield number, [f.decode(encoding) for f in fields]
        except BadRecord as error:
            raise ValueError(f"{who}: {path} line {number}: {error}") from None
        except UnicodeDecodeError as error:
            raise ValueError(f"{who}: {path} line {number} is not valid {encoding} ({error.reason} at byte "
                             f"{error.start} of a field)") from None


def _fits(text: str, dtype) -> bool:
    text = text.strip()
    if "_" in text:
        return False
    try:
        if dtype.kind == "i":
            bits = 32 if dtype == np.int32 else 64
            return -2 ** (bits - 1) <= int(text) < 2 ** (bits - 1)
        value = float(text)
    except ValueError:
        return False
    limit = float(np.finfo(dtype).max)
    return abs(value) <= limit                   # nan and overflow do not fit (TensorFlow: < inf)


def _infer(files, names, select, options, limit, who) -> list:
    """Each kept column's dtype from the first ``limit`` rows (after the headers)."""
    compression_type, delim, quoted, na, header, encoding = options
    kinds = [None] * len(select)
    seen = 0
    for path in files:
        for number, fields in _first_records(path, compression_type, delim, quoted, encoding,
                                             None if limit is None else limit - seen + int(header), who):
            if header and number == 1:
                continue
            if len(fields) != len(names):
                raise ValueError(f"{who}: {path} line {number} has {len(fields)} fields, the header "
                                 f"{len(names)} (while inferring column types)")
            for j, col in enumerate(select):
                text = fields[col]
                if text in ("", na):
                    continue
                start = 0 if kinds[j] is None else _ORDER.index(kinds[j])
                kinds[j] = next(d for d in _ORDER[start:] if d == object or _fits(text, d))
            seen += 1
            if limit is not None and seen >= limit:
                break
        if limit is not None and seen >= limit:
            break
    kinds = [k if k is not None else np.dtype(object) for k in kinds]
    return [[""] if k == object else [k.type(0)] for k in kinds]


def _select(select_columns, names, who) -> list:
    if select_columns is None:
        return list(range(len(names)))
    select = list(select_columns)
    if all(isinstance(c, str) for c in select):
        missing = [c for c in select if c not in names]
        if missing:
            raise ValueError(f"{who}: select_columns {missing} are not columns: {names}")
        select = [names.index(c) for c in select]
    elif all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in select):
        bad = [c for c in select if not 0 <= c < len(names)]
        if bad:
            raise ValueError(f"{who}: select_columns {bad} are not indices of the {len(names)} columns")
    else:
        raise ValueError(f"{who}: select_columns must be all names or all indices, got {select}")
    if len(set(select)) != len(select):
        raise ValueError(f"{who}: select_columns has duplicates: {list(select_columns)}")
    return sorted(int(c) for c in select)


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None, label_name=None,
                     select_columns=None, field_delim=",", use_quote_delim=True, na_value="", header=True,
                     num_epochs=None, shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False, num_rows_for_inference=100,
                     compression_type=None, ignore_errors=False, encoding="utf-8"):
    """Batches ``OrderedDict(column name: column)`` (with ``label_name``: ``(features,
    label)``) read from the CSV files matching ``file_pattern`` (module docstring)."""
    who = "make_csv_dataset"
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"{who}: batch_size must be an integer >= 1, got {batch_size!r}")
    if num_epochs is not None and (isinstance(num_epochs, bool) or not isinstance(num_epochs, (int, np.integer))
                                   or num_epochs < -1):
        raise ValueError(f"{who}: num_epochs must be None, -1 or an integer >= 0, got {num_epochs!r}")
    compression_type = check_compression(compression_type, who)
    files = _files(file_pattern, who)
    delim = field_delim.encode() if isinstance(field_delim, str) else bytes(field_delim)
    if len(delim) != 1:
        raise ValueError(f"{who}: field_delim must be one character, got {field_delim!r}")
    quoted = bool(use_quote_delim)
    if column_names is None:
        if not header:
            raise ValueError(f"{who}: give column_names, or header=True to read them from the files")
        headers = [next(_first_records(f, compression_type, delim, quoted, encoding, 1, who), (0, None))[1]
                   for f in files]
        for path, names in zip(files, headers):
            if names is None:
                raise ValueError(f"{who}: {path} is empty: it has no header row to read the column names from")
            if names != headers[0]:
                raise ValueError(f"{who}: {path} has the header {names}, {files[0]} has {headers[0]}; all files "
                                 "must have the same column names")
        column_names = headers[0]
    column_names = [str(n) for n in column_names]
    if len(set(column_names)) != len(column_names):
        raise ValueError(f"{who}: column_names must be unique, got {column_names}")
    select = _select(select_columns, column_names, who)
    if column_defaults is None:
        column_defaults = _infer(files, column_names, select, (compression_type, delim, quoted, na_value, header,
                                                               encoding), num_rows_for_inference, who)
    if len(column_defaults) != len(select):
        raise ValueError(f"{who}: column_defaults has {len(column_defaults)} entries for {len(select)} columns")
    names = [column_names[i] for i in select]
    if label_name is not None and label_name not in names:
        raise ValueError(f"{who}: label_name {label_name!r} must be one of the columns: {names}")
    columns = Columns(column_defaults, who, field_delim, use_quote_delim, na_value,
                      select if select_columns is not None else None)
    if select_columns is None:
        columns.width = len(column_names)

    cycle = 1 if num_parallel_reads is None else int(num_parallel_reads)
    if cycle == AUTOTUNE:
        cycle = os.cpu_count() or 1
    if cycle < 1:
        raise ValueError(f"{who}: num_parallel_reads must be >= 1 or AUTOTUNE, got {num_parallel_reads!r}")

    def reader(path):
        return lambda: rows(path, columns, compression_type, None, bool(header), bool(ignore_errors))
    paths = Dataset(lambda: iter(files), len(files))
    if shuffle:
        paths = paths.shuffle(len(files), seed=shuffle_seed)
    # rows travel as tuples of Python values until a batch is made of them
    rows_ds = Dataset(lambda: interleave_runs((reader(p) for p in paths._run()), cycle, 1), reads=True)
    if shuffle:
        rows_ds = rows_ds.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    if num_epochs != 1:
        rows_ds = rows_ds.repeat(num_epochs)
    full_only = num_epochs is None or num_epochs == -1

    def batches():
        source = rows_ds._run()
        while True:
            chunk = []
            for values in source:
                chunk.append(values)
                if len(chunk) == batch_size:
                    break
            if not chunk or (full_only and len(chunk) < batch_size):
                return
            features = collections.OrderedDict(zip(names, columns.arrays(chunk)))
            if label_name is None:
                yield features
            else:
                label = features.pop(label_name)
                yield features, label
    size = batch_size if full_only else None
    specs = collections.OrderedDict((n, TensorSpec((size,), d)) for n, d in zip(names, columns.dtypes))
    spec = specs if label_name is None else (specs, specs.pop(label_name))
    dataset = Dataset(batches, spec=spec, reads=True)
    return dataset.prefetch(AUTOTUNE if prefetch_buffer_size is None else prefetch_buffer_size)
