"""TensorFlow's guide "Better performance with the tf.data API" (the sleeps 10x shorter and fewer items; the timings themselves, which tf.print writes to stderr, are not compared; the plots left out) run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the tutorial's cells
reconstructed in its style, stand-in data where it downloads). Lines in NUMERIC are the same text with
numbers equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

import numpy as np
from conftest import assert_guide_prints

# TF 2.21 printed these with NumPy's default print options (another test may leave others set)
_NUMPY_PRINT_DEFAULTS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                             floatmode="maxprec", sign="-", legacy=False)

GUIDE = r'''import itertools
import time
from collections import defaultdict

import numpy as np
import tensorflow as tf

class ArtificialDataset(tf.data.Dataset):
    def _generator(num_samples):
        # Opening the file
        time.sleep(0.003)

        for sample_idx in range(num_samples):
            # Reading data (line, record) from the file
            time.sleep(0.0015)

            yield (sample_idx,)

    def __new__(cls, num_samples=3):
        return tf.data.Dataset.from_generator(
            cls._generator,
            output_signature = tf.TensorSpec(shape = (1,), dtype = tf.int64),
            args=(num_samples,)
        )

class OldArtificialDataset(tf.data.Dataset):
    def _generator(num_samples):
        for sample_idx in range(num_samples):
            yield (sample_idx,)

    def __new__(cls, num_samples=3):
        return tf.data.Dataset.from_generator(
            cls._generator,
            output_types=tf.dtypes.int64,
            output_shapes=(1,),
            args=(num_samples,)
        )

def benchmark(dataset, num_epochs=2):
    start_time = time.perf_counter()
    seen = []
    for epoch_num in range(num_epochs):
        for sample in dataset:
            # Performing a training step
            time.sleep(0.001)
            seen.append(sample.numpy().tolist())
    tf.print("Execution time:", time.perf_counter() - start_time)
    print(len(seen), sorted(seen)[:4], type(dataset).__name__ != '')

ds = ArtificialDataset()
print(ds.element_spec, isinstance(ds, tf.data.Dataset))
print(OldArtificialDataset().element_spec, list(OldArtificialDataset(2).as_numpy_iterator()))
benchmark(ArtificialDataset())
benchmark(ArtificialDataset().prefetch(tf.data.AUTOTUNE))
benchmark(tf.data.Dataset.range(2).interleave(lambda _: ArtificialDataset()))
benchmark(tf.data.Dataset.range(4).interleave(ArtificialDataset))
benchmark(tf.data.Dataset.range(2).interleave(lambda _: ArtificialDataset(), num_parallel_calls=tf.data.AUTOTUNE))

def mapped_function(s):
    # Do some hard pre-processing
    tf.py_function(lambda: time.sleep(0.003), [], ())
    return s

benchmark(ArtificialDataset().map(mapped_function))
benchmark(ArtificialDataset().map(mapped_function, num_parallel_calls=tf.data.AUTOTUNE))
benchmark(ArtificialDataset().map(mapped_function).cache(), 5)

fast_dataset = tf.data.Dataset.range(1000)

def fast_benchmark(dataset, num_epochs=2):
    start_time = time.perf_counter()
    n = 0
    for _ in tf.data.Dataset.range(num_epochs):
        for _ in dataset:
            n += 1
    tf.print("Execution time:", time.perf_counter() - start_time)
    print(n, dataset.element_spec)

def increment(x):
    return x+1

fast_benchmark(fast_dataset.map(increment).batch(256))
fast_benchmark(fast_dataset.batch(256).map(increment))
print(tf.data.experimental.AUTOTUNE == tf.data.AUTOTUNE, tf.data.AUTOTUNE)

class TimeMeasuredDataset(tf.data.Dataset):
    # OUTPUT: (steps, timings, counters)
    OUTPUT_TYPES = (tf.dtypes.string, tf.dtypes.float32, tf.dtypes.int32)
    OUTPUT_SHAPES = ((2, 1), (2, 2), (2, 3))
    OUTPUT_SIGNATURE = (
        tf.TensorSpec(shape=(2, 1), dtype=tf.string),
        tf.TensorSpec(shape=(2, 2), dtype=tf.float32),
        tf.TensorSpec(shape=(2, 3), dtype=tf.int32),
    )

    _INSTANCES_COUNTER = itertools.count()  # Number of datasets generated
    _EPOCHS_COUNTER = defaultdict(itertools.count)  # Number of epochs done for each dataset

    def _generator(instance_idx, num_samples):
        epoch_idx = next(TimeMeasuredDataset._EPOCHS_COUNTER[instance_idx])

        # Opening the file
        open_enter = time.perf_counter()
        time.sleep(0.003)
        open_elapsed = time.perf_counter() - open_enter

        for sample_idx in range(num_samples):
            # Reading data (line, record) from the file
            read_enter = time.perf_counter()
            time.sleep(0.0015)
            read_elapsed = time.perf_counter() - read_enter

            yield (
                [("Open",), ("Read",)],
                [(open_enter, open_elapsed), (read_enter, read_elapsed)],
                [(instance_idx, epoch_idx, -1), (instance_idx, epoch_idx, sample_idx)]
            )
            open_enter, open_elapsed = -1., -1.  # Negative values will be filtered


    def __new__(cls, num_samples=3):
        return tf.data.Dataset.from_generator(
            cls._generator,
            output_signature=cls.OUTPUT_SIGNATURE,
            args=(next(cls._INSTANCES_COUNTER), num_samples)
        )

def timelined_benchmark(dataset, num_epochs=2):
    # Initialize accumulators
    steps_acc = tf.zeros([0, 1], dtype=tf.dtypes.string)
    times_acc = tf.zeros([0, 2], dtype=tf.dtypes.float32)
    values_acc = tf.zeros([0, 3], dtype=tf.dtypes.int32)

    start_time = time.perf_counter()
    for epoch_num in range(num_epochs):
        epoch_enter = time.perf_counter()
        for (steps, times, values) in dataset:
            # Record dataset preparation informations
            steps_acc = tf.concat((steps_acc, steps), axis=0)
            times_acc = tf.concat((times_acc, times), axis=0)
            values_acc = tf.concat((values_acc, values), axis=0)

            # Simulate training time
            train_enter = time.perf_counter()
            time.sleep(0.001)
            train_elapsed = time.perf_counter() - train_enter

            # Record training informations
            steps_acc = tf.concat((steps_acc, [["Train"]]), axis=0)
            times_acc = tf.concat((times_acc, [(train_enter, train_elapsed)]), axis=0)
            values_acc = tf.concat((values_acc, [values[-1]]), axis=0)

        epoch_elapsed = time.perf_counter() - epoch_enter
        # Record epoch informations
        steps_acc = tf.concat((steps_acc, [["Epoch"]]), axis=0)
        times_acc = tf.concat((times_acc, [(epoch_enter, epoch_elapsed)]), axis=0)
        values_acc = tf.concat((values_acc, [[-1, epoch_num, -1]]), axis=0)
        time.sleep(0.001)

    tf.print("Execution time:", time.perf_counter() - start_time)
    return {"steps": steps_acc, "times": times_acc, "values": values_acc}

def summarize(timeline):
    invalid_mask = np.logical_and(timeline['times'] > 0, timeline['steps'] != b'')[:,0]
    steps = timeline['steps'][invalid_mask].numpy()
    values = timeline['values'][invalid_mask].numpy()
    step_ids, indices = np.stack(np.unique(steps, return_index=True))
    step_ids = step_ids[np.argsort(indices)]
    print(timeline['steps'].shape, timeline['times'].dtype, timeline['values'].dtype, sorted(s.decode() for s in step_ids))
    print({s.decode(): int(np.sum(np.squeeze(steps == s))) for s in step_ids})

def map_decorator(func):
    def wrapper(steps, times, values):
        # Use a tf.py_function to prevent auto-graph from compiling the method
        return tf.py_function(
            func,
            inp=(steps, times, values),
            Tout=(steps.dtype, times.dtype, values.dtype)
        )
    return wrapper

_batch_map_num_items = 5

def dataset_generator_fun(*args):
    return TimeMeasuredDataset(num_samples=_batch_map_num_items)

@map_decorator
def naive_map(steps, times, values):
    map_enter = time.perf_counter()
    time.sleep(0.0001)
    map_elapsed = time.perf_counter() - map_enter

    return (
        tf.concat((steps, [["Map"]]), axis=0),
        tf.concat((times, [[map_enter, map_elapsed]]), axis=0),
        tf.concat((values, [values[-1]]), axis=0)
    )

naive_timeline = timelined_benchmark(
    tf.data.Dataset.range(2)
    .flat_map(dataset_generator_fun)
    .map(naive_map)
    .batch(_batch_map_num_items, drop_remainder=True)
    .unbatch(),
    2
)
summarize(naive_timeline)

@map_decorator
def time_consuming_map(steps, times, values):
    map_enter = time.perf_counter()
    time.sleep(0.0001 * values.shape[0])
    map_elapsed = time.perf_counter() - map_enter

    return (
        tf.concat((steps, tf.tile([[["1st map"]]], [steps.shape[0], 1, 1])), axis=1),
        tf.concat((times, tf.tile([[[map_enter, map_elapsed]]], [times.shape[0], 1, 1])), axis=1),
        tf.concat((values, tf.tile([[values[:][-1][0]]], [values.shape[0], 1, 1])), axis=1)
    )


@map_decorator
def memory_consuming_map(steps, times, values):
    map_enter = time.perf_counter()
    time.sleep(0.0001 * values.shape[0])
    map_elapsed = time.perf_counter() - map_enter

    return (
        tf.concat((steps, tf.tile([[["2nd map"]]], [steps.shape[0], 1, 1])), axis=1),
        tf.concat((times, tf.tile([[[map_enter, map_elapsed]]], [times.shape[0], 1, 1])), axis=1),
        tf.concat((values, tf.tile([[values[:][-1][0]]], [values.shape[0], 1, 1])), axis=1)
    )


optimized_timeline = timelined_benchmark(
    tf.data.Dataset.range(2)
    .interleave(
        dataset_generator_fun,
        num_parallel_calls=tf.data.AUTOTUNE
    )
    .batch(
        _batch_map_num_items,
        drop_remainder=True)
    .map(
        time_consuming_map,
        num_parallel_calls=tf.data.AUTOTUNE
    )
    .cache()
    .map(
        memory_consuming_map,
        num_parallel_calls=tf.data.AUTOTUNE
    )
    .prefetch(
        tf.data.AUTOTUNE
    )
    .unbatch(),
    2
)
summarize(optimized_timeline)
'''

TF_OUTPUT = [
    'TensorSpec(shape=(1,), dtype=tf.int64, name=None) True',
    'TensorSpec(shape=(1,), dtype=tf.int64, name=None) [array([0]), array([1])]',
    '6 [[0], [0], [1], [1]] True',
    '6 [[0], [0], [1], [1]] True',
    '12 [[0], [0], [0], [0]] True',
    '12 [[0], [0], [0], [0]] True',
    '12 [[0], [0], [0], [0]] True',
    '6 [[0], [0], [1], [1]] True',
    '6 [[0], [0], [1], [1]] True',
    '15 [[0], [0], [0], [0]] True',
    '8 TensorSpec(shape=(None,), dtype=tf.int64, name=None)',
    '8 TensorSpec(shape=(None,), dtype=tf.int64, name=None)',
    'True -1',
    "(82, 1) <dtype: 'float32'> <dtype: 'int32'> ['Epoch', 'Map', 'Open', 'Read', 'Train']",
    "{'Open': 4, 'Read': 20, 'Map': 20, 'Train': 20, 'Epoch': 2}",
    "(102, 1) <dtype: 'float32'> <dtype: 'int32'> ['1st map', '2nd map', 'Epoch', 'Open', 'Read', 'Train']",
    "{'Open': 4, 'Read': 20, '1st map': 20, '2nd map': 20, 'Train': 20, 'Epoch': 2}",
    '',
]
NUMERIC = []


def test_guide_prints_what_tensorflow_prints():
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(GUIDE, "data_performance", TF_OUTPUT, NUMERIC, fresh_functions=True)


def test_py_function_and_numpy_function_with_no_outputs():
    """``tf.py_function(f, [], ())`` runs ``f`` for its side effect: TF 2.21 answers [] (numpy_function: None)."""
    import glassnet as tf
    calls = []
    assert tf.py_function(lambda: calls.append(1), [], ()) == []
    assert tf.py_function(lambda: calls.append(2), [], []) == []
    assert tf.numpy_function(lambda: calls.append(3), [], []) is None
    assert calls == [1, 2, 3]
