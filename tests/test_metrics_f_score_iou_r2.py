"""``metrics/f_score.py``, ``metrics/r2.py``, ``metrics/iou.py``: F1Score, FBetaScore, R2Score and
the IoU family give TF 2.21 / Keras 3.15's numbers. Every expected value below was recorded by
running the same calls under /work/peers/bin/python (keras.metrics) and is written as a literal."""
import warnings

import numpy as np
import pytest

import glassnet
from glassnet import keras

M = keras.metrics
YT = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]], np.float32)
YP = np.array([[0.7, 0.2, 0.1], [0.3, 0.4, 0.3], [0.1, 0.5, 0.4], [0.4, 0.35, 0.25], [0.2, 0.6, 0.2]], np.float32)
SW = np.array([1.0, 0.5, 2.0, 1.0, 0.0], np.float32)

# (average, threshold): (F1Score unweighted, FBetaScore(beta=2) with SW), from TF 2.21
F_SCORES = {
    (None, None): ([1.0, 0.7999999523162842, 0.0], [1.0, 0.5555554628372192, 0.0]),
    (None, 0.35): ([1.0, 0.7999999523162842, 0.9999998211860657], [1.0, 0.5555554628372192, 1.0]),
    ("micro", None): (0.800000011920929, 0.5555555820465088),
    ("micro", 0.35): (0.9090908765792847, 0.9183673858642578),
    ("macro", None): (0.5999999642372131, 0.5185185074806213),
    ("macro", 0.35): (0.9333332180976868, 0.851851761341095),
    ("weighted", None): (0.7200000286102295, 0.5061728358268738),
    ("weighted", 0.35): (0.9200000166893005, 0.9506173133850098),
}


@pytest.mark.parametrize("key", list(F_SCORES), ids=str)
def test_f_scores_match_tf(key):
    average, threshold = key
    f1 = M.F1Score(average=average, threshold=threshold)
    f1.update_state(YT, YP)
    fb = M.FBetaScore(average=average, beta=2.0, threshold=threshold)
    fb.update_state(YT[:2], YP[:2], sample_weight=SW[:2])        # two batches add up as one
    fb.update_state(YT[2:], YP[2:], sample_weight=SW[2:])
    want_f1, want_fb = F_SCORES[key]
    assert f1.result().shape == np.shape(want_f1) and f1.result().dtype == "float32"
    np.testing.assert_allclose(f1.result().numpy(), want_f1, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fb.result().numpy(), want_fb, rtol=1e-6, atol=1e-7)
    f1.reset_state()
    np.testing.assert_array_equal(f1.true_positives, 0)


def test_f_score_arguments_refused_in_kerass_words():
    with pytest.raises(ValueError, match="Expected one of: {None, 'micro', 'macro', 'weighted'}. Received: average=x"):
        M.F1Score(average="x")
    with pytest.raises(ValueError, match="It should be a Python float. Received: beta=1 of type"):
        M.FBetaScore(beta=1)
    with pytest.raises(ValueError, match=r"It should verify 0 < threshold <= 1. Received: threshold=1.5"):
        M.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match=r"FBetaScore expects 2D inputs .* y_pred.shape=\(3,\)"):
        M.F1Score().update_state(np.zeros(3), np.zeros(3))
    assert M.F1Score(average="micro").get_config() == {"name": "f1_score", "dtype": "float32",
                                                       "average": "micro", "threshold": None}


RT = np.array([[1.0, 2.0], [2.0, 0.5], [3.0, 1.0], [4.0, -1.0]], np.float32)
RP = np.array([[1.1, 1.5], [1.9, 0.8], [3.2, 0.7], [3.7, -0.2]], np.float32)


def test_r2_score_matches_tf():
    want = {None: [0.267727255821228, 0.4695495367050171], "uniform_average": 0.36863839626312256,
            "variance_weighted_average": 0.3997642397880554}        # TF 2.21
    for aggregation, expected in want.items():
        m = M.R2Score(class_aggregation=aggregation)
        m.update_state(RT, RP)
        m.update_state(RT[:2] * 2, RP[:2])
        np.testing.assert_allclose(m.result().numpy(), expected, rtol=2e-6)
    m = M.R2Score(num_regressors=1)
    m.update_state(RT, RP, sample_weight=np.array([1, 2, 1, 0.5], np.float32))
    np.testing.assert_allclose(m.result().numpy(), 0.8327510952949524, rtol=2e-6)   # TF 2.21
    m = M.R2Score(num_regressors=5)               # Keras counts entries: n = 8, so still adjusted
    m.update_state(RT, RP)
    np.testing.assert_allclose(m.result().numpy(), 0.5480332970619202, rtol=2e-6)   # TF 2.21
    m = M.R2Score(num_regressors=9)
    m.update_state(RT, RP)
    with pytest.warns(UserWarning, match="More independent predictors than datapoints"):
        m.result()
    with pytest.raises(ValueError, match="R2Score expects 2D inputs"):
        M.R2Score().update_state(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="Received: num_regressors=-1"):
        M.R2Score(num_regressors=-1)


IT = np.array([0, 1, 2, 2, 1, 0, 3])
IP = np.array([0, 2, 2, 1, 1, 0, 0])


def test_iou_family_matches_tf():
    m = M.IoU(num_classes=4, target_class_ids=[0, 2])
    m.update_state(IT, IP)
    np.testing.assert_allclose(m.result().numpy(), 0.5, rtol=1e-6)
    np.testing.assert_array_equal(m.total_cm, [[2, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [1, 0, 0, 0]])
    m = M.IoU(num_classes=4, target_class_ids=[0, 2], ignore_class=3)
    with pytest.warns(UserWarning, match="passing weight as `float`, but dtype is `int`"):
        m.update_state(IT, IP, sample_weight=np.array([1, 1, 2, 1, 1, 0.5, 1.0]))     # 0.5 truncates to 0
    np.testing.assert_allclose(m.result().numpy(), 0.7499999403953552, rtol=1e-6)
    cases = [  # (metric, y_true, y_pred, TF 2.21's result)
        (M.MeanIoU(num_classes=4), IT, IP, 0.3333333432674408),
        (M.MeanIoU(num_classes=4), IT.reshape(1, 7), IP.reshape(1, 7), 0.3333333432674408),
        (M.BinaryIoU(target_class_ids=(0, 1)), [0, 1, 0, 1, 1.0], [0.1, 0.5, 0.4, 0.7, 0.3], 0.6666666865348816),
        (M.BinaryIoU(target_class_ids=[1]), [0, 1, 0, 1, 1.0], [0.1, 0.5, 0.4, 0.7, 0.3], 0.6666666269302368),
        (M.BinaryIoU(threshold=0.4), [0, 1, 0, 1, 1.0], [0.1, 0.5, 0.4, 0.7, 0.3], 0.4166666865348816),
        (M.OneHotIoU(num_classes=3, target_class_ids=[0, 2]), YT, YP, 0.5),
        (M.OneHotMeanIoU(num_classes=3), YT, YP, 0.5555555820465088),
        (M.MeanIoU(num_classes=3, sparse_y_pred=False), np.argmax(YT, -1), YP, 0.5555555820465088),
    ]
    for metric, y, p, want in cases:
        metric.update_state(y, p)
        got = metric.result()
        assert got.dtype == "float32" and got.shape == ()
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-6, err_msg=metric.name)
    assert M.MeanIoU(3).name == "mean_io_u" and M.BinaryIoU().get_config() == {
        "target_class_ids": [0, 1], "threshold": 0.5, "name": "binary_io_u", "dtype": "int64"}
    with pytest.raises(ValueError, match=r"Target class id 5 is out of range, which is \[0, 3\)"):
        M.IoU(num_classes=3, target_class_ids=[5])


def test_in_compile_by_object_and_by_name():
    x = np.random.default_rng(1).normal(size=(40, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[(x[:, 0] > 0).astype(int) + (x[:, 1] > 1)]
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy",
                  metrics=[M.F1Score(average="macro", name="f1_macro"), M.OneHotMeanIoU(num_classes=3), "f1_score"])
    history = model.fit(x, y, epochs=2, verbose=0).history
    assert 0.0 <= history["f1_macro"][-1] <= 1.0 and 0.0 <= history["one_hot_mean_io_u"][-1] <= 1.0
    p = model.predict(x, verbose=0)
    direct = M.F1Score(average="macro")
    direct.update_state(y, p)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["f1_macro"], float(direct.result()), rtol=1e-5)
    assert len(logs["f1_score"]) == 3        # average=None by name: one score per class
    again = M.deserialize(M.serialize(M.FBetaScore(beta=0.5, average="weighted")))
    assert again.beta == 0.5 and again.average == "weighted"
