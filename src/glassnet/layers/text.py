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

Text comes in as TensorFlow's string tensors (UTF-8 ``bytes``) or as Python/NumPy ``str`` alike;
``get_vocabulary()`` gives ``np.str_`` (the special tokens ``str``), as Keras 3. ``adapt`` orders the vocabulary as Keras does: most frequent first, ties by the token's UTF-8
bytes, descending (``np.lexsort((tokens, counts))[::-1]`` in Keras's ``index_lookup.py``).
``output_mode`` "multi_hot" / "count" / "tf_idf" give one row of ``vocabulary_size`` numbers
per sentence instead; tf_idf multiplies counts by ``log(1 + documents / (1 + documents with
the token))``, the out-of-vocabulary slot by the mean of those weights.

>>> import numpy as np, glassnet
>>> tv = glassnet.layers.TextVectorization()
>>> tv.adapt(["The movie was great!", "the worst movie"])
>>> tv.get_vocabulary()
['', '[UNK]', np.str_('the'), np.str_('movie'), np.str_('worst'), np.str_('was'), np.str_('great')]
>>> tv(np.array(["great movie, the best"]))
<tf.Tensor: shape=(1, 4), dtype=int64, numpy=array([[6, 3, 2, 1]])>
"""
from __future__ import annotations

import re

import numpy as np

from .. import config, registry
from ..tf import strings
from ..tf.tensor import sized_by_data, wrap
from .base import Layer
from .categorical import _OLD_MODES, _batches, _encode
from .lookup import _Lookup

_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'       # Keras's DEFAULT_STRIP_REGEX
_STRIP = re.compile(_PUNCTUATION)


class TextVectorization(_Lookup):
    """``TextVectorization``: sentences to ids (``output_mode="int"``) or to one row of counts per
    sentence (``"multi_hot"``, ``"count"``, ``"tf_idf"``). See the module's docstring for the steps.

    ``standardize``: "lower_and_strip_punctuation" (default), "lower", "strip_punctuation", None or
    a function of an array of strings; ``split``: "whitespace" (default), "character", None or a
    function of a 1-D array of strings giving a list of token lists; ``ngrams``: None, n (1..n)
    or a tuple of widths; ``output_sequence_length``: int mode's rows padded with 0 or cut to it.
    """

    takes_strings = True
    function_arguments = ("standardize", "split")    # may be your functions: saved by name, found on load
    _h5_idf_paths = ("vars/idf_weights", "_lookup_layer/vars/idf_weights")     # Keras writes both

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode="int", output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None, **kwargs):
        output_mode = _OLD_MODES.get(output_mode, output_mode) if isinstance(output_mode, str) else output_mode
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
        if ragged and output_mode != "int":
            raise ValueError("TextVectorization: ragged=True is only supported with output_mode='int'; got "
                             f"output_mode={output_mode!r}")
        if ragged and output_sequence_length is not None:
            raise ValueError("TextVectorization: output_sequence_length must not be set if ragged is True; got "
                             f"output_sequence_length={output_sequence_length!r}")
        self.standardize, self.split, self.ngrams = standardize, split, ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self.output_sequence_length = None if output_sequence_length is None else int(output_sequence_length)
        self.ragged = bool(ragged)          # int ids, one row per sentence of its own length (no padding)
        super().__init__(max_tokens=max_tokens, num_oov_indices=1, mask_token="" if output_mode == "int" else None,
                         vocabulary=vocabulary, idf_weights=idf_weights, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, encoding=encoding, name=name, **kwargs)

    def _token(self, value):
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    def _inputs(self, x, name):
        # str, bytes (a string tensor's), 'U' / 'S' / object arrays: an object array of str
        return strings.text_array(x, f"TextVectorization {self.name!r}: {name}")

    # -- the steps before the lookup ------------------------------------------------------------
    def _standardized(self, text):
        """Keras's standardize step on an array of strings (its shape kept). A standardize
        function gets a string tensor of bytes, as TensorFlow's tf.string, and may return one."""
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = strings.map_text(strings.ascii_lower, text)        # ASCII letters only, as TensorFlow
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = strings.map_text(lambda s: _STRIP.sub("", s), text)
        if callable(self.standardize):
            as_tensor = strings._out(np.asarray(text).reshape(-1).tolist(), np.shape(text))
            text = strings.text_array(self.standardize(as_tensor), "what standardize returned")
        return text

    def _tokens_from(self, text) -> list:
        """Each sentence of ``text`` as its list of tokens (standardized, split, n-grams), in Keras's
        order: standardize the input as given, then drop a last axis of 1 to split."""
        text = self._standardized(text)
        if self.split is not None and text.ndim > 1:
            if text.shape[-1] != 1:
                raise ValueError("TextVectorization: to split strings, the input must be 1-D or have a last "
                                 f"dimension of 1; got shape {text.shape}")
            text = text[..., 0]
        if text.ndim == 0:
            text = text.reshape(1)
        if self.split is None:
            docs = [[t] if np.ndim(t) == 0 else list(t) for t in text.tolist()]
        elif self.split == "whitespace":
            docs = [strings.split_whitespace(s) for s in text.tolist()]
        elif self.split == "character":
            docs = [list(s) for s in text.tolist()]
        else:                             # a split function gets a string tensor of bytes, as TensorFlow's
            rows = self.split(strings._out(text.tolist(), text.shape))
            docs = [[self._token(t) for t in np.asarray(row).reshape(-1).tolist()] for row in rows]
        if self._ngrams is not None:
            docs = [[" ".join(d[i:i + n]) for n in self._ngrams for i in range(len(d) - n + 1)] for d in docs]
        return docs

    def _documents(self, data, steps=None):
        docs = []
        for batch in _batches(data, "TextVectorization.adapt", steps):
            text = self._inputs(batch, "adapt data")
            if batch is data and text.ndim == 1:         # one array or list: adapted as (samples, 1), as Keras
                text = text[:, None]
            docs.extend(self._tokens_from(text))
        return docs

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary from sentences: an array or list of strings, or a
        ``glassnet.data.Dataset`` of them (batched or not; ``(text, label)`` pairs: the text)."""
        if isinstance(data, str):
            raise ValueError("TextVectorization.adapt: data must be many sentences (a list, an array or a "
                             "Dataset), got one string; wrap it in a list")
        self._learn(self._documents(data, steps), "TextVectorization")

    def forward(self, x, training=False):
        if self.split is None and self.output_mode == "int":          # one token per string: the input's shape
            ids = self._lookup(self._standardized(self._inputs(x, "inputs")))
            if self.output_sequence_length is not None and ids.ndim > 1:
                n = self.output_sequence_length
                ids = np.pad(ids[..., :n], [(0, 0)] * (ids.ndim - 1) + [(0, max(n - ids.shape[-1], 0))])
            return ids
        text = self._inputs(x, "inputs")
        docs = self._tokens_from(text)
        if text.ndim == 0:                  # one string: its row alone, as Keras (dense, even when ragged)
            return self._rows(docs, ragged=False)[0]
        return self._rows(docs, self.ragged)

    def _rows(self, docs, ragged):
        """The sentences' ids (int mode: padded rows, or a RaggedTensor) or encodings."""
        if self.output_mode != "int":
            ids = [self._lookup(np.array(d, dtype=object)) for d in docs]
            out = np.zeros((len(docs), self._depth()), config.floatx())
            for row, i in zip(out, ids):
                if len(i):
                    row[:] = _encode(i[None, :], self._depth(), self.output_mode, self.idf_weights)[0]
            return out
        if ragged:                          # each sentence's ids, no padding: a RaggedTensor (batch, None)
            from ..tf.ragged import RaggedTensor  # noqa: PLC0415 - loaded when asked
            ids = [self._lookup(np.array(d, dtype=object)).astype(np.int64) for d in docs]
            flat = np.concatenate(ids) if ids else np.zeros(0, np.int64)
            return RaggedTensor.from_row_lengths(flat, np.array([len(i) for i in ids], np.int64))
        width = self.output_sequence_length or max((len(d) for d in docs), default=0)
        out = np.zeros((len(docs), width), np.int64)                 # 0: padding
        for row, d in zip(out, docs):
            ids = self._lookup(np.array(d[:width], dtype=object))
            row[:len(ids)] = ids
        return out

    def _called_output(self, out):
        """A call on data: as ``_Lookup``'s; ids padded to the longest sentence have a length the
        data decided (``None`` in a ``Dataset.map``'s element_spec, as TensorFlow traces it)."""
        out = super()._called_output(out)
        if (self.output_mode == "int" and self.split is not None and self.output_sequence_length is None
                and not self.ragged and np.ndim(out)):
            out = sized_by_data(wrap(out), (np.ndim(out) - 1,))
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
        standardize, split = (registry.function_config(f, f"TextVectorization {self.name!r}: {key}")
                              if callable(f) else f for key, f in (("standardize", self.standardize),
                                                                   ("split", self.split)))
        return {**cfg, "max_tokens": self.max_tokens, "standardize": standardize, "split": split,
                "ngrams": self.ngrams, "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length, "pad_to_max_tokens": self.pad_to_max_tokens,
                "sparse": False, "ragged": self.ragged, "vocabulary": self._saved_vocabulary(),
                "idf_weights": self._saved_idf(), "encoding": self.encoding,
                "vocabulary_size": self.vocabulary_size()}
