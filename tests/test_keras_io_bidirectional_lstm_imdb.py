"""keras.io's example "Bidirectional LSTM on IMDB" (examples/nlp/bidirectional_lstm_imdb.py), run renamed
on the stand-in imdb.npz of test_keras_io_text_classification_with_transformer (64 training and 32
test reviews in IMDB's layout, in glassnet's cache): keras.Input(shape=(None,), dtype="int32"),
Embedding, two Bidirectional LSTMs, the summary, imdb.load_data(num_words=), pad_sequences, fit
with validation_data (verbose=2 here: one line an epoch). TF_OUTPUT was recorded under TensorFlow
2.21 / Keras 3.15 with the same file in Keras's cache; fit's lines are compared in form, with the
loss values near Keras's (both start near ln 2).
"""
import re

from conftest import renamed
from test_keras_io_text_classification_with_transformer import imdb_cache  # noqa: F401 - the fixture

import contextlib
import io

from glassnet import keras

PROGRAM = """\
import numpy as np
import keras
from keras import layers
keras.utils.set_random_seed(0)
max_features = 20000
maxlen = 200
inputs = keras.Input(shape=(None,), dtype="int32")
print(inputs.shape, inputs.dtype)
x = layers.Embedding(max_features, 128)(inputs)
x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
print(x.shape)
x = layers.Bidirectional(layers.LSTM(64))(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()
(x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(num_words=max_features)
print(len(x_train), "Training sequences")
print(len(x_val), "Validation sequences")
x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
x_val = keras.utils.pad_sequences(x_val, maxlen=maxlen)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=32, epochs=2, validation_data=(x_val, y_val), verbose=2)
print(sorted(history.history))
print(model.predict(x_val[:3, :50], verbose=0).shape)
"""

TF_OUTPUT = [
    '(None, None) int32',
    '(None, None, 128)',
    'Model: "functional"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer (InputLayer)        │ (None, None)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ embedding (Embedding)           │ (None, None, 128)      │     2,560,000 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ bidirectional (Bidirectional)   │ (None, None, 128)      │        98,816 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ bidirectional_1 (Bidirectional) │ (None, 128)            │        98,816 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 1)              │           129 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 2,757,761 (10.52 MB)',
    ' Trainable params: 2,757,761 (10.52 MB)',
    ' Non-trainable params: 0 (0.00 B)',
    '64 Training sequences',
    '32 Validation sequences',
    'Epoch 1/2',
    '2/2 - 19s - 9s/step - accuracy: 0.4375 - loss: 0.6955 - val_accuracy: 0.5000 - val_loss: 0.6931',
    'Epoch 2/2',
    '2/2 - 1s - 518ms/step - accuracy: 0.5312 - loss: 0.6905 - val_accuracy: 0.5000 - val_loss: 0.6939',
    "['accuracy', 'loss', 'val_accuracy', 'val_loss']",
    '(3, 1)',
    '',
]

_EPOCH = re.compile(r"^2/2 - \d+s - \d+m?s/step - accuracy: (\d\.\d{4}) - loss: (\d\.\d{4}) "
                    r"- val_accuracy: (\d\.\d{4}) - val_loss: (\d\.\d{4})$")


def test_bidirectional_lstm_imdb(imdb_cache):  # noqa: F811 - the fixture imported above
    keras.backend.clear_session()               # layer names count as in a fresh process
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(renamed(PROGRAM), "bidirectional_lstm_imdb", "exec"), {})
    lines = out.getvalue().split("\n")
    assert len(lines) == len(TF_OUTPUT), "\n".join(lines)
    for got, want in zip(lines, TF_OUTPUT):
        if want.startswith("2/2 - "):
            ours, theirs = _EPOCH.match(got), _EPOCH.match(want)
            assert ours, got
            for field in (2, 4):                # the losses: near ln 2 in both
                assert abs(float(ours.group(field)) - float(theirs.group(field))) < 0.05, (got, want)
        else:
            assert got == want
