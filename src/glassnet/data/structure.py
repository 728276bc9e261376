"""What a ``glassnet.data`` element is made of: nested tuples and dicts of arrays, and how
values become those arrays, TensorFlow's way.

Inside a pipeline every leaf is a plain ``ndarray`` (0-d for a scalar); what the learner's
code sees (``for x in ds``, ``next(iter(ds))``, a ``map`` function's arguments) is the same
arrays viewed as :class:`glassnet.Tensor`, so ``.numpy()`` works as in TensorFlow, and
``fit`` reads the plain arrays, as fast as before. Strings are TensorFlow's: NumPy object
arrays of Python ``bytes`` (UTF-8), so ``str`` and ``'U'`` data, pandas text columns
included, are encoded on the way in.

>>> as_array(["a", "é"]).tolist(), as_array([1.5]).dtype, as_array([1]).dtype
([b'a', b'\\xc3\\xa9'], dtype('float32'), dtype('int32'))
"""
from __future__ import annotations

import numpy as np

from ..tf.tensor import Tensor, TensorShape
from .composite import is_composite

__all__ = ["DatasetSpec", "TensorSpec", "as_array", "as_element", "as_input", "dtype_name", "leaves", "numpy_leaf",
           "spec_of", "structure", "tensors"]


def structure(fn, *elements):
    """``fn`` applied leaf by leaf over elements of the same structure (tuple, dict, leaf);
    a dict keeps its type (make_csv_dataset's ``OrderedDict``)."""
    first = elements[0]
    if isinstance(first, tuple):
        return tuple(structure(fn, *parts) for parts in zip(*elements))
    if isinstance(first, dict):
        return type(first)((k, structure(fn, *(e[k] for e in elements))) for k in first)
    return fn(*elements)


def leaves(element) -> list:
    """The arrays of an element, in order."""
    out = []
    structure(out.append, element)
    return out


def tensors(element):
    """The element as the learner sees it: each leaf a ``glassnet.Tensor`` (no copy)."""
    return structure(lambda a: a if getattr(a, "_is_dataset", False) or is_composite(a)
                     else np.asarray(a).view(Tensor), element)


def numpy_leaf(a):
    """``as_numpy_iterator``'s leaf: a plain array, or for 0-d a NumPy scalar (``bytes`` for
    a string), as TensorFlow gives; a RaggedTensor's ``numpy()``, a SparseTensor's dense array."""
    if is_composite(a):
        from .composite import numpy_leaf as composite_leaf  # noqa: PLC0415
        return composite_leaf(a)
    a = np.asarray(a)
    return a.view(np.ndarray)[()] if a.ndim == 0 else a.view(np.ndarray)


def _bytes(item, what):
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8")
    raise TypeError(f"{what}: a text array holds {type(item).__name__} {item!r}; TensorFlow's strings are all "
                    "str or bytes (fill missing text first, e.g. pandas' fillna(''))")


def _text(a: np.ndarray, what) -> np.ndarray:
    """A 'U', 'S' or object array as TensorFlow's strings: an object array of bytes."""
    out = np.empty(a.shape, dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(a.reshape(-1).tolist()):
        flat[i] = _bytes(item, what)
    return out


def as_array(value, what="value") -> np.ndarray:
    """``value`` as a pipeline leaf (a plain ndarray), as ``tf.convert_to_tensor`` reads it:
    NumPy arrays and pandas columns keep their dtype, Python floats become float32 and ints
    int32 (int64 when too large), text becomes an object array of UTF-8 ``bytes``; a
    RaggedTensor or SparseTensor stays one (``data/composite.py``)."""
    if is_composite(value):
        return value
    if isinstance(value, np.ndarray):
        a = value.view(np.ndarray) if type(value) is not np.ndarray else value
    elif isinstance(value, np.generic):
        a = np.asarray(value)
    elif hasattr(value, "to_numpy") and not isinstance(value, (list, tuple, dict)):   # pandas
        a = np.asarray(value.to_numpy())
    elif isinstance(value, (str, bytes)):
        return np.array(_bytes(value, what), dtype=object)
    else:                                                # Python numbers, nested lists
        a = np.asarray(value)
        if a.dtype == np.float64:
            a = a.astype(np.float32)
        elif a.dtype == np.int64 and (a.size == 0 or (a.min() >= -2 ** 31 and a.max() < 2 ** 31)):
            a = a.astype(np.int32)
    if a.dtype.kind in "USO":
        a = _text(a, what)
    return a


def as_element(value, what="value"):
    """What a source or a ``map`` function gave, as an element: tuples and lists become
    tuples, dicts stay dicts, anything else one leaf."""
    if isinstance(value, (tuple, list)) and not isinstance(value, np.ndarray):
        return tuple(as_element(v, what) for v in value)
    if isinstance(value, dict):
        return type(value)((k, as_element(v, what)) for k, v in value.items())
    return as_array(value, what)


def as_input(value, what="value"):
    """``from_tensor_slices``' and ``from_tensors``' argument: tuples and dicts are structure,
    anything else (a list included) is one array, as tf.data reads them."""
    if isinstance(value, tuple):
        return tuple(as_input(v, what) for v in value)
    if isinstance(value, dict):
        return type(value)((k, as_input(v, what)) for k, v in value.items())
    return as_array(value, what)


def dtype_name(dtype) -> str:
    """TensorFlow's name for a dtype (``string`` for text)."""
    dtype = np.dtype(dtype)
    return "string" if dtype == object else dtype.name


class TensorSpec:
    """The shape and dtype of one leaf of every element, as ``tf.TensorSpec`` (``None`` in
    a shape: it varies, e.g. the batch dimension of a last, smaller batch)."""

    def __init__(self, shape, dtype=np.float32, name=None):
        unknown = shape is None or getattr(shape, "rank", 0) is None               # unknown rank, as TF's
        self.shape = TensorShape(None if unknown else tuple(shape))
        self.dtype = np.dtype(dtype)
        self.name = name

    def __eq__(self, other):
        return isinstance(other, TensorSpec) and (self.shape, self.dtype) == (other.shape, other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self):
        shape = "<unknown>" if self.shape.rank is None else tuple(self.shape)
        return f"TensorSpec(shape={shape}, dtype=tf.{dtype_name(self.dtype)}, name={self.name!r})"


class DatasetSpec:
    """The spec of an element that is itself a dataset (``Dataset.window``'s), printed as
    TensorFlow prints it."""

    def __init__(self, element_spec):
        self.element_spec = element_spec

    def __eq__(self, other):
        return isinstance(other, DatasetSpec) and self.element_spec == other.element_spec

    def __hash__(self):
        return hash(("DatasetSpec", repr(self.element_spec)))

    def __repr__(self):
        return f"DatasetSpec({self.element_spec!r}, TensorShape([]))"


def spec_of(element):
    """The element's structure with each leaf replaced by its :class:`TensorSpec` (a
    :class:`DatasetSpec` for a dataset)."""
    from .composite import spec_of_leaf  # noqa: PLC0415
    return structure(lambda a: DatasetSpec(a.element_spec) if getattr(a, "_is_dataset", False)
                     else spec_of_leaf(a) if is_composite(a) else TensorSpec(np.shape(a), np.asarray(a).dtype),
                     element)
