"""Record what real Keras's merge layers compute, for tests/test_merging.py.

Run with a Python that has TensorFlow (the tests need none):

    TF_CPP_MIN_LOG_LEVEL=3 python tools/make_keras_merging.py

Writes ``tests/fixtures/keras_merging.npz``, in float64: ``cases`` (a JSON text: per case its
name, the layer's class, its arguments and Keras's ``get_config()`` less the name), and per
case ``<name>/x0``, ``<name>/x1``, ... (the inputs), ``<name>/g`` (an upstream gradient),
``<name>/y`` (Keras's output) and ``<name>/dx0``, ``<name>/dx1``, ... (the gradients of
``sum(y * g)`` with respect to each input, from ``tf.GradientTape``).

Maximum and Minimum get inputs with many ties (values drawn from {-1, 0, 1}), so the fixture
pins where TensorFlow sends the gradient of a tie; one Dot case has an all-zero sample, so
it pins the gradient where ``normalize`` clamps the norm at epsilon.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras_merging.npz"

# name, class, arguments, input shapes (batch first), inputs drawn from {-1, 0, 1} (ties)
CASES = [
    ("add_2", "Add", {}, [(4, 3), (4, 3)], False),
    ("add_3_broadcast", "Add", {}, [(4, 3), (4, 1), (4, 2, 3)], False),
    ("subtract", "Subtract", {}, [(4, 3), (4, 3)], False),
    ("subtract_broadcast", "Subtract", {}, [(4, 2, 3), (4, 1, 3)], False),
    ("multiply_3_broadcast", "Multiply", {}, [(4, 3), (4, 1), (4, 2, 3)], False),
    ("average_3", "Average", {}, [(4, 3), (4, 3), (4, 3)], False),
    ("average_broadcast", "Average", {}, [(4, 2, 3), (4, 3)], False),
    ("maximum_2", "Maximum", {}, [(5, 4), (5, 4)], False),
    ("maximum_3_ties", "Maximum", {}, [(6, 5), (6, 5), (6, 5)], True),
    ("maximum_broadcast_ties", "Maximum", {}, [(6, 5), (6, 1)], True),
    ("minimum_3_ties", "Minimum", {}, [(6, 5), (6, 5), (6, 5)], True),
    ("minimum_2", "Minimum", {}, [(5, 4), (5, 4)], False),
    ("concatenate", "Concatenate", {}, [(4, 3), (4, 2)], False),
    ("concatenate_axis1_3", "Concatenate", {"axis": 1}, [(4, 2, 5), (4, 1, 5), (4, 3, 5)], False),
    ("dot_axes1", "Dot", {"axes": 1}, [(4, 3), (4, 3)], False),
    ("dot_axes1_3d", "Dot", {"axes": 1}, [(4, 3, 5), (4, 3, 2)], False),
    ("dot_axes12_3d", "Dot", {"axes": [1, 2]}, [(4, 3, 5), (4, 2, 3)], False),
    ("dot_axes_minus1_mixed", "Dot", {"axes": -1}, [(4, 3), (4, 2, 3)], False),
    ("dot_normalize", "Dot", {"axes": 1, "normalize": True}, [(4, 3), (4, 3)], False),
    ("dot_normalize_12_3d", "Dot", {"axes": [1, 2], "normalize": True}, [(4, 3, 5), (4, 2, 3)], False),
    ("dot_normalize_zero_sample", "Dot", {"axes": -1, "normalize": True}, [(3, 4), (3, 4)], False),
]


def main():
    keras.config.set_floatx("float64")
    rng = np.random.default_rng(24)
    arrays, meta = {}, []
    for name, cls, kwargs, shapes, ties in CASES:
        xs = [rng.integers(-1, 2, size=s).astype(np.float64) if ties else rng.normal(size=s) for s in shapes]
        if name == "dot_normalize_zero_sample":
            xs[0][1] = 0.0                          # a sample whose norm is below epsilon
        layer = getattr(keras.layers, cls)(**kwargs)
        tensors = [tf.constant(x) for x in xs]
        with tf.GradientTape() as tape:
            tape.watch(tensors)
            y = layer(tensors)
            g = rng.normal(size=tuple(y.shape))
            total = tf.reduce_sum(y * g)
        dxs = tape.gradient(total, tensors)
        for i, (x, dx) in enumerate(zip(xs, dxs)):
            arrays[f"{name}/x{i}"] = x
            arrays[f"{name}/dx{i}"] = np.asarray(dx)
        arrays[f"{name}/g"] = g
        arrays[f"{name}/y"] = np.asarray(y)
        config = {k: v for k, v in layer.get_config().items() if k != "name"}
        meta.append({"name": name, "class": cls, "kwargs": kwargs, "n": len(xs),
                     "config": json.loads(json.dumps(config))})
    arrays["cases"] = np.array(json.dumps(meta))
    arrays["versions"] = np.array(json.dumps({"tensorflow": tf.__version__, "keras": keras.__version__}))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({len(meta)} cases, TensorFlow {tf.__version__}, Keras {keras.__version__})")


if __name__ == "__main__":
    main()
