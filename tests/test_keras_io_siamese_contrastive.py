"""keras.io's example "Image similarity estimation using a Siamese Network with a contrastive loss"
(examples/vision/siamese_contrastive.py), run renamed on stand-in MNIST arrays (60 training and
20 test images, labels 0-9 in turn): make_pairs with random.choice/randint after
keras.utils.set_random_seed, visualize with matplotlib (tf.concat of two images shown by imshow),
the embedding network (BatchNormalization, Conv2D tanh, AveragePooling2D, Dense tanh) called on two
Inputs, a Lambda of tf.math ops with tf.keras.backend.epsilon(), the contrastive loss as a closure
given to compile with optimizer="RMSprop" and metrics=["accuracy"], the summary, fit with
validation_data, evaluate and predict. The loss function gets (N,) labels beside (N, 1)
predictions; Keras matches their ranks first (squeeze_or_expand_to_same_rank), so does glassnet
now (they broadcast to (N, N) before and the loss was another number). TF_OUTPUT was recorded
under TensorFlow 2.21 / Keras 3.15 (seeded: the same numbers).
"""

from conftest import assert_program_prints

from glassnet import keras

PROGRAM = r'''import random
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
import matplotlib.pyplot as plt
keras.utils.set_random_seed(0)

epochs = 2
batch_size = 16
margin = 1
r = np.random.default_rng(0)
(x_train_val, y_train_val), (x_test, y_test) = (r.integers(0, 256, (60, 28, 28), dtype=np.uint8), np.arange(60, dtype=np.uint8) % 10), (r.integers(0, 256, (20, 28, 28), dtype=np.uint8), np.arange(20, dtype=np.uint8) % 10)
x_train_val = x_train_val.astype("float32")
x_test = x_test.astype("float32")
x_train, x_val = x_train_val[:30], x_train_val[30:]
y_train, y_val = y_train_val[:30], y_train_val[30:]
del x_train_val, y_train_val

def make_pairs(x, y):
    num_classes = max(y) + 1
    digit_indices = [np.where(y == i)[0] for i in range(num_classes)]
    pairs = []
    labels = []
    for idx1 in range(len(x)):
        x1 = x[idx1]
        label1 = y[idx1]
        idx2 = random.choice(digit_indices[label1])
        x2 = x[idx2]
        pairs += [[x1, x2]]
        labels += [1]
        label2 = random.randint(0, num_classes - 1)
        while label2 == label1:
            label2 = random.randint(0, num_classes - 1)
        idx2 = random.choice(digit_indices[label2])
        x2 = x[idx2]
        pairs += [[x1, x2]]
        labels += [0]
    return np.array(pairs), np.array(labels).astype("float32")

pairs_train, labels_train = make_pairs(x_train, y_train)
pairs_val, labels_val = make_pairs(x_val, y_val)
pairs_test, labels_test = make_pairs(x_test, y_test)
print(pairs_train.shape, labels_train.shape, labels_train[:6])
x_train_1 = pairs_train[:, 0]
x_train_2 = pairs_train[:, 1]
x_val_1 = pairs_val[:, 0]
x_val_2 = pairs_val[:, 1]
x_test_1 = pairs_test[:, 0]
x_test_2 = pairs_test[:, 1]

def visualize(pairs, labels, to_show=6, num_col=3, predictions=None, test=False):
    num_row = to_show // num_col if to_show // num_col != 0 else 1
    to_show = num_row * num_col
    fig, axes = plt.subplots(num_row, num_col, figsize=(5, 5))
    for i in range(to_show):
        if num_row == 1:
            ax = axes[i % num_col]
        else:
            ax = axes[i // num_col, i % num_col]
        ax.imshow(tf.concat([pairs[i][0], pairs[i][1]], axis=1), cmap="gray")
        ax.set_axis_off()
        if test:
            ax.set_title("True: {} | Pred: {:.5f}".format(labels[i], predictions[i][0]))
        else:
            ax.set_title("Label: {}".format(labels[i]))
    if test:
        plt.tight_layout(rect=(0, 0, 1.9, 1.9), w_pad=0.0)
    else:
        plt.tight_layout(rect=(0, 0, 1.5, 1.5))
    plt.show()

visualize(pairs_train[:-1], labels_train[:-1], to_show=4, num_col=4)

def euclidean_distance(vects):
    x, y = vects
    sum_square = tf.math.reduce_sum(tf.math.square(x - y), axis=1, keepdims=True)
    return tf.math.sqrt(tf.math.maximum(sum_square, tf.keras.backend.epsilon()))

input = layers.Input((28, 28, 1))
x = tf.keras.layers.BatchNormalization()(input)
x = layers.Conv2D(4, (5, 5), activation="tanh")(x)
x = layers.AveragePooling2D(pool_size=(2, 2))(x)
x = layers.Conv2D(16, (5, 5), activation="tanh")(x)
x = layers.AveragePooling2D(pool_size=(2, 2))(x)
x = layers.Flatten()(x)
x = tf.keras.layers.BatchNormalization()(x)
x = layers.Dense(10, activation="tanh")(x)
embedding_network = keras.Model(input, x)

input_1 = layers.Input((28, 28, 1))
input_2 = layers.Input((28, 28, 1))
tower_1 = embedding_network(input_1)
tower_2 = embedding_network(input_2)
merge_layer = layers.Lambda(euclidean_distance)([tower_1, tower_2])
normal_layer = tf.keras.layers.BatchNormalization()(merge_layer)
output_layer = layers.Dense(1, activation="sigmoid")(normal_layer)
siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)

def loss(margin=1):
    def contrastive_loss(y_true, y_pred):
        square_pred = tf.math.square(y_pred)
        margin_square = tf.math.square(tf.math.maximum(margin - (y_pred), 0))
        return tf.math.reduce_mean((1 - y_true) * square_pred + (y_true) * margin_square)
    return contrastive_loss

siamese.compile(loss=loss(margin=margin), optimizer="RMSprop", metrics=["accuracy"])
siamese.summary()
history = siamese.fit([x_train_1, x_train_2], labels_train, validation_data=([x_val_1, x_val_2], labels_val), batch_size=batch_size, epochs=epochs)
print({k: [round(v, 4) for v in vs] for k, vs in history.history.items()})

def plt_metric(history, metric, title, has_valid=True):
    plt.plot(history[metric])
    if has_valid:
        plt.plot(history["val_" + metric])
        plt.legend(["train", "validation"], loc="upper left")
    plt.title(title)
    plt.ylabel(metric)
    plt.xlabel("epoch")
    plt.show()

plt_metric(history=history.history, metric="accuracy", title="Model accuracy")
plt_metric(history=history.history, metric="loss", title="Constrastive Loss")
results = siamese.evaluate([x_test_1, x_test_2], labels_test)
print("test loss, test acc:", results)
predictions = siamese.predict([x_test_1, x_test_2])
print(predictions.shape, predictions.dtype)
visualize(pairs_test, labels_test, to_show=3, predictions=predictions, test=True)
print(euclidean_distance([np.ones((2, 3), "float32"), np.zeros((2, 3), "float32")]))
print(loss(1)(np.array([1.0, 0.0], "float32"), np.array([0.25, 0.5], "float32")))
print(tf.keras.backend.epsilon())
'''

TF_OUTPUT = [
    '(60, 2, 28, 28) (60,) [1. 0. 1. 0. 1. 0.]',
    'Model: "functional_1"',
    '┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩',
    '│ input_layer_1       │ (None, 28, 28, 1) │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ input_layer_2       │ (None, 28, 28, 1) │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ functional          │ (None, 10)        │      5,318 │ input_layer_1[0]… │',
    '│ (Functional)        │                   │            │ input_layer_2[0]… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ lambda (Lambda)     │ (None, 1)         │          0 │ functional[0][0], │',
    '│                     │                   │            │ functional[1][0]  │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalizatio… │ (None, 1)         │          4 │ lambda[0][0]      │',
    '│ (BatchNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dense_1 (Dense)     │ (None, 1)         │          2 │ batch_normalizat… │',
    '└─────────────────────┴───────────────────┴────────────┴───────────────────┘',
    ' Total params: 5,324 (20.80 KB)',
    ' Trainable params: 4,808 (18.78 KB)',
    ' Non-trainable params: 516 (2.02 KB)',
    'Epoch 1/2',
    '4/4 ━━━━━━━━━━━━━━━━━━━━ - accuracy: 0.5833 - loss: 0.2301 - val_accuracy: 0.6667 - val_loss: 0.2431',
    'Epoch 2/2',
    '4/4 ━━━━━━━━━━━━━━━━━━━━ - accuracy: 0.8833 - loss: 0.1464 - val_accuracy: 0.5000 - val_loss: 0.2410',
    "{'accuracy': [0.5833, 0.8833], 'loss': [0.2301, 0.1464], 'val_accuracy': [0.6667, 0.5], 'val_loss': [0.2431, 0.241]}",
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - accuracy: 0.6250 - loss: 0.2367',
    'test loss, test acc: [0.23667147755622864, 0.625]',
    '2/2 ━━━━━━━━━━━━━━━━━━━━',
    '(40, 1) float32',
    'tf.Tensor(',
    '[[1.7320508]',
    ' [1.7320508]], shape=(2, 1), dtype=float32)',
    'tf.Tensor(0.40625, shape=(), dtype=float32)',
    '1e-07',
    '',
]

def test_siamese_contrastive(monkeypatch, tmp_path):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.chdir(tmp_path)                 # (the program writes its files here)
    assert_program_prints(PROGRAM, TF_OUTPUT)
