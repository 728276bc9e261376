"""``fit(x, y, steps_per_epoch=k)`` on NumPy arrays, as Keras 3 runs it (it was refused): one pass
over the arrays (``ceil(n / batch_size)`` batches, shuffled afresh) goes on across epochs, ``k``
batches an epoch; an epoch that reaches the pass's end stops there, short, with Keras's warning
("Your input ran out of data; interrupting training. ..."), and the next epoch starts a new pass.
The progress line counts ``k`` all the same (``2/2`` for an epoch of one batch, as Keras's).
``validation_steps`` with validation arrays: the first ``validation_steps`` batches, every epoch.

TF_OUTPUT was printed by TF 2.21 / Keras 3.15 running ``STEPS_PER_EPOCH`` of
tools/make_keras_fit_loop.py (``/work/peers/bin/python tools/make_keras_fit_loop.py
STEPS_PER_EPOCH``), the same program run here renamed: 10 samples, batches of 4, 4 and 2 whose
losses (1, 100, 10000, no learning) say which batch each step took. Keras's warning, which it
wrote to stderr once (Python shows a warning once per place), is left out of these lines and
checked on its own; timings are taken out of both sides.
"""
import re
import warnings

import numpy as np
import pytest

from conftest import PROGRESS_TIMING, load_tool, run_printing

import glassnet
from glassnet import keras

PROGRAM = load_tool("make_keras_fit_loop").STEPS_PER_EPOCH
FIT_TIMING = re.compile(r" - \d+s - \d+(?:us|ms|s)/step")

# Keras's words (keras/src/trainers/epoch_iterator.py), as TF 2.21 printed them
RAN_OUT = ("Your input ran out of data; interrupting training. Make sure that your dataset or generator can "
           "generate at least `steps_per_epoch * epochs` batches. You may need to use the `.repeat()` function "
           "when building your dataset.")

TF_OUTPUT = [
    'steps_per_epoch 2 epochs 3',
    'epoch 0 batches [(0, 1.0), (1, 50.5)] loss 50.5',
    'epoch 1 batches [(0, 10000.0)] loss 10000.0',
    'epoch 2 batches [(0, 1.0), (1, 50.5)] loss 50.5',
    'history [50.5, 10000.0, 50.5] params steps 2',
    'steps_per_epoch 3 epochs 2',
    'epoch 0 batches [(0, 1.0), (1, 50.5), (2, 2040.4)] loss 2040.4',
    'epoch 1 batches [(0, 1.0), (1, 50.5), (2, 2040.4)] loss 2040.4',
    'history [2040.4, 2040.4] params steps 3',
    'steps_per_epoch 5 epochs 2',
    'epoch 0 batches [(0, 1.0), (1, 50.5), (2, 2040.4)] loss 2040.4',
    'epoch 1 batches [(0, 1.0), (1, 50.5), (2, 2040.4)] loss 2040.4',
    'history [2040.4, 2040.4] params steps 5',
    'steps_per_epoch 2 epochs 3',
    'Epoch 1/3',
    'epoch 0 batches [(0, 1.0), (1, 50.5)] loss 50.5',
    '2/2 - 1s - 253ms/step - loss: 50.5000',
    'Epoch 2/3',
    'epoch 1 batches [(0, 10000.0)] loss 10000.0',
    '2/2 - 0s - 59ms/step - loss: 10000.0000',
    'Epoch 3/3',
    'epoch 2 batches [(0, 1.0), (1, 50.5)] loss 50.5',
    '2/2 - 0s - 29ms/step - loss: 50.5000',
    'history [50.5, 10000.0, 50.5] params steps 2',
    'steps_per_epoch 5 epochs 2',
    'Epoch 1/2',
    'epoch 0 batches [(0, 1.0), (1, 50.5), (2, 2040.4)] loss 2040.4',
    '5/5 - 0s - 88ms/step - loss: 2040.4000',
    'Epoch 2/2',
    'epoch 1 batches [(0, 1.0), (1, 50.5), (2, 2040.4)] loss 2040.4',
    '5/5 - 0s - 30ms/step - loss: 2040.4000',
    'history [2040.4, 2040.4] params steps 5',
    'steps_per_epoch 4 epochs 2',
    'Epoch 1/2',
    # (Keras drew its first batch's bar, "1/4 ━━━ 1s 632ms/step - loss: 1.0000", in place before
    # this print, even into a pipe: glassnet draws in place only on a terminal)
    'epoch 0 batches [(0, 1.0), (1, 50.5), (2, 2040.4)] loss 2040.4',
    '4/4 ━━━━━━━━━━━━━━━━━━━━ 1s 23ms/step - loss: 2040.4000',
    'Epoch 2/2',
    'epoch 1 batches [(0, 1.0), (1, 50.5), (2, 2040.4)] loss 2040.4',
    '4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 9ms/step - loss: 2040.4000',
    'history [2040.4, 2040.4] params steps 4',
    'validation_steps 1 val_loss [1.0, 1.0]',
    'validation_steps 2 val_loss [50.5, 50.5]',
    'steps_per_epoch 2 epochs 3',                           # shuffled, under keras.utils.set_random_seed(5)
    'epoch 0 batches [(0, 2575.0), (1, 2550.25)] loss 2550.25',
    'epoch 1 batches [(0, 1.0)] loss 1.0',
    'epoch 2 batches [(0, 2575.0), (1, 2550.25)] loss 2550.25',
    'history [2550.25, 1.0, 2550.25] params steps 2',
    '',
]


def test_the_program_prints_what_keras_printed():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = [PROGRESS_TIMING.sub("", line) for line in run_printing(PROGRAM)]
    assert got == [PROGRESS_TIMING.sub("", FIT_TIMING.sub("", line)) for line in TF_OUTPUT]


def _model():
    model = glassnet.Sequential([glassnet.Input((2,)), glassnet.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=glassnet.optimizers.SGD(0.0), loss="mse")
    return model


X = np.zeros((10, 2), "float32")
Y = np.array([1] * 4 + [10] * 4 + [100] * 2, "float32").reshape(10, 1)


def test_running_out_of_data_warns_with_keras_words():
    with pytest.warns(UserWarning) as caught:
        history = _model().fit(X, Y, batch_size=4, epochs=2, steps_per_epoch=5, verbose=0, shuffle=False)
    assert [str(w.message) for w in caught] == [RAN_OUT, RAN_OUT]
    assert history.history["loss"] == pytest.approx([2040.4, 2040.4])


def test_steps_that_divide_the_data_warn_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = _model().fit(X, Y, batch_size=4, epochs=3, steps_per_epoch=3, verbose=0, shuffle=False)
    assert history.params["steps"] == 3 and len(history.history["loss"]) == 3


def test_a_model_with_its_own_train_step_takes_steps_per_epoch_too():
    steps = []

    class Counting(glassnet.Sequential):
        def train_step(self, data):
            steps.append(len(data[0]))
            return super().train_step(data)

    model = Counting([glassnet.Input((2,)), glassnet.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, Y, batch_size=4, epochs=3, steps_per_epoch=2, verbose=0, shuffle=False)
    assert steps == [4, 4, 2, 4, 4]         # 2, then the pass's last batch, then a new pass


def test_bad_steps_are_refused_by_name_and_nothing_trains():
    model = _model()
    before = [w.copy() for w in model.get_weights()]
    for bad in (0, -1, 2.5, "3"):
        with pytest.raises(ValueError, match="steps_per_epoch must be a positive integer"):
            model.fit(X, Y, steps_per_epoch=bad, verbose=0)
        with pytest.raises(ValueError, match="validation_steps must be a positive integer"):
            model.fit(X, Y, validation_data=(X, Y), validation_steps=bad, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert not model.optimizer.built
