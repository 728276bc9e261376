"""TensorFlow's tutorial "Basic text classification" (tutorials/keras/text_classification) run
with ``import glassnet as tf``: a small aclImdb-like folder of reviews stands in for the
download; text_dataset_from_directory with validation_split/subset/seed (the same files on each
side as Keras, so the same vocabulary), custom_standardization through tf.strings.lower and
regex_replace, TextVectorization's adapt and get_vocabulary (np.str_ entries, as Keras 3),
Embedding/GlobalAveragePooling1D, fit on the mapped datasets (history keys in Keras's order)
and the export model with the vectorizer inside must print what TensorFlow 2.21 printed.
TensorFlow's seeded shuffle order of the batches is not reproduced: the first batch is shown by
its shapes and dtypes only."""

from conftest import assert_guide_prints

GUIDE = r'''import os, re, shutil, string, random
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers
from tensorflow.keras import losses

# stand-in for aclImdb_v1.tar.gz: the same tree (train/pos, train/neg, train/unsup, test/...), short reviews
random.seed(0)
words = "the movie film was great bad awful wonderful boring plot acting actor story love hate good terrible best worst fun dull".split()
for split, n in (("train", 40), ("test", 20)):
    for label in ("neg", "pos", "unsup") if split == "train" else ("neg", "pos"):
        os.makedirs(f"aclImdb/{split}/{label}")
        for i in range(n):
            text = " ".join(random.choice(words) for _ in range(random.randint(5, 30)))
            with open(f"aclImdb/{split}/{label}/{i}_{random.randint(1, 10)}.txt", "w") as f:
                f.write(text.capitalize() + ". <br /><br />It's " + random.choice(words) + "!")
open("aclImdb/README", "w").write("readme")
open("aclImdb/imdb.vocab", "w").write("the\n")

dataset_dir = 'aclImdb'
print(sorted(os.listdir(dataset_dir)))
train_dir = os.path.join(dataset_dir, 'train')
print(sorted(os.listdir(train_dir)))
sample_file = os.path.join(train_dir, 'pos', sorted(os.listdir(os.path.join(train_dir, 'pos')))[0])
with open(sample_file) as f:
  print(f.read())
remove_dir = os.path.join(train_dir, 'unsup')
shutil.rmtree(remove_dir)

batch_size = 32
seed = 42
raw_train_ds = tf.keras.utils.text_dataset_from_directory(
    'aclImdb/train', batch_size=batch_size, validation_split=0.2, subset='training', seed=seed)
print(raw_train_ds)
for text_batch, label_batch in raw_train_ds.take(1):
  print(text_batch.shape, text_batch.dtype, label_batch.shape, label_batch.dtype)
  print(type(text_batch.numpy()[0]).__name__, type(label_batch.numpy()[0]).__name__)
print("Label 0 corresponds to", raw_train_ds.class_names[0])
print("Label 1 corresponds to", raw_train_ds.class_names[1])
raw_val_ds = tf.keras.utils.text_dataset_from_directory(
    'aclImdb/train', batch_size=batch_size, validation_split=0.2, subset='validation', seed=seed)
raw_test_ds = tf.keras.utils.text_dataset_from_directory('aclImdb/test', batch_size=batch_size)

def custom_standardization(input_data):
  lowercase = tf.strings.lower(input_data)
  stripped_html = tf.strings.regex_replace(lowercase, '<br />', ' ')
  return tf.strings.regex_replace(stripped_html, '[%s]' % re.escape(string.punctuation), '')
print(custom_standardization(tf.constant(["A <br />Great, GREAT film!"])))

max_features = 10000
sequence_length = 25
vectorize_layer = layers.TextVectorization(
    standardize=custom_standardization, max_tokens=max_features, output_mode='int',
    output_sequence_length=sequence_length)
train_text = raw_train_ds.map(lambda x, y: x)
vectorize_layer.adapt(train_text)

def vectorize_text(text, label):
  text = tf.expand_dims(text, -1)
  return vectorize_layer(text), label

first_review, first_label = tf.constant("The movie was great<br />It's the best story!"), tf.constant(1)
print("Review", first_review)
print("Label", raw_train_ds.class_names[first_label])
print("Vectorized review", vectorize_text(first_review, first_label))
print("12 ---> ", vectorize_layer.get_vocabulary()[12])
print(" 3 ---> ", vectorize_layer.get_vocabulary()[3])
print('Vocabulary size: {}'.format(len(vectorize_layer.get_vocabulary())))
print(vectorize_layer.get_vocabulary()[:6])

train_ds = raw_train_ds.map(vectorize_text)
val_ds = raw_val_ds.map(vectorize_text)
test_ds = raw_test_ds.map(vectorize_text)
print(train_ds.element_spec)
AUTOTUNE = tf.data.AUTOTUNE
train_ds = train_ds.cache().prefetch(buffer_size=AUTOTUNE)
val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)
test_ds = test_ds.cache().prefetch(buffer_size=AUTOTUNE)

embedding_dim = 16
model = tf.keras.Sequential([
  layers.Embedding(max_features, embedding_dim),
  layers.Dropout(0.2),
  layers.GlobalAveragePooling1D(),
  layers.Dropout(0.2),
  layers.Dense(1, activation='sigmoid')])
model.summary()
model.compile(loss=losses.BinaryCrossentropy(),
              optimizer='adam',
              metrics=[tf.metrics.BinaryAccuracy(threshold=0.5)])
history = model.fit(train_ds, validation_data=val_ds, epochs=2, verbose=0)
loss, accuracy = model.evaluate(test_ds, verbose=0)
print(type(loss).__name__, type(accuracy).__name__)
history_dict = history.history
print(history_dict.keys())
print(len(history_dict['val_loss']))

export_model = tf.keras.Sequential([
  vectorize_layer,
  model,
  layers.Activation('sigmoid')
])
export_model.compile(loss=losses.BinaryCrossentropy(from_logits=False), optimizer="adam", metrics=['accuracy'])
metrics = export_model.evaluate(raw_test_ds, return_dict=True, verbose=0)
print(metrics.keys())
examples = tf.constant([
  "The movie was great!",
  "The movie was okay.",
  "The movie was terrible..."
])
predictions = export_model.predict(examples, verbose=0)
print(predictions.shape, predictions.dtype, bool(((predictions > 0.5) & (predictions < 1)).all()))
'''

TF_OUTPUT = [
    "['README', 'imdb.vocab', 'test', 'train']",
    "['neg', 'pos', 'unsup']",
    "Best plot actor dull good love awful good good. <br /><br />It's acting!",
    'Found 80 files belonging to 2 classes.',
    'Using 64 files for training.',
    '<_PrefetchDataset element_spec=(TensorSpec(shape=(None,), dtype=tf.string, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))>',
    "(32,) <dtype: 'string'> (32,) <dtype: 'int32'>",
    'bytes int32',
    'Label 0 corresponds to neg',
    'Label 1 corresponds to pos',
    'Found 80 files belonging to 2 classes.',
    'Using 16 files for validation.',
    'Found 40 files belonging to 2 classes.',
    "tf.Tensor([b'a  great great film'], shape=(1,), dtype=string)",
    'Review tf.Tensor(b"The movie was great<br />It\'s the best story!", shape=(), dtype=string)',
    'Label pos',
    'Vectorized review (<tf.Tensor: shape=(1, 25), dtype=int64, numpy=',
    'array([[16,  3, 11,  5,  2, 16, 14,  6,  0,  0,  0,  0,  0,  0,  0,  0,',
    '         0,  0,  0,  0,  0,  0,  0,  0,  0]])>, <tf.Tensor: shape=(), dtype=int32, numpy=1>)',
    '12 --->  bad',
    ' 3 --->  movie',
    'Vocabulary size: 24',
    "['', '[UNK]', np.str_('its'), np.str_('movie'), np.str_('acting'), np.str_('great')]",
    '(TensorSpec(shape=(None, 25), dtype=tf.int64, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ embedding (Embedding)           │ ?                      │   0 (unbuilt) │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ ?                      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_average_pooling1d        │ ?                      │             0 │',
    '│ (GlobalAveragePooling1D)        │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout_1 (Dropout)             │ ?                      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ ?                      │   0 (unbuilt) │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 0 (0.00 B)',
    ' Trainable params: 0 (0.00 B)',
    ' Non-trainable params: 0 (0.00 B)',
    'float float',
    "dict_keys(['binary_accuracy', 'loss', 'val_binary_accuracy', 'val_loss'])",
    '2',
    "dict_keys(['accuracy', 'loss'])",
    '(3, 1) float32 True',
    '',
]


def test_text_classification_tutorial_prints_as_tensorflow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    guide = GUIDE.replace("from tensorflow.", "from glassnet.")
    assert_guide_prints(guide, "test_text_classification_tutorial_prints_as_tensorflow", TF_OUTPUT)
