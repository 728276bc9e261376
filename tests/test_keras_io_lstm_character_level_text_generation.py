"""keras.io's example "Character-level text generation with LSTM"
(examples/generative/lstm_character_level_text_generation.py), run renamed on a stand-in
nietzsche.txt written locally (the book's first lines; maxlen 40, step 3): the one-hot np.bool
arrays, Sequential(Input, LSTM(128), Dense softmax) with RMSprop(learning_rate=0.01) and its
summary, fit one epoch at a time, then sampling with temperature (np.random.multinomial on
model.predict(x_pred, verbose=0)[0]) from random.randint's seed text, 5 characters per diversity
here. TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15: seeded, the losses, the
probabilities and so the sampled characters are Keras's.
"""

from conftest import assert_program_prints

from glassnet import keras

PROGRAM = r'''from tensorflow import keras
from tensorflow.keras import layers
import numpy as np
import random
import sys
import io
keras.utils.set_random_seed(0)

path = "nietzsche.txt"
with open(path, "w", encoding="utf-8") as f:
    f.write("PREFACE\n\n\nSUPPOSING that Truth is a woman--what then? Is there not ground\n"
            "for suspecting that all philosophers, in so far as they have been\n"
            "dogmatists, have failed to understand women--that the terrible\n"
            "seriousness and clumsy importunity with which they have usually paid\n"
            "their addresses to Truth, have been unskilled and unseemly methods for\n"
            "winning a woman? Certainly she has never allowed herself to be won; and\n"
            "at present every kind of dogma stands with sad and discouraged mien--IF,\n"
            "indeed, it stands at all! For there are scoffers who maintain that it\n")
with io.open(path, encoding="utf-8") as f:
    text = f.read().lower()
print("corpus length:", len(text))

chars = sorted(list(set(text)))
print("total chars:", len(chars))
char_indices = dict((c, i) for i, c in enumerate(chars))
indices_char = dict((i, c) for i, c in enumerate(chars))

maxlen = 40
step = 3
sentences = []
next_chars = []
for i in range(0, len(text) - maxlen, step):
    sentences.append(text[i : i + maxlen])
    next_chars.append(text[i + maxlen])
print("nb sequences:", len(sentences))

print("Vectorization...")
x = np.zeros((len(sentences), maxlen, len(chars)), dtype=np.bool)
y = np.zeros((len(sentences), len(chars)), dtype=np.bool)
for i, sentence in enumerate(sentences):
    for t, char in enumerate(sentence):
        x[i, t, char_indices[char]] = 1
    y[i, char_indices[next_chars[i]]] = 1

model = keras.Sequential(
    [
        keras.Input(shape=(maxlen, len(chars))),
        layers.LSTM(128),
        layers.Dense(len(chars), activation="softmax"),
    ]
)
optimizer = keras.optimizers.RMSprop(learning_rate=0.01)
model.compile(loss="categorical_crossentropy", optimizer=optimizer)
model.summary()

def sample(preds, temperature=1.0):
    preds = np.asarray(preds).astype("float64")
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    probas = np.random.multinomial(1, preds, 1)
    return np.argmax(probas)

epochs = 2
batch_size = 128

for epoch in range(epochs):
    h = model.fit(x, y, batch_size=batch_size, epochs=1)
    print(round(h.history["loss"][0], 4))
    print("Generating text after epoch: %d" % epoch)
    start_index = random.randint(0, len(text) - maxlen - 1)
    for diversity in [0.2, 1.2]:
        print("----- diversity:", diversity)
        generated = ""
        sentence = text[start_index : start_index + maxlen]
        generated += sentence
        print('----- Generating with seed: "' + sentence + '"')
        sys.stdout.write(generated)
        for i in range(5):
            x_pred = np.zeros((1, maxlen, len(chars)))
            for t, char in enumerate(sentence):
                x_pred[0, t, char_indices[char]] = 1.0
            preds = model.predict(x_pred, verbose=0)[0]
            next_index = sample(preds, diversity)
            next_char = indices_char[next_index]
            sentence = sentence[1:] + next_char
            sys.stdout.write(next_char)
            sys.stdout.flush()
        print()
p = model.predict(x[:3], verbose=0)
print(p.shape, p.dtype, np.round(p.sum(axis=1), 5))
print(np.round(p[0, :6], 3))
'''

TF_OUTPUT = [
    'corpus length: 558',
    'total chars: 29',
    'nb sequences: 173',
    'Vectorization...',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ lstm (LSTM)                     │ (None, 128)            │        80,896 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 29)             │         3,741 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 84,637 (330.61 KB)',
    ' Trainable params: 84,637 (330.61 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - loss: 3.3289',
    '3.3289',
    'Generating text after epoch: 0',
    '----- diversity: 0.2',
    '----- Generating with seed: "y kind of dogma stands with sad and disc"',
    'y kind of dogma stands with sad and dischhhhh',
    '----- diversity: 1.2',
    '----- Generating with seed: "y kind of dogma stands with sad and disc"',
    'y kind of dogma stands with sad and dischsheb',
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - loss: 3.5967',
    '3.5967',
    'Generating text after epoch: 1',
    '----- diversity: 0.2',
    '----- Generating with seed: "--what then? is there not ground',
    'for sus"',
    '--what then? is there not ground',
    'for sushso',
    'h',
    '----- diversity: 1.2',
    '----- Generating with seed: "--what then? is there not ground',
    'for sus"',
    '--what then? is there not ground',
    'for susu?eie',
    '(3, 29) float32 [1. 1. 1.]',
    '[0.032 0.039 0.03  0.028 0.036 0.032]',
    '',
]

def test_lstm_character_level_text_generation(monkeypatch, tmp_path):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.chdir(tmp_path)                 # (the program writes its files here)
    assert_program_prints(PROGRAM, TF_OUTPUT)
