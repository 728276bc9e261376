"""glassnet.plot: each figure is produced, saved to a PNG that opens, and shows the data."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import glassnet  # noqa: E402
from glassnet import plot  # noqa: E402
from glassnet.callbacks import Trace  # noqa: E402
from glassnet.datasets import digits  # noqa: E402
from glassnet.keras import Sequential  # noqa: E402
from glassnet.keras.layers import Dense  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def _saved(fig, path):
    from matplotlib.figure import Figure
    assert isinstance(fig, Figure)
    fig.savefig(path, dpi=60)
    data = path.read_bytes()
    assert data[:8] == PNG and len(data) > 2000
    import matplotlib.image
    img = matplotlib.image.imread(path)
    assert img.ndim == 3 and img.shape[0] > 50 and img.shape[1] > 50
    assert img[..., :3].std() > 0.01                      # not a blank canvas
    return img


@pytest.fixture(scope="module")
def trained():
    (x, y), (xt, yt) = digits.load_data(classes=2)
    glassnet.utils.set_random_seed(0)
    model = Sequential([Dense(25, activation="sigmoid"), Dense(15, activation="sigmoid"),
                        Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    trace = Trace()
    history = model.fit(x, y, epochs=4, validation_split=0.2, verbose=0, callbacks=[trace])
    return model, history, trace, (xt, yt)


def test_import_glassnet_does_not_import_matplotlib():
    code = "import sys, glassnet, glassnet.plot; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_learning_curves(trained, tmp_path):
    _, history, _, _ = trained
    fig = plot.learning_curves(history)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    lines = fig.axes[0].get_lines()
    assert [l.get_label() for l in lines] == ["train", "validation"]
    np.testing.assert_allclose(lines[0].get_ydata(), history.history["loss"])
    np.testing.assert_allclose(lines[1].get_ydata(), history.history["val_loss"])
    _saved(fig, tmp_path / "curves.png")
    _saved(plot.learning_curves({"loss": [1.0, 0.5, 0.2]}), tmp_path / "dict.png")
    with pytest.raises(ValueError):
        plot.learning_curves({})


def test_gradient_norms(trained, tmp_path):
    model, _, trace, _ = trained
    fig = plot.gradient_norms(trace)
    lines = fig.axes[0].get_lines()
    assert [l.get_label() for l in lines] == [v.path for v in model.trainable_weights if v.name == "kernel"]
    np.testing.assert_allclose(lines[0].get_ydata(), trace.history[f"grad_norm/{lines[0].get_label()}"])
    _saved(fig, tmp_path / "grads.png")


def test_decision_boundary_has_one_map_per_hidden_unit(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] ** 2 + x[:, 1] ** 2 < 1).astype(float)
    glassnet.utils.set_random_seed(0)
    model = Sequential([Dense(4, activation="tanh"), Dense(3, activation="tanh"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=3, verbose=0)
    w = model.get_weights()
    fig = plot.decision_boundary(model, x, y, resolution=30)
    assert len(fig.axes) == 1 + 1 + 4 + 3                  # output, its colorbar, 7 hidden units
    assert [ax.get_title() for ax in fig.axes[2:]][:2] == [f"{model.layers[0].name}[0]", f"{model.layers[0].name}[1]"]
    # the first unit's map is that unit's activation over the grid
    img = fig.axes[2].get_images()[0].get_array()
    corner = x.min(0) - 0.1 * np.ptp(x, axis=0)            # the grid's lower left point
    corner = np.tanh(corner @ w[0][:, 0] + w[1][0])
    assert img[0, 0] == pytest.approx(corner, rel=1e-4, abs=1e-5)
    for a, b in zip(w, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    _saved(fig, tmp_path / "boundary.png")
    with pytest.raises(ValueError):
        plot.decision_boundary(model, np.ones((3, 3)), np.ones(3))


def test_digits_grid_marks_wrong_predictions_in_red(trained, tmp_path):
    model, _, _, (xt, yt) = trained
    p = model.predict(xt[:16], verbose=0)
    fig = plot.digits_grid(xt, yt, p, n=16)
    assert len(fig.axes) == 16
    pred = (p[:, 0] > 0.5).astype(int)
    for ax, t, q in zip(fig.axes, yt[:16], pred):
        assert ax.get_title() == f"{t} -> {q}"
        assert (ax.title.get_color() == "red") == (t != q)
    np.testing.assert_array_equal(fig.axes[0].get_images()[0].get_array(), xt[0].reshape(8, 8))
    forced = plot.digits_grid(xt[:4], [0, 1, 0, 1], predictions=[1, 1, 0, 0])
    assert [ax.title.get_color() for ax in forced.axes] == ["red", "black", "black", "red"]
    _saved(fig, tmp_path / "digits.png")
    _saved(plot.digits_grid(xt, yt, n=8), tmp_path / "digits_no_pred.png")


def test_first_layer_weights(trained, tmp_path):
    model, _, _, _ = trained
    fig = plot.first_layer_weights(model)
    assert len(fig.axes) == 25
    np.testing.assert_array_equal(fig.axes[3].get_images()[0].get_array(),
                                  model.get_weights()[0][:, 3].reshape(8, 8))
    _saved(fig, tmp_path / "weights.png")
    with pytest.raises(ValueError):
        plot.first_layer_weights(model, shape=(4, 4))
