"""The ``glassnet`` command: the course's digits, its logistic regression, and your own CSV.

::

    glassnet digits [--classes 10]        # 25-15-1 sigmoid network on 0-vs-1 (or 25-15-10 relu)
    glassnet logreg                       # the three steps by hand, beside a one-unit network
    glassnet train data.csv --target y    # binary, multi-class or regression, chosen from y
    glassnet predict runs/data data.csv   # predictions as CSV on stdout

Also ``python -m glassnet``. Every command takes ``--help``. A mistake in the input (a
missing file, an unknown column, a cell that is not a number, a bad option) is reported
as one line, ``glassnet: error: ...``, with exit status 2; anything else is a bug and keeps
its traceback. matplotlib is imported only when a figure is drawn.

>>> main(["logreg", "--num-iters", "20", "--print-every", "10"])  # doctest: +ELLIPSIS
Logistic regression in three steps on the 0-vs-1 digits: ...
0
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import os
import sys

import numpy as np

__all__ = ["main"]

_OPTIMIZERS = ("adam", "rmsprop", "sgd", "adamw")


class UsageError(Exception):
    """A mistake in what the user gave (file, column, option): one line, exit status 2."""


class _user_input:
    """``with _user_input():`` turns the ValueError/TypeError/OSError that glassnet raises
    about the user's files and options into a UsageError. Used only around such calls, so a
    ValueError from a bug elsewhere still shows its traceback."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if kind is not None and issubclass(kind, (ValueError, TypeError, OSError)):
            text = str(error) or kind.__name__
            if isinstance(error, OSError) and error.filename and error.strerror:
                text = f"{error.filename}: {error.strerror}"
            raise UsageError(text.removeprefix("load_csv: ")) from error
        return False


class _Parser(argparse.ArgumentParser):
    def error(self, message):   # argparse prints usage + error; we print one line
        self.exit(2, f"glassnet: error: {message} (see '{self.prog} --help')\n")


# ---------------------------------------------------------------------------------------
# glassnet digits
# ---------------------------------------------------------------------------------------
def cmd_digits(args) -> int:
    import glassnet
    from glassnet.datasets import digits
    from glassnet.layers import Dense

    glassnet.utils.set_random_seed(args.seed)
    glassnet.utils.clear_session()
    (x_train, y_train), (x_test, y_test) = digits.load_data(classes=args.classes)
    if args.classes == 2:       # the seed's network
        model = glassnet.Sequential([Dense(25, activation="sigmoid"), Dense(15, activation="sigmoid"),
                                     Dense(1, activation="sigmoid")])
        loss, what = glassnet.losses.BinaryCrossentropy(), "0-vs-1 digits"
    else:                       # the course's next lesson: ten digits, softmax folded into the loss
        model = glassnet.Sequential([Dense(25, activation="relu"), Dense(15, activation="relu"),
                                     Dense(10, activation="linear")])
        loss, what = glassnet.losses.SparseCategoricalCrossentropy(from_logits=True), "ten digits"
    epochs = args.epochs if args.epochs is not None else (50 if args.classes == 2 else 40)
    optimizer = _optimizer(args.optimizer, args.learning_rate)
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    model.build((None, x_train.shape[1]))
    shape = " -> ".join(["64"] + [f"{l.units} {l.activation.__name__}" for l in model.layers])
    print(f"glassnet digits: {what}, {len(x_train)} train / {len(x_test)} test images of 8x8 pixels")
    print(f"network {shape}; {type(loss).__name__}; {_describe(optimizer)}; "
          f"{epochs} epochs of batch {args.batch_size}; seed {args.seed}")
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=args.batch_size, verbose=args.verbose)

    pred_train, pred_test = _classes(model, x_train), _classes(model, x_test)
    right_train, right_test = int((pred_train == y_train).sum()), int((pred_test == y_test).sum())
    print(f"train accuracy: {right_train / len(y_train):.4f} ({right_train}/{len(y_train)})")
    print(f"test accuracy:  {right_test / len(y_test):.4f} ({right_test}/{len(y_test)})")
    if args.explain:
        _explain(model, x_train[:args.batch_size], y_train[:args.batch_size])

    out = _run_folder(args.out, f"digits-{args.classes}")
    _save_model(model, out)
    if not args.no_plots and _can_plot():
        from glassnet import plot
        _save_figure(plot.learning_curves(history), os.path.join(out, "learning_curve.png"))
        order = np.argsort(pred_test == y_test, kind="stable")[:64]     # the mistakes first
        wrong = len(y_test) - right_test
        title = f"test digits, label -> prediction: {wrong} of {len(y_test)} wrong (red, shown first)"
        grid = plot.digits_grid(x_test[order], y_test[order], predictions=pred_test[order],
                                n=len(order), shape=(8, 8), title=title)
        _save_figure(grid, os.path.join(out, "mistakes.png"))
    print(f"run folder: {out}")
    return 0


def _classes(model, x):
    out = model.predict(x, verbose=0)
    return out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] >= 0.5).astype(np.int64)


def _explain(model, x_batch, y_batch):
    import importlib
    import types

    import glassnet
    explain = getattr(glassnet, "explain", None)
    if explain is None or isinstance(explain, types.ModuleType):
        for where in ("glassnet.explain", "glassnet.inspect"):
            try:
                explain = getattr(importlib.import_module(where), "explain", None)
            except ImportError:
                continue
            if explain is not None:
                break
    if not callable(explain):
        print("glassnet: note: --explain needs glassnet.explain, which this installation lacks",
              file=sys.stderr)
        return
    text = explain(model, x_batch, y_batch)
    if text is not None:
        print(text)


# ---------------------------------------------------------------------------------------
# glassnet logreg
# ---------------------------------------------------------------------------------------
def cmd_logreg(args) -> int:
    import glassnet
    from glassnet.datasets import digits
    from glassnet.layers import Dense
    from glassnet.linear import LogisticRegression

    (x, y), (x_test, y_test) = digits.load_data(classes=2)
    m, n = x.shape
    print(f"Logistic regression in three steps on the 0-vs-1 digits: {m} examples, {n} features, "
          f"alpha={args.alpha:g}, {args.num_iters} iterations from w = 0, b = 0")
    print("  1. f(x) = sigmoid(w . x + b)   2. J = mean(-y log f - (1-y) log(1-f))   "
          "3. w = w - alpha dJ/dw, b = b - alpha dJ/db")
    logreg = LogisticRegression(alpha=args.alpha, num_iters=args.num_iters).fit(x, y)
    every = args.print_every or max(1, math.ceil(args.num_iters / 10))
    for i, J in enumerate(logreg.J_history):
        if i % every == 0 or i == args.num_iters - 1:
            print(f"Iteration {i:5d}: Cost {J:10.6f}")

    glassnet.utils.clear_session()
    net = glassnet.Sequential([Dense(1, activation="sigmoid")])
    net.build((None, n))
    net.set_weights([np.zeros((n, 1)), np.zeros(1)])
    net.compile(optimizer=glassnet.optimizers.SGD(learning_rate=args.alpha),
                loss=glassnet.losses.BinaryCrossentropy())
    history = net.fit(x, y, batch_size=m, epochs=args.num_iters, shuffle=False, verbose=0)
    kernel, bias = net.get_weights()

    def accuracy(pred, truth):
        return f"{np.mean(pred == truth):.4f}"

    rows = [
        ("final cost J", *(f"{h[-1]:.6f}" if h else "-" for h in (logreg.J_history, history.history.get("loss", [])))),
        ("train accuracy", accuracy(logreg.predict(x), y), accuracy(_classes(net, x), y)),
        ("test accuracy", accuracy(logreg.predict(x_test), y_test), accuracy(_classes(net, x_test), y_test)),
    ]
    print()
    print(f"{'':16}{'three steps':>14}{'Dense(1) + SGD':>18}")
    for name, a, b in rows:
        print(f"{name:16}{a:>14}{b:>18}")
    print(f"max |w difference| = {np.abs(kernel[:, 0] - logreg.w).max():.3g}, "
          f"|b difference| = {abs(float(bias[0]) - logreg.b):.3g}: the same model, trained the same way")
    return 0


# ---------------------------------------------------------------------------------------
# glassnet train / predict
# ---------------------------------------------------------------------------------------
def cmd_train(args) -> int:
    import glassnet
    from glassnet.layers import Dense

    with _user_input():
        x, y, names = glassnet.datasets.load_csv(args.csv, target=args.target)
    if x.shape[1] == 0:
        raise UsageError(f"{args.csv} has no column besides the target {args.target!r}: nothing to learn from")
    glassnet.utils.set_random_seed(args.seed)
    glassnet.utils.clear_session()
    task, why, classes = _choose_task(y, args.task, args.target)
    print(f"{args.csv}: {len(x)} rows, {x.shape[1]} features ({_short_list(names)}), target {args.target!r}")
    print(f"task: {task} ({why})")

    order = np.random.default_rng(args.seed).permutation(len(x))   # CSVs are often sorted
    n_val = math.ceil(len(x) * args.validation_split) if args.validation_split else 0
    if n_val and len(x) - n_val < 1:
        raise UsageError(f"--validation-split {args.validation_split} of {len(x)} rows leaves none to train on")
    train_idx, val_idx = order[n_val:], order[:n_val]
    mean = x[train_idx].mean(axis=0, dtype=np.float64)
    std = x[train_idx].std(axis=0, dtype=np.float64)
    std[std == 0] = 1.0
    xs = ((x - mean) / std).astype(np.float32)
    prep = {"target": args.target, "task": task, "features": names,
            "mean": mean.tolist(), "std": std.tolist(), "source": os.path.basename(args.csv)}
    if task == "regression":
        y_mean, y_std = float(y[train_idx].mean()), float(y[train_idx].std()) or 1.0
        ys = ((y - y_mean) / y_std).astype(np.float32)
        prep.update(target_mean=y_mean, target_std=y_std)
        head, loss, metrics = Dense(1), glassnet.losses.MeanSquaredError(), []
    else:
        prep["classes"] = classes
        ys = np.searchsorted(classes, y).astype(np.int64)      # class values -> 0..k-1
        if task == "binary":
            head, loss = Dense(1, activation="sigmoid"), glassnet.losses.BinaryCrossentropy()
        else:
            head = Dense(len(classes))
            loss = glassnet.losses.SparseCategoricalCrossentropy(from_logits=True)
        metrics = ["accuracy"]
    model = glassnet.Sequential([Dense(units, activation="relu") for units in args.layers] + [head])
    optimizer = _optimizer(args.optimizer, args.learning_rate)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    model.build((None, x.shape[1]))
    shape = " -> ".join([str(x.shape[1])] + [f"{l.units} {l.activation.__name__}" for l in model.layers])
    print(f"network {shape}; {type(loss).__name__}; {_describe(optimizer)}; features standardised; "
          f"{len(train_idx)} rows to train, {len(val_idx)} to validate")
    validation = (xs[val_idx], ys[val_idx]) if n_val else None
    history = model.fit(xs[train_idx], ys[train_idx], epochs=args.epochs, batch_size=args.batch_size,
                        verbose=args.verbose, validation_data=validation)

    parts = [("train", train_idx)] + ([("validation", val_idx)] if n_val else [])
    for label, idx in parts:
        if task == "regression":
            pred = model.predict(xs[idx], verbose=0)[:, 0] * prep["target_std"] + prep["target_mean"]
            err = pred - y[idx]
            rmse, mae = float(np.sqrt(np.mean(err ** 2))), float(np.mean(np.abs(err)))
            total = float(np.sum((y[idx] - y[idx].mean()) ** 2))
            r2 = f"{1 - float(np.sum(err ** 2)) / total:.4f}" if total > 0 else "n/a"
            print(f"{label} RMSE: {rmse:.4g}  MAE: {mae:.4g}  R^2: {r2}")
        else:
            right = int((_classes(model, xs[idx]) == ys[idx]).sum())
            print(f"{label} accuracy: {right / len(idx):.4f} ({right}/{len(idx)})")
    if task != "regression":
        common = np.bincount(ys[train_idx], minlength=len(classes)).argmax()
        idx = val_idx if n_val else train_idx
        print(f"(always answering the most common class, {_number(classes[common])}, "
              f"would score {np.mean(ys[idx] == common):.4f})")

    out = _run_folder(args.out, os.path.splitext(os.path.basename(args.csv))[0] or "train")
    with _user_input():
        with open(os.path.join(out, "preprocessing.json"), "w", encoding="utf-8") as fh:
            json.dump(prep, fh, indent=1)
    _save_model(model, out)
    if not args.no_plots and _can_plot():
        from glassnet import plot
        _save_figure(plot.learning_curves(history), os.path.join(out, "learning_curve.png"))
    print(f"run folder: {out}  (predict with: glassnet predict {out} {args.csv})")
    return 0


def _choose_task(y, forced, target):
    values = np.unique(y)
    if len(values) < 2:
        raise UsageError(f"the target {target!r} has a single value ({_number(values[0])}); nothing to learn")
    integral = bool(np.all(values == np.round(values)))
    classes = [int(v) if integral else float(v) for v in values]
    if forced == "binary" or (forced == "auto" and classes == [0, 1]):
        if classes != [0, 1]:
            raise UsageError(f"--task binary needs a target of 0s and 1s; {target!r} holds {_short_list(classes)}")
        return "binary", f"the target {target!r} holds exactly the values 0 and 1", classes
    if forced == "multiclass" or (forced == "auto" and integral and len(values) <= 20 and len(values) <= len(y) / 2):
        if not integral:
            raise UsageError(f"--task multiclass needs integer class labels; {target!r} holds {_number(values[~(values == np.round(values))][0])}")
        return "multiclass", (f"the target {target!r} holds {len(values)} integer values: "
                              f"{_short_list(classes)}"), classes
    why = "--task regression" if forced == "regression" else (
        f"the target {target!r} holds {len(values)} different values"
        + ("" if integral else ", not all integers"))
    return "regression", why, None


def cmd_predict(args) -> int:
    import glassnet

    model_path, folder = args.model, args.model
    if os.path.isdir(model_path):
        model_path = os.path.join(model_path, "model.keras")
    else:
        folder = os.path.dirname(model_path) or "."
    prep_path = os.path.join(folder, "preprocessing.json")
    for path in (model_path, prep_path):
        if not os.path.isfile(path):
            raise UsageError(f"{path}: no such file (give the run folder of 'glassnet train' or its model.keras)")
    with _user_input():
        with open(prep_path, encoding="utf-8") as fh:
            prep = json.load(fh)
        try:
            model = glassnet.models.load_model(model_path)
        except ImportError as e:         # the .keras format needs h5py (glassnet[files])
            if "h5py" not in (getattr(e, "name", None) or str(e)):
                raise
            raise UsageError(f"reading {model_path} needs h5py: pip install 'glassnet[files]'") from e
        table = glassnet.datasets.load_csv(args.csv)
    needed = {"task", "target", "features", "mean", "std"}
    if not isinstance(prep, dict) or not needed <= set(prep):
        raise UsageError(f"{prep_path} is not a preprocessing file of 'glassnet train' (it needs "
                         f"{', '.join(sorted(needed))})")
    features, target = prep["features"], prep["target"]
    missing = [f for f in features if f not in table.feature_names]
    extra = [c for c in table.feature_names if c not in features and c != target]
    if missing or extra:
        problem = (f"lacks the column(s) {', '.join(missing)}" if missing
                   else f"has column(s) the model was not trained on: {', '.join(extra)}")
        raise UsageError(f"{args.csv} {problem}; the model needs {', '.join(features)}"
                         f" (the target {target!r} may be present; it is ignored)")
    x = table.x[:, [table.feature_names.index(f) for f in features]]
    x = ((x - np.asarray(prep["mean"])) / np.asarray(prep["std"])).astype(np.float32)
    out = model.predict(x, verbose=0)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    if prep["task"] == "regression":
        writer.writerow([target])
        for v in out[:, 0] * prep["target_std"] + prep["target_mean"]:
            writer.writerow([f"{v:.6g}"])
        return 0
    if out.shape[1] == 1:
        p1 = out[:, 0].astype(np.float64)
        probs = np.stack([1 - p1, p1], axis=1)
    else:
        z = out - out.max(axis=1, keepdims=True)                    # softmax of the logits
        probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    writer.writerow([target, "probability"])
    for row in probs:
        k = int(row.argmax())
        writer.writerow([_number(prep["classes"][k]), f"{row[k]:.4f}"])
    return 0


# ---------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------
def _optimizer(name, learning_rate):
    import glassnet
    cls = {"adam": glassnet.optimizers.Adam, "rmsprop": glassnet.optimizers.RMSprop,
           "sgd": glassnet.optimizers.SGD, "adamw": glassnet.optimizers.AdamW}[name]
    return cls() if learning_rate is None else cls(learning_rate=learning_rate)


def _describe(optimizer):
    return f"{type(optimizer).__name__}(learning_rate={optimizer.learning_rate:g})"


def _number(v):
    return str(int(v)) if float(v).is_integer() else f"{float(v):g}"


def _short_list(items, most=8):
    items = [_number(i) if isinstance(i, (int, float, np.number)) else str(i) for i in items]
    return ", ".join(items if len(items) <= most else items[:most - 1] + ["...", items[-1]])


def _run_folder(out, name):
    out = out or os.path.join("runs", name)
    with _user_input():
        os.makedirs(out, exist_ok=True)
    return out


def _save_model(model, out):
    path = os.path.join(out, "model.keras")
    try:
        model.save(path)
    except ImportError as e:    # the .keras format needs h5py (glassnet[files])
        if "h5py" not in (getattr(e, "name", None) or str(e)):
            raise
        print("glassnet: note: the model was not saved: the .keras format needs h5py; "
              "pip install 'glassnet[files]'", file=sys.stderr)
        return
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}") from e
    print(f"saved {path}")


def _can_plot():
    if importlib.util.find_spec("matplotlib") is None:
        print("glassnet: note: matplotlib is not installed, so no figures; "
              "pip install 'glassnet[plot]' to get them", file=sys.stderr)
        return False
    return True


def _save_figure(fig, path):
    with _user_input():
        fig.savefig(path, dpi=100)
    if "matplotlib.pyplot" in sys.modules:      # glassnet.plot drew it through pyplot: let it go
        import matplotlib.pyplot as plt
        plt.close(fig)
    print(f"saved {path}")


# ---------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------
def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a{'n integer' if kind is int else ' number'}") from None
        if not (value > 0 and math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value
    parse.__name__ = kind.__name__
    return parse


def _seed(text):
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number >= 0")
    return int(text)


def _layers(text):
    try:
        units = [int(u) for u in text.replace(" ", "").split(",") if u]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give unit counts separated by commas, e.g. 25,15") from None
    if any(u <= 0 for u in units):
        raise argparse.ArgumentTypeError(f"{text!r}: unit counts must be > 0")
    return units


def _split(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def _training_options(p, batch_size=32):
    p.add_argument("--batch-size", type=_positive(int), default=batch_size, metavar="N",
                   help=f"examples per gradient step (default {batch_size})")
    p.add_argument("--optimizer", choices=_OPTIMIZERS, default="adam", help="(default adam)")
    p.add_argument("--learning-rate", type=_positive(float), default=None, metavar="LR",
                   help="(default: the optimizer's, 0.001 for adam/rmsprop/adamw, 0.01 for sgd)")
    p.add_argument("--seed", type=_seed, default=0, help="seeds every random draw (default 0)")
    p.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                   help="progress as Keras's fit(verbose=...): 0 silent, 1 bar, 2 one line per epoch")
    p.add_argument("--no-plots", action="store_true", help="skip the figures")


def build_parser() -> argparse.ArgumentParser:
    import glassnet
    parser = _Parser(prog="glassnet", description="Train Keras-style networks on NumPy: the course's "
                     "digits, its logistic regression, or your own CSV table.")
    parser.add_argument("--version", action="version", version=f"glassnet {glassnet.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("digits", help="train the course's network on the shipped 8x8 digits",
                       description="The seed's network (Dense 25, 15, 1, sigmoid; BinaryCrossentropy) on "
                       "the 0-vs-1 digits, or with --classes 10 the ten-digit network (Dense 25, 15 relu, "
                       "10 linear; SparseCategoricalCrossentropy(from_logits=True)). Writes model.keras, "
                       "learning_curve.png and mistakes.png into the run folder.")
    p.add_argument("--classes", type=int, choices=(2, 10), default=2, help="2: zeros and ones (default); 10: all digits")
    p.add_argument("--epochs", type=_positive(int), default=None, metavar="N", help="(default 50 for 2 classes, 40 for 10)")
    _training_options(p)
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/digits-2 or runs/digits-10)")
    p.add_argument("--explain", action="store_true", help="after training, print glassnet.explain for one batch")
    p.set_defaults(run=cmd_digits)

    p = sub.add_parser("logreg", help="logistic regression in three steps, beside a one-unit network",
                       description="Gradient descent on J(w,b) for the 0-vs-1 digits, from w = 0, b = 0, printing "
                       "J as it goes; then the same iterations with Sequential([Dense(1, activation='sigmoid')]), "
                       "SGD(learning_rate=alpha) and full batches, which ends at the same w and b.")
    p.add_argument("--alpha", type=_positive(float), default=0.1, help="learning rate (default 0.1)")
    p.add_argument("--num-iters", type=_positive(int), default=1000, metavar="N", help="iterations (default 1000)")
    p.add_argument("--print-every", type=_positive(int), default=None, metavar="N",
                   help="print J every N iterations (default: ten times in all)")
    p.set_defaults(run=cmd_logreg)

    p = sub.add_parser("train", help="train on your own CSV table",
                       description="Train a network on a numeric CSV table. The task comes from the target "
                       "column: binary when it holds exactly 0 and 1, multi-class when it holds a few integers "
                       "(at most 20, and at most half as many as rows), regression otherwise. Features are "
                       "standardised (mean and std saved in preprocessing.json beside model.keras).")
    p.add_argument("csv", help="the table: a header row, then numbers only")
    p.add_argument("--target", required=True, metavar="COLUMN", help="the column to predict")
    p.add_argument("--task", choices=("auto", "binary", "multiclass", "regression"), default="auto",
                   help="override the choice made from the target (default auto)")
    p.add_argument("--layers", type=_layers, default=[25, 15], metavar="25,15",
                   help="hidden relu layers' units (default 25,15; '' for none)")
    p.add_argument("--epochs", type=_positive(int), default=100, metavar="N", help="(default 100)")
    p.add_argument("--validation-split", type=_split, default=0.2, metavar="F",
                   help="share of the rows (shuffled) held out to validate (default 0.2)")
    _training_options(p)
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/<csv name>)")
    p.set_defaults(run=cmd_train)

    p = sub.add_parser("predict", help="predict with a trained run, as CSV on stdout",
                       description="Predictions of a model from 'glassnet train' for each row of a CSV, "
                       "written as CSV to stdout: the class and its probability for classifiers, the value "
                       "for regression. The CSV needs the training features; the target column may be there.")
    p.add_argument("model", help="the run folder, or its model.keras (preprocessing.json must be beside it)")
    p.add_argument("csv", help="rows to predict")
    p.set_defaults(run=cmd_predict)
    return parser


def main(argv=None) -> int:
    """Run the ``glassnet`` command with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:          # --help, --version, or a bad option (already reported)
        return e.code if isinstance(e.code, int) else 2
    if args.command is None:
        print("glassnet: error: choose a command: digits, logreg, train or predict "
              "(see 'glassnet --help')", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except UsageError as e:
        print(f"glassnet: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:          # e.g. glassnet predict ... | head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
