"""Keras's guide "Introduction to Keras for engineers" (keras.io guides/intro_to_keras_for_engineers.py,
Keras 3), run renamed on random 28x28 images in place of MNIST (fewer, batch 32): the convnet's
summary, fit with validation_split, ModelCheckpoint("model_at_epoch_{epoch}.keras") and EarlyStopping,
evaluate, save/load_model, predict; MyDense / MyDropout (keras.ops, keras.random.dropout with a
SeedGenerator) inside a subclassed MyModel (summary: '?' for MyDense, as Keras: a layer written with
call and no compute_output_shape), fit on arrays and on a tf.data pipeline. The torch DataLoader
cell is left out (no torch in glassnet's environment). TF_OUTPUT was recorded under TensorFlow 2.21 /
Keras 3.15 (/work/peers/bin/python).
"""

from conftest import assert_guide_prints, renamed

from glassnet import keras

PROGRAM = """\
import numpy as np
import os
import tempfile
import keras
keras.utils.set_random_seed(1)
os.chdir(tempfile.mkdtemp())
rng = np.random.default_rng(0)   # (MNIST in the guide)
x_train = rng.integers(0, 256, (80, 28, 28)).astype("uint8")
y_train = rng.integers(0, 10, 80).astype("uint8")
x_test = rng.integers(0, 256, (20, 28, 28)).astype("uint8")
y_test = rng.integers(0, 10, 20).astype("uint8")
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
x_train = np.expand_dims(x_train, -1)
x_test = np.expand_dims(x_test, -1)
print("x_train shape:", x_train.shape)
print("y_train shape:", y_train.shape)
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")
num_classes = 10
input_shape = (28, 28, 1)
model = keras.Sequential(
    [
        keras.layers.Input(shape=input_shape),
        keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Conv2D(128, kernel_size=(3, 3), activation="relu"),
        keras.layers.Conv2D(128, kernel_size=(3, 3), activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(),
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
)
batch_size = 32
epochs = 2
callbacks = [
    keras.callbacks.ModelCheckpoint(filepath="model_at_epoch_{epoch}.keras"),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=2),
]
h = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.15, callbacks=callbacks, verbose=0)
print(list(h.history), h.params)
print(sorted(os.listdir(".")))
score = model.evaluate(x_test, y_test, verbose=0)
print(type(score).__name__, len(score))
model.save("final_model.keras")
model = keras.saving.load_model("final_model.keras")
predictions = model.predict(x_test, verbose=0)
print(predictions.shape, predictions.dtype, np.allclose(predictions.sum(axis=1), 1, atol=1e-5))
model.summary()

class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, name=None):
        super().__init__(name=name)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.w = self.add_weight(shape=(input_dim, self.units), initializer=keras.initializers.GlorotNormal(), name="kernel", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer=keras.initializers.Zeros(), name="bias", trainable=True)

    def call(self, inputs):
        x = keras.ops.matmul(inputs, self.w) + self.b
        return self.activation(x)


class MyDropout(keras.layers.Layer):
    def __init__(self, rate, name=None):
        super().__init__(name=name)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)


class MyModel(keras.Model):
    def __init__(self, num_classes):
        super().__init__()
        self.conv_base = keras.Sequential(
            [
                keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
                keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
                keras.layers.MaxPooling2D(pool_size=(2, 2)),
                keras.layers.Conv2D(128, kernel_size=(3, 3), activation="relu"),
                keras.layers.Conv2D(128, kernel_size=(3, 3), activation="relu"),
                keras.layers.GlobalAveragePooling2D(),
            ]
        )
        self.dp = MyDropout(0.5)
        self.dense = MyDense(num_classes, activation="softmax")

    def call(self, x):
        x = self.conv_base(x)
        x = self.dp(x)
        return self.dense(x)


dp = MyDropout(0.5)
y = dp(np.ones((2, 4)), training=True)
print(y.shape, sorted(set(np.asarray(y).ravel().tolist())) <= [0.0, 2.0])
model = MyModel(num_classes=10)
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(),
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
)
h = model.fit(x_train, y_train, batch_size=batch_size, epochs=1, validation_split=0.15, verbose=0)
print(list(h.history))
print(len(model.weights), len(model.trainable_weights), len(model.non_trainable_weights))
print([v.path for v in model.non_trainable_weights])
model.summary()
import tensorflow as tf
train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(batch_size).prefetch(tf.data.AUTOTUNE)
test_dataset = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size).prefetch(tf.data.AUTOTUNE)
model = MyModel(num_classes=10)
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(),
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
)
h = model.fit(train_dataset, epochs=1, validation_data=test_dataset, verbose=0)
print(list(h.history))
"""

TF_OUTPUT = [
    'x_train shape: (80, 28, 28, 1)',
    'y_train shape: (80,)',
    '80 train samples',
    '20 test samples',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d (Conv2D)                 │ (None, 26, 26, 64)     │           640 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 24, 24, 64)     │        36,928 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 12, 12, 64)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (None, 10, 10, 128)    │        73,856 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_3 (Conv2D)               │ (None, 8, 8, 128)      │       147,584 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_average_pooling2d        │ (None, 128)            │             0 │',
    '│ (GlobalAveragePooling2D)        │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, 128)            │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 10)             │         1,290 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 260,298 (1016.79 KB)',
    ' Trainable params: 260,298 (1016.79 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    "['acc', 'loss', 'val_acc', 'val_loss'] {'verbose': 0, 'epochs': 2, 'steps': 3}",
    "['model_at_epoch_1.keras', 'model_at_epoch_2.keras']",
    'list 2',
    '(20, 10) float32 True',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d (Conv2D)                 │ (None, 26, 26, 64)     │           640 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 24, 24, 64)     │        36,928 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 12, 12, 64)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (None, 10, 10, 128)    │        73,856 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_3 (Conv2D)               │ (None, 8, 8, 128)      │       147,584 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_average_pooling2d        │ (None, 128)            │             0 │',
    '│ (GlobalAveragePooling2D)        │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, 128)            │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 10)             │         1,290 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 780,896 (2.98 MB)',
    ' Trainable params: 260,298 (1016.79 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 520,598 (1.99 MB)',
    '(2, 4) True',
    "['acc', 'loss', 'val_acc', 'val_loss']",
    '10 10 0',
    '[]',
    'Model: "my_model"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ sequential_1 (Sequential)       │ (None, 128)            │       259,008 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ my_dropout_1 (MyDropout)        │ ?                      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ my_dense (MyDense)              │ ?                      │         1,290 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 780,896 (2.98 MB)',
    ' Trainable params: 260,298 (1016.79 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 520,598 (1.99 MB)',
    "['acc', 'loss', 'val_acc', 'val_loss']",
    '',
]


def test_intro_to_keras_for_engineers():
    keras.backend.clear_session()               # names count as in a fresh process
    assert_guide_prints(renamed(PROGRAM), "intro_to_keras_for_engineers", TF_OUTPUT)


SEED_PROGRAM = """\
import numpy as np
import tensorflow as tf
import keras
keras.backend.clear_session()
keras.utils.set_random_seed(0)
g = keras.random.SeedGenerator(1337)
print(g.state)
keras.random.normal((2,), seed=g)
keras.random.uniform((2,), seed=g)
print(g.state.numpy(), g.state.trainable, g.state.dtype == "int64", g.state.name)
class MyDropout(keras.layers.Layer):
    def __init__(self, rate, name=None):
        super().__init__(name=name)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1337)
    def call(self, inputs):
        return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)
dp = MyDropout(0.5)
dp(np.ones((2, 4)))
print(dp.seed_generator.state.numpy(), dp.trainable_weights, dp.non_trainable_weights)
"""

SEED_TF_OUTPUT = [
    '<Variable path=seed_generator/seed_generator_state, shape=(2,), dtype=int64, value=[1337    0]>',
    '[1337    2] False True seed_generator_state',
    '[1337    1] [] []',
    '',
]


def test_seed_generator_state():
    """MyDropout's SeedGenerator: Keras's state variable [seed, draws] (int64, not trainable, no
    weight of the layer), moved on by one per draw; glassnet's trial call that finds a layer's
    output shape draws nothing."""
    keras.backend.clear_session()
    assert_guide_prints(renamed(SEED_PROGRAM), "seed_generator", SEED_TF_OUTPUT)
