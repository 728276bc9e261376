"""``HashedCrossing``: a feature cross of two or more categorical inputs, hashed into
``num_bins`` bins exactly as TensorFlow's ``tf.sparse.cross_hashed`` (what Keras 3 calls):

    h = 0xDECAFCAFFE;  for each input's value v:  h = FingerprintCat64(h, f(v))
    bin = h % num_bins

with ``f(v)`` = FarmHash ``Fingerprint64`` of a string's bytes, or the integer itself (as an
unsigned 64-bit number), and ``FingerprintCat64`` TensorFlow's mixing of two fingerprints.
Nothing here is differentiable: the inputs are categories.
"""
from __future__ import annotations

import numpy as np

from .base import Layer

_MASK = (1 << 64) - 1
_MUL = 0xC6A4A7935BD1E995
_HASH_KEY = 0xDECAFCAFFE            # tf.sparse.cross_hashed's default hash_key


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """TensorFlow's ``FingerprintCat64``: two 64-bit fingerprints mixed into one."""
    result = fp1 ^ _MUL
    result ^= (_shift_mix((fp2 * _MUL) & _MASK) * _MUL) & _MASK
    result = (result * _MUL) & _MASK
    result = (_shift_mix(result) * _MUL) & _MASK
    return _shift_mix(result)


class HashedCrossing(Layer):
    """``HashedCrossing(num_bins, output_mode="int")``: called on a tuple of inputs of one shape
    (``()``, ``(batch,)`` or ``(batch, 1)``; integers or strings), each row's values crossed
    and hashed into ``0 .. num_bins - 1`` (int64), or one-hot (``output_mode="one_hot"``, float32).

    >>> import numpy as np, glassnet
    >>> layer = glassnet.layers.HashedCrossing(num_bins=5)
    >>> layer((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102]))).numpy()
    array([1, 4, 1, 1, 3])
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if output_mode not in ("int", "one_hot"):
            raise ValueError("Unknown value for `output_mode` argument of HashedCrossing. Allowed values are: "
                             f"('int', 'one_hot'). Received: output_mode={output_mode}")
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) or num_bins < 1:
            raise ValueError(f"HashedCrossing: num_bins must be a positive integer, got num_bins={num_bins!r}")
        if sparse:
            raise ValueError("HashedCrossing: sparse=True is not supported (glassnet's outputs are dense)")
        super().__init__(name=name, **kwargs)
        self.num_bins, self.output_mode, self.sparse = int(num_bins), output_mode, False
        self._out_dtype = np.dtype(dtype or ("int64" if output_mode == "int" else "float32"))

    takes_strings = True
    dtype_of_ids = True                     # its dtype is its bins' (int64): a model file may say so
    takes_list = True                       # in a functional model: one node reading its inputs (a FeatureSpace's crosses)
    differentiable_input = False            # categories: no gradient reaches them

    def output_dtype(self, input_dtypes, input_shapes=None):
        """Its symbolic output's dtype: int64 bins (or the dtype it was given), float32 one-hot rows."""
        return self._out_dtype

    def __call__(self, inputs, *args, **kwargs):
        """Eager inputs (arrays, lists, Tensors) are crossed here as they are (strings stay strings);
        a functional model's symbolic inputs make a node, as for any layer."""
        from ..engine import functional  # noqa: PLC0415
        if isinstance(inputs, (list, tuple)) and any(functional.is_symbolic(x) for x in inputs):
            return super().__call__(inputs, *args, **kwargs)
        from ..tf.tensor import wrap  # noqa: PLC0415
        return wrap(self.forward(inputs))

    def forward(self, inputs, training=False):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"`HashedCrossing` should be called on a list or tuple of inputs. Received: inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError(f"`HashedCrossing` should be called on at least two inputs. Received: inputs={inputs}")
        arrays = [np.asarray(getattr(x, "value", x)) for x in inputs]
        shape = arrays[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError("All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or "
                             f"`(batch_size, 1)`. Received: inputs={inputs}")
        if any(a.shape != shape for a in arrays[1:]):
            raise ValueError(f"All `HashedCrossing` inputs should have equal shape. Received: inputs={inputs}")
        if any(a.dtype.kind not in "iuOSU" for a in arrays):
            raise ValueError("All `HashedCrossing` inputs should have an integer or string dtype. "
                             f"Received: inputs={inputs}")
        from ..tf.strings import fingerprint64  # noqa: PLC0415 - FarmHash, as Hashing's bins
        columns = [[fingerprint64(v.encode("utf-8") if isinstance(v, str) else bytes(v)) if a.dtype.kind in "OSU"
                    else int(v) & _MASK for v in a.reshape(-1).tolist()] for a in arrays]
        bins = []
        for row in zip(*columns):
            h = _HASH_KEY
            for feature in row:
                h = fingerprint_cat64(h, feature)
            bins.append(h % self.num_bins)
        ids = np.array(bins, np.int64).reshape(shape)
        if self.output_mode == "int":
            return ids.astype(self._out_dtype)
        return np.eye(self.num_bins, dtype=self._out_dtype)[ids.reshape(shape[:1] if len(shape) == 2 else shape)]

    def compute_output_shape(self, input_shape):
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        return (first[:-1] if len(first) == 2 else first) + (self.num_bins,)

    def get_config(self):
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse,
                "name": self.name, "dtype": self._out_dtype.name}
