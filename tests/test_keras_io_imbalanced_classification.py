"""keras.io's example "Imbalanced classification: credit card fraud detection"
(examples/structured_data/imbalanced_classification.py, its Keras 3 version), run renamed on a stand-in
creditcard.csv (3,000 rows of Kaggle's quoted header, Time, V1..V28, Amount and a quoted "Class", 3% frauds):
the file read with csv-style splitting, np.bincount of the targets and the positive-samples line,
normalization by the training statistics, the Sequential model's summary, compile with
FalseNegatives/FalsePositives/TrueNegatives/TruePositives/Precision/Recall, fit with class_weight,
ModelCheckpoint("fraud_model_at_epoch_{epoch}.keras") and verbose=2: every metric and val_ metric of every
epoch as Keras prints it, and the checkpoint files. TF_OUTPUT was recorded under TensorFlow 2.21 /
Keras 3.15 (/work/peers/bin/python); fit's timings are not compared.
"""

from conftest import FIT_TIMING, run_printing

from glassnet import keras

PROGRAM = """\
import os
import tempfile
import numpy as np
os.chdir(tempfile.mkdtemp())
rng = np.random.default_rng(0)      # (creditcard.csv in the example: Time, V1..V28, Amount, "Class"; few frauds)
n = 3000
cls = (rng.random(n) < 0.03).astype(int)
cols = np.column_stack([np.arange(n) * 2.0, rng.normal(size=(n, 28)) + cls[:, None] * 0.8,
                        rng.gamma(2.0, 40.0, n).round(2)])
with open("creditcard.csv", "w") as f:
    f.write(",".join(['"Time"'] + [f'"V{i}"' for i in range(1, 29)] + ['"Amount"', '"Class"']) + "\\n")
    for row, c in zip(cols, cls):
        f.write(",".join(repr(float(v)) for v in row) + f',"{c}"\\n')
import csv
import numpy as np
import keras
keras.utils.set_random_seed(0)
fname = "creditcard.csv"
all_features = []
all_targets = []
with open(fname) as f:
    for i, line in enumerate(f):
        if i == 0:
            print("HEADER:", line.strip())
            continue  # Skip header
        fields = line.strip().split(",")
        all_features.append([float(v.replace('"', "")) for v in fields[:-1]])
        all_targets.append([int(fields[-1].replace('"', ""))])
        if i == 1:
            print("EXAMPLE FEATURES:", all_features[-1])

features = np.array(all_features, dtype="float32")
targets = np.array(all_targets, dtype="uint8")
print("features.shape:", features.shape)
print("targets.shape:", targets.shape)
num_val_samples = int(len(features) * 0.2)
train_features = features[:-num_val_samples]
train_targets = targets[:-num_val_samples]
val_features = features[-num_val_samples:]
val_targets = targets[-num_val_samples:]
print("Number of training samples:", len(train_features))
print("Number of validation samples:", len(val_features))
counts = np.bincount(train_targets[:, 0])
print(
    "Number of positive samples in training data: {} ({:.2f}% of total)".format(
        counts[1], 100 * float(counts[1]) / len(train_targets)
    )
)
weight_for_0 = 1.0 / counts[0]
weight_for_1 = 1.0 / counts[1]
mean = np.mean(train_features, axis=0)
train_features -= mean
val_features -= mean
std = np.std(train_features, axis=0)
train_features /= std
val_features /= std
model = keras.Sequential(
    [
        keras.Input(shape=train_features.shape[1:]),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)
model.summary()
metrics = [
    keras.metrics.FalseNegatives(name="fn"),
    keras.metrics.FalsePositives(name="fp"),
    keras.metrics.TrueNegatives(name="tn"),
    keras.metrics.TruePositives(name="tp"),
    keras.metrics.Precision(name="precision"),
    keras.metrics.Recall(name="recall"),
]
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=metrics)
callbacks = [keras.callbacks.ModelCheckpoint("fraud_model_at_epoch_{epoch}.keras")]
class_weight = {0: weight_for_0, 1: weight_for_1}
model.fit(
    train_features,
    train_targets,
    batch_size=2048,
    epochs=3,
    verbose=2,
    callbacks=callbacks,
    validation_data=(val_features, val_targets),
    class_weight=class_weight,
)
print(sorted(name for name in os.listdir(".") if name.endswith(".keras")))
"""

TF_OUTPUT = [
    'HEADER: "Time","V1","V2","V3","V4","V5","V6","V7","V8","V9","V10","V11","V12","V13","V14","V15","V16","V17","V18","V19","V20","V21","V22","V23","V24","V25","V26","V27","V28","Amount","Class"',
    'EXAMPLE FEATURES: [0.0, -0.25024315898180166, -0.38073603329011385, -0.8735687005905115, -1.1930087089371764, 0.05964869941978189, 0.2635598382876176, -0.27727835054438915, 0.5623565268593742, 0.31180943695060304, 1.0116631952729296, 0.043262599181645885, 0.15319185916557274, 1.1207956387882363, -0.43161573086949906, 0.46204763521257963, 0.9953449320253114, 0.9026613873972709, 0.8318435841868139, 0.6250778900797063, -0.28210926993459684, 0.9844398229225825, -0.5028697927790395, -0.4201588367582122, -0.2123310203452093, 0.5420585474967836, 1.609506870053344, 1.3212871249585205, 1.2743907164015174, 69.3]',
    'features.shape: (3000, 30)',
    'targets.shape: (3000, 1)',
    'Number of training samples: 2400',
    'Number of validation samples: 600',
    'Number of positive samples in training data: 81 (3.38% of total)',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense (Dense)                   │ (None, 256)            │         7,936 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 256)            │        65,792 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, 256)            │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_2 (Dense)                 │ (None, 256)            │        65,792 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout_1 (Dropout)             │ (None, 256)            │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_3 (Dense)                 │ (None, 1)              │           257 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 139,777 (546.00 KB)',
    ' Trainable params: 139,777 (546.00 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Epoch 1/3',
    '2/2 - 9s - 4s/step - fn: 20.0000 - fp: 1698.0000 - loss: 5.7340e-04 - precision: 0.0347 - recall: 0.7531 - tn: 621.0000 - tp: 61.0000 - val_fn: 4.0000 - val_fp: 1.0000 - val_loss: 0.2135 - val_precision: 0.9286 - val_recall: 0.7647 - val_tn: 582.0000 - val_tp: 13.0000',
    'Epoch 2/3',
    '2/2 - 3s - 1s/step - fn: 6.0000 - fp: 64.0000 - loss: 2.5063e-04 - precision: 0.5396 - recall: 0.9259 - tn: 2255.0000 - tp: 75.0000 - val_fn: 2.0000 - val_fp: 18.0000 - val_loss: 0.0835 - val_precision: 0.4545 - val_recall: 0.8824 - val_tn: 565.0000 - val_tp: 15.0000',
    'Epoch 3/3',
    '2/2 - 1s - 698ms/step - fn: 2.0000 - fp: 108.0000 - loss: 6.9905e-05 - precision: 0.4225 - recall: 0.9753 - tn: 2211.0000 - tp: 79.0000 - val_fn: 3.0000 - val_fp: 3.0000 - val_loss: 0.0360 - val_precision: 0.8235 - val_recall: 0.8235 - val_tn: 580.0000 - val_tp: 14.0000',
    "['fraud_model_at_epoch_1.keras', 'fraud_model_at_epoch_2.keras', 'fraud_model_at_epoch_3.keras']",
    '',
]

def test_imbalanced_classification():
    keras.backend.clear_session()               # names and seeds as in a fresh process
    assert run_printing(PROGRAM) == [FIT_TIMING.sub("", line) for line in TF_OUTPUT]
