"""glassnet.callbacks.TensorBoard: the event files read back with TensorBoard's own reader
(Keras 3's runs, tags and steps, the values History has, weight and gradient histograms, the
gradient norms of the last batch), and the real TensorBoard server serving them."""
from __future__ import annotations

import json
import threading
import urllib.request

import numpy as np
import pytest

import glassnet
from glassnet.keras import Sequential, callbacks
from glassnet.keras.layers import Dense, Input

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.plugin_event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

# What REAL Keras 3.15 wrote for this model and fit (tools/compare_keras_tensorboard.py):
# run -> tag -> steps; the model's name ("sequential") prefixes the weights' paths.
KERAS_TAGS = {
    "epoch": {
        "train": {"epoch_accuracy": [0, 1], "epoch_learning_rate": [0, 1], "epoch_loss": [0, 1], "keras": [0],
                  "sequential/dense/bias/histogram": [0, 1], "sequential/dense/kernel/histogram": [0, 1],
                  "sequential/dense_1/bias/histogram": [0, 1], "sequential/dense_1/kernel/histogram": [0, 1]},
        "validation": {"epoch_accuracy": [0, 1], "epoch_loss": [0, 1],
                       "evaluation_accuracy_vs_iterations": [3, 6], "evaluation_loss_vs_iterations": [3, 6]},
    },
    "batch": {
        "train": {"batch_accuracy": [1, 2, 3, 4, 5, 6], "batch_loss": [1, 2, 3, 4, 5, 6],
                  "epoch_accuracy": [0, 1], "epoch_learning_rate": [0, 1], "epoch_loss": [0, 1], "keras": [0],
                  "sequential/dense/bias/histogram": [0, 1], "sequential/dense/kernel/histogram": [0, 1],
                  "sequential/dense_1/bias/histogram": [0, 1], "sequential/dense_1/kernel/histogram": [0, 1]},
        "validation": {"epoch_accuracy": [0, 1], "epoch_loss": [0, 1],
                       "evaluation_accuracy_vs_iterations": [3, 6], "evaluation_loss_vs_iterations": [3, 6]},
    },
}
# Keras with update_freq=2 writes batch scalars at global batches 2, 4, 6 (and, a side effect
# of its recording condition, drops epoch 0's epoch scalars: glassnet writes them).
KERAS_BATCH_STEPS_EVERY_2 = [2, 4, 6]

GLASS_BOX_TAGS = {"gradient_norm/dense", "gradient_norm/dense_1",
                  "sequential/dense/kernel/gradient/histogram", "sequential/dense/bias/gradient/histogram",
                  "sequential/dense_1/kernel/gradient/histogram", "sequential/dense_1/bias/gradient/histogram"}


def _data():
    rng = np.random.default_rng(0)
    x = rng.random((12, 3)).astype("float32")
    y = (x.sum(axis=1) > 1.5).astype("float32")
    return x, y


def _model():
    glassnet.utils.clear_session()          # the names of a fresh session: sequential, dense, dense_1
    glassnet.utils.set_random_seed(1)
    model = Sequential([Input((3,)), Dense(4, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _fit(tmp_path, extra=(), epochs=2, **kwargs):
    x, y = _data()
    model = _model()
    tb = callbacks.TensorBoard(tmp_path, **kwargs)
    history = model.fit(x, y, batch_size=4, epochs=epochs, validation_data=(x, y),
                        callbacks=[tb, *extra], shuffle=False, verbose=0)
    return model, history


def _read(log_dir, run):
    """TensorBoard's own reader: {tag: [(step, value as an array)]}."""
    acc = EventAccumulator(str(log_dir / run), size_guidance={"tensors": 0})
    acc.Reload()
    return {tag: [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]
            for tag in acc.Tags()["tensors"]}


def _steps(events):
    return {tag: [s for s, _ in pairs] for tag, pairs in events.items()}


@pytest.mark.parametrize("update_freq", ["epoch", "batch"])
def test_runs_tags_and_steps_are_keras_3s(tmp_path, update_freq):
    _fit(tmp_path, histogram_freq=1, update_freq=update_freq)
    for run, keras_tags in KERAS_TAGS[update_freq].items():
        ours = _steps(_read(tmp_path, run))
        assert {t: ours.get(t) for t in keras_tags} == keras_tags
        extra = set(ours) - set(keras_tags)
        assert extra == (GLASS_BOX_TAGS if run == "train" else set())


def test_update_freq_int_writes_every_nth_global_batch(tmp_path):
    _fit(tmp_path, update_freq=2)
    steps = _steps(_read(tmp_path, "train"))
    assert steps["batch_loss"] == steps["batch_accuracy"] == KERAS_BATCH_STEPS_EVERY_2
    assert steps["epoch_loss"] == [0, 1]
    assert not any("histogram" in t or "gradient" in t for t in steps)      # histogram_freq=0


def test_epoch_scalars_are_historys_numbers(tmp_path):
    model, history = _fit(tmp_path, epochs=3, update_freq="batch")
    train, val = _read(tmp_path, "train"), _read(tmp_path, "validation")
    for name in ("loss", "accuracy"):
        assert [float(v) for _, v in train[f"epoch_{name}"]] == pytest.approx(history.history[name], rel=1e-6)
        assert [float(v) for _, v in val[f"epoch_{name}"]] == pytest.approx(history.history["val_" + name],
                                                                              rel=1e-6)
    assert [float(v) for _, v in train["epoch_learning_rate"]] == pytest.approx([0.001] * 3)
    assert [s for s, _ in val["evaluation_loss_vs_iterations"]] == [3, 6, 9]
    # the last batch's running loss is the epoch's loss
    assert float(train["batch_loss"][-1][1]) == pytest.approx(history.history["loss"][-1], rel=1e-6)


class _LastBatch(glassnet.callbacks.Callback):
    """The weights before each step, and every weight's grad after it."""

    def on_train_batch_begin(self, batch, logs=None):
        self.before = self.model.get_weights()

    def on_train_batch_end(self, batch, logs=None):
        self.grads = [None if v.grad is None else np.array(v.grad) for v in self.model.trainable_weights]


def test_histograms_and_gradient_norms_are_the_last_batchs(tmp_path):
    rec = _LastBatch()
    model, _ = _fit(tmp_path, extra=[rec], epochs=2, histogram_freq=1)
    train = _read(tmp_path, "train")
    # the gradient of the epoch's last batch, at the weights before its step (glassnet.gradients)
    x, y = _data()
    again = _model()
    again.set_weights(rec.before)
    expected = glassnet.gradients(again, x[8:], y[8:])
    for got, want in zip(rec.grads, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    norms = {"dense": np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in expected[:2])),
             "dense_1": np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in expected[2:]))}
    for layer, norm in norms.items():
        step, value = train[f"gradient_norm/{layer}"][-1]
        assert step == 1 and float(value) == pytest.approx(norm, rel=1e-5)
    # histograms: [buckets, 3] = left, right, count; the counts add up to the weight's size,
    # the edges span its values (at the epoch's end, after the last step)
    for v, g in zip(model.trainable_weights, expected):
        table = train[f"{v.path}/histogram"][-1][1]
        assert table.shape == (30, 3) and table[:, 2].sum() == v.value.size
        assert table[0, 0] == pytest.approx(v.value.min()) and table[-1, 1] == pytest.approx(v.value.max())
        gtable = train[f"{v.path}/gradient/histogram"][-1][1]
        assert gtable[:, 2].sum() == g.size
        assert gtable[0, 0] == pytest.approx(g.min(), rel=1e-5, abs=1e-7)
        assert gtable[-1, 1] == pytest.approx(g.max(), rel=1e-5, abs=1e-7)


def test_histogram_freq_says_which_epochs(tmp_path):
    _fit(tmp_path, epochs=5, histogram_freq=2)
    steps = _steps(_read(tmp_path, "train"))
    assert steps["sequential/dense/kernel/histogram"] == [0, 2, 4]
    assert steps["gradient_norm/dense"] == [0, 2, 4]


def test_the_keras_tag_is_the_models_config_for_the_graphs_tab(tmp_path):
    _fit(tmp_path, epochs=1)
    acc = EventAccumulator(str(tmp_path / "train"), size_guidance={"tensors": 0})
    acc.Reload()
    assert acc.SummaryMetadata("keras").plugin_data.plugin_name == "graph_keras_model"
    config = json.loads(tensor_util.make_ndarray(acc.Tensors("keras")[0].tensor_proto).item())
    assert config["class_name"] == "Sequential"
    assert [layer["class_name"] for layer in config["config"]["layers"]][-2:] == ["Dense", "Dense"]


def test_write_images_draws_each_weight(tmp_path):
    _fit(tmp_path, epochs=1, histogram_freq=1, write_images=True)
    acc = EventAccumulator(str(tmp_path / "train"), size_guidance={"tensors": 0})
    acc.Reload()
    assert acc.SummaryMetadata("sequential/dense/kernel/image").plugin_data.plugin_name == "images"
    # TensorBoard's image layout: [width, height, PNG bytes]; the (3, 4) kernel drawn 3 high, 4 wide
    width, height, png = tensor_util.make_ndarray(acc.Tensors("sequential/dense/kernel/image")[0].tensor_proto)
    assert (int(width), int(height)) == (4, 3) and png.startswith(b"\x89PNG")


def test_write_steps_per_second(tmp_path):
    _fit(tmp_path, epochs=1, update_freq="batch", write_steps_per_second=True)
    train = _read(tmp_path, "train")
    assert float(train["epoch_steps_per_second"][0][1]) > 0
    assert len(train["batch_steps_per_second"]) == 3


def test_an_unwritable_log_dir_fails_before_any_step(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    x, y = _data()
    model = _model()
    before = model.get_weights()
    with pytest.raises(OSError, match="TensorBoard: cannot write event files"):
        model.fit(x, y, epochs=1, callbacks=[callbacks.TensorBoard(blocker)], verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_arguments_are_checked_and_kerass_defaults(tmp_path):
    tb = callbacks.TensorBoard()
    assert (tb.log_dir, tb.histogram_freq, tb.write_graph, tb.write_images, tb.update_freq,
            tb.profile_batch, tb.embeddings_freq) == ("logs", 0, True, False, "epoch", 0, 0)
    assert callbacks.TensorBoard is glassnet.callbacks.TensorBoard
    with pytest.raises(ValueError, match="update_freq"):
        callbacks.TensorBoard(tmp_path, update_freq="sometimes")
    with pytest.raises(ValueError, match="histogram_freq"):
        callbacks.TensorBoard(tmp_path, histogram_freq=-1)


def test_without_tensorboard_the_message_says_what_to_install(monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "tensorboard"
                        else real(name, *a))
    with pytest.raises(ImportError, match=r"pip install 'glassnet\[tensorboard\]'"):
        callbacks.TensorBoard()


def test_a_write_failing_later_does_not_stop_training(tmp_path, capsys):
    x, y = _data()
    model = _model()
    tb = callbacks.TensorBoard(tmp_path)

    def broken(*args):
        raise OSError(28, "No space left on device")
    tb._scalars = broken
    history = model.fit(x, y, epochs=3, callbacks=[tb], verbose=0)
    assert len(history.history["loss"]) == 3
    assert capsys.readouterr().err.count("TensorBoard: stopped writing") == 1


def test_the_real_tensorboard_server_serves_the_scalars(tmp_path):
    _, history = _fit(tmp_path, epochs=2)
    from tensorboard import program
    tb = program.TensorBoard()
    try:
        tb.configure(argv=[None, "--logdir", str(tmp_path), "--host", "127.0.0.1", "--port", "0",
                           "--load_fast", "false"])
        server = tb._make_server()
    except Exception as e:          # noqa: BLE001 - no server here: the files are tested above
        pytest.skip(f"TensorBoard's server cannot start: {e}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = server.get_url().rstrip("/")
        for _ in range(50):         # the multiplexer loads the folder in the background
            with urllib.request.urlopen(f"{url}/data/plugin/scalars/scalars?run=train&tag=epoch_loss",
                                        timeout=10) as reply:
                rows = json.loads(reply.read())
            if len(rows) == 2:
                break
            threading.Event().wait(0.1)
        assert [step for _, step, _ in rows] == [0, 1]
        assert [value for _, _, value in rows] == pytest.approx(history.history["loss"], rel=1e-6)
        # the Graphs tab draws the model from the "keras" tag (TensorBoard's own Keras-config reader)
        with urllib.request.urlopen(f"{url}/data/plugin/graphs/graph?run=train&tag=keras&conceptual=true",
                                    timeout=10) as reply:
            graph = reply.read().decode()
        assert 'name: "sequential/dense"' in graph and 'name: "sequential/dense_1"' in graph, graph[:2000]
    finally:
        server.shutdown()
        server.server_close()


def test_a_functional_convnet_with_batch_norm_and_a_frozen_layer(tmp_path):
    from glassnet.keras import Model, layers
    glassnet.utils.clear_session()
    inputs = layers.Input((6, 6, 1))
    h = layers.Conv2D(2, 3, activation="relu")(inputs)
    h = layers.BatchNormalization()(h)
    h = layers.Flatten()(h)
    frozen = layers.Dense(3, activation="relu")
    frozen.trainable = False
    outputs = layers.Dense(1, activation="sigmoid")(frozen(h))
    model = Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).random((8, 6, 6, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False,
              callbacks=[callbacks.TensorBoard(tmp_path, histogram_freq=1, write_images=True)])
    tags = set(_read(tmp_path, "train"))
    # a functional model's weights are named without the model's name, as in Keras 3
    assert {"conv2d/kernel/histogram", "batch_normalization/moving_mean/histogram",
            "conv2d/kernel/gradient/histogram", "gradient_norm/conv2d", "gradient_norm/dense_1",
            "dense/kernel/image", "keras"} <= tags
    # no gradient for what is not trained: moving statistics, a frozen layer
    assert "batch_normalization/moving_mean/gradient/histogram" not in tags
    assert "gradient_norm/dense" not in tags and "dense/kernel/gradient/histogram" not in tags
