"""Lookup layers: tokens to ids by a vocabulary learned with ``adapt`` or given (Keras 3's
``StringLookup`` and ``IntegerLookup``; ``TextVectorization`` ends with one, layers/text.py)::

    ids    0: the mask token (if one is given)    then num_oov_indices ids for unknown tokens
           then the vocabulary, most frequent first (ties: the token's UTF-8 bytes or value,
           descending: ``np.lexsort((tokens, counts))[::-1]`` in Keras's ``index_lookup.py``)
    several OOV ids: integers by ``token % n`` (oov_method="floormod"), strings by FarmHash
    tf_idf weight of a token: ``log(1 + documents / (1 + documents holding it))``; the OOV
    ids get the mean of those weights

>>> import numpy as np, glassnet
>>> lookup = glassnet.layers.StringLookup()
>>> lookup.adapt(np.array(["b", "a", "a"]))
>>> lookup.get_vocabulary(), lookup(np.array([["a", "b", "z"]]))
(['[UNK]', np.str_('a'), np.str_('b')], <tf.Tensor: shape=(1, 3), dtype=int64, numpy=array([[1, 2, 0]])>)
"""
from __future__ import annotations

import os

import numpy as np

from .. import config
from ..tf import strings
from .categorical import _MODES, _OLD_MODES, _batches, _encode, _Preprocessing


class _Lookup(_Preprocessing):
    """Keras's ``IndexLookup``: ids ``[mask] + [oov] * num_oov_indices + vocabulary``."""

    _oov_default = "[UNK]"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=None, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", vocabulary_dtype=None, vocabulary_size=None, oov_method="floormod", salt=None,
                 **kwargs):
        super().__init__(**kwargs)          # (vocabulary_size: written by Keras's get_config)
        who = type(self).__name__
        output_mode = _OLD_MODES.get(output_mode, output_mode) if isinstance(output_mode, str) else output_mode
        self.output_mode = self._check_mode(output_mode, _MODES)
        if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, (int, np.integer))
                                       or max_tokens <= 1):
            raise ValueError(f"{who}: max_tokens must be None or an integer > 1, got max_tokens={max_tokens!r}")
        if isinstance(num_oov_indices, bool) or not isinstance(num_oov_indices, (int, np.integer)) \
                or num_oov_indices < 0:
            raise ValueError(f"{who}: num_oov_indices must be an integer >= 0, got {num_oov_indices!r}")
        if sparse:
            raise ValueError(f"{who}: sparse=True is not supported (glassnet has no sparse tensors)")
        if invert and output_mode != "int":
            raise ValueError(f"{who}: invert=True needs output_mode='int', got output_mode={output_mode!r}")
        if pad_to_max_tokens and max_tokens is None and output_mode != "int":
            raise ValueError(f"{who}: pad_to_max_tokens=True needs max_tokens")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"{who}: oov_method must be 'floormod' or 'farmhash', got oov_method={oov_method!r}")
        self.oov_method = oov_method      # several OOV ids: integers by token % n (floormod), else by FarmHash
        if salt is not None:
            raise ValueError(f"{who}: salt is not supported (Keras's keyed SipHash for OOV ids); leave salt=None")
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = self._oov_default if oov_token is None else oov_token
        self.invert, self.pad_to_max_tokens, self.sparse, self.encoding = bool(invert), bool(pad_to_max_tokens), \
            False, encoding
        self._tokens: list = []                              # the learned or given vocabulary
        self._index: dict = {}                               # token -> id
        # a Keras config's vocabulary_size: the output's width before the file's vocabulary.txt is read
        self._planned_size = vocabulary_size if isinstance(vocabulary_size, int) and vocabulary_size > 0 else None
        self.idf_weights = None
        self.input_vocabulary = self.input_idf_weights = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
            self.input_vocabulary = list(self._tokens)
            self.input_idf_weights = None if idf_weights is None else np.asarray(idf_weights).tolist()
        elif idf_weights is not None:
            raise ValueError(f"{who}: idf_weights needs a vocabulary")

    # -- the vocabulary ---------------------------------------------------------------------------
    def _token(self, value):
        return value

    def _special(self) -> list:
        return ([self.mask_token] if self.mask_token is not None else []) + [self.oov_token] * self.num_oov_indices

    def _token_start(self) -> int:
        return len(self._special())

    def get_vocabulary(self, include_special_tokens=True) -> list:
        """The tokens by id: the mask token (if any), the OOV token(s), then the vocabulary,
        whose entries are NumPy scalars as Keras 3's (``np.str_('the')``, ``np.int64(7)``)."""
        tokens = list(np.asarray(self._tokens, dtype=None if self._tokens and isinstance(self._tokens[0], str)
                                 else np.int64)) if self._tokens else []
        return (self._special() if include_special_tokens else []) + tokens

    def vocabulary_size(self) -> int:
        """How many ids there are, special ones included."""
        return self._token_start() + len(self._tokens)

    def _depth(self) -> int:
        if self.pad_to_max_tokens and self.max_tokens:
            return self.max_tokens
        return self._planned_size if self._planned_size and not self._tokens else self.vocabulary_size()

    def _read_vocabulary(self, vocabulary):
        if isinstance(vocabulary, (str, os.PathLike)):
            with open(vocabulary, encoding="utf-8") as f:        # one token a line, as Keras's vocabulary.txt
                lines = f.read().splitlines()
            while lines and lines[-1] == "":
                lines.pop()
            return [self._token(line) for line in lines]
        return [self._token(v) for v in np.asarray(vocabulary).reshape(-1).tolist()]

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Use ``vocabulary`` (a list or a file of one token a line); special tokens at its front
        are dropped, as Keras; ``idf_weights`` (one per token) are needed in tf_idf mode."""
        who = type(self).__name__
        tokens = self._read_vocabulary(vocabulary)
        special = self._special()
        if tokens[:len(special)] == special and special:
            tokens = tokens[len(special):]
            if idf_weights is not None and len(idf_weights) == len(tokens) + len(special):
                idf_weights = list(idf_weights)[len(special):]
        for t in (self.mask_token, self.oov_token):
            if t is not None and t in tokens:
                raise ValueError(f"{who}: the vocabulary holds the special token {t!r} after the start; "
                                 "it may only come first")
        if len(set(tokens)) != len(tokens):
            seen, dup = set(), None
            for t in tokens:
                if t in seen:
                    dup = t
                    break
                seen.add(t)
            raise ValueError(f"{who}: the vocabulary has {dup!r} more than once")
        if self.max_tokens is not None and len(tokens) + len(special) > self.max_tokens:
            raise ValueError(f"{who}: a vocabulary of {len(tokens) + len(special)} tokens (special ones included) "
                             f"is more than max_tokens={self.max_tokens}")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{who}: output_mode='tf_idf' with a given vocabulary needs idf_weights")
            w = np.asarray(idf_weights, np.float64).reshape(-1)
            if len(w) != len(tokens):
                raise ValueError(f"{who}: idf_weights has {len(w)} values for {len(tokens)} tokens")
            self.idf_weights = self._padded_idf(w)
        self._tokens = tokens
        self._index = {t: i + len(special) for i, t in enumerate(tokens)}

    def load_vocabulary_asset(self, text: str) -> None:
        """The vocabulary from Keras's ``vocabulary.txt`` in a ``.keras`` file's ``assets/``
        (one token a line, special tokens first); tf_idf weights come next, from the weights file
        (``set_h5_named_arrays``)."""
        lines = text.split("\n")
        while lines and lines[-1] == "":
            lines.pop()
        tokens = [self._token(line) for line in lines]
        if self.output_mode == "tf_idf":             # placeholders until model.weights.h5 gives the real ones
            n = len(tokens) - (self._token_start() if tokens[:self._token_start()] == self._special() else 0)
            self.set_vocabulary(tokens, np.zeros(n))
        else:
            self.set_vocabulary(tokens)
        if self._planned_size and self._planned_size != self.vocabulary_size():
            raise ValueError(f"{type(self).__name__} {self.name!r}: vocabulary.txt holds {self.vocabulary_size()} "
                             f"tokens, but the config says vocabulary_size={self._planned_size}")

    # -- tf_idf weights in model.weights.h5, where Keras keeps them: <layer>/vars/idf_weights --------------
    _h5_idf_paths = ("vars/idf_weights",)

    def h5_named_arrays(self) -> dict:
        """What Keras stores under names in this layer's group of the weights file."""
        if self.output_mode != "tf_idf" or self.idf_weights is None:
            return {}
        return {path: np.asarray(self.idf_weights, np.float32) for path in self._h5_idf_paths}

    def h5_named_shapes(self) -> dict:
        """The named arrays a weights file must hold for this layer, and their shapes."""
        return {"vars/idf_weights": (self._depth(),)} if self.output_mode == "tf_idf" else {}

    def set_h5_named_arrays(self, arrays: dict) -> None:
        w = np.asarray(arrays["vars/idf_weights"], np.float64)
        if not np.all(np.isfinite(w)):
            raise ValueError(f"{type(self).__name__} {self.name!r}: idf_weights in the file are not finite")
        self.idf_weights = w.astype(config.floatx())

    def _padded_idf(self, w):
        front = np.full(self._token_start(), w.mean() if len(w) else 0.0)
        out = np.concatenate([front, w])
        if self.pad_to_max_tokens and self.max_tokens:
            out = np.concatenate([out, np.zeros(self.max_tokens - len(out))])
        return out.astype(config.floatx())

    def _learn(self, documents, who) -> None:
        """The vocabulary from ``documents`` (each an iterable of tokens): Keras's order."""
        counts, docs, n = {}, {}, 0
        for doc in documents:
            n += 1
            for t in doc:
                counts[t] = counts.get(t, 0) + 1
            for t in set(doc):
                docs[t] = docs.get(t, 0) + 1
        for t in (self.mask_token, self.oov_token):
            counts.pop(t, None)
        tokens = sorted(counts, key=lambda t: (counts[t], self._sort_key(t)), reverse=True)
        if self.max_tokens is not None:
            tokens = tokens[:max(self.max_tokens - self._token_start(), 0)]
        self._tokens = tokens
        self._index = {t: i + self._token_start() for i, t in enumerate(tokens)}
        if self.output_mode == "tf_idf":
            w = np.log(1 + n / (1 + np.array([docs[t] for t in tokens], np.float64)))
            self.idf_weights = self._padded_idf(w)

    def _sort_key(self, token):
        return token.encode("utf-8") if isinstance(token, str) else token

    # -- looking up ---------------------------------------------------------------------------
    def _lookup(self, tokens):
        """Ids of ``tokens`` (an array): the mask token 0, unknown ones the OOV id."""
        if self.output_mode == "tf_idf" and self.idf_weights is None:
            raise ValueError(f"{type(self).__name__} {self.name!r} has no vocabulary yet: call adapt(data) or "
                             "give vocabulary= (and idf_weights=)")
        oov = self._token_start() - self.num_oov_indices
        mask = self.mask_token

        def one(t):
            if mask is not None and t == mask:
                return 0
            i = self._index.get(t)
            if i is not None:
                return i
            if self.num_oov_indices == 0:
                raise ValueError(f"{type(self).__name__} {self.name!r}: {t!r} is not in the vocabulary and "
                                 "num_oov_indices=0 leaves no id for it")
            if self.num_oov_indices > 1:            # Keras's spread over the OOV ids
                if isinstance(t, int) and self.oov_method == "floormod":
                    return oov + t % self.num_oov_indices
                return oov + strings.fingerprint64(str(t).encode("utf-8")) % self.num_oov_indices
            return oov
        arr = np.asarray(tokens, dtype=object)
        ids = np.array([one(t) for t in arr.reshape(-1).tolist()], np.int64).reshape(arr.shape)
        return ids

    def _invert(self, ids):
        vocab = self.get_vocabulary()
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu" and not (ids.dtype.kind == "f" and np.all(ids == np.round(ids))):
            raise ValueError(f"{type(self).__name__} {self.name!r} (invert=True): inputs must be integer ids, "
                             f"got dtype {ids.dtype}")
        ids = ids.astype(np.int64)
        out = [vocab[i] if 0 <= i < len(vocab) else self.oov_token for i in ids.reshape(-1).tolist()]
        return self._tokens_out(out, ids.shape)

    def _tokens_out(self, tokens: list, shape):
        return np.array(tokens, dtype=np.int64).reshape(shape)

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary from ``data``: an array, a list, or a ``glassnet.data.Dataset``
        (batched or not; of inputs only). Most frequent first; ties by the token, descending."""
        self._learn(self._documents(data, steps), type(self).__name__)

    def _documents(self, data, steps=None):
        rows = []
        for batch in _batches(data, f"{type(self).__name__}.adapt", steps):
            arr = self._inputs(batch, "adapt data")
            arr = arr.reshape(1) if arr.ndim == 0 else arr
            rows.extend([[t] for t in arr.tolist()] if arr.ndim == 1 else [r.reshape(-1).tolist() for r in arr])
        return rows

    def forward(self, x, training=False):
        if self.invert:
            return self._invert(x)
        ids = self._lookup(self._inputs(x, "inputs"))   # (in a model: a batch of bytes from a Dataset, floats for ids)
        return _encode(ids, self._depth(), self.output_mode, self.idf_weights, f"{type(self).__name__} {self.name!r}")

    def _called_output(self, out):
        """Keras 3.15 (TensorFlow) gives one_hot, multi_hot and count encodings of a call on data
        as int64 (its symbolic output says float32, and a model's next layer casts them): the
        preprocessing guide prints them so."""
        if self.output_mode in ("one_hot", "multi_hot", "count") and not self.invert:
            return np.asarray(out).astype(np.int64)
        return out

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if self.output_mode == "one_hot":
            base = input_shape[:-1] if len(input_shape) > 1 and input_shape[-1] == 1 else input_shape
            return tuple(base) + (self._depth(),)
        return (input_shape[0], self._depth())

    def get_config(self):
        return {**super().get_config(), "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
                "oov_token": self.oov_token, "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": False, "pad_to_max_tokens": self.pad_to_max_tokens, "vocabulary": self._saved_vocabulary(),
                "idf_weights": self._saved_idf(), "invert": self.invert, "vocabulary_size": self.vocabulary_size(),
                "oov_method": self.oov_method, "salt": None}

    def _saved_vocabulary(self):
        # Keras writes an adapted vocabulary to assets/.../vocabulary.txt (glassnet reads it there:
        # load_vocabulary_asset); glassnet writes it into the config, where Keras reads a given one too
        return list(self._tokens) if self._tokens or self.input_vocabulary is not None else None

    def _saved_idf(self):
        if self.idf_weights is None:
            return None
        w = np.asarray(self.idf_weights)[self._token_start():self._token_start() + len(self._tokens)]
        return w.tolist()


class StringLookup(_Lookup):
    """``StringLookup``: strings to ids by a vocabulary (``adapt`` or ``vocabulary=``); ``invert=True``
    turns ids back into strings (a string tensor of UTF-8 bytes, as TensorFlow's). Ids: the mask
    token (if given) 0, "[UNK]" next, then the vocabulary. Text in: str or bytes, lists, 'U' / 'S' /
    object arrays or string tensors alike; the vocabulary is kept as ``str`` (``get_vocabulary()``: ``np.str_``, as Keras 3).

    >>> import numpy as np, glassnet
    >>> lookup = glassnet.layers.StringLookup(vocabulary=["a", "b", "c"])
    >>> lookup(np.array([["a", "c", "z"]]))
    <tf.Tensor: shape=(1, 3), dtype=int64, numpy=array([[1, 3, 0]])>
    """

    takes_strings = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", **kwargs):
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, idf_weights, invert,
                         output_mode, pad_to_max_tokens, sparse, encoding, **kwargs)

    def _token(self, value):
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    def _inputs(self, x, name):
        if self.invert and name == "inputs":
            return np.asarray(x)
        # str, bytes (a string tensor's), 'U' / 'S' / object arrays: an object array of str
        return strings.text_array(x, f"{type(self).__name__} {self.name!r}: {name}")

    def _tokens_out(self, tokens: list, shape):
        return strings._out(tokens, shape)            # invert=True: a string tensor of bytes, as TensorFlow
    def get_config(self):
        return {**super().get_config(), "encoding": self.encoding}


class IntegerLookup(_Lookup):
    """``IntegerLookup``: integers to ids by a vocabulary, as StringLookup (the OOV token is -1).

    >>> import numpy as np, glassnet
    >>> lookup = glassnet.layers.IntegerLookup()
    >>> lookup.adapt(np.array([12, 7, 7, 3]))
    >>> lookup.get_vocabulary(), lookup(np.array([[7, 12, 5]])).numpy()
    ([-1, np.int64(7), np.int64(12), np.int64(3)], array([[1, 2, 0]]))
    """

    _oov_default = -1

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, output_mode="int",
                 sparse=False, vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 pad_to_max_tokens=False, **kwargs):
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, idf_weights, invert,
                         output_mode, pad_to_max_tokens, sparse, **kwargs)

    def _token(self, value):
        return int(value)

    def _inputs(self, x, name):
        arr = np.asarray(x)
        if arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        if arr.dtype.kind not in "iu":
            raise ValueError(f"IntegerLookup {self.name!r}: {name} must be integers, got dtype {arr.dtype}")
        return arr.astype(np.int64)

    def get_config(self):
        return {**super().get_config(), "vocabulary_dtype": "int64"}
