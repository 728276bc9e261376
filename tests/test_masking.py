"""Masks: ``Embedding(mask_zero=True)`` marks id 0 as padding; the RNNs carry their state over
padded steps, GlobalAveragePooling1D averages the kept steps, Dense/Dropout/Activation pass
the mask on (glassnet/layers/base.py, engine/step.py, engine/graph.py). Real Keras's numbers
(predictions, two epochs of SGD) from tests/fixtures/keras_masking.npz
(tools/make_keras_masking.py); backward by central differences with a mask."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import glassnet
from glassnet.keras import layers
from conftest import central_difference
from conftest import load_tool

HERE = pathlib.Path(__file__).parent
FIXTURE = np.load(HERE / "fixtures" / "keras_masking.npz")


def _tool():
    return load_tool("make_keras_masking")


def _model(name, mask_zero=True):
    model = glassnet.keras.Sequential(_tool().models(glassnet.keras)[name])
    if not mask_zero and name.startswith("masking"):
        model.layers[0].mask_value = 12345.0                        # no step equals it: nothing masked
    elif not mask_zero:
        model.layers[0].mask_zero = False
    n = len(model.get_weights())
    model.set_weights([FIXTURE[f"{name}/start_{i}"] for i in range(n)])
    return model


NAMES = ["lstm", "gru_sequences_pooled", "simple_rnn_backwards", "bidirectional_lstm", "dense_then_pooled",
         "stacked_lstm", "masking_gru"]


def _inputs(name):
    return _tool().numbers(FIXTURE["x"]) if name.startswith("masking") else FIXTURE["x"]


@pytest.mark.parametrize("name", NAMES)
def test_keras_predictions_and_two_epochs_of_sgd_with_padding(name):
    x, y = _inputs(name), FIXTURE["y"]
    model = _model(name)
    np.testing.assert_allclose(model.predict(x, verbose=0), FIXTURE[f"{name}/pred"], atol=1e-6)
    model.compile(glassnet.keras.optimizers.SGD(0.5), "binary_crossentropy")
    losses = model.fit(x, y, epochs=2, batch_size=6, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses, FIXTURE[f"{name}/losses"], rtol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, FIXTURE[f"{name}/end_{i}"], atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_the_fixture_depends_on_the_mask(name):
    x = _inputs(name)
    ignored = _model(name, mask_zero=False).predict(x, verbose=0)
    assert np.abs(ignored - FIXTURE[f"{name}/pred"]).max() > 1e-3


@pytest.mark.parametrize("make", [lambda: layers.LSTM(3), lambda: layers.GRU(3, return_sequences=True),
                                  lambda: layers.GRU(2, reset_after=False), lambda: layers.SimpleRNN(2, go_backwards=True),
                                  lambda: layers.Bidirectional(layers.LSTM(2, return_sequences=True))],
                         ids=["LSTM", "GRU_sequences", "GRU_reset_before", "SimpleRNN_backwards", "Bidirectional"])
def test_backward_with_a_mask_matches_central_differences(make, float64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 2))
    mask = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1, 0, 1, 1, 0]], bool)
    layer = make()
    layer.build_from_shape(x.shape)
    out = layer.forward(x, False, mask=mask)
    G = rng.normal(size=np.shape(out))

    layer.forward(x, False, mask=mask)
    dx = layer.backward(G)
    grads = [v.grad.copy() for v in layer.weights]

    def cost_at(v, w):                           # J with weight v set to w (x held)
        old = v.value.copy()
        v.value = w
        try:
            return float(np.sum(G * layer.forward(x, False, mask=mask)))
        finally:
            v.value = old
    for v, g in zip(layer.weights, grads):
        np.testing.assert_allclose(g, central_difference(lambda w: cost_at(v, w), v.value), rtol=0, atol=1e-6,
                                   err_msg=v.path)
    numeric_dx = central_difference(lambda xs: float(np.sum(G * layer.forward(xs, False, mask=mask))), x)
    np.testing.assert_allclose(dx, numeric_dx, rtol=0, atol=1e-6)
    assert np.all(dx[0, 3:] == 0) and np.all(dx[1, 0] == 0)     # padded steps get no gradient


def test_padding_on_the_right_gives_the_unpadded_answer():
    ids = np.array([[3, 1, 4, 0, 0, 0]])
    model = glassnet.keras.Sequential([layers.Input((None,)), layers.Embedding(6, 4, mask_zero=True),
                                       layers.LSTM(3), layers.Dense(1)])
    short = model.predict(ids[:, :3], verbose=0)
    np.testing.assert_allclose(model.predict(ids, verbose=0), short, rtol=1e-12)


def test_a_functional_model_hands_the_mask_on_as_sequential_does(tmp_path):
    x = FIXTURE["x"]
    seq = _model("bidirectional_lstm")
    inp = glassnet.keras.Input((6,))
    h = seq.layers[0](inp)
    out = seq.layers[2](seq.layers[1](h))
    functional = glassnet.keras.Model(inp, out)
    np.testing.assert_allclose(functional.predict(x, verbose=0), FIXTURE["bidirectional_lstm/pred"], atol=1e-6)
    seq.save(tmp_path / "masked.keras")
    again = glassnet.keras.models.load_model(tmp_path / "masked.keras")
    assert again.layers[0].mask_zero
    np.testing.assert_array_equal(again.predict(x, verbose=0), seq.predict(x, verbose=0))


def test_layers_that_do_not_take_masks_drop_them():
    x = np.array([[1, 2, 0, 0]])
    model = glassnet.keras.Sequential([layers.Input((4,)), layers.Embedding(3, 2, mask_zero=True),
                                       layers.Flatten(), layers.Dense(1)])
    assert model.predict(x, verbose=0).shape == (1, 1)                  # Flatten drops it; nothing breaks
    emb = model.layers[0]
    assert emb.compute_mask(x).tolist() == [[True, True, False, False]]
    assert layers.Flatten().compute_mask(x, emb.compute_mask(x)) is None
    assert layers.Dense(2).compute_mask(x, emb.compute_mask(x)) is not None


def test_masking_zeroes_padded_steps_and_lets_no_gradient_through_them():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]]])
    layer = layers.Masking()
    out = np.asarray(layer(x))
    np.testing.assert_array_equal(out, x)                      # the padded step is zeros already
    layer = layers.Masking(mask_value=1.0)
    out = layer.forward(x)
    assert out[0, 1].tolist() == [0.0, 0.0] and layer.compute_mask(x).tolist() == [[True, True, True]]
    x2 = np.array([[[1.0, 1.0], [1.0, 2.0]]])
    np.testing.assert_array_equal(layer.forward(x2), [[[0.0, 0.0], [1.0, 2.0]]])
    np.testing.assert_array_equal(layer.backward(np.ones_like(x2)), [[[0.0, 0.0], [1.0, 1.0]]])
    with pytest.raises(ValueError, match="mask_value"):
        layers.Masking(mask_value="zero")


def test_eager_calls_carry_the_mask_as_keras_tensors_do():
    """TensorFlow's "Masking and padding" guide: layer outputs carry ``_keras_mask``."""
    raw = [[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927]]
    padded = glassnet.keras.utils.pad_sequences(raw, padding="post")
    embedding = layers.Embedding(input_dim=5000, output_dim=4, mask_zero=True)
    out = embedding(padded)
    assert out._keras_mask.numpy().tolist() == (padded != 0).tolist()
    lstm = layers.LSTM(3)
    carried = np.asarray(lstm(out))                                     # the mask rides along
    given = np.asarray(lstm(np.asarray(out), mask=padded != 0))         # or is passed by hand
    dropped = np.asarray(lstm(out.numpy()))                             # .numpy() drops it, as in TF
    np.testing.assert_array_equal(carried, given)
    assert np.abs(carried - dropped).max() > 1e-4
    model = glassnet.keras.Sequential([embedding, lstm])
    np.testing.assert_allclose(model.predict(padded, verbose=0), carried, rtol=1e-6)
    assert not hasattr(layers.Dense(2)(np.ones((2, 3))), "_keras_mask")
