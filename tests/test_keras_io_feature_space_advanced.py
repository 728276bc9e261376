"""keras.io's example "FeatureSpace advanced use cases" (examples/structured_data/feature_space_advanced.py),
run renamed on a stand-in bank-additional.csv (600 rows of the bank-marketing file's 21 columns, sep=";"):
pandas (drop, map, head, sample), a StringLookup(vocabulary=["no", "yes"], num_oov_indices=0) label
map, FeatureSpace in dict mode for each kind (integer_hashed, string_hashed, float_discretized,
string_categorical with an OOV index, integer_categorical, a cross of mixed kinds, a TextVectorization
tf_idf preprocessor through FeatureSpace.feature) called on one unbatched element, then the final
concat FeatureSpace: its encoded sample printed, feature_space.save and keras.saving.load_model, a
training model on the encoded features, fit verbose=2, the loaded FeatureSpace's inputs and encoded
features, model(encoded_features) inside an inference model, predict on keras.ops.convert_to_tensor([v]).
The example's ds.shuffle is left out (TF's shuffle order is its own); print(encoded_features) and
print(dict_inputs) print shapes here (glassnet's symbolic tensors print their own names and NumPy dtypes).
TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python); fit's timings are
not compared.
"""

from conftest import FIT_TIMING, run_printing

from glassnet import keras

PROGRAM = """\
import os
import tempfile
import numpy as np
import pandas as pd
os.chdir(tempfile.mkdtemp())
rng = np.random.default_rng(0)   # (bank-additional.csv in the example: 4119 rows of these 21 columns, sep=";")
n = 600
pick = lambda values, p=None: rng.choice(values, n, p=p)
pd.DataFrame({
    "age": rng.integers(18, 90, n), "job": pick(["admin.", "blue-collar", "technician", "services", "management",
                                                  "retired", "entrepreneur", "self-employed", "housemaid",
                                                  "unemployed", "student", "unknown"]),
    "marital": pick(["married", "single", "divorced", "unknown"], [0.6, 0.28, 0.1, 0.02]),
    "education": pick(["university.degree", "high.school", "basic.9y", "professional.course", "basic.4y",
                       "basic.6y", "unknown", "illiterate"], [0.3, 0.23, 0.15, 0.13, 0.1, 0.05, 0.03, 0.01]),
    "default": pick(["no", "unknown", "yes"], [0.8, 0.19, 0.01]), "housing": pick(["yes", "no", "unknown"]),
    "loan": pick(["no", "yes", "unknown"], [0.8, 0.15, 0.05]), "contact": pick(["cellular", "telephone"]),
    "month": pick(["may", "jul", "aug", "jun", "nov", "apr", "oct", "sep", "mar", "dec"]),
    "day_of_week": pick(["mon", "tue", "wed", "thu", "fri"]), "duration": rng.integers(0, 3000, n),
    "campaign": rng.integers(1, 12, n), "pdays": np.where(rng.random(n) < 0.9, 999, rng.integers(0, 27, n)),
    "previous": rng.integers(0, 4, n), "poutcome": pick(["nonexistent", "failure", "success"], [0.85, 0.1, 0.05]),
    "emp.var.rate": pick([-3.4, -1.8, -0.1, 1.1, 1.4]), "cons.price.idx": pick([92.201, 92.893, 93.994, 94.465]),
    "cons.conf.idx": pick([-46.2, -36.4, -42.7, -41.8]), "euribor3m": rng.uniform(0.6, 5.0, n).round(3),
    "nr.employed": pick([4963.6, 5099.1, 5191.0, 5228.1]), "y": pick(["no", "yes"], [0.89, 0.11]),
}).to_csv("bank-additional.csv", sep=";", index=False)
import keras
from keras.utils import FeatureSpace
import pandas as pd
import tensorflow as tf
keras.utils.set_random_seed(0)
dataframe = pd.read_csv("bank-additional.csv", sep=";")
dataframe.drop("duration", axis=1, inplace=True)
dataframe["previously_contacted"] = dataframe["pdays"].map(lambda x: 0 if x == 999 else 1)
print(f"Dataframe shape: {dataframe.shape}")
print(dataframe.head())
valid_dataframe = dataframe.sample(frac=0.2, random_state=0)
train_dataframe = dataframe.drop(valid_dataframe.index)
print(f"Using {len(train_dataframe)} samples for training and {len(valid_dataframe)} for validation")
label_lookup = keras.layers.StringLookup(vocabulary=["no", "yes"], num_oov_indices=0)


def encode_label(x, y):
    encoded_y = label_lookup(y)
    return x, encoded_y


def dataframe_to_dataset(dataframe):
    dataframe = dataframe.copy()
    labels = dataframe.pop("y")
    ds = tf.data.Dataset.from_tensor_slices((dict(dataframe), labels))
    ds = ds.map(encode_label, num_parallel_calls=tf.data.AUTOTUNE)
    return ds      # (the example shuffles here: left out, so both libraries see the rows in one order)


train_ds = dataframe_to_dataset(train_dataframe)
valid_ds = dataframe_to_dataset(valid_dataframe)
for x, y in dataframe_to_dataset(train_dataframe).take(1):
    print(f"Input: {x}")
    print(f"Target: {y}")
train_ds_with_no_labels = train_ds.map(lambda x, _: x)


def example_feature_space(dataset, feature_space, feature_names):
    feature_space.adapt(dataset)
    for x in dataset.take(1):
        inputs = {feature_name: x[feature_name] for feature_name in feature_names}
        preprocessed_x = feature_space(inputs)
        print(f"Input: {[{k:v.numpy()} for k, v in inputs.items()]}")
        print(f"Preprocessed output: {[{k:v.numpy()} for k, v in preprocessed_x.items()]}")


feature_space = FeatureSpace(
    features={"campaign": FeatureSpace.integer_hashed(num_bins=4, output_mode="one_hot")}, output_mode="dict"
)
example_feature_space(train_ds_with_no_labels, feature_space, ["campaign"])
feature_space = FeatureSpace(
    features={"education": FeatureSpace.string_hashed(num_bins=3, output_mode="one_hot")}, output_mode="dict"
)
example_feature_space(train_ds_with_no_labels, feature_space, ["education"])
feature_space = FeatureSpace(
    features={"age": FeatureSpace.float_discretized(num_bins=3, output_mode="one_hot")}, output_mode="dict"
)
example_feature_space(train_ds_with_no_labels, feature_space, ["age"])
feature_space = FeatureSpace(
    features={"default": FeatureSpace.string_categorical(num_oov_indices=1, output_mode="one_hot")},
    output_mode="dict",
)
example_feature_space(train_ds_with_no_labels, feature_space, ["default"])
feature_space = FeatureSpace(
    features={"previously_contacted": FeatureSpace.integer_categorical(num_oov_indices=0, output_mode="one_hot")},
    output_mode="dict",
)
example_feature_space(train_ds_with_no_labels, feature_space, ["previously_contacted"])
feature_space = FeatureSpace(
    features={
        "age": FeatureSpace.integer_hashed(num_bins=6, output_mode="one_hot"),
        "job": FeatureSpace.string_categorical(num_oov_indices=0, output_mode="one_hot"),
    },
    crosses=[FeatureSpace.cross(feature_names=("age", "job"), crossing_dim=8, output_mode="one_hot")],
    output_mode="dict",
)
example_feature_space(train_ds_with_no_labels, feature_space, ["age", "job"])
custom_layer = keras.layers.TextVectorization(output_mode="tf_idf")
feature_space = FeatureSpace(
    features={"education": FeatureSpace.feature(preprocessor=custom_layer, dtype="string", output_mode="float")},
    output_mode="dict",
)
example_feature_space(train_ds_with_no_labels, feature_space, ["education"])
feature_space = FeatureSpace(
    features={
        "previously_contacted": FeatureSpace.integer_categorical(num_oov_indices=0),
        "marital": FeatureSpace.string_categorical(num_oov_indices=0),
        "education": FeatureSpace.string_categorical(num_oov_indices=0),
        "default": FeatureSpace.string_categorical(num_oov_indices=0),
        "housing": FeatureSpace.string_categorical(num_oov_indices=0),
        "loan": FeatureSpace.string_categorical(num_oov_indices=0),
        "contact": FeatureSpace.string_categorical(num_oov_indices=0),
        "month": FeatureSpace.string_categorical(num_oov_indices=0),
        "day_of_week": FeatureSpace.string_categorical(num_oov_indices=0),
        "poutcome": FeatureSpace.string_categorical(num_oov_indices=0),
        "job": FeatureSpace.string_hashed(num_bins=3),
        "pdays": FeatureSpace.integer_hashed(num_bins=4),
        "age": FeatureSpace.float_discretized(num_bins=4),
        "campaign": FeatureSpace.float_normalized(),
        "previous": FeatureSpace.float_normalized(),
        "emp.var.rate": FeatureSpace.float_normalized(),
        "cons.price.idx": FeatureSpace.float_normalized(),
        "cons.conf.idx": FeatureSpace.float_normalized(),
        "euribor3m": FeatureSpace.float_normalized(),
        "nr.employed": FeatureSpace.float_normalized(),
    },
    crosses=[
        FeatureSpace.cross(feature_names=("age", "job"), crossing_dim=8),
        FeatureSpace.cross(feature_names=("housing", "loan"), crossing_dim=6),
        FeatureSpace.cross(feature_names=("poutcome", "previously_contacted"), crossing_dim=2),
    ],
    output_mode="concat",
)
train_ds = train_ds.batch(32)
valid_ds = valid_ds.batch(32)
train_ds_with_no_labels = train_ds.map(lambda x, _: x)
feature_space.adapt(train_ds_with_no_labels)
for x, _ in train_ds.take(1):
    preprocessed_x = feature_space(x)
    print(f"preprocessed_x shape: {preprocessed_x.shape}")
    print(f"preprocessed_x sample: \\n{preprocessed_x[0]}")
feature_space.save("myfeaturespace.keras")
preprocessed_train_ds = train_ds.map(
    lambda x, y: (feature_space(x), y), num_parallel_calls=tf.data.AUTOTUNE
).prefetch(tf.data.AUTOTUNE)
preprocessed_valid_ds = valid_ds.map(
    lambda x, y: (feature_space(x), y), num_parallel_calls=tf.data.AUTOTUNE
).prefetch(tf.data.AUTOTUNE)
encoded_features = feature_space.get_encoded_features()
print(encoded_features.shape, encoded_features.dtype)
x = keras.layers.Dense(64, activation="relu")(encoded_features)
x = keras.layers.Dropout(0.5)(x)
output = keras.layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs=encoded_features, outputs=output)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(preprocessed_train_ds, validation_data=preprocessed_valid_ds, epochs=3, verbose=2)
loaded_feature_space = keras.saving.load_model("myfeaturespace.keras")
dict_inputs = loaded_feature_space.get_inputs()
encoded_features = loaded_feature_space.get_encoded_features()
print(encoded_features.shape, encoded_features.dtype)
print({name: t.shape for name, t in dict_inputs.items()})
outputs = model(encoded_features)
inference_model = keras.Model(inputs=dict_inputs, outputs=outputs)
sample = {
    "age": 30, "job": "blue-collar", "marital": "married", "education": "basic.9y", "default": "no",
    "housing": "yes", "loan": "no", "contact": "cellular", "month": "may", "day_of_week": "fri", "campaign": 2,
    "pdays": 999, "previous": 0, "poutcome": "nonexistent", "emp.var.rate": -1.8, "cons.price.idx": 92.893,
    "cons.conf.idx": -46.2, "euribor3m": 1.313, "nr.employed": 5099.1, "previously_contacted": 0,
}
input_dict = {name: keras.ops.convert_to_tensor([value]) for name, value in sample.items()}
predictions = inference_model.predict(input_dict, verbose=0)
print(
    f"This particular client has a {100 * predictions[0][0]:.2f}% probability "
    "of subscribing a term deposit, as evaluated by our model."
)
"""

TF_OUTPUT = [
    'Dataframe shape: (600, 21)',
    '   age            job  marital  ...  nr.employed   y  previously_contacted',
    '0   79  self-employed  married  ...       5191.0  no                     1',
    '1   63        student   single  ...       5099.1  no                     0',
    '2   54  self-employed   single  ...       5099.1  no                     1',
    '3   37   entrepreneur   single  ...       5191.0  no                     0',
    '4   40        retired   single  ...       5099.1  no                     0',
    '',
    '[5 rows x 21 columns]',
    'Using 480 samples for training and 120 for validation',
    "Input: {'age': <tf.Tensor: shape=(), dtype=int64, numpy=79>, 'job': <tf.Tensor: shape=(), dtype=string, numpy=b'self-employed'>, 'marital': <tf.Tensor: shape=(), dtype=string, numpy=b'married'>, 'education': <tf.Tensor: shape=(), dtype=string, numpy=b'high.school'>, 'default': <tf.Tensor: shape=(), dtype=string, numpy=b'no'>, 'housing': <tf.Tensor: shape=(), dtype=string, numpy=b'no'>, 'loan': <tf.Tensor: shape=(), dtype=string, numpy=b'no'>, 'contact': <tf.Tensor: shape=(), dtype=string, numpy=b'cellular'>, 'month': <tf.Tensor: shape=(), dtype=string, numpy=b'dec'>, 'day_of_week': <tf.Tensor: shape=(), dtype=string, numpy=b'thu'>, 'campaign': <tf.Tensor: shape=(), dtype=int64, numpy=1>, 'pdays': <tf.Tensor: shape=(), dtype=int64, numpy=14>, 'previous': <tf.Tensor: shape=(), dtype=int64, numpy=0>, 'poutcome': <tf.Tensor: shape=(), dtype=string, numpy=b'nonexistent'>, 'emp.var.rate': <tf.Tensor: shape=(), dtype=float64, numpy=-1.8>, 'cons.price.idx': <tf.Tensor: shape=(), dtype=float64, numpy=92.201>, 'cons.conf.idx': <tf.Tensor: shape=(), dtype=float64, numpy=-41.8>, 'euribor3m': <tf.Tensor: shape=(), dtype=float64, numpy=2.924>, 'nr.employed': <tf.Tensor: shape=(), dtype=float64, numpy=5191.0>, 'previously_contacted': <tf.Tensor: shape=(), dtype=int64, numpy=1>}",
    'Target: 0',
    "Input: [{'campaign': np.int64(1)}]",
    "Preprocessed output: [{'campaign': array([0., 1., 0., 0.], dtype=float32)}]",
    "Input: [{'education': b'high.school'}]",
    "Preprocessed output: [{'education': array([1., 0., 0.], dtype=float32)}]",
    "Input: [{'age': np.int64(79)}]",
    "Preprocessed output: [{'age': array([0., 0., 1.], dtype=float32)}]",
    "Input: [{'default': b'no'}]",
    "Preprocessed output: [{'default': array([0., 1., 0., 0.], dtype=float32)}]",
    "Input: [{'previously_contacted': np.int64(1)}]",
    "Preprocessed output: [{'previously_contacted': array([0., 1.], dtype=float32)}]",
    "Input: [{'age': np.int64(79)}, {'job': b'self-employed'}]",
    "Preprocessed output: [{'age': array([0., 0., 0., 0., 0., 1.], dtype=float32)}, {'job': array([1., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0.], dtype=float32)}, {'age_X_job': array([0., 0., 0., 0., 1., 0., 0., 0.], dtype=float32)}]",
    "Input: [{'education': b'high.school'}]",
    "Preprocessed output: [{'education': array([0.      , 0.      , 1.702196, 0.      , 0.      , 0.      ,",
    '       0.      , 0.      , 0.      ], dtype=float32)}]',
    'preprocessed_x shape: (32, 77)',
    'preprocessed_x sample: ',
    '[ 0.          0.          0.          1.         -1.6127398   0.00204442',
    ' -1.3573415   1.          0.          0.          0.          1.',
    '  0.          0.          1.          0.          0.          0.',
    '  1.          0.          0.          0.          0.          0.',
    '  0.         -0.69162     0.12185478  1.          0.          0.',
    '  1.          0.          0.          1.          0.          0.',
    '  1.          0.          0.          0.          0.          0.',
    '  0.          0.          0.          0.          0.          0.',
    '  0.          1.          0.70936114  0.          1.          0.',
    '  0.          1.          0.          0.         -1.3685567   0.',
    '  1.          1.          0.          0.          0.          0.',
    '  0.          0.          0.          0.          0.          0.',
    '  0.          1.          0.          0.          1.        ]',
    '(None, 77) float32',
    'Epoch 1/3',
    '15/15 - 8s - 563ms/step - accuracy: 0.5396 - loss: 0.7014 - val_accuracy: 0.9250 - val_loss: 0.4568',
    'Epoch 2/3',
    '15/15 - 3s - 202ms/step - accuracy: 0.8500 - loss: 0.4650 - val_accuracy: 0.9250 - val_loss: 0.3121',
    'Epoch 3/3',
    '15/15 - 3s - 223ms/step - accuracy: 0.8729 - loss: 0.3813 - val_accuracy: 0.9250 - val_loss: 0.2749',
    '(None, 77) float32',
    "{'previously_contacted': (None, 1), 'marital': (None, 1), 'education': (None, 1), 'default': (None, 1), 'housing': (None, 1), 'loan': (None, 1), 'contact': (None, 1), 'month': (None, 1), 'day_of_week': (None, 1), 'poutcome': (None, 1), 'job': (None, 1), 'pdays': (None, 1), 'age': (None, 1), 'campaign': (None, 1), 'previous': (None, 1), 'emp.var.rate': (None, 1), 'cons.price.idx': (None, 1), 'cons.conf.idx': (None, 1), 'euribor3m': (None, 1), 'nr.employed': (None, 1)}",
    'This particular client has a 10.46% probability of subscribing a term deposit, as evaluated by our model.',
    '',
]

def test_feature_space_advanced():
    keras.backend.clear_session()               # names and seeds as in a fresh process
    assert run_printing(PROGRAM) == [FIT_TIMING.sub("", line) for line in TF_OUTPUT]
