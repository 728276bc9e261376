"""``callbacks.BackupAndRestore``: a fit stopped by an exception resumes from the last saved epoch
with the weights and the optimizer's state, as Keras 3 does. TF 2.21 / Keras 3.15 ran the same
script (/work/peers/bin/python): its folder after the crash, its metadata, the resumed run's
losses and final weights are written here as literals."""
import json
import os

import numpy as np
import pytest

import glassnet
from glassnet import keras

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 3)).astype(np.float32)
Y = (X[:, :1] > 0).astype(np.float32)


def _model():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.set_weights([np.linspace(-1, 1, 12).reshape(3, 4).astype(np.float32), np.zeros(4, np.float32),
                   np.linspace(-1, 1, 4).reshape(4, 1).astype(np.float32), np.zeros(1, np.float32)])
    m.compile(keras.optimizers.Adam(0.05), "binary_crossentropy")
    return m


class Crash(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 2:
            raise RuntimeError("boom")


def test_an_interrupted_fit_resumes_where_it_stopped(tmp_path):
    backup = tmp_path / "backup"
    with pytest.raises(RuntimeError, match="boom"):
        _model().fit(X, Y, epochs=5, batch_size=8, shuffle=False, verbose=0,
                     callbacks=[keras.callbacks.BackupAndRestore(backup), Crash()])
    assert sorted(os.listdir(backup)) == ["latest.weights.h5", "training_metadata.json"]      # TF 2.21's
    assert json.loads((backup / "training_metadata.json").read_text()) == {"epoch": 3, "batch": 0}
    resumed = _model()                      # a fresh process's model: the backup brings the state
    history = resumed.fit(X, Y, epochs=5, batch_size=8, shuffle=False, verbose=0,
                          callbacks=[keras.callbacks.BackupAndRestore(backup)])
    assert history.epoch == [3, 4] and not backup.exists()                   # TF 2.21: [3, 4], removed
    np.testing.assert_allclose(history.history["loss"], [0.2450771927833557, 0.19263482093811035], rtol=1e-6)
    want = [[-1.782059, -1.657527, -0.082407, 0.35863, 0.010383, 0.184289, -0.074254, 0.285519, 0.547276,
             0.655557, 0.669764, 1.08092], [0.325354, 0.244174, -0.191628, 0.322241],
            [-1.658171, -0.924334, -0.067273, 0.930008], [0.57517]]           # TF 2.21's final weights
    for got, w in zip(resumed.get_weights(), want):
        np.testing.assert_allclose(got.ravel(), w, atol=3e-6)
    straight = _model()
    straight.fit(X, Y, epochs=5, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert int(resumed.optimizer.iterations) == int(straight.optimizer.iterations) == 20


def test_batch_frequency_double_checkpoint_and_errors(tmp_path):
    backup = tmp_path / "b"
    callback = keras.callbacks.BackupAndRestore(backup, save_freq=3, double_checkpoint=True, delete_checkpoint=False)
    _model().fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0, callbacks=[callback])
    names = sorted(os.listdir(backup))
    assert names == ["latest.weights.h5", "latest.weights.h5.bkp", "training_metadata.json",
                     "training_metadata.json.bkp"]                              # no temporary file left
    assert json.loads((backup / "training_metadata.json").read_text())["epoch"] == 1
    with pytest.raises(ValueError, match="Empty `backup_dir` argument passed"):
        keras.callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="Received: save_freq=often"):
        keras.callbacks.BackupAndRestore(backup, save_freq="often")
    assert glassnet.callbacks.BackupAndRestore is keras.callbacks.BackupAndRestore
