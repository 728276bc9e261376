"""TensorFlow's tutorial "Customization basics: tensors and operations" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the tutorial's cells
reconstructed in its style, stand-in data where it downloads). Lines in NUMERIC are the same text with
numbers equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

import numpy as np
from conftest import assert_guide_prints

# TF 2.21 printed these with NumPy's default print options (another test may leave others set)
_NUMPY_PRINT_DEFAULTS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                             floatmode="maxprec", sign="-", legacy=False)

GUIDE = r'''import tensorflow as tf
import numpy as np
import tempfile
import time

print(tf.add(1, 2))
print(tf.add([1, 2], [3, 4]))
print(tf.square(5))
print(tf.reduce_sum([1, 2, 3]))
print(tf.square(2) + tf.square(3))

x = tf.matmul([[1]], [[2, 3]])
print(x)
print(x.shape)
print(x.dtype)

ndarray = np.ones([3, 3])
tensor = tf.multiply(ndarray, 42)
print(tensor)
print(tensor.numpy())
print("And NumPy operations convert Tensors to numpy arrays automatically")
print(np.add(tensor, 1))

x = tf.random.uniform([3, 3])
print("Is there a GPU available: "),
print(tf.config.list_physical_devices("GPU"))
print(tf.config.experimental.list_physical_devices("GPU"))
print(tf.config.list_physical_devices("CPU"))
print("Is the Tensor on GPU #0:  "),
print(x.device.endswith('GPU:0'))
print(x.device)

def time_matmul(x):
  start = time.time()
  for loop in range(10):
    tf.matmul(x, x)
  result = time.time() - start
  return "10 loops: {:0.2f}ms".format(1000 * result)

print("On CPU:")
with tf.device("CPU:0"):
  x = tf.random.uniform([200, 200])
  assert x.device.endswith("CPU:0")
  print(time_matmul(x).startswith("10 loops: "))
if tf.config.list_physical_devices("GPU"):
  print("On GPU:")

ds_tensors = tf.data.Dataset.from_tensor_slices([1, 2, 3, 4, 5, 6])
_, filename = tempfile.mkstemp()
with open(filename, 'w') as f:
  f.write("""Line 1
Line 2
Line 3
  """)
ds_file = tf.data.TextLineDataset(filename)
ds_tensors = ds_tensors.map(tf.square).shuffle(2).batch(2)
ds_file = ds_file.batch(2)
print(ds_tensors.element_spec)
print(ds_file.element_spec)
print('Elements of ds_tensors:')
seen = []
for x in ds_tensors:
  print(x.shape, x.dtype)
  seen += x.numpy().tolist()
print(sorted(seen))
print('\nElements in ds_file:')
for x in ds_file:
  print(x)
print(tf.test.is_gpu_available())
'''

TF_OUTPUT = [
    'tf.Tensor(3, shape=(), dtype=int32)',
    'tf.Tensor([4 6], shape=(2,), dtype=int32)',
    'tf.Tensor(25, shape=(), dtype=int32)',
    'tf.Tensor(6, shape=(), dtype=int32)',
    'tf.Tensor(13, shape=(), dtype=int32)',
    'tf.Tensor([[2 3]], shape=(1, 2), dtype=int32)',
    '(1, 2)',
    "<dtype: 'int32'>",
    'tf.Tensor(',
    '[[42. 42. 42.]',
    ' [42. 42. 42.]',
    ' [42. 42. 42.]], shape=(3, 3), dtype=float64)',
    '[[42. 42. 42.]',
    ' [42. 42. 42.]',
    ' [42. 42. 42.]]',
    'And NumPy operations convert Tensors to numpy arrays automatically',
    '[[43. 43. 43.]',
    ' [43. 43. 43.]',
    ' [43. 43. 43.]]',
    'Is there a GPU available: ',
    '[]',
    '[]',
    "[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]",
    'Is the Tensor on GPU #0:  ',
    'False',
    '/job:localhost/replica:0/task:0/device:CPU:0',
    'On CPU:',
    'True',
    'TensorSpec(shape=(None,), dtype=tf.int32, name=None)',
    'TensorSpec(shape=(None,), dtype=tf.string, name=None)',
    'Elements of ds_tensors:',
    "(2,) <dtype: 'int32'>",
    "(2,) <dtype: 'int32'>",
    "(2,) <dtype: 'int32'>",
    '[1, 4, 9, 16, 25, 36]',
    '',
    'Elements in ds_file:',
    "tf.Tensor([b'Line 1' b'Line 2'], shape=(2,), dtype=string)",
    "tf.Tensor([b'Line 3' b'  '], shape=(2,), dtype=string)",
    'False',
    '',
]
NUMERIC = []


def test_tutorial_prints_what_tensorflow_prints():
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(GUIDE, "customization_basics", TF_OUTPUT, NUMERIC, fresh_functions=True)
