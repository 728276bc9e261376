"""TensorFlow's guide "Introduction to gradients and automatic differentiation" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the guide's cells
reconstructed, stand-in data where it downloads). Lines in NUMERIC are the same text with numbers
equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import tensorflow as tf

x = tf.Variable(3.0)
with tf.GradientTape() as tape:
  y = x**2
dy_dx = tape.gradient(y, x)
print(repr(dy_dx.numpy()))

w = tf.Variable(tf.constant([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]]), name='w')
b = tf.Variable(tf.zeros(2, dtype=tf.float32), name='b')
x = [[1., 2., 3.]]
with tf.GradientTape(persistent=True) as tape:
  y = x @ w + b
  loss = tf.reduce_mean(y**2)
[dl_dw, dl_db] = tape.gradient(loss, [w, b])
print(w.shape)
print(dl_dw.shape)
print(dl_dw)
my_vars = {
    'w': w,
    'b': b
}
grad = tape.gradient(loss, my_vars)
print(repr(grad['b']))

layer = tf.keras.layers.Dense(2, activation='relu')
x = tf.constant([[1., 2., 3.]])
with tf.GradientTape() as tape:
  y = layer(x)
  loss = tf.reduce_mean(y**2)
grad = tape.gradient(loss, layer.trainable_variables)
for var, g in zip(layer.trainable_variables, grad):
  print(f'{var.name}, shape: {g.shape}')

x0 = tf.Variable(3.0, name='x0')
x1 = tf.Variable(3.0, name='x1', trainable=False)
x2 = tf.Variable(2.0, name='x2') + 1.0
x3 = tf.constant(3.0, name='x3')
with tf.GradientTape() as tape:
  y = (x0**2) + (x1**2) + (x2**2)
grad = tape.gradient(y, [x0, x1, x2, x3])
for g in grad:
  print(g)
print([var.name for var in tape.watched_variables()])

x = tf.constant(3.0)
with tf.GradientTape() as tape:
  tape.watch(x)
  y = x**2
dy_dx = tape.gradient(y, x)
print(dy_dx.numpy())

x0 = tf.Variable(0.0)
x1 = tf.Variable(10.0)
with tf.GradientTape(watch_accessed_variables=False) as tape:
  tape.watch(x1)
  y0 = tf.math.sin(x0)
  y1 = tf.nn.softplus(x1)
  y = y0 + y1
  ys = tf.reduce_sum(y)
grad = tape.gradient(ys, {'x0': x0, 'x1': x1})
print('dy/dx0:', grad['x0'])
print('dy/dx1:', grad['x1'].numpy())

x = tf.constant(3.0)
with tf.GradientTape() as tape:
  tape.watch(x)
  y = x * x
  z = y * y
print(tape.gradient(z, y).numpy())

x = tf.constant([1, 3.0])
with tf.GradientTape(persistent=True) as tape:
  tape.watch(x)
  y = x * x
  z = y * y
print(tape.gradient(z, x).numpy())
print(tape.gradient(y, x).numpy())
del tape

x = tf.Variable(2.0)
with tf.GradientTape(persistent=True) as tape:
  y0 = x**2
  y1 = 1 / x
print(tape.gradient(y0, x).numpy())
print(tape.gradient(y1, x).numpy())

x = tf.Variable(2.0)
with tf.GradientTape() as tape:
  y0 = x**2
  y1 = 1 / x
print(tape.gradient({'y0': y0, 'y1': y1}, x).numpy())

x = tf.Variable(2.)
with tf.GradientTape() as tape:
  y = x * [3., 4.]
print(tape.gradient(y, x).numpy())

x = tf.linspace(-10.0, 10.0, 200+1)
with tf.GradientTape() as tape:
  tape.watch(x)
  y = tf.nn.sigmoid(x)
dy_dx = tape.gradient(y, x)
print(x.shape, dy_dx.shape, dy_dx.dtype)
print(np.round(dy_dx.numpy()[95:106], 5))

x = tf.constant(1.0)
v0 = tf.Variable(2.0)
v1 = tf.Variable(2.0)
with tf.GradientTape(persistent=True) as tape:
  tape.watch(x)
  if x > 0.0:
    result = v0
  else:
    result = v1**2
dv0, dv1 = tape.gradient(result, [v0, v1])
print(dv0)
print(dv1)
dx = tape.gradient(result, x)
print(dx)

x = tf.Variable(2.)
y = tf.Variable(3.)
with tf.GradientTape() as tape:
  z = y * y
dy_dx = tape.gradient(z, x)
print(dy_dx)

x = tf.Variable(2.0)
for epoch in range(2):
  with tf.GradientTape() as tape:
    y = x+1
  print(":", tape.gradient(y, x))
  x = x + 1

x = tf.constant(10)
with tf.GradientTape() as g:
  g.watch(x)
  y = x * x
print(g.gradient(y, x))

x0 = tf.Variable(3.0)
x1 = tf.Variable(0.0)
with tf.GradientTape() as tape:
  x1.assign_add(x0)
  y = x1**2
print(tape.gradient(y, x0))

x = tf.Variable([2., 2.])
y = tf.Variable(3.)
with tf.GradientTape() as tape:
  z = y**2
print(tape.gradient(z, x, unconnected_gradients=tf.UnconnectedGradients.ZERO))

image = tf.Variable([[[0.5, 0.0, 0.0]]])
delta = tf.Variable(0.1)
with tf.GradientTape() as tape:
  new_image = tf.image.adjust_contrast(image, delta)
try:
  print(tape.gradient(new_image, [image, delta]))
  assert False
except LookupError as e:
  print(f'{type(e).__name__}: {e}')

'''

# printed by TensorFlow 2.21 (/work/peers/bin/python), log lines removed
TF_OUTPUT = [
    'np.float32(6.0)',
    '(3, 2)',
    '(3, 2)',
    'tf.Tensor(',
    '[[ 1.25  5.5 ]',
    ' [ 2.5  11.  ]',
    ' [ 3.75 16.5 ]], shape=(3, 2), dtype=float32)',
    '<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1.25, 5.5 ], dtype=float32)>',
    'kernel, shape: (3, 2)',
    'bias, shape: (2,)',
    'tf.Tensor(6.0, shape=(), dtype=float32)',
    'None',
    'None',
    'None',
    "['x0:0']",
    '6.0',
    'dy/dx0: None',
    'dy/dx1: 0.9999546',
    '18.0',
    '[  4. 108.]',
    '[2. 6.]',
    '4.0',
    '-0.25',
    '3.75',
    '7.0',
    "(201,) (201,) <dtype: 'float32'>",
    '[0.235   0.24026 0.24446 0.24752 0.24938 0.25    0.24938 0.24752 0.24446',
    ' 0.24026 0.235  ]',
    'tf.Tensor(1.0, shape=(), dtype=float32)',
    'None',
    'None',
    'None',
    ': tf.Tensor(1.0, shape=(), dtype=float32)',
    ': None',
    'None',
    'None',
    'tf.Tensor([0. 0.], shape=(2,), dtype=float32)',
    'LookupError: gradient registry has no entry for: AdjustContrastv2',
    '',
]
NUMERIC = []


def test_guide_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE, "autodiff_guide", TF_OUTPUT, NUMERIC)
