"""Metrics beyond accuracy: the cross-entropies, RMSE, MAPE, precision and recall, each
against its formula written out, inside fit and evaluate, and in model files."""
import math

import numpy as np
import pytest

import glassnet
from glassnet import keras, metrics

RNG = np.random.default_rng(0)
Y = (RNG.random((20, 1)) > 0.5).astype(np.float32)
P = RNG.random((20, 1)).astype(np.float32)
Z = RNG.normal(size=(20, 1)).astype(np.float32) * 3


def test_binary_crossentropy_from_probabilities_and_from_logits():
    p = np.clip(P.astype(np.float64), 1e-7, 1 - 1e-7)
    want = np.mean(-(Y * np.log(p) + (1 - Y) * np.log(1 - p)))
    assert metrics.BinaryCrossentropy()(Y, P) == pytest.approx(want, rel=1e-5)
    want_logits = np.mean(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z))))
    m = keras.metrics.BinaryCrossentropy(from_logits=True, name="binary_crossentropy")
    assert m(Y, Z) == pytest.approx(want_logits, rel=1e-5)


def test_categorical_cross_entropies():
    z = RNG.normal(size=(8, 4)).astype(np.float32)
    labels = RNG.integers(0, 4, 8)
    log_softmax = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    want = -np.mean(log_softmax[np.arange(8), labels])
    assert metrics.SparseCategoricalCrossentropy(from_logits=True)(labels, z) == pytest.approx(want, rel=1e-5)
    assert metrics.CategoricalCrossentropy(from_logits=True)(np.eye(4)[labels], z) == pytest.approx(want, rel=1e-5)
    probabilities = np.exp(log_softmax)
    assert metrics.SparseCategoricalCrossentropy()(labels, probabilities) == pytest.approx(want, rel=1e-4)


def test_rmse_is_the_root_of_the_mean_over_every_batch():
    m = metrics.RootMeanSquaredError()
    m.update_state(np.array([[1.0], [2.0]]), np.array([[1.0], [4.0]]))      # squares 0, 4
    m.update_state(np.array([[0.0]]), np.array([[3.0]]))                    # square 9
    assert m.result() == pytest.approx(math.sqrt(13 / 3))


def test_mape():
    got = metrics.MeanAbsolutePercentageError()(np.array([[2.0], [4.0]]), np.array([[1.0], [5.0]]))
    assert got == pytest.approx((50 + 25) / 2)


def test_precision_and_recall_counts_written_out():
    y = np.array([1, 1, 1, 0, 0, 0, 1, 0], np.float32)
    p = np.array([0.9, 0.6, 0.2, 0.7, 0.1, 0.4, 0.51, 0.5], np.float32)    # 0.5 itself is negative
    tp, fp, fn = 3, 1, 1
    assert metrics.Precision()(y, p) == pytest.approx(tp / (tp + fp))
    assert metrics.Recall()(y, p) == pytest.approx(tp / (tp + fn))
    assert metrics.Precision(thresholds=[0.3, 0.8])(y, p) == pytest.approx([3 / 6, 1.0])
    assert metrics.Recall(thresholds=0.95)(y, p) == 0.0                       # nothing above: 0, not NaN
    two = np.stack([p, 1 - p], axis=1)
    assert metrics.Precision(class_id=0)(np.stack([y, 1 - y], axis=1), two) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="thresholds must be numbers in"):
        metrics.Precision(thresholds=1.5)
    with pytest.raises(ValueError, match="top_k is not supported"):
        metrics.Recall(top_k=2)


def test_the_overfit_tutorials_compile_line_trains_and_logs_its_names():
    """TensorFlow's "Overfit and underfit": logits out, a named BCE metric beside accuracy,
    early stopping on the validation copy of that metric."""
    x = RNG.normal(size=(64, 5)).astype(np.float32)
    y = (x[:, 0] - x[:, 1] > 0).astype(np.float32)
    model = keras.Sequential([keras.layers.Dense(8, activation="elu", input_shape=(5,)),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryCrossentropy(from_logits=True, name="binary_crossentropy"),
                           "accuracy", keras.metrics.Precision(), keras.metrics.Recall(name="rec")])
    stop = keras.callbacks.EarlyStopping(monitor="val_binary_crossentropy", patience=3)
    history = model.fit(x, y, validation_split=0.25, epochs=5, verbose=0, callbacks=[stop])
    assert set(history.history) == {"accuracy", "binary_crossentropy", "loss", "precision", "rec",
                                    "val_accuracy", "val_binary_crossentropy", "val_loss", "val_precision",
                                    "val_rec"}
    # the metric and the loss are the same function of the same outputs
    np.testing.assert_allclose(history.history["val_binary_crossentropy"], history.history["val_loss"], rtol=1e-5)
    results = model.evaluate(x, y, verbose=0, return_dict=True)
    logits = model.predict(x, verbose=0)
    assert results["precision"] == pytest.approx(metrics.Precision()(y, logits))


def test_new_metrics_resolve_by_name_and_save_in_model_files(tmp_path):
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy",
                  metrics=["precision", "mape", metrics.Recall(thresholds=0.3, name="r30"),
                           metrics.BinaryCrossentropy(label_smoothing=0.1)])
    x = RNG.normal(size=(10, 3)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    before = model.evaluate(x, y, verbose=0, return_dict=True)
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert again.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(before)


AUC_FIXTURE = __import__("json").loads(
    (__import__("pathlib").Path(__file__).parent / "fixtures" / "keras_auc.json").read_text())


@pytest.mark.parametrize("case", AUC_FIXTURE["cases"], ids=lambda c: str(c["config"]))
def test_auc_is_kerass(case):
    """Against real Keras (tools/make_keras_auc.py): two batches in turn, and weighted."""
    y, p, w = (np.array(case[k], np.float32) for k in ("y", "p", "w"))
    m = keras.metrics.AUC(**case["config"])
    m.update_state(y[:25], p[:25])
    m.update_state(y[25:], p[25:])
    assert m.result() == pytest.approx(case["auc"], rel=1e-5, abs=1e-6)
    weighted = keras.metrics.AUC(**case["config"])
    weighted.update_state(y, p, sample_weight=w)
    assert weighted.result() == pytest.approx(case["weighted"], rel=1e-5, abs=1e-6)


def test_auc_as_a_compiled_metric_and_its_errors(tmp_path):
    x = RNG.normal(size=(40, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=[keras.metrics.AUC(curve="PR", name="pr_auc"), "auc"])
    history = model.fit(x, y, epochs=2, verbose=0, validation_split=0.25)
    assert {"auc", "val_auc", "pr_auc", "val_pr_auc"} <= set(history.history)
    assert 0.0 <= history.history["auc"][-1] <= 1.0
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert again.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
    for kwargs, message in (({"curve": "ROCK"}, "curve must be"), ({"num_thresholds": 1}, "num_thresholds"),
                            ({"multi_label": True}, "multi_label"), ({"summation_method": "x"}, "summation")):
        with pytest.raises(ValueError, match=message):
            keras.metrics.AUC(**kwargs)


CALLS = __import__("json").loads(
    (__import__("pathlib").Path(__file__).parent / "fixtures" / "keras_metric_calls.json").read_text())


def _fixture_array(values):
    arr = np.array(values)
    return arr.astype(np.float32) if arr.dtype.kind == "f" else arr


@pytest.mark.parametrize("case", CALLS["cases"], ids=lambda c: f"{c['class_name']}-{c['kind']}-{c['config']}")
def test_metrics_used_directly_are_kerass(case):
    """Against real Keras 3 (tools/make_keras_metric_calls.py): batches of 5, 3 and 1 samples
    with update_state, then weighted, then metric(y, p); result() after every call is a float32
    Tensor with Keras's number, and a call Keras refuses is refused (a ValueError) without
    changing the counts."""
    m = getattr(keras.metrics, case["class_name"])(**case["config"])
    for step, call in enumerate(case["calls"]):
        if call["op"] == "reset_state":
            m.reset_state()
            continue
        args = [_fixture_array(call["p"])] if call["y"] is None else [_fixture_array(call["y"]),
                                                                      _fixture_array(call["p"])]
        kwargs = {} if call["w"] is None else {"sample_weight": _fixture_array(call["w"])}
        if "error" in call:
            before = np.asarray(m.result()).copy()
            with pytest.raises(ValueError, match="sample_weight"):
                m.update_state(*args, **kwargs)
            np.testing.assert_array_equal(m.result(), before)
            continue
        if call["op"] == "update_state":
            assert m.update_state(*args, **kwargs) is None
        else:
            returned = m(*args, **kwargs)
            assert isinstance(returned, glassnet.Tensor) and returned.dtype == np.float32
            np.testing.assert_allclose(returned.numpy(), call["returned"], rtol=2e-5, atol=1e-6,
                                       err_msg=f"call {step}")
        result = m.result()
        assert isinstance(result, glassnet.Tensor) and result.dtype == np.float32, type(result)
        np.testing.assert_allclose(result.numpy(), call["result"], rtol=2e-5, atol=1e-6, err_msg=f"call {step}")


def test_the_walkthroughs_test_accuracy_counts_samples_not_batches():
    """TensorFlow's custom training walkthrough: Accuracy()(predicted ids, labels) per batch of
    10, the last batch shorter. 5 right of the first 10 and 5 of 5 more is 10/15, where the mean
    of the batch means would say (0.5 + 1) / 2."""
    acc = keras.metrics.Accuracy()
    labels = np.array([0, 1, 2] * 5)
    predicted = labels.copy()
    predicted[[0, 2, 4, 6, 8]] = 9
    acc(glassnet.constant(predicted[:10], dtype=glassnet.int64), labels[:10])
    running = acc(predicted[10:], labels[10:])
    assert float(running) == pytest.approx(10 / 15) and f"{acc.result():.3%}" == "66.667%"
    epoch = keras.metrics.SparseCategoricalAccuracy()
    epoch.update_state(np.array([0, 1]), glassnet.constant([[0.9, 0.1], [0.8, 0.2]]))
    epoch.update_state(np.array([1]), np.array([[0.1, 0.9]]))
    assert epoch.result().numpy() == np.float32(2 / 3) and epoch.result().shape == ()
    epoch.reset_state()
    assert float(epoch.result()) == 0.0
    epoch.update_state([0], [[0.3, 0.7]])
    epoch.reset_states()                                # TensorFlow 2's name
    assert float(epoch.result()) == 0.0


def test_mean_counts_samples_and_weights_as_keras():
    m = keras.metrics.Mean()
    assert float(m(3.0)) == 3.0                         # a number: one sample
    assert float(m([1.0, 2.0], sample_weight=2.0)) == pytest.approx(2.0)   # (3 + 1.5 * 2) / (1 + 2)
    m.update_state(glassnet.Variable([[4.0, 6.0]]))     # one sample of two values: their mean
    assert float(m.result()) == pytest.approx((3 + 3 + 5) / 4)
    with pytest.raises(ValueError, match="negative weight"):
        m.update_state([1.0], sample_weight=[-1.0])
    with pytest.raises(TypeError, match="values must hold numbers"):
        m.update_state(["a"])
    assert float(m.result()) == pytest.approx((3 + 3 + 5) / 4)   # refused calls changed nothing


def test_merge_state_adds_the_counts():
    a, b = metrics.Accuracy(), metrics.Accuracy()
    a.update_state([1, 2], [1, 0])
    b.update_state([1, 2, 3], [1, 2, 3])
    a.merge_state([b])
    assert float(a.result()) == pytest.approx(4 / 5)
    p, q = metrics.Precision(), metrics.Precision()
    p.update_state([1, 0], [0.9, 0.8])
    q.update_state([1], [0.7])
    p.merge_state([q])
    assert float(p.result()) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="merge_state takes metrics of class Accuracy"):
        a.merge_state([metrics.Mean()])


def test_compiled_metrics_log_python_numbers_and_direct_ones_tensors():
    """fit's logs (History) hold Python floats, as Keras's; the same class used directly gives
    a Tensor, and a metric handed to compile is the one fit updates."""
    x = RNG.normal(size=(12, 2)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    mine = keras.metrics.BinaryAccuracy(name="acc")
    model = glassnet.Sequential([glassnet.Input(shape=(2,)), glassnet.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[mine, "mse"])
    history = model.fit(x, y, epochs=1, batch_size=5, verbose=0)
    assert all(type(v[0]) is float for v in history.history.values()), history.history
    assert type(model.evaluate(x, y, verbose=0)[1]) is float
    direct = keras.metrics.BinaryAccuracy()
    direct.update_state(y, model.predict(x, verbose=0))
    assert isinstance(direct.result(), glassnet.Tensor)
    assert float(direct.result()) == pytest.approx(mine.result())


def test_confusion_metrics_check_their_weights():
    m = metrics.Precision()
    m.update_state([[1, 0], [0, 1]], [[0.9, 0.8], [0.2, 0.7]], sample_weight=[[1.0, 0.0], [1.0, 1.0]])
    assert float(m.result()) == pytest.approx(1.0)       # the false positive at [0, 1] weighs 0
    for bad, message in (([1.0, 2.0, 3.0], "one weight per sample"), ([1.0, np.nan], "contains nan"),
                         ([-1.0, 1.0], "negative weight")):
        with pytest.raises(ValueError, match=message):
            m.update_state([[1, 0], [0, 1]], [[0.9, 0.8], [0.2, 0.7]], sample_weight=bad)
    assert float(m.result()) == pytest.approx(1.0)


def test_direct_use_keeps_kerass_float32_sums():
    """Keras keeps a metric's total and count as float32 variables: four float32 losses
    averaged print Keras's last digit (TF 2.21: tf.Tensor(0.85289836, ...))."""
    m = keras.metrics.Mean()
    for v in (1.0362945, 1.0260001, 1.0159991, 0.3333):
        m.update_state(glassnet.constant(v))
    assert str(m.result()) == "tf.Tensor(0.85289836, shape=(), dtype=float32)"
    wide = keras.metrics.Mean(dtype="float64")                 # Keras: the metric's dtype, float64 here
    wide([1.0, 2.0])
    assert repr(wide.result()) == "<tf.Tensor: shape=(), dtype=float64, numpy=1.5>"


def test_the_imbalanced_data_tutorials_metrics_compile_log_and_save(tmp_path):
    """TensorFlow's "Classification on imbalanced data" compiles the four counts beside the
    rest; fit logs them (counts over the epoch), evaluate agrees with the metrics used directly."""
    x = RNG.normal(size=(40, 3)).astype(np.float32)
    y = (x[:, :1] > 0.5).astype(np.float32)
    listed = [keras.metrics.BinaryCrossentropy(name="cross entropy"), keras.metrics.MeanSquaredError(name="Brier score"),
              keras.metrics.TruePositives(name="tp"), keras.metrics.FalsePositives(name="fp"),
              keras.metrics.TrueNegatives(name="tn"), keras.metrics.FalseNegatives(name="fn"),
              keras.metrics.BinaryAccuracy(name="accuracy"), keras.metrics.Precision(name="precision"),
              keras.metrics.Recall(name="recall"), keras.metrics.AUC(name="auc"),
              keras.metrics.AUC(name="prc", curve="PR")]
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=listed)
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    counts = [history.history[k][-1] for k in ("tp", "fp", "tn", "fn")]
    assert sum(counts) == 40 and all(type(c) is float for c in counts)
    results = model.evaluate(x, y, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    assert results["tp"] == float(metrics.TruePositives()(y, p)) == float(np.sum((p > 0.5) & (y == 1)))
    assert results["tn"] == float(metrics.TrueNegatives()(y, p))
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert again.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(results)
    top = metrics.SparseTopKCategoricalAccuracy(k=2)
    assert float(top([2, 0], [[0.1, 0.5, 0.5], [0.2, 0.3, 0.5]])) == 0.5    # a tie at the edge counts as in
    with pytest.raises(ValueError, match="k must be a positive integer"):
        metrics.TopKCategoricalAccuracy(k=0)
    assert float(metrics.Sum()([1.0, 2.0], sample_weight=[2.0, 0.5])) == 3.0


def test_a_metric_of_your_own_as_kerass_guide_writes_it():
    """Keras's guide's BinaryTruePositives: add_weight in __init__ (before which nothing calls
    the subclass's reset_state), TensorFlow ops in update_state, dtype float32 (TF 2.21: 1.0, 3.0)."""
    tf = glassnet

    class BinaryTruePositives(keras.metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_weight(name="tp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            values = tf.logical_and(tf.equal(tf.cast(y_true, tf.bool), True), tf.equal(tf.cast(y_pred, tf.bool), True))
            self.true_positives.assign_add(tf.reduce_sum(tf.cast(values, self.dtype)))

        def result(self):
            return self.true_positives

        def reset_state(self):
            self.true_positives.assign(0)

    m = BinaryTruePositives()
    m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
    assert float(m.result()) == 1.0
    m.update_state([1, 1, 1, 1], [0, 1, 1, 0])
    assert float(m.result()) == 3.0 and m.dtype == "float32"
    assert repr(m.result()) == ("<Variable path=binary_true_positives/tp, shape=(), dtype=float32, value=3.0>")
    m.reset_state()
    assert float(m.result()) == 0.0 and repr(m) == "<BinaryTruePositives name=binary_true_positives>"
