"""keras.io's example "Timeseries forecasting for weather prediction"
(examples/timeseries/timeseries_weather_forecasting.py), run renamed on a stand-in CSV with the Jena
climate file's 15 columns (6,000 rows of random walks): pandas, per-feature normalization on the
training split, keras.preprocessing.timeseries_dataset_from_array with sampling_rate, the LSTM model's
summary, fit with EarlyStopping and ModelCheckpoint(save_weights_only, save_best_only, verbose=1: its
printed lines), predict. The starting weights are set from one NumPy generator in both (the
initializers draw differently), so the val_loss values printed match TF 2.21's. The plots are left
out. TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python).
"""

from conftest import assert_guide_prints, renamed

from glassnet import keras

PROGRAM = """\
import os
import tempfile
import numpy as np
import pandas as pd
import keras
keras.utils.set_random_seed(0)
os.chdir(tempfile.mkdtemp())
rng = np.random.default_rng(0)    # (the Jena climate CSV in the example: 14 columns, 10-minute steps)
titles = ["p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)", "VPact (mbar)", "VPdef (mbar)",
          "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)", "max. wv (m/s)", "wd (deg)"]
n = 6000
frame = pd.DataFrame(rng.normal(size=(n, 14)).cumsum(axis=0).round(2), columns=titles)
frame.insert(0, "Date Time", [f"01.01.2009 00:{i % 60:02d}:00" for i in range(n)])
frame.to_csv("jena_climate_2009_2016.csv", index=False)
df = pd.read_csv("jena_climate_2009_2016.csv")
print(df.shape)
split_fraction = 0.715
train_split = int(split_fraction * int(df.shape[0]))
step = 6
past = 720
future = 72
learning_rate = 0.001
batch_size = 256
epochs = 2

def normalize(data, train_split):
    data_mean = data[:train_split].mean(axis=0)
    data_std = data[:train_split].std(axis=0)
    return (data - data_mean) / data_std

print("The selected parameters are:", ", ".join([titles[i] for i in [0, 1, 5, 7, 8, 10, 11]]))
selected_features = [titles[i] for i in [0, 1, 5, 7, 8, 10, 11]]
features = df[selected_features]
features.index = df["Date Time"]
features = normalize(features.values, train_split)
features = pd.DataFrame(features)
train_data = features.loc[0 : train_split - 1]
val_data = features.loc[train_split:]
start = past + future
end = start + train_split
x_train = train_data[[i for i in range(7)]].values
y_train = features.iloc[start:end][[1]]
sequence_length = int(past / step)
dataset_train = keras.preprocessing.timeseries_dataset_from_array(x_train, y_train, sequence_length=sequence_length, sampling_rate=step, batch_size=batch_size)
x_end = len(val_data) - past - future
label_start = train_split + past + future
x_val = val_data.iloc[:x_end][[i for i in range(7)]].values
y_val = features.iloc[label_start:][[1]]
dataset_val = keras.preprocessing.timeseries_dataset_from_array(x_val, y_val, sequence_length=sequence_length, sampling_rate=step, batch_size=batch_size)
for batch in dataset_train.take(1):
    inputs, targets = batch
print("Input shape:", inputs.numpy().shape)
print("Target shape:", targets.numpy().shape)
inputs = keras.layers.Input(shape=(inputs.shape[1], inputs.shape[2]))
lstm_out = keras.layers.LSTM(32)(inputs)
outputs = keras.layers.Dense(1)(lstm_out)
model = keras.Model(inputs=inputs, outputs=outputs)
wrng = np.random.default_rng(1)     # the same starting weights in both (their initializers draw differently)
model.set_weights([wrng.uniform(-0.2, 0.2, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
model.summary()
path_checkpoint = "model_checkpoint.weights.h5"
es_callback = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0, patience=5)
modelckpt_callback = keras.callbacks.ModelCheckpoint(monitor="val_loss", filepath=path_checkpoint, verbose=1, save_weights_only=True, save_best_only=True)
history = model.fit(dataset_train, epochs=epochs, validation_data=dataset_val, callbacks=[es_callback, modelckpt_callback], verbose=0)
print(list(history.history), os.path.exists(path_checkpoint))
for x, y in dataset_val.take(1):
    print(model.predict(x, verbose=0).shape, y.shape)
"""

TF_OUTPUT = [
    '(6000, 15)',
    'The selected parameters are: p (mbar), T (degC), VPmax (mbar), VPdef (mbar), sh (g/kg), rho (g/m**3), wv (m/s)',
    'Input shape: (256, 120, 7)',
    'Target shape: (256, 1)',
    'Model: "functional"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer (InputLayer)        │ (None, 120, 7)         │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ lstm (LSTM)                     │ (None, 32)             │         5,120 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 1)              │            33 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 5,153 (20.13 KB)',
    ' Trainable params: 5,153 (20.13 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    '',
    'Epoch 1: val_loss improved from None to 0.96369, saving model to model_checkpoint.weights.h5',
    '',
    'Epoch 1: finished saving model to model_checkpoint.weights.h5',
    '',
    'Epoch 2: val_loss improved from 0.96369 to 0.72079, saving model to model_checkpoint.weights.h5',
    '',
    'Epoch 2: finished saving model to model_checkpoint.weights.h5',
    "['loss', 'val_loss'] True",
    '(204, 1) (204, 1)',
    '',
]


def test_timeseries_weather_forecasting():
    keras.backend.clear_session()               # names count as in a fresh process
    assert_guide_prints(renamed(PROGRAM), "timeseries_weather_forecasting", TF_OUTPUT,
                        numeric=tuple(i for i, line in enumerate(TF_OUTPUT) if "val_loss improved" in line))
