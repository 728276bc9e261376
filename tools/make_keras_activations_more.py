"""Print Keras 3.15's values of the activations added in glassnet/activations_more.py, on one
grid of float32 inputs, for tests/test_activations_keras3_more.py to paste as fixtures.

Run under the peers' interpreter (real TensorFlow 2.21 / Keras 3.15)::

    /work/peers/bin/python tools/make_keras_activations_more.py
"""
import numpy as np
import keras

GRID = np.array([-100.0, -10.0, -3.0, -1.5, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5, 3.0, 10.0, 100.0],
                dtype="float32")
CALLS = {
    "relu6": {}, "mish": {}, "hard_silu": {}, "hard_swish": {}, "log_sigmoid": {}, "celu": {},
    "hard_tanh": {}, "soft_shrink": {}, "hard_shrink": {}, "tanh_shrink": {}, "squareplus": {},
    "sparse_plus": {}, "sparse_sigmoid": {},
    "celu(alpha=2.0)": {"alpha": 2.0}, "soft_shrink(threshold=1.0)": {"threshold": 1.0},
    "hard_shrink(threshold=1.0)": {"threshold": 1.0}, "squareplus(b=1.0)": {"b": 1.0},
    "threshold(threshold=0.5, default_value=-1.0)": {"threshold": 0.5, "default_value": -1.0},
}

# The gradient of sum(f(x)) on points away from every kink (0, +-0.5, +-1, +-3, 6).
SMOOTH = np.array([-10.0, -2.5, -0.7, -0.3, 0.3, 0.7, 2.5, 10.0], dtype="float32")


def gradients():
    import tensorflow as tf
    print("SMOOTH =", SMOOTH.tolist())
    for label, kwargs in CALLS.items():
        fn = getattr(keras.activations, label.split("(")[0])
        x = tf.Variable(SMOOTH)
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(fn(x, **kwargs))
        print(f"    {label!r}: {[float(v) for v in tape.gradient(y, x).numpy()]},")


if __name__ == "__main__":
    print("GRID =", GRID.tolist())
    for label, kwargs in CALLS.items():
        fn = getattr(keras.activations, label.split("(")[0])
        out = keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(GRID), **kwargs))
        assert out.dtype == np.float32, (label, out.dtype)
        print(f"    {label!r}: {[float(v) for v in out]},")
    gradients()
