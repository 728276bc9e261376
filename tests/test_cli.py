"""The ``glassnet`` command end to end, in temporary folders: exit codes, printed accuracy,
the files of a run, figures that open, and one-line errors with exit status 2."""
import csv
import doctest
import io
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import glassnet.cli
from glassnet.cli import main

PNG = b"\x89PNG\r\n\x1a\n"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def accuracy(text, label):
    found = re.findall(rf"^{label} accuracy:\s+([0-9.]+)", text, flags=re.M)
    assert found, f"no '{label} accuracy' line in:\n{text}"
    return float(found[-1])


def assert_png(path):
    assert path.is_file() and path.stat().st_size > 1000, path
    assert path.read_bytes()[:8] == PNG
    import matplotlib.pyplot as plt
    image = plt.imread(str(path))
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


def assert_one_line_error(code, err, *fragments):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("glassnet: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


# --- help -------------------------------------------------------------------------------------

def test_python_m_glassnet_help_in_a_real_process():
    done = subprocess.run([sys.executable, "-m", "glassnet", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for command in ("digits", "logreg", "train", "predict"):
        assert command in done.stdout


@pytest.mark.parametrize("command", ["digits", "logreg", "train", "predict"])
def test_every_command_has_help(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert out.startswith(f"usage: glassnet {command}")


def test_no_command_is_a_one_line_error(capsys):
    code, _, err = run(capsys)
    assert_one_line_error(code, err, "choose a command")


# --- glassnet digits ----------------------------------------------------------------------------

def test_digits_with_defaults_reaches_the_target(tmp_path, capsys):
    out_dir = tmp_path / "run"
    code, out, err = run(capsys, "digits", "--out", out_dir)
    assert code == 0, err
    assert "Epoch 50/50" in out and "━" in out          # Keras-style progress
    assert accuracy(out, "train") >= 0.99
    assert accuracy(out, "test") >= 0.99
    assert (out_dir / "model.keras").stat().st_size > 0
    assert_png(out_dir / "learning_curve.png")
    assert_png(out_dir / "mistakes.png")
    assert_png(out_dir / "gradient_norms.png")             # the Trace figures
    assert_png(out_dir / "first_layer_weights.png")
    assert "trace:" not in out                             # a healthy run: Trace flags nothing


def test_digits_model_file_loads_and_predicts_the_same(tmp_path, capsys):
    import glassnet
    from glassnet.datasets import digits

    code, _, err = run(capsys, "digits", "--epochs", "5", "--verbose", "0", "--no-plots",
                       "--out", tmp_path)
    assert code == 0, err
    model = glassnet.models.load_model(str(tmp_path / "model.keras"))
    _, (x_test, _) = digits.load_data(classes=2)
    assert model.predict(x_test, verbose=0).shape == (72, 1)
    assert not (tmp_path / "learning_curve.png").exists()      # --no-plots


def test_digits_ten_classes_reaches_the_target(tmp_path, capsys):
    code, out, err = run(capsys, "digits", "--classes", "10", "--verbose", "0", "--no-plots",
                         "--out", tmp_path)
    assert code == 0, err
    assert "25 relu -> 15 relu -> 10 linear" in out and "SparseCategoricalCrossentropy" in out
    assert accuracy(out, "test") >= 0.9


def test_digits_options_and_default_run_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "digits", "--epochs", "2", "--batch-size", "64", "--optimizer",
                         "sgd", "--learning-rate", "0.5", "--seed", "3", "--verbose", "2", "--no-plots")
    assert code == 0, err
    assert "SGD(learning_rate=0.5)" in out and "2 epochs of batch 64" in out and "seed 3" in out
    assert "5/5 - " in out                                      # verbose=2: one line per epoch
    assert (tmp_path / "runs" / "digits-2" / "model.keras").is_file()


def test_digits_same_seed_same_result(tmp_path, capsys):
    outs = []
    for i in range(2):
        code, out, _ = run(capsys, "digits", "--epochs", "3", "--verbose", "2", "--no-plots",
                           "--out", tmp_path / str(i))
        assert code == 0
        outs.append(re.sub(r"\d+[um]?s/step|\d+s -", "", out).replace(str(tmp_path / str(i)), ""))
    assert outs[0] == outs[1]


def test_digits_explain(tmp_path, capsys):
    code, out, err = run(capsys, "digits", "--epochs", "1", "--verbose", "0", "--no-plots",
                         "--explain", "--out", tmp_path)
    assert code == 0, err
    assert "BACKWARD" in out.upper() or "dW" in out
    plain = run(capsys, "digits", "--epochs", "1", "--verbose", "0", "--no-plots", "--out", tmp_path)[1]
    assert len(out.splitlines()) > len(plain.splitlines())


def test_digits_without_matplotlib_skips_the_figures(tmp_path, capsys, monkeypatch):
    real = glassnet.cli.importlib.util.find_spec
    monkeypatch.setattr(glassnet.cli.importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    code, _, err = run(capsys, "digits", "--epochs", "1", "--verbose", "0", "--out", tmp_path)
    assert code == 0
    assert "matplotlib is not installed" in err and "Traceback" not in err
    assert (tmp_path / "model.keras").is_file()
    assert not list(tmp_path.glob("*.png"))


def test_without_h5py_digits_still_runs_and_predict_says_what_to_install(tmp_path, capsys, monkeypatch):
    out_dir = tmp_path / "run"
    assert run(capsys, "digits", "--epochs", "1", "--verbose", "0", "--no-plots", "--out", out_dir)[0] == 0
    np.savetxt(tmp_path / "x.csv", np.zeros((2, 64)), delimiter=",",
               header=",".join(f"p{i}" for i in range(64)), comments="")
    (out_dir / "preprocessing.json").write_text(json.dumps(
        {"task": "binary", "target": "y", "features": [f"p{i}" for i in range(64)],
         "mean": [0.0] * 64, "std": [1.0] * 64, "classes": [0, 1]}))
    assert run(capsys, "predict", out_dir, tmp_path / "x.csv")[0] == 0       # a digits model works too

    monkeypatch.setitem(sys.modules, "h5py", None)                            # import h5py fails
    code, _, err = run(capsys, "digits", "--epochs", "1", "--verbose", "0", "--no-plots",
                       "--out", tmp_path / "no-h5py")
    assert code == 0 and "the model was not saved" in err and "glassnet[files]" in err
    assert not (tmp_path / "no-h5py" / "model.keras").exists()
    code, _, err = run(capsys, "predict", out_dir, tmp_path / "x.csv")
    assert_one_line_error(code, err, "h5py", "glassnet[files]")


@pytest.mark.parametrize("argv, fragment", [
    (["--epochs", "0"], "--epochs: must be > 0"),
    (["--epochs", "ten"], "'ten' is not an integer"),
    (["--learning-rate", "-1"], "--learning-rate: must be > 0"),
    (["--optimizer", "adagrad"], "invalid choice: 'adagrad'"),
    (["--classes", "3"], "invalid choice: 3"),
    (["--batch-size", "1.5"], "--batch-size"),
    (["--seed", "-1"], "--seed"),
])
def test_digits_bad_options(capsys, argv, fragment):
    code, _, err = run(capsys, "digits", *argv)
    assert_one_line_error(code, err, fragment)


# --- glassnet logreg ----------------------------------------------------------------------------

def test_logreg_matches_the_one_unit_network(capsys):
    code, out, err = run(capsys, "logreg", "--num-iters", "300", "--alpha", "0.5", "--print-every", "100")
    assert code == 0, err
    costs = re.findall(r"^Iteration\s+(\d+): Cost\s+([0-9.]+)", out, flags=re.M)
    assert [int(i) for i, _ in costs] == [0, 100, 200, 299]
    assert float(costs[0][1]) == pytest.approx(np.log(2), abs=1e-6)       # J at w = 0, b = 0
    assert float(costs[-1][1]) < float(costs[0][1]) / 10
    final = re.search(r"^final cost J\s+([0-9.]+)\s+([0-9.]+)", out, flags=re.M)
    assert float(final.group(1)) == pytest.approx(float(final.group(2)), abs=1e-5)
    test_row = re.search(r"^test accuracy\s+([0-9.]+)\s+([0-9.]+)", out, flags=re.M)
    assert float(test_row.group(1)) >= 0.99 and float(test_row.group(2)) >= 0.99
    w_diff = float(re.search(r"max \|w difference\| = (\S+),", out).group(1))
    assert w_diff < 1e-5


# --- glassnet train / predict -------------------------------------------------------------------

def write_csv(path, header, rows):
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def tables(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(150, 3)) * [1, 10, 100] + [0, 50, 1000]      # very different scales
    u = x[:, 0] + (x[:, 1] - 50) / 10
    rows = lambda y: [[f"{a:.4f}" for a in r] + [t] for r, t in zip(x, y)]
    header = ["a", "b", "c"]
    return {
        "binary": write_csv(tmp_path / "binary.csv", header + ["label"], rows((u > 0).astype(int))),
        "multiclass": write_csv(tmp_path / "multi.csv", header + ["kind"],
                                rows(np.digitize(u, [-0.7, 0.7]) * 5 + 1)),     # classes 1, 6, 11
        "regression": write_csv(tmp_path / "reg.csv", header + ["price"],
                                rows(np.round(3 * x[:, 0] + 0.1 * x[:, 1], 3))),
        "features": write_csv(tmp_path / "new.csv", ["c", "a", "b"],            # no target, reordered
                              [[f"{r[2]:.4f}", f"{r[0]:.4f}", f"{r[1]:.4f}"] for r in x[:7]]),
    }


TARGETS = {"binary": "label", "multiclass": "kind", "regression": "price"}


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_train_then_predict(tmp_path, capsys, tables, task):
    out_dir = tmp_path / f"run-{task}"
    code, out, err = run(capsys, "train", tables[task], "--target", TARGETS[task], "--epochs", "60",
                         "--verbose", "0", "--out", out_dir)
    assert code == 0, err
    assert f"task: {task} (" in out
    assert "120 rows to train, 30 to validate" in out
    if task == "regression":
        assert re.search(r"^validation RMSE: \S+\s+MAE: \S+\s+R\^2: 0\.9", out, flags=re.M), out
    else:
        assert accuracy(out, "validation") >= 0.8
    assert (out_dir / "model.keras").stat().st_size > 0
    assert_png(out_dir / "learning_curve.png")
    prep = json.loads((out_dir / "preprocessing.json").read_text())
    assert prep["task"] == task and prep["target"] == TARGETS[task]
    assert prep["features"] == ["a", "b", "c"] and len(prep["mean"]) == len(prep["std"]) == 3

    # the training table (target column present, ignored) and a new one without it
    for model_arg, table, n in [(out_dir, tables[task], 150),
                                (out_dir / "model.keras", tables["features"], 7)]:
        code, out, err = run(capsys, "predict", model_arg, table)
        assert code == 0, err
        rows = list(csv.reader(io.StringIO(out)))
        assert len(rows) == n + 1
        if task == "regression":
            assert rows[0] == ["price"]
            float(rows[1][0])
        else:
            assert rows[0] == [TARGETS[task], "probability"]
            allowed = {"binary": {"0", "1"}, "multiclass": {"1", "6", "11"}}[task]
            assert {r[0] for r in rows[1:]} <= allowed
            assert all(0.5 <= float(r[1]) <= 1 or task == "multiclass" for r in rows[1:])

    # predictions agree with the truth on the training table (for classifiers)
    if task != "regression":
        run(capsys, "predict", out_dir, tables[task])
        _, out, _ = run(capsys, "predict", out_dir, tables[task])
        predicted = [r[0] for r in list(csv.reader(io.StringIO(out)))[1:]]
        with open(tables[task]) as fh:
            truth = [r[TARGETS[task]] for r in csv.DictReader(fh)]
        assert np.mean(np.array(predicted) == np.array(truth)) >= 0.8


def test_train_task_can_be_forced_and_layers_chosen(tmp_path, capsys, tables):
    code, out, err = run(capsys, "train", tables["multiclass"], "--target", "kind", "--task",
                         "regression", "--layers", "8", "--epochs", "2", "--verbose", "0",
                         "--validation-split", "0", "--no-plots", "--out", tmp_path / "r")
    assert code == 0, err
    assert "task: regression (--task regression)" in out
    assert "3 -> 8 relu -> 1 linear" in out and "150 rows to train, 0 to validate" in out
    code, _, err = run(capsys, "train", tables["regression"], "--target", "price", "--task", "binary")
    assert_one_line_error(code, err, "needs a target of 0s and 1s")


def test_train_errors(tmp_path, capsys, tables):
    code, _, err = run(capsys, "train", tmp_path / "nope.csv", "--target", "y")
    assert_one_line_error(code, err, "nope.csv", "no such file")

    code, _, err = run(capsys, "train", tables["binary"], "--target", "lable")
    assert_one_line_error(code, err, "no column 'lable'", "a, b, c, label")

    bad = write_csv(tmp_path / "bad.csv", ["a", "b", "y"], [[1, 2, 0], [3, "x7", 1], [5, 6, 0]])
    code, _, err = run(capsys, "train", bad, "--target", "y")
    assert_one_line_error(code, err, "line 3", "column 'b'", "'x7' is not a number")

    constant = write_csv(tmp_path / "constant.csv", ["a", "y"], [[1, 1], [2, 1], [3, 1]])
    code, _, err = run(capsys, "train", constant, "--target", "y")
    assert_one_line_error(code, err, "single value")

    only = write_csv(tmp_path / "only.csv", ["y"], [[0], [1], [0]])
    code, _, err = run(capsys, "train", only, "--target", "y")
    assert_one_line_error(code, err, "no column besides the target")

    code, _, err = run(capsys, "train", tables["binary"])                  # --target is required
    assert_one_line_error(code, err, "--target")

    code, _, err = run(capsys, "train", tables["binary"], "--target", "label", "--layers", "25,x")
    assert_one_line_error(code, err, "--layers")

    code, _, err = run(capsys, "train", tables["binary"], "--target", "label",
                       "--validation-split", "1")
    assert_one_line_error(code, err, "--validation-split")


def test_predict_errors(tmp_path, capsys, tables):
    code, _, err = run(capsys, "predict", tmp_path / "no-run", tables["features"])
    assert_one_line_error(code, err, "no such file")

    out_dir = tmp_path / "run"
    assert run(capsys, "train", tables["binary"], "--target", "label", "--epochs", "1",
               "--verbose", "0", "--no-plots", "--out", out_dir)[0] == 0
    code, _, err = run(capsys, "predict", out_dir, tmp_path / "missing.csv")
    assert_one_line_error(code, err, "missing.csv")

    fewer = write_csv(tmp_path / "fewer.csv", ["a", "b"], [[1, 2]])
    code, _, err = run(capsys, "predict", out_dir, fewer)
    assert_one_line_error(code, err, "lacks the column(s) c", "needs a, b, c")

    more = write_csv(tmp_path / "more.csv", ["a", "b", "c", "id"], [[1, 2, 3, 4]])
    code, _, err = run(capsys, "predict", out_dir, more)
    assert_one_line_error(code, err, "not trained on: id")

    text = write_csv(tmp_path / "text.csv", ["a", "b", "c"], [[1, 2, 3], [1, "two", 3]])
    code, _, err = run(capsys, "predict", out_dir, text)
    assert_one_line_error(code, err, "line 3", "column 'b'")


def test_train_never_leaves_a_new_preprocessing_beside_an_old_model(tmp_path, capsys, tables,
                                                                     monkeypatch):
    import glassnet.saving.atomic
    out_dir = tmp_path / "run"
    quick = ["--epochs", "1", "--verbose", "0", "--no-plots", "--out", out_dir]
    assert run(capsys, "train", tables["binary"], "--target", "label", *quick)[0] == 0
    old = (out_dir / "preprocessing.json").read_text()
    assert json.loads(old)["task"] == "binary"

    # rerun into the same folder with another table: the disk fails while saving the model
    def disk_full(path, data):
        raise OSError(28, "No space left on device", path)
    with monkeypatch.context() as m:
        m.setattr(glassnet.saving.atomic, "write_bytes", disk_full)
        code, _, err = run(capsys, "train", tables["regression"], "--target", "price", *quick)
    assert_one_line_error(code, err, "model.keras", "No space left on device")
    assert (out_dir / "preprocessing.json").read_text() == old

    # rerun without h5py: the model is not saved, so neither is its preprocessing
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "h5py", None)
        code, out, err = run(capsys, "train", tables["regression"], "--target", "price", *quick)
    assert code == 0 and "the model was not saved" in err and "earlier run" in err
    assert (out_dir / "preprocessing.json").read_text() == old
    assert "predict with" not in out
    code, out, err = run(capsys, "predict", out_dir, tables["binary"])     # the old pair still works
    assert code == 0 and out.startswith("label,probability\n"), err

    with monkeypatch.context() as m:                                       # a fresh folder: nothing
        m.setitem(sys.modules, "h5py", None)
        code, _, err = run(capsys, "train", tables["binary"], "--target", "label", "--epochs", "1",
                           "--verbose", "0", "--no-plots", "--out", tmp_path / "fresh")
    assert code == 0 and "earlier run" not in err
    assert not (tmp_path / "fresh" / "preprocessing.json").exists()

    # a successful rerun replaces both, atomically (no temporary files left)
    assert run(capsys, "train", tables["regression"], "--target", "price", *quick)[0] == 0
    assert json.loads((out_dir / "preprocessing.json").read_text())["task"] == "regression"
    assert sorted(p.name for p in out_dir.iterdir()) == ["model.keras", "preprocessing.json"]


def test_predict_ignores_a_target_column_with_empty_cells(tmp_path, capsys, tables):
    out_dir = tmp_path / "run"
    assert run(capsys, "train", tables["binary"], "--target", "label", "--epochs", "1",
               "--verbose", "0", "--no-plots", "--out", out_dir)[0] == 0
    rows = write_csv(tmp_path / "rows.csv", ["a", "label", "b", "c"],
                     [[0.1, "", 50, 1000], [-2, "", 40, 900], [1, "?", 55, 1100]])
    code, out, err = run(capsys, "predict", out_dir, rows)
    assert code == 0, err
    got = list(csv.reader(io.StringIO(out)))
    assert got[0] == ["label", "probability"] and len(got) == 4


def test_predict_bad_preprocessing_is_one_line_before_any_output(tmp_path, capsys, tables):
    out_dir = tmp_path / "run"
    assert run(capsys, "train", tables["multiclass"], "--target", "kind", "--epochs", "1",
               "--verbose", "0", "--no-plots", "--out", out_dir)[0] == 0
    good = json.loads((out_dir / "preprocessing.json").read_text())
    assert good["classes"] == [1, 6, 11]
    regression = dict(good, task="regression")
    del regression["classes"]
    cases = [
        ({k: v for k, v in good.items() if k != "classes"}, "lacks classes"),
        (regression, "lacks target_mean, target_std"),
        (dict(regression, target_mean="0", target_std=1.0), "target_mean and target_std"),
        (dict(good, classes=["a", "b", "c"]), "classes is not a list of numbers"),
        (dict(good, classes=[1, 6]), "describes a multiclass model with 2"),   # the model gives 3
        (dict(good, task="binary", classes=[0, 1]), "describes a binary model with 1"),
        (dict(good, mean=["0", "0", "0"]), "mean is not a list of numbers"),
        (dict(good, std=[1.0, 1.0]), "std has 2 numbers for 3 features"),
        (dict(good, std=[1.0, 0.0, 1.0]), "not > 0"),
        (dict(good, features="abc"), "features is not a list"),
        (dict(good, task="ranking"), "task is 'ranking'"),
        (dict(good, target=3), "target is not a column name"),
        ([1, 2], "JSON list"),
    ]
    for prep, fragment in cases:
        (out_dir / "preprocessing.json").write_text(json.dumps(prep))
        code, out, err = run(capsys, "predict", out_dir, tables["multiclass"])
        assert_one_line_error(code, err, "preprocessing.json", fragment)
        assert out == "", (prep, out)
    (out_dir / "preprocessing.json").write_text("{not json")
    code, out, err = run(capsys, "predict", out_dir, tables["multiclass"])
    assert_one_line_error(code, err, "preprocessing.json", "not JSON")
    assert out == ""

    # the model was built for 3 features, the preprocessing names 2: a one-line error too
    two = dict(good, features=["a", "b"], mean=good["mean"][:2], std=good["std"][:2])
    (out_dir / "preprocessing.json").write_text(json.dumps(two))
    table = write_csv(tmp_path / "two.csv", ["a", "b"], [[1, 2]])
    code, out, err = run(capsys, "predict", out_dir, table)
    assert_one_line_error(code, err, "2 features", "built for 3")
    assert out == ""


def test_train_refuses_a_number_too_large_for_float32(tmp_path, capsys):
    table = write_csv(tmp_path / "huge.csv", ["a", "y"], [[1, 0], [1e39, 1], [2, 0]])
    code, _, err = run(capsys, "train", table, "--target", "y", "--out", tmp_path / "run")
    assert_one_line_error(code, err, "line 3", "column 'a'", "too large for float32")


def test_doctests():
    result = doctest.testmod(glassnet.cli, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
