"""TensorFlow's tutorial "Load CSV data" (tutorials/load_data/csv) run with ``import glassnet as tf``:
small abalone and titanic CSV files stand in for the downloads; pandas frames to Sequential
models with and without Normalization, a symbolic ``2*input + 1`` model, a dict of Inputs with
Normalization, StringLookup and CategoryEncoding into a functional preprocessing head, fit on a
dict of columns, save to .keras and load back, dict slices and from_tensor_slices of the dict,
make_csv_dataset batches, tf.io.decode_csv with string and typed defaults, CsvDataset and a
TextLineDataset mapped through decode_csv must print what TensorFlow 2.21 printed. pandas 3 reads
text columns as 'str', not object: the tutorial's ``dtype == object`` test is widened so both
runs see text columns (in TF 2.21 as written, Normalization.adapt fails on the text). Not
compared: the symbolic tensors' reprs and dtypes (Keras's KerasTensor with dtype 'string';
glassnet's InputLayer/SymbolicOutput, a text Input's dtype '<U', which is not == tf.string).
The fonts and traffic parts (downloads, caching timings) are left out."""

from conftest import assert_guide_prints

GUIDE = r'''import itertools, os, pathlib, random, tempfile
import pandas as pd
import numpy as np
np.set_printoptions(precision=3, suppress=True)
import tensorflow as tf
from tensorflow.keras import layers
# stand-ins for abalone_train.csv and titanic train.csv
rs = np.random.default_rng(0)
d = tempfile.mkdtemp()
ab = pd.DataFrame(rs.uniform(0, 1, (60, 7)).round(3))
ab[7] = rs.integers(3, 20, 60)
ab.to_csv(os.path.join(d, "abalone_train.csv"), header=False, index=False)
random.seed(0)
rows = ["survived,sex,age,n_siblings_spouses,parch,fare,class,deck,embark_town,alone"]
for i in range(40):
    rows.append(",".join([str(random.randint(0, 1)), random.choice(["male", "female"]), str(random.choice([22.0, 38.0, 26.0, 35.0, 28.0, 2.0])),
                          str(random.randint(0, 3)), str(random.randint(0, 2)), str(round(random.uniform(5, 80), 4)), random.choice(["First", "Second", "Third"]),
                          random.choice(["unknown", "C", "E", "G"]), random.choice(["Southampton", "Cherbourg", "Queenstown"]), random.choice(["y", "n"])]))
titanic_file_path = os.path.join(d, "train.csv")
open(titanic_file_path, "w").write("\n".join(rows) + "\n")
abalone_train = pd.read_csv(os.path.join(d, "abalone_train.csv"),
    names=["Length", "Diameter", "Height", "Whole weight", "Shucked weight", "Viscera weight", "Shell weight", "Age"])
print(abalone_train.head())
abalone_features = abalone_train.copy()
abalone_labels = abalone_features.pop('Age')
abalone_features = np.array(abalone_features)
print(repr(abalone_features[:3]))
abalone_model = tf.keras.Sequential([layers.Dense(64, activation='relu'), layers.Dense(1)])
abalone_model.compile(loss = tf.keras.losses.MeanSquaredError(), optimizer = tf.keras.optimizers.Adam())
h = abalone_model.fit(abalone_features, abalone_labels, epochs=2, verbose=0)
normalize = layers.Normalization()
normalize.adapt(abalone_features)
print(normalize.mean.shape)
norm_abalone_model = tf.keras.Sequential([normalize, layers.Dense(64, activation='relu'), layers.Dense(1)])
norm_abalone_model.compile(loss = tf.keras.losses.MeanSquaredError(), optimizer = tf.keras.optimizers.Adam())
h = norm_abalone_model.fit(abalone_features, abalone_labels, epochs=2, verbose=0)
titanic = pd.read_csv(titanic_file_path)
print(titanic.head())
titanic_features = titanic.copy()
titanic_labels = titanic_features.pop('survived')
input = tf.keras.Input(shape=(), dtype=tf.float32)
result = 2*input + 1
print(result.shape, result.dtype)
calc = tf.keras.Model(inputs=input, outputs=result)
print(calc(np.array([1])).numpy())
print(calc(np.array([2])).numpy())
inputs = {}
for name, column in titanic_features.items():
  dtype = column.dtype
  if dtype == object or str(dtype) == 'str':  # pandas 3 reads text as 'str'
    dtype = tf.string
  else:
    dtype = tf.float32
  inputs[name] = tf.keras.Input(shape=(1,), name=name, dtype=dtype)
print({k: (v.shape, v.dtype == tf.float32) for k, v in inputs.items()})  # (glassnet's text Input: dtype '<U', not == tf.string)
numeric_inputs = {name:input for name,input in inputs.items() if input.dtype==tf.float32}
x = layers.Concatenate()(list(numeric_inputs.values()))
norm = layers.Normalization()
norm.adapt(np.array(titanic[numeric_inputs.keys()]))
all_numeric_inputs = norm(x)
print(all_numeric_inputs.shape, all_numeric_inputs.dtype)
preprocessed_inputs = [all_numeric_inputs]
for name, input in inputs.items():
  if input.dtype == tf.float32:
    continue
  lookup = layers.StringLookup(vocabulary=np.unique(titanic_features[name]))
  one_hot = layers.CategoryEncoding(num_tokens=lookup.vocabulary_size())
  x = lookup(input)
  x = one_hot(x)
  preprocessed_inputs.append(x)
print([p.shape for p in preprocessed_inputs])
preprocessed_inputs_cat = layers.Concatenate()(preprocessed_inputs)
titanic_preprocessing = tf.keras.Model(inputs, preprocessed_inputs_cat)
titanic_features_dict = {name: np.array(value) for name, value in titanic_features.items()}
features_dict = {name:values[:1] for name, values in titanic_features_dict.items()}
r = titanic_preprocessing(features_dict)
print(r.shape, r.dtype)
print(np.round(r.numpy()[0, 4:], 3))
def titanic_model(preprocessing_head, inputs):
  body = tf.keras.Sequential([layers.Dense(64, activation='relu'), layers.Dense(1)])
  preprocessed_inputs = preprocessing_head(inputs)
  result = body(preprocessed_inputs)
  model = tf.keras.Model(inputs, result)
  model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), optimizer=tf.keras.optimizers.Adam())
  return model
titanic_model = titanic_model(titanic_preprocessing, inputs)
h = titanic_model.fit(x=titanic_features_dict, y=titanic_labels, epochs=2, verbose=0)
titanic_model.save(os.path.join(d, 'test.keras'))
reloaded = tf.keras.models.load_model(os.path.join(d, 'test.keras'))
before = titanic_model(features_dict)
after = reloaded(features_dict)
assert (before-after)<1e-3
print(before.shape, after.shape, type(before).__name__ == type(after).__name__)
def slices(features):
  for i in itertools.count():
    example = {name:values[i] for name, values in features.items()}
    yield example
for example in slices(titanic_features_dict):
  for name, value in example.items():
    print(f"{name:19s}: {value}")
  break
features_ds = tf.data.Dataset.from_tensor_slices(titanic_features_dict)
for example in features_ds:
  for name, value in example.items():
    print(f"{name:19s}: {value}")
  break
titanic_ds = tf.data.Dataset.from_tensor_slices((titanic_features_dict, titanic_labels))
titanic_batches = titanic_ds.shuffle(len(titanic_labels)).batch(32)
h = titanic_model.fit(titanic_batches, epochs=2, verbose=0)
print(h.history.keys())
titanic_csv_ds = tf.data.experimental.make_csv_dataset(titanic_file_path, batch_size=5, label_name='survived', num_epochs=1, ignore_errors=True, shuffle=False)
for batch, label in titanic_csv_ds.take(1):
  for key, value in batch.items():
    print(f"{key:20s}: {value}")
  print()
  print(f"{'label':20s}: {label}")
text = pathlib.Path(titanic_file_path).read_text()
lines = text.split('\n')[1:10]
all_strings = [str()]*10
print(all_strings)
features = tf.io.decode_csv(lines, record_defaults=all_strings)
for f in features:
  print(f"type: {f.dtype.name}, shape: {f.shape}")
print(lines[0])
titanic_types = [int(), str(), float(), int(), int(), float(), str(), str(), str(), str()]
print(titanic_types)
features = tf.io.decode_csv(lines, record_defaults=titanic_types)
for f in features:
  print(f"type: {f.dtype.name}, shape: {f.shape}")
simple_titanic = tf.data.experimental.CsvDataset(titanic_file_path, record_defaults=titanic_types, header=True)
for example in simple_titanic.take(1):
  print([e.numpy() for e in example])
def decode_titanic_line(line):
  return tf.io.decode_csv(line, titanic_types)
manual_titanic = (tf.data.TextLineDataset(titanic_file_path).skip(1).map(decode_titanic_line))
for example in manual_titanic.take(1):
  print([e.numpy() for e in example])
print(simple_titanic, manual_titanic)
'''

TF_OUTPUT = [
    '   Length  Diameter  Height  ...  Viscera weight  Shell weight  Age',
    '0   0.637     0.270   0.041  ...           0.913         0.607    4',
    '1   0.729     0.544   0.935  ...           0.857         0.034   11',
    '2   0.730     0.176   0.863  ...           0.423         0.028   19',
    '3   0.124     0.671   0.647  ...           0.997         0.981    6',
    '4   0.686     0.650   0.688  ...           0.721         0.525    7',
    '',
    '[5 rows x 8 columns]',
    'array([[0.637, 0.27 , 0.041, 0.017, 0.813, 0.913, 0.607],',
    '       [0.729, 0.544, 0.935, 0.816, 0.003, 0.857, 0.034],',
    '       [0.73 , 0.176, 0.863, 0.541, 0.3  , 0.423, 0.028]])',
    '(1, 7)',
    '   survived     sex   age  ...     deck  embark_town alone',
    '0         1  female  22.0  ...        G    Cherbourg     y',
    '1         0  female  38.0  ...        C    Cherbourg     y',
    '2         0  female  35.0  ...        C   Queenstown     n',
    '3         1  female  22.0  ...  unknown   Queenstown     n',
    '4         1    male   2.0  ...        C  Southampton     y',
    '',
    '[5 rows x 10 columns]',
    '(None,) float32',
    '[3.]',
    '[5.]',
    "{'sex': ((None, 1), False), 'age': ((None, 1), True), 'n_siblings_spouses': ((None, 1), True), 'parch': ((None, 1), True), 'fare': ((None, 1), True), 'class': ((None, 1), False), 'deck': ((None, 1), False), 'embark_town': ((None, 1), False), 'alone': ((None, 1), False)}",
    '(None, 4) float32',
    '[(None, 4), (None, 3), (None, 4), (None, 5), (None, 4), (None, 3)]',
    "(1, 23) <dtype: 'float32'>",
    '[0. 1. 0. 0. 0. 1. 0. 0. 0. 0. 1. 0. 0. 1. 0. 0. 0. 0. 1.]',
    '(1, 1) (1, 1) True',
    'sex                : female',
    'age                : 22.0',
    'n_siblings_spouses : 2',
    'parch              : 2',
    'fare               : 41.4446',
    'class              : Second',
    'deck               : G',
    'embark_town        : Cherbourg',
    'alone              : y',
    "sex                : b'female'",
    'age                : 22.0',
    'n_siblings_spouses : 2',
    'parch              : 2',
    'fare               : 41.4446',
    "class              : b'Second'",
    "deck               : b'G'",
    "embark_town        : b'Cherbourg'",
    "alone              : b'y'",
    "dict_keys(['loss'])",
    "sex                 : [b'female' b'female' b'female' b'female' b'male']",
    'age                 : [22. 38. 35. 22.  2.]',
    'n_siblings_spouses  : [2 0 0 0 2]',
    'parch               : [2 2 1 0 2]',
    'fare                : [41.445 64.955 37.563 58.978 70.285]',
    "class               : [b'Second' b'Third' b'Third' b'Second' b'First']",
    "deck                : [b'G' b'C' b'C' b'unknown' b'C']",
    "embark_town         : [b'Cherbourg' b'Cherbourg' b'Queenstown' b'Queenstown' b'Southampton']",
    "alone               : [b'y' b'y' b'n' b'n' b'y']",
    '',
    'label               : [1 0 0 1 1]',
    "['', '', '', '', '', '', '', '', '', '']",
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    '1,female,22.0,2,2,41.4446,Second,G,Cherbourg,y',
    "[0, '', 0.0, 0, 0, 0.0, '', '', '', '']",
    'type: int32, shape: (9,)',
    'type: string, shape: (9,)',
    'type: float32, shape: (9,)',
    'type: int32, shape: (9,)',
    'type: int32, shape: (9,)',
    'type: float32, shape: (9,)',
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    'type: string, shape: (9,)',
    "[np.int32(1), b'female', np.float32(22.0), np.int32(2), np.int32(2), np.float32(41.4446), b'Second', b'G', b'Cherbourg', b'y']",
    "[np.int32(1), b'female', np.float32(22.0), np.int32(2), np.int32(2), np.float32(41.4446), b'Second', b'G', b'Cherbourg', b'y']",
    '<CsvDatasetV2 element_spec=(TensorSpec(shape=(), dtype=tf.int32, name=None), TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int32, name=None), TensorSpec(shape=(), dtype=tf.int32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.string, name=None))> <_MapDataset element_spec=(TensorSpec(shape=(), dtype=tf.int32, name=None), TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int32, name=None), TensorSpec(shape=(), dtype=tf.int32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(), dtype=tf.string, name=None))>',
    '',
]


def test_load_csv_tutorial_prints_as_tensorflow():
    import numpy as np
    options = np.get_printoptions()          # the tutorial sets precision=3, suppress=True for good
    try:
        assert_guide_prints(GUIDE.replace("from tensorflow.", "from glassnet."), "load_csv", TF_OUTPUT)
    finally:
        np.set_printoptions(**options)
