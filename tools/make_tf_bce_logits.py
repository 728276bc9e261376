"""Record REAL TensorFlow's sigmoid cross-entropy from logits on a grid of logits and labels;
tests/test_bce_logits_order.py checks glassnet's readable loss, fused step and compiled epoch against it.

    /work/peers/bin/python tools/make_tf_bce_logits.py      # writes tests/fixtures/tf_bce_logits.json

TensorFlow computes ``max(z, 0) - z y + log1p(exp(-|z|))``, the log term added last, so a
confident logit keeps its small loss (z = 20, y = 1: 2.06e-9). Recorded, for float32 and float64:
``tf.nn.sigmoid_cross_entropy_with_logits`` on each (z, y) of the grid; Keras's
``BinaryCrossentropy(from_logits=True, reduction="none")`` on the grid as (n, 1) columns; the same
loss from probabilities on ``sigmoid(z)`` inside a ``tf.function`` (Keras takes the sigmoid's
input back as logits there, as in fit); and each row's mean over its four labels. Each number
as ``float.hex`` of its float64 value (exact for both types); the grid's rows are z, its columns y.
"""
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "tf_bce_logits.json"

Z = [-100.0, -30.0, -20.0, -17.0, -10.0, -5.0, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 2.5, 5.0, 10.0,
     15.0, 17.0, 20.0, 25.0, 30.0, 50.0, 100.0]
Y = [0.0, 0.25, 0.5, 1.0]


def hexes(values):
    return [float(v).hex() for v in np.asarray(values, "float64").ravel()]


def main():
    table = {"versions": {"tensorflow": tf.__version__, "keras": keras.__version__}, "z": Z, "y": Y}
    zz, yy = np.meshgrid(np.array(Z), np.array(Y), indexing="ij")          # (len(Z), len(Y))
    for name in ("float32", "float64"):
        z, y = zz.astype(name), yy.astype(name)
        nn = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z).numpy()
        logits = keras.losses.BinaryCrossentropy(from_logits=True, reduction="none", dtype=name)
        col = logits(y.reshape(-1, 1), z.reshape(-1, 1))

        @tf.function
        def through_sigmoid(y_, z_):
            return keras.losses.BinaryCrossentropy(reduction="none", dtype=name)(y_, tf.sigmoid(z_))
        fused = through_sigmoid(tf.constant(y.reshape(-1, 1)), tf.constant(z.reshape(-1, 1)))
        wide = logits(y, z)                                   # the mean over the 4 labels of a row
        assert {nn.dtype.name, col.dtype.name, fused.dtype.name, wide.dtype.name} == {name}, (name, col.dtype)
        table[name] = {"nn": hexes(nn), "keras": hexes(col), "through_sigmoid": hexes(fused), "row_means": hexes(wide)}
    OUT.write_text(json.dumps(table, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
