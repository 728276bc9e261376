"""glassnet.layers.conv_lstm: ConvLSTM1D/2D/3D. Backward through time by central differences,
Keras's numbers (outputs, states, TensorFlow's gradients, 2 epochs of SGD of keras.io's
next-frame model) from tests/fixtures/keras_conv_lstm.npz (tools/make_keras_conv_lstm.py),
.keras files both ways, dropout's masks, states from outside, and the refusals."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import glassnet
from glassnet.keras import layers
from glassnet.seeding import SeedState
from conftest import central_difference_in_place, load_tool

HERE = pathlib.Path(__file__).parent
FIX = HERE / "fixtures" / "keras_conv_lstm.npz"


def _tool():
    return load_tool("make_keras_conv_lstm")


@pytest.mark.parametrize("make, shape", [
    (lambda: layers.ConvLSTM2D(2, 3), (2, 3, 5, 5, 2)),
    (lambda: layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True), (2, 3, 4, 5, 1)),
    (lambda: layers.ConvLSTM2D(2, (3, 2), strides=2, go_backwards=True), (2, 3, 7, 6, 1)),
    (lambda: layers.ConvLSTM2D(2, 3, dilation_rate=2, return_sequences=True, use_bias=False), (2, 3, 6, 6, 1)),
    (lambda: layers.ConvLSTM2D(2, 3, data_format="channels_first", padding="same"), (2, 3, 2, 4, 5)),
    (lambda: layers.ConvLSTM1D(3, 3, return_sequences=True), (2, 4, 6, 2)),
    (lambda: layers.ConvLSTM3D(2, 2), (2, 3, 3, 4, 3, 1)),
])
def test_backward_through_time_matches_central_differences(make, shape):
    x = np.random.default_rng(1).normal(size=shape)
    report = glassnet.gradcheck(make(), x, max_entries=None)
    assert report.passed, report


def test_the_input_convolution_in_chunks_of_steps_gives_the_same_numbers():
    """Patches for every step at once would not fit memory in a deep ConvLSTM: the steps go in
    chunks (made again in backward); forward and gradients are the same, dropout too."""
    x = np.random.default_rng(5).normal(size=(2, 5, 5, 5, 2))
    G = np.random.default_rng(6).normal(size=(2, 5, 5, 5, 3))
    results = []
    for limit in (1 << 24, 300):
        layer = layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True, dropout=0.3, dtype="float64", seed=1)
        layer.build_from_shape((None,) + x.shape[1:])
        layer.set_weights([np.random.default_rng(j).normal(size=v.shape) * 0.3 for j, v in enumerate(layer.weights)])
        layer._PATCH_ENTRIES = limit
        assert len(layer._chunks(np.moveaxis(x, 1, 0))) == (1 if limit > 300 else 5)
        out = layer.forward(x, training=True)
        results.append([out, layer.backward(G)] + [v.grad for v in layer.weights])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    layer._PATCH_ENTRIES = 300
    report = glassnet.gradcheck(layer, x, max_entries=40)
    assert report.passed, report


@pytest.mark.parametrize("case", sorted(load_tool("make_keras_conv_lstm").CASES))
def test_keras_outputs_states_and_gradients(case):
    """Keras's weights set on glassnet's layer: the same outputs (and final states), and for
    J = sum(G * out) + sum(Gs * states) the same dJ/dx and dJ/dweights as TensorFlow's tape."""
    tool, d = _tool(), np.load(FIX)
    x = d[f"{case}/x"]
    layer = tool.layer(glassnet.keras, case)
    layer.build_from_shape((None,) + x.shape[1:]) if not layer.return_state else layer(x)
    weights = [d[f"{case}/w_{j}"] for j in range(len(layer.weights))]
    assert [w.shape for w in weights] == [tuple(v.shape) for v in layer.weights]
    assert [v.name for v in layer.weights] == ["kernel", "recurrent_kernel", "bias"][:len(weights)]
    layer.set_weights(weights)
    outs = layer(x)
    outs = list(outs) if isinstance(outs, list) else [outs]
    grads = []
    for j, o in enumerate(outs):
        np.testing.assert_allclose(np.asarray(o), d[f"{case}/out_{j}"], atol=2e-5)
        grads.append(d[f"{case}/g_{j}"])
    dx = layer.backward(grads if len(grads) > 1 else grads[0])
    np.testing.assert_allclose(dx, d[f"{case}/dx"], atol=2e-4)
    for j, v in enumerate(layer.weights):
        np.testing.assert_allclose(v.grad, d[f"{case}/dw_{j}"], rtol=2e-4, atol=2e-4)


def test_next_frame_model_two_epochs_of_sgd_as_keras():
    tool, d = _tool(), np.load(FIX)
    x, y = tool.model_data()
    model = tool.model(glassnet.keras)
    n = len(model.get_weights())
    model.set_weights([d[f"model/start_{j}"] for j in range(n)])
    losses = model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses, d["model/losses"], rtol=1e-4)
    for j, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, d[f"model/end_{j}"], atol=1e-4)
    np.testing.assert_allclose(model.predict(x, verbose=0), d["model/pred"], atol=1e-4)


def test_keras_files_both_ways(tmp_path):
    """Keras's trained file predicts the same here; glassnet's file holds Keras's weight paths
    (``layers/conv_lstm2d/cell/vars``), and Keras 3.15 read glassnet's file (at fixture time) and
    predicted what glassnet predicts."""
    import io
    import zipfile
    h5py = pytest.importorskip("h5py")
    tool, d = _tool(), np.load(FIX)
    x, _ = tool.model_data()
    theirs = HERE / "fixtures" / "keras_conv_lstm.keras"
    model = glassnet.models.load_model(theirs)
    np.testing.assert_allclose(model.predict(x, verbose=0), d["model/pred"], atol=1e-5)
    model.save(tmp_path / "ours.keras")
    again = glassnet.models.load_model(tmp_path / "ours.keras")
    assert again.layers[1].get_config() == model.layers[1].get_config()
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))

    def datasets(path):
        found = {}
        with zipfile.ZipFile(path) as z, h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            f["layers"].visititems(lambda name, o: found.update({name: o.shape}) if hasattr(o, "shape") else None)
        return found
    assert datasets(tmp_path / "ours.keras") == datasets(theirs)
    assert "conv_lstm2d/cell/vars/1" in datasets(theirs)
    ours_in_keras = glassnet.models.load_model(HERE / "fixtures" / "glassnet_conv_lstm.keras")
    np.testing.assert_allclose(ours_in_keras.predict(x, verbose=0), d["glassnet_file_in_keras"], atol=1e-5)


def test_config_is_keras_and_round_trips():
    layer = layers.ConvLSTM2D(4, 3, strides=(2, 1), padding="same", dropout=0.1, name="c")
    cfg = layer.get_config()
    assert cfg["kernel_size"] == [3, 3] and cfg["strides"] == [2, 1] and cfg["data_format"] == "channels_last"
    assert cfg["recurrent_initializer"]["class_name"] == "Orthogonal" and cfg["unit_forget_bias"] is True
    assert cfg["activity_regularizer"] is None and cfg["dropout"] == 0.1
    assert layers.ConvLSTM2D.from_config(cfg).get_config() == cfg
    layer.build_from_shape((None, 3, 8, 8, 2))
    np.testing.assert_array_equal(layer.bias.value, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])   # forget gate at 1


def test_dropout_is_one_mask_per_gate_for_every_step_and_gradients_hold_with_masks_fixed():
    x = np.random.default_rng(2).normal(size=(2, 3, 4, 4, 2))
    layer = layers.ConvLSTM2D(2, 3, padding="same", dropout=0.3, recurrent_dropout=0.4, dtype="float64",
                              return_sequences=True)
    layer.build_from_shape((None,) + x.shape[1:])

    def f():
        layer._seed_state = SeedState(11)                       # the same masks every call (Keras's seed state)
        return layer.forward(x, training=True)
    out = f()
    assert layer.input_masks.shape == (4, 2, 4, 4, 2) and layer.state_masks.shape == (4, 2, 4, 4, 2)
    assert not np.array_equal(layer.input_masks[0], layer.input_masks[1])
    assert set(np.unique(layer.input_masks)) <= {0.0, 1 / 0.7}
    G = np.random.default_rng(3).normal(size=out.shape)
    dx = layer.backward(G)
    analytic = [v.grad.copy() for v in layer.weights] + [dx]
    for array, want in zip([v.value for v in layer.weights] + [x], analytic):
        numeric = central_difference_in_place(lambda: np.sum(G * f()), array)
        np.testing.assert_allclose(want, numeric, rtol=1e-5, atol=1e-8)
    layer.forward(x, training=False)
    assert layer.input_masks is None and layer.state_masks is None


def test_initial_state_return_state_and_stateful():
    x = np.random.default_rng(4).normal(size=(2, 3, 5, 5, 1)).astype("float32")
    layer = layers.ConvLSTM2D(2, 3, return_state=True)
    out, h, c = layer(x)
    assert out.shape == h.shape == c.shape == (2, 3, 3, 2)
    np.testing.assert_array_equal(out, h)
    h0, c0 = layer.get_initial_state(2)
    assert h0.shape == (2, 3, 3, 2)
    again = layers.ConvLSTM2D(2, 3)
    again(x[:, :1])
    again.set_weights(layer.get_weights())
    first = again(x[:, :2])                                   # two steps, then the third from its states
    _, h2, c2 = layer(x[:, :2])
    np.testing.assert_allclose(layer(x[:, 2:], initial_state=[h2, c2])[0], out, atol=1e-6)
    with pytest.raises(ValueError, match=r"initial_state\[0\] has shape \(2, 2\); expected \(2, 3, 3, 2\)"):
        layer(x, initial_state=[np.zeros((2, 2)), np.zeros((2, 2))])
    stateful = layers.ConvLSTM2D(2, 3, stateful=True)
    stateful(x[:, :1])
    stateful.set_weights(layer.get_weights())
    stateful.reset_state()
    stateful(x[:, :2])
    np.testing.assert_allclose(stateful(x[:, 2:]), out, atol=1e-6)   # went on from the kept states
    np.testing.assert_allclose(first, h2, atol=1e-6)


def test_functional_model_with_returned_states_trains():
    inp = layers.Input(shape=(3, 5, 5, 1))
    seq, h, c = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, return_state=True)(inp)
    out = layers.ConvLSTM2D(1, 3, padding="same")(seq, initial_state=[layers.Conv2D(1, 1)(h), layers.Conv2D(1, 1)(c)])
    model = glassnet.keras.Model(inp, out)
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(4, 3, 5, 5, 1)).astype("float32")
    hist = model.fit(x, x[:, -1], epochs=3, verbose=0).history["loss"]
    assert np.isfinite(hist).all() and hist[-1] < hist[0]
    assert model.output_shape == (None, 5, 5, 1)


def test_refusals_name_the_argument():
    with pytest.raises(ValueError, match="filters must be a positive integer"):
        layers.ConvLSTM2D(0, 3)
    with pytest.raises(ValueError, match="padding must be one of"):
        layers.ConvLSTM2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="dropout must be in"):
        layers.ConvLSTM2D(2, 3, dropout=1.0)
    with pytest.raises(ValueError, match="data_format"):
        layers.ConvLSTM2D(2, 3, data_format="nhwc")
    with pytest.raises(ValueError, match="strides > 1 together with dilation_rate > 1"):
        layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="expects inputs of 5 dimensions"):
        layers.ConvLSTM2D(2, 3)(np.zeros((2, 3, 4, 1)))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        layers.ConvLSTM2D(2, 5)(np.zeros((1, 2, 3, 3, 1)))


def test_bidirectional_conv_lstm_passes_gradcheck_and_round_trips(tmp_path):
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 4, 1))
    report = glassnet.gradcheck(layers.Bidirectional(layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)),
                                x, max_entries=30)
    assert report.passed, report
    model = glassnet.keras.Sequential([layers.Input((3, 4, 4, 1)), layers.Bidirectional(layers.ConvLSTM2D(2, 3)),
                                       layers.Flatten(), layers.Dense(1)])
    assert model.output_shape == (None, 1) and model.layers[0].output_shape == (None, 2, 2, 4)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x.astype("float32"), np.ones((2, 1)), verbose=0)
    model.save(tmp_path / "b.keras")
    again = glassnet.models.load_model(tmp_path / "b.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_padding_mask_is_refused_by_name():
    layer = layers.ConvLSTM2D(2, 3)
    x = np.ones((2, 3, 4, 4, 1))
    layer(x)
    with pytest.raises(ValueError, match="padding masks are not supported"):
        layer.forward(x, False, mask=np.array([[True, True, False], [True, True, True]]))
