"""TensorFlow's tutorial "Custom layers" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the tutorial's cells
reconstructed in its style, stand-in data where it downloads). Lines in NUMERIC are the same text with
numbers equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

import numpy as np
from conftest import assert_guide_prints

# TF 2.21 printed these with NumPy's default print options (another test may leave others set)
_NUMPY_PRINT_DEFAULTS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                             floatmode="maxprec", sign="-", legacy=False)

GUIDE = r'''import tensorflow as tf

layer = tf.keras.layers.Dense(100)
layer = tf.keras.layers.Dense(10)
out = layer(tf.zeros([10, 5]))
print(out.shape, out.dtype)
print([var.name for var in layer.variables])
print([tuple(var.shape) for var in layer.trainable_variables])
print(layer.kernel.shape, layer.bias.shape)
print(layer.bias)

class MyDenseLayer(tf.keras.layers.Layer):
  def __init__(self, num_outputs):
    super(MyDenseLayer, self).__init__()
    self.num_outputs = num_outputs

  def build(self, input_shape):
    self.kernel = self.add_weight(name="kernel",
                                  shape=[int(input_shape[-1]),
                                         self.num_outputs])

  def call(self, input):
    return tf.matmul(input, self.kernel)

layer = MyDenseLayer(10)
_ = layer(tf.zeros([10, 5]))
print([var.name for var in layer.trainable_variables])
print([var.path for var in layer.trainable_variables])
print(len(layer.non_trainable_variables))

class ResnetIdentityBlock(tf.keras.Model):
  def __init__(self, kernel_size, filters):
    super(ResnetIdentityBlock, self).__init__(name='')
    filters1, filters2, filters3 = filters

    self.conv2a = tf.keras.layers.Conv2D(filters1, (1, 1))
    self.bn2a = tf.keras.layers.BatchNormalization()

    self.conv2b = tf.keras.layers.Conv2D(filters2, kernel_size, padding='same')
    self.bn2b = tf.keras.layers.BatchNormalization()

    self.conv2c = tf.keras.layers.Conv2D(filters3, (1, 1))
    self.bn2c = tf.keras.layers.BatchNormalization()

  def call(self, input_tensor, training=False):
    x = self.conv2a(input_tensor)
    x = self.bn2a(x, training=training)
    x = tf.nn.relu(x)

    x = self.conv2b(x)
    x = self.bn2b(x, training=training)
    x = tf.nn.relu(x)

    x = self.conv2c(x)
    x = self.bn2c(x, training=training)

    x += input_tensor
    return tf.nn.relu(x)


block = ResnetIdentityBlock(1, [1, 2, 3])
_ = block(tf.zeros([1, 2, 3, 3]))
print(_.shape)
print([(type(l).__name__, l.name) for l in block.layers])
print(len(block.variables))
print(len(block.trainable_variables), len(block.non_trainable_variables))
print([v.path for v in block.non_trainable_variables])
block.summary()

my_seq = tf.keras.Sequential([tf.keras.Input(shape=(None, None, 3)),
                              tf.keras.layers.Conv2D(1, (1, 1)),
                              tf.keras.layers.BatchNormalization(),
                              tf.keras.layers.Conv2D(2, 1,
                                                     padding='same'),
                              tf.keras.layers.BatchNormalization(),
                              tf.keras.layers.Conv2D(3, (1, 1)),
                              tf.keras.layers.BatchNormalization()])
print(my_seq(tf.zeros([1, 2, 3, 3])))
my_seq.summary()
'''

TF_OUTPUT = [
    "(10, 10) <dtype: 'float32'>",
    "['kernel', 'bias']",
    '[(5, 10), (10,)]',
    '(5, 10) (10,)',
    '<Variable path=dense_1/bias, shape=(10,), dtype=float32, value=[0. 0. 0. 0. 0. 0. 0. 0. 0. 0.]>',
    "['kernel']",
    "['my_dense_layer/kernel']",
    '0',
    '(1, 2, 3, 3)',
    "[('Conv2D', 'conv2d'), ('BatchNormalization', 'batch_normalization'), ('Conv2D', 'conv2d_1'), ('BatchNormalization', 'batch_normalization_1'), ('Conv2D', 'conv2d_2'), ('BatchNormalization', 'batch_normalization_2')]",
    '18',
    '12 6',
    "['batch_normalization/moving_mean', 'batch_normalization/moving_variance', 'batch_normalization_1/moving_mean', 'batch_normalization_1/moving_variance', 'batch_normalization_2/moving_mean', 'batch_normalization_2/moving_variance']",
    'Model: ""',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d (Conv2D)                 │ (1, 2, 3, 1)           │             4 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization             │ (1, 2, 3, 1)           │             4 │',
    '│ (BatchNormalization)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (1, 2, 3, 2)           │             4 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization_1           │ (1, 2, 3, 2)           │             8 │',
    '│ (BatchNormalization)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (1, 2, 3, 3)           │             9 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization_2           │ (1, 2, 3, 3)           │            12 │',
    '│ (BatchNormalization)            │                        │               │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 41 (164.00 B)',
    ' Trainable params: 29 (116.00 B)',
    ' Non-trainable params: 12 (48.00 B)',
    'tf.Tensor(',
    '[[[[0. 0. 0.]',
    '   [0. 0. 0.]',
    '   [0. 0. 0.]]',
    '',
    '  [[0. 0. 0.]',
    '   [0. 0. 0.]',
    '   [0. 0. 0.]]]], shape=(1, 2, 3, 3), dtype=float32)',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d_3 (Conv2D)               │ (None, None, None, 1)  │             4 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization_3           │ (None, None, None, 1)  │             4 │',
    '│ (BatchNormalization)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_4 (Conv2D)               │ (None, None, None, 2)  │             4 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization_4           │ (None, None, None, 2)  │             8 │',
    '│ (BatchNormalization)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_5 (Conv2D)               │ (None, None, None, 3)  │             9 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization_5           │ (None, None, None, 3)  │            12 │',
    '│ (BatchNormalization)            │                        │               │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 41 (164.00 B)',
    ' Trainable params: 29 (116.00 B)',
    ' Non-trainable params: 12 (48.00 B)',
    '',
]
NUMERIC = []


def test_tutorial_prints_what_tensorflow_prints():
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(GUIDE, "custom_layers", TF_OUTPUT, NUMERIC)
