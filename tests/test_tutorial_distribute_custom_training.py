"""TensorFlow's tutorial "Custom training with tf.distribute.Strategy"
(site/en/tutorials/distribute/custom_training.ipynb), run renamed on one CPU replica with random
images in place of Fashion-MNIST: MirroredStrategy, experimental_distribute_dataset and its
element_spec, a loss with reduction='none' averaged by tf.nn.compute_average_loss plus
scale_regularization_loss, strategy.run / strategy.reduce(ReduceOp.SUM, axis=None) inside
tf.function, the loop over the distributed dataset, iter()/next(), a tf.function over the whole
epoch, tf.train.Checkpoint(optimizer, model).save every other epoch, and restoring it into a fresh
model with no input shape (its layers built from the checkpoint, as TF's deferred restoration).
The weights start from the same fixed values as TF's run, so the losses are TF's to float32's
last digits.
TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python).
"""

from conftest import assert_guide_prints

PROGRAM = """\
import os
import tempfile
import numpy as np
import tensorflow as tf
os.chdir(tempfile.mkdtemp())
rng = np.random.default_rng(0)                      # (Fashion-MNIST in the tutorial)
train_images = rng.integers(0, 256, (128, 28, 28)).astype("uint8")
train_labels = rng.integers(0, 10, 128).astype("uint8")
test_images = rng.integers(0, 256, (64, 28, 28)).astype("uint8")
test_labels = rng.integers(0, 10, 64).astype("uint8")
train_images = train_images[..., None]
test_images = test_images[..., None]
train_images = train_images / np.float32(255)
test_images = test_images / np.float32(255)
strategy = tf.distribute.MirroredStrategy()
print('Number of devices: {}'.format(strategy.num_replicas_in_sync))
BUFFER_SIZE = len(train_images)
BATCH_SIZE_PER_REPLICA = 32
GLOBAL_BATCH_SIZE = BATCH_SIZE_PER_REPLICA * strategy.num_replicas_in_sync
EPOCHS = 3
train_dataset = tf.data.Dataset.from_tensor_slices((train_images, train_labels)).batch(GLOBAL_BATCH_SIZE)
test_dataset = tf.data.Dataset.from_tensor_slices((test_images, test_labels)).batch(GLOBAL_BATCH_SIZE)
train_dist_dataset = strategy.experimental_distribute_dataset(train_dataset)
test_dist_dataset = strategy.experimental_distribute_dataset(test_dataset)
print(train_dist_dataset.element_spec)


def create_model():
    regularizer = tf.keras.regularizers.L2(1e-5)
    return tf.keras.Sequential([
        tf.keras.layers.Conv2D(4, 3, activation='relu', kernel_regularizer=regularizer),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(16, activation='relu', kernel_regularizer=regularizer),
        tf.keras.layers.Dense(10, kernel_regularizer=regularizer)])


def fixed_weights(model):                           # the same starting point as TF's run
    model(train_images[:1])
    w = np.random.default_rng(1)
    model.set_weights([w.normal(0, 0.1, v.shape).astype("float32") for v in model.get_weights()])


checkpoint_dir = './training_checkpoints'
checkpoint_prefix = os.path.join(checkpoint_dir, "ckpt")
with strategy.scope():
    loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction='none')

    def compute_loss(labels, predictions, model_losses):
        per_example_loss = loss_object(labels, predictions)
        loss = tf.nn.compute_average_loss(per_example_loss)
        if model_losses:
            loss += tf.nn.scale_regularization_loss(tf.add_n(model_losses))
        return loss
with strategy.scope():
    test_loss = tf.keras.metrics.Mean(name='test_loss')
    train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name='train_accuracy')
    test_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name='test_accuracy')
with strategy.scope():
    model = create_model()
    fixed_weights(model)
    optimizer = tf.keras.optimizers.Adam(learning_rate=0.001)
    checkpoint = tf.train.Checkpoint(optimizer=optimizer, model=model)


def train_step(inputs):
    images, labels = inputs
    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        loss = compute_loss(labels, predictions, model.losses)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    train_accuracy.update_state(labels, predictions)
    return loss


def test_step(inputs):
    images, labels = inputs
    predictions = model(images, training=False)
    t_loss = loss_object(labels, predictions)
    test_loss.update_state(t_loss)
    test_accuracy.update_state(labels, predictions)


@tf.function
def distributed_train_step(dataset_inputs):
    per_replica_losses = strategy.run(train_step, args=(dataset_inputs,))
    return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_losses, axis=None)


@tf.function
def distributed_test_step(dataset_inputs):
    return strategy.run(test_step, args=(dataset_inputs,))


for epoch in range(EPOCHS):
    total_loss = 0.0
    num_batches = 0
    for x in train_dist_dataset:
        total_loss += distributed_train_step(x)
        num_batches += 1
    train_loss = total_loss / num_batches
    for x in test_dist_dataset:
        distributed_test_step(x)
    if epoch % 2 == 0:
        print(checkpoint.save(checkpoint_prefix))
    template = ("Epoch {}, Loss: {}, Accuracy: {}, Test Loss: {}, Test Accuracy: {}")
    print(template.format(epoch + 1, train_loss, train_accuracy.result() * 100,
                          test_loss.result(), test_accuracy.result() * 100))
    test_loss.reset_state()
    train_accuracy.reset_state()
    test_accuracy.reset_state()
print(sorted(os.listdir(checkpoint_dir)))
print(tf.train.latest_checkpoint(checkpoint_dir))

eval_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name='eval_accuracy')
new_model = create_model()
new_optimizer = tf.keras.optimizers.Adam()


@tf.function
def eval_step(images, labels):
    predictions = new_model(images, training=False)
    eval_accuracy(labels, predictions)


checkpoint = tf.train.Checkpoint(optimizer=new_optimizer, model=new_model)
checkpoint.restore(tf.train.latest_checkpoint(checkpoint_dir)).expect_partial()
for images, labels in test_dataset:
    eval_step(images, labels)
print('Accuracy after restoring the saved model without strategy: {}'.format(eval_accuracy.result() * 100))

for _ in range(2):
    total_loss = 0.0
    num_batches = 0
    train_iter = iter(train_dist_dataset)
    for _ in range(3):
        total_loss += distributed_train_step(next(train_iter))
        num_batches += 1
    average_train_loss = total_loss / num_batches
    print("Epoch {}, Loss: {}, Accuracy: {}".format(epoch + 1, average_train_loss, train_accuracy.result() * 100))
    train_accuracy.reset_state()


@tf.function
def distributed_train_epoch(dataset):
    total_loss = 0.0
    num_batches = 0
    for x in dataset:
        per_replica_losses = strategy.run(train_step, args=(x,))
        total_loss += strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_losses, axis=None)
        num_batches += 1
    return total_loss / tf.cast(num_batches, dtype=tf.float32)


for epoch in range(2):
    train_loss = distributed_train_epoch(train_dist_dataset)
    print("Epoch {}, Loss: {}, Accuracy: {}".format(epoch + 1, train_loss, train_accuracy.result() * 100))
    train_accuracy.reset_state()
print(tf.nn.compute_average_loss(tf.constant([1., 2., 3., 4.]), global_batch_size=8))
print(tf.nn.compute_average_loss(tf.constant([1., 2., 3., 4.]), sample_weight=tf.constant([1., 0., 1., 0.])))
print(strategy.reduce("MEAN", tf.constant([1., 3.]), axis=0), strategy.reduce(tf.distribute.ReduceOp.SUM, tf.constant([[1., 3.]]), axis=1))
"""

TF_OUTPUT = [
    'Number of devices: 1',
    '(TensorSpec(shape=(None, 28, 28, 1), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.uint8, name=None))',
    './training_checkpoints/ckpt-1',
    'Epoch 1, Loss: 2.3111796379089355, Accuracy: 12.5, Test Loss: 2.3332788944244385, Test Accuracy: 7.8125',
    'Epoch 2, Loss: 2.304640293121338, Accuracy: 12.5, Test Loss: 2.3317618370056152, Test Accuracy: 7.8125',
    './training_checkpoints/ckpt-2',
    'Epoch 3, Loss: 2.3001766204833984, Accuracy: 12.5, Test Loss: 2.331024646759033, Test Accuracy: 7.8125',
    "['checkpoint', 'ckpt-1.data-00000-of-00001', 'ckpt-1.index', 'ckpt-2.data-00000-of-00001', 'ckpt-2.index']",
    './training_checkpoints/ckpt-2',
    'Accuracy after restoring the saved model without strategy: 7.8125',
    'Epoch 3, Loss: 2.2998454570770264, Accuracy: 11.458333969116211',
    'Epoch 3, Loss: 2.297502279281616, Accuracy: 11.458333969116211',
    'Epoch 1, Loss: 2.2914717197418213, Accuracy: 12.5',
    'Epoch 2, Loss: 2.287557601928711, Accuracy: 12.5',
    'tf.Tensor(1.25, shape=(), dtype=float32)',
    'tf.Tensor(1.0, shape=(), dtype=float32)',
    'tf.Tensor(2.0, shape=(), dtype=float32) tf.Tensor([4.], shape=(1,), dtype=float32)',
    '',
]


def test_custom_training_prints_what_tf_printed():
    assert_guide_prints(PROGRAM, "custom_training", TF_OUTPUT, numeric={3, 4, 6, 10, 11, 12, 13})
