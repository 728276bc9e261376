"""glassnet.callbacks.LivePlot (glassbox/live.py): the learning curve redrawn in place in a
notebook, throttled, and silent in a terminal. The notebook test runs real Jupyter machinery:
a notebook executed by nbclient in an ipykernel kernel."""
from __future__ import annotations

import base64
import json
import struct
import sys
import time
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet.glassbox import live

SRC = Path(__file__).resolve().parents[1] / "src"


def _data(n=64, seed=0):
    x = np.random.default_rng(seed).normal(size=(n, 2))
    return x, ((x ** 2).sum(1) < 1).astype(float)


def _model():
    model = glassnet.Sequential([glassnet.layers.Dense(6, activation="tanh"),
                                 glassnet.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


class _FakeDisplay:
    """Stands in for the notebook's display: keeps every bundle sent."""

    def __init__(self, on_show=None):
        self.bundles, self.on_show = [], on_show

    def show(self, bundle):
        self.bundles.append(bundle)
        if self.on_show:
            self.on_show()


@pytest.fixture
def fake_display(monkeypatch):
    shown = _FakeDisplay()
    monkeypatch.setattr(live, "_open_display", lambda: shown)
    return shown


class _Tick(glassnet.callbacks.Callback):
    """Advances a fake clock by ``dt`` seconds after every batch: training that takes time."""

    def __init__(self, now, dt):
        super().__init__()
        self.now, self.dt = now, dt

    def on_train_batch_end(self, batch, logs=None):
        self.now[0] += self.dt


# -- (1) a real notebook -----------------------------------------------------------------
def test_a_notebook_shows_one_display_updated_in_place(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    # a kernel that runs this interpreter, whatever `python` on PATH is
    spec = tmp_path / "jupyter" / "kernels" / "glassnet-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "glassnet test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))

    cells = [
        f"import sys\nsys.path.insert(0, {str(SRC)!r})\nimport numpy as np\nimport glassnet\n"
        "x = np.random.default_rng(0).normal(size=(1024, 2)); y = ((x ** 2).sum(1) < 1).astype(float)\n"
        "model = glassnet.Sequential([glassnet.layers.Dense(8, activation='tanh'),\n"
        "                             glassnet.layers.Dense(1, activation='sigmoid')])\n"
        "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])",
        "live = glassnet.callbacks.LivePlot(every=0.02, boundary=(x, y))\n"
        "_ = model.fit(x, y, epochs=30, batch_size=16, validation_split=0.2, verbose=0, callbacks=[live])",
        "_ = model.fit(x, y, epochs=2, verbose=0, plot=True)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])

    messages = []                       # (cell, msg_type, display_id) of every display message

    class Recording(nbclient.NotebookClient):
        def process_message(self, msg, cell, cell_index):
            content = msg["content"]
            if msg["msg_type"] in ("display_data", "update_display_data"):
                messages.append((cell_index, msg["msg_type"], (content.get("transient") or {}).get("display_id")))
            return super().process_message(msg, cell, cell_index)

    Recording(nb, kernel_name="glassnet-test", timeout=60, resources={"metadata": {"path": str(tmp_path)}}).execute()

    assert nb.cells[0].outputs == []
    for index, epochs in ((1, 30), (2, 2)):
        outputs = nb.cells[index].outputs
        # one output: the display, no stream (no stray print or warning), no error
        assert [o.output_type for o in outputs] == ["display_data"], outputs
        data = outputs[0].data
        assert data["image/svg+xml"].startswith("<svg")
        ET.fromstring(data["image/svg+xml"])                      # well-formed
        # nbclient folds each update into that one output: it holds the final picture
        assert f"epoch {epochs}/{epochs}" in data["text/plain"]
        sent = [(kind, did) for cell, kind, did in messages if cell == index]
        assert sent[0][0] == "display_data" and sent[0][1]        # shown once, with a display_id
        assert len(sent) >= 2 and all(kind == "update_display_data" for kind, _ in sent[1:])
        assert {did for _, did in sent} == {sent[0][1]}           # every update to that display
    assert "model output" in nb.cells[1].outputs[0].data["image/svg+xml"]     # the boundary beside


# -- (2) the throttle ----------------------------------------------------------------------
def test_redraws_wait_every_seconds_of_training_and_the_last_one_always_comes(fake_display):
    now = [0.0]
    plot = glassnet.callbacks.LivePlot(every=1.0)
    plot._clock = lambda: now[0]
    x, y = _data(64)
    history = _model().fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[_Tick(now, 0.25), plot])
    # 40 batches of 0.25 s: shown at the start, at 1 s, 2 s, ... 10 s, and once at the end
    assert plot.redraws == len(fake_display.bundles) == 1 + 10 + 1
    final = fake_display.bundles[-1]["text/plain"]
    assert "epoch 5/5" in final and f"loss: {history.history['loss'][-1]:.4g}" in final


def test_a_costly_redraw_waits_nineteen_times_its_cost(monkeypatch):
    now = [0.0]

    def costly():
        now[0] += 0.5                   # each picture takes half a second to send

    shown = _FakeDisplay(on_show=costly)
    monkeypatch.setattr(live, "_open_display", lambda: shown)
    plot = glassnet.callbacks.LivePlot(every=0.0)
    plot._clock = lambda: now[0]
    x, y = _data(64)
    _model().fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[_Tick(now, 0.25), plot])
    # 10 s of training: after the first picture, the next only 9.5 s of training later; then the last
    assert plot.redraws == 3
    training, drawing = 10.0, 0.5 * (plot.redraws - 2)        # the first and last are fixed costs
    assert drawing / (training + drawing) <= 0.05


def test_without_time_to_spare_only_the_first_and_final_pictures(fake_display):
    plot = glassnet.callbacks.LivePlot(every=1e9)
    x, y = _data(64)
    history = _model().fit(x, y, epochs=4, batch_size=8, validation_split=0.25, verbose=0, callbacks=[plot])
    assert plot.redraws == 2
    assert "epoch 0/4" in fake_display.bundles[0]["text/plain"]
    final = fake_display.bundles[-1]
    assert "epoch 4/4" in final["text/plain"]
    assert f"val_loss: {history.history['val_loss'][-1]:.4g}" in final["text/plain"]
    svg = ET.fromstring(final["image/svg+xml"])
    titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"loss", "accuracy", "train", "validation"} <= titles


# -- (3) a terminal ------------------------------------------------------------------------
def test_in_a_terminal_it_draws_and_prints_nothing(capsys):
    assert not live._in_notebook()
    plot = glassnet.callbacks.LivePlot()
    assert plot.wants_batch_logs is False       # no per-batch work either
    x, y = _data(64)
    _model().fit(x, y, epochs=3, verbose=0, callbacks=[plot])
    _model().fit(x, y, epochs=3, verbose=0, plot=True)
    assert capsys.readouterr() == ("", "")
    assert plot.redraws == 0
    assert plot.svg().startswith("<svg") and len(plot.epochs) == 3     # still there to save

    _model().fit(x, y, epochs=2, verbose=2)
    alone = capsys.readouterr()
    _model().fit(x, y, epochs=2, verbose=2, plot=True)
    beside = capsys.readouterr()
    assert len(beside.out.splitlines()) == len(alone.out.splitlines()) and beside.err == alone.err == ""
    assert "LivePlot" not in beside.out and "svg" not in beside.out


def test_plot_takes_true_or_false_and_boundary_takes_two_features():
    x, y = _data(16)
    for bad in ("yes", 1, None, glassnet.callbacks.LivePlot()):
        with pytest.raises(ValueError, match="plot must be True or False"):
            _model().fit(x, y, epochs=1, verbose=0, plot=bad)
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        glassnet.callbacks.LivePlot(boundary=(np.zeros((4, 3)), np.zeros(4)))
    with pytest.raises(ValueError, match="3 labels for 4 samples"):
        glassnet.callbacks.LivePlot(boundary=(np.zeros((4, 2)), np.zeros(3)))
    for bad in (-1, "fast", True):
        with pytest.raises(ValueError, match="every"):
            glassnet.callbacks.LivePlot(every=bad)


def test_the_boundary_is_a_png_of_the_models_output(fake_display):
    x, y = _data(64)
    plot = glassnet.callbacks.LivePlot(every=1e9, boundary=(x, y), resolution=12)
    _model().fit(x, y, epochs=1, verbose=0, callbacks=[plot])
    svg = ET.fromstring(fake_display.bundles[-1]["image/svg+xml"])
    href = next(svg.iter("{http://www.w3.org/2000/svg}image")).get("href")
    png = base64.b64decode(href.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (12, 12)
    idat = png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8]
    assert len(zlib.decompress(idat)) == height * (1 + 3 * width)
    samples = [c for c in svg.iter("{http://www.w3.org/2000/svg}circle") if c.get("stroke") == "white"]
    assert len(samples) == 64                                                   # the samples on top
    # the first picture already has every panel: the layout never jumps under the samples
    assert ET.fromstring(fake_display.bundles[0]["image/svg+xml"]).get("width") == svg.get("width")


# -- (4) what it costs ---------------------------------------------------------------------
def test_the_cost_in_a_few_hundred_batches_is_a_bounded_number_of_redraws(fake_display):
    """Timings are printed (pytest -s), never asserted; the redraw count is."""
    x, y = _data(4096, seed=1)
    times = {}
    for name in ("without", "with"):
        plot = glassnet.callbacks.LivePlot(every=0.01, boundary=(x, y)) if name == "with" else None
        model = glassnet.Sequential([glassnet.layers.Dense(64, activation="relu"),
                                     glassnet.layers.Dense(64, activation="relu"),
                                     glassnet.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[plot] if plot else [])   # 384 batches
        times[name] = time.perf_counter() - start
    bound = 2 + times["with"] / 0.01
    print(f"\nLivePlot: fit {times['without']:.3f} s without, {times['with']:.3f} s with; "
          f"{plot.redraws} redraws, the last cost {plot._cost * 1e3:.2f} ms")
    assert 2 <= plot.redraws <= bound
    assert len(fake_display.bundles) == plot.redraws
