"""``tf/nn_conv.py``: tf.nn.conv1d/conv2d/depthwise_conv2d, the pools and dropout on a
GradientTape. Each case's output and gradients are summarised (sum of squares of the output,
of each gradient, and each gradient's sum, for the loss sum(y * linspace(-1, 1))) and compared
with TF 2.21's numbers, recorded by running the same calls under /work/peers/bin/python on the
same seeded inputs, written here as literals; a float64 central-difference check as well."""
import numpy as np
import pytest

import glassnet as tf

RNG = np.random.default_rng(0)        # the inputs TF 2.21 was given (same generator, same order)
X = RNG.normal(size=(2, 5, 6, 3)).astype(np.float32)
K = RNG.normal(size=(3, 2, 3, 4)).astype(np.float32)
DK = RNG.normal(size=(3, 3, 3, 2)).astype(np.float32)
X1 = RNG.normal(size=(2, 7, 3)).astype(np.float32)
K1 = RNG.normal(size=(3, 3, 2)).astype(np.float32)

CASES = {  # name: (function, inputs, TF 2.21: shape, sum y^2, [sum g^2], [sum g])
    "conv2d same s2": (lambda a, b: tf.nn.conv2d(a, b, strides=2, padding="SAME"), (X, K),
                       (2, 3, 3, 4), 1025.48876953125, [718.6121826171875, 208.85214233398438],
                       [7.056585788726807, -42.531410217285156]),
    "conv2d valid d2": (lambda a, b: tf.nn.conv2d(a, b, strides=[1, 1, 1, 1], padding="VALID", dilations=[1, 2]),
                        (X, K), (2, 3, 4, 4), 2379.3779296875, [1059.7030029296875, 709.1712646484375],
                        [3.779151439666748, -59.19408416748047]),
    "conv2d explicit": (lambda a, b: tf.nn.conv2d(a, b, strides=[1, 2], padding=[[0, 0], [1, 0], [0, 2], [0, 0]]),
                        (X, K), (2, 4, 4, 4), 1652.610595703125, [1132.797119140625, 338.36383056640625],
                        [-4.007985591888428, -51.82820510864258]),
    "conv1d same s2": (lambda a, b: tf.nn.conv1d(a, b, stride=2, padding="SAME"), (X1, K1),
                       (2, 4, 2), 64.26931762695312, [55.39442825317383, 32.93709945678711],
                       [2.8449110984802246, 2.176921844482422]),
    "depthwise same": (lambda a, b: tf.nn.depthwise_conv2d(a, b, strides=[1, 2, 2, 1], padding="SAME"), (X, DK),
                       (2, 3, 3, 6), 869.3224487304688, [340.5137939453125, 109.76283264160156],
                       [3.463299512863159, -23.772716522216797]),
    "depthwise valid": (lambda a, b: tf.nn.depthwise_conv2d(a, b, strides=[1, 1, 1, 1], padding="VALID"), (X, DK),
                        (2, 3, 4, 6), 1526.431396484375, [967.7923583984375, 577.6105346679688],
                        [-6.9341840744018555, -39.198219299316406]),
    "max_pool2d same": (lambda a: tf.nn.max_pool2d(a, ksize=3, strides=2, padding="SAME"), (X,),
                        (2, 3, 3, 3), 87.42436218261719, [24.79174041748047], [0.0]),
    "avg_pool2d same": (lambda a: tf.nn.avg_pool2d(a, ksize=3, strides=2, padding="SAME"), (X,),
                        (2, 3, 3, 3), 8.626962661743164, [6.703136444091797], [0.0]),
    "avg_pool2d valid": (lambda a: tf.nn.avg_pool2d(a, ksize=[2, 3], strides=[1, 2], padding="VALID"), (X,),
                         (2, 4, 2, 3), 8.693613052368164, [6.014385223388672], [0.0]),
    "max_pool 1d": (lambda a: tf.nn.max_pool(a, ksize=2, strides=2, padding="VALID"), (X1,),
                    (2, 3, 3), 8.773808479309082, [6.705882549285889], [0.0]),
    "avg_pool 4d": (lambda a: tf.nn.avg_pool(a, ksize=2, strides=1, padding="SAME"), (X,),
                    (2, 5, 6, 3), 63.82504653930664, [71.009033203125], [0.0]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_tf_forward_and_gradients(name):
    fn, inputs, shape, yy, gg, gsum = CASES[name]
    variables = [tf.Variable(a) for a in inputs]
    with tf.GradientTape() as tape:
        y = fn(*variables)
        w = np.linspace(-1, 1, int(np.prod(y.shape))).reshape(y.shape).astype(np.float32)
        loss = tf.reduce_sum(y * w)
    grads = tape.gradient(loss, variables)
    assert tuple(y.shape) == shape and y.dtype == tf.float32
    np.testing.assert_allclose(float(np.sum(np.square(y.numpy()))), yy, rtol=1e-5)
    for v, g, want_gg, want_sum in zip(variables, grads, gg, gsum):
        assert g.shape == v.shape
        np.testing.assert_allclose(float(np.sum(np.square(g.numpy()))), want_gg, rtol=1e-5)
        np.testing.assert_allclose(float(np.sum(g.numpy())), want_sum, rtol=1e-4, atol=1e-5)


def test_depthwise_channel_layout_as_tf():
    got = tf.nn.depthwise_conv2d(X, DK, strides=[1, 1, 1, 1], padding="VALID")[0, 0, 0].numpy()
    want = [1.627686, 1.28297, 0.41299, -5.516202, -0.074497, 3.023896]       # TF 2.21
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn", [
    lambda a, b: tf.nn.conv2d(a, b, strides=2, padding="SAME"),
    lambda a, b: tf.nn.depthwise_conv2d(a, b[..., :2], strides=[1, 1, 1, 1], padding="SAME"),
    lambda a, b: tf.nn.avg_pool2d(a, 3, 2, "SAME") * tf.reduce_sum(b),
    lambda a, b: tf.nn.max_pool2d(a, 2, 1, "SAME") * tf.reduce_sum(b),
])
def test_central_differences_float64(fn):
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(1, 4, 5, 3)), rng.normal(size=(2, 2, 3, 2))
    va, vb = tf.Variable(a), tf.Variable(b)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(fn(va, vb) ** 2)
    ga, gb = tape.gradient(loss, [va, vb])

    def f(a_, b_):
        return float(np.sum(fn(tf.constant(a_), tf.constant(b_)).numpy() ** 2))
    for arr, g in ((a, ga), (b, gb)):
        for idx in [(0,) * arr.ndim, tuple(s - 1 for s in arr.shape), tuple(s // 2 for s in arr.shape)]:
            old = arr[idx]
            arr[idx] = old + 1e-6
            up = f(a, b)
            arr[idx] = old - 1e-6
            down = f(a, b)
            arr[idx] = old
            np.testing.assert_allclose(g.numpy()[idx], (up - down) / 2e-6, rtol=1e-5, atol=1e-7)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="padding='same'.*upper case"):
        tf.nn.conv2d(X, K, strides=1, padding="same")
    with pytest.raises(ValueError, match="input depth must be evenly divisible by filter depth: 3 vs 2"):
        tf.nn.conv2d(X, K[:, :, :2], strides=1, padding="SAME")
    with pytest.raises(ValueError, match="batch or channel axis"):
        tf.nn.conv2d(X, K, strides=[2, 2, 2, 2], padding="SAME")
    with pytest.raises(ValueError, match="data_format='NCHW'"):
        tf.nn.conv2d(X, K, strides=1, padding="SAME", data_format="NCHW")
    with pytest.raises(ValueError, match=r"in the range \[0, 1\). Received: rate=1.0"):    # TF 2.21's words
        tf.nn.dropout(X, rate=1.0)
    with pytest.raises(ValueError, match="strides must be 4 ints"):
        tf.nn.depthwise_conv2d(X, DK, strides=[1, 2, 2], padding="SAME")


def test_dropout_keeps_and_scales():
    tf.keras.utils.set_random_seed(1)
    x = tf.Variable(np.ones(4000, np.float32))
    with tf.GradientTape() as tape:
        y = tf.nn.dropout(x, rate=0.25)
        total = tf.reduce_sum(y)
    values = set(np.unique(y.numpy()).tolist())
    assert values == {0.0, np.float32(1 / 0.75)}                       # TF 2.21: [0.0, 1.3333334]
    assert abs(float(np.mean(y.numpy() == 0)) - 0.25) < 0.03
    np.testing.assert_array_equal(tape.gradient(total, x).numpy(), y.numpy())
    shared = tf.nn.dropout(np.ones((3, 50), np.float32), rate=0.5, noise_shape=[3, 1]).numpy()
    assert all(len(set(row.tolist())) == 1 for row in shared)
