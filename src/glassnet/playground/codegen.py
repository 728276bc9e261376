""""Show the code": the glassnet program that makes the page's data and builds, compiles and
trains the page's network, ready to paste into a file. The data functions are printed from
their own source, so the program makes exactly the page's points. Replace ``glassnet.keras``
by ``tensorflow.keras`` and the model part runs under Keras too.

>>> from glassnet.playground.config import DEFAULTS
>>> from glassnet.playground.render import build_data
>>> text = program(DEFAULTS, build_data(DEFAULTS, None), epochs=2)
>>> "model.compile(optimizer=Adam(learning_rate=0.03), loss='binary_crossentropy')" in text
True
>>> cfg = dict(DEFAULTS, dataset="digits10", network="convnet")
>>> "Conv2D(8, 3, activation='tanh', name='conv')" in program(cfg, build_data(cfg, None))
True
"""
from __future__ import annotations

import inspect

from .data import FEATURE_CODE, GENERATORS

__all__ = ["program"]

_OPT = {"sgd": ("SGD", ""), "momentum": ("SGD", ", momentum=0.9"), "rmsprop": ("RMSprop", ""),
        "adam": ("Adam", ""), "adamw": ("AdamW", "")}


def _data_code(cfg, d) -> list[str]:
    name = cfg["dataset"]
    if name in GENERATORS:
        gen = GENERATORS[name][0]
        feats = ", ".join(FEATURE_CODE[f] for f in cfg["features"])
        return [
            "# the data: the page's generator, seed and split",
            inspect.getsource(gen).rstrip(), "",
            "",
            "def features(x):",
            f"    # the input features {', '.join(cfg['features'])}",
            f"    return np.stack([{feats}], axis=1).astype(np.float32)",
            "",
            "",
            f"rng = np.random.default_rng({cfg['seed']})",
            f"points, y = {gen.__name__}({cfg['n_points']}, {cfg['noise'] / 100!r}, rng)",
            "order = rng.permutation(len(points))",
            f"n_train = max(1, min(len(points) - 1, round(len(points) * {cfg['ratio']!r} / 100)))",
            "train, test = order[:n_train], order[n_train:]",
            "x_train, y_train = features(points[train]), y[train]",
            "x_test, y_test = features(points[test]), y[test]",
        ]
    if name in ("digits2", "digits10"):
        k = 2 if name == "digits2" else 10
        lines = ["# the data: the shipped 8x8 digits, 64 pixels in [0, 1] per row",
                 f"(x_train, y_train), (x_test, y_test) = glassnet.datasets.digits.load_data(classes={k})"]
        if k > 2:
            lines.append("y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)")
        if cfg["network"] == "convnet":
            lines.append("x_train, x_test = x_train.reshape(-1, 8, 8, 1), x_test.reshape(-1, 8, 8, 1)   # "
                         "images: rows, columns, 1 channel")
        return lines
    lines = ["# the data: your CSV; features standardised with the training rows' mean and std",
             f"x, y, names = glassnet.datasets.load_csv({d.source!r}, target={cfg['target']!r})"]
    if d.task != "regression":
        lines += [f"classes = np.array({[float(c) for c in d.classes]!r})",
                  "y = np.searchsorted(classes, y).astype(np.float32)   # labels 0..k-1"]
    lines += [f"order = np.random.default_rng({cfg['seed']}).permutation(len(x))",
              f"n_train = max(2, min(len(x) - 1, round(len(x) * {cfg['ratio']!r} / 100)))",
              "train, test = order[:n_train], order[n_train:]",
              "mean, std = x[train].mean(axis=0), x[train].std(axis=0)",
              "x = (x - mean) / np.where(std > 0, std, 1.0)"]
    if d.task == "regression":
        lines += ["y = (y - y[train].mean()) / (y[train].std() or 1.0)   # the target standardised too"]
    lines += ["x_train, y_train, x_test, y_test = x[train], y[train], x[test], y[test]"]
    if d.task == "multiclass":
        lines += [f"y_train, y_test = to_categorical(y_train, {d.n_out}), to_categorical(y_test, {d.n_out})"]
    return lines


def program(cfg, d, epochs: int = 100) -> str:
    """The program as text; ``epochs``: how many to train (the page's epoch count)."""
    opt, extra = _OPT[cfg["optimizer"]]
    reg = ""
    conv = cfg["network"] == "convnet" and cfg["dataset"] in ("digits2", "digits10")
    imports = ["Conv2D", "Dense", "Flatten", "Input", "MaxPooling2D"] if conv else ["Dense", "Input"]
    if cfg["regularization"] != "none" and cfg["reg_rate"] > 0:
        reg = f", kernel_regularizer={cfg['regularization']}({cfg['reg_rate']!r})"
    lines = ['"""The network of glassnet playground, as a program (glassnet = the Keras API on NumPy)."""']
    if cfg["dataset"] == "gauss":
        lines.append("import math")
    lines += ["import numpy as np", "", "import glassnet", "from glassnet.keras import Sequential",
              f"from glassnet.keras.layers import {', '.join(imports)}",
              f"from glassnet.keras.optimizers import {opt}"]
    if reg:
        lines.append(f"from glassnet.keras.regularizers import {cfg['regularization']}")
    if d.task == "multiclass":
        lines.append("from glassnet.keras.utils import to_categorical")
    lines += ["", ""] + _data_code(cfg, d) + ["", "# the network"]
    lines += [f"glassnet.utils.set_random_seed({cfg['seed']})", "model = Sequential(["]
    if conv:
        lines += ["    Input(shape=(8, 8, 1)),",
                  f"    Conv2D(8, 3, activation={cfg['activation']!r}{reg}, name='conv'),   # 8 filters of 3x3 pixels",
                  "    MaxPooling2D(2, name='pool'),",
                  "    Flatten(name='flatten'),"]
    else:
        lines.append(f"    Input(shape=({d.x_train.shape[1]},)),")
        for i, units in enumerate(cfg["layers"]):
            lines.append(f"    Dense({units}, activation={cfg['activation']!r}{reg}, name='hidden_{i + 1}'),")
    lines.append(f"    Dense({d.n_out}, activation={d.out_activation!r}{reg}, name='output'),")
    lines += ["], name='playground')",
              f"model.compile(optimizer={opt}(learning_rate={cfg['learning_rate']!r}{extra}), loss={d.loss!r})",
              f"history = model.fit(x_train, y_train, batch_size={min(cfg['batch_size'], len(d.x_train))}, "
              f"epochs={max(1, int(epochs))}, shuffle=True, verbose=0)",
              "print('train loss', history.history['loss'][-1])",
              "print('test loss', model.evaluate(x_test, y_test, verbose=0))",
              "model.save('playground.keras')", ""]
    return "\n".join(lines)
