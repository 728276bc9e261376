"""A model whose output has an unknown length (``Input(shape=(None, features))`` through a
recurrent layer with ``return_sequences=True``) trains on labels of any length that matches
its inputs, as Keras's does: the loss's label check takes None as any size, and the compiled
metrics are made for such an output."""
import numpy as np
import pytest

from glassnet import keras


def _model():
    keras.utils.set_random_seed(0)
    inp = keras.Input(shape=(None, 4))
    x = keras.layers.LSTM(5, return_sequences=True)(inp)
    out = keras.layers.Dense(2)(x)
    model = keras.Model(inp, out)
    model.compile("adam", "mse", metrics=["mae"])
    return model


@pytest.mark.parametrize("steps", [3, 6])
def test_fit_evaluate_predict_with_an_unknown_length(steps):
    rng = np.random.default_rng(0)
    x, y = rng.random((8, steps, 4), dtype=np.float32), rng.random((8, steps, 2), dtype=np.float32)
    model = _model()
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, mae = model.evaluate(x, y, verbose=0)
    assert np.isfinite(loss) and np.isfinite(mae)
    assert model.predict(x, verbose=0).shape == (8, steps, 2)


def test_labels_of_the_wrong_width_are_still_refused_by_name():
    model = _model()
    x = np.zeros((8, 5, 4), np.float32)
    with pytest.raises(ValueError, match=r"y has shape \(8, 5, 3\).*\(None, 5, 2\)"):
        model.fit(x, np.zeros((8, 5, 3), np.float32), epochs=1, verbose=0)
    assert not model.optimizer.built                    # refused before anything changed


def test_labels_of_another_length_than_the_outputs_are_refused_not_broadcast():
    model = _model()
    x = np.zeros((8, 6, 4), np.float32)
    for steps in (1, 5):                                # (8, 1, 2) would have broadcast silently
        with pytest.raises(ValueError, match=rf"y has shape \(8, {steps}, 2\).*\(None, 6, 2\)"):
            model.fit(x, np.zeros((8, steps, 2), np.float32), epochs=1, verbose=0)
    assert not model.optimizer.built
