"""TensorFlow's guide "Basic training loops" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the guide's cells
reconstructed, stand-in data where it downloads). Lines in NUMERIC are the same text with numbers
equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

from conftest import assert_guide_prints

GUIDE = r'''import os
import tempfile
import tensorflow as tf

os.chdir(tempfile.mkdtemp())
TRUE_W = 3.0
TRUE_B = 2.0
NUM_EXAMPLES = 201
x = tf.linspace(-2,2, NUM_EXAMPLES)
print(x.dtype)
x = tf.cast(x, tf.float32)
def f(x):
  return x * TRUE_W + TRUE_B
# the guide draws tf.random.normal(shape=[NUM_EXAMPLES]): a fixed stand-in here
noise = tf.sin(x * 7.0) * 0.8
y = f(x) + noise

class MyModel(tf.Module):
  def __init__(self, **kwargs):
    super().__init__(**kwargs)
    self.w = tf.Variable(5.0)
    self.b = tf.Variable(0.0)
  def __call__(self, x):
    return self.w * x + self.b

model = MyModel()
print("Variables:", model.variables)
assert model(3.0).numpy() == 15.0

def loss(target_y, predicted_y):
  return tf.reduce_mean(tf.square(target_y - predicted_y))

print("Current loss: %1.6f" % loss(y, model(x)).numpy())

def train(model, x, y, learning_rate):
  with tf.GradientTape() as t:
    current_loss = loss(y, model(x))
  dw, db = t.gradient(current_loss, [model.w, model.b])
  model.w.assign_sub(learning_rate * dw)
  model.b.assign_sub(learning_rate * db)

model = MyModel()
weights = []
biases = []
epochs = range(10)
def report(model, loss):
  return f"W = {model.w.numpy():1.2f}, b = {model.b.numpy():1.2f}, loss={loss:2.5f}"

def training_loop(model, x, y):
  for epoch in epochs:
    train(model, x, y, learning_rate=0.1)
    weights.append(model.w.numpy())
    biases.append(model.b.numpy())
    current_loss = loss(y, model(x))
    print(f"Epoch {epoch:2d}:")
    print("    ", report(model, current_loss))

current_loss = loss(y, model(x))
print(f"Starting:")
print("    ", report(model, current_loss))
training_loop(model, x, y)

class MyModelKeras(tf.keras.Model):
  def __init__(self, **kwargs):
    super().__init__(**kwargs)
    self.w = tf.Variable(5.0)
    self.b = tf.Variable(0.0)
  def call(self, x):
    return self.w * x + self.b

keras_model = MyModelKeras()
training_loop(keras_model, x, y)
keras_model.save_weights("my_checkpoint.weights.h5")

keras_model = MyModelKeras()
keras_model.compile(
    run_eagerly=False,
    optimizer=tf.keras.optimizers.SGD(learning_rate=0.1),
    loss=tf.keras.losses.MeanSquaredError(),
)
print(x.shape[0])
history = keras_model.fit(x, y, epochs=10, batch_size=1000, verbose=0)
# TF 2.21 (Keras 3) does not train tf.Variables set on a keras.Model (its losses stay 9.7035 and
# W = 5.000); glassnet trains them, as the guide's text expects: the numbers are not compared
print(len(history.history["loss"]), round(float(history.history["loss"][0]), 4))
'''

# printed by TensorFlow 2.21 (/work/peers/bin/python), log lines removed
TF_OUTPUT = [
    "<dtype: 'float64'>",
    "Variables: (<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=0.0>, <tf.Variable 'Variable:0' shape=() dtype=float32, numpy=5.0>)",
    'Current loss: 9.703455',
    'Starting:',
    '     W = 5.00, b = 0.00, loss=9.70345',
    'Epoch  0:',
    '     W = 4.46, b = 0.40, loss=5.75337',
    'Epoch  1:',
    '     W = 4.07, b = 0.72, loss=3.49171',
    'Epoch  2:',
    '     W = 3.78, b = 0.98, loss=2.18646',
    'Epoch  3:',
    '     W = 3.57, b = 1.18, loss=1.42702',
    'Epoch  4:',
    '     W = 3.42, b = 1.34, loss=0.98152',
    'Epoch  5:',
    '     W = 3.30, b = 1.48, loss=0.71804',
    'Epoch  6:',
    '     W = 3.22, b = 1.58, loss=0.56096',
    'Epoch  7:',
    '     W = 3.16, b = 1.66, loss=0.46660',
    'Epoch  8:',
    '     W = 3.12, b = 1.73, loss=0.40950',
    'Epoch  9:',
    '     W = 3.09, b = 1.79, loss=0.37472',
    'Epoch  0:',
    '     W = 4.46, b = 0.40, loss=5.75337',
    'Epoch  1:',
    '     W = 4.07, b = 0.72, loss=3.49171',
    'Epoch  2:',
    '     W = 3.78, b = 0.98, loss=2.18646',
    'Epoch  3:',
    '     W = 3.57, b = 1.18, loss=1.42702',
    'Epoch  4:',
    '     W = 3.42, b = 1.34, loss=0.98152',
    'Epoch  5:',
    '     W = 3.30, b = 1.48, loss=0.71804',
    'Epoch  6:',
    '     W = 3.22, b = 1.58, loss=0.56096',
    'Epoch  7:',
    '     W = 3.16, b = 1.66, loss=0.46660',
    'Epoch  8:',
    '     W = 3.12, b = 1.73, loss=0.40950',
    'Epoch  9:',
    '     W = 3.09, b = 1.79, loss=0.37472',
    '201',
    '10 9.7035',
    '',
]
NUMERIC = []


def test_guide_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE, "basic_training_loops_guide", TF_OUTPUT, NUMERIC)
