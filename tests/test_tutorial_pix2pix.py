"""TensorFlow's tutorial "pix2pix: Image-to-image translation with a conditional GAN" (tutorials/generative/pix2pix)
run with ``import glassnet as tf``: what it prints must be what TensorFlow 2.21 printed for the same code (recorded
under TF 2.21 / Keras 3.15). Stand-ins: six drawn facades written as 256x512 JPEGs with Pillow for facades.tar.gz
(the tutorial's decode_jpeg, the split into input and real halves, the 286 resize by NEAREST_NEIGHBOR, the stacked
random crop back to 256x256 and the ``tf.random.uniform(()) > 0.5`` mirroring in a ``tf.function``, list_files and
its InvalidArgumentError for a missing folder); plots left out (their arrays' shapes printed); two training steps
instead of 40,000; no plot_model (TF needs pydot and Graphviz for it, not installed).

The U-Net generator and the PatchGAN discriminator keep the 256x256 pictures and every layer (8 downsample and 7
upsample Sequential blocks, Concatenate skips, ZeroPadding2D, the tanh Conv2DTranspose, random_normal_initializer
(0, 0.02)), with the layers' widths divided by S = 16: at the tutorial's widths (54.4M + 2.8M weights) glassnet
takes about 15 s for one training step and 20 s to write the 0.7 GB checkpoint, beyond a unit test. (Run at full
width on this data the two libraries print the same lines but the one below.)

Checked: the decoded pixels (TensorFlow's libjpeg decode), the resize, the summaries, with fixed stand-in weights
on both sides the generator and discriminator losses of one pair and the norms of the two tapes' gradients; the
train_step with two tapes, Adam(2e-4, beta_1=0.5), tf.summary writers, f"Step: {step//1000}k" of a
``Dataset.enumerate`` tensor, tf.train.Checkpoint save / latest_checkpoint / restore, and the element_specs: the
test pipeline's ``(None, 256, 256, None)`` (decode_jpeg without ``channels``: TensorFlow's trace, and glassnet's
since tf/data_sized.py, leave the channels unknown), the training one's 3 from random_crop's size.
"""
import numpy as np

from conftest import assert_guide_prints

GUIDE = r'''import os
import pathlib
import time
import datetime

import numpy as np
import tensorflow as tf
from PIL import Image

# facades.tar.gz is a download: six drawn facades (photo | label map side by side, 256x512 JPEGs)
root = pathlib.Path('.').resolve()
PATH = root / 'facades'
def facade(i):
  yy, xx = np.mgrid[0:256, 0:256]
  windows = ((xx // 32 + yy // 24 + i) % 3 == 0)
  photo = np.stack([(xx * 0.7 + 13 * i) % 256, 80 + windows * 100 + yy * 0.2, (yy * 0.9 + 7 * i) % 200], -1)
  label = np.stack([windows * 200 + 30, np.full((256, 256), 40 + 10 * i), (yy // 64) * 60], -1)
  return np.concatenate([photo, label], axis=1).astype(np.uint8)
for split, first, n in (('train', 1, 4), ('test', 1, 2)):
  (PATH / split).mkdir(parents=True)
  for i in range(n):
    Image.fromarray(facade(i + (0 if split == 'train' else 10))).save(PATH / split / f'{first + i}.jpg', quality=90)
print(sorted(p.name for p in PATH.iterdir()))

sample_image = tf.io.read_file(str(PATH / 'train/1.jpg'))
sample_image = tf.io.decode_jpeg(sample_image)
print(sample_image.shape, sample_image.dtype)
print(int(tf.reduce_sum(tf.cast(sample_image, tf.int64))))

def load(image_file):
  # Read and decode an image file to a uint8 tensor
  image = tf.io.read_file(image_file)
  image = tf.io.decode_jpeg(image)

  # Split each image tensor into two tensors:
  w = tf.shape(image)[1]
  w = w // 2
  input_image = image[:, w:, :]
  real_image = image[:, :w, :]

  # Convert both images to float32 tensors
  input_image = tf.cast(input_image, tf.float32)
  real_image = tf.cast(real_image, tf.float32)

  return input_image, real_image

inp, re = load(str(PATH / 'train/1.jpg'))
print(inp.shape, inp.dtype, re.shape, float(tf.reduce_sum(inp)), float(tf.reduce_sum(re)))
print(tf.shape(sample_image), tf.shape(sample_image)[1] // 2)

BUFFER_SIZE = 400
BATCH_SIZE = 1
IMG_WIDTH = 256
IMG_HEIGHT = 256

def resize(input_image, real_image, height, width):
  input_image = tf.image.resize(input_image, [height, width],
                                method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)
  real_image = tf.image.resize(real_image, [height, width],
                               method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)

  return input_image, real_image

def random_crop(input_image, real_image):
  stacked_image = tf.stack([input_image, real_image], axis=0)
  cropped_image = tf.image.random_crop(
      stacked_image, size=[2, IMG_HEIGHT, IMG_WIDTH, 3])

  return cropped_image[0], cropped_image[1]

# Normalizing the images to [-1, 1]
def normalize(input_image, real_image):
  input_image = (input_image / 127.5) - 1
  real_image = (real_image / 127.5) - 1

  return input_image, real_image

@tf.function()
def random_jitter(input_image, real_image):
  # Resizing to 286x286
  input_image, real_image = resize(input_image, real_image, 286, 286)

  # Random cropping back to 256x256
  input_image, real_image = random_crop(input_image, real_image)

  if tf.random.uniform(()) > 0.5:
    # Random mirroring
    input_image = tf.image.flip_left_right(input_image)
    real_image = tf.image.flip_left_right(real_image)

  return input_image, real_image

big_inp, big_re = resize(inp, re, 286, 286)
print(big_inp.shape, big_inp.dtype, float(tf.reduce_sum(big_inp)), float(tf.reduce_sum(big_re)))
print(resize(tf.reshape(tf.range(12, dtype=tf.float32), [3, 4, 1]), tf.zeros([3, 4, 1]), 5, 6)[0][..., 0])
stacked = tf.stack([inp, re], axis=0)
print(stacked.shape, stacked.dtype)
print(tf.image.flip_left_right(tf.reshape(tf.range(6), [1, 3, 2])))
for i in range(4):
  rj_inp, rj_re = random_jitter(inp, re)
  # the crop window and the mirroring are the same for both halves: pixel sums of a
  # crop lie between the smallest and largest of the 286x286 picture's
  print(rj_inp.shape, rj_re.shape, rj_inp.dtype,
        bool(tf.reduce_min(rj_inp) >= tf.reduce_min(big_inp)), bool(tf.reduce_max(rj_re) <= tf.reduce_max(big_re)))

def load_image_train(image_file):
  input_image, real_image = load(image_file)
  input_image, real_image = random_jitter(input_image, real_image)
  input_image, real_image = normalize(input_image, real_image)

  return input_image, real_image

def load_image_test(image_file):
  input_image, real_image = load(image_file)
  input_image, real_image = resize(input_image, real_image,
                                   IMG_HEIGHT, IMG_WIDTH)
  input_image, real_image = normalize(input_image, real_image)

  return input_image, real_image

train_dataset = tf.data.Dataset.list_files(str(PATH / 'train/*.jpg'))
print(train_dataset.element_spec, int(train_dataset.cardinality()))
print(sorted(os.path.basename(f.numpy().decode()) for f in train_dataset))
train_dataset = train_dataset.map(load_image_train,
                                  num_parallel_calls=tf.data.AUTOTUNE)
train_dataset = train_dataset.shuffle(BUFFER_SIZE)
train_dataset = train_dataset.batch(BATCH_SIZE)
print(train_dataset.element_spec)

try:
  test_dataset = tf.data.Dataset.list_files(str(PATH / 'test/*.jpg'))
except tf.errors.InvalidArgumentError:
  test_dataset = tf.data.Dataset.list_files(str(PATH / 'val/*.jpg'))
test_dataset = test_dataset.map(load_image_test)
test_dataset = test_dataset.batch(BATCH_SIZE)
print(test_dataset.element_spec)
try:
  tf.data.Dataset.list_files(str(PATH / 'val/*.jpg'))
except tf.errors.InvalidArgumentError as e:
  print('InvalidArgumentError', str(e).split('\n')[0][:60])

OUTPUT_CHANNELS = 3
# the tutorial's widths (54M weights) divided by S: the 256x256 pictures and every layer kept
S = 16

def downsample(filters, size, apply_batchnorm=True):
  initializer = tf.random_normal_initializer(0., 0.02)

  result = tf.keras.Sequential()
  result.add(
      tf.keras.layers.Conv2D(filters, size, strides=2, padding='same',
                             kernel_initializer=initializer, use_bias=False))

  if apply_batchnorm:
    result.add(tf.keras.layers.BatchNormalization())

  result.add(tf.keras.layers.LeakyReLU())

  return result

down_model = downsample(3, 4)
down_result = down_model(tf.expand_dims(inp, 0))
print (down_result.shape)

def upsample(filters, size, apply_dropout=False):
  initializer = tf.random_normal_initializer(0., 0.02)

  result = tf.keras.Sequential()
  result.add(
    tf.keras.layers.Conv2DTranspose(filters, size, strides=2,
                                    padding='same',
                                    kernel_initializer=initializer,
                                    use_bias=False))

  result.add(tf.keras.layers.BatchNormalization())

  if apply_dropout:
      result.add(tf.keras.layers.Dropout(0.5))

  result.add(tf.keras.layers.ReLU())

  return result

up_model = upsample(3, 4)
up_result = up_model(down_result)
print (up_result.shape)
print(down_model.layers[0].kernel.shape, up_model.layers[0].kernel.shape, [type(l).__name__ for l in down_model.layers])
init = tf.random_normal_initializer(0., 0.02)
print(type(init).__name__, init.get_config())

def Generator():
  inputs = tf.keras.layers.Input(shape=[256, 256, 3])

  down_stack = [
    downsample(64 // S, 4, apply_batchnorm=False),  # (batch_size, 128, 128, 64)
    downsample(128 // S, 4),  # (batch_size, 64, 64, 128)
    downsample(256 // S, 4),  # (batch_size, 32, 32, 256)
    downsample(512 // S, 4),  # (batch_size, 16, 16, 512)
    downsample(512 // S, 4),  # (batch_size, 8, 8, 512)
    downsample(512 // S, 4),  # (batch_size, 4, 4, 512)
    downsample(512 // S, 4),  # (batch_size, 2, 2, 512)
    downsample(512 // S, 4),  # (batch_size, 1, 1, 512)
  ]

  up_stack = [
    upsample(512 // S, 4, apply_dropout=True),  # (batch_size, 2, 2, 1024)
    upsample(512 // S, 4, apply_dropout=True),  # (batch_size, 4, 4, 1024)
    upsample(512 // S, 4, apply_dropout=True),  # (batch_size, 8, 8, 1024)
    upsample(512 // S, 4),  # (batch_size, 16, 16, 1024)
    upsample(256 // S, 4),  # (batch_size, 32, 32, 512)
    upsample(128 // S, 4),  # (batch_size, 64, 64, 256)
    upsample(64 // S, 4),  # (batch_size, 128, 128, 128)
  ]

  initializer = tf.random_normal_initializer(0., 0.02)
  last = tf.keras.layers.Conv2DTranspose(OUTPUT_CHANNELS, 4,
                                         strides=2,
                                         padding='same',
                                         kernel_initializer=initializer,
                                         activation='tanh')  # (batch_size, 256, 256, 3)

  x = inputs

  # Downsampling through the model
  skips = []
  for down in down_stack:
    x = down(x)
    skips.append(x)

  skips = reversed(skips[:-1])

  # Upsampling and establishing the skip connections
  for up, skip in zip(up_stack, skips):
    x = up(x)
    x = tf.keras.layers.Concatenate()([x, skip])

  x = last(x)

  return tf.keras.Model(inputs=inputs, outputs=x)

generator = Generator()
generator.summary()

gen_output = generator(inp[tf.newaxis, ...], training=False)
print(gen_output.shape, gen_output.dtype)

LAMBDA = 100
loss_object = tf.keras.losses.BinaryCrossentropy(from_logits=True)

def generator_loss(disc_generated_output, gen_output, target):
  gan_loss = loss_object(tf.ones_like(disc_generated_output), disc_generated_output)

  # Mean absolute error
  l1_loss = tf.reduce_mean(tf.abs(target - gen_output))

  total_gen_loss = gan_loss + (LAMBDA * l1_loss)

  return total_gen_loss, gan_loss, l1_loss

def Discriminator():
  initializer = tf.random_normal_initializer(0., 0.02)

  inp = tf.keras.layers.Input(shape=[256, 256, 3], name='input_image')
  tar = tf.keras.layers.Input(shape=[256, 256, 3], name='target_image')

  x = tf.keras.layers.concatenate([inp, tar])  # (batch_size, 256, 256, channels*2)

  down1 = downsample(64 // S, 4, False)(x)  # (batch_size, 128, 128, 64)
  down2 = downsample(128 // S, 4)(down1)  # (batch_size, 64, 64, 128)
  down3 = downsample(256 // S, 4)(down2)  # (batch_size, 32, 32, 256)

  zero_pad1 = tf.keras.layers.ZeroPadding2D()(down3)  # (batch_size, 34, 34, 256)
  conv = tf.keras.layers.Conv2D(512 // S, 4, strides=1,
                                kernel_initializer=initializer,
                                use_bias=False)(zero_pad1)  # (batch_size, 31, 31, 512)

  batchnorm1 = tf.keras.layers.BatchNormalization()(conv)

  leaky_relu = tf.keras.layers.LeakyReLU()(batchnorm1)

  zero_pad2 = tf.keras.layers.ZeroPadding2D()(leaky_relu)  # (batch_size, 33, 33, 512)

  last = tf.keras.layers.Conv2D(1, 4, strides=1,
                                kernel_initializer=initializer)(zero_pad2)  # (batch_size, 30, 30, 1)

  return tf.keras.Model(inputs=[inp, tar], outputs=last)

discriminator = Discriminator()
discriminator.summary()

disc_out = discriminator([inp[tf.newaxis, ...], gen_output], training=False)
print(disc_out.shape, disc_out[0, ..., -1].shape)

def discriminator_loss(disc_real_output, disc_generated_output):
  real_loss = loss_object(tf.ones_like(disc_real_output), disc_real_output)

  generated_loss = loss_object(tf.zeros_like(disc_generated_output), disc_generated_output)

  total_disc_loss = real_loss + generated_loss

  return total_disc_loss

generator_optimizer = tf.keras.optimizers.Adam(2e-4, beta_1=0.5)
discriminator_optimizer = tf.keras.optimizers.Adam(2e-4, beta_1=0.5)

checkpoint_dir = './training_checkpoints'
checkpoint_prefix = os.path.join(checkpoint_dir, "ckpt")
checkpoint = tf.train.Checkpoint(generator_optimizer=generator_optimizer,
                                 discriminator_optimizer=discriminator_optimizer,
                                 generator=generator,
                                 discriminator=discriminator)

def generate_images(model, test_input, tar):
  prediction = model(test_input, training=True)
  display_list = [test_input[0], tar[0], prediction[0]]
  title = ['Input Image', 'Ground Truth', 'Predicted Image']
  for i in range(3):
    # Getting the pixel values in the [0, 1] range to plot.
    shown = display_list[i] * 0.5 + 0.5
    print(title[i], shown.shape, shown.dtype)

for example_input, example_target in test_dataset.take(1):
  generate_images(generator, example_input, example_target)

# fixed stand-in weights, the same in both libraries: losses and gradients of one pair
fixed = np.random.default_rng(3)
def stand_in(v):
  if 'moving_mean' in v.path or 'beta' in v.path or 'bias' in v.path:
    return np.zeros(v.shape, 'float32')
  if 'variance' in v.path or 'gamma' in v.path:
    return np.ones(v.shape, 'float32')
  return fixed.normal(0.0, 0.02, v.shape).astype('float32')
generator.set_weights([stand_in(v) for v in generator.weights])
discriminator.set_weights([stand_in(v) for v in discriminator.weights])
example_input, example_target = [t[tf.newaxis] for t in load_image_test(str(PATH / 'test/1.jpg'))]
with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
  gen_output = generator(example_input, training=False)
  disc_real_output = discriminator([example_input, example_target], training=True)
  disc_generated_output = discriminator([example_input, gen_output], training=True)
  gen_total_loss, gen_gan_loss, gen_l1_loss = generator_loss(disc_generated_output, gen_output, example_target)
  disc_loss = discriminator_loss(disc_real_output, disc_generated_output)
print(np.round([float(tf.reduce_mean(gen_output)), float(tf.math.reduce_std(gen_output)),
                float(tf.reduce_mean(disc_real_output)), float(tf.reduce_mean(disc_generated_output))], 5))
print(np.round([float(gen_total_loss), float(gen_gan_loss), float(gen_l1_loss), float(disc_loss)], 4))
generator_gradients = gen_tape.gradient(gen_total_loss, generator.trainable_variables)
discriminator_gradients = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
print(len(generator_gradients), len(discriminator_gradients))
print([round(float(tf.norm(g)), 3) for g in generator_gradients[:3] + generator_gradients[-3:]])
print([round(float(tf.norm(g)), 3) for g in discriminator_gradients[:3] + discriminator_gradients[-3:]])

log_dir = "logs/"
summary_writer = tf.summary.create_file_writer(
  log_dir + "fit/" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))

@tf.function
def train_step(input_image, target, step):
  with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
    gen_output = generator(input_image, training=True)

    disc_real_output = discriminator([input_image, target], training=True)
    disc_generated_output = discriminator([input_image, gen_output], training=True)

    gen_total_loss, gen_gan_loss, gen_l1_loss = generator_loss(disc_generated_output, gen_output, target)
    disc_loss = discriminator_loss(disc_real_output, disc_generated_output)

  generator_gradients = gen_tape.gradient(gen_total_loss,
                                          generator.trainable_variables)
  discriminator_gradients = disc_tape.gradient(disc_loss,
                                               discriminator.trainable_variables)

  generator_optimizer.apply_gradients(zip(generator_gradients,
                                          generator.trainable_variables))
  discriminator_optimizer.apply_gradients(zip(discriminator_gradients,
                                              discriminator.trainable_variables))

  with summary_writer.as_default():
    tf.summary.scalar('gen_total_loss', gen_total_loss, step=step//1000)
    tf.summary.scalar('gen_gan_loss', gen_gan_loss, step=step//1000)
    tf.summary.scalar('gen_l1_loss', gen_l1_loss, step=step//1000)
    tf.summary.scalar('disc_loss', disc_loss, step=step//1000)

def fit(train_ds, test_ds, steps):
  example_input, example_target = next(iter(test_ds.take(1)))
  start = time.time()

  for step, (input_image, target) in train_ds.repeat().take(steps).enumerate():
    if (step) % 1000 == 0:
      if step != 0:
        print(f'Time taken for 1000 steps: {time.time()-start:.2f} sec\n')

      start = time.time()

      generate_images(generator, example_input, example_target)
      print(f"Step: {step//1000}k")

    train_step(input_image, target, step)

    # Training step
    if (step+1) % 10 == 0:
      print('.', end='', flush=True)

    # Save (checkpoint) the model every 5k steps
    if (step + 1) % 5000 == 0:
      checkpoint.save(file_prefix=checkpoint_prefix)

fit(train_dataset, test_dataset, steps=2)
print()
print(int(generator_optimizer.iterations), int(discriminator_optimizer.iterations))
print(len(os.listdir(log_dir + "fit/")), len(os.listdir(os.path.join(log_dir + "fit/", os.listdir(log_dir + "fit/")[0]))))

kernel = generator.layers[1].layers[0].kernel
saved = kernel.numpy().copy()
path = checkpoint.save(file_prefix=checkpoint_prefix)
print(os.path.relpath(path), sorted(os.listdir(checkpoint_dir)))
kernel.assign(tf.zeros_like(kernel))
status = checkpoint.restore(tf.train.latest_checkpoint(checkpoint_dir))
print(tf.train.latest_checkpoint(checkpoint_dir) == path, bool(np.array_equal(kernel.numpy(), saved)))
status.assert_consumed()

for inp, tar in test_dataset.take(5):
  generate_images(generator, inp, tar)
'''

# what TF 2.21 / Keras 3.15 printed for GUIDE (import tensorflow as tf), line by line
TF_OUTPUT = [
    "['test', 'train']",
    "(256, 512, 3) <dtype: 'uint8'>",
    '35270490',
    "(256, 256, 3) <dtype: 'float32'> (256, 256, 3) 14739721.0 20530768.0",
    'tf.Tensor([256 512   3], shape=(3,), dtype=int32) tf.Tensor(256, shape=(), dtype=int32)',
    "(286, 286, 3) <dtype: 'float32'> 18412968.0 25620464.0",
    'tf.Tensor(',
    '[[ 0.  1.  1.  2.  3.  3.]',
    ' [ 0.  1.  1.  2.  3.  3.]',
    ' [ 4.  5.  5.  6.  7.  7.]',
    ' [ 8.  9.  9. 10. 11. 11.]',
    ' [ 8.  9.  9. 10. 11. 11.]], shape=(5, 6), dtype=float32)',
    "(2, 256, 256, 3) <dtype: 'float32'>",
    'tf.Tensor(',
    '[[[4 5]',
    '  [2 3]',
    '  [0 1]]], shape=(1, 3, 2), dtype=int32)',
    "(256, 256, 3) (256, 256, 3) <dtype: 'float32'> True True",
    "(256, 256, 3) (256, 256, 3) <dtype: 'float32'> True True",
    "(256, 256, 3) (256, 256, 3) <dtype: 'float32'> True True",
    "(256, 256, 3) (256, 256, 3) <dtype: 'float32'> True True",
    'TensorSpec(shape=(), dtype=tf.string, name=None) 4',
    "['1.jpg', '2.jpg', '3.jpg', '4.jpg']",
    '(TensorSpec(shape=(None, 256, 256, 3), dtype=tf.float32, name=None), TensorSpec(shape=(None, 256, 256, 3), dtype=tf.float32, name=None))',
    '(TensorSpec(shape=(None, 256, 256, None), dtype=tf.float32, name=None), TensorSpec(shape=(None, 256, 256, None), dtype=tf.float32, name=None))',
    "InvalidArgumentError Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true",
    '(1, 128, 128, 3)',
    '(1, 256, 256, 3)',
    "(4, 4, 3, 3) (4, 4, 3, 3) ['Conv2D', 'BatchNormalization', 'LeakyReLU']",
    "RandomNormal {'mean': 0.0, 'stddev': 0.02, 'seed': None}",
    'Model: "functional_17"',
    '┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩',
    '│ input_layer_2       │ (None, 256, 256,  │          0 │ -                 │',
    '│ (InputLayer)        │ 3)                │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_2        │ (None, 128, 128,  │        192 │ input_layer_2[0]… │',
    '│ (Sequential)        │ 4)                │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_3        │ (None, 64, 64, 8) │        544 │ sequential_2[0][… │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_4        │ (None, 32, 32,    │      2,112 │ sequential_3[0][… │',
    '│ (Sequential)        │ 16)               │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_5        │ (None, 16, 16,    │      8,320 │ sequential_4[0][… │',
    '│ (Sequential)        │ 32)               │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_6        │ (None, 8, 8, 32)  │     16,512 │ sequential_5[0][… │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_7        │ (None, 4, 4, 32)  │     16,512 │ sequential_6[0][… │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_8        │ (None, 2, 2, 32)  │     16,512 │ sequential_7[0][… │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_9        │ (None, 1, 1, 32)  │     16,512 │ sequential_8[0][… │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_10       │ (None, 2, 2, 32)  │     16,512 │ sequential_9[0][… │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ concatenate         │ (None, 2, 2, 64)  │          0 │ sequential_10[0]… │',
    '│ (Concatenate)       │                   │            │ sequential_8[0][… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_11       │ (None, 4, 4, 32)  │     32,896 │ concatenate[0][0] │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ concatenate_1       │ (None, 4, 4, 64)  │          0 │ sequential_11[0]… │',
    '│ (Concatenate)       │                   │            │ sequential_7[0][… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_12       │ (None, 8, 8, 32)  │     32,896 │ concatenate_1[0]… │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ concatenate_2       │ (None, 8, 8, 64)  │          0 │ sequential_12[0]… │',
    '│ (Concatenate)       │                   │            │ sequential_6[0][… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_13       │ (None, 16, 16,    │     32,896 │ concatenate_2[0]… │',
    '│ (Sequential)        │ 32)               │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ concatenate_3       │ (None, 16, 16,    │          0 │ sequential_13[0]… │',
    '│ (Concatenate)       │ 64)               │            │ sequential_5[0][… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_14       │ (None, 32, 32,    │     16,448 │ concatenate_3[0]… │',
    '│ (Sequential)        │ 16)               │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ concatenate_4       │ (None, 32, 32,    │          0 │ sequential_14[0]… │',
    '│ (Concatenate)       │ 32)               │            │ sequential_4[0][… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_15       │ (None, 64, 64, 8) │      4,128 │ concatenate_4[0]… │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ concatenate_5       │ (None, 64, 64,    │          0 │ sequential_15[0]… │',
    '│ (Concatenate)       │ 16)               │            │ sequential_3[0][… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_16       │ (None, 128, 128,  │      1,040 │ concatenate_5[0]… │',
    '│ (Sequential)        │ 4)                │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ concatenate_6       │ (None, 128, 128,  │          0 │ sequential_16[0]… │',
    '│ (Concatenate)       │ 8)                │            │ sequential_2[0][… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv2d_transpose_8  │ (None, 256, 256,  │        387 │ concatenate_6[0]… │',
    '│ (Conv2DTranspose)   │ 3)                │            │                   │',
    '└─────────────────────┴───────────────────┴────────────┴───────────────────┘',
    ' Total params: 214,419 (837.57 KB)',
    ' Trainable params: 213,739 (834.92 KB)',
    ' Non-trainable params: 680 (2.66 KB)',
    "(1, 256, 256, 3) <dtype: 'float32'>",
    'Model: "functional_21"',
    '┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩',
    '│ input_image         │ (None, 256, 256,  │          0 │ -                 │',
    '│ (InputLayer)        │ 3)                │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ target_image        │ (None, 256, 256,  │          0 │ -                 │',
    '│ (InputLayer)        │ 3)                │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ concatenate_7       │ (None, 256, 256,  │          0 │ input_image[0][0… │',
    '│ (Concatenate)       │ 6)                │            │ target_image[0][… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_17       │ (None, 128, 128,  │        384 │ concatenate_7[0]… │',
    '│ (Sequential)        │ 4)                │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_18       │ (None, 64, 64, 8) │        544 │ sequential_17[0]… │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_19       │ (None, 32, 32,    │      2,112 │ sequential_18[0]… │',
    '│ (Sequential)        │ 16)               │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ zero_padding2d      │ (None, 34, 34,    │          0 │ sequential_19[0]… │',
    '│ (ZeroPadding2D)     │ 16)               │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv2d_12 (Conv2D)  │ (None, 31, 31,    │      8,192 │ zero_padding2d[0… │',
    '│                     │ 32)               │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ batch_normalizatio… │ (None, 31, 31,    │        128 │ conv2d_12[0][0]   │',
    '│ (BatchNormalizatio… │ 32)               │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ leaky_re_lu_12      │ (None, 31, 31,    │          0 │ batch_normalizat… │',
    '│ (LeakyReLU)         │ 32)               │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ zero_padding2d_1    │ (None, 33, 33,    │          0 │ leaky_re_lu_12[0… │',
    '│ (ZeroPadding2D)     │ 32)               │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv2d_13 (Conv2D)  │ (None, 30, 30, 1) │        513 │ zero_padding2d_1… │',
    '└─────────────────────┴───────────────────┴────────────┴───────────────────┘',
    ' Total params: 11,873 (46.38 KB)',
    ' Trainable params: 11,761 (45.94 KB)',
    ' Non-trainable params: 112 (448.00 B)',
    '(1, 30, 30, 1) (30, 30)',
    "Input Image (256, 256, 3) <dtype: 'float32'>",
    "Ground Truth (256, 256, 3) <dtype: 'float32'>",
    "Predicted Image (256, 256, 3) <dtype: 'float32'>",
    '[ 0.00055  0.00242 -0.25885 -0.25852]',
    '[44.5651  0.8359  0.4373  1.4139]',
    '45 12',
    '[1.202, 0.011, 0.0, 0.657, 1.396, 20.575]',
    '[0.317, 0.331, 0.009, 0.043, 0.809, 0.127]',
    "Input Image (256, 256, 3) <dtype: 'float32'>",
    "Ground Truth (256, 256, 3) <dtype: 'float32'>",
    "Predicted Image (256, 256, 3) <dtype: 'float32'>",
    'Step: 0k',
    '',
    '2 2',
    '1 1',
    "training_checkpoints/ckpt-1 ['checkpoint', 'ckpt-1.data-00000-of-00001', 'ckpt-1.index']",
    'True True',
    "Input Image (256, 256, 3) <dtype: 'float32'>",
    "Ground Truth (256, 256, 3) <dtype: 'float32'>",
    "Predicted Image (256, 256, 3) <dtype: 'float32'>",
    "Input Image (256, 256, 3) <dtype: 'float32'>",
    "Ground Truth (256, 256, 3) <dtype: 'float32'>",
    "Predicted Image (256, 256, 3) <dtype: 'float32'>",
    '',
]

NUMERIC = (156, 157, 159, 160)


def test_pix2pix_prints_what_tensorflow_printed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with np.printoptions(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                         floatmode="maxprec", sign="-", legacy=False):
        assert_guide_prints(GUIDE, "pix2pix", TF_OUTPUT, numeric=NUMERIC)


def test_list_files_without_a_match_raises_tensorflows_error(tmp_path):
    """The tutorial's ``except tf.errors.InvalidArgumentError`` (a test/ folder or else val/): TensorFlow's
    error, a ValueError too, naming the pattern."""
    import pytest
    import glassnet as tf
    with pytest.raises(tf.errors.InvalidArgumentError, match="No files matched pattern: .*nothing/\\*.jpg"):
        tf.data.Dataset.list_files(str(tmp_path / "nothing" / "*.jpg"))
    assert issubclass(tf.errors.InvalidArgumentError, ValueError)


def test_random_normal_initializer_config_in_tensorflows_order():
    """tf.random_normal_initializer / tf.random_uniform_initializer (TensorFlow's init_ops_v2 classes): the
    seed last in get_config, as TensorFlow prints it; the Keras classes keep Keras's order."""
    import glassnet as tf
    assert list(tf.random_normal_initializer(0., 0.02).get_config()) == ["mean", "stddev", "seed"]
    assert list(tf.random_uniform_initializer(seed=3).get_config().items()) == [("minval", -0.05), ("maxval", 0.05),
                                                                               ("seed", 3)]
    assert list(tf.keras.initializers.RandomNormal().get_config())[0] == "seed"
