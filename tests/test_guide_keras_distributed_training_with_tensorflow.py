"""Keras's guide "Multi-GPU distributed training with TensorFlow" (keras.io
guides/distributed_training_with_tensorflow.py), run renamed on random images in place of MNIST:
MirroredStrategy (one replica here, as TF on this CPU machine), its scope around model building,
compile, fit and evaluate; ModelCheckpoint every epoch and make_or_restore_model picking the latest
.keras file on the second run; plus the strategy's loop pieces a custom distributed loop uses
(experimental_distribute_dataset, run, reduce with ReduceOp or its name, experimental_local_results,
tf.nn.compute_average_loss / scale_regularization_loss, ReduceOp printed as TF's Enum). fit runs with
verbose=0 (the guide's progress lines carry timings). TF_OUTPUT was recorded under TensorFlow 2.21 /
Keras 3.15 (/work/peers/bin/python).
"""

from conftest import assert_guide_prints, renamed

from glassnet import keras

PROGRAM = """\
import os
import tempfile
import numpy as np
import tensorflow as tf
import keras
os.chdir(tempfile.mkdtemp())


def get_compiled_model():
    inputs = keras.Input(shape=(784,))
    x = keras.layers.Dense(256, activation="relu")(inputs)
    x = keras.layers.Dense(256, activation="relu")(x)
    outputs = keras.layers.Dense(10)(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    return model


def get_dataset():
    batch_size = 32
    num_val_samples = 64
    rng = np.random.default_rng(0)   # (MNIST in the guide)
    x_train = rng.integers(0, 256, (256, 28, 28)).astype("uint8")
    y_train = rng.integers(0, 10, 256).astype("uint8")
    x_test = rng.integers(0, 256, (64, 28, 28)).astype("uint8")
    y_test = rng.integers(0, 10, 64).astype("uint8")
    x_train = x_train.reshape(-1, 784).astype("float32") / 255
    x_test = x_test.reshape(-1, 784).astype("float32") / 255
    y_train = y_train.astype("float32")
    y_test = y_test.astype("float32")
    x_val = x_train[-num_val_samples:]
    y_val = y_train[-num_val_samples:]
    x_train = x_train[:-num_val_samples]
    y_train = y_train[:-num_val_samples]
    return (
        tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(batch_size),
        tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(batch_size),
        tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size),
    )


strategy = tf.distribute.MirroredStrategy()
print("Number of devices: {}".format(strategy.num_replicas_in_sync))
print(type(strategy).__name__, tf.distribute.has_strategy(), tf.distribute.get_strategy() is strategy)
with strategy.scope():
    print(tf.distribute.has_strategy(), tf.distribute.get_strategy() is strategy, tf.distribute.in_cross_replica_context())
    model = get_compiled_model()
    train_dataset, val_dataset, test_dataset = get_dataset()
    h = model.fit(train_dataset, epochs=2, validation_data=val_dataset, verbose=0)
    print(list(h.history), len(h.history["loss"]))
    r = model.evaluate(test_dataset, verbose=0)
    print(len(r))
print(tf.distribute.has_strategy())
checkpoint_dir = "./ckpt"
if not os.path.exists(checkpoint_dir):
    os.makedirs(checkpoint_dir)


def make_or_restore_model():
    checkpoints = [checkpoint_dir + "/" + name for name in os.listdir(checkpoint_dir)]
    if checkpoints:
        latest_checkpoint = max(checkpoints, key=os.path.getctime)
        print("Restoring from", latest_checkpoint)
        return keras.models.load_model(latest_checkpoint)
    print("Creating a new model")
    return get_compiled_model()


def run_training(epochs=1):
    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        model = make_or_restore_model()
        callbacks = [keras.callbacks.ModelCheckpoint(filepath=checkpoint_dir + "/ckpt-{epoch}.keras", save_freq="epoch")]
        h = model.fit(train_dataset, epochs=epochs, callbacks=callbacks, validation_data=val_dataset, verbose=0)
        print(list(h.history))
        print(int(model.optimizer.iterations.numpy()))


run_training(epochs=1)
run_training(epochs=1)
print(sorted(os.listdir(checkpoint_dir)))
# the strategy's own loop pieces
global_batch = 16
ds = tf.data.Dataset.from_tensor_slices((np.arange(32, dtype="float32").reshape(16, 2), np.ones(16, "float32"))).batch(8)
dist_ds = strategy.experimental_distribute_dataset(ds)
with strategy.scope():
    w = tf.Variable(1.0)
    print(type(w).__name__ in ("MirroredVariable", "Variable", "ResourceVariable"), w.numpy())


def step(inputs):
    x, y = inputs
    per_example = tf.reduce_sum(x, axis=1) * w
    return tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)


for batch in dist_ds:
    per_replica = strategy.run(step, args=(batch,))
    print(strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None))
    print(strategy.reduce("MEAN", per_replica, axis=None).numpy())
print(strategy.experimental_local_results(per_replica)[0].numpy())
print(tf.distribute.ReduceOp.SUM, tf.distribute.ReduceOp.MEAN)
print(strategy.extended.worker_devices if hasattr(strategy.extended, "worker_devices") else "")
print(tf.distribute.get_replica_context() is not None)
print(tf.nn.compute_average_loss([1.0, 2.0, 3.0, 4.0], sample_weight=[1.0, 0.0, 1.0, 0.5]))
print(tf.nn.compute_average_loss(tf.constant([1.0, 2.0, 3.0]), global_batch_size=6))
print(tf.nn.scale_regularization_loss(tf.constant(3.0)), tf.nn.scale_regularization_loss([tf.constant(1.0), tf.constant(2.5)]))
print(tf.distribute.ReduceOp("MEAN") is tf.distribute.ReduceOp.MEAN, list(tf.distribute.ReduceOp))
x = tf.Variable([1.0, 2.0])
with tf.GradientTape() as tape:
    loss = tf.nn.compute_average_loss(x * x, global_batch_size=4)
print(tape.gradient(loss, x))
"""

TF_OUTPUT = [
    'Number of devices: 1',
    'MirroredStrategy False False',
    'True True True',
    "['loss', 'sparse_categorical_accuracy', 'val_loss', 'val_sparse_categorical_accuracy'] 2",
    '2',
    'False',
    'Creating a new model',
    "['loss', 'sparse_categorical_accuracy', 'val_loss', 'val_sparse_categorical_accuracy']",
    '6',
    'Restoring from ./ckpt/ckpt-1.keras',
    "['loss', 'sparse_categorical_accuracy', 'val_loss', 'val_sparse_categorical_accuracy']",
    '12',
    "['ckpt-1.keras']",
    'True 1.0',
    'tf.Tensor(7.5, shape=(), dtype=float32)',
    '7.5',
    'tf.Tensor(23.5, shape=(), dtype=float32)',
    '23.5',
    '23.5',
    'ReduceOp.SUM ReduceOp.MEAN',
    "('/job:localhost/replica:0/task:0/device:CPU:0',)",
    'True',
    'tf.Tensor(1.5, shape=(), dtype=float32)',
    'tf.Tensor(1.0, shape=(), dtype=float32)',
    'tf.Tensor(3.0, shape=(), dtype=float32) tf.Tensor(3.5, shape=(), dtype=float32)',
    "True [<ReduceOp.SUM: 'SUM'>, <ReduceOp.MEAN: 'MEAN'>]",
    'tf.Tensor([0.5 1. ], shape=(2,), dtype=float32)',
    '',
]


def test_distributed_training_with_tensorflow():
    keras.backend.clear_session()               # names count as in a fresh process
    assert_guide_prints(renamed(PROGRAM), "distributed_training_with_tensorflow", TF_OUTPUT)
