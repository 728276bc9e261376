"""``glassnet.data.Dataset``: the part of ``tf.data`` that beginner programs use, on NumPy.

TensorFlow's tutorials feed ``fit`` with a pipeline like this one::

    train = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(1000).batch(32)
    model.fit(train, epochs=10)
    model.evaluate(tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(32))

Here a ``Dataset`` is a recipe for a Python iterator: each ``iter(dataset)`` (each epoch
of ``fit``) runs it again from the start, reshuffling when asked. Elements are NumPy
arrays, or tuples or dicts of them, as TensorFlow's are tensors. ``batch`` stacks them;
``map`` calls your function on them (plain Python: it sees arrays, not tensors). What
only speeds TensorFlow up (``prefetch``, ``cache``, ``num_parallel_calls``,
``AUTOTUNE``) is accepted and changes nothing. ``shuffle`` mixes through a buffer of
``buffer_size`` elements as TensorFlow does, drawing from glassnet's generator
(``keras.utils.set_random_seed``); TensorFlow's own order cannot be reproduced.

>>> import numpy as np
>>> ds = Dataset.from_tensor_slices((np.arange(5.0), np.arange(5) % 2)).batch(2)
>>> [(x.tolist(), y.tolist()) for x, y in ds]
[([0.0, 1.0], [0, 1]), ([2.0, 3.0], [0, 1]), ([4.0], [0])]
>>> len(ds), [int(y) for _, y in ds.unbatch().filter(lambda x, y: y == 1)]
(3, [1, 1])
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ..utils import rng

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset"]

AUTOTUNE = -1                   # tf.data.AUTOTUNE: "as fast as you can", a no-op here
INFINITE_CARDINALITY = -1       # tf.data.INFINITE_CARDINALITY
UNKNOWN_CARDINALITY = -2        # tf.data.UNKNOWN_CARDINALITY


def _structure(fn, *elements):
    """``fn`` applied leaf by leaf over elements of the same structure (tuple, dict, array)."""
    first = elements[0]
    if isinstance(first, tuple):
        return tuple(_structure(fn, *parts) for parts in zip(*elements))
    if isinstance(first, dict):
        return {k: _structure(fn, *(e[k] for e in elements)) for k in first}
    return fn(*elements)


def _call(fn, element):
    """A tuple element is spread over the function's arguments, as tf.data does."""
    return fn(*element) if isinstance(element, tuple) else fn(element)


def _arrays(value):
    """``tensors`` as tf.data reads them: tuples and dicts are structure, anything else
    (a list included) is one array."""
    if isinstance(value, tuple):
        return tuple(_arrays(v) for v in value)
    if isinstance(value, dict):
        return {k: _arrays(v) for k, v in value.items()}
    return np.asarray(value)


def _as_element(value):
    """What a map function returned, as an element: lists and tuples become tuples."""
    if isinstance(value, (tuple, list)):
        return tuple(_as_element(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_element(v) for k, v in value.items()}
    return np.asarray(value)


class Dataset:
    """A re-runnable pipeline of elements: ``iter(dataset)`` starts it from the beginning.

    Made by :meth:`from_tensor_slices`, :meth:`from_tensors`, :meth:`range`,
    :meth:`from_generator` or :meth:`zip`; each method below returns a new one."""

    def __init__(self, run, cardinality=UNKNOWN_CARDINALITY):
        self._run = run                      # () -> a fresh iterator of elements
        self._cardinality = cardinality

    # -- sources ---------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """One element per row: ``(x, y)`` gives ``(x[i], y[i])``; a dict gives dicts."""
        arrays = _arrays(tensors)
        leaves = []
        _structure(leaves.append, arrays)
        if not leaves or any(a.ndim == 0 for a in leaves):
            raise ValueError("Dataset.from_tensor_slices: every part must have at least one dimension "
                             "(its rows become the elements)")
        n = len(leaves[0])
        if any(len(a) != n for a in leaves):
            raise ValueError(f"Dataset.from_tensor_slices: the parts must have the same number of rows; "
                             f"got {[len(a) for a in leaves]}")
        return Dataset(lambda: (_structure(lambda a, i=i: a[i], arrays) for i in range(n)), n)

    @staticmethod
    def from_tensors(tensors, name=None):
        """One element: ``tensors`` itself."""
        element = _arrays(tensors)
        return Dataset(lambda: iter([element]), 1)

    @staticmethod
    def range(*args, **kwargs):
        """``range(stop)``, ``range(start, stop[, step])``: int64 scalars."""
        r = range(*args)
        return Dataset(lambda: (np.int64(i) for i in r), len(r))

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                       name=None):
        """The elements ``generator()`` yields (called anew for each pass)."""
        if not callable(generator):
            raise TypeError("Dataset.from_generator: generator must be a callable that returns an iterator")
        call = (lambda: generator(*args)) if args else generator
        return Dataset(lambda: (_as_element(e) for e in call()))

    @staticmethod
    def zip(*datasets, name=None):
        """Elements side by side: ``zip((a, b))`` gives ``(a_i, b_i)``."""
        if len(datasets) == 1 and isinstance(datasets[0], (tuple, list)):
            datasets = tuple(datasets[0])
        sizes = [d._cardinality for d in datasets]
        known = [s for s in sizes if s >= 0]
        size = min(known) if known else (INFINITE_CARDINALITY if all(s == INFINITE_CARDINALITY for s in sizes)
                                         else UNKNOWN_CARDINALITY)
        return Dataset(lambda: zip(*(iter(d) for d in datasets)), size)

    # -- transformations -------------------------------------------------------------------
    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        """Consecutive elements stacked ``batch_size`` at a time (the last batch may be
        smaller unless ``drop_remainder``)."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"Dataset.batch: batch_size must be an integer >= 1, got {batch_size!r}")

        def run():
            source = iter(self)
            while True:
                chunk = list(itertools.islice(source, batch_size))
                if not chunk or (drop_remainder and len(chunk) < batch_size):
                    return
                yield _structure(lambda *parts: np.stack(parts), *chunk)
        n = self._cardinality
        if n >= 0:
            n = n // batch_size if drop_remainder else math.ceil(n / batch_size)
        return Dataset(run, n)

    def unbatch(self, name=None):
        """The rows of each element, one by one (the inverse of ``batch``)."""
        def run():
            for element in self:
                leaves = []
                _structure(leaves.append, element)
                for i in range(len(leaves[0])):
                    yield _structure(lambda a, i=i: a[i], element)
        return Dataset(run)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """``map_func`` on each element (a tuple element is spread over its arguments)."""
        return Dataset(lambda: (_as_element(_call(map_func, e)) for e in self), self._cardinality)

    def filter(self, predicate, name=None):
        """The elements for which ``predicate`` is true."""
        return Dataset(lambda: (e for e in self if bool(np.all(_call(predicate, e)))))

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Elements in random order, mixed through a buffer of ``buffer_size`` (as
        TensorFlow: a buffer as large as the data shuffles it fully)."""
        if isinstance(buffer_size, bool) or not isinstance(buffer_size, (int, np.integer)) or \
                not (buffer_size >= 1 or buffer_size == AUTOTUNE):
            raise ValueError(f"Dataset.shuffle: buffer_size must be an integer >= 1, got {buffer_size!r}")
        fixed = None if seed is None else np.random.default_rng(seed)
        state = fixed.bit_generator.state if fixed is not None else None

        def run():
            if fixed is not None and not reshuffle_each_iteration:
                fixed.bit_generator.state = state           # the same order every pass
            draw = fixed if fixed is not None else rng()
            size = max(1, buffer_size if buffer_size != AUTOTUNE else 1024)
            buffer = []
            for element in self:
                buffer.append(element)
                if len(buffer) >= size:
                    i = int(draw.integers(len(buffer)))
                    buffer[i], buffer[-1] = buffer[-1], buffer[i]
                    yield buffer.pop()
            while buffer:
                i = int(draw.integers(len(buffer)))
                buffer[i], buffer[-1] = buffer[-1], buffer[i]
                yield buffer.pop()
        return Dataset(run, self._cardinality)

    def repeat(self, count=None, name=None):
        """The whole pass ``count`` times, or forever (``None`` or -1)."""
        forever = count is None or count == -1
        n = self._cardinality
        size = (INFINITE_CARDINALITY if n != 0 else 0) if forever else (n * count if n >= 0 else n)

        def run():
            passes = itertools.count() if forever else range(count)
            for _ in passes:
                yield from self
        return Dataset(run, size)

    def take(self, count, name=None):
        """The first ``count`` elements (all with -1)."""
        if count == -1:
            return self
        n = self._cardinality
        size = min(n, count) if n >= 0 else (count if n == INFINITE_CARDINALITY else n)
        return Dataset(lambda: itertools.islice(iter(self), count), size)

    def skip(self, count, name=None):
        """All but the first ``count`` elements."""
        n = self._cardinality
        return Dataset(lambda: itertools.islice(iter(self), count, None), max(n - count, 0) if n >= 0 else n)

    def concatenate(self, dataset, name=None):
        """This dataset's elements, then ``dataset``'s."""
        a, b = self._cardinality, dataset._cardinality
        size = a + b if a >= 0 and b >= 0 else (INFINITE_CARDINALITY if INFINITE_CARDINALITY in (a, b)
                                                else UNKNOWN_CARDINALITY)
        return Dataset(lambda: itertools.chain(self, dataset), size)

    def enumerate(self, start=0, name=None):
        """``(index, element)`` pairs."""
        return Dataset(lambda: ((np.int64(i), e) for i, e in enumerate(self, start)), self._cardinality)

    def cache(self, filename="", name=None):
        """Accepted for TensorFlow programs: the pipeline is already in memory."""
        return self

    def prefetch(self, buffer_size=AUTOTUNE, name=None):
        """Accepted for TensorFlow programs: nothing to overlap here."""
        return self

    # -- reading ---------------------------------------------------------------------------
    def __iter__(self):
        return iter(self._run())

    def as_numpy_iterator(self):
        """The elements as NumPy arrays (they already are)."""
        return iter(self)

    def cardinality(self) -> int:
        """The number of elements, or ``INFINITE_CARDINALITY`` / ``UNKNOWN_CARDINALITY``."""
        return self._cardinality

    def __len__(self):
        if self._cardinality == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if self._cardinality == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    def __repr__(self):
        size = {INFINITE_CARDINALITY: "infinite", UNKNOWN_CARDINALITY: "unknown"}.get(self._cardinality,
                                                                                    self._cardinality)
        return f"<Dataset elements={size}>"
