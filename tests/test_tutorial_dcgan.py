"""TensorFlow's tutorial "Deep Convolutional Generative Adversarial Network" (generative/dcgan) run
with ``import glassnet as tf``: what it prints must be what TensorFlow 2.21 printed for the same code
(recorded by running it under TF 2.21; the tutorial's cells in its style, 2 epochs of 40 stand-in
MNIST images for 50 of 60,000, the images' pixels for the plots and GIF). The generator with the
tutorial's ``model.output_shape`` asserts, the discriminator, BinaryCrossentropy(from_logits=True),
two Adam optimizers, the ``@tf.function`` train step with two tapes, ``tf.train.Checkpoint`` saved
each epoch and restored from ``tf.train.latest_checkpoint``. Batches of 16 leave a last batch of 8
real images against 16 fakes: the discriminator is called twice on one tape with two batch sizes
(it stopped the step, Flatten's backward reshaping to the other call's shape); the last lines
check that gradient against the two calls taken apart. NUMERIC lines: float32's last digits."""

from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import os
import tempfile
import time
import tensorflow as tf
from tensorflow.keras import layers

tf.keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)                 # stand-in MNIST: 40 uint8 images
train_images = (rng.random((40, 28, 28)) * 255).astype('uint8')
train_images = train_images.reshape(train_images.shape[0], 28, 28, 1).astype('float32')
train_images = (train_images - 127.5) / 127.5 # Normalize the images to [-1, 1]
BUFFER_SIZE = 40
BATCH_SIZE = 16                                 # the last batch has 8: the fakes keep 16
train_dataset = tf.data.Dataset.from_tensor_slices(train_images).shuffle(BUFFER_SIZE).batch(BATCH_SIZE)
print(train_dataset.element_spec)

def make_generator_model():
    model = tf.keras.Sequential()
    model.add(layers.Dense(7*7*256, use_bias=False, input_shape=(100,)))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Reshape((7, 7, 256)))
    assert model.output_shape == (None, 7, 7, 256) # Note: None is the batch size

    model.add(layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding='same', use_bias=False))
    assert model.output_shape == (None, 7, 7, 128)
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding='same', use_bias=False))
    assert model.output_shape == (None, 14, 14, 64)
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding='same', use_bias=False, activation='tanh'))
    assert model.output_shape == (None, 28, 28, 1)

    return model

generator = make_generator_model()
noise = tf.random.normal([1, 100])
generated_image = generator(noise, training=False)
print(generated_image.shape, generated_image[0, :, :, 0].shape, generator.count_params())

def make_discriminator_model():
    model = tf.keras.Sequential()
    model.add(layers.Conv2D(64, (5, 5), strides=(2, 2), padding='same',
                                     input_shape=[28, 28, 1]))
    model.add(layers.LeakyReLU())
    model.add(layers.Dropout(0.3))

    model.add(layers.Conv2D(128, (5, 5), strides=(2, 2), padding='same'))
    model.add(layers.LeakyReLU())
    model.add(layers.Dropout(0.3))

    model.add(layers.Flatten())
    model.add(layers.Dense(1))

    return model

discriminator = make_discriminator_model()
decision = discriminator(generated_image)
print(decision.shape, decision.dtype, discriminator.count_params())

cross_entropy = tf.keras.losses.BinaryCrossentropy(from_logits=True)

def discriminator_loss(real_output, fake_output):
    real_loss = cross_entropy(tf.ones_like(real_output), real_output)
    fake_loss = cross_entropy(tf.zeros_like(fake_output), fake_output)
    total_loss = real_loss + fake_loss
    return total_loss

def generator_loss(fake_output):
    return cross_entropy(tf.ones_like(fake_output), fake_output)

print(discriminator_loss(tf.constant([[2.0], [0.5]]), tf.constant([[-1.0], [0.25]])))
print(generator_loss(tf.constant([[-1.0], [0.25], [30.0]])))

generator_optimizer = tf.keras.optimizers.Adam(1e-4)
discriminator_optimizer = tf.keras.optimizers.Adam(1e-4)

os.chdir(tempfile.mkdtemp())
checkpoint_dir = './training_checkpoints'
checkpoint_prefix = os.path.join(checkpoint_dir, "ckpt")
checkpoint = tf.train.Checkpoint(generator_optimizer=generator_optimizer,
                                 discriminator_optimizer=discriminator_optimizer,
                                 generator=generator,
                                 discriminator=discriminator)

EPOCHS = 2
noise_dim = 100
num_examples_to_generate = 16
seed = tf.random.normal([num_examples_to_generate, noise_dim])

@tf.function
def train_step(images):
    noise = tf.random.normal([BATCH_SIZE, noise_dim])

    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
      generated_images = generator(noise, training=True)

      real_output = discriminator(images, training=True)
      fake_output = discriminator(generated_images, training=True)

      gen_loss = generator_loss(fake_output)
      disc_loss = discriminator_loss(real_output, fake_output)

    gradients_of_generator = gen_tape.gradient(gen_loss, generator.trainable_variables)
    gradients_of_discriminator = disc_tape.gradient(disc_loss, discriminator.trainable_variables)

    generator_optimizer.apply_gradients(zip(gradients_of_generator, generator.trainable_variables))
    discriminator_optimizer.apply_gradients(zip(gradients_of_discriminator, discriminator.trainable_variables))

def generate_and_save_images(model, epoch, test_input):
  # Notice `training` is set to False.
  predictions = model(test_input, training=False)
  pixels = [predictions[i, :, :, 0] * 127.5 + 127.5 for i in range(predictions.shape[0])]
  print('image_at_epoch_{:04d}.png'.format(epoch), len(pixels), pixels[0].shape)

def train(dataset, epochs):
  for epoch in range(epochs):
    start = time.time()

    for image_batch in dataset:
      train_step(image_batch)

    generate_and_save_images(generator, epoch + 1, seed)

    # Save the model every epoch (the tutorial: every 15)
    if (epoch + 1) % 1 == 0:
      print(checkpoint.save(file_prefix = checkpoint_prefix))

    print ('Time for epoch {} is {} sec'.format(epoch + 1, time.time()-start)[:20])

  generate_and_save_images(generator, epochs, seed)

train(train_dataset, EPOCHS)
print(int(generator_optimizer.iterations), int(discriminator_optimizer.iterations))
print(sorted(os.listdir(checkpoint_dir)))
print(tf.train.latest_checkpoint(checkpoint_dir))

saved = [v.numpy().copy() for v in generator.trainable_variables + discriminator.trainable_variables]
images_before = generator(seed, training=False).numpy()
for v in generator.trainable_variables + discriminator.trainable_variables:
    v.assign(tf.zeros_like(v))
status = checkpoint.restore(tf.train.latest_checkpoint(checkpoint_dir))
print(type(status).__name__)
status.assert_consumed()
print(all(np.array_equal(a, v.numpy()) for a, v in zip(saved, generator.trainable_variables + discriminator.trainable_variables)))
print(np.allclose(images_before, generator(seed, training=False).numpy()))
print(checkpoint.save_counter)

# the discriminator called twice on one tape, on 8 real images then 16 fakes: each call's gradient is its own
real, fake = train_images[:8], generator(tf.random.normal([16, noise_dim]), training=False)
with tf.GradientTape() as tape:
  loss = discriminator_loss(discriminator(real), discriminator(fake))
both = tape.gradient(loss, discriminator.trainable_variables)
with tf.GradientTape() as tape:
  real_loss = cross_entropy(tf.ones([8, 1]), discriminator(real))
apart = tape.gradient(real_loss, discriminator.trainable_variables)
with tf.GradientTape() as tape:
  fake_loss = cross_entropy(tf.zeros([16, 1]), discriminator(fake))
apart = [a + b for a, b in zip(apart, tape.gradient(fake_loss, discriminator.trainable_variables))]
print([tuple(g.shape) for g in both])
print(all(np.allclose(a, b, rtol=1e-4, atol=1e-6) for a, b in zip(both, apart)))
'''

TF_OUTPUT = [
    'TensorSpec(shape=(None, 28, 28, 1), dtype=tf.float32, name=None)',
    '(1, 28, 28, 1) (28, 28) 2330944',
    "(1, 1) <dtype: 'float32'> 212865",
    'tf.Tensor(0.87010306, shape=(), dtype=float32)',
    'tf.Tensor(0.62973374, shape=(), dtype=float32)',
    'image_at_epoch_0001.png 16 (28, 28)',
    './training_checkpoints/ckpt-1',
    'Time for epoch 1 is ',
    'image_at_epoch_0002.png 16 (28, 28)',
    './training_checkpoints/ckpt-2',
    'Time for epoch 2 is ',
    'image_at_epoch_0002.png 16 (28, 28)',
    '6 6',
    "['checkpoint', 'ckpt-1.data-00000-of-00001', 'ckpt-1.index', 'ckpt-2.data-00000-of-00001', 'ckpt-2.index']",
    './training_checkpoints/ckpt-2',
    'CheckpointLoadStatus',
    'True',
    'True',
    "<tf.Variable 'save_counter:0' shape=() dtype=int64, numpy=2>",
    '[(5, 5, 1, 64), (64,), (5, 5, 64, 128), (128,), (6272, 1), (1,)]',
    'True',
    '',
]
NUMERIC = [3, 4]


def test_tutorial_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE.replace("from tensorflow.", "from glassnet."), "dcgan", TF_OUTPUT, NUMERIC)
