"""TensorFlow's tutorial "Distributed training with Keras" (site/en/tutorials/distribute/keras.ipynb),
run renamed on one CPU replica with random images in place of tfds MNIST: MirroredStrategy and
num_replicas_in_sync, the BATCH_SIZE_PER_REPLICA arithmetic, model and compile inside
strategy.scope(), the callbacks (TensorBoard, ModelCheckpoint of .weights.h5 files, the
LearningRateScheduler and a PrintLR callback reading model.optimizer.learning_rate.numpy()),
tf.train.latest_checkpoint (None: Keras 3 writes no TF checkpoint there, and load_weights(None) is
TF's TypeError), the tutorial's Keras 2 spellings refused as Keras 3 refuses them (ckpt_{epoch}
without .weights.h5, save_format='tf'), model.export(path) loaded back with tf.saved_model.load
(serve, signatures), and the .keras file loaded with and without the scope.
TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python).
"""

from conftest import assert_guide_prints

PROGRAM = """\
import os
import tempfile
import numpy as np
import tensorflow as tf
os.chdir(tempfile.mkdtemp())
rng = np.random.default_rng(0)                # (tfds MNIST in the tutorial: uint8 (28, 28, 1), int64 labels)
mnist_train = tf.data.Dataset.from_tensor_slices((rng.integers(0, 256, (128, 28, 28, 1)).astype("uint8"),
                                                  rng.integers(0, 10, 128)))
mnist_test = tf.data.Dataset.from_tensor_slices((rng.integers(0, 256, (64, 28, 28, 1)).astype("uint8"),
                                                 rng.integers(0, 10, 64)))
strategy = tf.distribute.MirroredStrategy()
print('Number of devices: {}'.format(strategy.num_replicas_in_sync))
num_train_examples = 128
num_test_examples = 64
BUFFER_SIZE = 10000
BATCH_SIZE_PER_REPLICA = 32
BATCH_SIZE = BATCH_SIZE_PER_REPLICA * strategy.num_replicas_in_sync


def scale(image, label):
    image = tf.cast(image, tf.float32)
    image /= 255
    return image, label


train_dataset = mnist_train.map(scale).cache().shuffle(BUFFER_SIZE).batch(BATCH_SIZE)
eval_dataset = mnist_test.map(scale).batch(BATCH_SIZE)
print(train_dataset.element_spec)
with strategy.scope():
    model = tf.keras.Sequential([
        tf.keras.layers.Input((28, 28, 1)),
        tf.keras.layers.Conv2D(4, 3, activation='relu'),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(16, activation='relu'),
        tf.keras.layers.Dense(10)
    ])
    model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=tf.keras.optimizers.Adam(),
                  metrics=['accuracy'])
checkpoint_dir = './training_checkpoints'
checkpoint_prefix = os.path.join(checkpoint_dir, "ckpt_{epoch}")
try:                                          # the tutorial's Keras 2 name: Keras 3 refuses it
    tf.keras.callbacks.ModelCheckpoint(filepath=checkpoint_prefix, save_weights_only=True)
except ValueError as e:
    print(e)
checkpoint_prefix = os.path.join(checkpoint_dir, "ckpt_{epoch}.weights.h5")


def decay(epoch):
    if epoch < 3:
        return 1e-3
    elif epoch >= 3 and epoch < 7:
        return 1e-4
    else:
        return 1e-5


class PrintLR(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        print('\\nLearning rate for epoch {} is {}'.format(epoch + 1, model.optimizer.learning_rate.numpy()))


callbacks = [
    tf.keras.callbacks.TensorBoard(log_dir='./logs'),
    tf.keras.callbacks.ModelCheckpoint(filepath=checkpoint_prefix, save_weights_only=True),
    tf.keras.callbacks.LearningRateScheduler(decay),
    PrintLR()
]
history = model.fit(train_dataset, epochs=4, callbacks=callbacks, verbose=0)
print(sorted(history.history))
print(sorted(os.listdir(checkpoint_dir)))
print(tf.train.latest_checkpoint(checkpoint_dir))
try:
    model.load_weights(tf.train.latest_checkpoint(checkpoint_dir))
except TypeError as e:
    print(type(e).__name__)
model.load_weights(os.path.join(checkpoint_dir, "ckpt_4.weights.h5"))
eval_loss, eval_acc = model.evaluate(eval_dataset, verbose=0)
print(type(eval_loss).__name__, type(eval_acc).__name__)
print(sorted(os.listdir('./logs')))
path = 'saved_model/'
try:
    model.save(path, save_format='tf')
except ValueError as e:
    print(e)
model.export(path, verbose=False)
loaded = tf.saved_model.load(path)
print(list(loaded.signatures.keys()))
x = np.zeros((2, 28, 28, 1), np.float32)
print(loaded.serve(x).shape, loaded.serve(x).dtype)
print(np.allclose(loaded.serve(x), model.predict(x, verbose=0), atol=1e-6))
serving = loaded.signatures['serving_default']
print(sorted(serving(tf.constant(x))), serving.structured_outputs)
model.save('model.keras')
unreplicated_model = tf.keras.models.load_model('model.keras')
unreplicated_model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                           optimizer=tf.keras.optimizers.Adam(), metrics=['accuracy'])
loss2, acc2 = unreplicated_model.evaluate(eval_dataset, verbose=0)
print(abs(loss2 - eval_loss) < 1e-5, acc2 == eval_acc)
with strategy.scope():
    replicated_model = tf.keras.models.load_model('model.keras')
    replicated_model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                             optimizer=tf.keras.optimizers.Adam(), metrics=['accuracy'])
    loss3, acc3 = replicated_model.evaluate(eval_dataset, verbose=0)
    print(abs(loss3 - eval_loss) < 1e-5, acc3 == eval_acc)
"""

TF_OUTPUT = [
    'Number of devices: 1',
    '(TensorSpec(shape=(None, 28, 28, 1), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))',
    'When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in `.weights.h5` (Keras weights format). Received: filepath=./training_checkpoints/ckpt_{epoch}',
    '',
    'Learning rate for epoch 1 is 0.0010000000474974513',
    '',
    'Learning rate for epoch 2 is 0.0010000000474974513',
    '',
    'Learning rate for epoch 3 is 0.0010000000474974513',
    '',
    'Learning rate for epoch 4 is 9.999999747378752e-05',
    "['accuracy', 'learning_rate', 'loss']",
    "['ckpt_1.weights.h5', 'ckpt_2.weights.h5', 'ckpt_3.weights.h5', 'ckpt_4.weights.h5']",
    'None',
    'TypeError',
    'float float',
    "['train']",
    'The `save_format` argument is deprecated in Keras 3. Please remove this argument and pass a file path with either `.keras` or `.h5` extension.Received: save_format=tf',
    "['serve', 'serving_default']",
    "(2, 10) <dtype: 'float32'>",
    'True',
    "['output_0'] {'output_0': TensorSpec(shape=(None, 10), dtype=tf.float32, name='output_0')}",
    'True True',
    'True True',
    '',
]


def test_distributed_keras_tutorial_prints_what_tf_printed():
    assert_guide_prints(PROGRAM, "distributed_keras_tutorial", TF_OUTPUT, numeric=())


def test_export_prints_the_endpoint_as_keras(tmp_path, capsys):
    import re

    import glassnet as tf
    model = tf.keras.Sequential([tf.keras.layers.Input((28, 28, 1)), tf.keras.layers.Conv2D(2, 3),
                                 tf.keras.layers.Flatten(), tf.keras.layers.Dense(10)])
    model.export(str(tmp_path / "saved_model"))
    out = re.sub(r"^  \d+: ", "  ID: ", capsys.readouterr().out, flags=re.M).split("\n")
    assert out == [                                     # Keras 3.15's lines (ids of the variables vary)
        f"Saved artifact at {str(tmp_path / 'saved_model')!r}. The following endpoints are available:", "",
        "* Endpoint 'serve'",
        "  args_0 (POSITIONAL_ONLY): TensorSpec(shape=(None, 28, 28, 1), dtype=tf.float32, name='keras_tensor')",
        "Output Type:", "  TensorSpec(shape=(None, 10), dtype=tf.float32, name=None)", "Captures:"] + \
        ["  ID: TensorSpec(shape=(), dtype=tf.resource, name=None)"] * 4 + [""]
    i = tf.keras.Input((3,), name="feat")
    two = tf.keras.Model(i, [tf.keras.layers.Dense(2)(i), tf.keras.layers.Dense(1)(i)])
    two.export(str(tmp_path / "two"))
    out = capsys.readouterr().out.split("\n")
    assert out[3:6] == ["  args_0 (POSITIONAL_ONLY): TensorSpec(shape=(None, 3), dtype=tf.float32, name='feat')",
                        "Output Type:", "  List[TensorSpec(shape=(None, 2), dtype=tf.float32, name=None), "
                        "TensorSpec(shape=(None, 1), dtype=tf.float32, name=None)]"]
    loaded = tf.saved_model.load(str(tmp_path / "two"))
    assert sorted(loaded.signatures["serving_default"](tf.zeros((1, 3)))) == ["output_0", "output_1"]
    import pytest
    with pytest.raises(ValueError, match="format='tf_saved_model' writes a folder"):
        model.export(str(tmp_path / "m.onnx"), format="tf_saved_model")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved_model", "two"]
