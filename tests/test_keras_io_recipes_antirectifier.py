"""keras.io's recipe "Simple custom layer example: Antirectifier" (examples/keras_recipes/antirectifier.py,
its Keras 3 version with ``keras.ops``), run renamed on stand-in MNIST arrays (600 and 100 random uint8
images patched into mnist.load_data): the layer's ``build``/``call``/``get_config`` with a
``keras.initializers.get("he_normal")`` initializer, a Sequential of Dense/Antirectifier/Dropout,
RMSprop with a from-logits SparseCategoricalCrossentropy, fit with validation_split, evaluate; the
summary and the layer's config printed too. Two epochs instead of twenty. TF_OUTPUT was recorded
under TensorFlow 2.21 / Keras 3.15 from the same seeded program; fit's timings are not compared.
"""
import re

from conftest import _numbers_close, run_printing

from glassnet import keras

TIMING = re.compile(r" - \d+m?s - \d+[mu]?s/step")     # fit's timings ("473us/step" too)

PROGRAM = """\
import keras
from keras import layers
from keras import ops
import numpy as np
keras.utils.set_random_seed(0)
_r = np.random.default_rng(0)
keras.datasets.mnist.load_data = lambda: ((_r.integers(0, 256, (600, 28, 28), dtype=np.uint8), _r.integers(0, 10, 600, dtype=np.uint8)),
                                          (_r.integers(0, 256, (100, 28, 28), dtype=np.uint8), _r.integers(0, 10, 100, dtype=np.uint8)))


class Antirectifier(layers.Layer):
    def __init__(self, initializer="he_normal", **kwargs):
        super().__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        output_dim = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(output_dim * 2, output_dim),
            initializer=self.initializer,
            name="kernel",
            trainable=True,
        )

    def call(self, inputs):
        inputs -= ops.mean(inputs, axis=-1, keepdims=True)
        pos = ops.relu(inputs)
        neg = ops.relu(-inputs)
        concatenated = ops.concatenate([pos, neg], axis=-1)
        mixed = ops.matmul(concatenated, self.kernel)
        return mixed

    def get_config(self):
        base_config = super().get_config()
        config = {"initializer": keras.initializers.serialize(self.initializer)}
        return dict(list(base_config.items()) + list(config.items()))


batch_size = 128
num_classes = 10
epochs = 2
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 784)
x_test = x_test.reshape(-1, 784)
x_train = x_train.astype("float32")
x_test = x_test.astype("float32")
x_train /= 255
x_test /= 255
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")
model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256),
        Antirectifier(),
        layers.Dense(256),
        Antirectifier(),
        layers.Dropout(0.5),
        layers.Dense(10),
    ]
)
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.RMSprop(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
model.summary()
h = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.15, verbose=2)
print(sorted(h.history))
print(model.evaluate(x_test, y_test, verbose=0))
print(model.layers[1].get_config())
print(model.layers[1].kernel.shape, model.layers[1].kernel.path)
"""

TF_OUTPUT = [
    '600 train samples',
    '100 test samples',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense (Dense)                   │ (None, 256)            │       200,960 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ antirectifier (Antirectifier)   │ (None, 256)            │       131,072 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 256)            │        65,792 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ antirectifier_1 (Antirectifier) │ (None, 256)            │       131,072 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, 256)            │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_2 (Dense)                 │ (None, 10)             │         2,570 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 531,466 (2.03 MB)',
    ' Trainable params: 531,466 (2.03 MB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Epoch 1/2',
    '4/4 - 4s - 1s/step - loss: 8.8236 - sparse_categorical_accuracy: 0.0824 - val_loss: 6.1936 - val_sparse_categorical_accuracy: 0.0778',
    'Epoch 2/2',
    '4/4 - 1s - 176ms/step - loss: 5.0674 - sparse_categorical_accuracy: 0.1176 - val_loss: 3.6759 - val_sparse_categorical_accuracy: 0.0889',
    "['loss', 'sparse_categorical_accuracy', 'val_loss', 'val_sparse_categorical_accuracy']",
    '[3.9437716007232666, 0.09000000357627869]',
    "{'name': 'antirectifier', 'trainable': True, 'dtype': {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None}, 'initializer': {'module': 'keras.initializers', 'class_name': 'HeNormal', 'config': {'seed': None, 'input_axes': None, 'output_axes': None}, 'registered_name': None}}",
    '(512, 256) sequential/antirectifier/kernel',
    '',
]

NUMERIC = [26]     # float32 sums in another order may differ in the last digits there


def test_antirectifier():
    keras.backend.clear_session()               # names and seeds as in a fresh process
    got = [TIMING.sub("", line) for line in run_printing(PROGRAM)]
    want = [TIMING.sub("", line) for line in TF_OUTPUT]
    assert len(got) == len(want), "\n".join(got)
    for i, (g, w) in enumerate(zip(got, want)):
        assert _numbers_close(g, w) if i in NUMERIC else g == w, (i, g, w)
