"""TensorFlow's tutorial "Convolutional Variational Autoencoder" (generative/cvae) run with ``import
glassnet as tf``: what it prints must be what TensorFlow 2.21 printed for the same code (recorded by
running it under TF 2.21; the tutorial's cells in its style, 2 epochs on 64 stand-in binarized MNIST
images; the imageio GIF and tensorflow_probability's quantile grid left out, not installed here, one
grid point decoded instead). The subclassed CVAE with Sequential encoder/decoder built from
``InputLayer(input_shape=...)``, ``tf.split``, the reparameterization with ``tf.random.normal``,
``log_normal_pdf`` (``tf.math.log``, ``tf.exp``, ``tf.reduce_sum``),
``tf.nn.sigmoid_cross_entropy_with_logits``, the ``@tf.function`` train step taking the model and
optimizer as arguments, ``tf.keras.metrics.Mean`` for the test ELBO (formatted with ``{}``, a 0-d
float32 tensor), the ``@tf.function`` ``sample`` method with and without ``eps`` (a float64 NumPy
grid point too). The ELBO's value depends on the data's shuffle and the noise drawn, which are not
TensorFlow's stream here: its type, shape, format and range are checked. NUMERIC lines: float32's
last digits (NumPy's float32 log and exp are an ulp from TensorFlow's; glassnet adds the
sigmoid cross-entropy's log term first, TensorFlow last)."""

from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import time
import tensorflow as tf

tf.keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)                 # stand-in MNIST: uint8 images
train_images = (rng.random((64, 28, 28)) * 255).astype('uint8')
test_images = (rng.random((40, 28, 28)) * 255).astype('uint8')

def preprocess_images(images):
  images = images.reshape((images.shape[0], 28, 28, 1)) / 255.
  return np.where(images > .5, 1.0, 0.0).astype('float32')

train_images = preprocess_images(train_images)
test_images = preprocess_images(test_images)

train_size = 64
batch_size = 32
test_size = 40
train_dataset = (tf.data.Dataset.from_tensor_slices(train_images)
                 .shuffle(train_size).batch(batch_size))
test_dataset = (tf.data.Dataset.from_tensor_slices(test_images)
                .shuffle(test_size).batch(batch_size))
print(train_dataset.element_spec, len(train_dataset), len(test_dataset))

class CVAE(tf.keras.Model):
  """Convolutional variational autoencoder."""

  def __init__(self, latent_dim):
    super(CVAE, self).__init__()
    self.latent_dim = latent_dim
    self.encoder = tf.keras.Sequential(
        [
            tf.keras.layers.InputLayer(input_shape=(28, 28, 1)),
            tf.keras.layers.Conv2D(
                filters=32, kernel_size=3, strides=(2, 2), activation='relu'),
            tf.keras.layers.Conv2D(
                filters=64, kernel_size=3, strides=(2, 2), activation='relu'),
            tf.keras.layers.Flatten(),
            # No activation
            tf.keras.layers.Dense(latent_dim + latent_dim),
        ]
    )

    self.decoder = tf.keras.Sequential(
        [
            tf.keras.layers.InputLayer(input_shape=(latent_dim,)),
            tf.keras.layers.Dense(units=7*7*32, activation=tf.nn.relu),
            tf.keras.layers.Reshape(target_shape=(7, 7, 32)),
            tf.keras.layers.Conv2DTranspose(
                filters=64, kernel_size=3, strides=2, padding='same',
                activation='relu'),
            tf.keras.layers.Conv2DTranspose(
                filters=32, kernel_size=3, strides=2, padding='same',
                activation='relu'),
            # No activation
            tf.keras.layers.Conv2DTranspose(
                filters=1, kernel_size=3, strides=1, padding='same'),
        ]
    )

  @tf.function
  def sample(self, eps=None):
    if eps is None:
      eps = tf.random.normal(shape=(100, self.latent_dim))
    return self.decode(eps, apply_sigmoid=True)

  def encode(self, x):
    mean, logvar = tf.split(self.encoder(x), num_or_size_splits=2, axis=1)
    return mean, logvar

  def reparameterize(self, mean, logvar):
    eps = tf.random.normal(shape=mean.shape)
    return eps * tf.exp(logvar * .5) + mean

  def decode(self, z, apply_sigmoid=False):
    logits = self.decoder(z)
    if apply_sigmoid:
      probs = tf.sigmoid(logits)
      return probs
    return logits

optimizer = tf.keras.optimizers.Adam(1e-4)

def log_normal_pdf(sample, mean, logvar, raxis=1):
  log2pi = tf.math.log(2. * np.pi)
  return tf.reduce_sum(
      -.5 * ((sample - mean) ** 2. * tf.exp(-logvar) + logvar + log2pi),
      axis=raxis)

def compute_loss(model, x):
  mean, logvar = model.encode(x)
  z = model.reparameterize(mean, logvar)
  x_logit = model.decode(z)
  cross_ent = tf.nn.sigmoid_cross_entropy_with_logits(logits=x_logit, labels=x)
  logpx_z = -tf.reduce_sum(cross_ent, axis=[1, 2, 3])
  logpz = log_normal_pdf(z, 0., 0.)
  logqz_x = log_normal_pdf(z, mean, logvar)
  return -tf.reduce_mean(logpx_z + logpz - logqz_x)

@tf.function
def train_step(model, x, optimizer):
  """Executes one training step and returns the loss."""
  with tf.GradientTape() as tape:
    loss = compute_loss(model, x)
  gradients = tape.gradient(loss, model.trainable_variables)
  optimizer.apply_gradients(zip(gradients, model.trainable_variables))

print(log_normal_pdf(tf.constant([[0.5, -1.0]]), 0., 0.))
print(log_normal_pdf(tf.constant([[0.5, -1.0]]), tf.constant([[0.1, 0.2]]), tf.constant([[0.3, -0.4]])))
print(tf.nn.sigmoid_cross_entropy_with_logits(logits=tf.constant([[-2.0, 0.0, 3.0]]), labels=tf.constant([[1.0, 0.0, 1.0]])))

epochs = 2
# set the dimensionality of the latent space to a plane for visualization later
latent_dim = 2
num_examples_to_generate = 16
random_vector_for_generation = tf.random.normal(
    shape=[num_examples_to_generate, latent_dim])
model = CVAE(latent_dim)
print(model.encoder.output_shape, model.decoder.output_shape, model.encoder.count_params(), model.decoder.count_params())
print([tuple(v.shape) for v in model.trainable_variables])

def generate_and_save_images(model, epoch, test_sample):
  mean, logvar = model.encode(test_sample)
  z = model.reparameterize(mean, logvar)
  predictions = model.sample(z)
  frames = [predictions[i, :, :, 0] for i in range(predictions.shape[0])]
  print('image_at_epoch_{:04d}.png'.format(epoch), len(frames), frames[0].shape, predictions.dtype,
        0.0 <= float(tf.reduce_min(predictions)) <= float(tf.reduce_max(predictions)) <= 1.0)

# Pick a sample of the test set for generating output images
assert batch_size >= num_examples_to_generate
for test_batch in test_dataset.take(1):
  test_sample = test_batch[0:num_examples_to_generate, :, :, :]
print(test_sample.shape, test_sample.dtype)
generate_and_save_images(model, 0, test_sample)

elbos = []
for epoch in range(1, epochs + 1):
  start_time = time.time()
  for train_x in train_dataset:
    train_step(model, train_x, optimizer)
  end_time = time.time()

  loss = tf.keras.metrics.Mean()
  for test_x in test_dataset:
    loss(compute_loss(model, test_x))
  elbo = -loss.result()
  elbos.append(float(elbo))
  line = ('Epoch: {}, Test set ELBO: {}, time elapse for current epoch: {}'
          .format(epoch, elbo, end_time - start_time))
  print(line.split(', time')[0].split(': ')[:2], elbo.dtype, elbo.shape, float(elbo) == float(line.split('ELBO: ')[1].split(',')[0]))
  generate_and_save_images(model, epoch, test_sample)
print(int(optimizer.iterations), all(-560 < e < -530 for e in elbos))

z = np.array([[0.3, -0.2]])                   # plot_latent_images' grid point (tfp's quantiles left out)
x_decoded = model.sample(z)
digit = tf.reshape(x_decoded[0], (28, 28))
image = np.zeros((56, 56))
image[0:28, 28:56] = digit.numpy()
print(x_decoded.shape, x_decoded.dtype, digit.shape, float(image.max()) <= 1.0)
print(model.sample().shape)
'''

TF_OUTPUT = [
    'TensorSpec(shape=(None, 28, 28, 1), dtype=tf.float32, name=None) 2 2',
    'tf.Tensor([-2.462877], shape=(1,), dtype=float32)',
    'tf.Tensor([-2.9212565], shape=(1,), dtype=float32)',
    'tf.Tensor([[2.126928   0.6931472  0.04858735]], shape=(1, 3), dtype=float32)',
    '(None, 4) (None, 28, 28, 1) 28036 41953',
    '[(3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,), (2304, 4), (4,), (2, 1568), (1568,), (3, 3, 64, 32), (64,), (3, 3, 32, 64), (32,), (3, 3, 1, 32), (1,)]',
    "(16, 28, 28, 1) <dtype: 'float32'>",
    "image_at_epoch_0000.png 16 (28, 28) <dtype: 'float32'> True",
    "['Epoch', '1, Test set ELBO'] <dtype: 'float32'> () True",
    "image_at_epoch_0001.png 16 (28, 28) <dtype: 'float32'> True",
    "['Epoch', '2, Test set ELBO'] <dtype: 'float32'> () True",
    "image_at_epoch_0002.png 16 (28, 28) <dtype: 'float32'> True",
    '4 True',
    "(1, 28, 28, 1) <dtype: 'float32'> (28, 28) True",
    '(100, 28, 28, 1)',
    '',
]
NUMERIC = [1, 2, 3]


def test_tutorial_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE, "cvae", TF_OUTPUT, NUMERIC)
