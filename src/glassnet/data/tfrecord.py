"""TFRecord files: ``tf.io.TFRecordWriter``, ``tf.data.TFRecordDataset`` and
``tf.data.experimental.TFRecordWriter``.

A TFRecord file is records one after another, each framed as TensorFlow's
``record_writer.cc`` frames it:

    uint64  length              (little-endian)
    uint32  masked CRC-32C of the 8 length bytes
    bytes   data[length]
    uint32  masked CRC-32C of the data

CRC-32C is the Castagnoli polynomial (0x82F63B78, reflected); "masked" is
``((crc >> 15) | (crc << 17)) + 0xa282ead8`` modulo 2**32. With ``compression_type``
``"GZIP"`` or ``"ZLIB"`` the whole file is that stream. Reading checks both CRCs: a
damaged record is a ``DataLossError`` naming the file and the offset, as TensorFlow's
``corrupted record at 12``. A file cut off inside a record is one too (TensorFlow stops
there without a word; losing the rest of a file silently is not something to copy).

Writing never leaves a half-written file: records go to a temporary file beside the target,
which replaces it when the writer is closed (``with`` ends, ``close()``, or the writer is
dropped); if the ``with`` block raises, the temporary file is removed and the target is as
it was.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "r.tfrecord")
>>> with TFRecordWriter(path) as writer:
...     writer.write(b"first")
...     writer.write(b"second")
>>> [r.numpy() for r in TFRecordDataset(path)]
[b'first', b'second']
"""
from __future__ import annotations

import gzip
import os
import struct
import zlib

import numpy as np

from ..tf.errors import DataLossError
from .combine import interleave_runs
from .dataset import Dataset
from .structure import TensorSpec
from .text_line import check_compression, file_names, open_binary

__all__ = ["TFRecordDataset", "TFRecordOptions", "TFRecordWriter", "crc32c", "masked_crc"]


def _crc_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of ``data``: a byte at a time through a 256-entry table."""
    crc, table = 0xFFFFFFFF, _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    """TensorFlow's masked CRC-32C: rotated right by 15 bits, plus a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame(record: bytes) -> bytes:
    """One record as it stands in the file."""
    length = struct.pack("<Q", len(record))
    return length + struct.pack("<I", masked_crc(length)) + record + struct.pack("<I", masked_crc(record))


class TFRecordOptions:
    """``compression_type`` (``""``, ``"GZIP"`` or ``"ZLIB"``) and ``compression_level`` (0-9)."""

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None, output_buffer_size=None,
                 window_bits=None, compression_level=None, compression_method=None, mem_level=None,
                 compression_strategy=None):
        self.compression_type = check_compression(compression_type, "TFRecordOptions") or ""
        if compression_level is not None and not (isinstance(compression_level, int) and 0 <= compression_level <= 9):
            raise ValueError(f"TFRecordOptions: compression_level must be an integer 0-9, got {compression_level!r}")
        self.compression_level = compression_level


def _options(options, who) -> TFRecordOptions:
    if options is None or isinstance(options, (str, bytes)):
        return TFRecordOptions(options)
    if isinstance(options, TFRecordOptions):
        return options
    raise TypeError(f"{who}: options must be a compression type ('', 'GZIP', 'ZLIB') or a TFRecordOptions, "
                    f"got {type(options).__name__}")


class TFRecordWriter:
    """Writes records (bytes, or a serialized ``tf.train.Example``) to a TFRecord file at
    ``path``, which appears, whole, when the writer is closed."""

    def __init__(self, path, options=None):
        self.path = os.fspath(path.numpy() if hasattr(path, "numpy") else path)
        if isinstance(self.path, bytes):
            self.path = self.path.decode("utf-8")
        self.options = _options(options, "TFRecordWriter")
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"TFRecordWriter: the folder {folder} does not exist (for {self.path})")
        from ..saving.atomic import AtomicWriter  # noqa: PLC0415 - the saving package, only when writing
        self._raw = AtomicWriter(self.path)        # the file appears, whole, on close
        level = 6 if self.options.compression_level is None else self.options.compression_level
        kind = self.options.compression_type
        self._zlib = zlib.compressobj(level) if kind == "ZLIB" else None
        self._out = gzip.GzipFile(fileobj=self._raw, mode="wb", compresslevel=level, mtime=0) if kind == "GZIP" \
            else self._raw

    def write(self, record) -> None:
        """Append one record: bytes, a 0-d string tensor, or a protocol message."""
        if self._raw is None:
            raise ValueError("TFRecordWriter: the writer is closed")
        if hasattr(record, "SerializeToString"):
            record = record.SerializeToString()
        elif isinstance(record, np.ndarray):
            if record.ndim != 0:
                raise ValueError(f"TFRecordWriter.write: record must be a scalar string, got shape {record.shape}")
            record = record.view(np.ndarray)[()]
        if isinstance(record, str):
            record = record.encode("utf-8")
        if not isinstance(record, (bytes, bytearray)):
            raise TypeError(f"TFRecordWriter.write: record must be bytes, got {type(record).__name__}")
        data = frame(bytes(record))
        self._out.write(self._zlib.compress(data) if self._zlib else data)

    def flush(self) -> None:
        if self._raw is not None:
            self._out.flush()

    def close(self) -> None:
        """Finish the file and put it in place (an existing file of that name is replaced)."""
        if self._raw is None:
            return
        raw, self._raw = self._raw, None
        try:
            if self._zlib is not None:
                raw.write(self._zlib.flush())
            if self._out is not raw:
                self._out.close()            # the gzip trailer
        except BaseException:
            raw.discard()
            raise
        raw.commit()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.close()
        elif self._raw is not None:          # the block failed: the target stays as it was
            self._raw.discard()
            self._raw = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - at interpreter exit the folder may already be gone
            pass


def _read_exact(f, n, path, offset, what):
    data = f.read(n)
    if len(data) != n:
        raise DataLossError(None, None, f"truncated record at {offset} in {path} ({what}: {len(data)} of {n} bytes)")
    return data


def records(path, compression_type, who="TFRecordDataset"):
    """Each record's bytes in the file at ``path``, checked against its CRCs."""
    with open_binary(path, compression_type, None, who) as f:
        offset = 0
        try:
            while True:
                head = f.read(12)
                if not head:
                    return
                if len(head) < 12:
                    raise DataLossError(None, None, f"truncated record at {offset} in {path}")
                length_bytes, crc = head[:8], struct.unpack("<I", head[8:])[0]
                if masked_crc(length_bytes) != crc:
                    raise DataLossError(None, None, f"corrupted record at {offset} in {path} (its length's "
                                                    f"checksum does not match)")
                length = struct.unpack("<Q", length_bytes)[0]
                data = _read_exact(f, length, path, offset, "data")
                tail = _read_exact(f, 4, path, offset, "checksum")
                if masked_crc(data) != struct.unpack("<I", tail)[0]:         # TensorFlow names the data's offset
                    raise DataLossError(None, None, f"corrupted record at {offset + 12} in {path} (its data's "
                                                    f"checksum does not match)")
                yield data
                offset += 16 + length
        except (OSError, EOFError, zlib.error) as error:
            if isinstance(error, DataLossError):
                raise
            raise DataLossError(None, None, f"{who}: {path} could not be decompressed as {compression_type}: "
                                            f"{error}") from None


class TFRecordDataset(Dataset):
    """The records of ``filenames`` (one name, a list, or a Dataset of names), each a
    ``bytes`` scalar; ``num_parallel_reads`` files read at once, a record from each in turn."""
    _kind = "TFRecordDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None):
        who = "TFRecordDataset"
        compression_type = check_compression(compression_type, who)
        names = file_names(filenames, who)

        def of(path):
            return lambda: (np.array(r, dtype=object) for r in records(path, compression_type, who))
        cycle = 1 if num_parallel_reads in (None, 0, 1) else int(num_parallel_reads)
        if cycle < 1:
            cycle = os.cpu_count() or 1
        super().__init__(lambda: interleave_runs((of(p) for p in names()), cycle, 1), spec=TensorSpec((), object),
                         reads=True)


class DatasetWriter:
    """``tf.data.experimental.TFRecordWriter(filename, compression_type=None)``: ``write(dataset)``
    writes each of a dataset's string scalars as a record."""

    def __init__(self, filename, compression_type=None, name=None):
        self.filename, self.compression_type = filename, compression_type

    def write(self, dataset) -> None:
        if not isinstance(dataset, Dataset):
            raise TypeError(f"TFRecordWriter.write: dataset must be a tf.data.Dataset of string scalars, got "
                            f"{type(dataset).__name__}")
        with TFRecordWriter(self.filename, self.compression_type) as writer:
            for i, element in enumerate(dataset):
                if not isinstance(element, np.ndarray) or element.ndim != 0 or element.dtype != object:
                    raise TypeError(f"TFRecordWriter.write: element {i} of the dataset is not a string scalar")
                writer.write(element)
