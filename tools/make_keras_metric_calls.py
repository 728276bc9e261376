"""Record REAL Keras's metrics used directly, as custom training loops use them;
tests/test_metrics.py replays every call in glassnet and compares.

    TF_CPP_MIN_LOG_LEVEL=3 python tools/make_keras_metric_calls.py   # writes tests/fixtures/keras_metric_calls.json

Each case makes one metric and makes a few calls on it in turn: ``update_state`` on batches of
uneven sizes (5, then 3, then 1), with and without ``sample_weight``, ``metric(y, p)`` (whose
return is recorded too), ``reset_state()`` in between; after every call ``result()`` is recorded.
The inputs come from a seeded NumPy generator and are written beside the numbers.
"""
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras_metric_calls.json"
SIZES = (5, 3, 1)


def labels_and_predictions(kind, rng, n):
    """``y`` and ``p`` of one batch of ``n`` samples, for the metrics of ``kind``."""
    if kind == "binary":                    # (n, 1) probabilities and 0/1 labels
        return (rng.random((n, 1)) > 0.5).astype("float32"), rng.random((n, 1)).astype("float32")
    if kind == "binary_flat":               # (n,): the labels and predictions of one output, flat
        return (rng.random(n) > 0.5).astype("float32"), rng.random(n).astype("float32")
    if kind == "binary_wide":               # (n, 3): three sigmoid outputs per sample
        return (rng.random((n, 3)) > 0.5).astype("float32"), rng.random((n, 3)).astype("float32")
    if kind == "logits":
        return (rng.random((n, 1)) > 0.5).astype("float32"), rng.normal(size=(n, 1)).astype("float32") * 2
    if kind == "onehot":
        p = rng.random((n, 3)).astype("float32")
        return np.eye(3, dtype="float32")[rng.integers(0, 3, n)], p / p.sum(1, keepdims=True)
    if kind == "sparse":                    # (n,) integer labels, (n, 3) probabilities
        p = rng.random((n, 3)).astype("float32")
        return rng.integers(0, 3, n).astype("int32"), p / p.sum(1, keepdims=True)
    if kind == "sparse_column":             # (n, 1) labels
        p = rng.random((n, 3)).astype("float32")
        return rng.integers(0, 3, (n, 1)).astype("int32"), p / p.sum(1, keepdims=True)
    if kind == "sparse_logits":
        return rng.integers(0, 3, n).astype("int32"), rng.normal(size=(n, 3)).astype("float32")
    if kind == "classes":                   # the walkthrough's Accuracy: predicted and true class ids
        return rng.integers(0, 3, n).astype("int64"), rng.integers(0, 3, n).astype("int64")
    if kind == "classes_column":
        return rng.integers(0, 3, (n, 1)).astype("int64"), rng.integers(0, 3, (n, 1)).astype("int64")
    if kind == "regression":
        return rng.normal(size=(n, 2)).astype("float32"), rng.normal(size=(n, 2)).astype("float32")
    if kind == "regression_flat":
        return rng.normal(size=n).astype("float32"), rng.normal(size=n).astype("float32")
    if kind == "regression_column":
        return rng.normal(size=(n, 1)).astype("float32"), rng.normal(size=(n, 1)).astype("float32")
    if kind == "values":                    # Mean: the values alone (y is unused)
        return None, rng.normal(size=n).astype("float32")
    if kind == "values_wide":
        return None, rng.normal(size=(n, 2)).astype("float32")
    raise ValueError(kind)


CASES = [
    ("Accuracy", {}, "classes"), ("Accuracy", {}, "classes_column"),
    ("BinaryAccuracy", {}, "binary"), ("BinaryAccuracy", {}, "binary_flat"),
    ("BinaryAccuracy", {"threshold": 0.3}, "binary_wide"),
    ("CategoricalAccuracy", {}, "onehot"),
    ("SparseCategoricalAccuracy", {}, "sparse"), ("SparseCategoricalAccuracy", {}, "sparse_column"),
    ("SparseCategoricalAccuracy", {}, "sparse_logits"),
    ("Mean", {}, "values"), ("Mean", {}, "values_wide"),
    ("MeanSquaredError", {}, "regression"), ("MeanSquaredError", {}, "regression_flat"),
    ("MeanSquaredError", {}, "regression_column"),
    ("MeanAbsoluteError", {}, "regression"), ("MeanAbsoluteError", {}, "regression_flat"),
    ("RootMeanSquaredError", {}, "regression"), ("RootMeanSquaredError", {}, "regression_flat"),
    ("MeanAbsolutePercentageError", {}, "regression"), ("MeanAbsolutePercentageError", {}, "regression_flat"),
    ("BinaryCrossentropy", {}, "binary"), ("BinaryCrossentropy", {}, "binary_flat"),
    ("BinaryCrossentropy", {"from_logits": True}, "logits"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("Precision", {}, "binary"), ("Precision", {}, "binary_flat"), ("Recall", {}, "binary_wide"),
    ("Precision", {"thresholds": [0.3, 0.7]}, "binary"), ("Recall", {"class_id": 1}, "binary_wide"),
    ("AUC", {}, "binary"), ("AUC", {"num_thresholds": 5}, "binary_flat"),
    ("TruePositives", {}, "binary"), ("FalsePositives", {"thresholds": [0.3, 0.7]}, "binary_wide"),
    ("TrueNegatives", {}, "binary_flat"), ("FalseNegatives", {}, "binary"),
    ("Sum", {}, "values"), ("Sum", {}, "values_wide"),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot"), ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("SparseTopKCategoricalAccuracy", {"k": 1}, "sparse_column"),
]


def plain(value):
    return value.tolist() if value is not None else None


def main():
    rng = np.random.default_rng(7)
    cases = []
    for class_name, config, kind in CASES:
        metric = getattr(keras.metrics, class_name)(**config)
        calls = []

        def record(op, y, p, w=None):
            args = (p,) if y is None else (y, p)
            kwargs = {} if w is None else {"sample_weight": w}
            try:
                if op == "update_state":
                    metric.update_state(*args, **kwargs)
                    returned = None
                else:
                    returned = np.asarray(metric(*args, **kwargs)).tolist()
            except Exception as e:                  # noqa: BLE001 - Keras refuses it: recorded as refused
                calls.append({"op": op, "y": plain(y), "p": plain(p), "w": plain(w), "error": type(e).__name__})
                return
            result = metric.result()
            calls.append({"op": op, "y": plain(y), "p": plain(p), "w": plain(w), "returned": returned,
                          "result": np.asarray(result).tolist(), "dtype": str(result.dtype)})

        for n in SIZES:                                         # uneven batches
            record("update_state", *labels_and_predictions(kind, rng, n))
        metric.reset_state()
        calls.append({"op": "reset_state"})
        for n in SIZES:                                         # weighted, one weight per sample
            y, p = labels_and_predictions(kind, rng, n)
            record("update_state", y, p, rng.random(n).astype("float32").round(2))
        metric.reset_state()
        calls.append({"op": "reset_state"})
        for n in SIZES:                                         # metric(y, p): the running result
            record("__call__", *labels_and_predictions(kind, rng, n))
        cases.append({"class_name": class_name, "config": config, "kind": kind, "calls": calls})
    OUT.write_text(json.dumps({"keras_version": keras.__version__, "cases": cases}) + "\n")
    print("wrote", OUT, len(cases))


if __name__ == "__main__":
    main()
