"""Text and category preprocessing: strings and ids in, ids or counts out (Keras 3's
``TextVectorization``, ``StringLookup``, ``IntegerLookup``, ``CategoryEncoding``, ``Hashing``,
``Discretization``).

Their numbers come from the data (``adapt``) or from arguments, never from gradients: they have
no trainable weights, and their input (words, ids, bins) has no gradient, so they belong at the
start of a model. ``TextVectorization`` turns each sentence into ids in four steps::

    standardize   "The movie, GREAT!"  ->  "the movie great"    (ASCII lower case, punctuation out)
    split         -> ["the", "movie", "great"]                  (runs of ASCII whitespace)
    ngrams        -> + ["the movie", "movie great"] for ngrams=2 (all 1-grams, then all 2-grams)
    look up       -> [2, 7, 4]   ids by the vocabulary: 0 padding, 1 "[UNK]", then by frequency

``adapt`` orders the vocabulary as Keras does: most frequent first, ties by the token's UTF-8
bytes, descending (``np.lexsort((tokens, counts))[::-1]`` in Keras's ``index_lookup.py``).
``output_mode`` "multi_hot" / "count" / "tf_idf" give one row of ``vocabulary_size`` numbers
per sentence instead; tf_idf multiplies counts by ``log(1 + documents / (1 + documents with
the token))``, the out-of-vocabulary slot by the mean of those weights.

>>> import numpy as np, glassnet
>>> tv = glassnet.layers.TextVectorization()
>>> tv.adapt(["The movie was great!", "the worst movie"])
>>> tv.get_vocabulary()
['', '[UNK]', 'the', 'movie', 'worst', 'was', 'great']
>>> tv(np.array(["great movie, the best"]))
array([[6, 3, 2, 1]])
"""
from __future__ import annotations

import os
import re

import numpy as np

from .. import config
from ..engine import functional
from ..tf import strings
from ..tf.tensor import wrap
from .base import Layer

_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'       # Keras's DEFAULT_STRIP_REGEX
_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class _Preprocessing(Layer):
    """What these layers share: inputs kept as they are (strings stay strings), no weights to
    train, no gradient for their input."""

    differentiable_input = False        # words and ids are chosen, not computed
    takes_strings = False               # True: fit/predict hand it arrays of strings unchanged

    def __call__(self, x, training=None):
        if functional.is_symbolic(x):
            return super().__call__(x, training)
        x = self._inputs(x, "inputs")
        if not self.built:
            self.build_from_shape((None,) + x.shape[1:])
        return wrap(self.forward(x, training=False))

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

    def needs_flat_samples(self):
        return False

    def _check_mode(self, output_mode, allowed):
        if output_mode not in allowed:
            raise ValueError(f"{type(self).__name__}: output_mode must be one of {', '.join(map(repr, allowed))}; "
                             f"got output_mode={output_mode!r}")
        return output_mode


def _encode(indices, depth, mode, idf=None, who="layer"):
    """Ids as Keras's categorical outputs: one_hot (one id per sample), multi_hot (1 where an id
    occurs in the sample), count (how often), tf_idf (count times the id's idf weight)."""
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
    if ids.ndim == 0:
        ids = ids.reshape(1)
    if ids.ndim == 1:
        ids = ids[:, None]
    rows = ids.reshape(ids.shape[0], -1)
    counts = np.zeros((rows.shape[0], depth), config.floatx())
    np.add.at(counts, (np.repeat(np.arange(rows.shape[0]), rows.shape[1]), rows.reshape(-1)), 1)
    if mode == "multi_hot":
        return (counts > 0).astype(config.floatx())
    if mode == "tf_idf":
        return (counts * np.asarray(idf, config.floatx())).astype(config.floatx())
    return counts


# ---------------------------------------------------------------------------------------------
# The lookup table: tokens <-> ids, learned by adapt (StringLookup, IntegerLookup, TextVectorization)
# ---------------------------------------------------------------------------------------------
class _Lookup(_Preprocessing):
    """Keras's ``IndexLookup``: ids ``[mask] + [oov] * num_oov_indices + vocabulary``."""

    _oov_default = "[UNK]"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=None, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", vocabulary_dtype=None, vocabulary_size=None, oov_method=None, **kwargs):
        super().__init__(**kwargs)          # (vocabulary_size: written by Keras's get_config, read by no one;
        #                                     oov_method: how Keras spreads unknown tokens over several OOV ids)
        who = type(self).__name__
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
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = self._oov_default if oov_token is None else oov_token
        self.invert, self.pad_to_max_tokens, self.sparse, self.encoding = bool(invert), bool(pad_to_max_tokens), \
            False, encoding
        self._tokens: list = []                              # the learned or given vocabulary
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
        """The tokens by id: the mask token (if any), the OOV token(s), then the vocabulary."""
        return (self._special() if include_special_tokens else []) + list(self._tokens)

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
        (one token a line, special tokens first); Keras keeps tf_idf weights elsewhere."""
        if self.output_mode == "tf_idf":
            raise ValueError(f"{type(self).__name__} {self.name!r}: loading an adapted tf_idf vocabulary from "
                             "Keras's assets is not supported (its idf weights are in model.weights.h5)")
        lines = text.split("\n")
        while lines and lines[-1] == "":
            lines.pop()
        self.set_vocabulary([self._token(line) for line in lines])
        if self._planned_size and self._planned_size != self.vocabulary_size():
            raise ValueError(f"{type(self).__name__} {self.name!r}: vocabulary.txt holds {self.vocabulary_size()} "
                             f"tokens, but the config says vocabulary_size={self._planned_size}")

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
    def _lookup(self, tokens, flat_shape=None):
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
            if self.num_oov_indices > 1:
                raise ValueError(f"{type(self).__name__} {self.name!r}: {t!r} is not in the vocabulary; with "
                                 f"num_oov_indices={self.num_oov_indices} Keras picks its id by FarmHash, "
                                 "which glassnet does not have: use num_oov_indices=1")
            return oov
        arr = np.asarray(tokens, dtype=object)
        ids = np.array([one(t) for t in arr.reshape(-1).tolist()], np.int64).reshape(arr.shape)
        return ids

    def _index_of(self):
        if not hasattr(self, "_index"):
            self._index = {}
        return self._index

    def _invert(self, ids):
        vocab = self.get_vocabulary()
        ids = np.asarray(ids).astype(np.int64)
        out = [vocab[i] if 0 <= i < len(vocab) else self.oov_token for i in ids.reshape(-1).tolist()]
        if not out:
            return np.asarray(out).reshape(ids.shape)
        return np.array(out).reshape(ids.shape)

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary from ``data``: an array, a list, or a ``glassnet.data.Dataset``
        (batched or not; of inputs only). Most frequent first; ties by the token, descending."""
        self._learn(self._documents(data), type(self).__name__)

    def _documents(self, data):
        rows = []
        for batch in _batches(data, f"{type(self).__name__}.adapt"):
            arr = self._inputs(batch, "adapt data")
            arr = arr.reshape(1) if arr.ndim == 0 else arr
            rows.extend(list(r.reshape(-1).tolist()) for r in arr)
        return rows

    def forward(self, x, training=False):
        self._index_of()
        if self.invert:
            return self._invert(x)
        ids = self._lookup(x)
        return _encode(ids, self._depth(), self.output_mode, self.idf_weights, f"{type(self).__name__} {self.name!r}")

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
                "idf_weights": self._saved_idf(), "invert": self.invert, "vocabulary_size": self.vocabulary_size()}

    def _saved_vocabulary(self):
        # Keras writes an adapted vocabulary to assets/.../vocabulary.txt; glassnet's .keras files have no
        # assets yet, so the learned tokens go into the config, where Keras reads a given vocabulary too
        return list(self._tokens) if self._tokens or self.input_vocabulary is not None else None

    def _saved_idf(self):
        if self.idf_weights is None:
            return None
        w = np.asarray(self.idf_weights)[self._token_start():self._token_start() + len(self._tokens)]
        return w.tolist()


def _batches(data, who):
    """The arrays in ``data``: itself, or each element of a Dataset (an (x, y) pair: its x)."""
    from ..data.dataset import Dataset  # noqa: PLC0415 - data imports numpy only, but loads lazily
    if isinstance(data, Dataset):
        for item in data:
            yield item[0] if isinstance(item, tuple) else item
        return
    if isinstance(data, (list, tuple)) and data and all(isinstance(d, np.ndarray) and d.ndim > 0 for d in data):
        yield from data                      # a list of batches
        return
    yield data


class StringLookup(_Lookup):
    """``StringLookup``: strings to ids by a vocabulary (``adapt`` or ``vocabulary=``); ``invert=True``
    turns ids back into strings. Ids: the mask token (if given) 0, "[UNK]" next, then the vocabulary.

    >>> import numpy as np, glassnet
    >>> lookup = glassnet.layers.StringLookup(vocabulary=["a", "b", "c"])
    >>> lookup(np.array([["a", "c", "z"]]))
    array([[1, 3, 0]])
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
        return strings.as_text(x, f"{type(self).__name__} {self.name!r}: {name}")

    def get_config(self):
        return {**super().get_config(), "encoding": self.encoding}


class IntegerLookup(_Lookup):
    """``IntegerLookup``: integers to ids by a vocabulary, as StringLookup (the OOV token is -1).

    >>> import numpy as np, glassnet
    >>> lookup = glassnet.layers.IntegerLookup()
    >>> lookup.adapt(np.array([12, 7, 7, 3]))
    >>> lookup.get_vocabulary(), lookup(np.array([[7, 12, 5]]))
    ([-1, 7, 12, 3], array([[1, 2, 0]]))
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


# ---------------------------------------------------------------------------------------------
# TextVectorization: standardize, split, ngrams, then a StringLookup
# ---------------------------------------------------------------------------------------------
class TextVectorization(_Lookup):
    """``TextVectorization``: sentences to ids (``output_mode="int"``) or to one row of counts per
    sentence (``"multi_hot"``, ``"count"``, ``"tf_idf"``). See the module's docstring for the steps.

    ``standardize``: "lower_and_strip_punctuation" (default), "lower", "strip_punctuation", None or
    a function of an array of strings; ``split``: "whitespace" (default), "character", None or a
    function of a 1-D array of strings giving a list of token lists; ``ngrams``: None, n (1..n)
    or a tuple of widths; ``output_sequence_length``: int mode's rows padded with 0 or cut to it.
    """

    takes_strings = True

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode="int", output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None, **kwargs):
        if output_mode not in ("int", "multi_hot", "count", "tf_idf"):
            raise ValueError("TextVectorization: output_mode must be one of 'int', 'multi_hot', 'count', 'tf_idf'; "
                             f"got output_mode={output_mode!r}")
        if output_mode == "int" and max_tokens is not None and not isinstance(max_tokens, bool) \
                and isinstance(max_tokens, (int, np.integer)) and max_tokens < 2:
            raise ValueError(f"TextVectorization: max_tokens must be at least 2 in int mode (id 0 is padding, 1 is "
                             f"'[UNK]'); got max_tokens={max_tokens!r}")
        if not (standardize is None or callable(standardize) or standardize in
                ("lower_and_strip_punctuation", "lower", "strip_punctuation")):
            raise ValueError("TextVectorization: standardize must be 'lower_and_strip_punctuation', 'lower', "
                             f"'strip_punctuation', None or a function; got standardize={standardize!r}")
        if not (split is None or callable(split) or split in ("whitespace", "character")):
            raise ValueError("TextVectorization: split must be 'whitespace', 'character', None or a function; "
                             f"got split={split!r}")
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or (isinstance(ngrams, int) and not isinstance(ngrams, bool) and ngrams >= 1)
                or (isinstance(ngrams, tuple) and ngrams and all(isinstance(n, int) and n >= 1 for n in ngrams))):
            raise ValueError(f"TextVectorization: ngrams must be None, an integer or a tuple of integers; "
                             f"got ngrams={ngrams!r}")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError("TextVectorization: output_sequence_length is for output_mode='int' only; got "
                             f"output_mode={output_mode!r}")
        if output_sequence_length is not None and (isinstance(output_sequence_length, bool) or not isinstance(
                output_sequence_length, (int, np.integer)) or output_sequence_length < 1):
            raise ValueError("TextVectorization: output_sequence_length must be a positive integer or None; got "
                             f"output_sequence_length={output_sequence_length!r}")
        if ragged:
            raise ValueError("TextVectorization: ragged=True is not supported (glassnet has no ragged tensors)")
        self.standardize, self.split, self.ngrams = standardize, split, ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self.output_sequence_length = None if output_sequence_length is None else int(output_sequence_length)
        self.ragged = False
        super().__init__(max_tokens=max_tokens, num_oov_indices=1, mask_token="" if output_mode == "int" else None,
                         vocabulary=vocabulary, idf_weights=idf_weights, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, encoding=encoding, name=name, **kwargs)

    def _token(self, value):
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    def _inputs(self, x, name):
        return strings.as_text(x, f"TextVectorization {self.name!r}: {name}")

    # -- the steps before the lookup ------------------------------------------------------------
    def _standardized(self, text):
        """Keras's standardize step on an array of strings (its shape kept)."""
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = strings.lower(text)                                # ASCII letters only, as TensorFlow
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = strings.regex_replace(text, _PUNCTUATION, "")
        if callable(self.standardize):
            text = strings.as_text(self.standardize(text), "what standardize returned")
        return text

    def _tokens_of(self, x, name="inputs") -> list:
        """Each sentence of ``x`` as its list of tokens (standardized, split, n-grams)."""
        text = self._inputs(x, name)
        if self.split is not None and text.ndim > 1:
            if text.shape[-1] != 1:
                raise ValueError("TextVectorization: to split strings, the input must be 1-D or have a last "
                                 f"dimension of 1; got shape {text.shape}")
            text = text[..., 0]
        if text.ndim == 0:
            text = text.reshape(1)
        text = self._standardized(text)
        if self.split is None:
            docs = [[t] if np.ndim(t) == 0 else list(t) for t in text.tolist()]
        elif self.split == "whitespace":
            docs = [p.tolist() for p in strings.split(text)]
        elif self.split == "character":
            docs = [list(s) for s in text.tolist()]
        else:
            docs = [[self._token(t) for t in np.asarray(row).reshape(-1).tolist()] for row in self.split(text)]
        if self._ngrams is not None:
            docs = [[" ".join(d[i:i + n]) for n in self._ngrams for i in range(len(d) - n + 1)] for d in docs]
        return docs

    def _documents(self, data):
        docs = []
        for batch in _batches(data, "TextVectorization.adapt"):
            docs.extend(self._tokens_of(batch, "adapt data"))
        return docs

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary from sentences: an array or list of strings, or a
        ``glassnet.data.Dataset`` of them (batched or not; ``(text, label)`` pairs: the text)."""
        if isinstance(data, str):
            raise ValueError("TextVectorization.adapt: data must be many sentences (a list, an array or a "
                             "Dataset), got one string; wrap it in a list")
        self._learn(self._documents(data), "TextVectorization")

    def forward(self, x, training=False):
        self._index_of()
        if self.split is None and self.output_mode == "int":          # one token per string: the input's shape
            ids = self._lookup(self._standardized(self._inputs(x, "inputs")))
            if self.output_sequence_length is not None and ids.ndim > 1:
                n = self.output_sequence_length
                ids = np.pad(ids[..., :n], [(0, 0)] * (ids.ndim - 1) + [(0, max(n - ids.shape[-1], 0))])
            return ids
        docs = self._tokens_of(x)
        if self.output_mode != "int":
            ids = [self._lookup(np.array(d, dtype=object)) for d in docs]
            out = np.zeros((len(docs), self._depth()), config.floatx())
            for row, i in zip(out, ids):
                if len(i):
                    row[:] = _encode(i[None, :], self._depth(), self.output_mode, self.idf_weights)[0]
            return out
        width = self.output_sequence_length or max((len(d) for d in docs), default=0)
        out = np.zeros((len(docs), width), np.int64)                 # 0: padding
        for row, d in zip(out, docs):
            ids = self._lookup(np.array(d[:width], dtype=object))
            row[:len(ids)] = ids
        return out

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int" and self.split is None:             # one id per string
            shape = tuple(input_shape)
            return shape[:-1] + (self.output_sequence_length,) if self.output_sequence_length and len(shape) > 1 \
                else shape
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self._depth())

    def get_config(self):
        cfg = Layer.get_config(self)
        return {**cfg, "max_tokens": self.max_tokens, "standardize": self.standardize, "split": self.split,
                "ngrams": self.ngrams, "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length, "pad_to_max_tokens": self.pad_to_max_tokens,
                "sparse": False, "ragged": False, "vocabulary": self._saved_vocabulary(),
                "idf_weights": self._saved_idf(), "encoding": self.encoding,
                "vocabulary_size": self.vocabulary_size()}


# ---------------------------------------------------------------------------------------------
# Numbers: ids to counts, values to bins, ids to hash bins
# ---------------------------------------------------------------------------------------------
class CategoryEncoding(_Preprocessing):
    """``CategoryEncoding(num_tokens, output_mode)``: integer ids in ``0..num_tokens-1`` as
    one_hot (one id per sample), multi_hot (default: 1 where an id occurs) or count rows.

    >>> import numpy as np, glassnet
    >>> glassnet.layers.CategoryEncoding(4, output_mode="count")(np.array([[0, 3, 3]]))
    array([[1., 0., 0., 2.]], dtype=float32)
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
    """``Hashing(num_bins)``: each value to ``FarmHash Fingerprint64(str(value)) % num_bins`` (Keras
    hashes integers through their decimal text too). FarmHash comes from the ``pyfarmhash``
    package (``pip install pyfarmhash``), loaded on the first call; without it the layer refuses
    clearly rather than give bins that differ from Keras's. ``mask_value`` goes to bin 0 and the
    others to ``1..num_bins-1``. A ``salt`` (Keras's SipHash) is not supported."""

    takes_strings = True

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) or num_bins < 1:
            raise ValueError(f"Hashing: num_bins must be a positive integer, got num_bins={num_bins!r}")
        if salt is not None:
            raise ValueError("Hashing: salt is not supported (Keras's keyed SipHash); leave salt=None")
        self.num_bins, self.mask_value, self.salt = int(num_bins), mask_value, None
        self.output_mode = self._check_mode(output_mode, ("int", "one_hot", "multi_hot", "count"))

    def _inputs(self, x, name):
        arr = np.asarray(x)
        if arr.dtype.kind == "f":
            raise ValueError(f"Hashing {self.name!r}: {name} must be strings or integers, got dtype {arr.dtype}")
        return arr if arr.dtype.kind in "iub" else strings.as_text(arr, f"Hashing {self.name!r}: {name}")

    def forward(self, x, training=False):
        try:
            import farmhash  # noqa: PLC0415 - optional: Keras's exact hash
        except ImportError:
            raise ImportError("Hashing needs FarmHash Fingerprint64 to give Keras's bins: pip install pyfarmhash. "
                              "(glassnet does not guess with another hash, whose bins would differ)") from None
        flat = np.asarray(x).reshape(-1).tolist()
        mask = None if self.mask_value is None else str(self.mask_value)
        bins = self.num_bins - (mask is not None)
        out = [0 if mask is not None and str(v) == mask else
               farmhash.fingerprint64(str(v)) % bins + (mask is not None) for v in flat]
        ids = np.array(out, np.int64).reshape(np.shape(x))
        return _encode(ids, self.num_bins, self.output_mode)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) if self.output_mode == "int" else (input_shape[0], self.num_bins)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": None, "mask_value": self.mask_value,
                "output_mode": self.output_mode, "sparse": False}


class Discretization(_Preprocessing):
    """``Discretization``: each value to the index of its bin, ``numpy.digitize(x, bin_boundaries)``
    (a value on a boundary goes to the bin above). ``num_bins`` with ``adapt``: boundaries at the
    quantiles of the data, by Keras's approximate summary (``epsilon=0.01``).

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Discretization(bin_boundaries=[0.0, 1.0])(np.array([[-3.0, 0.0, 0.5, 2.0]]))
    array([[0, 1, 1, 2]])
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
        for batch in _batches(data, "Discretization.adapt"):
            values = np.sort(np.asarray(self._inputs(batch, "adapt data"), np.float32).reshape(-1))
            step = max(values.size * self.epsilon, 1)                  # Keras's summarize()
            part = values[int(step - 1)::int(step)]
            merged = np.concatenate([np.stack([part, np.ones_like(part) * step]), summary], axis=1)
            summary = _compress(np.take(merged, np.argsort(merged[0], kind="stable"), axis=1), self.epsilon)
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def forward(self, x, training=False):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization {self.name!r} has no bin boundaries: call adapt(data) first, or give "
                             "bin_boundaries=")
        ids = np.digitize(x, np.asarray(self.bin_boundaries, np.float32) if x.dtype == np.float32
                          else self.bin_boundaries)
        return _encode(ids, len(self.bin_boundaries) + 1, self.output_mode)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return (input_shape[0], len(self.bin_boundaries or []) + 1)

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
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
