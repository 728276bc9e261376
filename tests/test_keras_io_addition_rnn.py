"""keras.io's example "Sequence to sequence learning for performing number addition"
(examples/nlp/addition_rnn.py), run renamed on its own generated questions (400 of them here,
two fit rounds of one epoch, three validation samples shown each): the CharacterTable one-hot
encoding into np.bool arrays, np.random.choice/randint/shuffle after keras.utils.set_random_seed,
Sequential with LSTM(128, input_shape=...), RepeatVector, LSTM(return_sequences=True) and a
time-distributed Dense softmax, the summary, fit with validation_data and its progress line,
model.predict(rowx) with its own progress line, ctable.decode of the predictions, RepeatVector's
config. TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15: the seeded weights and draws are
Keras's, so every line matches, the numbers to float32's last digits.
"""

from conftest import assert_program_prints

from glassnet import keras

PROGRAM = r'''from tensorflow import keras
from tensorflow.keras import layers
import numpy as np
keras.utils.set_random_seed(0)

TRAINING_SIZE = 400
DIGITS = 3
REVERSE = True
MAXLEN = DIGITS + 1 + DIGITS

class CharacterTable:
    def __init__(self, chars):
        self.chars = sorted(set(chars))
        self.char_indices = dict((c, i) for i, c in enumerate(self.chars))
        self.indices_char = dict((i, c) for i, c in enumerate(self.chars))

    def encode(self, C, num_rows):
        x = np.zeros((num_rows, len(self.chars)))
        for i, c in enumerate(C):
            x[i, self.char_indices[c]] = 1
        return x

    def decode(self, x, calc_argmax=True):
        if calc_argmax:
            x = x.argmax(axis=-1)
        return "".join(self.indices_char[x] for x in x)

chars = "0123456789+ "
ctable = CharacterTable(chars)
questions = []
expected = []
seen = set()
print("Generating data...")
while len(questions) < TRAINING_SIZE:
    f = lambda: int("".join(np.random.choice(list("0123456789")) for i in range(np.random.randint(1, DIGITS + 1))))
    a, b = f(), f()
    key = tuple(sorted((a, b)))
    if key in seen:
        continue
    seen.add(key)
    q = "{}+{}".format(a, b)
    query = q + " " * (MAXLEN - len(q))
    ans = str(a + b)
    ans += " " * (DIGITS + 1 - len(ans))
    if REVERSE:
        query = query[::-1]
    questions.append(query)
    expected.append(ans)
print("Total questions:", len(questions))
print("Vectorization...")
x = np.zeros((len(questions), MAXLEN, len(chars)), dtype=np.bool)
y = np.zeros((len(questions), DIGITS + 1, len(chars)), dtype=np.bool)
for i, sentence in enumerate(questions):
    x[i] = ctable.encode(sentence, MAXLEN)
for i, sentence in enumerate(expected):
    y[i] = ctable.encode(sentence, DIGITS + 1)
indices = np.arange(len(y))
np.random.shuffle(indices)
x = x[indices]
y = y[indices]
split_at = len(x) - len(x) // 10
(x_train, x_val) = x[:split_at], x[split_at:]
(y_train, y_val) = y[:split_at], y[split_at:]
print("Training Data:")
print(x_train.shape)
print(y_train.shape)
print("Validation Data:")
print(x_val.shape)
print(y_val.shape)
print("Build model...")
num_layers = 1
model = keras.Sequential()
model.add(layers.LSTM(128, input_shape=(MAXLEN, len(chars))))
model.add(layers.RepeatVector(DIGITS + 1))
for _ in range(num_layers):
    model.add(layers.LSTM(128, return_sequences=True))
model.add(layers.Dense(len(chars), activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()
epochs = 3
batch_size = 32
for epoch in range(1, epochs):
    print()
    print("Iteration", epoch)
    h = model.fit(x_train, y_train, batch_size=batch_size, epochs=1, validation_data=(x_val, y_val))
    print({k: round(v[0], 4) for k, v in h.history.items()})
    for i in range(3):
        ind = np.random.randint(0, len(x_val))
        rowx, rowy = x_val[np.array([ind])], y_val[np.array([ind])]
        preds = np.argmax(model.predict(rowx), axis=-1)
        q = ctable.decode(rowx[0])
        correct = ctable.decode(rowy[0])
        guess = ctable.decode(preds[0], calc_argmax=False)
        print("Q", q[::-1] if REVERSE else q, end=" ")
        print("T", correct, end=" ")
        if correct == guess:
            print("☑ " + guess)
        else:
            print("☒ " + guess)
print(model.predict(x_val[:2], verbose=0).shape, model.predict(x_val[:2], verbose=0).dtype)
print(model.layers[1].get_config())
'''

TF_OUTPUT = [
    'Generating data...',
    'Total questions: 400',
    'Vectorization...',
    'Training Data:',
    '(360, 7, 12)',
    '(360, 4, 12)',
    'Validation Data:',
    '(40, 7, 12)',
    '(40, 4, 12)',
    'Build model...',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ lstm (LSTM)                     │ (None, 128)            │        72,192 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ repeat_vector (RepeatVector)    │ (None, 4, 128)         │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ lstm_1 (LSTM)                   │ (None, 4, 128)         │       131,584 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 4, 12)          │         1,548 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 205,324 (802.05 KB)',
    ' Trainable params: 205,324 (802.05 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    '',
    'Iteration 1',
    '12/12 ━━━━━━━━━━━━━━━━━━━━ - accuracy: 0.3097 - loss: 2.3638 - val_accuracy: 0.3750 - val_loss: 1.9549',
    "{'accuracy': 0.3097, 'loss': 2.3638, 'val_accuracy': 0.375, 'val_loss': 1.9549}",
    '1/1 ━━━━━━━━━━━━━━━━━━━━',
    'Q 694+59  T 753  ☒     ',
    '1/1 ━━━━━━━━━━━━━━━━━━━━',
    'Q 33+739  T 772  ☒     ',
    '1/1 ━━━━━━━━━━━━━━━━━━━━',
    'Q 5+909   T 914  ☒     ',
    '',
    'Iteration 2',
    '12/12 ━━━━━━━━━━━━━━━━━━━━ - accuracy: 0.3340 - loss: 1.9890 - val_accuracy: 0.3750 - val_loss: 1.8889',
    "{'accuracy': 0.334, 'loss': 1.989, 'val_accuracy': 0.375, 'val_loss': 1.8889}",
    '1/1 ━━━━━━━━━━━━━━━━━━━━',
    'Q 93+78   T 171  ☒     ',
    '1/1 ━━━━━━━━━━━━━━━━━━━━',
    'Q 7+84    T 91   ☒     ',
    '1/1 ━━━━━━━━━━━━━━━━━━━━',
    'Q 372+358 T 730  ☒     ',
    '(2, 4, 12) float32',
    "{'name': 'repeat_vector', 'trainable': True, 'dtype': {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None}, 'n': 4}",
    '',
]

def test_addition_rnn(monkeypatch, tmp_path):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.chdir(tmp_path)                 # (the program writes its files here)
    assert_program_prints(PROGRAM, TF_OUTPUT)
