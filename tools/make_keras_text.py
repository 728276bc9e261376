"""Record real Keras 3's text preprocessing outputs for tests/test_text.py.

Run with a Python that has Keras 3 (TensorFlow backend):
    /work/peers/bin/python tools/make_keras_text.py
writes tests/fixtures/keras_text.json: the sentences, the vocabularies adapt learns (Keras's
order), the int / multi_hot / count / tf_idf outputs, StringLookup / IntegerLookup /
CategoryEncoding / Discretization outputs, and the file names inside a saved .keras zip.
"""
import json
import os
import pathlib
import tempfile
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

SENTENCES = [
    "The movie was GREAT, great acting!",
    "A terrible movie... truly terrible; the worst.",
    "  I loved it -- the end was great  ",
    "Émile said: ÇA VA? the café was ok",
    "one\ttab\nnewline  spaces\u00a0nbsp",
    "don't stop-believing (it's fine) [really] {ok} <tag> a_b",
    "the the the a a b",
]
OTHER = ["the great café", "unknown words here", "", "A movie, the END"]


def out(layer, data):
    return np.asarray(layer(np.array(data))).tolist()


def vectorizer(**kw):
    tv = layers.TextVectorization(**kw)
    tv.adapt(np.array(SENTENCES))
    return tv


cases = []
for kw in [dict(), dict(max_tokens=8), dict(output_sequence_length=5), dict(ngrams=2), dict(ngrams=(1, 3)),
           dict(standardize="lower"), dict(standardize="strip_punctuation"), dict(standardize=None),
           dict(split="character", output_sequence_length=12), dict(split=None),
           dict(output_mode="multi_hot"), dict(output_mode="count"), dict(output_mode="tf_idf"),
           dict(output_mode="multi_hot", max_tokens=10, pad_to_max_tokens=True),
           dict(output_mode="count", ngrams=2, max_tokens=12), dict(output_mode="tf_idf", max_tokens=6)]:
    tv = vectorizer(**kw)
    cfg = tv.get_config()
    cases.append({"kwargs": {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()},
                  "vocabulary": tv.get_vocabulary(), "vocabulary_size": tv.vocabulary_size(),
                  "train": out(tv, SENTENCES), "other": out(tv, OTHER),
                  "config": {k: v for k, v in cfg.items() if k not in ("dtype",)}})

lookups = []
s_data = np.array(["b", "a", "c", "a", "b", "a", "d", "é"])
for kw in [dict(), dict(num_oov_indices=2), dict(num_oov_indices=5, mask_token=""), dict(mask_token="[MASK]"), dict(output_mode="one_hot"),
           dict(output_mode="multi_hot"), dict(output_mode="count"), dict(output_mode="tf_idf"),
           dict(max_tokens=3)]:
    sl = layers.StringLookup(**kw)
    sl.adapt(s_data)
    x = np.array(["a", "z", "é", "b", "q", "zz", "hello", ""]) if kw.get("output_mode", "int") in ("int", "one_hot") else \
        np.array([["a", "z"], ["b", "b"]])
    lookups.append({"kind": "StringLookup", "kwargs": kw, "vocabulary": sl.get_vocabulary(),
                    "x": x.tolist(), "y": out(sl, x)})
inv = layers.StringLookup(vocabulary=["a", "b", "c"], invert=True)
lookups.append({"kind": "StringLookup", "kwargs": {"vocabulary": ["a", "b", "c"], "invert": True},
                "vocabulary": inv.get_vocabulary(), "x": [[0, 1, 3, 2]],
                "y": np.asarray(inv(np.array([[0, 1, 3, 2]]))).astype(str).tolist()})
i_data = np.array([12, 7, 7, 3, 12, 7, 100])
for kw in [dict(), dict(mask_token=0), dict(output_mode="multi_hot"), dict(output_mode="count"),
           dict(num_oov_indices=0), dict(max_tokens=3), dict(num_oov_indices=3),
           dict(num_oov_indices=3, oov_method="farmhash")]:
    il = layers.IntegerLookup(**kw)
    il.adapt(i_data)
    x = np.array([[7, 12, 5, 100, 8, -4, 11]]) if kw.get("num_oov_indices", 1) else np.array([[7, 12, 3, 100]])
    lookups.append({"kind": "IntegerLookup", "kwargs": kw,
                    "vocabulary": [int(v) for v in il.get_vocabulary()], "x": x.tolist(), "y": out(il, x)})

encodings = []
for mode in ("one_hot", "multi_hot", "count"):
    ce = layers.CategoryEncoding(num_tokens=5, output_mode=mode)
    x = np.array([3, 0, 4]) if mode == "one_hot" else np.array([[0, 1], [3, 3], [4, 1]])
    encodings.append({"output_mode": mode, "x": x.tolist(), "y": out(ce, x)})

disc = []
d = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.5])
disc.append({"kwargs": {"bin_boundaries": [0.0, 1.0, 2.5]}, "x": [[-1.0, 0.0, 0.5, 1.0, 3.0]],
             "y": out(d, [[-1.0, 0.0, 0.5, 1.0, 3.0]])})
d = layers.Discretization(num_bins=4)
d.adapt(np.arange(20.0))
disc.append({"kwargs": {"num_bins": 4}, "adapt": list(np.arange(20.0)),
             "bin_boundaries": [float(b) for b in d.bin_boundaries], "x": [[0.0, 4.9, 5.0, 12.0, 19.0]],
             "y": out(d, [[0.0, 4.9, 5.0, 12.0, 19.0]])})

hashing = []
for kw, x in [(dict(num_bins=3), [["A"], ["B"], ["C"], ["D"], ["E"]]), (dict(num_bins=7), [["café", "the movie"], ["", "x" * 70]]),
              (dict(num_bins=5), [[1, 12], [-3, 1000000]]), (dict(num_bins=4, mask_value=""), [["", "a", "b", ""]]),
              (dict(num_bins=4, mask_value=0), [[0, 5, 9, 0]]), (dict(num_bins=4, output_mode="multi_hot"), [["a", "b", "a"]]),
              (dict(num_bins=4, output_mode="count"), [["a", "b", "a"]])]:
    hashing.append({"kwargs": kw, "x": x, "y": out(layers.Hashing(**kw), x)})

# FarmHash Fingerprint64 as TensorFlow computes it (mod 2**62: JSON keeps the numbers exact)
import random  # noqa: E402
import tensorflow as tf  # noqa: E402
random.seed(0)
texts = [""] + ["".join(random.choice("abcé xyz019") for _ in range(n)) for n in (*range(1, 140), 200, 257, 1000)]
fingerprints = {"texts": texts, "mod_2_62": tf.strings.to_hash_bucket_fast(texts, 2 ** 62).numpy().tolist()}

# what a .keras file holds for an adapted TextVectorization
tv = vectorizer()
model = keras.Sequential([keras.Input(shape=(1,), dtype="string"), tv, layers.Embedding(50, 2)])
tmp = tempfile.mkdtemp()
path = os.path.join(tmp, "m.keras")
model.save(path)
with zipfile.ZipFile(path) as z:
    names = sorted(z.namelist())
    vocab_file = next(n for n in names if n.endswith("vocabulary.txt"))
    vocab_text = z.read(vocab_file).decode()
    config = json.loads(z.read("config.json"))

# a small text classifier saved by Keras (its vocabulary in assets/), for loading in glassnet
keras.utils.set_random_seed(0)
tv = vectorizer(max_tokens=20, output_sequence_length=6)
text_in = keras.Input(shape=(1,), dtype="string")
model = keras.Sequential([text_in, tv, layers.Embedding(20, 3), layers.GlobalAveragePooling1D(), layers.Dense(1)])
fixtures = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures"
model.save(fixtures / "keras_text_model.keras")
import tensorflow as tf  # noqa: E402
saved_model = {"predictions": np.asarray(model.predict(tf.constant(SENTENCES + OTHER), verbose=0)).tolist()}
lookup = layers.StringLookup(output_mode="multi_hot")
lookup.adapt(np.array(["b", "a", "c", "a", "b", "a", "d", "é"]))
model = keras.Sequential([keras.Input(shape=(2,), dtype="string"), lookup, layers.Dense(1)])
model.save(fixtures / "keras_lookup_model.keras")
saved_model["lookup_x"] = [["a", "z"], ["é", "b"]]
saved_model["lookup_predictions"] = np.asarray(model.predict(tf.constant(saved_model["lookup_x"]), verbose=0)).tolist()
tv = vectorizer(output_mode="tf_idf", max_tokens=12)           # idf weights in model.weights.h5
model = keras.Sequential([keras.Input(shape=(1,), dtype="string"), tv, layers.Dense(1)])
model.save(fixtures / "keras_tfidf_model.keras")
saved_model["tfidf_predictions"] = np.asarray(model.predict(tf.constant(SENTENCES + OTHER), verbose=0)).tolist()
with zipfile.ZipFile(fixtures / "keras_lookup_model.keras") as z:
    saved_model["lookup_names"] = sorted(z.namelist())

fixture = {"keras_version": keras.__version__, "sentences": SENTENCES, "other": OTHER, "text": cases,
           "lookups": lookups, "hashing": hashing, "fingerprints": fingerprints, "category_encoding": encodings, "discretization": disc,
           "keras_zip": {"names": names, "vocabulary_file": vocab_file, "vocabulary_text": vocab_text,
                         "config": config}, "saved_model": saved_model}
target = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "keras_text.json"
target.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")
print("wrote", target)
