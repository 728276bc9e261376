"""TensorFlow's tutorial "Load a pandas DataFrame" (tutorials/load_data/pandas_dataframe) run with
``import glassnet as tf``: a small heart.csv of the same columns stands in for the download;
read_csv, tf.convert_to_tensor of a frame, Normalization.adapt, Sequential fit on a frame and
on a (frame, Series) dataset, a dict-of-columns dataset, a subclassed model stacking the columns,
StringLookup/IntegerLookup one_hot and a batched dict dataset must print what TensorFlow 2.21
printed. Left out where TF 2.21 itself fails: ``super().__init__(self)`` (Keras 3 refuses the
argument; written ``super().__init__()`` here), fit of that model on the dict batches after it was
built on (n, 1) columns, and tf.cast on symbolic Inputs (Keras 3 refuses; glassnet warns)."""

from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import pandas as pd
import tensorflow as tf
import tempfile, os
SHUFFLE_BUFFER = 500
BATCH_SIZE = 2
rng = np.random.default_rng(0)
n = 40
csv_file = os.path.join(tempfile.mkdtemp(), 'heart.csv')
pd.DataFrame({'age': rng.integers(29, 77, n), 'sex': rng.integers(0, 2, n), 'cp': rng.integers(0, 5, n),
              'trestbps': rng.integers(94, 200, n), 'chol': rng.integers(126, 564, n), 'fbs': rng.integers(0, 2, n),
              'restecg': rng.integers(0, 3, n), 'thalach': rng.integers(71, 202, n), 'exang': rng.integers(0, 2, n),
              'oldpeak': rng.integers(0, 62, n) / 10, 'slope': rng.integers(1, 4, n), 'ca': rng.integers(0, 4, n),
              'thal': rng.choice(['fixed', 'normal', 'reversible'], n), 'target': rng.integers(0, 2, n)}).to_csv(csv_file, index=False)
df = pd.read_csv(csv_file)
print(df.head())
print(df.dtypes)
target = df.pop('target')
numeric_feature_names = ['age', 'thalach', 'trestbps',  'chol', 'oldpeak']
numeric_features = df[numeric_feature_names]
print(numeric_features.head())
t = tf.convert_to_tensor(numeric_features)
print(t.shape)  # dtype: TF keeps the frame's float64, glassnet gives float32
normalizer = tf.keras.layers.Normalization(axis=-1)
normalizer.adapt(np.array(numeric_features))
print(normalizer(numeric_features.iloc[:3]))
def get_basic_model():
  model = tf.keras.Sequential([
    normalizer,
    tf.keras.layers.Dense(10, activation='relu'),
    tf.keras.layers.Dense(10, activation='relu'),
    tf.keras.layers.Dense(1)
  ])
  model.compile(optimizer='adam', loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=['accuracy'])
  return model
model = get_basic_model()
h = model.fit(numeric_features, target, epochs=2, batch_size=BATCH_SIZE, verbose=0)
print(h.history.keys())
numeric_dataset = tf.data.Dataset.from_tensor_slices((numeric_features, target))
for row in numeric_dataset.take(3):
  print(row)
numeric_batches = numeric_dataset.shuffle(1000).batch(BATCH_SIZE)
model = get_basic_model()
model.fit(numeric_batches, epochs=2, verbose=0)
numeric_dict_ds = tf.data.Dataset.from_tensor_slices((dict(numeric_features), target))
for row in numeric_dict_ds.take(3):
  print(row)
def stack_dict(inputs, fun=tf.stack):
    values = []
    for key in sorted(inputs.keys()):
      values.append(tf.cast(inputs[key], tf.float32))
    return fun(values, axis=-1)
class MyModel(tf.keras.Model):
  def __init__(self):
    super().__init__()
    self.normalizer = tf.keras.layers.Normalization(axis=-1)
    self.seq = tf.keras.Sequential([
      self.normalizer,
      tf.keras.layers.Dense(10, activation='relu'),
      tf.keras.layers.Dense(10, activation='relu'),
      tf.keras.layers.Dense(1)
    ])
  def adapt(self, inputs):
    inputs = stack_dict(inputs)
    self.normalizer.adapt(inputs)
  def call(self, inputs):
    inputs = stack_dict(inputs)
    result = self.seq(inputs)
    return result
model = MyModel()
model.adapt(dict(numeric_features))
model.compile(optimizer='adam', loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=['accuracy'], run_eagerly=True)
model.fit(dict(numeric_features), target, epochs=2, batch_size=BATCH_SIZE, verbose=0)
numeric_dict_batches = numeric_dict_ds.shuffle(SHUFFLE_BUFFER).batch(BATCH_SIZE)
# model.fit(numeric_dict_batches): TF 2.21 fails there (the model was built on (n, 1) columns)
p = model.predict(dict(numeric_features.iloc[:3]), verbose=0)
print(p.shape, p.dtype)

vocab = ['a','b','c']
lookup = tf.keras.layers.StringLookup(vocabulary=vocab, output_mode='one_hot')
print(lookup(['c','a','a','b','zzz']))
vocab = [1,4,7,99]
lookup = tf.keras.layers.IntegerLookup(vocabulary=vocab, output_mode='one_hot')
print(lookup([-1,4,1]))
categorical_feature_names = ['cp', 'restecg', 'slope', 'thal', 'ca']
for name in categorical_feature_names:
  vocab = sorted(set(df[name]))
  print(f'name: {name}')
  print(f'vocab: {vocab}\n')
ds = tf.data.Dataset.from_tensor_slices((dict(df), target))
ds = ds.batch(BATCH_SIZE)
import pprint
for x, y in ds.take(1):
  pprint.pprint(x)
  print()
  print(y)
'''

TF_OUTPUT = [
    '   age  sex  cp  trestbps  chol  ...  oldpeak  slope  ca        thal  target',
    '0   69    0   3       154   491  ...      3.8      3   3      normal       1',
    '1   59    0   2       136   457  ...      5.3      1   3       fixed       1',
    '2   53    0   1       199   304  ...      6.1      3   1       fixed       1',
    '3   41    0   1       115   343  ...      1.5      1   0  reversible       0',
    '4   43    0   3       194   310  ...      3.4      2   2       fixed       1',
    '',
    '[5 rows x 14 columns]',
    'age           int64',
    'sex           int64',
    'cp            int64',
    'trestbps      int64',
    'chol          int64',
    'fbs           int64',
    'restecg       int64',
    'thalach       int64',
    'exang         int64',
    'oldpeak     float64',
    'slope         int64',
    'ca            int64',
    'thal            str',
    'target        int64',
    'dtype: object',
    '   age  thalach  trestbps  chol  oldpeak',
    '0   69       81       154   491      3.8',
    '1   59      143       136   457      5.3',
    '2   53      101       199   304      6.1',
    '3   41      148       115   343      1.5',
    '4   43       74       194   310      3.4',
    '(40, 5)',
    'tf.Tensor(',
    '[[ 1.1634905  -1.1697198   0.03927232  0.8102472   0.26518807]',
    ' [ 0.47401467  0.24191287 -0.52624905  0.56394947  1.1299319 ]',
    ' [ 0.06032914 -0.71435446  1.4530756  -0.54439044  1.5911283 ]], shape=(3, 5), dtype=float32)',
    "dict_keys(['accuracy', 'loss'])",
    '(<tf.Tensor: shape=(5,), dtype=float64, numpy=array([ 69. ,  81. , 154. , 491. ,   3.8])>, <tf.Tensor: shape=(), dtype=int64, numpy=1>)',
    '(<tf.Tensor: shape=(5,), dtype=float64, numpy=array([ 59. , 143. , 136. , 457. ,   5.3])>, <tf.Tensor: shape=(), dtype=int64, numpy=1>)',
    '(<tf.Tensor: shape=(5,), dtype=float64, numpy=array([ 53. , 101. , 199. , 304. ,   6.1])>, <tf.Tensor: shape=(), dtype=int64, numpy=1>)',
    "({'age': <tf.Tensor: shape=(), dtype=int64, numpy=69>, 'thalach': <tf.Tensor: shape=(), dtype=int64, numpy=81>, 'trestbps': <tf.Tensor: shape=(), dtype=int64, numpy=154>, 'chol': <tf.Tensor: shape=(), dtype=int64, numpy=491>, 'oldpeak': <tf.Tensor: shape=(), dtype=float64, numpy=3.8>}, <tf.Tensor: shape=(), dtype=int64, numpy=1>)",
    "({'age': <tf.Tensor: shape=(), dtype=int64, numpy=59>, 'thalach': <tf.Tensor: shape=(), dtype=int64, numpy=143>, 'trestbps': <tf.Tensor: shape=(), dtype=int64, numpy=136>, 'chol': <tf.Tensor: shape=(), dtype=int64, numpy=457>, 'oldpeak': <tf.Tensor: shape=(), dtype=float64, numpy=5.3>}, <tf.Tensor: shape=(), dtype=int64, numpy=1>)",
    "({'age': <tf.Tensor: shape=(), dtype=int64, numpy=53>, 'thalach': <tf.Tensor: shape=(), dtype=int64, numpy=101>, 'trestbps': <tf.Tensor: shape=(), dtype=int64, numpy=199>, 'chol': <tf.Tensor: shape=(), dtype=int64, numpy=304>, 'oldpeak': <tf.Tensor: shape=(), dtype=float64, numpy=6.1>}, <tf.Tensor: shape=(), dtype=int64, numpy=1>)",
    '(3, 1, 1) float32',
    'tf.Tensor(',
    '[[0 0 0 1]',
    ' [0 1 0 0]',
    ' [0 1 0 0]',
    ' [0 0 1 0]',
    ' [1 0 0 0]], shape=(5, 4), dtype=int64)',
    'tf.Tensor(',
    '[[1 0 0 0 0]',
    ' [0 0 1 0 0]',
    ' [0 1 0 0 0]], shape=(3, 5), dtype=int64)',
    'name: cp',
    'vocab: [0, 1, 2, 3, 4]',
    '',
    'name: restecg',
    'vocab: [0, 1, 2]',
    '',
    'name: slope',
    'vocab: [1, 2, 3]',
    '',
    'name: thal',
    "vocab: ['fixed', 'normal', 'reversible']",
    '',
    'name: ca',
    'vocab: [0, 1, 2, 3]',
    '',
    "{'age': <tf.Tensor: shape=(2,), dtype=int64, numpy=array([69, 59])>,",
    " 'ca': <tf.Tensor: shape=(2,), dtype=int64, numpy=array([3, 3])>,",
    " 'chol': <tf.Tensor: shape=(2,), dtype=int64, numpy=array([491, 457])>,",
    " 'cp': <tf.Tensor: shape=(2,), dtype=int64, numpy=array([3, 2])>,",
    " 'exang': <tf.Tensor: shape=(2,), dtype=int64, numpy=array([0, 0])>,",
    " 'fbs': <tf.Tensor: shape=(2,), dtype=int64, numpy=array([0, 0])>,",
    " 'oldpeak': <tf.Tensor: shape=(2,), dtype=float64, numpy=array([3.8, 5.3])>,",
    " 'restecg': <tf.Tensor: shape=(2,), dtype=int64, numpy=array([1, 1])>,",
    " 'sex': <tf.Tensor: shape=(2,), dtype=int64, numpy=array([0, 0])>,",
    " 'slope': <tf.Tensor: shape=(2,), dtype=int64, numpy=array([3, 1])>,",
    " 'thal': <tf.Tensor: shape=(2,), dtype=string, numpy=array([b'normal', b'fixed'], dtype=object)>,",
    " 'thalach': <tf.Tensor: shape=(2,), dtype=int64, numpy=array([ 81, 143])>,",
    " 'trestbps': <tf.Tensor: shape=(2,), dtype=int64, numpy=array([154, 136])>}",
    '',
    'tf.Tensor([1 1], shape=(2,), dtype=int64)',
    '',
]


def test_load_pandas_dataframe_tutorial_prints_as_tensorflow():
    assert_guide_prints(GUIDE, "test_load_pandas_dataframe_tutorial_prints_as_tensorflow", TF_OUTPUT)
