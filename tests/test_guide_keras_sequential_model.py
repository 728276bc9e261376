"""Keras's guide "The Sequential model" (keras.io guides/sequential_model.py, Keras 3), its calls run
renamed (``import glassnet as tf``, ``from glassnet import keras``): add/pop, weights before and after
a build, summaries at each stage (unbuilt, built by a call, from an Input), the feature extractor over
every layer's output (a functional chain with several outputs: Keras's table without "Connected
to"), freezing model.layers[:-1], and a frozen base inside a Sequential (a small one in place of Xception).

TF_OUTPUT was recorded from this program under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python)."""

from conftest import assert_guide_prints, renamed

from glassnet import keras

PROGRAM = """\
import numpy as np
import tensorflow as tf
import keras
from keras import layers

keras.backend.clear_session()
model = keras.Sequential([
    layers.Dense(2, activation="relu", name="layer1"),
    layers.Dense(3, activation="relu", name="layer2"),
    layers.Dense(4, name="layer3"),
])
y = model(tf.ones((3, 3)))
print(y.shape, y.dtype, [w.name for w in model.weights])

model = keras.Sequential()
model.add(layers.Dense(2, activation="relu"))
model.add(layers.Dense(3, activation="relu"))
model.add(layers.Dense(4))
model.pop()
print(len(model.layers), [layer.name for layer in model.layers])

layer = layers.Dense(3)
print(layer.weights)
y = layer(tf.ones((1, 4)))
print([(w.path, tuple(w.shape)) for w in layer.weights])
print(layer.weights[1])

model = keras.Sequential([
    layers.Dense(2, activation="relu"),
    layers.Dense(3, activation="relu"),
    layers.Dense(4),
])
print(model.built, model.weights)
model.summary()
y = model(tf.ones((1, 4)))
print("Number of weights after calling the model:", len(model.weights))
model.summary()

model = keras.Sequential()
model.add(keras.Input(shape=(4,)))
model.add(layers.Dense(2, activation="relu"))
model.summary()
print([layer.name for layer in model.layers], model.input_shape, model.output_shape)

model = keras.Sequential()
model.add(keras.Input(shape=(250, 250, 3)))
model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(3))
model.summary()
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(3))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(2))
model.add(layers.GlobalMaxPooling2D())
model.add(layers.Dense(10))
model.summary()

initial_model = keras.Sequential([
    keras.Input(shape=(250, 250, 3)),
    layers.Conv2D(32, 5, strides=2, activation="relu"),
    layers.Conv2D(32, 3, activation="relu", name="my_intermediate_layer"),
    layers.Conv2D(32, 3, activation="relu"),
])
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=[layer.output for layer in initial_model.layers],
)
features = feature_extractor(tf.ones((1, 250, 250, 3)))
print(type(features).__name__, [tuple(f.shape) for f in features])
feature_extractor.summary()
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=initial_model.get_layer(name="my_intermediate_layer").output,
)
one = feature_extractor(tf.ones((1, 250, 250, 3)))
print(tuple(one.shape), bool(np.allclose(one, features[1], atol=1e-6)))
feature_extractor.summary()

model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(10),
])
for layer in model.layers[:-1]:
    layer.trainable = False
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
before = model.get_weights()
model.fit(np.random.rand(64, 784).astype("float32"), np.random.randint(0, 10, 64), epochs=1, verbose=0)
print([bool(np.array_equal(a, b)) for a, b in zip(before, model.get_weights())])
model.summary()

base_model = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.GlobalAveragePooling2D()], name="base")
base_model.trainable = False
model = keras.Sequential([base_model, layers.Dense(1000)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.ones((4, 8, 8, 3)), np.ones((4, 1000)), verbose=0)
print(len(model.trainable_weights), len(model.non_trainable_weights))
model.summary()
"""

TF_OUTPUT = [
    "(3, 4) <dtype: 'float32'> ['kernel', 'bias', 'kernel', 'bias', 'kernel', 'bias']",
    "2 ['dense', 'dense_1']",
    '[]',
    "[('dense_3/kernel', (4, 3)), ('dense_3/bias', (3,))]",
    '<Variable path=dense_3/bias, shape=(3,), dtype=float32, value=[0. 0. 0.]>',
    'False []',
    'Model: "sequential_2"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense_4 (Dense)                 │ ?                      │   0 (unbuilt) │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_5 (Dense)                 │ ?                      │   0 (unbuilt) │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_6 (Dense)                 │ ?                      │   0 (unbuilt) │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 0 (0.00 B)',
    ' Trainable params: 0 (0.00 B)',
    ' Non-trainable params: 0 (0.00 B)',
    'Number of weights after calling the model: 6',
    'Model: "sequential_2"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense_4 (Dense)                 │ (1, 2)                 │            10 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_5 (Dense)                 │ (1, 3)                 │             9 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_6 (Dense)                 │ (1, 4)                 │            16 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 35 (140.00 B)',
    ' Trainable params: 35 (140.00 B)',
    ' Non-trainable params: 0 (0.00 B)',
    'Model: "sequential_3"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense_7 (Dense)                 │ (None, 2)              │            10 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 10 (40.00 B)',
    ' Trainable params: 10 (40.00 B)',
    ' Non-trainable params: 0 (0.00 B)',
    "['dense_7'] (None, 4) (None, 2)",
    'Model: "sequential_4"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d (Conv2D)                 │ (None, 123, 123, 32)   │         2,432 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 121, 121, 32)   │         9,248 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 40, 40, 32)     │             0 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 11,680 (45.62 KB)',
    ' Trainable params: 11,680 (45.62 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Model: "sequential_4"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d (Conv2D)                 │ (None, 123, 123, 32)   │         2,432 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 121, 121, 32)   │         9,248 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 40, 40, 32)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (None, 38, 38, 32)     │         9,248 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_3 (Conv2D)               │ (None, 36, 36, 32)     │         9,248 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_1 (MaxPooling2D)  │ (None, 12, 12, 32)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_4 (Conv2D)               │ (None, 10, 10, 32)     │         9,248 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_5 (Conv2D)               │ (None, 8, 8, 32)       │         9,248 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_2 (MaxPooling2D)  │ (None, 4, 4, 32)       │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_max_pooling2d            │ (None, 32)             │             0 │',
    '│ (GlobalMaxPooling2D)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_8 (Dense)                 │ (None, 10)             │           330 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 49,002 (191.41 KB)',
    ' Trainable params: 49,002 (191.41 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'list [(1, 123, 123, 32), (1, 121, 121, 32), (1, 119, 119, 32)]',
    'Model: "functional_15"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer_4 (InputLayer)      │ (None, 250, 250, 3)    │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_6 (Conv2D)               │ (None, 123, 123, 32)   │         2,432 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ my_intermediate_layer (Conv2D)  │ (None, 121, 121, 32)   │         9,248 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_7 (Conv2D)               │ (None, 119, 119, 32)   │         9,248 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 20,928 (81.75 KB)',
    ' Trainable params: 20,928 (81.75 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    '(1, 121, 121, 32) True',
    'Model: "functional_16"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer_4 (InputLayer)      │ (None, 250, 250, 3)    │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_6 (Conv2D)               │ (None, 123, 123, 32)   │         2,432 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ my_intermediate_layer (Conv2D)  │ (None, 121, 121, 32)   │         9,248 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 11,680 (45.62 KB)',
    ' Trainable params: 11,680 (45.62 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    '[True, True, True, True, False, False]',
    'Model: "sequential_6"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense_9 (Dense)                 │ (None, 32)             │        25,120 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_10 (Dense)                │ (None, 32)             │         1,056 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_11 (Dense)                │ (None, 10)             │           330 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 27,168 (106.13 KB)',
    ' Trainable params: 330 (1.29 KB)',
    ' Non-trainable params: 26,176 (102.25 KB)',
    ' Optimizer params: 662 (2.59 KB)',
    '2 2',
    'Model: "sequential_7"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ base (Sequential)               │ (None, 4)              │           112 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_12 (Dense)                │ (None, 1000)           │         5,000 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 15,114 (59.04 KB)',
    ' Trainable params: 5,000 (19.53 KB)',
    ' Non-trainable params: 112 (448.00 B)',
    ' Optimizer params: 10,002 (39.07 KB)',
    '',
]


def test_sequential_model():
    keras.backend.clear_session()               # names count as in a fresh process
    assert_guide_prints(renamed(PROGRAM), "sequential_model", TF_OUTPUT)
