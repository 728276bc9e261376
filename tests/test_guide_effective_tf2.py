"""TensorFlow's guide "Effective Tensorflow 2" (effective_tf2.ipynb) run with ``import glassnet as tf``
on a stand-in for its tensorflow_datasets MNIST (uint8 28x28x1 images, int64 labels, from a seeded
generator): the scaled, shuffled, batched and trimmed datasets, ``fit``/``evaluate`` of the guide's
convnet, its own training loop (``tf.math.add_n(model.losses)`` for the L2 penalty under a tf.function),
``DynamicRNN`` unrolling an LSTMCell through ``tf.TensorArray`` (``cell.get_initial_state``), a loss
object called on lists, metrics gathered in a tf.function loop, Keras's metric names, and
``tf.config.run_functions_eagerly(True)``. Each printed line is TF 2.21's (recorded with
``/work/peers/bin/python``); the two epochs' mean loss and accuracy come from different random weights
and are compared in form only; ``fit`` runs with ``verbose=0``.

Written differently from the guide where TF 2.21 itself fails: ``super().__init__(self)`` (Keras 3's
Layer takes no positional argument: TypeError; glassnet accepts it, as other tests want),
``get_initial_state(..., dtype=tf.float32)`` (Keras 3's cells take no dtype) and the metrics'
``reset_states()`` (Keras 3 has only ``reset_state``: AttributeError; glassnet keeps the old name)."""
import re

from conftest import run_printing

GUIDE = r'''import numpy as np
import tensorflow as tf

# stand-in for tfds.load('mnist', with_info=True, as_supervised=True): uint8 (28, 28, 1) images, int64 labels
rng = np.random.default_rng(0)
def _split(n):
  return tf.data.Dataset.from_tensor_slices((rng.integers(0, 256, (n, 28, 28, 1)).astype(np.uint8),
                                             rng.integers(0, 10, n).astype(np.int64)))
mnist_train, mnist_test = _split(640), _split(320)

BUFFER_SIZE = 10 # Use a much larger value for real code
BATCH_SIZE = 64
NUM_EPOCHS = 5


def scale(image, label):
  image = tf.cast(image, tf.float32)
  image /= 255

  return image, label

train_data = mnist_train.map(scale).shuffle(BUFFER_SIZE).batch(BATCH_SIZE)
test_data = mnist_test.map(scale).batch(BATCH_SIZE)

STEPS_PER_EPOCH = 5

train_data = train_data.take(STEPS_PER_EPOCH)
test_data = test_data.take(STEPS_PER_EPOCH)
image_batch, label_batch = next(iter(train_data))
print(image_batch.shape, image_batch.dtype, label_batch.shape, label_batch.dtype)
print(train_data.element_spec)
print(len(train_data), len(test_data), float(tf.reduce_max(image_batch)) <= 1.0)

def make_model():
  return tf.keras.Sequential([
      tf.keras.layers.Conv2D(32, 3, activation='relu',
                             kernel_regularizer=tf.keras.regularizers.l2(0.02),
                             input_shape=(28, 28, 1)),
      tf.keras.layers.MaxPooling2D(),
      tf.keras.layers.Flatten(),
      tf.keras.layers.Dropout(0.1),
      tf.keras.layers.Dense(64, activation='relu'),
      tf.keras.layers.BatchNormalization(),
      tf.keras.layers.Dense(10)
  ])

model = make_model()
model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])
history = model.fit(train_data, epochs=NUM_EPOCHS, verbose=0)
loss, acc = model.evaluate(test_data, verbose=0)
print(sorted(history.history), len(history.history['loss']), type(loss).__name__, type(acc).__name__)

model = make_model()
optimizer = tf.keras.optimizers.Adam(0.001)
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

@tf.function
def train_step(inputs, labels):
  with tf.GradientTape() as tape:
    predictions = model(inputs, training=True)
    regularization_loss=tf.math.add_n(model.losses)
    pred_loss=loss_fn(labels, predictions)
    total_loss=pred_loss + regularization_loss

  gradients = tape.gradient(total_loss, model.trainable_variables)
  optimizer.apply_gradients(zip(gradients, model.trainable_variables))

for epoch in range(NUM_EPOCHS):
  for inputs, labels in train_data:
    train_step(inputs, labels)
  print("Finished epoch", epoch)
print(len(model.losses), model.losses[0].shape, model.losses[0].dtype, int(optimizer.iterations))

class DynamicRNN(tf.keras.Model):

  def __init__(self, rnn_cell):
    super(DynamicRNN, self).__init__()           # the guide's __init__(self): TF 2.21 refuses it
    self.cell = rnn_cell

  @tf.function(input_signature=[tf.TensorSpec(dtype=tf.float32, shape=[None, None, 3])])
  def call(self, input_data):

    # [batch, time, features] -> [time, batch, features]
    input_data = tf.transpose(input_data, [1, 0, 2])
    timesteps =  tf.shape(input_data)[0]
    batch_size = tf.shape(input_data)[1]
    outputs = tf.TensorArray(tf.float32, timesteps)
    state = self.cell.get_initial_state(batch_size = batch_size)   # Keras 3 takes no dtype
    for i in tf.range(timesteps):
      output, state = self.cell(input_data[i], state)
      outputs = outputs.write(i, output)
    return tf.transpose(outputs.stack(), [1, 0, 2]), state

lstm_cell = tf.keras.layers.LSTMCell(units = 13)

my_rnn = DynamicRNN(lstm_cell)
outputs, state = my_rnn(tf.random.normal(shape=[10,20,3]))
print(outputs.shape, [s.shape for s in state])

cce = tf.keras.losses.CategoricalCrossentropy(from_logits=True)
print(repr(cce([[1, 0]], [[-1.0,3.0]]).numpy()))

loss_metric = tf.keras.metrics.Mean(name='train_loss')
accuracy_metric = tf.keras.metrics.SparseCategoricalAccuracy(name='train_accuracy')

@tf.function
def train_step(inputs, labels):
  with tf.GradientTape() as tape:
    predictions = model(inputs, training=True)
    regularization_loss=tf.math.add_n(model.losses)
    pred_loss=loss_fn(labels, predictions)
    total_loss=pred_loss + regularization_loss

  gradients = tape.gradient(total_loss, model.trainable_variables)
  optimizer.apply_gradients(zip(gradients, model.trainable_variables))
  # Update the metrics
  loss_metric.update_state(total_loss)
  accuracy_metric.update_state(labels, predictions)


for epoch in range(2):
  # Reset the metrics (Keras 3's name: TF 2.21 has no reset_states)
  loss_metric.reset_state()
  accuracy_metric.reset_state()

  for inputs, labels in train_data:
    train_step(inputs, labels)
  # Get the metric results
  mean_loss=loss_metric.result()
  mean_accuracy = accuracy_metric.result()

  print('Epoch: ', epoch)
  print('  loss:     {:.3f}'.format(mean_loss))
  print('  accuracy: {:.3f}'.format(mean_accuracy))
print(int(loss_metric.count), int(accuracy_metric.count))

model.compile(
    optimizer = tf.keras.optimizers.Adam(0.001),
    loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics = ['acc', 'accuracy', tf.keras.metrics.SparseCategoricalAccuracy(name="my_accuracy")])
history = model.fit(train_data, verbose=0)
print(history.history.keys())

@tf.function
def f(x):
  if x > 0:
    x = x + 1
  return x

tf.config.run_functions_eagerly(True)
print(repr(f(tf.constant(1))))

class CustomModel(tf.keras.models.Model):

  @tf.function
  def call(self, input_data):
    if tf.reduce_mean(input_data) > 0:
      return input_data
    else:
      return input_data // 2


tf.config.run_functions_eagerly(True)
model = CustomModel()
print(repr(model(tf.constant([-2, -4]))))
tf.config.run_functions_eagerly(False)
'''

TF_OUTPUT = [                   # TF 2.21 / Keras 3.15
    "(64, 28, 28, 1) <dtype: 'float32'> (64,) <dtype: 'int64'>",
    "(TensorSpec(shape=(None, 28, 28, 1), dtype=tf.float32, name=None), TensorSpec(shape=(None,), "
    "dtype=tf.int64, name=None))",
    "5 5 True",
    "['accuracy', 'loss'] 5 float float",
    "Finished epoch 0",
    "Finished epoch 1",
    "Finished epoch 2",
    "Finished epoch 3",
    "Finished epoch 4",
    "1 () <dtype: 'float32'> 25",
    "(10, 20, 13) [TensorShape([10, 13]), TensorShape([10, 13])]",
    "np.float32(4.01815)",
    "Epoch:  0",
    "  loss:     #.###",
    "  accuracy: #.###",
    "Epoch:  1",
    "  loss:     #.###",
    "  accuracy: #.###",
    "5 320",
    "dict_keys(['acc', 'accuracy', 'loss', 'my_accuracy'])",
    "<tf.Tensor: shape=(), dtype=int32, numpy=2>",
    "<tf.Tensor: shape=(2,), dtype=int32, numpy=array([-1, -2], dtype=int32)>",
    "",
]


def test_the_guide_prints_what_tensorflow_printed():
    lines = run_printing(GUIDE)
    lines = [re.sub(r"(loss|accuracy):( +)\d\.\d{3}$", r"\1:\2#.###", line) for line in lines]
    assert lines == TF_OUTPUT
