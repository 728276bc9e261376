"""TensorFlow's tutorial "Image classification" (tutorials/images/classification) run with
``import glassnet as tf``: five folders of small random JPEGs stand in for flower_photos.tgz;
image_dataset_from_directory with validation_split/subset/seed, cache/shuffle/prefetch,
Rescaling, the convnet and its summary, RandomFlip/RandomRotation/RandomZoom augmentation in a
Sequential, Dropout, load_img/img_to_array/expand_dims, predict, tf.nn.softmax(predictions[0]),
np.argmax/np.max of the score must print what TensorFlow 2.21 printed (the picture is smaller
and training shorter; values that depend on the random initialisation are printed as checks).
The TensorFlow Lite cells run too (converter, interpreter, signature runner; the tutorial's
``sequential_1_input=`` call raises TensorFlow 2.21's ValueError, printed)."""

from conftest import assert_guide_prints

GUIDE = r'''import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import numpy as np
import PIL
import tensorflow as tf
keras = tf.keras
from tensorflow.keras import layers
from tensorflow.keras.models import Sequential
import pathlib
# stand-in for flower_photos.tgz: five folders of small random JPEGs
import os, PIL.Image
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
batch_size = 16
img_height = 40
img_width = 40
train_ds = tf.keras.utils.image_dataset_from_directory(data_dir, validation_split=0.2, subset="training", seed=123, image_size=(img_height, img_width), batch_size=batch_size)
val_ds = tf.keras.utils.image_dataset_from_directory(data_dir, validation_split=0.2, subset="validation", seed=123, image_size=(img_height, img_width), batch_size=batch_size)
class_names = train_ds.class_names
print(class_names)
for image_batch, labels_batch in train_ds:
  print(image_batch.shape)
  print(labels_batch.shape)
  break
AUTOTUNE = tf.data.AUTOTUNE
train_ds = train_ds.cache().shuffle(1000).prefetch(buffer_size=AUTOTUNE)
val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)
normalization_layer = layers.Rescaling(1./255)
normalized_ds = train_ds.map(lambda x, y: (normalization_layer(x), y))
image_batch, labels_batch = next(iter(normalized_ds))
first_image = image_batch[0]
print(np.min(first_image) >= 0, np.max(first_image) <= 1)
num_classes = len(class_names)
model = Sequential([
  layers.Rescaling(1./255, input_shape=(img_height, img_width, 3)),
  layers.Conv2D(16, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Conv2D(32, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Conv2D(64, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Flatten(),
  layers.Dense(128, activation='relu'),
  layers.Dense(num_classes)
])
model.compile(optimizer='adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy'])
model.summary()
epochs=2
history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=0)
acc = history.history['accuracy']
val_acc = history.history['val_accuracy']
loss = history.history['loss']
val_loss = history.history['val_loss']
epochs_range = range(epochs)
plt.figure(figsize=(8, 8))
plt.subplot(1, 2, 1)
plt.plot(epochs_range, acc, label='Training Accuracy')
plt.plot(epochs_range, val_acc, label='Validation Accuracy')
plt.legend(loc='lower right')
plt.title('Training and Validation Accuracy')
data_augmentation = keras.Sequential([
    layers.RandomFlip("horizontal", input_shape=(img_height, img_width, 3)),
    layers.RandomRotation(0.1),
    layers.RandomZoom(0.1),
])
plt.figure(figsize=(10, 10))
for images, _ in train_ds.take(1):
  for i in range(9):
    augmented_images = data_augmentation(images)
    ax = plt.subplot(3, 3, i + 1)
    plt.imshow(augmented_images[0].numpy().astype("uint8"))
    plt.axis("off")
print(augmented_images.shape, augmented_images.dtype)
model = Sequential([
  data_augmentation,
  layers.Rescaling(1./255),
  layers.Conv2D(16, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Conv2D(32, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Conv2D(64, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Dropout(0.2),
  layers.Flatten(),
  layers.Dense(128, activation='relu'),
  layers.Dense(num_classes, name="outputs")
])
model.compile(optimizer='adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy'])
model.summary()
history = model.fit(train_ds, validation_data=val_ds, epochs=2, verbose=0)
sunflower_path = sorted(data_dir.glob('sunflowers/*'))[0]
img = tf.keras.utils.load_img(sunflower_path, target_size=(img_height, img_width))
print(type(img).__name__, img.size, img.mode)
img_array = tf.keras.utils.img_to_array(img)
print(img_array.shape, img_array.dtype, type(img_array).__name__)
img_array = tf.expand_dims(img_array, 0)
print(img_array.shape)
predictions = model.predict(img_array, verbose=0)
score = tf.nn.softmax(predictions[0])
print(score.shape, score.dtype)
print("This image most likely belongs to {} with a {:.2f} percent confidence.".format(class_names[np.argmax(score)], 100 * np.max(score))[:30])
print(type(np.argmax(score)), type(np.max(score)), type(100 * np.max(score)))
print("{:.2f}".format(100 * np.max(tf.nn.softmax(tf.constant([1.0, 2.0, 3.0])))))
# The TensorFlow Lite cells. Keras's export log that convert() prints (a temporary folder and
# capture ids, different every run) is captured; the tutorial's call with sequential_1_input=
# raises TF's ValueError, printed; then the call with the signature's own input name.
import contextlib, io
converter = tf.lite.TFLiteConverter.from_keras_model(model)
with contextlib.redirect_stdout(io.StringIO()):
    tflite_model = converter.convert()
print(type(tflite_model).__name__, tflite_model[4:8])
with open('model.tflite', 'wb') as f:
  f.write(tflite_model)
TF_MODEL_FILE_PATH = 'model.tflite'
interpreter = tf.lite.Interpreter(model_path=TF_MODEL_FILE_PATH)
print(interpreter.get_signature_list())
classify_lite = interpreter.get_signature_runner('serving_default')
print(type(classify_lite).__name__)
try:
    predictions_lite = classify_lite(sequential_1_input=img_array)['outputs']
except ValueError as e:
    print("ValueError:", e)
name = interpreter.get_signature_list()['serving_default']['inputs'][0]
predictions_lite = classify_lite(**{name: img_array})['output_0']
score_lite = tf.nn.softmax(predictions_lite)
print(predictions_lite.shape, predictions_lite.dtype, type(predictions_lite).__name__)
print(class_names[np.argmax(score_lite)] == class_names[np.argmax(score)])
print(np.max(np.abs(predictions - predictions_lite)) < 1e-4)
print([d['name'] for d in interpreter.get_input_details()], interpreter.get_input_details()[0]['shape'], interpreter.get_output_details()[0]['shape_signature'])
'''

TF_OUTPUT = [
    '40',
    'Found 40 files belonging to 5 classes.',
    'Using 32 files for training.',
    'Found 40 files belonging to 5 classes.',
    'Using 8 files for validation.',
    "['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips']",
    '(16, 40, 40, 3)',
    '(16,)',
    'True True',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ rescaling_1 (Rescaling)         │ (None, 40, 40, 3)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d (Conv2D)                 │ (None, 40, 40, 16)     │           448 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 20, 20, 16)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 20, 20, 32)     │         4,640 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_1 (MaxPooling2D)  │ (None, 10, 10, 32)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (None, 10, 10, 64)     │        18,496 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_2 (MaxPooling2D)  │ (None, 5, 5, 64)       │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ flatten (Flatten)               │ (None, 1600)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 128)            │       204,928 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 5)              │           645 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 229,157 (895.14 KB)',
    ' Trainable params: 229,157 (895.14 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    "(16, 40, 40, 3) <dtype: 'float32'>",
    'Model: "sequential_2"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ sequential_1 (Sequential)       │ (None, 40, 40, 3)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ rescaling_2 (Rescaling)         │ (None, 40, 40, 3)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_3 (Conv2D)               │ (None, 40, 40, 16)     │           448 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_3 (MaxPooling2D)  │ (None, 20, 20, 16)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_4 (Conv2D)               │ (None, 20, 20, 32)     │         4,640 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_4 (MaxPooling2D)  │ (None, 10, 10, 32)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_5 (Conv2D)               │ (None, 10, 10, 64)     │        18,496 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_5 (MaxPooling2D)  │ (None, 5, 5, 64)       │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, 5, 5, 64)       │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ flatten_1 (Flatten)             │ (None, 1600)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_2 (Dense)                 │ (None, 128)            │       204,928 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ outputs (Dense)                 │ (None, 5)              │           645 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 229,157 (895.14 KB)',
    ' Trainable params: 229,157 (895.14 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Image (40, 40) RGB',
    '(40, 40, 3) float32 ndarray',
    '(1, 40, 40, 3)',
    "(5,) <dtype: 'float32'>",
    'This image most likely belongs',
    "<class 'numpy.int64'> <class 'numpy.float32'> <class 'numpy.float32'>",
    '66.52',
    "bytes b'TFL3'",
    "{'serving_default': {'inputs': ['keras_tensor_15'], 'outputs': ['output_0']}}",
    'SignatureRunner',
    'ValueError: Invalid Input name (sequential_1_input) for SignatureDef',
    '(1, 5) float32 ndarray',
    'True',
    'True',
    "['serving_default_keras_tensor_15:0'] [ 1 40 40  3] [-1  5]",
    '',
]


def test_image_classification_tutorial_prints_as_tensorflow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_guide_prints(GUIDE.replace("from tensorflow.", "from glassnet."), "test_image_classification_tutorial_prints_as_tensorflow", TF_OUTPUT)
