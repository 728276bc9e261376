"""``glassnet/callbacks.py``. Callbacks as Keras 3 calls them: on_batch_begin/end are what
on_train_batch_begin/end call; a callback that raises names itself and leaves the model
consistent; history always holds the loss's and each metric's key. (EarlyStopping,
ModelCheckpoint, ReduceLROnPlateau and CSVLogger as Keras runs them: ``test_keras_behaviour.py``.)"""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.callbacks import Callback
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input


def _model():
    glassnet.utils.set_random_seed(0)
    model = Sequential([Input(shape=(3,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _data():
    x = np.random.default_rng(0).normal(size=(40, 3))
    return x, (x[:, 0] > 0).astype(float)


def test_on_batch_begin_and_end_are_called_for_each_training_batch():
    calls = []

    class Old(Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            calls.append(("end", batch, sorted(logs)))

    x, y = _data()
    _model().fit(x, y, batch_size=10, epochs=2, verbose=0, callbacks=[Old()])
    assert [c[:2] for c in calls] == [(k, b) for _ in range(2) for b in range(4) for k in ("begin", "end")]
    assert calls[1][2] == ["accuracy", "loss"]


class Boom(Callback):
    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_train_batch_end(self, batch, logs=None):
        if batch == self.at:
            raise RuntimeError("disk full")


def test_a_callback_that_raises_names_itself_and_leaves_the_model_consistent():
    x, y = _data()
    model = _model()
    with pytest.raises(RuntimeError, match=r"disk full \(raised in callback Boom.on_train_batch_end\)"):
        model.fit(x, y, batch_size=10, epochs=1, verbose=0, callbacks=[Boom(at=1)])
    # two complete steps happened: the weights are finite and the optimizer counted them
    assert model.optimizer.iterations == 2
    assert all(np.isfinite(w).all() for w in model.get_weights())
    model.fit(x, y, batch_size=10, epochs=1, verbose=0)        # and it trains on
    assert model.optimizer.iterations == 6


def test_history_holds_every_key_even_when_training_stops_in_the_first_epoch():
    class StopNow(Callback):
        def on_train_batch_end(self, batch, logs=None):
            self.model.stop_training = True

    x, y = _data()
    history = _model().fit(x, y, epochs=3, verbose=0, validation_data=(x, y), callbacks=[StopNow()])
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == 1
    history = _model().fit(x, y, epochs=0, verbose=0)
    assert history.history == {"loss": [], "accuracy": []}
