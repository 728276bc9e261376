"""The Machine Learning Specialization's course 3 week 2 content-based filtering assignment (two
towers, user_NN and item_NN, their L2-normalised outputs dotted) run with ``tensorflow`` renamed to
``glassnet``: what it prints must be what TensorFlow 2.21 printed for the same code (recorded by
running it under TF 2.21).

The course's data files (content_user_train.csv, content_item_train.csv, content_y_train.csv, item
vectors, movie list) are not here: stand-ins of the same columns are made with NumPy (user: id,
rating count, rating average, 14 genre averages; item: id, year, average rating, 14 one-hot genres;
ratings 0.5..5), 600 rows instead of 58,187. scikit-learn may be missing, so ``StandardScaler``,
``MinMaxScaler((-1, 1))`` and ``train_test_split`` are small stand-ins with the same arithmetic;
``tabulate`` tables are left out. Keras 3 (TF 2.21) refuses two TF 2.x spellings of the notebook:
``Input(shape=(16))`` (an int: "Cannot convert '16' to a shape") and ``tf.linalg.l2_normalize`` on a
symbolic tensor ("A KerasTensor cannot be used as input to a TensorFlow function"); the program uses
Keras 3's ``shape=(16,)`` and a ``Lambda`` as TF needs. glassnet also takes the notebook's int shape
(as TF 2.x did) and refuses the TF function on a symbolic tensor as Keras 3 does: the second test. The towers' starting weights
are set from NumPy after the model is made, and fit runs with shuffle=False, so the printed losses
rest on the arithmetic alone (3 epochs instead of 30)."""
import numpy as np

import glassnet as tf
from conftest import assert_guide_prints, renamed

PROGRAM = r'''import numpy as np
import numpy.ma as ma
import pandas as pd
import tensorflow as tf
from tensorflow import keras
pd.set_option("display.precision", 1)

# stand-ins for sklearn's scalers and split (same arithmetic)
class StandardScaler:
    def fit(self, X):
        X = np.asarray(X, float)
        self.mean_, self.scale_ = X.mean(0), np.where(X.std(0) == 0, 1, X.std(0))
        return self
    def transform(self, X):
        return (np.asarray(X, float) - self.mean_) / self.scale_
    def inverse_transform(self, X):
        return np.asarray(X) * self.scale_ + self.mean_

class MinMaxScaler:
    def __init__(self, feature_range=(0, 1)):
        self.feature_range = feature_range
    def fit(self, X):
        X = np.asarray(X, float)
        lo, hi = self.feature_range
        self.scale_ = (hi - lo) / (X.max(0) - X.min(0))
        self.min_ = lo - X.min(0) * self.scale_
        return self
    def transform(self, X):
        return np.asarray(X, float) * self.scale_ + self.min_
    def inverse_transform(self, X):
        return (np.asarray(X) - self.min_) / self.scale_

def train_test_split(a, train_size, shuffle=True, random_state=None):
    idx = np.random.RandomState(random_state).permutation(len(a))
    n = int(round(train_size * len(a)))
    return a[idx[:n]], a[idx[n:]]

# stand-in data in the course's columns
rng = np.random.default_rng(3)
n = 600
user_train = np.hstack([rng.integers(2, 50, (n, 1)), rng.integers(3, 100, (n, 1)), rng.uniform(1, 5, (n, 1)),
                        np.round(rng.uniform(0, 5, (n, 14)), 1)])
item_vecs = np.hstack([np.arange(100, 180)[:, None], rng.integers(2000, 2020, (80, 1)), rng.uniform(1, 5, (80, 1)),
                       np.eye(14)[rng.integers(0, 14, 80)]])
item_train = item_vecs[rng.integers(0, 80, n)]
y_train = np.round(rng.uniform(0.5, 5, n) * 2) / 2

num_user_features = user_train.shape[1] - 3  # remove userid, rating count and ave rating during training
num_item_features = item_train.shape[1] - 1  # remove movie id at train time
uvs = 3  # user genre vector start
ivs = 3  # item genre vector start
u_s = 3  # start of columns to use in training, user
i_s = 1  # start of columns to use in training, items
print(f"Number of training vectors: {len(item_train)}")
print(f"y_train[:5]: {y_train[:5]}")

item_train_unscaled = item_train
user_train_unscaled = user_train
y_train_unscaled    = y_train
scalerItem = StandardScaler()
scalerItem.fit(item_train)
item_train = scalerItem.transform(item_train)
scalerUser = StandardScaler()
scalerUser.fit(user_train)
user_train = scalerUser.transform(user_train)
scalerTarget = MinMaxScaler((-1, 1))
scalerTarget.fit(y_train.reshape(-1, 1))
y_train = scalerTarget.transform(y_train.reshape(-1, 1))
print(np.allclose(item_train_unscaled, scalerItem.inverse_transform(item_train)))
print(np.allclose(user_train_unscaled, scalerUser.inverse_transform(user_train)))
item_train, item_test = train_test_split(item_train, train_size=0.80, shuffle=True, random_state=1)
user_train, user_test = train_test_split(user_train, train_size=0.80, shuffle=True, random_state=1)
y_train, y_test       = train_test_split(y_train,    train_size=0.80, shuffle=True, random_state=1)
print(f"movie/item training data shape: {item_train.shape}")
print(f"movie/item test data shape: {item_test.shape}")

num_outputs = 32
tf.random.set_seed(1)
user_NN = tf.keras.models.Sequential([
    tf.keras.layers.Dense(256, activation='relu'),
    tf.keras.layers.Dense(128, activation='relu'),
    tf.keras.layers.Dense(num_outputs),
])
item_NN = tf.keras.models.Sequential([
    tf.keras.layers.Dense(256, activation='relu'),
    tf.keras.layers.Dense(128, activation='relu'),
    tf.keras.layers.Dense(num_outputs),
])
# create the user input and point to the base network
input_user = tf.keras.layers.Input(shape=(num_user_features,))
vu = user_NN(input_user)
vu = tf.keras.layers.Lambda(lambda x: tf.linalg.l2_normalize(x, axis=1))(vu)
# create the item input and point to the base network
input_item = tf.keras.layers.Input(shape=(num_item_features,))
vm = item_NN(input_item)
vm = tf.keras.layers.Lambda(lambda x: tf.linalg.l2_normalize(x, axis=1))(vm)
# compute the dot product of the two vectors vu and vm
output = tf.keras.layers.Dot(axes=1)([vu, vm])
# specify the inputs and output of the model
model = tf.keras.Model([input_user, input_item], output)
model.summary()

# public_tests.test_tower
for tower in (user_NN, item_NN):
    assert len(tower.layers) == 3
    for layer, units, act in zip(tower.layers, (256, 128, num_outputs), ("relu", "relu", "linear")):
        assert type(layer) == tf.keras.layers.Dense and layer.units == units
        assert layer.activation == getattr(tf.keras.activations, act)
print("All tests passed!")

# starting weights from NumPy (not each library's initializer)
rng = np.random.default_rng(5)
model.set_weights([rng.normal(0, 0.1, w.shape).astype(np.float32) for w in model.get_weights()])

tf.random.set_seed(1)
cost_fn = tf.keras.losses.MeanSquaredError()
opt = keras.optimizers.Adam(learning_rate=0.01)
model.compile(optimizer=opt, loss=cost_fn)
tf.random.set_seed(1)
history = model.fit([user_train[:, u_s:], item_train[:, i_s:]], y_train, epochs=3, verbose=0, shuffle=False)
print([round(v, 5) for v in history.history["loss"]])
test_loss = model.evaluate([user_test[:, u_s:], item_test[:, i_s:]], y_test, verbose=0)
print(f"{test_loss:.5f}", type(test_loss).__name__)

# predictions for a new user
new_user_id = 5000
new_rating_ave = 0.0
new_action = 0.0
new_adventure = 5.0
new_animation = 0.0
new_childrens = 0.0
new_comedy = 0.0
new_crime = 0.0
new_documentary = 0.0
new_drama = 0.0
new_fantasy = 5.0
new_horror = 0.0
new_mystery = 0.0
new_romance = 0.0
new_scifi = 0.0
new_thriller = 0.0
new_rating_count = 3
user_vec = np.array([[new_user_id, new_rating_count, new_rating_ave,
                      new_action, new_adventure, new_animation, new_childrens,
                      new_comedy, new_crime, new_documentary,
                      new_drama, new_fantasy, new_horror, new_mystery,
                      new_romance, new_scifi, new_thriller]])
user_vecs = np.tile(user_vec, (len(item_vecs), 1))      # gen_user_vecs
suser_vecs = scalerUser.transform(user_vecs)
sitem_vecs = scalerItem.transform(item_vecs)
y_p = model.predict([suser_vecs[:, u_s:], sitem_vecs[:, i_s:]], verbose=0)
print(type(y_p).__name__, y_p.shape, y_p.dtype)
y_pu = scalerTarget.inverse_transform(y_p)
sorted_index = np.argsort(-y_pu,axis=0).reshape(-1).tolist()  #negate to get largest rating first
sorted_ypu   = y_pu[sorted_index]
sorted_items = item_vecs[sorted_index]  #using unscaled vectors for display
print(sorted_items[:5, 0].astype(int), np.round(sorted_ypu[:5, 0], 3))
print(pd.DataFrame({"y_p": sorted_ypu[:5, 0], "movie id": sorted_items[:5, 0].astype(int),
                    "rating ave": sorted_items[:5, 2]}))

def sq_dist(a,b):
    d = np.sum(np.square(a - b))
    return d
a1 = np.array([1.0, 2.0, 3.0]); b1 = np.array([1.0, 2.0, 3.0])
a2 = np.array([1.1, 2.1, 3.1]); b2 = np.array([1.0, 2.0, 3.0])
a3 = np.array([0, 1, 0]);       b3 = np.array([1, 0, 0])
print(f"squared distance between a1 and b1: {sq_dist(a1, b1):0.3f}")
print(f"squared distance between a2 and b2: {sq_dist(a2, b2):0.3f}")
print(f"squared distance between a3 and b3: {sq_dist(a3, b3):0.3f}")

input_item_m = tf.keras.layers.Input(shape=(num_item_features,))    # input layer
vm_m = item_NN(input_item_m)                                       # use the trained item_NN
vm_m = tf.keras.layers.Lambda(lambda x: tf.linalg.l2_normalize(x, axis=1))(vm_m)
model_m = tf.keras.Model(input_item_m, vm_m)
model_m.summary()
scaled_item_vecs = scalerItem.transform(item_vecs)
vms = model_m.predict(scaled_item_vecs[:,i_s:], verbose=0)
print(f"size of all predicted movie feature vectors: {vms.shape}")
print(np.round(np.linalg.norm(vms, axis=1)[:3], 5))
count = 5
dim = len(vms)
dist = np.zeros((dim,dim))
for i in range(dim):
    for j in range(dim):
        dist[i,j] = sq_dist(vms[i, :], vms[j, :])
m_dist = ma.masked_array(dist, mask=np.identity(dist.shape[0]))  # mask the diagonal
for i in range(count):
    min_idx = np.argmin(m_dist[i])
    print(int(item_vecs[i, 0]), int(item_vecs[min_idx, 0]), f"{m_dist[i, min_idx]:0.4f}")
'''

TF_OUTPUT = [
    'Number of training vectors: 600',
    'y_train[:5]: [3.5 3.5 5.  1.5 3.5]',
    'True',
    'True',
    'movie/item training data shape: (480, 17)',
    'movie/item test data shape: (120, 17)',
    'Model: "functional_2"',
    '┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩',
    '│ input_layer         │ (None, 14)        │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ input_layer_2       │ (None, 16)        │          0 │ -                 │',
    '│ (InputLayer)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential          │ (None, 32)        │     40,864 │ input_layer[0][0] │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ sequential_1        │ (None, 32)        │     41,376 │ input_layer_2[0]… │',
    '│ (Sequential)        │                   │            │                   │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ lambda (Lambda)     │ (None, 32)        │          0 │ sequential[0][0]  │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ lambda_1 (Lambda)   │ (None, 32)        │          0 │ sequential_1[0][… │',
    '├─────────────────────┼───────────────────┼────────────┼───────────────────┤',
    '│ dot (Dot)           │ (None, 1)         │          0 │ lambda[0][0],     │',
    '│                     │                   │            │ lambda_1[0][0]    │',
    '└─────────────────────┴───────────────────┴────────────┴───────────────────┘',
    ' Total params: 82,240 (321.25 KB)',
    ' Trainable params: 82,240 (321.25 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'All tests passed!',
    '[0.41429, 0.37507, 0.35437]',
    '0.36640 float',
    'ndarray (80, 1) float32',
    '[107 152 170 122 167] [2.653 2.64  2.639 2.626 2.61 ]',
    '   y_p  movie id  rating ave',
    '0  2.7       107         1.8',
    '1  2.6       152         4.2',
    '2  2.6       170         2.7',
    '3  2.6       122         3.8',
    '4  2.6       167         2.6',
    'squared distance between a1 and b1: 0.000',
    'squared distance between a2 and b2: 0.030',
    'squared distance between a3 and b3: 2.000',
    'Model: "functional_3"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer_4 (InputLayer)      │ (None, 16)             │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ sequential_1 (Sequential)       │ (None, 32)             │        41,376 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ lambda_2 (Lambda)               │ (None, 32)             │             0 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 41,376 (161.62 KB)',
    ' Trainable params: 41,376 (161.62 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'size of all predicted movie feature vectors: (80, 32)',
    '[1. 1. 1.]',
    '100 140 0.0020',
    '101 105 0.0028',
    '102 124 0.0003',
    '103 131 0.0000',
    '104 112 0.0002',
    '',
]

# the losses, the predictions and the distances: float32 sums in another order
NUMERIC = (34, 35, 37, 61, 62, 63, 64, 65, 66)


def test_content_based_filtering_assignment_prints_what_tf_printed():
    assert_guide_prints(renamed(PROGRAM), "c3w2_content", TF_OUTPUT, numeric=NUMERIC, loose_spaces=True)


def test_the_notebooks_tf2_spelling_builds_the_same_two_towers():
    """The notebook as the course wrote it for TF 2.x: ``Input(shape=(16))`` with an int and
    ``tf.linalg.l2_normalize`` straight on the towers' symbolic outputs. Keras 3 refuses both;
    glassnet takes the first, refuses the second with Keras 3's ValueError (a Lambda is TF's
    spelling: tests/test_tf_ops_on_keras_tensors.py), and gives the model the Lambda spelling gives."""
    import pytest

    def towers():
        tf.random.set_seed(1)
        return [tf.keras.models.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(4)])
                for _ in range(2)]

    user_NN, item_NN = towers()
    input_user = tf.keras.layers.Input(shape=(5))
    input_item = tf.keras.layers.Input(shape=(6))
    assert tuple(input_user.shape) == (None, 5) and tuple(input_item.shape) == (None, 6)
    with pytest.raises(ValueError, match="A KerasTensor cannot be used as input to a TensorFlow function"):
        tf.linalg.l2_normalize(user_NN(input_user), axis=1)
    normalize = tf.keras.layers.Lambda(lambda x: tf.linalg.l2_normalize(x, axis=1))
    vu, vm = normalize(user_NN(input_user)), normalize(item_NN(input_item))
    old = tf.keras.Model([input_user, input_item], tf.keras.layers.Dot(axes=1)([vu, vm]))

    user_NN2, item_NN2 = towers()
    iu, ii = tf.keras.layers.Input(shape=(5,)), tf.keras.layers.Input(shape=(6,))
    norm = tf.keras.layers.Lambda(lambda x: tf.linalg.l2_normalize(x, axis=1))
    new = tf.keras.Model([iu, ii], tf.keras.layers.Dot(axes=1)([norm(user_NN2(iu)), norm(item_NN2(ii))]))
    new.set_weights(old.get_weights())

    rng = np.random.default_rng(0)
    xu, xi = rng.normal(size=(7, 5)), rng.normal(size=(7, 6))
    got, want = old.predict([xu, xi], verbose=0), new.predict([xu, xi], verbose=0)
    assert got.shape == (7, 1)
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert np.all(np.abs(got) <= 1 + 1e-6)          # a cosine
    # by hand: the cosine of the two towers' outputs
    hu, hi = user_NN(xu).numpy(), item_NN(xi).numpy()
    cos = np.sum(hu * hi, axis=1) / np.linalg.norm(hu, axis=1) / np.linalg.norm(hi, axis=1)
    np.testing.assert_allclose(got[:, 0], cos, rtol=1e-5, atol=1e-6)
    old.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.01), loss=tf.keras.losses.MeanSquaredError())
    before = old.evaluate([xu, xi], np.full((7, 1), 0.5), verbose=0)
    old.fit([xu, xi], np.full((7, 1), 0.5), epochs=20, verbose=0)
    assert old.evaluate([xu, xi], np.full((7, 1), 0.5), verbose=0) < before
