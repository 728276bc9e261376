"""TensorFlow's tutorial "Custom training: basics" (tutorials/customization/custom_training, the
version before it became guide/basic_training_loops, which tests/test_guide_basic_training_loops.py
covers) run with ``import glassnet as tf``: ``x += 2`` on tf.zeros printed as a 10x10 tensor, a
Variable assigned and squared, a plain-object model ``W * x + b``, and gradient descent by hand
with GradientTape and assign_sub, printed with ``%`` formats (a scalar tensor as ``%2.5f``).
The tutorial draws its data with tf.random.normal (TF's stream): here the shapes of that draw are
printed, and a fixed stand-in is trained on, so the losses are TF 2.21's for the same numbers
(the mean's last float32 digit may differ: those lines are compared to 1e-5)."""

from conftest import assert_guide_prints

GUIDE = r'''import tensorflow as tf
x = tf.zeros([10, 10])
x += 2  # This is equivalent to x = x + 2, which does not mutate the original
        # value of x
print(x)
v = tf.Variable(1.0)
assert v.numpy() == 1.0
v.assign(3.0)
assert v.numpy() == 3.0
v.assign(tf.square(v))
assert v.numpy() == 9.0
print(v)

class Model(object):
  def __init__(self):
    self.W = tf.Variable(5.0)
    self.b = tf.Variable(0.0)
  def __call__(self, x):
    return self.W * x + self.b

model = Model()
assert model(3.0).numpy() == 15.0

def loss(target_y, predicted_y):
  return tf.reduce_mean(tf.square(target_y - predicted_y))

TRUE_W = 3.0
TRUE_b = 2.0
NUM_EXAMPLES = 1000
inputs  = tf.random.normal(shape=[NUM_EXAMPLES])
noise   = tf.random.normal(shape=[NUM_EXAMPLES])
outputs = inputs * TRUE_W + TRUE_b + noise
print(inputs.shape, inputs.dtype, outputs.shape)
# a fixed stand-in for the random draw, so that the losses can be compared
inputs = tf.constant([(i % 41 - 20) / 10 for i in range(NUM_EXAMPLES)])
outputs = inputs * TRUE_W + TRUE_b + tf.sin(inputs * 7.0)
print('Current loss: %1.6f' % loss(model(inputs), outputs).numpy())

def train(model, inputs, outputs, learning_rate):
  with tf.GradientTape() as t:
    current_loss = loss(outputs, model(inputs))
  dW, db = t.gradient(current_loss, [model.W, model.b])
  model.W.assign_sub(learning_rate * dW)
  model.b.assign_sub(learning_rate * db)

model = Model()
Ws, bs = [], []
epochs = range(10)
for epoch in epochs:
  Ws.append(model.W.numpy())
  bs.append(model.b.numpy())
  current_loss = loss(outputs, model(inputs))
  train(model, inputs, outputs, learning_rate=0.1)
  print('Epoch %2d: W=%1.2f b=%1.2f, loss=%2.5f' %
        (epoch, Ws[-1], bs[-1], current_loss))
print(type(Ws[0]).__name__, Ws[0].dtype)
print("Ending: W=%1.2f b=%1.2f, loss=%2.5f" % (model.W, model.b, loss(outputs, model(inputs))))
'''

# printed by TensorFlow 2.21 (/work/peers/bin/python) for the same program
TF_OUTPUT = [
    'tf.Tensor(',
    '[[2. 2. 2. 2. 2. 2. 2. 2. 2. 2.]',
    ' [2. 2. 2. 2. 2. 2. 2. 2. 2. 2.]',
    ' [2. 2. 2. 2. 2. 2. 2. 2. 2. 2.]',
    ' [2. 2. 2. 2. 2. 2. 2. 2. 2. 2.]',
    ' [2. 2. 2. 2. 2. 2. 2. 2. 2. 2.]',
    ' [2. 2. 2. 2. 2. 2. 2. 2. 2. 2.]',
    ' [2. 2. 2. 2. 2. 2. 2. 2. 2. 2.]',
    ' [2. 2. 2. 2. 2. 2. 2. 2. 2. 2.]',
    ' [2. 2. 2. 2. 2. 2. 2. 2. 2. 2.]',
    ' [2. 2. 2. 2. 2. 2. 2. 2. 2. 2.]], shape=(10, 10), dtype=float32)',
    "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=9.0>",
    "(1000,) <dtype: 'float32'> (1000,)",
    'Current loss: 10.137055',
    'Epoch  0: W=5.00 b=0.00, loss=10.13706',
    'Epoch  1: W=4.44 b=0.41, loss=5.92786',
    'Epoch  2: W=4.03 b=0.73, loss=3.59308',
    'Epoch  3: W=3.75 b=0.99, loss=2.28422',
    'Epoch  4: W=3.54 b=1.20, loss=1.54225',
    'Epoch  5: W=3.39 b=1.36, loss=1.11679',
    'Epoch  6: W=3.29 b=1.49, loss=0.86999',
    'Epoch  7: W=3.21 b=1.59, loss=0.72520',
    'Epoch  8: W=3.16 b=1.68, loss=0.63932',
    'Epoch  9: W=3.12 b=1.74, loss=0.58786',
    'float32 float32',
    'Ending: W=3.09 b=1.79, loss=0.55673',
    '',
]
NUMERIC = {13, 14}


def test_custom_training_tutorial_prints_as_tensorflow():
    assert_guide_prints(GUIDE, "custom_training_tutorial", TF_OUTPUT, NUMERIC)
