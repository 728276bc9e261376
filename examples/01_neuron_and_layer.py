"""A neuron by hand beside glassnet's Dense: the same numbers, then the step explained.

The course starts here: a linear neuron f(x) = w x + b, a logistic one g(w x + b), and the
same thing as a Keras layer whose weights we set ourselves. Run: python examples/01_neuron_and_layer.py
"""
import numpy as np

import glassnet as tf
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input
from _common import epochs, heading

tf.autograph.set_verbosity(0)                     # the course's import cell runs unchanged
tf.get_logger().setLevel("ERROR")

heading("a linear neuron: house size (1000 sqft) -> price (1000s of dollars)")
X_train = np.array([[1.0], [2.0]], dtype=np.float32)
Y_train = np.array([[300.0], [500.0]], dtype=np.float32)

linear_layer = Dense(units=1, activation="linear")
print("weights before the layer has seen data:", linear_layer.get_weights())
a1 = linear_layer(X_train[0].reshape(1, 1))       # builds the layer: 1 input, 1 unit
print("a random first output:", a1.numpy())

w, b = np.array([[200.0]]), np.array([100.0])
linear_layer.set_weights([w, b])
by_layer = linear_layer(X_train).numpy()
by_hand = X_train @ w + b                         # f(x) = w x + b
print("Dense:", by_layer.ravel(), " by hand:", by_hand.ravel())
assert np.allclose(by_layer, by_hand)

heading("a logistic neuron: g(z) = 1 / (1 + e^-z)")
X = np.array([0.0, 1, 2, 3, 4, 5], dtype=np.float32).reshape(-1, 1)
Y = np.array([0, 0, 0, 1, 1, 1], dtype=np.float32).reshape(-1, 1)
model = Sequential([Input(shape=(1,)), Dense(1, activation="sigmoid", name="L1")])
model.summary()
logistic_layer = model.get_layer("L1")
logistic_layer.set_weights([np.array([[2.0]]), np.array([-4.5])])
by_model = model.predict(X, verbose=0)
by_hand = 1 / (1 + np.exp(-(X @ np.array([[2.0]]) - 4.5)))
print("predict:", by_model.ravel().round(4), "\nby hand:", by_hand.ravel().round(4))
assert np.allclose(by_model, by_hand, atol=1e-6)
print("layer.output.shape.as_list():", logistic_layer.output.shape.as_list())

model.compile(loss=tf.keras.losses.BinaryCrossentropy(), optimizer=tf.keras.optimizers.SGD(learning_rate=0.5))
model.fit(X, Y, epochs=epochs(20), verbose=0)
print("after training, w, b =", [w.ravel().round(3) for w in logistic_layer.get_weights()])

heading("glass box: one training step, written out")
print(tf.explain(model, X[:3], Y[:3]))
