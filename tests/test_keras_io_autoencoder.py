"""keras.io's example "Convolutional autoencoder for image denoising" (examples/vision/autoencoder.py),
run renamed (``from keras.datasets import mnist``, ``from keras.models import Model``) on stand-in
MNIST arrays (256 and 64 random uint8 images, patched into mnist.load_data as the program shows):
preprocess, noise with np.random.normal and np.clip, the Conv2D / MaxPooling2D / Conv2DTranspose
autoencoder's summary, fit(shuffle=True, validation_data) on clean then noisy images, predict.
TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15; the seeded starting weights give the
same training: the losses agree to float32's last digits, fit's lines in form (their times differ).

The model ends in a Conv2D whose sigmoid meets binary_crossentropy (the declared shortcut
dZ = A - Y): on the fast path its forward ran on glassnet.fast.conv's twin, which keeps the
padded input, not the patches, and the shortcut's backward_from_z read the missing patches
(AttributeError). Checked here too: that step gives the readable path's gradients.
"""
import contextlib
import io
import re

import numpy as np
import pytest

from conftest import _numbers_close, renamed

import glassnet
from glassnet import fast, keras

PROGRAM = """\
import numpy as np
from keras import layers
from keras.datasets import mnist
from keras.models import Model
import keras
keras.utils.set_random_seed(0)
_r = np.random.default_rng(0)       # stand-in MNIST (no network): uint8 images, as load_data gives
mnist.load_data = lambda: ((_r.integers(0, 256, (256, 28, 28), dtype=np.uint8), _r.integers(0, 10, 256, dtype=np.uint8)),
                           (_r.integers(0, 256, (64, 28, 28), dtype=np.uint8), _r.integers(0, 10, 64, dtype=np.uint8)))

def preprocess(array):
    array = array.astype("float32") / 255.0
    array = np.reshape(array, (len(array), 28, 28, 1))
    return array

def noise(array):
    noise_factor = 0.4
    noisy_array = array + noise_factor * np.random.normal(
        loc=0.0, scale=1.0, size=array.shape
    )
    return np.clip(noisy_array, 0.0, 1.0)

(train_data, _), (test_data, _) = mnist.load_data()
train_data = preprocess(train_data)
test_data = preprocess(test_data)
noisy_train_data = noise(train_data)
noisy_test_data = noise(test_data)
print(train_data.dtype, noisy_train_data.dtype, noisy_train_data.shape, float(noisy_train_data[0, 0, 0, 0]))
input = layers.Input(shape=(28, 28, 1))
x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
autoencoder = Model(input, x)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
autoencoder.summary()
h = autoencoder.fit(
    x=train_data,
    y=train_data,
    epochs=2,
    batch_size=128,
    shuffle=True,
    validation_data=(test_data, test_data),
    verbose=2,
)
predictions = autoencoder.predict(test_data, verbose=0)
print(predictions.shape, predictions.dtype)
h = autoencoder.fit(
    x=noisy_train_data,
    y=train_data,
    epochs=2,
    batch_size=128,
    shuffle=True,
    validation_data=(noisy_test_data, noisy_test_data),
    verbose=2,
)
print(h.history)
predictions = autoencoder.predict(noisy_test_data, verbose=0)
print(predictions.shape)
"""

TF_OUTPUT = [
    'float32 float64 (256, 28, 28, 1) 1.0',
    'Model: "functional"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer (InputLayer)        │ (None, 28, 28, 1)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d (Conv2D)                 │ (None, 28, 28, 32)     │           320 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 14, 14, 32)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 14, 14, 32)     │         9,248 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_1 (MaxPooling2D)  │ (None, 7, 7, 32)       │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_transpose                │ (None, 14, 14, 32)     │         9,248 │',
    '│ (Conv2DTranspose)               │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_transpose_1              │ (None, 28, 28, 32)     │         9,248 │',
    '│ (Conv2DTranspose)               │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (None, 28, 28, 1)      │           289 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 28,353 (110.75 KB)',
    ' Trainable params: 28,353 (110.75 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Epoch 1/2',
    '2/2 - 11s - 5s/step - loss: 0.6932 - val_loss: 0.6931',
    'Epoch 2/2',
    '2/2 - 1s - 428ms/step - loss: 0.6931 - val_loss: 0.6931',
    '(64, 28, 28, 1) float32',
    'Epoch 1/2',
    '2/2 - 2s - 949ms/step - loss: 0.6931 - val_loss: 0.6930',
    'Epoch 2/2',
    '2/2 - 1s - 600ms/step - loss: 0.6931 - val_loss: 0.6930',
    "{'loss': [0.693092942237854, 0.6930615305900574], 'val_loss': [0.6930204033851624, 0.6929669380187988]}",
    '(64, 28, 28, 1)',
    '',
]

_EPOCH = re.compile(r"^2/2 - \d+s - \d+m?s/step - loss: (\d\.\d{4}) - val_loss: (\d\.\d{4})$")


def test_autoencoder():
    keras.backend.clear_session()               # layer names count as in a fresh process
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(renamed(PROGRAM), "autoencoder", "exec"), {})
    lines = out.getvalue().split("\n")
    assert len(lines) == len(TF_OUTPUT), "\n".join(lines)
    for got, want in zip(lines, TF_OUTPUT):
        if want.startswith("2/2 - "):
            ours, theirs = _EPOCH.match(got), _EPOCH.match(want)
            assert ours, got
            assert ours.groups() == theirs.groups(), (got, want)
        elif want.startswith("{'loss'"):
            assert _numbers_close(got, want, rtol=1e-6), (got, want)
        else:
            assert got == want


def test_a_last_conv2d_with_the_sigmoid_shortcut_on_the_fast_path():
    pytest.importorskip("numba")                # the fast conv passes exist only with numba
    rng = np.random.default_rng(3)
    x = rng.random((8, 12, 12, 1), dtype=np.float32)

    def step(kernels):
        before = fast.kernels()
        fast.set_kernels(kernels)
        try:
            glassnet.utils.set_random_seed(1)
            inputs = keras.Input((12, 12, 1))        # 3 x 3 x 1 windows: the twin's direct pass, no P kept
            h = keras.layers.Conv2D(4, 3, activation="relu", padding="same")(inputs)
            h = keras.layers.Conv2D(1, 1, activation="relu")(h)
            outputs = keras.layers.Conv2D(1, 3, activation="sigmoid", padding="same")(h)
            model = keras.Model(inputs, outputs)
            model.compile(optimizer="sgd", loss="binary_crossentropy")
            loss = model.train_on_batch(x, x)
            return loss, model.get_weights()
        finally:
            fast.set_kernels(before)
    (loss1, w1), (loss0, w0) = step("numba"), step("numpy")
    np.testing.assert_allclose(loss1, loss0, rtol=1e-6)
    for a, b in zip(w1, w0):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
