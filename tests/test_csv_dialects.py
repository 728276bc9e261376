"""Issue 13, item 6: CSV dialects in ``load_csv`` and the ``glassnet`` command.

The separator is detected among , ; tab | (or given), a UTF-8 byte-order mark and CRLF
line endings are fine, repeated column names are refused at ``train`` naming the column,
and ``predict`` reads every run folder ``train`` writes the way ``train`` read the data.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import re

import numpy as np
import pytest

from glassnet.cli import main
from glassnet.datasets import load_csv
from glassnet.datasets.csv import detect_delimiter

RNG = np.random.default_rng(0)
ROWS = RNG.normal(size=(30, 3)).round(3)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write(path, header, rows, sep=",", bom=False, crlf=False, quote=False):
    end = "\r\n" if crlf else "\n"
    cell = (lambda v: f'"{v}"') if quote else str
    text = sep.join(cell(h) for h in header) + end + end.join(sep.join(cell(v) for v in r) for r in rows) + end
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
@pytest.mark.parametrize("bom, crlf", [(False, False), (True, True)])
def test_load_csv_detects_the_separator(tmp_path, sep, bom, crlf):
    labels = (ROWS[:, 0] > 0).astype(int)
    path = write(tmp_path / "d.csv", ["a b", "c", "y"], np.column_stack([ROWS[:, :2], labels]), sep, bom, crlf)
    assert detect_delimiter(path) == sep
    x, y, names = load_csv(path, target="y")
    assert names == ["a b", "c"]
    np.testing.assert_allclose(x, ROWS[:, :2], rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    # given explicitly, the same; given wrongly, the error says what the header suggests
    assert load_csv(path, target="y", delimiter=sep).feature_names == ["a b", "c"]
    wrong = "|" if sep != "|" else ","
    with pytest.raises(ValueError, match=re.escape(f"pass delimiter={sep!r}")):
        load_csv(path, target="y", delimiter=wrong)


def test_decimal_commas_under_semicolons_are_not_taken_for_separators(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("size;price\n2,5;460\n3,5;232\n")
    assert detect_delimiter(path) == ";"
    with pytest.raises(ValueError, match=r"line 2, column 'size'.*'2,5' is not a number"):
        load_csv(path, target="price")


def test_fast_and_exact_paths_agree_and_errors_name_the_line(tmp_path):
    path = write(tmp_path / "d.csv", ["a", "b", "y"], np.column_stack([ROWS[:, :2], ROWS[:, 2]]), ";", True, True)
    fast = load_csv(path, target="y")
    exact = load_csv(path, target="y", ignore=("b",))      # an ignored column: the exact path
    np.testing.assert_array_equal(fast.x[:, :1], exact.x)
    np.testing.assert_array_equal(fast.y, exact.y)
    text = path.read_text(encoding="utf-8-sig").replace("\n", "\n  \n", 1)    # a whitespace-only line
    (tmp_path / "ws.csv").write_text(text, encoding="utf-8")
    np.testing.assert_array_equal(load_csv(tmp_path / "ws.csv", target="y").x, fast.x)
    bad = path.read_text(encoding="utf-8-sig").splitlines()
    bad[7] = bad[7].replace(";", ";x", 1)
    (tmp_path / "bad.csv").write_text("\r\n".join(bad) + "\r\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 8, column 'b'"):
        load_csv(tmp_path / "bad.csv", target="y")


def test_repeated_column_names(tmp_path, capsys):
    labels = (ROWS[:, 0] > 0).astype(int)
    path = write(tmp_path / "dup.csv", ["a", "b", "a", "y"], np.column_stack([ROWS, labels]))
    with pytest.raises(ValueError, match=r"two columns named 'a' \(positions 0 and 2\)"):
        load_csv(path, target="y")
    assert load_csv(path, target="y", ignore=("a",)).feature_names == ["b"]   # ignoring them is fine
    code, _, err = run(capsys, "train", path, "--target", "y", "--epochs", "1", "--no-plots",
                       "--out", tmp_path / "run")
    assert code == 2 and "two columns named 'a'" in err and "Traceback" not in err
    assert not (tmp_path / "run" / "model.keras").exists()
    path = write(tmp_path / "dupy.csv", ["y", "a", "y"], np.column_stack([labels, ROWS[:, 0], labels]))
    code, _, err = run(capsys, "train", path, "--target", "y", "--epochs", "1", "--no-plots")
    assert code == 2 and "columns named 'y'" in err


TASKS = {"binary": lambda r: (r[:, 0] > 0).astype(int), "multiclass": lambda r: np.digitize(r[:, 0], [-0.5, 0.5]),
         "regression": lambda r: (2 * r[:, 0] - r[:, 1]).round(3)}
CASES = list(itertools.product(["binary", "multiclass", "regression"], [",", ";", "\t", "|"],
                               ["first", "last"], [False, True]))


@pytest.mark.parametrize("task, sep, where, messy", CASES[::2] + [CASES[-1]],
                         ids=lambda v: {"\t": "tab"}.get(v, str(v)))
def test_train_then_predict_agree_on_every_dialect(tmp_path, capsys, task, sep, where, messy):
    target = "the target" if messy else "y"
    names = ["x one", "x2", "x3"] if messy else ["a", "b", "c"]
    y = TASKS[task](ROWS)
    header = [target] + names if where == "first" else names + [target]
    table = np.column_stack([y, ROWS]) if where == "first" else np.column_stack([ROWS, y])
    path = write(tmp_path / "train.csv", header, table.tolist(), sep, bom=messy, crlf=messy, quote=messy)
    out_dir = tmp_path / "run"
    code, out, err = run(capsys, "train", path, "--target", target, "--epochs", "2", "--no-plots",
                         "--out", out_dir, "--verbose", "0", "--validation-split", "0")
    assert code == 0, err
    prep = json.loads((out_dir / "preprocessing.json").read_text())
    assert prep["delimiter"] == sep and prep["features"] == names
    code, predicted, err = run(capsys, "predict", out_dir, path)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(predicted)))
    assert rows[0][0] == target and len(rows) == len(ROWS) + 1
    # the same rows, features reordered, without the target, another separator: same answers
    other = "," if sep != "," else ";"
    shuffled = write(tmp_path / "new.csv", names[::-1], ROWS[:, ::-1].tolist(), other)
    code, again, err = run(capsys, "predict", out_dir, shuffled)
    assert code == 0, err
    assert again == predicted


def test_delimiter_option_and_what_predict_uses(tmp_path, capsys):
    labels = (ROWS[:, 0] > 0).astype(int)
    # with '|' given, a header that also holds ';' inside names reads as '|' wants
    path = write(tmp_path / "p.csv", ["a;1", "b;2", "y"], np.column_stack([ROWS[:, :2], labels]), "|")
    code, _, err = run(capsys, "train", path, "--target", "y", "--epochs", "1", "--no-plots",
                       "--out", tmp_path / "run", "--delimiter", "|", "--verbose", "0")
    assert code == 0, err
    assert json.loads((tmp_path / "run" / "preprocessing.json").read_text())["delimiter"] == "|"
    code, out, err = run(capsys, "predict", tmp_path / "run", path)
    assert code == 0, err
    code, out2, err = run(capsys, "predict", tmp_path / "run", path, "--delimiter", "pipe")
    assert code == 0 and out2 == out
    code, _, err = run(capsys, "train", path, "--target", "y", "--delimiter", "ab")
    assert code == 2 and "one character" in err
    # an old run folder without "delimiter" still predicts (detected)
    prep = json.loads((tmp_path / "run" / "preprocessing.json").read_text())
    del prep["delimiter"]
    (tmp_path / "run" / "preprocessing.json").write_text(json.dumps(prep))
    plain = write(tmp_path / "plain.csv", ["a;1", "b;2"], ROWS[:, :2].tolist(), "\t")
    code, out3, err = run(capsys, "predict", tmp_path / "run", plain)
    assert code == 0, err
    assert out3 == out
    prep["delimiter"] = "ab"
    (tmp_path / "run" / "preprocessing.json").write_text(json.dumps(prep))
    code, _, err = run(capsys, "predict", tmp_path / "run", plain)
    assert code == 2 and "delimiter" in err
