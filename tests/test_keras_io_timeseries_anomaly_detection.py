"""keras.io's example "Timeseries anomaly detection using an Autoencoder" (examples/timeseries/timeseries_anomaly_detection.py),
run renamed on stand-in NAB CSVs written locally (600 five-minute readings of a daily cycle with
noise; the test file jumps up for 20 readings): pandas read_csv(parse_dates, index_col), the
normalization, create_sequences of TIME_STEPS=288, the Conv1D / Conv1DTranspose autoencoder's
summary, fit with validation_split and EarlyStopping (3 epochs here), predict, the MAE threshold
np.max(train_mae_loss) and the anomalies found with it. TF_OUTPUT was recorded under TensorFlow
2.21 / Keras 3.15; the seeded starting weights give the same training, so only the threshold's
last digits differ.
"""
from conftest import assert_guide_prints, renamed

from glassnet import keras

PROGRAM = """\
import os, tempfile
import numpy as np
import pandas as pd
import keras
from keras import layers
keras.utils.set_random_seed(0)
os.chdir(tempfile.mkdtemp())
r = np.random.default_rng(0)         # stand-in NAB CSVs: 5-minute readings, a daily cycle (jumps up in the test file)
stamps = pd.date_range("2014-04-01", periods=600, freq="5min").strftime("%Y-%m-%d %H:%M:%S")
cycle = 20 + 60 * (np.sin(np.arange(600) * 2 * np.pi / 288) > 0)
pd.DataFrame({"timestamp": stamps, "value": cycle + r.normal(0, 2, 600)}).to_csv("art_daily_small_noise.csv", index=False)
jumps = cycle + r.normal(0, 2, 600)
jumps[400:420] += 80
pd.DataFrame({"timestamp": stamps, "value": jumps}).to_csv("art_daily_jumpsup.csv", index=False)
df_small_noise = pd.read_csv("art_daily_small_noise.csv", parse_dates=True, index_col="timestamp")
df_daily_jumpsup = pd.read_csv("art_daily_jumpsup.csv", parse_dates=True, index_col="timestamp")
print(df_small_noise.head())
training_mean = df_small_noise.mean()
training_std = df_small_noise.std()
df_training_value = (df_small_noise - training_mean) / training_std
print("Number of training samples:", len(df_training_value))
TIME_STEPS = 288

def create_sequences(values, time_steps=TIME_STEPS):
    output = []
    for i in range(len(values) - time_steps + 1):
        output.append(values[i : (i + time_steps)])
    return np.stack(output)

x_train = create_sequences(df_training_value.values)
print("Training input shape: ", x_train.shape, x_train.dtype)
model = keras.Sequential(
    [
        layers.Input(shape=(x_train.shape[1], x_train.shape[2])),
        layers.Conv1D(filters=32, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1D(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1DTranspose(filters=32, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
    ]
)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
model.summary()
history = model.fit(
    x_train,
    x_train,
    epochs=3,
    batch_size=128,
    validation_split=0.1,
    callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, mode="min")],
    verbose=0,
)
print(sorted(history.history), len(history.history["loss"]))
x_train_pred = model.predict(x_train, verbose=0)
print(x_train_pred.shape, x_train_pred.dtype)
train_mae_loss = np.mean(np.abs(x_train_pred - x_train), axis=1)
print(train_mae_loss.shape, train_mae_loss.dtype)
threshold = np.max(train_mae_loss)
print("Reconstruction error threshold: ", threshold)
df_test_value = (df_daily_jumpsup - training_mean) / training_std
x_test = create_sequences(df_test_value.values)
print("Test input shape: ", x_test.shape)
x_test_pred = model.predict(x_test, verbose=0)
test_mae_loss = np.mean(np.abs(x_test_pred - x_test), axis=1)
test_mae_loss = test_mae_loss.reshape((-1))
anomalies = test_mae_loss > threshold
print("Number of anomaly samples: ", np.sum(anomalies))
print("Indices of anomaly samples: ", np.where(anomalies))
anomalous_data_indices = []
for data_idx in range(TIME_STEPS - 1, len(df_test_value) - TIME_STEPS + 1):
    if np.all(anomalies[data_idx - TIME_STEPS + 1 : data_idx]):
        anomalous_data_indices.append(data_idx)
df_subset = df_daily_jumpsup.iloc[anomalous_data_indices]
print(len(df_subset))
"""

TF_OUTPUT = [
    '                         value',
    'timestamp                     ',
    '2014-04-01 00:00:00  20.251460',
    '2014-04-01 00:05:00  79.735790',
    '2014-04-01 00:10:00  81.280845',
    '2014-04-01 00:15:00  80.209800',
    '2014-04-01 00:20:00  78.928661',
    'Number of training samples: 600',
    'Training input shape:  (313, 288, 1) float64',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv1d (Conv1D)                 │ (None, 144, 32)        │           256 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, 144, 32)        │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv1d_1 (Conv1D)               │ (None, 72, 16)         │         3,600 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv1d_transpose                │ (None, 144, 16)        │         1,808 │',
    '│ (Conv1DTranspose)               │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout_1 (Dropout)             │ (None, 144, 16)        │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv1d_transpose_1              │ (None, 288, 32)        │         3,616 │',
    '│ (Conv1DTranspose)               │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv1d_transpose_2              │ (None, 288, 1)         │           225 │',
    '│ (Conv1DTranspose)               │                        │               │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 9,505 (37.13 KB)',
    ' Trainable params: 9,505 (37.13 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    "['loss', 'val_loss'] 3",
    '(313, 288, 1) float32',
    '(313, 1) float64',
    'Reconstruction error threshold:  0.845815784132316',
    'Test input shape:  (313, 288, 1)',
    'Number of anomaly samples:  199',
    'Indices of anomaly samples:  (array([114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126,',
    '       127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139,',
    '       140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152,',
    '       153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165,',
    '       166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178,',
    '       179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191,',
    '       192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204,',
    '       205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217,',
    '       218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230,',
    '       231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243,',
    '       244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255, 256,',
    '       257, 258, 259, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269,',
    '       270, 271, 272, 273, 274, 275, 276, 277, 278, 279, 280, 281, 282,',
    '       283, 284, 285, 286, 287, 288, 289, 290, 291, 292, 293, 294, 295,',
    '       296, 297, 298, 299, 300, 301, 302, 303, 304, 305, 306, 307, 308,',
    '       309, 310, 311, 312]),)',
    '0',
    '',
]


def test_timeseries_anomaly_detection():
    import pandas as pd
    keras.backend.clear_session()               # layer names count as in a fresh process
    with pd.option_context("display.precision", 6):     # pandas's default (another test module sets 1)
        assert_guide_prints(renamed(PROGRAM), "timeseries_anomaly_detection", TF_OUTPUT, numeric=(36,))
