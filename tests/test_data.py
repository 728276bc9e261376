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
