"""TensorFlow's tutorial "Distributed input" (site/en/tutorials/distribute/input.ipynb), run renamed
on one CPU replica: experimental_distribute_dataset (next(iter(...)), the for loop, iter()/next()
per epoch, get_next, get_next_as_optional inside a tf.function loop that breaks at the end),
tf.data.Options' auto_shard_policy, distribute_datasets_from_function with its InputContext
(get_per_replica_batch_size, shard by num_input_pipelines/input_pipeline_id) and InputOptions
(experimental_fetch_to_device=False), a StringLookup mapped in the dataset function, element_spec
as a tf.function input_signature, experimental_local_results, and
experimental_distribute_values_from_function's PerReplica (printed as TF prints it).
TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python).
"""

from conftest import assert_guide_prints

PROGRAM = """\
import tensorflow as tf
import os
import tempfile
os.chdir(tempfile.mkdtemp())
import numpy as np
global_batch_size = 16
dataset = tf.data.Dataset.from_tensors(([1.], [1.])).repeat(100).batch(global_batch_size)
@tf.function
def train_step(inputs):
  features, labels = inputs
  return labels - 0.3 * features
for inputs in dataset.take(2):
  print(train_step(inputs))
mirrored_strategy = tf.distribute.MirroredStrategy()
dist_dataset = mirrored_strategy.experimental_distribute_dataset(dataset)
print(next(iter(dist_dataset)))
dataset = tf.data.Dataset.from_tensors(([1.], [1.])).repeat(64).batch(16)
options = tf.data.Options()
options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
dataset = dataset.with_options(options)
print(tf.data.experimental.AutoShardPolicy.DATA, options.experimental_distribute.auto_shard_policy)
def dataset_fn(input_context):
  print(type(input_context).__name__, input_context.num_input_pipelines, input_context.input_pipeline_id, input_context.num_replicas_in_sync)
  batch_size = input_context.get_per_replica_batch_size(global_batch_size)
  print(batch_size)
  dataset = tf.data.Dataset.from_tensors(([1.], [1.])).repeat(64).batch(16)
  dataset = dataset.shard(input_context.num_input_pipelines, input_context.input_pipeline_id)
  dataset = dataset.batch(batch_size)
  dataset = dataset.prefetch(2)
  return dataset
dist_dataset = mirrored_strategy.distribute_datasets_from_function(dataset_fn)
print(dist_dataset.element_spec)
dataset = tf.data.Dataset.from_tensors(([1.],[1.])).repeat(100).batch(global_batch_size)
dist_dataset = mirrored_strategy.experimental_distribute_dataset(dataset)
for i, x in enumerate(dist_dataset):
  loss = mirrored_strategy.run(train_step, args=(x,))
  if i < 2: print("Loss is ", loss)
num_epochs = 2
steps_per_epoch = 2
for epoch in range(num_epochs):
  dist_iterator = iter(dist_dataset)
  for step in range(steps_per_epoch):
    loss = mirrored_strategy.run(train_step, args=(next(dist_iterator),))
    print("Loss is ", loss.shape)
  print(dist_iterator.get_next()[0].shape)
global_batch_size = 4
steps_per_loop = 5
strategy = tf.distribute.MirroredStrategy()
dataset = tf.data.Dataset.range(9).batch(global_batch_size)
distributed_iterator = iter(strategy.experimental_distribute_dataset(dataset))
@tf.function
def train_fn(distributed_iterator):
  for _ in tf.range(steps_per_loop):
    optional_data = distributed_iterator.get_next_as_optional()
    if not optional_data.has_value():
      break
    per_replica_data = optional_data.get_value()
    tf.print(strategy.experimental_local_results(per_replica_data))
train_fn(distributed_iterator)
print(distributed_iterator.element_spec)
global_batch_size = 16
epochs = 2
steps_per_epoch = 2
dataset = tf.data.Dataset.from_tensors(([1.],[1.])).repeat(100).batch(global_batch_size)
dist_dataset = mirrored_strategy.experimental_distribute_dataset(dataset)
print(dist_dataset.element_spec)
@tf.function(input_signature=[dist_dataset.element_spec])
def train_step2(per_replica_inputs):
  def step_fn(inputs):
    return 2 * inputs
  return mirrored_strategy.run(step_fn, args=(per_replica_inputs,))
for _ in range(epochs):
  iterator = iter(dist_dataset)
  for _ in range(steps_per_epoch):
    output = train_step2(next(iterator))
    tf.print(output)
input_options = tf.distribute.InputOptions(experimental_fetch_to_device=False)
print(input_options.experimental_fetch_to_device)
vocab = ["a", "b", "c", "d", "f"]
layer = tf.keras.layers.StringLookup(vocabulary=vocab)
def dataset_fn2(input_context):
  dataset = tf.data.Dataset.from_tensors(["a", "c", "e"]).repeat()
  global_batch_size = 4
  batch_size = input_context.get_per_replica_batch_size(global_batch_size)
  dataset = dataset.batch(batch_size)
  dataset = dataset.shard(input_context.num_input_pipelines, input_context.input_pipeline_id)
  dataset = dataset.map(layer)
  return dataset
dist_dataset = mirrored_strategy.distribute_datasets_from_function(dataset_fn2, input_options)
for x in dist_dataset:
  print(x)
  break
dataset_size = 24
batch_size = 6
dataset = tf.data.Dataset.range(0, dataset_size).batch(batch_size)
dist_dataset = mirrored_strategy.experimental_distribute_dataset(dataset)
def predict(index, inputs):
  outputs = 2 * inputs
  return index, outputs
result = {}
for index, inputs in enumerate(dist_dataset):
  output_index, outputs = mirrored_strategy.run(predict, args=(index, inputs))
  indices = list(mirrored_strategy.experimental_local_results(output_index))
  rindices = []
  for a in indices:
    rindices.extend(a.numpy() if hasattr(a, "numpy") else [a])
  outputs = list(mirrored_strategy.experimental_local_results(outputs))
  routputs = []
  for a in outputs:
    routputs.extend(a.numpy())
  for i, value in zip(rindices, routputs):
    result[i] = value
print(result)
def value_fn(ctx):
  return tf.constant(ctx.replica_id_in_sync_group)
distributed_values = mirrored_strategy.experimental_distribute_values_from_function(value_fn)
print(distributed_values)
for _ in range(2):
  result = mirrored_strategy.run(lambda x: x * 2, args=(distributed_values,))
  print(result)
def input_gen():
  while True:
    yield np.ones(4)
dataset = tf.data.Dataset.from_generator(input_gen, output_types=(tf.float32), output_shapes=tf.TensorShape([4]))
dist_dataset = strategy.experimental_distribute_dataset(dataset)
iterator = iter(dist_dataset)
print(next(iterator))
"""

TF_OUTPUT = [
    'tf.Tensor(',
    '[[0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]], shape=(16, 1), dtype=float32)',
    'tf.Tensor(',
    '[[0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]], shape=(16, 1), dtype=float32)',
    '(<tf.Tensor: shape=(16, 1), dtype=float32, numpy=',
    'array([[1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.]], dtype=float32)>, <tf.Tensor: shape=(16, 1), dtype=float32, numpy=',
    'array([[1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.],',
    '       [1.]], dtype=float32)>)',
    '2 2',
    'InputContext 1 0 1',
    '16',
    '(TensorSpec(shape=(None, None, 1), dtype=tf.float32, name=None), TensorSpec(shape=(None, None, 1), dtype=tf.float32, name=None))',
    'Loss is  tf.Tensor(',
    '[[0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]], shape=(16, 1), dtype=float32)',
    'Loss is  tf.Tensor(',
    '[[0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]',
    ' [0.7]], shape=(16, 1), dtype=float32)',
    'Loss is  (16, 1)',
    'Loss is  (16, 1)',
    '(16, 1)',
    'Loss is  (16, 1)',
    'Loss is  (16, 1)',
    '(16, 1)',
    'TensorSpec(shape=(None,), dtype=tf.int64, name=None)',
    '(TensorSpec(shape=(None, 1), dtype=tf.float32, name=None), TensorSpec(shape=(None, 1), dtype=tf.float32, name=None))',
    'False',
    'tf.Tensor(',
    '[[1 3 0]',
    ' [1 3 0]',
    ' [1 3 0]',
    ' [1 3 0]], shape=(4, 3), dtype=int64)',
    '{0: np.int64(0), 1: np.int64(12), 2: np.int64(24), 3: np.int64(36)}',
    'PerReplica:{',
    '  0: tf.Tensor(0, shape=(), dtype=int32)',
    '}',
    'tf.Tensor(0, shape=(), dtype=int32)',
    'tf.Tensor(0, shape=(), dtype=int32)',
    'tf.Tensor([1. 1. 1. 1.], shape=(4,), dtype=float32)',
    '',
]


def test_distributed_input_prints_what_tf_printed():
    assert_guide_prints(PROGRAM, "distributed_input", TF_OUTPUT, numeric=())
