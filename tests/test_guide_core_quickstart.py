"""TensorFlow's "Quickstart for the TensorFlow Core APIs" (guide/core/quickstart_core.ipynb) run with
``import glassnet as tf`` on a stand-in for the Auto MPG table (398 rows of the same 8 columns, 6
missing horsepowers; there is no network): tf.random.shuffle, one_hot, reduce_std, a tf.Module
linear regression under tf.function trained by hand with a GradientTape, and the export module's
tf.saved_model.save / load, whose loaded object runs (TF's runs its traced function). Lines are
TF 2.21's for the same program; the losses depend on TF's random stream, so they are checked by
what they must do (fall, and the loaded model predicts what the exported one does)."""
import numpy as np
import pandas as pd

from conftest import assert_guide_prints


def auto_mpg():
    rng = np.random.default_rng(0)
    n = 398
    df = pd.DataFrame({
        "MPG": rng.uniform(9, 46, n).round(1), "Cylinders": rng.choice([4, 6, 8], n),
        "Displacement": rng.uniform(68, 455, n).round(0), "Horsepower": rng.uniform(46, 230, n).round(0),
        "Weight": rng.uniform(1613, 5140, n).round(0), "Acceleration": rng.uniform(8, 24.8, n).round(1),
        "Model Year": rng.integers(70, 83, n), "Origin": rng.integers(1, 4, n)})
    df.loc[[32, 126, 330, 336, 354, 374], "Horsepower"] = np.nan
    return df


GUIDE = r'''import tensorflow as tf
import numpy as np
import os
import tempfile
tf.random.set_seed(22)
dataset = auto_mpg().dropna()
dataset_tf = tf.convert_to_tensor(dataset, dtype=tf.float32)
print(dataset_tf.shape, dataset_tf.dtype)
dataset_shuffled = tf.random.shuffle(dataset_tf, seed=22)
print(sorted(dataset_shuffled[:, 0].numpy().tolist()) == sorted(dataset_tf[:, 0].numpy().tolist()))
train_data, test_data = dataset_shuffled[100:], dataset_shuffled[:100]
x_train, y_train = train_data[:, 1:], train_data[:, 0]
x_test, y_test = test_data[:, 1:], test_data[:, 0]

def onehot_origin(x):
  origin = tf.cast(x[:, -1], tf.int32)
  origin_oh = tf.one_hot(origin - 1, 3)
  x_ohe = tf.concat([x[:, :-1], origin_oh], axis = 1)
  return x_ohe

x_train_ohe, x_test_ohe = onehot_origin(x_train), onehot_origin(x_test)
print(type(x_train_ohe.numpy()), x_train_ohe.numpy().shape, x_train_ohe.numpy().dtype)

class Normalize(tf.Module):
  def __init__(self, x):
    self.mean = tf.math.reduce_mean(x, axis=0)
    self.std = tf.math.reduce_std(x, axis=0)
  def norm(self, x):
    return (x - self.mean)/self.std
  def unnorm(self, x):
    return (x * self.std) + self.mean

norm_x = Normalize(x_train_ohe)
norm_y = Normalize(y_train)
x_train_norm, y_train_norm = norm_x.norm(x_train_ohe), norm_y.norm(y_train)
x_test_norm, y_test_norm = norm_x.norm(x_test_ohe), norm_y.norm(y_test)
print(norm_x.mean.dtype, norm_x.std.shape)

class LinearRegression(tf.Module):
  def __init__(self):
    self.built = False
  @tf.function
  def __call__(self, x):
    if not self.built:
      rand_w = tf.random.uniform(shape=[x.shape[-1], 1])
      rand_b = tf.random.uniform(shape=[])
      self.w = tf.Variable(rand_w)
      self.b = tf.Variable(rand_b)
      self.built = True
    y = tf.add(tf.matmul(x, self.w), self.b)
    return tf.squeeze(y, axis=1)

lin_reg = LinearRegression()
prediction_unnorm = norm_y.unnorm(lin_reg(x_train_norm[:1]))
print(repr(prediction_unnorm.numpy().dtype), prediction_unnorm.numpy().shape)
print([v.name for v in lin_reg.variables], [str(v.shape) for v in lin_reg.variables])

def mse_loss(y_pred, y):
  return tf.reduce_mean(tf.square(y_pred - y))

dataset = tf.data.Dataset.from_tensor_slices((x_train_norm, y_train_norm))
dataset = dataset.shuffle(buffer_size=x_train.shape[0]).batch(64)
test_losses = []
for epoch in range(30):
  for x_batch, y_batch in dataset:
    with tf.GradientTape() as tape:
      batch_loss = mse_loss(lin_reg(x_batch), y_batch)
    grads = tape.gradient(batch_loss, lin_reg.variables)
    for g,v in zip(grads, lin_reg.variables):
      v.assign_sub(0.01 * g)
  test_losses.append(mse_loss(lin_reg(x_test_norm), y_test_norm))
print("test loss falls:", bool(test_losses[-1] < test_losses[0]))

class ExportModule(tf.Module):
  def __init__(self, model, extract_features, norm_x, norm_y):
    self.model = model
    self.extract_features = extract_features
    self.norm_x = norm_x
    self.norm_y = norm_y
  @tf.function(input_signature=[tf.TensorSpec(shape=[None, None], dtype=tf.float32)])
  def __call__(self, x):
    x = self.extract_features(x)
    x = self.norm_x.norm(x)
    y = self.model(x)
    y = self.norm_y.unnorm(y)
    return y

lin_reg_export = ExportModule(model=lin_reg, extract_features=onehot_origin, norm_x=norm_x, norm_y=norm_y)
save_path = os.path.join(tempfile.mkdtemp(), 'lin_reg_export')
tf.saved_model.save(lin_reg_export, save_path)
lin_reg_loaded = tf.saved_model.load(save_path)
test_preds = lin_reg_loaded(x_test)
print(test_preds.shape, test_preds.dtype, np.allclose(test_preds.numpy(), lin_reg_export(x_test).numpy()))
print(test_preds[:10].numpy().shape)
'''

TF_OUTPUT = [
    "(392, 8) <dtype: 'float32'>",
    "True",
    "<class 'numpy.ndarray'> (292, 9) float32",
    "<dtype: 'float32'> (9,)",
    "dtype('float32') (1,)",
    "['Variable:0', 'Variable:0'] ['()', '(9, 1)']",
    "test loss falls: True",
    "(100,) <dtype: 'float32'> True",
    "(10,)",
    "",
]


def test_quickstart_core_prints_as_tensorflow():
    assert_guide_prints(GUIDE.replace("import os\n", "import os\nfrom test_guide_core_quickstart import auto_mpg\n"),
                        "quickstart_core.ipynb", TF_OUTPUT)


SEEDED = r'''import tensorflow as tf
tf.random.set_seed(22)
print(tf.random.uniform([3]).numpy(), tf.random.uniform([2], seed=5).numpy(), tf.random.uniform([2], seed=5).numpy())
print(tf.random.normal([2, 2]).numpy(), tf.random.normal([3], mean=1.0, stddev=2.0, seed=3).numpy())
print(tf.random.uniform([4], minval=-2.0, maxval=3.0).numpy(), tf.random.uniform([4], maxval=10, dtype=tf.int32).numpy())
print(tf.random.uniform([3], dtype=tf.float64).numpy(), tf.random.normal([3], dtype=tf.float64).numpy())
print(tf.random.uniform([], seed=7).numpy(), tf.random.uniform(shape=[9, 1]).numpy().ravel()[:3])
tf.random.set_seed(22)
print(tf.random.uniform([3]).numpy())
print(tf.random.uniform([2], minval=-tf.sqrt(6.)/tf.sqrt(854.), maxval=tf.sqrt(6.)/tf.sqrt(854.), seed=22).numpy())
print(tf.random.shuffle(tf.range(10.), seed=22).numpy(), tf.random.shuffle(tf.reshape(tf.range(12), [6, 2])).numpy().tolist())
print(tf.random.shuffle(tf.range(10.), seed=22).numpy(), tf.random.shuffle(tf.constant([1]), seed=3).numpy())
'''

SEEDED_TF_OUTPUT = [
    '[0.46031737 0.90100145 0.5078708 ] [0.84480834 0.30464196] [0.6928698  0.33966732]',
    '[[-0.12328745  0.33710834]',
    ' [-0.1569812   0.5100444 ]] [-1.9570816   0.19684911  5.481607  ]',
    '[ 1.0326784  0.6565206 -1.6227813  2.838121 ] [8 8 3 8]',
    '[0.45878439 0.38703971 0.46533669] [-2.03445955 -0.11770827  1.88322856]',
    '0.65935767 [0.40636683 0.6125107  0.60767376]',
    '[0.46031737 0.90100145 0.5078708 ]',
    '[-0.06956472  0.01643083]',
    '[2. 7. 4. 3. 8. 9. 1. 5. 6. 0.] [[2, 3], [4, 5], [8, 9], [0, 1], [6, 7], [10, 11]]',
    '[4. 1. 9. 2. 8. 0. 5. 3. 6. 7.] [1]',
    '',
]


def test_seeded_draws_are_tensorflows():
    """The Core tutorials seed tf.random.uniform / normal (tf.random.set_seed(22), seed=22): under a
    global or op seed glassnet draws TensorFlow's own numbers (its eager op seeds and kernels' Philox
    streams), an op seed repeated continues its stream, set_seed starts again; tf.random.shuffle's order is TF's Fisher-Yates on that stream; TF 2.21's lines."""
    assert_guide_prints(SEEDED, "seeded draws", SEEDED_TF_OUTPUT)
