"""keras.io's example "Metric learning for image similarity search" (examples/vision/metric_learning.py)
in its Keras 3 form, run renamed on stand-in CIFAR-10 arrays (60 training and 30 test images,
labels 0-9 in turn): show_collage with PIL, the AnchorPositivePairs(keras.utils.Sequence) whose
__getitem__ draws with random.choice, the EmbeddingModel(keras.Model) train_step (keras.ops.einsum,
keras.ops.arange, self.compute_loss(y=, y_pred=), the loop over self.metrics), UnitNormalization,
the summary, fit on the Sequence (4 batches, 2 epochs), predict, the near-neighbour confusion
counts. A PyDataset is read as Keras's TensorFlow adapter reads it: batches 0 and 1 once first for
its tensor spec, then each epoch's indices shuffled with Python's random (fit's shuffle=True), so
the random.choice draws, and the losses, are Keras's. TF_OUTPUT was recorded under TensorFlow
2.21 / Keras 3.15 (seeded).

Not run: the tf.keras form's tf.nn.l2_normalize(embeddings) on a symbolic tensor, which Keras 3
refuses (a KerasTensor cannot be used as input to a TensorFlow function) and glassnet accepts;
sklearn's ConfusionMatrixDisplay (not installed).
"""

from conftest import assert_program_prints

from glassnet import keras

PROGRAM = r'''import random
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from collections import defaultdict
from PIL import Image
import keras
from keras import layers
keras.utils.set_random_seed(0)

r = np.random.default_rng(0)
(x_train, y_train), (x_test, y_test) = (r.integers(0, 256, (60, 32, 32, 3), dtype=np.uint8), (np.arange(60) % 10).astype(np.uint8).reshape(60, 1)), (r.integers(0, 256, (30, 32, 32, 3), dtype=np.uint8), (np.arange(30) % 10).astype(np.uint8).reshape(30, 1))
x_train = x_train.astype("float32") / 255.0
y_train = np.squeeze(y_train)
x_test = x_test.astype("float32") / 255.0
y_test = np.squeeze(y_test)
height_width = 32

def show_collage(examples):
    box_size = height_width + 2
    num_rows, num_cols = examples.shape[:2]
    collage = Image.new(mode="RGB", size=(num_cols * box_size, num_rows * box_size), color=(250, 250, 250))
    for row_idx in range(num_rows):
        for col_idx in range(num_cols):
            array = (np.array(examples[row_idx, col_idx]) * 255).astype(np.uint8)
            collage.paste(Image.fromarray(array), (col_idx * box_size, row_idx * box_size))
    collage = collage.resize((2 * num_cols * box_size, 2 * num_rows * box_size))
    return collage

sample_idxs = np.random.randint(0, 60, size=(5, 5))
examples = x_train[sample_idxs]
print(show_collage(examples).size)
class_idx_to_train_idxs = defaultdict(list)
for y_train_idx, y in enumerate(y_train):
    class_idx_to_train_idxs[y].append(y_train_idx)
class_idx_to_test_idxs = defaultdict(list)
for y_test_idx, y in enumerate(y_test):
    class_idx_to_test_idxs[y].append(y_test_idx)
num_classes = 10

class AnchorPositivePairs(keras.utils.Sequence):
    def __init__(self, num_batchs):
        super().__init__()
        self.num_batchs = num_batchs

    def __len__(self):
        return self.num_batchs

    def __getitem__(self, _idx):
        x = np.empty((2, num_classes, height_width, height_width, 3), dtype=np.float32)
        for class_idx in range(num_classes):
            examples_for_class = class_idx_to_train_idxs[class_idx]
            anchor_idx = random.choice(examples_for_class)
            positive_idx = random.choice(examples_for_class)
            while positive_idx == anchor_idx:
                positive_idx = random.choice(examples_for_class)
            x[0, class_idx] = x_train[anchor_idx]
            x[1, class_idx] = x_train[positive_idx]
        return x

examples = next(iter(AnchorPositivePairs(num_batchs=1)))
print(examples.shape, show_collage(examples).size)

class EmbeddingModel(keras.Model):
    def train_step(self, data):
        if isinstance(data, tuple):
            data = data[0]
        anchors, positives = data[0], data[1]
        with tf.GradientTape() as tape:
            anchor_embeddings = self(anchors, training=True)
            positive_embeddings = self(positives, training=True)
            similarities = keras.ops.einsum("ae,pe->ap", anchor_embeddings, positive_embeddings)
            temperature = 0.2
            similarities /= temperature
            sparse_labels = keras.ops.arange(num_classes)
            loss = self.compute_loss(y=sparse_labels, y_pred=similarities)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(sparse_labels, similarities)
        return {m.name: m.result() for m in self.metrics}

inputs = layers.Input(shape=(height_width, height_width, 3))
x = layers.Conv2D(filters=32, kernel_size=3, strides=2, activation="relu")(inputs)
x = layers.Conv2D(filters=64, kernel_size=3, strides=2, activation="relu")(x)
x = layers.Conv2D(filters=128, kernel_size=3, strides=2, activation="relu")(x)
x = layers.GlobalAveragePooling2D()(x)
embeddings = layers.Dense(units=8, activation=None)(x)
embeddings = layers.UnitNormalization()(embeddings)
model = EmbeddingModel(inputs, embeddings)
model.summary()
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
history = model.fit(AnchorPositivePairs(num_batchs=4), epochs=2)
print({k: [round(x, 3) for x in v] for k, v in history.history.items()})
plt.plot(history.history["loss"])
plt.show()
near_neighbours_per_example = 10
embeddings = model.predict(x_test)
print(embeddings.shape, embeddings.dtype, np.round(np.linalg.norm(embeddings, axis=1)[:3], 4))
gram_matrix = np.einsum("ae,be->ab", embeddings, embeddings)
near_neighbours = np.argsort(gram_matrix.T)[:, -(near_neighbours_per_example + 1) :]
print(near_neighbours.shape)
num_collage_examples = 5
examples = np.empty((num_collage_examples, near_neighbours_per_example + 1, height_width, height_width, 3), dtype=np.float32)
for row_idx in range(num_collage_examples):
    examples[row_idx, 0] = x_test[row_idx]
    anchor_near_neighbours = reversed(near_neighbours[row_idx][:-1])
    for col_idx, nn_idx in enumerate(anchor_near_neighbours):
        examples[row_idx, col_idx + 1] = x_test[nn_idx]
print(show_collage(examples).size)
confusion_matrix = np.zeros((num_classes, num_classes))
for class_idx in range(num_classes):
    example_idxs = class_idx_to_test_idxs[class_idx][:10]
    for y_test_idx in example_idxs:
        for nn_idx in near_neighbours[y_test_idx][:-1]:
            nn_class_idx = y_test[nn_idx]
            confusion_matrix[class_idx, nn_class_idx] += 1
print(confusion_matrix.sum())
'''

TF_OUTPUT = [
    '(340, 340)',
    '(2, 10, 32, 32, 3) (680, 136)',
    'Model: "embedding_model"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer (InputLayer)        │ (None, 32, 32, 3)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d (Conv2D)                 │ (None, 15, 15, 32)     │           896 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 7, 7, 64)       │        18,496 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (None, 3, 3, 128)      │        73,856 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_average_pooling2d        │ (None, 128)            │             0 │',
    '│ (GlobalAveragePooling2D)        │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 8)              │         1,032 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ unit_normalization              │ (None, 8)              │             0 │',
    '│ (UnitNormalization)             │                        │               │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 94,280 (368.28 KB)',
    ' Trainable params: 94,280 (368.28 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Epoch 1/2',
    '4/4 ━━━━━━━━━━━━━━━━━━━━ - loss: 2.3059',
    'Epoch 2/2',
    '4/4 ━━━━━━━━━━━━━━━━━━━━ - loss: 2.2987',
    "{'loss': [2.306, 2.299]}",
    '1/1 ━━━━━━━━━━━━━━━━━━━━',
    '(30, 8) float32 [1. 1. 1.]',
    '(30, 11)',
    '(748, 340)',
    '300.0',
    '',
]

def test_metric_learning(monkeypatch, tmp_path):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.chdir(tmp_path)                 # (the program writes its files here)
    assert_program_prints(PROGRAM, TF_OUTPUT)
