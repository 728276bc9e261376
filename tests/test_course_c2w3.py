"""The Machine Learning Specialization's course 2 week 3 ("Advice for applying machine learning")
graded assignment and its optional lab on model evaluation and selection, run with ``tensorflow``
renamed to ``glassnet``: what they print must be what TensorFlow 2.21 printed for the same code
(recorded by running it under TF 2.21).

The data are the course's own generators (``assigment_utils.gen_data``: x^2 with noise;
``gen_blobs``: six clusters) rewritten with NumPy (``make_blobs`` is scikit-learn's, which may be
missing: the clusters are drawn with NumPy around the same centres); ``train_test_split``,
``StandardScaler``, ``PolynomialFeatures`` and ``mean_squared_error`` are small stand-ins with
scikit-learn's arithmetic; the plots are left out. The assignment runs in float64
(``tf.keras.backend.set_floatx('float64')``, as the notebook does), which the model summaries show in
their byte counts (the optimizer's learning rate is then a float64 variable too). Fewer epochs than
the notebook (20 instead of 1000; 30 instead of 300 in the lab) and ``verbose=0``; the networks'
starting weights are set from NumPy after they are built, so the printed errors rest on the arithmetic
alone, not on each library's initializer (the lab's ``build_models`` seeds with
``tf.random.set_seed(20)`` as the course's does; its first model's weights are then replaced the same
way)."""
import glassnet
from conftest import _numbers_close, renamed

PROGRAM = r'''import logging
import numpy as np
import tensorflow as tf
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense
from tensorflow.keras.activations import relu,linear
from tensorflow.keras.losses import SparseCategoricalCrossentropy
from tensorflow.keras.optimizers import Adam

logging.getLogger("tensorflow").setLevel(logging.ERROR)
tf.keras.backend.set_floatx('float64')
tf.autograph.set_verbosity(0)

# stand-ins for the scikit-learn pieces the notebooks use
def train_test_split(X, y, test_size, random_state):
    idx = np.random.RandomState(random_state).permutation(len(X))
    n_test = int(np.ceil(test_size * len(X)))
    return X[idx[n_test:]], X[idx[:n_test]], y[idx[n_test:]], y[idx[:n_test]]

class StandardScaler:
    def fit_transform(self, X):
        self.mean_, self.scale_ = X.mean(0), X.std(0)
        return self.transform(X)
    def transform(self, X):
        return (X - self.mean_) / self.scale_

class PolynomialFeatures:
    def __init__(self, degree, include_bias=True):
        self.degree, self.include_bias = degree, include_bias
    def fit_transform(self, X):
        return self.transform(X)
    def transform(self, X):
        return np.hstack([X ** k for k in range(0 if self.include_bias else 1, self.degree + 1)])

def mean_squared_error(y, yhat):
    return np.mean((np.asarray(y).reshape(-1) - np.asarray(yhat).reshape(-1)) ** 2)

# assigment_utils' generators
def gen_data(m, seed=1, scale=0.7):
    c = 0
    x_train = np.linspace(0,49,m)
    np.random.seed(seed)
    y_ideal = x_train**2 + c
    y_train = y_ideal + scale * y_ideal*(np.random.sample((m,))-0.5)
    x_ideal = x_train
    return x_train, y_train, x_ideal, y_ideal

def gen_blobs():
    classes = 6
    m = 800
    std = 0.4
    centers = np.array([[-1, 0], [1, 0], [0, 1], [0, -1],  [-2,1],[-2,-1]])
    rng = np.random.RandomState(2)
    y = rng.randint(0, classes, m)
    X = centers[y] + rng.normal(0, std, (m, 2))
    return (X, y, centers, classes, std)

def start_from_numpy(model, seed):
    """The starting weights from NumPy, so that what follows rests on the arithmetic alone."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.5, w.shape) for w in model.get_weights()])

# the assignment
X, y, x_ideal, y_ideal = gen_data(18, 2, 0.7)
print("X.shape", X.shape, "y.shape", y.shape)
X_train, X_test, y_train, y_test = train_test_split(X,y,test_size=0.33, random_state=1)
print("X_train.shape", X_train.shape, "y_train.shape", y_train.shape)
print("X_test.shape", X_test.shape, "y_test.shape", y_test.shape)

def eval_mse(y, yhat):
    m = len(y)
    err = 0.0
    for i in range(m):
        err += (yhat[i] - y[i]) ** 2
    err = err / (2 * m)
    return(err)

y_hat = np.array([2.4, 4.2])
y_tmp = np.array([2.3, 4.1])
print(f"{eval_mse(y_hat, y_tmp):0.3f}")

X, y, centers, classes, std = gen_blobs()
X_train, X_, y_train, y_ = train_test_split(X,y,test_size=0.50, random_state=1)
X_cv, X_test, y_cv, y_test = train_test_split(X_,y_,test_size=0.20, random_state=1)
print("X_train.shape:", X_train.shape, "X_cv.shape:", X_cv.shape, "X_test.shape:", X_test.shape)

def eval_cat_err(y, yhat):
    m = len(y)
    incorrect = 0
    for i in range(m):
        if yhat[i] != y[i]:
            incorrect += 1
    cerr = incorrect/m
    return(cerr)

y_hat = np.array([1, 2, 0])
y_tmp = np.array([1, 2, 3])
print(f"categorization error {np.squeeze(eval_cat_err(y_hat, y_tmp)):0.3f}, expected:0.333" )
y_hat = np.array([[1], [2], [0], [3]])
y_tmp = np.array([[1], [2], [1], [3]])
print(f"categorization error {np.squeeze(eval_cat_err(y_hat, y_tmp)):0.3f}, expected:0.250" )

tf.random.set_seed(1234)
model = Sequential(
    [
        Dense(120, activation = 'relu', name = "L1"),
        Dense(40, activation = 'relu', name = "L2"),
        Dense(classes, activation = 'linear', name = "L3")
    ], name="Complex"
)
model.compile(
    loss=SparseCategoricalCrossentropy(from_logits=True),
    optimizer=tf.keras.optimizers.Adam(0.01),
)
model.build((None, 2))
start_from_numpy(model, 0)
model.fit(
    X_train, y_train,
    epochs=20, verbose=0
)
model.summary()
print([w.dtype for w in model.get_weights()][:2], model.layers[0].activation == relu, model.layers[2].activation == linear)

model_predict = lambda Xl: np.argmax(tf.nn.softmax(model.predict(Xl, verbose=0)).numpy(),axis=1)
p = model.predict(X_train[:3], verbose=0)
print(type(p).__name__, p.dtype, p.shape, tf.nn.softmax(p).dtype)
training_cerr_complex = eval_cat_err(y_train, model_predict(X_train))
cv_cerr_complex = eval_cat_err(y_cv, model_predict(X_cv))
print(f"categorization error, training, complex model: {training_cerr_complex:0.3f}")
print(f"categorization error, cv,       complex model: {cv_cerr_complex:0.3f}")

tf.random.set_seed(1234)
model_s = Sequential(
    [
        Dense(6, activation = 'relu', name="L1"),
        Dense(classes, activation = 'linear', name="L2")
    ], name = "Simple"
)
model_s.compile(
    loss=SparseCategoricalCrossentropy(from_logits=True),
    optimizer=tf.keras.optimizers.Adam(0.01),
)
model_s.build((None, 2))
start_from_numpy(model_s, 1)
model_s.fit(
    X_train,y_train,
    epochs=20, verbose=0
)
model_s.summary()
model_predict_s = lambda Xl: np.argmax(tf.nn.softmax(model_s.predict(Xl, verbose=0)).numpy(),axis=1)
training_cerr_simple = eval_cat_err(y_train, model_predict_s(X_train))
cv_cerr_simple = eval_cat_err(y_cv, model_predict_s(X_cv))
print(f"categorization error, training, simple model, {training_cerr_simple:0.3f}, complex model: {training_cerr_complex:0.3f}" )
print(f"categorization error, cv,       simple model, {cv_cerr_simple:0.3f}, complex model: {cv_cerr_complex:0.3f}" )

tf.random.set_seed(1234)
model_r = Sequential(
    [
        Dense(120, activation = 'relu', kernel_regularizer=tf.keras.regularizers.l2(0.1), name="L1"),
        Dense(40, activation = 'relu', kernel_regularizer=tf.keras.regularizers.l2(0.1), name="L2"),
        Dense(classes, activation = 'linear', name="L3")
    ], name= None
)
model_r.compile(
    loss=SparseCategoricalCrossentropy(from_logits=True),
    optimizer=tf.keras.optimizers.Adam(0.01),
)
model_r.build((None, 2))
start_from_numpy(model_r, 0)
history = model_r.fit(
    X_train, y_train,
    epochs=20, verbose=0
)
model_r.summary()
print(model_r.layers[0].kernel_regularizer.get_config(), len(model_r.losses))
print([round(v, 4) for v in history.history["loss"][::5]])
model_predict_r = lambda Xl: np.argmax(tf.nn.softmax(model_r.predict(Xl, verbose=0)).numpy(),axis=1)
training_cerr_reg = eval_cat_err(y_train, model_predict_r(X_train))
cv_cerr_reg = eval_cat_err(y_cv, model_predict_r(X_cv))
test_cerr_reg = eval_cat_err(y_test, model_predict_r(X_test))
print(f"categorization error, training, regularized: {training_cerr_reg:0.3f}, simple model, {training_cerr_simple:0.3f}, complex model: {training_cerr_complex:0.3f}" )
print(f"categorization error, cv,       regularized: {cv_cerr_reg:0.3f}, simple model, {cv_cerr_simple:0.3f}, complex model: {cv_cerr_complex:0.3f}" )

tf.random.set_seed(1234)
lambdas = [0.0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.3]
models=[None] * len(lambdas)
for i in range(len(lambdas)):
    lambda_ = lambdas[i]
    models[i] =  Sequential(
        [
            Dense(120, activation = 'relu', kernel_regularizer=tf.keras.regularizers.l2(lambda_)),
            Dense(40, activation = 'relu', kernel_regularizer=tf.keras.regularizers.l2(lambda_)),
            Dense(classes, activation = 'linear')
        ]
    )
    models[i].compile(
        loss=SparseCategoricalCrossentropy(from_logits=True),
        optimizer=tf.keras.optimizers.Adam(0.01),
    )
    models[i].build((None, 2))
    start_from_numpy(models[i], 0)
    models[i].fit(
        X_train,y_train,
        epochs=5, verbose=0
    )
    print(f"Finished lambda = {lambda_}")
err_train = np.zeros(len(lambdas))       # assigment_utils.plot_iterate, without the plot
for i in range(len(models)):
    err_train[i] = eval_cat_err(y_train,np.argmax( models[i](X_train), axis=1))
print(err_train, [m.name for m in models][:2], models[0](X_train).dtype)

# the optional lab: model evaluation and selection (build_models from its utils.py), a notebook of its
# own in float32 (Keras 3 keeps the dtype policy it first read until clear_session)
tf.keras.backend.clear_session()
tf.keras.backend.set_floatx('float32')
def build_models():
    tf.random.set_seed(20)
    model_1 = Sequential(
        [
            Dense(25, activation = 'relu'),
            Dense(15, activation = 'relu'),
            Dense(1, activation = 'linear')
        ],
        name='model_1'
    )
    model_2 = Sequential(
        [
            Dense(20, activation = 'relu'),
            Dense(12, activation = 'relu'),
            Dense(12, activation = 'relu'),
            Dense(20, activation = 'relu'),
            Dense(1, activation = 'linear')
        ],
        name='model_2'
    )
    model_3 = Sequential(
        [
            Dense(32, activation = 'relu'),
            Dense(16, activation = 'relu'),
            Dense(8, activation = 'relu'),
            Dense(4, activation = 'relu'),
            Dense(12, activation = 'relu'),
            Dense(1, activation = 'linear')
        ],
        name='model_3'
    )
    model_list = [model_1, model_2, model_3]
    return model_list

rng = np.random.RandomState(0)
x = np.linspace(1600, 3600, 50)
y = 0.0002 * (x - 2500) ** 2 + 300 + rng.normal(0, 20, 50)
x = np.expand_dims(x, axis=1)
y = np.expand_dims(y, axis=1)
x_train, x_, y_train, y_ = train_test_split(x, y, test_size=0.40, random_state=1)
x_cv, x_test, y_cv, y_test = train_test_split(x_, y_, test_size=0.50, random_state=1)
del x_, y_
degree = 1
poly = PolynomialFeatures(degree, include_bias=False)
X_train_mapped = poly.fit_transform(x_train)
X_cv_mapped = poly.transform(x_cv)
scaler = StandardScaler()
X_train_mapped_scaled = scaler.fit_transform(X_train_mapped)
X_cv_mapped_scaled = scaler.transform(X_cv_mapped)
nn_train_mses = []
nn_cv_mses = []
nn_models = build_models()
for model in nn_models:
    model.compile(
    loss='mse',
    optimizer=tf.keras.optimizers.Adam(learning_rate=0.1),
    )
    model.build((None, 1))
    start_from_numpy(model, 2)
    print(f"Training {model.name}...")
    model.fit(
        X_train_mapped_scaled, y_train,
        epochs=30,
        verbose=0
    )
    print("Done!\n")
    yhat = model.predict(X_train_mapped_scaled, verbose=0)
    train_mse = mean_squared_error(y_train, yhat) / 2
    nn_train_mses.append(train_mse)
    yhat = model.predict(X_cv_mapped_scaled, verbose=0)
    cv_mse = mean_squared_error(y_cv, yhat) / 2
    nn_cv_mses.append(cv_mse)
print("RESULTS:")
for model_num in range(len(nn_train_mses)):
    print(
        f"Model {model_num+1}: Training MSE: {nn_train_mses[model_num]:.2f}, " +
        f"CV MSE: {nn_cv_mses[model_num]:.2f}"
        )
nn_models[2].summary()

# the lab's classification part: sigmoid of the logits, thresholded with tf.where
x_bc = rng.normal(0, 1, (200, 2))
y_bc = np.expand_dims((x_bc[:, 0] * x_bc[:, 1] > 0).astype(float), axis=1)
x_bc_train, x_bc_cv, y_bc_train, y_bc_cv = train_test_split(x_bc, y_bc, test_size=0.40, random_state=1)
model = build_models()[0]
model.compile(
    loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
    optimizer=tf.keras.optimizers.Adam(learning_rate=0.01),
)
model.build((None, 2))
start_from_numpy(model, 3)
model.fit(x_bc_train, y_bc_train, epochs=20, verbose=0)
threshold = 0.5
yhat = model.predict(x_bc_train, verbose=0)
yhat = tf.math.sigmoid(yhat)
yhat = tf.where(yhat >= threshold, 1, 0)
print(yhat.dtype, yhat.shape)
train_error = np.mean(yhat != y_bc_train)
print(f"Training Set Classification Error: {train_error:.5f}", type(train_error).__name__)
'''

TF_OUTPUT = [
    'X.shape (18,) y.shape (18,)',
    'X_train.shape (12,) y_train.shape (12,)',
    'X_test.shape (6,) y_test.shape (6,)',
    '0.005',
    'X_train.shape: (400, 2) X_cv.shape: (320, 2) X_test.shape: (80, 2)',
    'categorization error 0.333, expected:0.333',
    'categorization error 0.250, expected:0.250',
    'Model: "Complex"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ L1 (Dense)                      │ (None, 120)            │           360 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ L2 (Dense)                      │ (None, 40)             │         4,840 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ L3 (Dense)                      │ (None, 6)              │           246 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 16,340 (127.66 KB)',
    ' Trainable params: 5,446 (42.55 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 10,894 (85.11 KB)',
    "[dtype('float64'), dtype('float64')] True True",
    "ndarray float64 (3, 6) <dtype: 'float64'>",
    'categorization error, training, complex model: 0.080',
    'categorization error, cv,       complex model: 0.091',
    'Model: "Simple"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ L1 (Dense)                      │ (None, 6)              │            18 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ L2 (Dense)                      │ (None, 6)              │            42 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 182 (1.42 KB)',
    ' Trainable params: 60 (480.00 B)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 122 (976.00 B)',
    'categorization error, training, simple model, 0.095, complex model: 0.080',
    'categorization error, cv,       simple model, 0.094, complex model: 0.091',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ L1 (Dense)                      │ (None, 120)            │           360 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ L2 (Dense)                      │ (None, 40)             │         4,840 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ L3 (Dense)                      │ (None, 6)              │           246 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 16,340 (127.66 KB)',
    ' Trainable params: 5,446 (42.55 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 10,894 (85.11 KB)',
    "{'l2': 0.1} 2",
    '[108.4598, 13.1063, 2.3205, 1.0445]',
    'categorization error, training, regularized: 0.090, simple model, 0.095, complex model: 0.080',
    'categorization error, cv,       regularized: 0.094, simple model, 0.094, complex model: 0.091',
    'Finished lambda = 0.0',
    'Finished lambda = 0.001',
    'Finished lambda = 0.01',
    'Finished lambda = 0.05',
    'Finished lambda = 0.1',
    'Finished lambda = 0.2',
    'Finished lambda = 0.3',
    "[0.08   0.0875 0.085  0.0825 0.115  0.1175 0.1225] ['sequential_1', 'sequential_2'] <dtype: 'float64'>",
    'Training model_1...',
    'Done!',
    '',
    'Training model_2...',
    'Done!',
    '',
    'Training model_3...',
    'Done!',
    '',
    'RESULTS:',
    'Model 1: Training MSE: 1007.18, CV MSE: 669.23',
    'Model 2: Training MSE: 374.94, CV MSE: 443.27',
    'Model 3: Training MSE: 737.59, CV MSE: 749.16',
    'Model: "model_3"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense_8 (Dense)                 │ (None, 32)             │            64 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_9 (Dense)                 │ (None, 16)             │           528 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_10 (Dense)                │ (None, 8)              │           136 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_11 (Dense)                │ (None, 4)              │            36 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_12 (Dense)                │ (None, 12)             │            60 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_13 (Dense)                │ (None, 1)              │            13 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 2,513 (9.82 KB)',
    ' Trainable params: 837 (3.27 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 1,676 (6.55 KB)',
    "<dtype: 'int32'> (120, 1)",
    'Training Set Classification Error: 0.01667 float64',
    '',
]

# the lab's mean squared errors (float32, printed .2f: a last digit may round the other way), to 1e-4
NUMERIC = (75, 76, 77)
# the regularized model's losses on float64 weights, to 1e-4 (see the test)
FLOAT64_ADAM = (54,)


def test_advice_for_applying_ml_assignment_and_lab_print_what_tf_printed():
    """Line by line as TF 2.21 printed; NUMERIC and FLOAT64_ADAM to 1e-4. On float64 weights Keras 3
    works out Adam's ``alpha = lr sqrt(1 - b2^t) / (1 - b1^t)`` with beta_1 and beta_2 rounded to
    float32 first (a Python float becomes a float32 tensor before its cast to float64), glassnet with
    them exact, 1.5e-5 apart after 100 steps (checked: with the rounded betas glassnet's readable
    step gives TF's numbers to the digit; the fast path holds the same exact betas)."""
    import contextlib
    import io
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(renamed(PROGRAM).replace("import tensorflow as tf", "import glassnet as tf"), "c2w3", "exec"), {})
    finally:
        glassnet.keras.backend.set_floatx("float32")
    lines = out.getvalue().split("\n")
    assert len(lines) == len(TF_OUTPUT), "\n".join(lines)
    for i, (got, want) in enumerate(zip(lines, TF_OUTPUT)):
        if i in NUMERIC or i in FLOAT64_ADAM:
            assert _numbers_close(got, want, rtol=1e-4, loose_spaces=True), (i, got, want)
        else:
            assert got == want, (i, got, want)
