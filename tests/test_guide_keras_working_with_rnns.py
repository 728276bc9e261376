"""Keras's guide "Working with RNNs" (keras.io / tensorflow.org, Keras 3), run renamed
(``import glassnet as tf``; ``from glassnet import keras``) on random arrays in place of MNIST.
Summaries (layer order of the encoder-decoder included: a returned state is its call's node, as
Keras counts depths), history keys and equalities were recorded from the same program under
TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python)."""
import numpy as np

from glassnet import keras
from glassnet.keras import layers

LSTM_MODEL = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ embedding (Embedding)           │ (None, None, 64)       │        64,000 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ lstm (LSTM)                     │ (None, 128)            │        98,816 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 10)             │         1,290 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 164,106 (641.04 KB)
 Trainable params: 164,106 (641.04 KB)
 Non-trainable params: 0 (0.00 B)"""

GRU_RNN_MODEL = """\
Model: "sequential_1"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ embedding_1 (Embedding)         │ (None, None, 64)       │        64,000 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ gru (GRU)                       │ (None, None, 256)      │       247,296 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ simple_rnn (SimpleRNN)          │ (None, 128)            │        49,280 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │         1,290 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 361,866 (1.38 MB)
 Trainable params: 361,866 (1.38 MB)
 Non-trainable params: 0 (0.00 B)"""

ENCODER_DECODER = """\
Model: "functional_7"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ input_layer_2       │ (None, None)      │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ input_layer_3       │ (None, None)      │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ embedding_2         │ (None, None, 64)  │     64,000 │ input_layer_2[0]… │
│ (Embedding)         │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ embedding_3         │ (None, None, 64)  │    128,000 │ input_layer_3[0]… │
│ (Embedding)         │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ encoder (LSTM)      │ [(None, 64),      │     33,024 │ embedding_2[0][0] │
│                     │ (None, 64),       │            │                   │
│                     │ (None, 64)]       │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ decoder (LSTM)      │ (None, 64)        │     33,024 │ embedding_3[0][0… │
│                     │                   │            │ encoder[0][1],    │
│                     │                   │            │ encoder[0][2]     │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_2 (Dense)     │ (None, 10)        │        650 │ decoder[0][0]     │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 258,698 (1010.54 KB)
 Trainable params: 258,698 (1010.54 KB)
 Non-trainable params: 0 (0.00 B)"""

BIDIRECTIONAL = """\
Model: "sequential_2"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ bidirectional (Bidirectional)   │ (None, 5, 128)         │        38,400 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ bidirectional_1 (Bidirectional) │ (None, 64)             │        41,216 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_3 (Dense)                 │ (None, 10)             │           650 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 80,266 (313.54 KB)
 Trainable params: 80,266 (313.54 KB)
 Non-trainable params: 0 (0.00 B)"""

RNN_CELL_MODEL = """\
Model: "sequential_4"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ rnn (RNN)                       │ (None, 64)             │        23,808 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ batch_normalization_1           │ (None, 64)             │           256 │
│ (BatchNormalization)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_5 (Dense)                 │ (None, 10)             │           650 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 24,714 (96.54 KB)
 Trainable params: 24,586 (96.04 KB)
 Non-trainable params: 128 (512.00 B)"""


def _summary(model, capsys):
    capsys.readouterr()
    model.summary()
    return capsys.readouterr().out.strip("\n")


def test_working_with_rnns(capsys):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = keras.Sequential()
    model.add(layers.Input(shape=(None,)))
    model.add(layers.Embedding(input_dim=1000, output_dim=64))
    model.add(layers.LSTM(128))
    model.add(layers.Dense(10))
    assert _summary(model, capsys) == LSTM_MODEL
    model = keras.Sequential()
    model.add(layers.Input(shape=(None,)))
    model.add(layers.Embedding(input_dim=1000, output_dim=64))
    model.add(layers.GRU(256, return_sequences=True))
    model.add(layers.SimpleRNN(128))
    model.add(layers.Dense(10))
    assert _summary(model, capsys) == GRU_RNN_MODEL

    encoder_input = layers.Input(shape=(None,))
    encoder_embedded = layers.Embedding(input_dim=1000, output_dim=64)(encoder_input)
    output, state_h, state_c = layers.LSTM(64, return_state=True, name="encoder")(encoder_embedded)
    decoder_input = layers.Input(shape=(None,))
    decoder_embedded = layers.Embedding(input_dim=2000, output_dim=64)(decoder_input)
    decoder_output = layers.LSTM(64, name="decoder")(decoder_embedded, initial_state=[state_h, state_c])
    model = keras.Model([encoder_input, decoder_input], layers.Dense(10)(decoder_output))
    assert _summary(model, capsys) == ENCODER_DECODER
    assert [layer.name for layer in model.layers] == ["input_layer_2", "input_layer_3", "embedding_2", "embedding_3",
                                                      "encoder", "decoder", "dense_2"]

    paragraphs = [np.random.random((20, 10, 50)).astype(np.float32) for _ in range(3)]
    lstm_layer = layers.LSTM(64, stateful=True)
    for p in paragraphs:
        output = lstm_layer(p)
    lstm_layer.reset_states()
    assert tuple(output.shape) == (20, 64)

    model = keras.Sequential()
    model.add(layers.Input(shape=(5, 10)))
    model.add(layers.Bidirectional(layers.LSTM(64, return_sequences=True)))
    model.add(layers.Bidirectional(layers.LSTM(32)))
    model.add(layers.Dense(10))
    assert _summary(model, capsys) == BIDIRECTIONAL

    def build_model(allow_cudnn_kernel=True):
        lstm = keras.layers.LSTM(64) if allow_cudnn_kernel else keras.layers.RNN(keras.layers.LSTMCell(64))
        return keras.models.Sequential([keras.Input(shape=(None, 28)), lstm, keras.layers.BatchNormalization(),
                                        keras.layers.Dense(10)])

    x_train, y_train = np.random.random((128, 28, 28)).astype("float32"), np.random.randint(0, 10, 128)
    model = build_model(allow_cudnn_kernel=True)
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="sgd",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, validation_data=(x_train[:32], y_train[:32]), batch_size=64, epochs=1,
                        verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    noncudnn_model = build_model(allow_cudnn_kernel=False)
    noncudnn_model.set_weights(model.get_weights())
    noncudnn_model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="sgd",
                           metrics=["accuracy"])
    assert _summary(noncudnn_model, capsys) == RNN_CELL_MODEL
    np.testing.assert_allclose(noncudnn_model.predict(x_train[:4], verbose=0), model.predict(x_train[:4], verbose=0),
                               atol=1e-5)
