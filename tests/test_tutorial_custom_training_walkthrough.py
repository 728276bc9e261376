"""TensorFlow's tutorial "Custom training: walkthrough" (tutorials/customization/
custom_training_walkthrough) run with ``import glassnet as tf``, in both of its versions:

* the current one reads the Palmer penguins with tensorflow_datasets (not installed): a
  tf.data pipeline of the same structure stands in (float32 features of shape (4,), int64
  species, split 20% / 80% with take/skip, as ``tfds.load("penguins/processed", split=[...],
  as_supervised=True)`` gives); tfds.as_dataframe and info.features are left out;
* the older one downloads iris_training.csv / iris_test.csv with tf.keras.utils.get_file (here
  found in $KERAS_HOME's cache, where get_file looks first) and reads them with
  tf.data.experimental.make_csv_dataset.

Both: a Sequential of Dense layers called on a batch, tf.nn.softmax, tf.argmax / tf.math.argmax,
a SparseCategoricalCrossentropy loss, GradientTape gradients, SGD's apply_gradients(zip(...)) and
optimizer.iterations, a loop with tf.keras.metrics.Mean and SparseCategoricalAccuracy printed with
"Epoch {:03d}: Loss: {:.3f}, Accuracy: {:.3%}", metrics.Accuracy on the test set, tf.stack and
predictions on three examples. The weights are seeded (keras.utils.set_random_seed, which the
tutorial does not call) so that TF 2.21's losses and accuracies can be compared number for number;
the epochs are fewer (51 and 21 instead of 201)."""
from conftest import assert_guide_prints

PENGUINS = r'''import tensorflow as tf
import numpy as np

# stand-in for tfds.load("penguins/processed", split=['train[:20%]', 'train[20%:]'], as_supervised=True):
# 334 rows of four float32 features in [0, 1] and an int64 species, split 67 / 267
rng = np.random.default_rng(0)
species = rng.integers(0, 3, 334)
centres = np.array([[0.3, 0.6, 0.25, 0.3], [0.55, 0.65, 0.3, 0.35], [0.5, 0.25, 0.75, 0.7]])
feats = np.clip(centres[species] + rng.normal(0, 0.08, (334, 4)), 0, 1).astype(np.float32)
full = tf.data.Dataset.from_tensor_slices((feats, species.astype(np.int64)))
ds_split = [full.take(67), full.skip(67)]
class_names = ['Adélie', 'Chinstrap', 'Gentoo']
ds_test = ds_split[0]
ds_train = ds_split[1]
assert isinstance(ds_test, tf.data.Dataset)
print(ds_test.element_spec)
print(ds_train.cardinality().numpy(), ds_test.cardinality().numpy())
ds_train_batch = ds_train.batch(32)
print(ds_train_batch)
features, labels = next(iter(ds_train_batch))
print(features)
print(labels)

tf.keras.utils.set_random_seed(0)     # the tutorial leaves the weights unseeded: seeded here to compare numbers
model = tf.keras.Sequential([
  tf.keras.layers.Dense(10, activation=tf.nn.relu, input_shape=(4,)),  # input shape required
  tf.keras.layers.Dense(10, activation=tf.nn.relu),
  tf.keras.layers.Dense(3)
])
predictions = model(features)
print(predictions[:5].shape, predictions.dtype, isinstance(predictions[:5], tf.Tensor))
sm = tf.nn.softmax(predictions[:5])
print(sm.shape, sm.dtype, np.allclose(tf.reduce_sum(sm, axis=1).numpy(), 1.0))
am = tf.math.argmax(predictions, axis=1)
print(am.dtype, am.shape)
print("Prediction: {}".format(tf.math.argmax(predictions, axis=1)))
print("    Labels: {}".format(labels))

loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
def loss(model, x, y, training):
  y_ = model(x, training=training)
  return loss_object(y_true=y, y_pred=y_)
l = loss(model, features, labels, training=False)
print("Loss test: {}".format(l), l.shape, l.dtype)
def grad(model, inputs, targets):
  with tf.GradientTape() as tape:
    loss_value = loss(model, inputs, targets, training=True)
  return loss_value, tape.gradient(loss_value, model.trainable_variables)
optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)
loss_value, grads = grad(model, features, labels)
print(type(optimizer.iterations.numpy()).__name__, optimizer.iterations.numpy(), type(loss_value.numpy()).__name__)
print("Step: {}, Initial Loss: {}".format(optimizer.iterations.numpy(), loss_value.numpy()))
optimizer.apply_gradients(zip(grads, model.trainable_variables))
print("Step: {},         Loss: {}".format(optimizer.iterations.numpy(), loss(model, features, labels, training=True).numpy()))

train_loss_results = []
train_accuracy_results = []
num_epochs = 51                       # the tutorial's 201, shortened
for epoch in range(num_epochs):
  epoch_loss_avg = tf.keras.metrics.Mean()
  epoch_accuracy = tf.keras.metrics.SparseCategoricalAccuracy()
  for x, y in ds_train_batch:
    loss_value, grads = grad(model, x, y)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    epoch_loss_avg.update_state(loss_value)
    epoch_accuracy.update_state(y, model(x, training=True))
  train_loss_results.append(epoch_loss_avg.result())
  train_accuracy_results.append(epoch_accuracy.result())
  if epoch % 10 == 0:
    print("Epoch {:03d}: Loss: {:.3f}, Accuracy: {:.3%}".format(epoch,
                                                                epoch_loss_avg.result(),
                                                                epoch_accuracy.result()))
print(optimizer.iterations.numpy())
print(isinstance(train_loss_results[0], tf.Tensor), train_loss_results[0].dtype, train_loss_results[0].shape)

test_accuracy = tf.keras.metrics.Accuracy()
ds_test_batch = ds_test.batch(10)
for (x, y) in ds_test_batch:
  logits = model(x, training=False)
  prediction = tf.math.argmax(logits, axis=1, output_type=tf.int64)
  test_accuracy(prediction, y)
r = test_accuracy.result()
print("Test set accuracy: {:.3%}".format(test_accuracy.result()), r.dtype, r.shape)
print(tf.stack([y,prediction],axis=1))

predict_dataset = tf.convert_to_tensor([
    [0.3, 0.8, 0.4, 0.5,],
    [0.4, 0.1, 0.8, 0.5,],
    [0.7, 0.9, 0.8, 0.4]
])
predictions = model(predict_dataset, training=False)
for i, logits in enumerate(predictions):
  class_idx = tf.math.argmax(logits).numpy()
  p = tf.nn.softmax(logits)[class_idx]
  name = class_names[class_idx]
  print(type(class_idx).__name__, logits.shape, p.shape, p.dtype)
  print("Example {} prediction: {} ({:4.1f}%)".format(i, name, 100*p))
'''

# printed by TensorFlow 2.21 (/work/peers/bin/python) for the same program
PENGUINS_TF_OUTPUT = [
    '(TensorSpec(shape=(4,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))',
    '267 67',
    '<_BatchDataset element_spec=(TensorSpec(shape=(None, 4), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))>',
    'tf.Tensor(',
    '[[0.5763538  0.293557   0.7376754  0.78644264]',
    ' [0.3800161  0.35860574 0.7449053  0.6566052 ]',
    ' [0.6099339  0.73479193 0.36158362 0.5099603 ]',
    ' [0.6364581  0.75268054 0.25681087 0.3585219 ]',
    ' [0.3450386  0.5985806  0.27413082 0.3340884 ]',
    ' [0.6175395  0.6418713  0.27201605 0.28373474]',
    ' [0.47866142 0.7437961  0.29323828 0.41295555]',
    ' [0.39621088 0.09494655 0.6660727  0.79173017]',
    ' [0.5854462  0.27656308 0.68582636 0.6895358 ]',
    ' [0.27617916 0.5724021  0.04951441 0.23136589]',
    ' [0.48479128 0.37131423 0.76285946 0.8120711 ]',
    ' [0.5185034  0.62978494 0.         0.38706642]',
    ' [0.59376764 0.79110074 0.2610591  0.35753232]',
    ' [0.44355777 0.15589944 0.6929514  0.6724001 ]',
    ' [0.65843505 0.65017694 0.23675641 0.36135024]',
    ' [0.3174057  0.5459014  0.34145868 0.14893208]',
    ' [0.28291643 0.6532053  0.1429254  0.3289003 ]',
    ' [0.60343146 0.28629372 0.6147872  0.6417444 ]',
    ' [0.64858425 0.6738668  0.2992113  0.38529605]',
    ' [0.6076839  0.59332275 0.276768   0.3614331 ]',
    ' [0.5064834  0.6393239  0.40382975 0.27257442]',
    ' [0.654133   0.40034756 0.6129249  0.6887182 ]',
    ' [0.57741535 0.58913034 0.24071357 0.33100674]',
    ' [0.35913426 0.5590933  0.3961355  0.32319793]',
    ' [0.491794   0.36594078 0.8001025  0.729543  ]',
    ' [0.27350876 0.74511886 0.31494573 0.28372708]',
    ' [0.17382407 0.62983614 0.15850079 0.16272433]',
    ' [0.47766787 0.27251768 0.8525985  0.72259617]',
    ' [0.61448157 0.55192935 0.29819742 0.3599369 ]',
    ' [0.3689797  0.6092849  0.31432632 0.25966406]',
    ' [0.32863638 0.6331893  0.15001795 0.3140431 ]',
    ' [0.52437097 0.49767298 0.37667254 0.3210513 ]], shape=(32, 4), dtype=float32)',
    'tf.Tensor([2 2 1 1 0 1 1 2 2 0 2 1 1 2 1 0 0 2 1 1 1 2 1 0 2 0 0 2 1 0 0 1], shape=(32,), dtype=int64)',
    "(5, 3) <dtype: 'float32'> True",
    "(5, 3) <dtype: 'float32'> True",
    "<dtype: 'int64'> (32,)",
    'Prediction: [1 0 0 0 0 0 0 1 1 0 1 1 0 1 0 0 0 1 0 0 0 1 0 0 0 0 0 0 0 0 0 0]',
    '    Labels: [2 2 1 1 0 1 1 2 2 0 2 1 1 2 1 0 0 2 1 1 1 2 1 0 2 0 0 2 1 0 0 1]',
    "Loss test: 1.1647346019744873 () <dtype: 'float32'>",
    'int64 0 float32',
    'Step: 0, Initial Loss: 1.1647346019744873',
    'Step: 1,         Loss: 1.1609835624694824',
    'Epoch 000: Loss: 1.169, Accuracy: 35.955%',
    'Epoch 010: Loss: 1.001, Accuracy: 66.292%',
    'Epoch 020: Loss: 0.910, Accuracy: 72.659%',
    'Epoch 030: Loss: 0.807, Accuracy: 79.026%',
    'Epoch 040: Loss: 0.700, Accuracy: 84.270%',
    'Epoch 050: Loss: 0.606, Accuracy: 88.764%',
    '460',
    "True <dtype: 'float32'> ()",
    "Test set accuracy: 89.552% <dtype: 'float32'> ()",
    'tf.Tensor(',
    '[[2 2]',
    ' [2 2]',
    ' [2 2]',
    ' [1 1]',
    ' [2 2]',
    ' [0 1]',
    ' [1 1]], shape=(7, 2), dtype=int64)',
    "int64 (3,) () <dtype: 'float32'>",
    'Example 0 prediction: Chinstrap (42.7%)',
    "int64 (3,) () <dtype: 'float32'>",
    'Example 1 prediction: Gentoo (75.7%)',
    "int64 (3,) () <dtype: 'float32'>",
    'Example 2 prediction: Chinstrap (43.0%)',
    '',
]

IRIS = r'''import os
home = os.environ['KERAS_HOME']     # the test points it at a temporary folder
import numpy as np
import tensorflow as tf
print("TensorFlow version: {}".format(tf.__version__.split('+')[0]))
print("Eager execution: {}".format(tf.executing_eagerly()))
# stand-in for the download: iris_training.csv / iris_test.csv in Keras's cache
rng = np.random.default_rng(1)
os.makedirs(os.path.join(home, 'datasets'), exist_ok=True)
centres = np.array([[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]])
for name, n in (('iris_training.csv', 120), ('iris_test.csv', 30)):
    ys = rng.integers(0, 3, n)
    xs = (centres[ys] + rng.normal(0, 0.3, (n, 4))).round(1).clip(0.1)
    with open(os.path.join(home, 'datasets', name), 'w') as f:
        f.write('%d,4,setosa,versicolor,virginica\n' % n)
        for x, y in zip(xs, ys):
            f.write(','.join('%.1f' % v for v in x) + ',%d\n' % y)
train_dataset_url = "https://storage.googleapis.com/download.tensorflow.org/data/iris_training.csv"
train_dataset_fp = tf.keras.utils.get_file(fname=os.path.basename(train_dataset_url),
                                           origin=train_dataset_url)
print("Local copy of the dataset file: {}".format(train_dataset_fp.replace(home, 'HOME')))
column_names = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species']
feature_names = column_names[:-1]
label_name = column_names[-1]
print("Features: {}".format(feature_names))
print("Label: {}".format(label_name))
class_names = ['Iris setosa', 'Iris versicolor', 'Iris virginica']
batch_size = 32
train_dataset = tf.data.experimental.make_csv_dataset(
    train_dataset_fp,
    batch_size,
    column_names=column_names,
    label_name=label_name,
    num_epochs=1)
print(train_dataset)
features, labels = next(iter(train_dataset))
print(type(features).__name__, list(features), features['sepal_length'].shape, features['sepal_length'].dtype, labels.dtype, labels.shape)
unshuffled = tf.data.experimental.make_csv_dataset(train_dataset_fp, batch_size, column_names=column_names,
    label_name=label_name, num_epochs=1, shuffle=False)
f0, l0 = next(iter(unshuffled))
print(f0)
print(l0)
def pack_features_vector(features, labels):
  """Pack the features into a single array."""
  features = tf.stack(list(features.values()), axis=1)
  return features, labels
train_dataset = train_dataset.map(pack_features_vector)
print(train_dataset)
features, labels = next(iter(train_dataset))
print(features[:5].shape, features.dtype)
train_dataset = unshuffled.map(pack_features_vector)   # TF's shuffle order is its own: trained unshuffled
features, labels = next(iter(train_dataset))
print(features[:5].shape, features.dtype)
print(next(iter(unshuffled.map(pack_features_vector)))[0][:5])
tf.keras.utils.set_random_seed(0)     # the tutorial leaves the weights unseeded: seeded here to compare numbers
model = tf.keras.Sequential([
  tf.keras.layers.Dense(10, activation=tf.nn.relu, input_shape=(4,)),  # input shape required
  tf.keras.layers.Dense(10, activation=tf.nn.relu),
  tf.keras.layers.Dense(3)
])
predictions = model(features)
print(predictions[:5].shape)
print(tf.nn.softmax(predictions[:5]).shape)
print("Prediction: {}".format(tf.argmax(predictions, axis=1)))
print("    Labels: {}".format(labels))
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
def loss(model, x, y, training):
  y_ = model(x, training=training)
  return loss_object(y_true=y, y_pred=y_)
l = loss(model, features, labels, training=False)
print("Loss test: {}".format(l))
def grad(model, inputs, targets):
  with tf.GradientTape() as tape:
    loss_value = loss(model, inputs, targets, training=True)
  return loss_value, tape.gradient(loss_value, model.trainable_variables)
optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)
loss_value, grads = grad(model, features, labels)
print("Step: {}, Initial Loss: {}".format(optimizer.iterations.numpy(), loss_value.numpy()))
optimizer.apply_gradients(zip(grads, model.trainable_variables))
print("Step: {},         Loss: {}".format(optimizer.iterations.numpy(), loss(model, features, labels, training=True).numpy()))
train_loss_results = []
train_accuracy_results = []
num_epochs = 21                       # the tutorial's 201, shortened
for epoch in range(num_epochs):
  epoch_loss_avg = tf.keras.metrics.Mean()
  epoch_accuracy = tf.keras.metrics.SparseCategoricalAccuracy()
  for x, y in train_dataset:
    loss_value, grads = grad(model, x, y)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    epoch_loss_avg.update_state(loss_value)
    epoch_accuracy.update_state(y, model(x, training=True))
  train_loss_results.append(epoch_loss_avg.result())
  train_accuracy_results.append(epoch_accuracy.result())
  if epoch % 10 == 0:
    print("Epoch {:03d}: Loss: {:.3f}, Accuracy: {:.3%}".format(epoch, epoch_loss_avg.result(), epoch_accuracy.result()))
test_url = "https://storage.googleapis.com/download.tensorflow.org/data/iris_test.csv"
test_fp = tf.keras.utils.get_file(fname=os.path.basename(test_url), origin=test_url)
test_dataset = tf.data.experimental.make_csv_dataset(
    test_fp,
    batch_size,
    column_names=column_names,
    label_name='species',
    num_epochs=1,
    shuffle=False)
test_dataset = test_dataset.map(pack_features_vector)
test_accuracy = tf.keras.metrics.Accuracy()
for (x, y) in test_dataset:
  logits = model(x, training=False)
  prediction = tf.argmax(logits, axis=1, output_type=tf.int32)
  test_accuracy(prediction, y)
print("Test set accuracy: {:.3%}".format(test_accuracy.result()))
print(tf.stack([y,prediction],axis=1))
predict_dataset = tf.convert_to_tensor([
    [5.1, 3.3, 1.7, 0.5,],
    [5.9, 3.0, 4.2, 1.5,],
    [6.9, 3.1, 5.4, 2.1]
])
predictions = model(predict_dataset, training=False)
for i, logits in enumerate(predictions):
  class_idx = tf.argmax(logits).numpy()
  p = tf.nn.softmax(logits)[class_idx]
  name = class_names[class_idx]
  print("Example {} prediction: {} ({:4.1f}%)".format(i, name, 100*p))
'''

# printed by TensorFlow 2.21 for the same program ($KERAS_HOME shown as HOME)
IRIS_TF_OUTPUT = [
    'TensorFlow version: 2.21.0',
    'Eager execution: True',
    'Local copy of the dataset file: HOME/datasets/iris_training.csv',
    "Features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']",
    'Label: species',
    "<_PrefetchDataset element_spec=(OrderedDict([('sepal_length', TensorSpec(shape=(None,), dtype=tf.float32, name=None)), ('sepal_width', TensorSpec(shape=(None,), dtype=tf.float32, name=None)), ('petal_length', TensorSpec(shape=(None,), dtype=tf.float32, name=None)), ('petal_width', TensorSpec(shape=(None,), dtype=tf.float32, name=None))]), TensorSpec(shape=(None,), dtype=tf.int32, name=None))>",
    "OrderedDict ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] (32,) <dtype: 'float32'> <dtype: 'int32'> (32,)",
    "OrderedDict([('sepal_length', <tf.Tensor: shape=(32,), dtype=float32, numpy=",
    'array([5.8, 5.6, 6.8, 6.5, 5.3, 4.9, 6.2, 6.6, 5.1, 4.3, 6.7, 6.1, 4.5,',
    '       6.6, 5. , 6.1, 6.1, 6.1, 5.2, 4.7, 6.3, 6.6, 6.7, 5.7, 7.1, 5. ,',
    "       6. , 6.7, 5. , 5.2, 5.4, 6.8], dtype=float32)>), ('sepal_width', <tf.Tensor: shape=(32,), dtype=float32, numpy=",
    'array([2.8, 2.9, 2.5, 2.8, 3.3, 3.6, 3.3, 3.1, 3.4, 3.4, 2.8, 3.2, 3.9,',
    '       2.9, 3.2, 3.3, 3.6, 2.5, 3.3, 3.3, 2.7, 3.2, 3.1, 2.5, 2.6, 3.7,',
    "       3. , 2.8, 3.4, 3.2, 3.5, 3.1], dtype=float32)>), ('petal_length', <tf.Tensor: shape=(32,), dtype=float32, numpy=",
    'array([4.4, 4.2, 5.7, 5.8, 1.1, 1.6, 5.8, 5.7, 1.4, 1.5, 5.9, 4.4, 1.5,',
    '       5.9, 1.6, 3.8, 4. , 4.1, 1.6, 1.2, 6. , 5.5, 5.3, 4. , 5.6, 1.4,',
    "       4.5, 5.6, 1.6, 1.1, 1.5, 4. ], dtype=float32)>), ('petal_width', <tf.Tensor: shape=(32,), dtype=float32, numpy=",
    'array([1. , 1.4, 2.4, 2.1, 0.2, 0.1, 1.8, 2.3, 0.5, 0.1, 2. , 1. , 0.1,',
    '       2. , 0.1, 0.6, 0.9, 1.2, 0.1, 0.2, 2. , 1.9, 2.3, 1.2, 1.4, 0.1,',
    '       1.9, 2. , 0.1, 0.4, 0.1, 1.1], dtype=float32)>)])',
    'tf.Tensor([1 1 2 2 0 0 2 2 0 0 2 1 0 2 0 1 1 1 0 0 2 2 2 1 2 0 1 2 0 0 0 1], shape=(32,), dtype=int32)',
    '<_MapDataset element_spec=(TensorSpec(shape=(None, 4), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))>',
    "(5, 4) <dtype: 'float32'>",
    "(5, 4) <dtype: 'float32'>",
    'tf.Tensor(',
    '[[5.8 2.8 4.4 1. ]',
    ' [5.6 2.9 4.2 1.4]',
    ' [6.8 2.5 5.7 2.4]',
    ' [6.5 2.8 5.8 2.1]',
    ' [5.3 3.3 1.1 0.2]], shape=(5, 4), dtype=float32)',
    '(5, 3)',
    '(5, 3)',
    'Prediction: [0 0 0 0 1 1 0 0 0 0 0 0 0 0 1 0 0 0 1 0 0 0 0 0 0 1 0 0 1 0 1 0]',
    '    Labels: [1 1 2 2 0 0 2 2 0 0 2 1 0 2 0 1 1 1 0 0 2 2 2 1 2 0 1 2 0 0 0 1]',
    'Loss test: 1.8918216228485107',
    'Step: 0, Initial Loss: 1.8918216228485107',
    'Step: 1,         Loss: 1.668989896774292',
    'Epoch 000: Loss: 1.436, Accuracy: 32.500%',
    'Epoch 010: Loss: 0.861, Accuracy: 66.667%',
    'Epoch 020: Loss: 0.619, Accuracy: 75.833%',
    'Test set accuracy: 73.333%',
    'tf.Tensor(',
    '[[1 2]',
    ' [2 2]',
    ' [0 0]',
    ' [1 2]',
    ' [2 2]',
    ' [0 0]',
    ' [2 2]',
    ' [0 0]',
    ' [2 2]',
    ' [2 2]',
    ' [1 2]',
    ' [2 2]',
    ' [1 2]',
    ' [0 0]',
    ' [1 2]',
    ' [2 2]',
    ' [0 0]',
    ' [0 0]',
    ' [2 2]',
    ' [1 1]',
    ' [1 2]',
    ' [1 2]',
    ' [2 2]',
    ' [0 0]',
    ' [1 2]',
    ' [0 0]',
    ' [0 0]',
    ' [0 0]',
    ' [0 0]',
    ' [0 0]], shape=(30, 2), dtype=int32)',
    'Example 0 prediction: Iris setosa (61.1%)',
    'Example 1 prediction: Iris virginica (46.5%)',
    'Example 2 prediction: Iris virginica (60.5%)',
    '',
]
IRIS_NUMERIC = [36]     # the loss after one step: float32's last digit (the same numbers, summed in another order)


def test_penguins_walkthrough_prints_as_tensorflow():
    assert_guide_prints(PENGUINS, "custom_training_walkthrough", PENGUINS_TF_OUTPUT)


def test_iris_walkthrough_prints_as_tensorflow(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert_guide_prints(IRIS, "custom_training_walkthrough_iris", IRIS_TF_OUTPUT, set(IRIS_NUMERIC))
