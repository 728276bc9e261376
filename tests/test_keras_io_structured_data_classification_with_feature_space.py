"""keras.io's example "Structured data classification with FeatureSpace"
(examples/structured_data/structured_data_classification_with_feature_space.py), run renamed on a
stand-in heart.csv (303 rows, the 14 columns and dtypes of the Cleveland file: ints, oldpeak float,
thal strings): pandas, dataframe.sample(frac=0.2, random_state=1337), Dataset.from_tensor_slices of
dict(dataframe), keras.utils.FeatureSpace with string kinds and crosses, then with FeatureSpace.<kind>()
and FeatureSpace.cross(...), adapt on the dataset without labels, the preprocessed batch's shape and
dtype, dataset.map(lambda x, y: (feature_space(x), y), num_parallel_calls=AUTOTUNE), the training
model on the encoded features (the graph cut there) and the inference model on the raw inputs, fit
with verbose=2, predict on a dict of keras.ops.convert_to_tensor([value]), the model saved and loaded.
The example's ds.shuffle is left out (TF's shuffle order is its own), so both libraries see the rows
in one order and, seeded alike, train to the same printed numbers. TF_OUTPUT was recorded under
TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python); the fit lines' timings are not compared.
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
from keras.utils import FeatureSpace
keras.utils.set_random_seed(0)
dataframe = pd.read_csv("heart.csv")
print(dataframe.shape)
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
feature_space = FeatureSpace(
    features={"sex": "integer_categorical", "cp": "integer_categorical", "fbs": "integer_categorical",
              "restecg": "integer_categorical", "exang": "integer_categorical", "ca": "integer_categorical",
              "thal": "string_categorical", "age": "float_discretized", "trestbps": "float_normalized",
              "chol": "float_normalized", "thalach": "float_normalized", "oldpeak": "float_normalized",
              "slope": "float_normalized"},
    crosses=[("sex", "age"), ("thal", "ca")],
    crossing_dim=32,
    output_mode="concat",
)
feature_space.adapt(train_ds.map(lambda x, _: x))
for x, _ in train_ds.take(1):
    print("default kinds:", feature_space(x).shape)
feature_space = FeatureSpace(
    features={
        "sex": FeatureSpace.integer_categorical(num_oov_indices=0),
        "cp": FeatureSpace.integer_categorical(num_oov_indices=0),
        "fbs": FeatureSpace.integer_categorical(num_oov_indices=0),
        "restecg": FeatureSpace.integer_categorical(num_oov_indices=0),
        "exang": FeatureSpace.integer_categorical(num_oov_indices=0),
        "ca": FeatureSpace.integer_categorical(num_oov_indices=0),
        "thal": FeatureSpace.string_categorical(num_oov_indices=0),
        "age": FeatureSpace.float_discretized(num_bins=30),
        "trestbps": FeatureSpace.float_normalized(),
        "chol": FeatureSpace.float_normalized(),
        "thalach": FeatureSpace.float_normalized(),
        "oldpeak": FeatureSpace.float_normalized(),
        "slope": FeatureSpace.float_normalized(),
    },
    crosses=[
        FeatureSpace.cross(feature_names=("sex", "age"), crossing_dim=64),
        FeatureSpace.cross(feature_names=("thal", "ca"), crossing_dim=16),
    ],
    output_mode="concat",
)
train_ds_with_no_labels = train_ds.map(lambda x, _: x)
feature_space.adapt(train_ds_with_no_labels)
for x, _ in train_ds.take(1):
    preprocessed_x = feature_space(x)
    print("preprocessed_x.shape:", preprocessed_x.shape)
    print("preprocessed_x.dtype:", preprocessed_x.dtype)
print([round(b, 3) for b in feature_space.preprocessors["age"].bin_boundaries[:6]])
preprocessed_train_ds = train_ds.map(lambda x, y: (feature_space(x), y), num_parallel_calls=tf.data.AUTOTUNE)
preprocessed_train_ds = preprocessed_train_ds.prefetch(tf.data.AUTOTUNE)
preprocessed_val_ds = val_ds.map(lambda x, y: (feature_space(x), y), num_parallel_calls=tf.data.AUTOTUNE)
preprocessed_val_ds = preprocessed_val_ds.prefetch(tf.data.AUTOTUNE)
dict_inputs = feature_space.get_inputs()
encoded_features = feature_space.get_encoded_features()
print(sorted(dict_inputs), encoded_features.shape)
x = keras.layers.Dense(32, activation="relu")(encoded_features)
x = keras.layers.Dropout(0.5)(x)
predictions = keras.layers.Dense(1, activation="sigmoid")(x)
training_model = keras.Model(inputs=encoded_features, outputs=predictions)
training_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
inference_model = keras.Model(inputs=dict_inputs, outputs=predictions)
training_model.fit(preprocessed_train_ds, epochs=3, validation_data=preprocessed_val_ds, verbose=2)
sample = {"age": 60, "sex": 1, "cp": 1, "trestbps": 145, "chol": 233, "fbs": 1, "restecg": 2, "thalach": 150,
          "exang": 0, "oldpeak": 2.3, "slope": 3, "ca": 0, "thal": "fixed"}
input_dict = {name: keras.ops.convert_to_tensor([value]) for name, value in sample.items()}
predictions = inference_model.predict(input_dict, verbose=0)
print(
    f"This particular patient had a {100 * predictions[0][0]:.2f}% probability "
    "of having a heart disease, as evaluated by our model."
)
inference_model.save("inference.keras")
reloaded = keras.models.load_model("inference.keras")
print(f"{100 * reloaded.predict(input_dict, verbose=0)[0][0]:.2f}%")
"""

TF_OUTPUT = [
    '(303, 14)',
    'Using 242 samples for training and 61 for validation',
    "Input: {'age': <tf.Tensor: shape=(), dtype=int64, numpy=70>, 'sex': <tf.Tensor: shape=(), dtype=int64, numpy=0>, 'cp': <tf.Tensor: shape=(), dtype=int64, numpy=0>, 'trestbps': <tf.Tensor: shape=(), dtype=int64, numpy=155>, 'chol': <tf.Tensor: shape=(), dtype=int64, numpy=296>, 'fbs': <tf.Tensor: shape=(), dtype=int64, numpy=0>, 'restecg': <tf.Tensor: shape=(), dtype=int64, numpy=2>, 'thalach': <tf.Tensor: shape=(), dtype=int64, numpy=73>, 'exang': <tf.Tensor: shape=(), dtype=int64, numpy=1>, 'oldpeak': <tf.Tensor: shape=(), dtype=float64, numpy=0.8>, 'slope': <tf.Tensor: shape=(), dtype=int64, numpy=2>, 'ca': <tf.Tensor: shape=(), dtype=int64, numpy=3>, 'thal': <tf.Tensor: shape=(), dtype=string, numpy=b'fixed'>}",
    'Target: tf.Tensor(1, shape=(), dtype=int64)',
    'default kinds: (32, 131)',
    'preprocessed_x.shape: (32, 138)',
    "preprocessed_x.dtype: <dtype: 'float32'>",
    '[29.388, 30.827, 31.991, 33.223, 34.922, 36.941]',
    "['age', 'ca', 'chol', 'cp', 'exang', 'fbs', 'oldpeak', 'restecg', 'sex', 'slope', 'thal', 'thalach', 'trestbps'] (None, 138)",
    'Epoch 1/3',
    '8/8 - 7s - 914ms/step - accuracy: 0.4876 - loss: 0.7192 - val_accuracy: 0.6721 - val_loss: 0.6745',
    'Epoch 2/3',
    '8/8 - 2s - 195ms/step - accuracy: 0.4711 - loss: 0.7136 - val_accuracy: 0.6885 - val_loss: 0.6707',
    'Epoch 3/3',
    '8/8 - 3s - 412ms/step - accuracy: 0.5579 - loss: 0.6955 - val_accuracy: 0.7049 - val_loss: 0.6682',
    'This particular patient had a 52.65% probability of having a heart disease, as evaluated by our model.',
    '52.65%',
    '',
]

def test_structured_data_classification_with_feature_space():
    keras.backend.clear_session()               # names and seeds as in a fresh process
    assert run_printing(PROGRAM) == [FIT_TIMING.sub("", line) for line in TF_OUTPUT]
