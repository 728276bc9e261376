"""TensorFlow's tutorial "Basic regression: Predict fuel efficiency" (tutorials/keras/regression)
run with ``import glassnet as tf``: a stand-in for auto-mpg.data in its layout (398 rows, blank-
separated, the car's name after a tab, 6 horsepowers '?', origin 1/2/3) read with pandas as the
tutorial reads it, then tf.keras.layers.Normalization(axis=-1) and (input_shape=[1], axis=None)
adapted, the horsepower and linear models, the two DNNs (the shared normalizer's summary as
Keras prints it for a model that is not built yet), fit with validation_split and verbose=0,
pd.DataFrame(history.history), evaluate, predict(...).flatten(), tf.linspace fed to predict,
save('dnn_model.keras') and load_model. Lines are TF 2.21's for the same program.

With pandas 2, pd.get_dummies makes bool columns, so np.array(train_features) is an object array
(ints, floats and bools): TF 2.21 adapts to it but refuses to call the layer on it ("Failed to
convert a NumPy array to a Tensor (Unsupported object type int)"), and so does glassnet now; the
program goes on with the array cast to float32. Fits are shortened to 20 epochs; the weights are
not seeded, so trained numbers are checked by shape and type. A Keras 3 weight's dtype is the
string 'float32' where glassnet's is tf.float32 (equal to it): the program prints the comparison."""
import numpy as np
import pytest

import glassnet as tf
from conftest import assert_guide_prints, renamed

PROGRAM = r'''import os, tempfile
import numpy as np
import pandas as pd
np.set_printoptions(precision=3, suppress=True)
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

# stand-in for auto-mpg.data: 398 rows in its layout (blank-separated, the car's name after a
# tab), 6 horsepowers '?', origin 1/2/3
rng = np.random.default_rng(0)
url = os.path.join(tempfile.mkdtemp(), 'auto-mpg.data')
with open(url, 'w') as f:
    for i in range(398):
        cyl, disp = int(rng.choice([4, 6, 8])), float(rng.uniform(68, 455))
        hp = '?' if i in (32, 126, 330, 336, 354, 374) else '%.1f' % round(float(rng.uniform(46, 230)))
        w, acc = round(float(rng.uniform(1613, 5140))), round(float(rng.uniform(8, 24.8)), 1)
        year, origin = int(rng.integers(70, 83)), int(rng.integers(1, 4))
        mpg = round(float(50 - disp / 20 - w / 400 + rng.normal(0, 2)), 1)
        f.write('%-7.1f%-4d%-11.1f%-11s%-11.1f%-6.1f%-3d%d\t"car %d"\n' % (mpg, cyl, disp, hp, w, acc, year, origin, i))

column_names = ['MPG', 'Cylinders', 'Displacement', 'Horsepower', 'Weight',
                'Acceleration', 'Model Year', 'Origin']
raw_dataset = pd.read_csv(url, names=column_names,
                          na_values='?', comment='\t',
                          sep=' ', skipinitialspace=True)
dataset = raw_dataset.copy()
print(dataset.isna().sum().tolist())
dataset = dataset.dropna()
dataset['Origin'] = dataset['Origin'].map({1: 'USA', 2: 'Europe', 3: 'Japan'})
dataset = pd.get_dummies(dataset, columns=['Origin'], prefix='', prefix_sep='')
train_dataset = dataset.sample(frac=0.8, random_state=0)
test_dataset = dataset.drop(train_dataset.index)
train_features = train_dataset.copy()
test_features = test_dataset.copy()
train_labels = train_features.pop('MPG')
test_labels = test_features.pop('MPG')

normalizer = tf.keras.layers.Normalization(axis=-1)
normalizer.adapt(np.array(train_features))
print(normalizer.mean.numpy())
print(normalizer.variance.numpy().shape, normalizer.count.numpy() if hasattr(normalizer, 'count') else None)
first = np.array(train_features[:1])
with np.printoptions(precision=2, suppress=True):
  print('First example:', first)
  print()
  try:    # pandas 2's get_dummies gives bool columns: np.array of the table is an object array
    print('Normalized:', normalizer(first).numpy())
  except ValueError as e:
    print(type(e).__name__, str(e).split(')')[0] + ')')
  print('Normalized:', normalizer(first.astype('float32')).numpy())

horsepower = np.array(train_features['Horsepower'])
horsepower_normalizer = layers.Normalization(input_shape=[1,], axis=None)
horsepower_normalizer.adapt(horsepower)
horsepower_model = tf.keras.Sequential([
    horsepower_normalizer,
    layers.Dense(units=1)
])
horsepower_model.summary()
p = horsepower_model.predict(horsepower[:10], verbose=0)
print(type(p).__name__, p.shape, p.dtype)
horsepower_model.compile(
    optimizer=tf.keras.optimizers.Adam(learning_rate=0.1),
    loss='mean_absolute_error')
history = horsepower_model.fit(
    train_features['Horsepower'],
    train_labels,
    epochs=20,          # the tutorial's 100, shortened
    verbose=0,
    validation_split = 0.2)
hist = pd.DataFrame(history.history)
hist['epoch'] = history.epoch
print(hist.tail().shape, list(hist.columns), [str(t) for t in hist.dtypes], list(hist.tail().index))
test_results = {}
test_results['horsepower_model'] = horsepower_model.evaluate(
    test_features['Horsepower'],
    test_labels, verbose=0)
print(type(test_results['horsepower_model']).__name__)
x = tf.linspace(0.0, 250, 251)
print(x.dtype, x.shape)
y = horsepower_model.predict(x, verbose=0)
print(y.shape, y.dtype)

linear_model = tf.keras.Sequential([
    normalizer,
    layers.Dense(units=1)
])
p = linear_model.predict(train_features[:10].astype('float32'), verbose=0)
print(p.shape, p.dtype)
k = linear_model.layers[1].kernel
print(repr(k).split(', value=')[0], k.shape, k.dtype == 'float32')   # Keras 3: the string 'float32'; glassnet: tf.float32
linear_model.compile(
    optimizer=tf.keras.optimizers.Adam(learning_rate=0.1),
    loss='mean_absolute_error')
history = linear_model.fit(
    train_features.astype('float32'),
    train_labels,
    epochs=20,
    verbose=0,
    validation_split = 0.2)
test_results['linear_model'] = linear_model.evaluate(
    test_features.astype('float32'), test_labels, verbose=0)

def build_and_compile_model(norm):
  model = keras.Sequential([
      norm,
      layers.Dense(64, activation='relu'),
      layers.Dense(64, activation='relu'),
      layers.Dense(1)
  ])
  model.compile(loss='mean_absolute_error',
                optimizer=tf.keras.optimizers.Adam(0.001))
  return model
dnn_horsepower_model = build_and_compile_model(horsepower_normalizer)
dnn_horsepower_model.summary()
history = dnn_horsepower_model.fit(
    train_features['Horsepower'],
    train_labels,
    validation_split=0.2,
    verbose=0, epochs=20)
test_results['dnn_horsepower_model'] = dnn_horsepower_model.evaluate(
    test_features['Horsepower'], test_labels,
    verbose=0)
dnn_model = build_and_compile_model(normalizer)
dnn_model.summary()
history = dnn_model.fit(
    train_features.astype('float32'),
    train_labels,
    validation_split=0.2,
    verbose=0, epochs=20)
print(sorted(history.history), len(history.epoch))
test_results['dnn_model'] = dnn_model.evaluate(test_features.astype('float32'), test_labels, verbose=0)
df = pd.DataFrame(test_results, index=['Mean absolute error [MPG]']).T
print(df.shape, list(df.index), list(df.columns), [str(t) for t in df.dtypes])
test_predictions = dnn_model.predict(test_features.astype('float32'), verbose=0).flatten()
print(test_predictions.shape, test_predictions.dtype)
error = test_predictions - test_labels
print(type(error).__name__, error.dtype, error.shape)

os.chdir(tempfile.mkdtemp())
dnn_model.save('dnn_model.keras')
reloaded = tf.keras.models.load_model('dnn_model.keras')
test_results['reloaded'] = reloaded.evaluate(
    test_features.astype('float32'), test_labels, verbose=0)
df = pd.DataFrame(test_results, index=['Mean absolute error [MPG]']).T
print(list(df.index))
print(abs(test_results['reloaded'] - test_results['dnn_model']) < 1e-5)
print(np.allclose(reloaded.predict(test_features.astype('float32'), verbose=0).flatten(), test_predictions, atol=1e-4))
reloaded.summary()
'''

# printed by TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python) for the same program
TF_OUTPUT = [
    '[0, 0, 0, 6, 0, 0, 0, 0]',
    '[[   5.994  258.253  141.048 3274.427   16.279   75.831    0.357    0.303',
    '     0.341]]',
    '(1, 9) 0',
    'First example: [[4 258.5 170.0 2922.0 8.8 75 False False True]]',
    '',
    'ValueError Failed to convert a NumPy array to a Tensor (Unsupported object type int)',
    'Normalized: [[-1.22  0.    0.51 -0.34 -1.63 -0.21 -0.74 -0.66  1.39]]',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ normalization_1 (Normalization) │ (None, 1)              │             3 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 1)              │             2 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 5 (24.00 B)',
    ' Trainable params: 2 (8.00 B)',
    ' Non-trainable params: 3 (16.00 B)',
    'ndarray (10, 1) float32',
    "(5, 3) ['loss', 'val_loss', 'epoch'] ['float64', 'float64', 'int64'] [15, 16, 17, 18, 19]",
    'float',
    "<dtype: 'float32'> (251,)",
    '(251, 1) float32',
    '(10, 1) float32',
    '<Variable path=sequential_1/dense_1/kernel, shape=(9, 1), dtype=float32 (9, 1) True',
    'Model: "sequential_2"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ normalization_1 (Normalization) │ (None, 1)              │             3 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_2 (Dense)                 │ (None, 64)             │           128 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_3 (Dense)                 │ (None, 64)             │         4,160 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_4 (Dense)                 │ (None, 1)              │            65 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 4,356 (17.02 KB)',
    ' Trainable params: 4,353 (17.00 KB)',
    ' Non-trainable params: 3 (16.00 B)',
    'Model: "sequential_3"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ normalization (Normalization)   │ (10, 9)                │            19 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_5 (Dense)                 │ ?                      │   0 (unbuilt) │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_6 (Dense)                 │ ?                      │   0 (unbuilt) │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_7 (Dense)                 │ ?                      │   0 (unbuilt) │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 19 (80.00 B)',
    ' Trainable params: 0 (0.00 B)',
    ' Non-trainable params: 19 (80.00 B)',
    "['loss', 'val_loss'] 20",
    "(4, 1) ['horsepower_model', 'linear_model', 'dnn_horsepower_model', 'dnn_model'] ['Mean absolute error [MPG]'] ['float64']",
    '(78,) float32',
    'Series float64 (78,)',
    "['horsepower_model', 'linear_model', 'dnn_horsepower_model', 'dnn_model', 'reloaded']",
    'True',
    'True',
    'Model: "sequential_3"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ normalization (Normalization)   │ (None, 9)              │            19 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_5 (Dense)                 │ (None, 64)             │           640 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_6 (Dense)                 │ (None, 64)             │         4,160 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_7 (Dense)                 │ (None, 1)              │            65 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 14,616 (57.10 KB)',
    ' Trainable params: 4,865 (19.00 KB)',
    ' Non-trainable params: 19 (80.00 B)',
    ' Optimizer params: 9,732 (38.02 KB)',
    '',
]


def test_regression_tutorial_prints_as_tensorflow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_guide_prints(renamed(PROGRAM), "regression_tutorial", TF_OUTPUT)


def test_a_layer_refuses_an_object_array_of_mixed_values_and_stays_unbuilt():
    table = np.array([[4, 258.5, True], [6, 199.0, False]], dtype=object)   # np.array(a mixed DataFrame)
    dense = tf.keras.layers.Dense(2)
    with pytest.raises(ValueError, match=r"Unsupported object type int.*x\[0, 0\] is 4"):
        dense(table)
    assert not dense.built and dense.weights == []
    assert dense(table.astype("float32")).shape == (2, 2)
    lookup = tf.keras.layers.StringLookup(vocabulary=["a", "b"])              # strings stay welcome
    assert lookup(np.array(["b", "z"], dtype=object)).numpy().tolist() == [2, 0]
