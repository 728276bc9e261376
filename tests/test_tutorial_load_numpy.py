"""TensorFlow's tutorial "Load NumPy data" (tutorials/load_data/numpy) run with
``import glassnet as tf``: a small mnist.npz of random pictures stands in for the download;
np.load, Dataset.from_tensor_slices, shuffle/batch, a Flatten/Dense model compiled with RMSprop
and SparseCategoricalAccuracy, fit and evaluate on the datasets must print what TensorFlow 2.21
printed."""

from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import tensorflow as tf
import tempfile, os
rng = np.random.default_rng(0)
path = os.path.join(tempfile.mkdtemp(), 'mnist.npz')
np.savez(path, x_train=rng.integers(0, 256, (256, 28, 28)).astype(np.uint8), y_train=rng.integers(0, 10, 256).astype(np.uint8),
         x_test=rng.integers(0, 256, (64, 28, 28)).astype(np.uint8), y_test=rng.integers(0, 10, 64).astype(np.uint8))
with np.load(path) as data:
  train_examples = data['x_train']
  train_labels = data['y_train']
  test_examples = data['x_test']
  test_labels = data['y_test']
train_dataset = tf.data.Dataset.from_tensor_slices((train_examples, train_labels))
test_dataset = tf.data.Dataset.from_tensor_slices((test_examples, test_labels))
print(train_dataset)
BATCH_SIZE = 64
SHUFFLE_BUFFER_SIZE = 100
train_dataset = train_dataset.shuffle(SHUFFLE_BUFFER_SIZE).batch(BATCH_SIZE)
test_dataset = test_dataset.batch(BATCH_SIZE)
print(train_dataset, test_dataset)
model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=(28, 28)),
    tf.keras.layers.Dense(128, activation='relu'),
    tf.keras.layers.Dense(10)
])
model.compile(optimizer=tf.keras.optimizers.RMSprop(),
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])
h = model.fit(train_dataset, epochs=2, verbose=0)
print(h.history.keys(), h.params)
r = model.evaluate(test_dataset, verbose=0)
print(type(r), len(r))
model.summary()
'''

TF_OUTPUT = [
    '<_TensorSliceDataset element_spec=(TensorSpec(shape=(28, 28), dtype=tf.uint8, name=None), TensorSpec(shape=(), dtype=tf.uint8, name=None))>',
    '<_BatchDataset element_spec=(TensorSpec(shape=(None, 28, 28), dtype=tf.uint8, name=None), TensorSpec(shape=(None,), dtype=tf.uint8, name=None))> <_BatchDataset element_spec=(TensorSpec(shape=(None, 28, 28), dtype=tf.uint8, name=None), TensorSpec(shape=(None,), dtype=tf.uint8, name=None))>',
    "dict_keys(['loss', 'sparse_categorical_accuracy']) {'verbose': 0, 'epochs': 2, 'steps': 4}",
    "<class 'list'> 2",
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ flatten (Flatten)               │ (None, 784)            │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 128)            │       100,480 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 10)             │         1,290 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 203,542 (795.09 KB)',
    ' Trainable params: 101,770 (397.54 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 101,772 (397.55 KB)',
    '',
]


def test_load_numpy_tutorial_prints_as_tensorflow():
    assert_guide_prints(GUIDE, "test_load_numpy_tutorial_prints_as_tensorflow", TF_OUTPUT)
