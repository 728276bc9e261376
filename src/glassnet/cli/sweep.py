"""``glassnet sweep``: many variants of a network on your own CSV table (lambda, learning rate,
hidden layers, seeds), one table of how each did, and the course's bias/variance figures.

    glassnet sweep data.csv --target y --lambda 0,0.01,0.1,1 --learning-rate 0.001,0.01 \\
        --layers "25,15;8" --seeds 0,1 --epochs 100

writes into the run folder (default ``runs/<csv name>-sweep``): ``sweep.csv`` (one row per
variant: its values, final and best losses and metrics, J_train and J_cv, status),
``bias_variance_<value>.png`` for each value swept over more than one setting, and with
``--learning-curve`` the best variant's ``learning_curve.png``. The rows are shuffled once
(``--seed``), ``--validation-split`` of them held out as the cross-validation set, the
features standardised by the training rows' statistics (as ``glassnet train``).
"""
from __future__ import annotations

import csv
import io
import math
import os

import numpy as np

from glassnet.cli._common import OPTIMIZERS, UsageError, can_plot, format_number, make_optimizer, run_folder, save_figure, save_text, short_list, user_input


class NetworkBuilder:
    """The network of a task (as ``glassnet train`` builds it), from a few named values:
    ``lam`` (an L2 penalty on every kernel), ``learning_rate``, ``layers`` (hidden relu widths).
    A class, not a closure, so that worker processes can rebuild it."""

    def __init__(self, task, n_classes, optimizer):
        self.task, self.n_classes, self.optimizer = task, n_classes, optimizer

    def __call__(self, lam=0.0, learning_rate=None, layers=(25, 15)):
        import glassnet
        from glassnet.layers import Dense

        reg = (lambda: glassnet.regularizers.L2(lam)) if lam else (lambda: None)
        metrics = ["accuracy"]
        if self.task == "regression":
            head, loss, metrics = Dense(1, kernel_regularizer=reg()), glassnet.losses.MeanSquaredError(), []
        elif self.task == "binary":
            head, loss = Dense(1, activation="sigmoid", kernel_regularizer=reg()), glassnet.losses.BinaryCrossentropy()
        else:
            head = Dense(self.n_classes, kernel_regularizer=reg())
            loss = glassnet.losses.SparseCategoricalCrossentropy(from_logits=True)
        model = glassnet.Sequential([Dense(u, activation="relu", kernel_regularizer=reg()) for u in layers] + [head])
        model.compile(optimizer=make_optimizer(self.optimizer, learning_rate), loss=loss, metrics=metrics)
        return model


def numbers(text, name, kind=float, least=0.0):
    """``"0,0.01,0.1"`` -> [0.0, 0.01, 0.1]; each >= ``least``; a mistake names the option."""
    out = []
    for i, part in enumerate(p.strip() for p in text.split(",")):
        try:
            value = kind(part)
        except ValueError:
            raise UsageError(f"{name}: {part!r} (item {i + 1}) is not a{'n integer' if kind is int else ' number'}") from None
        if not (math.isfinite(value) and value >= least):
            raise UsageError(f"{name}: {part!r} (item {i + 1}) must be >= {format_number(least)}")
        out.append(value)
    if not out:
        raise UsageError(f"{name}: give at least one value")
    return out


def layer_sets(text):
    """``"25,15;8"`` -> [(25, 15), (8,)]; ``""`` -> [()] (no hidden layer)."""
    sets = []
    for i, part in enumerate(text.split(";")):
        part = part.strip()
        try:
            units = tuple(int(u) for u in part.split(",") if u.strip())
        except ValueError:
            raise UsageError(f"--layers: {part!r} (set {i + 1}) must be unit counts separated by commas, e.g. 25,15") from None
        if any(u <= 0 for u in units):
            raise UsageError(f"--layers: {part!r} (set {i + 1}): unit counts must be > 0")
        sets.append(units)
    return sets


def cmd_sweep(args) -> int:
    import glassnet
    from glassnet.cli.table import _choose_task, _split_rows, _standardise
    from glassnet.datasets import csv as gcsv

    grid = {"lam": numbers(args.lam, "--lambda")}
    if args.learning_rate is not None:
        grid["learning_rate"] = numbers(args.learning_rate, "--learning-rate", least=1e-300)
    grid["layers"] = layer_sets(args.layers)
    grid["seed"] = numbers(args.seeds, "--seeds", int, 0)
    with user_input():
        delimiter = args.delimiter or gcsv.detect_delimiter(args.csv)
        x, y, names = glassnet.datasets.load_csv(args.csv, target=args.target, delimiter=delimiter)
    if x.shape[1] == 0:
        raise UsageError(f"{args.csv} has no column besides the target {args.target!r}: nothing to learn from")
    task, why, classes = _choose_task(y, args.task, args.target)
    train_idx, val_idx = _split_rows(len(x), args.validation_split, args.seed)
    if not len(val_idx):
        raise UsageError("--validation-split must hold some rows out: the cross-validation error needs them")
    xs, ys, _ = _standardise(x, y, train_idx, task, classes)
    count = math.prod(len(v) for v in grid.values())
    print(f"{args.csv}: {len(x)} rows, {x.shape[1]} features ({short_list(names)}), target {args.target!r}")
    print(f"task: {task} ({why}); {count} variants; {len(train_idx)} rows to train, {len(val_idx)} to validate")
    build = NetworkBuilder(task, len(classes or []), args.optimizer)
    table = glassnet.sweep(build, grid, xs[train_idx], ys[train_idx], validation_data=(xs[val_idx], ys[val_idx]),
                           epochs=args.epochs, batch_size=args.batch_size, backend=args.backend,
                           verbose=args.verbose, table="records")
    out = run_folder(args.out, (os.path.splitext(os.path.basename(args.csv))[0] or "data") + "-sweep")
    save_text(os.path.join(out, "sweep.csv"), _csv(table, list(grid)))
    done = [r for r in table if math.isfinite(r["val_error"])]
    if done:
        best = min(done, key=lambda r: r["val_error"])
        values = ", ".join(f"{k}={_show(best[k])}" for k in grid)
        print(f"lowest cross-validation error: {best['val_error']:.4g} (training {best['train_error']:.4g}) "
              f"with {values}")
    if not args.no_plots and can_plot() and done:
        from glassnet.glassbox import plot
        for key in grid:
            if key != "seed" and len(grid[key]) > 1:
                rows = [dict(r, **{key: _show(r[key]) if key == "layers" else r[key]}) for r in done]
                save_figure(plot.bias_variance(rows, x=key), os.path.join(out, f"bias_variance_{key}.png"))
        if args.learning_curve:
            chosen = {k: best[k] for k in grid if k != "seed"}
            curve = glassnet.learning_curve(lambda: build(**chosen), xs[train_idx], ys[train_idx],
                                            validation_data=(xs[val_idx], ys[val_idx]), epochs=args.epochs,
                                            batch_size=args.batch_size, seed=int(best["seed"]), table="records")
            save_figure(plot.learning_curve(curve), os.path.join(out, "learning_curve.png"))
    print(f"run folder: {out}")
    return 0


def _show(value):
    return ",".join(map(str, value)) if isinstance(value, tuple) else value


def _csv(table, keys) -> str:
    """The table without its model and history columns, as CSV text."""
    columns = [c for c in table[0] if c not in ("model", "history")]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in table:
        writer.writerow([_show(row[c]) if c == "layers" else
                         (f"{row[c]:.6g}" if isinstance(row[c], (float, np.floating)) else row[c]) for c in columns])
    return buffer.getvalue()


def add_parser(sub, positive, split, delimiter, seed) -> None:
    """The ``sweep`` subcommand (called by ``glassnet.cli.build_parser``)."""
    p = sub.add_parser("sweep", help="many variants (lambda, learning rate, layers, seeds) on your CSV, "
                       "with the bias/variance figures",
                       description=__doc__.split("\n\n")[0].replace("``", "'"))
    p.add_argument("csv", help="the table: a header row, then numbers only")
    p.add_argument("--target", required=True, metavar="COLUMN", help="the column to predict")
    p.add_argument("--task", choices=("auto", "binary", "multiclass", "regression"), default="auto",
                   help="override the choice made from the target (default auto)")
    p.add_argument("--lambda", dest="lam", default="0,0.001,0.01,0.1", metavar="LAM1,LAM2,...",
                   help="L2 penalties on the kernels (default 0,0.001,0.01,0.1)")
    p.add_argument("--learning-rate", default=None, metavar="LR1,LR2,...",
                   help="learning rates (default: the optimizer's)")
    p.add_argument("--layers", default="25,15", metavar="25,15;8",
                   help="hidden relu layer sets separated by ';' (default 25,15)")
    p.add_argument("--seeds", default="0", metavar="S1,S2,...", help="seeds of the initial weights (default 0)")
    p.add_argument("--epochs", type=positive(int), default=100, metavar="N", help="(default 100)")
    p.add_argument("--validation-split", type=split, default=0.2, metavar="F",
                   help="share of the rows (shuffled) held out as the cross-validation set (default 0.2)")
    p.add_argument("--backend", choices=("auto", "stacked", "processes", "loop", "ray"), default="auto",
                   help="how the variants run (default auto: stacked where they share a network)")
    p.add_argument("--learning-curve", action="store_true",
                   help="also draw the best variant's learning curve (errors against the training-set size)")
    p.add_argument("--batch-size", type=positive(int), default=32, metavar="N",
                   help="examples per gradient step (default 32)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="(default adam)")
    p.add_argument("--seed", type=seed, default=0, help="seeds the shuffle of the rows before the split (default 0)")
    p.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                   help="0 silent, 1 one progress line for the sweep, 2 a line per variant")
    p.add_argument("--no-plots", action="store_true", help="skip the figures")
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/<csv name>-sweep)")
    p.add_argument("--delimiter", type=delimiter, default=None, metavar="SEP",
                   help="the field separator (default: detected among , ; tab |)")
    p.set_defaults(run=cmd_sweep)
