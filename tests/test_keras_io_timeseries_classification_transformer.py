"""keras.io's example "Timeseries classification with a Transformer model"
(examples/timeseries/timeseries_classification_transformer.py), run renamed on stand-in FordA
TSV files written locally (48 training and 16 test rows of 24 readings, label -1/1): readucr,
np.random.permutation after keras.utils.set_random_seed, four transformer_encoder blocks
(MultiHeadAttention(key_dim=256, num_heads=4, dropout=0.25) on (inputs, inputs), Dropout,
LayerNormalization(epsilon=1e-6), x + inputs on symbolic tensors, Conv1D(kernel_size=1) with
filters=inputs.shape[-1]), GlobalAveragePooling1D(data_format="channels_last"), the MLP head, the
summary (its "Connected to" column), Adam(1e-4), EarlyStopping(restore_best_weights=True), fit with
validation_split for 2 epochs, evaluate(verbose=1). TF_OUTPUT was recorded under TensorFlow 2.21 /
Keras 3.15 (seeded, dropout masks included: the same numbers).
"""

from conftest import assert_program_prints

from glassnet import keras

PROGRAM = r'''import numpy as np
import os
from tensorflow import keras as _k
_k.utils.set_random_seed(0)
r = np.random.default_rng(0)
for name, n in (("FordA_TRAIN.tsv", 48), ("FordA_TEST.tsv", 16)):
    labels = r.choice([-1, 1], n)
    t = np.linspace(0, 6, 24)
    xx = np.sin(t[None, :] * (1.5 + 0.5 * labels[:, None])) + r.normal(0, 0.3, (n, 24))
    np.savetxt(name, np.column_stack([labels, xx]), delimiter="\t", fmt="%.5f")

def readucr(filename):
    data = np.loadtxt(filename, delimiter="\t")
    y = data[:, 0]
    x = data[:, 1:]
    return x, y.astype(int)

root_url = ""
x_train, y_train = readucr(root_url + "FordA_TRAIN.tsv")
x_test, y_test = readucr(root_url + "FordA_TEST.tsv")
x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
x_test = x_test.reshape((x_test.shape[0], x_test.shape[1], 1))
n_classes = len(np.unique(y_train))
idx = np.random.permutation(len(x_train))
x_train = x_train[idx]
y_train = y_train[idx]
y_train[y_train == -1] = 0
y_test[y_test == -1] = 0

from tensorflow import keras
from tensorflow.keras import layers

def transformer_encoder(inputs, head_size, num_heads, ff_dim, dropout=0):
    x = layers.MultiHeadAttention(key_dim=head_size, num_heads=num_heads, dropout=dropout)(inputs, inputs)
    x = layers.Dropout(dropout)(x)
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    res = x + inputs
    x = layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(res)
    x = layers.Dropout(dropout)(x)
    x = layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    return x + res

def build_model(input_shape, head_size, num_heads, ff_dim, num_transformer_blocks, mlp_units, dropout=0, mlp_dropout=0):
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for _ in range(num_transformer_blocks):
        x = transformer_encoder(x, head_size, num_heads, ff_dim, dropout)
    x = layers.GlobalAveragePooling1D(data_format="channels_last")(x)
    for dim in mlp_units:
        x = layers.Dense(dim, activation="relu")(x)
        x = layers.Dropout(mlp_dropout)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)

input_shape = x_train.shape[1:]
model = build_model(input_shape, head_size=256, num_heads=4, ff_dim=4, num_transformer_blocks=4, mlp_units=[128], mlp_dropout=0.4, dropout=0.25)
model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-4), metrics=["sparse_categorical_accuracy"])
model.summary()
callbacks = [keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)]
h = model.fit(x_train, y_train, validation_split=0.2, epochs=2, batch_size=64, callbacks=callbacks)
print({k: [round(x, 3) for x in v] for k, v in h.history.items()})
print(model.evaluate(x_test, y_test, verbose=1))
print(model.predict(x_test[:2], verbose=0).shape)
'''

TF_OUTPUT = [
    'Model: "functional"',
    '┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩',
    '│ input_layer         │ (None, 24, 1)     │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ multi_head_attenti… │ (None, 24, 1)     │      7,169 │ input_layer[0][0… │',
    '│ (MultiHeadAttentio… │                   │            │ input_layer[0][0] │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dropout_1 (Dropout) │ (None, 24, 1)     │          0 │ multi_head_atten… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ layer_normalization │ (None, 24, 1)     │          2 │ dropout_1[0][0]   │',
    '│ (LayerNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ add (Add)           │ (None, 24, 1)     │          0 │ layer_normalizat… │',
    '│                     │                   │            │ input_layer[0][0] │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv1d (Conv1D)     │ (None, 24, 4)     │          8 │ add[0][0]         │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dropout_2 (Dropout) │ (None, 24, 4)     │          0 │ conv1d[0][0]      │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv1d_1 (Conv1D)   │ (None, 24, 1)     │          5 │ dropout_2[0][0]   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ layer_normalizatio… │ (None, 24, 1)     │          2 │ conv1d_1[0][0]    │',
    '│ (LayerNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ add_1 (Add)         │ (None, 24, 1)     │          0 │ layer_normalizat… │',
    '│                     │                   │            │ add[0][0]         │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ multi_head_attenti… │ (None, 24, 1)     │      7,169 │ add_1[0][0],      │',
    '│ (MultiHeadAttentio… │                   │            │ add_1[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dropout_4 (Dropout) │ (None, 24, 1)     │          0 │ multi_head_atten… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ layer_normalizatio… │ (None, 24, 1)     │          2 │ dropout_4[0][0]   │',
    '│ (LayerNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ add_2 (Add)         │ (None, 24, 1)     │          0 │ layer_normalizat… │',
    '│                     │                   │            │ add_1[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv1d_2 (Conv1D)   │ (None, 24, 4)     │          8 │ add_2[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dropout_5 (Dropout) │ (None, 24, 4)     │          0 │ conv1d_2[0][0]    │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv1d_3 (Conv1D)   │ (None, 24, 1)     │          5 │ dropout_5[0][0]   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ layer_normalizatio… │ (None, 24, 1)     │          2 │ conv1d_3[0][0]    │',
    '│ (LayerNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ add_3 (Add)         │ (None, 24, 1)     │          0 │ layer_normalizat… │',
    '│                     │                   │            │ add_2[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ multi_head_attenti… │ (None, 24, 1)     │      7,169 │ add_3[0][0],      │',
    '│ (MultiHeadAttentio… │                   │            │ add_3[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dropout_7 (Dropout) │ (None, 24, 1)     │          0 │ multi_head_atten… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ layer_normalizatio… │ (None, 24, 1)     │          2 │ dropout_7[0][0]   │',
    '│ (LayerNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ add_4 (Add)         │ (None, 24, 1)     │          0 │ layer_normalizat… │',
    '│                     │                   │            │ add_3[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv1d_4 (Conv1D)   │ (None, 24, 4)     │          8 │ add_4[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dropout_8 (Dropout) │ (None, 24, 4)     │          0 │ conv1d_4[0][0]    │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv1d_5 (Conv1D)   │ (None, 24, 1)     │          5 │ dropout_8[0][0]   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ layer_normalizatio… │ (None, 24, 1)     │          2 │ conv1d_5[0][0]    │',
    '│ (LayerNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ add_5 (Add)         │ (None, 24, 1)     │          0 │ layer_normalizat… │',
    '│                     │                   │            │ add_4[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ multi_head_attenti… │ (None, 24, 1)     │      7,169 │ add_5[0][0],      │',
    '│ (MultiHeadAttentio… │                   │            │ add_5[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dropout_10          │ (None, 24, 1)     │          0 │ multi_head_atten… │',
    '│ (Dropout)           │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ layer_normalizatio… │ (None, 24, 1)     │          2 │ dropout_10[0][0]  │',
    '│ (LayerNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ add_6 (Add)         │ (None, 24, 1)     │          0 │ layer_normalizat… │',
    '│                     │                   │            │ add_5[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv1d_6 (Conv1D)   │ (None, 24, 4)     │          8 │ add_6[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dropout_11          │ (None, 24, 4)     │          0 │ conv1d_6[0][0]    │',
    '│ (Dropout)           │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ conv1d_7 (Conv1D)   │ (None, 24, 1)     │          5 │ dropout_11[0][0]  │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ layer_normalizatio… │ (None, 24, 1)     │          2 │ conv1d_7[0][0]    │',
    '│ (LayerNormalizatio… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ add_7 (Add)         │ (None, 24, 1)     │          0 │ layer_normalizat… │',
    '│                     │                   │            │ add_6[0][0]       │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ global_average_poo… │ (None, 1)         │          0 │ add_7[0][0]       │',
    '│ (GlobalAveragePool… │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dense (Dense)       │ (None, 128)       │        256 │ global_average_p… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dropout_12          │ (None, 128)       │          0 │ dense[0][0]       │',
    '│ (Dropout)           │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dense_1 (Dense)     │ (None, 2)         │        258 │ dropout_12[0][0]  │',
    '└─────────────────────┴───────────────────┴────────────┴───────────────────┘',
    ' Total params: 29,258 (114.29 KB)',
    ' Trainable params: 29,258 (114.29 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Epoch 1/2',
    '1/1 ━━━━━━━━━━━━━━━━━━━━ - loss: 0.6934 - sparse_categorical_accuracy: 0.3947 - val_loss: 0.6947 - val_sparse_categorical_accuracy: 0.5000',
    'Epoch 2/2',
    '1/1 ━━━━━━━━━━━━━━━━━━━━ - loss: 0.6928 - sparse_categorical_accuracy: 0.5789 - val_loss: 0.6947 - val_sparse_categorical_accuracy: 0.5000',
    "{'loss': [0.693, 0.693], 'sparse_categorical_accuracy': [0.395, 0.579], 'val_loss': [0.695, 0.695], 'val_sparse_categorical_accuracy': [0.5, 0.5]}",
    '1/1 ━━━━━━━━━━━━━━━━━━━━ - loss: 0.6931 - sparse_categorical_accuracy: 0.5625',
    '[0.693058967590332, 0.5625]',
    '(2, 2)',
    '',
]

def test_timeseries_classification_transformer(monkeypatch, tmp_path):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.chdir(tmp_path)                 # (the program writes its files here)
    assert_program_prints(PROGRAM, TF_OUTPUT)
