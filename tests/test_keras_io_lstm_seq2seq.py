"""keras.io's example "Character-level recurrent sequence-to-sequence model" (examples/nlp/lstm_seq2seq.py),
run renamed on a stand-in fra.txt written locally (32 English-French pairs in the file's
tab-separated layout, latent_dim 32, 2 epochs): the one-hot encoder/decoder arrays, the training
model (LSTM(return_state=True), a decoder LSTM given initial_state=[h, c], a Dense softmax) and its
summary, fit with validation_split, model.save("s2s_model.keras") and keras.models.load_model of a
file whose Inputs have shape (None, None, n) (the time axis of any length), then the inference
models made from the loaded layers: model.layers[2].output is the list [output, h, c] (Keras's),
the decoder LSTM called again on new Inputs, predict of a list of inputs giving a list of outputs,
decode_sequence's loop. TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15 (seeded).

Not matched (left out of the program here): print(model.input) shows glassnet's InputLayer objects
where Keras shows KerasTensors, and the inference decoder's summary says lstm_1[0][0] where Keras
counts the layer's calls in every model (lstm_1[1][0]).
"""

from conftest import assert_program_prints

from glassnet import keras

PROGRAM = r'''import numpy as np
import keras
import os
from pathlib import Path
keras.utils.set_random_seed(0)

pairs = [("Go.", "Va !"), ("Hi.", "Salut !"), ("Run!", "Cours !"), ("Run!", "Courez !"),
         ("Wow!", "Ça alors !"), ("Fire!", "Au feu !"), ("Help!", "À l'aide !"), ("Jump.", "Saute."),
         ("Stop!", "Ça suffit !"), ("Wait!", "Attends !"), ("Go on.", "Poursuis."), ("I see.", "Je comprends."),
         ("I try.", "J'essaye."), ("I won!", "J'ai gagné !"), ("Oh no!", "Oh non !"), ("Relax.", "Détends-toi."),
         ("Smile.", "Souris."), ("Attack!", "Attaque !"), ("Cheers!", "Santé !"), ("Get up.", "Lève-toi."),
         ("Got it!", "Compris !"), ("Hop in.", "Montez."), ("Hug me.", "Serre-moi dans tes bras !"), ("I fell.", "Je suis tombé."),
         ("I know.", "Je sais."), ("I left.", "Je suis parti."), ("I lied.", "J'ai menti."), ("I lost.", "J'ai perdu."),
         ("I'm 19.", "J'ai 19 ans."), ("I'm OK.", "Je vais bien."), ("Listen.", "Écoutez !"), ("No way!", "Impossible !")]
dirpath = Path(os.getcwd())
with open("fra.txt", "w", encoding="utf-8") as f:
    for a, b in pairs:
        f.write(f"{a}\t{b}\tCC-BY 2.0 (France) Attribution: tatoeba.org\n")

batch_size = 8
epochs = 2
latent_dim = 32
num_samples = 10000
data_path = os.path.join(dirpath, "fra.txt")

input_texts = []
target_texts = []
input_characters = set()
target_characters = set()
with open(data_path, "r", encoding="utf-8") as f:
    lines = f.read().split("\n")
for line in lines[: min(num_samples, len(lines) - 1)]:
    input_text, target_text, _ = line.split("\t")
    target_text = "\t" + target_text + "\n"
    input_texts.append(input_text)
    target_texts.append(target_text)
    for char in input_text:
        if char not in input_characters:
            input_characters.add(char)
    for char in target_text:
        if char not in target_characters:
            target_characters.add(char)

input_characters = sorted(list(input_characters))
target_characters = sorted(list(target_characters))
num_encoder_tokens = len(input_characters)
num_decoder_tokens = len(target_characters)
max_encoder_seq_length = max([len(txt) for txt in input_texts])
max_decoder_seq_length = max([len(txt) for txt in target_texts])

print("Number of samples:", len(input_texts))
print("Number of unique input tokens:", num_encoder_tokens)
print("Number of unique output tokens:", num_decoder_tokens)
print("Max sequence length for inputs:", max_encoder_seq_length)
print("Max sequence length for outputs:", max_decoder_seq_length)

input_token_index = dict([(char, i) for i, char in enumerate(input_characters)])
target_token_index = dict([(char, i) for i, char in enumerate(target_characters)])

encoder_input_data = np.zeros((len(input_texts), max_encoder_seq_length, num_encoder_tokens), dtype="float32")
decoder_input_data = np.zeros((len(input_texts), max_decoder_seq_length, num_decoder_tokens), dtype="float32")
decoder_target_data = np.zeros((len(input_texts), max_decoder_seq_length, num_decoder_tokens), dtype="float32")

for i, (input_text, target_text) in enumerate(zip(input_texts, target_texts)):
    for t, char in enumerate(input_text):
        encoder_input_data[i, t, input_token_index[char]] = 1.0
    encoder_input_data[i, t + 1 :, input_token_index[" "]] = 1.0
    for t, char in enumerate(target_text):
        decoder_input_data[i, t, target_token_index[char]] = 1.0
        if t > 0:
            decoder_target_data[i, t - 1, target_token_index[char]] = 1.0
    decoder_input_data[i, t + 1 :, target_token_index[" "]] = 1.0
    decoder_target_data[i, t:, target_token_index[" "]] = 1.0

encoder_inputs = keras.Input(shape=(None, num_encoder_tokens))
encoder = keras.layers.LSTM(latent_dim, return_state=True)
encoder_outputs, state_h, state_c = encoder(encoder_inputs)
encoder_states = [state_h, state_c]
decoder_inputs = keras.Input(shape=(None, num_decoder_tokens))
decoder_lstm = keras.layers.LSTM(latent_dim, return_sequences=True, return_state=True)
decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
decoder_dense = keras.layers.Dense(num_decoder_tokens, activation="softmax")
decoder_outputs = decoder_dense(decoder_outputs)
model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
model.summary()
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
h = model.fit([encoder_input_data, decoder_input_data], decoder_target_data, batch_size=batch_size, epochs=epochs, validation_split=0.2)
print({k: [round(v, 4) for v in vs] for k, vs in h.history.items()})
model.save("s2s_model.keras")

model = keras.models.load_model("s2s_model.keras")
print([l.name for l in model.layers], [type(l).__name__ for l in model.layers])
encoder_inputs = model.input[0]  # input_1
encoder_outputs, state_h_enc, state_c_enc = model.layers[2].output  # lstm_1
encoder_states = [state_h_enc, state_c_enc]
encoder_model = keras.Model(encoder_inputs, encoder_states)

decoder_inputs = model.input[1]  # input_2
decoder_state_input_h = keras.Input(shape=(latent_dim,))
decoder_state_input_c = keras.Input(shape=(latent_dim,))
decoder_states_inputs = [decoder_state_input_h, decoder_state_input_c]
decoder_lstm = model.layers[3]
decoder_outputs, state_h_dec, state_c_dec = decoder_lstm(decoder_inputs, initial_state=decoder_states_inputs)
decoder_states = [state_h_dec, state_c_dec]
decoder_dense = model.layers[4]
decoder_outputs = decoder_dense(decoder_outputs)
decoder_model = keras.Model([decoder_inputs] + decoder_states_inputs, [decoder_outputs] + decoder_states)

reverse_input_char_index = dict((i, char) for char, i in input_token_index.items())
reverse_target_char_index = dict((i, char) for char, i in target_token_index.items())

def decode_sequence(input_seq):
    states_value = encoder_model.predict(input_seq, verbose=0)
    target_seq = np.zeros((1, 1, num_decoder_tokens))
    target_seq[0, 0, target_token_index["\t"]] = 1.0
    stop_condition = False
    decoded_sentence = ""
    while not stop_condition:
        output_tokens, h, c = decoder_model.predict([target_seq] + states_value, verbose=0)
        sampled_token_index = np.argmax(output_tokens[0, -1, :])
        sampled_char = reverse_target_char_index[sampled_token_index]
        decoded_sentence += sampled_char
        if sampled_char == "\n" or len(decoded_sentence) > max_decoder_seq_length:
            stop_condition = True
        target_seq = np.zeros((1, 1, num_decoder_tokens))
        target_seq[0, 0, sampled_token_index] = 1.0
        states_value = [h, c]
    return decoded_sentence

sv = encoder_model.predict(encoder_input_data[:1], verbose=0)
print(type(sv).__name__, len(sv), sv[0].shape, sv[0].dtype)
out = decoder_model.predict([decoder_input_data[:1, :1]] + sv, verbose=0)
print(type(out).__name__, [o.shape for o in out])
full = model.predict([encoder_input_data[:2], decoder_input_data[:2]], verbose=0)
step = decoder_model.predict([decoder_input_data[:2, :1]] + encoder_model.predict(encoder_input_data[:2], verbose=0), verbose=0)[0]
print(np.allclose(full[:, :1], step, atol=1e-5))
for seq_index in range(3):
    input_seq = encoder_input_data[seq_index : seq_index + 1]
    decoded_sentence = decode_sequence(input_seq)
    print("-")
    print("Input sentence:", input_texts[seq_index])
    print("Decoded sentence:", len(decoded_sentence))
'''

TF_OUTPUT = [
    'Number of samples: 32',
    'Number of unique input tokens: 41',
    'Number of unique output tokens: 47',
    'Max sequence length for inputs: 7',
    'Max sequence length for outputs: 27',
    'Model: "functional"',
    '┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩',
    '│ input_layer         │ (None, None, 41)  │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ input_layer_1       │ (None, None, 47)  │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ lstm (LSTM)         │ [(None, 32),      │      9,472 │ input_layer[0][0] │',
    '│                     │ (None, 32),       │            │                   │',
    '│                     │ (None, 32)]       │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ lstm_1 (LSTM)       │ [(None, None,     │     10,240 │ input_layer_1[0]… │',
    '│                     │ 32), (None, 32),  │            │ lstm[0][1],       │',
    '│                     │ (None, 32)]       │            │ lstm[0][2]        │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dense (Dense)       │ (None, None, 47)  │      1,551 │ lstm_1[0][0]      │',
    '└─────────────────────┴───────────────────┴────────────┴───────────────────┘',
    ' Total params: 21,263 (83.06 KB)',
    ' Trainable params: 21,263 (83.06 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Epoch 1/2',
    '4/4 ━━━━━━━━━━━━━━━━━━━━ - accuracy: 0.0133 - loss: 3.8383 - val_accuracy: 0.1111 - val_loss: 3.7612',
    'Epoch 2/2',
    '4/4 ━━━━━━━━━━━━━━━━━━━━ - accuracy: 0.4889 - loss: 3.7077 - val_accuracy: 0.5820 - val_loss: 3.6594',
    "{'accuracy': [0.0133, 0.4889], 'loss': [3.8383, 3.7077], 'val_accuracy': [0.1111, 0.582], 'val_loss': [3.7612, 3.6594]}",
    "['input_layer', 'input_layer_1', 'lstm', 'lstm_1', 'dense'] ['InputLayer', 'InputLayer', 'LSTM', 'LSTM', 'Dense']",
    'list 2 (1, 32) float32',
    'list [(1, 1, 47), (1, 32), (1, 32)]',
    'True',
    '-',
    'Input sentence: Go.',
    'Decoded sentence: 4',
    '-',
    'Input sentence: Hi.',
    'Decoded sentence: 28',
    '-',
    'Input sentence: Run!',
    'Decoded sentence: 28',
    '',
]

def test_lstm_seq2seq(monkeypatch, tmp_path):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.chdir(tmp_path)                 # (the program writes its files here)
    assert_program_prints(PROGRAM, TF_OUTPUT)
