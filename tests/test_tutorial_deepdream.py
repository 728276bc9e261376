"""TensorFlow's tutorial "DeepDream" (InceptionV3 with weights=None and fixed stand-in weights where it downloads ImageNet weights, a drawn 96x128 picture for the photo, fewer steps and octaves, tiles of 80 for 512) run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the tutorial's cells
reconstructed in its style, stand-in data where it downloads). Lines in NUMERIC are the same text with
numbers equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

import numpy as np
from conftest import assert_guide_prints

# TF 2.21 printed these with NumPy's default print options (another test may leave others set)
_NUMPY_PRINT_DEFAULTS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                             floatmode="maxprec", sign="-", legacy=False)

GUIDE = r'''import tensorflow as tf
import numpy as np
import time

# the tutorial downloads a labrador photo: a drawn 96x128 picture stands in
yy, xx = np.mgrid[0:96, 0:128]
original_img = np.stack([(xx * 2) % 256, (yy * 3) % 256, (xx + yy) % 256], axis=-1).astype(np.uint8)
print(original_img.shape, original_img.dtype)

def deprocess(img):
  img = 255*(img + 1.0)/2.0
  return tf.cast(img, tf.uint8)

# weights=None where the tutorial downloads ImageNet weights; fixed stand-in values so both libraries agree
base_model = tf.keras.applications.InceptionV3(include_top=False, weights=None)
rng = np.random.default_rng(0)
base_model.set_weights([np.abs(rng.normal(1.0, 0.1, w.shape)).astype('float32') if w.name.endswith('variance')
                        else rng.normal(0.0, 0.05, w.shape).astype('float32') for w in base_model.weights])
print(base_model.name, base_model.input_shape, base_model.output_shape, len(base_model.layers))

names = ['mixed3', 'mixed5']
layers = [base_model.get_layer(name).output for name in names]
dream_model = tf.keras.Model(inputs=base_model.input, outputs=layers)
print([tuple(t.shape) for t in dream_model.outputs], len(dream_model.layers))

def calc_loss(img, model):
  img_batch = tf.expand_dims(img, axis=0)
  layer_activations = model(img_batch)
  if len(layer_activations) == 1:
    layer_activations = [layer_activations]

  losses = []
  for act in layer_activations:
    loss = tf.math.reduce_mean(act)
    losses.append(loss)

  return  tf.reduce_sum(losses)

class DeepDream(tf.Module):
  def __init__(self, model):
    self.model = model

  @tf.function(
      input_signature=(
        tf.TensorSpec(shape=[None,None,3], dtype=tf.float32),
        tf.TensorSpec(shape=[], dtype=tf.int32),
        tf.TensorSpec(shape=[], dtype=tf.float32),)
  )
  def __call__(self, img, steps, step_size):
      print("Tracing")
      loss = tf.constant(0.0)
      for n in tf.range(steps):
        with tf.GradientTape() as tape:
          tape.watch(img)
          loss = calc_loss(img, self.model)
        gradients = tape.gradient(loss, img)
        gradients /= tf.math.reduce_std(gradients) + 1e-8
        img = img + gradients*step_size
        img = tf.clip_by_value(img, -1, 1)

      return loss, img

deepdream = DeepDream(dream_model)

def run_deep_dream_simple(img, steps=100, step_size=0.01):
  img = tf.keras.applications.inception_v3.preprocess_input(img)
  img = tf.convert_to_tensor(img)
  step_size = tf.convert_to_tensor(step_size)
  steps_remaining = steps
  step = 0
  while steps_remaining:
    if steps_remaining>100:
      run_steps = tf.constant(100)
    else:
      run_steps = tf.constant(steps_remaining)
    steps_remaining -= run_steps
    step += run_steps

    loss, img = deepdream(img, run_steps, tf.constant(step_size))
    print ("Step {}, loss {:.4f}".format(step, loss))

  result = deprocess(img)
  return result

dream_img = run_deep_dream_simple(img=original_img.astype('float32'), steps=2, step_size=0.01)
print(dream_img.shape, dream_img.dtype)

OCTAVE_SCALE = 1.30
img = tf.constant(np.array(original_img))
base_shape = tf.shape(img)[:-1]
float_base_shape = tf.cast(base_shape, tf.float32)
print(base_shape, float_base_shape)
for n in range(-1, 1):
  new_shape = tf.cast(float_base_shape*(OCTAVE_SCALE**n), tf.int32)
  print(new_shape)
  img = tf.image.resize(img, new_shape).numpy()
  img = run_deep_dream_simple(img=img, steps=1, step_size=0.01)
img = tf.image.resize(img, base_shape)
img = tf.image.convert_image_dtype(img/255.0, dtype=tf.uint8)
print(img.shape, img.dtype)

def random_roll(img, maxroll):
  shift = tf.random.uniform(shape=[2], minval=-maxroll, maxval=maxroll, dtype=tf.int32)
  img_rolled = tf.roll(img, shift=shift, axis=[0,1])
  return shift, img_rolled

shift, img_rolled = random_roll(np.array(original_img), 512)
print(shift.shape, shift.dtype, img_rolled.shape, img_rolled.dtype)
print(bool(tf.reduce_all(tf.roll(img_rolled, shift=-shift, axis=[0, 1]) == original_img)))
print(tf.roll(tf.reshape(tf.range(12), (3, 4)), shift=[1, -1], axis=[0, 1]))

class TiledGradients(tf.Module):
  def __init__(self, model):
    self.model = model

  @tf.function(
      input_signature=(
        tf.TensorSpec(shape=[None,None,3], dtype=tf.float32),
        tf.TensorSpec(shape=[2], dtype=tf.int32),
        tf.TensorSpec(shape=[], dtype=tf.int32),)
  )
  def __call__(self, img, img_size, tile_size=512):
    shift, img_rolled = random_roll(img, tile_size)
    gradients = tf.zeros_like(img_rolled)
    xs = tf.range(0, img_size[1], tile_size)[:-1]
    if not tf.cast(len(xs), bool):
      xs = tf.constant([0])
    ys = tf.range(0, img_size[0], tile_size)[:-1]
    if not tf.cast(len(ys), bool):
      ys = tf.constant([0])

    for x in xs:
      for y in ys:
        with tf.GradientTape() as tape:
          tape.watch(img_rolled)
          img_tile = img_rolled[y:y+tile_size, x:x+tile_size]
          loss = calc_loss(img_tile, self.model)
        gradients = gradients + tape.gradient(loss, img_rolled)

    gradients = tf.roll(gradients, shift=-shift, axis=[0,1])
    gradients /= tf.math.reduce_std(gradients) + 1e-8

    return gradients

get_tiled_gradients = TiledGradients(dream_model)

def run_deep_dream_with_octaves(img, steps_per_octave=100, step_size=0.01,
                                octaves=range(-2,3), octave_scale=1.3):
  base_shape = tf.shape(img)
  img = tf.keras.utils.img_to_array(img)
  img = tf.keras.applications.inception_v3.preprocess_input(img)

  initial_shape = img.shape[:-1]
  img = tf.image.resize(img, initial_shape)
  for octave in octaves:
    new_size = tf.cast(tf.convert_to_tensor(base_shape[:-1]), tf.float32)*(octave_scale**octave)
    new_size = tf.cast(new_size, tf.int32)
    img = tf.image.resize(img, new_size)

    for step in range(steps_per_octave):
      gradients = get_tiled_gradients(img, new_size, tf.constant(80))
      img = img + gradients*step_size
      img = tf.clip_by_value(img, -1, 1)

      if step % 10 == 0:
        print ("Octave {}, Step {}".format(octave, step), img.shape, gradients.dtype)

  result = deprocess(img)
  return result

img = run_deep_dream_with_octaves(img=original_img, steps_per_octave=1, step_size=0.01, octaves=range(0, 2))
img = tf.image.resize(img, base_shape)
img = tf.image.convert_image_dtype(img/255.0, dtype=tf.uint8)
print(img.shape, img.dtype)
'''

TF_OUTPUT = [
    '(96, 128, 3) uint8',
    'inception_v3 (None, None, None, 3) (None, None, None, 2048) 311',
    '[(None, None, None, 768), (None, None, None, 768)] 165',
    'Tracing',
    'Step 2, loss 0.1579',
    "(96, 128, 3) <dtype: 'uint8'>",
    'tf.Tensor([ 96 128], shape=(2,), dtype=int32) tf.Tensor([ 96. 128.], shape=(2,), dtype=float32)',
    'tf.Tensor([73 98], shape=(2,), dtype=int32)',
    'Step 1, loss 0.1351',
    'tf.Tensor([ 96 128], shape=(2,), dtype=int32)',
    'Step 1, loss 0.1578',
    "(96, 128, 3) <dtype: 'uint8'>",
    "(2,) <dtype: 'int32'> (96, 128, 3) <dtype: 'uint8'>",
    'True',
    'tf.Tensor(',
    '[[ 9 10 11  8]',
    ' [ 1  2  3  0]',
    ' [ 5  6  7  4]], shape=(3, 4), dtype=int32)',
    "Octave 0, Step 0 (96, 128, 3) <dtype: 'float32'>",
    "Octave 1, Step 0 (124, 166, 3) <dtype: 'float32'>",
    "(96, 128, 3) <dtype: 'uint8'>",
    '',
]
NUMERIC = [4, 8, 10]


def test_tutorial_prints_what_tensorflow_prints():
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(GUIDE, "deepdream", TF_OUTPUT, NUMERIC, fresh_functions=True)


SIGNATURE = r'''import tensorflow as tf, numpy as np
@tf.function(input_signature=(tf.TensorSpec(shape=[None, 3], dtype=tf.float32), tf.TensorSpec(shape=[], dtype=tf.int32)))
def f(x, n=5):
  print("Tracing", x, n)
  return tf.reduce_sum(x) * tf.cast(n, tf.float32)
print(f(np.ones((2, 3), np.float32), 2))
print(f(tf.ones((4, 3)), 3))
print(f(tf.ones((4, 3))))
print(f([[1., 2., 3.]], 1))
print(f.experimental_get_tracing_count())
for bad in [lambda: f(np.ones((2, 3)), 2), lambda: f(tf.ones((2, 4)), 2), lambda: f(tf.ones((2, 3)), 2.5), lambda: f(tf.ones((2,3)), 1, 2), lambda: f(tf.ones((2, 3), tf.float64), 1), lambda: f(x=tf.ones((1, 3)), n=2)]:
  try:
    print(bad())
  except Exception as e:
    print(type(e).__name__, str(e).split('\n')[0][:300])
cf = f.get_concrete_function()
print(type(cf).__name__, cf(tf.ones((1, 3)), tf.constant(2)))
print(cf.structured_input_signature)
print(f.experimental_get_tracing_count())
'''

SIGNATURE_OUTPUT = [
    'Tracing Tensor("x:0", shape=(None, 3), dtype=float32) Tensor("n:0", shape=(), dtype=int32)',
    'tf.Tensor(12.0, shape=(), dtype=float32)',
    'tf.Tensor(36.0, shape=(), dtype=float32)',
    'tf.Tensor(60.0, shape=(), dtype=float32)',
    'tf.Tensor(6.0, shape=(), dtype=float32)',
    '1',
    'tf.Tensor(12.0, shape=(), dtype=float32)',
    'TypeError Binding inputs to tf.function failed due to `Can not cast TensorSpec(shape=(2, 4), dtype=tf.float32, name=None) to TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)`. Received args: (<tf.Tensor: shape=(2, 4), dtype=float32, numpy=',
    'TypeError Binding inputs to tf.function failed due to `Cannot convert 2.5 to EagerTensor of dtype int32`. Received args: (<tf.Tensor: shape=(2, 3), dtype=float32, numpy=',
    'TypeError Binding inputs to tf.function failed due to `too many positional arguments`. Received args: (<tf.Tensor: shape=(2, 3), dtype=float32, numpy=',
    'TypeError Binding inputs to tf.function failed due to `Can not cast TensorSpec(shape=(2, 3), dtype=tf.float64, name=None) to TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)`. Received args: (<tf.Tensor: shape=(2, 3), dtype=float64, numpy=',
    'tf.Tensor(6.0, shape=(), dtype=float32)',
    'ConcreteFunction tf.Tensor(6.0, shape=(), dtype=float32)',
    "((TensorSpec(shape=(None, 3), dtype=tf.float32, name='x'), TensorSpec(shape=(), dtype=tf.int32, name='n')), {})",
    '1',
    '',
]


def test_input_signature_and_concrete_function_as_tensorflow():
    """The tutorial's ``tf.function(input_signature=...)``: one trace for every call the specs allow (the
    placeholders print the specs' shapes), inputs converted to the specs' dtypes, TF's binding errors;
    ``get_concrete_function()`` and its ``structured_input_signature``."""
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(SIGNATURE, "input_signature", SIGNATURE_OUTPUT, fresh_functions=True)


def test_reduce_sum_of_a_list_of_tensors_is_on_the_tape():
    """``tf.reduce_sum(losses)`` over a Python list of tensors (DeepDream's calc_loss): TensorFlow packs
    the list into one tensor on the tape, so the gradient reaches each."""
    import numpy as np
    import glassnet as tf
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum([tf.reduce_mean(x * x), tf.reduce_max(x)])
    np.testing.assert_allclose(tape.gradient(total, x).numpy(), [2 / 3, 4 / 3, 2 + 1], rtol=1e-6)
    assert float(total) == np.float32(14 / 3 + 3)


RETRACE = r'''import tensorflow as tf
v = tf.Variable([1.0, 2.0])
opt = tf.keras.optimizers.Adam(0.1)
@tf.function
def step():
  print("Tracing step")
  with tf.GradientTape() as t:
    loss = tf.reduce_sum(v * v)
  opt.apply_gradients([(t.gradient(loss, v), v)])
  return loss
step(); step()
print(step.experimental_get_tracing_count())
class M(tf.Module):
  def __init__(self):
    self.w = None
  @tf.function
  def __call__(self, x):
    print("Tracing M")
    if self.w is None:
      self.w = tf.Variable(2.0)
    return x * self.w
m = M()
print(m(tf.constant(1.0)), m(tf.constant(2.0)))
print(m.__call__.experimental_get_tracing_count())
'''

RETRACE_OUTPUT = [
    'Tracing step',
    'Tracing step',
    '2',
    'Tracing M',
    'Tracing M',
    'tf.Tensor(2.0, shape=(), dtype=float32) tf.Tensor(4.0, shape=(), dtype=float32)',
    '2',
    '',
]


def test_a_first_call_that_makes_variables_traces_twice_as_tensorflow():
    """TF traces a tf.function twice when its first trace makes variables (an optimizer's first
    apply_gradients, a tf.Variable made inside): its Python prints come twice and the tracing count is 2;
    glassnet runs the call once and shows the trace's prints again."""
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(RETRACE, "retrace", RETRACE_OUTPUT, fresh_functions=True)
