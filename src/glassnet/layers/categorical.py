"""Categorical preprocessing: ids to one-hot rows or counts (``CategoryEncoding``), any value to a
hash bin (``Hashing``), numbers to bins (``Discretization``); and what every preprocessing layer
shares (``_Preprocessing``: inputs kept as given, no weights to train, no input gradient).

Their numbers come from arguments or from ``adapt``, never from gradients, so they belong at the
start of a model (or in ``dataset.map``). The outputs Keras's ``encode_categorical_inputs`` gives::

    one_hot     Y[n, k] = 1 if X[n] == k                      (one id per sample)
    multi_hot   Y[n, k] = 1 if k occurs in X[n, :]
    count       Y[n, k] = how often k occurs in X[n, :]
    tf_idf      count times k's idf weight (lookup layers, layers/lookup.py)

>>> import numpy as np, glassnet
>>> glassnet.layers.CategoryEncoding(num_tokens=4, output_mode="multi_hot")(np.array([[0, 3], [1, 1]]))
<tf.Tensor: shape=(2, 4), dtype=float32, numpy=
array([[1., 0., 0., 1.],
       [0., 1., 0., 0.]], dtype=float32)>
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..engine import functional
from ..tf import strings
from ..tf.tensor import wrap
from .base import Layer

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_OLD_MODES = {"binary": "multi_hot", "tf-idf": "tf_idf"}      # Keras still takes the old names


class _Preprocessing(Layer):
    """What these layers share: inputs kept as they are (strings stay strings), no weights to
    train, no gradient for their input."""

    differentiable_input = False        # words and ids are chosen, not computed

    def __call__(self, x, training=None):
        if functional.is_symbolic(x):
            return super().__call__(x, training)
        if isinstance(x, strings.RaggedList):     # rows of different lengths (unicode_split): row by row, as TF
            return strings.RaggedList(self(row, training) for row in x)
        from ..tf.ragged import RaggedTensor  # noqa: PLC0415 - TextVectorization(ragged=True)'s rows
        if isinstance(x, RaggedTensor):           # its values looked up, its rows kept, as TensorFlow
            return x.with_flat_values(self(x.flat_values, training))
        x = self._inputs(x, "inputs")
        if not self.built:
            self.build_from_shape((None,) + x.shape[1:])
        out = self._called_output(self.forward(x, training=False))
        return out if isinstance(out, RaggedTensor) else wrap(out)

    def _called_output(self, out):
        """The output of a call on data (not inside a model): as ``forward`` gives it."""
        return out

    def _inputs(self, x, name):
        arr = np.asarray(x)
        if arr.dtype.kind not in "iufb":
            raise ValueError(f"{type(self).__name__} {self.name!r}: {name} must be numbers, got dtype {arr.dtype}")
        return arr

    def backward(self, grad, need_input_grad=True):
        if need_input_grad:
            raise ValueError(f"{type(self).__name__} {self.name!r} has no gradient with respect to its input "
                             "(words, ids and bins are not differentiable): put it first in the model, or "
                             "apply it to the data before training (dataset.map(layer))")
        return None                           # nothing to train

    def count_params_for(self, input_shape) -> int:
        return 0

    def output_dtype(self, input_dtype, input_shape=None):
        """The dtype of its symbolic output (Keras's): ids int64, encodings floatx, inverted
        ids text."""
        if getattr(self, "invert", False):
            return np.dtype(np.str_)
        return np.dtype(np.int64) if getattr(self, "output_mode", "int") == "int" else np.dtype(config.floatx())

    def needs_flat_samples(self):
        return False

    def _check_mode(self, output_mode, allowed):
        if output_mode not in allowed:
            raise ValueError(f"{type(self).__name__}: output_mode must be one of {', '.join(map(repr, allowed))}; "
                             f"got output_mode={output_mode!r}")
        return output_mode


def _encode(indices, depth, mode, idf=None, who="layer"):
    """Ids as Keras's categorical outputs: one_hot (one id per sample), multi_hot (1 where an id
    occurs in the sample), count (how often), tf_idf (count times the id's idf weight). For the
    last three, each row of a 2-D ``indices`` is a sample; a 1-D one is a single sample."""
    ids = np.asarray(indices, np.int64)
    if mode == "int":
        return ids
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        bad = ids[(ids < 0) | (ids >= depth)][0]
        raise ValueError(f"{who}: ids must be in 0..{depth - 1} (num_tokens={depth}); got {int(bad)}")
    if mode == "one_hot":
        if ids.ndim >= 2 and ids.shape[-1] == 1:
            ids = ids[..., 0]
        return np.eye(depth, dtype=config.floatx())[ids]
    if ids.ndim <= 1:              # Keras: a 1-D input is one sample's ids, encoded as one row (depth,)
        return _encode(ids.reshape(1, -1), depth, mode, idf, who)[0]
    rows = ids.reshape(ids.shape[0], -1)
    counts = np.zeros((rows.shape[0], depth), config.floatx())
    np.add.at(counts, (np.repeat(np.arange(rows.shape[0]), rows.shape[1]), rows.reshape(-1)), 1)
    if mode == "multi_hot":
        return (counts > 0).astype(config.floatx())
    if mode == "tf_idf":
        return (counts * np.asarray(idf, config.floatx())).astype(config.floatx())
    return counts


def _batches(data, who, steps=None):
    """The arrays in ``data``: itself, or each element of a Dataset (an (x, y) pair: its x), or
    each array of a list of batches; ``steps``: only the first ones (Keras's adapt argument)."""
    from ..data.dataset import Dataset  # noqa: PLC0415 - data imports numpy only, but loads lazily
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1):
        raise ValueError(f"{who}: steps must be a positive integer or None, got steps={steps!r}")
    if isinstance(data, Dataset):
        for item in (data if steps is None else data.take(int(steps))):
            yield item[0] if isinstance(item, tuple) else item
        return
    if isinstance(data, (list, tuple)) and data and all(isinstance(d, np.ndarray) and d.ndim > 0 for d in data):
        yield from (data if steps is None else data[:int(steps)])           # a list of batches
        return
    if steps is not None:
        raise ValueError(f"{who}: steps is for a Dataset or a list of batches, not for one array (as Keras)")
    yield data


class CategoryEncoding(_Preprocessing):
    """``CategoryEncoding(num_tokens, output_mode)``: integer ids in ``0..num_tokens-1`` as
    one_hot (one id per sample), multi_hot (default: 1 where an id occurs) or count rows.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.CategoryEncoding(4, output_mode="count")(np.array([[0, 3, 3]]))
    <tf.Tensor: shape=(1, 4), dtype=float32, numpy=array([[1., 0., 0., 2.]], dtype=float32)>
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(num_tokens, bool) or not isinstance(num_tokens, (int, np.integer)) or num_tokens < 1:
            raise ValueError(f"CategoryEncoding: num_tokens must be a positive integer, got num_tokens={num_tokens!r}")
        self.num_tokens = int(num_tokens)
        self.output_mode = self._check_mode(output_mode, ("one_hot", "multi_hot", "count"))
        if sparse:
            raise ValueError("CategoryEncoding: sparse=True is not supported (glassnet has no sparse tensors)")

    def _inputs(self, x, name):
        arr = super()._inputs(x, name)
        if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
            raise ValueError(f"CategoryEncoding {self.name!r}: {name} must be whole numbers (ids)")
        return arr.astype(np.int64)

    def forward(self, x, training=False):
        return _encode(x, self.num_tokens, self.output_mode, who=f"CategoryEncoding {self.name!r}")

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot" and not (len(input_shape) > 1 and input_shape[-1] == 1):
            return input_shape + (self.num_tokens,)
        return (input_shape[0], self.num_tokens)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode,
                "sparse": False}


class Hashing(_Preprocessing):
    """``Hashing(num_bins)``: each value to ``Fingerprint64(str(value)) % num_bins``, FarmHash's
    fingerprint as TensorFlow's ``to_hash_bucket_fast`` computes it (``glassnet.strings``), so the
    bins are Keras's; integers are hashed through their decimal text, as Keras does. With
    ``mask_value``, that value goes to bin 0 and the others to ``1..num_bins-1``. With a ``salt``
    (an int ``s``, taken as the key ``[s, s]``, or two ints), the hash is SipHash-2-4 keyed by it,
    as TensorFlow's ``to_hash_bucket_strong``.

    >>> import numpy as np, glassnet
    >>> print(glassnet.layers.Hashing(num_bins=3)(np.array([["A"], ["B"], ["C"]])))
    tf.Tensor(
    [[1]
     [0]
     [1]], shape=(3, 1), dtype=int64)
    """

    takes_strings = True

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) or num_bins < 1:
            raise ValueError(f"Hashing: num_bins must be a positive integer, got num_bins={num_bins!r}")
        if salt is not None:
            salt = [salt, salt] if isinstance(salt, (int, np.integer)) and not isinstance(salt, bool) else salt
            salt = list(strings._strong_key(salt, "Hashing: salt"))       # (refused unless two int64s)
            salt = [v - 2 ** 64 if v >= 2 ** 63 else v for v in salt]
        if sparse:
            raise ValueError("Hashing: sparse=True is not supported (glassnet has no sparse tensors)")
        if mask_value is not None and num_bins < 2:
            raise ValueError("Hashing: with a mask_value, num_bins must be at least 2 (bin 0 is the mask's)")
        self.num_bins, self.mask_value, self.salt = int(num_bins), mask_value, salt
        self.output_mode = self._check_mode(output_mode, ("int", "one_hot", "multi_hot", "count"))

    def _inputs(self, x, name):
        arr = np.asarray(x)
        if arr.dtype.kind == "f":
            raise ValueError(f"Hashing {self.name!r}: {name} must be strings or integers, got dtype {arr.dtype}")
        # strings of any kind (str, bytes, a string tensor): the bytes TensorFlow hashes, undecoded
        return arr if arr.dtype.kind in "iub" else strings.raw_array(arr, f"Hashing {self.name!r}: {name}")

    def forward(self, x, training=False):
        x = np.asarray(x)
        if x.dtype.kind in "iub":                                          # Keras: tf.as_string(ints)
            items = [str(v).encode() for v in x.astype(np.int64).reshape(-1).tolist()]
            mask = self.mask_value
        else:
            items = strings.raw_array(x).reshape(-1).tolist()
            mask = self.mask_value.encode("utf-8") if isinstance(self.mask_value, str) else self.mask_value
        if self.mask_value is None:
            ids = np.array(self._buckets(items, self.num_bins), np.int64).reshape(x.shape)
        else:                                  # the mask to 0, everything else to 1 + hash % (num_bins - 1)
            ids = np.array(self._buckets(items, self.num_bins - 1), np.int64).reshape(x.shape) + 1
            ids[np.array([v == mask for v in (items if x.dtype.kind == "O" else x.reshape(-1).tolist())],
                         bool).reshape(x.shape)] = 0
        return _encode(ids, self.num_bins, self.output_mode)

    def _buckets(self, items, n):
        if self.salt is None:
            return strings.hash_buckets(items, n)
        key = tuple(v & (2 ** 64 - 1) for v in self.salt)
        return [strings.siphash24(key, b) % n for b in items]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) if self.output_mode == "int" else (input_shape[0], self.num_bins)

    dtype_of_ids = True         # Keras writes its dtype as its bins' (int64 for output_mode="int")

    def get_config(self):
        cfg = super().get_config()
        if self.output_mode == "int":           # Keras's Hashing refuses a float dtype with int outputs
            cfg["dtype"] = {**cfg["dtype"], "config": {"name": "int64"}}
        return {**cfg, "num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                "output_mode": self.output_mode, "sparse": False}


class Discretization(_Preprocessing):
    """``Discretization``: each value to the index of its bin, ``numpy.digitize(x, bin_boundaries)``
    (a value on a boundary goes to the bin above). ``num_bins`` with ``adapt``: boundaries at the
    quantiles of the data, by Keras's approximate summary (``epsilon=0.01``).

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Discretization(bin_boundaries=[0.0, 1.0])(np.array([[-3.0, 0.0, 0.5, 2.0]]))
    <tf.Tensor: shape=(1, 4), dtype=int32, numpy=array([[0, 1, 1, 2]], dtype=int32)>
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if (bin_boundaries is None) == (num_bins is None):
            raise ValueError("Discretization: give bin_boundaries, or num_bins (and call adapt), not both and not "
                             f"neither; got bin_boundaries={bin_boundaries!r}, num_bins={num_bins!r}")
        if num_bins is not None and (isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer))
                                     or num_bins < 1):
            raise ValueError(f"Discretization: num_bins must be a positive integer, got num_bins={num_bins!r}")
        self.bin_boundaries = None if bin_boundaries is None else [float(b) for b in bin_boundaries]
        if self.bin_boundaries is not None and np.any(np.diff(self.bin_boundaries) < 0):
            raise ValueError(f"Discretization: bin_boundaries must be sorted, got {bin_boundaries!r}")
        self.num_bins, self.epsilon = num_bins, float(epsilon)
        self.output_mode = self._check_mode(output_mode, ("int", "one_hot", "multi_hot", "count"))

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Boundaries at the data's quantiles, as Keras: a summary per batch, merged, compressed."""
        if self.num_bins is None:
            raise ValueError("Discretization.adapt: this layer was given bin_boundaries; make it with num_bins= "
                             "to learn them from data")
        summary = np.array([[], []], np.float32)
        for batch in _batches(data, "Discretization.adapt", steps):
            values = np.sort(np.asarray(self._inputs(batch, "adapt data"), np.float32).reshape(-1))
            step = max(values.size * self.epsilon, 1)                  # Keras's summarize()
            part = values[int(step - 1)::int(step)]
            merged = np.concatenate([np.stack([part, np.ones_like(part) * step]), summary], axis=1)
            summary = _compress(np.take(merged, np.argsort(merged[0]), axis=1), self.epsilon)   # (Keras sorts so: ties as quicksort leaves them)
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def forward(self, x, training=False):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization {self.name!r} has no bin boundaries: call adapt(data) first, or give "
                             "bin_boundaries=")
        ids = np.digitize(x, np.asarray(self.bin_boundaries, np.float32) if x.dtype == np.float32
                          else self.bin_boundaries)
        out = _encode(ids, len(self.bin_boundaries) + 1, self.output_mode)
        return out.astype(np.int32) if self.output_mode == "int" else out      # Keras 3.15's bins are int32

    def output_dtype(self, input_dtype, input_shape=None):
        return np.dtype(np.int32) if self.output_mode == "int" else np.dtype(config.floatx())

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return (input_shape[0], len(self.bin_boundaries or []) + 1)

    saved_by_from_config = True         # (saving/keras_config.py: its file config is made by from_config)

    @classmethod
    def from_config(cls, cfg):
        """An adapted layer's config holds num_bins and the boundaries it found: made with num_bins,
        then given the boundaries (as Keras's from_config)."""
        if cfg.get("bin_boundaries") is not None and cfg.get("num_bins") is not None:
            cfg = dict(cfg)
            boundaries = cfg.pop("bin_boundaries")
            layer = super().from_config(cfg)
            layer.bin_boundaries = [float(b) for b in boundaries]
            return layer
        return super().from_config(cfg)

    def get_config(self):
        cfg = {k: v for k, v in super().get_config().items() if k != "trainable"}   # Keras's takes no trainable
        return {**cfg, "bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": False}


def _compress(summary, epsilon):
    """Keras's ``compress_summary``: the summary re-cut at cumulative-weight steps of ``epsilon``."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    cum_percents = cum / cum[-1]
    bins = np.interp(percents, cum_percents, summary[0])
    cum = np.interp(percents, cum_percents, cum)
    return np.stack((bins, cum - np.concatenate((np.array([0]), cum[:-1])))).astype(np.float32)
