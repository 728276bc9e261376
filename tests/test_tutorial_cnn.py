"""TensorFlow's tutorial "Convolutional Neural Network (CNN)" (tutorials/images/cnn) run with
``import glassnet as tf``: CIFAR-10's six batch files stand in with 100 random training and 40 test
pictures (written where Keras 3 keeps the extracted archive, $KERAS_HOME/datasets/
cifar-10-batches-py-target/cifar-10-batches-py; glassnet's own cache moved to an empty folder),
then the tutorial's convolutional base and its two model.summary() tables, compile, fit with
validation_data (2 epochs instead of 10, progress bars printed), evaluate(verbose=2), predict and
tf.nn.softmax. Lines are TF 2.21's for the same program (its Keras 3.15 cannot be given a stand-in
through its cache: it checks the archive's SHA-256, so TF's run read the same files directly);
the progress lines hold timings and unseeded numbers, so they are matched by their pattern."""
import contextlib
import io
import re

PROGRAM = r'''import os, pickle
import numpy as np
import tensorflow as tf
from tensorflow.keras import datasets, layers, models

# stand-in for the download: CIFAR-10's six batch files, 100 training and 40 test pictures,
# where Keras 3 keeps the extracted archive ($KERAS_HOME/datasets/cifar-10-batches-py-target/...)
rng = np.random.default_rng(0)
folder = os.path.join(os.environ["KERAS_HOME"], "datasets", "cifar-10-batches-py-target", "cifar-10-batches-py")
os.makedirs(folder, exist_ok=True)
def batch(k):
    return {b"batch_label": b"stand-in", b"data": rng.integers(0, 256, (k, 3072), dtype=np.uint8),
            b"labels": [int(v) for v in rng.integers(0, 10, k)], b"filenames": [b"x.png"] * k}
for name, k in [("data_batch_%d" % i, 20) for i in range(1, 6)] + [("test_batch", 40)]:
    with open(os.path.join(folder, name), "wb") as f:
        pickle.dump(batch(k), f)

(train_images, train_labels), (test_images, test_labels) = datasets.cifar10.load_data()
print(train_images.shape, train_images.dtype, train_labels.shape, train_labels.dtype, test_images.shape, test_labels.shape)
print(repr(train_labels[:3]))
train_images, test_images = train_images / 255.0, test_images / 255.0
print(train_images.dtype)
class_names = ['airplane', 'automobile', 'bird', 'cat', 'deer',
               'dog', 'frog', 'horse', 'ship', 'truck']
print([class_names[train_labels[i][0]] for i in range(5)])

model = models.Sequential()
model.add(layers.Conv2D(32, (3, 3), activation='relu', input_shape=(32, 32, 3)))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation='relu'))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation='relu'))
model.summary()
model.add(layers.Flatten())
model.add(layers.Dense(64, activation='relu'))
model.add(layers.Dense(10))
model.summary()
model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])
history = model.fit(train_images, train_labels, epochs=2,          # the tutorial's 10, shortened
                    validation_data=(test_images, test_labels))
print(sorted(history.history), history.epoch, history.params)
test_loss, test_acc = model.evaluate(test_images,  test_labels, verbose=2)
print(type(test_loss).__name__, type(test_acc).__name__, 0 <= test_acc <= 1)
predictions         = model.predict(test_images)
softmax_predictions = tf.nn.softmax(predictions)
print(type(predictions).__name__, predictions.shape, predictions.dtype)
print(softmax_predictions.shape, softmax_predictions.dtype, isinstance(softmax_predictions, tf.Tensor))
print(np.allclose(np.sum(softmax_predictions, axis=1), 1, atol=1e-5))
'''

# printed by TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python), colour codes removed
TF_OUTPUT = [
    '(100, 32, 32, 3) uint8 (100, 1) uint8 (40, 32, 32, 3) (40, 1)',
    'array([[5],',
    '       [1],',
    '       [9]], dtype=uint8)',
    'float64',
    "['dog', 'automobile', 'truck', 'truck', 'deer']",
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d (Conv2D)                 │ (None, 30, 30, 32)     │           896 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 15, 15, 32)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 13, 13, 64)     │        18,496 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_1 (MaxPooling2D)  │ (None, 6, 6, 64)       │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (None, 4, 4, 64)       │        36,928 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 56,320 (220.00 KB)',
    ' Trainable params: 56,320 (220.00 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d (Conv2D)                 │ (None, 30, 30, 32)     │           896 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 15, 15, 32)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 13, 13, 64)     │        18,496 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_1 (MaxPooling2D)  │ (None, 6, 6, 64)       │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (None, 4, 4, 64)       │        36,928 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ flatten (Flatten)               │ (None, 1024)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 64)             │        65,600 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 10)             │           650 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 122,570 (478.79 KB)',
    ' Trainable params: 122,570 (478.79 KB)',
    ' Non-trainable params: 0 (0.00 B)',
]

BAR = "━" * 20
NUM = r"(\d\.\d{4}|\d\.\d{4}e[-+]\d\d)"
TIME = r"\d+(m|u)?s \d+(m|u)?s/step"
# what the fit, evaluate and predict lines must look like (TF 2.21's, numbers and timings apart)
TF_PROGRESS = [
    "Epoch 1/2",
    rf"4/4 {BAR} {TIME} - accuracy: {NUM} - loss: {NUM} - val_accuracy: {NUM} - val_loss: {NUM}",
    "Epoch 2/2",
    rf"4/4 {BAR} {TIME} - accuracy: {NUM} - loss: {NUM} - val_accuracy: {NUM} - val_loss: {NUM}",
    re.escape("['accuracy', 'loss', 'val_accuracy', 'val_loss'] [0, 1] {'verbose': 'auto', 'epochs': 2, 'steps': 4}"),
    rf"2/2 - \d+s - \d+(m|u)?s/step - accuracy: {NUM} - loss: {NUM}",
    "float float True",
    rf"2/2 {BAR} {TIME}",
    "ndarray \\(40, 10\\) float32",
    re.escape("(40, 10) <dtype: 'float32'> True"),
    "True",
    "",
]


def test_cnn_tutorial_prints_as_tensorflow(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path / "glassnet"))
    program = PROGRAM.replace("import tensorflow as tf", "import glassnet as tf")
    program = program.replace("from tensorflow.keras import", "from glassnet.keras import")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(program, "cnn_tutorial", "exec"), {})
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out.getvalue())     # terminal codes (colour, erase line) apart
    lines = [line.rsplit("\r", 1)[-1] for line in text.split("\n")]
    assert lines[:len(TF_OUTPUT)] == TF_OUTPUT
    rest = lines[len(TF_OUTPUT):]
    assert len(rest) == len(TF_PROGRESS), "\n".join(rest)
    for got, want in zip(rest, TF_PROGRESS):
        assert re.fullmatch(want, got), (got, want)
