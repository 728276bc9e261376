"""The same reviews read word by word: Embedding(mask_zero=True) -> LSTM -> Dense(1).

Example 11 averaged the words' vectors and so forgot their order; an LSTM reads them one
time step after another, carrying a cell state c and an output h from each step to the
next, and its backward runs through time in reverse (backpropagation through time,
written out in glassnet/layers/recurrent.py). mask_zero=True tells the LSTM which steps
are padding, so a short review's state is not worn down by zeros. The glass box: one
training step explained, the LSTM's gates at one time step with the model's numbers.
Run: python examples/12_sentiment_lstm.py
"""
import os

import numpy as np

import glassnet as tf
from glassnet.keras import layers
from _common import epochs, heading, review_folder

root = review_folder(per_class=200)
raw_train_ds, raw_val_ds = tf.keras.utils.text_dataset_from_directory(
    os.path.join(root, "train"), batch_size=32, validation_split=0.2, subset="both", seed=42)

vectorize_layer = layers.TextVectorization(max_tokens=200, output_sequence_length=20)
vectorize_layer.adapt(raw_train_ds.map(lambda text, label: text))
train_ds = raw_train_ds.map(lambda text, label: (vectorize_layer(text), label)).cache()
val_ds = raw_val_ds.map(lambda text, label: (vectorize_layer(text), label)).cache()

heading("Embedding(mask_zero=True) -> LSTM(16) -> Dense(1)")
tf.keras.utils.set_random_seed(2)
model = tf.keras.Sequential([
    layers.Input(shape=(20,), dtype="int64"),
    layers.Embedding(len(vectorize_layer.get_vocabulary()), 8, mask_zero=True),
    layers.LSTM(16),
    layers.Dense(1)])
model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), optimizer=tf.keras.optimizers.Adam(0.01),
              metrics=[tf.keras.metrics.BinaryAccuracy(threshold=0.0)])
model.summary()
history = model.fit(train_ds, validation_data=val_ds, epochs=epochs(15), verbose=0)
print(f"after {len(history.history['loss'])} epochs: loss {history.history['loss'][-1]:.3f}, "
      f"validation accuracy {history.history['val_binary_accuracy'][-1]:.3f}")

reviews = tf.constant(["A superb and charming film.", "It was boring, a dreadful mess."])
logits = model.predict(vectorize_layer(reviews), verbose=0).ravel()
for text, z in zip(reviews.numpy(), logits):
    print(f"  logit {z:+.2f}  P(positive) = {1 / (1 + np.exp(-z)):.2f}  {text.decode()}")

heading("glass box: one LSTM time step with the model's numbers")
x = vectorize_layer(reviews[:1]).numpy()
steps = int((x != 0).sum())
print(f"the first review is {steps} ids long, then {x.shape[1] - steps} padding steps the mask skips")
explanation = tf.explain(model, x, np.ones((1, 1), np.float32), numbers=3)
lines = str(explanation).splitlines()
start = next(i for i, line in enumerate(lines) if "lstm" in line.lower())
print("\n".join(lines[start:start + 24]))
