"""keras.io's example "Image classification from scratch" (examples/vision/image_classification_from_scratch.py,
the Keras 3 version), run renamed on a stand-in PetImages folder: 24 random JPEGs of varying sizes
per class plus one corrupted file each, which the example's ``b"JFIF" in fobj.peek(10)`` filter
deletes; keras.utils.image_dataset_from_directory(validation_split=0.2, subset="both",
seed=1337), the augmentation layers applied in a function and mapped over the dataset with
tf.data.AUTOTUNE, the small Xception-like functional model (SeparableConv2D, residual
layers.add, BatchNormalization; the entry block and sizes as the example, at 48x48 pixels), its
summary with the Connected-to column, ModelCheckpoint("save_at_{epoch}.keras"),
BinaryCrossentropy(from_logits=True) with BinaryAccuracy(name="acc"), keras.utils.load_img /
img_to_array, keras.ops.expand_dims and float(keras.ops.sigmoid(predictions[0][0])), and the
saved file loaded back. TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15.
"""
from conftest import assert_guide_prints, renamed

from glassnet import keras

PROGRAM = """\
import os
import tempfile
import numpy as np
import keras
from keras import layers
from tensorflow import data as tf_data
keras.utils.set_random_seed(0)
os.chdir(tempfile.mkdtemp())
# stand-in PetImages: 24 cats, 24 dogs JPEGs of varying sizes, plus 2 corrupted files
from PIL import Image
rng = np.random.default_rng(0)
for folder, n in (("Cat", 24), ("Dog", 24)):
    os.makedirs(os.path.join("PetImages", folder))
    for i in range(n):
        h, w = rng.integers(40, 90, 2)
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(os.path.join("PetImages", folder, f"{i}.jpg"))
    with open(os.path.join("PetImages", folder, "bad.jpg"), "wb") as f:
        f.write(b"\\x00\\x01garbage not a jpeg at all")
print(sorted(os.listdir("PetImages")))
num_skipped = 0
for folder_name in ("Cat", "Dog"):
    folder_path = os.path.join("PetImages", folder_name)
    for fname in os.listdir(folder_path):
        fpath = os.path.join(folder_path, fname)
        try:
            fobj = open(fpath, "rb")
            is_jfif = b"JFIF" in fobj.peek(10)
        finally:
            fobj.close()
        if not is_jfif:
            num_skipped += 1
            os.remove(fpath)
print(f"Deleted {num_skipped} images.")
image_size = (48, 48)
batch_size = 16
train_ds, val_ds = keras.utils.image_dataset_from_directory(
    "PetImages",
    validation_split=0.2,
    subset="both",
    seed=1337,
    image_size=image_size,
    batch_size=batch_size,
)
print(train_ds.class_names, train_ds.element_spec)
for images, labels in train_ds.take(1):
    print(images.shape, images.dtype, labels.shape, labels.dtype)
    for i in range(3):
        print(int(labels[i]), np.array(images[i]).astype("uint8").shape)
data_augmentation_layers = [
    layers.RandomFlip("horizontal"),
    layers.RandomRotation(0.1),
]
def data_augmentation(images):
    for layer in data_augmentation_layers:
        images = layer(images)
    return images
for images, _ in train_ds.take(1):
    for i in range(2):
        augmented_images = data_augmentation(images)
        print(np.array(augmented_images[0]).astype("uint8").shape, augmented_images.dtype)
train_ds = train_ds.map(
    lambda img, label: (data_augmentation(img), label),
    num_parallel_calls=tf_data.AUTOTUNE,
)
train_ds = train_ds.prefetch(tf_data.AUTOTUNE)
val_ds = val_ds.prefetch(tf_data.AUTOTUNE)
def make_model(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(128, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for size in [256, 512, 728]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    x = layers.SeparableConv2D(1024, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    if num_classes == 2:
        units = 1
    else:
        units = num_classes
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(units, activation=None)(x)
    return keras.Model(inputs, outputs)
model = make_model(input_shape=image_size + (3,), num_classes=2)
model.summary()
epochs = 2
callbacks = [
    keras.callbacks.ModelCheckpoint("save_at_{epoch}.keras"),
]
model.compile(
    optimizer=keras.optimizers.Adam(3e-4),
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy(name="acc")],
)
h = model.fit(
    train_ds,
    epochs=epochs,
    callbacks=callbacks,
    validation_data=val_ds,
    verbose=0,
)
print(sorted(h.history), sorted(f for f in os.listdir(".") if f.endswith(".keras")))
img = keras.utils.load_img("PetImages/Cat/6.jpg", target_size=image_size)
print(type(img).__name__, img.size, img.mode)
img_array = keras.utils.img_to_array(img)
print(img_array.shape, img_array.dtype, img_array[0, 0])
img_array = keras.ops.expand_dims(img_array, 0)
print(img_array.shape, img_array.dtype)
predictions = model.predict(img_array, verbose=0)
print(predictions.shape, predictions.dtype)
score = float(keras.ops.sigmoid(predictions[0][0]))
print(type(score), 0 <= score <= 1)
print(keras.ops.sigmoid(predictions[0][0]).shape, keras.ops.sigmoid(np.float32(0.5)))
reloaded = keras.models.load_model("save_at_2.keras")
print(np.allclose(reloaded.predict(img_array, verbose=0), predictions, atol=1e-5))
"""

TF_OUTPUT = [
    "['Cat', 'Dog']",
    'Deleted 2 images.',
    'Found 48 files belonging to 2 classes.',
    'Using 39 files for training.',
    'Using 9 files for validation.',
    "['Cat', 'Dog'] (TensorSpec(shape=(None, 48, 48, 3), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))",
    "(16, 48, 48, 3) <dtype: 'float32'> (16,) <dtype: 'int32'>",
    '1 (48, 48, 3)',
    '0 (48, 48, 3)',
    '0 (48, 48, 3)',
    "(48, 48, 3) <dtype: 'float32'>",
    "(48, 48, 3) <dtype: 'float32'>",
    'Model: "functional"',
    '┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩',
    '│ input_layer         │ (None, 48, 48, 3) │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ rescaling           │ (None, 48, 48, 3) │          0 │ input_layer[0][0] │',
    '│ (Rescaling)         │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv2d (Conv2D)     │ (None, 24, 24,    │      3,584 │ rescaling[0][0]   │',
    '│                     │ 128)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalization │ (None, 24, 24,    │        512 │ conv2d[0][0]      │',
    '│ (BatchNormalizatio… │ 128)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ activation          │ (None, 24, 24,    │          0 │ batch_normalizat… │',
    '│ (Activation)        │ 128)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ activation_1        │ (None, 24, 24,    │          0 │ activation[0][0]  │',
    '│ (Activation)        │ 128)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ separable_conv2d    │ (None, 24, 24,    │     34,176 │ activation_1[0][… │',
    '│ (SeparableConv2D)   │ 256)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalizatio… │ (None, 24, 24,    │      1,024 │ separable_conv2d… │',
    '│ (BatchNormalizatio… │ 256)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ activation_2        │ (None, 24, 24,    │          0 │ batch_normalizat… │',
    '│ (Activation)        │ 256)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ separable_conv2d_1  │ (None, 24, 24,    │     68,096 │ activation_2[0][… │',
    '│ (SeparableConv2D)   │ 256)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalizatio… │ (None, 24, 24,    │      1,024 │ separable_conv2d… │',
    '│ (BatchNormalizatio… │ 256)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ max_pooling2d       │ (None, 12, 12,    │          0 │ batch_normalizat… │',
    '│ (MaxPooling2D)      │ 256)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv2d_1 (Conv2D)   │ (None, 12, 12,    │     33,024 │ activation[0][0]  │',
    '│                     │ 256)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ add (Add)           │ (None, 12, 12,    │          0 │ max_pooling2d[0]… │',
    '│                     │ 256)              │            │ conv2d_1[0][0]    │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ activation_3        │ (None, 12, 12,    │          0 │ add[0][0]         │',
    '│ (Activation)        │ 256)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ separable_conv2d_2  │ (None, 12, 12,    │    133,888 │ activation_3[0][… │',
    '│ (SeparableConv2D)   │ 512)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalizatio… │ (None, 12, 12,    │      2,048 │ separable_conv2d… │',
    '│ (BatchNormalizatio… │ 512)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ activation_4        │ (None, 12, 12,    │          0 │ batch_normalizat… │',
    '│ (Activation)        │ 512)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ separable_conv2d_3  │ (None, 12, 12,    │    267,264 │ activation_4[0][… │',
    '│ (SeparableConv2D)   │ 512)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalizatio… │ (None, 12, 12,    │      2,048 │ separable_conv2d… │',
    '│ (BatchNormalizatio… │ 512)              │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ max_pooling2d_1     │ (None, 6, 6, 512) │          0 │ batch_normalizat… │',
    '│ (MaxPooling2D)      │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv2d_2 (Conv2D)   │ (None, 6, 6, 512) │    131,584 │ add[0][0]         │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ add_1 (Add)         │ (None, 6, 6, 512) │          0 │ max_pooling2d_1[… │',
    '│                     │                   │            │ conv2d_2[0][0]    │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ activation_5        │ (None, 6, 6, 512) │          0 │ add_1[0][0]       │',
    '│ (Activation)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ separable_conv2d_4  │ (None, 6, 6, 728) │    378,072 │ activation_5[0][… │',
    '│ (SeparableConv2D)   │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalizatio… │ (None, 6, 6, 728) │      2,912 │ separable_conv2d… │',
    '│ (BatchNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ activation_6        │ (None, 6, 6, 728) │          0 │ batch_normalizat… │',
    '│ (Activation)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ separable_conv2d_5  │ (None, 6, 6, 728) │    537,264 │ activation_6[0][… │',
    '│ (SeparableConv2D)   │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalizatio… │ (None, 6, 6, 728) │      2,912 │ separable_conv2d… │',
    '│ (BatchNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ max_pooling2d_2     │ (None, 3, 3, 728) │          0 │ batch_normalizat… │',
    '│ (MaxPooling2D)      │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv2d_3 (Conv2D)   │ (None, 3, 3, 728) │    373,464 │ add_1[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ add_2 (Add)         │ (None, 3, 3, 728) │          0 │ max_pooling2d_2[… │',
    '│                     │                   │            │ conv2d_3[0][0]    │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ separable_conv2d_6  │ (None, 3, 3,      │    753,048 │ add_2[0][0]       │',
    '│ (SeparableConv2D)   │ 1024)             │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalizatio… │ (None, 3, 3,      │      4,096 │ separable_conv2d… │',
    '│ (BatchNormalizatio… │ 1024)             │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ activation_7        │ (None, 3, 3,      │          0 │ batch_normalizat… │',
    '│ (Activation)        │ 1024)             │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ global_average_poo… │ (None, 1024)      │          0 │ activation_7[0][… │',
    '│ (GlobalAveragePool… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dropout (Dropout)   │ (None, 1024)      │          0 │ global_average_p… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dense (Dense)       │ (None, 1)         │      1,025 │ dropout[0][0]     │',
    '└─────────────────────┴───────────────────┴────────────┴───────────────────┘',
    ' Total params: 2,731,065 (10.42 MB)',
    ' Trainable params: 2,722,777 (10.39 MB)',
    ' Non-trainable params: 8,288 (32.38 KB)',
    "['acc', 'loss', 'val_acc', 'val_loss'] ['save_at_1.keras', 'save_at_2.keras']",
    'Image (48, 48) RGB',
    '(48, 48, 3) float32 [222. 225. 255.]',
    "(1, 48, 48, 3) <dtype: 'float32'>",
    '(1, 1) float32',
    "<class 'float'> True",
    '() tf.Tensor(0.62245935, shape=(), dtype=float32)',
    'True',
    '',
]


def test_image_classification_from_scratch():
    keras.backend.clear_session()               # layer names count as in a fresh process
    program = renamed(PROGRAM).replace("from tensorflow import data as tf_data", "from glassnet import data as tf_data")
    assert_guide_prints(program, "image_classification_from_scratch", TF_OUTPUT)
