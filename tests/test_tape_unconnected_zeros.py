"""When ``tape.gradient`` gives None and when zeros: TensorFlow's rule, followed by glassnet's tape.

TensorFlow answers None for a source that no recorded operation connects to the target, and
zeros for one that is connected only through operations whose derivative is identically 0 but
that keep it as an input: ``ReluGrad(g, x)``, ``LeakyReluGrad(g, x)`` and ``MaxPoolGrad(x, y, g)``
take the pre-activation ``x``, ``Abs``'s gradient goes through ``Sign(x)``, whose own gradient is
zeros. Comparisons (``tf.maximum``'s and ``tf.clip_by_value``'s masks, ``reduce_max``'s),
``Floor``, ``Round`` connect nothing: None. So a gradient penalty (the gradient of a norm of a
gradient, WGAN-GP's) gives a Conv2D's or a Dense's bias zeros when a ReLU, LeakyReLU or
MaxPooling follows it, None when only linear layers do. ``unconnected_gradients=ZERO`` turns
every None into zeros. glassnet's table (``glassnet/tf/vjps.py``) keeps those inputs the same way
(``vjps.step``: a piecewise-constant factor recorded as an operation of its input, derivative 0).

PROGRAM prints, for each case, None or the largest |entry| of each variable's gradient;
TF_OUTPUT is what it printed under TensorFlow 2.21 / Keras 3.15
(``/work/peers/bin/python tools/run_program_under_tf.py tests/test_tape_unconnected_zeros.py``).
"""
from conftest import assert_program_prints

PROGRAM = r'''import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


def kind(g):
    """None (not connected), else the largest |entry| (0.0: connected through derivatives that are 0)."""
    return "None" if g is None else f"{float(np.max(np.abs(np.asarray(g)))):.4f}"


def fill(model):
    for i, w in enumerate(model.trainable_weights):
        n = int(np.prod(w.shape))
        w.assign((0.5 * np.cos(0.7 * np.arange(n) + i)).reshape(tuple(w.shape)).astype("float32"))


def penalty_grads(model, x, training=True, square=False):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(x)
            pred = model(x, training=training)
            if square:
                pred = tf.reduce_sum(tf.square(pred))
        g = inner.gradient(pred, x)
        gp = tf.reduce_sum(tf.square(g))
    return tape.gradient(gp, model.trainable_variables)


def case(name, body, x, **kw):
    model = keras.Sequential([keras.Input(x.shape[1:])] + body)
    fill(model)
    print(name, [kind(g) for g in penalty_grads(model, x, **kw)])


v = np.linspace(-1, 1, 2 * 5, dtype="float32").reshape(2, 5)
img = np.linspace(-1, 1, 2 * 4 * 4 * 2, dtype="float32").reshape(2, 4, 4, 2)
v4 = np.sin(1.3 * np.arange(4 * 5)).reshape(4, 5).astype("float32")      # (a batch BatchNormalization cannot flatten)
case("dense linear", [layers.Dense(3), layers.Dense(1)], v)
case("dense linear, squared output", [layers.Dense(3), layers.Dense(1)], v, square=True)
case("dense relu", [layers.Dense(3, activation="relu"), layers.Dense(1)], v)
case("dense ReLU layer", [layers.Dense(3), layers.ReLU(), layers.Dense(1)], v)
case("dense LeakyReLU", [layers.Dense(3), layers.LeakyReLU(0.2), layers.Dense(1)], v)
case("dense tanh", [layers.Dense(3, activation="tanh"), layers.Dense(1)], v)
case("dense elu", [layers.Dense(3, activation="elu"), layers.Dense(1)], v)
case("conv leaky", [layers.Conv2D(3, 3, strides=2, padding="same"), layers.LeakyReLU(0.2), layers.Flatten(),
                    layers.Dense(1)], img)
case("conv relu", [layers.Conv2D(3, 2, activation="relu"), layers.Flatten(), layers.Dense(1)], img)
case("conv maxpool", [layers.Conv2D(3, 2), layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(1)], img)
case("conv avgpool", [layers.Conv2D(3, 2), layers.AveragePooling2D(2), layers.Flatten(), layers.Dense(1)], img)
case("batchnorm training", [layers.Dense(4), layers.BatchNormalization(), layers.Dense(1)], v4)
case("batchnorm inference", [layers.Dense(4), layers.BatchNormalization(), layers.Dense(1)], v4, training=False)
case("batchnorm training relu", [layers.Dense(4), layers.BatchNormalization(), layers.ReLU(), layers.Dense(1)], v4)

# tf operations on x * w + b: the gradient penalty's gradient w.r.t. w and b
w = tf.Variable([0.5, -1.5, 2.0])
b = tf.Variable([0.25, 0.5, -0.75])
xs = tf.constant([[1.0, 0.5, -0.5], [-2.0, 1.0, 0.25]])
ops = [("relu", tf.nn.relu), ("leaky_relu", tf.nn.leaky_relu), ("abs", tf.abs),
       ("maximum", lambda z: tf.maximum(z, 0.0)), ("clip_by_value", lambda z: tf.clip_by_value(z, -0.5, 0.5)),
       ("sign times z", lambda z: tf.sign(z) * z), ("square", tf.square), ("elu", tf.nn.elu)]
for name, f in ops:
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(xs)
            y = tf.reduce_sum(f(xs * w + b))
        g = inner.gradient(y, xs)
        gp = tf.reduce_sum(g * g)
    print(name, [kind(t) for t in tape.gradient(gp, [w, b])])

# unconnected_gradients=ZERO: zeros where None was
for name, f in [("maximum", lambda z: tf.maximum(z, 0.0)), ("linear", lambda z: 3.0 * z)]:
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(xs)
            y = tf.reduce_sum(f(xs * w + b))
        gp = tf.reduce_sum(tf.square(inner.gradient(y, xs)))
    print(name, "ZERO", [kind(t) for t in tape.gradient(gp, [w, b], unconnected_gradients=tf.UnconnectedGradients.ZERO)])

# first derivatives of operations whose answer is piecewise constant
for name, f in [("sign", tf.sign), ("round", tf.round), ("floor", tf.floor), ("reduce_max", tf.reduce_max),
                ("greater, cast", lambda z: tf.cast(z > 0, tf.float32))]:
    with tf.GradientTape() as tape:
        tape.watch(xs)
        y = tf.reduce_sum(f(xs))
    print(name, kind(tape.gradient(y, xs)))
'''

TF_OUTPUT = [
    "dense linear ['0.9535', 'None', '2.8842', 'None']",
    "dense linear, squared output ['0.6373', '0.8953', '0.3390', '1.8522']",
    "dense relu ['0.0433', '0.0000', '0.2876', 'None']",
    "dense ReLU layer ['0.0433', '0.0000', '0.2876', 'None']",
    "dense LeakyReLU ['0.0672', '0.0000', '0.4812', 'None']",
    "dense tanh ['0.8139', '0.5994', '2.3912', 'None']",
    "dense elu ['0.7321', '0.7676', '1.6981', 'None']",
    "conv leaky ['1.0007', '0.0000', '2.7825', 'None']",
    "conv relu ['2.1295', '0.0000', '1.9040', 'None']",
    "conv maxpool ['0.9499', '0.0000', '3.8709', 'None']",
    "conv avgpool ['0.1780', 'None', '0.5481', 'None']",
    "batchnorm training ['0.0000', '0.0000', '0.0000', 'None', '0.0000', 'None']",
    "batchnorm inference ['0.1485', 'None', '0.3299', 'None', '0.4205', 'None']",
    "batchnorm training relu ['4.0753', '0.0000', '2.2587', '0.0000', '3.4406', 'None']",
    "relu ['1.0000', '0.0000']",
    "leaky_relu ['1.0400', '0.0000']",
    "abs ['8.0000', '0.0000']",
    "maximum ['1.0000', 'None']",
    "clip_by_value ['4.0000', 'None']",
    "sign times z ['8.0000', '0.0000']",
    "square ['76.0000', '64.0000']",
    "elu ['3.6392', '5.0938']",
    "maximum ZERO ['1.0000', '0.0000']",
    "linear ZERO ['72.0000', '0.0000']",
    'sign 0.0000',
    'round None',
    'floor None',
    'reduce_max 0.5000',
    'greater, cast None',
    '',
]


def test_none_or_zeros_as_tensorflow():
    assert_program_prints(PROGRAM, TF_OUTPUT)
