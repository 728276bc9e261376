"""Pictures in folders, with data augmentation, as TensorFlow's "image classification" tutorial.

The example writes a small folder of pictures (circles/ and crosses/, JPEG and PNG), reads
it with image_dataset_from_directory (a seeded 80/20 split, resized to 32 x 32), and trains
the tutorial's model: a data_augmentation Sequential (RandomFlip, RandomRotation,
RandomZoom: active in training only), Rescaling(1./255), two Conv2D + MaxPooling2D,
Flatten, Dense. The glass box: one picture and what the augmentation made of it four
times, drawn in the terminal (and the figure saved to a PNG when matplotlib is there).
Run: python examples/13_image_folder_augmentation.py
"""
import os

import numpy as np

import glassnet as tf
from glassnet.keras import layers
from _common import epochs, heading, shapes_folder

data_dir = shapes_folder(per_class=60)
img_height = img_width = 32
heading("the folder, read as the tutorial reads it")
train_ds = tf.keras.utils.image_dataset_from_directory(
    data_dir, validation_split=0.2, subset="training", seed=123, image_size=(img_height, img_width), batch_size=16)
val_ds = tf.keras.utils.image_dataset_from_directory(
    data_dir, validation_split=0.2, subset="validation", seed=123, image_size=(img_height, img_width), batch_size=16)
class_names = train_ds.class_names
for image_batch, labels_batch in train_ds.take(1):
    print("class names:", class_names, " a batch:", image_batch.shape, labels_batch.shape,
          f" pixels from {float(np.min(image_batch)):.0f} to {float(np.max(image_batch)):.0f}")

AUTOTUNE = tf.data.AUTOTUNE
train_ds = train_ds.cache().shuffle(100).prefetch(buffer_size=AUTOTUNE)
val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)

heading("data augmentation -> Rescaling -> Conv2D/MaxPooling2D x 2 -> Dense")
tf.keras.utils.set_random_seed(3)
data_augmentation = tf.keras.Sequential([
    layers.RandomFlip("horizontal", input_shape=(img_height, img_width, 3)),
    layers.RandomRotation(0.1),
    layers.RandomZoom(0.1)])
model = tf.keras.Sequential([
    data_augmentation,
    layers.Rescaling(1. / 255),
    layers.Conv2D(8, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(16, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(),
    layers.Dropout(0.2),
    layers.Flatten(),
    layers.Dense(32, activation="relu"),
    layers.Dense(len(class_names), name="outputs")])
model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
model.summary()
history = model.fit(train_ds, validation_data=val_ds, epochs=epochs(30), verbose=0)
print(f"after {len(history.history['loss'])} epochs: accuracy {history.history['accuracy'][-1]:.2f}, "
      f"validation accuracy {history.history['val_accuracy'][-1]:.2f}")

heading("glass box: one picture and four augmentations of it")
images, labels = next(iter(train_ds))
picture = images[:1]
versions = [picture.numpy()[0]] + [data_augmentation(picture, training=True).numpy()[0] for _ in range(4)]
assert np.array_equal(data_augmentation(picture, training=False).numpy(), picture.numpy())   # inference: unchanged


def thumbnail(image, size=12):
    """The picture's brightness in 12 x 12 characters, darkest ' ' to brightest '@'."""
    grey = image.mean(axis=-1)
    step = grey.shape[0] // size
    cells = grey[:step * size, :step * size].reshape(size, step, size, step).mean(axis=(1, 3))
    ramp = np.array(list(" .:-=+*#%@"))
    return ["".join(row) for row in ramp[np.clip((cells / 256 * len(ramp)).astype(int), 0, len(ramp) - 1)]]


rows = [thumbnail(v) for v in versions]
print("  " + "  ".join(f"{name:<12}" for name in ["original", "augmented 1", "augmented 2", "augmented 3",
                                                   "augmented 4"]))
for line in zip(*rows):
    print("  " + "  ".join(line))
print(f"  label: {class_names[int(labels.numpy()[0])]}; each augmented copy is flipped, turned by up to "
      f"{0.1 * 360:.0f} degrees and zoomed by up to 10% (new draws every call, every epoch)")
try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
if plt is not None:
    figure, axes = plt.subplots(1, 5, figsize=(10, 2.4))
    for ax, version, name in zip(axes, versions, ["original"] + [f"augmented {i}" for i in range(1, 5)]):
        ax.imshow(version.astype("uint8"))
        ax.set_title(name)
        ax.axis("off")
    path = os.path.join(data_dir, "augmentations.png")
    figure.savefig(path)
    print(f"  the figure: {path} (removed when the example ends; copy it to keep it)")
