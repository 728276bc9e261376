"""TensorFlow's tutorial "Text classification with an RNN" (tutorials/text/text_classification_rnn)
run with ``import glassnet as tf``: short random reviews stand in for tfds.load('imdb_reviews')
(tensorflow_datasets is not installed). TextVectorization.adapt on the mapped dataset,
np.array(encoder.get_vocabulary()), the round trip of encoded examples, Embedding(mask_zero=True)
(supports_masking True, as Keras) into Bidirectional(LSTM), the same prediction with and
without 2000 padding words, fit/evaluate on the datasets and the stacked Bidirectional model's
summary must print what TensorFlow 2.21 printed. TF 2.21 refuses the tutorial's
``model.predict(np.array([sample_text]))`` ("Invalid dtype: str..."), so tf.constant is passed
here; glassnet takes either."""

from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import random
import tensorflow as tf
# tensorflow_datasets is not installed: stand-in for tfds.load('imdb_reviews', as_supervised=True)
random.seed(2)
words = "the movie film was great bad awful wonderful boring plot acting actor story love hate good terrible best worst fun dull".split()
texts = [" ".join(random.choice(words) for _ in range(random.randint(5, 30))).capitalize() + "." for _ in range(96)]
labels = np.array([random.randint(0, 1) for _ in texts], np.int64)
train_dataset = tf.data.Dataset.from_tensor_slices((texts[:64], labels[:64]))
test_dataset = tf.data.Dataset.from_tensor_slices((texts[64:], labels[64:]))
print(train_dataset.element_spec)
for example, label in train_dataset.take(1):
  print('text: ', example.numpy())
  print('label: ', label.numpy())
BUFFER_SIZE = 10000
BATCH_SIZE = 16
train_dataset = train_dataset.shuffle(BUFFER_SIZE).batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)
test_dataset = test_dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)
for example, label in test_dataset.take(1):
  print('texts: ', example.numpy()[:3])
  print()
  print('labels: ', label.numpy()[:3])
VOCAB_SIZE = 1000
encoder = tf.keras.layers.TextVectorization(max_tokens=VOCAB_SIZE)
encoder.adapt(train_dataset.map(lambda text, label: text))
vocab = np.array(encoder.get_vocabulary())
print(repr(vocab[:20]))
encoded_example = encoder(example)[:3].numpy()
print(repr(encoded_example))
for n in range(3):
  print("Original: ", example[n].numpy())
  print("Round-trip: ", " ".join(vocab[encoded_example[n]]))
  print()
model = tf.keras.Sequential([
    encoder,
    tf.keras.layers.Embedding(input_dim=len(encoder.get_vocabulary()), output_dim=64, mask_zero=True),
    tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(64)),
    tf.keras.layers.Dense(64, activation='relu'),
    tf.keras.layers.Dense(1)
])
print([layer.supports_masking for layer in model.layers])
# TF 2.21 refuses the tutorial's model.predict(np.array([sample_text])) ('Invalid dtype: str...'): tf.constant here
sample_text = ('The movie was cool. The animation and the graphics '
               'were out of this world. I would recommend this movie.')
predictions = model.predict(tf.constant([sample_text]), verbose=0)
p0 = predictions[0]
print(predictions.shape, predictions.dtype)
padding = "the " * 2000
predictions = model.predict(tf.constant([sample_text, padding]), verbose=0)
print(np.allclose(predictions[0], p0, atol=1e-6))
model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), optimizer=tf.keras.optimizers.Adam(1e-4), metrics=['accuracy'])
history = model.fit(train_dataset, epochs=2, validation_data=test_dataset, validation_steps=1, verbose=0)
test_loss, test_acc = model.evaluate(test_dataset, verbose=0)
print('Test Loss:', type(test_loss))
print('Test Accuracy:', type(test_acc))
model.summary()
model = tf.keras.Sequential([
    encoder,
    tf.keras.layers.Embedding(len(encoder.get_vocabulary()), 64, mask_zero=True),
    tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(64,  return_sequences=True)),
    tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(32)),
    tf.keras.layers.Dense(64, activation='relu'),
    tf.keras.layers.Dropout(0.5),
    tf.keras.layers.Dense(1)
])
model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), optimizer=tf.keras.optimizers.Adam(1e-4), metrics=['accuracy'])
history = model.fit(train_dataset, epochs=1, validation_data=test_dataset, validation_steps=1, verbose=0)
print(history.history.keys())
predictions = model.predict(tf.constant([sample_text]), verbose=0)
print(predictions.shape)
model.summary()
'''

TF_OUTPUT = [
    '(TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))',
    "text:  b'Film film actor bad plot boring.'",
    'label:  0',
    "texts:  [b'Acting film terrible fun good story fun wonderful hate was.'",
    " b'The actor the plot good great movie the acting story good dull fun the good dull worst awful wonderful fun acting bad acting plot.'",
    " b'Story worst fun good hate boring film terrible awful worst actor wonderful actor actor bad wonderful best dull fun wonderful awful worst hate wonderful story boring worst awful terrible.']",
    '',
    'labels:  [1 0 0]',
    "array(['', '[UNK]', 'terrible', 'story', 'hate', 'actor', 'fun', 'great',",
    "       'dull', 'good', 'was', 'the', 'boring', 'bad', 'wonderful',",
    "       'movie', 'best', 'awful', 'love', 'worst'], dtype='<U9')",
    'array([[21, 20,  2,  6,  9,  3,  6, 14,  4, 10,  0,  0,  0,  0,  0,  0,',
    '         0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0],',
    '       [11,  5, 11, 22,  9,  7, 15, 11, 21,  3,  9,  8,  6, 11,  9,  8,',
    '        19, 17, 14,  6, 21, 13, 21, 22,  0,  0,  0,  0,  0,  0],',
    '       [ 3, 19,  6,  9,  4, 12, 20,  2, 17, 19,  5, 14,  5,  5, 13, 14,',
    '        16,  8,  6, 14, 17, 19,  4, 14,  3, 12, 19, 17,  2,  0]])',
    "Original:  b'Acting film terrible fun good story fun wonderful hate was.'",
    'Round-trip:  acting film terrible fun good story fun wonderful hate was                    ',
    '',
    "Original:  b'The actor the plot good great movie the acting story good dull fun the good dull worst awful wonderful fun acting bad acting plot.'",
    'Round-trip:  the actor the plot good great movie the acting story good dull fun the good dull worst awful wonderful fun acting bad acting plot      ',
    '',
    "Original:  b'Story worst fun good hate boring film terrible awful worst actor wonderful actor actor bad wonderful best dull fun wonderful awful worst hate wonderful story boring worst awful terrible.'",
    'Round-trip:  story worst fun good hate boring film terrible awful worst actor wonderful actor actor bad wonderful best dull fun wonderful awful worst hate wonderful story boring worst awful terrible ',
    '',
    '[False, True, True, True, True]',
    '(1, 1) float32',
    'True',
    "Test Loss: <class 'float'>",
    "Test Accuracy: <class 'float'>",
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ text_vectorization              │ (1, None)              │             0 │',
    '│ (TextVectorization)             │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ embedding (Embedding)           │ (1, None, 64)          │         1,472 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ bidirectional (Bidirectional)   │ (1, 128)               │        66,048 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (1, 64)                │         8,256 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (1, 1)                 │            65 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 227,525 (888.77 KB)',
    ' Trainable params: 75,841 (296.25 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 151,684 (592.52 KB)',
    "dict_keys(['accuracy', 'loss', 'val_accuracy', 'val_loss'])",
    '(1, 1)',
    'Model: "sequential_1"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ text_vectorization              │ (None, None)           │             0 │',
    '│ (TextVectorization)             │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ embedding_1 (Embedding)         │ (None, None, 64)       │         1,472 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ bidirectional_1 (Bidirectional) │ (None, None, 128)      │        66,048 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ bidirectional_2 (Bidirectional) │ (None, 64)             │        41,216 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_2 (Dense)                 │ (None, 64)             │         4,160 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, 64)             │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_3 (Dense)                 │ (None, 1)              │            65 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 338,885 (1.29 MB)',
    ' Trainable params: 112,961 (441.25 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 225,924 (882.52 KB)',
    '',
]


def test_text_classification_rnn_tutorial_prints_as_tensorflow():
    assert_guide_prints(GUIDE, "test_text_classification_rnn_tutorial_prints_as_tensorflow", TF_OUTPUT)
