"""TensorFlow's tutorial "Overfit and underfit" (tutorials/keras/overfit_and_underfit) run with
``import glassnet as tf``: a small gzip'd CSV of 29 float columns stands in for HIGGS.csv.gz;
CsvDataset(compression_type="GZIP"), pack_row with tf.stack, batch/map/unbatch, take/skip/cache,
InverseTimeDecay called on np.linspace (a float32 tensor), the binary_crossentropy metric,
EarlyStopping on val_binary_crossentropy, TensorBoard folders, l2 regularizers (model.losses,
tf.add_n) and Dropout must print what TensorFlow 2.21 printed. tensorflow_docs (EpochDots,
HistoryPlotter) is not installed: left out. The tutorial's ``label = row[0]`` (rank 1 against the
(None, 1) logits) makes TF 2.21's metrics.BinaryCrossentropy raise ("must have the same rank"),
so the labels here are ``tf.stack(row[:1], 1)``; glassnet accepts either."""

from conftest import assert_guide_prints

GUIDE = r'''import tensorflow as tf
from tensorflow.keras import layers
from tensorflow.keras import regularizers
# tensorflow_docs (EpochDots, HistoryPlotter) is not installed: those lines are left out
import numpy as np
import pathlib, shutil, tempfile, gzip
logdir = pathlib.Path(tempfile.mkdtemp())/"tensorboard_logs"
shutil.rmtree(logdir, ignore_errors=True)
# stand-in for HIGGS.csv.gz
rng = np.random.default_rng(0)
rows = np.column_stack([rng.integers(0, 2, 1500).astype(float), rng.normal(size=(1500, 28)).round(6)])
gz = str(pathlib.Path(tempfile.mkdtemp()) / 'HIGGS.csv.gz')
with gzip.open(gz, 'wt') as f:
    for r in rows:
        f.write(",".join("%.18e" % v for v in r) + "\n")
FEATURES = 28
ds = tf.data.experimental.CsvDataset(gz,[float(),]*(FEATURES+1), compression_type="GZIP")
print(ds)
def pack_row(*row):
  label = tf.stack(row[:1], 1)  # TF 2.21 refuses row[0] (rank 1) against (None, 1) in metrics.BinaryCrossentropy
  features = tf.stack(row[1:],1)
  return features, label
packed_ds = ds.batch(10000).map(pack_row).unbatch()
print(packed_ds)
for features,label in packed_ds.batch(1000).take(1):
  print(features[0])
N_VALIDATION = int(2e2)
N_TRAIN = int(6e2)
BUFFER_SIZE = int(6e2)
BATCH_SIZE = 100
STEPS_PER_EPOCH = N_TRAIN//BATCH_SIZE
validate_ds = packed_ds.take(N_VALIDATION).cache()
train_ds = packed_ds.skip(N_VALIDATION).take(N_TRAIN).cache()
print(train_ds)
validate_ds = validate_ds.batch(BATCH_SIZE)
train_ds = train_ds.shuffle(BUFFER_SIZE).repeat().batch(BATCH_SIZE)
print(validate_ds, train_ds)
lr_schedule = tf.keras.optimizers.schedules.InverseTimeDecay(
  0.001, decay_steps=STEPS_PER_EPOCH*1000, decay_rate=1, staircase=False)
def get_optimizer():
  return tf.keras.optimizers.Adam(lr_schedule)
step = np.linspace(0,100000)
lr = lr_schedule(step)
print(lr[:3], lr.dtype, lr.shape)
def get_callbacks(name):
  return [
    tf.keras.callbacks.EarlyStopping(monitor='val_binary_crossentropy', patience=200),
    tf.keras.callbacks.TensorBoard(logdir/name),
  ]
def compile_and_fit(model, name, optimizer=None, max_epochs=2):
  if optimizer is None:
    optimizer = get_optimizer()
  model.compile(optimizer=optimizer,
                loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
                metrics=[
                  tf.keras.metrics.BinaryCrossentropy(from_logits=True, name='binary_crossentropy'),
                  'accuracy'])
  model.summary()
  history = model.fit(train_ds, steps_per_epoch = STEPS_PER_EPOCH, epochs=max_epochs,
    validation_data=validate_ds, callbacks=get_callbacks(name), verbose=0)
  return history
tiny_model = tf.keras.Sequential([
    layers.Dense(16, activation='elu', input_shape=(FEATURES,)),
    layers.Dense(1)
])
size_histories = {}
size_histories['Tiny'] = compile_and_fit(tiny_model, 'sizes/Tiny')
print(size_histories['Tiny'].history.keys())
print(size_histories['Tiny'].epoch, size_histories['Tiny'].params)
small_model = tf.keras.Sequential([
    layers.Dense(16, activation='elu', input_shape=(FEATURES,)),
    layers.Dense(16, activation='elu'),
    layers.Dense(1)
])
size_histories['Small'] = compile_and_fit(small_model, 'sizes/Small')
print(sorted(p.name for p in (logdir/'sizes').iterdir()))
print(sorted(p.name for p in (logdir/'sizes/Tiny').iterdir()))
shutil.rmtree(logdir/'regularizers/Tiny', ignore_errors=True)
shutil.copytree(logdir/'sizes/Tiny', logdir/'regularizers/Tiny')
regularizer_histories = {}
regularizer_histories['Tiny'] = size_histories['Tiny']
l2_model = tf.keras.Sequential([
    layers.Dense(64, activation='elu', kernel_regularizer=regularizers.l2(0.001), input_shape=(FEATURES,)),
    layers.Dense(64, activation='elu', kernel_regularizer=regularizers.l2(0.001)),
    layers.Dense(1)
])
regularizer_histories['l2'] = compile_and_fit(l2_model, "regularizers/l2")
result = l2_model(features)
regularization_loss=tf.add_n(l2_model.losses)
print(type(regularization_loss).__name__ in ('EagerTensor', 'Tensor'), regularization_loss.shape, regularization_loss.dtype, len(l2_model.losses))
print(type(regularizers.l2(0.001)).__name__, regularizers.l2(0.001).get_config())
dropout_model = tf.keras.Sequential([
    layers.Dense(64, activation='elu', input_shape=(FEATURES,)),
    layers.Dropout(0.5),
    layers.Dense(1)
])
regularizer_histories['dropout'] = compile_and_fit(dropout_model, "regularizers/dropout")
combined_model = tf.keras.Sequential([
    layers.Dense(64, kernel_regularizer=regularizers.l2(0.0001), activation='elu', input_shape=(FEATURES,)),
    layers.Dropout(0.5),
    layers.Dense(1)
])
regularizer_histories['combined'] = compile_and_fit(combined_model, "regularizers/combined")
print(sorted(regularizer_histories))
'''

TF_OUTPUT = [
    '<CsvDatasetV2 element_spec=(TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None))>',
    '<_UnbatchDataset element_spec=(TensorSpec(shape=(28,), dtype=tf.float32, name=None), TensorSpec(shape=(1,), dtype=tf.float32, name=None))>',
    'tf.Tensor(',
    '[-0.685442 -0.380583  0.046093 -1.241808 -0.277654 -1.465967 -0.568228',
    ' -1.18607  -1.059061 -1.719911  1.219355  0.509059 -1.917464 -0.596828',
    ' -0.670439 -0.690944 -1.446884  0.754386 -0.395864  0.468149  0.526756',
    '  1.375445 -1.814872  1.738602  1.268815  0.573066  2.383592  0.204979], shape=(28,), dtype=float32)',
    '<CacheDataset element_spec=(TensorSpec(shape=(28,), dtype=tf.float32, name=None), TensorSpec(shape=(1,), dtype=tf.float32, name=None))>',
    '<_BatchDataset element_spec=(TensorSpec(shape=(None, 28), dtype=tf.float32, name=None), TensorSpec(shape=(None, 1), dtype=tf.float32, name=None))> <_BatchDataset element_spec=(TensorSpec(shape=(None, 28), dtype=tf.float32, name=None), TensorSpec(shape=(None, 1), dtype=tf.float32, name=None))>',
    "tf.Tensor([0.001      0.00074619 0.00059514], shape=(3,), dtype=float32) <dtype: 'float32'> (50,)",
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense (Dense)                   │ (None, 16)             │           464 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 1)              │            17 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 481 (1.88 KB)',
    ' Trainable params: 481 (1.88 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    "dict_keys(['accuracy', 'binary_crossentropy', 'loss', 'val_accuracy', 'val_binary_crossentropy', 'val_loss'])",
    "[0, 1] {'verbose': 0, 'epochs': 2, 'steps': 6}",
    'Model: "sequential_1"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense_2 (Dense)                 │ (None, 16)             │           464 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_3 (Dense)                 │ (None, 16)             │           272 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_4 (Dense)                 │ (None, 1)              │            17 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 753 (2.94 KB)',
    ' Trainable params: 753 (2.94 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    "['Small', 'Tiny']",
    "['train', 'validation']",
    'Model: "sequential_2"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense_5 (Dense)                 │ (None, 64)             │         1,856 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_6 (Dense)                 │ (None, 64)             │         4,160 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_7 (Dense)                 │ (None, 1)              │            65 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 6,081 (23.75 KB)',
    ' Trainable params: 6,081 (23.75 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    "True () <dtype: 'float32'> 2",
    "L2 {'l2': 0.001}",
    'Model: "sequential_3"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense_8 (Dense)                 │ (None, 64)             │         1,856 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, 64)             │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_9 (Dense)                 │ (None, 1)              │            65 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 1,921 (7.50 KB)',
    ' Trainable params: 1,921 (7.50 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Model: "sequential_4"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense_10 (Dense)                │ (None, 64)             │         1,856 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout_1 (Dropout)             │ (None, 64)             │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_11 (Dense)                │ (None, 1)              │            65 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 1,921 (7.50 KB)',
    ' Trainable params: 1,921 (7.50 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    "['Tiny', 'combined', 'dropout', 'l2']",
    '',
]


def test_overfit_and_underfit_tutorial_prints_as_tensorflow():
    assert_guide_prints(GUIDE.replace("from tensorflow.", "from glassnet."), "test_overfit_and_underfit_tutorial_prints_as_tensorflow", TF_OUTPUT)


def test_reprs_take_while_counter_and_schedule_on_many_steps(tmp_path):
    """Names and values TF 2.21 gives for the pieces above and their neighbours."""
    import numpy as np
    import glassnet as tf
    d = tf.data.Dataset.range(6)
    assert repr(d.cache()).split()[0] == "<CacheDataset"                     # TF's class has no underscore
    assert repr(d.take_while(lambda x: x < 3)).split()[0] == "<_TakeWhileDataset"
    assert list(d.take_while(lambda x: x < 3).as_numpy_iterator()) == [0, 1, 2]
    counter = tf.data.experimental.Counter(start=2, step=3)
    assert repr(counter).split()[0] == "<_ScanDataset" and int(counter.cardinality()) == -1
    assert list(counter.take(3).as_numpy_iterator()) == [2, 5, 8]
    (tmp_path / "a.txt").write_text("x")
    assert repr(tf.data.Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)).split()[0] == "<_TensorSliceDataset"
    assert repr(tf.data.Dataset.list_files(str(tmp_path / "*.txt"))).split()[0] == "<_ShuffleDataset"
    schedule = tf.keras.optimizers.schedules.InverseTimeDecay(0.001, decay_steps=10000, decay_rate=1)
    lr = schedule(np.linspace(0, 100000))
    assert lr.shape == (50,) and lr.dtype == np.float32
    assert str(lr[:3]) == "tf.Tensor([0.001      0.00083051 0.00071014], shape=(3,), dtype=float32)"
    assert isinstance(schedule(0), float)
