"""TensorFlow's guide "Using the SavedModel format" (guide/saved_model.ipynb), the parts that need no
download (MobileNet and the Keras model are left out): a tf.Module with tf.function methods saved
and loaded in the same process runs (glassnet keeps the saved object's copy in memory: no code is
read from the file), is fine-tuned through the loaded function, and its signatures (a concrete
function, or a dict of them, from TensorSpec(None) or [None]) come back as TF's: called with
keyword arguments, answering dicts (output_0 / the function's own names), structured_outputs.
Lines are TF 2.21's for the same program. Not matched: TF traces (prints) when
get_concrete_function is called; glassnet runs the Python function when it is called."""
from conftest import assert_guide_prints

GUIDE = r'''import os, tempfile
import tensorflow as tf
tmpdir = tempfile.mkdtemp()

class CustomModule(tf.Module):

  def __init__(self):
    super(CustomModule, self).__init__()
    self.v = tf.Variable(1.)

  @tf.function
  def __call__(self, x):
    print('Tracing with', x)
    return x * self.v

  @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
  def mutate(self, new_v):
    self.v.assign(new_v)

module = CustomModule()
module_no_signatures_path = os.path.join(tmpdir, 'module_no_signatures')
module(tf.constant(0.))
print('Saving model...')
tf.saved_model.save(module, module_no_signatures_path)
imported = tf.saved_model.load(module_no_signatures_path)
assert imported(tf.constant(3.)).numpy() == 3
imported.mutate(tf.constant(2.))
assert imported(tf.constant(3.)).numpy() == 6
print(module.v.numpy(), imported.v.numpy())
optimizer = tf.keras.optimizers.SGD(0.05)

def train_step():
  with tf.GradientTape() as tape:
    loss = (10. - imported(tf.constant(2.))) ** 2
  variables = tape.watched_variables()
  grads = tape.gradient(loss, variables)
  optimizer.apply_gradients(zip(grads, variables))
  return loss

for _ in range(10):
  print("loss={:.2f} v={:.2f}".format(train_step(), imported.v.numpy()))
assert len(imported.signatures) == 0

class QuietModule(tf.Module):
  def __init__(self):
    super().__init__()
    self.v = tf.Variable(1.)

  @tf.function
  def __call__(self, x):
    return x * self.v

module = QuietModule()
module_with_signature_path = os.path.join(tmpdir, 'module_with_signature')
call = module.__call__.get_concrete_function(tf.TensorSpec(None, tf.float32))
tf.saved_model.save(module, module_with_signature_path, signatures=call)
imported_with_signatures = tf.saved_model.load(module_with_signature_path)
print(list(imported_with_signatures.signatures.keys()))
module_multiple_signatures_path = os.path.join(tmpdir, 'module_with_multiple_signatures')
signatures = {"serving_default": call,
              "array_input": module.__call__.get_concrete_function(tf.TensorSpec([None], tf.float32))}
tf.saved_model.save(module, module_multiple_signatures_path, signatures=signatures)
imported_with_multiple_signatures = tf.saved_model.load(module_multiple_signatures_path)
print(list(imported_with_multiple_signatures.signatures.keys()))
print(imported_with_multiple_signatures.signatures["serving_default"](x=tf.constant(3.)))
print(imported_with_multiple_signatures.signatures["array_input"](x=tf.constant([1., 2.])))

class CustomModuleWithOutputName(tf.Module):
  def __init__(self):
    super(CustomModuleWithOutputName, self).__init__()
    self.v = tf.Variable(1.)

  @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
  def __call__(self, x):
    return {'custom_output_name': x * self.v}

module_output = CustomModuleWithOutputName()
call_output = module_output.__call__.get_concrete_function(tf.TensorSpec(None, tf.float32))
module_output_path = os.path.join(tmpdir, 'module_with_output_name')
tf.saved_model.save(module_output, module_output_path, signatures={'serving_default': call_output})
imported_with_output_name = tf.saved_model.load(module_output_path)
print(imported_with_output_name.signatures['serving_default'].structured_outputs)
print(tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY)
print(sorted(os.listdir(os.path.join(module_no_signatures_path, "variables"))))
'''

TF_OUTPUT = [
    'Tracing with Tensor("x:0", shape=(), dtype=float32)',
    'Saving model...',
    'Tracing with Tensor("x:0", shape=(), dtype=float32)',
    '1.0 2.0',
    'loss=36.00 v=3.20',
    'loss=12.96 v=3.92',
    'loss=4.67 v=4.35',
    'loss=1.68 v=4.61',
    'loss=0.60 v=4.77',
    'loss=0.22 v=4.86',
    'loss=0.08 v=4.92',
    'loss=0.03 v=4.95',
    'loss=0.01 v=4.97',
    'loss=0.00 v=4.98',
    "['serving_default']",
    "['serving_default', 'array_input']",
    "{'output_0': <tf.Tensor: shape=(), dtype=float32, numpy=3.0>}",
    "{'output_0': <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>}",
    "{'custom_output_name': TensorSpec(shape=<unknown>, dtype=tf.float32, name='custom_output_name')}",
    'serving_default',
    "['variables.data-00000-of-00001', 'variables.index']",
    '',
]


def test_saved_model_prints_as_tensorflow():
    assert_guide_prints(GUIDE, "saved_model.ipynb", TF_OUTPUT, fresh_functions=True)   # its tracing prints
