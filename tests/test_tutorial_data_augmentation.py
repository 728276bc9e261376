"""TensorFlow's tutorial "Data augmentation" (tutorials/images/data_augmentation) run with
``import glassnet as tf``: random uint8 pictures stand in for tfds.load('tf_flowers')
(tensorflow_datasets is not installed). Resizing/Rescaling (TF's float32 bilinear rounding; a
uint8 picture resized on its own stays uint8), RandomFlip/RandomRotation, the preprocessing
inside Dataset.map, a Lambda and a Layer of one's own, and the tf.image functions (flip,
grayscale, saturation, brightness, central_crop, rot90) and their stateless_random_* versions
with seeds (TensorFlow's Philox draws: the same pictures), tf.random.split of int64 seeds,
Dataset.zip((images, (counter, counter))) and Generator.make_seeds must print what TensorFlow
2.21 printed (pictures shown by their shape, dtype, sum and first values)."""

from conftest import assert_guide_prints

GUIDE = r'''import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers
# tensorflow_datasets is not installed: stand-in for tfds.load('tf_flowers', ...): uint8 pictures and int64 labels
rs = np.random.default_rng(0)
pics = rs.integers(0, 256, (40, 48, 64, 3)).astype(np.uint8)
labs = rs.integers(0, 5, 40).astype(np.int64)
train_ds = tf.data.Dataset.from_tensor_slices((pics[:32], labs[:32]))
val_ds = tf.data.Dataset.from_tensor_slices((pics[32:36], labs[32:36]))
test_ds = tf.data.Dataset.from_tensor_slices((pics[36:], labs[36:]))
num_classes = 5
get_label_name = lambda i: ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips'][int(i)]
image, label = next(iter(train_ds))
print(image.shape, image.dtype, label)
_ = plt.imshow(image)
_ = plt.title(get_label_name(label))
IMG_SIZE = 24
resize_and_rescale = tf.keras.Sequential([
  layers.Resizing(IMG_SIZE, IMG_SIZE),
  layers.Rescaling(1./255)
])
result = resize_and_rescale(image)
_ = plt.imshow(result)
print("Min and max pixel values:", result.numpy().min(), result.numpy().max())
print(result.shape, result.dtype, float(np.round(result.numpy().sum(), 3)))
data_augmentation = tf.keras.Sequential([
  layers.RandomFlip("horizontal_and_vertical"),
  layers.RandomRotation(0.2),
])
image = tf.cast(tf.expand_dims(image, 0), tf.float32)
print(image.shape, image.dtype)
for i in range(2):
  augmented_image = data_augmentation(image)
  print(augmented_image.shape, augmented_image.dtype)
# (the tutorial's Sequential([resize_and_rescale, data_augmentation, Conv2D...]) fails in TF 2.21 too: resize_and_rescale was built on one unbatched picture)
aug_ds = train_ds.map(lambda x, y: (resize_and_rescale(x, training=True), y))
print(aug_ds.element_spec)
batch_size = 8
AUTOTUNE = tf.data.AUTOTUNE
def prepare(ds, shuffle=False, augment=False):
  ds = ds.map(lambda x, y: (resize_and_rescale(x), y), num_parallel_calls=AUTOTUNE)
  if shuffle:
    ds = ds.shuffle(1000)
  ds = ds.batch(batch_size)
  if augment:
    ds = ds.map(lambda x, y: (data_augmentation(x, training=True), y), num_parallel_calls=AUTOTUNE)
  return ds.prefetch(buffer_size=AUTOTUNE)
train_ds = prepare(train_ds, shuffle=True, augment=True)
val_ds = prepare(val_ds)
test_ds = prepare(test_ds)
print(train_ds.element_spec)
model = tf.keras.Sequential([
  layers.Conv2D(16, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Flatten(),
  layers.Dense(16, activation='relu'),
  layers.Dense(num_classes)
])
model.compile(optimizer='adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy'])
history = model.fit(train_ds, validation_data=val_ds, epochs=2, verbose=0)
loss, acc = model.evaluate(test_ds, verbose=0)
print("Accuracy", type(acc))
model.summary()
def random_invert_img(x, p=0.5):
  if  tf.random.uniform([]) < p:
    x = (255-x)
  else:
    x
  return x
def random_invert(factor=0.5):
  return layers.Lambda(lambda x: random_invert_img(x, factor))
random_invert = random_invert()
for i in range(3):
  augmented_image = random_invert(image)
  print(augmented_image.shape, augmented_image.dtype, bool(tf.reduce_all((augmented_image == image) | (augmented_image == 255 - image))))
class RandomInvert(layers.Layer):
  def __init__(self, factor=0.5, **kwargs):
    super().__init__(**kwargs)
    self.factor = factor
  def call(self, x):
    return random_invert_img(x)
print(RandomInvert()(image)[0].shape)
image, label = next(iter(tf.data.Dataset.from_tensor_slices((pics[:32], labs[:32]))))
def show(name, t):
  t = tf.convert_to_tensor(t)
  a = t.numpy().astype(np.float64)
  print(name, t.shape, t.dtype, float(np.round(a.sum(), 2)), np.round(a.ravel()[:4], 4).tolist())
show('flipped', tf.image.flip_left_right(image))
grayscaled = tf.image.rgb_to_grayscale(image)
show('grayscaled', grayscaled)
show('squeezed', tf.squeeze(grayscaled))
show('saturated', tf.image.adjust_saturation(image, 3))
show('bright', tf.image.adjust_brightness(image, 0.4))
show('cropped', tf.image.central_crop(image, central_fraction=0.5))
show('rotated', tf.image.rot90(image))
fimage = tf.image.convert_image_dtype(image, tf.float32)
show('fimage', fimage)
show('saturated_f', tf.image.adjust_saturation(fimage, 3))
show('bright_f', tf.image.adjust_brightness(fimage, 0.4))
for i in range(3):
  seed = (i, 0)
  show('srb', tf.image.stateless_random_brightness(image, max_delta=0.95, seed=seed))
  show('srb_f', tf.image.stateless_random_brightness(fimage, max_delta=0.95, seed=seed))
for i in range(3):
  seed = (i, 0)
  show('src', tf.image.stateless_random_contrast(image, lower=0.1, upper=0.9, seed=seed))
for i in range(3):
  seed = (i, 0)
  show('scrop', tf.image.stateless_random_crop(image, size=[21, 30, 3], seed=seed))
for i in range(2):
  seed = (i, 0)
  show('sflip', tf.image.stateless_random_flip_left_right(image, seed=seed))
  show('sflipud', tf.image.stateless_random_flip_up_down(image, seed=seed))
  show('ssat', tf.image.stateless_random_saturation(fimage, 0.5, 1.5, seed=seed))
  show('shue', tf.image.stateless_random_hue(fimage, 0.2, seed=seed))
  show('sjpeg?', tf.image.stateless_random_contrast(fimage, 0.2, 0.5, seed=seed))
def resize_and_rescale(image, label):
  image = tf.cast(image, tf.float32)
  image = tf.image.resize(image, [IMG_SIZE, IMG_SIZE])
  image = (image / 255.0)
  return image, label
def augment(image_label, seed):
  image, label = image_label
  image, label = resize_and_rescale(image, label)
  image = tf.image.resize_with_crop_or_pad(image, IMG_SIZE + 6, IMG_SIZE + 6)
  new_seed = tf.random.split(seed, num=1)[0, :]
  image = tf.image.stateless_random_crop(image, size=[IMG_SIZE, IMG_SIZE, 3], seed=seed)
  image = tf.image.stateless_random_brightness(image, max_delta=0.5, seed=new_seed)
  image = tf.clip_by_value(image, 0, 1)
  return image, label
print(tf.random.split(tf.constant([1, 2]), num=1))
print(tf.random.experimental.stateless_split(tf.constant([1, 2]), num=3))
train_datasets = tf.data.Dataset.from_tensor_slices((pics[:32], labs[:32]))
counter = tf.data.experimental.Counter()
train_ds = tf.data.Dataset.zip((train_datasets, (counter, counter)))
print(train_ds.element_spec)
first = next(iter(train_ds.map(augment)))
show('aug0', first[0])
train_ds = (train_ds.shuffle(1000).map(augment, num_parallel_calls=AUTOTUNE).batch(batch_size).prefetch(AUTOTUNE))
print(train_ds.element_spec)
rng = tf.random.Generator.from_seed(123, alg='philox')
def f(x, y):
  seed = rng.make_seeds(1)[:, 0]
  image, label = augment((x, y), seed)
  return image, label
print(rng.make_seeds(1))
rng = tf.random.Generator.from_seed(123, alg='philox')
g = next(iter(train_datasets.map(f)))
show('f0', g[0])
train_ds = (train_datasets.shuffle(1000).map(f, num_parallel_calls=AUTOTUNE).batch(batch_size).prefetch(AUTOTUNE))
h = model.fit(train_ds, epochs=1, verbose=0)
print(h.history.keys())
'''

TF_OUTPUT = [
    "(48, 64, 3) <dtype: 'uint8'> tf.Tensor(0, shape=(), dtype=int64)",
    'Min and max pixel values: 0.045098092 0.935621',
    "(24, 24, 3) <dtype: 'float32'> 866.0399780273438",
    "(1, 48, 64, 3) <dtype: 'float32'>",
    "(1, 48, 64, 3) <dtype: 'float32'>",
    "(1, 48, 64, 3) <dtype: 'float32'>",
    '(TensorSpec(shape=(24, 24, 3), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))',
    '(TensorSpec(shape=(None, 24, 24, 3), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))',
    "Accuracy <class 'float'>",
    'Model: "sequential_2"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d (Conv2D)                 │ (None, 24, 24, 16)     │           448 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 12, 12, 16)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ flatten (Flatten)               │ (None, 2304)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 16)             │        36,880 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 5)              │            85 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 112,241 (438.45 KB)',
    ' Trainable params: 37,413 (146.14 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 74,828 (292.30 KB)',
    "(1, 48, 64, 3) <dtype: 'float32'> True",
    "(1, 48, 64, 3) <dtype: 'float32'> True",
    "(1, 48, 64, 3) <dtype: 'float32'> True",
    '(48, 64, 3)',
    "flipped (48, 64, 3) <dtype: 'uint8'> 1173946.0 [251.0, 211.0, 245.0, 30.0]",
    "grayscaled (48, 64, 1) <dtype: 'uint8'> 390615.0 [175.0, 67.0, 13.0, 186.0]",
    "squeezed (48, 64) <dtype: 'uint8'> 390615.0 [175.0, 67.0, 13.0, 186.0]",
    "saturated (48, 64, 3) <dtype: 'uint8'> 915629.0 [217.0, 82.0, 0.0, 67.0]",
    "bright (48, 64, 3) <dtype: 'uint8'> 1923361.0 [255.0, 255.0, 232.0, 171.0]",
    "cropped (24, 32, 3) <dtype: 'uint8'> 288844.0 [59.0, 233.0, 230.0, 39.0]",
    "rotated (64, 48, 3) <dtype: 'uint8'> 1173946.0 [251.0, 211.0, 245.0, 49.0]",
    "fimage (48, 64, 3) <dtype: 'float32'> 4603.71 [0.851, 0.6392, 0.5098, 0.2706]",
    "saturated_f (48, 64, 3) <dtype: 'float32'> 3593.86 [0.851, 0.3228, 0.0, 0.2654]",
    "bright_f (48, 64, 3) <dtype: 'float32'> 8290.11 [1.251, 1.0392, 0.9098, 0.6706]",
    "srb (48, 64, 3) <dtype: 'uint8'> 241576.0 [77.0, 23.0, 0.0, 0.0]",
    "srb_f (48, 64, 3) <dtype: 'float32'> -456.52 [0.3019, 0.0901, -0.0393, -0.2785]",
    "srb (48, 64, 3) <dtype: 'uint8'> 2253028.0 [255.0, 255.0, 255.0, 252.0]",
    "srb_f (48, 64, 3) <dtype: 'float32'> 11231.19 [1.5701, 1.3583, 1.2289, 0.9897]",
    "srb (48, 64, 3) <dtype: 'uint8'> 2131391.0 [255.0, 255.0, 255.0, 215.0]",
    "srb_f (48, 64, 3) <dtype: 'float32'> 9873.97 [1.4228, 1.2111, 1.0817, 0.8424]",
    "src (48, 64, 3) <dtype: 'uint8'> 1171606.0 [151.0, 137.0, 128.0, 111.0]",
    "src (48, 64, 3) <dtype: 'uint8'> 1171663.0 [199.0, 156.0, 129.0, 80.0]",
    "src (48, 64, 3) <dtype: 'uint8'> 1171696.0 [193.0, 154.0, 129.0, 84.0]",
    "scrop (21, 30, 3) <dtype: 'uint8'> 238813.0 [106.0, 196.0, 127.0, 5.0]",
    "scrop (21, 30, 3) <dtype: 'uint8'> 238889.0 [216.0, 119.0, 248.0, 34.0]",
    "scrop (21, 30, 3) <dtype: 'uint8'> 243744.0 [243.0, 101.0, 235.0, 51.0]",
    "sflip (48, 64, 3) <dtype: 'uint8'> 1173946.0 [251.0, 211.0, 245.0, 30.0]",
    "sflipud (48, 64, 3) <dtype: 'uint8'> 1173946.0 [170.0, 160.0, 121.0, 214.0]",
    "ssat (48, 64, 3) <dtype: 'float32'> 5288.4 [0.851, 0.7004, 0.6084, 0.2808]",
    "shue (48, 64, 3) <dtype: 'float32'> 4609.41 [0.851, 0.5098, 0.617, 0.3059]",
    "sjpeg? (48, 64, 3) <dtype: 'float32'> 4603.71 [0.59, 0.5373, 0.5033, 0.4372]",
    "sflip (48, 64, 3) <dtype: 'uint8'> 1173946.0 [217.0, 163.0, 130.0, 69.0]",
    "sflipud (48, 64, 3) <dtype: 'uint8'> 1173946.0 [217.0, 163.0, 130.0, 69.0]",
    "ssat (48, 64, 3) <dtype: 'float32'> 4064.1 [0.851, 0.5591, 0.3807, 0.2654]",
    "shue (48, 64, 3) <dtype: 'float32'> 4620.45 [0.7528, 0.851, 0.5098, 0.0392]",
    "sjpeg? (48, 64, 3) <dtype: 'float32'> 4603.71 [0.661, 0.565, 0.5051, 0.3919]",
    'tf.Tensor([[1105988140 1738052849]], shape=(1, 2), dtype=int32)',
    'tf.Tensor(',
    '[[1105988140 1738052849]',
    ' [-335576002  370444179]',
    ' [  10670227 -246211131]], shape=(3, 2), dtype=int32)',
    '((TensorSpec(shape=(48, 64, 3), dtype=tf.uint8, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None)), (TensorSpec(shape=(), dtype=tf.int64, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None)))',
    "aug0 (24, 24, 3) <dtype: 'float32'> 701.09 [0.0, 0.0, 0.0, 0.1291]",
    '(TensorSpec(shape=(None, 24, 24, 3), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))',
    'tf.Tensor(',
    '[[5919633356954535739]',
    ' [                  0]], shape=(2, 1), dtype=int64)',
    "f0 (24, 24, 3) <dtype: 'float32'> 1316.29 [0.3114, 0.3114, 0.3114, 0.3114]",
    "dict_keys(['accuracy', 'loss'])",
    '',
]


def test_data_augmentation_tutorial_prints_as_tensorflow():
    assert_guide_prints(GUIDE.replace("from tensorflow.", "from glassnet."), "test_data_augmentation_tutorial_prints_as_tensorflow", TF_OUTPUT)
