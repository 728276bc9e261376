"""keras.io's recipe "Customizing the convolution operation of a Conv2D layer"
(examples/keras_recipes/subclassing_conv_layers.py, its Keras 3 version), run renamed on stand-in
MNIST arrays (96 and 16 random uint8 images patched into mnist.load_data): a Conv2D subclass that
overrides ``convolution_op`` (standardized kernel through ``tf.nn.moments`` and ``tf.nn.conv2d``) and
one whose ``call`` calls ``self.convolution_op(inputs, standardized kernel)``, in a Sequential with
pooling, Dropout and Dense; summary, fit (two epochs instead of five), the layer called on data,
evaluate. TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15 from the same seeded program
(the History's and evaluate's numbers agree to float32's last digits).

What it showed: Conv layers had no ``convolution_op`` (AttributeError); it is now the recorded
convolution the layer's own recorded forward uses, and a subclass overriding it trains through it.
"""
import re

from conftest import _numbers_close, run_printing

from glassnet import keras

TIMING = re.compile(r" - \d+m?s - \d+[mu]?s/step")     # fit's timings ("473us/step" too)

PROGRAM = """\
import os
os.environ["KERAS_BACKEND"] = "tensorflow"
import tensorflow as tf
import keras
from keras import layers
import numpy as np
keras.utils.set_random_seed(0)
_r = np.random.default_rng(0)
keras.datasets.mnist.load_data = lambda: ((_r.integers(0, 256, (96, 28, 28), dtype=np.uint8), _r.integers(0, 10, 96, dtype=np.uint8)),
                                          (_r.integers(0, 256, (16, 28, 28), dtype=np.uint8), _r.integers(0, 10, 16, dtype=np.uint8)))


class StandardizedConv2DWithOverride(layers.Conv2D):
    def convolution_op(self, inputs, kernel):
        mean, var = tf.nn.moments(kernel, axes=[0, 1, 2], keepdims=True)
        return tf.nn.conv2d(
            inputs,
            (kernel - mean) / tf.sqrt(var + 1e-10),
            padding="VALID",
            strides=list(self.strides),
            name=self.__class__.__name__,
        )


class StandardizedConv2DWithCall(layers.Conv2D):
    def call(self, inputs):
        mean, var = tf.nn.moments(self.kernel, axes=[0, 1, 2], keepdims=True)
        result = self.convolution_op(
            inputs, (self.kernel - mean) / tf.sqrt(var + 1e-10)
        )
        if self.use_bias:
            result = result + self.bias
        return result


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
model = keras.Sequential(
    [
        keras.layers.Input(shape=input_shape),
        StandardizedConv2DWithCall(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        StandardizedConv2DWithOverride(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()
batch_size = 128
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
h = model.fit(x_train, y_train, batch_size=batch_size, epochs=2, validation_split=0.1, verbose=2)
print(h.history)
layer = model.layers[0]
k = layer.kernel
m, v = tf.nn.moments(k, axes=[0, 1, 2], keepdims=True)
print(m.shape, v.shape)
out = layer(x_test[:2])
print(out.shape, out.dtype)
print(model.evaluate(x_test, y_test, verbose=0))
"""

TF_OUTPUT = [
    'x_train shape: (96, 28, 28, 1)',
    '96 train samples',
    '16 test samples',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ standardized_conv2d_with_call   │ (None, 26, 26, 32)     │           320 │',
    '│ (StandardizedConv2DWithCall)    │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 13, 13, 32)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ standardized_conv2d_with_overr… │ (None, 11, 11, 64)     │        18,496 │',
    '│ (StandardizedConv2DWithOverrid… │                        │               │',
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
    '1/1 - 22s - 22s/step - accuracy: 0.1047 - loss: 29.5895 - val_accuracy: 0.3000 - val_loss: 10.4483',
    'Epoch 2/2',
    '1/1 - 1s - 1s/step - accuracy: 0.1860 - loss: 25.9291 - val_accuracy: 0.1000 - val_loss: 12.3848',
    "{'accuracy': [0.10465116053819656, 0.1860465109348297], 'loss': [29.589540481567383, 25.929141998291016], 'val_accuracy': [0.30000001192092896, 0.10000000149011612], 'val_loss': [10.448287963867188, 12.38476276397705]}",
    '(1, 1, 1, 32) (1, 1, 1, 32)',
    "(2, 26, 26, 32) <dtype: 'float32'>",
    '[21.00339126586914, 0.0625]',
    '',
]

NUMERIC = [30, 33]     # float32 sums in another order may differ in the last digits there


def test_subclassing_conv_layers():
    keras.backend.clear_session()               # names and seeds as in a fresh process
    got = [TIMING.sub("", line) for line in run_printing(PROGRAM)]
    want = [TIMING.sub("", line) for line in TF_OUTPUT]
    assert len(got) == len(want), "\n".join(got)
    for i, (g, w) in enumerate(zip(got, want)):
        assert _numbers_close(g, w) if i in NUMERIC else g == w, (i, g, w)
