"""Keras's weight constraints on the transposed, depthwise and separable convolutions, for
tests/test_conv_constraints.py.

    PYTHONPATH=src /work/peers/bin/python tools/make_keras_conv_constraints.py   # Keras 3 (TensorFlow backend)

For each case in CASES: ``Input -> <layer>(constraints...) -> Flatten -> Dense(1)``, SGD(0.05), mse;
the start weights, then 2 epochs of fit (batch 8, no shuffling): the losses and end weights (each
constrained weight is projected after every step). Keras's trained model of each case goes to
tests/fixtures/keras_conv_constraints/<case>.keras. Written to tests/fixtures/keras_conv_constraints.npz.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures")
OUT = os.path.join(FIXTURES, "keras_conv_constraints.npz")

# name: (class, positional arguments, constraints by argument as (class name, kwargs), input shape)
CASES = {
    "conv2d_transpose": ("Conv2DTranspose", (3, 3), {"kernel_constraint": ("MaxNorm", {"max_value": 0.5}),
                                                     "bias_constraint": ("NonNeg", {})}, (5, 5, 2)),
    "conv1d_transpose": ("Conv1DTranspose", (2, 3), {"kernel_constraint": ("NonNeg", {})}, (6, 3)),
    "conv3d_transpose": ("Conv3DTranspose", (2, (2, 3, 2)), {"kernel_constraint": ("MaxNorm", {"max_value": 0.4,
                                                                                          "axis": [0, 1, 2, 3]}),
                                                             "bias_constraint": ("NonNeg", {})}, (3, 4, 3, 2)),
    "depthwise2d": ("DepthwiseConv2D", (3,), {"depthwise_constraint": ("UnitNorm", {"axis": [0, 1]}),
                                              "bias_constraint": ("NonNeg", {})}, (6, 6, 2)),
    "depthwise1d": ("DepthwiseConv1D", (3,), {"depthwise_constraint": ("MinMaxNorm", {"min_value": 0.2,
                                                                                     "max_value": 0.6})}, (7, 3)),
    "separable2d": ("SeparableConv2D", (3, 3), {"depthwise_constraint": ("NonNeg", {}),
                                                "pointwise_constraint": ("MaxNorm", {"max_value": 0.3,
                                                                                     "axis": [0, 1, 2]}),
                                                "bias_constraint": ("NonNeg", {})}, (6, 6, 2)),
    "separable1d": ("SeparableConv1D", (2, 3), {"pointwise_constraint": ("UnitNorm", {"axis": 1})}, (7, 3)),
}


def model(keras, case):
    kind, args, cons, shape = CASES[case]
    kwargs = {k: getattr(keras.constraints, c)(**kw) for k, (c, kw) in cons.items()}
    m = keras.Sequential([keras.Input(shape=shape), getattr(keras.layers, kind)(*args, **kwargs),
                          keras.layers.Flatten(), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return m


def data(case):
    rng = np.random.default_rng(len(case))
    x = rng.normal(size=(16,) + CASES[case][3]).astype(np.float32)
    y = rng.normal(size=(16, 1)).astype(np.float32)
    return x, y


def main():
    import keras
    arrays = {}
    os.makedirs(os.path.join(FIXTURES, "keras_conv_constraints"), exist_ok=True)
    for seed, case in enumerate(CASES):
        keras.utils.set_random_seed(seed)
        x, y = data(case)
        m = model(keras, case)
        start = m.get_weights()
        arrays[f"{case}/losses"] = np.array(m.fit(x, y, epochs=2, batch_size=8, shuffle=False,
                                                  verbose=0).history["loss"])
        for j, (a, b) in enumerate(zip(start, m.get_weights())):
            arrays[f"{case}/start_{j}"], arrays[f"{case}/end_{j}"] = a, b
        arrays[f"{case}/pred"] = m.predict(x, verbose=0)
        m.save(os.path.join(FIXTURES, "keras_conv_constraints", f"{case}.keras"))
    np.savez(OUT, **arrays)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
