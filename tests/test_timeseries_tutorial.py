"""TensorFlow's "Time series forecasting" tutorial, renamed (``import glassnet as tf``), on a
stand-in for the Jena climate CSV (tests/timeseries_tutorial.py: get_file with extract, pandas
feature engineering, WindowGenerator on timeseries_dataset_from_array, every model of the
tutorial, two epochs each, the plots drawn off screen). The shapes are those TensorFlow 2.21
prints on the same stand-in (tools/compare_timeseries_tutorial.py), and so are the evaluations
of the models that have no weights."""
import numpy as np
import pytest

import glassnet as tf

timeseries_tutorial = pytest.importorskip("timeseries_tutorial")   # tests/ is on sys.path under pytest
pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

# TensorFlow 2.21 on the same stand-in (tools/compare_timeseries_tutorial.py)
TF_SHAPES = {
    "example": [(3, 7, 19), (3, 6, 19), (3, 1, 1)],
    "w2_take": ((32, 6, 19), (32, 1, 1)), "single_take": ((32, 1, 19), (32, 1, 1)),
    "baseline_wide": ((32, 24, 19), (32, 24, 1)), "linear_single": ((32, 1, 19), (32, 1, 1)),
    "linear_wide": ((32, 24, 19), (32, 24, 1)), "msd": ((32, 3, 19), (32, 1, 1)),
    "conv": ((32, 3, 19), (32, 1, 1)), "conv_wide": ((32, 24, 19), (32, 24, 1), (32, 22, 1)),
    "wide_conv": ((32, 26, 19), (32, 24, 1), (32, 24, 1)), "lstm": ((32, 24, 19), (32, 24, 1)),
    "multi_out_take": ((32, 24, 19), (32, 24, 19)), "residual": (32, 24, 19),
    "warmup": ((32, 19), [(32, 32), (32, 32)]), "feedback": (32, 24, 19),
}
TF_W2_SPEC = ("(TensorSpec(shape=(None, 6, 19), dtype=tf.float32, name=None), "
              "TensorSpec(shape=(None, 1, 1), dtype=tf.float32, name=None))")
# evaluate(..., return_dict=True) of the weightless models: the data decides them
TF_BASELINE_TEST = {"loss": 0.748668372631073, "mean_absolute_error": 0.5357275009155273}
TF_LAST = {"loss": 1.6060733795166016, "mean_absolute_error": 0.9561089277267456}
TF_REPEAT = {"loss": 0.7120345234870911, "mean_absolute_error": 0.493983656167984}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("jena"))
    timeseries_tutorial.make_stand_in(folder)
    tf.keras.utils.set_random_seed(0)
    return timeseries_tutorial.run(tf, folder, max_epochs=2)


def test_the_shapes_are_those_tensorflow_prints(run):
    for key, shapes in TF_SHAPES.items():
        assert run[key] == shapes, key
    assert run["w2_spec"] == TF_W2_SPEC
    assert run["msd_wide_error"] == "ValueError"          # the tutorial's point: Flatten fixes the width
    assert run["n_features"] == 19 and run["wv_min"] == 0.0
    assert run["w1"].splitlines()[2] == "Label indices: [47]"
    assert run["fft"][0] == (501,) and run["fft"][1] == "complex64"


def test_the_weightless_models_evaluate_as_tensorflow(run):
    for got, want in ((run["single_performance"]["Baseline"], TF_BASELINE_TEST),
                      (run["multi_performance"]["Last"], TF_LAST), (run["multi_performance"]["Repeat"], TF_REPEAT)):
        assert set(got) == {"loss", "mean_absolute_error"}
        for k in want:
            assert got[k] == pytest.approx(want[k], rel=1e-5)


def test_every_model_trains(run):
    histories = run["histories"]
    assert len(histories) == 13                          # the 13 models fit
    for name, h in histories.items():
        assert set(h) == {"loss", "mean_absolute_error", "val_loss", "val_mean_absolute_error"}, name
        assert len(h["loss"]) == 2 and all(np.isfinite(h["loss"])), name
        assert h["loss"][1] < h["loss"][0], name          # the second epoch's training loss is lower
    for perf in (run["single_performance"], run["multi_performance"]):
        for name, result in perf.items():
            assert set(result) == {"loss", "mean_absolute_error"} and all(np.isfinite(list(result.values()))), name
    # two epochs of the multi-step Dense already beat repeating the last step (as in TF's run: 0.94 < 1.61)
    assert run["multi_performance"]["Dense"]["loss"] < run["multi_performance"]["Last"]["loss"]


def test_keras_3_s_metrics_names_and_the_dataset_sizes(run):
    assert run["metrics_names"] == ["loss", "compile_metrics"]     # Keras 3.15: .index('mean_absolute_error') fails
    assert run["metrics_names_index"] == "ValueError"
    # 700 training rows, windows of 25: 676 windows in batches of 32; 100 test rows, windows of 48: 53 in 2
    assert run["cardinality"] == {"wide_train": 22, "multi_test": 2}
