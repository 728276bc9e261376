"""TensorFlow's tutorial "Warm-start embedding layer matrix" (tutorials/text/warmstart_embedding_matrix) run
with ``import glassnet as tf`` and ``from glassnet.keras...``: what it prints must be what TensorFlow 2.21
printed for the same code (recorded under TF 2.21 / Keras 3.15). Stand-ins: a few short reviews in aclImdb's
folder layout for the download; vocabularies of 30 and 40 tokens for 10,000 and 10,200 (the reviews have fewer
words), sequences of 12, fewer epochs, fit quiet. What TF 2.21 does with the tutorial as written, and what the
program does instead:

- ``model.fit`` of ``Sequential([text_input, classifier_head])`` fails in TF 2.21 (UnimplementedError "Cast
  string to float is not supported": Keras 3 gives a Sequential whose first layer is a model a float input).
  glassnet lets the nested model's TextVectorization take the strings; the program puts
  ``tf.keras.Input(shape=(), dtype=tf.string)`` first, which both run.
- ``tf.keras.utils.warmstart_embedding_matrix`` is gone from Keras 3 (TF 2.16 on): an AttributeError in TF 2.21
  and in glassnet alike. The program then writes the remap out (base rows copied by token, new rows from the
  initializer) and goes on with the tutorial's cells: the new Embedding built by hand (``build(input_shape=[None])``:
  Keras's summary shows ``(None, 16)``), the adapted but never called TextVectorization (``0 (unbuilt)``),
  ``vectorize_layer("the")`` on one string (ids without a batch axis), the embedding rows of "the" equal in both
  vocabularies, and the warm-started training.
- text_dataset_from_directory's order after its seeded shuffle is TensorFlow's own (glassnet/data/directory.py):
  the first batch's labels and texts are printed sorted.
"""
import numpy as np

from conftest import assert_guide_prints, renamed

GUIDE = r'''import io
import numpy as np
import os
import re
import shutil
import string
import tensorflow as tf

from tensorflow.keras import Model
from tensorflow.keras.layers import Dense, Embedding, GlobalAveragePooling1D
from tensorflow.keras.layers import TextVectorization

# aclImdb_v1.tar.gz is a download: a few short reviews in its folder layout stand in
good = ["a great film, the best of the year", "wonderful acting and a moving story<br />loved it",
        "the cast is superb and the music great", "funny, warm and wonderful", "I loved the story and the ending",
        "brilliant direction; a great cast", "the best film I have seen", "moving, funny and great"]
bad = ["a dull film, the worst of the year", "terrible acting and a boring story<br />hated it",
       "the cast is awful and the music bad", "boring, slow and terrible", "I hated the story and the ending",
       "poor direction; a weak cast", "the worst film I have seen", "slow, dull and bad"]
for folder, texts in (("pos", good), ("neg", bad), ("unsup", good[:2])):
  os.makedirs(os.path.join("aclImdb", "train", folder))
  for i, t in enumerate(texts):
    with open(os.path.join("aclImdb", "train", folder, f"{i}_7.txt"), "w") as f:
      f.write(t)
dataset_dir = "aclImdb"
print(sorted(os.listdir(dataset_dir)))

train_dir = os.path.join(dataset_dir, "train")
print(sorted(os.listdir(train_dir)))

remove_dir = os.path.join(train_dir, "unsup")
shutil.rmtree(remove_dir)

batch_size = 1024
seed = 123
train_ds = tf.keras.utils.text_dataset_from_directory(
    "aclImdb/train",
    batch_size=batch_size,
    validation_split=0.2,
    subset="training",
    seed=seed,
)
val_ds = tf.keras.utils.text_dataset_from_directory(
    "aclImdb/train",
    batch_size=batch_size,
    validation_split=0.2,
    subset="validation",
    seed=seed,
)
print(train_ds.element_spec)
for texts, labels in train_ds.take(1):
  print(texts.shape, labels.dtype, sorted(labels.numpy().tolist()))
  print(sorted(texts.numpy().tolist())[0])

AUTOTUNE = tf.data.AUTOTUNE

train_ds = train_ds.cache().prefetch(buffer_size=AUTOTUNE)
val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)

# Create a custom standardization function to strip HTML break tags '<br />'.
def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(
        stripped_html, "[%s]" % re.escape(string.punctuation), ""
    )

print(custom_standardization(tf.constant(["Loved it!<br />The BEST; really."])))

# Vocabulary size and number of words in a sequence (10000 and 100 in the tutorial:
# the stand-in reviews have fewer words, so the base vocabulary is cut at 30).
vocab_size = 30
sequence_length = 12

vectorize_layer = TextVectorization(
    standardize=custom_standardization,
    max_tokens=vocab_size,
    output_mode="int",
    output_sequence_length=sequence_length,
)

text_ds = train_ds.map(lambda x, y: x)
vectorize_layer.adapt(text_ds)
print(vectorize_layer.get_vocabulary()[:12], vectorize_layer.vocabulary_size())

embedding_dim = 16
text_model_input = tf.keras.layers.Input(dtype=tf.string, shape=(1,))
print(text_model_input.shape)
text_embedding = Embedding(vocab_size, embedding_dim, name="embedding")

text_input = tf.keras.Sequential(
    [vectorize_layer, text_embedding], name="text_input"
)
classifier_head = tf.keras.Sequential(
    [GlobalAveragePooling1D(), Dense(16, activation="relu"), Dense(1)],
    name="classifier_head",
)

# (TF 2.21 fails the tutorial's model.fit: a Sequential whose first layer is a model takes float
# input, 'Cast string to float is not supported'; a string Input first here)
model = tf.keras.Sequential([tf.keras.Input(shape=(), dtype=tf.string), text_input, classifier_head])

tensorboard_callback = tf.keras.callbacks.TensorBoard(log_dir="logs")

model.compile(
    optimizer="adam",
    loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=["accuracy"],
)

history = model.fit(
    train_ds,
    validation_data=val_ds,
    epochs=3,
    callbacks=[tensorboard_callback],
    verbose=0,
)
print(sorted(history.history), history.params)
print(sorted(os.listdir("logs")))

model.summary()

embedding_weights_base = (
    model.get_layer("text_input").get_layer("embedding").embeddings
)
print(type(embedding_weights_base).__name__, embedding_weights_base.shape)
print(model.get_layer("text_input").get_layer("embedding").get_weights()[0].shape)
vocab_base = vectorize_layer.get_vocabulary()

# Vocabulary size and number of words in a sequence.
vocab_size_new = 40
sequence_length = 12

vectorize_layer_new = TextVectorization(
    standardize=custom_standardization,
    max_tokens=vocab_size_new,
    output_mode="int",
    output_sequence_length=sequence_length,
)

# Make a text-only dataset (no labels) and call adapt to build the vocabulary.
text_ds = train_ds.map(lambda x, y: x)
vectorize_layer_new.adapt(text_ds)

# Get the new vocabulary
vocab_new = vectorize_layer_new.get_vocabulary()

# View the new vocabulary tokens that weren't in `vocab_base`
print(sorted(set(vocab_base) ^ set(vocab_new)))

# Generate the updated embedding matrix
try:
  updated_embedding = tf.keras.utils.warmstart_embedding_matrix(
      base_vocabulary=vocab_base,
      new_vocabulary=vocab_new,
      base_embeddings=embedding_weights_base,
      new_embeddings_initializer="uniform",
  )
except AttributeError as e:
  # Keras 3 (TF 2.16 on) has no warmstart_embedding_matrix: the remap written out
  print(type(e).__name__, 'warmstart_embedding_matrix' in str(e))
  def warmstart_embedding_matrix(base_vocabulary, new_vocabulary, base_embeddings, new_embeddings_initializer="uniform"):
    initializer = tf.keras.initializers.get(new_embeddings_initializer)
    matrix = np.array(initializer(shape=(len(new_vocabulary), base_embeddings.shape[1]), dtype=base_embeddings.dtype))
    base_index = {w: i for i, w in enumerate(base_vocabulary)}
    base = np.asarray(base_embeddings)
    for i, w in enumerate(new_vocabulary):
      if w in base_index:
        matrix[i] = base[base_index[w]]
    return tf.constant(matrix)
  tf.keras.utils.warmstart_embedding_matrix = warmstart_embedding_matrix
  updated_embedding = tf.keras.utils.warmstart_embedding_matrix(
      base_vocabulary=vocab_base,
      new_vocabulary=vocab_new,
      base_embeddings=embedding_weights_base,
      new_embeddings_initializer="uniform",
  )
# Update the model variable
updated_embedding_variable = tf.Variable(updated_embedding)
print(updated_embedding_variable.shape)
print(updated_embedding.dtype, updated_embedding.shape)
new_embedding = np.random.rand(len(vocab_new), 16)
constant_start = tf.keras.utils.warmstart_embedding_matrix(
            base_vocabulary=vocab_base,
            new_vocabulary=vocab_new,
            base_embeddings=embedding_weights_base,
            new_embeddings_initializer=tf.keras.initializers.Constant(
                new_embedding
            )
        )
new_only = [i for i, w in enumerate(vocab_new) if w not in vocab_base]
print(bool(np.allclose(np.asarray(constant_start)[new_only], new_embedding[new_only].astype('float32'))))
print(bool(np.all(np.abs(np.asarray(updated_embedding)[new_only]) <= 0.05)))
print(all(bool(np.array_equal(np.asarray(updated_embedding)[i], embedding_weights_base.numpy()[vocab_base.index(w)]))
          for i, w in enumerate(vocab_new) if w in vocab_base))

text_embedding_layer_new = Embedding(
    vectorize_layer_new.vocabulary_size(), embedding_dim, name="embedding"
)
text_embedding_layer_new.build(input_shape=[None])
text_embedding_layer_new.embeddings.assign(updated_embedding)
text_input_new = tf.keras.Sequential(
    [vectorize_layer_new, text_embedding_layer_new], name="text_input_new"
)
text_input_new.summary()

# Verify the shape of updated weights
# The new weights shape should reflect the new vocabulary size
print(text_input_new.get_layer("embedding").embeddings.shape)
print(text_input_new.get_layer("embedding").get_weights()[0].shape)

warm_started_model = tf.keras.Sequential([text_input_new, classifier_head])
warm_started_model.summary()

# New vocab words
base_vocab_index = vectorize_layer("the")[0]
new_vocab_index = vectorize_layer_new("the")[0]
print(vectorize_layer("the").shape, base_vocab_index, new_vocab_index)
print(
    warm_started_model.get_layer("text_input_new").get_layer("embedding")(
        new_vocab_index
    )
    == embedding_weights_base[base_vocab_index]
)

model.compile(
    optimizer="adam",
    loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
history = model.fit(
    train_ds,
    validation_data=val_ds,
    epochs=2,
    callbacks=[tensorboard_callback],
    verbose=0,
)
print(sorted(history.history), history.params)
warm_started_model = tf.keras.Sequential([tf.keras.Input(shape=(), dtype=tf.string), text_input_new, classifier_head])
warm_started_model.compile(optimizer="adam", loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
history = warm_started_model.fit(train_ds, validation_data=val_ds, epochs=2, verbose=0)
print(sorted(history.history), history.params)
warm_started_model.summary()
'''

# what TF 2.21 / Keras 3.15 printed for GUIDE (import tensorflow as tf), line by line
TF_OUTPUT = [
    "['train']",
    "['neg', 'pos', 'unsup']",
    'Found 16 files belonging to 2 classes.',
    'Using 13 files for training.',
    'Found 16 files belonging to 2 classes.',
    'Using 3 files for validation.',
    '(TensorSpec(shape=(None,), dtype=tf.string, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))',
    "(13,) <dtype: 'int32'> [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]",
    "b'I hated the story and the ending'",
    "tf.Tensor([b'loved it the best really'], shape=(1,), dtype=string)",
    "['', '[UNK]', np.str_('the'), np.str_('and'), np.str_('a'), np.str_('story'), np.str_('i'), np.str_('great'), np.str_('film'), np.str_('year'), np.str_('worst'), np.str_('wonderful')] 30",
    '(None, 1)',
    "['accuracy', 'loss', 'val_accuracy', 'val_loss'] {'verbose': 0, 'epochs': 3, 'steps': 1}",
    "['train', 'validation']",
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ text_input (Sequential)         │ (None, 12, 16)         │           480 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ classifier_head (Sequential)    │ (None, 1)              │           289 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 2,309 (9.02 KB)',
    ' Trainable params: 769 (3.00 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 1,540 (6.02 KB)',
    'Variable (30, 16)',
    '(30, 16)',
    "[np.str_('bad'), np.str_('best'), np.str_('direction'), np.str_('have'), np.str_('is'), np.str_('music')]",
    'AttributeError True',
    '(36, 16)',
    "<dtype: 'float32'> (36, 16)",
    'True',
    'True',
    'True',
    'Model: "text_input_new"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ text_vectorization_1            │ ?                      │   0 (unbuilt) │',
    '│ (TextVectorization)             │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ embedding (Embedding)           │ (None, 16)             │           576 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 576 (2.25 KB)',
    ' Trainable params: 576 (2.25 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    '(36, 16)',
    '(36, 16)',
    'Model: "sequential_1"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ text_input_new (Sequential)     │ ?                      │   0 (unbuilt) │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ classifier_head (Sequential)    │ (None, 1)              │           289 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 865 (3.38 KB)',
    ' Trainable params: 865 (3.38 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    '(12,) tf.Tensor(2, shape=(), dtype=int64) tf.Tensor(2, shape=(), dtype=int64)',
    'tf.Tensor(',
    '[ True  True  True  True  True  True  True  True  True  True  True  True',
    '  True  True  True  True], shape=(16,), dtype=bool)',
    "['accuracy', 'loss', 'val_accuracy', 'val_loss'] {'verbose': 0, 'epochs': 2, 'steps': 1}",
    "['accuracy', 'loss', 'val_accuracy', 'val_loss'] {'verbose': 0, 'epochs': 2, 'steps': 1}",
    'Model: "sequential_2"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ text_input_new (Sequential)     │ (None, 12, 16)         │           576 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ classifier_head (Sequential)    │ (None, 1)              │           289 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 2,597 (10.15 KB)',
    ' Trainable params: 865 (3.38 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 1,732 (6.77 KB)',
    '',
]


def test_warmstart_embedding_prints_what_tensorflow_printed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with np.printoptions(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                         floatmode="maxprec", sign="-", legacy=False):
        assert_guide_prints(renamed(GUIDE), "warmstart_embedding_matrix", TF_OUTPUT)


def test_text_vectorization_of_one_string_has_no_batch_axis():
    """Keras 3.15: a scalar string gives its ids alone ((sequence,), dense even with ragged=True); a
    list of one string keeps the batch axis."""
    import glassnet as tf
    for kwargs, want in (({"output_sequence_length": 4}, [3, 2, 0, 0]), ({}, [3, 2]), ({"ragged": True}, [3, 2])):
        layer = tf.keras.layers.TextVectorization(max_tokens=10, **kwargs)
        layer.adapt(["a b c", "a b"])
        one = layer("a b")
        assert type(one) is tf.Tensor and one.numpy().tolist() == want, kwargs
        assert np.shape(layer(["a b"]))[0] == 1
    multi = tf.keras.layers.TextVectorization(max_tokens=10, output_mode="multi_hot")
    multi.adapt(["a b c", "a b"])
    assert multi("a b").numpy().tolist() == [0, 1, 1, 0]


def test_summary_of_lookups_not_called_and_a_layer_built_by_hand():
    """Keras 3.15's summary: StringLookup, IntegerLookup and TextVectorization stay unbuilt until called
    (adapted or given a vocabulary), "0 (unbuilt)"; a layer built by hand (``layer.build(shape)``) shows
    compute_output_shape of that shape."""
    import glassnet as tf
    text = tf.keras.layers.TextVectorization()
    text.adapt(["a b"])
    dense = tf.keras.layers.Dense(3)
    dense.build((None, 4))
    model = tf.keras.Sequential([tf.keras.layers.StringLookup(vocabulary=["a", "b"]), text,
                                 tf.keras.layers.IntegerLookup(vocabulary=[1, 2]), tf.keras.layers.Dropout(0.1), dense])
    lines = []
    model.summary(print_fn=lines.append)
    rows = [l for l in "\n".join(lines).split("\n") if l.startswith("│ ") and l.split("│")[3].strip()]
    assert [r.split("│")[3].strip() for r in rows] == ["0 (unbuilt)", "0 (unbuilt)", "0 (unbuilt)", "0", "15"]
    assert rows[-1].split("│")[2].strip() == "(None, 3)"
