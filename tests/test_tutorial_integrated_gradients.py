"""TensorFlow's tutorial "Integrated gradients" (a small seeded Keras model with fixed stand-in weights for TF Hub's Inception V1, drawn images for the two photos, a written labels file for the download) run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the tutorial's cells
reconstructed in its style, stand-in data where it downloads). Lines in NUMERIC are the same text with
numbers equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

import numpy as np
from conftest import assert_guide_prints

# TF 2.21 printed these with NumPy's default print options (another test may leave others set)
_NUMPY_PRINT_DEFAULTS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                             floatmode="maxprec", sign="-", legacy=False)

GUIDE = r'''import numpy as np
import tensorflow as tf
import os, tempfile

tf.keras.utils.set_random_seed(0)
model = tf.keras.Sequential([
    tf.keras.layers.Conv2D(4, 8, strides=8, activation='relu', name='stem'),
    tf.keras.layers.GlobalAveragePooling2D(),
    tf.keras.layers.Dense(1001, name='logits'),
], name='inception_v1_stand_in')
model.build([None, 224, 224, 3])
model.summary()
# the tutorial downloads Inception V1's trained weights: fixed stand-in weights here
rng = np.random.default_rng(0)
model.set_weights([rng.normal(0, 0.5, w.shape).astype('float32') for w in model.get_weights()])

folder = tempfile.mkdtemp()
with open(os.path.join(folder, 'ImageNetLabels.txt'), 'w') as f:
  f.write('background\n' + '\n'.join(f'class {i}' for i in range(1, 1001)) + '\n')

def load_imagenet_labels(file_path):
  with open(file_path) as reader:
    f = reader.read()
    labels = f.splitlines()
  return np.array(labels)

imagenet_labels = load_imagenet_labels(os.path.join(folder, 'ImageNetLabels.txt'))
print(imagenet_labels.shape, imagenet_labels[:2])

def read_image(file_name):
  image = tf.io.read_file(file_name)
  image = tf.io.decode_jpeg(image, channels=3)
  image = tf.image.convert_image_dtype(image, tf.float32)
  image = tf.image.resize_with_pad(image, target_height=224, target_width=224)
  return image

yy, xx = np.mgrid[0:180, 0:300]
pictures = {
    'Fireboat': np.stack([(xx * 2) % 256, (yy * 3) % 256, (xx + yy) % 256], axis=-1).astype(np.uint8),
    'Giant Panda': np.stack([(xx * yy) % 256, (255 - yy) % 256, (xx // 2) % 256], axis=-1).astype(np.uint8)[:150],
}
img_paths = {}
for name, pixels in pictures.items():
  img_paths[name] = os.path.join(folder, name + '.jpg')
  tf.io.write_file(img_paths[name], tf.io.encode_png(pixels))
img_name_tensors = {name: read_image(img_path) for (name, img_path) in img_paths.items()}
for name, t in img_name_tensors.items():
  print(name, t.shape, t.dtype, np.round(float(tf.reduce_mean(t)), 5), np.round(float(t[0, 0, 0]), 5), np.round(float(t[112, 112, 1]), 5))

def top_k_predictions(img, k=3):
  image_batch = tf.expand_dims(img, 0)
  predictions = model(image_batch)
  probs = tf.nn.softmax(predictions, axis=-1)
  top_probs, top_idxs = tf.math.top_k(input=probs, k=k)
  top_labels = imagenet_labels[tuple(top_idxs)]
  return top_labels, top_probs[0]

for (name, img_tensor) in img_name_tensors.items():
  pred_label, pred_prob = top_k_predictions(img_tensor)
  print(type(pred_label).__name__, pred_label.shape, pred_prob.shape)
  for label, prob in zip(pred_label, pred_prob):
    print(f'{label}: {prob:0.1%}')

def f(x):
  """A simplified model function."""
  return tf.where(x < 0.8, x, 0.8)

def interpolated_path(x):
  """A straight line path."""
  return tf.zeros_like(x)

x = tf.linspace(start=0.0, stop=1.0, num=6)
y = f(x)
print(x)
print(y)
print(interpolated_path(x))
print(tf.range(0, 1.5, 0.5))

baseline = tf.zeros(shape=(224,224,3))
m_steps=50
alphas = tf.linspace(start=0.0, stop=1.0, num=m_steps+1)
print(alphas.shape, alphas.dtype)

def interpolate_images(baseline,
                       image,
                       alphas):
  alphas_x = alphas[:, tf.newaxis, tf.newaxis, tf.newaxis]
  baseline_x = tf.expand_dims(baseline, axis=0)
  input_x = tf.expand_dims(image, axis=0)
  delta = input_x - baseline_x
  images = baseline_x +  alphas_x * delta
  return images

interpolated_images = interpolate_images(
    baseline=baseline,
    image=img_name_tensors['Fireboat'],
    alphas=alphas)
print(interpolated_images.shape)
for alpha, image in zip(alphas[0::10], interpolated_images[0::10]):
  print(f'alpha: {alpha:.1f}', image.shape, np.round(float(tf.reduce_mean(image)), 5))

def compute_gradients(images, target_class_idx):
  with tf.GradientTape() as tape:
    tape.watch(images)
    logits = model(images)
    probs = tf.nn.softmax(logits, axis=-1)[:, target_class_idx]
  return tape.gradient(probs, images)

path_gradients = compute_gradients(
    images=interpolated_images,
    target_class_idx=555)
print(path_gradients.shape)

pred = model(interpolated_images)
pred_proba = tf.nn.softmax(pred, axis=-1)[:, 555]
print(pred_proba.shape, np.round(pred_proba.numpy()[::10] * 1e3, 5))
average_grads = tf.reduce_mean(path_gradients, axis=[1, 2, 3])
average_grads_norm = (average_grads-tf.math.reduce_min(average_grads))/(tf.math.reduce_max(average_grads)-tf.reduce_min(average_grads))
print(average_grads_norm.shape, np.round(average_grads_norm.numpy()[::10], 3))

def integral_approximation(gradients):
  # riemann_trapezoidal
  grads = (gradients[:-1] + gradients[1:]) / tf.constant(2.0)
  integrated_gradients = tf.math.reduce_mean(grads, axis=0)
  return integrated_gradients

ig = integral_approximation(
    gradients=path_gradients)
print(ig.shape)

def integrated_gradients(baseline,
                         image,
                         target_class_idx,
                         m_steps=50,
                         batch_size=32):
  alphas = tf.linspace(start=0.0, stop=1.0, num=m_steps+1)
  gradient_batches = []
  for alpha in tf.range(0, len(alphas), batch_size):
    from_ = alpha
    to = tf.minimum(from_ + batch_size, len(alphas))
    alpha_batch = alphas[from_:to]
    gradient_batch = one_batch(baseline, image, alpha_batch, target_class_idx)
    gradient_batches.append(gradient_batch)
  total_gradients = tf.stack(gradient_batch)
  avg_gradients = integral_approximation(gradients=total_gradients)
  integrated_gradients = (image - baseline) * avg_gradients
  return integrated_gradients

@tf.function
def one_batch(baseline, image, alpha_batch, target_class_idx):
    interpolated_path_input_batch = interpolate_images(baseline=baseline,
                                                       image=image,
                                                       alphas=alpha_batch)
    gradient_batch = compute_gradients(images=interpolated_path_input_batch,
                                       target_class_idx=target_class_idx)
    return gradient_batch

ig_attributions = integrated_gradients(baseline=baseline,
                                       image=img_name_tensors['Fireboat'],
                                       target_class_idx=555,
                                       m_steps=240)
print(ig_attributions.shape, ig_attributions.dtype)
attribution_mask = tf.reduce_sum(tf.math.abs(ig_attributions), axis=-1)
print(attribution_mask.shape, np.round(float(tf.reduce_sum(attribution_mask)) * 1e3, 4))
attributions = integrated_gradients(baseline=baseline, image=img_name_tensors['Giant Panda'], target_class_idx=389, m_steps=55)
print(attributions.shape, np.round(float(tf.reduce_sum(tf.reduce_sum(tf.math.abs(attributions), axis=-1))) * 1e3, 4))
'''

TF_OUTPUT = [
    'Model: "inception_v1_stand_in"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ stem (Conv2D)                   │ (None, 28, 28, 4)      │           772 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_average_pooling2d        │ (None, 4)              │             0 │',
    '│ (GlobalAveragePooling2D)        │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ logits (Dense)                  │ (None, 1001)           │         5,005 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 5,777 (22.57 KB)',
    ' Trainable params: 5,777 (22.57 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    "(1001,) ['background' 'class 1']",
    "Fireboat (224, 224, 3) <dtype: 'float32'> 0.28268 0.0 0.07272",
    "Giant Panda (224, 224, 3) <dtype: 'float32'> 0.24783 0.0 0.70522",
    'ndarray (3,) (3,)',
    'class 186: 1.0%',
    'class 646: 0.9%',
    'class 206: 0.9%',
    'ndarray (3,) (3,)',
    'class 646: 1.6%',
    'class 186: 1.3%',
    'class 399: 1.1%',
    'tf.Tensor([0.  0.2 0.4 0.6 0.8 1. ], shape=(6,), dtype=float32)',
    'tf.Tensor([0.  0.2 0.4 0.6 0.8 0.8], shape=(6,), dtype=float32)',
    'tf.Tensor([0. 0. 0. 0. 0. 0.], shape=(6,), dtype=float32)',
    'tf.Tensor([0.  0.5 1. ], shape=(3,), dtype=float32)',
    "(51,) <dtype: 'float32'>",
    '(51, 224, 224, 3)',
    'alpha: 0.0 (224, 224, 3) 0.0',
    'alpha: 0.2 (224, 224, 3) 0.05654',
    'alpha: 0.4 (224, 224, 3) 0.11307',
    'alpha: 0.6 (224, 224, 3) 0.16961',
    'alpha: 0.8 (224, 224, 3) 0.22615',
    'alpha: 1.0 (224, 224, 3) 0.28268',
    '(51, 224, 224, 3)',
    '(51,) [0.34861 0.44155 0.43282 0.40861 0.37225 0.32784]',
    '(51,) [0.924 0.291 0.221 0.154 0.075 0.   ]',
    '(224, 224, 3)',
    "(224, 224, 3) <dtype: 'float32'>",
    '(224, 224) 2.3982',
    '(224, 224, 3) 7.409',
    '',
]
NUMERIC = [15, 16, 18, 19, 20, 22, 23, 24, 38, 39, 42, 43]


def test_tutorial_prints_what_tensorflow_prints():
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(GUIDE, "integrated_gradients", TF_OUTPUT, NUMERIC, fresh_functions=True)


def test_resize_with_pad_as_tensorflow():
    """TF 2.21's tf.image.resize_with_pad on a 3x5 ramp: the offsets are floor((target - h / ratio) / 2)
    with the unrounded resized size, so a 2.4-row result sits at the top of a 4-row frame."""
    import numpy as np
    import glassnet as tf
    img = np.arange(15, dtype=np.float32).reshape(3, 5, 1)
    got = tf.image.resize_with_pad(img, 4, 4)
    assert got.shape == (4, 4, 1) and got.dtype == np.float32
    np.testing.assert_allclose(got.numpy()[..., 0], [[1.375, 2.625, 3.875, 5.125], [8.875, 10.125, 11.375, 12.625],
                                                     [0, 0, 0, 0], [0, 0, 0, 0]], atol=1e-4)
    np.testing.assert_allclose(tf.image.resize_with_pad(img, 6, 2).numpy()[..., 0],
                               [[0, 0], [0, 0], [5.75, 8.25], [0, 0], [0, 0], [0, 0]], atol=1e-4)
    wide = tf.image.resize_with_pad(img, 7, 9).numpy()[..., 0]
    np.testing.assert_allclose(wide[0], [0, 0.3333, 0.8889, 1.4444, 2, 2.5556, 3.1111, 3.6667, 4], atol=1e-4)
    np.testing.assert_allclose(wide[4], [10, 10.3333, 10.8889, 11.4444, 12, 12.5556, 13.1111, 13.6667, 14], atol=1e-4)
    assert not wide[5:].any()
    batch = tf.image.resize_with_pad(np.zeros((2, 3, 5, 1), np.uint8), 4, 4, method="nearest")
    assert batch.shape == (2, 4, 4, 1) and batch.dtype == np.uint8
    import pytest
    with pytest.raises(ValueError, match="resize_with_pad: target sizes must be > 0"):
        tf.image.resize_with_pad(img, 0, 4)
