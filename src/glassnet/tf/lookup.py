"""``tf.lookup``: tables from keys to values, made once from an initializer and read with
``lookup``. ``StaticHashTable`` gives ``default_value`` for a key it lacks;
``StaticVocabularyTable`` gives such a key one of ``num_oov_buckets`` extra ids,
``size + Fingerprint64(str(key)) % num_oov_buckets`` (``tf.strings.to_hash_bucket_fast``), so
its ids match TensorFlow's. Keys are strings or integers, looked up with their table's dtype
(a tensor of another dtype is refused in TensorFlow's words; Python values are converted).

>>> import glassnet as tf
>>> init = tf.lookup.KeyValueTensorInitializer(["emerson", "lake"], tf.constant([0, 1], tf.int64))
>>> table = tf.lookup.StaticHashTable(init, default_value=-1)
>>> table.lookup(tf.constant(["lake", "palmer"])).numpy()
array([ 1, -1])
"""
from __future__ import annotations

import numpy as np

from .dtypes import as_dtype
from .errors import InvalidArgumentError
from .tensor import Tensor, convert_to_tensor, wrap

__all__ = ["KeyValueTensorInitializer", "StaticHashTable", "StaticVocabularyTable", "TextFileIndex",
           "TextFileInitializer", "experimental"]


class TextFileIndex:
    """Where a :class:`TextFileInitializer` takes keys or values: a column number, the whole line
    (``WHOLE_LINE``) or the line's number from 0 (``LINE_NUMBER``)."""

    WHOLE_LINE = -2
    LINE_NUMBER = -1


def _plain(x):
    """A Tensor's or array's items as Python keys: ``bytes`` for strings, ``int``/``float`` else."""
    arr = np.asarray(getattr(x, "value", x))
    if arr.dtype.kind in "OSU":
        return [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in arr.ravel().tolist()], arr.shape
    return arr.ravel().tolist(), arr.shape


class KeyValueTensorInitializer:
    """A table's contents from two 1-D tensors of the same length: ``keys`` and ``values``."""

    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None):
        keys = convert_to_tensor(keys, dtype=key_dtype)
        values = convert_to_tensor(values, dtype=value_dtype)
        if keys.ndim != 1:
            raise ValueError(f"KeyValueTensorInitializer: keys must be 1-D, got shape {list(keys.shape)}")
        if values.shape != keys.shape:
            raise InvalidArgumentError(None, None, f"Expected shape {list(keys.shape)} for value, got "
                                                   f"{list(values.shape)}")
        self.key_dtype, self.value_dtype = keys.dtype, values.dtype
        self._keys, self._values = keys, values

    def _pairs(self):
        return _plain(self._keys)[0], _plain(self._values)[0]


class TextFileInitializer:
    """A table's contents from a text file, one entry a line: the key and the value are each a
    column (split at ``delimiter``, a tab by default), the whole line, or the line number."""

    def __init__(self, filename, key_dtype, key_index, value_dtype, value_index, vocab_size=None, delimiter="\t",
                 name=None, value_index_offset=0):
        for what, index in (("key", key_index), ("value", value_index)):
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or index < -2:
                raise ValueError(f"Invalid {what} index {index}.")
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError(f"Invalid vocab_size {vocab_size}.")
        self.key_dtype, self.value_dtype = as_dtype(key_dtype), as_dtype(value_dtype)
        if key_index == TextFileIndex.LINE_NUMBER and self.key_dtype.name not in ("int64", "int32"):
            raise ValueError(f"TextFileInitializer: key_index is LINE_NUMBER, so key_dtype must be an integer type, "
                             f"got {self.key_dtype.name}")
        self._filename = str(getattr(filename, "numpy", lambda: filename)())
        if isinstance(filename, bytes):
            self._filename = filename.decode()
        self.key_index, self.value_index, self.vocab_size = key_index, value_index, vocab_size
        self.delimiter, self.value_index_offset = delimiter, value_index_offset

    def _field(self, line, columns, number, index, dtype, where):
        if index == TextFileIndex.WHOLE_LINE:
            text = line
        elif index == TextFileIndex.LINE_NUMBER:
            return number + (self.value_index_offset if dtype is self.value_dtype else 0)
        else:
            if index >= len(columns):
                raise InvalidArgumentError(None, None, f"Invalid number of columns in {where} line {number} "
                                                       f"({line!r}) for lookup: needs column {index}, has "
                                                       f"{len(columns)}")
            text = columns[index]
        if dtype.name == "string":
            return text.encode("utf-8")
        try:
            return int(text) if np.dtype(dtype.name).kind in "iu" else float(text)
        except ValueError:
            raise InvalidArgumentError(None, None, f"Field {text!r} in {where} line {number} is not a valid "
                                                   f"{dtype.name}") from None

    def _pairs(self):
        with open(self._filename, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if self.vocab_size is not None:
            if len(lines) < self.vocab_size:
                raise InvalidArgumentError(None, None, f"Invalid vocab_size in {self._filename}: expected "
                                                       f"{self.vocab_size} but got {len(lines)}")
            lines = lines[:self.vocab_size]
        keys, values = [], []
        for number, line in enumerate(lines):
            line = line.rstrip("\r")
            columns = line.split(self.delimiter)
            keys.append(self._field(line, columns, number, self.key_index, self.key_dtype, self._filename))
            values.append(self._field(line, columns, number, self.value_index, self.value_dtype, self._filename))
        return keys, values


def _array(items, dtype):
    if dtype.name == "string":
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out
    return np.array(items, dtype=np.dtype(dtype.name))


class StaticHashTable:
    """An immutable table: ``lookup(keys)`` gives each key's value, ``default_value`` where there
    is none (same shape as ``keys``; a SparseTensor's values looked up in place)."""

    def __init__(self, initializer, default_value, name=None, experimental_is_anonymous=False):
        keys, values = initializer._pairs()
        self.key_dtype, self.value_dtype = initializer.key_dtype, initializer.value_dtype
        self._table = {}
        for k, v in zip(keys, values):
            self._table.setdefault(k, v)            # a key met twice keeps its first value
        self.default_value = wrap(_array([_plain(default_value)[0][0]], self.value_dtype)[0:1].reshape(()))
        self.name = name

    def _keys(self, keys):
        """The keys as Python values, and their shape; a tensor of another dtype is refused."""
        dtype = getattr(keys, "dtype", None)
        if dtype is not None and not isinstance(keys, (list, tuple)):
            if as_dtype(dtype) != self.key_dtype:
                raise TypeError(f"Dtype of argument `keys` must be {self.key_dtype}, received: {as_dtype(dtype)}")
        elif self.key_dtype.name != "string":
            keys = np.asarray(keys, dtype=np.dtype(self.key_dtype.name))
        return _plain(keys)

    def _find(self, keys):
        sparse = type(keys).__name__ == "SparseTensor"
        items, shape = self._keys(keys.values if sparse else keys)
        return items, shape, sparse

    def _result(self, keys, values, shape, sparse):
        out = wrap(_array(values, self.value_dtype).reshape(shape))
        if sparse:
            from .sparse import SparseTensor  # noqa: PLC0415
            return SparseTensor(keys.indices, out, keys.dense_shape)
        return out

    def lookup(self, keys, name=None):
        """Each key's value (``default_value`` for a key not in the table)."""
        items, shape, sparse = self._find(keys)
        default = self.default_value.numpy().item()
        default = default if not isinstance(default, str) else default.encode()
        return self._result(keys, [self._table.get(k, default) for k in items], shape, sparse)

    __getitem__ = lookup

    def size(self, name=None) -> Tensor:
        """The number of entries (an int64 scalar)."""
        return wrap(np.int64(len(self._table)))

    def export(self, name=None):
        """``(keys, values)``: every entry, as two 1-D tensors."""
        return (wrap(_array(list(self._table), self.key_dtype)), wrap(_array(list(self._table.values()),
                                                                             self.value_dtype)))


class StaticVocabularyTable:
    """A vocabulary (key -> int64 id) that gives every key not in it one of ``num_oov_buckets``
    further ids: ``vocab_size + Fingerprint64(key as text) % num_oov_buckets``, as TensorFlow."""

    def __init__(self, initializer, num_oov_buckets, lookup_key_dtype=None, name=None,
                 experimental_is_anonymous=False):
        if num_oov_buckets <= 0:
            raise ValueError("`num_oov_buckets` must be > 0; use StaticHashTable.")
        self.num_oov_buckets = int(num_oov_buckets)
        if initializer is not None:
            if initializer.key_dtype.name not in ("int64", "string"):
                raise TypeError(f"Invalid `key_dtype`, expected one of (tf.int64, tf.string), but got "
                                f"{initializer.key_dtype}.")
            if initializer.value_dtype.name != "int64":
                raise TypeError(f"Invalid `value_dtype`, expected <dtype: 'int64'> but got {initializer.value_dtype}.")
            self._table = StaticHashTable(initializer, -1)
            self.key_dtype = as_dtype(lookup_key_dtype) if lookup_key_dtype is not None else initializer.key_dtype
        else:
            self._table = None
            self.key_dtype = as_dtype(lookup_key_dtype or "string")
        self.value_dtype = as_dtype("int64")
        self.name = name

    def lookup(self, keys, name=None):
        """Each key's id; a key not in the vocabulary gets ``size + its hash bucket``."""
        from .strings import hash_buckets  # noqa: PLC0415 - Fingerprint64, as to_hash_bucket_fast
        sparse = type(keys).__name__ == "SparseTensor"
        dtype = getattr(keys.values if sparse else keys, "dtype", None)
        if dtype is not None and not isinstance(keys, (list, tuple)) and as_dtype(dtype) != self.key_dtype:
            raise TypeError(f"Dtype of argument `keys` must be {self.key_dtype}, received: {as_dtype(dtype)}")
        if dtype is None or isinstance(keys, (list, tuple)):
            keys = convert_to_tensor(keys, dtype=None if self.key_dtype.name == "string" else self.key_dtype.name)
        items, shape = _plain(keys.values if sparse else keys)
        texts = [k if isinstance(k, bytes) else str(k).encode() for k in items]
        buckets = hash_buckets(texts, self.num_oov_buckets)
        size = len(self._table._table) if self._table is not None else 0
        table = self._table._table if self._table is not None else {}
        ids = [table[k] if k in table else size + b for k, b in zip(items, buckets)]
        out = wrap(np.array(ids, np.int64).reshape(shape))
        if sparse:
            from .sparse import SparseTensor  # noqa: PLC0415
            return SparseTensor(keys.indices, out, keys.dense_shape)
        return out

    __getitem__ = lookup

    def size(self, name=None) -> Tensor:
        """The vocabulary's size plus ``num_oov_buckets`` (an int64 scalar)."""
        return wrap(np.int64((len(self._table._table) if self._table is not None else 0) + self.num_oov_buckets))


class experimental:  # noqa: N801 - tf.lookup.experimental's namespace
    """``tf.lookup.experimental``: the same static tables under their older paths."""

    StaticHashTable = StaticHashTable
    StaticVocabularyTable = StaticVocabularyTable
