"""glassnet.data.Dataset (tf.data's beginner subset) and fit/evaluate/predict on it, and
keras.utils.get_file reading Keras's cache."""
import hashlib
import io

import numpy as np
import pytest

import glassnet as tf                                # as the tutorials write it, renamed
from glassnet.data import Dataset


def _xy(n=50, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] + x[:, 1] > 0).astype(np.int64)


def test_slices_batches_and_cardinality():
    x, y = _xy(10)
    ds = Dataset.from_tensor_slices((x, y))
    assert len(ds) == 10
    first = next(iter(ds))
    assert isinstance(first, tuple) and first[0].shape == (4,) and first[1] == y[0]
    batches = list(ds.batch(4))
    assert [b[0].shape for b in batches] == [(4, 4), (4, 4), (2, 4)] and len(ds.batch(4)) == 3
    assert len(ds.batch(4, drop_remainder=True)) == 2 == len(list(ds.batch(4, drop_remainder=True)))
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x)
    assert len(ds.repeat(3)) == 30 and ds.repeat().cardinality() == tf.data.INFINITE_CARDINALITY
    size = tf.data.experimental.cardinality(ds)                         # TensorFlow's int64 scalar tensor
    assert size.numpy() == 10 and "%d" % size == "10" and len(ds.take(size // 5)) == 2
    assert len(ds.take(3)) == 3 and len(ds.skip(8)) == 2 and len(ds.repeat().take(25)) == 25
    with pytest.raises(TypeError, match="infinite"):
        len(ds.repeat())
    with pytest.raises(TypeError, match="unknown"):
        len(ds.filter(lambda a, b: b == 1))
    dicts = list(Dataset.from_tensor_slices({"a": np.arange(3), "b": np.ones(3)}).batch(2))
    assert dicts[0]["a"].tolist() == [0, 1] and dicts[1]["b"].tolist() == [1.0]


def test_map_filter_unbatch_zip_enumerate_concatenate():
    ds = Dataset.range(6)
    assert [int(v) for v in ds.map(lambda v: v * 10)] == [0, 10, 20, 30, 40, 50]
    assert [int(v) for v in ds.filter(lambda v: v % 2 == 0)] == [0, 2, 4]
    assert [int(v) for v in ds.batch(4).unbatch()] == list(range(6))
    pairs = Dataset.zip((ds, ds.map(lambda v: -v)))
    assert [(int(a), int(b)) for a, b in pairs.take(2)] == [(0, 0), (1, -1)] and len(pairs) == 6
    assert [int(i) for i, _ in ds.enumerate(start=5).take(2)] == [5, 6]
    assert len(ds.concatenate(ds)) == 12
    x, y = _xy(6)
    scaled = Dataset.from_tensor_slices((x, y)).map(lambda a, b: (a / 2, b))     # a tuple is spread
    np.testing.assert_allclose(next(iter(scaled))[0], x[0] / 2)
    gen = Dataset.from_generator(lambda: ((x[i], y[i]) for i in range(6)),
                                 output_signature=None).batch(3)
    assert [b[0].shape for b in gen] == [(3, 4), (3, 4)]
    assert [b[0].shape for b in gen] == [(3, 4), (3, 4)]                    # a second pass runs again


def test_shuffle_is_a_permutation_reshuffled_each_pass_and_seeded():
    ds = Dataset.range(100)
    tf.keras.utils.set_random_seed(1)
    one = [int(v) for v in ds.shuffle(100)]
    shuffled = ds.shuffle(100)
    first, second = [int(v) for v in shuffled], [int(v) for v in shuffled]
    assert sorted(first) == list(range(100)) and first != list(range(100)) and first != second
    tf.keras.utils.set_random_seed(1)
    assert [int(v) for v in ds.shuffle(100)] == one
    fixed = ds.shuffle(10, seed=3, reshuffle_each_iteration=False)
    assert [int(v) for v in fixed] == [int(v) for v in fixed]
    small = [int(v) for v in ds.shuffle(2)]        # a buffer of 2: nothing moves far ahead
    assert sorted(small) == list(range(100)) and all(v <= i + 1 for i, v in enumerate(small))
    with pytest.raises(ValueError, match="buffer_size must be an integer >= 1"):
        ds.shuffle(0)


def test_bad_slices_are_named():
    with pytest.raises(ValueError, match="same number of rows"):
        Dataset.from_tensor_slices((np.zeros((3, 2)), np.zeros(4)))
    with pytest.raises(ValueError, match="at least one dimension"):
        Dataset.from_tensor_slices(np.float32(1.0))
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        Dataset.range(3).batch(0)


def _model():
    model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                                 tf.keras.layers.Dense(2)])
    model.compile(optimizer=tf.keras.optimizers.RMSprop(),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["sparse_categorical_accuracy"])
    return model


def test_the_load_numpy_data_tutorial_fits_evaluates_and_predicts_on_datasets():
    x, y = _xy(64)
    train = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(100).batch(16).prefetch(tf.data.AUTOTUNE)
    test = tf.data.Dataset.from_tensor_slices((x, y)).batch(16).cache()
    model = _model()
    history = model.fit(train, epochs=3, validation_data=test, verbose=0)
    assert len(history.history["loss"]) == 3 and len(history.history["val_loss"]) == 3
    assert model.optimizer.iterations == 12                       # 4 batches in each of the 3 epochs
    loss, accuracy = model.evaluate(test, verbose=0)
    assert (loss, accuracy) == pytest.approx(model.evaluate(x, y, verbose=0))
    np.testing.assert_allclose(model.predict(test, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    only_x = tf.data.Dataset.from_tensor_slices(x).batch(10)
    np.testing.assert_allclose(model.predict(only_x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_fit_on_a_dataset_matches_fit_on_the_same_batches_as_arrays():
    x, y = _xy(48)
    tf.keras.utils.set_random_seed(0)
    a = _model()
    a.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(12), epochs=2, verbose=0)
    tf.keras.utils.set_random_seed(0)
    b = _model()
    b.fit(x, y, batch_size=12, epochs=2, shuffle=False, verbose=0)
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(p, q)


def test_an_endless_dataset_with_steps_per_epoch_runs_on_across_epochs():
    x, y = _xy(20)
    seen = []
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(5).repeat().map(lambda a, b: (seen.append(1) or a, b))
    model = _model()
    model.fit(ds, epochs=3, steps_per_epoch=2, verbose=0)
    assert model.optimizer.iterations == 6 and len(seen) >= 6


def test_evaluate_and_predict_on_datasets_refuse_extra_arrays():
    x, y = _xy(8)
    model = _model()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    with pytest.raises(ValueError, match="evaluate: y must not be given when x is a generator or dataset"):
        model.evaluate(ds, y)
    with pytest.raises(ValueError, match=r"x: batch 0 must be x, \(x,\) or \(x, y.*a tuple of 4"):
        model.predict(tf.data.Dataset.from_tensor_slices((x, y, y, y)).batch(4))


class _Response(io.BytesIO):
    headers = {}


def test_get_file_finds_kerass_cache_and_downloads_once_otherwise(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path / "gn"))
    (tmp_path / "keras" / "datasets").mkdir(parents=True)
    (tmp_path / "keras" / "datasets" / "mnist.npz").write_bytes(b"cached")
    from glassnet.datasets import _fetch
    monkeypatch.setattr(_fetch, "urlopen", lambda *a: pytest.fail("no download expected"))
    path = tf.keras.utils.get_file("mnist.npz", "https://example.org/mnist.npz")
    assert path == str(tmp_path / "keras" / "datasets" / "mnist.npz")
    payload = b"downloaded"
    monkeypatch.setattr(_fetch, "urlopen", lambda url, timeout: _Response(payload))
    got = tf.keras.utils.get_file(origin="https://example.org/data/other.csv",
                                  file_hash=hashlib.sha256(payload).hexdigest())
    assert got == str(tmp_path / "gn" / "datasets" / "other.csv") and open(got, "rb").read() == payload
    with pytest.raises(ValueError, match="expected 0{64}; it was discarded"):
        tf.keras.utils.get_file("third.csv", "https://example.org/third.csv", file_hash="0" * 64)
    # extract=True / untar=True: tests/test_get_file.py


# -- elements as Tensors, strings as bytes, pandas ----------------------------------------------------
def test_elements_are_tensors_and_as_numpy_iterator_gives_numpy():
    x, y = _xy(4)
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    first = next(iter(ds))
    assert all(type(t) is tf.Tensor for t in first) and first[0].shape == (4,)
    np.testing.assert_array_equal(first[0].numpy(), x[0])
    assert type(first[0].numpy()) is np.ndarray and first[1].numpy() == y[0] and first[1].shape == ()
    plain = next(ds.as_numpy_iterator())
    assert type(plain[0]) is np.ndarray and isinstance(plain[1], np.int64)
    batch = next(iter(ds.batch(3)))
    assert type(batch[0]) is tf.Tensor and batch[0].shape == (3, 4)
    assert [type(t) for t in next(iter(ds.take(1)))] == [tf.Tensor, tf.Tensor]
    seen = []
    list(ds.map(lambda a, b: seen.append((type(a), type(b))) or (a * 2, b)))
    assert seen[0] == (tf.Tensor, tf.Tensor)


def test_strings_are_bytes_and_python_values_take_tensorflows_dtypes():
    words = tf.data.Dataset.from_tensor_slices(["a", "b\u00e9"])
    assert [w.numpy() for w in words] == [b"a", "b\u00e9".encode()]
    assert list(words.as_numpy_iterator()) == [b"a", b"b\xc3\xa9"]
    batch = next(words.batch(2).as_numpy_iterator())
    assert batch.dtype == object and batch.tolist() == [b"a", b"b\xc3\xa9"]
    assert str(words.element_spec) == "TensorSpec(shape=(), dtype=tf.string, name=None)"
    assert Dataset.from_tensor_slices([1.0, 2.0]).element_spec.dtype == np.float32
    assert Dataset.from_tensor_slices([1, 2]).element_spec.dtype == np.int32
    assert Dataset.from_tensor_slices(np.array([1.0])).element_spec.dtype == np.float64   # NumPy keeps its dtype
    assert Dataset.from_tensor_slices(np.array([b"x", b"y"])).batch(2).element_spec.dtype == object
    with pytest.raises(TypeError, match="a text array holds float nan"):
        Dataset.from_tensor_slices(np.array(["a", float("nan")], dtype=object))


def test_pandas_frames_and_columns_slice_as_in_the_tutorials():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "n": [1, 2, 3], "s": ["a", "b", "c"]})
    target = df.pop("n")
    by_name = tf.data.Dataset.from_tensor_slices(dict(df))
    spec = by_name.element_spec
    assert spec["x"].dtype == np.float64 and spec["s"].dtype == object
    assert [(e["x"].numpy(), e["s"].numpy()) for e in by_name] == [(1.0, b"a"), (2.0, b"b"), (3.0, b"c")]
    numeric = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    pairs = list(tf.data.Dataset.from_tensor_slices((numeric.values, target[:2])).as_numpy_iterator())
    assert pairs[1][0].tolist() == [2.0, 4.0] and pairs[1][1] == 2
    assert tf.convert_to_tensor(numeric).shape == (2, 2)


def test_fit_reads_plain_arrays_and_gives_the_same_numbers(monkeypatch):
    from glassnet.engine import training
    seen = []
    original = training._plain_iter

    def spy(source):
        for item in original(source):
            seen.append({type(a) for a in item})
            yield item
    monkeypatch.setattr(training, "_plain_iter", spy)
    x, y = _xy(48)
    tf.keras.utils.set_random_seed(0)
    a = _model()
    a.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(12).prefetch(2), epochs=2, verbose=0)
    tf.keras.utils.set_random_seed(0)
    b = _model()
    b.fit(x, y, batch_size=12, epochs=2, shuffle=False, verbose=0)
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(p, q)
    assert seen and all(types == {np.ndarray} for types in seen)


# -- element_spec, padded_batch, get_single_element ------------------------------------------------------
def test_element_spec_padded_batch_and_single_element():
    x, y = _xy(5)
    ds = Dataset.from_tensor_slices({"x": x, "y": y})
    assert str(ds.batch(2).element_spec["x"]) == "TensorSpec(shape=(None, 4), dtype=tf.float32, name=None)"
    assert ds.batch(2, drop_remainder=True).element_spec["y"].shape == (2,)
    assert ds.map(lambda e: e["x"][:2]).element_spec.shape == (2,)          # found by running the first element
    ragged = Dataset.range(1, 5).map(lambda n: tf.fill([n], n))
    batches = list(ragged.padded_batch(2).as_numpy_iterator())
    assert batches[0].tolist() == [[1, 0], [2, 2]] and batches[1].tolist() == [[3, 3, 3, 0], [4, 4, 4, 4]]
    fixed = next(ragged.padded_batch(2, padded_shapes=[5], padding_values=np.int64(-1)).as_numpy_iterator())
    assert fixed.tolist() == [[1, -1, -1, -1, -1], [2, 2, -1, -1, -1]]
    assert Dataset.from_tensors(np.arange(3)).get_single_element().numpy().tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="more than one element"):
        Dataset.range(2).get_single_element()
    with pytest.raises(ValueError, match="padded shape"):
        list(ragged.padded_batch(2, padded_shapes=[1]))


# -- interleave, flat_map ---------------------------------------------------------------------------------
def test_interleave_follows_tensorflows_order():
    ds = Dataset.range(7).interleave(lambda x: Dataset.range(x * 10, x * 10 + x), cycle_length=3, block_length=2)
    # what TensorFlow 2.21 gives for the same call
    assert [int(v) for v in ds] == [10, 20, 21, 30, 31, 40, 41, 32, 42, 43, 50, 51, 60, 61, 52, 53, 62, 63, 54,
                                    64, 65]
    one_each = Dataset.range(4).interleave(lambda x: Dataset.range(x * 10, x * 10 + 3), cycle_length=2)
    assert [int(v) for v in one_each] == [0, 10, 1, 11, 2, 12, 20, 30, 21, 31, 22, 32]
    assert [int(v) for v in Dataset.range(3).flat_map(lambda x: Dataset.range(x))] == [0, 0, 1]
    with pytest.raises(TypeError, match="map_func must return a Dataset"):
        list(Dataset.range(2).interleave(lambda x: x, cycle_length=1))


# -- cache --------------------------------------------------------------------------------------------------
def _counted(n=5):
    calls = []

    def gen():
        calls.append(1)
        for i in range(n):
            yield np.float32(i), f"w{i}\0".encode()          # a NUL byte in text survives a file cache
    return Dataset.from_generator(gen), calls


def test_memory_cache_keeps_the_first_complete_pass_only():
    ds, calls = _counted()
    cached = ds.cache()
    assert [float(a) for a, _ in cached.take(2)] == [0.0, 1.0]        # a partial pass keeps nothing
    assert [float(a) for a, _ in cached] == [0.0, 1.0, 2.0, 3.0, 4.0] and len(calls) == 2
    assert [b.numpy() for _, b in cached][4] == b"w4\0" and len(calls) == 2     # read from memory


def test_file_cache_is_written_whole_and_read_by_a_new_pipeline(tmp_path):
    name = str(tmp_path / "c")
    ds, calls = _counted()
    list(ds.cache(name).take(2))
    assert not list(tmp_path.iterdir())                               # a partial pass leaves no file
    first = [(float(a), b.numpy()) for a, b in ds.cache(name)]
    assert [p.name for p in tmp_path.iterdir()] == ["c.glassnet-cache"] and len(calls) == 2
    again, calls2 = _counted()
    assert [(float(a), b.numpy()) for a, b in again.cache(name)] == first and not calls2   # another program
    spec = next(again.cache(name).as_numpy_iterator())
    assert isinstance(spec[0], np.float32) and spec[1] == b"w0\0"
    (tmp_path / "c.glassnet-cache").write_bytes((tmp_path / "c.glassnet-cache").read_bytes()[:-30])
    with pytest.raises(ValueError, match=r"c\.glassnet-cache is damaged or cut short"):
        list(again.cache(name))
    (tmp_path / "c.glassnet-cache").write_bytes(b"import os; os.remove('x')")
    with pytest.raises(ValueError, match="is not a glassnet cache file"):
        list(again.cache(name))
    failing = Dataset.from_generator(lambda: (np.float32(1 / (2 - i)) if i < 2 else 1 / 0 for i in range(3)))
    with pytest.raises(ZeroDivisionError):
        list(failing.cache(str(tmp_path / "f")))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.glassnet-cache"]     # no temporary file left


# -- prefetch -----------------------------------------------------------------------------------------------
def test_prefetch_runs_ahead_on_a_thread_within_its_buffer():
    import threading
    made = []

    def gen():
        for i in range(50):
            made.append((i, threading.current_thread().name))
            yield np.int64(i)
    ds = Dataset.from_generator(gen).prefetch(3)
    it = iter(ds)
    assert int(next(it)) == 0
    import time
    time.sleep(0.3)
    assert 2 <= len(made) <= 6                                         # ahead, but no more than the buffer
    assert made[0][1] != threading.current_thread().name
    assert [int(v) for v in it] == list(range(1, 50))
    x, _ = _xy(4)
    in_memory = Dataset.from_tensor_slices(x).batch(2)
    ahead = in_memory.prefetch(tf.data.AUTOTUNE)                       # nothing to overlap: the same pass, no thread
    assert ahead._run is in_memory._run and repr(ahead).startswith("<_PrefetchDataset ")


def test_prefetch_reraises_with_the_producers_traceback_and_stops_when_abandoned():
    import gc
    import threading
    import time
    import traceback

    def broken():
        yield np.int64(1)
        raise KeyError("in the generator")
    it = iter(Dataset.from_generator(broken).prefetch(2))
    assert int(next(it)) == 1
    with pytest.raises(KeyError, match="in the generator") as info:
        next(it)
    assert any(frame.name == "broken" for frame in traceback.extract_tb(info.value.__traceback__))

    def endless():
        i = 0
        while True:
            i += 1
            yield np.int64(i)
    before = threading.active_count()
    it = iter(Dataset.from_generator(endless).prefetch(4))
    next(it)
    assert threading.active_count() == before + 1
    del it
    gc.collect()
    deadline = time.time() + 2
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before                         # the producer stopped


def test_a_seeded_program_gets_the_same_order_through_prefetch():
    def gen():
        yield from (np.int64(i) for i in range(30))
    orders = []
    for _ in range(2):
        tf.keras.utils.set_random_seed(5)
        orders.append([int(v) for v in Dataset.from_generator(gen).shuffle(10).prefetch(2)])
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(30)) and orders[0] != list(range(30))


def test_from_generator_follows_its_output_signature():
    def gen():
        for i in range(3):
            yield i, [1.0] * i
    signature = (tf.TensorSpec(shape=(), dtype=tf.int64), tf.TensorSpec(shape=(None,), dtype=tf.float32))
    ds = Dataset.from_generator(gen, output_signature=signature)
    assert ds.element_spec == signature and "element_spec=" in repr(ds)
    assert [(a.dtype, b.dtype) for a, b in ds] == [(np.int64, np.float32)] * 3
    assert next(ds.padded_batch(3).as_numpy_iterator())[1].tolist() == [[0, 0], [1, 0], [1, 1]]
    wrong = Dataset.from_generator(lambda: iter([(1,)]), output_signature=signature)
    with pytest.raises(ValueError, match="an element does not match output_signature"):
        list(wrong)


def test_a_file_cache_refuses_a_missing_folder_and_keyboard_interrupt_stops_prefetch(tmp_path):
    import _thread
    import threading
    import time
    with pytest.raises(FileNotFoundError, match=r"cannot write .*nowhere.*does not exist"):
        list(Dataset.range(2).cache(str(tmp_path / "nowhere" / "c")))
    assert not (tmp_path / "nowhere").exists()

    def slow():
        for i in range(100):
            time.sleep(0.2)
            yield np.int64(i)
    before = threading.active_count()
    it = iter(Dataset.from_generator(slow).prefetch(2))
    timer = threading.Timer(0.05, _thread.interrupt_main)         # Ctrl-C while next() waits
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        next(it)
    deadline = time.time() + 2
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.02)
    assert threading.active_count() == before                      # the producer stopped, no deadlock


def test_snapshot_keeps_a_pass_in_a_folder(tmp_path):
    ds, calls = _counted()
    snap = ds.snapshot(str(tmp_path / "fonts.tfsnap"))
    first = [float(a) for a, _ in snap]
    assert [float(a) for a, _ in snap.shuffle(10).take(5)] != [] and len(calls) == 1
    again, calls2 = _counted()
    assert [float(a) for a, _ in again.snapshot(str(tmp_path / "fonts.tfsnap"))] == first and not calls2
    assert (tmp_path / "fonts.tfsnap").is_dir()
