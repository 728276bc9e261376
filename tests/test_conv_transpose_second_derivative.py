"""Conv1DTranspose / Conv2DTranspose under nested tapes (``_ConvTranspose.call_ops``): first
derivatives through ``tape.gradient``, and a gradient penalty (the gradient w.r.t. the weights of
the norm of the gradient w.r.t. the input, as WGAN-GP's) through a transposed convolution, against
TensorFlow's numbers. PROGRAM prints, per case, each gradient's sum, largest |entry| and first
entries; TF_OUTPUT is what it printed under TensorFlow 2.21 / Keras 3.15
(``/work/peers/bin/python tools/run_program_under_tf.py tests/test_conv_transpose_second_derivative.py``).
"""
import numpy as np
import pytest

from conftest import assert_program_prints

PROGRAM = r'''import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


def show(g):
    if g is None:
        return "None"
    a = np.asarray(g, dtype=np.float64).ravel()
    return f"sum={a.sum():.5f} max={np.abs(a).max():.5f} first={np.round(a[:4], 5).tolist()}"


def fill(model):
    for i, w in enumerate(model.trainable_weights):
        n = int(np.prod(w.shape))
        w.assign((0.5 * np.cos(0.7 * np.arange(n) + i)).reshape(tuple(w.shape)).astype("float32"))


def run(name, body, shape):
    x = tf.constant(np.sin(np.arange(int(np.prod(shape))) * 0.37).reshape(shape).astype("float32"))
    model = keras.Sequential([keras.Input(shape[1:])] + body)
    fill(model)
    with tf.GradientTape(persistent=True) as tape:            # first derivatives
        tape.watch(x)
        loss = tf.reduce_sum(tf.square(model(x)))
    print(name, "output", tuple(model.output_shape), show(model(x)))
    print(name, "d/dx", show(tape.gradient(loss, x)))
    for v, g in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
        print(name, "d/d" + v.name, show(g))
    with tf.GradientTape() as outer:                          # the gradient penalty
        with tf.GradientTape() as inner:
            inner.watch(x)
            pred = model(x, training=True)
        g = inner.gradient(pred, x)
        gp = tf.reduce_mean((tf.sqrt(tf.reduce_sum(tf.square(g), axis=list(range(1, len(shape))))) - 1.0) ** 2)
    print(name, "penalty", f"{float(gp):.5f}")
    for v, g in zip(model.trainable_variables, outer.gradient(gp, model.trainable_variables)):
        print(name, "penalty d/d" + v.name, show(g))


run("2d same s2 tanh", [layers.Conv2DTranspose(2, 3, strides=2, padding="same", activation="tanh"),
                        layers.Flatten(), layers.Dense(1)], (2, 3, 3, 2))
run("2d valid s2 op1 leaky", [layers.Conv2DTranspose(3, (3, 2), strides=2, padding="valid", output_padding=1),
                              layers.LeakyReLU(0.2), layers.Flatten(), layers.Dense(1)], (2, 2, 3, 2))
run("2d same s1 linear", [layers.Conv2DTranspose(2, 2, padding="same"), layers.Flatten(), layers.Dense(1)],
    (1, 3, 3, 1))
run("1d same s2 tanh", [layers.Conv1DTranspose(2, 3, strides=2, padding="same", activation="tanh"),
                        layers.Flatten(), layers.Dense(1)], (2, 4, 3))
run("1d valid s3 relu", [layers.Conv1DTranspose(2, 2, strides=3, activation="relu"), layers.Flatten(),
                         layers.Dense(1)], (2, 3, 2))
'''

TF_OUTPUT = [
    '2d same s2 tanh output (None, 1) sum=1.79321 max=0.92051 first=[0.92051, 0.8727]',
    '2d same s2 tanh d/dx sum=-0.84247 max=1.70950 first=[1.7095, 1.67062, -1.40393, -1.13953]',
    '2d same s2 tanh d/dkernel sum=-2.74502 max=1.84348 first=[1.08793, 0.47845, 0.17722, -0.41835]',
    '2d same s2 tanh d/dbias sum=-1.58997 max=3.59833 first=[-3.59833, 2.00836]',
    '2d same s2 tanh d/dkernel sum=19.28898 max=3.42025 first=[1.78289, -0.6366, -0.19501, -0.21536]',
    '2d same s2 tanh d/dbias sum=3.58642 max=3.58642 first=[3.58642]',
    '2d same s2 tanh penalty 1.38980',
    '2d same s2 tanh penalty d/dkernel sum=-1.60753 max=1.11202 first=[-0.13608, -0.63799, -0.94107, -1.06998]',
    '2d same s2 tanh penalty d/dbias sum=-0.28037 max=0.93223 first=[0.65186, -0.93223]',
    '2d same s2 tanh penalty d/dkernel sum=-0.60927 max=0.96863 first=[0.65374, -0.15839, -0.91472, -0.15572]',
    '2d same s2 tanh penalty d/dbias None',
    '2d valid s2 op1 leaky output (None, 1) sum=-3.28491 max=2.23335 first=[-2.23335, -1.05156]',
    '2d valid s2 op1 leaky d/dx sum=0.50215 max=2.92820 first=[-2.60894, -2.17133, 0.04122, 1.73586]',
    '2d valid s2 op1 leaky d/dkernel sum=2.43391 max=3.25729 first=[-1.45533, -1.72249, -2.89924, -3.10775]',
    '2d valid s2 op1 leaky d/dbias sum=6.98876 max=3.40552 first=[3.40552, 0.63036, 2.95288]',
    '2d valid s2 op1 leaky d/dkernel sum=-105.50428 max=5.79643 first=[-1.57536, -0.08163, -0.67829, -2.22681]',
    '2d valid s2 op1 leaky d/dbias sum=-6.56983 max=6.56983 first=[-6.56983]',
    '2d valid s2 op1 leaky penalty 0.20923',
    '2d valid s2 op1 leaky penalty d/dkernel sum=-0.33363 max=0.51733 first=[0.06305, -0.18632, -0.2235, -0.34866]',
    '2d valid s2 op1 leaky penalty d/dbias sum=0.00000 max=0.00000 first=[0.0, 0.0, 0.0]',
    '2d valid s2 op1 leaky penalty d/dkernel sum=-1.30084 max=0.33332 first=[0.17741, -0.03953, -0.20511, -0.05392]',
    '2d valid s2 op1 leaky penalty d/dbias None',
    '2d same s1 linear output (None, 1) sum=-0.71758 max=0.71758 first=[-0.71758]',
    '2d same s1 linear d/dx sum=0.85494 max=1.03627 first=[1.03627, 0.47178, -0.85722, -0.76952]',
    '2d same s1 linear d/dkernel sum=-2.43548 max=0.80252 first=[-0.03774, -0.21117, -0.24793, 0.12241]',
    '2d same s1 linear d/dbias sum=0.00337 max=0.00808 first=[-0.00471, 0.00808]',
    '2d same s1 linear d/dkernel sum=-2.89085 max=1.03044 first=[-0.38771, 0.09246, -0.64719, -0.10601]',
    '2d same s1 linear d/dbias sum=-1.43515 max=1.43515 first=[-1.43515]',
    '2d same s1 linear penalty 0.21308',
    '2d same s1 linear penalty d/dkernel sum=1.25740 max=0.92507 first=[0.72187, 0.92507, 0.42361, 0.07447]',
    '2d same s1 linear penalty d/dbias None',
    '2d same s1 linear penalty d/dkernel sum=0.43567 max=0.38421 first=[-0.22804, -0.17442, -0.14258, 0.03572]',
    '2d same s1 linear penalty d/dbias None',
    '1d same s2 tanh output (None, 1) sum=-1.02511 max=0.67681 first=[-0.67681, -0.3483]',
    '1d same s2 tanh d/dx sum=-0.22636 max=0.18529 first=[0.1364, 0.05535, -0.05173, -0.00146]',
    '1d same s2 tanh d/dkernel sum=2.29609 max=0.54713 first=[-0.13188, -0.12228, -0.09613, 0.07375]',
    '1d same s2 tanh d/dbias sum=0.99013 max=0.63919 first=[0.63919, 0.35094]',
    '1d same s2 tanh d/dkernel sum=-3.08428 max=1.32547 first=[-0.18197, 0.12927, -0.73977, 0.36098]',
    '1d same s2 tanh d/dbias sum=-2.05023 max=2.05023 first=[-2.05023]',
    '1d same s2 tanh penalty 0.64837',
    '1d same s2 tanh penalty d/dkernel sum=0.15567 max=0.33097 first=[-0.14936, 0.101, 0.33097, -0.13641]',
    '1d same s2 tanh penalty d/dbias sum=-0.33210 max=0.31768 first=[-0.01442, -0.31768]',
    '1d same s2 tanh penalty d/dkernel sum=-0.08435 max=0.45857 first=[0.31728, -0.12806, -0.1487, 0.30153]',
    '1d same s2 tanh penalty d/dbias None',
    '1d valid s3 relu output (None, 1) sum=-0.64930 max=0.47640 first=[-0.4764, -0.1729]',
    '1d valid s3 relu d/dx sum=-0.36853 max=0.23738 first=[-0.11786, -0.13984, -0.23738, -0.18156]',
    '1d valid s3 relu d/dkernel sum=0.30211 max=0.27442 first=[-0.02777, -0.02667, 0.00955, 0.01443]',
    '1d valid s3 relu d/dbias sum=0.17649 max=0.19451 first=[0.19451, -0.01802]',
    '1d valid s3 relu d/dkernel sum=-4.36085 max=1.08211 first=[-0.6896, 0.0, -0.09607, 0.0]',
    '1d valid s3 relu d/dbias sum=-1.29860 max=1.29860 first=[-1.2986]',
    '1d valid s3 relu penalty 0.37888',
    '1d valid s3 relu penalty d/dkernel sum=-0.31620 max=0.40498 first=[-0.40498, -0.28209, 0.01519, 0.01671]',
    '1d valid s3 relu penalty d/dbias sum=0.00000 max=0.00000 first=[0.0, 0.0]',
    '1d valid s3 relu penalty d/dkernel sum=-0.30010 max=0.54287 first=[-0.02586, 0.0, 0.18433, 0.0]',
    '1d valid s3 relu penalty d/dbias None',
    '',
]


def test_first_and_second_derivatives_as_tensorflow():
    assert_program_prints(PROGRAM, TF_OUTPUT, rtol=5e-4)


@pytest.mark.parametrize("layer, shape", [
    ("Conv2DTranspose(3, 3, strides=2, padding='same')", (2, 3, 4, 2)),
    ("Conv2DTranspose(2, (2, 3), strides=(1, 2), padding='valid', output_padding=(0, 1))", (1, 3, 3, 2)),
    ("Conv1DTranspose(2, 4, strides=3, padding='same', activation='tanh')", (2, 3, 2)),
    ("Conv3DTranspose(2, 2, strides=2, padding='valid')", (1, 2, 2, 2, 1)),
])
def test_call_ops_give_the_forward_numbers_and_its_gradients(layer, shape, float64):
    """``call_ops`` (recorded operations) gives what ``forward`` gives, and the tape's gradients
    through it are the layer's ``backward``'s (float64: to 1e-10)."""
    import glassnet
    from glassnet import layers

    conv = eval("layers." + layer)
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    out = conv(x)
    y = glassnet.constant(x)
    with glassnet.GradientTape() as tape:
        tape.watch(y)
        ops_out = conv.call_ops(y)
        loss = glassnet.reduce_sum(ops_out * np.cos(np.arange(ops_out.size)).reshape(ops_out.shape))
    np.testing.assert_allclose(np.asarray(ops_out), np.asarray(out), rtol=1e-10, atol=1e-12)
    got = tape.gradient(loss, [y] + conv.trainable_variables)
    conv(x)
    dx = conv.backward(np.cos(np.arange(ops_out.size)).reshape(ops_out.shape))
    for g, want in zip(got, [dx, conv.kernel.grad, conv.bias.grad]):
        np.testing.assert_allclose(np.asarray(g), want, rtol=1e-10, atol=1e-12)
