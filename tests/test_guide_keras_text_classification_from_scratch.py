"""keras.io's example "Text classification from scratch" (examples/nlp/text_classification_from_scratch.py),
run renamed on a few made-up reviews in place of IMDB (same folder layout, aclImdb/train|test/neg|pos):
text_dataset_from_directory with a validation split, a custom standardization (tf.strings.lower,
regex_replace), TextVectorization adapted on the mapped dataset, the Conv1D model's summary, fit,
evaluate, and the end-to-end string model. TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15.
"""
import re

from conftest import assert_guide_prints, renamed

from glassnet import keras

PROGRAM = """\
import os
import random
import tempfile
os.chdir(tempfile.mkdtemp())
random.seed(0)          # (the IMDB reviews in the example: a few made-up ones, same in both)
words = "good bad great awful movie film plot acting love hate boring fun <br /> the a is was and".split()
for split in ("train", "test"):
    for label in ("neg", "pos"):
        os.makedirs(f"aclImdb/{split}/{label}")
        for i in range(24):
            with open(f"aclImdb/{split}/{label}/{i}_{label}.txt", "w") as f:
                f.write(" ".join(random.choice(words) for _ in range(random.randint(5, 30))))
import tensorflow as tf
import keras
keras.utils.set_random_seed(0)
from keras import layers
import numpy as np
import re
import string
batch_size = 32
raw_train_ds = keras.utils.text_dataset_from_directory("aclImdb/train", batch_size=batch_size, validation_split=0.2, subset="training", seed=1337)
raw_val_ds = keras.utils.text_dataset_from_directory("aclImdb/train", batch_size=batch_size, validation_split=0.2, subset="validation", seed=1337)
raw_test_ds = keras.utils.text_dataset_from_directory("aclImdb/test", batch_size=batch_size)
print(f"Number of batches in raw_train_ds: {raw_train_ds.cardinality()}")
print(f"Number of batches in raw_val_ds: {raw_val_ds.cardinality()}")
print(f"Number of batches in raw_test_ds: {raw_test_ds.cardinality()}")
for text_batch, label_batch in raw_train_ds.take(1):
    for i in range(2):
        print(type(text_batch.numpy()[i]).__name__, label_batch.numpy()[i].dtype)

def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, f"[{re.escape(string.punctuation)}]", "")

max_features = 20000
embedding_dim = 128
sequence_length = 500
vectorize_layer = keras.layers.TextVectorization(standardize=custom_standardization, max_tokens=max_features, output_mode="int", output_sequence_length=sequence_length)
text_ds = raw_train_ds.map(lambda x, y: x)
vectorize_layer.adapt(text_ds)
print(vectorize_layer.vocabulary_size(), vectorize_layer.get_vocabulary()[:5])

def vectorize_text(text, label):
    text = tf.expand_dims(text, -1)
    return vectorize_layer(text), label

train_ds = raw_train_ds.map(vectorize_text)
val_ds = raw_val_ds.map(vectorize_text)
test_ds = raw_test_ds.map(vectorize_text)
train_ds = train_ds.cache().prefetch(buffer_size=10)
val_ds = val_ds.cache().prefetch(buffer_size=10)
test_ds = test_ds.cache().prefetch(buffer_size=10)
inputs = keras.Input(shape=(None,), dtype="int64")
x = layers.Embedding(max_features, embedding_dim)(inputs)
x = layers.Dropout(0.5)(x)
x = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
x = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(128, activation="relu")(x)
x = layers.Dropout(0.5)(x)
predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
model = keras.Model(inputs, predictions)
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()
h = model.fit(train_ds, validation_data=val_ds, epochs=1, verbose=0)
print(list(h.history))
print(len(model.evaluate(test_ds, verbose=0)))
inputs = keras.Input(shape=(1,), dtype="string")
indices = vectorize_layer(inputs)
outputs = model(indices)
end_to_end_model = keras.Model(inputs, outputs)
end_to_end_model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
print(len(end_to_end_model.evaluate(raw_test_ds, verbose=0)))
end_to_end_model.summary()
"""

TF_OUTPUT = [
    'Found 48 files belonging to 2 classes.',
    'Using 39 files for training.',
    'Found 48 files belonging to 2 classes.',
    'Using 9 files for validation.',
    'Found 48 files belonging to 2 classes.',
    'Number of batches in raw_train_ds: 2',
    'Number of batches in raw_val_ds: 1',
    'Number of batches in raw_test_ds: 2',
    'bytes int32',
    'bytes int32',
    "20 ['', '[UNK]', np.str_('great'), np.str_('movie'), np.str_('bad')]",
    'Model: "functional"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer (InputLayer)        │ (None, None)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ embedding (Embedding)           │ (None, None, 128)      │     2,560,000 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, None, 128)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv1d (Conv1D)                 │ (None, None, 128)      │       114,816 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv1d_1 (Conv1D)               │ (None, None, 128)      │       114,816 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_max_pooling1d            │ (None, 128)            │             0 │',
    '│ (GlobalMaxPooling1D)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 128)            │        16,512 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout_1 (Dropout)             │ (None, 128)            │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ predictions (Dense)             │ (None, 1)              │           129 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 2,806,273 (10.71 MB)',
    ' Trainable params: 2,806,273 (10.71 MB)',
    ' Non-trainable params: 0 (0.00 B)',
    "['accuracy', 'loss', 'val_accuracy', 'val_loss']",
    '2',
    '2',
    'Model: "functional_1"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer_1 (InputLayer)      │ (None, 1)              │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ text_vectorization              │ (None, 500)            │             0 │',
    '│ (TextVectorization)             │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ functional (Functional)         │ (None, 1)              │     2,806,273 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 2,806,273 (10.71 MB)',
    ' Trainable params: 2,806,273 (10.71 MB)',
    ' Non-trainable params: 0 (0.00 B)',
    '',
]


def test_text_classification_from_scratch():
    keras.backend.clear_session()               # names count as in a fresh process
    assert_guide_prints(renamed(PROGRAM), "text_classification_from_scratch", TF_OUTPUT)
