"""TensorFlow's "Multilayer perceptrons for digit recognition with Core APIs" (guide/core/mlp_core.ipynb)
run with ``import glassnet as tf`` on stand-in digits (uint8 28x28x1 images and int64 labels as tfds gives
them, made up here: there is no network; smaller layers, 3 epochs): uint8 / 255 is float32 as TF's,
Xavier init from tf.random.uniform with tensor bounds, a tf.Module MLP under tf.function, a hand-written
Adam on tf.Variables, the export module with a uint8 input_signature saved, loaded and run, boolean
masks and tf.fill with a scalar dims. Lines are TF 2.21's for the same program."""
from conftest import assert_guide_prints

GUIDE = r'''import numpy as np, os, tempfile
import matplotlib
matplotlib.use("Agg")
from matplotlib import pyplot as plt
import tensorflow as tf
tf.random.set_seed(22)
rng = np.random.default_rng(3)
def digits(n):
    y = rng.integers(0, 10, n)
    x = (rng.uniform(0, 60, (n, 28, 28, 1)) + (y[:, None, None, None] * 19)).astype(np.uint8)
    return x, y.astype(np.int64)
xa, ya = digits(1000)
train_data = tf.data.Dataset.from_tensor_slices((xa[200:], ya[200:])).batch(128)
val_data = tf.data.Dataset.from_tensor_slices((xa[:200], ya[:200])).batch(128)
x_viz, y_viz = tf.constant(xa[:300]), tf.constant(ya[:300])
x_viz = tf.squeeze(x_viz, axis=3)
print(x_viz.shape, x_viz.dtype, y_viz.dtype)
for i in range(2):
    plt.subplot(3,3,1+i)
    plt.imshow(x_viz[i], cmap='gray')
    plt.title(f"True Label: {y_viz[i]}")
print(f"True Label: {y_viz[0]}")
def preprocess(x, y):
  x = tf.reshape(x, shape=[-1, 784])
  x = x/255
  return x, y
train_data, val_data = train_data.map(preprocess), val_data.map(preprocess)
print(train_data.element_spec)
x = tf.linspace(-2, 2, 201)
x = tf.cast(x, tf.float32)
plt.plot(x, tf.nn.relu(x));
x = tf.linspace(-4, 4, 201)
x = tf.cast(x, tf.float32)
plt.plot(x, tf.nn.softmax(x, axis=0));
def xavier_init(shape):
  in_dim, out_dim = shape
  xavier_lim = tf.sqrt(6.)/tf.sqrt(tf.cast(in_dim + out_dim, tf.float32))
  weight_vals = tf.random.uniform(shape=(in_dim, out_dim), minval=-xavier_lim, maxval=xavier_lim, seed=22)
  return weight_vals
w = xavier_init((784, 70))
print(w.dtype, w.shape, bool(tf.reduce_max(tf.abs(w)) <= tf.sqrt(6.)/tf.sqrt(854.)))
class DenseLayer(tf.Module):
  def __init__(self, out_dim, weight_init=xavier_init, activation=tf.identity):
    self.out_dim = out_dim
    self.weight_init = weight_init
    self.activation = activation
    self.built = False
  def __call__(self, x):
    if not self.built:
      self.in_dim = x.shape[1]
      self.w = tf.Variable(xavier_init(shape=(self.in_dim, self.out_dim)))
      self.b = tf.Variable(tf.zeros(shape=(self.out_dim,)))
      self.built = True
    z = tf.add(tf.matmul(x, self.w), self.b)
    return self.activation(z)
class MLP(tf.Module):
  def __init__(self, layers):
    self.layers = layers
  @tf.function
  def __call__(self, x, preds=False):
    for layer in self.layers:
      x = layer(x)
    return x
mlp_model = MLP([
    DenseLayer(out_dim=70, activation=tf.nn.relu),
    DenseLayer(out_dim=50, activation=tf.nn.relu),
    DenseLayer(out_dim=10)])
def cross_entropy_loss(y_pred, y):
  sparse_ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=y_pred)
  return tf.reduce_mean(sparse_ce)
def accuracy(y_pred, y):
  class_preds = tf.argmax(tf.nn.softmax(y_pred), axis=1)
  is_equal = tf.equal(y, class_preds)
  return tf.reduce_mean(tf.cast(is_equal, tf.float32))
class Adam:
    def __init__(self, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, ep=1e-7):
      self.beta_1 = beta_1
      self.beta_2 = beta_2
      self.learning_rate = learning_rate
      self.ep = ep
      self.t = 1.
      self.v_dvar, self.s_dvar = [], []
      self.built = False
    def apply_gradients(self, grads, vars):
      if not self.built:
        for var in vars:
          v = tf.Variable(tf.zeros(shape=var.shape))
          s = tf.Variable(tf.zeros(shape=var.shape))
          self.v_dvar.append(v)
          self.s_dvar.append(s)
        self.built = True
      for i, (d_var, var) in enumerate(zip(grads, vars)):
        self.v_dvar[i].assign(self.beta_1*self.v_dvar[i] + (1-self.beta_1)*d_var)
        self.s_dvar[i].assign(self.beta_2*self.s_dvar[i] + (1-self.beta_2)*tf.square(d_var))
        v_dvar_bc = self.v_dvar[i]/(1-(self.beta_1**self.t))
        s_dvar_bc = self.s_dvar[i]/(1-(self.beta_2**self.t))
        var.assign_sub(self.learning_rate*(v_dvar_bc/(tf.sqrt(s_dvar_bc) + self.ep)))
      self.t += 1.
      return
def train_step(x_batch, y_batch, loss, acc, model, optimizer):
  with tf.GradientTape() as tape:
    y_pred = model(x_batch)
    batch_loss = loss(y_pred, y_batch)
  batch_acc = acc(y_pred, y_batch)
  grads = tape.gradient(batch_loss, model.variables)
  optimizer.apply_gradients(grads, model.variables)
  return batch_loss, batch_acc
def val_step(x_batch, y_batch, loss, acc, model):
  y_pred = model(x_batch)
  batch_loss = loss(y_pred, y_batch)
  batch_acc = acc(y_pred, y_batch)
  return batch_loss, batch_acc
def train_model(mlp, train_data, val_data, loss, acc, optimizer, epochs):
  train_losses, train_accs = [], []
  val_losses, val_accs = [], []
  for epoch in range(epochs):
    batch_losses_train, batch_accs_train = [], []
    batch_losses_val, batch_accs_val = [], []
    for x_batch, y_batch in train_data:
      batch_loss, batch_acc = train_step(x_batch, y_batch, loss, acc, mlp, optimizer)
      batch_losses_train.append(batch_loss)
      batch_accs_train.append(batch_acc)
    for x_batch, y_batch in val_data:
      batch_loss, batch_acc = val_step(x_batch, y_batch, loss, acc, mlp)
      batch_losses_val.append(batch_loss)
      batch_accs_val.append(batch_acc)
    train_loss, train_acc = tf.reduce_mean(batch_losses_train), tf.reduce_mean(batch_accs_train)
    val_loss, val_acc = tf.reduce_mean(batch_losses_val), tf.reduce_mean(batch_accs_val)
    train_losses.append(train_loss)
    train_accs.append(train_acc)
    val_losses.append(val_loss)
    val_accs.append(val_acc)
    print(f"Epoch: {epoch}")
  return train_losses, train_accs, val_losses, val_accs
train_losses, train_accs, val_losses, val_accs = train_model(mlp_model, train_data, val_data,
                                                             loss=cross_entropy_loss, acc=accuracy,
                                                             optimizer=Adam(), epochs=3)
print(bool(train_losses[-1] < train_losses[0]), [v.shape for v in mlp_model.variables] == [(70,), (784, 70), (50,), (70, 50), (10,), (50, 10)])
print([v.name for v in mlp_model.trainable_variables])
class ExportModule(tf.Module):
  def __init__(self, model, preprocess, class_pred):
    self.model = model
    self.preprocess = preprocess
    self.class_pred = class_pred
  @tf.function(input_signature=[tf.TensorSpec(shape=[None, None, None, None], dtype=tf.uint8)])
  def __call__(self, x):
    x = self.preprocess(x)
    y = self.model(x)
    y = self.class_pred(y)
    return y
def preprocess_test(x):
  x = tf.reshape(x, shape=[-1, 784])
  x = x/255
  return x
def class_pred_test(y):
  return tf.argmax(tf.nn.softmax(y), axis=1)
mlp_model_export = ExportModule(model=mlp_model, preprocess=preprocess_test, class_pred=class_pred_test)
models = tempfile.mkdtemp()
save_path = os.path.join(models, 'mlp_model_export')
tf.saved_model.save(mlp_model_export, save_path)
mlp_loaded = tf.saved_model.load(save_path)
def accuracy_score(y_pred, y):
  is_equal = tf.equal(y_pred, y)
  return tf.reduce_mean(tf.cast(is_equal, tf.float32))
xt, yt = digits(300)
x_test, y_test = tf.constant(xt), tf.constant(yt)
test_classes = mlp_loaded(x_test)
print(test_classes.dtype, test_classes.shape)
test_acc = accuracy_score(test_classes, y_test)
print(f"Test Accuracy: {test_acc:.3f}"[:15])
label_accs = {}
for label in range(10):
  label_ind = (y_test == label)
  pred_label = test_classes[label_ind]
  label_filled = tf.cast(tf.fill(pred_label.shape[0], label), tf.int64)
  label_accs[accuracy_score(pred_label, label_filled).numpy()] = label
print(label_ind.dtype, pred_label.dtype, pred_label.shape == (int(tf.reduce_sum(tf.cast(label_ind, tf.int32))),), label_filled.dtype, type(list(label_accs)[0]))
print(tf.fill(3, 7), tf.fill([2], 1.5))
'''

TF_OUTPUT = [
    "(300, 28, 28) <dtype: 'uint8'> <dtype: 'int64'>",
    'True Label: 8',
    '(TensorSpec(shape=(None, 784), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))',
    "<dtype: 'float32'> (784, 70) True",
    'Epoch: 0',
    'Epoch: 1',
    'Epoch: 2',
    'True True',
    "['Variable:0', 'Variable:0', 'Variable:0', 'Variable:0', 'Variable:0', 'Variable:0']",
    "<dtype: 'int64'> (300,)",
    'Test Accuracy: ',
    "<dtype: 'bool'> <dtype: 'int64'> True <dtype: 'int64'> <class 'numpy.float32'>",
    'tf.Tensor([7 7 7], shape=(3,), dtype=int32) tf.Tensor([1.5 1.5], shape=(2,), dtype=float32)',
    '',
]


def test_mlp_core_prints_as_tensorflow():
    assert_guide_prints(GUIDE, "mlp_core.ipynb", TF_OUTPUT, numeric=())
