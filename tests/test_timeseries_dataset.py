"""keras.utils.timeseries_dataset_from_array against Keras 3.15's answers (written in as
constants by tools/make_keras_timeseries.py), and Dataset.window against TensorFlow's."""
import re

import numpy as np
import pytest

import glassnet as tf
from glassnet.data import timeseries
from conftest import load_tool

TOOL = load_tool("make_keras_timeseries")
CASES, ERRORS = TOOL.CASES, TOOL.ERRORS        # the cases Keras answered
# Keras 3.15 (tools/make_keras_timeseries.py)
KERAS = {'plain': [[[0, 1, 2, 3, 4], [1, 2, 3, 4, 5], [2, 3, 4, 5, 6], [3, 4, 5, 6, 7]],
                    [[4, 5, 6, 7, 8], [5, 6, 7, 8, 9], [6, 7, 8, 9, 10], [7, 8, 9, 10, 11]],
                    [[8, 9, 10, 11, 12], [9, 10, 11, 12, 13], [10, 11, 12, 13, 14], [11, 12, 13, 14, 15]],
                    [[12, 13, 14, 15, 16], [13, 14, 15, 16, 17], [14, 15, 16, 17, 18],
                     [15, 16, 17, 18, 19]]],
          'plain_dtype': 'int64',
          'rows_unbatched': [[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0], [8.0, 9.0], [10.0, 11.0]],
                             [[8.0, 9.0], [10.0, 11.0], [12.0, 13.0], [14.0, 15.0], [16.0, 17.0],
                              [18.0, 19.0]],
                             [[16.0, 17.0], [18.0, 19.0], [20.0, 21.0], [22.0, 23.0], [24.0, 25.0],
                              [26.0, 27.0]],
                             [[24.0, 25.0], [26.0, 27.0], [28.0, 29.0], [30.0, 31.0], [32.0, 33.0],
                              [34.0, 35.0]],
                             [[32.0, 33.0], [34.0, 35.0], [36.0, 37.0], [38.0, 39.0], [40.0, 41.0],
                              [42.0, 43.0]],
                             [[40.0, 41.0], [42.0, 43.0], [44.0, 45.0], [46.0, 47.0], [48.0, 49.0],
                              [50.0, 51.0]],
                             [[48.0, 49.0], [50.0, 51.0], [52.0, 53.0], [54.0, 55.0], [56.0, 57.0],
                              [58.0, 59.0]]],
          'rows_unbatched_dtype': 'float32',
          'short_targets': [([[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6], [5, 6, 7], [6, 7, 8],
                              [7, 8, 9]],
                             [0, 1, 2, 3, 4, 5, 6, 7])],
          'short_targets_dtype': 'int64',
          'start_end': [([[2, 4, 6], [3, 5, 7], [4, 6, 8], [5, 7, 9], [6, 8, 10]], [20, 30, 40, 50, 60]),
                        ([[7, 9, 11], [8, 10, 12], [9, 11, 13], [10, 12, 14], [11, 13, 15]],
                         [70, 80, 90, 100, 110]),
                        ([[12, 14, 16]], [120])],
          'start_end_dtype': 'int64',
          'targets_stride_rate': [([[0, 2, 4, 6], [3, 5, 7, 9], [6, 8, 10, 12]], [0, 30, 60]),
                                  ([[9, 11, 13, 15], [12, 14, 16, 18]], [90, 120])],
          'targets_stride_rate_dtype': 'int64',
          'too_long': []}
KERAS_ERRORS = {
    'end_before_start':
        '`end_index` must be higher than `start_index`. Received: start_index=5, and end_index=3 ',
    'end_negative':
        '`end_index` must be higher than 0. Received: end_index=-1',
    'end_past_data':
        '`end_index` must be lower than the length of the data. Received: end_index=20, for data of length 20',
    'negative_start':
        '`start_index` must be 0 or greater. Received: start_index=-1',
    'rate_long':
        '`sampling_rate` must be lower than the length of the data. Received: sampling_rate=20, for data of length 20',
    'rate_zero':
        '`sampling_rate` must be higher than 0. Received: sampling_rate=0',
    'start_past_end':
        '`start_index` must be lower than the length of the data. Received: start_index=20, for data of length 20',
    'stride_long':
        '`sequence_stride` must be lower than the length of the data. Received: sequence_stride=25, for data of length 20',
    'stride_zero':
        '`sequence_stride` must be higher than 0. Received: sequence_stride=0',
}
# shuffle=True, seed=7 on np.arange(100), sequence_length=4, batch_size=8: Keras's batch sizes;
# its epoch holds every window [i, i+1, i+2, i+3], i < 97, once
KERAS_SHUFFLED_SIZES = [8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 1]


def _plain(ds):
    return [tuple(np.asarray(p).tolist() for p in e) if isinstance(e, tuple) else np.asarray(e).tolist()
            for e in ds]


@pytest.mark.parametrize("name", sorted(CASES))
def test_windows_targets_strides_rates_and_bounds_are_keras_s(name):
    ds = tf.keras.utils.timeseries_dataset_from_array(**CASES[name])
    assert _plain(ds) == KERAS[name]
    if KERAS[name]:
        first = next(iter(ds))
        assert (first[0] if isinstance(first, tuple) else first).dtype.name == KERAS[name + "_dtype"]
    assert int(ds.cardinality()) == len(KERAS[name])


def test_element_spec_and_the_tutorial_s_map_see_an_unknown_batch_size():
    data = np.zeros((50, 3), np.float32)
    ds = tf.keras.utils.timeseries_dataset_from_array(data, None, sequence_length=7, batch_size=8)
    assert ds.element_spec == tf.TensorSpec((None, 7, 3), np.float32)
    with_targets = tf.keras.utils.timeseries_dataset_from_array(data, np.arange(50), 7, batch_size=8)
    assert with_targets.element_spec == (tf.TensorSpec((None, 7, 3), np.float32),
                                         tf.TensorSpec((None,), np.int64))
    mapped = ds.map(lambda x: (x[:, :6, :], x[:, 6:, :1]))
    assert mapped.element_spec == (tf.TensorSpec((None, 6, 3), np.float32), tf.TensorSpec((None, 1, 1), np.float32))
    assert tf.keras.utils.timeseries_dataset_from_array(data, None, 7, batch_size=None).element_spec == \
        tf.TensorSpec((7, 3), np.float32)


def test_shuffle_with_a_seed_keeps_keras_s_windows_and_batch_sizes_and_repeats():
    make = lambda seed: tf.keras.utils.timeseries_dataset_from_array(  # noqa: E731
        np.arange(100), None, 4, batch_size=8, shuffle=True, seed=seed)
    ds = make(7)
    first = [w for b in ds for w in np.asarray(b).tolist()]
    assert [len(b) for b in ds] == KERAS_SHUFFLED_SIZES
    assert sorted(first) == [[i, i + 1, i + 2, i + 3] for i in range(97)]
    assert first != sorted(first)                           # shuffled
    again = [w for b in make(7) for w in np.asarray(b).tolist()]
    assert again == first                                   # the same seed, the same first epoch
    second = [w for b in ds for w in np.asarray(b).tolist()]
    assert second != first and sorted(second) == sorted(first)   # reshuffled each epoch, as tf.data
    assert [w for b in make(8) for w in np.asarray(b).tolist()] != first


def test_the_first_shuffle_stage_is_keras_s_random_state_permutation():
    starts = timeseries.start_positions(100, None, 4, 1, 1, 0, 100, True, 7)
    expected = np.arange(97, dtype=np.int32)
    np.random.RandomState(7).shuffle(expected)           # Keras's rule, its dtype for fewer than 2**31 windows
    assert starts.dtype == np.int32 and starts.tolist() == expected.tolist()
    assert timeseries.start_positions(20, 8, 3, 2, 1, 0, 20, False, None).tolist() == [0, 2, 4, 6]


def test_without_a_seed_set_random_seed_fixes_the_order():
    tf.keras.utils.set_random_seed(3)
    a = [np.asarray(b).tolist() for b in tf.keras.utils.timeseries_dataset_from_array(
        np.arange(60), None, 3, batch_size=5, shuffle=True)]
    tf.keras.utils.set_random_seed(3)
    b = [np.asarray(b).tolist() for b in tf.keras.utils.timeseries_dataset_from_array(
        np.arange(60), None, 3, batch_size=5, shuffle=True)]
    assert a == b and sorted(w for x in a for w in x) == [[i, i + 1, i + 2] for i in range(58)]


def test_windows_are_gathered_per_batch_from_views_of_the_data():
    big = np.lib.stride_tricks.as_strided(np.zeros(1, np.float32), shape=(2_000_000, 64), strides=(0, 0))
    ds = tf.keras.utils.timeseries_dataset_from_array(big, None, sequence_length=256, batch_size=4)
    first = next(iter(ds))                                  # all windows at once would be 2e6 * 256 * 64 floats
    assert first.shape == (4, 256, 64)
    assert int(ds.cardinality()) == (2_000_000 - 255 + 3) // 4


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_arguments_are_refused_with_keras_s_message(name):
    with pytest.raises(ValueError, match=re.escape(KERAS_ERRORS[name])):
        tf.keras.utils.timeseries_dataset_from_array(np.arange(20), None, 3, **ERRORS[name])


def test_bad_types_and_shapes_are_named():
    with pytest.raises(TypeError, match="sequence_length"):
        tf.keras.utils.timeseries_dataset_from_array(np.arange(20), None, 2.5)
    with pytest.raises(ValueError, match="sequence_length"):
        tf.keras.utils.timeseries_dataset_from_array(np.arange(20), None, 0)
    with pytest.raises(ValueError, match="batch_size"):
        tf.keras.utils.timeseries_dataset_from_array(np.arange(20), None, 3, batch_size=0)
    with pytest.raises(ValueError, match="`data`"):
        tf.keras.utils.timeseries_dataset_from_array(np.float32(3), None, 3)
    with pytest.raises(TypeError, match="seed"):
        tf.keras.utils.timeseries_dataset_from_array(np.arange(20), None, 3, shuffle=True, seed="a")


# -- Dataset.window: TensorFlow 2.21's answers ---------------------------------------------
def _windows(ds):
    return [[int(v) for v in w] for w in ds]


@pytest.mark.parametrize("args, kwargs, expected", [
    ((3,), {}, [[0, 1, 2], [3, 4, 5], [6]]),
    ((3,), {"shift": 1}, [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6], [5, 6], [6]]),
    ((3,), {"shift": 2, "stride": 2}, [[0, 2, 4], [2, 4, 6], [4, 6], [6]]),
    ((2,), {"shift": 5}, [[0, 1], [5, 6]]),
    ((3,), {"shift": 1, "drop_remainder": True}, [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]]),
])
def test_window_matches_tensorflow(args, kwargs, expected):
    ds = tf.data.Dataset.range(7).window(*args, **kwargs)
    assert _windows(ds) == expected
    assert int(ds.cardinality()) == len(expected)
    assert [x.tolist() for x in ds.flat_map(lambda w: w.batch(args[0]))] == expected


def test_window_of_tuples_gives_a_dataset_per_part_and_strides_past_the_buffer():
    assert _windows(tf.data.Dataset.range(10).window(2, shift=5, stride=3)) == [[0, 3], [5, 8]]
    d = tf.data.Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 10)).window(2)
    parts = [([int(v) for v in a], [int(v) for v in b]) for a, b in d]
    assert parts == [([0, 1], [0, 10]), ([2, 3], [20, 30]), ([4], [40])]
    assert repr(d.element_spec) == ("(DatasetSpec(TensorSpec(shape=(), dtype=tf.int64, name=None), TensorShape([])), "
                                     "DatasetSpec(TensorSpec(shape=(), dtype=tf.int64, name=None), TensorShape([])))")
    zipped = d.flat_map(lambda a, b: tf.data.Dataset.zip((a.batch(2), b.batch(2))))
    assert [(x.tolist(), y.tolist()) for x, y in zipped] == [([0, 1], [0, 10]), ([2, 3], [20, 30]), ([4], [40])]


@pytest.mark.parametrize("kwargs, what", [({"size": 0}, "size"), ({"size": 2, "shift": 0}, "shift"),
                                          ({"size": 2, "stride": 0}, "stride")])
def test_window_refuses_non_positive_sizes(kwargs, what):
    with pytest.raises(ValueError, match=f"Window {what} must be greater than zero"):
        tf.data.Dataset.range(7).window(**kwargs)


def test_set_shape_checks_compatibility_as_tensorflow():
    t = tf.zeros((2, 3))
    t.set_shape([None, 3])
    t.set_shape([2, None])
    t.set_shape(None)
    assert t.shape == (2, 3)
    with pytest.raises(ValueError, match=re.escape("Tensor's shape (2, 3) is not compatible with supplied shape "
                                                   "(None, 4).")):
        t.set_shape([None, 4])
    with pytest.raises(ValueError, match="not compatible"):
        t.set_shape([2])
    assert t.shape == (2, 3)


def test_signal_rfft_as_tensorflow():
    fft = tf.signal.rfft(np.arange(5.0))                    # TF 2.21: float32 read, complex64 out
    assert fft.dtype == np.complex64 and fft.shape == (3,)
    np.testing.assert_allclose(np.asarray(fft), [10, -2.5 + 3.440955j, -2.5 + 0.8122992j], rtol=1e-6)
    assert tf.signal.rfft(tf.constant(np.arange(5.0))).dtype == np.complex128
    np.testing.assert_allclose(np.asarray(tf.signal.rfft(np.arange(5.0), fft_length=[4])), [6, -2 + 2j, -2])
    np.testing.assert_allclose(np.asarray(tf.signal.irfft(tf.signal.rfft(np.arange(5.0)))),
                               [0.625, 1.4045225, 3.125, 4.8454776], rtol=1e-6)
    with pytest.raises(ValueError, match="rank at least 1"):
        tf.signal.rfft(3.0)


def test_keras_preprocessing_keeps_the_older_path():
    from glassnet.keras import preprocessing
    assert preprocessing.timeseries_dataset_from_array is tf.keras.utils.timeseries_dataset_from_array
