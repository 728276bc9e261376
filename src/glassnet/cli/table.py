"""``glassnet train`` and ``glassnet predict``: a network on the user's own CSV table."""
from __future__ import annotations

import csv
import json
import math
import os
import sys

import numpy as np

from glassnet.cli._common import UsageError, can_plot, describe_optimizer, format_number, make_optimizer, network_line, predicted_classes, run_folder, save_figure, save_run_model, save_text, short_list, user_input


# ---------------------------------------------------------------------------------------
# glassnet train / predict
# ---------------------------------------------------------------------------------------
def cmd_train(args) -> int:
    import glassnet

    from glassnet.datasets import csv as gcsv
    with user_input():
        delimiter = args.delimiter or gcsv.detect_delimiter(args.csv)
        x, y, names = glassnet.datasets.load_csv(args.csv, target=args.target, delimiter=delimiter)
    if x.shape[1] == 0:
        raise UsageError(f"{args.csv} has no column besides the target {args.target!r}: nothing to learn from")
    glassnet.utils.set_random_seed(args.seed)
    glassnet.utils.clear_session()
    task, why, classes = _choose_task(y, args.task, args.target)
    print(f"{args.csv}: {len(x)} rows, {x.shape[1]} features ({short_list(names)}), target {args.target!r}")
    print(f"task: {task} ({why})")

    train_idx, val_idx = _split_rows(len(x), args.validation_split, args.seed)
    xs, ys, prep = _standardise(x, y, train_idx, task, classes)
    prep.update(target=args.target.strip(), task=task, features=names,
                source=os.path.basename(args.csv), delimiter=delimiter)
    model, loss, optimizer = _network_for(task, classes, args)
    model.build((None, x.shape[1]))
    print(f"network {network_line(x.shape[1], model)}; {type(loss).__name__}; {describe_optimizer(optimizer)}; features standardised; "
          f"{len(train_idx)} rows to train, {len(val_idx)} to validate")
    validation = (xs[val_idx], ys[val_idx]) if len(val_idx) else None
    history = model.fit(xs[train_idx], ys[train_idx], epochs=args.epochs, batch_size=args.batch_size,
                        verbose=args.verbose, validation_data=validation)
    _report(model, task, xs, y, ys, prep, train_idx, val_idx, classes)
    _write_run(model, prep, history, args)
    return 0


def _split_rows(n, share, seed):
    """Shuffled row indices for training and validation (CSVs are often sorted)."""
    order = np.random.default_rng(seed).permutation(n)
    n_val = math.ceil(n * share) if share else 0
    if n_val and n - n_val < 1:
        raise UsageError(f"--validation-split {share} of {n} rows leaves none to train on")
    return order[n_val:], order[:n_val]


def _standardise(x, y, train_idx, task, classes):
    """Features (and a regression target) standardised by the training rows' statistics;
    class values mapped to 0..k-1. Returns ``(xs, ys, what predict needs to redo it)``."""
    mean = x[train_idx].mean(axis=0, dtype=np.float64)
    std = x[train_idx].std(axis=0, dtype=np.float64)
    std[std == 0] = 1.0
    xs = ((x - mean) / std).astype(np.float32)
    prep = {"mean": mean.tolist(), "std": std.tolist()}
    if task == "regression":
        y_mean, y_std = float(y[train_idx].mean()), float(y[train_idx].std()) or 1.0
        prep.update(target_mean=y_mean, target_std=y_std)
        return xs, ((y - y_mean) / y_std).astype(np.float32), prep
    prep["classes"] = classes
    return xs, np.searchsorted(classes, y).astype(np.int64), prep


def _network_for(task, classes, args):
    """The compiled network: hidden relu layers, then the head and loss the task needs."""
    import glassnet
    from glassnet.layers import Dense

    metrics = ["accuracy"]
    if task == "regression":
        head, loss, metrics = Dense(1), glassnet.losses.MeanSquaredError(), []
    elif task == "binary":
        head, loss = Dense(1, activation="sigmoid"), glassnet.losses.BinaryCrossentropy()
    else:
        head, loss = Dense(len(classes)), glassnet.losses.SparseCategoricalCrossentropy(from_logits=True)
    model = glassnet.Sequential([Dense(units, activation="relu") for units in args.layers] + [head])
    optimizer = make_optimizer(args.optimizer, args.learning_rate)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    return model, loss, optimizer


def _report(model, task, xs, y, ys, prep, train_idx, val_idx, classes):
    """Accuracy (against always answering the most common class), or RMSE, MAE and R^2."""
    parts = [("train", train_idx)] + ([("validation", val_idx)] if len(val_idx) else [])
    for label, idx in parts:
        if task == "regression":
            pred = model.predict(xs[idx], verbose=0)[:, 0] * prep["target_std"] + prep["target_mean"]
            err = pred - y[idx]
            rmse, mae = float(np.sqrt(np.mean(err ** 2))), float(np.mean(np.abs(err)))
            total = float(np.sum((y[idx] - y[idx].mean()) ** 2))
            r2 = f"{1 - float(np.sum(err ** 2)) / total:.4f}" if total > 0 else "n/a"
            print(f"{label} RMSE: {rmse:.4g}  MAE: {mae:.4g}  R^2: {r2}")
        else:
            right = int((predicted_classes(model, xs[idx]) == ys[idx]).sum())
            print(f"{label} accuracy: {right / len(idx):.4f} ({right}/{len(idx)})")
    if task != "regression":
        common = np.bincount(ys[train_idx], minlength=len(classes)).argmax()
        idx = val_idx if len(val_idx) else train_idx
        print(f"(always answering the most common class, {format_number(classes[common])}, "
              f"would score {np.mean(ys[idx] == common):.4f})")


def _write_run(model, prep, history, args):
    out = run_folder(args.out, os.path.splitext(os.path.basename(args.csv))[0] or "train")
    # The model first, then its preprocessing.json, each atomically: the run folder is reused
    # on every rerun, and a new preprocessing.json beside an old model.keras would make
    # 'glassnet predict' standardise with the wrong numbers.
    saved = save_run_model(model, out)
    if saved:
        save_text(os.path.join(out, "preprocessing.json"), json.dumps(prep, indent=1) + "\n")
    elif os.path.exists(os.path.join(out, "model.keras")):
        print(f"glassnet: note: {out} still holds the model.keras and preprocessing.json of an "
              "earlier run, not this one", file=sys.stderr)
    if not args.no_plots and can_plot():
        from glassnet.glassbox import plot
        save_figure(plot.learning_curves(history), os.path.join(out, "learning_curve.png"))
    print(f"run folder: {out}" + (f"  (predict with: glassnet predict {out} {args.csv})" if saved else ""))


def _choose_task(y, forced, target):
    values = np.unique(y)
    if len(values) < 2:
        raise UsageError(f"the target {target!r} has a single value ({format_number(values[0])}); nothing to learn")
    integral = bool(np.all(values == np.round(values)))
    classes = [int(v) if integral else float(v) for v in values]
    if forced == "binary" or (forced == "auto" and classes == [0, 1]):
        if classes != [0, 1]:
            raise UsageError(f"--task binary needs a target of 0s and 1s; {target!r} holds {short_list(classes)}")
        return "binary", f"the target {target!r} holds exactly the values 0 and 1", classes
    if forced == "multiclass" or (forced == "auto" and integral and len(values) <= 20 and len(values) <= len(y) / 2):
        if not integral:
            raise UsageError(f"--task multiclass needs integer class labels; {target!r} holds {format_number(values[~(values == np.round(values))][0])}")
        return "multiclass", (f"the target {target!r} holds {len(values)} integer values: "
                              f"{short_list(classes)}"), classes
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
    with user_input():
        with open(prep_path, encoding="utf-8") as fh:
            try:
                prep = json.load(fh)
            except ValueError as e:      # JSONDecodeError, UnicodeDecodeError
                raise UsageError(f"{prep_path} is not a preprocessing file of 'glassnet train': "
                                 f"not JSON ({e})") from e
    _check_preprocessing(prep, prep_path)
    features, target, task = prep["features"], prep["target"], prep["task"]
    with user_input():
        try:
            model = glassnet.models.load_model(model_path)
        except ImportError as e:         # the .keras format needs h5py (glassnet[files])
            if "h5py" not in (getattr(e, "name", None) or str(e)):
                raise
            raise UsageError(f"reading {model_path} needs h5py: pip install 'glassnet[files]'") from e
        delimiter = args.delimiter or _predict_delimiter(args.csv, prep, features)
        table = glassnet.datasets.load_csv(args.csv, ignore=(target,), delimiter=delimiter)  # target unread
    missing = [f for f in features if f not in table.feature_names]
    extra = [c for c in table.feature_names if c not in features]
    if missing or extra:
        problem = (f"lacks the column(s) {', '.join(missing)}" if missing
                   else f"has column(s) the model was not trained on: {', '.join(extra)}")
        raise UsageError(f"{args.csv} {problem}; the model needs {', '.join(features)}"
                         f" (the target {target!r} may be present; it is ignored)")
    x = table.x[:, [table.feature_names.index(f) for f in features]]
    x = ((x - np.asarray(prep["mean"])) / np.asarray(prep["std"])).astype(np.float32)
    with user_input():                  # e.g. a model.keras built for another number of features
        out = model.predict(x, verbose=0)
    width = len(prep["classes"]) if task == "multiclass" else 1
    if out.ndim != 2 or out.shape[1] != width:
        raise UsageError(f"{model_path} gives {out.shape[-1] if out.ndim else 0} output(s) per row, but "
                         f"{prep_path} describes a {task} model with {width}: are they from the same run?")

    rows = _prediction_rows(out, prep)      # everything is computed before the first line goes out
    csv.writer(sys.stdout, lineterminator="\n").writerows(rows)
    return 0


def _prediction_rows(out, prep):
    """The CSV rows: the value for regression, else the class and its probability."""
    import glassnet

    target, task = prep["target"], prep["task"]
    if task == "regression":
        return [[target]] + [[f"{v:.6g}"] for v in
                             out[:, 0].astype(np.float64) * prep["target_std"] + prep["target_mean"]]
    if task == "binary":
        p1 = out[:, 0].astype(np.float64)
        probs = np.stack([1 - p1, p1], axis=1)
    else:
        probs = glassnet.activations.softmax(out.astype(np.float64), axis=1)   # of the logits
    best = probs.argmax(axis=1)
    return [[target, "probability"]] + [[format_number(prep["classes"][k]), f"{row[k]:.4f}"]
                                        for k, row in zip(best, probs)]


def _predict_delimiter(path, prep, features):
    """The training file's separator when it splits this file's header into names that
    include every feature (so the same file reads the same way), else the detected one."""
    from glassnet.datasets import csv as gcsv
    stored = prep.get("delimiter")
    if stored:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            for row in csv.reader(fh, delimiter=stored):
                if row and any(cell.strip() for cell in row):
                    if set(features) <= {cell.strip() for cell in row}:
                        return stored
                    break
    return gcsv.detect_delimiter(path)


def _check_preprocessing(prep, path):
    """Every key that ``glassnet predict`` reads, with its type and length, or a UsageError."""
    def bad(problem):
        return UsageError(f"{path} is not a preprocessing file of 'glassnet train': {problem}")

    def is_number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

    if not isinstance(prep, dict):
        raise bad(f"it holds a JSON {type(prep).__name__}, not an object")
    task = prep.get("task")
    needed = ["task", "target", "features", "mean", "std"] + {
        "regression": ["target_mean", "target_std"]}.get(task, ["classes"])
    lacking = [k for k in needed if k not in prep]
    if lacking:
        raise bad(f"it lacks {', '.join(lacking)} (it needs {', '.join(needed)})")
    if task not in ("binary", "multiclass", "regression"):
        raise bad(f"task is {task!r}, not 'binary', 'multiclass' or 'regression'")
    if not isinstance(prep["target"], str):
        raise bad("target is not a column name")
    features = prep["features"]
    if (not isinstance(features, list) or not features or not all(isinstance(f, str) for f in features)
            or len(set(features)) != len(features)):
        raise bad("features is not a list of distinct column names")
    if prep["target"] in features:
        raise bad(f"the target {prep['target']!r} is also a feature")
    delimiter = prep.get("delimiter")                # absent in run folders of older versions
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1
                                  or delimiter in "\r\n\""):
        raise bad(f"delimiter is {delimiter!r}, not one character")
    for key in ("mean", "std"):
        values = prep[key]
        if not isinstance(values, list) or not all(is_number(v) for v in values):
            raise bad(f"{key} is not a list of numbers")
        if len(values) != len(features):
            raise bad(f"{key} has {len(values)} numbers for {len(features)} features")
    if not all(v > 0 for v in prep["std"]):
        raise bad("std holds a number that is not > 0")
    if task == "regression":
        if not (is_number(prep["target_mean"]) and is_number(prep["target_std"])):
            raise bad("target_mean and target_std are not both numbers")
    else:
        classes = prep["classes"]
        if not isinstance(classes, list) or not all(is_number(c) for c in classes):
            raise bad("classes is not a list of numbers")
        if task == "binary" and len(classes) != 2 or len(classes) < 2:
            raise bad(f"classes has {len(classes)} values for a {task} task")
