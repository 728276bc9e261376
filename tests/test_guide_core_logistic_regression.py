"""TensorFlow's "Logistic regression for binary classification with Core APIs"
(guide/core/logistic_regression_core.ipynb) run with ``import glassnet as tf`` on a stand-in for the
Wisconsin breast cancer table (569 rows: id, diagnosis B/M, 30 measurements; there is no network,
and the confusion matrix is counted with NumPy, scikit-learn being absent): Normalize with
tf.Variables, sigmoid_cross_entropy_with_logits, the hand-written training loop over tf.data, and
the export module saved and loaded (the loaded one predicts the classes). Lines are TF 2.21's for
the same program (20 epochs instead of 200); line 5 to float32's last digits (TF's float32 log1p
rounds otherwise than NumPy's)."""
from conftest import assert_guide_prints

GUIDE = r'''import numpy as np, pandas as pd, os, tempfile
import tensorflow as tf
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
tf.random.set_seed(22)
rng = np.random.default_rng(1)
features = ['radius', 'texture', 'perimeter', 'area', 'smoothness', 'compactness',
            'concavity', 'concave_poinits','symmetry', 'fractal_dimension']
column_names = ['id', 'diagnosis']
for attr in ['mean', 'ste', 'largest']:
  for feature in features:
    column_names.append(feature + "_" + attr)
diag = rng.choice(['B', 'M'], 569)
vals = rng.normal(size=(569, 30)) * rng.uniform(0.1, 100, 30) + (diag == 'M')[:, None] * 2.0 + 50
dataset = pd.DataFrame({'id': rng.integers(8670, 911320502, 569), 'diagnosis': diag,
                        **{c: vals[:, i] for i, c in enumerate(column_names[2:])}})
train_dataset = dataset.sample(frac=0.75, random_state=0)
test_dataset = dataset.drop(train_dataset.index)
x_train, y_train = train_dataset.iloc[:, 2:], train_dataset.iloc[:, 1]
x_test, y_test = test_dataset.iloc[:, 2:], test_dataset.iloc[:, 1]
y_train, y_test = y_train.map({'B': 0, 'M': 1}), y_test.map({'B': 0, 'M': 1})
x_train, y_train = tf.convert_to_tensor(x_train, dtype=tf.float32), tf.convert_to_tensor(y_train, dtype=tf.float32)
x_test, y_test = tf.convert_to_tensor(x_test, dtype=tf.float32), tf.convert_to_tensor(y_test, dtype=tf.float32)
print(x_train.shape, y_train.shape, y_train.dtype)
class Normalize(tf.Module):
  def __init__(self, x):
    self.mean = tf.Variable(tf.math.reduce_mean(x, axis=0))
    self.std = tf.Variable(tf.math.reduce_std(x, axis=0))
  def norm(self, x):
    return (x - self.mean)/self.std
  def unnorm(self, x):
    return (x * self.std) + self.mean
norm_x = Normalize(x_train)
x_train_norm, x_test_norm = norm_x.norm(x_train), norm_x.norm(x_test)
print(x_train_norm.dtype)
x = tf.linspace(-10, 10, 500)
print(x.dtype)
x = tf.cast(x, tf.float32)
plt.plot(x, tf.math.sigmoid(x))
def log_loss(y_pred, y):
  ce = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=y_pred)
  return tf.reduce_mean(ce)
class LogisticRegression(tf.Module):
  def __init__(self):
    self.built = False
  def __call__(self, x, train=True):
    if not self.built:
      rand_w = tf.random.uniform(shape=[x.shape[-1], 1], seed=22)
      rand_b = tf.random.uniform(shape=[], seed=22)
      self.w = tf.Variable(rand_w)
      self.b = tf.Variable(rand_b)
      self.built = True
    z = tf.add(tf.matmul(x, self.w), self.b)
    z = tf.squeeze(z, axis=1)
    if train:
      return z
    return tf.sigmoid(z)
log_reg = LogisticRegression()
y_pred = log_reg(x_train_norm[:5], train=False)
print(y_pred.numpy().shape, y_pred.numpy().dtype, bool(((y_pred.numpy() > 0) & (y_pred.numpy() < 1)).all()))
def predict_class(y_pred, thresh=0.5):
  return tf.cast(y_pred > thresh, tf.float32)
def accuracy(y_pred, y):
  y_pred = tf.math.sigmoid(y_pred)
  y_pred_class = predict_class(y_pred)
  check_equal = tf.cast(y_pred_class == y,tf.float32)
  acc_val = tf.reduce_mean(check_equal)
  return acc_val
print(accuracy(tf.constant([-1.0, 2.0, 3.0]), tf.constant([0.0, 1.0, 0.0])))
print(log_loss(tf.constant([-1.0, 2.0, 3.0]), tf.constant([0.0, 1.0, 0.0])))
batch_size = 64
dataset = tf.data.Dataset.from_tensor_slices((x_train_norm, y_train))
dataset = dataset.shuffle(buffer_size=x_train.shape[0]).batch(batch_size)
epochs = 20
learning_rate = 0.01
train_losses, test_losses = [], []
train_accs, test_accs = [], []
for epoch in range(epochs):
  batch_losses, batch_accs = [], []
  for x_batch, y_batch in dataset:
    with tf.GradientTape() as tape:
      y_pred_batch = log_reg(x_batch)
      batch_loss = log_loss(y_pred_batch, y_batch)
    batch_acc = accuracy(y_pred_batch, y_batch)
    grads = tape.gradient(batch_loss, log_reg.variables)
    for g,v in zip(grads, log_reg.variables):
      v.assign_sub(learning_rate * g)
    batch_losses.append(batch_loss)
    batch_accs.append(batch_acc)
  train_loss, train_acc = tf.reduce_mean(batch_losses), tf.reduce_mean(batch_accs)
  y_pred_test = log_reg(x_test_norm)
  test_loss, test_acc = log_loss(y_pred_test, y_test), accuracy(y_pred_test, y_test)
  train_losses.append(train_loss); train_accs.append(train_acc); test_losses.append(test_loss); test_accs.append(test_acc)
print(train_losses[-1] < train_losses[0], type(f"{train_losses[-1]:.3f}"))
plt.plot(range(epochs), train_losses, label = "Training loss")
y_pred_train, y_pred_test = log_reg(x_train_norm, train=False), log_reg(x_test_norm, train=False)
train_classes, test_classes = predict_class(y_pred_train), predict_class(y_pred_test)
confusion = np.histogram2d(y_train.numpy(), train_classes.numpy(), bins=2)[0]
print(confusion.shape, confusion.sum())
class ExportModule(tf.Module):
  def __init__(self, model, norm_x, class_pred):
    self.model = model
    self.norm_x = norm_x
    self.class_pred = class_pred
  @tf.function(input_signature=[tf.TensorSpec(shape=[None, None], dtype=tf.float32)])
  def __call__(self, x):
    x = self.norm_x.norm(x)
    y = self.model(x, train=False)
    y = self.class_pred(y)
    return y
log_reg_export = ExportModule(model=log_reg, norm_x=norm_x, class_pred=predict_class)
models = tempfile.mkdtemp()
save_path = os.path.join(models, 'log_reg_export')
tf.saved_model.save(log_reg_export, save_path)
log_reg_loaded = tf.saved_model.load(save_path)
test_preds = log_reg_loaded(x_test)
print(test_preds[:10].numpy().dtype, test_preds.shape, np.array_equal(test_preds.numpy(), test_classes.numpy()))
print(tf.train.list_variables(os.path.join(save_path, "variables", "variables")))
'''

TF_OUTPUT = [
    "(427, 30) (427,) <dtype: 'float32'>",
    "<dtype: 'float32'>",
    "<dtype: 'float64'>",
    '(5,) float32 True',
    'tf.Tensor(0.6666667, shape=(), dtype=float32)',
    'tf.Tensor(1.1629256, shape=(), dtype=float32)',
    "tf.Tensor(True, shape=(), dtype=bool) <class 'str'>",
    '(2, 2) 427.0',
    'float32 (142,) True',
    "["
    "('_CHECKPOINTABLE_OBJECT_GRAPH', []), "
    "('model/b/.ATTRIBUTES/VARIABLE_VALUE', []), "
    "('model/w/.ATTRIBUTES/VARIABLE_VALUE', [30, 1]), "
    "('norm_x/mean/.ATTRIBUTES/VARIABLE_VALUE', [30]), "
    "('norm_x/std/.ATTRIBUTES/VARIABLE_VALUE', [30])"
    "]",
    '',
]


def test_logistic_regression_core_prints_as_tensorflow():
    assert_guide_prints(GUIDE, "logistic_regression_core.ipynb", TF_OUTPUT, numeric=(5,))
