"""glassnet.layers.recurrent: SimpleRNN, LSTM and GRU. Backpropagation through time by central
differences, one SimpleRNN step by hand, Keras's numbers (outputs, states, 2 epochs of SGD) from
tests/fixtures/keras_recurrent.npz (tools/make_keras_recurrent.py), .keras files, a text
classifier through fit, and the refusals."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import glassnet
from glassnet.seeding import SeedState
from glassnet.keras import layers
from conftest import central_difference_in_place
from conftest import load_tool

HERE = pathlib.Path(__file__).parent
KINDS = {"SimpleRNN": lambda **k: layers.SimpleRNN(3, **k), "LSTM": lambda **k: layers.LSTM(3, **k),
         "GRU": lambda **k: layers.GRU(3, **k), "GRU_reset_before": lambda **k: layers.GRU(3, reset_after=False, **k)}


def _tool():
    return load_tool("make_keras_recurrent")


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("options", [{}, {"return_sequences": True}, {"go_backwards": True},
                                     {"go_backwards": True, "return_sequences": True}, {"use_bias": False}])
def test_backward_through_time_matches_central_differences(kind, options):
    x = np.random.default_rng(1).normal(size=(4, 5, 2))
    report = glassnet.gradcheck(KINDS[kind](**options), x, max_entries=None)
    assert report.passed, report


def test_one_simple_rnn_step_by_hand():
    layer = layers.SimpleRNN(2, return_sequences=True)
    layer.build_from_shape((None, 2, 1))
    layer.set_weights([np.array([[0.5, -1.0]]), np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([0.1, 0.2])])
    x = np.array([[[1.0], [2.0]]])
    out = np.asarray(layer(x))
    # t=1: z = 1*[0.5, -1] + h_0 U + b = [0.6, -0.8]     h_1 = tanh(z)
    h1 = np.tanh([0.6, -0.8])
    # t=2: z = 2*[0.5, -1] + [h1[0]*1, h1[1]*2] + b = [1.1 + h1[0], -1.8 + 2 h1[1]]
    h2 = np.tanh([1.1 + h1[0], -1.8 + 2 * h1[1]])
    np.testing.assert_allclose(out[0], [h1, h2], rtol=1e-6)
    # backward from dJ/dh_2 = [1, 0] only: dz_2 = [1 - h2[0]^2, 0]; dh_1 = dz_2 U^T = [1 - h2[0]^2, 0]
    grad = np.zeros((1, 2, 2))
    grad[0, 1, 0] = 1.0
    layer.forward(x)
    dx = layer.backward(grad)
    dz2 = np.array([1 - h2[0] ** 2, 0.0])
    dz1 = (dz2 @ np.array([[1.0, 0.0], [0.0, 2.0]]).T) * (1 - h1 ** 2)
    np.testing.assert_allclose(layer.kernel.grad, [2.0 * dz2 + 1.0 * dz1], rtol=1e-6)   # x_2 dz_2 + x_1 dz_1
    np.testing.assert_allclose(layer.recurrent_kernel.grad, np.outer(h1, dz2), rtol=1e-6, atol=1e-12)  # h_0 = 0
    np.testing.assert_allclose(layer.bias.grad, dz1 + dz2, rtol=1e-6)
    np.testing.assert_allclose(dx[0, :, 0], [dz1 @ [0.5, -1.0], dz2 @ [0.5, -1.0]], rtol=1e-6)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU", "GRU_reset_before"])
def test_keras_outputs_states_and_two_epochs_of_sgd(kind):
    tool, d = _tool(), np.load(HERE / "fixtures" / "keras_recurrent.npz")
    x, y = tool.data()
    start = [d[f"{kind}/start_{i}"] for i in range(5)]
    for what, got in tool.outputs(glassnet.keras, kind, start[:3], x).items():
        np.testing.assert_allclose(got, d[f"{kind}/{what}"], atol=1e-5, err_msg=what)
    model = tool.build(glassnet.keras, kind)
    model.set_weights(start)
    losses = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses, d[f"{kind}/losses"], rtol=1e-4)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, d[f"{kind}/end_{i}"], atol=1e-4)


def test_weights_are_laid_out_as_keras_and_initialized_as_keras():
    lstm, gru = layers.LSTM(5), layers.GRU(5)
    lstm.build_from_shape((None, 7, 3))
    gru.build_from_shape((None, 7, 3))
    assert [(v.name, v.shape) for v in lstm.weights] == [("kernel", (3, 20)), ("recurrent_kernel", (5, 20)),
                                                         ("bias", (20,))]
    assert [v.shape for v in gru.weights] == [(3, 15), (5, 15), (2, 15)]          # reset_after: two bias rows
    np.testing.assert_array_equal(lstm.bias.value, [0] * 5 + [1] * 5 + [0] * 10)   # unit_forget_bias
    u = lstm.recurrent_kernel.value.astype(np.float64)                            # orthogonal: U U^T = I
    np.testing.assert_allclose(u @ u.T, np.eye(5), atol=1e-5)
    assert layers.GRU(5, reset_after=False).count_params_for((None, 7, 3)) == 15 * 3 + 15 * 5 + 15
    assert glassnet.initializers.get("orthogonal").get_config() == {"seed": None, "gain": 1.0}


def test_return_state_on_data_and_refused_inside_a_sequential():
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype(np.float32)
    out, h, c = layers.LSTM(5, return_state=True)(x)
    np.testing.assert_array_equal(out, h)
    assert c.shape == (2, 5)
    seq, h = layers.SimpleRNN(5, return_sequences=True, return_state=True)(x)
    np.testing.assert_array_equal(np.asarray(seq)[:, -1], h)
    with pytest.raises(ValueError, match="return_state=True works when the layer is called on data"):
        glassnet.keras.Sequential([layers.Input(shape=(4, 3)), layers.GRU(5, return_state=True)])
    # on symbolic tensors (the functional API) each state is a tensor: tests/test_recurrent_state.py
    out, h, c = layers.LSTM(5, return_state=True)(layers.Input(shape=(4, 3)))
    assert h.shape.as_list() == [None, 5]


def test_keras_file_round_trip(tmp_path):
    tool = _tool()
    x, y = tool.data()
    for kind in tool.KINDS:
        glassnet.utils.set_random_seed(2)
        model = tool.build(glassnet.keras, kind)
        model.fit(x, y, epochs=1, verbose=0)
        model.save(tmp_path / f"{kind}.keras")
        again = glassnet.models.load_model(tmp_path / f"{kind}.keras")
        assert again.layers[0].get_config() == model.layers[0].get_config()
        np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_an_lstm_text_classifier_trains_through_fit():
    glassnet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 20, size=(64, 8))
    y = (ids == 7).any(axis=1).astype(np.float32)         # "does the word 7 appear?"
    model = glassnet.keras.Sequential([layers.Input(shape=(8,)), layers.Embedding(20, 8), layers.LSTM(8),
                                       layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ids, y, epochs=30, batch_size=16, verbose=0).history
    assert history["loss"][-1] < 0.7 * history["loss"][0]
    assert model.predict(ids, verbose=0).shape == (64, 1)


def test_unsupported_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\)"):
        layers.LSTM(3, dropout=1.0)
    with pytest.raises(ValueError, match=r"recurrent_dropout must be in \[0, 1\)"):
        layers.GRU(3, recurrent_dropout=-0.1)
    with pytest.raises(ValueError, match="kernel_constraint is not supported"):
        layers.SimpleRNN(3, kernel_constraint="non_neg")
    with pytest.raises(ValueError, match="units must be a positive integer"):
        layers.LSTM(0)
    with pytest.raises(ValueError, match=r"\(batch, timesteps, features\)"):
        layers.LSTM(3)(np.ones((2, 3)))


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("options", [{}, {"return_sequences": True, "go_backwards": True}, {"use_bias": False}])
def test_onnx_export_runs_the_same_in_onnxruntime(kind, options, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    glassnet.utils.set_random_seed(4)
    model = glassnet.keras.Sequential([layers.Input(shape=(5, 2)), KINDS[kind](**options), layers.Dense(2)])
    rng = np.random.default_rng(5)
    model.set_weights([w + 0.3 * rng.normal(size=w.shape).astype(w.dtype) for w in model.get_weights()])
    model.export(tmp_path / "rnn.onnx")
    session = ort.InferenceSession(str(tmp_path / "rnn.onnx"), providers=["CPUExecutionProvider"])
    x = rng.normal(size=(7, 5, 2)).astype(np.float32)
    np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0],
                               model.predict(x, verbose=0), atol=1e-5)


def test_onnx_export_refuses_what_onnx_runtime_cannot_run():
    with pytest.raises(ValueError, match="activation 'softsign'"):
        glassnet.keras.Sequential([layers.Input(shape=(5, 2)), layers.LSTM(3, activation="softsign")]).export(
            "never.onnx")
    with pytest.raises(ValueError, match="float32 only"):
        glassnet.keras.Sequential([layers.Input(shape=(5, 2)), layers.GRU(3, dtype="float64")]).export("never.onnx")


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU", "GRU_reset_before"])
def test_keras_files_load_and_glassnet_writes_keras_layout(kind, tmp_path):
    """Keras's trained model (tools/make_keras_recurrent.py) predicts the same in glassnet; glassnet's
    file holds the same weight paths (an RNN's weights under ``layers/<rnn>/cell/vars``): real Keras
    3.15 loads it and predicts the same (checked with the tool's Keras when the fixtures were made)."""
    import io
    import zipfile
    h5py = pytest.importorskip("h5py")
    tool, d = _tool(), np.load(HERE / "fixtures" / "keras_recurrent.npz")
    x, _ = tool.data()
    theirs = HERE / "fixtures" / f"keras_recurrent_{kind}.keras"
    model = glassnet.models.load_model(theirs)
    np.testing.assert_allclose(model.predict(x, verbose=0), d[f"{kind}/pred"], atol=1e-5)
    model.save(tmp_path / "ours.keras")

    def datasets(path):
        found = {}
        with zipfile.ZipFile(path) as z, h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            f["layers"].visititems(lambda name, o: found.update({name: o.shape}) if hasattr(o, "shape") else None)
        return found
    assert datasets(tmp_path / "ours.keras") == datasets(theirs)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_dropout_is_one_mask_on_the_inputs_for_every_step_in_training_only(kind):
    x = np.random.default_rng(2).normal(size=(6, 5, 4))
    layer = KINDS[kind](dropout=0.5, seed=7, dtype="float64")
    layer.build_from_shape((None, 5, 4))
    G = np.random.default_rng(3).normal(size=(6, 3))
    out = layer.forward(x, training=True)
    masks = layer.input_masks                                 # (gates, batch, features): one mask, every gate and step
    assert layer.state_masks is None and all(np.array_equal(m, masks[0]) for m in masks)
    mask = masks[0]
    assert mask.shape == (6, 4) and set(np.unique(mask)) <= {0.0, 2.0}
    dx = layer.backward(G)
    grads = [v.grad.copy() for v in layer.weights]
    masked = x * mask[:, None, :]
    np.testing.assert_allclose(out, layer.forward(masked, training=False), atol=1e-12)   # as if x were x * mask
    assert layer.input_masks is None                          # inference: no mask
    np.testing.assert_allclose(dx, layer.backward(G) * mask[:, None, :], atol=1e-12)     # dx_t = mask * (dz_t W^T)
    for g, v in zip(grads, layer.weights):
        np.testing.assert_allclose(g, v.grad, atol=1e-12)
    model = glassnet.keras.Sequential([layers.Input(shape=(5, 4)), KINDS[kind](dropout=0.3), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert np.isfinite(model.fit(x, x[:, -1, :1], epochs=2, verbose=0).history["loss"]).all()
    assert model.layers[0].get_config()["dropout"] == 0.3


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("options", [{"recurrent_dropout": 0.4}, {"dropout": 0.3, "recurrent_dropout": 0.4},
                                     {"dropout": 0.3, "recurrent_dropout": 0.4, "go_backwards": True,
                                      "return_sequences": True}])
def test_recurrent_dropout_backward_matches_central_differences_with_the_masks_fixed(kind, options):
    """In training mode, masks drawn again from the same seed each time: f(w) = sum(G * layer(x))."""
    x = np.random.default_rng(2).normal(size=(3, 4, 2))
    layer = KINDS[kind](dtype="float64", **options)
    layer.build_from_shape((None, 4, 2))

    def f():
        layer._seed_state = SeedState(11)                       # the same masks every call (Keras's seed state)
        return layer.forward(x, training=True)
    out = f()
    k = layer.gates
    assert layer.state_masks.shape == (k, 3, 3)
    if "dropout" in options and k > 1:                         # one mask per gate, as Keras with recurrent_dropout
        assert not np.array_equal(layer.input_masks[0], layer.input_masks[1])
    G = np.random.default_rng(3).normal(size=out.shape)
    dx = layer.backward(G)
    analytic = [v.grad.copy() for v in layer.weights] + [dx]
    for array, want in zip([v.value for v in layer.weights] + [x], analytic):
        numeric = central_difference_in_place(lambda: np.sum(G * f()), array)
        np.testing.assert_allclose(want, numeric, rtol=1e-5, atol=1e-8)
    assert layer.get_config()["recurrent_dropout"] == 0.4


def test_explain_shows_one_time_step_with_the_models_numbers():
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype(np.float32)
    model = glassnet.keras.Sequential([layers.Input(shape=(5, 3)), layers.LSTM(4), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    text = str(glassnet.explain(model, x, x[:, -1, :1]))
    assert "c_t = f * c_(t-1) + i * c~      h_t = o * tanh(c_t)" in text
    lstm = model.layers[0]
    h = lstm.forward(x)[0]                                   # sample 0's last state, as the page shows it
    assert f"h = [{h[0]:.4g}, {h[1]:.4g}, {h[2]:.4g}, ...]" in text
    for layer in (layers.SimpleRNN(2), layers.GRU(2, use_bias=False, reset_after=False)):
        model = glassnet.keras.Sequential([layers.Input(shape=(5, 3)), layer, layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        text = str(glassnet.explain(model, x, x[:, -1, :1]))
        assert "step t = 5, sample 0:" in text and ("bias" in text) == isinstance(layer, layers.SimpleRNN)


def test_explain_of_a_padded_sample_shows_its_last_kept_step():
    ids = np.array([[3, 1, 2, 0, 0, 0], [1, 1, 1, 1, 1, 1]])
    glassnet.utils.set_random_seed(0)
    model = glassnet.keras.Sequential([layers.Input(shape=(6,), dtype="int64"), layers.Embedding(4, 3, mask_zero=True),
                                       layers.LSTM(4), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    text = str(glassnet.explain(model, ids, np.ones((2, 1), np.float32)))
    assert "step t = 3, sample 0 (steps 4..6 are padding: h is carried over):" in text
    lstm = model.layers[1]
    x = model.layers[0].forward(ids[:1, :3])
    i_gate = 1 / (1 + np.exp(-(x[0, 2] @ lstm.kernel.value[:, :4] + lstm.bias.value[:4]
                               + lstm.forward(x[:, :2])[0] @ lstm.recurrent_kernel.value[:, :4])))
    assert f"i = [{i_gate[0]:.4g}, {i_gate[1]:.4g}, {i_gate[2]:.4g}, ...]" in text     # the third step's gate
