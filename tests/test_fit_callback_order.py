"""fit's callbacks run in Keras 3's order: the user's callbacks, then History, then the progress
line last (keras/src/callbacks/callback_list.py appends History and ProgbarLogger after the
callbacks given). So what a callback adds to the epoch's logs (ReduceLROnPlateau's
``learning_rate``, a program's ``logs["lr"]``) shows on the epoch's progress line and in the
History, and what a callback prints at an epoch's start or end comes before ``Epoch 2/2`` and
before the epoch's final progress line. ``on_train_end`` gets the epoch's logs without what the
callbacks added (Keras hands the callbacks a copy).

TF_OUTPUT_* were printed by TF 2.21 / Keras 3.15 running ``CALLBACK_ORDER`` of
tools/make_keras_fit_loop.py (``/work/peers/bin/python tools/make_keras_fit_loop.py
CALLBACK_ORDER``), the same program the tests run renamed; Keras's colours, backspaces and
carriage returns are taken out of its verbose=1 lines, and the timings out of both sides.
"""
import re

import numpy as np

from conftest import PROGRESS_TIMING, load_tool, run_printing

import glassnet
from glassnet import keras

PROGRAM = load_tool("make_keras_fit_loop").CALLBACK_ORDER
FIT_TIMING = re.compile(r" - \d+s - \d+(?:us|ms|s)/step")

TF_OUTPUT_VERBOSE_2 = [
    'train_begin []',
    'epoch_begin 0',
    'Epoch 1/2',
    "batch_end 1 ['accuracy', 'loss']",
    "epoch_end 0 ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
    '2/2 - 2s - 1s/step - accuracy: 0.5156 - loss: 0.6981 - val_accuracy: 0.5625 - val_loss: 0.6974 - lr: 0.2500 - learning_rate: 0.1000',
    'epoch_begin 1',
    'Epoch 2/2',
    "batch_end 1 ['accuracy', 'loss']",
    "epoch_end 1 ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
    '2/2 - 0s - 190ms/step - accuracy: 0.5156 - loss: 0.6963 - val_accuracy: 0.5625 - val_loss: 0.6954 - lr: 0.2500 - learning_rate: 0.1000',
    "train_end ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
    "['accuracy', 'loss', 'val_accuracy', 'val_loss', 'lr', 'learning_rate']",
    "{'accuracy': 2, 'loss': 2, 'val_accuracy': 2, 'val_loss': 2, 'lr': 2, 'learning_rate': 2}",
    '[0.25, 0.25] [0.10000000149011612, 0.10000000149011612]',
    '',
]

# verbose=1: Keras draws its bar in place even into a pipe; its first batch's drawing ("1/2 ━━━ ...
# loss: 0.7250") stayed on the line the callback's batch_end print then continued. glassnet draws in
# place only on a terminal and writes each epoch's final line alone elsewhere (KERAS_SEMANTICS.md),
# so that interim drawing is taken out of TF's lines below (INTERIM); the order is Keras's.
TF_OUTPUT_VERBOSE_1 = [
    'train_begin []',
    'epoch_begin 0',
    'Epoch 1/2',
    "1/2 ━━━━━━━━━━━━━━━━━━━━ 0s 928ms/step - accuracy: 0.4688 - loss: 0.7250batch_end 1 ['accuracy', 'loss']",
    "epoch_end 0 ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
    '2/2 ━━━━━━━━━━━━━━━━━━━━ 2s 672ms/step - accuracy: 0.5156 - loss: 0.6981 - val_accuracy: 0.5625 - val_loss: 0.6974 - lr: 0.2500 - learning_rate: 0.1000',
    'epoch_begin 1',
    'Epoch 2/2',
    "1/2 ━━━━━━━━━━━━━━━━━━━━ 0s 609ms/step - accuracy: 0.4688 - loss: 0.7234batch_end 1 ['accuracy', 'loss']",
    "epoch_end 1 ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
    '2/2 ━━━━━━━━━━━━━━━━━━━━ 1s 212ms/step - accuracy: 0.5156 - loss: 0.6963 - val_accuracy: 0.5625 - val_loss: 0.6954 - lr: 0.2500 - learning_rate: 0.1000',
    "train_end ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
    "['accuracy', 'loss', 'val_accuracy', 'val_loss', 'lr', 'learning_rate']",
    "{'accuracy': 2, 'loss': 2, 'val_accuracy': 2, 'val_loss': 2, 'lr': 2, 'learning_rate': 2}",
    '[0.25, 0.25] [0.10000000149011612, 0.10000000149011612]',
    '',
]
INTERIM = re.compile(r"^\d+/\d+ ━+ \d+s \d+[mu]?s/step - .*?(?=batch_end)")


def test_verbose_2_prints_a_callbacks_lines_and_logs_as_keras():
    keras.backend.clear_session()
    got = run_printing(PROGRAM.replace("VERBOSE", "2"))
    assert got == [FIT_TIMING.sub("", line) for line in TF_OUTPUT_VERBOSE_2]


def test_verbose_1_prints_the_final_progress_line_after_the_callbacks():
    keras.backend.clear_session()
    got = [PROGRESS_TIMING.sub("", line) for line in run_printing(PROGRAM.replace("VERBOSE", "1"))]
    assert got == [PROGRESS_TIMING.sub("", INTERIM.sub("", line)) for line in TF_OUTPUT_VERBOSE_1]


def _fit(callbacks, verbose):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = x[:, :1] * 0.5
    model = glassnet.Sequential([glassnet.Input((3,)), glassnet.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model.fit(x, y, batch_size=20, epochs=2, verbose=verbose, callbacks=callbacks)


def test_the_progress_line_is_the_last_callback_and_sees_what_others_added(capsys):
    seen = []

    class Adds(glassnet.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(list(logs))
            logs["extra"] = 7.0

    history = _fit([Adds()], verbose=2)
    lines = [line for line in capsys.readouterr().out.split("\n") if line.startswith("2/2")]
    assert len(lines) == 2 and all(line.endswith(" - extra: 7.0000") for line in lines), lines
    assert seen == [["loss"], ["loss"]]                     # the progress line had not run yet
    assert history.history["extra"] == [7.0, 7.0]


def test_a_print_at_epoch_begin_comes_before_the_epoch_line(capsys):
    class Talks(glassnet.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            print(f"starting {epoch}")

    _fit([Talks()], verbose=1)
    lines = capsys.readouterr().out.split("\n")
    assert lines[:2] == ["starting 0", "Epoch 1/2"]
    assert lines[3:5] == ["starting 1", "Epoch 2/2"]
