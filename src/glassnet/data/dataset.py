"""``glassnet.data.Dataset``: the part of ``tf.data`` that beginner programs use, on NumPy.

TensorFlow's tutorials feed ``fit`` with a pipeline like this one::

    train = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(1000).batch(32)
    model.fit(train, epochs=10)
    model.evaluate(tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(32))

Here a ``Dataset`` is a recipe for a Python iterator: each ``iter(dataset)`` (each epoch
of ``fit``) runs it again from the start, reshuffling when asked. Inside, elements are
plain NumPy arrays, or tuples or dicts of them; what your code receives (``for x in ds``,
a ``map`` function's arguments) are the same arrays as :class:`glassnet.Tensor`, so
``.numpy()`` works, and ``fit`` reads the plain arrays (:mod:`glassnet.data.structure`).
``batch`` stacks them; ``interleave`` follows TensorFlow's order; ``cache`` keeps a pass
in memory or a file (:mod:`~glassnet.data.cache`); ``prefetch`` reads ahead on a thread
where there are files to read (:mod:`~glassnet.data.prefetch`); ``num_parallel_calls``
is accepted and ``map`` runs in order. ``shuffle`` mixes through a buffer of
``buffer_size`` elements as TensorFlow does: with a ``seed`` or under a global seed
(``keras.utils.set_random_seed``) in TensorFlow's own order, each iterator made taking the
next pass's seeds, as ``fit``'s epochs take them (Keras makes two each epoch: epoch e reads pass
2e); with neither, from glassnet's generator. The file readers are in ``text_line.py``,
``csv.py`` and ``make_csv.py``.

>>> import numpy as np
>>> ds = Dataset.from_tensor_slices((np.arange(5.0), np.arange(5) % 2)).batch(2)
>>> [(x.tolist(), y.tolist()) for x, y in ds]
[([0.0, 1.0], [0, 1]), ([2.0, 3.0], [0, 1]), ([4.0], [0])]
>>> len(ds), [int(y) for _, y in ds.unbatch().filter(lambda x, y: y == 1)]
(3, [1, 1])
"""
from __future__ import annotations

import functools
import itertools
import math
import os
import threading
import types

import numpy as np

from ..tf.data_sized import TRACING, UNKNOWN_RANK, traced_shapes
from ..tf.framework import TRACED
from ..tf.tensor import Tensor, TensorShape, sized_by_data
from .combine import interleave_runs, pad, padded_spec
from .prefetch import draws, prefetched
from .composite import (RaggedStacker, batched_spec, is_composite, is_composite_spec, row, row_count, row_spec,
                        slice_spec, stack, unknown_batch)
from .structure import TensorSpec, as_array, as_element, as_input, leaves, numpy_leaf, spec_of, structure, tensors

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "Options"]

AUTOTUNE = -1                   # tf.data.AUTOTUNE: "as fast as you can"
INFINITE_CARDINALITY = -1       # tf.data.INFINITE_CARDINALITY
UNKNOWN_CARDINALITY = -2        # tf.data.UNKNOWN_CARDINALITY

_PEEK = threading.local()               # .on while element_spec looks at a first element (not a pass)
_STARTING = []                          # a _Start per pass making its first element (Dataset._pass)
_NOTHING = object()


class _Start:
    """A pass making its first element: the seeded shuffles that start a pass meanwhile note
    themselves (``noted``), and take the pass number kept for them when the pass was opened
    (``kept``: id of a shuffle's pass counter -> its number), as TensorFlow's iterator takes
    its shuffles' seeds when it is made, not when it is first read."""

    def __init__(self, kept):
        self.noted, self.kept = [], kept


def _call(fn, element, shapes=False, spec=None):
    """``fn`` on an element as the learner's code sees it (Tensors); a tuple element is
    spread over the function's arguments, as tf.data does. It runs as TensorFlow's traced
    functions do where that shows (``numpy_function``'s scalars: glassnet.tf.framework.TRACED);
    ``shapes``: this call's result gives a map's spec (``tf.cond`` runs both branches:
    glassnet.tf.data_sized), the element's sizes that ``spec`` (its dataset's) leaves None unknown."""
    element = tensors(element)
    if shapes and spec is not None:
        try:
            element = structure(_marked_as, element, spec)
        except (KeyError, TypeError, ValueError):   # (laid out otherwise: as it is)
            pass
    token = TRACED.set(True)
    try:
        with traced_shapes(bool(shapes)):
            return fn(*element) if isinstance(element, tuple) else fn(element)
    finally:
        TRACED.reset(token)


def _traced(fn):
    """``fn`` with the Python values it reads fixed as they are now, as TensorFlow's tracing at
    ``map()`` time fixes them: ``lambda ex: labeler(ex, i)`` made in a loop keeps the ``i`` of its
    own turn (the load-text tutorial labels each file so). Plain functions only; their globals
    and closure cells are copied (the objects in them are shared, not copied)."""
    if not isinstance(fn, types.FunctionType):
        return fn
    cells = None if fn.__closure__ is None else tuple(_frozen_cell(c) for c in fn.__closure__)
    frozen = types.FunctionType(fn.__code__, dict(fn.__globals__), fn.__name__, fn.__defaults__, cells)
    frozen.__kwdefaults__, frozen.__qualname__ = fn.__kwdefaults__, fn.__qualname__
    frozen.__dict__.update(fn.__dict__)
    return frozen


def _frozen_cell(cell):
    try:
        return types.CellType(cell.cell_contents)
    except ValueError:                      # not assigned yet (a function that names itself): as it is
        return cell


def _datasets_in(nested) -> list:
    """The datasets of a (nested) tuple or dict of them, in order."""
    if isinstance(nested, dict):
        return [d for v in nested.values() for d in _datasets_in(v)]
    if isinstance(nested, (tuple, list)):
        return [d for v in nested for d in _datasets_in(v)]
    if not isinstance(nested, Dataset):
        raise TypeError(f"Dataset.zip: expected datasets (or tuples/dicts of them), got {type(nested).__name__}")
    return [nested]


def _nested_as(nested, values):
    """``values`` (an iterator, one per dataset) put in ``nested``'s structure (lists as tuples)."""
    if isinstance(nested, dict):
        return {k: _nested_as(v, values) for k, v in nested.items()}
    if isinstance(nested, (tuple, list)):
        return tuple(_nested_as(v, values) for v in nested)
    return next(values)


def _count(value, what) -> int:
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind == "i":    # a scalar tensor
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"Dataset.{what} must be an integer, got {value!r}")
    return int(value)


def _makes(kind):
    """Name the dataset a method returns as TensorFlow's class of it (``repr`` shows
    ``<_BatchDataset element_spec=...>``); ``kind`` may be a function of the call's arguments."""
    def wrap(method):
        @functools.wraps(method)
        def named(*args, **kwargs):
            out = method(*args, **kwargs)
            if isinstance(out, Dataset) and not (args and out is args[0]):
                out._kind = kind(*args, **kwargs) if callable(kind) else kind
            return out
        return named
    return wrap


def _parallel(plain, parallel):
    """``plain``, or ``parallel`` when the call gave ``num_parallel_calls``."""
    def kind(*args, num_parallel_calls=None, **kwargs):
        return parallel if num_parallel_calls is not None else plain
    return kind


def _signature(types, shapes):
    """``output_types`` and ``output_shapes`` as a structure of TensorSpecs (a spec's shape
    None where no shapes were given: the elements' own, seen when they come)."""
    if isinstance(types, (tuple, list)):
        shapes = [None] * len(types) if shapes is None else list(shapes)
        if len(shapes) != len(types):
            raise ValueError(f"Dataset.from_generator: output_shapes has {len(shapes)} parts, output_types "
                             f"{len(types)}")
        return tuple(_signature(t, s) for t, s in zip(types, shapes))
    if isinstance(types, dict):
        return {k: _signature(t, None if shapes is None else shapes[k]) for k, t in types.items()}
    spec = TensorSpec((), np.dtype(getattr(types, "as_numpy_dtype", types)))
    spec.shape = None if shapes is None else TensorShape(tuple(shapes))
    return spec


def _folder(path, who, kept=None) -> str:
    """``path`` (str, bytes or a path) as a folder name; with ``kept`` (what a folder there is
    for), an existing file of that name is an error naming it."""
    folder = os.fspath(path.decode() if isinstance(path, bytes) else path)
    if kept is not None and os.path.exists(folder) and not os.path.isdir(folder):
        raise NotADirectoryError(f"{who}: {folder} is a file; {kept}")
    return folder


def _reduced(reduce_func, key, rows):
    """The elements of ``reduce_func(key, window)`` for one window of ``rows``."""
    window = Dataset(lambda: iter(rows), len(rows), spec_of(rows[0]))
    out = reduce_func(key.view(Tensor), window)
    if not isinstance(out, Dataset):
        raise TypeError(f"Dataset.group_by_window: reduce_func must return a Dataset, got {type(out).__name__}")
    return out._run()


class Options:
    """``tf.data.Options``: settings by attribute, in groups (``options.threading.
    private_threadpool_size = 4``, ``options.experimental_distribute.auto_shard_policy``);
    kept and given back, changing nothing here (glassnet's pipelines have no threads or
    graph to tune)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        group = Options()
        object.__setattr__(self, name, group)
        return group

    def __repr__(self):
        return f"Options({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


def _window_of(elements):
    """One window: a dataset over ``elements`` (a dataset per part for tuple or dict elements)."""
    def part(rows):
        window = Dataset(lambda: iter(rows), len(rows), spec_of(rows[0]))
        window._kind = "_VariantDataset"
        return window
    return structure(lambda *rows: part(rows), *elements)


class Dataset:
    """A re-runnable pipeline of elements: ``iter(dataset)`` starts it from the beginning.

    Made by :meth:`from_tensor_slices`, :meth:`from_tensors`, :meth:`range`,
    :meth:`from_generator`, :meth:`zip`, :meth:`list_files` or a file reader
    (``TextLineDataset``, ``experimental.CsvDataset``); each method below returns a new one.
    Inside, ``run()`` gives elements of plain arrays; iterating gives them as Tensors."""

    _is_dataset = True                       # a window's parts pass through map functions as they are
    _kind = "Dataset"                        # TensorFlow's name for this kind of dataset (set by _makes)

    def __init__(self, run, cardinality=UNKNOWN_CARDINALITY, spec=None, reads=False):
        self._run = run                      # () -> a fresh iterator of elements (plain arrays)
        self._cardinality = cardinality
        self._spec = spec                    # element_spec when known without running, else None
        self._reads = reads                  # reads files or calls a generator: prefetch overlaps it

    def _then(self, run, cardinality=UNKNOWN_CARDINALITY, spec=None):
        """A dataset made from this one (it reads what this one reads)."""
        return Dataset(run, cardinality, spec, self._reads)

    def _same(self, out):
        """``out``, whose elements are this one's (shuffled, repeated, cached...): TensorFlow's
        spec of them, a batch of unknown size included, goes with them."""
        out._unknown_batch = self._unknown_batch
        if out._spec is None:                # told as this one's is (a map's marks kept), not by a peek
            out._spec_from = lambda: self.element_spec
        return out

    # -- sources ---------------------------------------------------------------------------
    @staticmethod
    @_makes("_TensorSliceDataset")
    def from_tensor_slices(tensors, name=None):
        """One element per row: ``(x, y)`` gives ``(x[i], y[i])``; a dict (``dict(df)`` of a
        pandas DataFrame too) gives dicts; text becomes ``bytes``; a SparseTensor's rows are
        SparseTensors, a RaggedTensor's its rows (``data/composite.py``)."""
        arrays = as_input(tensors, "Dataset.from_tensor_slices")
        parts = leaves(arrays)
        if not parts or any(not is_composite(a) and a.ndim == 0 for a in parts):
            raise ValueError("Dataset.from_tensor_slices: every part must have at least one dimension "
                             "(its rows become the elements)")
        counts = [row_count(a) for a in parts]
        n = counts[0]
        if any(c != n for c in counts):
            raise ValueError(f"Dataset.from_tensor_slices: the parts must have the same number of rows; "
                             f"got {counts}")
        spec = structure(lambda a: slice_spec(a) if is_composite(a) else TensorSpec(a.shape[1:], a.dtype), arrays)
        spec = _with_marks(spec, tensors, lambda m: m if m == UNKNOWN_RANK else tuple(a - 1 for a in m if a))
        return Dataset(lambda: (structure(lambda a, i=i: a[i, ...] if isinstance(a, np.ndarray) else row(a, i), arrays)
                                for i in range(n)), n, spec)

    @staticmethod
    @_makes("_TensorDataset")
    def from_tensors(tensors, name=None):
        """One element: ``tensors`` itself."""
        element = as_input(tensors, "Dataset.from_tensors")
        return Dataset(lambda: iter([element]), 1, _with_marks(spec_of(element), tensors, lambda m: m))

    @staticmethod
    @_makes("_RangeDataset")
    def range(*args, output_type=np.int64, name=None):
        """``range(stop)``, ``range(start, stop[, step])``: int64 scalars."""
        r = range(*(int(a) for a in args))
        dtype = np.dtype(output_type)
        return Dataset(lambda: (np.array(i, dtype) for i in r), len(r), TensorSpec((), dtype))

    @staticmethod
    @_makes("_FlatMapDataset")
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                       name=None):
        """The elements ``generator()`` yields (called anew for each pass)."""
        if not callable(generator):
            raise TypeError("Dataset.from_generator: generator must be a callable that returns an iterator")
        call = (lambda: generator(*args)) if args else generator
        spec = output_signature
        if spec is None and output_types is not None:           # TensorFlow's older spelling of a signature
            spec = _signature(output_types, output_shapes)
        if spec is None:
            return Dataset(lambda: (as_element(e, "Dataset.from_generator") for e in call()), reads=True)
        spec = tuple(spec) if isinstance(spec, list) else spec

        def conform(s, value):
            if isinstance(s, tuple):
                return tuple(conform(a, b) for a, b in zip(s, value, strict=True))
            if isinstance(s, dict):
                return type(s)((k, conform(s[k], value[k])) for k in s)
            return as_array(value, "Dataset.from_generator").astype(np.dtype(s.dtype), copy=False)

        def typed(e):                                   # each leaf in its signature's dtype, as TensorFlow
            try:
                return conform(spec, tuple(e) if isinstance(e, list) else e)
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"Dataset.from_generator: an element does not match output_signature "
                                 f"{spec}: {error}") from None
        known = not any(s.shape is None for s in leaves(spec)) if isinstance(spec, (tuple, dict)) \
            else spec.shape is not None
        return Dataset(lambda: (typed(e) for e in call()), spec=spec if known else None, reads=True)

    @staticmethod
    @_makes("_ZipDataset")
    def zip(*datasets, name=None):
        """Elements side by side: ``zip((a, b))`` gives ``(a_i, b_i)``; a nested structure of
        datasets gives elements of that structure (``zip((images, (counter, counter)))``: the
        data-augmentation tutorial's ``((x, y), (seed, seed))``)."""
        nested = datasets[0] if len(datasets) == 1 and isinstance(datasets[0], (tuple, list, dict)) else datasets
        datasets = _datasets_in(nested)
        sizes = [d._cardinality for d in datasets]
        known = [s for s in sizes if s >= 0]
        size = min(known) if known else (INFINITE_CARDINALITY if all(s == INFINITE_CARDINALITY for s in sizes)
                                         else UNKNOWN_CARDINALITY)
        specs = [d._spec for d in datasets]
        zipped = Dataset(lambda: (_nested_as(nested, iter(row)) for row in zip(*(d._run() for d in datasets))), size,
                         _nested_as(nested, iter(specs)) if all(s is not None for s in specs) else None,
                         any(d._reads for d in datasets))
        zipped._spec_from = lambda: _nested_as(nested, iter([d.element_spec for d in datasets]))   # (their own)
        return zipped

    @staticmethod
    @_makes("_DirectedInterleaveDataset")
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None):
        """Each element from one of ``datasets``, picked at random with probability ``weights``
        (equal when None), as TensorFlow's (the resampling of an imbalanced set). A dataset that
        runs out leaves the draw (the others' weights renormalised), or, with
        ``stop_on_empty_dataset``, ends it. Draws: glassnet's generator, or ``seed``'s."""
        datasets = list(datasets)
        if not datasets:
            raise ValueError("Dataset.sample_from_datasets: datasets must not be empty")
        if weights is None:
            weights = [1.0] * len(datasets)
        p = np.asarray(weights.numpy() if hasattr(weights, "numpy") else weights, dtype=np.float64)
        if p.shape != (len(datasets),) or not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
            raise ValueError(f"Dataset.sample_from_datasets: weights must be {len(datasets)} numbers >= 0 "
                             f"with a positive sum, one per dataset; got {weights!r}")
        fixed = None if seed is None else np.random.default_rng(seed)

        def run():
            if seed is not None and not rerandomize_each_iteration:      # TF: the same draws every pass
                gen = np.random.default_rng(seed)
            else:
                gen = fixed if fixed is not None else draws()
            sources, live = [d._run() for d in datasets], p.copy()
            while live.sum() > 0:
                i = int(gen.choice(len(sources), p=live / live.sum()))
                try:
                    yield next(sources[i])
                except StopIteration:
                    if stop_on_empty_dataset:
                        return
                    live[i] = 0.0
        sizes = [d._cardinality for d in datasets]
        size = INFINITE_CARDINALITY if all(n == INFINITE_CARDINALITY for n in sizes) else UNKNOWN_CARDINALITY
        return Dataset(run, size, None, any(d._reads for d in datasets))

    @staticmethod
    @_makes("_DirectedInterleaveDataset")
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
        """Element ``k`` from ``datasets[choice_k]``, the indices read from ``choice_dataset``
        (int64 scalars), as TensorFlow's; a chosen dataset that ran out ends it (or is skipped
        with ``stop_on_empty_dataset=False``)."""
        datasets = list(datasets)

        def run():
            sources = [d._run() for d in datasets]
            for choice in choice_dataset:
                i = int(np.asarray(choice))
                if not 0 <= i < len(sources):
                    raise ValueError(f"Dataset.choose_from_datasets: choice {i} is not an index of the "
                                     f"{len(sources)} datasets")
                try:
                    yield next(sources[i])
                except StopIteration:
                    if stop_on_empty_dataset:
                        return
        return Dataset(run, UNKNOWN_CARDINALITY, None, any(d._reads for d in datasets))

    @staticmethod
    @_makes(lambda file_pattern, shuffle=None, *a, **k: "_TensorSliceDataset" if shuffle is False else "_ShuffleDataset")
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """The files matching ``file_pattern`` (a glob, or a list of them) as string scalars,
        shuffled each pass unless ``shuffle=False`` (then sorted). No match is an error, here."""
        import glob  # noqa: PLC0415 - only list_files globs
        patterns = [file_pattern] if not isinstance(file_pattern, (list, tuple)) else list(file_pattern)
        names = []
        for pattern in patterns:
            pattern = pattern.decode() if isinstance(pattern, bytes) else os.fspath(pattern)
            found = glob.glob(pattern)
            if not os.path.dirname(pattern):                # TensorFlow names them ./name
                found = [os.path.join(".", f) for f in found]
            names.extend(found)
        if not names:                   # TensorFlow's error and words (the pix2pix tutorial catches it)
            from ..tf.errors import InvalidArgumentError  # noqa: PLC0415
            raise InvalidArgumentError(None, None, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. "
                                       f"Summarized data: b'No files matched pattern: {', '.join(map(os.fsdecode, patterns))}'")
        files = Dataset.from_tensor_slices(np.array(sorted(names), dtype=object))
        if shuffle is None or shuffle:
            files = files.shuffle(len(names), seed=seed)
        return files

    # -- transformations -------------------------------------------------------------------
    @_makes(_parallel("_BatchDataset", "_ParallelBatchDataset"))
    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        """Consecutive elements stacked ``batch_size`` at a time (the last batch may be
        smaller unless ``drop_remainder``)."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"Dataset.batch: batch_size must be an integer >= 1, got {batch_size!r}")
        return self._batches(batch_size, drop_remainder, lambda: stack)

    def _batches(self, batch_size, drop_remainder, stacker, ragged=False):
        """``batch`` and ``ragged_batch``: ``stacker()`` gives, for one pass, the function that
        makes each leaf of a batch from its parts (arrays stacked; RaggedTensors, SparseTensors
        and ragged rows as ``data/composite.py`` says)."""
        specs = self._spec

        def run():
            source, stacked = self._run(), stacker()
            while True:
                chunk = list(itertools.islice(source, batch_size))
                if not chunk or (drop_remainder and len(chunk) < batch_size):
                    return
                getattr(stacked, "start", lambda: None)()
                if specs is None:
                    yield structure(lambda *parts: stacked(parts), *chunk)
                else:
                    yield structure(lambda s, *parts: stacked(parts, s), specs, *chunk)
        n = self._cardinality
        if n >= 0:
            n = n // batch_size if drop_remainder else math.ceil(n / batch_size)
        size = batch_size if drop_remainder else None
        batched = self._then(run, n, self._batched_spec(size, ragged))
        batched._unknown_batch = not drop_remainder     # TensorFlow's spec: (None, ...) unless drop_remainder
        if batched._spec is None and not ragged:        # (ragged_batch's kind of leaf is seen in a batch)
            batched._spec_from = lambda: self._batched_spec(size, spec=self.element_spec)
        return batched

    def _batched_spec(self, size, ragged=False, spec=None):
        """The spec of batches of ``size`` (None: unknown) of this dataset's elements (of ``spec``);
        None where it is told only by a batch itself."""
        spec = self._spec if spec is None else spec
        if spec is None or not all(isinstance(s, TensorSpec) or is_composite_spec(s) for s in leaves(spec)):
            return None
        return structure(lambda s: batched_spec(s, size, ragged) or
                         TensorSpec(None if s.shape.rank is None else (size, *s.shape), s.dtype), spec)

    @_makes("_BatchDataset")                   # TensorFlow's ragged_batch is a batch of its own kind of elements
    def ragged_batch(self, batch_size, drop_remainder=False, row_splits_dtype=np.int64, name=None):
        """``batch``, but a leaf whose shape varies from element to element becomes a
        ``RaggedTensor`` (ragged along its leading axes up to the last varying one); a leaf of
        fixed shape is stacked, RaggedTensors gain a ragged dimension (``data/composite.py``)."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"Dataset.ragged_batch: batch_size must be an integer >= 1, got {batch_size!r}")
        return self._batches(batch_size, drop_remainder, RaggedStacker, ragged=True)

    @_makes("_PaddedBatchDataset")
    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False, name=None):
        """As :meth:`batch`, each leaf first padded to ``padded_shapes`` (``None`` or -1 in it,
        or no shapes at all: the longest in the batch) with ``padding_values`` (0, or b"")."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"Dataset.padded_batch: batch_size must be an integer >= 1, got {batch_size!r}")

        def run():
            source = self._run()
            while True:
                chunk = list(itertools.islice(source, batch_size))
                if not chunk or (drop_remainder and len(chunk) < batch_size):
                    return
                shapes = padded_shapes if padded_shapes is not None else structure(lambda a: None, chunk[0])
                values = padding_values if padding_values is not None else structure(lambda a: None, chunk[0])
                if not isinstance(chunk[0], (tuple, dict)):
                    yield pad(chunk, shapes, values)
                else:
                    yield structure(lambda shape, value, *parts: pad(parts, shape, value), shapes if
                                    isinstance(shapes, type(chunk[0])) else structure(lambda a: shapes, chunk[0]),
                                    values if isinstance(values, type(chunk[0]))
                                    else structure(lambda a: values, chunk[0]), *chunk)
        n = self._cardinality
        if n >= 0:
            n = n // batch_size if drop_remainder else math.ceil(n / batch_size)
        padded = self._then(run, n)
        padded._spec_from = lambda: padded_spec(self.element_spec, padded_shapes, batch_size if drop_remainder
                                                else None)
        return padded

    @_makes("_UnbatchDataset")
    def unbatch(self, name=None):
        """The rows of each element, one by one (the inverse of ``batch``)."""
        def run():
            for element in self._run():
                for i in range(row_count(leaves(element)[0])):
                    yield structure(lambda a, i=i: a[i, ...] if isinstance(a, np.ndarray) else row(a, i), element)
        def spec_of_rows(spec):
            ranks = [getattr(getattr(s, "shape", None), "rank", None) for s in leaves(spec)]
            return None if any(r is None or r == 0 for r in ranks) else structure(row_spec, spec)
        rows = self._then(run, spec=None if self._spec is None else spec_of_rows(self._spec))
        rows._spec_from = lambda: spec_of_rows(self.element_spec)
        return rows

    @_makes("_WindowDataset")
    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """A dataset of windows, each a small dataset (for a tuple or dict element, a tuple
        or dict of datasets, one per part) of up to ``size`` elements ``stride`` apart; a
        window starts every ``shift`` (default ``size``) elements, and the last ones are
        shorter unless ``drop_remainder``. As TensorFlow, ``.flat_map(lambda w:
        w.batch(size))`` turns them back into tensors. Only one window's elements are held."""
        size = _count(size, "window: size")
        shift = size if shift is None else _count(shift, "window: shift")
        stride = _count(stride, "window: stride")
        for what, value in (("size", size), ("shift", shift), ("stride", stride)):
            if value < 1:
                raise ValueError(f"Dataset.window: Window {what} must be greater than zero, got {what}={value}")
        span = (size - 1) * stride + 1                  # elements a full window reaches over

        def windows():
            source = self._run()
            buffer = list(itertools.islice(source, span))
            while buffer:
                if len(buffer) < span and drop_remainder:
                    return
                yield _window_of(buffer[0:span:stride])
                if shift < len(buffer):
                    del buffer[:shift]
                else:                                   # the next window starts past the buffer
                    for _ in itertools.islice(source, shift - len(buffer)):
                        pass
                    buffer = []
                buffer.extend(itertools.islice(source, span - len(buffer)))
        n = self._cardinality
        if n >= 0:
            n = max(0, (n - span) // shift + 1) if drop_remainder else math.ceil(n / shift)
        return self._then(windows, n)

    @_makes(_parallel("_MapDataset", "_ParallelMapDataset"))
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """``map_func`` on each element, given as Tensors (a tuple element is spread over its
        arguments); runs in order, one element at a time."""
        map_func = _traced(map_func)

        def run():
            for e in self._run():
                tracing = mapped._sized_by_data is None
                out = _call(map_func, e, shapes=tracing, spec=self._known_spec() if tracing else None)
                if tracing:                                 # (what TensorFlow's trace leaves unknown)
                    mapped._sized_by_data = _data_sized_axes(out)
                yield as_element(out, "Dataset.map")
        mapped = self._then(run, self._cardinality)
        mapped._unknown_batch = self._batches_of_unknown_size()
        return mapped

    _unknown_batch = False                  # map of batches whose size TensorFlow would not know (None)
    _spec_from = None                       # () -> the spec, or None, where it follows another dataset's
    _sized_by_data = None                   # a map's: per leaf, the axes its data sized (tf.strings.split's)

    def _batches_of_unknown_size(self) -> bool:
        if self._spec is None:
            return self._unknown_batch
        specs = leaves(self._spec)
        return bool(specs) and all(len(s.shape) > 0 and s.shape[0] is None for s in specs)

    @_makes("_FilterDataset")
    def filter(self, predicate, name=None):
        """The elements for which ``predicate`` is true."""
        predicate = _traced(predicate)
        return self._same(self._then(lambda: (e for e in self._run() if bool(np.all(_call(predicate, e)))),
                                     spec=self._spec))

    @_makes("_FlatMapDataset")
    def flat_map(self, map_func, name=None):
        """The elements of the dataset ``map_func`` makes of each element, one after another."""
        return self.interleave(map_func, cycle_length=1)

    @_makes(_parallel("_InterleaveDataset", "_ParallelInterleaveDataset"))
    def interleave(self, map_func, cycle_length=None, block_length=None, num_parallel_calls=None,
                   deterministic=None, name=None):
        """The elements of the datasets ``map_func`` makes of each element, in TensorFlow's
        order: ``cycle_length`` of them open at once (default: the machine's cores),
        ``block_length`` (default 1) elements from each in turn."""
        if cycle_length in (None, AUTOTUNE):
            cycle = os.cpu_count() or 1                  # TensorFlow's default: the machine's cores
        else:
            cycle = _count(cycle_length, "interleave: cycle_length")
        block = 1 if block_length in (None, AUTOTUNE) else _count(block_length, "interleave: block_length")
        if cycle < 1 or block < 1:
            raise ValueError(f"Dataset.interleave: cycle_length and block_length must be >= 1, got "
                             f"{cycle_length!r} and {block_length!r}")
        map_func = _traced(map_func)

        def made(element):
            dataset = _call(map_func, element)
            if not isinstance(dataset, Dataset):
                raise TypeError(f"Dataset.interleave: map_func must return a Dataset, got {type(dataset).__name__}")
            return dataset._run
        # reads=True: the datasets made inside (files, usually) cannot be told before they run
        out = Dataset(lambda: interleave_runs((made(e) for e in self._run()), cycle, block), reads=True)

        def spec():                         # TensorFlow's: the spec of the dataset its trace makes
            first = self._peek()
            inner = None if first is None else _call(map_func, first, shapes=True)
            return inner.element_spec if isinstance(inner, Dataset) else None
        out._spec_from = spec
        return out

    @_makes("_MapDataset")
    def rejection_resample(self, class_func, target_dist, initial_dist=None, seed=None, name=None):
        """``(class, element)`` pairs whose classes follow ``target_dist``, as TensorFlow
        resamples: with the ratios ``r = target / initial``, an element is taken straight from
        the data with probability ``min(r)``, and otherwise from a second pass that keeps each
        element of class ``c`` with probability ``(r_c - min r) / (max r - min r)``. Without
        ``initial_dist`` the class frequencies seen so far stand in for it."""
        target = np.asarray(target_dist, np.float64).reshape(-1)
        if target.size == 0 or np.any(target < 0) or not np.isclose(target.sum(), 1.0):
            raise ValueError(f"Dataset.rejection_resample: target_dist must be probabilities adding up to 1, "
                             f"got {target_dist!r}")
        known = None if initial_dist is None else np.asarray(initial_dist, np.float64).reshape(-1)
        if known is not None and (known.shape != target.shape or np.any(known <= 0)):
            raise ValueError(f"Dataset.rejection_resample: initial_dist must be {target.size} probabilities > 0, "
                             f"one per class of target_dist; got {initial_dist!r}")
        fixed = None if seed is None else np.random.default_rng(seed)

        def classed(e):
            label = as_element(_call(class_func, e), "rejection_resample: class_func")
            c = int(np.asarray(label))
            if not 0 <= c < target.size:
                raise ValueError(f"Dataset.rejection_resample: class_func gave class {c}, outside the "
                                 f"{target.size} classes of target_dist")
            return c, label

        def run():
            gen = fixed if fixed is not None else draws()
            seen = np.zeros(target.size)
            straight, second = self._run(), self._run()
            while True:
                ratio = target / (known if known is not None else np.maximum(seen, 1) / max(seen.sum(), 1))
                low, high = ratio.min(), ratio.max()
                if gen.random() < (1.0 if high == low else low):
                    e = next(straight, None)
                    if e is None:
                        return
                    c, label = classed(e)
                    seen[c] += 1
                    yield label, e
                    continue
                for e in second:                        # rejection: keep class c with (r_c - min) / (max - min)
                    c, label = classed(e)
                    seen[c] += 1
                    if gen.random() < (ratio[c] - low) / (high - low):
                        yield label, e
                        break
                else:
                    return
        return self._then(run, UNKNOWN_CARDINALITY)

    @_makes("_ShuffleDataset")
    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Elements in random order, mixed through a buffer of ``buffer_size`` (as
        TensorFlow: a buffer as large as the data shuffles it fully). With ``seed`` or under
        ``tf.random.set_seed``, TensorFlow's order (its seeds taken now, each pass's from them:
        :func:`glassnet.seeding.shuffle_stream`); with neither, glassnet's generator."""
        if isinstance(buffer_size, bool) or not isinstance(buffer_size, (int, np.integer)) or \
                not (buffer_size >= 1 or buffer_size == AUTOTUNE):
            raise ValueError(f"Dataset.shuffle: buffer_size must be an integer >= 1, got {buffer_size!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"Dataset.shuffle: seed must be an integer or None, got seed={seed!r}")
        from ..tf.random import get_seed  # noqa: PLC0415 - TensorFlow's seed rule, at the call as TF's
        seeds = get_seed(None if seed is None else int(seed))
        passes = [0]

        def run():
            size = max(1, buffer_size if buffer_size != AUTOTUNE else 1024)
            if seeds is not None:
                from ..seeding import shuffle_pass_seeds, shuffle_stream  # noqa: PLC0415
                number = None
                if _STARTING and not getattr(_PEEK, "on", False):
                    start = _STARTING[-1]         # the pass starting innermost (a generator may read another)
                    start.noted.append(passes)
                    number = start.kept.pop(id(passes), None)
                if number is None:                # TF's iterators each take new seeds
                    number = passes[0]
                    passes[0] += 0 if getattr(_PEEK, "on", False) else 1
                pass_seeds = shuffle_pass_seeds(seeds, reshuffle_each_iteration, number)
                yield from shuffle_stream(self._run(), size, *pass_seeds)
                return
            draw = draws()
            buffer = []
            for element in self._run():
                buffer.append(element)
                if len(buffer) >= size:
                    i = int(draw.integers(len(buffer)))
                    buffer[i], buffer[-1] = buffer[-1], buffer[i]
                    yield buffer.pop()
            while buffer:
                i = int(draw.integers(len(buffer)))
                buffer[i], buffer[-1] = buffer[-1], buffer[i]
                yield buffer.pop()
        return self._same(self._then(run, self._cardinality, self._spec))

    @_makes("_RepeatDataset")
    def repeat(self, count=None, name=None):
        """The whole pass ``count`` times, or forever (``None`` or -1)."""
        count = None if count is None else _count(count, "repeat: count")
        forever = count is None or count == -1
        n = self._cardinality
        size = (INFINITE_CARDINALITY if n != 0 else 0) if forever else (n * count if n >= 0 else n)

        def run():
            passes = itertools.count() if forever else range(count)
            for _ in passes:
                yield from self._run()
        return self._same(self._then(run, size, self._spec))

    @_makes("_TakeDataset")
    def take(self, count, name=None):
        """The first ``count`` elements (all with -1)."""
        count = _count(count, "take: count")
        if count == -1:
            return self
        n = self._cardinality
        size = min(n, count) if n >= 0 else (count if n == INFINITE_CARDINALITY else n)
        return self._same(self._then(lambda: itertools.islice(self._run(), count), size, self._spec))

    @_makes("_TakeWhileDataset")
    def take_while(self, predicate, name=None):
        """The elements up to the first for which ``predicate`` is false."""
        return self._same(self._then(lambda: itertools.takewhile(lambda e: bool(np.all(_call(predicate, e))),
                                                                 self._run()), spec=self._spec))

    @_makes("_SkipDataset")
    def skip(self, count, name=None):
        """All but the first ``count`` elements."""
        count = _count(count, "skip: count")
        n = self._cardinality
        return self._same(self._then(lambda: itertools.islice(self._run(), count, None),
                                     max(n - count, 0) if n >= 0 else n, self._spec))

    @_makes("_ConcatenateDataset")
    def concatenate(self, dataset, name=None):
        """This dataset's elements, then ``dataset``'s."""
        a, b = self._cardinality, dataset._cardinality
        size = a + b if a >= 0 and b >= 0 else (INFINITE_CARDINALITY if INFINITE_CARDINALITY in (a, b)
                                                else UNKNOWN_CARDINALITY)
        both = Dataset(lambda: itertools.chain(self._run(), dataset._run()), size, None, self._reads or dataset._reads)
        both._spec_from = lambda: _most_specific(self.element_spec, dataset.element_spec)   # (TensorFlow's)
        return both

    @_makes("_ZipDataset")
    def enumerate(self, start=0, name=None):
        """``(index, element)`` pairs."""
        spec = None if self._spec is None else (TensorSpec((), np.int64), self._spec)
        counted = self._then(lambda: ((np.array(i, np.int64), e) for i, e in enumerate(self._run(), start)),
                             self._cardinality, spec)
        counted._spec_from = lambda: (TensorSpec((), np.int64), self.element_spec)
        return counted

    @_makes("_ScanDataset")
    def scan(self, initial_state, scan_func, name=None):
        """``scan_func(state, element) -> (new state, output)`` over the elements in turn: the
        outputs (a running sum, a cumulative count), the state carried from one to the next."""
        def run():
            state = tensors(as_input(initial_state, "Dataset.scan: initial_state"))
            for element in self._run():
                tracing = scanned._sized_by_data is None
                with traced_shapes(tracing):
                    result = scan_func(state, tensors(element))
                if not isinstance(result, (tuple, list)) or len(result) != 2:
                    raise ValueError("Dataset.scan: scan_func must return a pair (new_state, output_element)")
                if tracing:                                 # (what TensorFlow's trace leaves unknown)
                    scanned._sized_by_data = _data_sized_axes(result[1])
                state = tensors(as_input(result[0], "Dataset.scan: the new state"))
                yield as_element(result[1], "Dataset.scan: the output element")
        scanned = self._then(run, self._cardinality)
        return scanned

    @_makes("_ShardDataset")
    def shard(self, num_shards, index, name=None):
        """Every ``num_shards``-th element, starting with element ``index`` (one worker's part)."""
        num_shards, index = _count(num_shards, "shard: num_shards"), _count(index, "shard: index")
        if num_shards < 1 or not 0 <= index < num_shards:
            raise ValueError(f"Dataset.shard: index must be in [0, num_shards), num_shards >= 1; got index={index}, "
                             f"num_shards={num_shards}")
        n = self._cardinality
        size = max(0, -(-(n - index) // num_shards)) if n >= 0 else n
        return self._same(self._then(lambda: itertools.islice(self._run(), index, None, num_shards), size, self._spec))

    @_makes("_UniqueDataset")
    def unique(self, name=None):
        """Each distinct element once, where it first comes (scalars of ints or strings)."""
        def run():
            seen = set()
            for element in self._run():
                if not isinstance(element, np.ndarray) or element.ndim != 0 or element.dtype.kind not in "iuO":
                    raise TypeError("Dataset.unique: elements must be integer or string scalars")
                key = element.item()
                if key not in seen:
                    seen.add(key)
                    yield element
        return self._then(run, UNKNOWN_CARDINALITY, self._spec)

    @_makes("_RebatchDataset")
    def rebatch(self, batch_size, drop_remainder=False, name=None):
        """The batches cut again to ``batch_size`` rows (the rows in the same order)."""
        return self.unbatch().batch(batch_size, drop_remainder=drop_remainder)

    @_makes("_OptionsDataset")
    def with_options(self, options, name=None):
        """The same elements; ``options`` (a ``tf.data.Options``) are kept and given back by
        :meth:`options`. glassnet's pipelines have no threads or optimizations to tune."""
        if not isinstance(options, Options):
            raise TypeError(f"Dataset.with_options: options must be a tf.data.Options, got {type(options).__name__}")
        out = self._same(self._then(self._run, self._cardinality, self._spec))
        out._options = options
        return out

    def options(self):
        return getattr(self, "_options", None) or Options()

    @_makes("_GroupByWindowDataset")
    def group_by_window(self, key_func, reduce_func, window_size=None, window_size_func=None, name=None):
        """Elements grouped by ``key_func(element)`` (an int64 key) into windows of
        ``window_size`` (or ``window_size_func(key)``); each full window, and at the end each
        part-filled one in the order its key first came, becomes ``reduce_func(key, window)``
        (a dataset), whose elements are given in turn."""
        if (window_size is None) == (window_size_func is None):
            raise ValueError("Dataset.group_by_window: give exactly one of window_size and window_size_func")

        def size_of(key):
            n = int(window_size) if window_size is not None else int(window_size_func(key))
            if n < 1:
                raise ValueError(f"Dataset.group_by_window: the window size must be >= 1, got {n} for key {int(key)}")
            return n

        def run():
            windows = {}
            for element in self._run():
                key = np.array(int(np.asarray(_call(key_func, element))), np.int64)
                rows = windows.setdefault(int(key), [])
                rows.append(element)
                if len(rows) >= size_of(key.view(Tensor)):
                    del windows[int(key)]
                    yield from _reduced(reduce_func, key, rows)
            for key, rows in windows.items():
                yield from _reduced(reduce_func, np.array(key, np.int64), rows)
        return self._then(run)

    @_makes("_GroupByWindowDataset")
    def bucket_by_sequence_length(self, element_length_func, bucket_boundaries, bucket_batch_sizes,
                                  padded_shapes=None, padding_values=None, pad_to_bucket_boundary=False,
                                  no_padding=False, drop_remainder=False, name=None):
        """Elements batched with others of about their length: bucket ``i`` holds lengths in
        ``[boundaries[i-1], boundaries[i])`` and is batched ``bucket_batch_sizes[i]`` at a time,
        padded to the longest in the batch (or, with ``pad_to_bucket_boundary``, to the bucket's
        boundary less one)."""
        bounds = [int(b) for b in bucket_boundaries]
        sizes = [int(b) for b in bucket_batch_sizes]
        if len(sizes) != len(bounds) + 1 or bounds != sorted(bounds):
            raise ValueError(f"Dataset.bucket_by_sequence_length: bucket_batch_sizes must have one more entry "
                             f"({len(bounds) + 1}) than the sorted bucket_boundaries ({len(bounds)}); got {len(sizes)}")

        def bucket(*element):
            length = int(np.asarray(element_length_func(*element)))
            if pad_to_bucket_boundary and length >= bounds[-1]:
                raise ValueError("Dataset.bucket_by_sequence_length: When pad_to_bucket_boundary=True, elements "
                                 f"must have length < max(bucket_boundaries) ({bounds[-1]}), got {length}")
            return sum(length >= b for b in bounds)

        def batched(key, window):
            size = sizes[int(key)]
            if no_padding:
                return window.batch(size, drop_remainder=drop_remainder)
            shapes = padded_shapes
            if pad_to_bucket_boundary:
                edge = bounds[int(key)] - 1
                shapes = structure(lambda s: (edge,) + tuple(s.shape[1:]), window.element_spec)
            return window.padded_batch(size, shapes, padding_values, drop_remainder=drop_remainder)
        return self.group_by_window(bucket, batched, window_size_func=lambda key: sizes[int(key)])

    @staticmethod
    @_makes("_ScanDataset")                     # TensorFlow 2.21 makes it with scan
    def counter(start=0, step=1, dtype=np.int64, name=None):
        """``start``, ``start + step``, ... for ever."""
        dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
        return Dataset(lambda: (np.array(v, dtype) for v in itertools.count(start, step)), INFINITE_CARDINALITY,
                       TensorSpec((), dtype))

    @staticmethod
    @_makes("_RandomDataset")
    def random(seed=None, rerandomize_each_iteration=None, name=None):
        """Random int64 scalars for ever (glassnet's generator, or ``seed``'s)."""
        def run():
            gen = np.random.default_rng(seed) if seed is not None else draws()
            while True:
                yield np.array(gen.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max), np.int64)
        return Dataset(run, INFINITE_CARDINALITY, TensorSpec((), np.int64))

    def save(self, path, compression=None, shard_func=None, checkpoint_args=None):
        """Every element written to the folder ``path`` (made if missing; the file appears whole
        when the pass ends), for :meth:`load` (``tf.data.Dataset.save``; glassnet's array-only
        format, not TensorFlow's snapshot files)."""
        from . import cache  # noqa: PLC0415 - loaded when a pipeline is saved
        folder = _folder(path, "Dataset.save", "a dataset is saved in a folder")
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, "dataset")
        if os.path.exists(target + cache.SUFFIX):
            os.remove(target + cache.SUFFIX)                # a new save replaces the old one
        for _ in cache.cached_in_file(self._run, target)():
            pass

    @staticmethod
    @_makes("_LoadDataset")
    def load(path, element_spec=None, compression=None, reader_func=None):
        """The dataset :meth:`save` wrote to ``path``."""
        from . import cache  # noqa: PLC0415
        folder = _folder(path, "Dataset.load")
        target = os.path.join(folder, "dataset")
        if not os.path.isfile(target + cache.SUFFIX):
            raise FileNotFoundError(f"Dataset.load: no dataset saved in {folder} (Dataset.save writes one)")

        def nothing():
            raise FileNotFoundError(f"Dataset.load: the saved dataset in {folder} was removed")
        return Dataset(cache.cached_in_file(nothing, target), spec=element_spec, reads=True)

    @_makes("CacheDataset")                    # TensorFlow's class has no underscore
    def cache(self, filename="", name=None):
        """The first complete pass kept, in memory (``""``) or in the file
        ``filename + ".glassnet-cache"``; later passes (and, from a file, later programs) read
        it instead of the source (:mod:`glassnet.data.cache`)."""
        from . import cache  # noqa: PLC0415 - loaded when a pipeline caches
        filename = os.fspath(filename.decode() if isinstance(filename, bytes) else filename)
        if filename:
            return self._same(Dataset(cache.cached_in_file(self._run, filename), self._cardinality, self._spec, True))
        return self._same(Dataset(cache.cached_in_memory(self._run), self._cardinality, self._spec, False))

    @_makes("_SnapshotDataset")
    def snapshot(self, path, compression="AUTO", reader_func=None, shard_func=None, name=None):
        """``tf.data.Dataset.snapshot``: as ``cache`` to a file, kept in the folder ``path``
        (made if missing): the first complete pass is written, later passes and programs read
        it. ``compression``, ``reader_func`` and ``shard_func`` are accepted and unused."""
        from . import cache  # noqa: PLC0415 - loaded when a pipeline caches
        folder = _folder(path, "Dataset.snapshot", "a snapshot is kept in a folder")
        run = cache.cached_in_file(self._run, os.path.join(folder, "snapshot"))

        def make_folder_then_run():
            os.makedirs(folder, exist_ok=True)
            return run()
        return Dataset(make_folder_then_run, self._cardinality, self._spec, True)

    @_makes("_PrefetchDataset")
    def prefetch(self, buffer_size=AUTOTUNE, name=None):
        """Elements made ahead, up to ``buffer_size`` (AUTOTUNE: 2, enough to overlap), on a
        background thread, for a pipeline that reads files or calls a generator
        (:mod:`glassnet.data.prefetch`); an in-memory pipeline is already as fast as it can
        be and runs as it is."""
        size = 2 if buffer_size in (None, AUTOTUNE) else _count(buffer_size, "prefetch: buffer_size")
        if size < 0:
            raise ValueError(f"Dataset.prefetch: buffer_size must be >= 0 or AUTOTUNE, got {buffer_size!r}")
        if not self._reads or size == 0:
            return self._same(self._then(self._run, self._cardinality, self._spec))      # nothing to overlap: the same pass
        return self._same(Dataset(lambda: prefetched(self._run, size), self._cardinality, self._spec, False))

    def apply(self, transformation_func):
        """``transformation_func(self)``."""
        return transformation_func(self)

    @_makes("_IgnoreErrorsDataset")
    def ignore_errors(self, log_warning=False, name=None):
        """The elements, skipping those that raise an error. A file reader (``CsvDataset``)
        skips its bad rows and reads on; any other pipeline ends its pass at the first error
        (a Python generator cannot go on after raising)."""
        lenient = getattr(self, "_lenient_run", None)
        if lenient is not None:
            return Dataset(lenient, UNKNOWN_CARDINALITY, self._spec, self._reads)

        def run():
            try:
                yield from self._run()
            except Exception as error:                      # noqa: BLE001 - TF's ignore_errors
                if log_warning:
                    import warnings  # noqa: PLC0415
                    warnings.warn(f"Dataset.ignore_errors: stopped at an error: {error}", stacklevel=2)
        return self._same(self._then(run, spec=self._spec))

    # -- reading ---------------------------------------------------------------------------
    _shuffles = ()                       # the pass counters of the seeded shuffles its passes started

    def _pass(self):
        """A pass of the elements (plain arrays), opened as TensorFlow makes an iterator: the
        seeded shuffles that earlier passes started take their pass's seeds now, even if it is
        never read (Keras's fit opens such a one at each epoch's end: engine/training.py); one
        first met in this pass takes them when it starts."""
        kept = {id(c): c[0] for c in self._shuffles}
        for counter in self._shuffles:
            counter[0] += 1
        return self._noting(self._run(), _Start(kept))

    def _noting(self, source, start):
        """``source`` as it is; while it makes its first element, ``start`` is among the passes
        starting, and the shuffles it notes are kept on this dataset for its next passes."""
        _STARTING.append(start)
        try:
            first = next(source, _NOTHING)
        finally:
            del _STARTING[next(i for i, s in enumerate(_STARTING) if s is start)]
        if start.noted:
            self._shuffles = tuple({id(c): c for c in (*self._shuffles, *start.noted)}.values())
        if first is _NOTHING:
            return
        yield first
        yield from source

    def __iter__(self):
        """The elements, each leaf a ``glassnet.Tensor`` (``.numpy()`` gives the array)."""
        return DatasetIterator(self)

    def as_numpy_iterator(self):
        """The elements as NumPy: arrays, and for 0-d leaves NumPy scalars or ``bytes``; an
        iterator that also answers TensorFlow's ``.next()`` (the transfer-learning tutorial's
        ``test_dataset.as_numpy_iterator().next()``)."""
        return NumpyIterator(structure(numpy_leaf, e) for e in self._pass())

    @property
    def element_spec(self):
        """The structure of an element with a :class:`TensorSpec` per leaf; where it cannot be
        told without running the pipeline, that of its first element."""
        if self._spec is None and self._spec_from is not None:
            spec = self._spec_from()                  # (a spec that follows its source's)
            if spec is not None:
                return spec
        if self._spec is None:
            first = self._peek()
            if first is None:
                raise ValueError("Dataset.element_spec: the dataset is empty, so its elements' spec is unknown")
            spec = spec_of(first)
            if self._unknown_batch:          # a map of batches: TensorFlow traces it with the batch size unknown
                lead = leaves(first)[0]
                size = (row_count(lead),) if is_composite(lead) else lead.shape[:1]
                spec = structure(lambda t: t if not hasattr(t, "shape") or tuple(t.shape)[:1] != size
                                 else TensorSpec((None, *t.shape[1:]), t.dtype) if isinstance(t, TensorSpec)
                                 else unknown_batch(t), spec)
            if self._sized_by_data is not None:
                try:
                    spec = structure(_unknown_axes, spec, self._sized_by_data)
                except (KeyError, TypeError):           # (an element laid out otherwise: left as it is)
                    pass
            return spec
        return self._spec

    def _known_spec(self):
        """The element_spec, or None for an empty or failing pipeline (a map's trace goes without)."""
        try:
            return self.element_spec
        except Exception:  # noqa: BLE001 - the pass itself will meet the same error where it is
            return None

    def _peek(self):
        """The first element (None for none), looked at, not a pass: a seeded shuffle's next pass
        keeps its seeds."""
        _PEEK.on = True
        try:
            return next(iter(self._run()), None)
        finally:
            _PEEK.on = False

    def reduce(self, initial_state, reduce_func, name=None):
        """``reduce_func(state, element)`` over every element in turn, from ``initial_state``
        (Python numbers become int32/float32 tensors, as TensorFlow's); the final state."""
        state = tensors(as_input(initial_state, "Dataset.reduce: initial_state"))
        for element in self._run():
            state = tensors(as_input(reduce_func(state, tensors(element)), "Dataset.reduce: reduce_func's result"))
        return state

    def get_single_element(self, name=None):
        """The one element of a dataset that has exactly one."""
        source = self._run()
        first = next(source, None)
        if first is None:
            raise ValueError("Dataset.get_single_element: the dataset is empty")
        if next(source, None) is not None:
            raise ValueError("Dataset.get_single_element: the dataset has more than one element")
        return tensors(first)

    def cardinality(self):
        """The number of elements, or ``INFINITE_CARDINALITY`` / ``UNKNOWN_CARDINALITY``, as
        TensorFlow's int64 scalar tensor (``int(...)``, ``.numpy()`` and ``%d`` work)."""
        return np.array(self._cardinality, np.int64).view(Tensor)

    def __len__(self):
        if self._cardinality == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if self._cardinality == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    def __repr__(self):
        """TensorFlow's: ``<_BatchDataset element_spec=...>`` (the spec of the first element
        where it cannot be told without running, as :attr:`element_spec`)."""
        try:
            spec = self.element_spec
        except Exception:  # noqa: BLE001 - an empty or failing pipeline still has a repr
            return f"<{self._kind}>"
        return f"<{self._kind} element_spec={spec}>"


class IteratorOptional:
    """``iterator.get_next_as_optional()``: an element, or none at the end of the data
    (``has_value()`` a bool tensor; ``get_value()`` the element, or TensorFlow's
    InvalidArgumentError when there is none)."""

    def __init__(self, value, present: bool):
        self._value, self._present = value, present

    def has_value(self, name=None):
        return tensors(np.array(self._present))

    def get_value(self, name=None):
        if not self._present:
            from ..tf.errors import InvalidArgumentError  # noqa: PLC0415
            raise InvalidArgumentError(None, None, "The optional does not have a value")
        return self._value


def _data_sized_axes(value):
    """For each leaf of what a map function returned (laid out as ``as_element`` lays it out),
    the axes whose length its data decided (``glassnet.tf.tensor.sized_by_data``)."""
    if isinstance(value, (tuple, list)) and not isinstance(value, np.ndarray):
        return tuple(_data_sized_axes(v) for v in value)
    if isinstance(value, dict):
        return type(value)((k, _data_sized_axes(v)) for k, v in value.items())
    return getattr(value, "_sized_by_data", ())


def _marked_as(t, spec):
    """A leaf ``t`` (a Tensor of an element) marked with the sizes its ``spec`` leaves None."""
    if not isinstance(spec, TensorSpec) or not isinstance(t, Tensor):
        return t
    return sized_by_data(t, UNKNOWN_RANK if spec.shape.rank is None else
                         tuple(i for i, d in enumerate(spec.shape) if d is None))


def _with_marks(spec, tensors, moved):
    """``spec`` with None where ``tensors`` (a source's argument, made in a map function) have
    axes sized by their data, ``moved`` taking a leaf's axes to the spec's (a slice's: one less)."""
    if not TRACING.get() or not isinstance(tensors, (Tensor, tuple, dict)):      # (made outside: known)
        return spec
    try:
        return structure(lambda s, m: _unknown_axes(s, moved(m)), spec, _data_sized_axes(tensors))
    except (KeyError, TypeError, ValueError):       # (laid out otherwise: as it is)
        return spec


def _most_specific(a, b):
    """The spec both ``a`` and ``b`` fit (``concatenate``'s, as TensorFlow's): a size where both
    have it, None where they differ; None (look at an element) where they differ otherwise."""
    def merged(x, y):
        if x == y:
            return x
        if not (isinstance(x, TensorSpec) and isinstance(y, TensorSpec)) or x.dtype != y.dtype:
            raise TypeError("(specs that differ otherwise than in sizes)")
        same_rank = x.shape.rank is not None and x.shape.rank == y.shape.rank
        return TensorSpec(tuple(p if p == q else None for p, q in zip(x.shape, y.shape)) if same_rank else None,
                          x.dtype)
    try:
        return structure(merged, a, b)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _unknown_axes(spec, axes):
    """A leaf's TensorSpec with ``axes`` as None, as TensorFlow's traced shape has them."""
    if not axes or not isinstance(spec, TensorSpec) or spec.shape.rank is None:
        return spec
    if axes == UNKNOWN_RANK:                    # (tf.py_function's result: shape <unknown>)
        return TensorSpec(None, spec.dtype)
    dims = list(spec.shape)
    return TensorSpec(tuple(None if i in axes else d for i, d in enumerate(dims)), spec.dtype)


class DatasetIterator:
    """``iter(dataset)``: the elements one by one (``next(it)``, ``it.get_next()``), as
    Tensors. A ``tf.train.Checkpoint(iterator=it)`` saves how far it has gone and restoring
    puts it back there by running the pipeline again to that point: exact where the pipeline
    gives the same elements each pass (no ``shuffle`` without a seed and
    ``reshuffle_each_iteration=False``); TensorFlow saves its buffers' contents instead."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._source = dataset._pass()
        self._position = 0

    def __iter__(self):
        return self

    def __next__(self):
        element = next(self._source)
        self._position += 1
        return tensors(element)

    def get_next(self):
        return next(self)

    def get_next_as_optional(self):
        """The next element wrapped in an optional (``has_value()`` False at the end, where
        ``next`` would stop), as TensorFlow's iterator gives it for loops that end on the data."""
        try:
            return IteratorOptional(next(self), True)
        except StopIteration:
            return IteratorOptional(None, False)

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def _checkpoint_state(self):
        """``(get, set, shape)`` of the saved state: the number of elements given."""
        return (lambda: np.array([self._position], np.int64),
                lambda saved: self._seek(int(np.asarray(saved).reshape(-1)[0])), (1,))

    def _seek(self, position: int) -> None:
        source = self._dataset._run()
        for _ in itertools.islice(source, position):
            pass
        self._source, self._position = source, position


class NumpyIterator:
    """``dataset.as_numpy_iterator()``: the elements as NumPy, by ``next(it)`` or ``it.next()``."""

    def __init__(self, source):
        self._source = source

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._source)

    def next(self):
        return next(self._source)
