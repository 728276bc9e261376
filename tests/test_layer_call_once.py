"""A layer written with ``call`` runs its ``call`` as often as Keras 3 runs it: its first call on
data builds it (its own ``build``) and runs ``call`` once, not once more on a row of zeros to
find its output shape (a learner's ``print`` in ``call`` appeared twice). Keras traces ``call``
symbolically only where it must build something it cannot otherwise (``Layer._maybe_build``): a
layer or subclassed model with no ``build`` of its own holding layers not built yet, a Sequential
built without an Input, a functional model being made; glassnet's stand-in for that trace is one
call on a row of zeros, and it runs once there too, not again when the model builds its chain.

TF_OUTPUT was printed by TF 2.21 / Keras 3.15 running ``CALL_COUNTS`` of
tools/make_keras_fit_loop.py (``/work/peers/bin/python tools/make_keras_fit_loop.py CALL_COUNTS``),
the same program run here renamed.
"""
import numpy as np

from conftest import load_tool, run_printing

import glassnet as tf
from glassnet import keras

PROGRAM = load_tool("make_keras_fit_loop").CALL_COUNTS

TF_OUTPUT = [
    'layer first call 1',
    'layer second call 1',
    'layer without build, first call 1',
    'layer built by hand 0',
    'layer built by hand, first call 1',
    'layer without build holding an unbuilt layer, first call (both counted) 4',
    'Sequential with Input, made 1',
    'Sequential with Input, first call 1',
    'Sequential without Input, made 0',
    'Sequential without Input, first call 2',
    'Sequential without Input, second call 1',
    'functional, made 1',
    'functional, first call 1',
    'subclassed model, first call 2',
    'subclassed model, second call 1',
    '',
]


def test_call_runs_as_often_as_in_keras():
    assert run_printing(PROGRAM) == TF_OUTPUT


class Noted(keras.layers.Layer):
    """A layer whose call notes each input shape it is given."""

    def __init__(self, units=2, outputs=1, **kwargs):
        super().__init__(**kwargs)
        self.units, self.outputs, self.seen = units, outputs, []

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")

    def call(self, inputs):
        self.seen.append(tuple(inputs.shape))
        out = tf.matmul(inputs, self.w)
        return out if self.outputs == 1 else [out, out * 2.0]


def test_the_first_call_gives_the_output_shape_without_a_second_call():
    layer = Noted(units=4)
    out = layer(np.ones((5, 3), "float32"))
    assert layer.seen == [(5, 3)]                   # the data only, no row of zeros
    assert layer.output_shape == (None, 4) and layer.input_shape == (None, 3)
    assert out.shape == (5, 4)
    pair = Noted(outputs=2)
    pair(np.ones((2, 3), "float32"))
    assert len(pair.seen) == 1 and [tuple(s) for s in pair.output_shape] == [(None, 2), (None, 2)]


def test_the_first_call_on_a_tape_runs_once_and_trains():
    layer = Noted(units=1)
    x = tf.constant(np.ones((4, 3), "float32"))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    grad = tape.gradient(loss, layer.w)
    assert layer.seen == [(4, 3)]
    np.testing.assert_allclose(np.asarray(grad), np.full((3, 1), 4.0))


def test_a_sequential_of_such_layers_still_trains_and_builds_each_once():
    layer = Noted(units=1)
    model = keras.Sequential([keras.Input((3,)), layer])
    assert layer.seen == [(1, 3)]                   # the stand-in for Keras's symbolic build: once
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((8, 3), "float32"), np.zeros((8, 1), "float32"), batch_size=4, epochs=1, verbose=0)
    assert layer.seen[1:] == [(4, 3), (4, 3)]       # then one call per step
    assert len(model.weights) == 1 and model.output_shape == (None, 1)
