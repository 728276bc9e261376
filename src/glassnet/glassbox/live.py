"""``LivePlot``: the learning curve drawn in place in a notebook while ``fit`` runs.

In Jupyter (code running in an IPython kernel) one display shows the loss and each metric,
training (solid) and validation (dashed), one panel each, and with ``boundary=(x, y)`` for
two-feature inputs the model's output over the plane beside them. The display is made once
(``display(..., display_id=True)``) and updated in place (``handle.update``), so the cell
holds one picture, not a pile of them. The picture is an SVG written here: no matplotlib, and
a redraw costs about a millisecond (plus one ``predict`` on a 40 x 40 grid for the boundary).

The throttle, so watching costs under 5% of training: a redraw waits until ``every`` seconds
of training have passed since the last one, and until training has taken at least
``(1 - budget) / budget`` (19) times as long as that last redraw did; the clock is the
training time between redraws, the drawing itself not counted. It also draws once when
``fit`` begins (the display appears at once) and always once at the end, so the final picture
is there; those two are fixed costs of a few milliseconds, which only a fit shorter than a
fraction of a second notices. ``verbose`` is left alone: ``fit(..., verbose=0)`` gives the
picture without the progress lines under it.

In a terminal (no IPython kernel) it draws nothing and prints nothing: the progress line
``verbose`` asks for stays what you see, and ``live.svg()`` gives the picture for a file.

>>> import numpy as np, glassnet
>>> x = np.random.default_rng(0).random((64, 2)); y = (x.sum(1) > 1).astype(float)
>>> model = glassnet.Sequential([glassnet.layers.Dense(4, activation="tanh"),
...                              glassnet.layers.Dense(1, activation="sigmoid")])
>>> model.compile(loss="binary_crossentropy", metrics=["accuracy"])
>>> live = glassnet.callbacks.LivePlot(boundary=(x, y))
>>> _ = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[live])
>>> live.redraws                  # in a terminal: nothing drawn, nothing printed
0
>>> live.svg().startswith("<svg")
True
"""
from __future__ import annotations

import base64
import math
import struct
import sys
import time
import zlib
from html import escape

import numpy as np

from ..callbacks import Callback

__all__ = ["LivePlot"]

_PANEL_W, _PANEL_H, _MAP = 300, 210, 210          # sizes in SVG pixels
_TRAIN, _VAL = "#1f77b4", "#ff7f0e"
_PALETTE = np.array([(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
                     (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)])


def _in_notebook() -> bool:
    """Whether this code runs in an IPython kernel (Jupyter), where a display can update."""
    if "ipykernel" not in sys.modules or "IPython" not in sys.modules:
        return False
    from IPython import get_ipython
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class _NotebookDisplay:
    """One display in the notebook: shown the first time, updated in place after."""

    def __init__(self):
        self.handle = None

    def show(self, bundle: dict) -> None:
        from IPython.display import display
        if self.handle is None:
            self.handle = display(bundle, raw=True, display_id=True)
        else:
            self.handle.update(bundle, raw=True)


def _open_display():
    """Where the pictures go: a notebook display, or nowhere (a terminal)."""
    return _NotebookDisplay() if _in_notebook() else None


class LivePlot(Callback):
    """Redraw the loss and metrics (training and validation) in place in a notebook while
    ``fit`` runs; ``fit(..., plot=True)`` adds one. ``every``: the fewest seconds of training
    between two redraws; ``budget``: the largest share of the time spent drawing (each redraw
    waits ``(1 - budget) / budget`` times its predecessor's cost); ``boundary=(x, y)``: samples
    with two features, drawn over the model's output on the plane. ``redraws`` counts the
    pictures sent; ``svg()`` gives the current one."""

    _clock = staticmethod(time.perf_counter)

    def __init__(self, every: float = 0.5, boundary=None, budget: float = 0.05, resolution: int = 40):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, (int, float)) or not every >= 0:
            raise ValueError(f"LivePlot: every must be a number of seconds >= 0, got {every!r}")
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 < budget < 1:
            raise ValueError(f"LivePlot: budget must be a share of the time in (0, 1), got {budget!r}")
        if isinstance(resolution, bool) or not isinstance(resolution, int) or not 4 <= resolution <= 400:
            raise ValueError(f"LivePlot: resolution must be an integer in [4, 400], got {resolution!r}")
        self.every, self.budget, self.resolution = float(every), float(budget), resolution
        self.boundary = None if boundary is None else _boundary_data(boundary)
        self._dots = None
        self.redraws = 0
        self._out = None
        self._reset()

    def _reset(self):
        self.epochs: list[int] = []
        self.history: dict[str, list[float]] = {}
        self._partial = None                  # (x position, batch logs) within the running epoch
        self._first = self._epoch = 0         # the epoch fit started at, the one running (from 0)
        self._cost = 0.0
        self._last = self._clock()

    @property
    def wants_batch_logs(self) -> bool:
        """Per-batch work only where there is a display to update (the loop asks before
        training begins; the display found is the one ``fit`` then uses)."""
        if self._out is None:
            self._out = _open_display()
        return self._out is not None

    # -- the hooks ---------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._reset()
        # the loop has already named this fit's logs: a panel for each from the first picture
        for key in getattr(getattr(self.model, "history", None), "history", None) or ():
            self.history[key] = []
        if self._out is None:
            self._out = _open_display()
        if self._out is not None:
            self._draw()                       # the display appears at once, then updates

    def on_epoch_begin(self, epoch, logs=None):
        if not self.epochs:
            self._first = epoch
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._out is None:
            return
        steps = self.params.get("steps") or 0
        self._partial = (self._epoch + ((batch + 1) / steps if steps else 0.0), dict(logs or {}))
        self._maybe_draw()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch + 1)
        for key, value in (logs or {}).items():
            series = self.history.setdefault(key, [math.nan] * (len(self.epochs) - 1))
            series.append(_number(value))
        for series in self.history.values():
            if len(series) < len(self.epochs):
                series.append(math.nan)
        self._partial = None
        if self._out is not None:
            self._maybe_draw()

    def on_train_end(self, logs=None):
        if self._out is not None:
            self._draw()                       # always: the final picture
        self._out = None

    # -- drawing -----------------------------------------------------------------------
    def _maybe_draw(self):
        waited = self._clock() - self._last
        if waited >= max(self.every, self._cost * (1 - self.budget) / self.budget):
            self._draw()

    def _draw(self):
        start = self._clock()
        self._out.show({"image/svg+xml": self.svg(), "text/plain": self.summary()})
        self.redraws += 1
        self._last = self._clock()
        self._cost = self._last - start

    def summary(self) -> str:
        """One line: the epoch reached and the latest values."""
        total = self.params.get("epochs")
        where = f"epoch {self.epochs[-1]}/{total}" if self.epochs else f"epoch 0/{total}"
        values = {k: v[-1] for k, v in self.history.items() if v}
        return " - ".join([f"LivePlot: {where}"] + [f"{k}: {v:.4g}" for k, v in values.items()])

    def svg(self) -> str:
        """The current picture, an SVG document (save it with ``open(p, "w").write(...)``)."""
        names = [k for k in self.history if not k.startswith("val_") and k != "learning_rate"]
        names += [k[4:] for k in self.history if k.startswith("val_") and k[4:] not in self.history]
        if self._partial is not None:
            names += [k for k in self._partial[1] if k not in names]
        names = sorted(set(names), key=lambda k: (k != "loss", k)) or ["loss"]
        parts, x0 = [], 0
        for name in names:
            parts.append(self._panel(name, x0))
            x0 += _PANEL_W
        if self.boundary is not None and self.model is not None and self.model.built:
            parts.append(f'<g transform="translate({x0},0)">{self._boundary_panel()}</g>')
            x0 += _MAP + 30
        head = escape(self.summary().removeprefix("LivePlot: "))
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{x0}" height="{_PANEL_H + 30}" '
                f'font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/>'
                f'<text x="8" y="15" font-size="12">{head}</text>'
                f'<g transform="translate(0,24)">{"".join(parts)}</g></svg>')

    def _panel(self, name: str, x0: int) -> str:
        left, top, w, h = x0 + 48, 16, _PANEL_W - 64, _PANEL_H - 44
        first = self._first
        last = max(self.params.get("epochs") or 1, first + 1, self.epochs[-1] if self.epochs else 1)
        lines = []
        for key, color, dash in ((name, _TRAIN, ""), ("val_" + name, _VAL, ' stroke-dasharray="5,3"')):
            xs, ys = list(self.epochs), list(self.history.get(key, ()))
            if self._partial is not None and key in self._partial[1]:
                xs.append(self._partial[0])
                ys.append(_number(self._partial[1][key]))
            pts = [(a, b) for a, b in zip(xs, ys) if math.isfinite(b)]
            if pts:
                lines.append((pts, color, dash))
        values = [b for pts, _, _ in lines for _, b in pts]
        lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
        if hi - lo < 1e-12 * max(1.0, abs(hi)):
            lo, hi = lo - 0.5 * max(abs(lo), 1e-3), hi + 0.5 * max(abs(hi), 1e-3)
        pad = 0.06 * (hi - lo)
        lo, hi = lo - pad, hi + pad

        def px(e):
            return left + w * (e - first) / (last - first)

        def py(v):
            return top + h * (hi - v) / (hi - lo)

        out = [f'<text x="{left}" y="10" font-weight="bold">{escape(name)}</text>',
               f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#999"/>']
        for v in np.linspace(lo + pad, hi - pad, 3):
            out.append(f'<line x1="{left}" x2="{left + w}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#eee"/>'
                       f'<text x="{left - 4}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.3g}</text>')
        for e in sorted({first, last, (first + last) // 2}):
            out.append(f'<text x="{px(e):.1f}" y="{top + h + 14}" text-anchor="middle">{e}</text>')
        out.append(f'<text x="{left + w / 2:.0f}" y="{top + h + 28}" text-anchor="middle">epoch</text>')
        for i, (pts, color, dash) in enumerate(lines):
            step = max(1, len(pts) // 500)                 # at most ~500 points a line
            pts = pts[::step] + ([pts[-1]] if (len(pts) - 1) % step else [])
            coords = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in pts)
            out.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="1.6"{dash}/>')
            if len(pts) == 1:
                out.append(f'<circle cx="{px(pts[0][0]):.1f}" cy="{py(pts[0][1]):.1f}" r="2.5" fill="{color}"/>')
            label = "validation" if color == _VAL else "train"
            out.append(f'<text x="{left + w - 64 * (len(lines) - 1 - i)}" y="10" text-anchor="end" '
                       f'fill="{color}">{label}</text>')
        return "".join(out)

    def _boundary_panel(self) -> str:
        x, labels = self.boundary
        lo, hi = x.min(0), x.max(0)
        pad = 0.1 * (hi - lo + 1e-9)
        lo, hi = lo - pad, hi + pad
        n = self.resolution
        g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(hi[1], lo[1], n))   # top row first
        out = self.model.predict(np.c_[g0.ravel(), g1.ravel()], batch_size=n * n, verbose=0)
        out = np.asarray(out[0] if isinstance(out, (list, tuple)) else out, dtype=np.float64).reshape(n * n, -1)
        image = base64.b64encode(_png(_colors(out).reshape(n, n, 3))).decode("ascii")
        left, top, size = 10, 16, _MAP - 30

        def px(a):
            return left + size * (a - lo[0]) / (hi[0] - lo[0])

        def py(b):
            return top + size * (hi[1] - b) / (hi[1] - lo[1])

        if self._dots is None:              # the samples never move: written once
            classes, index = np.unique(labels, return_inverse=True)
            colors = (["#b2182b", "#2166ac"] if len(classes) == 2
                      else ["rgb({},{},{})".format(*_PALETTE[k % 10]) for k in range(len(classes))])
            self._dots = "".join(f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="2.6" fill="{colors[k]}" '
                                 'stroke="white" stroke-width="0.5"/>'
                                 for (a, b), k in zip(x.tolist(), index.ravel().tolist()))
        return (f'<text x="{left + size / 2:.0f}" y="10" text-anchor="middle" font-weight="bold">model output</text>'
                f'<image x="{left}" y="{top}" width="{size}" height="{size}" preserveAspectRatio="none" '
                f'href="data:image/png;base64,{image}"/>'
                f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#999"/>'
                + self._dots)


def _number(value) -> float:
    try:
        return float(np.asarray(value, dtype=np.float64).reshape(-1)[0])
    except (TypeError, ValueError, IndexError):
        return math.nan


def _boundary_data(boundary, most: int = 300):
    """``(x, y)`` checked: two features; at most ``most`` samples kept (evenly spaced)."""
    if not isinstance(boundary, (tuple, list)) or len(boundary) != 2:
        raise ValueError("LivePlot: boundary must be a pair (x, y) of samples with two features and their labels")
    x = np.asarray(boundary[0], dtype=np.float64)
    y = np.asarray(boundary[1])
    if x.ndim != 2 or x.shape[1] != 2 or len(x) == 0:
        raise ValueError(f"LivePlot: boundary's x must have shape (N, 2), two features; got {x.shape}")
    if len(y) != len(x):
        raise ValueError(f"LivePlot: boundary's y has {len(y)} labels for {len(x)} samples")
    y = y.reshape(len(x), -1)
    labels = y.argmax(1) if y.shape[1] > 1 else y[:, 0]
    if not np.issubdtype(labels.dtype, np.integer):
        labels = (labels > 0.5).astype(int) if set(np.unique(labels)) <= {0.0, 1.0} else labels
    keep = np.linspace(0, len(x) - 1, min(most, len(x))).astype(int)
    return x[keep], labels[keep]


def _colors(out: np.ndarray) -> np.ndarray:
    """The model's outputs as RGB bytes: one unit from red (0) through white (0.5) to blue (1),
    rescaled to its own range when it leaves [0, 1]; several units: the argmax's colour, paler
    where the model is less sure."""
    white = np.array([247.0, 247.0, 247.0])
    if out.shape[1] == 1:
        t = out[:, 0]
        if t.min() < 0 or t.max() > 1:
            t = (t - t.min()) / (np.ptp(t) + 1e-12)
        t = t[:, None]
        red, blue = np.array([178.0, 24.0, 43.0]), np.array([33.0, 102.0, 172.0])
        rgb = np.where(t < 0.5, red + (white - red) * (2 * t), white + (blue - white) * (2 * t - 1))
    else:
        top = out.argmax(1)
        sure = np.clip(out.max(1), 0, 1)[:, None]
        rgb = white + (_PALETTE[top % 10] - white) * (0.25 + 0.45 * sure)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def _png(rgb: np.ndarray) -> bytes:
    """A PNG file of an ``(height, width, 3)`` uint8 image (8-bit RGB, no filter)."""
    h, w, _ = rgb.shape
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1).tobytes()

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
