"""The glass box for images: explain narrates a convolution (shapes, one output by hand),
plot.filters and plot.feature_maps draw, ``glassnet digits --cnn`` writes its run folder,
and examples/mnist_convnet.py runs on a small synthetic MNIST file."""
from __future__ import annotations

import importlib.util
import os
import re

import numpy as np
import pytest

import glassnet
from glassnet.cli import main
from glassnet.layers import (AveragePooling2D, BatchNormalization, Conv2D, Dense, GlobalAveragePooling2D,
                             GlobalMaxPooling2D, MaxPooling2D, Reshape)

HERE = os.path.dirname(os.path.abspath(__file__))
PNG = b"\x89PNG\r\n\x1a\n"


def small_convnet(seed=0):
    glassnet.utils.set_random_seed(seed)
    model = glassnet.Sequential([
        glassnet.Input(shape=(6, 6, 1)), Conv2D(3, 3, strides=2, padding="same", activation="relu", name="conv"),
        BatchNormalization(), MaxPooling2D(2, padding="same"), Reshape((4, 1, 3)), AveragePooling2D(1),
        GlobalMaxPooling2D(keepdims=True), GlobalAveragePooling2D(), Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(seed)
    return model, rng.random((4, 6, 6, 1)).astype(np.float32), rng.integers(0, 2, 4)


def test_explain_narrates_every_layer_and_computes_one_convolution_by_hand():
    model, x, y = small_convnet()
    before = model.get_weights()
    e = glassnet.explain(model, x, y)
    text = str(e)
    for name in ("Conv2D", "BatchNormalization", "MaxPooling2D", "Reshape", "AveragePooling2D",
                 "GlobalMaxPooling2D", "GlobalAveragePooling2D"):
        assert f"({name})" in text
    assert "patches P1 (kernel[1] (3, 3, 1, 3)): 36 windows (m * 3 * 3) x 9 numbers each" in text
    assert "(36, 9) @ (9, 3) -> (36, 3), as (4, 3, 3, 3)" in text
    # the hand-computed output: recompute it from the printed window and the kernel before the step
    line = next(l for l in text.splitlines() if "by hand" in l)
    position = tuple(int(v) for v in re.search(r"position \((\d+), (\d+)\)", line).groups())
    f = int(re.search(r"filter (\d+)", line).group(1))
    window_line = text.splitlines()[text.splitlines().index(line) + 1]
    rows, cols = (tuple(int(v) for v in part.split(":")) for part in
                  re.search(r"A\[0\]\[0, (-?\d+:\d+), (-?\d+:\d+), :\]", window_line).groups())
    padded = np.pad(x[0, :, :, 0].astype(np.float64), 1)          # 6x6, stride 2, same: pads 0 before, 1 after
    window = padded[rows[0] + 1:rows[1] + 1, cols[0] + 1:cols[1] + 1]
    z = float(np.sum(window * before[0][:, :, 0, f]) + before[1][f])
    assert f"= {z:.4g}" in line
    assert np.isclose(e.arrays["A[1]"][(0,) + position + (f,)], max(z, 0.0), rtol=1e-5, atol=1e-6)
    for a, b in zip(before, model.get_weights()):               # explain leaves the model as it was
        np.testing.assert_array_equal(a, b)


def test_explain_works_out_pooling_and_batch_normalization_by_hand():
    glassnet.utils.set_random_seed(1)
    model = glassnet.Sequential([
        glassnet.Input(shape=(7, 7, 2)), BatchNormalization(gamma_initializer="random_normal"),
        MaxPooling2D(2, padding="same"), AveragePooling2D(3, strides=2, padding="same"), GlobalAveragePooling2D(),
        Dense(2, activation="softmax")])
    model.layers[0].moving_mean.value = np.array([0.3, -0.2])          # inference mode: these are used
    model.compile(loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    text = str(glassnet.explain(model, rng.normal(size=(3, 7, 7, 2)), rng.integers(0, 2, 3)))
    hand = [line for line in text.splitlines() if "by hand" in line]
    assert len(hand) == 3 and "the moving averages" in text
    assert "0.3" in hand[0]                                               # the moving mean, not the batch's
    for line in hand:                                                     # "... = by hand;  A[l][...] = model"
        computed, actual = (float(v) for v in re.findall(r"= (-?[0-9.e+-]+)", line)[-2:])
        assert computed == pytest.approx(actual, rel=1e-3, abs=1e-6), line
    assert "max(A[1][0," in hand[1] and "mean(A[2][0," in hand[2]
    bn = BatchNormalization(dtype="float64")                               # after a training forward
    x = rng.normal(3.0, 2.0, size=(4, 5))
    lines = bn.explain_forward(1, x, bn(x, training=True))
    assert "the batch's own mean and variance (4 numbers per channel)" in lines[0]
    assert f"- {x[:, 0].mean():.4g})" in lines[1]


def test_window_matches_the_patch_row():
    layer = Conv2D(2, (3, 2), strides=(2, 1), padding="same", dtype="float64")
    x = np.random.default_rng(0).normal(size=(2, 5, 4, 3))
    layer(x)
    z = layer.z
    for n, i, j in [(0, 0, 0), (1, 2, 3), (1, 1, 2)]:
        win = layer.window(x, n, (i, j))
        assert win.shape == (3, 2, 3)
        np.testing.assert_allclose(np.tensordot(win, layer.kernel.value, 3) + layer.bias.value, z[n, i, j])


# ---------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------
def _png(fig, path):
    fig.savefig(path, dpi=60)
    data = path.read_bytes()
    assert data[:8] == PNG and len(data) > 2000
    import matplotlib.image
    img = matplotlib.image.imread(path)
    assert img[..., :3].std() > 0.01
    return fig


def test_filters_and_feature_maps(tmp_path):
    pytest.importorskip("matplotlib")
    from glassnet import plot
    model, x, y = small_convnet()
    fig = _png(plot.filters(model), tmp_path / "filters.png")
    assert len(fig.axes) == 3                                   # one panel per filter
    assert "3x3 filters" in fig._suptitle.get_text()
    fig = _png(plot.feature_maps(model, x[0], max_maps=2), tmp_path / "maps.png")
    # rows: conv, batch_normalization, max_pooling2d, reshape, average_pooling2d, global_max_pooling2d
    assert len(fig.axes) == 6 * 3
    fig = _png(plot.filters(model, layer="conv"), tmp_path / "named.png")
    rgb = glassnet.Sequential([glassnet.Input(shape=(5, 5, 3)), Conv2D(4, 3)])
    _png(plot.filters(rgb), tmp_path / "rgb.png")
    with pytest.raises(ValueError, match="no built Conv2D"):
        plot.filters(glassnet.Sequential([glassnet.Input(shape=(3,)), Dense(1)]))
    with pytest.raises(ValueError, match="input shape"):
        plot.feature_maps(model, np.zeros((5, 5, 1)))


# ---------------------------------------------------------------------------------------
# The command and the example
# ---------------------------------------------------------------------------------------
def test_digits_cnn_writes_the_run_folder_with_filters_and_feature_maps(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    pytest.importorskip("h5py")
    code = main(["digits", "--cnn", "--epochs", "2", "--verbose", "0", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "Conv2D 8 3x3 relu 8x8x8 -> MaxPooling2D 4x4x8" in out
    accuracy = float(re.search(r"^test accuracy:\s+([0-9.]+)", out, flags=re.M).group(1))
    assert accuracy > 0.9                                       # 0 vs 1 after two epochs
    for name in ("model.keras", "learning_curve.png", "filters.png", "feature_maps.png", "mistakes.png"):
        assert (tmp_path / name).is_file(), name
    loaded = glassnet.models.load_model(tmp_path / "model.keras")
    assert type(loaded.layers[0]).__name__ == "Conv2D" and loaded.input_shape == (None, 8, 8, 1)


def test_mnist_convnet_example_on_a_small_synthetic_file(tmp_path, monkeypatch, capsys):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 80).astype(np.uint8)
    images = np.zeros((80, 28, 28), np.uint8)
    for i, label in enumerate(labels):                          # a bright bar whose row is the label
        images[i, 2 + 2 * label:4 + 2 * label, 4:24] = 255
    np.savez(tmp_path / "mnist.npz", x_train=images[:60], y_train=labels[:60], x_test=images[60:],
             y_test=labels[60:])
    spec = importlib.util.spec_from_file_location("mnist_convnet", os.path.join(HERE, "..", "examples",
                                                                                "mnist_convnet.py"))
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    monkeypatch.setenv("GLASSNET_MNIST_LIMIT", "48")
    model, history, score = example.main(path=str(tmp_path / "mnist.npz"), epochs=2, batch_size=16,
                                         out=str(tmp_path / "run"), verbose=0)
    out = capsys.readouterr().out
    assert "x_train shape: (48, 28, 28, 1)" in out and "Test accuracy:" in out
    assert [type(l).__name__ for l in model.layers] == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D",
                                                        "Flatten", "Dropout", "Dense"]
    assert model.count_params() == 34826                        # Keras's summary of this model says 34,826
    assert len(history.history["val_loss"]) == 2 and np.isfinite(score[0])
    assert (tmp_path / "run" / "mnist_convnet.keras").is_file()
