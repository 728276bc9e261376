"""``tf.io`` (``glassnet.io``): files as byte strings, images decoded and encoded, ``gfile``.

A string tensor here is a NumPy object array of Python ``bytes`` viewed as a ``Tensor``:
``read_file`` gives a 0-d one, which ``decode_jpeg`` and friends accept, as do plain
``bytes``. Images decode to uint8 ``Tensor`` s ``(height, width, channels)`` through Pillow
(see :mod:`glassnet.data.images` for what matches TensorFlow and how hostile files are
refused).

>>> import numpy as np, glassnet as tf
>>> png = tf.io.encode_png(np.zeros((2, 3, 3), np.uint8))     # what read_file("x.png") would give
>>> img = tf.io.decode_png(png, channels=3)
>>> img.dtype, img.shape
(tf.uint8, TensorShape([2, 3, 3]))
"""
from __future__ import annotations

import glob as _glob
import io as _io
import os
import shutil

import numpy as np

from . import errors
from .tensor import Tensor, sized_by_data

__all__ = ["decode_bmp", "decode_csv", "decode_raw", "decode_gif", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg",
           "encode_png", "gfile", "read_file", "write_file"]


def _scalar(value, what: str):
    """The one Python value of a string scalar (bytes, str, a 0-d array or Tensor)."""
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise ValueError(f"{what} must be a scalar string, got an array of shape {value.shape}")
        value = value.item()
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, (bytes, bytearray, str)):
        raise TypeError(f"{what} must be a string (bytes or str), got {type(value).__name__}")
    return value


def _path(value, who: str) -> str:
    p = _scalar(value, f"{who}: filename")
    return os.fsdecode(bytes(p)) if isinstance(p, (bytes, bytearray)) else p


def _contents(value, who: str) -> bytes:
    c = _scalar(value, f"{who}: contents")
    return c.encode("utf-8") if isinstance(c, str) else bytes(c)


def _string(data: bytes) -> Tensor:
    out = np.empty((), dtype=object)
    out[()] = data
    return out.view(Tensor)


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None) -> Tensor:
    """Each string's bytes read as numbers of ``out_type`` (``tf.io.decode_raw``): a new last axis
    of ``len(bytes) / itemsize`` entries, so every string must give as many (TensorFlow's rule);
    ``fixed_length`` cuts or zero-pads each string to that many bytes first.

    >>> import glassnet as tf
    >>> tf.io.decode_raw(tf.constant("Duck"), tf.uint8).numpy()
    array([ 68, 117,  99, 107], dtype=uint8)
    """
    from .tensor import bytes_array  # noqa: PLC0415
    dtype = np.dtype(getattr(out_type, "as_numpy_dtype", out_type))
    if dtype.kind not in "biufc":
        raise TypeError(f"decode_raw: out_type must be a number dtype, got {out_type!r}")
    dtype = dtype.newbyteorder("<" if little_endian else ">")
    strings = bytes_array(input_bytes, "decode_raw: input_bytes")
    flat = strings.reshape(-1).tolist()
    if fixed_length is not None:
        flat = [b[:int(fixed_length)].ljust(int(fixed_length), b"\0") for b in flat]
    for i, b in enumerate(flat):
        if len(b) % dtype.itemsize:
            raise errors.eager_op_error(errors.InvalidArgumentError, "DecodeRaw", f"Input to DecodeRaw has length "
                                        f"{len(b)} that is not a multiple of {dtype.itemsize}, the size of "
                                        f"{dtype.name}", name_suffix=True)
        if len(b) != len(flat[0]):
            raise errors.eager_op_error(errors.InvalidArgumentError, "DecodeRaw", f"DecodeRaw requires input "
                                        f"strings to all be the same size, but element {i} has size "
                                        f"{len(flat[0])} != {len(b)}", name_suffix=True)
    n = len(flat[0]) // dtype.itemsize if flat else 0
    values = np.frombuffer(b"".join(flat), dtype=dtype).astype(dtype.newbyteorder("="))
    return values.reshape(strings.shape + (n,)).view(Tensor)


def read_file(filename, name=None) -> Tensor:
    """The file's bytes as a 0-d string tensor (``tf.io.read_file``)."""
    path = _path(filename, "read_file")
    try:
        with open(path, "rb") as f:
            return _string(f.read())
    except OSError as e:
        raise OSError(e.errno, f"read_file: cannot read {path}: {e.strerror}") from e


def write_file(filename, contents, name=None) -> None:
    """``contents`` (bytes, or text as UTF-8) written to ``filename``, folders made; written to
    a temporary file then renamed, so a failed write leaves no half-written file."""
    import tempfile  # noqa: PLC0415

    path = _path(filename, "write_file")
    data = _contents(contents, "write_file")
    folder = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise OSError(e.errno, f"write_file: cannot write {path}: {e.strerror or e}; nothing was written") from e
    finally:
        if tmp is not None:
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _decode(contents, channels, who, formats, expand_animations=True, dtype=np.uint8):
    from ..data import images  # noqa: PLC0415 - Pillow only when an image is decoded

    if np.dtype(dtype) != np.uint8:
        raise ValueError(f"{who}: only dtype=uint8 is supported in glassnet, got {np.dtype(dtype)}")
    data = _contents(contents, who)
    out = images.decode(data, int(channels), "the image", who, expand_animations, formats).view(Tensor)
    if who == "decode_image" and expand_animations:     # a map's spec, as TF's: rank unknown, or height,
        return sized_by_data(out, (...,))              # width (and channels when not asked) unknown
    return sized_by_data(out, (0, 1) if int(channels) else (0, 1, 2))


_JPEG_PNG_GIF = ("JPEG", "PNG", "GIF")     # TensorFlow's decode_jpeg/png/gif ops read all three (not BMP)


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None) -> Tensor:
    """A JPEG's pixels: uint8 ``(h, w, channels)`` (``channels`` 0: as stored, 1 grey, 3 RGB).
    A PNG or a GIF's first frame is decoded too, as TensorFlow's op does (not a BMP).
    ``ratio``, ``dct_method`` and the recovery options are accepted and not used."""
    return _decode(contents, channels, "decode_jpeg", _JPEG_PNG_GIF, expand_animations=False)


def decode_png(contents, channels=0, dtype=np.uint8, name=None) -> Tensor:
    """A PNG's pixels: uint8 ``(h, w, channels)`` (0 as stored, 1, 3 or 4); a JPEG or a GIF's
    first frame too, as TensorFlow's op."""
    return _decode(contents, channels, "decode_png", _JPEG_PNG_GIF, expand_animations=False, dtype=dtype)


def decode_bmp(contents, channels=0, name=None) -> Tensor:
    """A BMP's pixels: uint8 ``(h, w, channels)``."""
    return _decode(contents, channels, "decode_bmp", ("BMP",))


def decode_gif(contents, name=None) -> Tensor:
    """A GIF's frames: uint8 ``(frames, h, w, 3)``; a JPEG or PNG as one frame, as TensorFlow's op."""
    frames = _decode(contents, 3, "decode_gif", _JPEG_PNG_GIF)
    return frames if frames.ndim == 4 else frames[None]


def decode_image(contents, channels=None, dtype=np.uint8, name=None, expand_animations=True) -> Tensor:
    """Any of JPEG, PNG, GIF, BMP, told apart by its bytes: ``(h, w, c)``, or
    ``(frames, h, w, 3)`` for a GIF unless ``expand_animations=False`` (its first frame)."""
    return _decode(contents, channels or 0, "decode_image", ("JPEG", "PNG", "GIF", "BMP"), expand_animations,
                   dtype)


def _encode(image, fmt, who, **options) -> Tensor:
    from ..data import images  # noqa: PLC0415

    a = np.asarray(image)
    if a.ndim != 3 or a.shape[-1] not in (1, 3, 4) or a.dtype != np.uint8:
        raise ValueError(f"{who}: image must be uint8 (height, width, 1, 3 or 4), got {a.dtype} {a.shape}")
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[a.shape[-1]]
    if fmt == "JPEG" and mode == "RGBA":
        raise ValueError(f"{who}: a JPEG has 1 or 3 channels, got 4")
    buffer = _io.BytesIO()
    images.pil().fromarray(a[..., 0] if mode == "L" else a, mode).save(buffer, format=fmt, **options)
    return _string(buffer.getvalue())


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False, chroma_downsampling=True,
                density_unit="in", x_density=300, y_density=300, xmp_metadata="", name=None) -> Tensor:
    """uint8 ``(h, w, 1 or 3)`` pixels as JPEG bytes (a 0-d string tensor)."""
    return _encode(image, "JPEG", "encode_jpeg", quality=int(quality), progressive=bool(progressive),
                   subsampling=-1 if chroma_downsampling else 0)


def encode_png(image, compression=-1, name=None) -> Tensor:
    """uint8 ``(h, w, 1, 3 or 4)`` pixels as PNG bytes (a 0-d string tensor)."""
    return _encode(image, "PNG", "encode_png", compress_level=6 if compression == -1 else int(compression))


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, na_value="", select_cols=None,
               name=None):
    """``tf.io.decode_csv``: see :func:`glassnet.data.csv.decode_csv`."""
    from ..data import csv  # noqa: PLC0415
    return csv.decode_csv(records, record_defaults, field_delim=field_delim, use_quote_delim=use_quote_delim,
                          na_value=na_value, select_cols=select_cols)


class _GFile:
    """``tf.io.gfile``: the file system under TensorFlow's names (local files only)."""

    @staticmethod
    def GFile(name, mode="r"):  # noqa: N802 - TensorFlow's name
        """An open file (``open``): ``with tf.io.gfile.GFile(path) as f: f.read()``."""
        return open(_path(name, "gfile.GFile"), mode)

    Open = GFile

    @staticmethod
    def exists(path) -> bool:
        return os.path.exists(_path(path, "gfile.exists"))

    @staticmethod
    def isdir(path) -> bool:
        return os.path.isdir(_path(path, "gfile.isdir"))

    @staticmethod
    def listdir(path) -> list:
        """The names in a folder (unsorted, as TensorFlow's)."""
        p = _path(path, "gfile.listdir")
        if not os.path.isdir(p):
            raise FileNotFoundError(f"gfile.listdir: {p!r} is not a directory")
        return os.listdir(p)

    @staticmethod
    def glob(pattern) -> list:
        """Paths matching ``pattern`` (``*``, ``?``, ``[...]``), sorted."""
        return sorted(_glob.glob(_path(pattern, "gfile.glob")))

    @staticmethod
    def makedirs(path) -> None:
        os.makedirs(_path(path, "gfile.makedirs"), exist_ok=True)

    @staticmethod
    def mkdir(path) -> None:
        os.mkdir(_path(path, "gfile.mkdir"))

    @staticmethod
    def remove(path) -> None:
        os.remove(_path(path, "gfile.remove"))

    @staticmethod
    def rmtree(path) -> None:
        shutil.rmtree(_path(path, "gfile.rmtree"))

    @staticmethod
    def rename(src, dst, overwrite=False) -> None:
        s, d = _path(src, "gfile.rename"), _path(dst, "gfile.rename")
        if not overwrite and os.path.exists(d):
            raise FileExistsError(f"gfile.rename: {d!r} exists and overwrite=False")
        os.replace(s, d)

    @staticmethod
    def copy(src, dst, overwrite=False) -> None:
        s, d = _path(src, "gfile.copy"), _path(dst, "gfile.copy")
        if not overwrite and os.path.exists(d):
            raise FileExistsError(f"gfile.copy: {d!r} exists and overwrite=False")
        shutil.copyfile(s, d)

    @staticmethod
    def walk(top, topdown=True, onerror=None):
        return os.walk(_path(top, "gfile.walk"), topdown=topdown, onerror=onerror)


gfile = _GFile()


# TFRecord files and tf.train.Example parsing: their modules load when first named here
_ELSEWHERE = {"TFRecordWriter": "..data.tfrecord", "TFRecordOptions": "..data.tfrecord",
              "FixedLenFeature": ".parsing", "FixedLenSequenceFeature": ".parsing", "VarLenFeature": ".parsing",
              "parse_example": ".parsing", "parse_single_example": ".parsing", "parse_tensor": ".parsing",
              "serialize_tensor": ".parsing"}


def __getattr__(name):
    if name not in _ELSEWHERE:
        raise AttributeError(f"module 'glassnet.io' has no attribute {name!r}")
    import importlib  # noqa: PLC0415
    return getattr(importlib.import_module(_ELSEWHERE[name], __package__), name)
