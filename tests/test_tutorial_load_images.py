"""TensorFlow's tutorial "Load and preprocess images" (tutorials/load_data/images) run with
``import glassnet as tf``: five folders of small random JPEGs (and a LICENSE.txt) stand in for
flower_photos.tgz; image_dataset_from_directory with validation_split/subset/seed, Rescaling,
a small convnet fitted on the datasets, then the hand-made pipeline (list_files, shuffle,
skip/take, cardinality, tf.strings.split of the path, tf.argmax of the one-hot class,
tf.io.read_file, tf.io.decode_jpeg, tf.image.resize, map with AUTOTUNE, cache/shuffle/batch/
prefetch) must print what TensorFlow 2.21 printed; the decoded and resized pixels are compared
too (their sums). tensorflow_datasets (the tutorial's last part) is not installed: left out."""

from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import os
import PIL
import PIL.Image
import tensorflow as tf
import pathlib
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
print(type(tf.__version__))
# stand-in for flower_photos.tgz: five folders of small random JPEGs and a LICENSE.txt
root = "flower_photos"
rng = np.random.default_rng(0)
for c in ["daisy", "dandelion", "roses", "sunflowers", "tulips"]:
    os.makedirs(f"{root}/{c}")
    for i in range(8):
        h, w = rng.integers(30, 60, 2)
        PIL.Image.fromarray(rng.integers(0, 256, (h, w, 3)).astype(np.uint8)).save(f"{root}/{c}/{c}_{i:03d}.jpg", quality=90)
open(f"{root}/LICENSE.txt", "w").write("license")
data_dir = pathlib.Path(root)
image_count = len(list(data_dir.glob('*/*.jpg')))
print(image_count)
roses = sorted(data_dir.glob('roses/*'))
print(PIL.Image.open(str(roses[0])).size)
batch_size = 16
img_height = 32
img_width = 32
train_ds = tf.keras.utils.image_dataset_from_directory(data_dir, validation_split=0.2, subset="training", seed=123, image_size=(img_height, img_width), batch_size=batch_size)
val_ds = tf.keras.utils.image_dataset_from_directory(data_dir, validation_split=0.2, subset="validation", seed=123, image_size=(img_height, img_width), batch_size=batch_size)
class_names = train_ds.class_names
print(class_names)
print(train_ds)
plt.figure(figsize=(10, 10))
for images, labels in train_ds.take(1):
  for i in range(9):
    ax = plt.subplot(3, 3, i + 1)
    plt.imshow(images[i].numpy().astype("uint8"))
    plt.title(class_names[labels[i]])
    plt.axis("off")
for image_batch, labels_batch in train_ds:
  print(image_batch.shape, image_batch.dtype)
  print(labels_batch.shape, labels_batch.dtype)
  break
normalization_layer = tf.keras.layers.Rescaling(1./255)
normalized_ds = train_ds.map(lambda x, y: (normalization_layer(x), y))
image_batch, labels_batch = next(iter(normalized_ds))
first_image = image_batch[0]
print(0 <= np.min(first_image), np.max(first_image) <= 1, type(np.min(first_image)))
AUTOTUNE = tf.data.AUTOTUNE
train_ds = train_ds.cache().prefetch(buffer_size=AUTOTUNE)
val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)
num_classes = 5
model = tf.keras.Sequential([
  tf.keras.layers.Rescaling(1./255),
  tf.keras.layers.Conv2D(32, 3, activation='relu'),
  tf.keras.layers.MaxPooling2D(),
  tf.keras.layers.Conv2D(32, 3, activation='relu'),
  tf.keras.layers.MaxPooling2D(),
  tf.keras.layers.Conv2D(32, 3, activation='relu'),
  tf.keras.layers.MaxPooling2D(),
  tf.keras.layers.Flatten(),
  tf.keras.layers.Dense(128, activation='relu'),
  tf.keras.layers.Dense(num_classes)
])
model.compile(optimizer='adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy'])
h = model.fit(train_ds, validation_data=val_ds, epochs=2, verbose=0)
print(h.history.keys())
model.summary()
list_ds = tf.data.Dataset.list_files(str(data_dir/'*/*'), shuffle=False)
print(list_ds)
for f in list_ds.take(3):
  print(f.numpy())
list_ds = list_ds.shuffle(image_count, reshuffle_each_iteration=False)
for f in list_ds.take(5):
  print(type(f.numpy()))
class_names = np.array(sorted([item.name for item in data_dir.glob('*') if item.name != "LICENSE.txt"]))
print(class_names)
val_size = int(image_count * 0.2)
train_ds = list_ds.skip(val_size)
val_ds = list_ds.take(val_size)
print(tf.data.experimental.cardinality(train_ds).numpy())
print(tf.data.experimental.cardinality(val_ds).numpy())
def get_label(file_path):
  parts = tf.strings.split(file_path, os.path.sep)
  one_hot = parts[-2] == class_names
  return tf.argmax(one_hot)
def decode_img(img):
  img = tf.io.decode_jpeg(img, channels=3)
  return tf.image.resize(img, [img_height, img_width])
def process_path(file_path):
  label = get_label(file_path)
  img = tf.io.read_file(file_path)
  img = decode_img(img)
  return img, label
fp = tf.constant(str(roses[0]))
print(tf.strings.split(fp, os.path.sep)[-2:])
print(get_label(fp))
raw = tf.io.read_file(fp)
print(raw.dtype, raw.shape)
dec = tf.io.decode_jpeg(raw, channels=3)
print(dec.shape, dec.dtype)
r = decode_img(raw)
print(r.shape, r.dtype)
train_ds = train_ds.map(process_path, num_parallel_calls=AUTOTUNE)
val_ds = val_ds.map(process_path, num_parallel_calls=AUTOTUNE)
print(train_ds.element_spec)
for image, label in train_ds.take(1):
  print("Image shape: ", image.numpy().shape)
  print("Label: ", type(label.numpy()))
def configure_for_performance(ds):
  ds = ds.cache()
  ds = ds.shuffle(buffer_size=1000)
  ds = ds.batch(batch_size)
  ds = ds.prefetch(buffer_size=AUTOTUNE)
  return ds
train_ds = configure_for_performance(train_ds)
val_ds = configure_for_performance(val_ds)
image_batch, label_batch = next(iter(train_ds))
print(image_batch.shape, label_batch.shape, label_batch.dtype)
plt.figure(figsize=(10, 10))
for i in range(9):
  ax = plt.subplot(3, 3, i + 1)
  plt.imshow(image_batch[i].numpy().astype("uint8"))
  label = label_batch[i]
  plt.title(class_names[label])
  plt.axis("off")
h = model.fit(train_ds, validation_data=val_ds, epochs=2, verbose=0)
print(len(h.history['loss']))
fp = str(roses[0])
raw = tf.io.read_file(fp)
dec = tf.io.decode_jpeg(raw, channels=3)
print(dec.numpy()[:2, :3].tolist(), int(dec.numpy().astype(np.int64).sum()))
r = tf.image.resize(dec, [32, 32])
print(np.round(r.numpy()[0, :2], 3).tolist(), float(np.round(r.numpy().sum(), 1)))
ds = tf.keras.utils.image_dataset_from_directory(root, image_size=(32, 32), batch_size=40, shuffle=False, verbose=False)
x, y = next(iter(ds))
print(float(np.round(x.numpy().sum(), 0)), y.numpy()[:10].tolist())
g = tf.io.decode_image(raw, channels=1)
print(g.shape, int(g.numpy().astype(np.int64).sum()))
'''

TF_OUTPUT = [
    "<class 'str'>",
    '40',
    '(38, 54)',
    'Found 40 files belonging to 5 classes.',
    'Using 32 files for training.',
    'Found 40 files belonging to 5 classes.',
    'Using 8 files for validation.',
    "['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips']",
    '<_PrefetchDataset element_spec=(TensorSpec(shape=(None, 32, 32, 3), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))>',
    "(16, 32, 32, 3) <dtype: 'float32'>",
    "(16,) <dtype: 'int32'>",
    "True True <class 'numpy.float32'>",
    "dict_keys(['accuracy', 'loss', 'val_accuracy', 'val_loss'])",
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ rescaling_1 (Rescaling)         │ (None, 32, 32, 3)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d (Conv2D)                 │ (None, 30, 30, 32)     │           896 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 15, 15, 32)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 13, 13, 32)     │         9,248 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_1 (MaxPooling2D)  │ (None, 6, 6, 32)       │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (None, 4, 4, 32)       │         9,248 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_2 (MaxPooling2D)  │ (None, 2, 2, 32)       │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ flatten (Flatten)               │ (None, 128)            │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 128)            │        16,512 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 5)              │           645 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 109,649 (428.32 KB)',
    ' Trainable params: 36,549 (142.77 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 73,100 (285.55 KB)',
    '<_TensorSliceDataset element_spec=TensorSpec(shape=(), dtype=tf.string, name=None)>',
    "b'flower_photos/daisy/daisy_000.jpg'",
    "b'flower_photos/daisy/daisy_001.jpg'",
    "b'flower_photos/daisy/daisy_002.jpg'",
    "<class 'bytes'>",
    "<class 'bytes'>",
    "<class 'bytes'>",
    "<class 'bytes'>",
    "<class 'bytes'>",
    "['daisy' 'dandelion' 'roses' 'sunflowers' 'tulips']",
    '32',
    '8',
    "tf.Tensor([b'roses' b'roses_000.jpg'], shape=(2,), dtype=string)",
    'tf.Tensor(2, shape=(), dtype=int64)',
    "<dtype: 'string'> ()",
    "(54, 38, 3) <dtype: 'uint8'>",
    "(32, 32, 3) <dtype: 'float32'>",
    '(TensorSpec(shape=(32, 32, 3), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))',
    'Image shape:  (32, 32, 3)',
    "Label:  <class 'numpy.int64'>",
    "(16, 32, 32, 3) (16,) <dtype: 'int64'>",
    '2',
    '[[[218, 159, 125], [236, 191, 158], [193, 172, 141]], [[100, 57, 25], [100, 63, 36], [149, 124, 102]]] 779561',
    '[[178.5449981689453, 126.0999984741211, 93.01000213623047], [186.05099487304688, 149.39100646972656, 119.30599975585938]] 388726.0',
    '15560541.0 [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]',
    '(54, 38, 1) 258927',
    '',
]


def test_load_images_tutorial_prints_as_tensorflow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_guide_prints(GUIDE, "test_load_images_tutorial_prints_as_tensorflow", TF_OUTPUT)
