"""TensorFlow's beginner tutorial "Basic classification: Classify images of clothing"
(tutorials/keras/classification) run with ``import glassnet as tf``: Fashion-MNIST's files stand
in with random pictures of the same shapes and dtypes (written into $KERAS_HOME's cache, where
``load_data`` looks before downloading); the tutorial's calls (Flatten/Dense, from_logits loss,
fit, evaluate, Sequential([model, Softmax()]), predict, np.argmax, expand_dims for one picture)
must print what TensorFlow 2.21 printed for the same program (values that depend on the random
initialisation are printed as checks, not numbers)."""

from conftest import assert_guide_prints

GUIDE = r'''import os, gzip, tempfile
import numpy as np
import tensorflow as tf

# stand-in for the download: Fashion-MNIST's four IDX files in $KERAS_HOME's cache
folder = os.path.join(os.environ["KERAS_HOME"], "datasets", "fashion-mnist")
os.makedirs(folder, exist_ok=True)
rng = np.random.default_rng(0)
def idx(arr):
    return bytes([0, 0, 8, arr.ndim]) + b"".join(d.to_bytes(4, "big") for d in arr.shape) + arr.tobytes()
for name, arr in [("train-images-idx3-ubyte", rng.integers(0, 256, (300, 28, 28)).astype(np.uint8)),
                  ("train-labels-idx1-ubyte", rng.integers(0, 10, 300).astype(np.uint8)),
                  ("t10k-images-idx3-ubyte", rng.integers(0, 256, (50, 28, 28)).astype(np.uint8)),
                  ("t10k-labels-idx1-ubyte", rng.integers(0, 10, 50).astype(np.uint8))]:
    with gzip.open(os.path.join(folder, name + ".gz"), "wb") as f:
        f.write(idx(arr))

fashion_mnist = tf.keras.datasets.fashion_mnist
(train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()
class_names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
               'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
print(train_images.shape, train_images.dtype, len(train_labels))
print(repr(train_labels[:12]))
print(test_images.shape, len(test_labels))
print(class_names[train_labels[0]])
train_images = train_images / 255.0
test_images = test_images / 255.0
print(train_images.dtype, train_images.max() <= 1.0)

model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=(28, 28)),
    tf.keras.layers.Dense(128, activation='relu'),
    tf.keras.layers.Dense(10)
])
model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])
history = model.fit(train_images, train_labels, epochs=2, verbose=0)
print(list(history.history.keys()), len(history.history['loss']))
test_loss, test_acc = model.evaluate(test_images,  test_labels, verbose=0)
print(type(test_loss).__name__, type(test_acc).__name__, 0.0 <= test_acc <= 1.0)

probability_model = tf.keras.Sequential([model, tf.keras.layers.Softmax()])
predictions = probability_model.predict(test_images, verbose=0)
print(type(predictions).__name__, predictions.shape, predictions.dtype)
print(np.allclose(predictions.sum(axis=1), 1.0, atol=1e-5), predictions.min() >= 0)
print(type(np.argmax(predictions[0])).__name__, repr(test_labels[0]))
print(np.argmax(predictions[0]) == np.argmax(model.predict(test_images[:1], verbose=0)[0]))
label = "{} {:2.0f}% ({})".format(class_names[np.argmax(predictions[0])], 100*np.max(predictions[0]), class_names[test_labels[0]])
print(isinstance(label, str))

img = test_images[1]
print(img.shape)
img = (np.expand_dims(img,0))
print(img.shape)
predictions_single = probability_model.predict(img, verbose=0)
print(predictions_single.shape, predictions_single.dtype)
print(np.allclose(predictions_single[0], predictions[1], atol=1e-6))
print(type(np.argmax(predictions_single[0])).__name__)
probability_model.summary()
'''

TF_OUTPUT = [
    '(300, 28, 28) uint8 300',
    'array([0, 0, 7, 8, 5, 6, 0, 6, 3, 4, 6, 3], dtype=uint8)',
    '(50, 28, 28) 50',
    'T-shirt/top',
    'float64 True',
    "['accuracy', 'loss'] 2",
    'float float True',
    'ndarray (50, 10) float32',
    'True True',
    'int64 np.uint8(3)',
    'True',
    'True',
    '(28, 28)',
    '(1, 28, 28)',
    '(1, 10) float32',
    'True',
    'int64',
    'Model: "sequential_1"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ sequential (Sequential)         │ (None, 10)             │       101,770 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ softmax (Softmax)               │ (None, 10)             │             0 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 101,770 (397.54 KB)',
    ' Trainable params: 101,770 (397.54 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    '',
]


def test_classification_tutorial_prints_as_tensorflow(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert_guide_prints(GUIDE, "test_classification_tutorial_prints_as_tensorflow", TF_OUTPUT)
