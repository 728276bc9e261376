"""Figures of training: each function returns a matplotlib ``Figure``.

matplotlib is imported inside the functions, so ``import glassnet`` never needs it
(``pip install glassnet[plot]``). Figures are made without pyplot unless your program
already uses pyplot (then ``plt.show()`` shows them); without a display they render
with Agg, so ``fig.savefig("curves.png")`` always works. In a notebook, the returned
figure displays itself.

>>> import numpy as np, glassnet
>>> x = np.random.default_rng(0).random((40, 2)); y = (x.sum(1) > 1).astype(float)
>>> model = glassnet.Sequential([glassnet.layers.Dense(1, activation="sigmoid")])
>>> model.compile(loss="binary_crossentropy")
>>> history = model.fit(x, y, validation_split=0.2, epochs=20, verbose=0)
>>> fig = glassnet.plot.learning_curves(history)       # then fig.savefig("curves.png")
>>> type(fig).__name__
'Figure'
"""
from __future__ import annotations

import sys

import numpy as np

__all__ = ["learning_curves", "gradient_norms", "decision_boundary", "digits_grid", "first_layer_weights",
           "filters", "feature_maps", "bias_variance", "learning_curve"]


def _figure(figsize):
    """A new Figure: through pyplot when the program uses it (so plt.show() works), else a
    bare Figure (no backend, no display needed, nothing kept alive by pyplot)."""
    if "ipykernel" in sys.modules:
        import matplotlib.pyplot  # noqa: F401  (activates the notebook's figure display)
    elif "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt
        return plt.figure(figsize=figsize)
    from matplotlib.figure import Figure
    return Figure(figsize=figsize)


def _grid(n, max_cols):
    cols = min(n, max_cols)
    return max(1, -(-n // cols)), max(cols, 1)


# ---------------------------------------------------------------------------------------
def learning_curves(history, title: str | None = None):
    """Train and validation curves: one panel per quantity (``loss``, ``accuracy``, ...),
    the training value and its ``val_`` twin in the same panel. ``history`` is what
    ``fit`` returns, or its ``.history`` dict."""
    h = getattr(history, "history", history)
    if not isinstance(h, dict) or not h:
        raise ValueError("learning_curves: expected a History (from fit) or a non-empty dict of lists")
    names = [k for k in h if not k.startswith("val_") and k != "learning_rate"]
    names += [k[4:] for k in h if k.startswith("val_") and k[4:] not in h]
    names = sorted(set(names), key=lambda k: (k != "loss", k))
    fig = _figure((4.2 * len(names), 3.2))
    for i, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), i + 1)
        for key, label, style in ((name, "train", "-"), ("val_" + name, "validation", "--")):
            if key in h:
                values = np.asarray(h[key], dtype=float)
                ax.plot(np.arange(1, len(values) + 1), values, style, marker="." if len(values) < 30 else None,
                        label=label)
        ax.set_xlabel("epoch")
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend(frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------
def gradient_norms(trace, title: str | None = None):
    """From a :class:`glassnet.callbacks.Trace`: ``|dJ/dW|`` of every kernel over time (log
    scale; lines drifting apart by orders of magnitude mean vanishing or exploding
    gradients) and the update ratio ``|dw| / |w|`` per step (about 1e-3 is healthy)."""
    h = trace.history
    if "step" not in h:
        raise ValueError("gradient_norms: the Trace has no records yet; pass it to fit(callbacks=[trace])")
    steps = h["step"]
    kernels = [p for p in trace.paths if p.endswith("kernel")] or list(trace.paths)
    fig = _figure((10, 3.4))
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for p in kernels:
        ax1.plot(steps, np.maximum(h[f"grad_norm/{p}"], 1e-30), label=p)
        ax2.plot(steps, np.maximum(h[f"update_ratio/{p}"], 1e-30), label=p)
    ax1.set_yscale("log")
    ax1.set_title("gradient norm |dJ/dW|")
    ax2.set_yscale("log")
    ax2.axhline(1e-3, color="gray", lw=0.8, ls=":")
    ax2.set_title("update ratio |dW| / |W| per step")
    for ax in (ax1, ax2):
        ax.set_xlabel("step")
        ax.grid(alpha=0.3, which="both")
    ax1.legend(frameon=False, fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------
def _hidden_outputs(model, x):
    """Each layer's output for ``x``, in inference mode (the model's own forward, recorded)."""
    from ..engine.step import StepRecord, forward

    record = StepRecord()
    forward(model.layers, x, False, record)
    return list(zip(model.layers, record.outputs))


def decision_boundary(model, x, y, resolution: int = 80, max_units: int = 32, title: str | None = None):
    """For two-feature data: the model's output over the plane with the samples on top, and
    beside it one small map per hidden unit (its activation over the same plane), as
    TensorFlow Playground shows them. Hidden layers with more than ``max_units`` units in
    all are cut at that many maps."""
    from matplotlib.colors import ListedColormap

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y).reshape(len(x), -1)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"decision_boundary: x must have two features, shape (N, 2); got {x.shape}")
    labels = y.argmax(1) if y.shape[1] > 1 else y[:, 0]
    pad = 0.1 * (x.max(0) - x.min(0) + 1e-9)
    lo, hi = x.min(0) - pad, x.max(0) + pad
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.c_[g0.ravel(), g1.ravel()]
    if not model.built:
        model.build((None, 2))
    dtype = model.weights[0].dtype if model.weights else np.float32
    outs = _hidden_outputs(model, grid.astype(dtype))
    out = outs[-1][1]
    hidden = [(layer, a) for layer, a in outs[:-1] if hasattr(layer, "units")]
    maps = [(f"{layer.name}[{j}]", a[:, j]) for layer, a in hidden for j in range(a.shape[1])][:max_units]

    n_small = len(maps)
    cols = int(np.ceil(np.sqrt(n_small))) if n_small else 0
    rows = int(np.ceil(n_small / cols)) if n_small else 1
    fig = _figure((4.4 + 1.3 * cols, max(4.0, 1.3 * rows)))
    gs = fig.add_gridspec(max(rows, 1), 3 + cols, width_ratios=[1.2] * 3 + [1] * cols) if cols \
        else fig.add_gridspec(1, 1)
    ax = fig.add_subplot(gs[:, :3] if cols else gs[0, 0])
    cmap = "RdBu"
    if out.shape[1] == 1:
        z = out[:, 0].reshape(g0.shape)
        cs = ax.contourf(g0, g1, z, levels=20, cmap=cmap, alpha=0.8)
        ax.contour(g0, g1, z, levels=[0.5 if z.min() >= 0 and z.max() <= 1 else 0.0], colors="k", linewidths=1)
        fig.colorbar(cs, ax=ax, fraction=0.046, pad=0.04)
    else:
        k = out.shape[1]
        z = out.argmax(1).reshape(g0.shape)
        ax.contourf(g0, g1, z, levels=np.arange(k + 1) - 0.5, cmap=ListedColormap(
            [f"C{i}" for i in range(k)]), alpha=0.35)
    classes = np.unique(labels)
    for i, c in enumerate(classes):
        sel = labels == c
        color = ("#b2182b", "#2166ac")[i % 2] if len(classes) <= 2 else f"C{i}"
        ax.scatter(x[sel, 0], x[sel, 1], s=12, c=color, edgecolors="white", linewidths=0.4, label=f"y = {c:g}")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_title(title or "model output")
    ax.legend(frameon=False, fontsize="small", loc="upper right")
    for i, (name, values) in enumerate(maps):
        sub = fig.add_subplot(gs[i // cols, 3 + i % cols])
        sub.imshow(values.reshape(g0.shape), origin="lower", cmap=cmap, aspect="auto",
                   extent=(lo[0], hi[0], lo[1], hi[1]))
        sub.set_title(name, fontsize=7)
        sub.set_xticks([])
        sub.set_yticks([])
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------
def _classes(values):
    """Class labels from labels or predictions: probabilities of one unit are cut at 0.5,
    several units give their argmax, integers stay."""
    v = np.asarray(values)
    if v.ndim == 2 and v.shape[1] > 1:
        return v.argmax(1)
    v = v.reshape(len(v))
    if v.dtype.kind == "f" and not np.all(v == np.round(v)):
        return (v > 0.5).astype(int)
    return v.astype(int)


def digits_grid(images, labels, predictions=None, n: int = 32, shape=(8, 8), cols: int = 8,
                title: str | None = None):
    """The first ``n`` images as a grid with their labels; with ``predictions`` (classes,
    one sigmoid unit's probabilities, or softmax rows) each title shows ``label -> prediction``
    and the wrong ones are marked in red."""
    images = np.asarray(images)
    n = min(n, len(images))
    if n == 0:
        raise ValueError("digits_grid: no images")
    truth = _classes(labels)[:n]
    pred = None if predictions is None else _classes(predictions)[:n]
    rows, cols = _grid(n, cols)
    fig = _figure((1.15 * cols, 1.3 * rows + (0.3 if title else 0)))
    for i in range(n):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.imshow(images[i].reshape(shape), cmap="gray_r", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        if pred is None:
            ax.set_title(f"{truth[i]}", fontsize=8)
        else:
            wrong = pred[i] != truth[i]
            ax.set_title(f"{truth[i]} -> {pred[i]}", fontsize=8, color="red" if wrong else "black")
            if wrong:
                for spine in ax.spines.values():
                    spine.set_edgecolor("red")
                    spine.set_linewidth(2)
    if title:
        fig.suptitle(title)
    elif pred is not None:
        fig.suptitle(f"label -> prediction ({int(np.sum(pred != truth))} of {n} wrong, in red)", fontsize=9)
    fig.tight_layout()
    return fig


def first_layer_weights(model, shape=(8, 8), n: int | None = None, cols: int = 8, title: str | None = None):
    """Each unit of the first Dense layer as an image: its column of ``W[1]`` reshaped to the
    input's ``shape`` (red: positive weights, blue: negative, on one symmetric scale): the
    pattern of ink each unit responds to."""
    dense = next((layer for layer in model.layers if hasattr(layer, "kernel")), None)
    if dense is None or not dense.built:
        raise ValueError("first_layer_weights: the model has no built Dense layer")
    W = dense.kernel.value
    if int(np.prod(shape)) != W.shape[0]:
        raise ValueError(f"first_layer_weights: shape {shape} has {int(np.prod(shape))} pixels, "
                         f"but the first layer has {W.shape[0]} inputs")
    units = W.shape[1] if n is None else min(n, W.shape[1])
    rows, cols = _grid(units, cols)
    fig = _figure((1.15 * cols, 1.25 * rows + 0.4))
    scale = float(np.abs(W[:, :units]).max()) or 1.0
    for j in range(units):
        ax = fig.add_subplot(rows, cols, j + 1)
        ax.imshow(W[:, j].reshape(shape), cmap="RdBu_r", vmin=-scale, vmax=scale, interpolation="nearest")
        ax.set_title(f"unit {j}", fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title or f"{dense.name}: W[1] columns as images (|w| <= {scale:.2g})", fontsize=9)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------
def _conv_layers(model):
    return [layer for layer in model.layers
            if getattr(layer, "kernel", None) is not None and len(layer.kernel.shape) == 4]


def filters(model, layer=None, cols: int = 8, title: str | None = None):
    """The kernels of a Conv2D layer (the first one by default, or ``layer``: a name, an
    index into ``model.layers`` or the layer), one small image per filter, red positive,
    blue negative, on one symmetric scale. A filter over several input channels shows
    their mean (three channels: as a color image, each filter scaled to [0, 1])."""
    convs = _conv_layers(model)
    if layer is None:
        if not convs or not convs[0].built:
            raise ValueError("filters: the model has no built Conv2D layer")
        layer = convs[0]
    elif isinstance(layer, (str, int)) and not isinstance(layer, bool):
        layer = model.get_layer(name=layer) if isinstance(layer, str) else model.layers[layer]
    if getattr(layer, "kernel", None) is None or len(layer.kernel.shape) != 4:
        raise ValueError(f"filters: layer {getattr(layer, 'name', layer)!r} is not a built Conv2D layer")
    K = layer.kernel.value                               # (kh, kw, in, filters)
    n = K.shape[-1]
    rows, cols = _grid(n, cols)
    fig = _figure((1.1 * cols, 1.2 * rows + 0.4))
    scale = float(np.abs(K).max()) or 1.0
    rgb = K.shape[2] == 3
    for j in range(n):
        ax = fig.add_subplot(rows, cols, j + 1)
        if rgb:
            k = K[..., j]
            ax.imshow((k - k.min()) / ((k.max() - k.min()) or 1.0), interpolation="nearest")
        else:
            ax.imshow(K[..., j].mean(axis=2), cmap="RdBu_r", vmin=-scale, vmax=scale, interpolation="nearest")
        ax.set_title(f"filter {j}", fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    what = "" if K.shape[2] == 1 or rgb else f", mean over {K.shape[2]} input channels"
    fig.suptitle(title or f"{layer.name}: {K.shape[0]}x{K.shape[1]} filters (|w| <= {scale:.2g}{what})", fontsize=9)
    fig.tight_layout()
    return fig


def feature_maps(model, image, max_maps: int = 8, title: str | None = None):
    """What the network sees in one ``image`` (shape ``(H, W, C)``, or ``(1, H, W, C)``): the
    image, then one row per layer whose output is a stack of maps (Conv2D, pooling,
    BatchNormalization), its first ``max_maps`` channels, from the model's own forward pass
    in inference mode."""
    x = np.asarray(image)
    if not model.built:
        raise ValueError("feature_maps: build or train the model first")
    want = tuple(model.input_shape[1:])
    if x.shape == want:
        x = x[None]
    if x.ndim != 4 or x.shape[0] != 1 or any(w is not None and w != g for w, g in zip(want, x.shape[1:])):
        raise ValueError(f"feature_maps: image must have the model's input shape {want} (one image), "
                         f"got {np.asarray(image).shape}")
    dtype = model.weights[0].dtype if model.weights else np.float32
    maps = [(layer, a[0]) for layer, a in _hidden_outputs(model, x.astype(dtype)) if a.ndim == 4]
    if not maps:
        raise ValueError("feature_maps: no layer of the model outputs images (N, H, W, C)")
    cols = 1 + min(max_maps, max(a.shape[-1] for _, a in maps))
    rows = len(maps)
    fig = _figure((1.25 * cols, 1.3 * rows + 0.4))
    for r, (layer, a) in enumerate(maps):
        ax = fig.add_subplot(rows, cols, r * cols + 1)
        ax.imshow(x[0].mean(axis=-1), cmap="gray_r", interpolation="nearest")
        ax.set_title("input" if r == 0 else "", fontsize=7)
        ax.set_ylabel(f"{layer.name}\n{a.shape[0]}x{a.shape[1]}x{a.shape[2]}", fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
        for c in range(min(max_maps, a.shape[-1])):
            ax = fig.add_subplot(rows, cols, r * cols + 2 + c)
            ax.imshow(a[..., c], cmap="viridis", interpolation="nearest")
            ax.set_title(f"channel {c}", fontsize=6)
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle(title or "feature maps: each layer's output channels for one image", fontsize=9)
    fig.tight_layout()
    return fig


# -- the course's bias/variance figures (glassnet/glassbox/bias_variance.py) -----------------
def bias_variance(table, x="lambda", **options):
    """Training and cross-validation error against a swept value (a ``glassnet.sweep`` table):
    see :func:`glassnet.glassbox.bias_variance.bias_variance`."""
    from .bias_variance import bias_variance as draw
    return draw(table, x, **options)


def learning_curve(table, **options):
    """Training and cross-validation error against the training-set size (a
    ``glassnet.learning_curve`` table): see :func:`glassnet.glassbox.bias_variance.learning_curve`."""
    from .bias_variance import learning_curve as draw
    return draw(table, **options)
