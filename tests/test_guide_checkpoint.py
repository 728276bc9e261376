"""TensorFlow's guide "Training checkpoints" (guide/checkpoint.ipynb) run with ``import glassnet as tf``:
Checkpoint(step=, optimizer=, net=, iterator=) with a CheckpointManager, training resumed from
ckpt-5 in a fresh model and optimizer (built to the saved shapes, restored at once), the
partial restore through Checkpoints of Checkpoints, delayed restoration, list_variables with
TensorFlow 2.21's names (Keras 3's net/l1/_kernel, optimizer/_iterations, _variables/N),
load_checkpoint's reader, list and dict tracking (a value reached by two paths saved once,
restored by either; ListWrapper), restore_or_initialize and the state file. Lines are TF 2.21's
for the same program; the iterator's state (its encoding is TF's own) and the optimizer's keys
after the resumed run (where TF 2.21 keeps a stale copy of the fresh model's kernel) are not printed.
The Estimator section is left out (tf.estimator is gone from TF 2.16 on)."""
from conftest import assert_guide_prints

GUIDE = r'''import os, tempfile
import numpy as np
import tensorflow as tf
os.chdir(tempfile.mkdtemp())

class Net(tf.keras.Model):
  """A simple linear model."""
  def __init__(self):
    super(Net, self).__init__()
    self.l1 = tf.keras.layers.Dense(5)
  def call(self, x):
    return self.l1(x)

net = Net()
try:
  net.save_weights('easy_checkpoint.weights.h5')
except ValueError as e:
  print('ValueError')
print(sorted(os.listdir('.')))

def toy_dataset():
  inputs = tf.range(10.)[:, None]
  labels = inputs * 5. + tf.range(5.)[None, :]
  return tf.data.Dataset.from_tensor_slices(
    dict(x=inputs, y=labels)).repeat().batch(2)

def train_step(net, example, optimizer):
  """Trains `net` on `example` using `optimizer`."""
  with tf.GradientTape() as tape:
    output = net(example['x'])
    loss = tf.reduce_mean(tf.abs(output - example['y']))
  variables = net.trainable_variables
  gradients = tape.gradient(loss, variables)
  optimizer.apply_gradients(zip(gradients, variables))
  return loss

opt = tf.keras.optimizers.Adam(0.1)
dataset = toy_dataset()
iterator = iter(dataset)
ckpt = tf.train.Checkpoint(step=tf.Variable(1), optimizer=opt, net=net, iterator=iterator)
manager = tf.train.CheckpointManager(ckpt, './tf_ckpts', max_to_keep=3)

def train_and_checkpoint(net, manager):
  ckpt.restore(manager.latest_checkpoint)
  if manager.latest_checkpoint:
    print("Restored from {}".format(manager.latest_checkpoint))
  else:
    print("Initializing from scratch.")
  for _ in range(50):
    example = next(iterator)
    loss = train_step(net, example, opt)
    ckpt.step.assign_add(1)
    if int(ckpt.step) % 10 == 0:
      save_path = manager.save()
      print("Saved checkpoint for step {}: {}".format(int(ckpt.step), save_path))
      print("loss", type(loss.numpy()).__name__)

train_and_checkpoint(net, manager)
for name, shape in tf.train.list_variables(manager.latest_checkpoint):
  print(name, shape if "ITERATOR" not in name else "(iterator state)")
first_example = next(iterator)
print(first_example['x'].numpy().ravel().tolist())

opt = tf.keras.optimizers.Adam(0.1)
net = Net()
dataset = toy_dataset()
iterator = iter(dataset)
ckpt = tf.train.Checkpoint(step=tf.Variable(1), optimizer=opt, net=net, iterator=iterator)
manager = tf.train.CheckpointManager(ckpt, './tf_ckpts', max_to_keep=3)
train_and_checkpoint(net, manager)
print(manager.checkpoints)
print(sorted(os.listdir('./tf_ckpts')))
print(int(ckpt.step), int(ckpt.save_counter), ckpt.save_counter.dtype, opt.iterations.numpy())

to_restore = tf.Variable(tf.zeros([5]))
print(to_restore.numpy())
fake_layer = tf.train.Checkpoint(bias=to_restore)
fake_net = tf.train.Checkpoint(l1=fake_layer)
new_root = tf.train.Checkpoint(net=fake_net)
status = new_root.restore(tf.train.latest_checkpoint('./tf_ckpts/'))
print(np.array_equal(to_restore.numpy(), net.l1.bias.numpy()))
print(type(status).__name__)
print(type(status.assert_existing_objects_matched()).__name__)
try:
  status.assert_consumed()
except AssertionError as e:
  print("AssertionError", str(e)[:49])
delayed_restore = tf.Variable(tf.zeros([1, 5]))
print(delayed_restore.numpy())
fake_layer.kernel = delayed_restore
print(np.array_equal(delayed_restore.numpy(), net.l1.kernel.numpy()))
for name, shape in tf.train.list_variables(tf.train.latest_checkpoint('./tf_ckpts/')):
  if not name.startswith(("optimizer/", "iterator/")):   # TF 2.21 keeps a stale kernel in the optimizer here
    print(name, shape)
reader = tf.train.load_checkpoint('./tf_ckpts/')
shape_from_key = reader.get_variable_to_shape_map()
dtype_from_key = reader.get_variable_to_dtype_map()
print([k for k in sorted(shape_from_key.keys()) if not k.startswith("optimizer/")])
key = 'net/l1/_kernel/.ATTRIBUTES/VARIABLE_VALUE'
print("Shape:", shape_from_key[key])
print("Dtype:", dtype_from_key[key].name)
print(type(reader.get_tensor(key)).__name__, reader.get_tensor(key).dtype, reader.has_tensor(key), reader.has_tensor('nope'))
print(reader.get_tensor('step/.ATTRIBUTES/VARIABLE_VALUE'), reader.get_tensor('save_counter/.ATTRIBUTES/VARIABLE_VALUE'))
print(tf.train.load_variable('./tf_ckpts/', 'step/.ATTRIBUTES/VARIABLE_VALUE'))

save = tf.train.Checkpoint()
save.listed = [tf.Variable(1.)]
save.listed.append(tf.Variable(2.))
save.mapped = {'one': save.listed[0]}
save.mapped['two'] = save.listed[1]
save_path = save.save('./tf_list_example')
print(save_path)
restore = tf.train.Checkpoint()
v2 = tf.Variable(0.)
assert 0. == v2.numpy()
restore.mapped = {'two': v2}
restore.restore(save_path)
assert 2. == v2.numpy()
restore.listed = []
print(restore.listed)
v1 = tf.Variable(0.)
restore.listed.append(v1)
print(v1.numpy())
for name, shape in tf.train.list_variables(save_path):
  print(name, shape)

m2 = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(3.)), './other', max_to_keep=2)
print(m2.restore_or_initialize(), m2.latest_checkpoint)
print(m2.save(), m2.save(checkpoint_number=7), m2.checkpoints)
ck3 = tf.train.Checkpoint(v=tf.Variable(0.))
st = ck3.restore(m2.latest_checkpoint).expect_partial()
print(type(st).__name__, ck3.v.numpy())
m3 = tf.train.CheckpointManager(ck3, './other', max_to_keep=2)
print(m3.restore_or_initialize())
print(tf.train.latest_checkpoint('./nothing_here'))
print(open('./tf_ckpts/checkpoint').read().splitlines()[:4])
'''

TF_OUTPUT = [
    'ValueError',
    '[]',
    'Initializing from scratch.',
    'Saved checkpoint for step 10: ./tf_ckpts/ckpt-1',
    'loss float32',
    'Saved checkpoint for step 20: ./tf_ckpts/ckpt-2',
    'loss float32',
    'Saved checkpoint for step 30: ./tf_ckpts/ckpt-3',
    'loss float32',
    'Saved checkpoint for step 40: ./tf_ckpts/ckpt-4',
    'loss float32',
    'Saved checkpoint for step 50: ./tf_ckpts/ckpt-5',
    'loss float32',
    '_CHECKPOINTABLE_OBJECT_GRAPH []',
    'iterator/.ATTRIBUTES/ITERATOR_STATE (iterator state)',
    'net/l1/_kernel/.ATTRIBUTES/VARIABLE_VALUE [1, 5]',
    'net/l1/bias/.ATTRIBUTES/VARIABLE_VALUE [5]',
    'optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE []',
    'optimizer/_learning_rate/.ATTRIBUTES/VARIABLE_VALUE []',
    'optimizer/_variables/2/.ATTRIBUTES/VARIABLE_VALUE [1, 5]',
    'optimizer/_variables/3/.ATTRIBUTES/VARIABLE_VALUE [1, 5]',
    'optimizer/_variables/4/.ATTRIBUTES/VARIABLE_VALUE [5]',
    'optimizer/_variables/5/.ATTRIBUTES/VARIABLE_VALUE [5]',
    'save_counter/.ATTRIBUTES/VARIABLE_VALUE []',
    'step/.ATTRIBUTES/VARIABLE_VALUE []',
    '[0.0, 1.0]',
    'Restored from ./tf_ckpts/ckpt-5',
    'Saved checkpoint for step 60: ./tf_ckpts/ckpt-6',
    'loss float32',
    'Saved checkpoint for step 70: ./tf_ckpts/ckpt-7',
    'loss float32',
    'Saved checkpoint for step 80: ./tf_ckpts/ckpt-8',
    'loss float32',
    'Saved checkpoint for step 90: ./tf_ckpts/ckpt-9',
    'loss float32',
    'Saved checkpoint for step 100: ./tf_ckpts/ckpt-10',
    'loss float32',
    "['./tf_ckpts/ckpt-8', './tf_ckpts/ckpt-9', './tf_ckpts/ckpt-10']",
    "['checkpoint', 'ckpt-10.data-00000-of-00001', 'ckpt-10.index', 'ckpt-8.data-00000-of-00001', 'ckpt-8.index', 'ckpt-9.data-00000-of-00001', 'ckpt-9.index']",
    "100 10 <dtype: 'int64'> 99",
    '[0. 0. 0. 0. 0.]',
    'True',
    'CheckpointLoadStatus',
    'CheckpointLoadStatus',
    'AssertionError Unresolved object in checkpoint (root).iterator: ',
    '[[0. 0. 0. 0. 0.]]',
    'False',
    '_CHECKPOINTABLE_OBJECT_GRAPH []',
    'net/l1/_kernel/.ATTRIBUTES/VARIABLE_VALUE [1, 5]',
    'net/l1/bias/.ATTRIBUTES/VARIABLE_VALUE [5]',
    'save_counter/.ATTRIBUTES/VARIABLE_VALUE []',
    'step/.ATTRIBUTES/VARIABLE_VALUE []',
    "['_CHECKPOINTABLE_OBJECT_GRAPH', 'iterator/.ATTRIBUTES/ITERATOR_STATE', 'net/l1/_kernel/.ATTRIBUTES/VARIABLE_VALUE', 'net/l1/bias/.ATTRIBUTES/VARIABLE_VALUE', 'save_counter/.ATTRIBUTES/VARIABLE_VALUE', 'step/.ATTRIBUTES/VARIABLE_VALUE']",
    'Shape: [1, 5]',
    'Dtype: float32',
    'ndarray float32 True False',
    '100 10',
    '100',
    './tf_list_example-1',
    'ListWrapper([])',
    '1.0',
    '_CHECKPOINTABLE_OBJECT_GRAPH []',
    'listed/0/.ATTRIBUTES/VARIABLE_VALUE []',
    'listed/1/.ATTRIBUTES/VARIABLE_VALUE []',
    'save_counter/.ATTRIBUTES/VARIABLE_VALUE []',
    'None None',
    "./other/ckpt-1 ./other/ckpt-7 ['./other/ckpt-1', './other/ckpt-7']",
    'CheckpointLoadStatus 3.0',
    './other/ckpt-7',
    'None',
    '[\'model_checkpoint_path: "ckpt-10"\', \'all_model_checkpoint_paths: "ckpt-8"\', \'all_model_checkpoint_paths: "ckpt-9"\', \'all_model_checkpoint_paths: "ckpt-10"\']',
    '',
]


def test_checkpoint_prints_as_tensorflow():
    assert_guide_prints(GUIDE, "checkpoint.ipynb", TF_OUTPUT, numeric=())


def test_files_with_the_older_names_are_still_read(tmp_path):
    """glassnet wrote ``kernel``, ``optimizer/iter`` and ``optimizer/<slot>/<i>`` before it named
    things as TF 2.21: such a file restores into today's objects, all of it consumed."""
    import numpy as np
    import glassnet as tf
    from glassnet.tf import train
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    opt = tf.keras.optimizers.Adam(0.1)
    opt.build(model.trainable_weights)
    kernel = np.arange(6, dtype=np.float32).reshape(3, 2)
    old = {"model/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE": kernel,
           "model/layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE": np.ones(2, np.float32),
           "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE": np.array(7, np.int64),
           "optimizer/_learning_rate/.ATTRIBUTES/VARIABLE_VALUE": np.array(0.1, np.float32),
           "optimizer/momentum/0/.ATTRIBUTES/VARIABLE_VALUE": np.full((3, 2), 2, np.float32),
           "optimizer/momentum/1/.ATTRIBUTES/VARIABLE_VALUE": np.full(2, 3, np.float32),
           "optimizer/velocity/0/.ATTRIBUTES/VARIABLE_VALUE": np.full((3, 2), 4, np.float32),
           "optimizer/velocity/1/.ATTRIBUTES/VARIABLE_VALUE": np.full(2, 5, np.float32)}
    prefix = train._write(str(tmp_path / "old"), old)
    tf.train.Checkpoint(model=model, optimizer=opt).read(prefix).assert_consumed()
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), kernel)
    assert int(opt.iterations) == 7
    assert [float(a.ravel()[0]) for a in opt.slots_in_file_order()] == [2, 4, 3, 5]     # m0 v0 m1 v1


def test_an_unbuilt_layer_whose_kernel_cannot_tell_its_input_is_left_unrestored(tmp_path):
    import glassnet as tf
    saved = tf.keras.layers.Conv2DTranspose(2, 3)
    saved.build((None, 5, 5, 3))
    prefix = tf.train.Checkpoint(c=saved).write(str(tmp_path / "c"))
    assert [k for k, _ in tf.train.list_variables(prefix)][1:] == ["c/bias/.ATTRIBUTES/VARIABLE_VALUE",
                                                                   "c/kernel/.ATTRIBUTES/VARIABLE_VALUE"]
    fresh = tf.keras.layers.Conv2DTranspose(2, 3)
    status = tf.train.Checkpoint(c=fresh).restore(prefix)
    assert not fresh.built
    try:
        status.assert_consumed()
    except AssertionError as e:
        assert str(e).startswith("Unresolved object in checkpoint (root).c.bias:")
    else:
        raise AssertionError("assert_consumed passed with nothing restored")
