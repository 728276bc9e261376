"""keras.io's example "Simple MNIST convnet" (examples/vision/mnist_convnet.py), run renamed
(``import keras``, ``from keras import layers`` -> glassnet's) on stand-in MNIST arrays of the
real shapes and dtypes (300 training and 100 test images of uint8, labels uint8; there is no
network): np.expand_dims, keras.utils.to_categorical, the Sequential convnet's summary table,
fit(validation_split=0.1) with its default progress lines, evaluate(verbose=0) and the printed
``Test loss:`` / ``Test accuracy:`` lines. TF_OUTPUT was recorded under TensorFlow 2.21 /
Keras 3.15 (/work/peers/bin/python, KERAS_BACKEND=tensorflow). The numbers after training
depend on the starting weights and dropout's draws; what is compared there is their form:
Keras keeps its loss and metric totals in float32, so ``print(score[1])`` shows a float32's
value (``0.11999999731779099``), never ``0.09``.
"""
import contextlib
import io
import re

import numpy as np

from conftest import renamed

import glassnet
from glassnet import keras

PROGRAM = """\
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
num_classes = 10
input_shape = (28, 28, 1)
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
x_train = np.expand_dims(x_train, -1)
x_test = np.expand_dims(x_test, -1)
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)
print(y_train.dtype, y_train.shape, y_train[:2])
model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()
batch_size = 128
epochs = 2
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)
print(sorted(history.history), history.params["epochs"], history.params["steps"])
score = model.evaluate(x_test, y_test, verbose=0)
print(type(score).__name__, [type(s).__name__ for s in score])
print("Test loss:", score[0])
print("Test accuracy:", score[1])
"""

TF_OUTPUT = [
    'x_train shape: (300, 28, 28, 1)',
    '300 train samples',
    '100 test samples',
    'float64 (300, 10) [[0. 1. 0. 0. 0. 0. 0. 0. 0. 0.]',
    ' [0. 0. 0. 0. 0. 1. 0. 0. 0. 0.]]',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d (Conv2D)                 │ (None, 26, 26, 32)     │           320 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 13, 13, 32)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 11, 11, 64)     │        18,496 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_1 (MaxPooling2D)  │ (None, 5, 5, 64)       │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ flatten (Flatten)               │ (None, 1600)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, 1600)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 10)             │        16,010 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 34,826 (136.04 KB)',
    ' Trainable params: 34,826 (136.04 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Epoch 1/2',
    None,                       # the epoch's progress line (Keras redraws it with \\r; its form below)
    'Epoch 2/2',
    None,
    "['accuracy', 'loss', 'val_accuracy', 'val_loss'] 2 3",
    "list ['float', 'float']",
    None,                       # Test loss: 2.3197901248931885 (a float32's value)
    None,                       # Test accuracy: 0.11999999731779099 (k/100 in float32)
    '',
]

_PROGRESS = re.compile(r"^3/3 ━{20} \d+m?s \d+m?s/step - accuracy: \d\.\d{4} - loss: \d\.\d{4} "
                       r"- val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}$")


def _stand_in_mnist():
    rng = np.random.default_rng(0)
    return ((rng.integers(0, 256, (300, 28, 28), dtype=np.uint8), rng.integers(0, 10, 300, dtype=np.uint8)),
            (rng.integers(0, 256, (100, 28, 28), dtype=np.uint8), rng.integers(0, 10, 100, dtype=np.uint8)))


def test_mnist_convnet(monkeypatch):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.setattr(keras.datasets.mnist, "load_data", _stand_in_mnist)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(renamed(PROGRAM), "mnist_convnet", "exec"), {})
    lines = out.getvalue().split("\n")
    assert len(lines) == len(TF_OUTPUT), "\n".join(lines)
    for got, want in zip(lines, TF_OUTPUT):
        if want is not None:
            assert got == want
    assert _PROGRESS.match(lines[27]) and _PROGRESS.match(lines[29]), lines[27:30]
    loss = float(lines[32].removeprefix("Test loss: "))
    accuracy = float(lines[33].removeprefix("Test accuracy: "))
    assert 1.5 < loss < 3.5                         # ten classes of noise: about ln(10)
    assert loss == float(np.float32(loss))          # a float32's value, as Keras's
    assert accuracy in [float(np.float32(k / 100)) for k in range(101)]
    assert lines[33] == f"Test accuracy: {accuracy!r}"


def test_logs_are_float32_values_unless_floatx_is_float64(float64):
    """Under floatx float64 the loop's numbers keep float64 (nothing to round to)."""
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    x = np.eye(2)[[0, 1, 0, 1, 0, 1, 0, 1, 0, 1]] * np.arange(1, 11)[:, None]
    y = keras.utils.to_categorical([0, 1, 0, 1, 1, 0, 0, 1, 1, 1], 2)
    model.set_weights([np.eye(2), np.zeros(2)])     # predicts the class of x's nonzero entry
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy == 0.7                          # 7 of 10 right; float32 would give 0.699999988079071
    assert glassnet.config.floatx() == "float64"


def test_train_on_batch_gives_float32_values_and_sorted_logs():
    """As Keras 3.15: [1.7136566638946533, 0.4285714328289032] and {'accuracy': ..., 'loss': ...}."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    x, y = np.arange(21, dtype="float32").reshape(7, 3) / 10, np.array([0, 1, 1, 0, 1, 0, 1])
    loss, accuracy = model.train_on_batch(x, y)
    assert accuracy == float(np.float32(3 / 7)) == 0.4285714328289032
    assert loss == float(np.float32(loss))
    logs = model.train_on_batch(x, y, return_dict=True)
    assert list(logs) == ["accuracy", "loss"]
