"""What TensorFlow's "Classification on imbalanced data" tutorial reaches for beyond the
basics: a Dense with bias_initializer=None, resampling by Dataset.sample_from_datasets, and
steps_per_epoch given as np.ceil(...) (a float)."""
import json
import zipfile

import numpy as np
import pytest

import glassnet as tf
from glassnet import keras


def test_an_initializer_given_as_none_is_kerass_default_and_saved_as_none(tmp_path):
    tf.keras.utils.set_random_seed(0)
    dense = keras.layers.Dense(3, bias_initializer=None)
    dense.build((None, 2))
    bias = dense.bias.numpy()
    assert np.all(bias != 0) and np.all(np.abs(bias) <= np.sqrt(6 / 4))     # Glorot uniform, as Keras 3
    assert dense.get_config()["bias_initializer"] is None
    model = keras.Sequential([keras.Input(shape=(2,)), dense])
    model.save(tmp_path / "m.keras")
    cfg = json.loads(zipfile.ZipFile(tmp_path / "m.keras").read("config.json"))
    assert cfg["config"]["layers"][1]["config"]["bias_initializer"] is None
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.layers[0].bias.numpy(), bias)


def test_sample_from_datasets_draws_by_weight_and_drops_a_dataset_that_runs_out():
    pos = tf.data.Dataset.from_tensor_slices(np.ones(5, np.float32))
    neg = tf.data.Dataset.from_tensor_slices(np.zeros(1000, np.float32)).repeat()
    mixed = tf.data.Dataset.sample_from_datasets([pos.repeat(), neg], weights=[0.5, 0.5], seed=3)
    first = np.array([float(v) for v in mixed.take(2000)])
    assert 0.45 < first.mean() < 0.55
    assert [float(v) for v in mixed.take(20)] == [float(v) for v in mixed.take(20)]     # seeded: the same draws
    finite = tf.data.Dataset.sample_from_datasets([pos, tf.data.Dataset.range(3)], seed=1)
    assert sorted(float(v) for v in finite) == [0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0]   # every element once
    stopped = list(tf.data.Dataset.sample_from_datasets([pos, neg], weights=[0.9, 0.1], seed=1,
                                                        stop_on_empty_dataset=True))
    assert sum(float(v) for v in stopped) == 5 and len(stopped) < 1000
    picked = tf.data.Dataset.choose_from_datasets([tf.data.Dataset.range(10, 13), tf.data.Dataset.range(3)],
                                                  tf.data.Dataset.from_tensor_slices(np.array([1, 0, 1, 0], np.int64)))
    assert [int(v) for v in picked] == [0, 10, 1, 11]
    with pytest.raises(ValueError, match="weights must be 2 numbers"):
        tf.data.Dataset.sample_from_datasets([pos, neg], weights=[1.0, -1.0])


def test_resampled_fit_with_steps_per_epoch_from_np_ceil():
    tf.keras.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)).astype(np.float32)
    y = (x[:, 0] > 1.5).astype(np.float32)
    make = lambda f, l: tf.data.Dataset.from_tensor_slices((f, l)).shuffle(1000).repeat()     # noqa: E731
    resampled = tf.data.Dataset.sample_from_datasets([make(x[y == 1], y[y == 1]), make(x[y == 0], y[y == 0])],
                                                     weights=[0.5, 0.5]).batch(32)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=[keras.metrics.AUC(name="prc", curve="PR")])
    history = model.fit(resampled, epochs=2, steps_per_epoch=np.ceil(2.0 * 50 / 32), verbose=0)
    assert len(history.history["prc"]) == 2
    with pytest.raises(ValueError, match="steps_per_epoch must be a positive integer, got 2.5"):
        model.fit(resampled, epochs=1, steps_per_epoch=2.5, verbose=0)
