"""Record what REAL Keras 3 (TF backend) gives for its losses' dtypes; tests/test_loss_dtype_keras3.py
replays every case in glassnet and compares.

    /work/peers/bin/python tools/make_keras_loss_dtypes.py   # writes tests/fixtures/keras_loss_dtypes.json

For each loss class (called as an object, default reduction and ``reduction="none"``) and each
loss function (``tf.keras.losses.mse`` ...: ``keras.losses`` has no ``mse``), and each kind of input (Python lists, NumPy arrays of
float64, float32, float16, integer labels, ``tf.constant`` of float64 or float16), it prints the
result's dtype, shape, value (``repr`` of a float64 copy) and ``str`` (the printed form); then
the loss objects' ``dtype`` argument, and what a compiled model's ``evaluate`` and
``compute_loss`` give for a float32 and a float64 model.
"""
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras_loss_dtypes.json"

# y_true, y_pred of each family, as Python lists (two samples)
DATA = {
    "regression": ([[0.0, 1.0], [2.0, 3.0]], [[0.5, 1.0], [2.0, 2.5]]),
    "binary": ([[1.0], [0.0]], [[0.75], [0.5]]),
    "logits": ([[1.0], [0.0]], [[2.0], [-1.0]]),
    "onehot": ([[0.0, 1.0], [1.0, 0.0]], [[0.25, 0.75], [0.5, 0.5]]),
    "sparse": ([1, 0], [[0.25, 0.75], [0.5, 0.5]]),
    "probs": ([[0.5, 0.5], [0.25, 0.75]], [[0.25, 0.75], [0.5, 0.5]]),
}
CLASSES = [
    ("MeanSquaredError", {}, "regression"), ("MeanAbsoluteError", {}, "regression"),
    ("Huber", {}, "regression"), ("KLDivergence", {}, "probs"),
    ("BinaryCrossentropy", {}, "binary"), ("BinaryCrossentropy", {"from_logits": True}, "logits"),
    ("CategoricalCrossentropy", {}, "onehot"), ("SparseCategoricalCrossentropy", {}, "sparse"),
]
# looked up on tf.keras.losses, which has Keras 2's mse and mae (keras.losses has not), else on keras.losses
FUNCTIONS = [
    ("mse", "regression"), ("mean_squared_error", "regression"), ("mae", "regression"),
    ("huber", "regression"), ("kl_divergence", "probs"), ("binary_crossentropy", "binary"),
    ("categorical_crossentropy", "onehot"), ("sparse_categorical_crossentropy", "sparse"),
]


def inputs(kind, family):
    """``(y_true, y_pred)`` of ``family`` in the form ``kind``."""
    t, p = DATA[family]
    sparse = family == "sparse"
    if kind == "list":
        return t, p
    if kind in ("float64", "float32", "float16"):
        return np.array(t, "int64" if sparse else kind), np.array(p, kind)
    if kind == "int_labels_float64":       # integer labels (0/1, or classes) against float64 predictions
        return np.array(t).astype("int64"), np.array(p, "float64")
    if kind == "float32_labels_float64":
        return np.array(t, "int64" if sparse else "float32"), np.array(p, "float64")
    if kind == "float64_labels_float32":
        return np.array(t, "int64" if sparse else "float64"), np.array(p, "float32")
    if kind == "tf_float64":
        return tf.constant(np.array(t, "int64" if sparse else "float64")), tf.constant(np.array(p, "float64"))
    if kind == "int_lists":                 # integers on both sides (regression only)
        return [[int(v) for v in row] for row in t], [[int(2 * v) for v in row] for row in p]
    if kind == "tf_float16":
        return tf.constant(np.array(t, "int64" if sparse else "float16")), tf.constant(np.array(p, "float16"))
    raise ValueError(kind)


KINDS = ["list", "float64", "float32", "float16", "int_labels_float64", "float32_labels_float64",
         "float64_labels_float32", "tf_float64", "tf_float16"]


def described(x):
    """An input as the fixture keeps it, for the test to build again: a Python list as it is,
    an array or a tensor by its dtype and numbers."""
    if isinstance(x, list):
        return {"form": "list", "value": x}
    form, values = ("numpy", x) if isinstance(x, np.ndarray) else ("tf", x.numpy())
    return {"form": form, "dtype": values.dtype.name, "value": values.tolist()}


def record(fn):
    try:
        out = fn()
    except Exception as e:   # noqa: BLE001 - what Keras refuses is recorded too
        return {"error": type(e).__name__}
    return {"dtype": out.dtype.name, "shape": list(out.shape), "value": np.asarray(out, "float64").tolist(),
            "str": str(out) if out.shape.rank == 0 else None}


def main():
    cases, attributes, models = [], {}, {}
    for name, kwargs, family in CLASSES:
        for reduction in ("sum_over_batch_size", "none"):
            for kind in KINDS:
                t, p = inputs(kind, family)
                got = record(lambda: getattr(keras.losses, name)(reduction=reduction, **kwargs)(t, p))
                cases.append({"form": "class", "name": name, "kwargs": {**kwargs, "reduction": reduction},
                              "kind": kind, "y_true": described(t), "y_pred": described(p), **got})
    for name, family in FUNCTIONS:
        for kind in KINDS + (["int_lists"] if family == "regression" else []):
            t, p = inputs(kind, family)
            fn = getattr(tf.keras.losses, name, None) or getattr(keras.losses, name)
            got = record(lambda: fn(t, p))
            cases.append({"form": "function", "name": name, "kwargs": {}, "kind": kind, "y_true": described(t),
                          "y_pred": described(p), **got})
    for dtype in ("float64", "float16", "mixed_float16", "float32"):
        for name, family in (("MeanSquaredError", "regression"), ("BinaryCrossentropy", "binary")):
            for kind in ("list", "float64", "float32", "tf_float64", "tf_float16"):
                t, p = inputs(kind, family)
                got = record(lambda: getattr(keras.losses, name)(dtype=dtype)(t, p))
                cases.append({"form": "class", "name": name, "kwargs": {"dtype": dtype}, "kind": kind,
                              "y_true": described(t), "y_pred": described(p), **got})
        attributes[dtype] = str(keras.losses.MeanSquaredError(dtype=dtype).dtype)
    attributes["None"] = str(keras.losses.MeanSquaredError().dtype)
    # evaluate's number and compute_loss's tensor, of exact numbers and of inexact ones
    for which, x, y in (("exact", [[1.0, 2.0], [3.0, -1.0], [0.5, 0.25]], [[1.0], [0.0], [2.0]]),
                        ("inexact", [[0.1, 0.2], [0.3, -0.7], [0.55, 0.25]], [[0.3], [0.1], [2.0]])):
        x, y = np.array(x, "float64"), np.array(y, "float64")
        for model_dtype in ("float32", "float64"):
            model = keras.Sequential([keras.Input((2,), dtype=model_dtype),
                                      keras.layers.Dense(1, kernel_initializer="ones", dtype=model_dtype)])
            model.compile(optimizer="sgd", loss="mse")
            value = model.evaluate(x, y, verbose=0)
            loss = model.compute_loss(x=x, y=y, y_pred=model(x))
            models[f"{which} {model_dtype}"] = {"x": x.tolist(), "y": y.tolist(), "evaluate": [type(value).__name__, value],
                                                "compute_loss": [loss.dtype.name, str(loss), float(loss)]}
    head = {"versions": {"keras": keras.__version__, "tensorflow": tf.__version__},
            "dtype_attribute": attributes, "models": models}
    lines = [f"{json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]      # one case a line
    OUT.write_text("{\n" + "\n".join(lines) + '\n"cases": [\n' + ",\n".join(json.dumps(c) for c in cases) + "\n]}\n")
    print(f"wrote {OUT}: {len(cases)} cases")


if __name__ == "__main__":
    main()
