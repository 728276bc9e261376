"""TensorFlow's tutorial "Neural style transfer" (VGG19 weights=None with fixed stand-in weights where it downloads ImageNet weights, drawn pictures for the two photos at max_dim 56, fewer steps; the TF-Hub cell and the include_top VGG19 with decode_predictions, both downloads, left out) run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the tutorial's cells
reconstructed in its style, stand-in data where it downloads). Lines in NUMERIC are the same text with
numbers equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

import numpy as np
from conftest import assert_guide_prints

# TF 2.21 printed these with NumPy's default print options (another test may leave others set)
_NUMPY_PRINT_DEFAULTS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                             floatmode="maxprec", sign="-", legacy=False)

GUIDE = r'''import os
import tempfile
import tensorflow as tf
import numpy as np
import PIL.Image

def tensor_to_image(tensor):
  tensor = tensor*255
  tensor = np.array(tensor, dtype=np.uint8)
  if np.ndim(tensor)>3:
    assert tensor.shape[0] == 1
    tensor = tensor[0]
  return PIL.Image.fromarray(tensor)

# the tutorial downloads two photos: two drawn pictures stand in
folder = tempfile.mkdtemp()
yy, xx = np.mgrid[0:48, 0:64]
content_path = os.path.join(folder, 'YellowLabradorLooking_new.jpg')
style_path = os.path.join(folder, 'kandinsky5.jpg')
tf.io.write_file(content_path, tf.io.encode_png(np.stack([(xx * 4) % 256, (yy * 5) % 256, (xx + yy) * 2 % 256], -1).astype(np.uint8)))
tf.io.write_file(style_path, tf.io.encode_png(np.stack([(xx * yy) % 256, (255 - yy * 3) % 256, (xx * 7) % 256], -1).astype(np.uint8)[:40]))

def load_img(path_to_img):
  max_dim = 56
  img = tf.io.read_file(path_to_img)
  img = tf.image.decode_image(img, channels=3)
  img = tf.image.convert_image_dtype(img, tf.float32)

  shape = tf.cast(tf.shape(img)[:-1], tf.float32)
  long_dim = max(shape)
  scale = max_dim / long_dim

  new_shape = tf.cast(shape * scale, tf.int32)

  img = tf.image.resize(img, new_shape)
  img = img[tf.newaxis, :]
  return img

def imshow(image, title=None):
  if len(image.shape) > 3:
    image = tf.squeeze(image, axis=0)
  return image.shape, title

content_image = load_img(content_path)
style_image = load_img(style_path)
print(content_image.shape, content_image.dtype, style_image.shape)
print(imshow(content_image, 'Content Image'))
print(tensor_to_image(content_image).size, tensor_to_image(style_image).mode)

x = tf.keras.applications.vgg19.preprocess_input(content_image*255)
x = tf.image.resize(x, (224, 224))
print(x.shape, x.dtype, np.round(float(tf.reduce_mean(x)), 3))

# weights=None where the tutorial downloads ImageNet weights; fixed stand-in weights, the same for both
def vgg_weights(vgg):
  rng = np.random.default_rng(0)
  vgg.set_weights([rng.normal(0.0, 0.02, w.shape).astype('float32') for w in vgg.get_weights()])

vgg = tf.keras.applications.VGG19(include_top=False, weights=None)
print()
for layer in vgg.layers:
  print(layer.name)

content_layers = ['block5_conv2']

style_layers = ['block1_conv1',
                'block2_conv1',
                'block3_conv1',
                'block4_conv1',
                'block5_conv1']

num_content_layers = len(content_layers)
num_style_layers = len(style_layers)

def vgg_layers(layer_names):
  """ Creates a vgg model that returns a list of intermediate output values."""
  vgg = tf.keras.applications.VGG19(include_top=False, weights=None)
  vgg_weights(vgg)
  vgg.trainable = False

  outputs = [vgg.get_layer(name).output for name in layer_names]

  model = tf.keras.Model([vgg.input], outputs)
  return model

style_extractor = vgg_layers(style_layers)
style_outputs = style_extractor(style_image*255)

for name, output in zip(style_layers, style_outputs):
  print(name)
  print("  shape: ", output.numpy().shape)
  print("  min: ", output.numpy().min())
  print("  max: ", output.numpy().max())
  print("  mean: ", output.numpy().mean())
  print()

def gram_matrix(input_tensor):
  result = tf.linalg.einsum('bijc,bijd->bcd', input_tensor, input_tensor)
  input_shape = tf.shape(input_tensor)
  num_locations = tf.cast(input_shape[1]*input_shape[2], tf.float32)
  return result/(num_locations)

class StyleContentModel(tf.keras.models.Model):
  def __init__(self, style_layers, content_layers):
    super(StyleContentModel, self).__init__()
    self.vgg = vgg_layers(style_layers + content_layers)
    self.style_layers = style_layers
    self.content_layers = content_layers
    self.num_style_layers = len(style_layers)
    self.vgg.trainable = False

  def call(self, inputs):
    "Expects float input in [0,1]"
    inputs = inputs*255.0
    preprocessed_input = tf.keras.applications.vgg19.preprocess_input(inputs)
    outputs = self.vgg(preprocessed_input)
    style_outputs, content_outputs = (outputs[:self.num_style_layers],
                                      outputs[self.num_style_layers:])

    style_outputs = [gram_matrix(style_output)
                     for style_output in style_outputs]

    content_dict = {content_name: value
                    for content_name, value
                    in zip(self.content_layers, content_outputs)}

    style_dict = {style_name: value
                  for style_name, value
                  in zip(self.style_layers, style_outputs)}

    return {'content': content_dict, 'style': style_dict}

extractor = StyleContentModel(style_layers, content_layers)

results = extractor(tf.constant(content_image))

print('Styles:')
for name, output in sorted(results['style'].items()):
  print("  ", name)
  print("    shape: ", output.numpy().shape)
  print("    min: ", output.numpy().min())
  print("    max: ", output.numpy().max())
  print("    mean: ", output.numpy().mean())
  print()

print("Contents:")
for name, output in sorted(results['content'].items()):
  print("  ", name)
  print("    shape: ", output.numpy().shape)
  print("    min: ", output.numpy().min())
  print("    max: ", output.numpy().max())
  print("    mean: ", output.numpy().mean())

style_targets = extractor(style_image)['style']
content_targets = extractor(content_image)['content']

image = tf.Variable(content_image)

def clip_0_1(image):
  return tf.clip_by_value(image, clip_value_min=0.0, clip_value_max=1.0)

opt = tf.optimizers.Adam(learning_rate=0.02, beta_1=0.99, epsilon=1e-1)

style_weight=1e-2
content_weight=1e4

def style_content_loss(outputs):
    style_outputs = outputs['style']
    content_outputs = outputs['content']
    style_loss = tf.add_n([tf.reduce_mean((style_outputs[name]-style_targets[name])**2)
                           for name in style_outputs.keys()])
    style_loss *= style_weight / num_style_layers

    content_loss = tf.add_n([tf.reduce_mean((content_outputs[name]-content_targets[name])**2)
                             for name in content_outputs.keys()])
    content_loss *= content_weight / num_content_layers
    loss = style_loss + content_loss
    return loss

@tf.function()
def train_step(image):
  with tf.GradientTape() as tape:
    outputs = extractor(image)
    loss = style_content_loss(outputs)

  grad = tape.gradient(loss, image)
  opt.apply_gradients([(grad, image)])
  image.assign(clip_0_1(image))

train_step(image)
train_step(image)
train_step(image)
print(tensor_to_image(image).size)
print(np.round(float(style_content_loss(extractor(image))), 2))
print(np.round(float(tf.reduce_mean(tf.abs(image - content_image))) * 1e4, 3))

def high_pass_x_y(image):
  x_var = image[:,:,1:,:] - image[:,:,:-1,:]
  y_var = image[:,1:,:,:] - image[:,:-1,:,:]

  return x_var, y_var

x_deltas, y_deltas = high_pass_x_y(content_image)
print(imshow(clip_0_1(2*y_deltas+0.5), "Horizontal Deltas: Original"))
print(imshow(clip_0_1(2*x_deltas+0.5), "Vertical Deltas: Original"))
x_deltas, y_deltas = high_pass_x_y(image)
print(x_deltas.shape, y_deltas.shape)

sobel = tf.image.sobel_edges(content_image)
print(sobel.shape, sobel.dtype)
print((np.round(sobel.numpy()[0, 10, 10], 4) + 0.0).tolist())
print(np.round(float(tf.reduce_mean(tf.abs(sobel))), 4))
print(imshow(clip_0_1(sobel[...,0]/4+0.5), "Horizontal Sobel-edges"))

def total_variation_loss(image):
  x_deltas, y_deltas = high_pass_x_y(image)
  return tf.reduce_sum(tf.abs(x_deltas)) + tf.reduce_sum(tf.abs(y_deltas))

print(np.round(total_variation_loss(content_image).numpy(), 2))
print(np.round(tf.image.total_variation(content_image).numpy(), 2))

total_variation_weight=30

@tf.function()
def train_step(image):
  with tf.GradientTape() as tape:
    outputs = extractor(image)
    loss = style_content_loss(outputs)
    loss += total_variation_weight*tf.image.total_variation(image)

  grad = tape.gradient(loss, image)
  opt.apply_gradients([(grad, image)])
  image.assign(clip_0_1(image))

image = tf.Variable(content_image)
# Keras 3's Adam refuses a variable it was not built with (TF 2.21 raises here on the tutorial's code):
# a new optimizer for the new image
opt = tf.optimizers.Adam(learning_rate=0.02, beta_1=0.99, epsilon=1e-1)
step = 0
for n in range(2):
  for m in range(2):
    step += 1
    train_step(image)
    print(".", end='')
  print("Train step: {}".format(step))
print(np.round(float(tf.image.total_variation(image)[0]), -1))  # zero differences make the sign's subgradient chaotic: tens
file_name = os.path.join(folder, 'stylized-image.png')
tensor_to_image(image).save(file_name)
print(os.path.exists(file_name), tf.io.decode_png(tf.io.read_file(file_name)).shape)
'''

TF_OUTPUT = [
    "(1, 42, 56, 3) <dtype: 'float32'> (1, 35, 56, 3)",
    "(TensorShape([42, 56, 3]), 'Content Image')",
    '(56, 42) RGB',
    "(1, 224, 224, 3) <dtype: 'float32'> 3.034",
    '',
    'input_layer',
    'block1_conv1',
    'block1_conv2',
    'block1_pool',
    'block2_conv1',
    'block2_conv2',
    'block2_pool',
    'block3_conv1',
    'block3_conv2',
    'block3_conv3',
    'block3_conv4',
    'block3_pool',
    'block4_conv1',
    'block4_conv2',
    'block4_conv3',
    'block4_conv4',
    'block4_pool',
    'block5_conv1',
    'block5_conv2',
    'block5_conv3',
    'block5_conv4',
    'block5_pool',
    'block1_conv1',
    '  shape:  (1, 35, 56, 64)',
    '  min:  0.0',
    '  max:  60.430008',
    '  mean:  5.0619717',
    '',
    'block2_conv1',
    '  shape:  (1, 17, 28, 128)',
    '  min:  0.0',
    '  max:  6.997503',
    '  mean:  0.5857527',
    '',
    'block3_conv1',
    '  shape:  (1, 8, 14, 256)',
    '  min:  0.0',
    '  max:  1.3877261',
    '  mean:  0.17930685',
    '',
    'block4_conv1',
    '  shape:  (1, 4, 7, 512)',
    '  min:  0.0',
    '  max:  0.32006073',
    '  mean:  0.035424773',
    '',
    'block5_conv1',
    '  shape:  (1, 2, 3, 512)',
    '  min:  0.0',
    '  max:  0.29256484',
    '  mean:  0.025941014',
    '',
    'Styles:',
    '   block1_conv1',
    '    shape:  (1, 64, 64)',
    '    min:  8.313235e-05',
    '    max:  105.31344',
    '    mean:  6.5361805',
    '',
    '   block2_conv1',
    '    shape:  (1, 128, 128)',
    '    min:  0.0',
    '    max:  2.1592405',
    '    mean:  0.066122755',
    '',
    '   block3_conv1',
    '    shape:  (1, 256, 256)',
    '    min:  0.0',
    '    max:  0.12373871',
    '    mean:  0.0055036265',
    '',
    '   block4_conv1',
    '    shape:  (1, 512, 512)',
    '    min:  0.0',
    '    max:  0.013792954',
    '    mean:  0.0003028983',
    '',
    '   block5_conv1',
    '    shape:  (1, 512, 512)',
    '    min:  0.0',
    '    max:  0.01833947',
    '    mean:  0.00032908187',
    '',
    'Contents:',
    '   block5_conv2',
    '    shape:  (1, 2, 3, 512)',
    '    min:  0.0',
    '    max:  0.13038856',
    '    mean:  0.01605433',
    '(56, 42)',
    '0.51',
    '0.175',
    "(TensorShape([41, 56, 3]), 'Horizontal Deltas: Original')",
    "(TensorShape([42, 55, 3]), 'Vertical Deltas: Original')",
    '(1, 42, 55, 3) (1, 41, 56, 3)',
    "(1, 42, 56, 3, 2) <dtype: 'float32'>",
    '[[0.0, 0.14339999854564667], [0.179299995303154, 0.0], [0.07169999927282333, 0.07169999927282333]]',
    '0.0744',
    "(TensorShape([42, 56, 3]), 'Horizontal Sobel-edges')",
    '134.15',
    '[134.15]',
    '..Train step: 2',
    '..Train step: 4',
    '170.0',
    'True (42, 56, 3)',
    '',
]
NUMERIC = [29, 30, 31, 35, 36, 37, 41, 42, 43, 47, 48, 49, 53, 54, 55, 60, 61, 62, 66, 67, 68, 72, 73, 74, 78, 79, 80, 84, 85, 86, 91, 92, 93, 95, 96, 101, 102, 104, 108]


def test_tutorial_prints_what_tensorflow_prints():
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(GUIDE, "style_transfer", TF_OUTPUT, NUMERIC, fresh_functions=True)


def test_resize_bilinear_rounds_as_tensorflow():
    """tf.image.resize (bilinear) to the last bit of TF 2.21's float32: a flat region stays flat
    (0.3 stays 0.30000001192092896), the lerps in TF's order."""
    import numpy as np
    import glassnet as tf
    c = np.full((5, 6, 1), 0.3, np.float32)
    c[:, 3:] = 0.7
    c[2, 1] = 0.1
    flat, mid, high = 0.30000001192092896, 0.5, 0.699999988079071
    want = [[flat, flat, flat, mid, high, high, high],
            [flat, 0.2410714328289032, 0.27321428060531616, mid, high, high, high],
            [flat, 0.2410714328289032, 0.27321428060531616, mid, high, high, high],
            [flat, flat, flat, mid, high, high, high]]
    got = tf.image.resize(c, (4, 7)).numpy()[..., 0]
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, np.array(want, np.float32))


def test_sobel_edges_and_its_gradient_as_tensorflow():
    import numpy as np
    import pytest
    import glassnet as tf
    img = (np.arange(2 * 4 * 5 * 2) % 7).astype(np.float32).reshape(2, 4, 5, 2) ** 1.5
    s = tf.image.sobel_edges(tf.constant(img))
    assert s.shape == (2, 4, 5, 2, 2) and s.dtype == np.float32
    np.testing.assert_allclose(s.numpy()[1, :, :, 1, 0], [
        [0, 0, 0, 0, 0], [-9.0332, -7.8843, -8.9158, 5.9685, 23.0332],
        [-9.2645, -10.9527, -10.837, -7.8843, -6.7355], [0, 0, 0, 0, 0]], atol=1e-4)
    np.testing.assert_allclose(s.numpy()[0, :, :, 0, 1], [
        [0, 5.6077, 7.0332, 2, 0], [0, -11.8931, 5.345, 3.8038, 0],
        [0, -12.3292, 5.0088, -11.8931, 0], [0, 4.7355, 6.3607, -29.3939, 0]], atol=1e-4)
    x = tf.constant(img)
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(tf.image.sobel_edges(x) ** 2)
    np.testing.assert_allclose(t.gradient(y, x).numpy()[0, :, :, 0], [
        [-118.065, -152.81, 32.049, 140.209, 73.415], [82.247, -87.79, -175.179, 14.873, 20.015],
        [173.582, 57.82, 54.366, -45.219, -215.347], [-26.731, -7.2, 261.595, 80.117, -161.947]], rtol=1e-4)
    with pytest.raises(ValueError, match="sobel_edges: image must be a 4-D float batch"):
        tf.image.sobel_edges(img[0])
