"""keras.io's example "Structured data classification from scratch"
(examples/structured_data/structured_data_classification_from_scratch.py, its Keras 3 version), run
renamed on a stand-in heart.csv (303 rows, the Cleveland file's 14 columns and dtypes): pandas (shape,
head, sample/drop), Dataset.from_tensor_slices((dict(dataframe), labels)), one element printed, the
keras.Input(shape=(1,), name=..., dtype="int64"/"string") inputs, IntegerLookup/StringLookup
(output_mode="binary") and Normalization adapted on ds.map(lambda x, y: x[name]).map(lambda x:
ops.expand_dims(x, -1)), layers.concatenate, the model's summary, fit (verbose=2) and predict on a dict
of keras.ops.convert_to_tensor([value]). The example's ds.shuffle is left out (TF's shuffle order is
its own): both libraries then see one order and, seeded alike, print the same losses. TF_OUTPUT was
recorded under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python); fit's timings are not compared.
"""

from conftest import FIT_TIMING, run_printing

from glassnet import keras

PROGRAM = """\
import os
import tempfile
import numpy as np
import pandas as pd
os.chdir(tempfile.mkdtemp())
rng = np.random.default_rng(0)      # (heart.csv in the example: 303 rows of these 14 columns and dtypes)
n = 303
pd.DataFrame({"age": rng.integers(29, 78, n), "sex": rng.integers(0, 2, n), "cp": rng.integers(0, 5, n),
              "trestbps": rng.integers(94, 201, n), "chol": rng.integers(126, 565, n), "fbs": rng.integers(0, 2, n),
              "restecg": rng.integers(0, 3, n), "thalach": rng.integers(71, 203, n), "exang": rng.integers(0, 2, n),
              "oldpeak": rng.integers(0, 63, n) / 10, "slope": rng.integers(1, 4, n), "ca": rng.integers(0, 4, n),
              "thal": rng.choice(["fixed", "normal", "reversible", "1", "2"], n, p=[0.1, 0.55, 0.33, 0.01, 0.01]),
              "target": rng.integers(0, 2, n)}).to_csv("heart.csv", index=False)
import tensorflow as tf
import keras
from keras import layers
from keras import ops
keras.utils.set_random_seed(0)
dataframe = pd.read_csv("heart.csv")
print(dataframe.shape)
print(dataframe.head())
val_dataframe = dataframe.sample(frac=0.2, random_state=1337)
train_dataframe = dataframe.drop(val_dataframe.index)
print("Using %d samples for training and %d for validation" % (len(train_dataframe), len(val_dataframe)))


def dataframe_to_dataset(dataframe):
    dataframe = dataframe.copy()
    labels = dataframe.pop("target")
    ds = tf.data.Dataset.from_tensor_slices((dict(dataframe), labels))
    return ds      # (the example shuffles here: left out, so both libraries see the rows in one order)


train_ds = dataframe_to_dataset(train_dataframe)
val_ds = dataframe_to_dataset(val_dataframe)
for x, y in train_ds.take(1):
    print("Input:", x)
    print("Target:", y)
train_ds = train_ds.batch(32)
val_ds = val_ds.batch(32)


def encode_numerical_feature(feature, name, dataset):
    normalizer = layers.Normalization()
    feature_ds = dataset.map(lambda x, y: x[name])
    feature_ds = feature_ds.map(lambda x: ops.expand_dims(x, -1))
    normalizer.adapt(feature_ds)
    encoded_feature = normalizer(feature)
    return encoded_feature


def encode_categorical_feature(feature, name, dataset, is_string):
    lookup_class = layers.StringLookup if is_string else layers.IntegerLookup
    lookup = lookup_class(output_mode="binary")
    feature_ds = dataset.map(lambda x, y: x[name])
    feature_ds = feature_ds.map(lambda x: ops.expand_dims(x, -1))
    lookup.adapt(feature_ds)
    encoded_feature = lookup(feature)
    return encoded_feature


sex = keras.Input(shape=(1,), name="sex", dtype="int64")
cp = keras.Input(shape=(1,), name="cp", dtype="int64")
fbs = keras.Input(shape=(1,), name="fbs", dtype="int64")
restecg = keras.Input(shape=(1,), name="restecg", dtype="int64")
exang = keras.Input(shape=(1,), name="exang", dtype="int64")
ca = keras.Input(shape=(1,), name="ca", dtype="int64")
thal = keras.Input(shape=(1,), name="thal", dtype="string")
age = keras.Input(shape=(1,), name="age")
trestbps = keras.Input(shape=(1,), name="trestbps")
chol = keras.Input(shape=(1,), name="chol")
thalach = keras.Input(shape=(1,), name="thalach")
oldpeak = keras.Input(shape=(1,), name="oldpeak")
slope = keras.Input(shape=(1,), name="slope")
all_inputs = [sex, cp, fbs, restecg, exang, ca, thal, age, trestbps, chol, thalach, oldpeak, slope]
sex_encoded = encode_categorical_feature(sex, "sex", train_ds, False)
cp_encoded = encode_categorical_feature(cp, "cp", train_ds, False)
fbs_encoded = encode_categorical_feature(fbs, "fbs", train_ds, False)
restecg_encoded = encode_categorical_feature(restecg, "restecg", train_ds, False)
exang_encoded = encode_categorical_feature(exang, "exang", train_ds, False)
ca_encoded = encode_categorical_feature(ca, "ca", train_ds, False)
thal_encoded = encode_categorical_feature(thal, "thal", train_ds, True)
age_encoded = encode_numerical_feature(age, "age", train_ds)
trestbps_encoded = encode_numerical_feature(trestbps, "trestbps", train_ds)
chol_encoded = encode_numerical_feature(chol, "chol", train_ds)
thalach_encoded = encode_numerical_feature(thalach, "thalach", train_ds)
oldpeak_encoded = encode_numerical_feature(oldpeak, "oldpeak", train_ds)
slope_encoded = encode_numerical_feature(slope, "slope", train_ds)
print(sex_encoded.shape, sex_encoded.dtype, thal_encoded.shape, age_encoded.shape, age_encoded.dtype)
all_features = layers.concatenate(
    [sex_encoded, cp_encoded, fbs_encoded, restecg_encoded, exang_encoded, slope_encoded, ca_encoded,
     thal_encoded, age_encoded, trestbps_encoded, chol_encoded, thalach_encoded, oldpeak_encoded]
)
x = layers.Dense(32, activation="relu")(all_features)
x = layers.Dropout(0.5)(x)
output = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(all_inputs, output)
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.summary()
model.fit(train_ds, epochs=3, validation_data=val_ds, verbose=2)
sample = {"age": 60, "sex": 1, "cp": 1, "trestbps": 145, "chol": 233, "fbs": 1, "restecg": 2, "thalach": 150,
          "exang": 0, "oldpeak": 2.3, "slope": 3, "ca": 0, "thal": "fixed"}
input_dict = {name: keras.ops.convert_to_tensor([value]) for name, value in sample.items()}
predictions = model.predict(input_dict, verbose=0)
print(
    f"This particular patient had a {100 * predictions[0][0]:.1f} "
    "percent probability of having a heart disease, "
    "as evaluated by our model."
)
"""

TF_OUTPUT = [
    '(303, 14)',
    '   age  sex  cp  trestbps  chol  ...  oldpeak  slope  ca        thal  target',
    '0   70    0   0       155   296  ...      0.8      2   3       fixed       1',
    '1   60    0   3       156   176  ...      3.6      3   2  reversible       1',
    '2   54    0   3       154   557  ...      6.1      1   1      normal       0',
    '3   42    0   2       100   419  ...      3.7      3   2       fixed       0',
    '4   44    1   0       194   494  ...      5.4      1   3  reversible       0',
    '',
    '[5 rows x 14 columns]',
    'Using 242 samples for training and 61 for validation',
    "Input: {'age': <tf.Tensor: shape=(), dtype=int64, numpy=70>, 'sex': <tf.Tensor: shape=(), dtype=int64, numpy=0>, 'cp': <tf.Tensor: shape=(), dtype=int64, numpy=0>, 'trestbps': <tf.Tensor: shape=(), dtype=int64, numpy=155>, 'chol': <tf.Tensor: shape=(), dtype=int64, numpy=296>, 'fbs': <tf.Tensor: shape=(), dtype=int64, numpy=0>, 'restecg': <tf.Tensor: shape=(), dtype=int64, numpy=2>, 'thalach': <tf.Tensor: shape=(), dtype=int64, numpy=73>, 'exang': <tf.Tensor: shape=(), dtype=int64, numpy=1>, 'oldpeak': <tf.Tensor: shape=(), dtype=float64, numpy=0.8>, 'slope': <tf.Tensor: shape=(), dtype=int64, numpy=2>, 'ca': <tf.Tensor: shape=(), dtype=int64, numpy=3>, 'thal': <tf.Tensor: shape=(), dtype=string, numpy=b'fixed'>}",
    'Target: tf.Tensor(1, shape=(), dtype=int64)',
    '(None, 3) float32 (None, 6) (None, 1) float32',
    'Model: "functional"',
    '┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩',
    '│ sex (InputLayer)    │ (None, 1)         │          0 │ -                 │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ cp (InputLayer)     │ (None, 1)         │          0 │ -                 │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ fbs (InputLayer)    │ (None, 1)         │          0 │ -                 │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ restecg             │ (None, 1)         │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ exang (InputLayer)  │ (None, 1)         │          0 │ -                 │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ slope (InputLayer)  │ (None, 1)         │          0 │ -                 │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ ca (InputLayer)     │ (None, 1)         │          0 │ -                 │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ thal (InputLayer)   │ (None, 1)         │          0 │ -                 │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ age (InputLayer)    │ (None, 1)         │          0 │ -                 │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ trestbps            │ (None, 1)         │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ chol (InputLayer)   │ (None, 1)         │          0 │ -                 │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ thalach             │ (None, 1)         │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ oldpeak             │ (None, 1)         │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ integer_lookup      │ (None, 3)         │          0 │ sex[0][0]         │',
    '│ (IntegerLookup)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ integer_lookup_1    │ (None, 6)         │          0 │ cp[0][0]          │',
    '│ (IntegerLookup)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ integer_lookup_2    │ (None, 3)         │          0 │ fbs[0][0]         │',
    '│ (IntegerLookup)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ integer_lookup_3    │ (None, 4)         │          0 │ restecg[0][0]     │',
    '│ (IntegerLookup)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ integer_lookup_4    │ (None, 3)         │          0 │ exang[0][0]       │',
    '│ (IntegerLookup)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ normalization_5     │ (None, 1)         │          3 │ slope[0][0]       │',
    '│ (Normalization)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ integer_lookup_5    │ (None, 5)         │          0 │ ca[0][0]          │',
    '│ (IntegerLookup)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ string_lookup       │ (None, 6)         │          0 │ thal[0][0]        │',
    '│ (StringLookup)      │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ normalization       │ (None, 1)         │          3 │ age[0][0]         │',
    '│ (Normalization)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ normalization_1     │ (None, 1)         │          3 │ trestbps[0][0]    │',
    '│ (Normalization)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ normalization_2     │ (None, 1)         │          3 │ chol[0][0]        │',
    '│ (Normalization)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ normalization_3     │ (None, 1)         │          3 │ thalach[0][0]     │',
    '│ (Normalization)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ normalization_4     │ (None, 1)         │          3 │ oldpeak[0][0]     │',
    '│ (Normalization)     │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ concatenate         │ (None, 36)        │          0 │ integer_lookup[0… │',
    '│ (Concatenate)       │                   │            │ integer_lookup_1… │',
    '│                     │                   │            │ integer_lookup_2… │',
    '│                     │                   │            │ integer_lookup_3… │',
    '│                     │                   │            │ integer_lookup_4… │',
    '│                     │                   │            │ normalization_5[… │',
    '│                     │                   │            │ integer_lookup_5… │',
    '│                     │                   │            │ string_lookup[0]… │',
    '│                     │                   │            │ normalization[0]… │',
    '│                     │                   │            │ normalization_1[… │',
    '│                     │                   │            │ normalization_2[… │',
    '│                     │                   │            │ normalization_3[… │',
    '│                     │                   │            │ normalization_4[… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dense (Dense)       │ (None, 32)        │      1,184 │ concatenate[0][0] │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dropout (Dropout)   │ (None, 32)        │          0 │ dense[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dense_1 (Dense)     │ (None, 1)         │         33 │ dropout[0][0]     │',
    '└─────────────────────┴───────────────────┴────────────┴───────────────────┘',
    ' Total params: 1,235 (4.85 KB)',
    ' Trainable params: 1,217 (4.75 KB)',
    ' Non-trainable params: 18 (96.00 B)',
    'Epoch 1/3',
    '8/8 - 4s - 558ms/step - accuracy: 0.5537 - loss: 0.7255 - val_accuracy: 0.5246 - val_loss: 0.6948',
    'Epoch 2/3',
    '8/8 - 0s - 18ms/step - accuracy: 0.5289 - loss: 0.7134 - val_accuracy: 0.5410 - val_loss: 0.6917',
    'Epoch 3/3',
    '8/8 - 0s - 6ms/step - accuracy: 0.5579 - loss: 0.7126 - val_accuracy: 0.5902 - val_loss: 0.6901',
    'This particular patient had a 56.0 percent probability of having a heart disease, as evaluated by our model.',
    '',
]

def test_structured_data_classification_from_scratch():
    keras.backend.clear_session()               # names and seeds as in a fresh process
    assert run_printing(PROGRAM) == [FIT_TIMING.sub("", line) for line in TF_OUTPUT]
