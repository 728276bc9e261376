"""TensorFlow's tutorial "Load text" (tutorials/load_data/text) run with ``import glassnet as tf``:
small stand-ins for the Stack Overflow folder and the three Iliad translations; example 1
(text_dataset_from_directory, TextVectorization 'binary' and 'int', a Dense model and an
Embedding(mask_zero)/Conv1D/GlobalMaxPooling1D model fitted on the mapped datasets, their
summaries, an export model, tf.gather of class names) and example 2 (TextLineDataset per file,
labeler, concatenate, shuffle, tokens by tf.strings.split, a vocabulary counted in Python,
KeyValueTensorInitializer + StaticVocabularyTable, padded_batch, the model fitted on padded
batches of varying length, then exported behind TextVectorization.set_vocabulary) must print
what TensorFlow 2.21 printed. tensorflow_text is not installed: its UnicodeScriptTokenizer and
case_fold_utf8 are replaced by tf.strings.lower and tf.strings.split (in both runs). Example 3
(tensorflow_datasets) is left out. Not compared: the element_spec of a map whose output length
TensorFlow's tracing leaves unknown (glassnet reads it off the first element).

Its second example labels each file's lines with ``lines_dataset.map(lambda ex: labeler(ex, i))``
made in a loop: TensorFlow traces the function when ``map`` is called, so each dataset keeps the
``i`` of its own turn. glassnet's map fixes the function's globals and closure cells then too."""

import glassnet as tf
from conftest import assert_guide_prints

GUIDE = r'''import collections, os, pathlib, random
import tensorflow as tf
from tensorflow.keras import layers
from tensorflow.keras import losses
from tensorflow.keras import utils
from tensorflow.keras.layers import TextVectorization
# stand-ins for stack_overflow_16k.tar.gz and the three Iliad translations
random.seed(1)
words = "how to fix error in my code python java csharp javascript function class array list string loop print variable return value object null exception".split()
root = "so"
for split, n in (("train", 30), ("test", 10)):
    for label in ("csharp", "java", "javascript", "python"):
        os.makedirs(f"{root}/{split}/{label}")
        for i in range(n):
            txt = '"' + " ".join(random.choice(words + [label] * 3) for _ in range(random.randint(8, 40))) + '?"\n'
            open(f"{root}/{split}/{label}/{i}.txt", "w").write(txt)
os.makedirs("iliad")
for name in ['cowper.txt', 'derby.txt', 'butler.txt']:
    with open(f"iliad/{name}", "w") as f:
        for i in range(40):
            f.write(" ".join(random.choice("Achilles sing goddess the wrath of Peleus son Greeks Troy ships heroes, dead men! and; with".split()) for _ in range(random.randint(3, 12))) + "\n")
            if i % 9 == 0: f.write("\n")

dataset_dir = pathlib.Path('so')
print(sorted(p.name for p in dataset_dir.iterdir()))
train_dir = dataset_dir/'train'
print(sorted(p.name for p in train_dir.iterdir()))
sample_file = train_dir/'python/1.txt'
with open(sample_file) as f:
  print(f.read())
batch_size = 32
seed = 42
raw_train_ds = utils.text_dataset_from_directory(train_dir, batch_size=batch_size, validation_split=0.2, subset='training', seed=seed)
for text_batch, label_batch in raw_train_ds.take(1):
  print(text_batch.shape, label_batch.dtype)
for i, label in enumerate(raw_train_ds.class_names):
  print("Label", i, "corresponds to", label)
raw_val_ds = utils.text_dataset_from_directory(train_dir, batch_size=batch_size, validation_split=0.2, subset='validation', seed=seed)
test_dir = dataset_dir/'test'
raw_test_ds = utils.text_dataset_from_directory(test_dir, batch_size=batch_size)
VOCAB_SIZE = 10000
binary_vectorize_layer = TextVectorization(max_tokens=VOCAB_SIZE, output_mode='binary')
MAX_SEQUENCE_LENGTH = 250
int_vectorize_layer = TextVectorization(max_tokens=VOCAB_SIZE, output_mode='int', output_sequence_length=MAX_SEQUENCE_LENGTH)
train_text = raw_train_ds.map(lambda text, labels: text)
binary_vectorize_layer.adapt(train_text)
int_vectorize_layer.adapt(train_text)
def binary_vectorize_text(text, label):
  text = tf.expand_dims(text, -1)
  return binary_vectorize_layer(text), label
def int_vectorize_text(text, label):
  text = tf.expand_dims(text, -1)
  return int_vectorize_layer(text), label
first_question, first_label = tf.constant("how do I print a python list?"), tf.constant(3)
print("Question", first_question)
print("Label", first_label)
print("'binary' vectorized question:", list(binary_vectorize_text(first_question, first_label)[0].numpy()))
print("'int' vectorized question:", int_vectorize_text(first_question, first_label)[0])
print("1 ---> ", int_vectorize_layer.get_vocabulary()[1])
print("13 ---> ", int_vectorize_layer.get_vocabulary()[13])
print("Vocabulary size: {}".format(len(int_vectorize_layer.get_vocabulary())))
print(binary_vectorize_layer.get_vocabulary()[:4], binary_vectorize_layer.vocabulary_size())
binary_train_ds = raw_train_ds.map(binary_vectorize_text)
binary_val_ds = raw_val_ds.map(binary_vectorize_text)
binary_test_ds = raw_test_ds.map(binary_vectorize_text)
int_train_ds = raw_train_ds.map(int_vectorize_text)
int_val_ds = raw_val_ds.map(int_vectorize_text)
int_test_ds = raw_test_ds.map(int_vectorize_text)
print(binary_train_ds.element_spec)
print(int_train_ds.element_spec)
AUTOTUNE = tf.data.AUTOTUNE
def configure_dataset(dataset):
  return dataset.cache().prefetch(buffer_size=AUTOTUNE)
binary_train_ds = configure_dataset(binary_train_ds)
binary_val_ds = configure_dataset(binary_val_ds)
binary_test_ds = configure_dataset(binary_test_ds)
int_train_ds = configure_dataset(int_train_ds)
int_val_ds = configure_dataset(int_val_ds)
int_test_ds = configure_dataset(int_test_ds)
binary_model = tf.keras.Sequential([layers.Dense(4)])
binary_model.compile(loss=losses.SparseCategoricalCrossentropy(from_logits=True), optimizer='adam', metrics=['accuracy'])
history = binary_model.fit(binary_train_ds, validation_data=binary_val_ds, epochs=2, verbose=0)
print(history.history.keys())
def create_model(vocab_size, num_labels):
  model = tf.keras.Sequential([
      layers.Embedding(vocab_size, 64, mask_zero=True),
      layers.Conv1D(64, 5, padding="valid", activation="relu", strides=2),
      layers.GlobalMaxPooling1D(),
      layers.Dense(num_labels)
  ])
  return model
int_model = create_model(vocab_size=VOCAB_SIZE + 1, num_labels=4)
int_model.compile(loss=losses.SparseCategoricalCrossentropy(from_logits=True), optimizer='adam', metrics=['accuracy'])
history = int_model.fit(int_train_ds, validation_data=int_val_ds, epochs=2, verbose=0)
print("Linear model on binary vectorized data:")
binary_model.summary()
print("ConvNet model on int vectorized data:")
int_model.summary()
binary_loss, binary_accuracy = binary_model.evaluate(binary_test_ds, verbose=0)
int_loss, int_accuracy = int_model.evaluate(int_test_ds, verbose=0)
print(type(binary_accuracy).__name__, type(int_accuracy).__name__)
export_model = tf.keras.Sequential([binary_vectorize_layer, binary_model, layers.Activation('sigmoid')])
export_model.compile(loss=losses.SparseCategoricalCrossentropy(from_logits=False), optimizer='adam', metrics=['accuracy'])
loss, accuracy = export_model.evaluate(raw_test_ds, verbose=0)
print(type(accuracy).__name__)
def get_string_labels(predicted_scores_batch):
  predicted_int_labels = tf.math.argmax(predicted_scores_batch, axis=1)
  predicted_labels = tf.gather(raw_train_ds.class_names, predicted_int_labels)
  return predicted_labels
inputs = [
    "how do I extract keys from a dict into a list?",  # 'python'
    "debug public static void main(string[] args) {...}",  # 'java'
]
predicted_scores = export_model.predict(tf.constant(inputs), verbose=0)
predicted_labels = get_string_labels(predicted_scores)
print(predicted_scores.shape, predicted_labels.shape, predicted_labels.dtype)
print(get_string_labels(tf.constant([[0.1, 0.9, 0.0, 0.0], [0.0, 0.0, 0.2, 0.8]])))
for input, label in zip(inputs, get_string_labels(tf.constant([[0.1, 0.9, 0.0, 0.0], [0.0, 0.0, 0.2, 0.8]]))):
  print("Question: ", input)
  print("Predicted label: ", label.numpy())
# Example 2
DIRECTORY_URL = 'https://storage.googleapis.com/download.tensorflow.org/data/illiad/'
FILE_NAMES = ['cowper.txt', 'derby.txt', 'butler.txt']
parent_dir = pathlib.Path('iliad')
print(sorted(p.name for p in parent_dir.iterdir()))
def labeler(example, index):
  return example, tf.cast(index, tf.int64)
labeled_data_sets = []
for i, file_name in enumerate(FILE_NAMES):
  lines_dataset = tf.data.TextLineDataset(str(parent_dir/file_name))
  labeled_dataset = lines_dataset.map(lambda ex: labeler(ex, i))
  labeled_data_sets.append(labeled_dataset)
print(lines_dataset, labeled_dataset)
BUFFER_SIZE = 50000
BATCH_SIZE = 64
VALIDATION_SIZE = 50
all_labeled_data = labeled_data_sets[0]
for labeled_dataset in labeled_data_sets[1:]:
  all_labeled_data = all_labeled_data.concatenate(labeled_dataset)
print(all_labeled_data)
all_labeled_data_ns = all_labeled_data
all_labeled_data = all_labeled_data.shuffle(BUFFER_SIZE, reshuffle_each_iteration=False)
for text, label in all_labeled_data_ns.take(10):
  print("Sentence: ", text.numpy())
  print("Label:", label.numpy())
def tokenize(text, unused_label):
  lower_case = tf.strings.lower(text)
  return tf.strings.split(lower_case)
tokenized_ds = all_labeled_data_ns.map(tokenize)
for tokens in tokenized_ds.take(5):
  print("Tokens: ", tokens)
tokenized_ds = tokenized_ds.cache()
AUTOTUNE = tf.data.AUTOTUNE
tokenized_ds = configure_dataset(tokenized_ds)
vocab_dict = collections.defaultdict(lambda: 0)
for toks in tokenized_ds.as_numpy_iterator():
  for tok in toks:
    vocab_dict[tok] += 1
vocab = sorted(vocab_dict.items(), key=lambda x: x[1], reverse=True)
vocab = [token for token, count in vocab]
vocab = vocab[:VOCAB_SIZE]
vocab_size = len(vocab)
print("Vocab size: ", vocab_size)
print("First five vocab entries:", vocab[:5])
keys = vocab
values = range(2, len(vocab) + 2)
init = tf.lookup.KeyValueTensorInitializer(keys, values, key_dtype=tf.string, value_dtype=tf.int64)
num_oov_buckets = 1
vocab_table = tf.lookup.StaticVocabularyTable(init, num_oov_buckets)
print(vocab_table.size())
def preprocess_text(text, label):
  standardized = tf.strings.lower(text)
  tokenized = tf.strings.split(standardized)
  vectorized = vocab_table.lookup(tokenized)
  return vectorized, label
example_text, example_label = next(iter(all_labeled_data_ns))
print("Sentence: ", example_text.numpy())
vectorized_text, example_label = preprocess_text(example_text, example_label)
print("Vectorized sentence: ", vectorized_text.numpy())
print(vocab_table.lookup(tf.constant(['zzzz', 'the'])))
all_encoded_data = all_labeled_data.map(preprocess_text)
train_data = all_encoded_data.skip(VALIDATION_SIZE).shuffle(BUFFER_SIZE)
validation_data = all_encoded_data.take(VALIDATION_SIZE)
train_data = train_data.padded_batch(BATCH_SIZE)
validation_data = validation_data.padded_batch(BATCH_SIZE)
sample_text, sample_labels = next(iter(validation_data))
print("Text batch shape: ", sample_text.shape[0])
print("Label batch shape: ", sample_labels.shape)
vocab_size += 2
train_data = configure_dataset(train_data)
validation_data = configure_dataset(validation_data)
model = create_model(vocab_size=vocab_size, num_labels=3)
model.compile(optimizer='adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy'])
history = model.fit(train_data, validation_data=validation_data, epochs=2, verbose=0)
metrics = model.evaluate(validation_data, return_dict=True, verbose=0)
print(sorted(metrics))
preprocess_layer = TextVectorization(max_tokens=vocab_size, standardize='lower', split='whitespace', output_mode='int', output_sequence_length=MAX_SEQUENCE_LENGTH)
preprocess_layer.set_vocabulary(vocab)
print(preprocess_layer.get_vocabulary()[:5], preprocess_layer.vocabulary_size())
export_model = tf.keras.Sequential([preprocess_layer, model, layers.Activation('sigmoid')])
export_model.compile(loss=losses.SparseCategoricalCrossentropy(from_logits=False), optimizer='adam', metrics=['accuracy'])
test_ds = all_labeled_data.take(VALIDATION_SIZE).batch(BATCH_SIZE)
test_ds = configure_dataset(test_ds)
loss, accuracy = export_model.evaluate(test_ds, verbose=0)
print(type(loss).__name__)
inputs = [
    "Join'd to th' Ionians with their flowing robes,",
    "the allies, and his armour flashed about him so that he seemed to all",
    "And with loud clangor of his arms he fell.",
]
predicted_scores = export_model.predict(tf.constant(inputs), verbose=0)
predicted_labels = tf.math.argmax(predicted_scores, axis=1)
print(predicted_scores.shape, predicted_labels.dtype, predicted_labels.shape)
'''

TF_OUTPUT = [
    "['test', 'train']",
    "['csharp', 'java', 'javascript', 'python']",
    '"string to print string how array csharp variable exception javascript python in return variable print java fix return python python python function array class loop python how variable variable error?"',
    '',
    'Found 120 files belonging to 4 classes.',
    'Using 96 files for training.',
    "(32,) <dtype: 'int32'>",
    'Label 0 corresponds to csharp',
    'Label 1 corresponds to java',
    'Label 2 corresponds to javascript',
    'Label 3 corresponds to python',
    'Found 120 files belonging to 4 classes.',
    'Using 24 files for validation.',
    'Found 40 files belonging to 4 classes.',
    "Question tf.Tensor(b'how do I print a python list?', shape=(), dtype=string)",
    'Label tf.Tensor(3, shape=(), dtype=int32)',
    "'binary' vectorized question: [array([1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,",
    '       0, 0, 1])]',
    "'int' vectorized question: tf.Tensor(",
    '[[16  1  1  6  1  5 25  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0',
    '   0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0',
    '   0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0',
    '   0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0',
    '   0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0',
    '   0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0',
    '   0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0',
    '   0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0',
    '   0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0',
    '   0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0  0',
    '   0  0  0  0  0  0  0  0  0  0]], shape=(1, 250), dtype=int64)',
    '1 --->  [UNK]',
    '13 --->  in',
    'Vocabulary size: 26',
    "['[UNK]', np.str_('java'), np.str_('javascript'), np.str_('csharp')] 25",
    '(TensorSpec(shape=(None, 25), dtype=tf.int64, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))',
    '(TensorSpec(shape=(None, 250), dtype=tf.int64, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))',
    "dict_keys(['accuracy', 'loss', 'val_accuracy', 'val_loss'])",
    'Linear model on binary vectorized data:',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense (Dense)                   │ (None, 4)              │           104 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 314 (1.23 KB)',
    ' Trainable params: 104 (416.00 B)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 210 (844.00 B)',
    'ConvNet model on int vectorized data:',
    'Model: "sequential_1"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ embedding (Embedding)           │ (None, 250, 64)        │       640,064 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv1d (Conv1D)                 │ (None, 123, 64)        │        20,544 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_max_pooling1d            │ (None, 64)             │             0 │',
    '│ (GlobalMaxPooling1D)            │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 4)              │           260 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 1,982,606 (7.56 MB)',
    ' Trainable params: 660,868 (2.52 MB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 1,321,738 (5.04 MB)',
    'float float',
    'float',
    "(2, 4) (2,) <dtype: 'string'>",
    "tf.Tensor([b'java' b'python'], shape=(2,), dtype=string)",
    'Question:  how do I extract keys from a dict into a list?',
    "Predicted label:  b'java'",
    'Question:  debug public static void main(string[] args) {...}',
    "Predicted label:  b'python'",
    "['butler.txt', 'cowper.txt', 'derby.txt']",
    '<TextLineDatasetV2 element_spec=TensorSpec(shape=(), dtype=tf.string, name=None)> <_MapDataset element_spec=(TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    '<_ConcatenateDataset element_spec=(TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))>',
    "Sentence:  b'Troy heroes, Troy'",
    'Label: 0',
    "Sentence:  b''",
    'Label: 0',
    "Sentence:  b'with heroes, ships of'",
    'Label: 0',
    "Sentence:  b'son ships son son Peleus Troy Troy ships'",
    'Label: 0',
    "Sentence:  b'Achilles with Greeks son wrath son of'",
    'Label: 0',
    "Sentence:  b'Greeks dead Peleus wrath'",
    'Label: 0',
    "Sentence:  b'goddess ships dead Peleus of'",
    'Label: 0',
    "Sentence:  b'and; Peleus dead'",
    'Label: 0',
    "Sentence:  b'Troy son Troy and;'",
    'Label: 0',
    "Sentence:  b'goddess goddess goddess son the and; and; Achilles'",
    'Label: 0',
    "Tokens:  tf.Tensor([b'troy' b'heroes,' b'troy'], shape=(3,), dtype=string)",
    'Tokens:  tf.Tensor([], shape=(0,), dtype=string)',
    "Tokens:  tf.Tensor([b'with' b'heroes,' b'ships' b'of'], shape=(4,), dtype=string)",
    "Tokens:  tf.Tensor([b'son' b'ships' b'son' b'son' b'peleus' b'troy' b'troy' b'ships'], shape=(8,), dtype=string)",
    "Tokens:  tf.Tensor([b'achilles' b'with' b'greeks' b'son' b'wrath' b'son' b'of'], shape=(7,), dtype=string)",
    'Vocab size:  16',
    "First five vocab entries: [b'dead', b'greeks', b'of', b'peleus', b'son']",
    'tf.Tensor(17, shape=(), dtype=int64)',
    "Sentence:  b'Troy heroes, Troy'",
    'Vectorized sentence:  [10 17 10]',
    'tf.Tensor([16 16], shape=(2,), dtype=int64)',
    'Text batch shape:  50',
    'Label batch shape:  (50,)',
    "['accuracy', 'loss']",
    "['', '[UNK]', np.str_('dead'), np.str_('greeks'), np.str_('of')] 18",
    'float',
    "(3, 3) <dtype: 'int64'> (3,)",
    '',
]


def test_load_text_tutorial_prints_as_tensorflow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_guide_prints(GUIDE.replace("from tensorflow.", "from glassnet."), "load_text", TF_OUTPUT)


def test_map_keeps_the_loop_variable_of_its_turn_as_tracing_does():
    datasets = []
    for i in range(3):
        datasets.append(tf.data.Dataset.range(2).map(lambda x: (x, i)))       # i: a global here
    assert [[int(b) for _, b in d.as_numpy_iterator()] for d in datasets] == [[0, 0], [1, 1], [2, 2]]

    def made_in_a_function():
        out = []
        for j in range(2):                                                      # j: a closure cell
            out.append(tf.data.Dataset.range(3).map(lambda x: x + j).filter(lambda x: x > j))
        return out
    assert [list(map(int, d.as_numpy_iterator())) for d in made_in_a_function()] == [[1, 2], [2, 3]]
    shared = []                                         # the objects the function reads stay shared
    list(tf.data.Dataset.range(2).map(lambda x: shared.append(1) or x).as_numpy_iterator())
    assert shared == [1, 1]
