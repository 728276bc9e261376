"""keras.io's example "Structured data learning with Wide, Deep, and Cross networks"
(examples/structured_data/wide_deep_cross_networks.py, its Keras 3 version), run renamed on a stand-in
covtype.data (1,400 rows: 10 numbers, the 4 + 40 one-hot area and soil columns, the cover type): pandas
(apply over one-hot columns, concat, groupby, sample), the CSV files, tf_data.experimental.make_csv_dataset
with column_defaults and label_name, .map(process) and .cache(), dict inputs of shape () (float32 and
string), StringLookup(vocabulary=..., output_mode="binary"/"int"), Embedding, keras.ops.expand_dims,
layers.concatenate, BatchNormalization, ReLU, Dropout, x0 * x + cross on symbolic tensors, three models
trained one epoch and evaluated. The example's shuffle=True is left out (TF's order is its own). The
fit lines hold Keras's losses to 1e-3 and accuracies to 0.01: the biases of the Dense layers before
BatchNormalization have gradients that are rounding noise (exactly zero in arithmetic), and Adam turns
that noise into steps of the learning rate either way, so the last digits are each library's own (the
first two models agree to the printed digit, the cross model to 6e-4 in the loss and 0.002 in the
accuracy; the gradients themselves agree to float32's digits); the test accuracy within 2 points.
TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python).
"""
import re

from conftest import FIT_TIMING, run_printing

from glassnet import keras

PROGRAM = """\
import os
import tempfile
import numpy as np
import pandas as pd
os.chdir(tempfile.mkdtemp())
rng = np.random.default_rng(0)   # (covtype.data.gz in the example: 10 numbers, 4 + 40 one-hot columns, the cover type)
n = 1400
numbers = np.column_stack([rng.integers(1860, 3850, n), rng.integers(0, 360, n), rng.integers(0, 60, n),
                           rng.integers(0, 1400, n), rng.integers(-170, 600, n), rng.integers(0, 7100, n),
                           rng.integers(0, 255, n), rng.integers(0, 255, n), rng.integers(0, 255, n),
                           rng.integers(0, 7200, n)])
area = np.eye(4, dtype=int)[rng.integers(0, 4, n)]
soil = np.eye(40, dtype=int)[rng.integers(0, 40, n)]
cover = rng.integers(1, 8, n)
pd.DataFrame(np.column_stack([numbers, area, soil, cover])).to_csv("covtype.data", header=False, index=False)
import math
import numpy as np
import pandas as pd
from tensorflow import data as tf_data
import keras
from keras import layers
keras.utils.set_random_seed(0)
raw_data = pd.read_csv("covtype.data", header=None)
print(f"Dataset shape: {raw_data.shape}")
soil_type_values = [f"soil_type_{idx+1}" for idx in range(40)]
wilderness_area_values = [f"area_type_{idx+1}" for idx in range(4)]
soil_type = raw_data.loc[:, 14:53].apply(lambda x: soil_type_values[0::1][x.to_numpy().nonzero()[0][0]], axis=1)
wilderness_area = raw_data.loc[:, 10:13].apply(
    lambda x: wilderness_area_values[0::1][x.to_numpy().nonzero()[0][0]], axis=1
)
CSV_HEADER = [
    "Elevation", "Aspect", "Slope", "Horizontal_Distance_To_Hydrology", "Vertical_Distance_To_Hydrology",
    "Horizontal_Distance_To_Roadways", "Hillshade_9am", "Hillshade_Noon", "Hillshade_3pm",
    "Horizontal_Distance_To_Fire_Points", "Wilderness_Area", "Soil_Type", "Cover_Type",
]
data = pd.concat([raw_data.loc[:, 0:9], wilderness_area, soil_type, raw_data.loc[:, 54]], axis=1, ignore_index=True)
data.columns = CSV_HEADER
data["Cover_Type"] = data["Cover_Type"] - 1
print(f"Dataset shape: {data.shape}")
print(data.head().T)
train_splits = []
test_splits = []
for _, group_data in data.groupby("Cover_Type"):
    random_selection = np.random.rand(len(group_data.index)) <= 0.85
    train_splits.append(group_data[random_selection])
    test_splits.append(group_data[~random_selection])
train_data = pd.concat(train_splits).sample(frac=1).reset_index(drop=True)
test_data = pd.concat(test_splits).sample(frac=1).reset_index(drop=True)
print(f"Train split size: {len(train_data.index)}")
print(f"Test split size: {len(test_data.index)}")
train_data_file = "train_data.csv"
test_data_file = "test_data.csv"
train_data.to_csv(train_data_file, index=False)
test_data.to_csv(test_data_file, index=False)
TARGET_FEATURE_NAME = "Cover_Type"
TARGET_FEATURE_LABELS = ["0", "1", "2", "3", "4", "5", "6"]
NUMERIC_FEATURE_NAMES = [
    "Aspect", "Elevation", "Hillshade_3pm", "Hillshade_9am", "Hillshade_Noon", "Horizontal_Distance_To_Fire_Points",
    "Horizontal_Distance_To_Hydrology", "Horizontal_Distance_To_Roadways", "Slope", "Vertical_Distance_To_Hydrology",
]
CATEGORICAL_FEATURES_WITH_VOCABULARY = {
    "Soil_Type": list(data["Soil_Type"].unique()),
    "Wilderness_Area": list(data["Wilderness_Area"].unique()),
}
CATEGORICAL_FEATURE_NAMES = list(CATEGORICAL_FEATURES_WITH_VOCABULARY.keys())
FEATURE_NAMES = NUMERIC_FEATURE_NAMES + CATEGORICAL_FEATURE_NAMES
COLUMN_DEFAULTS = [
    [0] if feature_name in NUMERIC_FEATURE_NAMES + [TARGET_FEATURE_NAME] else ["NA"] for feature_name in CSV_HEADER
]
NUM_CLASSES = len(TARGET_FEATURE_LABELS)


def process(features, target):
    return dict(features), target


def get_dataset_from_csv(csv_file_path, batch_size, shuffle=False):
    dataset = tf_data.experimental.make_csv_dataset(
        csv_file_path,
        batch_size=batch_size,
        column_names=CSV_HEADER,
        column_defaults=COLUMN_DEFAULTS,
        label_name=TARGET_FEATURE_NAME,
        num_epochs=1,
        header=True,
        shuffle=shuffle,
    ).map(process)
    return dataset.cache()


learning_rate = 0.001
dropout_rate = 0.1
batch_size = 265
num_epochs = 1
hidden_units = [32, 32]


def run_experiment(model):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    train_dataset = get_dataset_from_csv(train_data_file, batch_size)   # (shuffle=True in the example)
    test_dataset = get_dataset_from_csv(test_data_file, batch_size)
    print("Start training the model...")
    history = model.fit(train_dataset, epochs=num_epochs, verbose=2)
    print("Model training finished")
    _, accuracy = model.evaluate(test_dataset, verbose=0)
    print(f"Test accuracy: {round(accuracy * 100, 2)}%")


def create_model_inputs():
    inputs = {}
    for feature_name in FEATURE_NAMES:
        if feature_name in NUMERIC_FEATURE_NAMES:
            inputs[feature_name] = layers.Input(name=feature_name, shape=(), dtype="float32")
        else:
            inputs[feature_name] = layers.Input(name=feature_name, shape=(), dtype="string")
    return inputs


def encode_inputs(inputs, use_embedding=False):
    encoded_features = []
    for feature_name in inputs:
        if feature_name in CATEGORICAL_FEATURE_NAMES:
            vocabulary = CATEGORICAL_FEATURES_WITH_VOCABULARY[feature_name]
            lookup = layers.StringLookup(
                vocabulary=vocabulary,
                mask_token=None,
                num_oov_indices=0,
                output_mode="int" if use_embedding else "binary",
            )
            if use_embedding:
                encoded_feature = lookup(inputs[feature_name])
                embedding_dims = int(math.sqrt(len(vocabulary)))
                embedding = layers.Embedding(input_dim=len(vocabulary), output_dim=embedding_dims)
                encoded_feature = embedding(encoded_feature)
            else:
                encoded_feature = lookup(keras.ops.expand_dims(inputs[feature_name], -1))
        else:
            encoded_feature = keras.ops.expand_dims(inputs[feature_name], -1)
        encoded_features.append(encoded_feature)
    all_features = layers.concatenate(encoded_features)
    return all_features


def create_baseline_model():
    inputs = create_model_inputs()
    features = encode_inputs(inputs)
    for units in hidden_units:
        features = layers.Dense(units)(features)
        features = layers.BatchNormalization()(features)
        features = layers.ReLU()(features)
        features = layers.Dropout(dropout_rate)(features)
    outputs = layers.Dense(units=NUM_CLASSES, activation="softmax")(features)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


baseline_model = create_baseline_model()
print(baseline_model.count_params(), baseline_model.output_shape)
run_experiment(baseline_model)


def create_wide_and_deep_model():
    inputs = create_model_inputs()
    wide = encode_inputs(inputs)
    wide = layers.BatchNormalization()(wide)
    deep = encode_inputs(inputs, use_embedding=True)
    for units in hidden_units:
        deep = layers.Dense(units)(deep)
        deep = layers.BatchNormalization()(deep)
        deep = layers.ReLU()(deep)
        deep = layers.Dropout(dropout_rate)(deep)
    merged = layers.concatenate([wide, deep])
    outputs = layers.Dense(units=NUM_CLASSES, activation="softmax")(merged)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


wide_and_deep_model = create_wide_and_deep_model()
print(wide_and_deep_model.count_params(), wide_and_deep_model.output_shape)
run_experiment(wide_and_deep_model)


def create_deep_and_cross_model():
    inputs = create_model_inputs()
    x0 = encode_inputs(inputs, use_embedding=True)
    cross = x0
    for _ in hidden_units:
        units = cross.shape[-1]
        x = layers.Dense(units)(cross)
        cross = x0 * x + cross
    cross = layers.BatchNormalization()(cross)
    deep = x0
    for units in hidden_units:
        deep = layers.Dense(units)(deep)
        deep = layers.BatchNormalization()(deep)
        deep = layers.ReLU()(deep)
        deep = layers.Dropout(dropout_rate)(deep)
    merged = layers.concatenate([cross, deep])
    outputs = layers.Dense(units=NUM_CLASSES, activation="softmax")(merged)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


deep_and_cross_model = create_deep_and_cross_model()
print(deep_and_cross_model.count_params(), deep_and_cross_model.output_shape)
run_experiment(deep_and_cross_model)
"""

TF_OUTPUT = [
    'Dataset shape: (1400, 55)',
    'Dataset shape: (1400, 13)',
    '                                               0  ...             4',
    'Elevation                                   3552  ...          2472',
    'Aspect                                       313  ...           312',
    'Slope                                         31  ...            34',
    'Horizontal_Distance_To_Hydrology            1173  ...           683',
    'Vertical_Distance_To_Hydrology               -18  ...           133',
    'Horizontal_Distance_To_Roadways              841  ...          5547',
    'Hillshade_9am                                 45  ...           203',
    'Hillshade_Noon                               128  ...           154',
    'Hillshade_3pm                                 61  ...           245',
    'Horizontal_Distance_To_Fire_Points          2313  ...          1895',
    'Wilderness_Area                      area_type_1  ...   area_type_3',
    'Soil_Type                           soil_type_27  ...  soil_type_11',
    'Cover_Type                                     1  ...             6',
    '',
    '[13 rows x 5 columns]',
    'Train split size: 1164',
    'Test split size: 236',
    '3303 (None, 7)',
    'Start training the model...',
    '5/5 - 14s - 3s/step - loss: 2.3093 - sparse_categorical_accuracy: 0.1503',
    'Model training finished',
    'Test accuracy: 16.53%',
    '2993 (None, 7)',
    'Start training the model...',
    '5/5 - 20s - 4s/step - loss: 2.5410 - sparse_categorical_accuracy: 0.1280',
    'Model training finished',
    'Test accuracy: 14.83%',
    '3281 (None, 7)',
    'Start training the model...',
    '5/5 - 21s - 4s/step - loss: 2.2820 - sparse_categorical_accuracy: 0.1375',
    'Model training finished',
    'Test accuracy: 13.56%',
    '',
]

def test_wide_deep_cross_networks():
    keras.backend.clear_session()               # names and seeds as in a fresh process
    got = run_printing(PROGRAM)
    want = [FIT_TIMING.sub("", line) for line in TF_OUTPUT]
    assert len(got) == len(want), "\n".join(got)
    number = re.compile(r"\d+\.\d+")
    for g, w in zip(got, want):
        if "loss:" in w or w.startswith("Test accuracy"):
            assert number.sub("#", g) == number.sub("#", w), (g, w)
            tolerance = 2.0 if w.startswith("Test accuracy") else 1e-3      # (points; the loss)
            for (name, a), (_, b) in zip(re.findall(r"(\w+):? (\d+\.\d+)", g), re.findall(r"(\w+):? (\d+\.\d+)", w)):
                bound = 0.01 if "accuracy" in name and "loss:" in w else tolerance
                assert abs(float(a) - float(b)) <= bound, (g, w)
        else:
            assert g == w
