"""TensorFlow's tf.data guide (data.ipynb), its cells renamed, against what TF 2.21 printed
for them (the random parts left out): dataset reprs with TensorFlow's class names,
``reduce``, ``from_generator`` with ``output_types``/``output_shapes``, ``numpy_function``
inside ``map`` (scalars, as in a traced function), and an iterator saved in a checkpoint."""
import numpy as np
import pytest

import glassnet as tf


def test_reprs_name_tensorflows_dataset_classes():
    dataset = tf.data.Dataset.from_tensor_slices([8, 3, 0, 8, 2, 1])
    assert repr(dataset) == "<_TensorSliceDataset element_spec=TensorSpec(shape=(), dtype=tf.int32, name=None)>"
    inc_dataset = tf.data.Dataset.range(100)
    dec_dataset = tf.data.Dataset.range(0, -100, -1)
    dataset = tf.data.Dataset.zip((inc_dataset, dec_dataset))
    assert repr(dataset.batch(4)) == ("<_BatchDataset element_spec=(TensorSpec(shape=(None,), dtype=tf.int64, "
                                      "name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))>")
    assert repr(dataset.batch(7, drop_remainder=True)) == (
        "<_BatchDataset element_spec=(TensorSpec(shape=(7,), dtype=tf.int64, name=None), TensorSpec(shape=(7,), "
        "dtype=tf.int64, name=None))>")
    ds = tf.data.Dataset.range(3)
    assert repr(ds.map(lambda x: x)).startswith("<_MapDataset element_spec=")
    assert repr(ds.map(lambda x: x, num_parallel_calls=tf.data.AUTOTUNE)).startswith("<_ParallelMapDataset ")
    assert [type(d).__name__ for d in (ds,)] == ["Dataset"]
    kinds = [ds.shuffle(3), ds.repeat(), ds.take(2), ds.skip(1), ds.filter(lambda x: x > 0), ds.cache(),
             ds.prefetch(1), ds.concatenate(ds), ds.unbatch() if False else ds.batch(2).unbatch()]
    assert [repr(d).split()[0] for d in kinds] == ["<_ShuffleDataset", "<_RepeatDataset", "<_TakeDataset",
                                                    "<_SkipDataset", "<_FilterDataset", "<CacheDataset",
                                                    "<_PrefetchDataset", "<_ConcatenateDataset", "<_UnbatchDataset"]
    assert repr(ds.take(0)) == "<_TakeDataset element_spec=TensorSpec(shape=(), dtype=tf.int64, name=None)>"


def test_reduce_sums_the_elements():
    dataset = tf.data.Dataset.from_tensor_slices([8, 3, 0, 8, 2, 1])
    assert dataset.reduce(0, lambda state, value: state + value).numpy() == 22
    pairs = tf.data.Dataset.from_tensor_slices((np.arange(4), np.arange(4) * 10))
    total = pairs.reduce((0, 0), lambda state, e: (state[0] + e[0], state[1] + e[1]))
    assert [int(t) for t in total] == [6, 60]


def test_from_generator_with_output_types_and_shapes():
    def count(stop):
        i = 0
        while i < stop:
            yield i
            i += 1
    ds_counter = tf.data.Dataset.from_generator(count, args=[25], output_types=tf.int32, output_shapes=(), )
    batches = [b.numpy().tolist() for b in ds_counter.repeat().batch(10).take(3)]
    assert batches == [list(range(10)), list(range(10, 20)), [20, 21, 22, 23, 24, 0, 1, 2, 3, 4]]

    def gen_series():
        i = 0
        while True:
            yield i, np.random.normal(size=(np.random.randint(0, 10),))
            i += 1
    ds_series = tf.data.Dataset.from_generator(gen_series, output_types=(tf.int32, tf.float32),
                                               output_shapes=((), (None,)))
    assert repr(ds_series) == ("<_FlatMapDataset element_spec=(TensorSpec(shape=(), dtype=tf.int32, name=None), "
                               "TensorSpec(shape=(None,), dtype=tf.float32, name=None))>")
    ids, sequence_batch = next(iter(ds_series.shuffle(20).padded_batch(10)))
    assert ids.numpy().shape == (10,) and sequence_batch.dtype == np.float32


def test_numpy_function_in_map_gets_scalars_as_a_traced_function_does():
    def upper_case_fn(t):
        return t.decode('utf-8').upper()
    d = tf.data.Dataset.from_tensor_slices([b"abc", b"de"]).map(
        lambda x: tf.numpy_function(upper_case_fn, [x], tf.string))
    assert list(d.as_numpy_iterator()) == [b'ABC', b'DE']
    eager = tf.numpy_function(lambda t: type(t).__name__, [tf.constant(1.0)], tf.string)
    assert eager.numpy() == b"ndarray"                      # outside a traced function: arrays, as TF


def test_an_iterator_is_checkpointed_and_restored(tmp_path):
    range_ds = tf.data.Dataset.range(20)
    iterator = iter(range_ds)
    ckpt = tf.train.Checkpoint(step=tf.Variable(0), iterator=iterator)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path / 'my_ckpt'), max_to_keep=3)
    assert [next(iterator).numpy() for _ in range(5)] == [0, 1, 2, 3, 4]
    manager.save()
    assert [next(iterator).numpy() for _ in range(5)] == [5, 6, 7, 8, 9]
    ckpt.restore(manager.latest_checkpoint)
    assert [next(iterator).numpy() for _ in range(5)] == [5, 6, 7, 8, 9]
    assert iterator.get_next().numpy() == 10 and iterator.element_spec == range_ds.element_spec


def test_windows_print_as_variant_datasets_and_batch_to_tensors():
    range_ds = tf.data.Dataset.range(100000)
    windows = range_ds.window(5, shift=1)
    assert repr(next(iter(windows))) == "<_VariantDataset element_spec=TensorSpec(shape=(), dtype=tf.int64, name=None)>"
    example = next(iter(windows.flat_map(lambda sub: sub.batch(5, drop_remainder=True))))
    assert example.numpy().tolist() == [0, 1, 2, 3, 4]


def test_rejection_resample_balances_the_classes_as_tensorflow_mixes():
    rs = np.random.RandomState(0)
    features, labels = rs.rand(1000, 3).astype('float32'), (rs.rand(1000) < 0.1).astype('int32')
    creditcard_ds = tf.data.Dataset.from_tensor_slices((features, labels)).batch(100)

    def count(counts, batch):
        features, labels = batch
        counts['class_0'] += tf.reduce_sum(tf.cast(labels == 0, tf.int32))
        counts['class_1'] += tf.reduce_sum(tf.cast(labels == 1, tf.int32))
        return counts
    counts = creditcard_ds.take(10).reduce(initial_state={'class_0': 0, 'class_1': 0}, reduce_func=count)
    counts = np.array([counts['class_0'].numpy(), counts['class_1'].numpy()]).astype(np.float32)
    fractions = counts / counts.sum()
    np.testing.assert_allclose(fractions, [0.897, 0.103], atol=1e-6)           # TF 2.21 printed these
    resample_ds = (creditcard_ds.unbatch().repeat()
                   .rejection_resample(lambda features, label: label, target_dist=[0.5, 0.5], initial_dist=fractions,
                                       seed=0)
                   .batch(10))
    assert repr(resample_ds.element_spec) == (
        "(TensorSpec(shape=(None,), dtype=tf.int32, name=None), (TensorSpec(shape=(None, 3), dtype=tf.float32, "
        "name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None)))")
    balanced_ds = resample_ds.map(lambda extra_label, features_and_label: features_and_label)
    seen = np.concatenate([labels.numpy() for _, labels in balanced_ds.take(200)])
    assert seen.shape == (2000,) and abs(seen.mean() - 0.5) < 0.05              # about half of each class
    assert repr(balanced_ds).startswith("<_MapDataset element_spec=(TensorSpec(shape=(None, 3)")


def test_scan_shard_unique_rebatch_counter_random():
    assert list(tf.data.Dataset.range(3).scan(tf.constant(0, tf.int64), lambda s, x: (s + x, s * 10))
                .as_numpy_iterator()) == [0, 0, 10]
    assert list(tf.data.Dataset.range(6).shard(2, 1).as_numpy_iterator()) == [1, 3, 5]
    assert int(tf.data.Dataset.range(5).shard(2, 0).cardinality()) == 3
    assert list(tf.data.Dataset.from_tensor_slices([1, 1, 2, 1, 3]).unique().as_numpy_iterator()) == [1, 2, 3]
    assert [b.tolist() for b in tf.data.Dataset.range(5).batch(3).rebatch(2).as_numpy_iterator()] == \
        [[0, 1], [2, 3], [4]]
    assert list(tf.data.Dataset.counter(start=2, step=3).take(3).as_numpy_iterator()) == [2, 5, 8]
    a = list(tf.data.Dataset.random(seed=1).take(3).as_numpy_iterator())
    assert a == list(tf.data.Dataset.random(seed=1).take(3).as_numpy_iterator()) and len(set(a)) == 3
    assert repr(tf.data.Dataset.counter()).startswith("<_ScanDataset element_spec=TensorSpec(shape=(), "
                                                      "dtype=tf.int64")


def test_group_by_window_and_bucket_by_sequence_length_as_tensorflow():
    windows = tf.data.Dataset.range(10).group_by_window(lambda x: x % 2, lambda k, w: w.batch(3), window_size=3)
    assert [w.tolist() for w in windows.as_numpy_iterator()] == [[0, 2, 4], [1, 3, 5], [6, 8], [7, 9]]   # TF 2.21
    ds = tf.data.Dataset.from_generator(lambda: iter([[1], [1, 2, 3], [1, 2], [5, 6, 7, 8], [1]]),
                                        output_signature=tf.TensorSpec([None], tf.int32))
    buckets = ds.bucket_by_sequence_length(lambda x: tf.shape(x)[0], [2, 4], [2, 2, 2])
    assert [b.numpy().tolist() for b in buckets] == [[[1, 2, 3], [1, 2, 0]], [[1], [1]], [[5, 6, 7, 8]]]   # TF 2.21
    padded = tf.data.Dataset.from_generator(lambda: iter([[1], [1, 2, 3], [1, 2], [1]]),
                                            output_signature=tf.TensorSpec([None], tf.int32))
    to_edge = padded.bucket_by_sequence_length(lambda x: tf.shape(x)[0], [2, 5], [2, 2, 2], pad_to_bucket_boundary=True)
    assert [b.numpy().tolist() for b in to_edge] == [[[1, 2, 3, 0], [1, 2, 0, 0]], [[1], [1]]]


def test_options_save_load_and_assert_cardinality(tmp_path):
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    ds = tf.data.Dataset.range(4).with_options(options)
    assert repr(ds).startswith("<_OptionsDataset ") and ds.options() is options
    assert ds.options().experimental_distribute.auto_shard_policy == tf.data.experimental.AutoShardPolicy.DATA
    pairs = tf.data.Dataset.from_tensor_slices((np.arange(3), np.array([b"a", b"b", b"c"])))
    pairs.save(str(tmp_path / "saved"))
    back = tf.data.Dataset.load(str(tmp_path / "saved"))
    assert [(int(a), b) for a, b in back.as_numpy_iterator()] == [(0, b"a"), (1, b"b"), (2, b"c")]
    with pytest.raises(FileNotFoundError, match="no dataset saved"):
        tf.data.Dataset.load(str(tmp_path / "nothing"))
    checked = tf.data.Dataset.range(2).apply(tf.data.experimental.assert_cardinality(3))
    assert int(checked.cardinality()) == 3
    with pytest.raises(tf.errors.FailedPreconditionError, match="expected to contain 3 elements but contained only 2"):
        list(checked)


def test_split_dataset_as_keras():
    for n, left, right, want in [(7, 0.5, None, [4, 3]), (7, None, 0.5, [3, 4]), (10, 3, None, [3, 7]),
                                 (10, 0.33, 0.33, [3, 3]), (7, 0.25, None, [2, 5])]:     # Keras 3.15's sizes
        a, b = tf.keras.utils.split_dataset(np.arange(n), left_size=left, right_size=right)
        assert [int(d.cardinality()) for d in (a, b)] == want
    a, b = tf.keras.utils.split_dataset(tf.data.Dataset.range(10), left_size=0.8)
    assert [int(x) for x in b] == [8, 9]
    with pytest.raises(ValueError, match="more than the 4 elements"):
        tf.keras.utils.split_dataset(np.arange(4), left_size=3, right_size=3)
    assert tf.keras.utils.normalize(np.array([[3., 4.]])).tolist() == [[0.6, 0.8]]
    tf.keras.utils.get_custom_objects()["my_thing"] = len
    assert tf.saving.get_registered_object("my_thing") is len
    del tf.keras.utils.get_custom_objects()["my_thing"]
