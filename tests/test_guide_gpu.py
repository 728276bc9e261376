"""TensorFlow's guide "Use a GPU", on a machine without one as glassnet always is (what runs on the CPU: device lists, placement logging, tf.device, soft placement, MirroredStrategy over no GPUs, manual placement over the CPUs) run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the tutorial's cells
reconstructed in its style, stand-in data where it downloads). Lines in NUMERIC are the same text with
numbers equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

import numpy as np
from conftest import assert_guide_prints

# TF 2.21 printed these with NumPy's default print options (another test may leave others set)
_NUMPY_PRINT_DEFAULTS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                             floatmode="maxprec", sign="-", legacy=False)

GUIDE = r'''import tensorflow as tf
print("Num GPUs Available: ", len(tf.config.list_physical_devices('GPU')))
print(tf.config.list_physical_devices())
print(tf.config.list_logical_devices())
print(tf.config.list_logical_devices('CPU'))

tf.debugging.set_log_device_placement(True)

# Create some tensors
a = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
b = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
c = tf.matmul(a, b)

print(c)
print(c.device)

tf.debugging.set_log_device_placement(True)

# Place tensors on the CPU
with tf.device('/CPU:0'):
  a = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
  b = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])

# Run on the GPU
c = tf.matmul(a, b)
print(c)

gpus = tf.config.list_physical_devices('GPU')
if gpus:
  # Restrict TensorFlow to only use the first GPU
  try:
    tf.config.set_visible_devices(gpus[0], 'GPU')
    logical_gpus = tf.config.list_logical_devices('GPU')
    print(len(gpus), "Physical GPUs,", len(logical_gpus), "Logical GPU")
  except RuntimeError as e:
    # Visible devices must be set before GPUs have been initialized
    print(e)
print(len(gpus), "Physical GPUs,", len(tf.config.list_logical_devices('GPU')), "Logical GPUs")
print(tf.config.get_visible_devices('GPU'), len(tf.config.get_visible_devices()))

tf.config.set_soft_device_placement(True)
print(tf.config.get_soft_device_placement())
tf.debugging.set_log_device_placement(True)

# Creates some tensors
a = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
b = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
c = tf.matmul(a, b)

print(c)

with tf.device('/device:GPU:2'):
  a = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
  b = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
  c = tf.matmul(a, b)
print(c)
print(c.device)

gpus = tf.config.list_logical_devices('GPU')
strategy = tf.distribute.MirroredStrategy(gpus)
print(strategy.num_replicas_in_sync)
with strategy.scope():
  inputs = tf.keras.layers.Input(shape=(1,))
  predictions = tf.keras.layers.Dense(1)(inputs)
  model = tf.keras.models.Model(inputs=inputs, outputs=predictions)
  model.compile(loss='mse',
                optimizer=tf.keras.optimizers.SGD(learning_rate=0.2))
print(model.output_shape)

tf.debugging.set_log_device_placement(True)

gpus = tf.config.list_logical_devices('GPU')
if gpus:
  # Replicate your computation on multiple GPUs
  c = []
  for gpu in gpus:
    with tf.device(gpu.name):
      a = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
      b = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
      c.append(tf.matmul(a, b))

  with tf.device('/CPU:0'):
    matmul_sum = tf.add_n(c)

  print(matmul_sum)
cpus = tf.config.list_logical_devices('CPU')
c = []
for cpu in cpus:
  with tf.device(cpu.name):
    c.append(tf.matmul(a, b))
with tf.device('/CPU:0'):
  matmul_sum = tf.add_n(c)
print(matmul_sum)
print(cpus[0].name, cpus[0].device_type)
tf.debugging.set_log_device_placement(False)
'''

TF_OUTPUT = [
    'Num GPUs Available:  0',
    "[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]",
    "[LogicalDevice(name='/device:CPU:0', device_type='CPU')]",
    "[LogicalDevice(name='/device:CPU:0', device_type='CPU')]",
    'tf.Tensor(',
    '[[22. 28.]',
    ' [49. 64.]], shape=(2, 2), dtype=float32)',
    '/job:localhost/replica:0/task:0/device:CPU:0',
    'tf.Tensor(',
    '[[22. 28.]',
    ' [49. 64.]], shape=(2, 2), dtype=float32)',
    '0 Physical GPUs, 0 Logical GPUs',
    '[] 1',
    'True',
    'tf.Tensor(',
    '[[22. 28.]',
    ' [49. 64.]], shape=(2, 2), dtype=float32)',
    'tf.Tensor(',
    '[[22. 28.]',
    ' [49. 64.]], shape=(2, 2), dtype=float32)',
    '/job:localhost/replica:0/task:0/device:CPU:0',
    '1',
    '(None, 1)',
    'tf.Tensor(',
    '[[22. 28.]',
    ' [49. 64.]], shape=(2, 2), dtype=float32)',
    '/device:CPU:0 CPU',
    '',
]
NUMERIC = []


def test_guide_prints_what_tensorflow_prints():
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(GUIDE, "gpu", TF_OUTPUT, NUMERIC, fresh_functions=True)
