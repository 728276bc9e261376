"""What the page draws, computed from the real model: the data as the model sees it, the
maps (the model run forward on a 64x64 grid, every Dense unit's output kept), the weights,
the losses, the digits' weight images and mistakes, and the Trace in numbers and words.

Maps travel as base64 bytes: each value mapped to [-1, 1] (a probability p as 2p - 1,
tanh as is, sigmoid a as 2a - 1, relu and linear divided by their largest size when
that is above 1) and then to 0..255.

>>> import numpy as np
>>> encode(np.array([-1.0, 0.0, 1.0]))
'AID/'
"""
from __future__ import annotations

import base64
import itertools
import math

import numpy as np

import glassnet
from glassnet.layers import Dense

from .data import GENERATORS, features

__all__ = ["build_data", "resolve_loss", "make_optimizer", "frame", "layout", "trace_summary", "where_it_broke", "encode",
           "encode_columns", "conv_pictures", "GRID", "THUMB"]

GRID = 64                   # the output's map: 64x64 points
THUMB = 32                  # a hidden unit's map (drawn at most 36 pixels wide): every other point
EVAL_ROWS = 4000            # a big table's losses are drawn from this many rows
_setups = itertools.count(1)
_ALLOWED = {"binary": ("binary_crossentropy", "mean_squared_error", "huber"),
            "multiclass": ("categorical_crossentropy", "mean_squared_error", "huber"),
            "regression": ("mean_squared_error", "huber")}


def _quantize(d) -> np.ndarray:
    """Values in [-1, 1] -> uint8 0..255 (NaN -> 128, the middle)."""
    d = np.nan_to_num(np.asarray(d, dtype=np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    return np.rint((np.clip(d, -1, 1) + 1) * 127.5).astype(np.uint8)


def encode(d) -> str:
    """Values in [-1, 1] -> base64 of uint8 0..255 (NaN -> 128, the middle)."""
    return base64.b64encode(_quantize(d).tobytes()).decode("ascii")


def encode_columns(a) -> list[str]:
    """``encode`` of each column of ``a`` (one map per unit), quantized in one go."""
    q = np.ascontiguousarray(_quantize(a).T)
    return [base64.b64encode(row.tobytes()).decode("ascii") for row in q]


def _finite(v):
    v = float(v)
    return round(v, 6) if math.isfinite(v) else None


class Data:
    """The arrays the model trains on, and what the page needs to draw them."""


def build_data(cfg, table) -> Data:
    d = Data()
    d.setup_version = next(_setups)
    rng = np.random.default_rng(cfg["seed"])
    name = cfg["dataset"]
    d.grid = None
    d.inputs = []
    if name in GENERATORS:
        gen, problem = GENERATORS[name]
        if cfg["problem"] != problem:
            others = [k for k, (_, p) in GENERATORS.items() if p == cfg["problem"]]
            raise ValueError(f"problem: {name!r} is a {problem} data set; for {cfg['problem']} choose "
                             + " or ".join(repr(o) for o in others))
        pts, y = gen(cfg["n_points"], cfg["noise"] / 100, rng)
        order = rng.permutation(len(pts))
        n_train = max(1, min(len(pts) - 1, round(len(pts) * cfg["ratio"] / 100)))
        tr, te = order[:n_train], order[n_train:]
        d.mode, d.task = "2d", "binary" if problem == "classification" else "regression"
        d.x_train, d.x_test = features(pts[tr], cfg["features"]), features(pts[te], cfg["features"])
        d.labels_train, d.labels_test = y[tr], y[te]
        d.points_train, d.points_test = (pts[tr] + 6) / 12, (pts[te] + 6) / 12
        d.domain = [-6.0, 6.0, -6.0, 6.0]
        g = np.linspace(-6, 6, GRID, dtype=np.float32)
        gx, gy = np.meshgrid(g, g[::-1])                  # row 0 at the top: x2 = +6
        grid_pts = np.stack([gx.ravel(), gy.ravel()], axis=1)
        d.grid = features(grid_pts, cfg["features"])
        d.inputs = list(cfg["features"])
        d.input_maps = [encode(d.grid[:, j] / max(1.0, float(np.abs(d.grid[:, j]).max()))) for j in range(d.grid.shape[1])]
        d.classes = [0, 1] if d.task == "binary" else []
        d.source = name
    elif name in ("digits2", "digits10"):
        k = 2 if name == "digits2" else 10
        if cfg["problem"] != "classification":
            raise ValueError("problem: the digits are a classification data set")
        (x, y), (xt, yt) = glassnet.datasets.digits.load_data(classes=k)
        if not 0 <= cfg["digit"] < len(xt):
            raise ValueError(f"digit: the test digits are numbered 0 to {len(xt) - 1}, got {cfg['digit']}")
        d.mode, d.task = "digits", "binary" if k == 2 else "multiclass"
        if cfg["network"] == "convnet":               # images of 8x8 pixels and one channel, as Conv2D reads them
            d.mode, x, xt = "conv", x.reshape(-1, 8, 8, 1), xt.reshape(-1, 8, 8, 1)
        d.x_train, d.x_test, d.labels_train, d.labels_test = x, xt, y.astype(np.float32), yt.astype(np.float32)
        d.inputs = ["8x8 pixels"]
        d.input_maps = []
        d.classes = list(range(k))
        d.source = name
    elif name == "csv":
        if table is None:
            raise ValueError("dataset: 'csv' needs a table: upload a CSV first")
        task = table.task
        if cfg["problem"] == "classification" and task == "regression":
            raise ValueError(f"problem: the target {table.target!r} holds many different values, so it is a "
                             "regression; choose the problem type 'regression'")
        order = rng.permutation(len(table.x))
        n_train = max(2, min(len(order) - 1, round(len(order) * cfg["ratio"] / 100)))
        tr, te = order[:n_train], order[n_train:]
        mean, std = table.x[tr].mean(axis=0), table.x[tr].std(axis=0)
        std = np.where(std > 0, std, 1.0)
        d.mean, d.std = mean, std
        x = ((table.x - mean) / std).astype(np.float32)
        y = table.y.astype(np.float32)
        if task == "regression":
            d.y_mean, d.y_std = float(y[tr].mean()), float(y[tr].std() or 1.0)
            y = ((y - d.y_mean) / d.y_std).astype(np.float32)
        d.mode, d.task = "2d", task
        d.x_train, d.x_test, d.labels_train, d.labels_test = x[tr], x[te], y[tr], y[te]
        k = x.shape[1]
        ix, iy = min(cfg["map_x"], k - 1), min(cfg["map_y"], k - 1)
        d.map_columns = [ix, iy]
        lo, hi = x.min(axis=0) - 0.25, x.max(axis=0) + 0.25
        d.domain = [float(lo[ix]), float(hi[ix]), float(lo[iy]), float(hi[iy])]
        gx, gy = np.meshgrid(np.linspace(lo[ix], hi[ix], GRID), np.linspace(hi[iy], lo[iy], GRID))
        d.grid = np.zeros((GRID * GRID, k), dtype=np.float32)    # other features at their mean
        d.grid[:, ix], d.grid[:, iy] = gx.ravel(), gy.ravel()
        span = np.array([hi[ix] - lo[ix], hi[iy] - lo[iy]])
        d.points_train = (x[tr][:, [ix, iy]] - [lo[ix], lo[iy]]) / span
        d.points_test = (x[te][:, [ix, iy]] - [lo[ix], lo[iy]]) / span
        d.inputs = list(table.names)
        d.input_maps = [encode(d.grid[:, j] / max(1e-6, float(np.abs(d.grid[:, j]).max()))) if j in (ix, iy) else None
                        for j in range(k)]
        d.classes = table.classes
        d.source = table.source
    else:
        raise ValueError(f"dataset: unknown {name!r}")
    if cfg["network"] == "convnet" and d.mode != "conv":
        raise ValueError(f"network: the convnet reads 8x8 images; choose the digits (digits2 or digits10), "
                         f"not {name!r}")
    # the output layer and the loss follow from the task
    d.loss = resolve_loss(cfg, d.task)
    d.n_out = len(d.classes) if d.task == "multiclass" else 1
    d.out_activation = {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear"}[d.task]
    if d.task == "multiclass":
        d.y_train = glassnet.utils.to_categorical(d.labels_train.astype(int), d.n_out).astype(np.float32)
        d.y_test = glassnet.utils.to_categorical(d.labels_test.astype(int), d.n_out).astype(np.float32)
    else:
        d.y_train, d.y_test = d.labels_train.astype(np.float32), d.labels_test.astype(np.float32)
    d.y_scale = max(1e-6, float(np.abs(d.labels_train).max())) if d.task == "regression" else 1.0
    d.steps_per_epoch = math.ceil(len(d.x_train) / min(cfg["batch_size"], len(d.x_train)))
    # the losses on the page: on all the rows, or on the first EVAL_ROWS of a big table (already shuffled)
    d.eval_train = (d.x_train[:EVAL_ROWS], d.y_train[:EVAL_ROWS])
    d.eval_test = (d.x_test[:EVAL_ROWS], d.y_test[:EVAL_ROWS], d.labels_test[:EVAL_ROWS])
    return d


def resolve_loss(cfg, task) -> str:
    """The loss's name for the setting (``"auto"``: the usual one for the task), checked against the task."""
    loss = cfg["loss"]
    if loss == "auto":
        loss = _ALLOWED[task][0]
    if loss not in _ALLOWED[task]:
        raise ValueError(f"loss: {loss} does not fit a {task} problem; choose {' or '.join(_ALLOWED[task])}")
    return loss


def make_optimizer(cfg):
    lr, name = cfg["learning_rate"], cfg["optimizer"]
    o = glassnet.optimizers
    return {"sgd": lambda: o.SGD(learning_rate=lr), "momentum": lambda: o.SGD(learning_rate=lr, momentum=0.9),
            "rmsprop": lambda: o.RMSprop(learning_rate=lr), "adam": lambda: o.Adam(learning_rate=lr),
            "adamw": lambda: o.AdamW(learning_rate=lr)}[name]()


def _display(a, activation, is_output, d):
    """Unit outputs -> [-1, 1] for the colour scale."""
    name = getattr(activation, "__name__", "linear")
    if is_output and d.task == "regression":
        return a / d.y_scale
    if name in ("sigmoid", "softmax"):
        return 2 * a - 1
    if name == "tanh":
        return a
    return a / max(1.0, float(np.nanmax(np.abs(a))) if a.size else 1.0)


_THIN = np.arange(GRID * GRID).reshape(GRID, GRID)[::GRID // THUMB, ::GRID // THUMB].ravel()


def frame(model, d, cfg) -> dict:
    """One picture of the model: losses, weights, every unit's map (hidden units on the
    THUMB grid, the output on the GRID one), or on the digits the first layer's images."""
    (xt, yt), (xv, yv, labels) = d.eval_train, d.eval_test
    out = {"train_loss": _finite(model.evaluate(xt, yt, verbose=0, batch_size=4096)),
           "test_loss": _finite(model.evaluate(xv, yv, verbose=0, batch_size=4096))}
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    out["units"] = [layer.units for layer in dense]
    out["weights"] = [] if d.mode == "conv" else \
        [[np.round(np.nan_to_num(w), 4).tolist() for w in layer.get_weights()] for layer in dense]
    pred = None
    if d.task != "regression":
        p = np.asarray(model.predict(xv, verbose=0, batch_size=4096))
        pred = p.argmax(axis=1) if p.shape[1] > 1 else (p[:, 0] >= 0.5).astype(int)
        out["test_accuracy"] = _finite(np.mean(pred == labels.astype(int)))
    if d.mode == "2d":
        maps, a = [], d.grid
        for layer in model.layers:
            a = layer(a)
            if isinstance(layer, Dense):
                is_output = layer is dense[-1]
                if is_output and d.task == "multiclass":
                    # one map: the winning class (its index) and how sure the model is
                    cls = a.argmax(axis=1)
                    sure = a.max(axis=1)
                    maps.append({"kind": "classes", "cls": base64.b64encode(cls.astype(np.uint8).tobytes()).decode(),
                                 "sure": encode(2 * sure - 1)})
                    continue
                shown = _display(a, layer.activation, is_output, d)
                maps.append(encode_columns(shown if is_output else np.asarray(shown)[_THIN]))
        out["maps"] = maps
        return out
    if d.mode == "conv":
        out["conv"] = conv_pictures(model, d, cfg)
    else:
        kernel = dense[0].get_weights()[0]
        scale = max(1e-6, float(np.nanmax(np.abs(kernel))))
        out["kernel_images"] = [encode(kernel[:, j] / scale) for j in range(kernel.shape[1])]
    wrong = np.flatnonzero(pred != d.labels_test[:len(pred)].astype(int))   # the digits' test set: all of it
    out["mistakes"] = [{"i": int(i), "img": encode(d.x_test[i].ravel()), "true": int(d.labels_test[i]), "pred": int(pred[i])}
                       for i in wrong[:40]]
    out["n_mistakes"] = int(len(wrong))
    out["n_test"] = int(len(pred))
    return out


def conv_pictures(model, d, cfg) -> dict:
    """The convnet's first layer: its filters, and what it makes of the chosen test digit
    (its feature maps, then max-pooled), with the probabilities the model gives that digit.
Cheap (one image): the session draws these at every frame, the losses and mistakes less often.
    Each set is scaled by its own largest size, so the colours read as in the maps."""
    from glassnet.layers import Conv2D
    convs = [layer for layer in model.layers if isinstance(layer, Conv2D)]
    conv = convs[0]
    kernel = conv.get_weights()[0]                       # (rows, cols, 1 channel in, filters)
    scale = max(1e-6, float(np.nanmax(np.abs(kernel))))
    filters = [encode(kernel[:, :, 0, j].ravel() / scale) for j in range(kernel.shape[-1])]
    i = cfg["digit"]
    x = d.x_test[i:i + 1]
    a = np.asarray(conv(x))[0]                           # (rows, cols, filters) after the activation
    after = model.layers[model.layers.index(conv) + 1]
    pooled = np.asarray(after(a[None]))[0] if after.__class__.__name__.endswith("Pooling2D") else None

    def maps(m):
        s = max(1e-6, float(np.nanmax(np.abs(m)))) if np.isfinite(m).any() else 1.0
        return [encode(m[:, :, j].ravel() / s) for j in range(m.shape[-1])]

    p = np.asarray(model.predict(x, verbose=0))[0]
    probs = p if len(p) > 1 else np.array([1 - p[0], p[0]])
    out = {"layer": conv.name, "filter_side": int(kernel.shape[0]), "filters": filters,
           "map_side": int(a.shape[0]), "maps": maps(a), "digit": i, "true": int(d.labels_test[i]),
           "image": encode(x.ravel()), "probs": [_finite(v) for v in probs]}
    if pooled is not None:
        out.update(pool_side=int(pooled.shape[0]), pooled=maps(pooled))
    return out


def layout(d, cfg, table) -> dict:
    def pts(p, labels):
        lab = labels / d.y_scale if d.task == "regression" else labels
        keep = slice(None) if len(p) <= 1500 else slice(None, None, math.ceil(len(p) / 1500))
        return np.round(np.column_stack([p[keep], lab[keep]]), 4).tolist()

    out = {"setup": d.setup_version, "mode": d.mode, "task": d.task, "inputs": d.inputs, "classes": d.classes,
           "source": d.source, "n_train": len(d.x_train), "n_test": len(d.x_test), "loss": d.loss,
           "steps_per_epoch": d.steps_per_epoch}
    if d.mode == "2d":
        out.update(input_maps=d.input_maps, domain=d.domain, grid=GRID, thumb=THUMB,
                   points={"train": pts(d.points_train, d.labels_train), "test": pts(d.points_test, d.labels_test)})
    if cfg["dataset"] == "csv" and table is not None:
        out.update(columns=table.names, target=table.target, map_columns=d.map_columns,
                   all_columns=table.names[:len(table.names)] + [table.target])
    return out


def trace_summary(trace) -> dict:
    h = trace.history
    if "step" not in h or not len(h["step"]):
        return {"rows": [], "notes": ["Press play: the glass box reads a Trace while fit runs."]}
    rows = []
    for p in trace.paths:
        if not p.endswith("kernel"):
            continue
        layer = p.split("/")[0]
        row = {"path": p, "weight_norm": _finite(h[f"weight_norm/{p}"][-1]),
               "grad_norm": _finite(h[f"grad_norm/{p}"][-1]), "update_ratio": _finite(h[f"update_ratio/{p}"][-1])}
        for kind in ("saturated", "dead"):
            if f"{kind}/{layer}" in h:
                row[kind] = _finite(h[f"{kind}/{layer}"][-1])
        rows.append(row)
    with np.errstate(all="ignore"):
        notes = trace.diagnose()
    return {"rows": rows, "notes": notes or ["Nothing looks wrong."]}


def where_it_broke(model, d):
    """(a sentence, index of the Dense or Conv2D layer) naming the layer with non-finite or the largest
    outputs and gradients on the training data."""
    from glassnet.layers import Conv2D
    weighted = (Dense, Conv2D)
    dense = [layer for layer in model.layers if isinstance(layer, weighted)]
    try:
        with np.errstate(all="ignore"):
            a, sizes = d.x_train, []
            for layer in model.layers:
                a = layer(a)
                if isinstance(layer, weighted):
                    sizes.append(float(np.nanmax(np.abs(a))) if np.isfinite(a).all() else math.inf)
            grads = glassnet.gradients(model, d.x_train[:256], d.y_train[:256])
            names = [v.path for v in model.trainable_weights]
            gnorm = []
            for layer in dense:
                g = [gr for gr, n in zip(grads, names) if n == f"{layer.name}/kernel"]
                gnorm.append(float(np.sqrt(np.sum(np.square(g[0], dtype=np.float64)))) if g else 0.0)
    except Exception as e:          # the diagnosis itself must not fail the server
        return f"(Could not locate the layer: {type(e).__name__}: {e}.)", None
    bad = [i for i, (s, g) in enumerate(zip(sizes, gnorm)) if not (math.isfinite(s) and math.isfinite(g))]
    i = bad[0] if bad else int(np.argmax(gnorm))
    return (f"Where it broke: layer {i + 1} ({dense[i].name}), whose outputs reach |A| = {sizes[i]:.3g} and whose "
            f"gradient |dJ/dW| = {gnorm[i]:.3g} is {'not finite' if bad else 'the largest in the network'}."), i
