"""keras.io's example "Timeseries classification from scratch" (examples/timeseries/timeseries_classification_from_scratch.py),
run renamed on stand-in FordA TSV files written locally (label -1/1 then 50 readings; 80 training
and 40 test rows): readucr with np.loadtxt, np.random.permutation after keras.utils.set_random_seed,
the Conv1D + BatchNormalization + ReLU + GlobalAveragePooling1D model's summary,
ModelCheckpoint("best_model.keras", save_best_only=True, monitor="val_loss"), ReduceLROnPlateau and
EarlyStopping (verbose=1, with a min_delta here so that both act within 8 epochs, and
restore_best_weights), history's keys with learning_rate, keras.models.load_model, evaluate.
TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15; the seeded starting weights give the
same epochs, so every line but the last digits of the test loss is compared exactly.
"""
from conftest import assert_guide_prints, renamed

from glassnet import keras

PROGRAM = """\
import os, tempfile
import keras
import numpy as np
keras.utils.set_random_seed(0)
os.chdir(tempfile.mkdtemp())
r = np.random.default_rng(0)           # stand-in FordA TSVs: label (-1/1) then 50 readings
for name, n in (("FordA_TRAIN.tsv", 80), ("FordA_TEST.tsv", 40)):
    labels = r.choice([-1, 1], n)
    t = np.linspace(0, 6, 50)
    x = np.sin(t[None, :] * (1.5 + 0.5 * labels[:, None])) + r.normal(0, 0.3, (n, 50))
    np.savetxt(name, np.column_stack([labels, x]), delimiter="\t", fmt="%.5f")

def readucr(filename):
    data = np.loadtxt(filename, delimiter="\t")
    y = data[:, 0]
    x = data[:, 1:]
    return x, y.astype(int)

x_train, y_train = readucr("FordA_TRAIN.tsv")
x_test, y_test = readucr("FordA_TEST.tsv")
classes = np.unique(np.concatenate((y_train, y_test), axis=0))
print(classes, x_train.shape, y_train.dtype)
x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
x_test = x_test.reshape((x_test.shape[0], x_test.shape[1], 1))
num_classes = len(np.unique(y_train))
idx = np.random.permutation(len(x_train))
print(idx[:8])
x_train = x_train[idx]
y_train = y_train[idx]
y_train[y_train == -1] = 0
y_test[y_test == -1] = 0

def make_model(input_shape):
    input_layer = keras.layers.Input(input_shape)
    conv1 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(input_layer)
    conv1 = keras.layers.BatchNormalization()(conv1)
    conv1 = keras.layers.ReLU()(conv1)
    conv2 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv1)
    conv2 = keras.layers.BatchNormalization()(conv2)
    conv2 = keras.layers.ReLU()(conv2)
    conv3 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv2)
    conv3 = keras.layers.BatchNormalization()(conv3)
    conv3 = keras.layers.ReLU()(conv3)
    gap = keras.layers.GlobalAveragePooling1D()(conv3)
    output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)
    return keras.models.Model(inputs=input_layer, outputs=output_layer)

model = make_model(input_shape=x_train.shape[1:])
model.summary()
epochs = 8
batch_size = 32
callbacks = [
    keras.callbacks.ModelCheckpoint("best_model.keras", save_best_only=True, monitor="val_loss"),
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=0.0001, verbose=1, min_delta=0.005),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, verbose=1, min_delta=0.005, restore_best_weights=True),
]
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, callbacks=callbacks, validation_split=0.2, verbose=0)
print(sorted(history.history), len(history.history["loss"]))
print(np.round(history.history["val_loss"], 3))
print(history.history.get("learning_rate"))
model = keras.models.load_model("best_model.keras")
test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
print("Test accuracy", test_acc)
print("Test loss", test_loss)
metric = "sparse_categorical_accuracy"
print(len(history.history[metric]), len(history.history["val_" + metric]))
"""

TF_OUTPUT = [
    '[-1  1] (80, 50) int64',
    '[50 27 30 77 45 71 66 68]',
    'Model: "functional"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer (InputLayer)        │ (None, 50, 1)          │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv1d (Conv1D)                 │ (None, 50, 64)         │           256 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization             │ (None, 50, 64)         │           256 │',
    '│ (BatchNormalization)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ re_lu (ReLU)                    │ (None, 50, 64)         │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv1d_1 (Conv1D)               │ (None, 50, 64)         │        12,352 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization_1           │ (None, 50, 64)         │           256 │',
    '│ (BatchNormalization)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ re_lu_1 (ReLU)                  │ (None, 50, 64)         │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv1d_2 (Conv1D)               │ (None, 50, 64)         │        12,352 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ batch_normalization_2           │ (None, 50, 64)         │           256 │',
    '│ (BatchNormalization)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ re_lu_2 (ReLU)                  │ (None, 50, 64)         │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_average_pooling1d        │ (None, 64)             │             0 │',
    '│ (GlobalAveragePooling1D)        │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 2)              │           130 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 25,858 (101.01 KB)',
    ' Trainable params: 25,474 (99.51 KB)',
    ' Non-trainable params: 384 (1.50 KB)',
    '',
    'Epoch 3: ReduceLROnPlateau reducing learning rate to 0.0005000000237487257.',
    'Epoch 4: early stopping',
    'Restoring model weights from the end of the best epoch: 1.',
    "['learning_rate', 'loss', 'sparse_categorical_accuracy', 'val_loss', 'val_sparse_categorical_accuracy'] 4",
    '[0.699 0.698 0.697 0.696]',
    '[0.0010000000474974513, 0.0010000000474974513, 0.0010000000474974513, 0.0005000000237487257]',
    'Test accuracy 0.4749999940395355',
    'Test loss 0.6900477409362793',
    '4 4',
    '',
]


def test_timeseries_classification_from_scratch():
    keras.backend.clear_session()               # layer names count as in a fresh process
    assert_guide_prints(renamed(PROGRAM), "timeseries_classification_from_scratch", TF_OUTPUT, numeric=(45,))
