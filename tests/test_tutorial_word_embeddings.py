"""TensorFlow's tutorial "Word embeddings" (tutorials/text/word_embeddings) run with
``import glassnet as tf``: a small aclImdb-like folder stands in for the download;
text_dataset_from_directory, an Embedding called on ids, TextVectorization with a custom
standardization inside a Sequential, the TensorBoard callback (its train/validation folders),
fit, summary after fitting on datasets (batch None, as Keras), get_layer('embedding').get_weights()
and the vectors.tsv/metadata.tsv export must print what TensorFlow 2.21 printed."""

from conftest import assert_guide_prints

GUIDE = r'''import io, os, random, re, shutil, string
import tensorflow as tf
from tensorflow.keras import Sequential
from tensorflow.keras.layers import Dense, Embedding, GlobalAveragePooling1D
from tensorflow.keras.layers import TextVectorization
# stand-in for aclImdb_v1.tar.gz: the same folders, short reviews
random.seed(0)
words = "the movie film was great bad awful wonderful boring plot acting actor story love hate good terrible best worst fun dull".split()
root = "we/aclImdb"
for split, n in (("train", 60), ("test", 40)):
    for label in ("neg", "pos", "unsup") if split == "train" else ("neg", "pos"):
        os.makedirs(f"{root}/{split}/{label}")
        for i in range(n):
            txt = " ".join(random.choice(words) for _ in range(random.randint(5, 40)))
            txt = txt.capitalize() + ". <br /><br />It's " + random.choice(words) + "!"
            with open(f"{root}/{split}/{label}/{i}_{random.randint(1,10)}.txt", "w") as f:
                f.write(txt)
open(f"{root}/README", "w").write("readme")
open(f"{root}/imdb.vocab", "w").write("the\n")
dataset_dir = 'we/aclImdb'
print(sorted(os.listdir(dataset_dir)))
train_dir = os.path.join(dataset_dir, 'train')
print(sorted(os.listdir(train_dir)))
remove_dir = os.path.join(train_dir, 'unsup')
shutil.rmtree(remove_dir)
batch_size = 1024
seed = 123
train_ds = tf.keras.utils.text_dataset_from_directory('we/aclImdb/train', batch_size=batch_size, validation_split=0.2, subset='training', seed=seed)
val_ds = tf.keras.utils.text_dataset_from_directory('we/aclImdb/train', batch_size=batch_size, validation_split=0.2, subset='validation', seed=seed)
for text_batch, label_batch in train_ds.take(1):
  print(text_batch.shape, label_batch.shape)
AUTOTUNE = tf.data.AUTOTUNE
train_ds = train_ds.cache().prefetch(buffer_size=AUTOTUNE)
val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)
embedding_layer = tf.keras.layers.Embedding(1000, 5)
result = embedding_layer(tf.constant([1, 2, 3]))
print(result.numpy().shape, result.numpy().dtype)
result = embedding_layer(tf.constant([[0, 1, 2], [3, 4, 5]]))
print(result.shape)
def custom_standardization(input_data):
  lowercase = tf.strings.lower(input_data)
  stripped_html = tf.strings.regex_replace(lowercase, '<br />', ' ')
  return tf.strings.regex_replace(stripped_html, '[%s]' % re.escape(string.punctuation), '')
vocab_size = 10000
sequence_length = 100
vectorize_layer = TextVectorization(standardize=custom_standardization, max_tokens=vocab_size, output_mode='int', output_sequence_length=sequence_length)
text_ds = train_ds.map(lambda x, y: x)
vectorize_layer.adapt(text_ds)
embedding_dim=16
model = Sequential([
  vectorize_layer,
  Embedding(vocab_size, embedding_dim, name="embedding"),
  GlobalAveragePooling1D(),
  Dense(16, activation='relu'),
  Dense(1)
])
tensorboard_callback = tf.keras.callbacks.TensorBoard(log_dir="we/logs")
model.compile(optimizer='adam', loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=['accuracy'])
h = model.fit(train_ds, validation_data=val_ds, epochs=2, callbacks=[tensorboard_callback], verbose=0)
print(h.history.keys())
model.summary()
print(sorted(os.listdir('we/logs')))
weights = model.get_layer('embedding').get_weights()[0]
vocab = vectorize_layer.get_vocabulary()
print(weights.shape, weights.dtype, len(vocab))
out_v = io.open('we/vectors.tsv', 'w', encoding='utf-8')
out_m = io.open('we/metadata.tsv', 'w', encoding='utf-8')
for index, word in enumerate(vocab):
  if index == 0:
    continue
  vec = weights[index]
  out_v.write('\t'.join([str(x) for x in vec]) + "\n")
  out_m.write(word + "\n")
out_v.close()
out_m.close()
print(open('we/metadata.tsv').read().split("\n")[:6])
line = open('we/vectors.tsv').readline().split("\t")
print(len(line), len(open('we/vectors.tsv').readlines()))
'''

TF_OUTPUT = [
    "['README', 'imdb.vocab', 'test', 'train']",
    "['neg', 'pos', 'unsup']",
    'Found 120 files belonging to 2 classes.',
    'Using 96 files for training.',
    'Found 120 files belonging to 2 classes.',
    'Using 24 files for validation.',
    '(96,) (96,)',
    '(3, 5) float32',
    '(2, 3, 5)',
    "dict_keys(['accuracy', 'loss', 'val_accuracy', 'val_loss'])",
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ text_vectorization              │ (None, 100)            │             0 │',
    '│ (TextVectorization)             │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ embedding (Embedding)           │ (None, 100, 16)        │       160,000 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_average_pooling1d        │ (None, 16)             │             0 │',
    '│ (GlobalAveragePooling1D)        │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 16)             │           272 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 1)              │            17 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 480,869 (1.83 MB)',
    ' Trainable params: 160,289 (626.13 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 320,580 (1.22 MB)',
    "['train', 'validation']",
    '(10000, 16) float32 24',
    "['[UNK]', 'great', 'the', 'story', 'actor', 'terrible']",
    '16 23',
    '',
]


def test_word_embeddings_tutorial_prints_as_tensorflow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_guide_prints(GUIDE.replace("from tensorflow.", "from glassnet."), "test_word_embeddings_tutorial_prints_as_tensorflow", TF_OUTPUT)
