"""Sentiment from a folder of text files, as TensorFlow's "basic text classification" tutorial.

The example writes a small folder of movie reviews (reviews/train/pos, reviews/train/neg,
one .txt file each), then reads it as the tutorial does:
text_dataset_from_directory -> TextVectorization (a custom standardize) -> Embedding ->
GlobalAveragePooling1D -> Dense(1) on logits. The glass box at the end: the words whose
learned embeddings lie nearest to "great" and to "awful", and what the pooled sentence
vector looks like for one review. Run: python examples/11_sentiment_text_folder.py
"""
import os
import re
import string

import numpy as np

import glassnet as tf
from glassnet.keras import layers
from _common import epochs, heading, review_folder

root = review_folder(per_class=200)                        # reviews/train/{neg,pos}/*.txt

heading("the folder, read as the tutorial reads it")
batch_size, seed = 32, 42
raw_train_ds = tf.keras.utils.text_dataset_from_directory(
    os.path.join(root, "train"), batch_size=batch_size, validation_split=0.2, subset="training", seed=seed)
raw_val_ds = tf.keras.utils.text_dataset_from_directory(
    os.path.join(root, "train"), batch_size=batch_size, validation_split=0.2, subset="validation", seed=seed)
print("class names:", raw_train_ds.class_names)
for text_batch, label_batch in raw_train_ds.take(1):
    print("review:", text_batch.numpy()[0])
    print("label: ", label_batch.numpy()[0], f"({raw_train_ds.class_names[label_batch.numpy()[0]]})")


def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, f"[{re.escape(string.punctuation)}]", "")


max_features, sequence_length = 200, 24
vectorize_layer = layers.TextVectorization(standardize=custom_standardization, max_tokens=max_features,
                                           output_mode="int", output_sequence_length=sequence_length)
vectorize_layer.adapt(raw_train_ds.map(lambda x, y: x))
vocabulary = vectorize_layer.get_vocabulary()
print(f"vocabulary: {len(vocabulary)} tokens, the first ones {vocabulary[:6]}")


def vectorize_text(text, label):
    return vectorize_layer(tf.expand_dims(text, -1)), label


train_ds = raw_train_ds.map(vectorize_text).cache().prefetch(buffer_size=tf.data.AUTOTUNE)
val_ds = raw_val_ds.map(vectorize_text).cache().prefetch(buffer_size=tf.data.AUTOTUNE)

heading("Embedding -> GlobalAveragePooling1D -> Dense(1), on logits")
tf.keras.utils.set_random_seed(1)
model = tf.keras.Sequential([
    layers.Embedding(max_features, 16),
    layers.Dropout(0.2),
    layers.GlobalAveragePooling1D(),
    layers.Dropout(0.2),
    layers.Dense(1)])
model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), optimizer="adam",
              metrics=[tf.keras.metrics.BinaryAccuracy(threshold=0.0)])
history = model.fit(train_ds, validation_data=val_ds, epochs=epochs(60), verbose=0)
print(f"after {len(history.history['loss'])} epochs: loss {history.history['loss'][-1]:.3f}, "
      f"validation accuracy {history.history['val_binary_accuracy'][-1]:.3f}")

export_model = tf.keras.Sequential([vectorize_layer, model, layers.Activation("sigmoid")])
examples = ["A brilliant, moving film!", "Dull and tedious, a mess.", "The plot was a story."]
for text, p in zip(examples, export_model.predict(tf.constant(examples), verbose=0).ravel()):
    print(f"  P(positive) = {p:.2f}  {text}")

heading("glass box: the embedding's nearest words")
E = model.layers[0].get_weights()[0]                      # one row of 16 numbers per token id
E = E[:len(vocabulary)]                                   # rows past the vocabulary are never looked up
unit = E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)
for word in ("great", "awful"):
    i = vocabulary.index(word)
    cosine = unit @ unit[i]                               # cos(angle) between word i and every word
    nearest = [vocabulary[j] for j in np.argsort(-cosine) if j != i and j > 1][:5]
    print(f"  nearest to {word!r}: {nearest}")
ids = vectorize_layer(tf.constant([examples[0]])).numpy()[0]
pooled = E[ids].mean(axis=0)                              # what GlobalAveragePooling1D hands on
print(f"  ids of {examples[0]!r}: {ids[:8].tolist()} ...; the pooled vector's first numbers "
      f"{[round(float(v), 3) for v in pooled[:4]]}")
