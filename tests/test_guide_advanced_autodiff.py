"""TensorFlow's guide "Advanced automatic differentiation" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the guide's cells
reconstructed, stand-in data where it downloads). Lines in NUMERIC are the same text with numbers
equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import tensorflow as tf

x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as t:
  x_sq = x * x
  with t.stop_recording():
    y_sq = y * y
  z = x_sq + y_sq
grad = t.gradient(z, {'x': x, 'y': y})
print('dz/dx:', grad['x'])
print('dz/dy:', grad['y'])

x = tf.Variable(2.0)
y = tf.Variable(3.0)
reset = True
with tf.GradientTape() as t:
  y_sq = y * y
  if reset:
    t.reset()
  z = x * x + y_sq
grad = t.gradient(z, {'x': x, 'y': y})
print('dz/dx:', grad['x'])
print('dz/dy:', grad['y'])

x = tf.Variable(2.0)
y = tf.Variable(3.0)
with tf.GradientTape() as t:
  y_sq = y**2
  z = x**2 + tf.stop_gradient(y_sq)
grad = t.gradient(z, {'x': x, 'y': y})
print('dz/dx:', grad['x'])
print('dz/dy:', grad['y'])

@tf.custom_gradient
def clip_gradients(y):
  def backward(dy):
    return tf.clip_by_norm(dy, 0.5)
  return y, backward

v = tf.Variable(2.0)
with tf.GradientTape() as t:
  output = clip_gradients(v)
print(t.gradient(output, v))

x0 = tf.constant(0.0)
x1 = tf.constant(0.0)
with tf.GradientTape() as tape0, tf.GradientTape() as tape1:
  tape0.watch(x0)
  tape1.watch(x1)
  y0 = tf.math.sin(x0)
  y1 = tf.nn.sigmoid(x1)
  y = y0 + y1
  ys = tf.reduce_sum(y)
print(repr(tape0.gradient(ys, x0).numpy()))
print(repr(tape1.gradient(ys, x1).numpy()))

x = tf.Variable(1.0)
with tf.GradientTape() as t2:
  with tf.GradientTape() as t1:
    y = x * x * x
  dy_dx = t1.gradient(y, x)
d2y_dx2 = t2.gradient(dy_dx, x)
print('dy_dx:', dy_dx.numpy())
print('d2y_dx2:', d2y_dx2.numpy())

rng = np.random.default_rng(0)
x = tf.constant(rng.normal(size=(7, 5)).astype(np.float32))
layer = tf.keras.layers.Dense(10, activation=tf.nn.relu)
with tf.GradientTape() as t2:
  with tf.GradientTape(watch_accessed_variables=False) as t1:
    t1.watch(x)
    y = layer(x)
    out = tf.reduce_sum(layer(x)**2)
  g1 = t1.gradient(out, x)
  g1_mag = tf.norm(g1)
dg1_mag = t2.gradient(g1_mag, layer.trainable_variables)
print(*[var.shape for var in dg1_mag])  # the notebook shows the list: TF writes TensorShape([5, 10]) there, glassnet (5, 10)

x = tf.linspace(-10.0, 10.0, 200+1)
delta = tf.Variable(0.0)
with tf.GradientTape() as tape:
  y = tf.nn.sigmoid(x+delta)
dy_dx = tape.jacobian(y, delta)
print(y.shape)
print(dy_dx.shape)
print(np.round(dy_dx.numpy()[98:103], 5))

x = tf.constant(rng.normal(size=(7, 5)).astype(np.float32))
layer = tf.keras.layers.Dense(10, activation=tf.nn.relu)
with tf.GradientTape(persistent=True) as tape:
  y = layer(x)
print(y.shape)
print(layer.kernel.shape)
j = tape.jacobian(y, layer.kernel)
print(j.shape)
g = tape.gradient(y, layer.kernel)
print('g.shape:', g.shape)
j_sum = tf.reduce_sum(j, axis=[0, 1])
delta = tf.reduce_max(abs(g - j_sum)).numpy()
assert delta < 1e-3
print('delta < 1e-3:', delta < 1e-3)

x = tf.constant(rng.normal(size=(7, 5)).astype(np.float32))
layer1 = tf.keras.layers.Dense(8, activation=tf.nn.relu)
layer2 = tf.keras.layers.Dense(6, activation=tf.nn.relu)
with tf.GradientTape() as t2:
  with tf.GradientTape() as t1:
    x = layer1(x)
    x = layer2(x)
    loss = tf.reduce_mean(x**2)
  g = t1.gradient(loss, layer1.kernel)
h = t2.jacobian(g, layer1.kernel)
print(f'layer.kernel.shape: {layer1.kernel.shape}')
print(f'h.shape: {h.shape}')
n_params = tf.reduce_prod(layer1.kernel.shape)
print(repr(n_params))
g_vec = tf.reshape(g, [n_params, 1])
h_mat = tf.reshape(h, [n_params, n_params])
eps = 1e-3
eye_eps = tf.eye(h_mat.shape[0])*eps
update = tf.linalg.solve(h_mat + eye_eps, g_vec)
_ = layer1.kernel.assign_sub(tf.reshape(update, layer1.kernel.shape))
print(update.shape, update.dtype)

x = tf.constant(rng.normal(size=(7, 5)).astype(np.float32))
layer1 = tf.keras.layers.Dense(8, activation=tf.nn.elu)
layer2 = tf.keras.layers.Dense(6, activation=tf.nn.elu)
with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
  tape.watch(x)
  y = layer1(x)
  y = layer2(y)
print(y.shape)
j = tape.jacobian(y, x)
print(j.shape)
j_sum = tf.reduce_sum(j, axis=2)
print(j_sum.shape)
j_select = tf.einsum('bxby->bxy', j)
print(j_select.shape)
jb = tape.batch_jacobian(y, x)
print(jb.shape)
error = tf.reduce_max(abs(jb - j_sum))
assert error < 1e-3
print(bool(error.numpy() < 1e-3))

x = tf.constant(rng.normal(size=(7, 5)).astype(np.float32))
layer1 = tf.keras.layers.Dense(8, activation=tf.nn.elu)
bn = tf.keras.layers.BatchNormalization()
layer2 = tf.keras.layers.Dense(6, activation=tf.nn.elu)
with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
  tape.watch(x)
  y = layer1(x)
  y = bn(y, training=True)
  y = layer2(y)
j = tape.jacobian(y, x)
print(f'j.shape: {j.shape}')
jb = tape.batch_jacobian(y, x)
print(f'jb.shape: {jb.shape}')
'''

# printed by TensorFlow 2.21 (/work/peers/bin/python), log lines removed
TF_OUTPUT = [
    'dz/dx: tf.Tensor(4.0, shape=(), dtype=float32)',
    'dz/dy: None',
    'dz/dx: tf.Tensor(4.0, shape=(), dtype=float32)',
    'dz/dy: None',
    'dz/dx: tf.Tensor(4.0, shape=(), dtype=float32)',
    'dz/dy: None',
    'tf.Tensor(0.5, shape=(), dtype=float32)',
    'np.float32(1.0)',
    'np.float32(0.25)',
    'dy_dx: 3.0',
    'd2y_dx2: 6.0',
    '(5, 10) (10,)',
    '(201,)',
    '(201,)',
    '[0.24752 0.24938 0.25    0.24938 0.24752]',
    '(7, 10)',
    '(5, 10)',
    '(7, 10, 5, 10)',
    'g.shape: (5, 10)',
    'delta < 1e-3: True',
    'layer.kernel.shape: (5, 8)',
    'h.shape: (5, 8, 5, 8)',
    '<tf.Tensor: shape=(), dtype=int32, numpy=40>',
    "(40, 1) <dtype: 'float32'>",
    '(7, 6)',
    '(7, 6, 7, 5)',
    '(7, 6, 5)',
    '(7, 6, 5)',
    '(7, 6, 5)',
    'True',
    'j.shape: (7, 6, 7, 5)',
    'jb.shape: (7, 6, 5)',
    '',
]
NUMERIC = []


def test_guide_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE, "advanced_autodiff_guide", TF_OUTPUT, NUMERIC)
