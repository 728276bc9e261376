"""TensorFlow's guide "Mixed precision" (guide/mixed_precision.ipynb) run with ``import glassnet as tf``
on stand-in MNIST-shaped data: policies (names, compute/variable dtypes, the global policy), layers
made under mixed_float16 reporting it, a float32 softmax layer, fit, float16 overflow/underflow, and
LossScaleOptimizer's Keras 3 API in a custom loop (scale_loss, inner_optimizer, initial_scale).
Lines are TF 2.21's for the same program. Left out on purpose: glassnet computes in float32 under
mixed policies (it warns), so a mixed layer's output dtype is float32 where TF's is float16; a
Keras 3 variable's dtype prints as a str ('float32'), glassnet's as TF's DType; and Keras's compile
wraps the optimizer in a LossScaleOptimizer under mixed_float16, glassnet's does not."""
from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras import mixed_precision
policy = mixed_precision.Policy('mixed_float16')
mixed_precision.set_global_policy(policy)
print(policy)
print(repr(policy))
print('Compute dtype: %s' % policy.compute_dtype)
print('Variable dtype: %s' % policy.variable_dtype)
print(mixed_precision.global_policy())
inputs = keras.Input(shape=(784,), name='digits')
if tf.config.list_physical_devices('GPU'):
  print('The model will run with 4096 units on a GPU')
  num_units = 4096
else:
  print('The model will run with 64 units on a CPU')
  num_units = 64
dense1 = layers.Dense(num_units, activation='relu', name='dense_1')
x = dense1(inputs)
dense2 = layers.Dense(num_units, activation='relu', name='dense_2')
x = dense2(x)
print(dense1.dtype_policy)
outputs = layers.Dense(10, activation='softmax', name='predictions')(x)
x = layers.Dense(10, name='dense_logits')(x)
outputs = layers.Activation('softmax', dtype='float32', name='predictions')(x)
print('Outputs dtype: %s' % outputs.dtype)
outputs = layers.Activation('linear', dtype='float32')(outputs)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(loss='sparse_categorical_crossentropy', optimizer=keras.optimizers.RMSprop(), metrics=['accuracy'])
rng = np.random.default_rng(0)
x_train = rng.uniform(size=(512, 784)).astype('float32'); y_train = rng.integers(0, 10, 512)
x_test = rng.uniform(size=(128, 784)).astype('float32'); y_test = rng.integers(0, 10, 128)
initial_weights = model.get_weights()
print([w.dtype for w in initial_weights][:2])
history = model.fit(x_train, y_train, batch_size=256, epochs=1, validation_split=0.2, verbose=0)
print(sorted(history.history))
x = tf.constant(256, dtype='float16')
print((x ** 2).numpy())
x = tf.constant(1e-5, dtype='float16')
print((x ** 2).numpy())
optimizer = keras.optimizers.RMSprop()
optimizer = mixed_precision.LossScaleOptimizer(optimizer)
print(type(optimizer).__name__, float(optimizer.initial_scale), optimizer.dynamic_growth_steps)
print(optimizer.loss_scale_factor)
print(optimizer.scale_loss(tf.constant(2.0)))
print(type(optimizer.inner_optimizer).__name__)
loss_object = tf.keras.losses.SparseCategoricalCrossentropy()
train_dataset = (tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(10000).batch(256))
@tf.function
def train_step(x, y):
  with tf.GradientTape() as tape:
    predictions = model(x)
    loss = loss_object(y, predictions)
    scaled_loss = optimizer.scale_loss(loss)
  scaled_gradients = tape.gradient(scaled_loss, model.trainable_variables)
  optimizer.apply_gradients(zip(scaled_gradients, model.trainable_variables))
  return loss
model.set_weights(initial_weights)
for x, y in train_dataset:
  loss = train_step(x, y)
print(loss.dtype, float(optimizer.iterations))
print(mixed_precision.Policy('float32'), mixed_precision.Policy('mixed_bfloat16').compute_dtype)
mixed_precision.set_global_policy('float32')
print(mixed_precision.global_policy())
'''

TF_OUTPUT = [
    '<DTypePolicy "mixed_float16">',
    '<DTypePolicy "mixed_float16">',
    'Compute dtype: float16',
    'Variable dtype: float32',
    '<DTypePolicy "mixed_float16">',
    'The model will run with 64 units on a CPU',
    '<DTypePolicy "mixed_float16">',
    'Outputs dtype: float32',
    "[dtype('float32'), dtype('float32')]",
    "['accuracy', 'loss', 'val_accuracy', 'val_loss']",
    'inf',
    '0.0',
    'LossScaleOptimizer 32768.0 2000',
    'None',
    'tf.Tensor(65536.0, shape=(), dtype=float32)',
    'RMSprop',
    "<dtype: 'float32'> 2.0",
    '<DTypePolicy "float32"> bfloat16',
    '<DTypePolicy "float32">',
    '',
]


def test_mixed_precision_prints_as_tensorflow():
    import warnings
    import glassnet as tf
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # glassnet's note that it computes in float32; float16 overflow
            assert_guide_prints(GUIDE.replace("from tensorflow", "from glassnet"), "mixed_precision.ipynb", TF_OUTPUT)
    finally:
        tf.keras.mixed_precision.set_global_policy("float32")
