"""TensorFlow's tutorial "Image segmentation" (tutorials/images/segmentation) run with
``import glassnet as tf``: what it prints must be what TensorFlow 2.21 printed for the same code
(recorded under TF 2.21 / Keras 3.15). Stand-ins: a few drawn pets (uint8 pictures, masks 1..3) in
tfds's dict layout for ``tfds.load('oxford_iiit_pet')``; ``MobileNetV2(weights=None)`` for the
ImageNet weights (a download); ``pix2pix.upsample`` from tensorflow_examples (not installed) written
out (Conv2DTranspose + BatchNormalization + ReLU, its few lines); plotting left out; fewer pictures,
steps and epochs. The multi-output ``down_stack`` called on an Input, the U-Net summary, the same-seed
flips of picture and mask, class_weight on per-pixel labels (Keras 3.15 trains: the tutorial's
``assert False`` is reached), ``Reduction.NONE``, per-pixel sample weights from ``tf.gather``, and,
with fixed stand-in weights on both sides, the weighted and unweighted losses of the same batch.
(The tutorial's loss call on Python lists raises in Keras 3.15; arrays here.)"""

import numpy as np
from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import tensorflow as tf

# tfds.load('oxford_iiit_pet') downloads: a few drawn pets (uint8 images, masks 1..3) stand in
rng = np.random.default_rng(0)
def pets(n):
  yy, xx = np.mgrid[0:50, 0:60]
  images, masks = [], []
  for i in range(n):
    inside = (yy - 25) ** 2 + (xx - 20 - i) ** 2 < (10 + i) ** 2
    border = ((yy - 25) ** 2 + (xx - 20 - i) ** 2 < (13 + i) ** 2) & ~inside
    images.append(np.stack([inside * 200 + rng.integers(0, 40, (50, 60)), border * 150 + xx, yy * 3], -1).astype(np.uint8))
    masks.append((np.where(inside, 1, np.where(border, 3, 2))[..., None]).astype(np.uint8))
  return tf.data.Dataset.from_tensor_slices({'image': np.array(images), 'segmentation_mask': np.array(masks)})
dataset = {'train': pets(8), 'test': pets(6)}
num_examples = {'train': 8, 'test': 6}

def normalize(input_image, input_mask):
  input_image = tf.cast(input_image, tf.float32) / 255.0
  input_mask -= 1
  return input_image, input_mask

def load_image(datapoint):
  input_image = tf.image.resize(datapoint['image'], (128, 128))
  input_mask = tf.image.resize(
    datapoint['segmentation_mask'],
    (128, 128),
    method = tf.image.ResizeMethod.NEAREST_NEIGHBOR,
  )
  input_image, input_mask = normalize(input_image, input_mask)
  return input_image, input_mask

TRAIN_LENGTH = num_examples['train']
BATCH_SIZE = 4
BUFFER_SIZE = 1000
STEPS_PER_EPOCH = TRAIN_LENGTH // BATCH_SIZE

train_images = dataset['train'].map(load_image, num_parallel_calls=tf.data.AUTOTUNE)
test_images = dataset['test'].map(load_image, num_parallel_calls=tf.data.AUTOTUNE)
print(train_images.element_spec)
image0, mask0 = next(iter(test_images))
print(image0.dtype, mask0.dtype, float(tf.reduce_sum(image0)), np.unique(mask0.numpy(), return_counts=True))
m = tf.image.resize(tf.constant(np.arange(12, dtype=np.uint8).reshape(3, 4, 1)), (5, 6), method='nearest')
print(m.dtype, m[..., 0].numpy())

class Augment(tf.keras.layers.Layer):
  def __init__(self, seed=42):
    super().__init__()
    # both use the same seed, so they'll make the same random changes.
    self.augment_inputs = tf.keras.layers.RandomFlip(mode="horizontal", seed=seed)
    self.augment_labels = tf.keras.layers.RandomFlip(mode="horizontal", seed=seed)

  def call(self, inputs, labels):
    inputs = self.augment_inputs(inputs)
    labels = self.augment_labels(labels)
    return inputs, labels

train_batches = (
    train_images
    .cache()
    .shuffle(BUFFER_SIZE)
    .batch(BATCH_SIZE)
    .repeat()
    .map(Augment())
    .prefetch(buffer_size=tf.data.AUTOTUNE))

test_batches = test_images.batch(BATCH_SIZE)
print(train_batches.element_spec)
print(test_batches)

for images, masks in train_batches.take(2):
  sample_image, sample_mask = images[0], masks[0]
  print(sample_image.shape, sample_mask.shape, sample_mask.dtype)
  # the same flip on picture and mask: the pet's pixels stay under its label
  print(bool(tf.reduce_all((images[..., 0] > 0.7) == tf.equal(masks[..., 0], 0))))

# weights='imagenet' (the default) downloads: weights=None stands in
base_model = tf.keras.applications.MobileNetV2(input_shape=[128, 128, 3], include_top=False, weights=None)

# Use the activations of these layers
layer_names = [
    'block_1_expand_relu',   # 64x64
    'block_3_expand_relu',   # 32x32
    'block_6_expand_relu',   # 16x16
    'block_13_expand_relu',  # 8x8
    'block_16_project',      # 4x4
]
base_model_outputs = [base_model.get_layer(name).output for name in layer_names]
print([o.shape for o in base_model_outputs])

# Create the feature extraction model
down_stack = tf.keras.Model(inputs=base_model.input, outputs=base_model_outputs)
down_stack.trainable = False
print(down_stack.name, len(down_stack.layers), len(down_stack.non_trainable_weights))

# tensorflow_examples (pix2pix.upsample) is not installed: its few lines
def upsample(filters, size):
  initializer = tf.random_normal_initializer(0., 0.02)
  result = tf.keras.Sequential()
  result.add(
    tf.keras.layers.Conv2DTranspose(filters, size, strides=2,
                                    padding='same',
                                    kernel_initializer=initializer,
                                    use_bias=False))
  result.add(tf.keras.layers.BatchNormalization())
  result.add(tf.keras.layers.ReLU())
  return result

up_stack = [
    upsample(512, 3),  # 4x4 -> 8x8
    upsample(256, 3),  # 8x8 -> 16x16
    upsample(128, 3),  # 16x16 -> 32x32
    upsample(64, 3),   # 32x32 -> 64x64
]

def unet_model(output_channels:int):
  inputs = tf.keras.layers.Input(shape=[128, 128, 3])

  # Downsampling through the model
  skips = down_stack(inputs)
  x = skips[-1]
  skips = reversed(skips[:-1])

  # Upsampling and establishing the skip connections
  for up, skip in zip(up_stack, skips):
    x = up(x)
    concat = tf.keras.layers.Concatenate()
    x = concat([x, skip])

  # This is the last layer of the model
  last = tf.keras.layers.Conv2DTranspose(
      filters=output_channels, kernel_size=3, strides=2,
      padding='same')  #64x64 -> 128x128

  x = last(x)

  return tf.keras.Model(inputs=inputs, outputs=x)

OUTPUT_CLASSES = 3

model = unet_model(output_channels=OUTPUT_CLASSES)
model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])
model.summary()

def create_mask(pred_mask):
  pred_mask = tf.math.argmax(pred_mask, axis=-1)
  pred_mask = pred_mask[..., tf.newaxis]
  return pred_mask[0]

def show_predictions(dataset=None, num=1):
  if dataset:
    for image, mask in dataset.take(num):
      pred_mask = model.predict(image, verbose=0)
      print(image[0].shape, mask[0].shape, create_mask(pred_mask).shape, create_mask(pred_mask).dtype)
  else:
    pred = create_mask(model.predict(sample_image[tf.newaxis, ...], verbose=0))
    print(sample_image.shape, sample_mask.shape, pred.shape, pred.dtype)

show_predictions()
print(create_mask(tf.constant([[[[0.1, 0.5, 0.2], [3., 1., 2.]], [[0., 0., 1.], [1., 4., 4.]]]])))

class DisplayCallback(tf.keras.callbacks.Callback):
  def on_epoch_end(self, epoch, logs=None):
    show_predictions()
    print ('\nSample Prediction after epoch {}\n'.format(epoch+1))

EPOCHS = 2
VAL_SUBSPLITS = 1
VALIDATION_STEPS = num_examples['test']//BATCH_SIZE//VAL_SUBSPLITS

model_history = model.fit(train_batches, epochs=EPOCHS,
                          steps_per_epoch=STEPS_PER_EPOCH,
                          validation_steps=VALIDATION_STEPS,
                          validation_data=test_batches,
                          callbacks=[DisplayCallback()], verbose=0)

loss = model_history.history['loss']
val_loss = model_history.history['val_loss']
print(sorted(model_history.history), len(loss), len(val_loss), model_history.params)
show_predictions(test_batches, 2)

try:
  model_history = model.fit(train_batches, epochs=EPOCHS,
                            steps_per_epoch=STEPS_PER_EPOCH,
                            class_weight = {0:2.0, 1:2.0, 2:1.0}, verbose=0)
  assert False
except Exception as e:
  print(f"Expected {type(e).__name__}: {e}")

label = [0,0]
prediction = [[-3., 0], [-3, 0]]
sample_weight = [1, 10]

# (Keras 3.15 refuses Python lists here: "Structures don't have the same nested structure")
loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True,
                                               reduction=tf.keras.losses.Reduction.NONE)
print(loss(np.array(label), np.array(prediction, "float32"), np.array(sample_weight)).numpy())
loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction='none')
print(loss(np.array(label), np.array(prediction, "float32"), np.array(sample_weight)).numpy())

def add_sample_weights(image, label):
  # The weights for each class, with the constraint that:
  #     sum(class_weights) == 1.0
  class_weights = tf.constant([2.0, 2.0, 1.0])
  class_weights = class_weights/tf.reduce_sum(class_weights)

  # Create an image of `sample_weights` by using the label at each pixel as an
  # index into the `class weights` .
  sample_weights = tf.gather(class_weights, indices=tf.cast(label, tf.int32))

  return image, label, sample_weights

print(train_batches.map(add_sample_weights).element_spec)
print(add_sample_weights(None, tf.constant([[0], [2], [1]], tf.uint8))[2])

weighted_model = unet_model(OUTPUT_CLASSES)
weighted_model.compile(
    optimizer='adam',
    loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=['accuracy'])

h = weighted_model.fit(
    train_batches.map(add_sample_weights),
    epochs=1,
    steps_per_epoch=2, verbose=0)
print(sorted(h.history), h.params)

# fixed stand-in weights, the same in both libraries: the per-pixel weighted loss of one batch
fixed = np.random.default_rng(2)
def stand_in(v):
  if 'moving_mean' in v.path or 'beta' in v.path or 'bias' in v.path:
    return np.zeros(v.shape, 'float32')
  if 'variance' in v.path or 'gamma' in v.path:
    return np.ones(v.shape, 'float32')
  fan = np.prod(v.shape[:2]) * (1 if v.shape[-1] == 1 else v.shape[2])
  return fixed.normal(0.0, np.sqrt(1.0 / fan), v.shape).astype('float32')
weighted_model.set_weights([stand_in(v) for v in weighted_model.weights])
images, masks = next(iter(test_batches))
_, _, weights = add_sample_weights(images, masks)
print(np.round(weighted_model.evaluate(images, masks, verbose=0), 4))
print(np.round(weighted_model.evaluate(images, masks, sample_weight=weights, verbose=0), 4))
print(np.round(weighted_model.evaluate(test_batches.map(add_sample_weights), verbose=0), 4))
print(np.round(float(tf.reduce_mean(create_mask(weighted_model(images)))), 4))
'''

# what TF 2.21 / Keras 3.15 printed for GUIDE (import tensorflow as tf), line by line
TF_OUTPUT = r"""(TensorSpec(shape=(128, 128, 3), dtype=tf.float32, name=None), TensorSpec(shape=(128, 128, 1), dtype=tf.uint8, name=None))
<dtype: 'float32'> <dtype: 'uint8'> 9867.462890625 (array([0, 1, 2], dtype=uint8), array([ 1672, 13564,  1148]))
<dtype: 'uint8'> [[ 0  1  1  2  3  3]
 [ 0  1  1  2  3  3]
 [ 4  5  5  6  7  7]
 [ 8  9  9 10 11 11]
 [ 8  9  9 10 11 11]]
(TensorSpec(shape=(None, 128, 128, 3), dtype=tf.float32, name=None), TensorSpec(shape=(None, 128, 128, 1), dtype=tf.float32, name=None))
<_BatchDataset element_spec=(TensorSpec(shape=(None, 128, 128, 3), dtype=tf.float32, name=None), TensorSpec(shape=(None, 128, 128, 1), dtype=tf.uint8, name=None))>
(128, 128, 3) (128, 128, 1) <dtype: 'float32'>
False
(128, 128, 3) (128, 128, 1) <dtype: 'float32'>
False
[(None, 64, 64, 96), (None, 32, 32, 144), (None, 16, 16, 192), (None, 8, 8, 576), (None, 4, 4, 320)]
functional 150 251
Model: "functional_5"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ input_layer_1       │ (None, 128, 128,  │          0 │ -                 │
│ (InputLayer)        │ 3)                │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ functional          │ [(None, 64, 64,   │  1,841,984 │ input_layer_1[0]… │
│ (Functional)        │ 96), (None, 32,   │            │                   │
│                     │ 32, 144), (None,  │            │                   │
│                     │ 16, 16, 192),     │            │                   │
│                     │ (None, 8, 8,      │            │                   │
│                     │ 576), (None, 4,   │            │                   │
│                     │ 4, 320)]          │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ sequential          │ (None, 8, 8, 512) │  1,476,608 │ functional[0][4]  │
│ (Sequential)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 8, 8,      │          0 │ sequential[0][0], │
│ (Concatenate)       │ 1088)             │            │ functional[0][3]  │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ sequential_1        │ (None, 16, 16,    │  2,507,776 │ concatenate[0][0] │
│ (Sequential)        │ 256)              │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate_1       │ (None, 16, 16,    │          0 │ sequential_1[0][… │
│ (Concatenate)       │ 448)              │            │ functional[0][2]  │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ sequential_2        │ (None, 32, 32,    │    516,608 │ concatenate_1[0]… │
│ (Sequential)        │ 128)              │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate_2       │ (None, 32, 32,    │          0 │ sequential_2[0][… │
│ (Concatenate)       │ 272)              │            │ functional[0][1]  │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ sequential_3        │ (None, 64, 64,    │    156,928 │ concatenate_2[0]… │
│ (Sequential)        │ 64)               │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate_3       │ (None, 64, 64,    │          0 │ sequential_3[0][… │
│ (Concatenate)       │ 160)              │            │ functional[0][0]  │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ conv2d_transpose_4  │ (None, 128, 128,  │      4,323 │ concatenate_3[0]… │
│ (Conv2DTranspose)   │ 3)                │            │                   │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 6,504,227 (24.81 MB)
 Trainable params: 4,660,323 (17.78 MB)
 Non-trainable params: 1,843,904 (7.03 MB)
(128, 128, 3) (128, 128, 1) (128, 128, 1) <dtype: 'int64'>
tf.Tensor(
[[[1]
  [0]]

 [[2]
  [1]]], shape=(2, 2, 1), dtype=int64)
(128, 128, 3) (128, 128, 1) (128, 128, 1) <dtype: 'int64'>

Sample Prediction after epoch 1

(128, 128, 3) (128, 128, 1) (128, 128, 1) <dtype: 'int64'>

Sample Prediction after epoch 2

['accuracy', 'loss', 'val_accuracy', 'val_loss'] 2 2 {'verbose': 0, 'epochs': 2, 'steps': 2}
(128, 128, 3) (128, 128, 1) (128, 128, 1) <dtype: 'int64'>
(128, 128, 3) (128, 128, 1) (128, 128, 1) <dtype: 'int64'>
Expected AssertionError: 
[ 3.0485873 30.485874 ]
[ 3.0485873 30.485874 ]
(TensorSpec(shape=(None, 128, 128, 3), dtype=tf.float32, name=None), TensorSpec(shape=(None, 128, 128, 1), dtype=tf.float32, name=None), TensorSpec(shape=(None, 128, 128, 1), dtype=tf.float32, name=None))
tf.Tensor(
[[0.4]
 [0.2]
 [0.4]], shape=(3, 1), dtype=float32)
['accuracy', 'loss'] {'verbose': 0, 'epochs': 1, 'steps': 2}
[1.1348 0.3661]
[0.4354 0.3661]
[0.4373 0.3611]
1.0
""".split("\n")

NUMERIC = ()


def test_segmentation_prints_what_tensorflow_printed():
    with np.printoptions(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                         floatmode="maxprec", sign="-", legacy=False):
        assert_guide_prints(GUIDE, "segmentation", TF_OUTPUT, numeric=NUMERIC)


def test_a_model_of_several_outputs_as_a_layer_trains_by_its_gradients():
    """The down_stack pattern, small: a two-output model called on an Input, both outputs used;
    the tape's gradient of every weight matches central differences (float64)."""
    import glassnet as tf
    from conftest import central_difference
    tf.config.set_floatx("float64")
    try:
        rng = np.random.default_rng(0)
        i = tf.keras.Input((6,))
        a = tf.keras.layers.Dense(4, activation="tanh")(i)
        b = tf.keras.layers.Dense(3, activation="tanh")(a)
        inner = tf.keras.Model(i, [a, b])
        j = tf.keras.Input((6,))
        first, second = inner(j)
        out = tf.keras.layers.Dense(1)(tf.keras.layers.Concatenate()([first, second]))
        model = tf.keras.Model(j, out)
        assert [tuple(t.shape) for t in (first, second)] == [(None, 4), (None, 3)]
        x, y = rng.normal(size=(5, 6)), rng.normal(size=(5, 1))

        def loss():
            return tf.reduce_mean((model(x) - y) ** 2)
        with tf.GradientTape() as tape:
            value = loss()
        grads = tape.gradient(value, model.trainable_variables)
        assert len(grads) == 6
        for var, g in zip(model.trainable_variables, grads):
            def f(w, var=var):
                var.assign(w)
                return float(loss())
            w0 = var.numpy().copy()
            numeric = central_difference(f, w0)
            var.assign(w0)
            np.testing.assert_allclose(np.asarray(g), numeric, rtol=1e-6, atol=1e-8)
    finally:
        tf.config.set_floatx("float32")
