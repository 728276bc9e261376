"""glassnet.sweep: the grid, the table, each backend (stacked, loop, worker processes, Ray)
giving the plain loop's models, bad input refused by name, Ctrl-C keeping what finished."""
from __future__ import annotations

import math
import os
import signal

import numpy as np
import pytest

import glassnet
from glassnet import layers, optimizers, regularizers
from glassnet.sweeps import RayUnavailable, variants


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4)).astype(np.float32)
    y = (x[:, :1] + x[:, 1:2] > 1.0).astype(np.float32)
    return x, y


def build(units=6, lam=0.0, learning_rate=0.01, metric=None):
    """A small classifier (top-level: worker processes and Ray import it by name)."""
    reg = regularizers.L2(lam) if lam else None
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), layers.Dense(units, "tanh", kernel_regularizer=reg),
                                 layers.Dense(1, "sigmoid")])
    model.compile(optimizer=optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"] + ([metric()] if metric else []))
    return model


def _plain(values, x, y, epochs, **fit):
    glassnet.utils.set_random_seed(values.pop("seed", 0))
    model = build(**values)
    return model, model.fit(x, y, epochs=epochs, verbose=0, **fit)


def _same_weights(a, b):
    for u, v in zip(a.trainable_weights, b.trainable_weights):
        np.testing.assert_allclose(u.value, v.value, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------------------------------
def test_the_table_has_values_final_and_best_metrics_and_the_models():
    x, y = _data()
    table = glassnet.sweep(build, {"lam": [0.0, 0.01], "learning_rate": [0.01, 0.05]}, x, y, epochs=3,
                           validation_split=0.25, verbose=0)
    import pandas as pd
    assert isinstance(table, pd.DataFrame) and len(table) == 4
    for column in ("lam", "learning_rate", "final_loss", "best_loss", "final_val_loss", "best_val_accuracy",
                   "train_error", "val_error", "epochs_run", "status", "message", "how", "model", "history"):
        assert column in table.columns, column
    row = table.iloc[3]
    assert (row["lam"], row["learning_rate"]) == (0.01, 0.05)
    h = row["history"].history
    assert row["final_val_loss"] == h["val_loss"][-1] and row["best_val_loss"] == min(h["val_loss"])
    assert row["best_val_accuracy"] == max(h["val_accuracy"])
    assert row["model"].history is row["history"] and row["epochs_run"] == 3
    # J_train, J_cv: the loss without the penalty (the trained model on its rows)
    x_train, y_train = x[:72], y[:72]
    p = row["model"].predict(x_train, verbose=0)
    assert row["train_error"] == pytest.approx(float(np.mean(row["model"].loss.call(y_train, p))), rel=1e-6)


def test_records_without_pandas_and_a_list_of_variants():
    x, y = _data()
    table = glassnet.sweep(build, [{"units": 3}, {"units": 5, "seed": 2}], x, y, epochs=2, verbose=0,
                           table="records", backend="loop")
    assert isinstance(table, list) and [r["units"] for r in table] == [3, 5]
    assert [r["how"] for r in table] == ["fit", "fit"]
    model, _ = _plain({"units": 5, "seed": 2}, x, y, 2)
    _same_weights(table[1]["model"], model)


def test_loop_stacked_and_processes_give_the_plain_loops_models():
    x, y = _data()
    grid = {"units": [3, 5], "learning_rate": [0.01, 0.1], "seed": [0, 1]}
    tables = {b: glassnet.sweep(build, grid, x, y, epochs=2, verbose=0, table="records", backend=b, workers=2)
              for b in ("auto", "loop", "processes")}
    assert {r["how"] for r in tables["auto"]} == {"stacked 4"}          # two stacks of 4 (units 3, units 5)
    assert {r["how"] for r in tables["processes"]} == {"process"}
    for i, row in enumerate(tables["loop"]):
        model, history = _plain({k: row[k] for k in grid}, x, y, 2)
        for b in tables:
            _same_weights(tables[b][i]["model"], model)
            assert tables[b][i]["final_loss"] == pytest.approx(history.history["loss"][-1], rel=1e-6)


def test_different_networks_go_to_worker_processes():
    x, y = _data()
    table = glassnet.sweep(build, {"units": [2, 3, 4]}, x, y, epochs=2, verbose=0, table="records", workers=2)
    assert [r["how"] for r in table] == ["process"] * 3
    for row in table:
        _same_weights(row["model"], _plain({"units": row["units"]}, x, y, 2)[0])
        assert row["model"].history is row["history"]


def test_stacks_here_while_the_others_run_in_processes():
    x, y = _data()
    grid = [{"units": 2}, {"units": 4}, {"units": 3}, {"units": 3, "seed": 1}]
    table = glassnet.sweep(build, grid, x, y, epochs=2, verbose=0, table="records", workers=2)
    assert [r["how"] for r in table] == ["process", "process", "stacked 2", "stacked 2"]
    for row, values in zip(table, grid):
        _same_weights(row["model"], _plain(dict(values), x, y, 2)[0])


def test_a_model_as_the_template():
    x, y = _data()
    model = build()
    table = glassnet.sweep(model, {"lambda": [0.0, 0.1], "learning_rate": [0.01, 0.02]}, x, y, epochs=2,
                           verbose=0, table="records")
    assert table[0]["how"] == "stacked 4"
    trained = table[3]["model"]
    assert trained.layers[0].kernel_regularizer.l2 == pytest.approx(0.1)
    assert float(trained.optimizer.learning_rate) == pytest.approx(0.02)
    assert trained is not model and not model.built or model.optimizer.iterations == 0
    units = glassnet.sweep(model, {"units": [(2,), (7,)]}, x, y, epochs=1, verbose=0, table="records", backend="loop")
    assert [r["model"].layers[0].units for r in units] == [2, 7]


def test_progress_line(capsys):
    x, y = _data()
    glassnet.sweep(build, {"learning_rate": [0.01, 0.1]}, x, y, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "sweep: 2 variants in" in out and "2 ok" in out
    glassnet.sweep(build, {"learning_rate": [0.01, 0.1]}, x, y, epochs=2, verbose=2)
    assert "variant 1 {'learning_rate': 0.1}: ok" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("grid, message", [
    ({}, "grid is empty"),
    ([], "list of variants is empty"),
    ({"lam": []}, "grid['lam'] is an empty list"),
    ({"lam": 0.1}, "grid['lam'] must be a list"),
    ([{"lam": 0.1}, 3], "variant 1 must be a dict"),
    ({"colour": [1, 2]}, "variant 0 has 'colour', which the builder does not take"),
    ({"seed": [-1]}, "variant 0: seed must be an integer >= 0"),
    ({"epochs": [1.5]}, "variant 0: epochs must be an integer >= 0"),
])
def test_bad_grids_are_refused_by_name(grid, message):
    x, y = _data()
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        glassnet.sweep(build, grid, x, y, verbose=0)


def test_bad_arguments():
    x, y = _data()
    with pytest.raises(ValueError, match="backend must be one of"):
        glassnet.sweep(build, {"lam": [0.0]}, x, y, backend="gpu")
    with pytest.raises(ValueError, match="build must be a function"):
        glassnet.sweep(42, {"lam": [0.0]}, x, y)
    with pytest.raises(ValueError, match="validation_data must be a tuple"):
        glassnet.sweep(build, {"lam": [0.0]}, x, y, validation_data=x)


def _refuses_big(units=3):
    if units > 4:
        raise ValueError(f"units={units} is too many for this course")
    return build(units=units)


def test_a_value_the_builder_rejects_is_in_the_table_and_the_others_go_on():
    x, y = _data()
    table = glassnet.sweep(_refuses_big, {"units": [2, 9, 3]}, x, y, epochs=1, verbose=0, table="records")
    assert [r["status"] for r in table] == ["ok", "rejected", "ok"]
    assert "units=9 is too many" in table[1]["message"] and table[1]["model"] is None
    assert math.isnan(table[1]["final_loss"])
    with pytest.raises(ValueError, match="every variant was refused; the first: .*units=9"):
        glassnet.sweep(_refuses_big, {"units": [9, 10]}, x, y, epochs=1, verbose=0)


def _not_compiled(units):
    return glassnet.Sequential([glassnet.Input(shape=(4,)), layers.Dense(units)])


def test_a_builder_returning_an_uncompiled_model():
    x, y = _data()
    with pytest.raises(ValueError, match="not compiled"):
        glassnet.sweep(_not_compiled, {"units": [1]}, x, y, verbose=0)


def test_a_diverging_variant_in_the_loop_says_why():
    x, y = _data()
    def blow_up(lam):
        model = build(lam=lam)
        model.compile(optimizer=optimizers.SGD(1.0), loss="binary_crossentropy")
        return model
    table = glassnet.sweep(blow_up, {"lam": [0.001, 30.0]}, x * 100, y, epochs=40, verbose=0, table="records",
                           backend="loop")
    assert table[0]["status"] == "ok"
    assert table[1]["status"] == "diverged" and "loss became" in table[1]["message"], table[1]["message"]


# ---------------------------------------------------------------------------------------
# Ctrl-C
# ---------------------------------------------------------------------------------------
class _CtrlC(glassnet.metrics.Metric):
    """A metric that presses Ctrl-C (SIGINT to this process) at its 3rd update (and, with
    ``twice``, again at its 4th)."""

    calls = 0
    twice = False

    def __init__(self, name="ctrl_c"):
        super().__init__(name=name)

    def update_state(self, y_true, y_pred, sample_weight=None):
        type(self).calls += 1
        if type(self).calls == 3 or (type(self).twice and type(self).calls == 4):
            os.kill(os.getpid(), signal.SIGINT)

    def result(self):
        return 0.0

    def reset_state(self):
        pass


def _ctrl_c_on_big(units):
    return build(units=units, metric=_CtrlC if units > 4 else None)


@pytest.mark.parametrize("backend", ["auto", "loop"])
def test_ctrl_c_keeps_the_finished_variants(backend):
    x, y = _data()
    _CtrlC.calls = 0
    grid = [{"units": 2}, {"units": 2, "seed": 1}, {"units": 8}, {"units": 8, "seed": 1}, {"units": 3}]
    table = glassnet.sweep(_ctrl_c_on_big, grid, x, y, epochs=5, verbose=0, table="records", backend=backend)
    status = [r["status"] for r in table]
    assert status[:2] == ["ok", "ok"] and table[0]["epochs_run"] == 5
    assert status[2] == "interrupted" and "interrupted" in table[2]["message"]
    assert status[4] == "not run" and table[4]["model"] is None
    assert 1 <= table[2]["epochs_run"] < 5
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler      # put back


class _CtrlCFromWorker(_CtrlC):
    """In a worker process: presses Ctrl-C once in the sweep's process (its parent), then
    dawdles: the sweep stops this fit rather than wait for it."""

    sent = False

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not type(self).sent:
            type(self).sent = True
            os.kill(os.getppid(), signal.SIGINT)
            import time
            time.sleep(20)


def _ctrl_c_from_worker(units):
    return build(units=units, metric=_CtrlCFromWorker if units > 4 else None)


def test_ctrl_c_during_worker_processes_keeps_the_finished_ones():
    x, y = _data()
    grid = [{"units": 2}, {"units": 3}, {"units": 9}, {"units": 4}]
    table = glassnet.sweep(_ctrl_c_from_worker, grid, x, y, epochs=3, verbose=0, table="records",
                           backend="processes", workers=1)
    assert [r["status"] for r in table] == ["ok", "ok", "not run", "not run"]
    _same_weights(table[1]["model"], _plain({"units": 3}, x, y, 3)[0])


def test_a_second_ctrl_c_stops_at_once_and_keeps_the_finished_variants():
    x, y = _data()
    _CtrlC.calls, _CtrlC.twice = 0, True
    try:
        grid = [{"units": 2}, {"units": 2, "seed": 1}, {"units": 8}, {"units": 8, "seed": 1}]
        table = glassnet.sweep(_ctrl_c_on_big, grid, x, y, epochs=5, verbose=0, table="records", workers=1)
    finally:
        _CtrlC.twice = False
    assert [r["status"] for r in table] == ["ok", "ok", "not run", "not run"]
    assert "second Ctrl-C" in table[2]["message"] and table[0]["model"] is not None
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ---------------------------------------------------------------------------------------
# Ray
# ---------------------------------------------------------------------------------------
def _ray():
    """Ray itself: the test extra installs it (pip install -e '.[test]'); its absence fails."""
    try:
        import ray
    except ImportError:
        pytest.fail("the Ray tests need ray: pip install -e '.[test]' (or 'glassnet[ray]') installs it")
    return ray


def test_ray_results_equal_the_local_ones():
    ray = _ray()
    x, y = _data()
    grid = {"units": [3, 5], "learning_rate": [0.01, 0.1]}
    local = glassnet.sweep(build, grid, x, y, epochs=2, verbose=0, table="records")
    here = os.path.dirname(os.path.abspath(__file__))          # Ray's workers import this module's build
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}})
    try:
        remote = glassnet.sweep(build, grid, x, y, epochs=2, verbose=0, table="records")     # Ray is running: used
    finally:
        ray.shutdown()
    assert all(r["how"].startswith("ray") for r in remote)
    for a, b in zip(local, remote):
        assert a["final_loss"] == b["final_loss"]
        for u, v in zip(a["model"].trainable_weights, b["model"].trainable_weights):
            np.testing.assert_array_equal(u.value, v.value)


def test_ray_not_reachable_is_a_clear_error_or_the_asked_for_fallback(capsys):
    _ray()
    x, y = _data()
    with pytest.raises(RayUnavailable, match="no Ray instance answers at 127.0.0.1:9"):
        glassnet.sweep(build, {"units": [2]}, x, y, backend="ray", ray_address="127.0.0.1:9", verbose=0)
    table = glassnet.sweep(build, {"units": [2]}, x, y, epochs=1, backend="ray", ray_address="127.0.0.1:9",
                           fallback="local", verbose=0, table="records")
    assert table[0]["status"] == "ok" and not table[0]["how"].startswith("ray")
    assert "running here instead" in capsys.readouterr().err


def test_variants_expand_in_grid_order():
    found = variants.expand({"a": [1, 2], "b": ["x", "y"]})
    assert [v.values for v in found] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"},
                                         {"a": 2, "b": "y"}]


# ---------------------------------------------------------------------------------------
# glassnet sweep (the command)
# ---------------------------------------------------------------------------------------
def _csv_file(tmp_path):
    x, y = _data(80)
    path = tmp_path / "data.csv"
    rows = ["a,b,c,d,label"] + [",".join(f"{v:.4f}" for v in row) + f",{int(t)}" for row, t in zip(x, y[:, 0])]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_the_command_writes_the_table_and_the_figures(tmp_path, capsys):
    from glassnet.cli import main
    path, out = _csv_file(tmp_path), tmp_path / "run"
    code = main(["sweep", str(path), "--target", "label", "--lambda", "0,0.01,0.1", "--layers", "4;2",
                 "--epochs", "2", "--out", str(out), "--verbose", "0", "--learning-curve"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["bias_variance_lam.png", "bias_variance_layers.png",
                                                     "learning_curve.png", "sweep.csv"]
    import csv
    rows = list(csv.DictReader(open(out / "sweep.csv")))
    assert len(rows) == 6 and {r["layers"] for r in rows} == {"4", "2"}
    assert all(r["status"] == "ok" and float(r["val_error"]) > 0 for r in rows)
    assert "lowest cross-validation error" in capsys.readouterr().out


@pytest.mark.parametrize("option, message", [
    (["--lambda", "0,x"], "--lambda: 'x' (item 2) is not a number"),
    (["--lambda", "-1"], "--lambda: '-1' (item 1) must be >= 0"),
    (["--layers", "4;a"], "--layers: 'a' (set 2)"),
    (["--seeds", "1.5"], "--seeds: '1.5' (item 1) is not an integer"),
    (["--target", "nope"], "nope"),
])
def test_the_command_refuses_bad_options_and_writes_nothing(tmp_path, capsys, option, message):
    from glassnet.cli import main
    path, out = _csv_file(tmp_path), tmp_path / "run"
    args = ["sweep", str(path), "--target", "label", "--epochs", "1", "--out", str(out), "--verbose", "0"]
    if option[0] == "--target":
        args[3] = option[1]
    else:
        args += option
    assert main(args) == 2
    assert message in capsys.readouterr().err and not out.exists()
