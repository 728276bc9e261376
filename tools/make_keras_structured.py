"""Record a Keras 3 model built as TensorFlow's "Load CSV data" tutorial builds its titanic model,
for tests/test_tutorials_structured_data.py: a preprocessing head of named ``Input(shape=(1,))``
columns (Normalization on the concatenated numbers, StringLookup + CategoryEncoding per text
column) called on the dict of inputs inside the full model, with a Sequential body.

Run with a Python that has Keras 3 (TensorFlow backend):
    /work/peers/bin/python tools/make_keras_structured.py
writes tests/fixtures/keras_structured/titanic.keras (as Keras saves it: the nested model's call
on a dict of inputs, its mask of nulls) and titanic.npz (the columns and Keras's predictions).
"""
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras_structured"
rng = np.random.default_rng(7)
n = 12
columns = {"sex": rng.choice(["male", "female"], n).astype(object),
           "age": rng.uniform(1, 70, n).round(1),
           "fare": rng.uniform(5, 100, n).round(3),
           "class": rng.choice(["First", "Second", "Third"], n).astype(object)}
keras.utils.set_random_seed(7)
inputs = {name: keras.Input(shape=(1,), name=name, dtype="string" if values.dtype == object else "float32")
          for name, values in columns.items()}
numeric = [inputs["age"], inputs["fare"]]
norm = layers.Normalization()
norm.adapt(np.stack([columns["age"], columns["fare"]], axis=1))
parts = [norm(layers.Concatenate()(numeric))]
for name in ("sex", "class"):
    lookup = layers.StringLookup(vocabulary=np.unique(columns[name]))
    parts.append(layers.CategoryEncoding(num_tokens=lookup.vocabulary_size())(lookup(inputs[name])))
head = keras.Model(inputs, layers.Concatenate()(parts))
body = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(1)])
model = keras.Model(inputs, body(head(inputs)))
model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True), optimizer="adam")
model.fit(columns, rng.integers(0, 2, n), epochs=2, verbose=0)
OUT.mkdir(parents=True, exist_ok=True)
model.save(OUT / "titanic.keras")
np.savez(OUT / "titanic.npz", pred=model.predict(columns, verbose=0), head=np.asarray(head(columns)),
         **{f"col_{k}": (v.astype(str) if v.dtype == object else v) for k, v in columns.items()})
print("wrote", OUT)
