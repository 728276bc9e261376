"""``keras.preprocessing.sequence``: ``pad_sequences`` (the function is ``glassnet.utils.pad_sequences``),
and Keras's legacy word2vec helpers ``skipgrams`` and ``make_sampling_table`` (TensorFlow's word2vec
tutorial builds its training pairs with them).

``skipgrams`` follows Keras's rules: word id 0 is padding and never a target nor a context; a target
is kept with probability ``sampling_table[id]`` when a table is given; each target pairs with every
non-zero word within ``window_size`` positions either side (label 1), in sequence order; then
``int(n_positive * negative_samples)`` negatives pair the positives' targets (shuffled, cycled) with
a uniform random id in ``[1, vocabulary_size - 1]`` (label 0); ``shuffle`` permutes pairs and labels
alike. The random draws use glassnet's generator (``seed`` seeds the shuffle), not Python's
``random`` as Keras does, so only ``shuffle=False, negative_samples=0, sampling_table=None`` gives
Keras's exact lists.

>>> skipgrams([1, 2, 0, 3], vocabulary_size=4, window_size=1, negative_samples=0, shuffle=False)
([[1, 2], [2, 1]], [1, 1])
"""
import numpy as np

from ...utils import pad_sequences
from ...utils import rng

__all__ = ["make_sampling_table", "pad_sequences", "skipgrams"]


def make_sampling_table(size, sampling_factor=1e-5):
    """Keep-probabilities for word ranks ``0 .. size-1`` (word2vec's subsampling, Zipf's law):
    ``inv_freq(r) = r (ln r + 0.577) + 1/2 - 1/(12 r)`` (rank 0 counted as rank 1),
    ``p(r) = min(1, sqrt(sampling_factor * inv_freq(r)))``. Returns float64 ``(size,)``.

    >>> make_sampling_table(3).round(6).tolist()
    [0.003152, 0.003152, 0.005476]
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"make_sampling_table: size must be a positive integer, got {size!r}")
    if not sampling_factor > 0:
        raise ValueError(f"make_sampling_table: sampling_factor must be > 0, got {sampling_factor!r}")
    rank = np.arange(int(size), dtype=np.float64)
    rank[0] = 1.0
    inv_freq = rank * (np.log(rank) + 0.577) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_freq
    return np.minimum(1.0, f / np.sqrt(f))        # sqrt(f), written as Keras evaluates it


def _int_ids(sequence, vocabulary_size):
    ids = []
    for pos, w in enumerate(sequence):
        v = w.item() if isinstance(w, np.generic) or (isinstance(w, np.ndarray) and w.ndim == 0) else w
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"skipgrams: sequence[{pos}] must be a non-negative integer word id, got {w!r}")
        ids.append(int(v))
    return ids


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1.0, shuffle=True,
              categorical=False, sampling_table=None, seed=None):
    """(target, context) pairs and their labels from one sequence of word ids, as Keras's
    ``keras.preprocessing.sequence.skipgrams`` (rules in the module docstring). Returns
    ``(couples, labels)``: lists of ``[target, context]`` and of ``1`` / ``0`` (``[0, 1]`` /
    ``[1, 0]`` when ``categorical``)."""
    if isinstance(vocabulary_size, bool) or not isinstance(vocabulary_size, (int, np.integer)) or vocabulary_size < 1:
        raise ValueError(f"skipgrams: vocabulary_size must be a positive integer, got {vocabulary_size!r}")
    if isinstance(window_size, bool) or not isinstance(window_size, (int, np.integer)) or window_size < 0:
        raise ValueError(f"skipgrams: window_size must be a non-negative integer, got {window_size!r}")
    if negative_samples < 0:
        raise ValueError(f"skipgrams: negative_samples must be >= 0, got {negative_samples!r}")
    ids = _int_ids(np.asarray(sequence).ravel() if isinstance(sequence, np.ndarray) else list(sequence),
                   vocabulary_size)
    table = None if sampling_table is None else np.asarray(sampling_table, dtype=np.float64).ravel()
    if table is not None and ids and max(ids) >= len(table):
        pos = int(np.argmax(np.asarray(ids) >= len(table)))
        raise ValueError(f"skipgrams: sequence[{pos}] = {ids[pos]} is beyond sampling_table "
                         f"(length {len(table)})")
    gen = rng()
    pos_label, neg_label = ([0, 1], [1, 0]) if categorical else (1, 0)
    couples, labels = [], []
    n = len(ids)
    for i, wi in enumerate(ids):
        if wi == 0:
            continue
        if table is not None and table[wi] < gen.random():
            continue
        for j in range(max(0, i - window_size), min(n, i + window_size + 1)):
            if j != i and ids[j] != 0:
                couples.append([wi, ids[j]])
                labels.append(list(pos_label) if categorical else pos_label)
    n_neg = int(len(labels) * negative_samples)
    if n_neg > 0:
        if vocabulary_size < 2:
            raise ValueError("skipgrams: negative samples need vocabulary_size >= 2 (ids 1 .. vocabulary_size-1)")
        targets = [c[0] for c in couples]
        targets = [targets[k] for k in gen.permutation(len(targets))]
        contexts = gen.integers(1, vocabulary_size, size=n_neg)
        couples += [[targets[k % len(targets)], int(contexts[k])] for k in range(n_neg)]
        labels += [list(neg_label) if categorical else neg_label for _ in range(n_neg)]
    if shuffle:
        order = (np.random.default_rng(int(seed)) if seed is not None else gen).permutation(len(couples))
        couples = [couples[k] for k in order]
        labels = [labels[k] for k in order]
    return couples, labels
