"""TensorFlow's guide "Introduction to Variables" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the guide's cells
reconstructed, stand-in data where it downloads). Lines in NUMERIC are the same text with numbers
equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

from conftest import assert_guide_prints

GUIDE = r'''import tensorflow as tf

my_tensor = tf.constant([[1.0, 2.0], [3.0, 4.0]])
my_variable = tf.Variable(my_tensor)
bool_variable = tf.Variable([False, False, False, True])
complex_variable = tf.Variable([5 + 4j, 6 + 1j])
print(bool_variable)
print(complex_variable)

print("Shape: ", my_variable.shape)
print("DType: ", my_variable.dtype)
print("As NumPy: ", my_variable.numpy())

print("A variable:", my_variable)
print("\nViewed as a tensor:", tf.convert_to_tensor(my_variable))
print("\nIndex of highest value:", tf.math.argmax(my_variable))
print("\nCopying and reshaping: ", tf.reshape(my_variable, [1,4]))

a = tf.Variable([2.0, 3.0])
a.assign([1, 2])
print(a)
try:
  a.assign([1.0, 2.0, 3.0])
except Exception as e:
  print(f"{type(e).__name__}: {e}")

a = tf.Variable([2.0, 3.0])
b = tf.Variable(a)
a.assign([5, 6])
print(a.numpy())
print(b.numpy())
print(a.assign_add([2,3]).numpy())
print(a.assign_sub([7,9]).numpy())

a = tf.Variable(my_tensor, name="Mark")
b = tf.Variable(my_tensor + 1, name="Mark")
print(a == b)
print(a.name, b.name)

step_counter = tf.Variable(1, trainable=False)
print(step_counter.trainable, my_variable.trainable)

with tf.device('CPU:0'):
  a = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
  b = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
  c = tf.matmul(a, b)
print(c)

with tf.device('CPU:0'):
  a = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
  b = tf.Variable([[1.0, 2.0, 3.0]])
with tf.device('GPU:0'):
  k = a * b
print(k)
'''

# printed by TensorFlow 2.21 (/work/peers/bin/python), log lines removed
TF_OUTPUT = [
    "<tf.Variable 'Variable:0' shape=(4,) dtype=bool, numpy=array([False, False, False,  True])>",
    "<tf.Variable 'Variable:0' shape=(2,) dtype=complex128, numpy=array([5.+4.j, 6.+1.j])>",
    'Shape:  (2, 2)',
    "DType:  <dtype: 'float32'>",
    'As NumPy:  [[1. 2.]',
    ' [3. 4.]]',
    "A variable: <tf.Variable 'Variable:0' shape=(2, 2) dtype=float32, numpy=",
    'array([[1., 2.],',
    '       [3., 4.]], dtype=float32)>',
    '',
    'Viewed as a tensor: tf.Tensor(',
    '[[1. 2.]',
    ' [3. 4.]], shape=(2, 2), dtype=float32)',
    '',
    'Index of highest value: tf.Tensor([1 1], shape=(2,), dtype=int64)',
    '',
    'Copying and reshaping:  tf.Tensor([[1. 2. 3. 4.]], shape=(1, 4), dtype=float32)',
    "<tf.Variable 'Variable:0' shape=(2,) dtype=float32, numpy=array([1., 2.], dtype=float32)>",
    "ValueError: Cannot assign value to variable ' Variable:0': Shape mismatch.The variable shape (2,), and the assigned value shape (3,) are incompatible.",
    '[5. 6.]',
    '[2. 3.]',
    '[7. 9.]',
    '[0. 0.]',
    'tf.Tensor(',
    '[[False False]',
    ' [False False]], shape=(2, 2), dtype=bool)',
    'Mark:0 Mark:0',
    'False True',
    'tf.Tensor(',
    '[[22. 28.]',
    ' [49. 64.]], shape=(2, 2), dtype=float32)',
    'tf.Tensor(',
    '[[ 1.  4.  9.]',
    ' [ 4. 10. 18.]], shape=(2, 3), dtype=float32)',
    '',
]
NUMERIC = []


def test_guide_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE, "variable_guide", TF_OUTPUT, NUMERIC)
