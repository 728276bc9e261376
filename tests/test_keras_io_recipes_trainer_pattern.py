"""keras.io's recipe "Trainer pattern" (examples/keras_recipes/trainer_pattern.py, its Keras 3
version), run renamed on stand-in MNIST arrays (320 and 64 random uint8 images patched into
mnist.load_data): a ``MyTrainer(keras.Model)`` wrapping a Sequential (``Flatten(input_shape=...)``)
and a functional model, with its own loss, a ``metrics`` property, ``train_step`` and ``test_step``,
compiled with only an optimizer (SGD, then Adam) and fit with validation data; then evaluate and
predict through the trainer. Two epochs instead of five. TF_OUTPUT was recorded under
TensorFlow 2.21 / Keras 3.15 from the same seeded program; fit's timings are not compared.
"""
import re

from conftest import _numbers_close, run_printing

from glassnet import keras

TIMING = re.compile(r" - \d+m?s - \d+[mu]?s/step")     # fit's timings ("473us/step" too)

PROGRAM = """\
import os
os.environ["KERAS_BACKEND"] = "tensorflow"
import numpy as np
import tensorflow as tf
import keras
keras.utils.set_random_seed(0)
_r = np.random.default_rng(0)
keras.datasets.mnist.load_data = lambda: ((_r.integers(0, 256, (320, 28, 28), dtype=np.uint8), _r.integers(0, 10, 320, dtype=np.uint8)),
                                          (_r.integers(0, 256, (64, 28, 28), dtype=np.uint8), _r.integers(0, 10, 64, dtype=np.uint8)))
mnist = keras.datasets.mnist
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0


class MyTrainer(keras.Model):
    def __init__(self, model):
        super().__init__()
        self.model = model
        self.loss_fn = keras.losses.SparseCategoricalCrossentropy()
        self.accuracy_metric = keras.metrics.SparseCategoricalAccuracy()

    @property
    def metrics(self):
        return [self.accuracy_metric]

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self.model(x, training=True)
            loss = self.loss_fn(y, y_pred)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))
        for metric in self.metrics:
            metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        y_pred = self.model(x, training=False)
        for metric in self.metrics:
            metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def call(self, x):
        x = self.model(x)
        return x


model_a = keras.models.Sequential(
    [
        keras.layers.Flatten(input_shape=(28, 28)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
func_input = keras.Input(shape=(28, 28, 1))
x = keras.layers.Flatten(input_shape=(28, 28))(func_input)
x = keras.layers.Dense(512, activation="relu")(x)
x = keras.layers.Dropout(0.4)(x)
func_output = keras.layers.Dense(10, activation="softmax")(x)
model_b = keras.Model(func_input, func_output)
trainer_1 = MyTrainer(model_a)
trainer_2 = MyTrainer(model_b)
trainer_1.compile(optimizer=keras.optimizers.SGD())
h = trainer_1.fit(
    x_train, y_train, epochs=2, batch_size=64, validation_data=(x_test, y_test), verbose=2
)
print(sorted(h.history), len(trainer_1.trainable_variables))
trainer_2.compile(optimizer=keras.optimizers.Adam())
h = trainer_2.fit(
    x_train, y_train, epochs=2, batch_size=64, validation_data=(x_test, y_test), verbose=2
)
print(sorted(h.history), len(trainer_2.trainable_variables))
print(trainer_2.evaluate(x_test, y_test, verbose=0))
print(trainer_2.predict(x_test[:3], verbose=0).shape)
"""

TF_OUTPUT = [
    'Epoch 1/2',
    '5/5 - 1s - 199ms/step - sparse_categorical_accuracy: 0.0969 - val_sparse_categorical_accuracy: 0.1406',
    'Epoch 2/2',
    '5/5 - 0s - 64ms/step - sparse_categorical_accuracy: 0.1375 - val_sparse_categorical_accuracy: 0.1250',
    "['sparse_categorical_accuracy', 'val_sparse_categorical_accuracy'] 4",
    'Epoch 1/2',
    '5/5 - 3s - 536ms/step - sparse_categorical_accuracy: 0.1000 - val_sparse_categorical_accuracy: 0.0781',
    'Epoch 2/2',
    '5/5 - 1s - 209ms/step - sparse_categorical_accuracy: 0.1312 - val_sparse_categorical_accuracy: 0.1562',
    "['sparse_categorical_accuracy', 'val_sparse_categorical_accuracy'] 4",
    '0.15625',
    '(3, 10)',
    '',
]

NUMERIC = []     # float32 sums in another order may differ in the last digits there


def test_trainer_pattern():
    keras.backend.clear_session()               # names and seeds as in a fresh process
    got = [TIMING.sub("", line) for line in run_printing(PROGRAM)]
    want = [TIMING.sub("", line) for line in TF_OUTPUT]
    assert len(got) == len(want), "\n".join(got)
    for i, (g, w) in enumerate(zip(got, want)):
        assert _numbers_close(g, w) if i in NUMERIC else g == w, (i, g, w)
