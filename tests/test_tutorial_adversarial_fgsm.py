"""TensorFlow's tutorial "Adversarial example using FGSM" (MobileNetV2 with weights=None and a seed, where the tutorial downloads ImageNet weights; a drawn PNG for the photo; argmax for decode_predictions, whose class index is a download) run with ``import glassnet as tf``: what it prints must be what
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
import os, tempfile

tf.keras.utils.set_random_seed(0)
pretrained_model = tf.keras.applications.MobileNetV2(include_top=True, weights=None)
pretrained_model.trainable = False
decode_predictions = tf.keras.applications.mobilenet_v2.decode_predictions
print(pretrained_model.name, len(pretrained_model.layers), pretrained_model.count_params())
print(pretrained_model.input_shape, pretrained_model.output_shape)

def preprocess(image):
  image = tf.cast(image, tf.float32)
  image = tf.image.resize(image, (224, 224))
  image = tf.keras.applications.mobilenet_v2.preprocess_input(image)
  image = image[None, ...]
  return image

yy, xx = np.mgrid[0:160, 0:120]
pixels = np.stack([(xx * 2) % 256, (yy * 3) % 256, (xx + yy) % 256], axis=-1).astype(np.uint8)
image_path = os.path.join(tempfile.mkdtemp(), 'YellowLabradorLooking_new.png')
tf.io.write_file(image_path, tf.io.encode_png(pixels))
image_raw = tf.io.read_file(image_path)
image = tf.image.decode_image(image_raw)
print(image.shape, image.dtype)
image = preprocess(image)
print(image.shape, image.dtype)
print(np.round(float(tf.reduce_min(image)), 4), np.round(float(tf.reduce_max(image)), 4), np.round(float(tf.reduce_mean(image)), 4))
image_probs = pretrained_model.predict(image, verbose=0)
print(type(image_probs).__name__, image_probs.shape, image_probs.dtype)
print(np.round(float(image_probs.sum()), 4), int(image_probs.argmax()), np.round(float(image_probs.max()), 6))

loss_object = tf.keras.losses.CategoricalCrossentropy()

def create_adversarial_pattern(input_image, input_label):
  with tf.GradientTape() as tape:
    tape.watch(input_image)
    prediction = pretrained_model(input_image)
    loss = loss_object(input_label, prediction)
  gradient = tape.gradient(loss, input_image)
  print(loss.shape, loss.dtype, np.round(float(loss), 4))
  print(gradient.shape, gradient.dtype, float(tf.reduce_max(tf.abs(gradient))) > 0)
  signed_grad = tf.sign(gradient)
  return signed_grad

labrador_retriever_index = 208
label = tf.one_hot(labrador_retriever_index, image_probs.shape[-1])
label = tf.reshape(label, (1, image_probs.shape[-1]))
print(label.shape, label.dtype)

perturbations = create_adversarial_pattern(image, label)
print(perturbations.shape, perturbations.dtype, sorted(set(np.unique(perturbations.numpy()).tolist()) - {0.0}))

epsilons = [0, 0.01, 0.1, 0.15]
descriptions = [('Epsilon = {:0.3f}'.format(eps) if eps else 'Input')
                for eps in epsilons]
print(descriptions)
for i, eps in enumerate(epsilons):
  adv_x = image + eps*perturbations
  adv_x = tf.clip_by_value(adv_x, -1, 1)
  probs = pretrained_model.predict(adv_x, verbose=0)
  print(descriptions[i], adv_x.shape, adv_x.dtype, np.round(float(tf.reduce_max(tf.abs(adv_x - image))), 4), int(probs.argmax()))
'''

TF_OUTPUT = [
    'mobilenetv2_1.00_224 156 3538984',
    '(None, 224, 224, 3) (None, 1000)',
    "(160, 120, 3) <dtype: 'uint8'>",
    "(1, 224, 224, 3) <dtype: 'float32'>",
    '-1.0 0.9999 -0.021',
    'ndarray (1, 1000) float32',
    '1.0 0 0.001',
    "(1, 1000) <dtype: 'float32'>",
    "() <dtype: 'float32'> 6.9078",
    "(1, 224, 224, 3) <dtype: 'float32'> True",
    "(1, 224, 224, 3) <dtype: 'float32'> [-1.0, 1.0]",
    "['Input', 'Epsilon = 0.010', 'Epsilon = 0.100', 'Epsilon = 0.150']",
    "Input (1, 224, 224, 3) <dtype: 'float32'> 0.0 0",
    "Epsilon = 0.010 (1, 224, 224, 3) <dtype: 'float32'> 0.01 0",
    "Epsilon = 0.100 (1, 224, 224, 3) <dtype: 'float32'> 0.1 0",
    "Epsilon = 0.150 (1, 224, 224, 3) <dtype: 'float32'> 0.15 0",
    '',
]
NUMERIC = []


def test_tutorial_prints_what_tensorflow_prints():
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(GUIDE, "adversarial_fgsm", TF_OUTPUT, NUMERIC)


def test_tf_image_names_tf_io_codecs():
    import numpy as np
    import glassnet as tf
    assert tf.image.decode_image is tf.io.decode_image and tf.image.encode_png is tf.io.encode_png
    pixels = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    back = tf.image.decode_png(tf.image.encode_png(pixels))
    np.testing.assert_array_equal(back.numpy(), pixels)
