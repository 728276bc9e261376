"""TensorFlow's guide "Introduction to graphs and tf.function" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the guide's cells
reconstructed, stand-in data where it downloads). Lines in NUMERIC are the same text with numbers
equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

from conftest import assert_guide_prints

GUIDE = r'''import tensorflow as tf

def a_regular_function(x, y, b):
  x = tf.matmul(x, y)
  x = x + b
  return x

a_function_that_uses_a_graph = tf.function(a_regular_function)
x1 = tf.constant([[1.0, 2.0]])
y1 = tf.constant([[2.0], [3.0]])
b1 = tf.constant(4.0)
orig_value = a_regular_function(x1, y1, b1).numpy()
tf_function_value = a_function_that_uses_a_graph(x1, y1, b1).numpy()
assert(orig_value == tf_function_value)
print(orig_value, tf_function_value)

def inner_function(x, y, b):
  x = tf.matmul(x, y)
  x = x + b
  return x

@tf.function
def outer_function(x):
  y = tf.constant([[2.0], [3.0]])
  b = tf.constant(4.0)
  return inner_function(x, y, b)

print(repr(outer_function(tf.constant([[1.0, 2.0]])).numpy()))

def simple_relu(x):
  if tf.greater(x, 0):
    return x
  else:
    return 0

tf_simple_relu = tf.function(simple_relu)
print("First branch, with graph:", tf_simple_relu(tf.constant(1)).numpy())
print("Second branch, with graph:", tf_simple_relu(tf.constant(-1)).numpy())

@tf.function
def my_relu(x):
  return tf.maximum(0., x)

print(my_relu(tf.constant(5.5)))
print(my_relu([1, -1]))
print(my_relu(tf.constant([3., -3.])))
print(my_relu(tf.constant(-2.5)))
print(my_relu(tf.constant([-1., 1.])))
print(my_relu.experimental_get_tracing_count())
print(my_relu.pretty_printed_concrete_signatures())

@tf.function
def get_MSE(y_true, y_pred):
  sq_diff = tf.pow(y_true - y_pred, 2)
  return tf.reduce_mean(sq_diff)

y_true = tf.constant([1, 7, 3, 9, 0])
y_pred = tf.constant([5, 2, 3, 8, 4])
print(y_true)
print(y_pred)
print(repr(get_MSE(y_true, y_pred)))
tf.config.run_functions_eagerly(True)
print(repr(get_MSE(y_true, y_pred)))
tf.config.run_functions_eagerly(False)

@tf.function
def get_MSE(y_true, y_pred):
  print("Calculating MSE!")
  sq_diff = tf.pow(y_true - y_pred, 2)
  return tf.reduce_mean(sq_diff)

error = get_MSE(y_true, y_pred)
error = get_MSE(y_true, y_pred)
error = get_MSE(y_true, y_pred)
tf.config.run_functions_eagerly(True)
error = get_MSE(y_true, y_pred)
error = get_MSE(y_true, y_pred)
error = get_MSE(y_true, y_pred)
tf.config.run_functions_eagerly(False)
print(tf.config.functions_run_eagerly())


def unused_return_eager(x):
  tf.gather(x, [1])
  return x

try:
  print(unused_return_eager(tf.constant([0.0])))
except tf.errors.InvalidArgumentError as e:
  print(f'{type(e).__name__}: {e}')

x = tf.constant([[1, 0], [1, 1]])
def power(x, y):
  result = tf.eye(2, dtype=tf.dtypes.int32)
  for _ in range(y):
    result = tf.matmul(x, result)
  return result
power_as_graph = tf.function(power)
print(power(x, 5))
print(power_as_graph(x, 5))

@tf.function
def a_function_with_python_side_effect(x):
  print("Tracing!")
  return x * x + tf.constant(2)

print(a_function_with_python_side_effect(tf.constant(2)))
print(a_function_with_python_side_effect(tf.constant(3)))
print(a_function_with_python_side_effect(2))
print(a_function_with_python_side_effect(3))
print(a_function_with_python_side_effect.experimental_get_tracing_count())
'''

# printed by TensorFlow 2.21 (/work/peers/bin/python), log lines removed
TF_OUTPUT = [
    '[[12.]] [[12.]]',
    'array([[12.]], dtype=float32)',
    'First branch, with graph: 1',
    'Second branch, with graph: 0',
    'tf.Tensor(5.5, shape=(), dtype=float32)',
    'tf.Tensor([1. 0.], shape=(2,), dtype=float32)',
    'tf.Tensor([3. 0.], shape=(2,), dtype=float32)',
    'tf.Tensor(0.0, shape=(), dtype=float32)',
    'tf.Tensor([0. 1.], shape=(2,), dtype=float32)',
    '3',
    'Input Parameters:',
    '  x (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(), dtype=tf.float32, name=None)',
    'Output Type:',
    '  TensorSpec(shape=(), dtype=tf.float32, name=None)',
    'Captures:',
    '  None',
    '',
    'Input Parameters:',
    '  x (POSITIONAL_OR_KEYWORD): List[Literal[1], Literal[-1]]',
    'Output Type:',
    '  TensorSpec(shape=(2,), dtype=tf.float32, name=None)',
    'Captures:',
    '  None',
    '',
    'Input Parameters:',
    '  x (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(2,), dtype=tf.float32, name=None)',
    'Output Type:',
    '  TensorSpec(shape=(2,), dtype=tf.float32, name=None)',
    'Captures:',
    '  None',
    'tf.Tensor([1 7 3 9 0], shape=(5,), dtype=int32)',
    'tf.Tensor([5 2 3 8 4], shape=(5,), dtype=int32)',
    '<tf.Tensor: shape=(), dtype=int32, numpy=11>',
    '<tf.Tensor: shape=(), dtype=int32, numpy=11>',
    'Calculating MSE!',
    'Calculating MSE!',
    'Calculating MSE!',
    'Calculating MSE!',
    'False',
    'InvalidArgumentError: {{function_node __wrapped__GatherV2_device_/job:localhost/replica:0/task:0/device:CPU:0}} indices[0] = 1 is not in [0, 1) [Op:GatherV2]',
    'tf.Tensor(',
    '[[1 0]',
    ' [5 1]], shape=(2, 2), dtype=int32)',
    'tf.Tensor(',
    '[[1 0]',
    ' [5 1]], shape=(2, 2), dtype=int32)',
    'Tracing!',
    'tf.Tensor(6, shape=(), dtype=int32)',
    'tf.Tensor(11, shape=(), dtype=int32)',
    'Tracing!',
    'tf.Tensor(6, shape=(), dtype=int32)',
    'Tracing!',
    'tf.Tensor(11, shape=(), dtype=int32)',
    '3',
    '',
]
NUMERIC = []


def test_guide_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE, "intro_to_graphs_guide", TF_OUTPUT, NUMERIC, fresh_functions=True)
