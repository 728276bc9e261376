"""TensorFlow's tutorial "Intro to Autoencoders" (generative/autoencoder) run with ``import glassnet
as tf``: what it prints must be what TensorFlow 2.21 printed for the same code (recorded by running it
under TF 2.21; the tutorial's cells in its style, a few epochs, stand-in data where it downloads:
random uint8 images for Fashion-MNIST, sine/cosine rhythms with noise in a DataFrame for ECG5000, a
seeded permutation for sklearn's train_test_split and accuracy/precision/recall by hand, as sklearn
is not installed). The three subclassed models (Sequential encoder/decoder attributes), the
denoising convnet with Conv2DTranspose fed the tutorial's 5-d ``x.shape + (1,)`` reshape, the
noise from ``tf.random.normal`` and ``tf.clip_by_value``, boolean-mask indexing of a tensor,
``tf.keras.losses.mae``, ``np.mean``/``np.std`` of a tensor for the threshold, and
``tf.math.less``. Keras 3's seeded weights, noise and shuffles: the losses, the threshold and the
scores are TensorFlow's. NUMERIC lines: numbers equal to float32's last digits."""

from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import pandas as pd
import tensorflow as tf
from tensorflow.keras import layers, losses
from tensorflow.keras.models import Model

tf.keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)                # stand-in Fashion-MNIST: uint8 images
x_train = (rng.random((64, 28, 28)) * 255).astype('uint8')
x_test = (rng.random((16, 28, 28)) * 255).astype('uint8')
raw_train, raw_test = x_train, x_test
x_train = x_train.astype('float32') / 255.
x_test = x_test.astype('float32') / 255.
print (x_train.shape)
print (x_test.shape)

latent_dim = 64
class Autoencoder(Model):
  def __init__(self, latent_dim):
    super(Autoencoder, self).__init__()
    self.latent_dim = latent_dim
    self.encoder = tf.keras.Sequential([
      layers.Flatten(),
      layers.Dense(latent_dim, activation='relu'),
    ])
    self.decoder = tf.keras.Sequential([
      layers.Dense(784, activation='sigmoid'),
      layers.Reshape((28, 28))
    ])

  def call(self, x):
    encoded = self.encoder(x)
    decoded = self.decoder(encoded)
    return decoded

autoencoder = Autoencoder(latent_dim)
autoencoder.compile(optimizer='adam', loss=losses.MeanSquaredError())
history = autoencoder.fit(x_train, x_train, epochs=2, shuffle=True, verbose=0,
                          validation_data=(x_test, x_test))
print({k: [round(v, 4) for v in vs] for k, vs in history.history.items()})
encoded_imgs = autoencoder.encoder(x_test).numpy()
decoded_imgs = autoencoder.decoder(encoded_imgs).numpy()
print(type(encoded_imgs).__name__, encoded_imgs.shape, encoded_imgs.dtype, decoded_imgs.shape)
autoencoder.summary()

x_train = raw_train.astype('float32') / 255.
x_test = raw_test.astype('float32') / 255.
x_train = x_train[..., tf.newaxis]
x_test = x_test[..., tf.newaxis]
print(x_train.shape)
noise_factor = 0.2
x_train_noisy = x_train + noise_factor * tf.random.normal(shape=x_train.shape)
x_test_noisy = x_test + noise_factor * tf.random.normal(shape=x_test.shape)
x_train_noisy = tf.clip_by_value(x_train_noisy, clip_value_min=0., clip_value_max=1.)
x_test_noisy = tf.clip_by_value(x_test_noisy, clip_value_min=0., clip_value_max=1.)
print(x_train_noisy.dtype, float(tf.reduce_min(x_train_noisy)), float(tf.reduce_max(x_train_noisy)))
print(repr(x_train_noisy.shape + (1,)))
x_train_noisy = tf.reshape(x_train_noisy, shape=x_train_noisy.shape+(1,))
x_test_noisy = tf.reshape(x_test_noisy, shape=x_test_noisy.shape+(1,))
print(x_train_noisy.shape, tf.squeeze(x_test_noisy[0]).shape)

class Denoise(Model):
  def __init__(self):
    super(Denoise, self).__init__()
    self.encoder = tf.keras.Sequential([
      layers.Input(shape=(28, 28, 1)),
      layers.Conv2D(16, (3,3), activation='relu', padding='same', strides=2),
      layers.Conv2D(8, (3,3), activation='relu', padding='same', strides=2)])

    self.decoder = tf.keras.Sequential([
      layers.Conv2DTranspose(8, kernel_size=3, strides=2, activation='relu', padding='same'),
      layers.Conv2DTranspose(16, kernel_size=3, strides=2, activation='relu', padding='same'),
      layers.Conv2D(1, kernel_size=(3,3), activation='sigmoid', padding='same')])

  def call(self, x):
    encoded = self.encoder(x)
    decoded = self.decoder(encoded)
    return decoded

autoencoder = Denoise()
autoencoder.compile(optimizer='adam', loss=losses.MeanSquaredError())
history = autoencoder.fit(x_train_noisy, x_train, epochs=2, shuffle=True, verbose=0,
                          validation_data=(x_test_noisy, x_test))
print({k: [round(v, 4) for v in vs] for k, vs in history.history.items()})
autoencoder.encoder.summary()
autoencoder.decoder.summary()
encoded_imgs = autoencoder.encoder(x_test).numpy()
decoded_imgs = autoencoder.decoder(encoded_imgs).numpy()
print(encoded_imgs.shape, decoded_imgs.shape, tf.squeeze(decoded_imgs[0]).shape)

n = 200                                        # stand-in ECG5000: 140 points and a label a row
t = np.linspace(0, 1, 140)
label = (rng.random(n) < 0.6).astype(float)
ecg = np.where(label[:, None] > 0, np.sin(2 * np.pi * 3 * t), np.cos(2 * np.pi * 7 * t)) + 0.3 * rng.standard_normal((n, 140))
dataframe = pd.DataFrame(np.concatenate([ecg, label[:, None]], axis=1))
raw_data = dataframe.values
labels = raw_data[:, -1]
data = raw_data[:, 0:-1]
order = np.random.default_rng(21).permutation(n)    # train_test_split(test_size=0.2, random_state=21)
train_data, test_data = data[order[:160]], data[order[160:]]
train_labels, test_labels = labels[order[:160]], labels[order[160:]]

min_val = tf.reduce_min(train_data)
max_val = tf.reduce_max(train_data)
train_data = (train_data - min_val) / (max_val - min_val)
test_data = (test_data - min_val) / (max_val - min_val)
print(min_val.dtype, type(train_data).__name__ == type(min_val).__name__, train_data.dtype)
train_data = tf.cast(train_data, tf.float32)
test_data = tf.cast(test_data, tf.float32)

train_labels = train_labels.astype(bool)
test_labels = test_labels.astype(bool)
normal_train_data = train_data[train_labels]
normal_test_data = test_data[test_labels]
anomalous_train_data = train_data[~train_labels]
anomalous_test_data = test_data[~test_labels]
print(normal_train_data.shape, normal_test_data.shape, anomalous_train_data.shape, anomalous_test_data.shape)

class AnomalyDetector(Model):
  def __init__(self):
    super(AnomalyDetector, self).__init__()
    self.encoder = tf.keras.Sequential([
      layers.Dense(32, activation="relu"),
      layers.Dense(16, activation="relu"),
      layers.Dense(8, activation="relu")])

    self.decoder = tf.keras.Sequential([
      layers.Dense(16, activation="relu"),
      layers.Dense(32, activation="relu"),
      layers.Dense(140, activation="sigmoid")])

  def call(self, x):
    encoded = self.encoder(x)
    decoded = self.decoder(encoded)
    return decoded

autoencoder = AnomalyDetector()
autoencoder.compile(optimizer='adam', loss='mae')
history = autoencoder.fit(normal_train_data, normal_train_data,
          epochs=3,
          batch_size=512,
          validation_data=(test_data, test_data),
          shuffle=True, verbose=0)
print({k: [round(v, 4) for v in vs] for k, vs in history.history.items()})
encoded_imgs = autoencoder.encoder(normal_test_data).numpy()
decoded_imgs = autoencoder.decoder(encoded_imgs).numpy()
print(decoded_imgs.shape)

reconstructions = autoencoder.predict(normal_train_data, verbose=0)
train_loss = tf.keras.losses.mae(reconstructions, normal_train_data)
print(train_loss.shape, train_loss.dtype, np.histogram(train_loss, bins=50)[0].sum())
threshold = np.mean(train_loss) + np.std(train_loss)
print("Threshold: ", threshold)
reconstructions = autoencoder.predict(anomalous_test_data, verbose=0)
test_loss = tf.keras.losses.mae(reconstructions, anomalous_test_data)
print(test_loss.shape)

def accuracy_score(y, p):                      # sklearn.metrics' (not installed here): arrays of bools
  return float(np.mean(np.asarray(y) == np.asarray(p)))

def precision_score(y, p):
  y, p = np.asarray(y), np.asarray(p)
  return float(np.sum(y & p) / np.sum(p))

def recall_score(y, p):
  y, p = np.asarray(y), np.asarray(p)
  return float(np.sum(y & p) / np.sum(y))

def predict(model, data, threshold):
  reconstructions = model(data)
  loss = tf.keras.losses.mae(reconstructions, data)
  return tf.math.less(loss, threshold)

def print_stats(predictions, labels):
  print("Accuracy = {}".format(accuracy_score(labels, preds)))
  print("Precision = {}".format(precision_score(labels, preds)))
  print("Recall = {}".format(recall_score(labels, preds)))

preds = predict(autoencoder, test_data, threshold)
print(preds.dtype, preds.shape)
print_stats(preds, test_labels)
'''

TF_OUTPUT = [
    '(64, 28, 28)',
    '(16, 28, 28)',
    "{'loss': [0.0845, 0.0831], 'val_loss': [0.0839, 0.0836]}",
    'ndarray (16, 64) float32 (16, 28, 28)',
    'Model: "autoencoder"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ sequential (Sequential)         │ (32, 64)               │        50,240 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ sequential_1 (Sequential)       │ (32, 28, 28)           │        50,960 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 303,602 (1.16 MB)',
    ' Trainable params: 101,200 (395.31 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 202,402 (790.64 KB)',
    '(64, 28, 28, 1)',
    "<dtype: 'float32'> 0.0 1.0",
    'TensorShape([64, 28, 28, 1, 1])',
    '(64, 28, 28, 1, 1) (28, 28)',
    "{'loss': [0.0831, 0.0831], 'val_loss': [0.0836, 0.0835]}",
    'Model: "sequential_2"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d (Conv2D)                 │ (None, 14, 14, 16)     │           160 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 7, 7, 8)        │         1,160 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 1,320 (5.16 KB)',
    ' Trainable params: 1,320 (5.16 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Model: "sequential_3"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d_transpose                │ (32, 14, 14, 8)        │           584 │',
    '│ (Conv2DTranspose)               │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_transpose_1              │ (32, 28, 28, 16)       │         1,168 │',
    '│ (Conv2DTranspose)               │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_2 (Conv2D)               │ (32, 28, 28, 1)        │           145 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 1,897 (7.41 KB)',
    ' Trainable params: 1,897 (7.41 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    '(16, 7, 7, 8) (16, 28, 28, 1) (28, 28)',
    "<dtype: 'float64'> True <dtype: 'float64'>",
    '(92, 140) (28, 140) (68, 140) (12, 140)',
    "{'loss': [0.1623, 0.1608, 0.1595], 'val_loss': [0.1618, 0.1609, 0.1601]}",
    '(28, 140)',
    "(92,) <dtype: 'float32'> 92",
    'Threshold:  0.16417187',
    '(12,)',
    "<dtype: 'bool'> (40,)",
    'Accuracy = 0.8',
    'Precision = 0.8125',
    'Recall = 0.9285714285714286',
    '',
]
NUMERIC = [2, 20, 50, 53]


def test_tutorial_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE.replace("from tensorflow.", "from glassnet."), "autoencoder", TF_OUTPUT, NUMERIC)
