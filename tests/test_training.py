"""``glassnet/engine/training.py``, the epoch loop. fit takes what Keras takes besides arrays:
a generator or any iterable of batches, and a PyDataset-like object (``__len__``,
``__getitem__``), each batch checked like arrays. (The loop's safe stops, non-finite losses
and Ctrl-C, are in ``test_training_safety.py``; epochs, history and validation as Keras does
them in ``test_keras_behaviour.py``.)"""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    return x, (x[:, :1] > 0).astype(np.float32)


def _model():
    glassnet.utils.set_random_seed(0)
    model = Sequential([Dense(4, activation="tanh"), Dense(1, activation="sigmoid")])
    model.compile(optimizer=glassnet.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    return model


class Batches:
    """A keras.utils.PyDataset-style object."""

    def __init__(self, x, y, size=16):
        self.x, self.y, self.size, self.epochs_ended = x, y, size, 0

    def __len__(self):
        return int(np.ceil(len(self.x) / self.size))

    def __getitem__(self, i):
        rows = slice(i * self.size, (i + 1) * self.size)
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_a_repeating_generator_with_steps_per_epoch_trains_like_arrays():
    x, y = _data()

    def forever():
        while True:
            for i in range(0, 64, 16):
                yield x[i:i + 16], y[i:i + 16]

    history = _model().fit(forever(), steps_per_epoch=4, epochs=8, verbose=0)
    arrays = _model().fit(x, y, batch_size=16, epochs=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], arrays.history["loss"], rtol=1e-5)
    assert set(history.history) == {"loss", "accuracy"}


def test_a_pydataset_like_object_and_generator_validation():
    x, y = _data()
    data = Batches(x, y)
    val = (pair for pair in [(x[:8], y[:8]), (x[8:16], y[8:16])] * 100)
    history = _model().fit(data, epochs=3, verbose=0, validation_data=val, validation_steps=2)
    assert data.epochs_ended == 3
    assert len(history.history["val_loss"]) == 3


def test_a_one_pass_generator_gives_one_epoch_then_stops_with_a_message(capsys):
    x, y = _data()
    gen = ((x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16))
    history = _model().fit(gen, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 1
    assert "steps_per_epoch" in capsys.readouterr().err


def test_each_batch_is_checked_and_named():
    x, y = _data()
    bad = iter([(x[:16], y[:16]), (x[:16, :2], y[:16])])
    with pytest.raises(ValueError, match="batch 1"):
        _model().fit(bad, steps_per_epoch=2, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="tuple"):
        _model().fit(iter([x[:4]]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="y must not be given"):
        _model().fit(iter([(x, y)]), y, epochs=1, verbose=0)


def test_bool_arrays_are_zero_and_one():
    x, y = _data()
    model = _model()
    model.fit(x > 0, y.astype(bool), epochs=1, verbose=0)
    assert np.isfinite(model.evaluate(x > 0, y.astype(bool), verbose=0)[0])
